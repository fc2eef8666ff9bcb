/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * dpdk-hv-fcopy's message handler on hand-built payloads: negotiation, a whole copy, and
 * every truncation and oversized field a host could send. A malformed message gets an error
 * status, never a crash, never a byte written beyond the payload; every answer keeps the
 * transaction id and the rest of the header.
 */

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <rte_common.h>
#include <rte_errno.h>

#include <rte_hvdev_fcopy.h>
#include <rte_hvdev_ic.h>

#include "fcopy_deliver.h"
#include "fcopy_policy.h"
#include "fcopy_proto.h"
#include "fcopy_state.h"
#include "fcopy_stats.h"
#include "hvdev_test.h"

#define HDR RTE_HVDEV_IC_HDR_SIZE
#define GUARD 64
#define BUF_SIZE (HDR + sizeof(struct rte_hvdev_fcopy_write) + 16 + GUARD)
#define XACT 0x5a
#define PIPE_FLAGS 0x1234
#define RESPONSE_FLAGS (RTE_HVDEV_IC_FLAG_TRANSACTION | RTE_HVDEV_IC_FLAG_RESPONSE)
#define WRITE_HDR offsetof(struct rte_hvdev_fcopy_write, data)

static char top[256];
static char root[PATH_MAX];
static struct fcopy_config cfg;
static struct fcopy_state state;
static struct fcopy_deliver dlv;
static struct fcopy_stats stats;
static struct fcopy_proto proto;
/* The IC runner without a device: it negotiates and frames, fcopy_proto serves. */
static struct rte_hvdev_ic_service *ic;
static uint8_t buf[BUF_SIZE];

static const struct rte_hvdev_ic_service_conf ic_conf = {
	.dev_id = -1,
	.flags = RTE_HVDEV_IC_SERVICE_F_NO_TELEMETRY,
};

/* The host's first message: framework 3.0, fcopy 1.1. */
static int
negotiate_ok(void)
{
	static const struct rte_hvdev_ic_version fw[] = { { 3, 0 } };
	static const struct rte_hvdev_ic_version srv[] = { { 1, 1 } };
	uint32_t resp_len;
	int len;

	len = rte_hvdev_ic_make_negotiate(buf, sizeof(buf), fw, 1, srv, 1);
	TEST_ASSERT(len > 0, "NEGOTIATE built");
	TEST_ASSERT_EQUAL(rte_hvdev_ic_service_handle(ic, buf, (uint32_t)len, (uint32_t)len,
						      &resp_len), 1, "NEGOTIATE answered");
	TEST_ASSERT_EQUAL(((struct rte_hvdev_ic_hdr *)buf)->status, RTE_HVDEV_IC_S_OK,
			  "versions agreed");
	return TEST_SUCCESS;
}

static int
setup(void)
{
	char err[256], statedir[PATH_MAX];

	TEST_ASSERT(hvdev_test_root_create(top, sizeof(top)) == 0, "mkdtemp");
	hvdev_test_fmt(root, sizeof(root), "%s/root", top);
	hvdev_test_fmt(statedir, sizeof(statedir), "%s/state", top);
	TEST_ASSERT(mkdir(root, 0755) == 0, "mkdir");
	TEST_ASSERT_EQUAL(fcopy_config_init(&cfg), 0, "config");
	TEST_ASSERT_EQUAL(fcopy_config_set(&cfg, "allowed_root", root, FCOPY_SRC_CMDLINE, "test",
					   err, sizeof(err)), 0, "%s", err);
	TEST_ASSERT_EQUAL(fcopy_state_open(&state, statedir, false, err, sizeof(err)), 0, "%s",
			  err);
	fcopy_deliver_init(&dlv, &cfg.policy, &state);
	fcopy_stats_init(&stats);
	fcopy_proto_init(&proto, &dlv, &stats);
	ic = rte_hvdev_ic_service_create(&fcopy_proto_ops, &proto, &ic_conf);
	TEST_ASSERT(ic != NULL, "IC service: %s", rte_strerror(rte_errno));
	return negotiate_ok();
}

static void
teardown(void)
{
	rte_hvdev_ic_service_destroy(ic);
	ic = NULL;
	fcopy_proto_abandon(&proto, "test over");
	fcopy_state_close(&state);
	fcopy_config_free(&cfg);
	hvdev_test_root_remove(top);
}

