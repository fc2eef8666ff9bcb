/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * The hvdev_uio transport against the simulated host: round trips over several ring sizes and
 * across wrap-around, full rings with pending_send_sz, the signalling rules, interrupt mode
 * with no lost wake-up and no CPU while idle, rescind, and the host in its own process.
 */

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/wait.h>

#include <rte_common.h>
#include <rte_log.h>

#include "hvdev_test.h"
#include "hvdev_uio_chan.h"
#include "hvdev_uio_priv.h"
#include "rte_hvsim.h"

#define PKT_INBAND 6
#define WAIT_MS 3000

struct host_ctx {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool echo;
	bool hold;		/* block in on_packet until cleared */
	bool holding;		/* on_packet is blocked right now */
	uint32_t received;
	uint32_t closes;
};

static char root[256];
static struct rte_hvsim *sim;
static struct host_ctx host;
static uint8_t buf[1 << 20];
static uint8_t pkt[1 << 20];

static void
host_on_packet(struct rte_hvsim_dev *dev, const struct rte_hvsim_pkt *p, void *arg)
{
	struct host_ctx *h = arg;
	bool echo;

	pthread_mutex_lock(&h->lock);
	while (h->hold) {
		h->holding = true;
		pthread_cond_broadcast(&h->cond);
		pthread_cond_wait(&h->cond, &h->lock);
	}
	h->holding = false;
	h->received++;
	echo = h->echo;
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
	if (echo && rte_hvsim_send_wait(dev, p->type, p->flags, p->xactid, p->data, p->len,
					WAIT_MS) != 0)
		fprintf(stderr, "host: echo of %u bytes failed\n", p->len);
}

static void
host_on_close(struct rte_hvsim_dev *dev, void *arg)
{
	struct host_ctx *h = arg;

	RTE_SET_USED(dev);
	pthread_mutex_lock(&h->lock);
	h->closes++;
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
}

static const struct rte_hvsim_dev_ops host_ops = {
	.on_packet = host_on_packet,
	.on_close = host_on_close,
};

static void
host_set_hold(bool hold)
{
	pthread_mutex_lock(&host.lock);
	host.hold = hold;
	pthread_cond_broadcast(&host.cond);
	pthread_mutex_unlock(&host.lock);
}

/* Wait until the host has received @p n packets (or is blocked holding one, n == 0). */
static bool
host_wait_received(uint32_t n, bool holding)
{
	uint64_t deadline = hvdev_test_now_us() + WAIT_MS * 1000ull;
	bool ok;

	pthread_mutex_lock(&host.lock);
	while (!(holding ? host.holding : host.received >= n) &&
	       hvdev_test_now_us() < deadline) {
		pthread_mutex_unlock(&host.lock);
		usleep(1000);
		pthread_mutex_lock(&host.lock);
	}
	ok = holding ? host.holding : host.received >= n;
	pthread_mutex_unlock(&host.lock);
	return ok;
}

static int
setup(void)
{
	memset(&host, 0, sizeof(host));
	pthread_mutex_init(&host.lock, NULL);
	pthread_cond_init(&host.cond, NULL);
	host.echo = true;
	TEST_ASSERT(hvdev_test_root_create(root, sizeof(root)) == 0, "mkdtemp");
	sim = rte_hvsim_create(root);
	TEST_ASSERT(sim != NULL, "simulator create");
	TEST_ASSERT_EQUAL(rte_hvsim_start(sim), 0, "simulator start");
	return TEST_SUCCESS;
}

static void
teardown(void)
{
	host_set_hold(false);
	rte_hvsim_destroy(sim);
	sim = NULL;
	hvdev_test_root_remove(root);
}

static struct rte_hvsim_dev *
offer_on(struct rte_hvsim *s, uint32_t ring_size, bool mask_on_open)
{
	struct rte_hvsim_dev_conf conf = {
		.ring_size = ring_size, .ops = &host_ops, .ops_arg = &host,
		.mask_on_open = mask_on_open,
	};

	hvdev_test_class("fcopy", conf.class_id);
	return rte_hvsim_offer(s, &conf);
}

static struct rte_hvsim_dev *
offer(uint32_t ring_size, bool mask_on_open)
{
	return offer_on(sim, ring_size, mask_on_open);
}

static struct hvdev_chan *
open_chan(void)
{
	struct hvdev_uio_devinfo info;
	struct hvdev_chan *ch = NULL;
	rte_uuid_t cls;
	char err[512];

	hvdev_test_class("fcopy", cls);
	if (hvdev_uio_discover(root, cls, NULL, WAIT_MS, &info, err, sizeof(err)) < 0) {
		fprintf(stderr, "discover: %s\n", err);
		return NULL;
	}
	if (hvdev_chan_open(&info, &ch) < 0)
		return NULL;
	return ch;
}

/* Send @p len pattern bytes, wait for the echo and check every byte of it. */
static int
echo_once(struct hvdev_chan *ch, uint32_t len, uint64_t id)
{
	struct iovec iov = { .iov_base = pkt, .iov_len = len };
	struct hvdev_pkt_meta meta;
	uint32_t i, padded = RTE_ALIGN_CEIL(len, 8u);
	int ret;

	hvdev_test_fill(pkt, len, (uint32_t)id);
	ret = hvdev_chan_send(ch, PKT_INBAND, 1, id, &iov, 1);
	if (ret == -EAGAIN)
		ret = hvdev_chan_wait_tx_space(ch, len, WAIT_MS) ?: hvdev_chan_send(ch, PKT_INBAND,
									     1, id, &iov, 1);
	TEST_ASSERT_EQUAL(ret, 0, "send %u bytes", len);
	TEST_ASSERT_EQUAL(hvdev_chan_wait(ch, WAIT_MS), 1, "echo of %u bytes arrives", len);
	memset(buf, 0xee, padded + 8);
	TEST_ASSERT_EQUAL(hvdev_chan_recv(ch, &meta, buf, sizeof(buf)), 0, "recv %u", len);
	TEST_ASSERT_EQUAL(meta.type, PKT_INBAND, "type");
	TEST_ASSERT_EQUAL(meta.flags, 1, "flags");
	TEST_ASSERT_EQUAL(meta.xactid, id, "transaction id");
	TEST_ASSERT_EQUAL(meta.len, padded, "payload length is padded to 8");
	TEST_ASSERT(hvdev_test_check(buf, len, (uint32_t)id), "payload of %u bytes intact", len);
	for (i = len; i < padded; i++)
		TEST_ASSERT_EQUAL(buf[i], 0, "padding byte %u of a %u-byte packet", i, len);
	TEST_ASSERT_EQUAL(hvdev_chan_recv(ch, &meta, buf, sizeof(buf)), -EAGAIN, "one echo");
	return TEST_SUCCESS;
}

