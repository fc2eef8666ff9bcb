/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * serve: offer the devices under the root, run the simulated host on its own thread, and
 * answer control requests on <root>/hvsim.sock until SIGINT or SIGTERM. Each request gets a
 * thread of its own, because a copy blocks for as long as the guest takes while rescind,
 * offer and list must still be answered.
 */

#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_uuid.h>

#include <rte_hvdev_fcopy.h>
#include <rte_hvdev_ic.h>
#include <rte_hvsim.h>

#include "hvsim_app.h"

#define SERVE_DEVS_MAX RTE_DIM(((struct hvsim_serve_opts *)0)->classes)
#define SERVE_WORKERS_MAX 16
/* A client has this long to send its request line. */
#define SERVE_REQUEST_MS 5000
/* Progress lines at most this often (the last one always). */
#define SERVE_PROGRESS_US 100000
/*
 * How often a copy looks whether its client hung up: a poll() per WRITE would cost a system
 * call on every round trip of the copy.
 */
#define SERVE_CLIENT_CHECK_US 10000

struct served_dev {
	struct rte_hvsim_dev *dev;
	rte_uuid_t class_id;
	char class_name[RTE_UUID_STRLEN];	/* "fcopy", or the GUID of an unknown class */
	char instance[RTE_UUID_STRLEN];
};

struct serve;

struct worker {
	struct serve *sv;
	pthread_t tid;
	int fd;
	bool used;
	int done;			/* set by the worker when it has finished */
};

struct serve {
	const char *root;
	char sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct rte_hvsim *sim;
	struct served_dev devs[SERVE_DEVS_MAX];
	unsigned int ndevs;
	pthread_mutex_t out_lock;	/* lines on stdout stay whole */
	struct worker workers[SERVE_WORKERS_MAX];
};

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void __rte_format_printf(2, 3)
say(struct serve *sv, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&sv->out_lock);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	pthread_mutex_unlock(&sv->out_lock);
}

static const char *
errno_name(int err)
{
	switch (err) {
	case EINVAL: return "EINVAL";
	case ENOENT: return "ENOENT";
	case EACCES: return "EACCES";
	case ENAMETOOLONG: return "ENAMETOOLONG";
	case ENODEV: return "ENODEV";
	case EBUSY: return "EBUSY";
	case EALREADY: return "EALREADY";
	case EIO: return "EIO";
	case ENOMEM: return "ENOMEM";
	case ESHUTDOWN: return "ESHUTDOWN";
	case ENOTCONN: return "ENOTCONN";
	case ENOTSUP: return "ENOTSUP";
	default: return "EFAULT";
	}
}

static void
reply_error(int fd, int err, const char *fmt, ...) __rte_format_printf(3, 4);

static void
reply_error(int fd, int err, const char *fmt, ...)
{
	char line[2048] = "error", msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	hvsim_ctl_add(line, sizeof(line), "errno", errno_name(err));
	hvsim_ctl_add(line, sizeof(line), "message", msg);
	hvsim_ctl_send(fd, line);
}

/* The device a request names by class, or the default one. */
static struct served_dev *
find_dev(struct serve *sv, const char *class_str, bool fcopy_default, int fd)
{
	const struct rte_hvdev_ic_class *fcopy = rte_hvdev_ic_class_by_name("fcopy");
	rte_uuid_t want;
	unsigned int i;

	if (class_str == NULL && !fcopy_default)
		return &sv->devs[0];
	if (class_str == NULL)
		rte_uuid_parse(fcopy->guid, want);
	else if (rte_hvdev_ic_class_parse(class_str, want) < 0) {
		reply_error(fd, EINVAL, "'%s' is neither a known class nor a GUID", class_str);
		return NULL;
	}
	for (i = 0; i < sv->ndevs; i++)
		if (rte_uuid_compare(sv->devs[i].class_id, want) == 0)
			return &sv->devs[i];
	reply_error(fd, ENODEV, "no %s device is served under %s",
		    class_str != NULL ? class_str : "fcopy", sv->root);
	return NULL;
}

/* ---- copy ---- */

struct copy_ctx {
	int fd;
	bool progress;			/* the client shows a progress bar */
	bool gone;			/* the client hung up */
	uint64_t last_us;		/* last progress line */
	uint64_t checked_us;		/* last look at the client */
	struct rte_hvsim_fcopy_opts *opts;
	const struct served_dev *sd;
};

static void
copy_progress(uint64_t done, uint64_t total, void *arg)
{
	struct copy_ctx *c = arg;
	struct pollfd pfd = { .fd = c->fd, .events = POLLRDHUP };
	char line[128] = "progress";
	uint64_t now;

	if (c->gone)
		return;
	now = now_us();
	if (done != total && now - c->checked_us < SERVE_CLIENT_CHECK_US)
		return;
	c->checked_us = now;
	/*
	 * Nobody waits for the outcome any more (the client was interrupted): cancel at the
	 * next request, so the guest drops its partial file instead of completing it.
	 */
	if (poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0) {
		c->gone = true;
		c->opts->cancel_after = 1;
		APP_LOG(NOTICE, "copy on %s: the client went away, cancelling", c->sd->instance);
		return;
	}
	if (!c->progress)
		return;
	if (done != total && now - c->last_us < SERVE_PROGRESS_US)
		return;
	c->last_us = now;
	hvsim_ctl_addf(line, sizeof(line), "done", "%" PRIu64, done);
	hvsim_ctl_addf(line, sizeof(line), "total", "%" PRIu64, total);
	hvsim_ctl_send(c->fd, line);
}

