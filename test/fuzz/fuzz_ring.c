/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * The channel's packet reader (and writer) over rings a hostile host controls.
 *
 * Both rings live in ordinary memory attached with hvdev_chan_attach(); /dev/null stands for
 * the node, so host signals succeed and go nowhere. The input sets the initial ring indices,
 * then is a script of steps: the host writes any bytes into the RX ring, publishes a
 * well-formed packet, sets either ring's indices, interrupt mask, pending_send_sz and feature
 * bits; the guest receives into a buffer of a given size, sends, arms or disarms interrupts.
 *
 * Properties, checked against the harness's own reading of the ring memory:
 * - no crash, no access outside the rings or the caller's buffers (AddressSanitizer);
 * - a received packet is the descriptor at the read index: same type, flags, transaction id,
 *   length (tlen - hlen) * 8 <= buffer size, payload equal to the ring bytes, the packet
 *   within the bytes published, the read index advanced past it and its trailer; nothing
 *   written to the buffer beyond the payload;
 * - -ENOBUFS leaves the packet in the ring; -EAGAIN only on an empty ring; -EIO only on a
 *   channel that is no longer open;
 * - a sent packet lands at the old write index with the header and payload given, and the
 *   guest never writes into the RX ring's header or data when it sends;
 * - once broken, the channel stays broken: every later receive and send fails with -EIO.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <sys/uio.h>

#include <rte_common.h>
#include <rte_vmbus_reg.h>

#include "hvdev_uio_chan.h"
#include "hvdev_uio_priv.h"
#include "fuzz_common.h"

#define PAGE 4096u
#define RING_SIZE (2 * PAGE)
#define DSIZE (RING_SIZE - PAGE)
#define RECV_MAX 8192u
#define SEND_MAX 4096u

enum step {
	STEP_HOST_BYTES = 0,	/* any bytes anywhere in the RX data */
	STEP_HOST_PACKET,	/* a well-formed packet at the host's write index */
	STEP_RX_WINDEX,
	STEP_RX_RINDEX,
	STEP_RX_FLAGS,		/* imask, pending_send_sz, feature bits */
	STEP_RECV,
	STEP_SEND,
	STEP_TX_RINDEX,
	STEP_TX_DRAIN,		/* the host reads everything we sent */
	STEP_INTR,
	STEP_COUNT,
};

struct rings {
	uint8_t *mem;
	struct vmbus_bufring *tx;
	struct vmbus_bufring *rx;
	uint8_t *txdata;
	uint8_t *rxdata;
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	RTE_SET_USED(argc);
	RTE_SET_USED(argv);
	fuzz_quiet_logs();
	return 0;
}

/* Copy @p n ring bytes from @p off, wrapping, as the harness's own reference read. */
static void
ring_get(const uint8_t *data, uint32_t off, void *out, uint32_t n)
{
	uint8_t *o = out;
	uint32_t i;

	for (i = 0; i < n; i++)
		o[i] = data[(off + i) % DSIZE];
}

static void
ring_put(uint8_t *data, uint32_t off, const void *in, uint32_t n)
{
	const uint8_t *s = in;
	uint32_t i;

	for (i = 0; i < n; i++)
		data[(off + i) % DSIZE] = s[i];
}

static uint32_t
used(uint32_t w, uint32_t r)
{
	return w >= r ? w - r : DSIZE - r + w;
}

static bool
is_open(struct hvdev_chan *ch)
{
	return hvdev_chan_state(ch) == HVDEV_CHAN_OPEN;
}

static void
host_bytes(struct rings *r, struct fuzz_in *in)
{
	uint32_t off = (uint32_t)fuzz_take(in, 2) % DSIZE;
	uint32_t n = (uint32_t)fuzz_take(in, 1);
	uint8_t b[256];

	n = (uint32_t)RTE_MIN((size_t)n, in->left);
	memcpy(b, in->p, n);
	in->p += n;
	in->left -= n;
	ring_put(r->rxdata, off, b, n);
}

