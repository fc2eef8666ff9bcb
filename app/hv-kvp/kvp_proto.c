/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * Fields are read and written with memcpy at their offsets in the body: the body has no
 * alignment guarantee, and a field is only touched once the body is known to hold the whole
 * structure of its operation.
 */

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#include "kvp_core_log.h"
#include "kvp_proto.h"

/* Body offsets (struct rte_hvdev_kvp_msg and struct rte_hvdev_kvp_ip_msg). */
#define OFF_OP		0
#define OFF_POOL	1
#define OFF_BODY	offsetof(struct rte_hvdev_kvp_msg, body)
#define VAL_OFF(field)	offsetof(struct rte_hvdev_kvp_value, field)
#define OFF_ENUM_INDEX	(OFF_BODY + offsetof(struct rte_hvdev_kvp_enumerate, index))
#define OFF_ENUM_DATA	(OFF_BODY + offsetof(struct rte_hvdev_kvp_enumerate, data))
#define OFF_DEL_SIZE	(OFF_BODY + offsetof(struct rte_hvdev_kvp_delete, key_size))
#define OFF_DEL_KEY	(OFF_BODY + offsetof(struct rte_hvdev_kvp_delete, key))
#define OFF_IP		offsetof(struct rte_hvdev_kvp_ip_msg, ip)

/* Smallest body of each operation: its whole structure, as hosts send it. */
#define LEN_GETSET	(OFF_BODY + sizeof(struct rte_hvdev_kvp_value))
#define LEN_DELETE	(OFF_BODY + sizeof(struct rte_hvdev_kvp_delete))
#define LEN_ENUMERATE	(OFF_BODY + sizeof(struct rte_hvdev_kvp_enumerate))
#define LEN_IP		sizeof(struct rte_hvdev_kvp_ip_msg)

#define KEY_UNITS	(RTE_HVDEV_KVP_MAX_KEY_SIZE / 2)
#define VALUE_UNITS	(RTE_HVDEV_KVP_MAX_VALUE_SIZE / 2)

/* The outcome of one request, before it becomes a status and a record. */
struct outcome {
	uint32_t status;
	const char *reason;
	uint32_t index;
	const char *key;
};

static uint32_t
get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return rte_le_to_cpu_32(v);
}

static uint64_t
get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return rte_le_to_cpu_64(v);
}

static void
put32(uint8_t *p, uint32_t v)
{
	v = rte_cpu_to_le_32(v);
	memcpy(p, &v, sizeof(v));
}

static uint32_t
fail(struct outcome *o, uint32_t status, const char *reason)
{
	o->status = status;
	o->reason = reason;
	return status;
}

void
kvp_ctx_init(struct kvp_ctx *c, struct kvp_pools *pools, const struct kvp_handler_ops *ops,
	     void *arg)
{
	static const struct kvp_handler_ops none;

	memset(c, 0, sizeof(*c));
	c->pools = pools;
	c->ops = ops != NULL ? ops : &none;
	c->arg = arg;
}

void
kvp_ctx_reset(struct kvp_ctx *c)
{
	c->negotiated = false;
}

/*
 * A UTF-16LE string of @p size bytes from the host into @p out (@p out_len bytes). The size
 * counts bytes with the NUL, as the uapi says: it must be even, non-zero, at most @p max, and
 * the units it covers must hold a NUL and be valid UTF-16.
 */
static uint32_t
decode_sized(struct outcome *o, const uint8_t *src, uint32_t size, uint32_t max, char *out,
	     size_t out_len, const char *what_size, const char *what_utf16, const char *what_long)
{
	int ret;

	out[0] = '\0';
	if (size == 0 || size % 2 != 0 || size > max)
		return fail(o, RTE_HVDEV_KVP_INVALIDARG, what_size);
	ret = rte_hvdev_utf16_to_utf8(src, size / 2, out, out_len);
	if (ret == -ENAMETOOLONG)
		return fail(o, RTE_HVDEV_KVP_INVALIDARG, what_long);
	if (ret < 0)
		return fail(o, RTE_HVDEV_KVP_INVALIDARG, what_utf16);
	return RTE_HVDEV_KVP_S_OK;
}

