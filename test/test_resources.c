/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * Resource limits: a full device table of simulated devices, all carrying traffic at once and
 * all released on close; the table's limit refused cleanly; and a file of several GiB through
 * dpdk-hv-fcopy (offsets past 2^32) with the service's memory flat.
 *
 * The device cases need the simulated host in place before rte_eal_init() (the PMD's
 * autoscan creates the devices), so this suite has its own main(), and run with no case name
 * it runs each case in a process of its own.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>

#include <rte_bus_vdev.h>
#include <rte_common.h>
#include <rte_hash_crc.h>

#include <rte_hvdev.h>
#include <rte_hvdev_fcopy.h>
#include <rte_hvdev_ic.h>

#include "hvdev_test.h"
#include "rte_hvsim.h"

#define WAIT_MS 5000
/* As many devices as the table holds by default, and some it cannot take. */
#define NDEV RTE_HVDEV_DEFAULT_MAX
#define EXTRA 2
#define PAYLOAD_MAX 3000
/* The big copy: 4.5 GiB, so that offsets pass 2^32; HVDEV_TEST_HUGE_MIB changes it. */
#define HUGE_MIB_DEFAULT 4608
/* Room kept free beyond the copy, which the service reserves in full before any data. */
#define HUGE_SPARE ((uint64_t)1 << 30)
/* The service's resident memory may move a little, never with the file size. */
#define RSS_SLACK_KIB 8192
#define CMP_BLOCK (1u << 20)

static char root[256];
static struct rte_hvsim *sim;
static struct rte_hvsim_dev *hdevs[NDEV + EXTRA];
static unsigned int nhdevs;
static uint8_t out_buf[PAYLOAD_MAX + 8], in_buf[PAYLOAD_MAX + 8];

static void
echo_packet(struct rte_hvsim_dev *dev, const struct rte_hvsim_pkt *p, void *arg)
{
	RTE_SET_USED(arg);
	rte_hvsim_send_wait(dev, p->type, p->flags, p->xactid, p->data, p->len, WAIT_MS);
}

static const struct rte_hvsim_dev_ops echo_ops = { .on_packet = echo_packet };

/* Open file descriptors of this process. */
static int
count_fds(void)
{
	struct dirent *de;
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the directory's own */
}

/*
 * The fd count once it reaches @p want, or after 2 s: the host thread closes its end of a node
 * just after it reports the close.
 */
static int
fds_settle(int want)
{
	int i, n = count_fds();

	for (i = 0; i < 200 && n != want; i++) {
		usleep(10000);
		n = count_fds();
	}
	return n;
}

/* Memory mappings of this process. */
static int
count_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	int c, n = 0;

	if (f == NULL)
		return -1;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

/* The name the PMD's autoscan gives a device: the driver's, then the instance GUID. */
static void
dev_name(const struct rte_hvsim_dev *d, char *buf, size_t len)
{
	char inst[RTE_UUID_STRLEN];
	rte_uuid_t uu;

	rte_hvsim_dev_instance(d, uu);
	rte_uuid_unparse(uu, inst, sizeof(inst));
	hvdev_test_fmt(buf, len, "hvdev_uio_%s", inst);
}

static void
dev_args(const struct rte_hvsim_dev *d, char *buf, size_t len)
{
	char inst[RTE_UUID_STRLEN];
	rte_uuid_t uu;

	rte_hvsim_dev_instance(d, uu);
	rte_uuid_unparse(uu, inst, sizeof(inst));
	hvdev_test_fmt(buf, len, "uuid=%s,root=%s", inst, root);
}

