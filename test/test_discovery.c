/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/* Discovery of low-speed devices under a root prefix, against the simulator's sysfs tree. */

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <rte_common.h>

#include "hvdev_test.h"
#include "hvdev_uio_chan.h"
#include "rte_hvsim.h"

static char root[256];
static struct rte_hvsim *sim;

static int
setup(void)
{
	TEST_ASSERT(hvdev_test_root_create(root, sizeof(root)) == 0, "mkdtemp");
	sim = rte_hvsim_create(root);
	TEST_ASSERT(sim != NULL, "simulator create under %s", root);
	TEST_ASSERT_EQUAL(rte_hvsim_start(sim), 0, "simulator start");
	return TEST_SUCCESS;
}

static void
teardown(void)
{
	rte_hvsim_destroy(sim);
	sim = NULL;
	hvdev_test_root_remove(root);
}

static struct rte_hvsim_dev *
offer(const char *cls, uint32_t ring_size, const char *driver)
{
	struct rte_hvsim_dev_conf conf = { .ring_size = ring_size, .driver = driver };

	hvdev_test_class(cls, conf.class_id);
	return rte_hvsim_offer(sim, &conf);
}

static int
check_found(void)
{
	struct hvdev_uio_devinfo info;
	rte_uuid_t cls, inst;
	char err[512], path[PATH_MAX + 64];
	struct rte_hvsim_dev *dev;
	long page = sysconf(_SC_PAGESIZE);

	dev = offer("fcopy", 5 * (uint32_t)page, NULL);
	TEST_ASSERT(dev != NULL, "offer");
	hvdev_test_class("fcopy", cls);
	TEST_ASSERT_EQUAL(hvdev_uio_discover(root, cls, NULL, 0, &info, err, sizeof(err)), 0,
			  "%s", err);
	TEST_ASSERT_EQUAL(info.ring_size, 5 * page, "ring size is map0 / 2");
	TEST_ASSERT_EQUAL(info.map0_size, 10 * page, "map0 size");
	TEST_ASSERT(!info.has_monitor, "low-speed");
	TEST_ASSERT(rte_uuid_compare(info.class_id, cls) == 0, "class id");
	rte_hvsim_dev_instance(dev, inst);
	TEST_ASSERT(rte_uuid_compare(info.instance_id, inst) == 0, "instance id");
	snprintf(path, sizeof(path), "%s/dev/%s", root, rte_hvsim_dev_uio_name(dev));
	TEST_ASSERT(strcmp(info.node_path, path) == 0, "node %s != %s", info.node_path, path);

	/* By instance id alone, too. */
	memset(&info, 0, sizeof(info));
	TEST_ASSERT_EQUAL(hvdev_uio_discover(root, NULL, inst, 0, &info, err, sizeof(err)), 0,
			  "%s", err);
	TEST_ASSERT(rte_uuid_compare(info.class_id, cls) == 0, "class id by instance");
	return TEST_SUCCESS;
}

static int
test_found(void)
{
	int ret;

	TEST_RUN(setup());
	ret = check_found();
	teardown();
	return ret;
}

static int
check_errors(void)
{
	struct hvdev_uio_devinfo info;
	rte_uuid_t cls;
	char err[512];
	struct rte_hvsim_dev_conf conf = { 0 };
	int ret;

	hvdev_test_class("fcopy", cls);
	ret = hvdev_uio_discover(root, cls, NULL, 0, &info, err, sizeof(err));
	TEST_ASSERT_EQUAL(ret, -ENOENT, "no device");
	TEST_ASSERT(strstr(err, "no VMBus device of class fcopy") != NULL, "message: %s", err);
	TEST_ASSERT(strstr(err, "Guest Services") != NULL, "names the fix: %s", err);

	TEST_ASSERT(offer("fcopy", 0, "") != NULL, "offer unbound");
	ret = hvdev_uio_discover(root, cls, NULL, 50, &info, err, sizeof(err));
	TEST_ASSERT_EQUAL(ret, -ENODEV, "unbound device");
	TEST_ASSERT(strstr(err, "not bound to a driver") != NULL, "message: %s", err);
	TEST_ASSERT(strstr(err, "uio_hv_generic/new_id") != NULL, "names the fix: %s", err);
	TEST_ASSERT(strstr(err, "echo 34d14be3-dee4-41c8-9ae7-6b174977c192 > ") != NULL,
		    "the whole class GUID in the command: %s", err);

	hvdev_test_class("kvp", cls);
	TEST_ASSERT(offer("kvp", 0, "hv_utils") != NULL, "offer bound elsewhere");
	ret = hvdev_uio_discover(root, cls, NULL, 0, &info, err, sizeof(err));
	TEST_ASSERT_EQUAL(ret, -ENODEV, "wrong driver");
	TEST_ASSERT(strstr(err, "bound to hv_utils, not uio_hv_generic") != NULL, "message: %s",
		    err);

	hvdev_test_class("heartbeat", conf.class_id);
	conf.monitor = true;
	TEST_ASSERT(rte_hvsim_offer(sim, &conf) != NULL, "offer monitored");
	ret = hvdev_uio_discover(root, conf.class_id, NULL, 0, &info, err, sizeof(err));
	TEST_ASSERT_EQUAL(ret, -ENOTSUP, "monitored channel refused");
	TEST_ASSERT(strstr(err, "monitor page") != NULL, "message: %s", err);
	return TEST_SUCCESS;
}

