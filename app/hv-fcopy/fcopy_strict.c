/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include <rte_common.h>

#include "fcopy_path.h"
#include "fcopy_strict.h"

/* Where a host could plant a key, a boot entry, a unit or a cron job. */
static const char *const denied[] = {
	"/etc",
	"/boot",
	"/root/.ssh",
	"/lib/systemd",
	"/usr/lib/systemd",
	"/run/systemd",
	"/var/lib/systemd",
	"/var/spool/cron",
	"/var/spool/anacron",
};

/* The first component of @p path starting with '.', or NULL. */
static const char *
dot_component(const char *path)
{
	const char *p;

	for (p = path; *p != '\0'; p++)
		if (*p == '.' && (p == path || p[-1] == '/'))
			return p;
	return NULL;
}

/* Deny @p path (absolute, normalized) as a directory that receives a file. */
static int
check_dir(const char *path, const char *what, char *why, size_t len)
{
	const char *dot = dot_component(path);
	unsigned int i;

	if (dot != NULL) {
		snprintf(why, len, "the strict profile refuses dot-directories (%s: %.*s)", what,
			 (int)strcspn(dot, "/"), dot);
		return -EACCES;
	}
	for (i = 0; i < RTE_DIM(denied); i++) {
		if (fcopy_path_beneath(path, denied[i]) != NULL) {
			snprintf(why, len, "the strict profile refuses %s and beneath (%s %s)",
				 denied[i], what, path);
			return -EACCES;
		}
	}
	return 0;
}

int
fcopy_strict_check_request(const char *dir, const char *name, char *why, size_t len)
{
	if (name[0] == '.') {
		snprintf(why, len, "the strict profile refuses dot-files");
		return -EACCES;
	}
	return check_dir(dir, "directory", why, len);
}

int
fcopy_strict_is_marked(int dirfd, const char *name)
{
	char path[64 + NAME_MAX], value[64];
	ssize_t n;

	/* By the directory's descriptor, without opening the file (no FIFO, no device). */
	snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", dirfd, name);
	n = lgetxattr(path, FCOPY_MARK_XATTR, value, sizeof(value));
	if (n < 0)
		return errno == ENODATA ? 0 : -errno;
	return n == (ssize_t)strlen(FCOPY_MARK_VALUE) &&
	       memcmp(value, FCOPY_MARK_VALUE, (size_t)n) == 0;
}

int
fcopy_strict_check_open(int dirfd, const char *name, bool replace, char *why, size_t len)
{
	char link[64], real[PATH_MAX];
	struct stat st;
	ssize_t n;
	int ret;

	/* The directory really opened, whatever links led there. */
	snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
	n = readlink(link, real, sizeof(real) - 1);
	if (n <= 0 || real[0] != '/') {
		snprintf(why, len, "the strict profile cannot check where the directory is (%s: "
			 "%s); is /proc mounted?", link, n < 0 ? strerror(errno) : "not a path");
		return -EACCES;
	}
	real[n] = '\0';
	ret = check_dir(real, "real directory", why, len);
	if (ret < 0 || !replace)
		return ret;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, len, "the strict profile replaces only regular files this service "
			 "created; the target is not a regular file");
		return -EACCES;
	}
	ret = fcopy_strict_is_marked(dirfd, name);
	if (ret == 1)
		return 0;
	snprintf(why, len, "the strict profile replaces only files this service created (no "
		 "%s attribute%s%s)", FCOPY_MARK_XATTR, ret < 0 ? ": " : "",
		 ret < 0 ? strerror(-ret) : "");
	return -EACCES;
}

int
fcopy_strict_mark(int fd)
{
	if (fsetxattr(fd, FCOPY_MARK_XATTR, FCOPY_MARK_VALUE, strlen(FCOPY_MARK_VALUE), 0) < 0)
		return -errno;
	return 0;
}
