/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * Strict UTF-16LE <-> UTF-8 conversion for the strings of IC messages (file names, KVP keys
 * and values, IP information). One implementation for the services and the simulated host:
 * what the guest accepts and what the simulator produces can then never disagree.
 *
 * Strict means that nothing is repaired or dropped: an unpaired surrogate, an overlong or
 * out-of-range UTF-8 sequence, or a missing terminator makes the whole string invalid. A key
 * silently altered on its way to a pool file would be a different key.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>

#include "rte_hvdev_ic.h"

#define SURROGATE_HIGH_FIRST	0xd800
#define SURROGATE_LOW_FIRST	0xdc00
#define SURROGATE_LAST		0xdfff
#define CODE_POINT_MAX		0x10ffff

static bool
is_high(uint32_t u)
{
	return u >= SURROGATE_HIGH_FIRST && u < SURROGATE_LOW_FIRST;
}

static bool
is_low(uint32_t u)
{
	return u >= SURROGATE_LOW_FIRST && u <= SURROGATE_LAST;
}

/* Code unit @p i of an array that may be unaligned (inside a packed wire structure). */
static uint16_t
unit_get(const uint8_t *src, size_t i)
{
	uint16_t u;

	memcpy(&u, src + i * sizeof(u), sizeof(u));
	return rte_le_to_cpu_16(u);
}

static void
unit_put(uint8_t *dst, size_t i, uint16_t u)
{
	u = rte_cpu_to_le_16(u);
	memcpy(dst + i * sizeof(u), &u, sizeof(u));
}

/* Bytes of the UTF-8 encoding of code point @p cp, written to @p out. */
static size_t
utf8_encode(uint32_t cp, uint8_t out[4])
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
rte_hvdev_utf8_decode(const void *src, size_t n, uint32_t *cp)
{
	const uint8_t *s = src;
	uint32_t v, min;
	size_t len, i;

	if (s == NULL || cp == NULL || n == 0)
		return -EINVAL;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	/* 0xc0 and 0xc1 could only start overlong forms; 0xf5 and up only values past U+10FFFF. */
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		v = s[0] & 0x1f;
		min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		v = s[0] & 0x0f;
		min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		v = s[0] & 0x07;
		min = 0x10000;
	} else {
		return -EILSEQ;
	}
	if (n < len)
		return -EILSEQ;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -EILSEQ;
		v = (v << 6) | (s[i] & 0x3f);
	}
	if (v < min || v > CODE_POINT_MAX || (v >= SURROGATE_HIGH_FIRST && v <= SURROGATE_LAST))
		return -EILSEQ;
	*cp = v;
	return (int)len;
}

int
rte_hvdev_utf16_to_utf8(const void *src, size_t units, char *dst, size_t dstlen)
{
	const uint8_t *s = src;
	size_t i = 0, out = 0, n;
	uint8_t seq[4];
	uint32_t cp;
	uint16_t u;

	if (src == NULL || dst == NULL || dstlen == 0 || dstlen > INT32_MAX)
		return -EINVAL;
	for (;;) {
		/* No terminating NUL inside the array: the string is not valid. */
		if (i >= units)
			goto invalid;
		u = unit_get(s, i++);
		if (u == 0)
			break;
		/* A low surrogate must follow a high one, and a high one needs its low. */
		if (is_low(u))
			goto invalid;
		cp = u;
		if (is_high(u)) {
			if (i >= units)
				goto invalid;
			u = unit_get(s, i++);
			if (!is_low(u))
				goto invalid;
			cp = 0x10000 + (((cp - SURROGATE_HIGH_FIRST) << 10) |
					(uint32_t)(u - SURROGATE_LOW_FIRST));
		}
		n = utf8_encode(cp, seq);
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

int
rte_hvdev_utf8_to_utf16(const char *src, size_t len, void *dst, size_t units)
{
	const uint8_t *s = (const uint8_t *)src;
	uint8_t *d = dst;
	size_t pos = 0, out = 0;
	uint32_t cp;
	int used;

	if (src == NULL || dst == NULL || units == 0 || units > INT32_MAX)
		return -EINVAL;
	while (pos < len) {
		used = rte_hvdev_utf8_decode(s + pos, len - pos, &cp);
		/* A NUL inside the given length would cut the string short on the other side. */
		if (used < 0 || cp == 0)
			goto invalid;
		pos += (size_t)used;
		/* One unit, or a surrogate pair, and always room for the NUL after them. */
		if (out + (cp >= 0x10000 ? 2 : 1) >= units) {
			unit_put(d, 0, 0);
			return -ENAMETOOLONG;
		}
		if (cp >= 0x10000) {
			cp -= 0x10000;
			unit_put(d, out++, (uint16_t)(SURROGATE_HIGH_FIRST | (cp >> 10)));
			unit_put(d, out++, (uint16_t)(SURROGATE_LOW_FIRST | (cp & 0x3ff)));
		} else {
			unit_put(d, out++, (uint16_t)cp);
		}
	}
	unit_put(d, out, 0);
	return (int)out;
invalid:
	unit_put(d, 0, 0);
	return -EILSEQ;
}
