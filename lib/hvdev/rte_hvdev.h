/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef RTE_HVDEV_H
#define RTE_HVDEV_H

/**
 * @file
 * RTE hvdev: Hyper-V VMBus low-speed devices.
 *
 * A device class for the "specialty" VMBus devices (file copy, KVP, VSS, heartbeat, shutdown,
 * time sync) that Linux hands to user space through uio_hv_generic. Each device is one VMBus
 * channel: a pair of rings carrying whole VMBus packets, an interrupt from the host, and a
 * signal to the host.
 *
 * Life cycle, enforced by the library:
 *
 *   rte_hvdev_configure() -> rte_hvdev_start() -> recv/send/wait -> rte_hvdev_stop()
 *   -> rte_hvdev_close()
 *
 * Interrupt mode: rte_hvdev_wait() arms the interrupt, re-checks the ring and only then sleeps,
 * so no packet is ever slept on. Applications with their own event loop use
 * rte_hvdev_intr_ctl() or rte_hvdev_intr_fd() with the same arm-then-drain discipline.
 *
 * All functions return a negative errno on failure. The data path of one device is meant to be
 * used by one thread at a time.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/uio.h>

#include <rte_compat.h>
#include <rte_uuid.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Maximum length of a device name, NUL included. */
#define RTE_HVDEV_NAME_MAX_LEN 64
/** Default size of the device table. */
#define RTE_HVDEV_DEFAULT_MAX 64
/** Name size of an extended statistic. */
#define RTE_HVDEV_XSTATS_NAME_SIZE 64

/** VMBus packet types used by low-speed devices. */
#define RTE_HVDEV_PKT_INBAND 0x6	/**< in-band data: all IC traffic */
#define RTE_HVDEV_PKT_COMP 0xb		/**< completion */
/** Packet flag: the sender wants a completion. */
#define RTE_HVDEV_PKT_FLAG_RC 0x1

/** Device state as applications see it. */
enum rte_hvdev_state {
	RTE_HVDEV_STATE_READY = 0,	/**< channel open, device stopped */
	RTE_HVDEV_STATE_RUNNING,	/**< started */
	RTE_HVDEV_STATE_RESCINDED,	/**< the host withdrew the device */
	RTE_HVDEV_STATE_BROKEN,		/**< the host broke the ring protocol */
};

/** Kind of device node behind a device. */
enum rte_hvdev_node_kind {
	RTE_HVDEV_NODE_UIO = 0,		/**< /dev/uioN of uio_hv_generic */
	RTE_HVDEV_NODE_SIM,		/**< a simulated host's node */
};

/** Device information. */
struct rte_hvdev_info {
	const char *dev_name;		/**< device name */
	const char *driver_name;	/**< PMD name */
	const char *class_name;		/**< "fcopy", "kvp", ... or "unknown" */
	rte_uuid_t class_id;		/**< VMBus class GUID */
	rte_uuid_t instance_id;		/**< VMBus instance GUID */
	uint32_t relid;			/**< channel relid */
	uint32_t tx_ring_data_size;	/**< guest -> host ring, data bytes */
	uint32_t rx_ring_data_size;	/**< host -> guest ring, data bytes */
	uint32_t max_payload;		/**< largest payload rte_hvdev_send() accepts */
	bool has_monitor;		/**< channel has a monitor page */
	enum rte_hvdev_node_kind node_kind;
	enum rte_hvdev_state state;
	int numa_node;
};

/** Device configuration. */
struct rte_hvdev_conf {
	/**
	 * Interrupt mode: rte_hvdev_wait() sleeps on the host's interrupt. When false, the
	 * device is polled and rte_hvdev_wait() spins until a packet arrives or time runs out.
	 */
	bool intr_mode;
	/**
	 * In interrupt mode, how long rte_hvdev_wait() polls before arming and sleeping, in
	 * microseconds (0: sleep at once).
	 */
	uint32_t busy_poll_us;
	/**
	 * In interrupt mode, the longest rte_hvdev_wait() sleeps without looking at the ring,
	 * in milliseconds (0: until the host interrupts). Hyper-V does not lose interrupts, so
	 * 0 costs nothing while idle; a bound makes an interrupt that a faulty host never raised
	 * cost at most this much latency instead of a guest asleep over a full ring, at the
	 * price of one wake-up per bound while idle. At most 3600000.
	 */
	uint32_t recheck_ms;
};

/** Metadata of a received packet. */
struct rte_hvdev_pkt {
	uint16_t type;		/**< VMBus packet type */
	uint16_t flags;		/**< VMBus packet flags */
	uint64_t xactid;	/**< transaction id */
	uint32_t len;		/**< payload bytes, including the sender's padding to 8 */
};

