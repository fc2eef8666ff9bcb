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
#include <sys/syscall.h>

#if defined(__has_include)
#if __has_include(<linux/openat2.h>)
#include <linux/openat2.h>
#define FCOPY_HAVE_OPENAT2_H 1
#endif
#endif

#include "fcopy_resolve.h"

#define DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_CLOEXEC)
/* openat2 may ask for a retry when a rename raced with a confined lookup. */
#define OPENAT2_RETRIES 8

/* Set once openat2() turned out to be missing (ENOSYS), or by tests. */
static bool walk_only;
static bool walk_forced;

void
fcopy_resolve_force_walk(bool on)
{
	walk_forced = on;
}

bool
fcopy_resolve_has_openat2(void)
{
#if defined(FCOPY_HAVE_OPENAT2_H) && defined(SYS_openat2)
	return !walk_only && !walk_forced;
#else
	return false;
#endif
}

/* Open @p prefix from the root with openat2; -ENOSYS when the kernel lacks it. */
static int
open_confined(const struct fcopy_resolve *r, int rootfd, const char *prefix)
{
#if defined(FCOPY_HAVE_OPENAT2_H) && defined(SYS_openat2)
	struct open_how how = {
		.flags = DIR_FLAGS,
		.resolve = RESOLVE_NO_MAGICLINKS | (r->beneath ? RESOLVE_BENEATH : 0),
	};
	long fd;
	int i;

	for (i = 0; i < OPENAT2_RETRIES; i++) {
		fd = syscall(SYS_openat2, rootfd, prefix, &how, sizeof(how));
		if (fd >= 0)
			return (int)fd;
		if (errno != EAGAIN)
			break;
	}
	return -errno;
#else
	(void)r;
	(void)rootfd;
	(void)prefix;
	return -ENOSYS;
#endif
}

static bool
is_link(int parentfd, const char *name)
{
	struct stat st;

	return fstatat(parentfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
}

/* Open one component: the whole prefix from the root, or the name from its parent. */
static int
open_component(const struct fcopy_resolve *r, int rootfd, int parentfd, const char *prefix,
	       const char *name)
{
	int fd;

	if (!walk_only && !walk_forced) {
		fd = open_confined(r, rootfd, prefix);
		if (fd != -ENOSYS)
			return fd;
		walk_only = true;
	}
	fd = openat(parentfd, name, DIR_FLAGS | (r->beneath ? O_NOFOLLOW : 0));
	if (fd >= 0)
		return fd;
	fd = -errno;
	/* O_NOFOLLOW | O_DIRECTORY on a link says ENOTDIR: tell a refused link apart. */
	if (fd == -ENOTDIR && r->beneath && is_link(parentfd, name))
		return -ELOOP;
	return fd;
}

/* Give a directory this service created the configured mode and owner, umask aside. */
static int
dress_new_dir(const struct fcopy_resolve *r, int fd)
{
	if (fchmod(fd, r->dir_mode) < 0)
		return -errno;
	if ((r->owner != (uid_t)-1 || r->group != (gid_t)-1) &&
	    fchown(fd, r->owner, r->group) < 0)
		return -errno;
	return 0;
}

/* Open (creating if asked) one component below @p parentfd. */
static int
open_or_create(const struct fcopy_resolve *r, int rootfd, int parentfd, const char *prefix,
	       const char *name)
{
	bool created = false;
	int fd, ret;

	fd = open_component(r, rootfd, parentfd, prefix, name);
	if (fd != -ENOENT || !r->create)
		return fd;
	if (mkdirat(parentfd, name, r->dir_mode) == 0)
		created = true;
	else if (errno != EEXIST)	/* EEXIST: made by someone else meanwhile */
		return -errno;
	fd = open_component(r, rootfd, parentfd, prefix, name);
	if (fd < 0 || !created)
		return fd;
	ret = dress_new_dir(r, fd);
	if (ret == 0 && r->sync && fsync(parentfd) < 0)
		ret = -errno;
	if (ret < 0) {
		close(fd);
		return ret;
	}
	return fd;
}

int
fcopy_resolve_dir(const struct fcopy_resolve *r, int rootfd, const char *rel, int *dirfd,
		  char *where, size_t wlen)
{
	char prefix[PATH_MAX], name[NAME_MAX + 1];
	const char *p = rel, *end;
	size_t n;
	int cur, fd;

	if (where != NULL && wlen > 0)
		where[0] = '\0';
	if (strlen(rel) >= sizeof(prefix))
		return -ENAMETOOLONG;
	cur = fcntl(rootfd, F_DUPFD_CLOEXEC, 0);
	if (cur < 0)
		return -errno;
	while (*p != '\0') {
		end = strchrnul(p, '/');
		n = (size_t)(end - p);
		if (n > NAME_MAX) {
			close(cur);
			return -ENAMETOOLONG;
		}
		memcpy(name, p, n);
		name[n] = '\0';
		memcpy(prefix, rel, (size_t)(end - rel));
		prefix[end - rel] = '\0';
		fd = open_or_create(r, rootfd, cur, prefix, name);
		close(cur);
		if (fd < 0) {
			if (where != NULL)
				snprintf(where, wlen, "%s", prefix);
			return fd;
		}
		cur = fd;
		p = *end == '/' ? end + 1 : end;
	}
	*dirfd = cur;
	return 0;
}
