/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * The IC service runner (rte_hvdev_ic_service.h): the loop every IC service used to write for
 * itself, once. The service's callbacks see only well-framed requests of a negotiated channel;
 * the runner keeps the state machine, the device, the buffers and the host's misbehaviour.
 */

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/queue.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_log.h>
#include <rte_pause.h>
#include <rte_telemetry.h>

#include "hvdev_private.h"
#include "rte_hvdev.h"
#include "rte_hvdev_compat.h"
#include "rte_hvdev_ic_service.h"

/* The receive buffer starts this big (or at the device's largest payload). */
#define RX_BUF_MIN 8192u
#define TX_WAIT_SLICE_MS 500
/* A reattach waits for the offer this long at a time, so that a stop is seen in between. */
#define REATTACH_SLICE_MS 500
#define REATTACH_POLL_MS 200
/* Channel errors in a row on a device that is not rescinded, before giving up. */
#define SPURIOUS_ERRORS_MAX 10
/* Host-triggered log lines: at most LOG_BURST per LOG_WINDOW_NS and service. */
#define LOG_BURST 10
#define LOG_WINDOW_NS (5ull * 1000000000u)
#define LOG_RAW_MAX 2048
#define LOG_OUT_MAX RTE_HVDEV_ESC_MAX(LOG_RAW_MAX)

/* What process() did with a message. */
enum outcome {
	DROPPED,	/* nothing to send */
	ANSWERED,	/* an answer of the runner's own (NEGOTIATE, refusal) */
	SERVED,		/* on_request() answered: after_response() follows the send */
};

struct rte_hvdev_ic_service {
	TAILQ_ENTRY(rte_hvdev_ic_service) next;
	char name[RTE_HVDEV_IC_SERVICE_NAME_LEN];
	const struct rte_hvdev_ic_service_ops *ops;
	void *ctx;
	struct rte_hvdev_ic_service_conf conf;
	const struct rte_hvdev_ic_version *fw;
	const struct rte_hvdev_ic_version *srv;
	unsigned int nfw;
	unsigned int nsrv;
	int efd;			/* stop eventfd, polled beside the device node */
	int stop;			/* set by rte_hvdev_ic_service_stop(); atomic access */
	bool started;			/* the device was started by create() */
	bool stop_reported;		/* on_lost(STOP) was called */
	unsigned int spurious_errors;
	int last_reattach_err;
	uint8_t *buf;
	uint32_t cap;
	uint64_t log_window_ns;		/* start of the rate limit's current window */
	unsigned int log_lines;		/* host-triggered lines in that window */
	uint64_t log_held;		/* lines suppressed and not yet reported */
	/* state, versions and counters; name and dev_id are filled on read */
	struct rte_hvdev_ic_service_info info;
};

TAILQ_HEAD(service_list, rte_hvdev_ic_service);
static struct service_list services = TAILQ_HEAD_INITIALIZER(services);
/* Guards the list against telemetry, which runs on its own thread. */
static pthread_mutex_t services_lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static bool
stopping(const struct rte_hvdev_ic_service *s)
{
	return __atomic_load_n(&s->stop, __ATOMIC_ACQUIRE) != 0;
}

/* A line of the runner's own (no host data in it). */
#define SVC_LOG(s, level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, hvdev_logtype, "hvdev: %s: " fmt "\n", (s)->name, \
		##__VA_ARGS__)

void
rte_hvdev_ic_service_log(struct rte_hvdev_ic_service *s, uint32_t level, const char *fmt, ...)
{
	char raw[LOG_RAW_MAX], out[LOG_OUT_MAX];
	uint64_t now, held = 0;
	va_list ap;

	if (!rte_log_can_log(hvdev_logtype, level))
		return;
	if (s != NULL) {
		now = now_ns();
		if (now - s->log_window_ns >= LOG_WINDOW_NS) {
			s->log_window_ns = now;
			s->log_lines = 0;
			held = s->log_held;
			s->log_held = 0;
		}
		if (s->log_lines >= LOG_BURST) {
			s->log_held++;
			s->info.logs_suppressed++;
			return;
		}
		s->log_lines++;
		if (held > 0)
			SVC_LOG(s, WARNING, "%" PRIu64 " messages about the host were suppressed",
				held);
	}
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	/* The whole line: no argument can forget to be escaped. */
	rte_hvdev_str_escape(out, sizeof(out), raw, 0);
	rte_log(level, hvdev_logtype, "hvdev: %s: %s\n", s != NULL ? s->name : "ic", out);
}

