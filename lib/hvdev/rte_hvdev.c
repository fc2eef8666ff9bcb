/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * The hvdev class library: the device table, the life cycle every PMD gets enforced, the data
 * path entry points, the wait policy (busy-poll budget, then interrupt), events and
 * statistics.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/queue.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_interrupts.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_pause.h>
#include <rte_spinlock.h>

#include "rte_hvdev.h"
#include "rte_hvdev_ic.h"
#include "rte_hvdev_pmd.h"
#include "hvdev_private.h"

/* Upper limit of rte_hvdev_conf.recheck_ms: an hour. */
#define HVDEV_RECHECK_MS_MAX 3600000u
/* Pause between two attempts of a reattach that raced the host's offer. */
#define HVDEV_REATTACH_RETRY_US 50000

RTE_LOG_REGISTER_DEFAULT(hvdev_logtype, INFO);

static struct rte_hvdev *hvdev_devices;
static size_t hvdev_max = RTE_HVDEV_DEFAULT_MAX;
static rte_spinlock_t hvdev_lock = RTE_SPINLOCK_INITIALIZER;

struct hvdev_callback {
	TAILQ_ENTRY(hvdev_callback) next;
	int16_t dev_id;
	enum rte_hvdev_event event;
	rte_hvdev_event_cb cb;
	void *arg;
};
static TAILQ_HEAD(, hvdev_callback) hvdev_callbacks = TAILQ_HEAD_INITIALIZER(hvdev_callbacks);
static rte_spinlock_t hvdev_cb_lock = RTE_SPINLOCK_INITIALIZER;

int
rte_hvdev_dev_max(size_t dev_max)
{
	/* The table is allocated on first use; its size cannot change after that. */
	if (dev_max == 0 || dev_max > INT16_MAX || hvdev_devices != NULL)
		return -EINVAL;
	hvdev_max = dev_max;
	return 0;
}

static int
table_prepare(void)
{
	if (hvdev_devices != NULL)
		return 0;
	hvdev_devices = calloc(hvdev_max, sizeof(*hvdev_devices));
	return hvdev_devices == NULL ? -ENOMEM : 0;
}

struct rte_hvdev *
hvdev_get(int16_t dev_id)
{
	if (hvdev_devices == NULL || dev_id < 0 || (size_t)dev_id >= hvdev_max ||
	    hvdev_devices[dev_id].slot != RTE_HVDEV_SLOT_READY)
		return NULL;
	return &hvdev_devices[dev_id];
}

bool
rte_hvdev_is_valid(int16_t dev_id)
{
	return hvdev_get(dev_id) != NULL;
}

uint16_t
rte_hvdev_count_avail(void)
{
	uint16_t n = 0;
	size_t i;

	for (i = 0; hvdev_devices != NULL && i < hvdev_max; i++)
		n += hvdev_devices[i].slot == RTE_HVDEV_SLOT_READY;
	return n;
}

int16_t
rte_hvdev_next_dev(int16_t start_dev_id)
{
	int16_t i;

	for (i = RTE_MAX(start_dev_id, 0); hvdev_devices != NULL && (size_t)i < hvdev_max; i++)
		if (hvdev_devices[i].slot == RTE_HVDEV_SLOT_READY)
			return i;
	return -1;
}

struct rte_hvdev *
rte_hvdev_pmd_get_named_dev(const char *name)
{
	size_t i;

	if (name == NULL || hvdev_devices == NULL)
		return NULL;
	for (i = 0; i < hvdev_max; i++)
		if (hvdev_devices[i].slot != RTE_HVDEV_SLOT_UNUSED &&
		    strcmp(hvdev_devices[i].name, name) == 0)
			return &hvdev_devices[i];
	return NULL;
}

int
rte_hvdev_get_dev_id_by_name(const char *name)
{
	struct rte_hvdev *dev;

	if (name == NULL)
		return -EINVAL;
	dev = rte_hvdev_pmd_get_named_dev(name);
	return dev != NULL && dev->slot == RTE_HVDEV_SLOT_READY ? dev->dev_id : -ENODEV;
}