static int
get_u64(const struct hvsim_ctl_msg *m, const char *key, uint64_t max, uint64_t *out)
{
	const char *v = hvsim_ctl_get(m, key);
	char *end;

	if (v == NULL)
		return 0;
	errno = 0;
	*out = strtoull(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || *out > max)
		return -EINVAL;
	return 0;
}

static int
copy_opts(const struct hvsim_ctl_msg *m, struct rte_hvsim_fcopy_opts *o)
{
	uint64_t chunk = 0, timeout_ms = 0, cancel = 0;
	const char *v;

	if (get_u64(m, "chunk", RTE_HVDEV_FCOPY_DATA_MAX, &chunk) < 0 ||
	    get_u64(m, "timeout_ms", INT32_MAX, &timeout_ms) < 0 ||
	    get_u64(m, "cancel_after", UINT64_MAX, &cancel) < 0)
		return -EINVAL;
	o->chunk = (uint32_t)chunk;
	o->timeout_ms = (int)timeout_ms;
	o->cancel_after = cancel;
	v = hvsim_ctl_get(m, "force");
	o->overwrite = v != NULL && strcmp(v, "1") == 0;
	v = hvsim_ctl_get(m, "create_path");
	o->create_path = v != NULL && strcmp(v, "1") == 0;
	o->file_name = hvsim_ctl_get(m, "file_name");
	return 0;
}

/* ---- fault ---- */

static void
dev_fields(char *line, size_t size, const struct served_dev *sd)
{
	hvsim_ctl_add(line, size, "class", sd->class_name);
	hvsim_ctl_add(line, size, "instance", sd->instance);
	hvsim_ctl_add(line, size, "uio", rte_hvsim_dev_uio_name(sd->dev));
}


/* Fields of a fault or copy request that are not fault items. */
static bool
not_a_fault_key(const char *key)
{
	static const char *const keys[] = {
		"class", "clear", "renegotiate", "spec", "src", "dest", "force", "create_path",
		"timeout_ms", "chunk", "cancel_after", "progress", "fault", "file_name",
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(keys); i++)
		if (strcmp(key, keys[i]) == 0)
			return true;
	return false;
}

/*
 * The fault set a request asks for: spec=SPEC (or, on copy, fault=SPEC), then each field that
 * is a fault item, applied on top of nothing (a request replaces the fault set).
 * @return 1 when the request names a fault, 0 when not, -EINVAL (message in @p err).
 */
static int
request_fault(const struct hvsim_ctl_msg *m, const char *spec_key, struct rte_hvsim_fault *f,
	      char *err, size_t errlen)
{
	const char *spec = hvsim_ctl_get(m, spec_key);
	char item[512];
	unsigned int i;
	int found = 0;

	memset(f, 0, sizeof(*f));
	if (spec != NULL) {
		if (rte_hvsim_fault_parse(spec, f, err, errlen) < 0)
			return -EINVAL;
		found = 1;
	}
	for (i = 0; i < m->n; i++) {
		if (not_a_fault_key(m->key[i]))
			continue;
		snprintf(item, sizeof(item), "%s=%s", m->key[i], m->val[i]);
		if (strpbrk(m->val[i], ", ") != NULL ||
		    rte_hvsim_fault_parse(item, f, err, errlen) < 0) {
			if (strpbrk(m->val[i], ", ") != NULL)
				snprintf(err, errlen, "bad value in '%.128s'", item);
			return -EINVAL;
		}
		found = 1;
	}
	return found;
}

static void
fault_fields(char *line, size_t size, const struct served_dev *sd)
{
	struct rte_hvsim_dev_stats st;
	struct rte_hvsim_fault f;
	char spec[512];

	rte_hvsim_fault_get(sd->dev, &f);
	rte_hvsim_fault_format(&f, spec, sizeof(spec));
	rte_hvsim_dev_stats_get(sd->dev, &st);
	hvsim_ctl_add(line, size, "fault", spec);
	hvsim_ctl_addf(line, size, "intr_dropped", "%" PRIu64, st.intr_dropped);
	hvsim_ctl_addf(line, size, "intr_delayed", "%" PRIu64, st.intr_delayed);
	hvsim_ctl_addf(line, size, "faults_fired", "%" PRIu64, st.faults_fired);
}

static void
serve_fault(struct serve *sv, int fd, const struct hvsim_ctl_msg *m)
{
	struct served_dev *sd = find_dev(sv, hvsim_ctl_get(m, "class"), false, fd);
	const char *clear = hvsim_ctl_get(m, "clear"), *reneg = hvsim_ctl_get(m, "renegotiate");
	struct rte_hvsim_fault f;
	char line[1024] = "ok", err[256], spec[512];
	int ret;

	if (sd == NULL)
		return;
	ret = request_fault(m, "spec", &f, err, sizeof(err));
	if (ret < 0) {
		reply_error(fd, EINVAL, "%s", err);
		return;
	}
	if (ret > 0 || (clear != NULL && strcmp(clear, "1") == 0)) {
		if (rte_hvsim_fault_set(sd->dev, &f) < 0) {
			reply_error(fd, EINVAL, "fault values out of range");
			return;
		}
		rte_hvsim_fault_format(&f, spec, sizeof(spec));
		say(sv, "hvsim: fault on %s %s: %s", sd->class_name, sd->instance, spec);
	}
	if (reneg != NULL && strcmp(reneg, "1") == 0) {
		ret = rte_hvsim_ic_renegotiate(sd->dev);
		if (ret < 0) {
			reply_error(fd, -ret, "cannot negotiate again on %s: %s", sd->instance,
				    ret == -ENOTCONN ? "no guest has the channel open" :
				    ret == -EBUSY ? "a copy is running" : strerror(-ret));
			return;
		}
	}
	dev_fields(line, sizeof(line), sd);
	fault_fields(line, sizeof(line), sd);
	hvsim_ctl_send(fd, line);
}

