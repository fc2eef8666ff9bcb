/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * The fault matrix: the simulated host misbehaves on purpose (rte_hvsim_fault_set()) against
 * the real dpdk-hv-fcopy service (HVDEV_FCOPY_BIN) or, for the class library alone, against
 * an rte_hvdev device in this process. Every case asserts its own expected outcome (the exact
 * HRESULT, a channel reset, a clean exit, or recovery) and then the invariants that hold
 * whatever the fault: the service is alive (or was killed by the test), no temporary file is
 * left, nothing is under the final name of a failed copy, nothing was written outside the
 * allowed root, and a following good copy arrives byte for byte. The cases that
 * test/test_fcopy_e2e.c and test/test_hostile.c already have are not repeated here.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <rte_bus_vdev.h>
#include <rte_common.h>

#include <rte_hvdev.h>
#include <rte_hvdev_fcopy.h>
#include <rte_hvdev_ic.h>

#include "hvdev_test.h"
#include "rte_hvsim.h"

#define WAIT_MS 10000
/* The host's per-request timeout in these cases: far above any bound a case asserts. */
#define REQ_MS 5000
/* The service's --transfer-timeout: how long it keeps a copy the host went silent on. */
#define TRANSFER_TIMEOUT_S 1
/*
 * The re-check interval set here (rte_hvdev_conf.recheck_ms, dpdk-hv-fcopy --recheck-ms; both
 * default to 0, never): the bound on a lost interrupt's cost.
 */
#define RECHECK_MS 1000
#define FILE_SIZE 20000u	/* four WRITEs of 6144 or less */

static char root[256];
static char guest[512];		/* the allowed root */
static char state[512];
static char src_dir[512];
static struct rte_hvsim *sim;
static struct rte_hvsim_dev *dev;
static pid_t service = -1;
static unsigned int good_seq;
static int nsrc;		/* files this case made in src_dir */

/* ---- the service process ---- */

/* --durability of the next service started; NULL: the default. */
static const char *durability;

static int
start_service(void)
{
	const char *extra[] = {
		"--transfer-timeout", RTE_STR(TRANSFER_TIMEOUT_S),
		"--recheck-ms", RTE_STR(RECHECK_MS),
		durability != NULL ? "--durability" : NULL, durability, NULL,
	};

	service = hvdev_test_fcopy_spawn(root, guest, state, extra);
	TEST_ASSERT(service > 0, "start the service (HVDEV_FCOPY_BIN set?)");
	TEST_ASSERT_EQUAL(rte_hvsim_wait_open(dev, true, WAIT_MS), 0, "service opened the channel");
	TEST_ASSERT_EQUAL(rte_hvsim_ic_wait(dev, WAIT_MS), 0, "IC negotiation");
	return TEST_SUCCESS;
}

/* SIGTERM and wait; returns the wait status (-1 when there was no service). */
static int
stop_service(void)
{
	int status = hvdev_test_process_stop(service, 5000);

	service = -1;
	return status;
}

static bool
service_alive(void)
{
	int status;

	return service > 0 && waitpid(service, &status, WNOHANG) == 0;
}

/* ---- the file system ---- */

static int
make_src(const char *name, uint64_t size, uint32_t seed, char *path, size_t len)
{
	hvdev_test_fmt(path, len, "%s/%s", src_dir, name);
	if (hvdev_test_exists(path))
		return -1;
	nsrc++;
	return hvdev_test_make_file(path, size, seed);
}

/*
 * Entries of the test root outside the places anyone may write: the allowed root, the
 * service's state directory, the sources, and the simulator's sys/ and dev/ trees. The
 * service must never add one.
 */
static int
count_outside(void)
{
	static const char *const allowed[] = { "guest", "state", "host", "sys", "dev",
		"proc" };
	struct dirent *de;
	unsigned int i;
	int n = 0;
	DIR *d = opendir(root);

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		for (i = 0; i < RTE_DIM(allowed); i++)
			if (strcmp(de->d_name, allowed[i]) == 0)
				break;
		if (i == RTE_DIM(allowed)) {
			printf("written outside the allowed root: %s/%s\n", root, de->d_name);
			n++;
		}
	}
	closedir(d);
	/* The sources' directory holds the sources and nothing else. */
	if (hvdev_test_count_named(src_dir, "") != nsrc) {
		printf("%s holds %d entries, %d sources made\n", src_dir,
		       hvdev_test_count_named(src_dir, ""), nsrc);
		n++;
	}
	return n;
}

/*
 * Unnamed (O_TMPFILE) files in the allowed root that the service holds open: a copy in
 * progress there has no name to count.
 */
static int
count_unnamed(void)
{
	char dir[64], fd[PATH_MAX], target[PATH_MAX];
	struct dirent *de;
	ssize_t n;
	int count = 0;
	DIR *d;

	if (service <= 0)
		return 0;
	hvdev_test_fmt(dir, sizeof(dir), "/proc/%d/fd", (int)service);
	d = opendir(dir);
	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		hvdev_test_fmt(fd, sizeof(fd), "%s/%s", dir, de->d_name);
		n = readlink(fd, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (strncmp(target, guest, strlen(guest)) == 0 &&
		    strstr(target, " (deleted)") != NULL)
			count++;
	}
	closedir(d);
	return count;
}

/* Files of a copy in progress: named temporary files, and unnamed ones held open. */
static int
count_copy_files(void)
{
	return hvdev_test_count_named(guest, "hvfcopy") + count_unnamed();
}

/* Temporary files go when the copy ends, or (abandoned) within the transfer timeout. */
static int
wait_no_temp(int timeout_ms)
{
	int waited;

	for (waited = 0; waited < timeout_ms; waited += 50) {
		if (count_copy_files() == 0)
			return 0;
		usleep(50000);
	}
	return count_copy_files();
}

/* ---- copies ---- */

static int
copy(const char *src, const char *dest, struct rte_hvsim_fcopy_result *res)
{
	struct rte_hvsim_fcopy_opts o = { .timeout_ms = REQ_MS };

	return rte_hvsim_fcopy(dev, src, dest, &o, res);
}

/* A good copy after the fault: it must arrive whole. */
static int
copy_ok(void)
{
	struct rte_hvsim_fcopy_result res;
	char name[64], src[PATH_MAX], dest[PATH_MAX];
	int ret;

	hvdev_test_fmt(name, sizeof(name), "good-%u.bin", good_seq++);
	TEST_ASSERT(make_src(name, FILE_SIZE + good_seq, 1000 + good_seq, src, sizeof(src)) == 0,
		    "source %s", name);
	hvdev_test_fmt(dest, sizeof(dest), "%s/%s", guest, name);
	ret = copy(src, dest, &res);
	TEST_ASSERT_EQUAL(ret, 0, "the good copy after the fault ran (%s)", strerror(-ret));
	TEST_ASSERT_EQUAL(res.hresult, 0, "the good copy succeeded: %s",
			  rte_hvsim_hresult_message(res.hresult));
	TEST_ASSERT(hvdev_test_same_file(src, dest), "the good copy arrived byte for byte");
	return TEST_SUCCESS;
}

/*
 * What every case ends with: the service alive, no temporary file, nothing under @p dest
 * (NULL: the copy succeeded), nothing outside the allowed root, then a good copy.
 */
static int
invariants(const char *dest)
{
	TEST_ASSERT(service_alive(), "the service is still running (no crash)");
	TEST_ASSERT_EQUAL(wait_no_temp((TRANSFER_TIMEOUT_S + 2) * 1000), 0,
			  "no temporary file left");
	if (dest != NULL)
		TEST_ASSERT(!hvdev_test_exists(dest), "nothing under the final name %s", dest);
	TEST_ASSERT_EQUAL(count_outside(), 0, "nothing written outside the allowed root");
	TEST_RUN(copy_ok());
	TEST_ASSERT(service_alive(), "the service is still running after the good copy");
	return TEST_SUCCESS;
}

static int
set_fault(const struct rte_hvsim_fault *f)
{
	TEST_ASSERT_EQUAL(rte_hvsim_fault_set(dev, f), 0, "fault set");
	return TEST_SUCCESS;
}

/* A source for the faulty copy and its destination in the guest. */
static int
faulty_paths(const char *name, uint64_t size, char *src, char *dest)
{
	TEST_ASSERT(make_src(name, size, 7, src, PATH_MAX) == 0, "source %s", name);
	hvdev_test_fmt(dest, PATH_MAX, "%s/%s", guest, name);
	return TEST_SUCCESS;
}

/* ---- set-up ---- */