#define HOST_LOG(s, level, ...) rte_hvdev_ic_service_log(s, RTE_LOG_ ## level, __VA_ARGS__)

const char *
rte_hvdev_ic_service_state_str(enum rte_hvdev_ic_service_state state)
{
	switch (state) {
	case RTE_HVDEV_IC_SERVICE_NEGOTIATING:
		return "negotiating";
	case RTE_HVDEV_IC_SERVICE_READY:
		return "ready";
	case RTE_HVDEV_IC_SERVICE_LOST:
		return "lost";
	case RTE_HVDEV_IC_SERVICE_STOPPED:
		return "stopped";
	}
	return "unknown";
}

/* ---- one message ---- */

static void
negotiate(struct rte_hvdev_ic_service *s, uint8_t *msg, uint32_t len)
{
	struct rte_hvdev_ic_service_info *in = &s->info;
	struct rte_hvdev_ic_version fw, srv;
	int ret;

	ret = rte_hvdev_ic_negotiate(msg, len, s->fw, s->nfw, s->srv, s->nsrv, &fw, &srv);
	if (ret < 0) {
		HOST_LOG(s, ERR, "version negotiation failed: %s", ret == -ENOTSUP ?
			 "the host offers none of the versions the service accepts" :
			 "malformed NEGOTIATE");
		/* Too short for the helper to answer: the header still carries a status. */
		if (len < RTE_HVDEV_IC_NEGOTIATE_SIZE(0, 0))
			rte_hvdev_ic_make_response(msg, RTE_HVDEV_IC_E_FAIL);
		in->negotiations_failed++;
		/* The host knows it failed: nothing it sends now has agreed versions. */
		in->negotiated = false;
		if (in->state == RTE_HVDEV_IC_SERVICE_READY)
			in->state = RTE_HVDEV_IC_SERVICE_NEGOTIATING;
		return;
	}
	if (!in->negotiated || fw.major != in->fw.major || fw.minor != in->fw.minor ||
	    srv.major != in->srv.major || srv.minor != in->srv.minor)
		SVC_LOG(s, INFO, "negotiated framework %u.%u, service %u.%u", fw.major,
			fw.minor, srv.major, srv.minor);
	in->negotiated = true;
	in->fw = fw;
	in->srv = srv;
	in->negotiations++;
	if (in->state == RTE_HVDEV_IC_SERVICE_NEGOTIATING)
		in->state = RTE_HVDEV_IC_SERVICE_READY;
}

