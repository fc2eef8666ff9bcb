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
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <rte_common.h>

#include <rte_hvdev.h>
#include <rte_hvdev_fcopy.h>
#include <rte_hvdev_ic.h>

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

/*
 * floor-files: the least a guest can do per copied file, for the benchmark's small-file
 * floor. It serves an fcopy device on the same ring code, wait mode and simulated host as
 * dpdk-hv-fcopy, and for each copy only opens the path the host names (no policy, no
 * checks beyond the lengths it reads, no directory created), pwrites each WRITE and closes
 * at COMPLETE: no temporary file, no flush, no log line, no record. It runs until SIGINT or
 * SIGTERM (or --seconds). Names must be ASCII.
 */

#define FF_WRITE_HDR offsetof(struct rte_hvdev_fcopy_write, data)

struct ff_run {
	int fd;
	uint64_t files, bytes, errors;
};

/* UTF-16LE to ASCII; @return 0, or -1 for a longer name or anything but ASCII. */
static int
ff_ascii(const uint16_t *u, char *out, size_t len)
{
	size_t i;

	for (i = 0; i < RTE_HVDEV_FCOPY_MAX_PATH && i + 1 < len; i++) {
		if (u[i] == 0 || u[i] > 0x7f) {
			out[i] = '\0';
			return u[i] == 0 ? 0 : -1;
		}
		out[i] = (char)u[i];
	}
	return -1;
}

static uint32_t
ff_fcopy(struct ff_run *r, const uint8_t *body, uint32_t len)
{
	struct rte_hvdev_fcopy_start st;
	char name[RTE_HVDEV_FCOPY_MAX_PATH], dir[RTE_HVDEV_FCOPY_MAX_PATH];
	char path[2 * RTE_HVDEV_FCOPY_MAX_PATH + 2];
	uint64_t off;
	uint32_t op, n;

	if (len < sizeof(struct rte_hvdev_fcopy_hdr))
		return RTE_HVDEV_IC_INVALIDARG;
	memcpy(&op, body, sizeof(op));
	switch (op) {
	case RTE_HVDEV_FCOPY_START:
		if (len < sizeof(st))
			return RTE_HVDEV_IC_INVALIDARG;
		memcpy(&st, body, sizeof(st));
		if (r->fd >= 0)
			close(r->fd);
		if (ff_ascii(st.file_name, name, sizeof(name)) < 0 ||
		    ff_ascii(st.path_name, dir, sizeof(dir)) < 0)
			return RTE_HVDEV_IC_INVALIDARG;
		/* Hyper-V's rule without the look-up: a path ending in '/' is the directory. */
		if (dir[0] != '\0' && dir[strlen(dir) - 1] == '/')
			snprintf(path, sizeof(path), "%s%s", dir, name);
		else
			snprintf(path, sizeof(path), "%s", dir);
		r->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		return r->fd >= 0 ? RTE_HVDEV_IC_S_OK : RTE_HVDEV_IC_E_FAIL;
	case RTE_HVDEV_FCOPY_WRITE:
		if (len < FF_WRITE_HDR || r->fd < 0)
			return RTE_HVDEV_IC_E_FAIL;
		memcpy(&off, body + offsetof(struct rte_hvdev_fcopy_write, offset), sizeof(off));
		memcpy(&n, body + offsetof(struct rte_hvdev_fcopy_write, size), sizeof(n));
		if (n > len - FF_WRITE_HDR ||
		    pwrite(r->fd, body + FF_WRITE_HDR, n, (off_t)off) != (ssize_t)n)
			return RTE_HVDEV_IC_E_FAIL;
		r->bytes += n;
		return RTE_HVDEV_IC_S_OK;
	case RTE_HVDEV_FCOPY_COMPLETE:
		if (r->fd < 0)
			return RTE_HVDEV_IC_E_FAIL;
		close(r->fd);
		r->fd = -1;
		r->files++;
		return RTE_HVDEV_IC_S_OK;
	case RTE_HVDEV_FCOPY_CANCEL:
		if (r->fd >= 0)
			close(r->fd);
		r->fd = -1;
		return RTE_HVDEV_IC_S_OK;
	}
	return RTE_HVDEV_IC_INVALIDARG;
}

