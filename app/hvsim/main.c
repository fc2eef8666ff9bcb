/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * dpdk-hvsim <command> [options]: the simulated Hyper-V host on the command line. lib/hvsim
 * needs no EAL, so neither does this program: it takes no EAL arguments.
 */

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_uuid.h>
#include <rte_version.h>

#include <rte_hvdev_ic.h>

#include "hvsim_app.h"
#include "rte_hvsim.h"

RTE_LOG_REGISTER_DEFAULT(hvsim_app_logtype, NOTICE);

enum {
	OPT_HELP = 'h',
	OPT_VERBOSE = 'v',
	OPT_ROOT = 256,
	OPT_CLASS,
	OPT_RING_SIZE,
	OPT_NO_NEGOTIATE,
	OPT_FORCE,
	OPT_CREATE_PATH,
	OPT_TIMEOUT_S,
	OPT_CHUNK,
	OPT_CANCEL_AFTER,
	OPT_JSON,
	OPT_FAULT,
	OPT_FILE_NAME,
	OPT_RENEGOTIATE,
	OPT_INSTANCE,
	OPT_KERNEL,
	OPT_STRICT_XACTID,
	OPT_POOL,
	OPT_TYPE,
	OPT_IP,
	OPT_SUBNET,
	OPT_GATEWAY,
	OPT_DNS,
	OPT_DHCP,
	OPT_FAMILY,
	OPT_MANGLE,
};

static const struct option long_opts[] = {
	{ "help", no_argument, NULL, OPT_HELP },
	{ "verbose", no_argument, NULL, OPT_VERBOSE },
	{ "root", required_argument, NULL, OPT_ROOT },
	{ "class", required_argument, NULL, OPT_CLASS },
	{ "ring-size", required_argument, NULL, OPT_RING_SIZE },
	{ "no-negotiate", no_argument, NULL, OPT_NO_NEGOTIATE },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "create-full-path", no_argument, NULL, OPT_CREATE_PATH },
	{ "timeout-s", required_argument, NULL, OPT_TIMEOUT_S },
	{ "chunk", required_argument, NULL, OPT_CHUNK },
	{ "cancel-after", required_argument, NULL, OPT_CANCEL_AFTER },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "fault", required_argument, NULL, OPT_FAULT },
	{ "file-name", required_argument, NULL, OPT_FILE_NAME },
	{ "renegotiate", no_argument, NULL, OPT_RENEGOTIATE },
	{ "instance", required_argument, NULL, OPT_INSTANCE },
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "strict-xactid", no_argument, NULL, OPT_STRICT_XACTID },
	{ "pool", required_argument, NULL, OPT_POOL },
	{ "type", required_argument, NULL, OPT_TYPE },
	{ "ip", required_argument, NULL, OPT_IP },
	{ "subnet", required_argument, NULL, OPT_SUBNET },
	{ "gateway", required_argument, NULL, OPT_GATEWAY },
	{ "dns", required_argument, NULL, OPT_DNS },
	{ "dhcp", no_argument, NULL, OPT_DHCP },
	{ "family", required_argument, NULL, OPT_FAMILY },
	{ "mangle", required_argument, NULL, OPT_MANGLE },
	{ NULL, 0, NULL, 0 },
};

struct cmd {
	const char *name;
	const char *const *opts;	/* the options it takes, besides --help and --verbose */
	int nargs;			/* positional arguments; -1: any number */
	const char *synopsis;
};

static const char *const serve_opts[] = {
	"root", "class", "ring-size", "no-negotiate", "instance", "kernel", "strict-xactid", NULL,
};
static const char *const copy_opts[] = {
	"root", "class", "force", "create-full-path", "timeout-s", "chunk", "cancel-after",
	"json", "fault", "file-name", NULL,
};
static const char *const fault_opts[] = { "root", "class", "renegotiate", NULL };
static const char *const dev_opts[] = { "root", "class", NULL };
static const char *const list_opts[] = { "root", NULL };
static const char *const kvp_opts[] = {
	"root", "class", "pool", "type", "json", "timeout-s", "ip", "subnet", "gateway", "dns",
	"dhcp", "family", "mangle", NULL,
};

