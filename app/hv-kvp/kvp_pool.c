/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include <rte_common.h>
#include <rte_hvdev_ic.h>

#include "kvp_core_log.h"
#include "kvp_pool.h"

RTE_LOG_REGISTER_SUFFIX(kvp_core_logtype, core, INFO);

/* Record flags. */
#define REC_KEY_OK	0x1	/* key NUL-terminated, UTF-8, sendable: the record can match */
#define REC_SENDABLE	0x2	/* value NUL-terminated and UTF-8 too: it is enumerated */

#define LOCK_BACKOFF_MIN_NS	200000L
#define LOCK_BACKOFF_MAX_NS	20000000L

struct pool_sig {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	struct timespec ctime;
};

struct pool_file {
	char path[PATH_MAX];
	uint8_t *rec;		/* nrec raw records, as in the file */
	uint8_t *flags;		/* REC_* of each record */
	uint32_t nrec;
	uint32_t cap;
	bool loaded;		/* rec matches sig */
	bool racy;		/* sig may not show the next change: read again */
	struct pool_sig sig;
	struct pool_sig reported;	/* last file whose problems were logged */
};

/* Room in a path for "/.kvp_pool_N" after the directory. */
#define POOL_NAME_ROOM 16

struct kvp_pools {
	struct kvp_pool_conf conf;
	char dir[PATH_MAX - POOL_NAME_ROOM];
	struct pool_file f[KVP_POOL_COUNT];
	struct kvp_pool_stats stats;
};

static bool
sig_equal(const struct pool_sig *a, const struct pool_sig *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec &&
	       a->ctime.tv_sec == b->ctime.tv_sec && a->ctime.tv_nsec == b->ctime.tv_nsec;
}

static void
sig_of(const struct stat *st, struct pool_sig *s)
{
	memset(s, 0, sizeof(*s));
	s->dev = st->st_dev;
	s->ino = st->st_ino;
	s->size = st->st_size;
	s->mtime = st->st_mtim;
	s->ctime = st->st_ctim;
}

static long long
ns_of(const struct timespec *t)
{
	return (long long)t->tv_sec * 1000000000LL + t->tv_nsec;
}

/*
 * How long after a file's last change another change could leave the same times. File times
 * come from the kernel's coarse clock, cut to the file system's granularity, which the kernel
 * does not report. A time on a whole millisecond is taken to come from a coarse file system
 * (FAT keeps 2 s, ext4 with 128-byte inodes 1 s): KVP_POOL_RACY_COARSE_NS then. Otherwise
 * two ticks of the coarse clock, which trails the precise one by less than a tick: past that,
 * any later change gets a later time. (A nanosecond time falls on a whole millisecond once in
 * a million: that file is only read again for longer.)
 */
static long long
racy_window_ns(const struct pool_sig *s)
{
	static long long tick_ns;
	struct timespec res;

	if (s->mtime.tv_nsec % 1000000 == 0 || s->ctime.tv_nsec % 1000000 == 0)
		return KVP_POOL_RACY_COARSE_NS;
	if (tick_ns == 0) {
		tick_ns = clock_getres(CLOCK_REALTIME_COARSE, &res) == 0 ? ns_of(&res) : 0;
		/* Unknown or odd: as long as for a coarse file system. */
		if (tick_ns <= 0 || tick_ns > KVP_POOL_RACY_COARSE_NS / 2)
			tick_ns = KVP_POOL_RACY_COARSE_NS / 2;
	}
	return 2 * tick_ns;
}

/*
 * A change within the same timestamp tick as the one we saw would keep the same times. The
 * later of mtime and ctime counts: a program may set mtime back (touch -d, rsync --times),
 * never ctime.
 */
static bool
sig_racy(const struct pool_sig *s)
{
	struct timespec now;

	if (clock_gettime(CLOCK_REALTIME, &now) != 0)
		return true;
	return ns_of(&now) - RTE_MAX(ns_of(&s->mtime), ns_of(&s->ctime)) < racy_window_ns(s);
}

static uint8_t *
rec_key(struct pool_file *f, uint32_t i)
{
	return f->rec + (size_t)i * KVP_POOL_RECORD_BYTES;
}

