/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * Host data in dpdk-hv-fcopy's log lines and records: a host-chosen name holding a line feed,
 * ESC sequences, C1 controls, DEL, bidirectional overrides, or bytes that are not UTF-8 never
 * reaches the log raw (doc/guides/threat_model.rst). The log stream is captured
 * in memory; no device is involved.
 */

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <rte_common.h>
#include <rte_log.h>
#include <rte_telemetry.h>

#include <rte_hvdev_fcopy.h>
#include <rte_hvdev_ic.h>

#include "fcopy_deliver.h"
#include "fcopy_log.h"
#include "fcopy_policy.h"
#include "fcopy_stats.h"
#include "fcopy_telemetry.h"
#include "hvdev_test.h"

/*
 * Everything a hostile host may put in a name, as UTF-8 after decoding or as raw bytes: a
 * forged record after a line feed, a carriage return, an ESC colour sequence, the C1 control
 * NEL (U+0085), DEL, a right-to-left override (U+202E), an overlong '/' (C0 AF), a stray
 * continuation byte, a UTF-8-encoded surrogate (ED A0 80), 0xFF, and a sequence cut short.
 */
#define EVIL "a\nhv_fcopy: copied /etc/forged: 1 bytes\rb\x1b[31mred\xc2\x85" "c\x7f" \
	"d\xe2\x80\xae" "e\xc0\xaf" "f\x80g\xed\xa0\x80h\xff" "i\xe6\x97"

static char *log_buf;
static size_t log_len;
static FILE *log_f;

static int
capture(void)
{
	log_f = open_memstream(&log_buf, &log_len);
	TEST_ASSERT(log_f != NULL, "open_memstream");
	TEST_ASSERT_EQUAL(rte_openlog_stream(log_f), 0, "log stream");
	return TEST_SUCCESS;
}

static void
release(void)
{
	rte_openlog_stream(NULL);
	fclose(log_f);
	free(log_buf);
	log_buf = NULL;
}

/*
 * The captured log: every line begins with "hv_fcopy: ", holds no control byte but its line
 * end, no DEL, no C1 control, no U+202E and only valid UTF-8; @p lines lines in all.
 */
static int
check_clean(unsigned int lines)
{
	const unsigned char *p, *end;
	unsigned int n = 0;

	fflush(log_f);
	TEST_ASSERT(log_len > 0, "something was logged");
	p = (const unsigned char *)log_buf;
	end = p + log_len;
	TEST_ASSERT(end[-1] == '\n', "the log ends with a line end");
	while (p < end) {
		TEST_ASSERT(strncmp((const char *)p, "hv_fcopy: ", 10) == 0,
			    "line %u begins with the service's prefix: '%.60s'", n + 1, p);
		for (; *p != '\n'; p++) {
			TEST_ASSERT(*p >= 0x20 && *p != 0x7f, "raw control byte 0x%02x in line %u: "
				    "'%s'", *p, n + 1, log_buf);
			TEST_ASSERT(*p < 0x80 || (*p >= 0xc2 && *p <= 0xf4), "raw byte 0x%02x (not "
				    "UTF-8) in line %u", *p, n + 1);
			TEST_ASSERT(!(p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f),
				    "raw C1 control in line %u", n + 1);
			TEST_ASSERT(!(p[0] == 0xe2 && p[1] == 0x80 && p[2] == 0xae),
				    "raw U+202E in line %u", n + 1);
		}
		p++;
		n++;
	}
	TEST_ASSERT_EQUAL(n, lines, "one line per message, none forged:\n%s", log_buf);
	return TEST_SUCCESS;
}

/* The transfer record of a copy whose target holds every kind of hostile byte. */
static int
test_record(void)
{
	struct fcopy_stats s;
	int ret;

	TEST_RUN(capture());
	fcopy_stats_init(&s);
	fcopy_stats_begin(&s, "/srv/drop/" EVIL, 1);
	fcopy_stats_progress(&s, 1);
	fcopy_stats_end(&s, RTE_HVDEV_IC_S_OK, NULL);
	fcopy_stats_begin(&s, "/srv/drop/" EVIL, 1);
	fcopy_stats_end(&s, RTE_HVDEV_IC_E_FAIL, "because " EVIL);
	ret = check_clean(2);
	if (ret == TEST_SUCCESS && strstr(log_buf, "a\\nhv_fcopy: copied /etc/forged") == NULL)
		ret = TEST_FAILED;
	if (ret == TEST_SUCCESS && strstr(log_buf, "\\x1b[31m") == NULL)
		ret = TEST_FAILED;
	if (ret != TEST_SUCCESS)
		fprintf(stderr, "log:\n%s\n", log_buf);
	release();
	return ret;
}

