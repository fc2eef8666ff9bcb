/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * dpdk-hv-fcopy --bind against a fake sysfs tree. A thread plays the kernel: a class GUID
 * written to new_id (or an instance written to bind) binds the unbound fcopy device and
 * creates its uio directory and node, as uio_hv_generic and udev do. The binding must be
 * idempotent: once the device is bound, new_id is not written again (a second identical
 * write fails with EEXIST on a real kernel).
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <rte_common.h>

#include "fcopy_bind.h"
#include "hvdev_test.h"

#define INSTANCE "eb765408-105f-49b6-b4aa-c123b64d17d4"

static char root[256];
static char drvdir[PATH_MAX];
static char devdir[PATH_MAX];
static pthread_t kernel;
static volatile bool kernel_stop;
static bool kernel_obeys_new_id;
static volatile bool kernel_refuses;	/* before 6.10: the probe refuses low-speed devices */

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
	return n;
}

static bool
is_bound(void)
{
	struct stat st;

	return lstat(path(devdir, "driver"), &st) == 0;
}

/* What uio_hv_generic's probe and udev do for the device. */
static void
kernel_bind(void)
{
	char link[PATH_MAX];

	hvdev_test_fmt(link, sizeof(link), "%s/driver", devdir);
	if (symlink(drvdir, link) < 0)
		return;
	hvdev_test_mkdirs(path(devdir, "uio/uio3"));
	hvdev_test_mkdirs(path(root, "dev"));
	put(path(root, "dev/uio3"), "");
}

static void *
kernel_main(void *arg)
{
	char buf[128];

	RTE_SET_USED(arg);
	while (!kernel_stop) {
		if (kernel_refuses) {
			usleep(2000);
			continue;
		}
		if (!is_bound() && kernel_obeys_new_id &&
		    get(path(drvdir, "new_id"), buf, sizeof(buf)) > 0 &&
		    strstr(buf, FCOPY_CLASS_GUID) != NULL)
			kernel_bind();
		if (!is_bound() && get(path(drvdir, "bind"), buf, sizeof(buf)) > 0 &&
		    strstr(buf, INSTANCE) != NULL)
			kernel_bind();
		usleep(2000);
	}
	return NULL;
}

/* A tree with uio_hv_generic loaded and @p with_device an unbound fcopy device. */
static int
setup(bool with_device, bool obeys_new_id)
{
	TEST_ASSERT(hvdev_test_root_create(root, sizeof(root)) == 0, "mkdtemp");
	hvdev_test_fmt(drvdir, sizeof(drvdir), "%s/sys/bus/vmbus/drivers/uio_hv_generic", root);
	hvdev_test_fmt(devdir, sizeof(devdir), "%s/sys/bus/vmbus/devices/" INSTANCE, root);
	TEST_ASSERT(hvdev_test_mkdirs(drvdir) == 0, "driver directory");
	TEST_ASSERT(put(path(drvdir, "new_id"), "") == 0 && put(path(drvdir, "bind"), "") == 0,
		    "driver attributes");
	TEST_ASSERT(hvdev_test_mkdirs(path(root, "sys/bus/vmbus/devices")) == 0, "devices");
	if (with_device) {
		TEST_ASSERT(hvdev_test_mkdirs(devdir) == 0, "device");
		TEST_ASSERT(put(path(devdir, "class_id"),
				"{" FCOPY_CLASS_GUID "}\n") == 0, "class_id");
	}
	kernel_stop = false;
	kernel_refuses = false;
	kernel_obeys_new_id = obeys_new_id;
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
	struct fcopy_bind_opts o = { .root = root, .modprobe = false, .wait_ms = 5000 };

	return fcopy_bind(&o, node, nodelen, err, errlen);
}

