/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * The host side of simulated channels: the event loop, channel open/close on node
 * connect/hang-up, the rings in the mirrored role (DPDK's bufring code, host as producer of
 * the guest's RX ring and consumer of its TX ring), the host's signalling rules, rescind.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/sockios.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <rte_atomic.h>
#include <rte_common.h>
#include <rte_errno.h>
#include <rte_vmbus_reg.h>

#include "hvdev_uio_node.h"
#include "hvsim_priv.h"

RTE_LOG_REGISTER_DEFAULT(hvsim_logtype, NOTICE);

#define HVSIM_DEFAULT_RING_PAGES 5
/*
 * The ring uio_hv_generic gives a class without a preferred size in the kernel's vmbus_devs[]
 * (KVP among them): SZ_2M per direction, header page included.
 */
#define HVSIM_DEFAULT_RING_2M (2u << 20)
#define HVSIM_PKT_HDR 16u
#define HVSIM_PKT_TRAILER 8u

uint64_t
hvsim_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void
hvsim_deadline(struct timespec *ts, int timeout_ms)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += timeout_ms / 1000;
	ts->tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static volatile struct vmbus_bufring *
ring_hdr(const struct rte_hvsim_dev *dev, enum rte_hvsim_ring ring)
{
	return (volatile struct vmbus_bufring *)(dev->mem +
		(ring == RTE_HVSIM_RING_GUEST_TX ? 0 : dev->map_size / 2));
}

static uint32_t
ring_used(const struct vmbus_br *br)
{
	uint32_t w = br->vbr->windex, r = br->vbr->rindex;

	return w >= r ? w - r : br->dsize - r + w;
}

static int
ep_add(struct rte_hvsim *sim, int fd, struct hvsim_ep *ep)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = ep };

	return epoll_ctl(sim->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

/* Does the guest still have a notification on @p fd that it has not read? */
static bool
notification_unread(int fd)
{
	int queued = 0;

	/* On a Unix socket: what the peer has not read yet. */
	return ioctl(fd, SIOCOUTQ, &queued) == 0 && queued > 0;
}

/*
 * uio's read() returns the event counter: with a coalescing kernel, an interrupt that arrives
 * before the reader took the last one makes no wake-up of its own, and the next read jumps by
 * all of them.
 */
static void
notify_fd(struct rte_hvsim_dev *dev, int fd, uint32_t count)
{
	if (dev->kernel.coalesce && notification_unread(fd)) {
		dev->stats.intr_coalesced++;
		return;
	}
	if (send(fd, &count, sizeof(count), MSG_DONTWAIT | MSG_NOSIGNAL) < 0 && errno != EAGAIN)
		HVSIM_LOG(DEBUG, "%s: interrupt not delivered: %s", dev->inst_str,
			  strerror(errno));
}

/*
 * Called with the lock held: the interrupt reaches the guest kernel. uio_hv_generic's channel
 * callback runs, then uio counts the event and wakes the readers.
 */
static void
deliver_interrupt(struct rte_hvsim_dev *dev)
{
	uint32_t count;
	int i;

	if (dev->conn_fd < 0)
		return;
	if (dev->kernel.mask_per_interrupt) {
		/* Before 6.18 the callback masked the RX ring on every interrupt. */
		ring_hdr(dev, RTE_HVSIM_RING_GUEST_RX)->imask = 1;
		rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
	}
	count = ++dev->event_count;
	dev->stats.interrupts++;
	notify_fd(dev, dev->conn_fd, count);
	/* uio wakes every reader of the node, as it does for a shared open. */
	for (i = 0; i < HVSIM_MAX_EXTRA_OPENERS; i++)
		if (dev->extra_fd[i] >= 0)
			notify_fd(dev, dev->extra_fd[i], count);
}

/* An interrupt the host's rules call for; fault injection may drop or delay it. */
static void
raise_interrupt(struct rte_hvsim_dev *dev)
{
	if (dev->conn_fd >= 0 && hvsim_fault_intr_locked(dev) == HVSIM_INTR_DELIVER)
		deliver_interrupt(dev);
}

static void
close_extra_locked(struct rte_hvsim_dev *dev, int slot)
{
	if (dev->extra_fd[slot] < 0)
		return;
	epoll_ctl(dev->sim->epfd, EPOLL_CTL_DEL, dev->extra_fd[slot], NULL);
	close(dev->extra_fd[slot]);
	dev->extra_fd[slot] = -1;
}

/* The channel closes (rescind, a malformed packet, the end): every opener sees it. */
static void
close_conn_locked(struct rte_hvsim_dev *dev)
{
	int i;

	for (i = 0; i < HVSIM_MAX_EXTRA_OPENERS; i++)
		close_extra_locked(dev, i);
	if (dev->conn_fd < 0)
		return;
	epoll_ctl(dev->sim->epfd, EPOLL_CTL_DEL, dev->conn_fd, NULL);
	close(dev->conn_fd);
	dev->conn_fd = -1;
	dev->fault.intr_due_ms = 0;
	pthread_cond_broadcast(&dev->sim->cond);
}

/* Host-side channel open: fresh rings as hv_ringbuffer_init() leaves them. */
static void
reset_rings(struct rte_hvsim_dev *dev)
{
	enum rte_hvsim_ring r;

	for (r = RTE_HVSIM_RING_GUEST_TX; r <= RTE_HVSIM_RING_GUEST_RX; r++) {
		volatile struct vmbus_bufring *vbr = ring_hdr(dev, r);

		vbr->windex = 0;
		vbr->rindex = 0;
		vbr->imask = 0;
		vbr->pending_send = 0;
		vbr->feature_bits.value = 1;
	}
	/* Before 6.18 (and its stable backports) uio_hv_generic's open() masked the RX ring. */
	if (dev->conf.mask_on_open || dev->kernel.mask_on_open)
		ring_hdr(dev, RTE_HVSIM_RING_GUEST_RX)->imask = 1;
	vmbus_br_setup(&dev->rxbr, dev->mem, (unsigned int)(dev->map_size / 2));
	vmbus_br_setup(&dev->txbr, dev->mem + dev->map_size / 2,
		       (unsigned int)(dev->map_size / 2));
}

/*
 * Each open of /dev/uioN is its own open file of the same device; the ring memory stands for
 * that file here, so every opener gets its own open file of the memfd (a lock a guest takes on
 * it then excludes the other openers, as one taken on /dev/uioN would).
 */
static int
reopen_rings_fd(int memfd)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	return open(path, O_RDWR | O_CLOEXEC);
}

