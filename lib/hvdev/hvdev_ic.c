/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * IC framing and version negotiation over byte buffers. Fields are read and written with
 * memcpy at their wire offsets: the buffers have no alignment guarantee, and working field by
 * field keeps every access provably inside the length the caller gave.
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#include "rte_hvdev_ic.h"

/* Wire fields are little-endian and copied as they are. */
static_assert(RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN, "IC helpers assume a little-endian CPU");

#define IC_OFF(field) offsetof(struct rte_hvdev_ic_hdr, field)
#define NEGO_OFF(field) \
	(RTE_HVDEV_IC_HDR_SIZE + offsetof(struct rte_hvdev_ic_negotiate_hdr, field))
#define NEGO_DATA_OFF RTE_HVDEV_IC_NEGOTIATE_SIZE(0, 0)
#define VERSION_SIZE sizeof(struct rte_hvdev_ic_version)

static int
version_cmp(const struct rte_hvdev_ic_version *a, const struct rte_hvdev_ic_version *b)
{
	/* Two fields, not one packed word: 2.65535 is older than 3.0. */
	if (a->major != b->major)
		return a->major < b->major ? -1 : 1;
	if (a->minor != b->minor)
		return a->minor < b->minor ? -1 : 1;
	return 0;
}

static bool
version_in(const struct rte_hvdev_ic_version *v, const struct rte_hvdev_ic_version *list,
	   unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (version_cmp(v, &list[i]) == 0)
			return true;
	return false;
}

int
rte_hvdev_ic_parse(const void *payload, uint32_t len, struct rte_hvdev_ic_hdr *hdr,
		   uint32_t *body_len)
{
	if (payload == NULL || hdr == NULL)
		return -EINVAL;
	if (len < RTE_HVDEV_IC_HDR_SIZE)
		return -EBADMSG;
	memcpy(hdr, payload, sizeof(*hdr));
	if (hdr->icmsgsize > len - RTE_HVDEV_IC_HDR_SIZE)
		return -EBADMSG;
	if (body_len != NULL)
		*body_len = hdr->icmsgsize;
	return 0;
}

/*
 * The highest of the host's versions [first, first + count) that the guest also supports.
 * The caller has checked that they all lie inside the payload.
 */
static bool
pick_highest(const uint8_t *p, unsigned int first, unsigned int count,
	     const struct rte_hvdev_ic_version *ours, unsigned int nours,
	     struct rte_hvdev_ic_version *best)
{
	struct rte_hvdev_ic_version v;
	bool found = false;
	unsigned int i;

	for (i = 0; i < count; i++) {
		memcpy(&v, p + NEGO_DATA_OFF + (size_t)(first + i) * VERSION_SIZE, sizeof(v));
		if (!version_in(&v, ours, nours))
			continue;
		if (!found || version_cmp(&v, best) > 0)
			*best = v;
		found = true;
	}
	return found;
}

/*
 * Write the NEGOTIATE response fields. @p fw and @p srv are NULL on failure: a host reads the
 * versions only with counts 1/1, so they are left as they were rather than filled with junk.
 * The caller has checked that @p len holds the counts (RTE_HVDEV_IC_NEGOTIATE_SIZE(0, 0)).
 */
static void
write_negotiate_resp(uint8_t *p, uint32_t len, uint32_t status,
		     const struct rte_hvdev_ic_version *fw,
		     const struct rte_hvdev_ic_version *srv)
{
	/*
	 * The answer's icmsgsize never claims more than the payload carries: a refusal of a
	 * payload too short for two versions says 8 (the counts), not 0x10.
	 */
	const uint16_t size = (uint16_t)RTE_MIN((uint32_t)RTE_HVDEV_IC_NEGOTIATE_RESP_BODY,
						len - RTE_HVDEV_IC_HDR_SIZE);
	const uint16_t count = fw != NULL ? 1 : 0;

	memcpy(p + IC_OFF(icmsgsize), &size, sizeof(size));
	memcpy(p + NEGO_OFF(icframe_vercnt), &count, sizeof(count));
	memcpy(p + NEGO_OFF(icmsg_vercnt), &count, sizeof(count));
	if (fw != NULL && len >= NEGO_DATA_OFF + 2 * VERSION_SIZE) {
		memcpy(p + NEGO_DATA_OFF, fw, VERSION_SIZE);
		memcpy(p + NEGO_DATA_OFF + VERSION_SIZE, srv, VERSION_SIZE);
	}
	rte_hvdev_ic_make_response(p, status);
}

int
rte_hvdev_ic_negotiate(void *payload, uint32_t len,
		       const struct rte_hvdev_ic_version *fw, unsigned int nfw,
		       const struct rte_hvdev_ic_version *srv, unsigned int nsrv,
		       struct rte_hvdev_ic_version *fw_out,
		       struct rte_hvdev_ic_version *srv_out)
{
	struct rte_hvdev_ic_version best_fw, best_srv;
	uint16_t type, nhost_fw, nhost_srv, body;
	uint8_t *p = payload;

