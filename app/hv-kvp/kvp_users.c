/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kvp_users.h"

static const char *const daemon_names[] = { "hv_kvp_daemon", "hypervkvpd" };

static bool
has_node_open(const char *procdir)
{
	char fddir[PATH_MAX];
	struct dirent *e;
	bool found = false;
	DIR *d;

	if ((size_t)snprintf(fddir, sizeof(fddir), "%s/fd", procdir) >= sizeof(fddir))
		return false;
	d = opendir(fddir);
	if (d == NULL)
		return false;
	while (!found && (e = readdir(d)) != NULL) {
		char link[PATH_MAX], target[PATH_MAX];
		ssize_t n;

		if (e->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(link, sizeof(link), "%s/%s", fddir, e->d_name) >= sizeof(link))
			continue;
		n = readlink(link, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		found = strcmp(target, KVP_KERNEL_NODE) == 0;
	}
	closedir(d);
	return found;
}

unsigned int
kvp_kernel_users(const char *root, char *who, size_t len)
{
	const char *r = root == NULL || strcmp(root, "/") == 0 ? "" : root;
	char proc[PATH_MAX];
	unsigned int count = 0;
	size_t used = 0;
	struct dirent *e;
	DIR *d;

	if (len > 0)
		who[0] = '\0';
	snprintf(proc, sizeof(proc), "%s/proc", r);
	d = opendir(proc);
	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		char dir[PATH_MAX], comm_path[PATH_MAX], comm[64] = "";
		bool named = false;
		unsigned int i;
		FILE *f;
		int n;

		if (!isdigit((unsigned char)e->d_name[0]) || atoi(e->d_name) == getpid())
			continue;
		if ((size_t)snprintf(dir, sizeof(dir), "%s/%s", proc, e->d_name) >= sizeof(dir) ||
		    (size_t)snprintf(comm_path, sizeof(comm_path), "%s/comm", dir) >=
		    sizeof(comm_path))
			continue;
		f = fopen(comm_path, "re");
		if (f != NULL) {
			if (fgets(comm, sizeof(comm), f) == NULL)
				comm[0] = '\0';
			fclose(f);
		}
		comm[strcspn(comm, "\n")] = '\0';
		for (i = 0; i < sizeof(daemon_names) / sizeof(daemon_names[0]); i++)
			named |= strcmp(comm, daemon_names[i]) == 0;
		if (!named && !has_node_open(dir))
			continue;
		count++;
		/* comm is the process's own choice: keep only printable ASCII of it. */
		for (i = 0; comm[i] != '\0'; i++)
			if (comm[i] < ' ' || comm[i] > '~')
				comm[i] = '?';
		if (len > used + 1) {
			n = snprintf(who + used, len - used, "%s%s (pid %s)", used > 0 ? ", " : "",
				     comm[0] != '\0' ? comm : "?", e->d_name);
			if (n > 0)
				used += (size_t)n < len - used ? (size_t)n : len - used - 1;
		}
	}
	closedir(d);
	return count;
}
