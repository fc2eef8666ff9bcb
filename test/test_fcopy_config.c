/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * dpdk-hv-fcopy's configuration: defaults, the file format, errors that name FILE:LINE, and
 * the command line overriding the file.
 */

#include <errno.h>
#include <stdlib.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <rte_common.h>

#include <rte_hvdev_ic.h>
#include <rte_log.h>

#include "fcopy_deliver.h"
#include "fcopy_isolation.h"
#include "fcopy_opts.h"
#include "fcopy_policy.h"
#include "fcopy_state.h"
#include "fcopy_stats.h"
#include "fcopy_telemetry.h"
#include "hvdev_test.h"

static char top[256];
static char conf_path[PATH_MAX];

static int
write_conf(const char *text)
{
	FILE *f;

	if (top[0] == '\0' && hvdev_test_root_create(top, sizeof(top)) != 0)
		return -1;
	hvdev_test_fmt(conf_path, sizeof(conf_path), "%s/test.conf", top);
	f = fopen(conf_path, "w");
	if (f == NULL)
		return -1;
	fputs(text, f);
	fclose(f);
	return 0;
}

/* Load @p text into a fresh configuration; its error message (empty on success). */
static int
load(const char *text, struct fcopy_config *c, char *err, size_t errlen)
{
	int ret;

	if (write_conf(text) < 0)
		return -EIO;
	fcopy_config_init(c);
	err[0] = '\0';
	ret = fcopy_config_load(c, conf_path, err, errlen);
	if (ret == 0)
		ret = fcopy_config_check(c, err, errlen);
	return ret;
}

/*
 * The unit's ReadWritePaths= ($HVDEV_FCOPY_UNIT, the source file) is exactly the default
 * roots (each with "-": a missing one is no error), with ProtectSystem=strict and
 * ProtectHome=read-only.
 */
static int
check_unit(const char *const *roots, unsigned int n)
{
	const char *unit = getenv("HVDEV_FCOPY_UNIT");
	char line[512], want[512] = "ReadWritePaths=";
	bool rw = false, sys = false, home = false;
	unsigned int i;
	FILE *f;

	if (unit == NULL)
		return TEST_SUCCESS;	/* run by hand, without meson */
	for (i = 0; i < n; i++)
		snprintf(want + strlen(want), sizeof(want) - strlen(want), "%s-%s",
			 i > 0 ? " " : "", roots[i]);
	f = fopen(unit, "re");
	TEST_ASSERT(f != NULL, "%s: %s", unit, strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "ReadWritePaths=", 15) == 0) {
			TEST_ASSERT(strcmp(line, want) == 0, "the unit says '%s', the policy '%s'",
				    line, want);
			rw = true;
		}
		sys |= strcmp(line, "ProtectSystem=strict") == 0;
		home |= strcmp(line, "ProtectHome=read-only") == 0;
	}
	fclose(f);
	TEST_ASSERT(rw && sys && home, "ReadWritePaths= (%d), ProtectSystem=strict (%d), "
		    "ProtectHome=read-only (%d) in %s", rw, sys, home, unit);
	return TEST_SUCCESS;
}

static int
test_defaults(void)
{
	/* FCOPY_DEFAULT_ROOTS, spelled out: the unit's ReadWritePaths= must say the same. */
	static const char *const roots[] = { "/tmp", "/var/tmp", "/srv", "/mnt", "/media" };
	struct fcopy_config c;
	unsigned int i;

	TEST_ASSERT_EQUAL(fcopy_config_init(&c), 0, "init");
	/* Not "/": no home, no /root, no /etc; the same list as the unit's ReadWritePaths=. */
	TEST_ASSERT_EQUAL(c.policy.nb_roots, RTE_DIM(roots), "the default roots");
	for (i = 0; i < c.policy.nb_roots; i++) {
		TEST_ASSERT(strcmp(c.policy.roots[i], roots[i]) == 0, "root %u: %s", i,
			    c.policy.roots[i]);
		TEST_ASSERT(strcmp(c.policy.roots[i], "/") != 0 &&
			    strncmp(c.policy.roots[i], "/home", 5) != 0 &&
			    strncmp(c.policy.roots[i], "/root", 5) != 0 &&
			    strncmp(c.policy.roots[i], "/etc", 4) != 0, "narrow: %s",
			    c.policy.roots[i]);
	}
	TEST_RUN(check_unit(roots, RTE_DIM(roots)));
	TEST_ASSERT_EQUAL(c.policy.file_mode, 0644, "files 0644, not 0744");
	TEST_ASSERT_EQUAL(c.policy.dir_mode, 0755, "directories 0755");
	TEST_ASSERT(c.policy.owner == (uid_t)-1 && c.policy.group == (gid_t)-1, "owner kept");
	TEST_ASSERT(c.policy.fsync && !c.policy.allow_exec, "fsync on, no execute bits");
	TEST_ASSERT_EQUAL(c.mode, FCOPY_MODE_INTR, "interrupt mode");
	TEST_ASSERT_EQUAL(c.busy_poll_us, 50, "adaptive budget");
	TEST_ASSERT_EQUAL(c.recheck_ms, 0, "no re-check while idle");
	fcopy_config_free(&c);
	return TEST_SUCCESS;
}

/* Whether the unit ($HVDEV_FCOPY_UNIT) has the line @p want. */
static bool
unit_has(const char *unit, const char *want)
{
	char line[512];
	bool found = false;
	FILE *f = fopen(unit, "re");

	while (f != NULL && !found && fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		found = strcmp(line, want) == 0;
	}
	if (f != NULL)
		fclose(f);
	return found;
}

/*
 * The unit never shows as failed on a VM without the device: started by udev only (no
 * [Install] into multi-user.target), "no device" is a success; ignored on isolate; the
 * daemon from sbin; no network; the system-service call set.
 */
