/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * dpdk-hv-fcopy [EAL options] -- [options]
 *
 * The Hyper-V file-copy (Copy-VMFile) service: a drop-in replacement for
 * hv_fcopy_uio_daemon. It finds the fcopy device by class, serves it on a worker lcore in
 * interrupt mode, delivers each file atomically under a destination policy, and keeps
 * serving across Guest Services being turned off and on.
 */

#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_version.h>

#include <rte_hvdev.h>

#include "fcopy_bind.h"
#include "fcopy_deliver.h"
#include "fcopy_device.h"
#include "fcopy_isolation.h"
#include "fcopy_log.h"
#include "fcopy_opts.h"
#include "fcopy_proto.h"
#include "fcopy_serve.h"
#include "fcopy_signal.h"
#include "fcopy_state.h"
#include "fcopy_stats.h"
#include "fcopy_telemetry.h"

/* How long --bind waits for the kernel to bind the device and udev to make its node. */
#define BIND_WAIT_MS 10000

/* Everything the service owns, so that main() reads as the life cycle it is. */
struct service {
	struct fcopy_opts opts;
	struct fcopy_state state;
	struct fcopy_deliver dlv;
	struct fcopy_stats stats;
	struct fcopy_proto proto;
	struct fcopy_serve serve;
	struct fcopy_isolation iso;
	sem_t serve_done;
	int16_t dev_id;
	char root[PATH_MAX];
};

/* "-l" for a small daemon: the first two CPUs it may run on (main + worker), else one. */
static void
default_lcores(char *buf, size_t len)
{
	int cpus[2], n = 0, i;
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		for (i = 0; i < CPU_SETSIZE && n < 2; i++)
			if (CPU_ISSET(i, &set))
				cpus[n++] = i;
	if (n == 0)
		snprintf(buf, len, "0");
	else if (n == 1)
		snprintf(buf, len, "%d", cpus[0]);
	else
		snprintf(buf, len, "%d,%d", cpus[0], cpus[1]);
}

/* EAL's runtime directory, removed at exit when empty (eal_runtime_dir_remove()). */
static char eal_runtime_dir[PATH_MAX];

/*
 * EAL creates /var/run/dpdk/<prefix> and never removes it; telemetry unlinks its socket there
 * from an atexit() handler. Registered before rte_eal_init(), this one runs after that one,
 * and removes the directory once it is empty (another instance's files keep it).
 */
static void
eal_runtime_dir_remove(void)
{
	if (eal_runtime_dir[0] != '\0')
		rmdir(eal_runtime_dir);
}

/*
 * Split at the first "--". Without one, arguments that start with a service option are all
 * the service's ("dpdk-hv-fcopy --bind-only"), anything else is all EAL's.
 */
static void
split_args(int argc, char **argv, int *eal_argc, int *own_argc, char ***own_argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			*eal_argc = i;
			/* getopt wants a program name first: the "--" slot gets it. */
			argv[i] = argv[0];
			*own_argv = &argv[i];
			*own_argc = argc - i;
			return;
		}
	}
	if (argc > 1 && fcopy_opts_is_own(argv[1])) {
		*eal_argc = 1;
		*own_argv = argv;
		*own_argc = argc;
		return;
	}
	*eal_argc = argc;
	*own_argv = argv;
	*own_argc = 1;
}

static int
bind_device(const struct fcopy_opts *o)
{
	const char *env = getenv("HVDEV_ROOT");
	struct fcopy_bind_opts b = {
		.root = env != NULL && env[0] == '/' ? env : "/",
		.modprobe = o->modprobe,
		.wait_ms = BIND_WAIT_MS,
	};
	char node[4096], err[1024];
	int ret;

	ret = fcopy_bind(&b, node, sizeof(node), err, sizeof(err));
	if (ret == 0)
		FCOPY_LOG(NOTICE, "the file-copy device is bound to %s, node %s",
			  FCOPY_UIO_DRIVER, node);
	else if (ret == -ENODEV)
		FCOPY_LOG(WARNING, "%s", err);
	else
		FCOPY_LOG(ERR, "binding the file-copy device: %s", err);
	return ret;
}

/* Crash safety first: the in-flight record, and whatever a crashed run left behind. */
static int
prepare_delivery(struct service *sv)
{
	const struct fcopy_config *cfg = &sv->opts.cfg;
	char err[PATH_MAX + 128];
	unsigned int i;
	struct stat st;
	int ret;

	ret = fcopy_state_open(&sv->state, cfg->state_dir, cfg->policy.fsync, err, sizeof(err));
	if (ret < 0) {
		FCOPY_LOG(ERR, "%s", err);
		return ret;
	}
	fcopy_deliver_init(&sv->dlv, &cfg->policy, &sv->state);
	fcopy_deliver_recover(&sv->dlv);
	fcopy_proto_init(&sv->proto, &sv->dlv, &sv->stats);
	/* A missing root is not fatal: it may be a file system mounted later. */
	for (i = 0; i < cfg->policy.nb_roots; i++) {
		if (stat(cfg->policy.roots[i], &st) < 0 || !S_ISDIR(st.st_mode))
			FCOPY_LOG(WARNING, "allowed root %s is not a directory (yet): copies "
				  "there fail until it is", cfg->policy.roots[i]);
		else
			FCOPY_LOG(INFO, "allowed root: %s", cfg->policy.roots[i]);
	}
	return 0;
}

