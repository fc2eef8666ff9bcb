/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef FCOPY_TELEMETRY_H
#define FCOPY_TELEMETRY_H

/*
 * The /hv_fcopy/stats telemetry command: transfer counters and the progress of the copy in
 * progress, from the service's statistics.
 */

#include "fcopy_stats.h"

/* Serve /hv_fcopy/stats from @p stats (which must outlive the process's telemetry). */
int fcopy_telemetry_register(struct fcopy_stats *stats);

#endif /* FCOPY_TELEMETRY_H */
