/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * The hvdev_uio PMD's devargs parser (class, uuid, root, wait_ms, ignore) over any string.
 *
 * Properties: the result is 0 or -EINVAL; an accepted set has an absolute, NUL-terminated
 * root, wait_ms within its documented range, and, written back as devargs text and parsed
 * again, gives the same settings (when the root can be written back: no ',', '=', '[' or ']').
 */

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_uuid.h>

#include "hvdev_uio_priv.h"
#include "fuzz_common.h"

#define WAIT_MS_MAX 3600000u

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	RTE_SET_USED(argc);
	RTE_SET_USED(argv);
	fuzz_quiet_logs();
	/* The default root comes from the environment: keep it fixed. */
	unsetenv("HVDEV_ROOT");
	return 0;
}

static void
check_args(const struct hvdev_uio_args *a)
{
	size_t n = strnlen(a->root, sizeof(a->root));

	FUZZ_ASSERT(n < sizeof(a->root), "root not NUL-terminated");
	FUZZ_ASSERT(a->root[0] == '/', "root '%s' is not absolute", a->root);
	FUZZ_ASSERT(a->wait_ms <= WAIT_MS_MAX, "wait_ms %u", a->wait_ms);
}

static bool
root_printable(const char *root)
{
	return strpbrk(root, ",=[]") == NULL;
}

/* Write @p a back as devargs and parse it again: the same settings. */
static void
check_round_trip(const struct hvdev_uio_args *a)
{
	char text[PATH_MAX + 256], uu[RTE_UUID_STRLEN];
	struct hvdev_uio_args b;
	int n;

	n = snprintf(text, sizeof(text), "root=%s,wait_ms=%u,ignore=%d", a->root, a->wait_ms,
		     a->ignore);
	if (a->has_class) {
		rte_uuid_unparse(a->class_id, uu, sizeof(uu));
		n += snprintf(text + n, sizeof(text) - (size_t)n, ",class=%s", uu);
	}
	if (a->has_uuid) {
		rte_uuid_unparse(a->instance_id, uu, sizeof(uu));
		snprintf(text + n, sizeof(text) - (size_t)n, ",uuid={%s}", uu);
	}
	FUZZ_ASSERT(hvdev_uio_parse_args("fuzz", text, &b) == 0, "'%s' refused", text);
	FUZZ_ASSERT(strcmp(a->root, b.root) == 0 && a->wait_ms == b.wait_ms &&
		    a->ignore == b.ignore && a->has_class == b.has_class &&
		    a->has_uuid == b.has_uuid, "'%s' parsed differently", text);
	FUZZ_ASSERT(!a->has_class || rte_uuid_compare(a->class_id, b.class_id) == 0,
		    "class of '%s'", text);
	FUZZ_ASSERT(!a->has_uuid || rte_uuid_compare(a->instance_id, b.instance_id) == 0,
		    "uuid of '%s'", text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hvdev_uio_args a;
	char *text;
	int ret;

	text = malloc(size + 1);
	FUZZ_ASSERT(text != NULL, "out of memory");
	memcpy(text, data, size);
	text[size] = '\0';
	ret = hvdev_uio_parse_args("fuzz", text, &a);
	FUZZ_ASSERT(ret == 0 || ret == -EINVAL, "result %d", ret);
	if (ret == 0) {
		check_args(&a);
		if (root_printable(a.root))
			check_round_trip(&a);
	}
	free(text);
	return 0;
}