/* Before rte_eal_init(): a host offering @p n echo devices of three classes. */
static int
offer_devices(unsigned int n)
{
	static const char *const classes[] = { "fcopy", "kvp", "heartbeat" };
	struct rte_hvsim_dev_conf conf;
	unsigned int i;

	if (hvdev_test_root_create(root, sizeof(root)) < 0)
		return -1;
	sim = rte_hvsim_create(root);
	if (sim == NULL || rte_hvsim_start(sim) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		memset(&conf, 0, sizeof(conf));
		conf.ops = &echo_ops;
		hvdev_test_class(classes[i % RTE_DIM(classes)], conf.class_id);
		hdevs[i] = rte_hvsim_offer(sim, &conf);
		if (hdevs[i] == NULL)
			return -1;
		nhdevs++;
	}
	setenv("HVDEV_ROOT", root, 1);
	return 0;
}

static int16_t
id_of(unsigned int i)
{
	char name[RTE_HVDEV_NAME_MAX_LEN];

	dev_name(hdevs[i], name, sizeof(name));
	return (int16_t)rte_hvdev_get_dev_id_by_name(name);
}

static int
start_dev(int16_t id)
{
	struct rte_hvdev_conf conf = { .intr_mode = true };

	TEST_ASSERT_EQUAL(rte_hvdev_configure(id, &conf), 0, "configure device %d", id);
	TEST_ASSERT_EQUAL(rte_hvdev_start(id), 0, "start device %d", id);
	return TEST_SUCCESS;
}

/* Stop and close the device of host device @p i, remove its vdev, wait for the host. */
static int
close_dev(unsigned int i)
{
	char name[RTE_HVDEV_NAME_MAX_LEN];
	int16_t id = id_of(i);

	dev_name(hdevs[i], name, sizeof(name));
	TEST_ASSERT(id >= 0, "%s exists", name);
	TEST_ASSERT_EQUAL(rte_hvdev_stop(id), 0, "stop %s", name);
	TEST_ASSERT_EQUAL(rte_hvdev_close(id), 0, "close %s", name);
	TEST_ASSERT_EQUAL(rte_vdev_uninit(name), 0, "remove %s", name);
	TEST_ASSERT_EQUAL(rte_hvsim_wait_open(hdevs[i], false, WAIT_MS), 0,
			  "the host saw %s close", name);
	return TEST_SUCCESS;
}

static uint32_t
payload_seed(unsigned int dev, unsigned int round)
{
	return dev * 7919u + round + 1;
}

/*
 * @p rounds rounds of traffic on devices @p ids[0, n): each round sends one packet of its own
 * length and content on every device first, then receives every echo, so that all channels
 * are busy at once and a packet on the wrong channel cannot go unnoticed.
 */
static int
traffic(const int16_t *ids, unsigned int n, unsigned int rounds)
{
	struct iovec iov = { .iov_base = out_buf };
	struct rte_hvdev_pkt pkt;
	unsigned int r, i;
	uint32_t len;

	for (r = 0; r < rounds; r++) {
		for (i = 0; i < n; i++) {
			len = 1 + (i * 37 + r * 101) % PAYLOAD_MAX;
			hvdev_test_fill(out_buf, len, payload_seed(i, r));
			iov.iov_len = len;
			TEST_ASSERT_EQUAL(rte_hvdev_send(ids[i], RTE_HVDEV_PKT_INBAND, 0,
							 (uint64_t)i << 32 | r, &iov, 1), 0,
					  "send on device %d, round %u", ids[i], r);
		}
		for (i = 0; i < n; i++) {
			len = 1 + (i * 37 + r * 101) % PAYLOAD_MAX;
			TEST_ASSERT_EQUAL(rte_hvdev_wait(ids[i], WAIT_MS), 1, "echo on device %d",
					  ids[i]);
			TEST_ASSERT_EQUAL(rte_hvdev_recv(ids[i], &pkt, in_buf, sizeof(in_buf)), 0,
					  "recv on device %d", ids[i]);
			TEST_ASSERT_EQUAL(pkt.xactid, (uint64_t)i << 32 | r,
					  "device %d got its own packet back", ids[i]);
			TEST_ASSERT_EQUAL(pkt.len, RTE_ALIGN_CEIL(len, 8u), "length on device %d",
					  ids[i]);
			TEST_ASSERT(hvdev_test_check(in_buf, len, payload_seed(i, r)),
				    "payload of device %d, round %u", ids[i], r);
		}
	}
	return TEST_SUCCESS;
}

