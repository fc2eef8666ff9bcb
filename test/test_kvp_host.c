/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * dpdk-hv-kvp's view of the guest, without a device: the intrinsic items of the auto pool
 * (names, order and values as hv_kvp_daemon reports them, from a fake root's release files
 * and a fake interface list), GET_IP_INFO and SET_IP_INFO against a fake sysfs and procfs
 * tree and test scripts in a temporary directory (the exact ifcfg and keyfile text of the
 * daemon, host strings validated, scripts run without a shell, killed at their deadline,
 * their output bounded).
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <ifaddrs.h>
#include <limits.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include <rte_common.h>

#include "hvdev_test.h"
#include "kvp_intrinsic.h"
#include "kvp_ipinfo.h"
#include "kvp_opts.h"
#include "kvp_script.h"
#include "kvp_str.h"
#include "kvp_users.h"

#define MAC "00:15:5d:01:02:03"
#define MAC_UPPER "00:15:5D:01:02:03"
#define NIC_GUID "d34c6a4e-2f5b-4c4a-9a3b-0e1f2a3b4c5d"

static char root[256];

static int
put(const char *rel, const char *text, mode_t mode)
{
	char path[PATH_MAX], dir[PATH_MAX];
	FILE *f;

	hvdev_test_fmt(path, sizeof(path), "%s/%s", root, rel);
	kvp_strlcpy(dir, path, sizeof(dir));
	*strrchr(dir, '/') = '\0';
	if (hvdev_test_mkdirs(dir) != 0)
		return -1;
	f = fopen(path, "w");
	if (f == NULL)
		return -1;
	fputs(text, f);
	if (fclose(f) != 0)
		return -1;
	return chmod(path, mode);
}

