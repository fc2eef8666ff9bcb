/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef FCOPY_STATS_H
#define FCOPY_STATS_H

/*
 * Per-transfer records and live counters. The serving lcore updates them; telemetry reads a
 * consistent snapshot from its own thread. Each transfer ends with one log line: path, bytes,
 * duration, throughput and HRESULT. Deliveries that end within FCOPY_LOG_BURST_MS of the last
 * line are counted instead, and logged at level debug: a burst of small files gives one
 * summary line a second, not a line per file that journald would rate-limit along with the
 * errors. A failure always has its own line.
 */

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_spinlock.h>

struct fcopy_stats {
	rte_spinlock_t lock;
	uint64_t transfers_ok;
	uint64_t transfers_failed;
	uint64_t bytes_delivered;	/* bytes of the files delivered */
	uint64_t bytes_received;	/* every data byte written, delivered or not */
	uint32_t last_hresult;
	/* The transfer in progress. */
	bool active;
	char path[PATH_MAX];
	uint64_t size;			/* announced */
	uint64_t written;		/* received so far */
	uint64_t start_ns;
	const char *via;		/* how the data is received (fcopy_deliver_via()) */
	/* Deliveries not logged one by one, since held_since_ns (see fcopy_stats_flush()). */
	uint32_t held;
	uint64_t held_bytes;
	uint64_t held_since_ns;
	uint64_t quiet_until_ns;	/* a delivery ending before this is held */
	char held_last[PATH_MAX];	/* the last one held */
};

#define FCOPY_LOG_BURST_MS 1000

void fcopy_stats_init(struct fcopy_stats *s);

/* A START arrived for @p path (the target as the host named it). */
void fcopy_stats_begin(struct fcopy_stats *s, const char *path, uint64_t size);

/* @p len more bytes were written. */
void fcopy_stats_progress(struct fcopy_stats *s, uint64_t len);

/*
 * The transfer ended with @p hr (S_OK: delivered); @p why explains a failure (may be NULL).
 * Logs the transfer record. Nothing happens when no transfer is active.
 */
void fcopy_stats_end(struct fcopy_stats *s, uint32_t hr, const char *why);

/*
 * Log the deliveries held (one line: how many, bytes, the last one) once FCOPY_LOG_BURST_MS
 * have passed since the last line, or now when @p force. Serving thread only. @return the
 * milliseconds (at least 1) until the deliveries still held are due, for the service's timer;
 * -1 when none are held.
 */
int fcopy_stats_flush(struct fcopy_stats *s, bool force);

/* Whether deliveries are held: serving thread only, which alone changes that, so no lock. */
static inline bool
fcopy_stats_holding(const struct fcopy_stats *s)
{
	return s->held > 0;
}

/* "@p bytes in @p ns" as a rate with three significant digits and a decimal unit (B/s, kB/s,
 * MB/s, GB/s); "-" under a microsecond. @return @p buf. */
const char *fcopy_stats_rate(uint64_t bytes, uint64_t ns, char *buf, size_t len);

/* @p ns as "1.234 s", "12.3 ms" or "45 us". @return @p buf. */
const char *fcopy_stats_duration(uint64_t ns, char *buf, size_t len);

/* A consistent copy, for readers on other threads. */
void fcopy_stats_get(struct fcopy_stats *s, struct fcopy_stats *out);

/* Transfers ended so far, delivered or not. */
uint64_t fcopy_stats_ended(struct fcopy_stats *s);

/* Nanoseconds of a monotonic clock. */
uint64_t fcopy_now_ns(void);

#endif /* FCOPY_STATS_H */