static int
check_roundtrip(uint32_t ring_size)
{
	const uint32_t fixed[] = { 0, 1, 7, 8, 9, 15, 17, 100, 1001, 4095, 6143, 6144, 6145 };
	struct hvdev_chan_stats st;
	struct hvdev_chan *ch;
	uint64_t moved = 0, id = 1;
	uint32_t i, round, len, max;

	TEST_ASSERT(offer(ring_size, false) != NULL, "offer ring %u", ring_size);
	ch = open_chan();
	TEST_ASSERT(ch != NULL, "open");
	TEST_ASSERT_EQUAL(hvdev_chan_data_size(ch), ring_size - sysconf(_SC_PAGESIZE),
			  "data area is the ring minus one system page");
	max = hvdev_chan_max_payload(ch);
	for (round = 0; round < 3; round++) {
		for (i = 0; i < RTE_DIM(fixed); i++) {
			len = RTE_MIN(fixed[i], max);
			TEST_RUN(echo_once(ch, len, id++));
			moved += RTE_ALIGN_CEIL(len, 8u) + 24;
		}
		TEST_RUN(echo_once(ch, max, id++));
		TEST_RUN(echo_once(ch, max / 2 + 3, id++));
		moved += max + max / 2 + 48;
	}
	srandom(ring_size);
	while (moved < 3ull * hvdev_chan_data_size(ch) || id < 200) {
		len = (uint32_t)random() % RTE_MIN(max, 9000u) + 1;
		TEST_RUN(echo_once(ch, len, id++));
		moved += RTE_ALIGN_CEIL(len, 8u) + 24;
	}
	/* A payload that can never fit is refused up front, not after filling the ring. */
	{
		struct iovec iov = { .iov_base = pkt, .iov_len = max + 1 };

		TEST_ASSERT_EQUAL(hvdev_chan_send(ch, PKT_INBAND, 0, 0, &iov, 1), -EMSGSIZE,
				  "oversized send");
	}
	hvdev_chan_stats_get(ch, &st);
	TEST_ASSERT_EQUAL(st.tx_packets, id - 1, "tx count");
	TEST_ASSERT_EQUAL(st.rx_packets, id - 1, "rx count");
	TEST_ASSERT_EQUAL(st.protocol_errors, 0, "no protocol error");
	TEST_ASSERT(moved >= 3ull * hvdev_chan_data_size(ch), "the ring wrapped several times");
	hvdev_chan_close(ch);
	return TEST_SUCCESS;
}

#define ROUNDTRIP_CASE(name, size) \
static int \
name(void) \
{ \
	int ret; \
	TEST_RUN(setup()); \
	ret = check_roundtrip(size); \
	teardown(); \
	return ret; \
}

ROUNDTRIP_CASE(test_roundtrip_16k, 16u << 10)
ROUNDTRIP_CASE(test_roundtrip_20k, 20u << 10)
ROUNDTRIP_CASE(test_roundtrip_64k, 64u << 10)
ROUNDTRIP_CASE(test_roundtrip_2m, 2u << 20)

/* Guest TX ring full: -EAGAIN, then room signalled by the host through pending_send_sz. */
static int
check_guest_tx_full(void)
{
	struct iovec iov = { .iov_base = pkt, .iov_len = 1000 };
	struct hvdev_chan_stats st;
	struct rte_hvsim_dev *dev;
	struct hvdev_chan *ch;
	uint64_t t0, waited;
	uint32_t sent = 0, interrupts_before;
	int ret;

	host.echo = false;
	host.hold = true;
	dev = offer(16u << 10, false);
	TEST_ASSERT(dev != NULL, "offer");
	ch = open_chan();
	TEST_ASSERT(ch != NULL, "open");
	hvdev_test_fill(pkt, 1000, 7);
	TEST_ASSERT_EQUAL(hvdev_chan_send(ch, PKT_INBAND, 0, sent, &iov, 1), 0, "first send");
	sent++;
	TEST_ASSERT(host_wait_received(0, true), "host took the first packet and holds");
	while ((ret = hvdev_chan_send(ch, PKT_INBAND, 0, sent, &iov, 1)) == 0)
		sent++;
	TEST_ASSERT_EQUAL(ret, -EAGAIN, "full ring");
	TEST_ASSERT(sent >= 3, "a few packets fit before the ring filled (%u)", sent);
	hvdev_chan_stats_get(ch, &st);
	TEST_ASSERT_EQUAL(st.tx_ring_full, 1, "ring-full counted");
	TEST_ASSERT_EQUAL(st.signals, 1, "signalled only on empty to non-empty");
	interrupts_before = (uint32_t)st.interrupts;

	/* Nothing moves while the host holds: the wait times out, and says so. */
	TEST_ASSERT_EQUAL(hvdev_chan_wait_tx_space(ch, 1000, 100), -ETIMEDOUT, "held host");
	TEST_ASSERT_EQUAL(rte_hvsim_ring_peek(dev, RTE_HVSIM_RING_GUEST_TX, 12), 0,
			  "pending_send_sz cleared after the wait");
	host_set_hold(false);
	t0 = hvdev_test_now_us();
	TEST_ASSERT_EQUAL(hvdev_chan_wait_tx_space(ch, 1000, WAIT_MS), 0, "room appears");
	waited = hvdev_test_now_us() - t0;
	TEST_ASSERT(waited < WAIT_MS * 1000ull, "woken before the timeout");
	TEST_ASSERT_EQUAL(hvdev_chan_send(ch, PKT_INBAND, 0, sent, &iov, 1), 0, "send again");
	sent++;
	TEST_ASSERT(host_wait_received(sent, false), "host got all %u packets", sent);
	hvdev_chan_stats_get(ch, &st);
	TEST_ASSERT_EQUAL(st.protocol_errors, 0, "no protocol error");
	RTE_SET_USED(interrupts_before);
	hvdev_chan_close(ch);
	return TEST_SUCCESS;
}

