/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * dpdk-hv-fcopy's message handler (fcopy_proto_ops under the IC runner, through
 * rte_hvdev_ic_service_handle()) over sequences of host messages,
 * against a real scratch directory.
 *
 * Layout, made once per process under $TMPDIR (or /tmp):
 *	TOP/scratch/root	the only allowed root; rebuilt for every input with existing.txt,
 *				sub/, up -> .. and abs -> TOP/outside
 *	TOP/scratch		sentinel.txt, dir/inner.txt, out -> TOP/outside
 *	TOP/outside		keep.txt
 *	TOP/state		the in-flight record (fcopy_state)
 * A path in a START that begins with "/@" is rewritten to begin with TOP/scratch, so that
 * inputs (and the committed corpus) reach the scratch tree whatever TOP is.
 *
 * Input: records [u8 kind][u16 length][bytes]. kind & 3: 0, the bytes are a whole payload;
 * 1, they are an fcopy body, given a correct IC header (transaction id kind >> 2); 2, a START
 * from [u32 flags][u64 size][path bytes NUL name bytes] (a byte is a unit; 0xfe lo hi is any
 * unit); 3, the channel event bytes[0] & 3: 0 rescind (the copy is abandoned), 1 new channel,
 * 2 a correct NEGOTIATE.
 * Announced sizes between 16 MiB and 2^50 are cut to 24 bits: the service reserves the
 * announced size, and the fuzzer must not fill the disk.
 *
 * Properties:
 * - every answer keeps the payload length (nothing written beyond it: exact-size copies under
 *   AddressSanitizer), the pipe header, the type and the transaction id, and says RESPONSE;
 * - icmsgsize bounds every body: an accepted START has icmsgsize >= 1088, an accepted WRITE
 *   icmsgsize >= 52 + size, an accepted COMPLETE icmsgsize >= 36 (the payload's padding to 8
 *   bytes never stands in for bytes the message does not carry);
 * - an accepted WRITE lies inside [0, announced size);
 * - a COMPLETE is accepted only when accepted WRITEs covered every byte of the announced size
 *   (bytes counted once, whatever the order and repeats);
 * - after every input, nothing outside TOP/scratch/root was created, removed or changed
 *   (names, types, sizes, modes, inodes, link counts, times, link targets, contents);
 * - after every input, every regular file under the root is existing.txt untouched or a file
 *   that a COMPLETE answered S_OK published, with exactly the bytes the accepted WRITEs put
 *   there (a shadow copy), mode 0644; no temporary file is left once the copy is abandoned;
 *   no file of another type appears.
 */

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <rte_common.h>
#include <rte_hvdev_fcopy.h>
#include <rte_hvdev_ic.h>

#include "fcopy_deliver.h"
#include "fcopy_policy.h"
#include "fcopy_proto.h"
#include "fcopy_state.h"
#include "fcopy_stats.h"
#include "fuzz_common.h"

#define HDR RTE_HVDEV_IC_HDR_SIZE
#define START_SIZE sizeof(struct rte_hvdev_fcopy_start)
#define OFF_PATH (HDR + offsetof(struct rte_hvdev_fcopy_start, path_name))
#define OFF_FSIZE (HDR + offsetof(struct rte_hvdev_fcopy_start, file_size))
#define OFF_FLAGS (HDR + offsetof(struct rte_hvdev_fcopy_start, copy_flags))
#define OFF_NAME (HDR + offsetof(struct rte_hvdev_fcopy_start, file_name))
#define OFF_WOFFSET (HDR + offsetof(struct rte_hvdev_fcopy_write, offset))
#define OFF_WSIZE (HDR + offsetof(struct rte_hvdev_fcopy_write, size))
#define OFF_WDATA (HDR + offsetof(struct rte_hvdev_fcopy_write, data))
#define UNITS RTE_HVDEV_FCOPY_MAX_PATH
#define SHADOW_MAX (16u << 20)
#define EXISTING "existing"
#define SNAP_MAX 8192

