/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * The simulator's Copy-VMFile role (rte_hvsim_fcopy()) against a small fake guest written
 * here on the transport API: it answers the NEGOTIATE, then every fcopy request with a status
 * chosen by the case, and records what it saw (operations, payload lengths, IC headers,
 * offsets, sizes, names, flags, the data at its offsets).
 *
 * Run as "test_hvsim_fcopy --guest ROOT [SECONDS [silent|start=0xHEX]]" the same fake is a
 * guest process that answers S_OK to everything under ROOT (or nothing, or fails every START),
 * reattaching after a rescind; the dpdk-hvsim command-line test uses it that way.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include <rte_common.h>

#include "hvdev_test.h"
#include "hvdev_uio_chan.h"
#include "rte_hvdev_fcopy.h"
#include "rte_hvdev_ic.h"
#include "rte_hvsim.h"

#define PKT_INBAND 6
#define WAIT_MS 3000
#define FG_MAX_OPS 64
#define FG_MAX_DATA (64 * 1024)
#define FG_SLICE_MS 50

/* ---- The fake guest ---- */

struct fg_op {
	uint32_t op;
	uint32_t len;			/* payload bytes as received */
	struct rte_hvdev_ic_hdr ic;
	uint64_t offset;		/* WRITE */
	uint32_t size;			/* WRITE */
};

struct fake_guest {
	const char *root;
	/* Behaviour, set before fg_start(); requests are counted from 1. */
	uint32_t fail_at;		/* answer this request with fail_status */
	uint32_t fail_status;
	uint32_t late_at;		/* answer this request only after late_ms ... */
	uint32_t late_ms;
	bool silent;			/* ... or never */
	uint32_t bad_len_at;		/* answer this request 8 bytes longer */
	uint32_t start_status;		/* answer every START with this (process mode) */
	bool mute;			/* answer no fcopy request at all (process mode) */
	bool reattach;			/* after a rescind, wait for the device to come back */
	bool verbose;			/* print one line per request (process mode) */
	/* State. */
	pthread_t thread;
	volatile bool stop;
	pthread_mutex_t lock;
	unsigned int negotiations;
	unsigned int requests;		/* fcopy requests seen */
	unsigned int nops;		/* of them recorded in ops[] */
	struct fg_op ops[FG_MAX_OPS];
	struct rte_hvdev_fcopy_start start;	/* the last START */
	uint8_t data[FG_MAX_DATA];	/* WRITE data, placed at its offset */
	uint64_t data_len;
	uint64_t bytes;
	unsigned int errors;
};

static volatile sig_atomic_t fg_quit;

static int
fg_send(struct hvdev_chan *ch, uint64_t xactid, const void *buf, uint32_t len)
{
	struct iovec iov = { .iov_base = (void *)(uintptr_t)buf, .iov_len = len };

	return hvdev_chan_send(ch, PKT_INBAND, 0, xactid, &iov, 1);
}

/* Record one fcopy request. Lock held. */
static void
fg_record(struct fake_guest *g, const uint8_t *p, uint32_t len, const struct rte_hvdev_ic_hdr *ic)
{
	const uint8_t *body = p + RTE_HVDEV_IC_HDR_SIZE;
	struct rte_hvdev_fcopy_write w;
	struct fg_op *o;

	g->requests++;
	if (len < RTE_HVDEV_IC_HDR_SIZE + 4) {
		g->errors++;
		return;
	}
	/* The last START is kept however long the log grows. */
	if (body[0] == RTE_HVDEV_FCOPY_START && len >= RTE_HVDEV_IC_HDR_SIZE + sizeof(g->start))
		memcpy(&g->start, body, sizeof(g->start));
	/* A long copy in process mode outgrows the log; only its totals count there. */
	if (g->nops >= FG_MAX_OPS)
		return;
	o = &g->ops[g->nops++];
	memset(o, 0, sizeof(*o));
	memcpy(&o->op, body, 4);
	o->len = len;
	o->ic = *ic;
	if (o->op != RTE_HVDEV_FCOPY_WRITE)
		return;
	if (len < RTE_HVDEV_IC_HDR_SIZE + offsetof(struct rte_hvdev_fcopy_write, data)) {
		g->errors++;
		return;
	}
	memcpy(&w, body, RTE_MIN(sizeof(w), (size_t)len - RTE_HVDEV_IC_HDR_SIZE));
	o->offset = w.offset;
	o->size = w.size;
	g->bytes += w.size;
	if (w.size > RTE_HVDEV_FCOPY_DATA_MAX || w.offset + w.size > FG_MAX_DATA)
		return;
	memcpy(g->data + w.offset, w.data, w.size);
	g->data_len = RTE_MAX(g->data_len, w.offset + w.size);
}

/* One UTF-16 field, ASCII as is and anything else as \uXXXX (what the dpdk-hvsim test reads). */
static void
fg_print_u16(const char *key, const uint16_t *u, unsigned int n)
{
	unsigned int i;

	printf(" %s=", key);
	for (i = 0; i < n && u[i] != 0; i++) {
		if (u[i] >= 0x20 && u[i] < 0x7f)
			putchar(u[i]);
		else
			printf("\\u%04x", u[i]);
	}
}

/* "fake guest: start path=... name=...": what the host put in START, as it came. */
static void
fg_print_start(const struct rte_hvdev_fcopy_start *st)
{
	printf("fake guest: start");
	fg_print_u16("path", st->path_name, RTE_HVDEV_FCOPY_MAX_PATH);
	fg_print_u16("name", st->file_name, RTE_HVDEV_FCOPY_MAX_PATH);
	putchar('\n');
	fflush(stdout);
}

