/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * The KVP pool files (kvp_pool.h) against hv_kvp_daemon's record layout, written and read
 * here by hand (key[512] then value[2048], UTF-8, NUL-terminated, no header): records made by
 * another program are read, ours are readable by it; fcntl() locking against a concurrent
 * writer process; changes made behind our back are seen at the next operation; corrupt and
 * oversized files are reported, refused or skipped, and never crash or get truncated.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <rte_common.h>

#include "hvdev_test.h"
#include "kvp_pool.h"

#define REC 2560
#define KEY 512

static char top[256];
static char dir[PATH_MAX];
static struct kvp_pools *pools;

static int
setup_conf(unsigned int max_records, unsigned int lock_timeout_ms)
{
	struct kvp_pool_conf conf = {
		.max_records = max_records,
		.lock_timeout_ms = lock_timeout_ms,
	};

	TEST_ASSERT(hvdev_test_root_create(top, sizeof(top)) == 0, "mkdtemp");
	hvdev_test_fmt(dir, sizeof(dir), "%s/var/lib/hyperv", top);
	TEST_ASSERT_EQUAL(hvdev_test_mkdirs(dir), 0, "mkdirs");
	conf.dir = dir;
	TEST_ASSERT_EQUAL(kvp_pools_open(&pools, &conf), 0, "open");
	return TEST_SUCCESS;
}

static int
setup(void)
{
	return setup_conf(0, 0);
}

static void
teardown(void)
{
	kvp_pools_close(pools);
	pools = NULL;
	hvdev_test_root_remove(top);
}

static void
path_of(unsigned int pool, char *buf, size_t len)
{
	hvdev_test_fmt(buf, len, "%s/.kvp_pool_%u", dir, pool);
}

/* One record as the daemon's struct kvp_record, with @p junk after each NUL (it leaves old
 * bytes there). */
static void
record(uint8_t *r, const char *key, const char *value, uint8_t junk)
{
	memset(r, junk, REC);
	memcpy(r, key, strlen(key) + 1);
	memcpy(r + KEY, value, strlen(value) + 1);
}