	if (p == NULL || (fw == NULL && nfw > 0) || (srv == NULL && nsrv > 0))
		return -EINVAL;
	/* Too short to hold the counts: there is no place for an answer either. */
	if (len < NEGO_DATA_OFF)
		return -EBADMSG;
	memcpy(&type, p + IC_OFF(icmsgtype), sizeof(type));
	if (type != RTE_HVDEV_IC_MSG_NEGOTIATE)
		return -EINVAL;
	memcpy(&body, p + IC_OFF(icmsgsize), sizeof(body));
	memcpy(&nhost_fw, p + NEGO_OFF(icframe_vercnt), sizeof(nhost_fw));
	memcpy(&nhost_srv, p + NEGO_OFF(icmsg_vercnt), sizeof(nhost_srv));
	/*
	 * The body is icmsgsize bytes, which must lie in the payload; the counts and every
	 * version they announce must lie in the body. The payload is padded to 8 bytes, so
	 * bounding by its length alone would read padding as versions.
	 */
	if (body > len - RTE_HVDEV_IC_HDR_SIZE ||
	    nhost_fw > RTE_HVDEV_IC_VERSION_MAX_COUNT ||
	    nhost_srv > RTE_HVDEV_IC_VERSION_MAX_COUNT ||
	    RTE_HVDEV_IC_NEGOTIATE_SIZE((uint32_t)nhost_fw, (uint32_t)nhost_srv) >
	    RTE_HVDEV_IC_HDR_SIZE + (uint32_t)body) {
		write_negotiate_resp(p, len, RTE_HVDEV_IC_E_FAIL, NULL, NULL);
		return -EBADMSG;
	}
	if (!pick_highest(p, 0, nhost_fw, fw, nfw, &best_fw) ||
	    !pick_highest(p, nhost_fw, nhost_srv, srv, nsrv, &best_srv)) {
		write_negotiate_resp(p, len, RTE_HVDEV_IC_E_FAIL, NULL, NULL);
		return -ENOTSUP;
	}
	write_negotiate_resp(p, len, RTE_HVDEV_IC_S_OK, &best_fw, &best_srv);
	if (fw_out != NULL)
		*fw_out = best_fw;
	if (srv_out != NULL)
		*srv_out = best_srv;
	return 0;
}

void
rte_hvdev_ic_make_response(void *payload, uint32_t status)
{
	const uint8_t flags = RTE_HVDEV_IC_FLAG_TRANSACTION | RTE_HVDEV_IC_FLAG_RESPONSE;
	uint8_t *p = payload;

	if (p == NULL)
		return;
	memcpy(p + IC_OFF(status), &status, sizeof(status));
	memcpy(p + IC_OFF(icflags), &flags, sizeof(flags));
}

int
rte_hvdev_ic_make_negotiate(void *buf, uint32_t size,
			    const struct rte_hvdev_ic_version *fw, unsigned int nfw,
			    const struct rte_hvdev_ic_version *srv, unsigned int nsrv)
{
	struct rte_hvdev_ic_negotiate_hdr nego = { 0 };
	struct rte_hvdev_ic_hdr hdr = { 0 };
	uint8_t *p = buf;
	uint32_t need;

	if (p == NULL || fw == NULL || srv == NULL ||
	    nfw == 0 || nfw > RTE_HVDEV_IC_VERSION_MAX_COUNT ||
	    nsrv == 0 || nsrv > RTE_HVDEV_IC_VERSION_MAX_COUNT)
		return -EINVAL;
	need = RTE_HVDEV_IC_NEGOTIATE_SIZE(nfw, nsrv);
	if (size < need)
		return -ENOSPC;
	/*
	 * What Hyper-V puts in the pipe header is not documented and guests never read it; the
	 * size of what follows it is the natural content.
	 */
	hdr.pipe_msgsize = need - RTE_HVDEV_IC_PIPE_HDR_SIZE;
	/* Nothing is negotiated yet: the header carries the oldest framework version. */
	hdr.icverframe.major = 1;
	hdr.icvermsg.major = 1;
	hdr.icmsgtype = RTE_HVDEV_IC_MSG_NEGOTIATE;
	hdr.icmsgsize = (uint16_t)(need - RTE_HVDEV_IC_HDR_SIZE);
	hdr.status = RTE_HVDEV_IC_S_OK;
	hdr.icflags = RTE_HVDEV_IC_FLAG_TRANSACTION | RTE_HVDEV_IC_FLAG_REQUEST;
	nego.icframe_vercnt = (uint16_t)nfw;
	nego.icmsg_vercnt = (uint16_t)nsrv;
	memcpy(p, &hdr, sizeof(hdr));
	memcpy(p + RTE_HVDEV_IC_HDR_SIZE, &nego, sizeof(nego));
	memcpy(p + NEGO_DATA_OFF, fw, nfw * VERSION_SIZE);
	memcpy(p + NEGO_DATA_OFF + nfw * VERSION_SIZE, srv, nsrv * VERSION_SIZE);
	return (int)need;
}

