/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef FCOPY_PROTO_H
#define FCOPY_PROTO_H

/*
 * The fcopy protocol as an IC service (rte_hvdev_ic_service.h): the runner negotiates, bounds
 * each body by its icmsgsize and hands over the FCOPY requests; this file decodes them, drives
 * the delivery, and keeps the copy's timeout and --count. It is pure over the bytes it is
 * given, with no device behind it, so that tests and fuzzers can drive it through
 * rte_hvdev_ic_service_handle() with any bytes.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_hvdev_ic.h>
#include <rte_hvdev_ic_service.h>

#include "fcopy_deliver.h"
#include "fcopy_stats.h"

/*
 * During a copy, the longest sleep without looking at the ring: an interrupt a faulty host
 * never raised then delays the copy by this much instead of stalling it until it times out.
 */
#define FCOPY_COPY_RECHECK_MS 1000

struct fcopy_proto {
	struct fcopy_deliver *dlv;
	struct fcopy_stats *stats;
	bool orphan_logged;	/* a WRITE/COMPLETE without START was reported once */
	uint32_t transfer_timeout_s;	/* abandon a copy the host went quiet on; 0: never */
	uint64_t count;			/* stop the service after this many copies; 0: never */
	uint64_t last_msg_ns;		/* when the host last sent a request */
	struct rte_hvdev_ic_service *ic;	/* the service that --count stops (may be NULL) */
};

/* The callbacks, with the proto as their context; name "fcopy", framework 3.0, service 1.1. */
extern const struct rte_hvdev_ic_service_ops fcopy_proto_ops;

void fcopy_proto_init(struct fcopy_proto *p, struct fcopy_deliver *dlv,
		      struct fcopy_stats *stats);

/* End the copy in progress, if any (rescind, timeout, shutdown); @p why is logged. */
void fcopy_proto_abandon(struct fcopy_proto *p, const char *why);

#endif /* FCOPY_PROTO_H */
