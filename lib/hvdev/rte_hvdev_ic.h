/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef RTE_HVDEV_IC_H
#define RTE_HVDEV_IC_H

/**
 * @file
 * Hyper-V integration-component (IC) framing and version negotiation.
 *
 * Every IC device (file copy, KVP, VSS, heartbeat, shutdown, timesync) exchanges in-band VMBus
 * packets (type 6) whose payload starts with an 8-byte pipe header and a 20-byte IC message
 * header, then a body of icmsgsize bytes. The first message on a fresh channel is a NEGOTIATE
 * from the host, offering framework and service versions; the guest answers it in place.
 *
 * These helpers are pure functions over byte buffers: they never touch a device, never keep a
 * pointer into the buffer they are given and never read or write beyond the length they are
 * told, so they serve the guest side (drivers, services) and the simulated host alike. A
 * payload in shared memory may change while it is read: copy it out of the ring first (the
 * hvdev receive path does).
 *
 * All multi-byte fields are little-endian on the wire; the helpers assume a little-endian CPU
 * (Hyper-V guests are x86-64 or arm64, both little-endian).
 */

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_compat.h>
#include <rte_uuid.h>

#include "rte_hvdev_compat.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Bytes of the VMBus pipe header that starts every IC payload. */
#define RTE_HVDEV_IC_PIPE_HDR_SIZE 8
/** Bytes before the IC body: pipe header (8) plus IC message header (20). */
#define RTE_HVDEV_IC_HDR_SIZE 28

/** @name IC message types (icmsgtype) */
/**@{*/
#define RTE_HVDEV_IC_MSG_NEGOTIATE	0
#define RTE_HVDEV_IC_MSG_HEARTBEAT	1
#define RTE_HVDEV_IC_MSG_KVPEXCHANGE	2
#define RTE_HVDEV_IC_MSG_SHUTDOWN	3
#define RTE_HVDEV_IC_MSG_TIMESYNC	4
#define RTE_HVDEV_IC_MSG_VSS		5
#define RTE_HVDEV_IC_MSG_FCOPY		7
/**@}*/

/** @name IC header flags (icflags) */
/**@{*/
#define RTE_HVDEV_IC_FLAG_TRANSACTION	0x1
#define RTE_HVDEV_IC_FLAG_REQUEST	0x2
#define RTE_HVDEV_IC_FLAG_RESPONSE	0x4
/**@}*/

/** Most framework (or service) versions a NEGOTIATE may carry. */
#define RTE_HVDEV_IC_VERSION_MAX_COUNT 100

/** Bytes of the NEGOTIATE body before the version array (two counts and a reserved word). */
#define RTE_HVDEV_IC_NEGOTIATE_HDR_SIZE 8
/** Payload bytes of a NEGOTIATE carrying @p f framework and @p m service versions. */
#define RTE_HVDEV_IC_NEGOTIATE_SIZE(f, m) \
	(RTE_HVDEV_IC_HDR_SIZE + RTE_HVDEV_IC_NEGOTIATE_HDR_SIZE + ((f) + (m)) * 4)
/** icmsgsize of every NEGOTIATE response, successful or not (what Windows guests send). */
#define RTE_HVDEV_IC_NEGOTIATE_RESP_BODY 0x10

/** @name Status codes (HRESULT values carried in the IC header's status field) */
/**@{*/
#define RTE_HVDEV_IC_S_OK		0x00000000u
#define RTE_HVDEV_IC_E_FAIL		0x80004005u
#define RTE_HVDEV_IC_S_CONT		0x80070103u
#define RTE_HVDEV_IC_NOT_SUPPORTED	0x80070032u
#define RTE_HVDEV_IC_INVALIDARG		0x80070057u
#define RTE_HVDEV_IC_ALREADY_EXISTS	0x80070050u
#define RTE_HVDEV_IC_DISK_FULL		0x80070070u
#define RTE_HVDEV_IC_ACCESS_DENIED	0x80070005u
#define RTE_HVDEV_IC_PATH_NOT_FOUND	0x80070003u
#define RTE_HVDEV_IC_NAME_TOO_LONG	0x800700CEu
/**@}*/

/** A framework or service version, as it appears on the wire (major first). */
struct rte_hvdev_ic_version {
	uint16_t major;
	uint16_t minor;
};

/** The 28 bytes at the start of every IC payload. */
struct __rte_packed_begin rte_hvdev_ic_hdr {
	uint32_t pipe_flags;		/**< vmbuspipe_hdr.flags (guests never change it) */
	uint32_t pipe_msgsize;		/**< vmbuspipe_hdr.msgsize (guests never change it) */
	struct rte_hvdev_ic_version icverframe;	/**< framework version of this message */
	uint16_t icmsgtype;		/**< RTE_HVDEV_IC_MSG_* */
	struct rte_hvdev_ic_version icvermsg;	/**< service version of this message */
	uint16_t icmsgsize;		/**< body bytes after this header */
	uint32_t status;		/**< RTE_HVDEV_IC_S_OK or an error code */
	uint8_t ictransaction_id;
	uint8_t icflags;		/**< RTE_HVDEV_IC_FLAG_* */
	uint8_t reserved[2];
} __rte_packed_end;

