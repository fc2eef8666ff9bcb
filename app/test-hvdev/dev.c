/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/* Device helpers shared by the commands: lookup, start and stop, waiting, clocks, signals. */

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/uio.h>

#include <rte_common.h>

#include <rte_hvdev.h>

#include "test_hvdev.h"

/*
 * Waits are cut into slices of this length so that a signal delivered to another thread
 * (EAL's, telemetry's or the simulated host's) still ends the run promptly.
 */
#define WAIT_SLICE_MS 100

volatile bool th_quit;
/* When >= 0, a byte is written here at SIGINT/SIGTERM, to wake an epoll loop in any thread. */
int th_quit_fd = -1;

static void
on_signal(int sig)
{
	char c = 1;

	RTE_SET_USED(sig);
	th_quit = true;
	if (th_quit_fd >= 0 && write(th_quit_fd, &c, 1) < 0)
		return;		/* the pipe is full: a wake-up is already pending */
}

void
th_signals_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a sleep in this thread ends with EINTR. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static void
log_known_devices(void)
{
	struct rte_hvdev_info info;
	unsigned int n = 0;
	int16_t id;

	RTE_HVDEV_FOREACH_DEV(id) {
		if (rte_hvdev_info_get(id, &info) == 0) {
			TH_LOG(ERR, "  %d  %s (%s)", id, info.dev_name, info.class_name);
			n++;
		}
	}
	if (n == 0)
		TH_LOG(ERR, "there is no hvdev device: bind the device to uio_hv_generic, "
		       "give --vdev=hvdev_uio0,class=<class> to EAL, or use --sim");
}

/* <dev> is a device id (digits only) or a device name. */
int
th_dev_resolve(const char *arg, int16_t *dev_id)
{
	char *end;
	long id;
	int ret;

	errno = 0;
	id = strtol(arg, &end, 10);
	if (arg[0] >= '0' && arg[0] <= '9' && *end == '\0' && errno == 0) {
		ret = id <= INT16_MAX && rte_hvdev_is_valid((int16_t)id) ? (int)id : -ENODEV;
	} else {
		ret = rte_hvdev_get_dev_id_by_name(arg);
	}
	if (ret < 0) {
		TH_LOG(ERR, "unknown device '%s'; the devices are:", arg);
		log_known_devices();
		return -ENODEV;
	}
	*dev_id = (int16_t)ret;
	return 0;
}

int
th_dev_start(int16_t dev_id, enum th_mode mode, uint32_t busy_poll_us)
{
	struct rte_hvdev_conf conf = {
		.intr_mode = mode != TH_MODE_POLL,
		.busy_poll_us = mode == TH_MODE_ADAPTIVE ? busy_poll_us : 0,
	};
	int ret;

	ret = rte_hvdev_configure(dev_id, &conf);
	if (ret < 0) {
		TH_LOG(ERR, "cannot configure device %d in %s mode: %s", dev_id,
		       th_mode_name(mode), strerror(-ret));
		return ret;
	}
	ret = rte_hvdev_start(dev_id);
	if (ret < 0) {
		TH_LOG(ERR, "cannot start device %d: %s", dev_id, strerror(-ret));
		return ret;
	}
	return 0;
}

/* Stopping leaves the rest to rte_eal_cleanup(): the PMD's remove closes the channel. */
void
th_dev_stop(int16_t dev_id)
{
	rte_hvdev_stop(dev_id);
}

/*
 * Wait up to @p timeout_ms for a packet, ending early on SIGINT/SIGTERM.
 * @return 1 (a packet is waiting), 0 (timeout), -EINTR (asked to quit), or an error.
 */
int
th_dev_wait(int16_t dev_id, int timeout_ms)
{
	int left = timeout_ms, slice, ret;

	for (;;) {
		if (th_quit)
			return -EINTR;
		slice = RTE_MIN(left, WAIT_SLICE_MS);
		ret = rte_hvdev_wait(dev_id, slice);
		if (ret == -EINTR)
			continue;	/* th_quit tells whether it was ours */
		if (ret != 0 || left <= slice)
			return ret;
		left -= slice;
	}
}

/* Send one packet; when the ring is full, wait for the host to make room, once. */
int
th_dev_send(int16_t dev_id, uint16_t type, uint16_t flags, uint64_t xactid,
	    const uint8_t *buf, uint32_t len)
{
	struct iovec iov = { .iov_base = (void *)(uintptr_t)buf, .iov_len = len };
	int ret;

	ret = rte_hvdev_send(dev_id, type, flags, xactid, &iov, 1);
	if (ret == -EAGAIN) {
		/* The host signals when it has drained enough. */
		ret = rte_hvdev_wait_tx(dev_id, len, TH_DEFAULT_TIMEOUT_MS);
		if (ret == 0)
			ret = rte_hvdev_send(dev_id, type, flags, xactid, &iov, 1);
	}
	return ret;
}

/* Receive the waiting packet into *buf (malloc'ed), growing it when the packet is larger. */
int
th_dev_recv(int16_t dev_id, struct rte_hvdev_pkt *pkt, uint8_t **buf, uint32_t *size)
{
	uint8_t *bigger;
	int ret;

	ret = rte_hvdev_recv(dev_id, pkt, *buf, *size);
	if (ret != -ENOBUFS)
		return ret;
	bigger = realloc(*buf, pkt->len);
	if (bigger == NULL)
		return -ENOMEM;
	*buf = bigger;
	*size = pkt->len;
	return rte_hvdev_recv(dev_id, pkt, *buf, *size);
}

uint64_t
th_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t
cpu_clock_us(clockid_t clock)
{
	struct timespec ts;

	if (clock_gettime(clock, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/*
 * CPU time of the calling thread: the data path itself. The CPU-time clocks are exact, where
 * getrusage() is sampled at the tick and useless for runs of a few milliseconds.
 */
uint64_t
th_thread_cpu_us(void)
{
	return cpu_clock_us(CLOCK_THREAD_CPUTIME_ID);
}

/* CPU time of the whole process: with --sim it includes the simulated host. */
uint64_t
th_process_cpu_us(void)
{
	return cpu_clock_us(CLOCK_PROCESS_CPUTIME_ID);
}

static uint32_t
pattern_next(uint32_t *x)
{
	*x = *x * 1103515245u + 12345u;
	return *x >> 16;
}

/* A payload that differs with @p seed, so that an echo of the wrong packet is noticed. */
void
th_pattern_fill(uint8_t *buf, uint32_t len, uint64_t seed)
{
	uint32_t i, x = (uint32_t)(seed ^ (seed >> 32)) * 2654435761u + 1;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)pattern_next(&x);
}
