/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * The IC service skeleton (rte_hvdev_ic_service.h), in-process against the simulated host: a
 * test service on the heartbeat class, a host that sends raw IC messages (no IC role of its
 * own, so that it can misbehave), and the runner on a thread or driven by poll().
 */

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>

#include <rte_hvdev.h>
#include <rte_hvdev_ic.h>
#include <rte_hvdev_ic_service.h>

#include "hvdev_test.h"
#include "rte_hvsim.h"

#define WAIT_MS 3000
#define DEV_NAME "hvdev_uio0"
#define CLASS "heartbeat"
#define HDR RTE_HVDEV_IC_HDR_SIZE
#define MAX_ANSWERS 16

static char root[256];
static struct rte_hvsim *sim;
static struct rte_hvsim_dev *hdev;
static int16_t dev_id = -1;
static struct rte_hvdev_ic_service *svc;

/* ---- the host: answers from the guest, in order ---- */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static uint8_t answers[MAX_ANSWERS][256];
static uint32_t answer_len[MAX_ANSWERS];
static unsigned int nb_answers, next_answer;

static void
host_on_packet(struct rte_hvsim_dev *dev, const struct rte_hvsim_pkt *p, void *arg)
{
	RTE_SET_USED(dev);
	RTE_SET_USED(arg);
	pthread_mutex_lock(&lock);
	if (nb_answers < MAX_ANSWERS) {
		answer_len[nb_answers] = RTE_MIN(p->len, (uint32_t)sizeof(answers[0]));
		memcpy(answers[nb_answers], p->data, answer_len[nb_answers]);
		nb_answers++;
		pthread_cond_broadcast(&cond);
	}
	pthread_mutex_unlock(&lock);
}

static const struct rte_hvsim_dev_ops host_ops = { .on_packet = host_on_packet };

/* Wait for the guest's next answer; its IC header. */
static int
next_answer_hdr(struct rte_hvdev_ic_hdr *h)
{
	struct timespec ts;
	int ret = 0;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += WAIT_MS / 1000;
	pthread_mutex_lock(&lock);
	while (next_answer >= nb_answers && ret == 0)
		ret = pthread_cond_timedwait(&cond, &lock, &ts);
	if (next_answer < nb_answers) {
		memcpy(h, answers[next_answer], sizeof(*h));
		TEST_ASSERT(answer_len[next_answer] >= HDR, "an IC answer");
		next_answer++;
		ret = 0;
	}
	pthread_mutex_unlock(&lock);
	TEST_ASSERT_EQUAL(ret, 0, "the guest answered");
	TEST_ASSERT_EQUAL(h->icflags, RTE_HVDEV_IC_FLAG_TRANSACTION | RTE_HVDEV_IC_FLAG_RESPONSE,
			  "a response");
	return TEST_SUCCESS;
}

static int
host_send(const void *msg, uint32_t len)
{
	int ret = rte_hvsim_send_wait(hdev, RTE_HVDEV_PKT_INBAND, 0, 0xffffffffffffffffull, msg,
				      len, WAIT_MS);

	TEST_ASSERT_EQUAL(ret, 0, "host send: %s", strerror(-ret));
	return TEST_SUCCESS;
}

/* The host's NEGOTIATE with the class's own versions; the answer's status. */
static int
host_negotiate(uint32_t *status)
{
	const struct rte_hvdev_ic_class *cls = rte_hvdev_ic_class_by_name(CLASS);
	struct rte_hvdev_ic_hdr h;
	uint8_t msg[128];
	int len;

	len = rte_hvdev_ic_make_negotiate(msg, sizeof(msg), cls->fw, cls->nfw, cls->srv,
					  cls->nsrv);
	TEST_ASSERT(len > 0, "NEGOTIATE built");
	TEST_RUN(host_send(msg, (uint32_t)len));
	TEST_RUN(next_answer_hdr(&h));
	TEST_ASSERT_EQUAL(h.icmsgtype, RTE_HVDEV_IC_MSG_NEGOTIATE, "NEGOTIATE answered");
	*status = h.status;
	return TEST_SUCCESS;
}