static int
send_hello(struct rte_hvsim_dev *dev, int fd, int memfd)
{
	struct hvdev_simnode_hello hello = {
		.magic = HVDEV_SIMNODE_MAGIC,
		.version = HVDEV_SIMNODE_VERSION,
		.map_size = dev->map_size,
	};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = &hello, .iov_len = sizeof(hello) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *cmsg;
	int own, ret;

	/* Without /proc, the shared open file: the guests' lock then cannot tell them apart. */
	own = reopen_rings_fd(memfd);
	memset(&ctl, 0, sizeof(ctl));
	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), own >= 0 ? &own : &memfd, sizeof(int));
	ret = sendmsg(fd, &msg, MSG_NOSIGNAL) == (ssize_t)sizeof(hello) ? 0 : -errno;
	if (own >= 0)
		close(own);
	return ret;
}

/*
 * The node of a rescinded device that has not been removed yet. uio lets it be opened while
 * someone still holds it, maps the old rings and answers every read with EIO; here the opener
 * gets the old rings and the hang-up at once.
 */
static void
stale_open_locked(struct rte_hvsim_dev *dev, int fd)
{
	dev->stats.stale_opens++;
	if (dev->stale_memfd >= 0 && send_hello(dev, fd, dev->stale_memfd) < 0)
		HVSIM_LOG(DEBUG, "%s: stale open: %s", dev->inst_str, strerror(errno));
	close(fd);
}

/*
 * A second opener of an open node: the kernel only counts it (the channel is opened by the
 * first) and maps it the same rings, untouched. Interrupts wake every opener.
 */
static void
shared_open_locked(struct rte_hvsim_dev *dev, int fd)
{
	int i;

	for (i = 0; i < HVSIM_MAX_EXTRA_OPENERS && dev->extra_fd[i] >= 0; i++)
		;
	if (i == HVSIM_MAX_EXTRA_OPENERS || send_hello(dev, fd, dev->memfd) < 0) {
		HVSIM_LOG(WARNING, "%s: cannot take another opener of the node", dev->inst_str);
		close(fd);
		return;
	}
	dev->extra_ep[i].kind = HVSIM_EP_CONN;
	dev->extra_ep[i].dev = dev;
	dev->extra_ep[i].slot = i;
	if (ep_add(dev->sim, fd, &dev->extra_ep[i]) < 0) {
		close(fd);
		return;
	}
	dev->extra_fd[i] = fd;
	dev->stats.shared_opens++;
	HVSIM_LOG(INFO, "%s: node opened again while open: rings shared", dev->inst_str);
}

/* A guest opened the node. Returns true when on_open must be called (lock dropped). */
static bool
accept_guest_locked(struct rte_hvsim_dev *dev)
{
	int fd;

	fd = accept4(dev->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return false;
	if (!dev->offered) {
		stale_open_locked(dev, fd);
		return false;
	}
	if (dev->conn_fd >= 0) {
		shared_open_locked(dev, fd);
		return false;
	}
	reset_rings(dev);
	dev->event_count = 0;
	dev->fault.intr_due_ms = 0;
	if (send_hello(dev, fd, dev->memfd) < 0) {
		HVSIM_LOG(ERR, "%s: cannot hand the rings to the guest: %s", dev->inst_str,
			  strerror(errno));
		close(fd);
		return false;
	}
	dev->conn_fd = fd;
	dev->conn_ep.kind = HVSIM_EP_CONN;
	dev->conn_ep.dev = dev;
	dev->conn_ep.slot = -1;
	if (ep_add(dev->sim, fd, &dev->conn_ep) < 0) {
		close(fd);
		dev->conn_fd = -1;
		return false;
	}
	dev->stats.opens++;
	pthread_cond_broadcast(&dev->sim->cond);
	HVSIM_LOG(INFO, "%s: channel %u opened by the guest", dev->inst_str, dev->conf.relid);
	/* Hyper-V's first message on an IC channel, before anything else the host sends. */
	hvsim_ic_open_locked(dev);
	return true;
}

/*
 * Take one packet from the guest's TX ring into dev->rxbuf. Returns 1 with @p pkt filled,
 * 0 when empty, -EPROTO on a malformed packet (the channel is then reset).
 */
static int
host_recv_locked(struct rte_hvsim_dev *dev, struct rte_hvsim_pkt *pkt, uint32_t *consumed)
{
	struct vmbus_chanpkt_hdr hdr;
	uint32_t avail, hlen, tlen;

	/* Fault injection can corrupt either index; the host must not crash on that either. */
	if (dev->rxbr.vbr->windex >= dev->rxbr.dsize || dev->rxbr.vbr->rindex >= dev->rxbr.dsize)
		return -EPROTO;
	avail = ring_used(&dev->rxbr);
	if (avail == 0)
		return 0;
	if (vmbus_rxbr_peek(&dev->rxbr, &hdr, sizeof(hdr)) < 0)
		return -EPROTO;
	hlen = (uint32_t)hdr.hlen * 8;
	tlen = (uint32_t)hdr.tlen * 8;
	if (hlen < HVSIM_PKT_HDR || hlen > tlen || tlen + HVSIM_PKT_TRAILER > avail)
		return -EPROTO;
	if (vmbus_rxbr_read(&dev->rxbr, dev->rxbuf, tlen - hlen, hlen) < 0)
		return -EPROTO;
	pkt->type = hdr.type;
	pkt->flags = hdr.flags;
	pkt->xactid = hdr.xactid;
	pkt->data = dev->rxbuf;
	pkt->len = tlen - hlen;
	*consumed = tlen + HVSIM_PKT_TRAILER;
	dev->stats.rx_packets++;
	return 1;
}

/* The guest waits for room (pending_send_sz): interrupt it when our read made it appear. */
static void
signal_pending_sender_locked(struct rte_hvsim_dev *dev, uint32_t freed)
{
	volatile struct vmbus_bufring *vbr = dev->rxbr.vbr;
	uint32_t pending, free_now;

	if (!vbr->feature_bits.feat_pending_send_sz)
		return;
	rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
	pending = vbr->pending_send;
	if (pending == 0)
		return;
	free_now = dev->rxbr.dsize - ring_used(&dev->rxbr);
	if (free_now - freed <= pending && free_now > pending)
		raise_interrupt(dev);
}

/*
 * Drain the guest's TX ring, handing each packet to on_packet with the lock dropped. The host
 * masks the guest's signals while it drains, then unmasks and re-checks (no lost signal).
 */
static void
drain_guest_tx(struct rte_hvsim *sim, struct rte_hvsim_dev *dev)
{
	const struct rte_hvsim_dev_ops *ops = dev->conf.ops;
	struct rte_hvsim_pkt pkt;
	uint32_t consumed;
	int ret;

	dev->rxbr.vbr->imask = 1;
	for (;;) {
		ret = host_recv_locked(dev, &pkt, &consumed);
		if (ret == 0) {
			dev->rxbr.vbr->imask = 0;
			rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
			if (ring_used(&dev->rxbr) == 0)
				break;
			dev->rxbr.vbr->imask = 1;
			continue;
		}
		if (ret < 0) {
			dev->stats.guest_errors++;
			HVSIM_LOG(ERR, "%s: malformed packet from the guest, closing the channel",
				  dev->inst_str);
			close_conn_locked(dev);
			return;
		}
		signal_pending_sender_locked(dev, consumed);
		if (hvsim_ic_take_locked(dev, &pkt) || hvsim_fcopy_take_locked(dev, &pkt) ||
		    hvsim_kvp_take_locked(dev, &pkt))
			continue;
		if (ops != NULL && ops->on_packet != NULL) {
			pthread_mutex_unlock(&sim->lock);
			ops->on_packet(dev, &pkt, dev->conf.ops_arg);
			pthread_mutex_lock(&sim->lock);
		}
		if (dev->conn_fd < 0)
			return;
	}
}

/* A 4-byte write from the guest, as uio_hv_generic's irqcontrol handles it. */
/* Most node writes of the guest taken in one system call. */
#define GUEST_MSG_BATCH 16

/*
 * The first opener left while others still hold the node: the kernel closes the channel only
 * on the last release, so the next opener carries it on.
 */
static bool
promote_extra_locked(struct rte_hvsim_dev *dev)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &dev->conn_ep };
	int i;

	for (i = 0; i < HVSIM_MAX_EXTRA_OPENERS && dev->extra_fd[i] < 0; i++)
		;
	if (i == HVSIM_MAX_EXTRA_OPENERS)
		return false;
	epoll_ctl(dev->sim->epfd, EPOLL_CTL_DEL, dev->conn_fd, NULL);
	close(dev->conn_fd);
	dev->conn_fd = dev->extra_fd[i];
	dev->extra_fd[i] = -1;
	if (epoll_ctl(dev->sim->epfd, EPOLL_CTL_MOD, dev->conn_fd, &ev) < 0)
		HVSIM_LOG(ERR, "%s: cannot watch the remaining opener: %s", dev->inst_str,
			  strerror(errno));
	HVSIM_LOG(INFO, "%s: first opener left; channel %u stays open for the others",
		  dev->inst_str, dev->conf.relid);
	return true;
}

