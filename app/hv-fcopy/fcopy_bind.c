/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <rte_common.h>

#include "fcopy_bind.h"
#include "fcopy_log.h"

#define POLL_MS 20
/* How long new_id gets to bind a device before an explicit bind is tried. */
#define NEW_ID_GRACE_MS 1000
#define MAX_DEVICES 16

extern char **environ;

/* One fcopy device found in sysfs. */
struct fcopy_dev {
	char name[NAME_MAX + 1];	/* instance GUID, the sysfs directory name */
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

static int
sys_path(char *buf, size_t len, const char *root, const char *rel)
{
	return fmt_path(buf, len, "%s%s%s", root, root[strlen(root) - 1] == '/' ? "" : "/",
			rel);
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

/* class_id reads "{guid}"; compare without the braces, case aside. */
static bool
is_fcopy_class(const char *devdir)
{
	char path[PATH_MAX], buf[64], *g = buf;
	size_t n;

	if (fmt_path(path, sizeof(path), "%s/class_id", devdir) < 0 ||
	    read_attr(path, buf, sizeof(buf)) < 0)
		return false;
	n = strlen(g);
	if (n > 2 && g[0] == '{' && g[n - 1] == '}') {
		g[n - 1] = '\0';
		g++;
	}
	return strcasecmp(g, FCOPY_CLASS_GUID) == 0;
}

static void
bound_driver(const char *devdir, char *out, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *base;
	ssize_t n;

	out[0] = '\0';
	if (fmt_path(path, sizeof(path), "%s/driver", devdir) < 0)
		return;
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return;
	target[n] = '\0';
	base = strrchr(target, '/');
	if (fmt_path(out, len, "%s", base != NULL ? base + 1 : target) < 0)
		out[0] = '\0';
}

/* The fcopy devices under <root>/sys/bus/vmbus/devices. @return how many, or -errno. */
static int
scan(const char *root, struct fcopy_dev *devs, int max)
{
	char dir[PATH_MAX], devdir[PATH_MAX + NAME_MAX + 2];
	struct dirent *de;
	int n = 0;
	DIR *d;

	if (sys_path(dir, sizeof(dir), root, "sys/bus/vmbus/devices") < 0)
		return -ENAMETOOLONG;
	d = opendir(dir);
	if (d == NULL)
		return -errno;
	while ((de = readdir(d)) != NULL && n < max) {
		/* Dot entries include directories still being built (the simulator's way). */
		if (de->d_name[0] == '.')
			continue;
		if (fmt_path(devdir, sizeof(devdir), "%s/%s", dir, de->d_name) < 0 ||
		    !is_fcopy_class(devdir))
			continue;
		memcpy(devs[n].name, de->d_name, sizeof(devs[n].name));
		bound_driver(devdir, devs[n].driver, sizeof(devs[n].driver));
		n++;
	}
	closedir(d);
	return n;
}

/* The node of a bound device: <dev>/uio/uioN and <root>/dev/uioN. @return 1, 0 or -errno. */
static int
dev_node(const char *root, const char *name, char *node, size_t len)
{
	char dir[PATH_MAX], rel[PATH_MAX];
	struct dirent *de;
	struct stat st;
	int found = 0;
	DIR *d;

	if (fmt_path(rel, sizeof(rel), "sys/bus/vmbus/devices/%s/uio", name) < 0 ||
	    sys_path(dir, sizeof(dir), root, rel) < 0)
		return -ENAMETOOLONG;
	d = opendir(dir);
	if (d == NULL)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "uio", 3) != 0 || !isdigit((unsigned char)de->d_name[3]))
			continue;
		found = fmt_path(rel, sizeof(rel), "dev/%s", de->d_name) == 0 &&
			sys_path(node, len, root, rel) == 0 && stat(node, &st) == 0;
		break;
	}
	closedir(d);
	return found;
}

int
fcopy_bind_find_node(const char *root, char *node, size_t nodelen)
{
	struct fcopy_dev devs[MAX_DEVICES];
	int i, n, ret;

	n = scan(root, devs, MAX_DEVICES);
	if (n < 0)
		return n == -ENOENT ? 0 : n;
	for (i = 0; i < n; i++) {
		if (strcmp(devs[i].driver, FCOPY_UIO_DRIVER) != 0)
			continue;
		ret = dev_node(root, devs[i].name, node, nodelen);
		if (ret != 0)
			return ret;
	}
	return 0;
}

/* The first executable "modprobe" in @p dirs (':'-separated). */
static bool
find_in(const char *dirs, char *out, size_t len)
{
	const char *p = dirs, *end;
	size_t n;

	while (p != NULL && *p != '\0') {
		end = strchr(p, ':');
		n = end != NULL ? (size_t)(end - p) : strlen(p);
		/* An empty entry is the current directory: not where modprobe is looked for. */
		if (n > 0 && p[0] == '/' && fmt_path(out, len, "%.*s/modprobe", (int)n, p) == 0 &&
		    access(out, X_OK) == 0)
			return true;
		p = end != NULL ? end + 1 : NULL;
	}
	return false;
}

