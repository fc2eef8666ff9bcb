/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * The host's Copy-VMFile role. Hyper-V pushes a file to the guest as a strict
 * request/response sequence on the fcopy IC channel: START (names, flags, size), WRITE per
 * fragment of at most 6 KiB at an absolute offset, then COMPLETE; each request waits for the
 * guest's status, the first failure ends the copy, and a request the guest does not answer
 * in time makes the host give up. This file plays that side against a guest under test.
 *
 * The caller's thread sends and waits; the guest's answers arrive on the host thread, which
 * hands them over here (hvsim_fcopy_take_locked()) before on_packet would see them.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>
#include <sys/stat.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#include "rte_hvdev_fcopy.h"
#include "hvsim_priv.h"

#define HVSIM_PKT_INBAND 6
/* Hyper-V's per-transaction timeout (the old kernel driver's HV_UTIL_TIMEOUT as well). */
#define FCOPY_DEFAULT_TIMEOUT_MS 30000

/* One fcopy message as it goes on the wire: IC header, then the operation's structure. */
struct __rte_packed_begin fcopy_msg {
	struct rte_hvdev_ic_hdr ic;
	union {
		struct rte_hvdev_fcopy_hdr hdr;
		struct rte_hvdev_fcopy_start start;
		struct rte_hvdev_fcopy_write write;
	};
} __rte_packed_end;

/* What one Copy-VMFile (or raw message) needs between requests. */
struct fcopy_session {
	struct rte_hvsim_dev *dev;
	uint64_t opens;			/* channel generation the session started on */
	struct rte_hvdev_ic_hdr ic;	/* header template: the negotiated versions */
	int timeout_ms;
	struct timespec deadline;	/* of the request in flight */
};

static const char *const op_names[] = {
	[RTE_HVDEV_FCOPY_START] = "START",
	[RTE_HVDEV_FCOPY_WRITE] = "WRITE",
	[RTE_HVDEV_FCOPY_COMPLETE] = "COMPLETE",
	[RTE_HVDEV_FCOPY_CANCEL] = "CANCEL",
};

const char *
rte_hvsim_fcopy_op_name(uint32_t op)
{
	if (op < RTE_DIM(op_names))
		return op_names[op];
	return op == UINT32_MAX ? "-" : "UNKNOWN";
}

/* The texts Windows has for these codes (FormatMessage), which is what Copy-VMFile shows. */
static const struct {
	uint32_t hresult;
	const char *msg;
} hresult_msgs[] = {
	{ 0x00000000, "The operation completed successfully." },
	{ 0x80004005, "Unspecified error" },
	{ 0x80070002, "The system cannot find the file specified." },
	{ 0x80070003, "The system cannot find the path specified." },
	{ 0x80070005, "Access is denied." },
	{ 0x80070032, "The request is not supported." },
	{ 0x80070050, "The file exists." },
	{ 0x80070057, "The parameter is incorrect." },
	{ 0x80070070, "There is not enough space on the disk." },
	{ 0x80070103, "No more data is available." },
	{ 0x800700CE, "The filename or extension is too long." },
	{ 0x8007048F, "The device is not connected." },
	{ 0x800705B4, "This operation returned because the timeout period expired." },
};

const char *
rte_hvsim_hresult_message(uint32_t hresult)
{
	static _Thread_local char unknown[32];
	unsigned int i;

	for (i = 0; i < RTE_DIM(hresult_msgs); i++)
		if (hresult_msgs[i].hresult == hresult)
			return hresult_msgs[i].msg;
	snprintf(unknown, sizeof(unknown), "Unknown error 0x%08" PRIx32, hresult);
	return unknown;
}

/*
 * @p n bytes of UTF-8 into a NUL-terminated UTF-16LE field of RTE_HVDEV_FCOPY_MAX_PATH units,
 * with the guest's own strict converter.
 * @return 0, -EINVAL (not UTF-8), -ENAMETOOLONG.
 */
static int
utf8_to_utf16(const char *str, size_t n, uint16_t *out)
{
	int ret = rte_hvdev_utf8_to_utf16(str, n, out, RTE_HVDEV_FCOPY_MAX_PATH);

	if (ret == -EILSEQ)
		return -EINVAL;
	return ret < 0 ? ret : 0;
}

