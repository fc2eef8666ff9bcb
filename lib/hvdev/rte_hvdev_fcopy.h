/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef RTE_HVDEV_FCOPY_H
#define RTE_HVDEV_FCOPY_H

/**
 * @file
 * Wire format of the Hyper-V file-copy (Copy-VMFile, "Guest Services") integration
 * component. Messages are IC messages (rte_hvdev_ic.h) of type RTE_HVDEV_IC_MSG_FCOPY; the
 * structures below start at the IC body, RTE_HVDEV_IC_HDR_SIZE bytes into the payload.
 * All fields are little-endian. Every length and count in them comes from the host and must be
 * checked against the received payload length before use.
 */

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>

#include "rte_hvdev_compat.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Framework and service versions the fcopy guest offers. */
#define RTE_HVDEV_FCOPY_FW_MAJOR 3
#define RTE_HVDEV_FCOPY_FW_MINOR 0
#define RTE_HVDEV_FCOPY_SRV_MAJOR 1
#define RTE_HVDEV_FCOPY_SRV_MINOR 1

/** Operations. */
#define RTE_HVDEV_FCOPY_START 0
#define RTE_HVDEV_FCOPY_WRITE 1
#define RTE_HVDEV_FCOPY_COMPLETE 2
#define RTE_HVDEV_FCOPY_CANCEL 3

/** UTF-16 code units in a name or path, terminating NUL included. */
#define RTE_HVDEV_FCOPY_MAX_PATH 260
/** Largest data fragment of one WRITE. */
#define RTE_HVDEV_FCOPY_DATA_MAX 6144

/** copy_flags of START. */
#define RTE_HVDEV_FCOPY_OVERWRITE 0x1
#define RTE_HVDEV_FCOPY_CREATE_PATH 0x2

/** Common header of every fcopy message (36 bytes). */
struct __rte_packed_begin rte_hvdev_fcopy_hdr {
	uint32_t operation;
	uint8_t service_id0[16];
	uint8_t service_id1[16];
} __rte_packed_end;

/** START_FILE_COPY (1088 bytes). */
struct __rte_packed_begin rte_hvdev_fcopy_start {
	struct rte_hvdev_fcopy_hdr hdr;
	uint16_t file_name[RTE_HVDEV_FCOPY_MAX_PATH];	/**< UTF-16LE, NUL-terminated */
	uint16_t path_name[RTE_HVDEV_FCOPY_MAX_PATH];	/**< UTF-16LE, NUL-terminated */
	uint32_t copy_flags;
	uint64_t file_size;
} __rte_packed_end;

/** WRITE_TO_FILE (6196 bytes); the pad puts offset on its natural 8-byte boundary. */
struct __rte_packed_begin rte_hvdev_fcopy_write {
	struct rte_hvdev_fcopy_hdr hdr;
	uint32_t pad;
	uint64_t offset;	/**< absolute offset in the file */
	uint32_t size;		/**< bytes of data used, at most RTE_HVDEV_FCOPY_DATA_MAX */
	uint8_t data[RTE_HVDEV_FCOPY_DATA_MAX];
} __rte_packed_end;

/* Layout checks: these sizes and offsets are the wire format. */
static_assert(sizeof(struct rte_hvdev_fcopy_hdr) == 36, "fcopy header is 36 bytes");
static_assert(sizeof(struct rte_hvdev_fcopy_start) == 1088, "START is 1088 bytes");
static_assert(offsetof(struct rte_hvdev_fcopy_start, path_name) == 556, "path_name at 556");
static_assert(offsetof(struct rte_hvdev_fcopy_start, copy_flags) == 1076, "flags at 1076");
static_assert(offsetof(struct rte_hvdev_fcopy_start, file_size) == 1080, "size at 1080");
static_assert(sizeof(struct rte_hvdev_fcopy_write) == 6196, "WRITE is 6196 bytes");
static_assert(offsetof(struct rte_hvdev_fcopy_write, offset) == 40, "offset at 40");
static_assert(offsetof(struct rte_hvdev_fcopy_write, size) == 48, "size at 48");
static_assert(offsetof(struct rte_hvdev_fcopy_write, data) == 52, "data at 52");

#ifdef __cplusplus
}
#endif

#endif /* RTE_HVDEV_FCOPY_H */