static int
test_guest_tx_full(void)
{
	int ret;

	TEST_RUN(setup());
	ret = check_guest_tx_full();
	teardown();
	return ret;
}

struct sender_arg {
	struct rte_hvsim_dev *dev;
	uint32_t len;
	uint64_t id;
	int ret;
	volatile bool done;
};

static void *
host_send_wait_thread(void *p)
{
	struct sender_arg *a = p;
	static uint8_t data[1000];

	hvdev_test_fill(data, a->len, (uint32_t)a->id);
	a->ret = rte_hvsim_send_wait(a->dev, PKT_INBAND, 0, a->id, data, a->len, WAIT_MS);
	a->done = true;
	return NULL;
}

/* Guest RX ring full: the host waits with pending_send_sz; our read signals it exactly once. */
static int
check_host_tx_full(void)
{
	struct sender_arg arg = { .len = 1000 };
	struct rte_hvsim_dev_stats hst;
	struct hvdev_pkt_meta meta;
	struct hvdev_chan_stats st;
	struct hvdev_chan *ch;
	pthread_t th;
	uint64_t n = 0, i;
	int ret;

	arg.dev = offer(16u << 10, false);
	TEST_ASSERT(arg.dev != NULL, "offer");
	ch = open_chan();
	TEST_ASSERT(ch != NULL, "open");
	TEST_ASSERT_EQUAL(rte_hvsim_wait_open(arg.dev, true, WAIT_MS), 0, "host sees open");
	hvdev_test_fill(pkt, 1000, 0);
	for (;;) {
		hvdev_test_fill(pkt, 1000, (uint32_t)n);
		ret = rte_hvsim_send(arg.dev, PKT_INBAND, 0, n, pkt, 1000);
		if (ret != 0)
			break;
		n++;
	}
	TEST_ASSERT_EQUAL(ret, -EAGAIN, "guest RX ring full");
	arg.id = n;
	TEST_ASSERT_EQUAL(pthread_create(&th, NULL, host_send_wait_thread, &arg), 0, "thread");
	usleep(100000);
	TEST_ASSERT(!arg.done, "host send waits for room");
	TEST_ASSERT(rte_hvsim_ring_peek(arg.dev, RTE_HVSIM_RING_GUEST_RX, 12) > 0,
		    "host set pending_send_sz");
	for (i = 0; i <= n; i++) {
		ret = hvdev_chan_recv(ch, &meta, buf, sizeof(buf));
		if (ret == -EAGAIN) {
			TEST_ASSERT_EQUAL(hvdev_chan_wait(ch, WAIT_MS), 1, "packet %" PRIu64, i);
			ret = hvdev_chan_recv(ch, &meta, buf, sizeof(buf));
		}
		TEST_ASSERT_EQUAL(ret, 0, "recv %" PRIu64, i);
		TEST_ASSERT_EQUAL(meta.xactid, i, "in order");
		TEST_ASSERT(hvdev_test_check(buf, 1000, (uint32_t)i), "payload %" PRIu64, i);
	}
	pthread_join(th, NULL);
	TEST_ASSERT_EQUAL(arg.ret, 0, "host send completed after the guest read");
	hvdev_chan_stats_get(ch, &st);
	rte_hvsim_dev_stats_get(arg.dev, &hst);
	TEST_ASSERT_EQUAL(st.signals, 1, "one pending_send_sz signal from the guest");
	TEST_ASSERT_EQUAL(hst.signals, 1, "host received it");
	hvdev_chan_close(ch);
	return TEST_SUCCESS;
}

static int
test_host_tx_full(void)
{
	int ret;

	TEST_RUN(setup());
	ret = check_host_tx_full();
	teardown();
	return ret;
}

/* Signals and interrupts only when the rules say so. */
static int
check_signal_rules(void)
{
	struct iovec iov = { .iov_base = pkt, .iov_len = 64 };
	struct rte_hvsim_dev_stats hst;
	struct hvdev_chan_stats st;
	struct rte_hvsim_dev *dev;
	struct hvdev_pkt_meta meta;
	struct hvdev_chan *ch;
	int i;

	host.echo = false;
	host.hold = true;
	dev = offer(64u << 10, false);
	TEST_ASSERT(dev != NULL, "offer");
	ch = open_chan();
	TEST_ASSERT(ch != NULL, "open");
	TEST_ASSERT_EQUAL(rte_hvsim_wait_open(dev, true, WAIT_MS), 0, "host open");
	for (i = 0; i < 10; i++) {
		TEST_ASSERT_EQUAL(hvdev_chan_send(ch, PKT_INBAND, 0, i, &iov, 1), 0, "send");
		if (i == 0)
			TEST_ASSERT(host_wait_received(0, true), "host holds the first");
	}
	hvdev_chan_stats_get(ch, &st);
	TEST_ASSERT_EQUAL(st.signals, 1, "host masked while draining: one signal for ten");
	host_set_hold(false);
	TEST_ASSERT(host_wait_received(10, false), "host drained all");
	usleep(20000);
	TEST_ASSERT_EQUAL(hvdev_chan_send(ch, PKT_INBAND, 0, 10, &iov, 1), 0, "send");
	TEST_ASSERT(host_wait_received(11, false), "host got it");
	hvdev_chan_stats_get(ch, &st);
	TEST_ASSERT_EQUAL(st.signals, 2, "empty ring again: signalled again");

	/* Host side: no interrupt while we are in poll mode (mask set). */
	for (i = 0; i < 5; i++)
		TEST_ASSERT_EQUAL(rte_hvsim_send(dev, PKT_INBAND, 0, i, pkt, 64), 0, "host send");
	rte_hvsim_dev_stats_get(dev, &hst);
	TEST_ASSERT_EQUAL(hst.interrupts, 0, "no interrupt to a masked guest");
	TEST_ASSERT_EQUAL(hvdev_chan_wait(ch, 0), 1, "arm finds the queued packets");
	while (hvdev_chan_recv(ch, &meta, buf, sizeof(buf)) == 0)
		;
	/* Armed and empty: the first packet interrupts, the second (ring not empty) does not. */
	TEST_ASSERT_EQUAL(hvdev_chan_intr_arm(ch), 0, "armed, empty");
	TEST_ASSERT_EQUAL(rte_hvsim_send(dev, PKT_INBAND, 0, 5, pkt, 64), 0, "host send");
	TEST_ASSERT_EQUAL(rte_hvsim_send(dev, PKT_INBAND, 0, 6, pkt, 64), 0, "host send");
	rte_hvsim_dev_stats_get(dev, &hst);
	TEST_ASSERT_EQUAL(hst.interrupts, 1, "one interrupt for empty to non-empty");
	TEST_ASSERT_EQUAL(hvdev_chan_intr_ack(ch), 1, "exactly one notification on the node");
	TEST_ASSERT_EQUAL(hvdev_chan_wait(ch, WAIT_MS), 1, "packets readable");
	hvdev_chan_close(ch);
	return TEST_SUCCESS;
}

