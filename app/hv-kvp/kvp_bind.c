/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include <rte_common.h>

#include <rte_hvdev_kvp.h>

#include "kvp_bind.h"
#include "kvp_script.h"
#include "kvp_str.h"
#include "kvp_users.h"

#define POLL_MS 20

struct kvp_dev {
	char dir[PATH_MAX];		/* <root>/sys/bus/vmbus/devices/<instance> */
	char name[NAME_MAX + 1];	/* the instance GUID */
	char driver[NAME_MAX + 1];	/* bound driver, "" when none */
};

static int __rte_format_printf(4, 5)
fail(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

/* snprintf() that reports truncation: a cut path must never be used. */
static int __rte_format_printf(3, 4)
fmt_path(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static const char *
prefix(const char *root)
{
	return root == NULL || strcmp(root, "/") == 0 ? "" : root;
}

static int
read_attr(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	while (n > 0 && isspace((unsigned char)buf[n - 1]))
		buf[--n] = '\0';
	return 0;
}

static int
write_attr(const char *path, const char *value)
{
	size_t n = strlen(value);
	ssize_t w;
	int fd;

	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	w = write(fd, value, n);
	if (w < 0) {
		w = -errno;
		close(fd);
		return (int)w;
	}
	close(fd);
	return (size_t)w == n ? 0 : -EIO;
}

static void
sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static void
bound_driver(struct kvp_dev *d)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *base;
	ssize_t n;

	d->driver[0] = '\0';
	if (fmt_path(path, sizeof(path), "%s/driver", d->dir) < 0)
		return;
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return;
	target[n] = '\0';
	base = strrchr(target, '/');
	kvp_strlcpy(d->driver, base != NULL ? base + 1 : target, sizeof(d->driver));
}

/* The KVP device (there is one per VM). @return 1, 0 (none) or a negative errno. */
static int
find_dev(const char *root, struct kvp_dev *d)
{
	char dir[PATH_MAX], path[PATH_MAX], cls[64];
	struct dirent *de;
	int found = 0;
	DIR *dd;

	if (fmt_path(dir, sizeof(dir), "%s/sys/bus/vmbus/devices", prefix(root)) < 0)
		return -ENAMETOOLONG;
	dd = opendir(dir);
	if (dd == NULL)
		return errno == ENOENT ? 0 : -errno;
	while (!found && (de = readdir(dd)) != NULL) {
		char *g = cls;
		size_t n;

		/* Dot entries include directories still being built (the simulator's way). */
		if (de->d_name[0] == '.' ||
		    fmt_path(path, sizeof(path), "%s/%s/class_id", dir, de->d_name) < 0 ||
		    read_attr(path, cls, sizeof(cls)) < 0)
			continue;
		n = strlen(g);
		if (n > 2 && g[0] == '{' && g[n - 1] == '}') {
			g[n - 1] = '\0';
			g++;
		}
		if (strcasecmp(g, RTE_HVDEV_KVP_CLASS_GUID) != 0 ||
		    fmt_path(d->dir, sizeof(d->dir), "%s/%s", dir, de->d_name) < 0)
			continue;
		kvp_strlcpy(d->name, de->d_name, sizeof(d->name));
		bound_driver(d);
		found = 1;
	}
	closedir(dd);
	return found;
}

/* <dev>/uio/uioN and <root>/dev/uioN. @return 1, 0 or a negative errno. */
static int
dev_node(const char *root, const struct kvp_dev *d, char *node, size_t len)
{
	char dir[PATH_MAX];
	struct dirent *de;
	struct stat st;
	int found = 0;
	DIR *dd;

	if (fmt_path(dir, sizeof(dir), "%s/uio", d->dir) < 0)
		return -ENAMETOOLONG;
	dd = opendir(dir);
	if (dd == NULL)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(dd)) != NULL) {
		if (strncmp(de->d_name, "uio", 3) != 0 || !isdigit((unsigned char)de->d_name[3]))
			continue;
		found = fmt_path(node, len, "%s/dev/%s", prefix(root), de->d_name) == 0 &&
			stat(node, &st) == 0;
		break;
	}
	closedir(dd);
	return found;
}

