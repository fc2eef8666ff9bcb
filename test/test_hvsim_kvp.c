/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * The simulator's KVP host role (rte_hvsim_kvp_*()) against a small fake guest written here on
 * the transport API. The guest keeps the five pools in memory and answers the way the kernel's
 * hv_kvp.c and hv_kvp_daemon do between them: GET, SET, DELETE, ENUMERATE (the intrinsic items
 * on the auto pool), GET_IP_INFO and SET_IP_INFO, HV_S_CONT for a missing key and at the end of
 * a pool. It records the last request as it came, and can be told to answer wrongly in the
 * ways a broken or hostile guest would, which the host must refuse.
 *
 * Run as "test_hvsim_kvp --guest ROOT [SECONDS [silent]]" the same fake is a guest process for
 * the dpdk-hvsim command-line test, reattaching after a rescind.
 */

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>

#include "hvdev_test.h"
#include "hvdev_uio_chan.h"
#include "rte_hvdev_ic.h"
#include "rte_hvsim.h"

#define PKT_INBAND 6
#define WAIT_MS 3000
#define KG_SLICE_MS 50
#define KG_ITEMS 64
#define KG_POOLS 5

/* The wire layout, written out again here so that the host is checked against the uapi. */
#define MSG_SIZE	2580
#define IP_MSG_SIZE	7428
#define V_TYPE		0
#define V_KSIZE		4
#define V_VSIZE		8
#define V_KEY		12
#define V_VALUE		524
#define ENUM_V		8
#define GET_V		4
#define IP_ADAPTER	2
#define IP_FAMILY	258
#define IP_DHCP		259
#define IP_ADDR		260
#define IP_SUBNET	2308
#define IP_GATEWAY	4356
#define IP_DNS		5380

#define HV_S_CONT	0x80070103u
#define HV_E_FAIL	0x80004005u
#define HV_INVALIDARG	0x80070057u
#define HV_NOT_SUPPORTED 0x80070032u

/* How the guest answers wrongly (one request, then it behaves again). */
enum kg_bad {
	KG_OK = 0,
	KG_SILENT,		/* no answer */
	KG_LATE,		/* the answer after late_ms */
	KG_NO_TRANSACTION,	/* flags RESPONSE only */
	KG_SHORT,		/* the answer 8 bytes shorter than the request */
	KG_ICMSGSIZE,		/* icmsgsize beyond the packet */
	KG_MSGTYPE,		/* message type heartbeat */
	KG_OP_ECHO,		/* the operation byte changed */
	KG_KEY_ODD,		/* key_size odd */
	KG_KEY_NO_NUL,		/* the key's last unit is not a NUL */
	KG_VALUE_SURROGATE,	/* a lone high surrogate in the value */
	KG_VALUE_OVER,		/* value_size 2050 */
	KG_TYPE_U64,		/* value type 8 (the kernel's REG_U64), value_size 8 */
	KG_DWORD_SIZE,		/* a DWORD whose value_size is 8 */
	KG_IP_NO_NUL,		/* the IP address field full, without a NUL */
	KG_NEVER_END,		/* ENUMERATE: S_OK for every index */
};

struct kg_item {
	char key[768];
	char value[3072];
};

struct kvp_guest {
	const char *root;
	bool v5;			/* supports KVP 5.0 only */
	enum kg_bad bad;
	uint32_t late_ms;
	bool reattach;
	bool verbose;
	bool mute;
	/* State. */
	pthread_t thread;
	volatile bool stop;
	pthread_mutex_t lock;
	unsigned int negotiations;
	unsigned int requests;
	unsigned int errors;
	struct kg_item pool[KG_POOLS][KG_ITEMS];
	unsigned int nitems[KG_POOLS];
	/* The last request, as it came. */
	uint8_t last[8192];
	uint32_t last_len;
	struct rte_hvdev_ic_hdr last_ic;
	/* The versions the host offered in its last NEGOTIATE (service part). */
	struct rte_hvdev_ic_version offered[8];
	unsigned int noffered;
	/* The last SET_IP_INFO, decoded. */
	char ip_set[5][1024];
	uint8_t ip_family, ip_dhcp;
};

static volatile sig_atomic_t kg_quit;

/* The intrinsic items of the auto pool, in the daemon's order (hv_kvp_daemon's enum). */
static const char *const intrinsic[][2] = {
	{ "FullyQualifiedDomainName", "guest.example.com" },
	{ "IntegrationServicesVersion", "hvdev-test" },
	{ "NetworkAddressIPv4", "10.0.0.4" },
	{ "NetworkAddressIPv6", "fe80::1" },
	{ "OSBuildNumber", "6.18.0" },
	{ "OSName", "Test Linux" },
	{ "OSMajorVersion", "6" },
	{ "OSMinorVersion", "18" },
	{ "OSVersion", "6.18.0-hvsim" },
	{ "ProcessorArchitecture", "x86_64" },
};

#define KG_MAC "00:15:5D:00:00:01"

/* ---- helpers ---- */

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

/*
 * UTF-16LE (@p max units, up to the first NUL) to UTF-8 as the kernel's utf16s_to_utf8s
 * would, but refusing lone surrogates. @return 0, or -1 (invalid, or no NUL within @p max).
 */
