/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include <rte_common.h>
#include <rte_telemetry.h>

#include <rte_hvdev_compat.h>

#include "fcopy_log.h"
#include "fcopy_telemetry.h"

/* Telemetry callbacks take no context: the one service's statistics. */
static struct fcopy_stats *tel_stats;

const char *
fcopy_telemetry_path(const struct fcopy_stats *s, char *buf, size_t len)
{
	if (!s->active) {
		if (len > 0)
			buf[0] = '\0';
		return buf;
	}
	/*
	 * The path is the host's: ASCII only, as DPDK's JSON writer passes DEL through, drops
	 * other control bytes silently and does not handle bytes over 0x7f.
	 */
	return fcopy_escape(buf, len, s->path, FCOPY_ESC_ASCII);
}

const char *
fcopy_telemetry_hresult(uint32_t hr, char *buf, size_t len)
{
	snprintf(buf, len, "0x%08" PRIx32, hr);
	return buf;
}

static int
handle_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	char path[RTE_TEL_MAX_STRING_LEN], hr[16];
	struct fcopy_stats s;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	if (tel_stats == NULL)
		return -ENODEV;
	fcopy_stats_get(tel_stats, &s);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "transfers_ok", s.transfers_ok);
	rte_tel_data_add_dict_u64(d, "transfers_failed", s.transfers_failed);
	rte_tel_data_add_dict_u64(d, "bytes_delivered", s.bytes_delivered);
	rte_tel_data_add_dict_u64(d, "bytes_received", s.bytes_received);
	/* As HRESULTs are written everywhere else: 0x80070005, not 2147942405. */
	rte_tel_data_add_dict_string(d, "last_hresult", fcopy_telemetry_hresult(s.last_hresult,
				     hr, sizeof(hr)));
	rte_tel_data_add_dict_int(d, "active", s.active);
	rte_tel_data_add_dict_string(d, "path", fcopy_telemetry_path(&s, path, sizeof(path)));
	rte_tel_data_add_dict_u64(d, "offset", s.active ? s.written : 0);
	rte_tel_data_add_dict_u64(d, "size", s.active ? s.size : 0);
	rte_tel_data_add_dict_u64(d, "elapsed_ms",
				  s.active ? (fcopy_now_ns() - s.start_ns) / 1000000 : 0);
	return 0;
}

int
fcopy_telemetry_register(struct fcopy_stats *stats)
{
	tel_stats = stats;
	return rte_telemetry_register_cmd("/hv_fcopy/stats", handle_stats,
		"dpdk-hv-fcopy counters and the copy in progress. Takes no parameters");
}