/* The ids of every device in the table. */
static unsigned int
table_ids(int16_t *ids)
{
	unsigned int n = 0;
	int16_t id;

	RTE_HVDEV_FOREACH_DEV(id)
		ids[n++] = id;
	return n;
}

/* Every device in the table started, then @p rounds rounds of traffic. */
static int
start_traffic(unsigned int rounds)
{
	int16_t ids[NDEV];
	unsigned int i, n = table_ids(ids);

	for (i = 0; i < n; i++)
		TEST_RUN(start_dev(ids[i]));
	return traffic(ids, n, rounds);
}

static int
close_all(unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		TEST_RUN(close_dev(i));
	TEST_ASSERT_EQUAL(rte_hvdev_count_avail(), 0, "no device left");
	return TEST_SUCCESS;
}

/* Create the devices again from devargs (hot plug), as an application would. */
static int
plug_all(unsigned int n)
{
	char name[RTE_HVDEV_NAME_MAX_LEN], args[PATH_MAX];
	unsigned int i;

	for (i = 0; i < n; i++) {
		dev_name(hdevs[i], name, sizeof(name));
		dev_args(hdevs[i], args, sizeof(args));
		TEST_ASSERT_EQUAL(rte_vdev_init(name, args), 0, "create %s", name);
		TEST_ASSERT_EQUAL(rte_hvsim_wait_open(hdevs[i], true, WAIT_MS), 0,
				  "%s opened its channel", name);
	}
	TEST_ASSERT_EQUAL(rte_hvdev_count_avail(), n, "all devices back");
	return TEST_SUCCESS;
}

static int
test_many_devices(void)
{
	struct rte_hvdev_stats st;
	int fds_open, fds_closed, maps_open, maps_closed, cycle;
	unsigned int i;

	TEST_ASSERT_EQUAL(rte_hvdev_count_avail(), NDEV, "autoscan made all %d devices", NDEV);
	for (i = 0; i < NDEV; i++)
		TEST_ASSERT(id_of(i) >= 0, "host device %u has its hvdev", i);
	TEST_RUN(start_traffic(8));
	for (i = 0; i < NDEV; i++) {
		TEST_ASSERT_EQUAL(rte_hvdev_stats_get(id_of(i), &st), 0, "stats");
		TEST_ASSERT(st.tx_packets == 8 && st.rx_packets == 8 && st.protocol_errors == 0,
			    "device %u: 8 packets each way, no error (tx %" PRIu64 ", rx %" PRIu64
			    ")", i, st.tx_packets, st.rx_packets);
	}
	fds_open = count_fds();
	maps_open = count_maps();
	TEST_RUN(close_all(NDEV));
	fds_closed = count_fds();
	maps_closed = count_maps();
	printf("%d devices: %d fds and %d mappings open, %d and %d once closed\n", NDEV,
	       fds_open, maps_open, fds_closed, maps_closed);
	TEST_ASSERT(fds_open - fds_closed >= NDEV,
		    "closing %d devices released at least one fd each (%d -> %d)", NDEV, fds_open,
		    fds_closed);
	TEST_ASSERT(maps_open - maps_closed >= NDEV,
		    "closing %d devices unmapped their rings (%d -> %d mappings)", NDEV,
		    maps_open, maps_closed);
	/* Open, use and close them all again: the same resources, nothing kept per cycle. */
	for (cycle = 0; cycle < 3; cycle++) {
		TEST_RUN(plug_all(NDEV));
		TEST_RUN(start_traffic(2));
		TEST_ASSERT_EQUAL(fds_settle(fds_open), fds_open, "cycle %d: the same fds in use",
				  cycle);
		TEST_RUN(close_all(NDEV));
		TEST_ASSERT_EQUAL(fds_settle(fds_closed), fds_closed, "cycle %d: every fd released",
				  cycle);
		TEST_ASSERT(count_maps() <= maps_closed, "cycle %d: every ring unmapped (%d > %d)",
			    cycle, count_maps(), maps_closed);
	}
	return TEST_SUCCESS;
}

