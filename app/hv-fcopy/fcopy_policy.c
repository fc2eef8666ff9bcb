/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <rte_common.h>

#include "fcopy_path.h"
#include "fcopy_policy.h"

#define MAX_LINE (PATH_MAX + 128)
#define MAX_BUSY_POLL_US 1000000u
#define MAX_TRANSFER_TIMEOUT_S 86400u
#define MAX_RECHECK_MS 3600000u

static int __rte_format_printf(3, 4)
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static void
roots_clear(struct fcopy_policy *p)
{
	unsigned int i;

	for (i = 0; i < p->nb_roots; i++)
		free(p->roots[i]);
	p->nb_roots = 0;
}

static int
roots_add(struct fcopy_policy *p, const char *dir)
{
	unsigned int i;

	for (i = 0; i < p->nb_roots; i++)
		if (strcmp(p->roots[i], dir) == 0)
			return 0;
	if (p->nb_roots == FCOPY_MAX_ROOTS)
		return -ENOSPC;
	p->roots[p->nb_roots] = strdup(dir);
	if (p->roots[p->nb_roots] == NULL)
		return -ENOMEM;
	p->nb_roots++;
	return 0;
}

int
fcopy_config_init(struct fcopy_config *c)
{
	static const char *const roots[] = FCOPY_DEFAULT_ROOTS;
	unsigned int i;
	int ret = 0;

	memset(c, 0, sizeof(*c));
	c->policy.file_mode = FCOPY_DEFAULT_FILE_MODE;
	c->policy.dir_mode = FCOPY_DEFAULT_DIR_MODE;
	c->policy.owner = (uid_t)-1;
	c->policy.group = (gid_t)-1;
	c->policy.fsync = true;
	c->policy.transfer_timeout_s = FCOPY_DEFAULT_TRANSFER_TIMEOUT_S;
	c->mode = FCOPY_MODE_INTR;
	c->busy_poll_us = FCOPY_DEFAULT_BUSY_POLL_US;
	snprintf(c->state_dir, sizeof(c->state_dir), "%s", FCOPY_DEFAULT_STATE_DIR);
	snprintf(c->file_mode_from, sizeof(c->file_mode_from), "the default");
	/*
	 * Not anywhere, as hv_fcopy_uio_daemon: a host must not reach /root/.ssh or a shell
	 * profile by default. "allowed_root = /" restores the old behaviour.
	 */
	c->roots_source = FCOPY_SRC_DEFAULT;
	for (i = 0; i < RTE_DIM(roots) && ret == 0; i++)
		ret = roots_add(&c->policy, roots[i]);
	return ret;
}

void
fcopy_config_free(struct fcopy_config *c)
{
	roots_clear(&c->policy);
}

static int
parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	unsigned int i;

	for (i = 0; i < RTE_DIM(yes); i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

static int
parse_u32(const char *v, uint32_t max, uint32_t *out)
{
	unsigned long long x;
	char *end;

	if (!isdigit((unsigned char)v[0]))
		return -EINVAL;
	errno = 0;
	x = strtoull(v, &end, 10);
	if (errno != 0 || *end != '\0' || x > max)
		return -EINVAL;
	*out = (uint32_t)x;
	return 0;
}

static int
parse_mode(const char *v, mode_t *out)
{
	unsigned long x;
	char *end;

	if (v[0] < '0' || v[0] > '7')
		return -EINVAL;
	errno = 0;
	x = strtoul(v, &end, 8);
	if (errno != 0 || *end != '\0' || x > 07777)
		return -EINVAL;
	*out = (mode_t)x;
	return 0;
}

static int
parse_owner(const char *v, uid_t *out)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	uint32_t id;

	if (parse_u32(v, UINT32_MAX - 1, &id) == 0) {
		*out = (uid_t)id;
		return 0;
	}
	if (getpwnam_r(v, &pw, buf, sizeof(buf), &res) != 0 || res == NULL)
		return -ENOENT;
	*out = res->pw_uid;
	return 0;
}

static int
parse_group(const char *v, gid_t *out)
{
	struct group gr, *res = NULL;
	char buf[4096];
	uint32_t id;

	if (parse_u32(v, UINT32_MAX - 1, &id) == 0) {
		*out = (gid_t)id;
		return 0;
	}
	if (getgrnam_r(v, &gr, buf, sizeof(buf), &res) != 0 || res == NULL)
		return -ENOENT;
	*out = res->gr_gid;
	return 0;
}

