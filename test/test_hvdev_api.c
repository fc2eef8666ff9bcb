/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * The rte_hvdev API against hvdev_uio devices served by the simulated host, in the style of
 * DPDK's test_dmadev_api: every state transition, every error code, the counters.
 */

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_common.h>
#include <rte_epoll.h>
#include <rte_interrupts.h>

#include <rte_hvdev.h>

#include "hvdev_test.h"
#include "rte_hvsim.h"

#define WAIT_MS 3000
#define DEV_NAME "hvdev_uio0"

static char root[256];
static struct rte_hvsim *sim;
static struct rte_hvsim_dev *hdev;
static int16_t dev_id = -1;
static uint8_t buf[65536];

static void
echo_packet(struct rte_hvsim_dev *dev, const struct rte_hvsim_pkt *p, void *arg)
{
	RTE_SET_USED(arg);
	rte_hvsim_send_wait(dev, p->type, p->flags, p->xactid, p->data, p->len, WAIT_MS);
}

static const struct rte_hvsim_dev_ops echo_ops = { .on_packet = echo_packet };

/* How the next setup() offers the device, for the cases about life after a rescind. */
static bool setup_revoke;
static uint32_t setup_linger_ms;

static int
setup(void)
{
	struct rte_hvsim_dev_conf conf = {
		.ops = &echo_ops, .revoke_rings = setup_revoke,
		.rescind_linger_ms = setup_linger_ms,
	};
	char args[512];

	TEST_ASSERT(hvdev_test_root_create(root, sizeof(root)) == 0, "mkdtemp");
	sim = rte_hvsim_create(root);
	TEST_ASSERT(sim != NULL, "simulator");
	TEST_ASSERT_EQUAL(rte_hvsim_start(sim), 0, "start");
	hvdev_test_class("fcopy", conf.class_id);
	hdev = rte_hvsim_offer(sim, &conf);
	TEST_ASSERT(hdev != NULL, "offer");
	snprintf(args, sizeof(args), "class=fcopy,root=%s", root);
	TEST_ASSERT_EQUAL(rte_vdev_init(DEV_NAME, args), 0, "create %s", DEV_NAME);
	dev_id = (int16_t)rte_hvdev_get_dev_id_by_name(DEV_NAME);
	TEST_ASSERT(dev_id >= 0, "device id");
	return TEST_SUCCESS;
}

static void
teardown(void)
{
	if (rte_hvdev_is_valid(dev_id))
		rte_hvdev_stop(dev_id);
	rte_vdev_uninit(DEV_NAME);
	dev_id = -1;
	rte_hvsim_destroy(sim);
	sim = NULL;
	hvdev_test_root_remove(root);
}

static int
configure_start(bool intr_mode, uint32_t busy_poll_us)
{
	struct rte_hvdev_conf conf = { .intr_mode = intr_mode, .busy_poll_us = busy_poll_us };

	TEST_ASSERT_EQUAL(rte_hvdev_configure(dev_id, &conf), 0, "configure");
	TEST_ASSERT_EQUAL(rte_hvdev_start(dev_id), 0, "start");
	return TEST_SUCCESS;
}

static int
echo(uint32_t len, uint64_t id)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct rte_hvdev_pkt pkt;
	static uint8_t in[65536];

	hvdev_test_fill(buf, len, (uint32_t)id);
	TEST_ASSERT_EQUAL(rte_hvdev_send(dev_id, RTE_HVDEV_PKT_INBAND, 0, id, &iov, 1), 0,
			  "send");
	TEST_ASSERT_EQUAL(rte_hvdev_wait(dev_id, WAIT_MS), 1, "echo arrives");
	TEST_ASSERT_EQUAL(rte_hvdev_recv(dev_id, &pkt, in, sizeof(in)), 0, "recv");
	TEST_ASSERT_EQUAL(pkt.xactid, id, "transaction id");
	TEST_ASSERT_EQUAL(pkt.type, RTE_HVDEV_PKT_INBAND, "type");
	TEST_ASSERT_EQUAL(pkt.len, RTE_ALIGN_CEIL(len, 8u), "padded length");
	TEST_ASSERT(hvdev_test_check(in, len, (uint32_t)id), "payload");
	return TEST_SUCCESS;
}

#define API_CASE(name) \
static int \
test_ ## name(void) \
{ \
	int ret; \
	TEST_RUN(setup()); \
	ret = check_ ## name(); \
	teardown(); \
	return ret; \
}