/*
 * As Hyper-V fills START: path_name is DestinationPath exactly as given (a directory, with or
 * without a trailing '/', or the file itself: the guest decides), file_name the source's name.
 */
static int
fill_names(struct rte_hvdev_fcopy_start *st, const char *dest, const char *name)
{
	int ret;

	if (dest[0] != '/')
		return -EINVAL;
	ret = utf8_to_utf16(dest, strlen(dest), st->path_name);
	if (ret == 0)
		ret = utf8_to_utf16(name, strlen(name), st->file_name);
	return ret;
}

/* The last component of @p path, as Copy-VMFile takes it from SourcePath. */
static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

/*
 * Own the role for one session: the channel is open, the versions are agreed (waiting up to
 * the timeout for the guest's answer to the NEGOTIATE) and no other session runs.
 */
static int
session_begin(struct fcopy_session *s, struct rte_hvsim_dev *dev, int timeout_ms)
{
	struct rte_hvsim *sim = dev->sim;
	const char *why = NULL;
	struct timespec ts;
	int ret = 0, wret = 0;

	if (!dev->ic.enabled)
		return -EINVAL;
	hvsim_deadline(&ts, timeout_ms);
	pthread_mutex_lock(&sim->lock);
	if (sim->in_loop && pthread_equal(sim->loop_thread, pthread_self())) {
		ret = -EDEADLK;
		goto out;
	}
	if (dev->fcopy.busy) {
		ret = -EBUSY;
		goto out;
	}
	while (dev->conn_fd >= 0 && !dev->ic.res.done && wret == 0)
		wret = pthread_cond_timedwait(&sim->cond, &sim->lock, &ts);
	if (dev->conn_fd < 0)
		why = "has not opened the channel";
	else if (!dev->ic.res.done)
		ret = -ETIMEDOUT;
	else if (!dev->ic.res.ok)
		why = "refused the IC versions";	/* the IC is unusable */
	if (why != NULL)
		ret = -ENOTCONN;
	if (ret < 0)
		goto out;
	dev->fcopy.busy = true;
	s->dev = dev;
	s->opens = dev->stats.opens;
	s->timeout_ms = timeout_ms;
	memset(&s->ic, 0, sizeof(s->ic));
	s->ic.icverframe = dev->ic.res.fw;
	s->ic.icvermsg = dev->ic.res.srv;
	s->ic.icmsgtype = RTE_HVDEV_IC_MSG_FCOPY;
	s->ic.icflags = RTE_HVDEV_IC_FLAG_TRANSACTION | RTE_HVDEV_IC_FLAG_REQUEST;
out:
	pthread_mutex_unlock(&sim->lock);
	if (why != NULL)
		HVSIM_LOG(INFO, "%s: fcopy: the guest %s", dev->inst_str, why);
	return ret;
}

static void
session_end(struct fcopy_session *s)
{
	pthread_mutex_lock(&s->dev->sim->lock);
	s->dev->fcopy.busy = false;
	s->dev->fcopy.pending = false;
	s->dev->fcopy.staged = NULL;
	s->dev->fcopy.advanced = false;
	pthread_mutex_unlock(&s->dev->sim->lock);
}

/* Remember a transaction the host gave up on, so that its late answer is only counted. */
static void
remember_stale_locked(struct hvsim_fcopy *fc, uint64_t xactid)
{
	fc->stale[fc->nstale % HVSIM_FCOPY_STALE_MAX] = xactid;
	fc->nstale++;
}

static bool
is_stale_locked(struct rte_hvsim_dev *dev, const struct rte_hvsim_pkt *pkt)
{
	const struct hvsim_fcopy *fc = &dev->fcopy;
	unsigned int i, n = RTE_MIN(fc->nstale, (unsigned int)HVSIM_FCOPY_STALE_MAX);

	for (i = 0; i < n; i++)
		if (hvsim_ic_answer_matches_locked(dev, pkt, fc->stale[i]))
			return true;
	return false;
}

