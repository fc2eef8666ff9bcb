/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * echo: round trips through a host that echoes every packet (--sim provides one). One packet
 * in flight at a time, so each round trip is one latency sample: send, wait in the chosen
 * mode, receive. Every echo is checked byte for byte.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include <rte_hvdev.h>

#include "output.h"
#include "test_hvdev.h"

/* Distinct payloads in rotation, filled before the run so that filling is not timed. */
#define ECHO_NB_PAYLOADS 8
/* Mismatches reported one by one; the rest are only counted. */
#define ECHO_MAX_REPORTED 5

struct echo_run {
	int16_t dev_id;
	struct rte_hvdev_info info;
	uint32_t size;
	uint8_t *tx[ECHO_NB_PAYLOADS];
	uint8_t *rx;
	uint32_t rx_size;
	uint64_t *rtt_ns;	/* one sample per completed round trip */
	uint32_t done;		/* round trips completed */
	uint32_t errors;	/* wrong echoes, plus the failure that ended the run */
	bool complete;		/* all round trips were attempted */
	int stop;		/* what ended the run early: a negative errno */
	uint64_t elapsed_ns;
	uint64_t thread_cpu_us;
	uint64_t process_cpu_us;
};

static int
echo_alloc(struct echo_run *r, const struct th_opts *o)
{
	unsigned int i;

	r->rx_size = RTE_MAX(r->info.rx_ring_data_size, r->size + 8);
	r->rx = malloc(r->rx_size);
	r->rtt_ns = calloc(o->count, sizeof(*r->rtt_ns));
	if (r->rx == NULL || r->rtt_ns == NULL)
		return -ENOMEM;
	for (i = 0; i < ECHO_NB_PAYLOADS; i++) {
		r->tx[i] = malloc(RTE_MAX(r->size, 1u));
		if (r->tx[i] == NULL)
			return -ENOMEM;
		th_pattern_fill(r->tx[i], r->size, i);
	}
	return 0;
}

static void
echo_free(struct echo_run *r)
{
	unsigned int i;

	for (i = 0; i < ECHO_NB_PAYLOADS; i++)
		free(r->tx[i]);
	free(r->rx);
	free(r->rtt_ns);
}

static void
echo_mismatch(struct echo_run *r, uint64_t seq, const struct rte_hvdev_pkt *pkt,
	      const uint8_t *want)
{
	uint32_t len = RTE_ALIGN_CEIL(r->size, 8u), off;

	if (++r->errors > ECHO_MAX_REPORTED)
		return;
	if (pkt->xactid != seq || pkt->type != RTE_HVDEV_PKT_INBAND || pkt->len != len) {
		TH_LOG(ERR, "echo %" PRIu64 ": got type %u, xactid %" PRIu64 ", %" PRIu32
		       " bytes; sent type %u, xactid %" PRIu64 ", %" PRIu32 " bytes (padded)",
		       seq, pkt->type, pkt->xactid, pkt->len, RTE_HVDEV_PKT_INBAND, seq, len);
		return;
	}
	for (off = 0; off < r->size && r->rx[off] == want[off]; off++)
		;
	TH_LOG(ERR, "echo %" PRIu64 ": byte %" PRIu32 " is 0x%02x, sent 0x%02x", seq, off,
	       r->rx[off], want[off]);
}

static bool
echo_matches(const struct echo_run *r, uint64_t seq, const struct rte_hvdev_pkt *pkt,
	     const uint8_t *want)
{
	return pkt->xactid == seq && pkt->type == RTE_HVDEV_PKT_INBAND &&
	       pkt->len == RTE_ALIGN_CEIL(r->size, 8u) && memcmp(r->rx, want, r->size) == 0;
}

/*
 * One round trip. @return 0 (sample taken, echo checked), or a negative errno that ends the
 * run, logged.
 */
