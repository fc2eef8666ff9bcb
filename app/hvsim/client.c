/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * The commands that talk to a running "dpdk-hvsim serve": copy (Copy-VMFile, with a progress
 * bar when stderr is a terminal, text or JSON outcome), rescind, offer and list.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include <rte_common.h>

#include <rte_hvsim.h>

#include "hvsim_app.h"

/* How long the host may stay silent beyond the guest's own timeouts before we give up. */
#define CLIENT_SLACK_MS 10000
#define CLIENT_DEFAULT_TIMEOUT_S 30
#define BAR_WIDTH 30

/* Errors that say how we were called, not that the operation failed. */
static int
exit_for_errno(const char *name)
{
	static const char *const usage[] = {
		"EINVAL", "ENOENT", "EACCES", "ENAMETOOLONG", "ENODEV",
	};
	unsigned int i;

	for (i = 0; name != NULL && i < RTE_DIM(usage); i++)
		if (strcmp(name, usage[i]) == 0)
			return HVSIM_EXIT_USAGE;
	return HVSIM_EXIT_FAIL;
}

/* Send @p line; read the lines of the answer, calling @p on_line for each but the last. */
static int
transact(const char *root, const char *line, int timeout_ms, char *last, size_t size,
	 void (*on_line)(const struct hvsim_ctl_msg *m, void *arg), void *arg)
{
	struct hvsim_ctl_reader *rd;
	struct hvsim_ctl_msg m;
	char err[512], *buf = NULL;
	int fd, ret;

	fd = hvsim_ctl_connect(root, err, sizeof(err));
	if (fd < 0) {
		APP_LOG(ERR, "%s", err);
		return -ENOTCONN;
	}
	rd = malloc(sizeof(*rd));
	ret = rd == NULL ? -ENOMEM : hvsim_ctl_send(fd, line);
	if (ret == 0)
		hvsim_ctl_reader_init(rd, fd);
	while (ret == 0) {
		ret = hvsim_ctl_read_line(rd, last, size, timeout_ms);
		if (ret < 0)
			break;
		free(buf);
		buf = strdup(last);
		if (buf == NULL || hvsim_ctl_parse(buf, &m) < 0) {
			ret = -EPROTO;
			break;
		}
		if (strcmp(m.word, "ok") == 0 || strcmp(m.word, "error") == 0)
			break;
		if (on_line != NULL)
			on_line(&m, arg);
	}
	if (ret < 0)
		APP_LOG(ERR, "lost the answer of the %s serve under %s: %s", HVSIM_PROG, root,
			ret == -ECONNRESET ? "it closed the connection" : strerror(-ret));
	free(buf);
	free(rd);
	close(fd);
	return ret < 0 ? -ENOTCONN : 0;
}

/* ---- copy ---- */

struct bar {
	bool on;
	bool drawn;
	uint64_t t0_us;
};

static uint64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void
bar_draw(const struct hvsim_ctl_msg *m, void *arg)
{
	struct bar *b = arg;
	const char *d = hvsim_ctl_get(m, "done"), *t = hvsim_ctl_get(m, "total");
	uint64_t done, total, us = mono_us() - b->t0_us;
	char fill[BAR_WIDTH + 1];
	unsigned int n;

	if (!b->on || strcmp(m->word, "progress") != 0 || d == NULL || t == NULL)
		return;
	done = strtoull(d, NULL, 10);
	total = strtoull(t, NULL, 10);
	n = total > 0 && done < total ? (unsigned int)(done * BAR_WIDTH / total) : BAR_WIDTH;
	memset(fill, '#', n);
	memset(fill + n, ' ', BAR_WIDTH - n);
	fill[BAR_WIDTH] = '\0';
	fprintf(stderr, "\r%3u%% [%s] %.1f/%.1f MB %.1f MB/s ",
		total > 0 ? (unsigned int)(done * 100 / total) : 100, fill, done / 1e6,
		total / 1e6, us > 0 ? done / (double)us : 0.0);
	b->drawn = true;
}

static void
bar_clear(struct bar *b)
{
	if (b->drawn)
		fprintf(stderr, "\r%*s\r", BAR_WIDTH + 40, "");
	b->drawn = false;
}

