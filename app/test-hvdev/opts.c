/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * The tool's own command line, everything after "--". It is parsed before rte_eal_init()
 * because --sim must start the simulated host, and add its device to the EAL arguments,
 * before EAL probes devices.
 */

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include "test_hvdev.h"

#define TH_MAX_COUNT 10000000u		/* echo: 80 MB of latency samples */
#define TH_MAX_SIZE (16u << 20)		/* larger than any VMBus ring */
#define TH_MAX_SECONDS (365u * 86400u)
#define TH_MAX_RING (64u << 20)
#define TH_MAX_SIM_DEVICES 256u
#define TH_DEFAULT_PING_SIZE 64u

static const struct th_cmd commands[] = {
	{ "list", "[--json]", false, TH_OPT_JSON, th_cmd_list },
	{ "info", "<dev> [--json]", true, TH_OPT_JSON, th_cmd_info },
	{ "send", "<dev> --hex HEX | --size N [--type T] [--flags F] [--xactid X] [--json]",
	  true, TH_OPT_JSON | TH_OPT_HEX | TH_OPT_SIZE | TH_OPT_TYPE | TH_OPT_FLAGS |
	  TH_OPT_XACTID, th_cmd_send },
	{ "recv", "<dev> [--timeout-ms N] [--json]", true, TH_OPT_JSON | TH_OPT_TIMEOUT,
	  th_cmd_recv },
	{ "echo", "<dev> --count N --size S [--mode intr|poll|adaptive] [--busy-poll-us U]\n"
	  "                [--timeout-ms N] [--json]",
	  true, TH_OPT_JSON | TH_OPT_COUNT | TH_OPT_SIZE | TH_OPT_MODE | TH_OPT_BUSY_POLL |
	  TH_OPT_TIMEOUT, th_cmd_echo },
	{ "serve", "<dev>|all [--seconds N] [--mode intr|poll|adaptive] [--busy-poll-us U]\n"
	  "                [--json]",
	  true, TH_OPT_JSON | TH_OPT_SECONDS | TH_OPT_MODE | TH_OPT_BUSY_POLL, th_cmd_serve },
	{ "floor", "[--count N] [--json]", false, TH_OPT_JSON | TH_OPT_COUNT, th_cmd_floor,
	  true },
	{ "floor-files", "<dev> [--seconds N] [--mode intr|poll|adaptive] [--busy-poll-us U]\n"
	  "                [--json]",
	  true, TH_OPT_JSON | TH_OPT_SECONDS | TH_OPT_MODE | TH_OPT_BUSY_POLL,
	  th_cmd_floor_files },
	{ "host", "--sim=ROOT [--sim-devices N] [--ping [--size S]] [--seconds N] [--json]",
	  false, TH_OPT_JSON | TH_OPT_PING | TH_OPT_SIZE | TH_OPT_SECONDS, th_cmd_host, true },
};

enum {
	OPT_JSON = 256,
	OPT_HEX,
	OPT_SIZE,
	OPT_TYPE,
	OPT_FLAGS,
	OPT_XACTID,
	OPT_TIMEOUT,
	OPT_COUNT,
	OPT_MODE,
	OPT_BUSY_POLL,
	OPT_SECONDS,
	OPT_SIM,
	OPT_SIM_CLASS,
	OPT_SIM_RING,
	OPT_SIM_DEVICES,
	OPT_PING,
};

static const struct option long_opts[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ "hex", required_argument, NULL, OPT_HEX },
	{ "size", required_argument, NULL, OPT_SIZE },
	{ "type", required_argument, NULL, OPT_TYPE },
	{ "flags", required_argument, NULL, OPT_FLAGS },
	{ "xactid", required_argument, NULL, OPT_XACTID },
	{ "timeout-ms", required_argument, NULL, OPT_TIMEOUT },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "busy-poll-us", required_argument, NULL, OPT_BUSY_POLL },
	{ "seconds", required_argument, NULL, OPT_SECONDS },
	{ "sim", optional_argument, NULL, OPT_SIM },
	{ "sim-class", required_argument, NULL, OPT_SIM_CLASS },
	{ "sim-ring-size", required_argument, NULL, OPT_SIM_RING },
	{ "sim-devices", required_argument, NULL, OPT_SIM_DEVICES },
	{ "ping", no_argument, NULL, OPT_PING },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Names of the enum th_opt bits, in bit order, for error messages. */
static const char *const opt_names[] = {
	"--json", "--hex", "--size", "--type", "--xactid", "--flags", "--timeout-ms",
	"--count", "--mode", "--busy-poll-us", "--seconds", "--ping",
};