int
kvp_bind_find_node(const char *root, char *node, size_t nodelen)
{
	struct kvp_dev d;
	int ret;

	ret = find_dev(root, &d);
	if (ret <= 0)
		return ret;
	if (strcmp(d.driver, KVP_UIO_DRIVER) != 0)
		return 0;
	return dev_node(root, &d, node, nodelen);
}

static int
drv_attr(const char *root, const char *driver, const char *attr, char *path, size_t len)
{
	return fmt_path(path, len, "%s/sys/bus/vmbus/drivers/%s/%s", prefix(root), driver, attr);
}

static int
load_uio(const struct kvp_bind_opts *o, char *err, size_t errlen)
{
	struct kvp_script_conf sc = { .dir = NULL, .root = NULL };
	char a0[] = "modprobe", a1[] = "-q", a2[] = KVP_UIO_DRIVER;
	char *argv[] = { a0, a1, a2, NULL };
	char drv[PATH_MAX], prog[PATH_MAX];
	struct kvp_script_result res;
	const char *p = KVP_MODPROBE_DIRS;
	struct stat st;
	int ret = -ENOENT;

	if (fmt_path(drv, sizeof(drv), "%s/sys/bus/vmbus/drivers/%s", prefix(o->root),
		     KVP_UIO_DRIVER) < 0)
		return -ENAMETOOLONG;
	if (stat(drv, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	if (!o->modprobe)
		return fail(err, errlen, -ENOENT, "%s is not loaded (%s missing) and "
			    "--no-modprobe was given", KVP_UIO_DRIVER, drv);
	/* The first modprobe of KVP_MODPROBE_DIRS, each directory taken as --script-dir. */
	while (*p != '\0' && ret != 0) {
		char dir[PATH_MAX];
		size_t n = strcspn(p, ":");

		if (fmt_path(dir, sizeof(dir), "%.*s", (int)n, p) == 0) {
			sc.dir = dir;
			ret = kvp_script_find(&sc, "modprobe", prog, sizeof(prog));
		}
		p += n;
		if (*p == ':')
			p++;
	}
	if (ret != 0)
		return fail(err, errlen, -ENOENT, "%s is not loaded and no modprobe was found in "
			    "%s", KVP_UIO_DRIVER, KVP_MODPROBE_DIRS);
	ret = kvp_script_run(prog, argv, 30000, NULL, 0, &res);
	if (ret != 0 || !kvp_script_ok(&res))
		return fail(err, errlen, -ENOENT, "%s %s failed: the module is not installed for "
			    "this kernel", prog, KVP_UIO_DRIVER);
	if (stat(drv, &st) != 0)
		return fail(err, errlen, -ENOENT, "%s loaded, but %s does not exist",
			    KVP_UIO_DRIVER, drv);
	return 0;
}

/* Give the device back to whatever the bus picks with no override (hv_utils). */
static void
reprobe(const char *root, const struct kvp_dev *d)
{
	char path[PATH_MAX];

	if (fmt_path(path, sizeof(path), "%s/driver_override", d->dir) == 0)
		write_attr(path, "\n");
	if (fmt_path(path, sizeof(path), "%s/sys/bus/vmbus/drivers_probe", prefix(root)) == 0)
		write_attr(path, d->name);
}

int
kvp_bind(const struct kvp_bind_opts *o, char *node, size_t nodelen, char *err, size_t errlen)
{
	char path[PATH_MAX], who[512];
	unsigned int waited;
	struct kvp_dev d;
	int ret;

	ret = find_dev(o->root, &d);
	if (ret < 0)
		return fail(err, errlen, ret, "reading the VMBus devices: %s", strerror(-ret));
	if (ret == 0)
		return fail(err, errlen, -ENODEV, "no KVP device: Data Exchange is off for this "
			    "VM, or this is not a Hyper-V guest");
	if (d.driver[0] != '\0' && strcmp(d.driver, KVP_UIO_DRIVER) != 0 &&
	    strcmp(d.driver, KVP_KERNEL_DRIVER) != 0)
		return fail(err, errlen, -EBUSY, "the KVP device %s is bound to %s, neither %s nor "
			    "%s: left alone", d.name, d.driver, KVP_KERNEL_DRIVER, KVP_UIO_DRIVER);
	if (strcmp(d.driver, KVP_UIO_DRIVER) != 0) {
		if (kvp_kernel_users(o->root, who, sizeof(who)) > 0)
			return fail(err, errlen, -EBUSY, "the kernel's KVP path is in use by %s: "
				    "stop it first (systemctl stop hv-kvp-daemon.service, or "
				    "hypervkvpd.service)", who);
		ret = load_uio(o, err, errlen);
		if (ret < 0)
			return ret;
		if (fmt_path(path, sizeof(path), "%s/driver_override", d.dir) < 0)
			return -ENAMETOOLONG;
		ret = write_attr(path, KVP_UIO_DRIVER);
		if (ret < 0)
			return fail(err, errlen, ret, "writing %s: %s (driver_override needs "
				    "Linux 5.0 or later)", path, strerror(-ret));
		if (d.driver[0] != '\0') {
			ret = drv_attr(o->root, d.driver, "unbind", path, sizeof(path));
			ret = ret ?: write_attr(path, d.name);
			if (ret < 0) {
				reprobe(o->root, &d);
				return fail(err, errlen, ret, "unbinding %s from %s: %s", d.name,
					    d.driver, strerror(-ret));
			}
		}
		ret = drv_attr(o->root, KVP_UIO_DRIVER, "bind", path, sizeof(path));
		ret = ret ?: write_attr(path, d.name);
		if (ret < 0) {
			reprobe(o->root, &d);
			return fail(err, errlen, -ENOTSUP, "%s refused the KVP device (%s; "
				    "low-speed devices need Linux 6.10 or later); it is given back "
				    "to %s",
				    KVP_UIO_DRIVER, strerror(-ret), KVP_KERNEL_DRIVER);
		}
	}
	for (waited = 0;; waited += POLL_MS) {
		bound_driver(&d);
		if (strcmp(d.driver, KVP_UIO_DRIVER) == 0 &&
		    dev_node(o->root, &d, node, nodelen) == 1)
			return 0;
		if (waited >= o->wait_ms)
			break;
		sleep_ms(POLL_MS);
	}
	if (strcmp(d.driver, KVP_UIO_DRIVER) == 0)
		return fail(err, errlen, -ETIMEDOUT, "the KVP device %s is bound to %s but has "
			    "no uio node after %u ms (udev?)", d.name, KVP_UIO_DRIVER, o->wait_ms);
	/* Never leave the device with no driver: hv_utils gets it back. */
	reprobe(o->root, &d);
	return fail(err, errlen, -ETIMEDOUT, "%s did not take the KVP device %s in %u ms; it is "
		    "given back to %s", KVP_UIO_DRIVER, d.name, o->wait_ms, KVP_KERNEL_DRIVER);
}

int
kvp_unbind(const struct kvp_bind_opts *o, char *err, size_t errlen)
{
	char path[PATH_MAX], override[64] = "";
	unsigned int waited;
	struct kvp_dev d;
	int ret;

	ret = find_dev(o->root, &d);
	if (ret < 0)
		return fail(err, errlen, ret, "reading the VMBus devices: %s", strerror(-ret));
	if (ret == 0)
		return fail(err, errlen, -ENODEV, "no KVP device: Data Exchange is off for this "
			    "VM, or this is not a Hyper-V guest");
	if (fmt_path(path, sizeof(path), "%s/driver_override", d.dir) == 0)
		read_attr(path, override, sizeof(override));
	if (strcmp(d.driver, KVP_KERNEL_DRIVER) == 0 && override[0] == '\0')
		return 0;
	if (strcmp(d.driver, KVP_UIO_DRIVER) == 0) {
		ret = drv_attr(o->root, KVP_UIO_DRIVER, "unbind", path, sizeof(path));
		ret = ret ?: write_attr(path, d.name);
		if (ret < 0)
			return fail(err, errlen, ret, "unbinding %s from %s: %s", d.name,
				    KVP_UIO_DRIVER, strerror(-ret));
	}
	reprobe(o->root, &d);
	for (waited = 0;; waited += POLL_MS) {
		bound_driver(&d);
		if (strcmp(d.driver, KVP_KERNEL_DRIVER) == 0)
			return 0;
		if (waited >= o->wait_ms)
			break;
		sleep_ms(POLL_MS);
	}
	return fail(err, errlen, -ETIMEDOUT, "%s did not take the KVP device %s back in %u ms "
		    "(is it loaded? modprobe hv_utils)", KVP_KERNEL_DRIVER, d.name, o->wait_ms);
}