static enum outcome
process(struct rte_hvdev_ic_service *s, uint8_t *msg, uint32_t len, uint32_t cap,
	uint64_t xactid, struct rte_hvdev_ic_req *req)
{
	struct rte_hvdev_ic_service_info *in = &s->info;
	struct rte_hvdev_ic_hdr hdr;
	uint32_t body_len, status;

	memset(req, 0, sizeof(*req));
	req->resp_len = len;
	if (len < RTE_HVDEV_IC_HDR_SIZE) {
		HOST_LOG(s, ERR, "dropped a packet of %u bytes: shorter than an IC header", len);
		in->malformed++;
		return DROPPED;
	}
	if (rte_hvdev_ic_parse(msg, len, &hdr, &body_len) < 0) {
		HOST_LOG(s, ERR, "IC message type %u claims %u body bytes, %u received",
			 hdr.icmsgtype, hdr.icmsgsize, len - RTE_HVDEV_IC_HDR_SIZE);
		in->malformed++;
		if (s->ops->on_malformed != NULL)
			s->ops->on_malformed(s->ctx, &hdr);
		rte_hvdev_ic_make_response(msg, RTE_HVDEV_IC_INVALIDARG);
		return ANSWERED;
	}
	if (hdr.icmsgtype == RTE_HVDEV_IC_MSG_NEGOTIATE) {
		/* The answer is written in place, status included. */
		negotiate(s, msg, len);
		return ANSWERED;
	}
	if (!in->negotiated && !(s->conf.flags & RTE_HVDEV_IC_SERVICE_F_UNNEGOTIATED)) {
		HOST_LOG(s, WARNING, "IC message type %u before any version negotiation refused",
			 hdr.icmsgtype);
		in->refused++;
		rte_hvdev_ic_make_response(msg, RTE_HVDEV_IC_E_FAIL);
		return ANSWERED;
	}
	req->hdr = hdr;
	req->msg = msg;
	req->msg_len = len;
	req->msg_cap = cap;
	req->body = msg + RTE_HVDEV_IC_HDR_SIZE;
	/* icmsgsize, checked to lie inside the payload: never the padded packet length. */
	req->body_len = body_len;
	req->xactid = xactid;
	if (in->negotiated) {
		req->fw = in->fw;
		req->srv = in->srv;
	}
	in->requests++;
	status = s->ops->on_request(s->ctx, req);
	if (req->resp_len < RTE_HVDEV_IC_HDR_SIZE || req->resp_len > cap) {
		SVC_LOG(s, ERR, "on_request() set a response length of %u bytes (%u to %u "
			"allowed): the request's length is kept", req->resp_len,
			RTE_HVDEV_IC_HDR_SIZE, cap);
		req->resp_len = len;
	}
	rte_hvdev_ic_make_response(msg, status);
	req->status = status;
	return SERVED;
}

int
rte_hvdev_ic_service_handle(struct rte_hvdev_ic_service *s, void *payload, uint32_t len,
			    uint32_t cap, uint32_t *resp_len)
{
	struct rte_hvdev_ic_req req;
	enum outcome o;

	if (s == NULL || payload == NULL || resp_len == NULL || cap < len)
		return -EINVAL;
	o = process(s, payload, len, cap, 0, &req);
	*resp_len = req.resp_len;
	return o != DROPPED;
}

/* ---- the device ---- */

/*
 * Send a response; a full ring is waited for. @return 1 (sent), 0 (dropped, or a rescind that
 * the next receive or wait sees), or a fatal error.
 */
static int
respond(struct rte_hvdev_ic_service *s, uint64_t xactid, void *msg, uint32_t len)
{
	struct iovec iov = { .iov_base = msg, .iov_len = len };
	unsigned int waited = 0;
	int ret;

	for (;;) {
		ret = rte_hvdev_send(s->conf.dev_id, RTE_HVDEV_PKT_INBAND, 0, xactid, &iov, 1);
		if (ret != -EAGAIN)
			break;
		/* Stopping: whatever it answered is abandoned anyway. */
		if (stopping(s)) {
			s->info.tx_dropped++;
			return 0;
		}
		if (waited >= RTE_HVDEV_IC_SERVICE_TX_GIVE_UP_MS) {
			SVC_LOG(s, ERR, "the host has not drained its ring for %u ms: response "
				"dropped", waited);
			s->info.tx_dropped++;
			return 0;
		}
		ret = rte_hvdev_wait_tx(s->conf.dev_id, len, TX_WAIT_SLICE_MS);
		if (ret < 0 && ret != -ETIMEDOUT && ret != -EINTR)
			break;
		waited += TX_WAIT_SLICE_MS;
	}
	if (ret == 0) {
		s->info.responses++;
		return 1;
	}
	if (ret == -EIO)
		return 0;
	SVC_LOG(s, ERR, "sending a response of %u bytes failed: %s", len, strerror(-ret));
	s->info.tx_dropped++;
	/* A response that can never fit is lost, not fatal. */
	return ret == -EMSGSIZE ? 0 : ret;
}

static int
grow(struct rte_hvdev_ic_service *s, uint32_t need)
{
	uint8_t *bigger;

	if (need > s->conf.max_msg) {
		HOST_LOG(s, ERR, "the host sent a packet of %u bytes, over the %u-byte limit",
			 need, s->conf.max_msg);
		return -ENOBUFS;
	}
	bigger = realloc(s->buf, need);
	if (bigger == NULL)
		return -ENOMEM;
	s->buf = bigger;
	s->cap = need;
	return 0;
}

