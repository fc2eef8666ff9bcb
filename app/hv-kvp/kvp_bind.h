/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef KVP_BIND_H
#define KVP_BIND_H

/*
 * Moving the KVP device between the kernel's hv_utils and uio_hv_generic, reversibly.
 *
 * Unlike the file-copy device, which no kernel driver claims since Linux 6.10, the KVP device
 * is bound to hv_utils on every guest, and an upgraded system may still run hv_kvp_daemon on
 * it. So the binding is per device, not per class: new_id would also take KVP devices offered
 * later away from hv_utils, and survives only until a reboot anyway. --bind writes
 * uio_hv_generic to the device's driver_override, unbinds it from hv_utils and binds it to
 * uio_hv_generic; --unbind unbinds it, clears driver_override and asks the bus to probe it
 * again (drivers_probe), so that hv_utils takes it back. Both are idempotent, and --bind
 * refuses while the kernel path is in use (kvp_users.h). Everything is found under a root
 * prefix ("/" on Hyper-V, a fake tree in tests).
 */

#include <stdbool.h>
#include <stddef.h>

#define KVP_UIO_DRIVER "uio_hv_generic"
#define KVP_KERNEL_DRIVER "hv_utils"
/* modprobe is looked for in these (a service's PATH may lack the sbin ones). */
#define KVP_MODPROBE_DIRS "/usr/sbin:/sbin:/usr/bin:/bin"

struct kvp_bind_opts {
	const char *root;	/* root prefix, "/" on a real system */
	bool modprobe;		/* load uio_hv_generic when it is not there */
	unsigned int wait_ms;	/* how long to wait for the kernel and udev */
};

/*
 * Bind the KVP device to uio_hv_generic.
 * @return 0 (bound, its node in @p node); -ENODEV (no KVP device: Data Exchange is off, or
 *         not a Hyper-V guest); -EBUSY (hv_kvp_daemon or another process uses the kernel
 *         path: @p err names them and what to stop); -ENOTSUP (uio_hv_generic refused the
 *         device, which was given back to hv_utils); -ETIMEDOUT; another negative errno.
 *         @p err explains every failure.
 */
int kvp_bind(const struct kvp_bind_opts *o, char *node, size_t nodelen, char *err,
	     size_t errlen);

/*
 * Give the KVP device back to hv_utils.
 * @return 0 (hv_utils has it); -ENODEV; -ETIMEDOUT (hv_utils did not take it: is it
 *         loaded?); another negative errno, explained in @p err.
 */
int kvp_unbind(const struct kvp_bind_opts *o, char *err, size_t errlen);

/*
 * The node of a KVP device bound to uio_hv_generic.
 * @return 1 (found, in @p node), 0 (none) or a negative errno.
 */
int kvp_bind_find_node(const char *root, char *node, size_t nodelen);

#endif /* KVP_BIND_H */
