/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * dpdk-hv-kvp's request handler (kvp_handle_payload) over any payload, against real pool
 * files in a scratch directory made once per process under $TMPDIR (or /tmp), at most 32
 * records a pool, and service callbacks that answer intrinsic items (one of them longer than
 * the wire) and IP information.
 *
 * Input: [u8 mode][bytes]. mode bit 0: the bytes are the whole payload. Otherwise they are a
 * KVP body given a correct IC header (type 2, icmsgsize = the body's length); with bit 1 the
 * body is first padded with zeros to its operation's whole structure (2580 bytes, 7428 for
 * the IP operations), so that short inputs reach every field; with bit 2 the next two input
 * bytes replace icmsgsize (a size that lies); bit 3 makes the message a NEGOTIATE.
 * The payload is an exact-size allocation: AddressSanitizer catches any access beyond it.
 *
 * Properties:
 * - a payload of 28 bytes or more is answered, a shorter one is not and is left untouched;
 * - an answer keeps the pipe header, the versions, the type, icmsgsize (but for NEGOTIATE),
 *   the transaction id, and says TRANSACTION|RESPONSE;
 * - the status of a KVP answer is one of S_OK, S_CONT, E_FAIL, INVALIDARG, NOT_SUPPORTED;
 *   anything but S_OK leaves the body as it was;
 * - an ENUMERATE or GET answered S_OK carries REG_SZ and sizes that are even, at most the
 *   field, with the NUL at the last unit they cover, the text before it valid UTF-16;
 * - every record handed to the service names a key that is valid, NUL-terminated UTF-8 and a
 *   reason exactly when the status is not S_OK;
 * - after every input each pool file is whole records, at most 32 of them.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <rte_common.h>
#include <rte_hvdev_ic.h>
#include <rte_hvdev_kvp.h>

#include "fuzz_common.h"
#include "kvp_handler.h"
#include "kvp_pool.h"
#include "kvp_proto.h"

#define HDR RTE_HVDEV_IC_HDR_SIZE
#define MAX_RECORDS 32
#define MAX_PAYLOAD 16384

static struct kvp_pools *pools;
static struct kvp_ctx ctx;
static char top[PATH_MAX - 16];

/* No leftovers: the scratch pools go when the process exits. */
static void
cleanup(void)
{
	char path[PATH_MAX];
	unsigned int i;

	if (pools == NULL)
		return;
	for (i = 0; i < KVP_POOL_COUNT; i++)
		unlink(kvp_pool_path(pools, i));
	kvp_pools_close(pools);
	pools = NULL;
	snprintf(path, sizeof(path), "%s/hyperv", top);
	rmdir(path);
	rmdir(top);
}

static int
intrinsic(void *arg, uint32_t index, char *key, size_t key_len, char *value, size_t value_len)
{
	size_t i;

	RTE_SET_USED(arg);
	switch (index) {
	case 0:
		snprintf(key, key_len, "FullyQualifiedDomainName");
		snprintf(value, value_len, "fuzz.example");
		return 0;
	case 1:
		/* Longer than the wire: cut, never split inside a surrogate pair. */
		snprintf(key, key_len, "Long");
		for (i = 0; i + 4 < value_len && i < 3000; i += 4)
			memcpy(value + i, "\xf0\x9f\x98\x80", 4);
		value[i] = '\0';
		return 0;
	case 2:
		return -EIO;
	default:
		return -ENOENT;
	}
}

static uint32_t
get_ip(void *arg, struct kvp_ip_info *info)
{
	RTE_SET_USED(arg);
	if (info->adapter_id[0] == '\0')
		return RTE_HVDEV_KVP_E_FAIL;
	snprintf(info->ip_addr, sizeof(info->ip_addr), "192.0.2.1;2001:db8::1");
	snprintf(info->sub_net, sizeof(info->sub_net), "255.255.255.0;64");
	snprintf(info->gate_way, sizeof(info->gate_way), "192.0.2.254");
	snprintf(info->dns_addr, sizeof(info->dns_addr), "192.0.2.53");
	info->addr_family = 3;
	return RTE_HVDEV_KVP_S_OK;
}

