/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef KVP_HANDLER_H
#define KVP_HANDLER_H

/*
 * What the KVP request handler (kvp_proto.h) asks of the service: the intrinsic items, the
 * IP information of an adapter, the injection of IP settings, and where each finished
 * operation is reported. Every string here is UTF-8, NUL-terminated, already checked; the
 * handler does every conversion from and to the wire's UTF-16LE and every size check.
 *
 * Every callback may be NULL: no intrinsic items (ENUMERATE of the auto pool ends at index
 * 0), GET_IP_INFO and SET_IP_INFO answered with HV_E_FAIL (what the kernel answers when no
 * daemon serves them), no records.
 */

#include <stdint.h>

#include <rte_hvdev_kvp.h>

/* Buffer sizes of the UTF-8 forms: a UTF-16 unit gives at most 3 bytes (a pair of units 4). */
#define KVP_UTF8_SIZE(units)	((units) * 3 + 1)
#define KVP_KEY_UTF8_MAX	KVP_UTF8_SIZE(RTE_HVDEV_KVP_MAX_KEY_SIZE / 2)
#define KVP_VALUE_UTF8_MAX	KVP_UTF8_SIZE(RTE_HVDEV_KVP_MAX_VALUE_SIZE / 2)

/* IP information of one adapter, in UTF-8 (the fields of struct rte_hvdev_kvp_ip_value). */
struct kvp_ip_info {
	/*
	 * GET_IP_INFO: the adapter's MAC address as the host writes it (hv_kvp_daemon compares
	 * it with /sys/class/net/<if>/address in upper case); SET_IP_INFO: the adapter's VMBus
	 * instance GUID (the daemon compares it with /sys/class/net/<if>/device/device_id).
	 */
	char adapter_id[KVP_UTF8_SIZE(RTE_HVDEV_KVP_MAX_ADAPTER_ID)];
	uint8_t addr_family;	/* RTE_HVDEV_KVP_ADDR_FAMILY_* bits */
	uint8_t dhcp_enabled;
	char ip_addr[KVP_UTF8_SIZE(RTE_HVDEV_KVP_MAX_IP_ADDR)];	/* ';'-separated */
	char sub_net[KVP_UTF8_SIZE(RTE_HVDEV_KVP_MAX_IP_ADDR)];
	char gate_way[KVP_UTF8_SIZE(RTE_HVDEV_KVP_MAX_GATEWAY)];
	char dns_addr[KVP_UTF8_SIZE(RTE_HVDEV_KVP_MAX_IP_ADDR)];
};

/* One handled request, for the service's per-operation record and counters. */
struct kvp_op_record {
	uint8_t operation;	/* RTE_HVDEV_KVP_OP_*, or the unknown byte the host sent */
	uint8_t pool;		/* as the host sent it */
	uint32_t index;		/* ENUMERATE's index */
	uint32_t status;	/* the status answered (RTE_HVDEV_KVP_S_OK, ...) */
	/* Host data (keys, adapter ids) may hold any character: escape before logging. */
	const char *key;	/* the key or adapter id in UTF-8, "" when none or invalid */
	const char *reason;	/* why a request failed, static English text; NULL on success */
};

struct kvp_handler_ops {
	/*
	 * Intrinsic item @p index (0 FullyQualifiedDomainName ... 9 ProcessorArchitecture, as
	 * hv_kvp_daemon numbers them; more may follow): its key and value, NUL-terminated UTF-8.
	 * A value longer than the wire takes is cut at a character boundary.
	 * @return 0; -ENOENT (no item at this index: the end of the enumeration); another
	 *         negative value for a failure (HV_E_FAIL is answered).
	 */
	int (*intrinsic)(void *arg, uint32_t index, char *key, size_t key_len,
			 char *value, size_t value_len);
	/*
	 * GET_IP_INFO: fill @p info (adapter_id and addr_family hold the host's request; the
	 * other fields are zero) for the adapter named by adapter_id.
	 * @return the status to answer: RTE_HVDEV_KVP_S_OK, or an error code (hv_kvp_daemon
	 *         answers HV_E_FAIL when no adapter has that MAC address or it has no address).
	 */
	uint32_t (*get_ip_info)(void *arg, struct kvp_ip_info *info);
	/*
	 * SET_IP_INFO: configure the adapter named by @p info->adapter_id.
	 * @return the status to answer: RTE_HVDEV_KVP_S_OK; RTE_HVDEV_KVP_GUID_NOTFOUND (no such
	 *         adapter), RTE_HVDEV_KVP_INVALIDARG (an address that is not IPv4 or IPv6),
	 *         RTE_HVDEV_KVP_E_FAIL (anything else), as hv_kvp_daemon answers them.
	 */
	uint32_t (*set_ip_info)(void *arg, const struct kvp_ip_info *info);
	/* After every request, the status answered already decided. */
	void (*record)(void *arg, const struct kvp_op_record *rec);
};

#endif /* KVP_HANDLER_H */