void
th_usage(FILE *f)
{
	unsigned int i;

	fprintf(f,
		"Usage: " TH_PROG " [EAL options] -- [options] <command> [arguments]\n"
		"\n"
		"Recommended EAL options (no hugepages, no PCI, no runtime files):\n"
		"  --no-huge -m 64 --no-shconf --no-pci --no-telemetry\n"
		"\n"
		"Commands (<dev> is a device id or name, see 'list'):\n");
	for (i = 0; i < RTE_DIM(commands); i++)
		fprintf(f, "  %-6s %s\n", commands[i].name, commands[i].usage);
	fprintf(f,
		"\n"
		"Options:\n"
		"  --json                 print JSON instead of text\n"
		"  --hex HEX              send: the payload, in hex (spaces and colons allowed)\n"
		"  --size N               send: N bytes of a pattern; echo, host --ping: bytes\n"
		"                         per packet\n"
		"  --type T, --flags F    send: VMBus packet type (default 6, in-band) and flags\n"
		"  --xactid X             send: transaction id (default 0)\n"
		"  --timeout-ms N         recv: time to wait; echo: time to wait for each echo\n"
		"                         (default %d)\n"
		"  --count N              echo, floor: number of round trips\n"
		"  --mode M               intr (sleep on the host's interrupt, default), poll\n"
		"                         (spin), adaptive (interrupt mode that polls first)\n"
		"  --busy-poll-us U       adaptive mode's polling budget (default %d; implies\n"
		"                         --mode adaptive)\n"
		"  --seconds N            serve, host: stop after N seconds (default: at\n"
		"                         SIGINT or SIGTERM; host --ping: ping for N s,\n"
		"                         default 5)\n"
		"  --sim[=ROOT]           start a simulated Hyper-V host in this process, under\n"
		"                         ROOT (default: a temporary directory removed at exit),\n"
		"                         offering one device that echoes every packet, and add\n"
		"                         that device (--vdev=hvdev_uio0,...) to the EAL options\n"
		"  --sim-class NAME       class of the simulated device (default fcopy)\n"
		"  --sim-ring-size BYTES  ring size of the simulated device, per direction,\n"
		"                         header page included\n"
		"  --sim-devices N        host: number of devices offered (default 1, at\n"
		"                         most 256; a guest serves at most 64)\n"
		"  --ping                 host: send packets and time the guest's echoes (the\n"
		"                         guest runs 'serve'), instead of echoing the guest's\n"
		"  -h, --help             this text\n"
		"  --version              the hvdev and DPDK versions\n"
		"\n"
		"Exit status: 0 success, 1 failure, 2 usage error.\n",
		TH_DEFAULT_TIMEOUT_MS, TH_DEFAULT_BUSY_POLL_US);
}

const char *
th_mode_name(enum th_mode mode)
{
	switch (mode) {
	case TH_MODE_INTR:
		return "intr";
	case TH_MODE_POLL:
		return "poll";
	case TH_MODE_ADAPTIVE:
		return "adaptive";
	}
	return "?";
}

