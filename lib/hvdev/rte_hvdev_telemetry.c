/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/* Telemetry commands: /hvdev/list, /hvdev/info,<id>, /hvdev/stats,<id>, /hvdev/xstats,<id>. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_telemetry.h>

#include "rte_hvdev.h"
#include "rte_hvdev_compat.h"

static int
parse_dev_id(const char *params, int16_t *dev_id)
{
	char *end;
	long id;

	if (params == NULL || params[0] == '\0')
		return -EINVAL;
	id = strtol(params, &end, 10);
	if (*end != '\0' || id < 0 || id > INT16_MAX || !rte_hvdev_is_valid((int16_t)id))
		return -EINVAL;
	*dev_id = (int16_t)id;
	return 0;
}

static int
handle_list(const char *cmd, const char *params, struct rte_tel_data *d)
{
	int16_t id;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_array(d, RTE_TEL_INT_VAL);
	RTE_HVDEV_FOREACH_DEV(id)
		rte_tel_data_add_array_int(d, id);
	return 0;
}

static int
handle_info(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct rte_hvdev_info info;
	char uuid[RTE_UUID_STRLEN];
	int16_t id;

	RTE_SET_USED(cmd);
	if (parse_dev_id(params, &id) < 0 || rte_hvdev_info_get(id, &info) < 0)
		return -EINVAL;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", info.dev_name);
	rte_tel_data_add_dict_string(d, "driver", info.driver_name);
	rte_tel_data_add_dict_string(d, "class", info.class_name);
	rte_uuid_unparse(info.class_id, uuid, sizeof(uuid));
	rte_tel_data_add_dict_string(d, "class_id", uuid);
	rte_uuid_unparse(info.instance_id, uuid, sizeof(uuid));
	rte_tel_data_add_dict_string(d, "instance_id", uuid);
	rte_tel_data_add_dict_u64(d, "relid", info.relid);
	rte_tel_data_add_dict_u64(d, "tx_ring_data_size", info.tx_ring_data_size);
	rte_tel_data_add_dict_u64(d, "rx_ring_data_size", info.rx_ring_data_size);
	rte_tel_data_add_dict_u64(d, "max_payload", info.max_payload);
	rte_tel_data_add_dict_int(d, "has_monitor", info.has_monitor);
	rte_tel_data_add_dict_string(d, "node", info.node_kind == RTE_HVDEV_NODE_UIO ?
				     "uio" : "simulator");
	rte_tel_data_add_dict_string(d, "state", rte_hvdev_state_str(info.state));
	rte_tel_data_add_dict_int(d, "numa_node", info.numa_node);
	return 0;
}

static int
handle_xstats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct rte_hvdev_xstat_name *names;
	uint64_t *values;
	int16_t id;
	int i, n;

	RTE_SET_USED(cmd);
	if (parse_dev_id(params, &id) < 0)
		return -EINVAL;
	n = rte_hvdev_xstats_names_get(id, NULL, 0);
	if (n < 0)
		return n;
	names = calloc((size_t)n, sizeof(*names));
	values = calloc((size_t)n, sizeof(*values));
	if (names == NULL || values == NULL ||
	    rte_hvdev_xstats_names_get(id, names, (unsigned int)n) != n ||
	    rte_hvdev_xstats_get(id, values, (unsigned int)n) != n) {
		free(names);
		free(values);
		return -ENOMEM;
	}
	rte_tel_data_start_dict(d);
	for (i = 0; i < n; i++)
		rte_tel_data_add_dict_u64(d, names[i].name, values[i]);
	free(names);
	free(values);
	return 0;
}

RTE_INIT(hvdev_telemetry_init)
{
	rte_telemetry_register_cmd("/hvdev/list", handle_list,
		"Returns the list of hvdev device ids. Takes no parameters");
	rte_telemetry_register_cmd("/hvdev/info", handle_info,
		"Returns information about an hvdev device. Parameters: int dev_id");
	rte_telemetry_register_cmd("/hvdev/stats", handle_xstats,
		"Returns the statistics of an hvdev device. Parameters: int dev_id");
}