/* Wait for the answer to the request in flight. Lock held. @return 0 or a negative errno. */
static int
wait_answer_locked(struct fcopy_session *s, const struct timespec *deadline)
{
	struct rte_hvsim_dev *dev = s->dev;
	struct hvsim_fcopy *fc = &dev->fcopy;
	int wret = 0;

	while (!fc->answered && !fc->advanced && dev->conn_fd >= 0 &&
	       dev->stats.opens == s->opens && wret == 0)
		wret = pthread_cond_timedwait(&dev->sim->cond, &dev->sim->lock, deadline);
	if (fc->answered || fc->advanced)
		return 0;
	if (dev->conn_fd < 0 || dev->stats.opens != s->opens)
		return -ENOTCONN;
	return -ETIMEDOUT;
}

/* The operation of a request, as the guest will read it (UINT32_MAX: too short). */
static uint32_t
fcopy_msg_op(const struct fcopy_msg *msg, uint32_t body_len)
{
	return body_len >= sizeof(msg->hdr.operation) ?
	       rte_le_to_cpu_32(msg->hdr.operation) : UINT32_MAX;
}

/*
 * Send one request (@p msg holds the IC header space and @p body_len bytes of body) and wait
 * for the guest's status. @return 0 with *status, -ETIMEDOUT, -ENOTCONN, -EMSGSIZE.
 */
/* Frame @p msg as a request of @p len payload bytes with transaction @p xactid. */
static void
frame_request(const struct fcopy_session *s, struct fcopy_msg *msg, uint32_t len, uint64_t xactid)
{
	msg->ic = s->ic;
	msg->ic.pipe_msgsize = len - RTE_HVDEV_IC_PIPE_HDR_SIZE;
	msg->ic.icmsgsize = (uint16_t)(len - RTE_HVDEV_IC_HDR_SIZE);
	msg->ic.ictransaction_id = (uint8_t)xactid;
}

/* Fresh per request and unlike anything a guest would make up, as for NEGOTIATE. */
static uint64_t
next_xactid_locked(struct rte_hvsim_dev *dev)
{
	return ((uint64_t)dev->conf.relid << 32) | ++dev->sim->next_xactid;
}

/*
 * Send one request (@p msg holds the IC header space and @p body_len bytes of body); its
 * answer is waited for with request_wait(). @return 0, -ENOTCONN, -ETIMEDOUT, -EMSGSIZE.
 */
static int
request_send(struct fcopy_session *s, struct fcopy_msg *msg, uint32_t body_len)
{
	struct rte_hvsim_dev *dev = s->dev;
	struct hvsim_fcopy *fc = &dev->fcopy;
	uint32_t len = RTE_HVDEV_IC_HDR_SIZE + body_len;
	uint64_t xactid;
	int ret;

	hvsim_deadline(&s->deadline, s->timeout_ms);
	pthread_mutex_lock(&dev->sim->lock);
	if (dev->conn_fd < 0 || dev->stats.opens != s->opens) {
		pthread_mutex_unlock(&dev->sim->lock);
		return -ENOTCONN;
	}
	xactid = next_xactid_locked(dev);
	frame_request(s, msg, len, xactid);
	/* Fault injection may malform the request; the answer is judged against what went. */
	fc->lax_answer = hvsim_fault_mangle_locked(dev, fcopy_msg_op(msg, body_len),
						      (uint8_t *)msg, &len);
	fc->xactid = xactid;
	fc->req_len = len;
	fc->answered = false;
	fc->advanced = false;
	/* Armed before sending: the answer may be taken before the send call returns. */
	fc->pending = true;
	pthread_mutex_unlock(&dev->sim->lock);

	ret = rte_hvsim_send_wait(dev, HVSIM_PKT_INBAND, 0, xactid, msg, len, s->timeout_ms);
	if (ret < 0) {
		pthread_mutex_lock(&dev->sim->lock);
		fc->pending = false;
		pthread_mutex_unlock(&dev->sim->lock);
	}
	return ret;
}

/* A request the host gave up on. Lock held. */
static void
give_up_locked(struct hvsim_fcopy *fc, int ret)
{
	fc->pending = false;
	if (ret == -ETIMEDOUT)
		remember_stale_locked(fc, fc->xactid);
}