/* A packet as a correct host writes it, at its write index, which it then advances. */
static void
host_packet(struct rings *r, struct fuzz_in *in)
{
	struct vmbus_chanpkt_hdr h;
	uint32_t w = r->rx->windex % DSIZE & ~7u, plen, hlen, tlen, i;
	uint64_t trailer = (uint64_t)w << 32;
	uint8_t b;

	h.type = (uint16_t)fuzz_take(in, 2);
	h.flags = (uint16_t)fuzz_take(in, 2);
	h.xactid = fuzz_take(in, 8);
	hlen = 2 + (uint32_t)fuzz_take(in, 1) % 4;
	plen = (uint32_t)fuzz_take(in, 2) % (DSIZE / 2);
	tlen = hlen + (plen + 7) / 8;
	h.hlen = (uint16_t)hlen;
	h.tlen = (uint16_t)tlen;
	ring_put(r->rxdata, w, &h, sizeof(h));
	for (i = 0; i < (tlen - 2) * 8; i++) {
		b = (uint8_t)fuzz_take(in, 1);
		ring_put(r->rxdata, w + 16 + i, &b, 1);
	}
	ring_put(r->rxdata, w + tlen * 8, &trailer, sizeof(trailer));
	r->rx->windex = (w + tlen * 8 + 8) % DSIZE;
}

static void
check_recv(struct hvdev_chan *ch, struct rings *r, uint32_t size)
{
	uint32_t rin = r->rx->rindex, win = r->rx->windex, hlen, tlen, i;
	bool was_open = is_open(ch);
	struct hvdev_pkt_meta meta;
	struct vmbus_chanpkt_hdr h;
	uint8_t *buf, *want;
	int ret;

	/* Exactly @p size bytes: a byte written beyond it is an AddressSanitizer report. */
	buf = malloc(size > 0 ? size : 1);
	FUZZ_ASSERT(buf != NULL, "out of memory");
	memset(buf, 0xa5, size);
	ret = hvdev_chan_recv(ch, &meta, size > 0 ? buf : NULL, size);
	if (!was_open)
		FUZZ_ASSERT(ret == -EIO, "receive on a channel no longer open: %d", ret);
	switch (ret) {
	case 0:
		FUZZ_ASSERT(rin < DSIZE && win < DSIZE, "a packet read with indices %u/%u", rin,
			    win);
		ring_get(r->rxdata, rin, &h, sizeof(h));
		hlen = h.hlen * 8u;
		tlen = h.tlen * 8u;
		FUZZ_ASSERT(h.type == meta.type && h.flags == meta.flags &&
			    h.xactid == meta.xactid, "descriptor fields differ");
		FUZZ_ASSERT(hlen >= 16 && tlen >= hlen && meta.len == tlen - hlen,
			    "length %u from hlen %u tlen %u", meta.len, hlen, tlen);
		FUZZ_ASSERT(meta.len <= size, "a %u-byte payload into %u bytes", meta.len, size);
		FUZZ_ASSERT(tlen + 8 <= used(win, rin), "packet of %u beyond the %u published",
			    tlen, used(win, rin));
		FUZZ_ASSERT(r->rx->rindex == (rin + tlen + 8) % DSIZE, "read index %u after %u",
			    r->rx->rindex, rin);
		want = malloc(meta.len + 1);
		FUZZ_ASSERT(want != NULL, "out of memory");
		ring_get(r->rxdata, rin + hlen, want, meta.len);
		FUZZ_ASSERT(memcmp(want, buf, meta.len) == 0, "payload differs from the ring");
		free(want);
		for (i = meta.len; i < size; i++)
			FUZZ_ASSERT(buf[i] == 0xa5, "byte %u written beyond the payload", i);
		break;
	case -ENOBUFS:
		FUZZ_ASSERT(meta.len > size && r->rx->rindex == rin && is_open(ch),
			    "-ENOBUFS with len %u, size %u", meta.len, size);
		break;
	case -EAGAIN:
		FUZZ_ASSERT(win == rin && is_open(ch), "-EAGAIN with %u/%u", win, rin);
		break;
	case -EIO:
		FUZZ_ASSERT(!is_open(ch), "-EIO on an open channel");
		break;
	default:
		FUZZ_ASSERT(false, "receive returned %d", ret);
	}
	free(buf);
}

