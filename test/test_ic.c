/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * IC framing and version negotiation: byte-exact vectors written out from the protocol text
 * (the IC header layout, the NEGOTIATE body, the guest's answer), malformed and truncated
 * offers, the class table, and a real guest negotiating with the simulator's IC host role.
 */

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_errno.h>

#include "hvdev_test.h"
#include "hvdev_uio_chan.h"
#include "rte_hvdev_fcopy.h"
#include "rte_hvdev_ic.h"
#include "rte_hvdev_kvp.h"
#include "rte_hvsim.h"

#define PKT_INBAND 6
#define WAIT_MS 3000
#define CANARY 0xa5

#define V(maj, min) { .major = (maj), .minor = (min) }

static const struct rte_hvdev_ic_version fcopy_fw[] = { V(3, 0) };
static const struct rte_hvdev_ic_version fcopy_srv[] = { V(1, 1) };

/*
 * A host NEGOTIATE for fcopy, offering framework 1.0 and 3.0 and service 1.1, with
 * distinctive pipe header and transaction id values that the answer must keep.
 */
static const uint8_t fcopy_offer[48] = {
	0x01, 0x00, 0x00, 0x00,		/* pipe flags */
	0x28, 0x00, 0x00, 0x00,		/* pipe msgsize 40 */
	0x01, 0x00, 0x00, 0x00,		/* icverframe 1.0 */
	0x00, 0x00,			/* icmsgtype NEGOTIATE */
	0x01, 0x00, 0x00, 0x00,		/* icvermsg 1.0 */
	0x14, 0x00,			/* icmsgsize 20 */
	0x00, 0x00, 0x00, 0x00,		/* status */
	0x2a,				/* ictransaction_id */
	0x03,				/* icflags TRANSACTION|REQUEST */
	0x00, 0x00,			/* reserved */
	0x02, 0x00,			/* icframe_vercnt 2 */
	0x01, 0x00,			/* icmsg_vercnt 1 */
	0x00, 0x00, 0x00, 0x00,		/* reserved */
	0x01, 0x00, 0x00, 0x00,		/* framework 1.0 */
	0x03, 0x00, 0x00, 0x00,		/* framework 3.0 */
	0x01, 0x00, 0x01, 0x00,		/* service 1.1 */
};

/* The guest's answer to fcopy_offer: same length, same pipe header and transaction id. */
static const uint8_t fcopy_answer[48] = {
	0x01, 0x00, 0x00, 0x00,		/* pipe flags, untouched */
	0x28, 0x00, 0x00, 0x00,		/* pipe msgsize, untouched */
	0x01, 0x00, 0x00, 0x00,		/* icverframe, untouched */
	0x00, 0x00,			/* icmsgtype NEGOTIATE */
	0x01, 0x00, 0x00, 0x00,		/* icvermsg, untouched */
	0x10, 0x00,			/* icmsgsize 0x10 */
	0x00, 0x00, 0x00, 0x00,		/* status S_OK */
	0x2a,				/* ictransaction_id, untouched */
	0x05,				/* icflags TRANSACTION|RESPONSE */
	0x00, 0x00,			/* reserved */
	0x01, 0x00,			/* one framework version */
	0x01, 0x00,			/* one service version */
	0x00, 0x00, 0x00, 0x00,		/* reserved */
	0x03, 0x00, 0x00, 0x00,		/* framework 3.0 */
	0x01, 0x00, 0x01, 0x00,		/* service 1.1 */
	0x01, 0x00, 0x01, 0x00,		/* beyond the answer: the offer's bytes, untouched */
};

/* An offer fcopy cannot accept (framework 1.0 only), and the refusal. */
static const uint8_t fcopy_bad_offer[44] = {
	0x01, 0x00, 0x00, 0x00, 0x24, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x10, 0x00,			/* icmsgsize 16 */
	0x00, 0x00, 0x00, 0x00, 0x07, 0x03, 0x00, 0x00,
	0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00,		/* framework 1.0 */
	0x01, 0x00, 0x01, 0x00,		/* service 1.1 */
};

static const uint8_t fcopy_refusal[44] = {
	0x01, 0x00, 0x00, 0x00, 0x24, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x10, 0x00,			/* icmsgsize 0x10 */
	0x05, 0x40, 0x00, 0x80,		/* status E_FAIL */
	0x07, 0x05, 0x00, 0x00,		/* same id, TRANSACTION|RESPONSE */
	0x00, 0x00, 0x00, 0x00,		/* counts 0/0 */
	0x00, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00,		/* version array left as the host wrote it */
	0x01, 0x00, 0x01, 0x00,
};

/* Write a NEGOTIATE by hand: IC header, then counts, then the versions as given. */
static uint32_t
build_offer(uint8_t *p, uint16_t nfw, uint16_t nsrv, const struct rte_hvdev_ic_version *v,
	    unsigned int nv)
{
	uint32_t len = RTE_HVDEV_IC_NEGOTIATE_SIZE(0, 0) + nv * 4;
	uint16_t size = (uint16_t)(len - RTE_HVDEV_IC_HDR_SIZE);

	memset(p, 0, len);
	p[8] = 1;
	p[14] = 1;
	memcpy(p + 18, &size, 2);
	p[25] = RTE_HVDEV_IC_FLAG_TRANSACTION | RTE_HVDEV_IC_FLAG_REQUEST;
	memcpy(p + 28, &nfw, 2);
	memcpy(p + 30, &nsrv, 2);
	memcpy(p + 36, v, nv * 4);
	return len;
}

static int
check_answer_fields(const uint8_t *p, uint16_t count, uint32_t status)
{
	uint16_t size, nfw, nsrv;
	uint32_t st;

	memcpy(&size, p + 18, 2);
	memcpy(&st, p + 20, 4);
	memcpy(&nfw, p + 28, 2);
	memcpy(&nsrv, p + 30, 2);
	TEST_ASSERT_EQUAL(size, 0x10, "icmsgsize of an answer");
	TEST_ASSERT_EQUAL(st, status, "status");
	TEST_ASSERT_EQUAL(p[25], RTE_HVDEV_IC_FLAG_TRANSACTION | RTE_HVDEV_IC_FLAG_RESPONSE,
			  "flags");
	TEST_ASSERT_EQUAL(nfw, count, "framework count");
	TEST_ASSERT_EQUAL(nsrv, count, "service count");
	return TEST_SUCCESS;
}

static int
test_hdr_layout(void)
{
	struct rte_hvdev_ic_hdr hdr;
	uint32_t body = 0;

	TEST_ASSERT_EQUAL(sizeof(hdr), 28, "IC header size");
	TEST_ASSERT_EQUAL(rte_hvdev_ic_parse(fcopy_offer, sizeof(fcopy_offer), &hdr, &body), 0,
			  "parse");
	TEST_ASSERT_EQUAL(hdr.pipe_flags, 1, "pipe flags at 0");
	TEST_ASSERT_EQUAL(hdr.pipe_msgsize, 40, "pipe msgsize at 4");
	TEST_ASSERT(hdr.icverframe.major == 1 && hdr.icverframe.minor == 0, "icverframe at 8");
	TEST_ASSERT_EQUAL(hdr.icmsgtype, RTE_HVDEV_IC_MSG_NEGOTIATE, "type at 12");
	TEST_ASSERT(hdr.icvermsg.major == 1 && hdr.icvermsg.minor == 0, "icvermsg at 14");
	TEST_ASSERT_EQUAL(hdr.icmsgsize, 20, "icmsgsize at 18");
	TEST_ASSERT_EQUAL(hdr.status, 0, "status at 20");
	TEST_ASSERT_EQUAL(hdr.ictransaction_id, 0x2a, "transaction id at 24");
	TEST_ASSERT_EQUAL(hdr.icflags, 3, "flags at 25");
	TEST_ASSERT_EQUAL(body, 20, "body length is icmsgsize");
	return TEST_SUCCESS;
}

static int
test_parse_bounds(void)
{
	struct rte_hvdev_ic_hdr hdr, before;
	uint8_t p[64];
	uint32_t body = 12345;
	uint16_t size;

	memcpy(p, fcopy_offer, sizeof(fcopy_offer));
	memset(&hdr, 0x77, sizeof(hdr));
	before = hdr;
	TEST_ASSERT_EQUAL(rte_hvdev_ic_parse(p, 0, &hdr, &body), -EBADMSG, "empty");
	TEST_ASSERT_EQUAL(rte_hvdev_ic_parse(p, 27, &hdr, &body), -EBADMSG, "27 bytes");
	TEST_ASSERT(memcmp(&hdr, &before, sizeof(hdr)) == 0, "header untouched when short");
	TEST_ASSERT_EQUAL(body, 12345, "body length untouched");
	TEST_ASSERT_EQUAL(rte_hvdev_ic_parse(NULL, 48, &hdr, &body), -EINVAL, "NULL payload");
	TEST_ASSERT_EQUAL(rte_hvdev_ic_parse(p, 48, NULL, &body), -EINVAL, "NULL header");

	/* icmsgsize 20 fits in 48 bytes and exactly in 48; one more does not. */
	TEST_ASSERT_EQUAL(rte_hvdev_ic_parse(p, 48, &hdr, NULL), 0, "body_len may be NULL");
	size = 20;
	memcpy(p + 18, &size, 2);
	TEST_ASSERT_EQUAL(rte_hvdev_ic_parse(p, 47, &hdr, &body), -EBADMSG, "body past 47");
	TEST_ASSERT_EQUAL(hdr.icmsgsize, 20, "header copied out even so");
	size = 21;
	memcpy(p + 18, &size, 2);
	TEST_ASSERT_EQUAL(rte_hvdev_ic_parse(p, 48, &hdr, &body), -EBADMSG, "body past 48");
	size = 0xffff;
	memcpy(p + 18, &size, 2);
	TEST_ASSERT_EQUAL(rte_hvdev_ic_parse(p, 48, &hdr, &body), -EBADMSG, "huge icmsgsize");
	size = 0;
	memcpy(p + 18, &size, 2);
	TEST_ASSERT_EQUAL(rte_hvdev_ic_parse(p, 28, &hdr, &body), 0, "header only");
	TEST_ASSERT_EQUAL(body, 0, "no body");
	return TEST_SUCCESS;
}

static int
test_negotiate_fcopy_exact(void)
{
	struct rte_hvdev_ic_version fw = V(0, 0), srv = V(0, 0);
	uint8_t p[48];

	memcpy(p, fcopy_offer, sizeof(p));
	TEST_ASSERT_EQUAL(rte_hvdev_ic_negotiate(p, sizeof(p), fcopy_fw, 1, fcopy_srv, 1, &fw,
						 &srv), 0, "fcopy accepts");
	TEST_ASSERT(fw.major == 3 && fw.minor == 0, "framework 3.0, got %u.%u", fw.major,
		    fw.minor);
	TEST_ASSERT(srv.major == 1 && srv.minor == 1, "service 1.1, got %u.%u", srv.major,
		    srv.minor);
	TEST_RUN(check_answer_fields(p, 1, RTE_HVDEV_IC_S_OK));
	TEST_ASSERT(memcmp(p, fcopy_answer, sizeof(p)) == 0, "answer byte for byte");
	return TEST_SUCCESS;
}

static int
test_negotiate_no_match_exact(void)
{
	struct rte_hvdev_ic_version fw = V(9, 9), srv = V(9, 9);
	uint8_t p[44];

	memcpy(p, fcopy_bad_offer, sizeof(p));
	TEST_ASSERT_EQUAL(rte_hvdev_ic_negotiate(p, sizeof(p), fcopy_fw, 1, fcopy_srv, 1, &fw,
						 &srv), -ENOTSUP, "no common framework");
	TEST_ASSERT(memcmp(p, fcopy_refusal, sizeof(p)) == 0, "refusal byte for byte");
	TEST_ASSERT(fw.major == 9 && srv.major == 9, "outputs untouched on failure");
	return TEST_SUCCESS;
}

static int
test_negotiate_no_service_match(void)
{
	const struct rte_hvdev_ic_version offer[] = { V(3, 0), V(1, 0), V(2, 0) };
	uint8_t p[64];
	uint32_t len;

	/* The framework matches, the service does not: a refusal all the same. */
	len = build_offer(p, 2, 1, offer, RTE_DIM(offer));
	TEST_ASSERT_EQUAL(rte_hvdev_ic_negotiate(p, len, fcopy_fw, 1, fcopy_srv, 1, NULL, NULL),
			  -ENOTSUP, "no common service");
	TEST_RUN(check_answer_fields(p, 0, RTE_HVDEV_IC_E_FAIL));
	/* A guest with no versions at all matches nothing. */
	len = build_offer(p, 2, 1, offer, RTE_DIM(offer));
	TEST_ASSERT_EQUAL(rte_hvdev_ic_negotiate(p, len, NULL, 0, NULL, 0, NULL, NULL),
			  -ENOTSUP, "empty guest lists");
	TEST_RUN(check_answer_fields(p, 0, RTE_HVDEV_IC_E_FAIL));
	return TEST_SUCCESS;
}

static int
check_pick(const struct rte_hvdev_ic_version *offer, uint16_t nfw, uint16_t nsrv,
	   const struct rte_hvdev_ic_version *gfw, unsigned int ngfw,
	   const struct rte_hvdev_ic_version *gsrv, unsigned int ngsrv,
	   struct rte_hvdev_ic_version want_fw, struct rte_hvdev_ic_version want_srv)
{
	struct rte_hvdev_ic_version fw, srv, got[2];
	uint8_t p[512];
	uint32_t len;

	len = build_offer(p, nfw, nsrv, offer, nfw + nsrv);
	TEST_ASSERT_EQUAL(rte_hvdev_ic_negotiate(p, len, gfw, ngfw, gsrv, ngsrv, &fw, &srv), 0,
			  "negotiate");
	TEST_RUN(check_answer_fields(p, 1, RTE_HVDEV_IC_S_OK));
	memcpy(got, p + 36, sizeof(got));
	TEST_ASSERT(fw.major == want_fw.major && fw.minor == want_fw.minor,
		    "framework %u.%u, want %u.%u", fw.major, fw.minor, want_fw.major,
		    want_fw.minor);
	TEST_ASSERT(srv.major == want_srv.major && srv.minor == want_srv.minor,
		    "service %u.%u, want %u.%u", srv.major, srv.minor, want_srv.major,
		    want_srv.minor);
	TEST_ASSERT(memcmp(&got[0], &fw, 4) == 0 && memcmp(&got[1], &srv, 4) == 0,
		    "answer carries the chosen versions");
	return TEST_SUCCESS;
}

static int
test_negotiate_highest_common(void)
{
	const struct rte_hvdev_ic_class *kvp = rte_hvdev_ic_class_by_name("kvp");
	const struct rte_hvdev_ic_version offer[] = { V(3, 0), V(1, 0), V(1, 0), V(3, 0),
						      V(4, 0) };
	const struct rte_hvdev_ic_version offer2[] = { V(1, 0), V(3, 0), V(5, 0), V(3, 0),
						       V(9, 0), V(1, 0) };
	const struct rte_hvdev_ic_version want_fw = V(3, 0), want_srv = V(4, 0);
	const struct rte_hvdev_ic_version want_srv2 = V(3, 0);

	TEST_ASSERT(kvp != NULL, "kvp class");
	TEST_RUN(check_pick(offer, 2, 3, kvp->fw, kvp->nfw, kvp->srv, kvp->nsrv, want_fw,
			    want_srv));
	/* Host versions the guest does not know (5.0, 9.0) are skipped, whatever their rank. */
	TEST_RUN(check_pick(offer2, 3, 3, kvp->fw, kvp->nfw, kvp->srv, kvp->nsrv, want_fw,
			    want_srv2));
	return TEST_SUCCESS;
}

static int
test_negotiate_major_minor_fields(void)
{
	const struct rte_hvdev_ic_version fw_a[] = { V(2, 65535), V(3, 0) };
	const struct rte_hvdev_ic_version offer_a[] = { V(2, 65535), V(3, 0), V(1, 1) };
	const struct rte_hvdev_ic_version offer_b[] = { V(3, 0), V(2, 65535), V(1, 1) };
	const struct rte_hvdev_ic_version srv_c[] = { V(1, 9), V(1, 10) };
	const struct rte_hvdev_ic_version offer_c[] = { V(3, 0), V(1, 9), V(1, 10) };
	const struct rte_hvdev_ic_version offer_d[] = { V(3, 0), V(1, 10), V(1, 9) };
	const struct rte_hvdev_ic_version v30 = V(3, 0), v11 = V(1, 1), v110 = V(1, 10);

	/* 2.65535 read as one little-endian word would outrank 3.0. */
	TEST_RUN(check_pick(offer_a, 2, 1, fw_a, 2, fcopy_srv, 1, v30, v11));
	TEST_RUN(check_pick(offer_b, 2, 1, fw_a, 2, fcopy_srv, 1, v30, v11));
	/* 1.10 is newer than 1.9. */
	TEST_RUN(check_pick(offer_c, 1, 2, fcopy_fw, 1, srv_c, 2, v30, v110));
	TEST_RUN(check_pick(offer_d, 1, 2, fcopy_fw, 1, srv_c, 2, v30, v110));
	return TEST_SUCCESS;
}

static int
test_negotiate_count_limit(void)
{
	struct rte_hvdev_ic_version offer[RTE_HVDEV_IC_VERSION_MAX_COUNT + 2];
	uint8_t p[RTE_HVDEV_IC_NEGOTIATE_SIZE(RTE_HVDEV_IC_VERSION_MAX_COUNT + 1, 1)];
	struct rte_hvdev_ic_version fw = V(0, 0);
	unsigned int i;
	uint32_t len;

	/* 100 framework versions, 3.0 last: accepted. */
	for (i = 0; i < RTE_DIM(offer); i++)
		offer[i] = (struct rte_hvdev_ic_version)V(1, i);
	offer[99] = (struct rte_hvdev_ic_version)V(3, 0);
	offer[100] = (struct rte_hvdev_ic_version)V(1, 1);
	len = build_offer(p, 100, 1, offer, 101);
	TEST_ASSERT_EQUAL(rte_hvdev_ic_negotiate(p, len, fcopy_fw, 1, fcopy_srv, 1, &fw, NULL),
			  0, "100 versions are allowed");
	TEST_ASSERT_EQUAL(fw.major, 3, "the last of 100 found");

	/* 101 framework versions: malformed, even though they fit in the payload. */
	offer[100] = (struct rte_hvdev_ic_version)V(3, 0);
	offer[101] = (struct rte_hvdev_ic_version)V(1, 1);
	len = build_offer(p, 101, 1, offer, 102);
	TEST_ASSERT_EQUAL(len, sizeof(p), "whole offer in the payload");
	TEST_ASSERT_EQUAL(rte_hvdev_ic_negotiate(p, len, fcopy_fw, 1, fcopy_srv, 1, NULL, NULL),
			  -EBADMSG, "101 framework versions");
	TEST_RUN(check_answer_fields(p, 0, RTE_HVDEV_IC_E_FAIL));

	/* 101 service versions. */
	len = build_offer(p, 1, 101, offer, 102);
	TEST_ASSERT_EQUAL(rte_hvdev_ic_negotiate(p, len, fcopy_fw, 1, fcopy_srv, 1, NULL, NULL),
			  -EBADMSG, "101 service versions");
	TEST_RUN(check_answer_fields(p, 0, RTE_HVDEV_IC_E_FAIL));
	return TEST_SUCCESS;
}

static int
test_negotiate_counts_beyond_len(void)
{
	const struct rte_hvdev_ic_version offer[] = { V(3, 0), V(1, 1) };
	uint8_t p[64];
	uint16_t nsrv = 2;
	uint32_t len;

	/* Two service versions claimed, one present: the second would be read past the end. */
	len = build_offer(p, 1, 1, offer, RTE_DIM(offer));
	memcpy(p + 30, &nsrv, 2);
	TEST_ASSERT_EQUAL(rte_hvdev_ic_negotiate(p, len, fcopy_fw, 1, fcopy_srv, 1, NULL, NULL),
			  -EBADMSG, "counts beyond the payload");
	TEST_RUN(check_answer_fields(p, 0, RTE_HVDEV_IC_E_FAIL));

	/* Huge counts must not wrap the size computation. */
	len = build_offer(p, 0xffff, 0xffff, offer, RTE_DIM(offer));
	TEST_ASSERT_EQUAL(rte_hvdev_ic_negotiate(p, len, fcopy_fw, 1, fcopy_srv, 1, NULL, NULL),
			  -EBADMSG, "counts 65535/65535");
	TEST_RUN(check_answer_fields(p, 0, RTE_HVDEV_IC_E_FAIL));
	return TEST_SUCCESS;
}

/*
 * The versions must lie inside the body icmsgsize announces, not merely inside the payload:
 * the payload is padded to 8 bytes, and padding read as a version is a version the host
 * never offered.
 */
static int
test_negotiate_versions_beyond_icmsgsize(void)
{
	uint8_t p[48];
	uint16_t size;

	/* Three versions in the payload, icmsgsize announcing room for two. */
	memcpy(p, fcopy_offer, sizeof(p));
	size = 8 + 2 * 4;
	memcpy(p + 18, &size, 2);
	TEST_ASSERT_EQUAL(rte_hvdev_ic_negotiate(p, sizeof(p), fcopy_fw, 1, fcopy_srv, 1, NULL,
						 NULL), -EBADMSG, "a version past icmsgsize");
	TEST_RUN(check_answer_fields(p, 0, RTE_HVDEV_IC_E_FAIL));
	/* icmsgsize past the payload. */
	memcpy(p, fcopy_offer, sizeof(p));
	size = 21;
	memcpy(p + 18, &size, 2);
	TEST_ASSERT_EQUAL(rte_hvdev_ic_negotiate(p, sizeof(p), fcopy_fw, 1, fcopy_srv, 1, NULL,
						 NULL), -EBADMSG, "icmsgsize past the payload");
	TEST_RUN(check_answer_fields(p, 0, RTE_HVDEV_IC_E_FAIL));
	/* icmsgsize shorter than the counts themselves. */
	memcpy(p, fcopy_offer, sizeof(p));
	size = 4;
	memcpy(p + 18, &size, 2);
	TEST_ASSERT_EQUAL(rte_hvdev_ic_negotiate(p, sizeof(p), fcopy_fw, 1, fcopy_srv, 1, NULL,
						 NULL), -EBADMSG, "icmsgsize 4");
	TEST_RUN(check_answer_fields(p, 0, RTE_HVDEV_IC_E_FAIL));
	/* The exact size still negotiates. */
	memcpy(p, fcopy_offer, sizeof(p));
	TEST_ASSERT_EQUAL(rte_hvdev_ic_negotiate(p, sizeof(p), fcopy_fw, 1, fcopy_srv, 1, NULL,
						 NULL), 0, "icmsgsize 20");
	return TEST_SUCCESS;
}

/* A refusal never claims a body longer than the payload it goes back in. */
static int
test_negotiate_refusal_size(void)
{
	const struct rte_hvdev_ic_version offer[] = { V(3, 0) };
	uint8_t p[64];
	uint32_t len;
	uint16_t size;

	/* Counts 0/0 and one stray version: 40 bytes, room for 12 bytes of body only. */
	memset(p, CANARY, sizeof(p));
	len = build_offer(p, 0, 0, offer, 1);
	TEST_ASSERT_EQUAL(len, 40, "40-byte offer");
	TEST_ASSERT_EQUAL(rte_hvdev_ic_negotiate(p, len, fcopy_fw, 1, fcopy_srv, 1, NULL, NULL),
			  -ENOTSUP, "nothing offered");
	memcpy(&size, p + 18, 2);
	TEST_ASSERT_EQUAL(size, 12, "icmsgsize of the refusal fits its 40 bytes");
	TEST_ASSERT_EQUAL(p[40], CANARY, "nothing written past the payload");
	return TEST_SUCCESS;
}

static int
test_negotiate_short(void)
{
	uint8_t p[48], before[48];
	uint32_t len;

	memcpy(p, fcopy_offer, sizeof(p));
	memcpy(before, p, sizeof(p));
	for (len = 0; len < 36; len++) {
		TEST_ASSERT_EQUAL(rte_hvdev_ic_negotiate(p, len, fcopy_fw, 1, fcopy_srv, 1, NULL,
							 NULL), -EBADMSG, "%u bytes", len);
		TEST_ASSERT(memcmp(p, before, sizeof(p)) == 0, "%u bytes: buffer untouched",
			    len);
	}
	return TEST_SUCCESS;
}

static int
test_negotiate_bad_args(void)
{
	uint8_t p[48], before[48];

	memcpy(p, fcopy_offer, sizeof(p));
	TEST_ASSERT_EQUAL(rte_hvdev_ic_negotiate(NULL, 48, fcopy_fw, 1, fcopy_srv, 1, NULL,
						 NULL), -EINVAL, "NULL payload");
	TEST_ASSERT_EQUAL(rte_hvdev_ic_negotiate(p, 48, NULL, 1, fcopy_srv, 1, NULL, NULL),
			  -EINVAL, "NULL framework list");
	TEST_ASSERT_EQUAL(rte_hvdev_ic_negotiate(p, 48, fcopy_fw, 1, NULL, 1, NULL, NULL),
			  -EINVAL, "NULL service list");
	/* A heartbeat is not a NEGOTIATE: nothing to answer here. */
	p[12] = RTE_HVDEV_IC_MSG_HEARTBEAT;
	memcpy(before, p, sizeof(p));
	TEST_ASSERT_EQUAL(rte_hvdev_ic_negotiate(p, 48, fcopy_fw, 1, fcopy_srv, 1, NULL, NULL),
			  -EINVAL, "not a NEGOTIATE");
	TEST_ASSERT(memcmp(p, before, sizeof(p)) == 0, "buffer untouched");
	return TEST_SUCCESS;
}

/*
 * Parse and answer a copy of @p p in a heap block of exactly @p len bytes, so that a build
 * with AddressSanitizer also catches reads past the length.
 */
static int
check_exact_heap(const uint8_t *p, uint32_t len)
{
	struct rte_hvdev_ic_hdr hdr;
	uint8_t *q = malloc(len > 0 ? len : 1);

	TEST_ASSERT(q != NULL, "malloc");
	memcpy(q, p, len);
	rte_hvdev_ic_parse(q, len, &hdr, NULL);
	rte_hvdev_ic_negotiate(q, len, fcopy_fw, 1, fcopy_srv, 1, NULL, NULL);
	free(q);
	return TEST_SUCCESS;
}

/*
 * Every length from the shortest to past a full offer, every count combination that fits or
 * overflows it: nothing is written at or past the length (canary bytes follow it).
 */
static int
test_negotiate_canary(void)
{
	const struct rte_hvdev_ic_version offer[] = { V(1, 0), V(3, 0), V(1, 1), V(1, 1) };
	uint8_t p[128];
	uint16_t nfw, nsrv;
	uint32_t len, i;
	int ret;

	for (len = 0; len <= 60; len++) {
		for (nfw = 0; nfw <= 3; nfw++) {
			for (nsrv = 0; nsrv <= 3; nsrv++) {
				memset(p, CANARY, sizeof(p));
				build_offer(p, nfw, nsrv, offer, RTE_MIN(len, 52u) >= 36 ?
					    (RTE_MIN(len, 52u) - 36) / 4 : 0);
				memset(p + len, CANARY, sizeof(p) - len);
				TEST_RUN(check_exact_heap(p, len));
				ret = rte_hvdev_ic_negotiate(p, len, fcopy_fw, 1, fcopy_srv, 1,
							     NULL, NULL);
				TEST_ASSERT(ret == 0 || ret == -ENOTSUP || ret == -EBADMSG,
					    "len %u counts %u/%u: %d", len, nfw, nsrv, ret);
				TEST_ASSERT(ret != 0 || len >= 44, "success needs 44 bytes");
				for (i = len; i < sizeof(p); i++)
					TEST_ASSERT_EQUAL(p[i], CANARY,
							  "len %u counts %u/%u: byte %u written",
							  len, nfw, nsrv, i);
			}
		}
	}
	return TEST_SUCCESS;
}

static int
test_make_response(void)
{
	uint8_t p[48], want[48];
	uint32_t st = RTE_HVDEV_IC_DISK_FULL;

	memcpy(p, fcopy_offer, sizeof(p));
	memcpy(want, fcopy_offer, sizeof(want));
	memcpy(want + 20, &st, 4);
	want[25] = RTE_HVDEV_IC_FLAG_TRANSACTION | RTE_HVDEV_IC_FLAG_RESPONSE;
	rte_hvdev_ic_make_response(p, RTE_HVDEV_IC_DISK_FULL);
	TEST_ASSERT(memcmp(p, want, sizeof(p)) == 0, "only status and flags change");
	TEST_ASSERT_EQUAL(want[20], 0x70, "status little-endian at 20");
	TEST_ASSERT_EQUAL(want[23], 0x80, "status little-endian at 20");
	rte_hvdev_ic_make_response(NULL, 0);
	return TEST_SUCCESS;
}

static int
test_make_negotiate(void)
{
	static const uint8_t want[48] = {
		0x00, 0x00, 0x00, 0x00,		/* pipe flags */
		0x28, 0x00, 0x00, 0x00,		/* pipe msgsize: the 40 bytes after it */
		0x01, 0x00, 0x00, 0x00,		/* icverframe 1.0 */
		0x00, 0x00,			/* NEGOTIATE */
		0x01, 0x00, 0x00, 0x00,		/* icvermsg 1.0 */
		0x14, 0x00,			/* icmsgsize 8 + 3 * 4 */
		0x00, 0x00, 0x00, 0x00,		/* status */
		0x00, 0x03, 0x00, 0x00,		/* transaction 0, TRANSACTION|REQUEST */
		0x02, 0x00, 0x01, 0x00,		/* counts 2/1 */
		0x00, 0x00, 0x00, 0x00,
		0x01, 0x00, 0x00, 0x00,		/* 1.0 */
		0x03, 0x00, 0x00, 0x00,		/* 3.0 */
		0x01, 0x00, 0x01, 0x00,		/* 1.1 */
	};
	const struct rte_hvdev_ic_version fw[] = { V(1, 0), V(3, 0) };
	struct rte_hvdev_ic_version many[RTE_HVDEV_IC_VERSION_MAX_COUNT + 1] = { 0 };
	uint8_t p[64];

	memset(p, CANARY, sizeof(p));
	TEST_ASSERT_EQUAL(rte_hvdev_ic_make_negotiate(p, 48, fw, 2, fcopy_srv, 1), 48,
			  "length");
	TEST_ASSERT(memcmp(p, want, sizeof(want)) == 0, "request byte for byte");
	TEST_ASSERT_EQUAL(p[48], CANARY, "nothing past the request");
	TEST_ASSERT_EQUAL(rte_hvdev_ic_make_negotiate(p, 47, fw, 2, fcopy_srv, 1), -ENOSPC,
			  "one byte short");
	TEST_ASSERT_EQUAL(rte_hvdev_ic_make_negotiate(NULL, 48, fw, 2, fcopy_srv, 1), -EINVAL,
			  "NULL buffer");
	TEST_ASSERT_EQUAL(rte_hvdev_ic_make_negotiate(p, 48, fw, 0, fcopy_srv, 1), -EINVAL,
			  "no framework version");
	TEST_ASSERT_EQUAL(rte_hvdev_ic_make_negotiate(p, 48, fw, 2, NULL, 1), -EINVAL,
			  "NULL service list");
	TEST_ASSERT_EQUAL(rte_hvdev_ic_make_negotiate(p, sizeof(p), many, RTE_DIM(many),
						      fcopy_srv, 1), -EINVAL, "101 versions");
	return TEST_SUCCESS;
}

/* For every known class: the host offers the guest's own lists, the guest picks its best. */
static int
test_roundtrip_classes(void)
{
	static const char *const names[] = {
		"fcopy", "kvp", "vss", "heartbeat", "shutdown", "timesync",
	};
	const struct rte_hvdev_ic_class *cls;
	struct rte_hvdev_ic_version fw, srv;
	struct rte_hvdev_ic_hdr hdr;
	uint8_t p[256];
	unsigned int i;
	int len;

	for (i = 0; i < RTE_DIM(names); i++) {
		cls = rte_hvdev_ic_class_by_name(names[i]);
		TEST_ASSERT(cls != NULL, "class %s", names[i]);
		len = rte_hvdev_ic_make_negotiate(p, sizeof(p), cls->fw, cls->nfw, cls->srv,
						  cls->nsrv);
		TEST_ASSERT(len > 0, "%s: make", names[i]);
		TEST_ASSERT_EQUAL(rte_hvdev_ic_parse(p, (uint32_t)len, &hdr, NULL), 0,
				  "%s: the request parses", names[i]);
		TEST_ASSERT_EQUAL(rte_hvdev_ic_negotiate(p, (uint32_t)len, cls->fw, cls->nfw,
							 cls->srv, cls->nsrv, &fw, &srv), 0,
				  "%s: negotiate", names[i]);
		TEST_ASSERT(memcmp(&fw, &cls->fw[0], 4) == 0 && memcmp(&srv, &cls->srv[0], 4) == 0,
			    "%s: the preferred (highest) versions", names[i]);
		TEST_ASSERT_EQUAL(rte_hvdev_ic_parse(p, (uint32_t)len, &hdr, NULL), 0,
				  "%s: the answer parses", names[i]);
		TEST_ASSERT_EQUAL(hdr.icflags, 5, "%s: answer flags", names[i]);
	}
	return TEST_SUCCESS;
}

static int
test_class_table(void)
{
	static const char *const guids[][2] = {
		{ "fcopy", "34d14be3-dee4-41c8-9ae7-6b174977c192" },
		{ "kvp", "a9a0f4e7-5a45-4d96-b827-8a841e8c03e6" },
		{ "vss", "35fa2e29-ea23-4236-96ae-3a6ebacba440" },
		{ "heartbeat", "57164f39-9115-4e78-ab55-382f3bd5422d" },
		{ "shutdown", "0e0b6031-5213-4934-818b-38d90ced39db" },
		{ "timesync", "9527e630-d0ae-497b-adce-e80ab0175caf" },
	};
	const struct rte_hvdev_ic_class *cls;
	rte_uuid_t uu, want;
	unsigned int i;

	for (i = 0; i < RTE_DIM(guids); i++) {
		cls = rte_hvdev_ic_class_by_name(guids[i][0]);
		TEST_ASSERT(cls != NULL && strcmp(cls->guid, guids[i][1]) == 0, "%s GUID",
			    guids[i][0]);
		TEST_ASSERT_EQUAL(rte_uuid_parse(guids[i][1], want), 0, "parse");
		TEST_ASSERT(rte_hvdev_ic_class_by_guid(want) == cls, "%s by GUID", guids[i][0]);
		TEST_ASSERT_EQUAL(rte_hvdev_ic_class_parse(guids[i][0], uu), 0, "%s by name",
				  guids[i][0]);
		TEST_ASSERT(rte_uuid_compare(uu, want) == 0, "%s: name gives the GUID",
			    guids[i][0]);
	}
	cls = rte_hvdev_ic_class_by_name("shutdown");
	TEST_ASSERT(cls->nfw == 2 && cls->fw[0].major == 3 && cls->fw[1].major == 1,
		    "shutdown framework 3.0, 1.0");
	TEST_ASSERT(cls->nsrv == 4 && cls->srv[0].major == 3 && cls->srv[0].minor == 2 &&
		    cls->srv[3].major == 1, "shutdown services 3.2 .. 1.0");
	cls = rte_hvdev_ic_class_by_name("fcopy");
	TEST_ASSERT(cls->nfw == 1 && cls->fw[0].major == 3 && cls->nsrv == 1 &&
		    cls->srv[0].major == 1 && cls->srv[0].minor == 1, "fcopy 3.0 / 1.1");
	TEST_ASSERT(rte_hvdev_ic_class_by_name("FCopy") != NULL, "names ignore case");
	TEST_ASSERT(rte_hvdev_ic_class_by_name("nic") == NULL, "unknown name");
	TEST_ASSERT(rte_hvdev_ic_class_by_name(NULL) == NULL, "NULL name");
	TEST_ASSERT_EQUAL(rte_uuid_parse("f8615163-df3e-46c5-913f-f2d2f965ed0e", uu), 0, "NIC");
	TEST_ASSERT(rte_hvdev_ic_class_by_guid(uu) == NULL, "the NIC is no IC");
	return TEST_SUCCESS;
}

static int
test_class_parse(void)
{
	static const char *const bad[] = {
		"", "foo", "fcopy ", "{34d14be3-dee4-41c8-9ae7-6b174977c192",
		"34d14be3-dee4-41c8-9ae7-6b174977c192}", "{{34d14be3-dee4-41c8-9ae7-6b174977c19}}",
		"34d14be3-dee4-41c8-9ae7-6b174977c19", "34d14be3-dee4-41c8-9ae7-6b174977c1923",
		"34d14be3dee441c89ae76b174977c192", "34d14be3-dee4-41c8-9ae7-6b174977c19g",
		"(34d14be3-dee4-41c8-9ae7-6b174977c192)", "{34d14be3-dee4-41c8-9ae7-6b174977c192}x",
	};
	rte_uuid_t uu, want, before;
	unsigned int i;

	TEST_ASSERT_EQUAL(rte_uuid_parse("34d14be3-dee4-41c8-9ae7-6b174977c192", want), 0,
			  "reference GUID");
	memset(uu, 0, sizeof(uu));
	TEST_ASSERT_EQUAL(rte_hvdev_ic_class_parse("34d14be3-dee4-41c8-9ae7-6b174977c192", uu),
			  0, "bare GUID");
	TEST_ASSERT(rte_uuid_compare(uu, want) == 0, "bare GUID value");
	memset(uu, 0, sizeof(uu));
	TEST_ASSERT_EQUAL(rte_hvdev_ic_class_parse("{34D14BE3-DEE4-41C8-9AE7-6B174977C192}", uu),
			  0, "braced upper-case GUID");
	TEST_ASSERT(rte_uuid_compare(uu, want) == 0, "braced GUID value");
	memset(uu, 0, sizeof(uu));
	TEST_ASSERT_EQUAL(rte_hvdev_ic_class_parse("Fcopy", uu), 0, "name");
	TEST_ASSERT(rte_uuid_compare(uu, want) == 0, "name value");
	/* Any GUID is a class, known or not. */
	TEST_ASSERT_EQUAL(rte_hvdev_ic_class_parse("{f8615163-df3e-46c5-913f-f2d2f965ed0e}",
						   uu), 0, "unknown GUID");
	for (i = 0; i < RTE_DIM(bad); i++) {
		memset(uu, 0x11, sizeof(uu));
		memcpy(before, uu, sizeof(uu));
		TEST_ASSERT_EQUAL(rte_hvdev_ic_class_parse(bad[i], uu), -EINVAL, "\"%s\"",
				  bad[i]);
		TEST_ASSERT(memcmp(uu, before, sizeof(uu)) == 0, "\"%s\": output untouched",
			    bad[i]);
	}
	TEST_ASSERT_EQUAL(rte_hvdev_ic_class_parse(NULL, uu), -EINVAL, "NULL");
	return TEST_SUCCESS;
}

static int
test_status_str(void)
{
	static const struct {
		uint32_t status;
		const char *text;
	} codes[] = {
		{ 0, "success" },
		{ 0x80004005, "failure" },
		{ 0x80070103, "continue" },
		{ 0x80070032, "not supported" },
		{ 0x80070057, "invalid argument" },
		{ 0x80070050, "already exists" },
		{ 0x80070070, "disk full" },
		{ 0x80070005, "access denied" },
		{ 0x80070003, "path not found" },
		{ 0x800700CE, "name too long" },
		{ 0x80070001, "unknown" },
		{ 1, "unknown" },
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(codes); i++)
		TEST_ASSERT(strcmp(rte_hvdev_ic_status_str(codes[i].status), codes[i].text) == 0,
			    "%#x: \"%s\"", codes[i].status,
			    rte_hvdev_ic_status_str(codes[i].status));
	return TEST_SUCCESS;
}

/* ---- A guest negotiating with the simulator's IC host role ---- */

static char root[256];
static struct rte_hvsim *sim;
static uint32_t host_packets;

static void
host_on_packet(struct rte_hvsim_dev *dev, const struct rte_hvsim_pkt *p, void *arg)
{
	RTE_SET_USED(arg);
	__atomic_fetch_add(&host_packets, 1, __ATOMIC_SEQ_CST);
	if (rte_hvsim_send(dev, p->type, p->flags, p->xactid, p->data, p->len) != 0)
		fprintf(stderr, "host: echo failed\n");
}

static const struct rte_hvsim_dev_ops host_ops = {
	.on_packet = host_on_packet,
};

static int
setup(void)
{
	host_packets = 0;
	TEST_ASSERT(hvdev_test_root_create(root, sizeof(root)) == 0, "mkdtemp");
	sim = rte_hvsim_create(root);
	TEST_ASSERT(sim != NULL, "simulator create");
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
offer_ic(const char *cls)
{
	struct rte_hvsim_dev_conf conf = {
		.ic_negotiate = true, .ops = &host_ops,
	};

	hvdev_test_class(cls, conf.class_id);
	return rte_hvsim_offer(sim, &conf);
}

static struct hvdev_chan *
open_chan(const char *cls_name)
{
	struct hvdev_uio_devinfo info;
	struct hvdev_chan *ch = NULL;
	rte_uuid_t cls;
	char err[512];

	hvdev_test_class(cls_name, cls);
	if (hvdev_uio_discover(root, cls, NULL, WAIT_MS, &info, err, sizeof(err)) < 0) {
		fprintf(stderr, "discover: %s\n", err);
		return NULL;
	}
	if (hvdev_chan_open(&info, &ch) < 0)
		return NULL;
	return ch;
}

/* Receive the host's NEGOTIATE and check it is one, as a guest would see it. */
static int
recv_negotiate(struct hvdev_chan *ch, struct hvdev_pkt_meta *meta, uint8_t *buf,
	       uint32_t size)
{
	struct rte_hvdev_ic_hdr hdr;

	TEST_ASSERT_EQUAL(hvdev_chan_wait(ch, WAIT_MS), 1, "the host speaks first");
	TEST_ASSERT_EQUAL(hvdev_chan_recv(ch, meta, buf, size), 0, "recv");
	TEST_ASSERT_EQUAL(meta->type, PKT_INBAND, "in-band");
	TEST_ASSERT_EQUAL(meta->flags, 0, "no completion requested");
	TEST_ASSERT_EQUAL(rte_hvdev_ic_parse(buf, meta->len, &hdr, NULL), 0, "IC header");
	TEST_ASSERT_EQUAL(hdr.icmsgtype, RTE_HVDEV_IC_MSG_NEGOTIATE, "a NEGOTIATE");
	TEST_ASSERT_EQUAL(hdr.icflags, RTE_HVDEV_IC_FLAG_TRANSACTION | RTE_HVDEV_IC_FLAG_REQUEST,
			  "a request");
	return TEST_SUCCESS;
}

static int
send_back(struct hvdev_chan *ch, uint64_t xactid, uint8_t *buf, uint32_t len)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };

	TEST_ASSERT_EQUAL(hvdev_chan_send(ch, PKT_INBAND, 0, xactid, &iov, 1), 0, "send");
	return TEST_SUCCESS;
}

