/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * The hvdev_uio PMD: one hvdev device per low-speed VMBus channel, on the vdev bus (the way
 * vdev_netvsc attaches to kernel-provided devices). Created with --vdev=hvdev_uio0,class=fcopy
 * (or uuid=<instance>), or automatically for every low-speed device bound to uio_hv_generic
 * when no hvdev_uio device is given.
 */

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <bus_vdev_driver.h>
#include <rte_devargs.h>
#include <rte_errno.h>
#include <rte_kvargs.h>

#include <rte_hvdev.h>
#include <rte_hvdev_pmd.h>

#include "hvdev_uio_chan.h"
#include "hvdev_uio_log.h"
#include "hvdev_uio_priv.h"

#define HVDEV_UIO_DRIVER_NAME "hvdev_uio"
#define HVDEV_UIO_ROOT_ENV "HVDEV_ROOT"

#define ARG_CLASS "class"
#define ARG_UUID "uuid"
#define ARG_ROOT "root"
#define ARG_WAIT_MS "wait_ms"
#define ARG_IGNORE "ignore"

static const char *const valid_args[] = {
	ARG_CLASS, ARG_UUID, ARG_ROOT, ARG_WAIT_MS, ARG_IGNORE, NULL,
};

struct hvdev_uio_private {
	struct hvdev_chan *chan;
	struct hvdev_uio_args args;
	/* Counters of channels closed by reattach, so that stats survive a rescind. */
	struct hvdev_chan_stats carried;
	bool rescind_reported;
};

static struct hvdev_uio_private *
priv_of(struct rte_hvdev *dev)
{
	return dev->dev_private;
}

/* Report a rescind once, from whichever call noticed it. */
static int
check_event(struct rte_hvdev *dev, int ret)
{
	struct hvdev_uio_private *p = priv_of(dev);

	if (ret == -EIO && !p->rescind_reported &&
	    hvdev_chan_state(p->chan) == HVDEV_CHAN_RESCINDED) {
		p->rescind_reported = true;
		rte_hvdev_pmd_event(dev, RTE_HVDEV_EVENT_RESCIND);
	}
	return ret;
}

static int
uio_info_get(struct rte_hvdev *dev, struct rte_hvdev_info *info)
{
	struct hvdev_chan *ch = priv_of(dev)->chan;
	const struct hvdev_uio_devinfo *di = hvdev_chan_info(ch);

	info->driver_name = HVDEV_UIO_DRIVER_NAME;
	rte_uuid_copy(info->class_id, di->class_id);
	rte_uuid_copy(info->instance_id, di->instance_id);
	info->relid = di->relid;
	info->tx_ring_data_size = hvdev_chan_data_size(ch);
	info->rx_ring_data_size = hvdev_chan_data_size(ch);
	info->max_payload = hvdev_chan_max_payload(ch);
	info->has_monitor = di->has_monitor;
	info->node_kind = hvdev_chan_node_kind(ch) == HVDEV_NODE_UIO ? RTE_HVDEV_NODE_UIO :
								       RTE_HVDEV_NODE_SIM;
	switch (hvdev_chan_state(ch)) {
	case HVDEV_CHAN_OPEN:
		info->state = RTE_HVDEV_STATE_READY;
		break;
	case HVDEV_CHAN_RESCINDED:
		info->state = RTE_HVDEV_STATE_RESCINDED;
		break;
	case HVDEV_CHAN_BROKEN:
		info->state = RTE_HVDEV_STATE_BROKEN;
		break;
	}
	return 0;
}

static int
uio_configure(struct rte_hvdev *dev, const struct rte_hvdev_conf *conf)
{
	/* Poll mode: the host need not interrupt us at all. */
	if (!conf->intr_mode)
		hvdev_chan_intr_disarm(priv_of(dev)->chan);
	return 0;
}

static int
uio_stop(struct rte_hvdev *dev)
{
	hvdev_chan_intr_disarm(priv_of(dev)->chan);
	return 0;
}

static int
uio_close(struct rte_hvdev *dev)
{
	struct hvdev_uio_private *p = priv_of(dev);

	hvdev_chan_close(p->chan);
	p->chan = NULL;
	return 0;
}

