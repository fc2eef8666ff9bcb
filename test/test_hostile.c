/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * A hostile host: corrupt ring indices and packet descriptors must give errors and a broken
 * channel, never a crash, a hang or an out-of-bounds access. CI runs this suite under
 * AddressSanitizer and UBSan.
 */

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>

#include "hvdev_test.h"
#include "hvdev_uio_chan.h"
#include "rte_hvsim.h"

#define PKT_INBAND 6
#define WAIT_MS 3000
#define OFF_WINDEX 0
#define OFF_RINDEX 4
#define OFF_PENDING 12

static char root[256];
static struct rte_hvsim *sim;
static struct rte_hvsim_dev *dev;
static struct hvdev_chan *ch;
static uint8_t buf[65536];

static int
setup_ring(uint32_t ring_size)
{
	struct rte_hvsim_dev_conf conf = { .ring_size = ring_size };
	struct hvdev_uio_devinfo info;
	char err[512];

	TEST_ASSERT(hvdev_test_root_create(root, sizeof(root)) == 0, "mkdtemp");
	sim = rte_hvsim_create(root);
	TEST_ASSERT(sim != NULL, "simulator");
	TEST_ASSERT_EQUAL(rte_hvsim_start(sim), 0, "start");
	hvdev_test_class("fcopy", conf.class_id);
	dev = rte_hvsim_offer(sim, &conf);
	TEST_ASSERT(dev != NULL, "offer");
	TEST_ASSERT_EQUAL(hvdev_uio_discover(root, conf.class_id, NULL, WAIT_MS, &info, err,
					     sizeof(err)), 0, "%s", err);
	TEST_ASSERT_EQUAL(hvdev_chan_open(&info, &ch), 0, "open");
	TEST_ASSERT_EQUAL(rte_hvsim_wait_open(dev, true, WAIT_MS), 0, "host open");
	return TEST_SUCCESS;
}

static int
setup(void)
{
	return setup_ring(16u << 10);
}

static void
teardown(void)
{
	hvdev_chan_close(ch);
	ch = NULL;
	rte_hvsim_destroy(sim);
	sim = NULL;
	hvdev_test_root_remove(root);
}

/* Every data-path call on a broken channel fails cleanly. */
static int
assert_broken(const char *what)
{
	struct iovec iov = { .iov_base = buf, .iov_len = 8 };
	struct hvdev_chan_stats st;
	struct hvdev_pkt_meta meta;

	TEST_ASSERT_EQUAL(hvdev_chan_state(ch), HVDEV_CHAN_BROKEN, "%s: state", what);
	TEST_ASSERT_EQUAL(hvdev_chan_recv(ch, &meta, buf, sizeof(buf)), -EIO, "%s: recv", what);
	TEST_ASSERT_EQUAL(hvdev_chan_send(ch, PKT_INBAND, 0, 0, &iov, 1), -EIO, "%s: send", what);
	TEST_ASSERT_EQUAL(hvdev_chan_wait(ch, 10), -EIO, "%s: wait", what);
	TEST_ASSERT_EQUAL(hvdev_chan_intr_arm(ch), -EIO, "%s: arm", what);
	hvdev_chan_stats_get(ch, &st);
	TEST_ASSERT(st.protocol_errors >= 1, "%s: counted", what);
	return TEST_SUCCESS;
}

static int
recv_expect(int expect, const char *what)
{
	struct hvdev_pkt_meta meta;

	TEST_ASSERT_EQUAL(hvdev_chan_recv(ch, &meta, buf, sizeof(buf)), expect, "%s", what);
	return TEST_SUCCESS;
}

static int
check_rx_indices(void)
{
	uint32_t dsize = hvdev_chan_data_size(ch);

	TEST_ASSERT_EQUAL(rte_hvsim_ring_poke(dev, RTE_HVSIM_RING_GUEST_RX, OFF_WINDEX,
					      dsize + 64), 0, "poke");
	TEST_RUN(recv_expect(-EIO, "write index beyond the data area"));
	return assert_broken("rx write index");
}

