/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * The KVP request handler (kvp_proto.h) on payloads built byte by byte from the kernel uapi
 * (include/uapi/linux/hyperv.h): every offset below is written out by hand, never taken from
 * hvdev's own structures, so that a wrong structure in rte_hvdev_kvp.h fails here. Every
 * operation on every pool, the answers' exact bytes and status codes, and the hostile cases:
 * sizes past the limits, odd sizes, no NUL, invalid UTF-16, bad pools, unknown operations,
 * truncated bodies and an icmsgsize that lies. A refused request changes nothing but the
 * status and flags of its header, and nothing is ever written beyond the payload.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <rte_common.h>

#include "hvdev_test.h"
#include "kvp_handler.h"
#include "kvp_pool.h"
#include "kvp_proto.h"

/* The IC header (28 bytes) and the offsets of its fields. */
#define HDR		28
#define IC_TYPE		12
#define IC_MSGSIZE	18
#define IC_STATUS	20
#define IC_XACT		24
#define IC_FLAGS	25

/* hv_kvp_msg: hv_kvp_hdr {u8 operation, u8 pool, u16 pad} then the body union at 4. */
#define B_OP		0
#define B_POOL		1
/* hv_kvp_exchg_msg_value at 4: value_type, key_size, value_size, key[512], value[2048]. */
#define GS_TYPE		4
#define GS_KSIZE	8
#define GS_VSIZE	12
#define GS_KEY		16
#define GS_VALUE	528
/* hv_kvp_msg_enumerate at 4: index, then hv_kvp_exchg_msg_value at 8. */
#define EN_INDEX	4
#define EN_TYPE		8
#define EN_KSIZE	12
#define EN_VSIZE	16
#define EN_KEY		20
#define EN_VALUE	532
/* hv_kvp_msg_delete at 4: key_size, key[512]. */
#define DEL_KSIZE	4
#define DEL_KEY		8
/* sizeof(struct hv_kvp_msg) up to the largest non-IP member: 4 + 4 + 12 + 512 + 2048. */
#define KVP_BODY	2580
/* hv_kvp_ip_msg {u8 operation, u8 pool, hv_kvp_ipaddr_value}: no padding. */
#define IP_ADAPTER	2	/* u16[128] */
#define IP_FAMILY	258
#define IP_DHCP		259
#define IP_ADDR		260	/* u16[1024] */
#define IP_SUBNET	2308	/* u16[1024] */
#define IP_GATEWAY	4356	/* u16[512] */
#define IP_DNS		5380	/* u16[1024] */
#define IP_BODY		7428

#define S_OK		0x00000000u
#define E_FAIL		0x80004005u
#define S_CONT		0x80070103u
#define NOT_SUPPORTED	0x80070032u
#define INVALIDARG	0x80070057u
#define GUID_NOTFOUND	0x80041002u

#define GUARD		64
#define XACT		0x77
#define MAC		"00:15:5D:00:01:02"

static char top[256];
static struct kvp_pools *pools;
static struct kvp_ctx ctx;
static uint8_t buf[HDR + IP_BODY + 8 + GUARD];
static uint8_t before[sizeof(buf)];
static struct kvp_op_record last;
static char last_key[KVP_KEY_UTF8_MAX];
static struct kvp_ip_info set_seen;
static unsigned int records;

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

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* ASCII @p s as UTF-16LE with its NUL at @p p. @return the size in bytes, NUL included. */
static uint32_t
put_ascii16(uint8_t *p, const char *s)
{
	size_t i, n = strlen(s);

	for (i = 0; i <= n; i++)
		put16(p + 2 * i, (uint8_t)s[i]);
	return (uint32_t)(2 * (n + 1));
}

/* The UTF-16LE string at @p p equals ASCII @p s followed by a NUL. */
static bool
is_ascii16(const uint8_t *p, const char *s)
{
	size_t i, n = strlen(s);

	for (i = 0; i <= n; i++)
		if (p[2 * i] != (uint8_t)s[i] || p[2 * i + 1] != 0)
			return false;
	return true;
}

/* An IC request of @p body bytes, type @p type, everything else zero; the guard after it. */
static uint8_t *
request(uint16_t type, uint32_t body)
{
	memset(buf, 0, sizeof(buf));
	memset(buf + HDR + body, 0xee, sizeof(buf) - HDR - body);
	put32(buf + 0, 1);			/* pipe flags */
	put32(buf + 4, HDR - 8 + body);		/* pipe msgsize */
	put16(buf + 8, 3);			/* framework 3.0 */
	put16(buf + IC_TYPE, type);
	put16(buf + 14, 4);			/* KVP 4.0 */
	put16(buf + IC_MSGSIZE, (uint16_t)body);
	buf[IC_XACT] = XACT;
	buf[IC_FLAGS] = 3;			/* TRANSACTION | REQUEST */
	return buf + HDR;
}

static uint8_t *
kvp(uint8_t op, uint8_t pool)
{
	uint8_t *b = request(2, op >= 4 && op <= 5 ? IP_BODY : KVP_BODY);

	b[B_OP] = op;
	b[B_POOL] = pool;
	return b;
}