static uint8_t *
rec_value(struct pool_file *f, uint32_t i)
{
	return rec_key(f, i) + KVP_POOL_KEY_BYTES;
}

/*
 * A key as the wire can carry it: UTF-8 of at most KVP_POOL_KEY_UNITS_MAX UTF-16 units
 * (a record holds up to 511 bytes, the wire 255 units: the tighter of the two decides).
 */
static bool
key_ok(const char *key, size_t len)
{
	uint16_t units[KVP_POOL_KEY_UNITS_MAX + 1];

	return len < KVP_POOL_KEY_BYTES &&
	       rte_hvdev_utf8_to_utf16(key, len, units, RTE_DIM(units)) >= 0;
}

static bool
value_ok(const char *value, size_t len)
{
	size_t pos = 0;
	uint32_t cp;
	int used;

	if (len >= KVP_POOL_VALUE_BYTES)
		return false;
	while (pos < len) {
		used = rte_hvdev_utf8_decode(value + pos, len - pos, &cp);
		if (used < 0 || cp == 0)
			return false;
		pos += (size_t)used;
	}
	return true;
}

static uint8_t
rec_check(struct pool_file *f, uint32_t i)
{
	const char *key = (const char *)rec_key(f, i);
	const char *value = (const char *)rec_value(f, i);
	const char *kend = memchr(key, '\0', KVP_POOL_KEY_BYTES);
	const char *vend = memchr(value, '\0', KVP_POOL_VALUE_BYTES);
	uint8_t flags = 0;

	if (kend != NULL && key_ok(key, (size_t)(kend - key)))
		flags |= REC_KEY_OK;
	if ((flags & REC_KEY_OK) && vend != NULL && value_ok(value, (size_t)(vend - value)))
		flags |= REC_SENDABLE;
	return flags;
}

static int
pool_reserve(struct pool_file *f, uint32_t n)
{
	uint32_t cap = f->cap ? f->cap : 64;
	uint8_t *rec, *flags;

	if (n <= f->cap)
		return 0;
	while (cap < n)
		cap = cap > UINT32_MAX / 2 ? n : cap * 2;
	rec = realloc(f->rec, (size_t)cap * KVP_POOL_RECORD_BYTES);
	if (rec == NULL)
		return -ENOMEM;
	f->rec = rec;
	flags = realloc(f->flags, cap);
	if (flags == NULL)
		return -ENOMEM;
	f->flags = flags;
	f->cap = cap;
	return 0;
}

static int
lock_file(struct kvp_pools *p, int fd, short type, const char *path)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
	long long waited = 0, limit = (long long)p->conf.lock_timeout_ms * 1000000LL;
	long backoff = LOCK_BACKOFF_MIN_NS;
	struct timespec ts;

	for (;;) {
		if (fcntl(fd, F_SETLK, &fl) == 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno != EACCES && errno != EAGAIN) {
			int err = errno;

			KVP_CORE_LOG(ERR, "cannot lock pool file %s: %s", path, strerror(err));
			return -err;
		}
		p->stats.lock_waits++;
		if (waited >= limit) {
			p->stats.lock_timeouts++;
			KVP_CORE_LOG(ERR, "pool file %s stayed locked by another program for %u ms",
				     path, p->conf.lock_timeout_ms);
			return -ETIMEDOUT;
		}
		ts.tv_sec = 0;
		ts.tv_nsec = backoff;
		nanosleep(&ts, NULL);
		waited += backoff;
		backoff = RTE_MIN(backoff * 2, LOCK_BACKOFF_MAX_NS);
	}
}