static int
u16_to_u8(const uint8_t *in, uint32_t max, char *out, size_t size)
{
	size_t w = 0;
	uint32_t i, cp;
	uint16_t u, lo;

	for (i = 0; i < max; i++) {
		u = get16(in + 2 * i);
		if (u == 0) {
			out[w] = '\0';
			return 0;
		}
		cp = u;
		if (u >= 0xdc00 && u <= 0xdfff)
			return -1;
		if (u >= 0xd800 && u <= 0xdbff) {
			lo = i + 1 < max ? get16(in + 2 * (i + 1)) : 0;
			if (lo < 0xdc00 || lo > 0xdfff)
				return -1;
			cp = 0x10000 + ((uint32_t)(u - 0xd800) << 10) + (lo - 0xdc00);
			i++;
		}
		if (w + 5 > size)
			return -1;
		if (cp < 0x80) {
			out[w++] = (char)cp;
		} else if (cp < 0x800) {
			out[w++] = (char)(0xc0 | cp >> 6);
			out[w++] = (char)(0x80 | (cp & 0x3f));
		} else if (cp < 0x10000) {
			out[w++] = (char)(0xe0 | cp >> 12);
			out[w++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			out[w++] = (char)(0x80 | (cp & 0x3f));
		} else {
			out[w++] = (char)(0xf0 | cp >> 18);
			out[w++] = (char)(0x80 | ((cp >> 12) & 0x3f));
			out[w++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			out[w++] = (char)(0x80 | (cp & 0x3f));
		}
	}
	return -1;
}

/* UTF-8 (trusted, test data) to UTF-16LE with a NUL. @return units written, NUL included. */
static uint32_t
u8_to_u16(const char *s, uint8_t *out)
{
	const uint8_t *p = (const uint8_t *)s;
	uint32_t n = 0, cp;

	while (*p != 0) {
		if (*p < 0x80) {
			cp = *p++;
		} else if ((*p & 0xe0) == 0xc0) {
			cp = (uint32_t)(p[0] & 0x1f) << 6 | (p[1] & 0x3f);
			p += 2;
		} else if ((*p & 0xf0) == 0xe0) {
			cp = (uint32_t)(p[0] & 0x0f) << 12 | (uint32_t)(p[1] & 0x3f) << 6 |
			     (p[2] & 0x3f);
			p += 3;
		} else {
			cp = (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3f) << 12 |
			     (uint32_t)(p[2] & 0x3f) << 6 | (p[3] & 0x3f);
			p += 4;
		}
		if (cp >= 0x10000) {
			cp -= 0x10000;
			put16(out + 2 * n++, (uint16_t)(0xd800 | cp >> 10));
			put16(out + 2 * n++, (uint16_t)(0xdc00 | (cp & 0x3ff)));
		} else {
			put16(out + 2 * n++, (uint16_t)cp);
		}
	}
	put16(out + 2 * n++, 0);
	return n;
}

/* ---- the fake guest ---- */

static struct kg_item *
kg_find(struct kvp_guest *g, unsigned int pool, const char *key)
{
	unsigned int i;

	for (i = 0; i < g->nitems[pool]; i++)
		if (strcmp(g->pool[pool][i].key, key) == 0)
			return &g->pool[pool][i];
	return NULL;
}

/* A value structure at @p v answered with @p key and @p value as REG_SZ, as the kernel does. */
static void
kg_fill_value(uint8_t *v, const char *key, const char *value)
{
	/* GET keeps the host's key, as the kernel does. */
	memset(v + (key != NULL ? V_KEY : V_VALUE), 0, key != NULL ? 512 + 2048 : 2048);
	put32(v + V_TYPE, RTE_HVDEV_KVP_REG_SZ);
	if (key != NULL)
		put32(v + V_KSIZE, 2 * u8_to_u16(key, v + V_KEY));
	put32(v + V_VSIZE, 2 * u8_to_u16(value, v + V_VALUE));
}

/* Break the answer @p b (body) the way the test asked; lock held. */
static void
kg_break_value(struct kvp_guest *g, uint8_t *v)
{
	uint32_t n;

	switch (g->bad) {
	case KG_KEY_ODD:
		put32(v + V_KSIZE, 7);
		break;
	case KG_KEY_NO_NUL:
		n = get32(v + V_KSIZE) / 2;
		put16(v + V_KEY + 2 * (n - 1), 'x');
		break;
	case KG_VALUE_SURROGATE:
		put16(v + V_VALUE, 0xd801);
		break;
	case KG_VALUE_OVER:
		put32(v + V_VSIZE, 2050);
		break;
	case KG_TYPE_U64:
		put32(v + V_TYPE, 8);
		put32(v + V_VSIZE, 8);
		break;
	case KG_DWORD_SIZE:
		put32(v + V_TYPE, RTE_HVDEV_KVP_REG_U32);
		put32(v + V_VSIZE, 8);
		break;
	default:
		break;
	}
}

/* The status for one KVP request, the answer written into @p b in place. Lock held. */
static uint32_t
kg_handle(struct kvp_guest *g, uint8_t *b, uint32_t blen)
{
	uint8_t op, pool;
	char key[768], value[3072];
	struct kg_item *it;
	uint32_t type, idx;
	uint64_t num;

	if (blen < 2)
		return HV_INVALIDARG;
	op = b[0];
	pool = b[1];
	if (op <= 3 && blen < MSG_SIZE)
		return HV_INVALIDARG;
	if (op <= 3 && pool >= KG_POOLS)
		return HV_INVALIDARG;
	switch (op) {
	case 0:	/* GET */
		if (get32(b + GET_V + V_KSIZE) > 512 ||
		    u16_to_u8(b + GET_V + V_KEY, 256, key, sizeof(key)) < 0)
			return HV_INVALIDARG;
		it = kg_find(g, pool, key);
		if (it == NULL)
			return HV_S_CONT;
		kg_fill_value(b + GET_V, NULL, it->value);
		kg_break_value(g, b + GET_V);
		return 0;
	case 1:	/* SET */
		type = get32(b + GET_V + V_TYPE);
		if (get32(b + GET_V + V_KSIZE) > 512 || get32(b + GET_V + V_VSIZE) > 2048 ||
		    u16_to_u8(b + GET_V + V_KEY, 256, key, sizeof(key)) < 0)
			return HV_INVALIDARG;
		if (type == RTE_HVDEV_KVP_REG_U32) {
			snprintf(value, sizeof(value), "%" PRIu32, get32(b + GET_V + V_VALUE));
		} else if (type == RTE_HVDEV_KVP_REG_QWORD) {
			num = get32(b + GET_V + V_VALUE) |
			      (uint64_t)get32(b + GET_V + V_VALUE + 4) << 32;
			snprintf(value, sizeof(value), "%" PRIu64, num);
		} else if (u16_to_u8(b + GET_V + V_VALUE, 1024, value, sizeof(value)) < 0) {
			return HV_INVALIDARG;
		}
		it = kg_find(g, pool, key);
		if (it == NULL && g->nitems[pool] == KG_ITEMS)
			return HV_E_FAIL;
		if (it == NULL)
			it = &g->pool[pool][g->nitems[pool]++];
		snprintf(it->key, sizeof(it->key), "%s", key);
		snprintf(it->value, sizeof(it->value), "%s", value);
		return 0;
	case 2:	/* DELETE */
		if (get32(b + 4) > 512 || u16_to_u8(b + 8, 256, key, sizeof(key)) < 0)
			return HV_INVALIDARG;
		it = kg_find(g, pool, key);
		if (it == NULL)
			return HV_S_CONT;
		*it = g->pool[pool][--g->nitems[pool]];
		return 0;
	case 3:	/* ENUMERATE */
		idx = get32(b + 4);
		if (g->bad == KG_NEVER_END) {
			kg_fill_value(b + ENUM_V, "k", "v");
			return 0;
		}
		if (pool == RTE_HVDEV_KVP_POOL_AUTO && idx < RTE_DIM(intrinsic))
			kg_fill_value(b + ENUM_V, intrinsic[idx][0], intrinsic[idx][1]);
		else if (pool != RTE_HVDEV_KVP_POOL_AUTO && idx < g->nitems[pool])
			kg_fill_value(b + ENUM_V, g->pool[pool][idx].key,
				      g->pool[pool][idx].value);
		else
			return HV_S_CONT;
		kg_break_value(g, b + ENUM_V);
		return 0;
	case 4:	/* GET_IP_INFO */
		if (blen < IP_MSG_SIZE || u16_to_u8(b + IP_ADAPTER, 128, key, sizeof(key)) < 0)
			return HV_INVALIDARG;
		if (strcmp(key, KG_MAC) != 0)
			return HV_E_FAIL;
		b[IP_FAMILY] = RTE_HVSIM_KVP_ADDR_BOTH;
		b[IP_DHCP] = 1;
		u8_to_u16("10.0.0.4;10.0.0.5", b + IP_ADDR);
		u8_to_u16("255.255.255.0;255.255.255.0", b + IP_SUBNET);
		u8_to_u16("10.0.0.1", b + IP_GATEWAY);
		u8_to_u16("168.63.129.16", b + IP_DNS);
		if (g->bad == KG_IP_NO_NUL) {
			for (idx = 0; idx < 1024; idx++)
				put16(b + IP_ADDR + 2 * idx, '9');
		}
		return 0;
	case 5:	/* SET_IP_INFO */
		if (blen < IP_MSG_SIZE ||
		    u16_to_u8(b + IP_ADAPTER, 128, g->ip_set[0], sizeof(g->ip_set[0])) < 0 ||
		    u16_to_u8(b + IP_ADDR, 1024, g->ip_set[1], sizeof(g->ip_set[1])) < 0 ||
		    u16_to_u8(b + IP_SUBNET, 1024, g->ip_set[2], sizeof(g->ip_set[2])) < 0 ||
		    u16_to_u8(b + IP_GATEWAY, 512, g->ip_set[3], sizeof(g->ip_set[3])) < 0 ||
		    u16_to_u8(b + IP_DNS, 1024, g->ip_set[4], sizeof(g->ip_set[4])) < 0)
			return HV_INVALIDARG;
		g->ip_family = b[IP_FAMILY];
		g->ip_dhcp = b[IP_DHCP];
		return 0;
	default:
		return HV_NOT_SUPPORTED;
	}
}

static int
kg_send(struct hvdev_chan *ch, uint64_t xactid, const void *buf, uint32_t len)
{
	struct iovec iov = { .iov_base = (void *)(uintptr_t)buf, .iov_len = len };

	return hvdev_chan_send(ch, PKT_INBAND, 0, xactid, &iov, 1);
}

static void
kg_negotiate(struct kvp_guest *g, struct hvdev_chan *ch, const struct hvdev_pkt_meta *m,
	     uint8_t *buf)
{
	static const struct rte_hvdev_ic_version v5[] = { { 5, 0 } };
	const struct rte_hvdev_ic_class *kvp = rte_hvdev_ic_class_by_name("kvp");
	struct rte_hvdev_ic_negotiate_hdr n;
	unsigned int i;

	pthread_mutex_lock(&g->lock);
	memcpy(&n, buf + RTE_HVDEV_IC_HDR_SIZE, sizeof(n));
	g->noffered = 0;
	for (i = 0; i < n.icmsg_vercnt && i < RTE_DIM(g->offered) &&
	     RTE_HVDEV_IC_NEGOTIATE_SIZE(n.icframe_vercnt, i + 1) <= m->len; i++)
		memcpy(&g->offered[g->noffered++], buf + RTE_HVDEV_IC_NEGOTIATE_SIZE(
		       n.icframe_vercnt, i), 4);
	g->negotiations++;
	pthread_mutex_unlock(&g->lock);
	rte_hvdev_ic_negotiate(buf, m->len, kvp->fw, kvp->nfw, g->v5 ? v5 : kvp->srv,
			       g->v5 ? 1 : kvp->nsrv, NULL, NULL);
	if (g->verbose) {
		printf("fake kvp guest: negotiated\n");
		fflush(stdout);
	}
	kg_send(ch, m->xactid, buf, m->len);
}

static void
kg_answer(struct kvp_guest *g, struct hvdev_chan *ch, const struct hvdev_pkt_meta *m,
	  uint8_t *buf)
{
	struct rte_hvdev_ic_hdr ic;
	uint32_t blen, status, len = m->len;
	enum kg_bad bad;

	if (rte_hvdev_ic_parse(buf, m->len, &ic, &blen) < 0) {
		/* A lying icmsgsize: refuse as a careful guest does, within the packet. */
		blen = m->len >= RTE_HVDEV_IC_HDR_SIZE ? m->len - RTE_HVDEV_IC_HDR_SIZE : 0;
		if (m->len < RTE_HVDEV_IC_HDR_SIZE) {
			g->errors++;
			return;
		}
		memcpy(&ic, buf, sizeof(ic));
		ic.icmsgtype = 0xffff;
	}
	if (ic.icmsgtype == RTE_HVDEV_IC_MSG_NEGOTIATE) {
		kg_negotiate(g, ch, m, buf);
		return;
	}
	pthread_mutex_lock(&g->lock);
	g->requests++;
	memcpy(g->last, buf, RTE_MIN(m->len, (uint32_t)sizeof(g->last)));
	g->last_len = m->len;
	g->last_ic = ic;
	status = ic.icmsgtype == RTE_HVDEV_IC_MSG_KVPEXCHANGE ?
		 kg_handle(g, buf + RTE_HVDEV_IC_HDR_SIZE, blen) : HV_INVALIDARG;
	bad = g->bad;
	/* One bad answer, then the guest behaves (except a guest that never ends). */
	if (bad != KG_NEVER_END)
		g->bad = KG_OK;
	pthread_mutex_unlock(&g->lock);
	if (g->verbose) {
		printf("fake kvp guest: op %u pool %u status 0x%08" PRIx32 "\n",
		       buf[RTE_HVDEV_IC_HDR_SIZE], buf[RTE_HVDEV_IC_HDR_SIZE + 1], status);
		fflush(stdout);
	}
	if (g->mute || bad == KG_SILENT)
		return;
	if (bad == KG_LATE)
		usleep(g->late_ms * 1000);
	rte_hvdev_ic_make_response(buf, status);
	switch (bad) {
	case KG_NO_TRANSACTION:
		buf[offsetof(struct rte_hvdev_ic_hdr, icflags)] = RTE_HVDEV_IC_FLAG_RESPONSE;
		break;
	case KG_SHORT:
		len -= 8;
		break;
	case KG_ICMSGSIZE:
		put16(buf + offsetof(struct rte_hvdev_ic_hdr, icmsgsize), 0xfff0);
		break;
	case KG_MSGTYPE:
		put16(buf + offsetof(struct rte_hvdev_ic_hdr, icmsgtype), 1);
		break;
	case KG_OP_ECHO:
		buf[RTE_HVDEV_IC_HDR_SIZE] ^= 1;
		break;
	default:
		break;
	}
	if (kg_send(ch, m->xactid, buf, len) < 0) {
		pthread_mutex_lock(&g->lock);
		g->errors++;
		pthread_mutex_unlock(&g->lock);
	}
}

static void
kg_serve(struct kvp_guest *g, struct hvdev_chan *ch)
{
	static uint8_t buf[16384];
	struct hvdev_pkt_meta m;
	int ret;

	while (!g->stop && !kg_quit) {
		ret = hvdev_chan_wait(ch, KG_SLICE_MS);
		if (ret < 0 && ret != -EINTR)
			return;
		while (!g->stop && hvdev_chan_recv(ch, &m, buf, sizeof(buf)) == 0)
			kg_answer(g, ch, &m, buf);
	}
}

static void *
kg_main(void *arg)
{
	struct kvp_guest *g = arg;
	struct hvdev_uio_devinfo info;
	struct hvdev_chan *ch;
	rte_uuid_t cls;
	char err[512];

	hvdev_test_class("kvp", cls);
	do {
		if (hvdev_uio_discover(g->root, cls, NULL, KG_SLICE_MS * 4, &info, err,
				       sizeof(err)) < 0)
			continue;
		if (hvdev_chan_open(&info, &ch) < 0) {
			usleep(KG_SLICE_MS * 1000);
			continue;
		}
		kg_serve(g, ch);
		hvdev_chan_close(ch);
	} while (g->reattach && !g->stop && !kg_quit);
	return NULL;
}

static int
kg_start(struct kvp_guest *g, const char *root)
{
	g->root = root;
	pthread_mutex_init(&g->lock, NULL);
	return pthread_create(&g->thread, NULL, kg_main, g) == 0 ? 0 : -1;
}

static void
kg_stop(struct kvp_guest *g)
{
	g->stop = true;
	pthread_join(g->thread, NULL);
	pthread_mutex_destroy(&g->lock);
}

static void
kg_set_bad(struct kvp_guest *g, enum kg_bad bad)
{
	pthread_mutex_lock(&g->lock);
	g->bad = bad;
	pthread_mutex_unlock(&g->lock);
}

/* ---- fixture ---- */

static char root[256];
static struct rte_hvsim *sim;
static struct rte_hvsim_dev *dev;
static struct kvp_guest *guest;
static bool setup_v5;		/* host and guest on KVP 5.0 */
static bool setup_strict;	/* conf.strict_xactid */

static int
setup(void)
{
	static const struct rte_hvdev_ic_version v5[] = { { 5, 0 } };
	struct rte_hvsim_dev_conf conf = { .ic_negotiate = true, .strict_xactid = setup_strict };

	if (setup_v5) {
		conf.ic_srv = v5;
		conf.ic_nsrv = 1;
	}
	TEST_ASSERT(hvdev_test_root_create(root, sizeof(root)) == 0, "mkdtemp");
	sim = rte_hvsim_create(root);
	TEST_ASSERT(sim != NULL, "simulator create");
	TEST_ASSERT_EQUAL(rte_hvsim_start(sim), 0, "simulator start");
	hvdev_test_class("kvp", conf.class_id);
	dev = rte_hvsim_offer(sim, &conf);
	TEST_ASSERT(dev != NULL, "offer");
	guest = calloc(1, sizeof(*guest));
	TEST_ASSERT(guest != NULL, "calloc");
	guest->v5 = setup_v5;
	TEST_ASSERT_EQUAL(kg_start(guest, root), 0, "guest thread");
	TEST_ASSERT_EQUAL(rte_hvsim_wait_open(dev, true, WAIT_MS), 0, "guest opens");
	TEST_ASSERT_EQUAL(rte_hvsim_ic_wait(dev, WAIT_MS), 0, "negotiation");
	return TEST_SUCCESS;
}

static void
teardown(void)
{
	if (guest != NULL && guest->root != NULL)
		kg_stop(guest);
	free(guest);
	guest = NULL;
	rte_hvsim_destroy(sim);
	sim = NULL;
	dev = NULL;
	hvdev_test_root_remove(root);
}

static uint64_t
guest_errors(void)
{
	struct rte_hvsim_dev_stats st;

	rte_hvsim_dev_stats_get(dev, &st);
	return st.guest_errors;
}

static struct rte_hvsim_kvp_item *
item_of(uint32_t type, const char *key, const char *value, uint64_t number)
{
	static struct rte_hvsim_kvp_item it;

	memset(&it, 0, sizeof(it));
	it.type = type;
	snprintf(it.key, sizeof(it.key), "%s", key);
	snprintf(it.value, sizeof(it.value), "%s", value);
	it.number = number;
	return &it;
}

/* ---- cases ---- */

/*
 * What goes on the wire: Microsoft's host's sizes and framing, the key as UTF-16 with its
 * size in bytes, NUL included; versions as negotiated; Hyper-V's instance id and KVP offer.
 */
static int
check_request_shape(void)
{
	struct rte_hvsim_kvp_result res;
	struct rte_hvsim_ic_result ic;
	const uint8_t *b = guest->last + RTE_HVDEV_IC_HDR_SIZE;
	rte_uuid_t inst, want;
	unsigned int i;

	rte_hvsim_dev_instance(dev, inst);
	TEST_ASSERT_EQUAL(rte_uuid_parse("242ff919-07db-4180-9c2e-b86cb68c8c55", want), 0, "id");
	TEST_ASSERT(rte_uuid_compare(inst, want) == 0, "Hyper-V's KVP instance id by default");
	TEST_ASSERT_EQUAL(rte_hvsim_dev_data_size(dev), (2u << 20) - (uint32_t)getpagesize(),
			  "uio_hv_generic's 2 MiB ring per direction for KVP");
	TEST_ASSERT_EQUAL(rte_hvsim_ic_result(dev, &ic), 0, "result");
	TEST_ASSERT(ic.ok && ic.fw.major == 3 && ic.srv.major == 4 && ic.srv.minor == 0,
		    "framework 3.0 and KVP 4.0 agreed");
	TEST_ASSERT_EQUAL(guest->noffered, 3, "three KVP versions offered");
	TEST_ASSERT(guest->offered[0].major == 3 && guest->offered[1].major == 4 &&
		    guest->offered[2].major == 5, "3.0, 4.0, 5.0 offered, as OpenVMM's host");

	TEST_ASSERT_EQUAL(rte_hvsim_kvp_set(dev, 0, item_of(RTE_HVDEV_KVP_REG_SZ, "Key1",
							    "Value", 0), NULL, &res), 0, "set");
	TEST_ASSERT(res.answered && res.status == 0 && res.requests == 1, "S_OK, one request");
	pthread_mutex_lock(&guest->lock);
	TEST_ASSERT_EQUAL(guest->last_len, RTE_ALIGN_CEIL(28u + MSG_SIZE, 8u),
			  "payload 28 + 2580, padded");
	TEST_ASSERT_EQUAL(guest->last_ic.icmsgsize, MSG_SIZE, "icmsgsize 2580");
	TEST_ASSERT_EQUAL(guest->last_ic.icmsgtype, RTE_HVDEV_IC_MSG_KVPEXCHANGE, "type 2");
	TEST_ASSERT_EQUAL(guest->last_ic.icflags, RTE_HVDEV_IC_FLAG_TRANSACTION |
			  RTE_HVDEV_IC_FLAG_REQUEST, "flags TRANSACTION|REQUEST");
	TEST_ASSERT(guest->last_ic.icverframe.major == 3 && guest->last_ic.icvermsg.major == 4,
		    "header versions as agreed");
	TEST_ASSERT(b[0] == 1 && b[1] == 0 && b[2] == 0 && b[3] == 0, "SET, pool 0, padding");
	TEST_ASSERT_EQUAL(get32(b + GET_V + V_TYPE), 1, "REG_SZ");
	TEST_ASSERT_EQUAL(get32(b + GET_V + V_KSIZE), 10, "key_size: 5 units in bytes");
	TEST_ASSERT_EQUAL(get32(b + GET_V + V_VSIZE), 12, "value_size: 6 units in bytes");
	for (i = 0; i < 4; i++)
		TEST_ASSERT_EQUAL(get16(b + GET_V + V_KEY + 2 * i), (uint16_t)"Key1"[i], "key");
	TEST_ASSERT_EQUAL(get16(b + GET_V + V_KEY + 8), 0, "key NUL");
	pthread_mutex_unlock(&guest->lock);

	TEST_ASSERT_EQUAL(rte_hvsim_kvp_delete(dev, 0, "Key1", NULL, &res), 0, "delete");
	TEST_ASSERT_EQUAL(guest->last_ic.icmsgsize, MSG_SIZE, "DELETE: 2580 too");
	TEST_ASSERT(b[0] == 2 && get32(b + 4) == 10, "DELETE: op 2, key_size at 4");
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_enum_index(dev, 2, 7, NULL, NULL, &res), 0, "enum");
	TEST_ASSERT(b[0] == 3 && b[1] == 2 && get32(b + 4) == 7, "ENUMERATE: op 3, index at 4");
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_ip_get(dev, KG_MAC, NULL, NULL, &res), 0, "ip get");
	TEST_ASSERT_EQUAL(guest->last_ic.icmsgsize, IP_MSG_SIZE, "IP: 7428");
	TEST_ASSERT(b[0] == 4 && b[1] == 1, "GET_IP_INFO, pool guest");
	return TEST_SUCCESS;
}

