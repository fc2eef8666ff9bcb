/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include <rte_hvdev_ic.h>

#include "fcopy_log.h"

/* The longest message before escaping: a target, a reason holding a path, some words. */
#define LOG_RAW_MAX (3 * 4096)
#define LOG_OUT_MAX (4 * 4096)

RTE_LOG_REGISTER_DEFAULT(hv_fcopy_logtype, INFO);

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
	if (!is_format_control(cp) && !(flags & FCOPY_ESC_ASCII)) {
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
fcopy_escape(char *dst, size_t len, const char *src, unsigned int flags)
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

void
fcopy_log(uint32_t level, const char *fmt, ...)
{
	char raw[LOG_RAW_MAX], out[LOG_OUT_MAX];
	va_list ap;

	if (!rte_log_can_log(hv_fcopy_logtype, level))
		return;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	fcopy_escape(out, sizeof(out), raw, 0);
	/* The line end is added after escaping: the only one in the message. */
	rte_log(level, hv_fcopy_logtype, "%s\n", out);
}

static ssize_t
syslog_write(void *cookie, const char *buf, size_t size)
{
	int len = (int)size;
	int prio;

	(void)cookie;
	/* syslog adds its own line end. */
	while (len > 0 && buf[len - 1] == '\n')
		len--;
	/* rte_log levels are syslog priorities plus one. */
	prio = (int)rte_log_cur_msg_loglevel() - 1;
	if (prio < LOG_EMERG || prio > LOG_DEBUG)
		prio = LOG_INFO;
	if (len > 0)
		syslog(prio, "%.*s", len, buf);
	return (ssize_t)size;
}

int
fcopy_log_to_syslog(void)
{
	static cookie_io_functions_t fns = { .write = syslog_write };
	FILE *f;

	openlog(FCOPY_PROG, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	f = fopencookie(NULL, "w", fns);
	if (f == NULL)
		return -ENOMEM;
	/* Line buffered: one fflush-free syslog record per message. */
	setvbuf(f, NULL, _IOLBF, 0);
	return rte_openlog_stream(f);
}
