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

static void
json_str(const char *key, const char *s, bool comma)
{
	const unsigned char *p;

	printf("\"%s\":", key);
	if (s == NULL) {
		printf("null%s", comma ? "," : "");
		return;
	}
	putchar('"');
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	printf("\"%s", comma ? "," : "");
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
