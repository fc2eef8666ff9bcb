/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * The strict profile of dpdk-hv-fcopy's delivery (profile = strict): no dot-file or
 * dot-directory, no system directory (by name or through a link), and no replacing a file
 * the service did not create (the user.hvfcopy attribute). In a scratch directory; no device.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include <rte_common.h>

#include <rte_hvdev_fcopy.h>
#include <rte_hvdev_ic.h>

#include "fcopy_deliver.h"
#include "fcopy_policy.h"
#include "fcopy_strict.h"
#include "hvdev_test.h"

#define OVERWRITE RTE_HVDEV_FCOPY_OVERWRITE
#define CREATE RTE_HVDEV_FCOPY_CREATE_PATH
#define S_OK RTE_HVDEV_IC_S_OK
#define DENIED RTE_HVDEV_IC_ACCESS_DENIED

static char top[256];
static struct fcopy_config cfg;
static struct fcopy_deliver dlv;

/* A strict policy with @p root as the only allowed root. */
static int
setup(const char *root)
{
	char err[256];

	TEST_ASSERT(hvdev_test_root_create(top, sizeof(top)) == 0, "mkdtemp");
	TEST_ASSERT_EQUAL(fcopy_config_init(&cfg), 0, "config");
	TEST_ASSERT_EQUAL(fcopy_config_set(&cfg, "allowed_root", root != NULL ? root : top,
					   FCOPY_SRC_CMDLINE, "test", err, sizeof(err)), 0, "%s",
			  err);
	TEST_ASSERT_EQUAL(fcopy_config_set(&cfg, "profile", "strict", FCOPY_SRC_CMDLINE, "test",
					   err, sizeof(err)), 0, "%s", err);
	cfg.policy.fsync = false;
	fcopy_deliver_init(&dlv, &cfg.policy, NULL);
	return TEST_SUCCESS;
}

static void
teardown(void)
{
	fcopy_deliver_abandon(&dlv, "test over");
	fcopy_config_free(&cfg);
	hvdev_test_root_remove(top);
}

/*
 * A whole copy of @p len bytes of 'x' into the directory @p dir (sent with a trailing '/', so
 * a missing one is a directory too); the HRESULT of the first step that failed.
 */
static uint32_t
deliver(const char *dir, const char *name, uint32_t flags, uint32_t len)
{
	static char data[64];
	char path[PATH_MAX];
	uint32_t hr;

	memset(data, 'x', sizeof(data));
	snprintf(path, sizeof(path), "%s/", dir);
	hr = fcopy_deliver_start(&dlv, path, name, flags, len);
	if (hr == S_OK && len > 0)
		hr = fcopy_deliver_write(&dlv, 0, data, len);
	if (hr == S_OK)
		hr = fcopy_deliver_complete(&dlv);
	return hr;
}

static const char *
at(const char *rel)
{
	static char buf[4][PATH_MAX];
	static unsigned int n;
	char *p = buf[n++ % RTE_DIM(buf)];

	hvdev_test_fmt(p, PATH_MAX, "%s/%s", top, rel);
	return p;
}

static off_t
size_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_size : -1;
}

/* .ssh/authorized_keys, .bashrc, a dot-directory deeper down: refused, nothing created. */
static int
check_dot(void)
{
	TEST_ASSERT_EQUAL(deliver(at(".ssh"), "authorized_keys", CREATE, 10), DENIED,
			  "into ~/.ssh: %s", dlv.reason);
	TEST_ASSERT(!hvdev_test_exists(at(".ssh")), ".ssh not created");
	TEST_ASSERT_EQUAL(deliver(top, ".bashrc", 0, 10), DENIED, "a dot-file: %s", dlv.reason);
	TEST_ASSERT(!hvdev_test_exists(at(".bashrc")), ".bashrc not written");
	TEST_ASSERT_EQUAL(deliver(at("a/.config/autostart"), "x.desktop", CREATE, 10), DENIED,
			  "a dot-directory deeper down: %s", dlv.reason);
	TEST_ASSERT(!hvdev_test_exists(at("a")), "no component created");
	TEST_ASSERT(strstr(dlv.reason, "strict profile") != NULL, "why: %s", dlv.reason);
	/* Ordinary names still arrive. */
	TEST_ASSERT_EQUAL(deliver(at("a/b"), "file.txt", CREATE, 10), S_OK, "%s", dlv.reason);
	TEST_ASSERT_EQUAL(size_of(at("a/b/file.txt")), 10, "delivered");
	return TEST_SUCCESS;
}

