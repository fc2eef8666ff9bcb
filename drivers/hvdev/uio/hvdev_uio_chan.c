/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * The channel data path: DPDK's VMBus bufring layout (rte_vmbus_reg.h) with what it lacks for
 * a host we do not trust and for channels without a monitor page: validation of every
 * host-written index and descriptor before use, the interrupt-mask protocol, host signalling
 * through the node, and the pending_send_sz rule. Packets are read out of the RX ring and
 * written into the TX ring here rather than by DPDK's reader and writer: the reader reads the
 * shared read index again after our checks (rx_copy()), and the writer commits with a
 * compare-and-swap loop that spins for ever when the host moves our write index (tx_write()).
 * Every barrier is listed, with its Linux counterpart, in the transport guide.
 */

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>

#include <rte_atomic.h>
#include <rte_common.h>
#include <rte_log.h>
#include <rte_eal_paging.h>
#include <rte_vmbus_reg.h>

#include "hvdev_uio_chan.h"
#include "hvdev_uio_log.h"
#include "hvdev_uio_priv.h"

RTE_LOG_REGISTER_DEFAULT(hvdev_uio_logtype, NOTICE);

#define HVDEV_SEND_IOV_MAX 16
/* tlen is a 16-bit count of 8-byte units. */
#define HVDEV_PKT_LEN_MAX (UINT16_MAX * 8u)

/*
 * One ring as DPDK's bus/vmbus keeps it (struct vmbus_br), ours so that the PMD needs no
 * bus/vmbus internals: DPDK's shared librte_bus_vmbus does not export its bufring functions,
 * and its private.h is in no installed DPDK.
 */
struct hvdev_ring {
	struct vmbus_bufring *vbr;	/* the shared header page */
	uint32_t dsize;			/* bytes of the data area after it */
	uint32_t windex;		/* TX: our next write position */
};

struct hvdev_chan {
	struct hvdev_uio_devinfo info;
	struct hvdev_node node;
	enum hvdev_chan_state state;
	bool armed;
	struct hvdev_ring txbr;	/* guest -> host, we produce */
	struct hvdev_ring rxbr;	/* host -> guest, we consume */
	uint32_t rx_rindex;	/* our own copy of the RX read index we own */
	struct hvdev_chan_stats stats;
};

const char *
hvdev_chan_state_str(enum hvdev_chan_state state)
{
	switch (state) {
	case HVDEV_CHAN_OPEN:
		return "open";
	case HVDEV_CHAN_BROKEN:
		return "broken";
	case HVDEV_CHAN_RESCINDED:
		return "rescinded";
	}
	return "unknown";
}

/*
 * Give a broken channel back to the host at once. uio_hv_generic opens the VMBus channel on
 * the first open of the node only and closes it on the last release, and the mapping of the
 * rings holds the node too: while either stays, a reopen would find the same broken rings.
 * Closing also drops the exclusive lock, so that the reopen is not refused. The ring range
 * becomes inaccessible; no call touches it once the channel is not open (rings_usable()).
 */
static void
chan_release(struct hvdev_chan *ch)
{
	if (ch->node.mem == NULL || ch->node.fd < 0)
		return;
	hvdev_node_release_rings(&ch->node);
	if (ch->node.lock_fd >= 0 && ch->node.lock_fd != ch->node.fd)
		close(ch->node.lock_fd);
	ch->node.lock_fd = -1;
	close(ch->node.fd);
	ch->node.fd = -1;
}

/*
 * The one test before any access to ring memory. After a rescind the kernel unregisters the
 * device and frees the ring pages while they may still be mapped (map 0 is mapped without a
 * page reference): a read returns someone else's data, a write corrupts it. A broken channel's
 * rings are released as well.
 */
static bool
rings_usable(const struct hvdev_chan *ch)
{
	return ch->state == HVDEV_CHAN_OPEN;
}

