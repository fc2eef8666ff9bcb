/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef KVP_CORE_LOG_H
#define KVP_CORE_LOG_H

/*
 * Log type of the KVP protocol and pool code: app.hv_kvp.core. Its messages carry numbers and
 * our own paths only; strings chosen by the host (keys, values, adapter ids) reach the
 * service through the operation record (kvp_handler.h), which the service logs escaped.
 */

#include <rte_log.h>

extern int kvp_core_logtype;

#define KVP_CORE_LOG(level, ...) \
	rte_log(RTE_LOG_ ## level, kvp_core_logtype, \
		RTE_FMT("hv_kvp: " RTE_FMT_HEAD(__VA_ARGS__,) "\n", RTE_FMT_TAIL(__VA_ARGS__,)))

#endif /* KVP_CORE_LOG_H */
