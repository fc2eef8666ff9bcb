/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef HVDEV_PRIVATE_H
#define HVDEV_PRIVATE_H

#include <rte_log.h>

#include "rte_hvdev_pmd.h"

extern int hvdev_logtype;
#define HVDEV_LOG(level, ...) \
	rte_log(RTE_LOG_ ## level, hvdev_logtype, \
		RTE_FMT("hvdev: " RTE_FMT_HEAD(__VA_ARGS__,) "\n", RTE_FMT_TAIL(__VA_ARGS__,)))

/** A ready device, or NULL. */
struct rte_hvdev *hvdev_get(int16_t dev_id);

#endif /* HVDEV_PRIVATE_H */
