/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef RTE_HVDEV_PMD_H
#define RTE_HVDEV_PMD_H

/**
 * @file
 * hvdev driver interface: what a PMD implements and how it registers devices. Applications
 * use rte_hvdev.h only.
 */

#include <stddef.h>

#include <rte_common.h>
#include <rte_epoll.h>
#include <rte_spinlock.h>

#include "rte_hvdev.h"

#ifdef __cplusplus
extern "C" {
#endif

struct rte_hvdev;

/*
 * Operations. Optional ones may be NULL; the library then returns -ENOTSUP. The library
 * validates ids, arguments and the life-cycle state before calling any of them.
 */
typedef int (*rte_hvdev_info_get_t)(struct rte_hvdev *dev, struct rte_hvdev_info *info);
typedef int (*rte_hvdev_configure_t)(struct rte_hvdev *dev, const struct rte_hvdev_conf *conf);
typedef int (*rte_hvdev_start_t)(struct rte_hvdev *dev);
typedef int (*rte_hvdev_stop_t)(struct rte_hvdev *dev);
typedef int (*rte_hvdev_close_t)(struct rte_hvdev *dev);
typedef int (*rte_hvdev_recv_t)(struct rte_hvdev *dev, struct rte_hvdev_pkt *pkt, void *buf,
				uint32_t size);
typedef int (*rte_hvdev_send_t)(struct rte_hvdev *dev, uint16_t type, uint16_t flags,
				uint64_t xactid, const struct iovec *iov, unsigned int iovcnt);
typedef int (*rte_hvdev_wait_tx_t)(struct rte_hvdev *dev, uint32_t len, int timeout_ms);
/* Arm, re-check: 1 when packets wait, 0 when armed and empty, <0 error. */
typedef int (*rte_hvdev_intr_enable_t)(struct rte_hvdev *dev);
typedef int (*rte_hvdev_intr_disable_t)(struct rte_hvdev *dev);
/* Arm, re-check, sleep until a packet is readable: 1 readable, 0 timeout, <0 error. */
typedef int (*rte_hvdev_wait_t)(struct rte_hvdev *dev, int timeout_ms);
typedef int (*rte_hvdev_intr_ack_t)(struct rte_hvdev *dev);
typedef int (*rte_hvdev_intr_fd_t)(struct rte_hvdev *dev);
/* 1 when a packet is waiting, 0 when the ring is empty, -EIO when the channel is unusable. */
typedef int (*rte_hvdev_rx_pending_t)(struct rte_hvdev *dev);
typedef int (*rte_hvdev_stats_get_t)(struct rte_hvdev *dev, struct rte_hvdev_stats *stats);
typedef int (*rte_hvdev_stats_reset_t)(struct rte_hvdev *dev);
typedef int (*rte_hvdev_reattach_t)(struct rte_hvdev *dev, int timeout_ms);
typedef int (*rte_hvdev_dump_t)(struct rte_hvdev *dev, FILE *f);

/** Driver operations. */
struct rte_hvdev_ops {
	rte_hvdev_info_get_t dev_info_get;	/**< mandatory */
	rte_hvdev_configure_t dev_configure;
	rte_hvdev_start_t dev_start;
	rte_hvdev_stop_t dev_stop;
	rte_hvdev_close_t dev_close;		/**< mandatory */
	rte_hvdev_recv_t recv;			/**< mandatory */
	rte_hvdev_send_t send;			/**< mandatory */
	rte_hvdev_wait_tx_t wait_tx;
	rte_hvdev_intr_enable_t intr_enable;
	rte_hvdev_intr_disable_t intr_disable;
	rte_hvdev_wait_t wait;			/**< mandatory */
	rte_hvdev_intr_ack_t intr_ack;
	rte_hvdev_intr_fd_t intr_fd;
	rte_hvdev_rx_pending_t rx_pending;	/**< mandatory */
	rte_hvdev_stats_get_t stats_get;
	rte_hvdev_stats_reset_t stats_reset;
	rte_hvdev_reattach_t reattach;
	rte_hvdev_dump_t dump;
};

/** Slot state in the device table. */
enum rte_hvdev_slot_state {
	RTE_HVDEV_SLOT_UNUSED = 0,
	RTE_HVDEV_SLOT_REGISTERED,	/**< allocated, the PMD is still filling it */
	RTE_HVDEV_SLOT_READY,		/**< usable by applications */
};

/** One device. Process-local: function pointers never go to shared memory. */
struct rte_hvdev {
	char name[RTE_HVDEV_NAME_MAX_LEN];
	int16_t dev_id;
	int numa_node;
	enum rte_hvdev_slot_state slot;
	bool configured;
	bool started;
	struct rte_hvdev_conf conf;
	const struct rte_hvdev_ops *dev_ops;
	struct rte_device *device;
	void *dev_private;
	/** Registration with rte_epoll (rte_hvdev_intr_ctl()). */
	struct rte_epoll_event epoll_ev;
	int epoll_fd;
	bool epoll_added;
	/** Extended statistics kept by the library. */
	uint64_t busy_poll_hits;	/**< waits satisfied while polling */
	uint64_t sleeps;		/**< waits that slept on the node */
	uint64_t reattaches;
};

/**
 * Allocate a device slot with @p priv_size bytes of private data (zeroed).
 * @return the device in state REGISTERED, or NULL with rte_errno set (EINVAL, EEXIST,
 *         ENOSPC, ENOMEM).
 */
__rte_internal
struct rte_hvdev *rte_hvdev_pmd_allocate(const char *name, int numa_node, size_t priv_size);

/** Make a device filled by its PMD visible to applications. */
__rte_internal
void rte_hvdev_pmd_ready(struct rte_hvdev *dev);

/** Release a device: closes it first if it is ready. @return 0, -EINVAL, -EBUSY. */
__rte_internal
int rte_hvdev_pmd_release(struct rte_hvdev *dev);

/** @return the device named @p name, or NULL. */
__rte_internal
struct rte_hvdev *rte_hvdev_pmd_get_named_dev(const char *name);

/** Deliver @p event to the callbacks registered for it. */
__rte_internal
void rte_hvdev_pmd_event(struct rte_hvdev *dev, enum rte_hvdev_event event);

#ifdef __cplusplus
}
#endif

#endif /* RTE_HVDEV_PMD_H */