#define PROTO_CASE(name) \
static int \
test_ ## name(void) \
{ \
	int ret; \
	TEST_RUN(setup()); \
	ret = check_ ## name(); \
	teardown(); \
	return ret; \
}

static int
count_entries(const char *dir)
{
	struct dirent *de;
	int n = 0;
	DIR *d = opendir(dir);

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
	closedir(d);
	return n;
}

/* An IC request as the host builds it, padded to 8 bytes as VMBus does; its length. */
static uint32_t
build(uint16_t type, const void *body, uint32_t body_len)
{
	struct rte_hvdev_ic_hdr h = {
		.pipe_flags = PIPE_FLAGS,
		.pipe_msgsize = body_len + HDR - RTE_HVDEV_IC_PIPE_HDR_SIZE,
		.icverframe = { 3, 0 },
		.icmsgtype = type,
		.icvermsg = { 1, 1 },
		.icmsgsize = (uint16_t)body_len,
		.ictransaction_id = XACT,
		.icflags = RTE_HVDEV_IC_FLAG_TRANSACTION | RTE_HVDEV_IC_FLAG_REQUEST,
	};

	memset(buf, 0xaa, sizeof(buf));
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + HDR, body, body_len);
	memset(buf + HDR + body_len, 0, RTE_ALIGN_CEIL(HDR + body_len, 8) - HDR - body_len);
	return RTE_ALIGN_CEIL(HDR + body_len, 8);
}

/*
 * Handle buf[0, len) and check the answer's framing; @p status receives its status.
 * @p before is the header as sent.
 */
static int
handle(uint32_t len, uint32_t *status)
{
	struct rte_hvdev_ic_hdr before, after;
	uint32_t i, resp_len;

	memcpy(&before, buf, sizeof(before));
	if (rte_hvdev_ic_service_handle(ic, buf, len, len, &resp_len) != 1) {
		TEST_ASSERT(len < HDR, "only a payload shorter than the IC header is dropped");
		*status = UINT32_MAX;
		return TEST_SUCCESS;
	}
	TEST_ASSERT(len >= HDR, "a %u-byte payload cannot be answered", len);
	TEST_ASSERT_EQUAL(resp_len, len, "the answer keeps the payload length");
	for (i = len; i < sizeof(buf); i++)
		TEST_ASSERT_EQUAL(buf[i], 0xaa, "byte %u beyond the %u-byte payload written", i,
				  len);
	memcpy(&after, buf, sizeof(after));
	TEST_ASSERT_EQUAL(after.icflags, RESPONSE_FLAGS, "flags TRANSACTION|RESPONSE");
	TEST_ASSERT_EQUAL(after.ictransaction_id, XACT, "transaction id kept");
	TEST_ASSERT_EQUAL(after.pipe_flags, before.pipe_flags, "pipe header kept");
	TEST_ASSERT_EQUAL(after.pipe_msgsize, before.pipe_msgsize, "pipe header kept");
	TEST_ASSERT_EQUAL(after.icmsgtype, before.icmsgtype, "type kept");
	if (after.icmsgtype != RTE_HVDEV_IC_MSG_NEGOTIATE)
		TEST_ASSERT_EQUAL(after.icmsgsize, before.icmsgsize, "size kept");
	*status = after.status;
	return TEST_SUCCESS;
}

/* Handle a message built from @p body; its status. */
static int
request(uint16_t type, const void *body, uint32_t body_len, uint32_t *status)
{
	return handle(build(type, body, body_len), status);
}

static void
utf16(uint16_t *dst, const char *ascii)
{
	unsigned int i;

	for (i = 0; ascii[i] != '\0' && i < RTE_HVDEV_FCOPY_MAX_PATH - 1; i++)
		dst[i] = (uint8_t)ascii[i];
	dst[i] = 0;
}

static void
make_start(struct rte_hvdev_fcopy_start *st, const char *name, uint32_t flags, uint64_t size)
{
	memset(st, 0, sizeof(*st));
	st->hdr.operation = RTE_HVDEV_FCOPY_START;
	utf16(st->file_name, name);
	utf16(st->path_name, root);
	st->copy_flags = flags;
	st->file_size = size;
}

