/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * The IC header parser and the NEGOTIATE answer over any payload.
 *
 * Input: one byte of guest framework version count (low nibble) and service version count
 * (high nibble), that many 4-byte versions, then the payload. Properties:
 * - rte_hvdev_ic_parse() accepts exactly the payloads whose icmsgsize fits, and copies the
 *   header as it is;
 * - rte_hvdev_ic_negotiate() never writes at or beyond the payload length (the payload is an
 *   exact-size allocation under AddressSanitizer) and changes nothing but the answer fields;
 * - an offer is malformed when icmsgsize runs past the payload or the versions its counts
 *   announce run past icmsgsize (the body), even when the payload's padding holds them;
 * - an answer's icmsgsize is 0x10, or what the payload holds when that is less;
 * - on success, the chosen versions are offered by the host and supported by the guest, and
 *   each is the highest such version (an independent search over the offer);
 * - -ENOTSUP only when a list really has no common version; the answer then says E_FAIL, 0/0;
 * - the guest's own lists, offered as a NEGOTIATE built by rte_hvdev_ic_make_negotiate(),
 *   always negotiate to their highest versions.
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <rte_common.h>
#include <rte_hvdev_ic.h>

#include "fuzz_common.h"

#define VER_SIZE 4u
#define NEGO_DATA (RTE_HVDEV_IC_HDR_SIZE + RTE_HVDEV_IC_NEGOTIATE_HDR_SIZE)
#define OFF_MSGTYPE offsetof(struct rte_hvdev_ic_hdr, icmsgtype)
#define OFF_MSGSIZE offsetof(struct rte_hvdev_ic_hdr, icmsgsize)
#define OFF_STATUS offsetof(struct rte_hvdev_ic_hdr, status)
#define OFF_FLAGS offsetof(struct rte_hvdev_ic_hdr, icflags)

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	RTE_SET_USED(argc);
	RTE_SET_USED(argv);
	fuzz_quiet_logs();
	return 0;
}

static int
ver_cmp(struct rte_hvdev_ic_version a, struct rte_hvdev_ic_version b)
{
	if (a.major != b.major)
		return a.major < b.major ? -1 : 1;
	return a.minor < b.minor ? -1 : a.minor > b.minor;
}

static bool
ver_eq(struct rte_hvdev_ic_version a, struct rte_hvdev_ic_version b)
{
	return ver_cmp(a, b) == 0;
}

