/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#include <errno.h>
#include <stdio.h>

#include <rte_hvdev_ic.h>

#include "fcopy_hresult.h"

uint32_t
fcopy_hresult_from_errno(int err)
{
	switch (err) {
	case 0:
		return RTE_HVDEV_IC_S_OK;
	case EEXIST:
		return RTE_HVDEV_IC_ALREADY_EXISTS;
	case ENOSPC:
	case EDQUOT:
	case EFBIG:	/* the file cannot be that large here: out of room for it */
		return RTE_HVDEV_IC_DISK_FULL;
	case EACCES:
	case EPERM:
	case EROFS:
	case EISDIR:	/* a directory cannot be replaced by a file */
	case ELOOP:	/* a symbolic link refused by the resolution rules */
	case EXDEV:	/* resolution would leave the allowed root */
		return RTE_HVDEV_IC_ACCESS_DENIED;
	case ENOENT:
	case ENOTDIR:
		return RTE_HVDEV_IC_PATH_NOT_FOUND;
	case ENAMETOOLONG:
		return RTE_HVDEV_IC_NAME_TOO_LONG;
	case EINVAL:
	case EILSEQ:
		return RTE_HVDEV_IC_INVALIDARG;
	default:
		return RTE_HVDEV_IC_E_FAIL;
	}
}

const char *
fcopy_hresult_str(uint32_t hr, char *buf, unsigned int len)
{
	snprintf(buf, len, "0x%08x (%s)", hr, rte_hvdev_ic_status_str(hr));
	return buf;
}