static int
check_rx_unaligned(void)
{
	TEST_ASSERT_EQUAL(rte_hvsim_ring_poke(dev, RTE_HVSIM_RING_GUEST_RX, OFF_WINDEX, 36), 0,
			  "poke");
	TEST_RUN(recv_expect(-EIO, "write index not a multiple of 8"));
	return assert_broken("rx unaligned");
}

static int
check_rx_rindex(void)
{
	TEST_ASSERT_EQUAL(rte_hvsim_send(dev, PKT_INBAND, 0, 1, buf, 64), 0, "send");
	TEST_ASSERT_EQUAL(rte_hvsim_ring_poke(dev, RTE_HVSIM_RING_GUEST_RX, OFF_RINDEX, 0xfff8),
			  0, "poke");
	TEST_RUN(recv_expect(-EIO, "host moved the guest-owned read index"));
	return assert_broken("rx read index");
}

static int
check_tx_rindex(void)
{
	struct iovec iov = { .iov_base = buf, .iov_len = 64 };

	TEST_ASSERT_EQUAL(rte_hvsim_ring_poke(dev, RTE_HVSIM_RING_GUEST_TX, OFF_RINDEX,
					      0xffffffff), 0, "poke");
	TEST_ASSERT_EQUAL(hvdev_chan_send(ch, PKT_INBAND, 0, 0, &iov, 1), -EIO, "send");
	return assert_broken("tx read index");
}

/* Without the check, DPDK's in-order commit would spin forever on this. */
static int
check_tx_windex(void)
{
	struct iovec iov = { .iov_base = buf, .iov_len = 64 };

	TEST_ASSERT_EQUAL(rte_hvsim_ring_poke(dev, RTE_HVSIM_RING_GUEST_TX, OFF_WINDEX, 128), 0,
			  "poke");
	TEST_ASSERT_EQUAL(hvdev_chan_send(ch, PKT_INBAND, 0, 0, &iov, 1), -EIO, "send");
	return assert_broken("tx write index");
}

/* Write a descriptor (and @p body bytes of payload, plus a trailer) straight into the ring. */
static int
inject(uint16_t type, uint16_t hlen, uint16_t tlen, uint32_t body)
{
	uint8_t raw[256] = { 0 };
	uint32_t len = 16 + body + 8;

	memcpy(raw + 0, &type, 2);
	memcpy(raw + 2, &hlen, 2);
	memcpy(raw + 4, &tlen, 2);
	return rte_hvsim_inject_raw(dev, raw, len, true);
}

static int
check_descriptor(uint16_t type, uint16_t hlen, uint16_t tlen, uint32_t body, const char *what)
{
	TEST_ASSERT_EQUAL(inject(type, hlen, tlen, body), 0, "inject");
	TEST_ASSERT_EQUAL(hvdev_chan_wait(ch, WAIT_MS), 1, "%s: readable", what);
	TEST_RUN(recv_expect(-EIO, what));
	return assert_broken(what);
}

static int
check_desc_hlen_small(void)
{
	return check_descriptor(PKT_INBAND, 1, 4, 16, "hlen below the descriptor size");
}

static int
check_desc_hlen_gt_tlen(void)
{
	return check_descriptor(PKT_INBAND, 5, 4, 16, "hlen greater than tlen");
}

static int
check_desc_tlen_beyond(void)
{
	return check_descriptor(PKT_INBAND, 2, 0xffff, 16, "tlen beyond the readable bytes");
}

static int
check_desc_type_zero(void)
{
	return check_descriptor(0, 2, 4, 16, "packet type 0");
}

static int
check_partial_packet(void)
{
	uint8_t raw[8] = { 6, 0, 2, 0, 2, 0, 0, 0 };

	TEST_ASSERT_EQUAL(rte_hvsim_inject_raw(dev, raw, sizeof(raw), true), 0, "inject");
	TEST_RUN(recv_expect(-EIO, "fewer bytes than a descriptor and trailer"));
	return assert_broken("partial packet");
}