static const struct cmd cmds[] = {
	{ "serve", serve_opts, 0,
	  "serve --root DIR [--class NAME [--instance GUID]]... [--ring-size BYTES]\n"
	  "         [--no-negotiate] [--kernel SPEC] [--strict-xactid] [-v]" },
	{ "copy", copy_opts, 2,
	  "copy --root DIR SRC DEST [--force] [--create-full-path] [--timeout-s N]\n"
	  "         [--chunk N] [--cancel-after BYTES] [--fault SPEC] [--class NAME] [--json]\n"
	  "         [--file-name NAME]" },
	{ "fault", fault_opts, -1,
	  "fault --root DIR [--class NAME] [--renegotiate] [KEY=VALUE...|clear]" },
	{ "rescind", dev_opts, 0, "rescind --root DIR [--class NAME]" },
	{ "offer", dev_opts, 0, "offer --root DIR [--class NAME]" },
	{ "list", list_opts, 0, "list --root DIR" },
	{ "kvp", kvp_opts, -1,
	  "kvp get|set|delete|enum|ip-get|ip-set --root DIR [ARGS] [--pool POOL]\n"
	  "         [--type TYPE] [--timeout-s N] [--class NAME] [--json] [--mangle SPEC]\n"
	  "         kvp get KEY | set KEY VALUE | delete KEY | enum | ip-get MAC\n"
	  "         kvp ip-set ADAPTER [--ip LIST] [--subnet LIST] [--gateway LIST]\n"
	  "         [--dns LIST] [--dhcp] [--family ipv4|ipv6|both|none]" },
};

struct app_opts {
	const struct cmd *cmd;
	struct hvsim_serve_opts serve;
	struct hvsim_copy_opts copy;
	struct hvsim_kvp_opts kvp;
	const char *root;
	const char *class_name;
	bool renegotiate;
	char **items;			/* fault: the KEY=VALUE arguments */
	int nitems;
	int verbose;
};

static void
usage(FILE *f)
{
	unsigned int i;

	fprintf(f, "Usage: " HVSIM_PROG " <command> [options]\n\n"
		"A simulated Hyper-V host: it offers low-speed VMBus devices under a root\n"
		"directory the way uio_hv_generic shows them, so that guest drivers and services\n"
		"(dpdk-hv-fcopy, hvdev_uio with root=DIR) run without Hyper-V.\n\nCommands:\n");
	for (i = 0; i < RTE_DIM(cmds); i++)
		fprintf(f, "  %s\n", cmds[i].synopsis);
	fprintf(f, "\n"
		"  serve    offer the devices (default: an fcopy and a KVP device, both\n"
		"           negotiating IC versions) and run the host until SIGINT or\n"
		"           SIGTERM; the other commands talk to it through\n"
		"           DIR/" HVSIM_CTL_SOCK ".\n"
		"  copy     Copy-VMFile: push local file SRC to guest path DEST (sent as is:\n"
		"           the guest puts the file in DEST if it ends in '/' or is a directory\n"
		"           there, else at DEST itself).\n"
		"  rescind  withdraw a device, as turning Guest Services off does.\n"
		"  offer    offer a rescinded device again.\n"
		"  list     show the devices, their state and counters.\n"
		"  kvp      the host's Data Exchange operations on the guest's pools: get,\n"
		"           set (add or modify, Add/ModifyKvpItems), delete (RemoveKvpItems),\n"
		"           enum (read a whole pool), ip-get and ip-set (an adapter's IP).\n"
		"  fault    set (KEY=VALUE items), clear or show a device's injected faults:\n"
		"           intr_delay_ms, intr_drop_every, intr_drop_pct, seed, corrupt, nego,\n"
		"           mangle, mangle_op, mangle_nth, mangle_len, step, action, pid\n"
		"           (see doc/guides/testing/faults.rst).\n\n"
		"Options:\n"
		"  --root DIR            the simulated system's root (serve creates it)\n"
		"  --class NAME          fcopy, kvp, vss, heartbeat, shutdown, timesync or a\n"
		"                        class GUID (serve: repeat for more devices; others: the\n"
		"                        device to act on, default the first one, fcopy for copy)\n"
		"  --ring-size BYTES     bytes per ring direction, header page included\n"
		"                        (whole pages, at least 2; default 5 pages, 2 MiB\n"
		"                        for KVP)\n"
		"  --no-negotiate        do not play the IC version negotiation\n"
		"  --instance GUID       instance id of the device of the --class before it\n"
		"                        (or of the default fcopy device); default: Hyper-V's\n"
		"                        eb765408-105f-49b6-b4aa-c123b64d17d4 for the first\n"
		"                        fcopy device, derived from class and relid otherwise\n"
		"  --kernel SPEC         the guest kernel to simulate (default $HVSIM_KERNEL,\n"
		"                        else current): current, mask-per-interrupt,\n"
		"                        legacy-ring, pre-6.10; flags mask-on-open,\n"
		"                        mask-each-interrupt, ring-4m, coalesce,\n"
		"                        no-lowspeed-bind, release=STRING\n"
		"  --strict-xactid       refuse IC answers that do not echo the VMBus\n"
		"                        transaction id (Hyper-V takes them; the upstream\n"
		"                        daemon sends them)\n"
		"  --force               overwrite an existing file (Copy-VMFile -Force)\n"
		"  --create-full-path    create missing directories (-CreateFullPath)\n"
		"  --timeout-s N         per-request timeout, 1 to 86400 (default 30)\n"
		"  --chunk N             WRITE data size, 1 to 6144 (default 6144)\n"
		"  --cancel-after BYTES  send CANCEL once BYTES are written\n"
		"  --json                print the outcome of copy or kvp as JSON\n"
		"  --fault SPEC          copy with these faults (comma-separated KEY=VALUE)\n"
		"  --file-name NAME      send NAME as the file name, not SRC's (odd names)\n"
		"  --renegotiate         fault: send a NEGOTIATE now (with the fault set)\n"
		"  --pool POOL           kvp: external (0, host items: the default of get, set,\n"
		"                        delete), guest (1, the guest's items), auto (2, the\n"
		"                        guest's intrinsic items: the default of enum),\n"
		"                        auto-external (3), auto-internal (4), or 0 to 255\n"
		"  --type TYPE           kvp set: string (default), expand-string, dword,\n"
		"                        qword, or a number\n"
		"  --ip, --subnet, --gateway, --dns LIST  kvp ip-set: ';'-separated lists\n"
		"  --dhcp                kvp ip-set: DHCP enabled\n"
		"  --family FAMILY       kvp ip-set: ipv4, ipv6, both or none (default: from\n"
		"                        the addresses)\n"
		"  --mangle SPEC         kvp: malform the request: key_size=N, value_size=N,\n"
		"                        body_len=N, icmsgsize=N, op=N, key_utf16,\n"
		"                        value_utf16, key_no_nul, value_no_nul (comma-separated)\n"
		"  -v, --verbose         more log (twice: debug)\n"
		"  -h, --help            this help\n"
		"  --version             the hvdev and DPDK versions\n\n"
		"Exit status: 0 success; 1 the operation failed (the guest's error, a timeout, a\n"
		"cancel, an answer the host refuses); 2 a usage error, or no serve process (or\n"
		"no such device) reachable under DIR.\n");
}

