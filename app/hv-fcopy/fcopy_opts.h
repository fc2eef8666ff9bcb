/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef FCOPY_OPTS_H
#define FCOPY_OPTS_H

/*
 * The service's own command line (after "--"). It is read before rte_eal_init(): --bind must
 * hand the device to uio_hv_generic before EAL looks for it. The configuration file is read
 * first, so that every option overrides it.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "fcopy_policy.h"

/* Exit codes, told apart so that systemd (and scripts) can react. */
#define FCOPY_EXIT_OK 0
#define FCOPY_EXIT_FAIL 1
#define FCOPY_EXIT_USAGE 2
#define FCOPY_EXIT_NO_DEVICE 3	/* no fcopy device: Guest Services are off */

struct fcopy_opts {
	struct fcopy_config cfg;
	const char *config_path;	/* the file read, NULL: none */
	uint64_t count;			/* stop after this many transfers; 0: never */
	int wait_device_s;		/* wait for the device; 0: not at all, <0: forever */
	bool bind;			/* bind the device to uio_hv_generic first */
	bool bind_only;			/* ... and exit */
	bool modprobe;			/* --bind may load the module */
	bool help;
	bool version;
};

/*
 * Parse @p argv (argv[0] is the program name). Without --config, FCOPY_DEFAULT_CONFIG is read
 * when it exists.
 * @return 0, or -EINVAL with a message in @p err.
 */
int fcopy_opts_parse(int argc, char **argv, struct fcopy_opts *o, char *err, size_t errlen);

void fcopy_opts_free(struct fcopy_opts *o);

void fcopy_opts_usage(FILE *f, const char *prog);

/* @return true when @p arg is one of the service's own options (not an EAL one). */
bool fcopy_opts_is_own(const char *arg);

/* EAL's file prefix by default: its runtime directory is /var/run/dpdk/hv-fcopy. */
#define FCOPY_EAL_PREFIX "hv-fcopy"

/*
 * The EAL argument vector: the service's defaults for a small daemon (-l @p lcores,
 * --no-huge, -m 64, --no-pci, --no-shconf, --file-prefix, log levels, the fcopy vdev), then
 * the user's EAL options (@p argv[1..@p argc - 1]). A user option replaces only its own
 * default ("-m 128" replaces "-m 64", "--socket-mem" also --no-huge, an hvdev "--vdev" the
 * fcopy one); any other adds to them. Every option is checked first.
 * @return the argument count with *@p out a NULL-terminated copy (fcopy_eal_args_free());
 *         -EINVAL (an unknown or incomplete option, named in @p err) or -ENOMEM.
 */
int fcopy_eal_args(int argc, char **argv, const char *lcores, char ***out, char *err,
		   size_t errlen);

void fcopy_eal_args_free(char **args);

#endif /* FCOPY_OPTS_H */