/* Run the request of @p len payload bytes; the answer must be a response to it. */
static uint32_t
run_len(uint32_t len)
{
	uint32_t i;

	memcpy(before, buf, sizeof(buf));
	if (!kvp_handle_payload(&ctx, buf, len))
		return UINT32_MAX;
	for (i = len; i < sizeof(buf); i++)
		if (buf[i] != before[i])
			return UINT32_MAX - 1;	/* written beyond the payload */
	if (buf[IC_FLAGS] != 5 || buf[IC_XACT] != XACT || memcmp(buf, before, IC_STATUS) != 0)
		return UINT32_MAX - 2;		/* header not a response to this request */
	return get32(buf + IC_STATUS);
}

static uint32_t
run(void)
{
	return run_len(HDR + get32(buf + 4) - (HDR - 8));
}

/* The body is exactly as the request had it. */
static bool
body_unchanged(void)
{
	return memcmp(buf + HDR, before + HDR, sizeof(buf) - HDR) == 0;
}

static int
cb_intrinsic(void *arg, uint32_t index, char *key, size_t key_len, char *value,
	     size_t value_len)
{
	static const char *const names[] = { "FullyQualifiedDomainName",
		"IntegrationServicesVersion" };
	static const char *const values[] = { "vm1.example.com", "3.1" };
	size_t i;

	RTE_SET_USED(arg);
	if (index < RTE_DIM(names)) {
		snprintf(key, key_len, "%s", names[index]);
		snprintf(value, value_len, "%s", values[index]);
		return 0;
	}
	if (index == 7) {
		/* 1022 'a' then U+1F600: the pair would be units 1023-1024, the NUL's place. */
		snprintf(key, key_len, "Long");
		for (i = 0; i < 1022; i++)
			value[i] = 'a';
		memcpy(value + 1022, "\xf0\x9f\x98\x80", 5);
		return 0;
	}
	if (index == 8)
		return -EIO;
	return -ENOENT;
}

static uint32_t
cb_get_ip(void *arg, struct kvp_ip_info *info)
{
	RTE_SET_USED(arg);
	if (strcmp(info->adapter_id, MAC) != 0)
		return E_FAIL;
	info->addr_family = 3;
	info->dhcp_enabled = 1;
	snprintf(info->ip_addr, sizeof(info->ip_addr), "192.0.2.5;2001:db8::5");
	snprintf(info->sub_net, sizeof(info->sub_net), "255.255.255.0;64");
	snprintf(info->gate_way, sizeof(info->gate_way), "192.0.2.1");
	snprintf(info->dns_addr, sizeof(info->dns_addr), "192.0.2.53");
	return S_OK;
}

static uint32_t
cb_set_ip(void *arg, const struct kvp_ip_info *info)
{
	RTE_SET_USED(arg);
	set_seen = *info;
	return strcmp(info->adapter_id, "{unknown}") == 0 ? GUID_NOTFOUND : S_OK;
}

static void
cb_record(void *arg, const struct kvp_op_record *rec)
{
	RTE_SET_USED(arg);
	last = *rec;
	snprintf(last_key, sizeof(last_key), "%s", rec->key != NULL ? rec->key : "(null)");
	last.key = last_key;
	records++;
}

static const struct kvp_handler_ops ops = {
	.intrinsic = cb_intrinsic,
	.get_ip_info = cb_get_ip,
	.set_ip_info = cb_set_ip,
	.record = cb_record,
};

static int
setup(void)
{
	struct kvp_pool_conf conf = { .max_records = 16 };
	char dir[PATH_MAX];

	TEST_ASSERT(hvdev_test_root_create(top, sizeof(top)) == 0, "mkdtemp");
	hvdev_test_fmt(dir, sizeof(dir), "%s/hyperv", top);
	conf.dir = dir;
	TEST_ASSERT_EQUAL(kvp_pools_open(&pools, &conf), 0, "pools");
	kvp_ctx_init(&ctx, pools, &ops, NULL);
	records = 0;
	return TEST_SUCCESS;
}

static void
teardown(void)
{
	kvp_pools_close(pools);
	pools = NULL;
	hvdev_test_root_remove(top);
}

/* Bytes of pool file @p pool into @p out; @return its size or -1. */
static long
pool_file(unsigned int pool, uint8_t *out, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	hvdev_test_fmt(path, sizeof(path), "%s/hyperv/.kvp_pool_%u", top, pool);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, out, len);
	close(fd);
	return (long)n;
}

/* SET of ASCII key and REG_SZ value into @p pool. */
static uint32_t
set_sz(uint8_t pool, const char *key, const char *value)
{
	uint8_t *b = kvp(1, pool);

	put32(b + GS_TYPE, 1);
	put32(b + GS_KSIZE, put_ascii16(b + GS_KEY, key));
	put32(b + GS_VSIZE, put_ascii16(b + GS_VALUE, value));
	return run();
}