/* What Copy-VMFile would say about how the exchange ended. */
static const char *
copy_outcome(int ret, const struct rte_hvsim_fcopy_result *r, const struct rte_hvsim_fcopy_opts *o,
	     bool open, char *msg, size_t len)
{
	const char *op = rte_hvsim_fcopy_op_name(r->failed_op);

	if (ret == -ECANCELED) {
		snprintf(msg, len, "The host went silent after %" PRIu64 " bytes (fault "
			 "injection).", r->bytes_sent);
		return "stalled";
	}
	if (ret == -ETIMEDOUT) {
		if (r->failed_op == UINT32_MAX)
			snprintf(msg, len, "The guest did not answer the version negotiation "
				 "within %d ms.", o->timeout_ms != 0 ? o->timeout_ms : 30000);
		else
			snprintf(msg, len, "The guest did not answer the %s request within %d ms.",
				 op, o->timeout_ms != 0 ? o->timeout_ms : 30000);
		return "timeout";
	}
	if (ret == -ENOTCONN) {
		if (r->failed_op != UINT32_MAX)
			snprintf(msg, len, "The guest closed the channel during %s.", op);
		else if (open)
			snprintf(msg, len, "The guest refused the integration component versions "
				 "offered.");
		else
			snprintf(msg, len, "The guest has not opened the file copy channel (is its "
				 "file copy service running?).");
		return "failed";
	}
	if (r->cancelled && r->failed_op == RTE_HVDEV_FCOPY_CANCEL) {
		snprintf(msg, len, "The copy was cancelled after %" PRIu64 " bytes; the guest "
			 "answered the CANCEL with: %s", r->bytes_sent,
			 rte_hvsim_hresult_message(r->hresult));
		return "cancelled";
	}
	if (r->cancelled) {
		snprintf(msg, len, "The copy was cancelled after %" PRIu64 " bytes.",
			 r->bytes_sent);
		return "cancelled";
	}
	snprintf(msg, len, "%s", rte_hvsim_hresult_message(r->hresult));
	return r->hresult != 0 ? "failed" : "ok";
}

static void
serve_copy(struct serve *sv, int fd, const struct hvsim_ctl_msg *m)
{
	const char *src = hvsim_ctl_get(m, "src"), *dest = hvsim_ctl_get(m, "dest");
	struct rte_hvsim_fcopy_opts o = { 0 };
	struct rte_hvsim_fcopy_result r;
	struct copy_ctx ctx = { .fd = fd, .opts = &o };
	char line[4096] = "ok", msg[512], err[256];
	struct rte_hvsim_fault fault;
	const char *status;
	struct stat st;
	uint64_t t0, usec;
	int ret, has_fault;

	if (src == NULL || dest == NULL || copy_opts(m, &o) < 0) {
		reply_error(fd, EINVAL, "copy needs src= and dest=, and numbers in range");
		return;
	}
	has_fault = request_fault(m, "fault", &fault, err, sizeof(err));
	if (has_fault < 0) {
		reply_error(fd, EINVAL, "%s", err);
		return;
	}
	ctx.sd = find_dev(sv, hvsim_ctl_get(m, "class"), true, fd);
	if (ctx.sd == NULL)
		return;
	/* Faults given with the copy replace the device's fault set for it. */
	if (has_fault > 0 && rte_hvsim_fault_set(ctx.sd->dev, &fault) < 0) {
		reply_error(fd, EINVAL, "fault values out of range");
		return;
	}
	ctx.progress = hvsim_ctl_get(m, "progress") != NULL;
	o.progress = copy_progress;
	o.progress_arg = &ctx;
	APP_LOG(INFO, "copy %s to %s on %s", src, dest, ctx.sd->instance);
	t0 = now_us();
	ret = rte_hvsim_fcopy(ctx.sd->dev, src, dest, &o, &r);
	usec = now_us() - t0;
	if (ret != 0 && ret != -ETIMEDOUT && ret != -ENOTCONN && ret != -ECANCELED) {
		if (ret == -ENOENT || ret == -EACCES || ret == -EIO)
			reply_error(fd, -ret, "cannot read %s: %s", src, strerror(-ret));
		else if (ret == -EINVAL || ret == -ENAMETOOLONG)
			reply_error(fd, -ret, "cannot copy %s to %s: %s (the destination must be "
				    "an absolute UTF-8 path, it and the file name at most 259 "
				    "UTF-16 units)", src, dest, strerror(-ret));
		else
			reply_error(fd, -ret, "cannot copy %s: %s", src, strerror(-ret));
		return;
	}
	status = copy_outcome(ret, &r, &o, rte_hvsim_is_open(ctx.sd->dev), msg, sizeof(msg));
	APP_LOG(NOTICE, "copy %s to %s: %s: %s", src, dest, status, msg);
	hvsim_ctl_add(line, sizeof(line), "status", status);
	hvsim_ctl_addf(line, sizeof(line), "hresult", "0x%08" PRIx32, r.hresult);
	hvsim_ctl_add(line, sizeof(line), "op", rte_hvsim_fcopy_op_name(r.failed_op));
	hvsim_ctl_addf(line, sizeof(line), "bytes", "%" PRIu64, r.bytes_sent);
	hvsim_ctl_addf(line, sizeof(line), "total", "%" PRIu64,
		       stat(src, &st) == 0 ? (uint64_t)st.st_size : 0);
	hvsim_ctl_addf(line, sizeof(line), "usec", "%" PRIu64, usec);
	hvsim_ctl_add(line, sizeof(line), "message", msg);
	hvsim_ctl_send(fd, line);
}

