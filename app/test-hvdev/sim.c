/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * --sim: a simulated Hyper-V host in this process (lib/hvsim), started before EAL so that the
 * hvdev_uio PMD finds its device when EAL probes. The host echoes every packet it receives,
 * which is what the echo command measures. For the host command it offers one or more
 * devices and, with --ping, plays the other role: it sends one packet at a time on every
 * device, times the guest's echo and sends the next.
 */

#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <rte_common.h>
#include <rte_errno.h>

#include <rte_hvdev.h>
#include <rte_hvsim.h>

#include "output.h"
#include "test_hvdev.h"

/* The host's wait for room in the guest's RX ring; the guest drains it between sends. */
#define SIM_ECHO_WAIT_MS 1000
#define SIM_DEVICES_MAX 256
/* Round trips timed by --ping; later ones are counted, not timed. */
#define SIM_PING_SAMPLES_MAX (4u << 20)

struct sim_dev {
	struct rte_hvsim_dev *dev;
	uint64_t seq;		/* transaction id of the ping in flight */
	uint64_t t0;		/* when it was sent */
};

/* --ping: state of the host thread's callbacks, read by the main thread after the run. */
struct sim_ping {
	const uint8_t *payload;
	uint32_t size;
	bool running;		/* atomic: answered pings are followed by the next one */
	uint64_t *ns;
	uint32_t nsamples;
	uint64_t packets;
	uint64_t errors;
	uint64_t send_errors;
};

static struct rte_hvsim *sim;
static char sim_tmp_root[PATH_MAX];	/* ours to remove at exit */
static struct sim_dev sim_devs[SIM_DEVICES_MAX];
static unsigned int sim_ndevs;
static struct sim_ping ping;
static uint8_t *ping_buf;

static void
sim_echo(struct rte_hvsim_dev *dev, const struct rte_hvsim_pkt *p, void *arg)
{
	int ret;

	RTE_SET_USED(arg);
	ret = rte_hvsim_send_wait(dev, p->type, p->flags, p->xactid, p->data, p->len,
				  SIM_ECHO_WAIT_MS);
	if (ret < 0)
		TH_LOG(WARNING, "simulated host: echo of transaction %" PRIu64 " failed: %s",
		       p->xactid, strerror(-ret));
}

static const struct rte_hvsim_dev_ops sim_echo_ops = { .on_packet = sim_echo };

static int
sim_ping_send(struct sim_dev *d)
{
	d->t0 = th_now_ns();
	return rte_hvsim_send(d->dev, RTE_HVDEV_PKT_INBAND, 0, d->seq, ping.payload, ping.size);
}

/* On the host thread: the guest echoed a ping. Time it, check it, send the next one. */
static void
sim_ping_answer(struct rte_hvsim_dev *dev, const struct rte_hvsim_pkt *p, void *arg)
{
	struct sim_dev *d = arg;
	uint64_t now = th_now_ns();

	RTE_SET_USED(dev);
	if (p->xactid != d->seq || p->len != RTE_ALIGN_CEIL(ping.size, 8u) ||
	    memcmp(p->data, ping.payload, ping.size) != 0) {
		ping.errors++;
		return;
	}
	ping.packets++;
	if (ping.nsamples < SIM_PING_SAMPLES_MAX)
		ping.ns[ping.nsamples++] = now - d->t0;
	if (!__atomic_load_n(&ping.running, __ATOMIC_ACQUIRE))
		return;
	d->seq++;
	if (sim_ping_send(d) < 0)
		ping.send_errors++;
}

static const struct rte_hvsim_dev_ops sim_ping_ops = { .on_packet = sim_ping_answer };

static int
sim_make_root(struct th_sim_opts *s)
{
	const char *tmp = getenv("TMPDIR");
	int err;

	if (s->root[0] != '\0')
		return 0;
	if (tmp == NULL || tmp[0] != '/')
		tmp = "/tmp";
	errno = 0;
	if ((size_t)snprintf(sim_tmp_root, sizeof(sim_tmp_root), "%s/hvdev-sim-XXXXXX", tmp) >=
	    sizeof(sim_tmp_root) || mkdtemp(sim_tmp_root) == NULL) {
		err = errno != 0 ? errno : ENAMETOOLONG;
		TH_LOG(ERR, "--sim: cannot create a directory under %s: %s", tmp, strerror(err));
		sim_tmp_root[0] = '\0';
		return -err;
	}
	strcpy(s->root, sim_tmp_root);
	return 0;
}

