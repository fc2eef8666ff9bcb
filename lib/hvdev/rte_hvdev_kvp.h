/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef RTE_HVDEV_KVP_H
#define RTE_HVDEV_KVP_H

/**
 * @file
 * Wire format of the Hyper-V Data Exchange (key-value pair, KVP) integration component.
 *
 * Messages are IC messages (rte_hvdev_ic.h) of type RTE_HVDEV_IC_MSG_KVPEXCHANGE; the
 * structures below start at the IC body, RTE_HVDEV_IC_HDR_SIZE bytes into the payload. Two
 * body layouts exist and are told apart by the operation byte at body offset 0:
 *
 * - GET, SET, DELETE and ENUMERATE: a 4-byte header (operation, pool, 2 bytes of padding),
 *   then the operation's structure at body offset 4 (struct rte_hvdev_kvp_msg).
 * - GET_IP_INFO and SET_IP_INFO: operation and pool, then the IP information directly at body
 *   offset 2, with no padding (struct rte_hvdev_kvp_ip_msg).
 *
 * Keys and string values are UTF-16LE with a terminating NUL; key_size and value_size count
 * bytes and include that NUL. The guest answers in place: same payload length, same
 * icmsgsize. All fields are little-endian. Every size in a request comes from the host and
 * must be checked against the received body length and the limits below before use.
 *
 * The facts behind these definitions, with their sources, are listed in the KVP section of
 * the IC programmer's guide (doc/guides/prog_guide/hvdev_ic.rst).
 */

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>

#include "rte_hvdev_compat.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Class GUID of the KVP device. */
#define RTE_HVDEV_KVP_CLASS_GUID "a9a0f4e7-5a45-4d96-b827-8a841e8c03e6"

/** @name Versions a Linux guest accepts, in its order of preference */
/**@{*/
#define RTE_HVDEV_KVP_FW_MAJOR		3	/**< framework 3.0, then ... */
#define RTE_HVDEV_KVP_FW_MINOR		0
#define RTE_HVDEV_KVP_FW_OLD_MAJOR	1	/**< ... framework 1.0 */
#define RTE_HVDEV_KVP_FW_OLD_MINOR	0
#define RTE_HVDEV_KVP_SRV_WIN8_MAJOR	4	/**< KVP 4.0 (Windows 8 and later hosts) */
#define RTE_HVDEV_KVP_SRV_WIN7_MAJOR	3	/**< KVP 3.0 (Windows 7 / 2008 R2) */
#define RTE_HVDEV_KVP_SRV_WS2008_MAJOR	1	/**< KVP 1.0 (Windows Server 2008) */
/**
 * KVP 5.0 carries binary IP information that Linux guests never negotiate; a host offering
 * 3.0, 4.0 and 5.0 (OpenVMM does) gets 4.0 from a Linux guest.
 */
#define RTE_HVDEV_KVP_SRV_BINARY_IP_MAJOR 5
/**@}*/

/** @name Operations (the operation byte at body offset 0) */
/**@{*/
#define RTE_HVDEV_KVP_OP_GET		0
#define RTE_HVDEV_KVP_OP_SET		1
#define RTE_HVDEV_KVP_OP_DELETE		2
#define RTE_HVDEV_KVP_OP_ENUMERATE	3
#define RTE_HVDEV_KVP_OP_GET_IP_INFO	4
#define RTE_HVDEV_KVP_OP_SET_IP_INFO	5
#define RTE_HVDEV_KVP_OP_COUNT		6
/**@}*/

/** @name Pools (the pool byte at body offset 1) */
/**@{*/
#define RTE_HVDEV_KVP_POOL_EXTERNAL	 0	/**< written by the host, read in the guest */
#define RTE_HVDEV_KVP_POOL_GUEST	 1	/**< written in the guest, read by the host */
#define RTE_HVDEV_KVP_POOL_AUTO		 2	/**< intrinsic items (ENUMERATE) */
#define RTE_HVDEV_KVP_POOL_AUTO_EXTERNAL 3
#define RTE_HVDEV_KVP_POOL_AUTO_INTERNAL 4	/**< never exchanged by hosts seen so far */
#define RTE_HVDEV_KVP_POOL_COUNT	 5
/**@}*/

/** @name Value types (registry types) */
/**@{*/
#define RTE_HVDEV_KVP_REG_SZ		1	/**< UTF-16LE string, NUL-terminated */
#define RTE_HVDEV_KVP_REG_EXPAND_SZ	2	/**< string (Windows; not in the uapi) */
#define RTE_HVDEV_KVP_REG_U32		4	/**< 32-bit number (REG_DWORD) */
#define RTE_HVDEV_KVP_REG_U64		8	/**< 64-bit number as the Linux uapi numbers it */
#define RTE_HVDEV_KVP_REG_QWORD		11	/**< 64-bit number as Windows numbers it */
/**@}*/