static int
check_lookup(void)
{
	rte_uuid_t fcopy, kvp, parsed;
	struct rte_hvdev_info info;
	int16_t id, seen = 0;

	hvdev_test_class("fcopy", fcopy);
	hvdev_test_class("kvp", kvp);
	TEST_ASSERT(rte_hvdev_is_valid(dev_id), "valid");
	TEST_ASSERT(!rte_hvdev_is_valid(-1) && !rte_hvdev_is_valid(INT16_MAX), "invalid ids");
	TEST_ASSERT_EQUAL(rte_hvdev_count_avail(), 1, "one device");
	RTE_HVDEV_FOREACH_DEV(id)
		seen++;
	TEST_ASSERT_EQUAL(seen, 1, "iterator");
	TEST_ASSERT_EQUAL(rte_hvdev_get_dev_id_by_name("nope"), -ENODEV, "unknown name");
	TEST_ASSERT_EQUAL(rte_hvdev_get_dev_id_by_name(NULL), -EINVAL, "NULL name");
	TEST_ASSERT_EQUAL(rte_hvdev_find_by_class(fcopy, 0), dev_id, "by class");
	TEST_ASSERT_EQUAL(rte_hvdev_find_by_class(fcopy, dev_id + 1), -ENODEV, "no second");
	TEST_ASSERT_EQUAL(rte_hvdev_find_by_class(kvp, 0), -ENODEV, "other class");
	TEST_ASSERT_EQUAL(rte_hvdev_class_parse("fcopy", parsed), 0, "parse name");
	TEST_ASSERT(rte_uuid_compare(parsed, fcopy) == 0, "fcopy GUID");
	TEST_ASSERT_EQUAL(rte_hvdev_class_parse("{a9a0f4e7-5a45-4d96-b827-8a841e8c03e6}",
						parsed), 0, "parse GUID");
	TEST_ASSERT(strcmp(rte_hvdev_class_name(parsed), "kvp") == 0, "kvp name");
	TEST_ASSERT_EQUAL(rte_hvdev_class_parse("floppy", parsed), -EINVAL, "bad class");

	TEST_ASSERT_EQUAL(rte_hvdev_info_get(dev_id, NULL), -EINVAL, "NULL info");
	TEST_ASSERT_EQUAL(rte_hvdev_info_get(-1, &info), -EINVAL, "bad id");
	TEST_ASSERT_EQUAL(rte_hvdev_info_get(dev_id, &info), 0, "info");
	TEST_ASSERT(strcmp(info.dev_name, DEV_NAME) == 0, "name");
	TEST_ASSERT(strcmp(info.driver_name, "hvdev_uio") == 0, "driver");
	TEST_ASSERT(strcmp(info.class_name, "fcopy") == 0, "class name");
	TEST_ASSERT(rte_uuid_compare(info.class_id, fcopy) == 0, "class id");
	TEST_ASSERT_EQUAL(info.rx_ring_data_size, rte_hvsim_dev_data_size(hdev), "ring size");
	TEST_ASSERT(info.max_payload > 0 && info.max_payload < info.tx_ring_data_size, "max");
	TEST_ASSERT(!info.has_monitor, "low-speed");
	TEST_ASSERT_EQUAL(info.node_kind, RTE_HVDEV_NODE_SIM, "simulated node");
	TEST_ASSERT_EQUAL(info.state, RTE_HVDEV_STATE_READY, "ready");
	return TEST_SUCCESS;
}
API_CASE(lookup)

