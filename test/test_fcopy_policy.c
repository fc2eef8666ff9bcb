/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * dpdk-hv-fcopy against a hostile host, end to end (doc/guides/threat_model.rst):
 * host-chosen names escaped in stderr, the transfer record and telemetry. The service runs as
 * its own process (HVDEV_FCOPY_BIN) with its output in a file and telemetry on, against the
 * simulated host.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <rte_common.h>

#include <rte_hvdev_fcopy.h>
#include <rte_hvdev_ic.h>

#include "hvdev_test.h"
#include "rte_hvsim.h"

#define WAIT_MS 10000

static char root[256];
static char guest[512];
static char state[512];
static char logfile[512];
static char prefix[64];
static struct rte_hvsim *sim;
static struct rte_hvsim_dev *dev;
static pid_t service = -1;
static int stopped_status;	/* of a service a case stopped itself */

/* The service with its stdout and stderr in @p log, telemetry on under its own prefix. */
static pid_t
spawn(const char *log, const char *const *extra)
{
	const char *bin = getenv("HVDEV_FCOPY_BIN");
	char vdev[PATH_MAX + 64], pfx[96];
	const char *argv[64];
	unsigned int n = 0, i;
	pid_t pid;
	int fd;

	if (bin == NULL)
		return -1;
	hvdev_test_fmt(vdev, sizeof(vdev), "--vdev=hvdev_uio0,class=fcopy,root=%s", root);
	hvdev_test_fmt(pfx, sizeof(pfx), "--file-prefix=%s", prefix);
	argv[n++] = bin;
	argv[n++] = "-l";
	argv[n++] = "0";
	argv[n++] = "--no-huge";
	argv[n++] = "-m";
	argv[n++] = "64";
	argv[n++] = "--no-shconf";
	argv[n++] = "--no-pci";
	argv[n++] = pfx;
	argv[n++] = "--log-level=lib.eal:error";
	argv[n++] = "--log-level=lib.telemetry:error";
	argv[n++] = vdev;
	argv[n++] = "--";
	argv[n++] = "--state-dir";
	argv[n++] = state;
	for (i = 0; extra != NULL && extra[i] != NULL && n < RTE_DIM(argv) - 1; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	pid = fork();
	if (pid == 0) {
		fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(126);
		execv(bin, (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	return pid;
}

static int
setup(const char *const *extra)
{
	struct rte_hvsim_dev_conf conf = { .ic_negotiate = true };

	TEST_ASSERT(hvdev_test_root_create(root, sizeof(root)) == 0, "mkdtemp");
	hvdev_test_fmt(guest, sizeof(guest), "%s/guest", root);
	hvdev_test_fmt(state, sizeof(state), "%s/state", root);
	hvdev_test_fmt(logfile, sizeof(logfile), "%s/service.log", root);
	hvdev_test_fmt(prefix, sizeof(prefix), "hvfcopy-policy-%d", (int)getpid());
	TEST_ASSERT(hvdev_test_mkdirs(guest) == 0 && hvdev_test_mkdirs(state) == 0, "dirs");
	sim = rte_hvsim_create(root);
	TEST_ASSERT(sim != NULL, "simulator");
	TEST_ASSERT_EQUAL(rte_hvsim_start(sim), 0, "start");
	hvdev_test_class("fcopy", conf.class_id);
	dev = rte_hvsim_offer(sim, &conf);
	TEST_ASSERT(dev != NULL, "offer");
	service = spawn(logfile, extra);
	TEST_ASSERT(service > 0, "start the service (HVDEV_FCOPY_BIN set?)");
	TEST_ASSERT_EQUAL(rte_hvsim_wait_open(dev, true, WAIT_MS), 0, "service opened the channel");
	TEST_ASSERT_EQUAL(rte_hvsim_ic_wait(dev, WAIT_MS), 0, "IC negotiation");
	return TEST_SUCCESS;
}

static int
teardown(void)
{
	int status = service > 0 ? hvdev_test_process_stop(service, 5000) : stopped_status;

	service = -1;
	rte_hvsim_destroy(sim);
	sim = NULL;
	hvdev_test_root_remove(root);
	TEST_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "service stopped cleanly on SIGTERM (status 0x%x)", status);
	return TEST_SUCCESS;
}

/* The whole of a small file, NUL-terminated; its length in *len. NULL on failure. */
static char *
slurp(const char *path, size_t *len)
{
	static char buf[1 << 20];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

/*
 * No raw control byte but line ends (when @p lines), no DEL, no C1 control, no U+202E, and,
 * when @p ascii, nothing over 0x7f at all.
 */
static int
check_bytes(const char *what, const char *text, size_t len, bool lines, bool ascii)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t i;

	for (i = 0; i < len; i++) {
		TEST_ASSERT((p[i] >= 0x20 || (lines && p[i] == '\n')) && p[i] != 0x7f,
			    "%s: raw control byte 0x%02x at %zu:\n%s", what, p[i], i, text);
		TEST_ASSERT(!ascii || p[i] < 0x80, "%s: byte 0x%02x at %zu:\n%s", what, p[i], i,
			    text);
		TEST_ASSERT(!(p[i] == 0xc2 && i + 1 < len && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f),
			    "%s: raw C1 control at %zu:\n%s", what, i, text);
		TEST_ASSERT(!(p[i] == 0xe2 && i + 2 < len && p[i + 1] == 0x80 && p[i + 2] == 0xae),
			    "%s: raw U+202E at %zu:\n%s", what, i, text);
	}
	return TEST_SUCCESS;
}

/* Send @p cmd to the service's telemetry socket; the answer in @p out. */
static int
telemetry(const char *cmd, char *out, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *run = getuid() == 0 ? "/var/run" : getenv("XDG_RUNTIME_DIR");
	ssize_t n;
	int fd;

	hvdev_test_fmt(sa.sun_path, sizeof(sa.sun_path), "%s/dpdk/%s/dpdk_telemetry.v2",
		       run != NULL ? run : "/tmp", prefix);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	TEST_ASSERT(fd >= 0, "socket");
	TEST_ASSERT(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0, "connect %s: %s",
		    sa.sun_path, strerror(errno));
	n = recv(fd, out, len - 1, 0);	/* the greeting */
	TEST_ASSERT(n > 0, "telemetry greeting");
	TEST_ASSERT(send(fd, cmd, strlen(cmd), 0) == (ssize_t)strlen(cmd), "send");
	n = recv(fd, out, len - 1, 0);
	close(fd);
	TEST_ASSERT(n > 0, "telemetry answer");
	out[n] = '\0';
	return TEST_SUCCESS;
}

/* UTF-16 of @p s (ASCII) into @p u, then the code units of @p extra; NUL-terminated. */
static unsigned int
utf16(uint16_t *u, const char *s, const uint16_t *extra, unsigned int nextra)
{
	unsigned int n = 0, i;

	for (; *s != '\0'; s++)
		u[n++] = (uint8_t)*s;
	for (i = 0; i < nextra; i++)
		u[n++] = extra[i];
	u[n] = 0;
	return n;
}

static int
start_raw(const uint16_t *name, const char *path, uint64_t size, uint32_t *status)
{
	struct rte_hvdev_fcopy_start st;

	memset(&st, 0, sizeof(st));
	st.hdr.operation = RTE_HVDEV_FCOPY_START;
	memcpy(st.file_name, name, sizeof(st.file_name));
	utf16(st.path_name, path, NULL, 0);
	st.file_size = size;
	return rte_hvsim_fcopy_raw(dev, &st, sizeof(st), status, WAIT_MS);
}

/*
 * A copy whose name holds a line feed and a forged record, a carriage return, an ESC colour
 * sequence, NEL (U+0085, a C1 control), DEL and a right-to-left override (U+202E): delivered
 * under that name, and escaped in the record, in a refusal and in telemetry while in progress.
 */
static int
check_hostile_names(void)
{
	static const uint16_t evil[] = {
		'\n', 'h', 'v', '_', 'f', 'c', 'o', 'p', 'y', ':', ' ', 'c', 'o', 'p', 'i', 'e',
		'd', ' ', 'f', 'o', 'r', 'g', 'e', 'd', '\r', 0x1b, '[', '3', '1', 'm', 0x85, 0x7f,
		0x202e, 'z',
	};
	static const uint16_t slash[] = { '/', 0x1b, '[', '2', 'J', '\n', 'x' };
	uint16_t name[RTE_HVDEV_FCOPY_MAX_PATH] = { 0 };
	struct rte_hvdev_fcopy_write *w;
	struct rte_hvdev_fcopy_hdr c = { .operation = RTE_HVDEV_FCOPY_COMPLETE };
	char answer[4096], *text;
	uint32_t status;
	size_t len;
	int tel;

	utf16(name, "a", evil, RTE_DIM(evil));
	TEST_ASSERT_EQUAL(start_raw(name, guest, 1, &status), 0, "START");
	TEST_ASSERT_EQUAL(status, RTE_HVDEV_IC_S_OK, "START of a hostile but valid name");
	TEST_RUN(telemetry("/hv_fcopy/stats", answer, sizeof(answer)));
	TEST_ASSERT(strstr(answer, "\"active\":1") != NULL || strstr(answer, "\"active\": 1"),
		    "a copy in progress: %s", answer);
	TEST_ASSERT(strstr(answer, "\"last_hresult\":\"0x00000000\"") != NULL ||
		    strstr(answer, "\"last_hresult\": \"0x00000000\"") != NULL,
		    "the HRESULT in hex, as a string: %s", answer);
	/* Checked at the end, so that a failure here still shows the state of the logs. */
	tel = check_bytes("telemetry", answer, strlen(answer), false, true);
	w = calloc(1, sizeof(*w));
	TEST_ASSERT(w != NULL, "calloc");
	w->hdr.operation = RTE_HVDEV_FCOPY_WRITE;
	w->size = 1;
	w->data[0] = 'X';
	TEST_ASSERT_EQUAL(rte_hvsim_fcopy_raw(dev, w, sizeof(*w), &status, WAIT_MS), 0, "WRITE");
	free(w);
	TEST_ASSERT_EQUAL(status, RTE_HVDEV_IC_S_OK, "WRITE");
	TEST_ASSERT_EQUAL(rte_hvsim_fcopy_raw(dev, &c, sizeof(c), &status, WAIT_MS), 0, "COMPLETE");
	TEST_ASSERT_EQUAL(status, RTE_HVDEV_IC_S_OK, "COMPLETE");
	/* Refused: a separator in the name; the refusal quotes it. */
	utf16(name, "b", slash, RTE_DIM(slash));
	TEST_ASSERT_EQUAL(start_raw(name, guest, 1, &status), 0, "START");
	TEST_ASSERT(status != RTE_HVDEV_IC_S_OK, "a name with '/' refused");
	stopped_status = hvdev_test_process_stop(service, 5000);
	service = -1;
	text = slurp(logfile, &len);
	TEST_ASSERT(text != NULL && len > 0, "the service's output");
	TEST_RUN(check_bytes("stderr", text, len, true, false));
	TEST_ASSERT(strstr(text, "\nhv_fcopy: copied forged") == NULL &&
		    strncmp(text, "hv_fcopy: copied forged", 23) != 0, "no forged record:\n%s",
		    text);
	TEST_ASSERT(strstr(text, "hv_fcopy: copied ") != NULL &&
		    strstr(text, "a\\nhv_fcopy: copied forged\\r\\x1b[31m\\u0085\\x7f\\u202ez") !=
		    NULL, "the record shows the name escaped:\n%s", text);
	TEST_ASSERT_EQUAL(tel, TEST_SUCCESS, "telemetry without raw control bytes");
	TEST_ASSERT(strstr(answer, "x1b[31m") != NULL, "ESC shown escaped: %s", answer);
	return TEST_SUCCESS;
}

/* A copy of @p len bytes through the simulated host; the HRESULT. */
static uint32_t
copy(const char *dest, uint64_t len, bool overwrite, bool create)
{
	struct rte_hvsim_fcopy_opts o = { .overwrite = overwrite, .create_path = create,
					  .timeout_ms = WAIT_MS };
	struct rte_hvsim_fcopy_result res = { .hresult = UINT32_MAX };
	char src[PATH_MAX];

	hvdev_test_fmt(src, sizeof(src), "%s/src", root);
	if (hvdev_test_make_file(src, len, 7) < 0 || rte_hvsim_fcopy(dev, src, dest, &o, &res) < 0)
		return UINT32_MAX;
	return res.hresult;
}

/* The strict profile end to end: ~/.ssh, a shell profile, a local file; its own files. */
static int
check_strict(void)
{
	char dest[PATH_MAX];
	int fd;

	hvdev_test_fmt(dest, sizeof(dest), "%s/.ssh/authorized_keys", guest);
	TEST_ASSERT_EQUAL(copy(dest, 100, false, true), RTE_HVDEV_IC_ACCESS_DENIED, ".ssh");
	hvdev_test_fmt(dest, sizeof(dest), "%s/.ssh", guest);
	TEST_ASSERT(!hvdev_test_exists(dest), "no .ssh created");
	hvdev_test_fmt(dest, sizeof(dest), "%s/.profile", guest);
	TEST_ASSERT_EQUAL(copy(dest, 100, true, false), RTE_HVDEV_IC_ACCESS_DENIED, ".profile");
	TEST_ASSERT(!hvdev_test_exists(dest), "no .profile written");
	hvdev_test_fmt(dest, sizeof(dest), "%s/local.txt", guest);
	fd = open(dest, O_WRONLY | O_CREAT | O_EXCL, 0644);
	TEST_ASSERT(fd >= 0, "a local file");
	close(fd);
	TEST_ASSERT_EQUAL(copy(dest, 100, true, false), RTE_HVDEV_IC_ACCESS_DENIED,
			  "a file the service did not create");
	hvdev_test_fmt(dest, sizeof(dest), "%s/drop/new.txt", guest);
	TEST_ASSERT_EQUAL(copy(dest, 100, false, true), RTE_HVDEV_IC_S_OK, "an ordinary copy");
	TEST_ASSERT_EQUAL(copy(dest, 200, true, false), RTE_HVDEV_IC_S_OK,
			  "replacing a file the service delivered");
	return TEST_SUCCESS;
}

/* Occurrences of @p needle in @p text. */
static unsigned int
count_of(const char *text, const char *needle)
{
	const char *p;
	unsigned int n = 0;

	for (p = strstr(text, needle); p != NULL; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* The sum of N over the "copied N more file" summary lines of @p text. */
static unsigned int
held_in(const char *text)
{
	const char *p = text;
	unsigned int n = 0;

	while ((p = strstr(p, "hv_fcopy: copied ")) != NULL) {
		p += strlen("hv_fcopy: copied ");
		if (*p >= '0' && *p <= '9' && strstr(p, " more file") == strpbrk(p, " "))
			n += (unsigned int)strtoul(p, NULL, 10);
	}
	return n;
}

/*
 * A burst of copies logs the first one and then one summary line, within a second and a bit,
 * not a line per file; a failure in the burst has its own line at once. Whatever the timing
 * on a loaded machine, each delivery is in exactly one line.
 */
/* The lines of copies burst-0..4 logged one by one. */
static unsigned int
alone_in(const char *text)
{
	char one[PATH_MAX + 32];
	unsigned int i, n = 0;

	for (i = 0; i < 5; i++) {
		hvdev_test_fmt(one, sizeof(one), "hv_fcopy: copied %s/burst-%u.txt:", guest, i);
		n += count_of(text, one);
	}
	return n;
}

static int
check_copy_log(void)
{
	char dest[PATH_MAX], want[PATH_MAX + 32], *text = NULL;	/* slurp()'s buffer */
	uint64_t t0, took_ms;
	unsigned int i;
	size_t len;

	t0 = hvdev_test_now_us();
	for (i = 0; i < 5; i++) {
		hvdev_test_fmt(dest, sizeof(dest), "%s/burst-%u.txt", guest, i);
		TEST_ASSERT_EQUAL(copy(dest, 100 + i, false, false), RTE_HVDEV_IC_S_OK, "%s", dest);
	}
	took_ms = (hvdev_test_now_us() - t0) / 1000;
	TEST_ASSERT(copy(dest, 10, false, false) != RTE_HVDEV_IC_S_OK, "an existing file refused");
	/* The summary is due a second after the first line: wait up to five. */
	for (i = 0; i < 50; i++) {
		text = slurp(logfile, &len);
		if (text != NULL && alone_in(text) + held_in(text) >= 5)
			break;
		usleep(100 * 1000);
	}
	TEST_ASSERT(text != NULL, "the service's output");
	TEST_ASSERT_EQUAL(count_of(text, "copy failed"), 1, "the failure has its line:\n%s",
			  text);
	hvdev_test_fmt(want, sizeof(want), "hv_fcopy: copied %s/burst-0.txt:", guest);
	TEST_ASSERT(strstr(text, want) != NULL, "the first copy is logged:\n%s", text);
	TEST_ASSERT_EQUAL(alone_in(text) + held_in(text), 5, "each copy in exactly one line "
			  "(%u alone, %u in summaries):\n%s", alone_in(text), held_in(text), text);
	/* The four that followed within the second: held, then summed up with the last. */
	if (took_ms < 800) {
		TEST_ASSERT_EQUAL(alone_in(text), 1, "one line for the first only:\n%s", text);
		TEST_ASSERT(strstr(text, "copied 4 more files, 410 bytes, in ") != NULL,
			    "the summary:\n%s", text);
		hvdev_test_fmt(want, sizeof(want), "the last %s/burst-4.txt", guest);
		TEST_ASSERT(strstr(text, want) != NULL, "it names the last:\n%s", text);
		TEST_ASSERT(strstr(text, "more files") < strstr(text, "copy failed"),
			    "the summary comes before the failure that ended the burst:\n%s",
			    text);
	}
	/* Copies right after that line are held too, and the timer logs them: no copy follows. */
	t0 = hvdev_test_now_us();
	for (i = 5; i < 8; i++) {
		hvdev_test_fmt(dest, sizeof(dest), "%s/later-%u.txt", guest, i);
		TEST_ASSERT_EQUAL(copy(dest, 10, false, false), RTE_HVDEV_IC_S_OK, "%s", dest);
	}
	took_ms = (hvdev_test_now_us() - t0) / 1000;
	for (i = 0; i < 50; i++) {
		text = slurp(logfile, &len);
		if (text != NULL && count_of(text, "/later-") >= 1)
			break;
		usleep(100 * 1000);
	}
	TEST_ASSERT(text != NULL && count_of(text, "/later-") >= 1, "the later copies logged "
		    "within 5 s, with no other event:\n%s", text);
	if (took_ms < 800)
		TEST_ASSERT(strstr(text, "copied 3 more files, 30 bytes, in ") != NULL,
			    "held, then summed up by the timer:\n%s", text);
	return TEST_SUCCESS;
}

/* The service's exit status for @p args (after "--"), with @p isolation in the environment. */
static int
run_status(const char *isolation, const char *const *args)
{
	const char *bin = getenv("HVDEV_FCOPY_BIN");
	char vdev[PATH_MAX + 64], conf[PATH_MAX];
	const char *argv[32];
	unsigned int n = 0, i;
	int status, fd;
	pid_t pid;

	if (bin == NULL)
		return -1;
	hvdev_test_fmt(conf, sizeof(conf), "%s/empty.conf", root);
	fd = open(conf, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	close(fd);
	hvdev_test_fmt(vdev, sizeof(vdev), "--vdev=hvdev_uio0,class=fcopy,root=%s", root);
	argv[n++] = bin;
	argv[n++] = "-l";
	argv[n++] = "0";
	argv[n++] = "--no-huge";
	argv[n++] = "-m";
	argv[n++] = "64";
	argv[n++] = "--no-shconf";
	argv[n++] = "--no-pci";
	argv[n++] = "--no-telemetry";
	argv[n++] = "--log-level=lib.eal:error";
	argv[n++] = vdev;
	argv[n++] = "--";
	argv[n++] = "--config";
	argv[n++] = conf;
	argv[n++] = "--state-dir";
	argv[n++] = state;
	argv[n++] = "--wait-device";
	argv[n++] = "0";
	for (i = 0; args[i] != NULL; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	pid = fork();
	if (pid == 0) {
		fd = open(logfile, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(126);
		if (isolation != NULL)
			setenv("HVDEV_FCOPY_TEST_ISOLATION", isolation, 1);
		else
			unsetenv("HVDEV_FCOPY_TEST_ISOLATION");
		execv(bin, (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * On a confidential VM (the test-only override stands for the CPUID leaves), the service
 * refuses the default roots and "/" (exit 2, before touching the device), and accepts
 * explicit roots, or "/" with --allow-anywhere (then exit 3: no device under this root).
 */
static int
test_confidential(void)
{
	static const char *const none[] = { NULL };
	static const char *const slash[] = { "--allowed-root", "/", NULL };
	static const char *const anywhere[] = { "--allowed-root", "/", "--allow-anywhere", NULL };
	const char *const explicit[] = { "--allowed-root", guest, NULL };
	char *text;
	size_t len;
	int ret = TEST_FAILED;

	TEST_ASSERT(hvdev_test_root_create(root, sizeof(root)) == 0, "mkdtemp");
	hvdev_test_fmt(guest, sizeof(guest), "%s/guest", root);
	hvdev_test_fmt(state, sizeof(state), "%s/state", root);
	hvdev_test_fmt(logfile, sizeof(logfile), "%s/service.log", root);
	if (hvdev_test_mkdirs(guest) < 0 || hvdev_test_mkdirs(state) < 0)
		goto out;
	if (run_status(NULL, none) != 3) {
		fprintf(stderr, "FAIL: an ordinary VM runs with the default roots\n");
		goto out;
	}
	if (run_status("snp", none) != 2 || run_status("tdx", slash) != 2) {
		fprintf(stderr, "FAIL: a confidential VM refuses the default roots and /\n");
		goto out;
	}
	if (run_status("vbs", explicit) != 3 || run_status("snp", anywhere) != 3) {
		fprintf(stderr, "FAIL: a confidential VM accepts explicit roots, and / with "
			"--allow-anywhere\n");
		goto out;
	}
	text = slurp(logfile, &len);
	if (text == NULL || strstr(text, "confidential VM (Hyper-V isolation SNP") == NULL ||
	    strstr(text, "allow_anywhere") == NULL) {
		fprintf(stderr, "FAIL: the refusal says why\n");
		goto out;
	}
	ret = TEST_SUCCESS;
out:
	text = slurp(logfile, &len);
	if (ret != TEST_SUCCESS && text != NULL)
		fprintf(stderr, "service output:\n%s\n", text);
	hvdev_test_root_remove(root);
	return ret;
}

#define POLICY_CASE(name, ...) \
static int \
test_ ## name(void) \
{ \
	static const char *const extra[] = { __VA_ARGS__, NULL }; \
	int ret, ret2; \
	TEST_RUN(setup(extra)); \
	ret = check_ ## name(); \
	ret2 = teardown(); \
	return ret != TEST_SUCCESS ? ret : ret2; \
}

POLICY_CASE(hostile_names, "--allowed-root", guest)
POLICY_CASE(strict, "--allowed-root", guest, "--profile", "strict")
POLICY_CASE(copy_log, "--allowed-root", guest)

static const struct hvdev_test_case cases[] = {
	HVDEV_CASE(hostile_names, test_hostile_names),
	HVDEV_CASE(strict, test_strict),
	HVDEV_CASE(copy_log, test_copy_log),
	HVDEV_CASE(confidential, test_confidential),
};

int
main(int argc, char **argv)
{
	return hvdev_test_main(argc, argv, cases, RTE_DIM(cases));
}