/* Wait for the answer to the request sent last. @return 0 with *status, or a negative errno. */
static int
request_wait(struct fcopy_session *s, uint32_t *status)
{
	struct rte_hvsim_dev *dev = s->dev;
	struct hvsim_fcopy *fc = &dev->fcopy;
	int ret;

	pthread_mutex_lock(&dev->sim->lock);
	ret = wait_answer_locked(s, &s->deadline);
	if (ret == 0)
		*status = fc->status;
	else
		give_up_locked(fc, ret);
	pthread_mutex_unlock(&dev->sim->lock);
	return ret;
}

/*
 * Send one request and wait for the guest's status.
 * @return 0 with *status, -ETIMEDOUT, -ENOTCONN, -EMSGSIZE.
 */
static int
request(struct fcopy_session *s, struct fcopy_msg *msg, uint32_t body_len, uint32_t *status)
{
	int ret = request_send(s, msg, body_len);

	return ret < 0 ? ret : request_wait(s, status);
}

/* Faults that act on particular requests or steps: each request is then sent on its own. */
static bool
may_pipeline_locked(const struct rte_hvsim_dev *dev)
{
	const struct rte_hvsim_fault *f = &dev->fault.f;

	return f->mangle == RTE_HVSIM_MANGLE_NONE && f->step == RTE_HVSIM_STEP_NONE &&
	       !dev->fault.corrupt_armed;
}

/*
 * Stage @p msg (a WRITE of @p body_len) to go out from the loop thread as soon as the
 * request in flight is answered with success, then wait for that answer.
 * @return 1 when the staged request already went out (the answer was a success), 0 with
 *         *status when it did not (the copying thread sends it, if at all), or a negative
 *         errno (nothing staged remains).
 */
static int
stage_and_wait(struct fcopy_session *s, struct fcopy_msg *msg, uint32_t body_len,
	       uint32_t *status)
{
	struct rte_hvsim_dev *dev = s->dev;
	struct hvsim_fcopy *fc = &dev->fcopy;
	uint32_t len = RTE_HVDEV_IC_HDR_SIZE + body_len;
	int ret;

	pthread_mutex_lock(&dev->sim->lock);
	if (fc->pending && !fc->answered && may_pipeline_locked(dev)) {
		fc->staged_xactid = next_xactid_locked(dev);
		frame_request(s, msg, len, fc->staged_xactid);
		fc->staged_len = len;
		fc->staged = msg;
	}
	ret = wait_answer_locked(s, &s->deadline);
	fc->staged = NULL;
	if (ret == 0 && fc->advanced) {
		fc->advanced = false;
		ret = 1;
	} else if (ret == 0) {
		*status = fc->status;
	} else {
		give_up_locked(fc, ret);
	}
	pthread_mutex_unlock(&dev->sim->lock);
	if (ret == 1)
		hvsim_deadline(&s->deadline, s->timeout_ms);
	return ret;
}

/*
 * The loop thread, on a success answer: send the staged request at once. Nothing changes if
 * it cannot go (a full ring, say): the copying thread then sends it itself.
 */
static void
send_staged_locked(struct rte_hvsim_dev *dev)
{
	struct hvsim_fcopy *fc = &dev->fcopy;

	const void *msg = fc->staged;

	fc->staged = NULL;
	if (msg == NULL || fc->status != RTE_HVDEV_IC_S_OK ||
	    hvsim_send_locked(dev, HVSIM_PKT_INBAND, 0, fc->staged_xactid, msg,
			      fc->staged_len) < 0)
		return;
	/* The answer can only be taken by this thread, under this lock: no race with it. */
	fc->xactid = fc->staged_xactid;
	fc->req_len = fc->staged_len;
	fc->lax_answer = false;
	fc->pending = true;
	fc->answered = false;
	fc->advanced = true;
}

