/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * dpdk-hv-fcopy end to end: the service runs as its own process against the simulated host,
 * which plays Copy-VMFile. Every case checks the file system and the HRESULT the host got.
 * The service binary comes from the HVDEV_FCOPY_BIN environment variable.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <rte_common.h>

#include <rte_hvdev_fcopy.h>
#include <rte_hvdev_ic.h>

#include "hvdev_test.h"
#include "rte_hvsim.h"

#define WAIT_MS 10000

static char root[256];
static char guest[512];	/* the allowed root the service writes into */
static char state[512];
static char src_dir[512];
static struct rte_hvsim *sim;
static struct rte_hvsim_dev *dev;
static pid_t service = -1;

static const char *const *service_extra;	/* more service options, or NULL */

static int
start_service(void)
{
	service = hvdev_test_fcopy_spawn(root, guest, state, service_extra);
	TEST_ASSERT(service > 0, "start the service (HVDEV_FCOPY_BIN set?)");
	TEST_ASSERT_EQUAL(rte_hvsim_wait_open(dev, true, WAIT_MS), 0, "service opened the channel");
	TEST_ASSERT_EQUAL(rte_hvsim_ic_wait(dev, WAIT_MS), 0, "IC negotiation");
	return TEST_SUCCESS;
}

/* SIGTERM and wait; returns the exit status. */
static int
stop_service(void)
{
	int status = hvdev_test_process_stop(service, 5000);

	service = -1;
	return status;
}

static int
setup(void)
{
	struct rte_hvsim_dev_conf conf = { .ic_negotiate = true };

	TEST_ASSERT(hvdev_test_root_create(root, sizeof(root)) == 0, "mkdtemp");
	snprintf(guest, sizeof(guest), "%s/guest", root);
	snprintf(state, sizeof(state), "%s/state", root);
	snprintf(src_dir, sizeof(src_dir), "%s/host", root);
	TEST_ASSERT(hvdev_test_mkdirs(guest) == 0 && hvdev_test_mkdirs(state) == 0 &&
		    hvdev_test_mkdirs(src_dir) == 0, "dirs");
	sim = rte_hvsim_create(root);
	TEST_ASSERT(sim != NULL, "simulator");
	TEST_ASSERT_EQUAL(rte_hvsim_start(sim), 0, "start");
	hvdev_test_class("fcopy", conf.class_id);
	dev = rte_hvsim_offer(sim, &conf);
	TEST_ASSERT(dev != NULL, "offer");
	return start_service();
}

static int
teardown(void)
{
	int status = stop_service();

	rte_hvsim_destroy(sim);
	sim = NULL;
	umount2(guest, MNT_DETACH);
	hvdev_test_root_remove(root);
	TEST_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "service stopped cleanly on SIGTERM (status 0x%x)", status);
	return TEST_SUCCESS;
}

#define E2E_CASE(name) \
static int \
test_ ## name(void) \
{ \
	int ret, ret2; \
	TEST_RUN(setup()); \
	ret = check_ ## name(); \
	ret2 = teardown(); \
	return ret != TEST_SUCCESS ? ret : ret2; \
}

static int
make_src(const char *name, uint64_t size, uint32_t seed, char *path, size_t len)
{
	hvdev_test_fmt(path, len, "%s/%s", src_dir, name);
	return hvdev_test_make_file(path, size, seed);
}

static int
copy(const char *src, const char *dest, const struct rte_hvsim_fcopy_opts *opts,
	struct rte_hvsim_fcopy_result *res)
{
	struct rte_hvsim_fcopy_opts o = { 0 };

	if (opts != NULL)
		o = *opts;
	if (o.timeout_ms == 0)
		o.timeout_ms = WAIT_MS;
	return rte_hvsim_fcopy(dev, src, dest, &o, res);
}

static int
copy_ok(const char *name, uint64_t size, uint32_t seed)
{
	struct rte_hvsim_fcopy_result res;
	char src[PATH_MAX], dest[PATH_MAX];
	struct stat st;

	TEST_ASSERT(make_src(name, size, seed, src, sizeof(src)) == 0, "source %s", name);
	snprintf(dest, sizeof(dest), "%s/%s", guest, name);
	TEST_ASSERT_EQUAL(copy(src, dest, NULL, &res), 0, "copy %s", name);
	TEST_ASSERT_EQUAL(res.hresult, 0, "%s: %s", name, rte_hvsim_hresult_message(res.hresult));
	TEST_ASSERT(hvdev_test_same_file(src, dest), "%s arrived intact (%" PRIu64 " bytes)", name,
		    size);
	TEST_ASSERT(stat(dest, &st) == 0 && (st.st_mode & 0777) == 0644,
		    "%s has mode 0644, not executable", name);
	return TEST_SUCCESS;
}