static int
test_signal_rules(void)
{
	int ret;

	TEST_RUN(setup());
	ret = check_signal_rules();
	teardown();
	return ret;
}

struct burst_arg {
	struct rte_hvsim_dev *dev;
	uint32_t count;
	int ret;
};

/* The host sends @p count packets with random gaps: bursts, short and long pauses. */
static void *
burst_sender(void *p)
{
	struct burst_arg *a = p;
	static uint8_t data[256];
	uint32_t i, len, r;

	srandom(42);
	for (i = 0; i < a->count; i++) {
		len = (uint32_t)random() % 256 + 1;
		hvdev_test_fill(data, len, i);
		a->ret = rte_hvsim_send_wait(a->dev, PKT_INBAND, 0, i, data, len, WAIT_MS);
		if (a->ret != 0)
			return NULL;
		r = (uint32_t)random() % 100;
		if (r < 70)
			continue;
		usleep(r < 95 ? (uint32_t)random() % 200 + 1 : (uint32_t)random() % 3000 + 1);
	}
	return NULL;
}

static int
check_no_lost_wakeup(bool mask_on_open)
{
	struct burst_arg arg = { .count = 5000 };
	struct hvdev_chan_stats st;
	struct hvdev_pkt_meta meta;
	struct hvdev_chan *ch;
	uint32_t expect = 0;
	pthread_t th;
	int ret;

	host.echo = false;
	arg.dev = offer(16u << 10, mask_on_open);
	TEST_ASSERT(arg.dev != NULL, "offer");
	ch = open_chan();
	TEST_ASSERT(ch != NULL, "open");
	TEST_ASSERT_EQUAL(rte_hvsim_wait_open(arg.dev, true, WAIT_MS), 0, "host open");
	TEST_ASSERT_EQUAL(pthread_create(&th, NULL, burst_sender, &arg), 0, "thread");
	while (expect < arg.count) {
		ret = hvdev_chan_wait(ch, WAIT_MS);
		if (ret != 1)
			break;
		while ((ret = hvdev_chan_recv(ch, &meta, buf, sizeof(buf))) == 0) {
			if (meta.xactid != expect || meta.len < 8 ||
			    !hvdev_test_check(buf, 1, expect))
				break;
			expect++;
		}
		if (ret != -EAGAIN)
			break;
	}
	pthread_join(th, NULL);
	TEST_ASSERT_EQUAL(arg.ret, 0, "host sent everything");
	TEST_ASSERT_EQUAL(expect, arg.count, "every message received in order (stopped: %d)",
			  ret);
	hvdev_chan_stats_get(ch, &st);
	TEST_ASSERT(st.wakeups > 0, "the guest slept and was woken");
	TEST_ASSERT_EQUAL(st.protocol_errors, 0, "no protocol error");
	printf("%u messages, %" PRIu64 " wake-ups, %" PRIu64 " interrupts\n", arg.count,
	       st.wakeups, st.interrupts);
	hvdev_chan_close(ch);
	return TEST_SUCCESS;
}

static int
test_no_lost_wakeup(void)
{
	int ret;

	TEST_RUN(setup());
	ret = check_no_lost_wakeup(false);
	teardown();
	return ret;
}

/* Kernels before "Let userspace take care of interrupt mask" set the mask in open(). */
static int
test_no_lost_wakeup_legacy_mask(void)
{
	int ret;

	TEST_RUN(setup());
	ret = check_no_lost_wakeup(true);
	teardown();
	return ret;
}

/* A host whose kernel profile comes from HVSIM_KERNEL, as a whole suite would get it. */
static int
setup_kernel(const char *spec)
{
	int ret;

	setenv("HVSIM_KERNEL", spec, 1);
	ret = setup();
	unsetenv("HVSIM_KERNEL");
	return ret;
}

/*
 * Kernels before 6.18 (and its stable backports): uio_hv_generic's callback sets the RX
 * interrupt_mask on every interrupt. The guest finds it set after each wake-up and must
 * re-arm before it sleeps again, or it never hears from the host again.
 */
static int
check_mask_per_interrupt(void)
{
	struct rte_hvsim_dev_stats hst;
	struct hvdev_pkt_meta meta;
	struct rte_hvsim_dev *dev;
	struct hvdev_chan *ch;
	int i;

	host.echo = false;
	dev = offer(16u << 10, false);
	TEST_ASSERT(dev != NULL, "offer");
	ch = open_chan();
	TEST_ASSERT(ch != NULL, "open");
	TEST_ASSERT_EQUAL(rte_hvsim_wait_open(dev, true, WAIT_MS), 0, "host open");
	for (i = 0; i < 3; i++) {
		TEST_ASSERT_EQUAL(hvdev_chan_intr_arm(ch), 0, "armed, empty");
		TEST_ASSERT_EQUAL(rte_hvsim_ring_peek(dev, RTE_HVSIM_RING_GUEST_RX, 8), 0,
				  "mask clear once armed");
		TEST_ASSERT_EQUAL(rte_hvsim_send(dev, PKT_INBAND, 0, i, pkt, 64), 0, "host send");
		TEST_ASSERT_EQUAL(rte_hvsim_ring_peek(dev, RTE_HVSIM_RING_GUEST_RX, 8), 1,
				  "interrupt %d: the kernel masked the RX ring", i);
		TEST_ASSERT_EQUAL(hvdev_chan_wait(ch, WAIT_MS), 1, "woken for packet %d", i);
		TEST_ASSERT_EQUAL(hvdev_chan_recv(ch, &meta, buf, sizeof(buf)), 0, "recv");
		TEST_ASSERT_EQUAL(meta.xactid, (uint64_t)i, "packet %d", i);
	}
	rte_hvsim_dev_stats_get(dev, &hst);
	TEST_ASSERT_EQUAL(hst.interrupts, 3, "one interrupt per packet: the guest re-armed");
	hvdev_chan_close(ch);
	return TEST_SUCCESS;
}