/* The versions a guest supports, preferred first (protocol reference, section 4.1). */
static const struct rte_hvdev_ic_version fw_v3[] = { { 3, 0 } };
static const struct rte_hvdev_ic_version fw_v3_v1[] = { { 3, 0 }, { 1, 0 } };
static const struct rte_hvdev_ic_version srv_fcopy[] = { { 1, 1 } };
static const struct rte_hvdev_ic_version srv_kvp[] = { { 4, 0 }, { 3, 0 }, { 1, 0 } };
static const struct rte_hvdev_ic_version srv_vss[] = { { 5, 0 } };
static const struct rte_hvdev_ic_version srv_heartbeat[] = { { 3, 0 }, { 1, 0 } };
static const struct rte_hvdev_ic_version srv_shutdown[] = {
	{ 3, 2 }, { 3, 1 }, { 3, 0 }, { 1, 0 },
};
static const struct rte_hvdev_ic_version srv_timesync[] = { { 4, 0 }, { 3, 0 }, { 1, 0 } };

#define IC_CLASS(n, g, f, s) { \
	.name = (n), .guid = (g), .fw = (f), .nfw = RTE_DIM(f), .srv = (s), .nsrv = RTE_DIM(s), \
}

static const struct rte_hvdev_ic_class ic_classes[] = {
	IC_CLASS("fcopy", "34d14be3-dee4-41c8-9ae7-6b174977c192", fw_v3, srv_fcopy),
	IC_CLASS("kvp", "a9a0f4e7-5a45-4d96-b827-8a841e8c03e6", fw_v3_v1, srv_kvp),
	IC_CLASS("vss", "35fa2e29-ea23-4236-96ae-3a6ebacba440", fw_v3, srv_vss),
	IC_CLASS("heartbeat", "57164f39-9115-4e78-ab55-382f3bd5422d", fw_v3_v1, srv_heartbeat),
	IC_CLASS("shutdown", "0e0b6031-5213-4934-818b-38d90ced39db", fw_v3_v1, srv_shutdown),
	IC_CLASS("timesync", "9527e630-d0ae-497b-adce-e80ab0175caf", fw_v3_v1, srv_timesync),
};

const struct rte_hvdev_ic_class *
rte_hvdev_ic_class_by_name(const char *name)
{
	unsigned int i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < RTE_DIM(ic_classes); i++)
		if (strcasecmp(name, ic_classes[i].name) == 0)
			return &ic_classes[i];
	return NULL;
}

const struct rte_hvdev_ic_class *
rte_hvdev_ic_class_by_guid(const rte_uuid_t guid)
{
	rte_uuid_t uu;
	unsigned int i;

	if (guid == NULL)
		return NULL;
	for (i = 0; i < RTE_DIM(ic_classes); i++)
		if (rte_uuid_parse(ic_classes[i].guid, uu) == 0 &&
		    rte_uuid_compare(uu, guid) == 0)
			return &ic_classes[i];
	return NULL;
}

int
rte_hvdev_ic_class_parse(const char *str, rte_uuid_t out)
{
	const struct rte_hvdev_ic_class *cls;
	char bare[RTE_UUID_STRLEN];
	rte_uuid_t uu;
	size_t n;

	if (str == NULL || out == NULL)
		return -EINVAL;
	cls = rte_hvdev_ic_class_by_name(str);
	if (cls != NULL)
		str = cls->guid;
	n = strlen(str);
	/* Windows prints GUIDs in braces; accept them only as a matching pair. */
	if (n == RTE_UUID_STRLEN + 1 && str[0] == '{' && str[n - 1] == '}') {
		memcpy(bare, str + 1, n - 2);
		bare[n - 2] = '\0';
		str = bare;
	}
	if (rte_uuid_parse(str, uu) != 0)
		return -EINVAL;
	rte_uuid_copy(out, uu);
	return 0;
}

const char *
rte_hvdev_ic_status_str(uint32_t status)
{
	switch (status) {
	case RTE_HVDEV_IC_S_OK:
		return "success";
	case RTE_HVDEV_IC_E_FAIL:
		return "failure";
	case RTE_HVDEV_IC_S_CONT:
		return "continue";
	case RTE_HVDEV_IC_NOT_SUPPORTED:
		return "not supported";
	case RTE_HVDEV_IC_INVALIDARG:
		return "invalid argument";
	case RTE_HVDEV_IC_ALREADY_EXISTS:
		return "already exists";
	case RTE_HVDEV_IC_DISK_FULL:
		return "disk full";
	case RTE_HVDEV_IC_ACCESS_DENIED:
		return "access denied";
	case RTE_HVDEV_IC_PATH_NOT_FOUND:
		return "path not found";
	case RTE_HVDEV_IC_NAME_TOO_LONG:
		return "name too long";
	default:
		return "unknown";
	}
}