/* Read the whole file into f (the caller holds a lock on fd). */
static int
pool_load(struct kvp_pools *p, struct pool_file *f, int fd, const struct pool_sig *sig)
{
	size_t want, got = 0;
	uint32_t n, i, bad = 0;
	bool report = !sig_equal(sig, &f->reported);
	ssize_t r;
	int ret;

	f->loaded = false;
	if ((uint64_t)sig->size > (uint64_t)p->conf.max_records * KVP_POOL_RECORD_BYTES) {
		p->stats.oversized++;
		if (report)
			KVP_CORE_LOG(ERR, "pool file %s is %lld bytes, over %u records (%u bytes "
				     "each): left untouched and refused", f->path,
				     (long long)sig->size, p->conf.max_records,
				     KVP_POOL_RECORD_BYTES);
		f->reported = *sig;
		return -EFBIG;
	}
	n = (uint32_t)(sig->size / KVP_POOL_RECORD_BYTES);
	ret = pool_reserve(f, n);
	if (ret < 0)
		return ret;
	want = (size_t)n * KVP_POOL_RECORD_BYTES;
	while (got < want) {
		r = pread(fd, f->rec + got, want - got, (off_t)got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = -errno;
			KVP_CORE_LOG(ERR, "cannot read pool file %s: %s", f->path, strerror(-ret));
			return ret;
		}
		if (r == 0)
			break;	/* cut by a program that does not lock: take what is there */
		got += (size_t)r;
	}
	n = (uint32_t)(got / KVP_POOL_RECORD_BYTES);
	for (i = 0; i < n; i++) {
		f->flags[i] = rec_check(f, i);
		if (!(f->flags[i] & REC_SENDABLE))
			bad++;
	}
	f->nrec = n;
	p->stats.loads++;
	if (report)
		p->stats.invalid_records += bad;
	if (report && sig->size % KVP_POOL_RECORD_BYTES != 0)
		KVP_CORE_LOG(WARNING, "pool file %s ends with %lld bytes of a partial record: "
			     "ignored", f->path, (long long)(sig->size % KVP_POOL_RECORD_BYTES));
	if (report && bad != 0)
		KVP_CORE_LOG(WARNING, "pool file %s: %u of %u records skipped (no NUL, not "
			     "UTF-8, or a key over %u UTF-16 units)", f->path, bad, n,
			     KVP_POOL_KEY_UNITS_MAX);
	f->reported = *sig;
	f->sig = *sig;
	f->racy = sig_racy(sig);
	f->loaded = true;
	return 0;
}

/*
 * Open pool @p pool's file, lock it (write lock when @p write) and bring f up to date.
 * @return the locked descriptor (close it to unlock), or a -errno.
 */
static int
pool_begin(struct kvp_pools *p, unsigned int pool, bool write)
{
	struct pool_file *f = &p->f[pool];
	struct pool_sig sig;
	struct stat st;
	int fd, ret;

	fd = open(f->path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 && !write && (errno == EACCES || errno == EROFS))
		fd = open(f->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		KVP_CORE_LOG(ERR, "cannot open pool file %s: %s", f->path, strerror(-ret));
		return ret;
	}
	ret = lock_file(p, fd, write ? F_WRLCK : F_RDLCK, f->path);
	if (ret < 0)
		goto fail;
	if (fstat(fd, &st) != 0) {
		ret = -errno;
		goto fail;
	}
	sig_of(&st, &sig);
	if (!f->loaded || f->racy || !sig_equal(&sig, &f->sig)) {
		ret = pool_load(p, f, fd, &sig);
		if (ret < 0)
			goto fail;
	}
	return fd;
fail:
	close(fd);
	return ret;
}

/*
 * Write records [from, to) at their place, cut the file after the last record, flush: the
 * records before @p from are the same in the file already (it was read under this lock).
 */
static int
pool_write(struct kvp_pools *p, struct pool_file *f, int fd, uint32_t from, uint32_t to)
{
	size_t off = (size_t)from * KVP_POOL_RECORD_BYTES;
	size_t end = (size_t)to * KVP_POOL_RECORD_BYTES;
	struct stat st;
	ssize_t r;
	int ret;

	while (off < end) {
		r = pwrite(fd, f->rec + off, end - off, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			ret = r < 0 ? -errno : -EIO;
			goto fail;
		}
		off += (size_t)r;
	}
	if (ftruncate(fd, (off_t)f->nrec * KVP_POOL_RECORD_BYTES) != 0 ||
	    (p->conf.sync && fdatasync(fd) != 0) || fstat(fd, &st) != 0) {
		ret = -errno;
		goto fail;
	}
	sig_of(&st, &f->sig);
	f->reported = f->sig;
	f->racy = sig_racy(&f->sig);
	p->stats.writes++;
	return 0;
fail:
	/* What is on disk is unknown now: read it again next time. */
	f->loaded = false;
	KVP_CORE_LOG(ERR, "cannot write pool file %s: %s", f->path, strerror(-ret));
	return ret;
}