static int
test_errors(void)
{
	int ret;

	TEST_RUN(setup());
	ret = check_errors();
	teardown();
	return ret;
}

static int
check_late_entries(void)
{
	struct rte_hvsim_dev_conf conf = { .uio_delay_ms = 300, .ring_attr_delay_ms = 600 };
	struct hvdev_uio_devinfo info;
	char err[512], path[PATH_MAX + 64];
	uint64_t t0;
	struct stat st;

	hvdev_test_class("fcopy", conf.class_id);
	TEST_ASSERT(rte_hvsim_offer(sim, &conf) != NULL, "offer");
	/* Not bound yet: a look without waiting must say so, and how to fix it. */
	TEST_ASSERT_EQUAL(hvdev_uio_discover(root, conf.class_id, NULL, 0, &info, err,
					     sizeof(err)), -ENODEV, "not bound yet");
	t0 = hvdev_test_now_us();
	TEST_ASSERT_EQUAL(hvdev_uio_discover(root, conf.class_id, NULL, 5000, &info, err,
					     sizeof(err)), 0, "late uio: %s", err);
	TEST_ASSERT(hvdev_test_now_us() - t0 >= 200000, "returned before the binding existed");
	/* The ring attribute is still missing: discovery must not need it. */
	snprintf(path, sizeof(path), "%s/channels/%u/ring", info.sysfs_dir, info.relid);
	TEST_ASSERT(stat(path, &st) != 0, "ring attribute should appear later");
	usleep(500000);
	TEST_ASSERT(stat(path, &st) == 0, "ring attribute appeared");
	TEST_ASSERT_EQUAL((uint64_t)st.st_size, info.map0_size, "ring attribute holds both rings");
	TEST_ASSERT_EQUAL(hvdev_uio_discover(root, conf.class_id, NULL, 0, &info, err,
					     sizeof(err)), 0, "%s", err);
	return TEST_SUCCESS;
}

static int
test_late_entries(void)
{
	int ret;

	TEST_RUN(setup());
	ret = check_late_entries();
	teardown();
	return ret;
}

static int
count_cb(const struct hvdev_uio_devinfo *info, void *arg)
{
	int *n = arg;

	(*n)++;
	return info->ring_size == 0;
}

static int
check_scan(void)
{
	long page = sysconf(_SC_PAGESIZE);
	struct rte_hvsim_dev *dev;
	int n = 0;

	TEST_ASSERT(offer("fcopy", 4 * (uint32_t)page, NULL) != NULL, "fcopy");
	dev = offer("kvp", 16 * (uint32_t)page, NULL);
	TEST_ASSERT(dev != NULL, "kvp");
	TEST_ASSERT(offer("heartbeat", 0, "") != NULL, "unbound heartbeat");
	TEST_ASSERT_EQUAL(hvdev_uio_scan(root, count_cb, &n), 2, "two ready devices");
	TEST_ASSERT_EQUAL(n, 2, "callback per ready device");
	TEST_ASSERT_EQUAL(rte_hvsim_rescind(dev), 0, "rescind kvp");
	n = 0;
	TEST_ASSERT_EQUAL(hvdev_uio_scan(root, count_cb, &n), 1, "rescinded device is gone");
	TEST_ASSERT_EQUAL(rte_hvsim_reoffer(dev), 0, "re-offer kvp");
	n = 0;
	TEST_ASSERT_EQUAL(hvdev_uio_scan(root, count_cb, &n), 2, "re-offered device is back");
	/* A root with no sysfs at all is not an error: there is simply nothing. */
	TEST_ASSERT_EQUAL(hvdev_uio_scan("/nonexistent-hvdev-root", count_cb, &n), 0, "empty");
	return TEST_SUCCESS;
}