static uint32_t
decode_key(struct kvp_ctx *c, struct outcome *o, const uint8_t *src, uint32_t size)
{
	return decode_sized(o, src, size, RTE_HVDEV_KVP_MAX_KEY_SIZE, c->key, KVP_POOL_KEY_BYTES,
			    "key_size is 0, odd or over 512",
			    "key is not valid UTF-16 or has no NUL within key_size",
			    "key is over 511 bytes in UTF-8, more than a pool record holds");
}

/*
 * Encode @p s into the UTF-16LE field @p dst of @p units units (NUL included), cut at a
 * character boundary when too long, as the kernel cuts answers to the host.
 * @return the units written before the NUL, or -EILSEQ (not UTF-8).
 */
static int
encode_cut(const char *s, uint8_t *dst, size_t units)
{
	size_t len = strlen(s), pos = 0, n = 0, need;
	uint32_t cp;
	int used;

	while (pos < len) {
		used = rte_hvdev_utf8_decode(s + pos, len - pos, &cp);
		if (used < 0)
			return -EILSEQ;
		need = cp >= 0x10000 ? 2 : 1;
		if (n + need >= units)
			break;
		n += need;
		pos += (size_t)used;
	}
	memset(dst, 0, units * 2);
	return rte_hvdev_utf8_to_utf16(s, pos, dst, units);
}

/* Key and value of an ENUMERATE or GET answer into the value structure at @p v. */
static uint32_t
answer_pair(struct outcome *o, uint8_t *v, const char *key, const char *value)
{
	uint8_t wkey[RTE_HVDEV_KVP_MAX_KEY_SIZE];
	uint8_t wvalue[RTE_HVDEV_KVP_MAX_VALUE_SIZE];
	int kunits = 0, vunits;

	if (key != NULL) {
		/* A key is never cut: a shorter key is another key. */
		memset(wkey, 0, sizeof(wkey));
		kunits = rte_hvdev_utf8_to_utf16(key, strlen(key), wkey, KEY_UNITS);
		if (kunits < 0)
			return fail(o, RTE_HVDEV_KVP_E_FAIL, kunits == -ENAMETOOLONG ?
				    "key over 255 UTF-16 units" : "key is not UTF-8");
	}
	vunits = encode_cut(value, wvalue, VALUE_UNITS);
	if (vunits < 0)
		return fail(o, RTE_HVDEV_KVP_E_FAIL, "value is not UTF-8");
	/* Everything checked: only now is the body changed. */
	put32(v + VAL_OFF(value_type), RTE_HVDEV_KVP_REG_SZ);
	if (key != NULL) {
		put32(v + VAL_OFF(key_size), 2 * ((uint32_t)kunits + 1));
		memcpy(v + VAL_OFF(key), wkey, sizeof(wkey));
	}
	put32(v + VAL_OFF(value_size), 2 * ((uint32_t)vunits + 1));
	memcpy(v + VAL_OFF(value), wvalue, sizeof(wvalue));
	return RTE_HVDEV_KVP_S_OK;
}

/* Status of a failed pool operation: as the daemon answers it, or E_FAIL for the file. */
static uint32_t
pool_fail(struct outcome *o, int ret)
{
	switch (ret) {
	case -ENOENT:
		return fail(o, RTE_HVDEV_KVP_S_CONT, "no such key");
	case -ENOSPC:
		return fail(o, RTE_HVDEV_KVP_S_CONT, "the pool is full");
	case -EINVAL:
		return fail(o, RTE_HVDEV_KVP_S_CONT, "the record is not valid");
	case -ETIMEDOUT:
		return fail(o, RTE_HVDEV_KVP_E_FAIL, "the pool file stayed locked");
	case -EFBIG:
		return fail(o, RTE_HVDEV_KVP_E_FAIL, "the pool file is too large");
	default:
		return fail(o, RTE_HVDEV_KVP_E_FAIL, "the pool file cannot be read or written");
	}
}