/** Bytes of a key on the wire, terminating NUL included (256 UTF-16 code units). */
#define RTE_HVDEV_KVP_MAX_KEY_SIZE	512
/** Bytes of a value on the wire, terminating NUL included (1024 UTF-16 code units). */
#define RTE_HVDEV_KVP_MAX_VALUE_SIZE	2048

/** @name IP information limits, in UTF-16 code units */
/**@{*/
#define RTE_HVDEV_KVP_MAX_ADAPTER_ID	128
#define RTE_HVDEV_KVP_MAX_IP_ADDR	1024
#define RTE_HVDEV_KVP_MAX_GATEWAY	512
/**@}*/

/** @name addr_family of the IP information */
/**@{*/
#define RTE_HVDEV_KVP_ADDR_FAMILY_NONE	0x00
#define RTE_HVDEV_KVP_ADDR_FAMILY_IPV4	0x01
#define RTE_HVDEV_KVP_ADDR_FAMILY_IPV6	0x02
/**@}*/

/**
 * @name Status codes KVP answers carry
 * The same values as RTE_HVDEV_IC_* in rte_hvdev_ic.h, under the names of the Linux uapi.
 */
/**@{*/
#define RTE_HVDEV_KVP_S_OK			0x00000000u
#define RTE_HVDEV_KVP_E_FAIL			0x80004005u
/** "No more data": the end of an enumeration, and every GET/SET/DELETE failure. */
#define RTE_HVDEV_KVP_S_CONT			0x80070103u
#define RTE_HVDEV_KVP_ERROR_NOT_SUPPORTED	0x80070032u
#define RTE_HVDEV_KVP_ERROR_MACHINE_LOCKED	0x800704F7u
#define RTE_HVDEV_KVP_ERROR_DEVICE_NOT_CONNECTED 0x8007048Fu
#define RTE_HVDEV_KVP_INVALIDARG		0x80070057u
#define RTE_HVDEV_KVP_GUID_NOTFOUND		0x80041002u
#define RTE_HVDEV_KVP_ERROR_ALREADY_EXISTS	0x80070050u
#define RTE_HVDEV_KVP_ERROR_DISK_FULL		0x80070070u
/**@}*/

/** The 4-byte header of GET, SET, DELETE and ENUMERATE bodies. */
struct __rte_packed_begin rte_hvdev_kvp_hdr {
	uint8_t operation;	/**< RTE_HVDEV_KVP_OP_* */
	uint8_t pool;		/**< RTE_HVDEV_KVP_POOL_* */
	uint16_t pad;
} __rte_packed_end;

/** A key and its value (2572 bytes): the body of GET and SET, and most of ENUMERATE. */
struct __rte_packed_begin rte_hvdev_kvp_value {
	uint32_t value_type;	/**< RTE_HVDEV_KVP_REG_* */
	uint32_t key_size;	/**< bytes of key, NUL included */
	uint32_t value_size;	/**< bytes of value, NUL included for strings */
	uint8_t key[RTE_HVDEV_KVP_MAX_KEY_SIZE];	/**< UTF-16LE */
	union __rte_packed_begin {
		uint8_t value[RTE_HVDEV_KVP_MAX_VALUE_SIZE];	/**< UTF-16LE for strings */
		uint32_t value_u32;
		uint64_t value_u64;
	} __rte_packed_end;
} __rte_packed_end;

/** ENUMERATE (2576 bytes): the host gives the index, the guest fills data. */
struct __rte_packed_begin rte_hvdev_kvp_enumerate {
	uint32_t index;
	struct rte_hvdev_kvp_value data;
} __rte_packed_end;

/** DELETE (516 bytes). */
struct __rte_packed_begin rte_hvdev_kvp_delete {
	uint32_t key_size;	/**< bytes of key, NUL included */
	uint8_t key[RTE_HVDEV_KVP_MAX_KEY_SIZE];	/**< UTF-16LE */
} __rte_packed_end;

/** A GET, SET, DELETE or ENUMERATE body (2580 bytes as hosts send it). */
struct __rte_packed_begin rte_hvdev_kvp_msg {
	struct rte_hvdev_kvp_hdr hdr;
	union __rte_packed_begin {
		struct rte_hvdev_kvp_value get;
		struct rte_hvdev_kvp_value set;
		struct rte_hvdev_kvp_delete del;
		struct rte_hvdev_kvp_enumerate enumerate;
	} __rte_packed_end body;
} __rte_packed_end;