static int
pool_find(struct pool_file *f, const char *key)
{
	uint32_t i;

	for (i = 0; i < f->nrec; i++)
		if ((f->flags[i] & REC_KEY_OK) && strcmp((const char *)rec_key(f, i), key) == 0)
			return (int)i;
	return -ENOENT;
}

int
kvp_pools_open(struct kvp_pools **out, const struct kvp_pool_conf *conf)
{
	struct kvp_pools *p;
	unsigned int i;
	int fd, n, ret;

	if (out == NULL || conf == NULL || conf->max_records > KVP_POOL_MAX_RECORDS_LIMIT)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	p->conf = *conf;
	if (p->conf.max_records == 0)
		p->conf.max_records = KVP_POOL_DEFAULT_MAX_RECORDS;
	if (p->conf.lock_timeout_ms == 0)
		p->conf.lock_timeout_ms = KVP_POOL_DEFAULT_LOCK_TIMEOUT_MS;
	n = snprintf(p->dir, sizeof(p->dir), "%s",
		     conf->dir != NULL ? conf->dir : KVP_POOL_DEFAULT_DIR);
	p->conf.dir = p->dir;
	if (n <= 0 || (size_t)n >= sizeof(p->dir)) {
		free(p);
		return -ENAMETOOLONG;
	}
	/* As the daemon: the directory is created when missing, rwxr-xr-x. */
	if (mkdir(p->dir, 0755) != 0 && errno != EEXIST) {
		ret = -errno;
		KVP_CORE_LOG(ERR, "cannot create pool directory %s: %s", p->dir, strerror(-ret));
		free(p);
		return ret;
	}
	for (i = 0; i < KVP_POOL_COUNT; i++) {
		snprintf(p->f[i].path, sizeof(p->f[i].path), "%s/.kvp_pool_%u", p->dir, i);
		fd = open(p->f[i].path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0)
			fd = open(p->f[i].path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			ret = -errno;
			KVP_CORE_LOG(ERR, "cannot open pool file %s: %s", p->f[i].path,
				     strerror(-ret));
			kvp_pools_close(p);
			return ret;
		}
		close(fd);
	}
	*out = p;
	return 0;
}

void
kvp_pools_close(struct kvp_pools *p)
{
	unsigned int i;

	if (p == NULL)
		return;
	for (i = 0; i < KVP_POOL_COUNT; i++) {
		free(p->f[i].rec);
		free(p->f[i].flags);
	}
	free(p);
}

const char *
kvp_pool_path(const struct kvp_pools *p, unsigned int pool)
{
	return p != NULL && pool < KVP_POOL_COUNT ? p->f[pool].path : NULL;
}

void
kvp_pools_stats(const struct kvp_pools *p, struct kvp_pool_stats *out)
{
	if (p != NULL && out != NULL)
		*out = p->stats;
}

static int
check_key(const struct kvp_pools *p, unsigned int pool, const char *key)
{
	if (p == NULL || pool >= KVP_POOL_COUNT || key == NULL)
		return -EINVAL;
	return key_ok(key, strnlen(key, KVP_POOL_KEY_BYTES)) ? 0 : -EINVAL;
}

int
kvp_pool_get(struct kvp_pools *p, unsigned int pool, const char *key, char *value,
	     size_t value_len)
{
	struct pool_file *f;
	size_t len;
	int fd, i, ret;

	ret = check_key(p, pool, key);
	if (ret < 0 || value == NULL)
		return ret < 0 ? ret : -EINVAL;
	f = &p->f[pool];
	fd = pool_begin(p, pool, false);
	if (fd < 0)
		return fd;
	i = pool_find(f, key);
	if (i < 0) {
		ret = i;
	} else if (!(f->flags[i] & REC_SENDABLE)) {
		ret = -EINVAL;	/* the value is not UTF-8 or has no NUL */
	} else {
		len = strlen((const char *)rec_value(f, (uint32_t)i));
		if (len >= value_len) {
			ret = -ENOSPC;
		} else {
			memcpy(value, rec_value(f, (uint32_t)i), len + 1);
			ret = (int)len;
		}
	}
	close(fd);
	return ret;
}