static int
setup(void)
{
	struct rte_hvsim_dev_conf conf = { .ic_negotiate = true };

	TEST_ASSERT(hvdev_test_root_create(root, sizeof(root)) == 0, "mkdtemp");
	hvdev_test_fmt(guest, sizeof(guest), "%s/guest", root);
	hvdev_test_fmt(state, sizeof(state), "%s/state", root);
	hvdev_test_fmt(src_dir, sizeof(src_dir), "%s/host", root);
	TEST_ASSERT(hvdev_test_mkdirs(guest) == 0 && hvdev_test_mkdirs(state) == 0 &&
		    hvdev_test_mkdirs(src_dir) == 0, "dirs");
	sim = rte_hvsim_create(root);
	TEST_ASSERT(sim != NULL, "simulator");
	TEST_ASSERT_EQUAL(rte_hvsim_start(sim), 0, "start");
	hvdev_test_class("fcopy", conf.class_id);
	dev = rte_hvsim_offer(sim, &conf);
	TEST_ASSERT(dev != NULL, "offer");
	good_seq = 0;
	nsrc = 0;
	return start_service();
}

/* The service must still stop cleanly on SIGTERM, whatever the fault did. */
static int
teardown(void)
{
	int status = stop_service();

	rte_hvsim_destroy(sim);
	sim = NULL;
	hvdev_test_root_remove(root);
	TEST_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "the service exited cleanly on SIGTERM (status 0x%x)", status);
	return TEST_SUCCESS;
}

#define SERVICE_CASE(name) \
static int \
test_ ## name(void) \
{ \
	int ret, ret2; \
	TEST_RUN(setup()); \
	ret = check_ ## name(); \
	ret2 = teardown(); \
	return ret != TEST_SUCCESS ? ret : ret2; \
}

/* ---- interrupts ---- */

static int
check_intr_delayed(void)
{
	struct rte_hvsim_fault f = { .intr_delay_ms = 100 };
	struct rte_hvsim_fcopy_result res;
	struct rte_hvsim_dev_stats st;
	char src[PATH_MAX], dest[PATH_MAX];
	uint64_t t0, ms;

	TEST_RUN(faulty_paths("delayed.bin", FILE_SIZE, src, dest));
	TEST_RUN(set_fault(&f));
	/* Let the service fall asleep after the negotiation, so that START needs a wake-up. */
	usleep(200000);
	t0 = hvdev_test_now_us();
	TEST_ASSERT_EQUAL(copy(src, dest, &res), 0, "copy");
	ms = (hvdev_test_now_us() - t0) / 1000;
	TEST_ASSERT_EQUAL(res.hresult, 0, "every request answered in the end");
	TEST_ASSERT(hvdev_test_same_file(src, dest), "arrived byte for byte");
	rte_hvsim_dev_stats_get(dev, &st);
	/*
	 * Only a request that finds the guest asleep needs an interrupt (it checks the ring
	 * before it sleeps, and after arming): at least START does, as the guest was idle.
	 */
	TEST_ASSERT(st.intr_delayed >= 1, "%" PRIu64 " interrupts delayed", st.intr_delayed);
	TEST_ASSERT(ms >= 90, "the idle guest waited for the late interrupt: %" PRIu64 " ms",
		    ms);
	printf("%" PRIu64 " interrupts 100 ms late: the copy took %" PRIu64 " ms\n",
	       st.intr_delayed, ms);
	TEST_RUN(set_fault(NULL));
	return invariants(NULL);
}
SERVICE_CASE(intr_delayed)

/* Every interrupt lost: the guest's wait re-checks the ring; each request costs at most that. */
static int
check_intr_dropped_all(void)
{
	struct rte_hvsim_fault f = { .intr_drop_every = 1 };
	struct rte_hvsim_fcopy_result res;
	struct rte_hvsim_dev_stats st;
	char src[PATH_MAX], dest[PATH_MAX];
	uint64_t t0, ms;

	TEST_RUN(faulty_paths("dropped.bin", 6000, src, dest));
	TEST_RUN(set_fault(&f));
	usleep(200000);
	t0 = hvdev_test_now_us();
	TEST_ASSERT_EQUAL(copy(src, dest, &res), 0, "copy");
	ms = (hvdev_test_now_us() - t0) / 1000;
	TEST_ASSERT_EQUAL(res.hresult, 0, "recovered without any interrupt");
	TEST_ASSERT(hvdev_test_same_file(src, dest), "arrived byte for byte");
	rte_hvsim_dev_stats_get(dev, &st);
	TEST_ASSERT(st.intr_dropped >= 3, "%" PRIu64 " interrupts dropped", st.intr_dropped);
	/* START, WRITE, COMPLETE: at most one re-check slice each, plus scheduling slack. */
	TEST_ASSERT(ms <= 3 * RECHECK_MS + 1000, "bounded by the re-check: %" PRIu64 " ms", ms);
	printf("3 requests with every interrupt dropped: %" PRIu64 " ms (bound %d)\n", ms,
	       3 * RECHECK_MS + 1000);
	TEST_RUN(set_fault(NULL));
	return invariants(NULL);
}
SERVICE_CASE(intr_dropped_all)

static int
check_intr_dropped_random(void)
{
	struct rte_hvsim_fault f = { .intr_drop_pct = 30, .seed = 42 };
	struct rte_hvsim_fcopy_result res;
	struct rte_hvsim_dev_stats st;
	char src[PATH_MAX], dest[PATH_MAX];

	TEST_RUN(faulty_paths("random.bin", 5 * 6144 + 11, src, dest));
	TEST_RUN(set_fault(&f));
	TEST_ASSERT_EQUAL(copy(src, dest, &res), 0, "copy");
	TEST_ASSERT_EQUAL(res.hresult, 0, "recovered");
	TEST_ASSERT(hvdev_test_same_file(src, dest), "arrived byte for byte");
	rte_hvsim_dev_stats_get(dev, &st);
	TEST_ASSERT(st.intr_dropped >= 1 && st.intr_dropped < st.interrupts + st.intr_dropped,
		    "some dropped, some delivered (%" PRIu64 "/%" PRIu64 ")", st.intr_dropped,
		    st.interrupts);
	TEST_RUN(set_fault(NULL));
	return invariants(NULL);
}
SERVICE_CASE(intr_dropped_random)

/* ---- ring corruption: the guest resets the channel, the host's request fails ---- */

static int
corrupt_case(enum rte_hvsim_corrupt c, enum rte_hvsim_step step, uint32_t failed_op)
{
	struct rte_hvsim_fault f = { .corrupt = c, .step = step, .step_nth = 2 };
	struct rte_hvsim_fcopy_result res;
	struct rte_hvsim_dev_stats before, after;
	char src[PATH_MAX], dest[PATH_MAX];
	int ret;

	if (step != RTE_HVSIM_STEP_NONE)
		f.action = RTE_HVSIM_ACT_CORRUPT;
	TEST_RUN(faulty_paths("corrupt.bin", FILE_SIZE, src, dest));
	rte_hvsim_dev_stats_get(dev, &before);
	TEST_RUN(set_fault(&f));
	ret = copy(src, dest, &res);
	TEST_ASSERT_EQUAL(ret, -ENOTCONN, "the guest closed the channel (%s)", strerror(-ret));
	TEST_ASSERT_EQUAL(res.failed_op, failed_op, "the request that carried the corruption");
	/* The service reopens the channel and negotiates again, with no one's help. */
	TEST_ASSERT_EQUAL(rte_hvsim_wait_open(dev, true, WAIT_MS), 0, "reopened");
	TEST_ASSERT_EQUAL(rte_hvsim_ic_wait(dev, WAIT_MS), 0, "negotiated again");
	rte_hvsim_dev_stats_get(dev, &after);
	TEST_ASSERT_EQUAL(after.opens, before.opens + 1, "exactly one channel reset");
	TEST_ASSERT_EQUAL(after.faults_fired, before.faults_fired + 1 +
			  (step != RTE_HVSIM_STEP_NONE), "the corruption fired once");
	return invariants(dest);
}

#define CORRUPT_CASE(name, c) \
static int \
check_ ## name(void) \
{ \
	return corrupt_case(c, RTE_HVSIM_STEP_NONE, RTE_HVDEV_FCOPY_START); \
} \
SERVICE_CASE(name)

CORRUPT_CASE(corrupt_rx_windex, RTE_HVSIM_CORRUPT_RX_WINDEX)
CORRUPT_CASE(corrupt_rx_rindex, RTE_HVSIM_CORRUPT_RX_RINDEX)
CORRUPT_CASE(corrupt_tx_rindex, RTE_HVSIM_CORRUPT_TX_RINDEX)
CORRUPT_CASE(corrupt_desc_hlen, RTE_HVSIM_CORRUPT_DESC_HLEN)
CORRUPT_CASE(corrupt_desc_tlen, RTE_HVSIM_CORRUPT_DESC_TLEN)
CORRUPT_CASE(corrupt_desc_type, RTE_HVSIM_CORRUPT_DESC_TYPE)

/* Mid-copy: the third WRITE carries a corrupt descriptor; the partial file must go. */
static int
check_corrupt_mid_copy(void)
{
	return corrupt_case(RTE_HVSIM_CORRUPT_DESC_TLEN, RTE_HVSIM_STEP_WRITE,
			    RTE_HVDEV_FCOPY_WRITE);
}
SERVICE_CASE(corrupt_mid_copy)