int
rte_hvdev_class_parse(const char *str, rte_uuid_t class_id)
{
	return rte_hvdev_ic_class_parse(str, class_id);
}

const char *
rte_hvdev_class_name(const rte_uuid_t class_id)
{
	const struct rte_hvdev_ic_class *c = rte_hvdev_ic_class_by_guid(class_id);

	return c != NULL ? c->name : "unknown";
}

int
rte_hvdev_find_by_class(const rte_uuid_t class_id, int16_t start_dev_id)
{
	struct rte_hvdev_info info;
	int16_t id;

	if (class_id == NULL)
		return -EINVAL;
	for (id = rte_hvdev_next_dev(start_dev_id); id != -1; id = rte_hvdev_next_dev(id + 1))
		if (rte_hvdev_info_get(id, &info) == 0 &&
		    rte_uuid_compare(info.class_id, class_id) == 0)
			return id;
	return -ENODEV;
}

struct rte_hvdev *
rte_hvdev_pmd_allocate(const char *name, int numa_node, size_t priv_size)
{
	struct rte_hvdev *dev = NULL;
	size_t i;

	if (name == NULL || name[0] == '\0' || strlen(name) >= RTE_HVDEV_NAME_MAX_LEN) {
		rte_errno = EINVAL;
		return NULL;
	}
	rte_spinlock_lock(&hvdev_lock);
	if (table_prepare() < 0) {
		rte_errno = ENOMEM;
		goto out;
	}
	if (rte_hvdev_pmd_get_named_dev(name) != NULL) {
		HVDEV_LOG(ERR, "device %s already exists", name);
		rte_errno = EEXIST;
		goto out;
	}
	for (i = 0; i < hvdev_max; i++) {
		if (hvdev_devices[i].slot == RTE_HVDEV_SLOT_UNUSED) {
			dev = &hvdev_devices[i];
			break;
		}
	}
	if (dev == NULL) {
		HVDEV_LOG(ERR, "no free slot for %s: %zu devices at most (rte_hvdev_dev_max)",
			  name, hvdev_max);
		rte_errno = ENOSPC;
		goto out;
	}
	memset(dev, 0, sizeof(*dev));
	if (priv_size > 0) {
		dev->dev_private = rte_zmalloc_socket(name, priv_size, RTE_CACHE_LINE_SIZE,
						      numa_node);
		if (dev->dev_private == NULL) {
			rte_errno = ENOMEM;
			dev = NULL;
			goto out;
		}
	}
	strcpy(dev->name, name);
	dev->dev_id = (int16_t)i;
	dev->numa_node = numa_node;
	dev->epoll_fd = -1;
	dev->slot = RTE_HVDEV_SLOT_REGISTERED;
out:
	rte_spinlock_unlock(&hvdev_lock);
	return dev;
}

void
rte_hvdev_pmd_ready(struct rte_hvdev *dev)
{
	dev->slot = RTE_HVDEV_SLOT_READY;
	HVDEV_LOG(DEBUG, "device %s ready as id %d", dev->name, dev->dev_id);
}

static void
slot_free(struct rte_hvdev *dev)
{
	rte_free(dev->dev_private);
	memset(dev, 0, sizeof(*dev));
}

int
rte_hvdev_pmd_release(struct rte_hvdev *dev)
{
	if (dev == NULL || dev->slot == RTE_HVDEV_SLOT_UNUSED)
		return -EINVAL;
	if (dev->slot == RTE_HVDEV_SLOT_READY)
		return rte_hvdev_close(dev->dev_id);
	slot_free(dev);
	return 0;
}