static int
set_root(struct fcopy_config *c, const char *v, enum fcopy_source src, const char *where,
	 char *err, size_t errlen)
{
	char norm[PATH_MAX];
	int ret;

	ret = fcopy_path_normalize(v, norm, sizeof(norm));
	if (ret < 0)
		return fail(err, errlen, "%s: allowed_root '%s' must be an absolute path without "
			    "'..'", where, v);
	/* The first root of a source replaces the roots of the sources before it. */
	if (c->roots_source != src) {
		roots_clear(&c->policy);
		c->roots_source = src;
	}
	ret = roots_add(&c->policy, norm);
	if (ret == -ENOSPC)
		return fail(err, errlen, "%s: more than %d allowed roots", where,
			    FCOPY_MAX_ROOTS);
	if (ret < 0)
		return fail(err, errlen, "%s: out of memory", where);
	return 0;
}

static int
set_mode_key(const char *key, const char *v, mode_t *out, const char *where, char *err,
	     size_t errlen)
{
	mode_t m;

	if (parse_mode(v, &m) < 0)
		return fail(err, errlen, "%s: %s '%s' is not an octal mode such as 0644", where,
			    key, v);
	/* Set-id and sticky bits on files pushed by the host have no legitimate use. */
	if (m > 0777)
		return fail(err, errlen, "%s: %s '%s' has set-id or sticky bits; only permission "
			    "bits (at most 0777) are allowed", where, key, v);
	*out = m;
	return 0;
}

int
fcopy_config_set(struct fcopy_config *c, const char *key, const char *value,
		 enum fcopy_source src, const char *where, char *err, size_t errlen)
{
	struct fcopy_policy *p = &c->policy;
	int ret;