/*
 * The host moves the guest's TX write index while the service is writing a response into the
 * ring (after its space check, before its commit). DPDK's TX writer spun for ever there, at
 * 100% CPU, and SIGTERM could not stop the service. Now the channel breaks, the service
 * reopens it, and SIGTERM ends it within a second. A thread watches the TX ring: the moment a
 * new descriptor appears beyond the published write index, it moves the index.
 */
#define SIGTERM_BOUND_MS 1000
/* How long copies run before the racer must have won once (usually the first copy). */
#define RACE_US 15000000ull
static volatile int tx_racing;
static volatile int tx_race_fired;

static void *
tx_windex_racer(void *arg)
{
	uint32_t dsize = rte_hvsim_dev_data_size(dev), w, w2;
	long i, ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	uint64_t snap = 0, cur;
	cpu_set_t cpus;

	RTE_SET_USED(arg);
	/* Off CPU 0, where the service's lcore runs (-l 0): the two must run at once. */
	CPU_ZERO(&cpus);
	for (i = 1; i < ncpu && i < CPU_SETSIZE; i++)
		CPU_SET(i, &cpus);
	if (ncpu > 1)
		pthread_setaffinity_np(pthread_self(), sizeof(cpus), &cpus);
	w = rte_hvsim_ring_peek(dev, RTE_HVSIM_RING_GUEST_TX, 0);
	rte_hvsim_ring_data_peek(dev, RTE_HVSIM_RING_GUEST_TX, w + 8, &snap, sizeof(snap));
	while (tx_racing && !tx_race_fired) {
		w2 = rte_hvsim_ring_peek(dev, RTE_HVSIM_RING_GUEST_TX, 0);
		if (w2 != w || w >= dsize) {
			w = w2;
			rte_hvsim_ring_data_peek(dev, RTE_HVSIM_RING_GUEST_TX, w + 8, &snap,
						 sizeof(snap));
			continue;
		}
		/* The descriptor's transaction id: each response carries another one. */
		if (rte_hvsim_ring_data_peek(dev, RTE_HVSIM_RING_GUEST_TX, w + 8, &cur,
					     sizeof(cur)) != 0 || cur == snap)
			continue;
		/* A response is being written at w and not published yet: move the index. */
		if (rte_hvsim_ring_peek(dev, RTE_HVSIM_RING_GUEST_TX, 0) != w)
			continue;
		rte_hvsim_ring_poke(dev, RTE_HVSIM_RING_GUEST_TX, 0, (w + 4096) % dsize);
		tx_race_fired = 1;
	}
	return NULL;
}

/* SIGTERM, then the time to the service's exit; @return the wait status, *ms the time. */
static int
sigterm_timed(uint64_t *ms)
{
	uint64_t t0 = hvdev_test_now_us();
	int status = -1;

	kill(service, SIGTERM);
	while (waitpid(service, &status, WNOHANG) == 0 &&
	       hvdev_test_now_us() - t0 < 3 * SIGTERM_BOUND_MS * 1000ull)
		usleep(5000);
	*ms = (hvdev_test_now_us() - t0) / 1000;
	if (!WIFEXITED(status) && !WIFSIGNALED(status)) {
		kill(service, SIGKILL);
		waitpid(service, &status, 0);
	}
	service = -1;
	return status;
}

static int
check_tx_windex_sigterm(void)
{
	struct rte_hvsim_fcopy_opts o = { .timeout_ms = 2000 };
	struct rte_hvsim_fcopy_result res;
	char src[PATH_MAX], dest[PATH_MAX];
	uint64_t ms, t_end;
	pthread_t tid;
	int i, status;

	tx_racing = 1;
	tx_race_fired = 0;
	TEST_ASSERT_EQUAL(pthread_create(&tid, NULL, tx_windex_racer, NULL), 0, "racer");
	/* Every WRITE is answered with a 6 KiB response: a long enough copy into the ring. */
	TEST_ASSERT(faulty_paths("race.bin", 40 * 6144, src, dest) == TEST_SUCCESS, "source");
	t_end = hvdev_test_now_us() + RACE_US;
	for (i = 0; !tx_race_fired && hvdev_test_now_us() < t_end; i++) {
		hvdev_test_fmt(dest, sizeof(dest), "%s/race-%d.bin", guest, i);
		rte_hvsim_fcopy(dev, src, dest, &o, &res);
		unlink(dest);
	}
	tx_racing = 0;
	pthread_join(tid, NULL);
	TEST_ASSERT(tx_race_fired, "the host moved the TX write index during a response");
	/* Whatever state the service is in now (spinning, reattaching, serving): SIGTERM. */
	usleep(100000);
	status = sigterm_timed(&ms);
	printf("the service stopped %" PRIu64 " ms after SIGTERM\n", ms);
	TEST_ASSERT(ms < SIGTERM_BOUND_MS, "SIGTERM stopped the service within %d ms (took %"
		    PRIu64 " ms)", SIGTERM_BOUND_MS, ms);
	TEST_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "the service exited cleanly on SIGTERM (status 0x%x)", status);
	return TEST_SUCCESS;
}

/*
 * A host that never drains its ring: the service's response finds the TX ring full and the
 * service waits for room. SIGTERM must end that wait too, within the bound, with a clean
 * exit (it used to end the service with "Interrupted system call" and a failure status).
 */
static int
check_tx_full_sigterm(void)
{
	struct rte_hvsim_fcopy_opts o = { .timeout_ms = 1000 };
	struct rte_hvsim_fcopy_result res;
	char src[PATH_MAX], dest[PATH_MAX];
	uint32_t dsize = rte_hvsim_dev_data_size(dev), w;
	uint64_t ms;
	int status;

	TEST_RUN(faulty_paths("full.bin", FILE_SIZE, src, dest));
	/* The host's read index just past our write index: 8 bytes free, the ring is full. */
	w = rte_hvsim_ring_peek(dev, RTE_HVSIM_RING_GUEST_TX, 0);
	TEST_ASSERT_EQUAL(rte_hvsim_ring_poke(dev, RTE_HVSIM_RING_GUEST_TX, 4, (w + 8) % dsize),
			  0, "poke");
	TEST_ASSERT_EQUAL(rte_hvsim_fcopy(dev, src, dest, &o, &res), -ETIMEDOUT,
			  "START is never answered: the answer cannot get out");
	TEST_ASSERT(rte_hvsim_ring_peek(dev, RTE_HVSIM_RING_GUEST_TX, 12) != 0,
		    "the service waits for room (pending_send_sz set)");
	status = sigterm_timed(&ms);
	printf("the service stopped %" PRIu64 " ms after SIGTERM\n", ms);
	TEST_ASSERT(ms < SIGTERM_BOUND_MS, "SIGTERM stopped the service within %d ms (took %"
		    PRIu64 " ms)", SIGTERM_BOUND_MS, ms);
	TEST_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "the service exited cleanly on SIGTERM (status 0x%x)", status);
	return TEST_SUCCESS;
}

static int
test_tx_full_sigterm(void)
{
	int ret;

	TEST_RUN(setup());
	ret = check_tx_full_sigterm();
	stop_service();
	rte_hvsim_destroy(sim);
	sim = NULL;
	hvdev_test_root_remove(root);
	return ret;
}

static int
test_tx_windex_sigterm(void)
{
	int ret;

	TEST_RUN(setup());
	ret = check_tx_windex_sigterm();
	stop_service();
	rte_hvsim_destroy(sim);
	sim = NULL;
	hvdev_test_root_remove(root);
	return ret;
}

/* ---- malformed fcopy and IC fields: an exact HRESULT, and the copy ends ---- */

static int
mangle_case(enum rte_hvsim_mangle m, uint32_t op, uint32_t len, uint32_t hresult)
{
	struct rte_hvsim_fault f = { .mangle = m, .mangle_op = op, .mangle_len = len };
	struct rte_hvsim_fcopy_result res;
	char src[PATH_MAX], dest[PATH_MAX];
	int ret;

	TEST_RUN(faulty_paths("mangled.bin", FILE_SIZE, src, dest));
	TEST_RUN(set_fault(&f));
	ret = copy(src, dest, &res);
	TEST_ASSERT_EQUAL(ret, 0, "the guest answered (%s)", strerror(-ret));
	TEST_ASSERT_EQUAL(res.hresult, hresult, "exact status: %s",
			  rte_hvsim_hresult_message(res.hresult));
	TEST_ASSERT_EQUAL(res.failed_op, op, "at the malformed request");
	return invariants(dest);
}

#define MANGLE_CASE(name, m, op, len, hr) \
static int \
check_ ## name(void) \
{ \
	return mangle_case(m, op, len, hr); \
} \
SERVICE_CASE(name)

MANGLE_CASE(write_size_over, RTE_HVSIM_MANGLE_WRITE_SIZE_OVER, RTE_HVDEV_FCOPY_WRITE, 0,
	    RTE_HVDEV_IC_INVALIDARG)
MANGLE_CASE(write_size_beyond, RTE_HVSIM_MANGLE_WRITE_SIZE_BEYOND, RTE_HVDEV_FCOPY_WRITE, 0,
	    RTE_HVDEV_IC_INVALIDARG)