/* Only a file the service delivered (marked user.hvfcopy) may be replaced. */
static int
check_overwrite(void)
{
	char value[64];
	int fd;

	fd = open(at("mine.txt"), O_WRONLY | O_CREAT | O_EXCL, 0644);
	TEST_ASSERT(fd >= 0 && write(fd, "local", 5) == 5, "a local file");
	close(fd);
	TEST_ASSERT_EQUAL(deliver(top, "mine.txt", OVERWRITE, 20), DENIED, "%s", dlv.reason);
	TEST_ASSERT_EQUAL(size_of(at("mine.txt")), 5, "the local file is intact");
	TEST_ASSERT(strstr(dlv.reason, "did not create") == NULL ||
		    strstr(dlv.reason, "user.hvfcopy") != NULL, "why: %s", dlv.reason);
	/* Delivered by the service: marked, so it may be replaced. */
	TEST_ASSERT_EQUAL(deliver(top, "ours.txt", 0, 10), S_OK, "%s", dlv.reason);
	if (getxattr(at("ours.txt"), "user.hvfcopy", value, sizeof(value)) < 0 &&
	    errno == ENOTSUP)
		return TEST_SKIPPED;	/* no user xattrs on this file system */
	TEST_ASSERT(getxattr(at("ours.txt"), "user.hvfcopy", value, sizeof(value)) > 0,
		    "delivered files carry user.hvfcopy");
	TEST_ASSERT_EQUAL(deliver(top, "ours.txt", OVERWRITE, 30), S_OK, "%s", dlv.reason);
	TEST_ASSERT_EQUAL(size_of(at("ours.txt")), 30, "replaced");
	/* A mark copied onto something else than a regular file does not count. */
	TEST_ASSERT(symlink("ours.txt", at("link.txt")) == 0, "symlink");
	TEST_ASSERT_EQUAL(deliver(top, "link.txt", OVERWRITE, 10), DENIED, "a link: %s",
			  dlv.reason);
	return TEST_SUCCESS;
}

/* The default profile keeps replacing any file on OVER_WRITE, and dot names. */
static int
check_default_unchanged(void)
{
	char err[256], value[64];
	int fd;

	TEST_ASSERT_EQUAL(fcopy_config_set(&cfg, "profile", "default", FCOPY_SRC_CMDLINE, "t",
					   err, sizeof(err)), 0, "%s", err);
	fd = open(at("mine.txt"), O_WRONLY | O_CREAT | O_EXCL, 0644);
	TEST_ASSERT(fd >= 0, "a local file");
	close(fd);
	TEST_ASSERT_EQUAL(deliver(top, "mine.txt", OVERWRITE, 20), S_OK, "%s", dlv.reason);
	TEST_ASSERT_EQUAL(deliver(top, ".hidden", 0, 20), S_OK, "%s", dlv.reason);
	/*
	 * No mark outside the strict profile (a system call per file saved): turned on later,
	 * strict treats the files delivered before as local ones and refuses to replace them.
	 */
	TEST_ASSERT(getxattr(at("mine.txt"), FCOPY_MARK_XATTR, value, sizeof(value)) < 0 &&
		    (errno == ENODATA || errno == ENOTSUP), "no %s without the strict profile",
		    FCOPY_MARK_XATTR);
	TEST_ASSERT_EQUAL(fcopy_config_set(&cfg, "profile", "strict", FCOPY_SRC_CMDLINE, "t",
					   err, sizeof(err)), 0, "%s", err);
	TEST_ASSERT_EQUAL(deliver(top, "mine.txt", OVERWRITE, 30), DENIED,
			  "delivered before strict: %s", dlv.reason);
	TEST_ASSERT_EQUAL(size_of(at("mine.txt")), 20, "kept");
	return TEST_SUCCESS;
}

/*
 * With "/" as the root (links are followed there), a system directory is refused by name and
 * through a link: the real path of the opened directory is checked too. Nothing is created
 * in /etc either way: the check comes before the temporary file.
 */
static int
check_system_dirs(void)
{
	TEST_ASSERT_EQUAL(deliver("/etc", "hvfcopy-strict-test", 0, 1), DENIED, "/etc: %s",
			  dlv.reason);
	TEST_ASSERT_EQUAL(deliver("/etc/cron.d", "hvfcopy-strict-test", 0, 1), DENIED,
			  "/etc/cron.d: %s", dlv.reason);
	TEST_ASSERT_EQUAL(deliver("/var/spool/cron/crontabs", "root", CREATE, 1), DENIED,
			  "cron: %s", dlv.reason);
	TEST_ASSERT_EQUAL(deliver("/usr/lib/systemd/system", "evil.service", 0, 1), DENIED,
			  "systemd: %s", dlv.reason);
	TEST_ASSERT_EQUAL(deliver("/root/.ssh", "authorized_keys", CREATE, 1), DENIED,
			  "/root/.ssh: %s", dlv.reason);
	TEST_ASSERT(symlink("/etc", at("etc-link")) == 0, "symlink");
	TEST_ASSERT_EQUAL(deliver(at("etc-link"), "hvfcopy-strict-test", 0, 1), DENIED,
			  "/etc through a link: %s", dlv.reason);
	TEST_ASSERT(strstr(dlv.reason, "/etc") != NULL, "why: %s", dlv.reason);
	TEST_ASSERT(!hvdev_test_exists("/etc/hvfcopy-strict-test"), "nothing in /etc");
	TEST_ASSERT_EQUAL(deliver(top, "fine.txt", 0, 1), S_OK, "elsewhere: %s", dlv.reason);
	return TEST_SUCCESS;
}

#define STRICT_CASE(name, root) \
static int \
test_ ## name(void) \
{ \
	int ret; \
	TEST_RUN(setup(root)); \
	ret = check_ ## name(); \
	teardown(); \
	return ret; \
}

STRICT_CASE(dot, NULL)
STRICT_CASE(overwrite, NULL)
STRICT_CASE(default_unchanged, NULL)
STRICT_CASE(system_dirs, "/")

static const struct hvdev_test_case cases[] = {
	HVDEV_CASE(dot, test_dot),
	HVDEV_CASE(overwrite, test_overwrite),
	HVDEV_CASE(default_unchanged, test_default_unchanged),
	HVDEV_CASE(system_dirs, test_system_dirs),
};

int
main(int argc, char **argv)
{
	return hvdev_test_main(argc, argv, cases, RTE_DIM(cases));
}