/* A heartbeat-type request carrying @p body (a string, NUL included); the answer's status. */
static int
host_request(const char *body, uint32_t *status)
{
	uint32_t body_len = (uint32_t)strlen(body) + 1;
	struct rte_hvdev_ic_hdr h = {
		.pipe_flags = 1,
		.pipe_msgsize = body_len + HDR - RTE_HVDEV_IC_PIPE_HDR_SIZE,
		.icverframe = { 3, 0 },
		.icmsgtype = RTE_HVDEV_IC_MSG_HEARTBEAT,
		.icvermsg = { 3, 0 },
		.icmsgsize = (uint16_t)body_len,
		.ictransaction_id = 9,
		.icflags = RTE_HVDEV_IC_FLAG_TRANSACTION | RTE_HVDEV_IC_FLAG_REQUEST,
	};
	uint8_t msg[256] = { 0 };

	TEST_ASSERT(HDR + body_len <= sizeof(msg), "request fits");
	memcpy(msg, &h, sizeof(h));
	memcpy(msg + HDR, body, body_len);
	TEST_RUN(host_send(msg, RTE_ALIGN_CEIL(HDR + body_len, 8u)));
	TEST_RUN(next_answer_hdr(&h));
	TEST_ASSERT_EQUAL(h.icmsgtype, RTE_HVDEV_IC_MSG_HEARTBEAT, "type kept");
	TEST_ASSERT_EQUAL(h.icmsgsize, body_len, "icmsgsize kept");
	*status = h.status;
	return TEST_SUCCESS;
}

/* ---- the test service ---- */

struct test_svc {
	unsigned int requests;
	unsigned int after;
	unsigned int lost[3];
	bool rescind_in_request;	/* on_request rescinds the device, once */
	bool log_body;			/* on_request logs the host's body */
	uint32_t body_len;
	char body[256];
	struct rte_hvdev_ic_version srv;
};

static struct test_svc ts;

static uint32_t
ts_on_request(void *ctx, struct rte_hvdev_ic_req *req)
{
	struct test_svc *t = ctx;

	t->requests++;
	t->body_len = req->body_len;
	t->srv = req->srv;
	memset(t->body, 0, sizeof(t->body));
	memcpy(t->body, req->body, RTE_MIN(req->body_len, (uint32_t)sizeof(t->body) - 1));
	if (t->log_body)
		rte_hvdev_ic_service_log(svc, RTE_LOG_ERR, "host says %s", t->body);
	if (t->rescind_in_request) {
		t->rescind_in_request = false;
		rte_hvsim_rescind(hdev);
	}
	return RTE_HVDEV_IC_S_OK;
}

static void
ts_after_response(void *ctx, const struct rte_hvdev_ic_req *req)
{
	struct test_svc *t = ctx;

	RTE_SET_USED(req);
	t->after++;
}

static void
ts_on_lost(void *ctx, enum rte_hvdev_ic_lost why)
{
	struct test_svc *t = ctx;

	if (why <= RTE_HVDEV_IC_LOST_STOP)
		__atomic_fetch_add(&t->lost[why], 1, __ATOMIC_SEQ_CST);
}

static const struct rte_hvdev_ic_service_ops ts_ops = {
	.name = CLASS,
	.on_request = ts_on_request,
	.after_response = ts_after_response,
	.on_lost = ts_on_lost,
};

/* ---- set-up ---- */

