/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * The IC host role. Hyper-V starts every integration-component channel with a NEGOTIATE that
 * offers framework and service versions, and speaks the IC protocol only once the guest has
 * answered it. The simulator does the same on every channel open, checks the answer as
 * strictly as a careful host would, and keeps everything the guest sends before that answer
 * away from the device's on_packet callback.
 */

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include <rte_common.h>

#include "hvsim_priv.h"

#define HVSIM_PKT_INBAND 6

/* What Hyper-V offers as framework versions when the configuration names none. */
static const struct rte_hvdev_ic_version default_fw[] = { { 3, 0 }, { 1, 0 } };
/*
 * The KVP versions Microsoft's host offers (OpenVMM's KVP IC: 3.0, 4.0 and 5.0, the last with
 * the binary IP form); a Linux guest picks 4.0.
 */
static const struct rte_hvdev_ic_version host_kvp_srv[] = { { 3, 0 }, { 4, 0 }, { 5, 0 } };

static int
copy_versions(struct rte_hvdev_ic_version *dst, unsigned int *n,
	      const struct rte_hvdev_ic_version *src, unsigned int count)
{
	if (count == 0 || count > RTE_HVDEV_IC_VERSION_MAX_COUNT)
		return -EINVAL;
	memcpy(dst, src, count * sizeof(*src));
	*n = count;
	return 0;
}

int
hvsim_ic_init(struct rte_hvsim_dev *dev, const struct rte_hvsim_dev_conf *conf)
{
	const struct rte_hvdev_ic_class *cls = rte_hvdev_ic_class_by_guid(conf->class_id);
	struct hvsim_ic *ic = &dev->ic;
	int ret;

	/* The lists are copied, so the caller's arrays need not outlive the offer. */
	dev->conf.ic_fw = NULL;
	dev->conf.ic_srv = NULL;
	memset(ic, 0, sizeof(*ic));
	if (!conf->ic_negotiate)
		return 0;
	if (conf->ic_fw != NULL)
		ret = copy_versions(ic->fw, &ic->nfw, conf->ic_fw, conf->ic_nfw);
	else
		ret = copy_versions(ic->fw, &ic->nfw, default_fw, RTE_DIM(default_fw));
	if (ret == 0 && conf->ic_srv != NULL)
		ret = copy_versions(ic->srv, &ic->nsrv, conf->ic_srv, conf->ic_nsrv);
	else if (ret == 0 && cls != NULL && strcmp(cls->name, "kvp") == 0)
		ret = copy_versions(ic->srv, &ic->nsrv, host_kvp_srv, RTE_DIM(host_kvp_srv));
	else if (ret == 0 && cls != NULL)
		ret = copy_versions(ic->srv, &ic->nsrv, cls->srv, cls->nsrv);
	else if (ret == 0)
		ret = -EINVAL;
	if (ret < 0) {
		HVSIM_LOG(ERR, "%s: IC negotiation needs 1 to %d versions of each kind%s",
			  dev->inst_str, RTE_HVDEV_IC_VERSION_MAX_COUNT,
			  cls == NULL && conf->ic_srv == NULL ?
			  " (no default service versions for an unknown class)" : "");
		return ret;
	}
	ic->enabled = true;
	return 0;
}

int
hvsim_ic_open_locked(struct rte_hvsim_dev *dev)
{
	uint8_t req[RTE_HVDEV_IC_NEGOTIATE_SIZE(RTE_HVDEV_IC_VERSION_MAX_COUNT,
						RTE_HVDEV_IC_VERSION_MAX_COUNT)];
	struct hvsim_ic *ic = &dev->ic;
	int len, ret;

	if (!ic->enabled)
		return -ENOTSUP;
	memset(&ic->res, 0, sizeof(ic->res));
	ic->pending = false;
	/* Fresh per channel open, and unlike anything a guest would make up. */
	ic->res.xactid = ((uint64_t)dev->conf.relid << 32) | ++dev->sim->next_xactid;
	len = hvsim_fault_nego_locked(dev, req, sizeof(req));
	if (len < 0) {
		/* A host that never negotiates: the guest waits, copies time out. */
		return 0;
	}
	if (len == 0)
		len = rte_hvdev_ic_make_negotiate(req, sizeof(req), ic->fw, ic->nfw, ic->srv,
						  ic->nsrv);
	/* The IC header's id, by which answers that do not echo the VMBus id are matched. */
	if (len >= RTE_HVDEV_IC_HDR_SIZE)
		req[offsetof(struct rte_hvdev_ic_hdr, ictransaction_id)] = (uint8_t)ic->res.xactid;
	ret = len < 0 ? len : hvsim_send_locked(dev, HVSIM_PKT_INBAND, 0, ic->res.xactid, req,
						(uint32_t)len);
	if (ret < 0) {
		HVSIM_LOG(ERR, "%s: cannot send the IC NEGOTIATE: %s", dev->inst_str,
			  strerror(-ret));
		ic->pending = false;
		ic->res.done = true;
		pthread_cond_broadcast(&dev->sim->cond);
		return ret;
	}
	ic->req_len = (uint32_t)len;
	ic->pending = true;
	HVSIM_LOG(DEBUG, "%s: IC NEGOTIATE sent, transaction %#" PRIx64, dev->inst_str,
		  ic->res.xactid);
	return 0;
}