/** IP information of one adapter (7426 bytes); every string is UTF-16LE, NUL-terminated. */
struct __rte_packed_begin rte_hvdev_kvp_ip_value {
	uint16_t adapter_id[RTE_HVDEV_KVP_MAX_ADAPTER_ID];
	uint8_t addr_family;	/**< RTE_HVDEV_KVP_ADDR_FAMILY_* bits */
	uint8_t dhcp_enabled;
	uint16_t ip_addr[RTE_HVDEV_KVP_MAX_IP_ADDR];	/**< ';'-separated */
	uint16_t sub_net[RTE_HVDEV_KVP_MAX_IP_ADDR];	/**< ';'-separated */
	uint16_t gate_way[RTE_HVDEV_KVP_MAX_GATEWAY];	/**< ';'-separated */
	uint16_t dns_addr[RTE_HVDEV_KVP_MAX_IP_ADDR];	/**< ';'-separated */
} __rte_packed_end;

/** A GET_IP_INFO or SET_IP_INFO body (7428 bytes): no padding after the pool byte. */
struct __rte_packed_begin rte_hvdev_kvp_ip_msg {
	uint8_t operation;	/**< RTE_HVDEV_KVP_OP_GET_IP_INFO or _SET_IP_INFO */
	uint8_t pool;
	struct rte_hvdev_kvp_ip_value ip;
} __rte_packed_end;

/* Layout checks: these sizes and offsets are the wire format. */
static_assert(sizeof(struct rte_hvdev_kvp_hdr) == 4, "KVP header is 4 bytes");
static_assert(sizeof(struct rte_hvdev_kvp_value) == 2572, "key and value are 2572 bytes");
static_assert(offsetof(struct rte_hvdev_kvp_value, key_size) == 4, "key_size at 4");
static_assert(offsetof(struct rte_hvdev_kvp_value, value_size) == 8, "value_size at 8");
static_assert(offsetof(struct rte_hvdev_kvp_value, key) == 12, "key at 12");
static_assert(offsetof(struct rte_hvdev_kvp_value, value) == 524, "value at 524");
static_assert(offsetof(struct rte_hvdev_kvp_value, value_u32) == 524, "value_u32 at 524");
static_assert(offsetof(struct rte_hvdev_kvp_value, value_u64) == 524, "value_u64 at 524");
static_assert(sizeof(struct rte_hvdev_kvp_enumerate) == 2576, "ENUMERATE is 2576 bytes");
static_assert(offsetof(struct rte_hvdev_kvp_enumerate, data) == 4, "data at 4");
static_assert(sizeof(struct rte_hvdev_kvp_delete) == 516, "DELETE is 516 bytes");
static_assert(offsetof(struct rte_hvdev_kvp_delete, key) == 4, "key at 4");
static_assert(sizeof(struct rte_hvdev_kvp_msg) == 2580, "a KVP body is 2580 bytes");
static_assert(offsetof(struct rte_hvdev_kvp_msg, body) == 4, "body at 4");
static_assert(sizeof(struct rte_hvdev_kvp_ip_value) == 7426, "IP information is 7426 bytes");
static_assert(offsetof(struct rte_hvdev_kvp_ip_value, addr_family) == 256, "family at 256");
static_assert(offsetof(struct rte_hvdev_kvp_ip_value, dhcp_enabled) == 257, "dhcp at 257");
static_assert(offsetof(struct rte_hvdev_kvp_ip_value, ip_addr) == 258, "ip_addr at 258");
static_assert(offsetof(struct rte_hvdev_kvp_ip_value, sub_net) == 2306, "sub_net at 2306");
static_assert(offsetof(struct rte_hvdev_kvp_ip_value, gate_way) == 4354, "gate_way at 4354");
static_assert(offsetof(struct rte_hvdev_kvp_ip_value, dns_addr) == 5378, "dns_addr at 5378");
static_assert(sizeof(struct rte_hvdev_kvp_ip_msg) == 7428, "an IP body is 7428 bytes");
static_assert(offsetof(struct rte_hvdev_kvp_ip_msg, ip) == 2, "IP information at 2");

/** Body bytes of a GET, SET, DELETE or ENUMERATE request as hosts send it. */
#define RTE_HVDEV_KVP_MSG_SIZE		sizeof(struct rte_hvdev_kvp_msg)
/** Body bytes of a GET_IP_INFO or SET_IP_INFO request as hosts send it. */
#define RTE_HVDEV_KVP_IP_MSG_SIZE	sizeof(struct rte_hvdev_kvp_ip_msg)

#ifdef __cplusplus
}
#endif

#endif /* RTE_HVDEV_KVP_H */