/* Replace pool @p pool's file content by @p n bytes, in place (as the daemon does). */
static int
write_file(unsigned int pool, const void *data, size_t n)
{
	char path[PATH_MAX];
	int fd;

	path_of(pool, path, sizeof(path));
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	if (n != 0 && write(fd, data, n) != (ssize_t)n) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static long
read_file(unsigned int pool, void *data, size_t n)
{
	char path[PATH_MAX];
	ssize_t r;
	int fd;

	path_of(pool, path, sizeof(path));
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	r = read(fd, data, n);
	close(fd);
	return (long)r;
}

static int
test_open_creates(void)
{
	char path[PATH_MAX], sub[PATH_MAX], longdir[PATH_MAX + 8];
	struct kvp_pool_conf conf = { 0 };
	mode_t mask = umask(022);
	struct kvp_pools *p2;
	struct stat st;
	unsigned int i;

	umask(mask);
	TEST_RUN(setup());
	for (i = 0; i < 5; i++) {
		path_of(i, path, sizeof(path));
		TEST_ASSERT(stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0,
			    "%s created empty", path);
		TEST_ASSERT_EQUAL(st.st_mode & 0777, 0644 & ~(unsigned int)mask, "mode");
		TEST_ASSERT(strcmp(kvp_pool_path(pools, i), path) == 0, "path %u", i);
	}
	TEST_ASSERT(kvp_pool_path(pools, 5) == NULL, "no pool 5");
	/* A missing directory is created, rwxr-xr-x. */
	hvdev_test_fmt(sub, sizeof(sub), "%s/fresh", top);
	conf.dir = sub;
	TEST_ASSERT_EQUAL(kvp_pools_open(&p2, &conf), 0, "open fresh");
	TEST_ASSERT(stat(sub, &st) == 0 && S_ISDIR(st.st_mode), "directory created");
	TEST_ASSERT_EQUAL(st.st_mode & 0777, 0755 & ~(unsigned int)mask, "dir mode");
	kvp_pools_close(p2);
	memset(longdir, 'd', sizeof(longdir) - 1);
	longdir[0] = '/';
	longdir[sizeof(longdir) - 1] = '\0';
	conf.dir = longdir;
	TEST_ASSERT_EQUAL(kvp_pools_open(&p2, &conf), -ENAMETOOLONG, "long dir");
	conf.dir = sub;
	conf.max_records = KVP_POOL_MAX_RECORDS_LIMIT + 1;
	TEST_ASSERT_EQUAL(kvp_pools_open(&p2, &conf), -EINVAL, "max_records over the ceiling");
	teardown();
	return TEST_SUCCESS;
}

/* Ours, read by hand: exactly the daemon's layout, zeros after each NUL. */
static int
test_layout_ours(void)
{
	uint8_t file[3 * REC], expect[REC];

	TEST_RUN(setup());
	TEST_ASSERT_EQUAL(kvp_pool_set(pools, 1, "alpha", "one"), 0, "set");
	TEST_ASSERT_EQUAL(kvp_pool_set(pools, 1, "beta", "\xc3\xa9t\xc3\xa9"), 0, "set UTF-8");
	TEST_ASSERT_EQUAL(read_file(1, file, sizeof(file)), 2 * REC, "two records");
	record(expect, "alpha", "one", 0);
	TEST_ASSERT(memcmp(file, expect, REC) == 0, "record 0 byte for byte");
	record(expect, "beta", "\xc3\xa9t\xc3\xa9", 0);
	TEST_ASSERT(memcmp(file + REC, expect, REC) == 0, "record 1 byte for byte");
	TEST_ASSERT_EQUAL(read_file(0, file, sizeof(file)), 0, "pool 0 untouched");
	teardown();
	return TEST_SUCCESS;
}

/* Written by hand as the daemon leaves them (junk after the NULs), read by ours. */
static int
test_layout_theirs(void)
{
	uint8_t file[3 * REC];
	char key[KEY], value[2048];

	TEST_RUN(setup());
	record(file, "PROVISIONING_REPORT", "ready", 0xab);
	record(file + REC, "empty", "", 0xcd);
	record(file + 2 * REC, "last", "x", 0);
	TEST_ASSERT_EQUAL(write_file(0, file, sizeof(file)), 0, "write");
	TEST_ASSERT_EQUAL(kvp_pool_count(pools, 0), 3, "count");
	TEST_ASSERT_EQUAL(kvp_pool_get(pools, 0, "PROVISIONING_REPORT", value, sizeof(value)), 5,
			  "get");
	TEST_ASSERT(strcmp(value, "ready") == 0, "value");
	TEST_ASSERT_EQUAL(kvp_pool_get(pools, 0, "empty", value, sizeof(value)), 0, "empty value");
	TEST_ASSERT_EQUAL(kvp_pool_enumerate(pools, 0, 1, key, sizeof(key), value, sizeof(value)),
			  0, "enumerate 1");
	TEST_ASSERT(strcmp(key, "empty") == 0 && value[0] == '\0', "record 1");
	TEST_ASSERT_EQUAL(kvp_pool_enumerate(pools, 0, 3, key, sizeof(key), value, sizeof(value)),
			  -ENOENT, "past the end");
	TEST_ASSERT_EQUAL(kvp_pool_get(pools, 0, "PROVISIONING", value, sizeof(value)), -ENOENT,
			  "a prefix is another key");
	TEST_ASSERT_EQUAL(kvp_pool_get(pools, 0, "PROVISIONING_REPORT", value, 5), -ENOSPC,
			  "value buffer too small");
	/* Delete moves the rest up; the records we did not change keep their bytes. */
	TEST_ASSERT_EQUAL(kvp_pool_delete(pools, 0, "PROVISIONING_REPORT"), 0, "delete");
	TEST_ASSERT_EQUAL(read_file(0, file, sizeof(file)), 2 * REC, "two left");
	TEST_ASSERT(strcmp((char *)file, "empty") == 0 && file[KEY - 1] == 0xcd, "moved as is");
	TEST_ASSERT_EQUAL(kvp_pool_delete(pools, 0, "nothing"), -ENOENT, "delete missing");
	teardown();
	return TEST_SUCCESS;
}

static int
test_growth(void)
{
	char key[KEY], value[2048], k[32];
	uint8_t *file;
	unsigned int i;

	TEST_RUN(setup());
	for (i = 0; i < 300; i++) {
		snprintf(k, sizeof(k), "key%03u", i);
		snprintf(value, sizeof(value), "value %u", i);
		TEST_ASSERT_EQUAL(kvp_pool_set(pools, 4, k, value), 0, "set %u", i);
	}
	TEST_ASSERT_EQUAL(kvp_pool_count(pools, 4), 300, "300 records");
	TEST_ASSERT_EQUAL(kvp_pool_delete(pools, 4, "key150"), 0, "delete the middle");
	TEST_ASSERT_EQUAL(kvp_pool_enumerate(pools, 4, 150, key, sizeof(key), value,
					     sizeof(value)), 0, "enumerate 150");
	TEST_ASSERT(strcmp(key, "key151") == 0 && strcmp(value, "value 151") == 0, "shifted");
	file = malloc(300 * REC);
	TEST_ASSERT(file != NULL, "malloc");
	TEST_ASSERT_EQUAL(read_file(4, file, 300 * REC), 299 * REC, "file size");
	TEST_ASSERT(strcmp((char *)file + 299 * REC - REC, "key299") == 0, "last record");
	free(file);
	teardown();
	return TEST_SUCCESS;
}

static int
test_limits(void)
{
	char key[600], value[2100];

	TEST_RUN(setup_conf(2, 0));
	memset(key, 'k', sizeof(key));
	key[255] = '\0';
	TEST_ASSERT_EQUAL(kvp_pool_set(pools, 0, key, "v"), 0, "255-byte key");
	key[255] = 'k';
	key[256] = '\0';
	TEST_ASSERT_EQUAL(kvp_pool_set(pools, 0, key, "v"), -EINVAL, "256 units: over the wire");
	memset(value, 'v', sizeof(value));
	value[2047] = '\0';
	TEST_ASSERT_EQUAL(kvp_pool_set(pools, 0, "v", value), 0, "2047-byte value");
	value[2047] = 'v';
	value[2048] = '\0';
	TEST_ASSERT_EQUAL(kvp_pool_set(pools, 1, "v", value), -EINVAL, "2048-byte value");
	TEST_ASSERT_EQUAL(kvp_pool_set(pools, 0, "bad", "\xc0\xaf"), -EINVAL, "overlong UTF-8");
	TEST_ASSERT_EQUAL(kvp_pool_set(pools, 0, "\xed\xa0\x80", "v"), -EINVAL, "surrogate key");
	TEST_ASSERT_EQUAL(kvp_pool_set(pools, 0, "third", "v"), -ENOSPC, "max_records 2");
	TEST_ASSERT_EQUAL(kvp_pool_set(pools, 0, "v", "replaced"), 0, "replace when full");
	TEST_ASSERT_EQUAL(kvp_pool_set(pools, 5, "v", "v"), -EINVAL, "pool 5");
	teardown();
	return TEST_SUCCESS;
}

/*
 * Loads of pool 1 by two counts in a row, its mtime set to @p ago_ms ago plus @p nsec, then
 * @p settle_ms later (its ctime is the time of that change); in *@p took_ns, the time from
 * the change to the last count.
 */
static unsigned int
loads_after_change(const char *path, long ago_ms, long nsec, unsigned int settle_ms,
		   long long *took_ns)
{
	struct timespec now, end, times[2] = { { 0, UTIME_OMIT }, { 0, 0 } };
	struct kvp_pool_stats st0, st1;
	long long t;

	clock_gettime(CLOCK_REALTIME, &now);
	t = (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000 - ago_ms;
	times[1].tv_sec = (time_t)(t / 1000);
	times[1].tv_nsec = (t % 1000) * 1000000 + nsec;
	if (utimensat(AT_FDCWD, path, times, 0) != 0)
		return UINT_MAX;
	usleep(settle_ms * 1000);
	if (kvp_pool_count(pools, 1) != 2)
		return UINT_MAX;
	kvp_pools_stats(pools, &st0);
	kvp_pool_count(pools, 1);
	kvp_pool_count(pools, 1);
	kvp_pools_stats(pools, &st1);
	clock_gettime(CLOCK_REALTIME, &end);
	if (took_ns != NULL)
		*took_ns = (long long)(end.tv_sec - now.tv_sec) * 1000000000LL +
			   (end.tv_nsec - now.tv_nsec);
	return (unsigned int)(st1.loads - st0.loads);
}

/*
 * How long a change may hide: two ticks of the coarse clock (8 ms at 250 Hz, 20 ms at 100 Hz)
 * for a file with nanosecond times, 3 s for one whose time falls on a whole millisecond, as
 * on a file system with coarse times. A check inside one tick is only made by an attempt
 * that took less than a tick, which a loaded machine may need a few tries to get.
 */
static int
check_racy_window(const char *path)
{
	struct timespec res;
	long long took, tick;
	unsigned int n, i;

	TEST_ASSERT_EQUAL(clock_getres(CLOCK_REALTIME_COARSE, &res), 0, "coarse clock");
	tick = (long long)res.tv_sec * 1000000000LL + res.tv_nsec;
	TEST_ASSERT_EQUAL(loads_after_change(path, 300, 123457, 100, NULL), 0,
			  "changed 100 ms ago, nanosecond times: read once, then cached");
	for (i = 0; i < 200; i++) {
		n = loads_after_change(path, 300, 123457, 0, &took);
		if (took < tick)
			break;
	}
	TEST_ASSERT(i < 200, "no attempt took less than a tick (%lld ns)", tick);
	TEST_ASSERT_EQUAL(n, 2, "changed within the tick: read again each time");
	TEST_ASSERT_EQUAL(loads_after_change(path, 300, 0, 100, NULL), 2,
			  "changed 100 ms ago, a whole-millisecond mtime: read again each time");
	return TEST_SUCCESS;
}

/* Another program changes the file between two of our operations. */
static int
test_external_change(void)
{
	uint8_t file[2 * REC];
	char value[2048], path[PATH_MAX], tmp[PATH_MAX];

	TEST_RUN(setup());
	TEST_ASSERT_EQUAL(kvp_pool_set(pools, 1, "state", "old"), 0, "set");
	TEST_ASSERT_EQUAL(kvp_pool_get(pools, 1, "state", value, sizeof(value)), 3, "cached");
	/* Same size, same second: only a re-read can see it. */
	record(file, "state", "new", 0);
	TEST_ASSERT_EQUAL(write_file(1, file, REC), 0, "rewrite in place");
	TEST_ASSERT_EQUAL(kvp_pool_get(pools, 1, "state", value, sizeof(value)), 3, "get");
	TEST_ASSERT(strcmp(value, "new") == 0, "the change is seen: %s", value);
	/* Replaced by rename, as an editor or an atomic writer does. */
	record(file, "state", "renamed", 0);
	record(file + REC, "more", "1", 0);
	path_of(1, path, sizeof(path));
	hvdev_test_fmt(tmp, sizeof(tmp), "%s.tmp", path);
	{
		FILE *f = fopen(tmp, "w");

		TEST_ASSERT(f != NULL && fwrite(file, REC, 2, f) == 2 && fclose(f) == 0, "tmp");
	}
	TEST_ASSERT_EQUAL(rename(tmp, path), 0, "rename");
	TEST_ASSERT_EQUAL(kvp_pool_count(pools, 1), 2, "the new inode is read");
	TEST_ASSERT_EQUAL(kvp_pool_get(pools, 1, "state", value, sizeof(value)), 7, "get");
	/*
	 * The cache: a file last changed long ago is read once; one changed within the current
	 * timestamp tick is read again every time, since a change in the same tick would
	 * leave its size, mtime and ctime as they were.
	 */
	{
		struct timespec times[2] = { { 0, UTIME_OMIT }, { time(NULL) - 3600, 123457 } };
		struct kvp_pool_stats st0, st1;

		/* Not on a whole millisecond, and the ctime it sets 100 ms old: not racy. */
		TEST_ASSERT_EQUAL(utimensat(AT_FDCWD, path, times, 0), 0, "mtime an hour ago");
		usleep(100 * 1000);
		TEST_ASSERT_EQUAL(kvp_pool_count(pools, 1), 2, "read");
		kvp_pools_stats(pools, &st0);
		TEST_ASSERT_EQUAL(kvp_pool_count(pools, 1), 2, "from the cache");
		kvp_pools_stats(pools, &st1);
		TEST_ASSERT_EQUAL(st1.loads, st0.loads, "an old file is not read again");
		/* Just changed, with times as coarse as FAT's: read again for seconds. */
		TEST_ASSERT_EQUAL(loads_after_change(path, 0, 0, 0, NULL), 2,
				  "read again: just changed");
		TEST_RUN(check_racy_window(path));
	}
	/* Removed: created again, empty. */
	TEST_ASSERT_EQUAL(unlink(path), 0, "unlink");
	TEST_ASSERT_EQUAL(kvp_pool_count(pools, 1), 0, "empty again");
	teardown();
	return TEST_SUCCESS;
}

static int
test_corrupt(void)
{
	uint8_t file[5 * REC + 100], after[5 * REC + 100];
	char key[KEY], value[2048];
	struct kvp_pool_stats st;

	TEST_RUN(setup());
	record(file, "good0", "a", 0);
	memset(file + REC, 'k', KEY);			/* key without NUL */
	memcpy(file + REC + KEY, "v", 2);
	record(file + 2 * REC, "badvalue", "\xff\xfe", 0);	/* value not UTF-8 */
	record(file + 3 * REC, "good1", "b", 0);
	memset(file + 4 * REC, 0, REC);
	memcpy(file + 4 * REC, "nonul", 6);
	memset(file + 4 * REC + KEY, 'v', 2048);	/* value without NUL */
	memset(file + 5 * REC, 'p', 100);		/* a partial record */
	TEST_ASSERT_EQUAL(write_file(2, file, sizeof(file)), 0, "write");
	TEST_ASSERT_EQUAL(kvp_pool_count(pools, 2), 2, "two usable records");
	TEST_ASSERT_EQUAL(kvp_pool_enumerate(pools, 2, 1, key, sizeof(key), value, sizeof(value)),
			  0, "enumerate 1");
	TEST_ASSERT(strcmp(key, "good1") == 0, "bad records skipped: %s", key);
	TEST_ASSERT_EQUAL(kvp_pool_get(pools, 2, "badvalue", value, sizeof(value)), -EINVAL,
			  "the key matches, its value cannot be sent");
	kvp_pools_stats(pools, &st);
	TEST_ASSERT_EQUAL(st.invalid_records, 3, "three reported");
	/* A change rewrites only what it changes: the bad records stay as they were. */
	TEST_ASSERT_EQUAL(kvp_pool_set(pools, 2, "good1", "c"), 0, "set");
	TEST_ASSERT_EQUAL(read_file(2, after, sizeof(after)), 5 * REC, "partial record dropped");
	TEST_ASSERT(memcmp(after, file, 3 * REC) == 0, "records 0-2 kept byte for byte");
	TEST_ASSERT(memcmp(after + 4 * REC, file + 4 * REC, REC) == 0, "record 4 kept");
	TEST_ASSERT(strcmp((char *)after + 3 * REC + KEY, "c") == 0, "record 3 changed");
	teardown();
	return TEST_SUCCESS;
}

static int
test_oversized(void)
{
	char path[PATH_MAX], value[2048];
	struct stat st;
	int fd;

	TEST_RUN(setup_conf(4, 0));
	path_of(3, path, sizeof(path));
	fd = open(path, O_WRONLY);
	TEST_ASSERT(fd >= 0 && ftruncate(fd, 5 * REC) == 0, "five records of zeros");
	close(fd);
	TEST_ASSERT_EQUAL(kvp_pool_count(pools, 3), -EFBIG, "count");
	TEST_ASSERT_EQUAL(kvp_pool_get(pools, 3, "k", value, sizeof(value)), -EFBIG, "get");
	TEST_ASSERT_EQUAL(kvp_pool_set(pools, 3, "k", "v"), -EFBIG, "set");
	TEST_ASSERT_EQUAL(kvp_pool_delete(pools, 3, "k"), -EFBIG, "delete");
	TEST_ASSERT(stat(path, &st) == 0 && st.st_size == 5 * REC, "left untouched");
	/* Exactly max_records is fine. */
	fd = open(path, O_WRONLY);
	TEST_ASSERT(fd >= 0 && ftruncate(fd, 4 * REC) == 0, "four");
	close(fd);
	TEST_ASSERT_EQUAL(kvp_pool_count(pools, 3), 4, "four records with empty keys and values");
	teardown();
	return TEST_SUCCESS;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * A child process takes the lock (type @p type) on pool @p pool's file, tells the parent, then
 * with a write lock empties the file, waits @p hold_ms, writes @p n records, and unlocks.
 */
static pid_t
locker(unsigned int pool, short type, unsigned int hold_ms, unsigned int n, int *ready_fd)
{
	int pfd[2];
	pid_t pid;

	if (pipe(pfd) != 0)
		return -1;
	pid = fork();
	if (pid != 0) {
		close(pfd[1]);
		*ready_fd = pfd[0];
		return pid;
	}
	{
		struct flock fl = { .l_type = type, .l_whence = SEEK_SET };
		struct timespec ts = { hold_ms / 1000, (long)(hold_ms % 1000) * 1000000L };
		uint8_t rec[REC];
		char path[PATH_MAX];
		unsigned int i;
		int fd;

		close(pfd[0]);
		path_of(pool, path, sizeof(path));
		fd = open(path, O_RDWR);
		if (fd < 0 || fcntl(fd, F_SETLKW, &fl) != 0)
			_exit(1);
		if (type == F_WRLCK && ftruncate(fd, 0) != 0)
			_exit(2);
		if (write(pfd[1], "L", 1) != 1)
			_exit(3);
		nanosleep(&ts, NULL);
		for (i = 0; type == F_WRLCK && i < n; i++) {
			char k[16];

			snprintf(k, sizeof(k), "child%u", i);
			record(rec, k, "v", 0);
			if (pwrite(fd, rec, REC, (off_t)i * REC) != REC)
				_exit(4);
		}
		_exit(0);	/* exit releases the lock */
	}
}

static int
wait_child(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* A writer holding the lock is waited for, and its finished work is what we read. */
static int
test_lock_writer(void)
{
	struct kvp_pool_stats st;
	long long t0;
	int rfd, n;
	pid_t pid;
	char c;

	TEST_RUN(setup());
	TEST_ASSERT_EQUAL(kvp_pool_set(pools, 0, "before", "1"), 0, "set");
	pid = locker(0, F_WRLCK, 300, 3, &rfd);
	TEST_ASSERT(pid > 0, "fork");
	TEST_ASSERT(read(rfd, &c, 1) == 1, "child holds the lock");
	close(rfd);
	t0 = now_ms();
	/* The file is empty right now: a reader that did not wait would count 0. */
	n = kvp_pool_count(pools, 0);
	TEST_ASSERT(now_ms() - t0 >= 200, "waited for the lock (%lld ms)", now_ms() - t0);
	TEST_ASSERT_EQUAL(n, 3, "the writer's finished content");
	TEST_ASSERT_EQUAL(wait_child(pid), 0, "child");
	kvp_pools_stats(pools, &st);
	TEST_ASSERT(st.lock_waits > 0, "counted");
	teardown();
	return TEST_SUCCESS;
}

/* Our change takes a write lock: a reader's lock held elsewhere delays it. */
static int
test_lock_reader(void)
{
	char value[2048];
	long long t0;
	int rfd;
	pid_t pid;
	char c;

	TEST_RUN(setup());
	pid = locker(0, F_RDLCK, 300, 0, &rfd);
	TEST_ASSERT(pid > 0, "fork");
	TEST_ASSERT(read(rfd, &c, 1) == 1, "child holds a read lock");
	close(rfd);
	/* Reading alongside another reader does not wait. */
	t0 = now_ms();
	TEST_ASSERT_EQUAL(kvp_pool_get(pools, 0, "k", value, sizeof(value)), -ENOENT, "get");
	TEST_ASSERT(now_ms() - t0 < 200, "read alongside a reader");
	t0 = now_ms();
	TEST_ASSERT_EQUAL(kvp_pool_set(pools, 0, "k", "v"), 0, "set");
	TEST_ASSERT(now_ms() - t0 >= 200, "the write waited (%lld ms)", now_ms() - t0);
	TEST_ASSERT_EQUAL(wait_child(pid), 0, "child");
	teardown();
	return TEST_SUCCESS;
}

/* A lock never released: a bounded wait, an error, and the next operation works again. */
static int
test_lock_timeout(void)
{
	struct kvp_pool_stats st;
	long long t0;
	int rfd;
	pid_t pid;
	char c;

	TEST_RUN(setup_conf(0, 200));
	pid = locker(0, F_WRLCK, 30000, 0, &rfd);
	TEST_ASSERT(pid > 0, "fork");
	TEST_ASSERT(read(rfd, &c, 1) == 1, "child holds the lock");
	close(rfd);
	t0 = now_ms();
	TEST_ASSERT_EQUAL(kvp_pool_set(pools, 0, "k", "v"), -ETIMEDOUT, "set");
	TEST_ASSERT(now_ms() - t0 < 2000, "bounded (%lld ms)", now_ms() - t0);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	TEST_ASSERT_EQUAL(kvp_pool_set(pools, 0, "k", "v"), 0, "after the holder died");
	kvp_pools_stats(pools, &st);
	TEST_ASSERT_EQUAL(st.lock_timeouts, 1, "counted");
	teardown();
	return TEST_SUCCESS;
}

static const struct hvdev_test_case cases[] = {
	HVDEV_CASE(open_creates, test_open_creates),
	HVDEV_CASE(layout_ours, test_layout_ours),
	HVDEV_CASE(layout_theirs, test_layout_theirs),
	HVDEV_CASE(growth, test_growth),
	HVDEV_CASE(limits, test_limits),
	HVDEV_CASE(external_change, test_external_change),
	HVDEV_CASE(corrupt, test_corrupt),
	HVDEV_CASE(oversized, test_oversized),
	HVDEV_CASE(lock_writer, test_lock_writer),
	HVDEV_CASE(lock_reader, test_lock_reader),
	HVDEV_CASE(lock_timeout, test_lock_timeout),
};

int
main(int argc, char **argv)
{
	return hvdev_test_main(argc, argv, cases, RTE_DIM(cases));
}