/* SET, GET, DELETE on every pool, numbers and characters beyond the BMP. */
static int
check_roundtrip(void)
{
	static const char *const key8 = "cl\xc3\xa9 \xf0\x9f\x98\x80";	/* clé 😀 */
	struct rte_hvsim_kvp_result res;
	struct rte_hvsim_kvp_item got;
	unsigned int pool;

	for (pool = 0; pool < 5; pool++) {
		TEST_ASSERT_EQUAL(rte_hvsim_kvp_set(dev, (uint8_t)pool, item_of(
			RTE_HVDEV_KVP_REG_SZ, key8, "v\xc3\xa4lue \xf0\x9f\x98\x80", 0), NULL,
			&res), 0, "set pool %u", pool);
		TEST_ASSERT_EQUAL(res.status, 0, "set S_OK");
		TEST_ASSERT_EQUAL(rte_hvsim_kvp_get(dev, (uint8_t)pool, key8, &got, NULL, &res), 0,
				  "get pool %u", pool);
		TEST_ASSERT_EQUAL(res.status, 0, "get S_OK");
		TEST_ASSERT_EQUAL(got.type, RTE_HVDEV_KVP_REG_SZ, "REG_SZ");
		TEST_ASSERT(strcmp(got.value, "v\xc3\xa4lue \xf0\x9f\x98\x80") == 0,
			    "value through UTF-16 and back: '%s'", got.value);
	}
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_set(dev, 0, item_of(RTE_HVDEV_KVP_REG_U32, "d", "",
							    4000000000u), NULL, &res), 0, "dword");
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_get(dev, 0, "d", &got, NULL, &res), 0, "get dword");
	TEST_ASSERT(strcmp(got.value, "4000000000") == 0, "DWORD kept as its decimal: %s",
		    got.value);
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_set(dev, 0, item_of(RTE_HVDEV_KVP_REG_QWORD, "q", "",
							    UINT64_MAX), NULL, &res), 0, "qword");
	TEST_ASSERT_EQUAL(get32(guest->last + 28 + GET_V + V_TYPE), 11, "REG_QWORD is 11");
	TEST_ASSERT_EQUAL(get32(guest->last + 28 + GET_V + V_VSIZE), 8, "value_size 8");
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_get(dev, 0, "q", &got, NULL, &res), 0, "get qword");
	TEST_ASSERT(strcmp(got.value, "18446744073709551615") == 0, "QWORD: %s", got.value);
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_set(dev, 0, item_of(RTE_HVDEV_KVP_REG_SZ, "d", "new", 0),
					    NULL, &res), 0, "modify");
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_get(dev, 0, "d", &got, NULL, &res), 0, "get modified");
	TEST_ASSERT(strcmp(got.value, "new") == 0, "modified: %s", got.value);
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_delete(dev, 0, "d", NULL, &res), 0, "delete");
	TEST_ASSERT_EQUAL(res.status, 0, "delete S_OK");
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_get(dev, 0, "d", &got, NULL, &res), 0, "get deleted");
	TEST_ASSERT_EQUAL(res.status, HV_S_CONT, "a missing key: the guest's status, returned");
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_delete(dev, 0, "d", NULL, &res), 0, "delete again");
	TEST_ASSERT_EQUAL(res.status, HV_S_CONT, "delete of a missing key");
	TEST_ASSERT_EQUAL(guest_errors(), 0, "no guest error");
	return TEST_SUCCESS;
}

