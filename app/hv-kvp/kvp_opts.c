/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvp_opts.h"

enum {
	OPT_POOL_DIR = 256,
	OPT_SCRIPT_DIR,
	OPT_SCRIPT_TIMEOUT,
	OPT_ROOT,
	OPT_MAX_RECORDS,
	OPT_COUNT,
	OPT_WAIT_DEVICE,
	OPT_MODE,
	OPT_BUSY_POLL,
	OPT_SYSLOG,
	OPT_BIND,
	OPT_BIND_ONLY,
	OPT_UNBIND,
	OPT_NO_MODPROBE,
};

static const struct option long_opts[] = {
	{ "pool-dir", required_argument, NULL, OPT_POOL_DIR },
	{ "script-dir", required_argument, NULL, OPT_SCRIPT_DIR },
	{ "script-timeout", required_argument, NULL, OPT_SCRIPT_TIMEOUT },
	{ "root", required_argument, NULL, OPT_ROOT },
	{ "max-records", required_argument, NULL, OPT_MAX_RECORDS },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "wait-device", required_argument, NULL, OPT_WAIT_DEVICE },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "busy-poll-us", required_argument, NULL, OPT_BUSY_POLL },
	{ "syslog", no_argument, NULL, OPT_SYSLOG },
	{ "bind", no_argument, NULL, OPT_BIND },
	{ "bind-only", no_argument, NULL, OPT_BIND_ONLY },
	{ "unbind", no_argument, NULL, OPT_UNBIND },
	{ "no-modprobe", no_argument, NULL, OPT_NO_MODPROBE },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'v' },
	{ NULL, 0, NULL, 0 },
};

void
kvp_opts_usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [EAL options] -- [options]\n"
		"       %s [options]\n"
		"The Hyper-V Data Exchange (KVP) service, in place of hv_kvp_daemon.\n"
		"  --pool-dir DIR         pool files .kvp_pool_0..4 (/var/lib/hyperv)\n"
		"  --script-dir DIR       hv_get_dhcp_info, hv_get_dns_info, hv_set_ifconfig\n"
		"                         (default: /usr/libexec/hypervkvpd, then the other\n"
		"                         distributions' directories)\n"
		"  --script-timeout SEC   kill a script after SEC seconds (25)\n"
		"  --max-records N        records per pool file (the pool default)\n"
		"  --root DIR             read /etc, /sys and /proc under DIR (tests)\n"
		"  --wait-device SEC      wait up to SEC seconds for the device (0; -1: forever)\n"
		"  --mode MODE            intr, adaptive or poll (intr)\n"
		"  --busy-poll-us US      adaptive mode's busy-poll budget (50)\n"
		"  --count N              exit after N requests\n"
		"  --syslog               log to syslog only, as \"%s\"\n"
		"  --bind                 move the KVP device to uio_hv_generic first\n"
		"  --bind-only            the same, then exit\n"
		"  --unbind               give the KVP device back to hv_utils, then exit\n"
		"  --no-modprobe          --bind does not load uio_hv_generic\n"
		"  -h, --help             this text\n"
		"  -v, --version          the versions of hvdev and DPDK\n"
		"Exit status: 0 ok, 1 failure, 2 usage error, 3 no KVP device, 4 the kernel's KVP\n"
		"path is in use (--bind).\n",
		KVP_PROG, KVP_PROG, KVP_PROG);
}

bool
kvp_opts_is_own(const char *arg)
{
	const struct option *o;
	size_t n;

	if (strcmp(arg, "-h") == 0 || strcmp(arg, "-v") == 0)
		return true;
	if (strncmp(arg, "--", 2) != 0)
		return false;
	arg += 2;
	n = strcspn(arg, "=");
	for (o = long_opts; o->name != NULL; o++)
		if (strlen(o->name) == n && strncmp(o->name, arg, n) == 0)
			return true;
	return false;
}

