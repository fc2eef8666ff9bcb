/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

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

/*
 * Open directory @p path from @p dirfd with openat2(): never through a magic link, and, as
 * asked, staying beneath @p dirfd or through no link at all. -ENOSYS without openat2() (from
 * the first ENOSYS on, or while a test forces the walk).
 */
static int
open_resolved(int dirfd, const char *path, bool beneath, bool no_links)
{
#if defined(FCOPY_HAVE_OPENAT2_H) && defined(SYS_openat2)
	struct open_how how = {
		.flags = DIR_FLAGS,
		.resolve = RESOLVE_NO_MAGICLINKS | (beneath ? RESOLVE_BENEATH : 0) |
			   (no_links ? RESOLVE_NO_SYMLINKS : 0),
	};
	long fd;
	int i;

	if (walk_only || walk_forced)
		return -ENOSYS;
	for (i = 0; i < OPENAT2_RETRIES; i++) {
		fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
		if (fd >= 0)
			return (int)fd;
		if (errno != EAGAIN)
			break;
	}
	if (errno == ENOSYS)
		walk_only = true;
	return -errno;
#else
	(void)dirfd;
	(void)path;
	(void)beneath;
	(void)no_links;
	return -ENOSYS;
#endif
}

int
fcopy_resolve_dir_plain(const char *path)
{
	return open_resolved(AT_FDCWD, path, false, true);
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

	fd = open_resolved(rootfd, prefix, r->beneath, false);
	if (fd != -ENOSYS)
		return fd;
	fd = openat(parentfd, name, DIR_FLAGS | (r->beneath ? O_NOFOLLOW : 0));
	if (fd >= 0)
		return fd;
	fd = -errno;
	/* O_NOFOLLOW | O_DIRECTORY on a link says ENOTDIR: tell a refused link apart. */
	if (fd == -ENOTDIR && r->beneath && is_link(parentfd, name))
		return -ELOOP;
	return fd;
}

/* Mode of a directory between its creation and its dressing: nobody else may enter it. */
#define NEW_DIR_MODE 0700

/* @return true when the directory @p fd has no entry but "." and "..". */
static bool
dir_is_empty(int fd)
{
	struct dirent *de;
	bool empty = true;
	DIR *dir;
	int dup;

	dup = openat(fd, ".", DIR_FLAGS);
	if (dup < 0)
		return false;
	dir = fdopendir(dup);
	if (dir == NULL) {
		close(dup);
		return false;
	}
	while (empty && (de = readdir(dir)) != NULL)
		empty = strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0;
	closedir(dir);
	return empty;
}

/*
 * Is @p fd the directory mkdirat() just made in @p parentfd? Not provable by name, so: a real
 * directory (the open refused links), on the parent's device, owned by us, without
 * subdirectories and empty. A directory swapped in by someone who can rename in the parent
 * fails one of these unless it is an empty directory of ours anyway.
 */
static int
check_new_dir(int parentfd, int fd, struct stat *st)
{
	struct stat pst;

	if (fstat(parentfd, &pst) < 0 || fstat(fd, st) < 0)
		return -errno;
	if (!S_ISDIR(st->st_mode) || st->st_dev != pst.st_dev || st->st_uid != geteuid() ||
	    st->st_nlink > 2 || !dir_is_empty(fd))
		return -ESTALE;
	return 0;
}

/* Give a directory this service created the configured owner and mode, umask aside. */
static int
dress_new_dir(const struct fcopy_resolve *r, int fd)
{
	/* Owner first: changing it may clear mode bits. */
	if ((r->owner != (uid_t)-1 || r->group != (gid_t)-1) &&
	    fchown(fd, r->owner, r->group) < 0)
		return -errno;
	if (fchmod(fd, r->dir_mode) < 0)
		return -errno;
	return 0;
}

/*
 * Create @p name in @p parentfd and open it from there. @p created tells whether it is ours
 * (false: someone else made it meanwhile, it is only opened).
 */
static int
create_component(const struct fcopy_resolve *r, int parentfd, const char *name, bool *created,
		 struct stat *st)
{
	int fd, ret;

	*created = false;
	if (mkdirat(parentfd, name, NEW_DIR_MODE) < 0) {
		if (errno != EEXIST)
			return -errno;
		fd = openat(parentfd, name, DIR_FLAGS | O_NOFOLLOW);
		if (fd < 0)
			return errno == ENOTDIR && is_link(parentfd, name) ? -ELOOP : -errno;
		return fd;
	}
	fd = openat(parentfd, name, DIR_FLAGS | O_NOFOLLOW);
	if (fd < 0)	/* gone, or already a link or a file: not the directory made */
		return errno == ENOENT || errno == ENOTDIR || errno == ELOOP ? -ESTALE : -errno;
	ret = check_new_dir(parentfd, fd, st);
	if (ret == 0)
		ret = dress_new_dir(r, fd);
	if (ret == 0 && r->sync && fsync(parentfd) < 0)
		ret = -errno;
	if (ret < 0) {
		close(fd);
		return ret;
	}
	*created = true;
	return fd;
}