static uint32_t
make_write(struct rte_hvdev_fcopy_write *w, uint64_t offset, uint32_t size, uint32_t seed)
{
	memset(w, 0, sizeof(*w));
	w->hdr.operation = RTE_HVDEV_FCOPY_WRITE;
	w->offset = offset;
	w->size = size;
	hvdev_test_fill(w->data, RTE_MIN(size, (uint32_t)RTE_HVDEV_FCOPY_DATA_MAX), seed);
	return sizeof(*w);
}

static int
op(uint32_t operation, uint32_t *status)
{
	struct rte_hvdev_fcopy_hdr h = { .operation = operation };

	return request(RTE_HVDEV_IC_MSG_FCOPY, &h, sizeof(h), status);
}

static int
check_negotiate(void)
{
	static const struct rte_hvdev_ic_version fw[] = { { 1, 0 }, { 3, 0 } };
	static const struct rte_hvdev_ic_version srv[] = { { 1, 1 } };
	static const struct rte_hvdev_ic_version wrong[] = { { 2, 0 } };
	struct rte_hvdev_ic_version got[2];
	uint16_t counts[2];
	uint32_t status;
	int len;

	len = rte_hvdev_ic_make_negotiate(buf, sizeof(buf), fw, 2, srv, 1);
	TEST_ASSERT(len > 0, "build");
	memset(buf + len, 0xaa, sizeof(buf) - (size_t)len);
	buf[offsetof(struct rte_hvdev_ic_hdr, ictransaction_id)] = XACT;
	TEST_RUN(handle((uint32_t)len, &status));
	TEST_ASSERT_EQUAL(status, 0, "negotiated");
	memcpy(counts, buf + HDR, sizeof(counts));
	memcpy(got, buf + HDR + RTE_HVDEV_IC_NEGOTIATE_HDR_SIZE, sizeof(got));
	TEST_ASSERT(counts[0] == 1 && counts[1] == 1, "counts 1/1");
	TEST_ASSERT(got[0].major == 3 && got[0].minor == 0, "framework 3.0");
	TEST_ASSERT(got[1].major == 1 && got[1].minor == 1, "service 1.1");
	/* No service version in common: answered, with a failure. */
	len = rte_hvdev_ic_make_negotiate(buf, sizeof(buf), fw, 2, wrong, 1);
	memset(buf + len, 0xaa, sizeof(buf) - (size_t)len);
	buf[offsetof(struct rte_hvdev_ic_hdr, ictransaction_id)] = XACT;
	TEST_RUN(handle((uint32_t)len, &status));
	TEST_ASSERT_EQUAL(status, RTE_HVDEV_IC_E_FAIL, "no common version");
	memcpy(counts, buf + HDR, sizeof(counts));
	TEST_ASSERT(counts[0] == 0 && counts[1] == 0, "counts 0/0");
	/* Every truncation of a NEGOTIATE: answered or dropped, never overrun. */
	for (len = 0; len < RTE_HVDEV_IC_NEGOTIATE_SIZE(2, 1); len++) {
		rte_hvdev_ic_make_negotiate(buf, sizeof(buf), fw, 2, srv, 1);
		buf[offsetof(struct rte_hvdev_ic_hdr, ictransaction_id)] = XACT;
		memset(buf + len, 0xaa, sizeof(buf) - (size_t)len);
		TEST_RUN(handle((uint32_t)len, &status));
		TEST_ASSERT(len < HDR || status != 0, "a %d-byte NEGOTIATE is refused", len);
	}
	return TEST_SUCCESS;
}
PROTO_CASE(negotiate)

