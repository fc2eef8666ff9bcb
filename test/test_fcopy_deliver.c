/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * dpdk-hv-fcopy's delivery in a scratch directory: atomic publication, the destination
 * policy (allowed roots, traversal, symbolic links, modes), the HRESULTs, and the cleanup of
 * a crashed copy. No device is involved.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/inotify.h>
#include <sys/stat.h>

#include <rte_common.h>

#include <rte_hvdev_fcopy.h>
#include <rte_hvdev_ic.h>

#include "fcopy_deliver.h"
#include "fcopy_hresult.h"
#include "fcopy_path.h"
#include "fcopy_policy.h"
#include "fcopy_resolve.h"
#include "fcopy_state.h"
#include "hvdev_test.h"

#define OVERWRITE RTE_HVDEV_FCOPY_OVERWRITE
#define CREATE RTE_HVDEV_FCOPY_CREATE_PATH
#define S_OK RTE_HVDEV_IC_S_OK

static char top[256];
static char root[PATH_MAX];	/* the allowed root */
static char outside[PATH_MAX];	/* a sibling of the root: never written */
static char statedir[PATH_MAX];
static struct fcopy_config cfg;
static struct fcopy_state state;
static struct fcopy_deliver dlv;
static uint8_t data[100000];

static int
setup(void)
{
	char err[256];

	TEST_ASSERT(hvdev_test_root_create(top, sizeof(top)) == 0, "mkdtemp");
	hvdev_test_fmt(root, sizeof(root), "%s/root", top);
	hvdev_test_fmt(outside, sizeof(outside), "%s/outside", top);
	hvdev_test_fmt(statedir, sizeof(statedir), "%s/state", top);
	TEST_ASSERT(mkdir(root, 0755) == 0 && mkdir(outside, 0755) == 0, "dirs");
	TEST_ASSERT_EQUAL(fcopy_config_init(&cfg), 0, "config");
	TEST_ASSERT_EQUAL(fcopy_config_set(&cfg, "allowed_root", root, FCOPY_SRC_CMDLINE, "test",
					   err, sizeof(err)), 0, "%s", err);
	TEST_ASSERT_EQUAL(fcopy_state_open(&state, statedir, true, err, sizeof(err)), 0, "%s",
			  err);
	fcopy_deliver_init(&dlv, &cfg.policy, &state);
	fcopy_resolve_force_walk(false);
	hvdev_test_fill(data, sizeof(data), 42);
	return TEST_SUCCESS;
}

static void
teardown(void)
{
	fcopy_deliver_fini(&dlv);
	fcopy_state_close(&state);
	fcopy_config_free(&cfg);
	fcopy_resolve_force_walk(false);
	hvdev_test_root_remove(top);
}

#define DELIVER_CASE(name) \
static int \
test_ ## name(void) \
{ \
	int ret; \
	TEST_RUN(setup()); \
	ret = check_ ## name(); \
	teardown(); \
	return ret; \
}

static const char *
at(const char *dir, const char *rel)
{
	static char buf[4][PATH_MAX];
	static unsigned int n;
	char *p = buf[n++ % RTE_DIM(buf)];

	hvdev_test_fmt(p, PATH_MAX, "%s/%s", dir, rel);
	return p;
}

/* Content of @p path equals @p len bytes of @p want. */
static bool
same(const char *path, const void *want, size_t len)
{
	static uint8_t buf[sizeof(data) + 1];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	return n == (ssize_t)len && memcmp(buf, want, len) == 0;
}