int
rte_hvsim_ic_renegotiate(struct rte_hvsim_dev *dev)
{
	int ret;

	if (dev == NULL)
		return -EINVAL;
	if (!dev->ic.enabled)
		return -ENOTSUP;
	pthread_mutex_lock(&dev->sim->lock);
	if (dev->conn_fd < 0)
		ret = -ENOTCONN;
	else if (dev->fcopy.busy)
		ret = -EBUSY;
	else
		ret = hvsim_ic_open_locked(dev);
	pthread_mutex_unlock(&dev->sim->lock);
	return ret;
}

static bool
version_offered(const struct rte_hvdev_ic_version *v, const struct rte_hvdev_ic_version *list,
		unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (v->major == list[i].major && v->minor == list[i].minor)
			return true;
	return false;
}

bool
hvsim_ic_answer_matches_locked(struct rte_hvsim_dev *dev, const struct rte_hvsim_pkt *pkt,
			       uint64_t xactid)
{
	struct rte_hvdev_ic_hdr hdr;

	if (pkt->xactid == xactid)
		return true;
	if (pkt->type != HVSIM_PKT_INBAND || pkt->len < RTE_HVDEV_IC_HDR_SIZE)
		return false;
	memcpy(&hdr, pkt->data, sizeof(hdr));
	if ((hdr.icflags & RTE_HVDEV_IC_FLAG_RESPONSE) == 0 ||
	    hdr.ictransaction_id != (uint8_t)xactid)
		return false;
	/*
	 * An answer to our request that does not echo its VMBus id, as the upstream uio daemon
	 * sends them (all ones): Hyper-V takes it, so does this host unless told to be strict.
	 */
	dev->stats.xactid_not_echoed++;
	if (dev->conf.strict_xactid) {
		dev->stats.guest_errors++;
		HVSIM_LOG(WARNING, "%s: IC answer to transaction %#" PRIx64 " carries VMBus "
			  "transaction id %#" PRIx64 " (strict mode: the id must be echoed), "
			  "refused", dev->inst_str, xactid, pkt->xactid);
		return false;
	}
	HVSIM_LOG(DEBUG, "%s: IC answer to transaction %#" PRIx64 " with VMBus transaction id %#"
		  PRIx64 ", matched by its IC transaction id", dev->inst_str, xactid,
		  pkt->xactid);
	return true;
}

/* Is this the guest's answer to our NEGOTIATE? */
static bool
is_negotiate_answer(struct rte_hvsim_dev *dev, const struct rte_hvsim_pkt *pkt,
		    struct rte_hvdev_ic_hdr *hdr)
{
	const struct hvsim_ic *ic = &dev->ic;

	if (pkt->type != HVSIM_PKT_INBAND || pkt->len < RTE_HVDEV_IC_HDR_SIZE)
		return false;
	memcpy(hdr, pkt->data, sizeof(*hdr));
	if (hdr->icmsgtype != RTE_HVDEV_IC_MSG_NEGOTIATE ||
	    !hvsim_ic_answer_matches_locked(dev, pkt, ic->res.xactid))
		return false;
	return hdr->icmsgtype == RTE_HVDEV_IC_MSG_NEGOTIATE &&
	       (hdr->icflags & RTE_HVDEV_IC_FLAG_RESPONSE) != 0;
}

/*
 * Why an answer breaks the protocol, or NULL when it is a valid one. A valid success carries
 * exactly one framework and one service version, both taken from our offer (@p v receives
 * them); a failure status is a valid answer whatever its counts.
 */
static const char *
answer_violation(const struct hvsim_ic *ic, const struct rte_hvsim_pkt *pkt,
		 struct rte_hvdev_ic_version v[2])
{
	struct rte_hvdev_ic_negotiate_hdr nego;
	struct rte_hvdev_ic_hdr hdr;
	const uint8_t *p = pkt->data;