static int
test_unit(void)
{
	static const char *const want[] = {
		"SuccessExitStatus=3", "IgnoreOnIsolate=yes", "RestartPreventExitStatus=2",
		"ExecStart=@SBINDIR@/dpdk-hv-fcopy -- --syslog --wait-device 60",
		"SystemCallFilter=@system-service", "SystemCallErrorNumber=EPERM",
		"PrivateNetwork=yes", "IPAddressDeny=any",
	};
	const char *unit = getenv("HVDEV_FCOPY_UNIT");
	unsigned int i;

	if (unit == NULL) {
		printf("skipped: HVDEV_FCOPY_UNIT does not name the unit\n");
		return TEST_SKIPPED;
	}
	TEST_ASSERT_EQUAL(FCOPY_EXIT_NO_DEVICE, 3, "SuccessExitStatus=3 is 'no device'");
	for (i = 0; i < RTE_DIM(want); i++)
		TEST_ASSERT(unit_has(unit, want[i]), "%s: no '%s'", unit, want[i]);
	TEST_ASSERT(!unit_has(unit, "WantedBy=multi-user.target") && !unit_has(unit, "[Install]"),
		    "%s: started at every boot, device or not", unit);
	return TEST_SUCCESS;
}

static int
test_good_file(void)
{
	struct fcopy_config c;
	char err[512];

	TEST_ASSERT_EQUAL(load("# a comment\n"
			       "\n"
			       "allowed_root = /srv/drop/   # trailing comment\n"
			       "allowed_root=/tmp//x/.\n"
			       "allowed_root = \"/srv/with#hash\"\n"
			       "file_mode = 0640\n"
			       "dir_mode = 750\n"
			       "owner = 0\n"
			       "group = root\n"
			       "fsync = no\n"
			       "mode = adaptive\n"
			       "busy_poll_us = 200\n"
			       "recheck_ms = 5000\n"
			       "log_syslog = yes\n"
			       "transfer_timeout = 30\n"
			       "state_dir = /run/x\n", &c, err, sizeof(err)), 0, "%s", err);
	TEST_ASSERT_EQUAL(c.policy.nb_roots, 3, "the file's roots replace the default");
	TEST_ASSERT(strcmp(c.policy.roots[0], "/srv/drop") == 0, "normalized: %s",
		    c.policy.roots[0]);
	TEST_ASSERT(strcmp(c.policy.roots[1], "/tmp/x") == 0, "normalized: %s",
		    c.policy.roots[1]);
	TEST_ASSERT(strcmp(c.policy.roots[2], "/srv/with#hash") == 0, "'#' inside a value");
	TEST_ASSERT(c.policy.file_mode == 0640 && c.policy.dir_mode == 0750, "modes");
	TEST_ASSERT(c.policy.owner == 0 && c.policy.group == 0, "owner and group");
	TEST_ASSERT(!c.policy.fsync && c.log_syslog, "booleans");
	TEST_ASSERT(c.mode == FCOPY_MODE_ADAPTIVE && c.busy_poll_us == 200, "mode");
	TEST_ASSERT_EQUAL(c.recheck_ms, 5000, "re-check interval");
	TEST_ASSERT(c.policy.transfer_timeout_s == 30 && strcmp(c.state_dir, "/run/x") == 0,
		    "timeout and state directory");
	fcopy_config_free(&c);
	hvdev_test_root_remove(top);
	top[0] = '\0';
	return TEST_SUCCESS;
}

/* @p text fails; the message starts with "FILE:LINE: " and mentions @p what. */
static int
bad(const char *text, unsigned int line, const char *what)
{
	struct fcopy_config c;
	char err[512], want[PATH_MAX + 16];

	TEST_ASSERT(load(text, &c, err, sizeof(err)) < 0, "'%s' refused", text);
	hvdev_test_fmt(want, sizeof(want), "%s:%u: ", conf_path, line);
	TEST_ASSERT(strncmp(err, want, strlen(want)) == 0, "'%s' names %s: %s", text, want, err);
	TEST_ASSERT(strstr(err, what) != NULL, "'%s' explains '%s': %s", text, what, err);
	fcopy_config_free(&c);
	return TEST_SUCCESS;
}

static int
test_errors(void)
{
	TEST_RUN(bad("# one\nfsync = yes\nbogus = 1\n", 3, "unknown key 'bogus'"));
	TEST_RUN(bad("file_mode = 0644\nno equals sign here\n", 2, "key = value"));
	TEST_RUN(bad("file_mode = rw-r--r--\n", 1, "octal mode"));
	TEST_RUN(bad("\n\nfile_mode = 0999\n", 3, "octal mode"));
	TEST_RUN(bad("file_mode = 4644\n", 1, "set-id"));
	TEST_RUN(bad("dir_mode = 0055\n", 1, "rwx"));
	TEST_RUN(bad("fsync = maybe\n", 1, "yes or no"));
	TEST_RUN(bad("mode = turbo\n", 1, "intr, adaptive or poll"));
	TEST_RUN(bad("busy_poll_us = -1\n", 1, "busy_poll_us"));
	TEST_RUN(bad("recheck_ms = 3600001\n", 1, "recheck_ms"));
	TEST_RUN(bad("allowed_root = relative/dir\n", 1, "absolute"));
	TEST_RUN(bad("allowed_root = /srv/../etc\n", 1, "'..'"));
	TEST_RUN(bad("owner = no-such-user-hvfcopy\n", 1, "no such user"));
	TEST_RUN(bad("group = no-such-group-hvfcopy\n", 1, "no such group"));
	TEST_RUN(bad("= 5\n", 1, "missing key"));
	TEST_RUN(bad("fsync =\n", 1, "missing value"));
	/* Checked once everything is read, still naming the line that set it. */
	TEST_RUN(bad("fsync = yes\nfile_mode = 0755\n", 2, "allow_exec"));
	hvdev_test_root_remove(top);
	top[0] = '\0';
	return TEST_SUCCESS;
}