static void __rte_format_printf(2, 3)
chan_broken(struct hvdev_chan *ch, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ch->stats.protocol_errors++;
	if (ch->state == HVDEV_CHAN_OPEN) {
		HVDEV_UIO_LOG(ERR, "%s (relid %u): host broke the ring protocol: %s; channel "
			      "closed until reopened", ch->info.instance_str, ch->info.relid,
			      msg);
		ch->state = HVDEV_CHAN_BROKEN;
		chan_release(ch);
	}
	ch->state = HVDEV_CHAN_BROKEN;
}

/*
 * The host withdrew the device: from now on the ring pages may be freed, so the mapping goes
 * at once (the node stays open until hvdev_chan_close(), so that reads keep reporting the
 * rescind and the descriptor number is not reused under an application's epoll set).
 */
static void
chan_rescinded(struct hvdev_chan *ch)
{
	if (ch->state == HVDEV_CHAN_RESCINDED)
		return;
	HVDEV_UIO_LOG(NOTICE, "%s (relid %u): channel rescinded by the host; ring memory "
		      "released", ch->info.instance_str, ch->info.relid);
	ch->stats.rescinds++;
	ch->state = HVDEV_CHAN_RESCINDED;
	hvdev_node_release_rings(&ch->node);
}

static bool
index_valid(uint32_t idx, uint32_t dsize)
{
	/* Every record in a ring is a multiple of 8 bytes, so indices are too. */
	return idx < dsize && (idx & 7) == 0;
}

static uint32_t
ring_used(uint32_t windex, uint32_t rindex, uint32_t dsize)
{
	return windex >= rindex ? windex - rindex : dsize - rindex + windex;
}

/*
 * Snapshot and check the RX indices: the read index is ours and must be what we last wrote;
 * the write index is the host's and must be in range. Returns bytes readable, or -EIO.
 */
static int64_t
rx_readable(struct hvdev_chan *ch)
{
	const volatile struct vmbus_bufring *vbr = ch->rxbr.vbr;
	uint32_t dsize = ch->rxbr.dsize;
	uint32_t windex, rindex;

	if (ch->state != HVDEV_CHAN_OPEN)
		return -EIO;
	windex = vbr->windex;
	rindex = vbr->rindex;
	if (rindex != ch->rx_rindex) {
		chan_broken(ch, "RX read index changed under us (%u, expected %u)", rindex,
			    ch->rx_rindex);
		return -EIO;
	}
	if (!index_valid(windex, dsize)) {
		chan_broken(ch, "RX write index %u out of range (data size %u)", windex, dsize);
		return -EIO;
	}
	/* Packet bytes must be read only after the index that published them. */
	rte_atomic_thread_fence(__ATOMIC_ACQUIRE);
	return ring_used(windex, rindex, dsize);
}

/* Same for TX: the write index is ours, the read index the host's. Returns bytes free. */
static int64_t
tx_writable(struct hvdev_chan *ch)
{
	const volatile struct vmbus_bufring *vbr = ch->txbr.vbr;
	uint32_t dsize = ch->txbr.dsize;
	uint32_t windex, rindex;

	if (ch->state != HVDEV_CHAN_OPEN)
		return -EIO;
	windex = vbr->windex;
	rindex = vbr->rindex;
	if (windex != ch->txbr.windex) {
		chan_broken(ch, "TX write index changed under us (%u, expected %u)", windex,
			    ch->txbr.windex);
		return -EIO;
	}
	if (!index_valid(rindex, dsize)) {
		chan_broken(ch, "TX read index %u out of range (data size %u)", rindex, dsize);
		return -EIO;
	}
	/*
	 * The host read what it freed before it published this read index; our writes into
	 * that space must come after our read of the index.
	 */
	rte_atomic_thread_fence(__ATOMIC_ACQUIRE);
	return dsize - ring_used(windex, rindex, dsize);
}

