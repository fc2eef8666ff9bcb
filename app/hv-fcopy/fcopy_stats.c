/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_common.h>
#include <rte_hvdev_ic.h>

#include "fcopy_hresult.h"
#include "fcopy_log.h"
#include "fcopy_stats.h"

uint64_t
fcopy_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void
fcopy_stats_init(struct fcopy_stats *s)
{
	memset(s, 0, sizeof(*s));
	rte_spinlock_init(&s->lock);
}

void
fcopy_stats_begin(struct fcopy_stats *s, const char *path, uint64_t size)
{
	rte_spinlock_lock(&s->lock);
	s->active = true;
	snprintf(s->path, sizeof(s->path), "%s", path);
	s->size = size;
	s->written = 0;
	s->via = NULL;
	s->start_ns = fcopy_now_ns();
	rte_spinlock_unlock(&s->lock);
}

void
fcopy_stats_progress(struct fcopy_stats *s, uint64_t len)
{
	rte_spinlock_lock(&s->lock);
	s->written += len;
	s->bytes_received += len;
	rte_spinlock_unlock(&s->lock);
}

const char *
fcopy_stats_rate(uint64_t bytes, uint64_t ns, char *buf, size_t len)
{
	static const char *const units[] = { "B/s", "kB/s", "MB/s", "GB/s" };
	double rate;
	unsigned int u = 0;

	/* Too short to measure (the clock's step): a rate would be noise. */
	if (ns < 1000) {
		snprintf(buf, len, "-");
		return buf;
	}
	rate = (double)bytes * 1e9 / (double)ns;
	while (rate >= 1000 && u + 1 < RTE_DIM(units)) {
		rate /= 1000;
		u++;
	}
	/* Three significant digits whatever the size: no "0.00 MB/s" for a small file. */
	snprintf(buf, len, "%.*f %s", u == 0 || rate >= 100 ? 0 : rate >= 10 ? 1 : 2, rate,
		 units[u]);
	return buf;
}

const char *
fcopy_stats_duration(uint64_t ns, char *buf, size_t len)
{
	if (ns >= 1000000000)
		snprintf(buf, len, "%.3f s", (double)ns / 1e9);
	else if (ns >= 1000000)
		snprintf(buf, len, "%.1f ms", (double)ns / 1e6);
	else
		snprintf(buf, len, "%.0f us", (double)ns / 1e3);
	return buf;
}

/* The deliveries held, taken out under the lock to be logged after it. */
struct held {
	uint32_t n;
	uint64_t bytes;
	uint64_t ns;
	char last[PATH_MAX];
};

/* Take the deliveries held, if any, and start a new quiet period. Called with the lock held. */
static void
take_held(struct fcopy_stats *s, uint64_t now, struct held *h)
{
	s->quiet_until_ns = now + FCOPY_LOG_BURST_MS * 1000000ull;
	h->n = s->held;
	if (h->n == 0)
		return;
	h->bytes = s->held_bytes;
	h->ns = now - s->held_since_ns;
	memcpy(h->last, s->held_last, sizeof(h->last));
	s->held = 0;
	s->held_bytes = 0;
}

static void
log_held(const struct held *h)
{
	char took[32];

	if (h->n == 0)
		return;
	FCOPY_LOG(NOTICE, "copied %" PRIu32 " more file%s, %" PRIu64 " bytes, in %s; the last "
		  "%s (each at log level debug)", h->n, h->n > 1 ? "s" : "", h->bytes,
		  fcopy_stats_duration(h->ns, took, sizeof(took)), h->last);
}

int
fcopy_stats_flush(struct fcopy_stats *s, bool force)
{
	struct held h;
	uint64_t now;

	/* held and quiet_until_ns change on this thread only: read without the lock. */
	if (s->held == 0)
		return -1;
	now = fcopy_now_ns();
	if (!force && now < s->quiet_until_ns)
		return (int)RTE_MIN((s->quiet_until_ns - now + 999999) / 1000000,
				    (uint64_t)FCOPY_LOG_BURST_MS);
	rte_spinlock_lock(&s->lock);
	take_held(s, now, &h);
	rte_spinlock_unlock(&s->lock);
	log_held(&h);
	return -1;
}

/* A delivery within a burst: counted, and logged only at level debug. */
static void
hold(struct fcopy_stats *s, uint64_t now, uint64_t written)
{
	size_t n;

	if (s->held++ == 0)
		s->held_since_ns = now;
	s->held_bytes += written;
	n = strnlen(s->path, sizeof(s->path) - 1);
	memcpy(s->held_last, s->path, n);
	s->held_last[n] = '\0';
}

void
fcopy_stats_end(struct fcopy_stats *s, uint32_t hr, const char *why)
{
	char path[PATH_MAX], hrs[64], rate[32], took[32];
	uint64_t ns, now, written, size;
	bool ok = hr == RTE_HVDEV_IC_S_OK, held = false;
	struct held before;	/* n says what is set */
	const char *via;

	before.n = 0;
	rte_spinlock_lock(&s->lock);
	if (!s->active) {
		rte_spinlock_unlock(&s->lock);
		return;
	}
	s->active = false;
	now = fcopy_now_ns();
	ns = now - s->start_ns;
	written = s->written;
	size = s->size;
	via = s->via;
	s->last_hresult = hr;
	if (ok) {
		s->transfers_ok++;
		s->bytes_delivered += written;
	} else {
		s->transfers_failed++;
	}
	if (ok && now < s->quiet_until_ns) {
		hold(s, now, written);
		held = true;
	} else {
		/* In order: what was held before this one, then this one. */
		take_held(s, now, &before);
	}
	if (held && !rte_log_can_log(hv_fcopy_logtype, RTE_LOG_DEBUG)) {
		rte_spinlock_unlock(&s->lock);
		return;
	}
	memcpy(path, s->path, sizeof(path));
	rte_spinlock_unlock(&s->lock);
	log_held(&before);
	fcopy_stats_rate(written, ns, rate, sizeof(rate));
	fcopy_stats_duration(ns, took, sizeof(took));
	if (ok)
		fcopy_log(held ? RTE_LOG_DEBUG : RTE_LOG_NOTICE, "hv_fcopy: copied %s: %" PRIu64
			  " bytes in %s (%s), %s, via %s", path, written, took, rate,
			  fcopy_hresult_str(hr, hrs, sizeof(hrs)), via != NULL ? via : "?");
	else	/* The one line of a failure: the delivery's reason is only here. */
		FCOPY_LOG(ERR, "copy failed %s: %" PRIu64 " of %" PRIu64 " bytes in %s (%s), "
			  "%s%s%s", path, written, size, took, rate,
			  fcopy_hresult_str(hr, hrs, sizeof(hrs)), why != NULL ? ": " : "",
			  why != NULL ? why : "");
}

void
fcopy_stats_get(struct fcopy_stats *s, struct fcopy_stats *out)
{
	rte_spinlock_lock(&s->lock);
	memcpy(out, s, sizeof(*out));
	rte_spinlock_unlock(&s->lock);
	rte_spinlock_init(&out->lock);
}

uint64_t
fcopy_stats_ended(struct fcopy_stats *s)
{
	uint64_t n;

	rte_spinlock_lock(&s->lock);
	n = s->transfers_ok + s->transfers_failed;
	rte_spinlock_unlock(&s->lock);
	return n;
}