static int
check_lifecycle(void)
{
	struct rte_hvdev_conf conf = { .intr_mode = true };
	struct iovec iov = { .iov_base = buf, .iov_len = 8 };
	struct rte_hvdev_info info;
	struct rte_hvdev_pkt pkt;

	TEST_ASSERT_EQUAL(rte_hvdev_start(dev_id), -EINVAL, "start before configure");
	TEST_ASSERT_EQUAL(rte_hvdev_configure(dev_id, NULL), -EINVAL, "NULL conf");
	conf.busy_poll_us = 2000000;
	TEST_ASSERT_EQUAL(rte_hvdev_configure(dev_id, &conf), -EINVAL, "budget over 1 s");
	conf.busy_poll_us = 0;
	conf.recheck_ms = 3600001;
	TEST_ASSERT_EQUAL(rte_hvdev_configure(dev_id, &conf), -EINVAL, "re-check over an hour");
	conf.recheck_ms = 0;
	TEST_ASSERT_EQUAL(rte_hvdev_configure(-1, &conf), -EINVAL, "bad id");
	TEST_ASSERT_EQUAL(rte_hvdev_recv(dev_id, &pkt, buf, sizeof(buf)), -EINVAL,
			  "recv before start");
	TEST_ASSERT_EQUAL(rte_hvdev_send(dev_id, 6, 0, 0, &iov, 1), -EINVAL, "send before start");
	TEST_ASSERT_EQUAL(rte_hvdev_wait(dev_id, 0), -EINVAL, "wait before start");
	TEST_ASSERT_EQUAL(rte_hvdev_configure(dev_id, &conf), 0, "configure");
	TEST_ASSERT_EQUAL(rte_hvdev_start(dev_id), 0, "start");
	TEST_ASSERT_EQUAL(rte_hvdev_start(dev_id), 0, "start again is harmless");
	TEST_ASSERT_EQUAL(rte_hvdev_info_get(dev_id, &info), 0, "info");
	TEST_ASSERT_EQUAL(info.state, RTE_HVDEV_STATE_RUNNING, "running");
	TEST_ASSERT_EQUAL(rte_hvdev_configure(dev_id, &conf), -EBUSY, "configure while running");
	TEST_ASSERT_EQUAL(rte_hvdev_close(dev_id), -EBUSY, "close while running");
	TEST_ASSERT_EQUAL(rte_hvdev_recv(dev_id, NULL, buf, 8), -EINVAL, "NULL pkt");
	TEST_ASSERT_EQUAL(rte_hvdev_recv(dev_id, &pkt, NULL, 8), -EINVAL, "NULL buffer");
	TEST_ASSERT_EQUAL(rte_hvdev_send(dev_id, 6, 0, 0, NULL, 1), -EINVAL, "NULL iov");
	TEST_ASSERT_EQUAL(rte_hvdev_recv(dev_id, &pkt, buf, sizeof(buf)), -EAGAIN, "empty");
	TEST_RUN(echo(10, 1));
	TEST_ASSERT_EQUAL(rte_hvdev_stop(dev_id), 0, "stop");
	TEST_ASSERT_EQUAL(rte_hvdev_stop(dev_id), 0, "stop again is harmless");
	TEST_ASSERT_EQUAL(rte_hvdev_info_get(dev_id, &info), 0, "info");
	TEST_ASSERT_EQUAL(info.state, RTE_HVDEV_STATE_READY, "ready again");
	TEST_ASSERT_EQUAL(rte_hvdev_start(dev_id), 0, "restart");
	TEST_RUN(echo(10, 2));
	TEST_ASSERT_EQUAL(rte_hvdev_stop(dev_id), 0, "stop");
	TEST_ASSERT_EQUAL(rte_hvdev_close(dev_id), 0, "close");
	TEST_ASSERT_EQUAL(rte_hvsim_wait_open(hdev, false, WAIT_MS), 0, "host saw the close");
	TEST_ASSERT(!rte_hvdev_is_valid(dev_id), "id released");
	TEST_ASSERT_EQUAL(rte_hvdev_start(dev_id), -EINVAL, "start after close");
	TEST_ASSERT_EQUAL(rte_hvdev_close(dev_id), -EINVAL, "close after close");
	return TEST_SUCCESS;
}
API_CASE(lifecycle)