static int
check_idempotent(void)
{
	char node[PATH_MAX], err[512], buf[128];

	TEST_ASSERT_EQUAL(do_bind(node, sizeof(node), err, sizeof(err)), 0, "%s", err);
	get(path(drvdir, "new_id"), buf, sizeof(buf));
	TEST_ASSERT(strcmp(buf, FCOPY_CLASS_GUID "\n") == 0, "new_id got the class: '%s'", buf);
	TEST_ASSERT(strcmp(node, path(root, "dev/uio3")) == 0, "node %s", node);
	TEST_ASSERT_EQUAL(fcopy_bind_find_node(root, node, sizeof(node)), 1, "found");
	/* Second run: bound already, so new_id is left alone. */
	TEST_ASSERT(put(path(drvdir, "new_id"), "") == 0, "clear new_id");
	TEST_ASSERT_EQUAL(do_bind(node, sizeof(node), err, sizeof(err)), 0, "%s", err);
	TEST_ASSERT_EQUAL(get(path(drvdir, "new_id"), buf, sizeof(buf)), 0,
			  "new_id not written again: '%s'", buf);
	get(path(drvdir, "bind"), buf, sizeof(buf));
	TEST_ASSERT_EQUAL(buf[0], '\0', "bind not written either");
	return TEST_SUCCESS;
}

static int
test_idempotent(void)
{
	int ret;

	TEST_RUN(setup(true, true));
	ret = check_idempotent();
	teardown();
	return ret;
}

static int
check_explicit_bind(void)
{
	char node[PATH_MAX], err[512], buf[128];

	/* new_id was registered before (EEXIST on a kernel): the device needs a bind. */
	TEST_ASSERT_EQUAL(do_bind(node, sizeof(node), err, sizeof(err)), 0, "%s", err);
	get(path(drvdir, "bind"), buf, sizeof(buf));
	TEST_ASSERT(strcmp(buf, INSTANCE) == 0, "bound by instance: '%s'", buf);
	return TEST_SUCCESS;
}

static int
test_explicit_bind(void)
{
	int ret;

	TEST_RUN(setup(true, false));
	ret = check_explicit_bind();
	teardown();
	return ret;
}

static int
check_no_device(void)
{
	char node[PATH_MAX], err[512], buf[128];

	TEST_ASSERT_EQUAL(do_bind(node, sizeof(node), err, sizeof(err)), -ENODEV, "no device");
	TEST_ASSERT(strstr(err, "Guest Services") != NULL, "says why: %s", err);
	get(path(drvdir, "new_id"), buf, sizeof(buf));
	TEST_ASSERT(strstr(buf, FCOPY_CLASS_GUID) != NULL, "new_id set for a later offer");
	TEST_ASSERT_EQUAL(fcopy_bind_find_node(root, node, sizeof(node)), 0, "no node");
	return TEST_SUCCESS;
}

static int
test_no_device(void)
{
	int ret;

	TEST_RUN(setup(false, true));
	ret = check_no_device();
	teardown();
	return ret;
}

static int
check_other_driver(void)
{
	char node[PATH_MAX], err[512], other[PATH_MAX], link[PATH_MAX];

	hvdev_test_fmt(other, sizeof(other), "%s/sys/bus/vmbus/drivers/hv_utils", root);
	hvdev_test_fmt(link, sizeof(link), "%s/driver", devdir);
	TEST_ASSERT(hvdev_test_mkdirs(other) == 0 && symlink(other, link) == 0,
		    "bound to hv_utils");
	TEST_ASSERT_EQUAL(do_bind(node, sizeof(node), err, sizeof(err)), -EBUSY, "refused");
	TEST_ASSERT(strstr(err, "hv_utils") != NULL, "names the driver: %s", err);
	return TEST_SUCCESS;
}

static int
test_other_driver(void)
{
	int ret;

	TEST_RUN(setup(true, false));
	ret = check_other_driver();
	teardown();
	return ret;
}

