/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define FCOPY_HAVE_CPUID 1
#endif

#include "fcopy_isolation.h"

/* CPUID 1, ECX: a hypervisor is present. */
#define CPUID_HYPERVISOR (1u << 31)

static fcopy_cpuid_t cpuid_fn;

void
fcopy_isolation_set_cpuid(fcopy_cpuid_t fn)
{
	cpuid_fn = fn;
}

static bool
read_cpuid(uint32_t leaf, uint32_t regs[4])
{
	if (cpuid_fn != NULL) {
		cpuid_fn(leaf, regs);
		return true;
	}
#ifdef FCOPY_HAVE_CPUID
	__cpuid_count(leaf, 0, regs[0], regs[1], regs[2], regs[3]);
	return true;
#else
	memset(regs, 0, 4 * sizeof(regs[0]));
	return false;
#endif
}

static void
detect_cpuid(struct fcopy_isolation *iso)
{
	uint32_t r[4], max;
	char vendor[13];

	if (!read_cpuid(1, r))
		return;
	iso->detectable = true;
	if (!(r[2] & CPUID_HYPERVISOR))
		return;
	read_cpuid(FCOPY_HV_CPUID_VENDOR, r);
	max = r[0];
	memcpy(vendor, &r[1], 4);
	memcpy(vendor + 4, &r[2], 4);
	memcpy(vendor + 8, &r[3], 4);
	vendor[12] = '\0';
	if (strcmp(vendor, "Microsoft Hv") != 0 || max < FCOPY_HV_CPUID_FEATURES)
		return;
	iso->hyperv = true;
	read_cpuid(FCOPY_HV_CPUID_FEATURES, r);
	/* As Linux: the isolation leaf is read only when the privilege says isolated. */
	if (!(r[1] & FCOPY_HV_ISOLATION) || max < FCOPY_HV_CPUID_ISOLATION_CONFIG)
		return;
	read_cpuid(FCOPY_HV_CPUID_ISOLATION_CONFIG, r);
	iso->type = r[1] & FCOPY_HV_ISOLATION_TYPE;
	iso->paravisor = (r[0] & FCOPY_HV_PARAVISOR_PRESENT) != 0;
	iso->isolated = iso->type != FCOPY_ISOLATION_NONE;
}

void
fcopy_isolation_detect(struct fcopy_isolation *iso)
{
	static const char *const names[] = { "vbs", "snp", "tdx" };
	const char *env = getenv(FCOPY_ISOLATION_TEST_ENV);
	unsigned int i;

	memset(iso, 0, sizeof(*iso));
	detect_cpuid(iso);
	if (env == NULL || iso->isolated)
		return;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcasecmp(env, names[i]) == 0) {
			iso->type = i + 1;
			iso->isolated = true;
			iso->test_override = true;
		}
	}
}

const char *
fcopy_isolation_name(unsigned int type)
{
	switch (type) {
	case FCOPY_ISOLATION_NONE:
		return "none";
	case FCOPY_ISOLATION_VBS:
		return "VBS";
	case FCOPY_ISOLATION_SNP:
		return "SNP";
	case FCOPY_ISOLATION_TDX:
		return "TDX";
	}
	return "unknown";
}

void
fcopy_isolation_describe(const struct fcopy_isolation *iso, char *buf, size_t len)
{
	if (!iso->detectable)
		snprintf(buf, len, "Hyper-V isolation not detectable on this architecture");
	else if (!iso->isolated)
		snprintf(buf, len, "no Hyper-V isolation%s", iso->hyperv ? "" : " (not Hyper-V)");
	else
		snprintf(buf, len, "Hyper-V isolation %s (type %u)%s%s",
			 fcopy_isolation_name(iso->type), iso->type,
			 iso->paravisor ? " with a paravisor" : "",
			 iso->test_override ?
			 ", from " FCOPY_ISOLATION_TEST_ENV " (test only)" : "");
}

int
fcopy_isolation_check(const struct fcopy_config *c, const struct fcopy_isolation *iso,
		      char *err, size_t errlen)
{
	char what[128];
	unsigned int i;

	if (!iso->isolated)
		return 0;
	fcopy_isolation_describe(iso, what, sizeof(what));
	if (c->roots_source == FCOPY_SRC_DEFAULT) {
		snprintf(err, errlen, "this is a confidential VM (%s), where the host must "
			 "not choose where files land: configure allowed_root explicitly "
			 "(configuration file or --allowed-root)", what);
		return -EPERM;
	}
	for (i = 0; i < c->policy.nb_roots; i++) {
		if (strcmp(c->policy.roots[i], "/") == 0 && !c->allow_anywhere) {
			snprintf(err, errlen, "this is a confidential VM (%s): allowed_root = / "
				 "lets the host write anywhere; name narrower roots, or also "
				 "set allow_anywhere = yes (--allow-anywhere) to accept it", what);
			return -EPERM;
		}
	}
	return 0;
}
