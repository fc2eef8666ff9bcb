/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * Fault injection: a host that misbehaves on purpose, so that tests can show what a guest does
 * when interrupts come late or never, when the ring or a packet is corrupt, when a request is
 * malformed, when the version negotiation goes wrong, and when the host rescinds, cancels,
 * stalls or kills the guest at a chosen step of a Copy-VMFile. The host code asks here at each
 * of those points (with the lock held) what to do; this file decides and forgets one-shot
 * faults once they fired.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include "rte_hvdev_fcopy.h"
#include "hvsim_priv.h"

#define FAULT_RNG_DEFAULT 0x9e3779b97f4a7c15ull
/* An fcopy WRITE body up to its data. */
#define WRITE_DATA_OFF offsetof(struct rte_hvdev_fcopy_write, data)
#define WRITE_SIZE_OFF offsetof(struct rte_hvdev_fcopy_write, size)

struct name_val {
	const char *name;
	int val;
};

static const struct name_val corrupt_names[] = {
	{ "none", RTE_HVSIM_CORRUPT_NONE },
	{ "rx_windex", RTE_HVSIM_CORRUPT_RX_WINDEX },
	{ "rx_rindex", RTE_HVSIM_CORRUPT_RX_RINDEX },
	{ "tx_rindex", RTE_HVSIM_CORRUPT_TX_RINDEX },
	{ "desc_hlen", RTE_HVSIM_CORRUPT_DESC_HLEN },
	{ "desc_tlen", RTE_HVSIM_CORRUPT_DESC_TLEN },
	{ "desc_type", RTE_HVSIM_CORRUPT_DESC_TYPE },
	{ NULL, 0 },
};

static const struct name_val nego_names[] = {
	{ "ok", RTE_HVSIM_NEGO_OK },
	{ "no_common", RTE_HVSIM_NEGO_NO_COMMON },
	{ "too_many", RTE_HVSIM_NEGO_TOO_MANY },
	{ "truncated", RTE_HVSIM_NEGO_TRUNCATED },
	{ "short", RTE_HVSIM_NEGO_SHORT },
	{ "silent", RTE_HVSIM_NEGO_SILENT },
	{ NULL, 0 },
};

static const struct name_val mangle_names[] = {
	{ "none", RTE_HVSIM_MANGLE_NONE },
	{ "write_size_over", RTE_HVSIM_MANGLE_WRITE_SIZE_OVER },
	{ "write_size_beyond", RTE_HVSIM_MANGLE_WRITE_SIZE_BEYOND },
	{ "name_unterminated", RTE_HVSIM_MANGLE_NAME_UNTERMINATED },
	{ "path_unterminated", RTE_HVSIM_MANGLE_PATH_UNTERMINATED },
	{ "truncate", RTE_HVSIM_MANGLE_TRUNCATE },
	{ "icmsgsize_over", RTE_HVSIM_MANGLE_ICMSGSIZE_OVER },
	{ "icmsgsize_under", RTE_HVSIM_MANGLE_ICMSGSIZE_UNDER },
	{ "op_unknown", RTE_HVSIM_MANGLE_OP_UNKNOWN },
	{ "msgtype", RTE_HVSIM_MANGLE_MSGTYPE },
	{ "start_size_small", RTE_HVSIM_MANGLE_START_SIZE_SMALL },
	{ NULL, 0 },
};

static const struct name_val op_names[] = {
	{ "start", RTE_HVDEV_FCOPY_START },
	{ "write", RTE_HVDEV_FCOPY_WRITE },
	{ "complete", RTE_HVDEV_FCOPY_COMPLETE },
	{ "cancel", RTE_HVDEV_FCOPY_CANCEL },
	{ NULL, 0 },
};

static const struct name_val step_names[] = {
	{ "none", RTE_HVSIM_STEP_NONE },
	{ "negotiated", RTE_HVSIM_STEP_NEGOTIATED },
	{ "start", RTE_HVSIM_STEP_START },
	{ "write", RTE_HVSIM_STEP_WRITE },
	{ "before_complete", RTE_HVSIM_STEP_BEFORE_COMPLETE },
	{ "complete", RTE_HVSIM_STEP_COMPLETE },
	{ NULL, 0 },
};

