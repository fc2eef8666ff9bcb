/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "fcopy_state.h"

static int
mkdir_p(const char *dir)
{
	char tmp[PATH_MAX];
	size_t i, n = strlen(dir);

	if (n == 0 || n >= sizeof(tmp))
		return -ENAMETOOLONG;
	memcpy(tmp, dir, n + 1);
	for (i = 1; i < n; i++) {
		if (tmp[i] != '/')
			continue;
		tmp[i] = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return -errno;
		tmp[i] = '/';
	}
	if (mkdir(tmp, 0700) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int
fcopy_state_open(struct fcopy_state *s, const char *dir, bool sync, char *err, size_t errlen)
{
	int ret;

	s->fd = -1;
	s->sync = sync;
	if ((size_t)snprintf(s->file, sizeof(s->file), "%s/%s", dir, FCOPY_STATE_FILE) >=
	    sizeof(s->file)) {
		snprintf(err, errlen, "state directory %s: path too long", dir);
		return -ENAMETOOLONG;
	}
	ret = mkdir_p(dir);
	if (ret < 0) {
		snprintf(err, errlen, "state directory %s: %s", dir, strerror(-ret));
		return ret;
	}
	s->fd = open(s->file, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (s->fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", s->file, strerror(errno));
		return ret;
	}
	if (flock(s->fd, LOCK_EX | LOCK_NB) < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", s->file, errno == EWOULDBLOCK ?
			 "in use by another dpdk-hv-fcopy (give each its own --state-dir)" :
			 strerror(errno));
		close(s->fd);
		s->fd = -1;
		return ret;
	}
	return 0;
}

int
fcopy_state_read(struct fcopy_state *s, char *path, size_t len)
{
	ssize_t n;

	if (s->fd < 0 || len == 0)
		return -EBADF;
	n = pread(s->fd, path, len, 0);
	if (n < 0)
		return -errno;
	/* The record ends with a NUL: a torn or foreign record is not trusted. */
	if (n == 0 || memchr(path, '\0', (size_t)n) == NULL)
		return n == 0 ? 0 : -EBADMSG;
	return path[0] != '\0' ? 1 : 0;
}

int
fcopy_state_record(struct fcopy_state *s, const char *path)
{
	size_t n = strlen(path) + 1;
	ssize_t w;

	if (s->fd < 0)
		return -EBADF;
	w = pwrite(s->fd, path, n, 0);
	if (w < 0)
		return -errno;
	if ((size_t)w != n)
		return -EIO;
	if (ftruncate(s->fd, (off_t)n) < 0)
		return -errno;
	/* Durable before the temporary file exists, or a power loss could orphan it. */
	if (s->sync && fdatasync(s->fd) < 0)
		return -errno;
	return 0;
}

void
fcopy_state_clear(struct fcopy_state *s)
{
	/* Unsynced on purpose: a stale record only names a file that is gone. */
	if (s->fd >= 0 && ftruncate(s->fd, 0) < 0)
		return;
}

void
fcopy_state_close(struct fcopy_state *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}
