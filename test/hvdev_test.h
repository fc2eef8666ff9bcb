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
#include <sys/types.h>

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

/**
 * Add an EAL argument for hvdev_test_main() (before calling it); "--telemetry" replaces the
 * default "--no-telemetry". @return 0 or -1.
 */
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

/**
 * Start dpdk-hv-fcopy (the binary named by $HVDEV_FCOPY_BIN) on the simulated fcopy device
 * under @p root, one lcore, no hugepages, copies allowed under @p guest, its state in
 * @p state, then the options in @p extra (NULL-terminated; NULL: none).
 * @return the child's pid, or -1 (no $HVDEV_FCOPY_BIN, fork failed).
 */
pid_t hvdev_test_fcopy_spawn(const char *root, const char *guest, const char *state,
			     const char *const *extra);

/**
 * The EAL --file-prefix argument for a service this test process spawns (its runtime
 * directory is removed at exit, as hvdev_test_fcopy_spawn()'s is).
 */
const char *hvdev_test_spawn_prefix(void);

/**
 * SIGTERM @p pid, wait up to @p wait_ms for it, then SIGKILL it.
 * @return its wait status, or -1 for no process (@p pid <= 0).
 */
int hvdev_test_process_stop(pid_t pid, unsigned int wait_ms);

/** Write a file of @p size bytes of the hvdev_test_fill() pattern of @p seed. @return 0 or -1. */
int hvdev_test_make_file(const char *path, uint64_t size, uint32_t seed);

/** True when both files can be read and hold the same bytes. */
bool hvdev_test_same_file(const char *a, const char *b);

/** One entry of a suite's case table; test/list_cases.py reads these to register meson tests. */
#define HVDEV_CASE(name, fn) { #name, fn }

#endif /* HVDEV_TEST_H */