int
kvp_pool_set(struct kvp_pools *p, unsigned int pool, const char *key, const char *value)
{
	struct pool_file *f;
	size_t vlen;
	int fd, i, ret;

	ret = check_key(p, pool, key);
	if (ret < 0)
		return ret;
	if (value == NULL)
		return -EINVAL;
	vlen = strnlen(value, KVP_POOL_VALUE_BYTES);
	if (!value_ok(value, vlen))
		return -EINVAL;
	f = &p->f[pool];
	fd = pool_begin(p, pool, true);
	if (fd < 0)
		return fd;
	i = pool_find(f, key);
	if (i < 0) {
		if (f->nrec >= p->conf.max_records) {
			KVP_CORE_LOG(ERR, "pool file %s already holds %u records, the most allowed",
				     f->path, f->nrec);
			ret = -ENOSPC;
			goto out;
		}
		ret = pool_reserve(f, f->nrec + 1);
		if (ret < 0)
			goto out;
		i = (int)f->nrec++;
		memset(rec_key(f, (uint32_t)i), 0, KVP_POOL_KEY_BYTES);
		memcpy(rec_key(f, (uint32_t)i), key, strlen(key));
	}
	memset(rec_value(f, (uint32_t)i), 0, KVP_POOL_VALUE_BYTES);
	memcpy(rec_value(f, (uint32_t)i), value, vlen);
	f->flags[i] = REC_KEY_OK | REC_SENDABLE;
	ret = pool_write(p, f, fd, (uint32_t)i, (uint32_t)i + 1);
out:
	close(fd);
	return ret;
}

int
kvp_pool_delete(struct kvp_pools *p, unsigned int pool, const char *key)
{
	struct pool_file *f;
	int fd, i, ret;

	ret = check_key(p, pool, key);
	if (ret < 0)
		return ret;
	f = &p->f[pool];
	fd = pool_begin(p, pool, true);
	if (fd < 0)
		return fd;
	i = pool_find(f, key);
	if (i < 0) {
		ret = i;
	} else {
		memmove(rec_key(f, (uint32_t)i), rec_key(f, (uint32_t)i + 1),
			(size_t)(f->nrec - (uint32_t)i - 1) * KVP_POOL_RECORD_BYTES);
		memmove(&f->flags[i], &f->flags[i + 1], f->nrec - (uint32_t)i - 1);
		f->nrec--;
		ret = pool_write(p, f, fd, (uint32_t)i, f->nrec);
	}
	close(fd);
	return ret;
}

int
kvp_pool_enumerate(struct kvp_pools *p, unsigned int pool, uint32_t index, char *key,
		   size_t key_len, char *value, size_t value_len)
{
	struct pool_file *f;
	size_t klen, vlen;
	uint32_t i, seen = 0;
	int fd, ret = -ENOENT;

	if (p == NULL || pool >= KVP_POOL_COUNT || key == NULL || value == NULL)
		return -EINVAL;
	f = &p->f[pool];
	fd = pool_begin(p, pool, false);
	if (fd < 0)
		return fd;
	for (i = 0; i < f->nrec; i++) {
		if (!(f->flags[i] & REC_SENDABLE) || seen++ != index)
			continue;
		klen = strlen((const char *)rec_key(f, i));
		vlen = strlen((const char *)rec_value(f, i));
		if (klen >= key_len || vlen >= value_len) {
			ret = -ENOSPC;
			break;
		}
		memcpy(key, rec_key(f, i), klen + 1);
		memcpy(value, rec_value(f, i), vlen + 1);
		ret = 0;
		break;
	}
	close(fd);
	return ret;
}

int
kvp_pool_count(struct kvp_pools *p, unsigned int pool)
{
	struct pool_file *f;
	uint32_t i;
	int fd, n = 0;

	if (p == NULL || pool >= KVP_POOL_COUNT)
		return -EINVAL;
	f = &p->f[pool];
	fd = pool_begin(p, pool, false);
	if (fd < 0)
		return fd;
	for (i = 0; i < f->nrec; i++)
		if (f->flags[i] & REC_SENDABLE)
			n++;
	close(fd);
	return n;
}