static int
remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	RTE_SET_USED(st);
	RTE_SET_USED(ftw);
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* The ring holds a header page and then the data, so whole pages and more than one. */
static int
sim_check_ring(uint32_t ring_size)
{
	long page = sysconf(_SC_PAGESIZE);

	if (ring_size == 0 || (page > 0 && ring_size > page && ring_size % page == 0))
		return 0;
	TH_LOG(ERR, "--sim-ring-size: %" PRIu32 " is not a multiple of the page size (%ld) "
	       "larger than one page", ring_size, page);
	return -EINVAL;
}

/*
 * Create the host under s->root (a fresh temporary directory when empty, written back) and
 * offer one device of class s->class_name.
 */
static int
sim_ping_alloc(struct th_sim_opts *s)
{
	ping.size = s->ping_size;
	ping_buf = malloc(RTE_MAX(s->ping_size, 1u));
	ping.ns = malloc(sizeof(*ping.ns) * SIM_PING_SAMPLES_MAX);
	if (ping_buf == NULL || ping.ns == NULL) {
		TH_LOG(ERR, "--ping: out of memory for %u samples", SIM_PING_SAMPLES_MAX);
		return -ENOMEM;
	}
	th_pattern_fill(ping_buf, s->ping_size, 1);
	ping.payload = ping_buf;
	return 0;
}

static int
sim_offer_all(struct th_sim_opts *s, struct rte_hvsim_dev_conf *conf)
{
	unsigned int i;

	for (i = 0; i < s->devices; i++) {
		conf->ops_arg = &sim_devs[i];
		sim_devs[i].seq = 1;
		sim_devs[i].dev = rte_hvsim_offer(sim, conf);
		if (sim_devs[i].dev == NULL) {
			TH_LOG(ERR, "--sim: cannot offer %s device %u of %u (ring size %u): %s",
			       s->class_name, i + 1, s->devices, s->ring_size,
			       strerror(rte_errno));
			return -EIO;
		}
		sim_ndevs++;
	}
	return 0;
}

/*
 * Create the host under s->root (a fresh temporary directory when empty, written back) and
 * offer s->devices devices of class s->class_name.
 */
int
th_sim_start(struct th_sim_opts *s)
{
	struct rte_hvsim_dev_conf conf = {
		.ring_size = s->ring_size,
		.ops = s->ping ? &sim_ping_ops : &sim_echo_ops,
	};
	int ret;

	if (rte_hvdev_class_parse(s->class_name, conf.class_id) < 0) {
		TH_LOG(ERR, "--sim-class: '%s' is not fcopy, kvp, vss, heartbeat, shutdown, "
		       "timesync or a GUID", s->class_name);
		return -EINVAL;
	}
	if (s->devices > SIM_DEVICES_MAX) {
		TH_LOG(ERR, "--sim-devices: at most %d", SIM_DEVICES_MAX);
		return -EINVAL;
	}
	ret = sim_check_ring(s->ring_size);
	if (ret == 0 && s->ping)
		ret = sim_ping_alloc(s);
	if (ret == 0)
		ret = sim_make_root(s);
	if (ret < 0) {
		th_sim_stop();
		return ret;
	}
	sim = rte_hvsim_create(s->root);
	if (sim == NULL) {
		TH_LOG(ERR, "--sim: cannot create a simulated host under %s: %s", s->root,
		       strerror(rte_errno));
		th_sim_stop();
		return -EIO;
	}
	ret = sim_offer_all(s, &conf);
	if (ret == 0)
		ret = rte_hvsim_start(sim);
	if (ret < 0) {
		if (ret != -EIO)
			TH_LOG(ERR, "--sim: cannot start the host thread: %s", strerror(-ret));
		th_sim_stop();
		return ret;
	}
	return 0;
}

