/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * Discovery of low-speed VMBus devices bound to uio_hv_generic, through sysfs under a root
 * prefix. The simulator builds the same tree under its own root, so this file runs unchanged in
 * tests and on Hyper-V.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include <rte_common.h>

#include <rte_hvdev_ic.h>

#include "hvdev_uio_chan.h"
#include "hvdev_uio_log.h"
#include "hvdev_uio_priv.h"

/* Largest ring we accept per direction: subchannels get 2 MiB; leave room for growth. */
#define HVDEV_RING_SIZE_MAX (64u << 20)
/*
 * Kernels before the dynamic ring attribute (6.15, and its 6.12.y backport) give the
 * channel "ring" attribute a fixed size of 4 MiB.
 */
#define HVDEV_LEGACY_RING_ATTR_SIZE (4u << 20)
#define HVDEV_DISCOVER_POLL_MS 10

static const char *
class_name(const rte_uuid_t class_id)
{
	const struct rte_hvdev_ic_class *c = rte_hvdev_ic_class_by_guid(class_id);

	return c != NULL ? c->name : "unknown class";
}

static int __rte_format_printf(4, 5)
set_err(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

/* Join the root prefix and an absolute-style relative path ("sys/bus/..."). */
static int
root_path(char *buf, size_t len, const char *root, const char *rel)
{
	int n;

	if (root == NULL || root[0] == '\0')
		root = HVDEV_DEFAULT_ROOT;
	n = snprintf(buf, len, "%s%s%s", root,
		     root[strlen(root) - 1] == '/' ? "" : "/", rel);
	return (n < 0 || (size_t)n >= len) ? -ENAMETOOLONG : 0;
}

/* Read a small sysfs attribute, without its trailing newline. */
static int
read_attr(const char *dir, const char *name, char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

static int
read_u64_attr(const char *dir, const char *name, uint64_t *val)
{
	char buf[64], *end;
	int ret;

	ret = read_attr(dir, name, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	errno = 0;
	*val = strtoull(buf, &end, 0);
	if (errno != 0 || end == buf || *end != '\0' || buf[0] == '-')
		return -EINVAL;
	return 0;
}

/* sysfs prints GUIDs as "{xxxxxxxx-...}". */
static int
read_guid_attr(const char *dir, const char *name, rte_uuid_t uu)
{
	char buf[64], *s;
	size_t n;
	int ret;

	ret = read_attr(dir, name, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	s = buf;
	n = strlen(s);
	if (n >= 2 && s[0] == '{' && s[n - 1] == '}') {
		s[n - 1] = '\0';
		s++;
	}
	return rte_uuid_parse(s, uu) == 0 ? 0 : -EINVAL;
}

static bool
path_exists(const char *dir, const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return false;
	return stat(path, &st) == 0;
}

/* Name of the driver a device is bound to, "" when unbound. */
static int
bound_driver(const char *devdir, char *name, size_t len)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *base;
	ssize_t n;

	if (snprintf(path, sizeof(path), "%s/driver", devdir) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0) {
		name[0] = '\0';
		return errno == ENOENT ? 0 : -errno;
	}
	link[n] = '\0';
	base = strrchr(link, '/');
	base = base != NULL ? base + 1 : link;
	if (strlen(base) >= len)
		return -ENAMETOOLONG;
	strcpy(name, base);
	return 0;
}

/* First "uioN" entry in <dev>/uio, as uio_hv_generic creates exactly one. */
static int
find_uio_name(const char *devdir, char *name, size_t len)
{
	char path[PATH_MAX];
	struct dirent *de;
	unsigned int num;
	char tail;
	int ret = -ENOENT;
	DIR *d;

	if (snprintf(path, sizeof(path), "%s/uio", devdir) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	d = opendir(path);
	if (d == NULL)
		return -errno;
	while ((de = readdir(d)) != NULL) {
		if (sscanf(de->d_name, "uio%u%c", &num, &tail) != 1)
			continue;
		if (strlen(de->d_name) >= len) {
			ret = -ENAMETOOLONG;
			break;
		}
		strcpy(name, de->d_name);
		ret = 0;
		break;
	}
	closedir(d);
	return ret;
}

/* map0 must be uio_hv_generic's "txrx_rings": TX ring then RX ring, equal halves. */
static int
read_ring_size(struct hvdev_uio_devinfo *info, char *err, size_t errlen)
{
	char mapdir[PATH_MAX], name[64];
	uint64_t size, page = (uint64_t)sysconf(_SC_PAGESIZE);
	int ret;

	if (snprintf(mapdir, sizeof(mapdir), "%s/uio/%s/maps/map0", info->sysfs_dir,
		     info->uio_name) >= (int)sizeof(mapdir))
		return -ENAMETOOLONG;
	ret = read_attr(mapdir, "name", name, sizeof(name));
	if (ret == 0 && strcmp(name, "txrx_rings") != 0)
		return set_err(err, errlen, -EINVAL,
			       "%s: uio map0 is \"%s\", not txrx_rings: not uio_hv_generic",
			       info->instance_str, name);
	ret = read_u64_attr(mapdir, "size", &size);
	if (ret < 0)
		return set_err(err, errlen, ret, "%s: cannot read %s/size: %s",
			       info->instance_str, mapdir, strerror(-ret));
	if (size % 2 != 0 || size / 2 <= page || (size / 2) % page != 0 ||
	    size / 2 > HVDEV_RING_SIZE_MAX)
		return set_err(err, errlen, -EINVAL,
			       "%s: uio map0 size 0x%" PRIx64 " is not two page-aligned rings",
			       info->instance_str, size);
	info->map0_size = size;
	info->ring_size = (uint32_t)(size / 2);
	return 0;
}

/* channels/<relid>/ring holds both rings on kernels with the dynamic ring attribute. */
static void
cross_check_ring_attr(const struct hvdev_uio_devinfo *info)
{
	char path[PATH_MAX];
	struct stat st;

	if (snprintf(path, sizeof(path), "%s/channels/%u/ring", info->sysfs_dir,
		     info->relid) >= (int)sizeof(path) || stat(path, &st) != 0) {
		HVDEV_UIO_LOG(DEBUG, "%s: no ring attribute yet, using uio map0 size only",
			      info->instance_str);
		return;
	}
	if ((uint64_t)st.st_size == info->map0_size)
		return;
	if (st.st_size == HVDEV_LEGACY_RING_ATTR_SIZE)
		HVDEV_UIO_LOG(DEBUG, "%s: ring attribute has the fixed size of kernels before "
			      "6.15, ignored",
			      info->instance_str);
	else
		HVDEV_UIO_LOG(WARNING,
			      "%s: ring attribute is %jd bytes but uio map0 is %" PRIu64
			      "; trusting map0", info->instance_str, (intmax_t)st.st_size,
			      info->map0_size);
}

/*
 * The kernel release under the root (<root>/proc/sys/kernel/osrelease) when it is older than
 * 6.10, the first release whose uio_hv_generic binds channels without a monitor page; @p rel
 * receives it. False when newer or unreadable: then nothing is claimed about the kernel.
 */
static bool
kernel_too_old(const char *root, char *rel, size_t len)
{
	char dir[PATH_MAX];
	unsigned int major, minor;

	if (root_path(dir, sizeof(dir), root, "proc/sys/kernel") < 0 ||
	    read_attr(dir, "osrelease", rel, len) < 0 ||
	    sscanf(rel, "%u.%u", &major, &minor) != 2)
		return false;
	return major < 6 || (major == 6 && minor < 10);
}

/*
 * Inspect one device directory. Returns 0 when the device is a ready low-speed uio device,
 * -EAGAIN when it may become ready (binding or node still being created), or another
 * negative errno with @p err set.
 */
static int
inspect_device(const char *root, const char *devdir, const char *devname,
	       struct hvdev_uio_devinfo *info, char *err, size_t errlen)
{
	char drv[64], node_rel[64], buf[RTE_UUID_STRLEN], rel[64];
	struct stat st;
	uint64_t relid;
	int ret;

	memset(info, 0, sizeof(*info));
	snprintf(info->root, sizeof(info->root), "%s",
		 root != NULL && root[0] != '\0' ? root : HVDEV_DEFAULT_ROOT);
	snprintf(info->sysfs_dir, sizeof(info->sysfs_dir), "%s", devdir);
	snprintf(info->instance_str, sizeof(info->instance_str), "%.36s", devname);

	/*
	 * sysfs attributes exist for as long as their device does: one that is missing means the
	 * device was removed while we looked at it (a rescind racing a re-offer), which is not an
	 * error of the device that may be offered next.
	 */
	ret = read_guid_attr(devdir, "class_id", info->class_id);
	if (ret == 0)
		ret = read_guid_attr(devdir, "device_id", info->instance_id);
	if (ret == -ENOENT)
		return set_err(err, errlen, -ENOENT, "%s: removed while inspected", devdir);
	if (ret < 0)
		return set_err(err, errlen, -EINVAL, "%s: unreadable class_id or device_id",
			       devdir);
	rte_uuid_unparse(info->instance_id, info->instance_str, sizeof(info->instance_str));
	ret = read_u64_attr(devdir, "id", &relid);
	if (ret == -ENOENT)
		return set_err(err, errlen, -ENOENT, "%s: removed while inspected", devdir);
	if (ret < 0 || relid > UINT32_MAX)
		return set_err(err, errlen, -EINVAL, "%s: unreadable channel id (relid)",
			       devdir);
	info->relid = (uint32_t)relid;
	info->has_monitor = path_exists(devdir, "monitor_id");
	if (info->has_monitor)
		return set_err(err, errlen, -ENOTSUP,
			       "%s (%s): channel has a monitor page; hvdev_uio drives low-speed "
			       "channels only", info->instance_str, class_name(info->class_id));

	ret = bound_driver(devdir, drv, sizeof(drv));
	if (ret < 0)
		return set_err(err, errlen, ret, "%s: cannot read driver link: %s",
			       info->instance_str, strerror(-ret));
	rte_uuid_unparse(info->class_id, buf, sizeof(buf));
	if (strcmp(drv, "uio_hv_generic") != 0 && kernel_too_old(root, rel, sizeof(rel)))
		/* new_id would not help: the kernel's probe refuses the channel. */
		return set_err(err, errlen, -ENOTSUP,
			       "%s (%s) is %s%s: Linux %s is too old; uio_hv_generic binds "
			       "low-speed VMBus devices (no monitor page) only from Linux 6.10",
			       info->instance_str, class_name(info->class_id),
			       drv[0] == '\0' ? "not bound to a driver" : "bound to ",
			       drv, rel);
	if (drv[0] == '\0')
		return set_err(err, errlen, -EAGAIN,
			       "%s (%s) is not bound to a driver; bind it with: modprobe "
			       "uio_hv_generic && echo %s > "
			       "/sys/bus/vmbus/drivers/uio_hv_generic/new_id",
			       info->instance_str, class_name(info->class_id), buf);
	if (strcmp(drv, "uio_hv_generic") != 0)
		return set_err(err, errlen, -ENODEV,
			       "%s (%s) is bound to %s, not uio_hv_generic; unbind it and bind "
			       "the class %s to uio_hv_generic (new_id)",
			       info->instance_str, class_name(info->class_id), drv, buf);

	ret = find_uio_name(devdir, info->uio_name, sizeof(info->uio_name));
	if (ret < 0)
		return set_err(err, errlen, -EAGAIN,
			       "%s: bound to uio_hv_generic but %s/uio has no uioN entry yet",
			       info->instance_str, devdir);
	ret = read_ring_size(info, err, errlen);
	if (ret < 0)
		return ret == -ENOENT ? -EAGAIN : ret;
	snprintf(node_rel, sizeof(node_rel), "dev/%s", info->uio_name);
	ret = root_path(info->node_path, sizeof(info->node_path), root, node_rel);
	if (ret < 0)
		return set_err(err, errlen, ret, "device node path too long");
	if (stat(info->node_path, &st) != 0)
		return set_err(err, errlen, -EAGAIN, "%s: device node %s does not exist (yet)",
			       info->instance_str, info->node_path);
	if (!S_ISCHR(st.st_mode) && !S_ISSOCK(st.st_mode))
		return set_err(err, errlen, -EINVAL,
			       "%s: %s is neither a character device nor a simulator socket",
			       info->instance_str, info->node_path);
	cross_check_ring_attr(info);
	return 0;
}

struct scan_filter {
	const uint8_t *class_id;
	const uint8_t *instance_id;
};

static bool
filter_match(const struct scan_filter *f, const char *devdir)
{
	rte_uuid_t uu;

	if (f->class_id != NULL &&
	    (read_guid_attr(devdir, "class_id", uu) < 0 || rte_uuid_compare(uu, f->class_id)))
		return false;
	if (f->instance_id != NULL &&
	    (read_guid_attr(devdir, "device_id", uu) < 0 ||
	     rte_uuid_compare(uu, f->instance_id)))
		return false;
	return true;
}

/*
 * Walk <root>/sys/bus/vmbus/devices; for each device passing the filter call @p visit with
 * the inspection result. Returns the number of matching devices seen or a negative errno.
 */
static int
walk_devices(const char *root, const struct scan_filter *f,
	     int (*visit)(int ret, struct hvdev_uio_devinfo *info, const char *err, void *arg),
	     void *arg)
{
	char base[PATH_MAX], devdir[PATH_MAX], err[512];
	struct hvdev_uio_devinfo info;
	struct dirent *de;
	int ret, seen = 0;
	DIR *d;

	ret = root_path(base, sizeof(base), root, "sys/bus/vmbus/devices");
	if (ret < 0)
		return ret;
	d = opendir(base);
	if (d == NULL)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (snprintf(devdir, sizeof(devdir), "%s/%s", base, de->d_name) >=
		    (int)sizeof(devdir))
			continue;
		if (!filter_match(f, devdir))
			continue;
		seen++;
		err[0] = '\0';
		ret = inspect_device(root, devdir, de->d_name, &info, err, sizeof(err));
		if (visit(ret, &info, err, arg) != 0)
			break;
	}
	closedir(d);
	return seen;
}

struct scan_ctx {
	hvdev_uio_scan_cb cb;
	void *arg;
	int reported;
};

static int
scan_visit(int ret, struct hvdev_uio_devinfo *info, const char *err, void *arg)
{
	struct scan_ctx *ctx = arg;

	if (ret < 0) {
		HVDEV_UIO_LOG(DEBUG, "skipped: %s", err);
		return 0;
	}
	ctx->reported++;
	return ctx->cb(info, ctx->arg);
}

int
hvdev_uio_scan(const char *root, hvdev_uio_scan_cb cb, void *arg)
{
	struct scan_filter f = { NULL, NULL };
	struct scan_ctx ctx = { cb, arg, 0 };
	int ret;

	if (cb == NULL)
		return -EINVAL;
	ret = walk_devices(root, &f, scan_visit, &ctx);
	return ret < 0 ? ret : ctx.reported;
}

struct discover_ctx {
	struct hvdev_uio_devinfo *info;
	int ret;		/* best result so far */
	char err[512];
};

/* Keep the most useful outcome: ready beats waiting beats hard errors beats nothing. */
static int
discover_visit(int ret, struct hvdev_uio_devinfo *info, const char *err, void *arg)
{
	struct discover_ctx *ctx = arg;

	if (ret == 0) {
		*ctx->info = *info;
		ctx->ret = 0;
		return 1;
	}
	if (ctx->ret == -ENOENT || ret == -EAGAIN) {
		ctx->ret = ret;
		snprintf(ctx->err, sizeof(ctx->err), "%s", err);
	}
	return 0;
}

int
hvdev_uio_discover(const char *root, const rte_uuid_t class_id,
		   const rte_uuid_t instance_id, unsigned int timeout_ms,
		   struct hvdev_uio_devinfo *info, char *err, size_t errlen)
{
	struct scan_filter f = { class_id, instance_id };
	uint64_t deadline = hvdev_now_ms() + timeout_ms;
	struct discover_ctx ctx;
	char what[128], cls[RTE_UUID_STRLEN], base[PATH_MAX];
	int ret;

	if (info == NULL)
		return -EINVAL;
	for (;;) {
		ctx.info = info;
		ctx.ret = -ENOENT;
		ctx.err[0] = '\0';
		ret = walk_devices(root, &f, discover_visit, &ctx);
		if (ret < 0)
			return set_err(err, errlen, ret, "cannot scan VMBus devices: %s",
				       strerror(-ret));
		if (ctx.ret != -ENOENT && ctx.ret != -EAGAIN)
			break;
		if (hvdev_now_ms() >= deadline)
			break;
		usleep(HVDEV_DISCOVER_POLL_MS * 1000);
	}
	if (ctx.ret == 0)
		return 0;
	if (ctx.ret != -ENOENT) {
		/* A device that never got ready is a binding problem, not a transient one. */
		return set_err(err, errlen, ctx.ret == -EAGAIN ? -ENODEV : ctx.ret, "%s",
			       ctx.err);
	}
	if (class_id != NULL) {
		rte_uuid_unparse(class_id, cls, sizeof(cls));
		snprintf(what, sizeof(what), "of class %s (%s)", class_name(class_id), cls);
	} else {
		snprintf(what, sizeof(what), "%s", "");
	}
	root_path(base, sizeof(base), root, "sys/bus/vmbus/devices");
	return set_err(err, errlen, -ENOENT,
		       "no VMBus device %s%s under %s: is the integration service enabled "
		       "for this VM (for fcopy: Guest Services)?", what,
		       instance_id != NULL ? " with that instance id" : "", base);
}
