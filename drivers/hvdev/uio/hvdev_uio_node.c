/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * Opening a device node and mapping its rings. These are the only lines that differ between
 * the kernel's /dev/uioN and the simulator's socket node; everything after them is shared.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <rte_atomic.h>

#include "hvdev_uio_chan.h"
#include "hvdev_uio_log.h"
#include "hvdev_uio_node.h"
#include "hvdev_uio_priv.h"

#define HVDEV_SIMNODE_HELLO_TIMEOUT_MS 5000

static int
open_uio_node(const struct hvdev_uio_devinfo *info, struct hvdev_node *node)
{
	node->fd = open(info->node_path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (node->fd < 0) {
		int ret = -errno;

		HVDEV_UIO_LOG(ERR, "%s: cannot open %s: %s", info->instance_str,
			      info->node_path, strerror(errno));
		return ret;
	}
	/* uio selects map N by the page-index offset; map 0 holds both rings. */
	node->mem = mmap(NULL, info->map0_size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 node->fd, 0);
	if (node->mem == MAP_FAILED) {
		int ret = -errno;

		HVDEV_UIO_LOG(ERR, "%s: cannot map %" PRIu64 " bytes of rings from %s: %s",
			      info->instance_str, info->map0_size, info->node_path,
			      strerror(errno));
		close(node->fd);
		return ret;
	}
	node->kind = HVDEV_NODE_UIO;
	return 0;
}

/* Receive the hello message and the ring memory descriptor that come with it. */
static int
recv_simnode_hello(int sock, struct hvdev_simnode_hello *hello, int *memfd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = hello, .iov_len = sizeof(*hello) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	struct pollfd pfd = { .fd = sock, .events = POLLIN };
	struct cmsghdr *cmsg;
	ssize_t n;

	*memfd = -1;
	if (poll(&pfd, 1, HVDEV_SIMNODE_HELLO_TIMEOUT_MS) <= 0)
		return -ETIMEDOUT;
	n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	if (n < 0)
		return -errno;
	cmsg = CMSG_FIRSTHDR(&msg);
	if (cmsg != NULL && cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS &&
	    cmsg->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(memfd, CMSG_DATA(cmsg), sizeof(int));
	if (n != (ssize_t)sizeof(*hello) || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) ||
	    *memfd < 0) {
		if (*memfd >= 0)
			close(*memfd);
		return n == 0 ? -ECONNRESET : -EPROTO;
	}
	return 0;
}

static int
open_sim_node(const struct hvdev_uio_devinfo *info, struct hvdev_node *node)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct hvdev_simnode_hello hello;
	struct stat st;
	int memfd, ret;

	if (strlen(info->node_path) >= sizeof(addr.sun_path)) {
		HVDEV_UIO_LOG(ERR, "%s: simulator node path too long for a socket: %s",
			      info->instance_str, info->node_path);
		return -ENAMETOOLONG;
	}
	strcpy(addr.sun_path, info->node_path);
	node->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (node->fd < 0)
		return -errno;
	if (connect(node->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		ret = -errno;
		HVDEV_UIO_LOG(ERR, "%s: cannot open simulator node %s: %s",
			      info->instance_str, info->node_path, strerror(errno));
		goto fail;
	}
	ret = recv_simnode_hello(node->fd, &hello, &memfd);
	if (ret < 0) {
		HVDEV_UIO_LOG(ERR, "%s: simulator node %s did not open the channel: %s",
			      info->instance_str, info->node_path, strerror(-ret));
		goto fail;
	}
	if (hello.magic != HVDEV_SIMNODE_MAGIC || hello.version != HVDEV_SIMNODE_VERSION ||
	    hello.map_size != info->map0_size || fstat(memfd, &st) < 0 ||
	    (uint64_t)st.st_size < info->map0_size) {
		HVDEV_UIO_LOG(ERR, "%s: simulator node %s sent a bad hello (map %" PRIu64
			      ", sysfs map0 %" PRIu64 ")", info->instance_str, info->node_path,
			      hello.map_size, info->map0_size);
		close(memfd);
		ret = -EPROTO;
		goto fail;
	}
	node->mem = mmap(NULL, info->map0_size, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	ret = -errno;
	close(memfd);
	if (node->mem == MAP_FAILED) {
		HVDEV_UIO_LOG(ERR, "%s: cannot map simulator rings: %s", info->instance_str,
			      strerror(-ret));
		goto fail;
	}
	if (fcntl(node->fd, F_SETFL, O_NONBLOCK) < 0) {
		ret = -errno;
		munmap(node->mem, info->map0_size);
		goto fail;
	}
	node->kind = HVDEV_NODE_SIM;
	return 0;
fail:
	close(node->fd);
	node->fd = -1;
	return ret;
}

int
hvdev_node_open(const struct hvdev_uio_devinfo *info, struct hvdev_node *node)
{
	struct stat st;

	node->fd = -1;
	node->mem = NULL;
	node->len = info->map0_size;
	if (stat(info->node_path, &st) < 0) {
		int ret = -errno;

		HVDEV_UIO_LOG(ERR, "%s: device node %s: %s", info->instance_str,
			      info->node_path, strerror(errno));
		return ret;
	}
	if (S_ISCHR(st.st_mode))
		return open_uio_node(info, node);
	if (S_ISSOCK(st.st_mode))
		return open_sim_node(info, node);
	HVDEV_UIO_LOG(ERR, "%s: %s is neither a uio device nor a simulator node",
		      info->instance_str, info->node_path);
	return -ENODEV;
}

int
hvdev_node_irqcontrol(struct hvdev_node *node, volatile uint32_t *rx_imask, int32_t value)
{
	/*
	 * uio_hv_generic changes the mask inside write(), before it returns. The simulated host
	 * only sees the message later, so on its node the mask is changed here, synchronously,
	 * or a mask the caller sets right after the write could be undone behind its back.
	 */
	if (node->kind == HVDEV_NODE_SIM) {
		*rx_imask = value ? 0 : 1;
		rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
	}
	if (write(node->fd, &value, sizeof(value)) != (ssize_t)sizeof(value))
		return -errno;
	return 0;
}

void
hvdev_node_close(struct hvdev_node *node)
{
	if (node->mem != NULL && node->mem != MAP_FAILED)
		munmap(node->mem, node->len);
	if (node->fd >= 0)
		close(node->fd);
	node->mem = NULL;
	node->fd = -1;
}
