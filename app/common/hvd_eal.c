/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include "hvd_eal.h"

/*
 * EAL's options, 22.11 and 25.11 (long name, short letter, argument), and which of the
 * service's defaults each one replaces. Checking them here, before rte_eal_init(), turns a
 * typo into one line and exit status 2 instead of EAL's whole usage text.
 */
enum {
	EAL_LCORES = 1 << 0,	/* -l */
	EAL_NO_HUGE = 1 << 1,	/* --no-huge */
	EAL_MEM = 1 << 2,	/* -m 64 */
	EAL_NO_PCI = 1 << 3,	/* --no-pci */
	EAL_NO_SHCONF = 1 << 4,	/* --no-shconf */
	EAL_PREFIX = 1 << 5,	/* --file-prefix */
	EAL_VDEV = 1 << 6,	/* --vdev=hvdev_uio0,class=NAME */
};

/* Hugepage options cannot go with --no-huge, nor -m with per-socket memory. */
#define EAL_HUGE (EAL_NO_HUGE)
#define EAL_HUGE_MEM (EAL_NO_HUGE | EAL_MEM)

enum { ARG_NONE, ARG_REQUIRED, ARG_OPTIONAL };

static const struct {
	const char *name;
	char letter;
	uint8_t arg;
	uint8_t replaces;
} eal_opts[] = {
	{ "allow", 'a', ARG_REQUIRED, EAL_NO_PCI },
	{ "base-virtaddr", 0, ARG_REQUIRED, 0 },
	{ "block", 'b', ARG_REQUIRED, EAL_NO_PCI },
	{ "coremask", 'c', ARG_REQUIRED, EAL_LCORES },
	{ "create-uio-dev", 0, ARG_NONE, 0 },
	{ "driver-path", 'd', ARG_REQUIRED, 0 },
	{ "file-prefix", 0, ARG_REQUIRED, EAL_PREFIX },
	{ "force-max-simd-bitwidth", 0, ARG_REQUIRED, 0 },
	{ "help", 'h', ARG_NONE, 0 },
	{ "huge-dir", 0, ARG_REQUIRED, EAL_HUGE },
	{ "huge-unlink", 0, ARG_OPTIONAL, EAL_HUGE },
	{ "huge-worker-stack", 0, ARG_OPTIONAL, EAL_HUGE },
	{ "in-memory", 0, ARG_NONE, 0 },
	{ "iova-mode", 0, ARG_REQUIRED, 0 },
	{ "lcores", 'l', ARG_REQUIRED, EAL_LCORES },
	{ "legacy-mem", 0, ARG_NONE, EAL_HUGE },
	{ "log-color", 0, ARG_OPTIONAL, 0 },
	{ "log-level", 0, ARG_REQUIRED, 0 },
	{ "log-timestamp", 0, ARG_OPTIONAL, 0 },
	{ "main-lcore", 0, ARG_REQUIRED, 0 },
	{ "match-allocations", 0, ARG_NONE, EAL_HUGE },
	{ "mbuf-pool-ops-name", 0, ARG_REQUIRED, 0 },
	{ "memory-channels", 'n', ARG_REQUIRED, 0 },
	{ "memory-ranks", 'r', ARG_REQUIRED, 0 },
	{ "memory-size", 'm', ARG_REQUIRED, EAL_MEM },
	{ "no-hpet", 0, ARG_NONE, 0 },
	{ "no-huge", 0, ARG_NONE, EAL_NO_HUGE },
	{ "no-pci", 0, ARG_NONE, EAL_NO_PCI },
	{ "no-shconf", 0, ARG_NONE, EAL_NO_SHCONF },
	{ "no-telemetry", 0, ARG_NONE, 0 },
	{ "numa-limit", 0, ARG_REQUIRED, EAL_HUGE },
	{ "numa-mem", 0, ARG_REQUIRED, EAL_HUGE_MEM },
	{ "proc-type", 0, ARG_REQUIRED, EAL_NO_SHCONF },
	{ "remap-lcore-ids", 'R', ARG_OPTIONAL, 0 },
	{ "service-corelist", 'S', ARG_REQUIRED, 0 },
	{ "service-coremask", 's', ARG_REQUIRED, 0 },
	{ "single-file-segments", 0, ARG_NONE, EAL_HUGE },
	{ "socket-limit", 0, ARG_REQUIRED, EAL_HUGE },
	{ "socket-mem", 0, ARG_REQUIRED, EAL_HUGE_MEM },
	{ "syslog", 0, ARG_OPTIONAL, 0 },
	{ "telemetry", 0, ARG_NONE, 0 },
	{ "trace", 0, ARG_REQUIRED, 0 },
	{ "trace-bufsz", 0, ARG_REQUIRED, 0 },
	{ "trace-dir", 0, ARG_REQUIRED, 0 },
	{ "trace-mode", 0, ARG_REQUIRED, 0 },
	{ "vdev", 0, ARG_REQUIRED, 0 },	/* only an hvdev one replaces the default */
	{ "version", 'v', ARG_NONE, 0 },
	{ "vfio-intr", 0, ARG_REQUIRED, 0 },
	{ "vfio-vf-token", 0, ARG_REQUIRED, 0 },
	{ "vmware-tsc-map", 0, ARG_NONE, 0 },
};

/* 22.11 spells --syslog with a required facility; 25.11 makes it optional: accept both. */
static bool
eal_opt_takes_next(unsigned int i)
{
	return eal_opts[i].arg == ARG_REQUIRED && strcmp(eal_opts[i].name, "syslog") != 0;
}