static uint32_t
set_ip(void *arg, const struct kvp_ip_info *info)
{
	RTE_SET_USED(arg);
	return info->adapter_id[0] == '{' ? RTE_HVDEV_KVP_GUID_NOTFOUND : RTE_HVDEV_KVP_S_OK;
}

static bool
utf8_ok(const char *s)
{
	size_t len = strlen(s), pos = 0;
	uint32_t cp;
	int used;

	while (pos < len) {
		used = rte_hvdev_utf8_decode(s + pos, len - pos, &cp);
		if (used < 0)
			return false;
		pos += (size_t)used;
	}
	return true;
}

static void
record(void *arg, const struct kvp_op_record *rec)
{
	RTE_SET_USED(arg);
	FUZZ_ASSERT(rec->key != NULL && strlen(rec->key) < KVP_VALUE_UTF8_MAX &&
		    utf8_ok(rec->key), "record key");
	FUZZ_ASSERT((rec->reason == NULL) == (rec->status == RTE_HVDEV_KVP_S_OK),
		    "reason with status 0x%08x", rec->status);
}

static const struct kvp_handler_ops ops = {
	.intrinsic = intrinsic,
	.get_ip_info = get_ip,
	.set_ip_info = set_ip,
	.record = record,
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct kvp_pool_conf conf = { .max_records = MAX_RECORDS, .lock_timeout_ms = 100 };
	const char *tmp = getenv("TMPDIR");
	char dir[PATH_MAX];

	RTE_SET_USED(argc);
	RTE_SET_USED(argv);
	fuzz_quiet_logs();
	snprintf(top, sizeof(top), "%s/fuzz_kvp.XXXXXX", tmp != NULL ? tmp : "/tmp");
	FUZZ_ASSERT(mkdtemp(top) != NULL, "mkdtemp %s", top);
	snprintf(dir, sizeof(dir), "%s/hyperv", top);
	conf.dir = dir;
	FUZZ_ASSERT(kvp_pools_open(&pools, &conf) == 0, "pools in %s", dir);
	kvp_ctx_init(&ctx, pools, &ops, NULL);
	atexit(cleanup);
	return 0;
}

static uint32_t
get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* @p units UTF-16 units at @p p: valid UTF-16, the only NUL the last unit. */
static void
check_string(const uint8_t *p, uint32_t units, const char *what)
{
	char out[KVP_VALUE_UTF8_MAX];
	uint32_t i;
	uint16_t u;

	for (i = 0; i < units; i++) {
		memcpy(&u, p + 2 * i, 2);
		FUZZ_ASSERT((u == 0) == (i == units - 1), "%s: NUL at unit %u of %u", what, i,
			    units);
	}
	FUZZ_ASSERT(rte_hvdev_utf16_to_utf8(p, units, out, sizeof(out)) >= 0, "%s: UTF-16", what);
}

/* A string answer at @p v (value_type, key_size, value_size, key, value) is well formed. */
static void
check_pair(const uint8_t *v, bool key_too)
{
	uint32_t ks = get32(v + 4), vs = get32(v + 8);

	FUZZ_ASSERT(get32(v) == RTE_HVDEV_KVP_REG_SZ, "value_type");
	FUZZ_ASSERT(vs >= 2 && vs <= 2048 && vs % 2 == 0, "value_size %u", vs);
	check_string(v + 524, vs / 2, "value");
	if (!key_too)
		return;
	FUZZ_ASSERT(ks >= 2 && ks <= 512 && ks % 2 == 0, "key_size %u", ks);
	check_string(v + 12, ks / 2, "key");
}

static void
check_pools(void)
{
	struct stat st;
	unsigned int i;

	for (i = 0; i < KVP_POOL_COUNT; i++) {
		FUZZ_ASSERT(stat(kvp_pool_path(pools, i), &st) == 0, "pool %u", i);
		FUZZ_ASSERT(st.st_size % KVP_POOL_RECORD_BYTES == 0 &&
			    st.st_size <= MAX_RECORDS * KVP_POOL_RECORD_BYTES,
			    "pool %u is %lld bytes", i, (long long)st.st_size);
	}
}

