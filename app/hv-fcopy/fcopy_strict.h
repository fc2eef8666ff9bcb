/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef FCOPY_STRICT_H
#define FCOPY_STRICT_H

/*
 * The strict profile (profile = strict, --profile strict), on top of the allowed roots:
 *
 * - no file or directory whose name starts with '.' anywhere in the target (dot-files such as
 *   .bashrc and .profile, dot-directories such as ~/.ssh and ~/.config);
 * - nothing at or beneath a system directory: /etc, /boot, /root/.ssh, systemd's directories
 *   (/lib/systemd, /usr/lib/systemd, /run/systemd, /var/lib/systemd) and cron's
 *   (/var/spool/cron, /var/spool/anacron), checked on the path the host sent and again on
 *   the real path of the directory once opened (a link cannot lead there);
 * - an existing file is replaced only if this service created it: every file the service
 *   delivers carries the extended attribute FCOPY_MARK_XATTR, and strict OVER_WRITE needs it
 *   on the regular file being replaced.
 */

#include <stdbool.h>
#include <stddef.h>

#include "fcopy_policy.h"

/* Set on every delivered file (user.* needs no capability and survives a rename). */
#define FCOPY_MARK_XATTR "user.hvfcopy"
#define FCOPY_MARK_VALUE "dpdk-hv-fcopy"

/*
 * Before anything is created: @p dir (normalized, absolute) and @p name as the host sent them.
 * @return 0, or -EACCES with the reason in @p why.
 */
int fcopy_strict_check_request(const char *dir, const char *name, char *why, size_t len);

/*
 * Once the directory is open as @p dirfd: its real path, and the existing target @p name when
 * @p replace (the host asked to overwrite an existing file).
 * @return 0, or -EACCES with the reason in @p why.
 */
int fcopy_strict_check_open(int dirfd, const char *name, bool replace, char *why, size_t len);

/* Mark @p fd as created by this service. @return 0 or a negative errno (-ENOTSUP, ...). */
int fcopy_strict_mark(int fd);

/* @return 1 when the file @p name in @p dirfd carries the mark, 0 when not, or -errno. */
int fcopy_strict_is_marked(int dirfd, const char *name);

#endif /* FCOPY_STRICT_H */