struct published {
	char rel[PATH_MAX];
	uint64_t size;
	uint64_t hash;
};

static char top[64], scratch[128], root[160], outside[128], statedir[128];
static char snap_before[SNAP_MAX], snap_now[SNAP_MAX];
static size_t snap_len;
static struct fcopy_config cfg;
static struct fcopy_state state;
static struct fcopy_deliver dlv;
static struct fcopy_stats stats;
static struct fcopy_proto proto;
static struct rte_hvdev_ic_service *ic;

/* The copy in progress as the harness sees it, and what was published this input. */
static uint8_t *shadow;
static uint64_t shadow_size;
static uint8_t *seen;		/* one bit per byte of the shadow: written by an accepted WRITE */
static uint64_t covered;	/* bits set in seen[] */
static struct published *pub;
static unsigned int npub;

static uint64_t
fnv(const uint8_t *p, size_t n, uint64_t h)
{
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

static uint64_t
file_hash(const char *path, uint64_t *size)
{
	uint64_t h = 0xcbf29ce484222325ull;
	uint8_t buf[65536];
	ssize_t n;
	int fd;

	*size = 0;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	FUZZ_ASSERT(fd >= 0, "%s: %s", path, strerror(errno));
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		h = fnv(buf, (size_t)n, h);
		*size += (uint64_t)n;
	}
	close(fd);
	return h;
}

static void
put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	FUZZ_ASSERT(f != NULL && fputs(text, f) >= 0 && fclose(f) == 0, "%s", path);
}

static void
mkdir_or_die(const char *path)
{
	FUZZ_ASSERT(mkdir(path, 0755) == 0, "mkdir %s: %s", path, strerror(errno));
}

static void
fmt(char *buf, size_t len, const char *a, const char *b)
{
	FUZZ_ASSERT((size_t)snprintf(buf, len, "%s/%s", a, b) < len, "path too long");
}

/* One line per entry outside the root: what must never change. */
static int
snap_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	char line[PATH_MAX + 256], link[PATH_MAX];
	uint64_t size = 0, h = 0;
	int len, ret = FTW_CONTINUE;
	ssize_t n;

	RTE_SET_USED(type);
	if (strcmp(path, root) == 0)
		return FTW_SKIP_SUBTREE;
	if (strcmp(path, statedir) == 0)
		ret = FTW_SKIP_SUBTREE;
	link[0] = '\0';
	if (S_ISLNK(st->st_mode)) {
		n = readlink(path, link, sizeof(link) - 1);
		link[n > 0 ? n : 0] = '\0';
	} else if (S_ISREG(st->st_mode)) {
		h = file_hash(path, &size);
	}
	/*
	 * TOP, the scratch directory holding the root (rebuilt for every input) and the state
	 * directory change legitimately: only their names, modes and inodes count.
	 */
	if (ftw->level == 0 || strcmp(path, scratch) == 0 || ret == FTW_SKIP_SUBTREE)
		len = snprintf(line, sizeof(line), "%s %o %" PRIu64 "\n", path, st->st_mode,
			       (uint64_t)st->st_ino);
	else
		len = snprintf(line, sizeof(line), "%s %o %" PRIu64 " %" PRIu64 " %" PRId64
			       " %" PRId64 ".%09d %" PRId64 ".%09d %s %" PRIx64 "\n", path,
			       st->st_mode, (uint64_t)st->st_ino, (uint64_t)st->st_nlink,
			       (int64_t)st->st_size, (int64_t)st->st_mtim.tv_sec,
			       (int)st->st_mtim.tv_nsec, (int64_t)st->st_ctim.tv_sec,
			       (int)st->st_ctim.tv_nsec, link, h);
	FUZZ_ASSERT(len > 0 && snap_len + (size_t)len < SNAP_MAX, "snapshot too long");
	memcpy(snap_now + snap_len, line, (size_t)len);
	snap_len += (size_t)len;
	return ret;
}