static uint32_t
on_get(struct kvp_ctx *c, struct outcome *o, uint8_t *body, unsigned int pool)
{
	uint8_t *v = body + OFF_BODY;
	uint32_t st;
	int ret;

	st = decode_key(c, o, v + VAL_OFF(key), get32(v + VAL_OFF(key_size)));
	if (st != RTE_HVDEV_KVP_S_OK)
		return st;
	if (c->pools == NULL)
		return fail(o, RTE_HVDEV_KVP_E_FAIL, "no pool files");
	ret = kvp_pool_get(c->pools, pool, c->key, c->value, sizeof(c->value));
	if (ret < 0)
		return pool_fail(o, ret);
	/* The kernel answers the value only; the key stays as the host sent it. */
	return answer_pair(o, v, NULL, c->value);
}

static uint32_t
on_set(struct kvp_ctx *c, struct outcome *o, uint8_t *body, unsigned int pool)
{
	uint8_t *v = body + OFF_BODY;
	uint32_t type = get32(v + VAL_OFF(value_type));
	uint32_t vsize = get32(v + VAL_OFF(value_size));
	uint32_t st;
	int ret;

	st = decode_key(c, o, v + VAL_OFF(key), get32(v + VAL_OFF(key_size)));
	if (st != RTE_HVDEV_KVP_S_OK)
		return st;
	switch (type) {
	case RTE_HVDEV_KVP_REG_SZ:
	case RTE_HVDEV_KVP_REG_EXPAND_SZ:
		st = decode_sized(o, v + VAL_OFF(value), vsize, RTE_HVDEV_KVP_MAX_VALUE_SIZE,
				  c->value, KVP_POOL_VALUE_BYTES,
				  "value_size is 0, odd or over 2048",
				  "value is not valid UTF-16 or has no NUL within value_size",
				  "value is over 2047 bytes in UTF-8, more than a record holds");
		if (st != RTE_HVDEV_KVP_S_OK)
			return st;
		break;
	case RTE_HVDEV_KVP_REG_U32:
		/* Stored as its decimal text, as the kernel stores it; the size is not used. */
		if (vsize > RTE_HVDEV_KVP_MAX_VALUE_SIZE)
			return fail(o, RTE_HVDEV_KVP_INVALIDARG, "value_size over 2048");
		snprintf(c->value, sizeof(c->value), "%" PRIu32, get32(v + VAL_OFF(value)));
		break;
	case RTE_HVDEV_KVP_REG_U64:
	case RTE_HVDEV_KVP_REG_QWORD:
		if (vsize > RTE_HVDEV_KVP_MAX_VALUE_SIZE)
			return fail(o, RTE_HVDEV_KVP_INVALIDARG, "value_size over 2048");
		snprintf(c->value, sizeof(c->value), "%" PRIu64, get64(v + VAL_OFF(value)));
		break;
	default:
		return fail(o, RTE_HVDEV_KVP_INVALIDARG, "unknown value_type");
	}
	if (c->pools == NULL)
		return fail(o, RTE_HVDEV_KVP_E_FAIL, "no pool files");
	ret = kvp_pool_set(c->pools, pool, c->key, c->value);
	return ret < 0 ? pool_fail(o, ret) : RTE_HVDEV_KVP_S_OK;
}

static uint32_t
on_delete(struct kvp_ctx *c, struct outcome *o, uint8_t *body, unsigned int pool)
{
	uint32_t st;
	int ret;

	st = decode_key(c, o, body + OFF_DEL_KEY, get32(body + OFF_DEL_SIZE));
	if (st != RTE_HVDEV_KVP_S_OK)
		return st;
	if (c->pools == NULL)
		return fail(o, RTE_HVDEV_KVP_E_FAIL, "no pool files");
	ret = kvp_pool_delete(c->pools, pool, c->key);
	return ret < 0 ? pool_fail(o, ret) : RTE_HVDEV_KVP_S_OK;
}

