/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef KVP_POOL_H
#define KVP_POOL_H

/*
 * The KVP pool files, exactly as hv_kvp_daemon keeps them, so that every program that reads
 * or writes them (cloud-init, the Azure agent, scripts) keeps working:
 *
 * - <dir>/.kvp_pool_0 .. .kvp_pool_4 (dir /var/lib/hyperv, mode 0755; files mode 0644),
 *   one per pool, created empty when missing;
 * - no header: an array of 2560-byte records, key (512 bytes) then value (2048 bytes), both
 *   UTF-8 and NUL-terminated (the bytes after the NUL mean nothing; ours are zeros);
 * - every access holds a whole-file fcntl() lock (l_whence SEEK_SET, l_start 0, l_len 0):
 *   a read lock to read, a write lock to change, as the daemon's write lock excludes both;
 * - every operation starts from the file as it is now: a change made by another program is
 *   seen by the next operation.
 *
 * Differences from the daemon, each for robustness:
 * - The file is read again only when it changed (device, inode, size, mtime or ctime differ
 *   from the last read, or the last read was so soon after the file's last change (the
 *   later of mtime and ctime) that another change within the same timestamp tick could
 *   hide: two ticks of the coarse clock, or KVP_POOL_RACY_COARSE_NS for coarse times).
 * - A lock held by someone else is waited for at most lock_timeout_ms (-ETIMEDOUT), never
 *   for ever: the host gets an error instead of a hung service.
 * - A file larger than max_records records is reported and refused (-EFBIG), never loaded or
 *   truncated; a trailing partial record is reported and ignored (the daemon ignores it too);
 *   a record whose key or value has no NUL, is not UTF-8, or whose key would not fit the wire
 *   (more than 255 UTF-16 units) is reported, kept in the file as it is, and skipped: it is
 *   neither enumerated nor matched (the kernel would end the host's enumeration on it).
 * - An update is written in place under the write lock, then the file is cut to its new size,
 *   then (with sync) flushed: every program that takes the lock sees the old or the new
 *   content, never a mix. Not by rename: a program that opened the file before the rename and
 *   waits for the lock would then read, and write to, the replaced inode, and lose the update.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_hvdev_kvp.h>

/* Record layout of a pool file. */
#define KVP_POOL_KEY_BYTES	RTE_HVDEV_KVP_MAX_KEY_SIZE	/* 512 */
#define KVP_POOL_VALUE_BYTES	RTE_HVDEV_KVP_MAX_VALUE_SIZE	/* 2048 */
#define KVP_POOL_RECORD_BYTES	(KVP_POOL_KEY_BYTES + KVP_POOL_VALUE_BYTES)

#define KVP_POOL_COUNT		RTE_HVDEV_KVP_POOL_COUNT
#define KVP_POOL_DEFAULT_DIR	"/var/lib/hyperv"
/* Largest pool accepted by default: 8192 records, 20 MiB. */
#define KVP_POOL_DEFAULT_MAX_RECORDS 8192
/* Hard ceiling of max_records: 65536 records, 160 MiB. */
#define KVP_POOL_MAX_RECORDS_LIMIT 65536
#define KVP_POOL_DEFAULT_LOCK_TIMEOUT_MS 5000
/* How long a file with whole-millisecond times may change again unseen: FAT's 2 s, and more. */
#define KVP_POOL_RACY_COARSE_NS 3000000000LL

/* UTF-16 code units a key may have on the wire, NUL excluded. */
#define KVP_POOL_KEY_UNITS_MAX	(RTE_HVDEV_KVP_MAX_KEY_SIZE / 2 - 1)

struct kvp_pool_conf {
	const char *dir;		/* NULL: KVP_POOL_DEFAULT_DIR */
	unsigned int max_records;	/* 0: KVP_POOL_DEFAULT_MAX_RECORDS */
	unsigned int lock_timeout_ms;	/* 0: KVP_POOL_DEFAULT_LOCK_TIMEOUT_MS */
	bool sync;			/* fdatasync() after every update */
};

struct kvp_pools;

/*
 * Create the directory (0755) and the five files (0644) when missing, and check that each
 * can be opened. Nothing is read yet.
 * @return 0 and *out; -ENAMETOOLONG (dir too long), -EINVAL (bad conf), -ENOMEM, or the
 *         -errno of mkdir()/open() (logged with the path).
 */
int kvp_pools_open(struct kvp_pools **out, const struct kvp_pool_conf *conf);

void kvp_pools_close(struct kvp_pools *p);

/* The path of pool @p pool's file, or NULL for a pool out of range. */
const char *kvp_pool_path(const struct kvp_pools *p, unsigned int pool);

/*
 * Errors common to the operations below: -EINVAL (pool out of range, NULL, a key or value
 * that is not valid UTF-8 or is too long for a record: key 511 bytes, value 2047 bytes, or a
 * key over KVP_POOL_KEY_UNITS_MAX UTF-16 units), -ETIMEDOUT (the lock was not granted in
 * time), -EFBIG (the file holds more than max_records records), -ENOMEM, -EIO and other
 * -errno of the file system. Failures are logged with the path.
 */

/*
 * The value of the first valid record whose key is @p key.
 * @return its length (NUL excluded) and the value in @p value; -ENOENT; -ENOSPC (@p value
 *         smaller than the value, which is then not copied).
 */
int kvp_pool_get(struct kvp_pools *p, unsigned int pool, const char *key, char *value,
		 size_t value_len);

/*
 * Replace the value of the first valid record whose key is @p key, or add a record at the end.
 * @return 0; -ENOSPC (the pool already holds max_records records).
 */
int kvp_pool_set(struct kvp_pools *p, unsigned int pool, const char *key, const char *value);

/* Remove the first valid record whose key is @p key. @return 0; -ENOENT. */
int kvp_pool_delete(struct kvp_pools *p, unsigned int pool, const char *key);

/*
 * The @p index-th valid record, counting from 0 in file order.
 * @return 0; -ENOENT (past the end); -ENOSPC (a buffer too small: key_len 512 and value_len
 *         2048 always suffice).
 */
int kvp_pool_enumerate(struct kvp_pools *p, unsigned int pool, uint32_t index, char *key,
		       size_t key_len, char *value, size_t value_len);

/* Valid records of @p pool (its file as it is now). @return the count or a -errno. */
int kvp_pool_count(struct kvp_pools *p, unsigned int pool);

/* Counters of what the pools met, for telemetry and tests. */
struct kvp_pool_stats {
	uint64_t loads;			/* files (re)read */
	uint64_t writes;		/* files rewritten */
	uint64_t lock_waits;		/* lock attempts that found the lock held */
	uint64_t lock_timeouts;
	uint64_t invalid_records;	/* records skipped, once per version of a file */
	uint64_t oversized;		/* loads refused for size */
};

void kvp_pools_stats(const struct kvp_pools *p, struct kvp_pool_stats *out);

#endif /* KVP_POOL_H */