static int
test_exec_allowed(void)
{
	struct fcopy_config c;
	char err[512];

	TEST_ASSERT_EQUAL(load("file_mode = 0755\nallow_exec = yes\n", &c, err, sizeof(err)), 0,
			  "%s", err);
	TEST_ASSERT_EQUAL(c.policy.file_mode, 0755, "mode");
	fcopy_config_free(&c);
	hvdev_test_root_remove(top);
	top[0] = '\0';
	return TEST_SUCCESS;
}

/* fcopy_opts_parse() on a vector of strings. */
static int
parse(const char *const *args, struct fcopy_opts *o, char *err, size_t errlen)
{
	char *argv[32];
	int argc = 0;

	while (args[argc] != NULL && argc < 31) {
		argv[argc] = (char *)(uintptr_t)args[argc];
		argc++;
	}
	argv[argc] = NULL;
	return fcopy_opts_parse(argc, argv, o, err, errlen);
}

static int
test_cmdline(void)
{
	const char *args[] = {
		"dpdk-hv-fcopy", "--allowed-root", "/data/a", "--config", conf_path,
		"--allowed-root", "/data/b", "--no-fsync", "--file-mode", "600", "--mode", "poll",
		"--count", "7", "--wait-device", "-1", "--bind", "--no-modprobe", NULL,
	};
	struct fcopy_opts o;
	char err[512];

	TEST_ASSERT(write_conf("allowed_root = /from/file\nfsync = yes\nfile_mode = 0640\n"
			       "mode = adaptive\n") == 0, "config file");
	TEST_ASSERT_EQUAL(parse(args, &o, err, sizeof(err)), 0, "%s", err);
	TEST_ASSERT_EQUAL(o.cfg.policy.nb_roots, 2, "command-line roots replace the file's");
	TEST_ASSERT(strcmp(o.cfg.policy.roots[0], "/data/a") == 0 &&
		    strcmp(o.cfg.policy.roots[1], "/data/b") == 0, "roots in order");
	TEST_ASSERT(!o.cfg.policy.fsync, "--no-fsync overrides the file");
	TEST_ASSERT_EQUAL(o.cfg.policy.file_mode, 0600, "--file-mode overrides the file");
	TEST_ASSERT_EQUAL(o.cfg.mode, FCOPY_MODE_POLL, "--mode");
	TEST_ASSERT(o.count == 7 && o.wait_device_s == -1, "--count, --wait-device");
	TEST_ASSERT(o.bind && !o.bind_only && !o.modprobe, "--bind --no-modprobe");
	TEST_ASSERT(o.config_path != NULL && strcmp(o.config_path, conf_path) == 0, "config");
	fcopy_opts_free(&o);
	hvdev_test_root_remove(top);
	top[0] = '\0';
	return TEST_SUCCESS;
}

static int
test_cmdline_errors(void)
{
	static const char *const unknown[] = { "x", "--frobnicate", NULL };
	static const char *const missing[] = { "x", "--allowed-root", NULL };
	static const char *const stray[] = { "x", "extra", NULL };
	static const char *const exec[] = { "x", "--file-mode", "0700", NULL };
	static const char *const count[] = { "x", "--count", "many", NULL };
	static const char *const noconf[] = { "x", "--config", "/nonexistent/hv.conf", NULL };
	static const char *const help[] = { "x", "--help", "--frobnicate-later", NULL };
	struct fcopy_opts o;
	char err[512];

	TEST_ASSERT(parse(unknown, &o, err, sizeof(err)) < 0 && strstr(err, "unknown") != NULL,
		    "unknown option: %s", err);
	fcopy_opts_free(&o);
	TEST_ASSERT(parse(missing, &o, err, sizeof(err)) < 0 && strstr(err, "missing") != NULL,
		    "missing value: %s", err);
	fcopy_opts_free(&o);
	TEST_ASSERT(parse(stray, &o, err, sizeof(err)) < 0 && strstr(err, "extra") != NULL,
		    "stray argument: %s", err);
	fcopy_opts_free(&o);
	TEST_ASSERT(parse(exec, &o, err, sizeof(err)) < 0 && strstr(err, "--file-mode") != NULL,
		    "execute bit names the option: %s", err);
	fcopy_opts_free(&o);
	TEST_ASSERT(parse(count, &o, err, sizeof(err)) < 0 && strstr(err, "--count") != NULL,
		    "bad number: %s", err);
	fcopy_opts_free(&o);
	TEST_ASSERT(parse(noconf, &o, err, sizeof(err)) < 0 &&
		    strstr(err, "/nonexistent/hv.conf") != NULL, "missing --config file: %s", err);
	fcopy_opts_free(&o);
	TEST_ASSERT(parse(help, &o, err, sizeof(err)) == 0 && o.help, "--help wins");
	fcopy_opts_free(&o);
	TEST_ASSERT(fcopy_opts_is_own("--bind-only") && fcopy_opts_is_own("--count=3") &&
		    !fcopy_opts_is_own("--no-huge") && !fcopy_opts_is_own("-l"),
		    "service options are told from EAL ones");
	return TEST_SUCCESS;
}

/* The position of @p arg in @p v, or -1; @p count: how many times it is there. */
static int
find_arg(char **v, const char *arg, int *count)
{
	int i, at = -1;

	*count = 0;
	for (i = 0; v[i] != NULL; i++)
		if (strcmp(v[i], arg) == 0) {
			if (at < 0)
				at = i;
			(*count)++;
		}
	return at;
}

