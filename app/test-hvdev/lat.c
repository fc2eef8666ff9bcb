/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/* Latency samples to percentiles, shared by echo, floor and host --ping. */

#include <stdlib.h>

#include "output.h"
#include "test_hvdev.h"

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Nearest-rank percentile of sorted samples, in microseconds. The rank is rounded up with a
 * margin, as ceil() would turn 0.99 * 200 = 198.00000000000003 into 199.
 */
static double
percentile_us(const uint64_t *sorted, uint32_t n, double p)
{
	uint64_t rank = (uint64_t)(p / 100.0 * n + 0.999999);

	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return sorted[rank - 1] / 1000.0;
}

/* Sort @p ns (@p n > 0 samples, nanoseconds) and summarize them in microseconds. */
void
th_lat_summarize(uint64_t *ns, uint32_t n, struct th_lat *s)
{
	uint64_t sum = 0;
	uint32_t i;

	qsort(ns, n, sizeof(*ns), cmp_u64);
	for (i = 0; i < n; i++)
		sum += ns[i];
	s->min = ns[0] / 1000.0;
	s->p50 = percentile_us(ns, n, 50);
	s->p90 = percentile_us(ns, n, 90);
	s->p99 = percentile_us(ns, n, 99);
	s->p999 = percentile_us(ns, n, 99.9);
	s->max = ns[n - 1] / 1000.0;
	s->mean = (double)sum / n / 1000.0;
}

/* A "latency_us" object; empty when there was no sample. */
void
th_lat_json(struct th_json *j, const struct th_lat *s, uint32_t n)
{
	th_json_obj_open(j, "latency_us");
	if (n > 0) {
		th_json_double(j, "min", s->min);
		th_json_double(j, "p50", s->p50);
		th_json_double(j, "p90", s->p90);
		th_json_double(j, "p99", s->p99);
		th_json_double(j, "p99_9", s->p999);
		th_json_double(j, "max", s->max);
		th_json_double(j, "mean", s->mean);
	}
	th_json_obj_close(j);
}

void
th_lat_text(const struct th_lat *s)
{
	static const struct th_col cols[] = {
		{ "LATENCY_US", false }, { "MIN", true }, { "P50", true }, { "P90", true },
		{ "P99", true }, { "P99.9", true }, { "MAX", true }, { "MEAN", true },
	};
	const double v[] = { s->min, s->p50, s->p90, s->p99, s->p999, s->max, s->mean };
	struct th_table t;
	unsigned int i;

	th_table_init(&t, cols, RTE_DIM(cols));
	th_table_cell(&t, "round trip");
	for (i = 0; i < RTE_DIM(v); i++)
		th_table_cell(&t, "%.1f", v[i]);
	th_table_print(&t, stdout);
	th_table_free(&t);
}