/* Receive and answer everything waiting. @return packets received, -EIO (lost) or an error. */
static int
drain(struct rte_hvdev_ic_service *s)
{
	struct rte_hvdev_ic_req req;
	struct rte_hvdev_pkt pkt;
	enum outcome o;
	int ret, n = 0;

	while (!stopping(s)) {
		ret = rte_hvdev_recv(s->conf.dev_id, &pkt, s->buf, s->cap);
		if (ret == -ENOBUFS) {
			ret = grow(s, pkt.len);
			if (ret < 0)
				return ret;
			continue;
		}
		if (ret == -EAGAIN)
			break;
		if (ret < 0)
			return ret;
		n++;
		s->spurious_errors = 0;
		if (pkt.type != RTE_HVDEV_PKT_INBAND) {
			s->info.non_inband++;
			HOST_LOG(s, WARNING, "ignored a VMBus packet of type %u", pkt.type);
			continue;
		}
		o = process(s, s->buf, pkt.len, s->cap, pkt.xactid, &req);
		if (o == DROPPED)
			continue;
		ret = respond(s, pkt.xactid, s->buf, req.resp_len);
		req.sent = ret > 0;
		if (o == SERVED && s->ops->after_response != NULL)
			s->ops->after_response(s->ctx, &req);
		if (ret < 0)
			return ret;
	}
	return n;
}

/* Sleep up to @p ms, or until a stop. */
static void
pause_ms(struct rte_hvdev_ic_service *s, int ms)
{
	struct pollfd pfd = { .fd = s->efd, .events = POLLIN };

	if (!stopping(s))
		poll(&pfd, 1, ms);
}

/* Spin on the ring until a packet, a stop, or @p end_ns. */
static int
spin(struct rte_hvdev_ic_service *s, uint64_t end_ns)
{
	int ret;

	for (;;) {
		ret = rte_hvdev_wait(s->conf.dev_id, 0);
		if (ret != 0 || stopping(s) || now_ns() >= end_ns)
			return ret;
		rte_pause();
	}
}

/*
 * Wait until a packet can be received, for up to @p timeout_ms (-1: no limit). Interrupt
 * modes: arm the interrupt, re-check the ring, then sleep on the device node and on the stop
 * eventfd together. @return 1 (a packet), 0 (timeout or stop), -EIO (lost), or an error.
 */
static int
wait_host(struct rte_hvdev_ic_service *s, int timeout_ms)
{
	int16_t id = s->conf.dev_id;
	uint64_t end = timeout_ms < 0 ? UINT64_MAX : now_ns() + (uint64_t)timeout_ms * 1000000u;
	struct pollfd pfd[2];
	uint64_t now, left_ms;
	int ret, fd, tmo;

	ret = rte_hvdev_wait(id, 0);
	if (ret != 0 || timeout_ms == 0)
		return ret;
	if (s->conf.mode == RTE_HVDEV_IC_MODE_POLL)
		return spin(s, end);
	if (s->conf.mode == RTE_HVDEV_IC_MODE_ADAPTIVE && s->conf.busy_poll_us > 0) {
		ret = spin(s, RTE_MIN(end, now_ns() + (uint64_t)s->conf.busy_poll_us * 1000u));
		if (ret != 0 || stopping(s))
			return ret;
	}
	for (;;) {
		/* Arm, then re-check: a packet that raced the arming is never slept on. */
		ret = rte_hvdev_intr_enable(id);
		if (ret != 0)
			break;
		fd = rte_hvdev_intr_fd(id);
		if (fd < 0)
			return fd;
		now = now_ns();
		if (end != UINT64_MAX && now >= end) {
			ret = 0;
			break;
		}
		left_ms = end == UINT64_MAX ? UINT64_MAX : (end - now + 999999) / 1000000;
		if (s->conf.recheck_ms > 0)
			left_ms = RTE_MIN(left_ms, (uint64_t)s->conf.recheck_ms);
		tmo = left_ms == UINT64_MAX ? -1 : (int)RTE_MIN(left_ms, (uint64_t)INT32_MAX);
		pfd[0] = (struct pollfd){ .fd = fd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = s->efd, .events = POLLIN };
		ret = poll(pfd, 2, tmo);
		if (ret < 0 && errno != EINTR)
			return -errno;
		if (stopping(s))
			return 0;
		if (ret > 0 && pfd[0].revents != 0) {
			s->info.wakeups++;
			/* Consumes the notification; a rescind shows here as -EIO. */
			ret = rte_hvdev_intr_ack(id);
			if (ret < 0)
				return ret;
		}
	}
	/* While we drain, the host need not interrupt us; the next wait re-arms. */
	if (ret > 0)
		rte_hvdev_intr_disable(id);
	return ret;
}