/* A whole pool, as the host reads intrinsic and guest items: index 0.. until HV_S_CONT. */
static int
check_enumerate(void)
{
	struct rte_hvsim_kvp_item *items = calloc(16, sizeof(*items));
	struct rte_hvsim_kvp_result res;
	unsigned int n, i;
	int ret;

	TEST_ASSERT(items != NULL, "calloc");
	ret = rte_hvsim_kvp_enumerate(dev, RTE_HVDEV_KVP_POOL_AUTO, items, 16, &n, NULL, &res);
	TEST_ASSERT_EQUAL(ret, 0, "enumerate auto");
	TEST_ASSERT_EQUAL(n, RTE_DIM(intrinsic), "every intrinsic item");
	TEST_ASSERT_EQUAL(res.requests, RTE_DIM(intrinsic) + 1, "one request per index, +1");
	TEST_ASSERT_EQUAL(res.status, HV_S_CONT, "ended by HV_S_CONT");
	for (i = 0; i < n; i++)
		TEST_ASSERT(strcmp(items[i].key, intrinsic[i][0]) == 0 &&
			    strcmp(items[i].value, intrinsic[i][1]) == 0, "item %u", i);
	/* The guest's own items (GuestExchangeItems) in pool 1. */
	for (i = 0; i < 3; i++) {
		char key[16];

		snprintf(key, sizeof(key), "g%u", i);
		TEST_ASSERT_EQUAL(rte_hvsim_kvp_set(dev, 1, item_of(RTE_HVDEV_KVP_REG_SZ, key,
				  "x", 0), NULL, &res), 0, "set");
	}
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_enumerate(dev, 1, items, 16, &n, NULL, &res), 0, "guest");
	TEST_ASSERT(n == 3 && strcmp(items[2].key, "g2") == 0, "three guest items: %u", n);
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_enumerate(dev, 4, items, 16, &n, NULL, &res), 0, "empty");
	TEST_ASSERT(n == 0 && res.status == HV_S_CONT && res.requests == 1, "an empty pool");
	ret = rte_hvsim_kvp_enumerate(dev, RTE_HVDEV_KVP_POOL_AUTO, items, 4, &n, NULL, &res);
	TEST_ASSERT(ret == -ENOBUFS && n == RTE_DIM(intrinsic), "more than max: -ENOBUFS, all "
		    "counted (%d, %u)", ret, n);
	ret = rte_hvsim_kvp_enumerate(dev, 9, items, 16, &n, NULL, &res);
	TEST_ASSERT(ret == 0 && n == 0 && res.status == HV_INVALIDARG,
		    "a bad pool: the guest's refusal ends it (%d, %#x)", ret, res.status);
	TEST_ASSERT_EQUAL(guest_errors(), 0, "no guest error");
	free(items);
	return TEST_SUCCESS;
}