/* ---- kvp ---- */

/* How a KVP operation ended, as one word for the client, and a sentence. */
static const char *
kvp_outcome(int ret, const struct rte_hvsim_kvp_result *r, bool end_ok, bool open,
	    int timeout_ms, char *msg, size_t len)
{
	switch (ret) {
	case 0:
		snprintf(msg, len, "%s", rte_hvsim_hresult_message(r->status));
		return r->status == RTE_HVDEV_IC_S_OK ||
		       (end_ok && r->status == RTE_HVDEV_IC_S_CONT) ? "ok" : "failed";
	case -ETIMEDOUT:
		snprintf(msg, len, r->requests == 0 ? "The guest did not answer the version "
			 "negotiation within %d ms." : "The guest did not answer within %d ms.",
			 timeout_ms != 0 ? timeout_ms : 30000);
		return "timeout";
	case -EBADMSG:
		snprintf(msg, len, "The guest's answer was refused: %s.", r->error);
		return "invalid";
	case -ENOTCONN:
		snprintf(msg, len, "%s", r->requests > 0 ? "The guest closed the channel." :
			 open ? "The guest refused the integration component versions offered." :
			 "The guest has not opened the KVP channel (is its KVP service running?).");
		return "failed";
	case -EOVERFLOW:
		snprintf(msg, len, "The guest never ended the enumeration.");
		return "failed";
	default:
		snprintf(msg, len, "%s", strerror(-ret));
		return "failed";
	}
}

static void
kvp_item_fields(char *line, size_t size, const struct rte_hvsim_kvp_item *it)
{
	hvsim_ctl_addf(line, size, "type", "%" PRIu32, it->type);
	hvsim_ctl_add(line, size, "key", it->key);
	hvsim_ctl_add(line, size, "value", it->value);
}

static int
kvp_ip_request(const struct hvsim_ctl_msg *m, struct rte_hvsim_kvp_ip *ip)
{
	static const struct {
		const char *key;
		size_t off, size;
	} f[] = {
		{ "adapter", offsetof(struct rte_hvsim_kvp_ip, adapter_id),
		  sizeof(ip->adapter_id) },
		{ "ip", offsetof(struct rte_hvsim_kvp_ip, ip_addr), sizeof(ip->ip_addr) },
		{ "subnet", offsetof(struct rte_hvsim_kvp_ip, subnet), sizeof(ip->subnet) },
		{ "gateway", offsetof(struct rte_hvsim_kvp_ip, gateway), sizeof(ip->gateway) },
		{ "dns", offsetof(struct rte_hvsim_kvp_ip, dns), sizeof(ip->dns) },
	};
	uint64_t family = 0, dhcp = 0;
	unsigned int i;
	const char *v;

	for (i = 0; i < RTE_DIM(f); i++) {
		v = hvsim_ctl_get(m, f[i].key);
		if (v != NULL && strlen(v) >= f[i].size)
			return -EINVAL;
		snprintf((char *)ip + f[i].off, f[i].size, "%s", v != NULL ? v : "");
	}
	if (get_u64(m, "family", UINT8_MAX, &family) < 0 || get_u64(m, "dhcp", 1, &dhcp) < 0)
		return -EINVAL;
	ip->addr_family = (uint8_t)family;
	ip->dhcp_enabled = (uint8_t)dhcp;
	return 0;
}

static void
kvp_ip_fields(char *line, size_t size, const struct rte_hvsim_kvp_ip *ip)
{
	hvsim_ctl_add(line, size, "adapter", ip->adapter_id);
	hvsim_ctl_addf(line, size, "family", "%u", ip->addr_family);
	hvsim_ctl_addf(line, size, "dhcp", "%u", ip->dhcp_enabled);
	hvsim_ctl_add(line, size, "ip", ip->ip_addr);
	hvsim_ctl_add(line, size, "subnet", ip->subnet);
	hvsim_ctl_add(line, size, "gateway", ip->gateway);
	hvsim_ctl_add(line, size, "dns", ip->dns);
}

/*
 * ENUMERATE index after index, each item a line to the client as it comes (a pool of any size
 * streams), until the guest answers anything but S_OK.
 */
static int
kvp_enum_stream(const struct served_dev *sd, int fd, uint8_t pool,
		const struct rte_hvsim_kvp_opts *o, struct rte_hvsim_kvp_result *r, uint32_t *n)
{
	struct rte_hvsim_kvp_item *it = malloc(sizeof(*it));
	char *line = malloc(HVSIM_CTL_LINE_MAX);
	uint32_t requests = 0;
	int ret = -ENOMEM;

	for (*n = 0; it != NULL && line != NULL; (*n)++) {
		ret = rte_hvsim_kvp_enum_index(sd->dev, pool, *n, it, o, r);
		requests += r->requests;
		if (ret < 0 || r->status != RTE_HVDEV_IC_S_OK)
			break;
		if (*n == 65535) {
			ret = -EOVERFLOW;
			break;
		}
		strcpy(line, "item");
		hvsim_ctl_addf(line, HVSIM_CTL_LINE_MAX, "index", "%" PRIu32, *n);
		kvp_item_fields(line, HVSIM_CTL_LINE_MAX, it);
		if (hvsim_ctl_send(fd, line) < 0) {
			APP_LOG(NOTICE, "kvp enum on %s: the client went away", sd->instance);
			ret = -ECONNRESET;
			break;
		}
	}
	r->requests = requests;
	free(it);
	free(line);
	return ret;
}

