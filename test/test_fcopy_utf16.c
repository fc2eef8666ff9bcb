/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * The shared UTF-16LE decoder, rte_hvdev_utf16_to_utf8(), as dpdk-hv-fcopy uses it: what
 * Copy-VMFile names look like on the wire, and the invalid sequences a hostile or buggy host
 * could send.
 */

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <rte_common.h>

#include <rte_hvdev_fcopy.h>
#include <rte_hvdev_ic.h>

#include "hvdev_test.h"

#define UNITS RTE_HVDEV_FCOPY_MAX_PATH
#define OUT_MAX (UNITS * 3 + 1)

/* A wire array of UNITS units holding @p n units of @p s (the rest zero). */
static void
wire(uint16_t *w, const uint16_t *s, unsigned int n)
{
	memset(w, 0, UNITS * sizeof(*w));
	memcpy(w, s, n * sizeof(*s));
}

static int
decode_ok(const uint16_t *s, unsigned int n, const char *expect)
{
	uint16_t w[UNITS];
	char out[OUT_MAX];
	int ret;

	wire(w, s, n);
	ret = rte_hvdev_utf16_to_utf8(w, UNITS, out, sizeof(out));
	TEST_ASSERT_EQUAL(ret, (int)strlen(expect), "decoded length");
	TEST_ASSERT(strcmp(out, expect) == 0, "decoded to '%s', expected '%s'", out, expect);
	return TEST_SUCCESS;
}

static int
decode_err(const uint16_t *s, unsigned int n, int expect)
{
	uint16_t w[UNITS];
	char out[OUT_MAX];

	wire(w, s, n);
	TEST_ASSERT_EQUAL(rte_hvdev_utf16_to_utf8(w, UNITS, out, sizeof(out)), expect,
			  "error code");
	TEST_ASSERT_EQUAL(out[0], '\0', "no partial output is left");
	return TEST_SUCCESS;
}

static int
test_ascii(void)
{
	static const uint16_t s[] = { 'h', 'e', 'l', 'l', 'o', '.', 't', 'x', 't', 0 };
	static const uint16_t empty[] = { 0 };

	TEST_RUN(decode_ok(s, RTE_DIM(s), "hello.txt"));
	return decode_ok(empty, RTE_DIM(empty), "");
}

static int
test_bmp(void)
{
	/* "héllo-日本": 2-byte and 3-byte sequences; U+FFFD and U+FFFF are valid too. */
	static const uint16_t s[] = { 'h', 0x00e9, 'l', 'l', 'o', '-', 0x65e5, 0x672c, 0 };
	static const uint16_t edge[] = { 0x007f, 0x0080, 0x07ff, 0x0800, 0xfffd, 0xffff, 0 };

	TEST_RUN(decode_ok(s, RTE_DIM(s), "h\xc3\xa9llo-\xe6\x97\xa5\xe6\x9c\xac"));
	return decode_ok(edge, RTE_DIM(edge),
			 "\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbd\xef\xbf\xbf");
}

static int
test_astral(void)
{
	/* U+1F600, U+10000 and U+10FFFF: the first, a common and the last astral code point. */
	static const uint16_t s[] = { 0xd83d, 0xde00, 'x', 0xd800, 0xdc00, 0xdbff, 0xdfff, 0 };

	return decode_ok(s, RTE_DIM(s), "\xf0\x9f\x98\x80x\xf0\x90\x80\x80\xf4\x8f\xbf\xbf");
}

static int
test_lone_high(void)
{
	static const uint16_t mid[] = { 'a', 0xd83d, 'b', 0 };
	static const uint16_t end[] = { 'a', 0xd83d, 0 };
	static const uint16_t two[] = { 0xd83d, 0xd83d, 0xde00, 0 };

	TEST_RUN(decode_err(mid, RTE_DIM(mid), -EILSEQ));
	TEST_RUN(decode_err(end, RTE_DIM(end), -EILSEQ));
	return decode_err(two, RTE_DIM(two), -EILSEQ);
}

static int
test_lone_low(void)
{
	static const uint16_t first[] = { 0xde00, 0 };
	static const uint16_t mid[] = { 'a', 0xdfff, 'b', 0 };
	static const uint16_t reversed[] = { 0xde00, 0xd83d, 0 };

	TEST_RUN(decode_err(first, RTE_DIM(first), -EILSEQ));
	TEST_RUN(decode_err(mid, RTE_DIM(mid), -EILSEQ));
	return decode_err(reversed, RTE_DIM(reversed), -EILSEQ);
}