static const struct name_val action_names[] = {
	{ "none", RTE_HVSIM_ACT_NONE },
	{ "rescind", RTE_HVSIM_ACT_RESCIND },
	{ "cancel", RTE_HVSIM_ACT_CANCEL },
	{ "stall", RTE_HVSIM_ACT_STALL },
	{ "corrupt", RTE_HVSIM_ACT_CORRUPT },
	{ "kill", RTE_HVSIM_ACT_KILL },
	{ "call", RTE_HVSIM_ACT_CALL },
	{ NULL, 0 },
};

static const char *
name_of(const struct name_val *t, int v)
{
	for (; t->name != NULL; t++)
		if (t->val == v)
			return t->name;
	return "?";
}

static int
val_of(const struct name_val *t, const char *name, size_t n)
{
	for (; t->name != NULL; t++)
		if (strlen(t->name) == n && strncmp(t->name, name, n) == 0)
			return t->val;
	return -1;
}

static bool
fault_valid(const struct rte_hvsim_fault *f)
{
	return f->intr_drop_pct <= 100 &&
	       (unsigned int)f->corrupt <= RTE_HVSIM_CORRUPT_DESC_TYPE &&
	       (unsigned int)f->nego <= RTE_HVSIM_NEGO_SILENT &&
	       (unsigned int)f->mangle <= RTE_HVSIM_MANGLE_START_SIZE_SMALL &&
	       f->mangle_op <= RTE_HVDEV_FCOPY_CANCEL &&
	       (unsigned int)f->step <= RTE_HVSIM_STEP_COMPLETE &&
	       (unsigned int)f->action <= RTE_HVSIM_ACT_CALL &&
	       (f->action != RTE_HVSIM_ACT_KILL || f->step_pid > 0);
}

int
rte_hvsim_fault_set(struct rte_hvsim_dev *dev, const struct rte_hvsim_fault *fault)
{
	static const struct rte_hvsim_fault none;
	struct hvsim_fault_state *st;

	if (dev == NULL)
		return -EINVAL;
	if (fault == NULL)
		fault = &none;
	if (!fault_valid(fault))
		return -EINVAL;
	pthread_mutex_lock(&dev->sim->lock);
	st = &dev->fault;
	st->f = *fault;
	st->intr_seen = 0;
	st->mangle_seen = 0;
	st->rng = fault->seed != 0 ? fault->seed : FAULT_RNG_DEFAULT;
	/* Corruption waits for its step when the step action is to arm it. */
	st->corrupt_armed = fault->corrupt != RTE_HVSIM_CORRUPT_NONE &&
			    !(fault->action == RTE_HVSIM_ACT_CORRUPT &&
			      fault->step != RTE_HVSIM_STEP_NONE);
	pthread_mutex_unlock(&dev->sim->lock);
	HVSIM_LOG(INFO, "%s: fault set updated", dev->inst_str);
	return 0;
}

void
rte_hvsim_fault_get(const struct rte_hvsim_dev *dev, struct rte_hvsim_fault *fault)
{
	pthread_mutex_lock(&dev->sim->lock);
	*fault = dev->fault.f;
	pthread_mutex_unlock(&dev->sim->lock);
}

/* xorshift64*: good enough for "about one in N", and reproducible from the seed. */
static uint32_t
fault_rand(struct hvsim_fault_state *st)
{
	st->rng ^= st->rng >> 12;
	st->rng ^= st->rng << 25;
	st->rng ^= st->rng >> 27;
	return (uint32_t)((st->rng * 0x2545f4914f6cdd1dull) >> 32);
}