static int
check_copy(void)
{
	/* "dé😀.txt": a BMP character and a surrogate pair. */
	static const uint16_t name[] = { 'd', 0x00e9, 0xd83d, 0xde00, '.', 't', 'x', 't', 0 };
	static struct rte_hvdev_fcopy_write w;
	struct rte_hvdev_fcopy_start st;
	char path[PATH_MAX];
	uint32_t status;
	struct stat sb;

	make_start(&st, "", RTE_HVDEV_FCOPY_CREATE_PATH, 10000);
	memcpy(st.file_name, name, sizeof(name));
	TEST_RUN(request(RTE_HVDEV_IC_MSG_FCOPY, &st, sizeof(st), &status));
	TEST_ASSERT_EQUAL(status, 0, "START");
	TEST_ASSERT(fcopy_stats_ended(&stats) == 0 && stats.active, "transfer in progress");
	TEST_RUN(request(RTE_HVDEV_IC_MSG_FCOPY, &w, make_write(&w, 0, 6144, 1), &status));
	TEST_ASSERT_EQUAL(status, 0, "WRITE 1");
	TEST_RUN(request(RTE_HVDEV_IC_MSG_FCOPY, &w, make_write(&w, 6144, 3856, 2), &status));
	TEST_ASSERT_EQUAL(status, 0, "WRITE 2");
	TEST_ASSERT_EQUAL(stats.written, 10000, "progress");
	TEST_RUN(op(RTE_HVDEV_FCOPY_COMPLETE, &status));
	TEST_ASSERT_EQUAL(status, 0, "COMPLETE");
	hvdev_test_fmt(path, sizeof(path), "%s/d\xc3\xa9\xf0\x9f\x98\x80.txt", root);
	TEST_ASSERT(stat(path, &sb) == 0 && sb.st_size == 10000, "delivered under its UTF-8 name");
	TEST_ASSERT(stats.transfers_ok == 1 && stats.transfers_failed == 0 && !stats.active,
		    "one transfer ok");
	TEST_ASSERT_EQUAL(stats.bytes_delivered, 10000, "bytes counted");
	TEST_ASSERT_EQUAL(count_entries(root), 1, "nothing else in the directory");
	return TEST_SUCCESS;
}
PROTO_CASE(copy)

/* The transfer record names the file where the destination rule put it. */
static int
check_record_target(void)
{
	struct rte_hvdev_fcopy_start st;
	char want[PATH_MAX + 16];
	uint32_t status;

	make_start(&st, "src.bin", 0, 0);
	hvdev_test_fmt(want, sizeof(want), "%s/renamed.iso", root);
	utf16(st.path_name, want);
	TEST_RUN(request(RTE_HVDEV_IC_MSG_FCOPY, &st, sizeof(st), &status));
	TEST_ASSERT_EQUAL(status, 0, "START to a new file name");
	TEST_ASSERT(strcmp(stats.path, want) == 0, "record of '%s', want '%s'", stats.path, want);
	TEST_RUN(op(RTE_HVDEV_FCOPY_COMPLETE, &status));
	TEST_ASSERT_EQUAL(status, 0, "COMPLETE");
	make_start(&st, "src.bin", 0, 0);
	hvdev_test_fmt(want, sizeof(want), "%s/", root);
	utf16(st.path_name, want);
	hvdev_test_fmt(want, sizeof(want), "%s/src.bin", root);
	TEST_RUN(request(RTE_HVDEV_IC_MSG_FCOPY, &st, sizeof(st), &status));
	TEST_ASSERT_EQUAL(status, 0, "START into a directory");
	TEST_ASSERT(strcmp(stats.path, want) == 0, "record of '%s', want '%s'", stats.path, want);
	TEST_RUN(op(RTE_HVDEV_FCOPY_COMPLETE, &status));
	TEST_ASSERT_EQUAL(status, 0, "COMPLETE");
	return TEST_SUCCESS;
}
PROTO_CASE(record_target)

static int
check_restart_and_cancel(void)
{
	struct rte_hvdev_fcopy_start st;
	uint32_t status;

	make_start(&st, "first.bin", 0, 100);
	TEST_RUN(request(RTE_HVDEV_IC_MSG_FCOPY, &st, sizeof(st), &status));
	TEST_ASSERT_EQUAL(status, 0, "START 1");
	/* A START while one is in progress abandons the first (counted as failed). */
	make_start(&st, "second.bin", 0, 100);
	TEST_RUN(request(RTE_HVDEV_IC_MSG_FCOPY, &st, sizeof(st), &status));
	TEST_ASSERT_EQUAL(status, 0, "START 2");
	TEST_ASSERT_EQUAL(stats.transfers_failed, 1, "the first one ended as failed");
	/* Unnamed (O_TMPFILE) where the file system can: then no entry at all. */
	TEST_ASSERT_EQUAL(count_entries(root), dlv.unnamed ? 0 : 1, "one temporary file only");
	TEST_RUN(op(RTE_HVDEV_FCOPY_CANCEL, &status));
	TEST_ASSERT_EQUAL(status, 0, "CANCEL");
	TEST_ASSERT_EQUAL(count_entries(root), 0, "nothing left after CANCEL");
	TEST_ASSERT_EQUAL(stats.transfers_failed, 2, "the cancelled one too");
	/* CANCEL, WRITE and COMPLETE with nothing in progress. */
	TEST_RUN(op(RTE_HVDEV_FCOPY_CANCEL, &status));
	TEST_ASSERT_EQUAL(status, 0, "CANCEL of nothing is fine");
	TEST_RUN(op(RTE_HVDEV_FCOPY_COMPLETE, &status));
	TEST_ASSERT_EQUAL(status, RTE_HVDEV_IC_E_FAIL, "COMPLETE without START");
	return TEST_SUCCESS;
}
PROTO_CASE(restart_and_cancel)

