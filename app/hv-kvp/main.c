/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * dpdk-hv-kvp [EAL options] -- [options]
 *
 * The Hyper-V Data Exchange (KVP) service: a drop-in replacement for hv_utils' KVP driver and
 * hv_kvp_daemon together. The skeleton (rte_hvdev_ic_service.h) serves the device; the KVP
 * handler (kvp_proto.h) decodes each request and runs it on the pool files (kvp_pool.h); this
 * file supplies what the handler asks of the guest (the intrinsic items, IP information and
 * configuration) and the daemon around it (options, binding, logging, telemetry).
 */

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>
#include <rte_telemetry.h>

#include <rte_hvdev.h>
#include <rte_hvdev_ic_service.h>
#include <rte_hvdev_kvp.h>

#include "hvd_daemon.h"
#include "hvd_device.h"
#include "hvd_eal.h"
#include "kvp_bind.h"
#include "kvp_handler.h"
#include "kvp_intrinsic.h"
#include "kvp_ipinfo.h"
#include "kvp_opts.h"
#include "kvp_pool.h"
#include "kvp_proto.h"
#include "kvp_str.h"

RTE_LOG_REGISTER_DEFAULT(hv_kvp_logtype, NOTICE);

#define KVP_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, hv_kvp_logtype, "hv_kvp: " fmt "\n", ##__VA_ARGS__)

/* Everything the service owns, so that main() reads as the life cycle it is. */
struct service {
	struct kvp_opts opts;
	char root[PATH_MAX];
	struct kvp_pools *pools;
	struct kvp_intrinsic intrinsic;
	struct kvp_ip_conf ip;
	struct kvp_ctx proto;
	struct rte_hvdev_ic_service *ic;
	int16_t dev_id;
	uint64_t handled;
	uint64_t ip_get, ip_set;
};

/* Telemetry and offered() take the one service. */
static struct service *the_service;

static void
ip_log(void *arg, uint32_t level, const char *msg)
{
	char esc[1024];

	RTE_SET_USED(arg);
	/* Interface names and script paths come from the guest; escape anyway (one rule). */
	rte_log(level, hv_kvp_logtype, "hv_kvp: %s\n",
		rte_hvdev_str_escape(esc, sizeof(esc), msg, 0));
}

static int
cb_intrinsic(void *arg, uint32_t index, char *key, size_t key_len, char *value,
	     size_t value_len)
{
	struct service *sv = arg;

	return kvp_intrinsic_get(&sv->intrinsic, index, key, key_len, value, value_len);
}

static uint32_t
ip_status(enum kvp_ip_status st)
{
	switch (st) {
	case KVP_IP_OK:
		return RTE_HVDEV_KVP_S_OK;
	case KVP_IP_NOT_FOUND:
		return RTE_HVDEV_KVP_GUID_NOTFOUND;
	case KVP_IP_INVALID:
		return RTE_HVDEV_KVP_INVALIDARG;
	case KVP_IP_FAIL:
	default:
		return RTE_HVDEV_KVP_E_FAIL;
	}
}

static uint32_t
cb_get_ip_info(void *arg, struct kvp_ip_info *info)
{
	struct service *sv = arg;
	static struct kvp_ip_info resp;
	enum kvp_ip_status st;

	sv->ip_get++;
	st = kvp_ip_get(&sv->ip, info, &resp);
	if (st == KVP_IP_OK) {
		/* The host's adapter id and family stay as it sent them. */
		info->dhcp_enabled = resp.dhcp_enabled;
		info->addr_family = resp.addr_family;
		kvp_strlcpy(info->ip_addr, resp.ip_addr, sizeof(info->ip_addr));
		kvp_strlcpy(info->sub_net, resp.sub_net, sizeof(info->sub_net));
		kvp_strlcpy(info->gate_way, resp.gate_way, sizeof(info->gate_way));
		kvp_strlcpy(info->dns_addr, resp.dns_addr, sizeof(info->dns_addr));
	}
	return ip_status(st);
}

static uint32_t
cb_set_ip_info(void *arg, const struct kvp_ip_info *info)
{
	struct service *sv = arg;

	sv->ip_set++;
	return ip_status(kvp_ip_set(&sv->ip, info));
}

static const char *const op_names[] = {
	"GET", "SET", "DELETE", "ENUMERATE", "GET_IP_INFO", "SET_IP_INFO",
};