/* Wait until the guest has opened every device. @return 0 or -ETIMEDOUT. */
int
th_sim_wait_open(int timeout_ms)
{
	uint64_t end = th_now_ns() + (uint64_t)timeout_ms * 1000000u;
	unsigned int i;
	uint64_t now;

	for (i = 0; i < sim_ndevs; i++) {
		now = th_now_ns();
		if (now >= end || th_quit)
			return -ETIMEDOUT;
		if (rte_hvsim_wait_open(sim_devs[i].dev, true,
					(int)((end - now + 999999) / 1000000)) < 0)
			return -ETIMEDOUT;
	}
	return 0;
}

/* --ping: send the first ping on every device; the answers keep them going. */
int
th_sim_ping_start(void)
{
	unsigned int i;
	int ret;

	__atomic_store_n(&ping.running, true, __ATOMIC_RELEASE);
	for (i = 0; i < sim_ndevs; i++) {
		ret = sim_ping_send(&sim_devs[i]);
		if (ret < 0) {
			TH_LOG(ERR, "host: cannot ping device %u: %s", i, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

/* --ping: send no new ping; the ones in flight are still timed when they come back. */
void
th_sim_ping_stop(void)
{
	__atomic_store_n(&ping.running, false, __ATOMIC_RELEASE);
}

/* Counters summed over the devices. */
static void
sim_stats_sum(struct rte_hvsim_dev_stats *sum)
{
	struct rte_hvsim_dev_stats st;
	unsigned int i;

	memset(sum, 0, sizeof(*sum));
	for (i = 0; i < sim_ndevs; i++) {
		rte_hvsim_dev_stats_get(sim_devs[i].dev, &st);
		sum->rx_packets += st.rx_packets;
		sum->tx_packets += st.tx_packets;
		sum->interrupts += st.interrupts;
		sum->signals += st.signals;
		sum->guest_errors += st.guest_errors;
	}
}

/*
 * What the host did: its counters and, after --ping, the round trips it timed over @p secs.
 * Call after th_sim_ping_stop() and a pause for the pings in flight: the host thread still
 * runs, but sends nothing more.
 */
void
th_sim_ping_report(struct th_json *j, bool json, double secs)
{
	struct rte_hvsim_dev_stats st;
	struct th_lat l = { 0 };
	uint32_t n = ping.nsamples;

	if (n > 0)
		th_lat_summarize(ping.ns, n, &l);
	sim_stats_sum(&st);
	if (!json) {
		printf("host: %u devices, %" PRIu64 " round trips in %.3f s (%.0f/s), %" PRIu64
		       " errors; rx %" PRIu64 ", tx %" PRIu64 ", interrupts %" PRIu64
		       ", signals %" PRIu64 "\n", sim_ndevs, ping.packets, secs,
		       secs > 0 ? ping.packets / secs : 0, ping.errors + ping.send_errors,
		       st.rx_packets, st.tx_packets, st.interrupts, st.signals);
		if (n > 0)
			th_lat_text(&l);
		return;
	}
	th_json_u64(j, "devices", sim_ndevs);
	th_json_u64(j, "round_trips", ping.packets);
	th_json_u64(j, "errors", ping.errors + ping.send_errors);
	th_json_double(j, "elapsed_s", secs);
	th_json_double(j, "round_trips_per_s", secs > 0 ? ping.packets / secs : 0);
	th_lat_json(j, &l, n);
	th_json_obj_open(j, "host_stats");
	th_json_u64(j, "rx_packets", st.rx_packets);
	th_json_u64(j, "tx_packets", st.tx_packets);
	th_json_u64(j, "interrupts", st.interrupts);
	th_json_u64(j, "signals", st.signals);
	th_json_u64(j, "guest_errors", st.guest_errors);
	th_json_obj_close(j);
}

/* Stop the host and remove the temporary root; safe to call at any time. */
void
th_sim_stop(void)
{
	if (sim != NULL) {
		rte_hvsim_destroy(sim);
		sim = NULL;
	}
	sim_ndevs = 0;
	free(ping.ns);
	ping.ns = NULL;
	free(ping_buf);
	ping_buf = NULL;
	if (sim_tmp_root[0] != '\0') {
		nftw(sim_tmp_root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
		sim_tmp_root[0] = '\0';
	}
}