/* After negotiation the device's on_packet gets the guest's packets again. */
static int
check_echo(struct hvdev_chan *ch)
{
	uint8_t msg[32] = "after negotiation", buf[64];
	struct hvdev_pkt_meta meta;

	TEST_RUN(send_back(ch, 77, msg, sizeof(msg)));
	TEST_ASSERT_EQUAL(hvdev_chan_wait(ch, WAIT_MS), 1, "echo arrives");
	TEST_ASSERT_EQUAL(hvdev_chan_recv(ch, &meta, buf, sizeof(buf)), 0, "recv echo");
	TEST_ASSERT(meta.xactid == 77 && memcmp(buf, msg, sizeof(msg)) == 0, "echo intact");
	return TEST_SUCCESS;
}

static int
check_sim_ok(void)
{
	const struct rte_hvdev_ic_class *fcopy = rte_hvdev_ic_class_by_name("fcopy");
	struct rte_hvsim_ic_result res;
	struct rte_hvsim_dev_stats st;
	struct hvdev_pkt_meta meta;
	struct rte_hvsim_dev *dev;
	struct hvdev_chan *ch;
	uint8_t buf[256];

	dev = offer_ic("fcopy");
	TEST_ASSERT(dev != NULL, "offer");
	TEST_ASSERT_EQUAL(rte_hvsim_ic_result(dev, &res), 0, "result");
	TEST_ASSERT(!res.done, "nothing negotiated before the guest opens");
	ch = open_chan("fcopy");
	TEST_ASSERT(ch != NULL, "open");
	TEST_RUN(recv_negotiate(ch, &meta, buf, sizeof(buf)));
	/* Default offer: framework 3.0 and 1.0, fcopy's service 1.1 -> 44 bytes, padded. */
	TEST_ASSERT_EQUAL(meta.len, 48, "payload length");
	TEST_ASSERT_EQUAL(rte_hvdev_ic_negotiate(buf, meta.len, fcopy->fw, fcopy->nfw,
						 fcopy->srv, fcopy->nsrv, NULL, NULL), 0,
			  "the guest accepts");
	TEST_RUN(send_back(ch, meta.xactid, buf, meta.len));
	TEST_ASSERT_EQUAL(rte_hvsim_ic_wait(dev, WAIT_MS), 0, "host sees the answer");
	TEST_ASSERT_EQUAL(rte_hvsim_ic_result(dev, &res), 0, "result");
	TEST_ASSERT(res.done && res.ok, "negotiated");
	TEST_ASSERT_EQUAL(res.status, 0, "status");
	TEST_ASSERT(res.fw.major == 3 && res.fw.minor == 0, "framework 3.0");
	TEST_ASSERT(res.srv.major == 1 && res.srv.minor == 1, "service 1.1");
	TEST_ASSERT(res.xactid == meta.xactid, "transaction id");
	TEST_RUN(check_echo(ch));
	rte_hvsim_dev_stats_get(dev, &st);
	TEST_ASSERT_EQUAL(st.guest_errors, 0, "no guest error");
	TEST_ASSERT_EQUAL(__atomic_load_n(&host_packets, __ATOMIC_SEQ_CST), 1,
			  "the answer did not reach on_packet");
	hvdev_chan_close(ch);
	return TEST_SUCCESS;
}