static uint32_t
on_enumerate(struct kvp_ctx *c, struct outcome *o, uint8_t *body, unsigned int pool)
{
	uint32_t index = get32(body + OFF_ENUM_INDEX);
	int ret;

	o->index = index;
	c->key[0] = '\0';
	c->value[0] = '\0';
	if (pool == RTE_HVDEV_KVP_POOL_AUTO) {
		if (c->ops->intrinsic == NULL)
			return fail(o, RTE_HVDEV_KVP_S_CONT, "no more items");
		ret = c->ops->intrinsic(c->arg, index, c->key, sizeof(c->key), c->value,
					sizeof(c->value));
		/* Whatever the callback left, the strings end inside their buffers. */
		c->key[sizeof(c->key) - 1] = '\0';
		c->value[sizeof(c->value) - 1] = '\0';
		if (ret == -ENOENT)
			return fail(o, RTE_HVDEV_KVP_S_CONT, "no more items");
		if (ret < 0)
			return fail(o, RTE_HVDEV_KVP_E_FAIL, "the intrinsic item failed");
	} else {
		if (c->pools == NULL)
			return fail(o, RTE_HVDEV_KVP_E_FAIL, "no pool files");
		ret = kvp_pool_enumerate(c->pools, pool, index, c->key, sizeof(c->key), c->value,
					 sizeof(c->value));
		if (ret == -ENOENT)
			return fail(o, RTE_HVDEV_KVP_S_CONT, "no more items");
		if (ret < 0)
			return pool_fail(o, ret);
	}
	return answer_pair(o, body + OFF_ENUM_DATA, c->key, c->value);
}

/* The IP strings of the wire structure, in order, with their sizes in units. */
struct ip_field {
	size_t wire_off;	/* in struct rte_hvdev_kvp_ip_value */
	size_t units;
	size_t info_off;	/* in struct kvp_ip_info */
	size_t info_len;
};

#define IP_FIELD(w, n, i) { offsetof(struct rte_hvdev_kvp_ip_value, w), n, \
	offsetof(struct kvp_ip_info, i), sizeof(((struct kvp_ip_info *)0)->i) }

static const struct ip_field ip_fields[] = {
	IP_FIELD(adapter_id, RTE_HVDEV_KVP_MAX_ADAPTER_ID, adapter_id),
	IP_FIELD(ip_addr, RTE_HVDEV_KVP_MAX_IP_ADDR, ip_addr),
	IP_FIELD(sub_net, RTE_HVDEV_KVP_MAX_IP_ADDR, sub_net),
	IP_FIELD(gate_way, RTE_HVDEV_KVP_MAX_GATEWAY, gate_way),
	IP_FIELD(dns_addr, RTE_HVDEV_KVP_MAX_IP_ADDR, dns_addr),
};

#define IP_FAMILY_OFF offsetof(struct rte_hvdev_kvp_ip_value, addr_family)
#define IP_DHCP_OFF offsetof(struct rte_hvdev_kvp_ip_value, dhcp_enabled)

static uint32_t
decode_ip(struct kvp_ctx *c, struct outcome *o, const uint8_t *ip, unsigned int nfields)
{
	unsigned int i;
	char *dst;

	memset(&c->ip, 0, sizeof(c->ip));
	c->ip.addr_family = ip[IP_FAMILY_OFF];
	c->ip.dhcp_enabled = ip[IP_DHCP_OFF];
	for (i = 0; i < nfields; i++) {
		dst = (char *)&c->ip + ip_fields[i].info_off;
		if (rte_hvdev_utf16_to_utf8(ip + ip_fields[i].wire_off, ip_fields[i].units, dst,
					    ip_fields[i].info_len) < 0)
			return fail(o, RTE_HVDEV_KVP_INVALIDARG, i == 0 ?
				    "adapter_id is not valid UTF-16 or has no NUL" :
				    "an address string is not valid UTF-16 or has no NUL");
	}
	return RTE_HVDEV_KVP_S_OK;
}