static int
check_stats(void)
{
	struct rte_hvdev_xstat_name names[32];
	uint64_t values[32], v, n64;
	struct rte_hvdev_stats st;
	int i, n;

	TEST_RUN(configure_start(true, 0));
	for (i = 0; i < 20; i++)
		TEST_RUN(echo((uint32_t)i * 3 + 1, (uint64_t)i));
	TEST_ASSERT_EQUAL(rte_hvdev_stats_get(dev_id, NULL), -EINVAL, "NULL stats");
	TEST_ASSERT_EQUAL(rte_hvdev_stats_get(dev_id, &st), 0, "stats");
	TEST_ASSERT_EQUAL(st.tx_packets, 20, "tx packets");
	TEST_ASSERT_EQUAL(st.rx_packets, 20, "rx packets");
	TEST_ASSERT_EQUAL(st.tx_bytes, 3 * 190 + 20, "tx bytes");
	TEST_ASSERT(st.rx_bytes >= st.tx_bytes, "rx bytes include padding");
	/* At most one per request; fewer when the host was still draining (mask set). */
	TEST_ASSERT(st.signals >= 1 && st.signals <= 20, "signals %" PRIu64, st.signals);
	TEST_ASSERT_EQUAL(st.protocol_errors, 0, "no errors");

	n = rte_hvdev_xstats_names_get(dev_id, NULL, 0);
	TEST_ASSERT(n >= 13 && n <= 32, "xstats count %d", n);
	TEST_ASSERT_EQUAL(rte_hvdev_xstats_names_get(dev_id, names, RTE_DIM(names)), n, "names");
	TEST_ASSERT_EQUAL(rte_hvdev_xstats_get(dev_id, values, RTE_DIM(values)), n, "values");
	for (i = 0; i < n; i++) {
		TEST_ASSERT_EQUAL(rte_hvdev_xstats_get_by_name(dev_id, names[i].name, &v), 0,
				  "by name %s", names[i].name);
		if (strcmp(names[i].name, "tx_packets") == 0)
			TEST_ASSERT_EQUAL(values[i], 20, "xstat tx_packets");
	}
	TEST_ASSERT_EQUAL(rte_hvdev_xstats_get_by_name(dev_id, "sleeps", &v), 0, "sleeps");
	TEST_ASSERT_EQUAL(rte_hvdev_wait(dev_id, 20), 0, "idle wait");
	TEST_ASSERT_EQUAL(rte_hvdev_xstats_get_by_name(dev_id, "sleeps", &n64), 0, "sleeps");
	TEST_ASSERT_EQUAL(n64, v + 1, "an idle interrupt-mode wait sleeps once");
	TEST_ASSERT_EQUAL(rte_hvdev_xstats_get_by_name(dev_id, "nope", &v), -ENOENT, "unknown");
	TEST_ASSERT_EQUAL(rte_hvdev_stats_reset(dev_id), 0, "reset");
	TEST_ASSERT_EQUAL(rte_hvdev_stats_get(dev_id, &st), 0, "stats");
	TEST_ASSERT_EQUAL(st.tx_packets + st.rx_packets + st.signals, 0, "reset to zero");
	TEST_ASSERT_EQUAL(rte_hvdev_xstats_get_by_name(dev_id, "sleeps", &v), 0, "sleeps");
	TEST_ASSERT_EQUAL(v, 0, "library xstats reset too");
	return TEST_SUCCESS;
}
API_CASE(stats)

static void *
late_sender(void *arg)
{
	uint32_t delay_us = (uint32_t)(uintptr_t)arg;

	usleep(delay_us);
	rte_hvsim_send(hdev, RTE_HVDEV_PKT_INBAND, 0, 77, buf, 16);
	return NULL;
}

static int
check_wait_modes(void)
{
	struct rte_hvdev_conf conf = { .intr_mode = true, .busy_poll_us = 500000 };
	struct rte_hvdev_pkt pkt;
	uint64_t cpu0, t0, v;
	pthread_t th;

	/* Interrupt mode, idle: sleeps, no CPU. */
	TEST_RUN(configure_start(true, 0));
	TEST_ASSERT_EQUAL(rte_hvsim_wait_open(hdev, true, WAIT_MS), 0, "host open");
	cpu0 = hvdev_test_thread_cpu_us();
	TEST_ASSERT_EQUAL(rte_hvdev_wait(dev_id, 300), 0, "idle timeout");
	TEST_ASSERT(hvdev_test_thread_cpu_us() - cpu0 < 20000, "no CPU while idle");
	TEST_ASSERT_EQUAL(rte_hvdev_wait(dev_id, 0), 0, "zero timeout only checks");

	/* Busy-poll budget: a packet 2 ms away is caught while polling, without sleeping. */
	TEST_ASSERT_EQUAL(rte_hvdev_stop(dev_id), 0, "stop");
	TEST_ASSERT_EQUAL(rte_hvdev_configure(dev_id, &conf), 0, "configure busy poll");
	TEST_ASSERT_EQUAL(rte_hvdev_start(dev_id), 0, "start");
	TEST_ASSERT_EQUAL(rte_hvdev_stats_reset(dev_id), 0, "reset");
	pthread_create(&th, NULL, late_sender, (void *)(uintptr_t)2000);
	TEST_ASSERT_EQUAL(rte_hvdev_wait(dev_id, WAIT_MS), 1, "arrives");
	pthread_join(th, NULL);
	TEST_ASSERT_EQUAL(rte_hvdev_xstats_get_by_name(dev_id, "busy_poll_hits", &v), 0, "hits");
	TEST_ASSERT_EQUAL(v, 1, "caught by busy polling");
	TEST_ASSERT_EQUAL(rte_hvdev_xstats_get_by_name(dev_id, "sleeps", &v), 0, "sleeps");
	TEST_ASSERT_EQUAL(v, 0, "never slept");
	TEST_ASSERT_EQUAL(rte_hvdev_recv(dev_id, &pkt, buf, sizeof(buf)), 0, "recv");

	/* Poll mode: no interrupts at all; wait spins until the timeout. */
	TEST_ASSERT_EQUAL(rte_hvdev_stop(dev_id), 0, "stop");
	TEST_RUN(configure_start(false, 0));
	TEST_ASSERT_EQUAL(rte_hvdev_intr_enable(dev_id), -ENOTSUP, "no interrupts in poll mode");
	t0 = hvdev_test_now_us();
	TEST_ASSERT_EQUAL(rte_hvdev_wait(dev_id, 50), 0, "poll timeout");
	TEST_ASSERT(hvdev_test_now_us() - t0 >= 45000, "polled for the whole timeout");
	pthread_create(&th, NULL, late_sender, (void *)(uintptr_t)1000);
	TEST_ASSERT_EQUAL(rte_hvdev_wait(dev_id, WAIT_MS), 1, "poll mode sees the packet");
	pthread_join(th, NULL);
	TEST_ASSERT_EQUAL(rte_hvdev_recv(dev_id, &pkt, buf, sizeof(buf)), 0, "recv");
	return TEST_SUCCESS;
}
API_CASE(wait_modes)

