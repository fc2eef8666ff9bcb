/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * dpdk-hv-fcopy's configuration file parser, alone or under the command line parser.
 *
 * Input: one mode byte, then the file. Mode bit 0 set: the file ends at the first NUL and the
 * NUL-separated words after it are command line options, parsed by fcopy_opts_parse() with
 * --config naming the file (a --config among the words is dropped: it would read any file).
 * The file is a memfd read through /proc/self/fd, so the parser reads it as it reads a path.
 *
 * Properties: 0 or a negative errno with a message; and when accepted, settings within their
 * documented ranges: every allowed root absolute and normalized (no "//", "/./", "/../", no
 * trailing '/'), at most FCOPY_MAX_ROOTS of them, modes without set-id or sticky bits,
 * directories rwx for the owner, an absolute state_dir, a known mode. Leaks are reported by
 * LeakSanitizer under libFuzzer.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include <rte_common.h>

#include "fcopy_opts.h"
#include "fcopy_policy.h"
#include "fuzz_common.h"

#define MAX_WORDS 32

static int memfd = -1;
static char memfd_path[64];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	RTE_SET_USED(argc);
	RTE_SET_USED(argv);
	fuzz_quiet_logs();
	memfd = memfd_create("fuzz_config", MFD_CLOEXEC);
	FUZZ_ASSERT(memfd >= 0, "memfd_create: %s", strerror(errno));
	snprintf(memfd_path, sizeof(memfd_path), "/proc/self/fd/%d", memfd);
	return 0;
}

static void
put_file(const uint8_t *p, size_t n)
{
	FUZZ_ASSERT(ftruncate(memfd, 0) == 0 && pwrite(memfd, p, n, 0) == (ssize_t)n,
		    "cannot write the memfd: %s", strerror(errno));
}

static void
check_root(const char *r)
{
	size_t n = strlen(r);

	FUZZ_ASSERT(r[0] == '/', "root '%s' not absolute", r);
	FUZZ_ASSERT(n == 1 || r[n - 1] != '/', "root '%s' ends in '/'", r);
	FUZZ_ASSERT(strstr(r, "//") == NULL && strstr(r, "/./") == NULL &&
		    strstr(r, "/../") == NULL, "root '%s' not normalized", r);
	FUZZ_ASSERT(!(n >= 2 && strcmp(r + n - 2, "/.") == 0) &&
		    !(n >= 3 && strcmp(r + n - 3, "/..") == 0), "root '%s' not normalized", r);
}

static void
check_config(const struct fcopy_config *c)
{
	const struct fcopy_policy *p = &c->policy;
	unsigned int i, j;

	FUZZ_ASSERT(p->nb_roots <= FCOPY_MAX_ROOTS, "%u roots", p->nb_roots);
	for (i = 0; i < p->nb_roots; i++) {
		check_root(p->roots[i]);
		for (j = 0; j < i; j++)
			FUZZ_ASSERT(strcmp(p->roots[i], p->roots[j]) != 0, "root %s twice",
				    p->roots[i]);
	}
	FUZZ_ASSERT(p->file_mode <= 0777 && p->dir_mode <= 0777, "modes %o %o", p->file_mode,
		    p->dir_mode);
	FUZZ_ASSERT((p->dir_mode & 0700) == 0700, "dir_mode %o", p->dir_mode);
	FUZZ_ASSERT(c->state_dir[0] == '/' && strnlen(c->state_dir, sizeof(c->state_dir)) <
		    sizeof(c->state_dir), "state_dir");
	FUZZ_ASSERT(c->mode == FCOPY_MODE_INTR || c->mode == FCOPY_MODE_ADAPTIVE ||
		    c->mode == FCOPY_MODE_POLL, "mode %d", c->mode);
	FUZZ_ASSERT(c->busy_poll_us <= 1000000 && p->transfer_timeout_s <= 86400,
		    "busy_poll_us %u, transfer_timeout %u", c->busy_poll_us,
		    p->transfer_timeout_s);
}

static void
fuzz_file(const uint8_t *p, size_t n)
{
	struct fcopy_config c;
	char err[512];
	int ret;

	put_file(p, n);
	FUZZ_ASSERT(fcopy_config_init(&c) == 0, "init");
	err[0] = '\0';
	ret = fcopy_config_load(&c, memfd_path, err, sizeof(err));
	FUZZ_ASSERT(ret <= 0, "result %d", ret);
	if (ret < 0) {
		FUZZ_ASSERT(err[0] != '\0', "refused without a reason (%d)", ret);
	} else {
		check_config(&c);
		err[0] = '\0';
		if (fcopy_config_check(&c, err, sizeof(err)) < 0)
			FUZZ_ASSERT(err[0] != '\0', "check refused without a reason");
	}
	fcopy_config_free(&c);
}

static void
fuzz_cmdline(const uint8_t *p, size_t n)
{
	char *copy, *argv[MAX_WORDS + 4], err[512];
	const uint8_t *nul = memchr(p, 0, n);
	size_t flen = nul != NULL ? (size_t)(nul - p) : n;
	struct fcopy_opts o;
	int argc = 0, ret;
	size_t i;

	put_file(p, flen);
	copy = malloc(n + 1);
	FUZZ_ASSERT(copy != NULL, "out of memory");
	memcpy(copy, p, n);
	copy[n] = '\0';
	argv[argc++] = (char *)(uintptr_t)"dpdk-hv-fcopy";
	argv[argc++] = (char *)(uintptr_t)"--config";
	argv[argc++] = memfd_path;
	for (i = flen + 1; i < n && argc < MAX_WORDS + 3; i += strlen(copy + i) + 1) {
		if (strncmp(copy + i, "--config", 8) == 0 || strncmp(copy + i, "--c", 3) == 0)
			continue;
		argv[argc++] = copy + i;
	}
	argv[argc] = NULL;
	ret = fcopy_opts_parse(argc, argv, &o, err, sizeof(err));
	FUZZ_ASSERT(ret == 0 || ret == -EINVAL, "result %d", ret);
	if (ret < 0)
		FUZZ_ASSERT(err[0] != '\0', "refused without a reason");
	else if (!o.help)
		check_config(&o.cfg);
	fcopy_opts_free(&o);
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] & 1)
		fuzz_cmdline(data + 1, size - 1);
	else
		fuzz_file(data + 1, size - 1);
	return 0;
}