static int
check_ip(void)
{
	struct rte_hvsim_kvp_ip *ip = calloc(1, sizeof(*ip));
	struct rte_hvsim_kvp_result res;

	TEST_ASSERT(ip != NULL, "calloc");
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_ip_get(dev, KG_MAC, ip, NULL, &res), 0, "ip get");
	TEST_ASSERT_EQUAL(res.status, 0, "S_OK");
	TEST_ASSERT(strcmp(ip->ip_addr, "10.0.0.4;10.0.0.5") == 0 &&
		    strcmp(ip->subnet, "255.255.255.0;255.255.255.0") == 0 &&
		    strcmp(ip->gateway, "10.0.0.1") == 0 && strcmp(ip->dns, "168.63.129.16") == 0 &&
		    ip->addr_family == RTE_HVSIM_KVP_ADDR_BOTH && ip->dhcp_enabled == 1,
		    "decoded: %s / %s / %s / %s", ip->ip_addr, ip->subnet, ip->gateway, ip->dns);
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_ip_get(dev, "00:00:00:00:00:00", ip, NULL, &res), 0,
			  "unknown adapter");
	TEST_ASSERT_EQUAL(res.status, HV_E_FAIL, "the guest's E_FAIL");

	memset(ip, 0, sizeof(*ip));
	snprintf(ip->adapter_id, sizeof(ip->adapter_id), "{4fb2d8ea-1c23-4f5e-9d1f-0b2a6e1c5a11}");
	snprintf(ip->ip_addr, sizeof(ip->ip_addr), "192.168.1.10");
	snprintf(ip->subnet, sizeof(ip->subnet), "255.255.255.0");
	snprintf(ip->gateway, sizeof(ip->gateway), "192.168.1.1");
	snprintf(ip->dns, sizeof(ip->dns), "192.168.1.2;192.168.1.3");
	ip->addr_family = RTE_HVSIM_KVP_ADDR_IPV4;
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_ip_set(dev, ip, NULL, &res), 0, "ip set");
	TEST_ASSERT_EQUAL(res.status, 0, "S_OK");
	pthread_mutex_lock(&guest->lock);
	TEST_ASSERT(strcmp(guest->ip_set[0], ip->adapter_id) == 0 &&
		    strcmp(guest->ip_set[1], "192.168.1.10") == 0 &&
		    strcmp(guest->ip_set[4], "192.168.1.2;192.168.1.3") == 0 &&
		    guest->ip_family == 1 && guest->ip_dhcp == 0, "the guest got it: %s %s",
		    guest->ip_set[0], guest->ip_set[4]);
	pthread_mutex_unlock(&guest->lock);
	free(ip);
	return TEST_SUCCESS;
}