enum hvsim_intr_fate
hvsim_fault_intr_locked(struct rte_hvsim_dev *dev)
{
	struct hvsim_fault_state *st = &dev->fault;
	const struct rte_hvsim_fault *f = &st->f;

	st->intr_seen++;
	if ((f->intr_drop_every != 0 && st->intr_seen % f->intr_drop_every == 0) ||
	    (f->intr_drop_pct != 0 && fault_rand(st) % 100 < f->intr_drop_pct)) {
		dev->stats.intr_dropped++;
		return HVSIM_INTR_DROP;
	}
	if (f->intr_delay_ms == 0)
		return HVSIM_INTR_DELIVER;
	/* One late interrupt covers all those raised before it fires, as the event counter. */
	if (st->intr_due_ms == 0) {
		st->intr_due_ms = hvsim_now_ms() + f->intr_delay_ms;
		dev->stats.intr_delayed++;
		hvsim_wake_loop(dev->sim);
	}
	return HVSIM_INTR_DELAY;
}

enum rte_hvsim_corrupt
hvsim_fault_take_corrupt_locked(struct rte_hvsim_dev *dev)
{
	struct hvsim_fault_state *st = &dev->fault;
	enum rte_hvsim_corrupt c = st->f.corrupt;

	if (!st->corrupt_armed)
		return RTE_HVSIM_CORRUPT_NONE;
	st->corrupt_armed = false;
	st->f.corrupt = RTE_HVSIM_CORRUPT_NONE;
	dev->stats.faults_fired++;
	HVSIM_LOG(NOTICE, "%s: fault: corrupting the ring (%s)", dev->inst_str,
		  name_of(corrupt_names, c));
	return c;
}

/* Rewrite the sizes of an IC message that is now @p len bytes long. */
static void
set_ic_sizes(uint8_t *msg, uint32_t len)
{
	struct rte_hvdev_ic_hdr hdr;

	memcpy(&hdr, msg, sizeof(hdr));
	hdr.pipe_msgsize = len - RTE_HVDEV_IC_PIPE_HDR_SIZE;
	hdr.icmsgsize = (uint16_t)(len - RTE_HVDEV_IC_HDR_SIZE);
	memcpy(msg, &hdr, sizeof(hdr));
}

static void
set_counts(uint8_t *msg, uint16_t nfw, uint16_t nsrv)
{
	struct rte_hvdev_ic_negotiate_hdr nego;

	memcpy(&nego, msg + RTE_HVDEV_IC_HDR_SIZE, sizeof(nego));
	nego.icframe_vercnt = nfw;
	nego.icmsg_vercnt = nsrv;
	memcpy(msg + RTE_HVDEV_IC_HDR_SIZE, &nego, sizeof(nego));
}

int
hvsim_fault_nego_locked(struct rte_hvsim_dev *dev, uint8_t *buf, uint32_t size)
{
	static const struct rte_hvdev_ic_version bogus = { 0, 1 };
	struct rte_hvdev_ic_version many[RTE_HVDEV_IC_VERSION_MAX_COUNT];
	const struct hvsim_ic *ic = &dev->ic;
	enum rte_hvsim_nego_fault nf = dev->fault.f.nego;
	unsigned int i;
	int len;

	switch (nf) {
	case RTE_HVSIM_NEGO_NO_COMMON:
		len = rte_hvdev_ic_make_negotiate(buf, size, &bogus, 1, &bogus, 1);
		break;
	case RTE_HVSIM_NEGO_TOO_MANY:
		/* 102 versions in the message, and the counts say 101 + 1: well formed but over. */
		for (i = 0; i < RTE_DIM(many); i++)
			many[i] = ic->fw[i % ic->nfw];
		len = rte_hvdev_ic_make_negotiate(buf, size, many, RTE_DIM(many), ic->srv, 2);
		if (len > 0)
			set_counts(buf, RTE_HVDEV_IC_VERSION_MAX_COUNT + 1, 1);
		break;
	case RTE_HVSIM_NEGO_TRUNCATED:
		/*
		 * The last versions the counts announce are cut off, at a multiple of 8 so that
		 * the packet's padding cannot bring them back.
		 */
		len = rte_hvdev_ic_make_negotiate(buf, size, ic->fw, ic->nfw, ic->srv, ic->nsrv);
		if (len > 0) {
			len = (int)RTE_ALIGN_FLOOR((uint32_t)len - 1, 8u);
			set_ic_sizes(buf, (uint32_t)len);
		}
		break;
	case RTE_HVSIM_NEGO_SHORT:
		len = rte_hvdev_ic_make_negotiate(buf, size, ic->fw, ic->nfw, ic->srv, ic->nsrv);
		if (len > 0) {
			len = RTE_HVDEV_IC_HDR_SIZE + 4;
			set_ic_sizes(buf, (uint32_t)len);
		}
		break;
	case RTE_HVSIM_NEGO_SILENT:
		len = -1;
		break;
	default:
		return 0;
	}
	dev->stats.faults_fired++;
	HVSIM_LOG(NOTICE, "%s: fault: NEGOTIATE %s", dev->inst_str, name_of(nego_names, nf));
	return len < 0 ? -1 : len;
}

