/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * Runs the guide's example service (examples/hvdev_ic_service) as its own process against a
 * simulated host that negotiates IC versions the way Hyper-V does, and checks the outcome on
 * the host side: the example must agree on framework 3.0 and service 1.1 for fcopy.
 *
 *   test_example <path to dpdk-hvdev-ic-service>
 */

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include <rte_common.h>
#include <rte_log.h>

#include "hvdev_test.h"
#include "rte_hvsim.h"

static pid_t
spawn_example(const char *path, const char *root)
{
	char vdev[512];
	pid_t pid;

	snprintf(vdev, sizeof(vdev), "--vdev=hvdev_uio0,class=fcopy,root=%s", root);
	pid = fork();
	if (pid == 0) {
		execl(path, path, "-l", "0", "--no-huge", "-m", "64", "--no-shconf", "--no-pci",
		      "--no-telemetry", "--log-level=lib.eal:error", vdev, "--", "--count", "1",
		      (char *)NULL);
		perror("exec");
		_exit(127);
	}
	return pid;
}

static int
run(const char *path, const char *root, struct rte_hvsim *sim)
{
	struct rte_hvsim_dev_conf conf = { .ic_negotiate = true };
	struct rte_hvsim_ic_result res;
	struct rte_hvsim_dev *dev;
	int status = -1, i;
	pid_t pid;

	hvdev_test_class("fcopy", conf.class_id);
	dev = rte_hvsim_offer(sim, &conf);
	TEST_ASSERT(dev != NULL, "offer");
	pid = spawn_example(path, root);
	TEST_ASSERT(pid > 0, "fork");
	if (rte_hvsim_ic_wait(dev, 10000) < 0 || rte_hvsim_ic_result(dev, &res) < 0)
		memset(&res, 0, sizeof(res));
	for (i = 0; i < 100 && waitpid(pid, &status, WNOHANG) == 0; i++)
		usleep(50000);
	if (i == 100) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	if (!res.done) {
		struct rte_hvsim_dev_stats hst;

		rte_hvsim_dev_stats_get(dev, &hst);
		fprintf(stderr, "host: opens %" PRIu64 " rx %" PRIu64 " signals %" PRIu64
			" masks %" PRIu64 " errors %" PRIu64 "\n", hst.opens, hst.rx_packets,
			hst.signals, hst.masks, hst.guest_errors);
	}
	TEST_ASSERT(res.done, "the example answered the host's NEGOTIATE");
	TEST_ASSERT(res.ok, "a valid answer (status 0x%08x)", res.status);
	TEST_ASSERT(res.fw.major == 3 && res.fw.minor == 0, "framework 3.0, got %u.%u",
		    res.fw.major, res.fw.minor);
	TEST_ASSERT(res.srv.major == 1 && res.srv.minor == 1, "service 1.1, got %u.%u",
		    res.srv.major, res.srv.minor);
	TEST_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0, "example exited cleanly "
		    "(status 0x%x)", status);
	return TEST_SUCCESS;
}

int
main(int argc, char **argv)
{
	struct rte_hvsim *sim;
	char root[256];
	int ret;

	if (argc < 2) {
		fprintf(stderr, "usage: %s <dpdk-hvdev-ic-service>\n", argv[0]);
		return 2;
	}
	if (getenv("HVDEV_TEST_DEBUG") != NULL)
		rte_log_set_level_pattern("lib.hvsim*", RTE_LOG_DEBUG);
	if (hvdev_test_root_create(root, sizeof(root)) < 0)
		return 1;
	sim = rte_hvsim_create(root);
	if (sim == NULL || rte_hvsim_start(sim) < 0)
		return 1;
	ret = run(argv[1], root, sim);
	rte_hvsim_destroy(sim);
	hvdev_test_root_remove(root);
	printf("%s example\n", ret == TEST_SUCCESS ? "ok" : "FAILED");
	return ret == TEST_SUCCESS ? 0 : 1;
}
