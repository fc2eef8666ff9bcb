/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * host: only the simulated Hyper-V host, in a process of its own (no EAL), so that a guest
 * in another process measures a round trip that crosses processes as on Hyper-V, and so that
 * the guest's CPU time is the guest's alone. It offers --sim-devices devices under --sim=ROOT.
 * By default it echoes every packet (the peer of "echo"); with --ping it is the active side
 * (the peer of "serve"): once the guest has opened every device it keeps one packet in
 * flight on each, times the echoes for --seconds and reports.
 *
 * SIGINT and SIGTERM are blocked in every thread (main() does it before the host thread
 * starts) and taken here with sigtimedwait(), so the host thread never sees them.
 */

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include <rte_common.h>

#include "output.h"
#include "test_hvdev.h"

#define HOST_DEFAULT_PING_S 5
/* Time for the pings in flight to come back after the last one was sent. */
#define HOST_DRAIN_MS 200
#define HOST_OPEN_SLICE_MS 100

/* Sleep up to @p ms (-1: forever) or until SIGINT/SIGTERM, which sets th_quit. */
static void
host_sleep(int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if ((ms < 0 ? sigwaitinfo(&set, NULL) : sigtimedwait(&set, NULL, &ts)) > 0)
		th_quit = true;
}

/* Sleep until @p deadline_ns (0: none) or a signal. */
static void
host_sleep_until(uint64_t deadline_ns)
{
	uint64_t now;

	while (!th_quit) {
		if (deadline_ns == 0) {
			host_sleep(-1);
			continue;
		}
		now = th_now_ns();
		if (now >= deadline_ns)
			return;
		host_sleep((int)RTE_MIN((deadline_ns - now + 999999) / 1000000, 1000u));
	}
}

static int
host_wait_open(void)
{
	while (!th_quit) {
		if (th_sim_wait_open(HOST_OPEN_SLICE_MS) == 0)
			return 0;
		host_sleep(0);
	}
	return -EINTR;
}

static void
host_report(const struct th_opts *o, double secs, uint64_t cpu_us)
{
	struct th_json j;

	if (!o->json) {
		th_sim_ping_report(NULL, false, secs);
		printf("host: cpu %" PRIu64 " us (%.1f %% of one core)\n", cpu_us,
		       secs > 0 ? cpu_us / 1e4 / secs : 0);
		return;
	}
	th_json_begin(&j, stdout);
	th_json_obj_open(&j, NULL);
	th_json_str(&j, "role", o->sim.ping ? "ping" : "echo");
	th_json_u64(&j, "size", o->sim.ping_size);
	th_sim_ping_report(&j, true, secs);
	th_json_u64(&j, "host_cpu_us", cpu_us);
	th_json_obj_close(&j);
	th_json_end(&j);
}

/* Echo until a signal or --seconds; report the host's counters. */
static int
host_echo(const struct th_opts *o)
{
	uint64_t t0 = th_now_ns(), cpu0 = th_process_cpu_us();

	host_sleep_until(o->seconds > 0 ? t0 + o->seconds * 1000000000ull : 0);
	host_report(o, (th_now_ns() - t0) / 1e9, th_process_cpu_us() - cpu0);
	return 0;
}

static int
host_ping(const struct th_opts *o)
{
	uint32_t secs = o->seconds > 0 ? o->seconds : HOST_DEFAULT_PING_S;
	uint64_t t0, cpu0, elapsed;
	int ret;

	if (host_wait_open() < 0)
		return 0;
	fprintf(stderr, "host: all %u devices open; pinging for %" PRIu32 " s\n",
		o->sim.devices, secs);
	fflush(stderr);
	t0 = th_now_ns();
	cpu0 = th_process_cpu_us();
	ret = th_sim_ping_start();
	if (ret == 0)
		host_sleep_until(t0 + (uint64_t)secs * 1000000000u);
	th_sim_ping_stop();
	elapsed = th_now_ns() - t0;
	if (!th_quit)
		host_sleep(HOST_DRAIN_MS);
	host_report(o, elapsed / 1e9, th_process_cpu_us() - cpu0);
	return ret;
}

int
th_cmd_host(const struct th_opts *o, int16_t dev_id)
{
	RTE_SET_USED(dev_id);
	/* Scripts wait for this line before they start the guest. */
	fprintf(stderr, "host: ready: %u %s device%s under %s\n", o->sim.devices,
		o->sim.class_name, o->sim.devices > 1 ? "s" : "", o->sim.root);
	fflush(stderr);
	return o->sim.ping ? host_ping(o) : host_echo(o);
}
