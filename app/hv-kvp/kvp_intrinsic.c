/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#include <errno.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <rte_common.h>
#include "kvp_str.h"

#include "kvp_intrinsic.h"

static const char *const auto_names[KVP_AUTO_COUNT] = {
	[KVP_AUTO_FQDN] = "FullyQualifiedDomainName",
	[KVP_AUTO_IS_VERSION] = "IntegrationServicesVersion",
	[KVP_AUTO_IPV4] = "NetworkAddressIPv4",
	[KVP_AUTO_IPV6] = "NetworkAddressIPv6",
	[KVP_AUTO_OS_BUILD] = "OSBuildNumber",
	[KVP_AUTO_OS_NAME] = "OSName",
	[KVP_AUTO_OS_MAJOR] = "OSMajorVersion",
	[KVP_AUTO_OS_MINOR] = "OSMinorVersion",
	[KVP_AUTO_OS_VERSION] = "OSVersion",
	[KVP_AUTO_ARCH] = "ProcessorArchitecture",
};

/* The daemon reads the release files with fgets() into 512 bytes: a longer line is cut. */
#define RELEASE_LINE_MAX 512

static FILE *
open_under(const char *root, const char *rel)
{
	char path[512];
	int n;

	n = snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (n < 0 || (size_t)n >= sizeof(path))
		return NULL;
	return fopen(path, "re");
}

int
kvp_os_release_line(const char *line, char *name, size_t namelen, char *value,
		    size_t valuelen)
{
	const char *eq, *p;
	size_t n, q = 0;

	if (line[0] == '#' || namelen == 0 || valuelen == 0)
		return 0;
	eq = strchr(line, '=');
	if (eq == NULL)
		return 0;
	n = RTE_MIN((size_t)(eq - line), namelen - 1);
	memcpy(name, line, n);
	name[n] = '\0';
	/* The daemon's unquoting: not shell syntax, but what a host has always been shown. */
	for (p = eq + 1; *p != '\0'; ) {
		char c;

		if (*p == '\\') {
			if (p[1] == '\0')
				break;
			c = p[1];
			p += 2;
		} else if (*p == '\'' || *p == '"' || *p == '\n') {
			p++;
			continue;
		} else {
			c = *p++;
		}
		if (q + 1 < valuelen)
			value[q++] = c;
	}
	value[q] = '\0';
	return 1;
}

/* @return 0 when the file was there (even empty), -1 when not. */
static int
read_os_release(const char *root, const char *rel, struct kvp_os_info *os)
{
	char line[RELEASE_LINE_MAX], name[64], value[256];
	FILE *f = open_under(root, rel);

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (kvp_os_release_line(line, name, sizeof(name), value, sizeof(value)) != 1)
			continue;
		if (strcmp(name, "NAME") == 0)
			kvp_strlcpy(os->name, value, sizeof(os->name));
		else if (strcmp(name, "VERSION_ID") == 0)
			kvp_strlcpy(os->major, value, sizeof(os->major));
	}
	fclose(f);
	return 0;
}

/* The line without its line feed, as the daemon takes lines 1 to 3 of a legacy file. */
static int
legacy_line(FILE *f, char *dst, size_t len)
{
	char line[RELEASE_LINE_MAX];

	if (fgets(line, sizeof(line), f) == NULL)
		return -1;
	line[strcspn(line, "\n")] = '\0';
	kvp_strlcpy(dst, line, len);
	return 0;
}

void
kvp_os_info_read(const char *root, const struct utsname *uts, struct kvp_os_info *os)
{
	FILE *f;

	memset(os, 0, sizeof(*os));
	kvp_strlcpy(os->build, uts->release, sizeof(os->build));
	kvp_strlcpy(os->version, uts->release, sizeof(os->version));
	/* Hosts since Windows 7 expect OSVersion as x.y.z: the daemon cuts it at the first '-'. */
	os->version[strcspn(os->version, "-")] = '\0';
	kvp_strlcpy(os->name, uts->sysname, sizeof(os->name));
	kvp_strlcpy(os->arch, uts->machine, sizeof(os->arch));

	if (read_os_release(root, "etc/os-release", os) == 0 ||
	    read_os_release(root, "usr/lib/os-release", os) == 0)
		return;
	f = open_under(root, "etc/SuSE-release");
	if (f == NULL)
		f = open_under(root, "etc/redhat-release");
	if (f == NULL)
		return;
	if (legacy_line(f, os->name, sizeof(os->name)) == 0 &&
	    legacy_line(f, os->major, sizeof(os->major)) == 0)
		legacy_line(f, os->minor, sizeof(os->minor));
	fclose(f);
}

void
kvp_fqdn_compute(const char *hostname, char *buf, size_t len)
{
	struct addrinfo hints, *info = NULL;
	int rc;

	memset(&hints, 0, sizeof(hints));
	/* The daemon's query: IPv4 only, stream, with the canonical name. */
	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_CANONNAME;
	rc = getaddrinfo(hostname, NULL, &hints, &info);
	if (rc != 0) {
		snprintf(buf, len, "getaddrinfo failed: 0x%x %s", (unsigned int)rc,
			 gai_strerror(rc));
		return;
	}
	kvp_strlcpy(buf, info->ai_canonname != NULL ? info->ai_canonname : hostname, len);
	freeaddrinfo(info);
}