/** Basic statistics. */
struct rte_hvdev_stats {
	uint64_t rx_packets;
	uint64_t rx_bytes;
	uint64_t tx_packets;
	uint64_t tx_bytes;
	uint64_t interrupts;		/**< host interrupts consumed */
	uint64_t wakeups;		/**< sleeps ended by the node */
	uint64_t signals;		/**< signals sent to the host */
	uint64_t tx_ring_full;		/**< sends refused because the ring was full */
	uint64_t protocol_errors;	/**< host data that failed validation */
	uint64_t rescinds;		/**< times the host withdrew the device */
};

/** Name of one extended statistic. */
struct rte_hvdev_xstat_name {
	char name[RTE_HVDEV_XSTATS_NAME_SIZE];
};

/** Device events. */
enum rte_hvdev_event {
	RTE_HVDEV_EVENT_RESCIND = 0,	/**< the host withdrew the device */
	RTE_HVDEV_EVENT_OFFER,		/**< the device was offered again and reattached */
	RTE_HVDEV_EVENT_MAX,
};

/** Register a callback for all devices. */
#define RTE_HVDEV_ALL (-1)

/** Event callback; runs in the thread that detected the event. */
typedef void (*rte_hvdev_event_cb)(int16_t dev_id, enum rte_hvdev_event event, void *arg);

/**
 * Set the size of the device table. Must be called before rte_eal_init().
 * @return 0 or -EINVAL (0, or too late).
 */
__rte_experimental
int rte_hvdev_dev_max(size_t dev_max);

/** @return number of usable devices. */
__rte_experimental
uint16_t rte_hvdev_count_avail(void);

/** @return the first valid device id at or after @p start_dev_id, or -1. */
__rte_experimental
int16_t rte_hvdev_next_dev(int16_t start_dev_id);

/** Iterate over every valid device id. */
#define RTE_HVDEV_FOREACH_DEV(p) \
	for (p = rte_hvdev_next_dev(0); p != -1; p = rte_hvdev_next_dev(p + 1))

/** @return true if @p dev_id is a valid device. */
__rte_experimental
bool rte_hvdev_is_valid(int16_t dev_id);

/** @return the id of the device named @p name, or -EINVAL / -ENODEV. */
__rte_experimental
int rte_hvdev_get_dev_id_by_name(const char *name);

/**
 * Find the next device of a class.
 *
 * @param class_id     class GUID (see rte_hvdev_class_parse()).
 * @param start_dev_id first id to consider.
 * @return the device id, or -ENODEV when there is none.
 */
__rte_experimental
int rte_hvdev_find_by_class(const rte_uuid_t class_id, int16_t start_dev_id);

/**
 * Turn "fcopy", "kvp", "vss", "heartbeat", "shutdown", "timesync" or a GUID (braces allowed)
 * into a class GUID.
 * @return 0 or -EINVAL.
 */
__rte_experimental
int rte_hvdev_class_parse(const char *str, rte_uuid_t class_id);

/** @return the short name of a known class, or "unknown". */
__rte_experimental
const char *rte_hvdev_class_name(const rte_uuid_t class_id);

/** Fill @p info. @return 0, -EINVAL. */
__rte_experimental
int rte_hvdev_info_get(int16_t dev_id, struct rte_hvdev_info *info);

/** @return short text for a state. */
__rte_experimental
const char *rte_hvdev_state_str(enum rte_hvdev_state state);

/**
 * Configure a stopped device.
 * @return 0; -EINVAL (bad id or conf); -EBUSY (started); -EIO (channel unusable).
 */
__rte_experimental
int rte_hvdev_configure(int16_t dev_id, const struct rte_hvdev_conf *conf);

/** Start a configured device. @return 0 (also if already started), -EINVAL, -EIO. */
__rte_experimental
int rte_hvdev_start(int16_t dev_id);

/** Stop a device. @return 0 (also if already stopped), -EINVAL. */
__rte_experimental
int rte_hvdev_stop(int16_t dev_id);

/**
 * Close a stopped device: the channel is closed (the host sees the service go away) and the
 * id is released.
 * @return 0, -EINVAL, -EBUSY (started).
 */
__rte_experimental
int rte_hvdev_close(int16_t dev_id);

/**
 * Receive one whole packet.
 *
 * @return 0; -EAGAIN (nothing waiting); -ENOBUFS (@p size too small, pkt->len holds the size
 *         needed, the packet stays); -EIO (channel rescinded or broken, see the state);
 *         -EINVAL (bad id or device not started).
 */
__rte_experimental
int rte_hvdev_recv(int16_t dev_id, struct rte_hvdev_pkt *pkt, void *buf, uint32_t size);

/**
 * Send one packet (payload padded to 8 bytes), signalling the host only when needed.
 *
 * @return 0; -EAGAIN (no room now, see rte_hvdev_wait_tx()); -EMSGSIZE (can never fit);
 *         -EIO; -EINVAL.
 */
__rte_experimental
int rte_hvdev_send(int16_t dev_id, uint16_t type, uint16_t flags, uint64_t xactid,
		   const struct iovec *iov, unsigned int iovcnt);