static uint16_t
get16(const uint8_t *p, size_t off)
{
	uint16_t v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

static uint32_t
get32(const uint8_t *p, size_t off)
{
	uint32_t v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

static struct rte_hvdev_ic_version
ver_at(const uint8_t *p, size_t off)
{
	struct rte_hvdev_ic_version v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

/* The highest of the host's @p n versions from index @p first that the guest also has. */
static bool
best_common(const uint8_t *msg, unsigned int first, unsigned int n,
	    const struct rte_hvdev_ic_version *ours, unsigned int nours,
	    struct rte_hvdev_ic_version *best)
{
	struct rte_hvdev_ic_version v;
	bool found = false;
	unsigned int i, j;

	for (i = 0; i < n; i++) {
		v = ver_at(msg, NEGO_DATA + (size_t)(first + i) * VER_SIZE);
		for (j = 0; j < nours; j++) {
			if (!ver_eq(v, ours[j]))
				continue;
			if (!found || ver_cmp(v, *best) > 0)
				*best = v;
			found = true;
		}
	}
	return found;
}

static void
check_parse(const uint8_t *msg, uint32_t len)
{
	struct rte_hvdev_ic_hdr hdr;
	uint32_t body = UINT32_MAX;
	int ret;

	ret = rte_hvdev_ic_parse(msg, len, &hdr, &body);
	if (len < RTE_HVDEV_IC_HDR_SIZE) {
		FUZZ_ASSERT(ret == -EBADMSG, "a %u-byte payload parsed: %d", len, ret);
		return;
	}
	FUZZ_ASSERT(memcmp(&hdr, msg, sizeof(hdr)) == 0, "header not copied as it is");
	if (get16(msg, OFF_MSGSIZE) > len - RTE_HVDEV_IC_HDR_SIZE) {
		FUZZ_ASSERT(ret == -EBADMSG, "icmsgsize %u beyond %u bytes accepted",
			    get16(msg, OFF_MSGSIZE), len);
		return;
	}
	FUZZ_ASSERT(ret == 0 && body == hdr.icmsgsize, "valid header refused: %d", ret);
}

/* Bytes of the payload a NEGOTIATE answer may change. */
static bool
answer_field(size_t i)
{
	return (i >= OFF_MSGSIZE && i < OFF_MSGSIZE + 2) ||
	       (i >= OFF_STATUS && i < OFF_STATUS + 4) || i == OFF_FLAGS ||
	       (i >= RTE_HVDEV_IC_HDR_SIZE && i < RTE_HVDEV_IC_HDR_SIZE + 4) ||
	       (i >= NEGO_DATA && i < NEGO_DATA + 2 * VER_SIZE);
}

static void
check_answer_frame(const uint8_t *orig, const uint8_t *ans, uint32_t len, uint32_t status,
		   uint16_t count)
{
	size_t i;

	for (i = 0; i < len; i++)
		FUZZ_ASSERT(orig[i] == ans[i] || answer_field(i), "byte %zu changed", i);
	FUZZ_ASSERT(get32(ans, OFF_STATUS) == status, "status %#x", get32(ans, OFF_STATUS));
	FUZZ_ASSERT(ans[OFF_FLAGS] == (RTE_HVDEV_IC_FLAG_TRANSACTION |
				       RTE_HVDEV_IC_FLAG_RESPONSE), "flags %#x", ans[OFF_FLAGS]);
	FUZZ_ASSERT(get16(ans, OFF_MSGSIZE) == RTE_MIN((uint32_t)RTE_HVDEV_IC_NEGOTIATE_RESP_BODY,
						       len - RTE_HVDEV_IC_HDR_SIZE),
		    "answer icmsgsize %u in %u bytes", get16(ans, OFF_MSGSIZE), len);
	FUZZ_ASSERT(get16(ans, RTE_HVDEV_IC_HDR_SIZE) == count &&
		    get16(ans, RTE_HVDEV_IC_HDR_SIZE + 2) == count, "counts");
}

static void
check_negotiate(const uint8_t *msg, uint32_t len, const struct rte_hvdev_ic_version *fw,
		unsigned int nfw, const struct rte_hvdev_ic_version *srv, unsigned int nsrv)
{
	struct rte_hvdev_ic_version got_fw, got_srv, want_fw, want_srv;
	uint16_t hfw, hsrv, body;
	bool fw_ok, srv_ok;
	uint8_t *ans;
	int ret;

	/* Exactly len bytes: a write at len is an AddressSanitizer report. */
	ans = malloc(len > 0 ? len : 1);
	FUZZ_ASSERT(ans != NULL, "out of memory");
	memcpy(ans, msg, len);
	ret = rte_hvdev_ic_negotiate(ans, len, fw, nfw, srv, nsrv, &got_fw, &got_srv);
	if (len < NEGO_DATA || get16(msg, OFF_MSGTYPE) != RTE_HVDEV_IC_MSG_NEGOTIATE) {
		FUZZ_ASSERT(ret == (len < NEGO_DATA ? -EBADMSG : -EINVAL), "ret %d", ret);
		FUZZ_ASSERT(memcmp(ans, msg, len) == 0, "unanswerable payload written to");
		free(ans);
		return;
	}
	hfw = get16(msg, RTE_HVDEV_IC_HDR_SIZE);
	hsrv = get16(msg, RTE_HVDEV_IC_HDR_SIZE + 2);
	body = get16(msg, OFF_MSGSIZE);
	if (body > len - RTE_HVDEV_IC_HDR_SIZE ||
	    hfw > RTE_HVDEV_IC_VERSION_MAX_COUNT || hsrv > RTE_HVDEV_IC_VERSION_MAX_COUNT ||
	    RTE_HVDEV_IC_NEGOTIATE_SIZE((uint32_t)hfw, (uint32_t)hsrv) >
	    RTE_HVDEV_IC_HDR_SIZE + (uint32_t)body) {
		FUZZ_ASSERT(ret == -EBADMSG, "malformed offer %u/%u, icmsgsize %u, in %u bytes: "
			    "%d", hfw, hsrv, body, len, ret);
		check_answer_frame(msg, ans, len, RTE_HVDEV_IC_E_FAIL, 0);
		free(ans);
		return;
	}
	fw_ok = best_common(msg, 0, hfw, fw, nfw, &want_fw);
	srv_ok = best_common(msg, hfw, hsrv, srv, nsrv, &want_srv);
	if (!fw_ok || !srv_ok) {
		FUZZ_ASSERT(ret == -ENOTSUP, "no common version, yet %d", ret);
		check_answer_frame(msg, ans, len, RTE_HVDEV_IC_E_FAIL, 0);
		free(ans);
		return;
	}
	FUZZ_ASSERT(ret == 0, "common versions %u.%u/%u.%u, yet %d", want_fw.major,
		    want_fw.minor, want_srv.major, want_srv.minor, ret);
	FUZZ_ASSERT(ver_eq(got_fw, want_fw) && ver_eq(got_srv, want_srv),
		    "chose %u.%u/%u.%u, the highest common are %u.%u/%u.%u", got_fw.major,
		    got_fw.minor, got_srv.major, got_srv.minor, want_fw.major, want_fw.minor,
		    want_srv.major, want_srv.minor);
	check_answer_frame(msg, ans, len, RTE_HVDEV_IC_S_OK, 1);
	/* Room for both versions: a successful offer holds at least one of each. */
	FUZZ_ASSERT(ver_eq(ver_at(ans, NEGO_DATA), got_fw) &&
		    ver_eq(ver_at(ans, NEGO_DATA + VER_SIZE), got_srv), "answer versions");
	free(ans);
}

/* The guest's own lists offered back: always negotiable, to their highest versions. */
static void
check_own_offer(const struct rte_hvdev_ic_version *fw, unsigned int nfw,
		const struct rte_hvdev_ic_version *srv, unsigned int nsrv)
{
	uint8_t buf[RTE_HVDEV_IC_NEGOTIATE_SIZE(15, 15)];
	struct rte_hvdev_ic_version got_fw, got_srv, max_fw, max_srv;
	unsigned int i;
	int len;

	len = rte_hvdev_ic_make_negotiate(buf, sizeof(buf), fw, nfw, srv, nsrv);
	if (nfw == 0 || nsrv == 0) {
		FUZZ_ASSERT(len == -EINVAL, "empty offer built: %d", len);
		return;
	}
	FUZZ_ASSERT(len == (int)RTE_HVDEV_IC_NEGOTIATE_SIZE(nfw, nsrv), "built %d", len);
	check_parse(buf, (uint32_t)len);
	max_fw = fw[0];
	max_srv = srv[0];
	for (i = 1; i < nfw; i++)
		if (ver_cmp(fw[i], max_fw) > 0)
			max_fw = fw[i];
	for (i = 1; i < nsrv; i++)
		if (ver_cmp(srv[i], max_srv) > 0)
			max_srv = srv[i];
	FUZZ_ASSERT(rte_hvdev_ic_negotiate(buf, (uint32_t)len, fw, nfw, srv, nsrv, &got_fw,
					   &got_srv) == 0, "own offer refused");
	FUZZ_ASSERT(ver_eq(got_fw, max_fw) && ver_eq(got_srv, max_srv), "own offer: not the "
		    "highest versions");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rte_hvdev_ic_version fw[15], srv[15];
	struct fuzz_in in = { data, size };
	unsigned int nfw, nsrv, i;
	uint8_t counts;
	uint8_t *msg;
	uint32_t len;

	counts = (uint8_t)fuzz_take(&in, 1);
	nfw = counts & 0xf;
	nsrv = counts >> 4;
	for (i = 0; i < nfw; i++) {
		fw[i].major = (uint16_t)fuzz_take(&in, 2);
		fw[i].minor = (uint16_t)fuzz_take(&in, 2);
	}
	for (i = 0; i < nsrv; i++) {
		srv[i].major = (uint16_t)fuzz_take(&in, 2);
		srv[i].minor = (uint16_t)fuzz_take(&in, 2);
	}
	len = (uint32_t)RTE_MIN(in.left, (size_t)UINT16_MAX * 8);
	msg = malloc(len > 0 ? len : 1);
	FUZZ_ASSERT(msg != NULL, "out of memory");
	memcpy(msg, in.p, len);
	check_parse(msg, len);
	check_negotiate(msg, len, fw, nfw, srv, nsrv);
	check_own_offer(fw, nfw, srv, nsrv);
	free(msg);
	return 0;
}