static int
write_file(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, buf, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

/* START, WRITE in 6144-byte fragments, COMPLETE; the first failing HRESULT. */
static uint32_t
deliver(const char *dir, const char *name, uint32_t flags, const void *buf, uint64_t len)
{
	const uint8_t *p = buf;
	uint64_t off = 0;
	uint32_t n, hr;

	hr = fcopy_deliver_start(&dlv, dir, name, flags, len);
	while (hr == S_OK && off < len) {
		n = (uint32_t)RTE_MIN(len - off, (uint64_t)RTE_HVDEV_FCOPY_DATA_MAX);
		hr = fcopy_deliver_write(&dlv, off, p + off, n);
		off += n;
	}
	return hr == S_OK ? fcopy_deliver_complete(&dlv) : hr;
}

static int
check_create(void)
{
	static const uint64_t sizes[] = { 0, 1, 6143, 6144, 6145, sizeof(data) };
	struct stat st;
	char name[32];
	unsigned int i;

	/* The policy's mode, not the umask the service started with, decides. */
	fcopy_deliver_fini(&dlv);
	umask(0077);
	fcopy_deliver_init(&dlv, &cfg.policy, &state);
	for (i = 0; i < RTE_DIM(sizes); i++) {
		hvdev_test_fmt(name, sizeof(name), "f%u.bin", i);
		TEST_ASSERT_EQUAL(deliver(root, name, 0, data, sizes[i]), S_OK, "%s", name);
		TEST_ASSERT(same(at(root, name), data, sizes[i]), "%s content", name);
		TEST_ASSERT(stat(at(root, name), &st) == 0 && (st.st_mode & 07777) == 0644,
			    "%s has mode 0644, not executable (0%o)", name, st.st_mode & 07777);
	}
	umask(0022);
	/* A umask that clears none of its bits: the mode comes with the create alone. */
	fcopy_deliver_fini(&dlv);
	fcopy_deliver_init(&dlv, &cfg.policy, &state);
	TEST_ASSERT_EQUAL(deliver(root, "h.bin", 0, data, 10), S_OK, "h.bin");
	TEST_ASSERT(stat(at(root, "h.bin"), &st) == 0 && (st.st_mode & 07777) == 0644,
		    "h.bin has mode 0644 (0%o)", st.st_mode & 07777);
	TEST_ASSERT_EQUAL(hvdev_test_count_named(top, "hvfcopy"), 0, "no temporary file left");
	/* A trailing slash and repeated slashes in the host's path are harmless. */
	TEST_ASSERT_EQUAL(deliver(at(root, "/./"), "g.bin", 0, data, 10), S_OK, "messy path");
	TEST_ASSERT(same(at(root, "g.bin"), data, 10), "content");
	return TEST_SUCCESS;
}
DELIVER_CASE(create)

static int
check_overwrite(void)
{
	const char *target = at(root, "t.bin");

	TEST_ASSERT(write_file(target, "old", 3) == 0, "old file");
	TEST_ASSERT_EQUAL(deliver(root, "t.bin", 0, data, 500), RTE_HVDEV_IC_ALREADY_EXISTS,
			  "exists, no OVER_WRITE");
	TEST_ASSERT(same(target, "old", 3), "the existing file is untouched");
	TEST_ASSERT_EQUAL(deliver(root, "t.bin", OVERWRITE, data, 500), S_OK, "OVER_WRITE");
	TEST_ASSERT(same(target, data, 500), "replaced");
	/* A directory of that name is never replaced. */
	TEST_ASSERT(mkdir(at(root, "d"), 0755) == 0, "mkdir");
	TEST_ASSERT_EQUAL(deliver(root, "d", OVERWRITE, data, 5), RTE_HVDEV_IC_ACCESS_DENIED,
			  "directory in the way");
	TEST_ASSERT_EQUAL(hvdev_test_count_named(top, "hvfcopy"), 0, "no temporary file left");
	return TEST_SUCCESS;
}
DELIVER_CASE(overwrite)

static int
check_appears_meanwhile(void)
{
	const char *target = at(root, "race.bin");

	/* Not there at START, there at COMPLETE: still refused, and the intruder survives. */
	TEST_ASSERT_EQUAL(fcopy_deliver_start(&dlv, root, "race.bin", 0, 100), S_OK, "start");
	TEST_ASSERT_EQUAL(fcopy_deliver_write(&dlv, 0, data, 100), S_OK, "write");
	TEST_ASSERT(write_file(target, "other", 5) == 0, "someone else writes the name");
	TEST_ASSERT_EQUAL(fcopy_deliver_complete(&dlv), RTE_HVDEV_IC_ALREADY_EXISTS,
			  "checked again at the rename");
	TEST_ASSERT(same(target, "other", 5), "the other file is untouched");
	TEST_ASSERT_EQUAL(hvdev_test_count_named(top, "hvfcopy"), 0, "temporary file removed");
	return TEST_SUCCESS;
}
DELIVER_CASE(appears_meanwhile)

static int
check_old_survives(void)
{
	const char *target = at(root, "keep.bin");

	TEST_ASSERT(write_file(target, "precious", 8) == 0, "old file");
	/* Cancelled half-way. */
	TEST_ASSERT_EQUAL(fcopy_deliver_start(&dlv, root, "keep.bin", OVERWRITE, 20000), S_OK,
			  "start");
	TEST_ASSERT_EQUAL(fcopy_deliver_write(&dlv, 0, data, 6144), S_OK, "write");
	TEST_ASSERT(same(target, "precious", 8), "intact during the copy");
	fcopy_deliver_abandon(&dlv, "cancel");
	TEST_ASSERT(same(target, "precious", 8), "intact after a cancel");
	/* Short: COMPLETE after fewer bytes than announced. */
	TEST_ASSERT_EQUAL(fcopy_deliver_start(&dlv, root, "keep.bin", OVERWRITE, 20000), S_OK,
			  "start");
	TEST_ASSERT_EQUAL(fcopy_deliver_write(&dlv, 0, data, 6144), S_OK, "write");
	TEST_ASSERT_EQUAL(fcopy_deliver_complete(&dlv), RTE_HVDEV_IC_E_FAIL, "short copy");
	TEST_ASSERT(same(target, "precious", 8), "intact after a short copy");
	TEST_ASSERT_EQUAL(hvdev_test_count_named(top, "hvfcopy"), 0, "temporary files removed");
	return TEST_SUCCESS;
}
DELIVER_CASE(old_survives)

static int
check_short_copy(void)
{
	TEST_ASSERT_EQUAL(fcopy_deliver_start(&dlv, root, "short.bin", 0, 9000), S_OK, "start");
	TEST_ASSERT_EQUAL(fcopy_deliver_write(&dlv, 0, data, 5000), S_OK, "write");
	TEST_ASSERT_EQUAL(fcopy_deliver_complete(&dlv), RTE_HVDEV_IC_E_FAIL, "5000 of 9000");
	TEST_ASSERT(!hvdev_test_exists(at(root, "short.bin")), "nothing under the final name");
	/* More than announced is as wrong as less, and refused at the WRITE. */
	TEST_ASSERT_EQUAL(fcopy_deliver_start(&dlv, root, "long.bin", 0, 100), S_OK, "start");
	TEST_ASSERT_EQUAL(fcopy_deliver_write(&dlv, 0, data, 200), RTE_HVDEV_IC_INVALIDARG,
			  "200 of 100");
	TEST_ASSERT(!dlv.active, "the copy ended");
	TEST_ASSERT(!hvdev_test_exists(at(root, "long.bin")), "nothing under the final name");
	TEST_ASSERT_EQUAL(hvdev_test_count_named(top, "hvfcopy"), 0, "temporary files removed");
	/* After a failed copy, WRITE and COMPLETE have nothing to act on. */
	TEST_ASSERT_EQUAL(fcopy_deliver_write(&dlv, 0, data, 10), RTE_HVDEV_IC_E_FAIL, "write");
	TEST_ASSERT_EQUAL(fcopy_deliver_complete(&dlv), RTE_HVDEV_IC_E_FAIL, "complete");
	return TEST_SUCCESS;
}
DELIVER_CASE(short_copy)

static int
check_out_of_order(void)
{
	/* Offsets are absolute: fragments may come in any order. */
	TEST_ASSERT_EQUAL(fcopy_deliver_start(&dlv, root, "ooo.bin", 0, 10000), S_OK, "start");
	TEST_ASSERT_EQUAL(fcopy_deliver_write(&dlv, 6144, data + 6144, 10000 - 6144), S_OK,
			  "second half");
	TEST_ASSERT_EQUAL(fcopy_deliver_write(&dlv, 0, data, 6144), S_OK, "first half");
	TEST_ASSERT_EQUAL(fcopy_deliver_complete(&dlv), S_OK, "complete");
	TEST_ASSERT(same(at(root, "ooo.bin"), data, 10000), "content");
	return TEST_SUCCESS;
}
DELIVER_CASE(out_of_order)

/*
 * WRITE lies inside [0, file_size): one WRITE at 2^40 into a file announced as 1 byte, or
 * 1.2 MB into it, is refused at once, and no byte of it reaches the disk.
 */
static int
check_write_bounds(void)
{
	uint32_t i;

	TEST_ASSERT_EQUAL(fcopy_deliver_start(&dlv, root, "one.bin", 0, 1), S_OK, "start");
	TEST_ASSERT_EQUAL(fcopy_deliver_write(&dlv, 1ull << 40, data, 10),
			  RTE_HVDEV_IC_INVALIDARG, "a WRITE at 1 TiB");
	TEST_ASSERT(!dlv.active, "the copy ended");
	TEST_ASSERT_EQUAL(hvdev_test_count_named(top, "hvfcopy"), 0, "temporary file removed");
	TEST_ASSERT_EQUAL(fcopy_deliver_start(&dlv, root, "one.bin", 0, 1), S_OK, "start");
	TEST_ASSERT_EQUAL(fcopy_deliver_write(&dlv, 0, data, 1), S_OK, "the one byte");
	for (i = 0; i < 200 && dlv.active; i++)
		fcopy_deliver_write(&dlv, 1 + (uint64_t)i * 6144, data, 6144);
	TEST_ASSERT_EQUAL(i, 1, "the first byte past the announced size ends the copy");
	TEST_ASSERT(!hvdev_test_exists(at(root, "one.bin")), "nothing under the final name");
	/* Exactly up to the end is fine; one byte more, or an offset past it, is not. */
	TEST_ASSERT_EQUAL(fcopy_deliver_start(&dlv, root, "edge.bin", 0, 100), S_OK, "start");
	TEST_ASSERT_EQUAL(fcopy_deliver_write(&dlv, 90, data + 90, 10), S_OK, "[90, 100)");
	TEST_ASSERT_EQUAL(fcopy_deliver_write(&dlv, 100, data, 0), S_OK, "nothing at the end");
	TEST_ASSERT_EQUAL(fcopy_deliver_write(&dlv, 91, data, 10), RTE_HVDEV_IC_INVALIDARG,
			  "[91, 101)");
	TEST_ASSERT_EQUAL(fcopy_deliver_start(&dlv, root, "edge.bin", 0, 100), S_OK, "start");
	TEST_ASSERT_EQUAL(fcopy_deliver_write(&dlv, 101, data, 0), RTE_HVDEV_IC_INVALIDARG,
			  "an empty WRITE past the end");
	/* offset + size wraps 64 bits: still refused. */
	TEST_ASSERT_EQUAL(fcopy_deliver_start(&dlv, root, "edge.bin", 0, 100), S_OK, "start");
	TEST_ASSERT_EQUAL(fcopy_deliver_write(&dlv, UINT64_MAX - 3, data, 10),
			  RTE_HVDEV_IC_INVALIDARG, "wrapping offset");
	TEST_ASSERT_EQUAL(hvdev_test_count_named(top, "hvfcopy"), 0, "temporary files removed");
	TEST_ASSERT(!hvdev_test_exists(at(root, "edge.bin")), "nothing under the final name");
	return TEST_SUCCESS;
}
DELIVER_CASE(write_bounds)

/*
 * COMPLETE publishes only when every byte of [0, file_size) was written: bytes written twice
 * count once, and an empty WRITE at the end does not stand for the bytes before it.
 */
static int
check_coverage(void)
{
	/* The second half twice: as many bytes as announced, and the first half missing. */
	TEST_ASSERT_EQUAL(fcopy_deliver_start(&dlv, root, "twice.bin", 0, 10000), S_OK, "start");
	TEST_ASSERT_EQUAL(fcopy_deliver_write(&dlv, 3856, data + 3856, 6144), S_OK, "2nd half");
	TEST_ASSERT_EQUAL(fcopy_deliver_write(&dlv, 3856, data + 3856, 6144), S_OK, "again");
	TEST_ASSERT_EQUAL(fcopy_deliver_complete(&dlv), RTE_HVDEV_IC_E_FAIL,
			  "[0, 3856) never written");
	TEST_ASSERT(!hvdev_test_exists(at(root, "twice.bin")), "nothing under the final name");
	/* The first 6144 twice, then an empty WRITE at the announced end. */
	TEST_ASSERT_EQUAL(fcopy_deliver_start(&dlv, root, "end.bin", 0, 10000), S_OK, "start");
	TEST_ASSERT_EQUAL(fcopy_deliver_write(&dlv, 0, data, 6144), S_OK, "1st part");
	TEST_ASSERT_EQUAL(fcopy_deliver_write(&dlv, 0, data, 6144), S_OK, "again");
	TEST_ASSERT_EQUAL(fcopy_deliver_write(&dlv, 10000, data, 0), S_OK, "empty at the end");
	TEST_ASSERT_EQUAL(fcopy_deliver_complete(&dlv), RTE_HVDEV_IC_E_FAIL,
			  "[6144, 10000) never written");
	TEST_ASSERT(!hvdev_test_exists(at(root, "end.bin")), "nothing under the final name");
	/* Overlapping and out of order, every byte covered: delivered. */
	TEST_ASSERT_EQUAL(fcopy_deliver_start(&dlv, root, "mixed.bin", 0, 10000), S_OK, "start");
	TEST_ASSERT_EQUAL(fcopy_deliver_write(&dlv, 8000, data + 8000, 2000), S_OK, "tail");
	TEST_ASSERT_EQUAL(fcopy_deliver_write(&dlv, 3000, data + 3000, 2000), S_OK, "middle");
	TEST_ASSERT_EQUAL(fcopy_deliver_write(&dlv, 4000, data + 4000, 4500), S_OK, "joins");
	TEST_ASSERT_EQUAL(dlv.cover.n, 1, "one range apart from the prefix");
	TEST_ASSERT_EQUAL(fcopy_deliver_write(&dlv, 0, data, 3500), S_OK, "head");
	TEST_ASSERT(dlv.cover.n == 0 && dlv.cover.prefix == 10000, "all merged into the prefix");
	TEST_ASSERT_EQUAL(fcopy_deliver_complete(&dlv), S_OK, "complete");
	TEST_ASSERT(same(at(root, "mixed.bin"), data, 10000), "content");
	/* An empty file needs no WRITE at all. */
	TEST_ASSERT_EQUAL(fcopy_deliver_start(&dlv, root, "empty.bin", 0, 0), S_OK, "start");
	TEST_ASSERT_EQUAL(fcopy_deliver_complete(&dlv), S_OK, "complete");
	TEST_ASSERT(same(at(root, "empty.bin"), data, 0), "empty");
	return TEST_SUCCESS;
}
DELIVER_CASE(coverage)

/*
 * The out-of-order ranges are bounded: FCOPY_COVER_MAX holes are kept, one more is refused
 * with INVALIDARG; filling the holes merges everything back into the prefix.
 */
static int
check_coverage_bound(void)
{
	const uint64_t size = 2 * 10 * (FCOPY_COVER_MAX + 2);
	uint32_t i;

	TEST_ASSERT_EQUAL(fcopy_deliver_start(&dlv, root, "holes.bin", 0, size), S_OK, "start");
	for (i = 0; i < FCOPY_COVER_MAX; i++)
		TEST_ASSERT_EQUAL(fcopy_deliver_write(&dlv, 20 * i + 10, data, 10), S_OK,
				  "range %u", i);
	TEST_ASSERT_EQUAL(dlv.cover.n, FCOPY_COVER_MAX, "every range kept");
	/* Writes that touch an existing range cost nothing. */
	TEST_ASSERT_EQUAL(fcopy_deliver_write(&dlv, 25, data, 10), S_OK, "overlap");
	TEST_ASSERT_EQUAL(fcopy_deliver_write(&dlv, 40, data, 5), S_OK, "adjacent");
	TEST_ASSERT_EQUAL(dlv.cover.n, FCOPY_COVER_MAX, "still as many");
	for (i = 0; i < FCOPY_COVER_MAX; i++)
		TEST_ASSERT_EQUAL(fcopy_deliver_write(&dlv, 20 * i, data, 10), S_OK, "hole %u", i);
	TEST_ASSERT(dlv.cover.n == 0 && dlv.cover.prefix == 20 * FCOPY_COVER_MAX,
		    "holes filled: one prefix (%" PRIu64 ")", dlv.cover.prefix);
	TEST_ASSERT_EQUAL(fcopy_deliver_write(&dlv, 20 * FCOPY_COVER_MAX, data,
					      (uint32_t)(size - 20 * FCOPY_COVER_MAX)), S_OK,
			  "the rest");
	TEST_ASSERT_EQUAL(fcopy_deliver_complete(&dlv), S_OK, "complete");
	/* One range more than the bound: refused, the copy ends. */
	TEST_ASSERT_EQUAL(fcopy_deliver_start(&dlv, root, "many.bin", 0, size), S_OK, "start");
	for (i = 0; i < FCOPY_COVER_MAX; i++)
		TEST_ASSERT_EQUAL(fcopy_deliver_write(&dlv, 20 * i + 10, data, 10), S_OK,
				  "range %u", i);
	TEST_ASSERT_EQUAL(fcopy_deliver_write(&dlv, 20 * i + 10, data, 10),
			  RTE_HVDEV_IC_INVALIDARG, "range %u is one too many", i);
	TEST_ASSERT(!dlv.active, "the copy ended");
	TEST_ASSERT_EQUAL(hvdev_test_count_named(top, "hvfcopy"), 0, "temporary file removed");
	return TEST_SUCCESS;
}
DELIVER_CASE(coverage_bound)

/*
 * fcopy_cover_add() against a byte map, over random WRITE ranges: the prefix is the first byte
 * never written, and the ranges kept are exactly the runs of written bytes after it.
 */
static int
test_cover_model(void)
{
	static uint8_t map[600];
	struct fcopy_cover c;
	uint64_t start, end, i, prefix;
	unsigned int trial, k, n;

	srand(11);
	for (trial = 0; trial < 2000; trial++) {
		memset(&c, 0, sizeof(c));
		memset(map, 0, sizeof(map));
		for (k = 0; k < 40; k++) {
			start = (uint64_t)rand() % (sizeof(map) - 1);
			end = start + 1 + (uint64_t)rand() % RTE_MIN(sizeof(map) - start, 40ul);
			TEST_ASSERT_EQUAL(fcopy_cover_add(&c, start, end), 0, "add");
			memset(map + start, 1, end - start);
			for (prefix = 0; prefix < sizeof(map) && map[prefix]; prefix++)
				;
			TEST_ASSERT_EQUAL(c.prefix, prefix, "trial %u: prefix", trial);
			TEST_ASSERT(fcopy_cover_full(&c, prefix) &&
				    (prefix == sizeof(map) || !fcopy_cover_full(&c, prefix + 1)),
				    "trial %u: full", trial);
			for (n = 0, i = prefix; i < sizeof(map); n++) {
				while (i < sizeof(map) && !map[i])
					i++;
				if (i == sizeof(map))
					break;
				TEST_ASSERT(n < c.n && c.r[n].start == i, "trial %u: range %u "
					    "starts at %" PRIu64, trial, n, i);
				while (i < sizeof(map) && map[i])
					i++;
				TEST_ASSERT_EQUAL(c.r[n].end, i, "trial %u: range %u end", trial,
						  n);
			}
			TEST_ASSERT_EQUAL(c.n, n, "trial %u: as many ranges as runs", trial);
		}
	}
	return TEST_SUCCESS;
}

static int
check_cancel(void)
{
	/* The named temporary file (the fallback): the one a cancel must remove. */
	dlv.force_named = true;
	TEST_ASSERT_EQUAL(fcopy_deliver_start(&dlv, root, "c.bin", 0, 50000), S_OK, "start");
	TEST_ASSERT_EQUAL(fcopy_deliver_write(&dlv, 0, data, 6144), S_OK, "write");
	TEST_ASSERT_EQUAL(hvdev_test_count_named(root, "hvfcopy"), 1,
			  "one temporary file during the copy");
	fcopy_deliver_abandon(&dlv, "cancelled by the test");
	TEST_ASSERT(!hvdev_test_exists(at(root, "c.bin")), "nothing under the final name");
	TEST_ASSERT_EQUAL(hvdev_test_count_named(top, "hvfcopy"), 0, "temporary file removed");
	/* A new START abandons the copy in progress the same way. */
	TEST_ASSERT_EQUAL(fcopy_deliver_start(&dlv, root, "c1.bin", 0, 50000), S_OK, "start");
	TEST_ASSERT_EQUAL(deliver(root, "c2.bin", 0, data, 10), S_OK, "second copy");
	TEST_ASSERT(!hvdev_test_exists(at(root, "c1.bin")), "the abandoned copy left nothing");
	TEST_ASSERT_EQUAL(hvdev_test_count_named(top, "hvfcopy"), 0, "its temporary file is gone");
	return TEST_SUCCESS;
}
DELIVER_CASE(cancel)

static int
check_create_path(void)
{
	char dir[PATH_MAX];
	struct stat st;

	hvdev_test_fmt(dir, sizeof(dir), "%s/a/b/c/", root);
	TEST_ASSERT_EQUAL(deliver(dir, "deep.bin", 0, data, 10), RTE_HVDEV_IC_PATH_NOT_FOUND,
			  "missing directory without CREATE_PATH");
	TEST_ASSERT(!hvdev_test_exists(at(root, "a")), "nothing created");
	umask(0077);
	TEST_ASSERT_EQUAL(deliver(dir, "deep.bin", CREATE, data, 10), S_OK, "CREATE_PATH");
	umask(0022);
	TEST_ASSERT(same(at(dir, "deep.bin"), data, 10), "content");
	TEST_ASSERT(stat(at(root, "a/b"), &st) == 0 && (st.st_mode & 07777) == 0755,
			 "created directories get dir_mode (0%o)", st.st_mode & 07777);
	/* The last component of the path is created too (hv_fcopy_uio_daemon does not). */
	TEST_ASSERT_EQUAL(deliver(at(root, "x/"), "y.bin", CREATE, data, 1), S_OK, "one level");
	TEST_ASSERT(same(at(root, "x/y.bin"), data, 1), "content");
	/* A file in the way of the path is not a directory. */
	TEST_ASSERT(write_file(at(root, "file"), "x", 1) == 0, "file");
	TEST_ASSERT_EQUAL(deliver(at(root, "file/sub"), "z.bin", CREATE, data, 1),
			  RTE_HVDEV_IC_PATH_NOT_FOUND, "ENOTDIR");
	return TEST_SUCCESS;
}
DELIVER_CASE(create_path)

/*
 * A START refused after CREATE_PATH made directories takes back exactly those: here the
 * announced size cannot fit, so START fails after the walk.
 */
static int
check_create_path_refused(void)
{
	char dir[PATH_MAX];

	TEST_ASSERT(mkdir(at(root, "keep"), 0755) == 0, "an existing directory");
	hvdev_test_fmt(dir, sizeof(dir), "%s/keep/n1/n2/n3/", root);
	TEST_ASSERT_EQUAL(fcopy_deliver_start(&dlv, dir, "huge.bin", CREATE, 1ull << 62),
			  RTE_HVDEV_IC_DISK_FULL, "refused after the directories were made");
	TEST_ASSERT(!hvdev_test_exists(at(root, "keep/n1")),
		    "the three directories the START created are gone");
	TEST_ASSERT(hvdev_test_exists(at(root, "keep")), "the existing one stays");
	/* Refused at the target: a directory in the way of the file name. */
	TEST_ASSERT(mkdir(at(root, "keep/d"), 0755) == 0 && mkdir(at(root, "keep/d/x"), 0755) == 0,
		    "mkdir");
	hvdev_test_fmt(dir, sizeof(dir), "%s/keep/d/new/", root);
	TEST_ASSERT(mkdir(at(root, "keep/d/new"), 0755) == 0, "mkdir");
	TEST_ASSERT(mkdir(at(root, "keep/d/new/x"), 0755) == 0, "mkdir");
	TEST_ASSERT_EQUAL(deliver(dir, "x", CREATE | OVERWRITE, data, 1),
			  RTE_HVDEV_IC_ACCESS_DENIED, "a directory where the file goes");
	TEST_ASSERT(hvdev_test_exists(at(root, "keep/d/new/x")),
		    "directories the START did not create are never removed");
	TEST_ASSERT_EQUAL(hvdev_test_count_named(top, "hvfcopy"), 0, "no temporary file left");
	return TEST_SUCCESS;
}
DELIVER_CASE(create_path_refused)

/*
 * A copy that fails later (CANCEL, a short COMPLETE) removes the directories its START made
 * too, but never one that another process put something into, nor anything above it.
 */
static int
check_create_path_failed(void)
{
	char dir[PATH_MAX];

	hvdev_test_fmt(dir, sizeof(dir), "%s/c1/c2/", root);
	TEST_ASSERT_EQUAL(fcopy_deliver_start(&dlv, dir, "f.bin", CREATE, 20000), S_OK, "start");
	TEST_ASSERT_EQUAL(fcopy_deliver_write(&dlv, 0, data, 6144), S_OK, "write");
	fcopy_deliver_abandon(&dlv, "cancelled by the test");
	TEST_ASSERT(!hvdev_test_exists(at(root, "c1")), "CANCEL: created directories removed");
	TEST_ASSERT_EQUAL(fcopy_deliver_start(&dlv, dir, "f.bin", CREATE, 20000), S_OK, "start");
	TEST_ASSERT_EQUAL(fcopy_deliver_write(&dlv, 0, data, 6144), S_OK, "write");
	TEST_ASSERT_EQUAL(fcopy_deliver_complete(&dlv), RTE_HVDEV_IC_E_FAIL, "short copy");
	TEST_ASSERT(!hvdev_test_exists(at(root, "c1")), "failed COMPLETE: removed");
	/* Someone else writes into c1 during the copy: c2 goes, c1 and their file stay. */
	TEST_ASSERT_EQUAL(fcopy_deliver_start(&dlv, dir, "f.bin", CREATE, 20000), S_OK, "start");
	TEST_ASSERT(write_file(at(root, "c1/theirs"), "x", 1) == 0, "another process's file");
	fcopy_deliver_abandon(&dlv, "cancelled by the test");
	TEST_ASSERT(!hvdev_test_exists(at(root, "c1/c2")), "the empty one is removed");
	TEST_ASSERT(same(at(root, "c1/theirs"), "x", 1), "the one written into stays, intact");
	/* A created directory moved away meanwhile is no longer ours to remove. */
	TEST_ASSERT_EQUAL(fcopy_deliver_start(&dlv, dir, "f.bin", CREATE, 20000), S_OK, "start");
	TEST_ASSERT(rename(at(root, "c1/c2"), at(root, "moved")) == 0 &&
		    mkdir(at(root, "c1/c2"), 0755) == 0, "swap c2 for another directory");
	fcopy_deliver_abandon(&dlv, "cancelled by the test");
	TEST_ASSERT(hvdev_test_exists(at(root, "c1/c2")), "the stranger in its place stays");
	/* A successful copy keeps them. */
	TEST_ASSERT_EQUAL(deliver(at(root, "k1/k2/"), "ok.bin", CREATE, data, 10), S_OK, "copy");
	TEST_ASSERT(same(at(root, "k1/k2/ok.bin"), data, 10), "content");
	TEST_ASSERT_EQUAL(hvdev_test_count_named(top, "hvfcopy"), 0, "no temporary file left");
	return TEST_SUCCESS;
}
DELIVER_CASE(create_path_failed)

/*
 * The swapper: as soon as a directory "new*" appears in drop/, exchange it with drop/<target>
 * (the relative link lnk -> ../victim, or the directory vdir), the way a local user who can
 * write drop/ would.
 */
struct swapper {
	int dropfd;
	int ifd;
	const char *target;
	atomic_uint seen;
	atomic_uint swapped;
	atomic_bool stop;
};

static void *
swapper_run(void *arg)
{
	struct swapper *sw = arg;
	char buf[4096] __rte_aligned(8);
	const struct inotify_event *ev;
	ssize_t n, off;

	while (!atomic_load(&sw->stop)) {
		n = read(sw->ifd, buf, sizeof(buf));
		for (off = 0; n > 0 && off < n; off += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)(buf + off);
			if (!(ev->mask & IN_ISDIR) || ev->len == 0 || strncmp(ev->name, "new", 3))
				continue;
			if (renameat2(sw->dropfd, ev->name, sw->dropfd, sw->target,
				      RENAME_EXCHANGE) == 0)
				atomic_fetch_add(&sw->swapped, 1);
			atomic_fetch_add(&sw->seen, 1);
		}
	}
	return NULL;
}

