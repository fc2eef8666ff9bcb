/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef KVP_SCRIPT_H
#define KVP_SCRIPT_H

/*
 * hv_kvp_daemon's external scripts, which distributions ship to read and change the network
 * configuration their own way: hv_get_dhcp_info IFNAME ("Enabled" or "Disabled" on the first
 * line), hv_get_dns_info IFNAME (one name server per line) and hv_set_ifconfig IFCFG NMFILE
 * (apply a configuration the service wrote). Keeping the same names and arguments keeps every
 * distribution hook working.
 *
 * Unlike the daemon (popen()/system() of a command line built with sprintf()), a script is
 * run with fork() and execv() of its path and an argument vector, never through a shell, so
 * no host-chosen byte is ever parsed as shell syntax; in its own process group, stdin from
 * /dev/null, only stdout (a pipe) and stderr open, default signal handling; under a deadline
 * after which the whole group is killed; and its output is bounded.
 */

#include <stdbool.h>
#include <stddef.h>

#define KVP_SCRIPT_DHCP "hv_get_dhcp_info"
#define KVP_SCRIPT_DNS "hv_get_dns_info"
#define KVP_SCRIPT_SET "hv_set_ifconfig"

/*
 * Where distributions put the scripts, looked at in this order when no directory is
 * configured: the daemon's built-in KVP_SCRIPTS_PATH (/usr/libexec/hypervkvpd, Fedora, RHEL,
 * Debian, Buildroot), Arch Linux's /usr/lib/hyperv/kvp_scripts, then the sbin directories
 * where Ubuntu's linux-cloud-tools install them (and where packages built with an empty
 * KVP_SCRIPTS_PATH find them through PATH).
 */
#define KVP_SCRIPT_DIRS \
	"/usr/libexec/hypervkvpd:/usr/lib/hyperv/kvp_scripts:/usr/sbin:/sbin:/usr/local/sbin"

/* Below the 30 s after which the kernel's hv_kvp answered the host with a failure itself. */
#define KVP_SCRIPT_TIMEOUT_MS 25000u
/* More than any list of name servers fits in the reply (1024 UTF-16 units). */
#define KVP_SCRIPT_OUTPUT_MAX 4096u

struct kvp_script_conf {
	const char *dir;	/* only this directory; NULL: KVP_SCRIPT_DIRS */
	const char *root;	/* prefix of KVP_SCRIPT_DIRS ("/" or NULL on a real system) */
	unsigned int timeout_ms;	/* 0: KVP_SCRIPT_TIMEOUT_MS */
};

/*
 * Find the script @p name: the first regular, executable file of that name in the configured
 * directory or directories, owned by root or by the service's own user and writable by no one
 * else (the service runs as root: a script anyone can change would run as root).
 * @return 0 with its path in @p path; -ENOENT (nowhere); -EPERM (found but unsafe; @p path
 * names it); -ENAMETOOLONG.
 */
int kvp_script_find(const struct kvp_script_conf *c, const char *name, char *path,
		    size_t pathlen);

struct kvp_script_result {
	int status;		/* waitpid() status, when exited or signalled */
	bool exited;		/* the script ended (status is valid) */
	bool timed_out;		/* killed at the deadline */
	bool truncated;		/* more output than the buffer: the rest was discarded */
	size_t len;		/* bytes in the output buffer (NUL-terminated after them) */
};

/*
 * Run @p path with @p argv (argv[0] included, NULL-terminated), its stdout read into @p out
 * (@p outlen bytes, NULL: sent to /dev/null). Returns when the script has exited (what it
 * left running in the background keeps running, as with the daemon's system()) or at the
 * deadline, when its process group is killed with SIGKILL and reaped.
 * @return 0 (see @p res: exited or timed out), or a negative errno when it could not be
 * started (pipe, fork); an exec failure is an exit with status 127.
 */
int kvp_script_run(const char *path, char *const argv[], unsigned int timeout_ms, char *out,
		   size_t outlen, struct kvp_script_result *res);

/* True when @p res is a normal exit with status 0. */
bool kvp_script_ok(const struct kvp_script_result *res);

/* "exit status N", "killed by signal N", "timed out after N ms", for log lines. */
const char *kvp_script_describe(const struct kvp_script_result *res, unsigned int timeout_ms,
				char *buf, size_t len);

#endif /* KVP_SCRIPT_H */