static void
fg_answer(struct fake_guest *g, struct hvdev_chan *ch, const struct hvdev_pkt_meta *m,
	  uint8_t *buf)
{
	const struct rte_hvdev_ic_class *fcopy = rte_hvdev_ic_class_by_name("fcopy");
	struct rte_hvdev_ic_hdr ic;
	uint32_t n, status = RTE_HVDEV_IC_S_OK, len = m->len;

	if (rte_hvdev_ic_parse(buf, m->len, &ic, NULL) < 0) {
		g->errors++;
		return;
	}
	if (ic.icmsgtype == RTE_HVDEV_IC_MSG_NEGOTIATE) {
		rte_hvdev_ic_negotiate(buf, m->len, fcopy->fw, fcopy->nfw, fcopy->srv, fcopy->nsrv,
				       NULL, NULL);
		pthread_mutex_lock(&g->lock);
		g->negotiations++;
		pthread_mutex_unlock(&g->lock);
		if (g->verbose) {
			printf("fake guest: negotiated\n");
			fflush(stdout);
		}
		fg_send(ch, m->xactid, buf, m->len);
		return;
	}
	pthread_mutex_lock(&g->lock);
	fg_record(g, buf, m->len, &ic);
	n = g->requests;
	if (g->verbose && m->len >= RTE_HVDEV_IC_HDR_SIZE + sizeof(g->start) &&
	    buf[RTE_HVDEV_IC_HDR_SIZE] == RTE_HVDEV_FCOPY_START)
		fg_print_start(&g->start);
	pthread_mutex_unlock(&g->lock);
	if (g->mute)
		return;
	if (n == g->fail_at)
		status = g->fail_status;
	if (m->len >= RTE_HVDEV_IC_HDR_SIZE + 4 && buf[RTE_HVDEV_IC_HDR_SIZE] ==
	    RTE_HVDEV_FCOPY_START && g->start_status != 0)
		status = g->start_status;
	if (n == g->late_at && g->silent)
		return;
	if (n == g->late_at)
		usleep(g->late_ms * 1000);
	if (n == g->bad_len_at)
		len += 8;
	rte_hvdev_ic_make_response(buf, status);
	if (fg_send(ch, m->xactid, buf, len) < 0) {
		pthread_mutex_lock(&g->lock);
		g->errors++;
		pthread_mutex_unlock(&g->lock);
	}
}

/* Serve one open channel until it breaks or we are told to stop. */
static void
fg_serve(struct fake_guest *g, struct hvdev_chan *ch)
{
	static uint8_t buf[8192];
	struct hvdev_pkt_meta m;
	int ret;

	while (!g->stop && !fg_quit) {
		ret = hvdev_chan_wait(ch, FG_SLICE_MS);
		if (ret < 0 && ret != -EINTR)
			return;
		while (!g->stop && hvdev_chan_recv(ch, &m, buf, sizeof(buf)) == 0)
			fg_answer(g, ch, &m, buf);
	}
}

static void *
fg_main(void *arg)
{
	struct fake_guest *g = arg;
	struct hvdev_uio_devinfo info;
	struct hvdev_chan *ch;
	rte_uuid_t cls;
	char err[512];

	hvdev_test_class("fcopy", cls);
	do {
		if (hvdev_uio_discover(g->root, cls, NULL, FG_SLICE_MS * 4, &info, err,
				       sizeof(err)) < 0)
			continue;
		/* A device being rescinded can still be listed while its node refuses. */
		if (hvdev_chan_open(&info, &ch) < 0) {
			usleep(FG_SLICE_MS * 1000);
			continue;
		}
		fg_serve(g, ch);
		hvdev_chan_close(ch);
	} while (g->reattach && !g->stop && !fg_quit);
	return NULL;
}

static int
fg_start(struct fake_guest *g, const char *root)
{
	g->root = root;
	pthread_mutex_init(&g->lock, NULL);
	return pthread_create(&g->thread, NULL, fg_main, g) == 0 ? 0 : -1;
}

static void
fg_stop(struct fake_guest *g)
{
	g->stop = true;
	pthread_join(g->thread, NULL);
	pthread_mutex_destroy(&g->lock);
}

/* ---- Fixture: a host with one fcopy device, and a guest that negotiated with it ---- */

static char root[256];
static struct rte_hvsim *sim;
static struct rte_hvsim_dev *dev;
static struct fake_guest *guest;
static uint32_t host_packets;

static void
host_on_packet(struct rte_hvsim_dev *d, const struct rte_hvsim_pkt *p, void *arg)
{
	RTE_SET_USED(d);
	RTE_SET_USED(p);
	RTE_SET_USED(arg);
	__atomic_fetch_add(&host_packets, 1, __ATOMIC_SEQ_CST);
}

static const struct rte_hvsim_dev_ops host_ops = { .on_packet = host_on_packet };

static int
setup_host(bool ic)
{
	struct rte_hvsim_dev_conf conf = { .ic_negotiate = ic, .ops = &host_ops };

	host_packets = 0;
	TEST_ASSERT(hvdev_test_root_create(root, sizeof(root)) == 0, "mkdtemp");
	sim = rte_hvsim_create(root);
	TEST_ASSERT(sim != NULL, "simulator create");
	TEST_ASSERT_EQUAL(rte_hvsim_start(sim), 0, "simulator start");
	hvdev_test_class("fcopy", conf.class_id);
	dev = rte_hvsim_offer(sim, &conf);
	TEST_ASSERT(dev != NULL, "offer");
	guest = calloc(1, sizeof(*guest));
	TEST_ASSERT(guest != NULL, "calloc");
	return TEST_SUCCESS;
}

/* The guest's behaviour is set between setup_host() and this. */
static int
start_guest(void)
{
	TEST_ASSERT_EQUAL(fg_start(guest, root), 0, "guest thread");
	TEST_ASSERT_EQUAL(rte_hvsim_wait_open(dev, true, WAIT_MS), 0, "guest opens");
	TEST_ASSERT_EQUAL(rte_hvsim_ic_wait(dev, WAIT_MS), 0, "negotiation");
	return TEST_SUCCESS;
}

static void
teardown(void)
{
	if (guest != NULL && guest->root != NULL)
		fg_stop(guest);
	free(guest);
	guest = NULL;
	rte_hvsim_destroy(sim);
	sim = NULL;
	dev = NULL;
	hvdev_test_root_remove(root);
}

/* A source file of @p len pattern bytes under the root. */
static int
make_src(char *path, size_t size, uint32_t len, uint32_t seed)
{
	uint8_t *buf = malloc(len > 0 ? len : 1);
	int fd, ok;

	snprintf(path, size, "%s/src-%u-%u.bin", root, len, seed);
	TEST_ASSERT(buf != NULL, "malloc");
	hvdev_test_fill(buf, len, seed);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ok = fd >= 0 && write(fd, buf, len) == (ssize_t)len;
	if (fd >= 0)
		close(fd);
	free(buf);
	TEST_ASSERT(ok, "write %s", path);
	return TEST_SUCCESS;
}

/* UTF-16 of @p name, as a NUL-terminated array of code units in host order. */
static int
check_u16(const uint16_t *field, const uint16_t *want, unsigned int n, const char *what)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		TEST_ASSERT_EQUAL(field[i], want[i], "%s: unit %u", what, i);
	TEST_ASSERT_EQUAL(field[n], 0, "%s: NUL after %u units", what, n);
	return TEST_SUCCESS;
}