static int
test_mask_per_interrupt(void)
{
	int ret;

	TEST_RUN(setup_kernel("mask-per-interrupt"));
	ret = check_mask_per_interrupt();
	teardown();
	return ret;
}

/*
 * uio's read() returns the event counter: interrupts that arrive while the last one is
 * unread make no wake-up of their own, and the next read jumps by all of them.
 */
static int
check_coalesced_count(void)
{
	struct rte_hvsim_dev_stats hst;
	struct rte_hvsim_dev *dev;
	struct hvdev_chan *ch;
	uint32_t count = 0;
	int fd;

	host.echo = false;
	dev = offer(16u << 10, false);
	TEST_ASSERT(dev != NULL, "offer");
	ch = open_chan();
	TEST_ASSERT(ch != NULL, "open");
	TEST_ASSERT_EQUAL(rte_hvsim_wait_open(dev, true, WAIT_MS), 0, "host open");
	fd = hvdev_chan_fd(ch);
	TEST_ASSERT_EQUAL(hvdev_chan_intr_arm(ch), 0, "armed, empty");
	TEST_ASSERT_EQUAL(rte_hvsim_send(dev, PKT_INBAND, 0, 1, pkt, 64), 0, "host send");
	TEST_ASSERT_EQUAL(rte_hvsim_interrupt(dev), 0, "second interrupt");
	TEST_ASSERT_EQUAL(rte_hvsim_interrupt(dev), 0, "third interrupt");
	TEST_ASSERT_EQUAL(read(fd, &count, sizeof(count)), (ssize_t)sizeof(count), "one read");
	TEST_ASSERT_EQUAL(count, 1, "the count when the guest was first interrupted");
	TEST_ASSERT(read(fd, &count, sizeof(count)) < 0 && errno == EAGAIN,
		    "three interrupts, one read (got a second, count %u)", count);
	TEST_ASSERT_EQUAL(rte_hvsim_interrupt(dev), 0, "fourth interrupt");
	TEST_ASSERT_EQUAL(read(fd, &count, sizeof(count)), (ssize_t)sizeof(count), "read");
	TEST_ASSERT_EQUAL(count, 4, "the count jumps by the interrupts merged");
	rte_hvsim_dev_stats_get(dev, &hst);
	TEST_ASSERT_EQUAL(hst.interrupts, 4, "host raised four");
	TEST_ASSERT_EQUAL(hst.intr_coalesced, 2, "two merged");
	TEST_ASSERT_EQUAL(hvdev_chan_wait(ch, WAIT_MS), 1, "the packet is there");
	hvdev_chan_close(ch);
	return TEST_SUCCESS;
}

static int
test_coalesced_count(void)
{
	int ret;

	TEST_RUN(setup_kernel("coalesce"));
	ret = check_coalesced_count();
	teardown();
	return ret;
}

/* 5,000 messages with random gaps on a kernel whose interrupts coalesce. */
static int
test_no_lost_wakeup_coalesce(void)
{
	int ret;

	TEST_RUN(setup_kernel("coalesce"));
	ret = check_no_lost_wakeup(false);
	teardown();
	return ret;
}

static int
check_idle(void)
{
	struct hvdev_chan_stats st;
	struct hvdev_chan *ch;
	uint64_t cpu0, t0, cpu, slept;

	TEST_ASSERT(offer(0, false) != NULL, "offer");
	ch = open_chan();
	TEST_ASSERT(ch != NULL, "open");
	t0 = hvdev_test_now_us();
	cpu0 = hvdev_test_thread_cpu_us();
	TEST_ASSERT_EQUAL(hvdev_chan_wait(ch, 1000), 0, "idle wait times out");
	cpu = hvdev_test_thread_cpu_us() - cpu0;
	slept = hvdev_test_now_us() - t0;
	hvdev_chan_stats_get(ch, &st);
	printf("idle: slept %" PRIu64 " us, used %" PRIu64 " us of CPU, %" PRIu64
	       " wake-ups\n", slept, cpu, st.wakeups);
	TEST_ASSERT(slept >= 950000, "waited the whole timeout");
	TEST_ASSERT(cpu < 20000, "idle wait used %" PRIu64 " us of CPU", cpu);
	TEST_ASSERT_EQUAL(st.wakeups, 0, "no wake-up while idle");
	hvdev_chan_close(ch);
	return TEST_SUCCESS;
}

static int
test_idle_no_cpu(void)
{
	int ret;

	TEST_RUN(setup());
	ret = check_idle();
	teardown();
	return ret;
}

struct sleeper_arg {
	struct hvdev_chan *ch;
	int ret;
	volatile bool done;
};

static void *
sleeper(void *p)
{
	struct sleeper_arg *a = p;

	a->ret = hvdev_chan_wait(a->ch, -1);
	a->done = true;
	return NULL;
}