static int
check_sizes(void)
{
	static const uint64_t sizes[] = { 0, 1, 6143, 6144, 6145, 3 * 20480 + 5, 1u << 20 };
	char name[64];
	unsigned int i;

	for (i = 0; i < RTE_DIM(sizes); i++) {
		snprintf(name, sizeof(name), "size-%" PRIu64 ".bin", sizes[i]);
		TEST_RUN(copy_ok(name, sizes[i], i));
	}
	TEST_ASSERT_EQUAL(hvdev_test_count_named(guest, "hvfcopy"), 0, "no temporary file left");
	return TEST_SUCCESS;
}
E2E_CASE(sizes)

static int
check_big(void)
{
	return copy_ok("big-64m.bin", 64ull << 20, 77);
}
E2E_CASE(big)

static int
check_many(void)
{
	char name[64];
	int i;

	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "many-%03d.txt", i);
		TEST_RUN(copy_ok(name, (uint64_t)i * 97, (uint32_t)i));
	}
	return TEST_SUCCESS;
}
E2E_CASE(many)

static int
check_exists(void)
{
	struct rte_hvsim_fcopy_opts force = { .overwrite = true };
	struct rte_hvsim_fcopy_result res;
	char src1[PATH_MAX], src2[PATH_MAX], dest[PATH_MAX];

	TEST_ASSERT(make_src("one", 10000, 1, src1, sizeof(src1)) == 0, "src1");
	TEST_ASSERT(make_src("two", 20000, 2, src2, sizeof(src2)) == 0, "src2");
	snprintf(dest, sizeof(dest), "%s/target.bin", guest);
	TEST_ASSERT_EQUAL(copy(src1, dest, NULL, &res), 0, "first copy");
	TEST_ASSERT_EQUAL(res.hresult, 0, "first copy ok");
	TEST_ASSERT_EQUAL(copy(src2, dest, NULL, &res), 0, "second copy");
	TEST_ASSERT_EQUAL(res.hresult, RTE_HVDEV_IC_ALREADY_EXISTS, "exists without -Force");
	TEST_ASSERT(hvdev_test_same_file(src1, dest), "the existing file is untouched");
	TEST_ASSERT_EQUAL(copy(src2, dest, &force, &res), 0, "forced copy");
	TEST_ASSERT_EQUAL(res.hresult, 0, "overwrite with -Force");
	TEST_ASSERT(hvdev_test_same_file(src2, dest), "the new content replaced the old");
	TEST_ASSERT_EQUAL(hvdev_test_count_named(guest, "hvfcopy"), 0, "no temporary file left");
	return TEST_SUCCESS;
}
E2E_CASE(exists)

static int
check_create_path(void)
{
	struct rte_hvsim_fcopy_opts create = { .create_path = true };
	struct rte_hvsim_fcopy_result res;
	char src[PATH_MAX], dest[PATH_MAX];

	TEST_ASSERT(make_src("deep", 5000, 3, src, sizeof(src)) == 0, "src");
	snprintf(dest, sizeof(dest), "%s/a/b/c/deep.bin", guest);
	TEST_ASSERT_EQUAL(copy(src, dest, NULL, &res), 0, "copy");
	TEST_ASSERT_EQUAL(res.hresult, RTE_HVDEV_IC_PATH_NOT_FOUND, "missing path, no create");
	TEST_ASSERT(!hvdev_test_exists(dest), "nothing created");
	TEST_ASSERT_EQUAL(copy(src, dest, &create, &res), 0, "copy");
	TEST_ASSERT_EQUAL(res.hresult, 0, "-CreateFullPath creates every component");
	TEST_ASSERT(hvdev_test_same_file(src, dest), "content");
	return TEST_SUCCESS;
}
E2E_CASE(create_path)

/* ---- Where DestinationPath puts the file (Hyper-V's documented rule) ---- */

static char tree_buf[4096];
static size_t tree_len;
static size_t tree_skip;

static int
tree_add(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	RTE_SET_USED(st);
	RTE_SET_USED(ftw);
	if (strlen(path) > tree_skip)
		tree_len += snprintf(tree_buf + tree_len, sizeof(tree_buf) - tree_len, "%s%s ",
				     path + tree_skip, type == FTW_D ? "/" : "");
	return tree_len >= sizeof(tree_buf) - 1;
}

/*
 * Exactly the entries @p want ("a/ a/f.bin ...", a directory with its '/') beneath the
 * allowed root, in any order: the file is where the rule says, and nothing else is.
 */
