/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * serve all: echo on every device from one lcore, the way a service with many channels
 * would run. In interrupt and adaptive modes the loop sleeps in one epoll set holding every
 * device's interrupt (rte_hvdev_intr_ctl()) and a pipe the signal handler writes to, with no
 * timeout: an idle set of devices, however many, costs no wake-up at all. A device that woke
 * us has its interrupt disarmed while it is drained and armed again (arm, re-check) before
 * the next sleep; adaptive mode first keeps polling every device for --busy-poll-us after
 * the last packet. Poll mode spins over the devices.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>

#include <rte_common.h>
#include <rte_epoll.h>
#include <rte_interrupts.h>

#include <rte_hvdev.h>

#include "output.h"
#include "test_hvdev.h"

#define SERVE_ALL_EVENTS 64

struct sa_dev {
	int16_t id;
	bool armed;
	bool dead;		/* rescinded or broken: left out */
};

struct serve_all {
	struct sa_dev *devs;
	unsigned int ndevs;
	unsigned int nlive;
	uint8_t *buf;
	uint32_t size;
	int epfd;
	int pipefd[2];
	struct rte_epoll_event quit_ev;
	uint64_t packets;
	uint64_t bytes;
	uint64_t errors;
	uint64_t wakeups;
	uint64_t deadline_ns;	/* 0: none */
};

static void
sa_drop(struct serve_all *sa, struct sa_dev *d, int err)
{
	TH_LOG(WARNING, "serve: device %d: %s; no longer served", d->id, strerror(-err));
	d->dead = true;
	sa->nlive--;
	if (sa->epfd >= 0)
		rte_hvdev_intr_ctl(d->id, sa->epfd, RTE_INTR_EVENT_DEL, NULL);
}

/* Echo everything waiting on one device. @return packets echoed. */
static unsigned int
sa_drain(struct serve_all *sa, struct sa_dev *d)
{
	struct rte_hvdev_pkt pkt;
	unsigned int n = 0;
	int ret;

	while (!d->dead) {
		ret = th_dev_recv(d->id, &pkt, &sa->buf, &sa->size);
		if (ret == -EAGAIN)
			break;
		if (ret < 0) {
			sa_drop(sa, d, ret);
			break;
		}
		ret = th_dev_send(d->id, pkt.type, pkt.flags, pkt.xactid, sa->buf, pkt.len);
		if (ret == -EIO) {
			sa_drop(sa, d, ret);
			break;
		}
		if (ret < 0) {
			sa->errors++;
			continue;
		}
		n++;
		sa->packets++;
		sa->bytes += pkt.len;
	}
	return n;
}

static unsigned int
sa_drain_all(struct serve_all *sa)
{
	unsigned int i, n = 0;

	for (i = 0; i < sa->ndevs; i++)
		if (!sa->devs[i].armed)
			n += sa_drain(sa, &sa->devs[i]);
	return n;
}

/* Arm every disarmed device. @return true when one had packets already (do not sleep). */
static bool
sa_arm_all(struct serve_all *sa)
{
	bool pending = false;
	unsigned int i;
	int ret;

	for (i = 0; i < sa->ndevs; i++) {
		struct sa_dev *d = &sa->devs[i];

		if (d->dead || d->armed)
			continue;
		ret = rte_hvdev_intr_enable(d->id);
		if (ret == 0)
			d->armed = true;
		else if (ret == 1)
			pending = true;
		else
			sa_drop(sa, d, ret);
	}
	return pending;
}

static int
sa_timeout_ms(const struct serve_all *sa)
{
	uint64_t now;

	if (sa->deadline_ns == 0)
		return -1;
	now = th_now_ns();
	return now >= sa->deadline_ns ? 0 : (int)((sa->deadline_ns - now + 999999) / 1000000);
}

/* Sleep until a device interrupts (it is disarmed, its notifications consumed). */
static int
sa_sleep(struct serve_all *sa)
{
	struct rte_epoll_event ev[SERVE_ALL_EVENTS];
	struct sa_dev *d;
	int i, n;

	n = rte_epoll_wait_interruptible(sa->epfd, ev, RTE_DIM(ev), sa_timeout_ms(sa));
	sa->wakeups++;
	if (n < 0)
		return errno == EINTR || th_quit ? 0 : -errno;
	for (i = 0; i < n; i++) {
		d = ev[i].epdata.data;
		if (d == NULL || d->dead)
			continue;	/* the quit pipe: th_quit is set */
		d->armed = false;
		rte_hvdev_intr_disable(d->id);
		if (rte_hvdev_intr_ack(d->id) == -EIO)
			sa_drop(sa, d, -EIO);
	}
	return 0;
}

static int
sa_loop(struct serve_all *sa, const struct th_opts *o)
{
	uint64_t budget_ns = (uint64_t)o->busy_poll_us * 1000u, last = 0;
	int ret;

	while (!th_quit && sa->nlive > 0 && sa_timeout_ms(sa) != 0) {
		if (sa_drain_all(sa) > 0 || last == 0)
			last = th_now_ns();
		if (o->mode == TH_MODE_POLL ||
		    (o->mode == TH_MODE_ADAPTIVE && th_now_ns() - last < budget_ns))
			continue;
		if (sa_arm_all(sa))
			continue;
		ret = sa_sleep(sa);
		if (ret < 0) {
			TH_LOG(ERR, "serve: epoll wait failed: %s", strerror(-ret));
			return ret;
		}
		last = 0;
	}
	return 0;
}