static void
snapshot(void)
{
	snap_len = 0;
	FUZZ_ASSERT(nftw(top, snap_entry, 16, FTW_PHYS | FTW_ACTIONRETVAL) == 0, "walk %s",
		    top);
	snap_now[snap_len] = '\0';
}

static int
rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	RTE_SET_USED(st);
	RTE_SET_USED(ftw);
	if (type == FTW_DP)
		return rmdir(path);
	return unlink(path);
}

static void
rm_tree(const char *path)
{
	if (access(path, F_OK) == 0 || errno != ENOENT)
		FUZZ_ASSERT(nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS) == 0, "rm %s", path);
}

static void
make_root(void)
{
	char p[PATH_MAX];

	mkdir_or_die(root);
	fmt(p, sizeof(p), root, "existing.txt");
	put_file(p, EXISTING);
	fmt(p, sizeof(p), root, "sub");
	mkdir_or_die(p);
	fmt(p, sizeof(p), root, "up");
	FUZZ_ASSERT(symlink("..", p) == 0, "symlink");
	fmt(p, sizeof(p), root, "abs");
	FUZZ_ASSERT(symlink(outside, p) == 0, "symlink");
}

/*
 * A fresh runner: nothing negotiated. Requests before a NEGOTIATE are served as well
 * (RTE_HVDEV_IC_SERVICE_F_UNNEGOTIATED), so that the corpus reaches the handler without one.
 */
static void
new_channel(void)
{
	static const struct rte_hvdev_ic_service_conf conf = {
		.dev_id = -1,
		.flags = RTE_HVDEV_IC_SERVICE_F_UNNEGOTIATED | RTE_HVDEV_IC_SERVICE_F_NO_TELEMETRY,
	};

	rte_hvdev_ic_service_destroy(ic);
	ic = rte_hvdev_ic_service_create(&fcopy_proto_ops, &proto, &conf);
	FUZZ_ASSERT(ic != NULL, "IC service");
}

static void
cleanup(void)
{
	rte_hvdev_ic_service_destroy(ic);
	ic = NULL;
	fcopy_proto_abandon(&proto, "fuzz harness exit");
	fcopy_state_close(&state);
	fcopy_config_free(&cfg);
	rm_tree(top);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");
	char p[PATH_MAX], err[256];

	RTE_SET_USED(argc);
	RTE_SET_USED(argv);
	fuzz_quiet_logs();
	FUZZ_ASSERT((size_t)snprintf(top, sizeof(top), "%s/hvdev-fuzz-XXXXXX",
				     tmp != NULL && tmp[0] == '/' && strlen(tmp) < 40 ? tmp :
				     "/tmp") < sizeof(top), "TMPDIR");
	FUZZ_ASSERT(mkdtemp(top) != NULL, "mkdtemp: %s", strerror(errno));
	fmt(scratch, sizeof(scratch), top, "scratch");
	fmt(root, sizeof(root), scratch, "root");
	fmt(outside, sizeof(outside), top, "outside");
	mkdir_or_die(scratch);
	mkdir_or_die(outside);
	fmt(p, sizeof(p), outside, "keep.txt");
	put_file(p, "outside");
	fmt(p, sizeof(p), scratch, "sentinel.txt");
	put_file(p, "sentinel");
	fmt(p, sizeof(p), scratch, "dir");
	mkdir_or_die(p);
	fmt(p, sizeof(p), scratch, "dir/inner.txt");
	put_file(p, "inner");
	fmt(p, sizeof(p), scratch, "out");
	FUZZ_ASSERT(symlink(outside, p) == 0, "symlink");
	fmt(statedir, sizeof(statedir), top, "state");
	FUZZ_ASSERT(fcopy_config_init(&cfg) == 0, "config");
	FUZZ_ASSERT(fcopy_config_set(&cfg, "allowed_root", root, FCOPY_SRC_CMDLINE, "fuzz",
				     err, sizeof(err)) == 0 &&
		    fcopy_config_set(&cfg, "fsync", "no", FCOPY_SRC_CMDLINE, "fuzz", err,
				     sizeof(err)) == 0, "%s", err);
	FUZZ_ASSERT(fcopy_state_open(&state, statedir, false, err, sizeof(err)) == 0, "%s", err);
	fcopy_deliver_init(&dlv, &cfg.policy, &state);
	fcopy_stats_init(&stats);
	fcopy_proto_init(&proto, &dlv, &stats);
	new_channel();
	atexit(cleanup);
	make_root();
	snapshot();
	memcpy(snap_before, snap_now, snap_len + 1);
	return 0;
}