/* Wait for the device, and only then create anything on disk (prepare_delivery()). */
static int
find_device(struct service *sv)
{
	int id;

	fcopy_signal_attach();
	id = fcopy_device_find(sv->opts.wait_device_s);
	fcopy_signal_detach();
	if (id < 0) {
		if (id == -ENODEV)
			FCOPY_LOG(ERR, "no file-copy device: are Guest Services on for this VM, "
				  "and is the device bound to uio_hv_generic (--bind)?");
		return id;
	}
	sv->dev_id = (int16_t)id;
	return 0;
}

static int
start_device(struct service *sv)
{
	const struct fcopy_config *cfg = &sv->opts.cfg;
	struct rte_hvdev_conf conf = {
		.intr_mode = cfg->mode != FCOPY_MODE_POLL,
		.busy_poll_us = cfg->mode == FCOPY_MODE_ADAPTIVE ? cfg->busy_poll_us : 0,
		/* While idle; during a copy the serving loop bounds each wait itself. */
		.recheck_ms = cfg->recheck_ms,
	};
	struct rte_hvdev_info info;
	int ret;

	ret = rte_hvdev_configure(sv->dev_id, &conf);
	if (ret == 0)
		ret = rte_hvdev_start(sv->dev_id);
	if (ret < 0) {
		FCOPY_LOG(ERR, "starting the file-copy device: %s", strerror(-ret));
		return ret;
	}
	if (rte_hvdev_info_get(sv->dev_id, &info) == 0)
		FCOPY_LOG(NOTICE, "serving %s (%s) in %s mode, durability %s", info.dev_name,
			  info.node_kind == RTE_HVDEV_NODE_UIO ? "uio" : "simulator",
			  fcopy_mode_name(cfg->mode),
			  fcopy_durability_name(cfg->policy.durability));
	return 0;
}

static int
serve_and_signal(void *arg)
{
	struct service *sv = arg;
	int ret = fcopy_serve_lcore(&sv->serve);

	sem_post(&sv->serve_done);
	return ret;
}

/* Serve on a worker lcore while the main one sleeps, or on the main lcore alone. */
static int
serve(struct service *sv)
{
	unsigned int worker = rte_get_next_lcore(-1, 1, 0);

	fcopy_device_root(sv->root, sizeof(sv->root));
	sv->serve = (struct fcopy_serve){
		.dev_id = sv->dev_id,
		.root = sv->root,
		.proto = &sv->proto,
		.stats = &sv->stats,
		.count = sv->opts.count,
		.transfer_timeout_s = sv->opts.cfg.policy.transfer_timeout_s,
		.spins = sv->opts.cfg.mode == FCOPY_MODE_POLL,
	};
	if (worker >= RTE_MAX_LCORE)
		return fcopy_serve_lcore(&sv->serve);
	sem_init(&sv->serve_done, 0, 0);
	if (rte_eal_remote_launch(serve_and_signal, sv, worker) < 0)
		return fcopy_serve_lcore(&sv->serve);
	/* rte_eal_wait_lcore() spins: block on the semaphore instead. */
	while (sem_wait(&sv->serve_done) < 0 && errno == EINTR)
		;
	rte_eal_wait_lcore(worker);
	sem_destroy(&sv->serve_done);
	return sv->serve.result;
}

static int
run(struct service *sv)
{
	int ret;

	/*
	 * One destination per message: DPDK's default writes each to stdout and to syslog,
	 * which under a supervisor logs it twice and costs a syslog connection per message
	 * (the transfer record is one per file).
	 */
	if (!sv->opts.cfg.log_syslog)
		rte_openlog_stream(stderr);
	else if (fcopy_log_to_syslog() < 0)
		FCOPY_LOG(WARNING, "cannot log to syslog; logging to stderr");
	ret = fcopy_signal_start();
	if (ret < 0) {
		FCOPY_LOG(ERR, "starting the signal thread: %s", strerror(-ret));
		return FCOPY_EXIT_FAIL;
	}
	if (sv->iso.isolated || sv->opts.cfg.policy.strict) {
		char what[160];

		fcopy_isolation_describe(&sv->iso, what, sizeof(what));
		FCOPY_LOG(NOTICE, "%s; %s profile", what,
			  sv->opts.cfg.policy.strict ? "strict" : "default");
	}
	fcopy_stats_init(&sv->stats);
	fcopy_telemetry_register(&sv->stats);
	ret = find_device(sv);
	if (ret == -EINTR)
		return FCOPY_EXIT_OK;
	if (ret < 0)
		return ret == -ENODEV ? FCOPY_EXIT_NO_DEVICE : FCOPY_EXIT_FAIL;
	if (prepare_delivery(sv) < 0) {
		rte_hvdev_close(sv->dev_id);
		return FCOPY_EXIT_FAIL;
	}
	if (start_device(sv) < 0) {
		rte_hvdev_close(sv->dev_id);
		return FCOPY_EXIT_FAIL;
	}
	ret = serve(sv);
	rte_hvdev_stop(sv->dev_id);
	rte_hvdev_close(sv->dev_id);
	FCOPY_LOG(INFO, "stopped after %" PRIu64 " %s delivered, %" PRIu64 " failed",
		  sv->stats.transfers_ok, sv->stats.transfers_ok == 1 ? "copy" : "copies",
		  sv->stats.transfers_failed);
	return ret < 0 ? FCOPY_EXIT_FAIL : FCOPY_EXIT_OK;
}