static int
test_no_module(void)
{
	struct fcopy_bind_opts o = { .modprobe = false, .wait_ms = 100 };
	char node[PATH_MAX], err[512];

	TEST_ASSERT(hvdev_test_root_create(root, sizeof(root)) == 0, "mkdtemp");
	o.root = root;
	TEST_ASSERT(hvdev_test_mkdirs(path(root, "sys/bus/vmbus")) == 0, "vmbus");
	TEST_ASSERT_EQUAL(fcopy_bind(&o, node, sizeof(node), err, sizeof(err)), -ENOENT,
			  "no driver, no modprobe");
	TEST_ASSERT(strstr(err, "uio_hv_generic is not loaded") != NULL, "says so: %s", err);
	/* modprobe that cannot run, then one that fails. */
	o.modprobe = true;
	o.modprobe_path = "/nonexistent/modprobe";
	TEST_ASSERT(fcopy_bind(&o, node, sizeof(node), err, sizeof(err)) < 0, "cannot run");
	TEST_ASSERT(strstr(err, "cannot run /nonexistent/modprobe") != NULL, "says so: %s", err);
	o.modprobe_path = "/bin/false";
	TEST_ASSERT(fcopy_bind(&o, node, sizeof(node), err, sizeof(err)) < 0, "fails");
	TEST_ASSERT(strstr(err, "not installed") != NULL, "says so: %s", err);
	hvdev_test_root_remove(root);
	return TEST_SUCCESS;
}

/* No /sys/bus/vmbus: not a Hyper-V guest, said as such, whatever modprobe could do. */
static int
test_no_vmbus(void)
{
	struct fcopy_bind_opts o = { .modprobe = true, .modprobe_path = "/bin/true",
				     .wait_ms = 100 };
	char node[PATH_MAX], err[512];
	int ret;

	TEST_ASSERT(hvdev_test_root_create(root, sizeof(root)) == 0, "mkdtemp");
	o.root = root;
	ret = fcopy_bind(&o, node, sizeof(node), err, sizeof(err));
	hvdev_test_root_remove(root);
	TEST_ASSERT_EQUAL(ret, -ENODEV, "no VMBus: %s", err);
	TEST_ASSERT(strstr(err, "no VMBus") != NULL && strstr(err, "modprobe") == NULL &&
		    strstr(err, "uio_hv_generic") == NULL, "says there is no VMBus: %s", err);
	return TEST_SUCCESS;
}

/* modprobe is found on PATH (here a fake one that "loads" the driver in the fake tree). */
static int
test_modprobe_path(void)
{
	struct fcopy_bind_opts o = { .modprobe = true, .wait_ms = 100 };
	char node[PATH_MAX], err[512], bin[PATH_MAX], old_path[4096];
	const char *p = getenv("PATH");
	FILE *f;
	int ret;

	snprintf(old_path, sizeof(old_path), "%s", p != NULL ? p : "/usr/bin:/bin");
	TEST_ASSERT(hvdev_test_root_create(root, sizeof(root)) == 0, "mkdtemp");
	o.root = root;
	TEST_ASSERT(hvdev_test_mkdirs(path(root, "sys/bus/vmbus/devices")) == 0 &&
		    hvdev_test_mkdirs(path(root, "bin")) == 0, "tree");
	f = fopen(path(root, "bin/modprobe"), "w");
	TEST_ASSERT(f != NULL, "modprobe");
	fprintf(f, "#!/bin/sh\nd='%s/sys/bus/vmbus/drivers/uio_hv_generic'\n"
		"mkdir -p \"$d\" && : > \"$d/new_id\"\n", root);
	fclose(f);
	TEST_ASSERT(chmod(path(root, "bin/modprobe"), 0755) == 0, "chmod");
	hvdev_test_fmt(bin, sizeof(bin), "%s/bin:%s", root, old_path);
	setenv("PATH", bin, 1);
	ret = fcopy_bind(&o, node, sizeof(node), err, sizeof(err));
	setenv("PATH", old_path, 1);
	TEST_ASSERT(hvdev_test_exists(path(root, "sys/bus/vmbus/drivers/uio_hv_generic")),
		    "the modprobe on PATH ran: %s", err);
	hvdev_test_root_remove(root);
	/* The driver is there, the device is not: Guest Services off. */
	TEST_ASSERT_EQUAL(ret, -ENODEV, "%s", err);
	TEST_ASSERT(strstr(err, "no fcopy device is offered") != NULL, "%s", err);
	return TEST_SUCCESS;
}

/*
 * A kernel before 6.10 refuses to bind the fcopy device (no monitor page) to uio_hv_generic
 * whatever is written to new_id or bind: the error says the kernel is too old, and does not
 * send the user to new_id. A kernel from 6.10 on is bound as usual.
 */
