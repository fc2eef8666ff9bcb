/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

static void
json_indent(struct th_json *j)
{
	unsigned int i;

	fputc('\n', j->f);
	for (i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

static void
json_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	for (; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/* Start a value: the comma after the previous member, the indentation, the key. */
static void
json_member(struct th_json *j, const char *key)
{
	if (j->has_member[j->depth])
		fputc(',', j->f);
	if (j->depth > 0)
		json_indent(j);
	if (key != NULL) {
		json_string(j->f, key);
		fputs(": ", j->f);
	}
	j->has_member[j->depth] = true;
}

static void
json_open(struct th_json *j, const char *key, char c)
{
	json_member(j, key);
	fputc(c, j->f);
	/* Our documents nest three levels at most; deeper levels would share a slot. */
	if (j->depth + 1 < TH_JSON_MAX_DEPTH)
		j->depth++;
	j->has_member[j->depth] = false;
}

static void
json_close(struct th_json *j, char c)
{
	bool had = j->has_member[j->depth];

	if (j->depth > 0)
		j->depth--;
	if (had)
		json_indent(j);
	fputc(c, j->f);
}

void
th_json_begin(struct th_json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
}

void
th_json_end(struct th_json *j)
{
	fputc('\n', j->f);
	fflush(j->f);
}

void
th_json_obj_open(struct th_json *j, const char *key)
{
	json_open(j, key, '{');
}

void
th_json_obj_close(struct th_json *j)
{
	json_close(j, '}');
}

void
th_json_arr_open(struct th_json *j, const char *key)
{
	json_open(j, key, '[');
}

void
th_json_arr_close(struct th_json *j)
{
	json_close(j, ']');
}

void
th_json_str(struct th_json *j, const char *key, const char *val)
{
	json_member(j, key);
	if (val == NULL)
		fputs("null", j->f);
	else
		json_string(j->f, val);
}

void
th_json_u64(struct th_json *j, const char *key, uint64_t val)
{
	json_member(j, key);
	fprintf(j->f, "%" PRIu64, val);
}

void
th_json_i64(struct th_json *j, const char *key, int64_t val)
{
	json_member(j, key);
	fprintf(j->f, "%" PRId64, val);
}

void
th_json_bool(struct th_json *j, const char *key, bool val)
{
	json_member(j, key);
	fputs(val ? "true" : "false", j->f);
}

void
th_json_double(struct th_json *j, const char *key, double val)
{
	json_member(j, key);
	/* JSON has no NaN or infinity. */
	if (isfinite(val))
		fprintf(j->f, "%.3f", val);
	else
		fputs("null", j->f);
}

void
th_json_hex(struct th_json *j, const char *key, const void *data, uint32_t len)
{
	const uint8_t *p = data;
	uint32_t i;

	json_member(j, key);
	fputc('"', j->f);
	for (i = 0; i < len; i++)
		fprintf(j->f, "%02x", p[i]);
	fputc('"', j->f);
}

void
th_table_init(struct th_table *t, const struct th_col *cols, unsigned int ncols)
{
	memset(t, 0, sizeof(*t));
	t->cols = cols;
	t->ncols = RTE_MIN(ncols, (unsigned int)TH_TABLE_MAX_COLS);
}

void
th_table_cell(struct th_table *t, const char *fmt, ...)
{
	char **cells;
	va_list ap;
	char *s;

	if (t->failed)
		return;
	if (t->ncells == t->cap) {
		cells = realloc(t->cells, sizeof(*cells) * (t->cap + 64));
		if (cells == NULL) {
			t->failed = true;
			return;
		}
		t->cells = cells;
		t->cap += 64;
	}
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0) {
		t->failed = true;
		s = NULL;
	}
	va_end(ap);
	if (s != NULL)
		t->cells[t->ncells++] = s;
}

static void
table_line(const struct th_table *t, const size_t *width, const char *const *cells, FILE *f)
{
	unsigned int c;
	int w;

	for (c = 0; c < t->ncols; c++) {
		w = (int)width[c];
		if (c == t->ncols - 1 && !t->cols[c].right)
			fprintf(f, "%s\n", cells[c]);
		else
			fprintf(f, t->cols[c].right ? "%*s%s" : "%-*s%s", w, cells[c],
				c == t->ncols - 1 ? "\n" : "  ");
	}
}

int
th_table_print(struct th_table *t, FILE *f)
{
	const char *names[TH_TABLE_MAX_COLS];
	size_t width[TH_TABLE_MAX_COLS];
	unsigned int c, i;

	if (t->failed)
		return -1;
	for (c = 0; c < t->ncols; c++) {
		names[c] = t->cols[c].name;
		width[c] = strlen(names[c]);
	}
	for (i = 0; i < t->ncells; i++)
		width[i % t->ncols] = RTE_MAX(width[i % t->ncols], strlen(t->cells[i]));
	table_line(t, width, names, f);
	for (i = 0; i + t->ncols <= t->ncells; i += t->ncols)
		table_line(t, width, (const char *const *)&t->cells[i], f);
	return 0;
}

void
th_table_free(struct th_table *t)
{
	unsigned int i;

	for (i = 0; i < t->ncells; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->ncells = 0;
	t->cap = 0;
}

void
th_kv(FILE *f, const char *key, const char *fmt, ...)
{
	va_list ap;

	fprintf(f, "  %-20s ", key);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
}

void
th_hexdump(FILE *f, const void *data, uint32_t len)
{
	const uint8_t *p = data;
	uint32_t off, i;

	for (off = 0; off < len; off += 16) {
		fprintf(f, "%08" PRIx32 " ", off);
		for (i = 0; i < 16; i++) {
			if (i == 8)
				fputc(' ', f);
			if (off + i < len)
				fprintf(f, " %02x", p[off + i]);
			else
				fputs("   ", f);
		}
		fputs("  |", f);
		for (i = 0; i < 16 && off + i < len; i++)
			fputc(isprint(p[off + i]) ? p[off + i] : '.', f);
		fputs("|\n", f);
	}
	fprintf(f, "%08" PRIx32 "\n", len);
}