static void
serve_kvp(struct serve *sv, int fd, const struct hvsim_ctl_msg *m)
{
	const char *op = hvsim_ctl_get(m, "op"), *key = hvsim_ctl_get(m, "key");
	const char *pool_s = hvsim_ctl_get(m, "pool");
	struct rte_hvsim_kvp_opts o = { 0 };
	struct rte_hvsim_kvp_result r = { 0 };
	struct rte_hvsim_kvp_item *it = calloc(1, sizeof(*it));
	struct rte_hvsim_kvp_ip *ip = calloc(1, sizeof(*ip));
	char *line = malloc(HVSIM_CTL_LINE_MAX);
	const struct rte_hvdev_ic_class *cls = rte_hvdev_ic_class_by_name("kvp");
	const struct served_dev *sd;
	uint64_t timeout_ms = 0, type = RTE_HVDEV_KVP_REG_SZ;
	const char *status, *v;
	char msg[512];
	uint32_t n = 0;
	int pool = -1, ret;
	bool is_enum = false;

	if (it == NULL || ip == NULL || line == NULL) {
		reply_error(fd, ENOMEM, "out of memory");
		goto out;
	}
	if (pool_s != NULL)
		pool = rte_hvsim_kvp_pool_parse(pool_s);
	if (op == NULL || pool < 0 || get_u64(m, "timeout_ms", INT32_MAX, &timeout_ms) < 0 ||
	    get_u64(m, "type", UINT32_MAX, &type) < 0) {
		reply_error(fd, EINVAL, "kvp needs op=, pool= (a name or 0 to 255) and numbers "
			    "in range");
		goto out;
	}
	sd = find_dev(sv, hvsim_ctl_get(m, "class") != NULL ? hvsim_ctl_get(m, "class") :
		      cls->name, false, fd);
	if (sd == NULL)
		goto out;
	o.timeout_ms = (int)timeout_ms;
	v = hvsim_ctl_get(m, "mangle");
	if (v != NULL && rte_hvsim_kvp_mangle_parse(v, &o, msg, sizeof(msg)) < 0) {
		reply_error(fd, EINVAL, "kvp mangle: %s", msg);
		goto out;
	}
	if (v != NULL)
		APP_LOG(NOTICE, "kvp %s on %s with the request malformed: %s", op, sd->instance,
			v);
	it->type = (uint32_t)type;
	snprintf(it->key, sizeof(it->key), "%s", key != NULL ? key : "");
	if ((strcmp(op, "get") == 0 || strcmp(op, "set") == 0 || strcmp(op, "delete") == 0) &&
	    (key == NULL || strlen(key) >= sizeof(it->key))) {
		reply_error(fd, EINVAL, "kvp %s needs key= (at most 255 UTF-16 units)", op);
		goto out;
	}
	APP_LOG(INFO, "kvp %s pool %d on %s", op, pool, sd->instance);
	if (strcmp(op, "get") == 0) {
		ret = rte_hvsim_kvp_get(sd->dev, (uint8_t)pool, key, it, &o, &r);
	} else if (strcmp(op, "set") == 0) {
		v = hvsim_ctl_get(m, "value");
		if (v == NULL || strlen(v) >= sizeof(it->value)) {
			reply_error(fd, EINVAL, "kvp set needs value= (at most 1023 UTF-16 units)");
			goto out;
		}
		snprintf(it->value, sizeof(it->value), "%s", v);
		if ((type == RTE_HVDEV_KVP_REG_U32 || type == RTE_HVDEV_KVP_REG_QWORD) &&
		    get_u64(m, "value", type == RTE_HVDEV_KVP_REG_U32 ? UINT32_MAX : UINT64_MAX,
			    &it->number) < 0) {
			reply_error(fd, EINVAL, "kvp set: '%s' is not a %s", v,
				    rte_hvsim_kvp_type_name((uint32_t)type));
			goto out;
		}
		ret = rte_hvsim_kvp_set(sd->dev, (uint8_t)pool, it, &o, &r);
	} else if (strcmp(op, "delete") == 0) {
		ret = rte_hvsim_kvp_delete(sd->dev, (uint8_t)pool, key, &o, &r);
	} else if (strcmp(op, "enum") == 0) {
		is_enum = true;
		ret = kvp_enum_stream(sd, fd, (uint8_t)pool, &o, &r, &n);
		if (ret == -ECONNRESET)
			goto out;
	} else if (strcmp(op, "ip-get") == 0 || strcmp(op, "ip-set") == 0) {
		if (kvp_ip_request(m, ip) < 0 || ip->adapter_id[0] == '\0') {
			reply_error(fd, EINVAL, "kvp %s needs adapter= and fields that fit", op);
			goto out;
		}
		ret = op[3] == 'g' ? rte_hvsim_kvp_ip_get(sd->dev, ip->adapter_id, ip, &o, &r) :
		      rte_hvsim_kvp_ip_set(sd->dev, ip, &o, &r);
	} else {
		reply_error(fd, EINVAL, "unknown kvp operation '%s'", op);
		goto out;
	}
	if (ret == -EINVAL || ret == -ENOTSUP || ret == -EBUSY || ret == -ENOMEM) {
		reply_error(fd, -ret, "kvp %s on %s: %s", op, sd->instance,
			    ret == -EINVAL ? "a key or value that is not UTF-8 or too long" :
			    ret == -ENOTSUP ? "not possible on the KVP version agreed" :
			    strerror(-ret));
		goto out;
	}
	status = kvp_outcome(ret, &r, is_enum, rte_hvsim_is_open(sd->dev), o.timeout_ms, msg,
			     sizeof(msg));
	APP_LOG(NOTICE, "kvp %s pool %d%s%s: %s: %s", op, pool, key != NULL ? " key " : "",
		key != NULL ? key : "", status, msg);
	strcpy(line, "ok");
	hvsim_ctl_add(line, HVSIM_CTL_LINE_MAX, "status", status);
	hvsim_ctl_addf(line, HVSIM_CTL_LINE_MAX, "hresult", "0x%08" PRIx32, r.status);
	hvsim_ctl_addf(line, HVSIM_CTL_LINE_MAX, "answered", "%d", r.answered ? 1 : 0);
	hvsim_ctl_addf(line, HVSIM_CTL_LINE_MAX, "requests", "%" PRIu32, r.requests);
	hvsim_ctl_addf(line, HVSIM_CTL_LINE_MAX, "pool", "%d", pool);
	hvsim_ctl_add(line, HVSIM_CTL_LINE_MAX, "message", msg);
	if (r.error[0] != '\0')
		hvsim_ctl_add(line, HVSIM_CTL_LINE_MAX, "error", r.error);
	if (is_enum)
		hvsim_ctl_addf(line, HVSIM_CTL_LINE_MAX, "count", "%" PRIu32, n);
	if (ret == 0 && r.status == RTE_HVDEV_IC_S_OK && strcmp(op, "get") == 0)
		kvp_item_fields(line, HVSIM_CTL_LINE_MAX, it);
	if (ret == 0 && r.status == RTE_HVDEV_IC_S_OK && strcmp(op, "ip-get") == 0)
		kvp_ip_fields(line, HVSIM_CTL_LINE_MAX, ip);
	hvsim_ctl_send(fd, line);
out:
	free(it);
	free(ip);
	free(line);
}

