/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * A simulated host built by the install test (check_install.py) against the installed
 * librte_hvsim with cc and pkg-config alone, as a driver developer would build one: it offers
 * an fcopy device that negotiates IC versions under ROOT, runs GUEST ARGS... as the guest and
 * exits 0 when the guest answered the NEGOTIATE with framework 3.0 and service 1.1 and exited
 * cleanly. The host sends through, and reads the answer with, the DPDK ring buffer code that
 * the library carries.
 *
 * Usage: install_hvsim_host ROOT GUEST [ARGS...]
 */

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include <rte_hvdev_ic.h>
#include <rte_hvsim.h>

static int
run(struct rte_hvsim *sim, char **guest)
{
	const struct rte_hvdev_ic_class *cls = rte_hvdev_ic_class_by_name("fcopy");
	struct rte_hvsim_dev_conf conf = { .ic_negotiate = true };
	struct rte_hvsim_ic_result res;
	struct rte_hvsim_dev *dev;
	int status = 0, i;
	pid_t pid;

	if (cls == NULL || rte_uuid_parse(cls->guid, conf.class_id) != 0) {
		fprintf(stderr, "host: no fcopy class\n");
		return 1;
	}
	dev = rte_hvsim_offer(sim, &conf);
	if (dev == NULL) {
		fprintf(stderr, "host: cannot offer the fcopy device\n");
		return 1;
	}
	pid = fork();
	if (pid == 0) {
		execv(guest[0], guest);
		perror(guest[0]);
		_exit(127);
	}
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (rte_hvsim_ic_wait(dev, 20000) < 0 || rte_hvsim_ic_result(dev, &res) < 0)
		memset(&res, 0, sizeof(res));
	for (i = 0; i < 200 && waitpid(pid, &status, WNOHANG) == 0; i++)
		usleep(50000);
	if (i == 200) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	printf("host: answered %d valid %d framework %u.%u service %u.%u, guest status 0x%x\n",
	       res.done, res.ok, res.fw.major, res.fw.minor, res.srv.major, res.srv.minor, status);
	return res.done && res.ok && res.fw.major == 3 && res.fw.minor == 0 &&
	       res.srv.major == 1 && res.srv.minor == 1 && WIFEXITED(status) &&
	       WEXITSTATUS(status) == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	struct rte_hvsim *sim;
	int ret;

	if (argc < 3) {
		fprintf(stderr, "usage: %s ROOT GUEST [ARGS...]\n", argv[0]);
		return 2;
	}
	sim = rte_hvsim_create(argv[1]);
	if (sim == NULL || rte_hvsim_start(sim) < 0) {
		fprintf(stderr, "host: cannot start a simulated host under %s\n", argv[1]);
		return 1;
	}
	ret = run(sim, argv + 2);
	rte_hvsim_destroy(sim);
	return ret;
}