static int
check_ascii(const uint16_t *field, const char *want, const char *what)
{
	uint16_t u[RTE_HVDEV_FCOPY_MAX_PATH];
	unsigned int i, n = (unsigned int)strlen(want);

	for (i = 0; i < n; i++)
		u[i] = (uint8_t)want[i];
	return check_u16(field, u, n, what);
}

/* ---- Cases ---- */

/* One size: the operations, the payloads and IC headers, offsets, data, flags. */
static int
check_size(uint32_t size, unsigned int nwrites)
{
	struct rte_hvsim_fcopy_result res;
	char src[PATH_MAX], dest[64];
	unsigned int i;
	uint64_t off = 0;

	TEST_RUN(make_src(src, sizeof(src), size, size));
	snprintf(dest, sizeof(dest), "/guest/dir/file-%u", size);
	pthread_mutex_lock(&guest->lock);
	guest->nops = 0;
	guest->data_len = 0;
	pthread_mutex_unlock(&guest->lock);
	TEST_ASSERT_EQUAL(rte_hvsim_fcopy(dev, src, dest, NULL, &res), 0, "copy %u", size);
	TEST_ASSERT_EQUAL(res.hresult, 0, "S_OK");
	TEST_ASSERT_EQUAL(res.failed_op, UINT32_MAX, "nothing failed");
	TEST_ASSERT_EQUAL(res.bytes_sent, size, "bytes acknowledged");
	TEST_ASSERT(!res.timed_out && !res.cancelled, "no timeout, no cancel");

	pthread_mutex_lock(&guest->lock);
	TEST_ASSERT_EQUAL(guest->nops, nwrites + 2, "%u bytes: START, %u WRITE, COMPLETE", size,
			  nwrites);
	TEST_ASSERT_EQUAL(guest->ops[0].op, RTE_HVDEV_FCOPY_START, "first START");
	TEST_ASSERT_EQUAL(guest->ops[0].len, 1120, "START payload 28 + 1088, padded");
	TEST_ASSERT_EQUAL(guest->ops[0].ic.icmsgsize, 1088, "START icmsgsize");
	for (i = 0; i < nwrites; i++) {
		const struct fg_op *w = &guest->ops[1 + i];

		TEST_ASSERT_EQUAL(w->op, RTE_HVDEV_FCOPY_WRITE, "WRITE %u", i);
		TEST_ASSERT_EQUAL(w->len, 6224, "WRITE payload 28 + 6196");
		TEST_ASSERT_EQUAL(w->ic.icmsgsize, 6196, "WRITE icmsgsize");
		TEST_ASSERT_EQUAL(w->offset, off, "WRITE %u at its absolute offset", i);
		TEST_ASSERT_EQUAL(w->size, RTE_MIN(6144u, size - (uint32_t)off), "WRITE %u size",
				  i);
		off += w->size;
	}
	TEST_ASSERT_EQUAL(guest->ops[nwrites + 1].op, RTE_HVDEV_FCOPY_COMPLETE, "last COMPLETE");
	TEST_ASSERT_EQUAL(guest->ops[nwrites + 1].len, 64, "COMPLETE payload 28 + 36");
	for (i = 0; i < guest->nops; i++) {
		const struct rte_hvdev_ic_hdr *ic = &guest->ops[i].ic;

		TEST_ASSERT_EQUAL(ic->icmsgtype, RTE_HVDEV_IC_MSG_FCOPY, "type FCOPY");
		TEST_ASSERT_EQUAL(ic->icflags, RTE_HVDEV_IC_FLAG_TRANSACTION |
				  RTE_HVDEV_IC_FLAG_REQUEST, "flags TRANSACTION|REQUEST");
		TEST_ASSERT(ic->icverframe.major == 3 && ic->icverframe.minor == 0,
			    "framework 3.0 as negotiated");
		TEST_ASSERT(ic->icvermsg.major == 1 && ic->icvermsg.minor == 1,
			    "service 1.1 as negotiated");
		TEST_ASSERT_EQUAL(ic->status, 0, "no status in a request");
	}
	TEST_ASSERT_EQUAL(guest->start.file_size, size, "START.file_size");
	TEST_ASSERT_EQUAL(guest->start.copy_flags, 0, "no flags by default");
	TEST_RUN(check_ascii(guest->start.path_name, dest, "path_name"));
	TEST_ASSERT_EQUAL(guest->data_len, size, "data length");
	TEST_ASSERT(hvdev_test_check(guest->data, size, size), "data intact");
	pthread_mutex_unlock(&guest->lock);
	return TEST_SUCCESS;
}

static int
check_sizes(void)
{
	struct rte_hvsim_dev_stats st;

	TEST_RUN(start_guest());
	TEST_RUN(check_size(0, 0));
	TEST_RUN(check_size(1, 0 + 1));
	TEST_RUN(check_size(6144, 1));
	TEST_RUN(check_size(6145, 2));
	TEST_RUN(check_size(3 * 6144 + 17, 4));
	rte_hvsim_dev_stats_get(dev, &st);
	TEST_ASSERT_EQUAL(st.guest_errors, 0, "no guest error");
	TEST_ASSERT_EQUAL(__atomic_load_n(&host_packets, __ATOMIC_SEQ_CST), 0,
			  "answers never reach on_packet");
	return TEST_SUCCESS;
}

struct progress_log {
	unsigned int calls;
	uint64_t done[8];
	uint64_t total;
};

static void
on_progress(uint64_t done, uint64_t total, void *arg)
{
	struct progress_log *p = arg;

	if (p->calls < RTE_DIM(p->done))
		p->done[p->calls] = done;
	p->calls++;
	p->total = total;
}