static int
check_kernel_too_old(void)
{
	char node[PATH_MAX], err[512], buf[128];

	TEST_ASSERT(hvdev_test_mkdirs(path(root, "proc/sys/kernel")) == 0 &&
		    put(path(root, "proc/sys/kernel/osrelease"), "6.8.0-45-generic\n") == 0,
		    "osrelease");
	kernel_refuses = true;
	TEST_ASSERT_EQUAL(do_bind(node, sizeof(node), err, sizeof(err)), -ENOTSUP, "%s", err);
	TEST_ASSERT(strstr(err, "Linux 6.8.0-45-generic is too old") != NULL &&
		    strstr(err, "6.10") != NULL, "says the kernel is too old: %s", err);
	TEST_ASSERT(strstr(err, "new_id") == NULL, "does not suggest new_id: %s", err);
	TEST_ASSERT(!is_bound(), "not bound");
	TEST_ASSERT_EQUAL(get(path(drvdir, "new_id"), buf, sizeof(buf)), 0,
			  "nothing written to new_id: '%s'", buf);
	TEST_ASSERT(put(path(root, "proc/sys/kernel/osrelease"), "6.10.0\n") == 0, "6.10");
	kernel_refuses = false;
	TEST_ASSERT_EQUAL(do_bind(node, sizeof(node), err, sizeof(err)), 0, "6.10 binds: %s",
			  err);
	return TEST_SUCCESS;
}

static int
test_kernel_too_old(void)
{
	int ret;

	TEST_RUN(setup(true, true));
	ret = check_kernel_too_old();
	teardown();
	return ret;
}

/* dpdk-hv-fcopy --bind-only, as the unit's ExecStartPre runs it; its exit status. */
static int
run_cli(void)
{
	const char *bin = getenv("HVDEV_FCOPY_BIN");
	int status;
	pid_t pid;

	if (bin == NULL)
		return -1;
	pid = fork();
	if (pid == 0) {
		setenv("HVDEV_ROOT", root, 1);
		execl(bin, bin, "--bind-only", "--no-modprobe", (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int
check_cli(void)
{
	char buf[128];

	TEST_ASSERT_EQUAL(run_cli(), 0, "first --bind-only binds");
	TEST_ASSERT(is_bound(), "bound");
	TEST_ASSERT(put(path(drvdir, "new_id"), "") == 0, "clear new_id");
	TEST_ASSERT_EQUAL(run_cli(), 0, "second --bind-only succeeds");
	TEST_ASSERT_EQUAL(get(path(drvdir, "new_id"), buf, sizeof(buf)), 0,
			  "and writes nothing");
	return TEST_SUCCESS;
}

static int
test_cli(void)
{
	int ret;

	if (getenv("HVDEV_FCOPY_BIN") == NULL) {
		printf("skipped: HVDEV_FCOPY_BIN does not name dpdk-hv-fcopy\n");
		return TEST_SKIPPED;
	}
	TEST_RUN(setup(true, true));
	ret = check_cli();
	teardown();
	if (ret != TEST_SUCCESS)
		return ret;
	/* No device: exit status 3, which the unit does not restart on. */
	TEST_RUN(setup(false, true));
	ret = run_cli();
	teardown();
	TEST_ASSERT_EQUAL(ret, 3, "no device");
	return TEST_SUCCESS;
}

static const struct hvdev_test_case cases[] = {
	HVDEV_CASE(idempotent, test_idempotent),
	HVDEV_CASE(explicit_bind, test_explicit_bind),
	HVDEV_CASE(kernel_too_old, test_kernel_too_old),
	HVDEV_CASE(no_device, test_no_device),
	HVDEV_CASE(other_driver, test_other_driver),
	HVDEV_CASE(no_module, test_no_module),
	HVDEV_CASE(no_vmbus, test_no_vmbus),
	HVDEV_CASE(modprobe_path, test_modprobe_path),
	HVDEV_CASE(cli, test_cli),
};

int
main(int argc, char **argv)
{
	return hvdev_test_main(argc, argv, cases, RTE_DIM(cases));
}
