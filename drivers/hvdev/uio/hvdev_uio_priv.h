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

#include "hvdev_uio_chan.h"

/** An opened device node: its descriptor and the mapping of both rings (uio map 0). */
struct hvdev_node {
	enum hvdev_node_kind kind;
	int fd;
	void *mem;
	size_t len;
};

/** Monotonic milliseconds, for deadlines. */
static inline uint64_t
hvdev_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int hvdev_node_open(const struct hvdev_uio_devinfo *info, struct hvdev_node *node);

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
