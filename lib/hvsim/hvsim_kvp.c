/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * The host's KVP (Data Exchange) role. Hyper-V sends one KVP request at a time on the KVP IC
 * channel and waits for the guest's answer, which is the request modified in place: SET and
 * DELETE to manage its own items (pool 0), ENUMERATE index after index to read the guest's
 * pools until the guest answers HV_S_CONT, GET_IP_INFO and SET_IP_INFO for an adapter's
 * addresses. This file plays that side, builds the requests as Microsoft's host does (the
 * sizes and layouts of OpenVMM's KVP IC, the string IP form of the kernel's uapi) and checks
 * the answers as that host does, so that a guest that passes here answers Hyper-V properly.
 *
 * The caller's thread sends and waits; the answer arrives on the host thread, which copies it
 * here (hvsim_kvp_take_locked()) before on_packet would see it.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <rte_common.h>

#include "rte_hvdev_kvp.h"
#include "hvsim_priv.h"

#define HVSIM_PKT_INBAND 6
/* Per request; Hyper-V's own KVP timeout is not published (the guide says: assumed). */
#define KVP_DEFAULT_TIMEOUT_MS 30000
/* A guest that never ends an enumeration is cut off here. */
#define KVP_ENUM_LIMIT 65536

/*
 * The wire layout is rte_hvdev_kvp.h's; the host builds and reads bodies as bytes at these
 * offsets (little-endian, whatever the build machine).
 */
#define KVP_MSG_SIZE		((uint32_t)RTE_HVDEV_KVP_MSG_SIZE)	/* 2580 */
#define KVP_IP_MSG_SIZE		((uint32_t)RTE_HVDEV_KVP_IP_MSG_SIZE)	/* 7428 */
#define KVP_KEY_BYTES		RTE_HVDEV_KVP_MAX_KEY_SIZE
#define KVP_VALUE_BYTES		RTE_HVDEV_KVP_MAX_VALUE_SIZE
#define VAL_TYPE		offsetof(struct rte_hvdev_kvp_value, value_type)
#define VAL_KEY_SIZE		offsetof(struct rte_hvdev_kvp_value, key_size)
#define VAL_VALUE_SIZE		offsetof(struct rte_hvdev_kvp_value, value_size)
#define VAL_KEY			offsetof(struct rte_hvdev_kvp_value, key)
#define VAL_VALUE		offsetof(struct rte_hvdev_kvp_value, value)
#define VAL_SIZE		((uint32_t)sizeof(struct rte_hvdev_kvp_value))
/* Where that structure starts in GET/SET and in ENUMERATE (after the index). */
#define GETSET_VAL		offsetof(struct rte_hvdev_kvp_msg, body.get)
#define ENUM_INDEX		offsetof(struct rte_hvdev_kvp_msg, body.enumerate.index)
#define ENUM_VAL		offsetof(struct rte_hvdev_kvp_msg, body.enumerate.data)
#define DEL_KEY_SIZE		offsetof(struct rte_hvdev_kvp_msg, body.del.key_size)
#define DEL_KEY			offsetof(struct rte_hvdev_kvp_msg, body.del.key)
/* The IP information, UTF-16 fields (sizes in units). */
#define IP_FIELD(f)		(offsetof(struct rte_hvdev_kvp_ip_msg, ip) + \
				 offsetof(struct rte_hvdev_kvp_ip_value, f))
#define IP_ADAPTER		IP_FIELD(adapter_id)
#define IP_ADAPTER_UNITS	RTE_HVDEV_KVP_MAX_ADAPTER_ID
#define IP_FAMILY		IP_FIELD(addr_family)
#define IP_DHCP			IP_FIELD(dhcp_enabled)
#define IP_ADDR			IP_FIELD(ip_addr)
#define IP_ADDR_UNITS		RTE_HVDEV_KVP_MAX_IP_ADDR
#define IP_SUBNET		IP_FIELD(sub_net)
#define IP_GATEWAY		IP_FIELD(gate_way)
#define IP_GATEWAY_UNITS	RTE_HVDEV_KVP_MAX_GATEWAY
#define IP_DNS			IP_FIELD(dns_addr)

static_assert(ENUM_VAL + sizeof(struct rte_hvdev_kvp_value) == RTE_HVDEV_KVP_MSG_SIZE,
	      "the ENUMERATE form fills the message: hosts send that size for all four");

/* What one KVP call needs between its requests. */
struct kvp_session {
	struct rte_hvsim_dev *dev;
	uint64_t opens;			/* channel generation the session started on */
	struct rte_hvdev_ic_hdr ic;	/* header template: the negotiated versions */
	const struct rte_hvsim_kvp_opts *o;
	int timeout_ms;
	uint8_t *msg;			/* request: IC header and body */
	uint8_t *ans;			/* the answer's payload, copied */
	uint32_t ans_len;		/* its payload bytes */
	uint32_t ans_kept;		/* of them in ans */
	uint32_t req_len;		/* payload bytes of the request, before padding */
	bool lax;			/* icmsgsize of the request was a lie on purpose */
};

/* ---- little-endian fields ---- */

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
get32(const uint8_t *p)
{
	return get16(p) | (uint32_t)get16(p + 2) << 16;
}

/* ---- names ---- */

static const char *const pool_names[] = {
	"external", "guest", "auto", "auto-external", "auto-internal",
};

const char *
rte_hvsim_kvp_pool_name(uint32_t pool)
{
	return pool < RTE_DIM(pool_names) ? pool_names[pool] : NULL;
}

/* Decimal @p s within [0, max]. @return 0 or -EINVAL. */
static int
parse_u(const char *s, uint64_t max, uint64_t *out)
{
	char *end;

	if (s == NULL || s[0] < '0' || s[0] > '9')
		return -EINVAL;
	errno = 0;
	*out = strtoull(s, &end, 0);
	return errno != 0 || *end != '\0' || *out > max ? -EINVAL : 0;
}