static uint32_t
on_get_ip(struct kvp_ctx *c, struct outcome *o, uint8_t *body)
{
	uint8_t *ip = body + OFF_IP;
	uint8_t *w = (uint8_t *)&c->ip_wire;
	unsigned int i;
	uint32_t st;
	int ret;

	/* The kernel passes the adapter id and the address family to the daemon, nothing else. */
	st = decode_ip(c, o, ip, 1);
	o->key = c->ip.adapter_id;
	if (st != RTE_HVDEV_KVP_S_OK)
		return st;
	c->ip.dhcp_enabled = 0;
	if (c->ops->get_ip_info == NULL)
		return fail(o, RTE_HVDEV_KVP_E_FAIL, "IP information is not served");
	st = c->ops->get_ip_info(c->arg, &c->ip);
	if (st != RTE_HVDEV_KVP_S_OK)
		return fail(o, st, "the adapter's IP information could not be read");
	memset(w, 0, sizeof(c->ip_wire));
	for (i = 0; i < RTE_DIM(ip_fields); i++) {
		char *src = (char *)&c->ip + ip_fields[i].info_off;

		src[ip_fields[i].info_len - 1] = '\0';
		ret = rte_hvdev_utf8_to_utf16(src, strlen(src), w + ip_fields[i].wire_off,
					      ip_fields[i].units);
		if (ret < 0)
			return fail(o, RTE_HVDEV_KVP_E_FAIL, "IP strings too long or not UTF-8");
	}
	w[IP_FAMILY_OFF] = c->ip.addr_family;
	w[IP_DHCP_OFF] = c->ip.dhcp_enabled;
	memcpy(ip, w, sizeof(c->ip_wire));
	return RTE_HVDEV_KVP_S_OK;
}

static uint32_t
on_set_ip(struct kvp_ctx *c, struct outcome *o, uint8_t *body)
{
	uint32_t st;

	st = decode_ip(c, o, body + OFF_IP, RTE_DIM(ip_fields));
	o->key = c->ip.adapter_id;
	if (st != RTE_HVDEV_KVP_S_OK)
		return st;
	if (c->ops->set_ip_info == NULL)
		return fail(o, RTE_HVDEV_KVP_E_FAIL, "IP injection is not served");
	st = c->ops->set_ip_info(c->arg, &c->ip);
	return st == RTE_HVDEV_KVP_S_OK ? st : fail(o, st, "the IP settings were not applied");
}

static uint32_t
dispatch(struct kvp_ctx *c, struct outcome *o, uint8_t *body, uint32_t body_len, uint8_t op,
	 uint8_t pool)
{
	static const uint32_t min_len[RTE_HVDEV_KVP_OP_COUNT] = {
		[RTE_HVDEV_KVP_OP_GET] = LEN_GETSET,
		[RTE_HVDEV_KVP_OP_SET] = LEN_GETSET,
		[RTE_HVDEV_KVP_OP_DELETE] = LEN_DELETE,
		[RTE_HVDEV_KVP_OP_ENUMERATE] = LEN_ENUMERATE,
		[RTE_HVDEV_KVP_OP_GET_IP_INFO] = LEN_IP,
		[RTE_HVDEV_KVP_OP_SET_IP_INFO] = LEN_IP,
	};

	if (op >= RTE_HVDEV_KVP_OP_COUNT)
		return fail(o, RTE_HVDEV_KVP_ERROR_NOT_SUPPORTED, "unknown operation");
	if (body_len < min_len[op])
		return fail(o, RTE_HVDEV_KVP_INVALIDARG,
			    "icmsgsize is shorter than the operation's structure");
	switch (op) {
	case RTE_HVDEV_KVP_OP_GET_IP_INFO:
		return on_get_ip(c, o, body);
	case RTE_HVDEV_KVP_OP_SET_IP_INFO:
		return on_set_ip(c, o, body);
	default:
		break;
	}
	if (pool >= RTE_HVDEV_KVP_POOL_COUNT)
		return fail(o, RTE_HVDEV_KVP_INVALIDARG, "unknown pool");
	switch (op) {
	case RTE_HVDEV_KVP_OP_GET:
		return on_get(c, o, body, pool);
	case RTE_HVDEV_KVP_OP_SET:
		return on_set(c, o, body, pool);
	case RTE_HVDEV_KVP_OP_DELETE:
		return on_delete(c, o, body, pool);
	default:
		return on_enumerate(c, o, body, pool);
	}
}

