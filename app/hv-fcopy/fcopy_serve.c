/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_common.h>

#include <rte_hvdev.h>

#include "fcopy_bind.h"
#include "fcopy_log.h"
#include "fcopy_serve.h"
#include "fcopy_signal.h"

/* Poll mode spins; it looks at the stop flag this often (it costs nothing more there). */
#define SPIN_SLICE_MS 100
/*
 * During a copy, the longest sleep without looking at the ring: an interrupt a faulty host
 * never raised then delays the copy by this much instead of stalling it until it times out.
 */
#define COPY_RECHECK_MS 1000
#define REATTACH_SLICE_MS 500
#define REATTACH_POLL_MS 200
/* Channel errors in a row on a device that is not rescinded, before giving up. */
#define SPURIOUS_ERRORS_MAX 10
#define TX_WAIT_SLICE_MS 500
#define TX_GIVE_UP_MS 30000
/* A WRITE is about 6 KiB; the buffer grows if the host ever sends more. */
#define RX_BUF_MIN 8192u
#define RX_BUF_MAX (16u << 20)

static volatile sig_atomic_t stop_requested;

void
fcopy_serve_request_stop(void)
{
	stop_requested = 1;
}

bool
fcopy_serve_stopping(void)
{
	return stop_requested != 0;
}

static bool
done(const struct fcopy_serve *s)
{
	return stop_requested || (s->count > 0 && fcopy_stats_ended(s->stats) >= s->count);
}

/* Send the response; a full ring is waited for, a rescind is left to the wait that follows. */
static int
respond(struct fcopy_serve *s, const struct rte_hvdev_pkt *pkt, void *buf)
{
	struct iovec iov = { .iov_base = buf, .iov_len = pkt->len };
	unsigned int waited = 0;
	int ret;

	for (;;) {
		ret = rte_hvdev_send(s->dev_id, RTE_HVDEV_PKT_INBAND, 0, pkt->xactid, &iov, 1);
		if (ret != -EAGAIN)
			break;
		/* Stopping: the copy is abandoned anyway, its answer no longer matters. */
		if (stop_requested)
			return 0;
		if (waited >= TX_GIVE_UP_MS) {
			FCOPY_LOG(ERR, "the host has not drained its ring for %u ms: response "
				  "dropped", waited);
			return 0;
		}
		ret = rte_hvdev_wait_tx(s->dev_id, pkt->len, TX_WAIT_SLICE_MS);
		/* A stop request interrupts the wait (fcopy_signal.h); the loop looks at it. */
		if (ret < 0 && ret != -ETIMEDOUT && ret != -EINTR)
			break;
		waited += TX_WAIT_SLICE_MS;
	}
	/* A rescind is seen by the next wait; a response that can never fit is not fatal. */
	if (ret == -EIO)
		return 0;
	if (ret < 0)
		FCOPY_LOG(ERR, "sending a response of %u bytes failed: %s", pkt->len,
			  strerror(-ret));
	return ret == -EMSGSIZE ? 0 : ret;
}

static void
sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)ms * 1000000 };

	nanosleep(&ts, NULL);
}

/*
 * Guest Services were turned off (or the channel broke): drop the copy, wait for the device
 * to come back, reopen it.
 */
static int
on_rescind(struct fcopy_serve *s)
{
	struct rte_hvdev_info info;
	char node[PATH_MAX];
	int ret, last_err = 0;

	if (rte_hvdev_info_get(s->dev_id, &info) == 0 && info.state == RTE_HVDEV_STATE_BROKEN) {
		FCOPY_LOG(ERR, "the host broke the ring protocol; reopening the channel");
		fcopy_proto_abandon(s->proto, "the channel broke");
	} else {
		FCOPY_LOG(WARNING, "the host withdrew the file-copy device (Guest Services off?); "
			  "waiting for it to be offered again");
		fcopy_proto_abandon(s->proto, "the host withdrew the device");
	}
	fcopy_proto_reset(s->proto);
	while (!stop_requested) {
		/* Asked only once the node is back: each attempt before that logs a line. */
		if (s->root != NULL && fcopy_bind_find_node(s->root, node, sizeof(node)) != 1) {
			sleep_ms(REATTACH_POLL_MS);
			continue;
		}
		ret = rte_hvdev_reattach(s->dev_id, REATTACH_SLICE_MS);
		if (ret == 0) {
			FCOPY_LOG(NOTICE, "the file-copy device is back; serving again");
			return 0;
		}
		/* Not (or no longer) rescinded: a racing offer left it usable; serve it. */
		if (ret == -EINVAL && rte_hvdev_info_get(s->dev_id, &info) == 0 &&
		    info.state != RTE_HVDEV_STATE_RESCINDED &&
		    info.state != RTE_HVDEV_STATE_BROKEN) {
			/* Bounded: a channel that keeps failing this way needs a restart. */
			if (++s->spurious_errors > SPURIOUS_ERRORS_MAX)
				return -EIO;
			FCOPY_LOG(NOTICE, "the file-copy device is usable again; serving");
			sleep_ms(REATTACH_POLL_MS);
			return 0;
		}
		/* The device cannot be reattached at all: only a restart can help. */
		if (ret == -EINVAL || ret == -ENOTSUP) {
			FCOPY_LOG(ERR, "reattaching the device failed: %s", strerror(-ret));
			return ret;
		}
		/* Not offered yet, or caught half-way through the offer: try again. */
		if (ret != -ETIMEDOUT && ret != last_err)
			FCOPY_LOG(WARNING, "reattaching the device: %s; retrying", strerror(-ret));
		last_err = ret;
		if (ret != -ETIMEDOUT)
			sleep_ms(REATTACH_POLL_MS);
	}
	return 0;
}