int
rte_hvsim_kvp_pool_parse(const char *s)
{
	uint64_t v;
	unsigned int i;

	for (i = 0; s != NULL && i < RTE_DIM(pool_names); i++)
		if (strcasecmp(s, pool_names[i]) == 0)
			return (int)i;
	return parse_u(s, UINT8_MAX, &v) < 0 ? -EINVAL : (int)v;
}

static const struct {
	uint32_t type;
	const char *name;
} type_names[] = {
	{ RTE_HVDEV_KVP_REG_SZ, "string" },
	{ RTE_HVDEV_KVP_REG_EXPAND_SZ, "expand-string" },
	{ RTE_HVDEV_KVP_REG_U32, "dword" },
	{ RTE_HVDEV_KVP_REG_QWORD, "qword" },
};

const char *
rte_hvsim_kvp_type_name(uint32_t type)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(type_names); i++)
		if (type_names[i].type == type)
			return type_names[i].name;
	return NULL;
}

int64_t
rte_hvsim_kvp_type_parse(const char *s)
{
	unsigned int i;
	uint64_t v;

	for (i = 0; s != NULL && i < RTE_DIM(type_names); i++)
		if (strcasecmp(s, type_names[i].name) == 0)
			return type_names[i].type;
	return parse_u(s, UINT32_MAX, &v) < 0 ? -EINVAL : (int64_t)v;
}

static const struct {
	const char *name;
	uint32_t bit;
	uint64_t max;		/* for KEY=N items; 0: a flag */
} mangle_items[] = {
	{ "key_size", RTE_HVSIM_KVP_MANGLE_KEY_SIZE, UINT32_MAX },
	{ "value_size", RTE_HVSIM_KVP_MANGLE_VALUE_SIZE, UINT32_MAX },
	{ "body_len", RTE_HVSIM_KVP_MANGLE_BODY_LEN, UINT16_MAX },
	{ "icmsgsize", RTE_HVSIM_KVP_MANGLE_ICMSGSIZE, UINT16_MAX },
	{ "op", RTE_HVSIM_KVP_MANGLE_OP, UINT8_MAX },
	{ "key_utf16", RTE_HVSIM_KVP_MANGLE_KEY_UTF16, 0 },
	{ "value_utf16", RTE_HVSIM_KVP_MANGLE_VALUE_UTF16, 0 },
	{ "key_no_nul", RTE_HVSIM_KVP_MANGLE_KEY_NO_NUL, 0 },
	{ "value_no_nul", RTE_HVSIM_KVP_MANGLE_VALUE_NO_NUL, 0 },
};

/* One item of a mangle specification. @return 0 or -EINVAL (reason in @p err). */
static int
mangle_item(const char *item, struct rte_hvsim_kvp_opts *o, char *err, size_t errlen)
{
	const char *eq = strchr(item, '=');
	size_t klen = eq != NULL ? (size_t)(eq - item) : strlen(item);
	unsigned int i;
	uint64_t v = 0;

	if (strcmp(item, "none") == 0) {
		o->mangle = 0;
		return 0;
	}
	for (i = 0; i < RTE_DIM(mangle_items); i++) {
		if (strlen(mangle_items[i].name) != klen ||
		    strncmp(item, mangle_items[i].name, klen) != 0)
			continue;
		if ((mangle_items[i].max != 0) != (eq != NULL) ||
		    (eq != NULL && parse_u(eq + 1, mangle_items[i].max, &v) < 0)) {
			snprintf(err, errlen, mangle_items[i].max != 0 ?
				 "'%s' needs =N, N from 0 to %" PRIu64 : "'%s' takes no value",
				 item, mangle_items[i].max);
			return -EINVAL;
		}
		o->mangle |= mangle_items[i].bit;
		switch (mangle_items[i].bit) {
		case RTE_HVSIM_KVP_MANGLE_KEY_SIZE:
			o->key_size = (uint32_t)v;
			break;
		case RTE_HVSIM_KVP_MANGLE_VALUE_SIZE:
			o->value_size = (uint32_t)v;
			break;
		case RTE_HVSIM_KVP_MANGLE_BODY_LEN:
			o->body_len = (uint32_t)v;
			break;
		case RTE_HVSIM_KVP_MANGLE_ICMSGSIZE:
			o->icmsgsize = (uint16_t)v;
			break;
		case RTE_HVSIM_KVP_MANGLE_OP:
			o->op = (uint8_t)v;
			break;
		default:
			break;
		}
		return 0;
	}
	snprintf(err, errlen, "unknown KVP mangle item '%.*s'", (int)RTE_MIN(klen, (size_t)64),
		 item);
	return -EINVAL;
}

int
rte_hvsim_kvp_mangle_parse(const char *spec, struct rte_hvsim_kvp_opts *o, char *err,
			   size_t errlen)
{
	char *copy, *save = NULL, *tok;
	int ret = 0;

	if (spec == NULL || o == NULL || err == NULL)
		return -EINVAL;
	copy = strdup(spec);
	if (copy == NULL)
		return -ENOMEM;
	for (tok = strtok_r(copy, ", ", &save); tok != NULL && ret == 0;
	     tok = strtok_r(NULL, ", ", &save))
		ret = mangle_item(tok, o, err, errlen);
	free(copy);
	return ret;
}

/* ---- UTF-8 <-> UTF-16LE ---- */

/*
 * @p str (UTF-8) into a UTF-16LE field of @p max_units units at @p out, NUL-terminated.
 * @return the units written, NUL included; -EINVAL (not UTF-8) or -ENAMETOOLONG (no room).
 */