unsigned int
kvp_ip_list_format(const struct ifaddrs *list, int family, char *buf, size_t len)
{
	const struct ifaddrs *ifa;
	unsigned int count = 0;
	size_t used = 0;

	if (len == 0)
		return 0;
	buf[0] = '\0';
	for (ifa = list; ifa != NULL; ifa = ifa->ifa_next) {
		char text[INET6_ADDRSTRLEN];
		const void *addr;
		size_t n;

		if (ifa->ifa_addr == NULL || (ifa->ifa_flags & IFF_LOOPBACK) ||
		    ifa->ifa_addr->sa_family != family)
			continue;
		if (family == AF_INET)
			addr = &((const struct sockaddr_in *)(const void *)ifa->ifa_addr)->sin_addr;
		else if (family == AF_INET6)
			addr = &((const struct sockaddr_in6 *)(const void *)
				 ifa->ifa_addr)->sin6_addr;
		else
			continue;
		if (inet_ntop(family, addr, text, sizeof(text)) == NULL)
			continue;
		n = strlen(text);
		/* The separator, the address and the NUL must fit; else stop (the daemon's way). */
		if (used + (count > 0) + n + 1 > len)
			break;
		if (count > 0)
			buf[used++] = ';';
		memcpy(buf + used, text, n + 1);
		used += n;
		count++;
	}
	return count;
}

static void current_hostname(const struct kvp_intrinsic *ki, char *buf, size_t len);

int
kvp_intrinsic_init(struct kvp_intrinsic *ki, const char *root)
{
	const struct ifaddrs *fake_ifaddrs = ki->fake_ifaddrs;
	const char *fake_hostname = ki->fake_hostname;
	struct utsname uts;

	memset(ki, 0, sizeof(*ki));
	ki->fake_ifaddrs = fake_ifaddrs;
	ki->fake_hostname = fake_hostname;
	if (root == NULL)
		root = "/";
	if (kvp_strlcpy(ki->root, root, sizeof(ki->root)) >= sizeof(ki->root))
		return -EINVAL;
	if (uname(&uts) != 0)
		memset(&uts, 0, sizeof(uts));
	kvp_os_info_read(ki->root, &uts, &ki->os);
	current_hostname(ki, ki->hostname, sizeof(ki->hostname));
	kvp_fqdn_compute(ki->hostname, ki->fqdn, sizeof(ki->fqdn));
	return 0;
}

static void
current_hostname(const struct kvp_intrinsic *ki, char *buf, size_t len)
{
	if (ki->fake_hostname != NULL) {
		kvp_strlcpy(buf, ki->fake_hostname, len);
		return;
	}
	if (gethostname(buf, len) != 0)
		buf[0] = '\0';
	buf[len - 1] = '\0';
}

static void
ip_item(const struct kvp_intrinsic *ki, int family, char *value, size_t len)
{
	struct ifaddrs *list;

	if (ki->fake_ifaddrs != NULL) {
		kvp_ip_list_format(ki->fake_ifaddrs, family, value, len);
		return;
	}
	if (getifaddrs(&list) != 0) {
		/* The daemon's text for this case, line feed included. */
		kvp_strlcpy(value, "getifaddrs failed\n", len);
		return;
	}
	kvp_ip_list_format(list, family, value, len);
	freeifaddrs(list);
}

int
kvp_intrinsic_get(struct kvp_intrinsic *ki, uint32_t index, char *key, size_t keylen,
		  char *value, size_t valuelen)
{
	const char *v = NULL;
	char host[sizeof(ki->hostname)];

	if (index >= KVP_AUTO_COUNT)
		return -ENOENT;
	if (keylen > 0)
		kvp_strlcpy(key, auto_names[index], keylen);
	if (valuelen == 0)
		return 0;
	value[0] = '\0';
	switch (index) {
	case KVP_AUTO_FQDN:
		current_hostname(ki, host, sizeof(host));
		if (ki->fqdn[0] == '\0' || strcmp(host, ki->hostname) != 0) {
			kvp_strlcpy(ki->hostname, host, sizeof(ki->hostname));
			kvp_fqdn_compute(host, ki->fqdn, sizeof(ki->fqdn));
		}
		v = ki->fqdn;
		break;
	case KVP_AUTO_IS_VERSION:
		v = KVP_INTEGRATION_SERVICES_VERSION;
		break;
	case KVP_AUTO_IPV4:
		ip_item(ki, AF_INET, value, valuelen);
		return 0;
	case KVP_AUTO_IPV6:
		ip_item(ki, AF_INET6, value, valuelen);
		return 0;
	case KVP_AUTO_OS_BUILD:
		v = ki->os.build;
		break;
	case KVP_AUTO_OS_NAME:
		v = ki->os.name;
		break;
	case KVP_AUTO_OS_MAJOR:
		v = ki->os.major;
		break;
	case KVP_AUTO_OS_MINOR:
		v = ki->os.minor;
		break;
	case KVP_AUTO_OS_VERSION:
		v = ki->os.version;
		break;
	case KVP_AUTO_ARCH:
		v = ki->os.arch;
		break;
	}
	kvp_strlcpy(value, v, valuelen);
	return 0;
}