/* A correct IC request header: KVP 4.0 on framework 3.0 (or a NEGOTIATE), transaction 0x42. */
static void
put_header(uint8_t *p, size_t len, bool negotiate, uint16_t msgsize)
{
	struct rte_hvdev_ic_hdr h = {
		.pipe_flags = 1,
		.pipe_msgsize = (uint32_t)(len - 8),
		.icverframe = { 3, 0 },
		.icmsgtype = negotiate ? RTE_HVDEV_IC_MSG_NEGOTIATE : RTE_HVDEV_IC_MSG_KVPEXCHANGE,
		.icvermsg = { 4, 0 },
		.icmsgsize = msgsize,
		.ictransaction_id = 0x42,
		.icflags = RTE_HVDEV_IC_FLAG_TRANSACTION | RTE_HVDEV_IC_FLAG_REQUEST,
	};

	memcpy(p, &h, HDR);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t mode, *p, *copy;
	size_t len, body, full;
	uint32_t status;
	bool answered;

	if (size < 1)
		return 0;
	mode = data[0];
	data++;
	size--;
	if (mode & 1) {
		len = RTE_MIN(size, (size_t)MAX_PAYLOAD);
		p = malloc(len != 0 ? len : 1);
		FUZZ_ASSERT(p != NULL, "malloc");
		if (len != 0)
			memcpy(p, data, len);
	} else {
		uint16_t msgsize = 0;
		bool lie = false;

		if ((mode & 4) && size >= 2) {
			memcpy(&msgsize, data, 2);
			data += 2;
			size -= 2;
			lie = true;
		}
		body = RTE_MIN(size, (size_t)(MAX_PAYLOAD - HDR));
		full = body;
		if ((mode & 2) && body >= 1)
			full = RTE_MAX(body, (size_t)(data[0] == RTE_HVDEV_KVP_OP_GET_IP_INFO ||
						       data[0] == RTE_HVDEV_KVP_OP_SET_IP_INFO ?
						       RTE_HVDEV_KVP_IP_MSG_SIZE :
						       RTE_HVDEV_KVP_MSG_SIZE));
		len = HDR + full;
		p = calloc(1, len);
		FUZZ_ASSERT(p != NULL, "calloc");
		memcpy(p + HDR, data, body);
		put_header(p, len, (mode & 8) != 0, lie ? msgsize : (uint16_t)full);
	}
	copy = malloc(len != 0 ? len : 1);
	FUZZ_ASSERT(copy != NULL, "malloc");
	memcpy(copy, p, len);

	answered = kvp_handle_payload(&ctx, p, (uint32_t)len);
	FUZZ_ASSERT(answered == (len >= HDR), "answered %d at %zu bytes", answered, len);
	if (!answered) {
		FUZZ_ASSERT(memcmp(p, copy, len) == 0, "unanswered payload changed");
		goto out;
	}
	FUZZ_ASSERT(p[25] == (RTE_HVDEV_IC_FLAG_TRANSACTION | RTE_HVDEV_IC_FLAG_RESPONSE),
		    "flags");
	FUZZ_ASSERT(memcmp(p, copy, 18) == 0 && p[24] == copy[24] && p[26] == copy[26] &&
		    p[27] == copy[27], "header kept");
	if (copy[12] == RTE_HVDEV_IC_MSG_NEGOTIATE && copy[13] == 0)
		goto out;
	FUZZ_ASSERT(p[18] == copy[18] && p[19] == copy[19], "icmsgsize kept");
	status = get32(p + 20);
	FUZZ_ASSERT(status == RTE_HVDEV_KVP_S_OK || status == RTE_HVDEV_KVP_S_CONT ||
		    status == RTE_HVDEV_KVP_E_FAIL || status == RTE_HVDEV_KVP_INVALIDARG ||
		    status == RTE_HVDEV_KVP_ERROR_NOT_SUPPORTED ||
		    status == RTE_HVDEV_KVP_GUID_NOTFOUND, "status 0x%08x", status);
	if (status != RTE_HVDEV_KVP_S_OK) {
		FUZZ_ASSERT(memcmp(p + HDR, copy + HDR, len - HDR) == 0, "refused body changed");
		goto out;
	}
	if (p[HDR] == RTE_HVDEV_KVP_OP_ENUMERATE)
		check_pair(p + HDR + 8, true);
	else if (p[HDR] == RTE_HVDEV_KVP_OP_GET)
		check_pair(p + HDR + 4, false);
out:
	check_pools();
	free(copy);
	free(p);
	return 0;
}