static uint16_t
unit_at(const uint8_t *p, size_t i)
{
	uint16_t u;

	memcpy(&u, p + 2 * i, sizeof(u));
	return u;
}

static void
unit_put(uint8_t *p, size_t i, uint16_t u)
{
	memcpy(p + 2 * i, &u, sizeof(u));
}

/* "/@..." in a START's path becomes TOP/scratch...; sizes that would fill the disk are cut. */
static void
rewrite_start(uint8_t *msg, uint32_t len)
{
	uint16_t units[UNITS];
	uint64_t size;
	size_t n, i, k;
	uint16_t op;

	if (len < HDR + START_SIZE)
		return;
	memcpy(&op, msg + offsetof(struct rte_hvdev_ic_hdr, icmsgtype), sizeof(op));
	if (op != RTE_HVDEV_IC_MSG_FCOPY || msg[HDR] != RTE_HVDEV_FCOPY_START ||
	    msg[HDR + 1] != 0 || msg[HDR + 2] != 0 || msg[HDR + 3] != 0)
		return;
	memcpy(&size, msg + OFF_FSIZE, sizeof(size));
	if (size > SHADOW_MAX && size < (1ull << 50)) {
		size &= SHADOW_MAX - 1;
		memcpy(msg + OFF_FSIZE, &size, sizeof(size));
	}
	if (unit_at(msg + OFF_PATH, 0) != '/' || unit_at(msg + OFF_PATH, 1) != '@')
		return;
	n = strlen(scratch);
	for (i = 0; i < n; i++)
		units[i] = (uint8_t)scratch[i];
	for (k = 2; i < UNITS; i++, k++)
		units[i] = k < UNITS ? unit_at(msg + OFF_PATH, k) : 0;
	for (i = 0; i < UNITS; i++)
		unit_put(msg + OFF_PATH, i, units[i]);
}

static void
shadow_drop(void)
{
	free(shadow);
	free(seen);
	shadow = NULL;
	seen = NULL;
	shadow_size = 0;
	covered = 0;
}

static void
shadow_write(uint64_t offset, const uint8_t *data, uint32_t n)
{
	uint64_t i;

	memcpy(shadow + offset, data, n);
	for (i = offset; i < offset + n; i++) {
		if (seen[i / 8] & (1u << (i % 8)))
			continue;
		seen[i / 8] |= (uint8_t)(1u << (i % 8));
		covered++;
	}
}

/* The published file's path below the root; a COMPLETE that succeeded outside it fails. */
static const char *
target_rel(void)
{
	size_t n = strlen(root);

	FUZZ_ASSERT(strncmp(dlv.target, root, n) == 0 && dlv.target[n] == '/',
		    "published %s, outside the root %s", dlv.target, root);
	return dlv.target + n + 1;
}

static void
record_published(void)
{
	const char *rel = target_rel();
	uint64_t h = fnv(shadow, shadow_size, 0xcbf29ce484222325ull);
	unsigned int i;

	for (i = 0; i < npub; i++)
		if (strcmp(pub[i].rel, rel) == 0)
			break;
	if (i == npub) {
		pub = realloc(pub, (npub + 1) * sizeof(*pub));
		FUZZ_ASSERT(pub != NULL, "out of memory");
		npub++;
	}
	snprintf(pub[i].rel, sizeof(pub[i].rel), "%s", rel);
	pub[i].size = shadow_size;
	pub[i].hash = h;
}