/* fcopy_eal_args() on @p args; the vector in @p v. */
static int
eal(const char *const *args, char ***v, char *err, size_t errlen)
{
	char *argv[32];
	int argc = 0;

	while (args[argc] != NULL && argc < 31) {
		argv[argc] = (char *)(uintptr_t)args[argc];
		argc++;
	}
	argv[argc] = NULL;
	return fcopy_eal_args(argc, argv, "0,1", v, err, errlen);
}

/*
 * The user's EAL options are added to the service's defaults: one replaces only its own
 * default (-m 128 keeps --no-huge, --no-shconf, ...), one without a default only adds.
 */
static int
test_eal_merge(void)
{
	static const char *const none[] = { "x", NULL };
	static const char *const mem[] = { "x", "-m", "128", NULL };
	static const char *const tel[] = { "x", "--no-telemetry", NULL };
	static const char *const huge[] = { "x", "--socket-mem=128", NULL };
	static const char *const own[] = {
		"x", "-l", "3", "--file-prefix", "p", "--vdev=hvdev_uio0,class=fcopy,root=/r",
		"--log-level=lib.eal:debug", "--vdev", "net_null0", NULL,
	};
	static const char *const kept[] = { "--no-huge", "--no-pci", "--no-shconf",
					    "--file-prefix=" FCOPY_EAL_PREFIX,
					    "--vdev=hvdev_uio0,class=fcopy", NULL };
	char **v, err[256];
	int n, at, cnt, i;

	n = eal(none, &v, err, sizeof(err));
	TEST_ASSERT(n > 0, "defaults: %s", err);
	at = find_arg(v, "-l", &cnt);
	TEST_ASSERT(at > 0 && cnt == 1 && strcmp(v[at + 1], "0,1") == 0, "-l 0,1");
	at = find_arg(v, "-m", &cnt);
	TEST_ASSERT(at > 0 && cnt == 1 && strcmp(v[at + 1], "64") == 0, "-m 64");
	for (i = 0; kept[i] != NULL; i++)
		TEST_ASSERT(find_arg(v, kept[i], &cnt) > 0 && cnt == 1, "default %s", kept[i]);
	fcopy_eal_args_free(v);

	n = eal(mem, &v, err, sizeof(err));
	TEST_ASSERT(n > 0, "-m 128: %s", err);
	at = find_arg(v, "-m", &cnt);
	TEST_ASSERT(cnt == 1 && strcmp(v[at + 1], "128") == 0, "-m 128 replaces -m 64 (%d)",
		    cnt);
	for (i = 0; kept[i] != NULL; i++)
		TEST_ASSERT(find_arg(v, kept[i], &cnt) > 0 && cnt == 1, "-m 128 keeps %s",
			    kept[i]);
	TEST_ASSERT(find_arg(v, "-l", &cnt) > 0 && cnt == 1, "-m 128 keeps -l");
	fcopy_eal_args_free(v);

	n = eal(tel, &v, err, sizeof(err));
	TEST_ASSERT(n > 0, "--no-telemetry: %s", err);
	TEST_ASSERT(find_arg(v, "--no-telemetry", &cnt) == n - 1, "--no-telemetry added last");
	for (i = 0; kept[i] != NULL; i++)
		TEST_ASSERT(find_arg(v, kept[i], &cnt) > 0, "--no-telemetry keeps %s", kept[i]);
	TEST_ASSERT(find_arg(v, "-m", &cnt) > 0, "--no-telemetry keeps -m 64");
	fcopy_eal_args_free(v);

	/* Hugepage memory cannot go with --no-huge nor -m: both defaults go. */
	n = eal(huge, &v, err, sizeof(err));
	TEST_ASSERT(n > 0, "--socket-mem: %s", err);
	TEST_ASSERT(find_arg(v, "--no-huge", &cnt) < 0 && find_arg(v, "-m", &cnt) < 0,
		    "--socket-mem drops --no-huge and -m");
	TEST_ASSERT(find_arg(v, "--no-shconf", &cnt) > 0, "--socket-mem keeps --no-shconf");
	fcopy_eal_args_free(v);

	/* Separate values, an hvdev --vdev for the default one, another vdev only added. */
	n = eal(own, &v, err, sizeof(err));
	TEST_ASSERT(n > 0, "own: %s", err);
	TEST_ASSERT(find_arg(v, "-l", &cnt) > 0 && cnt == 1 &&
		    strcmp(v[find_arg(v, "-l", &cnt) + 1], "3") == 0, "-l 3 alone");
	TEST_ASSERT(find_arg(v, "--file-prefix=" FCOPY_EAL_PREFIX, &cnt) < 0,
		    "--file-prefix p replaces the default");
	TEST_ASSERT(find_arg(v, "--vdev=hvdev_uio0,class=fcopy", &cnt) < 0,
		    "the user's hvdev vdev replaces the default");
	TEST_ASSERT(find_arg(v, "net_null0", &cnt) > 0, "another vdev is added");
	TEST_ASSERT(find_arg(v, "--log-level=lib.eal:debug", &cnt) >
		    find_arg(v, "--log-level=lib.eal:notice", &cnt), "the user's log level last");
	TEST_ASSERT(find_arg(v, "--no-huge", &cnt) > 0, "and --no-huge stays");
	fcopy_eal_args_free(v);
	return TEST_SUCCESS;
}