	/* Responses echo the request's payload length; ours arrived padded to 8. */
	if (pkt->len != RTE_ALIGN_CEIL(ic->req_len, 8u))
		return "payload length differs from the request's";
	if (rte_hvdev_ic_parse(p, pkt->len, &hdr, NULL) < 0)
		return "icmsgsize runs beyond the packet";
	if (hdr.status != RTE_HVDEV_IC_S_OK)
		return NULL;
	/* The request offered at least one version of each kind, so both fit. */
	if (pkt->len < RTE_HVDEV_IC_NEGOTIATE_SIZE(1, 1))
		return "too short for the chosen versions";
	memcpy(&nego, p + RTE_HVDEV_IC_HDR_SIZE, sizeof(nego));
	if (nego.icframe_vercnt != 1 || nego.icmsg_vercnt != 1)
		return "success without exactly one version of each kind";
	memcpy(v, p + RTE_HVDEV_IC_NEGOTIATE_SIZE(0, 0), 2 * sizeof(*v));
	if (!version_offered(&v[0], ic->fw, ic->nfw))
		return "framework version was not offered";
	if (!version_offered(&v[1], ic->srv, ic->nsrv))
		return "service version was not offered";
	return NULL;
}

static void
record_answer(struct rte_hvsim_dev *dev, const struct rte_hvsim_pkt *pkt,
	      const struct rte_hvdev_ic_hdr *hdr)
{
	struct hvsim_ic *ic = &dev->ic;
	struct rte_hvdev_ic_version v[2];
	const char *why;

	why = answer_violation(ic, pkt, v);
	ic->res.status = hdr->status;
	ic->res.ok = why == NULL && hdr->status == RTE_HVDEV_IC_S_OK;
	if (ic->res.ok) {
		ic->res.fw = v[0];
		ic->res.srv = v[1];
		HVSIM_LOG(INFO, "%s: IC versions agreed: framework %u.%u, service %u.%u",
			  dev->inst_str, v[0].major, v[0].minor, v[1].major, v[1].minor);
	} else if (why != NULL) {
		dev->stats.guest_errors++;
		HVSIM_LOG(WARNING, "%s: invalid NEGOTIATE answer: %s", dev->inst_str, why);
	} else {
		HVSIM_LOG(INFO, "%s: guest refused the IC versions offered: %#" PRIx32 " (%s)",
			  dev->inst_str, hdr->status, rte_hvdev_ic_status_str(hdr->status));
	}
}

bool
hvsim_ic_take_locked(struct rte_hvsim_dev *dev, const struct rte_hvsim_pkt *pkt)
{
	struct hvsim_ic *ic = &dev->ic;
	struct rte_hvdev_ic_hdr hdr;

	if (!ic->pending)
		return false;
	if (!is_negotiate_answer(dev, pkt, &hdr)) {
		/* A guest must not speak before it has agreed on versions. */
		dev->stats.guest_errors++;
		HVSIM_LOG(WARNING, "%s: packet (type %u, transaction %#" PRIx64 ", %u bytes) "
			  "before the IC negotiation completed, dropped", dev->inst_str,
			  pkt->type, pkt->xactid, pkt->len);
		return true;
	}
	record_answer(dev, pkt, &hdr);
	ic->res.answer_xactid = pkt->xactid;
	ic->pending = false;
	ic->res.done = true;
	pthread_cond_broadcast(&dev->sim->cond);
	return true;
}

int
rte_hvsim_ic_result(const struct rte_hvsim_dev *dev, struct rte_hvsim_ic_result *res)
{
	if (dev == NULL || res == NULL)
		return -EINVAL;
	if (!dev->ic.enabled)
		return -ENOTSUP;
	pthread_mutex_lock(&dev->sim->lock);
	*res = dev->ic.res;
	pthread_mutex_unlock(&dev->sim->lock);
	return 0;
}

int
rte_hvsim_ic_wait(struct rte_hvsim_dev *dev, int timeout_ms)
{
	struct rte_hvsim *sim;
	struct timespec ts;
	bool done;
	int ret = 0;

	if (dev == NULL)
		return -EINVAL;
	if (!dev->ic.enabled)
		return -ENOTSUP;
	sim = dev->sim;
	if (timeout_ms >= 0)
		hvsim_deadline(&ts, timeout_ms);
	pthread_mutex_lock(&sim->lock);
	while (!dev->ic.res.done && ret == 0)
		ret = timeout_ms < 0 ? pthread_cond_wait(&sim->cond, &sim->lock) :
		      pthread_cond_timedwait(&sim->cond, &sim->lock, &ts);
	done = dev->ic.res.done;
	pthread_mutex_unlock(&sim->lock);
	return done ? 0 : -ETIMEDOUT;
}