/* ---- rescind, offer, list ---- */

static void
serve_rescind(struct serve *sv, int fd, const struct hvsim_ctl_msg *m)
{
	struct served_dev *sd = find_dev(sv, hvsim_ctl_get(m, "class"), false, fd);
	char line[512] = "ok";
	int ret;

	if (sd == NULL)
		return;
	ret = rte_hvsim_rescind(sd->dev);
	if (ret == -ENODEV) {
		reply_error(fd, EALREADY, "%s %s is already rescinded", sd->class_name,
			    sd->instance);
		return;
	}
	if (ret < 0) {
		reply_error(fd, -ret, "cannot rescind %s: %s", sd->instance, strerror(-ret));
		return;
	}
	say(sv, "hvsim: rescinded %s %s", sd->class_name, sd->instance);
	dev_fields(line, sizeof(line), sd);
	hvsim_ctl_send(fd, line);
}

static void
serve_offer(struct serve *sv, int fd, const struct hvsim_ctl_msg *m)
{
	struct served_dev *sd = find_dev(sv, hvsim_ctl_get(m, "class"), false, fd);
	char line[512] = "ok";
	int ret;

	if (sd == NULL)
		return;
	ret = rte_hvsim_reoffer(sd->dev);
	if (ret == -EBUSY) {
		reply_error(fd, EALREADY, "%s %s is already offered, as %s", sd->class_name,
			    sd->instance, rte_hvsim_dev_uio_name(sd->dev));
		return;
	}
	if (ret < 0) {
		reply_error(fd, -ret, "cannot offer %s again: %s", sd->instance, strerror(-ret));
		return;
	}
	say(sv, "hvsim: serving %s %s as %s under %s", sd->class_name, sd->instance,
	    rte_hvsim_dev_uio_name(sd->dev), sv->root);
	dev_fields(line, sizeof(line), sd);
	hvsim_ctl_send(fd, line);
}