/* The EAL options from the command line merged with the defaults; -EINVAL: a bad one. */
static int
eal_args(int argc, char **argv, char ***args, char ***copy)
{
	char lcores[32], err[256];
	int n;

	default_lcores(lcores, sizeof(lcores));
	n = fcopy_eal_args(argc, argv, lcores, args, err, sizeof(err));
	if (n < 0) {
		fprintf(stderr, "%s: %s\n", FCOPY_PROG, err);
		return n;
	}
	/* EAL permutes and overwrites its vector: give it a copy, free the original. */
	*copy = calloc((size_t)n + 1, sizeof(char *));
	if (*copy == NULL) {
		fprintf(stderr, "%s: out of memory\n", FCOPY_PROG);
		return -ENOMEM;
	}
	memcpy(*copy, *args, (size_t)n * sizeof(char *));
	return n;
}

static void
print_version(void)
{
	printf("%s (hvdev) %s\n%s\n", FCOPY_PROG, HVDEV_VERSION, rte_version());
}

int
main(int argc, char **argv)
{
	static struct service sv;
	char **eal_argv = NULL, **eal_copy = NULL, **own_argv, err[PATH_MAX + 128];
	int eal_argc, own_argc, n, ret;

	sv.state.fd = -1;
	split_args(argc, argv, &eal_argc, &own_argc, &own_argv);
	if (fcopy_opts_parse(own_argc, own_argv, &sv.opts, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", FCOPY_PROG, err);
		fcopy_opts_free(&sv.opts);
		return FCOPY_EXIT_USAGE;
	}
	if (sv.opts.help || sv.opts.version) {
		if (sv.opts.help)
			fcopy_opts_usage(stdout, FCOPY_PROG);
		else
			print_version();
		fcopy_opts_free(&sv.opts);
		return FCOPY_EXIT_OK;
	}
	/* Every option is checked before anything is done: a typo binds nothing. */
	n = eal_args(eal_argc, argv, &eal_argv, &eal_copy);
	if (n < 0) {
		fcopy_eal_args_free(eal_argv);
		fcopy_opts_free(&sv.opts);
		return n == -EINVAL ? FCOPY_EXIT_USAGE : FCOPY_EXIT_FAIL;
	}
	ret = FCOPY_EXIT_OK;
	if (sv.opts.bind) {
		ret = bind_device(&sv.opts);
		if (sv.opts.bind_only || (ret < 0 && ret != -ENODEV)) {
			ret = ret == 0 ? FCOPY_EXIT_OK : ret == -ENODEV ? FCOPY_EXIT_NO_DEVICE :
			      FCOPY_EXIT_FAIL;
			goto out;
		}
	}
	/* A confidential VM: the host must not choose where files land (fcopy_isolation.h). */
	fcopy_isolation_detect(&sv.iso);
	if (fcopy_isolation_check(&sv.opts.cfg, &sv.iso, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", FCOPY_PROG, err);
		ret = FCOPY_EXIT_USAGE;
		goto out;
	}
	/* Before EAL starts its threads, so that they inherit the mask (fcopy_signal.h). */
	ret = fcopy_signal_block();
	if (ret < 0) {
		fprintf(stderr, "%s: cannot block the stop signals: %s\n", FCOPY_PROG,
			strerror(-ret));
		ret = FCOPY_EXIT_FAIL;
		goto out;
	}
	/* Before rte_eal_init(): it must run after telemetry's own handler. */
	atexit(eal_runtime_dir_remove);
	ret = rte_eal_init(n, eal_copy);
	/* Created early in rte_eal_init(), so also when it fails later. */
	snprintf(eal_runtime_dir, sizeof(eal_runtime_dir), "%s", rte_eal_get_runtime_dir());
	if (ret < 0) {
		fprintf(stderr, "%s: EAL initialisation failed (see above)\n", FCOPY_PROG);
		ret = FCOPY_EXIT_FAIL;
		goto out;
	}
	ret = run(&sv);
	fcopy_state_close(&sv.state);
	rte_eal_cleanup();
out:
	free(eal_copy);
	fcopy_eal_args_free(eal_argv);
	fcopy_opts_free(&sv.opts);
	return ret;
}