static int
to_utf16(const char *str, uint8_t *out, uint32_t max_units)
{
	int n = rte_hvdev_utf8_to_utf16(str, strlen(str), out, max_units);

	if (n == -ENAMETOOLONG)
		return n;
	return n < 0 ? -EINVAL : n + 1;
}

/*
 * @p units UTF-16LE units at @p in, the last of which must be a NUL (Microsoft's host checks
 * that the size ends with one), into UTF-8 at @p out. A NUL inside is valid UTF-16 and that
 * host takes it; a C string ends there. @return NULL, or why the string is invalid.
 */
static const char *
from_utf16(const uint8_t *in, uint32_t units, char *out, size_t size)
{
	int n;

	if (units == 0 || get16(in + 2 * (units - 1)) != 0)
		return "not NUL-terminated within its size";
	n = rte_hvdev_utf16_to_utf8(in, units, out, size);
	if (n == -ENAMETOOLONG)
		return "too long to decode";
	return n < 0 ? "invalid UTF-16 (a lone or reversed surrogate)" : NULL;
}

/*
 * A string field of @p bytes bytes: decode the NUL-terminated string it holds (the first NUL
 * ends it), for the IP form whose fields carry no size. @return NULL or why it is invalid.
 */
static const char *
field_utf16(const uint8_t *in, uint32_t max_units, char *out, size_t size)
{
	uint32_t n;

	for (n = 0; n < max_units; n++)
		if (get16(in + 2 * n) == 0)
			return from_utf16(in, n + 1, out, size);
	return "not NUL-terminated within its field";
}

/* ---- the session ---- */

static void
remember_stale_locked(struct hvsim_kvp *kv, uint64_t xactid)
{
	kv->stale[kv->nstale % HVSIM_FCOPY_STALE_MAX] = xactid;
	kv->nstale++;
}

static bool
is_stale_locked(struct rte_hvsim_dev *dev, const struct rte_hvsim_pkt *pkt)
{
	const struct hvsim_kvp *kv = &dev->kvp;
	unsigned int i, n = RTE_MIN(kv->nstale, (unsigned int)HVSIM_FCOPY_STALE_MAX);

	for (i = 0; i < n; i++)
		if (hvsim_ic_answer_matches_locked(dev, pkt, kv->stale[i]))
			return true;
	return false;
}

bool
hvsim_kvp_take_locked(struct rte_hvsim_dev *dev, const struct rte_hvsim_pkt *pkt)
{
	struct hvsim_kvp *kv = &dev->kvp;

	/* Hyper-V does not need the VMBus id echoed: see hvsim_ic_answer_matches_locked(). */
	if (kv->pending && kv->answer != NULL &&
	    hvsim_ic_answer_matches_locked(dev, pkt, kv->xactid)) {
		kv->answer_len = pkt->len;
		kv->answer_type = pkt->type;
		memcpy(kv->answer, pkt->data, RTE_MIN(pkt->len, (uint32_t)HVSIM_KVP_ANSWER_MAX));
		kv->pending = false;
		kv->answered = true;
		pthread_cond_broadcast(&dev->sim->cond);
		return true;
	}
	if (is_stale_locked(dev, pkt)) {
		dev->stats.late_answers++;
		HVSIM_LOG(NOTICE, "%s: kvp: late answer to transaction %#" PRIx64 " ignored",
			  dev->inst_str, pkt->xactid);
		return true;
	}
	return false;
}

static const struct rte_hvsim_kvp_opts no_opts;

/*
 * Own the role for one call: the channel is open, the versions are agreed (waiting up to the
 * timeout for the guest's answer to the NEGOTIATE) and no other call runs.
 */