static int
test_scan(void)
{
	int ret;

	TEST_RUN(setup());
	ret = check_scan();
	teardown();
	return ret;
}

/* A host whose kernel profile comes from HVSIM_KERNEL, as a whole suite would get it. */
static int
setup_kernel(const char *spec)
{
	int ret;

	setenv("HVSIM_KERNEL", spec, 1);
	ret = setup();
	unsetenv("HVSIM_KERNEL");
	return ret;
}

#define HYPERV_FCOPY_INSTANCE "eb765408-105f-49b6-b4aa-c123b64d17d4"

/* Hyper-V offers fcopy as one fixed instance; the upstream daemon looks for no other. */
static int
check_fcopy_instance(void)
{
	struct rte_hvsim_dev *first, *second, *kvp;
	char str[RTE_UUID_STRLEN], path[PATH_MAX + 64];
	rte_uuid_t inst, inst2;

	first = offer("fcopy", 0, NULL);
	TEST_ASSERT(first != NULL, "offer");
	rte_hvsim_dev_instance(first, inst);
	rte_uuid_unparse(inst, str, sizeof(str));
	TEST_ASSERT(strcmp(str, HYPERV_FCOPY_INSTANCE) == 0, "fcopy instance %s", str);
	snprintf(path, sizeof(path), "%s/sys/bus/vmbus/devices/" HYPERV_FCOPY_INSTANCE
		 "/device_id", root);
	TEST_ASSERT(hvdev_test_exists(path), "the daemon's path %s exists", path);
	/* A second fcopy device on the same host cannot have it too. */
	second = offer("fcopy", 0, NULL);
	TEST_ASSERT(second != NULL, "second offer");
	rte_hvsim_dev_instance(second, inst2);
	TEST_ASSERT(rte_uuid_compare(inst, inst2) != 0, "second fcopy device has its own id");
	kvp = offer("kvp", 0, NULL);
	TEST_ASSERT(kvp != NULL, "kvp");
	rte_hvsim_dev_instance(kvp, inst2);
	TEST_ASSERT(rte_uuid_compare(inst, inst2) != 0, "other classes keep derived ids");
	/* Rescinded and offered again: the same id. */
	TEST_ASSERT_EQUAL(rte_hvsim_rescind(first), 0, "rescind");
	TEST_ASSERT_EQUAL(rte_hvsim_reoffer(first), 0, "re-offer");
	rte_hvsim_dev_instance(first, inst2);
	TEST_ASSERT(rte_uuid_compare(inst, inst2) == 0, "same id after a re-offer");
	return TEST_SUCCESS;
}

static int
test_fcopy_instance(void)
{
	int ret;

	TEST_RUN(setup());
	ret = check_fcopy_instance();
	teardown();
	return ret;
}

/*
 * Kernels before the dynamic ring attribute (6.15, and its 6.12.y backport) give
 * channels/<relid>/ring a fixed 4 MiB: the size must come from uio map 0, and the channel
 * must work over the real 16 KiB rings.
 */
static int
check_legacy_ring_attr(void)
{
	struct hvdev_uio_devinfo info;
	char err[512], path[PATH_MAX + 64];
	struct hvdev_chan *ch;
	struct stat st;
	rte_uuid_t cls;

	TEST_ASSERT(offer("fcopy", 16u << 10, NULL) != NULL, "offer");
	hvdev_test_class("fcopy", cls);
	TEST_ASSERT_EQUAL(hvdev_uio_discover(root, cls, NULL, 1000, &info, err, sizeof(err)), 0,
			  "%s", err);
	snprintf(path, sizeof(path), "%s/channels/%u/ring", info.sysfs_dir, info.relid);
	TEST_ASSERT(stat(path, &st) == 0, "ring attribute %s", path);
	TEST_ASSERT_EQUAL((uint64_t)st.st_size, 4u << 20, "the fixed 4 MiB of older kernels");
	TEST_ASSERT_EQUAL(info.ring_size, 16u << 10, "ring size from map 0, not the attribute");
	TEST_ASSERT_EQUAL(info.map0_size, 32u << 10, "map 0");
	TEST_ASSERT_EQUAL(hvdev_chan_open(&info, &ch), 0, "open over the real size");
	hvdev_chan_close(ch);
	return TEST_SUCCESS;
}

static int
test_legacy_ring_attr(void)
{
	int ret;

	TEST_RUN(setup_kernel("legacy-ring"));
	ret = check_legacy_ring_attr();
	teardown();
	return ret;
}

/*
 * Before 6.10 uio_hv_generic refuses channels without a monitor page, and hv_utils owns the
 * util classes: the error says the kernel is too old, and does not send the user to new_id.
 */