/* Smaller chunks: sizes and offsets follow them; progress after each WRITE. */
static int
check_chunk(void)
{
	struct progress_log prog = { 0 };
	struct rte_hvsim_fcopy_opts o = {
		.chunk = 1000, .progress = on_progress, .progress_arg = &prog,
	};
	struct rte_hvsim_fcopy_result res;
	char src[PATH_MAX];
	unsigned int i;

	TEST_RUN(start_guest());
	TEST_RUN(make_src(src, sizeof(src), 2500, 7));
	TEST_ASSERT_EQUAL(rte_hvsim_fcopy(dev, src, "/x/y", &o, &res), 0, "copy");
	TEST_ASSERT_EQUAL(res.hresult, 0, "S_OK");
	TEST_ASSERT_EQUAL(guest->nops, 5, "START, 3 WRITE, COMPLETE");
	for (i = 0; i < 3; i++) {
		TEST_ASSERT_EQUAL(guest->ops[1 + i].offset, i * 1000, "offset %u", i);
		TEST_ASSERT_EQUAL(guest->ops[1 + i].size, i < 2 ? 1000 : 500, "size %u", i);
	}
	TEST_ASSERT(hvdev_test_check(guest->data, 2500, 7), "data intact");
	TEST_ASSERT_EQUAL(prog.calls, 3, "one progress call per WRITE");
	TEST_ASSERT(prog.done[0] == 1000 && prog.done[1] == 2000 && prog.done[2] == 2500,
		    "progress counts acknowledged bytes");
	TEST_ASSERT_EQUAL(prog.total, 2500, "progress total");

	o.chunk = RTE_HVDEV_FCOPY_DATA_MAX + 1;
	TEST_ASSERT_EQUAL(rte_hvsim_fcopy(dev, src, "/x/y", &o, &res), -EINVAL, "chunk 6145");
	o.chunk = 1;
	o.progress = NULL;
	TEST_RUN(make_src(src, sizeof(src), 3, 8));
	TEST_ASSERT_EQUAL(rte_hvsim_fcopy(dev, src, "/x/y", &o, &res), 0, "chunk 1");
	TEST_ASSERT_EQUAL(guest->nops, 5 + 5, "START, 3 WRITE of 1 byte, COMPLETE");
	return TEST_SUCCESS;
}

static int
copy_and_get_start(const char *dest, const struct rte_hvsim_fcopy_opts *o)
{
	struct rte_hvsim_fcopy_result res;
	char src[PATH_MAX];

	TEST_RUN(make_src(src, sizeof(src), 10, 1));
	TEST_ASSERT_EQUAL(rte_hvsim_fcopy(dev, src, dest, o, &res), 0, "copy to %s", dest);
	TEST_ASSERT_EQUAL(res.hresult, 0, "S_OK");
	return TEST_SUCCESS;
}

/*
 * What Hyper-V sends: DEST verbatim as path_name (trailing '/', a directory, a new file name:
 * the guest decides) and the source's base name as file_name, in UTF-16LE.
 */
static int
check_names(void)
{
	/* "été" in NFC: U+00E9 U+0074 U+00E9; a grinning face is U+1F600 = D83D DE00. */
	static const uint16_t ete[] = { 0xe9, 't', 0xe9, '.', 't', 'x', 't' };
	static const uint16_t donnees[] = { '/', 'd', 'o', 'n', 'n', 0xe9, 'e', 's', '/' };
	static const uint16_t astral[] = { 0xd83d, 0xde00, '-', 0x20ac };
	struct rte_hvsim_fcopy_opts o = { 0 };
	char src[PATH_MAX], dest[600], base[64];
	struct rte_hvsim_fcopy_result res;

	TEST_RUN(start_guest());
	TEST_RUN(make_src(src, sizeof(src), 10, 1));
	snprintf(base, sizeof(base), "%s", strrchr(src, '/') + 1);
	TEST_RUN(copy_and_get_start("/tmp/dir/file.txt", NULL));
	TEST_RUN(check_ascii(guest->start.path_name, "/tmp/dir/file.txt", "a new file name"));
	TEST_RUN(check_ascii(guest->start.file_name, base, "the source's name"));
	TEST_RUN(copy_and_get_start("/tmp/dir/", NULL));
	TEST_RUN(check_ascii(guest->start.path_name, "/tmp/dir/", "a trailing '/' is kept"));
	TEST_RUN(check_ascii(guest->start.file_name, base, "the source's name"));
	TEST_RUN(copy_and_get_start("/tmp/dir", NULL));
	TEST_RUN(check_ascii(guest->start.path_name, "/tmp/dir", "a directory without '/'"));
	TEST_RUN(copy_and_get_start("/", NULL));
	TEST_RUN(check_ascii(guest->start.path_name, "/", "the root"));
	TEST_RUN(check_ascii(guest->start.file_name, base, "the source's name"));
	TEST_RUN(copy_and_get_start("/donn\xc3\xa9" "es/", NULL));
	TEST_RUN(check_u16(guest->start.path_name, donnees, RTE_DIM(donnees), "non-ASCII path"));
	o.file_name = "\xc3\xa9t\xc3\xa9.txt";
	TEST_RUN(copy_and_get_start("/d/", &o));
	TEST_RUN(check_u16(guest->start.file_name, ete, RTE_DIM(ete), "non-ASCII file name"));
	o.file_name = "\xf0\x9f\x98\x80-\xe2\x82\xac";
	TEST_RUN(copy_and_get_start("/a/", &o));
	TEST_RUN(check_u16(guest->start.file_name, astral, RTE_DIM(astral), "surrogate pair"));
	/* Odd names on request, for testing guests: a separator, an empty name. */
	o.file_name = "a/b";
	TEST_RUN(copy_and_get_start("/a/", &o));
	TEST_RUN(check_ascii(guest->start.file_name, "a/b", "a '/' in the name"));
	o.file_name = "";
	TEST_RUN(copy_and_get_start("/a/", &o));
	TEST_ASSERT_EQUAL(guest->start.file_name[0], 0, "an empty name");

	/* 259 units fit with the NUL; 260 do not, nor 258 plus a pair, in either field. */
	memset(dest, 'a', sizeof(dest));
	dest[0] = '/';
	dest[259] = '\0';
	TEST_RUN(copy_and_get_start(dest, NULL));
	TEST_ASSERT_EQUAL(guest->start.path_name[258], 'a', "259th unit");
	TEST_ASSERT_EQUAL(guest->start.path_name[259], 0, "NUL in the last unit");
	o.file_name = dest + 1;
	dest[259] = 'a';
	dest[1 + 259] = '\0';
	TEST_RUN(copy_and_get_start("/d/", &o));
	TEST_ASSERT_EQUAL(guest->start.file_name[258], 'a', "259th unit of the name");

	dest[1 + 259] = 'a';
	dest[1 + 260] = '\0';
	TEST_ASSERT_EQUAL(rte_hvsim_fcopy(dev, src, "/d/", &o, &res), -ENAMETOOLONG,
			  "260-unit file name");
	TEST_ASSERT_EQUAL(rte_hvsim_fcopy(dev, src, dest, NULL, &res), -ENAMETOOLONG,
			  "260-unit path");
	dest[260] = '\0';
	memcpy(dest + 258, "\xf0\x9f\x98\x80", 5);
	TEST_ASSERT_EQUAL(rte_hvsim_fcopy(dev, src, dest, NULL, &res), -ENAMETOOLONG,
			  "257 units and a pair");
	TEST_ASSERT_EQUAL(rte_hvsim_fcopy(dev, src, "relative/f", NULL, &res), -EINVAL,
			  "relative path");
	TEST_ASSERT_EQUAL(rte_hvsim_fcopy(dev, src, "", NULL, &res), -EINVAL, "empty path");
	TEST_ASSERT_EQUAL(rte_hvsim_fcopy(dev, src, "/d/\xc3\x28", NULL, &res), -EINVAL,
			  "broken UTF-8");
	TEST_ASSERT_EQUAL(rte_hvsim_fcopy(dev, src, "/d/\xed\xa0\x80", NULL, &res), -EINVAL,
			  "an encoded surrogate");
	TEST_ASSERT_EQUAL(rte_hvsim_fcopy(dev, src, "/d/\xc0\xaf", NULL, &res), -EINVAL,
			  "an overlong '/'");
	TEST_ASSERT_EQUAL(rte_hvsim_fcopy(dev, src, "/d/\xf4\x90\x80\x80", NULL, &res), -EINVAL,
			  "past U+10FFFF");
	return TEST_SUCCESS;
}