static int
uio_recv(struct rte_hvdev *dev, struct rte_hvdev_pkt *pkt, void *buf, uint32_t size)
{
	struct hvdev_pkt_meta meta;
	int ret;

	ret = hvdev_chan_recv(priv_of(dev)->chan, &meta, buf, size);
	if (ret == 0 || ret == -ENOBUFS) {
		pkt->type = meta.type;
		pkt->flags = meta.flags;
		pkt->xactid = meta.xactid;
		pkt->len = meta.len;
	}
	return check_event(dev, ret);
}

static int
uio_send(struct rte_hvdev *dev, uint16_t type, uint16_t flags, uint64_t xactid,
	 const struct iovec *iov, unsigned int iovcnt)
{
	return check_event(dev, hvdev_chan_send(priv_of(dev)->chan, type, flags, xactid, iov,
						iovcnt));
}

static int
uio_wait_tx(struct rte_hvdev *dev, uint32_t len, int timeout_ms)
{
	return check_event(dev, hvdev_chan_wait_tx_space(priv_of(dev)->chan, len, timeout_ms));
}

static int
uio_wait(struct rte_hvdev *dev, int timeout_ms)
{
	return check_event(dev, hvdev_chan_wait(priv_of(dev)->chan, timeout_ms));
}

static int
uio_intr_enable(struct rte_hvdev *dev)
{
	/*
	 * No read of the node here: the caller consumed the notification that woke it
	 * (rte_hvdev_intr_ack()), and one that arrived since only wakes it once more, to find
	 * the ring as the re-check below does. A read here would cost a system call per sleep.
	 */
	return check_event(dev, hvdev_chan_intr_arm(priv_of(dev)->chan));
}

static int
uio_intr_disable(struct rte_hvdev *dev)
{
	hvdev_chan_intr_disarm(priv_of(dev)->chan);
	return 0;
}

static int
uio_intr_ack(struct rte_hvdev *dev)
{
	return check_event(dev, hvdev_chan_intr_ack(priv_of(dev)->chan));
}

static int
uio_intr_fd(struct rte_hvdev *dev)
{
	return hvdev_chan_fd(priv_of(dev)->chan);
}

static int
uio_rx_pending(struct rte_hvdev *dev)
{
	struct hvdev_chan *ch = priv_of(dev)->chan;

	if (hvdev_chan_rx_pending(ch))
		return 1;
	return check_event(dev, hvdev_chan_state(ch) == HVDEV_CHAN_OPEN ? 0 : -EIO);
}

static void
stats_add(struct hvdev_chan_stats *sum, const struct hvdev_chan_stats *s)
{
	sum->rx_packets += s->rx_packets;
	sum->rx_bytes += s->rx_bytes;
	sum->tx_packets += s->tx_packets;
	sum->tx_bytes += s->tx_bytes;
	sum->interrupts += s->interrupts;
	sum->wakeups += s->wakeups;
	sum->signals += s->signals;
	sum->tx_ring_full += s->tx_ring_full;
	sum->protocol_errors += s->protocol_errors;
	sum->rescinds += s->rescinds;
}

static int
uio_stats_get(struct rte_hvdev *dev, struct rte_hvdev_stats *stats)
{
	struct hvdev_uio_private *p = priv_of(dev);
	struct hvdev_chan_stats s;

	hvdev_chan_stats_get(p->chan, &s);
	stats_add(&s, &p->carried);
	stats->rx_packets = s.rx_packets;
	stats->rx_bytes = s.rx_bytes;
	stats->tx_packets = s.tx_packets;
	stats->tx_bytes = s.tx_bytes;
	stats->interrupts = s.interrupts;
	stats->wakeups = s.wakeups;
	stats->signals = s.signals;
	stats->tx_ring_full = s.tx_ring_full;
	stats->protocol_errors = s.protocol_errors;
	stats->rescinds = s.rescinds;
	return 0;
}

static int
uio_stats_reset(struct rte_hvdev *dev)
{
	struct hvdev_uio_private *p = priv_of(dev);

	memset(&p->carried, 0, sizeof(p->carried));
	hvdev_chan_stats_reset(p->chan);
	return 0;
}