/* The guest closed its node (a read of 0 bytes or an error). Lock held. */
static void
guest_hung_up(struct rte_hvsim *sim, struct rte_hvsim_dev *dev, int slot)
{
	const struct rte_hvsim_dev_ops *ops = dev->conf.ops;

	if (slot >= 0) {
		close_extra_locked(dev, slot);
		return;
	}

	/*
	 * A guest that closes with interrupts still unread makes Linux report ECONNRESET and
	 * drop its last messages, which may include the signal for a packet it published; on
	 * uio that signal was a hypercall that could not be lost. So take what the guest
	 * published first.
	 */
	drain_guest_tx(sim, dev);
	if (dev->conn_fd >= 0 && promote_extra_locked(dev))
		return;
	HVSIM_LOG(INFO, "%s: channel %u closed by the guest", dev->inst_str, dev->conf.relid);
	close_conn_locked(dev);
	if (ops != NULL && ops->on_close != NULL) {
		pthread_mutex_unlock(&sim->lock);
		ops->on_close(dev, dev->conf.ops_arg);
		pthread_mutex_lock(&sim->lock);
	}
}

/*
 * The guest's node writes: 0 masks, 1 signals. Read in batches, so that the usual single
 * signal costs one system call, not a second one that finds nothing.
 */
static void
handle_guest_msg(struct rte_hvsim *sim, struct rte_hvsim_dev *dev, int slot)
{
	int fd = slot < 0 ? dev->conn_fd : dev->extra_fd[slot];
	int32_t irq_state[GUEST_MSG_BATCH];
	struct mmsghdr msgs[GUEST_MSG_BATCH];
	struct iovec iov[GUEST_MSG_BATCH];
	bool signalled = false;
	int i, n;

	for (i = 0; i < GUEST_MSG_BATCH; i++) {
		iov[i].iov_base = &irq_state[i];
		iov[i].iov_len = sizeof(irq_state[i]);
	}
	do {
		memset(msgs, 0, sizeof(msgs));
		for (i = 0; i < GUEST_MSG_BATCH; i++) {
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
		}
		n = recvmmsg(fd, msgs, GUEST_MSG_BATCH, MSG_DONTWAIT, NULL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n < 0) {
			guest_hung_up(sim, dev, slot);
			return;
		}
		for (i = 0; i < n; i++) {
			/* A message of 0 bytes is the hang-up (SOCK_SEQPACKET end of file). */
			if (msgs[i].msg_len == 0) {
				guest_hung_up(sim, dev, slot);
				return;
			}
			if (msgs[i].msg_len != sizeof(irq_state[i])) {
				/* uio refuses writes that are not 4 bytes (EINVAL). */
				HVSIM_LOG(WARNING, "%s: %u-byte write on the node ignored",
					  dev->inst_str, msgs[i].msg_len);
				continue;
			}
			/*
			 * The guest's node layer already applied the mask change, as the kernel
			 * does inside write(); here only the set_event part remains.
			 */
			if (irq_state[i] == 0) {
				dev->stats.masks++;
				continue;
			}
			dev->stats.signals++;
			signalled = true;
		}
	} while (n == GUEST_MSG_BATCH);
	if (n == 0) {
		guest_hung_up(sim, dev, slot);
		return;
	}
	if (!signalled)
		return;
	rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
	/*
	 * vmbus_setevent: the host looks at the guest's TX ring, then wakes its own waiters
	 * (ring space, answers) once, with what the drain found.
	 */
	drain_guest_tx(sim, dev);
	pthread_cond_broadcast(&sim->cond);
}