/* A bad EAL option is named, before EAL sees it. */
static int
test_eal_errors(void)
{
	static const char *const unknown[] = { "x", "-l", "0", "--frobnicate", NULL };
	static const char *const shrt[] = { "x", "-q", NULL };
	static const char *const missing[] = { "x", "-m", NULL };
	static const char *const own[] = { "x", "--no-huge", "--bind", NULL };
	static const char *const flag[] = { "x", "--no-huge=1", NULL };
	static const char *const stray[] = { "x", "-l", "0", "1", NULL };
	char **v, err[256];

	TEST_ASSERT(eal(unknown, &v, err, sizeof(err)) == -EINVAL &&
		    strstr(err, "unknown option '--frobnicate'") != NULL, "unknown: %s", err);
	TEST_ASSERT(eal(shrt, &v, err, sizeof(err)) == -EINVAL &&
		    strstr(err, "'-q'") != NULL, "unknown short: %s", err);
	TEST_ASSERT(eal(missing, &v, err, sizeof(err)) == -EINVAL &&
		    strstr(err, "missing value") != NULL, "missing: %s", err);
	TEST_ASSERT(eal(own, &v, err, sizeof(err)) == -EINVAL &&
		    strstr(err, "'--bind' is a service option") != NULL, "own: %s", err);
	TEST_ASSERT(eal(flag, &v, err, sizeof(err)) == -EINVAL &&
		    strstr(err, "takes no value") != NULL, "flag: %s", err);
	TEST_ASSERT(eal(stray, &v, err, sizeof(err)) == -EINVAL &&
		    strstr(err, "unexpected argument '1'") != NULL, "stray: %s", err);
	return TEST_SUCCESS;
}

