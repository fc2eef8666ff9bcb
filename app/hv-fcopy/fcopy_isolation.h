/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef FCOPY_ISOLATION_H
#define FCOPY_ISOLATION_H

/*
 * Hyper-V isolation (a confidential VM: VBS, SEV-SNP or TDX), detected as Linux does, from the
 * Hyper-V CPUID leaves:
 *
 * - CPUID 1, ECX bit 31: a hypervisor is present;
 * - CPUID 0x40000000: EBX, ECX, EDX spell "Microsoft Hv", EAX is the highest hypervisor leaf;
 * - CPUID 0x40000003 (HYPERV_CPUID_FEATURES), EBX bit 22 (HV_ISOLATION, in the partition
 *   privilege mask's high half): the partition is isolated;
 * - CPUID 0x4000000C (HYPERV_CPUID_ISOLATION_CONFIG), EBX bits 3:0: the isolation type,
 *   0 none, 1 VBS, 2 SNP, 3 TDX; EAX bit 0 (HV_PARAVISOR_PRESENT): a paravisor runs.
 *
 * On a confidential VM the host is not trusted with the guest's files: the service refuses to
 * start unless the allowed roots were configured explicitly, and refuses "/" among them unless
 * allow_anywhere is also set (fcopy_isolation_check()). CPUID exists only on x86: elsewhere
 * isolation is "not detectable" and nothing is refused.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fcopy_policy.h"

#define FCOPY_HV_CPUID_VENDOR 0x40000000u
#define FCOPY_HV_CPUID_FEATURES 0x40000003u
#define FCOPY_HV_CPUID_ISOLATION_CONFIG 0x4000000cu
#define FCOPY_HV_ISOLATION (1u << 22)		/* HYPERV_CPUID_FEATURES.EBX */
#define FCOPY_HV_ISOLATION_TYPE 0xfu		/* HYPERV_CPUID_ISOLATION_CONFIG.EBX */
#define FCOPY_HV_PARAVISOR_PRESENT (1u << 0)	/* HYPERV_CPUID_ISOLATION_CONFIG.EAX */

/*
 * Test only: when set to "vbs", "snp" or "tdx" on a VM without isolation, the service acts as
 * on such a confidential VM. It can only add isolation, never hide a real one.
 */
#define FCOPY_ISOLATION_TEST_ENV "HVDEV_FCOPY_TEST_ISOLATION"

enum fcopy_isolation_type {
	FCOPY_ISOLATION_NONE = 0,
	FCOPY_ISOLATION_VBS = 1,
	FCOPY_ISOLATION_SNP = 2,
	FCOPY_ISOLATION_TDX = 3,
};

struct fcopy_isolation {
	bool detectable;	/* false: not x86, CPUID cannot tell */
	bool hyperv;		/* running on Hyper-V */
	bool isolated;		/* HV_ISOLATION and a type other than none */
	unsigned int type;	/* enum fcopy_isolation_type, or an unknown value */
	bool paravisor;
	bool test_override;	/* from FCOPY_ISOLATION_TEST_ENV */
};

/* One CPUID leaf (subleaf 0): regs[0..3] = EAX, EBX, ECX, EDX. */
typedef void (*fcopy_cpuid_t)(uint32_t leaf, uint32_t regs[4]);

/* Test only: read CPUID through @p fn instead of the instruction; NULL restores it. */
void fcopy_isolation_set_cpuid(fcopy_cpuid_t fn);

/* Detect the isolation of this VM (and apply FCOPY_ISOLATION_TEST_ENV). */
void fcopy_isolation_detect(struct fcopy_isolation *iso);

/* "none", "VBS", "SNP", "TDX" or "unknown". */
const char *fcopy_isolation_name(unsigned int type);

/* One line for the log: "no Hyper-V isolation", "Hyper-V isolation SNP with a paravisor", ... */
void fcopy_isolation_describe(const struct fcopy_isolation *iso, char *buf, size_t len);

/*
 * On an isolated VM: the allowed roots must come from the configuration file or the command
 * line, and "/" needs allow_anywhere.
 * @return 0, or -EPERM with the reason in @p err.
 */
int fcopy_isolation_check(const struct fcopy_config *c, const struct fcopy_isolation *iso,
			  char *err, size_t errlen);

#endif /* FCOPY_ISOLATION_H */
