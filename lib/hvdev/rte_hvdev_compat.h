/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef RTE_HVDEV_COMPAT_H
#define RTE_HVDEV_COMPAT_H

/**
 * @file
 * What hvdev needs to compile against both DPDK 25.11 (the default) and Debian 12's DPDK 22.11.
 */

#include <rte_common.h>
#include <rte_version.h>

/*
 * DPDK 25.11 deprecates __rte_packed (a use is a warning, so an error with -Dwerror=true) for a
 * pair around the structure, "struct __rte_packed_begin name { ... } __rte_packed_end;", because
 * MSVC needs a pragma before it. DPDK 22.11 has only __rte_packed, which the pair becomes there.
 */
#ifndef __rte_packed_begin
#define __rte_packed_begin
#define __rte_packed_end __rte_packed
#endif

/*
 * DPDK 23.03 renamed the unsigned telemetry value functions (..._u64 to ..._uint) and later
 * removed the old names. Either name works on both versions.
 */
#if RTE_VERSION >= RTE_VERSION_NUM(23, 3, 0, 0)
#define rte_tel_data_add_dict_u64 rte_tel_data_add_dict_uint
#define rte_tel_data_add_array_u64 rte_tel_data_add_array_uint
#else
#define rte_tel_data_add_dict_uint rte_tel_data_add_dict_u64
#define rte_tel_data_add_array_uint rte_tel_data_add_array_u64
#endif

#endif /* RTE_HVDEV_COMPAT_H */