/* What the handler did with one message, from the harness's own reading of it. */
struct sent {
	bool fcopy;		/* a well-framed fcopy message */
	uint16_t body;		/* icmsgsize */
	uint32_t op;
	uint64_t offset;	/* WRITE */
	uint32_t size;		/* WRITE */
	const uint8_t *data;	/* WRITE */
};

static void
classify(const uint8_t *msg, uint32_t len, struct sent *s)
{
	uint16_t type, body;

	memset(s, 0, sizeof(*s));
	if (len < HDR + sizeof(struct rte_hvdev_fcopy_hdr))
		return;
	memcpy(&type, msg + offsetof(struct rte_hvdev_ic_hdr, icmsgtype), sizeof(type));
	memcpy(&body, msg + offsetof(struct rte_hvdev_ic_hdr, icmsgsize), sizeof(body));
	if (type != RTE_HVDEV_IC_MSG_FCOPY || body > len - HDR)
		return;
	s->fcopy = true;
	s->body = body;
	memcpy(&s->op, msg + HDR, sizeof(s->op));
	if (s->op == RTE_HVDEV_FCOPY_WRITE && len >= OFF_WDATA) {
		memcpy(&s->offset, msg + OFF_WOFFSET, sizeof(s->offset));
		memcpy(&s->size, msg + OFF_WSIZE, sizeof(s->size));
		s->data = msg + OFF_WDATA;
	}
}

/* Hand one payload (an exact-size private copy) to the handler and check its answer. */
static void
deliver(const uint8_t *in, uint32_t len)
{
	struct rte_hvdev_ic_hdr before, after;
	struct sent s;
	uint32_t status, resp_len;
	uint8_t *msg;

	msg = malloc(len > 0 ? len : 1);
	FUZZ_ASSERT(msg != NULL, "out of memory");
	memcpy(msg, in, len);
	rewrite_start(msg, len);
	classify(msg, len, &s);
	if (len >= HDR)
		memcpy(&before, msg, sizeof(before));
	if (rte_hvdev_ic_service_handle(ic, msg, len, len, &resp_len) != 1) {
		FUZZ_ASSERT(len < HDR, "a %u-byte payload dropped", len);
		free(msg);
		return;
	}
	FUZZ_ASSERT(len >= HDR, "a %u-byte payload answered", len);
	FUZZ_ASSERT(resp_len == len, "answer of %u bytes to %u", resp_len, len);
	memcpy(&after, msg, sizeof(after));
	FUZZ_ASSERT(after.icflags == (RTE_HVDEV_IC_FLAG_TRANSACTION |
				      RTE_HVDEV_IC_FLAG_RESPONSE), "answer flags %#x",
		    after.icflags);
	FUZZ_ASSERT(after.ictransaction_id == before.ictransaction_id &&
		    after.pipe_flags == before.pipe_flags &&
		    after.pipe_msgsize == before.pipe_msgsize &&
		    after.icmsgtype == before.icmsgtype, "answer header changed");
	if (after.icmsgtype != RTE_HVDEV_IC_MSG_NEGOTIATE)
		FUZZ_ASSERT(after.icmsgsize == before.icmsgsize, "icmsgsize changed");
	status = after.status;
	/* Follow the copy in a shadow buffer. */
	if (s.fcopy && status == RTE_HVDEV_IC_S_OK && s.op == RTE_HVDEV_FCOPY_START) {
		shadow_drop();
		FUZZ_ASSERT(dlv.active && dlv.size <= SHADOW_MAX, "START accepted %" PRIu64
			    " bytes", dlv.size);
		FUZZ_ASSERT(s.body >= START_SIZE, "START of %u bytes accepted", s.body);
		shadow_size = dlv.size;
		shadow = calloc(1, shadow_size > 0 ? shadow_size : 1);
		seen = calloc(1, shadow_size / 8 + 1);
		FUZZ_ASSERT(shadow != NULL && seen != NULL, "out of memory");
	} else if (s.fcopy && status == RTE_HVDEV_IC_S_OK && s.op == RTE_HVDEV_FCOPY_WRITE) {
		FUZZ_ASSERT(dlv.active && shadow != NULL, "WRITE accepted with no copy");
		FUZZ_ASSERT(s.size <= RTE_HVDEV_FCOPY_DATA_MAX &&
			    s.body >= OFF_WDATA - HDR + s.size, "WRITE of %u bytes accepted from a "
			    "%u-byte body", s.size, s.body);
		FUZZ_ASSERT(s.offset <= shadow_size && s.size <= shadow_size - s.offset,
			    "WRITE [%" PRIu64 ", +%u) accepted past the announced %" PRIu64
			    " bytes", s.offset, s.size, shadow_size);
		shadow_write(s.offset, s.data, s.size);
	} else if (s.fcopy && status == RTE_HVDEV_IC_S_OK && s.op == RTE_HVDEV_FCOPY_COMPLETE) {
		FUZZ_ASSERT(shadow != NULL && !dlv.active, "COMPLETE accepted with no copy");
		FUZZ_ASSERT(s.body >= sizeof(struct rte_hvdev_fcopy_hdr), "COMPLETE of %u bytes "
			    "accepted", s.body);
		FUZZ_ASSERT(covered == shadow_size, "COMPLETE accepted with %" PRIu64 " of %"
			    PRIu64 " bytes written", covered, shadow_size);
		record_published();
	}
	if (!dlv.active)
		shadow_drop();
	free(msg);
}