static int
test_table_full(void)
{
	struct rte_hvsim_dev *left_out[EXTRA];
	struct rte_hvsim_dev_stats hst;
	char args[PATH_MAX];
	unsigned int i, nleft = 0;
	int16_t ids[NDEV];
	int fds, ret;

	/* The scan met more devices than the table holds: the rest were refused, EAL went on. */
	TEST_ASSERT_EQUAL(rte_hvdev_count_avail(), NDEV, "the table is full at %d", NDEV);
	for (i = 0; i < nhdevs; i++) {
		if (id_of(i) >= 0)
			continue;
		TEST_ASSERT(nleft < EXTRA, "more than %d devices left out", EXTRA);
		left_out[nleft++] = hdevs[i];
		TEST_ASSERT_EQUAL(rte_hvsim_wait_open(hdevs[i], false, WAIT_MS), 0,
				  "a refused device does not keep its channel open");
		rte_hvsim_dev_stats_get(hdevs[i], &hst);
		TEST_ASSERT_EQUAL(hst.opens, 1, "opened once, by the probe that was refused");
	}
	TEST_ASSERT_EQUAL(nleft, EXTRA, "%d devices left out", EXTRA);
	TEST_RUN(start_traffic(2));
	/* One more by hand: a clear error, nothing leaked, the others unharmed. */
	fds = count_fds();
	dev_args(left_out[0], args, sizeof(args));
	ret = rte_vdev_init("hvdev_uio_extra", args);
	TEST_ASSERT_EQUAL(ret, -ENOSPC, "a device past the table's end is refused with ENOSPC");
	TEST_ASSERT_EQUAL(rte_hvsim_wait_open(left_out[0], false, WAIT_MS), 0,
			  "its channel was closed again");
	TEST_ASSERT_EQUAL(fds_settle(fds), fds, "the refused probe released its fds");
	TEST_ASSERT_EQUAL(rte_hvdev_get_dev_id_by_name("hvdev_uio_extra"), -ENODEV,
			  "no half-made device");
	TEST_ASSERT_EQUAL(table_ids(ids), NDEV, "the table still holds %d", NDEV);
	TEST_RUN(traffic(ids, NDEV, 1));
	/* A freed slot is taken by the next device, which then works like the others. */
	TEST_RUN(close_dev(0));
	TEST_ASSERT_EQUAL(rte_vdev_init("hvdev_uio_extra", args), 0, "the freed slot is used");
	TEST_ASSERT_EQUAL(rte_hvsim_wait_open(left_out[0], true, WAIT_MS), 0, "extra opened");
	ret = rte_hvdev_get_dev_id_by_name("hvdev_uio_extra");
	TEST_ASSERT(ret >= 0, "extra device in the table");
	TEST_RUN(start_dev((int16_t)ret));
	TEST_ASSERT_EQUAL(table_ids(ids), NDEV, "full again");
	TEST_RUN(traffic(ids, NDEV, 2));
	return TEST_SUCCESS;
}

/* ---- a file of several GiB through dpdk-hv-fcopy ---- */

static struct rte_hvsim_dev *fdev;
static pid_t service = -1;
static char guest[512], src_dir[512];

static int
start_service(void)
{
	char state[512];

	hvdev_test_fmt(state, sizeof(state), "%s/state", root);
	TEST_ASSERT(hvdev_test_mkdirs(state) == 0, "state dir");
	service = hvdev_test_fcopy_spawn(root, guest, state, NULL);
	TEST_ASSERT(service > 0, "start the service (HVDEV_FCOPY_BIN set?)");
	TEST_ASSERT_EQUAL(rte_hvsim_wait_open(fdev, true, WAIT_MS), 0, "service opened");
	TEST_ASSERT_EQUAL(rte_hvsim_ic_wait(fdev, WAIT_MS), 0, "IC negotiation");
	return TEST_SUCCESS;
}

