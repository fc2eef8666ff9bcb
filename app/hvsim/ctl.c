/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * The control protocol between "dpdk-hvsim serve" and its clients: one request per
 * connection on <root>/hvsim.sock (a Unix stream socket), as text lines. A line is a word and
 * space-separated key=value fields; values are percent-encoded (every byte up to and including
 * space, '%' and DEL as %XX) so that any path, non-ASCII names included, survives intact.
 */

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <rte_common.h>

#include "hvsim_app.h"

int
hvsim_ctl_sock_path(const char *root, char *buf, size_t len)
{
	struct sockaddr_un sa;
	int n;

	n = snprintf(buf, len, "%s/%s", root, HVSIM_CTL_SOCK);
	/* A Unix socket address is limited, whatever PATH_MAX says. */
	if (n < 0 || (size_t)n >= len || (size_t)n >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	return 0;
}

int
hvsim_ctl_connect(const char *root, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, ret;

	ret = hvsim_ctl_sock_path(root, sa.sun_path, sizeof(sa.sun_path));
	if (ret < 0) {
		snprintf(err, errlen, "the root path %s is too long for a Unix socket", root);
		return ret;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return ret;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		ret = -errno;
		snprintf(err, errlen, "no %s serve is running under %s (cannot connect to %s: %s)",
			 HVSIM_PROG, root, sa.sun_path, strerror(errno));
		close(fd);
		return ret;
	}
	return fd;
}

static bool
needs_escape(unsigned char c)
{
	return c <= 0x20 || c == '%' || c == 0x7f;
}

int
hvsim_ctl_add(char *line, size_t size, const char *key, const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(line), k = strlen(key);
	const unsigned char *v;

	if (n + 1 + k + 1 >= size)
		return -ENOSPC;
	line[n++] = ' ';
	memcpy(line + n, key, k);
	n += k;
	line[n++] = '=';
	for (v = (const unsigned char *)value; *v != '\0'; v++) {
		if (n + 4 > size)
			return -ENOSPC;
		if (needs_escape(*v)) {
			line[n++] = '%';
			line[n++] = hex[*v >> 4];
			line[n++] = hex[*v & 0xf];
		} else {
			line[n++] = (char)*v;
		}
	}
	line[n] = '\0';
	return 0;
}

int
hvsim_ctl_addf(char *line, size_t size, const char *key, const char *fmt, ...)
{
	char value[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(value))
		return -ENOSPC;
	return hvsim_ctl_add(line, size, key, value);
}

int
hvsim_ctl_send(int fd, const char *line)
{
	size_t len = strlen(line), done = 0;
	char *buf = malloc(len + 1);
	ssize_t n;
	int ret = 0;

	if (buf == NULL)
		return -ENOMEM;
	memcpy(buf, line, len);
	buf[len++] = '\n';
	while (done < len) {
		/* MSG_NOSIGNAL: a client that went away is an error here, not a SIGPIPE. */
		n = send(fd, buf + done, len - done, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			break;
		}
		done += (size_t)n;
	}
	free(buf);
	return ret;
}

void
hvsim_ctl_reader_init(struct hvsim_ctl_reader *r, int fd)
{
	r->fd = fd;
	r->len = 0;
}

int
hvsim_ctl_read_line(struct hvsim_ctl_reader *r, char *out, size_t size, int timeout_ms)
{
	struct pollfd pfd = { .fd = r->fd, .events = POLLIN };
	char *nl;
	size_t n;
	ssize_t got;
	int ret;

	for (;;) {
		nl = memchr(r->buf, '\n', r->len);
		if (nl != NULL) {
			n = (size_t)(nl - r->buf);
			if (n >= size)
				return -EMSGSIZE;
			memcpy(out, r->buf, n);
			out[n] = '\0';
			r->len -= n + 1;
			memmove(r->buf, nl + 1, r->len);
			return 0;
		}
		if (r->len == sizeof(r->buf))
			return -EMSGSIZE;
		ret = poll(&pfd, 1, timeout_ms);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0)
			return -errno;
		if (ret == 0)
			return -ETIMEDOUT;
		got = recv(r->fd, r->buf + r->len, sizeof(r->buf) - r->len, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -errno;
		if (got == 0)
			return -ECONNRESET;
		r->len += (size_t)got;
	}
}

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode %XX in place. A NUL byte cannot be part of a value. */
static int
decode(char *s)
{
	char *w = s;
	int hi, lo;

	for (; *s != '\0'; s++) {
		if (*s != '%') {
			*w++ = *s;
			continue;
		}
		hi = hex_digit(s[1]);
		lo = hi < 0 ? -1 : hex_digit(s[2]);
		if (lo < 0 || (hi == 0 && lo == 0))
			return -EINVAL;
		*w++ = (char)(hi << 4 | lo);
		s += 2;
	}
	*w = '\0';
	return 0;
}

int
hvsim_ctl_parse(char *line, struct hvsim_ctl_msg *msg)
{
	char *save = NULL, *tok, *eq;

	memset(msg, 0, sizeof(*msg));
	msg->word = strtok_r(line, " ", &save);
	if (msg->word == NULL)
		return -EINVAL;
	while ((tok = strtok_r(NULL, " ", &save)) != NULL) {
		eq = strchr(tok, '=');
		if (eq == NULL || eq == tok || msg->n == HVSIM_CTL_FIELDS_MAX)
			return -EINVAL;
		*eq = '\0';
		if (decode(eq + 1) < 0)
			return -EINVAL;
		msg->key[msg->n] = tok;
		msg->val[msg->n] = eq + 1;
		msg->n++;
	}
	return 0;
}

const char *
hvsim_ctl_get(const struct hvsim_ctl_msg *msg, const char *key)
{
	unsigned int i;

	for (i = 0; i < msg->n; i++)
		if (strcmp(msg->key[i], key) == 0)
			return msg->val[i];
	return NULL;
}