int
rte_hvdev_info_get(int16_t dev_id, struct rte_hvdev_info *info)
{
	struct rte_hvdev *dev = hvdev_get(dev_id);
	int ret;

	if (dev == NULL || info == NULL)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	ret = dev->dev_ops->dev_info_get(dev, info);
	if (ret < 0)
		return ret;
	/* What the library knows better than the PMD. */
	info->dev_name = dev->name;
	info->numa_node = dev->numa_node;
	info->class_name = rte_hvdev_class_name(info->class_id);
	if (info->state == RTE_HVDEV_STATE_READY && dev->started)
		info->state = RTE_HVDEV_STATE_RUNNING;
	return 0;
}

const char *
rte_hvdev_state_str(enum rte_hvdev_state state)
{
	switch (state) {
	case RTE_HVDEV_STATE_READY:
		return "ready";
	case RTE_HVDEV_STATE_RUNNING:
		return "running";
	case RTE_HVDEV_STATE_RESCINDED:
		return "rescinded";
	case RTE_HVDEV_STATE_BROKEN:
		return "broken";
	}
	return "unknown";
}

int
rte_hvdev_configure(int16_t dev_id, const struct rte_hvdev_conf *conf)
{
	struct rte_hvdev *dev = hvdev_get(dev_id);
	int ret;

	if (dev == NULL || conf == NULL)
		return -EINVAL;
	if (dev->started) {
		HVDEV_LOG(ERR, "%s: stop the device before configuring it", dev->name);
		return -EBUSY;
	}
	if (conf->busy_poll_us > 1000000) {
		HVDEV_LOG(ERR, "%s: busy-poll budget %u us is over 1 s", dev->name,
			  conf->busy_poll_us);
		return -EINVAL;
	}
	if (conf->recheck_ms > HVDEV_RECHECK_MS_MAX) {
		HVDEV_LOG(ERR, "%s: re-check interval %u ms is over an hour", dev->name,
			  conf->recheck_ms);
		return -EINVAL;
	}
	if (dev->dev_ops->dev_configure != NULL) {
		ret = dev->dev_ops->dev_configure(dev, conf);
		if (ret < 0)
			return ret;
	}
	dev->conf = *conf;
	dev->configured = true;
	return 0;
}

int
rte_hvdev_start(int16_t dev_id)
{
	struct rte_hvdev *dev = hvdev_get(dev_id);
	int ret;

	if (dev == NULL)
		return -EINVAL;
	if (!dev->configured) {
		HVDEV_LOG(ERR, "%s: configure the device before starting it", dev->name);
		return -EINVAL;
	}
	if (dev->started) {
		HVDEV_LOG(WARNING, "%s: already started", dev->name);
		return 0;
	}
	if (dev->dev_ops->dev_start != NULL) {
		ret = dev->dev_ops->dev_start(dev);
		if (ret < 0)
			return ret;
	}
	dev->started = true;
	return 0;
}

int
rte_hvdev_stop(int16_t dev_id)
{
	struct rte_hvdev *dev = hvdev_get(dev_id);
	int ret;

	if (dev == NULL)
		return -EINVAL;
	if (!dev->started) {
		HVDEV_LOG(WARNING, "%s: already stopped", dev->name);
		return 0;
	}
	if (dev->dev_ops->dev_stop != NULL) {
		ret = dev->dev_ops->dev_stop(dev);
		if (ret < 0)
			return ret;
	}
	dev->started = false;
	return 0;
}

int
rte_hvdev_close(int16_t dev_id)
{
	struct rte_hvdev *dev = hvdev_get(dev_id);
	int ret;

	if (dev == NULL)
		return -EINVAL;
	if (dev->started) {
		HVDEV_LOG(ERR, "%s: stop the device before closing it", dev->name);
		return -EBUSY;
	}
	if (dev->epoll_added)
		rte_hvdev_intr_ctl(dev_id, dev->epoll_fd, RTE_INTR_EVENT_DEL, NULL);
	ret = dev->dev_ops->dev_close(dev);
	if (ret < 0)
		return ret;
	rte_spinlock_lock(&hvdev_lock);
	slot_free(dev);
	rte_spinlock_unlock(&hvdev_lock);
	return 0;
}