/* Run dpdk-hv-fcopy with @p args; its exit status, stdout and stderr (in files under top). */
static int
run_bin(const char *const *args, char *out, size_t outlen, char *errs, size_t errslen)
{
	const char *bin = getenv("HVDEV_FCOPY_BIN");
	char *argv[32], opath[PATH_MAX], epath[PATH_MAX];
	int argc = 0, status, fd;
	ssize_t len;
	pid_t pid;

	if (top[0] == '\0' && hvdev_test_root_create(top, sizeof(top)) != 0)
		return -1;
	hvdev_test_fmt(opath, sizeof(opath), "%s/stdout", top);
	hvdev_test_fmt(epath, sizeof(epath), "%s/stderr", top);
	argv[argc++] = (char *)(uintptr_t)bin;
	while (args[argc - 1] != NULL && argc < 31) {
		argv[argc] = (char *)(uintptr_t)args[argc - 1];
		argc++;
	}
	argv[argc] = NULL;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		fd = open(opath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 1);
		fd = open(epath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 2);
		execv(bin, argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	fd = open(opath, O_RDONLY);
	len = fd >= 0 ? read(fd, out, outlen - 1) : -1;
	out[len > 0 ? len : 0] = '\0';
	if (fd >= 0)
		close(fd);
	fd = open(epath, O_RDONLY);
	len = fd >= 0 ? read(fd, errs, errslen - 1) : -1;
	errs[len > 0 ? len : 0] = '\0';
	if (fd >= 0)
		close(fd);
	return WEXITSTATUS(status);
}

static unsigned int
lines(const char *s)
{
	unsigned int n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

/*
 * The binary: a typo anywhere is one line and exit status 2; --version names both versions;
 * the user's -m 128 keeps --no-huge (EAL starts without hugepages); a run that ends before
 * serving (no device) leaves neither the state directory nor EAL's runtime directory.
 */
static int
test_cli(void)
{
	static const char *const typo1[] = { "--frobnicate", NULL };
	static const char *const typo2[] = { "-l", "0", "--frobnicate", "--", NULL };
	static const char *const typo3[] = { "--", "--frobnicate", NULL };
	static const char *const version[] = { "--version", NULL };
	const char *const *typos[] = { typo1, typo2, typo3 };
	char out[8192], errs[8192], vdev[PATH_MAX], prefix[64], state[PATH_MAX], run[PATH_MAX];
	const char *merged[] = { "-m", "128", "--no-telemetry", vdev, prefix, "--",
				 "--state-dir", state, "--wait-device", "0", NULL };
	unsigned int i;
	int ret;

	if (getenv("HVDEV_FCOPY_BIN") == NULL) {
		printf("skipped: HVDEV_FCOPY_BIN does not name dpdk-hv-fcopy\n");
		return TEST_SKIPPED;
	}
	for (i = 0; i < RTE_DIM(typos); i++) {
		ret = run_bin(typos[i], out, sizeof(out), errs, sizeof(errs));
		TEST_ASSERT(ret == 2 && lines(errs) == 1 && lines(out) == 0 &&
			    strstr(errs, "--frobnicate") != NULL,
			    "typo %u: exit %d, %u lines:\n%s%s", i, ret, lines(errs) + lines(out),
			    out, errs);
	}
	ret = run_bin(version, out, sizeof(out), errs, sizeof(errs));
	TEST_ASSERT(ret == 0 && strncmp(out, "dpdk-hv-fcopy (hvdev) ", 22) == 0 &&
		    out[22] >= '0' && out[22] <= '9' && strstr(out, "\nDPDK ") != NULL,
		    "--version: exit %d: %s", ret, out);

	/* A root without a device: EAL must start (no hugepages), then exit 3. */
	TEST_ASSERT(top[0] != '\0', "test root");
	hvdev_test_fmt(vdev, sizeof(vdev), "--vdev=hvdev_uio0,class=fcopy,root=%s", top);
	hvdev_test_fmt(prefix, sizeof(prefix), "--file-prefix=hvfcopy-cli-%d", (int)getpid());
	hvdev_test_fmt(state, sizeof(state), "%s/state", top);
	hvdev_test_fmt(run, sizeof(run), "/var/run/dpdk/hvfcopy-cli-%d", (int)getpid());
	ret = run_bin(merged, out, sizeof(out), errs, sizeof(errs));
	TEST_ASSERT(ret == 3 && strstr(errs, "hugepage") == NULL,
		    "-m 128 keeps --no-huge: exit %d (3: no device):\n%s", ret, errs);
	TEST_ASSERT(!hvdev_test_exists(state), "an early exit created %s", state);
	TEST_ASSERT(!hvdev_test_exists(run), "an early exit left %s", run);
	rmdir(run);
	hvdev_test_root_remove(top);
	top[0] = '\0';
	return TEST_SUCCESS;
}

/* How many lines of @p text contain @p part. */
static unsigned int
lines_with(const char *text, const char *part)
{
	const char *p = text, *nl;
	unsigned int n = 0;
	char line[1024];
	size_t len;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		snprintf(line, sizeof(line), "%.*s", (int)RTE_MIN(len, sizeof(line) - 1), p);
		n += strstr(line, part) != NULL;
		p += len + (nl != NULL);
	}
	return n;
}

/*
 * What a user reads: a rate with significant digits for a small file (not 0.00 MB/s), the
 * HRESULT of telemetry in hex, and a refused copy logged once, with its reason.
 */
static int
test_messages(void)
{
	char buf[64], err[512], *text = NULL, dir[PATH_MAX];
	struct fcopy_deliver dlv;
	struct fcopy_stats stats;
	struct fcopy_state st;
	struct fcopy_config c;
	size_t len = 0;
	uint32_t hr;
	FILE *f;

	TEST_ASSERT(strcmp(fcopy_stats_rate(1000, 500000, buf, sizeof(buf)), "2.00 MB/s") == 0,
		    "1000 bytes in 0.5 ms: %s", buf);
	TEST_ASSERT(strcmp(fcopy_stats_rate(10, 1000000000, buf, sizeof(buf)), "10 B/s") == 0,
		    "10 bytes in 1 s: %s", buf);
	TEST_ASSERT(strcmp(fcopy_stats_rate(123456789, 1000000000, buf, sizeof(buf)),
			   "123 MB/s") == 0, "123456789 bytes in 1 s: %s", buf);
	TEST_ASSERT(strcmp(fcopy_stats_rate(4500, 1000000000, buf, sizeof(buf)),
			   "4.50 kB/s") == 0, "4500 bytes in 1 s: %s", buf);
	TEST_ASSERT(strcmp(fcopy_stats_rate(1, 10, buf, sizeof(buf)), "-") == 0,
		    "not measurable: %s", buf);
	TEST_ASSERT(strcmp(fcopy_stats_duration(1500000000, buf, sizeof(buf)), "1.500 s") == 0 &&
		    strcmp(fcopy_stats_duration(2500000, buf, sizeof(buf)), "2.5 ms") == 0,
		    "durations: %s", buf);
	TEST_ASSERT(strcmp(fcopy_telemetry_hresult(0x80070005, buf, sizeof(buf)),
			   "0x80070005") == 0 &&
		    strcmp(fcopy_telemetry_hresult(0, buf, sizeof(buf)), "0x00000000") == 0,
		    "telemetry HRESULT: %s", buf);

	/* A copy outside the allowed roots, as fcopy_proto handles a START: one line. */
	TEST_ASSERT(top[0] != '\0' || hvdev_test_root_create(top, sizeof(top)) == 0, "root");
	hvdev_test_fmt(dir, sizeof(dir), "%s/state", top);
	TEST_ASSERT(hvdev_test_mkdirs(dir) == 0, "state dir");
	TEST_ASSERT_EQUAL(fcopy_config_init(&c), 0, "config");
	TEST_ASSERT_EQUAL(fcopy_state_open(&st, dir, false, err, sizeof(err)), 0, "%s", err);
	fcopy_deliver_init(&dlv, &c.policy, &st);
	fcopy_stats_init(&stats);
	f = open_memstream(&text, &len);
	TEST_ASSERT(f != NULL, "memstream");
	rte_openlog_stream(f);
	hr = fcopy_deliver_start(&dlv, "/etc/hvdev-test-refused", "x.bin", 0, 10);
	fcopy_stats_begin(&stats, dlv.target, 10);
	fcopy_stats_end(&stats, hr, dlv.reason);
	rte_openlog_stream(NULL);
	fclose(f);
	fcopy_state_close(&st);
	fcopy_config_free(&c);
	hvdev_test_root_remove(top);
	top[0] = '\0';
	TEST_ASSERT(hr != RTE_HVDEV_IC_S_OK, "refused");
	TEST_ASSERT(lines_with(text, "hvdev-test-refused") == 1 &&
		    lines_with(text, "copy failed") == 1 && strstr(text, dlv.reason) != NULL,
		    "one line for the failure, with its reason:\n%s", text);
	TEST_ASSERT(strstr(text, "0.00 MB/s") == NULL, "no 0.00 MB/s: %s", text);
	free(text);
	return TEST_SUCCESS;
}

/* profile and allow_anywhere, from the file and from the command line. */
static int
test_profile(void)
{
	static const char *const args[] = { "x", "--profile", "strict", "--allow-anywhere",
					     NULL };
	static const char *const bad[] = { "x", "--profile", "paranoid", NULL };
	struct fcopy_config c;
	struct fcopy_opts o;
	char err[512];

	TEST_ASSERT_EQUAL(load("profile = strict\nallow_anywhere = yes\n", &c, err, sizeof(err)),
			  0, "%s", err);
	TEST_ASSERT(c.policy.strict && c.allow_anywhere, "strict profile, / accepted");
	fcopy_config_free(&c);
	TEST_ASSERT_EQUAL(load("profile = default\n", &c, err, sizeof(err)), 0, "%s", err);
	TEST_ASSERT(!c.policy.strict && !c.allow_anywhere, "default profile");
	fcopy_config_free(&c);
	TEST_ASSERT(load("profile = paranoid\n", &c, err, sizeof(err)) < 0 &&
		    strstr(err, ":1: profile 'paranoid' must be default or strict") != NULL,
		    "bad profile: %s", err);
	fcopy_config_free(&c);
	TEST_ASSERT_EQUAL(parse(args, &o, err, sizeof(err)), 0, "%s", err);
	TEST_ASSERT(o.cfg.policy.strict && o.cfg.allow_anywhere, "--profile strict");
	fcopy_opts_free(&o);
	TEST_ASSERT(parse(bad, &o, err, sizeof(err)) < 0 && strstr(err, "--profile") != NULL,
		    "bad --profile: %s", err);
	fcopy_opts_free(&o);
	return TEST_SUCCESS;
}

/* A fake CPU: which Hyper-V leaves it answers, and how. */
static struct {
	bool hypervisor;
	const char *vendor;
	uint32_t max_leaf;
	uint32_t features_ebx;
	uint32_t iso_eax;
	uint32_t iso_ebx;
} cpu;

static void
fake_cpuid(uint32_t leaf, uint32_t regs[4])
{
	memset(regs, 0, 4 * sizeof(regs[0]));
	if (leaf == 1) {
		regs[2] = cpu.hypervisor ? 1u << 31 : 0;
	} else if (leaf == 0x40000000) {
		regs[0] = cpu.max_leaf;
		memcpy(&regs[1], cpu.vendor, 4);
		memcpy(&regs[2], cpu.vendor + 4, 4);
		memcpy(&regs[3], cpu.vendor + 8, 4);
	} else if (leaf == 0x40000003 && cpu.max_leaf >= leaf) {
		regs[1] = cpu.features_ebx;
	} else if (leaf == 0x4000000c && cpu.max_leaf >= leaf) {
		regs[0] = cpu.iso_eax;
		regs[1] = cpu.iso_ebx;
	}
}

static void
set_cpu(bool hypervisor, const char *vendor, uint32_t max_leaf, uint32_t features_ebx,
	uint32_t iso_eax, uint32_t iso_ebx)
{
	cpu.hypervisor = hypervisor;
	cpu.vendor = vendor;
	cpu.max_leaf = max_leaf;
	cpu.features_ebx = features_ebx;
	cpu.iso_eax = iso_eax;
	cpu.iso_ebx = iso_ebx;
	fcopy_isolation_set_cpuid(fake_cpuid);
}

/* Detection from the Hyper-V CPUID leaves, and the test-only override that only adds. */
static int
test_isolation_detect(void)
{
	struct fcopy_isolation iso;

	unsetenv(FCOPY_ISOLATION_TEST_ENV);
	set_cpu(false, "Microsoft Hv", 0x4000000c, 1u << 22, 1, 2);
	fcopy_isolation_detect(&iso);
	TEST_ASSERT(iso.detectable && !iso.hyperv && !iso.isolated, "no hypervisor bit");
	set_cpu(true, "KVMKVMKVM\0\0\0", 0x4000000c, 1u << 22, 1, 2);
	fcopy_isolation_detect(&iso);
	TEST_ASSERT(!iso.hyperv && !iso.isolated, "not Hyper-V: its leaves mean nothing");
	set_cpu(true, "Microsoft Hv", 0x4000000c, 0, 1, 2);
	fcopy_isolation_detect(&iso);
	TEST_ASSERT(iso.hyperv && !iso.isolated, "Hyper-V without the isolation privilege");
	set_cpu(true, "Microsoft Hv", 0x4000000b, 1u << 22, 1, 2);
	fcopy_isolation_detect(&iso);
	TEST_ASSERT(iso.hyperv && !iso.isolated, "no isolation leaf");
	set_cpu(true, "Microsoft Hv", 0x4000000c, 1u << 22, 0, 0xfff0);
	fcopy_isolation_detect(&iso);
	TEST_ASSERT(!iso.isolated, "type 0 (only other EBX bits set): none");
	set_cpu(true, "Microsoft Hv", 0x4000000c, 1u << 22, 1, 0x0c2);
	fcopy_isolation_detect(&iso);
	TEST_ASSERT(iso.isolated && iso.type == FCOPY_ISOLATION_SNP && iso.paravisor,
		    "SNP with a paravisor (type in EBX bits 3:0, paravisor EAX bit 0)");
	set_cpu(true, "Microsoft Hv", 0x4000000c, 1u << 22, 0, 3);
	fcopy_isolation_detect(&iso);
	TEST_ASSERT(iso.isolated && iso.type == FCOPY_ISOLATION_TDX && !iso.paravisor, "TDX");
	set_cpu(true, "Microsoft Hv", 0x4000000c, 1u << 22, 0, 1);
	fcopy_isolation_detect(&iso);
	TEST_ASSERT(iso.isolated && iso.type == FCOPY_ISOLATION_VBS, "VBS");
	/* The override adds isolation for tests, never hides a real one. */
	setenv(FCOPY_ISOLATION_TEST_ENV, "snp", 1);
	set_cpu(true, "Microsoft Hv", 0x4000000c, 0, 0, 0);
	fcopy_isolation_detect(&iso);
	TEST_ASSERT(iso.isolated && iso.type == FCOPY_ISOLATION_SNP && iso.test_override,
		    "override on a VM without isolation");
	setenv(FCOPY_ISOLATION_TEST_ENV, "none", 1);
	set_cpu(true, "Microsoft Hv", 0x4000000c, 1u << 22, 0, 3);
	fcopy_isolation_detect(&iso);
	TEST_ASSERT(iso.isolated && iso.type == FCOPY_ISOLATION_TDX && !iso.test_override,
		    "the override cannot hide TDX");
	unsetenv(FCOPY_ISOLATION_TEST_ENV);
	fcopy_isolation_set_cpuid(NULL);
	return TEST_SUCCESS;
}

/* On a confidential VM: explicit roots, and "/" only with allow_anywhere. */
static int
test_isolation_check(void)
{
	struct fcopy_isolation iso = { .detectable = true, .hyperv = true, .isolated = true,
				       .type = FCOPY_ISOLATION_SNP, .paravisor = true };
	struct fcopy_isolation plain = { .detectable = true, .hyperv = true };
	struct fcopy_config c;
	char err[512];

	TEST_ASSERT_EQUAL(fcopy_config_init(&c), 0, "init");
	TEST_ASSERT_EQUAL(fcopy_isolation_check(&c, &plain, err, sizeof(err)), 0,
			  "an ordinary VM keeps the default roots");
	TEST_ASSERT(fcopy_isolation_check(&c, &iso, err, sizeof(err)) == -EPERM &&
		    strstr(err, "confidential VM") != NULL && strstr(err, "SNP") != NULL &&
		    strstr(err, "allowed_root") != NULL, "default roots refused: %s", err);
	fcopy_config_free(&c);
	TEST_ASSERT_EQUAL(load("allowed_root = /srv/drop\n", &c, err, sizeof(err)), 0, "%s", err);
	TEST_ASSERT_EQUAL(fcopy_isolation_check(&c, &iso, err, sizeof(err)), 0, "%s", err);
	fcopy_config_free(&c);
	TEST_ASSERT_EQUAL(load("allowed_root = /srv/drop\nallowed_root = /\n", &c, err,
			       sizeof(err)), 0, "%s", err);
	TEST_ASSERT(fcopy_isolation_check(&c, &iso, err, sizeof(err)) == -EPERM &&
		    strstr(err, "allow_anywhere") != NULL, "/ refused alone: %s", err);
	TEST_ASSERT_EQUAL(fcopy_config_set(&c, "allow_anywhere", "yes", FCOPY_SRC_CMDLINE,
					   "--allow-anywhere", err, sizeof(err)), 0, "%s", err);
	TEST_ASSERT_EQUAL(fcopy_isolation_check(&c, &iso, err, sizeof(err)), 0,
			  "/ with allow_anywhere: %s", err);
	fcopy_config_free(&c);
	return TEST_SUCCESS;
}

/* durability: sync by default; fsync is its old spelling; --durability and --no-fsync. */
static int
test_durability(void)
{
	static const char *const async_args[] = { "x", "--durability", "async", NULL };
	static const char *const none_args[] = { "x", "--no-fsync", NULL };
	struct fcopy_config c;
	struct fcopy_opts o;
	char err[512];

	TEST_ASSERT_EQUAL(fcopy_config_init(&c), 0, "init");
	TEST_ASSERT(c.policy.durability == FCOPY_DURABLE_SYNC && c.policy.fsync, "sync default");
	TEST_ASSERT_EQUAL(fcopy_config_set(&c, "durability", "none", FCOPY_SRC_FILE, "f:1", err,
					   sizeof(err)), 0, "%s", err);
	TEST_ASSERT(c.policy.durability == FCOPY_DURABLE_NONE && !c.policy.fsync, "none");
	TEST_ASSERT_EQUAL(fcopy_config_set(&c, "fsync", "yes", FCOPY_SRC_FILE, "f:2", err,
					   sizeof(err)), 0, "%s", err);
	TEST_ASSERT(c.policy.durability == FCOPY_DURABLE_SYNC, "fsync = yes is sync");
	TEST_ASSERT_EQUAL(fcopy_config_set(&c, "durability", "async", FCOPY_SRC_FILE, "f:3", err,
					   sizeof(err)), 0, "%s", err);
	TEST_ASSERT(c.policy.durability == FCOPY_DURABLE_ASYNC && c.policy.fsync, "async");
	TEST_ASSERT_EQUAL(fcopy_config_set(&c, "fsync", "no", FCOPY_SRC_FILE, "f:4", err,
					   sizeof(err)), 0, "%s", err);
	TEST_ASSERT(c.policy.durability == FCOPY_DURABLE_NONE, "fsync = no is none");
	TEST_ASSERT(fcopy_config_set(&c, "durability", "maybe", FCOPY_SRC_FILE, "f:5", err,
				     sizeof(err)) < 0 && strstr(err, "sync, async or none") != NULL,
		    "refused: %s", err);
	fcopy_config_free(&c);
	TEST_ASSERT_EQUAL(parse(async_args, &o, err, sizeof(err)), 0, "%s", err);
	TEST_ASSERT(o.cfg.policy.durability == FCOPY_DURABLE_ASYNC, "--durability async");
	fcopy_opts_free(&o);
	TEST_ASSERT_EQUAL(parse(none_args, &o, err, sizeof(err)), 0, "%s", err);
	TEST_ASSERT(o.cfg.policy.durability == FCOPY_DURABLE_NONE, "--no-fsync is none");
	fcopy_opts_free(&o);
	return TEST_SUCCESS;
}

static const struct hvdev_test_case cases[] = {
	HVDEV_CASE(profile, test_profile),
	HVDEV_CASE(isolation_detect, test_isolation_detect),
	HVDEV_CASE(isolation_check, test_isolation_check),
	HVDEV_CASE(defaults, test_defaults),
	HVDEV_CASE(unit, test_unit),
	HVDEV_CASE(durability, test_durability),
	HVDEV_CASE(good_file, test_good_file),
	HVDEV_CASE(errors, test_errors),
	HVDEV_CASE(exec_allowed, test_exec_allowed),
	HVDEV_CASE(cmdline, test_cmdline),
	HVDEV_CASE(cmdline_errors, test_cmdline_errors),
	HVDEV_CASE(eal_merge, test_eal_merge),
	HVDEV_CASE(eal_errors, test_eal_errors),
	HVDEV_CASE(cli, test_cli),
	HVDEV_CASE(messages, test_messages),
};

int
main(int argc, char **argv)
{
	return hvdev_test_main(argc, argv, cases, RTE_DIM(cases));
}