/* The channel is gone: tell the service once, and wait for the device from now on. */
static void
lost(struct rte_hvdev_ic_service *s)
{
	struct rte_hvdev_info info;
	enum rte_hvdev_ic_lost why = RTE_HVDEV_IC_LOST_RESCIND;

	if (rte_hvdev_info_get(s->conf.dev_id, &info) == 0 &&
	    info.state == RTE_HVDEV_STATE_BROKEN) {
		why = RTE_HVDEV_IC_LOST_BROKEN;
		s->info.broken++;
		SVC_LOG(s, ERR, "the host broke the ring protocol; reopening the channel");
	} else {
		s->info.rescinds++;
		SVC_LOG(s, WARNING, "the host withdrew the device (Guest Services off?); waiting "
			"for it to be offered again");
	}
	s->info.state = RTE_HVDEV_IC_SERVICE_LOST;
	s->info.negotiated = false;
	s->last_reattach_err = 0;
	if (s->ops->on_lost != NULL)
		s->ops->on_lost(s->ctx, why);
}

static void
back(struct rte_hvdev_ic_service *s)
{
	s->info.state = RTE_HVDEV_IC_SERVICE_NEGOTIATING;
	s->info.negotiated = false;
}

/* Try to reattach a lost device; @p block: until it is back or a stop. @return 0, -EAGAIN. */
static int
reattach(struct rte_hvdev_ic_service *s, bool block)
{
	struct rte_hvdev_info info;
	int ret;

	while (!stopping(s)) {
		/* Asked only once the device is offered: each failed attempt may log a line. */
		if (s->ops->offered != NULL && !s->ops->offered(s->ctx)) {
			if (!block)
				return -EAGAIN;
			pause_ms(s, REATTACH_POLL_MS);
			continue;
		}
		ret = rte_hvdev_reattach(s->conf.dev_id, block ? REATTACH_SLICE_MS : 0);
		if (ret == 0) {
			s->info.reattaches++;
			SVC_LOG(s, NOTICE, "the device is back; serving again");
			back(s);
			return 0;
		}
		/* Not (or no longer) rescinded: a racing offer left it usable; serve it. */
		if (ret == -EINVAL && rte_hvdev_info_get(s->conf.dev_id, &info) == 0 &&
		    info.state != RTE_HVDEV_STATE_RESCINDED &&
		    info.state != RTE_HVDEV_STATE_BROKEN) {
			/* Bounded: a channel that keeps failing this way needs a restart. */
			if (++s->spurious_errors > SPURIOUS_ERRORS_MAX)
				return -EIO;
			SVC_LOG(s, NOTICE, "the device is usable again; serving");
			pause_ms(s, REATTACH_POLL_MS);
			back(s);
			return 0;
		}
		/* The device cannot be reattached at all: only a restart can help. */
		if (ret == -EINVAL || ret == -ENOTSUP) {
			SVC_LOG(s, ERR, "reattaching the device failed: %s", strerror(-ret));
			return ret;
		}
		/* Not offered yet, or caught half-way through the offer: try again. */
		if (ret != -ETIMEDOUT && ret != s->last_reattach_err)
			SVC_LOG(s, WARNING, "reattaching the device: %s; retrying",
				strerror(-ret));
		s->last_reattach_err = ret;
		if (!block)
			return -EAGAIN;
		if (ret != -ETIMEDOUT)
			pause_ms(s, REATTACH_POLL_MS);
	}
	return 0;
}