static int
check_rescind(void)
{
	struct iovec iov = { .iov_base = pkt, .iov_len = 8 };
	struct sleeper_arg arg = { 0 };
	struct hvdev_uio_devinfo info;
	struct hvdev_chan_stats st;
	struct hvdev_pkt_meta meta;
	struct rte_hvsim_dev *dev;
	struct hvdev_chan *ch2;
	rte_uuid_t cls;
	char err[512];
	pthread_t th;
	int i;

	dev = offer(0, false);
	TEST_ASSERT(dev != NULL, "offer");
	arg.ch = open_chan();
	TEST_ASSERT(arg.ch != NULL, "open");
	TEST_ASSERT_EQUAL(pthread_create(&th, NULL, sleeper, &arg), 0, "thread");
	usleep(100000);
	TEST_ASSERT(!arg.done, "guest sleeps");
	TEST_ASSERT_EQUAL(rte_hvsim_rescind(dev), 0, "rescind");
	for (i = 0; i < 200 && !arg.done; i++)
		usleep(10000);
	TEST_ASSERT(arg.done, "rescind woke the sleeping guest");
	pthread_join(th, NULL);
	TEST_ASSERT_EQUAL(arg.ret, -EIO, "wait reports the channel is gone");
	TEST_ASSERT_EQUAL(hvdev_chan_state(arg.ch), HVDEV_CHAN_RESCINDED, "rescinded state");
	TEST_ASSERT_EQUAL(hvdev_chan_recv(arg.ch, &meta, buf, sizeof(buf)), -EIO, "recv");
	TEST_ASSERT_EQUAL(hvdev_chan_send(arg.ch, PKT_INBAND, 0, 0, &iov, 1), -EIO, "send");
	TEST_ASSERT_EQUAL(hvdev_chan_wait(arg.ch, 100), -EIO, "no busy loop: wait fails");
	hvdev_chan_stats_get(arg.ch, &st);
	TEST_ASSERT_EQUAL(st.rescinds, 1, "counted once");
	hvdev_test_class("fcopy", cls);
	TEST_ASSERT_EQUAL(hvdev_uio_discover(root, cls, NULL, 0, &info, err, sizeof(err)),
			  -ENOENT, "device gone from sysfs");

	/* Guest Services back on: the device returns and works, without restarting anything. */
	TEST_ASSERT_EQUAL(rte_hvsim_reoffer(dev), 0, "re-offer");
	ch2 = open_chan();
	TEST_ASSERT(ch2 != NULL, "reopen after re-offer");
	TEST_RUN(echo_once(ch2, 333, 99));
	hvdev_chan_close(ch2);
	hvdev_chan_close(arg.ch);
	return TEST_SUCCESS;
}

static int
test_rescind(void)
{
	int ret;

	TEST_RUN(setup());
	ret = check_rescind();
	teardown();
	return ret;
}

static int
check_close_reopen(void)
{
	struct rte_hvsim_dev_stats hst;
	struct rte_hvsim_dev *dev;
	struct hvdev_chan *ch;

	dev = offer(0, false);
	TEST_ASSERT(dev != NULL, "offer");
	TEST_ASSERT(!rte_hvsim_is_open(dev), "closed until the guest opens the node");
	ch = open_chan();
	TEST_ASSERT(ch != NULL, "open");
	TEST_ASSERT_EQUAL(rte_hvsim_wait_open(dev, true, WAIT_MS), 0, "host opened");
	TEST_RUN(echo_once(ch, 100, 1));
	hvdev_chan_close(ch);
	TEST_ASSERT_EQUAL(rte_hvsim_wait_open(dev, false, WAIT_MS), 0, "host saw the close");
	ch = open_chan();
	TEST_ASSERT(ch != NULL, "reopen");
	TEST_RUN(echo_once(ch, 100, 2));
	rte_hvsim_dev_stats_get(dev, &hst);
	TEST_ASSERT_EQUAL(hst.opens, 2, "two channel opens");
	TEST_ASSERT_EQUAL(host.closes, 1, "one close callback");
	hvdev_chan_close(ch);
	return TEST_SUCCESS;
}

static int
test_close_reopen(void)
{
	int ret;

	TEST_RUN(setup());
	ret = check_close_reopen();
	teardown();
	return ret;
}

/* The host in its own process: same node contract across processes. */
static void
child_host(void)
{
	struct rte_hvsim *csim = rte_hvsim_create(root);

	if (csim == NULL || offer_on(csim, 0, false) == NULL)
		_exit(2);
	rte_hvsim_run(csim);
	_exit(0);
}

static int
check_process_mode(void)
{
	struct hvdev_chan *ch;
	pid_t pid;
	int i, status;

	TEST_ASSERT(hvdev_test_root_create(root, sizeof(root)) == 0, "mkdtemp");
	pid = fork();
	TEST_ASSERT(pid >= 0, "fork");
	if (pid == 0)
		child_host();
	ch = open_chan();
	if (ch != NULL) {
		for (i = 0; i < 100; i++)
			if (echo_once(ch, (uint32_t)i * 37 + 1, (uint64_t)i) != TEST_SUCCESS)
				break;
		hvdev_chan_close(ch);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	hvdev_test_root_remove(root);
	TEST_ASSERT(ch != NULL, "found and opened the device of the host process");
	TEST_ASSERT_EQUAL(i, 100, "100 round trips with the host process");
	return TEST_SUCCESS;
}

static int
test_process_mode(void)
{
	memset(&host, 0, sizeof(host));
	pthread_mutex_init(&host.lock, NULL);
	pthread_cond_init(&host.cond, NULL);
	host.echo = true;
	return check_process_mode();
}

/* Log lines go to a memory stream between these two calls, so that a case can read them. */
static char *log_text;
static size_t log_len;
static FILE *log_stream;

static void
log_capture_begin(void)
{
	log_stream = open_memstream(&log_text, &log_len);
	if (log_stream != NULL)
		rte_openlog_stream(log_stream);
}

/* @return the captured text (caller frees), never NULL. */
static char *
log_capture_end(void)
{
	char *text;

	rte_openlog_stream(NULL);
	if (log_stream == NULL)
		return strdup("");
	fclose(log_stream);
	log_stream = NULL;
	text = log_text;
	log_text = NULL;
	fputs(text, stderr);
	return text;
}

/* Open the node again while @p holder has it: refused, naming the process that holds it. */
static int
expect_refused(pid_t holder, const char *what)
{
	struct hvdev_uio_devinfo info;
	struct hvdev_chan *ch2 = NULL;
	char needle[64], err[512], *text;
	rte_uuid_t cls;
	int ret;

	hvdev_test_class("fcopy", cls);
	TEST_ASSERT_EQUAL(hvdev_uio_discover(root, cls, NULL, WAIT_MS, &info, err, sizeof(err)),
			  0, "%s", err);
	log_capture_begin();
	ret = hvdev_chan_open(&info, &ch2);
	text = log_capture_end();
	snprintf(needle, sizeof(needle), "process %d", (int)holder);
	if (ret == 0)
		hvdev_chan_close(ch2);
	TEST_ASSERT_EQUAL(ret, -EBUSY, "%s: a second consumer is refused", what);
	ret = strstr(text, needle) != NULL && strstr(text, info.node_path) != NULL &&
	      strstr(text, "one consumer") != NULL;
	free(text);
	TEST_ASSERT(ret, "%s: the error names the node and %s", what, needle);
	return TEST_SUCCESS;
}

/*
 * The kernel lets a second process open /dev/uioN and hands it the same rings; two consumers
 * of one channel take each other's packets and interrupt masks. The simulated node shares
 * the rings the same way; the PMD refuses the second opener before it touches them, in the
 * same process and in another one, and says which process holds the channel.
 */
static int
check_second_opener(void)
{
	struct rte_hvsim_dev_stats hst;
	struct rte_hvsim_dev *dev;
	struct hvdev_chan *ch;
	int go[2], ready[2], status;
	char c = 0;
	pid_t pid;

	dev = offer(0, false);
	TEST_ASSERT(dev != NULL, "offer");
	ch = open_chan();
	TEST_ASSERT(ch != NULL, "open");
	TEST_RUN(echo_once(ch, 100, 1));
	TEST_RUN(expect_refused(getpid(), "same process"));
	rte_hvsim_dev_stats_get(dev, &hst);
	TEST_ASSERT_EQUAL(hst.shared_opens, 1, "the host shared the rings, as the kernel does");
	TEST_RUN(echo_once(ch, 200, 2));
	hvdev_chan_close(ch);
	TEST_ASSERT_EQUAL(rte_hvsim_wait_open(dev, false, WAIT_MS), 0, "host saw the close");

	/* Another process holds the channel. */
	TEST_ASSERT(pipe(go) == 0 && pipe(ready) == 0, "pipes");
	pid = fork();
	TEST_ASSERT(pid >= 0, "fork");
	if (pid == 0) {
		ch = open_chan();
		c = ch != NULL ? 'y' : 'n';
		if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) < 0)
			_exit(3);
		_exit(0);
	}
	TEST_ASSERT(read(ready[0], &c, 1) == 1 && c == 'y', "the other process opened the node");
	status = expect_refused(pid, "another process");
	if (write(go[1], &c, 1) != 1)
		kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(go[0]);
	close(go[1]);
	close(ready[0]);
	close(ready[1]);
	TEST_ASSERT_EQUAL(status, TEST_SUCCESS, "refused while the other process held it");
	TEST_ASSERT_EQUAL(rte_hvsim_wait_open(dev, false, WAIT_MS), 0, "the other one left");
	ch = open_chan();
	TEST_ASSERT(ch != NULL, "open once the other consumer is gone");
	TEST_RUN(echo_once(ch, 300, 3));
	hvdev_chan_close(ch);
	return TEST_SUCCESS;
}