/* An fcopy body with a correct IC header around it, padded to 8 as VMBus does. */
static void
deliver_wrapped(const uint8_t *body, uint32_t blen, uint8_t xact)
{
	struct rte_hvdev_ic_hdr h = {
		.pipe_msgsize = blen + HDR - RTE_HVDEV_IC_PIPE_HDR_SIZE,
		.icverframe = { 3, 0 },
		.icmsgtype = RTE_HVDEV_IC_MSG_FCOPY,
		.icvermsg = { 1, 1 },
		.icmsgsize = (uint16_t)blen,
		.ictransaction_id = xact,
		.icflags = RTE_HVDEV_IC_FLAG_TRANSACTION | RTE_HVDEV_IC_FLAG_REQUEST,
	};
	uint32_t len = RTE_ALIGN_CEIL(HDR + blen, 8u);
	uint8_t *msg = calloc(1, len);

	FUZZ_ASSERT(msg != NULL, "out of memory");
	memcpy(msg, &h, sizeof(h));
	memcpy(msg + HDR, body, blen);
	deliver(msg, len);
	free(msg);
}

/* START from [u32 flags][u64 size][path NUL name]: a byte is a unit, 0xfe lo hi any unit. */
static void
deliver_start(const uint8_t *p, uint32_t n, uint8_t xact)
{
	struct rte_hvdev_fcopy_start st;
	uint16_t *dst = st.path_name;
	uint32_t i = 12, k = 0;
	uint16_t u;

	memset(&st, 0, sizeof(st));
	st.hdr.operation = RTE_HVDEV_FCOPY_START;
	if (n >= 12) {
		memcpy(&st.copy_flags, p, sizeof(st.copy_flags));
		memcpy(&st.file_size, p + 4, sizeof(st.file_size));
	}
	for (; i < n; i++) {
		u = p[i];
		if (u == 0xfe && i + 2 < n) {
			u = (uint16_t)(p[i + 1] | (p[i + 2] << 8));
			i += 2;
		} else if (u == 0 && dst == st.path_name) {
			dst[k] = 0;
			dst = st.file_name;
			k = 0;
			continue;
		}
		if (k < UNITS - 1)
			dst[k++] = u;
	}
	deliver_wrapped((const uint8_t *)&st, sizeof(st), xact);
}

