/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_log.h>

#include "hvdev_test.h"

/* No hugepages, little memory, no shared config, no PCI: runs on any CI machine. */
static const char *const eal_args[] = {
	"hvdev_test", "-l", "0", "--no-huge", "-m", "64", "--no-shconf", "--no-pci",
	"--no-telemetry", "--log-level=lib.eal:error", NULL,
};

/*
 * Each test process has its own EAL prefix, and so do the services it spawns: EAL leaves
 * /var/run/dpdk/<prefix> behind, which cleanup_runtime_dirs() removes at exit (after
 * telemetry's own atexit() handler, being registered before rte_eal_init()).
 */
static char runtime_dir[PATH_MAX];
static char prefix_arg[64];
static char spawn_prefix_arg[64];

static void
cleanup_runtime_dirs(void)
{
	char spawned[PATH_MAX + 64], *slash;

	if (runtime_dir[0] == '\0')
		return;
	rmdir(runtime_dir);
	slash = strrchr(runtime_dir, '/');
	if (slash == NULL)
		return;
	*slash = '\0';
	snprintf(spawned, sizeof(spawned), "%s/%s", runtime_dir, spawn_prefix_arg + 14);
	rmdir(spawned);
}

#define EAL_EXTRA_MAX 8
static const char *eal_extra[EAL_EXTRA_MAX];
static unsigned int nb_eal_extra;

int
hvdev_test_add_eal_arg(const char *arg)
{
	if (nb_eal_extra >= EAL_EXTRA_MAX)
		return -1;
	eal_extra[nb_eal_extra++] = arg;
	return 0;
}

/* A suite that asked for "--telemetry" (EAL refuses it beside "--no-telemetry"). */
static bool
with_telemetry(void)
{
	unsigned int i;

	for (i = 0; i < nb_eal_extra; i++)
		if (strcmp(eal_extra[i], "--telemetry") == 0)
			return true;
	return false;
}

int
hvdev_test_main(int argc, char **argv, const struct hvdev_test_case *cases, unsigned int n)
{
	unsigned int i, nargs = 0, run = 0, failed = 0, skipped = 0;
	const char *only = argc > 1 ? argv[1] : NULL;
	char *args[RTE_DIM(eal_args) + EAL_EXTRA_MAX + 1];
	int ret;

	if (only != NULL && strcmp(only, "--list") == 0) {
		for (i = 0; i < n; i++)
			printf("%s\n", cases[i].name);
		return 0;
	}
	/* rte_eal_init() may permute its argv, so it gets a writable copy. */
	for (i = 0; eal_args[i] != NULL; i++)
		if (!(strcmp(eal_args[i], "--no-telemetry") == 0 && with_telemetry()))
			args[nargs++] = strdup(eal_args[i]);
	for (i = 0; i < nb_eal_extra; i++)
		args[nargs++] = strdup(eal_extra[i]);
	snprintf(prefix_arg, sizeof(prefix_arg), "--file-prefix=hvdev-test-%d", (int)getpid());
	snprintf(spawn_prefix_arg, sizeof(spawn_prefix_arg), "--file-prefix=hvdev-test-%d-s",
		 (int)getpid());
	args[nargs++] = strdup(prefix_arg);
	args[nargs] = NULL;
	atexit(cleanup_runtime_dirs);
	ret = rte_eal_init((int)nargs, args);
	snprintf(runtime_dir, sizeof(runtime_dir), "%s", rte_eal_get_runtime_dir());
	if (ret < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	if (getenv("HVDEV_TEST_DEBUG") != NULL)
		rte_log_set_level_pattern("*hvdev*", RTE_LOG_DEBUG);
	for (i = 0; i < n; i++) {
		if (only != NULL && strcmp(only, cases[i].name) != 0)
			continue;
		run++;
		printf("== %s\n", cases[i].name);
		fflush(stdout);
		ret = cases[i].fn();
		if (ret == TEST_SKIPPED)
			skipped++;
		else if (ret != TEST_SUCCESS)
			failed++;
		printf("%s %s\n", ret == TEST_SUCCESS ? "ok" :
		       ret == TEST_SKIPPED ? "skipped" : "FAILED", cases[i].name);
	}
	rte_eal_cleanup();
	if (run == 0) {
		fprintf(stderr, "no test case named %s\n", only);
		return 1;
	}
	if (failed > 0)
		return 1;
	return skipped == run ? TEST_SKIPPED : 0;
}

int
hvdev_test_root_create(char *buf, size_t len)
{
	const char *tmp = getenv("TMPDIR");

	if (tmp == NULL || tmp[0] == '\0')
		tmp = "/tmp";
	if ((size_t)snprintf(buf, len, "%s/hvdev-test-XXXXXX", tmp) >= len)
		return -1;
	return mkdtemp(buf) != NULL ? 0 : -1;
}

static int
remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	RTE_SET_USED(st);
	RTE_SET_USED(ftw);
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

void
hvdev_test_root_remove(const char *root)
{
	if (root != NULL && root[0] != '\0')
		nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void
hvdev_test_fmt(char *buf, size_t len, const char *format, ...)
{
	va_list ap;

	va_start(ap, format);
	vsnprintf(buf, len, format, ap);
	va_end(ap);
}

int
hvdev_test_mkdirs(const char *path)
{
	char tmp[PATH_MAX];
	size_t i;

	if (strlen(path) >= sizeof(tmp))
		return -1;
	strcpy(tmp, path);
	for (i = 1; tmp[i] != '\0'; i++) {
		if (tmp[i] != '/')
			continue;
		tmp[i] = '\0';
		mkdir(tmp, 0755);
		tmp[i] = '/';
	}
	return mkdir(tmp, 0755) == 0 || errno == EEXIST ? 0 : -1;
}

bool
hvdev_test_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

int
hvdev_test_count_named(const char *dir, const char *part)
{
	char path[PATH_MAX];
	struct dirent *de;
	int n = 0;
	DIR *d = opendir(dir);

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (strstr(de->d_name, part) != NULL)
			n++;
		if (de->d_type == DT_DIR &&
		    (size_t)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) < sizeof(path))
			n += hvdev_test_count_named(path, part);
	}
	closedir(d);
	return n;
}

