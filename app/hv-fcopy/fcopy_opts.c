/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>

#include "fcopy_log.h"
#include "fcopy_opts.h"
#include "hvd_eal.h"

#define MAX_WAIT_S 86400

enum {
	OPT_CONFIG = 256,
	OPT_ROOT,
	OPT_FILE_MODE,
	OPT_DIR_MODE,
	OPT_OWNER,
	OPT_GROUP,
	OPT_ALLOW_EXEC,
	OPT_NO_FSYNC,
	OPT_DURABILITY,
	OPT_STATE_DIR,
	OPT_TIMEOUT,
	OPT_DESTINATION,
	OPT_MODE,
	OPT_BUSY_POLL,
	OPT_RECHECK,
	OPT_SYSLOG,
	OPT_COUNT,
	OPT_WAIT_DEVICE,
	OPT_BIND,
	OPT_BIND_ONLY,
	OPT_NO_MODPROBE,
	OPT_VERSION,
	OPT_PROFILE,
	OPT_ALLOW_ANYWHERE,
};

static const struct option long_opts[] = {
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "allowed-root", required_argument, NULL, OPT_ROOT },
	{ "file-mode", required_argument, NULL, OPT_FILE_MODE },
	{ "dir-mode", required_argument, NULL, OPT_DIR_MODE },
	{ "owner", required_argument, NULL, OPT_OWNER },
	{ "group", required_argument, NULL, OPT_GROUP },
	{ "allow-exec", no_argument, NULL, OPT_ALLOW_EXEC },
	{ "no-fsync", no_argument, NULL, OPT_NO_FSYNC },
	{ "durability", required_argument, NULL, OPT_DURABILITY },
	{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
	{ "transfer-timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "destination", required_argument, NULL, OPT_DESTINATION },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "busy-poll-us", required_argument, NULL, OPT_BUSY_POLL },
	{ "recheck-ms", required_argument, NULL, OPT_RECHECK },
	{ "syslog", no_argument, NULL, OPT_SYSLOG },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "wait-device", required_argument, NULL, OPT_WAIT_DEVICE },
	{ "bind", no_argument, NULL, OPT_BIND },
	{ "bind-only", no_argument, NULL, OPT_BIND_ONLY },
	{ "no-modprobe", no_argument, NULL, OPT_NO_MODPROBE },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "allow-anywhere", no_argument, NULL, OPT_ALLOW_ANYWHERE },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Options that are configuration keys: one parser for the file and the command line. */
static const struct {
	int opt;
	const char *key;
	const char *value;	/* fixed value of a flag, NULL: the option's argument */
} key_opts[] = {
	{ OPT_ROOT, "allowed_root", NULL },
	{ OPT_FILE_MODE, "file_mode", NULL },
	{ OPT_DIR_MODE, "dir_mode", NULL },
	{ OPT_OWNER, "owner", NULL },
	{ OPT_GROUP, "group", NULL },
	{ OPT_ALLOW_EXEC, "allow_exec", "yes" },
	{ OPT_NO_FSYNC, "fsync", "no" },
	{ OPT_DURABILITY, "durability", NULL },
	{ OPT_STATE_DIR, "state_dir", NULL },
	{ OPT_TIMEOUT, "transfer_timeout", NULL },
	{ OPT_DESTINATION, "destination", NULL },
	{ OPT_MODE, "mode", NULL },
	{ OPT_BUSY_POLL, "busy_poll_us", NULL },
	{ OPT_RECHECK, "recheck_ms", NULL },
	{ OPT_SYSLOG, "log_syslog", "yes" },
	{ OPT_PROFILE, "profile", NULL },
	{ OPT_ALLOW_ANYWHERE, "allow_anywhere", "yes" },
};