static int
test_missing_nul(void)
{
	uint16_t w[UNITS];
	char out[OUT_MAX];
	unsigned int i;

	for (i = 0; i < UNITS; i++)
		w[i] = 'a';
	TEST_ASSERT_EQUAL(rte_hvdev_utf16_to_utf8(w, UNITS, out, sizeof(out)), -EILSEQ,
			  "260 units without a NUL");
	/* A high surrogate in the last unit has no room for its pair, nor for a NUL. */
	w[UNITS - 1] = 0xd83d;
	TEST_ASSERT_EQUAL(rte_hvdev_utf16_to_utf8(w, UNITS, out, sizeof(out)), -EILSEQ,
			  "high surrogate in the last unit");
	return TEST_SUCCESS;
}

static int
test_structure_limits(void)
{
	uint16_t w[UNITS];
	char out[OUT_MAX], small[4];
	unsigned int i;

	/* 259 units and the NUL: the longest name the structure holds. */
	for (i = 0; i < UNITS - 1; i++)
		w[i] = 'a';
	w[UNITS - 1] = 0;
	TEST_ASSERT_EQUAL(rte_hvdev_utf16_to_utf8(w, UNITS, out, sizeof(out)), UNITS - 1,
			  "259 ASCII units");
	/* The largest UTF-8 expansion (3 bytes a unit) fits the documented buffer size. */
	for (i = 0; i < UNITS - 1; i++)
		w[i] = 0xffff;
	TEST_ASSERT_EQUAL(rte_hvdev_utf16_to_utf8(w, UNITS, out, sizeof(out)), 3 * (UNITS - 1),
			  "259 three-byte units");
	/* A bounded output buffer: too small is an error, an exact fit is not. */
	TEST_ASSERT_EQUAL(rte_hvdev_utf16_to_utf8(w, UNITS, small, sizeof(small)), -ENAMETOOLONG,
			  "output too small");
	TEST_ASSERT_EQUAL(small[0], '\0', "output left empty");
	w[0] = 'a';
	w[1] = 'b';
	w[2] = 'c';
	w[3] = 0;
	TEST_ASSERT_EQUAL(rte_hvdev_utf16_to_utf8(w, UNITS, small, sizeof(small)), 3, "exact fit");
	/* Nothing after the NUL is looked at, and a short array is honoured. */
	TEST_ASSERT_EQUAL(rte_hvdev_utf16_to_utf8(w, 3, small, sizeof(small)), -EILSEQ,
			  "NUL beyond the given length");
	TEST_ASSERT_EQUAL(rte_hvdev_utf16_to_utf8(NULL, UNITS, out, sizeof(out)), -EINVAL, "NULL");
	TEST_ASSERT_EQUAL(rte_hvdev_utf16_to_utf8(w, UNITS, out, 0), -EINVAL, "no output room");
	return TEST_SUCCESS;
}

static int
test_unaligned_le(void)
{
	/* Inside the packed wire structure the array may be unaligned: bytes, little-endian. */
	static const uint8_t bytes[] = { 0xff, 'A', 0x00, 0xe9, 0x00, 0x3d, 0xd8, 0x00, 0xde,
					 0x00, 0x00 };
	char out[16];

	TEST_ASSERT_EQUAL(rte_hvdev_utf16_to_utf8(bytes + 1, 5, out, sizeof(out)), 7, "length");
	TEST_ASSERT(strcmp(out, "A\xc3\xa9\xf0\x9f\x98\x80") == 0, "unaligned bytes decoded");
	return TEST_SUCCESS;
}

static const struct hvdev_test_case cases[] = {
	HVDEV_CASE(ascii, test_ascii),
	HVDEV_CASE(bmp, test_bmp),
	HVDEV_CASE(astral, test_astral),
	HVDEV_CASE(lone_high, test_lone_high),
	HVDEV_CASE(lone_low, test_lone_low),
	HVDEV_CASE(missing_nul, test_missing_nul),
	HVDEV_CASE(structure_limits, test_structure_limits),
	HVDEV_CASE(unaligned_le, test_unaligned_le),
};

int
main(int argc, char **argv)
{
	return hvdev_test_main(argc, argv, cases, RTE_DIM(cases));
}