/*
 * After a round: check the victim (mode, owner, content), then put drop/ back as it was.
 * @p vino is the inode of the victim directory vdir, 0 for the link.
 */
static int
swap_round_check(const char *drop, const char *target, ino_t vino, const char *newname,
		 const char *how)
{
	char tgt[PATH_MAX], nw[PATH_MAX], victim[PATH_MAX];
	struct stat st;
	bool swapped;

	hvdev_test_fmt(tgt, sizeof(tgt), "%s/%s", drop, target);
	hvdev_test_fmt(nw, sizeof(nw), "%s/%s", drop, newname);
	swapped = lstat(tgt, &st) == 0 && S_ISDIR(st.st_mode) && st.st_ino != vino;
	if (vino == 0)
		hvdev_test_fmt(victim, sizeof(victim), "%s/../victim", drop);
	else
		snprintf(victim, sizeof(victim), "%s", swapped ? nw : tgt);
	TEST_ASSERT(stat(victim, &st) == 0 && (st.st_mode & 07777) == 0700 &&
		    st.st_uid == geteuid(),
		    "%s: the victim keeps mode 0700 and its owner (0%o, uid %u)", how,
		    st.st_mode & 07777, st.st_uid);
	TEST_ASSERT(!hvdev_test_exists(at(victim, "f.bin")) &&
		    hvdev_test_exists(at(victim, "secret")),
		    "%s: nothing written in the victim", how);
	/* Ours is wherever the victim is not: empty it, remove it, restore the name. */
	unlink(at(swapped ? tgt : nw, "f.bin"));
	TEST_ASSERT(rmdir(swapped ? tgt : nw) == 0 || !hvdev_test_exists(swapped ? tgt : nw),
		    "%s: remove the new directory", how);
	if (swapped)
		TEST_ASSERT(rename(nw, tgt) == 0, "%s: restore %s", how, target);
	return TEST_SUCCESS;
}