void
fcopy_opts_usage(FILE *f, const char *prog)
{
	fprintf(f,
		"Usage: %s [EAL options] -- [options]\n"
		"Serve Hyper-V Copy-VMFile (the fcopy device) as hv_fcopy_uio_daemon does, with\n"
		"atomic delivery, a destination policy and precise errors. Without EAL options:\n"
		"no hugepages, 64 MB, 2 cores (1 if only 1), the fcopy device found by class.\n"
		"\n"
		"Destination policy:\n"
		"  --allowed-root DIR     copies only beneath DIR (repeatable; default: /tmp,\n"
		"                         /var/tmp, /srv, /mnt, /media; / is anywhere)\n"
		"  --allow-anywhere       accept --allowed-root / on a confidential VM\n"
		"  --profile P            default, or strict: no overwriting a file this service\n"
		"                         did not create, no dot-directory, dot-file or system\n"
		"                         directory (/etc, /boot, systemd, cron)\n"
		"  --file-mode MODE       mode of copied files (default 0644)\n"
		"  --allow-exec           let --file-mode carry execute bits\n"
		"  --dir-mode MODE        mode of created directories (default 0755)\n"
		"  --owner USER           owner of copied files and created directories\n"
		"  --group GROUP          their group\n"
		"  --durability D         sync (default): file and name on disk before COMPLETE\n"
		"                         is answered; async: answered at once, published once\n"
		"                         on disk; none: no flush (all atomic)\n"
		"  --no-fsync             the same as --durability none\n"
		"  --transfer-timeout S   abandon a copy after S s without a message (default "
		"%u, 0 never)\n"
		"  --destination RULE     auto (default): the host's path is a directory if it\n"
		"                         ends in '/' or is one, else the file; directory:\n"
		"                         always the directory, as hv_fcopy_uio_daemon\n"
		"Service:\n"
		"  --config FILE          configuration file (default %s if it exists)\n"
		"  --state-dir DIR        in-flight record for crash cleanup (default %s)\n"
		"  --mode M               intr (default), adaptive or poll\n"
		"  --busy-poll-us US      busy-poll budget of adaptive mode (default %u)\n"
		"  --recheck-ms MS        while idle, look at the ring every MS even without an\n"
		"                         interrupt (default 0: never; during a copy: every 1 s)\n"
		"  --syslog               log to syslog only, as \"%s\"\n"
		"  --count N              exit after N transfers\n"
		"  --wait-device S        wait up to S s for the device (-1: forever; default 0)\n"
		"  --bind                 bind the device to uio_hv_generic first\n"
		"  --bind-only            bind, wait for the device node, and exit\n"
		"  --no-modprobe          --bind does not load uio_hv_generic\n"
		"  --version              print the version and exit\n"
		"  -h, --help             print this help and exit\n"
		"Exit status: 0 ok, 1 failure, 2 usage or configuration error, 3 no fcopy "
		"device.\n",
		prog, FCOPY_DEFAULT_TRANSFER_TIMEOUT_S, FCOPY_DEFAULT_CONFIG,
		FCOPY_DEFAULT_STATE_DIR, FCOPY_DEFAULT_BUSY_POLL_US, "dpdk-hv-fcopy");
}

bool
fcopy_opts_is_own(const char *arg)
{
	unsigned int i;
	size_t n;

	if (strcmp(arg, "-h") == 0)
		return true;
	if (strncmp(arg, "--", 2) != 0)
		return false;
	arg += 2;
	n = strcspn(arg, "=");
	for (i = 0; long_opts[i].name != NULL; i++)
		if (strlen(long_opts[i].name) == n && strncmp(long_opts[i].name, arg, n) == 0)
			return true;
	return false;
}

static const char *
opt_name(int opt)
{
	unsigned int i;

	for (i = 0; long_opts[i].name != NULL; i++)
		if (long_opts[i].val == opt)
			return long_opts[i].name;
	return "?";
}

static int
parse_count(const char *v, uint64_t *out)
{
	char *end;

	if (v[0] < '0' || v[0] > '9')
		return -EINVAL;
	errno = 0;
	*out = strtoull(v, &end, 10);
	return errno != 0 || *end != '\0' ? -EINVAL : 0;
}

static int
parse_wait(const char *v, int *out)
{
	char *end;
	long x;

	errno = 0;
	x = strtol(v, &end, 10);
	if (errno != 0 || *end != '\0' || end == v || x > MAX_WAIT_S)
		return -EINVAL;
	*out = x < 0 ? -1 : (int)x;
	return 0;
}