uint32_t
kvp_handle_request(struct kvp_ctx *c, uint8_t *body, uint32_t body_len, uint32_t buf_len)
{
	struct outcome o = { .status = RTE_HVDEV_KVP_S_OK };
	struct kvp_op_record rec;
	uint8_t op = UINT8_MAX, pool = UINT8_MAX;
	uint32_t st;

	c->key[0] = '\0';
	o.key = c->key;
	if (body == NULL || body_len > buf_len) {
		st = fail(&o, RTE_HVDEV_KVP_INVALIDARG, "icmsgsize beyond the payload");
	} else if (body_len < OFF_POOL + 1) {
		st = fail(&o, RTE_HVDEV_KVP_INVALIDARG, "no operation and pool in the body");
	} else {
		op = body[OFF_OP];
		pool = body[OFF_POOL];
		st = dispatch(c, &o, body, body_len, op, pool);
	}
	c->stats.requests[RTE_MIN(op, (uint8_t)RTE_HVDEV_KVP_OP_COUNT)]++;
	if (st == RTE_HVDEV_KVP_S_OK)
		c->stats.ok++;
	else
		c->stats.failed++;
	if (st == RTE_HVDEV_KVP_INVALIDARG || st == RTE_HVDEV_KVP_ERROR_NOT_SUPPORTED)
		c->stats.malformed++;
	if (c->ops->record != NULL) {
		rec.operation = op;
		rec.pool = pool;
		rec.index = o.index;
		rec.status = st;
		rec.key = o.key;
		rec.reason = st == RTE_HVDEV_KVP_S_OK ? NULL : o.reason;
		c->ops->record(c->arg, &rec);
	}
	return st;
}

static uint32_t
on_negotiate(struct kvp_ctx *c, uint8_t *msg, uint32_t len)
{
	const struct rte_hvdev_ic_class *cls = rte_hvdev_ic_class_by_name("kvp");
	struct rte_hvdev_ic_version fw, srv;
	int ret;

	ret = rte_hvdev_ic_negotiate(msg, len, cls->fw, cls->nfw, cls->srv, cls->nsrv, &fw, &srv);
	if (ret < 0) {
		KVP_CORE_LOG(ERR, "version negotiation failed: %s", ret == -ENOTSUP ?
			     "the host offers no framework 3.0 or 1.0, or no KVP 4.0, 3.0 or 1.0" :
			     "malformed NEGOTIATE");
		/* Too short for the helper to answer: the header still carries a status. */
		if (len < RTE_HVDEV_IC_NEGOTIATE_SIZE(0, 0))
			rte_hvdev_ic_make_response(msg, RTE_HVDEV_KVP_E_FAIL);
		return RTE_HVDEV_KVP_E_FAIL;
	}
	if (!c->negotiated || fw.major != c->fw.major || fw.minor != c->fw.minor ||
	    srv.major != c->srv.major || srv.minor != c->srv.minor)
		KVP_CORE_LOG(INFO, "negotiated framework %u.%u, KVP %u.%u", fw.major, fw.minor,
			     srv.major, srv.minor);
	c->negotiated = true;
	c->fw = fw;
	c->srv = srv;
	return RTE_HVDEV_KVP_S_OK;
}

bool
kvp_handle_payload(struct kvp_ctx *c, void *payload, uint32_t len)
{
	struct rte_hvdev_ic_hdr hdr;
	uint8_t *msg = payload;
	uint32_t body_len, st;
	int ret;

	if (payload == NULL || len < RTE_HVDEV_IC_HDR_SIZE)
		return false;
	ret = rte_hvdev_ic_parse(msg, len, &hdr, &body_len);
	if (hdr.icmsgtype == RTE_HVDEV_IC_MSG_NEGOTIATE) {
		on_negotiate(c, msg, len);
		return true;
	}
	if (ret < 0)
		st = RTE_HVDEV_KVP_INVALIDARG;	/* icmsgsize runs beyond the payload */
	else if (hdr.icmsgtype != RTE_HVDEV_IC_MSG_KVPEXCHANGE)
		st = RTE_HVDEV_KVP_ERROR_NOT_SUPPORTED;
	else
		st = kvp_handle_request(c, msg + RTE_HVDEV_IC_HDR_SIZE, body_len,
					len - RTE_HVDEV_IC_HDR_SIZE);
	rte_hvdev_ic_make_response(msg, st);
	return true;
}