#define SWAP_ROUNDS 200

static int
swap_race(bool walk, const char *target, unsigned int *hits)
{
	char drop[PATH_MAX], dir[PATH_MAX], name[32], how[96];
	struct swapper sw = { .dropfd = -1, .target = target };
	unsigned int i, handled;
	pthread_t thr;
	struct stat st;
	uint64_t t0;
	uint32_t hr;
	ino_t vino = 0;

	fcopy_resolve_force_walk(walk);
	hvdev_test_fmt(drop, sizeof(drop), "%s/drop", root);
	if (lstat(at(drop, target), &st) == 0 && S_ISDIR(st.st_mode))
		vino = st.st_ino;
	sw.dropfd = open(drop, O_RDONLY | O_DIRECTORY);
	sw.ifd = inotify_init1(IN_CLOEXEC);
	TEST_ASSERT(sw.dropfd >= 0 && sw.ifd >= 0, "descriptors");
	TEST_ASSERT(inotify_add_watch(sw.ifd, drop, IN_CREATE | IN_ONLYDIR) >= 0, "watch");
	TEST_ASSERT_EQUAL(pthread_create(&thr, NULL, swapper_run, &sw), 0, "swapper");
	for (i = 0; i < SWAP_ROUNDS; i++) {
		snprintf(name, sizeof(name), "new%u", i);
		snprintf(how, sizeof(how), "round %u (%s, %s)", i, walk ? "walk" : "openat2",
			 target);
		hvdev_test_fmt(dir, sizeof(dir), "%s/%s/", drop, name);
		hr = deliver(dir, "f.bin", CREATE, data, 10);
		/* Wait for the swapper to act on this round before looking. */
		t0 = hvdev_test_now_us();
		do {
			handled = atomic_load(&sw.seen);
		} while (handled < i + 1 && hvdev_test_now_us() - t0 < 2000000);
		TEST_ASSERT(handled == i + 1, "the swapper saw round %u", i);
		TEST_ASSERT(hr == S_OK || hr == RTE_HVDEV_IC_ACCESS_DENIED, "%s: 0x%08x", how, hr);
		TEST_RUN(swap_round_check(drop, target, vino, name, how));
	}
	atomic_store(&sw.stop, true);
	mkdirat(sw.dropfd, "stop", 0700);	/* wakes the reader */
	pthread_join(thr, NULL);
	*hits = atomic_load(&sw.swapped);
	close(sw.ifd);
	close(sw.dropfd);
	TEST_ASSERT_EQUAL(hvdev_test_count_named(top, "hvfcopy"), 0, "no temporary file left");
	rmdir(at(drop, "stop"));
	return TEST_SUCCESS;
}

/*
 * CREATE_PATH against a concurrent swapper: the new directory exchanged for a link into a
 * victim beneath the root (which RESOLVE_BENEATH follows), or for another directory, must
 * never hand the victim the directory mode or owner, nor receive the copy.
 */
static int
check_create_race(void)
{
	unsigned int hits[4] = { 0 };
	char err[256];

	cfg.policy.fsync = false;
	TEST_ASSERT_EQUAL(fcopy_config_set(&cfg, "dir_mode", "0751", FCOPY_SRC_CMDLINE,
					   "--dir-mode", err, sizeof(err)), 0, "%s", err);
	/* As root, the owner a drop directory would be handed to. */
	if (geteuid() == 0)
		TEST_ASSERT_EQUAL(fcopy_config_set(&cfg, "owner", "4242", FCOPY_SRC_CMDLINE,
						   "--owner", err, sizeof(err)), 0, "%s", err);
	TEST_ASSERT(mkdir(at(root, "victim"), 0700) == 0 && chmod(at(root, "victim"), 0700) == 0,
		    "victim");
	TEST_ASSERT(write_file(at(root, "victim/secret"), "s", 1) == 0, "victim's file");
	TEST_ASSERT(mkdir(at(root, "drop"), 0777) == 0, "drop");
	TEST_ASSERT(symlink("../victim", at(root, "drop/lnk")) == 0, "the link");
	TEST_ASSERT(mkdir(at(root, "drop/vdir"), 0700) == 0 &&
		    chmod(at(root, "drop/vdir"), 0700) == 0, "a directory to swap in");
	TEST_ASSERT(write_file(at(root, "drop/vdir/secret"), "s", 1) == 0, "its file");
	TEST_RUN(swap_race(false, "lnk", &hits[0]));
	TEST_RUN(swap_race(true, "lnk", &hits[1]));
	TEST_RUN(swap_race(false, "vdir", &hits[2]));
	TEST_RUN(swap_race(true, "vdir", &hits[3]));
	printf("%u rounds each, exchanges: link %u (openat2) %u (walk), directory %u (openat2) "
	       "%u (walk)\n", SWAP_ROUNDS, hits[0], hits[1], hits[2], hits[3]);
	return TEST_SUCCESS;
}
DELIVER_CASE(create_race)

/*
 * Hyper-V's destination rule: path_name ending in '/' or naming an existing directory gets
 * file_name appended; otherwise path_name is the file and file_name is only logged.
 */
static int
check_dest_rule(void)
{
	char err[256];

	TEST_ASSERT(mkdir(at(root, "dir"), 0755) == 0, "mkdir");
	/* An existing directory, with or without '/'; the root itself. */
	TEST_ASSERT_EQUAL(deliver(at(root, "dir"), "a.bin", 0, data, 10), S_OK, "dir");
	TEST_ASSERT(same(at(root, "dir/a.bin"), data, 10), "dir/a.bin");
	TEST_ASSERT_EQUAL(deliver(at(root, "dir/"), "b.bin", 0, data, 11), S_OK, "dir/");
	TEST_ASSERT(same(at(root, "dir/b.bin"), data, 11), "dir/b.bin");
	TEST_ASSERT_EQUAL(deliver(root, "c.bin", 0, data, 12), S_OK, "the root");
	TEST_ASSERT(same(at(root, "c.bin"), data, 12), "c.bin in the root");
	/* Not a directory: the file itself, the host's name unused (even an invalid one). */
	TEST_ASSERT_EQUAL(deliver(at(root, "dir/new.iso"), "a.bin", 0, data, 13), S_OK, "file");
	TEST_ASSERT(same(at(root, "dir/new.iso"), data, 13), "dir/new.iso is the file");
	TEST_ASSERT_EQUAL(deliver(at(root, "dir/odd.iso"), "..", 0, data, 14), S_OK, "file");
	TEST_ASSERT(same(at(root, "dir/odd.iso"), data, 14), "file_name not used");
	TEST_ASSERT_EQUAL(deliver(at(root, "dir/new.iso"), "a.bin", 0, data, 15),
			  RTE_HVDEV_IC_ALREADY_EXISTS, "an existing file without OVER_WRITE");
	TEST_ASSERT_EQUAL(deliver(at(root, "dir/new.iso"), "a.bin", OVERWRITE, data, 16), S_OK,
			  "an existing file is replaced with OVER_WRITE");
	TEST_ASSERT(same(at(root, "dir/new.iso"), data, 16), "replaced");
	/* But a file name is checked where it is used. */
	TEST_ASSERT_EQUAL(deliver(at(root, "dir"), "..", 0, data, 1), RTE_HVDEV_IC_INVALIDARG,
			  "'..' appended to a directory");
	/* A '/'-terminated path naming a file is not a directory. */
	TEST_ASSERT_EQUAL(deliver(at(root, "dir/new.iso/"), "a.bin", CREATE | OVERWRITE, data,
				  1), RTE_HVDEV_IC_PATH_NOT_FOUND, "file/ is not a directory");
	TEST_ASSERT(same(at(root, "dir/new.iso"), data, 16), "the file is intact");
	/* A missing parent: PATH_NOT_FOUND, or made with CREATE_PATH; the last is the file. */
	TEST_ASSERT_EQUAL(deliver(at(root, "p/q/f.iso"), "a.bin", 0, data, 1),
			  RTE_HVDEV_IC_PATH_NOT_FOUND, "missing parent");
	TEST_ASSERT(!hvdev_test_exists(at(root, "p")), "nothing made");
	TEST_ASSERT_EQUAL(deliver(at(root, "p/q/f.iso"), "a.bin", CREATE, data, 17), S_OK, "made");
	TEST_ASSERT(same(at(root, "p/q/f.iso"), data, 17), "p/q/f.iso is the file");
	/* Outside the roots: "/" itself, a sibling. */
	TEST_ASSERT_EQUAL(deliver("/", "a.bin", 0, data, 1), RTE_HVDEV_IC_ACCESS_DENIED, "/");
	TEST_ASSERT_EQUAL(deliver(outside, "a.bin", 0, data, 1), RTE_HVDEV_IC_ACCESS_DENIED,
			  "outside");
	/* A link leading out is refused, not replaced as if it were the file. */
	TEST_ASSERT(symlink("../outside", at(root, "out")) == 0, "link");
	TEST_ASSERT_EQUAL(deliver(at(root, "out"), "a.bin", OVERWRITE, data, 1),
			  RTE_HVDEV_IC_ACCESS_DENIED, "link out");
	TEST_ASSERT(!hvdev_test_exists(at(outside, "a.bin")), "nothing outside");
	/* destination = directory: path_name is always the directory (the Linux daemon). */
	TEST_ASSERT_EQUAL(fcopy_config_set(&cfg, "destination", "directory", FCOPY_SRC_CMDLINE,
					   "--destination", err, sizeof(err)), 0, "%s", err);
	TEST_ASSERT_EQUAL(deliver(at(root, "l.iso"), "a.bin", 0, data, 1),
			  RTE_HVDEV_IC_PATH_NOT_FOUND, "legacy: a missing directory");
	TEST_ASSERT_EQUAL(deliver(at(root, "l.iso"), "a.bin", CREATE, data, 18), S_OK, "legacy");
	TEST_ASSERT(same(at(root, "l.iso/a.bin"), data, 18), "l.iso/a.bin");
	TEST_ASSERT(fcopy_config_set(&cfg, "destination", "file", FCOPY_SRC_CMDLINE,
				     "--destination", err, sizeof(err)) < 0 &&
		    strstr(err, "auto or directory") != NULL, "a bad value: %s", err);
	TEST_ASSERT_EQUAL(hvdev_test_count_named(top, "hvfcopy"), 0, "no temporary file left");
	return TEST_SUCCESS;
}
DELIVER_CASE(dest_rule)