static int
check_enobufs(void)
{
	struct hvdev_pkt_meta meta;

	hvdev_test_fill(buf, 100, 5);
	TEST_ASSERT_EQUAL(rte_hvsim_send(dev, PKT_INBAND, 0, 9, buf, 100), 0, "send");
	memset(buf, 0, sizeof(buf));
	TEST_ASSERT_EQUAL(hvdev_chan_recv(ch, &meta, buf, 50), -ENOBUFS, "small buffer");
	TEST_ASSERT_EQUAL(meta.len, 104, "size needed");
	TEST_ASSERT_EQUAL(hvdev_chan_state(ch), HVDEV_CHAN_OPEN, "not an error of the host");
	TEST_ASSERT_EQUAL(hvdev_chan_recv(ch, &meta, buf, meta.len), 0, "packet kept");
	TEST_ASSERT(hvdev_test_check(buf, 100, 5), "payload intact");
	TEST_ASSERT_EQUAL(meta.xactid, 9, "same packet");
	return TEST_SUCCESS;
}

static int
check_pending_send_huge(void)
{
	struct hvdev_chan_stats st;
	struct hvdev_pkt_meta meta;

	TEST_ASSERT_EQUAL(rte_hvsim_send(dev, PKT_INBAND, 0, 1, buf, 64), 0, "send");
	TEST_ASSERT_EQUAL(rte_hvsim_ring_poke(dev, RTE_HVSIM_RING_GUEST_RX, OFF_PENDING,
					      0xffffffff), 0, "poke");
	TEST_ASSERT_EQUAL(hvdev_chan_recv(ch, &meta, buf, sizeof(buf)), 0, "recv");
	hvdev_chan_stats_get(ch, &st);
	TEST_ASSERT_EQUAL(st.signals, 0, "an impossible pending size never triggers a signal");
	TEST_ASSERT_EQUAL(hvdev_chan_state(ch), HVDEV_CHAN_OPEN, "still open");
	return TEST_SUCCESS;
}

/* Reopen the node: the host re-initialises both rings, as on a real channel reopen. */
static int
reopen(void)
{
	struct hvdev_uio_devinfo info = *hvdev_chan_info(ch);

	hvdev_chan_close(ch);
	ch = NULL;
	TEST_ASSERT_EQUAL(rte_hvsim_wait_open(dev, false, WAIT_MS), 0, "host saw the close");
	TEST_ASSERT_EQUAL(hvdev_chan_open(&info, &ch), 0, "reopen");
	TEST_ASSERT_EQUAL(rte_hvsim_wait_open(dev, true, WAIT_MS), 0, "host reopened");
	return TEST_SUCCESS;
}

/*
 * Random descriptors and random header fields, many times: every outcome is a packet within
 * bounds, an empty ring or a broken channel; nothing else.
 */
static int
check_random_garbage(void)
{
	struct hvdev_pkt_meta meta;
	uint8_t raw[512];
	uint32_t i, j, len, dsize = hvdev_chan_data_size(ch);
	int ret, broken = 0, good = 0;

	srandom(1234);
	for (i = 0; i < 400; i++) {
		len = 8 * ((uint32_t)random() % 40 + 1);
		for (j = 0; j < len; j++)
			raw[j] = (uint8_t)random();
		if (i % 3 == 0) {
			/* Plausible descriptor with random lengths. */
			raw[0] = 6;
			raw[1] = 0;
			raw[2] = (uint8_t)(random() % 4);
			raw[3] = 0;
		}
		TEST_ASSERT_EQUAL(rte_hvsim_inject_raw(dev, raw, len, true), 0, "inject %u", i);
		if (i % 7 == 0)
			rte_hvsim_ring_poke(dev, RTE_HVSIM_RING_GUEST_RX, OFF_WINDEX,
					    (uint32_t)random() % (2 * dsize));
		for (j = 0; j < 64; j++) {
			ret = hvdev_chan_recv(ch, &meta, buf, sizeof(buf));
			if (ret != 0)
				break;
			TEST_ASSERT(meta.len <= dsize, "payload within the ring");
			good++;
		}
		TEST_ASSERT(ret == -EAGAIN || ret == -EIO || ret == -ENOBUFS, "outcome %d", ret);
		if (ret != -EAGAIN) {
			broken++;
			TEST_RUN(reopen());
		}
	}
	printf("%d corrupt rounds detected, %d well-formed packets by chance\n", broken, good);
	TEST_ASSERT(broken > 0, "corruption was detected at least once");
	return TEST_SUCCESS;
}

