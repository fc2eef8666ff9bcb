/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>

#include <rte_common.h>
#include <rte_branch_prediction.h>
#include <rte_random.h>

#include <rte_hvdev_fcopy.h>
#include <rte_hvdev_ic.h>

#include "fcopy_deliver.h"
#include "fcopy_hresult.h"
#include "fcopy_log.h"
#include "fcopy_path.h"
#include "fcopy_resolve.h"
#include "fcopy_strict.h"

/* Longest part of the target name kept in a temporary name, so that it fits NAME_MAX. */
#define TMP_NAME_KEEP (NAME_MAX - 1 - (sizeof(FCOPY_TMP_TAG) - 1) - FCOPY_TMP_RANDOM)
#define TMP_CREATE_TRIES 16
/*
 * Smallest announced size whose free space is checked and reserved at START. A smaller file
 * that does not fit fails at its WRITE with DISK_FULL just as clearly, and two system calls
 * per file are most of what a small copy costs beyond its data.
 */
#define RESERVE_MIN (1u << 20)

/*
 * Durability async: copies whose COMPLETE was answered, waiting for the flusher thread. Each
 * holds its unnamed file and its directory open: two descriptors.
 */
#define ASYNC_QUEUE_MAX 64
/*
 * Group commit: a flusher woken by a first copy waits this long for more, or until this many
 * are queued, then flushes them together. Publication comes that much later; the flushes per
 * file fall with the rate of copies (one per batch, not two per file).
 */
#define ASYNC_WINDOW_NS (10 * 1000 * 1000)
#define ASYNC_BATCH_FULL (ASYNC_QUEUE_MAX / 2)

struct fcopy_async_entry {
	int fd;				/* the unnamed file, complete */
	int dirfd;			/* its directory, owned */
	int err;			/* 0, or why it is not published */
	dev_t dev;			/* of the directory, from the flusher's fstat() */
	ino_t dir_ino;
	char name[NAME_MAX + 1];
	char target[PATH_MAX];		/* for messages */
};

struct fcopy_async {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t work;		/* for the flusher: entries queued, urgent or stop */
	pthread_cond_t done;		/* for the service: a batch was published */
	unsigned int head;		/* first queued entry in e[] */
	unsigned int n;			/* queued entries, the batch being flushed included */
	unsigned int busy;		/* the first busy of them are being flushed */
	bool urgent;			/* flush what is queued now */
	bool idle;			/* the flusher waits for a first copy */
	bool stop;
	bool per_file;			/* fsync per file: syncfs() cannot report errors */
	unsigned int hold;		/* test only: FCOPY_TEST_BATCH_ENV */
	const char *crash_at;		/* test only: FCOPY_TEST_CRASH_ENV */
	struct fcopy_async_entry e[ASYNC_QUEUE_MAX];
};

/*
 * Whether linkat(AT_EMPTY_PATH) links a descriptor here: it needs CAP_DAC_READ_SEARCH (before
 * Linux 6.10, or for a file another process opened). -1: not tried yet. Process-wide, and
 * read by the async flusher too.
 */
static int empty_path_links = -1;

static void async_drain(struct fcopy_deliver *d);
static void async_stop(struct fcopy_deliver *d);
static bool async_queued(struct fcopy_deliver *d);
static bool async_has_name(struct fcopy_deliver *d, const char *name);

/* The process's umask, read without changing it (umask() would, for a moment, in every thread). */
static mode_t
process_umask(void)
{
	unsigned int mask = 0;
	char line[64];
	mode_t old;
	FILE *f;

	f = fopen("/proc/self/status", "re");
	if (f != NULL) {
		while (fgets(line, sizeof(line), f) != NULL)
			if (sscanf(line, "Umask: %o", &mask) == 1) {
				fclose(f);
				return (mode_t)mask & 0777;
			}
		fclose(f);
	}
	/* No /proc, or a kernel before 4.7: at start-up, before other threads create files. */
	old = umask(0777);
	umask(old);
	return old;
}

void
fcopy_deliver_init(struct fcopy_deliver *d, const struct fcopy_policy *pol,
		   struct fcopy_state *state)
{
	const char *hold;
	unsigned int i;

	memset(d, 0, sizeof(*d));
	d->pol = pol;
	d->state = state;
	d->dirfd = -1;
	d->fd = -1;
	for (i = 0; i < RTE_DIM(d->roots); i++)
		fcopy_resolve_root_init(&d->roots[i]);
	d->umask = process_umask();
	d->force_named = getenv(FCOPY_TEST_NAMED_ENV) != NULL;
	__atomic_store_n(&empty_path_links, getenv(FCOPY_TEST_PROC_LINK_ENV) != NULL ? 0 : -1,
			 __ATOMIC_RELAXED);
	d->crash_at = getenv(FCOPY_TEST_CRASH_ENV);
	hold = getenv(FCOPY_TEST_BATCH_ENV);
	if (hold != NULL && atoi(hold) > 0)
		d->async_hold = RTE_MIN((unsigned int)atoi(hold), (unsigned int)ASYNC_QUEUE_MAX);
}

void
fcopy_deliver_fini(struct fcopy_deliver *d)
{
	unsigned int i;

	fcopy_deliver_abandon(d, "the service is stopping");
	async_stop(d);
	for (i = 0; i < RTE_DIM(d->roots); i++)
		fcopy_resolve_root_close(&d->roots[i]);
}

/* Test only (FCOPY_TEST_CRASH_ENV): die here as a crash would, with no clean-up at all. */
static inline void
crash_point(const struct fcopy_deliver *d, const char *step)
{
	if (unlikely(d->crash_at != NULL) && strcmp(d->crash_at, step) == 0)
		raise(SIGKILL);
}

const char *
fcopy_deliver_via(const struct fcopy_deliver *d)
{
	return d->unnamed ? "O_TMPFILE" : "named temporary file";
}

/*
 * Record why and return the HRESULT. The transfer's record (fcopy_stats_end()) logs the
 * reason: logged here too at more than DEBUG, every failure would be logged twice.
 */
static uint32_t __rte_format_printf(3, 4)
refuse(struct fcopy_deliver *d, uint32_t hr, const char *fmt, ...)
{
	char hrs[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->reason, sizeof(d->reason), fmt, ap);
	va_end(ap);
	FCOPY_LOG(DEBUG, "%s: %s: %s", d->target[0] != '\0' ? d->target : "(no target)",
		  d->reason, fcopy_hresult_str(hr, hrs, sizeof(hrs)));
	return hr;
}