void
hvdev_test_class(const char *name, rte_uuid_t uu)
{
	const char *guid = "34d14be3-dee4-41c8-9ae7-6b174977c192";

	if (strcmp(name, "kvp") == 0)
		guid = "a9a0f4e7-5a45-4d96-b827-8a841e8c03e6";
	else if (strcmp(name, "heartbeat") == 0)
		guid = "57164f39-9115-4e78-ab55-382f3bd5422d";
	rte_uuid_parse(guid, uu);
}

void
hvdev_test_fill(void *buf, uint32_t len, uint32_t seed)
{
	uint8_t *p = buf;
	uint32_t i, x = seed * 2654435761u + 1;

	for (i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = (uint8_t)(x >> 16);
	}
}

bool
hvdev_test_check(const void *buf, uint32_t len, uint32_t seed)
{
	const uint8_t *p = buf;
	uint32_t i, x = seed * 2654435761u + 1;

	for (i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		if (p[i] != (uint8_t)(x >> 16))
			return false;
	}
	return true;
}

uint64_t
hvdev_test_thread_cpu_us(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000u +
	       (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

uint64_t
hvdev_test_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

pid_t
hvdev_test_fcopy_spawn(const char *root, const char *guest, const char *state,
		       const char *const *extra)
{
	static const char *const eal[] = {
		"-l", "0", "--no-huge", "-m", "64", "--no-shconf", "--no-pci", "--no-telemetry",
		"--log-level=lib.eal:error",
	};
	const char *bin = getenv("HVDEV_FCOPY_BIN");
	const char *argv[64];
	char vdev[PATH_MAX + 64];
	unsigned int n = 0, i;
	pid_t pid;

	if (bin == NULL)
		return -1;
	hvdev_test_fmt(vdev, sizeof(vdev), "--vdev=hvdev_uio0,class=fcopy,root=%s", root);
	argv[n++] = bin;
	for (i = 0; i < RTE_DIM(eal); i++)
		argv[n++] = eal[i];
	argv[n++] = vdev;
	/* Removed by the service at exit, or by cleanup_runtime_dirs() after a SIGKILL. */
	if (spawn_prefix_arg[0] != '\0')
		argv[n++] = spawn_prefix_arg;
	argv[n++] = "--";
	argv[n++] = "--allowed-root";
	argv[n++] = guest;
	argv[n++] = "--state-dir";
	argv[n++] = state;
	for (i = 0; extra != NULL && extra[i] != NULL && n < RTE_DIM(argv) - 1; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	pid = fork();
	if (pid == 0) {
		execv(bin, (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	return pid;
}

const char *
hvdev_test_spawn_prefix(void)
{
	return spawn_prefix_arg;
}

int
hvdev_test_process_stop(pid_t pid, unsigned int wait_ms)
{
	int status = -1;
	unsigned int waited = 0;

	if (pid <= 0)
		return -1;
	kill(pid, SIGTERM);
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (waited >= wait_ms) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			break;
		}
		usleep(10000);
		waited += 10;
	}
	return status;
}

int
hvdev_test_make_file(const char *path, uint64_t size, uint32_t seed)
{
	static uint8_t block[65536];
	uint64_t done = 0;
	uint32_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	while (done < size) {
		n = (uint32_t)RTE_MIN(size - done, (uint64_t)sizeof(block));
		hvdev_test_fill(block, n, seed + (uint32_t)(done / sizeof(block)));
		if (write(fd, block, n) != (ssize_t)n) {
			close(fd);
			return -1;
		}
		done += n;
	}
	close(fd);
	return 0;
}

bool
hvdev_test_same_file(const char *a, const char *b)
{
	static uint8_t ba[65536], bb[65536];
	bool same = true;
	ssize_t na, nb;
	int fa, fb;

	fa = open(a, O_RDONLY);
	fb = open(b, O_RDONLY);
	if (fa < 0 || fb < 0)
		same = false;
	while (same) {
		na = read(fa, ba, sizeof(ba));
		nb = read(fb, bb, sizeof(bb));
		if (na != nb || na < 0 || memcmp(ba, bb, (size_t)na) != 0)
			same = false;
		if (na <= 0)
			break;
	}
	if (fa >= 0)
		close(fa);
	if (fb >= 0)
		close(fb);
	return same;
}
