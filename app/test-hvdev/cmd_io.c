/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/* send and recv: one packet each way, for scripts and for poking at a device by hand. */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include <rte_hvdev.h>

#include "output.h"
#include "test_hvdev.h"

static int
send_payload(const struct th_opts *o, uint8_t **buf, uint32_t *len)
{
	if (o->given & TH_OPT_HEX) {
		*len = o->hex_len;
		*buf = malloc(*len);
		if (*buf != NULL)
			memcpy(*buf, o->hex, *len);
	} else {
		*len = o->size;
		*buf = malloc(RTE_MAX(*len, 1u));
		if (*buf != NULL)
			th_pattern_fill(*buf, *len, o->xactid);
	}
	return *buf != NULL ? 0 : -ENOMEM;
}

static void
send_report(const struct th_opts *o, const struct rte_hvdev_info *info, int16_t dev_id,
	    uint32_t len)
{
	struct th_json j;

	if (!o->json) {
		printf("sent %" PRIu32 " bytes to %s (type %u, flags 0x%x, xactid %" PRIu64 ")\n",
		       len, info->dev_name, o->type, o->flags, o->xactid);
		return;
	}
	th_json_begin(&j, stdout);
	th_json_obj_open(&j, NULL);
	th_json_i64(&j, "id", dev_id);
	th_json_str(&j, "device", info->dev_name);
	th_json_u64(&j, "type", o->type);
	th_json_u64(&j, "flags", o->flags);
	th_json_u64(&j, "xactid", o->xactid);
	th_json_u64(&j, "len", len);
	th_json_obj_close(&j);
	th_json_end(&j);
}

int
th_cmd_send(const struct th_opts *o, int16_t dev_id)
{
	struct rte_hvdev_info info;
	uint8_t *buf = NULL;
	uint32_t len = 0;
	int ret;

	ret = rte_hvdev_info_get(dev_id, &info);
	if (ret == 0)
		ret = send_payload(o, &buf, &len);
	if (ret == 0 && len > info.max_payload) {
		TH_LOG(ERR, "send: %" PRIu32 " bytes do not fit: %s takes at most %" PRIu32
		       " bytes per packet", len, info.dev_name, info.max_payload);
		ret = -EMSGSIZE;
		goto out;
	}
	if (ret == 0)
		ret = th_dev_start(dev_id, TH_MODE_INTR, 0);
	if (ret < 0)
		goto out;
	ret = th_dev_send(dev_id, o->type, o->flags, o->xactid, buf, len);
	if (ret < 0)
		TH_LOG(ERR, "send: %s: %s", info.dev_name, strerror(-ret));
	else
		send_report(o, &info, dev_id, len);
	th_dev_stop(dev_id);
out:
	free(buf);
	return ret;
}

static void
recv_report(const struct th_opts *o, const struct rte_hvdev_info *info, int16_t dev_id,
	    const struct rte_hvdev_pkt *pkt, const uint8_t *buf)
{
	struct th_json j;

	if (!o->json) {
		printf("received %" PRIu32 " bytes from %s (type %u, flags 0x%x, xactid %"
		       PRIu64 ")\n", pkt->len, info->dev_name, pkt->type, pkt->flags,
		       pkt->xactid);
		th_hexdump(stdout, buf, pkt->len);
		return;
	}
	th_json_begin(&j, stdout);
	th_json_obj_open(&j, NULL);
	th_json_i64(&j, "id", dev_id);
	th_json_str(&j, "device", info->dev_name);
	th_json_u64(&j, "type", pkt->type);
	th_json_u64(&j, "flags", pkt->flags);
	th_json_u64(&j, "xactid", pkt->xactid);
	th_json_u64(&j, "len", pkt->len);
	th_json_hex(&j, "data", buf, pkt->len);
	th_json_obj_close(&j);
	th_json_end(&j);
}

static int
recv_wait(const struct th_opts *o, const struct rte_hvdev_info *info, int16_t dev_id)
{
	int ret = th_dev_wait(dev_id, o->timeout_ms);

	if (ret == 0) {
		TH_LOG(ERR, "recv: no packet from %s within %d ms", info->dev_name,
		       o->timeout_ms);
		return -ETIMEDOUT;
	}
	if (ret == -EINTR)
		TH_LOG(ERR, "recv: interrupted");
	else if (ret < 0)
		TH_LOG(ERR, "recv: %s: %s", info->dev_name, strerror(-ret));
	return ret < 0 ? ret : 0;
}

int
th_cmd_recv(const struct th_opts *o, int16_t dev_id)
{
	struct rte_hvdev_info info;
	struct rte_hvdev_pkt pkt;
	uint8_t *buf = NULL;
	uint32_t size;
	int ret;

	ret = rte_hvdev_info_get(dev_id, &info);
	if (ret < 0)
		return ret;
	size = RTE_MAX(info.rx_ring_data_size, 64u);
	buf = malloc(size);
	if (buf == NULL)
		return -ENOMEM;
	ret = th_dev_start(dev_id, TH_MODE_INTR, 0);
	if (ret < 0)
		goto out;
	ret = recv_wait(o, &info, dev_id);
	if (ret == 0) {
		ret = th_dev_recv(dev_id, &pkt, &buf, &size);
		if (ret < 0)
			TH_LOG(ERR, "recv: %s: %s", info.dev_name, strerror(-ret));
		else
			recv_report(o, &info, dev_id, &pkt, buf);
	}
	th_dev_stop(dev_id);
out:
	free(buf);
	return ret;
}