/* A failed system call: the HRESULT follows errno, with a hint where one helps. */
static uint32_t
refuse_errno(struct fcopy_deliver *d, int err, const char *what)
{
	const char *hint = "";

	/* openat2's EXDEV reads "Invalid cross-device link": say what it means here. */
	if (err == EXDEV || err == ELOOP)
		return refuse(d, fcopy_hresult_from_errno(err), "%s: a symbolic link there leads "
			      "out of the allowed root, or is not allowed by the policy", what);
	if (err == ESTALE)
		return refuse(d, RTE_HVDEV_IC_ACCESS_DENIED, "%s: replaced by something else while "
			      "it was being created (a concurrent rename?); nothing was changed "
			      "there", what);
	if (err == EROFS)
		hint = " (under systemd, is the directory in the unit's ReadWritePaths=?)";
	return refuse(d, fcopy_hresult_from_errno(err), "%s: %s%s", what, strerror(err), hint);
}

/* Let go of the target's directory; an allowed root's descriptor is kept for the next copy. */
static void
close_dir(struct fcopy_deliver *d)
{
	if (d->dirfd >= 0 && !d->dirfd_root)
		close(d->dirfd);
	d->dirfd = -1;
	d->dirfd_root = false;
}

static void
end_copy(struct fcopy_deliver *d)
{
	if (d->fd >= 0)
		close(d->fd);
	close_dir(d);
	d->fd = -1;
	d->active = false;
	d->pending = false;
	d->undo.n = 0;
	/* Only a record that was written: the O_TMPFILE path writes none. */
	if (d->state != NULL && d->recorded)
		fcopy_state_clear(d->state);
	d->recorded = false;
}

/* Remove the directories this copy's START created, as far as they are still ours. */
static void
undo_dirs(struct fcopy_deliver *d)
{
	char at[NAME_MAX + 1];
	unsigned int n = d->undo.n, removed;
	int kept;

	if (n == 0)
		return;
	removed = fcopy_resolve_undo(&d->undo, d->dirfd, &kept, at, sizeof(at));
	if (removed > 0)
		FCOPY_LOG(NOTICE, "%s: removed %u of the %u directories created for this copy",
			  d->dir, removed, n);
	if (kept != 0)
		FCOPY_LOG(NOTICE, "%s: kept the created directory '%s' and those above it: %s",
			  d->dir, at, kept == ENOTEMPTY ? "something else was put into it" :
			  kept == ESTALE ? "it was moved or replaced meanwhile" : strerror(kept));
}

/*
 * Remove the temporary file and the directories created for the copy, and end the copy; the
 * final name is never touched.
 */
static void
discard(struct fcopy_deliver *d)
{
	if (d->dirfd >= 0 && d->tmp[0] != '\0' && unlinkat(d->dirfd, d->tmp, 0) < 0 &&
	    errno != ENOENT)
		FCOPY_LOG(WARNING, "%s/%s: cannot remove the temporary file: %s", d->dir, d->tmp,
			  strerror(errno));
	d->tmp[0] = '\0';
	undo_dirs(d);
	end_copy(d);
}

/* fcopy_deliver_abandon() for the copy in progress only, without waiting for the flusher. */
static void
abandon_copy(struct fcopy_deliver *d, const char *why)
{
	if (!d->active)
		return;
	/* The host was told the copy succeeded: keep the promise. */
	if (d->pending) {
		fcopy_deliver_finish(d);
		return;
	}
	/* DEBUG: the transfer's record says it once (fcopy_proto_abandon()). */
	FCOPY_LOG(DEBUG, "%s: copy abandoned after %" PRIu64 " of %" PRIu64 " bytes: %s; "
		  "temporary file removed", d->target, d->written, d->size, why);
	discard(d);
}

void
fcopy_deliver_drain(struct fcopy_deliver *d)
{
	async_drain(d);
}

void
fcopy_deliver_abandon(struct fcopy_deliver *d, const char *why)
{
	abandon_copy(d, why);
	/* Whatever stops or fails a channel: the copies already answered are published. */
	async_drain(d);
}

bool
fcopy_deliver_is_tmp_name(const char *name)
{
	size_t n = strlen(name), tag = sizeof(FCOPY_TMP_TAG) - 1;

	/* ".", at least one character of the name, the tag, the random part. */
	if (n < 2 + tag + FCOPY_TMP_RANDOM || name[0] != '.')
		return false;
	return memcmp(name + n - FCOPY_TMP_RANDOM - tag, FCOPY_TMP_TAG, tag) == 0;
}