MANGLE_CASE(name_unterminated, RTE_HVSIM_MANGLE_NAME_UNTERMINATED, RTE_HVDEV_FCOPY_START, 0,
	    RTE_HVDEV_IC_INVALIDARG)
MANGLE_CASE(path_unterminated, RTE_HVSIM_MANGLE_PATH_UNTERMINATED, RTE_HVDEV_FCOPY_START, 0,
	    RTE_HVDEV_IC_INVALIDARG)
MANGLE_CASE(start_truncated, RTE_HVSIM_MANGLE_TRUNCATE, RTE_HVDEV_FCOPY_START, 100,
	    RTE_HVDEV_IC_INVALIDARG)
MANGLE_CASE(start_truncated_in_padding, RTE_HVSIM_MANGLE_TRUNCATE, RTE_HVDEV_FCOPY_START,
	    sizeof(struct rte_hvdev_fcopy_start) - 2, RTE_HVDEV_IC_INVALIDARG)
MANGLE_CASE(write_truncated, RTE_HVSIM_MANGLE_TRUNCATE, RTE_HVDEV_FCOPY_WRITE, 40,
	    RTE_HVDEV_IC_INVALIDARG)
MANGLE_CASE(complete_truncated, RTE_HVSIM_MANGLE_TRUNCATE, RTE_HVDEV_FCOPY_COMPLETE, 2,
	    RTE_HVDEV_IC_INVALIDARG)
/* Cuts the packet's padding covers: icmsgsize shows them, the padding's zeros do not count. */
MANGLE_CASE(write_truncated_in_padding, RTE_HVSIM_MANGLE_TRUNCATE, RTE_HVDEV_FCOPY_WRITE,
	    sizeof(struct rte_hvdev_fcopy_write) - 3, RTE_HVDEV_IC_INVALIDARG)
MANGLE_CASE(complete_truncated_in_padding, RTE_HVSIM_MANGLE_TRUNCATE,
	    RTE_HVDEV_FCOPY_COMPLETE, sizeof(struct rte_hvdev_fcopy_hdr) - 2,
	    RTE_HVDEV_IC_INVALIDARG)
MANGLE_CASE(icmsgsize_over, RTE_HVSIM_MANGLE_ICMSGSIZE_OVER, RTE_HVDEV_FCOPY_WRITE, 0,
	    RTE_HVDEV_IC_INVALIDARG)
/* icmsgsize alone bounds the body: half of it cannot hold the WRITE's data. */
MANGLE_CASE(icmsgsize_under, RTE_HVSIM_MANGLE_ICMSGSIZE_UNDER, RTE_HVDEV_FCOPY_WRITE, 0,
	    RTE_HVDEV_IC_INVALIDARG)
MANGLE_CASE(op_unknown, RTE_HVSIM_MANGLE_OP_UNKNOWN, RTE_HVDEV_FCOPY_START, 0,
	    RTE_HVDEV_IC_INVALIDARG)
MANGLE_CASE(msgtype_not_fcopy, RTE_HVSIM_MANGLE_MSGTYPE, RTE_HVDEV_FCOPY_START, 0,
	    RTE_HVDEV_IC_NOT_SUPPORTED)

/*
 * START announces 1 byte and the host sends the whole file: the first WRITE past the
 * announced size is refused at once with INVALIDARG, before any of it reaches the disk.
 */
static int
check_write_past_size(void)
{
	struct rte_hvsim_fault f = { .mangle = RTE_HVSIM_MANGLE_START_SIZE_SMALL };
	struct rte_hvsim_fcopy_result res;
	char src[PATH_MAX], dest[PATH_MAX];
	int ret;

	TEST_RUN(faulty_paths("announced1.bin", FILE_SIZE, src, dest));
	TEST_RUN(set_fault(&f));
	ret = copy(src, dest, &res);
	TEST_ASSERT_EQUAL(ret, 0, "the guest answered (%s)", strerror(-ret));
	TEST_ASSERT_EQUAL(res.hresult, RTE_HVDEV_IC_INVALIDARG, "exact status: %s",
			  rte_hvsim_hresult_message(res.hresult));
	TEST_ASSERT_EQUAL(res.failed_op, RTE_HVDEV_FCOPY_WRITE, "at the first WRITE");
	TEST_ASSERT_EQUAL(res.bytes_sent, 0, "no WRITE accepted");
	return invariants(dest);
}
SERVICE_CASE(write_past_size)

/* ---- bad negotiation: refused with E_FAIL, the service lives on, a good one recovers ---- */

static int
renegotiate_good(void)
{
	struct rte_hvsim_ic_result r;

	TEST_RUN(set_fault(NULL));
	TEST_ASSERT_EQUAL(rte_hvsim_ic_renegotiate(dev), 0, "negotiate again");
	TEST_ASSERT_EQUAL(rte_hvsim_ic_wait(dev, WAIT_MS), 0, "answered");
	TEST_ASSERT_EQUAL(rte_hvsim_ic_result(dev, &r), 0, "result");
	TEST_ASSERT(r.ok && r.fw.major == 3 && r.srv.major == 1 && r.srv.minor == 1,
		    "a good negotiation after the bad one: %u.%u/%u.%u", r.fw.major, r.fw.minor,
		    r.srv.major, r.srv.minor);
	return TEST_SUCCESS;
}

static int
nego_case(enum rte_hvsim_nego_fault nf)
{
	struct rte_hvsim_fault f = { .nego = nf };
	struct rte_hvsim_fcopy_result res;
	struct rte_hvsim_ic_result r;
	char src[PATH_MAX], dest[PATH_MAX];
	int ret;

	TEST_RUN(faulty_paths("nego.bin", FILE_SIZE, src, dest));
	TEST_RUN(set_fault(&f));
	TEST_ASSERT_EQUAL(rte_hvsim_ic_renegotiate(dev), 0, "bad NEGOTIATE sent");
	TEST_ASSERT_EQUAL(rte_hvsim_ic_wait(dev, WAIT_MS), 0, "answered");
	TEST_ASSERT_EQUAL(rte_hvsim_ic_result(dev, &r), 0, "result");
	TEST_ASSERT(r.done && !r.ok, "refused");
	TEST_ASSERT_EQUAL(r.status, RTE_HVDEV_IC_E_FAIL, "refused with E_FAIL");
	ret = copy(src, dest, &res);
	TEST_ASSERT_EQUAL(ret, -ENOTCONN, "no copy without agreed versions (%s)",
			  strerror(-ret));
	TEST_RUN(renegotiate_good());
	return invariants(dest);
}

#define NEGO_CASE(name, nf) \
static int \
check_ ## name(void) \
{ \
	return nego_case(nf); \
} \
SERVICE_CASE(name)

NEGO_CASE(nego_no_common, RTE_HVSIM_NEGO_NO_COMMON)
NEGO_CASE(nego_too_many, RTE_HVSIM_NEGO_TOO_MANY)
NEGO_CASE(nego_truncated, RTE_HVSIM_NEGO_TRUNCATED)
NEGO_CASE(nego_short, RTE_HVSIM_NEGO_SHORT)

/* A host that never negotiates: the copy times out, nothing is written. */
static int
check_nego_silent(void)
{
	struct rte_hvsim_fault f = { .nego = RTE_HVSIM_NEGO_SILENT };
	struct rte_hvsim_fcopy_opts o = { .timeout_ms = 500 };
	struct rte_hvsim_fcopy_result res;
	char src[PATH_MAX], dest[PATH_MAX];

	TEST_RUN(faulty_paths("silent.bin", FILE_SIZE, src, dest));
	TEST_RUN(set_fault(&f));
	TEST_ASSERT_EQUAL(rte_hvsim_ic_renegotiate(dev), 0, "nothing sent");
	TEST_ASSERT_EQUAL(rte_hvsim_fcopy(dev, src, dest, &o, &res), -ETIMEDOUT, "no versions");
	TEST_ASSERT(res.timed_out && res.failed_op == UINT32_MAX, "timed out before START");
	TEST_RUN(renegotiate_good());
	return invariants(dest);
}
SERVICE_CASE(nego_silent)

/* The bad negotiation at channel open (Guest Services back on): the service keeps waiting. */
static int
check_nego_at_open(void)
{
	struct rte_hvsim_fault f = { .nego = RTE_HVSIM_NEGO_NO_COMMON };
	struct rte_hvsim_ic_result r;

	TEST_RUN(set_fault(&f));
	TEST_ASSERT_EQUAL(rte_hvsim_rescind(dev), 0, "rescind");
	TEST_ASSERT_EQUAL(rte_hvsim_reoffer(dev), 0, "offer again");
	TEST_ASSERT_EQUAL(rte_hvsim_wait_open(dev, true, WAIT_MS), 0, "service reattached");
	TEST_ASSERT_EQUAL(rte_hvsim_ic_wait(dev, WAIT_MS), 0, "answered");
	TEST_ASSERT_EQUAL(rte_hvsim_ic_result(dev, &r), 0, "result");
	TEST_ASSERT(r.done && !r.ok && r.status == RTE_HVDEV_IC_E_FAIL, "refused with E_FAIL");
	TEST_RUN(renegotiate_good());
	return invariants(NULL);
}
SERVICE_CASE(nego_at_open)