/* Answer one message in place. */
static void
ff_handle(struct ff_run *r, uint8_t *msg, uint32_t len)
{
	static const struct rte_hvdev_ic_version fw = {
		RTE_HVDEV_FCOPY_FW_MAJOR, RTE_HVDEV_FCOPY_FW_MINOR };
	static const struct rte_hvdev_ic_version srv = {
		RTE_HVDEV_FCOPY_SRV_MAJOR, RTE_HVDEV_FCOPY_SRV_MINOR };
	struct rte_hvdev_ic_hdr hdr;
	uint32_t body_len, status;

	if (rte_hvdev_ic_parse(msg, len, &hdr, &body_len) < 0) {
		status = RTE_HVDEV_IC_INVALIDARG;
	} else if (hdr.icmsgtype == RTE_HVDEV_IC_MSG_NEGOTIATE) {
		if (rte_hvdev_ic_negotiate(msg, len, &fw, 1, &srv, 1, NULL, NULL) == 0)
			return;
		status = RTE_HVDEV_IC_E_FAIL;
	} else if (hdr.icmsgtype == RTE_HVDEV_IC_MSG_FCOPY) {
		status = ff_fcopy(r, msg + RTE_HVDEV_IC_HDR_SIZE, body_len);
	} else {
		status = RTE_HVDEV_IC_NOT_SUPPORTED;
	}
	if (status != RTE_HVDEV_IC_S_OK)
		r->errors++;
	rte_hvdev_ic_make_response(msg, status);
}

int
th_cmd_floor_files(const struct th_opts *o, int16_t dev_id)
{
	struct ff_run r = { .fd = -1 };
	struct rte_hvdev_info info;
	struct rte_hvdev_pkt pkt;
	uint64_t t0 = th_now_ns(), end = 0;
	uint32_t size;
	uint8_t *buf;
	struct th_json j;
	int ret;

	ret = rte_hvdev_info_get(dev_id, &info);
	if (ret < 0)
		return ret;
	size = RTE_MAX(info.max_payload, 8192u);
	buf = malloc(size);
	if (buf == NULL)
		return -ENOMEM;
	ret = th_dev_start(dev_id, o->mode, o->busy_poll_us);
	if (ret < 0)
		goto out;
	if (o->seconds > 0)
		end = t0 + (uint64_t)o->seconds * 1000000000u;
	/* Scripts wait for this line (on stderr with --json) to know the device is running. */
	fprintf(o->json ? stderr : stdout, "serving %s as the file floor in %s mode\n",
		info.dev_name, th_mode_name(o->mode));
	fflush(o->json ? stderr : stdout);
	while (!th_quit && (end == 0 || th_now_ns() < end)) {
		ret = th_dev_wait(dev_id, 1000);
		if (ret == -EINTR) {
			ret = 0;
			break;
		}
		if (ret < 0)
			break;
		for (;;) {
			ret = th_dev_recv(dev_id, &pkt, &buf, &size);
			if (ret < 0)
				break;
			ff_handle(&r, buf, pkt.len);
			ret = th_dev_send(dev_id, RTE_HVDEV_PKT_INBAND, 0, pkt.xactid, buf,
					  pkt.len);
			if (ret < 0)
				break;
		}
		if (ret == -EAGAIN)
			ret = 0;
		if (ret < 0) {
			TH_LOG(ERR, "floor-files: %s: %s", info.dev_name, strerror(-ret));
			break;
		}
	}
	th_dev_stop(dev_id);
	if (r.fd >= 0)
		close(r.fd);
	if (o->json) {
		th_json_begin(&j, stdout);
		th_json_obj_open(&j, NULL);
		th_json_u64(&j, "files", r.files);
		th_json_u64(&j, "bytes", r.bytes);
		th_json_u64(&j, "errors", r.errors);
		th_json_double(&j, "elapsed_s", (th_now_ns() - t0) / 1e9);
		th_json_obj_close(&j);
		th_json_end(&j);
	} else {
		printf("floor-files: %" PRIu64 " files, %" PRIu64 " bytes, %" PRIu64 " errors\n",
		       r.files, r.bytes, r.errors);
	}
out:
	free(buf);
	return ret;
}
