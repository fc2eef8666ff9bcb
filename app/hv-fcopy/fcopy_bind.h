/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef FCOPY_BIND_H
#define FCOPY_BIND_H

/*
 * Handing the fcopy device to uio_hv_generic, safely and idempotently: load the module, write
 * the fcopy class GUID to the driver's new_id only when no fcopy device is bound to it yet
 * (a second identical new_id fails with EEXIST, which is taken as success), bind a device
 * that new_id did not take, and wait for its /dev/uioN. Everything is found under a root
 * prefix ("/" on Hyper-V, a fake tree in tests).
 */

#include <stdbool.h>
#include <stddef.h>

#define FCOPY_CLASS_GUID "34d14be3-dee4-41c8-9ae7-6b174977c192"
#define FCOPY_UIO_DRIVER "uio_hv_generic"
/* modprobe is looked for on PATH, then in these (a user's PATH may lack the sbin ones). */
#define FCOPY_MODPROBE_DIRS "/usr/sbin:/sbin:/usr/bin:/bin"

struct fcopy_bind_opts {
	const char *root;		/* root prefix, "/" on a real system */
	bool modprobe;			/* load uio_hv_generic when it is not there */
	const char *modprobe_path;	/* NULL: "modprobe" on PATH, then FCOPY_MODPROBE_DIRS */
	unsigned int wait_ms;		/* how long to wait for binding and the node */
};

/*
 * Bind.
 * @return 0 (the device is bound and its node exists; @p node names it); -ENODEV (no fcopy
 *         device is offered: Guest Services are off, new_id is in place for when it
 *         appears; or there is no VMBus at all: not a Hyper-V guest); -ETIMEDOUT; -EBUSY
 *         (another driver holds the device); another negative errno. @p err explains
 *         every failure.
 */
int fcopy_bind(const struct fcopy_bind_opts *o, char *node, size_t nodelen, char *err,
	       size_t errlen);

/*
 * Look for an fcopy device bound to uio_hv_generic whose node exists.
 * @return 1 (found, @p node names the node), 0 (not yet) or a negative errno.
 */
int fcopy_bind_find_node(const char *root, char *node, size_t nodelen);

#endif /* FCOPY_BIND_H */