static int
check_sim_refused(void)
{
	const struct rte_hvdev_ic_version fw[] = { V(9, 0) };
	struct rte_hvsim_ic_result res;
	struct rte_hvsim_dev_stats st;
	struct hvdev_pkt_meta meta;
	struct rte_hvsim_dev *dev;
	struct hvdev_chan *ch;
	uint8_t buf[256];

	dev = offer_ic("fcopy");
	TEST_ASSERT(dev != NULL, "offer");
	ch = open_chan("fcopy");
	TEST_ASSERT(ch != NULL, "open");
	TEST_RUN(recv_negotiate(ch, &meta, buf, sizeof(buf)));
	TEST_ASSERT_EQUAL(rte_hvdev_ic_negotiate(buf, meta.len, fw, 1, fcopy_srv, 1, NULL,
						 NULL), -ENOTSUP, "no common framework");
	TEST_RUN(send_back(ch, meta.xactid, buf, meta.len));
	TEST_ASSERT_EQUAL(rte_hvsim_ic_wait(dev, WAIT_MS), 0, "host sees the answer");
	TEST_ASSERT_EQUAL(rte_hvsim_ic_result(dev, &res), 0, "result");
	TEST_ASSERT(res.done && !res.ok, "not negotiated");
	TEST_ASSERT_EQUAL(res.status, RTE_HVDEV_IC_E_FAIL, "the guest's E_FAIL");
	rte_hvsim_dev_stats_get(dev, &st);
	TEST_ASSERT_EQUAL(st.guest_errors, 0, "a refusal is no protocol error");
	hvdev_chan_close(ch);
	return TEST_SUCCESS;
}

