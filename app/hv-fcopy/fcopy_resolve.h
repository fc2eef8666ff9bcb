/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef FCOPY_RESOLVE_H
#define FCOPY_RESOLVE_H

/*
 * Opening a destination directory beneath an allowed root without following a symbolic link
 * out of it, creating missing components on request.
 *
 * With openat2() (Linux 5.6+), every prefix of the path is resolved from the root with
 * RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS: relative links that stay beneath the root are
 * followed, absolute links and links leading out are refused (EXDEV). Without it, the path is
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
 * Open directory @p rel (relative, normalized, no "..") beneath the directory @p rootfd.
 *
 * @param dirfd  receives an O_RDONLY | O_DIRECTORY descriptor.
 * @param where  receives the prefix of @p rel that failed (may be NULL).
 * @param undo   receives the directories created (may be NULL); on failure the walk has
 *               already removed them itself.
 * @return 0 or a negative errno: -ENOENT (missing and not created), -ENOTDIR, -EXDEV or
 *         -ELOOP (a link refused), -ESTALE (a directory being created was replaced), -EACCES,
 *         ...
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