static bool
cmd_takes(const struct cmd *c, const char *opt)
{
	const char *const *p;

	for (p = c->opts; *p != NULL; p++)
		if (strcmp(*p, opt) == 0)
			return true;
	return false;
}

/* Decimal, with an optional K, M or G (powers of 1024) suffix. */
static int
parse_num(const char *opt, const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v = 0, mult = 1;
	char *end = NULL;

	errno = 0;
	if (isdigit((unsigned char)s[0]))
		v = strtoull(s, &end, 10);
	if (end != NULL && end != s && (*end == 'K' || *end == 'k'))
		mult = 1ull << 10;
	else if (end != NULL && end != s && (*end == 'M' || *end == 'm'))
		mult = 1ull << 20;
	else if (end != NULL && end != s && (*end == 'G' || *end == 'g'))
		mult = 1ull << 30;
	if (mult != 1)
		end++;
	if (end == NULL || end == s || *end != '\0' || errno != 0 || v > max / mult ||
	    v * mult < min || v * mult > max) {
		APP_LOG(ERR, "--%s: '%s' is not a number from %" PRIu64 " to %" PRIu64, opt, s,
			min, max);
		return -EINVAL;
	}
	*out = v * mult;
	return 0;
}

static int
set_opt(struct app_opts *a, int c, const char *arg)
{
	uint64_t v;
	long page = sysconf(_SC_PAGESIZE);
	rte_uuid_t uu;

	switch (c) {
	case OPT_ROOT:
		a->root = arg;
		return 0;
	case OPT_CLASS:
		if (rte_hvdev_ic_class_parse(arg, uu) < 0) {
			APP_LOG(ERR, "--class %s: neither a known class (fcopy, kvp, vss, "
				"heartbeat, shutdown, timesync) nor a GUID", arg);
			return -EINVAL;
		}
		if (strcmp(a->cmd->name, "serve") == 0) {
			if (a->serve.nclasses == RTE_DIM(a->serve.classes)) {
				APP_LOG(ERR, "--class: at most %zu devices",
					RTE_DIM(a->serve.classes));
				return -EINVAL;
			}
			a->serve.classes[a->serve.nclasses++] = arg;
		} else {
			a->class_name = arg;
		}
		return 0;
	case OPT_RING_SIZE:
		if (parse_num("ring-size", arg, 2 * (uint64_t)page, 1ull << 30, &v) < 0)
			return -EINVAL;
		if (v % (uint64_t)page != 0) {
			APP_LOG(ERR, "--ring-size: %" PRIu64 " is not a multiple of the page size "
				"(%ld)", v, page);
			return -EINVAL;
		}
		a->serve.ring_size = (uint32_t)v;
		return 0;
	case OPT_NO_NEGOTIATE:
		a->serve.no_negotiate = true;
		return 0;
	case OPT_INSTANCE: {
		unsigned int i = a->serve.nclasses > 0 ? a->serve.nclasses - 1 : 0;

		if (rte_uuid_parse(arg, uu) < 0) {
			APP_LOG(ERR, "--instance %s: not a GUID", arg);
			return -EINVAL;
		}
		if (a->serve.instances[i] != NULL) {
			APP_LOG(ERR, "--instance %s: device %u already has instance %s", arg, i + 1,
				a->serve.instances[i]);
			return -EINVAL;
		}
		a->serve.instances[i] = arg;
		return 0;
	}
	case OPT_KERNEL: {
		struct rte_hvsim_kernel k = { 0 };
		char err[256];

		if (rte_hvsim_kernel_parse(arg, &k, err, sizeof(err)) < 0) {
			APP_LOG(ERR, "--kernel %s: %s", arg, err);
			return -EINVAL;
		}
		a->serve.kernel = arg;
		return 0;
	}
	case OPT_STRICT_XACTID:
		a->serve.strict_xactid = true;
		return 0;
	case OPT_FORCE:
		a->copy.force = true;
		return 0;
	case OPT_CREATE_PATH:
		a->copy.create_path = true;
		return 0;
	case OPT_TIMEOUT_S:
		if (parse_num("timeout-s", arg, 1, 86400, &v) < 0)
			return -EINVAL;
		a->copy.timeout_s = (uint32_t)v;
		a->kvp.timeout_s = (uint32_t)v;
		return 0;
	case OPT_CHUNK:
		if (parse_num("chunk", arg, 1, 6144, &v) < 0)
			return -EINVAL;
		a->copy.chunk = (uint32_t)v;
		return 0;
	case OPT_CANCEL_AFTER:
		return parse_num("cancel-after", arg, 1, UINT64_MAX, &a->copy.cancel_after);
	case OPT_JSON:
		a->copy.json = true;
		a->kvp.json = true;
		return 0;
	case OPT_FAULT:
		a->copy.fault = arg;
		return 0;
	case OPT_FILE_NAME:
		a->copy.file_name = arg;
		return 0;
	case OPT_RENEGOTIATE:
		a->renegotiate = true;
		return 0;
	case OPT_POOL:
		if (rte_hvsim_kvp_pool_parse(arg) < 0) {
			APP_LOG(ERR, "--pool %s: neither external, guest, auto, auto-external, "
				"auto-internal nor a number from 0 to 255", arg);
			return -EINVAL;
		}
		a->kvp.pool = arg;
		return 0;
	case OPT_TYPE:
		if (rte_hvsim_kvp_type_parse(arg) < 0) {
			APP_LOG(ERR, "--type %s: neither string, expand-string, dword, qword nor a "
				"number", arg);
			return -EINVAL;
		}
		a->kvp.type = arg;
		return 0;
	case OPT_IP:
		a->kvp.ip = arg;
		return 0;
	case OPT_SUBNET:
		a->kvp.subnet = arg;
		return 0;
	case OPT_GATEWAY:
		a->kvp.gateway = arg;
		return 0;
	case OPT_DNS:
		a->kvp.dns = arg;
		return 0;
	case OPT_DHCP:
		a->kvp.dhcp = true;
		return 0;
	case OPT_FAMILY:
		a->kvp.family = arg;
		return 0;
	case OPT_MANGLE: {
		struct rte_hvsim_kvp_opts ko = { 0 };
		char err[256];

		if (rte_hvsim_kvp_mangle_parse(arg, &ko, err, sizeof(err)) < 0) {
			APP_LOG(ERR, "--mangle %s: %s", arg, err);
			return -EINVAL;
		}
		a->kvp.mangle = arg;
		return 0;
	}
	default:
		return -EINVAL;
	}
}