static int
check_flags(void)
{
	struct rte_hvsim_fcopy_opts o = { 0 };

	TEST_RUN(start_guest());
	o.overwrite = true;
	TEST_RUN(copy_and_get_start("/f", &o));
	TEST_ASSERT_EQUAL(guest->start.copy_flags, RTE_HVDEV_FCOPY_OVERWRITE, "-Force");
	o.overwrite = false;
	o.create_path = true;
	TEST_RUN(copy_and_get_start("/f", &o));
	TEST_ASSERT_EQUAL(guest->start.copy_flags, RTE_HVDEV_FCOPY_CREATE_PATH,
			  "-CreateFullPath");
	o.overwrite = true;
	TEST_RUN(copy_and_get_start("/f", &o));
	TEST_ASSERT_EQUAL(guest->start.copy_flags, 3, "both");
	o.announce_size_set = true;
	o.announce_size = 1ull << 40;
	TEST_RUN(copy_and_get_start("/f", &o));
	TEST_ASSERT_EQUAL(guest->start.file_size, 1ull << 40, "announced size");
	TEST_ASSERT_EQUAL(guest->data_len, 10, "the real data all the same");
	return TEST_SUCCESS;
}

/* A failure status ends the copy at that request. */
static int
check_fail_start(void)
{
	struct rte_hvsim_fcopy_result res;
	char src[PATH_MAX];

	guest->fail_at = 1;
	guest->fail_status = RTE_HVDEV_IC_ALREADY_EXISTS;
	TEST_RUN(start_guest());
	TEST_RUN(make_src(src, sizeof(src), 10000, 3));
	TEST_ASSERT_EQUAL(rte_hvsim_fcopy(dev, src, "/f", NULL, &res), 0, "exchange ended");
	TEST_ASSERT_EQUAL(res.hresult, RTE_HVDEV_IC_ALREADY_EXISTS, "the guest's status");
	TEST_ASSERT_EQUAL(res.failed_op, RTE_HVDEV_FCOPY_START, "START failed");
	TEST_ASSERT_EQUAL(res.bytes_sent, 0, "no data");
	TEST_ASSERT_EQUAL(guest->nops, 1, "nothing after the failed START");
	TEST_ASSERT(strcmp(rte_hvsim_hresult_message(res.hresult), "The file exists.") == 0,
		    "message");
	return TEST_SUCCESS;
}

static int
check_fail_write(void)
{
	struct rte_hvsim_fcopy_result res;
	char src[PATH_MAX];

	guest->fail_at = 3;
	guest->fail_status = RTE_HVDEV_IC_DISK_FULL;
	TEST_RUN(start_guest());
	TEST_RUN(make_src(src, sizeof(src), 20000, 3));
	TEST_ASSERT_EQUAL(rte_hvsim_fcopy(dev, src, "/f", NULL, &res), 0, "exchange ended");
	TEST_ASSERT_EQUAL(res.hresult, RTE_HVDEV_IC_DISK_FULL, "the guest's status");
	TEST_ASSERT_EQUAL(res.failed_op, RTE_HVDEV_FCOPY_WRITE, "a WRITE failed");
	TEST_ASSERT_EQUAL(res.bytes_sent, 6144, "one WRITE acknowledged");
	TEST_ASSERT_EQUAL(guest->nops, 3, "START, WRITE, failed WRITE: no COMPLETE");
	return TEST_SUCCESS;
}

static int
check_fail_complete(void)
{
	struct rte_hvsim_fcopy_result res;
	char src[PATH_MAX];

	guest->fail_at = 3;
	guest->fail_status = RTE_HVDEV_IC_E_FAIL;
	TEST_RUN(start_guest());
	TEST_RUN(make_src(src, sizeof(src), 100, 3));
	TEST_ASSERT_EQUAL(rte_hvsim_fcopy(dev, src, "/f", NULL, &res), 0, "exchange ended");
	TEST_ASSERT_EQUAL(res.failed_op, RTE_HVDEV_FCOPY_COMPLETE, "COMPLETE failed");
	TEST_ASSERT_EQUAL(res.hresult, RTE_HVDEV_IC_E_FAIL, "E_FAIL");
	TEST_ASSERT_EQUAL(res.bytes_sent, 100, "the data was acknowledged");
	return TEST_SUCCESS;
}

/* cancel_after: CANCEL replaces the next WRITE, or COMPLETE when all was written. */
static int
check_cancel(void)
{
	struct rte_hvsim_fcopy_opts o = { .cancel_after = 6144 };
	struct rte_hvsim_fcopy_result res;
	char src[PATH_MAX];

	TEST_RUN(start_guest());
	TEST_RUN(make_src(src, sizeof(src), 20000, 4));
	TEST_ASSERT_EQUAL(rte_hvsim_fcopy(dev, src, "/f", &o, &res), 0, "exchange ended");
	TEST_ASSERT(res.cancelled, "cancelled");
	TEST_ASSERT_EQUAL(res.hresult, 0, "the guest accepted the CANCEL");
	TEST_ASSERT_EQUAL(res.failed_op, UINT32_MAX, "nothing failed");
	TEST_ASSERT_EQUAL(res.bytes_sent, 6144, "one WRITE");
	TEST_ASSERT_EQUAL(guest->nops, 3, "START, WRITE, CANCEL");
	TEST_ASSERT_EQUAL(guest->ops[2].op, RTE_HVDEV_FCOPY_CANCEL, "CANCEL");
	TEST_ASSERT_EQUAL(guest->ops[2].len, 64, "CANCEL payload 28 + 36");

	o.cancel_after = 1;
	TEST_ASSERT_EQUAL(rte_hvsim_fcopy(dev, src, "/f", &o, &res), 0, "exchange ended");
	TEST_ASSERT(res.cancelled && res.bytes_sent == 6144, "after the first WRITE");

	o.cancel_after = 20000;
	TEST_ASSERT_EQUAL(rte_hvsim_fcopy(dev, src, "/f", &o, &res), 0, "exchange ended");
	TEST_ASSERT(res.cancelled && res.bytes_sent == 20000, "everything written");
	TEST_ASSERT_EQUAL(guest->nops, 3 + 3 + 6, "START, 4 WRITE, CANCEL instead of COMPLETE");
	TEST_ASSERT_EQUAL(guest->ops[11].op, RTE_HVDEV_FCOPY_CANCEL, "CANCEL last");
	return TEST_SUCCESS;
}

