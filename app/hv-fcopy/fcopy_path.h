/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef FCOPY_PATH_H
#define FCOPY_PATH_H

/* Rules for the names and paths the host sends, and for allowed roots. Pure string work. */

#include <stdbool.h>
#include <stddef.h>

/*
 * Normalize an absolute path: repeated '/' collapse, "." components go, a trailing '/' goes
 * (except for "/" itself).
 * @return 0; -EINVAL (empty, relative, or a ".." component); -ENAMETOOLONG.
 */
int fcopy_path_normalize(const char *in, char *out, size_t len);

/*
 * Does the host's raw @p path say it is a directory: a trailing '/' (or a last component ".")?
 * "/" itself is one.
 */
bool fcopy_path_names_dir(const char *path);

/*
 * Where a normalized @p path lies relative to a normalized @p root, compared component by
 * component ("/srv/a" is not beneath "/srv/ab").
 * @return the remainder without its leading '/' ("" when @p path is @p root), or NULL when
 *         @p path is not at or beneath @p root.
 */
const char *fcopy_path_beneath(const char *path, const char *root);

/*
 * Check a file name: not empty, not "." or "..", no '/', at most NAME_MAX bytes.
 * @return 0, -EINVAL or -ENAMETOOLONG.
 */
int fcopy_name_check(const char *name);

#endif /* FCOPY_PATH_H */