static int
check_tree(const char *want)
{
	char w[1024], needle[PATH_MAX], *tok, *save = NULL;
	unsigned int nwant = 0, nhave = 0;
	const char *p;

	tree_buf[0] = ' ';
	tree_buf[1] = '\0';
	tree_len = 1;
	tree_skip = strlen(guest) + 1;
	nftw(guest, tree_add, 16, FTW_PHYS);
	for (p = tree_buf + 1; *p != '\0'; p++)
		nhave += *p == ' ';
	snprintf(w, sizeof(w), "%s", want);
	for (tok = strtok_r(w, " ", &save); tok != NULL; tok = strtok_r(NULL, " ", &save)) {
		nwant++;
		hvdev_test_fmt(needle, sizeof(needle), " %s ", tok);
		TEST_ASSERT(strstr(tree_buf, needle) != NULL, "%s is in the guest (have:%s)", tok,
			    tree_buf);
	}
	TEST_ASSERT_EQUAL(nhave, nwant, "exactly the expected entries (have:%s; want: %s)",
			  tree_buf, want);
	return TEST_SUCCESS;
}

/* A source file named @p name in its own host directory @p sub, so two can share a name. */
static int
make_named_src(const char *sub, const char *name, uint64_t size, uint32_t seed, char *path,
	       size_t len)
{
	char dir[PATH_MAX];

	hvdev_test_fmt(dir, sizeof(dir), "%s/%s", src_dir, sub);
	if (hvdev_test_mkdirs(dir) < 0)
		return -1;
	hvdev_test_fmt(path, len, "%s/%s", dir, name);
	return hvdev_test_make_file(path, size, seed);
}

/* Copy @p src to @p dest (relative to the root, "" for the root) and expect @p hr. */
static int
expect(const char *src, const char *dest, bool create, bool force, uint32_t hr)
{
	struct rte_hvsim_fcopy_opts o = { .create_path = create, .overwrite = force };
	struct rte_hvsim_fcopy_result res;
	char d[PATH_MAX];

	hvdev_test_fmt(d, sizeof(d), "%s%s%s", guest, dest[0] != '\0' ? "/" : "", dest);
	TEST_ASSERT_EQUAL(copy(src, d, &o, &res), 0, "copy to %s", d);
	TEST_ASSERT_EQUAL(res.hresult, hr, "%s%s%s: 0x%08x (%s), want 0x%08x", d,
			  create ? " CREATE_PATH" : "", force ? " OVER_WRITE" : "", res.hresult,
			  rte_hvsim_hresult_message(res.hresult), hr);
	return TEST_SUCCESS;
}

static bool
file_is(const char *rel, const char *src)
{
	char p[PATH_MAX];

	hvdev_test_fmt(p, sizeof(p), "%s/%s", guest, rel);
	return hvdev_test_same_file(src, p);
}

#define PNF RTE_HVDEV_IC_PATH_NOT_FOUND
#define EXISTS RTE_HVDEV_IC_ALREADY_EXISTS

/* DestinationPath ending in '/': a directory, created only with -CreateFullPath. */
static int
check_dest_slash(void)
{
	char a[PATH_MAX], b[PATH_MAX];

	TEST_ASSERT(make_named_src("1", "s.bin", 7000, 1, a, sizeof(a)) == 0, "src");
	TEST_ASSERT(make_named_src("2", "s.bin", 9000, 2, b, sizeof(b)) == 0, "src");
	TEST_RUN(expect(a, "td/", false, false, PNF));
	TEST_RUN(expect(a, "td/", false, true, PNF));
	TEST_RUN(check_tree(""));
	TEST_RUN(expect(a, "td/", true, false, 0));
	TEST_ASSERT(file_is("td/s.bin", a), "td/s.bin holds the source");
	TEST_RUN(expect(b, "td/", true, false, EXISTS));
	TEST_ASSERT(file_is("td/s.bin", a), "kept without -Force");
	TEST_RUN(expect(b, "td/", false, true, 0));
	TEST_ASSERT(file_is("td/s.bin", b), "replaced with -Force");
	TEST_RUN(expect(a, "t1/t2/", true, true, 0));
	TEST_ASSERT(file_is("t1/t2/s.bin", a), "every level created");
	/* The root itself, "/." as a directory too. */
	TEST_RUN(expect(a, "", false, false, 0));
	TEST_ASSERT(file_is("s.bin", a), "DestinationPath = the allowed root");
	TEST_RUN(expect(b, "t1/.", false, false, 0));
	TEST_ASSERT(file_is("t1/s.bin", b), "'t1/.' is the directory t1");
	TEST_RUN(check_tree("td/ td/s.bin t1/ t1/t2/ t1/t2/s.bin s.bin t1/s.bin"));
	return TEST_SUCCESS;
}
E2E_CASE(dest_slash)