static int
test_second_opener(void)
{
	int ret;

	TEST_RUN(setup());
	ret = check_second_opener();
	teardown();
	return ret;
}

/*
 * uio answers a write() with EINVAL once the device is unregistered (the rescind has been
 * handled and its uio info is gone): that is a rescind, not an error to log and carry on
 * with. An eventfd stands for such a node: it refuses a 4-byte write with EINVAL.
 */
static int
check_signal_einval(void)
{
	struct iovec iov = { .iov_base = pkt, .iov_len = 64 };
	struct hvdev_uio_devinfo info;
	struct hvdev_chan_stats st;
	uint32_t ring = 4 * (uint32_t)sysconf(_SC_PAGESIZE);
	struct hvdev_chan *ch;
	void *mem;
	int fd, ret;

	memset(&info, 0, sizeof(info));
	snprintf(info.instance_str, sizeof(info.instance_str), "einval");
	info.ring_size = ring;
	info.map0_size = 2ull * ring;
	mem = aligned_alloc((size_t)sysconf(_SC_PAGESIZE), 2 * (size_t)ring);
	TEST_ASSERT(mem != NULL, "memory");
	memset(mem, 0, 2 * (size_t)ring);
	fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	TEST_ASSERT(fd >= 0, "eventfd");
	ret = hvdev_chan_attach(&info, mem, fd, &ch);
	TEST_ASSERT_EQUAL(ret, 0, "attach");
	/* An empty ring that the host does not mask: this send signals, and the write fails. */
	ret = hvdev_chan_send(ch, PKT_INBAND, 0, 1, &iov, 1);
	hvdev_chan_stats_get(ch, &st);
	TEST_ASSERT_EQUAL(ret, 0, "the packet itself was written");
	TEST_ASSERT_EQUAL(hvdev_chan_state(ch), HVDEV_CHAN_RESCINDED,
			  "write() EINVAL means the device is gone");
	TEST_ASSERT_EQUAL(st.rescinds, 1, "counted as a rescind");
	TEST_ASSERT_EQUAL(st.signals, 0, "no signal counted");
	TEST_ASSERT_EQUAL(hvdev_chan_send(ch, PKT_INBAND, 0, 2, &iov, 1), -EIO, "then -EIO");
	hvdev_chan_close(ch);
	free(mem);
	return TEST_SUCCESS;
}

static int
test_signal_einval(void)
{
	return check_signal_einval();
}

struct tx_waiter {
	struct hvdev_chan *ch;
	int ret;
};

static void *
tx_waiter_run(void *arg)
{
	struct tx_waiter *w = arg;

	w->ret = hvdev_chan_wait_tx_space(w->ch, 1000, 5000);
	return NULL;
}

/*
 * A guest waiting for TX room (pending_send_sz published) when the host rescinds: the wait
 * fails, and nothing is written to the rings afterwards, not even the pending_send_sz reset.
 * The host revokes the rings at the rescind (any access faults with SIGBUS), as the kernel
 * frees the pages.
 */