/* ---- the host goes silent mid-copy: the service abandons it after --transfer-timeout ---- */

static int
stall_case(enum rte_hvsim_step step)
{
	struct rte_hvsim_fault f = { .step = step, .step_nth = 2, .action = RTE_HVSIM_ACT_STALL };
	struct rte_hvsim_fcopy_result res;
	char src[PATH_MAX], dest[PATH_MAX];
	uint64_t t0, ms;

	TEST_RUN(faulty_paths("stalled.bin", FILE_SIZE, src, dest));
	TEST_RUN(set_fault(&f));
	TEST_ASSERT_EQUAL(copy(src, dest, &res), -ECANCELED, "the host went silent");
	TEST_ASSERT(step == RTE_HVSIM_STEP_NEGOTIATED || count_copy_files() == 1,
		    "the copy is open in the guest");
	t0 = hvdev_test_now_us();
	TEST_ASSERT_EQUAL(wait_no_temp((TRANSFER_TIMEOUT_S + 2) * 1000), 0,
			  "abandoned within the transfer timeout");
	ms = (hvdev_test_now_us() - t0) / 1000;
	printf("abandoned %" PRIu64 " ms after the host went silent (--transfer-timeout %d)\n",
	       ms, TRANSFER_TIMEOUT_S);
	TEST_ASSERT(!hvdev_test_exists(dest), "no partial file under the final name");
	return invariants(dest);
}

#define STEP_CASE(name, fn, step) \
static int \
check_ ## name(void) \
{ \
	return fn(step); \
} \
SERVICE_CASE(name)

STEP_CASE(stall_after_start, stall_case, RTE_HVSIM_STEP_START)
STEP_CASE(stall_after_write, stall_case, RTE_HVSIM_STEP_WRITE)
STEP_CASE(stall_before_complete, stall_case, RTE_HVSIM_STEP_BEFORE_COMPLETE)

/* ---- the host cancels at a step (mid-WRITE: fcopy_e2e/cancel) ---- */

static int
cancel_case(enum rte_hvsim_step step)
{
	struct rte_hvsim_fault f = { .step = step, .action = RTE_HVSIM_ACT_CANCEL };
	struct rte_hvsim_fcopy_result res;
	char src[PATH_MAX], dest[PATH_MAX];

	TEST_RUN(faulty_paths("cancelled.bin", FILE_SIZE, src, dest));
	TEST_RUN(set_fault(&f));
	TEST_ASSERT_EQUAL(copy(src, dest, &res), 0, "copy");
	TEST_ASSERT(res.cancelled, "the host cancelled");
	TEST_ASSERT_EQUAL(res.hresult, 0, "the guest accepts a CANCEL at any time");
	TEST_ASSERT_EQUAL(hvdev_test_count_named(guest, "hvfcopy"), 0,
			  "the temporary file went with the CANCEL");
	if (step == RTE_HVSIM_STEP_COMPLETE) {
		/* Too late to cancel: the file was delivered and stays. */
		TEST_ASSERT(hvdev_test_same_file(src, dest),
			    "a completed file survives a late CANCEL");
		return invariants(NULL);
	}
	return invariants(dest);
}

STEP_CASE(cancel_before_start, cancel_case, RTE_HVSIM_STEP_NEGOTIATED)
STEP_CASE(cancel_after_start, cancel_case, RTE_HVSIM_STEP_START)
STEP_CASE(cancel_before_complete, cancel_case, RTE_HVSIM_STEP_BEFORE_COMPLETE)
STEP_CASE(cancel_after_complete, cancel_case, RTE_HVSIM_STEP_COMPLETE)

/* ---- rescind at a step, offer again, a good copy in the same service process ---- */

/*
 * The host's view of a copy that a rescind or the guest's death (@p what) cut at @p step:
 * after COMPLETE the exchange was over and the file stays; before it, the channel went away
 * and nothing is under the final name.
 */
static int
check_cut_copy(enum rte_hvsim_step step, int ret, const char *src, const char *dest,
	       const char *what)
{
	if (step == RTE_HVSIM_STEP_COMPLETE) {
		TEST_ASSERT_EQUAL(ret, 0, "the exchange was over before the %s", what);
		TEST_ASSERT(hvdev_test_same_file(src, dest), "the delivered file survives the %s",
			    what);
	} else {
		TEST_ASSERT_EQUAL(ret, -ENOTCONN, "the channel went away with the %s (%s)", what,
				  strerror(-ret));
		TEST_ASSERT(!hvdev_test_exists(dest), "nothing under the final name");
	}
	return TEST_SUCCESS;
}

static int
rescind_case(enum rte_hvsim_step step)
{
	struct rte_hvsim_fault f = { .step = step, .step_nth = 1, .action = RTE_HVSIM_ACT_RESCIND };
	struct rte_hvsim_fcopy_result res;
	char src[PATH_MAX], dest[PATH_MAX];
	pid_t pid = service;
	int ret;

	TEST_RUN(faulty_paths("rescinded.bin", FILE_SIZE, src, dest));
	TEST_RUN(set_fault(&f));
	ret = copy(src, dest, &res);
	TEST_RUN(check_cut_copy(step, ret, src, dest, "rescind"));
	TEST_ASSERT_EQUAL(wait_no_temp(3000), 0, "the partial file went with the channel");
	TEST_ASSERT_EQUAL(rte_hvsim_reoffer(dev), 0, "offer again");
	TEST_ASSERT_EQUAL(rte_hvsim_wait_open(dev, true, WAIT_MS), 0, "service reattached");
	TEST_ASSERT_EQUAL(rte_hvsim_ic_wait(dev, WAIT_MS), 0, "negotiated again");
	TEST_ASSERT_EQUAL(service, pid, "the same service process");
	return invariants(step == RTE_HVSIM_STEP_COMPLETE ? NULL : dest);
}

STEP_CASE(rescind_before_start, rescind_case, RTE_HVSIM_STEP_NEGOTIATED)
STEP_CASE(rescind_after_start, rescind_case, RTE_HVSIM_STEP_START)
STEP_CASE(rescind_after_first_write, rescind_case, RTE_HVSIM_STEP_WRITE)
STEP_CASE(rescind_before_complete, rescind_case, RTE_HVSIM_STEP_BEFORE_COMPLETE)
STEP_CASE(rescind_after_complete, rescind_case, RTE_HVSIM_STEP_COMPLETE)

/* ---- the guest killed (SIGKILL) at a step, then restarted ---- */

static int
kill_case(enum rte_hvsim_step step)
{
	struct rte_hvsim_fault f = { .step = step, .step_nth = 2, .action = RTE_HVSIM_ACT_KILL,
				     .step_pid = service };
	struct rte_hvsim_fcopy_result res;
	char src[PATH_MAX], dest[PATH_MAX];
	int ret, status;

	TEST_RUN(faulty_paths("killed.bin", FILE_SIZE, src, dest));
	TEST_RUN(set_fault(&f));
	ret = copy(src, dest, &res);
	TEST_ASSERT_EQUAL(waitpid(service, &status, 0), service, "the service is gone");
	TEST_ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "killed by SIGKILL");
	service = -1;
	TEST_RUN(check_cut_copy(step, ret, src, dest, "kill"));
	TEST_ASSERT_EQUAL(rte_hvsim_wait_open(dev, false, WAIT_MS), 0, "the host saw the close");
	TEST_RUN(start_service());
	TEST_ASSERT_EQUAL(hvdev_test_count_named(guest, "hvfcopy"), 0,
			  "the restarted service removed the leftover");
	if (step == RTE_HVSIM_STEP_COMPLETE) {
		TEST_ASSERT(hvdev_test_same_file(src, dest),
			    "the delivered file survives the restart");
		return invariants(NULL);
	}
	return invariants(dest);
}

STEP_CASE(kill_before_start, kill_case, RTE_HVSIM_STEP_NEGOTIATED)
STEP_CASE(kill_after_start, kill_case, RTE_HVSIM_STEP_START)
STEP_CASE(kill_mid_write, kill_case, RTE_HVSIM_STEP_WRITE)
STEP_CASE(kill_before_complete, kill_case, RTE_HVSIM_STEP_BEFORE_COMPLETE)
STEP_CASE(kill_after_complete, kill_case, RTE_HVSIM_STEP_COMPLETE)

static long long
file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

/* Restart the service with the test hooks @p crash_at and @p named in its environment. */
static int
restart_with(const char *crash_at, bool named)
{
	int ret;

	stop_service();
	if (crash_at != NULL)
		setenv("HVDEV_FCOPY_TEST_CRASH_AT", crash_at, 1);
	if (named)
		setenv("HVDEV_FCOPY_TEST_NAMED_TMP", "1", 1);
	ret = start_service();
	unsetenv("HVDEV_FCOPY_TEST_CRASH_AT");
	unsetenv("HVDEV_FCOPY_TEST_NAMED_TMP");
	return ret;
}