/* The host rewrites the guest-owned RX read index without pause while packets arrive. */
#define RACE_US 500000
static volatile int racing;

static void *
rindex_racer(void *arg)
{
	long i, ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t cpus;

	RTE_SET_USED(arg);
	/* Off the main lcore's CPU, or the two would take turns instead of racing. */
	CPU_ZERO(&cpus);
	for (i = 1; i < ncpu && i < CPU_SETSIZE; i++)
		CPU_SET(i, &cpus);
	if (ncpu > 1)
		pthread_setaffinity_np(pthread_self(), sizeof(cpus), &cpus);
	while (racing)
		rte_hvsim_ring_poke(dev, RTE_HVSIM_RING_GUEST_RX, OFF_RINDEX, 0xfffffff8u);
	return NULL;
}

/*
 * A host racing the reader on another CPU: whenever the index changes between the check and
 * the copy, the copy must still come from inside the ring (the channel copies from its own
 * read index; AddressSanitizer watches in build-san). Every receive gives the packet sent,
 * intact, or a broken channel; never anything else. With DPDK's vmbus_rxbr_peek()/read(),
 * which read the shared index again after the check, this case reports a damaged packet
 * within a second.
 */
/* Reopen with the racer stopped: an index out of range at open is refused, rightly. */
static int
reopen_unraced(pthread_t *tid)
{
	racing = 0;
	pthread_join(*tid, NULL);
	TEST_RUN(reopen());
	racing = 1;
	TEST_ASSERT_EQUAL(pthread_create(tid, NULL, rindex_racer, NULL), 0, "racer");
	return TEST_SUCCESS;
}

static int
check_rx_rindex_race(void)
{
	uint32_t i, sent = 0, intact = 0, broken = 0;
	struct hvdev_pkt_meta meta;
	uint8_t out[256];
	uint64_t t_end;
	pthread_t tid;
	int ret;

	racing = 1;
	TEST_ASSERT_EQUAL(pthread_create(&tid, NULL, rindex_racer, NULL), 0, "racer");
	t_end = hvdev_test_now_us() + RACE_US;
	for (i = 0; i < 20000 || hvdev_test_now_us() < t_end; i++) {
		hvdev_test_fill(out, sizeof(out), i);
		if (rte_hvsim_send(dev, PKT_INBAND, 0, i, out, sizeof(out)) != 0) {
			/* The host side refuses to write over what it sees as a broken ring. */
			ret = reopen_unraced(&tid);
			if (ret != TEST_SUCCESS)
				break;
			continue;
		}
		sent++;
		ret = hvdev_chan_recv(ch, &meta, buf, sizeof(buf));
		if (ret == 0) {
			ret = meta.xactid == i && meta.len == sizeof(out) &&
			      hvdev_test_check(buf, sizeof(out), i) ? TEST_SUCCESS : TEST_FAILED;
			if (ret != TEST_SUCCESS) {
				printf("packet %u damaged\n", i);
				break;
			}
			intact++;
			continue;
		}
		if (ret != -EIO) {
			printf("round %u: outcome %d, not 0 or -EIO\n", i, ret);
			ret = TEST_FAILED;
			break;
		}
		broken++;
		ret = reopen_unraced(&tid);
		if (ret != TEST_SUCCESS)
			break;
	}
	racing = 0;
	pthread_join(tid, NULL);
	TEST_ASSERT_EQUAL(ret, TEST_SUCCESS, "every receive intact or a broken channel");
	printf("%u packets sent: %u received intact, %u times the race broke the channel\n",
	       sent, intact, broken);
	TEST_ASSERT(sent > 0 && intact + broken == sent, "every packet accounted for");
	return TEST_SUCCESS;
}