/* The @p i-th component (from 0) of @p rel into @p name. */
static void
component(const char *rel, unsigned int i, char *name, size_t len)
{
	const char *p = rel, *end;

	for (;;) {
		end = strchrnul(p, '/');
		if (i-- == 0 || *end == '\0')
			break;
		p = end + 1;
	}
	snprintf(name, len, "%.*s", (int)(end - p), p);
}

static unsigned int
nb_components(const char *rel)
{
	unsigned int n = rel[0] != '\0';

	for (; *rel != '\0'; rel++)
		n += *rel == '/';
	return n;
}

unsigned int
fcopy_resolve_undo(struct fcopy_resolve_undo *u, int deepfd, int *kept, char *at,
		   size_t atlen)
{
	unsigned int removed = 0, total, i;
	char name[NAME_MAX + 1];
	struct stat st;
	int cur, parent, err = 0;

	if (at != NULL && atlen > 0)
		at[0] = '\0';
	if (u == NULL || u->n == 0 || deepfd < 0) {
		if (u != NULL)
			u->n = 0;
		if (kept != NULL)
			*kept = 0;
		return 0;
	}
	total = nb_components(u->rel);
	cur = fcntl(deepfd, F_DUPFD_CLOEXEC, 0);
	if (cur < 0)
		err = errno;
	for (i = u->n; err == 0 && i-- > 0; ) {
		component(u->rel, total - u->n + i, name, sizeof(name));
		if (at != NULL)
			snprintf(at, atlen, "%s", name);
		/* Still the directory made, and its parent found from it, not by name. */
		if (fstat(cur, &st) < 0 || st.st_dev != u->dev || st.st_ino != u->ino[i]) {
			err = ESTALE;
			break;
		}
		parent = openat(cur, "..", DIR_FLAGS | O_NOFOLLOW);
		if (parent < 0) {
			err = errno;
			break;
		}
		if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_dev != u->dev ||
		    st.st_ino != u->ino[i]) {
			err = ESTALE;	/* renamed or replaced meanwhile: not ours to remove */
			close(parent);
			break;
		}
		/* Never recursive: a directory someone wrote into stays, and so do its parents. */
		if (unlinkat(parent, name, AT_REMOVEDIR) < 0) {
			err = errno == EEXIST ? ENOTEMPTY : errno;
			close(parent);
			break;
		}
		removed++;
		close(cur);
		cur = parent;
	}
	if (cur >= 0)
		close(cur);
	if (err == 0 && at != NULL && atlen > 0)
		at[0] = '\0';
	if (kept != NULL)
		*kept = err;
	u->n = 0;
	return removed;
}

/* Record a component of the walk (ours or not) in @p undo. */
static int
undo_note(struct fcopy_resolve_undo *u, bool created, const struct stat *st)
{
	if (u == NULL)
		return 0;
	if (!created) {
		/* Someone else's: the ones above it are no longer all ours to take back. */
		u->n = 0;
		return 0;
	}
	if (u->n == FCOPY_RESOLVE_MAX_CREATED)
		return -ENAMETOOLONG;
	u->dev = st->st_dev;
	u->ino[u->n++] = st->st_ino;
	return 0;
}

/* Close @p fd unless it is the root's, which the caller keeps. */
static void
close_owned(int fd, int rootfd)
{
	if (fd >= 0 && fd != rootfd)
		close(fd);
}