/* An existing directory without a trailing '/': the source's name is appended. */
static int
check_dest_dir(void)
{
	char a[PATH_MAX], b[PATH_MAX], d[PATH_MAX];

	TEST_ASSERT(make_named_src("1", "s.bin", 7000, 3, a, sizeof(a)) == 0, "src");
	TEST_ASSERT(make_named_src("2", "s.bin", 5000, 4, b, sizeof(b)) == 0, "src");
	hvdev_test_fmt(d, sizeof(d), "%s/ed/sub", guest);
	TEST_ASSERT(hvdev_test_mkdirs(d) == 0, "mkdir");
	TEST_RUN(expect(a, "ed", false, false, 0));
	TEST_ASSERT(file_is("ed/s.bin", a), "ed/s.bin, not a file named ed");
	TEST_RUN(expect(b, "ed", true, false, EXISTS));
	TEST_ASSERT(file_is("ed/s.bin", a), "kept without -Force");
	TEST_RUN(expect(b, "ed", true, true, 0));
	TEST_ASSERT(file_is("ed/s.bin", b), "replaced with -Force");
	TEST_RUN(expect(a, "ed/sub", false, true, 0));
	TEST_ASSERT(file_is("ed/sub/s.bin", a), "a deeper existing directory");
	/* A directory where the source's name would go is never replaced. */
	hvdev_test_fmt(d, sizeof(d), "%s/ed/s2.bin", guest);
	TEST_ASSERT(mkdir(d, 0755) == 0, "mkdir");
	TEST_ASSERT(make_named_src("3", "s2.bin", 10, 5, a, sizeof(a)) == 0, "src");
	TEST_RUN(expect(a, "ed", true, true, RTE_HVDEV_IC_ACCESS_DENIED));
	TEST_RUN(check_tree("ed/ ed/sub/ ed/s.bin ed/sub/s.bin ed/s2.bin/"));
	return TEST_SUCCESS;
}
E2E_CASE(dest_dir)

/* Any other path is the file itself, renamed; the source's name is not used. */
static int
check_dest_file(void)
{
	char a[PATH_MAX], b[PATH_MAX];

	TEST_ASSERT(make_named_src("1", "s.bin", 7000, 6, a, sizeof(a)) == 0, "src");
	TEST_ASSERT(make_named_src("2", "s.bin", 3000, 7, b, sizeof(b)) == 0, "src");
	TEST_RUN(expect(a, "renamed.iso", false, false, 0));
	TEST_ASSERT(file_is("renamed.iso", a), "the file is renamed.iso");
	TEST_RUN(expect(b, "renamed.iso", false, false, EXISTS));
	TEST_RUN(expect(b, "renamed.iso", true, false, EXISTS));
	TEST_ASSERT(file_is("renamed.iso", a), "kept without -Force");
	TEST_RUN(expect(b, "renamed.iso", false, true, 0));
	TEST_ASSERT(file_is("renamed.iso", b), "the existing file replaced with -Force");
	TEST_RUN(expect(a, "renamed.iso", true, true, 0));
	TEST_ASSERT(file_is("renamed.iso", a), "and with both flags");
	/* An existing file used as a directory ('/'-terminated) is not one. */
	TEST_RUN(expect(a, "renamed.iso/", false, false, PNF));
	TEST_RUN(expect(a, "renamed.iso/", true, true, PNF));
	TEST_RUN(expect(a, "renamed.iso/x.bin", true, true, PNF));
	TEST_ASSERT(file_is("renamed.iso", a), "the file is intact");
	TEST_RUN(check_tree("renamed.iso"));
	return TEST_SUCCESS;
}
E2E_CASE(dest_file)

/* A file name whose parent is missing: the parents only with -CreateFullPath. */
static int
check_dest_new_parent(void)
{
	char a[PATH_MAX];

	TEST_ASSERT(make_named_src("1", "s.bin", 6145, 8, a, sizeof(a)) == 0, "src");
	TEST_RUN(expect(a, "p1/p2/new.bin", false, false, PNF));
	TEST_RUN(expect(a, "p1/p2/new.bin", false, true, PNF));
	TEST_RUN(check_tree(""));
	TEST_RUN(expect(a, "p1/p2/new.bin", true, false, 0));
	TEST_ASSERT(file_is("p1/p2/new.bin", a), "p1/p2/new.bin is the file");
	TEST_RUN(expect(a, "p1/p2/new.bin", true, false, EXISTS));
	TEST_RUN(expect(a, "p1/p3/new.bin", true, true, 0));
	TEST_ASSERT(file_is("p1/p3/new.bin", a), "a sibling, one level created");
	TEST_RUN(check_tree("p1/ p1/p2/ p1/p2/new.bin p1/p3/ p1/p3/new.bin"));
	return TEST_SUCCESS;
}
E2E_CASE(dest_new_parent)

/* destination = directory: hv_fcopy_uio_daemon's rule, path_name always the directory. */
static int
check_dest_legacy(void)
{
	static const char *const extra[] = { "--destination", "directory", NULL };
	char a[PATH_MAX];
	int status;

	status = stop_service();
	TEST_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0, "stopped");
	service_extra = extra;
	TEST_RUN(start_service());
	service_extra = NULL;
	TEST_ASSERT(make_named_src("1", "s.bin", 100, 9, a, sizeof(a)) == 0, "src");
	TEST_RUN(expect(a, "a.iso", false, false, PNF));
	TEST_RUN(expect(a, "a.iso", true, false, 0));
	TEST_ASSERT(file_is("a.iso/s.bin", a), "a.iso is a directory, as the Linux daemon");
	TEST_RUN(expect(a, "", false, true, 0));
	TEST_ASSERT(file_is("s.bin", a), "the root");
	TEST_RUN(check_tree("a.iso/ a.iso/s.bin s.bin"));
	return TEST_SUCCESS;
}
E2E_CASE(dest_legacy)