/* ".<name>.hvfcopy-XXXXXX", the name cut on a UTF-8 character boundary to fit NAME_MAX. */
static void
make_tmp_name(const char *name, char *out, size_t len)
{
	static const char alphabet[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	char rnd[FCOPY_TMP_RANDOM + 1];
	size_t keep = strlen(name);
	unsigned int i;

	if (keep > TMP_NAME_KEEP) {
		keep = TMP_NAME_KEEP;
		while (keep > 0 && ((unsigned char)name[keep] & 0xc0) == 0x80)
			keep--;
	}
	for (i = 0; i < FCOPY_TMP_RANDOM; i++)
		rnd[i] = alphabet[rte_rand_max(sizeof(alphabet) - 1)];
	rnd[FCOPY_TMP_RANDOM] = '\0';
	snprintf(out, len, ".%.*s%s%s", (int)keep, name, FCOPY_TMP_TAG, rnd);
}

/* The longest allowed root holding @p dir (its index, -1: none), and where @p dir lies below. */
static int
find_root(const struct fcopy_policy *pol, const char *dir, const char **rel)
{
	const char *r;
	unsigned int i;
	int best = -1;

	for (i = 0; i < pol->nb_roots; i++) {
		r = fcopy_path_beneath(dir, pol->roots[i]);
		if (r != NULL && (best < 0 || strlen(pol->roots[i]) > strlen(pol->roots[best]))) {
			best = (int)i;
			*rel = r;
		}
	}
	return best;
}

/*
 * Open the directory d->dir beneath its allowed root into d->dirfd. On failure, @p shown
 * receives the directory that failed, as an absolute path.
 * @return 0, -EACCES with @p outside set (beneath no allowed root), or the resolution's
 *         negative errno.
 */
static int
resolve_dir(struct fcopy_deliver *d, bool create, bool *outside, char *shown, size_t len)
{
	const struct fcopy_policy *pol = d->pol;
	struct fcopy_resolve r = {
		.create = create,
		.sync = pol->fsync,
		.dir_mode = pol->dir_mode,
		.owner = pol->owner,
		.group = pol->group,
	};
	const char *root, *rel = NULL;
	char failed[PATH_MAX];
	int i, rootfd, ret;

	close_dir(d);
	i = find_root(pol, d->dir, &rel);
	*outside = i < 0;
	if (i < 0) {
		snprintf(shown, len, "%s", d->dir);
		return -EACCES;
	}
	root = pol->roots[i];
	/*
	 * The usual case, an existing directory below the root, in one lookup of the path as
	 * it is now: without links it cannot leave the root, however the root was replaced or
	 * moved. A link, a missing directory or any failure takes the way below, which says
	 * what failed.
	 */
	if (rel[0] != '\0') {
		ret = fcopy_resolve_dir_plain(d->dir);
		if (ret >= 0) {
			d->dirfd = ret;
			d->dirfd_root = false;
			d->undo.n = 0;
			return 0;
		}
	}
	/* Kept open between copies, and checked to be still what the path names. */
	rootfd = fcopy_resolve_root(&d->roots[i], root);
	if (rootfd < 0) {
		snprintf(shown, len, "allowed root %s", root);
		return rootfd;
	}
	r.beneath = strcmp(root, "/") != 0;
	ret = fcopy_resolve_dir(&r, rootfd, rel, &d->dirfd, failed, sizeof(failed),
				create ? &d->undo : NULL);
	if (ret < 0) {
		snprintf(shown, len, "%s%s%s", root, r.beneath ? "/" : "", failed);
		return ret;
	}
	d->dirfd_root = ret == 1;
	return 0;
}

/* resolve_dir() for START: every failure is refused with its reason. */
static uint32_t
open_dir(struct fcopy_deliver *d, bool create)
{
	char shown[PATH_MAX + 32];
	bool outside;
	int ret;

	/*
	 * A directory is created only once the queued copies have their names: one of them may
	 * be a file where this path needs a directory, and it was answered first.
	 */
	if (create && async_queued(d)) {
		if (resolve_dir(d, false, &outside, shown, sizeof(shown)) == 0)
			return RTE_HVDEV_IC_S_OK;
		async_drain(d);
	}
	ret = resolve_dir(d, create, &outside, shown, sizeof(shown));
	if (ret == 0)
		return RTE_HVDEV_IC_S_OK;
	if (outside)
		return refuse(d, RTE_HVDEV_IC_ACCESS_DENIED, "%s is outside the allowed roots",
			      d->dir);
	if (ret == -ENOENT && !create)
		return refuse(d, RTE_HVDEV_IC_PATH_NOT_FOUND, "directory %s does not exist and "
			      "the host did not ask to create it (CREATE_PATH, -CreateFullPath)",
			      shown);
	if (ret == -ENOTDIR)
		return refuse(d, RTE_HVDEV_IC_PATH_NOT_FOUND, "%s is not a directory", shown);
	return refuse_errno(d, -ret, shown);
}

/* Fail now rather than after gigabytes: the announced size must fit, and is reserved. */
static uint32_t
reserve(struct fcopy_deliver *d)
{
	struct statvfs vfs;
	uint64_t avail;

	if (d->size < RESERVE_MIN)
		return RTE_HVDEV_IC_S_OK;
	if (fstatvfs(d->fd, &vfs) == 0) {
		avail = (uint64_t)vfs.f_bavail * vfs.f_frsize;
		if (d->size > avail)
			return refuse(d, RTE_HVDEV_IC_DISK_FULL, "%" PRIu64 " bytes announced, %"
				      PRIu64 " available in %s", d->size, avail, d->dir);
	}
	/* Blocks only (the size grows with the data), and only where the file system can. */
	if (fallocate(d->fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)d->size) < 0 &&
	    errno != EOPNOTSUPP && errno != ENOSYS)
		return refuse_errno(d, errno, "reserving the announced size");
	return RTE_HVDEV_IC_S_OK;
}

/* The full path of the temporary name d->tmp, written to the crash record. */
static void
record_tmp(struct fcopy_deliver *d)
{
	char path[PATH_MAX + NAME_MAX + 2];
	int ret;

	if (d->state == NULL)
		return;
	snprintf(path, sizeof(path), "%s%s%s", d->dir, strcmp(d->dir, "/") ? "/" : "", d->tmp);
	ret = fcopy_state_record(d->state, path);
	d->recorded = true;
	if (ret < 0)
		FCOPY_LOG(WARNING, "cannot record %s in %s (%s): a crash would leave it behind",
			  path, d->state->file, strerror(-ret));
}

/* The fallback: ".<name>.hvfcopy-XXXXXX", recorded before it exists. */
static uint32_t
create_named(struct fcopy_deliver *d)
{
	int i;

	for (i = 0; i < TMP_CREATE_TRIES; i++) {
		make_tmp_name(d->name, d->tmp, sizeof(d->tmp));
		/* Recorded first: a crash after the create still finds the file. */
		record_tmp(d);
		d->fd = openat(d->dirfd, d->tmp,
			       O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			       d->pol->file_mode);
		if (d->fd >= 0)
			return RTE_HVDEV_IC_S_OK;
		if (errno != EEXIST) {
			d->tmp[0] = '\0';
			return refuse_errno(d, errno, "creating the temporary file");
		}
	}
	d->tmp[0] = '\0';
	return refuse(d, RTE_HVDEV_IC_E_FAIL, "no free temporary file name");
}

static uint32_t
create_tmp(struct fcopy_deliver *d)
{
	const struct fcopy_policy *pol = d->pol;
	uint32_t hr;
	int ret;

	d->unnamed = false;
	if (!d->force_named) {
		/*
		 * Unnamed until COMPLETE links it in: a crash leaves nothing to clean up. Without
		 * O_EXCL, so that it can be linked. EISDIR: a kernel without O_TMPFILE;
		 * EOPNOTSUPP: a file system without it. Both fall back to a named file.
		 */
		d->fd = openat(d->dirfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, pol->file_mode);
		if (d->fd >= 0)
			d->unnamed = true;
		else if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
			return refuse_errno(d, errno, "creating the file");
	}
	if (!d->unnamed) {
		hr = create_named(d);
		if (hr != RTE_HVDEV_IC_S_OK)
			return hr;
	}
	crash_point(d, "created");
	/*
	 * The mode came with the create; a chmod only when the umask the service started with
	 * clears some of its bits. A default ACL on the directory may narrow it further, as for
	 * any program: a chmod would widen what that ACL allows.
	 */
	if ((pol->file_mode & d->umask) != 0 && fchmod(d->fd, pol->file_mode) < 0)
		return refuse_errno(d, errno, "setting the file mode");
	if ((pol->owner != (uid_t)-1 || pol->group != (gid_t)-1) &&
	    fchown(d->fd, pol->owner, pol->group) < 0)
		return refuse_errno(d, errno, "setting the owner");
	/* Marked as this service's while the strict profile is on: it replaces only such files. */
	if (pol->strict) {
		ret = fcopy_strict_mark(d->fd);
		if (ret < 0)
			FCOPY_LOG(WARNING, "%s: cannot set %s (%s): the strict profile will not "
				  "replace this file", d->target, FCOPY_MARK_XATTR, strerror(-ret));
	}
	return reserve(d);
}

