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
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>

#include <rte_atomic.h>

#include "hvdev_uio_chan.h"
#include "hvdev_uio_log.h"
#include "hvdev_uio_node.h"
#include "hvdev_uio_priv.h"

#define HVDEV_SIMNODE_HELLO_TIMEOUT_MS 5000


/*
 * The process holding the flock on @p fd's file, from /proc/locks (whose FLOCK lines carry
 * the pid of the locker and the file as major:minor:inode). 0 when it cannot be told.
 */
static pid_t
lock_holder(int fd)
{
	char line[256], type[16];
	unsigned int maj, min;
	uint64_t ino;
	struct stat st;
	pid_t pid = 0;
	int p;
	FILE *f;

	if (fstat(fd, &st) < 0)
		return 0;
	f = fopen("/proc/locks", "re");
	if (f == NULL)
		return 0;
	while (pid == 0 && fgets(line, sizeof(line), f) != NULL) {
		/* "1: FLOCK  ADVISORY  WRITE 1234 00:19:5678 0 EOF"; waiters start with "->". */
		if (sscanf(line, "%*d: %15s %*s %*s %d %x:%x:%" SCNu64, type, &p, &maj, &min,
			   &ino) != 5)
			continue;
		if (strcmp(type, "FLOCK") == 0 && p > 0 && maj == major(st.st_dev) &&
		    min == minor(st.st_dev) && ino == (uint64_t)st.st_ino)
			pid = p;
	}
	fclose(f);
	return pid;
}

/* /proc/<pid>/comm into @p buf, or "?" */
static void
process_name(pid_t pid, char *buf, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(buf, len, "?");
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "re");
	if (f == NULL)
		return;
	if (fgets(buf, (int)len, f) == NULL)
		snprintf(buf, len, "?");
	buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

/*
 * A channel has one consumer. The kernel lets a second process open /dev/uioN and hands it
 * the same rings (only the first open opens the channel); two consumers would then take each
 * other's packets and interrupt masks. So every opener takes an exclusive flock before it
 * touches the rings, and a second one is refused naming the first where /proc/locks tells it.
 * A consumer that takes no lock (another daemon) is not seen; see the transport guide.
 */
static int
node_lock(const struct hvdev_uio_devinfo *info, int fd)
{
	char name[64];
	pid_t pid;

	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	if (errno != EWOULDBLOCK) {
		HVDEV_UIO_LOG(WARNING, "%s: cannot lock %s (%s); not protected against a second "
			      "consumer", info->instance_str, info->node_path, strerror(errno));
		return 0;
	}
	pid = lock_holder(fd);
	if (pid == getpid()) {
		HVDEV_UIO_LOG(ERR, "%s: %s is already open in this process (process %d): a VMBus "
			      "channel must have one consumer; close the other device first",
			      info->instance_str, info->node_path, (int)pid);
	} else if (pid > 0) {
		process_name(pid, name, sizeof(name));
		HVDEV_UIO_LOG(ERR, "%s: %s is already in use by process %d (%s): a VMBus channel "
			      "must have one consumer; stop that process first",
			      info->instance_str, info->node_path, (int)pid, name);
	} else {
		HVDEV_UIO_LOG(ERR, "%s: %s is already in use by another process: a VMBus channel "
			      "must have one consumer; stop it first", info->instance_str,
			      info->node_path);
	}
	return -EBUSY;
}

/*
 * A node whose device was rescinded answers every read with EIO (uio) or end of file (the
 * simulator's host hung up), while its sysfs entry and node may still be there for a moment.
 * Its rings may already be freed: such a node is never mapped. A notification that is
 * consumed here instead is harmless: nobody sleeps without re-checking the ring first.
 */
static bool
node_stale(const struct hvdev_node *node)
{
	uint32_t count;
	ssize_t r;

	if (node->kind == HVDEV_NODE_UIO)
		r = read(node->fd, &count, sizeof(count));
	else
		r = recv(node->fd, &count, sizeof(count), MSG_DONTWAIT | MSG_PEEK);
	if (r == 0)
		return node->kind == HVDEV_NODE_SIM;
	return r < 0 && (errno == EIO || errno == ECONNRESET || errno == ENODEV);
}

