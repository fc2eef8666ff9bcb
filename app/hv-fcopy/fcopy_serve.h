/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef FCOPY_SERVE_H
#define FCOPY_SERVE_H

/*
 * The serving loop, run on one lcore: wait for the host (interrupt, adaptive or poll, as the
 * device is configured), drain every packet, answer each, and survive a rescind by
 * abandoning the copy in progress and reattaching when the device is offered again.
 */

#include <stdbool.h>
#include <stdint.h>

#include "fcopy_proto.h"
#include "fcopy_stats.h"

struct fcopy_serve {
	int16_t dev_id;			/* started hvdev device */
	const char *root;		/* where its node reappears; NULL: unknown */
	struct fcopy_proto *proto;
	struct fcopy_stats *stats;
	uint64_t count;			/* stop after this many transfers; 0: never */
	uint32_t transfer_timeout_s;	/* abandon a copy the host went quiet on; 0: never */
	bool spins;			/* poll mode: waits spin and cannot be interrupted */
	int result;			/* 0, or the negative errno that stopped the loop */
	unsigned int spurious_errors;	/* channel errors in a row without a rescind */
};

/* lcore_function_t: serve until stopped; @p arg is a struct fcopy_serve. */
int fcopy_serve_lcore(void *arg);

/* Ask every loop to stop at its next check. Async-signal-safe. */
void fcopy_serve_request_stop(void);

/* @return true once a stop was asked. */
bool fcopy_serve_stopping(void);

#endif /* FCOPY_SERVE_H */
