/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * Escaping of host-chosen strings before they reach a log line, a record or telemetry: a name
 * with a line feed would forge a log line, ESC sequences drive terminals, bidirectional
 * overrides reorder what a reader sees. UTF-8 is decoded by rte_hvdev_utf8_decode(), the one
 * decoder of the library.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "rte_hvdev_ic.h"
#include "rte_hvdev_ic_service.h"

/* Code points that move or hide text on a terminal or in a viewer though valid. */
static bool
is_format_control(uint32_t cp)
{
	return cp <= 0x9f || cp == 0x200e || cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

/*
 * The escaped form of the character at @p s (@p n bytes left) into @p unit (12 bytes).
 * @return the bytes of @p s consumed; *ulen receives the length of @p unit.
 */
static size_t
escape_one(const unsigned char *s, size_t n, unsigned int flags, char *unit, size_t *ulen)
{
	static const char hex[] = "0123456789abcdef";
	uint32_t cp = 0;
	size_t len;
	int w, ret;

	if (s[0] >= 0x20 && s[0] < 0x7f && s[0] != '\\') {
		unit[0] = (char)s[0];
		*ulen = 1;
		return 1;
	}
	if (s[0] < 0x80) {
		unit[0] = '\\';
		*ulen = 2;
		switch (s[0]) {
		case '\\':
			unit[1] = '\\';
			return 1;
		case '\n':
			unit[1] = 'n';
			return 1;
		case '\r':
			unit[1] = 'r';
			return 1;
		case '\t':
			unit[1] = 't';
			return 1;
		}
	}
	/* A byte below 0x80 still here is a control byte. */
	ret = s[0] < 0x80 ? -EILSEQ : rte_hvdev_utf8_decode(s, n, &cp);
	if (ret < 0) {
		/* A control byte, or a byte of no valid UTF-8 sequence. */
		unit[0] = '\\';
		unit[1] = 'x';
		unit[2] = hex[s[0] >> 4];
		unit[3] = hex[s[0] & 0xf];
		*ulen = 4;
		return 1;
	}
	len = (size_t)ret;
	if (!is_format_control(cp) && !(flags & RTE_HVDEV_ESC_ASCII)) {
		memcpy(unit, s, len);
		*ulen = len;
		return len;
	}
	if (cp > 0xffff)
		w = snprintf(unit, 12, "\\U%08x", (unsigned int)cp);
	else
		w = snprintf(unit, 12, "\\u%04x", (unsigned int)cp);
	*ulen = (size_t)w;
	return len;
}

char *
rte_hvdev_str_escape(char *dst, size_t len, const char *src, unsigned int flags)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t n = strlen(src), i, total = 0, pos = 0, limit, ulen;
	char unit[12];
	bool fits;

	if (len == 0)
		return dst;
	/* First the whole length: a result that fits is never marked as cut. */
	for (i = 0; i < n; total += ulen)
		i += escape_one(s + i, n - i, flags, unit, &ulen);
	fits = total < len;
	limit = fits ? len - 1 : len >= 4 ? len - 4 : 0;
	for (i = 0; i < n; ) {
		size_t used = escape_one(s + i, n - i, flags, unit, &ulen);

		if (pos + ulen > limit)
			break;
		memcpy(dst + pos, unit, ulen);
		pos += ulen;
		i += used;
	}
	if (!fits && len >= 4) {
		memcpy(dst + pos, "...", 3);
		pos += 3;
	}
	dst[pos] = '\0';
	return dst;
}
