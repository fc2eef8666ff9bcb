/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef HVDEV_UIO_PRIV_H
#define HVDEV_UIO_PRIV_H

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

#endif /* HVDEV_UIO_PRIV_H */