/* A copy that fails after CREATE_PATH made directories leaves none of them. */
static int
check_dest_cleanup(void)
{
	struct rte_hvsim_fcopy_opts o = { .create_path = true, .cancel_after = 6144 };
	struct rte_hvsim_fcopy_result res;
	char a[PATH_MAX], d[PATH_MAX];

	TEST_ASSERT(make_named_src("1", "s.bin", 100000, 10, a, sizeof(a)) == 0, "src");
	hvdev_test_fmt(d, sizeof(d), "%s/c1/c2/", guest);
	TEST_ASSERT_EQUAL(copy(a, d, &o, &res), 0, "copy");
	TEST_ASSERT(res.cancelled, "cancelled");
	hvdev_test_fmt(d, sizeof(d), "%s/n1/n2/f.bin", guest);
	o.cancel_after = 0;
	o.announce_size_set = true;
	o.announce_size = 1ull << 62;
	TEST_ASSERT_EQUAL(copy(a, d, &o, &res), 0, "copy");
	TEST_ASSERT_EQUAL(res.hresult, RTE_HVDEV_IC_DISK_FULL, "refused at START");
	TEST_RUN(check_tree(""));
	return TEST_SUCCESS;
}
E2E_CASE(dest_cleanup)

static int
check_names(void)
{
	TEST_RUN(copy_ok("h\xc3\xa9llo-\xe6\x97\xa5\xe6\x9c\xac.txt", 123, 4));
	TEST_RUN(copy_ok("emoji-\xf0\x9f\x98\x80.bin", 456, 5));
	return TEST_SUCCESS;
}
E2E_CASE(names)

/* A raw START with the given UTF-16 name and path; returns the status. */
static int
raw_start(const uint16_t *name, unsigned int nlen, const char *path, uint32_t *status)
{
	struct rte_hvdev_fcopy_start st;
	unsigned int i;

	memset(&st, 0, sizeof(st));
	st.hdr.operation = RTE_HVDEV_FCOPY_START;
	memcpy(st.file_name, name, nlen * sizeof(uint16_t));
	for (i = 0; path[i] != '\0' && i < RTE_HVDEV_FCOPY_MAX_PATH - 1; i++)
		st.path_name[i] = (uint8_t)path[i];
	st.copy_flags = RTE_HVDEV_FCOPY_CREATE_PATH;
	st.file_size = 0;
	return rte_hvsim_fcopy_raw(dev, &st, sizeof(st), status, WAIT_MS);
}

static int
cancel_raw(void)
{
	struct rte_hvdev_fcopy_hdr h = { .operation = RTE_HVDEV_FCOPY_CANCEL };
	uint32_t status;

	return rte_hvsim_fcopy_raw(dev, &h, sizeof(h), &status, WAIT_MS);
}

static int
check_bad_names(void)
{
	static const uint16_t lone_high[] = { 'a', 0xd83d, 'b', 0 };
	static const uint16_t lone_low[] = { 0xde00, 0 };
	static const uint16_t dotdot[] = { '.', '.', 0 };
	static const uint16_t slash[] = { 'a', '/', 'b', 0 };
	static const uint16_t empty[] = { 0 };
	uint32_t status;

	TEST_ASSERT_EQUAL(raw_start(lone_high, 4, guest, &status), 0, "raw");
	TEST_ASSERT_EQUAL(status, RTE_HVDEV_IC_INVALIDARG, "lone high surrogate refused");
	TEST_ASSERT_EQUAL(raw_start(lone_low, 2, guest, &status), 0, "raw");
	TEST_ASSERT_EQUAL(status, RTE_HVDEV_IC_INVALIDARG, "lone low surrogate refused");
	TEST_ASSERT_EQUAL(raw_start(dotdot, 3, guest, &status), 0, "raw");
	TEST_ASSERT(status != 0, "'..' as a name refused (0x%08x)", status);
	TEST_ASSERT_EQUAL(raw_start(slash, 4, guest, &status), 0, "raw");
	TEST_ASSERT(status != 0, "separator in a name refused (0x%08x)", status);
	TEST_ASSERT_EQUAL(raw_start(empty, 1, guest, &status), 0, "raw");
	TEST_ASSERT(status != 0, "empty name refused (0x%08x)", status);
	cancel_raw();
	TEST_ASSERT_EQUAL(hvdev_test_count_named(guest, "hvfcopy"), 0, "nothing left behind");
	return TEST_SUCCESS;
}
E2E_CASE(bad_names)