/* A directory appearing where the file goes, after START resolved it: nothing goes into it. */
static int
check_dest_appears(void)
{
	TEST_ASSERT_EQUAL(fcopy_deliver_start(&dlv, at(root, "x.iso"), "a.bin", OVERWRITE, 10),
			  S_OK, "start: x.iso is the file");
	TEST_ASSERT_EQUAL(fcopy_deliver_write(&dlv, 0, data, 10), S_OK, "write");
	TEST_ASSERT(mkdir(at(root, "x.iso"), 0755) == 0, "a directory appears");
	TEST_ASSERT_EQUAL(fcopy_deliver_complete(&dlv), RTE_HVDEV_IC_ACCESS_DENIED,
			  "not replaced, not written into");
	TEST_ASSERT(!hvdev_test_exists(at(root, "x.iso/a.bin")), "nothing in it");
	TEST_ASSERT(rmdir(at(root, "x.iso")) == 0, "and it is still empty");
	/* The directory START chose goes away: the copy fails, nothing lands elsewhere. */
	TEST_ASSERT(mkdir(at(root, "gone"), 0755) == 0, "mkdir");
	TEST_ASSERT_EQUAL(fcopy_deliver_start(&dlv, at(root, "gone"), "a.bin", 0, 10), S_OK,
			  "start: into gone/");
	TEST_ASSERT_EQUAL(fcopy_deliver_write(&dlv, 0, data, 10), S_OK, "write");
	/* An unnamed (O_TMPFILE) file leaves the directory empty already. */
	TEST_ASSERT((dlv.unnamed || unlinkat(dlv.dirfd, dlv.tmp, 0) == 0) &&
		    rmdir(at(root, "gone")) == 0, "the directory removed under the copy");
	TEST_ASSERT(fcopy_deliver_complete(&dlv) != S_OK, "COMPLETE fails");
	TEST_ASSERT(!hvdev_test_exists(at(root, "gone")) && !hvdev_test_exists(at(root, "a.bin")),
		    "nothing written anywhere else");
	return TEST_SUCCESS;
}
DELIVER_CASE(dest_appears)

static int
check_bad_names(void)
{
	static const char *const names[] = { "", ".", "..", "a/b", "/abs" };
	char longname[NAME_MAX + 2];
	unsigned int i;

	for (i = 0; i < RTE_DIM(names); i++)
		TEST_ASSERT_EQUAL(deliver(root, names[i], CREATE, data, 1),
				  RTE_HVDEV_IC_INVALIDARG, "name '%s'", names[i]);
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	TEST_ASSERT_EQUAL(deliver(root, longname, 0, data, 1), RTE_HVDEV_IC_NAME_TOO_LONG,
			  "name of NAME_MAX + 1 bytes");
	/* The longest name still gets a temporary name that fits. */
	longname[NAME_MAX] = '\0';
	TEST_ASSERT_EQUAL(deliver(root, longname, 0, data, 1), S_OK, "name of NAME_MAX bytes");
	TEST_ASSERT_EQUAL(hvdev_test_count_named(top, "hvfcopy"), 0, "nothing left");
	return TEST_SUCCESS;
}
DELIVER_CASE(bad_names)

static int
check_traversal(void)
{
	char dir[PATH_MAX];

	hvdev_test_fmt(dir, sizeof(dir), "%s/../outside", root);
	TEST_ASSERT_EQUAL(deliver(dir, "x.bin", CREATE, data, 1), RTE_HVDEV_IC_INVALIDARG,
			  "'..' in the path");
	hvdev_test_fmt(dir, sizeof(dir), "%s/a/..", root);
	TEST_ASSERT_EQUAL(deliver(dir, "x.bin", CREATE, data, 1), RTE_HVDEV_IC_INVALIDARG,
			  "'..' at the end");
	TEST_ASSERT_EQUAL(deliver("relative/dir", "x.bin", CREATE, data, 1),
			  RTE_HVDEV_IC_INVALIDARG, "relative path");
	TEST_ASSERT_EQUAL(deliver(outside, "x.bin", CREATE, data, 1),
			  RTE_HVDEV_IC_ACCESS_DENIED, "outside the allowed root");
	/* "/srv/root2" is not beneath "/srv/root". */
	TEST_ASSERT_EQUAL(deliver(at(top, "root2"), "x.bin", CREATE, data, 1),
			  RTE_HVDEV_IC_ACCESS_DENIED, "a sibling sharing the prefix");
	TEST_ASSERT(!hvdev_test_exists(at(outside, "x.bin")) &&
		    !hvdev_test_exists(at(top, "root2")),
		    "nothing written outside");
	return TEST_SUCCESS;
}
DELIVER_CASE(traversal)

/* A link inside the root pointing out of it is refused, with and without openat2. */
static int
symlink_escape(bool walk)
{
	fcopy_resolve_force_walk(walk);
	TEST_ASSERT_EQUAL(deliver(at(root, "link"), "x.bin", 0, data, 1),
			  RTE_HVDEV_IC_ACCESS_DENIED, "through the link (%s)",
			  walk ? "walk" : "openat2");
	TEST_ASSERT_EQUAL(deliver(at(root, "link/sub"), "x.bin", CREATE, data, 1),
			  RTE_HVDEV_IC_ACCESS_DENIED, "creating through the link (%s)",
			  walk ? "walk" : "openat2");
	TEST_ASSERT_EQUAL(deliver(at(root, "abs"), "x.bin", 0, data, 1),
			  RTE_HVDEV_IC_ACCESS_DENIED, "absolute link (%s)",
			  walk ? "walk" : "openat2");
	TEST_ASSERT(!hvdev_test_exists(at(outside, "x.bin")) &&
		    !hvdev_test_exists(at(outside, "sub")),
		    "nothing written outside (%s)", walk ? "walk" : "openat2");
	return TEST_SUCCESS;
}

static int
check_symlinks(void)
{
	TEST_ASSERT(symlink("../outside", at(root, "link")) == 0, "relative link out");
	TEST_ASSERT(symlink(root, at(root, "abs")) == 0, "absolute link");
	TEST_ASSERT(mkdir(at(root, "real"), 0755) == 0, "mkdir");
	TEST_ASSERT(symlink("real", at(root, "inside")) == 0, "link staying inside");
	TEST_RUN(symlink_escape(false));
	TEST_RUN(symlink_escape(true));
	/* A relative link that stays beneath the root is followed where openat2 exists. */
	fcopy_resolve_force_walk(false);
	if (fcopy_resolve_has_openat2()) {
		TEST_ASSERT_EQUAL(deliver(at(root, "inside"), "in.bin", 0, data, 3), S_OK,
				  "link inside the root");
		TEST_ASSERT(same(at(root, "real/in.bin"), data, 3), "content");
	}
	/* The walk refuses every link. */
	fcopy_resolve_force_walk(true);
	TEST_ASSERT_EQUAL(deliver(at(root, "inside"), "in2.bin", 0, data, 3),
			  RTE_HVDEV_IC_ACCESS_DENIED, "walk refuses links");
	/* The target itself a link: with OVER_WRITE the link is replaced, not followed. */
	fcopy_resolve_force_walk(false);
	TEST_ASSERT(symlink(at(outside, "victim"), at(root, "t.bin")) == 0, "link as target");
	TEST_ASSERT_EQUAL(deliver(root, "t.bin", 0, data, 3), RTE_HVDEV_IC_ALREADY_EXISTS,
			  "a link is an existing name");
	TEST_ASSERT_EQUAL(deliver(root, "t.bin", OVERWRITE, data, 3), S_OK, "replaced");
	TEST_ASSERT(!hvdev_test_exists(at(outside, "victim")), "nothing written through it");
	TEST_ASSERT(same(at(root, "t.bin"), data, 3), "a regular file now");
	return TEST_SUCCESS;
}
DELIVER_CASE(symlinks)

static int
check_exec_mode(void)
{
	char err[256];
	struct stat st;

	/* An execute bit is a configuration error unless allowed... */
	TEST_ASSERT_EQUAL(fcopy_config_set(&cfg, "file_mode", "0755", FCOPY_SRC_CMDLINE,
					   "--file-mode", err, sizeof(err)), 0, "%s", err);
	TEST_ASSERT(fcopy_config_check(&cfg, err, sizeof(err)) < 0, "refused");
	TEST_ASSERT(strstr(err, "allow_exec") != NULL, "the error says how: %s", err);
	/* ...and then applied exactly. */
	TEST_ASSERT_EQUAL(fcopy_config_set(&cfg, "allow_exec", "yes", FCOPY_SRC_CMDLINE,
					   "--allow-exec", err, sizeof(err)), 0, "%s", err);
	TEST_ASSERT_EQUAL(fcopy_config_check(&cfg, err, sizeof(err)), 0, "%s", err);
	TEST_ASSERT_EQUAL(deliver(root, "tool", 0, data, 10), S_OK, "copy");
	TEST_ASSERT(stat(at(root, "tool"), &st) == 0 && (st.st_mode & 07777) == 0755, "0755");
	return TEST_SUCCESS;
}
DELIVER_CASE(exec_mode)