/* One round: reattach, or drain, then (when @p block) sleep. @return 0, -EAGAIN, error. */
static int
step(struct rte_hvdev_ic_service *s, bool block)
{
	int ret, n, deadline;

	if (s->info.state == RTE_HVDEV_IC_SERVICE_LOST)
		return reattach(s, block);
	n = drain(s);
	if (n == -EIO) {
		lost(s);
		return 0;
	}
	if (n < 0)
		return n;
	if (stopping(s))
		return 0;
	if (s->ops->on_idle != NULL)
		s->ops->on_idle(s->ctx);
	deadline = s->ops->next_deadline_ms != NULL ? s->ops->next_deadline_ms(s->ctx) : -1;
	if (deadline == 0 || !block) {
		if (deadline == 0 && s->ops->on_timer != NULL) {
			s->ops->on_timer(s->ctx);
			return 0;
		}
		return n > 0 ? 0 : -EAGAIN;
	}
	ret = wait_host(s, deadline < 0 ? -1 : deadline);
	if (ret == -EIO) {
		lost(s);
		return 0;
	}
	if (ret < 0 && ret != -EINTR)
		return ret;
	if (ret <= 0 && deadline > 0 && s->ops->on_timer != NULL && !stopping(s))
		s->ops->on_timer(s->ctx);
	return 0;
}

static int
check_running(struct rte_hvdev_ic_service *s)
{
	if (s == NULL || s->conf.dev_id < 0)
		return -EINVAL;
	if (s->buf == NULL) {
		s->buf = malloc(s->cap);
		if (s->buf == NULL)
			return -ENOMEM;
	}
	return 0;
}

static void
report_stop(struct rte_hvdev_ic_service *s)
{
	if (s->stop_reported)
		return;
	s->stop_reported = true;
	if (s->ops->on_lost != NULL)
		s->ops->on_lost(s->ctx, RTE_HVDEV_IC_LOST_STOP);
}

int
rte_hvdev_ic_service_poll(struct rte_hvdev_ic_service *s)
{
	int ret = check_running(s);

	if (ret < 0)
		return ret;
	if (stopping(s))
		return -ESHUTDOWN;
	return step(s, false);
}

int
rte_hvdev_ic_service_run(struct rte_hvdev_ic_service *s)
{
	int ret = check_running(s);

	if (ret < 0)
		return ret;
	while (!stopping(s)) {
		ret = step(s, true);
		if (ret == -EAGAIN)
			ret = 0;
		if (ret < 0) {
			SVC_LOG(s, ERR, "serving stopped: %s", strerror(-ret));
			break;
		}
	}
	report_stop(s);
	return ret;
}

int
rte_hvdev_ic_service_lcore(void *arg)
{
	return rte_hvdev_ic_service_run(arg);
}

void
rte_hvdev_ic_service_stop(struct rte_hvdev_ic_service *s)
{
	uint64_t one = 1;
	ssize_t r;

	if (s == NULL)
		return;
	__atomic_store_n(&s->stop, 1, __ATOMIC_RELEASE);
	/* Async-signal-safe; the counter only needs to be non-zero, a full one is fine. */
	r = write(s->efd, &one, sizeof(one));
	RTE_SET_USED(r);
}

bool
rte_hvdev_ic_service_stopping(const struct rte_hvdev_ic_service *s)
{
	return s != NULL && stopping(s);
}

int
rte_hvdev_ic_service_info_get(const struct rte_hvdev_ic_service *s,
			      struct rte_hvdev_ic_service_info *info)
{
	if (s == NULL || info == NULL)
		return -EINVAL;
	*info = s->info;
	info->name = s->name;
	info->dev_id = s->conf.dev_id;
	if (stopping(s) && s->stop_reported)
		info->state = RTE_HVDEV_IC_SERVICE_STOPPED;
	return 0;
}

/* ---- life cycle ---- */

static int
check_versions(const struct rte_hvdev_ic_version *v, unsigned int n)
{
	return v != NULL && n > 0 && n <= RTE_HVDEV_IC_VERSION_MAX_COUNT ? 0 : -EINVAL;
}

