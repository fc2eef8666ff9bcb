/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * dpdk-test-hvdev [EAL options] -- [options] <command> [arguments]
 *
 * One command per run, for people and for scripts: list and inspect hvdev devices, send and
 * receive single packets, measure round trips, or keep a device served. The tool's options
 * are parsed first because --sim has to start the simulated host and add its device to the
 * EAL options before EAL probes devices.
 */

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_version.h>
#include <rte_errno.h>

#include <rte_hvdev.h>

#include "test_hvdev.h"

RTE_LOG_REGISTER_DEFAULT(test_hvdev_logtype, NOTICE);

/* Name of the device the tool adds for --sim. */
#define SIM_VDEV_NAME "hvdev_uio0"

static int
find_separator(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0)
			return i;
	return -1;
}

static bool
asks_for_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return true;
	return false;
}

static void
eal_argv_free(char **a, int n)
{
	int i;

	for (i = 0; a != NULL && i < n; i++)
		free(a[n + 1 + i]);
	free(a);
}

/*
 * argv[0], the user's EAL options and, for --sim, the simulated device. EAL permutes the
 * array and overwrites one entry with argv[0], so the strings are freed through a second
 * copy of the pointers, kept after the first n + 1 entries.
 */
static char **
eal_argv_build(char **argv, int n_user, const struct th_opts *o, int *n)
{
	char **a = calloc(((size_t)n_user + 2) * 2, sizeof(*a));
	int i;

	if (a == NULL)
		return NULL;
	for (i = 0; i < n_user; i++)
		a[i] = strdup(argv[i]);
	*n = n_user;
	if (o->sim.enabled &&
	    asprintf(&a[(*n)++], "--vdev=" SIM_VDEV_NAME ",class=%s,root=%s",
		     o->sim.class_name, o->sim.root) < 0)
		a[*n - 1] = NULL;
	memcpy(&a[*n + 1], a, sizeof(*a) * (size_t)*n);
	for (i = 0; i < *n; i++) {
		if (a[i] == NULL) {
			eal_argv_free(a, *n);
			return NULL;
		}
	}
	return a;
}

/* EAL's runtime directory, removed at exit once empty (EAL leaves it behind). */
static char runtime_dir[PATH_MAX];

/* Registered before rte_eal_init(): runs after telemetry's handler has removed its socket. */
static void
runtime_dir_remove(void)
{
	if (runtime_dir[0] != '\0')
		rmdir(runtime_dir);
}

/* @return 0, or an exit code. */
static int
eal_start(char **argv, int n_user, const struct th_opts *o, char ***eal_argv, int *n)
{
	int ret;

	*eal_argv = eal_argv_build(argv, n_user, o, n);
	if (*eal_argv == NULL) {
		TH_LOG(ERR, "out of memory");
		return TH_EXIT_FAIL;
	}
	atexit(runtime_dir_remove);
	ret = rte_eal_init(*n, *eal_argv);
	snprintf(runtime_dir, sizeof(runtime_dir), "%s", rte_eal_get_runtime_dir());
	if (ret < 0) {
		TH_LOG(ERR, "cannot initialise EAL: %s", strerror(rte_errno));
		return TH_EXIT_FAIL;
	}
	if (ret + 1 < *n) {
		TH_LOG(ERR, "'%s' is not an EAL option; the tool's own arguments go after '--'",
		       (*eal_argv)[ret + 1]);
		rte_eal_cleanup();
		return TH_EXIT_USAGE;
	}
	return 0;
}

static int
run_command(const struct th_opts *o)
{
	int16_t dev_id = -1;

	th_signals_install();
	if (o->cmd->run == th_cmd_serve && strcmp(o->dev, "all") == 0)
		return th_cmd_serve_all(o) < 0 ? TH_EXIT_FAIL : TH_EXIT_OK;
	if (o->cmd->needs_dev && th_dev_resolve(o->dev, &dev_id) < 0)
		return TH_EXIT_FAIL;
	return o->cmd->run(o, dev_id) < 0 ? TH_EXIT_FAIL : TH_EXIT_OK;
}

/*
 * floor and host need no EAL. SIGINT and SIGTERM are blocked before the simulated host's
 * thread starts, so that it inherits the mask and the command takes them with sigwait.
 */
static int
run_without_eal(struct th_opts *o)
{
	sigset_t set;
	int ret;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (o->sim.enabled && th_sim_start(&o->sim) < 0)
		return TH_EXIT_FAIL;
	ret = o->cmd->run(o, -1) < 0 ? TH_EXIT_FAIL : TH_EXIT_OK;
	th_sim_stop();
	return ret;
}

int
main(int argc, char **argv)
{
	int sep = find_separator(argc, argv), n_eal = 0, ret;
	char **app_argv, **eal_argv = NULL;
	struct th_opts o;

	/* Before or after "--", as the other hvdev programs take it; EAL's -v logs only. */
	for (ret = 1; ret < argc; ret++) {
		if (strcmp(argv[ret], "--version") == 0) {
			printf("%s (hvdev) %s\n%s\n", TH_PROG, HVDEV_VERSION, rte_version());
			return TH_EXIT_OK;
		}
	}
	if (sep < 0) {
		if (asks_for_help(argc, argv)) {
			th_usage(stdout);
			return TH_EXIT_OK;
		}
		TH_LOG(ERR, "missing '--' and command; usage: " TH_PROG
		       " [EAL options] -- [options] <command>, see '" TH_PROG " -- --help'");
		return TH_EXIT_USAGE;
	}
	/* getopt permutes the array it parses: the app gets its own, with argv[0] first. */
	app_argv = calloc((size_t)(argc - sep) + 1, sizeof(*app_argv));
	if (app_argv == NULL)
		return TH_EXIT_FAIL;
	app_argv[0] = argv[0];
	memcpy(&app_argv[1], &argv[sep + 1], sizeof(*argv) * (size_t)(argc - sep - 1));
	ret = th_opts_parse(argc - sep, app_argv, &o);
	if (ret != 0) {
		ret = ret > 0 ? TH_EXIT_OK : TH_EXIT_USAGE;
		goto out;
	}
	if (o.cmd->no_eal) {
		ret = run_without_eal(&o);
		goto out;
	}
	/* EAL prints its usage and exits at -h: nothing to start or clean up then. */
	if (o.sim.enabled && !asks_for_help(sep, argv) && th_sim_start(&o.sim) < 0) {
		ret = TH_EXIT_FAIL;
		goto out;
	}
	ret = eal_start(argv, sep, &o, &eal_argv, &n_eal);
	if (ret == 0 && o.sim.enabled)
		/* Only now: EAL has applied --log-level. */
		TH_LOG(INFO, "simulated host under %s offers a %s device", o.sim.root,
		       o.sim.class_name);
	if (ret == 0) {
		ret = run_command(&o);
		rte_eal_cleanup();
	}
out:
	/* After rte_eal_cleanup(): the PMD has closed the channel the host serves. */
	th_sim_stop();
	eal_argv_free(eal_argv, n_eal);
	th_opts_free(&o);
	free(app_argv);
	return ret;
}