static int
setup_flags(uint64_t flags)
{
	struct rte_hvsim_dev_conf conf = { .ops = &host_ops };
	struct rte_hvdev_ic_service_conf sc = {
		.mode = RTE_HVDEV_IC_MODE_INTERRUPT,
		.flags = flags,
	};
	char args[512];

	memset(&ts, 0, sizeof(ts));
	nb_answers = next_answer = 0;
	TEST_ASSERT(hvdev_test_root_create(root, sizeof(root)) == 0, "mkdtemp");
	sim = rte_hvsim_create(root);
	TEST_ASSERT(sim != NULL, "simulator");
	TEST_ASSERT_EQUAL(rte_hvsim_start(sim), 0, "start");
	hvdev_test_class(CLASS, conf.class_id);
	hdev = rte_hvsim_offer(sim, &conf);
	TEST_ASSERT(hdev != NULL, "offer");
	snprintf(args, sizeof(args), "class=" CLASS ",root=%s", root);
	TEST_ASSERT_EQUAL(rte_vdev_init(DEV_NAME, args), 0, "create %s", DEV_NAME);
	dev_id = (int16_t)rte_hvdev_get_dev_id_by_name(DEV_NAME);
	TEST_ASSERT(dev_id >= 0, "device id");
	sc.dev_id = dev_id;
	svc = rte_hvdev_ic_service_create(&ts_ops, &ts, &sc);
	TEST_ASSERT(svc != NULL, "service: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQUAL(rte_hvsim_wait_open(hdev, true, WAIT_MS), 0, "the guest opened");
	return TEST_SUCCESS;
}

static void
teardown(void)
{
	rte_hvdev_ic_service_destroy(svc);
	svc = NULL;
	rte_vdev_uninit(DEV_NAME);
	dev_id = -1;
	rte_hvsim_destroy(sim);
	sim = NULL;
	hvdev_test_root_remove(root);
}

static pthread_t runner;
static int run_result;
static volatile int run_done;

static void *
run_thread(void *arg)
{
	RTE_SET_USED(arg);
	run_result = rte_hvdev_ic_service_run(svc);
	__atomic_store_n(&run_done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static int
start_runner(void)
{
	run_done = 0;
	TEST_ASSERT_EQUAL(pthread_create(&runner, NULL, run_thread, NULL), 0, "runner");
	return TEST_SUCCESS;
}

/* Stop the runner and check it returns within @p ms. */
static int
stop_runner(unsigned int ms)
{
	uint64_t end = hvdev_test_now_us() + (uint64_t)ms * 1000;

	rte_hvdev_ic_service_stop(svc);
	while (!__atomic_load_n(&run_done, __ATOMIC_SEQ_CST) && hvdev_test_now_us() < end)
		usleep(1000);
	TEST_ASSERT(__atomic_load_n(&run_done, __ATOMIC_SEQ_CST), "the runner stopped in %u ms",
		    ms);
	pthread_join(runner, NULL);
	TEST_ASSERT_EQUAL(run_result, 0, "run() returned 0");
	return TEST_SUCCESS;
}

#define SERVICE_CASE(name, flags) \
static int \
test_ ## name(void) \
{ \
	int ret = setup_flags(flags); \
	if (ret == TEST_SUCCESS) \
		ret = check_ ## name(); \
	teardown(); \
	return ret; \
}

static int
wait_state(enum rte_hvdev_ic_service_state want)
{
	struct rte_hvdev_ic_service_info in;
	int i;

	for (i = 0; i < WAIT_MS; i++) {
		TEST_ASSERT_EQUAL(rte_hvdev_ic_service_info_get(svc, &in), 0, "info");
		if (in.state == want)
			return TEST_SUCCESS;
		usleep(1000);
	}
	TEST_ASSERT(false, "state %s, not %s", rte_hvdev_ic_service_state_str(in.state),
		    rte_hvdev_ic_service_state_str(want));
	return TEST_FAILED;
}

/* ---- cases ---- */

/* A request before NEGOTIATE is refused with E_FAIL and never reaches on_request(). */
static int
check_request_before_negotiate(void)
{
	struct rte_hvdev_ic_service_info in;
	uint32_t status;

	TEST_RUN(start_runner());
	TEST_RUN(host_request("early", &status));
	TEST_ASSERT_EQUAL(status, RTE_HVDEV_IC_E_FAIL, "refused before negotiation");
	TEST_ASSERT_EQUAL(ts.requests, 0, "on_request not called");
	TEST_RUN(host_negotiate(&status));
	TEST_ASSERT_EQUAL(status, RTE_HVDEV_IC_S_OK, "negotiated");
	TEST_RUN(host_request("after", &status));
	TEST_ASSERT_EQUAL(status, RTE_HVDEV_IC_S_OK, "served after negotiation");
	TEST_ASSERT_EQUAL(ts.requests, 1, "on_request called once");
	TEST_ASSERT(strcmp(ts.body, "after") == 0 && ts.body_len == 6, "body bounded by "
		    "icmsgsize: %u bytes", ts.body_len);
	TEST_ASSERT(ts.srv.major == 3 && ts.srv.minor == 0, "negotiated heartbeat 3.0 handed "
		    "over: %u.%u", ts.srv.major, ts.srv.minor);
	TEST_RUN(stop_runner(WAIT_MS));
	TEST_ASSERT_EQUAL(ts.after, 1, "after_response once");
	TEST_ASSERT_EQUAL(rte_hvdev_ic_service_info_get(svc, &in), 0, "info");
	TEST_ASSERT_EQUAL(in.refused, 1, "one refusal counted");
	TEST_ASSERT_EQUAL(in.requests, 1, "one request counted");
	return TEST_SUCCESS;
}
SERVICE_CASE(request_before_negotiate, 0)

/* With F_UNNEGOTIATED, the same early request is served. */
static int
check_unnegotiated_flag(void)
{
	uint32_t status;

	TEST_RUN(start_runner());
	TEST_RUN(host_request("early", &status));
	TEST_ASSERT_EQUAL(status, RTE_HVDEV_IC_S_OK, "served");
	TEST_ASSERT_EQUAL(ts.requests, 1, "on_request called");
	TEST_ASSERT(ts.srv.major == 0 && ts.srv.minor == 0, "no versions yet");
	return stop_runner(WAIT_MS);
}
SERVICE_CASE(unnegotiated_flag, RTE_HVDEV_IC_SERVICE_F_UNNEGOTIATED)

/* After a rescind and a new offer, the host must negotiate again before any request. */
static int
check_renegotiate_after_rescind(void)
{
	struct rte_hvdev_ic_service_info in;
	uint32_t status;

	TEST_RUN(start_runner());
	TEST_RUN(host_negotiate(&status));
	TEST_ASSERT_EQUAL(status, RTE_HVDEV_IC_S_OK, "negotiated");
	TEST_RUN(wait_state(RTE_HVDEV_IC_SERVICE_READY));
	TEST_ASSERT_EQUAL(rte_hvsim_rescind(hdev), 0, "rescind");
	TEST_RUN(wait_state(RTE_HVDEV_IC_SERVICE_LOST));
	TEST_ASSERT_EQUAL(rte_hvsim_reoffer(hdev), 0, "offer again");
	TEST_ASSERT_EQUAL(rte_hvsim_wait_open(hdev, true, WAIT_MS), 0, "reattached");
	TEST_RUN(wait_state(RTE_HVDEV_IC_SERVICE_NEGOTIATING));
	TEST_RUN(host_request("stale", &status));
	TEST_ASSERT_EQUAL(status, RTE_HVDEV_IC_E_FAIL, "the old negotiation does not carry over");
	TEST_RUN(host_negotiate(&status));
	TEST_ASSERT_EQUAL(status, RTE_HVDEV_IC_S_OK, "negotiated again");
	TEST_RUN(host_request("fresh", &status));
	TEST_ASSERT_EQUAL(status, RTE_HVDEV_IC_S_OK, "served");
	TEST_ASSERT_EQUAL(ts.requests, 1, "only the request after renegotiation served");
	TEST_ASSERT_EQUAL(ts.lost[RTE_HVDEV_IC_LOST_RESCIND], 1, "on_lost(RESCIND) once");
	TEST_RUN(stop_runner(WAIT_MS));
	TEST_ASSERT_EQUAL(rte_hvdev_ic_service_info_get(svc, &in), 0, "info");
	TEST_ASSERT(in.rescinds == 1 && in.reattaches == 1 && in.negotiations == 2,
		    "rescinds %" PRIu64 ", reattaches %" PRIu64 ", negotiations %" PRIu64,
		    in.rescinds, in.reattaches, in.negotiations);
	return TEST_SUCCESS;
}
SERVICE_CASE(renegotiate_after_rescind, 0)

/* The device vanishes while on_request() runs: on_lost() once, then the service comes back. */
static int
check_rescind_mid_request(void)
{
	struct rte_hvdev_ic_hdr h;
	uint32_t status;
	uint8_t body[8] = "midway";
	uint8_t msg[64] = { 0 };

	TEST_RUN(start_runner());
	TEST_RUN(host_negotiate(&status));
	TEST_ASSERT_EQUAL(status, RTE_HVDEV_IC_S_OK, "negotiated");
	ts.rescind_in_request = true;
	h = (struct rte_hvdev_ic_hdr){
		.icverframe = { 3, 0 }, .icmsgtype = RTE_HVDEV_IC_MSG_HEARTBEAT,
		.icvermsg = { 3, 0 }, .icmsgsize = sizeof(body),
		.icflags = RTE_HVDEV_IC_FLAG_TRANSACTION | RTE_HVDEV_IC_FLAG_REQUEST,
	};
	memcpy(msg, &h, sizeof(h));
	memcpy(msg + HDR, body, sizeof(body));
	TEST_RUN(host_send(msg, HDR + sizeof(body)));
	TEST_RUN(wait_state(RTE_HVDEV_IC_SERVICE_LOST));
	TEST_ASSERT_EQUAL(ts.requests, 1, "the request reached on_request");
	/* The answer may still have gone into the old ring: the rescind is seen afterwards. */
	TEST_ASSERT_EQUAL(ts.after, 1, "after_response still called");
	TEST_ASSERT_EQUAL(rte_hvsim_reoffer(hdev), 0, "offer again");
	TEST_ASSERT_EQUAL(rte_hvsim_wait_open(hdev, true, WAIT_MS), 0, "reattached");
	TEST_RUN(host_negotiate(&status));
	TEST_ASSERT_EQUAL(status, RTE_HVDEV_IC_S_OK, "negotiated again");
	TEST_RUN(host_request("again", &status));
	TEST_ASSERT_EQUAL(status, RTE_HVDEV_IC_S_OK, "served on the new channel");
	TEST_ASSERT_EQUAL(ts.lost[RTE_HVDEV_IC_LOST_RESCIND], 1, "on_lost(RESCIND) exactly once");
	TEST_ASSERT_EQUAL(ts.lost[RTE_HVDEV_IC_LOST_BROKEN], 0, "not broken");
	TEST_RUN(stop_runner(WAIT_MS));
	TEST_ASSERT_EQUAL(ts.lost[RTE_HVDEV_IC_LOST_STOP], 1, "on_lost(STOP) at the end");
	return TEST_SUCCESS;
}
SERVICE_CASE(rescind_mid_request, 0)

static void
on_sigusr2(int sig)
{
	RTE_SET_USED(sig);
	rte_hvdev_ic_service_stop(svc);
}

/* An idle runner asleep on the interrupt is woken by a stop from a signal handler. */
static int
check_stop_from_signal(void)
{
	struct rte_hvdev_ic_service_info in;
	struct sigaction sa, old;
	uint64_t t0;
	uint32_t status;

	TEST_RUN(start_runner());
	TEST_RUN(host_negotiate(&status));
	/* Asleep: no deadline, no recheck, nothing from the host. */
	usleep(200 * 1000);
	TEST_ASSERT_EQUAL(__atomic_load_n(&run_done, __ATOMIC_SEQ_CST), 0, "still running");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigusr2;
	sigemptyset(&sa.sa_mask);
	TEST_ASSERT_EQUAL(sigaction(SIGUSR2, &sa, &old), 0, "handler");
	t0 = hvdev_test_now_us();
	/* To this thread, not the runner's: nothing interrupts the runner's poll() but the stop. */
	raise(SIGUSR2);
	while (!__atomic_load_n(&run_done, __ATOMIC_SEQ_CST) &&
	       hvdev_test_now_us() - t0 < 1000 * 1000)
		usleep(1000);
	sigaction(SIGUSR2, &old, NULL);
	TEST_ASSERT(__atomic_load_n(&run_done, __ATOMIC_SEQ_CST), "the runner woke and stopped");
	printf("stopped %" PRIu64 " us after the signal\n", hvdev_test_now_us() - t0);
	pthread_join(runner, NULL);
	TEST_ASSERT_EQUAL(run_result, 0, "run() returned 0");
	TEST_ASSERT(rte_hvdev_ic_service_stopping(svc), "stopping");
	TEST_ASSERT_EQUAL(ts.lost[RTE_HVDEV_IC_LOST_STOP], 1, "on_lost(STOP) once");
	TEST_ASSERT_EQUAL(rte_hvdev_ic_service_info_get(svc, &in), 0, "info");
	TEST_ASSERT_EQUAL(in.state, RTE_HVDEV_IC_SERVICE_STOPPED, "stopped");
	TEST_ASSERT_EQUAL(rte_hvdev_ic_service_poll(svc), -ESHUTDOWN, "poll after stop");
	return TEST_SUCCESS;
}
SERVICE_CASE(stop_from_signal, 0)

/* poll(): -EAGAIN while there is nothing to do, 0 once it answered something. */
static int
check_poll_idle(void)
{
	const struct rte_hvdev_ic_class *cls = rte_hvdev_ic_class_by_name(CLASS);
	struct rte_hvdev_ic_hdr h;
	uint8_t msg[128];
	int i, len, ret = -EAGAIN;

	TEST_ASSERT_EQUAL(rte_hvdev_ic_service_poll(svc), -EAGAIN, "idle");
	TEST_ASSERT_EQUAL(rte_hvdev_ic_service_poll(svc), -EAGAIN, "still idle");
	len = rte_hvdev_ic_make_negotiate(msg, sizeof(msg), cls->fw, cls->nfw, cls->srv,
					  cls->nsrv);
	TEST_RUN(host_send(msg, (uint32_t)len));
	for (i = 0; i < WAIT_MS && ret == -EAGAIN; i++) {
		ret = rte_hvdev_ic_service_poll(svc);
		if (ret == -EAGAIN)
			usleep(1000);
	}
	TEST_ASSERT_EQUAL(ret, 0, "poll answered the NEGOTIATE");
	TEST_RUN(next_answer_hdr(&h));
	TEST_ASSERT_EQUAL(h.status, RTE_HVDEV_IC_S_OK, "negotiated through poll()");
	TEST_ASSERT_EQUAL(rte_hvdev_ic_service_poll(svc), -EAGAIN, "idle again");
	return TEST_SUCCESS;
}
SERVICE_CASE(poll_idle, 0)

/* Capture the log of @p fn in a memory stream. */
static char *logbuf;
static size_t loglen;
static FILE *log_stream;

static int
log_capture(void)
{
	log_stream = open_memstream(&logbuf, &loglen);
	TEST_ASSERT(log_stream != NULL, "memstream");
	TEST_ASSERT_EQUAL(rte_openlog_stream(log_stream), 0, "log stream");
	return TEST_SUCCESS;
}

static void
log_release(void)
{
	rte_openlog_stream(stderr);
	fclose(log_stream);
	log_stream = NULL;
}

/* A host string with a line feed, ESC and a bidi override reaches the log escaped. */
static int
check_log_escaped(void)
{
	uint32_t status;
	char *forged;
	int ret;

	ts.log_body = true;
	TEST_RUN(start_runner());
	TEST_RUN(host_negotiate(&status));
	TEST_RUN(log_capture());
	ret = host_request("a\nhvdev: forged line\x1b[31m\xe2\x80\xae!", &status);
	TEST_RUN(stop_runner(WAIT_MS));
	log_release();
	TEST_RUN(ret);
	printf("log: %s", logbuf);
	TEST_ASSERT(strstr(logbuf, "host says a\\nhvdev: forged line\\x1b[31m\\u202e!\n") !=
		    NULL, "escaped in one line");
	forged = strstr(logbuf, "\nhvdev: forged");
	TEST_ASSERT(forged == NULL, "no forged line");
	TEST_ASSERT(strchr(logbuf, '\x1b') == NULL, "no raw ESC");
	free(logbuf);
	logbuf = NULL;
	return TEST_SUCCESS;
}
SERVICE_CASE(log_escaped, 0)

/* A host that makes the service log a line per message is rate-limited. */
static int
check_log_rate_limited(void)
{
	struct rte_hvdev_ic_service_info in;
	unsigned int i, lines = 0;
	uint32_t status;
	char *p;

	ts.log_body = true;
	TEST_RUN(start_runner());
	TEST_RUN(host_negotiate(&status));
	TEST_RUN(log_capture());
	for (i = 0; i < 30 && !(i > 0 && status != RTE_HVDEV_IC_S_OK); i++) {
		/* Answers are kept up to MAX_ANSWERS: reset the host's list. */
		pthread_mutex_lock(&lock);
		nb_answers = next_answer = 0;
		pthread_mutex_unlock(&lock);
		if (host_request("flood", &status) != TEST_SUCCESS)
			break;
	}
	TEST_RUN(stop_runner(WAIT_MS));
	log_release();
	for (p = logbuf; (p = strstr(p, "host says flood")) != NULL; p++)
		lines++;
	free(logbuf);
	logbuf = NULL;
	TEST_ASSERT_EQUAL(i, 30, "30 requests served");
	TEST_ASSERT(lines >= 1 && lines <= 10, "%u of 30 lines logged", lines);
	TEST_ASSERT_EQUAL(rte_hvdev_ic_service_info_get(svc, &in), 0, "info");
	TEST_ASSERT_EQUAL(in.logs_suppressed, 30 - lines, "the rest counted");
	return TEST_SUCCESS;
}
SERVICE_CASE(log_rate_limited, 0)

/* Query the telemetry socket of this process: /hvdev/ic/list and /hvdev/ic/info,NAME. */
static int
telemetry_query(const char *cmd, char *out, size_t len)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	ssize_t n;
	int fd;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/dpdk_telemetry.v2",
		 rte_eal_get_runtime_dir());
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	TEST_ASSERT(fd >= 0, "socket");
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		close(fd);
		printf("no telemetry socket at %s\n", sun.sun_path);
		return TEST_SKIPPED;
	}
	n = read(fd, out, len - 1);	/* the greeting */
	TEST_ASSERT(n > 0, "greeting");
	TEST_ASSERT(write(fd, cmd, strlen(cmd)) == (ssize_t)strlen(cmd), "command");
	n = read(fd, out, len - 1);
	close(fd);
	TEST_ASSERT(n > 0, "answer");
	out[n] = '\0';
	printf("%s -> %s\n", cmd, out);
	return TEST_SUCCESS;
}

