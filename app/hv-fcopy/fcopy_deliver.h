/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef FCOPY_DELIVER_H
#define FCOPY_DELIVER_H

/*
 * Atomic delivery of one copy at a time.
 *
 * START applies the destination rule (Hyper-V's: path_name ending in '/' or naming an existing
 * directory gets file_name appended, otherwise it is the file; or, with destination =
 * directory, path_name is always the directory), checks the names, resolves the target's
 * directory beneath an allowed root (fcopy_resolve.h), refuses an existing file unless
 * OVER_WRITE, and creates the file the data goes into with the policy's mode and owner:
 * - where the file system has O_TMPFILE, an unnamed file in the target directory. It has no
 *   name until COMPLETE links it in, so a crash leaves nothing behind: no crash record is
 *   written. OVER_WRITE links it to a hidden temporary name (recorded) and renames that over
 *   the target.
 * - elsewhere (chosen per copy, so per directory), ".<name>.hvfcopy-XXXXXX" next to the
 *   target, its path recorded first (fcopy_state.h) for the next start to remove.
 * Large files get their announced size checked and reserved. WRITE writes at the absolute
 * offset, inside [0, announced size) only, and records which bytes arrived. COMPLETE checks
 * that every byte of the announced size arrived, then flushes and publishes as the
 * durability level says (fcopy_policy.h): sync flushes the data, links or renames (never
 * replacing a file unless OVER_WRITE) and flushes the directory before answering; async
 * answers first and does the same afterwards (fcopy_deliver_finish()); none never flushes.
 * Anything else that ends a copy removes the temporary file: nothing ever appears under the
 * final name but a complete file, and a file being overwritten survives every failure. A copy
 * that fails also removes the directories its START created (CREATE_PATH), each only while
 * it is still the one created and empty.
 *
 * Every function returns the HRESULT for the host and logs a failure with the path and the
 * reason (kept in reason[] too).
 */

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "fcopy_policy.h"
#include "fcopy_resolve.h"
#include "fcopy_state.h"

/*
 * Test only: set (to anything) in the service's environment, every copy uses the named
 * temporary file, as on a file system without O_TMPFILE.
 */
#define FCOPY_TEST_NAMED_ENV "HVDEV_FCOPY_TEST_NAMED_TMP"
/*
 * Test only: set at fcopy_deliver_init(), unnamed files are linked through /proc/self/fd, as
 * without CAP_DAC_READ_SEARCH on a kernel before 6.10 (process-wide; unset, the next init
 * tries AT_EMPTY_PATH again).
 */
#define FCOPY_TEST_PROC_LINK_ENV "HVDEV_FCOPY_TEST_PROC_LINK"
/*
 * Test only: the service kills itself (SIGKILL) at this step of a copy: created (the file
 * for the data exists), flushed (COMPLETE: data flushed, nothing published), linked
 * (OVER_WRITE: under the hidden name, not yet renamed), published (under the final name,
 * directory not flushed), answered (async: COMPLETE answered, nothing published).
 */
#define FCOPY_TEST_CRASH_ENV "HVDEV_FCOPY_TEST_CRASH_AT"

/*
 * Test only: with durability async, the flusher waits until this many copies are queued (or
 * it is asked to drain) before it publishes them, so that a batch of that size forms.
 * With FCOPY_TEST_CRASH_ENV, two more steps: batch-flushed (the batch's data flushed, nothing
 * published) and batch-linked (the first file of a batch of two or more published).
 */
#define FCOPY_TEST_BATCH_ENV "HVDEV_FCOPY_TEST_ASYNC_BATCH"

/* Marks every temporary file: ".<name>" FCOPY_TMP_TAG "XXXXXX". */
#define FCOPY_TMP_TAG ".hvfcopy-"
#define FCOPY_TMP_RANDOM 6

/*
 * Most ranges of received bytes kept apart from the prefix [0, prefix): WRITEs that leave
 * holes behind them. Hyper-V sends the fragments of a file in order, so a real copy never
 * has one; the bound keeps a hostile host from growing the list without limit (such a WRITE
 * is refused, and the copy ends).
 */
#define FCOPY_COVER_MAX 64

/* Which bytes of [0, size) have been written, without counting any byte twice. */
struct fcopy_cover {
	uint64_t prefix;		/* every byte of [0, prefix) was written */
	unsigned int n;			/* ranges in r[] */
	struct {
		uint64_t start, end;	/* [start, end), start > prefix, sorted, apart */
	} r[FCOPY_COVER_MAX];
};

struct fcopy_async;