static int
find_modprobe(const struct fcopy_bind_opts *o, char *out, size_t len, char *err,
	      size_t errlen)
{
	const char *path = getenv("PATH");

	if (o->modprobe_path != NULL)
		return fmt_path(out, len, "%s", o->modprobe_path) < 0 ? -ENAMETOOLONG : 0;
	if ((path != NULL && find_in(path, out, len)) || find_in(FCOPY_MODPROBE_DIRS, out, len))
		return 0;
	return fail(err, errlen, -ENOENT, "%s is not loaded and modprobe was not found on PATH "
		    "(%s) nor in %s: install kmod, or load the module and use --no-modprobe",
		    FCOPY_UIO_DRIVER, path != NULL ? path : "unset", FCOPY_MODPROBE_DIRS);
}

static int
run_modprobe(const struct fcopy_bind_opts *o, char *err, size_t errlen)
{
	char a0[] = "modprobe", a1[] = "-q", a2[] = FCOPY_UIO_DRIVER;
	char *const argv[] = { a0, a1, a2, NULL };
	char prog[PATH_MAX];
	int status, ret;
	pid_t pid;

	ret = find_modprobe(o, prog, sizeof(prog), err, errlen);
	if (ret < 0)
		return ret;
	ret = posix_spawn(&pid, prog, NULL, NULL, argv, environ);
	if (ret != 0)
		return fail(err, errlen, -ret, "cannot run %s: %s", prog, strerror(ret));
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return fail(err, errlen, -errno, "waiting for %s: %s", prog,
				    strerror(errno));
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return fail(err, errlen, -ENOENT, "%s %s failed (status %d): the module is not "
			    "installed for this kernel (it ships with the kernel's uio drivers, "
			    "Linux 6.10 or later for fcopy)", prog, FCOPY_UIO_DRIVER,
			    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return 0;
}

static bool
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void
sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* Make sure the driver is there, loading it if allowed. */
static int
ensure_driver(const struct fcopy_bind_opts *o, const char *drvdir, char *err, size_t errlen)
{
	int ret;

	if (is_dir(drvdir))
		return 0;
	if (!o->modprobe)
		return fail(err, errlen, -ENOENT, "%s is not loaded (%s missing) and "
			    "--no-modprobe was given", FCOPY_UIO_DRIVER, drvdir);
	ret = run_modprobe(o, err, errlen);
	if (ret < 0)
		return ret;
	if (!is_dir(drvdir))
		return fail(err, errlen, -ENOENT, "%s loaded, but %s does not exist",
			    FCOPY_UIO_DRIVER, drvdir);
	return 0;
}

/* Write the class GUID to new_id; an id already there is what we want. */
static int
add_new_id(const char *drvdir, char *err, size_t errlen)
{
	char path[PATH_MAX];
	int ret;

	ret = fmt_path(path, sizeof(path), "%s/new_id", drvdir);
	if (ret == 0)
		ret = write_attr(path, FCOPY_CLASS_GUID "\n");
	if (ret == -EEXIST) {
		FCOPY_LOG(DEBUG, "the fcopy class is already in %s", path);
		return 0;
	}
	if (ret < 0)
		return fail(err, errlen, ret, "writing the fcopy class to %s: %s", path,
			    strerror(-ret));
	FCOPY_LOG(INFO, "registered the fcopy class with %s", FCOPY_UIO_DRIVER);
	return 0;
}

/*
 * Wait until every fcopy device is bound to uio_hv_generic and has its node.
 * @return 0, -ETIMEDOUT, -EBUSY (another driver), or -ENODEV (no device).
 */
static int
wait_bound(const char *root, const char *drvdir, unsigned int wait_ms, char *node,
	   size_t nodelen, char *err, size_t errlen)
{
	struct fcopy_dev devs[MAX_DEVICES];
	unsigned int waited = 0;
	bool tried_bind[MAX_DEVICES] = { false };
	char path[PATH_MAX];
	int i, n, ret;

	for (;;) {
		n = scan(root, devs, MAX_DEVICES);
		if (n == 0 || n == -ENOENT)
			return -ENODEV;
		if (n < 0)
			return fail(err, errlen, n, "reading the VMBus devices under %s: %s", root,
				    strerror(-n));
		for (i = 0; i < n; i++) {
			if (devs[i].driver[0] != '\0' &&
			    strcmp(devs[i].driver, FCOPY_UIO_DRIVER) != 0)
				return fail(err, errlen, -EBUSY, "the fcopy device %s is bound to "
					    "%s (before Linux 6.10, hv_utils serves fcopy for "
					    "hv_fcopy_daemon)", devs[i].name, devs[i].driver);
			/* new_id registered earlier does not re-probe: bind explicitly. */
			if (devs[i].driver[0] == '\0' && waited >= NEW_ID_GRACE_MS &&
			    !tried_bind[i]) {
				tried_bind[i] = true;
				ret = fmt_path(path, sizeof(path), "%s/bind", drvdir);
				if (ret == 0)
					ret = write_attr(path, devs[i].name);
				if (ret < 0 && ret != -EEXIST && ret != -EBUSY)
					return fail(err, errlen, ret, "binding %s through %s: %s",
						    devs[i].name, path, strerror(-ret));
			}
			if (devs[i].driver[0] != '\0' &&
			    dev_node(root, devs[i].name, node, nodelen) == 1)
				return 0;
		}
		if (waited >= wait_ms && devs[0].driver[0] == '\0')
			return fail(err, errlen, -ETIMEDOUT, "the fcopy device %s was not bound "
				    "to %s within %u ms", devs[0].name, FCOPY_UIO_DRIVER, wait_ms);
		if (waited >= wait_ms)
			return fail(err, errlen, -ETIMEDOUT, "the fcopy device %s is bound, but "
				    "its /dev/uio node did not appear within %u ms (is udev "
				    "running?)", devs[0].name, wait_ms);
		sleep_ms(POLL_MS);
		waited += POLL_MS;
	}
}

/*
 * The kernel release under the root when it is older than 6.10, the first whose
 * uio_hv_generic takes channels without a monitor page (fcopy's). False when newer or
 * unknown: nothing is then claimed about the kernel.
 */
static bool
kernel_too_old(const char *root, char *rel, size_t len)
{
	char path[PATH_MAX];
	unsigned int major, minor;

	if (sys_path(path, sizeof(path), root, "proc/sys/kernel/osrelease") < 0 ||
	    read_attr(path, rel, len) < 0 || sscanf(rel, "%u.%u", &major, &minor) != 2)
		return false;
	return major < 6 || (major == 6 && minor < 10);
}

int
fcopy_bind(const struct fcopy_bind_opts *o, char *node, size_t nodelen, char *err,
	   size_t errlen)
{
	const char *root = o->root != NULL && o->root[0] != '\0' ? o->root : "/";
	struct fcopy_dev devs[MAX_DEVICES];
	char drvdir[PATH_MAX], rel[64];
	bool bound = false;
	int i, n, ret;

	ret = sys_path(drvdir, sizeof(drvdir), root, "sys/bus/vmbus");
	if (ret < 0)
		return fail(err, errlen, ret, "root %s: path too long", root);
	/* Not a module, new_id or kernel matter: there is no Hyper-V bus to bind on. */
	if (!is_dir(drvdir))
		return fail(err, errlen, -ENODEV, "there is no VMBus (%s does not exist): this is "
			    "not a Hyper-V guest, or hv_vmbus is not loaded", drvdir);
	ret = sys_path(drvdir, sizeof(drvdir), root, "sys/bus/vmbus/drivers/" FCOPY_UIO_DRIVER);
	if (ret < 0)
		return fail(err, errlen, ret, "root %s: path too long", root);
	/* No new_id, bind or module can help there: the kernel's probe refuses the device. */
	if (kernel_too_old(root, rel, sizeof(rel)))
		return fail(err, errlen, -ENOTSUP, "Linux %s is too old: %s takes the fcopy "
			    "device (a low-speed VMBus device, without a monitor page) only from "
			    "Linux 6.10. On this kernel hv_utils serves fcopy for hv_fcopy_daemon; "
			    "update the kernel to use %s", rel, FCOPY_UIO_DRIVER, FCOPY_PROG);
	ret = ensure_driver(o, drvdir, err, errlen);
	if (ret < 0)
		return ret;
	n = scan(root, devs, MAX_DEVICES);
	if (n < 0 && n != -ENOENT)
		return fail(err, errlen, n, "reading the VMBus devices under %s: %s", root,
			    strerror(-n));
	for (i = 0; i < n; i++)
		bound |= strcmp(devs[i].driver, FCOPY_UIO_DRIVER) == 0;
	/* Once bound, new_id is in place: writing it again is what breaks other units. */
	if (!bound) {
		ret = add_new_id(drvdir, err, errlen);
		if (ret < 0)
			return ret;
	}
	ret = wait_bound(root, drvdir, o->wait_ms, node, nodelen, err, errlen);
	if (ret == -ENODEV)
		return fail(err, errlen, -ENODEV, "no fcopy device is offered: Guest Services "
			    "are off for this VM (Hyper-V: Integration Services). %s will take "
			    "the device when they are turned on", FCOPY_UIO_DRIVER);
	return ret;
}