static int
check_owner(void)
{
	char err[256];
	struct stat st;

	if (geteuid() != 0) {
		printf("skipped: changing owners needs root\n");
		return TEST_SKIPPED;
	}
	TEST_ASSERT_EQUAL(fcopy_config_set(&cfg, "owner", "1", FCOPY_SRC_CMDLINE, "--owner",
					   err, sizeof(err)), 0, "%s", err);
	TEST_ASSERT_EQUAL(fcopy_config_set(&cfg, "group", "2", FCOPY_SRC_CMDLINE, "--group",
					   err, sizeof(err)), 0, "%s", err);
	TEST_ASSERT_EQUAL(deliver(at(root, "made/"), "owned.bin", CREATE, data, 10), S_OK,
			  "copy");
	TEST_ASSERT(stat(at(root, "made/owned.bin"), &st) == 0 && st.st_uid == 1 &&
		    st.st_gid == 2, "file owner 1:2 (%u:%u)", st.st_uid, st.st_gid);
	TEST_ASSERT(stat(at(root, "made"), &st) == 0 && st.st_uid == 1 && st.st_gid == 2,
		    "created directory owner 1:2");
	return TEST_SUCCESS;
}
DELIVER_CASE(owner)

static int
check_sizes(void)
{
	/* More than any file system has: refused at START, before any data. */
	TEST_ASSERT_EQUAL(fcopy_deliver_start(&dlv, root, "huge.bin", 0, 1ull << 62),
			  RTE_HVDEV_IC_DISK_FULL, "early free-space check");
	TEST_ASSERT_EQUAL(fcopy_deliver_start(&dlv, root, "huge.bin", 0, UINT64_MAX),
			  RTE_HVDEV_IC_INVALIDARG, "not a file size");
	TEST_ASSERT(!dlv.active, "no copy in progress");
	TEST_ASSERT_EQUAL(fcopy_deliver_start(&dlv, root, "w.bin", 0, 10), S_OK, "start");
	TEST_ASSERT_EQUAL(fcopy_deliver_write(&dlv, UINT64_MAX - 5, data, 10),
			  RTE_HVDEV_IC_INVALIDARG, "offset beyond any file");
	TEST_ASSERT_EQUAL(hvdev_test_count_named(top, "hvfcopy"), 0, "nothing left");
	return TEST_SUCCESS;
}
DELIVER_CASE(sizes)

static int
check_leftover(void)
{
	char err[256], tmp[PATH_MAX + NAME_MAX + 2], fake[PATH_MAX];
	struct fcopy_deliver again;

	/* A copy in progress when the process dies: its descriptors go, its record stays. */
	dlv.force_named = true;
	TEST_ASSERT_EQUAL(fcopy_deliver_start(&dlv, root, "crash.bin", 0, 30000), S_OK, "start");
	TEST_ASSERT_EQUAL(fcopy_deliver_write(&dlv, 0, data, 6144), S_OK, "write");
	hvdev_test_fmt(tmp, sizeof(tmp), "%s/%s", root, dlv.tmp);
	TEST_ASSERT(hvdev_test_exists(tmp), "temporary file exists");
	close(dlv.fd);
	close(dlv.dirfd);
	fcopy_state_close(&state);
	memset(&dlv, 0, sizeof(dlv));
	/* The next start finds it. */
	TEST_ASSERT_EQUAL(fcopy_state_open(&state, statedir, true, err, sizeof(err)), 0, "%s",
			  err);
	fcopy_deliver_init(&again, &cfg.policy, &state);
	TEST_ASSERT_EQUAL(fcopy_deliver_recover(&again), 1, "leftover removed");
	TEST_ASSERT(!hvdev_test_exists(tmp), "temporary file gone");
	TEST_ASSERT(!hvdev_test_exists(at(root, "crash.bin")), "nothing under the final name");
	TEST_ASSERT_EQUAL(fcopy_deliver_recover(&again), 0, "nothing more to do");
	/* A record naming anything but a temporary file is never acted on. */
	TEST_ASSERT(write_file(at(root, "precious"), "x", 1) == 0, "file");
	hvdev_test_fmt(fake, sizeof(fake), "%s/precious", root);
	TEST_ASSERT_EQUAL(fcopy_state_record(&state, fake), 0, "forged record");
	TEST_ASSERT_EQUAL(fcopy_deliver_recover(&again), 0, "ignored");
	TEST_ASSERT(hvdev_test_exists(fake), "the file named is still there");
	/* Nor is a temporary-looking file outside the allowed roots. */
	hvdev_test_fmt(fake, sizeof(fake), "%s/.x.hvfcopy-abcdef", outside);
	TEST_ASSERT(write_file(fake, "x", 1) == 0, "file");
	TEST_ASSERT_EQUAL(fcopy_state_record(&state, fake), 0, "record outside");
	TEST_ASSERT_EQUAL(fcopy_deliver_recover(&again), 0, "ignored");
	TEST_ASSERT(hvdev_test_exists(fake), "still there");
	dlv = again;
	return TEST_SUCCESS;
}
DELIVER_CASE(leftover)

/* Bytes in the crash record file: 0 when nothing is recorded. */
static long
record_size(void)
{
	struct stat st;

	return stat(at(statedir, FCOPY_STATE_FILE), &st) == 0 ? (long)st.st_size : -1;
}

/* Entries of @p dir, "." and ".." not counted. */
static int
entries(const char *dir)
{
	return hvdev_test_count_named(dir, "");
}

/*
 * O_TMPFILE (the default where the file system has it): during the copy the directory holds
 * no entry at all and nothing is recorded; the name appears whole at COMPLETE.
 */
static int
check_tmpfile(void)
{
	struct stat st;

	TEST_ASSERT_EQUAL(fcopy_deliver_start(&dlv, root, "u.bin", 0, 20000), S_OK, "start");
	TEST_ASSERT_EQUAL(fcopy_deliver_write(&dlv, 0, data, 6144), S_OK, "write");
	TEST_ASSERT_EQUAL(entries(root), 0, "no entry in the directory during the copy");
	TEST_ASSERT_EQUAL(record_size(), 0, "no crash record written");
	TEST_ASSERT(strcmp(fcopy_deliver_via(&dlv), "O_TMPFILE") == 0, "via %s",
		    fcopy_deliver_via(&dlv));
	TEST_ASSERT_EQUAL(fcopy_deliver_write(&dlv, 6144, data + 6144, 20000 - 6144), S_OK,
			  "write");
	TEST_ASSERT_EQUAL(entries(root), 0, "still nothing before COMPLETE");
	TEST_ASSERT_EQUAL(fcopy_deliver_complete(&dlv), S_OK, "complete");
	TEST_ASSERT(same(at(root, "u.bin"), data, 20000), "content");
	TEST_ASSERT(stat(at(root, "u.bin"), &st) == 0 && st.st_nlink == 1 &&
		    (st.st_mode & 07777) == 0644, "one link, mode 0644");
	TEST_ASSERT_EQUAL(entries(root), 1, "the file and nothing else");
	/* A copy dropped before COMPLETE leaves nothing, with nothing to remove. */
	TEST_ASSERT_EQUAL(fcopy_deliver_start(&dlv, root, "gone.bin", 0, 100), S_OK, "start");
	TEST_ASSERT_EQUAL(fcopy_deliver_write(&dlv, 0, data, 50), S_OK, "write");
	fcopy_deliver_abandon(&dlv, "dropped by the test");
	TEST_ASSERT_EQUAL(entries(root), 1, "nothing of the dropped copy");
	TEST_ASSERT_EQUAL(record_size(), 0, "and no record");
	return TEST_SUCCESS;
}
DELIVER_CASE(tmpfile)

/*
 * OVER_WRITE with O_TMPFILE: the old file stays whole until one rename replaces it; the hidden
 * name used for the rename is recorded only meanwhile. A file appearing under the name of a
 * copy without OVER_WRITE is never replaced by the link.
 */
static int
check_tmpfile_overwrite(void)
{
	const char *target = at(root, "t.bin");

	TEST_ASSERT(write_file(target, "old", 3) == 0, "old file");
	TEST_ASSERT_EQUAL(fcopy_deliver_start(&dlv, root, "t.bin", OVERWRITE, 500), S_OK,
			  "start");
	TEST_ASSERT(dlv.unnamed, "O_TMPFILE on this file system");
	TEST_ASSERT_EQUAL(fcopy_deliver_write(&dlv, 0, data, 500), S_OK, "write");
	TEST_ASSERT(same(target, "old", 3), "the old file until COMPLETE");
	TEST_ASSERT_EQUAL(fcopy_deliver_complete(&dlv), S_OK, "complete");
	TEST_ASSERT(same(target, data, 500), "replaced");
	TEST_ASSERT_EQUAL(entries(root), 1, "no hidden name left");
	TEST_ASSERT_EQUAL(record_size(), 0, "record cleared");
	/* Not there at START, there at COMPLETE: the link refuses, the intruder survives. */
	TEST_ASSERT_EQUAL(fcopy_deliver_start(&dlv, root, "race.bin", 0, 10), S_OK, "start");
	TEST_ASSERT_EQUAL(fcopy_deliver_write(&dlv, 0, data, 10), S_OK, "write");
	TEST_ASSERT(write_file(at(root, "race.bin"), "mine", 4) == 0, "intruder");
	TEST_ASSERT_EQUAL(fcopy_deliver_complete(&dlv), RTE_HVDEV_IC_ALREADY_EXISTS, "refused");
	TEST_ASSERT(same(at(root, "race.bin"), "mine", 4), "the intruder survives");
	TEST_ASSERT_EQUAL(entries(root), 2, "nothing else");
	return TEST_SUCCESS;
}
DELIVER_CASE(tmpfile_overwrite)

/*
 * Unnamed files linked through /proc/self/fd (FCOPY_TEST_PROC_LINK_ENV), as where
 * linkat(AT_EMPTY_PATH) is refused: new names and OVER_WRITE alike, and the next start tries
 * AT_EMPTY_PATH again.
 */