static int
test_negotiate(void)
{
	uint8_t *b;

	TEST_RUN(setup());
	/* As OpenVMM offers it: framework 1.0, 3.0; KVP 3.0, 4.0, 5.0. */
	b = request(0, 8 + 5 * 4);
	put16(b + 0, 2);
	put16(b + 2, 3);
	put16(b + 8, 1);
	put16(b + 12, 3);
	put16(b + 16, 3);
	put16(b + 20, 4);
	put16(b + 24, 5);
	TEST_ASSERT_EQUAL(kvp_handle_payload(&ctx, buf, HDR + 28), true, "answered");
	TEST_ASSERT_EQUAL(get32(buf + IC_STATUS), S_OK, "status");
	TEST_ASSERT_EQUAL(buf[IC_MSGSIZE], 0x10, "icmsgsize");
	TEST_ASSERT(b[0] == 1 && b[1] == 0 && b[2] == 1 && b[3] == 0, "counts 1/1");
	TEST_ASSERT(b[8] == 3 && b[10] == 0 && b[12] == 4 && b[14] == 0, "framework 3.0, KVP 4.0");
	TEST_ASSERT(ctx.negotiated && ctx.srv.major == 4, "kept");
	/* A host with KVP 5.0 only: no common version. */
	b = request(0, 8 + 2 * 4);
	put16(b + 0, 1);
	put16(b + 2, 1);
	put16(b + 8, 3);
	put16(b + 12, 5);
	TEST_ASSERT_EQUAL(kvp_handle_payload(&ctx, buf, HDR + 16), true, "answered");
	TEST_ASSERT_EQUAL(get32(buf + IC_STATUS), E_FAIL, "refused");
	TEST_ASSERT(b[0] == 0 && b[2] == 0, "counts 0/0");
	teardown();
	return TEST_SUCCESS;
}

static int
test_set_get(void)
{
	uint8_t file[2 * 2560];
	uint8_t *b;

	TEST_RUN(setup());
	TEST_ASSERT_EQUAL(set_sz(1, "Key1", "Value1"), S_OK, "SET");
	TEST_ASSERT(body_unchanged(), "SET answers with the request's body");
	TEST_ASSERT(last.operation == 1 && last.pool == 1 && last.status == S_OK &&
		    strcmp(last.key, "Key1") == 0 && last.reason == NULL, "record");
	/* The daemon's record: key[512] then value[2048], UTF-8, NUL-terminated. */
	TEST_ASSERT_EQUAL(pool_file(1, file, sizeof(file)), 2560, "one record");
	TEST_ASSERT(memcmp(file, "Key1\0", 5) == 0 && memcmp(file + 512, "Value1\0", 7) == 0,
		    "record bytes");
	TEST_ASSERT_EQUAL(pool_file(0, file, sizeof(file)), 0, "other pools untouched");

	b = kvp(0, 1);
	put32(b + GS_KSIZE, put_ascii16(b + GS_KEY, "Key1"));
	TEST_ASSERT_EQUAL(run(), S_OK, "GET");
	TEST_ASSERT_EQUAL(get32(b + GS_TYPE), 1, "REG_SZ");
	TEST_ASSERT_EQUAL(get32(b + GS_KSIZE), 10, "key_size as sent");
	TEST_ASSERT(is_ascii16(b + GS_KEY, "Key1"), "key as sent");
	TEST_ASSERT_EQUAL(get32(b + GS_VSIZE), 14, "value_size 2 * (6 + 1)");
	TEST_ASSERT(is_ascii16(b + GS_VALUE, "Value1"), "value UTF-16LE");
	TEST_ASSERT(b[GS_VALUE + 14] == 0 && b[KVP_BODY - 1] == 0, "rest of the value zero");

	/* The key must match exactly: "Key" is another key. */
	b = kvp(0, 1);
	put32(b + GS_KSIZE, put_ascii16(b + GS_KEY, "Key"));
	TEST_ASSERT_EQUAL(run(), S_CONT, "GET of a prefix");
	TEST_ASSERT(body_unchanged(), "refused GET leaves the body");
	b = kvp(0, 0);
	put32(b + GS_KSIZE, put_ascii16(b + GS_KEY, "Key1"));
	TEST_ASSERT_EQUAL(run(), S_CONT, "GET from another pool");
	TEST_ASSERT(strcmp(last.reason, "no such key") == 0, "reason %s", last.reason);
	teardown();
	return TEST_SUCCESS;
}

static int
test_set_replace(void)
{
	uint8_t file[3 * 2560];
	unsigned int i;

	TEST_RUN(setup());
	TEST_ASSERT_EQUAL(set_sz(0, "A", "a much longer first value"), S_OK, "SET 1");
	TEST_ASSERT_EQUAL(set_sz(0, "B", "b"), S_OK, "SET 2");
	TEST_ASSERT_EQUAL(set_sz(0, "A", "short"), S_OK, "SET again");
	TEST_ASSERT_EQUAL(pool_file(0, file, sizeof(file)), 2 * 2560, "still two records");
	TEST_ASSERT(memcmp(file + 512, "short\0", 6) == 0, "replaced in place");
	for (i = 512 + 6; i < 2560; i++)
		TEST_ASSERT_EQUAL(file[i], 0, "no stale byte of the old value at %u", i);
	TEST_ASSERT(memcmp(file + 2560, "B\0", 2) == 0, "order kept");
	teardown();
	return TEST_SUCCESS;
}