static void withdraw_locked(struct rte_hvsim_dev *dev);

/* The kernel has finished unregistering a rescinded device: its stale tree goes. */
static void
linger_end_locked(struct rte_hvsim_dev *dev)
{
	if (dev->linger_until_ms == 0)
		return;
	dev->linger_until_ms = 0;
	withdraw_locked(dev);
	if (dev->stale_memfd >= 0)
		close(dev->stale_memfd);
	dev->stale_memfd = -1;
}

static void
run_deferred_locked(struct rte_hvsim *sim, uint64_t now, int *timeout)
{
	struct rte_hvsim_dev *dev;
	uint64_t next = UINT64_MAX;

	TAILQ_FOREACH(dev, &sim->devs, next) {
		if (dev->linger_until_ms != 0 && now >= dev->linger_until_ms)
			linger_end_locked(dev);
		if (dev->linger_until_ms != 0)
			next = RTE_MIN(next, dev->linger_until_ms);
		if (dev->uio_at_ms != 0 && now >= dev->uio_at_ms) {
			dev->uio_at_ms = 0;
			if (dev->offered && (hvsim_tree_bind_uio(dev) < 0 ||
					     ep_add(sim, dev->listen_fd, &dev->listen_ep) < 0))
				HVSIM_LOG(ERR, "%s: deferred uio binding failed", dev->inst_str);
		}
		if (dev->ring_attr_at_ms != 0 && now >= dev->ring_attr_at_ms) {
			dev->ring_attr_at_ms = 0;
			if (dev->offered && hvsim_tree_add_ring_attr(dev) < 0)
				HVSIM_LOG(ERR, "%s: deferred ring attribute failed", dev->inst_str);
		}
		if (dev->fault.intr_due_ms != 0 && now >= dev->fault.intr_due_ms) {
			dev->fault.intr_due_ms = 0;
			deliver_interrupt(dev);
		}
		if (dev->fault.intr_due_ms != 0)
			next = RTE_MIN(next, dev->fault.intr_due_ms);
		if (dev->uio_at_ms != 0)
			next = RTE_MIN(next, dev->uio_at_ms);
		if (dev->ring_attr_at_ms != 0)
			next = RTE_MIN(next, dev->ring_attr_at_ms);
	}
	*timeout = next == UINT64_MAX ? -1 : (int)RTE_MIN(next - now, (uint64_t)INT32_MAX);
}

static void
handle_event(struct rte_hvsim *sim, struct hvsim_ep *ep)
{
	struct rte_hvsim_dev *dev = ep->dev;
	const struct rte_hvsim_dev_ops *ops;

	if (ep->kind == HVSIM_EP_LISTEN) {
		if (dev->listen_fd >= 0 && accept_guest_locked(dev)) {
			ops = dev->conf.ops;
			if (ops != NULL && ops->on_open != NULL) {
				pthread_mutex_unlock(&sim->lock);
				ops->on_open(dev, dev->conf.ops_arg);
				pthread_mutex_lock(&sim->lock);
			}
			/* Anything the guest queued before on_open ran. */
			if (dev->conn_fd >= 0)
				drain_guest_tx(sim, dev);
		}
	} else if (ep->kind == HVSIM_EP_CONN &&
		   (ep->slot < 0 ? dev->conn_fd : dev->extra_fd[ep->slot]) >= 0) {
		handle_guest_msg(sim, dev, ep->slot);
	}
}

int
rte_hvsim_run(struct rte_hvsim *sim)
{
	struct epoll_event evs[16];
	uint64_t val;
	int i, n, timeout;

	pthread_mutex_lock(&sim->lock);
	/* A caller blocking on the guest's answers must not be the thread that takes them. */
	sim->loop_thread = pthread_self();
	sim->in_loop = true;
	while (!sim->stop) {
		run_deferred_locked(sim, hvsim_now_ms(), &timeout);
		pthread_mutex_unlock(&sim->lock);
		n = epoll_wait(sim->epfd, evs, RTE_DIM(evs), timeout);
		pthread_mutex_lock(&sim->lock);
		if (n < 0 && errno != EINTR) {
			n = -errno;
			sim->in_loop = false;
			pthread_mutex_unlock(&sim->lock);
			return n;
		}
		for (i = 0; i < n && !sim->stop; i++) {
			struct hvsim_ep *ep = evs[i].data.ptr;

			if (ep->kind == HVSIM_EP_STOP) {
				if (read(sim->stopfd, &val, sizeof(val)) < 0)
					val = 0;
				continue;
			}
			handle_event(sim, ep);
		}
	}
	sim->stop = false;
	sim->in_loop = false;
	pthread_mutex_unlock(&sim->lock);
	return 0;
}

/* Make the loop re-evaluate its state (new devices, deferred steps, stop). */
void
hvsim_wake_loop(struct rte_hvsim *sim)
{
	uint64_t one = 1;

	if (write(sim->stopfd, &one, sizeof(one)) < 0)
		HVSIM_LOG(DEBUG, "cannot wake the host loop: %s", strerror(errno));
}

void
rte_hvsim_stop(struct rte_hvsim *sim)
{
	sim->stop = true;
	hvsim_wake_loop(sim);
}

static void *
host_thread(void *arg)
{
	rte_hvsim_run(arg);
	return NULL;
}

int
rte_hvsim_start(struct rte_hvsim *sim)
{
	int ret;

	if (sim->thread_running)
		return -EBUSY;
	ret = pthread_create(&sim->thread, NULL, host_thread, sim);
	if (ret != 0)
		return -ret;
	sim->thread_running = true;
	return 0;
}