/* @p name as the name of the file to create. */
static uint32_t
check_name(struct fcopy_deliver *d, const char *name, const char *what)
{
	int ret = fcopy_name_check(name);

	if (ret == -ENAMETOOLONG)
		return refuse(d, RTE_HVDEV_IC_NAME_TOO_LONG, "%s longer than %d bytes", what,
			      NAME_MAX);
	if (ret < 0)
		return refuse(d, RTE_HVDEV_IC_INVALIDARG, "invalid %s '%s' (empty, '.', '..' or "
			      "containing '/')", what, name);
	return RTE_HVDEV_IC_S_OK;
}

/* d->target from d->dir and @p name, which becomes d->name. */
static uint32_t
set_target(struct fcopy_deliver *d, const char *name, const char *what)
{
	uint32_t hr = check_name(d, name, what);

	if (hr != RTE_HVDEV_IC_S_OK)
		return hr;
	snprintf(d->name, sizeof(d->name), "%s", name);
	if ((size_t)snprintf(d->target, sizeof(d->target), "%s%s%s", d->dir,
			     strcmp(d->dir, "/") ? "/" : "", name) >= sizeof(d->target))
		return refuse(d, RTE_HVDEV_IC_NAME_TOO_LONG, "path and name longer than %d "
			      "bytes", PATH_MAX - 1);
	return RTE_HVDEV_IC_S_OK;
}

static uint32_t check_strict(struct fcopy_deliver *d, bool opened);

/* @return true when the normalized @p path is one of the allowed roots. */
static bool
is_root(const struct fcopy_policy *pol, const char *path)
{
	const char *rel = NULL;

	return find_root(pol, path, &rel) >= 0 && rel[0] == '\0';
}

/*
 * The usual case of a path that is not a known directory, in one lookup: open its parent and
 * look at its last component there. Missing (the path names a new file), a regular file (it
 * names that file) or a real directory (the file goes into it, opened from the parent without
 * following a link) is settled here. @return 1 when settled, with @p hr the answer so far;
 * 0 when the general way must decide (the parent does not resolve, the last component is a
 * link or unreadable, the name is not valid): d->dir is @p norm again, nothing is open.
 */