/* Data-path entry: a valid, started device. */
static struct rte_hvdev *
running_dev(int16_t dev_id)
{
	struct rte_hvdev *dev = hvdev_get(dev_id);

	return dev != NULL && dev->started ? dev : NULL;
}

int
rte_hvdev_recv(int16_t dev_id, struct rte_hvdev_pkt *pkt, void *buf, uint32_t size)
{
	struct rte_hvdev *dev = running_dev(dev_id);

	if (dev == NULL || pkt == NULL || (buf == NULL && size > 0))
		return -EINVAL;
	return dev->dev_ops->recv(dev, pkt, buf, size);
}

int
rte_hvdev_send(int16_t dev_id, uint16_t type, uint16_t flags, uint64_t xactid,
	       const struct iovec *iov, unsigned int iovcnt)
{
	struct rte_hvdev *dev = running_dev(dev_id);

	if (dev == NULL || (iov == NULL && iovcnt > 0))
		return -EINVAL;
	return dev->dev_ops->send(dev, type, flags, xactid, iov, iovcnt);
}

int
rte_hvdev_wait_tx(int16_t dev_id, uint32_t len, int timeout_ms)
{
	struct rte_hvdev *dev = running_dev(dev_id);

	if (dev == NULL)
		return -EINVAL;
	if (dev->dev_ops->wait_tx == NULL)
		return -ENOTSUP;
	return dev->dev_ops->wait_tx(dev, len, timeout_ms);
}

/* Poll for up to @p us microseconds. 1 when a packet arrived, 0 when not, <0 error. */
static int
busy_poll(struct rte_hvdev *dev, uint64_t us)
{
	uint64_t end = rte_get_timer_cycles() + us * rte_get_timer_hz() / 1000000;
	int ret;

	do {
		ret = dev->dev_ops->rx_pending(dev);
		if (ret != 0)
			return ret;
		rte_pause();
	} while (rte_get_timer_cycles() < end);
	return 0;
}

/* The timer-cycle deadline @p timeout_ms from now; UINT64_MAX for none (a negative timeout). */
static uint64_t
deadline_after_ms(int timeout_ms)
{
	return timeout_ms < 0 ? UINT64_MAX :
	       rte_get_timer_cycles() + (uint64_t)timeout_ms * rte_get_timer_hz() / 1000;
}

/* Whole milliseconds left until @p end, rounded up and at most @p cap (cap when no deadline). */
static uint64_t
ms_left(uint64_t end, uint64_t cap)
{
	uint64_t now, hz = rte_get_timer_hz();

	if (end == UINT64_MAX)
		return cap;
	now = rte_get_timer_cycles();
	return now >= end ? 0 : RTE_MIN(((end - now) * 1000 + hz - 1) / hz, cap);
}

/*
 * Sleep in slices of at most conf.recheck_ms, looking at the ring after each: a lost
 * interrupt (a host that drops one, or a bug) then costs latency instead of a guest that
 * sleeps for ever over a full ring, as nothing else would wake it.
 */
static int
wait_rechecking(struct rte_hvdev *dev, int timeout_ms)
{
	uint64_t end = deadline_after_ms(timeout_ms);
	int ret;

	if (dev->conf.recheck_ms == 0)
		return dev->dev_ops->wait(dev, timeout_ms);
	for (;;) {
		ret = dev->dev_ops->wait(dev, (int)ms_left(end, dev->conf.recheck_ms));
		if (ret != 0 || (end != UINT64_MAX && rte_get_timer_cycles() >= end))
			return ret;
	}
}

