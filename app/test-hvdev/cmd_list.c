/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/* list and info: what the devices are and what they have counted. */

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_uuid.h>

#include <rte_hvdev.h>

#include "output.h"
#include "test_hvdev.h"

static const struct th_col list_cols[] = {
	{ "ID", true }, { "NAME", false }, { "CLASS", false }, { "INSTANCE", false },
	{ "RELID", true }, { "TX_RING", true }, { "RX_RING", true }, { "NODE", false },
	{ "STATE", false },
};

static const struct {
	const char *name;
	size_t off;
} stats_fields[] = {
#define STAT(f) { #f, offsetof(struct rte_hvdev_stats, f) }
	STAT(rx_packets), STAT(rx_bytes), STAT(tx_packets), STAT(tx_bytes),
	STAT(interrupts), STAT(wakeups), STAT(signals), STAT(tx_ring_full),
	STAT(protocol_errors), STAT(rescinds),
#undef STAT
};

static const char *
node_name(enum rte_hvdev_node_kind kind)
{
	return kind == RTE_HVDEV_NODE_UIO ? "uio" : "simulator";
}

static void
list_json_dev(struct th_json *j, int16_t id, const struct rte_hvdev_info *info)
{
	char uuid[RTE_UUID_STRLEN];

	rte_uuid_unparse(info->instance_id, uuid, sizeof(uuid));
	th_json_obj_open(j, NULL);
	th_json_i64(j, "id", id);
	th_json_str(j, "name", info->dev_name);
	th_json_str(j, "class", info->class_name);
	th_json_str(j, "instance_id", uuid);
	th_json_u64(j, "relid", info->relid);
	th_json_u64(j, "tx_ring_data_size", info->tx_ring_data_size);
	th_json_u64(j, "rx_ring_data_size", info->rx_ring_data_size);
	th_json_str(j, "node", node_name(info->node_kind));
	th_json_str(j, "state", rte_hvdev_state_str(info->state));
	th_json_obj_close(j);
}

static void
list_table_dev(struct th_table *t, int16_t id, const struct rte_hvdev_info *info)
{
	char uuid[RTE_UUID_STRLEN];

	rte_uuid_unparse(info->instance_id, uuid, sizeof(uuid));
	th_table_cell(t, "%d", id);
	th_table_cell(t, "%s", info->dev_name);
	th_table_cell(t, "%s", info->class_name);
	th_table_cell(t, "%s", uuid);
	th_table_cell(t, "%" PRIu32, info->relid);
	th_table_cell(t, "%" PRIu32, info->tx_ring_data_size);
	th_table_cell(t, "%" PRIu32, info->rx_ring_data_size);
	th_table_cell(t, "%s", node_name(info->node_kind));
	th_table_cell(t, "%s", rte_hvdev_state_str(info->state));
}

int
th_cmd_list(const struct th_opts *o, int16_t dev_id)
{
	struct rte_hvdev_info info;
	struct th_table t;
	struct th_json j;
	unsigned int n = 0;
	int16_t id;

	RTE_SET_USED(dev_id);
	th_json_begin(&j, stdout);
	th_table_init(&t, list_cols, RTE_DIM(list_cols));
	if (o->json) {
		th_json_obj_open(&j, NULL);
		th_json_arr_open(&j, "devices");
	}
	RTE_HVDEV_FOREACH_DEV(id) {
		if (rte_hvdev_info_get(id, &info) < 0)
			continue;
		n++;
		if (o->json)
			list_json_dev(&j, id, &info);
		else
			list_table_dev(&t, id, &info);
	}
	if (o->json) {
		th_json_arr_close(&j);
		th_json_obj_close(&j);
		th_json_end(&j);
	} else if (th_table_print(&t, stdout) < 0) {
		th_table_free(&t);
		TH_LOG(ERR, "out of memory");
		return -ENOMEM;
	}
	th_table_free(&t);
	if (n == 0)
		TH_LOG(NOTICE, "no hvdev device (none bound to uio_hv_generic?); "
		       "--sim starts a simulated host");
	return 0;
}

static void
info_json(struct th_json *j, int16_t id, const struct rte_hvdev_info *info)
{
	char uuid[RTE_UUID_STRLEN];

	th_json_i64(j, "id", id);
	th_json_str(j, "name", info->dev_name);
	th_json_str(j, "driver", info->driver_name);
	th_json_str(j, "class", info->class_name);
	rte_uuid_unparse(info->class_id, uuid, sizeof(uuid));
	th_json_str(j, "class_id", uuid);
	rte_uuid_unparse(info->instance_id, uuid, sizeof(uuid));
	th_json_str(j, "instance_id", uuid);
	th_json_u64(j, "relid", info->relid);
	th_json_u64(j, "tx_ring_data_size", info->tx_ring_data_size);
	th_json_u64(j, "rx_ring_data_size", info->rx_ring_data_size);
	th_json_u64(j, "max_payload", info->max_payload);
	th_json_bool(j, "has_monitor", info->has_monitor);
	th_json_str(j, "node", node_name(info->node_kind));
	th_json_str(j, "state", rte_hvdev_state_str(info->state));
	th_json_i64(j, "numa_node", info->numa_node);
}

