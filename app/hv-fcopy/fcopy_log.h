/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef FCOPY_LOG_H
#define FCOPY_LOG_H

/*
 * Logging of dpdk-hv-fcopy: the app.hv_fcopy log type, an optional syslog-only stream, and
 * the escaping of host data.
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

#define FCOPY_PROG "dpdk-hv-fcopy"

extern int hv_fcopy_logtype;

#define FCOPY_LOG(level, fmt, ...) \
	fcopy_log(RTE_LOG_ ## level, "hv_fcopy: " fmt, ##__VA_ARGS__)

/* Format, escape (fcopy_escape() with no flag) and log one line at @p level. */
void fcopy_log(uint32_t level, const char *fmt, ...) __rte_format_printf(2, 3);

/* Escape every byte outside printable ASCII as \xHH or \uHHHH, valid UTF-8 included. */
#define FCOPY_ESC_ASCII 1u

/* Worst case growth of fcopy_escape(): one byte becomes at most 4 ("\x1b"). */
#define FCOPY_ESC_MAX(n) (4 * (n) + 4)

/*
 * Copy @p src into @p dst with everything that is not printable escaped:
 * '\\' as "\\\\"; TAB, LF, CR as "\\t", "\\n", "\\r"; other C0 controls and DEL as "\\xHH";
 * C1 controls, U+2028/U+2029 and the bidirectional controls (U+200E, U+200F, U+202A to
 * U+202E, U+2066 to U+2069) as "\\uHHHH"; each byte of an invalid, overlong, surrogate or
 * out-of-range UTF-8 sequence as "\\xHH". Other UTF-8 is kept as is, unless FCOPY_ESC_ASCII
 * (then "\\uHHHH" or "\\UHHHHHHHH"). An escape is never cut: a result that does not fit ends
 * with "...". Never fails; @p dst is always NUL-terminated (when @p len > 0).
 * @return @p dst.
 */
char *fcopy_escape(char *dst, size_t len, const char *src, unsigned int flags);

/*
 * Send every DPDK log message (ours and EAL's) to syslog only, with the identity
 * "dpdk-hv-fcopy" and the message's own priority. Without it EAL writes each message to
 * stderr and to syslog, which a journal catching stderr would record twice.
 * @return 0 or -ENOMEM.
 */
int fcopy_log_to_syslog(void);

#endif /* FCOPY_LOG_H */
