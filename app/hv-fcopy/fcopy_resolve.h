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
 */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct fcopy_resolve {
	bool beneath;		/* confine to the root (false only for the root "/") */
	bool create;		/* create missing components */
	bool sync;		/* fsync a parent after creating in it */
	mode_t dir_mode;	/* exact mode of created directories */
	uid_t owner;		/* owner of created directories, (uid_t)-1: unchanged */
	gid_t group;
};

/*
 * Open directory @p rel (relative, normalized, no "..") beneath the directory @p rootfd.
 *
 * @param dirfd  receives an O_RDONLY | O_DIRECTORY descriptor.
 * @param where  receives the prefix of @p rel that failed (may be NULL).
 * @return 0 or a negative errno: -ENOENT (missing and not created), -ENOTDIR, -EXDEV or
 *         -ELOOP (a link refused), -EACCES, ...
 */
int fcopy_resolve_dir(const struct fcopy_resolve *r, int rootfd, const char *rel, int *dirfd,
		      char *where, size_t wlen);

/* For tests: resolve as on a kernel without openat2(). */
void fcopy_resolve_force_walk(bool on);

/* @return true when openat2() is in use. */
bool fcopy_resolve_has_openat2(void);

#endif /* FCOPY_RESOLVE_H */