struct fcopy_deliver {
	const struct fcopy_policy *pol;
	struct fcopy_state *state;	/* NULL: no crash record */
	bool active;			/* a copy is in progress */
	bool unnamed;			/* the data is in an O_TMPFILE file */
	bool pending;			/* async: COMPLETE answered, not yet published */
	bool recorded;			/* the crash record names this copy's file */
	bool force_named;		/* test only: FCOPY_TEST_NAMED_ENV */
	mode_t umask;			/* the process's, at fcopy_deliver_init() */
	const char *crash_at;		/* test only: FCOPY_TEST_CRASH_ENV */
	int dirfd;
	bool dirfd_root;		/* dirfd is an allowed root's, kept in roots[] */
	int fd;
	uint32_t flags;			/* RTE_HVDEV_FCOPY_OVERWRITE, _CREATE_PATH */
	uint64_t size;			/* announced by START */
	uint64_t written;		/* bytes received in WRITEs, repeats included */
	struct fcopy_cover cover;	/* which bytes of [0, size) arrived */
	char dir[PATH_MAX];		/* normalized directory of the target */
	char name[NAME_MAX + 1];	/* the target's name in it */
	char tmp[NAME_MAX + 1];
	char target[PATH_MAX];		/* dir/name, for messages */
	char reason[PATH_MAX + 256];	/* why the last failure happened */
	struct fcopy_resolve_undo undo;	/* directories this copy created */
	bool tgt_known;			/* the target was looked at: tgt_err, tgt_st */
	int tgt_err;			/* 0: it exists (tgt_st), ENOENT: it does not */
	struct stat tgt_st;
	/* The allowed roots' descriptors, kept between copies (same index as pol->roots). */
	struct fcopy_resolve_root roots[FCOPY_MAX_ROOTS];
	struct fcopy_async *async;	/* durability async: the flusher and its queue */
	bool async_failed;		/* no flusher thread: publish after each answer */
	unsigned int async_hold;	/* test only: FCOPY_TEST_BATCH_ENV */
};

void fcopy_deliver_init(struct fcopy_deliver *d, const struct fcopy_policy *pol,
			struct fcopy_state *state);

/* Abandon the copy in progress (fcopy_deliver_abandon()) and close the roots kept open. */
void fcopy_deliver_fini(struct fcopy_deliver *d);

/*
 * Begin a copy of @p size bytes: @p path is the host's path_name, @p name its file_name (the
 * source's name), both UTF-8. A copy still in progress is abandoned first.
 */
uint32_t fcopy_deliver_start(struct fcopy_deliver *d, const char *path, const char *name,
			     uint32_t flags, uint64_t size);

/*
 * Write @p len bytes at @p offset; [offset, offset + len) must lie inside [0, size), or the
 * WRITE is refused with INVALIDARG. A failure ends the copy.
 */
uint32_t fcopy_deliver_write(struct fcopy_deliver *d, uint64_t offset, const void *data,
			     uint32_t len);

/*
 * Publish the file under its final name, when every byte of [0, size) was written and the
 * file is exactly size bytes long. Success or not, the copy ends.
 */
uint32_t fcopy_deliver_complete(struct fcopy_deliver *d);

/*
 * Durability async: the copy whose COMPLETE was answered goes on. A new unnamed file goes to
 * the flusher thread's queue, which publishes in batches (one flush of each file system per
 * batch, then the links, then one flush per directory); a named file or an OVER_WRITE is
 * published here, after the queue (flush the data, link or rename, flush the directory).
 * Called once the answer is sent; a no-op without one pending.
 */
uint32_t fcopy_deliver_finish(struct fcopy_deliver *d);

/* Durability async: wait until every queued copy is published (or failed, logged). */
void fcopy_deliver_drain(struct fcopy_deliver *d);

/* How the copy in progress receives its data, for the transfer record. */
const char *fcopy_deliver_via(const struct fcopy_deliver *d);

/*
 * End the copy in progress, if any, removing its temporary file; @p why is logged. A copy
 * whose COMPLETE was already answered (async) is published instead, and so is every copy
 * queued (fcopy_deliver_drain()).
 */
void fcopy_deliver_abandon(struct fcopy_deliver *d, const char *why);

/*
 * Remove the temporary file a crashed run recorded, if any. Only a file whose name carries
 * the temporary tag, in a directory beneath an allowed root, is removed.
 * @return 1 (removed), 0 (nothing to do) or a negative errno.
 */
int fcopy_deliver_recover(struct fcopy_deliver *d);

/*
 * Record that [start, end) was written (start < end). Sequential WRITEs only move the prefix.
 * @return 0, or -ENOSPC when the bytes would need one range more than FCOPY_COVER_MAX
 *         (nothing recorded).
 */
int fcopy_cover_add(struct fcopy_cover *c, uint64_t start, uint64_t end);

/* @return true when @p c holds every byte of [0, @p size). */
bool fcopy_cover_full(const struct fcopy_cover *c, uint64_t size);

/* @return true when @p name is one of this service's temporary file names. */
bool fcopy_deliver_is_tmp_name(const char *name);

#endif /* FCOPY_DELIVER_H */
