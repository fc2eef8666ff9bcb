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

#include <rte_log.h>

#include "hvd_daemon.h"
#include "hvd_device.h"

#define PMD_NAME "hvdev_uio"
#define POLL_MS 200
/* After a failed probe of a present node, try again this much later. */
#define RETRY_PROBE_NS (5ull * 1000000000u)

static int
find(const char *class_name)
{
	rte_uuid_t uu;

	if (rte_hvdev_class_parse(class_name, uu) < 0)
		return -EINVAL;
	return rte_hvdev_find_by_class(uu, 0);
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The hvdev_uio device the user gave, as "name,args", or the default one. */
static void
devargs_string(const char *class_name, char *buf, size_t len)
{
	struct rte_devargs *da;

	RTE_EAL_DEVARGS_FOREACH("vdev", da) {
		if (strncmp(da->name, PMD_NAME, strlen(PMD_NAME)) != 0)
			continue;
		snprintf(buf, len, "%s%s%s", da->name, da->args != NULL && da->args[0] != '\0' ?
			 "," : "", da->args != NULL ? da->args : "");
		return;
	}
	snprintf(buf, len, "%s0,class=%s", PMD_NAME, class_name);
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
hvd_device_root(const char *class_name, char *root, size_t len)
{
	char devargs[PATH_MAX + 128];

	devargs_string(class_name, devargs, sizeof(devargs));
	devargs_root(devargs, root, len);
}

static void
sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)ms * 1000000 };

	nanosleep(&ts, NULL);
}

int
hvd_device_find(const struct hvd_device_find *f)
{
	char devargs[PATH_MAX + 128], root[PATH_MAX];
	uint64_t deadline, next_probe = 0;
	int id;

	id = find(f->class_name);
	if (id == -EINVAL || id >= 0 || f->wait_s == 0)
		return id >= 0 || id == -EINVAL ? id : -ENODEV;
	devargs_string(f->class_name, devargs, sizeof(devargs));
	devargs_root(devargs, root, sizeof(root));
	if (f->wait_s < 0)
		hvd_log(RTE_LOG_NOTICE, "no %s yet (Guest Services off?); waiting for it", f->what);
	else
		hvd_log(RTE_LOG_NOTICE, "no %s yet (Guest Services off?); waiting up to %d s",
			f->what, f->wait_s);
	deadline = now_ns() + (uint64_t)(f->wait_s < 0 ? 0 : f->wait_s) * 1000000000u;
	while (!hvd_stopping()) {
		/* Probe only once the node is there: a failed probe logs errors each time. */
		if (now_ns() >= next_probe && (f->node_present == NULL || f->node_present(root))) {
			hvd_log(RTE_LOG_INFO, "the %s appeared; probing %s", f->what, devargs);
			rte_dev_probe(devargs);
			id = find(f->class_name);
			if (id >= 0)
				return id;
			next_probe = now_ns() + RETRY_PROBE_NS;
		}
		if (f->wait_s > 0 && now_ns() >= deadline)
			return -ENODEV;
		sleep_ms(POLL_MS);
	}
	return -EINTR;
}
