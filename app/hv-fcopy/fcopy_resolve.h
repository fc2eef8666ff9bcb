/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef FCOPY_RESOLVE_H
#define FCOPY_RESOLVE_H

/*
 * Opening a destination directory beneath an allowed root without following a symbolic link
 * out of it, creating missing components on request.
 *
 * With openat2() (Linux 5.6+), the path is resolved from the root with RESOLVE_BENEATH |
 * RESOLVE_NO_MAGICLINKS: relative links that stay beneath the root are followed, absolute
 * links and links leading out are refused (EXDEV). An existing directory takes that one call;
 * only a failed lookup is walked again prefix by prefix (each from the root, with the same
 * flags), to create what is missing or to tell which component failed. Without it, the path is
 * walked one component at a time with O_NOFOLLOW, which refuses every link (ELOOP). A root of
 * "/" has nothing to escape from: links are followed there, as hv_fcopy_uio_daemon does.
 *
 * A missing component is created in its parent's descriptor, opened from that descriptor with
 * O_NOFOLLOW and checked to be the directory just made (same device as the parent, a
 * directory, owned by us, empty) before it gets its mode and owner; the walk then goes on from
 * that descriptor and never resolves a name from the root again. A name swapped for a link or
 * for another directory in that window is refused (-ESTALE) and nothing is changed in it.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* More than a host path can hold: path_name is at most 259 UTF-16 units, "/x" per component. */
#define FCOPY_RESOLVE_MAX_CREATED 160

struct fcopy_resolve {
	bool beneath;		/* confine to the root (false only for the root "/") */
	bool create;		/* create missing components */
	bool sync;		/* fsync a parent after creating in it */
	mode_t dir_mode;	/* exact mode of created directories */
	uid_t owner;		/* owner of created directories, (uid_t)-1: unchanged */
	gid_t group;
};

/*
 * The directories one walk created, to remove them again when the copy they were made for
 * fails. They are the last components of rel[], the deepest last; a component that someone
 * else created meanwhile ends the list (nothing above it is removed).
 */
struct fcopy_resolve_undo {
	unsigned int n;			/* directories created */
	dev_t dev;
	ino_t ino[FCOPY_RESOLVE_MAX_CREATED];
	char rel[PATH_MAX];		/* the path walked */
};

/*
 * An allowed root kept open between copies. Each use checks, with one statx() of its path,
 * that the path still leads to the directory kept (same device, inode and mount): a root
 * renamed away, replaced by another directory or mounted over is opened again, so that no
 * copy goes beneath the directory it used to be.
 */
struct fcopy_resolve_root {
	int fd;			/* -1: not open */
	dev_t dev;
	ino_t ino;
	uint64_t mnt_id;	/* 0: unknown (no statx, or a kernel before 5.8) */
};

void fcopy_resolve_root_init(struct fcopy_resolve_root *rt);

/*
 * The directory @p path names now, as a descriptor that @p rt keeps (never close it).
 * @return the descriptor or a negative errno (-ENOENT, -ENOTDIR, -EACCES, ...).
 */
int fcopy_resolve_root(struct fcopy_resolve_root *rt, const char *path);

/* Close what @p rt keeps. */
void fcopy_resolve_root_close(struct fcopy_resolve_root *rt);

/*
 * Open the directory absolute @p path names, in one lookup that refuses every link on the
 * way (a kernel with openat2() only). With no link, and no "." or ".." (@p path normalized),
 * the directory is lexically beneath any directory whose path prefixes @p path: the root
 * as it is named now, so no check of the root's descriptor is needed.
 * @return the descriptor, or a negative errno: -ELOOP (a link), -ENOENT, ..., -ENOSYS (no
 *         openat2(), or the walk forced by a test).
 */
int fcopy_resolve_dir_plain(const char *path);

/*
 * Open directory @p rel (relative, normalized, no "..") beneath the directory @p rootfd.
 *
 * @param dirfd  receives an O_RDONLY | O_DIRECTORY descriptor: @p rootfd itself when @p rel
 *               is empty (the return value is then 1; do not close it).
 * @param where  receives the prefix of @p rel that failed (may be NULL).
 * @param undo   receives the directories created (may be NULL); on failure the walk has
 *               already removed them itself.
 * @return 0, 1 (@p dirfd is @p rootfd) or a negative errno: -ENOENT (missing and not
 *         created), -ENOTDIR, -EXDEV or -ELOOP (a link refused), -ESTALE (a directory being
 *         created was replaced), -EACCES, ...
 */
int fcopy_resolve_dir(const struct fcopy_resolve *r, int rootfd, const char *rel, int *dirfd,
		      char *where, size_t wlen, struct fcopy_resolve_undo *undo);

/*
 * Remove the directories @p undo lists, deepest first, starting from @p deepfd (the deepest
 * one, as fcopy_resolve_dir() returned it). Each is removed only while it is still the
 * directory created (device and inode, found through ".." of the one below) and empty: one
 * that was moved, replaced or written into is kept, and so is everything above it. The list
 * is emptied.
 * @return the number of directories removed; @p kept (may be NULL) receives the errno that
 *         stopped it (0 when all were removed) and @p at the component kept.
 */
unsigned int fcopy_resolve_undo(struct fcopy_resolve_undo *undo, int deepfd, int *kept,
				char *at, size_t atlen);

/* For tests: resolve as on a kernel without openat2(). */
void fcopy_resolve_force_walk(bool on);

/* @return true when openat2() is in use. */
bool fcopy_resolve_has_openat2(void);

#endif /* FCOPY_RESOLVE_H */