static int
check_intr_ctl(void)
{
	struct rte_epoll_event ev[4];
	struct rte_hvdev_pkt pkt;
	struct pollfd pfd;
	int cookie, fd, n;

	TEST_RUN(configure_start(true, 0));
	TEST_ASSERT_EQUAL(rte_hvsim_wait_open(hdev, true, WAIT_MS), 0, "host open");
	TEST_ASSERT_EQUAL(rte_hvdev_intr_ctl(dev_id, RTE_EPOLL_PER_THREAD, RTE_INTR_EVENT_DEL,
					     NULL), -ENOENT, "delete before add");
	TEST_ASSERT_EQUAL(rte_hvdev_intr_ctl(dev_id, RTE_EPOLL_PER_THREAD, 99, NULL), -EINVAL,
			  "bad op");
	TEST_ASSERT_EQUAL(rte_hvdev_intr_ctl(dev_id, RTE_EPOLL_PER_THREAD, RTE_INTR_EVENT_ADD,
					     &cookie), 0, "add");
	TEST_ASSERT_EQUAL(rte_hvdev_intr_ctl(dev_id, RTE_EPOLL_PER_THREAD, RTE_INTR_EVENT_ADD,
					     &cookie), -EEXIST, "add twice");
	TEST_ASSERT_EQUAL(rte_hvdev_intr_enable(dev_id), 0, "armed, empty");
	TEST_ASSERT_EQUAL(rte_epoll_wait(RTE_EPOLL_PER_THREAD, ev, RTE_DIM(ev), 50), 0,
			  "nothing yet");
	TEST_ASSERT_EQUAL(rte_hvsim_send(hdev, RTE_HVDEV_PKT_INBAND, 0, 5, buf, 8), 0, "send");
	n = rte_epoll_wait(RTE_EPOLL_PER_THREAD, ev, RTE_DIM(ev), WAIT_MS);
	TEST_ASSERT_EQUAL(n, 1, "one event");
	TEST_ASSERT(ev[0].epdata.data == &cookie, "cookie returned");
	TEST_ASSERT_EQUAL(rte_hvdev_intr_ack(dev_id), 1, "one notification");
	TEST_ASSERT_EQUAL(rte_hvdev_recv(dev_id, &pkt, buf, sizeof(buf)), 0, "recv");
	TEST_ASSERT_EQUAL(pkt.xactid, 5, "the packet");
	TEST_ASSERT_EQUAL(rte_hvdev_intr_ctl(dev_id, RTE_EPOLL_PER_THREAD, RTE_INTR_EVENT_DEL,
					     NULL), 0, "delete");

	/* The raw fd in the caller's own loop, with the same arm-then-sleep discipline. */
	fd = rte_hvdev_intr_fd(dev_id);
	TEST_ASSERT(fd >= 0, "fd");
	TEST_ASSERT_EQUAL(rte_hvdev_intr_enable(dev_id), 0, "armed");
	TEST_ASSERT_EQUAL(rte_hvsim_send(hdev, RTE_HVDEV_PKT_INBAND, 0, 6, buf, 8), 0, "send");
	pfd.fd = fd;
	pfd.events = POLLIN;
	TEST_ASSERT_EQUAL(poll(&pfd, 1, WAIT_MS), 1, "fd readable");
	TEST_ASSERT_EQUAL(rte_hvdev_recv(dev_id, &pkt, buf, sizeof(buf)), 0, "recv");
	TEST_ASSERT_EQUAL(rte_hvdev_intr_disable(dev_id), 0, "disable");
	TEST_ASSERT_EQUAL(rte_hvsim_send(hdev, RTE_HVDEV_PKT_INBAND, 0, 7, buf, 8), 0, "send");
	TEST_ASSERT_EQUAL(rte_hvdev_intr_enable(dev_id), 1, "enable reports the waiting packet");
	return TEST_SUCCESS;
}
API_CASE(intr_ctl)