static int
test_set_numbers(void)
{
	uint8_t file[3 * 2560];
	uint8_t *b;

	TEST_RUN(setup());
	b = kvp(1, 0);
	put32(b + GS_TYPE, 4);			/* REG_U32 */
	put32(b + GS_KSIZE, put_ascii16(b + GS_KEY, "u32"));
	put32(b + GS_VSIZE, 4);
	put32(b + GS_VALUE, 0xffffffffu);
	TEST_ASSERT_EQUAL(run(), S_OK, "REG_U32");
	b = kvp(1, 0);
	put32(b + GS_TYPE, 8);			/* REG_U64, the uapi's number */
	put32(b + GS_KSIZE, put_ascii16(b + GS_KEY, "u64"));
	put32(b + GS_VSIZE, 8);
	put32(b + GS_VALUE, 0xffffffffu);
	put32(b + GS_VALUE + 4, 0xffffffffu);
	TEST_ASSERT_EQUAL(run(), S_OK, "REG_U64");
	b = kvp(1, 0);
	put32(b + GS_TYPE, 11);			/* REG_QWORD, Windows' number */
	put32(b + GS_KSIZE, put_ascii16(b + GS_KEY, "qword"));
	put32(b + GS_VSIZE, 8);
	put32(b + GS_VALUE, 42);
	put32(b + GS_VALUE + 4, 1);
	TEST_ASSERT_EQUAL(run(), S_OK, "REG_QWORD");
	TEST_ASSERT_EQUAL(pool_file(0, file, sizeof(file)), 3 * 2560, "three records");
	TEST_ASSERT(strcmp((char *)file + 512, "4294967295") == 0, "u32 as decimal");
	TEST_ASSERT(strcmp((char *)file + 2560 + 512, "18446744073709551615") == 0,
		    "u64 as decimal");
	TEST_ASSERT(strcmp((char *)file + 2 * 2560 + 512, "4294967338") == 0, "qword");
	teardown();
	return TEST_SUCCESS;
}

static int
test_delete(void)
{
	uint8_t file[2 * 2560];
	uint8_t *b;

	TEST_RUN(setup());
	TEST_ASSERT_EQUAL(set_sz(3, "x", "1"), S_OK, "SET x");
	TEST_ASSERT_EQUAL(set_sz(3, "y", "2"), S_OK, "SET y");
	b = kvp(2, 3);
	put32(b + DEL_KSIZE, put_ascii16(b + DEL_KEY, "x"));
	TEST_ASSERT_EQUAL(run(), S_OK, "DELETE");
	TEST_ASSERT(body_unchanged(), "DELETE answers with the request's body");
	TEST_ASSERT_EQUAL(pool_file(3, file, sizeof(file)), 2560, "one record left");
	TEST_ASSERT(memcmp(file, "y\0", 2) == 0 && memcmp(file + 512, "2\0", 2) == 0, "y moved up");
	b = kvp(2, 3);
	put32(b + DEL_KSIZE, put_ascii16(b + DEL_KEY, "x"));
	TEST_ASSERT_EQUAL(run(), S_CONT, "DELETE again: the daemon's S_CONT");
	teardown();
	return TEST_SUCCESS;
}

static int
test_enumerate_pool(void)
{
	static const char *const keys[] = { "k0", "k1", "k2" };
	static const char *const values[] = { "zero", "", "two" };
	unsigned int i;
	uint8_t *b;

	TEST_RUN(setup());
	for (i = 0; i < RTE_DIM(keys); i++)
		TEST_ASSERT_EQUAL(set_sz(0, keys[i], values[i]), S_OK, "SET %u", i);
	for (i = 0; i < RTE_DIM(keys); i++) {
		b = kvp(3, 0);
		put32(b + EN_INDEX, i);
		TEST_ASSERT_EQUAL(run(), S_OK, "ENUMERATE %u", i);
		TEST_ASSERT_EQUAL(get32(b + EN_INDEX), i, "index kept");
		TEST_ASSERT_EQUAL(get32(b + EN_TYPE), 1, "REG_SZ");
		TEST_ASSERT_EQUAL(get32(b + EN_KSIZE), 6, "key_size 2 * (2 + 1)");
		TEST_ASSERT(is_ascii16(b + EN_KEY, keys[i]), "key %u", i);
		TEST_ASSERT_EQUAL(get32(b + EN_VSIZE), 2 * (strlen(values[i]) + 1), "value_size");
		TEST_ASSERT(is_ascii16(b + EN_VALUE, values[i]), "value %u", i);
		TEST_ASSERT_EQUAL(last.index, i, "record index");
	}
	b = kvp(3, 0);
	put32(b + EN_INDEX, 3);
	TEST_ASSERT_EQUAL(run(), S_CONT, "past the end: HV_S_CONT ends the host's iteration");
	TEST_ASSERT(body_unchanged(), "nothing filled");
	b = kvp(3, 1);
	TEST_ASSERT_EQUAL(run(), S_CONT, "empty pool");
	teardown();
	return TEST_SUCCESS;
}