static int
stop_service(void)
{
	int status = hvdev_test_process_stop(service, 10000);

	service = -1;
	return status;
}

/* VmRSS and VmHWM of the service, in KiB. */
static int
service_mem(uint64_t *rss, uint64_t *hwm)
{
	char path[64], line[256];
	FILE *f;

	hvdev_test_fmt(path, sizeof(path), "/proc/%d/status", (int)service);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	*rss = *hwm = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "VmRSS:", 6) == 0)
			*rss = strtoull(line + 6, NULL, 10);
		else if (strncmp(line, "VmHWM:", 6) == 0)
			*hwm = strtoull(line + 6, NULL, 10);
	}
	fclose(f);
	return *rss > 0 ? 0 : -1;
}

/*
 * A sparse source of @p size bytes: holes, with patterned islands at the start, around 2^31
 * and 2^32 (a WRITE there straddles it), every 512 MiB and at the end, so that data at a wrong
 * offset or a lost fragment shows.
 */
static int
make_sparse(const char *path, uint64_t size, uint64_t *allocated)
{
	static uint8_t island[65536];
	uint64_t offs[32], off, blk = RTE_MIN(size, (uint64_t)sizeof(island));
	unsigned int n = 0, i;
	struct stat st;
	int fd, ok = 0;

	offs[n++] = 0;
	offs[n++] = (1ull << 31) - 1000;
	offs[n++] = (1ull << 32) - 3000;
	for (off = 512ull << 20; off < size && n < RTE_DIM(offs) - 1; off += 512ull << 20)
		offs[n++] = off + 777;
	offs[n++] = size > sizeof(island) ? size - sizeof(island) : 0;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, (off_t)size) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		off = RTE_MIN(offs[i], size - blk);
		hvdev_test_fill(island, sizeof(island), (uint32_t)(off >> 10) + i);
		if (pwrite(fd, island, blk, (off_t)off) < 0)
			goto out;
	}
	ok = fstat(fd, &st) == 0;
	*allocated = (uint64_t)st.st_blocks * 512;
out:
	if (fd >= 0)
		close(fd);
	return ok ? 0 : -1;
}

/* Read both files side by side in blocks: equal, and CRC32C of each. */
static int
stream_compare(const char *a, const char *b, uint32_t *crc_a, uint32_t *crc_b, uint64_t *len)
{
	uint8_t *ba = malloc(CMP_BLOCK), *bb = malloc(CMP_BLOCK);
	int fa = open(a, O_RDONLY), fb = open(b, O_RDONLY), ret = -1;
	ssize_t na, nb;

	*crc_a = *crc_b = 0xffffffff;
	*len = 0;
	if (ba == NULL || bb == NULL || fa < 0 || fb < 0)
		goto out;
	posix_fadvise(fa, 0, 0, POSIX_FADV_SEQUENTIAL);
	posix_fadvise(fb, 0, 0, POSIX_FADV_SEQUENTIAL);
	for (;;) {
		na = read(fa, ba, CMP_BLOCK);
		nb = read(fb, bb, CMP_BLOCK);
		if (na < 0 || nb < 0 || na != nb)
			goto out;
		if (na == 0)
			break;
		*crc_a = rte_hash_crc(ba, (uint32_t)na, *crc_a);
		*crc_b = rte_hash_crc(bb, (uint32_t)nb, *crc_b);
		if (memcmp(ba, bb, (size_t)na) != 0) {
			fprintf(stderr, "first difference in the block at offset %" PRIu64 "\n",
				*len);
			goto out;
		}
		*len += (uint64_t)na;
	}
	ret = 0;
out:
	if (fa >= 0)
		close(fa);
	if (fb >= 0)
		close(fb);
	free(ba);
	free(bb);
	return ret;
}

