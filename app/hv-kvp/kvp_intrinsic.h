/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef KVP_INTRINSIC_H
#define KVP_INTRINSIC_H

/*
 * The guest's intrinsic items: what the host reads by enumerating the auto pool (pool 2),
 * index by index, until the guest answers "no more items". The names, their order and their
 * values are hv_kvp_daemon's (tools/hv/hv_kvp_daemon.c, enum key_index and
 * kvp_get_os_info()): a host, or a tool on the host, that knows a Linux guest through them
 * sees the same thing. They are computed natively (uname(2), os-release, getifaddrs(3),
 * getaddrinfo(3)), never by a shell command.
 *
 * Everything read from the file system is read under a root prefix ("/" on a real system, a
 * fake tree in the tests).
 */

#include <stddef.h>
#include <stdint.h>
#include <sys/utsname.h>

/* The auto pool's items, in hv_kvp_daemon's ENUMERATE order. */
enum kvp_auto_item {
	KVP_AUTO_FQDN = 0,		/* FullyQualifiedDomainName */
	KVP_AUTO_IS_VERSION,		/* IntegrationServicesVersion */
	KVP_AUTO_IPV4,			/* NetworkAddressIPv4 */
	KVP_AUTO_IPV6,			/* NetworkAddressIPv6 */
	KVP_AUTO_OS_BUILD,		/* OSBuildNumber */
	KVP_AUTO_OS_NAME,		/* OSName */
	KVP_AUTO_OS_MAJOR,		/* OSMajorVersion */
	KVP_AUTO_OS_MINOR,		/* OSMinorVersion */
	KVP_AUTO_OS_VERSION,		/* OSVersion */
	KVP_AUTO_ARCH,			/* ProcessorArchitecture */
	KVP_AUTO_COUNT
};

/*
 * The value hv_utils gives the daemon at registration (HV_DRV_VERSION in the kernel's
 * hv_kvp.c, "3.1"), which the daemon reports as IntegrationServicesVersion. It "has no
 * meaning" (the kernel's own comment); a host reading it from a Linux guest gets the same.
 */
#define KVP_INTEGRATION_SERVICES_VERSION "3.1"

/* A UTF-8 value as the daemon holds it: HV_KVP_EXCHANGE_MAX_VALUE_SIZE bytes with the NUL. */
#define KVP_INTRINSIC_VALUE_MAX 2048

/* What uname(2) and the distribution's release file say, as the daemon reports them. */
struct kvp_os_info {
	char name[256];		/* OSName: NAME, else a legacy file's line 1, else sysname */
	char major[256];	/* OSMajorVersion: VERSION_ID, else line 2, else "" */
	char minor[256];	/* OSMinorVersion: line 3 of a legacy file, else "" */
	char build[sizeof(((struct utsname *)0)->release)];	/* OSBuildNumber: the release */
	char version[sizeof(((struct utsname *)0)->release)];	/* OSVersion: release up to '-' */
	char arch[sizeof(((struct utsname *)0)->machine)];	/* ProcessorArchitecture */
};

/*
 * Fill @p os from @p uts and the release files under @p root: etc/os-release (NAME and
 * VERSION_ID, the daemon's unquoting), else usr/lib/os-release (the os-release(5) fallback
 * the daemon lacks), else the first three lines of etc/SuSE-release or etc/redhat-release.
 * Missing files are not an error: the items are then what the daemon reports without them.
 */
void kvp_os_info_read(const char *root, const struct utsname *uts, struct kvp_os_info *os);

/*
 * Parse one os-release line the way hv_kvp_daemon does: a line starting with '#' or without
 * '=' is skipped (@return 0); otherwise the name is what precedes the first '=', and the
 * value is the rest with every quote (' and ") and line feed dropped and a backslash taking
 * the next character literally. @return 1 with @p name and @p value set (both truncated to
 * their sizes, always NUL-terminated).
 */
int kvp_os_release_line(const char *line, char *name, size_t namelen, char *value,
			size_t valuelen);

/*
 * FullyQualifiedDomainName for @p hostname, as the daemon computes it: the canonical name
 * getaddrinfo(3) gives for it (IPv4, AI_CANONNAME), or "getaddrinfo failed: 0x%x %s" (the
 * code and gai_strerror()) when it cannot be resolved. Blocks as long as the resolver does.
 */
void kvp_fqdn_compute(const char *hostname, char *buf, size_t len);

struct ifaddrs;

/*
 * NetworkAddressIPv4/IPv6: the addresses of @p family (AF_INET or AF_INET6) of every
 * interface in @p list that is not a loopback, in list order, joined with ';' (the daemon's
 * format; IPv6 without a scope). An address that does not fit in @p len is left out with the
 * ones after it, as the daemon stops at the first that does not fit.
 * @return the number of addresses written.
 */
unsigned int kvp_ip_list_format(const struct ifaddrs *list, int family, char *buf, size_t len);

/* The state of the intrinsic items: computed once, refreshed where it can change. */
struct kvp_intrinsic {
	char root[256];
	struct kvp_os_info os;
	char hostname[256];		/* the one the FQDN was computed for */
	char fqdn[KVP_INTRINSIC_VALUE_MAX];
	/* Tests: the interfaces to report instead of getifaddrs(3)'s, and the hostname. */
	const struct ifaddrs *fake_ifaddrs;
	const char *fake_hostname;
};

/*
 * Compute what does not change while the service runs (uname, the release files) and the
 * FQDN (which can take the resolver's time; the daemon also computes it once at start).
 * @return 0, or -EINVAL (@p root too long).
 */
int kvp_intrinsic_init(struct kvp_intrinsic *ki, const char *root);

/*
 * The item at @p index of the auto pool: its name in @p key and its value in @p value
 * (UTF-8, NUL-terminated, truncated to the sizes given). The addresses are read at each call;
 * the FQDN is computed again only when the hostname has changed since it was last computed
 * (the daemon keeps the name from its start until it is restarted).
 * @return 0, or -ENOENT for an index past the last item (the host's end of enumeration).
 */
int kvp_intrinsic_get(struct kvp_intrinsic *ki, uint32_t index, char *key, size_t keylen,
		      char *value, size_t valuelen);

#endif /* KVP_INTRINSIC_H */