/* The operation a mangle applies to when the caller named none. */
static uint32_t
mangle_target(const struct rte_hvsim_fault *f)
{
	switch (f->mangle) {
	case RTE_HVSIM_MANGLE_WRITE_SIZE_OVER:
	case RTE_HVSIM_MANGLE_WRITE_SIZE_BEYOND:
		return RTE_HVDEV_FCOPY_WRITE;
	case RTE_HVSIM_MANGLE_NAME_UNTERMINATED:
	case RTE_HVSIM_MANGLE_PATH_UNTERMINATED:
	case RTE_HVSIM_MANGLE_START_SIZE_SMALL:
		return RTE_HVDEV_FCOPY_START;
	default:
		return f->mangle_op;
	}
}

static void
fill_units(uint8_t *p, unsigned int n)
{
	uint16_t a = 'a';
	unsigned int i;

	for (i = 0; i < n; i++)
		memcpy(p + 2 * i, &a, sizeof(a));
}

bool
hvsim_fault_mangle_locked(struct rte_hvsim_dev *dev, uint32_t op, uint8_t *msg, uint32_t *len)
{
	struct hvsim_fault_state *st = &dev->fault;
	enum rte_hvsim_mangle m = st->f.mangle;
	uint8_t *body = msg + RTE_HVDEV_IC_HDR_SIZE;
	uint32_t body_len = *len - RTE_HVDEV_IC_HDR_SIZE, size, keep;
	uint64_t size64;
	struct rte_hvdev_ic_hdr hdr;
	bool lax = false;

	if (m == RTE_HVSIM_MANGLE_NONE || op != mangle_target(&st->f))
		return false;
	if (++st->mangle_seen < RTE_MAX(st->f.mangle_nth, 1u))
		return false;
	st->f.mangle = RTE_HVSIM_MANGLE_NONE;
	dev->stats.faults_fired++;
	HVSIM_LOG(NOTICE, "%s: fault: %s request malformed (%s)", dev->inst_str,
		  rte_hvsim_fcopy_op_name(op), name_of(mangle_names, m));
	memcpy(&hdr, msg, sizeof(hdr));
	switch (m) {
	case RTE_HVSIM_MANGLE_WRITE_SIZE_OVER:
		size = RTE_HVDEV_FCOPY_DATA_MAX + 1;
		if (body_len >= WRITE_DATA_OFF)
			memcpy(body + WRITE_SIZE_OFF, &size, sizeof(size));
		break;
	case RTE_HVSIM_MANGLE_WRITE_SIZE_BEYOND:
		/*
		 * Cut the data so that the packet ends 3 bytes short of a multiple of 8, and
		 * claim those 3 bytes: they lie in the packet's padding, so only icmsgsize
		 * shows that the host never sent them.
		 */
		if (body_len < WRITE_DATA_OFF)
			break;
		memcpy(&size, body + WRITE_SIZE_OFF, sizeof(size));
		keep = RTE_ALIGN_FLOOR(RTE_MIN(size, RTE_HVDEV_FCOPY_DATA_MAX - 8u), 8u) + 5;
		size = keep + 3;
		memcpy(body + WRITE_SIZE_OFF, &size, sizeof(size));
		*len = RTE_HVDEV_IC_HDR_SIZE + (uint32_t)WRITE_DATA_OFF + keep;
		set_ic_sizes(msg, *len);
		break;
	case RTE_HVSIM_MANGLE_NAME_UNTERMINATED:
		fill_units(body + offsetof(struct rte_hvdev_fcopy_start, file_name),
			   RTE_HVDEV_FCOPY_MAX_PATH);
		break;
	case RTE_HVSIM_MANGLE_PATH_UNTERMINATED:
		fill_units(body + offsetof(struct rte_hvdev_fcopy_start, path_name),
			   RTE_HVDEV_FCOPY_MAX_PATH);
		break;
	case RTE_HVSIM_MANGLE_TRUNCATE:
		/*
		 * Cut exactly, even inside what the packet's padding to 8 bytes then covers:
		 * icmsgsize, set to the cut, is what tells the guest that bytes are missing.
		 */
		keep = RTE_MIN(st->f.mangle_len, body_len);
		*len = RTE_HVDEV_IC_HDR_SIZE + keep;
		set_ic_sizes(msg, *len);
		break;
	case RTE_HVSIM_MANGLE_ICMSGSIZE_OVER:
		hdr.icmsgsize = (uint16_t)RTE_MIN(body_len + 64, (uint32_t)UINT16_MAX);
		memcpy(msg, &hdr, sizeof(hdr));
		lax = true;
		break;
	case RTE_HVSIM_MANGLE_ICMSGSIZE_UNDER:
		hdr.icmsgsize = (uint16_t)(body_len / 2);
		memcpy(msg, &hdr, sizeof(hdr));
		break;
	case RTE_HVSIM_MANGLE_OP_UNKNOWN:
		size = 99;
		memcpy(body, &size, sizeof(size));
		break;
	case RTE_HVSIM_MANGLE_MSGTYPE:
		hdr.icmsgtype = RTE_HVDEV_IC_MSG_HEARTBEAT;
		memcpy(msg, &hdr, sizeof(hdr));
		lax = true;
		break;
	case RTE_HVSIM_MANGLE_START_SIZE_SMALL:
		/* Well formed, but every WRITE after the first byte runs past what START said. */
		size64 = 1;
		if (body_len >= sizeof(struct rte_hvdev_fcopy_start))
			memcpy(body + offsetof(struct rte_hvdev_fcopy_start, file_size), &size64,
			       sizeof(size64));
		break;
	default:
		break;
	}
	return lax;
}