static int
session_begin(struct kvp_session *s, struct rte_hvsim_dev *dev,
	      const struct rte_hvsim_kvp_opts *opts)
{
	struct rte_hvsim *sim = dev->sim;
	const char *why = NULL;
	struct timespec ts;
	uint8_t *ans, *msg;
	int ret = 0, wret = 0;

	memset(s, 0, sizeof(*s));
	s->o = opts != NULL ? opts : &no_opts;
	if (s->o->timeout_ms < 0)
		return -EINVAL;
	if (!dev->ic.enabled)
		return -ENOTSUP;
	s->timeout_ms = s->o->timeout_ms != 0 ? s->o->timeout_ms : KVP_DEFAULT_TIMEOUT_MS;
	ans = malloc(HVSIM_KVP_ANSWER_MAX);
	/* Room for any body a caller may ask for (raw, BODY_LEN), up to icmsgsize's range. */
	msg = calloc(1, RTE_HVDEV_IC_HDR_SIZE + UINT16_MAX + 8);
	if (ans == NULL || msg == NULL) {
		free(ans);
		free(msg);
		return -ENOMEM;
	}
	hvsim_deadline(&ts, s->timeout_ms);
	pthread_mutex_lock(&sim->lock);
	if (sim->in_loop && pthread_equal(sim->loop_thread, pthread_self())) {
		ret = -EDEADLK;
		goto out;
	}
	if (dev->kvp.busy) {
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
		why = "refused the IC versions";
	if (why != NULL)
		ret = -ENOTCONN;
	if (ret < 0)
		goto out;
	dev->kvp.busy = true;
	dev->kvp.answer = ans;
	ans = NULL;
	s->dev = dev;
	s->opens = dev->stats.opens;
	s->ic.icverframe = dev->ic.res.fw;
	s->ic.icvermsg = dev->ic.res.srv;
	s->ic.icmsgtype = RTE_HVDEV_IC_MSG_KVPEXCHANGE;
	s->ic.icflags = RTE_HVDEV_IC_FLAG_TRANSACTION | RTE_HVDEV_IC_FLAG_REQUEST;
	s->msg = msg;
	msg = NULL;
out:
	pthread_mutex_unlock(&sim->lock);
	free(ans);
	free(msg);
	if (why != NULL)
		HVSIM_LOG(INFO, "%s: kvp: the guest %s", dev->inst_str, why);
	return ret;
}

static void
session_end(struct kvp_session *s)
{
	struct hvsim_kvp *kv = &s->dev->kvp;

	pthread_mutex_lock(&s->dev->sim->lock);
	kv->busy = false;
	kv->pending = false;
	s->ans = kv->answer;
	kv->answer = NULL;
	pthread_mutex_unlock(&s->dev->sim->lock);
	free(s->ans);
	free(s->msg);
	s->ans = NULL;
	s->msg = NULL;
}

/* The body of the request being built (after the IC header). */
static uint8_t *
body(struct kvp_session *s)
{
	return s->msg + RTE_HVDEV_IC_HDR_SIZE;
}

/* Fresh per request and unlike anything a guest would make up, as for NEGOTIATE. */
static uint64_t
next_xactid_locked(struct rte_hvsim_dev *dev)
{
	return ((uint64_t)dev->conf.relid << 32) | ++dev->sim->next_xactid;
}

/*
 * Send the request (@p len bytes of body in s->msg, after the mangling asked for) and wait for
 * its answer, copied to s->ans. @return 0, -ETIMEDOUT, -ENOTCONN, -EMSGSIZE, -EINVAL.
 */
static int
request(struct kvp_session *s, uint32_t len, struct rte_hvsim_kvp_result *res)
{
	struct rte_hvsim_dev *dev = s->dev;
	struct hvsim_kvp *kv = &dev->kvp;
	const struct rte_hvsim_kvp_opts *o = s->o;
	struct rte_hvdev_ic_hdr ic = s->ic;
	struct timespec deadline;
	uint64_t xactid;
	int ret, wret = 0;

	if ((o->mangle & RTE_HVSIM_KVP_MANGLE_BODY_LEN) != 0) {
		if (o->body_len > UINT16_MAX)
			return -EINVAL;
		if (o->body_len > len)
			memset(body(s) + len, 0, o->body_len - len);
		len = o->body_len;
	}
	if ((o->mangle & RTE_HVSIM_KVP_MANGLE_OP) != 0 && len > 0)
		body(s)[0] = o->op;
	ic.icmsgsize = (uint16_t)len;
	if ((o->mangle & RTE_HVSIM_KVP_MANGLE_ICMSGSIZE) != 0)
		ic.icmsgsize = o->icmsgsize;
	s->lax = ic.icmsgsize != len;
	len += RTE_HVDEV_IC_HDR_SIZE;
	ic.pipe_msgsize = len - RTE_HVDEV_IC_PIPE_HDR_SIZE;

	hvsim_deadline(&deadline, s->timeout_ms);
	pthread_mutex_lock(&dev->sim->lock);
	if (dev->conn_fd < 0 || dev->stats.opens != s->opens) {
		pthread_mutex_unlock(&dev->sim->lock);
		return -ENOTCONN;
	}
	xactid = next_xactid_locked(dev);
	ic.ictransaction_id = (uint8_t)xactid;
	memcpy(s->msg, &ic, sizeof(ic));
	kv->xactid = xactid;
	kv->answered = false;
	/* Armed before sending: the answer may be taken before the send call returns. */
	kv->pending = true;
	pthread_mutex_unlock(&dev->sim->lock);

	s->req_len = len;
	res->requests++;
	res->answered = false;
	ret = rte_hvsim_send_wait(dev, HVSIM_PKT_INBAND, 0, xactid, s->msg, len, s->timeout_ms);
	pthread_mutex_lock(&dev->sim->lock);
	while (ret == 0 && !kv->answered && dev->conn_fd >= 0 && dev->stats.opens == s->opens &&
	       wret == 0)
		wret = pthread_cond_timedwait(&dev->sim->cond, &dev->sim->lock, &deadline);
	if (ret == 0 && kv->answered) {
		s->ans_len = kv->answer_len;
		s->ans_kept = RTE_MIN(kv->answer_len, (uint32_t)HVSIM_KVP_ANSWER_MAX);
		memcpy(s->msg, kv->answer, s->ans_kept);
		if (kv->answer_type != HVSIM_PKT_INBAND)
			s->ans_len = 0;	/* caught as a length mismatch below */
	} else if (ret == 0 && (dev->conn_fd < 0 || dev->stats.opens != s->opens)) {
		ret = -ENOTCONN;
	} else if (ret == 0) {
		ret = -ETIMEDOUT;
		remember_stale_locked(kv, xactid);
	}
	kv->pending = false;
	pthread_mutex_unlock(&dev->sim->lock);
	if (ret == -ETIMEDOUT)
		res->timed_out = true;
	if (ret == 0) {
		/* The answer now sits where the request was: s->msg. */
		res->answered = true;
		res->status = s->ans_kept >= RTE_HVDEV_IC_HDR_SIZE ?
			      get32(s->msg + offsetof(struct rte_hvdev_ic_hdr, status)) : 0;
	}
	return ret;
}

/* Refuse the answer: log, count, say why. @return -EBADMSG. */
static int
refuse(struct kvp_session *s, struct rte_hvsim_kvp_result *res, const char *what, const char *why)
{
	struct rte_hvsim_dev *dev = s->dev;

	snprintf(res->error, sizeof(res->error), "%s%s%s", what, what[0] != '\0' ? ": " : "",
		 why);
	pthread_mutex_lock(&dev->sim->lock);
	dev->stats.guest_errors++;
	pthread_mutex_unlock(&dev->sim->lock);
	HVSIM_LOG(WARNING, "%s: kvp: invalid answer: %s", dev->inst_str, res->error);
	return -EBADMSG;
}

/*
 * Check the answer's framing as Microsoft's host does: the request modified in place (same
 * payload length), a KVP message whose icmsgsize lies inside the packet, flags TRANSACTION
 * and RESPONSE. @return 0, or -EBADMSG with res->error.
 */
static int
check_frame(struct kvp_session *s, struct rte_hvsim_kvp_result *res, uint32_t *body_len)
{
	struct rte_hvdev_ic_hdr hdr;
	uint32_t blen = 0;

	if (s->ans_len != RTE_ALIGN_CEIL(s->req_len, 8u) || s->ans_kept != s->ans_len)
		return refuse(s, res, "", "not an in-band answer of the request's payload length");
	if (s->lax) {
		/* Our icmsgsize was a lie on purpose; an answer may echo it. */
		memcpy(&hdr, s->msg, sizeof(hdr));
		blen = RTE_MIN((uint32_t)hdr.icmsgsize, s->ans_len - RTE_HVDEV_IC_HDR_SIZE);
	} else if (rte_hvdev_ic_parse(s->msg, s->ans_len, &hdr, &blen) < 0) {
		return refuse(s, res, "", "icmsgsize runs beyond the packet");
	}
	if (hdr.icmsgtype != RTE_HVDEV_IC_MSG_KVPEXCHANGE)
		return refuse(s, res, "", "message type is not KVP exchange");
	if ((hdr.icflags & (RTE_HVDEV_IC_FLAG_TRANSACTION | RTE_HVDEV_IC_FLAG_RESPONSE)) !=
	    (RTE_HVDEV_IC_FLAG_TRANSACTION | RTE_HVDEV_IC_FLAG_RESPONSE))
		return refuse(s, res, "", "flags are not TRANSACTION|RESPONSE");
	*body_len = blen;
	return 0;
}

/*
 * The answer of a successful operation: framing, then the operation and pool echoed and a body
 * long enough for what the host reads (@p need bytes). @return 0 or -EBADMSG.
 */
static int
check_answer(struct kvp_session *s, struct rte_hvsim_kvp_result *res, uint8_t op, uint8_t pool,
	     uint32_t need)
{
	uint32_t blen;
	int ret = check_frame(s, res, &blen);

	if (ret < 0 || res->status != RTE_HVDEV_IC_S_OK)
		return ret;
	/* Microsoft's host does not look at them: only a strict host refuses a change. */
	if (s->dev->conf.strict_xactid && (blen < 2 || body(s)[0] != op || body(s)[1] != pool))
		return refuse(s, res, "", "the operation and pool are not the request's "
			      "(strict mode)");
	if (blen < need)
		return refuse(s, res, "", "body too short for the operation's answer");
	return 0;
}

/*
 * Decode a struct hv_kvp_exchg_msg_value at @p v as the host reads it: key_size even, within
 * 512 and NUL-terminated there; the value by its type. @return NULL or why it is invalid.
 */
static const char *
decode_value(const uint8_t *v, struct rte_hvsim_kvp_item *item)
{
	uint32_t type = get32(v + VAL_TYPE), ksize = get32(v + VAL_KEY_SIZE);
	uint32_t vsize = get32(v + VAL_VALUE_SIZE);
	const char *why;

	if (ksize % 2 != 0 || ksize > KVP_KEY_BYTES)
		return "key_size odd or over 512";
	why = from_utf16(v + VAL_KEY, ksize / 2, item->key, sizeof(item->key));
	if (why != NULL)
		return why;
	item->type = type;
	item->number = 0;
	item->value[0] = '\0';
	switch (type) {
	case RTE_HVDEV_KVP_REG_SZ:
	case RTE_HVDEV_KVP_REG_EXPAND_SZ:
		if (vsize % 2 != 0 || vsize > KVP_VALUE_BYTES)
			return "value_size odd or over 2048";
		why = from_utf16(v + VAL_VALUE, vsize / 2, item->value, sizeof(item->value));
		return why;
	case RTE_HVDEV_KVP_REG_U32:
		if (vsize != 4)
			return "a DWORD whose value_size is not 4";
		item->number = get32(v + VAL_VALUE);
		break;
	case RTE_HVDEV_KVP_REG_QWORD:
		if (vsize != 8)
			return "a QWORD whose value_size is not 8";
		item->number = get32(v + VAL_VALUE) | (uint64_t)get32(v + VAL_VALUE + 4) << 32;
		break;
	default:
		return "unknown value type";
	}
	snprintf(item->value, sizeof(item->value), "%" PRIu64, item->number);
	return NULL;
}

/* Apply the key mangles of the options to a key field and its size field. */
static void
mangle_key(const struct rte_hvsim_kvp_opts *o, uint8_t *key, uint8_t *size_field, int units)
{
	int i;

	if ((o->mangle & RTE_HVSIM_KVP_MANGLE_KEY_UTF16) != 0 && units >= 2)
		put16(key + 2 * (units - 2), 0xd800);
	if ((o->mangle & RTE_HVSIM_KVP_MANGLE_KEY_NO_NUL) != 0) {
		for (i = 0; i < KVP_KEY_BYTES / 2; i++)
			put16(key + 2 * i, 'k');
		put32(size_field, KVP_KEY_BYTES);
	}
	if ((o->mangle & RTE_HVSIM_KVP_MANGLE_KEY_SIZE) != 0)
		put32(size_field, o->key_size);
}

/* The key into a value structure or a DELETE. @return 0 or -EINVAL. */
static int
put_key(struct kvp_session *s, uint8_t *key, uint8_t *size_field, const char *str)
{
	int units;

	if (str == NULL)
		return -EINVAL;
	units = to_utf16(str, key, KVP_KEY_BYTES / 2);
	if (units < 0) {
		HVSIM_LOG(ERR, "%s: kvp: key '%.64s' is %s", s->dev->inst_str, str,
			  units == -EINVAL ? "not UTF-8" : "over 255 UTF-16 units");
		return -EINVAL;
	}
	/* Bytes, the NUL included, as Microsoft's host counts them. */
	put32(size_field, (uint32_t)units * 2);
	mangle_key(s->o, key, size_field, units);
	return 0;
}

/* Begin, check the pool and prepare the 2580-byte body of @p op. */
static int
begin_op(struct kvp_session *s, struct rte_hvsim_dev *dev, uint8_t op, uint8_t pool,
	 const struct rte_hvsim_kvp_opts *opts, struct rte_hvsim_kvp_result *res)
{
	int ret;

	memset(res, 0, sizeof(*res));
	if (dev == NULL)
		return -EINVAL;
	ret = session_begin(s, dev, opts);
	if (ret < 0) {
		res->timed_out = ret == -ETIMEDOUT;
		return ret;
	}
	body(s)[0] = op;
	body(s)[1] = pool;
	return 0;
}

static int
end_op(struct kvp_session *s, int ret)
{
	session_end(s);
	return ret;
}

int
rte_hvsim_kvp_get(struct rte_hvsim_dev *dev, uint8_t pool, const char *key,
		  struct rte_hvsim_kvp_item *item, const struct rte_hvsim_kvp_opts *opts,
		  struct rte_hvsim_kvp_result *res)
{
	struct rte_hvsim_kvp_result lres;
	struct rte_hvsim_kvp_item litem;
	struct kvp_session s;
	uint8_t *v;
	const char *why;
	int ret;

	res = res != NULL ? res : &lres;
	item = item != NULL ? item : &litem;
	ret = begin_op(&s, dev, RTE_HVDEV_KVP_OP_GET, pool, opts, res);
	if (ret < 0)
		return ret;
	v = body(&s) + GETSET_VAL;
	put32(v + VAL_TYPE, RTE_HVDEV_KVP_REG_SZ);
	ret = put_key(&s, v + VAL_KEY, v + VAL_KEY_SIZE, key);
	if (ret == 0)
		ret = request(&s, KVP_MSG_SIZE, res);
	if (ret == 0)
		ret = check_answer(&s, res, RTE_HVDEV_KVP_OP_GET, pool, GETSET_VAL + VAL_SIZE);
	if (ret == 0 && res->status == RTE_HVDEV_IC_S_OK) {
		why = decode_value(body(&s) + GETSET_VAL, item);
		if (why != NULL)
			ret = refuse(&s, res, "GET", why);
	}
	return end_op(&s, ret);
}

int
rte_hvsim_kvp_set(struct rte_hvsim_dev *dev, uint8_t pool, const struct rte_hvsim_kvp_item *item,
		  const struct rte_hvsim_kvp_opts *opts, struct rte_hvsim_kvp_result *res)
{
	struct rte_hvsim_kvp_result lres;
	struct kvp_session s;
	uint32_t size = 0;
	int units, ret;
	uint8_t *v;

	res = res != NULL ? res : &lres;
	if (item == NULL)
		return -EINVAL;
	ret = begin_op(&s, dev, RTE_HVDEV_KVP_OP_SET, pool, opts, res);
	if (ret < 0)
		return ret;
	v = body(&s) + GETSET_VAL;
	put32(v + VAL_TYPE, item->type);
	ret = put_key(&s, v + VAL_KEY, v + VAL_KEY_SIZE, item->key);
	switch (item->type) {
	case RTE_HVDEV_KVP_REG_U32:
		if (item->number > UINT32_MAX)
			ret = -EINVAL;
		put32(v + VAL_VALUE, (uint32_t)item->number);
		size = 4;
		break;
	case RTE_HVDEV_KVP_REG_QWORD:
		put32(v + VAL_VALUE, (uint32_t)item->number);
		put32(v + VAL_VALUE + 4, (uint32_t)(item->number >> 32));
		size = 8;
		break;
	default:
		/* Strings, and any other type a test sends: the value as a UTF-16 string. */
		units = to_utf16(item->value, v + VAL_VALUE, KVP_VALUE_BYTES / 2);
		if (units < 0) {
			HVSIM_LOG(ERR, "%s: kvp: the value of '%.64s' is %s", dev->inst_str,
				  item->key, units == -EINVAL ? "not UTF-8" :
				  "over 1023 UTF-16 units");
			ret = -EINVAL;
			break;
		}
		size = (uint32_t)units * 2;
		if ((s.o->mangle & RTE_HVSIM_KVP_MANGLE_VALUE_UTF16) != 0 && units >= 2)
			put16(v + VAL_VALUE + 2 * (units - 2), 0xdc00);
		if ((s.o->mangle & RTE_HVSIM_KVP_MANGLE_VALUE_NO_NUL) != 0) {
			for (units = 0; units < KVP_VALUE_BYTES / 2; units++)
				put16(v + VAL_VALUE + 2 * units, 'v');
			size = KVP_VALUE_BYTES;
		}
		break;
	}
	if ((s.o->mangle & RTE_HVSIM_KVP_MANGLE_VALUE_SIZE) != 0)
		size = s.o->value_size;
	put32(v + VAL_VALUE_SIZE, size);
	if (ret == 0)
		ret = request(&s, KVP_MSG_SIZE, res);
	if (ret == 0)
		ret = check_answer(&s, res, RTE_HVDEV_KVP_OP_SET, pool, 2);
	return end_op(&s, ret);
}

int
rte_hvsim_kvp_delete(struct rte_hvsim_dev *dev, uint8_t pool, const char *key,
		     const struct rte_hvsim_kvp_opts *opts, struct rte_hvsim_kvp_result *res)
{
	struct rte_hvsim_kvp_result lres;
	struct kvp_session s;
	int ret;

	res = res != NULL ? res : &lres;
	ret = begin_op(&s, dev, RTE_HVDEV_KVP_OP_DELETE, pool, opts, res);
	if (ret < 0)
		return ret;
	ret = put_key(&s, body(&s) + DEL_KEY, body(&s) + DEL_KEY_SIZE, key);
	if (ret == 0)
		ret = request(&s, KVP_MSG_SIZE, res);
	if (ret == 0)
		ret = check_answer(&s, res, RTE_HVDEV_KVP_OP_DELETE, pool, 2);
	return end_op(&s, ret);
}

/* One ENUMERATE in an open session. @return as rte_hvsim_kvp_get(). */
static int
enum_one(struct kvp_session *s, uint8_t pool, uint32_t index, struct rte_hvsim_kvp_item *item,
	 struct rte_hvsim_kvp_result *res)
{
	const char *why;
	int ret;

	memset(body(s), 0, KVP_MSG_SIZE);
	body(s)[0] = RTE_HVDEV_KVP_OP_ENUMERATE;
	body(s)[1] = pool;
	put32(body(s) + ENUM_INDEX, index);
	ret = request(s, KVP_MSG_SIZE, res);
	if (ret == 0)
		ret = check_answer(s, res, RTE_HVDEV_KVP_OP_ENUMERATE, pool, ENUM_VAL + VAL_SIZE);
	if (ret == 0 && res->status == RTE_HVDEV_IC_S_OK) {
		why = decode_value(body(s) + ENUM_VAL, item);
		if (why != NULL) {
			char what[48];

			snprintf(what, sizeof(what), "ENUMERATE index %" PRIu32, index);
			ret = refuse(s, res, what, why);
		}
	}
	return ret;
}

int
rte_hvsim_kvp_enum_index(struct rte_hvsim_dev *dev, uint8_t pool, uint32_t index,
			 struct rte_hvsim_kvp_item *item, const struct rte_hvsim_kvp_opts *opts,
			 struct rte_hvsim_kvp_result *res)
{
	struct rte_hvsim_kvp_result lres;
	struct rte_hvsim_kvp_item litem;
	struct kvp_session s;
	int ret;

	res = res != NULL ? res : &lres;
	ret = begin_op(&s, dev, RTE_HVDEV_KVP_OP_ENUMERATE, pool, opts, res);
	if (ret < 0)
		return ret;
	ret = enum_one(&s, pool, index, item != NULL ? item : &litem, res);
	return end_op(&s, ret);
}

int
rte_hvsim_kvp_enumerate(struct rte_hvsim_dev *dev, uint8_t pool,
			struct rte_hvsim_kvp_item *items, unsigned int max, unsigned int *count,
			const struct rte_hvsim_kvp_opts *opts, struct rte_hvsim_kvp_result *res)
{
	struct rte_hvsim_kvp_result lres;
	struct rte_hvsim_kvp_item *tmp;
	struct kvp_session s;
	unsigned int n = 0;
	int ret;

	res = res != NULL ? res : &lres;
	if (count != NULL)
		*count = 0;
	tmp = malloc(sizeof(*tmp));
	if (tmp == NULL)
		return -ENOMEM;
	ret = begin_op(&s, dev, RTE_HVDEV_KVP_OP_ENUMERATE, pool, opts, res);
	if (ret < 0) {
		free(tmp);
		return ret;
	}
	for (;;) {
		ret = enum_one(&s, pool, n, items != NULL && n < max ? &items[n] : tmp, res);
		if (ret < 0 || res->status != RTE_HVDEV_IC_S_OK)
			break;
		n++;
		if (n == KVP_ENUM_LIMIT) {
			snprintf(res->error, sizeof(res->error), "the guest never ended the "
				 "enumeration (%u items)", n);
			ret = -EOVERFLOW;
			break;
		}
	}
	if (ret == 0 && items != NULL && n > max)
		ret = -ENOBUFS;
	if (count != NULL)
		*count = n;
	free(tmp);
	HVSIM_LOG(INFO, "%s: kvp: pool %u enumerated: %u items, status 0x%08" PRIx32 "%s%s",
		  dev->inst_str, pool, n, res->status, ret < 0 ? ", error " : "",
		  ret < 0 ? strerror(-ret) : "");
	return end_op(&s, ret);
}

/* ---- IP information: the string form of KVP 3.0 and 4.0 ---- */

/* Begin an IP operation; the binary form of 5.0 is not played. */
static int
begin_ip(struct kvp_session *s, struct rte_hvsim_dev *dev, uint8_t op,
	 const struct rte_hvsim_kvp_opts *opts, struct rte_hvsim_kvp_result *res)
{
	/* The pool Microsoft's host puts in IP requests (OpenVMM: guest); guests ignore it. */
	int ret = begin_op(s, dev, op, RTE_HVDEV_KVP_POOL_GUEST, opts, res);

	if (ret == 0 && s->ic.icvermsg.major >= 5) {
		HVSIM_LOG(ERR, "%s: kvp: IP information on KVP %u.%u takes the binary form, which "
			  "the simulator does not play", dev->inst_str, s->ic.icvermsg.major,
			  s->ic.icvermsg.minor);
		session_end(s);
		ret = -ENOTSUP;
	}
	return ret;
}

/* One string of the IP form. @return 0 or -EINVAL (logged). */
static int
put_ip_str(struct kvp_session *s, uint32_t off, uint32_t units, const char *str,
	   const char *what)
{
	int n = to_utf16(str, body(s) + off, units);

	if (n < 0)
		HVSIM_LOG(ERR, "%s: kvp: the %s '%.64s' is %s", s->dev->inst_str, what, str,
			  n == -EINVAL ? "not UTF-8" : "too long");
	return n < 0 ? -EINVAL : 0;
}

int
rte_hvsim_kvp_ip_get(struct rte_hvsim_dev *dev, const char *adapter_id,
		     struct rte_hvsim_kvp_ip *ip, const struct rte_hvsim_kvp_opts *opts,
		     struct rte_hvsim_kvp_result *res)
{
	static const struct {
		uint32_t off, units;
		size_t out;
		const char *name;
	} fields[] = {
		{ IP_ADAPTER, IP_ADAPTER_UNITS, offsetof(struct rte_hvsim_kvp_ip, adapter_id),
		  "adapter_id" },
		{ IP_ADDR, IP_ADDR_UNITS, offsetof(struct rte_hvsim_kvp_ip, ip_addr), "ip_addr" },
		{ IP_SUBNET, IP_ADDR_UNITS, offsetof(struct rte_hvsim_kvp_ip, subnet), "sub_net" },
		{ IP_GATEWAY, IP_GATEWAY_UNITS, offsetof(struct rte_hvsim_kvp_ip, gateway),
		  "gate_way" },
		{ IP_DNS, IP_ADDR_UNITS, offsetof(struct rte_hvsim_kvp_ip, dns), "dns_addr" },
	};
	struct rte_hvsim_kvp_result lres;
	struct rte_hvsim_kvp_ip *tmp;
	struct kvp_session s;
	const char *why;
	unsigned int i;
	int ret;

	res = res != NULL ? res : &lres;
	if (adapter_id == NULL)
		return -EINVAL;
	ret = begin_ip(&s, dev, RTE_HVDEV_KVP_OP_GET_IP_INFO, opts, res);
	if (ret < 0)
		return ret;
	ret = put_ip_str(&s, IP_ADAPTER, IP_ADAPTER_UNITS, adapter_id, "adapter id");
	if (ret == 0)
		ret = request(&s, KVP_IP_MSG_SIZE, res);
	if (ret == 0)
		ret = check_answer(&s, res, RTE_HVDEV_KVP_OP_GET_IP_INFO, RTE_HVDEV_KVP_POOL_GUEST,
				   KVP_IP_MSG_SIZE);
	if (ret == 0 && res->status == RTE_HVDEV_IC_S_OK) {
		tmp = calloc(1, sizeof(*tmp));
		if (tmp == NULL)
			return end_op(&s, -ENOMEM);
		tmp->addr_family = body(&s)[IP_FAMILY];
		tmp->dhcp_enabled = body(&s)[IP_DHCP];
		for (i = 0; i < RTE_DIM(fields) && ret == 0; i++) {
			char *out = (char *)tmp + fields[i].out;
			size_t size = (i == 0 ? sizeof(tmp->adapter_id) : i == 3 ?
				       sizeof(tmp->gateway) : sizeof(tmp->ip_addr));

			why = field_utf16(body(&s) + fields[i].off, fields[i].units, out, size);
			if (why != NULL)
				ret = refuse(&s, res, fields[i].name, why);
		}
		if (ret == 0 && ip != NULL)
			*ip = *tmp;
		free(tmp);
	}
	return end_op(&s, ret);
}

int
rte_hvsim_kvp_ip_set(struct rte_hvsim_dev *dev, const struct rte_hvsim_kvp_ip *ip,
		     const struct rte_hvsim_kvp_opts *opts, struct rte_hvsim_kvp_result *res)
{
	struct rte_hvsim_kvp_result lres;
	struct kvp_session s;
	int ret;

	res = res != NULL ? res : &lres;
	if (ip == NULL)
		return -EINVAL;
	ret = begin_ip(&s, dev, RTE_HVDEV_KVP_OP_SET_IP_INFO, opts, res);
	if (ret < 0)
		return ret;
	body(&s)[IP_FAMILY] = ip->addr_family;
	body(&s)[IP_DHCP] = ip->dhcp_enabled;
	ret = put_ip_str(&s, IP_ADAPTER, IP_ADAPTER_UNITS, ip->adapter_id, "adapter id");
	if (ret == 0)
		ret = put_ip_str(&s, IP_ADDR, IP_ADDR_UNITS, ip->ip_addr, "address list");
	if (ret == 0)
		ret = put_ip_str(&s, IP_SUBNET, IP_ADDR_UNITS, ip->subnet, "subnet list");
	if (ret == 0)
		ret = put_ip_str(&s, IP_GATEWAY, IP_GATEWAY_UNITS, ip->gateway, "gateway list");
	if (ret == 0)
		ret = put_ip_str(&s, IP_DNS, IP_ADDR_UNITS, ip->dns, "DNS list");
	if (ret == 0)
		ret = request(&s, KVP_IP_MSG_SIZE, res);
	if (ret == 0)
		ret = check_answer(&s, res, RTE_HVDEV_KVP_OP_SET_IP_INFO,
				   RTE_HVDEV_KVP_POOL_GUEST, 2);
	return end_op(&s, ret);
}

int
rte_hvsim_kvp_raw(struct rte_hvsim_dev *dev, const void *msg_body, uint32_t len, void *answer,
		  uint32_t *answer_len, const struct rte_hvsim_kvp_opts *opts,
		  struct rte_hvsim_kvp_result *res)
{
	struct rte_hvsim_kvp_result lres;
	struct kvp_session s;
	uint32_t blen = 0;
	int ret;

	res = res != NULL ? res : &lres;
	memset(res, 0, sizeof(*res));
	if (dev == NULL || (msg_body == NULL && len > 0) || len > UINT16_MAX)
		return -EINVAL;
	ret = session_begin(&s, dev, opts);
	if (ret < 0) {
		res->timed_out = ret == -ETIMEDOUT;
		return ret;
	}
	if (len > 0)
		memcpy(body(&s), msg_body, len);
	ret = request(&s, len, res);
	if (ret == 0)
		ret = check_frame(&s, res, &blen);
	if (ret == 0 && answer_len != NULL) {
		if (answer != NULL)
			memcpy(answer, body(&s), RTE_MIN(blen, *answer_len));
		*answer_len = blen;
	}
	return end_op(&s, ret);
}