static void
serve_list(struct serve *sv, int fd)
{
	struct rte_hvsim_dev_stats st;
	char line[1024];
	unsigned int i;

	for (i = 0; i < sv->ndevs; i++) {
		const struct served_dev *sd = &sv->devs[i];

		rte_hvsim_dev_stats_get(sd->dev, &st);
		strcpy(line, "device");
		dev_fields(line, sizeof(line), sd);
		hvsim_ctl_add(line, sizeof(line), "state",
			      rte_hvsim_dev_uio_name(sd->dev)[0] == '\0' ? "rescinded" :
			      rte_hvsim_is_open(sd->dev) ? "open" : "offered");
		hvsim_ctl_addf(line, sizeof(line), "opens", "%" PRIu64, st.opens);
		hvsim_ctl_addf(line, sizeof(line), "rx_packets", "%" PRIu64, st.rx_packets);
		hvsim_ctl_addf(line, sizeof(line), "tx_packets", "%" PRIu64, st.tx_packets);
		hvsim_ctl_addf(line, sizeof(line), "guest_errors", "%" PRIu64, st.guest_errors);
		hvsim_ctl_addf(line, sizeof(line), "late_answers", "%" PRIu64, st.late_answers);
		fault_fields(line, sizeof(line), sd);
		hvsim_ctl_send(fd, line);
	}
	hvsim_ctl_send(fd, "ok");
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct hvsim_ctl_reader *rd = malloc(sizeof(*rd));
	char *line = malloc(HVSIM_CTL_LINE_MAX);
	struct hvsim_ctl_msg m;

	if (rd == NULL || line == NULL)
		goto out;
	hvsim_ctl_reader_init(rd, w->fd);
	if (hvsim_ctl_read_line(rd, line, HVSIM_CTL_LINE_MAX, SERVE_REQUEST_MS) < 0)
		goto out;
	if (hvsim_ctl_parse(line, &m) < 0)
		reply_error(w->fd, EINVAL, "malformed request");
	else if (strcmp(m.word, "copy") == 0)
		serve_copy(w->sv, w->fd, &m);
	else if (strcmp(m.word, "rescind") == 0)
		serve_rescind(w->sv, w->fd, &m);
	else if (strcmp(m.word, "offer") == 0)
		serve_offer(w->sv, w->fd, &m);
	else if (strcmp(m.word, "list") == 0)
		serve_list(w->sv, w->fd);
	else if (strcmp(m.word, "fault") == 0)
		serve_fault(w->sv, w->fd, &m);
	else if (strcmp(m.word, "kvp") == 0)
		serve_kvp(w->sv, w->fd, &m);
	else
		reply_error(w->fd, EINVAL, "unknown request '%s'", m.word);
out:
	free(line);
	free(rd);
	close(w->fd);
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void
reap_workers(struct serve *sv, bool all)
{
	unsigned int i;

	for (i = 0; i < SERVE_WORKERS_MAX; i++) {
		struct worker *w = &sv->workers[i];

		if (!w->used || (!all && !__atomic_load_n(&w->done, __ATOMIC_ACQUIRE)))
			continue;
		pthread_join(w->tid, NULL);
		w->used = false;
	}
}

static void
accept_request(struct serve *sv, int lfd)
{
	struct worker *w = NULL;
	unsigned int i;
	int fd;

	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	reap_workers(sv, false);
	for (i = 0; i < SERVE_WORKERS_MAX && w == NULL; i++)
		if (!sv->workers[i].used)
			w = &sv->workers[i];
	if (w == NULL) {
		reply_error(fd, EBUSY, "too many requests at once (%d)", SERVE_WORKERS_MAX);
		close(fd);
		return;
	}
	w->sv = sv;
	w->fd = fd;
	w->done = 0;
	if (pthread_create(&w->tid, NULL, worker_main, w) != 0) {
		reply_error(fd, ENOMEM, "cannot start a thread for the request");
		close(fd);
		return;
	}
	w->used = true;
}

/* ---- set-up and tear-down ---- */

/* What the simulator makes under its root. */
static const char *const sim_trees[] = { "sys", "dev", "proc" };

static int
remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	RTE_SET_USED(st);
	RTE_SET_USED(ftw);
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/*
 * Refuse to run twice under one root; clear what a serve that was killed left behind (its
 * socket proves the tree is ours), or discovery would find devices nobody serves.
 */
static int
claim_root(struct serve *sv)
{
	char err[512], path[PATH_MAX];
	unsigned int i;
	int fd;

	if (access(sv->sock_path, F_OK) < 0)
		return 0;
	fd = hvsim_ctl_connect(sv->root, err, sizeof(err));
	if (fd >= 0) {
		close(fd);
		APP_LOG(ERR, "another %s serve is running under %s", HVSIM_PROG, sv->root);
		return -EADDRINUSE;
	}
	APP_LOG(NOTICE, "removing what a previous serve left under %s", sv->root);
	for (i = 0; i < RTE_DIM(sim_trees); i++) {
		snprintf(path, sizeof(path), "%s/%s", sv->root, sim_trees[i]);
		nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	}
	unlink(sv->sock_path);
	return 0;
}

/* --kernel: the guest kernel this host simulates, instead of $HVSIM_KERNEL. */
static int
set_kernel(struct serve *sv, const char *spec)
{
	struct rte_hvsim_kernel k = { 0 };
	char err[256];
	int ret;

	if (rte_hvsim_kernel_parse(spec, &k, err, sizeof(err)) < 0) {
		APP_LOG(ERR, "--kernel %s: %s", spec, err);
		return -EINVAL;
	}
	ret = rte_hvsim_set_kernel(sv->sim, &k);
	if (ret < 0)
		APP_LOG(ERR, "--kernel %s: %s", spec, strerror(-ret));
	return ret;
}

static int
offer_devices(struct serve *sv, const struct hvsim_serve_opts *o)
{
	/* What a Hyper-V VM with Guest Services on has among the user-space IC devices. */
	static const char *const defaults[] = { "fcopy", "kvp" };
	const char *const *classes = o->nclasses > 0 ? o->classes : defaults;
	unsigned int i, n = o->nclasses > 0 ? o->nclasses : RTE_DIM(defaults);
	const struct rte_hvdev_ic_class *cls;
	struct rte_hvsim_dev_conf conf;
	struct served_dev *sd;

	for (i = 0; i < n; i++) {
		sd = &sv->devs[sv->ndevs];
		memset(&conf, 0, sizeof(conf));
		conf.ring_size = o->ring_size;
		if (rte_hvdev_ic_class_parse(classes[i], conf.class_id) < 0) {
			APP_LOG(ERR, "--class %s: neither a known class (fcopy, kvp, vss, "
				"heartbeat, shutdown, timesync) nor a GUID", classes[i]);
			return -EINVAL;
		}
		cls = rte_hvdev_ic_class_by_guid(conf.class_id);
		/* The host only knows which versions to offer for the known IC classes. */
		conf.ic_negotiate = !o->no_negotiate && cls != NULL;
		conf.strict_xactid = o->strict_xactid;
		if (o->instances[i] != NULL && rte_uuid_parse(o->instances[i],
							      conf.instance_id) < 0) {
			APP_LOG(ERR, "--instance %s: not a GUID", o->instances[i]);
			return -EINVAL;
		}
		sd->dev = rte_hvsim_offer(sv->sim, &conf);
		if (sd->dev == NULL) {
			APP_LOG(ERR, "cannot offer a %s device: %s", classes[i],
				strerror(rte_errno));
			return -rte_errno;
		}
		rte_uuid_copy(sd->class_id, conf.class_id);
		if (cls != NULL)
			snprintf(sd->class_name, sizeof(sd->class_name), "%s", cls->name);
		else
			rte_uuid_unparse(conf.class_id, sd->class_name, sizeof(sd->class_name));
		rte_hvsim_dev_instance(sd->dev, conf.instance_id);
		rte_uuid_unparse(conf.instance_id, sd->instance, sizeof(sd->instance));
		sv->ndevs++;
		say(sv, "hvsim: serving %s %s as %s under %s", sd->class_name, sd->instance,
		    rte_hvsim_dev_uio_name(sd->dev)[0] != '\0' ? rte_hvsim_dev_uio_name(sd->dev) :
		    "(not bound)", sv->root);
	}
	return 0;
}

static int
listen_ctl(struct serve *sv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	strcpy(sa.sun_path, sv->sock_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, SERVE_WORKERS_MAX) < 0) {
		APP_LOG(ERR, "cannot listen on %s: %s", sv->sock_path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	/* Whoever controls the host can rescind devices and read files as this user. */
	chmod(sv->sock_path, 0600);
	return fd;
}

/* Wait for requests until a signal. @return the signal number. */
static int
serve_loop(struct serve *sv, int lfd, int sfd)
{
	struct pollfd pfd[2] = {
		{ .fd = lfd, .events = POLLIN },
		{ .fd = sfd, .events = POLLIN },
	};
	struct signalfd_siginfo si;

	for (;;) {
		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			return 0;
		if (pfd[1].revents & POLLIN) {
			if (read(sfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
				continue;
			return (int)si.ssi_signo;
		}
		if (pfd[0].revents & POLLIN)
			accept_request(sv, lfd);
	}
}

/* Stop taking requests, end the copies in flight (a rescind does), then remove everything. */
static void
serve_shutdown(struct serve *sv, int lfd)
{
	unsigned int i;

	if (lfd >= 0) {
		close(lfd);
		unlink(sv->sock_path);
	}
	for (i = 0; i < sv->ndevs; i++)
		rte_hvsim_rescind(sv->devs[i].dev);
	reap_workers(sv, true);
	rte_hvsim_destroy(sv->sim);
	sv->sim = NULL;
	/*
	 * The simulator removes its devices, not the trees that held them nor the driver's
	 * new_id and bind: the trees are the simulated host's (claim_root() clears them too).
	 */
	for (i = 0; i < RTE_DIM(sim_trees); i++) {
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/%s", sv->root, sim_trees[i]);
		nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	}
}

static int
mkdir_p(const char *path)
{
	char tmp[PATH_MAX];
	size_t i, n = strlen(path);

	if (n >= sizeof(tmp))
		return -ENAMETOOLONG;
	memcpy(tmp, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (tmp[i] != '/' && tmp[i] != '\0')
			continue;
		tmp[i] = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return -errno;
		tmp[i] = path[i];
	}
	return 0;
}

int
hvsim_serve(const struct hvsim_serve_opts *o)
{
	static struct serve sv;
	int lfd = -1, sfd = -1, sig, ret;
	sigset_t set;

	sv.root = o->root;
	pthread_mutex_init(&sv.out_lock, NULL);
	if (hvsim_ctl_sock_path(o->root, sv.sock_path, sizeof(sv.sock_path)) < 0) {
		APP_LOG(ERR, "--root %s is too long for the control socket's address", o->root);
		return HVSIM_EXIT_USAGE;
	}
	ret = mkdir_p(o->root);
	if (ret < 0) {
		APP_LOG(ERR, "cannot create %s: %s", o->root, strerror(-ret));
		return HVSIM_EXIT_FAIL;
	}
	if (claim_root(&sv) < 0)
		return HVSIM_EXIT_FAIL;
	/* Signals go to the signalfd alone: blocked before any thread starts. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	sv.sim = rte_hvsim_create(o->root);
	if (sfd < 0 || sv.sim == NULL) {
		APP_LOG(ERR, "cannot create the simulated host under %s: %s", o->root,
			strerror(sfd < 0 ? errno : rte_errno));
		ret = HVSIM_EXIT_FAIL;
		goto out;
	}
	ret = HVSIM_EXIT_FAIL;
	if (o->kernel != NULL && set_kernel(&sv, o->kernel) < 0)
		goto out;
	if (offer_devices(&sv, o) < 0)
		goto out;
	lfd = listen_ctl(&sv);
	if (lfd < 0 || rte_hvsim_start(sv.sim) < 0)
		goto out;
	say(&sv, "ready");
	sig = serve_loop(&sv, lfd, sfd);
	APP_LOG(NOTICE, "%s: stopping", sig > 0 ? strsignal(sig) : "poll failed");
	ret = sig > 0 ? HVSIM_EXIT_OK : HVSIM_EXIT_FAIL;
out:
	if (sv.sim != NULL)
		serve_shutdown(&sv, lfd);
	else if (lfd >= 0)
		close(lfd);
	if (sfd >= 0)
		close(sfd);
	return ret;
}
