/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef HVSIM_APP_H
#define HVSIM_APP_H

/*
 * dpdk-hvsim: the command line of the simulated Hyper-V host. "serve" runs the host and a
 * control socket; the other commands are clients of that socket. Shared declarations of the
 * commands (serve.c, client.c) and the control protocol (ctl.c).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_common.h>
#include <rte_log.h>

#define HVSIM_PROG "dpdk-hvsim"

/* Exit codes: scripts tell a failed operation from a mistake in how they called us. */
#define HVSIM_EXIT_OK 0
#define HVSIM_EXIT_FAIL 1
#define HVSIM_EXIT_USAGE 2

/* Name of the control socket under the root. */
#define HVSIM_CTL_SOCK "hvsim.sock"
/* Longest request or reply line, '\n' included; fields are percent-encoded. */
#define HVSIM_CTL_LINE_MAX 32768
/* Most key=value fields in one line. */
#define HVSIM_CTL_FIELDS_MAX 32

extern int hvsim_app_logtype;

#define APP_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, hvsim_app_logtype, HVSIM_PROG ": " fmt "\n", ##__VA_ARGS__)

/* One parsed line: a word, then key=value fields (values decoded, pointing into the line). */
struct hvsim_ctl_msg {
	const char *word;
	unsigned int n;
	const char *key[HVSIM_CTL_FIELDS_MAX];
	const char *val[HVSIM_CTL_FIELDS_MAX];
};

/* Buffered reading of '\n'-terminated lines from a stream socket. */
struct hvsim_ctl_reader {
	int fd;
	size_t len;
	char buf[HVSIM_CTL_LINE_MAX];
};

/* ctl.c */
int hvsim_ctl_sock_path(const char *root, char *buf, size_t len);
int hvsim_ctl_connect(const char *root, char *err, size_t errlen);
/* Append " key=<value percent-encoded>" to @p line. @return 0 or -ENOSPC. */
int hvsim_ctl_add(char *line, size_t size, const char *key, const char *value);
int hvsim_ctl_addf(char *line, size_t size, const char *key, const char *fmt, ...)
	__rte_format_printf(4, 5);
/* Send @p line and a '\n'. @return 0 or -errno. */
int hvsim_ctl_send(int fd, const char *line);
void hvsim_ctl_reader_init(struct hvsim_ctl_reader *r, int fd);
/*
 * Read one line (without '\n') into @p out, waiting at most @p timeout_ms (-1: forever).
 * @return 0, -ETIMEDOUT, -ECONNRESET (closed before a whole line), -EMSGSIZE, -errno.
 */
int hvsim_ctl_read_line(struct hvsim_ctl_reader *r, char *out, size_t size, int timeout_ms);
/* Split and decode @p line in place. @return 0 or -EINVAL (bad encoding, too many fields). */
int hvsim_ctl_parse(char *line, struct hvsim_ctl_msg *msg);
/* The value of @p key, or NULL. */
const char *hvsim_ctl_get(const struct hvsim_ctl_msg *msg, const char *key);

/* serve.c */
struct hvsim_serve_opts {
	const char *root;
	const char *classes[16];
	unsigned int nclasses;
	const char *instances[16];	/* per device, parallel to classes; NULL: default */
	uint32_t ring_size;
	bool no_negotiate;
	const char *kernel;		/* kernel profile (rte_hvsim_kernel_parse()); NULL: env */
	bool strict_xactid;
};
int hvsim_serve(const struct hvsim_serve_opts *o);

/* client.c */
struct hvsim_copy_opts {
	const char *root;
	const char *src;
	const char *dest;
	const char *class_name;	/* NULL: the first fcopy device */
	bool force;
	bool create_path;
	bool json;
	uint32_t timeout_s;	/* 0: the host's default */
	uint32_t chunk;		/* 0: the host's default */
	uint64_t cancel_after;	/* 0: never */
	const char *fault;	/* fault specification for this copy, or NULL */
	const char *file_name;	/* START's file name instead of SRC's, or NULL */
};
int hvsim_copy(const struct hvsim_copy_opts *o);
/* kvp: the host's KVP operations. */
struct hvsim_kvp_opts {
	const char *root;
	const char *class_name;	/* NULL: the first KVP device */
	const char *pool;	/* name or number; NULL: the operation's default */
	const char *type;	/* set: value type name or number; NULL: string */
	bool json;
	uint32_t timeout_s;	/* 0: the host's default */
	const char *ip, *subnet, *gateway, *dns, *family;	/* ip-set */
	bool dhcp;
	const char *mangle;	/* fault hooks (rte_hvsim_kvp_mangle_parse()), or NULL */
	const char *const *args;	/* the operation, then its arguments */
	int nargs;
};
int hvsim_kvp(const struct hvsim_kvp_opts *o);
/* rescind, offer, list: one request, one answer. */
int hvsim_simple(const char *root, const char *cmd, const char *class_name);
/* fault: set (KEY=VALUE items), clear ("clear") or show (no item) a device's faults. */
int hvsim_fault(const char *root, const char *class_name, bool renegotiate,
		const char *const *items, int nitems);

#endif /* HVSIM_APP_H */