static int
huge_copy(uint64_t size)
{
	struct rte_hvsim_fcopy_opts o = { .timeout_ms = 30000 };
	struct rte_hvsim_fcopy_result res;
	char src[PATH_MAX], dest[PATH_MAX], warm[PATH_MAX];
	uint64_t alloc, rss0, rss1, hwm0, hwm1, t0, t1, t2, len;
	uint32_t crc_s, crc_d;
	int fd;

	hvdev_test_fmt(src, sizeof(src), "%s/huge.src", src_dir);
	hvdev_test_fmt(dest, sizeof(dest), "%s/huge.bin", guest);
	hvdev_test_fmt(warm, sizeof(warm), "%s/warm.src", src_dir);
	TEST_ASSERT(make_sparse(src, size, &alloc) == 0, "sparse source of %" PRIu64 " bytes",
		    size);
	printf("source: %" PRIu64 " bytes, %" PRIu64 " allocated (%s)\n", size, alloc,
	       alloc < size / 2 ? "sparse" : "this file system made it dense");
	/* A small copy first, so that the service's buffers are in use before measuring. */
	fd = open(warm, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	TEST_ASSERT(fd >= 0 && ftruncate(fd, 1 << 20) == 0, "warm-up source");
	close(fd);
	hvdev_test_fmt(dest, sizeof(dest), "%s/warm.bin", guest);
	TEST_ASSERT(rte_hvsim_fcopy(fdev, warm, dest, &o, &res) == 0 && res.hresult == 0,
		    "warm-up copy");
	hvdev_test_fmt(dest, sizeof(dest), "%s/huge.bin", guest);
	TEST_ASSERT_EQUAL(service_mem(&rss0, &hwm0), 0, "service memory before");
	t0 = hvdev_test_now_us();
	TEST_ASSERT_EQUAL(rte_hvsim_fcopy(fdev, src, dest, &o, &res), 0, "copy of %" PRIu64
			  " bytes", size);
	t1 = hvdev_test_now_us();
	TEST_ASSERT_EQUAL(res.hresult, 0, "delivered: %s", rte_hvsim_hresult_message(res.hresult));
	TEST_ASSERT_EQUAL(res.bytes_sent, size, "every byte acknowledged");
	TEST_ASSERT_EQUAL(service_mem(&rss1, &hwm1), 0, "service memory after");
	TEST_ASSERT(stream_compare(src, dest, &crc_s, &crc_d, &len) == 0,
		    "the delivered file is byte-identical to the source");
	t2 = hvdev_test_now_us();
	TEST_ASSERT_EQUAL(len, size, "the whole length compared");
	TEST_ASSERT_EQUAL(crc_s, crc_d, "same CRC32C");
	printf("copied %" PRIu64 " bytes in %.1f s (%.1f MB/s); compared in %.1f s, CRC32C "
	       "%08x\n", size, (t1 - t0) / 1e6, size / (double)(t1 - t0), (t2 - t1) / 1e6, crc_d);
	printf("service VmRSS %" PRIu64 " KiB before, %" PRIu64 " KiB after; VmHWM %" PRIu64
	       " KiB before, %" PRIu64 " KiB after\n", rss0, rss1, hwm0, hwm1);
	TEST_ASSERT(rss1 <= rss0 + RSS_SLACK_KIB, "the service's RSS did not grow with the "
		    "file (%" PRIu64 " -> %" PRIu64 " KiB)", rss0, rss1);
	TEST_ASSERT(hwm1 <= RTE_MAX(hwm0, rss0 + RSS_SLACK_KIB), "nor did its peak during the "
		    "copy (%" PRIu64 " -> %" PRIu64 " KiB)", hwm0, hwm1);
	TEST_ASSERT_EQUAL(hvdev_test_count_named(guest, "hvfcopy"), 0, "no temporary file left");
	unlink(dest);
	unlink(src);
	return TEST_SUCCESS;
}

static int
test_huge_file(void)
{
	struct rte_hvsim_dev_conf conf = { .ic_negotiate = true };
	const char *env = getenv("HVDEV_TEST_HUGE_MIB");
	uint64_t size = (env != NULL ? strtoull(env, NULL, 10) : HUGE_MIB_DEFAULT) << 20;
	struct statvfs vfs;
	uint64_t avail;
	int ret, status;

	TEST_ASSERT(hvdev_test_root_create(root, sizeof(root)) == 0, "mkdtemp");
	TEST_ASSERT(statvfs(root, &vfs) == 0, "statvfs %s", root);
	avail = (uint64_t)vfs.f_bavail * vfs.f_frsize;
	if (avail < size + HUGE_SPARE) {
		printf("skipped: %s has %" PRIu64 " MiB free; the copy needs %" PRIu64 " MiB (the "
		       "service reserves the whole file) and %" PRIu64 " MiB spare; set TMPDIR "
		       "to a larger file system or HVDEV_TEST_HUGE_MIB to a smaller size\n", root,
		       avail >> 20, size >> 20, HUGE_SPARE >> 20);
		hvdev_test_root_remove(root);
		return TEST_SKIPPED;
	}
	hvdev_test_fmt(guest, sizeof(guest), "%s/guest", root);
	hvdev_test_fmt(src_dir, sizeof(src_dir), "%s/host", root);
	TEST_ASSERT(hvdev_test_mkdirs(guest) == 0 && hvdev_test_mkdirs(src_dir) == 0, "dirs");
	sim = rte_hvsim_create(root);
	TEST_ASSERT(sim != NULL && rte_hvsim_start(sim) == 0, "simulator");
	hvdev_test_class("fcopy", conf.class_id);
	fdev = rte_hvsim_offer(sim, &conf);
	TEST_ASSERT(fdev != NULL, "offer");
	ret = start_service();
	if (ret == TEST_SUCCESS)
		ret = huge_copy(size);
	status = stop_service();
	rte_hvsim_destroy(sim);
	sim = NULL;
	hvdev_test_root_remove(root);
	TEST_RUN(ret);
	TEST_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "service stopped cleanly on SIGTERM (status 0x%x)", status);
	return TEST_SUCCESS;
}

