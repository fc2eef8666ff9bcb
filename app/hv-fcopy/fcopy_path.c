/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#include <errno.h>
#include <limits.h>
#include <string.h>

#include "fcopy_path.h"

int
fcopy_path_normalize(const char *in, char *out, size_t len)
{
	const char *p = in, *comp;
	size_t n, o = 0;

	if (in == NULL || out == NULL || len < 2 || in[0] != '/')
		return -EINVAL;
	for (;;) {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		comp = p;
		while (*p != '/' && *p != '\0')
			p++;
		n = (size_t)(p - comp);
		if (n == 1 && comp[0] == '.')
			continue;
		/* A path that climbs is refused, never resolved: it has no place in a drop. */
		if (n == 2 && comp[0] == '.' && comp[1] == '.')
			return -EINVAL;
		if (o + 1 + n >= len)
			return -ENAMETOOLONG;
		out[o++] = '/';
		memcpy(out + o, comp, n);
		o += n;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	return 0;
}

bool
fcopy_path_names_dir(const char *path)
{
	size_t n = strlen(path);

	if (n == 0)
		return false;
	if (path[n - 1] == '/')
		return true;
	/* "/srv/drop/." is the directory as surely as "/srv/drop/". */
	return n >= 2 && path[n - 1] == '.' && path[n - 2] == '/';
}

const char *
fcopy_path_beneath(const char *path, const char *root)
{
	size_t n = strlen(root);

	if (strcmp(root, "/") == 0)
		return path + 1;
	if (strncmp(path, root, n) != 0)
		return NULL;
	if (path[n] == '\0')
		return path + n;
	if (path[n] != '/')
		return NULL;
	return path + n + 1;
}

int
fcopy_name_check(const char *name)
{
	size_t n;

	if (name == NULL || name[0] == '\0' || strchr(name, '/') != NULL ||
	    strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return -EINVAL;
	n = strlen(name);
	return n > NAME_MAX ? -ENAMETOOLONG : 0;
}