/* Packets before the answer are guest errors and never reach on_packet. */
static int
check_sim_early_packet(void)
{
	const struct rte_hvdev_ic_class *fcopy = rte_hvdev_ic_class_by_name("fcopy");
	struct rte_hvsim_ic_result res;
	struct rte_hvsim_dev_stats st;
	struct hvdev_pkt_meta meta;
	struct rte_hvsim_dev *dev;
	struct hvdev_chan *ch;
	uint8_t buf[256], junk[64] = { 0 };
	int i;

	dev = offer_ic("fcopy");
	TEST_ASSERT(dev != NULL, "offer");
	ch = open_chan("fcopy");
	TEST_ASSERT(ch != NULL, "open");
	TEST_RUN(recv_negotiate(ch, &meta, buf, sizeof(buf)));
	TEST_RUN(send_back(ch, 5, junk, sizeof(junk)));
	/* The answer with another IC transaction id, then with the request's flags. */
	TEST_ASSERT_EQUAL(rte_hvdev_ic_negotiate(buf, meta.len, fcopy->fw, fcopy->nfw,
						 fcopy->srv, fcopy->nsrv, NULL, NULL), 0,
			  "the guest accepts");
	/*
	 * The VMBus id need not be echoed (Hyper-V matches answers by the IC header's id), but
	 * an answer whose IC id is not the request's answers something else.
	 */
	buf[24] ^= 0x55;
	TEST_RUN(send_back(ch, UINT64_MAX, buf, meta.len));
	buf[24] ^= 0x55;
	buf[25] = RTE_HVDEV_IC_FLAG_TRANSACTION | RTE_HVDEV_IC_FLAG_REQUEST;
	TEST_RUN(send_back(ch, meta.xactid, buf, meta.len));
	for (i = 0; i < WAIT_MS; i++) {
		rte_hvsim_dev_stats_get(dev, &st);
		if (st.guest_errors == 3)
			break;
		usleep(1000);
	}
	TEST_ASSERT_EQUAL(st.guest_errors, 3, "three packets refused");
	TEST_ASSERT_EQUAL(rte_hvsim_ic_result(dev, &res), 0, "result");
	TEST_ASSERT(!res.done, "still waiting for the answer");
	buf[25] = RTE_HVDEV_IC_FLAG_TRANSACTION | RTE_HVDEV_IC_FLAG_RESPONSE;
	TEST_RUN(send_back(ch, meta.xactid, buf, meta.len));
	TEST_ASSERT_EQUAL(rte_hvsim_ic_wait(dev, WAIT_MS), 0, "answer taken");
	TEST_ASSERT_EQUAL(rte_hvsim_ic_result(dev, &res), 0, "result");
	TEST_ASSERT(res.done && res.ok, "negotiated after the noise");
	TEST_RUN(check_echo(ch));
	TEST_ASSERT_EQUAL(__atomic_load_n(&host_packets, __ATOMIC_SEQ_CST), 1,
			  "only the packet after negotiation reached on_packet");
	hvdev_chan_close(ch);
	return TEST_SUCCESS;
}

