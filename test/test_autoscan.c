/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * With no hvdev_uio device on the command line, the PMD creates one for every low-speed device
 * bound to uio_hv_generic; --vdev=hvdev_uio,ignore=1 turns that off. The simulated host and
 * HVDEV_ROOT must be in place before rte_eal_init(), so this suite has its own main().
 */

#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include <rte_hvdev.h>

#include "hvdev_test.h"
#include "rte_hvsim.h"

static char root[256];
static struct rte_hvsim *sim;

static int
test_found(void)
{
	struct rte_hvdev_info info;
	rte_uuid_t fcopy, kvp;
	int id;

	hvdev_test_class("fcopy", fcopy);
	hvdev_test_class("kvp", kvp);
	TEST_ASSERT_EQUAL(rte_hvdev_count_avail(), 2, "one device per bound low-speed device");
	id = rte_hvdev_find_by_class(fcopy, 0);
	TEST_ASSERT(id >= 0, "fcopy device created");
	TEST_ASSERT_EQUAL(rte_hvdev_info_get((int16_t)id, &info), 0, "info");
	TEST_ASSERT(strncmp(info.dev_name, "hvdev_uio_", 10) == 0, "named after the driver: %s",
		    info.dev_name);
	TEST_ASSERT(strstr(info.dev_name, "-") != NULL, "and the instance: %s", info.dev_name);
	TEST_ASSERT(rte_hvdev_find_by_class(kvp, 0) >= 0, "kvp device created");
	return TEST_SUCCESS;
}

static int
test_ignore(void)
{
	TEST_ASSERT_EQUAL(rte_hvdev_count_avail(), 0, "ignore=1: no device created");
	return TEST_SUCCESS;
}

static const struct hvdev_test_case cases[] = {
	HVDEV_CASE(found, test_found),
	HVDEV_CASE(ignore, test_ignore),
};

static int
offer(const char *cls, const char *driver)
{
	struct rte_hvsim_dev_conf conf = { .driver = driver };

	hvdev_test_class(cls, conf.class_id);
	return rte_hvsim_offer(sim, &conf) != NULL ? 0 : -1;
}

int
main(int argc, char **argv)
{
	int ret;

	if (argc > 1 && strcmp(argv[1], "--list") == 0)
		return hvdev_test_main(argc, argv, cases, RTE_DIM(cases));
	if (hvdev_test_root_create(root, sizeof(root)) < 0)
		return 1;
	sim = rte_hvsim_create(root);
	/* Two ready devices and one that is not bound: the scan must create exactly two. */
	if (sim == NULL || rte_hvsim_start(sim) < 0 || offer("fcopy", NULL) < 0 ||
	    offer("kvp", NULL) < 0 || offer("heartbeat", "") < 0) {
		fprintf(stderr, "cannot set up the simulated host under %s\n", root);
		return 1;
	}
	setenv("HVDEV_ROOT", root, 1);
	if (argc > 1 && strcmp(argv[1], "ignore") == 0)
		hvdev_test_add_eal_arg("--vdev=hvdev_uio,ignore=1");
	ret = hvdev_test_main(argc, argv, cases, RTE_DIM(cases));
	rte_hvsim_destroy(sim);
	hvdev_test_root_remove(root);
	return ret;
}
