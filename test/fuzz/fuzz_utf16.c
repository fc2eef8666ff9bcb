/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * The shared UTF-16LE decoder, rte_hvdev_utf16_to_utf8(), over any code units and any output
 * size.
 *
 * Input: two bytes of output buffer size (1 to 2048), then the UTF-16LE units, at an odd or
 * even address as the input falls (a packed wire structure gives no alignment). The decoder
 * is checked against an independent scan of the units:
 * - a valid string (NUL within the units, every surrogate paired) whose UTF-8 form fits
 *   decodes to exactly that length, as valid UTF-8 (shortest form, no surrogate, nothing
 *   above U+10FFFF, no NUL inside), and re-encoding that UTF-8 to UTF-16 gives back the
 *   units before the NUL;
 * - otherwise the result is -EILSEQ or -ENAMETOOLONG, whichever the scan meets first, and
 *   the output is the empty string;
 * - nothing is written beyond the output size, nothing read beyond the units (both buffers
 *   are exact-size allocations under AddressSanitizer).
 */

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <rte_common.h>

#include <rte_hvdev_ic.h>

#include "fuzz_common.h"

#define DST_MAX 2048

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	RTE_SET_USED(argc);
	RTE_SET_USED(argv);
	fuzz_quiet_logs();
	return 0;
}

static uint16_t
unit(const uint8_t *s, size_t i)
{
	return (uint16_t)(s[2 * i] | (s[2 * i + 1] << 8));
}

static size_t
utf8_len(uint32_t cp)
{
	return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/*
 * The reference: walk the units as the decoder must. Returns 0 (valid, NUL found), -EILSEQ
 * or -ENAMETOOLONG, whichever comes first; *need receives the UTF-8 bytes of the valid part.
 */
static int
scan(const uint8_t *s, size_t units, size_t dstlen, size_t *need)
{
	size_t i = 0;
	uint32_t cp;
	uint16_t u;

	*need = 0;
	for (;;) {
		if (i >= units)
			return -EILSEQ;
		u = unit(s, i++);
		if (u == 0)
			return 0;
		if (u >= 0xdc00 && u <= 0xdfff)
			return -EILSEQ;
		cp = u;
		if (u >= 0xd800 && u <= 0xdbff) {
			if (i >= units)
				return -EILSEQ;
			u = unit(s, i++);
			if (u < 0xdc00 || u > 0xdfff)
				return -EILSEQ;
			cp = 0x10000 + ((cp - 0xd800) << 10) + (u - 0xdc00);
		}
		/* The NUL must fit too. */
		if (*need + utf8_len(cp) + 1 > dstlen)
			return -ENAMETOOLONG;
		*need += utf8_len(cp);
	}
}

/* Strict UTF-8 decoding of one code point at @p s; its length, or 0 if invalid. */
static size_t
utf8_next(const uint8_t *s, size_t n, uint32_t *cp)
{
	static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t len, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		*cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		*cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		*cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = (*cp << 6) | (s[i] & 0x3f);
	}
	if (*cp < min[len] || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return len;
}

/* Valid UTF-8 of @p n bytes, re-encoded as UTF-16, equals the first units of @p src. */
static void
check_round_trip(const char *out, size_t n, const uint8_t *src, size_t units)
{
	const uint8_t *s = (const uint8_t *)out;
	size_t i = 0, k = 0, len;
	uint32_t cp;

	while (i < n) {
		FUZZ_ASSERT(s[i] != 0, "NUL inside the output at %zu", i);
		len = utf8_next(s + i, n - i, &cp);
		FUZZ_ASSERT(len > 0, "invalid UTF-8 at byte %zu of %zu", i, n);
		i += len;
		if (cp >= 0x10000) {
			FUZZ_ASSERT(k + 1 < units &&
				    unit(src, k) == 0xd800 + ((cp - 0x10000) >> 10) &&
				    unit(src, k + 1) == 0xdc00 + ((cp - 0x10000) & 0x3ff),
				    "U+%X does not come from the pair at unit %zu", cp, k);
			k += 2;
		} else {
			FUZZ_ASSERT(k < units && unit(src, k) == cp, "U+%X is not unit %zu", cp, k);
			k++;
		}
	}
	FUZZ_ASSERT(k < units && unit(src, k) == 0, "output ends before the NUL (unit %zu)", k);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	size_t dstlen, units, need;
	uint8_t *src;
	char *dst;
	int ret, want;

	dstlen = 1 + fuzz_take(&in, 2) % DST_MAX;
	units = in.left / 2;
	/* Exact sizes; an odd start keeps the decoder honest about alignment. */
	src = malloc(units * 2 + 1);
	dst = malloc(dstlen);
	FUZZ_ASSERT(src != NULL && dst != NULL, "out of memory");
	memcpy(src + 1, in.p, units * 2);
	memset(dst, 0x5a, dstlen);
	ret = rte_hvdev_utf16_to_utf8(src + 1, units, dst, dstlen);
	want = scan(src + 1, units, dstlen, &need);
	if (want == 0) {
		FUZZ_ASSERT(ret == (int)need, "decoded %d bytes, expected %zu", ret, need);
		FUZZ_ASSERT(dst[ret] == '\0', "not NUL-terminated");
		check_round_trip(dst, (size_t)ret, src + 1, units);
	} else {
		FUZZ_ASSERT(ret == want, "result %d, expected %d", ret, want);
		FUZZ_ASSERT(dst[0] == '\0', "a refused name leaves output behind");
	}
	FUZZ_ASSERT(rte_hvdev_utf16_to_utf8(src + 1, units, NULL, dstlen) == -EINVAL &&
		    rte_hvdev_utf16_to_utf8(src + 1, units, dst, 0) == -EINVAL, "bad arguments");
	free(src);
	free(dst);
	return 0;
}