static int
check_traversal(void)
{
	struct rte_hvsim_fcopy_opts create = { .create_path = true };
	struct rte_hvsim_fcopy_result res;
	char src[PATH_MAX], dest[PATH_MAX], outside[PATH_MAX], link[PATH_MAX];

	TEST_ASSERT(make_src("evil", 100, 6, src, sizeof(src)) == 0, "src");
	/* ".." in the path. */
	snprintf(dest, sizeof(dest), "%s/../escaped.txt", guest);
	TEST_ASSERT_EQUAL(copy(src, dest, &create, &res), 0, "copy");
	TEST_ASSERT(res.hresult != 0, "'..' in the path refused");
	snprintf(outside, sizeof(outside), "%s/escaped.txt", root);
	TEST_ASSERT(!hvdev_test_exists(outside), "nothing written outside the allowed root");
	/* Outside the allowed root altogether. */
	snprintf(dest, sizeof(dest), "%s/host/stolen.txt", root);
	TEST_ASSERT_EQUAL(copy(src, dest, &create, &res), 0, "copy");
	TEST_ASSERT_EQUAL(res.hresult, RTE_HVDEV_IC_ACCESS_DENIED, "outside the allowed root");
	TEST_ASSERT(!hvdev_test_exists(dest), "nothing written there");
	/* A symlink inside the allowed root pointing out of it. */
	snprintf(link, sizeof(link), "%s/link", guest);
	TEST_ASSERT(symlink(src_dir, link) == 0, "symlink");
	snprintf(dest, sizeof(dest), "%s/link/via-symlink.txt", guest);
	TEST_ASSERT_EQUAL(copy(src, dest, &create, &res), 0, "copy");
	TEST_ASSERT(res.hresult != 0, "symlink escape refused");
	snprintf(outside, sizeof(outside), "%s/via-symlink.txt", src_dir);
	TEST_ASSERT(!hvdev_test_exists(outside), "nothing written through the symlink");
	return TEST_SUCCESS;
}
E2E_CASE(traversal)

static int
check_cancel(void)
{
	struct rte_hvsim_fcopy_opts opts = { .cancel_after = 30000 };
	struct rte_hvsim_fcopy_result res;
	char src[PATH_MAX], dest[PATH_MAX];

	TEST_ASSERT(make_src("cancelled", 200000, 7, src, sizeof(src)) == 0, "src");
	snprintf(dest, sizeof(dest), "%s/cancelled.bin", guest);
	TEST_ASSERT_EQUAL(copy(src, dest, &opts, &res), 0, "copy");
	TEST_ASSERT(res.cancelled, "the host cancelled");
	TEST_ASSERT(!hvdev_test_exists(dest), "nothing under the final name");
	TEST_ASSERT_EQUAL(hvdev_test_count_named(guest, "hvfcopy"), 0, "temporary file removed");
	TEST_RUN(copy_ok("after-cancel.bin", 5000, 8));
	return TEST_SUCCESS;
}
E2E_CASE(cancel)

static int
check_short(void)
{
	struct rte_hvsim_fcopy_opts opts = { .announce_size_set = true, .announce_size = 9000 };
	struct rte_hvsim_fcopy_result res;
	char src[PATH_MAX], dest[PATH_MAX];

	TEST_ASSERT(make_src("short", 5000, 9, src, sizeof(src)) == 0, "src");
	snprintf(dest, sizeof(dest), "%s/short.bin", guest);
	TEST_ASSERT_EQUAL(copy(src, dest, &opts, &res), 0, "copy");
	TEST_ASSERT(res.hresult != 0, "fewer bytes than announced is an error");
	TEST_ASSERT_EQUAL(res.failed_op, RTE_HVDEV_FCOPY_COMPLETE, "at COMPLETE");
	TEST_ASSERT(!hvdev_test_exists(dest), "no short file under the final name");
	TEST_ASSERT_EQUAL(hvdev_test_count_named(guest, "hvfcopy"), 0, "temporary file removed");
	return TEST_SUCCESS;
}
E2E_CASE(short)

/* An old file being overwritten survives a failed copy. */
static int
check_overwrite_fails(void)
{
	struct rte_hvsim_fcopy_opts opts = { .overwrite = true, .cancel_after = 12288 };
	struct rte_hvsim_fcopy_result res;
	char old[PATH_MAX], src[PATH_MAX], dest[PATH_MAX];

	TEST_RUN(copy_ok("keep.bin", 7000, 10));
	snprintf(old, sizeof(old), "%s/keep.bin", src_dir);
	TEST_ASSERT(make_src("replacement", 100000, 11, src, sizeof(src)) == 0, "src");
	snprintf(dest, sizeof(dest), "%s/keep.bin", guest);
	TEST_ASSERT_EQUAL(copy(src, dest, &opts, &res), 0, "copy");
	TEST_ASSERT(res.cancelled, "cancelled mid-copy");
	TEST_ASSERT(hvdev_test_same_file(old, dest), "the old file is intact");
	return TEST_SUCCESS;
}
E2E_CASE(overwrite_fails)

