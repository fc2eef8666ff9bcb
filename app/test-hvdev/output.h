/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef TEST_HVDEV_OUTPUT_H
#define TEST_HVDEV_OUTPUT_H

/*
 * Output helpers: a streaming JSON writer (scripts parse it, so it is always valid JSON:
 * strings escaped, commas placed by the writer), aligned tables and hex dumps for people.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_common.h>

#define TH_JSON_MAX_DEPTH 8
#define TH_TABLE_MAX_COLS 16

struct th_json {
	FILE *f;
	unsigned int depth;
	bool has_member[TH_JSON_MAX_DEPTH];
};

/* @p key is the member name inside an object and NULL inside an array or at the top. */
void th_json_begin(struct th_json *j, FILE *f);
void th_json_end(struct th_json *j);
void th_json_obj_open(struct th_json *j, const char *key);
void th_json_obj_close(struct th_json *j);
void th_json_arr_open(struct th_json *j, const char *key);
void th_json_arr_close(struct th_json *j);
void th_json_str(struct th_json *j, const char *key, const char *val);
void th_json_u64(struct th_json *j, const char *key, uint64_t val);
void th_json_i64(struct th_json *j, const char *key, int64_t val);
void th_json_bool(struct th_json *j, const char *key, bool val);
void th_json_double(struct th_json *j, const char *key, double val);
void th_json_hex(struct th_json *j, const char *key, const void *data, uint32_t len);

struct th_col {
	const char *name;
	bool right;		/* right-align (numbers) */
};

/*
 * A table collects its cells first, so that each column is as wide as its widest cell.
 * At most TH_TABLE_MAX_COLS columns.
 */
struct th_table {
	const struct th_col *cols;
	unsigned int ncols;
	unsigned int ncells;
	unsigned int cap;
	char **cells;
	bool failed;		/* out of memory: th_table_print() reports it */
};

void th_table_init(struct th_table *t, const struct th_col *cols, unsigned int ncols);
void th_table_cell(struct th_table *t, const char *fmt, ...) __rte_format_printf(2, 3);
int th_table_print(struct th_table *t, FILE *f);
void th_table_free(struct th_table *t);

/* "  key                  value" lines of the text output. */
void th_kv(FILE *f, const char *key, const char *fmt, ...) __rte_format_printf(3, 4);

/* hexdump -C layout: offset, 16 bytes in hex, the printable ones as text. */
void th_hexdump(FILE *f, const void *data, uint32_t len);

#endif /* TEST_HVDEV_OUTPUT_H */
