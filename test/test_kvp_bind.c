/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * dpdk-hv-kvp --bind and --unbind against a fake sysfs tree. A thread plays the kernel: the
 * KVP device starts bound to hv_utils (with /dev/vmbus/hv_kvp); an instance written to a
 * driver's unbind file unbinds it, to uio_hv_generic's bind file binds it there when its
 * driver_override allows (creating the uio directory and node, as uio_hv_generic and udev
 * do), and to the bus's drivers_probe binds it to the driver its driver_override names, or to
 * hv_utils when there is none. The move must be reversible, idempotent, and refused while the
 * kernel path is in use.
 */

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <rte_common.h>

#include <rte_hvdev_kvp.h>

#include "hvdev_test.h"
#include "kvp_bind.h"

#define INSTANCE "242ff919-07db-4180-9c2e-b86cb68c8c55"

static char root[256];
static char devdir[PATH_MAX];
static char drivers[PATH_MAX];
static pthread_t kernel;
static volatile bool kernel_stop;
static volatile bool uio_refuses;	/* before 6.10: uio_hv_generic refuses the device */

static const char *
path(const char *dir, const char *rel)
{
	/* Per thread: the fake kernel uses it too. */
	static _Thread_local char buf[4][PATH_MAX];
	static _Thread_local unsigned int n;
	char *p = buf[n++ % RTE_DIM(buf)];

	hvdev_test_fmt(p, PATH_MAX, "%s/%s", dir, rel);
	return p;
}