/* Answers that break the protocol: recorded as failures and counted as guest errors. */
static int
check_bad_answer(void (*spoil)(uint8_t *buf, uint32_t *len))
{
	const struct rte_hvdev_ic_class *fcopy = rte_hvdev_ic_class_by_name("fcopy");
	struct rte_hvsim_ic_result res;
	struct rte_hvsim_dev_stats st;
	struct hvdev_pkt_meta meta;
	struct rte_hvsim_dev *dev;
	struct hvdev_chan *ch;
	uint8_t buf[256] = { 0 };
	uint32_t len;

	dev = offer_ic("fcopy");
	TEST_ASSERT(dev != NULL, "offer");
	ch = open_chan("fcopy");
	TEST_ASSERT(ch != NULL, "open");
	TEST_RUN(recv_negotiate(ch, &meta, buf, sizeof(buf)));
	TEST_ASSERT_EQUAL(rte_hvdev_ic_negotiate(buf, meta.len, fcopy->fw, fcopy->nfw,
						 fcopy->srv, fcopy->nsrv, NULL, NULL), 0,
			  "the guest accepts");
	len = meta.len;
	spoil(buf, &len);
	TEST_RUN(send_back(ch, meta.xactid, buf, len));
	TEST_ASSERT_EQUAL(rte_hvsim_ic_wait(dev, WAIT_MS), 0, "answer taken");
	TEST_ASSERT_EQUAL(rte_hvsim_ic_result(dev, &res), 0, "result");
	TEST_ASSERT(res.done && !res.ok, "not negotiated");
	rte_hvsim_dev_stats_get(dev, &st);
	TEST_ASSERT_EQUAL(st.guest_errors, 1, "a guest error");
	hvdev_chan_close(ch);
	return TEST_SUCCESS;
}

