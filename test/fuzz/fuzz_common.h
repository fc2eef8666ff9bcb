/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef HVDEV_FUZZ_COMMON_H
#define HVDEV_FUZZ_COMMON_H

/*
 * What every fuzz target shares. A target is one LLVMFuzzerTestOneInput(); it is linked
 * either with libFuzzer (-Dfuzz=true, clang) or with fuzz_replay.c, which runs it over the
 * committed corpus in every build. A broken property aborts: libFuzzer saves the input as a
 * crash, the replay run fails its meson test.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_log.h>

#define FUZZ_ASSERT(cond, ...) do { \
	if (!(cond)) { \
		fprintf(stderr, "FUZZ ASSERT %s:%d: %s: ", __FILE__, __LINE__, #cond); \
		fprintf(stderr, __VA_ARGS__); \
		fprintf(stderr, "\n"); \
		abort(); \
	} \
} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Quiet unless HVDEV_FUZZ_LOG is set: millions of inputs would each log their refusal. */
static inline void
fuzz_quiet_logs(void)
{
	if (getenv("HVDEV_FUZZ_LOG") == NULL)
		rte_log_set_global_level(RTE_LOG_EMERG);
}

/* A little-endian cursor over the input, returning zeros once it runs out. */
struct fuzz_in {
	const uint8_t *p;
	size_t left;
};

static inline uint64_t
fuzz_take(struct fuzz_in *in, unsigned int bytes)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < bytes; i++) {
		if (in->left == 0)
			break;
		v |= (uint64_t)in->p[0] << (8 * i);
		in->p++;
		in->left--;
	}
	return v;
}

#endif /* HVDEV_FUZZ_COMMON_H */