int
rte_hvdev_wait(int16_t dev_id, int timeout_ms)
{
	struct rte_hvdev *dev = running_dev(dev_id);
	uint64_t budget_us;
	int ret;

	if (dev == NULL)
		return -EINVAL;
	ret = dev->dev_ops->rx_pending(dev);
	if (ret != 0 || timeout_ms == 0)
		return ret;
	if (!dev->conf.intr_mode) {
		/* Poll mode: spin for the whole timeout (forever is a long spin). */
		budget_us = timeout_ms < 0 ? UINT64_MAX / 2 / rte_get_timer_hz() :
			    (uint64_t)timeout_ms * 1000;
		return busy_poll(dev, budget_us);
	}
	if (dev->conf.busy_poll_us > 0) {
		budget_us = dev->conf.busy_poll_us;
		if (timeout_ms >= 0)
			budget_us = RTE_MIN(budget_us, (uint64_t)timeout_ms * 1000);
		ret = busy_poll(dev, budget_us);
		if (ret != 0) {
			dev->busy_poll_hits += ret > 0;
			return ret;
		}
		if (timeout_ms >= 0)
			timeout_ms -= (int)(budget_us / 1000);
		if (timeout_ms == 0)
			return 0;
	}
	dev->sleeps++;
	return wait_rechecking(dev, timeout_ms);
}

int
rte_hvdev_intr_enable(int16_t dev_id)
{
	struct rte_hvdev *dev = running_dev(dev_id);

	if (dev == NULL)
		return -EINVAL;
	if (!dev->conf.intr_mode || dev->dev_ops->intr_enable == NULL)
		return -ENOTSUP;
	return dev->dev_ops->intr_enable(dev);
}

int
rte_hvdev_intr_disable(int16_t dev_id)
{
	struct rte_hvdev *dev = running_dev(dev_id);

	if (dev == NULL)
		return -EINVAL;
	if (dev->dev_ops->intr_disable == NULL)
		return -ENOTSUP;
	return dev->dev_ops->intr_disable(dev);
}

int
rte_hvdev_intr_fd(int16_t dev_id)
{
	struct rte_hvdev *dev = hvdev_get(dev_id);

	if (dev == NULL)
		return -EINVAL;
	if (dev->dev_ops->intr_fd == NULL)
		return -ENOTSUP;
	return dev->dev_ops->intr_fd(dev);
}

int
rte_hvdev_intr_ack(int16_t dev_id)
{
	struct rte_hvdev *dev = hvdev_get(dev_id);

	if (dev == NULL)
		return -EINVAL;
	if (dev->dev_ops->intr_ack == NULL)
		return -ENOTSUP;
	return dev->dev_ops->intr_ack(dev);
}

int
rte_hvdev_intr_ctl(int16_t dev_id, int epfd, int op, void *data)
{
	struct rte_hvdev *dev = hvdev_get(dev_id);
	int fd, ret;

	if (dev == NULL)
		return -EINVAL;
	fd = rte_hvdev_intr_fd(dev_id);
	if (fd < 0)
		return fd;
	switch (op) {
	case RTE_INTR_EVENT_ADD:
		if (dev->epoll_added)
			return -EEXIST;
		memset(&dev->epoll_ev, 0, sizeof(dev->epoll_ev));
		dev->epoll_ev.epdata.event = EPOLLIN | EPOLLPRI | EPOLLET;
		dev->epoll_ev.epdata.data = data;
		ret = rte_epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &dev->epoll_ev);
		if (ret < 0)
			return ret;
		dev->epoll_added = true;
		dev->epoll_fd = epfd;
		return 0;
	case RTE_INTR_EVENT_DEL:
		if (!dev->epoll_added)
			return -ENOENT;
		ret = rte_epoll_ctl(dev->epoll_fd, EPOLL_CTL_DEL, fd, &dev->epoll_ev);
		dev->epoll_added = false;
		dev->epoll_fd = -1;
		return ret;
	default:
		return -EINVAL;
	}
}