static int
check_write_errors(void)
{
	static struct rte_hvdev_fcopy_write w;
	struct rte_hvdev_fcopy_start st;
	uint32_t status, len;

	TEST_RUN(request(RTE_HVDEV_IC_MSG_FCOPY, &w, make_write(&w, 0, 10, 1), &status));
	TEST_ASSERT_EQUAL(status, RTE_HVDEV_IC_E_FAIL, "WRITE without START");
	make_start(&st, "w.bin", 0, 20000);
	TEST_RUN(request(RTE_HVDEV_IC_MSG_FCOPY, &st, sizeof(st), &status));
	TEST_ASSERT_EQUAL(status, 0, "START");
	/* size beyond DATA_MAX, though the packet would hold it. */
	make_write(&w, 0, RTE_HVDEV_FCOPY_DATA_MAX, 1);
	len = build(RTE_HVDEV_IC_MSG_FCOPY, &w, sizeof(w));
	w.size = RTE_HVDEV_FCOPY_DATA_MAX + 1;
	memcpy(buf + HDR + offsetof(struct rte_hvdev_fcopy_write, size), &w.size,
	       sizeof(w.size));
	memset(buf + len, 0, 8);
	len += 8;
	memset(buf + len, 0xaa, sizeof(buf) - len);
	TEST_RUN(handle(len, &status));
	TEST_ASSERT_EQUAL(status, RTE_HVDEV_IC_INVALIDARG, "WRITE of 6145 bytes");
	TEST_ASSERT(!dlv.active, "the copy ended: its data cannot be complete any more");
	TEST_ASSERT_EQUAL(count_entries(root), 0, "temporary file removed");
	TEST_ASSERT_EQUAL(stats.transfers_failed, 1, "counted as failed");
	/* Further fragments of that copy are refused quietly. */
	TEST_RUN(request(RTE_HVDEV_IC_MSG_FCOPY, &w, make_write(&w, 0, 10, 1), &status));
	TEST_ASSERT_EQUAL(status, RTE_HVDEV_IC_E_FAIL, "WRITE after the failure");
	return TEST_SUCCESS;
}
PROTO_CASE(write_errors)

/* Every payload length short of @p body_len (icmsgsize adjusted, or left claiming more). */
static int
truncations(const void *body, uint32_t body_len, bool fix_size, uint32_t *answered)
{
	uint32_t len, status;
	uint16_t size;

	for (len = 0; len < HDR + body_len; len++) {
		build(RTE_HVDEV_IC_MSG_FCOPY, body, body_len);
		if (fix_size && len >= HDR) {
			size = (uint16_t)(len - HDR);
			memcpy(buf + offsetof(struct rte_hvdev_ic_hdr, icmsgsize), &size,
			       sizeof(size));
		}
		memset(buf + len, 0xaa, sizeof(buf) - len);
		TEST_RUN(handle(len, &status));
		if (status == UINT32_MAX)
			continue;
		(*answered)++;
		TEST_ASSERT(status == RTE_HVDEV_IC_INVALIDARG || status == RTE_HVDEV_IC_E_FAIL,
			    "a %u-byte payload of a %u-byte message gets an error (0x%08x)", len,
			    HDR + body_len, status);
	}
	return TEST_SUCCESS;
}