static void
check_send(struct hvdev_chan *ch, struct rings *r, struct fuzz_in *in)
{
	uint32_t len = (uint32_t)fuzz_take(in, 2) % SEND_MAX, w = r->tx->windex, pkt;
	uint16_t type = (uint16_t)fuzz_take(in, 2);
	uint16_t flags = (uint16_t)fuzz_take(in, 1);
	struct vmbus_chanpkt_hdr h;
	uint8_t rxcopy[RING_SIZE], *payload, *got;
	bool was_open = is_open(ch);
	struct iovec iov;
	int ret;

	payload = malloc(len + 1);
	got = malloc(len + 1);
	FUZZ_ASSERT(payload != NULL && got != NULL, "out of memory");
	memset(payload, (int)(len & 0xff), len);
	iov.iov_base = payload;
	iov.iov_len = len;
	memcpy(rxcopy, r->rx, RING_SIZE);
	ret = hvdev_chan_send(ch, type, flags, 0x1234, &iov, 1);
	/* Sending may set our RX interrupt mask, nothing else of the RX ring. */
	((struct vmbus_bufring *)rxcopy)->imask = r->rx->imask;
	FUZZ_ASSERT(memcmp(rxcopy, r->rx, RING_SIZE) == 0, "a send wrote into the RX ring");
	if (!was_open)
		FUZZ_ASSERT(ret == -EIO || ret == -EINVAL || ret == -EMSGSIZE,
			    "send on a channel no longer open: %d", ret);
	switch (ret) {
	case 0:
		pkt = 16 + RTE_ALIGN_CEIL(len, 8u);
		FUZZ_ASSERT(type != 0 && len <= hvdev_chan_max_payload(ch), "sent %u bytes", len);
		FUZZ_ASSERT(r->tx->windex == (w + pkt + 8) % DSIZE, "write index %u after %u",
			    r->tx->windex, w);
		ring_get(r->txdata, w, &h, sizeof(h));
		FUZZ_ASSERT(h.type == type && h.flags == flags && h.xactid == 0x1234 &&
			    h.hlen == 2 && h.tlen * 8u == pkt, "sent descriptor");
		ring_get(r->txdata, w + 16, got, len);
		FUZZ_ASSERT(memcmp(got, payload, len) == 0, "sent payload");
		break;
	case -EINVAL:
		FUZZ_ASSERT(type == 0, "-EINVAL for type %u", type);
		break;
	case -EMSGSIZE:
		FUZZ_ASSERT(len > hvdev_chan_max_payload(ch), "-EMSGSIZE for %u bytes", len);
		break;
	case -EAGAIN:
		FUZZ_ASSERT(is_open(ch), "-EAGAIN on a channel no longer open");
		break;
	case -EIO:
		FUZZ_ASSERT(!is_open(ch), "-EIO on an open channel");
		break;
	default:
		FUZZ_ASSERT(false, "send returned %d", ret);
	}
	free(payload);
	free(got);
}