/* The same device (class and instance) offered again: open its new channel. */
static int
uio_reattach(struct rte_hvdev *dev, int timeout_ms)
{
	struct hvdev_uio_private *p = priv_of(dev);
	const struct hvdev_uio_devinfo *old = hvdev_chan_info(p->chan);
	struct hvdev_uio_devinfo info;
	struct hvdev_chan_stats s;
	struct hvdev_chan *ch;
	char err[512];
	int ret;

	ret = hvdev_uio_discover(p->args.root, old->class_id, old->instance_id,
				 timeout_ms < 0 ? UINT_MAX : (unsigned int)timeout_ms, &info, err,
				 sizeof(err));
	if (ret < 0) {
		HVDEV_UIO_LOG(INFO, "%s: not offered again yet: %s", dev->name, err);
		return ret == -ENOENT ? -ETIMEDOUT : ret;
	}
	/*
	 * The kernel removes a rescinded device asynchronously: for a moment its sysfs entry
	 * and node are still there, with rings that may already be freed. That node is the one
	 * our channel opened; the device offered again always comes with a new node. Not
	 * offered again yet, then (the library retries until the caller's timeout).
	 */
	if (hvdev_chan_state(p->chan) == HVDEV_CHAN_RESCINDED && hvdev_chan_same_node(p->chan,
										      &info)) {
		HVDEV_UIO_LOG(DEBUG, "%s: %s still belongs to the rescinded device", dev->name,
			      info.node_path);
		return -EAGAIN;
	}
	ret = hvdev_chan_open(&info, &ch);
	if (ret < 0)
		return ret;
	hvdev_chan_stats_get(p->chan, &s);
	stats_add(&p->carried, &s);
	hvdev_chan_close(p->chan);
	p->chan = ch;
	p->rescind_reported = false;
	HVDEV_UIO_LOG(NOTICE, "%s: reattached to %s on %s", dev->name, info.instance_str,
		      info.node_path);
	return 0;
}

static int
uio_dump(struct rte_hvdev *dev, FILE *f)
{
	const struct hvdev_uio_devinfo *di = hvdev_chan_info(priv_of(dev)->chan);

	fprintf(f, "  node %s, sysfs %s, channel %s\n", di->node_path, di->sysfs_dir,
		hvdev_chan_state_str(hvdev_chan_state(priv_of(dev)->chan)));
	return 0;
}

static const struct rte_hvdev_ops hvdev_uio_ops = {
	.dev_info_get = uio_info_get,
	.dev_configure = uio_configure,
	.dev_stop = uio_stop,
	.dev_close = uio_close,
	.recv = uio_recv,
	.send = uio_send,
	.wait_tx = uio_wait_tx,
	.wait = uio_wait,
	.intr_enable = uio_intr_enable,
	.intr_disable = uio_intr_disable,
	.intr_ack = uio_intr_ack,
	.intr_fd = uio_intr_fd,
	.rx_pending = uio_rx_pending,
	.stats_get = uio_stats_get,
	.stats_reset = uio_stats_reset,
	.reattach = uio_reattach,
	.dump = uio_dump,
};

static int
arg_class(const char *key, const char *value, void *opaque)
{
	struct hvdev_uio_args *a = opaque;

	RTE_SET_USED(key);
	if (rte_hvdev_class_parse(value, a->class_id) < 0) {
		HVDEV_UIO_LOG(ERR, "unknown class '%s': use fcopy, kvp, vss, heartbeat, shutdown, "
			      "timesync or a class GUID", value);
		return -EINVAL;
	}
	a->has_class = true;
	return 0;
}

static int
arg_uuid(const char *key, const char *value, void *opaque)
{
	struct hvdev_uio_args *a = opaque;
	char buf[RTE_UUID_STRLEN + 2];
	size_t n = strlen(value);

	RTE_SET_USED(key);
	if (n >= 2 && n < sizeof(buf) && value[0] == '{' && value[n - 1] == '}') {
		memcpy(buf, value + 1, n - 2);
		buf[n - 2] = '\0';
		value = buf;
	}
	if (rte_uuid_parse(value, a->instance_id) < 0) {
		HVDEV_UIO_LOG(ERR, "uuid '%s' is not a GUID", value);
		return -EINVAL;
	}
	a->has_uuid = true;
	return 0;
}