static void
cb_record(void *arg, const struct kvp_op_record *rec)
{
	struct service *sv = arg;
	char key[256];
	const char *op = rec->operation < RTE_DIM(op_names) ? op_names[rec->operation] :
		"unknown";

	sv->handled++;
	rte_hvdev_str_escape(key, sizeof(key), rec->key != NULL ? rec->key : "", 0);
	/* One line per failure; successes at DEBUG (the host enumerates every few seconds). */
	if (rec->status != RTE_HVDEV_KVP_S_OK && rec->status != RTE_HVDEV_KVP_S_CONT)
		KVP_LOG(INFO, "%s pool %u key \"%s\": 0x%08x %s", op, rec->pool, key, rec->status,
			rec->reason != NULL ? rec->reason : "");
	else
		KVP_LOG(DEBUG, "%s pool %u index %u key \"%s\": 0x%08x", op, rec->pool,
			rec->index, key, rec->status);
	if (sv->opts.count != 0 && sv->handled >= sv->opts.count && sv->ic != NULL)
		rte_hvdev_ic_service_stop(sv->ic);
}

static const struct kvp_handler_ops handler_ops = {
	.intrinsic = cb_intrinsic,
	.get_ip_info = cb_get_ip_info,
	.set_ip_info = cb_set_ip_info,
	.record = cb_record,
};

static uint32_t
on_request(void *ctx, struct rte_hvdev_ic_req *req)
{
	struct service *sv = ctx;

	/* The skeleton negotiated; the handler needs the KVP version for the IP operations. */
	sv->proto.negotiated = true;
	sv->proto.fw = req->fw;
	sv->proto.srv = req->srv;
	return kvp_handle_request(&sv->proto, req->body, req->body_len,
				  req->msg_len - RTE_HVDEV_IC_HDR_SIZE);
}

static void
on_lost(void *ctx, enum rte_hvdev_ic_lost why)
{
	struct service *sv = ctx;

	RTE_SET_USED(why);
	kvp_ctx_reset(&sv->proto);
}

static bool
offered(void *ctx)
{
	char node[PATH_MAX];

	RTE_SET_USED(ctx);
	return kvp_bind_find_node(the_service->root, node, sizeof(node)) == 1;
}

static void
telemetry(void *ctx, struct rte_tel_data *d)
{
	struct service *sv = ctx;
	const struct kvp_proto_stats *s = &sv->proto.stats;
	struct kvp_pool_stats ps;

	rte_tel_data_add_dict_u64(d, "kvp_get", s->requests[RTE_HVDEV_KVP_OP_GET]);
	rte_tel_data_add_dict_u64(d, "kvp_set", s->requests[RTE_HVDEV_KVP_OP_SET]);
	rte_tel_data_add_dict_u64(d, "kvp_delete", s->requests[RTE_HVDEV_KVP_OP_DELETE]);
	rte_tel_data_add_dict_u64(d, "kvp_enumerate", s->requests[RTE_HVDEV_KVP_OP_ENUMERATE]);
	rte_tel_data_add_dict_u64(d, "kvp_get_ip_info", s->requests[RTE_HVDEV_KVP_OP_GET_IP_INFO]);
	rte_tel_data_add_dict_u64(d, "kvp_set_ip_info", s->requests[RTE_HVDEV_KVP_OP_SET_IP_INFO]);
	rte_tel_data_add_dict_u64(d, "kvp_unknown", s->requests[RTE_HVDEV_KVP_OP_COUNT]);
	rte_tel_data_add_dict_u64(d, "kvp_ok", s->ok);
	rte_tel_data_add_dict_u64(d, "kvp_failed", s->failed);
	rte_tel_data_add_dict_u64(d, "kvp_malformed", s->malformed);
	if (sv->pools != NULL) {
		kvp_pools_stats(sv->pools, &ps);
		rte_tel_data_add_dict_u64(d, "pool_loads", ps.loads);
		rte_tel_data_add_dict_u64(d, "pool_writes", ps.writes);
		rte_tel_data_add_dict_u64(d, "pool_lock_timeouts", ps.lock_timeouts);
		rte_tel_data_add_dict_u64(d, "pool_invalid_records", ps.invalid_records);
		rte_tel_data_add_dict_u64(d, "pool_oversized", ps.oversized);
	}
}

#define EAL_PREFIX_NAME "hv-kvp"
#define BIND_WAIT_MS 10000

/* Probe only once the KVP device's uio node is there: a failed probe logs errors each time. */
static bool
node_present(const char *root)
{
	char node[PATH_MAX];

	return kvp_bind_find_node(root, node, sizeof(node)) == 1;
}

/* The KVP device, waiting for it (and probing it once its node appears) when asked. */
static int
find_device(struct service *sv)
{
	const struct hvd_device_find find = {
		.class_name = "kvp",
		.what = "KVP device",
		.wait_s = sv->opts.wait_device_s,
		.node_present = node_present,
	};

	return hvd_device_find(&find);
}