/* No answer in time: -ETIMEDOUT; the answer that comes later is only counted. */
static int
check_timeout(void)
{
	struct rte_hvsim_kvp_opts o = { .timeout_ms = 200 };
	struct rte_hvsim_kvp_result res;
	struct rte_hvsim_dev_stats st;
	uint64_t t0 = hvdev_test_now_us();
	int i;

	guest->late_ms = 600;
	kg_set_bad(guest, KG_LATE);
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_get(dev, 0, "x", NULL, &o, &res), -ETIMEDOUT, "timeout");
	TEST_ASSERT(res.timed_out && !res.answered, "timed_out, not answered");
	TEST_ASSERT(hvdev_test_now_us() - t0 >= 200000, "waited the timeout");
	for (i = 0; i < 100; i++) {
		rte_hvsim_dev_stats_get(dev, &st);
		if (st.late_answers == 1)
			break;
		usleep(20000);
	}
	TEST_ASSERT_EQUAL(st.late_answers, 1, "the late answer counted, not taken");
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_set(dev, 0, item_of(1, "x", "y", 0), &o, &res), 0,
			  "the next request works");
	TEST_ASSERT_EQUAL(res.status, 0, "S_OK");
	kg_set_bad(guest, KG_SILENT);
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_delete(dev, 0, "x", &o, &res), -ETIMEDOUT, "silent");
	return TEST_SUCCESS;
}

static void *
rescind_later(void *arg)
{
	usleep(200000);
	rte_hvsim_rescind(arg);
	return NULL;
}

static void *
get_slowly(void *arg)
{
	struct rte_hvsim_kvp_opts o = { .timeout_ms = 1000 };
	struct rte_hvsim_kvp_result res;

	*(int *)arg = rte_hvsim_kvp_get(dev, 0, "x", NULL, &o, &res);
	return NULL;
}

/*
 * The device rescinded while a request waits: the call ends at once with -ENOTCONN, not at
 * the timeout. A second call while one runs is refused with -EBUSY.
 */
static int
check_rescind_midway(void)
{
	struct rte_hvsim_kvp_opts o = { .timeout_ms = 5000 };
	struct rte_hvsim_kvp_result res;
	pthread_t t;
	uint64_t t0;
	int ret = 0;

	kg_set_bad(guest, KG_SILENT);
	TEST_ASSERT_EQUAL(pthread_create(&t, NULL, get_slowly, &ret), 0, "thread");
	usleep(100000);
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_get(dev, 0, "y", NULL, NULL, &res), -EBUSY,
			  "one call at a time");
	pthread_join(t, NULL);
	TEST_ASSERT_EQUAL(ret, -ETIMEDOUT, "the first call timed out");

	kg_set_bad(guest, KG_SILENT);
	TEST_ASSERT_EQUAL(pthread_create(&t, NULL, rescind_later, dev), 0, "thread");
	t0 = hvdev_test_now_us();
	ret = rte_hvsim_kvp_set(dev, 0, item_of(1, "k", "v", 0), &o, &res);
	pthread_join(t, NULL);
	TEST_ASSERT_EQUAL(ret, -ENOTCONN, "rescinded during the request");
	TEST_ASSERT(!res.timed_out && !res.answered && res.requests == 1, "sent, not answered");
	TEST_ASSERT(hvdev_test_now_us() - t0 < 3000000, "ended by the rescind, not the timeout");
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_get(dev, 0, "k", NULL, NULL, &res), -ENOTCONN,
			  "nothing to talk to after the rescind");
	return TEST_SUCCESS;
}

/* Every broken answer is refused, with the reason, and counted as a guest error. */
static int
check_hostile_answers(void)
{
	static const struct {
		enum kg_bad bad;
		int op;		/* 0 get, 3 enumerate, 4 ip get */
		const char *why;
	} cases[] = {
		{ KG_NO_TRANSACTION, 0, "flags are not TRANSACTION|RESPONSE" },
		{ KG_SHORT, 0, "payload length" },
		{ KG_ICMSGSIZE, 0, "icmsgsize runs beyond the packet" },
		{ KG_MSGTYPE, 0, "message type is not KVP" },
		{ KG_KEY_ODD, 3, "key_size odd" },
		{ KG_KEY_NO_NUL, 3, "not NUL-terminated" },
		{ KG_VALUE_SURROGATE, 0, "invalid UTF-16" },
		{ KG_VALUE_OVER, 0, "value_size odd or over 2048" },
		{ KG_TYPE_U64, 3, "unknown value type" },
		{ KG_DWORD_SIZE, 0, "DWORD whose value_size is not 4" },
		{ KG_IP_NO_NUL, 4, "ip_addr: not NUL-terminated within its field" },
	};
	struct rte_hvsim_kvp_result res;
	struct rte_hvsim_kvp_item got;
	unsigned int i;
	uint64_t errs;
	int ret;

	TEST_ASSERT_EQUAL(rte_hvsim_kvp_set(dev, 0, item_of(1, "k", "v", 0), NULL, &res), 0,
			  "set");
	for (i = 0; i < RTE_DIM(cases); i++) {
		errs = guest_errors();
		kg_set_bad(guest, cases[i].bad);
		ret = cases[i].op == 0 ? rte_hvsim_kvp_get(dev, 0, "k", &got, NULL, &res) :
		      cases[i].op == 3 ? rte_hvsim_kvp_enum_index(dev, 2, 0, &got, NULL, &res) :
		      rte_hvsim_kvp_ip_get(dev, KG_MAC, NULL, NULL, &res);
		TEST_ASSERT_EQUAL(ret, -EBADMSG, "case %u: refused", i);
		TEST_ASSERT(strstr(res.error, cases[i].why) != NULL, "case %u: '%s' says '%s'", i,
			    res.error, cases[i].why);
		TEST_ASSERT_EQUAL(guest_errors(), errs + 1, "case %u: a guest error", i);
	}
	/* Microsoft's host does not look at the operation and pool of an answer. */
	kg_set_bad(guest, KG_OP_ECHO);
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_get(dev, 0, "k", &got, NULL, &res), 0,
			  "operation changed: taken, as Microsoft's host does");
	/* A guest that never ends an enumeration is cut off. */
	kg_set_bad(guest, KG_NEVER_END);
	{
		struct rte_hvsim_kvp_opts o = { .timeout_ms = 2000 };
		unsigned int n;

		ret = rte_hvsim_kvp_enumerate(dev, 2, NULL, 0, &n, &o, &res);
		TEST_ASSERT(ret == -EOVERFLOW && n == 65536, "endless: %d after %u", ret, n);
	}
	kg_set_bad(guest, KG_OK);
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_get(dev, 0, "k", &got, NULL, &res), 0, "a good answer");
	TEST_ASSERT(res.status == 0 && strcmp(got.value, "v") == 0, "still works");
	return TEST_SUCCESS;
}

