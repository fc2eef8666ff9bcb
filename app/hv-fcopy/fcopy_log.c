/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "fcopy_log.h"

/* The longest message before escaping: a target, a reason holding a path, some words. */
#define LOG_RAW_MAX (3 * 4096)
#define LOG_OUT_MAX (4 * 4096)

RTE_LOG_REGISTER_DEFAULT(hv_fcopy_logtype, INFO);

void
fcopy_log(uint32_t level, const char *fmt, ...)
{
	char raw[LOG_RAW_MAX], out[LOG_OUT_MAX];
	va_list ap;

	if (!rte_log_can_log(hv_fcopy_logtype, level))
		return;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	fcopy_escape(out, sizeof(out), raw, 0);
	/* The line end is added after escaping: the only one in the message. */
	rte_log(level, hv_fcopy_logtype, "%s\n", out);
}
