/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef HVDEV_UIO_NODE_H
#define HVDEV_UIO_NODE_H

/**
 * @file
 * The device-node contract shared by the hvdev_uio PMD and the simulated host (lib/hvsim).
 *
 * On Hyper-V the node is /dev/uioN from uio_hv_generic. The simulator provides the same
 * contract on a Unix SOCK_SEQPACKET socket at the same path:
 *
 * - connect() is open(): the host opens the channel, (re)initialises both rings and sends one
 *   struct hvdev_simnode_hello carrying the ring memory as an SCM_RIGHTS descriptor. Mapping
 *   that descriptor at offset 0 is mmap() of uio map 0 (TX ring, then RX ring).
 * - A 4-byte message from the guest is a uio write(): a non-zero int32 clears the RX ring's
 *   interrupt_mask and signals the host, zero sets the mask.
 * - A 4-byte message from the host is an interrupt; it carries the interrupt count, as a
 *   uio read() returns it.
 * - The host closing the connection is a rescind (uio read() failing with EIO).
 */

#include <stdint.h>

#define HVDEV_SIMNODE_MAGIC 0x4d535648u	/* "HVSM" little-endian */
#define HVDEV_SIMNODE_VERSION 1u

/** First message on a simulator node, sent by the host with the ring memory descriptor. */
struct hvdev_simnode_hello {
	uint32_t magic;
	uint32_t version;
	uint64_t map_size;	/**< bytes of ring memory, equal to uio map 0's size */
};

#endif /* HVDEV_UIO_NODE_H */