/* The fault hooks send what they say; the guest's refusal comes back as its status. */
static int
check_mangle(void)
{
	struct rte_hvsim_kvp_opts o = { 0 };
	struct rte_hvsim_kvp_result res;
	const uint8_t *b = guest->last + RTE_HVDEV_IC_HDR_SIZE;

	o.mangle = RTE_HVSIM_KVP_MANGLE_KEY_SIZE;
	o.key_size = 4096;
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_get(dev, 0, "k", NULL, &o, &res), 0, "key_size 4096");
	TEST_ASSERT(get32(b + GET_V + V_KSIZE) == 4096 && res.status == HV_INVALIDARG,
		    "sent, refused: %#x", res.status);

	o.mangle = RTE_HVSIM_KVP_MANGLE_VALUE_SIZE;
	o.value_size = 4096;
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_set(dev, 0, item_of(1, "k", "v", 0), &o, &res), 0, "vs");
	TEST_ASSERT(get32(b + GET_V + V_VSIZE) == 4096 && res.status == HV_INVALIDARG,
		    "value_size 4096 refused: %#x", res.status);

	o.mangle = RTE_HVSIM_KVP_MANGLE_BODY_LEN;
	o.body_len = 100;
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_get(dev, 0, "k", NULL, &o, &res), 0, "truncated");
	TEST_ASSERT(guest->last_ic.icmsgsize == 100 && guest->last_len == 128 &&
		    res.status == HV_INVALIDARG, "100-byte body refused: %u %#x",
		    guest->last_len, res.status);

	o.mangle = RTE_HVSIM_KVP_MANGLE_ICMSGSIZE;
	o.icmsgsize = 60000;
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_get(dev, 0, "k", NULL, &o, &res), 0, "icmsgsize lie");
	TEST_ASSERT(guest->last_ic.icmsgsize == 60000 && res.status == HV_INVALIDARG,
		    "icmsgsize beyond the packet refused: %#x", res.status);

	o.mangle = RTE_HVSIM_KVP_MANGLE_OP;
	o.op = 7;
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_get(dev, 0, "k", NULL, &o, &res), 0, "unknown op");
	TEST_ASSERT(b[0] == 7 && res.status == HV_NOT_SUPPORTED, "op 7: %#x", res.status);

	o.mangle = RTE_HVSIM_KVP_MANGLE_KEY_UTF16;
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_get(dev, 0, "key", NULL, &o, &res), 0, "utf16");
	TEST_ASSERT(get16(b + GET_V + V_KEY + 4) == 0xd800 && res.status == HV_INVALIDARG,
		    "a lone surrogate in the key refused: %#x", res.status);

	o.mangle = RTE_HVSIM_KVP_MANGLE_KEY_NO_NUL;
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_delete(dev, 0, "key", &o, &res), 0, "no NUL");
	TEST_ASSERT(get32(b + 4) == 512 && get16(b + 8 + 510) == 'k' &&
		    res.status == HV_INVALIDARG, "an unterminated key refused: %#x", res.status);

	o.mangle = RTE_HVSIM_KVP_MANGLE_VALUE_NO_NUL;
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_set(dev, 0, item_of(1, "k", "v", 0), &o, &res), 0, "vnn");
	TEST_ASSERT(get32(b + GET_V + V_VSIZE) == 2048 && res.status == HV_INVALIDARG,
		    "an unterminated value refused: %#x", res.status);

	o.mangle = RTE_HVSIM_KVP_MANGLE_VALUE_UTF16;
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_set(dev, 0, item_of(1, "k", "vv", 0), &o, &res), 0, "vs");
	TEST_ASSERT(get16(b + GET_V + V_VALUE + 2) == 0xdc00 && res.status == HV_INVALIDARG,
		    "a lone surrogate in the value refused: %#x", res.status);

	TEST_ASSERT_EQUAL(rte_hvsim_kvp_get(dev, 200, "k", NULL, NULL, &res), 0, "bad pool");
	TEST_ASSERT(b[1] == 200 && res.status == HV_INVALIDARG, "pool 200: %#x", res.status);
	TEST_ASSERT_EQUAL(guest_errors(), 0, "refusals are valid answers");
	return TEST_SUCCESS;
}

static int
check_raw(void)
{
	struct rte_hvsim_kvp_result res;
	uint8_t msg[MSG_SIZE] = { 3, 2 }, ans[MSG_SIZE];
	uint32_t alen = sizeof(ans);
	char key[64];

	TEST_ASSERT_EQUAL(rte_hvsim_kvp_raw(dev, msg, sizeof(msg), ans, &alen, NULL, &res), 0,
			  "raw ENUMERATE index 0 of auto");
	TEST_ASSERT(res.status == 0 && alen == MSG_SIZE, "S_OK, %u bytes", alen);
	TEST_ASSERT(u16_to_u8(ans + ENUM_V + V_KEY, 256, key, sizeof(key)) == 0 &&
		    strcmp(key, intrinsic[0][0]) == 0, "the answer's key: %s", key);
	alen = sizeof(ans);
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_raw(dev, msg, 3, ans, &alen, NULL, &res), 0, "3 bytes");
	TEST_ASSERT(res.status == HV_INVALIDARG && guest->last_ic.icmsgsize == 3,
		    "a 3-byte body refused: %#x", res.status);
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_raw(dev, msg, 70000, NULL, NULL, NULL, &res), -EINVAL,
			  "over 65535");
	return TEST_SUCCESS;
}

static int
check_errors(void)
{
	struct rte_hvsim_kvp_result res;
	char key[600];

	memset(key, 'k', 255);
	key[255] = '\0';
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_get(dev, 0, key, NULL, NULL, &res), 0, "255 units fit");
	key[255] = 'k';
	key[256] = '\0';
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_get(dev, 0, key, NULL, NULL, &res), -EINVAL, "256 not");
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_get(dev, 0, "\xff", NULL, NULL, &res), -EINVAL, "UTF-8");
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_get(dev, 0, NULL, NULL, NULL, &res), -EINVAL, "NULL key");
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_get(NULL, 0, "k", NULL, NULL, &res), -EINVAL, "NULL");
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_set(dev, 0, item_of(RTE_HVDEV_KVP_REG_U32, "k", "",
					    1ull << 32), NULL, &res), -EINVAL, "DWORD range");
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_pool_parse("auto-external"), 3, "pool name");
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_pool_parse("255"), 255, "pool number");
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_pool_parse("256"), -EINVAL, "pool range");
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_pool_parse("pool"), -EINVAL, "pool junk");
	TEST_ASSERT(strcmp(rte_hvsim_kvp_pool_name(1), "guest") == 0 &&
		    rte_hvsim_kvp_pool_name(5) == NULL, "pool names");
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_type_parse("qword"), 11, "type name");
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_type_parse("8"), 8, "type number");
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_type_parse("bytes"), -EINVAL, "type junk");
	TEST_ASSERT(strcmp(rte_hvsim_hresult_message(HV_S_CONT), "No more data is available.") ==
		    0, "HV_S_CONT's text");
	{
		struct rte_hvsim_kvp_opts o = { 0 };
		char err[128];

		TEST_ASSERT_EQUAL(rte_hvsim_kvp_mangle_parse("key_size=4096,body_len=100 op=7,"
			"key_utf16,value_no_nul", &o, err, sizeof(err)), 0, "mangle spec: %s", err);
		TEST_ASSERT(o.mangle == (RTE_HVSIM_KVP_MANGLE_KEY_SIZE |
			    RTE_HVSIM_KVP_MANGLE_BODY_LEN | RTE_HVSIM_KVP_MANGLE_OP |
			    RTE_HVSIM_KVP_MANGLE_KEY_UTF16 | RTE_HVSIM_KVP_MANGLE_VALUE_NO_NUL) &&
			    o.key_size == 4096 && o.body_len == 100 && o.op == 7, "parsed");
		TEST_ASSERT_EQUAL(rte_hvsim_kvp_mangle_parse("none", &o, err, sizeof(err)), 0,
				  "none");
		TEST_ASSERT_EQUAL(o.mangle, 0, "none clears");
		TEST_ASSERT_EQUAL(rte_hvsim_kvp_mangle_parse("op=256", &o, err, sizeof(err)),
				  -EINVAL, "op range");
		TEST_ASSERT(strstr(err, "from 0 to 255") != NULL, "why: %s", err);
		TEST_ASSERT_EQUAL(rte_hvsim_kvp_mangle_parse("key_utf16=1", &o, err, sizeof(err)),
				  -EINVAL, "a flag with a value");
		TEST_ASSERT_EQUAL(rte_hvsim_kvp_mangle_parse("bogus", &o, err, sizeof(err)),
				  -EINVAL, "unknown");
		TEST_ASSERT(strstr(err, "unknown KVP mangle item 'bogus'") != NULL, "why: %s", err);
	}
	/* The guest goes away: the channel is closed. */
	kg_stop(guest);
	guest->root = NULL;
	TEST_ASSERT_EQUAL(rte_hvsim_wait_open(dev, false, WAIT_MS), 0, "closed");
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_get(dev, 0, "k", NULL, NULL, &res), -ENOTCONN, "closed");
	return TEST_SUCCESS;
}