/* @p s as a JSON string, quoted. */
static void
json_esc(const char *s)
{
	const unsigned char *p;

	putchar('"');
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

static void
json_str(const char *key, const char *s, bool comma)
{
	printf("\"%s\":", key);
	if (s == NULL)
		printf("null");
	else
		json_esc(s);
	printf("%s", comma ? "," : "");
}

/* The file name START carries: --file-name, else SRC's last component, as Hyper-V. */
static const char *
copy_name(const struct hvsim_copy_opts *o, const char *src)
{
	const char *slash = strrchr(src, '/');

	if (o->file_name != NULL)
		return o->file_name;
	return slash != NULL ? slash + 1 : src;
}

static int
copy_report(const struct hvsim_copy_opts *o, const char *src, const struct hvsim_ctl_msg *m)
{
	const char *status = hvsim_ctl_get(m, "status"), *msg = hvsim_ctl_get(m, "message");
	const char *hr = hvsim_ctl_get(m, "hresult"), *op = hvsim_ctl_get(m, "op");
	const char *b = hvsim_ctl_get(m, "bytes"), *t = hvsim_ctl_get(m, "total");
	const char *us = hvsim_ctl_get(m, "usec"), *name = copy_name(o, src);
	uint64_t bytes, total;
	double secs, rate;
	bool ok;

	if (status == NULL || msg == NULL || hr == NULL || op == NULL || b == NULL ||
	    t == NULL || us == NULL) {
		APP_LOG(ERR, "incomplete answer from the serve process");
		return HVSIM_EXIT_USAGE;
	}
	ok = strcmp(status, "ok") == 0;
	bytes = strtoull(b, NULL, 10);
	total = strtoull(t, NULL, 10);
	secs = strtoull(us, NULL, 10) / 1e6;
	rate = secs > 0 ? bytes / secs / 1e6 : 0;
	if (o->json) {
		putchar('{');
		json_str("status", status, true);
		/* Not ok and no error code: the guest never answered (a timeout, a stall). */
		json_str("hresult", ok || strcmp(hr, "0x00000000") != 0 ? hr : NULL, true);
		json_str("message", msg, true);
		json_str("operation", strcmp(op, "-") == 0 ? NULL : op, true);
		json_str("src", src, true);
		json_str("dest", o->dest, true);
		json_str("file_name", name, true);
		printf("\"bytes\":%" PRIu64 ",\"total\":%" PRIu64 ",\"seconds\":%.6f,"
		       "\"mb_per_s\":%.3f}\n", bytes, total, secs, rate);
	} else if (ok && o->dest[strlen(o->dest) - 1] == '/') {
		printf("Copied %s to %s%s in the guest: %" PRIu64 " bytes in %.3f s (%.1f MB/s).\n",
		       src, o->dest, name, bytes, secs, rate);
	} else if (ok) {
		/* Only the guest knows which: the host sends both and asks for the rule. */
		printf("Copied %s to %s in the guest (or to %s/%s if that is a directory there): %"
		       PRIu64 " bytes in %.3f s (%.1f MB/s).\n", src, o->dest, o->dest, name,
		       bytes, secs, rate);
	} else if (strcmp(status, "cancelled") == 0) {
		fprintf(stderr, "%s: copy of %s to %s cancelled: %s\n", HVSIM_PROG, src, o->dest,
			msg);
	} else {
		fprintf(stderr, "%s: failed to copy %s to %s in the guest: %s", HVSIM_PROG, src,
			o->dest, msg);
		if (strcmp(hr, "0x00000000") != 0)
			fprintf(stderr, " (%s)", hr);
		if (strcmp(op, "-") != 0)
			fprintf(stderr, " [%s failed after %" PRIu64 " of %" PRIu64 " bytes]", op,
				bytes, total);
		fputc('\n', stderr);
	}
	return ok ? HVSIM_EXIT_OK : HVSIM_EXIT_FAIL;
}

/* Refuse early, with the reason, what the host would refuse with less context. */
static int
copy_check(const struct hvsim_copy_opts *o, char *src, size_t size)
{
	struct stat st;

	if (size < PATH_MAX || realpath(o->src, src) == NULL || stat(src, &st) < 0 ||
	    access(src, R_OK) < 0) {
		APP_LOG(ERR, "cannot read %s: %s", o->src, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		APP_LOG(ERR, "%s is not a regular file", o->src);
		return -1;
	}
	/* Any absolute form, as Copy-VMFile's DestinationPath: the guest decides. */
	if (o->dest[0] != '/') {
		APP_LOG(ERR, "DEST must be an absolute guest path (a directory, with or without "
			"a trailing '/', or the file), not '%s'", o->dest);
		return -1;
	}
	return 0;
}


int
hvsim_copy(const struct hvsim_copy_opts *o)
{
	struct bar bar = { .on = isatty(STDERR_FILENO) == 1, .t0_us = mono_us() };
	char src[PATH_MAX], *line, *last;
	struct hvsim_ctl_msg m;
	uint32_t timeout_s = o->timeout_s != 0 ? o->timeout_s : CLIENT_DEFAULT_TIMEOUT_S;
	int ret = HVSIM_EXIT_USAGE;

	if (copy_check(o, src, sizeof(src)) < 0)
		return HVSIM_EXIT_USAGE;
	line = malloc(HVSIM_CTL_LINE_MAX);
	last = malloc(HVSIM_CTL_LINE_MAX);
	if (line == NULL || last == NULL)
		goto out;
	strcpy(line, "copy");
	if (hvsim_ctl_add(line, HVSIM_CTL_LINE_MAX, "src", src) < 0 ||
	    hvsim_ctl_add(line, HVSIM_CTL_LINE_MAX, "dest", o->dest) < 0)
		goto out;
	if (o->class_name != NULL)
		hvsim_ctl_add(line, HVSIM_CTL_LINE_MAX, "class", o->class_name);
	if (o->file_name != NULL &&
	    hvsim_ctl_add(line, HVSIM_CTL_LINE_MAX, "file_name", o->file_name) < 0)
		goto out;
	if (o->force)
		hvsim_ctl_add(line, HVSIM_CTL_LINE_MAX, "force", "1");
	if (o->create_path)
		hvsim_ctl_add(line, HVSIM_CTL_LINE_MAX, "create_path", "1");
	if (o->timeout_s != 0)
		hvsim_ctl_addf(line, HVSIM_CTL_LINE_MAX, "timeout_ms", "%" PRIu32,
			       o->timeout_s * 1000);
	if (o->chunk != 0)
		hvsim_ctl_addf(line, HVSIM_CTL_LINE_MAX, "chunk", "%" PRIu32, o->chunk);
	if (o->cancel_after != 0)
		hvsim_ctl_addf(line, HVSIM_CTL_LINE_MAX, "cancel_after", "%" PRIu64,
			       o->cancel_after);
	if (o->fault != NULL)
		hvsim_ctl_add(line, HVSIM_CTL_LINE_MAX, "fault", o->fault);
	if (bar.on)
		hvsim_ctl_add(line, HVSIM_CTL_LINE_MAX, "progress", "1");
	/* The host may wait a timeout for the negotiation, then one per request. */
	if (transact(o->root, line, (int)(2 * timeout_s * 1000 + CLIENT_SLACK_MS), last,
		     HVSIM_CTL_LINE_MAX, bar_draw, &bar) < 0)
		goto out;
	bar_clear(&bar);
	if (hvsim_ctl_parse(last, &m) < 0) {
		APP_LOG(ERR, "malformed answer from the serve process");
	} else if (strcmp(m.word, "error") == 0) {
		APP_LOG(ERR, "%s", hvsim_ctl_get(&m, "message") ?: "the copy was refused");
		ret = exit_for_errno(hvsim_ctl_get(&m, "errno"));
	} else {
		ret = copy_report(o, src, &m);
	}
out:
	bar_clear(&bar);
	free(line);
	free(last);
	return ret;
}

/* ---- rescind, offer, list ---- */

static void
list_line(const struct hvsim_ctl_msg *m, void *arg)
{
	unsigned int i;

	RTE_SET_USED(arg);
	if (strcmp(m->word, "device") != 0)
		return;
	for (i = 0; i < m->n; i++)
		printf("%s%s=%s", i > 0 ? " " : "", m->key[i], m->val[i][0] != '\0' ?
		       m->val[i] : "-");
	putchar('\n');
}

int
hvsim_simple(const char *root, const char *cmd, const char *class_name)
{
	char line[512], last[2048];
	struct hvsim_ctl_msg m;

	snprintf(line, sizeof(line), "%s", cmd);
	if (class_name != NULL && hvsim_ctl_add(line, sizeof(line), "class", class_name) < 0) {
		APP_LOG(ERR, "--class is too long");
		return HVSIM_EXIT_USAGE;
	}
	if (transact(root, line, CLIENT_SLACK_MS, last, sizeof(last), list_line, NULL) < 0)
		return HVSIM_EXIT_USAGE;
	if (hvsim_ctl_parse(last, &m) < 0) {
		APP_LOG(ERR, "malformed answer from the serve process");
		return HVSIM_EXIT_USAGE;
	}
	if (strcmp(m.word, "error") == 0) {
		APP_LOG(ERR, "%s", hvsim_ctl_get(&m, "message") ?: "refused");
		return exit_for_errno(hvsim_ctl_get(&m, "errno"));
	}
	if (strcmp(cmd, "rescind") == 0)
		printf("rescinded %s %s\n", hvsim_ctl_get(&m, "class") ?: "?",
		       hvsim_ctl_get(&m, "instance") ?: "?");
	else if (strcmp(cmd, "offer") == 0)
		printf("offered %s %s as %s\n", hvsim_ctl_get(&m, "class") ?: "?",
		       hvsim_ctl_get(&m, "instance") ?: "?", hvsim_ctl_get(&m, "uio") ?: "?");
	return HVSIM_EXIT_OK;
}

/* ---- fault ---- */

int
hvsim_fault(const char *root, const char *class_name, bool renegotiate,
	    const char *const *items, int nitems)
{
	char line[2048] = "fault", last[2048], key[64];
	struct hvsim_ctl_msg m;
	const char *eq;
	int i, ret = 0;

	if (class_name != NULL)
		ret = hvsim_ctl_add(line, sizeof(line), "class", class_name);
	if (renegotiate && ret == 0)
		ret = hvsim_ctl_add(line, sizeof(line), "renegotiate", "1");
	for (i = 0; i < nitems && ret == 0; i++) {
		if (strcmp(items[i], "clear") == 0 || strcmp(items[i], "none") == 0) {
			ret = hvsim_ctl_add(line, sizeof(line), "clear", "1");
			continue;
		}
		eq = strchr(items[i], '=');
		if (eq == NULL || eq == items[i] || (size_t)(eq - items[i]) >= sizeof(key)) {
			APP_LOG(ERR, "fault: '%s' is not KEY=VALUE (or clear)", items[i]);
			return HVSIM_EXIT_USAGE;
		}
		memcpy(key, items[i], (size_t)(eq - items[i]));
		key[eq - items[i]] = '\0';
		ret = hvsim_ctl_add(line, sizeof(line), key, eq + 1);
	}
	if (ret < 0) {
		APP_LOG(ERR, "fault: the request is too long");
		return HVSIM_EXIT_USAGE;
	}
	if (transact(root, line, CLIENT_SLACK_MS, last, sizeof(last), NULL, NULL) < 0)
		return HVSIM_EXIT_USAGE;
	if (hvsim_ctl_parse(last, &m) < 0) {
		APP_LOG(ERR, "malformed answer from the serve process");
		return HVSIM_EXIT_USAGE;
	}
	if (strcmp(m.word, "error") == 0) {
		APP_LOG(ERR, "%s", hvsim_ctl_get(&m, "message") ?: "refused");
		return exit_for_errno(hvsim_ctl_get(&m, "errno"));
	}
	printf("fault %s %s: %s (interrupts dropped %s, delayed %s; faults fired %s)\n",
	       hvsim_ctl_get(&m, "class") ?: "?", hvsim_ctl_get(&m, "instance") ?: "?",
	       hvsim_ctl_get(&m, "fault") ?: "?", hvsim_ctl_get(&m, "intr_dropped") ?: "?",
	       hvsim_ctl_get(&m, "intr_delayed") ?: "?", hvsim_ctl_get(&m, "faults_fired") ?: "?");
	return HVSIM_EXIT_OK;
}

/* ---- kvp ---- */

struct kvp_op {
	const char *name;
	int nargs;		/* positional arguments after the operation */
	const char *pool;	/* default pool */
	const char *what;	/* for messages */
};

static const struct kvp_op kvp_ops[] = {
	{ "get", 1, "external", "get" },
	{ "set", 2, "external", "set" },
	{ "delete", 1, "external", "delete" },
	{ "enum", 0, "auto", "enumerate" },
	{ "ip-get", 1, NULL, "get the IP configuration of" },
	{ "ip-set", 1, NULL, "set the IP configuration of" },
};

struct kvp_out {
	bool json;
	unsigned int items;
};

/* A JSON string or, for the numeric types, a number. */
static void
json_value(const char *type, const char *value)
{
	uint32_t t = (uint32_t)strtoul(type != NULL ? type : "1", NULL, 10);

	if ((t == 4 || t == 11) && value != NULL && value[0] != '\0')
		printf("\"value\":%s", value);
	else
		json_str("value", value, false);
}

static void
json_type(const char *type)
{
	uint32_t t = (uint32_t)strtoul(type != NULL ? type : "0", NULL, 10);
	const char *name = rte_hvsim_kvp_type_name(t);

	if (name != NULL)
		json_str("type", name, true);
	else
		printf("\"type\":%" PRIu32 ",", t);
}

static void
kvp_item_line(const struct hvsim_ctl_msg *m, void *arg)
{
	struct kvp_out *out = arg;
	const char *key = hvsim_ctl_get(m, "key"), *value = hvsim_ctl_get(m, "value");

	if (strcmp(m->word, "item") != 0)
		return;
	if (out->json) {
		/* The object opens with the first item: an error leaves stdout empty. */
		printf("%s{\"index\":%s,", out->items > 0 ? "," : "{\"items\":[",
		       hvsim_ctl_get(m, "index") ?: "null");
		json_str("key", key, true);
		json_type(hvsim_ctl_get(m, "type"));
		json_value(hvsim_ctl_get(m, "type"), value);
		putchar('}');
	} else {
		printf("%s=%s\n", key ?: "", value ?: "");
	}
	out->items++;
}

/* A ';'-separated list as a JSON array of its non-empty elements. */
static void
json_list(const char *key, const char *list, bool comma)
{
	char *copy = strdup(list != NULL ? list : ""), *save = NULL, *tok;
	bool first = true;

	printf("\"%s\":[", key);
	for (tok = copy != NULL ? strtok_r(copy, ";", &save) : NULL; tok != NULL;
	     tok = strtok_r(NULL, ";", &save)) {
		if (!first)
			putchar(',');
		json_esc(tok);
		first = false;
	}
	printf("]%s", comma ? "," : "");
	free(copy);
}

static const char *
family_name(const char *f)
{
	static const char *const names[] = { "none", "ipv4", "ipv6", "both" };
	unsigned long v = strtoul(f != NULL ? f : "0", NULL, 10);

	return v < RTE_DIM(names) ? names[v] : NULL;
}

/* The outcome: JSON, or text on stdout (success) or stderr (failure). */
static int
kvp_report(const struct hvsim_kvp_opts *o, const struct kvp_op *op, const struct hvsim_ctl_msg *m,
	   const struct kvp_out *out)
{
	const char *status = hvsim_ctl_get(m, "status"), *msg = hvsim_ctl_get(m, "message");
	const char *hr = hvsim_ctl_get(m, "hresult"), *answered = hvsim_ctl_get(m, "answered");
	const char *err = hvsim_ctl_get(m, "error"), *arg = o->nargs > 1 ? o->args[1] : NULL;
	const char *pool_id = hvsim_ctl_get(m, "pool");
	bool ok, ip = op->pool == NULL;
	const char *pool_name;

	if (status == NULL || msg == NULL || hr == NULL || answered == NULL || pool_id == NULL) {
		APP_LOG(ERR, "incomplete answer from the serve process");
		return HVSIM_EXIT_USAGE;
	}
	ok = strcmp(status, "ok") == 0;
	pool_name = rte_hvsim_kvp_pool_name((uint32_t)strtoul(pool_id, NULL, 10));
	if (o->json) {
		if (strcmp(op->name, "enum") == 0)
			printf("%s],\"count\":%s,", out->items == 0 ? "{\"items\":[" : "",
			       hvsim_ctl_get(m, "count") ?: "0");
		else
			putchar('{');
		json_str("operation", op->name, true);
		json_str("status", status, true);
		/* No answer, no status: a timeout is not 0x00000000. */
		json_str("hresult", strcmp(answered, "1") == 0 ? hr : NULL, true);
		json_str("message", msg, true);
		json_str("error", err, true);
		if (!ip) {
			json_str("pool", pool_name, true);
			printf("\"pool_id\":%s,", pool_id);
		}
		if (ip) {
			json_str("adapter_id", arg, false);
		} else if (strcmp(op->name, "enum") == 0) {
			printf("\"requests\":%s", hvsim_ctl_get(m, "requests") ?: "0");
		} else {
			json_str("key", arg, strcmp(op->name, "get") == 0 && ok);
		}
		if (strcmp(op->name, "get") == 0 && ok) {
			json_type(hvsim_ctl_get(m, "type"));
			json_value(hvsim_ctl_get(m, "type"), hvsim_ctl_get(m, "value"));
		}
		if (strcmp(op->name, "ip-get") == 0 && ok) {
			const char *fam = hvsim_ctl_get(m, "family");

			putchar(',');
			if (family_name(fam) != NULL)
				json_str("address_family", family_name(fam), true);
			else
				printf("\"address_family\":%s,", fam ?: "null");
			printf("\"dhcp_enabled\":%s,",
			       strcmp(hvsim_ctl_get(m, "dhcp") ?: "0", "0") ? "true" : "false");
			json_list("ip_addresses", hvsim_ctl_get(m, "ip"), true);
			json_list("subnets", hvsim_ctl_get(m, "subnet"), true);
			json_list("gateways", hvsim_ctl_get(m, "gateway"), true);
			json_list("dns_servers", hvsim_ctl_get(m, "dns"), false);
		}
		printf("}\n");
	} else if (ok && strcmp(op->name, "get") == 0) {
		printf("%s\n", hvsim_ctl_get(m, "value") ?: "");
	} else if (ok && strcmp(op->name, "set") == 0) {
		printf("set %s in pool %s\n", arg, pool_name ?: pool_id);
	} else if (ok && strcmp(op->name, "delete") == 0) {
		printf("deleted %s from pool %s\n", arg, pool_name ?: pool_id);
	} else if (ok && strcmp(op->name, "ip-get") == 0) {
		printf("adapter_id: %s\naddress_family: %s\ndhcp_enabled: %s\nip_addresses: %s\n"
		       "subnets: %s\ngateways: %s\ndns_servers: %s\n",
		       hvsim_ctl_get(m, "adapter") ?: "", family_name(hvsim_ctl_get(m, "family")) ?:
		       hvsim_ctl_get(m, "family") ?: "?",
		       strcmp(hvsim_ctl_get(m, "dhcp") ?: "0", "0") ? "yes" : "no",
		       hvsim_ctl_get(m, "ip") ?: "", hvsim_ctl_get(m, "subnet") ?: "",
		       hvsim_ctl_get(m, "gateway") ?: "", hvsim_ctl_get(m, "dns") ?: "");
	} else if (ok && strcmp(op->name, "ip-set") == 0) {
		printf("set the IP configuration of %s\n", arg);
	} else if (!ok) {
		fprintf(stderr, "%s: kvp: failed to %s %s%s%s: %s", HVSIM_PROG, op->what,
			arg != NULL ? arg : "pool", arg != NULL && !ip ? " in pool " :
			arg == NULL ? " " : "", ip ? "" : (pool_name ?: pool_id), msg);
		if (strcmp(answered, "1") == 0 && strcmp(status, "invalid") != 0)
			fprintf(stderr, " (%s)", hr);
		if (strcmp(op->name, "enum") == 0)
			fprintf(stderr, " after %s items", hvsim_ctl_get(m, "count") ?: "0");
		fputc('\n', stderr);
	}
	return ok ? HVSIM_EXIT_OK : HVSIM_EXIT_FAIL;
}

/* --family, or the family the addresses have. @return 0..3, or -1. */
static int
kvp_family(const struct hvsim_kvp_opts *o)
{
	bool v4 = o->ip != NULL && strchr(o->ip, '.') != NULL;
	bool v6 = o->ip != NULL && strchr(o->ip, ':') != NULL;

	if (o->family == NULL)
		return (v4 ? RTE_HVSIM_KVP_ADDR_IPV4 : 0) | (v6 ? RTE_HVSIM_KVP_ADDR_IPV6 : 0);
	if (strcmp(o->family, "none") == 0)
		return RTE_HVSIM_KVP_ADDR_NONE;
	if (strcmp(o->family, "ipv4") == 0)
		return RTE_HVSIM_KVP_ADDR_IPV4;
	if (strcmp(o->family, "ipv6") == 0)
		return RTE_HVSIM_KVP_ADDR_IPV6;
	if (strcmp(o->family, "both") == 0)
		return RTE_HVSIM_KVP_ADDR_BOTH;
	return -1;
}

/* The request line of @p op. @return 0, or -1 (logged). */
static int
kvp_request(const struct hvsim_kvp_opts *o, const struct kvp_op *op, const char *pool,
	    char *line)
{
	int ret = 0, fam;

	snprintf(line, HVSIM_CTL_LINE_MAX, "kvp");
	ret |= hvsim_ctl_add(line, HVSIM_CTL_LINE_MAX, "op", op->name);
	ret |= hvsim_ctl_addf(line, HVSIM_CTL_LINE_MAX, "pool", "%d",
			      rte_hvsim_kvp_pool_parse(pool));
	if (o->class_name != NULL)
		ret |= hvsim_ctl_add(line, HVSIM_CTL_LINE_MAX, "class", o->class_name);
	if (o->timeout_s != 0)
		ret |= hvsim_ctl_addf(line, HVSIM_CTL_LINE_MAX, "timeout_ms", "%" PRIu32,
				      o->timeout_s * 1000);
	if (op->pool == NULL) {
		fam = kvp_family(o);
		if (fam < 0) {
			APP_LOG(ERR, "kvp: --family %s: neither ipv4, ipv6, both nor none",
				o->family);
			return -1;
		}
		ret |= hvsim_ctl_add(line, HVSIM_CTL_LINE_MAX, "adapter", o->args[1]);
		ret |= hvsim_ctl_addf(line, HVSIM_CTL_LINE_MAX, "family", "%d", fam);
		ret |= hvsim_ctl_add(line, HVSIM_CTL_LINE_MAX, "dhcp", o->dhcp ? "1" : "0");
		if (o->ip != NULL)
			ret |= hvsim_ctl_add(line, HVSIM_CTL_LINE_MAX, "ip", o->ip);
		if (o->subnet != NULL)
			ret |= hvsim_ctl_add(line, HVSIM_CTL_LINE_MAX, "subnet", o->subnet);
		if (o->gateway != NULL)
			ret |= hvsim_ctl_add(line, HVSIM_CTL_LINE_MAX, "gateway", o->gateway);
		if (o->dns != NULL)
			ret |= hvsim_ctl_add(line, HVSIM_CTL_LINE_MAX, "dns", o->dns);
	} else if (op->nargs > 0) {
		ret |= hvsim_ctl_add(line, HVSIM_CTL_LINE_MAX, "key", o->args[1]);
	}
	if (o->mangle != NULL)
		ret |= hvsim_ctl_add(line, HVSIM_CTL_LINE_MAX, "mangle", o->mangle);
	if (strcmp(op->name, "set") == 0) {
		ret |= hvsim_ctl_add(line, HVSIM_CTL_LINE_MAX, "value", o->args[2]);
		ret |= hvsim_ctl_addf(line, HVSIM_CTL_LINE_MAX, "type", "%" PRId64,
				      o->type != NULL ? rte_hvsim_kvp_type_parse(o->type) :
				      (int64_t)RTE_HVDEV_KVP_REG_SZ);
	}
	if (ret != 0) {
		APP_LOG(ERR, "kvp: the request is too long");
		return -1;
	}
	return 0;
}

/* Refuse early what the options of another operation would silently ignore. */
static int
kvp_check(const struct hvsim_kvp_opts *o, const struct kvp_op *op)
{
	bool ip_opts = o->ip != NULL || o->subnet != NULL || o->gateway != NULL ||
		       o->dns != NULL || o->dhcp || o->family != NULL;

	if (o->nargs - 1 != op->nargs) {
		APP_LOG(ERR, "kvp %s takes %d argument%s, not %d", op->name, op->nargs,
			op->nargs == 1 ? "" : "s", o->nargs - 1);
		return -1;
	}
	if (ip_opts && strcmp(op->name, "ip-set") != 0) {
		APP_LOG(ERR, "kvp %s does not take --ip, --subnet, --gateway, --dns, --dhcp or "
			"--family (ip-set does)", op->name);
		return -1;
	}
	if (o->type != NULL && strcmp(op->name, "set") != 0) {
		APP_LOG(ERR, "kvp %s does not take --type (set does)", op->name);
		return -1;
	}
	if (o->pool != NULL && op->pool == NULL) {
		APP_LOG(ERR, "kvp %s does not take --pool", op->name);
		return -1;
	}
	return 0;
}

int
hvsim_kvp(const struct hvsim_kvp_opts *o)
{
	uint32_t timeout_s = o->timeout_s != 0 ? o->timeout_s : CLIENT_DEFAULT_TIMEOUT_S;
	struct kvp_out out = { .json = o->json };
	const struct kvp_op *op = NULL;
	char *line = NULL, *last = NULL;
	struct hvsim_ctl_msg m;
	const char *pool;
	unsigned int i;
	int ret = HVSIM_EXIT_USAGE;

	for (i = 0; o->nargs > 0 && i < RTE_DIM(kvp_ops); i++)
		if (strcmp(o->args[0], kvp_ops[i].name) == 0)
			op = &kvp_ops[i];
	if (op == NULL) {
		APP_LOG(ERR, "kvp needs an operation: get, set, delete, enum, ip-get or ip-set%s%s",
			o->nargs > 0 ? ", not " : "", o->nargs > 0 ? o->args[0] : "");
		return HVSIM_EXIT_USAGE;
	}
	if (kvp_check(o, op) < 0)
		return HVSIM_EXIT_USAGE;
	pool = o->pool != NULL ? o->pool : op->pool != NULL ? op->pool : "guest";
	line = malloc(HVSIM_CTL_LINE_MAX);
	last = malloc(HVSIM_CTL_LINE_MAX);
	if (line == NULL || last == NULL || kvp_request(o, op, pool, line) < 0)
		goto out;
	/* ENUMERATE: one timeout per index; a slow guest with many items takes long. */
	ret = transact(o->root, line, strcmp(op->name, "enum") == 0 ? -1 :
		       (int)(2 * timeout_s * 1000 + CLIENT_SLACK_MS), last, HVSIM_CTL_LINE_MAX,
		       kvp_item_line, &out);
	if (ret < 0) {
		if (out.items > 0)
			printf("]}\n");	/* the items that came, in a valid document */
		ret = HVSIM_EXIT_USAGE;
		goto out;
	}
	ret = HVSIM_EXIT_USAGE;
	if (hvsim_ctl_parse(last, &m) < 0) {
		APP_LOG(ERR, "malformed answer from the serve process");
	} else if (strcmp(m.word, "error") == 0) {
		if (out.items > 0)
			printf("]}\n");
		APP_LOG(ERR, "%s", hvsim_ctl_get(&m, "message") ?: "the operation was refused");
		ret = exit_for_errno(hvsim_ctl_get(&m, "errno"));
	} else {
		ret = kvp_report(o, op, &m, &out);
	}
out:
	free(line);
	free(last);
	return ret;
}