static int rescind_events, offer_events;

static void
on_event(int16_t id, enum rte_hvdev_event event, void *arg)
{
	RTE_SET_USED(arg);
	if (id != dev_id)
		return;
	if (event == RTE_HVDEV_EVENT_RESCIND)
		rescind_events++;
	else if (event == RTE_HVDEV_EVENT_OFFER)
		offer_events++;
}

static int
check_rescind_reattach(void)
{
	struct rte_hvdev_info info;
	struct rte_hvdev_stats st;
	struct rte_hvdev_pkt pkt;
	uint64_t v;

	rescind_events = 0;
	offer_events = 0;
	TEST_ASSERT_EQUAL(rte_hvdev_callback_register(dev_id, RTE_HVDEV_EVENT_MAX, on_event,
						      NULL), -EINVAL, "bad event");
	TEST_ASSERT_EQUAL(rte_hvdev_callback_register(dev_id, RTE_HVDEV_EVENT_RESCIND, NULL,
						      NULL), -EINVAL, "NULL callback");
	TEST_ASSERT_EQUAL(rte_hvdev_callback_register(dev_id, RTE_HVDEV_EVENT_RESCIND, on_event,
						      NULL), 0, "register rescind");
	TEST_ASSERT_EQUAL(rte_hvdev_callback_register(dev_id, RTE_HVDEV_EVENT_RESCIND, on_event,
						      NULL), -EEXIST, "twice");
	TEST_ASSERT_EQUAL(rte_hvdev_callback_register(RTE_HVDEV_ALL, RTE_HVDEV_EVENT_OFFER,
						      on_event, NULL), 0, "register offer");
	TEST_RUN(configure_start(true, 0));
	TEST_RUN(echo(40, 1));
	TEST_ASSERT_EQUAL(rte_hvdev_reattach(dev_id, 0), -EINVAL, "nothing to reattach");

	TEST_ASSERT_EQUAL(rte_hvsim_rescind(hdev), 0, "rescind");
	TEST_ASSERT_EQUAL(rte_hvdev_wait(dev_id, WAIT_MS), -EIO, "wait sees the rescind");
	TEST_ASSERT_EQUAL(rte_hvdev_recv(dev_id, &pkt, buf, sizeof(buf)), -EIO, "recv");
	TEST_ASSERT_EQUAL(rte_hvdev_info_get(dev_id, &info), 0, "info");
	TEST_ASSERT_EQUAL(info.state, RTE_HVDEV_STATE_RESCINDED, "rescinded");
	TEST_ASSERT_EQUAL(rescind_events, 1, "one rescind event");
	TEST_ASSERT_EQUAL(rte_hvdev_reattach(dev_id, 100), -ETIMEDOUT, "not offered yet");

	TEST_ASSERT_EQUAL(rte_hvsim_reoffer(hdev), 0, "re-offer");
	TEST_ASSERT_EQUAL(rte_hvdev_reattach(dev_id, WAIT_MS), 0, "reattach");
	TEST_ASSERT_EQUAL(offer_events, 1, "one offer event");
	TEST_ASSERT_EQUAL(rte_hvdev_info_get(dev_id, &info), 0, "info");
	TEST_ASSERT_EQUAL(info.state, RTE_HVDEV_STATE_RUNNING, "running again, same id");
	TEST_RUN(echo(40, 2));
	TEST_ASSERT_EQUAL(rte_hvdev_stats_get(dev_id, &st), 0, "stats");
	TEST_ASSERT_EQUAL(st.tx_packets, 2, "counters survive the reattach");
	TEST_ASSERT_EQUAL(st.rescinds, 1, "one rescind counted");
	TEST_ASSERT_EQUAL(rte_hvdev_xstats_get_by_name(dev_id, "reattaches", &v), 0, "xstat");
	TEST_ASSERT_EQUAL(v, 1, "one reattach");
	TEST_ASSERT_EQUAL(rte_hvdev_callback_unregister(dev_id, RTE_HVDEV_EVENT_RESCIND,
							on_event, NULL), 0, "unregister");
	TEST_ASSERT_EQUAL(rte_hvdev_callback_unregister(dev_id, RTE_HVDEV_EVENT_RESCIND,
							on_event, NULL), -ENOENT, "gone");
	TEST_ASSERT_EQUAL(rte_hvdev_callback_unregister(RTE_HVDEV_ALL, RTE_HVDEV_EVENT_OFFER,
							on_event, NULL), 0, "unregister");
	return TEST_SUCCESS;
}
API_CASE(rescind_reattach)

