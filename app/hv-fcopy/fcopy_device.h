/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef FCOPY_DEVICE_H
#define FCOPY_DEVICE_H

#include <stddef.h>

/*
 * Finding the fcopy hvdev device after rte_eal_init(), and waiting for it: when Guest
 * Services are off at start-up, the device given with --vdev (or hvdev_uio0,class=fcopy) is
 * probed again once its node appears.
 */

/*
 * @param wait_s  0: do not wait; < 0: wait until the service is stopped.
 * @return the device id; -ENODEV (none); -EINTR (stopped while waiting).
 */
int fcopy_device_find(int wait_s);

/* The root prefix the device's PMD looks under (its root= devarg, HVDEV_ROOT, or "/"). */
void fcopy_device_root(char *root, size_t len);

#endif /* FCOPY_DEVICE_H */