static void
info_text(int16_t id, const struct rte_hvdev_info *info)
{
	char uuid[RTE_UUID_STRLEN];

	printf("device %d: %s\n", id, info->dev_name);
	th_kv(stdout, "driver", "%s", info->driver_name);
	rte_uuid_unparse(info->class_id, uuid, sizeof(uuid));
	th_kv(stdout, "class", "%s {%s}", info->class_name, uuid);
	rte_uuid_unparse(info->instance_id, uuid, sizeof(uuid));
	th_kv(stdout, "instance", "{%s}", uuid);
	th_kv(stdout, "relid", "%" PRIu32, info->relid);
	th_kv(stdout, "tx ring (to host)", "%" PRIu32 " bytes", info->tx_ring_data_size);
	th_kv(stdout, "rx ring (from host)", "%" PRIu32 " bytes", info->rx_ring_data_size);
	th_kv(stdout, "max payload", "%" PRIu32 " bytes", info->max_payload);
	th_kv(stdout, "monitor page", "%s", info->has_monitor ? "yes" : "no");
	th_kv(stdout, "node", "%s", node_name(info->node_kind));
	th_kv(stdout, "state", "%s", rte_hvdev_state_str(info->state));
	th_kv(stdout, "numa node", "%d", info->numa_node);
}

static void
stats_out(struct th_json *j, bool json, const struct rte_hvdev_stats *st)
{
	const uint8_t *base = (const uint8_t *)st;
	unsigned int i;
	uint64_t v;

	if (json)
		th_json_obj_open(j, "stats");
	else
		printf("stats:\n");
	for (i = 0; i < RTE_DIM(stats_fields); i++) {
		memcpy(&v, base + stats_fields[i].off, sizeof(v));
		if (json)
			th_json_u64(j, stats_fields[i].name, v);
		else
			th_kv(stdout, stats_fields[i].name, "%" PRIu64, v);
	}
	if (json)
		th_json_obj_close(j);
}

/* The text output lists each counter once; JSON has the complete xstats object. */
static bool
is_basic_stat(const char *name)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(stats_fields); i++)
		if (strcmp(stats_fields[i].name, name) == 0)
			return true;
	return false;
}

static int
xstats_out(struct th_json *j, bool json, int16_t id)
{
	struct rte_hvdev_xstat_name *names = NULL;
	uint64_t *values = NULL;
	int i, n, ret = 0;

	n = rte_hvdev_xstats_names_get(id, NULL, 0);
	if (n < 0)
		return n;
	names = calloc(RTE_MAX(n, 1), sizeof(*names));
	values = calloc(RTE_MAX(n, 1), sizeof(*values));
	if (names == NULL || values == NULL ||
	    rte_hvdev_xstats_names_get(id, names, (unsigned int)n) != n ||
	    rte_hvdev_xstats_get(id, values, (unsigned int)n) != n) {
		ret = -ENOMEM;
		n = 0;
	}
	if (json)
		th_json_obj_open(j, "xstats");
	else
		printf("xstats (beyond stats):\n");
	for (i = 0; i < n; i++) {
		if (json)
			th_json_u64(j, names[i].name, values[i]);
		else if (!is_basic_stat(names[i].name))
			th_kv(stdout, names[i].name, "%" PRIu64, values[i]);
	}
	if (json)
		th_json_obj_close(j);
	free(names);
	free(values);
	return ret;
}

int
th_cmd_info(const struct th_opts *o, int16_t dev_id)
{
	struct rte_hvdev_info info;
	struct rte_hvdev_stats st;
	struct th_json j;
	int ret;

	ret = rte_hvdev_info_get(dev_id, &info);
	if (ret == 0)
		ret = rte_hvdev_stats_get(dev_id, &st);
	if (ret < 0) {
		TH_LOG(ERR, "device %d: cannot read information: %s", dev_id, strerror(-ret));
		return ret;
	}
	th_json_begin(&j, stdout);
	if (o->json) {
		th_json_obj_open(&j, NULL);
		info_json(&j, dev_id, &info);
	} else {
		info_text(dev_id, &info);
	}
	stats_out(&j, o->json, &st);
	ret = xstats_out(&j, o->json, dev_id);
	if (o->json) {
		th_json_obj_close(&j);
		th_json_end(&j);
	}
	if (ret < 0)
		TH_LOG(ERR, "device %d: cannot read extended statistics: %s", dev_id,
		       strerror(-ret));
	return ret;
}