struct waiter {
	pthread_t tid;
	int ret;
};

static void *
waiter_run(void *arg)
{
	struct waiter *w = arg;

	w->ret = rte_hvdev_wait(dev_id, -1);
	return NULL;
}

/*
 * After a rescind the kernel frees the ring pages while they may still be mapped. The host
 * here revokes them as soon as it has told the guest (any access then faults with SIGBUS), so
 * every call after the rescind, and the stop and close that follow, must leave the ring
 * memory alone. The service sleeps when the rescind comes, as a real one does; a guest that
 * looks at the ring before it has read the node cannot know, on Hyper-V either.
 */
static int
check_stop_after_rescind(void)
{
	struct rte_hvdev_conf conf = { .intr_mode = false };
	struct rte_hvdev_info info;
	struct rte_hvdev_pkt pkt;
	struct waiter w = { .ret = 1 };

	TEST_RUN(configure_start(true, 0));
	TEST_RUN(echo(40, 1));
	TEST_ASSERT_EQUAL(pthread_create(&w.tid, NULL, waiter_run, &w), 0, "waiter");
	usleep(100000);
	TEST_ASSERT_EQUAL(rte_hvsim_rescind(hdev), 0, "rescind");
	pthread_join(w.tid, NULL);
	TEST_ASSERT_EQUAL(w.ret, -EIO, "the sleeping wait sees the rescind");
	TEST_ASSERT_EQUAL(rte_hvdev_recv(dev_id, &pkt, buf, sizeof(buf)), -EIO, "recv");
	TEST_ASSERT_EQUAL(rte_hvdev_wait(dev_id, 10), -EIO, "wait");
	TEST_ASSERT_EQUAL(rte_hvdev_intr_disable(dev_id), 0, "interrupts off");
	TEST_ASSERT_EQUAL(rte_hvdev_stop(dev_id), 0, "stop after the rescind");
	TEST_ASSERT_EQUAL(rte_hvdev_configure(dev_id, &conf), 0, "poll-mode configure");
	TEST_ASSERT_EQUAL(rte_hvdev_info_get(dev_id, &info), 0, "info");
	TEST_ASSERT_EQUAL(info.state, RTE_HVDEV_STATE_RESCINDED, "rescinded");
	TEST_ASSERT_EQUAL(rte_hvdev_start(dev_id), 0, "start");
	TEST_ASSERT_EQUAL(rte_hvdev_stop(dev_id), 0, "stop again");
	/* Guest Services back on: the new device, new rings. */
	TEST_ASSERT_EQUAL(rte_hvsim_reoffer(hdev), 0, "re-offer");
	TEST_RUN(configure_start(true, 0));
	TEST_ASSERT_EQUAL(rte_hvdev_reattach(dev_id, WAIT_MS), 0, "reattach");
	TEST_RUN(echo(64, 2));
	return TEST_SUCCESS;
}

static int
test_stop_after_rescind(void)
{
	int ret;

	setup_revoke = true;
	ret = setup();
	setup_revoke = false;
	if (ret != TEST_SUCCESS)
		return ret;
	ret = check_stop_after_rescind();
	teardown();
	return ret;
}

/*
 * The kernel unregisters a rescinded device asynchronously: its sysfs entry and node outlive
 * the rescind notification briefly (here 1.5 s), and its node can still be opened, with the
 * old rings. Reattaching to it would serve a dead channel; the reattach must wait for the
 * device that is offered again.
 */
#define LINGER_MS 1500