static const char *
net_root(const struct service *sv)
{
	const char *env = getenv("HVDEV_ROOT");

	if (sv->opts.root != NULL)
		return sv->opts.root;
	return env != NULL && env[0] == '/' ? env : "/";
}

/* The pool files, the intrinsic items and the IP configuration: what the handler needs. */
static int
prepare(struct service *sv)
{
	struct kvp_pool_conf pc = {
		.dir = sv->opts.pool_dir,
		.max_records = sv->opts.max_records,
	};
	int ret;

	ret = kvp_pools_open(&sv->pools, &pc);
	if (ret < 0) {
		KVP_LOG(ERR, "cannot open the pool files in %s: %s",
			sv->opts.pool_dir != NULL ? sv->opts.pool_dir : KVP_POOL_DEFAULT_DIR,
			strerror(-ret));
		return ret;
	}
	ret = kvp_intrinsic_init(&sv->intrinsic, net_root(sv));
	if (ret < 0) {
		KVP_LOG(ERR, "--root %s: too long", net_root(sv));
		return ret;
	}
	sv->ip.root = net_root(sv);
	sv->ip.config_dir = sv->opts.pool_dir;
	sv->ip.scripts.dir = sv->opts.script_dir;
	sv->ip.scripts.root = net_root(sv);
	sv->ip.scripts.timeout_ms = sv->opts.script_timeout_ms;
	sv->ip.log = ip_log;
	kvp_ctx_init(&sv->proto, sv->pools, &handler_ops, sv);
	KVP_LOG(INFO, "pools in %s; OS %s %s, kernel %s", kvp_pool_path(sv->pools, 0),
		sv->intrinsic.os.name, sv->intrinsic.os.major, sv->intrinsic.os.build);
	return 0;
}

static enum rte_hvdev_ic_service_mode
ic_mode(enum kvp_mode m)
{
	return m == KVP_MODE_POLL ? RTE_HVDEV_IC_MODE_POLL :
	       m == KVP_MODE_ADAPTIVE ? RTE_HVDEV_IC_MODE_ADAPTIVE : RTE_HVDEV_IC_MODE_INTERRUPT;
}

static int
start_service(struct service *sv)
{
	static const struct rte_hvdev_ic_service_ops ops = {
		.name = "kvp",
		.on_request = on_request,
		.on_lost = on_lost,
		.offered = offered,
		.telemetry = telemetry,
	};
	struct rte_hvdev_ic_service_conf conf = {
		.dev_id = sv->dev_id,
		.mode = ic_mode(sv->opts.mode),
		.busy_poll_us = sv->opts.busy_poll_us,
	};

	sv->ic = rte_hvdev_ic_service_create(&ops, sv, &conf);
	if (sv->ic == NULL) {
		KVP_LOG(ERR, "starting the KVP device: %s", strerror(rte_errno));
		return -rte_errno;
	}
	KVP_LOG(NOTICE, "serving the KVP device in %s mode", kvp_mode_name(sv->opts.mode));
	return 0;
}

static int
run(struct service *sv)
{
	int ret, id;

	if (!sv->opts.syslog)
		rte_openlog_stream(stderr);
	else if (hvd_log_to_syslog() < 0)
		KVP_LOG(WARNING, "cannot log to syslog; logging to stderr");
	ret = hvd_signals_start();
	if (ret < 0) {
		KVP_LOG(ERR, "starting the signal thread: %s", strerror(-ret));
		return KVP_EXIT_FAIL;
	}
	hvd_device_root("kvp", sv->root, sizeof(sv->root));
	id = find_device(sv);
	if (id == -EINTR)
		return KVP_EXIT_OK;
	if (id < 0) {
		KVP_LOG(ERR, "no KVP device: is Data Exchange on for this VM, and is the device "
			"bound to uio_hv_generic (--bind)?");
		return KVP_EXIT_NO_DEVICE;
	}
	sv->dev_id = (int16_t)id;
	if (prepare(sv) < 0 || start_service(sv) < 0) {
		rte_hvdev_close(sv->dev_id);
		return KVP_EXIT_FAIL;
	}
	hvd_signals_attach(sv->ic);
	ret = hvd_serve(sv->ic);
	hvd_signals_attach(NULL);
	rte_hvdev_ic_service_destroy(sv->ic);
	sv->ic = NULL;
	rte_hvdev_close(sv->dev_id);
	KVP_LOG(INFO, "stopped after %" PRIu64 " requests (%" PRIu64 " failed)",
		sv->handled, sv->proto.stats.failed);
	return ret < 0 ? KVP_EXIT_FAIL : KVP_EXIT_OK;
}

