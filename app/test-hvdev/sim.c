/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * --sim: a simulated Hyper-V host in this process (lib/hvsim), started before EAL so that the
 * hvdev_uio PMD finds its device when EAL probes. The host echoes every packet it receives,
 * which is what the echo command measures.
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

#include "test_hvdev.h"

/* The host's wait for room in the guest's RX ring; the guest drains it between sends. */
#define SIM_ECHO_WAIT_MS 1000

static struct rte_hvsim *sim;
static char sim_tmp_root[PATH_MAX];	/* ours to remove at exit */

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
int
th_sim_start(struct th_sim_opts *s)
{
	struct rte_hvsim_dev_conf conf = {
		.ring_size = s->ring_size,
		.ops = &sim_echo_ops,
	};
	int ret;

	if (rte_hvdev_class_parse(s->class_name, conf.class_id) < 0) {
		TH_LOG(ERR, "--sim-class: '%s' is not fcopy, kvp, vss, heartbeat, shutdown, "
		       "timesync or a GUID", s->class_name);
		return -EINVAL;
	}
	ret = sim_check_ring(s->ring_size);
	if (ret < 0)
		return ret;
	ret = sim_make_root(s);
	if (ret < 0)
		return ret;
	sim = rte_hvsim_create(s->root);
	if (sim == NULL) {
		TH_LOG(ERR, "--sim: cannot create a simulated host under %s: %s", s->root,
		       strerror(rte_errno));
		th_sim_stop();
		return -EIO;
	}
	if (rte_hvsim_offer(sim, &conf) == NULL) {
		TH_LOG(ERR, "--sim: cannot offer a %s device (ring size %u): %s", s->class_name,
		       s->ring_size, strerror(rte_errno));
		th_sim_stop();
		return -EIO;
	}
	ret = rte_hvsim_start(sim);
	if (ret < 0) {
		TH_LOG(ERR, "--sim: cannot start the host thread: %s", strerror(-ret));
		th_sim_stop();
		return ret;
	}
	return 0;
}

/* Stop the host and remove the temporary root; safe to call at any time. */
void
th_sim_stop(void)
{
	if (sim != NULL) {
		rte_hvsim_destroy(sim);
		sim = NULL;
	}
	if (sim_tmp_root[0] != '\0') {
		nftw(sim_tmp_root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
		sim_tmp_root[0] = '\0';
	}
}