/* The same kills on the named temporary file (the fallback without O_TMPFILE). */
static int
kill_named_case(enum rte_hvsim_step step)
{
	int ret;

	TEST_RUN(restart_with(NULL, true));
	ret = kill_case(step);
	return ret;
}

STEP_CASE(kill_named_after_start, kill_named_case, RTE_HVSIM_STEP_START)
STEP_CASE(kill_named_mid_write, kill_named_case, RTE_HVSIM_STEP_WRITE)
STEP_CASE(kill_named_before_complete, kill_named_case, RTE_HVSIM_STEP_BEFORE_COMPLETE)
STEP_CASE(kill_named_after_complete, kill_named_case, RTE_HVSIM_STEP_COMPLETE)

/*
 * The guest killed (SIGKILL, by its own test hook HVDEV_FCOPY_TEST_CRASH_AT) at a step inside
 * START or COMPLETE, with O_TMPFILE or the named fallback, durability @p level, copying over
 * an existing file or not. Before and after the restart: the final name holds the old file
 * (or nothing) unless the step is past the publication, then the whole new file; never a
 * part. After the restart no temporary file is left.
 */
static int
crash_case(const char *step, bool named, bool over, const char *level)
{
	struct rte_hvsim_fcopy_opts o = { .timeout_ms = REQ_MS, .overwrite = over };
	struct rte_hvsim_fcopy_result res;
	char src[PATH_MAX], dest[PATH_MAX];
	bool published = strcmp(step, "published") == 0;
	int ret, status = 0, waited;

	TEST_RUN(faulty_paths("crashed.bin", FILE_SIZE, src, dest));
	if (over)
		TEST_ASSERT(hvdev_test_make_file(dest, 100, 99) == 0, "the file to overwrite");
	durability = level;
	ret = restart_with(step, named);
	durability = NULL;
	TEST_RUN(ret);
	ret = rte_hvsim_fcopy(dev, src, dest, &o, &res);
	/* Bounded: a step the service never reaches must fail the case, not hang it. */
	for (waited = 0; waited < WAIT_MS; waited += 10) {
		if (waitpid(service, &status, WNOHANG) == service)
			break;
		usleep(10000);
	}
	TEST_ASSERT(waited < WAIT_MS, "the service died at %s", step);
	TEST_ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "killed at %s", step);
	service = -1;
	if (strcmp(step, "answered") == 0)
		TEST_ASSERT(ret == 0 && res.hresult == 0, "async: COMPLETE answered S_OK first");
	else
		TEST_ASSERT(ret != 0 || res.hresult != 0, "the host was not told it succeeded");
	/* What a crash leaves: the new file whole, or the old one (or nothing). */
	if (published)
		TEST_ASSERT(hvdev_test_same_file(src, dest), "published whole before the crash");
	else if (over)
		TEST_ASSERT(file_size(dest) == 100, "the old file intact");
	else
		TEST_ASSERT(!hvdev_test_exists(dest), "nothing under the final name");
	if (!named && strcmp(step, "linked") != 0)
		TEST_ASSERT_EQUAL(hvdev_test_count_named(guest, "hvfcopy"), 0,
				  "O_TMPFILE: nothing left behind even before the restart");
	else if (!published)
		TEST_ASSERT_EQUAL(hvdev_test_count_named(guest, "hvfcopy"), 1,
				  "a temporary name left behind for the restart to remove");
	TEST_ASSERT_EQUAL(rte_hvsim_wait_open(dev, false, WAIT_MS), 0, "the host saw the close");
	TEST_RUN(start_service());
	TEST_ASSERT_EQUAL(hvdev_test_count_named(guest, "hvfcopy"), 0,
			  "the restarted service removed any leftover");
	if (published)
		TEST_ASSERT(hvdev_test_same_file(src, dest), "the file survives the restart");
	else if (over)
		TEST_ASSERT(file_size(dest) == 100, "the old file survives the restart");
	return invariants(published || over ? NULL : dest);
}

#define CRASH_CASE(name, step, named, over, level) \
static int \
check_ ## name(void) \
{ \
	return crash_case(step, named, over, level); \
} \
SERVICE_CASE(name)

CRASH_CASE(crash_created, "created", false, false, NULL)
CRASH_CASE(crash_flushed, "flushed", false, false, NULL)
CRASH_CASE(crash_published, "published", false, false, NULL)
CRASH_CASE(crash_over_flushed, "flushed", false, true, NULL)
CRASH_CASE(crash_over_linked, "linked", false, true, NULL)
CRASH_CASE(crash_over_published, "published", false, true, NULL)
CRASH_CASE(crash_named_created, "created", true, false, NULL)
CRASH_CASE(crash_named_flushed, "flushed", true, false, NULL)
CRASH_CASE(crash_named_published, "published", true, false, NULL)
CRASH_CASE(crash_named_over_flushed, "flushed", true, true, NULL)
CRASH_CASE(crash_async_answered, "answered", false, false, "async")
CRASH_CASE(crash_async_over_answered, "answered", false, true, "async")
CRASH_CASE(crash_async_named_answered, "answered", true, false, "async")
CRASH_CASE(crash_none_flushed, "flushed", false, false, "none")
CRASH_CASE(crash_none_published, "published", false, false, "none")

#define BATCH 3

/*
 * Durability async in batches: the flusher holds BATCH answered copies (its test hook), then
 * the service is killed inside that batch's publication, at @p step: batch-flushed (data
 * flushed, nothing named yet) or batch-linked (the first of the batch named). Every copy was
 * answered S_OK; what is under a final name is whole, the rest is nowhere (unnamed files
 * vanish), no temporary name is left, before and after the restart.
 */
static int
crash_batch_case(const char *step)
{
	struct rte_hvsim_fcopy_opts o = { .timeout_ms = REQ_MS };
	struct rte_hvsim_fcopy_result res;
	char src[BATCH][PATH_MAX], dest[BATCH][PATH_MAX], name[32];
	bool linked = strcmp(step, "batch-linked") == 0;
	int i, ret, status = 0, waited;

	for (i = 0; i < BATCH; i++) {
		hvdev_test_fmt(name, sizeof(name), "batch%d.bin", i);
		TEST_RUN(faulty_paths(name, FILE_SIZE, src[i], dest[i]));
	}
	durability = "async";
	setenv("HVDEV_FCOPY_TEST_ASYNC_BATCH", RTE_STR(BATCH), 1);
	ret = restart_with(step, false);
	unsetenv("HVDEV_FCOPY_TEST_ASYNC_BATCH");
	durability = NULL;
	TEST_RUN(ret);
	for (i = 0; i < BATCH; i++) {
		ret = rte_hvsim_fcopy(dev, src[i], dest[i], &o, &res);
		TEST_ASSERT(ret == 0 && res.hresult == 0, "copy %d answered S_OK at once", i);
		if (i < BATCH - 1)
			TEST_ASSERT(!hvdev_test_exists(dest[i]), "copy %d held for its batch", i);
	}
	for (waited = 0; waited < WAIT_MS; waited += 10) {
		if (waitpid(service, &status, WNOHANG) == service)
			break;
		usleep(10000);
	}
	TEST_ASSERT(waited < WAIT_MS, "the service died at %s", step);
	TEST_ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "killed at %s", step);
	service = -1;
	for (i = 0; i < BATCH; i++) {
		if (linked && i == 0)
			TEST_ASSERT(hvdev_test_same_file(src[i], dest[i]), "the first one whole");
		else
			TEST_ASSERT(!hvdev_test_exists(dest[i]), "copy %d under no name", i);
	}
	TEST_ASSERT_EQUAL(hvdev_test_count_named(guest, "hvfcopy"), 0,
			  "no temporary name left, even before the restart");
	TEST_ASSERT_EQUAL(rte_hvsim_wait_open(dev, false, WAIT_MS), 0, "the host saw the close");
	TEST_RUN(start_service());
	for (i = 0; i < BATCH; i++)
		TEST_ASSERT(linked && i == 0 ? hvdev_test_same_file(src[i], dest[i]) :
			    !hvdev_test_exists(dest[i]), "copy %d as it was after the restart", i);
	return invariants(linked ? NULL : dest[0]);
}

/*
 * Durability async: copies answered and still queued (the flusher holds BATCH) when the
 * service is stopped (SIGTERM) are published, whole, before it exits.
 */
