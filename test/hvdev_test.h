/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef HVDEV_TEST_H
#define HVDEV_TEST_H

/*
 * A small test runner in the style of DPDK's unit_test_suite: each executable holds a table
 * of cases; meson runs one case per test so that results are counted case by case.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_common.h>
#include <rte_uuid.h>

#define TEST_SUCCESS 0
#define TEST_FAILED (-1)
#define TEST_SKIPPED 77

#define TEST_ASSERT(cond, ...) do { \
	if (!(cond)) { \
		fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
		fprintf(stderr, __VA_ARGS__); \
		fprintf(stderr, "\n"); \
		return TEST_FAILED; \
	} \
} while (0)

#define TEST_ASSERT_EQUAL(a, b, ...) do { \
	long long a_ = (long long)(a), b_ = (long long)(b); \
	if (a_ != b_) { \
		fprintf(stderr, "FAIL %s:%d: %s == %s (%lld != %lld): ", __FILE__, __LINE__, \
			#a, #b, a_, b_); \
		fprintf(stderr, __VA_ARGS__); \
		fprintf(stderr, "\n"); \
		return TEST_FAILED; \
	} \
} while (0)

#define TEST_RUN(fn) do { \
	int r_ = (fn); \
	if (r_ != TEST_SUCCESS) \
		return r_; \
} while (0)

struct hvdev_test_case {
	const char *name;
	int (*fn)(void);
};

/** Run the case named by argv[1] (or all of them) after EAL init; the main() of a suite. */
int hvdev_test_main(int argc, char **argv, const struct hvdev_test_case *cases,
		    unsigned int n);

/** Add an EAL argument for hvdev_test_main() (before calling it). @return 0 or -1. */
int hvdev_test_add_eal_arg(const char *arg);

/** A fresh root directory for a simulated host; removed by hvdev_test_root_remove(). */
int hvdev_test_root_create(char *buf, size_t len);
void hvdev_test_root_remove(const char *root);

/** snprintf() for short test paths, without the truncation warning's guesswork. */
void hvdev_test_fmt(char *buf, size_t len, const char *format, ...) __rte_format_printf(3, 4);

/** mkdir -p with mode 0755. @return 0 or -1. */
int hvdev_test_mkdirs(const char *path);

/** True when @p path exists (a dangling symlink counts). */
bool hvdev_test_exists(const char *path);

/** Entries whose name contains @p part under @p dir, recursively. */
int hvdev_test_count_named(const char *dir, const char *part);

/** Class GUID of fcopy and KVP, parsed. */
void hvdev_test_class(const char *name, rte_uuid_t uu);

/** Fill @p buf with a pattern that depends on @p seed, and check it. */
void hvdev_test_fill(void *buf, uint32_t len, uint32_t seed);
bool hvdev_test_check(const void *buf, uint32_t len, uint32_t seed);

/** Thread CPU time in microseconds. */
uint64_t hvdev_test_thread_cpu_us(void);
uint64_t hvdev_test_now_us(void);

/** One entry of a suite's case table; test/list_cases.py reads these to register meson tests. */
#define HVDEV_CASE(name, fn) { #name, fn }

#endif /* HVDEV_TEST_H */
