/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef KVP_IPINFO_H
#define KVP_IPINFO_H

/*
 * GET_IP_INFO and SET_IP_INFO: the host reads a network adapter's configuration (Hyper-V
 * Manager's "IP Addresses", Msvm_GuestNetworkAdapterConfiguration) and writes one (Hyper-V
 * Replica's failover IP injection).
 *
 * As hv_kvp_daemon does (tools/hv/hv_kvp_daemon.c):
 * - GET identifies the adapter by its MAC address: the daemon compares the host's string with
 *   each /sys/class/net/IF/address in upper case ("00:15:5D:..."). Here the host's string is
 *   parsed as six hexadecimal bytes (':' or '-' between them, either case) and compared as
 *   bytes; a string that is not a MAC address matches nothing.
 * - SET identifies it by the VMBus instance GUID of the synthetic NIC: the daemon compares the
 *   host's string with /sys/class/net/IF/device/device_id ("{guid}", lower case). Here both are
 *   parsed as GUIDs (braces optional, either case) and compared as such.
 * - The addresses, in getifaddrs(3) order, joined with ';'; the IPv4 subnets as dotted masks
 *   and the IPv6 ones as "/N"; addr_family the OR of 1 (IPv4) and 2 (IPv6); the default
 *   gateways each followed by ';' (IPv4 then IPv6; read from /proc/net/route and
 *   /proc/net/ipv6_route for this interface, where the daemon runs `ip route` through a shell);
 *   the name servers (hv_get_dns_info IF) each followed by ';'; dhcp_enabled when the first
 *   line of hv_get_dhcp_info IF starts with "Enabled".
 * - SET writes CONFIG_DIR/ifcfg-IF (the ifcfg format) and CONFIG_DIR/IF.nmconnection (the
 *   NetworkManager keyfile format) exactly as the daemon does, then runs
 *   hv_set_ifconfig CONFIG_DIR/ifcfg-IF CONFIG_DIR/IF.nmconnection.
 *
 * Unlike the daemon, every host string is validated before it reaches a file: an address,
 * mask, gateway or name server that is not one (a line feed or "$(...)" in a file that
 * distribution scripts source as shell) is refused with HV_INVALIDARG, and the files are
 * written to a temporary name, synced and renamed.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_hvdev_kvp.h>

#include "kvp_handler.h"
#include "kvp_script.h"

/*
 * What a list may hold to reach the host whole: the wire's MAX_IP_ADDR_SIZE (1024) and
 * MAX_GATEWAY_SIZE (512) UTF-16 units, NUL included. Addresses are ASCII (a byte is a unit):
 * an address that would not fit is left out with the ones after it, never cut.
 */
#define KVP_IP_ADDR_MAX RTE_HVDEV_KVP_MAX_IP_ADDR
#define KVP_IP_GATEWAY_MAX RTE_HVDEV_KVP_MAX_GATEWAY

#define KVP_IP_FAMILY_IPV4 RTE_HVDEV_KVP_ADDR_FAMILY_IPV4
#define KVP_IP_FAMILY_IPV6 RTE_HVDEV_KVP_ADDR_FAMILY_IPV6

/* The body of GET_IP_INFO and SET_IP_INFO in UTF-8 is the handler's struct kvp_ip_info. */

/* What to answer the host; the caller maps these to HV_* status codes. */
enum kvp_ip_status {
	KVP_IP_OK = 0,		/* HV_S_OK */
	KVP_IP_FAIL,		/* HV_E_FAIL: no such adapter (GET), a file or a script failed */
	KVP_IP_NOT_FOUND,	/* HV_GUID_NOTFOUND: no adapter with that GUID (SET) */
	KVP_IP_INVALID,		/* HV_INVALIDARG: a value that is not an address (SET) */
};

struct ifaddrs;

struct kvp_ip_conf {
	const char *root;		/* prefix of sys/class/net and proc/net; NULL: "/" */
	const char *config_dir;		/* where SET writes its files; NULL: /var/lib/hyperv */
	struct kvp_script_conf scripts;
	/* Called for what is worth a log line (level as RTE_LOG_*); may be NULL. */
	void (*log)(void *arg, uint32_t level, const char *msg);
	void *log_arg;
	const struct ifaddrs *fake_ifaddrs;	/* tests: instead of getifaddrs(3) */
};

/* @return 0 with @p mac set, or -EINVAL: "xx:xx:xx:xx:xx:xx" or with '-', either case. */
int kvp_ip_parse_mac(const char *s, uint8_t mac[6]);

/* @return 0 with @p guid (16 bytes, as written) set, or -EINVAL: a GUID, braces optional. */
int kvp_ip_parse_guid(const char *s, uint8_t guid[16]);

/*
 * True when @p name can be an interface name used in a file name and an argument: 1 to 15
 * bytes of printable ASCII, no '/', no space, not "." or "..".
 */
bool kvp_ip_ifname_ok(const char *name);

/*
 * The default gateways of @p ifname from @p root/proc/net/route and @p root/proc/net/ipv6_route,
 * IPv4 then IPv6, each followed by ';' (the daemon's format). @return the number written.
 */
unsigned int kvp_ip_gateways(const char *root, const char *ifname, char *buf, size_t len);

/*
 * Answer GET_IP_INFO for @p req->adapter_id into @p resp (adapter_id copied).
 * @return the status for the host.
 */
enum kvp_ip_status kvp_ip_get(const struct kvp_ip_conf *c, const struct kvp_ip_info *req,
			      struct kvp_ip_info *resp);

/*
 * Write the two files for @p in (interface @p ifname, MAC @p mac in upper case) into
 * @p ifcfg and @p nm (open streams). @return KVP_IP_OK, or KVP_IP_INVALID when a value is
 * not what it must be (nothing is written in that case: all is checked first).
 */
enum kvp_ip_status kvp_ip_write_config(const struct kvp_ip_info *in, const char *ifname,
				       const char *mac, FILE *ifcfg, FILE *nm);

/* Answer SET_IP_INFO. @return the status for the host. */
enum kvp_ip_status kvp_ip_set(const struct kvp_ip_conf *c, const struct kvp_ip_info *in);

#endif /* KVP_IPINFO_H */