enum rte_hvsim_step_action
hvsim_fault_step_locked(struct rte_hvsim_dev *dev, enum rte_hvsim_step step, uint32_t nth,
			struct rte_hvsim_fault *fired)
{
	struct rte_hvsim_fault *f = &dev->fault.f;
	enum rte_hvsim_step_action act;

	if (f->step == RTE_HVSIM_STEP_NONE || f->step != step)
		return RTE_HVSIM_ACT_NONE;
	if (step == RTE_HVSIM_STEP_WRITE && nth != RTE_MAX(f->step_nth, 1u))
		return RTE_HVSIM_ACT_NONE;
	*fired = *f;
	act = f->action;
	if (act == RTE_HVSIM_ACT_NONE && f->step_cb != NULL)
		act = RTE_HVSIM_ACT_CALL;
	if (act == RTE_HVSIM_ACT_CORRUPT)
		dev->fault.corrupt_armed = f->corrupt != RTE_HVSIM_CORRUPT_NONE;
	f->step = RTE_HVSIM_STEP_NONE;
	f->step_nth = 0;
	f->action = RTE_HVSIM_ACT_NONE;
	f->step_cb = NULL;
	dev->stats.faults_fired++;
	HVSIM_LOG(NOTICE, "%s: fault: %s at step %s%s", dev->inst_str,
		  name_of(action_names, act), name_of(step_names, step),
		  step == RTE_HVSIM_STEP_WRITE ? " (the WRITE counted by step_nth)" : "");
	return act;
}

/* ---- the text form, for the command line and scripts ---- */