static void
deliver_event(uint8_t ev)
{
	static const struct rte_hvdev_ic_version fw[] = { { 3, 0 } };
	static const struct rte_hvdev_ic_version srv[] = { { 1, 1 } };
	uint8_t msg[RTE_HVDEV_IC_NEGOTIATE_SIZE(1, 1)];
	struct rte_hvdev_ic_service_info info;
	int len;

	switch (ev & 3) {
	case 0:
		fcopy_proto_abandon(&proto, "rescinded (fuzz)");
		FUZZ_ASSERT(!dlv.active, "still active after abandon");
		shadow_drop();
		break;
	case 1:
		/* A new channel: the old one's copy is gone, nothing is negotiated. */
		fcopy_proto_abandon(&proto, "new channel (fuzz)");
		shadow_drop();
		new_channel();
		break;
	default:
		len = rte_hvdev_ic_make_negotiate(msg, sizeof(msg), fw, 1, srv, 1);
		FUZZ_ASSERT(len > 0, "make_negotiate");
		deliver(msg, (uint32_t)len);
		FUZZ_ASSERT(rte_hvdev_ic_service_info_get(ic, &info) == 0 && info.negotiated &&
			    info.state == RTE_HVDEV_IC_SERVICE_READY, "a correct NEGOTIATE failed");
		break;
	}
}

static int
check_root_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	const char *rel = path + strlen(root) + 1, *base = path + ftw->base;
	uint64_t size, h;
	unsigned int i;

	RTE_SET_USED(type);
	if (ftw->level == 0 || S_ISDIR(st->st_mode))
		return 0;
	for (i = 0; i < npub; i++)
		if (strcmp(pub[i].rel, rel) == 0)
			break;
	/* The host may name a file like a temporary one: only unpublished ones are left over. */
	FUZZ_ASSERT(i < npub || !fcopy_deliver_is_tmp_name(base), "temporary file %s left behind",
		    path);
	if (i == npub) {
		/* Not published: one of the fixtures, as it was made. */
		if (strcmp(rel, "up") == 0 || strcmp(rel, "abs") == 0) {
			FUZZ_ASSERT(S_ISLNK(st->st_mode), "%s replaced without a COMPLETE", path);
			return 0;
		}
		FUZZ_ASSERT(strcmp(rel, "existing.txt") == 0 && S_ISREG(st->st_mode),
			    "%s appeared without a successful COMPLETE", path);
		h = file_hash(path, &size);
		FUZZ_ASSERT(size == strlen(EXISTING) &&
			    h == fnv((const uint8_t *)EXISTING, size, 0xcbf29ce484222325ull),
			    "%s changed without a successful COMPLETE", path);
		return 0;
	}
	FUZZ_ASSERT(S_ISREG(st->st_mode), "%s published but not a regular file", path);
	FUZZ_ASSERT((st->st_mode & 07777) == 0644, "%s has mode %o", path, st->st_mode);
	h = file_hash(path, &size);
	FUZZ_ASSERT(size == pub[i].size && h == pub[i].hash, "%s holds %" PRIu64 " bytes, not "
		    "the %" PRIu64 " the WRITEs gave", path, size, pub[i].size);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	uint8_t kind;
	uint32_t n;

	npub = 0;
	while (in.left > 0) {
		kind = (uint8_t)fuzz_take(&in, 1);
		n = (uint32_t)fuzz_take(&in, 2);
		n = (uint32_t)RTE_MIN((size_t)n, in.left);
		switch (kind & 3) {
		case 0:
			deliver(in.p, n);
			break;
		case 1:
			deliver_wrapped(in.p, n, kind >> 2);
			break;
		case 2:
			deliver_start(in.p, n, kind >> 2);
			break;
		default:
			deliver_event(n > 0 ? in.p[0] : 0);
			break;
		}
		in.p += n;
		in.left -= n;
	}
	/* The channel goes away: nothing may stay half-written. */
	fcopy_proto_abandon(&proto, "end of input");
	new_channel();
	shadow_drop();
	FUZZ_ASSERT(nftw(root, check_root_entry, 16, FTW_PHYS) == 0, "walk %s", root);
	snapshot();
	FUZZ_ASSERT(strcmp(snap_before, snap_now) == 0, "outside the root changed:\n"
		    "before:\n%s\nafter:\n%s", snap_before, snap_now);
	rm_tree(root);
	make_root();
	return 0;
}