static int
check_proc_link(void)
{
	struct fcopy_deliver other;

	setenv(FCOPY_TEST_PROC_LINK_ENV, "1", 1);
	fcopy_deliver_init(&other, &cfg.policy, NULL);
	unsetenv(FCOPY_TEST_PROC_LINK_ENV);
	TEST_ASSERT_EQUAL(deliver(root, "p.bin", 0, data, 100), S_OK, "%s", dlv.reason);
	TEST_ASSERT(same(at(root, "p.bin"), data, 100), "content");
	TEST_ASSERT_EQUAL(deliver(root, "p.bin", OVERWRITE, data + 1, 50), S_OK, "%s",
			  dlv.reason);
	TEST_ASSERT(same(at(root, "p.bin"), data + 1, 50), "replaced");
	TEST_ASSERT_EQUAL(deliver(root, "p.bin", 0, data, 10), RTE_HVDEV_IC_ALREADY_EXISTS,
			  "never replaced without OVER_WRITE");
	fcopy_deliver_init(&other, &cfg.policy, NULL);
	TEST_ASSERT_EQUAL(deliver(root, "q.bin", 0, data, 20), S_OK, "%s", dlv.reason);
	TEST_ASSERT(same(at(root, "q.bin"), data, 20), "content");
	TEST_ASSERT_EQUAL(entries(root), 2, "nothing else");
	return TEST_SUCCESS;
}
DELIVER_CASE(proc_link)

/*
 * The fallback (FCOPY_TEST_NAMED_ENV, as on a file system without O_TMPFILE): the named
 * temporary file, recorded while it exists, renamed into place.
 */
static int
check_named_fallback(void)
{
	struct fcopy_deliver other;

	setenv(FCOPY_TEST_NAMED_ENV, "1", 1);
	fcopy_deliver_init(&other, &cfg.policy, NULL);
	unsetenv(FCOPY_TEST_NAMED_ENV);
	TEST_ASSERT(other.force_named, "the test hook is read from the environment");
	dlv.force_named = true;
	TEST_ASSERT_EQUAL(fcopy_deliver_start(&dlv, root, "n.bin", 0, 100), S_OK, "start");
	TEST_ASSERT(!dlv.unnamed && strcmp(fcopy_deliver_via(&dlv), "named temporary file") == 0,
		    "via %s", fcopy_deliver_via(&dlv));
	TEST_ASSERT_EQUAL(hvdev_test_count_named(root, "hvfcopy"), 1, "the named file");
	TEST_ASSERT(record_size() > 0, "recorded");
	TEST_ASSERT_EQUAL(fcopy_deliver_write(&dlv, 0, data, 100), S_OK, "write");
	TEST_ASSERT_EQUAL(fcopy_deliver_complete(&dlv), S_OK, "complete");
	TEST_ASSERT(same(at(root, "n.bin"), data, 100), "content");
	TEST_ASSERT_EQUAL(entries(root), 1, "renamed, nothing left");
	TEST_ASSERT_EQUAL(record_size(), 0, "record cleared");
	TEST_ASSERT(write_file(at(root, "o.bin"), "old", 3) == 0, "old file");
	TEST_ASSERT_EQUAL(deliver(root, "o.bin", OVERWRITE, data, 7), S_OK, "OVER_WRITE");
	TEST_ASSERT(same(at(root, "o.bin"), data, 7), "replaced");
	TEST_ASSERT_EQUAL(entries(root), 2, "nothing left");
	return TEST_SUCCESS;
}
DELIVER_CASE(named_fallback)

/* One whole copy at durability async, and its publication handed on (fcopy_deliver_finish()). */
static uint32_t
deliver_async(const char *dir, const char *name, uint32_t flags, const void *buf, uint64_t len)
{
	uint32_t hr = deliver(dir, name, flags, buf, len);

	return hr == S_OK ? fcopy_deliver_finish(&dlv) : hr;
}

/*
 * Durability async in batches (the flusher held until 3 copies are queued, its test hook):
 * nothing is named before its batch is published; a START for the name of a queued copy, a
 * directory to create where a queued file goes, and an OVER_WRITE of a queued file all wait
 * for the queue, so that the copy answered first comes first, as with sync.
 */
static int
check_async_batch(void)
{
	uint8_t other[64];

	memset(other, 'o', sizeof(other));
	setenv(FCOPY_TEST_BATCH_ENV, "3", 1);
	fcopy_deliver_fini(&dlv);
	fcopy_deliver_init(&dlv, &cfg.policy, &state);
	unsetenv(FCOPY_TEST_BATCH_ENV);
	cfg.policy.durability = FCOPY_DURABLE_ASYNC;
	TEST_ASSERT_EQUAL(deliver_async(root, "b1", 0, data, 1000), S_OK, "b1 answered");
	TEST_ASSERT_EQUAL(deliver_async(root, "b2", 0, data, 2000), S_OK, "b2 answered");
	usleep(20000);
	TEST_ASSERT(!hvdev_test_exists(at(root, "b1")) && !hvdev_test_exists(at(root, "b2")),
		    "held for the batch: nothing named yet");
	TEST_ASSERT_EQUAL(hvdev_test_count_named(top, "hvfcopy"), 0, "no temporary name either");
	TEST_ASSERT_EQUAL(deliver(root, "b1", 0, other, 5), RTE_HVDEV_IC_ALREADY_EXISTS,
			  "a START for a queued name finds it published");
	TEST_ASSERT(same(at(root, "b1"), data, 1000) && same(at(root, "b2"), data, 2000),
		    "both published whole");
	TEST_ASSERT_EQUAL(deliver_async(root, "x", 0, data, 10), S_OK, "x answered");
	TEST_ASSERT(!hvdev_test_exists(at(root, "x")), "x held");
	TEST_ASSERT(deliver(at(root, "x/y"), "n", CREATE, data, 10) != S_OK,
		    "no directory where the file answered first goes");
	TEST_ASSERT(same(at(root, "x"), data, 10), "x is the file");
	TEST_ASSERT_EQUAL(deliver_async(root, "o", 0, data, 10), S_OK, "o answered");
	TEST_ASSERT_EQUAL(deliver_async(root, "o", OVERWRITE, other, 64), S_OK, "o replaced");
	TEST_ASSERT(same(at(root, "o"), other, 64), "the later copy wins, as it came later");
	TEST_ASSERT_EQUAL(deliver_async(root, "c1", 0, data, 100), S_OK, "c1");
	TEST_ASSERT_EQUAL(deliver_async(root, "c2", 0, data, 200), S_OK, "c2");
	TEST_ASSERT_EQUAL(deliver_async(root, "c3", 0, data, 300), S_OK, "c3, the batch is full");
	fcopy_deliver_drain(&dlv);
	TEST_ASSERT(same(at(root, "c1"), data, 100) && same(at(root, "c2"), data, 200) &&
		    same(at(root, "c3"), data, 300), "the batch published whole");
	TEST_ASSERT_EQUAL(hvdev_test_count_named(top, "hvfcopy"), 0, "no temporary name left");
	cfg.policy.durability = FCOPY_DURABLE_SYNC;
	return TEST_SUCCESS;
}
DELIVER_CASE(async_batch)

/*
 * The allowed root's descriptor is kept between copies. A local user who renames the root
 * away (out of every allowed path) and puts a new directory in its place between two copies
 * must not get the second copy into the directory moved away: it goes where the path leads
 * now, for a path naming the directory, a path naming the file and the root itself.
 */
static int
check_root_moved(void)
{
	char moved[PATH_MAX], moved2[PATH_MAX];

	hvdev_test_fmt(moved, sizeof(moved), "%s/moved-root", outside);
	hvdev_test_fmt(moved2, sizeof(moved2), "%s/moved-again", outside);
	TEST_ASSERT(mkdir(at(root, "sub"), 0755) == 0, "mkdir");
	TEST_ASSERT_EQUAL(deliver(at(root, "sub/"), "a.bin", 0, data, 10), S_OK, "first copy");
	TEST_ASSERT(rename(root, moved) == 0, "move the root out");
	TEST_ASSERT(mkdir(root, 0755) == 0 && mkdir(at(root, "sub"), 0755) == 0, "a new root");
	TEST_ASSERT_EQUAL(deliver(at(root, "sub/"), "b.bin", 0, data, 20), S_OK, "second copy");
	TEST_ASSERT(same(at(root, "sub/b.bin"), data, 20), "beneath the root the path names");
	TEST_ASSERT(!hvdev_test_exists(at(moved, "sub/b.bin")), "not in the root moved away");
	TEST_ASSERT_EQUAL(deliver(at(root, "sub/c.bin"), "x", 0, data, 30), S_OK, "file path");
	TEST_ASSERT_EQUAL(deliver(root, "d.bin", 0, data, 40), S_OK, "into the root itself");
	TEST_ASSERT(rename(root, moved2) == 0 && mkdir(root, 0755) == 0, "and again");
	TEST_ASSERT_EQUAL(deliver(at(root, "e.bin"), "x", 0, data, 50), S_OK, "file path");
	TEST_ASSERT_EQUAL(deliver(root, "f.bin", 0, data, 60), S_OK, "root");
	TEST_ASSERT(same(at(root, "e.bin"), data, 50) && same(at(root, "f.bin"), data, 60),
		    "both in the new root");
	TEST_ASSERT(!hvdev_test_exists(at(moved2, "e.bin")) &&
		    !hvdev_test_exists(at(moved2, "f.bin")), "nothing in the root moved away");
	/* No root at all: refused, and still nothing in the old one. */
	TEST_ASSERT(rename(root, at(outside, "gone")) == 0, "root gone");
	TEST_ASSERT_EQUAL(deliver(root, "g.bin", 0, data, 5), RTE_HVDEV_IC_PATH_NOT_FOUND,
			  "no root");
	TEST_ASSERT(!hvdev_test_exists(at(outside, "gone/g.bin")), "not in the old root");
	TEST_ASSERT(mkdir(root, 0755) == 0, "root back for the teardown");
	return TEST_SUCCESS;
}
DELIVER_CASE(root_moved)

/*
 * A hostile local user moves the target directory out of the root between two copies (or
 * puts a link leading out in its place): the second copy never lands outside. Nothing may
 * remember the directory of the first copy.
 */