static int
mount_small_tmpfs(const char *opts)
{
	return mount("hvdev-test", guest, "tmpfs", 0, opts);
}

static int
check_disk_full(void)
{
	struct rte_hvsim_fcopy_result res;
	char src[PATH_MAX], dest[PATH_MAX];

	if (mount_small_tmpfs("size=1m") < 0) {
		printf("skipped: cannot mount a small tmpfs here (%s)\n", strerror(errno));
		return TEST_SKIPPED;
	}
	TEST_ASSERT(make_src("huge", 4u << 20, 12, src, sizeof(src)) == 0, "src");
	snprintf(dest, sizeof(dest), "%s/huge.bin", guest);
	TEST_ASSERT_EQUAL(copy(src, dest, NULL, &res), 0, "copy");
	TEST_ASSERT_EQUAL(res.hresult, RTE_HVDEV_IC_DISK_FULL, "disk full (%s)",
			  rte_hvsim_hresult_message(res.hresult));
	TEST_ASSERT(!hvdev_test_exists(dest), "nothing under the final name");
	TEST_ASSERT_EQUAL(hvdev_test_count_named(guest, "hvfcopy"), 0, "temporary file removed");
	return TEST_SUCCESS;
}
E2E_CASE(disk_full)

static int
check_read_only(void)
{
	struct rte_hvsim_fcopy_result res;
	char src[PATH_MAX], dest[PATH_MAX];

	if (mount("hvdev-test", guest, "tmpfs", MS_RDONLY, "size=1m") < 0) {
		printf("skipped: cannot mount a read-only tmpfs here (%s)\n", strerror(errno));
		return TEST_SKIPPED;
	}
	TEST_ASSERT(make_src("ro", 100, 13, src, sizeof(src)) == 0, "src");
	snprintf(dest, sizeof(dest), "%s/ro.bin", guest);
	TEST_ASSERT_EQUAL(copy(src, dest, NULL, &res), 0, "copy");
	TEST_ASSERT_EQUAL(res.hresult, RTE_HVDEV_IC_ACCESS_DENIED, "read-only target (%s)",
			  rte_hvsim_hresult_message(res.hresult));
	return TEST_SUCCESS;
}
E2E_CASE(read_only)

static uint64_t trigger_at;
static int trigger_done;

static void
rescind_at(uint64_t done, uint64_t total, void *arg)
{
	RTE_SET_USED(total);
	RTE_SET_USED(arg);
	if (!trigger_done && done >= trigger_at) {
		trigger_done = 1;
		rte_hvsim_rescind(dev);
	}
}

static int
check_rescind(void)
{
	struct rte_hvsim_fcopy_opts opts = { .progress = rescind_at, .timeout_ms = 3000 };
	struct rte_hvsim_fcopy_result res;
	char src[PATH_MAX], dest[PATH_MAX];

	trigger_at = 30000;
	trigger_done = 0;
	TEST_ASSERT(make_src("rescinded", 300000, 14, src, sizeof(src)) == 0, "src");
	snprintf(dest, sizeof(dest), "%s/rescinded.bin", guest);
	TEST_ASSERT(copy(src, dest, &opts, &res) != 0 || res.hresult != 0, "copy failed");
	TEST_ASSERT(trigger_done, "rescinded mid-copy");
	TEST_ASSERT(!hvdev_test_exists(dest), "nothing under the final name");
	usleep(300000);
	TEST_ASSERT_EQUAL(hvdev_test_count_named(guest, "hvfcopy"), 0,
				  "temporary file removed on rescind");
	/* Guest Services back on: the same service process serves again. */
	TEST_ASSERT_EQUAL(rte_hvsim_reoffer(dev), 0, "re-offer");
	TEST_ASSERT_EQUAL(rte_hvsim_wait_open(dev, true, WAIT_MS), 0, "service reattached");
	TEST_ASSERT_EQUAL(rte_hvsim_ic_wait(dev, WAIT_MS), 0, "negotiated again");
	TEST_RUN(copy_ok("after-rescind.bin", 50000, 15));
	return TEST_SUCCESS;
}
E2E_CASE(rescind)

static void
kill_at(uint64_t done, uint64_t total, void *arg)
{
	RTE_SET_USED(total);
	RTE_SET_USED(arg);
	if (!trigger_done && done >= trigger_at) {
		trigger_done = 1;
		kill(service, SIGKILL);
	}
}