int
rte_hvdev_stats_get(int16_t dev_id, struct rte_hvdev_stats *stats)
{
	struct rte_hvdev *dev = hvdev_get(dev_id);

	if (dev == NULL || stats == NULL)
		return -EINVAL;
	memset(stats, 0, sizeof(*stats));
	if (dev->dev_ops->stats_get == NULL)
		return -ENOTSUP;
	return dev->dev_ops->stats_get(dev, stats);
}

int
rte_hvdev_stats_reset(int16_t dev_id)
{
	struct rte_hvdev *dev = hvdev_get(dev_id);

	if (dev == NULL)
		return -EINVAL;
	dev->busy_poll_hits = 0;
	dev->sleeps = 0;
	dev->reattaches = 0;
	if (dev->dev_ops->stats_reset == NULL)
		return -ENOTSUP;
	return dev->dev_ops->stats_reset(dev);
}

/* Extended statistics: the basic ones, then the library's own. */
static const struct {
	const char *name;
	size_t offset;
} basic_xstats[] = {
	{ "rx_packets", offsetof(struct rte_hvdev_stats, rx_packets) },
	{ "rx_bytes", offsetof(struct rte_hvdev_stats, rx_bytes) },
	{ "tx_packets", offsetof(struct rte_hvdev_stats, tx_packets) },
	{ "tx_bytes", offsetof(struct rte_hvdev_stats, tx_bytes) },
	{ "interrupts", offsetof(struct rte_hvdev_stats, interrupts) },
	{ "wakeups", offsetof(struct rte_hvdev_stats, wakeups) },
	{ "signals", offsetof(struct rte_hvdev_stats, signals) },
	{ "tx_ring_full", offsetof(struct rte_hvdev_stats, tx_ring_full) },
	{ "protocol_errors", offsetof(struct rte_hvdev_stats, protocol_errors) },
	{ "rescinds", offsetof(struct rte_hvdev_stats, rescinds) },
};
static const char *const lib_xstats[] = { "busy_poll_hits", "sleeps", "reattaches" };
#define HVDEV_NB_XSTATS (RTE_DIM(basic_xstats) + RTE_DIM(lib_xstats))

int
rte_hvdev_xstats_names_get(int16_t dev_id, struct rte_hvdev_xstat_name *names,
			   unsigned int size)
{
	unsigned int i;

	if (!rte_hvdev_is_valid(dev_id))
		return -EINVAL;
	if (names == NULL || size < HVDEV_NB_XSTATS)
		return HVDEV_NB_XSTATS;
	for (i = 0; i < RTE_DIM(basic_xstats); i++)
		snprintf(names[i].name, sizeof(names[i].name), "%s", basic_xstats[i].name);
	for (i = 0; i < RTE_DIM(lib_xstats); i++)
		snprintf(names[RTE_DIM(basic_xstats) + i].name, sizeof(names[0].name), "%s",
			 lib_xstats[i]);
	return HVDEV_NB_XSTATS;
}

int
rte_hvdev_xstats_get(int16_t dev_id, uint64_t *values, unsigned int n)
{
	struct rte_hvdev *dev = hvdev_get(dev_id);
	struct rte_hvdev_stats st;
	unsigned int i;
	int ret;

	if (dev == NULL)
		return -EINVAL;
	if (values == NULL || n < HVDEV_NB_XSTATS)
		return HVDEV_NB_XSTATS;
	ret = rte_hvdev_stats_get(dev_id, &st);
	if (ret < 0 && ret != -ENOTSUP)
		return ret;
	for (i = 0; i < RTE_DIM(basic_xstats); i++)
		values[i] = *(const uint64_t *)((const uint8_t *)&st + basic_xstats[i].offset);
	values[i++] = dev->busy_poll_hits;
	values[i++] = dev->sleeps;
	values[i++] = dev->reattaches;
	return HVDEV_NB_XSTATS;
}