static int
check_async_stop_publishes(void)
{
	struct rte_hvsim_fcopy_opts o = { .timeout_ms = REQ_MS };
	struct rte_hvsim_fcopy_result res;
	char src[BATCH - 1][PATH_MAX], dest[BATCH - 1][PATH_MAX], name[32];
	int i, ret;

	durability = "async";
	setenv("HVDEV_FCOPY_TEST_ASYNC_BATCH", RTE_STR(BATCH), 1);
	ret = restart_with(NULL, false);
	unsetenv("HVDEV_FCOPY_TEST_ASYNC_BATCH");
	durability = NULL;
	TEST_RUN(ret);
	for (i = 0; i < BATCH - 1; i++) {
		hvdev_test_fmt(name, sizeof(name), "queued%d.bin", i);
		TEST_RUN(faulty_paths(name, FILE_SIZE, src[i], dest[i]));
		ret = rte_hvsim_fcopy(dev, src[i], dest[i], &o, &res);
		TEST_ASSERT(ret == 0 && res.hresult == 0, "copy %d answered S_OK", i);
	}
	usleep(50000);
	for (i = 0; i < BATCH - 1; i++)
		TEST_ASSERT(!hvdev_test_exists(dest[i]), "copy %d still queued", i);
	ret = stop_service();
	TEST_ASSERT(WIFEXITED(ret) && WEXITSTATUS(ret) == 0, "a clean stop (status 0x%x)", ret);
	for (i = 0; i < BATCH - 1; i++)
		TEST_ASSERT(hvdev_test_same_file(src[i], dest[i]), "copy %d published at the stop",
			    i);
	TEST_ASSERT_EQUAL(hvdev_test_count_named(guest, "hvfcopy"), 0, "no temporary name");
	TEST_ASSERT_EQUAL(rte_hvsim_wait_open(dev, false, WAIT_MS), 0, "the host saw the close");
	TEST_RUN(start_service());
	return invariants(NULL);
}
SERVICE_CASE(async_stop_publishes)

static int
check_crash_async_batch_flushed(void)
{
	return crash_batch_case("batch-flushed");
}
SERVICE_CASE(crash_async_batch_flushed)

static int
check_crash_async_batch_linked(void)
{
	return crash_batch_case("batch-linked");
}
SERVICE_CASE(crash_async_batch_linked)

/* ---- the class library alone: an rte_hvdev device in this process ---- */

#define LIB_DEV "hvdev_uio0"
#define PKT_INBAND 6

static int16_t lib_id = -1;

static int
lib_setup(void)
{
	struct rte_hvsim_dev_conf conf = { 0 };
	struct rte_hvdev_conf hc = { .intr_mode = true, .recheck_ms = RECHECK_MS };
	char args[512];

	TEST_ASSERT(hvdev_test_root_create(root, sizeof(root)) == 0, "mkdtemp");
	sim = rte_hvsim_create(root);
	TEST_ASSERT(sim != NULL, "simulator");
	TEST_ASSERT_EQUAL(rte_hvsim_start(sim), 0, "start");
	hvdev_test_class("fcopy", conf.class_id);
	dev = rte_hvsim_offer(sim, &conf);
	TEST_ASSERT(dev != NULL, "offer");
	hvdev_test_fmt(args, sizeof(args), "class=fcopy,root=%s", root);
	TEST_ASSERT_EQUAL(rte_vdev_init(LIB_DEV, args), 0, "create %s", LIB_DEV);
	lib_id = (int16_t)rte_hvdev_get_dev_id_by_name(LIB_DEV);
	TEST_ASSERT(lib_id >= 0, "device id");
	TEST_ASSERT_EQUAL(rte_hvdev_configure(lib_id, &hc), 0, "configure");
	TEST_ASSERT_EQUAL(rte_hvdev_start(lib_id), 0, "start");
	TEST_ASSERT_EQUAL(rte_hvsim_wait_open(dev, true, WAIT_MS), 0, "host open");
	return TEST_SUCCESS;
}

static int
lib_teardown(void)
{
	if (rte_hvdev_is_valid(lib_id))
		rte_hvdev_stop(lib_id);
	rte_vdev_uninit(LIB_DEV);
	lib_id = -1;
	rte_hvsim_destroy(sim);
	sim = NULL;
	hvdev_test_root_remove(root);
	return TEST_SUCCESS;
}

#define LIB_CASE(name) \
static int \
test_ ## name(void) \
{ \
	int ret; \
	TEST_RUN(lib_setup()); \
	ret = check_ ## name(); \
	lib_teardown(); \
	return ret; \
}

#define LIB_SEND_AFTER_MS 100

struct lib_sender {
	uint64_t xactid;
	uint8_t data[256];
	int ret;
	uint64_t sent_us;
};

/* The host sends once the guest is asleep in its wait, so that an interrupt is due. */
static void *
lib_send_later(void *arg)
{
	struct lib_sender *ls = arg;

	usleep(LIB_SEND_AFTER_MS * 1000);
	ls->sent_us = hvdev_test_now_us();
	ls->ret = rte_hvsim_send(dev, PKT_INBAND, 0, ls->xactid, ls->data, sizeof(ls->data));
	return NULL;
}

/*
 * One packet from the host while the guest sleeps in rte_hvdev_wait(-1).
 * @return the ms from the send to the wait's return, or < 0.
 */
static int64_t
lib_wait_packet(uint64_t xactid)
{
	static struct lib_sender ls;
	static uint8_t in[512];
	struct rte_hvdev_pkt pkt;
	pthread_t tid;
	int ret;

	ls.xactid = xactid;
	ls.ret = -1;
	hvdev_test_fill(ls.data, sizeof(ls.data), (uint32_t)xactid);
	if (pthread_create(&tid, NULL, lib_send_later, &ls) != 0)
		return -1;
	ret = rte_hvdev_wait(lib_id, -1);
	pthread_join(tid, NULL);
	if (ret != 1 || ls.ret != 0)
		return -2;
	if (rte_hvdev_recv(lib_id, &pkt, in, sizeof(in)) != 0 || pkt.xactid != xactid ||
	    !hvdev_test_check(in, sizeof(ls.data), (uint32_t)xactid))
		return -3;
	return (int64_t)((hvdev_test_now_us() - ls.sent_us) / 1000);
}

/* An endless wait (-1) with the interrupt lost returns after at most one re-check slice. */
static int
check_lib_intr_dropped(void)
{
	struct rte_hvsim_fault f = { .intr_drop_every = 1 };
	struct rte_hvsim_dev_stats st;
	int64_t ms;
	int i;

	TEST_RUN(set_fault(&f));
	for (i = 1; i <= 3; i++) {
		ms = lib_wait_packet((uint64_t)i);
		TEST_ASSERT(ms >= 0, "packet %d seen (%" PRId64 ")", i, ms);
		TEST_ASSERT(ms <= RECHECK_MS + 300, "within the re-check bound: %" PRId64 " ms",
			    ms);
	}
	rte_hvsim_dev_stats_get(dev, &st);
	TEST_ASSERT_EQUAL(st.interrupts, 0, "no interrupt reached the guest");
	TEST_ASSERT(st.intr_dropped >= 3, "%" PRIu64 " dropped", st.intr_dropped);
	return TEST_SUCCESS;
}
LIB_CASE(lib_intr_dropped)

static int
check_lib_intr_delayed(void)
{
	struct rte_hvsim_fault f = { .intr_delay_ms = 200 };
	int64_t ms;

	TEST_RUN(set_fault(&f));
	ms = lib_wait_packet(1);
	TEST_ASSERT(ms >= 150 && ms <= 200 + 500, "woken by the late interrupt: %" PRId64 " ms",
		    ms);
	TEST_RUN(set_fault(NULL));
	ms = lib_wait_packet(2);
	TEST_ASSERT(ms >= 0 && ms < 150, "prompt again once cleared: %" PRId64 " ms", ms);
	return TEST_SUCCESS;
}
LIB_CASE(lib_intr_delayed)

/* A corrupt descriptor breaks the channel; rte_hvdev_reattach() gets a fresh one. */
static int
check_lib_corrupt_reattach(void)
{
	struct rte_hvsim_fault f = { .corrupt = RTE_HVSIM_CORRUPT_DESC_TLEN };
	struct rte_hvdev_info info;
	struct rte_hvdev_pkt pkt;
	uint8_t data[64] = { 0 }, in[256];
	int ret, i;

	TEST_RUN(set_fault(&f));
	TEST_ASSERT_EQUAL(rte_hvsim_send(dev, PKT_INBAND, 0, 1, data, sizeof(data)), 0, "send");
	TEST_ASSERT_EQUAL(rte_hvdev_wait(lib_id, WAIT_MS), 1, "readable");
	TEST_ASSERT_EQUAL(rte_hvdev_recv(lib_id, &pkt, in, sizeof(in)), -EIO, "corrupt seen");
	TEST_ASSERT_EQUAL(rte_hvdev_info_get(lib_id, &info), 0, "info");
	TEST_ASSERT_EQUAL(info.state, RTE_HVDEV_STATE_BROKEN, "broken");
	/* The broken channel was given back: the host saw it close without a reattach. */
	TEST_ASSERT_EQUAL(rte_hvsim_wait_open(dev, false, WAIT_MS), 0, "host saw the close");
	for (i = 0, ret = -1; i < 20 && ret != 0; i++) {
		ret = rte_hvdev_reattach(lib_id, 500);
		if (ret != 0)
			usleep(100000);
	}
	TEST_ASSERT_EQUAL(ret, 0, "reattached (%s)", strerror(-ret));
	TEST_ASSERT_EQUAL(rte_hvsim_wait_open(dev, true, WAIT_MS), 0, "host open again");
	TEST_ASSERT(lib_wait_packet(2) >= 0, "the new channel works");
	return TEST_SUCCESS;
}
LIB_CASE(lib_corrupt_reattach)

