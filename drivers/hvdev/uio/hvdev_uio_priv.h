/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef HVDEV_UIO_PRIV_H
#define HVDEV_UIO_PRIV_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <sys/types.h>

#include "hvdev_uio_chan.h"

/**
 * Which file a node path named when it was opened. A rescinded device's sysfs entry and node
 * may outlive the rescind briefly; a node with the same identity is that stale device, not a
 * new offer (a new device always gets a new node, even when it reuses the name uioN).
 */
struct hvdev_node_ident {
	dev_t dev;
	ino_t ino;
	struct timespec ctim;
	bool valid;
};

/** An opened device node: its descriptor and the mapping of both rings (uio map 0). */
struct hvdev_node {
	enum hvdev_node_kind kind;
	int fd;
	/*
	 * The descriptor that carries the exclusive lock (flock): on uio the node itself; on a
	 * simulator node the ring memory, which every opener of that node receives (the socket
	 * of each opener is its own file, so a lock on it would exclude nobody).
	 */
	int lock_fd;
	void *mem;
	size_t len;
	struct hvdev_node_ident ident;
};

/** Monotonic milliseconds, for deadlines. */
static inline uint64_t
hvdev_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/**
 * Open the node of @p info exclusively and map its rings.
 * @return 0; -EBUSY when another consumer holds the node (logged with its process id and
 *         name where /proc tells them); -ENODEV when the node belongs to a rescinded device;
 *         or another negative errno (logged).
 */
int hvdev_node_open(const struct hvdev_uio_devinfo *info, struct hvdev_node *node);

/** The identity of the file at @p path now. @return 0 or a negative errno. */
int hvdev_node_ident_get(const char *path, struct hvdev_node_ident *id);

/** True when both identities are valid and name the same file. */
bool hvdev_node_ident_same(const struct hvdev_node_ident *a, const struct hvdev_node_ident *b);

/**
 * Replace the ring mapping with an inaccessible reservation of the same range: after a
 * rescind the pages may be freed while still mapped. Idempotent.
 */
void hvdev_node_release_rings(struct hvdev_node *node);

/**
 * uio irqcontrol: 1 clears the RX ring's interrupt mask and signals the host, 0 sets the mask.
 * @return 0, or a negative errno (-EIO/-EPIPE/-ECONNRESET: the channel is gone).
 */
int hvdev_node_irqcontrol(struct hvdev_node *node, volatile uint32_t *rx_imask, int32_t value);
void hvdev_node_close(struct hvdev_node *node);

/**
 * hvdev_chan_open() without a device node, for the fuzzers: set up a channel over ring memory
 * the caller owns (@p info's map0_size bytes: TX ring, then RX ring), with @p fd (or -1)
 * standing for the node. hvdev_chan_close() then closes @p fd but leaves @p mem alone.
 * @return 0, -EINVAL, -ENOMEM, or -EIO (invalid indices; @p fd is left open).
 */
int hvdev_chan_attach(const struct hvdev_uio_devinfo *info, void *mem, int fd,
		      struct hvdev_chan **chanp);

/** The hvdev_uio PMD's devargs (hvdev_uio_pmd.c). */
struct hvdev_uio_args {
	bool has_class;
	bool has_uuid;
	bool ignore;
	rte_uuid_t class_id;
	rte_uuid_t instance_id;
	unsigned int wait_ms;
	char root[PATH_MAX];
};

/**
 * Parse the devargs @p params of device @p name into @p a (root defaults to $HVDEV_ROOT, or
 * "/"). @return 0, or -EINVAL (logged).
 */
int hvdev_uio_parse_args(const char *name, const char *params, struct hvdev_uio_args *a);

#endif /* HVDEV_UIO_PRIV_H */