static int
parse_u32(const char *v, size_t n, uint32_t max, uint32_t *out)
{
	char tmp[16], *end;
	unsigned long long x;

	if (n == 0 || n >= sizeof(tmp) || v[0] < '0' || v[0] > '9')
		return -1;
	memcpy(tmp, v, n);
	tmp[n] = '\0';
	errno = 0;
	x = strtoull(tmp, &end, 10);
	if (errno != 0 || *end != '\0' || x > max)
		return -1;
	*out = (uint32_t)x;
	return 0;
}

static int
parse_step(const char *v, size_t n, struct rte_hvsim_fault *f)
{
	const char *colon = memchr(v, ':', n);
	size_t name_len = colon != NULL ? (size_t)(colon - v) : n;
	int s = val_of(step_names, v, name_len);

	if (s < 0)
		return -1;
	f->step = (enum rte_hvsim_step)s;
	if (colon == NULL)
		return 0;
	if (s != RTE_HVSIM_STEP_WRITE)
		return -1;
	return parse_u32(colon + 1, n - name_len - 1, UINT32_MAX, &f->step_nth);
}

/* One key=value item. @return 0 or -1 (unknown key or bad value). */
static int
parse_item(const char *key, size_t klen, const char *v, size_t n, struct rte_hvsim_fault *f)
{
	uint32_t u;
	int e;

#define KEY(s) (klen == sizeof(s) - 1 && strncmp(key, s, klen) == 0)
	if (KEY("intr_delay_ms"))
		return parse_u32(v, n, 600000, &f->intr_delay_ms);
	if (KEY("intr_drop_every"))
		return parse_u32(v, n, UINT32_MAX, &f->intr_drop_every);
	if (KEY("intr_drop_pct"))
		return parse_u32(v, n, 100, &f->intr_drop_pct);
	if (KEY("seed"))
		return parse_u32(v, n, UINT32_MAX, &f->seed);
	if (KEY("mangle_nth"))
		return parse_u32(v, n, UINT32_MAX, &f->mangle_nth);
	if (KEY("mangle_len"))
		return parse_u32(v, n, UINT16_MAX, &f->mangle_len);
	if (KEY("step_nth"))
		return parse_u32(v, n, UINT32_MAX, &f->step_nth);
	if (KEY("pid")) {
		if (parse_u32(v, n, INT32_MAX, &u) < 0 || u == 0)
			return -1;
		f->step_pid = (int)u;
		return 0;
	}
	if (KEY("step"))
		return parse_step(v, n, f);
	if (KEY("corrupt")) {
		e = val_of(corrupt_names, v, n);
		f->corrupt = (enum rte_hvsim_corrupt)e;
	} else if (KEY("nego")) {
		e = val_of(nego_names, v, n);
		f->nego = (enum rte_hvsim_nego_fault)e;
	} else if (KEY("mangle")) {
		e = val_of(mangle_names, v, n);
		f->mangle = (enum rte_hvsim_mangle)e;
	} else if (KEY("mangle_op")) {
		e = val_of(op_names, v, n);
		f->mangle_op = (uint32_t)e;
	} else if (KEY("action")) {
		e = val_of(action_names, v, n);
		f->action = (enum rte_hvsim_step_action)e;
	} else {
		return -2;
	}
#undef KEY
	/* On a bad name the caller's fault set is not updated (it works on a copy). */
	return e < 0 ? -1 : 0;
}