static const char *
opt_name(int c)
{
	const struct option *o;

	for (o = long_opts; o->name != NULL; o++)
		if (o->val == c)
			return o->name;
	return "?";
}

/* @return 0, 1 when help was printed, or -1 on a usage error (message logged). */
static int
parse_args(int argc, char **argv, struct app_opts *a)
{
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":hv", long_opts, NULL)) != -1) {
		if (c == OPT_HELP) {
			fprintf(stdout, "Usage: " HVSIM_PROG " %s\n", a->cmd->synopsis);
			return 1;
		}
		if (c == OPT_VERBOSE) {
			a->verbose++;
			continue;
		}
		if (c == '?' || c == ':') {
			APP_LOG(ERR, "%s: %s option '%s'", a->cmd->name,
				c == '?' ? "unknown" : "missing the value of", argv[optind - 1]);
			return -1;
		}
		if (!cmd_takes(a->cmd, opt_name(c))) {
			APP_LOG(ERR, "%s does not take --%s", a->cmd->name, opt_name(c));
			return -1;
		}
		if (set_opt(a, c, optarg) < 0)
			return -1;
	}
	if (a->cmd->nargs < 0) {
		a->items = argv + optind;
		a->nitems = argc - optind;
	} else if (argc - optind != a->cmd->nargs) {
		APP_LOG(ERR, "%s takes %d argument%s, not %d; usage: " HVSIM_PROG " %s",
			a->cmd->name, a->cmd->nargs, a->cmd->nargs == 1 ? "" : "s", argc - optind,
			a->cmd->synopsis);
		return -1;
	}
	if (a->root == NULL || a->root[0] == '\0') {
		APP_LOG(ERR, "%s needs --root DIR", a->cmd->name);
		return -1;
	}
	if (a->cmd->nargs == 2) {
		a->copy.src = argv[optind];
		a->copy.dest = argv[optind + 1];
	}
	return 0;
}