/*
 * The host rewrites our TX write index after the space check, while we copy a packet in:
 * DPDK's vmbus_txbr_write() then spins for ever in its commit (a compare-and-swap retried
 * until the index holds the value it expects), at 100% CPU, deaf to signals. The channel's own
 * writer commits once and breaks the channel instead. A thread on another CPU watches the TX
 * ring for the packet being written and moves the index at that moment.
 */
#define TX_RACE_RING (256u << 10)
#define TX_RACE_LEN (32u << 10)
#define TX_RACE_US 4000000
#define TX_RACE_HITS 3
#define SEND_BOUND_US 2000000
static volatile uint64_t race_xid;	/* the packet the racer waits for; 0: none */
static volatile uint64_t send_since_us;	/* a send is running since then; 0: none */

static void *
windex_racer(void *arg)
{
	long i, ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	uint32_t dsize = rte_hvsim_dev_data_size(dev), w;
	cpu_set_t cpus;
	uint64_t xid, seen;

	RTE_SET_USED(arg);
	CPU_ZERO(&cpus);
	for (i = 1; i < ncpu && i < CPU_SETSIZE; i++)
		CPU_SET(i, &cpus);
	if (ncpu > 1)
		pthread_setaffinity_np(pthread_self(), sizeof(cpus), &cpus);
	while (racing) {
		xid = race_xid;
		if (xid == 0)
			continue;
		w = rte_hvsim_ring_peek(dev, RTE_HVSIM_RING_GUEST_TX, OFF_WINDEX);
		if (w >= dsize ||
		    rte_hvsim_ring_data_peek(dev, RTE_HVSIM_RING_GUEST_TX, w + 8, &seen, 8) != 0 ||
		    seen != xid)
			continue;
		/* The descriptor is in, the index not yet moved: move it somewhere valid. */
		rte_hvsim_ring_poke(dev, RTE_HVSIM_RING_GUEST_TX, OFF_WINDEX, (w + 4096) % dsize);
		race_xid = 0;
	}
	return NULL;
}

/* A send that does not return is a hang: say so and end the process, or meson waits. */
static void *
send_watchdog(void *arg)
{
	uint64_t since;

	RTE_SET_USED(arg);
	while (racing) {
		since = send_since_us;
		if (since != 0 && hvdev_test_now_us() - since > SEND_BOUND_US) {
			fprintf(stderr, "FAIL: hvdev_chan_send() has not returned for %u ms: "
				"the TX commit spins on the write index the host moved\n",
				SEND_BOUND_US / 1000);
			_exit(1);
		}
		usleep(10000);
	}
	return NULL;
}

static int
check_tx_windex_race(void)
{
	struct iovec iov = { .iov_base = buf, .iov_len = TX_RACE_LEN };
	uint32_t i, w, hits = 0, late = 0, sent = 0;
	uint64_t t_end, xid, seen, took, worst = 0;
	pthread_t racer, watchdog;
	int ret = 0;

	hvdev_test_fill(buf, TX_RACE_LEN, 3);
	racing = 1;
	TEST_ASSERT_EQUAL(pthread_create(&racer, NULL, windex_racer, NULL), 0, "racer");
	TEST_ASSERT_EQUAL(pthread_create(&watchdog, NULL, send_watchdog, NULL), 0, "watchdog");
	t_end = hvdev_test_now_us() + TX_RACE_US;
	for (i = 1; hits < TX_RACE_HITS && hvdev_test_now_us() < t_end; i++) {
		xid = 0x5eed000000000000ull | i;
		w = rte_hvsim_ring_peek(dev, RTE_HVSIM_RING_GUEST_TX, OFF_WINDEX);
		race_xid = xid;
		send_since_us = hvdev_test_now_us();
		ret = hvdev_chan_send(ch, PKT_INBAND, 0, xid, &iov, 1);
		took = hvdev_test_now_us() - send_since_us;
		send_since_us = 0;
		race_xid = 0;
		worst = RTE_MAX(worst, took);
		if (ret == 0) {
			sent++;
			continue;
		}
		if (ret == -EAGAIN) {
			usleep(100);
			continue;
		}
		if (ret != -EIO)
			break;
		if (hvdev_chan_state(ch) != HVDEV_CHAN_BROKEN) {
			ret = -EPROTO;
			break;
		}
		/* The packet is in the ring: the commit found the index moved, not the check. */
		if (rte_hvsim_ring_data_peek(dev, RTE_HVSIM_RING_GUEST_TX, w + 8, &seen, 8) == 0 &&
		    seen == xid)
			hits++;
		else
			late++;
		ret = reopen();
		if (ret != TEST_SUCCESS)
			break;
	}
	racing = 0;
	pthread_join(racer, NULL);
	pthread_join(watchdog, NULL);
	printf("%u sends: %u intact, %u times the index moved during the copy (the commit "
	       "refused it), %u times before the check; longest send %" PRIu64 " us\n", i - 1,
	       sent, hits, late, worst);
	TEST_ASSERT(ret == 0 || ret == -EIO || ret == -EAGAIN, "every send 0, -EAGAIN or -EIO: %d",
		    ret);
	TEST_ASSERT(hits > 0, "the host won the race at least once (without it this case shows "
		    "nothing; is a second CPU available?)");
	return TEST_SUCCESS;
}