static void
step(struct hvdev_chan *ch, struct rings *r, struct fuzz_in *in)
{
	uint8_t bits;
	int ret;

	switch (fuzz_take(in, 1) % STEP_COUNT) {
	case STEP_HOST_BYTES:
		host_bytes(r, in);
		break;
	case STEP_HOST_PACKET:
		host_packet(r, in);
		break;
	case STEP_RX_WINDEX:
		r->rx->windex = (uint32_t)fuzz_take(in, 4);
		break;
	case STEP_RX_RINDEX:
		r->rx->rindex = (uint32_t)fuzz_take(in, 4);
		break;
	case STEP_RX_FLAGS:
		bits = (uint8_t)fuzz_take(in, 1);
		r->rx->imask = bits & 1;
		r->rx->feature_bits.value = (bits >> 1) & 1;
		r->rx->pending_send = (uint32_t)fuzz_take(in, 4);
		r->tx->imask = (bits >> 2) & 1;
		break;
	case STEP_RECV:
		check_recv(ch, r, (uint32_t)fuzz_take(in, 2) % RECV_MAX);
		break;
	case STEP_SEND:
		check_send(ch, r, in);
		break;
	case STEP_TX_RINDEX:
		r->tx->rindex = (uint32_t)fuzz_take(in, 4);
		break;
	case STEP_TX_DRAIN:
		r->tx->rindex = r->tx->windex;
		break;
	case STEP_INTR:
		if (fuzz_take(in, 1) & 1) {
			hvdev_chan_intr_disarm(ch);
			break;
		}
		ret = hvdev_chan_intr_arm(ch);
		FUZZ_ASSERT(ret == (is_open(ch) ? (r->rx->windex != r->rx->rindex) : -EIO),
			    "arm returned %d", ret);
		FUZZ_ASSERT(hvdev_chan_rx_pending(ch) == (ret == 1), "rx_pending after arm");
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hvdev_uio_devinfo info;
	struct fuzz_in in = { data, size };
	struct hvdev_chan *ch;
	struct rings r;
	bool broken = false;
	int fd, ret;

	memset(&info, 0, sizeof(info));
	snprintf(info.instance_str, sizeof(info.instance_str), "fuzz");
	info.ring_size = RING_SIZE;
	info.map0_size = 2 * RING_SIZE;
	r.mem = aligned_alloc(PAGE, 2 * RING_SIZE);
	FUZZ_ASSERT(r.mem != NULL, "out of memory");
	memset(r.mem, 0, 2 * RING_SIZE);
	r.tx = (struct vmbus_bufring *)r.mem;
	r.rx = (struct vmbus_bufring *)(r.mem + RING_SIZE);
	r.txdata = r.mem + PAGE;
	r.rxdata = r.mem + RING_SIZE + PAGE;
	/* 16-bit initial indices: in range often enough, out of range often enough. */
	r.rx->windex = (uint32_t)fuzz_take(&in, 2);
	r.rx->rindex = (uint32_t)fuzz_take(&in, 2);
	r.tx->windex = (uint32_t)fuzz_take(&in, 2);
	r.tx->rindex = (uint32_t)fuzz_take(&in, 2);
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	FUZZ_ASSERT(fd >= 0, "/dev/null");
	ret = hvdev_chan_attach(&info, r.mem, fd, &ch);
	if (ret < 0) {
		FUZZ_ASSERT(ret == -EIO, "attach returned %d", ret);
		FUZZ_ASSERT(r.rx->rindex >= DSIZE || r.rx->windex >= DSIZE ||
			    r.tx->rindex >= DSIZE || r.tx->windex >= DSIZE ||
			    ((r.rx->rindex | r.rx->windex | r.tx->rindex | r.tx->windex) & 7),
			    "valid indices refused");
		close(fd);
		free(r.mem);
		return 0;
	}
	while (in.left > 0) {
		step(ch, &r, &in);
		if (broken)
			FUZZ_ASSERT(hvdev_chan_state(ch) == HVDEV_CHAN_BROKEN,
				    "a broken channel became %s",
				    hvdev_chan_state_str(hvdev_chan_state(ch)));
		broken = hvdev_chan_state(ch) == HVDEV_CHAN_BROKEN;
	}
	hvdev_chan_close(ch);
	free(r.mem);
	return 0;
}