static int
test_enumerate_auto(void)
{
	uint8_t *b;
	unsigned int i;

	TEST_RUN(setup());
	/* A record in file 2 is not what ENUMERATE of the auto pool shows. */
	TEST_ASSERT_EQUAL(set_sz(2, "file", "record"), S_OK, "SET into pool 2");
	b = kvp(3, 2);
	put32(b + EN_INDEX, 0);
	TEST_ASSERT_EQUAL(run(), S_OK, "intrinsic 0");
	TEST_ASSERT(is_ascii16(b + EN_KEY, "FullyQualifiedDomainName"), "key");
	TEST_ASSERT_EQUAL(get32(b + EN_KSIZE), 50, "key_size 2 * (24 + 1)");
	TEST_ASSERT(is_ascii16(b + EN_VALUE, "vm1.example.com"), "value");
	TEST_ASSERT_EQUAL(get32(b + EN_VSIZE), 32, "value_size 2 * (15 + 1)");
	b = kvp(3, 2);
	put32(b + EN_INDEX, 2);
	TEST_ASSERT_EQUAL(run(), S_CONT, "no item 2");
	b = kvp(3, 2);
	put32(b + EN_INDEX, 8);
	TEST_ASSERT_EQUAL(run(), E_FAIL, "a failing item");
	TEST_ASSERT(body_unchanged(), "nothing filled");

	/* A value longer than the wire: cut before the surrogate pair, never inside it. */
	b = kvp(3, 2);
	put32(b + EN_INDEX, 7);
	TEST_ASSERT_EQUAL(run(), S_OK, "long value");
	TEST_ASSERT_EQUAL(get32(b + EN_VSIZE), 2046, "1022 units and the NUL");
	for (i = 0; i < 1022; i++)
		TEST_ASSERT(b[EN_VALUE + 2 * i] == 'a' && b[EN_VALUE + 2 * i + 1] == 0, "unit %u",
			    i);
	TEST_ASSERT(b[EN_VALUE + 2044] == 0 && b[EN_VALUE + 2045] == 0, "NUL");
	TEST_ASSERT(b[EN_VALUE + 2046] == 0 && b[EN_VALUE + 2047] == 0, "no half pair");

	/* Without an intrinsic provider the auto pool is empty. */
	kvp_ctx_init(&ctx, pools, NULL, NULL);
	b = kvp(3, 2);
	TEST_ASSERT_EQUAL(run(), S_CONT, "no provider");
	teardown();
	return TEST_SUCCESS;
}

/* SET, GET, ENUMERATE, DELETE on every pool, each in its own file. */
static int
test_every_pool(void)
{
	uint8_t file[2560];
	unsigned int pool;
	char key[16];
	uint8_t *b;

	TEST_RUN(setup());
	for (pool = 0; pool < 5; pool++) {
		snprintf(key, sizeof(key), "pool%u", pool);
		TEST_ASSERT_EQUAL(set_sz((uint8_t)pool, key, "v"), S_OK, "SET %u", pool);
	}
	for (pool = 0; pool < 5; pool++) {
		snprintf(key, sizeof(key), "pool%u", pool);
		TEST_ASSERT_EQUAL(pool_file(pool, file, sizeof(file)), 2560, "file %u", pool);
		TEST_ASSERT(strcmp((char *)file, key) == 0, "key in file %u", pool);
		b = kvp(0, (uint8_t)pool);
		put32(b + GS_KSIZE, put_ascii16(b + GS_KEY, key));
		TEST_ASSERT_EQUAL(run(), S_OK, "GET %u", pool);
		b = kvp(3, (uint8_t)pool);
		TEST_ASSERT_EQUAL(run(), S_OK, "ENUMERATE %u", pool);
		TEST_ASSERT(is_ascii16(b + EN_KEY, pool == 2 ? "FullyQualifiedDomainName" : key),
			    "enumerated key of pool %u", pool);
		b = kvp(2, (uint8_t)pool);
		put32(b + DEL_KSIZE, put_ascii16(b + DEL_KEY, key));
		TEST_ASSERT_EQUAL(run(), S_OK, "DELETE %u", pool);
		TEST_ASSERT_EQUAL(pool_file(pool, file, sizeof(file)), 0, "file %u empty", pool);
	}
	teardown();
	return TEST_SUCCESS;
}