const char *
kvp_mode_name(enum kvp_mode m)
{
	return m == KVP_MODE_POLL ? "poll" : m == KVP_MODE_ADAPTIVE ? "adaptive" : "interrupt";
}

static int
parse_u64(const char *v, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long x;

	if (v[0] < '0' || v[0] > '9')
		return -1;
	errno = 0;
	x = strtoull(v, &end, 10);
	if (errno != 0 || *end != '\0' || x > max)
		return -1;
	*out = x;
	return 0;
}

static int
bad(char *err, size_t errlen, const char *opt, const char *v, const char *want)
{
	snprintf(err, errlen, "--%s %s: %s", opt, v, want);
	return -EINVAL;
}

int
kvp_opts_parse(int argc, char **argv, struct kvp_opts *o, char *err, size_t errlen)
{
	uint64_t v;
	int c;

	memset(o, 0, sizeof(*o));
	o->modprobe = true;
	o->busy_poll_us = 50;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+hv", long_opts, NULL)) != -1) {
		const char *a = optarg;

		switch (c) {
		case OPT_POOL_DIR:
			o->pool_dir = a;
			break;
		case OPT_SCRIPT_DIR:
			o->script_dir = a;
			break;
		case OPT_ROOT:
			if (a[0] != '/')
				return bad(err, errlen, "root", a, "not an absolute path");
			o->root = a;
			break;
		case OPT_SCRIPT_TIMEOUT:
			if (parse_u64(a, 3600, &v) < 0 || v == 0)
				return bad(err, errlen, "script-timeout", a,
					   "not 1 to 3600 seconds");
			o->script_timeout_ms = (unsigned int)v * 1000;
			break;
		case OPT_MAX_RECORDS:
			if (parse_u64(a, UINT32_MAX, &v) < 0 || v == 0)
				return bad(err, errlen, "max-records", a, "not a positive number");
			o->max_records = (uint32_t)v;
			break;
		case OPT_COUNT:
			if (parse_u64(a, UINT64_MAX, &o->count) < 0)
				return bad(err, errlen, "count", a, "not a number");
			break;
		case OPT_WAIT_DEVICE:
			if (strcmp(a, "-1") == 0)
				o->wait_device_s = -1;
			else if (parse_u64(a, INT_MAX, &v) == 0)
				o->wait_device_s = (int)v;
			else
				return bad(err, errlen, "wait-device", a, "not seconds or -1");
			break;
		case OPT_MODE:
			if (strcmp(a, "intr") == 0 || strcmp(a, "interrupt") == 0)
				o->mode = KVP_MODE_INTR;
			else if (strcmp(a, "adaptive") == 0)
				o->mode = KVP_MODE_ADAPTIVE;
			else if (strcmp(a, "poll") == 0)
				o->mode = KVP_MODE_POLL;
			else
				return bad(err, errlen, "mode", a, "not intr, adaptive or poll");
			break;
		case OPT_BUSY_POLL:
			if (parse_u64(a, 1000000, &v) < 0)
				return bad(err, errlen, "busy-poll-us", a, "not 0 to 1000000");
			o->busy_poll_us = (uint32_t)v;
			break;
		case OPT_SYSLOG:
			o->syslog = true;
			break;
		case OPT_BIND:
			o->bind = true;
			break;
		case OPT_BIND_ONLY:
			o->bind = o->bind_only = true;
			break;
		case OPT_UNBIND:
			o->unbind = true;
			break;
		case OPT_NO_MODPROBE:
			o->modprobe = false;
			break;
		case 'h':
			o->help = true;
			break;
		case 'v':
			o->version = true;
			break;
		default:
			if (optopt != 0 && optopt < 256)
				snprintf(err, errlen, "unknown or incomplete option -%c", optopt);
			else
				snprintf(err, errlen, "unknown or incomplete option %s",
					 argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument %s", argv[optind]);
		return -EINVAL;
	}
	if (o->unbind && o->bind) {
		snprintf(err, errlen, "--unbind and --bind contradict each other");
		return -EINVAL;
	}
	return 0;
}