/* A device offered without the IC role has no KVP role either. */
static int
check_no_ic_role(void)
{
	struct rte_hvsim_dev_conf conf = { .ic_negotiate = false };
	struct rte_hvsim_kvp_result res;
	struct rte_hvsim_dev *d;

	hvdev_test_class("kvp", conf.class_id);
	d = rte_hvsim_offer(sim, &conf);
	TEST_ASSERT(d != NULL, "offer");
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_get(d, 0, "k", NULL, NULL, &res), -ENOTSUP, "no IC");
	return TEST_SUCCESS;
}

/* KVP 5.0 takes the binary IP form, which is not played: refused before anything is sent. */
static int
check_ip_v5(void)
{
	struct rte_hvsim_kvp_result res;
	struct rte_hvsim_kvp_ip ip = { .adapter_id = "x" };
	unsigned int before = guest->requests;

	TEST_ASSERT_EQUAL(rte_hvsim_kvp_ip_get(dev, KG_MAC, NULL, NULL, &res), -ENOTSUP, "get");
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_ip_set(dev, &ip, NULL, &res), -ENOTSUP, "set");
	TEST_ASSERT_EQUAL(guest->requests, before, "nothing sent");
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_set(dev, 0, item_of(1, "k", "v", 0), NULL, &res), 0,
			  "the other operations work on 5.0");
	TEST_ASSERT_EQUAL(res.status, 0, "S_OK");
	return TEST_SUCCESS;
}

#define KVP_CASE(name, check) \
static int \
name(void) \
{ \
	int ret; \
	ret = setup(); \
	if (ret == TEST_SUCCESS) \
		ret = check(); \
	teardown(); \
	return ret; \
}

KVP_CASE(test_request_shape, check_request_shape)
KVP_CASE(test_roundtrip, check_roundtrip)
KVP_CASE(test_enumerate, check_enumerate)
KVP_CASE(test_ip, check_ip)
KVP_CASE(test_timeout, check_timeout)
KVP_CASE(test_hostile_answers, check_hostile_answers)
KVP_CASE(test_mangle, check_mangle)
KVP_CASE(test_raw, check_raw)
KVP_CASE(test_rescind_midway, check_rescind_midway)
KVP_CASE(test_errors, check_errors)
KVP_CASE(test_no_ic_role, check_no_ic_role)
/* A strict host refuses an answer whose operation or pool is not the request's. */
static int
check_strict_echo(void)
{
	struct rte_hvsim_kvp_result res;

	TEST_ASSERT_EQUAL(rte_hvsim_kvp_set(dev, 0, item_of(1, "k", "v", 0), NULL, &res), 0,
			  "set");
	kg_set_bad(guest, KG_OP_ECHO);
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_get(dev, 0, "k", NULL, NULL, &res), -EBADMSG, "refused");
	TEST_ASSERT(strstr(res.error, "operation and pool are not the request's") != NULL,
		    "why: %s", res.error);
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_get(dev, 0, "k", NULL, NULL, &res), 0, "then fine");
	TEST_ASSERT_EQUAL(res.status, 0, "S_OK");
	return TEST_SUCCESS;
}

static int
test_strict_echo(void)
{
	int ret;

	setup_strict = true;
	ret = setup();
	if (ret == TEST_SUCCESS)
		ret = check_strict_echo();
	teardown();
	setup_strict = false;
	return ret;
}

static int
test_ip_v5(void)
{
	int ret;

	setup_v5 = true;
	ret = setup();
	if (ret == TEST_SUCCESS)
		ret = check_ip_v5();
	teardown();
	setup_v5 = false;
	return ret;
}

static const struct hvdev_test_case cases[] = {
	HVDEV_CASE(request_shape, test_request_shape),
	HVDEV_CASE(roundtrip, test_roundtrip),
	HVDEV_CASE(enumerate, test_enumerate),
	HVDEV_CASE(ip, test_ip),
	HVDEV_CASE(timeout, test_timeout),
	HVDEV_CASE(hostile_answers, test_hostile_answers),
	HVDEV_CASE(mangle, test_mangle),
	HVDEV_CASE(raw, test_raw),
	HVDEV_CASE(rescind_midway, test_rescind_midway),
	HVDEV_CASE(errors, test_errors),
	HVDEV_CASE(no_ic_role, test_no_ic_role),
	HVDEV_CASE(ip_v5, test_ip_v5),
	HVDEV_CASE(strict_echo, test_strict_echo),
};

/* ---- Process mode: a KVP guest for the command-line tests ---- */

static void
on_quit(int sig)
{
	RTE_SET_USED(sig);
	kg_quit = 1;
}

static int
guest_process(const char *dir, unsigned int seconds, const char *how)
{
	static struct kvp_guest g;
	struct sigaction sa = { .sa_handler = on_quit };
	uint64_t end = hvdev_test_now_us() + (uint64_t)seconds * 1000000;

	if (how != NULL && strcmp(how, "silent") == 0) {
		g.mute = true;
	} else if (how != NULL && strcmp(how, "bad-flags") == 0) {
		g.bad = KG_NO_TRANSACTION;
	} else if (how != NULL) {
		fprintf(stderr, "fake kvp guest: '%s' is neither silent nor bad-flags\n", how);
		return 2;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	g.reattach = true;
	g.verbose = true;
	if (kg_start(&g, dir) < 0)
		return 1;
	while (!kg_quit && hvdev_test_now_us() < end)
		usleep(KG_SLICE_MS * 1000);
	kg_quit = 1;
	kg_stop(&g);
	printf("fake kvp guest: %u negotiations, %u requests, %u errors\n", g.negotiations,
	       g.requests, g.errors);
	return g.errors == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "--guest") == 0)
		return guest_process(argv[2], argc >= 4 ? (unsigned int)atoi(argv[3]) : 60,
				     argc >= 5 ? argv[4] : NULL);
	return hvdev_test_main(argc, argv, cases, RTE_DIM(cases));
}