static int
setup(struct rte_hvdev_ic_service *s, const struct rte_hvdev_ic_service_ops *ops,
	const struct rte_hvdev_ic_service_conf *conf)
{
	const struct rte_hvdev_ic_class *cls;

	if (ops->name == NULL || ops->on_request == NULL ||
	    strlen(ops->name) >= sizeof(s->name) || ops->name[0] == '\0' ||
	    conf->mode > RTE_HVDEV_IC_MODE_POLL || conf->max_msg > RTE_HVDEV_IC_SERVICE_MAX_MSG)
		return -EINVAL;
	cls = rte_hvdev_ic_class_by_name(ops->name);
	s->fw = ops->fw != NULL ? ops->fw : cls != NULL ? cls->fw : NULL;
	s->nfw = ops->fw != NULL ? ops->nfw : cls != NULL ? cls->nfw : 0;
	s->srv = ops->srv != NULL ? ops->srv : cls != NULL ? cls->srv : NULL;
	s->nsrv = ops->srv != NULL ? ops->nsrv : cls != NULL ? cls->nsrv : 0;
	if (check_versions(s->fw, s->nfw) < 0 || check_versions(s->srv, s->nsrv) < 0)
		return -EINVAL;
	snprintf(s->name, sizeof(s->name), "%s", ops->name);
	s->ops = ops;
	s->conf = *conf;
	if (s->conf.max_msg == 0)
		s->conf.max_msg = RTE_HVDEV_IC_SERVICE_MAX_MSG;
	s->cap = RTE_MIN(RX_BUF_MIN, s->conf.max_msg);
	s->info.state = RTE_HVDEV_IC_SERVICE_NEGOTIATING;
	return 0;
}

static int
start_device(struct rte_hvdev_ic_service *s)
{
	struct rte_hvdev_conf dc = {
		.intr_mode = s->conf.mode != RTE_HVDEV_IC_MODE_POLL,
		.busy_poll_us = s->conf.mode == RTE_HVDEV_IC_MODE_ADAPTIVE ?
				s->conf.busy_poll_us : 0,
		.recheck_ms = s->conf.recheck_ms,
	};
	struct rte_hvdev_info info;
	int ret;

	ret = rte_hvdev_configure(s->conf.dev_id, &dc);
	if (ret == 0)
		ret = rte_hvdev_start(s->conf.dev_id);
	if (ret < 0) {
		SVC_LOG(s, ERR, "starting device %d failed: %s", s->conf.dev_id, strerror(-ret));
		return ret;
	}
	s->started = true;
	if (rte_hvdev_info_get(s->conf.dev_id, &info) == 0 && info.max_payload > s->cap)
		s->cap = RTE_MIN(info.max_payload, s->conf.max_msg);
	return 0;
}

static struct rte_hvdev_ic_service *
find_locked(const char *name)
{
	struct rte_hvdev_ic_service *s;

	TAILQ_FOREACH(s, &services, next)
		if (strcmp(s->name, name) == 0)
			return s;
	return NULL;
}