/* On a channel without a monitor page, write(1) on the node is the only way to signal. */
static void
signal_host(struct hvdev_chan *ch)
{
	int ret;

	if (!rings_usable(ch))
		return;
	ret = hvdev_node_irqcontrol(&ch->node, &ch->rxbr.vbr->imask, 1);
	if (ret < 0) {
		/*
		 * uio answers a 4-byte write with EIO once the channel is rescinded and with
		 * EINVAL once the device is unregistered (its uio info is gone); the simulator's
		 * node fails when the host hung up. All of them mean the channel is gone.
		 */
		if (ret == -EIO || ret == -EINVAL || ret == -EPIPE || ret == -ECONNRESET ||
		    ret == -ENOTCONN)
			chan_rescinded(ch);
		else
			HVDEV_UIO_LOG(ERR, "%s: cannot signal the host: %s",
				      ch->info.instance_str, strerror(-ret));
		return;
	}
	ch->stats.signals++;
	/* write(1) also unmasks our RX interrupt; keep poll mode quiet if that is the mode. */
	if (!ch->armed) {
		ch->rxbr.vbr->imask = 1;
		/* As hv_begin_read(): the mask store is not reordered with later accesses. */
		rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
	}
}

/*
 * After consuming @p freed bytes: if the host asked (pending_send_sz) to be told when a send
 * of that size fits, tell it exactly when our read made the room appear.
 */
static void
rx_signal_pending_sender(struct hvdev_chan *ch, uint32_t freed)
{
	volatile struct vmbus_bufring *vbr = ch->rxbr.vbr;
	uint32_t pending, free_now;
	int64_t used;

	if (!rings_usable(ch) || !vbr->feature_bits.feat_pending_send_sz)
		return;
	/*
	 * The read index store before the pending_send_sz load: read earlier, a size the host
	 * set just before our store could be missed, and the host would sleep over room.
	 */
	rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
	pending = vbr->pending_send;
	if (pending == 0)
		return;
	/* The pending_send_sz load before the write index load (Linux: virt_rmb()). */
	rte_atomic_thread_fence(__ATOMIC_ACQUIRE);
	used = rx_readable(ch);
	if (used < 0)
		return;
	free_now = ch->rxbr.dsize - (uint32_t)used;
	if (free_now - freed <= pending && free_now > pending)
		signal_host(ch);
}

/*
 * Copy @p len bytes of RX ring data starting @p off bytes after our read index, wrapping at
 * the end of the data area. Unlike DPDK's vmbus_rxbr_peek()/vmbus_rxbr_read(), it never
 * reads the read index from shared memory again: it starts from our private copy, which is
 * always in range, so a host that rewrites the index while we copy cannot move the copy
 * outside the ring. The caller has checked that @p off + @p len bytes are readable.
 */
static void
rx_copy(const struct hvdev_chan *ch, uint32_t off, void *dst, uint32_t len)
{
	/* The data area starts one system page after the header, as in ring_setup(). */
	const uint8_t *data = (const uint8_t *)(uintptr_t)ch->rxbr.vbr + rte_mem_page_size();
	uint32_t dsize = ch->rxbr.dsize;
	uint32_t pos = (uint32_t)(((uint64_t)ch->rx_rindex + off) % dsize);
	uint32_t first = RTE_MIN(len, dsize - pos);

	memcpy(dst, data + pos, first);
	if (len > first)
		memcpy((uint8_t *)dst + first, data, len - first);
}

