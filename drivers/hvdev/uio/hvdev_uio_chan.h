/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef HVDEV_UIO_CHAN_H
#define HVDEV_UIO_CHAN_H

/**
 * @file
 * Internal channel transport of the hvdev_uio PMD.
 *
 * One struct hvdev_chan is one primary VMBus channel of a low-speed device bound to
 * uio_hv_generic (or offered by the simulated host). The class library wraps this API; nothing
 * outside lib/hvdev, the PMD and the tests should call it directly.
 *
 * Every value read from the ring headers and packet descriptors is written by the host and is
 * therefore validated before use. A violation moves the channel to HVDEV_CHAN_BROKEN; all data
 * path calls then fail with -EIO. Once the channel is broken or rescinded its ring memory is
 * released and no call touches it again.
 */

#include <stdbool.h>
#include <stdint.h>
#include <limits.h>
#include <sys/uio.h>

#include <rte_uuid.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Size of a VMBus packet descriptor (struct vmbus_chanpkt_hdr). */
#define HVDEV_PKT_HDR_SIZE 16u
/** Each packet in a ring is followed by an 8-byte trailer (previous write index). */
#define HVDEV_PKT_TRAILER_SIZE 8u

/** Where discovery looks for sysfs and device nodes when no root prefix is given. */
#define HVDEV_DEFAULT_ROOT "/"

/** What the device node is: the kernel's uio character device or the simulator's socket. */
enum hvdev_node_kind {
	HVDEV_NODE_UIO = 0,
	HVDEV_NODE_SIM = 1,
};

/** Channel states. Only OPEN moves data. */
enum hvdev_chan_state {
	HVDEV_CHAN_OPEN = 0,	/**< rings mapped, data path usable */
	HVDEV_CHAN_BROKEN,	/**< host broke the ring protocol; channel must be reopened */
	HVDEV_CHAN_RESCINDED,	/**< host withdrew the device (read of the node failed) */
};

/** What discovery learnt about one low-speed device. */
struct hvdev_uio_devinfo {
	char root[PATH_MAX];		/**< root prefix used for every lookup */
	char sysfs_dir[PATH_MAX];	/**< <root>/sys/bus/vmbus/devices/<instance> */
	char node_path[PATH_MAX];	/**< <root>/dev/uioN */
	char uio_name[32];		/**< uioN */
	char instance_str[RTE_UUID_STRLEN];	/**< instance GUID, lower case */
	rte_uuid_t class_id;		/**< class GUID (fcopy, KVP, ...) */
	rte_uuid_t instance_id;		/**< device instance GUID */
	uint32_t relid;			/**< primary channel relid (sysfs "id") */
	uint64_t map0_size;		/**< size of the txrx_rings uio map */
	uint32_t ring_size;		/**< bytes per direction, header page included */
	bool has_monitor;		/**< monitor page allocated (not a low-speed channel) */
};

/** Metadata of one received packet. */
struct hvdev_pkt_meta {
	uint16_t type;		/**< VMBus packet type (6 = in-band data) */
	uint16_t flags;		/**< descriptor flags (bit 0: completion requested) */
	uint64_t xactid;	/**< transaction id */
	uint32_t len;		/**< payload bytes, including the sender's padding to 8 */
};

/** Per-channel counters; the class library exposes them as stats and xstats. */
struct hvdev_chan_stats {
	uint64_t rx_packets;
	uint64_t rx_bytes;
	uint64_t tx_packets;
	uint64_t tx_bytes;
	uint64_t interrupts;		/**< node reads that returned an interrupt */
	uint64_t wakeups;		/**< sleeps in hvdev_chan_wait() that ended early */
	uint64_t signals;		/**< write(1) host signals sent */
	uint64_t tx_ring_full;		/**< sends refused with -EAGAIN */
	uint64_t protocol_errors;	/**< validation failures of host-written data */
	uint64_t rescinds;
};

struct hvdev_chan;

/**
 * Callback for hvdev_uio_scan(); return non-zero to stop the scan.
 */
typedef int (*hvdev_uio_scan_cb)(const struct hvdev_uio_devinfo *info, void *arg);

/**
 * Call @p cb for every low-speed VMBus device under @p root that is bound to uio_hv_generic and
 * whose uio node and ring map are present. Devices that are not ready are skipped silently.
 *
 * @return number of devices reported, or a negative errno.
 */
int hvdev_uio_scan(const char *root, hvdev_uio_scan_cb cb, void *arg);

/**
 * Find one low-speed device and fill @p info.
 *
 * @param root        root prefix (NULL or "" means "/").
 * @param class_id    class GUID to look for, or NULL for any.
 * @param instance_id instance GUID to look for, or NULL for any.
 * @param timeout_ms  how long to wait for a device, its uio binding or its ring attribute
 *                    to appear (they are created asynchronously by the kernel).
 * @param err, errlen receive a one-line explanation (naming the fix) on failure.
 * @return 0, -ENOENT (no such device), -ENODEV (not bound to uio_hv_generic),
 *         -EINVAL (inconsistent sysfs data), or another negative errno.
 */
