/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>

#include "fcopy_utf16.h"

#define SURROGATE_HIGH_FIRST 0xd800
#define SURROGATE_LOW_FIRST 0xdc00
#define SURROGATE_LAST 0xdfff

static uint16_t
unit_at(const uint8_t *src, size_t i)
{
	uint16_t u;

	memcpy(&u, src + i * sizeof(u), sizeof(u));
	return rte_le_to_cpu_16(u);
}

static bool
is_high(uint16_t u)
{
	return u >= SURROGATE_HIGH_FIRST && u < SURROGATE_LOW_FIRST;
}

static bool
is_low(uint16_t u)
{
	return u >= SURROGATE_LOW_FIRST && u <= SURROGATE_LAST;
}

/* Bytes of the UTF-8 encoding of code point @p cp, written to @p out. */
static size_t
encode(uint32_t cp, uint8_t out[4])
{
	if (cp < 0x80) {
		out[0] = (uint8_t)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (uint8_t)(0xc0 | (cp >> 6));
		out[1] = (uint8_t)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (uint8_t)(0xe0 | (cp >> 12));
		out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (uint8_t)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (uint8_t)(0xf0 | (cp >> 18));
	out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (uint8_t)(0x80 | (cp & 0x3f));
	return 4;
}

int
fcopy_utf16_to_utf8(const void *src, size_t units, char *dst, size_t dstlen)
{
	const uint8_t *s = src;
	size_t i = 0, out = 0, n;
	uint8_t seq[4];
	uint32_t cp;
	uint16_t u;

	if (src == NULL || dst == NULL || dstlen == 0)
		return -EINVAL;
	for (;;) {
		/* No terminating NUL inside the array: the string is not valid. */
		if (i >= units)
			goto invalid;
		u = unit_at(s, i++);
		if (u == 0)
			break;
		/* A low surrogate must follow a high one, and a high one needs its low. */
		if (is_low(u))
			goto invalid;
		cp = u;
		if (is_high(u)) {
			if (i >= units)
				goto invalid;
			u = unit_at(s, i++);
			if (!is_low(u))
				goto invalid;
			cp = 0x10000 + (((cp - SURROGATE_HIGH_FIRST) << 10) |
					(uint32_t)(u - SURROGATE_LOW_FIRST));
		}
		n = encode(cp, seq);
		if (out + n >= dstlen) {
			dst[0] = '\0';
			return -ENAMETOOLONG;
		}
		memcpy(dst + out, seq, n);
		out += n;
	}
	dst[out] = '\0';
	return (int)out;
invalid:
	/* Nothing half-decoded is left for a caller to use by mistake. */
	dst[0] = '\0';
	return -EILSEQ;
}