static int
check_no_stale_reattach(void)
{
	struct rte_hvsim_dev_stats hst;
	struct rte_hvdev_info info;
	uint64_t t0;

	TEST_RUN(configure_start(true, 0));
	TEST_RUN(echo(40, 1));
	TEST_ASSERT_EQUAL(rte_hvsim_rescind(hdev), 0, "rescind");
	TEST_ASSERT_EQUAL(rte_hvdev_wait(dev_id, WAIT_MS), -EIO, "wait sees the rescind");
	t0 = hvdev_test_now_us();
	TEST_ASSERT_EQUAL(rte_hvdev_reattach(dev_id, 300), -ETIMEDOUT,
			  "the lingering entry is the rescinded device, not a new offer");
	TEST_ASSERT(hvdev_test_now_us() - t0 < LINGER_MS * 1000ull,
		    "the stale entry was still there during the attempt");
	TEST_ASSERT_EQUAL(rte_hvdev_info_get(dev_id, &info), 0, "info");
	TEST_ASSERT_EQUAL(info.state, RTE_HVDEV_STATE_RESCINDED, "still rescinded");
	rte_hvsim_dev_stats_get(hdev, &hst);
	TEST_ASSERT_EQUAL(hst.stale_opens, 0, "the stale node was not even opened");
	/* The re-offer replaces the stale entry; that one is reattached. */
	TEST_ASSERT_EQUAL(rte_hvsim_reoffer(hdev), 0, "re-offer");
	TEST_ASSERT_EQUAL(rte_hvdev_reattach(dev_id, WAIT_MS), 0, "reattach to the new device");
	TEST_RUN(echo(64, 2));
	return TEST_SUCCESS;
}

static int
test_no_stale_reattach(void)
{
	int ret;

	setup_linger_ms = LINGER_MS;
	ret = setup();
	setup_linger_ms = 0;
	if (ret != TEST_SUCCESS)
		return ret;
	ret = check_no_stale_reattach();
	teardown();
	return ret;
}

static int
check_devargs(void)
{
	static const char *const bad[] = {
		"class=floppy", "uuid=not-a-guid", "root=relative/path", "colour=blue",
		"wait_ms=-1", "wait_ms=abc", "ignore=2", "class=kvp",
	};
	char args[512];
	unsigned int i;

	for (i = 0; i < RTE_DIM(bad); i++) {
		snprintf(args, sizeof(args), "%s,root=%s", bad[i], root);
		TEST_ASSERT(rte_vdev_init("hvdev_uio9", args) < 0, "refused: %s", bad[i]);
		TEST_ASSERT(rte_hvdev_get_dev_id_by_name("hvdev_uio9") < 0, "no device: %s",
			    bad[i]);
	}
	TEST_ASSERT_EQUAL(rte_vdev_init("hvdev_uio8", "ignore=1"), 0, "ignore=1 is accepted");
	TEST_ASSERT_EQUAL(rte_hvdev_count_avail(), 1, "and creates nothing");
	rte_vdev_uninit("hvdev_uio8");
	return TEST_SUCCESS;
}
API_CASE(devargs)

static int
check_dump(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	TEST_RUN(configure_start(true, 0));
	f = open_memstream(&text, &len);
	TEST_ASSERT(f != NULL, "memstream");
	TEST_ASSERT_EQUAL(rte_hvdev_dump(dev_id, f), 0, "dump");
	fclose(f);
	TEST_ASSERT(strstr(text, "fcopy") != NULL && strstr(text, "running") != NULL &&
		    strstr(text, "interrupt mode") != NULL, "dump text: %s", text);
	free(text);
	TEST_ASSERT_EQUAL(rte_hvdev_dump(dev_id, NULL), -EINVAL, "NULL file");
	return TEST_SUCCESS;
}
API_CASE(dump)

static const struct hvdev_test_case cases[] = {
	HVDEV_CASE(lookup, test_lookup),
	HVDEV_CASE(lifecycle, test_lifecycle),
	HVDEV_CASE(stats, test_stats),
	HVDEV_CASE(wait_modes, test_wait_modes),
	HVDEV_CASE(intr_ctl, test_intr_ctl),
	HVDEV_CASE(rescind_reattach, test_rescind_reattach),
	HVDEV_CASE(stop_after_rescind, test_stop_after_rescind),
	HVDEV_CASE(no_stale_reattach, test_no_stale_reattach),
	HVDEV_CASE(devargs, test_devargs),
	HVDEV_CASE(dump, test_dump),
};

int
main(int argc, char **argv)
{
	return hvdev_test_main(argc, argv, cases, RTE_DIM(cases));
}