/* Why an answer to the request in flight breaks the protocol, or NULL. */
static const char *
answer_violation(const struct hvsim_fcopy *fc, const struct rte_hvsim_pkt *pkt,
		 struct rte_hvdev_ic_hdr *hdr)
{
	if (pkt->type != HVSIM_PKT_INBAND)
		return "not an in-band packet";
	/* Answers are the request modified in place; ours arrived padded to 8. */
	if (pkt->len != RTE_ALIGN_CEIL(fc->req_len, 8u))
		return "payload length differs from the request's";
	if (fc->lax_answer) {
		/* The request was malformed on purpose and the answer echoes its header. */
		if (pkt->len < RTE_HVDEV_IC_HDR_SIZE)
			return "shorter than an IC header";
		memcpy(hdr, pkt->data, sizeof(*hdr));
	} else if (rte_hvdev_ic_parse(pkt->data, pkt->len, hdr, NULL) < 0) {
		return "icmsgsize runs beyond the packet";
	} else if (hdr->icmsgtype != RTE_HVDEV_IC_MSG_FCOPY) {
		return "message type is not FCOPY";
	}
	if ((hdr->icflags & RTE_HVDEV_IC_FLAG_RESPONSE) == 0)
		return "RESPONSE flag not set";
	return NULL;
}

bool
hvsim_fcopy_take_locked(struct rte_hvsim_dev *dev, const struct rte_hvsim_pkt *pkt)
{
	struct hvsim_fcopy *fc = &dev->fcopy;
	struct rte_hvdev_ic_hdr hdr;
	const char *why;

	/* Hyper-V does not need the VMBus id echoed: see hvsim_ic_answer_matches_locked(). */
	if (fc->pending && hvsim_ic_answer_matches_locked(dev, pkt, fc->xactid)) {
		why = answer_violation(fc, pkt, &hdr);
		if (why != NULL) {
			/* A broken answer fails the request, as no valid status came back. */
			dev->stats.guest_errors++;
			HVSIM_LOG(WARNING, "%s: fcopy: invalid answer to transaction %#" PRIx64
				  ": %s", dev->inst_str, pkt->xactid, why);
			fc->status = RTE_HVDEV_IC_E_FAIL;
		} else {
			fc->status = hdr.status;
		}
		fc->pending = false;
		fc->answered = true;
		if (why == NULL)
			send_staged_locked(dev);
		pthread_cond_broadcast(&dev->sim->cond);
		return true;
	}
	if (is_stale_locked(dev, pkt)) {
		dev->stats.late_answers++;
		HVSIM_LOG(NOTICE, "%s: fcopy: late answer to transaction %#" PRIx64 " ignored",
			  dev->inst_str, pkt->xactid);
		return true;
	}
	return false;
}