static int
test_ip_get(void)
{
	uint8_t *b;

	TEST_RUN(setup());
	b = kvp(4, 1);
	put_ascii16(b + IP_ADAPTER, MAC);
	b[IP_FAMILY] = 0;
	TEST_ASSERT_EQUAL(run(), S_OK, "GET_IP_INFO");
	TEST_ASSERT(b[0] == 4 && b[1] == 1, "operation and pool kept");
	TEST_ASSERT(is_ascii16(b + IP_ADAPTER, MAC), "adapter id");
	TEST_ASSERT_EQUAL(b[IP_FAMILY], 3, "family");
	TEST_ASSERT_EQUAL(b[IP_DHCP], 1, "dhcp");
	TEST_ASSERT(is_ascii16(b + IP_ADDR, "192.0.2.5;2001:db8::5"), "addresses");
	TEST_ASSERT(is_ascii16(b + IP_SUBNET, "255.255.255.0;64"), "subnets");
	TEST_ASSERT(is_ascii16(b + IP_GATEWAY, "192.0.2.1"), "gateway");
	TEST_ASSERT(is_ascii16(b + IP_DNS, "192.0.2.53"), "dns");
	TEST_ASSERT(b[IP_BODY - 1] == 0 && buf[HDR + IP_BODY] == 0xee, "end of the structure");
	TEST_ASSERT(strcmp(last.key, MAC) == 0, "record names the adapter");

	b = kvp(4, 1);
	put_ascii16(b + IP_ADAPTER, "00:00:00:00:00:00");
	TEST_ASSERT_EQUAL(run(), E_FAIL, "unknown MAC: the daemon's HV_E_FAIL");
	TEST_ASSERT(body_unchanged(), "nothing filled");

	kvp_ctx_init(&ctx, pools, NULL, NULL);
	b = kvp(4, 1);
	put_ascii16(b + IP_ADAPTER, MAC);
	TEST_ASSERT_EQUAL(run(), E_FAIL, "not served");
	teardown();
	return TEST_SUCCESS;
}

static int
test_ip_set(void)
{
	uint8_t *b;

	TEST_RUN(setup());
	b = kvp(5, 1);
	put_ascii16(b + IP_ADAPTER, "{f8615163-df3e-46c5-913f-f2d2f965ed0e}");
	b[IP_FAMILY] = 1;
	b[IP_DHCP] = 0;
	put_ascii16(b + IP_ADDR, "192.0.2.10;192.0.2.11");
	put_ascii16(b + IP_SUBNET, "255.255.255.0;255.255.0.0");
	put_ascii16(b + IP_GATEWAY, "192.0.2.1");
	put_ascii16(b + IP_DNS, "192.0.2.53;192.0.2.54");
	TEST_ASSERT_EQUAL(run(), S_OK, "SET_IP_INFO");
	TEST_ASSERT(body_unchanged(), "answer is the request");
	TEST_ASSERT(strcmp(set_seen.adapter_id, "{f8615163-df3e-46c5-913f-f2d2f965ed0e}") == 0 &&
		    set_seen.addr_family == 1 && set_seen.dhcp_enabled == 0 &&
		    strcmp(set_seen.ip_addr, "192.0.2.10;192.0.2.11") == 0 &&
		    strcmp(set_seen.sub_net, "255.255.255.0;255.255.0.0") == 0 &&
		    strcmp(set_seen.gate_way, "192.0.2.1") == 0 &&
		    strcmp(set_seen.dns_addr, "192.0.2.53;192.0.2.54") == 0, "decoded settings");
	b = kvp(5, 1);
	put_ascii16(b + IP_ADAPTER, "{unknown}");
	TEST_ASSERT_EQUAL(run(), GUID_NOTFOUND, "the callback's status");
	/* No NUL in the gateway's 512 units. */
	b = kvp(5, 1);
	put_ascii16(b + IP_ADAPTER, "{x}");
	memset(b + IP_GATEWAY, 'g', 1024);
	TEST_ASSERT_EQUAL(run(), INVALIDARG, "gateway without NUL");
	TEST_ASSERT(body_unchanged(), "refused");
	teardown();
	return TEST_SUCCESS;
}

/* A refused request: the status, the body unchanged, no pool file changed. */
static int
refused(uint32_t expect, const char *what)
{
	uint8_t file[2560];
	uint32_t st = run();

	TEST_ASSERT_EQUAL(st, expect, "%s", what);
	TEST_ASSERT(body_unchanged(), "%s: body unchanged", what);
	TEST_ASSERT_EQUAL(pool_file(0, file, sizeof(file)), 0, "%s: pool 0 untouched", what);
	TEST_ASSERT(last.status == expect && last.reason != NULL, "%s: recorded", what);
	return TEST_SUCCESS;
}