/* First pass: only --config and --help, so that the file comes before every option. */
static int
find_config(int argc, char **argv, struct fcopy_opts *o, char *err, size_t errlen)
{
	int opt, ret;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", long_opts, NULL)) != -1) {
		if (opt == OPT_CONFIG)
			o->config_path = optarg;
		else if (opt == 'h')
			o->help = true;
	}
	if (o->help)
		return 0;
	if (o->config_path != NULL)
		return fcopy_config_load(&o->cfg, o->config_path, err, errlen);
	ret = fcopy_config_load(&o->cfg, FCOPY_DEFAULT_CONFIG, err, errlen);
	if (ret == -ENOENT) {
		err[0] = '\0';
		return 0;
	}
	if (ret == 0)
		o->config_path = FCOPY_DEFAULT_CONFIG;
	return ret;
}

static int
apply(struct fcopy_opts *o, int opt, const char *arg, char *err, size_t errlen)
{
	char where[64];
	unsigned int i;

	for (i = 0; i < RTE_DIM(key_opts); i++) {
		if (key_opts[i].opt != opt)
			continue;
		snprintf(where, sizeof(where), "--%s", opt_name(opt));
		return fcopy_config_set(&o->cfg, key_opts[i].key,
					key_opts[i].value != NULL ? key_opts[i].value : arg,
					FCOPY_SRC_CMDLINE, where, err, errlen);
	}
	switch (opt) {
	case OPT_CONFIG:
	case 'h':
		return 0;
	case OPT_COUNT:
		if (parse_count(arg, &o->count) < 0)
			goto bad;
		return 0;
	case OPT_WAIT_DEVICE:
		if (parse_wait(arg, &o->wait_device_s) < 0)
			goto bad;
		return 0;
	case OPT_BIND:
		o->bind = true;
		return 0;
	case OPT_BIND_ONLY:
		o->bind = true;
		o->bind_only = true;
		return 0;
	case OPT_NO_MODPROBE:
		o->modprobe = false;
		return 0;
	case OPT_VERSION:
		o->version = true;
		return 0;
	default:
		snprintf(err, errlen, "unknown option '%s' (see --help)", arg != NULL ? arg : "?");
		return -EINVAL;
	}
bad:
	snprintf(err, errlen, "--%s: invalid value '%s'", opt_name(opt), arg);
	return -EINVAL;
}

int
fcopy_opts_parse(int argc, char **argv, struct fcopy_opts *o, char *err, size_t errlen)
{
	int opt, ret;

	memset(o, 0, sizeof(*o));
	o->modprobe = true;
	err[0] = '\0';
	ret = fcopy_config_init(&o->cfg);
	if (ret < 0) {
		snprintf(err, errlen, "out of memory");
		return ret;
	}
	ret = find_config(argc, argv, o, err, errlen);
	if (ret < 0 || o->help)
		return ret < 0 ? -EINVAL : 0;
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", long_opts, NULL)) != -1) {
		if (opt == '?' || opt == ':') {
			snprintf(err, errlen, "%s '%s' (see --help)", opt == ':' ?
				 "missing value for" : "unknown option", argv[optind - 1]);
			return -EINVAL;
		}
		ret = apply(o, opt, optarg, err, errlen);
		if (ret < 0)
			return -EINVAL;
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s' (see --help)", argv[optind]);
		return -EINVAL;
	}
	optind = 0;
	return fcopy_config_check(&o->cfg, err, errlen) < 0 ? -EINVAL : 0;
}

void
fcopy_opts_free(struct fcopy_opts *o)
{
	fcopy_config_free(&o->cfg);
}

int
fcopy_eal_args(int argc, char **argv, const char *lcores, char ***out, char *err,
	       size_t errlen)
{
	const struct hvd_eal_conf c = {
		.prog = FCOPY_PROG,
		.file_prefix = FCOPY_EAL_PREFIX,
		.class_name = "fcopy",
		.lcores = lcores,
		.is_own = fcopy_opts_is_own,
	};

	return hvd_eal_args(&c, argc, argv, out, err, errlen);
}

void
fcopy_eal_args_free(char **args)
{
	hvd_eal_args_free(args);
}
