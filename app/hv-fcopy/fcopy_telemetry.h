/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef FCOPY_TELEMETRY_H
#define FCOPY_TELEMETRY_H

/*
 * The /hv_fcopy/stats telemetry command: transfer counters and the progress of the copy in
 * progress, from the service's statistics.
 */

#include <stddef.h>
#include <stdint.h>

#include "fcopy_stats.h"

/*
 * The "path" value of /hv_fcopy/stats: the copy in progress's target, escaped to printable
 * ASCII (fcopy_escape() with FCOPY_ESC_ASCII) and cut to @p len; "" when no copy is active.
 * @return @p buf.
 */
const char *fcopy_telemetry_path(const struct fcopy_stats *s, char *buf, size_t len);

/* The "last_hresult" value of /hv_fcopy/stats: "0x%08x". @return @p buf. */
const char *fcopy_telemetry_hresult(uint32_t hr, char *buf, size_t len);

/* Serve /hv_fcopy/stats from @p stats (which must outlive the process's telemetry). */
int fcopy_telemetry_register(struct fcopy_stats *stats);

#endif /* FCOPY_TELEMETRY_H */