static int
test_hostile_sizes(void)
{
	uint8_t *b;
	unsigned int i;

	TEST_RUN(setup());
	b = kvp(1, 0);
	put32(b + GS_TYPE, 1);
	put_ascii16(b + GS_KEY, "k");
	put32(b + GS_KSIZE, 514);
	put32(b + GS_VSIZE, put_ascii16(b + GS_VALUE, "v"));
	TEST_RUN(refused(INVALIDARG, "key_size 514"));
	put32(b + GS_KSIZE, 3);
	TEST_RUN(refused(INVALIDARG, "odd key_size"));
	put32(b + GS_KSIZE, 0);
	TEST_RUN(refused(INVALIDARG, "key_size 0"));
	put32(b + GS_KSIZE, 0xfffffffe);
	TEST_RUN(refused(INVALIDARG, "huge key_size"));
	/* "key" without its NUL: key_size 6 covers 'k' 'e' 'y' only. */
	put_ascii16(b + GS_KEY, "key");
	put32(b + GS_KSIZE, 6);
	TEST_RUN(refused(INVALIDARG, "no NUL within key_size"));
	/* 256 units, none NUL. */
	for (i = 0; i < 256; i++)
		put16(b + GS_KEY + 2 * i, 'x');
	put32(b + GS_KSIZE, 512);
	TEST_RUN(refused(INVALIDARG, "no NUL in the whole key field"));
	/* 255 three-byte characters: valid UTF-16, 765 bytes of UTF-8, over a record's 511. */
	for (i = 0; i < 255; i++)
		put16(b + GS_KEY + 2 * i, 0x20ac);
	put16(b + GS_KEY + 510, 0);
	TEST_RUN(refused(INVALIDARG, "key too long for a record"));
	/* Unpaired surrogates. */
	put32(b + GS_KSIZE, 6);
	put16(b + GS_KEY, 'a');
	put16(b + GS_KEY + 2, 0xd800);
	put16(b + GS_KEY + 4, 0);
	TEST_RUN(refused(INVALIDARG, "lone high surrogate"));
	put16(b + GS_KEY + 2, 0xdc00);
	TEST_RUN(refused(INVALIDARG, "lone low surrogate"));
	/* Back to a good key; now the value. */
	put32(b + GS_KSIZE, put_ascii16(b + GS_KEY, "k"));
	put32(b + GS_VSIZE, 2050);
	TEST_RUN(refused(INVALIDARG, "value_size 2050"));
	put32(b + GS_VSIZE, 5);
	TEST_RUN(refused(INVALIDARG, "odd value_size"));
	put32(b + GS_VSIZE, 0);
	TEST_RUN(refused(INVALIDARG, "value_size 0"));
	put32(b + GS_VSIZE, 2);
	put16(b + GS_VALUE, 'v');
	TEST_RUN(refused(INVALIDARG, "value without NUL"));
	put32(b + GS_VSIZE, 6);
	put16(b + GS_VALUE, 0xdc00);
	put16(b + GS_VALUE + 2, 0xd800);
	put16(b + GS_VALUE + 4, 0);
	TEST_RUN(refused(INVALIDARG, "reversed surrogate pair"));
	put32(b + GS_VSIZE, put_ascii16(b + GS_VALUE, "v"));
	put32(b + GS_TYPE, 3);
	TEST_RUN(refused(INVALIDARG, "value_type 3 (REG_BINARY)"));
	put32(b + GS_TYPE, 4);
	put32(b + GS_VSIZE, 4096);
	TEST_RUN(refused(INVALIDARG, "REG_U32 with value_size 4096"));

	/* DELETE's key_size. */
	b = kvp(2, 0);
	put_ascii16(b + DEL_KEY, "k");
	put32(b + DEL_KSIZE, 1024);
	TEST_RUN(refused(INVALIDARG, "DELETE key_size 1024"));
	/* The longest key that fits: 255 units and the NUL. */
	b = kvp(1, 0);
	put32(b + GS_TYPE, 1);
	for (i = 0; i < 255; i++)
		put16(b + GS_KEY + 2 * i, 'K');
	put32(b + GS_KSIZE, 512);
	put32(b + GS_VSIZE, put_ascii16(b + GS_VALUE, "v"));
	TEST_ASSERT_EQUAL(run(), S_OK, "a 512-byte key");
	teardown();
	return TEST_SUCCESS;
}

