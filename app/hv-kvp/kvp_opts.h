/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef KVP_OPTS_H
#define KVP_OPTS_H

/*
 * dpdk-hv-kvp's own command line (after "--", or the whole line when it starts with one of
 * these options). Read before rte_eal_init(): --bind must move the device before EAL looks
 * for it, and a typo must bind nothing.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define KVP_PROG "dpdk-hv-kvp"

/* Exit codes, told apart so that systemd (and scripts) can react. */
#define KVP_EXIT_OK 0
#define KVP_EXIT_FAIL 1
#define KVP_EXIT_USAGE 2
#define KVP_EXIT_NO_DEVICE 3	/* no KVP device: Data Exchange is off */
#define KVP_EXIT_IN_USE 4	/* --bind: hv_kvp_daemon or another process uses hv_utils */

enum kvp_mode { KVP_MODE_INTR, KVP_MODE_ADAPTIVE, KVP_MODE_POLL };

struct kvp_opts {
	const char *pool_dir;		/* NULL: /var/lib/hyperv */
	const char *script_dir;		/* NULL: the distributions' directories */
	const char *root;		/* prefix of /etc, /sys, /proc; NULL: $HVDEV_ROOT or "/" */
	unsigned int script_timeout_ms;	/* 0: KVP_SCRIPT_TIMEOUT_MS */
	uint32_t max_records;		/* per pool; 0: the pool module's default */
	uint64_t count;			/* stop after this many requests; 0: never */
	int wait_device_s;		/* wait for the device; 0: not at all, <0: forever */
	enum kvp_mode mode;
	uint32_t busy_poll_us;		/* adaptive mode's busy-poll budget */
	bool syslog;
	bool bind;			/* move the device to uio_hv_generic first */
	bool bind_only;			/* ... and exit */
	bool unbind;			/* give the device back to hv_utils and exit */
	bool modprobe;			/* --bind may load uio_hv_generic */
	bool help;
	bool version;
};

/*
 * Parse @p argv (argv[0] is the program name).
 * @return 0, or -EINVAL with a message in @p err.
 */
int kvp_opts_parse(int argc, char **argv, struct kvp_opts *o, char *err, size_t errlen);

void kvp_opts_usage(FILE *f);

/* @return true when @p arg is one of the service's own options (not an EAL one). */
bool kvp_opts_is_own(const char *arg);

const char *kvp_mode_name(enum kvp_mode m);

#endif /* KVP_OPTS_H */