struct rte_hvdev_ic_service *
rte_hvdev_ic_service_create(const struct rte_hvdev_ic_service_ops *ops, void *ctx,
			    const struct rte_hvdev_ic_service_conf *conf)
{
	struct rte_hvdev_ic_service *s;
	bool listed;
	int ret;

	if (ops == NULL || conf == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	s->efd = -1;
	s->ctx = ctx;
	ret = setup(s, ops, conf);
	if (ret < 0)
		goto fail;
	s->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (s->efd < 0) {
		ret = -errno;
		goto fail;
	}
	listed = !(conf->flags & RTE_HVDEV_IC_SERVICE_F_NO_TELEMETRY);
	pthread_mutex_lock(&services_lock);
	if (listed && find_locked(s->name) != NULL) {
		pthread_mutex_unlock(&services_lock);
		ret = -EEXIST;
		goto fail;
	}
	pthread_mutex_unlock(&services_lock);
	if (conf->dev_id >= 0) {
		ret = start_device(s);
		if (ret < 0)
			goto fail;
	}
	if (listed) {
		pthread_mutex_lock(&services_lock);
		TAILQ_INSERT_TAIL(&services, s, next);
		pthread_mutex_unlock(&services_lock);
	}
	s->conf.flags = conf->flags;
	return s;
fail:
	if (s->started)
		rte_hvdev_stop(s->conf.dev_id);
	if (s->efd >= 0)
		close(s->efd);
	free(s);
	rte_errno = -ret;
	return NULL;
}

void
rte_hvdev_ic_service_destroy(struct rte_hvdev_ic_service *s)
{
	struct rte_hvdev_ic_service *it;

	if (s == NULL)
		return;
	pthread_mutex_lock(&services_lock);
	TAILQ_FOREACH(it, &services, next)
		if (it == s)
			break;
	if (it != NULL)
		TAILQ_REMOVE(&services, s, next);
	pthread_mutex_unlock(&services_lock);
	report_stop(s);
	if (s->started)
		rte_hvdev_stop(s->conf.dev_id);
	close(s->efd);
	free(s->buf);
	free(s);
}

/* ---- telemetry ---- */

static int
handle_list(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct rte_hvdev_ic_service *s;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	pthread_mutex_lock(&services_lock);
	TAILQ_FOREACH(s, &services, next)
		rte_tel_data_add_array_string(d, s->name);
	pthread_mutex_unlock(&services_lock);
	return 0;
}

static void
add_version(struct rte_tel_data *d, const char *key, bool set,
	    const struct rte_hvdev_ic_version *v)
{
	char buf[16];

	if (set)
		snprintf(buf, sizeof(buf), "%u.%u", v->major, v->minor);
	else
		buf[0] = '\0';
	rte_tel_data_add_dict_string(d, key, buf);
}

static int
handle_info(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct rte_hvdev_ic_service_info in;
	struct rte_hvdev_ic_service *s;

	RTE_SET_USED(cmd);
	if (params == NULL || params[0] == '\0')
		return -EINVAL;
	pthread_mutex_lock(&services_lock);
	s = find_locked(params);
	if (s == NULL) {
		pthread_mutex_unlock(&services_lock);
		return -EINVAL;
	}
	rte_hvdev_ic_service_info_get(s, &in);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", in.name);
	rte_tel_data_add_dict_int(d, "dev_id", in.dev_id);
	rte_tel_data_add_dict_string(d, "state", rte_hvdev_ic_service_state_str(in.state));
	add_version(d, "framework_version", in.negotiated, &in.fw);
	add_version(d, "service_version", in.negotiated, &in.srv);
	rte_tel_data_add_dict_u64(d, "requests", in.requests);
	rte_tel_data_add_dict_u64(d, "responses", in.responses);
	rte_tel_data_add_dict_u64(d, "negotiations", in.negotiations);
	rte_tel_data_add_dict_u64(d, "negotiations_failed", in.negotiations_failed);
	rte_tel_data_add_dict_u64(d, "refused", in.refused);
	rte_tel_data_add_dict_u64(d, "malformed", in.malformed);
	rte_tel_data_add_dict_u64(d, "non_inband", in.non_inband);
	rte_tel_data_add_dict_u64(d, "tx_dropped", in.tx_dropped);
	rte_tel_data_add_dict_u64(d, "rescinds", in.rescinds);
	rte_tel_data_add_dict_u64(d, "broken", in.broken);
	rte_tel_data_add_dict_u64(d, "reattaches", in.reattaches);
	rte_tel_data_add_dict_u64(d, "wakeups", in.wakeups);
	rte_tel_data_add_dict_u64(d, "logs_suppressed", in.logs_suppressed);
	if (s->ops->telemetry != NULL)
		s->ops->telemetry(s->ctx, d);
	pthread_mutex_unlock(&services_lock);
	return 0;
}

RTE_INIT(hvdev_ic_service_telemetry_init)
{
	rte_telemetry_register_cmd("/hvdev/ic/list", handle_list,
		"Returns the names of the running IC services. Takes no parameters");
	rte_telemetry_register_cmd("/hvdev/ic/info", handle_info,
		"Returns the state, negotiated versions and counters of an IC service. "
		"Parameters: string name");
}