static int
check_kill9(void)
{
	struct rte_hvsim_fcopy_opts opts = { .progress = kill_at, .timeout_ms = 2000 };
	struct rte_hvsim_fcopy_result res;
	char src[PATH_MAX], dest[PATH_MAX];
	int status;

	trigger_at = 30000;
	trigger_done = 0;
	TEST_ASSERT(make_src("killed", 300000, 16, src, sizeof(src)) == 0, "src");
	snprintf(dest, sizeof(dest), "%s/killed.bin", guest);
	TEST_ASSERT(copy(src, dest, &opts, &res) != 0 || res.hresult != 0, "copy failed");
	TEST_ASSERT(trigger_done, "service killed mid-copy");
	waitpid(service, &status, 0);
	service = -1;
	TEST_ASSERT(!hvdev_test_exists(dest), "nothing under the final name after kill -9");
	TEST_ASSERT_EQUAL(rte_hvsim_wait_open(dev, false, WAIT_MS), 0, "host saw the close");
	TEST_RUN(start_service());
	TEST_ASSERT_EQUAL(hvdev_test_count_named(guest, "hvfcopy"), 0,
			  "the restarted service removed the leftover");
	TEST_ASSERT(!hvdev_test_exists(dest), "still nothing under the final name");
	TEST_RUN(copy_ok("after-restart.bin", 50000, 17));
	return TEST_SUCCESS;
}
E2E_CASE(kill9)

/* Context switches of every thread of @p pid so far, or UINT64_MAX if unreadable. */
static uint64_t
process_switches(pid_t pid)
{
	char dir[64], path[PATH_MAX], line[256];
	struct dirent *de;
	uint64_t v;
	uint64_t sum = 0;
	FILE *f;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/task", (int)pid);
	d = opendir(dir);
	if (d == NULL)
		return UINT64_MAX;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		hvdev_test_fmt(path, sizeof(path), "%s/%s/status", dir, de->d_name);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		while (fgets(line, sizeof(line), f) != NULL)
			if (sscanf(line, "voluntary_ctxt_switches: %" SCNu64, &v) == 1 ||
			    sscanf(line, "nonvoluntary_ctxt_switches: %" SCNu64, &v) == 1)
				sum += v;
		fclose(f);
	}
	closedir(d);
	return sum;
}

/*
 * An idle service makes no wake-up at all (no timer; a stop signal interrupts its wait), and
 * still stops at once on SIGTERM.
 */
static int
check_idle_quiet(void)
{
	uint64_t before, after, t0, stop_ms;
	int status;

	TEST_RUN(copy_ok("before-idle.bin", 20000, 23));
	usleep(300000);
	before = process_switches(service);
	usleep(2000000);
	after = process_switches(service);
	TEST_ASSERT(before != UINT64_MAX && after != UINT64_MAX, "read /proc of the service");
	TEST_ASSERT_EQUAL(after - before, 0, "context switches of the idle service in 2 s");
	t0 = hvdev_test_now_us();
	status = stop_service();
	stop_ms = (hvdev_test_now_us() - t0) / 1000;
	TEST_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0, "stopped on SIGTERM (0x%x)",
		    status);
	TEST_ASSERT(stop_ms < 1000, "SIGTERM took %" PRIu64 " ms", stop_ms);
	printf("idle 2 s: 0 context switches; SIGTERM to exit: %" PRIu64 " ms\n", stop_ms);
	/* Running again for the teardown, and still serving. */
	TEST_RUN(start_service());
	TEST_RUN(copy_ok("after-restart.bin", 7000, 29));
	return TEST_SUCCESS;
}
E2E_CASE(idle_quiet)

static const struct hvdev_test_case cases[] = {
	HVDEV_CASE(sizes, test_sizes),
	HVDEV_CASE(big, test_big),
	HVDEV_CASE(many, test_many),
	HVDEV_CASE(exists, test_exists),
	HVDEV_CASE(create_path, test_create_path),
	HVDEV_CASE(dest_slash, test_dest_slash),
	HVDEV_CASE(dest_dir, test_dest_dir),
	HVDEV_CASE(dest_file, test_dest_file),
	HVDEV_CASE(dest_new_parent, test_dest_new_parent),
	HVDEV_CASE(dest_legacy, test_dest_legacy),
	HVDEV_CASE(dest_cleanup, test_dest_cleanup),
	HVDEV_CASE(names, test_names),
	HVDEV_CASE(bad_names, test_bad_names),
	HVDEV_CASE(traversal, test_traversal),
	HVDEV_CASE(cancel, test_cancel),
	HVDEV_CASE(short_copy, test_short),
	HVDEV_CASE(overwrite_fails, test_overwrite_fails),
	HVDEV_CASE(disk_full, test_disk_full),
	HVDEV_CASE(read_only, test_read_only),
	HVDEV_CASE(rescind, test_rescind),
	HVDEV_CASE(kill9, test_kill9),
	HVDEV_CASE(idle_quiet, test_idle_quiet),
};

int
main(int argc, char **argv)
{
	return hvdev_test_main(argc, argv, cases, RTE_DIM(cases));
}