static_assert(sizeof(struct rte_hvdev_ic_hdr) == RTE_HVDEV_IC_HDR_SIZE,
	      "the IC header is 28 bytes on the wire");

/** The start of a NEGOTIATE body (at payload offset 28); versions follow at offset 36. */
struct __rte_packed_begin rte_hvdev_ic_negotiate_hdr {
	uint16_t icframe_vercnt;	/**< framework versions that follow */
	uint16_t icmsg_vercnt;		/**< service versions after the framework versions */
	uint32_t reserved;
} __rte_packed_end;

static_assert(sizeof(struct rte_hvdev_ic_negotiate_hdr) == RTE_HVDEV_IC_NEGOTIATE_HDR_SIZE,
	      "the NEGOTIATE body header is 8 bytes on the wire");

/** A known IC device class and the versions a guest supports for it. */
struct rte_hvdev_ic_class {
	const char *name;			/**< "fcopy", "kvp", ... */
	const char *guid;			/**< class GUID, lower case, no braces */
	const struct rte_hvdev_ic_version *fw;	/**< framework versions, preferred first */
	unsigned int nfw;
	const struct rte_hvdev_ic_version *srv;	/**< service versions, preferred first */
	unsigned int nsrv;
};

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Copy the IC header out of a received payload and check that its body fits.
 *
 * The body is exactly icmsgsize bytes: Hyper-V sets it to the size of what it sends, and the
 * payload is the body padded to 8 bytes by VMBus. A caller bounds every read of the body by
 * @p body_len, never by @p len, or a message cut inside the padding would be read with zeros
 * in place of the missing bytes.
 *
 * @param payload   the in-band packet's payload (descriptor stripped).
 * @param len       payload bytes (the sender's padding included).
 * @param hdr       receives a copy of the header.
 * @param body_len  receives icmsgsize, the body's exact length (may be NULL).
 * @return 0; -EBADMSG when @p len < RTE_HVDEV_IC_HDR_SIZE (@p hdr untouched) or when icmsgsize
 *         runs beyond the payload (@p hdr filled, so that an error can still be answered);
 *         -EINVAL when @p payload or @p hdr is NULL.
 */
__rte_experimental
int rte_hvdev_ic_parse(const void *payload, uint32_t len, struct rte_hvdev_ic_hdr *hdr,
		       uint32_t *body_len);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Answer a host's NEGOTIATE in place.
 *
 * The highest framework version and the highest service version present both in the host's
 * offer and in the guest's lists are chosen, comparing major then minor. The response keeps
 * the payload length, the pipe header, the IC header versions and the transaction id; it sets
 * icflags to TRANSACTION|RESPONSE and icmsgsize to 0x10 (to what the payload holds when it
 * is shorter, for a refusal), and is sent back as it is.
 *
 * - Success: counts 1/1, version 0 = framework, version 1 = service, status S_OK.
 * - No common version, or a malformed offer (a count over RTE_HVDEV_IC_VERSION_MAX_COUNT,
 *   icmsgsize beyond @p len, or versions beyond icmsgsize): counts 0/0, status E_FAIL, the
 *   version array untouched.
 * - Shorter than RTE_HVDEV_IC_NEGOTIATE_SIZE(0, 0), or not a NEGOTIATE: nothing written.
 *
 * Nothing is ever written at or beyond @p len.
 *
 * @param payload  the NEGOTIATE payload (descriptor stripped), a private copy.
 * @param len      payload bytes.
 * @param fw, nfw  framework versions the guest supports (order does not matter).
 * @param srv, nsrv service versions the guest supports.
 * @param fw_out, srv_out receive the chosen versions on success (each may be NULL).
 * @return 0; -ENOTSUP (no common version); -EBADMSG (malformed); -EINVAL (NULL @p payload,
 *         a NULL list with a non-zero count, or a message that is not a NEGOTIATE).
 */
__rte_experimental
int rte_hvdev_ic_negotiate(void *payload, uint32_t len,
			   const struct rte_hvdev_ic_version *fw, unsigned int nfw,
			   const struct rte_hvdev_ic_version *srv, unsigned int nsrv,
			   struct rte_hvdev_ic_version *fw_out,
			   struct rte_hvdev_ic_version *srv_out);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Turn a received request into its response: icflags = TRANSACTION|RESPONSE and the given
 * status; everything else is left as it is. The caller sends the buffer back with the same
 * transaction id and the same payload length.
 *
 * @param payload  at least RTE_HVDEV_IC_HDR_SIZE bytes (NULL is ignored).
 * @param status   RTE_HVDEV_IC_S_OK or an error code.
 */
__rte_experimental
void rte_hvdev_ic_make_response(void *payload, uint32_t status);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Build a NEGOTIATE request as the host sends it on a fresh channel: flags TRANSACTION|REQUEST,
 * header versions 1.0 (nothing is negotiated yet), the framework then the service versions in
 * the order given.
 *
 * @param buf, size where to write it.
 * @param fw, nfw   framework versions offered (1 to RTE_HVDEV_IC_VERSION_MAX_COUNT).
 * @param srv, nsrv service versions offered (1 to RTE_HVDEV_IC_VERSION_MAX_COUNT).
 * @return the payload length, RTE_HVDEV_IC_NEGOTIATE_SIZE(nfw, nsrv); -ENOSPC when @p size is
 *         smaller; -EINVAL on a NULL pointer or a count out of range.
 */
__rte_experimental
int rte_hvdev_ic_make_negotiate(void *buf, uint32_t size,
				const struct rte_hvdev_ic_version *fw, unsigned int nfw,
				const struct rte_hvdev_ic_version *srv, unsigned int nsrv);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Look up a known IC class by name ("fcopy", "kvp", "vss", "heartbeat", "shutdown",
 * "timesync"; case does not matter).
 *
 * @return the class, or NULL.
 */
__rte_experimental
const struct rte_hvdev_ic_class *rte_hvdev_ic_class_by_name(const char *name);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Look up a known IC class by class GUID.
 *
 * @return the class, or NULL.
 */
__rte_experimental
const struct rte_hvdev_ic_class *rte_hvdev_ic_class_by_guid(const rte_uuid_t guid);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Parse a class given by the user: a known class name, or a GUID string with or without
 * surrounding braces.
 *
 * @param str  the text.
 * @param out  receives the class GUID.
 * @return 0, or -EINVAL (@p out untouched).
 */
__rte_experimental
int rte_hvdev_ic_class_parse(const char *str, rte_uuid_t out);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * @return a short text for an IC status code ("unknown" for codes not listed in this file).
 */
__rte_experimental
const char *rte_hvdev_ic_status_str(uint32_t status);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Decode one UTF-8 sequence strictly.
 *
 * Rejected: a byte that cannot start a sequence (a stray continuation byte, 0xc0, 0xc1, 0xf5
 * and above), a sequence cut short by @p n or by a byte that is not a continuation, an
 * overlong form, a surrogate (U+D800..U+DFFF) and anything beyond U+10FFFF.
 *
 * @param src  the bytes (at least one).
 * @param n    bytes available at @p src; nothing beyond is read.
 * @param cp   receives the code point.
 * @return the sequence's length (1 to 4); -EILSEQ (not a valid sequence, @p cp untouched);
 *         -EINVAL (NULL pointer or @p n 0).
 */
__rte_experimental
int rte_hvdev_utf8_decode(const void *src, size_t n, uint32_t *cp);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Convert a NUL-terminated UTF-16LE string held in an array of @p units code units (which may
 * be unaligned, as it is inside a packed wire structure) to UTF-8.
 *
 * Surrogate pairs become one 4-byte sequence. A lone or reversed surrogate, or no NUL within
 * the @p units units, makes the whole string invalid: a string is never silently altered.
 * Nothing at or beyond @p units code units is read.
 *
 * @param src     the UTF-16LE code units.
 * @param units   code units in @p src.
 * @param dst     receives the UTF-8 string, NUL-terminated (an empty string on any error).
 * @param dstlen  size of @p dst in bytes, terminating NUL included.
 * @return the length of the UTF-8 string (NUL excluded); -EILSEQ (invalid UTF-16 or no NUL);
 *         -ENAMETOOLONG (@p dst too small); -EINVAL (NULL pointer, @p dstlen 0 or too large).
 */
__rte_experimental
int rte_hvdev_utf16_to_utf8(const void *src, size_t units, char *dst, size_t dstlen);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Convert @p len bytes of UTF-8 to a NUL-terminated UTF-16LE string in an array of @p units
 * code units (which may be unaligned).
 *
 * Every sequence is checked as rte_hvdev_utf8_decode() does; a NUL byte inside the @p len
 * bytes is invalid too (the string would end early for its reader). Code points above U+FFFF
 * become surrogate pairs. Nothing at or beyond @p units code units is written.
 *
 * @param src    the UTF-8 bytes (no terminator needed).
 * @param len    bytes of @p src.
 * @param dst    receives the UTF-16LE string (an empty string on any error).
 * @param units  code units available at @p dst, terminating NUL included.
 * @return code units written, NUL excluded; -EILSEQ (invalid UTF-8); -ENAMETOOLONG (the string
 *         and its NUL do not fit); -EINVAL (NULL pointer, @p units 0 or too large).
 */
__rte_experimental
int rte_hvdev_utf8_to_utf16(const char *src, size_t len, void *dst, size_t units);

#ifdef __cplusplus
}
#endif

#endif /* RTE_HVDEV_IC_H */