static int
echo_one(struct echo_run *r, const struct th_opts *o, uint64_t seq)
{
	const uint8_t *want = r->tx[seq % ECHO_NB_PAYLOADS];
	struct rte_hvdev_pkt pkt;
	uint64_t t0;
	int ret;

	t0 = th_now_ns();
	ret = th_dev_send(r->dev_id, RTE_HVDEV_PKT_INBAND, 0, seq, want, r->size);
	if (ret < 0) {
		TH_LOG(ERR, "echo %" PRIu64 ": send failed: %s", seq, strerror(-ret));
		return ret;
	}
	ret = th_dev_wait(r->dev_id, o->timeout_ms);
	if (ret == 0) {
		TH_LOG(ERR, "echo %" PRIu64 ": no echo within %d ms (does the host echo? "
		       "use --sim)", seq, o->timeout_ms);
		return -ETIMEDOUT;
	}
	if (ret == 1)
		ret = th_dev_recv(r->dev_id, &pkt, &r->rx, &r->rx_size);
	if (ret < 0) {
		TH_LOG(ERR, "echo %" PRIu64 ": %s", seq,
		       ret == -EINTR ? "interrupted" : strerror(-ret));
		return ret;
	}
	r->rtt_ns[r->done++] = th_now_ns() - t0;
	if (!echo_matches(r, seq, &pkt, want))
		echo_mismatch(r, seq, &pkt, want);
	return 0;
}

static void
echo_loop(struct echo_run *r, const struct th_opts *o)
{
	uint64_t t0, cpu0, pcpu0, seq;

	t0 = th_now_ns();
	cpu0 = th_thread_cpu_us();
	pcpu0 = th_process_cpu_us();
	for (seq = 1; seq <= o->count; seq++) {
		r->stop = echo_one(r, o, seq);
		if (r->stop < 0) {
			/* Being asked to stop is not a fault of the device. */
			r->errors += r->stop != -EINTR;
			break;
		}
	}
	r->complete = seq > o->count;
	r->elapsed_ns = th_now_ns() - t0;
	r->thread_cpu_us = th_thread_cpu_us() - cpu0;
	r->process_cpu_us = th_process_cpu_us() - pcpu0;
}

/* Device counters that tell how the waits went: slept, woken, caught while polling. */
static const char *const echo_xstats[] = {
	"interrupts", "wakeups", "sleeps", "busy_poll_hits", "signals",
};

static uint64_t
echo_xstat(int16_t dev_id, const char *name)
{
	uint64_t v = 0;

	rte_hvdev_xstats_get_by_name(dev_id, name, &v);
	return v;
}

static void
echo_json(const struct echo_run *r, const struct th_opts *o, const struct th_lat *s)
{
	double secs = r->elapsed_ns / 1e9;
	struct th_json j;
	unsigned int i;

	th_json_begin(&j, stdout);
	th_json_obj_open(&j, NULL);
	th_json_i64(&j, "id", r->dev_id);
	th_json_str(&j, "device", r->info.dev_name);
	th_json_str(&j, "mode", th_mode_name(o->mode));
	th_json_u64(&j, "busy_poll_us", o->mode == TH_MODE_ADAPTIVE ? o->busy_poll_us : 0);
	th_json_u64(&j, "count", o->count);
	th_json_u64(&j, "size", r->size);
	th_json_u64(&j, "packets", r->done);
	th_json_u64(&j, "errors", r->errors);
	th_json_bool(&j, "complete", r->complete);
	th_lat_json(&j, s, r->done);
	th_json_u64(&j, "elapsed_us", r->elapsed_ns / 1000);
	th_json_obj_open(&j, "throughput");
	th_json_double(&j, "packets_per_s", secs > 0 ? r->done / secs : 0);
	th_json_double(&j, "mb_per_s", secs > 0 ? (double)r->done * r->size / secs / 1e6 : 0);
	th_json_obj_close(&j);
	th_json_obj_open(&j, "cpu_us");
	th_json_u64(&j, "thread", r->thread_cpu_us);
	th_json_u64(&j, "process", r->process_cpu_us);
	th_json_double(&j, "thread_percent",
		       secs > 0 ? r->thread_cpu_us / 1e6 / secs * 100 : 0);
	th_json_obj_close(&j);
	th_json_obj_open(&j, "device_stats");
	for (i = 0; i < RTE_DIM(echo_xstats); i++)
		th_json_u64(&j, echo_xstats[i], echo_xstat(r->dev_id, echo_xstats[i]));
	th_json_obj_close(&j);
	th_json_obj_close(&j);
	th_json_end(&j);
}

