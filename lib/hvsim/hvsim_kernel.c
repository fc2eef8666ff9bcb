/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * The simulated guest kernel's profile. Guests run on kernels that differ in what
 * uio_hv_generic does with the RX interrupt mask, in the size of the ring attribute, and in
 * whether low-speed devices can be bound at all; a guest that only ever met one of them
 * passes every suite and hangs on the others. The profile is host-wide and can come from the
 * environment (HVSIM_KERNEL), so that a suite runs unchanged under each kernel.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>

#include "hvsim_priv.h"

/* A release string that matches the flags, for a profile that names none. */
static const char *
default_release(const struct rte_hvsim_kernel *k)
{
	if (k->no_lowspeed_bind)
		return "6.9.0-hvsim";
	if (k->ring_attr_fixed)
		return "6.12.0-hvsim";
	if (k->mask_on_open || k->mask_per_interrupt)
		return "6.17.0-hvsim";
	return "6.18.0-hvsim";
}

static int __rte_format_printf(3, 4)
parse_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* Apply one item; @return 0 or -EINVAL. */
static int
apply_item(const char *item, struct rte_hvsim_kernel *k, char *err, size_t errlen)
{
	static const struct rte_hvsim_kernel older = {
		.mask_on_open = true, .mask_per_interrupt = true,
	};

	if (strcmp(item, "current") == 0) {
		memset(k, 0, sizeof(*k));
	} else if (strcmp(item, "mask-per-interrupt") == 0) {
		*k = older;
	} else if (strcmp(item, "legacy-ring") == 0) {
		*k = older;
		k->ring_attr_fixed = true;
	} else if (strcmp(item, "pre-6.10") == 0) {
		*k = older;
		k->ring_attr_fixed = true;
		k->no_lowspeed_bind = true;
	} else if (strcmp(item, "mask-on-open") == 0) {
		k->mask_on_open = true;
	} else if (strcmp(item, "mask-each-interrupt") == 0) {
		k->mask_per_interrupt = true;
	} else if (strcmp(item, "ring-4m") == 0) {
		k->ring_attr_fixed = true;
	} else if (strcmp(item, "coalesce") == 0) {
		k->coalesce = true;
	} else if (strcmp(item, "no-lowspeed-bind") == 0) {
		k->no_lowspeed_bind = true;
	} else if (strncmp(item, "release=", 8) == 0) {
		if (item[8] == '\0' || strlen(item + 8) >= sizeof(k->release) ||
		    strpbrk(item + 8, "/\n") != NULL)
			return parse_err(err, errlen, "release=%s: empty, too long or not one line",
					 item + 8);
		strcpy(k->release, item + 8);
	} else {
		return parse_err(err, errlen, "unknown kernel item \"%s\" (presets: current, "
				 "mask-per-interrupt, legacy-ring, pre-6.10; flags: mask-on-open, "
				 "mask-each-interrupt, ring-4m, coalesce, no-lowspeed-bind, "
				 "release=STRING)", item);
	}
	return 0;
}

int
rte_hvsim_kernel_parse(const char *spec, struct rte_hvsim_kernel *k, char *err,
		       size_t errlen)
{
	char buf[256], *item, *save = NULL;
	struct rte_hvsim_kernel tmp;
	int ret;

	if (spec == NULL || k == NULL)
		return parse_err(err, errlen, "no specification");
	if (strlen(spec) >= sizeof(buf))
		return parse_err(err, errlen, "specification too long");
	strcpy(buf, spec);
	tmp = *k;
	for (item = strtok_r(buf, ", ", &save); item != NULL; item = strtok_r(NULL, ", ", &save)) {
		ret = apply_item(item, &tmp, err, errlen);
		if (ret < 0)
			return ret;
	}
	*k = tmp;
	return 0;
}