static int
target_in_parent(struct fcopy_deliver *d, const char *norm, const char *name, uint32_t *hr)
{
	const char *base = strrchr(norm, '/') + 1;
	char shown[PATH_MAX + 32];
	struct stat st;
	bool outside;
	int fd;

	if (fcopy_name_check(base) < 0)
		return 0;
	d->dir[base - 1 == norm ? 1 : base - 1 - norm] = '\0';
	if (resolve_dir(d, false, &outside, shown, sizeof(shown)) < 0)
		goto general;
	if (fstatat(d->dirfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno != ENOENT)
			goto general;
		/* Not there: the path names the file, and check_target() has its answer. */
		d->tgt_known = true;
		d->tgt_err = ENOENT;
		*hr = set_target(d, base, "destination file name");
		FCOPY_LOG(DEBUG, "%s: not an existing directory, so it names the file (the host's "
			  "file name '%s' is not used)", d->target, name);
		if (*hr == RTE_HVDEV_IC_S_OK)
			*hr = check_strict(d, false);
		return 1;
	}
	if (S_ISLNK(st.st_mode))
		goto general;	/* followed only as openat2() allows: the general way */
	if (S_ISDIR(st.st_mode)) {
		/* A directory, not a link: open that very name, refusing a link swapped in. */
		fd = openat(d->dirfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			goto general;
		close_dir(d);
		d->dirfd = fd;
		snprintf(d->dir, sizeof(d->dir), "%s", norm);
		*hr = set_target(d, name, "file name");
		if (*hr == RTE_HVDEV_IC_S_OK)
			*hr = check_strict(d, false);
		return 1;
	}
	/* An existing file of that name: the path names it; check_target() decides. */
	d->tgt_known = true;
	d->tgt_err = 0;
	d->tgt_st = st;
	*hr = set_target(d, base, "destination file name");
	if (*hr == RTE_HVDEV_IC_S_OK)
		*hr = check_strict(d, false);
	return 1;
general:
	close_dir(d);
	snprintf(d->dir, sizeof(d->dir), "%s", norm);
	return 0;
}

/*
 * Hyper-V's rule for DestinationPath (path_name), which Windows guests follow: a path ending
 * in '/' or naming an existing directory (under the policy) gets the source's name
 * (file_name) appended; any other path is the file itself, and file_name is only logged.
 * With destination = directory, path_name is always the directory (hv_fcopy_uio_daemon).
 * On success d->dirfd is the target's directory and d->name the name in it.
 */
static uint32_t
resolve_target(struct fcopy_deliver *d, const char *path, const char *name, bool create)
{
	char norm[PATH_MAX], shown[PATH_MAX + 32];
	const char *slash;
	bool outside;
	uint32_t hr;
	int ret;

	ret = fcopy_path_normalize(path, norm, sizeof(norm));
	if (ret == -ENAMETOOLONG)
		return refuse(d, RTE_HVDEV_IC_NAME_TOO_LONG, "path too long");
	if (ret < 0)
		return refuse(d, RTE_HVDEV_IC_INVALIDARG, "invalid path '%s' (must be absolute, "
			      "without '..')", path);
	snprintf(d->dir, sizeof(d->dir), "%s", norm);
	if (d->pol->dest_always_dir || fcopy_path_names_dir(path)) {
		hr = set_target(d, name, "file name");
		if (hr == RTE_HVDEV_IC_S_OK)
			hr = check_strict(d, false);
		return hr != RTE_HVDEV_IC_S_OK ? hr : open_dir(d, create);
	}
	if (!is_root(d->pol, norm) && target_in_parent(d, norm, name, &hr) == 1)
		return hr;
	/* An existing directory, resolved once: that descriptor is where the file goes. */
	ret = resolve_dir(d, false, &outside, shown, sizeof(shown));
	if (ret == 0) {
		hr = set_target(d, name, "file name");
		return hr != RTE_HVDEV_IC_S_OK ? hr : check_strict(d, false);
	}
	if (outside)
		return refuse(d, RTE_HVDEV_IC_ACCESS_DENIED, "%s is outside the allowed roots",
			      d->dir);
	/* A link leading out is refused, not taken as a file name to replace. */
	if ((ret != -ENOENT && ret != -ENOTDIR) || is_root(d->pol, norm))
		return refuse_errno(d, -ret, shown);
	/* The path names the file: its parent is the directory (created with CREATE_PATH). */
	slash = strrchr(norm, '/');
	d->dir[slash == norm ? 1 : slash - norm] = '\0';
	hr = set_target(d, slash + 1, "destination file name");
	if (hr != RTE_HVDEV_IC_S_OK)
		return hr;
	/* The ordinary case of a copy to a file path: not worth a line per file at INFO. */
	FCOPY_LOG(DEBUG, "%s: not an existing directory, so it names the file (the host's file "
		  "name '%s' is not used)", d->target, name);
	hr = check_strict(d, false);
	return hr != RTE_HVDEV_IC_S_OK ? hr : open_dir(d, create);
}

/* An existing target is an error unless OVER_WRITE, and a directory is never replaced. */
static uint32_t
check_target(struct fcopy_deliver *d)
{
	struct stat st;
	int err = 0;

	/* Looked at already when the destination rule was applied (target_in_parent()). */
	if (d->tgt_known) {
		err = d->tgt_err;
		st = d->tgt_st;
	} else if (fstatat(d->dirfd, d->name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		err = errno;
	}
	if (err != 0) {
		if (err == ENOENT)
			return RTE_HVDEV_IC_S_OK;
		return refuse_errno(d, err, "checking the target");
	}
	if (S_ISDIR(st.st_mode))
		return refuse(d, RTE_HVDEV_IC_ACCESS_DENIED, "a directory of that name exists");
	if (!(d->flags & RTE_HVDEV_FCOPY_OVERWRITE))
		return refuse(d, RTE_HVDEV_IC_ALREADY_EXISTS, "the file exists and the host did "
			      "not ask to overwrite it (OVER_WRITE, -Force)");
	return RTE_HVDEV_IC_S_OK;
}

/* The strict profile (fcopy_strict.h): before the directory is opened, or after (@p opened). */
static uint32_t
check_strict(struct fcopy_deliver *d, bool opened)
{
	char why[PATH_MAX + 128];
	int ret;

	if (!d->pol->strict)
		return RTE_HVDEV_IC_S_OK;
	if (opened)
		ret = fcopy_strict_check_open(d->dirfd, d->name,
					      (d->flags & RTE_HVDEV_FCOPY_OVERWRITE) != 0, why,
					      sizeof(why));
	else
		ret = fcopy_strict_check_request(d->dir, d->name, why, sizeof(why));
	if (ret == 0)
		return RTE_HVDEV_IC_S_OK;
	if (ret != -EACCES)
		return refuse_errno(d, -ret, "checking the target for the strict profile");
	return refuse(d, RTE_HVDEV_IC_ACCESS_DENIED, "%s", why);
}

uint32_t
fcopy_deliver_start(struct fcopy_deliver *d, const char *path, const char *name,
		    uint32_t flags, uint64_t size)
{
	uint32_t hr;

	abandon_copy(d, "a new START arrived before COMPLETE");
	d->tmp[0] = '\0';
	d->reason[0] = '\0';
	d->tgt_known = false;
	d->flags = flags;
	d->size = size;
	d->written = 0;
	memset(&d->cover, 0, sizeof(d->cover));
	/* Raw until resolved: messages show what the host asked for. */
	snprintf(d->target, sizeof(d->target), "%s (file name '%s')", path, name);
	if (size > (uint64_t)INT64_MAX)
		return refuse(d, RTE_HVDEV_IC_INVALIDARG, "announced size %" PRIu64 " is too "
			      "large", size);
	hr = resolve_target(d, path, name, (flags & RTE_HVDEV_FCOPY_CREATE_PATH) != 0);
	/* Durability async: a queued copy of that name was answered first, it comes first. */
	if (hr == RTE_HVDEV_IC_S_OK && async_has_name(d, d->name)) {
		async_drain(d);
		d->tgt_known = false;
	}
	if (hr == RTE_HVDEV_IC_S_OK)
		hr = check_target(d);
	if (hr == RTE_HVDEV_IC_S_OK)
		hr = check_strict(d, true);
	if (hr == RTE_HVDEV_IC_S_OK)
		hr = create_tmp(d);
	if (hr != RTE_HVDEV_IC_S_OK) {
		discard(d);
		return hr;
	}
	d->active = true;
	FCOPY_LOG(DEBUG, "%s: receiving %" PRIu64 " bytes into %s", d->target, size, d->tmp);
	return RTE_HVDEV_IC_S_OK;
}

int
fcopy_cover_add(struct fcopy_cover *c, uint64_t start, uint64_t end)
{
	const size_t one = sizeof(c->r[0]);
	unsigned int i, j;

	if (start <= c->prefix) {
		/* In order (the usual case): the prefix grows, and takes the ranges it reaches. */
		c->prefix = RTE_MAX(c->prefix, end);
		for (i = 0; i < c->n && c->r[i].start <= c->prefix; i++)
			c->prefix = RTE_MAX(c->prefix, c->r[i].end);
		if (i > 0) {
			memmove(&c->r[0], &c->r[i], (c->n - i) * one);
			c->n -= i;
		}
		return 0;
	}
	/* r[i] is the first range that touches [start, end) or lies after it. */
	for (i = 0; i < c->n && c->r[i].end < start; i++)
		;
	/* r[i, j) touch [start, end) (overlap or adjacent): they become one range. */
	for (j = i; j < c->n && c->r[j].start <= end; j++) {
		start = RTE_MIN(start, c->r[j].start);
		end = RTE_MAX(end, c->r[j].end);
	}
	if (j == i) {
		if (c->n == FCOPY_COVER_MAX)
			return -ENOSPC;
		memmove(&c->r[i + 1], &c->r[i], (c->n - i) * one);
		c->n++;
	} else if (j > i + 1) {
		memmove(&c->r[i + 1], &c->r[j], (c->n - j) * one);
		c->n -= j - i - 1;
	}
	c->r[i].start = start;
	c->r[i].end = end;
	return 0;
}

bool
fcopy_cover_full(const struct fcopy_cover *c, uint64_t size)
{
	return c->prefix >= size;
}

uint32_t
fcopy_deliver_write(struct fcopy_deliver *d, uint64_t offset, const void *data, uint32_t len)
{
	const uint8_t *p = data;
	uint32_t done = 0, hr;
	ssize_t n;

	if (!d->active)
		return RTE_HVDEV_IC_E_FAIL;
	/*
	 * Inside the announced size, or refused at once: bytes past it would make a file
	 * larger than the free-space check allowed (one WRITE at 2^40 makes a 1 TiB sparse
	 * file). Written so that offset + len cannot overflow.
	 */
	if (offset > d->size || len > d->size - offset) {
		hr = refuse(d, RTE_HVDEV_IC_INVALIDARG, "WRITE of %" PRIu32 " bytes at offset %"
			    PRIu64 " runs past the announced size of %" PRIu64 " bytes", len,
			    offset, d->size);
		discard(d);
		return hr;
	}
	if (len > 0 && fcopy_cover_add(&d->cover, offset, offset + len) < 0) {
		hr = refuse(d, RTE_HVDEV_IC_INVALIDARG, "WRITE at offset %" PRIu64 " leaves more "
			    "than %d separate ranges of out-of-order data", offset,
			    FCOPY_COVER_MAX);
		discard(d);
		return hr;
	}
	while (done < len) {
		n = pwrite(d->fd, p + done, len - done, (off_t)(offset + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			hr = refuse_errno(d, n < 0 ? errno : EIO, "writing");
			discard(d);
			return hr;
		}
		done += (uint32_t)n;
	}
	d->written += len;
	return RTE_HVDEV_IC_S_OK;
}

/* Rename without replacing: RENAME_NOREPLACE, else an exclusive hard link. */
static int
publish_noreplace(struct fcopy_deliver *d)
{
	struct stat st;

	if (renameat2(d->dirfd, d->tmp, d->dirfd, d->name, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -errno;
	/* The file system cannot do RENAME_NOREPLACE: link() refuses an existing name too. */
	if (linkat(d->dirfd, d->tmp, d->dirfd, d->name, 0) == 0) {
		unlinkat(d->dirfd, d->tmp, 0);
		return 0;
	}
	if (errno != EPERM && errno != EOPNOTSUPP)
		return -errno;
	/* No hard links either (vfat): check, then rename; the window is this one call. */
	if (fstatat(d->dirfd, d->name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return -EEXIST;
	return renameat(d->dirfd, d->tmp, d->dirfd, d->name) == 0 ? 0 : -errno;
}

/* Give the unnamed file @p fd the name @p name in @p dirfd; never replaces a file. */
static int
link_fd(int fd, int dirfd, const char *name)
{
	char proc[32];
	int ret;

	/* The descriptor itself when the kernel allows it: no path walk through /proc. */
	if (__atomic_load_n(&empty_path_links, __ATOMIC_RELAXED) != 0) {
		if (linkat(fd, "", dirfd, name, AT_EMPTY_PATH) == 0) {
			__atomic_store_n(&empty_path_links, 1, __ATOMIC_RELAXED);
			return 0;
		}
		if (errno != ENOENT && errno != EPERM)
			return -errno;
	}
	/* Through /proc: needs no capability. */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	ret = linkat(AT_FDCWD, proc, dirfd, name, AT_SYMLINK_FOLLOW) == 0 ? 0 : -errno;
	/* Settled only by a link that /proc made: ENOENT may have meant a removed directory. */
	if (ret == 0)
		__atomic_compare_exchange_n(&empty_path_links, &(int){ -1 }, 0, false,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
	return ret;
}

static int
link_unnamed(struct fcopy_deliver *d, const char *name)
{
	return link_fd(d->fd, d->dirfd, name);
}

/*
 * OVER_WRITE of an unnamed file: a hidden temporary name first (recorded, for a crash before
 * the rename), then one rename over the target, so that the old file is replaced atomically.
 */
static int
replace_unnamed(struct fcopy_deliver *d)
{
	int i, ret = -EEXIST;

	for (i = 0; i < TMP_CREATE_TRIES && ret == -EEXIST; i++) {
		make_tmp_name(d->name, d->tmp, sizeof(d->tmp));
		record_tmp(d);
		ret = link_unnamed(d, d->tmp);
	}
	if (ret < 0) {
		d->tmp[0] = '\0';
		return ret;
	}
	crash_point(d, "linked");
	return renameat(d->dirfd, d->tmp, d->dirfd, d->name) == 0 ? 0 : -errno;
}

/*
 * Durability async, in batches. COMPLETE is answered at once; the copy (an unnamed file, not
 * replacing one) then goes to a queue that a flusher thread publishes in batches: one
 * syncfs() per file system for the whole batch (everything queued when it starts, so that the
 * queue grows into the next batch while a flush runs), then a link per file, then one fsync()
 * per directory. A file is linked only after the flush that covered its data succeeded; a
 * crash at any point leaves the queued files unnamed, so they vanish. An OVER_WRITE copy or
 * one on the named fallback is published by the service itself, after the queue, as before.
 *
 * syncfs() reports write-back errors only since Linux 5.8 (vfs: track per-sb writeback errors
 * and report them to syncfs, 735e4ae5ba28): before it, and for a batch whose syncfs() failed,
 * each file is flushed with its own fsync(), which reports its own errors.
 */

static inline void
async_crash_point(const struct fcopy_async *q, const char *step)
{
	if (unlikely(q->crash_at != NULL) && strcmp(q->crash_at, step) == 0)
		raise(SIGKILL);
}

/* @return true when syncfs() reports write-back errors: Linux 5.8 or later. */
static bool
syncfs_reports_errors(void)
{
	struct utsname u;
	unsigned int major = 0, minor = 0;

	if (uname(&u) < 0 || sscanf(u.release, "%u.%u", &major, &minor) != 2)
		return false;
	return major > 5 || (major == 5 && minor >= 8);
}

/* Flush the data of the @p n entries from @p first, one syncfs() per file system. */
static void
async_flush_data(struct fcopy_async *q, unsigned int first, unsigned int n)
{
	struct fcopy_async_entry *e, *o;
	unsigned int i, j;
	bool seen;

	for (i = 0; i < n; i++) {
		e = &q->e[(first + i) % ASYNC_QUEUE_MAX];
		if (e->err != 0)
			continue;
		if (q->per_file) {
			if (fsync(e->fd) < 0)
				e->err = errno;
			continue;
		}
		seen = false;
		for (j = 0; j < i && !seen; j++) {
			o = &q->e[(first + j) % ASYNC_QUEUE_MAX];
			seen = o->dev == e->dev && o->err == 0;
		}
		if (seen)
			continue;
		/*
		 * The oldest file of the batch on that file system: its descriptor was opened
		 * before any of their data was written, so that syncfs() reports any write-back
		 * error since then.
		 */
		if (syncfs(e->fd) == 0)
			continue;
		/* Which files, then: each one's own fsync() says. */
		for (j = i; j < n; j++) {
			o = &q->e[(first + j) % ASYNC_QUEUE_MAX];
			if (o->err == 0 && o->dev == e->dev && fsync(o->fd) < 0)
				o->err = errno;
		}
	}
}

/* Publish the batch of the @p n entries from @p first, and close them. */
static void
async_publish(struct fcopy_async *q, unsigned int first, unsigned int n)
{
	struct fcopy_async_entry *e, *o;
	struct stat st;
	unsigned int i, j, linked = 0;
	bool seen;
	int ret;

	for (i = 0; i < n; i++) {
		e = &q->e[(first + i) % ASYNC_QUEUE_MAX];
		e->err = 0;
		if (fstat(e->dirfd, &st) < 0) {
			e->err = errno;
			continue;
		}
		e->dev = st.st_dev;
		e->dir_ino = st.st_ino;
	}
	async_flush_data(q, first, n);
	async_crash_point(q, "batch-flushed");
	for (i = 0; i < n; i++) {
		e = &q->e[(first + i) % ASYNC_QUEUE_MAX];
		if (e->err != 0)
			continue;
		ret = link_fd(e->fd, e->dirfd, e->name);
		if (ret < 0) {
			e->err = -ret;
			continue;
		}
		if (++linked == 1 && n > 1)
			async_crash_point(q, "batch-linked");
	}
	/* The names are durable once their directories are: each directory once. */
	for (i = 0; i < n; i++) {
		e = &q->e[(first + i) % ASYNC_QUEUE_MAX];
		seen = false;
		for (j = 0; j < i && !seen; j++) {
			o = &q->e[(first + j) % ASYNC_QUEUE_MAX];
			seen = o->err == 0 && o->dev == e->dev && o->dir_ino == e->dir_ino;
		}
		if (e->err == 0 && !seen && fsync(e->dirfd) < 0 && errno != EINVAL)
			FCOPY_LOG(WARNING, "%s: flushing the directory: %s", e->target,
				  strerror(errno));
		if (e->err != 0)
			FCOPY_LOG(ERR, "%s: COMPLETE was answered (durability async), but the file "
				  "could not be published: %s; the host believes it was copied",
				  e->target, e->err == EEXIST ? "the file appeared meanwhile" :
				  strerror(e->err));
		close(e->fd);
		close(e->dirfd);
	}
}

static void *
async_flusher(void *arg)
{
	struct fcopy_async *q = arg;
	unsigned int first, n;

	struct timespec until;

	pthread_mutex_lock(&q->lock);
	for (;;) {
		/* Idle: no timer at all, so that an idle service makes no wake-up. */
		while (!q->stop && !q->urgent && (q->n == 0 || q->n < q->hold)) {
			q->idle = true;
			pthread_cond_wait(&q->work, &q->lock);
			q->idle = false;
		}
		if (q->n == 0) {
			q->urgent = false;
			pthread_cond_broadcast(&q->done);
			if (q->stop)
				break;
			continue;
		}
		/* The group-commit window, from the first copy of the batch. */
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += ASYNC_WINDOW_NS;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		while (!q->stop && !q->urgent && q->hold == 0 && q->n < ASYNC_BATCH_FULL &&
		       pthread_cond_timedwait(&q->work, &q->lock, &until) == 0)
			;
		/* Everything queued now is one batch; what comes meanwhile is the next. */
		first = q->head;
		n = q->n;
		q->busy = n;
		pthread_mutex_unlock(&q->lock);
		async_publish(q, first, n);
		pthread_mutex_lock(&q->lock);
		q->head = (q->head + n) % ASYNC_QUEUE_MAX;
		q->n -= n;
		q->busy = 0;
		pthread_cond_broadcast(&q->done);
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

/* The queue and its thread, on first use. @return false when they cannot be had. */
static bool
async_ready(struct fcopy_deliver *d)
{
	pthread_condattr_t attr;
	struct fcopy_async *q;
	int ret;

	if (d->async != NULL)
		return true;
	if (d->async_failed)
		return false;
	q = calloc(1, sizeof(*q));
	if (q == NULL) {
		ret = ENOMEM;
		goto fail;
	}
	pthread_mutex_init(&q->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&q->work, &attr);
	pthread_condattr_destroy(&attr);
	pthread_cond_init(&q->done, NULL);
	q->per_file = !syncfs_reports_errors();
	q->crash_at = d->crash_at;
	q->hold = d->async_hold;
	ret = pthread_create(&q->thread, NULL, async_flusher, q);
	if (ret != 0) {
		free(q);
		goto fail;
	}
	pthread_setname_np(q->thread, "fcopy-flush");
	d->async = q;
	return true;
fail:
	d->async_failed = true;
	FCOPY_LOG(WARNING, "durability async: no flusher thread (%s); each copy is published "
		  "right after its answer instead", strerror(ret));
	return false;
}

/* Hand the answered copy to the flusher; the copy ends here. Waits while the queue is full. */
static void
async_queue(struct fcopy_deliver *d)
{
	struct fcopy_async *q = d->async;
	struct fcopy_async_entry *e;

	pthread_mutex_lock(&q->lock);
	while (q->n == ASYNC_QUEUE_MAX) {
		q->urgent = true;
		pthread_cond_signal(&q->work);
		pthread_cond_wait(&q->done, &q->lock);
	}
	e = &q->e[(q->head + q->n) % ASYNC_QUEUE_MAX];
	e->fd = d->fd;
	e->dirfd = d->dirfd;
	snprintf(e->name, sizeof(e->name), "%s", d->name);
	snprintf(e->target, sizeof(e->target), "%s", d->target);
	q->n++;
	/*
	 * An idle flusher is woken; one in its window only once the batch is full; one
	 * flushing takes this copy with its next batch.
	 */
	if (q->idle || (q->busy == 0 && q->n == ASYNC_BATCH_FULL) ||
	    (q->hold > 0 && q->n >= q->hold))
		pthread_cond_signal(&q->work);
	pthread_mutex_unlock(&q->lock);
	d->fd = -1;
	d->dirfd = -1;
	d->dirfd_root = false;
	d->undo.n = 0;	/* answered S_OK: the directories stay */
	end_copy(d);
}

/* Wait until every queued copy is published (or failed). */
static void
async_drain(struct fcopy_deliver *d)
{
	struct fcopy_async *q = d->async;

	if (q == NULL)
		return;
	pthread_mutex_lock(&q->lock);
	while (q->n > 0) {
		q->urgent = true;
		pthread_cond_signal(&q->work);
		pthread_cond_wait(&q->done, &q->lock);
	}
	q->urgent = false;
	pthread_mutex_unlock(&q->lock);
}

/* @return true when a queued copy is to be named @p name (in any directory). */
static bool
async_has_name(struct fcopy_deliver *d, const char *name)
{
	struct fcopy_async *q = d->async;
	unsigned int i;
	bool found = false;

	if (q == NULL)
		return false;
	pthread_mutex_lock(&q->lock);
	for (i = 0; i < q->n && !found; i++)
		found = strcmp(q->e[(q->head + i) % ASYNC_QUEUE_MAX].name, name) == 0;
	pthread_mutex_unlock(&q->lock);
	return found;
}

static bool
async_queued(struct fcopy_deliver *d)
{
	struct fcopy_async *q = d->async;
	bool any;

	if (q == NULL)
		return false;
	pthread_mutex_lock(&q->lock);
	any = q->n > 0;
	pthread_mutex_unlock(&q->lock);
	return any;
}

static void
async_stop(struct fcopy_deliver *d)
{
	struct fcopy_async *q = d->async;

	if (q == NULL)
		return;
	pthread_mutex_lock(&q->lock);
	q->stop = true;
	pthread_cond_signal(&q->work);
	pthread_mutex_unlock(&q->lock);
	pthread_join(q->thread, NULL);
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->work);
	pthread_cond_destroy(&q->done);
	free(q);
	d->async = NULL;
}

/*
 * Flush as the durability level says and give the file its final name; the copy ends.
 * Not async's early answer: that is fcopy_deliver_complete()'s.
 */
static uint32_t
publish(struct fcopy_deliver *d)
{
	bool flush = d->pol->durability != FCOPY_DURABLE_NONE;
	bool over = (d->flags & RTE_HVDEV_FCOPY_OVERWRITE) != 0;
	uint32_t hr;
	int ret;

	if (flush && fsync(d->fd) < 0) {
		hr = refuse_errno(d, errno, "flushing the data");
		discard(d);
		return hr;
	}
	crash_point(d, "flushed");
	if (d->unnamed)
		ret = over ? replace_unnamed(d) : link_unnamed(d, d->name);
	else if (over)
		ret = renameat(d->dirfd, d->tmp, d->dirfd, d->name) == 0 ? 0 : -errno;
	else
		ret = publish_noreplace(d);
	if (ret < 0) {
		hr = ret == -EEXIST ?
			refuse(d, RTE_HVDEV_IC_ALREADY_EXISTS, "the file appeared during the "
			       "copy and the host did not ask to overwrite it") :
			refuse_errno(d, -ret, d->unnamed && !over ? "linking into place" :
				     "renaming into place");
		discard(d);
		return hr;
	}
	d->tmp[0] = '\0';
	d->undo.n = 0;	/* the directories now hold the file: they stay */
	crash_point(d, "published");
	/* The new name is durable once its directory is. */
	if (flush && fsync(d->dirfd) < 0 && errno != EINVAL)
		FCOPY_LOG(WARNING, "%s: flushing the directory: %s", d->dir, strerror(errno));
	end_copy(d);
	return RTE_HVDEV_IC_S_OK;
}

uint32_t
fcopy_deliver_complete(struct fcopy_deliver *d)
{
	struct stat st;
	uint32_t hr;

	if (!d->active || d->pending)
		return RTE_HVDEV_IC_E_FAIL;
	/* Bytes are counted once however often they came: a repeat cannot hide a hole. */
	if (!fcopy_cover_full(&d->cover, d->size)) {
		hr = refuse(d, RTE_HVDEV_IC_E_FAIL, "the host announced %" PRIu64 " bytes but "
			    "the bytes from offset %" PRIu64 " on never all arrived (%" PRIu64
			    " bytes received); the copy is incomplete", d->size, d->cover.prefix,
			    d->written);
		discard(d);
		return hr;
	}
	/*
	 * Only a named file can have been changed by someone else. An unnamed one holds
	 * exactly [0, size): it was created empty, every WRITE lay inside, all arrived.
	 */
	if (!d->unnamed && fstat(d->fd, &st) < 0) {
		hr = refuse_errno(d, errno, "checking the file size");
		discard(d);
		return hr;
	}
	if (!d->unnamed && (uint64_t)st.st_size != d->size) {
		hr = refuse(d, RTE_HVDEV_IC_E_FAIL, "the file is %jd bytes, not the announced %"
			    PRIu64, (intmax_t)st.st_size, d->size);
		discard(d);
		return hr;
	}
	if (d->pol->durability == FCOPY_DURABLE_ASYNC) {
		/* Answered now; published by fcopy_deliver_finish() once the answer is out. */
		d->pending = true;
		return RTE_HVDEV_IC_S_OK;
	}
	return publish(d);
}

uint32_t
fcopy_deliver_finish(struct fcopy_deliver *d)
{
	uint32_t hr;
	int dirfd;

	if (!d->active || !d->pending)
		return RTE_HVDEV_IC_S_OK;
	d->pending = false;
	crash_point(d, "answered");
	/*
	 * A new unnamed file goes to the flusher's queue. The directory becomes the entry's
	 * own: an allowed root's descriptor stays the service's.
	 */
	if (d->unnamed && !(d->flags & RTE_HVDEV_FCOPY_OVERWRITE) && async_ready(d)) {
		dirfd = d->dirfd_root ? fcntl(d->dirfd, F_DUPFD_CLOEXEC, 0) : d->dirfd;
		if (dirfd >= 0) {
			d->dirfd = dirfd;
			d->dirfd_root = false;
			async_queue(d);
			return RTE_HVDEV_IC_S_OK;
		}
	}
	/* Replacing a file, or a named one: by the service, after what is queued. */
	async_drain(d);
	hr = publish(d);
	if (hr != RTE_HVDEV_IC_S_OK)
		FCOPY_LOG(ERR, "%s: COMPLETE was answered (durability async), but the file could "
			  "not be published; the host believes it was copied", d->target);
	return hr;
}

/* Split a recorded path into its directory and a temporary file name. */
static int
split_recorded(const char *path, char *dir, size_t dlen, const char **base)
{
	const char *slash = strrchr(path, '/');

	if (path[0] != '/' || slash == NULL || !fcopy_deliver_is_tmp_name(slash + 1))
		return -EINVAL;
	*base = slash + 1;
	if ((size_t)(slash - path) + 2 > dlen)
		return -ENAMETOOLONG;
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash == path ? 1 : slash - path] = '\0';
	if (slash == path)
		dir[0] = '/';
	return 0;
}

int
fcopy_deliver_recover(struct fcopy_deliver *d)
{
	char path[PATH_MAX + NAME_MAX + 2], dir[PATH_MAX], shown[PATH_MAX + 32];
	const char *base;
	bool outside;
	int ret;

	if (d->state == NULL)
		return 0;
	ret = fcopy_state_read(d->state, path, sizeof(path));
	if (ret <= 0) {
		if (ret < 0)
			FCOPY_LOG(WARNING, "%s: unreadable record ignored (%s)", d->state->file,
				  strerror(-ret));
		fcopy_state_clear(d->state);
		return ret;
	}
	ret = split_recorded(path, dir, sizeof(dir), &base);
	if (ret < 0) {
		FCOPY_LOG(WARNING, "%s: '%s' is not a temporary file of this service; ignored",
			  d->state->file, path);
		fcopy_state_clear(d->state);
		return 0;
	}
	snprintf(d->dir, sizeof(d->dir), "%s", dir);
	ret = resolve_dir(d, false, &outside, shown, sizeof(shown));
	if (ret < 0) {
		/* Gone with its directory, or no longer allowed: nothing to remove here. */
		FCOPY_LOG(WARNING, "leftover %s not removed: %s: %s", path, shown,
			  outside ? "not beneath an allowed root" : strerror(-ret));
		ret = 0;
	} else if (unlinkat(d->dirfd, base, 0) == 0) {
		FCOPY_LOG(NOTICE, "removed %s, left behind by an interrupted copy", path);
		ret = 1;
	} else if (errno != ENOENT) {
		ret = -errno;
		FCOPY_LOG(WARNING, "%s: cannot remove the leftover: %s", path, strerror(errno));
	}
	end_copy(d);
	return ret;
}
