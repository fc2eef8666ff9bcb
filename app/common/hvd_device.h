/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef HVD_DEVICE_H
#define HVD_DEVICE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Finding an IC service's hvdev device by class after rte_eal_init(), and waiting for it: when
 * Guest Services are off at start-up, the device given with --vdev (or
 * hvdev_uio0,class=NAME) is probed again once its node appears.
 */

struct hvd_device_find {
	const char *class_name;	/* "fcopy", "kvp", ... */
	const char *what;	/* for the log: "file-copy device" */
	int wait_s;		/* 0: do not wait; < 0: until hvd_stopping() */
	/* Whether the device's node exists under @p root (probing a missing one logs errors). */
	bool (*node_present)(const char *root);
};

/* @return the device id; -ENODEV (none); -EINVAL (unknown class); -EINTR (stopped). */
int hvd_device_find(const struct hvd_device_find *f);

/* The root prefix the device's PMD looks under (its root= devarg, HVDEV_ROOT, or "/"). */
void hvd_device_root(const char *class_name, char *root, size_t len);

#endif /* HVD_DEVICE_H */