static void
spoil_length(uint8_t *buf, uint32_t *len)
{
	RTE_SET_USED(buf);
	*len += 8;
}

static void
spoil_version(uint8_t *buf, uint32_t *len)
{
	RTE_SET_USED(len);
	buf[40] = 2;	/* service 2.1: not offered */
}

static void
spoil_counts(uint8_t *buf, uint32_t *len)
{
	RTE_SET_USED(len);
	buf[30] = 2;	/* success with two service versions */
}

static int
check_sim_bad_answers(void)
{
	TEST_RUN(check_bad_answer(spoil_length));
	teardown();
	TEST_RUN(setup());
	TEST_RUN(check_bad_answer(spoil_version));
	teardown();
	TEST_RUN(setup());
	return check_bad_answer(spoil_counts);
}

/* Every channel open negotiates again, with a fresh transaction id. */
static int
check_sim_reopen(void)
{
	const struct rte_hvdev_ic_class *fcopy = rte_hvdev_ic_class_by_name("fcopy");
	struct rte_hvsim_ic_result res;
	struct hvdev_pkt_meta meta;
	struct rte_hvsim_dev *dev;
	struct hvdev_chan *ch;
	uint8_t buf[256];
	uint64_t first = 0;
	int round;

	dev = offer_ic("fcopy");
	TEST_ASSERT(dev != NULL, "offer");
	for (round = 0; round < 2; round++) {
		ch = open_chan("fcopy");
		TEST_ASSERT(ch != NULL, "open %d", round);
		TEST_RUN(recv_negotiate(ch, &meta, buf, sizeof(buf)));
		if (round == 0)
			first = meta.xactid;
		else
			TEST_ASSERT(meta.xactid != first, "fresh transaction id");
		TEST_ASSERT_EQUAL(rte_hvdev_ic_negotiate(buf, meta.len, fcopy->fw, fcopy->nfw,
							 fcopy->srv, fcopy->nsrv, NULL, NULL),
				  0, "the guest accepts");
		TEST_RUN(send_back(ch, meta.xactid, buf, meta.len));
		TEST_ASSERT_EQUAL(rte_hvsim_ic_wait(dev, WAIT_MS), 0, "answer taken");
		TEST_ASSERT_EQUAL(rte_hvsim_ic_result(dev, &res), 0, "result");
		TEST_ASSERT(res.ok && res.xactid == meta.xactid, "round %d negotiated", round);
		hvdev_chan_close(ch);
		TEST_ASSERT_EQUAL(rte_hvsim_wait_open(dev, false, WAIT_MS), 0, "closed");
	}
	return TEST_SUCCESS;
}

/* Explicit lists are offered as given; an unknown class needs them; bad lists are refused. */
static int
check_sim_conf(void)
{
	const struct rte_hvdev_ic_version fw[] = { V(1, 0), V(3, 0) };
	const struct rte_hvdev_ic_version srv[] = { V(1, 1) };
	struct rte_hvdev_ic_version got[3];
	struct rte_hvsim_ic_result res;
	struct rte_hvsim_dev_conf conf = {
		.ic_negotiate = true, .ic_fw = fw, .ic_nfw = 2, .ic_srv = srv, .ic_nsrv = 1,
	};
	struct hvdev_pkt_meta meta;
	struct rte_hvsim_dev *dev;
	struct hvdev_chan *ch;
	uint8_t buf[256];

	/* No service list and a class without defaults (the NIC): refused. */
	TEST_ASSERT_EQUAL(rte_uuid_parse("f8615163-df3e-46c5-913f-f2d2f965ed0e",
					 conf.class_id), 0, "NIC class");
	conf.ic_srv = NULL;
	TEST_ASSERT(rte_hvsim_offer(sim, &conf) == NULL && rte_errno == EINVAL,
		    "unknown class without a service list");
	conf.ic_srv = srv;
	conf.ic_nfw = RTE_HVDEV_IC_VERSION_MAX_COUNT + 1;
	TEST_ASSERT(rte_hvsim_offer(sim, &conf) == NULL && rte_errno == EINVAL,
		    "101 versions");
	conf.ic_nfw = 0;
	TEST_ASSERT(rte_hvsim_offer(sim, &conf) == NULL && rte_errno == EINVAL, "0 versions");

	/* A device without the IC role has no result to give. */
	{
		struct rte_hvsim_dev_conf plain = { 0 };

		hvdev_test_class("kvp", plain.class_id);
		dev = rte_hvsim_offer(sim, &plain);
		TEST_ASSERT(dev != NULL, "plain offer");
		TEST_ASSERT_EQUAL(rte_hvsim_ic_result(dev, &res), -ENOTSUP, "no IC role");
		TEST_ASSERT_EQUAL(rte_hvsim_ic_wait(dev, 0), -ENOTSUP, "no IC role");
	}

	conf.ic_nfw = 2;
	hvdev_test_class("fcopy", conf.class_id);
	dev = rte_hvsim_offer(sim, &conf);
	TEST_ASSERT(dev != NULL, "offer with explicit lists");
	TEST_ASSERT_EQUAL(rte_hvsim_ic_wait(dev, 10), -ETIMEDOUT, "nobody answers yet");
	ch = open_chan("fcopy");
	TEST_ASSERT(ch != NULL, "open");
	TEST_RUN(recv_negotiate(ch, &meta, buf, sizeof(buf)));
	TEST_ASSERT(buf[28] == 2 && buf[30] == 1, "counts as configured");
	memcpy(got, buf + 36, sizeof(got));
	TEST_ASSERT(memcmp(got, fw, sizeof(fw)) == 0 && memcmp(&got[2], srv, 4) == 0,
		    "versions as configured, in order");
	TEST_ASSERT_EQUAL(rte_hvdev_ic_negotiate(buf, meta.len, fcopy_fw, 1, fcopy_srv, 1, NULL,
						 NULL), 0, "the guest accepts");
	TEST_RUN(send_back(ch, meta.xactid, buf, meta.len));
	TEST_ASSERT_EQUAL(rte_hvsim_ic_wait(dev, -1), 0, "answer taken");
	TEST_ASSERT_EQUAL(rte_hvsim_ic_result(dev, &res), 0, "result");
	TEST_ASSERT(res.ok && res.fw.major == 3 && res.srv.minor == 1, "3.0 / 1.1");
	hvdev_chan_close(ch);
	return TEST_SUCCESS;
}

/* What the upstream uio daemon sends as the VMBus transaction id of every answer. */
#define DAEMON_XACTID UINT64_MAX

static struct rte_hvsim_dev *
offer_fcopy(bool strict)
{
	struct rte_hvsim_dev_conf conf = {
		.ic_negotiate = true, .ops = &host_ops, .strict_xactid = strict,
	};

	hvdev_test_class("fcopy", conf.class_id);
	return rte_hvsim_offer(sim, &conf);
}

