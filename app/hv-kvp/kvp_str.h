/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef KVP_STR_H
#define KVP_STR_H

#include <stddef.h>
#include <string.h>

/*
 * strlcpy() semantics without snprintf(): DPDK's rte_strlcpy() is snprintf("%s"), whose
 * truncation GCC reports as an error under -Werror, and truncation is intended here.
 * @return strlen(@p src), as strlcpy().
 */
static inline size_t
kvp_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (size > 0) {
		size_t c = n < size - 1 ? n : size - 1;

		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return n;
}

#endif /* KVP_STR_H */