/* Telemetry shows the negotiated versions and the counters. */
static int
check_telemetry_versions(void)
{
	char out[4096], list[256];
	uint32_t status;
	int ret;

	TEST_RUN(start_runner());
	TEST_RUN(host_negotiate(&status));
	TEST_RUN(host_request("x", &status));
	ret = telemetry_query("/hvdev/ic/list", list, sizeof(list));
	if (ret == TEST_SUCCESS)
		ret = telemetry_query("/hvdev/ic/info,heartbeat", out, sizeof(out));
	TEST_RUN(stop_runner(WAIT_MS));
	if (ret != TEST_SUCCESS)
		return ret;
	TEST_ASSERT(strstr(list, "\"/hvdev/ic/list\":[\"heartbeat\"]") != NULL, "listed");
	TEST_ASSERT(strstr(out, "\"state\":\"ready\"") != NULL, "state");
	TEST_ASSERT(strstr(out, "\"framework_version\":\"3.0\"") != NULL, "framework 3.0");
	TEST_ASSERT(strstr(out, "\"service_version\":\"3.0\"") != NULL, "heartbeat 3.0");
	TEST_ASSERT(strstr(out, "\"requests\":1,") != NULL, "one request");
	TEST_ASSERT(strstr(out, "\"negotiations\":1,") != NULL, "one negotiation");
	TEST_ASSERT(telemetry_query("/hvdev/ic/info,nosuch", out, sizeof(out)) == TEST_SUCCESS,
		    "query");
	TEST_ASSERT(strstr(out, "\"state\"") == NULL, "no service of that name");
	return TEST_SUCCESS;
}
SERVICE_CASE(telemetry_versions, 0)

