/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef KVP_PROTO_H
#define KVP_PROTO_H

/*
 * The KVP request handler: pure over one received body, with no device behind it, so that
 * tests and fuzzers can drive it with any bytes. It decodes a request bounded by icmsgsize,
 * checks every size in it, runs it on the pool files (kvp_pool.h) or the service's callbacks
 * (kvp_handler.h), and writes the answer into the same body, returning the status for the IC
 * header. The rules, and where each differs from the kernel driver and hv_kvp_daemon, are in
 * the KVP section of doc/guides/prog_guide/hvdev_ic.rst.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_hvdev_ic.h>
#include <rte_hvdev_kvp.h>

#include "kvp_handler.h"
#include "kvp_pool.h"

/*
 * Requests seen, by operation; the last slot counts unknown operations and bodies too short
 * to name one.
 */
struct kvp_proto_stats {
	uint64_t requests[RTE_HVDEV_KVP_OP_COUNT + 1];
	uint64_t ok;
	uint64_t failed;	/* any status but S_OK, S_CONT included */
	uint64_t malformed;	/* answered HV_INVALIDARG or HV_ERROR_NOT_SUPPORTED */
};

struct kvp_ctx {
	struct kvp_pools *pools;
	const struct kvp_handler_ops *ops;
	void *arg;
	bool negotiated;
	struct rte_hvdev_ic_version fw;
	struct rte_hvdev_ic_version srv;
	struct kvp_proto_stats stats;
	/* Scratch space, kept here rather than on the lcore's stack. */
	char key[KVP_KEY_UTF8_MAX];
	char value[KVP_VALUE_UTF8_MAX];
	struct kvp_ip_info ip;
	struct rte_hvdev_kvp_ip_value ip_wire;
};

/*
 * @param pools  the pool files (NULL: GET, SET, DELETE and ENUMERATE of a file pool answer
 *               HV_E_FAIL).
 * @param ops    the service's callbacks (NULL: none; see kvp_handler.h).
 */
void kvp_ctx_init(struct kvp_ctx *c, struct kvp_pools *pools, const struct kvp_handler_ops *ops,
		  void *arg);

/* A new channel: the host negotiates again. */
void kvp_ctx_reset(struct kvp_ctx *c);

/*
 * Handle one KVP request body (at payload offset RTE_HVDEV_IC_HDR_SIZE) in place.
 *
 * @param body      the body, in a private writable copy of the payload.
 * @param body_len  icmsgsize, already checked to lie inside the payload: nothing at or beyond
 *                  it is read or written.
 * @param buf_len   bytes from @p body to the end of the payload (at least @p body_len).
 * @return the status for the IC header: RTE_HVDEV_KVP_S_OK (the answer is in @p body), or an
 *         error code (the body is left as it was).
 */
uint32_t kvp_handle_request(struct kvp_ctx *c, uint8_t *body, uint32_t body_len,
			    uint32_t buf_len);

/*
 * Handle the payload of one in-band packet (descriptor stripped) in place: NEGOTIATE and
 * KVPEXCHANGE; any other message type is answered HV_ERROR_NOT_SUPPORTED.
 * @param payload  a private, writable copy of the payload.
 * @param len      payload bytes, as the packet says (sender padding included).
 * @return true when @p payload holds the response, to be sent back with the same length and
 *         transaction id; false when it is too short to hold an IC header.
 */
bool kvp_handle_payload(struct kvp_ctx *c, void *payload, uint32_t len);

#endif /* KVP_PROTO_H */