static void
echo_text(const struct echo_run *r, const struct th_opts *o, const struct th_lat *s)
{
	double secs = r->elapsed_ns / 1e9;

	printf("echo on %s (id %d): %" PRIu32 " x %" PRIu32 " bytes, mode %s", r->info.dev_name,
	       r->dev_id, o->count, r->size, th_mode_name(o->mode));
	if (o->mode == TH_MODE_ADAPTIVE)
		printf(" (busy poll %" PRIu32 " us)", o->busy_poll_us);
	printf("\n");
	th_kv(stdout, "round trips", "%" PRIu32 "%s, %" PRIu32 " errors", r->done,
	      r->complete ? "" : " (stopped early)", r->errors);
	th_kv(stdout, "elapsed", "%.6f s", secs);
	th_kv(stdout, "throughput", "%.0f packets/s, %.2f MB/s each way",
	      secs > 0 ? r->done / secs : 0,
	      secs > 0 ? (double)r->done * r->size / secs / 1e6 : 0);
	th_kv(stdout, "cpu (this thread)", "%" PRIu64 " us, %.1f %% of elapsed",
	      r->thread_cpu_us, secs > 0 ? r->thread_cpu_us / 1e6 / secs * 100 : 0);
	th_kv(stdout, "cpu (process)", "%" PRIu64 " us", r->process_cpu_us);
	th_kv(stdout, "device counters",
	      "interrupts %" PRIu64 ", wakeups %" PRIu64 ", sleeps %" PRIu64
	      ", busy-poll hits %" PRIu64 ", signals %" PRIu64,
	      echo_xstat(r->dev_id, "interrupts"), echo_xstat(r->dev_id, "wakeups"),
	      echo_xstat(r->dev_id, "sleeps"), echo_xstat(r->dev_id, "busy_poll_hits"),
	      echo_xstat(r->dev_id, "signals"));
	if (r->done > 0) {
		printf("\n");
		th_lat_text(s);
	}
}

static int
echo_prepare(struct echo_run *r, const struct th_opts *o, int16_t dev_id)
{
	int ret;

	r->dev_id = dev_id;
	r->size = o->size;
	ret = rte_hvdev_info_get(dev_id, &r->info);
	if (ret < 0)
		return ret;
	if (r->size > r->info.max_payload) {
		TH_LOG(ERR, "echo: --size %" PRIu32 " does not fit: %s takes at most %" PRIu32
		       " bytes per packet", r->size, r->info.dev_name, r->info.max_payload);
		return -EMSGSIZE;
	}
	ret = echo_alloc(r, o);
	if (ret < 0) {
		TH_LOG(ERR, "echo: out of memory for %" PRIu32 " samples", o->count);
		return ret;
	}
	ret = th_dev_start(dev_id, o->mode, o->busy_poll_us);
	if (ret == 0)
		rte_hvdev_stats_reset(dev_id);
	return ret;
}

int
th_cmd_echo(const struct th_opts *o, int16_t dev_id)
{
	struct th_lat s = { 0 };
	struct echo_run r = { 0 };
	int ret;

	ret = echo_prepare(&r, o, dev_id);
	if (ret < 0)
		goto out;
	echo_loop(&r, o);
	if (r.done > 0)
		th_lat_summarize(r.rtt_ns, r.done, &s);
	if (o->json)
		echo_json(&r, o, &s);
	else
		echo_text(&r, o, &s);
	th_dev_stop(dev_id);
	if (r.errors > 0) {
		TH_LOG(ERR, "echo: %" PRIu32 " errors in %" PRIu32 " round trips", r.errors,
		       r.done);
		ret = -EIO;
	} else if (!r.complete) {
		TH_LOG(ERR, "echo: stopped after %" PRIu32 " of %" PRIu32 " round trips", r.done,
		       o->count);
		ret = r.stop;
	}
out:
	echo_free(&r);
	return ret;
}
