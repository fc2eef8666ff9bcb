/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * floor: the fastest wake-up round trip this machine allows between two processes through
 * the kind of fd the channel uses. The simulator's node is an AF_UNIX SOCK_SEQPACKET socket
 * carrying 4-byte messages, and each side of a real round trip sleeps in poll() and then
 * reads, so this does exactly that and nothing else: no ring, no copy, no DPDK. The echo
 * latency of a device is judged against it.
 */

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <rte_common.h>

#include "output.h"
#include "test_hvdev.h"

#define FLOOR_DEFAULT_COUNT 10000

/* Sleep in poll() until @p fd is readable, then read one 4-byte message. */
static int
floor_recv(int fd, uint32_t *v)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n;

	for (;;) {
		if (poll(&pfd, 1, -1) < 0) {
			if (errno == EINTR && !th_quit)
				continue;
			return -errno;
		}
		n = read(fd, v, sizeof(*v));
		if (n == (ssize_t)sizeof(*v))
			return 0;
		if (n == 0)
			return -ECONNRESET;
		if (n < 0 && errno != EINTR && errno != EAGAIN)
			return -errno;
	}
}

static int
floor_send(int fd, uint32_t v)
{
	return write(fd, &v, sizeof(v)) == (ssize_t)sizeof(v) ? 0 : -errno;
}

/* The other process: answer every message until the socket closes. */
static void __rte_noreturn
floor_child(int fd)
{
	uint32_t v;

	while (floor_recv(fd, &v) == 0)
		if (floor_send(fd, v) < 0)
			break;
	_exit(0);
}

static int
floor_loop(int fd, uint64_t *ns, uint32_t count, uint32_t *done)
{
	uint32_t i, v;
	uint64_t t0;
	int ret;

	for (i = 0; i < count && !th_quit; i++) {
		t0 = th_now_ns();
		ret = floor_send(fd, i);
		if (ret == 0)
			ret = floor_recv(fd, &v);
		if (ret == 0 && v != i)
			ret = -EPROTO;
		if (ret < 0) {
			TH_LOG(ERR, "floor: round trip %" PRIu32 " failed: %s", i, strerror(-ret));
			return ret;
		}
		ns[i] = th_now_ns() - t0;
		(*done)++;
	}
	return 0;
}

static void
floor_report(const struct th_opts *o, const struct th_lat *s, uint32_t done, double secs)
{
	struct th_json j;

	if (!o->json) {
		printf("floor: %" PRIu32 " round trips between two processes over an AF_UNIX "
		       "SOCK_SEQPACKET socketpair (poll + read, 4 bytes) in %.3f s\n", done, secs);
		if (done > 0)
			th_lat_text(s);
		return;
	}
	th_json_begin(&j, stdout);
	th_json_obj_open(&j, NULL);
	th_json_str(&j, "fd", "AF_UNIX SOCK_SEQPACKET socketpair, poll + read, 4 bytes");
	th_json_u64(&j, "count", done);
	th_lat_json(&j, s, done);
	th_json_double(&j, "elapsed_s", secs);
	th_json_obj_close(&j);
	th_json_end(&j);
}

int
th_cmd_floor(const struct th_opts *o, int16_t dev_id)
{
	uint32_t count = o->count != 0 ? o->count : FLOOR_DEFAULT_COUNT, done = 0;
	struct th_lat s = { 0 };
	uint64_t *ns, t0;
	int sv[2], ret, status;
	pid_t pid;

	RTE_SET_USED(dev_id);
	ns = calloc(count, sizeof(*ns));
	if (ns == NULL)
		return -ENOMEM;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		ret = -errno;
		TH_LOG(ERR, "floor: socketpair: %s", strerror(errno));
		free(ns);
		return ret;
	}
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		floor_child(sv[1]);
	}
	close(sv[1]);
	if (pid < 0) {
		ret = -errno;
		TH_LOG(ERR, "floor: fork: %s", strerror(errno));
		close(sv[0]);
		free(ns);
		return ret;
	}
	t0 = th_now_ns();
	ret = floor_loop(sv[0], ns, count, &done);
	close(sv[0]);		/* the child sees end of file and exits */
	waitpid(pid, &status, 0);
	if (done > 0)
		th_lat_summarize(ns, done, &s);
	floor_report(o, &s, done, (th_now_ns() - t0) / 1e9);
	free(ns);
	return ret;
}