static int
test_tx_windex_race(void)
{
	int ret;

	TEST_RUN(setup_ring(TX_RACE_RING));
	ret = check_tx_windex_race();
	teardown();
	return ret;
}

#define HOSTILE_CASE(name, check) \
static int \
name(void) \
{ \
	int ret; \
	TEST_RUN(setup()); \
	ret = check(); \
	teardown(); \
	return ret; \
}

HOSTILE_CASE(test_rx_windex, check_rx_indices)
HOSTILE_CASE(test_rx_unaligned, check_rx_unaligned)
HOSTILE_CASE(test_rx_rindex, check_rx_rindex)
HOSTILE_CASE(test_tx_rindex, check_tx_rindex)
HOSTILE_CASE(test_tx_windex, check_tx_windex)
HOSTILE_CASE(test_desc_hlen_small, check_desc_hlen_small)
HOSTILE_CASE(test_desc_hlen_gt_tlen, check_desc_hlen_gt_tlen)
HOSTILE_CASE(test_desc_tlen_beyond, check_desc_tlen_beyond)
HOSTILE_CASE(test_desc_type_zero, check_desc_type_zero)
HOSTILE_CASE(test_partial_packet, check_partial_packet)
HOSTILE_CASE(test_enobufs, check_enobufs)
HOSTILE_CASE(test_pending_send_huge, check_pending_send_huge)
HOSTILE_CASE(test_random_garbage, check_random_garbage)
HOSTILE_CASE(test_rx_rindex_race, check_rx_rindex_race)

static const struct hvdev_test_case cases[] = {
	HVDEV_CASE(rx_windex_out_of_range, test_rx_windex),
	HVDEV_CASE(rx_windex_unaligned, test_rx_unaligned),
	HVDEV_CASE(rx_rindex_tampered, test_rx_rindex),
	HVDEV_CASE(tx_rindex_out_of_range, test_tx_rindex),
	HVDEV_CASE(tx_windex_tampered, test_tx_windex),
	HVDEV_CASE(desc_hlen_small, test_desc_hlen_small),
	HVDEV_CASE(desc_hlen_gt_tlen, test_desc_hlen_gt_tlen),
	HVDEV_CASE(desc_tlen_beyond, test_desc_tlen_beyond),
	HVDEV_CASE(desc_type_zero, test_desc_type_zero),
	HVDEV_CASE(partial_packet, test_partial_packet),
	HVDEV_CASE(enobufs, test_enobufs),
	HVDEV_CASE(pending_send_huge, test_pending_send_huge),
	HVDEV_CASE(random_garbage, test_random_garbage),
	HVDEV_CASE(rx_rindex_race, test_rx_rindex_race),
	HVDEV_CASE(tx_windex_race, test_tx_windex_race),
};

int
main(int argc, char **argv)
{
	return hvdev_test_main(argc, argv, cases, RTE_DIM(cases));
}