/* The guest answers the NEGOTIATE as the upstream daemon does: VMBus id all ones. */
static int
check_sim_negotiate_not_echoed(bool strict)
{
	const struct rte_hvdev_ic_class *fcopy = rte_hvdev_ic_class_by_name("fcopy");
	struct rte_hvsim_ic_result res;
	struct rte_hvsim_dev_stats st;
	struct hvdev_pkt_meta meta;
	struct rte_hvsim_dev *dev;
	struct hvdev_chan *ch;
	uint8_t buf[256];

	dev = offer_fcopy(strict);
	TEST_ASSERT(dev != NULL, "offer");
	ch = open_chan("fcopy");
	TEST_ASSERT(ch != NULL, "open");
	TEST_RUN(recv_negotiate(ch, &meta, buf, sizeof(buf)));
	TEST_ASSERT(meta.xactid != DAEMON_XACTID, "the host's id is not all ones");
	TEST_ASSERT_EQUAL(buf[24], (uint8_t)meta.xactid, "IC id is the VMBus id's low byte");
	TEST_ASSERT_EQUAL(rte_hvdev_ic_negotiate(buf, meta.len, fcopy->fw, fcopy->nfw,
						 fcopy->srv, fcopy->nsrv, NULL, NULL), 0,
			  "the guest accepts");
	TEST_RUN(send_back(ch, DAEMON_XACTID, buf, meta.len));
	if (!strict) {
		TEST_ASSERT_EQUAL(rte_hvsim_ic_wait(dev, WAIT_MS), 0, "host takes the answer");
		TEST_ASSERT_EQUAL(rte_hvsim_ic_result(dev, &res), 0, "result");
		TEST_ASSERT(res.done && res.ok, "negotiated with a guest that does not echo");
		TEST_ASSERT(res.answer_xactid == DAEMON_XACTID, "answer id recorded");
		rte_hvsim_dev_stats_get(dev, &st);
		TEST_ASSERT_EQUAL(st.guest_errors, 0, "no guest error");
		TEST_ASSERT_EQUAL(st.xactid_not_echoed, 1, "the answer that did not echo, counted");
		TEST_RUN(check_echo(ch));
		hvdev_chan_close(ch);
		return TEST_SUCCESS;
	}
	TEST_ASSERT_EQUAL(rte_hvsim_ic_wait(dev, 300), -ETIMEDOUT, "strict: answer refused");
	rte_hvsim_dev_stats_get(dev, &st);
	TEST_ASSERT_EQUAL(st.xactid_not_echoed, 1, "reported");
	TEST_ASSERT(st.guest_errors >= 1, "strict: a guest error");
	/* The echoing answer is still taken. */
	TEST_RUN(send_back(ch, meta.xactid, buf, meta.len));
	TEST_ASSERT_EQUAL(rte_hvsim_ic_wait(dev, WAIT_MS), 0, "echoing answer taken");
	TEST_ASSERT_EQUAL(rte_hvsim_ic_result(dev, &res), 0, "result");
	TEST_ASSERT(res.done && res.ok && res.answer_xactid == meta.xactid, "negotiated");
	hvdev_chan_close(ch);
	return TEST_SUCCESS;
}

static int
check_sim_negotiate_all_ones(void)
{
	return check_sim_negotiate_not_echoed(false);
}

static int
check_sim_negotiate_strict(void)
{
	return check_sim_negotiate_not_echoed(true);
}

/* A guest on the transport API that serves fcopy and answers like hv_fcopy_uio_daemon. */
struct daemon_guest {
	struct hvdev_chan *ch;
	uint8_t *file;		/* what the WRITEs carried */
	uint32_t file_len;
	uint32_t answers;
	bool complete;
	int ret;
};

static uint8_t daemon_buf[8192];

static void *
daemon_guest_main(void *p)
{
	const struct rte_hvdev_ic_class *fcopy = rte_hvdev_ic_class_by_name("fcopy");
	struct daemon_guest *g = p;
	struct rte_hvdev_ic_hdr hdr;
	struct hvdev_pkt_meta meta;
	struct iovec iov = { .iov_base = daemon_buf };
	uint64_t off;
	uint32_t op, size;
	int ret;

	while (!g->complete) {
		ret = hvdev_chan_wait(g->ch, WAIT_MS);
		if (ret != 1) {
			g->ret = ret < 0 ? ret : -ETIMEDOUT;
			return NULL;
		}
		while (hvdev_chan_recv(g->ch, &meta, daemon_buf, sizeof(daemon_buf)) == 0) {
			if (rte_hvdev_ic_parse(daemon_buf, meta.len, &hdr, NULL) < 0) {
				g->ret = -EBADMSG;
				return NULL;
			}
			if (hdr.icmsgtype == RTE_HVDEV_IC_MSG_NEGOTIATE) {
				rte_hvdev_ic_negotiate(daemon_buf, meta.len, fcopy->fw, fcopy->nfw,
						       fcopy->srv, fcopy->nsrv, NULL, NULL);
			} else {
				memcpy(&op, daemon_buf + RTE_HVDEV_IC_HDR_SIZE, sizeof(op));
				if (op == RTE_HVDEV_FCOPY_WRITE) {
					memcpy(&off, daemon_buf + RTE_HVDEV_IC_HDR_SIZE + 40, 8);
					memcpy(&size, daemon_buf + RTE_HVDEV_IC_HDR_SIZE + 48, 4);
					if (off + size <= g->file_len)
						memcpy(g->file + off, daemon_buf +
						       RTE_HVDEV_IC_HDR_SIZE + 52, size);
				}
				g->complete = op == RTE_HVDEV_FCOPY_COMPLETE;
				rte_hvdev_ic_make_response(daemon_buf, RTE_HVDEV_IC_S_OK);
			}
			iov.iov_len = meta.len;
			if (hvdev_chan_send(g->ch, PKT_INBAND, 0, DAEMON_XACTID, &iov, 1) != 0) {
				g->ret = -EIO;
				return NULL;
			}
			g->answers++;
		}
	}
	return NULL;
}

/* A whole Copy-VMFile to a guest that answers with VMBus id all ones; strict: refused. */
static int
check_sim_fcopy_not_echoed(bool strict)
{
	struct rte_hvsim_fcopy_opts opts = { .timeout_ms = strict ? 500 : WAIT_MS };
	struct daemon_guest g = { .file_len = 20000 };
	struct rte_hvsim_fcopy_result res;
	struct rte_hvsim_dev_stats st;
	static uint8_t src_data[20000];
	struct rte_hvsim_dev *dev;
	char src[300];
	pthread_t th;
	int ret;

	hvdev_test_fmt(src, sizeof(src), "%s/source.bin", root);
	hvdev_test_fill(src_data, sizeof(src_data), 7);
	TEST_ASSERT(hvdev_test_make_file(src, sizeof(src_data), 7) == 0, "source file");
	g.file = calloc(1, g.file_len);
	TEST_ASSERT(g.file != NULL, "memory");
	dev = offer_fcopy(strict);
	TEST_ASSERT(dev != NULL, "offer");
	g.ch = open_chan("fcopy");
	TEST_ASSERT(g.ch != NULL, "open");
	TEST_ASSERT_EQUAL(pthread_create(&th, NULL, daemon_guest_main, &g), 0, "guest thread");
	ret = rte_hvsim_fcopy(dev, src, "/tmp/dest.bin", &opts, &res);
	if (strict)
		g.complete = true;
	pthread_join(th, NULL);
	rte_hvsim_dev_stats_get(dev, &st);
	hvdev_chan_close(g.ch);
	if (strict) {
		free(g.file);
		TEST_ASSERT(ret == -ETIMEDOUT || ret == -ENOTCONN,
			    "strict: the copy fails (%d)", ret);
		TEST_ASSERT(st.xactid_not_echoed >= 1 && st.guest_errors >= 1,
			    "strict: reported (%" PRIu64 " not echoed, %" PRIu64 " errors)",
			    st.xactid_not_echoed, st.guest_errors);
		return TEST_SUCCESS;
	}
	ret = ret == 0 && res.hresult == 0 && res.bytes_sent == g.file_len &&
	      memcmp(g.file, src_data, g.file_len) == 0 ? 0 : -1;
	free(g.file);
	TEST_ASSERT_EQUAL(g.ret, 0, "the guest ran to COMPLETE");
	TEST_ASSERT_EQUAL(ret, 0, "the copy succeeds, every byte delivered (hresult %#x, %"
			  PRIu64 " bytes)", res.hresult, res.bytes_sent);
	/* NEGOTIATE, START, 4 WRITEs of up to 6144 bytes, COMPLETE. */
	TEST_ASSERT_EQUAL(g.answers, 7, "every request answered once");
	TEST_ASSERT_EQUAL(st.xactid_not_echoed, 7, "none of them echoed the VMBus id");
	TEST_ASSERT_EQUAL(st.guest_errors, 0, "and that is no guest error");
	return TEST_SUCCESS;
}

static int
check_sim_fcopy_all_ones(void)
{
	return check_sim_fcopy_not_echoed(false);
}

static int
check_sim_fcopy_strict(void)
{
	return check_sim_fcopy_not_echoed(true);
}

#define SIM_CASE(name, check) \
static int \
name(void) \
{ \
	int ret; \
	TEST_RUN(setup()); \
	ret = check(); \
	teardown(); \
	return ret; \
}

SIM_CASE(test_sim_negotiate_ok, check_sim_ok)
SIM_CASE(test_sim_negotiate_refused, check_sim_refused)
SIM_CASE(test_sim_early_packet, check_sim_early_packet)
SIM_CASE(test_sim_bad_answers, check_sim_bad_answers)
SIM_CASE(test_sim_reopen, check_sim_reopen)
SIM_CASE(test_sim_conf, check_sim_conf)
SIM_CASE(test_sim_negotiate_all_ones, check_sim_negotiate_all_ones)
SIM_CASE(test_sim_negotiate_strict, check_sim_negotiate_strict)
SIM_CASE(test_sim_fcopy_all_ones, check_sim_fcopy_all_ones)
SIM_CASE(test_sim_fcopy_strict, check_sim_fcopy_strict)