int
rte_hvsim_fault_parse(const char *spec, struct rte_hvsim_fault *fault, char *err,
		      size_t errlen)
{
	static const struct rte_hvsim_fault none;
	struct rte_hvsim_fault f;
	const char *p, *eq, *end;
	int ret;

	if (spec == NULL || fault == NULL)
		return -EINVAL;
	f = *fault;
	for (p = spec; *p != '\0'; p = end) {
		p += strspn(p, ", ");
		if (*p == '\0')
			break;
		end = p + strcspn(p, ", ");
		if ((end - p == 4 && strncmp(p, "none", 4) == 0) ||
		    (end - p == 5 && strncmp(p, "clear", 5) == 0)) {
			f = none;
			continue;
		}
		eq = memchr(p, '=', (size_t)(end - p));
		if (eq == NULL || eq == p) {
			snprintf(err, errlen, "'%.*s' is not key=value", (int)(end - p), p);
			return -EINVAL;
		}
		ret = parse_item(p, (size_t)(eq - p), eq + 1, (size_t)(end - eq - 1), &f);
		if (ret < 0) {
			snprintf(err, errlen, ret == -2 ? "unknown fault key '%.*s'" :
				 "bad value in '%.*s'", ret == -2 ? (int)(eq - p) : (int)(end - p),
				 p);
			return -EINVAL;
		}
	}
	if (f.action == RTE_HVSIM_ACT_KILL && f.step_pid <= 0) {
		snprintf(err, errlen, "action=kill needs pid=PID");
		return -EINVAL;
	}
	if (f.step != RTE_HVSIM_STEP_NONE && f.action == RTE_HVSIM_ACT_NONE) {
		snprintf(err, errlen, "step=%s needs action=ACTION", name_of(step_names, f.step));
		return -EINVAL;
	}
	if (f.action != RTE_HVSIM_ACT_NONE && f.step == RTE_HVSIM_STEP_NONE) {
		snprintf(err, errlen, "action=%s needs step=STEP", name_of(action_names,
									    f.action));
		return -EINVAL;
	}
	*fault = f;
	return 0;
}

/* Append ",key=value" to @p buf. */
static void __rte_format_printf(4, 5)
add(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*pos >= len)
		return;
	if (*pos > 0)
		buf[(*pos)++] = ',';
	if (*pos >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *pos, len - *pos, fmt, ap);
	va_end(ap);
	*pos += n > 0 ? (size_t)n : 0;
}

int
rte_hvsim_fault_format(const struct rte_hvsim_fault *f, char *buf, size_t len)
{
	size_t pos = 0;

	if (f == NULL || buf == NULL || len == 0)
		return -EINVAL;
	buf[0] = '\0';
	if (f->intr_delay_ms != 0)
		add(buf, len, &pos, "intr_delay_ms=%" PRIu32, f->intr_delay_ms);
	if (f->intr_drop_every != 0)
		add(buf, len, &pos, "intr_drop_every=%" PRIu32, f->intr_drop_every);
	if (f->intr_drop_pct != 0)
		add(buf, len, &pos, "intr_drop_pct=%" PRIu32, f->intr_drop_pct);
	if (f->seed != 0)
		add(buf, len, &pos, "seed=%" PRIu32, f->seed);
	if (f->corrupt != RTE_HVSIM_CORRUPT_NONE)
		add(buf, len, &pos, "corrupt=%s", name_of(corrupt_names, f->corrupt));
	if (f->nego != RTE_HVSIM_NEGO_OK)
		add(buf, len, &pos, "nego=%s", name_of(nego_names, f->nego));
	if (f->mangle != RTE_HVSIM_MANGLE_NONE) {
		add(buf, len, &pos, "mangle=%s,mangle_op=%s", name_of(mangle_names, f->mangle),
		    name_of(op_names, (int)mangle_target(f)));
		if (f->mangle_nth != 0)
			add(buf, len, &pos, "mangle_nth=%" PRIu32, f->mangle_nth);
		if (f->mangle == RTE_HVSIM_MANGLE_TRUNCATE)
			add(buf, len, &pos, "mangle_len=%" PRIu32, f->mangle_len);
	}
	if (f->step != RTE_HVSIM_STEP_NONE) {
		if (f->step == RTE_HVSIM_STEP_WRITE)
			add(buf, len, &pos, "step=write:%" PRIu32, RTE_MAX(f->step_nth, 1u));
		else
			add(buf, len, &pos, "step=%s", name_of(step_names, f->step));
		add(buf, len, &pos, "action=%s", name_of(action_names, f->action));
		if (f->action == RTE_HVSIM_ACT_KILL)
			add(buf, len, &pos, "pid=%d", f->step_pid);
	}
	if (pos == 0)
		snprintf(buf, len, "none");
	return pos >= len ? -ENOSPC : 0;
}
