/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>

#include <rte_hvdev_fcopy.h>
#include <rte_hvdev_ic.h>

#include "fcopy_hresult.h"
#include "fcopy_log.h"
#include "fcopy_proto.h"

/* A UTF-16 unit becomes at most 3 UTF-8 bytes (a pair of units, 4). */
#define UTF8_MAX (RTE_HVDEV_FCOPY_MAX_PATH * 3 + 1)
#define WRITE_HDR_SIZE offsetof(struct rte_hvdev_fcopy_write, data)

void
fcopy_proto_init(struct fcopy_proto *p, struct fcopy_deliver *dlv, struct fcopy_stats *stats)
{
	memset(p, 0, sizeof(*p));
	p->dlv = dlv;
	p->stats = stats;
}

void
fcopy_proto_abandon(struct fcopy_proto *p, const char *why)
{
	if (!p->dlv->active)
		return;
	fcopy_deliver_abandon(p->dlv, why);
	fcopy_stats_end(p->stats, RTE_HVDEV_IC_E_FAIL, why);
}

/* Decode one of START's names; the HRESULT of a bad one. */
static uint32_t
decode_name(const uint16_t *units, const char *what, char *out, size_t len)
{
	int ret = rte_hvdev_utf16_to_utf8(units, RTE_HVDEV_FCOPY_MAX_PATH, out, len);

	if (ret >= 0)
		return RTE_HVDEV_IC_S_OK;
	FCOPY_LOG(ERR, "START refused: the %s is %s", what, ret == -ENAMETOOLONG ?
		  "too long" : "not valid UTF-16 (lone surrogate or no terminating NUL)");
	return ret == -ENAMETOOLONG ? RTE_HVDEV_IC_NAME_TOO_LONG : RTE_HVDEV_IC_INVALIDARG;
}

static uint32_t
on_start(struct fcopy_proto *p, const uint8_t *body, uint32_t body_len)
{
	struct rte_hvdev_fcopy_start st;
	char name[UTF8_MAX], path[UTF8_MAX];
	uint32_t hr;

	if (body_len < sizeof(st)) {
		FCOPY_LOG(ERR, "START of %u bytes refused: it needs %zu", body_len, sizeof(st));
		return RTE_HVDEV_IC_INVALIDARG;
	}
	fcopy_proto_abandon(p, "a new START arrived before COMPLETE");
	p->orphan_logged = false;
	memcpy(&st, body, sizeof(st));
	hr = decode_name(st.file_name, "file name", name, sizeof(name));
	if (hr == RTE_HVDEV_IC_S_OK)
		hr = decode_name(st.path_name, "path", path, sizeof(path));
	if (hr != RTE_HVDEV_IC_S_OK) {
		fcopy_stats_begin(p->stats, "(undecodable name)", st.file_size);
		fcopy_stats_end(p->stats, hr, "invalid UTF-16 name");
		return hr;
	}
	hr = fcopy_deliver_start(p->dlv, path, name, st.copy_flags, st.file_size);
	/* The record names the file where the destination rule put it, not the host's fields. */
	fcopy_stats_begin(p->stats, p->dlv->target, st.file_size);
	if (hr != RTE_HVDEV_IC_S_OK)
		fcopy_stats_end(p->stats, hr, p->dlv->reason);
	else
		p->stats->via = fcopy_deliver_via(p->dlv);
	return hr;
}

/* WRITE or COMPLETE with no copy in progress: said once, not for every fragment. */
static uint32_t
orphan(struct fcopy_proto *p, const char *op)
{
	if (!p->orphan_logged)
		FCOPY_LOG(WARNING, "%s without a copy in progress (no START, or the copy "
			  "already failed)", op);
	p->orphan_logged = true;
	return RTE_HVDEV_IC_E_FAIL;
}