/**
 * Wait until a send of @p len payload bytes fits (the host is asked to interrupt when it
 * does).
 * @return 0, -ETIMEDOUT, -EMSGSIZE, -EIO, -EINVAL.
 */
__rte_experimental
int rte_hvdev_wait_tx(int16_t dev_id, uint32_t len, int timeout_ms);

/**
 * Wait until a packet can be received: poll for the configured busy-poll budget, then arm the
 * interrupt, re-check and sleep (interrupt mode), or keep polling (poll mode).
 *
 * @param timeout_ms -1 to wait forever, 0 to only check.
 * @return 1 (a packet is waiting), 0 (timeout), -EIO (rescinded or broken), -EINTR,
 *         -EINVAL.
 */
__rte_experimental
int rte_hvdev_wait(int16_t dev_id, int timeout_ms);

/**
 * Arm the RX interrupt and re-check the ring.
 * @return 1 when packets are already waiting (drain them, do not sleep), 0 when armed and
 *         empty, -EIO, -EINVAL, -ENOTSUP (poll mode).
 */
__rte_experimental
int rte_hvdev_intr_enable(int16_t dev_id);

/** Disarm the RX interrupt. @return 0, -EINVAL. */
__rte_experimental
int rte_hvdev_intr_disable(int16_t dev_id);

/**
 * Add (RTE_INTR_EVENT_ADD) or remove (RTE_INTR_EVENT_DEL) the device's interrupt to an
 * rte_epoll instance, as rte_eth_dev_rx_intr_ctl_q() does for an Rx queue.
 *
 * @param epfd  an epoll fd, or RTE_EPOLL_PER_THREAD.
 * @param data  returned in rte_epoll_event.epdata.data.
 * @return 0, -EINVAL, -EEXIST, -ENOENT, or the epoll error.
 */
__rte_experimental
int rte_hvdev_intr_ctl(int16_t dev_id, int epfd, int op, void *data);

/** @return the device node's fd for the caller's own poll/epoll loop, or -EINVAL. */
__rte_experimental
int rte_hvdev_intr_fd(int16_t dev_id);

/**
 * Consume the interrupt notification waiting on the node, after a poll or epoll wake-up and
 * before the next rte_hvdev_intr_enable(), which does not read the node. One read: a uio node
 * counts interrupts, so it takes them all; a notification left behind only wakes the caller
 * once more.
 * @return 1 when one was consumed, 0 if none, or -EIO when the read showed a rescind.
 */
__rte_experimental
int rte_hvdev_intr_ack(int16_t dev_id);

/** Get basic statistics. @return 0, -EINVAL. */
__rte_experimental
int rte_hvdev_stats_get(int16_t dev_id, struct rte_hvdev_stats *stats);

/** Reset basic and extended statistics. @return 0, -EINVAL. */
__rte_experimental
int rte_hvdev_stats_reset(int16_t dev_id);

/**
 * Get the names of the extended statistics.
 * @return the number of statistics (call with @p names NULL to size the array), -EINVAL.
 */
__rte_experimental
int rte_hvdev_xstats_names_get(int16_t dev_id, struct rte_hvdev_xstat_name *names,
			       unsigned int size);

/**
 * Get the values of the extended statistics, in the order of their names.
 * @return the number of statistics (values filled only if @p n is large enough), -EINVAL.
 */
__rte_experimental
int rte_hvdev_xstats_get(int16_t dev_id, uint64_t *values, unsigned int n);

/** Get one extended statistic by name. @return 0, -EINVAL, -ENOENT. */
__rte_experimental
int rte_hvdev_xstats_get_by_name(int16_t dev_id, const char *name, uint64_t *value);

/**
 * Register @p cb for @p event on @p dev_id, or on every device with RTE_HVDEV_ALL.
 * @return 0, -EINVAL, -ENOMEM, -EEXIST.
 */
__rte_experimental
int rte_hvdev_callback_register(int16_t dev_id, enum rte_hvdev_event event,
				rte_hvdev_event_cb cb, void *arg);

/** Remove a callback registered with the same arguments. @return 0, -EINVAL, -ENOENT. */
__rte_experimental
int rte_hvdev_callback_unregister(int16_t dev_id, enum rte_hvdev_event event,
				  rte_hvdev_event_cb cb, void *arg);

/**
 * After a rescind, wait up to @p timeout_ms for the host to offer the device again, reopen its
 * channel and return it to the state it had (configured, started). Fires
 * RTE_HVDEV_EVENT_OFFER. This is how a service survives Guest Services being turned off and
 * on without restarting.
 *
 * @return 0; -ETIMEDOUT; -EINVAL (bad id, or the device was not rescinded); -ENOTSUP.
 */
__rte_experimental
int rte_hvdev_reattach(int16_t dev_id, int timeout_ms);

/** Print the device's state and counters. @return 0, -EINVAL. */
__rte_experimental
int rte_hvdev_dump(int16_t dev_id, FILE *f);

#ifdef __cplusplus
}
#endif

#endif /* RTE_HVDEV_H */