static int
check_dir_moved(void)
{
	TEST_ASSERT(mkdir(at(root, "sub"), 0755) == 0, "mkdir");
	TEST_ASSERT_EQUAL(deliver(at(root, "sub/f1"), "x", 0, data, 10), S_OK, "first copy");
	TEST_ASSERT_EQUAL(deliver(at(root, "sub/"), "f2", 0, data, 10), S_OK, "first copy");
	TEST_ASSERT(rename(at(root, "sub"), at(outside, "sub")) == 0, "move it out");
	TEST_ASSERT_EQUAL(deliver(at(root, "sub/f3"), "x", 0, data, 20),
			  RTE_HVDEV_IC_PATH_NOT_FOUND, "file path: gone");
	TEST_ASSERT_EQUAL(deliver(at(root, "sub/"), "f4", 0, data, 20),
			  RTE_HVDEV_IC_PATH_NOT_FOUND, "directory path: gone");
	TEST_ASSERT_EQUAL(deliver(at(root, "sub/f5"), "x", CREATE, data, 30), S_OK,
			  "created again");
	TEST_ASSERT(same(at(root, "sub/f5"), data, 30), "beneath the root");
	/* A link to the directory moved out, in place of the new one. */
	TEST_ASSERT(rename(at(root, "sub"), at(outside, "sub2")) == 0, "move it out again");
	TEST_ASSERT(symlink("../outside/sub", at(root, "sub")) == 0, "link leading out");
	TEST_ASSERT(deliver(at(root, "sub/f6"), "x", CREATE, data, 40) != S_OK,
		    "file path through the link: refused");
	TEST_ASSERT(deliver(at(root, "sub/"), "f7", CREATE, data, 40) != S_OK,
		    "directory path through the link: refused");
	TEST_ASSERT(deliver(at(root, "sub"), "f8", CREATE, data, 40) != S_OK,
		    "the link as the path: refused");
	/* Outside: f1 and f2 moved out with sub, f5 with sub2, and nothing else. */
	TEST_ASSERT_EQUAL(hvdev_test_count_named(outside, "f"), 3, "3 files outside, not %d",
			  hvdev_test_count_named(outside, "f"));
	TEST_ASSERT(same(at(outside, "sub/f1"), data, 10) && same(at(outside, "sub2/f5"), data, 30),
		    "the files moved out");
	TEST_ASSERT(!hvdev_test_exists(at(root, "sub/f6")), "nothing through the link");
	return TEST_SUCCESS;
}
DELIVER_CASE(dir_moved)

/*
 * Durability async: COMPLETE is answered before anything is published; the file appears
 * whole at fcopy_deliver_finish(), or when the copy is ended any other way (a new START, the
 * service stopping): the host was told it succeeded.
 */
static int
check_durability_async(void)
{
	cfg.policy.durability = FCOPY_DURABLE_ASYNC;
	TEST_ASSERT_EQUAL(fcopy_deliver_start(&dlv, root, "a.bin", 0, 9000), S_OK, "start");
	TEST_ASSERT_EQUAL(fcopy_deliver_write(&dlv, 0, data, 9000), S_OK, "write");
	TEST_ASSERT_EQUAL(fcopy_deliver_complete(&dlv), S_OK, "answered at once");
	TEST_ASSERT(!hvdev_test_exists(at(root, "a.bin")), "not yet published");
	TEST_ASSERT_EQUAL(fcopy_deliver_complete(&dlv), RTE_HVDEV_IC_E_FAIL,
			  "a second COMPLETE is not a second publication");
	TEST_ASSERT_EQUAL(fcopy_deliver_finish(&dlv), S_OK, "published");
	fcopy_deliver_drain(&dlv);	/* by the flusher thread */
	TEST_ASSERT(same(at(root, "a.bin"), data, 9000), "whole");
	TEST_ASSERT(!dlv.active, "the copy ended");
	TEST_ASSERT_EQUAL(fcopy_deliver_finish(&dlv), S_OK, "nothing pending: no-op");
	/* Pending when the next START comes: published, not abandoned. */
	TEST_ASSERT_EQUAL(fcopy_deliver_start(&dlv, root, "b.bin", 0, 10), S_OK, "start");
	TEST_ASSERT_EQUAL(fcopy_deliver_write(&dlv, 0, data, 10), S_OK, "write");
	TEST_ASSERT_EQUAL(fcopy_deliver_complete(&dlv), S_OK, "answered");
	TEST_ASSERT_EQUAL(deliver(root, "c.bin", 0, data, 20), S_OK, "next copy");
	fcopy_deliver_drain(&dlv);
	TEST_ASSERT(same(at(root, "b.bin"), data, 10), "the answered copy was published");
	TEST_ASSERT_EQUAL(fcopy_deliver_finish(&dlv), S_OK, "publish c.bin");
	fcopy_deliver_drain(&dlv);
	TEST_ASSERT(same(at(root, "c.bin"), data, 20), "and the next one");
	/* Pending when the service stops. */
	TEST_ASSERT_EQUAL(deliver(root, "d.bin", 0, data, 30), S_OK, "answered");
	fcopy_deliver_abandon(&dlv, "the service is stopping");
	TEST_ASSERT(same(at(root, "d.bin"), data, 30), "published at the stop");
	/* A copy that is not complete is never answered S_OK early. */
	TEST_ASSERT_EQUAL(fcopy_deliver_start(&dlv, root, "e.bin", 0, 30), S_OK, "start");
	TEST_ASSERT_EQUAL(fcopy_deliver_complete(&dlv), RTE_HVDEV_IC_E_FAIL, "incomplete");
	TEST_ASSERT(!hvdev_test_exists(at(root, "e.bin")), "nothing published");
	cfg.policy.durability = FCOPY_DURABLE_SYNC;
	return TEST_SUCCESS;
}
DELIVER_CASE(durability_async)

static int
check_state_lock(void)
{
	struct fcopy_state second;
	char err[256];

	TEST_ASSERT(fcopy_state_open(&second, statedir, true, err, sizeof(err)) < 0,
		    "a second service on the same state directory is refused");
	TEST_ASSERT(strstr(err, "in use") != NULL, "and says why: %s", err);
	return TEST_SUCCESS;
}
DELIVER_CASE(state_lock)

static int
test_hresults(void)
{
	static const struct {
		int err;
		uint32_t hr;
	} map[] = {
		{ EEXIST, 0x80070050 }, { ENOSPC, 0x80070070 }, { EDQUOT, 0x80070070 },
		{ EACCES, 0x80070005 }, { EPERM, 0x80070005 }, { EROFS, 0x80070005 },
		{ ENOENT, 0x80070003 }, { ENOTDIR, 0x80070003 }, { ENAMETOOLONG, 0x800700ce },
		{ EINVAL, 0x80070057 }, { EILSEQ, 0x80070057 }, { EIO, 0x80004005 },
		{ EXDEV, 0x80070005 }, { ELOOP, 0x80070005 }, { 0, 0 },
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(map); i++)
		TEST_ASSERT_EQUAL(fcopy_hresult_from_errno(map[i].err), map[i].hr, "errno %d",
				  map[i].err);
	return TEST_SUCCESS;
}

static int
test_paths(void)
{
	static const struct {
		const char *in;
		const char *out;
		int ret;
	} norm[] = {
		{ "/", "/", 0 }, { "//", "/", 0 }, { "/a//b/./c/", "/a/b/c", 0 },
		{ "/a/.../b", "/a/.../b", 0 }, { "/a/..b", "/a/..b", 0 }, { "", NULL, -EINVAL },
		{ "a/b", NULL, -EINVAL }, { "/a/../b", NULL, -EINVAL }, { "/..", NULL, -EINVAL },
	};
	char out[PATH_MAX];
	unsigned int i;

	for (i = 0; i < RTE_DIM(norm); i++) {
		TEST_ASSERT_EQUAL(fcopy_path_normalize(norm[i].in, out, sizeof(out)), norm[i].ret,
				  "'%s'", norm[i].in);
		if (norm[i].out != NULL)
			TEST_ASSERT(strcmp(out, norm[i].out) == 0, "'%s' -> '%s'", norm[i].in, out);
	}
	TEST_ASSERT(fcopy_path_beneath("/srv/ab", "/srv/a") == NULL, "prefix is not beneath");
	TEST_ASSERT(strcmp(fcopy_path_beneath("/srv/a/b/c", "/srv/a"), "b/c") == 0, "beneath");
	TEST_ASSERT(strcmp(fcopy_path_beneath("/srv/a", "/srv/a"), "") == 0, "the root itself");
	TEST_ASSERT(strcmp(fcopy_path_beneath("/x/y", "/"), "x/y") == 0, "beneath /");
	TEST_ASSERT(fcopy_deliver_is_tmp_name(".a.hvfcopy-Ab3xYz"), "temporary name");
	TEST_ASSERT(!fcopy_deliver_is_tmp_name("a.hvfcopy-Ab3xYz"), "no leading dot");
	TEST_ASSERT(!fcopy_deliver_is_tmp_name(".hvfcopy-Ab3xYz"), "no name part");
	TEST_ASSERT(!fcopy_deliver_is_tmp_name(".a.hvfcopy-Ab3"), "short random part");
	return TEST_SUCCESS;
}

static const struct hvdev_test_case cases[] = {
	HVDEV_CASE(create, test_create),
	HVDEV_CASE(overwrite, test_overwrite),
	HVDEV_CASE(appears_meanwhile, test_appears_meanwhile),
	HVDEV_CASE(old_survives, test_old_survives),
	HVDEV_CASE(short_copy, test_short_copy),
	HVDEV_CASE(out_of_order, test_out_of_order),
	HVDEV_CASE(write_bounds, test_write_bounds),
	HVDEV_CASE(coverage, test_coverage),
	HVDEV_CASE(coverage_bound, test_coverage_bound),
	HVDEV_CASE(cover_model, test_cover_model),
	HVDEV_CASE(cancel, test_cancel),
	HVDEV_CASE(create_path, test_create_path),
	HVDEV_CASE(create_path_refused, test_create_path_refused),
	HVDEV_CASE(create_path_failed, test_create_path_failed),
	HVDEV_CASE(create_race, test_create_race),
	HVDEV_CASE(dest_rule, test_dest_rule),
	HVDEV_CASE(dest_appears, test_dest_appears),
	HVDEV_CASE(bad_names, test_bad_names),
	HVDEV_CASE(traversal, test_traversal),
	HVDEV_CASE(symlinks, test_symlinks),
	HVDEV_CASE(exec_mode, test_exec_mode),
	HVDEV_CASE(owner, test_owner),
	HVDEV_CASE(sizes, test_sizes),
	HVDEV_CASE(leftover, test_leftover),
	HVDEV_CASE(tmpfile, test_tmpfile),
	HVDEV_CASE(tmpfile_overwrite, test_tmpfile_overwrite),
	HVDEV_CASE(named_fallback, test_named_fallback),
	HVDEV_CASE(proc_link, test_proc_link),
	HVDEV_CASE(durability_async, test_durability_async),
	HVDEV_CASE(async_batch, test_async_batch),
	HVDEV_CASE(root_moved, test_root_moved),
	HVDEV_CASE(dir_moved, test_dir_moved),
	HVDEV_CASE(state_lock, test_state_lock),
	HVDEV_CASE(hresults, test_hresults),
	HVDEV_CASE(paths, test_paths),
};

int
main(int argc, char **argv)
{
	return hvdev_test_main(argc, argv, cases, RTE_DIM(cases));
}