struct rte_hvsim *
rte_hvsim_create(const char *root)
{
	struct rte_hvsim *sim;
	int ret;

	if (root == NULL || root[0] == '\0' || strlen(root) >= PATH_MAX) {
		rte_errno = EINVAL;
		return NULL;
	}
	ret = hvsim_tree_init(root);
	if (ret < 0) {
		HVSIM_LOG(ERR, "cannot create the device tree under %s: %s", root,
			  strerror(-ret));
		rte_errno = -ret;
		return NULL;
	}
	sim = calloc(1, sizeof(*sim));
	if (sim == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	strcpy(sim->root, root);
	pthread_mutex_init(&sim->lock, NULL);
	pthread_cond_init(&sim->cond, NULL);
	TAILQ_INIT(&sim->devs);
	sim->next_relid = 14;
	sim->epfd = epoll_create1(EPOLL_CLOEXEC);
	sim->stopfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	sim->stop_ep.kind = HVSIM_EP_STOP;
	if (sim->epfd < 0 || sim->stopfd < 0 || ep_add(sim, sim->stopfd, &sim->stop_ep) < 0) {
		rte_errno = errno;
		rte_hvsim_destroy(sim);
		return NULL;
	}
	ret = hvsim_kernel_init(sim);
	if (ret < 0) {
		rte_errno = -ret;
		rte_hvsim_destroy(sim);
		return NULL;
	}
	return sim;
}

static void
withdraw_locked(struct rte_hvsim_dev *dev)
{
	close_conn_locked(dev);
	if (dev->listen_fd >= 0) {
		epoll_ctl(dev->sim->epfd, EPOLL_CTL_DEL, dev->listen_fd, NULL);
		close(dev->listen_fd);
		dev->listen_fd = -1;
	}
	hvsim_tree_remove_device(dev);
	dev->offered = false;
	dev->uio_at_ms = 0;
	dev->ring_attr_at_ms = 0;
}

static void
free_dev(struct rte_hvsim_dev *dev)
{
	if (dev->mem != NULL)
		munmap(dev->mem, dev->map_size);
	if (dev->memfd >= 0)
		close(dev->memfd);
	if (dev->stale_memfd >= 0)
		close(dev->stale_memfd);
	free(dev->rxbuf);
	free(dev);
}

void
rte_hvsim_destroy(struct rte_hvsim *sim)
{
	struct rte_hvsim_dev *dev;

	if (sim == NULL)
		return;
	if (sim->thread_running) {
		rte_hvsim_stop(sim);
		pthread_join(sim->thread, NULL);
		sim->thread_running = false;
	}
	while ((dev = TAILQ_FIRST(&sim->devs)) != NULL) {
		TAILQ_REMOVE(&sim->devs, dev, next);
		withdraw_locked(dev);
		free_dev(dev);
	}
	if (sim->root[0] != '\0')
		hvsim_kernel_fini(sim);
	if (sim->epfd >= 0)
		close(sim->epfd);
	if (sim->stopfd >= 0)
		close(sim->stopfd);
	pthread_cond_destroy(&sim->cond);
	pthread_mutex_destroy(&sim->lock);
	free(sim);
}

const char *
rte_hvsim_root(const struct rte_hvsim *sim)
{
	return sim->root;
}

/* Build the tree for an (re)offered device; lock held. */
static int
publish_locked(struct rte_hvsim_dev *dev)
{
	uint64_t now = hvsim_now_ms();

	bool uio;
	int ret;

	dev->kernel = dev->sim->kernel;
	ret = hvsim_tree_add_device(dev);
	if (ret < 0)
		return ret;
	dev->offered = true;
	uio = strcmp(dev->driver, "uio_hv_generic") == 0;
	if (uio && dev->kernel.no_lowspeed_bind && !dev->conf.monitor) {
		/* Before 6.10 uio_hv_generic's probe refuses a channel without a monitor page. */
		HVSIM_LOG(INFO, "%s: kernel %s does not bind a low-speed device to uio_hv_generic",
			  dev->inst_str, dev->kernel.release);
		uio = false;
	}
	if (uio) {
		if (dev->conf.uio_delay_ms > 0) {
			dev->uio_at_ms = now + dev->conf.uio_delay_ms;
		} else {
			ret = hvsim_tree_bind_uio(dev);
			ret = ret ?: ep_add(dev->sim, dev->listen_fd, &dev->listen_ep);
			if (ret < 0)
				return ret;
		}
	}
	if (!dev->conf.no_ring_attr && uio) {
		if (dev->conf.ring_attr_delay_ms > 0 || dev->conf.uio_delay_ms > 0)
			dev->ring_attr_at_ms = now + RTE_MAX(dev->conf.ring_attr_delay_ms,
							     dev->conf.uio_delay_ms);
		else
			ret = hvsim_tree_add_ring_attr(dev);
	}
	/* The loop must re-compute its timeout for deferred steps. */
	hvsim_wake_loop(dev->sim);
	return ret;
}

/* New ring memory for the device (at offer, and for the offer after a rescind). */
static int
alloc_rings(struct rte_hvsim_dev *dev, int *memfd, uint8_t **mem)
{
	int ret;

	*memfd = memfd_create("hvsim-rings", MFD_CLOEXEC);
	if (*memfd < 0)
		return -errno;
	if (ftruncate(*memfd, (off_t)dev->map_size) < 0)
		goto fail;
	*mem = mmap(NULL, dev->map_size, PROT_READ | PROT_WRITE, MAP_SHARED, *memfd, 0);
	if (*mem != MAP_FAILED)
		return 0;
fail:
	ret = -errno;
	close(*memfd);
	*memfd = -1;
	*mem = NULL;
	return ret;
}

/*
 * After a rescind: the next offer is a new device with new ring pages, as the kernel
 * allocates them at probe. The old rings are revoked (conf.revoke_rings: truncated, so that a
 * guest still touching them faults) and kept for the stale node while the device lingers.
 */
static void
renew_rings_locked(struct rte_hvsim_dev *dev)
{
	uint8_t *mem;
	int memfd;

	if (alloc_rings(dev, &memfd, &mem) < 0) {
		HVSIM_LOG(ERR, "%s: no memory for new rings; the old ones are reused",
			  dev->inst_str);
		return;
	}
	munmap(dev->mem, dev->map_size);
	if (dev->conf.revoke_rings && ftruncate(dev->memfd, 0) < 0)
		HVSIM_LOG(ERR, "%s: cannot revoke the rescinded rings: %s", dev->inst_str,
			  strerror(errno));
	if (dev->stale_memfd >= 0)
		close(dev->stale_memfd);
	dev->stale_memfd = dev->memfd;
	dev->memfd = memfd;
	dev->mem = mem;
	reset_rings(dev);
}

/* Hyper-V's instance of the fcopy device (eb765408-105f-49b6-b4aa-c123b64d17d4). */
static const rte_uuid_t hyperv_fcopy_instance = RTE_UUID_INIT(0xeb765408, 0x105f, 0x49b6,
							      0xb4aa, 0xc123b64d17d4ULL);

/*
 * Hyper-V's instance of the KVP device (242ff919-07db-4180-9c2e-b86cb68c8c55): OpenVMM's KVP
 * IC offers it, and lsvmbus on Hyper-V shows it.
 */
static const rte_uuid_t hyperv_kvp_instance = RTE_UUID_INIT(0x242ff919, 0x07db, 0x4180,
							    0x9c2e, 0xb86cb68c8c55ULL);

static bool
is_class(const rte_uuid_t class_id, const char *name)
{
	const struct rte_hvdev_ic_class *cls = rte_hvdev_ic_class_by_guid(class_id);

	return cls != NULL && strcmp(cls->name, name) == 0;
}

/* Has a device of this host (offered or rescinded) got that instance id? Lock held. */
static bool
instance_taken(struct rte_hvsim *sim, const rte_uuid_t id)
{
	const struct rte_hvsim_dev *d;

	TAILQ_FOREACH(d, &sim->devs, next)
		if (rte_uuid_compare(d->conf.instance_id, id) == 0)
			return true;
	return false;
}

static int
init_dev(struct rte_hvsim *sim, struct rte_hvsim_dev *dev, const struct rte_hvsim_dev_conf *c)
{
	long page = sysconf(_SC_PAGESIZE);
	rte_uuid_t zero = {0};
	int i, ret;

	dev->sim = sim;
	dev->conf = *c;
	dev->uio_num = -1;
	dev->listen_fd = -1;
	dev->conn_fd = -1;
	dev->memfd = -1;
	dev->stale_memfd = -1;
	for (i = 0; i < HVSIM_MAX_EXTRA_OPENERS; i++)
		dev->extra_fd[i] = -1;
	dev->listen_ep.kind = HVSIM_EP_LISTEN;
	dev->listen_ep.dev = dev;
	snprintf(dev->driver, sizeof(dev->driver), "%s",
		 c->driver != NULL ? c->driver : "uio_hv_generic");
	dev->conf.driver = NULL;
	if (dev->conf.ring_size == 0)
		dev->conf.ring_size = is_class(c->class_id, "kvp") ? HVSIM_DEFAULT_RING_2M :
				      HVSIM_DEFAULT_RING_PAGES * (uint32_t)page;
	if (dev->conf.ring_size <= (uint32_t)page || dev->conf.ring_size % (uint32_t)page)
		return -EINVAL;
	pthread_mutex_lock(&sim->lock);
	dev->conf.strict_xactid |= sim->strict_xactid;
	if (dev->conf.relid == 0)
		dev->conf.relid = sim->next_relid++;
	if (rte_uuid_compare(dev->conf.instance_id, zero) == 0 && is_class(c->class_id, "fcopy") &&
	    !instance_taken(sim, hyperv_fcopy_instance)) {
		/* The instance Hyper-V offers fcopy as; the upstream daemon opens only that one. */
		rte_uuid_copy(dev->conf.instance_id, hyperv_fcopy_instance);
	} else if (rte_uuid_compare(dev->conf.instance_id, zero) == 0 &&
		   is_class(c->class_id, "kvp") && !instance_taken(sim, hyperv_kvp_instance)) {
		rte_uuid_copy(dev->conf.instance_id, hyperv_kvp_instance);
	} else if (rte_uuid_compare(dev->conf.instance_id, zero) == 0) {
		/* Stable and unique per host: the class with the relid in its last bytes. */
		memcpy(dev->conf.instance_id, c->class_id, sizeof(rte_uuid_t));
		dev->conf.instance_id[0] ^= 0x5a;
		dev->conf.instance_id[12] = (uint8_t)(dev->conf.relid >> 24);
		dev->conf.instance_id[13] = (uint8_t)(dev->conf.relid >> 16);
		dev->conf.instance_id[14] = (uint8_t)(dev->conf.relid >> 8);
		dev->conf.instance_id[15] = (uint8_t)dev->conf.relid;
	}
	pthread_mutex_unlock(&sim->lock);
	rte_uuid_unparse(dev->conf.instance_id, dev->inst_str, sizeof(dev->inst_str));
	rte_uuid_unparse(dev->conf.class_id, dev->class_str, sizeof(dev->class_str));
	ret = hvsim_ic_init(dev, c);
	if (ret < 0)
		return ret;
	dev->map_size = 2ull * dev->conf.ring_size;
	ret = alloc_rings(dev, &dev->memfd, &dev->mem);
	if (ret < 0)
		return ret;
	dev->rxbuf = malloc(dev->conf.ring_size);
	if (dev->rxbuf == NULL)
		return -ENOMEM;
	reset_rings(dev);
	return 0;
}

struct rte_hvsim_dev *
rte_hvsim_offer(struct rte_hvsim *sim, const struct rte_hvsim_dev_conf *conf)
{
	struct rte_hvsim_dev *dev;
	int ret;

	if (sim == NULL || conf == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	dev = calloc(1, sizeof(*dev));
	if (dev == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	/* free_dev() must not close descriptor 0 if init_dev() fails early. */
	dev->memfd = -1;
	dev->stale_memfd = -1;
	ret = init_dev(sim, dev, conf);
	if (ret < 0) {
		free_dev(dev);
		rte_errno = -ret;
		return NULL;
	}
	pthread_mutex_lock(&sim->lock);
	ret = publish_locked(dev);
	if (ret < 0) {
		withdraw_locked(dev);
		pthread_mutex_unlock(&sim->lock);
		HVSIM_LOG(ERR, "cannot offer device %s: %s", dev->inst_str, strerror(-ret));
		free_dev(dev);
		rte_errno = -ret;
		return NULL;
	}
	TAILQ_INSERT_TAIL(&sim->devs, dev, next);
	pthread_mutex_unlock(&sim->lock);
	HVSIM_LOG(INFO, "offered %s class %s relid %u ring %u", dev->inst_str, dev->class_str,
		  dev->conf.relid, dev->conf.ring_size);
	return dev;
}

int
rte_hvsim_rescind(struct rte_hvsim_dev *dev)
{
	struct rte_hvsim *sim = dev->sim;
	const struct rte_hvsim_dev_ops *ops = dev->conf.ops;
	bool was_open;

	pthread_mutex_lock(&sim->lock);
	if (!dev->offered) {
		pthread_mutex_unlock(&sim->lock);
		return -ENODEV;
	}
	was_open = dev->conn_fd >= 0;
	/* The notification first: every opener's node read fails. */
	close_conn_locked(dev);
	renew_rings_locked(dev);
	if (dev->conf.rescind_linger_ms > 0) {
		/* The tree and the node stay until the kernel has unregistered the device. */
		dev->offered = false;
		dev->linger_until_ms = hvsim_now_ms() + dev->conf.rescind_linger_ms;
		hvsim_wake_loop(sim);
	} else {
		withdraw_locked(dev);
	}
	pthread_mutex_unlock(&sim->lock);
	HVSIM_LOG(INFO, "%s: rescinded", dev->inst_str);
	if (was_open && ops != NULL && ops->on_close != NULL)
		ops->on_close(dev, dev->conf.ops_arg);
	return 0;
}

int
rte_hvsim_reoffer(struct rte_hvsim_dev *dev)
{
	int ret;

	pthread_mutex_lock(&dev->sim->lock);
	if (dev->offered) {
		pthread_mutex_unlock(&dev->sim->lock);
		return -EBUSY;
	}
	/* The same instance cannot be registered twice: the stale device goes first. */
	linger_end_locked(dev);
	ret = publish_locked(dev);
	if (ret < 0)
		withdraw_locked(dev);
	pthread_mutex_unlock(&dev->sim->lock);
	return ret;
}

bool
rte_hvsim_is_open(const struct rte_hvsim_dev *dev)
{
	return dev->conn_fd >= 0;
}

int
rte_hvsim_wait_open(struct rte_hvsim_dev *dev, bool open, int timeout_ms)
{
	struct rte_hvsim *sim = dev->sim;
	struct timespec ts;
	int ret = 0;

	hvsim_deadline(&ts, timeout_ms);
	pthread_mutex_lock(&sim->lock);
	while ((dev->conn_fd >= 0) != open && ret == 0)
		ret = pthread_cond_timedwait(&sim->cond, &sim->lock, &ts);
	pthread_mutex_unlock(&sim->lock);
	return ret == 0 ? 0 : -ETIMEDOUT;
}

/* The index corruptions, once the packet that carries them is in the ring. */
static void
corrupt_index_locked(struct rte_hvsim_dev *dev, enum rte_hvsim_corrupt c)
{
	volatile struct vmbus_bufring *rx = ring_hdr(dev, RTE_HVSIM_RING_GUEST_RX);

	if (c == RTE_HVSIM_CORRUPT_RX_WINDEX)
		rx->windex = dev->txbr.dsize + 64;
	else if (c == RTE_HVSIM_CORRUPT_RX_RINDEX)
		rx->rindex = (rx->rindex + 8) % dev->txbr.dsize;
	else if (c == RTE_HVSIM_CORRUPT_TX_RINDEX)
		ring_hdr(dev, RTE_HVSIM_RING_GUEST_TX)->rindex = UINT32_MAX;
	rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
}

int
hvsim_send_locked(struct rte_hvsim_dev *dev, uint16_t type, uint16_t flags, uint64_t xactid,
		  const void *data, uint32_t len)
{
	static const uint8_t zeros[8];
	struct vmbus_chanpkt_hdr hdr;
	enum rte_hvsim_corrupt corrupt;
	struct iovec iov[3];
	uint32_t pktlen;
	bool need_sig = false;
	int ret;

	if (dev->conn_fd < 0)
		return -ENOTCONN;
	/*
	 * A corrupted index (fault injection) would make the bufring code write out of place or
	 * spin on its commit; nothing more goes out until the guest reopens the channel.
	 */
	if (dev->txbr.vbr->windex != dev->txbr.windex || dev->txbr.vbr->rindex >= dev->txbr.dsize)
		return -EPIPE;
	pktlen = HVSIM_PKT_HDR + RTE_ALIGN_CEIL(len, 8u);
	if ((uint64_t)pktlen + HVSIM_PKT_TRAILER >= dev->txbr.dsize || pktlen / 8 > UINT16_MAX)
		return -EMSGSIZE;
	hdr.type = type;
	hdr.hlen = HVSIM_PKT_HDR / 8;
	hdr.tlen = (uint16_t)(pktlen / 8);
	hdr.flags = flags;
	hdr.xactid = xactid;
	corrupt = hvsim_fault_take_corrupt_locked(dev);
	if (corrupt == RTE_HVSIM_CORRUPT_DESC_HLEN)
		hdr.hlen = 1;
	else if (corrupt == RTE_HVSIM_CORRUPT_DESC_TLEN)
		hdr.tlen = UINT16_MAX;
	else if (corrupt == RTE_HVSIM_CORRUPT_DESC_TYPE)
		hdr.type = 0;
	iov[0].iov_base = &hdr;
	iov[0].iov_len = sizeof(hdr);
	iov[1].iov_base = (void *)(uintptr_t)data;
	iov[1].iov_len = len;
	iov[2].iov_base = (void *)(uintptr_t)zeros;
	iov[2].iov_len = pktlen - HVSIM_PKT_HDR - len;
	ret = vmbus_txbr_write(&dev->txbr, iov, 3, &need_sig);
	if (ret < 0)
		return ret;
	corrupt_index_locked(dev, corrupt);
	dev->stats.tx_packets++;
	/* DPDK's rule, mirrored: the guest's RX mask clear and the ring was empty. */
	if (need_sig)
		raise_interrupt(dev);
	return 0;
}

int
rte_hvsim_send(struct rte_hvsim_dev *dev, uint16_t type, uint16_t flags, uint64_t xactid,
	       const void *data, uint32_t len)
{
	int ret;

	if (dev == NULL || (data == NULL && len > 0))
		return -EINVAL;
	pthread_mutex_lock(&dev->sim->lock);
	ret = hvsim_send_locked(dev, type, flags, xactid, data, len);
	pthread_mutex_unlock(&dev->sim->lock);
	return ret;
}

int
rte_hvsim_send_wait(struct rte_hvsim_dev *dev, uint16_t type, uint16_t flags, uint64_t xactid,
		    const void *data, uint32_t len, int timeout_ms)
{
	struct rte_hvsim *sim;
	volatile struct vmbus_bufring *vbr;
	uint64_t deadline;
	struct timespec ts;
	int ret;

	if (dev == NULL || (data == NULL && len > 0))
		return -EINVAL;
	sim = dev->sim;
	deadline = hvsim_now_ms() + (uint64_t)(timeout_ms < 0 ? 0 : timeout_ms);
	pthread_mutex_lock(&sim->lock);
	for (;;) {
		/* Again each time: a rescind while we waited gives the device new rings. */
		vbr = dev->txbr.vbr;
		ret = hvsim_send_locked(dev, type, flags, xactid, data, len);
		if (ret != -EAGAIN)
			break;
		/* Ask the guest to signal when it has read enough for this packet. */
		vbr->pending_send = HVSIM_PKT_HDR + RTE_ALIGN_CEIL(len, 8u) + HVSIM_PKT_TRAILER;
		rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
		ret = hvsim_send_locked(dev, type, flags, xactid, data, len);
		if (ret != -EAGAIN)
			break;
		if (timeout_ms >= 0 && hvsim_now_ms() >= deadline) {
			ret = -ETIMEDOUT;
			break;
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 10 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&sim->cond, &sim->lock, &ts);
	}
	if (dev->conn_fd >= 0)
		vbr->pending_send = 0;
	pthread_mutex_unlock(&sim->lock);
	return ret;
}

int
rte_hvsim_inject_raw(struct rte_hvsim_dev *dev, const void *bytes, uint32_t len,
		     bool interrupt)
{
	uint32_t windex, dsize, first;
	uint8_t *data;
	int ret = 0;

	pthread_mutex_lock(&dev->sim->lock);
	if (dev->conn_fd < 0) {
		ret = -ENOTCONN;
		goto out;
	}
	dsize = dev->txbr.dsize;
	windex = dev->txbr.vbr->windex;
	if (windex >= dsize || len >= dsize - ring_used(&dev->txbr)) {
		ret = -EAGAIN;
		goto out;
	}
	data = dev->mem + dev->map_size / 2 + (dev->map_size / 2 - dsize);
	first = RTE_MIN(len, dsize - windex);
	memcpy(data + windex, bytes, first);
	memcpy(data, (const uint8_t *)bytes + first, len - first);
	rte_atomic_thread_fence(__ATOMIC_RELEASE);
	dev->txbr.vbr->windex = (windex + len) % dsize;
	dev->txbr.windex = dev->txbr.vbr->windex;
	if (interrupt)
		raise_interrupt(dev);
out:
	pthread_mutex_unlock(&dev->sim->lock);
	return ret;
}

int
rte_hvsim_ring_poke(struct rte_hvsim_dev *dev, enum rte_hvsim_ring ring, uint32_t field_off,
		    uint32_t value)
{
	volatile uint8_t *hdr;

	if (field_off > 64 || field_off % 4 != 0 ||
	    (ring != RTE_HVSIM_RING_GUEST_TX && ring != RTE_HVSIM_RING_GUEST_RX))
		return -EINVAL;
	hdr = (volatile uint8_t *)ring_hdr(dev, ring);
	*(volatile uint32_t *)(hdr + field_off) = value;
	rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
	return 0;
}

int
rte_hvsim_ring_data_peek(const struct rte_hvsim_dev *dev, enum rte_hvsim_ring ring,
			 uint32_t off, void *buf, uint32_t len)
{
	uint32_t page = (uint32_t)sysconf(_SC_PAGESIZE);
	uint32_t dsize = dev->conf.ring_size - page;
	const volatile uint8_t *data;
	uint8_t *out = buf;
	uint32_t i, pos;

	if (buf == NULL || len > dsize ||
	    (ring != RTE_HVSIM_RING_GUEST_TX && ring != RTE_HVSIM_RING_GUEST_RX))
		return -EINVAL;
	data = (const volatile uint8_t *)ring_hdr(dev, ring) + page;
	/* Byte by byte through volatile: the guest may be writing there right now. */
	pos = off % dsize;
	for (i = 0; i < len; i++) {
		out[i] = data[pos];
		if (++pos == dsize)
			pos = 0;
	}
	return 0;
}

uint32_t
rte_hvsim_ring_peek(const struct rte_hvsim_dev *dev, enum rte_hvsim_ring ring,
		    uint32_t field_off)
{
	const volatile uint8_t *hdr = (const volatile uint8_t *)ring_hdr(dev, ring);

	if (field_off > 64 || field_off % 4 != 0)
		return 0;
	return *(const volatile uint32_t *)(hdr + field_off);
}

int
rte_hvsim_interrupt(struct rte_hvsim_dev *dev)
{
	int ret = 0;

	pthread_mutex_lock(&dev->sim->lock);
	if (dev->conn_fd < 0)
		ret = -ENOTCONN;
	else
		raise_interrupt(dev);
	pthread_mutex_unlock(&dev->sim->lock);
	return ret;
}

void
rte_hvsim_dev_stats_get(const struct rte_hvsim_dev *dev, struct rte_hvsim_dev_stats *stats)
{
	pthread_mutex_lock(&dev->sim->lock);
	*stats = dev->stats;
	pthread_mutex_unlock(&dev->sim->lock);
}

const char *
rte_hvsim_dev_uio_name(const struct rte_hvsim_dev *dev)
{
	return dev->uio_name;
}

void
rte_hvsim_dev_instance(const struct rte_hvsim_dev *dev, rte_uuid_t instance_id)
{
	rte_uuid_copy(instance_id, dev->conf.instance_id);
}

uint32_t
rte_hvsim_dev_data_size(const struct rte_hvsim_dev *dev)
{
	return dev->conf.ring_size - (uint32_t)sysconf(_SC_PAGESIZE);
}