static int
test_hostile_header(void)
{
	uint8_t *b;

	TEST_RUN(setup());
	b = kvp(1, 5);
	put32(b + GS_TYPE, 1);
	put32(b + GS_KSIZE, put_ascii16(b + GS_KEY, "k"));
	put32(b + GS_VSIZE, put_ascii16(b + GS_VALUE, "v"));
	TEST_RUN(refused(INVALIDARG, "pool 5"));
	b[B_POOL] = 0xff;
	TEST_RUN(refused(INVALIDARG, "pool 255"));
	b = kvp(3, 9);
	TEST_RUN(refused(INVALIDARG, "ENUMERATE of pool 9"));
	b = kvp(6, 0);
	TEST_RUN(refused(NOT_SUPPORTED, "operation 6"));
	b = kvp(100, 0);	/* the daemon registration opcode is no host operation */
	TEST_RUN(refused(NOT_SUPPORTED, "operation 100"));
	TEST_ASSERT_EQUAL(ctx.stats.requests[6], 2, "unknown operations counted");

	/* Bodies shorter than their operation's structure: refused before any field is read. */
	b = kvp(3, 0);
	put16(buf + IC_MSGSIZE, 2579);
	TEST_RUN(refused(INVALIDARG, "ENUMERATE of 2579 bytes"));
	b = kvp(1, 0);
	put16(buf + IC_MSGSIZE, 2575);
	TEST_RUN(refused(INVALIDARG, "SET of 2575 bytes"));
	b = kvp(2, 0);
	put32(b + DEL_KSIZE, put_ascii16(b + DEL_KEY, "nothing"));
	put16(buf + IC_MSGSIZE, 519);
	TEST_RUN(refused(INVALIDARG, "DELETE of 519 bytes"));
	put16(buf + IC_MSGSIZE, 520);
	TEST_ASSERT_EQUAL(run(), S_CONT, "DELETE of exactly 520 bytes is read");
	b = kvp(4, 0);
	put_ascii16(b + IP_ADAPTER, MAC);
	put16(buf + IC_MSGSIZE, IP_BODY - 1);
	TEST_RUN(refused(INVALIDARG, "GET_IP_INFO of 7427 bytes"));
	b = kvp(1, 0);
	put16(buf + IC_MSGSIZE, 1);
	TEST_RUN(refused(INVALIDARG, "a body of one byte"));
	put16(buf + IC_MSGSIZE, 0);
	TEST_RUN(refused(INVALIDARG, "an empty body"));

	/* icmsgsize that lies: more than the payload holds. */
	b = kvp(3, 0);
	TEST_ASSERT_EQUAL(run_len(HDR + 2000), INVALIDARG, "icmsgsize 2580 in 2028 bytes");
	TEST_ASSERT(memcmp(buf + HDR, before + HDR, 2000) == 0, "body unchanged");
	/* A payload cut inside the IC header cannot be answered. */
	TEST_ASSERT_EQUAL(run_len(HDR - 1), UINT32_MAX, "27 bytes: no answer");
	TEST_ASSERT(memcmp(buf, before, sizeof(buf)) == 0, "untouched");
	/* Another message type on the KVP channel. */
	b = request(1, 40);
	TEST_ASSERT_EQUAL(run(), NOT_SUPPORTED, "heartbeat on the KVP channel");
	TEST_ASSERT(body_unchanged(), "body unchanged");
	/* The handler alone: a body_len beyond buf_len. */
	b = kvp(3, 0);
	TEST_ASSERT_EQUAL(kvp_handle_request(&ctx, b, KVP_BODY, KVP_BODY - 1), INVALIDARG,
			  "body_len > buf_len");
	teardown();
	return TEST_SUCCESS;
}

/* A pool file that cannot be read answers HV_E_FAIL, as the kernel answers a dead daemon. */
static int
test_pool_failure(void)
{
	char path[PATH_MAX];
	int fd;

	TEST_RUN(setup());
	/* 17 records, over max_records 16. */
	hvdev_test_fmt(path, sizeof(path), "%s/hyperv/.kvp_pool_0", top);
	fd = open(path, O_WRONLY);
	TEST_ASSERT(fd >= 0 && ftruncate(fd, 17 * 2560) == 0, "grow");
	close(fd);
	kvp(3, 0);
	TEST_ASSERT_EQUAL(run(), E_FAIL, "ENUMERATE of an oversized pool");
	TEST_ASSERT(body_unchanged(), "nothing filled");
	TEST_ASSERT_EQUAL(set_sz(0, "k", "v"), E_FAIL, "SET into it");
	TEST_ASSERT(strstr(last.reason, "too large") != NULL, "reason %s", last.reason);
	/* Full: 16 records of pool 1 accepted, the 17th answered as the daemon answers. */
	{
		char key[8];
		unsigned int i;

		for (i = 0; i < 16; i++) {
			snprintf(key, sizeof(key), "k%u", i);
			TEST_ASSERT_EQUAL(set_sz(1, key, "v"), S_OK, "SET %u", i);
		}
		TEST_ASSERT_EQUAL(set_sz(1, "k16", "v"), S_CONT, "pool full");
	}
	/* No pool files at all. */
	kvp_ctx_init(&ctx, NULL, &ops, NULL);
	TEST_ASSERT_EQUAL(set_sz(1, "k", "v"), E_FAIL, "no pools");
	teardown();
	return TEST_SUCCESS;
}

static const struct hvdev_test_case cases[] = {
	HVDEV_CASE(negotiate, test_negotiate),
	HVDEV_CASE(set_get, test_set_get),
	HVDEV_CASE(set_replace, test_set_replace),
	HVDEV_CASE(set_numbers, test_set_numbers),
	HVDEV_CASE(delete, test_delete),
	HVDEV_CASE(enumerate_pool, test_enumerate_pool),
	HVDEV_CASE(enumerate_auto, test_enumerate_auto),
	HVDEV_CASE(every_pool, test_every_pool),
	HVDEV_CASE(ip_get, test_ip_get),
	HVDEV_CASE(ip_set, test_ip_set),
	HVDEV_CASE(hostile_sizes, test_hostile_sizes),
	HVDEV_CASE(hostile_header, test_hostile_header),
	HVDEV_CASE(pool_failure, test_pool_failure),
};

int
main(int argc, char **argv)
{
	return hvdev_test_main(argc, argv, cases, RTE_DIM(cases));
}