int
rte_hvdev_xstats_get_by_name(int16_t dev_id, const char *name, uint64_t *value)
{
	struct rte_hvdev_xstat_name names[HVDEV_NB_XSTATS];
	uint64_t values[HVDEV_NB_XSTATS];
	unsigned int i;
	int ret;

	if (name == NULL || value == NULL)
		return -EINVAL;
	ret = rte_hvdev_xstats_names_get(dev_id, names, RTE_DIM(names));
	if (ret < 0)
		return ret;
	ret = rte_hvdev_xstats_get(dev_id, values, RTE_DIM(values));
	if (ret < 0)
		return ret;
	for (i = 0; i < HVDEV_NB_XSTATS; i++) {
		if (strcmp(names[i].name, name) == 0) {
			*value = values[i];
			return 0;
		}
	}
	return -ENOENT;
}

int
rte_hvdev_callback_register(int16_t dev_id, enum rte_hvdev_event event,
			    rte_hvdev_event_cb cb, void *arg)
{
	struct hvdev_callback *c;

	if (cb == NULL || event >= RTE_HVDEV_EVENT_MAX ||
	    (dev_id != RTE_HVDEV_ALL && !rte_hvdev_is_valid(dev_id)))
		return -EINVAL;
	rte_spinlock_lock(&hvdev_cb_lock);
	TAILQ_FOREACH(c, &hvdev_callbacks, next) {
		if (c->dev_id == dev_id && c->event == event && c->cb == cb && c->arg == arg) {
			rte_spinlock_unlock(&hvdev_cb_lock);
			return -EEXIST;
		}
	}
	c = calloc(1, sizeof(*c));
	if (c != NULL) {
		c->dev_id = dev_id;
		c->event = event;
		c->cb = cb;
		c->arg = arg;
		TAILQ_INSERT_TAIL(&hvdev_callbacks, c, next);
	}
	rte_spinlock_unlock(&hvdev_cb_lock);
	return c != NULL ? 0 : -ENOMEM;
}

int
rte_hvdev_callback_unregister(int16_t dev_id, enum rte_hvdev_event event,
			      rte_hvdev_event_cb cb, void *arg)
{
	struct hvdev_callback *c;

	if (cb == NULL || event >= RTE_HVDEV_EVENT_MAX)
		return -EINVAL;
	rte_spinlock_lock(&hvdev_cb_lock);
	TAILQ_FOREACH(c, &hvdev_callbacks, next) {
		if (c->dev_id == dev_id && c->event == event && c->cb == cb && c->arg == arg) {
			TAILQ_REMOVE(&hvdev_callbacks, c, next);
			rte_spinlock_unlock(&hvdev_cb_lock);
			free(c);
			return 0;
		}
	}
	rte_spinlock_unlock(&hvdev_cb_lock);
	return -ENOENT;
}

void
rte_hvdev_pmd_event(struct rte_hvdev *dev, enum rte_hvdev_event event)
{
	struct hvdev_callback *c, matched[16];
	unsigned int i, n = 0;

	/* Copy the matches so that a callback may (un)register without deadlocking. */
	rte_spinlock_lock(&hvdev_cb_lock);
	TAILQ_FOREACH(c, &hvdev_callbacks, next) {
		if (c->event == event && (c->dev_id == RTE_HVDEV_ALL ||
					  c->dev_id == dev->dev_id) && n < RTE_DIM(matched))
			matched[n++] = *c;
	}
	rte_spinlock_unlock(&hvdev_cb_lock);
	HVDEV_LOG(INFO, "%s: %s", dev->name,
		  event == RTE_HVDEV_EVENT_RESCIND ? "rescinded by the host" : "offered again");
	for (i = 0; i < n; i++)
		matched[i].cb(dev->dev_id, event, matched[i].arg);
}

/* The device is listed but its node refuses or vanishes: caught half-way through an offer. */
static bool
reattach_transient(int err)
{
	return err == -ECONNRESET || err == -ECONNREFUSED || err == -ENOENT || err == -ENODEV ||
	       err == -EAGAIN;
}

/*
 * The driver's reattach, tried again while its failure is transient and time remains, so that
 * a caller sees 0, -ETIMEDOUT or a real error, never a race with the host's offer.
 */