/* The EAL options from the command line merged with the daemon's defaults (hvd_eal.h). */
static int
eal_args(int argc, char **argv, char ***args, char ***copy)
{
	char lcores[32], err[256];
	struct hvd_eal_conf conf = {
		.prog = KVP_PROG,
		.file_prefix = EAL_PREFIX_NAME,
		.class_name = "kvp",
		.lcores = lcores,
		.is_own = kvp_opts_is_own,
	};
	int n;

	hvd_default_lcores(lcores, sizeof(lcores));
	n = hvd_eal_args(&conf, argc, argv, args, err, sizeof(err));
	if (n < 0) {
		fprintf(stderr, "%s: %s\n", KVP_PROG, err);
		return n;
	}
	/* EAL permutes and overwrites its vector: give it a copy, free the original. */
	*copy = calloc((size_t)n + 1, sizeof(char *));
	if (*copy == NULL) {
		fprintf(stderr, "%s: out of memory\n", KVP_PROG);
		return -ENOMEM;
	}
	memcpy(*copy, *args, (size_t)n * sizeof(char *));
	return n;
}

static int
bind_device(const struct kvp_opts *o)
{
	const char *env = getenv("HVDEV_ROOT");
	struct kvp_bind_opts b = {
		.root = env != NULL && env[0] == '/' ? env : "/",
		.modprobe = o->modprobe,
		.wait_ms = BIND_WAIT_MS,
	};
	char node[PATH_MAX], err[1024];
	int ret;

	if (o->unbind) {
		ret = kvp_unbind(&b, err, sizeof(err));
		if (ret == 0)
			fprintf(stderr, "%s: the KVP device is back on %s\n", KVP_PROG,
				KVP_KERNEL_DRIVER);
		else
			fprintf(stderr, "%s: --unbind: %s\n", KVP_PROG, err);
		return ret;
	}
	ret = kvp_bind(&b, node, sizeof(node), err, sizeof(err));
	if (ret == 0)
		fprintf(stderr, "%s: the KVP device is bound to %s, node %s\n", KVP_PROG,
			KVP_UIO_DRIVER, node);
	else
		fprintf(stderr, "%s: --bind: %s\n", KVP_PROG, err);
	return ret;
}

static int
exit_code(int ret)
{
	return ret == 0 ? KVP_EXIT_OK : ret == -ENODEV ? KVP_EXIT_NO_DEVICE :
	       ret == -EBUSY ? KVP_EXIT_IN_USE : KVP_EXIT_FAIL;
}

int
main(int argc, char **argv)
{
	static struct service sv;
	char **eal_args_v = NULL, **eal_argv = NULL, **own_argv, err[512];
	int eal_argc, own_argc, n, ret;

	the_service = &sv;
	sv.dev_id = -1;
	hvd_daemon_init(KVP_PROG, "hv_kvp", hv_kvp_logtype);
	hvd_eal_split(argc, argv, kvp_opts_is_own, &eal_argc, &own_argc, &own_argv);
	if (kvp_opts_parse(own_argc, own_argv, &sv.opts, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s (see --help)\n", KVP_PROG, err);
		return KVP_EXIT_USAGE;
	}
	if (sv.opts.help) {
		kvp_opts_usage(stdout);
		return KVP_EXIT_OK;
	}
	if (sv.opts.version) {
		hvd_print_version(HVDEV_VERSION);
		return KVP_EXIT_OK;
	}
	/* Every option is checked before anything is done: a typo binds nothing. */
	n = eal_args(eal_argc, argv, &eal_args_v, &eal_argv);
	if (n < 0) {
		hvd_eal_args_free(eal_args_v);
		return n == -EINVAL ? KVP_EXIT_USAGE : KVP_EXIT_FAIL;
	}
	if (sv.opts.bind || sv.opts.unbind) {
		ret = bind_device(&sv.opts);
		if (sv.opts.bind_only || sv.opts.unbind || (ret < 0 && ret != -ENODEV)) {
			ret = exit_code(ret);
			goto out;
		}
	}
	/* Before EAL starts its threads, so that they inherit the mask (hvd_daemon.h). */
	ret = hvd_signals_block();
	if (ret < 0) {
		fprintf(stderr, "%s: cannot block the stop signals: %s\n", KVP_PROG,
			strerror(-ret));
		ret = KVP_EXIT_FAIL;
		goto out;
	}
	hvd_runtime_dir_register();
	ret = rte_eal_init(n, eal_argv);
	hvd_runtime_dir_set();
	if (ret < 0) {
		fprintf(stderr, "%s: EAL initialisation failed (see above)\n", KVP_PROG);
		ret = KVP_EXIT_FAIL;
		goto out;
	}
	ret = run(&sv);
	if (sv.pools != NULL)
		kvp_pools_close(sv.pools);
	rte_eal_cleanup();
out:
	free(eal_argv);
	hvd_eal_args_free(eal_args_v);
	return ret;
}