/*
 * Milliseconds before the copy in progress times out, rounded up (0: it has timed out), or
 * UINT64_MAX when there is no copy or no timeout.
 */
static uint64_t
copy_time_left_ms(const struct fcopy_serve *s, uint64_t last_msg_ns)
{
	uint64_t limit_ns, idle_ns;

	if (s->transfer_timeout_s == 0 || !s->proto->dlv->active)
		return UINT64_MAX;
	limit_ns = (uint64_t)s->transfer_timeout_s * 1000000000u;
	idle_ns = fcopy_now_ns() - last_msg_ns;
	return idle_ns >= limit_ns ? 0 : (limit_ns - idle_ns + 999999) / 1000000;
}

/*
 * How long the next wait may sleep. While idle: until the host interrupts (the device's
 * recheck_ms re-checks the ring inside the wait, when set), so that an idle service makes no
 * wake-up at all; a stop request interrupts the wait
 * (fcopy_signal.h). During a copy: COPY_RECHECK_MS at most, and no later than the moment the
 * copy times out (rounded up, so that the wake-up finds it timed out, not just not yet).
 */
static int
wait_budget_ms(const struct fcopy_serve *s, uint64_t last_msg_ns)
{
	uint64_t budget_ms = s->spins ? SPIN_SLICE_MS : UINT64_MAX;

	if (s->proto->dlv->active) {
		budget_ms = RTE_MIN(budget_ms, (uint64_t)COPY_RECHECK_MS);
		budget_ms = RTE_MIN(budget_ms, copy_time_left_ms(s, last_msg_ns));
	}
	return budget_ms == UINT64_MAX ? -1 : (int)RTE_MIN(budget_ms, (uint64_t)INT_MAX);
}

static void
check_idle(struct fcopy_serve *s, uint64_t last_msg_ns)
{
	char why[96];

	if (copy_time_left_ms(s, last_msg_ns) != 0)
		return;
	snprintf(why, sizeof(why), "the host sent nothing for %" PRIu32 " s",
		 s->transfer_timeout_s);
	fcopy_proto_abandon(s->proto, why);
}

/* Receive and answer everything waiting. @return 0, -EIO (rescinded) or an error. */
static int
drain(struct fcopy_serve *s, uint8_t **buf, uint32_t *cap, uint64_t *last_msg_ns)
{
	struct rte_hvdev_pkt pkt;
	uint8_t *bigger;
	int ret;

	while (!done(s)) {
		ret = rte_hvdev_recv(s->dev_id, &pkt, *buf, *cap);
		if (ret == -ENOBUFS && pkt.len <= RX_BUF_MAX) {
			bigger = realloc(*buf, pkt.len);
			if (bigger == NULL)
				return -ENOMEM;
			*buf = bigger;
			*cap = pkt.len;
			continue;
		}
		if (ret == -EAGAIN)
			return 0;
		if (ret < 0)
			return ret;
		*last_msg_ns = fcopy_now_ns();
		s->spurious_errors = 0;
		if (pkt.type != RTE_HVDEV_PKT_INBAND) {
			FCOPY_LOG(WARNING, "ignored a VMBus packet of type %u", pkt.type);
			continue;
		}
		if (fcopy_proto_handle(s->proto, *buf, pkt.len)) {
			ret = respond(s, &pkt, *buf);
			/* Durability async: the answer went first, the publication follows. */
			fcopy_deliver_finish(s->proto->dlv);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

int
fcopy_serve_lcore(void *arg)
{
	struct fcopy_serve *s = arg;
	struct rte_hvdev_info info;
	uint64_t last_msg_ns = fcopy_now_ns();
	uint32_t cap = RX_BUF_MIN;
	uint8_t *buf;
	int ret = 0;

	if (rte_hvdev_info_get(s->dev_id, &info) == 0)
		cap = RTE_MAX(cap, info.max_payload);
	buf = malloc(cap);
	if (buf == NULL) {
		s->result = -ENOMEM;
		return s->result;
	}
	fcopy_signal_attach();
	while (!done(s)) {
		ret = rte_hvdev_wait(s->dev_id, wait_budget_ms(s, last_msg_ns));
		if (ret == 0 || ret == -EINTR) {
			check_idle(s, last_msg_ns);
			ret = 0;
			continue;
		}
		if (ret > 0)
			ret = drain(s, &buf, &cap, &last_msg_ns);
		if (ret == -EIO)
			ret = on_rescind(s);
		if (ret < 0) {
			FCOPY_LOG(ERR, "serving stopped: %s", strerror(-ret));
			break;
		}
	}
	fcopy_signal_detach();
	fcopy_proto_abandon(s->proto, "the service is stopping");
	free(buf);
	s->result = ret;
	return ret;
}
