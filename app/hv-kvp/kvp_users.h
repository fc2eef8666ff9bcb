/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef KVP_USERS_H
#define KVP_USERS_H

/*
 * Who uses the kernel's KVP path. Until dpdk-hv-kvp --bind moves the device, hv_utils owns it
 * and serves it through /dev/vmbus/hv_kvp to hv_kvp_daemon. Taking the device from under a
 * running daemon would leave it polling a character device that no longer answers (and the
 * host's next request unanswered until the new service is up), so --bind refuses while any
 * process has that node open or a daemon of a known name runs, and names them.
 */

#include <stddef.h>

/* The character device of hv_utils' KVP transport. */
#define KVP_KERNEL_NODE "/dev/vmbus/hv_kvp"

/*
 * Look through @p root/proc ("/" on a real system) for processes named hv_kvp_daemon or
 * hypervkvpd (the name RHEL and its rebuilds give the same daemon), and for any process with
 * KVP_KERNEL_NODE open. Processes whose descriptors cannot be read (not root) are judged by
 * name only.
 * @return the number found, with "NAME (pid N)" of each, comma-separated, in @p who.
 */
unsigned int kvp_kernel_users(const char *root, char *who, size_t len);

#endif /* KVP_USERS_H */