/* create(): bad arguments and a duplicate name are refused with the documented errno. */
static int
check_create_errors(void)
{
	struct rte_hvdev_ic_service_ops bad = ts_ops;
	struct rte_hvdev_ic_service_conf c = { .dev_id = -1 };

	TEST_ASSERT(rte_hvdev_ic_service_create(&ts_ops, NULL, &c) == NULL &&
		    rte_errno == EEXIST, "a second \"" CLASS "\" service");
	bad.name = "nosuchclass";
	TEST_ASSERT(rte_hvdev_ic_service_create(&bad, NULL, &c) == NULL && rte_errno == EINVAL,
		    "an unknown class without versions");
	bad = ts_ops;
	bad.on_request = NULL;
	TEST_ASSERT(rte_hvdev_ic_service_create(&bad, NULL, &c) == NULL && rte_errno == EINVAL,
		    "no on_request");
	TEST_ASSERT_EQUAL(rte_hvdev_ic_service_run(NULL), -EINVAL, "run(NULL)");
	rte_hvdev_ic_service_stop(NULL);
	return TEST_SUCCESS;
}
SERVICE_CASE(create_errors, 0)

static const struct hvdev_test_case cases[] = {
	HVDEV_CASE(request_before_negotiate, test_request_before_negotiate),
	HVDEV_CASE(unnegotiated_flag, test_unnegotiated_flag),
	HVDEV_CASE(renegotiate_after_rescind, test_renegotiate_after_rescind),
	HVDEV_CASE(rescind_mid_request, test_rescind_mid_request),
	HVDEV_CASE(stop_from_signal, test_stop_from_signal),
	HVDEV_CASE(poll_idle, test_poll_idle),
	HVDEV_CASE(log_escaped, test_log_escaped),
	HVDEV_CASE(log_rate_limited, test_log_rate_limited),
	HVDEV_CASE(telemetry_versions, test_telemetry_versions),
	HVDEV_CASE(create_errors, test_create_errors),
};

int
main(int argc, char **argv)
{
	/* The telemetry case queries this process's own socket. */
	hvdev_test_add_eal_arg("--telemetry");
	return hvdev_test_main(argc, argv, cases, RTE_DIM(cases));
}
