/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef HVDEV_UIO_LOG_H
#define HVDEV_UIO_LOG_H

#include <rte_log.h>

extern int hvdev_uio_logtype;

#define HVDEV_UIO_LOG(level, ...) \
	rte_log(RTE_LOG_ ## level, hvdev_uio_logtype, \
		RTE_FMT("hvdev_uio: " RTE_FMT_HEAD(__VA_ARGS__,) "\n", RTE_FMT_TAIL(__VA_ARGS__,)))

#endif /* HVDEV_UIO_LOG_H */
