/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_dev.h>
#include <rte_devargs.h>

#include <rte_hvdev.h>

#include "fcopy_bind.h"
#include "hvd_daemon.h"
#include "fcopy_device.h"
#include "fcopy_log.h"
#include "fcopy_stats.h"

#define PMD_NAME "hvdev_uio"
#define DEFAULT_DEVARGS PMD_NAME "0,class=fcopy"
#define POLL_MS 200
/* After a failed probe of a present node, try again this much later. */
#define RETRY_PROBE_NS (5ull * 1000000000u)

static int
find(void)
{
	rte_uuid_t uu;

	if (rte_hvdev_class_parse("fcopy", uu) < 0)
		return -EINVAL;
	return rte_hvdev_find_by_class(uu, 0);
}

/* The hvdev_uio device the user gave, as "name,args", or the default one. */
static void
devargs_string(char *buf, size_t len)
{
	struct rte_devargs *da;

	RTE_EAL_DEVARGS_FOREACH("vdev", da) {
		if (strncmp(da->name, PMD_NAME, strlen(PMD_NAME)) != 0)
			continue;
		snprintf(buf, len, "%s%s%s", da->name, da->args != NULL && da->args[0] != '\0' ?
			 "," : "", da->args != NULL ? da->args : "");
		return;
	}
	snprintf(buf, len, "%s", DEFAULT_DEVARGS);
}

/* The root prefix the PMD will use for @p devargs: root=, else HVDEV_ROOT, else "/". */
static void
devargs_root(const char *devargs, char *root, size_t len)
{
	const char *p = strstr(devargs, ",root="), *env = getenv("HVDEV_ROOT");

	if (p != NULL) {
		p += strlen(",root=");
		snprintf(root, len, "%.*s", (int)strcspn(p, ","), p);
		return;
	}
	snprintf(root, len, "%s", env != NULL && env[0] == '/' ? env : "/");
}

void
fcopy_device_root(char *root, size_t len)
{
	char devargs[PATH_MAX + 128];

	devargs_string(devargs, sizeof(devargs));
	devargs_root(devargs, root, len);
}

static void
sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)ms * 1000000 };

	nanosleep(&ts, NULL);
}

int
fcopy_device_find(int wait_s)
{
	char devargs[PATH_MAX + 128], root[PATH_MAX], node[PATH_MAX];
	uint64_t deadline, next_probe = 0;
	int id;

	id = find();
	if (id >= 0 || wait_s == 0)
		return id >= 0 ? id : -ENODEV;
	devargs_string(devargs, sizeof(devargs));
	devargs_root(devargs, root, sizeof(root));
	if (wait_s < 0)
		FCOPY_LOG(NOTICE, "no file-copy device yet (Guest Services off?); waiting for it");
	else
		FCOPY_LOG(NOTICE, "no file-copy device yet (Guest Services off?); waiting up to "
			  "%d s", wait_s);
	deadline = fcopy_now_ns() + (uint64_t)(wait_s < 0 ? 0 : wait_s) * 1000000000u;
	while (!hvd_stopping()) {
		/* Probe only once the node is there: a failed probe logs errors each time. */
		if (fcopy_now_ns() >= next_probe &&
		    fcopy_bind_find_node(root, node, sizeof(node)) == 1) {
			FCOPY_LOG(INFO, "%s appeared; probing %s", node, devargs);
			rte_dev_probe(devargs);
			id = find();
			if (id >= 0)
				return id;
			next_probe = fcopy_now_ns() + RETRY_PROBE_NS;
		}
		if (wait_s > 0 && fcopy_now_ns() >= deadline)
			return -ENODEV;
		sleep_ms(POLL_MS);
	}
	return -EINTR;
}