/* The epoll set: every device's interrupt, and the pipe written at SIGINT/SIGTERM. */
static int
sa_epoll_setup(struct serve_all *sa)
{
	unsigned int i;
	int ret;

	sa->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (sa->epfd < 0 || pipe2(sa->pipefd, O_CLOEXEC | O_NONBLOCK) < 0) {
		TH_LOG(ERR, "serve: cannot create the epoll set: %s", strerror(errno));
		return -errno;
	}
	sa->quit_ev.epdata.event = EPOLLIN;
	sa->quit_ev.epdata.data = NULL;
	ret = rte_epoll_ctl(sa->epfd, EPOLL_CTL_ADD, sa->pipefd[0], &sa->quit_ev);
	if (ret < 0)
		return ret;
	th_quit_fd = sa->pipefd[1];
	for (i = 0; i < sa->ndevs; i++) {
		ret = rte_hvdev_intr_ctl(sa->devs[i].id, sa->epfd, RTE_INTR_EVENT_ADD,
					 &sa->devs[i]);
		if (ret < 0) {
			TH_LOG(ERR, "serve: cannot add device %d to the epoll set: %s",
			       sa->devs[i].id, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

static int
sa_start(struct serve_all *sa, const struct th_opts *o)
{
	struct rte_hvdev_info info;
	int16_t id;
	int ret;

	sa->devs = calloc(RTE_MAX(rte_hvdev_count_avail(), 1u), sizeof(*sa->devs));
	if (sa->devs == NULL)
		return -ENOMEM;
	RTE_HVDEV_FOREACH_DEV(id) {
		if (sa->ndevs == rte_hvdev_count_avail() || rte_hvdev_info_get(id, &info) < 0)
			continue;
		sa->size = RTE_MAX(sa->size, info.rx_ring_data_size);
		ret = th_dev_start(id, o->mode, o->busy_poll_us);
		if (ret < 0)
			return ret;
		sa->devs[sa->ndevs++].id = id;
	}
	sa->nlive = sa->ndevs;
	if (sa->ndevs == 0) {
		TH_LOG(ERR, "serve all: there is no device");
		return -ENODEV;
	}
	sa->buf = malloc(sa->size);
	if (sa->buf == NULL)
		return -ENOMEM;
	return o->mode == TH_MODE_POLL ? 0 : sa_epoll_setup(sa);
}

static void
sa_stop(struct serve_all *sa)
{
	unsigned int i;

	th_quit_fd = -1;
	for (i = 0; i < sa->ndevs; i++) {
		if (sa->epfd >= 0 && !sa->devs[i].dead)
			rte_hvdev_intr_ctl(sa->devs[i].id, sa->epfd, RTE_INTR_EVENT_DEL, NULL);
		th_dev_stop(sa->devs[i].id);
	}
	if (sa->epfd >= 0)
		close(sa->epfd);
	for (i = 0; i < 2; i++)
		if (sa->pipefd[i] >= 0)
			close(sa->pipefd[i]);
	free(sa->buf);
	free(sa->devs);
}

static void
sa_report(const struct serve_all *sa, const struct th_opts *o, double secs, uint64_t cpu_us)
{
	struct th_json j;

	if (!o->json) {
		printf("served %" PRIu64 " packets (%" PRIu64 " bytes) on %u devices in %.3f s, "
		       "%" PRIu64 " errors, %" PRIu64 " epoll wake-ups, %" PRIu64
		       " us CPU (serving thread)\n", sa->packets, sa->bytes, sa->ndevs, secs,
		       sa->errors, sa->wakeups, cpu_us);
		return;
	}
	th_json_begin(&j, stdout);
	th_json_obj_open(&j, NULL);
	th_json_str(&j, "mode", th_mode_name(o->mode));
	th_json_u64(&j, "devices", sa->ndevs);
	th_json_u64(&j, "packets", sa->packets);
	th_json_u64(&j, "bytes", sa->bytes);
	th_json_u64(&j, "errors", sa->errors);
	th_json_u64(&j, "wakeups", sa->wakeups);
	th_json_u64(&j, "thread_cpu_us", cpu_us);
	th_json_double(&j, "elapsed_s", secs);
	th_json_obj_close(&j);
	th_json_end(&j);
}

int
th_cmd_serve_all(const struct th_opts *o)
{
	struct serve_all sa = { .epfd = -1, .pipefd = { -1, -1 } };
	uint64_t t0 = th_now_ns(), cpu0 = th_thread_cpu_us();
	int ret;

	ret = sa_start(&sa, o);
	if (ret == 0) {
		if (o->seconds > 0)
			sa.deadline_ns = t0 + (uint64_t)o->seconds * 1000000000u;
		/* Scripts wait for this line (standard error, so that --json stays clean). */
		fprintf(stderr, "serving %u devices in %s mode; stop with SIGINT or SIGTERM\n",
			sa.ndevs, th_mode_name(o->mode));
		fflush(stderr);
		ret = sa_loop(&sa, o);
		sa_report(&sa, o, (th_now_ns() - t0) / 1e9, th_thread_cpu_us() - cpu0);
	}
	sa_stop(&sa);
	return ret;
}