static int
arg_root(const char *key, const char *value, void *opaque)
{
	struct hvdev_uio_args *a = opaque;

	RTE_SET_USED(key);
	if (value[0] != '/' || strlen(value) >= sizeof(a->root)) {
		HVDEV_UIO_LOG(ERR, "root '%s' must be an absolute path", value);
		return -EINVAL;
	}
	strcpy(a->root, value);
	return 0;
}

static int
arg_uint(const char *value, unsigned int max, unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(value, &end, 10);
	if (value[0] == '\0' || value[0] == '-' || *end != '\0' || errno != 0 || v > max)
		return -EINVAL;
	*out = (unsigned int)v;
	return 0;
}

static int
arg_wait(const char *key, const char *value, void *opaque)
{
	struct hvdev_uio_args *a = opaque;

	RTE_SET_USED(key);
	if (arg_uint(value, 3600000, &a->wait_ms) < 0) {
		HVDEV_UIO_LOG(ERR, "wait_ms '%s' is not a number of milliseconds up to 3600000",
			      value);
		return -EINVAL;
	}
	return 0;
}

static int
arg_ignore(const char *key, const char *value, void *opaque)
{
	struct hvdev_uio_args *a = opaque;
	unsigned int v;

	RTE_SET_USED(key);
	if (arg_uint(value, 1, &v) < 0) {
		HVDEV_UIO_LOG(ERR, "ignore '%s' must be 0 or 1", value);
		return -EINVAL;
	}
	a->ignore = v;
	return 0;
}

int
hvdev_uio_parse_args(const char *name, const char *params, struct hvdev_uio_args *a)
{
	struct rte_kvargs *kv;
	const char *env = getenv(HVDEV_UIO_ROOT_ENV);
	unsigned int i;
	int ret = 0;

	memset(a, 0, sizeof(*a));
	snprintf(a->root, sizeof(a->root), "%s", env != NULL && env[0] == '/' ? env : "/");
	if (params == NULL || params[0] == '\0')
		return 0;
	kv = rte_kvargs_parse(params, valid_args);
	if (kv == NULL) {
		HVDEV_UIO_LOG(ERR, "%s: cannot parse devargs '%s' (keys: class, uuid, root, "
			      "wait_ms, ignore)", name, params);
		return -EINVAL;
	}
	/* kvargs accepts a bare "key" with a NULL value; no handler expects one. */
	for (i = 0; i < kv->count; i++) {
		if (kv->pairs[i].value == NULL) {
			HVDEV_UIO_LOG(ERR, "%s: devargs key '%s' needs a value (%s=...)", name,
				      kv->pairs[i].key, kv->pairs[i].key);
			rte_kvargs_free(kv);
			return -EINVAL;
		}
	}
	if (rte_kvargs_process(kv, ARG_CLASS, arg_class, a) < 0 ||
	    rte_kvargs_process(kv, ARG_UUID, arg_uuid, a) < 0 ||
	    rte_kvargs_process(kv, ARG_ROOT, arg_root, a) < 0 ||
	    rte_kvargs_process(kv, ARG_WAIT_MS, arg_wait, a) < 0 ||
	    rte_kvargs_process(kv, ARG_IGNORE, arg_ignore, a) < 0) {
		HVDEV_UIO_LOG(ERR, "%s: invalid devargs '%s'", name, params);
		ret = -EINVAL;
	}
	rte_kvargs_free(kv);
	return ret;
}

