/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef FCOPY_POLICY_H
#define FCOPY_POLICY_H

/*
 * What the service may do and how it runs: the destination policy (allowed roots, modes,
 * owner, fsync) and the service settings, from defaults, a configuration file and the command
 * line, in that order.
 *
 * The file is "key = value" lines; '#' starts a comment; blank lines are ignored. Keys:
 * allowed_root (repeatable), allow_anywhere, profile, file_mode, dir_mode, owner, group, fsync,
 * durability, allow_exec, mode, busy_poll_us, recheck_ms, log_syslog, state_dir,
 * transfer_timeout, destination.
 */

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define FCOPY_MAX_ROOTS 64
#define FCOPY_DEFAULT_FILE_MODE 0644
#define FCOPY_DEFAULT_DIR_MODE 0755
#define FCOPY_DEFAULT_BUSY_POLL_US 50
#define FCOPY_DEFAULT_TRANSFER_TIMEOUT_S 120
/* Survives a reboot: a power loss is exactly when a temporary file is left behind. */
#define FCOPY_DEFAULT_STATE_DIR "/var/lib/dpdk-hv-fcopy"
#define FCOPY_DEFAULT_CONFIG "/etc/dpdk-hv-fcopy.conf"
/*
 * The allowed roots when none is configured: the usual drop directories, no home, no system
 * directory. The systemd unit's ReadWritePaths= is the same list: keep them equal.
 */
#define FCOPY_DEFAULT_ROOTS { "/tmp", "/var/tmp", "/srv", "/mnt", "/media" }

/*
 * What a COMPLETE answered S_OK guarantees across a crash or a power loss; every level is
 * atomic (never a partial file under the final name). "fsync = no" is durability none.
 */
enum fcopy_durability {
	FCOPY_DURABLE_SYNC = 0,	/* data and name on disk before COMPLETE is answered */
	FCOPY_DURABLE_ASYNC,	/* answered at once; published once the data is on disk */
	FCOPY_DURABLE_NONE,	/* no flush at all */
};

/* How the service waits for the host. */
enum fcopy_mode {
	FCOPY_MODE_INTR = 0,	/* sleep on the host's interrupt */
	FCOPY_MODE_ADAPTIVE,	/* busy-poll busy_poll_us, then sleep */
	FCOPY_MODE_POLL,	/* never sleep */
};

/* Where a setting comes from; a later source replaces the allowed roots of an earlier one. */
enum fcopy_source {
	FCOPY_SRC_DEFAULT = 0,
	FCOPY_SRC_FILE,
	FCOPY_SRC_CMDLINE,
};

struct fcopy_policy {
	char *roots[FCOPY_MAX_ROOTS];	/* normalized absolute directories; "/" is anywhere */
	unsigned int nb_roots;
	mode_t file_mode;
	mode_t dir_mode;
	uid_t owner;			/* (uid_t)-1: the service's own */
	gid_t group;			/* (gid_t)-1: the service's own */
	bool fsync;			/* durability != FCOPY_DURABLE_NONE */
	enum fcopy_durability durability;
	bool allow_exec;
	bool strict;			/* the strict profile (fcopy_strict.h) */
	uint32_t transfer_timeout_s;	/* abandon a copy the host went quiet on; 0: never */
	bool dest_always_dir;		/* path_name is always the directory (Linux daemon) */
};

struct fcopy_config {
	struct fcopy_policy policy;
	enum fcopy_mode mode;
	uint32_t busy_poll_us;
	uint32_t recheck_ms;		/* idle: look at the ring this often anyway; 0: never */
	bool log_syslog;
	char state_dir[PATH_MAX];
	enum fcopy_source roots_source;
	bool allow_anywhere;		/* "/" accepted as a root on a confidential VM */
	char file_mode_from[PATH_MAX + 32];	/* where file_mode was set, for errors */
};

/* Defaults: FCOPY_DEFAULT_ROOTS, 0644 files, 0755 directories, fsync on, interrupt mode. */
int fcopy_config_init(struct fcopy_config *c);
void fcopy_config_free(struct fcopy_config *c);

/*
 * Set one key. @p where names the place for error messages ("FILE:LINE" or "--option").
 * @return 0 or -EINVAL with a message in @p err.
 */
int fcopy_config_set(struct fcopy_config *c, const char *key, const char *value,
		     enum fcopy_source src, const char *where, char *err, size_t errlen);

/*
 * Read a configuration file.
 * @return 0; -ENOENT (no such file); another negative errno with "FILE:LINE: why" in @p err.
 */
int fcopy_config_load(struct fcopy_config *c, const char *path, char *err, size_t errlen);

/* Checks between keys (an execute bit needs allow_exec). @return 0 or -EINVAL. */
int fcopy_config_check(const struct fcopy_config *c, char *err, size_t errlen);

/* "sync", "async" or "none". */
const char *fcopy_durability_name(enum fcopy_durability d);

/* "intr", "adaptive" or "poll". */
const char *fcopy_mode_name(enum fcopy_mode m);

#endif /* FCOPY_POLICY_H */
