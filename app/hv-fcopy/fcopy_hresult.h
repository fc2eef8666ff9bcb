/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef FCOPY_HRESULT_H
#define FCOPY_HRESULT_H

/* The HRESULT the host is told for a guest-side error: the host shows it to the user. */

#include <stdint.h>

/*
 * Map a positive errno to an HRESULT:
 *   EEXIST 0x80070050; ENOSPC, EDQUOT, EFBIG 0x80070070; EACCES, EPERM, EROFS, EISDIR, ELOOP,
 *   EXDEV 0x80070005; ENOENT, ENOTDIR 0x80070003; ENAMETOOLONG 0x800700CE; EINVAL, EILSEQ
 *   0x80070057; anything else 0x80004005.
 */
uint32_t fcopy_hresult_from_errno(int err);

/* "0x80070050 (already exists)" style text, written to @p buf. */
const char *fcopy_hresult_str(uint32_t hr, char *buf, unsigned int len);

#endif /* FCOPY_HRESULT_H */
