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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>
#include <rte_telemetry.h>

#include <rte_hvdev.h>
#include <rte_hvdev_compat.h>
#include <rte_hvdev_ic_service.h>

#include "fcopy_bind.h"
#include "fcopy_deliver.h"
#include "fcopy_isolation.h"
#include "fcopy_log.h"
#include "fcopy_opts.h"
#include "fcopy_proto.h"
#include "fcopy_state.h"
#include "fcopy_stats.h"
#include "fcopy_telemetry.h"
#include "hvd_daemon.h"
#include "hvd_device.h"
#include "hvd_eal.h"

/* How long --bind waits for the kernel to bind the device and udev to make its node. */
#define BIND_WAIT_MS 10000

/* Everything the service owns, so that main() reads as the life cycle it is. */
struct service {
	struct fcopy_opts opts;
	struct fcopy_state state;
	struct fcopy_deliver dlv;
	struct fcopy_stats stats;
	struct fcopy_proto proto;
	struct fcopy_isolation iso;
	struct rte_hvdev_ic_service *ic;
	int16_t dev_id;
	char root[PATH_MAX];
};

/* Telemetry and offered() take the one service. */
static struct service *the_service;

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

static bool
node_present(const char *root)
{
	char node[PATH_MAX];

	return fcopy_bind_find_node(root, node, sizeof(node)) == 1;
}

/* Wait for the device, and only then create anything on disk (prepare_delivery()). */
static int
find_device(struct service *sv)
{
	const struct hvd_device_find find = {
		.class_name = "fcopy",
		.what = "file-copy device",
		.wait_s = sv->opts.wait_device_s,
		.node_present = node_present,
	};
	int id;

	id = hvd_device_find(&find);
	if (id < 0) {
		if (id == -ENODEV)
			FCOPY_LOG(ERR, "no file-copy device: are Guest Services on for this VM, "
				  "and is the device bound to uio_hv_generic (--bind)?");
		return id;
	}
	sv->dev_id = (int16_t)id;
	return 0;
}

/* The device is offered again once its node is back (asked before each reattach). */
static bool
offered(void *ctx)
{
	RTE_SET_USED(ctx);
	return node_present(the_service->root);
}

static void
telemetry(void *ctx, struct rte_tel_data *d)
{
	struct fcopy_stats s;

	RTE_SET_USED(ctx);
	fcopy_stats_get(&the_service->stats, &s);
	rte_tel_data_add_dict_u64(d, "transfers_ok", s.transfers_ok);
	rte_tel_data_add_dict_u64(d, "transfers_failed", s.transfers_failed);
	rte_tel_data_add_dict_int(d, "active", s.active);
}

static enum rte_hvdev_ic_service_mode
ic_mode(enum fcopy_mode m)
{
	return m == FCOPY_MODE_POLL ? RTE_HVDEV_IC_MODE_POLL :
	       m == FCOPY_MODE_ADAPTIVE ? RTE_HVDEV_IC_MODE_ADAPTIVE : RTE_HVDEV_IC_MODE_INTERRUPT;
}

/* The IC service over the device: configured, started, listed in telemetry. */
static int
start_service(struct service *sv)
{
	static struct rte_hvdev_ic_service_ops ops;
	const struct fcopy_config *cfg = &sv->opts.cfg;
	struct rte_hvdev_ic_service_conf conf = {
		.dev_id = sv->dev_id,
		.mode = ic_mode(cfg->mode),
		.busy_poll_us = cfg->busy_poll_us,
		/* While idle; during a copy fcopy_proto bounds each wait itself. */
		.recheck_ms = cfg->recheck_ms,
	};
	struct rte_hvdev_info info;

	ops = fcopy_proto_ops;
	ops.offered = offered;
	ops.telemetry = telemetry;
	hvd_device_root("fcopy", sv->root, sizeof(sv->root));
	sv->proto.transfer_timeout_s = cfg->policy.transfer_timeout_s;
	sv->proto.count = sv->opts.count;
	sv->ic = rte_hvdev_ic_service_create(&ops, &sv->proto, &conf);
	if (sv->ic == NULL) {
		FCOPY_LOG(ERR, "starting the file-copy device: %s", strerror(rte_errno));
		return -rte_errno;
	}
	sv->proto.ic = sv->ic;
	if (rte_hvdev_info_get(sv->dev_id, &info) == 0)
		FCOPY_LOG(NOTICE, "serving %s (%s) in %s mode, durability %s", info.dev_name,
			  info.node_kind == RTE_HVDEV_NODE_UIO ? "uio" : "simulator",
			  fcopy_mode_name(cfg->mode),
			  fcopy_durability_name(cfg->policy.durability));
	return 0;
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
	else if (hvd_log_to_syslog() < 0)
		FCOPY_LOG(WARNING, "cannot log to syslog; logging to stderr");
	ret = hvd_signals_start();
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
	if (start_service(sv) < 0) {
		rte_hvdev_close(sv->dev_id);
		return FCOPY_EXIT_FAIL;
	}
	hvd_signals_attach(sv->ic);
	ret = hvd_serve(sv->ic);
	hvd_signals_attach(NULL);
	rte_hvdev_ic_service_destroy(sv->ic);
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

	hvd_default_lcores(lcores, sizeof(lcores));
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

int
main(int argc, char **argv)
{
	static struct service sv;
	char **eal_argv = NULL, **eal_copy = NULL, **own_argv, err[PATH_MAX + 128];
	int eal_argc, own_argc, n, ret;

	sv.state.fd = -1;
	the_service = &sv;
	hvd_daemon_init(FCOPY_PROG, "hv_fcopy", hv_fcopy_logtype);
	hvd_eal_split(argc, argv, fcopy_opts_is_own, &eal_argc, &own_argc, &own_argv);
	if (fcopy_opts_parse(own_argc, own_argv, &sv.opts, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", FCOPY_PROG, err);
		fcopy_opts_free(&sv.opts);
		return FCOPY_EXIT_USAGE;
	}
	if (sv.opts.help || sv.opts.version) {
		if (sv.opts.help)
			fcopy_opts_usage(stdout, FCOPY_PROG);
		else
			hvd_print_version(HVDEV_VERSION);
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
	/* Before EAL starts its threads, so that they inherit the mask (hvd_daemon.h). */
	ret = hvd_signals_block();
	if (ret < 0) {
		fprintf(stderr, "%s: cannot block the stop signals: %s\n", FCOPY_PROG,
			strerror(-ret));
		ret = FCOPY_EXIT_FAIL;
		goto out;
	}
	/* Before rte_eal_init(): it must run after telemetry's own handler. */
	hvd_runtime_dir_register();
	ret = rte_eal_init(n, eal_copy);
	/* Created early in rte_eal_init(), so also when it fails later. */
	hvd_runtime_dir_set();
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
