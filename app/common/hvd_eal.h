/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef HVD_EAL_H
#define HVD_EAL_H

/*
 * The command line of an IC service daemon: "[EAL options] -- [service options]", and EAL's
 * defaults for a small daemon merged with the options the user gave.
 */

#include <stdbool.h>

struct hvd_eal_conf {
	const char *prog;		/* argv[0] when there is none */
	const char *file_prefix;	/* EAL's default --file-prefix ("hv-fcopy") */
	const char *class_name;		/* the default --vdev=hvdev_uio0,class=NAME */
	const char *lcores;		/* the default -l (hvd_default_lcores()) */
	bool (*is_own)(const char *arg);	/* a service option, for the error message */
};

/*
 * Split at the first "--": EAL's arguments before it, the service's after it (its vector
 * starts with the program name, in the "--" slot). Without one, arguments that start with a
 * service option are all the service's ("dpdk-hv-fcopy --bind-only"), anything else is all
 * EAL's.
 */
void hvd_eal_split(int argc, char **argv, bool (*is_own)(const char *arg), int *eal_argc,
		   int *own_argc, char ***own_argv);

/*
 * The EAL argument vector: the daemon's defaults (-l, --no-huge, -m 64, --no-pci,
 * --no-shconf, --file-prefix, log levels, the class's vdev), then the user's EAL options
 * (@p argv[1..@p argc - 1]). A user option replaces only its own default ("-m 128" replaces
 * "-m 64", "--socket-mem" also --no-huge, an hvdev "--vdev" the default one); any other adds
 * to them. Every option is checked first, against the EAL options of DPDK 22.11 and 25.11.
 * @return the argument count with *@p out a NULL-terminated copy (hvd_eal_args_free());
 *         -EINVAL (an unknown or incomplete option, named in @p err) or -ENOMEM.
 */
int hvd_eal_args(const struct hvd_eal_conf *c, int argc, char **argv, char ***out, char *err,
		 size_t errlen);

void hvd_eal_args_free(char **args);

#endif /* HVD_EAL_H */