static int
check_kernel_too_old(void)
{
	struct hvdev_uio_devinfo info;
	char err[512], path[PATH_MAX + 64], rel[64] = "";
	rte_uuid_t cls;
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "%s/proc/sys/kernel/osrelease", root);
	f = fopen(path, "r");
	TEST_ASSERT(f != NULL && fgets(rel, sizeof(rel), f) != NULL, "osrelease %s", path);
	fclose(f);
	TEST_ASSERT(strncmp(rel, "6.9.", 4) == 0, "a 6.9 kernel: %s", rel);
	TEST_ASSERT(offer("fcopy", 0, NULL) != NULL, "offer");
	hvdev_test_class("fcopy", cls);
	ret = hvdev_uio_discover(root, cls, NULL, 200, &info, err, sizeof(err));
	TEST_ASSERT_EQUAL(ret, -ENOTSUP, "refused: %s", err);
	TEST_ASSERT(strstr(err, "not bound to a driver") != NULL &&
		    strstr(err, "too old") != NULL && strstr(err, "6.10") != NULL,
		    "says the kernel is too old: %s", err);
	TEST_ASSERT(strstr(err, "new_id") == NULL, "does not suggest new_id: %s", err);
	/* Bound to hv_utils, as such kernels bind the util classes: same answer. */
	TEST_ASSERT(offer("kvp", 0, "hv_utils") != NULL, "kvp");
	hvdev_test_class("kvp", cls);
	ret = hvdev_uio_discover(root, cls, NULL, 0, &info, err, sizeof(err));
	TEST_ASSERT_EQUAL(ret, -ENOTSUP, "refused: %s", err);
	TEST_ASSERT(strstr(err, "bound to hv_utils") != NULL && strstr(err, "too old") != NULL &&
		    strstr(err, "new_id") == NULL, "message: %s", err);
	return TEST_SUCCESS;
}

static int
test_kernel_too_old(void)
{
	int ret;

	TEST_RUN(setup_kernel("pre-6.10"));
	ret = check_kernel_too_old();
	teardown();
	return ret;
}

/*
 * A device removed while discovery looks at it (a rescind racing the re-offer of the same
 * device) loses its attributes between two reads: that is "not there (yet)", for discovery to
 * wait on, never a hard error that stops a reattach. Garbage in an attribute still is one.
 */
static int
check_removed_while_inspected(void)
{
	struct hvdev_uio_devinfo info;
	struct rte_hvsim_dev *dev;
	rte_uuid_t cls;
	char err[512], path[PATH_MAX + 64];
	FILE *f;
	int ret;

	dev = offer("fcopy", 0, NULL);
	TEST_ASSERT(dev != NULL, "offer");
	hvdev_test_class("fcopy", cls);
	TEST_ASSERT_EQUAL(hvdev_uio_discover(root, cls, NULL, 0, &info, err, sizeof(err)), 0,
			  "%s", err);
	snprintf(path, sizeof(path), "%s/id", info.sysfs_dir);
	TEST_ASSERT(unlink(path) == 0, "remove %s", path);
	ret = hvdev_uio_discover(root, cls, NULL, 50, &info, err, sizeof(err));
	TEST_ASSERT(ret == -ENOENT || ret == -ETIMEDOUT,
		    "a device losing its attributes is waited for (%d: %s)", ret, err);

	f = fopen(path, "w");
	TEST_ASSERT(f != NULL, "recreate %s", path);
	fputs("junk\n", f);
	fclose(f);
	ret = hvdev_uio_discover(root, cls, NULL, 0, &info, err, sizeof(err));
	TEST_ASSERT_EQUAL(ret, -EINVAL, "garbage in id is an error: %s", err);
	return TEST_SUCCESS;
}

static int
test_removed_while_inspected(void)
{
	int ret;

	TEST_RUN(setup());
	ret = check_removed_while_inspected();
	teardown();
	return ret;
}

static const struct hvdev_test_case cases[] = {
	HVDEV_CASE(found, test_found),
	HVDEV_CASE(errors, test_errors),
	HVDEV_CASE(late_entries, test_late_entries),
	HVDEV_CASE(scan, test_scan),
	HVDEV_CASE(fcopy_instance, test_fcopy_instance),
	HVDEV_CASE(legacy_ring_attr, test_legacy_ring_attr),
	HVDEV_CASE(kernel_too_old, test_kernel_too_old),
	HVDEV_CASE(removed_while_inspected, test_removed_while_inspected),
};

int
main(int argc, char **argv)
{
	return hvdev_test_main(argc, argv, cases, RTE_DIM(cases));
}