static const struct hvdev_test_case cases[] = {
	HVDEV_CASE(many_devices, test_many_devices),
	HVDEV_CASE(table_full, test_table_full),
	HVDEV_CASE(huge_file, test_huge_file),
};

/* No case named: each in a process of its own, as each needs its own host before EAL. */
static int
run_each(const char *self)
{
	unsigned int i, failed = 0, skipped = 0;
	int status;
	pid_t pid;

	for (i = 0; i < RTE_DIM(cases); i++) {
		pid = fork();
		if (pid == 0) {
			execl(self, self, cases[i].name, (char *)NULL);
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
			failed++;
		else if (WEXITSTATUS(status) == TEST_SKIPPED)
			skipped++;
		else if (WEXITSTATUS(status) != 0)
			failed++;
	}
	printf("%u cases, %u failed, %u skipped\n", (unsigned int)RTE_DIM(cases), failed,
	       skipped);
	return failed > 0 ? 1 : 0;
}

int
main(int argc, char **argv)
{
	const char *only = argc > 1 ? argv[1] : NULL;
	int ret = 0;

	if (only != NULL && strcmp(only, "--list") == 0)
		return hvdev_test_main(argc, argv, cases, RTE_DIM(cases));
	if (only == NULL)
		return run_each(argv[0]);
	if (strcmp(only, "many_devices") == 0)
		ret = offer_devices(NDEV);
	else if (strcmp(only, "table_full") == 0)
		ret = offer_devices(NDEV + EXTRA);
	if (ret < 0) {
		fprintf(stderr, "cannot set up the simulated host under %s\n", root);
		return 1;
	}
	ret = hvdev_test_main(argc, argv, cases, RTE_DIM(cases));
	if (sim != NULL) {
		rte_hvsim_destroy(sim);
		hvdev_test_root_remove(root);
	}
	return ret;
}