/* Refusal messages of the delivery, which quote the host's directory and name. */
static int
test_refusals(void)
{
	struct fcopy_config cfg;
	struct fcopy_deliver d;
	char err[256], top[256], dir[PATH_MAX];
	uint32_t hr;
	int ret;

	TEST_ASSERT(hvdev_test_root_create(top, sizeof(top)) == 0, "mkdtemp");
	TEST_ASSERT_EQUAL(fcopy_config_init(&cfg), 0, "config");
	TEST_ASSERT_EQUAL(fcopy_config_set(&cfg, "allowed_root", top, FCOPY_SRC_CMDLINE, "test",
					   err, sizeof(err)), 0, "%s", err);
	fcopy_deliver_init(&d, &cfg.policy, NULL);
	/* A refusal is DEBUG (the transfer's record logs it once): escaped at every level. */
	rte_log_set_level_pattern("app.hv_fcopy", RTE_LOG_DEBUG);
	TEST_RUN(capture());
	/* A name with a separator, a path outside the root, a missing directory. */
	hr = fcopy_deliver_start(&d, top, EVIL "/x", 0, 1);
	ret = hr == RTE_HVDEV_IC_S_OK ? TEST_FAILED : TEST_SUCCESS;
	hvdev_test_fmt(dir, sizeof(dir), "/nowhere/%s", EVIL);
	hr = fcopy_deliver_start(&d, dir, "n", 0, 1);
	if (hr == RTE_HVDEV_IC_S_OK)
		ret = TEST_FAILED;
	hvdev_test_fmt(dir, sizeof(dir), "%s/%s/", top, EVIL);
	hr = fcopy_deliver_start(&d, dir, "n", 0, 1);
	if (hr == RTE_HVDEV_IC_S_OK)
		ret = TEST_FAILED;
	if (ret == TEST_SUCCESS)
		ret = check_clean(3);
	release();
	rte_log_set_level_pattern("app.hv_fcopy", RTE_LOG_INFO);
	fcopy_config_free(&cfg);
	hvdev_test_root_remove(top);
	return ret;
}

/* The escaping itself, byte for byte. */
static int
test_escape(void)
{
	static const struct {
		const char *in;
		unsigned int flags;
		const char *out;
	} v[] = {
		{ "plain /srv/a b.txt", 0, "plain /srv/a b.txt" },
		{ "back\\slash", 0, "back\\\\slash" },
		{ "t\tn\nr\r", 0, "t\\tn\\nr\\r" },
		{ "\x01\x1b[2J\x7f", 0, "\\x01\\x1b[2J\\x7f" },
		{ "h\xc3\xa9llo \xe6\x97\xa5 \xf0\x9f\x98\x80", 0,
		  "h\xc3\xa9llo \xe6\x97\xa5 \xf0\x9f\x98\x80" },
		{ "h\xc3\xa9 \xf0\x9f\x98\x80", FCOPY_ESC_ASCII, "h\\u00e9 \\U0001f600" },
		{ "nel\xc2\x85 rlo\xe2\x80\xae lsep\xe2\x80\xa8 lri\xe2\x81\xa6", 0,
		  "nel\\u0085 rlo\\u202e lsep\\u2028 lri\\u2066" },
		{ "overlong\xc0\xaf\xe0\x80\xaf", 0, "overlong\\xc0\\xaf\\xe0\\x80\\xaf" },
		{ "surrogate\xed\xa0\x80", 0, "surrogate\\xed\\xa0\\x80" },
		{ "big\xf4\x90\x80\x80\xff", 0, "big\\xf4\\x90\\x80\\x80\\xff" },
		{ "cut\xe6\x97", 0, "cut\\xe6\\x97" },
		{ "", 0, "" },
	};
	char out[256];
	unsigned int i;

	for (i = 0; i < RTE_DIM(v); i++) {
		fcopy_escape(out, sizeof(out), v[i].in, v[i].flags);
		TEST_ASSERT(strcmp(out, v[i].out) == 0, "vector %u: '%s', expected '%s'", i, out,
			    v[i].out);
	}
	/* Cut: never inside an escape, marked by "...", NUL-terminated. */
	fcopy_escape(out, 10, "abc\x1b\x1b\x1b", 0);
	TEST_ASSERT(strcmp(out, "abc...") == 0, "cut before a whole escape: '%s'", out);
	fcopy_escape(out, 8, "abcdefg", 0);
	TEST_ASSERT(strcmp(out, "abcdefg") == 0, "an exact fit is not cut: '%s'", out);
	fcopy_escape(out, 8, "abcdefgh", 0);
	TEST_ASSERT(strcmp(out, "abcd...") == 0, "one byte too many: '%s'", out);
	fcopy_escape(out, 3, "abcdefgh", 0);
	TEST_ASSERT(strcmp(out, "") == 0, "no room even for the mark: '%s'", out);
	return TEST_SUCCESS;
}

/* The telemetry value of the copy in progress: printable ASCII only, cut to the buffer. */
static int
test_telemetry_path(void)
{
	struct fcopy_stats s;
	char buf[RTE_TEL_MAX_STRING_LEN];
	const unsigned char *p;

	fcopy_stats_init(&s);
	TEST_ASSERT(strcmp(fcopy_telemetry_path(&s, buf, sizeof(buf)), "") == 0, "idle: ''");
	fcopy_stats_begin(&s, "/srv/drop/" EVIL, 1);
	fcopy_telemetry_path(&s, buf, sizeof(buf));
	for (p = (const unsigned char *)buf; *p != '\0'; p++)
		TEST_ASSERT(*p >= 0x20 && *p < 0x7f, "byte 0x%02x in '%s'", *p, buf);
	TEST_ASSERT(strncmp(buf, "/srv/drop/a\\nhv_fcopy: copied /etc/forged", 40) == 0,
		    "'%s'", buf);
	fcopy_stats_end(&s, RTE_HVDEV_IC_E_FAIL, NULL);
	return TEST_SUCCESS;
}

static const struct hvdev_test_case cases[] = {
	HVDEV_CASE(escape, test_escape),
	HVDEV_CASE(telemetry_path, test_telemetry_path),
	HVDEV_CASE(record, test_record),
	HVDEV_CASE(refusals, test_refusals),
};

int
main(int argc, char **argv)
{
	return hvdev_test_main(argc, argv, cases, RTE_DIM(cases));
}