static uint32_t
on_write(struct fcopy_proto *p, const uint8_t *body, uint32_t body_len)
{
	uint64_t offset;
	uint32_t size, hr;

	if (body_len < WRITE_HDR_SIZE) {
		FCOPY_LOG(ERR, "WRITE of %u bytes refused: it needs %zu", body_len,
			  WRITE_HDR_SIZE);
		hr = RTE_HVDEV_IC_INVALIDARG;
		goto fail;
	}
	memcpy(&offset, body + offsetof(struct rte_hvdev_fcopy_write, offset), sizeof(offset));
	memcpy(&size, body + offsetof(struct rte_hvdev_fcopy_write, size), sizeof(size));
	if (size > RTE_HVDEV_FCOPY_DATA_MAX || size > body_len - WRITE_HDR_SIZE) {
		FCOPY_LOG(ERR, "WRITE of %u data bytes refused: at most %u, and the message "
			  "carries %u", size, RTE_HVDEV_FCOPY_DATA_MAX,
			  body_len - (uint32_t)WRITE_HDR_SIZE);
		hr = RTE_HVDEV_IC_INVALIDARG;
		goto fail;
	}
	if (!p->dlv->active)
		return orphan(p, "WRITE");
	hr = fcopy_deliver_write(p->dlv, offset, body + WRITE_HDR_SIZE, size);
	if (hr == RTE_HVDEV_IC_S_OK) {
		fcopy_stats_progress(p->stats, size);
		return hr;
	}
	fcopy_stats_end(p->stats, hr, p->dlv->reason);
	return hr;
fail:
	/* A malformed fragment loses data: the copy cannot succeed any more. */
	if (p->dlv->active) {
		fcopy_deliver_abandon(p->dlv, "malformed WRITE");
		fcopy_stats_end(p->stats, hr, "malformed WRITE");
	}
	return hr;
}

static uint32_t
on_complete(struct fcopy_proto *p)
{
	uint32_t hr;

	if (!p->dlv->active)
		return orphan(p, "COMPLETE");
	hr = fcopy_deliver_complete(p->dlv);
	fcopy_stats_end(p->stats, hr, hr == RTE_HVDEV_IC_S_OK ? NULL : p->dlv->reason);
	return hr;
}

static uint32_t
on_cancel(struct fcopy_proto *p)
{
	/* Nothing in progress is fine: the host may cancel a copy that already failed. */
	if (p->dlv->active) {
		fcopy_deliver_abandon(p->dlv, "the host cancelled the copy");
		fcopy_stats_end(p->stats, RTE_HVDEV_IC_E_FAIL, "cancelled by the host");
	}
	return RTE_HVDEV_IC_S_OK;
}

static uint32_t
on_fcopy(struct fcopy_proto *p, const uint8_t *body, uint32_t body_len)
{
	uint32_t op;

	if (body_len < sizeof(struct rte_hvdev_fcopy_hdr)) {
		FCOPY_LOG(ERR, "fcopy message of %u bytes refused: the header alone is %zu",
			  body_len, sizeof(struct rte_hvdev_fcopy_hdr));
		return RTE_HVDEV_IC_INVALIDARG;
	}
	memcpy(&op, body + offsetof(struct rte_hvdev_fcopy_hdr, operation), sizeof(op));
	switch (op) {
	case RTE_HVDEV_FCOPY_START:
		return on_start(p, body, body_len);
	case RTE_HVDEV_FCOPY_WRITE:
		return on_write(p, body, body_len);
	case RTE_HVDEV_FCOPY_COMPLETE:
		return on_complete(p);
	case RTE_HVDEV_FCOPY_CANCEL:
		return on_cancel(p);
	default:
		FCOPY_LOG(ERR, "unknown fcopy operation %u refused", op);
		return RTE_HVDEV_IC_INVALIDARG;
	}
}

static uint32_t
on_request(void *ctx, struct rte_hvdev_ic_req *req)
{
	struct fcopy_proto *p = ctx;

	p->last_msg_ns = fcopy_now_ns();
	if (req->hdr.icmsgtype != RTE_HVDEV_IC_MSG_FCOPY) {
		FCOPY_LOG(ERR, "IC message type %u is not for a file-copy device",
			  req->hdr.icmsgtype);
		return RTE_HVDEV_IC_NOT_SUPPORTED;
	}
	/*
	 * icmsgsize, not the packet length, bounds what may be read (the runner checked it
	 * against the payload): the packet is padded to 8 bytes, and a message cut inside the
	 * padding would otherwise be read with zeros for the bytes the host never sent.
	 */
	return on_fcopy(p, req->body, req->body_len);
}