static char *
slurp(const char *rel)
{
	static char buf[8192];
	char path[PATH_MAX];
	size_t n = 0;
	FILE *f;

	hvdev_test_fmt(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "r");
	if (f == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

static int
setup(void)
{
	if (hvdev_test_root_create(root, sizeof(root)) != 0)
		return -1;
	return 0;
}

/* A fake getifaddrs(3) list: nodes with their addresses in static storage. */
struct fake_if {
	struct ifaddrs ifa;
	struct sockaddr_storage addr, mask;
	char name[IFNAMSIZ];
};

static struct fake_if fakes[16];
static unsigned int nb_fakes;

static void
fake_add(const char *name, unsigned int flags, const char *addr, unsigned int plen)
{
	struct fake_if *f = &fakes[nb_fakes];

	memset(f, 0, sizeof(*f));
	kvp_strlcpy(f->name, name, sizeof(f->name));
	f->ifa.ifa_name = f->name;
	f->ifa.ifa_flags = flags | IFF_UP;
	if (strchr(addr, ':') != NULL) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&f->addr;
		struct sockaddr_in6 *m = (struct sockaddr_in6 *)&f->mask;
		unsigned int i;

		a->sin6_family = AF_INET6;
		inet_pton(AF_INET6, addr, &a->sin6_addr);
		m->sin6_family = AF_INET6;
		for (i = 0; i < plen; i++)
			m->sin6_addr.s6_addr[i / 8] |= (uint8_t)(0x80 >> (i % 8));
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&f->addr;
		struct sockaddr_in *m = (struct sockaddr_in *)&f->mask;

		a->sin_family = AF_INET;
		inet_pton(AF_INET, addr, &a->sin_addr);
		m->sin_family = AF_INET;
		m->sin_addr.s_addr = plen == 0 ? 0 : htonl(~0u << (32 - plen));
	}
	f->ifa.ifa_addr = (struct sockaddr *)&f->addr;
	f->ifa.ifa_netmask = (struct sockaddr *)&f->mask;
	if (nb_fakes > 0)
		fakes[nb_fakes - 1].ifa.ifa_next = &f->ifa;
	nb_fakes++;
}

static const struct ifaddrs *
fake_list(void)
{
	nb_fakes = 0;
	fake_add("lo", IFF_LOOPBACK, "127.0.0.1", 8);
	fake_add("eth0", 0, "10.0.0.5", 24);
	fake_add("eth10", 0, "172.16.0.9", 16);	/* eth1 is a prefix of it: not eth1's */
	fake_add("lo", IFF_LOOPBACK, "::1", 128);
	fake_add("eth0", 0, "fe80::215:5dff:fe01:203", 64);
	fake_add("eth1", 0, "192.168.1.2", 24);
	fake_add("eth0", 0, "2001:db8::5", 56);
	return &fakes[0].ifa;
}

static int
intrinsic(struct kvp_intrinsic *ki, const char *hostname)
{
	memset(ki, 0, sizeof(*ki));
	ki->fake_ifaddrs = fake_list();
	ki->fake_hostname = hostname;
	return kvp_intrinsic_init(ki, root);
}

static int
test_names_order(void)
{
	static const char *const names[] = {
		"FullyQualifiedDomainName", "IntegrationServicesVersion", "NetworkAddressIPv4",
		"NetworkAddressIPv6", "OSBuildNumber", "OSName", "OSMajorVersion",
		"OSMinorVersion", "OSVersion", "ProcessorArchitecture",
	};
	struct kvp_intrinsic ki;
	char key[512], value[2048];
	unsigned int i;

	TEST_ASSERT(setup() == 0, "root");
	TEST_ASSERT_EQUAL(intrinsic(&ki, "localhost"), 0, "init");
	for (i = 0; i < RTE_DIM(names); i++) {
		TEST_ASSERT_EQUAL(kvp_intrinsic_get(&ki, i, key, sizeof(key), value,
						    sizeof(value)), 0, "index %u", i);
		TEST_ASSERT(strcmp(key, names[i]) == 0, "index %u is %s, not %s", i, key,
			    names[i]);
	}
	TEST_ASSERT_EQUAL(kvp_intrinsic_get(&ki, 10, key, sizeof(key), value, sizeof(value)),
			  -ENOENT, "the end of the pool");
	TEST_ASSERT_EQUAL(kvp_intrinsic_get(&ki, UINT32_MAX, key, sizeof(key), value,
					    sizeof(value)), -ENOENT, "far past the end");
	TEST_ASSERT_EQUAL(kvp_intrinsic_get(&ki, KVP_AUTO_IS_VERSION, key, sizeof(key), value,
					    sizeof(value)), 0, "version");
	TEST_ASSERT(strcmp(value, "3.1") == 0, "IntegrationServicesVersion %s", value);
	hvdev_test_root_remove(root);
	return TEST_SUCCESS;
}

static int
item(struct kvp_intrinsic *ki, unsigned int index, const char *want)
{
	char key[512], value[2048];

	TEST_ASSERT_EQUAL(kvp_intrinsic_get(ki, index, key, sizeof(key), value, sizeof(value)),
			  0, "index %u", index);
	TEST_ASSERT(strcmp(value, want) == 0, "%s is \"%s\", not \"%s\"", key, value, want);
	return TEST_SUCCESS;
}

static int
test_os_release(void)
{
	struct kvp_intrinsic ki;
	struct utsname uts;
	char version[sizeof(uts.release)];

	TEST_ASSERT(setup() == 0, "root");
	TEST_ASSERT(put("etc/os-release",
			"# a comment: NAME=\"Not this\"\n"
			"PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
			"NAME=\"Debian GNU/Linux\"\n"
			"VERSION_ID='12'\n"
			"no equals sign here\n"
			"VERSION=\"12 (bookworm)\"\n", 0644) == 0, "os-release");
	TEST_ASSERT_EQUAL(intrinsic(&ki, "localhost"), 0, "init");
	TEST_ASSERT(uname(&uts) == 0, "uname");
	kvp_strlcpy(version, uts.release, sizeof(version));
	version[strcspn(version, "-")] = '\0';
	TEST_RUN(item(&ki, KVP_AUTO_OS_NAME, "Debian GNU/Linux"));
	TEST_RUN(item(&ki, KVP_AUTO_OS_MAJOR, "12"));
	TEST_RUN(item(&ki, KVP_AUTO_OS_MINOR, ""));
	TEST_RUN(item(&ki, KVP_AUTO_OS_BUILD, uts.release));
	TEST_RUN(item(&ki, KVP_AUTO_OS_VERSION, version));
	TEST_RUN(item(&ki, KVP_AUTO_ARCH, uts.machine));
	hvdev_test_root_remove(root);
	return TEST_SUCCESS;
}

static int
line(const char *text, const char *name, const char *value)
{
	char n[64], v[256];

	TEST_ASSERT_EQUAL(kvp_os_release_line(text, n, sizeof(n), v, sizeof(v)), 1, "%s", text);
	TEST_ASSERT(strcmp(n, name) == 0, "name %s", n);
	TEST_ASSERT(strcmp(v, value) == 0, "value \"%s\", not \"%s\"", v, value);
	return TEST_SUCCESS;
}

static int
test_os_release_line(void)
{
	char n[8], v[8];

	/* The daemon's unquoting: quotes dropped anywhere, a backslash keeps the next byte. */
	TEST_RUN(line("NAME=\"A \\\"b\\\" c\"\n", "NAME", "A \"b\" c"));
	TEST_RUN(line("NAME='it''s'\n", "NAME", "its"));
	TEST_RUN(line("VERSION_ID=1\\\\2\n", "VERSION_ID", "1\\2"));
	TEST_RUN(line("X=a=b\n", "X", "a=b"));
	TEST_RUN(line("X=trailing\\", "X", "trailing"));
	TEST_ASSERT_EQUAL(kvp_os_release_line("#NAME=x\n", n, sizeof(n), v, sizeof(v)), 0,
			  "comment");
	TEST_ASSERT_EQUAL(kvp_os_release_line("NAME\n", n, sizeof(n), v, sizeof(v)), 0,
			  "no '='");
	/* Truncated to the buffers, never overflowing them. */
	TEST_ASSERT_EQUAL(kvp_os_release_line("LONGERNAME=0123456789\n", n, sizeof(n), v,
					      sizeof(v)), 1, "long");
	TEST_ASSERT(strcmp(n, "LONGERN") == 0 && strcmp(v, "0123456") == 0, "cut: %s=%s", n, v);
	return TEST_SUCCESS;
}

static int
test_legacy_release(void)
{
	struct kvp_intrinsic ki;
	struct utsname uts;

	/* usr/lib/os-release when etc/os-release is missing (os-release(5)). */
	TEST_ASSERT(setup() == 0, "root");
	TEST_ASSERT(put("usr/lib/os-release", "NAME=Fallback\nVERSION_ID=7\n", 0644) == 0, "f");
	TEST_ASSERT(put("etc/redhat-release", "Red Hat\n", 0644) == 0, "rh");
	TEST_ASSERT_EQUAL(intrinsic(&ki, "localhost"), 0, "init");
	TEST_RUN(item(&ki, KVP_AUTO_OS_NAME, "Fallback"));
	TEST_RUN(item(&ki, KVP_AUTO_OS_MAJOR, "7"));
	hvdev_test_root_remove(root);

	/* Only a legacy file: its first three lines. */
	TEST_ASSERT(setup() == 0, "root");
	TEST_ASSERT(put("etc/redhat-release", "CentOS release 5\n5\n11\n", 0644) == 0, "rh");
	TEST_ASSERT_EQUAL(intrinsic(&ki, "localhost"), 0, "init");
	TEST_RUN(item(&ki, KVP_AUTO_OS_NAME, "CentOS release 5"));
	TEST_RUN(item(&ki, KVP_AUTO_OS_MAJOR, "5"));
	TEST_RUN(item(&ki, KVP_AUTO_OS_MINOR, "11"));
	hvdev_test_root_remove(root);

	/* Nothing: the kernel's name, no versions. */
	TEST_ASSERT(setup() == 0, "root");
	TEST_ASSERT_EQUAL(intrinsic(&ki, "localhost"), 0, "init");
	TEST_ASSERT(uname(&uts) == 0, "uname");
	TEST_RUN(item(&ki, KVP_AUTO_OS_NAME, uts.sysname));
	TEST_RUN(item(&ki, KVP_AUTO_OS_MAJOR, ""));
	TEST_RUN(item(&ki, KVP_AUTO_OS_MINOR, ""));
	hvdev_test_root_remove(root);
	return TEST_SUCCESS;
}

static int
test_fqdn(void)
{
	struct kvp_intrinsic ki;
	char key[512], value[2048];
	char want[256];

	TEST_ASSERT(setup() == 0, "root");
	TEST_ASSERT_EQUAL(intrinsic(&ki, "localhost"), 0, "init");
	TEST_RUN(item(&ki, KVP_AUTO_FQDN, "localhost"));
	/* The hostname changes: the FQDN follows without a restart. */
	ki.fake_hostname = "no-such-host.invalid";
	TEST_ASSERT_EQUAL(kvp_intrinsic_get(&ki, KVP_AUTO_FQDN, key, sizeof(key), value,
					    sizeof(value)), 0, "fqdn");
	hvdev_test_fmt(want, sizeof(want), "getaddrinfo failed: 0x%x %s",
		       (unsigned int)EAI_NONAME, gai_strerror(EAI_NONAME));
	TEST_ASSERT(strcmp(value, want) == 0, "unresolvable: \"%s\", not \"%s\"", value, want);
	hvdev_test_root_remove(root);
	return TEST_SUCCESS;
}

static int
test_ip_lists(void)
{
	struct kvp_intrinsic ki;
	char buf[24];

	TEST_ASSERT(setup() == 0, "root");
	TEST_ASSERT_EQUAL(intrinsic(&ki, "localhost"), 0, "init");
	/* Every interface but the loopback, in list order, joined with ';'. */
	TEST_RUN(item(&ki, KVP_AUTO_IPV4, "10.0.0.5;172.16.0.9;192.168.1.2"));
	TEST_RUN(item(&ki, KVP_AUTO_IPV6, "fe80::215:5dff:fe01:203;2001:db8::5"));
	/* What does not fit is left out, with what follows; never a cut address. */
	TEST_ASSERT_EQUAL(kvp_ip_list_format(fake_list(), AF_INET, buf, sizeof(buf)), 2,
			  "two fit");
	TEST_ASSERT(strcmp(buf, "10.0.0.5;172.16.0.9") == 0, "bounded: %s", buf);
	TEST_ASSERT_EQUAL(kvp_ip_list_format(fake_list(), AF_INET, buf, 8), 0, "none fits");
	TEST_ASSERT(buf[0] == '\0', "empty");
	hvdev_test_root_remove(root);
	return TEST_SUCCESS;
}

static int
test_parse_mac_guid(void)
{
	uint8_t mac[6], g1[16], g2[16];

	TEST_ASSERT_EQUAL(kvp_ip_parse_mac("00:15:5D:0a:Bc:ff", mac), 0, "colons");
	TEST_ASSERT(mac[0] == 0 && mac[2] == 0x5d && mac[4] == 0xbc && mac[5] == 0xff, "bytes");
	TEST_ASSERT_EQUAL(kvp_ip_parse_mac("00-15-5D-0A-BC-FF", mac), 0, "dashes");
	TEST_ASSERT_EQUAL(kvp_ip_parse_mac("00:15:5D:0A:BC", mac), -EINVAL, "short");
	TEST_ASSERT_EQUAL(kvp_ip_parse_mac("00:15:5D:0A:BC:FF:", mac), -EINVAL, "trailing");
	TEST_ASSERT_EQUAL(kvp_ip_parse_mac("00:15:5D:0A:BC:F", mac), -EINVAL, "odd");
	TEST_ASSERT_EQUAL(kvp_ip_parse_mac("00:15:5D:0A:BC:FG", mac), -EINVAL, "not hex");
	TEST_ASSERT_EQUAL(kvp_ip_parse_mac("", mac), -EINVAL, "empty");
	TEST_ASSERT_EQUAL(kvp_ip_parse_guid("{" NIC_GUID "}", g1), 0, "braces");
	TEST_ASSERT_EQUAL(kvp_ip_parse_guid("D34C6A4E-2F5B-4C4A-9A3B-0E1F2A3B4C5D", g2), 0,
			  "upper, no braces");
	TEST_ASSERT(memcmp(g1, g2, 16) == 0, "same GUID");
	TEST_ASSERT_EQUAL(kvp_ip_parse_guid("{" NIC_GUID, g1), -EINVAL, "open brace");
	TEST_ASSERT_EQUAL(kvp_ip_parse_guid(NIC_GUID "}", g1), -EINVAL, "close brace");
	TEST_ASSERT_EQUAL(kvp_ip_parse_guid("d34c6a4e2f5b4c4a9a3b0e1f2a3b4c5d", g1), -EINVAL,
			  "no dashes");
	TEST_ASSERT_EQUAL(kvp_ip_parse_guid("../../etc/passwd", g1), -EINVAL, "path");
	TEST_ASSERT(kvp_ip_ifname_ok("eth0") && kvp_ip_ifname_ok("enP1s2"), "names");
	TEST_ASSERT(!kvp_ip_ifname_ok("") && !kvp_ip_ifname_ok("..") &&
		    !kvp_ip_ifname_ok("a/b") && !kvp_ip_ifname_ok("a b") &&
		    !kvp_ip_ifname_ok("eth0\n") && !kvp_ip_ifname_ok("0123456789abcdef"),
		    "bad names");
	return TEST_SUCCESS;
}

static int
fake_net(void)
{
	TEST_ASSERT(put("sys/class/net/eth0/address", MAC "\n", 0644) == 0, "eth0");
	TEST_ASSERT(put("sys/class/net/eth0/device/device_id", "{" NIC_GUID "}\n", 0644) == 0,
		    "eth0 id");
	TEST_ASSERT(put("sys/class/net/eth1/address", "00:15:5d:09:09:09\n", 0644) == 0, "eth1");
	TEST_ASSERT(put("sys/class/net/lo/address", "00:00:00:00:00:00\n", 0644) == 0, "lo");
	TEST_ASSERT(put("proc/net/route",
		"Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\t"
		"Window\tIRTT\n"
		"eth0\t00000000\t0100000A\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
		"eth0\t0000000A\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n"
		"eth1\t00000000\t0101A8C0\t0003\t0\t0\t200\t00000000\t0\t0\t0\n"
		"eth0\t00000000\t0200000A\t0003\t0\t0\t300\t00000000\t0\t0\t0\n", 0644) == 0,
		"route");
	TEST_ASSERT(put("proc/net/ipv6_route",
		"00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
		"fe800000000000000000000000000001 00000400 00000001 00000000 00000003     eth0\n"
		"20010db8000000000000000000000000 40 00000000000000000000000000000000 00 "
		"00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0\n"
		"00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
		"fe800000000000000000000000000009 00000400 00000001 00000000 00000003     eth1\n",
		0644) == 0, "ipv6_route");
	return TEST_SUCCESS;
}

static int
test_gateways(void)
{
	char buf[1024];

	TEST_ASSERT(setup() == 0, "root");
	TEST_RUN(fake_net());
	/* This interface's default routes only, IPv4 then IPv6, each followed by ';'. */
	TEST_ASSERT_EQUAL(kvp_ip_gateways(root, "eth0", buf, sizeof(buf)), 3, "eth0");
	TEST_ASSERT(strcmp(buf, "10.0.0.1;10.0.0.2;fe80::1;") == 0, "eth0: %s", buf);
	TEST_ASSERT_EQUAL(kvp_ip_gateways(root, "eth1", buf, sizeof(buf)), 2, "eth1");
	TEST_ASSERT(strcmp(buf, "192.168.1.1;fe80::9;") == 0, "eth1: %s", buf);
	TEST_ASSERT_EQUAL(kvp_ip_gateways(root, "eth2", buf, sizeof(buf)), 0, "none");
	TEST_ASSERT_EQUAL(kvp_ip_gateways(root, "eth0", buf, 12), 1, "bounded");
	TEST_ASSERT(strcmp(buf, "10.0.0.1;") == 0, "bounded: %s", buf);
	hvdev_test_root_remove(root);
	return TEST_SUCCESS;
}

static void
conf_init(struct kvp_ip_conf *c, unsigned int timeout_ms)
{
	static char scripts[PATH_MAX], cfg[PATH_MAX];

	memset(c, 0, sizeof(*c));
	hvdev_test_fmt(scripts, sizeof(scripts), "%s/scripts", root);
	hvdev_test_fmt(cfg, sizeof(cfg), "%s/var/lib/hyperv", root);
	hvdev_test_mkdirs(scripts);
	hvdev_test_mkdirs(cfg);
	c->root = root;
	c->config_dir = cfg;
	c->scripts.dir = scripts;
	c->scripts.timeout_ms = timeout_ms;
	c->fake_ifaddrs = fake_list();
}

static int
test_get_ip_info(void)
{
	struct kvp_ip_info req, resp;
	struct kvp_ip_conf c;

	TEST_ASSERT(setup() == 0, "root");
	TEST_RUN(fake_net());
	conf_init(&c, 5000);
	TEST_ASSERT(put("scripts/hv_get_dns_info",
			"#!/bin/sh\n[ \"$1\" = eth0 ] || exit 3\n"
			"echo 10.0.0.53\n\necho 10.0.0.54\n",
			0755) == 0, "dns");
	TEST_ASSERT(put("scripts/hv_get_dhcp_info",
			"#!/bin/sh\n[ \"$1\" = eth0 ] && echo Enabled || echo Disabled\n",
			0755) == 0, "dhcp");
	memset(&req, 0, sizeof(req));
	kvp_strlcpy(req.adapter_id, MAC_UPPER, sizeof(req.adapter_id));
	TEST_ASSERT_EQUAL(kvp_ip_get(&c, &req, &resp), KVP_IP_OK, "get");
	TEST_ASSERT(strcmp(resp.adapter_id, MAC_UPPER) == 0, "adapter id echoed");
	TEST_ASSERT(strcmp(resp.ip_addr, "10.0.0.5;fe80::215:5dff:fe01:203;2001:db8::5") == 0,
		    "addresses: %s", resp.ip_addr);
	TEST_ASSERT(strcmp(resp.sub_net, "255.255.255.0;/64;/56") == 0, "subnets: %s",
		    resp.sub_net);
	TEST_ASSERT_EQUAL(resp.addr_family, KVP_IP_FAMILY_IPV4 | KVP_IP_FAMILY_IPV6, "family");
	TEST_ASSERT(strcmp(resp.gate_way, "10.0.0.1;10.0.0.2;fe80::1;") == 0, "gateways: %s",
		    resp.gate_way);
	TEST_ASSERT(strcmp(resp.dns_addr, "10.0.0.53;10.0.0.54;") == 0, "dns: %s",
		    resp.dns_addr);
	TEST_ASSERT_EQUAL(resp.dhcp_enabled, 1, "dhcp");

	/* The host's MAC with '-' and in lower case names the same adapter. */
	kvp_strlcpy(req.adapter_id, "00-15-5d-01-02-03", sizeof(req.adapter_id));
	TEST_ASSERT_EQUAL(kvp_ip_get(&c, &req, &resp), KVP_IP_OK, "dashes");
	TEST_ASSERT(strcmp(resp.ip_addr, "10.0.0.5;fe80::215:5dff:fe01:203;2001:db8::5") == 0,
		    "same adapter");
	/* eth1: exactly its own addresses (the daemon's prefix match would add eth10's). */
	kvp_strlcpy(req.adapter_id, "00:15:5D:09:09:09", sizeof(req.adapter_id));
	TEST_ASSERT_EQUAL(kvp_ip_get(&c, &req, &resp), KVP_IP_OK, "eth1");
	TEST_ASSERT(strcmp(resp.ip_addr, "192.168.1.2") == 0, "eth1: %s", resp.ip_addr);
	TEST_ASSERT_EQUAL(resp.dhcp_enabled, 0, "eth1 dhcp");
	TEST_ASSERT(strcmp(resp.dns_addr, "") == 0, "eth1 dns (script exit 3): %s",
		    resp.dns_addr);
	/* No such adapter, and not a MAC address at all. */
	kvp_strlcpy(req.adapter_id, "00:15:5D:FF:FF:FF", sizeof(req.adapter_id));
	TEST_ASSERT_EQUAL(kvp_ip_get(&c, &req, &resp), KVP_IP_FAIL, "unknown MAC");
	kvp_strlcpy(req.adapter_id, "../../eth0", sizeof(req.adapter_id));
	TEST_ASSERT_EQUAL(kvp_ip_get(&c, &req, &resp), KVP_IP_FAIL, "not a MAC");
	hvdev_test_root_remove(root);
	return TEST_SUCCESS;
}

static int
test_get_ip_no_scripts(void)
{
	struct kvp_ip_info req, resp;
	struct kvp_ip_conf c;

	/* Without the scripts: no name servers, DHCP off, as the daemon's popen() gives. */
	TEST_ASSERT(setup() == 0, "root");
	TEST_RUN(fake_net());
	conf_init(&c, 5000);
	memset(&req, 0, sizeof(req));
	kvp_strlcpy(req.adapter_id, MAC_UPPER, sizeof(req.adapter_id));
	TEST_ASSERT_EQUAL(kvp_ip_get(&c, &req, &resp), KVP_IP_OK, "get");
	TEST_ASSERT(resp.dns_addr[0] == '\0' && resp.dhcp_enabled == 0, "nothing from scripts");
	TEST_ASSERT(resp.ip_addr[0] != '\0', "addresses still");
	hvdev_test_root_remove(root);
	return TEST_SUCCESS;
}

static bool
process_gone(pid_t pid)
{
	char path[64], buf[512];
	FILE *f;
	char *p;

	if (kill(pid, 0) != 0)
		return true;
	/* Killed but not reaped yet by whoever adopted it: a zombie is gone enough. */
	hvdev_test_fmt(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return true;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	if (p == NULL)
		return true;
	p = strrchr(buf, ')');
	return p != NULL && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X');
}

static int
test_script_timeout(void)
{
	struct kvp_ip_info req, resp;
	struct kvp_ip_conf c;
	uint64_t t0, ms;
	char *pids;
	int shell, child, i;

	/* A script that hangs (and its background child) is killed at the deadline. */
	TEST_ASSERT(setup() == 0, "root");
	TEST_RUN(fake_net());
	conf_init(&c, 300);
	TEST_ASSERT(put("scripts/hv_get_dns_info",
			"#!/bin/sh\nsleep 30 &\necho $$ $! > \"$0.pids\"\nwait\n", 0755) == 0,
		    "dns");
	memset(&req, 0, sizeof(req));
	kvp_strlcpy(req.adapter_id, MAC_UPPER, sizeof(req.adapter_id));
	t0 = hvdev_test_now_us();
	TEST_ASSERT_EQUAL(kvp_ip_get(&c, &req, &resp), KVP_IP_FAIL, "timed out: a failure");
	ms = (hvdev_test_now_us() - t0) / 1000;
	TEST_ASSERT(ms >= 250 && ms < 3000, "answered after %" PRIu64 " ms", ms);
	pids = slurp("scripts/hv_get_dns_info.pids");
	TEST_ASSERT(pids != NULL && sscanf(pids, "%d %d", &shell, &child) == 2, "pids");
	for (i = 0; i < 100 && !(process_gone(shell) && process_gone(child)); i++)
		usleep(10000);
	TEST_ASSERT(process_gone(shell), "the script %d was killed", shell);
	TEST_ASSERT(process_gone(child), "its background child %d was killed", child);
	hvdev_test_root_remove(root);
	return TEST_SUCCESS;
}

static int
test_script_output_bounded(void)
{
	struct kvp_script_result res;
	char path[PATH_MAX], out[100];
	char *argv[] = { path, NULL };
	uint64_t t0;

	TEST_ASSERT(setup() == 0, "root");
	TEST_ASSERT(put("s/flood", "#!/bin/sh\nhead -c 1048576 /dev/zero | tr '\\0' x\n", 0755) ==
		    0, "flood");
	hvdev_test_fmt(path, sizeof(path), "%s/s/flood", root);
	t0 = hvdev_test_now_us();
	TEST_ASSERT_EQUAL(kvp_script_run(path, argv, 10000, out, sizeof(out), &res), 0, "run");
	TEST_ASSERT(res.exited && !res.timed_out && kvp_script_ok(&res), "it ended normally");
	TEST_ASSERT(res.truncated && res.len == sizeof(out) - 1 && strlen(out) == res.len,
		    "bounded: %zu bytes kept", res.len);
	TEST_ASSERT(hvdev_test_now_us() - t0 < 5000000, "not slowed down");
	/* exec failure, a signal: described, not ok. */
	hvdev_test_fmt(path, sizeof(path), "%s/s/missing", root);
	TEST_ASSERT_EQUAL(kvp_script_run(path, argv, 1000, out, sizeof(out), &res), 0, "run");
	TEST_ASSERT(res.exited && !kvp_script_ok(&res) && WIFEXITED(res.status) &&
		    WEXITSTATUS(res.status) == 127, "exec failure is exit 127");
	TEST_ASSERT(put("s/die", "#!/bin/sh\nkill -9 $$\n", 0755) == 0, "die");
	hvdev_test_fmt(path, sizeof(path), "%s/s/die", root);
	TEST_ASSERT_EQUAL(kvp_script_run(path, argv, 1000, NULL, 0, &res), 0, "run");
	TEST_ASSERT(!kvp_script_ok(&res) && WIFSIGNALED(res.status), "signalled");
	TEST_ASSERT(strcmp(kvp_script_describe(&res, 1000, out, sizeof(out)),
			   "killed by signal 9") == 0, "described: %s", out);
	hvdev_test_root_remove(root);
	return TEST_SUCCESS;
}

static int
test_script_no_shell(void)
{
	struct kvp_script_result res;
	char path[PATH_MAX], out[256], pwned[PATH_MAX];
	char arg[] = "eth0;touch pwned;$(touch pwned)`touch pwned`";
	char *argv[] = { path, arg, NULL };
	struct kvp_script_conf sc = { 0 };
	char sdir[PATH_MAX];
	int fd;

	TEST_ASSERT(setup() == 0, "root");
	TEST_ASSERT(put("s/echo1", "#!/bin/sh\ncd \"$(dirname \"$0\")\"\nprintf '%s' \"$1\"\n",
			0755) == 0, "echo1");
	hvdev_test_fmt(path, sizeof(path), "%s/s/echo1", root);
	TEST_ASSERT_EQUAL(kvp_script_run(path, argv, 5000, out, sizeof(out), &res), 0, "run");
	TEST_ASSERT(kvp_script_ok(&res), "ok");
	TEST_ASSERT(strcmp(out, arg) == 0, "the argument arrived verbatim: %s", out);
	hvdev_test_fmt(pwned, sizeof(pwned), "%s/s/pwned", root);
	TEST_ASSERT(!hvdev_test_exists(pwned), "nothing was executed from it");
	/* No descriptor of ours leaks into the script. */
	fd = open("/dev/null", O_RDONLY);
	TEST_ASSERT(fd > 2, "fd");
	TEST_ASSERT(put("s/fds", "#!/bin/sh\nls /proc/self/fd | wc -l\n", 0755) == 0, "fds");
	hvdev_test_fmt(path, sizeof(path), "%s/s/fds", root);
	argv[1] = NULL;
	TEST_ASSERT_EQUAL(kvp_script_run(path, argv, 5000, out, sizeof(out), &res), 0, "run");
	close(fd);
	/* 0, 1, 2 and the one ls opens for the directory. */
	TEST_ASSERT(atoi(out) == 4, "descriptors in the script: %s", out);
	/* A script anyone may change is not run. */
	hvdev_test_fmt(sdir, sizeof(sdir), "%s/s", root);
	sc.dir = sdir;
	TEST_ASSERT_EQUAL(kvp_script_find(&sc, "echo1", path, sizeof(path)), 0, "found");
	hvdev_test_fmt(path, sizeof(path), "%s/s/echo1", root);
	TEST_ASSERT(chmod(path, 0777) == 0, "chmod");
	TEST_ASSERT_EQUAL(kvp_script_find(&sc, "echo1", path, sizeof(path)), -EPERM,
			  "world-writable");
	TEST_ASSERT_EQUAL(kvp_script_find(&sc, "nothing", path, sizeof(path)), -ENOENT, "none");
	TEST_ASSERT_EQUAL(kvp_script_find(&sc, "../s/echo1", path, sizeof(path)), -EINVAL,
			  "a path");
	hvdev_test_root_remove(root);
	return TEST_SUCCESS;
}

static void
set_req(struct kvp_ip_info *in)
{
	memset(in, 0, sizeof(*in));
	kvp_strlcpy(in->adapter_id, "{D34C6A4E-2F5B-4C4A-9A3B-0E1F2A3B4C5D}",
		    sizeof(in->adapter_id));
	kvp_strlcpy(in->ip_addr, "10.0.0.5;10.0.0.6;2001:db8::5", sizeof(in->ip_addr));
	kvp_strlcpy(in->sub_net, "255.255.255.0;255.255.0.0;64", sizeof(in->sub_net));
	kvp_strlcpy(in->gate_way, "10.0.0.1;2001:db8::1;10.0.0.2", sizeof(in->gate_way));
	kvp_strlcpy(in->dns_addr, "8.8.8.8; 2001:4860:4860::8888", sizeof(in->dns_addr));
}

#define IFCFG_WANT \
	"# Generated by Hyper-V key-value pair daemon. Please do not modify.\n" \
	"HWADDR=00:15:5D:01:02:03\n" \
	"DEVICE=eth0\n" \
	"BOOTPROTO=none\n" \
	"IPADDR0=10.0.0.5\n" \
	"IPADDR1=10.0.0.6\n" \
	"IPV6ADDR=2001:0db8:0000:0000:0000:0000:0000:0005\n" \
	"NETMASK0=255.255.255.0\n" \
	"NETMASK1=255.255.0.0\n" \
	"IPV6NETMASK=64\n" \
	"GATEWAY=10.0.0.1\n" \
	"IPV6_DEFAULTGW=2001:0db8:0000:0000:0000:0000:0000:0001\n" \
	"GATEWAY1=10.0.0.2\n" \
	"DNS1=8.8.8.8\n" \
	"DNS2=2001:4860:4860:0000:0000:0000:0000:8888\n"

#define NM_WANT \
	"# Generated by Hyper-V key-value pair daemon. Please do not modify.\n" \
	"\n[connection]\ninterface-name=eth0\n" \
	"\n[ethernet]\nmac-address=00:15:5D:01:02:03\n" \
	"\n[ipv4]\naddress1=10.0.0.5/24\naddress2=10.0.0.6/16\nmethod=manual\n" \
	"gateway=10.0.0.1,10.0.0.2\ndns=8.8.8.8\n" \
	"\n[ipv6]\naddress1=2001:db8::5/64\nmethod=manual\ngateway=2001:db8::1\n" \
	"dns=2001:4860:4860::8888\n"

static const char set_script[] =
	"#!/bin/sh\n"
	"d=$(dirname \"$0\")\n"
	"echo \"$#\" > \"$d/argc\"\n"
	"cp \"$1\" \"$d/got-ifcfg\" && cp \"$2\" \"$d/got-nm\"\n"
	"echo \"$1 $2\" > \"$d/args\"\n";

static int
test_set_ip_info(void)
{
	struct kvp_ip_info in;
	struct kvp_ip_conf c;
	char want[PATH_MAX * 2];
	char *s;

	TEST_ASSERT(setup() == 0, "root");
	TEST_RUN(fake_net());
	conf_init(&c, 5000);
	TEST_ASSERT(put("scripts/hv_set_ifconfig", set_script, 0755) == 0, "script");
	set_req(&in);
	TEST_ASSERT_EQUAL(kvp_ip_set(&c, &in), KVP_IP_OK, "set");
	s = slurp("scripts/argc");
	TEST_ASSERT(s != NULL && strcmp(s, "2\n") == 0, "two arguments: %s", s);
	s = slurp("scripts/args");
	hvdev_test_fmt(want, sizeof(want), "%s/ifcfg-eth0 %s/eth0.nmconnection\n", c.config_dir,
		       c.config_dir);
	TEST_ASSERT(s != NULL && strcmp(s, want) == 0, "arguments: %s", s);
	s = slurp("scripts/got-ifcfg");
	TEST_ASSERT(s != NULL && strcmp(s, IFCFG_WANT) == 0, "ifcfg:\n%s", s);
	s = slurp("scripts/got-nm");
	TEST_ASSERT(s != NULL && strcmp(s, NM_WANT) == 0, "keyfile:\n%s", s);
	s = slurp("var/lib/hyperv/ifcfg-eth0");
	TEST_ASSERT(s != NULL && strcmp(s, IFCFG_WANT) == 0, "kept on disk");
	TEST_ASSERT(slurp("var/lib/hyperv/ifcfg-eth0.tmp") == NULL, "no temporary file left");

	/* DHCP, no IPv4 address: "dhcp" and "auto"; IPv6 without address: "auto". */
	set_req(&in);
	in.dhcp_enabled = 1;
	in.ip_addr[0] = in.sub_net[0] = in.gate_way[0] = in.dns_addr[0] = '\0';
	TEST_ASSERT_EQUAL(kvp_ip_set(&c, &in), KVP_IP_OK, "dhcp");
	s = slurp("scripts/got-ifcfg");
	TEST_ASSERT(s != NULL && strstr(s, "BOOTPROTO=dhcp\n") != NULL && strstr(s, "IPADDR") ==
		    NULL, "ifcfg dhcp:\n%s", s);
	s = slurp("scripts/got-nm");
	TEST_ASSERT(s != NULL && strstr(s, "[ipv4]\nmethod=auto\n") != NULL &&
		    strstr(s, "[ipv6]\nmethod=auto\n") != NULL, "keyfile dhcp:\n%s", s);
	/* Neither: IPv4 disabled. */
	in.dhcp_enabled = 0;
	TEST_ASSERT_EQUAL(kvp_ip_set(&c, &in), KVP_IP_OK, "nothing");
	s = slurp("scripts/got-nm");
	TEST_ASSERT(s != NULL && strstr(s, "[ipv4]\nmethod=disabled\n") != NULL,
		    "keyfile disabled:\n%s", s);
	hvdev_test_root_remove(root);
	return TEST_SUCCESS;
}

static int
test_set_ip_hostile(void)
{
	static const char *const bad[] = {
		"10.0.0.5\nEVIL=$(reboot)",
		"10.0.0.5;$(reboot)",
		"10.0.0.5;`reboot`",
		"10.0.0.256",
		"10.0.0.5 ",
		"01234567890123456789012345678901234567890123456789",
	};
	struct kvp_ip_info in;
	struct kvp_ip_conf c;
	char path[PATH_MAX];
	unsigned int i;
	char *s;

	TEST_ASSERT(setup() == 0, "root");
	TEST_RUN(fake_net());
	conf_init(&c, 5000);
	TEST_ASSERT(put("scripts/hv_set_ifconfig", set_script, 0755) == 0, "script");
	for (i = 0; i < RTE_DIM(bad); i++) {
		unsigned int f;

		for (f = 0; f < 4; f++) {
			char *fields[] = { in.ip_addr, in.sub_net, in.gate_way, in.dns_addr };

			set_req(&in);
			kvp_strlcpy(fields[f], bad[i], KVP_IP_GATEWAY_MAX);
			TEST_ASSERT_EQUAL(kvp_ip_set(&c, &in), KVP_IP_INVALID,
					  "field %u: \"%s\"", f, bad[i]);
		}
	}
	TEST_ASSERT(slurp("scripts/argc") == NULL, "the script never ran");
	TEST_ASSERT(slurp("var/lib/hyperv/ifcfg-eth0") == NULL, "no file written");
	/* A prefix length where an IPv4 mask is due. */
	set_req(&in);
	kvp_strlcpy(in.sub_net, "24;255.255.0.0;64", sizeof(in.sub_net));
	TEST_ASSERT_EQUAL(kvp_ip_set(&c, &in), KVP_IP_INVALID, "mismatched mask");
	/* Unknown adapters, and ids that are not GUIDs. */
	set_req(&in);
	kvp_strlcpy(in.adapter_id, "{d34c6a4e-2f5b-4c4a-9a3b-000000000000}", sizeof(in.adapter_id));
	TEST_ASSERT_EQUAL(kvp_ip_set(&c, &in), KVP_IP_NOT_FOUND, "unknown GUID");
	kvp_strlcpy(in.adapter_id, "../../../etc", sizeof(in.adapter_id));
	TEST_ASSERT_EQUAL(kvp_ip_set(&c, &in), KVP_IP_NOT_FOUND, "a path");
	kvp_strlcpy(in.adapter_id, MAC_UPPER, sizeof(in.adapter_id));
	TEST_ASSERT_EQUAL(kvp_ip_set(&c, &in), KVP_IP_NOT_FOUND, "a MAC");
	TEST_ASSERT(slurp("scripts/argc") == NULL, "the script never ran");

	/* The script fails, or hangs: a failure for the host, in bounded time. */
	TEST_ASSERT(put("scripts/hv_set_ifconfig", "#!/bin/sh\nexit 1\n", 0755) == 0, "fail");
	set_req(&in);
	TEST_ASSERT_EQUAL(kvp_ip_set(&c, &in), KVP_IP_FAIL, "script failed");
	TEST_ASSERT(put("scripts/hv_set_ifconfig", "#!/bin/sh\nexec sleep 30\n", 0755) == 0, "h");
	c.scripts.timeout_ms = 200;
	TEST_ASSERT_EQUAL(kvp_ip_set(&c, &in), KVP_IP_FAIL, "script timed out");
	hvdev_test_fmt(path, sizeof(path), "%s/scripts/hv_set_ifconfig", root);
	TEST_ASSERT(unlink(path) == 0, "remove");
	set_req(&in);
	TEST_ASSERT_EQUAL(kvp_ip_set(&c, &in), KVP_IP_FAIL, "no script");
	s = slurp("var/lib/hyperv/ifcfg-eth0");
	TEST_ASSERT(s == NULL || strstr(s, "HWADDR=") != NULL, "only whole files");
	hvdev_test_root_remove(root);
	return TEST_SUCCESS;
}

static int
fake_proc(const char *pid, const char *comm, const char *fd_target)
{
	char rel[64], link[PATH_MAX];

	hvdev_test_fmt(rel, sizeof(rel), "proc/%s/comm", pid);
	TEST_ASSERT(put(rel, comm, 0644) == 0, "comm");
	hvdev_test_fmt(link, sizeof(link), "%s/proc/%s/fd", root, pid);
	TEST_ASSERT(hvdev_test_mkdirs(link) == 0, "fd dir");
	if (fd_target != NULL) {
		hvdev_test_fmt(link, sizeof(link), "%s/proc/%s/fd/3", root, pid);
		TEST_ASSERT(symlink(fd_target, link) == 0, "fd link");
	}
	return TEST_SUCCESS;
}

static int
test_kernel_users(void)
{
	char who[256];

	TEST_ASSERT(setup() == 0, "root");
	TEST_ASSERT_EQUAL(kvp_kernel_users(root, who, sizeof(who)), 0, "no proc at all");
	TEST_RUN(fake_proc("300", "bash\n", "/dev/null"));
	TEST_RUN(fake_proc("301", "sshd\n", NULL));
	TEST_ASSERT_EQUAL(kvp_kernel_users(root, who, sizeof(who)), 0, "nobody");
	TEST_ASSERT(who[0] == '\0', "nobody named");
	/* The daemon by name, and anything holding the node open, whatever its name. */
	TEST_RUN(fake_proc("100", "hv_kvp_daemon\n", NULL));
	TEST_RUN(fake_proc("200", "kvp\x1b[2Jtool\n", KVP_KERNEL_NODE));
	TEST_RUN(fake_proc("201", "hypervkvpd\n", NULL));
	TEST_ASSERT_EQUAL(kvp_kernel_users(root, who, sizeof(who)), 3, "three");
	TEST_ASSERT(strstr(who, "hv_kvp_daemon (pid 100)") != NULL &&
		    strstr(who, "hypervkvpd (pid 201)") != NULL, "named: %s", who);
	TEST_ASSERT(strstr(who, "kvp?[2Jtool (pid 200)") != NULL, "escaped: %s", who);
	/* A short buffer: cut, terminated, and the count still right. */
	TEST_ASSERT_EQUAL(kvp_kernel_users(root, who, 10), 3, "count");
	TEST_ASSERT(strlen(who) == 9, "cut: %s", who);
	hvdev_test_root_remove(root);
	return TEST_SUCCESS;
}

static int
parse(struct kvp_opts *o, const char *const *args, char *err, size_t errlen)
{
	char *argv[64];
	int argc = 0;

	argv[argc++] = (char *)(uintptr_t)KVP_PROG;
	while (*args != NULL && argc < (int)RTE_DIM(argv) - 1)
		argv[argc++] = (char *)(uintptr_t)*args++;
	if (*args != NULL)
		return -E2BIG;
	argv[argc] = NULL;
	return kvp_opts_parse(argc, argv, o, err, errlen);
}

static int
test_opts(void)
{
	static const char *const good[] = {
		"--pool-dir", "/p", "--script-dir=/s", "--script-timeout", "3", "--root", "/r",
		"--max-records", "100", "--count", "7", "--wait-device", "-1", "--mode",
		"adaptive", "--syslog", "--bind-only", "--no-modprobe", NULL,
	};
	const char *const *const bad[] = {
		(const char *const[]){ "--mode", "fast", NULL },
		(const char *const[]){ "--script-timeout", "0", NULL },
		(const char *const[]){ "--script-timeout", "5s", NULL },
		(const char *const[]){ "--root", "relative", NULL },
		(const char *const[]){ "--max-records", "-1", NULL },
		(const char *const[]){ "--wait-device", "-2", NULL },
		(const char *const[]){ "--bogus", NULL },
		(const char *const[]){ "--count", NULL },
		(const char *const[]){ "--bind", "--unbind", NULL },
		(const char *const[]){ "stray", NULL },
	};
	struct kvp_opts o;
	char err[256];
	unsigned int i;

	TEST_ASSERT_EQUAL(parse(&o, good, err, sizeof(err)), 0, "good: %s", err);
	TEST_ASSERT(strcmp(o.pool_dir, "/p") == 0 && strcmp(o.script_dir, "/s") == 0 &&
		    strcmp(o.root, "/r") == 0, "paths");
	TEST_ASSERT(o.script_timeout_ms == 3000 && o.max_records == 100 && o.count == 7 &&
		    o.wait_device_s == -1 && o.mode == KVP_MODE_ADAPTIVE && o.syslog &&
		    o.bind && o.bind_only && !o.modprobe && !o.unbind, "values");
	TEST_ASSERT_EQUAL(parse(&o, (const char *const[]){ NULL }, err, sizeof(err)), 0,
			  "defaults");
	TEST_ASSERT(o.pool_dir == NULL && o.modprobe && o.mode == KVP_MODE_INTR &&
		    o.count == 0 && !o.bind, "defaults");
	for (i = 0; i < RTE_DIM(bad); i++) {
		err[0] = '\0';
		TEST_ASSERT_EQUAL(parse(&o, bad[i], err, sizeof(err)), -EINVAL, "bad %s",
				  bad[i][0]);
		TEST_ASSERT(err[0] != '\0', "bad %s: said why", bad[i][0]);
	}
	TEST_ASSERT(kvp_opts_is_own("--bind") && kvp_opts_is_own("--pool-dir=/x") &&
		    kvp_opts_is_own("-v"), "own");
	TEST_ASSERT(!kvp_opts_is_own("-l") && !kvp_opts_is_own("--vdev") &&
		    !kvp_opts_is_own("--bin"), "EAL's");
	return TEST_SUCCESS;
}

static const struct hvdev_test_case cases[] = {
	HVDEV_CASE(names_order, test_names_order),
	HVDEV_CASE(os_release, test_os_release),
	HVDEV_CASE(os_release_line, test_os_release_line),
	HVDEV_CASE(legacy_release, test_legacy_release),
	HVDEV_CASE(fqdn, test_fqdn),
	HVDEV_CASE(ip_lists, test_ip_lists),
	HVDEV_CASE(parse_mac_guid, test_parse_mac_guid),
	HVDEV_CASE(gateways, test_gateways),
	HVDEV_CASE(get_ip_info, test_get_ip_info),
	HVDEV_CASE(get_ip_no_scripts, test_get_ip_no_scripts),
	HVDEV_CASE(script_timeout, test_script_timeout),
	HVDEV_CASE(script_output_bounded, test_script_output_bounded),
	HVDEV_CASE(script_no_shell, test_script_no_shell),
	HVDEV_CASE(set_ip_info, test_set_ip_info),
	HVDEV_CASE(set_ip_hostile, test_set_ip_hostile),
	HVDEV_CASE(kernel_users, test_kernel_users),
	HVDEV_CASE(opts, test_opts),
};

int
main(int argc, char **argv)
{
	return hvdev_test_main(argc, argv, cases, RTE_DIM(cases));
}