int
hvdev_chan_recv(struct hvdev_chan *ch, struct hvdev_pkt_meta *meta, void *buf, uint32_t size)
{
	struct vmbus_chanpkt_hdr hdr;
	uint32_t pktlen, hlen, plen, consumed;
	int64_t avail;

	if (ch == NULL || meta == NULL || (buf == NULL && size > 0))
		return -EINVAL;
	avail = rx_readable(ch);
	if (avail < 0)
		return (int)avail;
	if (avail == 0)
		return -EAGAIN;
	if (avail < HVDEV_PKT_HDR_SIZE + HVDEV_PKT_TRAILER_SIZE) {
		chan_broken(ch, "%" PRId64 " bytes readable, less than one packet", avail);
		return -EIO;
	}
	rx_copy(ch, 0, &hdr, sizeof(hdr));
	hlen = (uint32_t)hdr.hlen * 8;
	pktlen = (uint32_t)hdr.tlen * 8;
	if (hdr.type == 0 || hlen < HVDEV_PKT_HDR_SIZE || hlen > pktlen ||
	    (uint64_t)pktlen + HVDEV_PKT_TRAILER_SIZE > (uint64_t)avail) {
		chan_broken(ch, "bad descriptor: type %u hlen %u tlen %u with %" PRId64
			    " bytes readable", hdr.type, hdr.hlen, hdr.tlen, avail);
		return -EIO;
	}
	plen = pktlen - hlen;
	meta->type = hdr.type;
	meta->flags = hdr.flags;
	meta->xactid = hdr.xactid;
	meta->len = plen;
	if (plen > size)
		return -ENOBUFS;
	if (plen > 0)
		rx_copy(ch, hlen, buf, plen);
	consumed = pktlen + HVDEV_PKT_TRAILER_SIZE;
	ch->rx_rindex = (ch->rx_rindex + consumed) % ch->rxbr.dsize;
	/* The host may reuse the space only once the packet has been copied out. */
	rte_atomic_thread_fence(__ATOMIC_RELEASE);
	ch->rxbr.vbr->rindex = ch->rx_rindex;
	ch->stats.rx_packets++;
	ch->stats.rx_bytes += plen;
	rx_signal_pending_sender(ch, consumed);
	return 0;
}

static uint32_t
send_pktlen(uint32_t dlen)
{
	return HVDEV_PKT_HDR_SIZE + RTE_ALIGN_CEIL(dlen, 8u);
}

uint32_t
hvdev_chan_max_payload(const struct hvdev_chan *ch)
{
	/* The ring is never filled completely: record + trailer must be < data size. */
	uint32_t ring_max = ch->txbr.dsize - HVDEV_PKT_TRAILER_SIZE - 8;
	uint32_t limit = RTE_MIN(ring_max, HVDEV_PKT_LEN_MAX);

	return RTE_ALIGN_FLOOR(limit, 8u) - HVDEV_PKT_HDR_SIZE;
}

/* Copy @p len bytes into the TX data area at @p pos, wrapping; @return the next position. */
static uint32_t
tx_copy(struct hvdev_chan *ch, uint32_t pos, const void *src, uint32_t len)
{
	/* The data area starts one system page after the header, as in ring_setup(). */
	uint8_t *data = (uint8_t *)(uintptr_t)ch->txbr.vbr + rte_mem_page_size();
	uint32_t dsize = ch->txbr.dsize;
	uint32_t first = RTE_MIN(len, dsize - pos);

	memcpy(data + pos, src, first);
	if (len > first)
		memcpy(data, (const uint8_t *)src + first, len - first);
	pos += len;
	return pos >= dsize ? pos - dsize : pos;
}

/*
 * Signal the host only when this packet made its ring non-empty and it has not masked us
 * (hv_signal_on_write()): Windows hosts throttle guests that signal when not expected.
 */
static bool
tx_need_signal(struct hvdev_chan *ch, uint32_t old_windex)
{
	const volatile struct vmbus_bufring *vbr = ch->txbr.vbr;

	/* The write index store before the interrupt_mask load (Linux: virt_mb()). */
	rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (vbr->imask)
		return false;
	/* The interrupt_mask load before the read index load (Linux: virt_rmb()). */
	rte_atomic_thread_fence(__ATOMIC_ACQUIRE);
	return old_windex == vbr->rindex;
}