static void
on_malformed(void *ctx, const struct rte_hvdev_ic_hdr *hdr)
{
	struct fcopy_proto *p = ctx;

	p->last_msg_ns = fcopy_now_ns();
	/* A fragment of the copy was lost: it cannot succeed any more. */
	if (hdr->icmsgtype == RTE_HVDEV_IC_MSG_FCOPY && p->dlv->active) {
		fcopy_deliver_abandon(p->dlv, "malformed fcopy message");
		fcopy_stats_end(p->stats, RTE_HVDEV_IC_INVALIDARG, "malformed fcopy message");
	}
}

/* --count: the service stops once that many copies ended, delivered or not. */
static void
check_count(struct fcopy_proto *p)
{
	if (p->count > 0 && fcopy_stats_ended(p->stats) >= p->count)
		rte_hvdev_ic_service_stop(p->ic);
}

static void
after_response(void *ctx, const struct rte_hvdev_ic_req *req)
{
	struct fcopy_proto *p = ctx;

	RTE_SET_USED(req);
	/* Durability async: the answer went first, the publication follows. */
	fcopy_deliver_finish(p->dlv);
	check_count(p);
}

static void
on_lost(void *ctx, enum rte_hvdev_ic_lost why)
{
	struct fcopy_proto *p = ctx;

	fcopy_proto_abandon(p, why == RTE_HVDEV_IC_LOST_RESCIND ? "the host withdrew the device" :
			    why == RTE_HVDEV_IC_LOST_BROKEN ? "the channel broke" :
			    "the service is stopping");
	/* Durability async: the copies answered and queued are published before it ends. */
	fcopy_deliver_drain(p->dlv);
	fcopy_stats_flush(p->stats, true);
	check_count(p);
}

/*
 * Milliseconds before the copy in progress times out, rounded up (0: it has timed out), or
 * UINT64_MAX when there is no copy or no timeout.
 */
static uint64_t
copy_time_left_ms(const struct fcopy_proto *p)
{
	uint64_t limit_ns, idle_ns;

	if (p->transfer_timeout_s == 0 || !p->dlv->active)
		return UINT64_MAX;
	limit_ns = (uint64_t)p->transfer_timeout_s * 1000000000u;
	idle_ns = fcopy_now_ns() - p->last_msg_ns;
	return idle_ns >= limit_ns ? 0 : (limit_ns - idle_ns + 999999) / 1000000;
}

/*
 * While idle: no deadline, so that an idle service makes no wake-up at all. During a copy:
 * FCOPY_COPY_RECHECK_MS at most, and no later than the moment the copy times out (rounded
 * up, so that the wake-up finds it timed out, not just not yet). After a burst: when the
 * deliveries not logged one by one are due for their summary line.
 */
static int
next_deadline_ms(void *ctx)
{
	struct fcopy_proto *p = ctx;
	int held = fcopy_stats_holding(p->stats) ? fcopy_stats_flush(p->stats, false) : -1;
	int copy;

	if (!p->dlv->active)
		return held;
	copy = (int)RTE_MIN((uint64_t)FCOPY_COPY_RECHECK_MS, copy_time_left_ms(p));
	return held < 0 ? copy : RTE_MIN(held, copy);
}

static void
on_timer(void *ctx)
{
	struct fcopy_proto *p = ctx;
	char why[96];

	fcopy_stats_flush(p->stats, false);
	if (copy_time_left_ms(p) != 0)
		return;
	snprintf(why, sizeof(why), "the host sent nothing for %" PRIu32 " s",
		 p->transfer_timeout_s);
	fcopy_proto_abandon(p, why);
	check_count(p);
}

static const struct rte_hvdev_ic_version fw_versions[] = {
	{ RTE_HVDEV_FCOPY_FW_MAJOR, RTE_HVDEV_FCOPY_FW_MINOR },
};
static const struct rte_hvdev_ic_version srv_versions[] = {
	{ RTE_HVDEV_FCOPY_SRV_MAJOR, RTE_HVDEV_FCOPY_SRV_MINOR },
};

const struct rte_hvdev_ic_service_ops fcopy_proto_ops = {
	.name = "fcopy",
	.fw = fw_versions,
	.nfw = RTE_DIM(fw_versions),
	.srv = srv_versions,
	.nsrv = RTE_DIM(srv_versions),
	.on_request = on_request,
	.after_response = after_response,
	.on_malformed = on_malformed,
	.on_lost = on_lost,
	.next_deadline_ms = next_deadline_ms,
	.on_timer = on_timer,
};
