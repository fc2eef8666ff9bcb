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
 * - A 4-byte message from the guest is a uio write(): a non-zero int32 signals the host
 *   (vmbus_setevent), zero only masks. The mask change itself (RX interrupt_mask = !value) is
 *   made by the guest's node layer before it sends the message, because uio_hv_generic makes
 *   it inside write(), before write() returns; a host applying it later could undo a mask the
 *   guest set right after the write.
 * - The host closing the connection is a rescind. When the guest hangs up, the host first
 *   takes whatever the guest published in its TX ring: Linux drops the last messages of a
 *   socket closed with unread data, and the signal for that data must not be lost.
 * - A 4-byte message from the host is an interrupt; it carries the interrupt count, as a
 *   uio read() returns it.
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