static const struct cmd *
find_cmd(const char *name)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(cmds); i++)
		if (strcmp(cmds[i].name, name) == 0)
			return &cmds[i];
	return NULL;
}

int
main(int argc, char **argv)
{
	struct app_opts a = { 0 };
	int ret;

	if (argc < 2) {
		usage(stderr);
		return HVSIM_EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return HVSIM_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("%s (hvdev) %s\n%s\n", HVSIM_PROG, HVDEV_VERSION, rte_version());
		return HVSIM_EXIT_OK;
	}
	a.cmd = find_cmd(argv[1]);
	if (a.cmd == NULL) {
		APP_LOG(ERR, "unknown command '%s'; see '" HVSIM_PROG " --help'", argv[1]);
		return HVSIM_EXIT_USAGE;
	}
	/* The command's own options follow it: parse them with the command as argv[0]. */
	ret = parse_args(argc - 1, argv + 1, &a);
	if (ret != 0)
		return ret > 0 ? HVSIM_EXIT_OK : HVSIM_EXIT_USAGE;
	if (a.verbose > 0) {
		uint32_t level = a.verbose > 1 ? RTE_LOG_DEBUG : RTE_LOG_INFO;

		rte_log_set_level_pattern("lib.hvsim", level);
		rte_log_set_level_pattern("app.hvsim", level);
	}
	a.serve.root = a.root;
	a.copy.root = a.root;
	a.copy.class_name = a.class_name;
	if (strcmp(a.cmd->name, "serve") == 0)
		return hvsim_serve(&a.serve);
	if (strcmp(a.cmd->name, "copy") == 0)
		return hvsim_copy(&a.copy);
	if (strcmp(a.cmd->name, "kvp") == 0) {
		a.kvp.root = a.root;
		a.kvp.class_name = a.class_name;
		a.kvp.args = (const char *const *)a.items;
		a.kvp.nargs = a.nitems;
		return hvsim_kvp(&a.kvp);
	}
	if (strcmp(a.cmd->name, "fault") == 0)
		return hvsim_fault(a.root, a.class_name, a.renegotiate,
				   (const char *const *)a.items, a.nitems);
	return hvsim_simple(a.root, a.cmd->name, a.class_name);
}