/* A guest that accepts the copy but refuses the CANCEL (as the upstream daemon does). */
static int
check_cancel_refused(void)
{
	struct rte_hvsim_fcopy_opts o = { .cancel_after = 1 };
	struct rte_hvsim_fcopy_result res;
	char src[PATH_MAX];

	guest->fail_at = 3;
	guest->fail_status = RTE_HVDEV_IC_E_FAIL;
	TEST_RUN(start_guest());
	TEST_RUN(make_src(src, sizeof(src), 7000, 4));
	TEST_ASSERT_EQUAL(rte_hvsim_fcopy(dev, src, "/f", &o, &res), 0, "exchange ended");
	TEST_ASSERT(res.cancelled, "cancelled");
	TEST_ASSERT_EQUAL(res.failed_op, RTE_HVDEV_FCOPY_CANCEL, "the CANCEL failed");
	TEST_ASSERT_EQUAL(res.hresult, RTE_HVDEV_IC_E_FAIL, "its status");
	return TEST_SUCCESS;
}

/* A silent guest: the request times out and the role is free again. */
static int
check_timeout(void)
{
	/* Long enough that a loaded machine still answers START in time. */
	struct rte_hvsim_fcopy_opts o = { .timeout_ms = 1000 };
	struct rte_hvsim_fcopy_result res;
	char src[PATH_MAX];
	uint64_t t0;

	guest->late_at = 2;
	guest->silent = true;
	TEST_RUN(start_guest());
	TEST_RUN(make_src(src, sizeof(src), 100, 5));
	t0 = hvdev_test_now_us();
	TEST_ASSERT_EQUAL(rte_hvsim_fcopy(dev, src, "/f", &o, &res), -ETIMEDOUT, "timeout");
	TEST_ASSERT(hvdev_test_now_us() - t0 >= 990000, "waited the timeout");
	TEST_ASSERT(hvdev_test_now_us() - t0 < 5000000, "and not much longer");
	TEST_ASSERT(res.timed_out, "timed_out");
	TEST_ASSERT_EQUAL(res.failed_op, RTE_HVDEV_FCOPY_WRITE, "the WRITE went unanswered");
	TEST_ASSERT_EQUAL(res.hresult, 0, "no status from the guest");
	TEST_ASSERT_EQUAL(res.bytes_sent, 0, "nothing acknowledged");
	/* The next copy works (the guest answers everything after its second request). */
	TEST_ASSERT_EQUAL(rte_hvsim_fcopy(dev, src, "/g", &o, &res), 0, "next copy");
	TEST_ASSERT_EQUAL(res.hresult, 0, "S_OK");
	return TEST_SUCCESS;
}

/* An answer after the timeout is counted and dropped, never taken for a later request. */
static int
check_late_answer(void)
{
	struct rte_hvsim_fcopy_opts o = { .timeout_ms = 150 };
	struct rte_hvsim_fcopy_result res;
	struct rte_hvsim_dev_stats st;
	char src[PATH_MAX];
	int i;

	guest->late_at = 1;
	guest->late_ms = 400;
	TEST_RUN(start_guest());
	TEST_RUN(make_src(src, sizeof(src), 100, 5));
	TEST_ASSERT_EQUAL(rte_hvsim_fcopy(dev, src, "/f", &o, &res), -ETIMEDOUT, "timeout");
	TEST_ASSERT(res.timed_out && res.failed_op == RTE_HVDEV_FCOPY_START, "START timed out");
	for (i = 0; i < WAIT_MS; i += 10) {
		rte_hvsim_dev_stats_get(dev, &st);
		if (st.late_answers > 0)
			break;
		usleep(10000);
	}
	TEST_ASSERT_EQUAL(st.late_answers, 1, "late answer counted");
	TEST_ASSERT_EQUAL(st.guest_errors, 0, "not a guest error");
	TEST_ASSERT_EQUAL(__atomic_load_n(&host_packets, __ATOMIC_SEQ_CST), 0,
			  "not passed to on_packet");
	o.timeout_ms = 0;
	TEST_ASSERT_EQUAL(rte_hvsim_fcopy(dev, src, "/g", &o, &res), 0, "next copy");
	TEST_ASSERT_EQUAL(res.hresult, 0, "S_OK");
	return TEST_SUCCESS;
}

/* An answer of the wrong length fails the request and counts as a guest error. */
static int
check_bad_answer(void)
{
	struct rte_hvsim_fcopy_result res;
	struct rte_hvsim_dev_stats st;
	char src[PATH_MAX];

	guest->bad_len_at = 2;
	TEST_RUN(start_guest());
	TEST_RUN(make_src(src, sizeof(src), 100, 5));
	TEST_ASSERT_EQUAL(rte_hvsim_fcopy(dev, src, "/f", NULL, &res), 0, "exchange ended");
	TEST_ASSERT_EQUAL(res.failed_op, RTE_HVDEV_FCOPY_WRITE, "WRITE failed");
	TEST_ASSERT_EQUAL(res.hresult, RTE_HVDEV_IC_E_FAIL, "as E_FAIL");
	rte_hvsim_dev_stats_get(dev, &st);
	TEST_ASSERT_EQUAL(st.guest_errors, 1, "a guest error");
	return TEST_SUCCESS;
}

