/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef FCOPY_STATE_H
#define FCOPY_STATE_H

/*
 * The in-flight record: the path of the temporary file of the copy in progress, written
 * (and synced) before that file is created and cleared once it is renamed or removed. After a
 * crash or a power loss the next start reads it and removes the leftover, without scanning
 * any file system. The record is locked, so two services cannot share a state directory.
 */

#include <stdbool.h>
#include <stddef.h>

#define FCOPY_STATE_FILE "inflight"

struct fcopy_state {
	int fd;		/* the locked record file, -1 when closed */
	bool sync;	/* fdatasync each record */
	char file[4096];
};

/*
 * Create @p dir if needed (mode 0700), open and lock its record.
 * @return 0 or a negative errno with a message in @p err (-EWOULDBLOCK: in use).
 */
int fcopy_state_open(struct fcopy_state *s, const char *dir, bool sync, char *err,
		     size_t errlen);

/* @return 1 and the recorded path, 0 when nothing is recorded, or a negative errno. */
int fcopy_state_read(struct fcopy_state *s, char *path, size_t len);

/* Record @p path (replacing any record). @return 0 or a negative errno. */
int fcopy_state_record(struct fcopy_state *s, const char *path);

/* Forget the record. */
void fcopy_state_clear(struct fcopy_state *s);

void fcopy_state_close(struct fcopy_state *s);

#endif /* FCOPY_STATE_H */
