/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef FCOPY_LOG_H
#define FCOPY_LOG_H

/*
 * Logging of dpdk-hv-fcopy: the app.hv_fcopy log type and the escaping of host data (the
 * syslog-only stream is hvd_log_to_syslog(), app/common).
 *
 * Every message goes through fcopy_log(), which escapes the whole formatted text before it
 * reaches stderr or syslog: a file name chosen by the host can hold a line feed (a forged
 * "hv_fcopy: copied ..." record), ESC sequences for a terminal, C1 controls, bidirectional
 * overrides or bytes that are not UTF-8, and none of them may reach a log line raw. Escaping
 * the finished line, not each argument, leaves no call site to forget.
 */

#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_log.h>

#include <rte_hvdev_ic_service.h>

#define FCOPY_PROG "dpdk-hv-fcopy"

extern int hv_fcopy_logtype;

#define FCOPY_LOG(level, fmt, ...) \
	fcopy_log(RTE_LOG_ ## level, "hv_fcopy: " fmt, ##__VA_ARGS__)

/* Format, escape (fcopy_escape() with no flag) and log one line at @p level. */
void fcopy_log(uint32_t level, const char *fmt, ...) __rte_format_printf(2, 3);

/* Escape every byte outside printable ASCII as \xHH or \uHHHH, valid UTF-8 included. */
#define FCOPY_ESC_ASCII RTE_HVDEV_ESC_ASCII

/* Worst case growth of fcopy_escape(): one byte becomes at most 4 ("\x1b"). */
#define FCOPY_ESC_MAX(n) (4 * (n) + 4)

/* Escape host data: rte_hvdev_str_escape(), shared with every IC service. */
static inline char *
fcopy_escape(char *dst, size_t len, const char *src, unsigned int flags)
{
	return rte_hvdev_str_escape(dst, len, src, flags);
}


#endif /* FCOPY_LOG_H */