static int
check_tx_wait_rescind(void)
{
	struct rte_hvsim_dev_conf conf = {
		.ring_size = 16u << 10, .ops = &host_ops, .ops_arg = &host,
		.revoke_rings = true,
	};
	struct iovec iov = { .iov_base = pkt, .iov_len = 1000 };
	struct hvdev_pkt_meta meta;
	struct tx_waiter w = { .ret = 1 };
	struct rte_hvsim_dev *dev;
	struct hvdev_chan *ch;
	pthread_t tid;
	uint32_t sent = 0;
	int ret;

	host.echo = false;
	host.hold = true;
	hvdev_test_class("fcopy", conf.class_id);
	dev = rte_hvsim_offer(sim, &conf);
	TEST_ASSERT(dev != NULL, "offer");
	ch = open_chan();
	TEST_ASSERT(ch != NULL, "open");
	TEST_ASSERT_EQUAL(hvdev_chan_send(ch, PKT_INBAND, 0, sent++, &iov, 1), 0, "first send");
	TEST_ASSERT(host_wait_received(0, true), "host took the first packet and holds");
	while ((ret = hvdev_chan_send(ch, PKT_INBAND, 0, sent, &iov, 1)) == 0)
		sent++;
	TEST_ASSERT_EQUAL(ret, -EAGAIN, "full ring");
	w.ch = ch;
	TEST_ASSERT_EQUAL(pthread_create(&tid, NULL, tx_waiter_run, &w), 0, "waiter");
	usleep(100000);
	TEST_ASSERT_EQUAL(rte_hvsim_rescind(dev), 0, "rescind");
	pthread_join(tid, NULL);
	TEST_ASSERT_EQUAL(w.ret, -EIO, "the TX wait fails on the rescind");
	TEST_ASSERT_EQUAL(hvdev_chan_state(ch), HVDEV_CHAN_RESCINDED, "rescinded");
	/* Everything a service does next, with the rings gone. */
	hvdev_chan_intr_disarm(ch);
	TEST_ASSERT_EQUAL(hvdev_chan_send(ch, PKT_INBAND, 0, sent, &iov, 1), -EIO, "send");
	TEST_ASSERT_EQUAL(hvdev_chan_recv(ch, &meta, buf, sizeof(buf)), -EIO, "recv");
	TEST_ASSERT_EQUAL(hvdev_chan_wait_tx_space(ch, 1000, 10), -EIO, "TX wait");
	TEST_ASSERT_EQUAL(hvdev_chan_wait(ch, 10), -EIO, "wait");
	TEST_ASSERT_EQUAL(hvdev_chan_intr_arm(ch), -EIO, "arm");
	TEST_ASSERT(!hvdev_chan_rx_pending(ch), "nothing pending");
	hvdev_chan_close(ch);
	host_set_hold(false);
	return TEST_SUCCESS;
}

static int
test_tx_wait_rescind(void)
{
	int ret;

	TEST_RUN(setup());
	ret = check_tx_wait_rescind();
	teardown();
	return ret;
}

/*
 * The node of a rescinded device that the kernel has not removed yet can be opened, with the
 * old rings, while its reads fail. Whoever opens it (not only a reattach, which skips the node
 * it knows) must find that out before mapping the rings: -ENODEV, nothing mapped or touched.
 */
static int
check_stale_node(void)
{
	struct rte_hvsim_dev_conf conf = {
		.ops = &host_ops, .ops_arg = &host, .rescind_linger_ms = 5000,
	};
	struct rte_hvsim_dev_stats hst;
	struct hvdev_uio_devinfo info;
	struct rte_hvsim_dev *dev;
	struct hvdev_chan *ch, *ch2 = NULL;
	rte_uuid_t cls;
	char err[512];
	int ret;

	hvdev_test_class("fcopy", conf.class_id);
	dev = rte_hvsim_offer(sim, &conf);
	TEST_ASSERT(dev != NULL, "offer");
	ch = open_chan();
	TEST_ASSERT(ch != NULL, "open");
	TEST_RUN(echo_once(ch, 100, 1));
	TEST_ASSERT_EQUAL(rte_hvsim_rescind(dev), 0, "rescind");
	hvdev_chan_close(ch);
	hvdev_test_class("fcopy", cls);
	TEST_ASSERT_EQUAL(hvdev_uio_discover(root, cls, NULL, 0, &info, err, sizeof(err)), 0,
			  "the stale entry is still listed: %s", err);
	ret = hvdev_chan_open(&info, &ch2);
	if (ret == 0)
		hvdev_chan_close(ch2);
	rte_hvsim_dev_stats_get(dev, &hst);
	TEST_ASSERT_EQUAL(hst.stale_opens, 1, "the stale node was opened");
	TEST_ASSERT_EQUAL(ret, -ENODEV, "and refused before its rings were mapped");
	/* The device offered again replaces it and is served. */
	TEST_ASSERT_EQUAL(rte_hvsim_reoffer(dev), 0, "re-offer");
	ch = open_chan();
	TEST_ASSERT(ch != NULL, "open the new device");
	TEST_RUN(echo_once(ch, 100, 2));
	hvdev_chan_close(ch);
	return TEST_SUCCESS;
}

static int
test_stale_node(void)
{
	int ret;

	TEST_RUN(setup());
	ret = check_stale_node();
	teardown();
	return ret;
}

static const struct hvdev_test_case cases[] = {
	HVDEV_CASE(roundtrip_16k, test_roundtrip_16k),
	HVDEV_CASE(roundtrip_20k, test_roundtrip_20k),
	HVDEV_CASE(roundtrip_64k, test_roundtrip_64k),
	HVDEV_CASE(roundtrip_2m, test_roundtrip_2m),
	HVDEV_CASE(guest_tx_full, test_guest_tx_full),
	HVDEV_CASE(host_tx_full, test_host_tx_full),
	HVDEV_CASE(signal_rules, test_signal_rules),
	HVDEV_CASE(no_lost_wakeup, test_no_lost_wakeup),
	HVDEV_CASE(no_lost_wakeup_legacy_mask, test_no_lost_wakeup_legacy_mask),
	HVDEV_CASE(mask_per_interrupt, test_mask_per_interrupt),
	HVDEV_CASE(coalesced_count, test_coalesced_count),
	HVDEV_CASE(no_lost_wakeup_coalesce, test_no_lost_wakeup_coalesce),
	HVDEV_CASE(idle_no_cpu, test_idle_no_cpu),
	HVDEV_CASE(rescind, test_rescind),
	HVDEV_CASE(close_reopen, test_close_reopen),
	HVDEV_CASE(process_mode, test_process_mode),
	HVDEV_CASE(second_opener, test_second_opener),
	HVDEV_CASE(signal_einval, test_signal_einval),
	HVDEV_CASE(tx_wait_rescind, test_tx_wait_rescind),
	HVDEV_CASE(stale_node, test_stale_node),
};

int
main(int argc, char **argv)
{
	return hvdev_test_main(argc, argv, cases, RTE_DIM(cases));
}