/* Read exactly @p len bytes at @p off. @return 0 or -EIO (error, or the file shrank). */
static int
read_chunk(int fd, uint8_t *buf, uint32_t len, uint64_t off)
{
	uint32_t done = 0;
	ssize_t n;

	while (done < len) {
		n = pread(fd, buf + done, len - done, (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EIO;
		done += (uint32_t)n;
	}
	return 0;
}

static int
open_source(const char *src_path, uint64_t *size)
{
	struct stat st;
	int fd, ret;

	fd = open(src_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		ret = -EIO;
	else if (!S_ISREG(st.st_mode))
		ret = -EINVAL;
	else
		ret = 0;
	if (ret < 0) {
		close(fd);
		return ret;
	}
	*size = (uint64_t)st.st_size;
	return fd;
}

/* The header-only operations: COMPLETE and CANCEL. */
static int
simple_request(struct fcopy_session *s, struct fcopy_msg *msg, uint32_t op, uint32_t *status)
{
	memset(&msg->hdr, 0, sizeof(msg->hdr));
	msg->hdr.operation = rte_cpu_to_le_32(op);
	return request(s, msg, sizeof(msg->hdr), status);
}

static int
send_start(struct fcopy_session *s, struct fcopy_msg *msg, const struct rte_hvsim_fcopy_opts *o,
	   uint64_t size, uint32_t *status)
{
	uint32_t flags = (o->overwrite ? RTE_HVDEV_FCOPY_OVERWRITE : 0) |
			 (o->create_path ? RTE_HVDEV_FCOPY_CREATE_PATH : 0);

	/* The names were filled in before the session started; the rest is set here. */
	memset(&msg->start.hdr, 0, sizeof(msg->start.hdr));
	msg->start.hdr.operation = rte_cpu_to_le_32(RTE_HVDEV_FCOPY_START);
	msg->start.copy_flags = rte_cpu_to_le_32(flags);
	msg->start.file_size = rte_cpu_to_le_64(o->announce_size_set ? o->announce_size : size);
	return request(s, msg, sizeof(msg->start), status);
}

/* Fill @p msg with the WRITE of @p n source bytes at @p off. @return 0 or -EIO. */
static int
build_write(struct fcopy_msg *msg, int fd, uint64_t off, uint32_t n)
{
	int ret;

	memset(&msg->write, 0, sizeof(msg->write));
	ret = read_chunk(fd, msg->write.data, n, off);
	if (ret < 0)
		return ret;
	msg->write.hdr.operation = rte_cpu_to_le_32(RTE_HVDEV_FCOPY_WRITE);
	msg->write.offset = rte_cpu_to_le_64(off);
	msg->write.size = rte_cpu_to_le_32(n);
	return 0;
}

/* The source could not be read: let the guest drop its partial file. @return -EIO. */
static int
cancel_unreadable(struct fcopy_session *s, struct fcopy_msg *msg, uint64_t off)
{
	uint32_t status;

	HVSIM_LOG(ERR, "%s: fcopy: cannot read the source at offset %" PRIu64 ", cancelling",
		  s->dev->inst_str, off);
	/* Its answer changes nothing. */
	simple_request(s, msg, RTE_HVDEV_FCOPY_CANCEL, &status);
	return -EIO;
}

/* Set the outcome of the request that ended the copy. @return the API's return value. */
static int
end_copy(struct rte_hvsim_fcopy_result *res, uint32_t op, int ret, uint32_t status)
{
	if (ret == -ETIMEDOUT)
		res->timed_out = true;
	if (ret == 0 && status != RTE_HVDEV_IC_S_OK)
		res->hresult = status;
	if (ret < 0 || status != RTE_HVDEV_IC_S_OK)
		res->failed_op = op;
	return ret;
}

static bool
cancel_due(const struct rte_hvsim_fcopy_opts *o, const struct rte_hvsim_fcopy_result *res)
{
	return o->cancel_after != 0 && res->bytes_sent >= o->cancel_after;
}

/*
 * Fault injection: the step action due at @p step (the @p nth WRITE) runs here, on the
 * copying thread: the callback first, then the action.
 * @return true to go on with the copy; false when it ends here, with *ret its result.
 */
static bool
at_step(struct fcopy_session *s, struct fcopy_msg *msg, enum rte_hvsim_step step, uint32_t nth,
	struct rte_hvsim_fcopy_result *res, int *ret)
{
	struct rte_hvsim_dev *dev = s->dev;
	enum rte_hvsim_step_action act;
	struct rte_hvsim_fault f;
	uint32_t status = 0;

	pthread_mutex_lock(&dev->sim->lock);
	act = hvsim_fault_step_locked(dev, step, nth, &f);
	pthread_mutex_unlock(&dev->sim->lock);
	if (act == RTE_HVSIM_ACT_NONE)
		return true;
	if (f.step_cb != NULL)
		f.step_cb(dev, step, nth, f.step_arg);
	switch (act) {
	case RTE_HVSIM_ACT_RESCIND:
		/* The next request finds the channel gone. */
		rte_hvsim_rescind(dev);
		return true;
	case RTE_HVSIM_ACT_KILL:
		if (kill(f.step_pid, SIGKILL) < 0)
			HVSIM_LOG(ERR, "%s: fault: cannot kill process %d: %s", dev->inst_str,
				  f.step_pid, strerror(errno));
		return true;
	case RTE_HVSIM_ACT_CANCEL:
		res->cancelled = true;
		*ret = simple_request(s, msg, RTE_HVDEV_FCOPY_CANCEL, &status);
		*ret = end_copy(res, RTE_HVDEV_FCOPY_CANCEL, *ret, status);
		return false;
	case RTE_HVSIM_ACT_STALL:
		/* Nothing more is sent: the guest is left with a copy that never ends. */
		*ret = -ECANCELED;
		return false;
	default:
		return true;
	}
}

/*
 * The WRITEs of the whole source (up to opts.cancel_after), one in flight at a time as
 * Hyper-V sends them. Each next WRITE is read from the source while the guest works on the
 * one before, and staged for the loop thread to send on a success answer (stage_and_wait()).
 * @return true when every WRITE succeeded; false when the copy ends here, with *result its
 *         return value (and res set).
 */
static bool
send_writes(struct fcopy_session *s, struct fcopy_msg *cur, struct fcopy_msg *next, int fd,
	    uint64_t size, const struct rte_hvsim_fcopy_opts *o, struct rte_hvsim_fcopy_result *res,
	    int *result)
{
	uint32_t chunk = o->chunk != 0 ? o->chunk : RTE_HVDEV_FCOPY_DATA_MAX;
	uint32_t status = 0, n, nn = 0, writes = 0;
	uint64_t off = 0, next_off;
	struct fcopy_msg *tmp;
	bool more, unreadable;
	int ret;

	n = (uint32_t)RTE_MIN((uint64_t)chunk, size);
	if (build_write(cur, fd, 0, n) < 0)
		ret = cancel_unreadable(s, cur, 0);
	else
		ret = request_send(s, cur, sizeof(cur->write));
	if (ret < 0)
		goto stop;
	for (;;) {
		next_off = off + n;
		more = next_off < size && !(o->cancel_after != 0 && next_off >= o->cancel_after);
		unreadable = false;
		if (more) {
			nn = (uint32_t)RTE_MIN((uint64_t)chunk, size - next_off);
			unreadable = build_write(next, fd, next_off, nn) < 0;
			more = !unreadable;
		}
		ret = more ? stage_and_wait(s, next, sizeof(next->write), &status) :
		      request_wait(s, &status);
		if (ret < 0 || (ret == 0 && status != RTE_HVDEV_IC_S_OK))
			goto stop;
		off = next_off;
		res->bytes_sent = off;
		if (o->progress != NULL)
			o->progress(off, size, o->progress_arg);
		/* Step faults turn the staging off: nothing is in flight when one fires. */
		if (!at_step(s, cur, RTE_HVSIM_STEP_WRITE, ++writes, res, result))
			return false;
		if (unreadable) {
			*result = cancel_unreadable(s, cur, next_off);
			return false;
		}
		if (!more)
			return true;
		tmp = cur;
		cur = next;
		next = tmp;
		n = nn;
		if (ret == 0) {
			/* Not sent on the answer (staging off, ring full): send it now. */
			ret = request_send(s, cur, sizeof(cur->write));
			if (ret < 0)
				goto stop;
		}
	}
stop:
	*result = ret == -EIO ? ret : end_copy(res, RTE_HVDEV_FCOPY_WRITE, ret, status);
	return false;
}

/* START, the WRITEs, then COMPLETE or CANCEL, stopping at the first failure. */
static int
run_copy(struct fcopy_session *s, struct fcopy_msg *msg, struct fcopy_msg *spare, int fd,
	 uint64_t size, const struct rte_hvsim_fcopy_opts *o, struct rte_hvsim_fcopy_result *res)
{
	uint32_t status = 0;
	int ret = 0;

	if (!at_step(s, msg, RTE_HVSIM_STEP_NEGOTIATED, 0, res, &ret))
		return ret;
	ret = send_start(s, msg, o, size, &status);
	if (ret < 0 || status != 0)
		return end_copy(res, RTE_HVDEV_FCOPY_START, ret, status);
	if (!at_step(s, msg, RTE_HVSIM_STEP_START, 0, res, &ret))
		return ret;
	if (size > 0 && !cancel_due(o, res) && !send_writes(s, msg, spare, fd, size, o, res, &ret))
		return ret;
	if (cancel_due(o, res)) {
		res->cancelled = true;
		ret = simple_request(s, msg, RTE_HVDEV_FCOPY_CANCEL, &status);
		return end_copy(res, RTE_HVDEV_FCOPY_CANCEL, ret, status);
	}
	if (!at_step(s, msg, RTE_HVSIM_STEP_BEFORE_COMPLETE, 0, res, &ret))
		return ret;
	ret = simple_request(s, msg, RTE_HVDEV_FCOPY_COMPLETE, &status);
	ret = end_copy(res, RTE_HVDEV_FCOPY_COMPLETE, ret, status);
	if (ret == 0 && status == RTE_HVDEV_IC_S_OK &&
	    !at_step(s, msg, RTE_HVSIM_STEP_COMPLETE, 0, res, &ret))
		return ret;
	return ret;
}

static int
check_opts(const struct rte_hvsim_fcopy_opts *o)
{
	if (o->chunk > RTE_HVDEV_FCOPY_DATA_MAX || o->timeout_ms < 0)
		return -EINVAL;
	return 0;
}

int
rte_hvsim_fcopy(struct rte_hvsim_dev *dev, const char *src_path, const char *dest,
		const struct rte_hvsim_fcopy_opts *opts, struct rte_hvsim_fcopy_result *res)
{
	static const struct rte_hvsim_fcopy_opts defaults;
	const struct rte_hvsim_fcopy_opts *o = opts != NULL ? opts : &defaults;
	struct rte_hvsim_fcopy_result local;
	struct fcopy_session s;
	struct fcopy_msg *msg;
	uint64_t size = 0;
	int fd, ret;

	if (res == NULL)
		res = &local;
	memset(res, 0, sizeof(*res));
	res->failed_op = UINT32_MAX;
	if (dev == NULL || src_path == NULL || dest == NULL || check_opts(o) < 0)
		return -EINVAL;
	/* Two: the next WRITE is prepared while the guest answers the one before. */
	msg = calloc(2, sizeof(*msg));
	if (msg == NULL)
		return -ENOMEM;
	ret = fill_names(&msg->start, dest, o->file_name != NULL ? o->file_name :
			 base_name(src_path));
	if (ret < 0) {
		HVSIM_LOG(ERR, "%s: fcopy: bad guest path '%s' or file name: %s", dev->inst_str,
			  dest, ret == -ENAMETOOLONG ? "over 259 UTF-16 units" :
			  "the path is not absolute, or not UTF-8");
		goto out;
	}
	fd = open_source(src_path, &size);
	if (fd < 0) {
		ret = fd;
		HVSIM_LOG(ERR, "%s: fcopy: cannot read %s: %s", dev->inst_str, src_path,
			  strerror(-ret));
		goto out;
	}
	ret = session_begin(&s, dev, o->timeout_ms != 0 ? o->timeout_ms :
			    FCOPY_DEFAULT_TIMEOUT_MS);
	if (ret == 0) {
		HVSIM_LOG(INFO, "%s: fcopy: %s -> %s, %" PRIu64 " bytes", dev->inst_str,
			  src_path, dest, size);
		ret = run_copy(&s, &msg[0], &msg[1], fd, size, o, res);
		session_end(&s);
		HVSIM_LOG(INFO, "%s: fcopy: %s: %s%s, failed %s, status 0x%08" PRIx32 ", %" PRIu64
			  " bytes", dev->inst_str, dest, ret < 0 ? "error " : "done",
			  ret < 0 ? strerror(-ret) : "",
			  rte_hvsim_fcopy_op_name(res->failed_op), res->hresult, res->bytes_sent);
	} else if (ret == -ETIMEDOUT) {
		res->timed_out = true;
	}
	close(fd);
out:
	free(msg);
	return ret;
}

int
rte_hvsim_fcopy_raw(struct rte_hvsim_dev *dev, const void *body, uint32_t len,
		    uint32_t *status, int timeout_ms)
{
	struct fcopy_session s;
	struct fcopy_msg *msg;
	uint32_t st = 0;
	int ret;

	if (dev == NULL || (body == NULL && len > 0) || len > UINT16_MAX || timeout_ms < 0)
		return -EINVAL;
	/* Room for the biggest structure too, so that the message type is always complete. */
	msg = calloc(1, RTE_MAX(sizeof(*msg), (size_t)RTE_HVDEV_IC_HDR_SIZE + len));
	if (msg == NULL)
		return -ENOMEM;
	if (len > 0)
		memcpy((uint8_t *)msg + RTE_HVDEV_IC_HDR_SIZE, body, len);
	ret = session_begin(&s, dev, timeout_ms != 0 ? timeout_ms : FCOPY_DEFAULT_TIMEOUT_MS);
	if (ret == 0) {
		ret = request(&s, msg, len, &st);
		session_end(&s);
	}
	if (ret == 0 && status != NULL)
		*status = st;
	free(msg);
	return ret;
}
