/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * DPDK's VMBus ring buffer code (BSD-3-Clause), compiled into the simulator from the DPDK
 * source this build uses, which is found through dpdk_private_args: DPDK's shared
 * librte_bus_vmbus does not export these functions. meson.build renames them (hvsim_vmbus_*)
 * for this object and for the simulator's sources alike.
 */
#include <bus/vmbus/vmbus_bufring.c>