static int
parse_u64(const char *opt, const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	unsigned long long v = 0;
	char *end = NULL;

	/*
	 * Decimal, or hex with 0x; not octal, so that "08" is eight. A leading digit is
	 * required because strtoull() would take "-1" for a huge number.
	 */
	errno = 0;
	if (isdigit((unsigned char)s[0]))
		v = strtoull(s, &end, hex ? 16 : 10);
	if (end == NULL || end == s || *end != '\0' || errno != 0 || v < min || v > max) {
		TH_LOG(ERR, "%s: '%s' is not a number from %" PRIu64 " to %" PRIu64,
		       opt, s, min, max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int
parse_u32(const char *opt, const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t v;

	if (parse_u64(opt, s, min, max, &v) < 0)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

static int
hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* "0a0b0c", "0a 0b 0c", "0a:0b:0c" and a leading "0x" all give the bytes 0a 0b 0c. */
static int
parse_hex(const char *s, struct th_opts *o)
{
	size_t n = 0, cap = strlen(s) / 2 + 1;
	int hi = -1, d;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	free(o->hex);
	o->hex = malloc(cap);
	if (o->hex == NULL)
		return -ENOMEM;
	for (; *s != '\0'; s++) {
		if (*s == ' ' || *s == ':' || *s == '-') {
			if (hi >= 0)
				break;		/* a lone digit before the separator */
			continue;
		}
		d = hex_digit((unsigned char)*s);
		if (d < 0) {
			TH_LOG(ERR, "--hex: '%c' is not a hex digit", *s);
			return -EINVAL;
		}
		if (hi < 0) {
			hi = d;
		} else {
			o->hex[n++] = (uint8_t)(hi << 4 | d);
			hi = -1;
		}
	}
	if (hi >= 0 || n == 0) {
		TH_LOG(ERR, "--hex: give whole bytes, two hex digits each (e.g. --hex 0a0b0c)");
		return -EINVAL;
	}
	o->hex_len = (uint32_t)n;
	return 0;
}

static int
parse_mode(const char *s, enum th_mode *mode)
{
	if (strcmp(s, "intr") == 0 || strcmp(s, "interrupt") == 0)
		*mode = TH_MODE_INTR;
	else if (strcmp(s, "poll") == 0)
		*mode = TH_MODE_POLL;
	else if (strcmp(s, "adaptive") == 0)
		*mode = TH_MODE_ADAPTIVE;
	else {
		TH_LOG(ERR, "--mode: '%s' is not intr, poll or adaptive", s);
		return -EINVAL;
	}
	return 0;
}

static int
parse_sim_root(const char *arg, struct th_sim_opts *sim)
{
	sim->enabled = true;
	if (arg == NULL)
		return 0;
	if (arg[0] != '/' || strlen(arg) >= sizeof(sim->root)) {
		TH_LOG(ERR, "--sim=ROOT: '%s' must be an absolute path", arg);
		return -EINVAL;
	}
	/* A comma would end the root inside the --vdev argument built from it. */
	if (strchr(arg, ',') != NULL) {
		TH_LOG(ERR, "--sim=ROOT: '%s' must not contain a comma", arg);
		return -EINVAL;
	}
	strcpy(sim->root, arg);
	return 0;
}

/* One option; @p bit is the option's enum th_opt bit, 0 for the global ones. */
static int
parse_one(int opt, const char *arg, struct th_opts *o, uint32_t *bit)
{
	uint64_t v;

	*bit = 0;
	switch (opt) {
	case OPT_JSON:
		*bit = TH_OPT_JSON;
		o->json = true;
		return 0;
	case OPT_HEX:
		*bit = TH_OPT_HEX;
		return parse_hex(arg, o);
	case OPT_SIZE:
		*bit = TH_OPT_SIZE;
		return parse_u32("--size", arg, 0, TH_MAX_SIZE, &o->size);
	case OPT_TYPE:
		*bit = TH_OPT_TYPE;
		if (parse_u64("--type", arg, 0, UINT16_MAX, &v) < 0)
			return -EINVAL;
		o->type = (uint16_t)v;
		return 0;
	case OPT_FLAGS:
		*bit = TH_OPT_FLAGS;
		if (parse_u64("--flags", arg, 0, UINT16_MAX, &v) < 0)
			return -EINVAL;
		o->flags = (uint16_t)v;
		return 0;
	case OPT_XACTID:
		*bit = TH_OPT_XACTID;
		return parse_u64("--xactid", arg, 0, UINT64_MAX, &o->xactid);
	case OPT_TIMEOUT:
		*bit = TH_OPT_TIMEOUT;
		if (parse_u64("--timeout-ms", arg, 0, INT32_MAX, &v) < 0)
			return -EINVAL;
		o->timeout_ms = (int)v;
		return 0;
	case OPT_COUNT:
		*bit = TH_OPT_COUNT;
		return parse_u32("--count", arg, 1, TH_MAX_COUNT, &o->count);
	case OPT_MODE:
		*bit = TH_OPT_MODE;
		return parse_mode(arg, &o->mode);
	case OPT_BUSY_POLL:
		*bit = TH_OPT_BUSY_POLL;
		return parse_u32("--busy-poll-us", arg, 0, 1000000, &o->busy_poll_us);
	case OPT_SECONDS:
		*bit = TH_OPT_SECONDS;
		return parse_u32("--seconds", arg, 1, TH_MAX_SECONDS, &o->seconds);
	case OPT_SIM:
		return parse_sim_root(arg, &o->sim);
	case OPT_SIM_CLASS:
		o->sim.class_name = arg;
		return 0;
	case OPT_SIM_RING:
		return parse_u32("--sim-ring-size", arg, 1, TH_MAX_RING, &o->sim.ring_size);
	case OPT_SIM_DEVICES:
		return parse_u32("--sim-devices", arg, 1, TH_MAX_SIM_DEVICES, &o->sim.devices);
	case OPT_PING:
		*bit = TH_OPT_PING;
		o->sim.ping = true;
		return 0;
	}
	return -EINVAL;
}

static const struct th_cmd *
find_cmd(const char *name)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(commands); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* The positional arguments: the command and its <dev>. */
static int
parse_positional(int argc, char **argv, struct th_opts *o)
{
	const struct th_cmd *c;
	int n = argc - optind;

	if (n == 0) {
		TH_LOG(ERR, "no command given after '--' (list, info, send, recv, echo, serve, "
		       "floor, host); "
		       "see '" TH_PROG " -- --help'");
		return -EINVAL;
	}
	c = find_cmd(argv[optind]);
	if (c == NULL) {
		TH_LOG(ERR, "unknown command '%s'; see '" TH_PROG " -- --help'", argv[optind]);
		return -EINVAL;
	}
	o->cmd = c;
	if (c->needs_dev && n < 2) {
		TH_LOG(ERR, "%s: which device? usage: %s %s", c->name, c->name, c->usage);
		return -EINVAL;
	}
	if (n > (c->needs_dev ? 2 : 1)) {
		TH_LOG(ERR, "%s: unexpected argument '%s'; usage: %s %s", c->name,
		       argv[optind + (c->needs_dev ? 2 : 1)], c->name, c->usage);
		return -EINVAL;
	}
	o->dev = c->needs_dev ? argv[optind + 1] : NULL;
	return 0;
}

static const char *
opt_name(uint32_t bit)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(opt_names); i++)
		if (bit == 1u << i)
			return opt_names[i];
	return "?";
}

/* Refuse options that mean nothing to the command, and combinations that contradict. */
static int
check_combination(struct th_opts *o)
{
	const struct th_cmd *c = o->cmd;
	uint32_t extra = o->given & ~c->allowed;
	bool adaptive_ok;

	if (extra != 0) {
		TH_LOG(ERR, "%s: option %s does not apply; usage: %s %s", c->name,
		       opt_name(extra & (~extra + 1)), c->name, c->usage);
		return -EINVAL;
	}
	if (c->run == th_cmd_send &&
	    !!(o->given & TH_OPT_HEX) == !!(o->given & TH_OPT_SIZE)) {
		TH_LOG(ERR, "send: give the payload with either --hex or --size");
		return -EINVAL;
	}
	if (c->run == th_cmd_echo && (o->given & (TH_OPT_COUNT | TH_OPT_SIZE)) !=
	    (TH_OPT_COUNT | TH_OPT_SIZE)) {
		TH_LOG(ERR, "echo: --count and --size are required");
		return -EINVAL;
	}
	if (c->run == th_cmd_host && !o->sim.enabled) {
		TH_LOG(ERR, "host: give the root of the simulated system with --sim=ROOT");
		return -EINVAL;
	}
	if (c->run != th_cmd_host && o->sim.devices > 1) {
		TH_LOG(ERR, "--sim-devices: only the host command offers more than one device");
		return -EINVAL;
	}
	if ((o->given & TH_OPT_SIZE) && c->run == th_cmd_host && !o->sim.ping) {
		TH_LOG(ERR, "host: --size is the size of --ping's packets");
		return -EINVAL;
	}
	o->sim.ping_size = o->given & TH_OPT_SIZE ? o->size : TH_DEFAULT_PING_SIZE;
	if (o->given & TH_OPT_BUSY_POLL) {
		adaptive_ok = !(o->given & TH_OPT_MODE) || o->mode == TH_MODE_ADAPTIVE;
		if (!adaptive_ok) {
			TH_LOG(ERR, "--busy-poll-us is the budget of --mode adaptive, not %s",
			       th_mode_name(o->mode));
			return -EINVAL;
		}
		o->mode = TH_MODE_ADAPTIVE;
	} else if (o->mode == TH_MODE_ADAPTIVE) {
		o->busy_poll_us = TH_DEFAULT_BUSY_POLL_US;
	}
	return 0;
}

static void
opts_default(struct th_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->type = 6;	/* in-band data, as every IC message */
	o->timeout_ms = TH_DEFAULT_TIMEOUT_MS;
	o->mode = TH_MODE_INTR;
	o->sim.class_name = "fcopy";
	o->sim.devices = 1;
}

/*
 * Parse the tool's arguments (argv[0] is the program name).
 * @return 0, 1 when --help was given (usage printed), or -EINVAL with the error logged.
 */
int
th_opts_parse(int argc, char **argv, struct th_opts *o)
{
	uint32_t bit;
	int opt, ret = 0;

	opts_default(o);
	/* Our messages name the option; getopt's own would be printed in a second line. */
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":h", long_opts, NULL)) != -1) {
		if (opt == 'h') {
			th_usage(stdout);
			ret = 1;
			break;
		}
		if (opt == '?' || opt == ':') {
			TH_LOG(ERR, "%s option '%s'; see '" TH_PROG " -- --help'",
			       opt == '?' ? "unknown" : "missing value for", argv[optind - 1]);
			ret = -EINVAL;
			break;
		}
		ret = parse_one(opt, optarg, o, &bit);
		if (ret < 0)
			break;
		o->given |= bit;
	}
	if (ret == 0)
		ret = parse_positional(argc, argv, o);
	if (ret == 0)
		ret = check_combination(o);
	/* EAL parses its own arguments with getopt next. */
	opterr = 1;
	optind = 1;
	return ret;
}

void
th_opts_free(struct th_opts *o)
{
	free(o->hex);
	o->hex = NULL;
}