static int
reattach_within(struct rte_hvdev *dev, int timeout_ms)
{
	uint64_t end = deadline_after_ms(timeout_ms);
	int ret;

	for (;;) {
		ret = dev->dev_ops->reattach(dev, end == UINT64_MAX ? -1 :
					     (int)ms_left(end, INT32_MAX));
		if (!reattach_transient(ret))
			return ret;
		if (end != UINT64_MAX && rte_get_timer_cycles() >= end)
			return -ETIMEDOUT;
		rte_delay_us_sleep(HVDEV_REATTACH_RETRY_US);
	}
}

int
rte_hvdev_reattach(int16_t dev_id, int timeout_ms)
{
	struct rte_hvdev *dev = hvdev_get(dev_id);
	struct rte_hvdev_info info;
	int ret;

	if (dev == NULL)
		return -EINVAL;
	if (dev->dev_ops->reattach == NULL)
		return -ENOTSUP;
	ret = rte_hvdev_info_get(dev_id, &info);
	if (ret < 0)
		return ret;
	if (info.state != RTE_HVDEV_STATE_RESCINDED && info.state != RTE_HVDEV_STATE_BROKEN)
		return -EINVAL;
	ret = reattach_within(dev, timeout_ms);
	if (ret < 0)
		return ret;
	/* The new channel gets the configuration and state the old one had. */
	if (dev->configured && dev->dev_ops->dev_configure != NULL)
		ret = dev->dev_ops->dev_configure(dev, &dev->conf);
	if (ret == 0 && dev->started && dev->dev_ops->dev_start != NULL)
		ret = dev->dev_ops->dev_start(dev);
	if (ret < 0)
		return ret;
	dev->reattaches++;
	rte_hvdev_pmd_event(dev, RTE_HVDEV_EVENT_OFFER);
	return 0;
}

int
rte_hvdev_dump(int16_t dev_id, FILE *f)
{
	struct rte_hvdev *dev = hvdev_get(dev_id);
	struct rte_hvdev_info info;
	struct rte_hvdev_stats st;
	char cls[RTE_UUID_STRLEN], inst[RTE_UUID_STRLEN];
	int ret;

	if (dev == NULL || f == NULL)
		return -EINVAL;
	ret = rte_hvdev_info_get(dev_id, &info);
	if (ret < 0)
		return ret;
	rte_uuid_unparse(info.class_id, cls, sizeof(cls));
	rte_uuid_unparse(info.instance_id, inst, sizeof(inst));
	fprintf(f, "hvdev %d %s: driver %s, class %s (%s), instance %s, relid %u\n",
		dev_id, info.dev_name, info.driver_name, info.class_name, cls, inst, info.relid);
	fprintf(f, "  state %s, %s node, rings %u/%u data bytes, %s mode, busy poll %u us, "
		"re-check %u ms\n", rte_hvdev_state_str(info.state),
		info.node_kind == RTE_HVDEV_NODE_UIO ? "uio" : "simulator",
		info.tx_ring_data_size, info.rx_ring_data_size,
		dev->conf.intr_mode ? "interrupt" : "poll", dev->conf.busy_poll_us,
		dev->conf.recheck_ms);
	if (rte_hvdev_stats_get(dev_id, &st) == 0)
		fprintf(f, "  rx %" PRIu64 " pkts %" PRIu64 " bytes, tx %" PRIu64 " pkts %" PRIu64
			" bytes, %" PRIu64 " interrupts, %" PRIu64 " signals, %" PRIu64
			" protocol errors, %" PRIu64 " rescinds\n", st.rx_packets, st.rx_bytes,
			st.tx_packets, st.tx_bytes, st.interrupts, st.signals,
			st.protocol_errors, st.rescinds);
	if (dev->dev_ops->dump != NULL)
		return dev->dev_ops->dump(dev, f);
	return 0;
}