/* ---- the text form of faults (the CLI's) ---- */

static int
check_spec_roundtrip(void)
{
	static const char *const specs[] = {
		"intr_delay_ms=5,intr_drop_every=3,intr_drop_pct=10,seed=9",
		"corrupt=desc_tlen", "nego=too_many",
		"mangle=truncate,mangle_op=complete,mangle_len=2",
		"mangle=write_size_over,mangle_op=write,mangle_nth=3",
		"step=write:4,action=kill,pid=77", "step=before_complete,action=stall",
	};
	static const char *const bad[] = {
		"bogus=1", "intr_drop_pct=101", "step=start", "action=rescind",
		"step=start,action=kill", "step=start:2,action=cancel", "corrupt=everything",
		"intr_delay_ms=", "seed=x",
	};
	struct rte_hvsim_fault f, g;
	char out[256], err[128];
	unsigned int i;

	for (i = 0; i < RTE_DIM(specs); i++) {
		memset(&f, 0, sizeof(f));
		TEST_ASSERT_EQUAL(rte_hvsim_fault_parse(specs[i], &f, err, sizeof(err)), 0,
				  "%s: %s", specs[i], err);
		TEST_ASSERT_EQUAL(rte_hvsim_fault_format(&f, out, sizeof(out)), 0, "format");
		TEST_ASSERT(strcmp(out, specs[i]) == 0, "'%s' came back as '%s'", specs[i], out);
		memset(&g, 0, sizeof(g));
		TEST_ASSERT_EQUAL(rte_hvsim_fault_parse(out, &g, err, sizeof(err)), 0, "again");
		TEST_ASSERT(memcmp(&f, &g, sizeof(f)) == 0, "%s: same fault twice", specs[i]);
	}
	for (i = 0; i < RTE_DIM(bad); i++) {
		memset(&f, 0, sizeof(f));
		err[0] = '\0';
		TEST_ASSERT_EQUAL(rte_hvsim_fault_parse(bad[i], &f, err, sizeof(err)), -EINVAL,
				  "'%s' refused", bad[i]);
		TEST_ASSERT(err[0] != '\0', "'%s': a reason is given", bad[i]);
	}
	memset(&f, 0, sizeof(f));
	TEST_ASSERT_EQUAL(rte_hvsim_fault_parse("nego=short, clear", &f, err, sizeof(err)), 0,
			  "clear");
	TEST_ASSERT_EQUAL(rte_hvsim_fault_format(&f, out, sizeof(out)), 0, "format");
	TEST_ASSERT(strcmp(out, "none") == 0, "cleared: %s", out);
	return TEST_SUCCESS;
}

static const struct hvdev_test_case cases[] = {
	HVDEV_CASE(tx_windex_sigterm, test_tx_windex_sigterm),
	HVDEV_CASE(tx_full_sigterm, test_tx_full_sigterm),
	HVDEV_CASE(spec_roundtrip, check_spec_roundtrip),
	HVDEV_CASE(lib_intr_dropped, test_lib_intr_dropped),
	HVDEV_CASE(lib_intr_delayed, test_lib_intr_delayed),
	HVDEV_CASE(lib_corrupt_reattach, test_lib_corrupt_reattach),
	HVDEV_CASE(intr_delayed, test_intr_delayed),
	HVDEV_CASE(intr_dropped_all, test_intr_dropped_all),
	HVDEV_CASE(intr_dropped_random, test_intr_dropped_random),
	HVDEV_CASE(corrupt_rx_windex, test_corrupt_rx_windex),
	HVDEV_CASE(corrupt_rx_rindex, test_corrupt_rx_rindex),
	HVDEV_CASE(corrupt_tx_rindex, test_corrupt_tx_rindex),
	HVDEV_CASE(corrupt_desc_hlen, test_corrupt_desc_hlen),
	HVDEV_CASE(corrupt_desc_tlen, test_corrupt_desc_tlen),
	HVDEV_CASE(corrupt_desc_type, test_corrupt_desc_type),
	HVDEV_CASE(corrupt_mid_copy, test_corrupt_mid_copy),
	HVDEV_CASE(write_size_over, test_write_size_over),
	HVDEV_CASE(write_size_beyond, test_write_size_beyond),
	HVDEV_CASE(name_unterminated, test_name_unterminated),
	HVDEV_CASE(path_unterminated, test_path_unterminated),
	HVDEV_CASE(start_truncated, test_start_truncated),
	HVDEV_CASE(start_truncated_in_padding, test_start_truncated_in_padding),
	HVDEV_CASE(write_truncated, test_write_truncated),
	HVDEV_CASE(complete_truncated, test_complete_truncated),
	HVDEV_CASE(write_truncated_in_padding, test_write_truncated_in_padding),
	HVDEV_CASE(complete_truncated_in_padding, test_complete_truncated_in_padding),
	HVDEV_CASE(icmsgsize_over, test_icmsgsize_over),
	HVDEV_CASE(icmsgsize_under, test_icmsgsize_under),
	HVDEV_CASE(op_unknown, test_op_unknown),
	HVDEV_CASE(msgtype_not_fcopy, test_msgtype_not_fcopy),
	HVDEV_CASE(write_past_size, test_write_past_size),
	HVDEV_CASE(nego_no_common, test_nego_no_common),
	HVDEV_CASE(nego_too_many, test_nego_too_many),
	HVDEV_CASE(nego_truncated, test_nego_truncated),
	HVDEV_CASE(nego_short, test_nego_short),
	HVDEV_CASE(nego_silent, test_nego_silent),
	HVDEV_CASE(nego_at_open, test_nego_at_open),
	HVDEV_CASE(stall_after_start, test_stall_after_start),
	HVDEV_CASE(stall_after_write, test_stall_after_write),
	HVDEV_CASE(stall_before_complete, test_stall_before_complete),
	HVDEV_CASE(cancel_before_start, test_cancel_before_start),
	HVDEV_CASE(cancel_after_start, test_cancel_after_start),
	HVDEV_CASE(cancel_before_complete, test_cancel_before_complete),
	HVDEV_CASE(cancel_after_complete, test_cancel_after_complete),
	HVDEV_CASE(rescind_before_start, test_rescind_before_start),
	HVDEV_CASE(rescind_after_start, test_rescind_after_start),
	HVDEV_CASE(rescind_after_first_write, test_rescind_after_first_write),
	HVDEV_CASE(rescind_before_complete, test_rescind_before_complete),
	HVDEV_CASE(rescind_after_complete, test_rescind_after_complete),
	HVDEV_CASE(kill_before_start, test_kill_before_start),
	HVDEV_CASE(kill_after_start, test_kill_after_start),
	HVDEV_CASE(kill_mid_write, test_kill_mid_write),
	HVDEV_CASE(kill_before_complete, test_kill_before_complete),
	HVDEV_CASE(kill_after_complete, test_kill_after_complete),
	HVDEV_CASE(kill_named_after_start, test_kill_named_after_start),
	HVDEV_CASE(kill_named_mid_write, test_kill_named_mid_write),
	HVDEV_CASE(kill_named_before_complete, test_kill_named_before_complete),
	HVDEV_CASE(kill_named_after_complete, test_kill_named_after_complete),
	HVDEV_CASE(crash_created, test_crash_created),
	HVDEV_CASE(crash_flushed, test_crash_flushed),
	HVDEV_CASE(crash_published, test_crash_published),
	HVDEV_CASE(crash_over_flushed, test_crash_over_flushed),
	HVDEV_CASE(crash_over_linked, test_crash_over_linked),
	HVDEV_CASE(crash_over_published, test_crash_over_published),
	HVDEV_CASE(crash_named_created, test_crash_named_created),
	HVDEV_CASE(crash_named_flushed, test_crash_named_flushed),
	HVDEV_CASE(crash_named_published, test_crash_named_published),
	HVDEV_CASE(crash_named_over_flushed, test_crash_named_over_flushed),
	HVDEV_CASE(crash_async_answered, test_crash_async_answered),
	HVDEV_CASE(crash_async_over_answered, test_crash_async_over_answered),
	HVDEV_CASE(crash_async_named_answered, test_crash_async_named_answered),
	HVDEV_CASE(crash_none_flushed, test_crash_none_flushed),
	HVDEV_CASE(crash_none_published, test_crash_none_published),
	HVDEV_CASE(async_stop_publishes, test_async_stop_publishes),
	HVDEV_CASE(crash_async_batch_flushed, test_crash_async_batch_flushed),
	HVDEV_CASE(crash_async_batch_linked, test_crash_async_batch_linked),
};

int
main(int argc, char **argv)
{
	return hvdev_test_main(argc, argv, cases, RTE_DIM(cases));
}
