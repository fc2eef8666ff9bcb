/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef FCOPY_LOG_H
#define FCOPY_LOG_H

/* Logging of dpdk-hv-fcopy: the app.hv_fcopy log type, and an optional syslog-only stream. */

#include <rte_log.h>

#define FCOPY_PROG "dpdk-hv-fcopy"

extern int hv_fcopy_logtype;

#define FCOPY_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, hv_fcopy_logtype, "hv_fcopy: " fmt "\n", ##__VA_ARGS__)

/*
 * Send every DPDK log message (ours and EAL's) to syslog only, with the identity
 * "dpdk-hv-fcopy" and the message's own priority. Without it EAL writes each message to
 * stderr and to syslog, which a journal catching stderr would record twice.
 * @return 0 or -ENOMEM.
 */
int fcopy_log_to_syslog(void);

#endif /* FCOPY_LOG_H */