static int
hvdev_uio_probe(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	struct hvdev_uio_private *p;
	struct hvdev_uio_devinfo info;
	struct hvdev_uio_args args;
	struct rte_hvdev *dev;
	struct hvdev_chan *ch;
	char err[512];
	int ret;

	ret = hvdev_uio_parse_args(name, rte_vdev_device_args(vdev), &args);
	if (ret < 0)
		return ret;
	if (args.ignore) {
		HVDEV_UIO_LOG(INFO, "%s: ignore=1, no device created", name);
		return 0;
	}
	ret = hvdev_uio_discover(args.root, args.has_class ? args.class_id : NULL,
				 args.has_uuid ? args.instance_id : NULL, args.wait_ms, &info,
				 err, sizeof(err));
	if (ret < 0) {
		HVDEV_UIO_LOG(ERR, "%s: %s", name, err);
		return ret;
	}
	ret = hvdev_chan_open(&info, &ch);
	if (ret < 0)
		return ret;
	dev = rte_hvdev_pmd_allocate(name, vdev->device.numa_node, sizeof(*p));
	if (dev == NULL) {
		hvdev_chan_close(ch);
		return -rte_errno;
	}
	p = dev->dev_private;
	p->chan = ch;
	p->args = args;
	dev->dev_ops = &hvdev_uio_ops;
	dev->device = &vdev->device;
	rte_hvdev_pmd_ready(dev);
	HVDEV_UIO_LOG(INFO, "%s: %s device %s on %s", name,
		      rte_hvdev_class_name(info.class_id), info.instance_str, info.node_path);
	return 0;
}

static int
hvdev_uio_remove(struct rte_vdev_device *vdev)
{
	struct rte_hvdev *dev = rte_hvdev_pmd_get_named_dev(rte_vdev_device_name(vdev));

	if (dev == NULL)
		return 0;	/* ignore=1, or closed by the application already */
	if (dev->slot == RTE_HVDEV_SLOT_READY && dev->started)
		rte_hvdev_stop(dev->dev_id);
	return rte_hvdev_pmd_release(dev);
}

static struct rte_vdev_driver hvdev_uio_drv = {
	.probe = hvdev_uio_probe,
	.remove = hvdev_uio_remove,
};

RTE_PMD_REGISTER_VDEV(hvdev_uio, hvdev_uio_drv);
RTE_PMD_REGISTER_PARAM_STRING(hvdev_uio,
	ARG_CLASS "=<fcopy|kvp|vss|heartbeat|shutdown|timesync|guid> "
	ARG_UUID "=<instance guid> "
	ARG_ROOT "=<path> "
	ARG_WAIT_MS "=<int> "
	ARG_IGNORE "=<0|1>");
RTE_PMD_REGISTER_KMOD_DEP(hvdev_uio, "* uio_hv_generic");

static bool
user_gave_hvdev_uio(void)
{
	struct rte_devargs *da;

	RTE_EAL_DEVARGS_FOREACH("vdev", da) {
		if (strncmp(da->name, HVDEV_UIO_DRIVER_NAME, strlen(HVDEV_UIO_DRIVER_NAME)) == 0)
			return true;
	}
	return false;
}

static int
autoscan_add(const struct hvdev_uio_devinfo *info, void *arg)
{
	const char *root = arg;
	char devargs[PATH_MAX + 128];

	snprintf(devargs, sizeof(devargs), "%s_%s,%s=%s,%s=%s", HVDEV_UIO_DRIVER_NAME,
		 info->instance_str, ARG_UUID, info->instance_str, ARG_ROOT, root);
	if (rte_devargs_add(RTE_DEVTYPE_VIRTUAL, devargs) < 0)
		HVDEV_UIO_LOG(ERR, "cannot add device %s", devargs);
	else
		HVDEV_UIO_LOG(DEBUG, "found %s", devargs);
	return 0;
}

/*
 * The vdev_netvsc pattern: with no hvdev_uio device on the command line, create one for each
 * low-speed device bound to uio_hv_generic. --vdev=hvdev_uio,ignore=1 turns this off.
 */
static void
hvdev_uio_autoscan(void *arg)
{
	const char *env = getenv(HVDEV_UIO_ROOT_ENV);
	char root[PATH_MAX];

	RTE_SET_USED(arg);
	if (user_gave_hvdev_uio())
		return;
	snprintf(root, sizeof(root), "%s", env != NULL && env[0] == '/' ? env : "/");
	hvdev_uio_scan(root, autoscan_add, root);
}

RTE_INIT(hvdev_uio_init)
{
	rte_vdev_add_custom_scan(hvdev_uio_autoscan, NULL);
}