static int
open_uio_node(const struct hvdev_uio_devinfo *info, struct hvdev_node *node)
{
	int ret;

	node->fd = open(info->node_path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (node->fd < 0) {
		ret = -errno;
		HVDEV_UIO_LOG(ERR, "%s: cannot open %s: %s", info->instance_str,
			      info->node_path, strerror(errno));
		return ret;
	}
	node->kind = HVDEV_NODE_UIO;
	node->lock_fd = node->fd;
	ret = node_lock(info, node->fd);
	if (ret == 0 && node_stale(node)) {
		HVDEV_UIO_LOG(NOTICE, "%s: %s belongs to a rescinded device that the kernel has "
			      "not removed yet", info->instance_str, info->node_path);
		ret = -ENODEV;
	}
	if (ret < 0)
		goto fail;
	/* uio selects map N by the page-index offset; map 0 holds both rings. */
	node->mem = mmap(NULL, info->map0_size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 node->fd, 0);
	if (node->mem == MAP_FAILED) {
		ret = -errno;
		HVDEV_UIO_LOG(ERR, "%s: cannot map %" PRIu64 " bytes of rings from %s: %s",
			      info->instance_str, info->map0_size, info->node_path,
			      strerror(errno));
		goto fail;
	}
	return 0;
fail:
	close(node->fd);
	node->fd = -1;
	node->lock_fd = -1;
	node->mem = NULL;
	return ret;
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
	node->kind = HVDEV_NODE_SIM;
	/* Before the hello is judged: a stale device's ring memory may be gone already. */
	if (node_stale(node)) {
		HVDEV_UIO_LOG(NOTICE, "%s: %s belongs to a rescinded device that the host has "
			      "not removed yet", info->instance_str, info->node_path);
		close(memfd);
		ret = -ENODEV;
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
	node->lock_fd = memfd;
	ret = node_lock(info, memfd);
	if (ret < 0)
		goto fail;
	node->mem = mmap(NULL, info->map0_size, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (node->mem == MAP_FAILED) {
		ret = -errno;
		node->mem = NULL;
		HVDEV_UIO_LOG(ERR, "%s: cannot map simulator rings: %s", info->instance_str,
			      strerror(-ret));
		goto fail;
	}
	if (fcntl(node->fd, F_SETFL, O_NONBLOCK) < 0) {
		ret = -errno;
		munmap(node->mem, info->map0_size);
		node->mem = NULL;
		goto fail;
	}
	return 0;
fail:
	if (node->lock_fd >= 0)
		close(node->lock_fd);
	node->lock_fd = -1;
	close(node->fd);
	node->fd = -1;
	return ret;
}

int
hvdev_node_open(const struct hvdev_uio_devinfo *info, struct hvdev_node *node)
{
	struct stat st;

	node->fd = -1;
	node->lock_fd = -1;
	node->mem = NULL;
	node->len = info->map0_size;
	memset(&node->ident, 0, sizeof(node->ident));
	if (stat(info->node_path, &st) < 0) {
		int ret = -errno;

		HVDEV_UIO_LOG(ERR, "%s: device node %s: %s", info->instance_str,
			      info->node_path, strerror(errno));
		return ret;
	}
	node->ident.dev = st.st_dev;
	node->ident.ino = st.st_ino;
	node->ident.ctim = st.st_ctim;
	node->ident.valid = true;
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
	ssize_t n;

	if (node->kind == HVDEV_NODE_SIM) {
		*rx_imask = value ? 0 : 1;
		/* The mask store before the signal, as uio_hv_generic's virt_mb() does. */
		rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
		/*
		 * No SIGPIPE for a host that hung up: that is a rescind, not a reason to die. A
		 * descriptor that is not a socket (hvdev_chan_attach()'s stand-in) is written.
		 */
		n = send(node->fd, &value, sizeof(value), MSG_NOSIGNAL);
		if (n < 0 && errno == ENOTSOCK)
			n = write(node->fd, &value, sizeof(value));
	} else {
		n = write(node->fd, &value, sizeof(value));
	}
	if (n != (ssize_t)sizeof(value))
		return n < 0 ? -errno : -EIO;
	return 0;
}

int
hvdev_node_ident_get(const char *path, struct hvdev_node_ident *id)
{
	struct stat st;

	memset(id, 0, sizeof(*id));
	if (stat(path, &st) < 0)
		return -errno;
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	id->ctim = st.st_ctim;
	id->valid = true;
	return 0;
}

bool
hvdev_node_ident_same(const struct hvdev_node_ident *a, const struct hvdev_node_ident *b)
{
	return a->valid && b->valid && a->dev == b->dev && a->ino == b->ino &&
	       a->ctim.tv_sec == b->ctim.tv_sec && a->ctim.tv_nsec == b->ctim.tv_nsec;
}

void
hvdev_node_release_rings(struct hvdev_node *node)
{
	void *m;

	if (node->mem == NULL || node->mem == MAP_FAILED)
		return;
	/*
	 * Not munmap(): a later mapping (the rings of the device offered again) could land at
	 * the same address and be reached through a stale pointer. An inaccessible reservation
	 * makes such an access fault at once.
	 */
	m = mmap(node->mem, node->len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED |
		 MAP_NORESERVE, -1, 0);
	if (m == MAP_FAILED) {
		HVDEV_UIO_LOG(ERR, "cannot reserve the released ring range: %s; unmapping it",
			      strerror(errno));
		munmap(node->mem, node->len);
		node->mem = NULL;
	}
}

void
hvdev_node_close(struct hvdev_node *node)
{
	if (node->mem != NULL && node->mem != MAP_FAILED)
		munmap(node->mem, node->len);
	if (node->lock_fd >= 0 && node->lock_fd != node->fd)
		close(node->lock_fd);
	if (node->fd >= 0)
		close(node->fd);
	node->mem = NULL;
	node->fd = -1;
	node->lock_fd = -1;
}