/*
 * Write one packet (@p hdr, @p iov, @p pad zero bytes, the trailer) into the TX ring and
 * publish it. Our own writer rather than DPDK's vmbus_txbr_write(): that one commits the
 * write index with a compare-and-swap that it retries until the index holds the value it
 * expects, which a host that rewrites our index after the space check makes a spin that
 * nothing (no signal either) can end. We are the only producer, so no reservation is needed
 * and the commit is tried once: a write index that is no longer ours breaks the channel.
 * @return 0, -EAGAIN (no room), -EIO (broken or not open).
 */
/*
 * The shared TX write index, for the atomic commit. DPDK declares the ring header packed, so
 * the compiler assumes it byte-aligned and clang refuses an atomic on it; the header starts a
 * page of the mapping, so the index is naturally aligned.
 */
static uint32_t *
tx_windex(struct hvdev_chan *ch)
{
	return (uint32_t *)(uintptr_t)((uint8_t *)ch->txbr.vbr +
				       offsetof(struct vmbus_bufring, windex));
}

static int
tx_write(struct hvdev_chan *ch, const struct vmbus_chanpkt_hdr *hdr, const struct iovec *iov,
	 unsigned int iovcnt, uint32_t pad, bool *need_sig)
{
	static const uint8_t zeros[8];
	uint32_t old = ch->txbr.windex, pos, expected, total;
	uint64_t trailer = (uint64_t)old << 32;
	unsigned int i;
	int64_t room;

	total = (uint32_t)hdr->tlen * 8 + HVDEV_PKT_TRAILER_SIZE;
	room = tx_writable(ch);
	if (room < 0)
		return -EIO;
	/* Never fill the ring completely, or full would look empty. */
	if ((uint64_t)room <= total)
		return -EAGAIN;
	pos = tx_copy(ch, old, hdr, sizeof(*hdr));
	for (i = 0; i < iovcnt; i++)
		if (iov[i].iov_len > 0)
			pos = tx_copy(ch, pos, iov[i].iov_base, (uint32_t)iov[i].iov_len);
	if (pad > 0)
		pos = tx_copy(ch, pos, zeros, pad);
	pos = tx_copy(ch, pos, &trailer, sizeof(trailer));
	/*
	 * Publish: the packet stores before the write index store, and a full barrier as
	 * hv_ringbuffer_write() has (a sequentially consistent compare-and-swap is one).
	 */
	expected = old;
	if (!__atomic_compare_exchange_n(tx_windex(ch), &expected, pos, false,
					 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
		chan_broken(ch, "TX write index changed under us while we wrote (%u, expected %u)",
			    expected, old);
		return -EIO;
	}
	ch->txbr.windex = pos;
	*need_sig = tx_need_signal(ch, old);
	return 0;
}

int
hvdev_chan_send(struct hvdev_chan *ch, uint16_t type, uint16_t flags, uint64_t xactid,
		const struct iovec *iov, unsigned int iovcnt)
{
	struct vmbus_chanpkt_hdr hdr;
	uint64_t dlen = 0;
	uint32_t pktlen;
	bool need_sig = false;
	unsigned int i;
	int ret;

	if (ch == NULL || type == 0 || iovcnt > HVDEV_SEND_IOV_MAX || (iov == NULL && iovcnt))
		return -EINVAL;
	for (i = 0; i < iovcnt; i++) {
		if (iov[i].iov_base == NULL && iov[i].iov_len > 0)
			return -EINVAL;
		dlen += iov[i].iov_len;
	}
	if (dlen > hvdev_chan_max_payload(ch))
		return -EMSGSIZE;
	pktlen = send_pktlen((uint32_t)dlen);

	hdr.type = type;
	hdr.hlen = HVDEV_PKT_HDR_SIZE / 8;
	hdr.tlen = (uint16_t)(pktlen / 8);
	hdr.flags = flags;
	hdr.xactid = xactid;
	ret = tx_write(ch, &hdr, iov, iovcnt, pktlen - HVDEV_PKT_HDR_SIZE - (uint32_t)dlen,
		       &need_sig);
	if (ret == -EAGAIN) {
		ch->stats.tx_ring_full++;
		return -EAGAIN;
	}
	if (ret < 0)
		return ret;
	ch->stats.tx_packets++;
	ch->stats.tx_bytes += dlen;
	if (need_sig)
		signal_host(ch);
	return 0;
}

/* Milliseconds left until @p deadline (UINT64_MAX = forever) as a poll() timeout. */
static int
remaining_ms(uint64_t deadline)
{
	uint64_t now;

	if (deadline == UINT64_MAX)
		return -1;
	now = hvdev_now_ms();
	return now >= deadline ? 0 : (int)RTE_MIN(deadline - now, (uint64_t)INT32_MAX);
}

static uint64_t
deadline_after(int timeout_ms)
{
	return timeout_ms < 0 ? UINT64_MAX : hvdev_now_ms() + (uint64_t)timeout_ms;
}

/*
 * Consume one notification from the node, the one poll() reported. One read, not a read until
 * EAGAIN: a uio node's read takes every interrupt counted so far, and the host interrupts only
 * an armed, empty ring, so a second notification is rare and the syscall that would find none
 * is not. One left behind (the simulator's node keeps one per interrupt) only makes the next
 * poll() return at once. @return 1, 0 if none, or -EIO (rescinded or broken).
 */
static int
consume_notification(struct hvdev_chan *ch)
{
	uint32_t count;
	ssize_t r;

	for (;;) {
		r = read(ch->node.fd, &count, sizeof(count));
		if (r == (ssize_t)sizeof(count)) {
			ch->stats.interrupts++;
			return 1;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			return 0;
		/* uio: EIO once the channel is rescinded; simulator: the host hung up. */
		if (r == 0 || (r < 0 && (errno == EIO || errno == ECONNRESET || errno == ENODEV)))
			chan_rescinded(ch);
		else
			chan_broken(ch, "node read returned %zd (%s)", r,
				    r < 0 ? strerror(errno) : "short read");
		return -EIO;
	}
}

int
hvdev_chan_intr_ack(struct hvdev_chan *ch)
{
	return consume_notification(ch);
}

int
hvdev_chan_intr_arm(struct hvdev_chan *ch)
{
	int64_t avail;

	if (ch->state != HVDEV_CHAN_OPEN)
		return -EIO;
	ch->armed = true;
	ch->rxbr.vbr->imask = 0;
	/*
	 * As hv_end_read(): the host must see the mask cleared before we look at its write
	 * index, or a packet it publishes in between raises no interrupt and is not seen.
	 */
	rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
	avail = rx_readable(ch);
	if (avail < 0)
		return -EIO;
	return avail > 0;
}

void
hvdev_chan_intr_disarm(struct hvdev_chan *ch)
{
	ch->armed = false;
	/* A stop or a poll-mode configure after a rescind: the rings are gone. */
	if (!rings_usable(ch))
		return;
	ch->rxbr.vbr->imask = 1;
	/* As hv_begin_read(): the mask store is not reordered with the reads that follow. */
	rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
}

bool
hvdev_chan_rx_pending(struct hvdev_chan *ch)
{
	return rx_readable(ch) > 0;
}

/* Sleep on the node until it is readable or the deadline passes; then consume the events. */
static int
sleep_on_node(struct hvdev_chan *ch, uint64_t deadline)
{
	struct pollfd pfd = { .fd = ch->node.fd, .events = POLLIN };
	int ret;

	ret = poll(&pfd, 1, remaining_ms(deadline));
	if (ret < 0)
		return -errno;
	if (ret == 0)
		return 0;
	ch->stats.wakeups++;
	ret = consume_notification(ch);
	return ret < 0 ? ret : 1;
}

int
hvdev_chan_wait(struct hvdev_chan *ch, int timeout_ms)
{
	uint64_t deadline = deadline_after(timeout_ms);
	int ret;

	if (ch == NULL)
		return -EINVAL;
	for (;;) {
		/* Arm, then re-check: a packet that raced the arming is never slept on. */
		ret = hvdev_chan_intr_arm(ch);
		if (ret != 0)
			break;
		ret = sleep_on_node(ch, deadline);
		if (ret < 0)
			return ret;
		if (ret == 0)
			return hvdev_chan_rx_pending(ch) ? 1 : (ch->state == HVDEV_CHAN_OPEN ?
								     0 : -EIO);
	}
	if (ret > 0) {
		/* While we drain, the host need not interrupt us; the next wait re-arms. */
		hvdev_chan_intr_disarm(ch);
	}
	return ret;
}

int
hvdev_chan_wait_tx_space(struct hvdev_chan *ch, uint32_t len, int timeout_ms)
{
	uint64_t deadline = deadline_after(timeout_ms);
	volatile struct vmbus_bufring *vbr;
	uint32_t need;
	int64_t room;
	int ret = 0;

	if (ch == NULL)
		return -EINVAL;
	if (len > hvdev_chan_max_payload(ch))
		return -EMSGSIZE;
	vbr = ch->txbr.vbr;
	need = send_pktlen(len) + HVDEV_PKT_TRAILER_SIZE;
	for (;;) {
		room = tx_writable(ch);
		if (room < 0) {
			ret = -EIO;
			break;
		}
		if ((uint32_t)room > need)
			break;
		vbr->pending_send = need;
		/*
		 * The pending_send_sz store before the read index re-check: the host's reader
		 * does the mirror image (read index store, full barrier, pending_send_sz load, as
		 * hv_pkt_iter_close()), so one of the two sides sees the other.
		 */
		rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
		room = tx_writable(ch);
		if (room < 0 || (uint32_t)room > need) {
			ret = room < 0 ? -EIO : 0;
			break;
		}
		ret = sleep_on_node(ch, deadline);
		if (ret < 0)
			break;
		if (ret == 0 && remaining_ms(deadline) == 0) {
			room = tx_writable(ch);
			ret = room >= 0 && (uint32_t)room > need ? 0 : -ETIMEDOUT;
			break;
		}
	}
	/* Not after a rescind or a break: the rings are gone (a stale 0 only costs a signal). */
	if (rings_usable(ch))
		vbr->pending_send = 0;
	return ret < 0 ? ret : 0;
}

static bool
rings_fit(const struct hvdev_uio_devinfo *info)
{
	return info->ring_size != 0 && info->map0_size == 2ull * info->ring_size &&
	       info->ring_size > (uint32_t)sysconf(_SC_PAGESIZE);
}

/*
 * One ring over @p blen bytes at @p buf, as DPDK's vmbus_br_setup() lays it out: the header
 * page, then the data area. rings_fit() checked that blen is more than a page.
 */
static void
ring_setup(struct hvdev_ring *br, void *buf, uint32_t blen)
{
	br->vbr = buf;
	br->windex = br->vbr->windex;
	br->dsize = blen - (uint32_t)rte_mem_page_size();
}

/* Set up both rings over @p mem (TX ring, then RX ring) and check the host's indices. */
static int
attach_rings(struct hvdev_chan *ch, uint8_t *mem)
{
	ring_setup(&ch->txbr, mem, ch->info.ring_size);
	ring_setup(&ch->rxbr, mem + ch->info.ring_size, ch->info.ring_size);
	ch->rx_rindex = ch->rxbr.vbr->rindex;
	ch->state = HVDEV_CHAN_OPEN;
	/*
	 * Our own indices start as the host left them: the TX write index too, or the first
	 * send would copy to wherever it points.
	 */
	if (!index_valid(ch->rx_rindex, ch->rxbr.dsize) ||
	    !index_valid(ch->txbr.windex, ch->txbr.dsize) || tx_writable(ch) < 0 ||
	    rx_readable(ch) < 0) {
		HVDEV_UIO_LOG(ERR, "%s: rings hold invalid indices at open",
			      ch->info.instance_str);
		return -EIO;
	}
	/* Poll mode until someone waits: arming is the waiter's job (arm, re-check, sleep). */
	hvdev_chan_intr_disarm(ch);
	return 0;
}

int
hvdev_chan_open(const struct hvdev_uio_devinfo *info, struct hvdev_chan **chanp)
{
	struct hvdev_chan *ch;
	int ret;

	if (info == NULL || chanp == NULL || !rings_fit(info))
		return -EINVAL;
	ch = calloc(1, sizeof(*ch));
	if (ch == NULL)
		return -ENOMEM;
	ch->info = *info;
	ret = hvdev_node_open(info, &ch->node);
	if (ret < 0) {
		free(ch);
		return ret;
	}
	ret = attach_rings(ch, ch->node.mem);
	if (ret < 0) {
		hvdev_node_close(&ch->node);
		free(ch);
		return ret;
	}
	HVDEV_UIO_LOG(INFO, "%s: opened relid %u on %s (%s node), %u data bytes per ring",
		      info->instance_str, info->relid, info->node_path,
		      ch->node.kind == HVDEV_NODE_UIO ? "uio" : "simulator", ch->rxbr.dsize);
	*chanp = ch;
	return 0;
}

int
hvdev_chan_attach(const struct hvdev_uio_devinfo *info, void *mem, int fd,
		  struct hvdev_chan **chanp)
{
	struct hvdev_chan *ch;
	int ret;

	if (info == NULL || mem == NULL || chanp == NULL || !rings_fit(info))
		return -EINVAL;
	ch = calloc(1, sizeof(*ch));
	if (ch == NULL)
		return -ENOMEM;
	ch->info = *info;
	/* The mask is changed by us, as on a simulator node; mem stays the caller's. */
	ch->node.kind = HVDEV_NODE_SIM;
	ch->node.fd = -1;
	ch->node.lock_fd = -1;
	ret = attach_rings(ch, mem);
	if (ret < 0) {
		free(ch);
		return ret;
	}
	ch->node.fd = fd;
	*chanp = ch;
	return 0;
}

void
hvdev_chan_close(struct hvdev_chan *ch)
{
	if (ch == NULL)
		return;
	hvdev_node_close(&ch->node);
	free(ch);
}

bool
hvdev_chan_same_node(const struct hvdev_chan *ch, const struct hvdev_uio_devinfo *info)
{
	struct hvdev_node_ident id;

	return hvdev_node_ident_get(info->node_path, &id) == 0 &&
	       hvdev_node_ident_same(&ch->node.ident, &id);
}

int
hvdev_chan_fd(const struct hvdev_chan *ch)
{
	return ch->node.fd;
}

enum hvdev_chan_state
hvdev_chan_state(const struct hvdev_chan *ch)
{
	return ch->state;
}

enum hvdev_node_kind
hvdev_chan_node_kind(const struct hvdev_chan *ch)
{
	return ch->node.kind;
}

const struct hvdev_uio_devinfo *
hvdev_chan_info(const struct hvdev_chan *ch)
{
	return &ch->info;
}

void
hvdev_chan_stats_get(const struct hvdev_chan *ch, struct hvdev_chan_stats *stats)
{
	*stats = ch->stats;
}

void
hvdev_chan_stats_reset(struct hvdev_chan *ch)
{
	memset(&ch->stats, 0, sizeof(ch->stats));
}

uint32_t
hvdev_chan_data_size(const struct hvdev_chan *ch)
{
	return ch->rxbr.dsize;
}