/* Raw messages: the body goes out as given; the guest's status comes back. */
static int
check_raw(void)
{
	const uint8_t body[10] = { 9, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef, 1, 2 };
	struct rte_hvsim_dev_stats st;
	uint32_t status = 1;

	guest->fail_at = 2;
	guest->fail_status = RTE_HVDEV_IC_INVALIDARG;
	TEST_RUN(start_guest());
	TEST_ASSERT_EQUAL(rte_hvsim_fcopy_raw(dev, body, sizeof(body), &status, 0), 0, "raw");
	TEST_ASSERT_EQUAL(status, 0, "S_OK");
	TEST_ASSERT_EQUAL(guest->nops, 1, "one request");
	TEST_ASSERT_EQUAL(guest->ops[0].op, 9, "operation as given");
	TEST_ASSERT_EQUAL(guest->ops[0].len, 40, "28 + 10, padded to 8");
	TEST_ASSERT_EQUAL(guest->ops[0].ic.icmsgsize, 10, "icmsgsize = body length");
	TEST_ASSERT_EQUAL(guest->ops[0].ic.icmsgtype, RTE_HVDEV_IC_MSG_FCOPY, "FCOPY");
	TEST_ASSERT_EQUAL(rte_hvsim_fcopy_raw(dev, body, sizeof(body), &status, 0), 0, "raw");
	TEST_ASSERT_EQUAL(status, RTE_HVDEV_IC_INVALIDARG, "the guest's status");
	/* A header-only message: the guest sees too little to record, but still answers. */
	TEST_ASSERT_EQUAL(rte_hvsim_fcopy_raw(dev, NULL, 0, &status, 0), 0, "empty body");
	TEST_ASSERT_EQUAL(rte_hvsim_fcopy_raw(dev, NULL, 1, &status, 0), -EINVAL, "NULL body");
	TEST_ASSERT_EQUAL(rte_hvsim_fcopy_raw(dev, body, 70000, &status, 0), -EINVAL,
			  "over icmsgsize");
	TEST_ASSERT_EQUAL(rte_hvsim_fcopy_raw(dev, body, 0, &status, -1), -EINVAL,
			  "negative timeout");
	rte_hvsim_dev_stats_get(dev, &st);
	TEST_ASSERT_EQUAL(st.guest_errors, 0, "no guest error");
	return TEST_SUCCESS;
}

static int
check_raw_timeout(void)
{
	const uint8_t body[36] = { RTE_HVDEV_FCOPY_COMPLETE };
	uint32_t status = 12345;

	guest->late_at = 1;
	guest->silent = true;
	TEST_RUN(start_guest());
	TEST_ASSERT_EQUAL(rte_hvsim_fcopy_raw(dev, body, sizeof(body), &status, 100),
			  -ETIMEDOUT, "silent guest");
	TEST_ASSERT_EQUAL(status, 12345, "status untouched");
	return TEST_SUCCESS;
}

/* What fails before anything is sent. */
static int
check_errors(void)
{
	struct rte_hvsim_fcopy_opts o = { .timeout_ms = -1 };
	struct rte_hvsim_fcopy_result res;
	char src[PATH_MAX];

	TEST_RUN(make_src(src, sizeof(src), 10, 1));
	TEST_ASSERT_EQUAL(rte_hvsim_fcopy(dev, src, "/f", NULL, &res), -ENOTCONN,
			  "no guest yet");
	TEST_ASSERT_EQUAL(rte_hvsim_fcopy_raw(dev, src, 4, NULL, 0), -ENOTCONN, "raw, no guest");
	TEST_RUN(start_guest());
	TEST_ASSERT_EQUAL(rte_hvsim_fcopy(dev, "/nonexistent/src", "/f", NULL, &res), -ENOENT,
			  "missing source");
	TEST_ASSERT_EQUAL(rte_hvsim_fcopy(dev, root, "/f", NULL, &res), -EINVAL,
			  "a directory");
	TEST_ASSERT_EQUAL(rte_hvsim_fcopy(NULL, src, "/f", NULL, &res), -EINVAL, "NULL dev");
	TEST_ASSERT_EQUAL(rte_hvsim_fcopy(dev, NULL, "/f", NULL, &res), -EINVAL, "NULL src");
	TEST_ASSERT_EQUAL(rte_hvsim_fcopy(dev, src, NULL, NULL, &res), -EINVAL, "NULL dest");
	TEST_ASSERT_EQUAL(rte_hvsim_fcopy(dev, src, "/f", &o, &res), -EINVAL, "timeout -1");
	TEST_ASSERT_EQUAL(res.failed_op, UINT32_MAX, "result initialised");
	TEST_ASSERT_EQUAL(guest->nops, 0, "nothing sent");
	TEST_ASSERT_EQUAL(rte_hvsim_fcopy(dev, src, "/f", NULL, NULL), 0, "NULL result");
	/* The channel goes away: not connected any more. */
	TEST_ASSERT_EQUAL(rte_hvsim_rescind(dev), 0, "rescind");
	TEST_ASSERT_EQUAL(rte_hvsim_fcopy(dev, src, "/f", NULL, &res), -ENOTCONN, "rescinded");
	return TEST_SUCCESS;
}

static int
check_no_ic_role(void)
{
	struct rte_hvsim_fcopy_result res;
	char src[PATH_MAX];

	TEST_RUN(make_src(src, sizeof(src), 10, 1));
	TEST_ASSERT_EQUAL(rte_hvsim_fcopy(dev, src, "/f", NULL, &res), -EINVAL, "no IC role");
	TEST_ASSERT_EQUAL(rte_hvsim_fcopy_raw(dev, src, 4, NULL, 0), -EINVAL, "raw, no IC role");
	return TEST_SUCCESS;
}

/* Copies started before the guest has answered the NEGOTIATE wait for it. */
static int
check_waits_negotiation(void)
{
	struct rte_hvsim_fcopy_result res;
	struct hvdev_uio_devinfo info;
	struct hvdev_pkt_meta m;
	struct hvdev_chan *ch;
	char src[PATH_MAX], err[256];
	uint8_t buf[256];
	rte_uuid_t cls;

	TEST_RUN(make_src(src, sizeof(src), 10, 1));
	hvdev_test_class("fcopy", cls);
	TEST_ASSERT_EQUAL(hvdev_uio_discover(root, cls, NULL, WAIT_MS, &info, err, sizeof(err)),
			  0, "discover: %s", err);
	TEST_ASSERT_EQUAL(hvdev_chan_open(&info, &ch), 0, "open");
	TEST_ASSERT_EQUAL(rte_hvsim_wait_open(dev, true, WAIT_MS), 0, "opened");
	{
		struct rte_hvsim_fcopy_opts o = { .timeout_ms = 100 };

		TEST_ASSERT_EQUAL(rte_hvsim_fcopy(dev, src, "/f", &o, &res), -ETIMEDOUT,
				  "no answer to the NEGOTIATE");
		TEST_ASSERT(res.timed_out && res.failed_op == UINT32_MAX, "before any request");
	}
	/* Refuse every version: the IC is unusable. */
	TEST_ASSERT_EQUAL(hvdev_chan_wait(ch, WAIT_MS), 1, "NEGOTIATE arrives");
	TEST_ASSERT_EQUAL(hvdev_chan_recv(ch, &m, buf, sizeof(buf)), 0, "recv");
	rte_hvdev_ic_negotiate(buf, m.len, NULL, 0, NULL, 0, NULL, NULL);
	TEST_ASSERT_EQUAL(fg_send(ch, m.xactid, buf, m.len), 0, "refusal");
	TEST_ASSERT_EQUAL(rte_hvsim_ic_wait(dev, WAIT_MS), 0, "answer taken");
	TEST_ASSERT_EQUAL(rte_hvsim_fcopy(dev, src, "/f", NULL, &res), -ENOTCONN,
			  "versions refused");
	hvdev_chan_close(ch);
	return TEST_SUCCESS;
}