static int
check_truncated(void)
{
	static struct rte_hvdev_fcopy_write w;
	struct rte_hvdev_fcopy_start st;
	uint32_t answered = 0, status;

	make_start(&st, "never.bin", RTE_HVDEV_FCOPY_CREATE_PATH, 10);
	TEST_RUN(truncations(&st, sizeof(st), true, &answered));
	TEST_RUN(truncations(&st, sizeof(st), false, &answered));
	TEST_ASSERT_EQUAL(count_entries(root), 0, "no truncated START created anything");
	TEST_ASSERT_EQUAL(answered, 2 * sizeof(st), "every payload of 28 bytes or more answered");
	/* WRITEs, with a copy in progress so that only the length can fail them. */
	make_start(&st, "w.bin", 0, 1000);
	TEST_RUN(request(RTE_HVDEV_IC_MSG_FCOPY, &st, sizeof(st), &status));
	TEST_ASSERT_EQUAL(status, 0, "START");
	make_write(&w, 0, 100, 3);
	TEST_RUN(truncations(&w, WRITE_HDR + 100, true, &answered));
	TEST_RUN(truncations(&w, WRITE_HDR + 100, false, &answered));
	/* COMPLETE and CANCEL need the 36-byte fcopy header. */
	TEST_RUN(truncations(&w, sizeof(struct rte_hvdev_fcopy_hdr), true, &answered));
	return TEST_SUCCESS;
}
PROTO_CASE(truncated)

static int
check_bad_requests(void)
{
	static const uint16_t lone[] = { 'a', 0xd800, 'b', 0 };
	struct rte_hvdev_fcopy_start st;
	uint32_t status, i;
	uint16_t big;

	/* Not a file-copy message. */
	TEST_RUN(request(RTE_HVDEV_IC_MSG_SHUTDOWN, "\0\0\0\0\0\0\0\0", 8, &status));
	TEST_ASSERT_EQUAL(status, RTE_HVDEV_IC_NOT_SUPPORTED, "message type 3");
	/* An unknown operation. */
	TEST_RUN(op(7, &status));
	TEST_ASSERT_EQUAL(status, RTE_HVDEV_IC_INVALIDARG, "operation 7");
	/* icmsgsize claiming more than the payload. */
	build(RTE_HVDEV_IC_MSG_FCOPY, "\0\0\0\0", 4);
	big = 4000;
	memcpy(buf + offsetof(struct rte_hvdev_ic_hdr, icmsgsize), &big, sizeof(big));
	TEST_RUN(handle(HDR + 8, &status));
	TEST_ASSERT_EQUAL(status, RTE_HVDEV_IC_INVALIDARG, "icmsgsize beyond the payload");
	/* Names: lone surrogate, no NUL, too long, separators and dot names. */
	make_start(&st, "", 0, 1);
	memcpy(st.file_name, lone, sizeof(lone));
	TEST_RUN(request(RTE_HVDEV_IC_MSG_FCOPY, &st, sizeof(st), &status));
	TEST_ASSERT_EQUAL(status, RTE_HVDEV_IC_INVALIDARG, "lone surrogate");
	make_start(&st, "x", 0, 1);
	for (i = 0; i < RTE_HVDEV_FCOPY_MAX_PATH; i++)
		st.path_name[i] = 'p';
	TEST_RUN(request(RTE_HVDEV_IC_MSG_FCOPY, &st, sizeof(st), &status));
	TEST_ASSERT_EQUAL(status, RTE_HVDEV_IC_INVALIDARG, "path without a NUL");
	make_start(&st, "", 0, 1);
	for (i = 0; i < RTE_HVDEV_FCOPY_MAX_PATH - 1; i++)
		st.file_name[i] = 0x65e5;
	TEST_RUN(request(RTE_HVDEV_IC_MSG_FCOPY, &st, sizeof(st), &status));
	TEST_ASSERT_EQUAL(status, RTE_HVDEV_IC_NAME_TOO_LONG, "777-byte name");
	make_start(&st, "a/b", 0, 1);
	TEST_RUN(request(RTE_HVDEV_IC_MSG_FCOPY, &st, sizeof(st), &status));
	TEST_ASSERT_EQUAL(status, RTE_HVDEV_IC_INVALIDARG, "separator in the name");
	make_start(&st, "..", 0, 1);
	TEST_RUN(request(RTE_HVDEV_IC_MSG_FCOPY, &st, sizeof(st), &status));
	TEST_ASSERT_EQUAL(status, RTE_HVDEV_IC_INVALIDARG, "'..' as the name");
	TEST_ASSERT_EQUAL(count_entries(root), 0, "nothing created");
	TEST_ASSERT_EQUAL(stats.transfers_failed, 5, "each refused START is a failed transfer");
	return TEST_SUCCESS;
}
PROTO_CASE(bad_requests)