static int
eal_opt_find(const char *arg, const char **value, bool *inline_value)
{
	unsigned int i;
	size_t n;

	*value = NULL;
	*inline_value = false;
	if (arg[0] == '-' && arg[1] == '-') {
		arg += 2;
		n = strcspn(arg, "=");
		for (i = 0; i < RTE_DIM(eal_opts); i++) {
			if (strlen(eal_opts[i].name) != n || strncmp(eal_opts[i].name, arg, n) != 0)
				continue;
			if (arg[n] == '=') {
				*value = arg + n + 1;
				*inline_value = true;
			}
			return (int)i;
		}
		return -ENOENT;
	}
	if (arg[0] != '-' || arg[1] == '\0')
		return -EINVAL;
	for (i = 0; i < RTE_DIM(eal_opts); i++) {
		if (eal_opts[i].letter != arg[1])
			continue;
		if (arg[2] != '\0') {
			if (eal_opts[i].arg == ARG_NONE)
				return -ENOENT;
			*value = arg + 2;
			*inline_value = true;
		}
		return (int)i;
	}
	return -ENOENT;
}

/* The EAL options the user gave: which defaults they replace, or the first bad one. */
static int
eal_check(const struct hvd_eal_conf *c, int argc, char **argv, unsigned int *replaces,
	  char *err, size_t errlen)
{
	const char *value;
	bool inline_value;
	int i, k;

	*replaces = 0;
	for (i = 1; i < argc; i++) {
		k = eal_opt_find(argv[i], &value, &inline_value);
		if (k == -EINVAL) {
			snprintf(err, errlen, "unexpected argument '%s' before '--' (see --help)",
				 argv[i]);
			return -EINVAL;
		}
		if (k < 0) {
			if (c->is_own != NULL && c->is_own(argv[i]))
				snprintf(err, errlen, "'%s' is a service option: give it after "
					 "'--' (see --help)", argv[i]);
			else
				snprintf(err, errlen, "unknown option '%s' (see --help)",
					 argv[i]);
			return -EINVAL;
		}
		if (inline_value && eal_opts[k].arg == ARG_NONE) {
			snprintf(err, errlen, "EAL option '%s' takes no value", argv[i]);
			return -EINVAL;
		}
		if (!inline_value && eal_opt_takes_next((unsigned int)k)) {
			if (i + 1 >= argc) {
				snprintf(err, errlen, "missing value for EAL option '%s' (see "
					 "--help)", argv[i]);
				return -EINVAL;
			}
			value = argv[++i];
		}
		*replaces |= eal_opts[k].replaces;
		/* The user's own hvdev device stands for the default one; other vdevs add. */
		if (strcmp(eal_opts[k].name, "vdev") == 0 && strncmp(value, "hvdev_", 6) == 0)
			*replaces |= EAL_VDEV;
	}
	return 0;
}

void
hvd_eal_args_free(char **args)
{
	unsigned int i;

	for (i = 0; args != NULL && args[i] != NULL; i++)
		free(args[i]);
	free(args);
}

int
hvd_eal_args(const struct hvd_eal_conf *c, int argc, char **argv, char ***out, char *err,
	     size_t errlen)
{
	char prefix[128], vdev[128];
	const struct {
		unsigned int group;
		const char *arg[2];
	} defaults[] = {
		{ EAL_LCORES, { "-l", c->lcores } },
		/* No hugepages, PCI or shared config; telemetry stays on, under its own prefix. */
		{ EAL_NO_HUGE, { "--no-huge", NULL } },
		{ EAL_MEM, { "-m", "64" } },
		{ EAL_NO_PCI, { "--no-pci", NULL } },
		{ EAL_NO_SHCONF, { "--no-shconf", NULL } },
		{ EAL_PREFIX, { prefix, NULL } },
		{ 0, { "--log-level=lib.eal:notice", NULL } },
		{ 0, { "--log-level=lib.telemetry:error", NULL } },
		/* Only its class: other low-speed devices are not this service's to open. */
		{ EAL_VDEV, { vdev, NULL } },
	};
	unsigned int replaces, i, j;
	char **v;
	int n = 0, k;

	*out = NULL;
	err[0] = '\0';
	snprintf(prefix, sizeof(prefix), "--file-prefix=%s", c->file_prefix);
	snprintf(vdev, sizeof(vdev), "--vdev=hvdev_uio0,class=%s", c->class_name);
	if (eal_check(c, argc, argv, &replaces, err, errlen) < 0)
		return -EINVAL;
	v = calloc((size_t)argc + 2 * RTE_DIM(defaults) + 1, sizeof(*v));
	if (v == NULL)
		goto nomem;
	v[n++] = strdup(argc > 0 ? argv[0] : c->prog);
	/* Defaults first: a later --log-level of the user's wins over the default one. */
	for (i = 0; i < RTE_DIM(defaults); i++) {
		if (defaults[i].group & replaces)
			continue;
		for (j = 0; j < RTE_DIM(defaults[i].arg) && defaults[i].arg[j] != NULL; j++)
			v[n++] = strdup(defaults[i].arg[j]);
	}
	for (k = 1; k < argc; k++)
		v[n++] = strdup(argv[k]);
	*out = v;
	for (k = 0; k < n; k++)
		if (v[k] == NULL)
			goto nomem;
	return n;
nomem:
	snprintf(err, errlen, "out of memory");
	for (k = 0; v != NULL && k < n; k++)
		free(v[k]);
	free(v);
	*out = NULL;
	return -ENOMEM;
}

void
hvd_eal_split(int argc, char **argv, bool (*is_own)(const char *arg), int *eal_argc,
	      int *own_argc, char ***own_argv)
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
	if (argc > 1 && is_own != NULL && is_own(argv[1])) {
		*eal_argc = 1;
		*own_argv = argv;
		*own_argc = argc;
		return;
	}
	*eal_argc = argc;
	*own_argv = argv;
	*own_argc = 1;
}