static int
check_messages(void)
{
	static const struct {
		uint32_t hr;
		const char *msg;
	} known[] = {
		{ 0, "The operation completed successfully." },
		{ 0x80070050, "The file exists." },
		{ 0x80070070, "There is not enough space on the disk." },
		{ 0x80070005, "Access is denied." },
		{ 0x80070003, "The system cannot find the path specified." },
		{ 0x800700CE, "The filename or extension is too long." },
		{ 0x80070057, "The parameter is incorrect." },
		{ 0x80004005, "Unspecified error" },
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(known); i++)
		TEST_ASSERT(strcmp(rte_hvsim_hresult_message(known[i].hr), known[i].msg) == 0,
			    "%#x: %s", known[i].hr, rte_hvsim_hresult_message(known[i].hr));
	TEST_ASSERT(strcmp(rte_hvsim_hresult_message(0x8007ABCD),
			   "Unknown error 0x8007abcd") == 0, "unknown: %s",
		    rte_hvsim_hresult_message(0x8007ABCD));
	TEST_ASSERT(strcmp(rte_hvsim_fcopy_op_name(RTE_HVDEV_FCOPY_START), "START") == 0 &&
		    strcmp(rte_hvsim_fcopy_op_name(RTE_HVDEV_FCOPY_CANCEL), "CANCEL") == 0 &&
		    strcmp(rte_hvsim_fcopy_op_name(UINT32_MAX), "-") == 0 &&
		    strcmp(rte_hvsim_fcopy_op_name(77), "UNKNOWN") == 0, "operation names");
	return TEST_SUCCESS;
}

#define FCOPY_CASE(name, ic, check) \
static int \
name(void) \
{ \
	int ret; \
	ret = setup_host(ic); \
	if (ret == TEST_SUCCESS) \
		ret = check(); \
	teardown(); \
	return ret; \
}

FCOPY_CASE(test_sizes, true, check_sizes)
FCOPY_CASE(test_chunk, true, check_chunk)
FCOPY_CASE(test_names, true, check_names)
FCOPY_CASE(test_flags, true, check_flags)
FCOPY_CASE(test_fail_start, true, check_fail_start)
FCOPY_CASE(test_fail_write, true, check_fail_write)
FCOPY_CASE(test_fail_complete, true, check_fail_complete)
FCOPY_CASE(test_cancel, true, check_cancel)
FCOPY_CASE(test_cancel_refused, true, check_cancel_refused)
FCOPY_CASE(test_timeout, true, check_timeout)
FCOPY_CASE(test_late_answer, true, check_late_answer)
FCOPY_CASE(test_bad_answer, true, check_bad_answer)
FCOPY_CASE(test_raw, true, check_raw)
FCOPY_CASE(test_raw_timeout, true, check_raw_timeout)
FCOPY_CASE(test_errors, true, check_errors)
FCOPY_CASE(test_no_ic_role, false, check_no_ic_role)
FCOPY_CASE(test_waits_negotiation, true, check_waits_negotiation)

static const struct hvdev_test_case cases[] = {
	HVDEV_CASE(sizes, test_sizes),
	HVDEV_CASE(chunk, test_chunk),
	HVDEV_CASE(names, test_names),
	HVDEV_CASE(flags, test_flags),
	HVDEV_CASE(fail_start, test_fail_start),
	HVDEV_CASE(fail_write, test_fail_write),
	HVDEV_CASE(fail_complete, test_fail_complete),
	HVDEV_CASE(cancel, test_cancel),
	HVDEV_CASE(cancel_refused, test_cancel_refused),
	HVDEV_CASE(timeout, test_timeout),
	HVDEV_CASE(late_answer, test_late_answer),
	HVDEV_CASE(bad_answer, test_bad_answer),
	HVDEV_CASE(raw, test_raw),
	HVDEV_CASE(raw_timeout, test_raw_timeout),
	HVDEV_CASE(errors, test_errors),
	HVDEV_CASE(no_ic_role, test_no_ic_role),
	HVDEV_CASE(waits_negotiation, test_waits_negotiation),
	HVDEV_CASE(messages, check_messages),
};

/* ---- Process mode: a guest for the command-line tests ---- */

static void
on_quit(int sig)
{
	RTE_SET_USED(sig);
	fg_quit = 1;
}

/*
 * Answer S_OK to everything under @p dir until SIGINT/SIGTERM or @p seconds, reattaching
 * after a rescind; @p how "silent" answers no fcopy request, "start=0xHEX" answers every
 * START with that status. No EAL: the transport needs none.
 */
static int
guest_process(const char *dir, unsigned int seconds, const char *how)
{
	static struct fake_guest g;
	struct sigaction sa = { .sa_handler = on_quit };
	uint64_t end = hvdev_test_now_us() + (uint64_t)seconds * 1000000;

	if (how != NULL && strcmp(how, "silent") == 0) {
		g.mute = true;
	} else if (how != NULL && strncmp(how, "start=", 6) == 0) {
		g.start_status = (uint32_t)strtoul(how + 6, NULL, 16);
	} else if (how != NULL) {
		fprintf(stderr, "fake guest: '%s' is neither silent nor start=0xHEX\n", how);
		return 2;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	g.reattach = true;
	g.verbose = true;
	if (fg_start(&g, dir) < 0)
		return 1;
	while (!fg_quit && hvdev_test_now_us() < end)
		usleep(FG_SLICE_MS * 1000);
	fg_quit = 1;
	fg_stop(&g);
	printf("fake guest: %u negotiations, %u requests, %" PRIu64 " bytes, %u errors\n",
	       g.negotiations, g.requests, g.bytes, g.errors);
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