static int
put(const char *file, const char *text)
{
	FILE *f = fopen(file, "w");

	if (f == NULL)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static size_t
get(const char *file, char *buf, size_t len)
{
	size_t n = 0;
	FILE *f = fopen(file, "r");

	if (f != NULL) {
		n = fread(buf, 1, len - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return n;
}

static void
driver_of(char *out, size_t len)
{
	char target[PATH_MAX];
	ssize_t n = readlink(path(devdir, "driver"), target, sizeof(target) - 1);
	const char *base;

	out[0] = '\0';
	if (n <= 0)
		return;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base != NULL ? base + 1 : target;
	n = (ssize_t)RTE_MIN(strlen(base), len - 1);
	memcpy(out, base, (size_t)n);
	out[n] = '\0';
}

static void
kernel_attach(const char *drv)
{
	char target[PATH_MAX];

	hvdev_test_fmt(target, sizeof(target), "%s/%s", drivers, drv);
	if (symlink(target, path(devdir, "driver")) != 0)
		return;
	if (strcmp(drv, KVP_UIO_DRIVER) == 0) {
		hvdev_test_mkdirs(path(devdir, "uio/uio5"));
		put(path(root, "dev/uio5"), "");
	} else {
		put(path(root, "dev/vmbus/hv_kvp"), "");
	}
}

static void
kernel_detach(void)
{
	unlink(path(devdir, "driver"));
	rmdir(path(devdir, "uio/uio5"));
	rmdir(path(devdir, "uio"));
	unlink(path(root, "dev/uio5"));
	unlink(path(root, "dev/vmbus/hv_kvp"));
}

/* Consume a write to @p file: true when it named our instance. */
static bool
written(const char *file)
{
	char buf[128];

	if (get(file, buf, sizeof(buf)) == 0)
		return false;
	put(file, "");
	return strcmp(buf, INSTANCE) == 0;
}

static void *
kernel_main(void *arg)
{
	char drv[64], override[64];

	RTE_SET_USED(arg);
	while (!kernel_stop) {
		driver_of(drv, sizeof(drv));
		get(path(devdir, "driver_override"), override, sizeof(override));
		if (written(path(drivers, KVP_KERNEL_DRIVER "/unbind")) &&
		    strcmp(drv, KVP_KERNEL_DRIVER) == 0)
			kernel_detach();
		if (written(path(drivers, KVP_UIO_DRIVER "/unbind")) &&
		    strcmp(drv, KVP_UIO_DRIVER) == 0)
			kernel_detach();
		/*
		 * The kernel handles a write to bind or drivers_probe synchronously, after the
		 * unbind written before it and with the override as it is then: a write is taken
		 * only once the device is unbound, and the override is read after taking it.
		 */
		driver_of(drv, sizeof(drv));
		if (drv[0] == '\0' && written(path(drivers, KVP_UIO_DRIVER "/bind"))) {
			get(path(devdir, "driver_override"), override, sizeof(override));
			if (strcmp(override, KVP_UIO_DRIVER) == 0 && !uio_refuses)
				kernel_attach(KVP_UIO_DRIVER);
		}
		driver_of(drv, sizeof(drv));
		if (drv[0] == '\0' && written(path(drivers, "../drivers_probe"))) {
			get(path(devdir, "driver_override"), override, sizeof(override));
			if (override[0] == '\0')
				kernel_attach(KVP_KERNEL_DRIVER);
			else if (strcmp(override, KVP_UIO_DRIVER) != 0 || !uio_refuses)
				kernel_attach(override);
		}
		usleep(2000);
	}
	return NULL;
}

static int
setup(bool uio_loaded)
{
	TEST_ASSERT(hvdev_test_root_create(root, sizeof(root)) == 0, "mkdtemp");
	hvdev_test_fmt(drivers, sizeof(drivers), "%s/sys/bus/vmbus/drivers", root);
	hvdev_test_fmt(devdir, sizeof(devdir), "%s/sys/bus/vmbus/devices/" INSTANCE, root);
	TEST_ASSERT(hvdev_test_mkdirs(devdir) == 0 &&
		    hvdev_test_mkdirs(path(drivers, KVP_KERNEL_DRIVER)) == 0 &&
		    hvdev_test_mkdirs(path(root, "dev/vmbus")) == 0, "tree");
	TEST_ASSERT(put(path(devdir, "class_id"), "{" RTE_HVDEV_KVP_CLASS_GUID "}\n") == 0 &&
		    put(path(devdir, "driver_override"), "\n") == 0 &&
		    put(path(drivers, KVP_KERNEL_DRIVER "/unbind"), "") == 0 &&
		    put(path(drivers, "../drivers_probe"), "") == 0, "attributes");
	if (uio_loaded) {
		TEST_ASSERT(hvdev_test_mkdirs(path(drivers, KVP_UIO_DRIVER)) == 0, "uio");
		TEST_ASSERT(put(path(drivers, KVP_UIO_DRIVER "/bind"), "") == 0 &&
			    put(path(drivers, KVP_UIO_DRIVER "/unbind"), "") == 0, "uio");
	}
	kernel_attach(KVP_KERNEL_DRIVER);
	kernel_stop = false;
	uio_refuses = false;
	TEST_ASSERT(pthread_create(&kernel, NULL, kernel_main, NULL) == 0, "kernel thread");
	return TEST_SUCCESS;
}

static void
teardown(void)
{
	kernel_stop = true;
	pthread_join(kernel, NULL);
	hvdev_test_root_remove(root);
}

static int
do_bind(char *node, size_t nodelen, char *err, size_t errlen)
{
	struct kvp_bind_opts o = { .root = root, .modprobe = false, .wait_ms = 3000 };

	return kvp_bind(&o, node, nodelen, err, errlen);
}

static int
do_unbind(char *err, size_t errlen)
{
	struct kvp_bind_opts o = { .root = root, .modprobe = false, .wait_ms = 3000 };

	return kvp_unbind(&o, err, errlen);
}

static int
check_roundtrip(void)
{
	char node[PATH_MAX], err[512], drv[64], buf[64];
	int i;

	for (i = 0; i < 2; i++) {
		TEST_ASSERT_EQUAL(do_bind(node, sizeof(node), err, sizeof(err)), 0, "bind: %s",
				  err);
		driver_of(drv, sizeof(drv));
		TEST_ASSERT(strcmp(drv, KVP_UIO_DRIVER) == 0, "bound to %s", drv);
		TEST_ASSERT(strcmp(node, path(root, "dev/uio5")) == 0, "node %s", node);
		TEST_ASSERT(!hvdev_test_exists(path(root, "dev/vmbus/hv_kvp")),
			    "the kernel's node is gone");
		get(path(devdir, "driver_override"), buf, sizeof(buf));
		TEST_ASSERT(strcmp(buf, KVP_UIO_DRIVER) == 0, "override %s", buf);
		/* Again: nothing to do, the same answer. */
		TEST_ASSERT_EQUAL(do_bind(node, sizeof(node), err, sizeof(err)), 0, "rebind: %s",
				  err);
		TEST_ASSERT_EQUAL(kvp_bind_find_node(root, node, sizeof(node)), 1, "found");
		TEST_ASSERT_EQUAL(do_unbind(err, sizeof(err)), 0, "unbind: %s", err);
		driver_of(drv, sizeof(drv));
		TEST_ASSERT(strcmp(drv, KVP_KERNEL_DRIVER) == 0, "back to %s", drv);
		get(path(devdir, "driver_override"), buf, sizeof(buf));
		TEST_ASSERT(buf[0] == '\0', "override cleared: '%s'", buf);
		TEST_ASSERT(hvdev_test_exists(path(root, "dev/vmbus/hv_kvp")),
			    "the kernel's node is back for hv_kvp_daemon");
		TEST_ASSERT_EQUAL(kvp_bind_find_node(root, node, sizeof(node)), 0, "no uio node");
		TEST_ASSERT_EQUAL(do_unbind(err, sizeof(err)), 0, "unbind again: %s", err);
	}
	return TEST_SUCCESS;
}

static int
test_roundtrip(void)
{
	int ret;

	TEST_RUN(setup(true));
	ret = check_roundtrip();
	teardown();
	return ret;
}

static int
check_in_use(void)
{
	char node[PATH_MAX], err[512], drv[64], link[PATH_MAX];

	/* hv_kvp_daemon runs with the kernel's node open: refused, nothing touched. */
	TEST_ASSERT(hvdev_test_mkdirs(path(root, "proc/4242/fd")) == 0, "proc");
	TEST_ASSERT(put(path(root, "proc/4242/comm"), "hv_kvp_daemon\n") == 0, "comm");
	hvdev_test_fmt(link, sizeof(link), "%s/proc/4242/fd/3", root);
	TEST_ASSERT(symlink("/dev/vmbus/hv_kvp", link) == 0, "fd");
	TEST_ASSERT_EQUAL(do_bind(node, sizeof(node), err, sizeof(err)), -EBUSY, "refused");
	TEST_ASSERT(strstr(err, "hv_kvp_daemon (pid 4242)") != NULL &&
		    strstr(err, "hv-kvp-daemon.service") != NULL, "says what to stop: %s", err);
	driver_of(drv, sizeof(drv));
	TEST_ASSERT(strcmp(drv, KVP_KERNEL_DRIVER) == 0, "still %s", drv);
	/* Stopped: now it goes. */
	TEST_ASSERT(unlink(link) == 0 && put(path(root, "proc/4242/comm"), "bash\n") == 0,
		    "daemon stopped");
	TEST_ASSERT_EQUAL(do_bind(node, sizeof(node), err, sizeof(err)), 0, "bind: %s", err);
	return TEST_SUCCESS;
}

static int
test_in_use(void)
{
	int ret;

	TEST_RUN(setup(true));
	ret = check_in_use();
	teardown();
	return ret;
}

static int
check_refused(void)
{
	char node[PATH_MAX], err[512], drv[64], buf[64];
	int i;

	/*
	 * An old uio_hv_generic refuses the device (the write to bind fails: here bind is a
	 * directory): given back to hv_utils at once, override cleared.
	 */
	TEST_ASSERT(unlink(path(drivers, KVP_UIO_DRIVER "/bind")) == 0 &&
		    hvdev_test_mkdirs(path(drivers, KVP_UIO_DRIVER "/bind")) == 0, "bind");
	TEST_ASSERT_EQUAL(do_bind(node, sizeof(node), err, sizeof(err)), -ENOTSUP, "refused");
	TEST_ASSERT(strstr(err, "6.10") != NULL, "says why: %s", err);
	for (i = 0; i < 100; i++) {
		driver_of(drv, sizeof(drv));
		if (drv[0] != '\0')
			break;
		usleep(10000);
	}
	get(path(devdir, "driver_override"), buf, sizeof(buf));
	TEST_ASSERT(strcmp(drv, KVP_KERNEL_DRIVER) == 0 && buf[0] == '\0',
		    "back to %s, override '%s'", drv, buf);
	TEST_ASSERT(rmdir(path(drivers, KVP_UIO_DRIVER "/bind")) == 0 &&
		    put(path(drivers, KVP_UIO_DRIVER "/bind"), "") == 0, "bind file");
	/* The kernel takes the write but never binds: given back after the wait. */
	uio_refuses = true;
	TEST_ASSERT_EQUAL(do_bind(node, sizeof(node), err, sizeof(err)), -ETIMEDOUT, "timeout");
	for (i = 0; i < 100; i++) {
		driver_of(drv, sizeof(drv));
		if (drv[0] != '\0')
			break;
		usleep(10000);
	}
	get(path(devdir, "driver_override"), buf, sizeof(buf));
	TEST_ASSERT(strcmp(drv, KVP_KERNEL_DRIVER) == 0 && buf[0] == '\0',
		    "back to %s, override '%s'", drv, buf);
	return TEST_SUCCESS;
}

static int
test_refused(void)
{
	int ret;

	TEST_RUN(setup(true));
	ret = check_refused();
	teardown();
	return ret;
}

static int
test_no_driver_no_device(void)
{
	char node[PATH_MAX], err[512], drv[64];
	int ret;

	/* uio_hv_generic not loaded and no modprobe allowed: said, nothing touched. */
	TEST_RUN(setup(false));
	ret = do_bind(node, sizeof(node), err, sizeof(err));
	driver_of(drv, sizeof(drv));
	teardown();
	TEST_ASSERT_EQUAL(ret, -ENOENT, "no driver");
	TEST_ASSERT(strstr(err, "--no-modprobe") != NULL, "says why: %s", err);
	TEST_ASSERT(strcmp(drv, KVP_KERNEL_DRIVER) == 0, "left on %s", drv);
	/* No KVP device at all. */
	TEST_ASSERT(hvdev_test_root_create(root, sizeof(root)) == 0, "mkdtemp");
	TEST_ASSERT_EQUAL(do_bind(node, sizeof(node), err, sizeof(err)), -ENODEV, "no device");
	TEST_ASSERT_EQUAL(do_unbind(err, sizeof(err)), -ENODEV, "no device");
	hvdev_test_root_remove(root);
	return TEST_SUCCESS;
}

static const struct hvdev_test_case cases[] = {
	HVDEV_CASE(roundtrip, test_roundtrip),
	HVDEV_CASE(in_use, test_in_use),
	HVDEV_CASE(refused, test_refused),
	HVDEV_CASE(no_driver_no_device, test_no_driver_no_device),
};

int
main(int argc, char **argv)
{
	return hvdev_test_main(argc, argv, cases, RTE_DIM(cases));
}