	if (strcmp(key, "allowed_root") == 0)
		return set_root(c, value, src, where, err, errlen);
	if (strcmp(key, "file_mode") == 0) {
		ret = set_mode_key(key, value, &p->file_mode, where, err, errlen);
		if (ret == 0)
			snprintf(c->file_mode_from, sizeof(c->file_mode_from), "%s", where);
		return ret;
	}
	if (strcmp(key, "dir_mode") == 0) {
		ret = set_mode_key(key, value, &p->dir_mode, where, err, errlen);
		if (ret == 0 && (p->dir_mode & 0700) != 0700)
			return fail(err, errlen, "%s: dir_mode '%s' must give the owner rwx (0700)",
				    where, value);
		return ret;
	}
	if (strcmp(key, "owner") == 0) {
		if (parse_owner(value, &p->owner) < 0)
			return fail(err, errlen, "%s: owner '%s': no such user", where, value);
		return 0;
	}
	if (strcmp(key, "group") == 0) {
		if (parse_group(value, &p->group) < 0)
			return fail(err, errlen, "%s: group '%s': no such group", where, value);
		return 0;
	}
	if (strcmp(key, "profile") == 0) {
		if (strcmp(value, "default") == 0)
			p->strict = false;
		else if (strcmp(value, "strict") == 0)
			p->strict = true;
		else
			return fail(err, errlen, "%s: profile '%s' must be default or strict",
				    where, value);
		return 0;
	}
	if (strcmp(key, "fsync") == 0 || strcmp(key, "allow_exec") == 0 ||
	    strcmp(key, "log_syslog") == 0 || strcmp(key, "allow_anywhere") == 0) {
		bool *b = strcmp(key, "fsync") == 0 ? &p->fsync :
			  strcmp(key, "allow_exec") == 0 ? &p->allow_exec :
			  strcmp(key, "log_syslog") == 0 ? &c->log_syslog : &c->allow_anywhere;

		if (parse_bool(value, b) < 0)
			return fail(err, errlen, "%s: %s '%s' must be yes or no", where, key,
				    value);
		if (b == &p->fsync)
			p->durability = p->fsync ? FCOPY_DURABLE_SYNC : FCOPY_DURABLE_NONE;
		return 0;
	}
	if (strcmp(key, "durability") == 0) {
		if (strcmp(value, "sync") == 0)
			p->durability = FCOPY_DURABLE_SYNC;
		else if (strcmp(value, "async") == 0)
			p->durability = FCOPY_DURABLE_ASYNC;
		else if (strcmp(value, "none") == 0)
			p->durability = FCOPY_DURABLE_NONE;
		else
			return fail(err, errlen, "%s: durability '%s' must be sync, async or none",
				    where, value);
		p->fsync = p->durability != FCOPY_DURABLE_NONE;
		return 0;
	}
	if (strcmp(key, "mode") == 0) {
		if (strcmp(value, "intr") == 0 || strcmp(value, "interrupt") == 0)
			c->mode = FCOPY_MODE_INTR;
		else if (strcmp(value, "adaptive") == 0)
			c->mode = FCOPY_MODE_ADAPTIVE;
		else if (strcmp(value, "poll") == 0)
			c->mode = FCOPY_MODE_POLL;
		else
			return fail(err, errlen, "%s: mode '%s' must be intr, adaptive or poll",
				    where, value);
		return 0;
	}
	if (strcmp(key, "busy_poll_us") == 0) {
		if (parse_u32(value, MAX_BUSY_POLL_US, &c->busy_poll_us) < 0)
			return fail(err, errlen, "%s: busy_poll_us '%s' must be 0 to %u", where,
				    value, MAX_BUSY_POLL_US);
		return 0;
	}
	if (strcmp(key, "recheck_ms") == 0) {
		if (parse_u32(value, MAX_RECHECK_MS, &c->recheck_ms) < 0)
			return fail(err, errlen, "%s: recheck_ms '%s' must be 0 to %u", where,
				    value, MAX_RECHECK_MS);
		return 0;
	}
	if (strcmp(key, "transfer_timeout") == 0) {
		if (parse_u32(value, MAX_TRANSFER_TIMEOUT_S, &p->transfer_timeout_s) < 0)
			return fail(err, errlen, "%s: transfer_timeout '%s' must be 0 to %u "
				    "seconds", where, value, MAX_TRANSFER_TIMEOUT_S);
		return 0;
	}
	if (strcmp(key, "destination") == 0) {
		if (strcmp(value, "auto") != 0 && strcmp(value, "directory") != 0)
			return fail(err, errlen, "%s: destination '%s' must be auto or directory",
				    where, value);
		p->dest_always_dir = value[0] == 'd';
		return 0;
	}
	if (strcmp(key, "state_dir") == 0) {
		if (value[0] != '/' ||
		    (size_t)snprintf(c->state_dir, sizeof(c->state_dir), "%s", value) >=
		    sizeof(c->state_dir))
			return fail(err, errlen, "%s: state_dir '%s' must be an absolute path",
				    where, value);
		return 0;
	}
	return fail(err, errlen, "%s: unknown key '%s'", where, key);
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Cut a comment: '#' at the start or after a blank (a path may contain '#'). */
static void
cut_comment(char *s)
{
	char *p;

	for (p = s; *p != '\0'; p++) {
		if (*p == '#' && (p == s || isspace((unsigned char)p[-1]))) {
			*p = '\0';
			return;
		}
	}
}

static int
load_line(struct fcopy_config *c, char *line, const char *where, char *err, size_t errlen)
{
	char *eq, *key, *value;
	size_t n;

	cut_comment(line);
	line = trim(line);
	if (line[0] == '\0')
		return 0;
	eq = strchr(line, '=');
	if (eq == NULL)
		return fail(err, errlen, "%s: expected 'key = value', got '%s'", where, line);
	*eq = '\0';
	key = trim(line);
	value = trim(eq + 1);
	if (key[0] == '\0')
		return fail(err, errlen, "%s: missing key before '='", where);
	n = strlen(value);
	/* Quotes keep leading or trailing blanks of a value. */
	if (n >= 2 && value[0] == '"' && value[n - 1] == '"') {
		value[n - 1] = '\0';
		value++;
	}
	if (value[0] == '\0')
		return fail(err, errlen, "%s: missing value for '%s'", where, key);
	return fcopy_config_set(c, key, value, FCOPY_SRC_FILE, where, err, errlen);
}

int
fcopy_config_load(struct fcopy_config *c, const char *path, char *err, size_t errlen)
{
	char where[PATH_MAX + 32];
	char *line = NULL;
	size_t cap = 0;
	unsigned int lineno = 0;
	ssize_t n;
	int ret = 0;
	FILE *f;

	f = fopen(path, "re");
	if (f == NULL) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return ret;
	}
	while (ret == 0 && (n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		snprintf(where, sizeof(where), "%s:%u", path, lineno);
		if (n > MAX_LINE)
			ret = fail(err, errlen, "%s: line longer than %d bytes", where, MAX_LINE);
		else if (memchr(line, '\0', (size_t)n) != NULL)
			ret = fail(err, errlen, "%s: NUL byte in line", where);
		else
			ret = load_line(c, line, where, err, errlen);
	}
	if (ret == 0 && ferror(f)) {
		ret = -EIO;
		snprintf(err, errlen, "%s: read error", path);
	}
	free(line);
	fclose(f);
	return ret;
}

int
fcopy_config_check(const struct fcopy_config *c, char *err, size_t errlen)
{
	if ((c->policy.file_mode & 0111) != 0 && !c->policy.allow_exec)
		return fail(err, errlen, "%s: file_mode %04o makes copied files executable; set "
			    "allow_exec = yes to allow it", c->file_mode_from,
			    (unsigned int)c->policy.file_mode);
	if (c->policy.nb_roots == 0)
		return fail(err, errlen, "no allowed root");
	return 0;
}

const char *
fcopy_mode_name(enum fcopy_mode m)
{
	switch (m) {
	case FCOPY_MODE_INTR:
		return "interrupt";
	case FCOPY_MODE_ADAPTIVE:
		return "adaptive";
	case FCOPY_MODE_POLL:
		return "poll";
	}
	return "unknown";
}

const char *
fcopy_durability_name(enum fcopy_durability d)
{
	return d == FCOPY_DURABLE_ASYNC ? "async" : d == FCOPY_DURABLE_NONE ? "none" : "sync";
}
