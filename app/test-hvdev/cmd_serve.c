/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * serve: the guest side of an echo service. Every packet from the host is sent back, until
 * SIGINT/SIGTERM or --seconds. It keeps a device running for telemetry and for a host
 * (a dpdk-hvsim process, say) that measures from its side. A rescinded device is waited for
 * and reattached, as a service must survive Guest Services being turned off and on.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include <rte_hvdev.h>

#include "output.h"
#include "test_hvdev.h"

/* Longest sleep before the deadline and th_quit are looked at again. */
#define SERVE_SLICE_MS 1000

struct serve_run {
	int16_t dev_id;
	struct rte_hvdev_info info;
	uint8_t *buf;
	uint32_t size;
	uint64_t packets;
	uint64_t bytes;
	uint64_t errors;
	uint64_t reattaches;
	uint64_t deadline_ns;	/* 0: none */
};

static int
serve_slice(const struct serve_run *r)
{
	uint64_t now = th_now_ns();

	if (r->deadline_ns == 0)
		return SERVE_SLICE_MS;
	if (now >= r->deadline_ns)
		return 0;
	return (int)RTE_MIN((r->deadline_ns - now + 999999) / 1000000, (uint64_t)SERVE_SLICE_MS);
}

/* Echo everything waiting. @return 0, or a negative errno from the device. */
static int
serve_drain(struct serve_run *r)
{
	struct rte_hvdev_pkt pkt;
	int ret;

	for (;;) {
		ret = th_dev_recv(r->dev_id, &pkt, &r->buf, &r->size);
		if (ret == -EAGAIN)
			return 0;
		if (ret < 0)
			return ret;
		ret = th_dev_send(r->dev_id, pkt.type, pkt.flags, pkt.xactid, r->buf, pkt.len);
		if (ret == -EIO)
			return ret;
		if (ret < 0) {
			r->errors++;
			TH_LOG(WARNING, "serve: cannot echo transaction %" PRIu64 ": %s",
			       pkt.xactid, strerror(-ret));
			continue;
		}
		r->packets++;
		r->bytes += pkt.len;
	}
}

/* The device failed with -EIO: wait for the host to offer it again if it was rescinded. */
static int
serve_recover(struct serve_run *r)
{
	struct rte_hvdev_info info;
	int ret;

	ret = rte_hvdev_info_get(r->dev_id, &info);
	if (ret < 0 || info.state != RTE_HVDEV_STATE_RESCINDED) {
		TH_LOG(ERR, "serve: %s is %s", r->info.dev_name,
		       ret < 0 ? "gone" : rte_hvdev_state_str(info.state));
		return -EIO;
	}
	TH_LOG(NOTICE, "serve: %s was rescinded; waiting for the host to offer it again",
	       r->info.dev_name);
	do {
		ret = rte_hvdev_reattach(r->dev_id, RTE_MAX(serve_slice(r), 1));
	} while (ret == -ETIMEDOUT && !th_quit && serve_slice(r) > 0);
	if (ret == 0) {
		r->reattaches++;
		TH_LOG(NOTICE, "serve: %s is back", r->info.dev_name);
	} else if (ret != -ETIMEDOUT) {
		TH_LOG(ERR, "serve: cannot reattach %s: %s", r->info.dev_name, strerror(-ret));
		return ret;
	}
	return 0;
}

static int
serve_loop(struct serve_run *r)
{
	int ret = 0, slice;

	while (!th_quit) {
		slice = serve_slice(r);
		if (slice == 0)
			break;
		ret = th_dev_wait(r->dev_id, slice);
		if (ret == 1)
			ret = serve_drain(r);
		if (ret == -EINTR)
			return 0;
		if (ret == -EIO)
			ret = serve_recover(r);
		if (ret < 0) {
			TH_LOG(ERR, "serve: %s: %s", r->info.dev_name, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

static void
serve_report(const struct serve_run *r, const struct th_opts *o, double secs)
{
	struct th_json j;

	if (!o->json) {
		printf("served %" PRIu64 " packets (%" PRIu64 " bytes) in %.3f s, %" PRIu64
		       " errors, %" PRIu64 " reattaches\n", r->packets, r->bytes, secs,
		       r->errors, r->reattaches);
		return;
	}
	th_json_begin(&j, stdout);
	th_json_obj_open(&j, NULL);
	th_json_i64(&j, "id", r->dev_id);
	th_json_str(&j, "device", r->info.dev_name);
	th_json_str(&j, "mode", th_mode_name(o->mode));
	th_json_u64(&j, "packets", r->packets);
	th_json_u64(&j, "bytes", r->bytes);
	th_json_u64(&j, "errors", r->errors);
	th_json_u64(&j, "reattaches", r->reattaches);
	th_json_double(&j, "elapsed_s", secs);
	th_json_obj_close(&j);
	th_json_end(&j);
}

int
th_cmd_serve(const struct th_opts *o, int16_t dev_id)
{
	struct serve_run r = { .dev_id = dev_id };
	uint64_t t0 = th_now_ns();
	int ret;

	ret = rte_hvdev_info_get(dev_id, &r.info);
	if (ret < 0)
		return ret;
	r.size = RTE_MAX(r.info.rx_ring_data_size, 64u);
	r.buf = malloc(r.size);
	if (r.buf == NULL)
		return -ENOMEM;
	ret = th_dev_start(dev_id, o->mode, o->busy_poll_us);
	if (ret < 0)
		goto out;
	if (o->seconds > 0)
		r.deadline_ns = t0 + (uint64_t)o->seconds * 1000000000u;
	/* Scripts wait for this line to know the device is running. */
	if (!o->json) {
		printf("serving %s (id %d) in %s mode; stop with SIGINT or SIGTERM\n",
		       r.info.dev_name, dev_id, th_mode_name(o->mode));
		fflush(stdout);
	}
	ret = serve_loop(&r);
	th_dev_stop(dev_id);
	serve_report(&r, o, (th_now_ns() - t0) / 1e9);
out:
	free(r.buf);
	return ret;
}