int
fcopy_resolve_dir(const struct fcopy_resolve *r, int rootfd, const char *rel, int *dirfd,
		  char *where, size_t wlen, struct fcopy_resolve_undo *undo)
{
	char prefix[PATH_MAX], name[NAME_MAX + 1];
	const char *p = rel, *end;
	bool created, below_new = false;
	struct stat st;
	size_t n;
	int cur, fd, ret = 0;

	if (where != NULL && wlen > 0)
		where[0] = '\0';
	if (undo != NULL) {
		undo->n = 0;
		snprintf(undo->rel, sizeof(undo->rel), "%s", rel);
	}
	if (strlen(rel) >= sizeof(prefix))
		return -ENAMETOOLONG;
	if (rel[0] == '\0') {
		*dirfd = rootfd;
		return 1;
	}
	/*
	 * An existing directory in one confined lookup: RESOLVE_BENEATH holds for every
	 * component and every link on the way, so one call is as safe as one per prefix. Only
	 * when it fails does the walk below go prefix by prefix, to create what is missing or
	 * to say which component failed.
	 */
	fd = open_resolved(rootfd, rel, r->beneath, false);
	if (fd >= 0) {
		*dirfd = fd;
		return 0;
	}
	cur = rootfd;
	while (*p != '\0') {
		end = strchrnul(p, '/');
		n = (size_t)(end - p);
		memcpy(prefix, rel, (size_t)(end - rel));
		prefix[end - rel] = '\0';
		if (n > NAME_MAX) {
			ret = -ENAMETOOLONG;
			break;
		}
		memcpy(name, p, n);
		name[n] = '\0';
		/*
		 * Below a directory made by this walk nothing is resolved from the root again:
		 * the name there is only ever looked up in the descriptor just checked.
		 */
		if (below_new) {
			fd = openat(cur, name, DIR_FLAGS | O_NOFOLLOW);
			if (fd < 0)
				fd = errno == ENOTDIR && is_link(cur, name) ? -ELOOP : -errno;
		} else {
			fd = open_component(r, rootfd, cur, prefix, name);
		}
		created = false;
		if (fd == -ENOENT && r->create) {
			fd = create_component(r, cur, name, &created, &st);
			if (fd >= 0) {
				below_new = true;
				ret = undo_note(undo, created, &st);
				if (ret < 0) {
					close(fd);
					fd = ret;
				}
			}
		}
		if (fd < 0) {
			ret = fd;
			break;
		}
		close_owned(cur, rootfd);
		cur = fd;
		p = *end == '/' ? end + 1 : end;
	}
	if (ret < 0) {
		if (where != NULL)
			snprintf(where, wlen, "%s", prefix);
		/* Take back what this walk made: the copy it was for will not happen. */
		if (undo != NULL)
			undo->rel[p > rel ? p - rel - 1 : 0] = '\0';
		fcopy_resolve_undo(undo, cur, NULL, NULL, 0);
		close_owned(cur, rootfd);
		return ret;
	}
	*dirfd = cur;
	return 0;
}

/* Which directory, on which mount, @p path (or @p dirfd itself with AT_EMPTY_PATH) is. */
static int
identify(int dirfd, const char *path, int flags, struct fcopy_resolve_root *id)
{
	struct statx stx;
	struct stat st;
	unsigned int mask = STATX_TYPE | STATX_INO;

#ifdef STATX_MNT_ID
	mask |= STATX_MNT_ID;
#endif
	if (statx(dirfd, path, flags | AT_STATX_SYNC_AS_STAT, mask, &stx) == 0) {
		if (!S_ISDIR(stx.stx_mode))
			return -ENOTDIR;
		id->dev = makedev(stx.stx_dev_major, stx.stx_dev_minor);
		id->ino = stx.stx_ino;
		id->mnt_id = 0;
#ifdef STATX_MNT_ID
		if (stx.stx_mask & STATX_MNT_ID)
			id->mnt_id = stx.stx_mnt_id;
#endif
		return 0;
	}
	if (errno != ENOSYS)
		return -errno;
	/* No statx (a seccomp filter, an old kernel): the inode only, no mount. */
	if (fstatat(dirfd, path, &st, flags) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	id->mnt_id = 0;
	return 0;
}

void
fcopy_resolve_root_init(struct fcopy_resolve_root *rt)
{
	memset(rt, 0, sizeof(*rt));
	rt->fd = -1;
}

void
fcopy_resolve_root_close(struct fcopy_resolve_root *rt)
{
	if (rt->fd >= 0)
		close(rt->fd);
	fcopy_resolve_root_init(rt);
}

int
fcopy_resolve_root(struct fcopy_resolve_root *rt, const char *path)
{
	struct fcopy_resolve_root now;
	int fd, ret;

	if (rt->fd >= 0) {
		/*
		 * The descriptor kept holds its inode: no other directory can have that inode
		 * number on that device meanwhile, so the same device, inode and mount mean
		 * that @p path still leads to this very directory.
		 */
		ret = identify(AT_FDCWD, path, 0, &now);
		if (ret == 0 && now.dev == rt->dev && now.ino == rt->ino &&
		    now.mnt_id == rt->mnt_id)
			return rt->fd;
		fcopy_resolve_root_close(rt);
		if (ret < 0)
			return ret;
	}
	fd = open(path, DIR_FLAGS);
	if (fd < 0)
		return -errno;
	ret = identify(fd, "", AT_EMPTY_PATH, rt);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	rt->fd = fd;
	return fd;
}