/* What the guest reads as the kernel release: <root>/proc/sys/kernel/osrelease. */
static int
write_release(const struct rte_hvsim *sim)
{
	char dir[PATH_MAX], path[PATH_MAX + 16], tmp[PATH_MAX + 16];
	FILE *f;
	int ret = 0;

	if (snprintf(dir, sizeof(dir), "%s/proc/sys/kernel", sim->root) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	ret = hvsim_mkdir_p(dir);
	if (ret < 0)
		return ret;
	snprintf(path, sizeof(path), "%s/osrelease", dir);
	snprintf(tmp, sizeof(tmp), "%s/.osrelease.tmp", dir);
	f = fopen(tmp, "we");
	if (f == NULL)
		return -errno;
	if (fprintf(f, "%s\n", sim->kernel.release) < 0)
		ret = -EIO;
	if (fclose(f) != 0 && ret == 0)
		ret = -errno;
	if (ret == 0 && rename(tmp, path) < 0)
		ret = -errno;
	if (ret < 0)
		unlink(tmp);
	return ret;
}

int
rte_hvsim_set_kernel(struct rte_hvsim *sim, const struct rte_hvsim_kernel *k)
{
	struct rte_hvsim_kernel cur = { 0 };
	int ret;

	if (sim == NULL)
		return -EINVAL;
	if (k != NULL)
		cur = *k;
	if (memchr(cur.release, '\0', sizeof(cur.release)) == NULL)
		return -EINVAL;
	if (cur.release[0] == '\0')
		strcpy(cur.release, default_release(&cur));
	pthread_mutex_lock(&sim->lock);
	sim->kernel = cur;
	ret = write_release(sim);
	pthread_mutex_unlock(&sim->lock);
	if (ret < 0)
		HVSIM_LOG(ERR, "cannot write the kernel release under %s: %s", sim->root,
			  strerror(-ret));
	else
		HVSIM_LOG(INFO, "kernel %s:%s%s%s%s%s", cur.release,
			  cur.mask_on_open ? " mask-on-open" : "",
			  cur.mask_per_interrupt ? " mask-each-interrupt" : "",
			  cur.ring_attr_fixed ? " ring-4m" : "",
			  cur.coalesce ? " coalesce" : "",
			  cur.no_lowspeed_bind ? " no-lowspeed-bind" : "");
	return ret;
}

void
rte_hvsim_get_kernel(struct rte_hvsim *sim, struct rte_hvsim_kernel *k)
{
	pthread_mutex_lock(&sim->lock);
	*k = sim->kernel;
	pthread_mutex_unlock(&sim->lock);
}

int
hvsim_kernel_init(struct rte_hvsim *sim)
{
	struct rte_hvsim_kernel k = { 0 };
	const char *spec = getenv("HVSIM_KERNEL");
	const char *strict = getenv("HVSIM_STRICT_XACTID");
	char err[256];

	/* Whole suites can so check that a guest echoes, as hvdev's services must. */
	sim->strict_xactid = strict != NULL && strict[0] != '\0' && strcmp(strict, "0") != 0;

	if (spec != NULL && spec[0] != '\0' &&
	    rte_hvsim_kernel_parse(spec, &k, err, sizeof(err)) < 0) {
		HVSIM_LOG(ERR, "HVSIM_KERNEL=%s: %s", spec, err);
		return -EINVAL;
	}
	return rte_hvsim_set_kernel(sim, &k);
}

void
hvsim_kernel_fini(struct rte_hvsim *sim)
{
	static const char *const rel[] = {
		"proc/sys/kernel/osrelease", "proc/sys/kernel", "proc/sys", "proc",
	};
	char path[PATH_MAX + 32];
	unsigned int i;

	/* What we created; directories only if nothing else was put in them. */
	for (i = 0; i < RTE_DIM(rel); i++) {
		snprintf(path, sizeof(path), "%s/%s", sim->root, rel[i]);
		if (i == 0)
			unlink(path);
		else
			rmdir(path);
	}
}