/*
 * A message cut inside the packet's 8-byte padding: icmsgsize says the body is short, and
 * the padding's zeros must not stand in for the missing bytes.
 */
static int
check_cut_in_padding(void)
{
	static struct rte_hvdev_fcopy_write w;
	struct rte_hvdev_fcopy_start st;
	struct rte_hvdev_fcopy_hdr h = { .operation = RTE_HVDEV_FCOPY_COMPLETE };
	uint32_t status, len;

	/* START without the last 2 bytes of file_size: 28 + 1086 is padded to 1120. */
	make_start(&st, "cut.bin", 0, 10);
	len = build(RTE_HVDEV_IC_MSG_FCOPY, &st, sizeof(st) - 2);
	TEST_ASSERT(len - HDR >= sizeof(st), "the padding covers the cut (%u bytes)", len);
	TEST_RUN(handle(len, &status));
	TEST_ASSERT_EQUAL(status, RTE_HVDEV_IC_INVALIDARG, "START of 1086 bytes");
	TEST_ASSERT(!dlv.active && count_entries(root) == 0, "nothing started");
	/* A WRITE whose size runs 3 bytes into the padding, inside a copy of those bytes. */
	make_start(&st, "w.bin", 0, 100);
	TEST_RUN(request(RTE_HVDEV_IC_MSG_FCOPY, &st, sizeof(st), &status));
	TEST_ASSERT_EQUAL(status, 0, "START");
	make_write(&w, 0, 100, 4);
	len = build(RTE_HVDEV_IC_MSG_FCOPY, &w, WRITE_HDR + 97);
	TEST_ASSERT(len - HDR >= WRITE_HDR + 100, "the padding covers the size (%u bytes)", len);
	TEST_RUN(handle(len, &status));
	TEST_ASSERT_EQUAL(status, RTE_HVDEV_IC_INVALIDARG, "100 bytes claimed, 97 carried");
	TEST_ASSERT(!dlv.active && count_entries(root) == 0, "the copy ended, nothing left");
	/* A COMPLETE whose fcopy header is cut: not a COMPLETE, the copy is not published. */
	make_start(&st, "c.bin", 0, 10);
	TEST_RUN(request(RTE_HVDEV_IC_MSG_FCOPY, &st, sizeof(st), &status));
	TEST_ASSERT_EQUAL(status, 0, "START");
	TEST_RUN(request(RTE_HVDEV_IC_MSG_FCOPY, &w, make_write(&w, 0, 10, 5), &status));
	TEST_ASSERT_EQUAL(status, 0, "WRITE");
	len = build(RTE_HVDEV_IC_MSG_FCOPY, &h, sizeof(h) - 2);
	TEST_ASSERT(len - HDR >= sizeof(h), "the padding covers the cut (%u bytes)", len);
	TEST_RUN(handle(len, &status));
	TEST_ASSERT_EQUAL(status, RTE_HVDEV_IC_INVALIDARG, "COMPLETE of 34 bytes");
	TEST_ASSERT_EQUAL(count_entries(root), dlv.unnamed ? 0 : 1,
			  "not published: the temporary file only");
	/* The same messages whole are fine. */
	TEST_RUN(op(RTE_HVDEV_FCOPY_COMPLETE, &status));
	TEST_ASSERT_EQUAL(status, 0, "whole COMPLETE");
	TEST_ASSERT_EQUAL(count_entries(root), 1, "published");
	return TEST_SUCCESS;
}
PROTO_CASE(cut_in_padding)

/*
 * Bytes after icmsgsize are not part of the message, even when the packet holds them: a
 * WRITE's size counts against icmsgsize, not the packet length.
 */
static int
check_icmsgsize_bounds_body(void)
{
	static struct rte_hvdev_fcopy_write w;
	struct rte_hvdev_fcopy_start st;
	uint32_t status, len;
	uint16_t size;

	make_start(&st, "u.bin", 0, 6144);
	TEST_RUN(request(RTE_HVDEV_IC_MSG_FCOPY, &st, sizeof(st), &status));
	TEST_ASSERT_EQUAL(status, 0, "START");
	len = build(RTE_HVDEV_IC_MSG_FCOPY, &w, make_write(&w, 0, 6144, 6));
	size = sizeof(w) / 2;
	memcpy(buf + offsetof(struct rte_hvdev_ic_hdr, icmsgsize), &size, sizeof(size));
	TEST_RUN(handle(len, &status));
	TEST_ASSERT_EQUAL(status, RTE_HVDEV_IC_INVALIDARG, "icmsgsize half the WRITE");
	TEST_ASSERT(!dlv.active && count_entries(root) == 0, "the copy ended, nothing left");
	return TEST_SUCCESS;
}
PROTO_CASE(icmsgsize_bounds_body)