/* One UTF-8 sequence: every kind of invalid form is refused, the valid ones decode. */
static int
test_utf8_decode(void)
{
	static const struct {
		const char *s;
		size_t n;
		int ret;
		uint32_t cp;
	} v[] = {
		{ "A", 1, 1, 'A' },
		{ "\xc3\xa9", 2, 2, 0xe9 },
		{ "\xe2\x82\xac", 3, 3, 0x20ac },
		{ "\xf0\x9f\x98\x80", 4, 4, 0x1f600 },
		{ "\xf4\x8f\xbf\xbf", 4, 4, 0x10ffff },
		{ "\x80", 1, -EILSEQ, 0 },		/* stray continuation */
		{ "\xc0\xaf", 2, -EILSEQ, 0 },		/* overlong '/' */
		{ "\xc1\xbf", 2, -EILSEQ, 0 },		/* overlong */
		{ "\xe0\x80\xaf", 3, -EILSEQ, 0 },	/* overlong, 3 bytes */
		{ "\xf0\x80\x80\xaf", 4, -EILSEQ, 0 },	/* overlong, 4 bytes */
		{ "\xed\xa0\x80", 3, -EILSEQ, 0 },	/* U+D800, a surrogate */
		{ "\xed\xbf\xbf", 3, -EILSEQ, 0 },	/* U+DFFF */
		{ "\xf4\x90\x80\x80", 4, -EILSEQ, 0 },	/* U+110000 */
		{ "\xf5\x80\x80\x80", 4, -EILSEQ, 0 },	/* no such lead byte */
		{ "\xe2\x82\xac", 2, -EILSEQ, 0 },	/* cut short by n */
		{ "\xe2\x41\xac", 3, -EILSEQ, 0 },	/* not a continuation */
	};
	unsigned int i;
	uint32_t cp;
	int ret;

	for (i = 0; i < RTE_DIM(v); i++) {
		cp = 0xdeadbeef;
		ret = rte_hvdev_utf8_decode(v[i].s, v[i].n, &cp);
		TEST_ASSERT_EQUAL(ret, v[i].ret, "vector %u", i);
		if (ret > 0)
			TEST_ASSERT_EQUAL(cp, v[i].cp, "code point of vector %u", i);
		else
			TEST_ASSERT_EQUAL(cp, 0xdeadbeef, "vector %u: code point untouched", i);
	}
	TEST_ASSERT_EQUAL(rte_hvdev_utf8_decode("A", 0, &cp), -EINVAL, "empty");
	TEST_ASSERT_EQUAL(rte_hvdev_utf8_decode(NULL, 1, &cp), -EINVAL, "NULL");
	return TEST_SUCCESS;
}

/*
 * UTF-8 to UTF-16LE: byte-exact output at an odd address, surrogate pairs, the limit counted
 * with the NUL, and every invalid input refused with an empty result.
 */
static int
test_utf8_to_utf16(void)
{
	static const uint8_t expect[] = {
		'a', 0, 0xe9, 0, 0xac, 0x20, 0x3d, 0xd8, 0x00, 0xde, 0, 0 };
	uint8_t raw[1 + sizeof(expect) + 2];
	uint8_t *w = raw + 1;	/* odd address: wire arrays are packed */
	char back[16];
	int ret;

	memset(raw, 0xa5, sizeof(raw));
	ret = rte_hvdev_utf8_to_utf16("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 10, w, 6);
	TEST_ASSERT_EQUAL(ret, 5, "units written");
	TEST_ASSERT(memcmp(w, expect, sizeof(expect)) == 0, "UTF-16LE bytes");
	TEST_ASSERT_EQUAL(raw[1 + sizeof(expect)], 0xa5, "nothing written past the units");
	TEST_ASSERT_EQUAL(rte_hvdev_utf16_to_utf8(w, 6, back, sizeof(back)), 10, "decoded back");
	TEST_ASSERT(strcmp(back, "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80") == 0, "round trip");

	/* 5 units and the NUL need 6: one fewer is too long, and a pair is never split. */
	memset(raw, 0xa5, sizeof(raw));
	ret = rte_hvdev_utf8_to_utf16("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 10, w, 5);
	TEST_ASSERT_EQUAL(ret, -ENAMETOOLONG, "one unit short");
	TEST_ASSERT(w[0] == 0 && w[1] == 0, "empty result");
	TEST_ASSERT_EQUAL(raw[1 + 10], 0xa5, "nothing written past 5 units");
	TEST_ASSERT_EQUAL(rte_hvdev_utf8_to_utf16("", 0, w, 1), 0, "empty string fits in 1");
	TEST_ASSERT_EQUAL(rte_hvdev_utf8_to_utf16("a", 1, w, 1), -ENAMETOOLONG, "no room");

	TEST_ASSERT_EQUAL(rte_hvdev_utf8_to_utf16("a\xed\xa0\x80", 4, w, 6), -EILSEQ,
			  "surrogate in UTF-8");
	TEST_ASSERT_EQUAL(rte_hvdev_utf8_to_utf16("a\xc0\xaf", 3, w, 6), -EILSEQ, "overlong");
	TEST_ASSERT_EQUAL(rte_hvdev_utf8_to_utf16("a\0b", 3, w, 6), -EILSEQ, "NUL inside");
	TEST_ASSERT_EQUAL(rte_hvdev_utf8_to_utf16("a\xe2\x82", 3, w, 6), -EILSEQ, "cut short");
	TEST_ASSERT(w[0] == 0 && w[1] == 0, "empty result after an error");
	TEST_ASSERT_EQUAL(rte_hvdev_utf8_to_utf16(NULL, 0, w, 6), -EINVAL, "NULL source");
	TEST_ASSERT_EQUAL(rte_hvdev_utf8_to_utf16("a", 1, w, 0), -EINVAL, "no units");
	return TEST_SUCCESS;
}

/* The KVP header's GUID and versions are the class table's (a second copy could drift). */
static int
test_kvp_class(void)
{
	const struct rte_hvdev_ic_class *c = rte_hvdev_ic_class_by_name("kvp");

	TEST_ASSERT(c != NULL, "kvp class");
	TEST_ASSERT(strcmp(c->guid, RTE_HVDEV_KVP_CLASS_GUID) == 0, "GUID %s", c->guid);
	TEST_ASSERT_EQUAL(c->nfw, 2, "framework versions");
	TEST_ASSERT(c->fw[0].major == RTE_HVDEV_KVP_FW_MAJOR &&
		    c->fw[0].minor == RTE_HVDEV_KVP_FW_MINOR &&
		    c->fw[1].major == RTE_HVDEV_KVP_FW_OLD_MAJOR &&
		    c->fw[1].minor == RTE_HVDEV_KVP_FW_OLD_MINOR, "framework 3.0, 1.0");
	TEST_ASSERT_EQUAL(c->nsrv, 3, "service versions");
	TEST_ASSERT(c->srv[0].major == RTE_HVDEV_KVP_SRV_WIN8_MAJOR &&
		    c->srv[1].major == RTE_HVDEV_KVP_SRV_WIN7_MAJOR &&
		    c->srv[2].major == RTE_HVDEV_KVP_SRV_WS2008_MAJOR &&
		    c->srv[0].minor == 0 && c->srv[1].minor == 0 && c->srv[2].minor == 0,
		    "KVP 4.0, 3.0, 1.0");
	TEST_ASSERT_EQUAL(RTE_HVDEV_KVP_S_CONT, RTE_HVDEV_IC_S_CONT, "same S_CONT");
	TEST_ASSERT_EQUAL(RTE_HVDEV_KVP_E_FAIL, RTE_HVDEV_IC_E_FAIL, "same E_FAIL");
	TEST_ASSERT_EQUAL(RTE_HVDEV_KVP_INVALIDARG, RTE_HVDEV_IC_INVALIDARG, "same INVALIDARG");
	return TEST_SUCCESS;
}

static const struct hvdev_test_case cases[] = {
	HVDEV_CASE(hdr_layout, test_hdr_layout),
	HVDEV_CASE(parse_bounds, test_parse_bounds),
	HVDEV_CASE(negotiate_fcopy_exact, test_negotiate_fcopy_exact),
	HVDEV_CASE(negotiate_no_match_exact, test_negotiate_no_match_exact),
	HVDEV_CASE(negotiate_no_service_match, test_negotiate_no_service_match),
	HVDEV_CASE(negotiate_highest_common, test_negotiate_highest_common),
	HVDEV_CASE(negotiate_major_minor_fields, test_negotiate_major_minor_fields),
	HVDEV_CASE(negotiate_count_limit, test_negotiate_count_limit),
	HVDEV_CASE(negotiate_counts_beyond_len, test_negotiate_counts_beyond_len),
	HVDEV_CASE(negotiate_versions_beyond_icmsgsize, test_negotiate_versions_beyond_icmsgsize),
	HVDEV_CASE(negotiate_refusal_size, test_negotiate_refusal_size),
	HVDEV_CASE(negotiate_short, test_negotiate_short),
	HVDEV_CASE(negotiate_bad_args, test_negotiate_bad_args),
	HVDEV_CASE(negotiate_canary, test_negotiate_canary),
	HVDEV_CASE(make_response, test_make_response),
	HVDEV_CASE(make_negotiate, test_make_negotiate),
	HVDEV_CASE(roundtrip_classes, test_roundtrip_classes),
	HVDEV_CASE(class_table, test_class_table),
	HVDEV_CASE(class_parse, test_class_parse),
	HVDEV_CASE(status_str, test_status_str),
	HVDEV_CASE(sim_negotiate_ok, test_sim_negotiate_ok),
	HVDEV_CASE(sim_negotiate_refused, test_sim_negotiate_refused),
	HVDEV_CASE(sim_early_packet, test_sim_early_packet),
	HVDEV_CASE(sim_bad_answers, test_sim_bad_answers),
	HVDEV_CASE(sim_reopen, test_sim_reopen),
	HVDEV_CASE(sim_conf, test_sim_conf),
	HVDEV_CASE(sim_negotiate_all_ones, test_sim_negotiate_all_ones),
	HVDEV_CASE(sim_negotiate_strict, test_sim_negotiate_strict),
	HVDEV_CASE(sim_fcopy_all_ones, test_sim_fcopy_all_ones),
	HVDEV_CASE(sim_fcopy_strict, test_sim_fcopy_strict),
	HVDEV_CASE(utf8_decode, test_utf8_decode),
	HVDEV_CASE(utf8_to_utf16, test_utf8_to_utf16),
	HVDEV_CASE(kvp_class, test_kvp_class),
};

int
main(int argc, char **argv)
{
	return hvdev_test_main(argc, argv, cases, RTE_DIM(cases));
}
