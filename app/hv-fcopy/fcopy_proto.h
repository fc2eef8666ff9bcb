/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef FCOPY_PROTO_H
#define FCOPY_PROTO_H

/*
 * The fcopy message handler: pure over one received payload, with no device behind it, so
 * that tests and fuzzers can drive it with any bytes. icmsgsize must lie inside the received
 * payload, and it alone bounds the body: every length in the message is checked against it
 * before anything is read, so the packet's padding is never read as data.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_hvdev_ic.h>

#include "fcopy_deliver.h"
#include "fcopy_stats.h"

struct fcopy_proto {
	struct fcopy_deliver *dlv;
	struct fcopy_stats *stats;
	bool negotiated;
	bool orphan_logged;	/* a WRITE/COMPLETE without START was reported once */
	struct rte_hvdev_ic_version fw;
	struct rte_hvdev_ic_version srv;
};

void fcopy_proto_init(struct fcopy_proto *p, struct fcopy_deliver *dlv,
		      struct fcopy_stats *stats);

/*
 * Handle the payload of one in-band packet (descriptor stripped) in place.
 *
 * @param payload  a private, writable copy of the payload.
 * @param len      payload bytes, as the packet says (sender padding included).
 * @return true when @p payload now holds the response, to be sent back with the same length
 *         and transaction id; false when the payload is too short to hold an IC header and
 *         cannot be answered.
 */
bool fcopy_proto_handle(struct fcopy_proto *p, void *payload, uint32_t len);

/* End the copy in progress, if any (rescind, timeout, shutdown); @p why is logged. */
void fcopy_proto_abandon(struct fcopy_proto *p, const char *why);

/* A new channel: the host negotiates again. */
void fcopy_proto_reset(struct fcopy_proto *p);

#endif /* FCOPY_PROTO_H */