int hvdev_uio_discover(const char *root, const rte_uuid_t class_id,
		       const rte_uuid_t instance_id, unsigned int timeout_ms,
		       struct hvdev_uio_devinfo *info, char *err, size_t errlen);

/**
 * Open the device node, map both rings and set them up in DPDK's bufring layout.
 * Opening the node is what makes the host open the channel. The node is locked: a channel
 * has one consumer.
 *
 * @return 0 and *chan; -EBUSY when another consumer has the node open (the message names it);
 *         -ENODEV when the node belongs to a rescinded device; or another negative errno
 *         (message logged).
 */
int hvdev_chan_open(const struct hvdev_uio_devinfo *info, struct hvdev_chan **chan);

/** Unmap, close the node (the host closes the channel) and free. NULL is ignored. */
void hvdev_chan_close(struct hvdev_chan *chan);

/**
 * Receive one whole packet.
 *
 * @param meta  receives type, flags, transaction id and payload length.
 * @param buf   receives the payload (descriptor stripped).
 * @param size  size of @p buf.
 * @return 0; -EAGAIN when the ring is empty; -ENOBUFS when @p size is too small (meta->len
 *         then holds the size needed, the packet stays in the ring); -EIO when the channel is
 *         broken or rescinded.
 */
int hvdev_chan_recv(struct hvdev_chan *chan, struct hvdev_pkt_meta *meta, void *buf,
		    uint32_t size);

/**
 * Send one packet made of @p iov (padded to 8 bytes), signalling the host only when the
 * VMBus rules require it.
 *
 * @return 0; -EAGAIN when the TX ring has no room now; -EMSGSIZE when the packet can never fit;
 *         -EINVAL on bad arguments; -EIO when the channel is broken or rescinded.
 */
int hvdev_chan_send(struct hvdev_chan *chan, uint16_t type, uint16_t flags, uint64_t xactid,
		    const struct iovec *iov, unsigned int iovcnt);

/**
 * Ask the host to interrupt us when it has made room for @p len payload bytes
 * (pending_send_sz), then wait up to @p timeout_ms (-1: forever) for that room.
 *
 * @return 0 when the room is there, -ETIMEDOUT, -EMSGSIZE, or -EIO.
 */
int hvdev_chan_wait_tx_space(struct hvdev_chan *chan, uint32_t len, int timeout_ms);

/**
 * Enable RX interrupts: clear the RX ring's interrupt_mask, full barrier, re-check the ring.
 *
 * @return 1 when packets are already waiting (do not sleep: drain first), 0 when armed and
 *         empty, -EIO when the channel is unusable.
 */
int hvdev_chan_intr_arm(struct hvdev_chan *chan);

/** Disable RX interrupts (poll mode): the host stops interrupting us. */
void hvdev_chan_intr_disarm(struct hvdev_chan *chan);

/**
 * Consume the interrupt notification waiting on the node, without blocking: one read, which on
 * a uio node takes every interrupt counted so far (the simulator's node may keep another, which
 * only makes the next poll() return at once).
 *
 * @return 1 when a notification was consumed, 0 if none, or -EIO when the read shows that the
 *         channel was rescinded (the state becomes HVDEV_CHAN_RESCINDED).
 */
int hvdev_chan_intr_ack(struct hvdev_chan *chan);

/**
 * Wait until a packet is readable: arm, re-check, sleep on the node with no lost wake-up.
 *
 * @param timeout_ms -1 to wait forever.
 * @return 1 when a packet is readable, 0 on timeout, -EIO when broken or rescinded,
 *         -EINTR when interrupted by a signal.
 */
int hvdev_chan_wait(struct hvdev_chan *chan, int timeout_ms);

/** True when at least one byte is waiting in the RX ring (validated). */
bool hvdev_chan_rx_pending(struct hvdev_chan *chan);

/**
 * True when the node of @p info is the very file this channel opened (same inode, created at
 * the same time): after a rescind, that is the stale device, never the one offered again.
 */
bool hvdev_chan_same_node(const struct hvdev_chan *ch, const struct hvdev_uio_devinfo *info);

/** The node's file descriptor, for the caller's own poll/epoll loop. */
int hvdev_chan_fd(const struct hvdev_chan *chan);

enum hvdev_chan_state hvdev_chan_state(const struct hvdev_chan *chan);
enum hvdev_node_kind hvdev_chan_node_kind(const struct hvdev_chan *chan);
const struct hvdev_uio_devinfo *hvdev_chan_info(const struct hvdev_chan *chan);
void hvdev_chan_stats_get(const struct hvdev_chan *chan, struct hvdev_chan_stats *stats);
void hvdev_chan_stats_reset(struct hvdev_chan *chan);

/** Ring data bytes per direction (ring size minus the header page). */
uint32_t hvdev_chan_data_size(const struct hvdev_chan *chan);

/** Largest payload hvdev_chan_send() can ever accept on this channel. */
uint32_t hvdev_chan_max_payload(const struct hvdev_chan *chan);

/** Short text for a state. */
const char *hvdev_chan_state_str(enum hvdev_chan_state state);

#ifdef __cplusplus
}
#endif

#endif /* HVDEV_UIO_CHAN_H */