/* WRITEs past the announced size are refused at once; COMPLETE needs every byte. */
static int
check_write_past_size(void)
{
	static struct rte_hvdev_fcopy_write w;
	struct rte_hvdev_fcopy_start st;
	uint32_t status, i;

	/* 1.2 MB into a file announced as 1 byte: the first WRITE past it ends the copy. */
	make_start(&st, "one.bin", 0, 1);
	TEST_RUN(request(RTE_HVDEV_IC_MSG_FCOPY, &st, sizeof(st), &status));
	TEST_ASSERT_EQUAL(status, 0, "START");
	for (i = 0; i < 200; i++) {
		TEST_RUN(request(RTE_HVDEV_IC_MSG_FCOPY, &w,
				 make_write(&w, (uint64_t)i * 6144, 6144, i), &status));
		if (status != 0)
			break;
	}
	TEST_ASSERT_EQUAL(i, 0, "refused at the first WRITE");
	TEST_ASSERT_EQUAL(status, RTE_HVDEV_IC_INVALIDARG, "with INVALIDARG");
	TEST_ASSERT(!dlv.active && count_entries(root) == 0, "the copy ended, nothing left");
	/* One WRITE at 2^40. */
	make_start(&st, "tib.bin", 0, 100);
	TEST_RUN(request(RTE_HVDEV_IC_MSG_FCOPY, &st, sizeof(st), &status));
	TEST_RUN(request(RTE_HVDEV_IC_MSG_FCOPY, &w, make_write(&w, 1ull << 40, 10, 1),
			 &status));
	TEST_ASSERT_EQUAL(status, RTE_HVDEV_IC_INVALIDARG, "WRITE at 1 TiB");
	TEST_ASSERT(!dlv.active && count_entries(root) == 0, "the copy ended, nothing left");
	/* A fragment twice and an empty WRITE at the end do not make up for a missing one. */
	make_start(&st, "dup.bin", 0, 10000);
	TEST_RUN(request(RTE_HVDEV_IC_MSG_FCOPY, &st, sizeof(st), &status));
	TEST_RUN(request(RTE_HVDEV_IC_MSG_FCOPY, &w, make_write(&w, 0, 6144, 1), &status));
	TEST_RUN(request(RTE_HVDEV_IC_MSG_FCOPY, &w, make_write(&w, 0, 6144, 1), &status));
	TEST_RUN(request(RTE_HVDEV_IC_MSG_FCOPY, &w, make_write(&w, 10000, 0, 1), &status));
	TEST_ASSERT_EQUAL(status, 0, "WRITEs accepted");
	TEST_RUN(op(RTE_HVDEV_FCOPY_COMPLETE, &status));
	TEST_ASSERT_EQUAL(status, RTE_HVDEV_IC_E_FAIL, "COMPLETE with [6144, 10000) missing");
	TEST_ASSERT_EQUAL(count_entries(root), 0, "nothing published");
	TEST_ASSERT_EQUAL(stats.transfers_ok, 0, "no transfer succeeded");
	return TEST_SUCCESS;
}
PROTO_CASE(write_past_size)

static const struct hvdev_test_case cases[] = {
	HVDEV_CASE(negotiate, test_negotiate),
	HVDEV_CASE(copy, test_copy),
	HVDEV_CASE(record_target, test_record_target),
	HVDEV_CASE(restart_and_cancel, test_restart_and_cancel),
	HVDEV_CASE(write_errors, test_write_errors),
	HVDEV_CASE(truncated, test_truncated),
	HVDEV_CASE(bad_requests, test_bad_requests),
	HVDEV_CASE(cut_in_padding, test_cut_in_padding),
	HVDEV_CASE(icmsgsize_bounds_body, test_icmsgsize_bounds_body),
	HVDEV_CASE(write_past_size, test_write_past_size),
};

int
main(int argc, char **argv)
{
	return hvdev_test_main(argc, argv, cases, RTE_DIM(cases));
}
