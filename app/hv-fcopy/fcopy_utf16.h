/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef FCOPY_UTF16_H
#define FCOPY_UTF16_H

/* Strict UTF-16LE to UTF-8 conversion of the names the host sends. */

#include <stddef.h>

/*
 * Decode a NUL-terminated UTF-16LE string held in a fixed array of @p units code units (the
 * array may be unaligned, as it is inside a packed wire structure) into UTF-8.
 *
 * Surrogate pairs become one 4-byte sequence. A lone or reversed surrogate, or no NUL within
 * the @p units units, makes the whole string invalid: a name is never silently altered.
 *
 * @param src     the UTF-16LE code units.
 * @param units   number of code units in @p src.
 * @param dst     receives the UTF-8 string, NUL-terminated.
 * @param dstlen  size of @p dst.
 * @return the length of the UTF-8 string (NUL excluded); -EILSEQ (invalid UTF-16 or no NUL);
 *         -ENAMETOOLONG (@p dst too small); -EINVAL (NULL pointer or @p dstlen 0).
 */
int fcopy_utf16_to_utf8(const void *src, size_t units, char *dst, size_t dstlen);

#endif /* FCOPY_UTF16_H */
