/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef RTE_HVSIM_H
#define RTE_HVSIM_H

/**
 * @file
 * A simulated Hyper-V host.
 *
 * It offers low-speed VMBus devices under a root directory that mirrors the kernel's sysfs and
 * /dev paths and attributes (as uio_hv_generic creates them), opens the channel when the guest
 * opens the device node, and plays the host side of both rings with DPDK's own bufring code in
 * the mirrored role, following the host's signalling rules. Faults (corrupt indices and
 * descriptors, late sysfs entries, rescind) are injected through this API.
 *
 * The host runs on its own thread (rte_hvsim_start()) or in the calling thread, e.g. in a
 * separate process (rte_hvsim_run()).
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_compat.h>
#include <rte_uuid.h>

#include "rte_hvdev_ic.h"
#include "rte_hvdev_kvp.h"

#ifdef __cplusplus
extern "C" {
#endif

struct rte_hvsim;
struct rte_hvsim_dev;

/** Which ring, named from the guest's side. */
enum rte_hvsim_ring {
	RTE_HVSIM_RING_GUEST_TX = 0,	/**< guest -> host, first half of uio map 0 */
	RTE_HVSIM_RING_GUEST_RX = 1,	/**< host -> guest, second half */
};

/** A packet the guest sent. Valid only during the callback. */
struct rte_hvsim_pkt {
	uint16_t type;
	uint16_t flags;
	uint64_t xactid;
	const void *data;	/**< payload, descriptor stripped */
	uint32_t len;		/**< payload bytes, including the guest's padding */
};

/** Host-side behaviour of a device; every callback runs on the host thread. */
struct rte_hvsim_dev_ops {
	/** The guest opened the node: the channel is open, rings are fresh. */
	void (*on_open)(struct rte_hvsim_dev *dev, void *arg);
	/** One packet from the guest; rte_hvsim_send() may be called from here. */
	void (*on_packet)(struct rte_hvsim_dev *dev, const struct rte_hvsim_pkt *pkt, void *arg);
	/** The guest closed the node, or the channel was rescinded. */
	void (*on_close)(struct rte_hvsim_dev *dev, void *arg);
};

/** How to offer a device. Zeroed fields take defaults. */
struct rte_hvsim_dev_conf {
	rte_uuid_t class_id;		/**< required */
	/**
	 * Zero: for the fcopy class Hyper-V's fixed instance eb765408-105f-49b6-b4aa-c123b64d17d4
	 * (the upstream daemon opens only that one), for the KVP class Hyper-V's
	 * 242ff919-07db-4180-9c2e-b86cb68c8c55, unless another device of this host already has
	 * it; otherwise, and for the other classes, derived from the class and relid.
	 */
	rte_uuid_t instance_id;
	uint32_t relid;			/**< zero: next free */
	/**
	 * Bytes per direction, header page included; 0: 5 pages (fcopy's 16 KiB of data), 2 MiB
	 * for KVP (uio_hv_generic's size for a class without a preferred one).
	 */
	uint32_t ring_size;
	const char *driver;		/**< bound driver; NULL: uio_hv_generic, "": unbound */
	uint32_t uio_delay_ms;		/**< bind to uio (uio dir + node) only after this */
	uint32_t ring_attr_delay_ms;	/**< create channels/<relid>/ring only after this */
	bool no_ring_attr;		/**< never create channels/<relid>/ring */
	bool monitor;			/**< allocate a monitor page (not a low-speed device) */
	/**
	 * Set the RX interrupt_mask in open(), as kernels before 6.18 do (see
	 * struct rte_hvsim_kernel, which also has the per-interrupt mask of those kernels).
	 */
	bool mask_on_open;
	/**
	 * Take an IC answer only when its VMBus transaction id echoes the request's. Without it
	 * (the default, as Hyper-V) answers are matched by the IC header's transaction id, since
	 * the upstream uio daemon answers with 0xFFFFFFFFFFFFFFFF; each such answer is counted in
	 * xactid_not_echoed. With it, such an answer is refused and counted as a guest error.
	 * The environment variable HVSIM_STRICT_XACTID (non-empty, not "0") read by
	 * rte_hvsim_create() sets it for every device of that host.
	 */
	bool strict_xactid;
	/**
	 * On rescind, take the ring memory away from the guest: any later access through its
	 * old mapping faults (SIGBUS), where on Hyper-V it would read or corrupt ring pages the
	 * kernel has freed. Off: the old rings stay mapped and quietly go nowhere.
	 */
	bool revoke_rings;
	/**
	 * After the rescind notification, keep the device's sysfs entry and node this long (ms),
	 * as the kernel unregisters the device asynchronously. Opening that stale node meanwhile
	 * succeeds with the old rings (as another open of a uio device that is still held open
	 * does) and reports the rescind at once. A re-offer ends the wait first.
	 */
	uint32_t rescind_linger_ms;
	/**
	 * IC host role: on every channel open, send a NEGOTIATE the way Hyper-V does and keep
	 * the guest's packets from on_packet until the guest has answered it
	 * (see rte_hvsim_ic_result()).
	 */
	bool ic_negotiate;
	/** Framework versions offered; NULL: {3.0, 1.0}. Copied at offer time. */
	const struct rte_hvdev_ic_version *ic_fw;
	unsigned int ic_nfw;
	/**
	 * Service versions offered; NULL: for KVP what Microsoft's host offers (3.0, 4.0, 5.0),
	 * for the other known classes the guest's list for the class.
	 */
	const struct rte_hvdev_ic_version *ic_srv;
	unsigned int ic_nsrv;
	const struct rte_hvsim_dev_ops *ops;
	void *ops_arg;
};

/** Host-side counters of one device. */
struct rte_hvsim_dev_stats {
	uint64_t opens;
	uint64_t rx_packets;		/**< packets from the guest */
	uint64_t tx_packets;		/**< packets to the guest */
	uint64_t interrupts;		/**< interrupts raised to the guest */
	uint64_t signals;		/**< write(1) signals from the guest */
	uint64_t masks;			/**< write(0) from the guest */
	uint64_t guest_errors;		/**< malformed (channel reset) or unexpected packets */
	uint64_t late_answers;		/**< answers to requests the host gave up on (ignored) */
	uint64_t intr_dropped;		/**< interrupts dropped by fault injection */
	uint64_t intr_delayed;		/**< interrupts delivered late by fault injection */
	uint64_t faults_fired;		/**< one-shot faults and step actions that fired */
	uint64_t shared_opens;		/**< opens of a node already open: the rings are shared */
	uint64_t stale_opens;		/**< opens of a rescinded device's lingering node */
	/** IC answers whose VMBus transaction id did not echo the request's (see strict_xactid) */
	uint64_t xactid_not_echoed;
	/** interrupts merged into one the guest had not read yet (rte_hvsim_kernel.coalesce) */
	uint64_t intr_coalesced;
};

/**
 * What the simulated guest kernel (vmbus, uio, uio_hv_generic) does; one profile per host,
 * applied to the devices offered after it is set. Zeroed: the current kernel.
 */
struct rte_hvsim_kernel {
	/** uio_hv_generic sets the RX interrupt_mask in open() (before 6.18 and its backports). */
	bool mask_on_open;
	/**
	 * uio_hv_generic's channel callback sets the RX interrupt_mask on every interrupt
	 * (before 6.18 and its stable backports of "Let userspace take care of interrupt mask").
	 */
	bool mask_per_interrupt;
	/** channels/<relid>/ring has the fixed 4 MiB (before 6.15 and its 6.12.y backport). */
	bool ring_attr_fixed;
	/**
	 * Interrupts raised while the guest has not read the previous one merge into it, as the
	 * uio event counter does: one read for several interrupts, the next count jumps by more
	 * than one.
	 */
	bool coalesce;
	/** uio_hv_generic refuses low-speed devices (no monitor page): kernels before 6.10. */
	bool no_lowspeed_bind;
	/** <root>/proc/sys/kernel/osrelease; "": a release that matches the flags. */
	char release[64];
};

/**
 * Parse a kernel profile: comma-separated items, each a preset or a flag applied on top of
 * @p k (which the caller initialises). Presets (they reset the profile): "current" (6.18),
 * "mask-per-interrupt" (6.17: mask in open() and on every interrupt), "legacy-ring" (6.12:
 * that, plus the fixed 4 MiB ring attribute), "pre-6.10" (6.9: that, and low-speed devices
 * are not bound). Flags: "mask-on-open", "mask-each-interrupt", "ring-4m", "coalesce",
 * "no-lowspeed-bind", "release=STRING".
 * @return 0, or -EINVAL with a reason in @p err.
 */
__rte_experimental
int rte_hvsim_kernel_parse(const char *spec, struct rte_hvsim_kernel *k, char *err,
			   size_t errlen);

/**
 * Set the host's kernel profile (NULL: current). rte_hvsim_create() starts from the
 * environment variable HVSIM_KERNEL (a rte_hvsim_kernel_parse() specification) when it is
 * set, so that whole suites and dpdk-hvsim run under another kernel unchanged.
 * @return 0, -EINVAL, or -errno writing <root>/proc/sys/kernel/osrelease.
 */
__rte_experimental
int rte_hvsim_set_kernel(struct rte_hvsim *sim, const struct rte_hvsim_kernel *k);

/** The host's kernel profile, with its release filled in. */
__rte_experimental
void rte_hvsim_get_kernel(struct rte_hvsim *sim, struct rte_hvsim_kernel *k);

/** Outcome of the IC version negotiation on the current channel. */
struct rte_hvsim_ic_result {
	bool done;		/**< the guest answered (or the NEGOTIATE could not be sent) */
	bool ok;		/**< a valid success answer: versions agreed */
	uint32_t status;	/**< the status the guest returned */
	struct rte_hvdev_ic_version fw;		/**< framework version the guest chose */
	struct rte_hvdev_ic_version srv;	/**< service version the guest chose */
	uint64_t xactid;	/**< VMBus transaction id of the NEGOTIATE */
	uint64_t answer_xactid;	/**< VMBus transaction id the guest answered with */
};

/**
 * Create a host that offers devices under @p root (created if missing).
 * @return the host, or NULL with rte_errno set.
 */
__rte_experimental
struct rte_hvsim *rte_hvsim_create(const char *root);

/** Stop the host thread if any, rescind every device, free everything. */
__rte_experimental
void rte_hvsim_destroy(struct rte_hvsim *sim);

/** Run the host on a new thread. @return 0 or a negative errno. */
__rte_experimental
int rte_hvsim_start(struct rte_hvsim *sim);

/** Run the host in the calling thread until rte_hvsim_stop(). @return 0 or -errno. */
__rte_experimental
int rte_hvsim_run(struct rte_hvsim *sim);

/** Ask the host loop to return (callable from any thread or a signal handler). */
__rte_experimental
void rte_hvsim_stop(struct rte_hvsim *sim);

/** The root directory the host builds its tree under. */
__rte_experimental
const char *rte_hvsim_root(const struct rte_hvsim *sim);

/**
 * Offer a device: create its sysfs entries, its uio binding and its node.
 * @return the device, or NULL with rte_errno set.
 */
__rte_experimental
struct rte_hvsim_dev *rte_hvsim_offer(struct rte_hvsim *sim,
				      const struct rte_hvsim_dev_conf *conf);

/**
 * Rescind: the guest's node reports the rescind (every opener's), the device disappears from
 * sysfs and /dev (after conf.rescind_linger_ms), and its rings are replaced by new ones for
 * the next offer (the old ones revoked with conf.revoke_rings).
 * @return 0 or a negative errno.
 */
__rte_experimental
int rte_hvsim_rescind(struct rte_hvsim_dev *dev);

/** Offer a rescinded device again (it may get another uioN). @return 0 or -errno. */
__rte_experimental
int rte_hvsim_reoffer(struct rte_hvsim_dev *dev);

/** True while the guest has the channel open. */
__rte_experimental
bool rte_hvsim_is_open(const struct rte_hvsim_dev *dev);

/**
 * Wait up to @p timeout_ms for the guest to open (or, with @p open false, close) the channel.
 * @return 0 or -ETIMEDOUT.
 */
__rte_experimental
int rte_hvsim_wait_open(struct rte_hvsim_dev *dev, bool open, int timeout_ms);

/**
 * Send one packet to the guest, interrupting it only if its RX interrupt_mask is clear and
 * the ring was empty.
 * @return 0, -EAGAIN (ring full), -EMSGSIZE, -ENOTCONN (channel not open).
 */
__rte_experimental
int rte_hvsim_send(struct rte_hvsim_dev *dev, uint16_t type, uint16_t flags, uint64_t xactid,
		   const void *data, uint32_t len);

/**
 * Like rte_hvsim_send(), but when the ring is full set pending_send_sz and wait up to
 * @p timeout_ms for the guest to signal room.
 * @return as rte_hvsim_send(), or -ETIMEDOUT.
 */
__rte_experimental
int rte_hvsim_send_wait(struct rte_hvsim_dev *dev, uint16_t type, uint16_t flags,
			uint64_t xactid, const void *data, uint32_t len, int timeout_ms);

/**
 * Fault injection: copy @p len raw bytes into the guest's RX ring at its write index and
 * publish them, whatever they contain, then interrupt the guest if @p interrupt.
 * @return 0, -EAGAIN, -ENOTCONN.
 */
__rte_experimental
int rte_hvsim_inject_raw(struct rte_hvsim_dev *dev, const void *bytes, uint32_t len,
			 bool interrupt);

/**
 * Fault injection: overwrite one 32-bit field of a ring header (byte offset @p field_off:
 * 0 write_index, 4 read_index, 8 interrupt_mask, 12 pending_send_sz, 64 feature_bits).
 * @return 0 or -EINVAL.
 */
__rte_experimental
int rte_hvsim_ring_poke(struct rte_hvsim_dev *dev, enum rte_hvsim_ring ring,
			uint32_t field_off, uint32_t value);

/** Read one 32-bit field of a ring header (offsets as rte_hvsim_ring_poke()). */
__rte_experimental
uint32_t rte_hvsim_ring_peek(const struct rte_hvsim_dev *dev, enum rte_hvsim_ring ring,
			     uint32_t field_off);

/**
 * Copy @p len bytes of a ring's data area, from byte @p off (wrapping), into @p buf: what the
 * guest has written, published or not (a test that races the guest's writer watches it).
 * @return 0 or -EINVAL.
 */
__rte_experimental
int rte_hvsim_ring_data_peek(const struct rte_hvsim_dev *dev, enum rte_hvsim_ring ring,
			     uint32_t off, void *buf, uint32_t len);

/** Raise an interrupt to the guest regardless of the rules. @return 0 or -ENOTCONN. */
__rte_experimental
int rte_hvsim_interrupt(struct rte_hvsim_dev *dev);

/** Host-side counters. */
__rte_experimental
void rte_hvsim_dev_stats_get(const struct rte_hvsim_dev *dev,
			     struct rte_hvsim_dev_stats *stats);

/** The uio device name currently offered ("uio0"), or "" when rescinded. */
__rte_experimental
const char *rte_hvsim_dev_uio_name(const struct rte_hvsim_dev *dev);

/** The device's instance GUID. */
__rte_experimental
void rte_hvsim_dev_instance(const struct rte_hvsim_dev *dev, rte_uuid_t instance_id);

/**
 * Outcome of the IC negotiation on the current (or last) channel of a device offered with
 * conf.ic_negotiate. Every channel open starts a new negotiation.
 * @return 0; -EINVAL on NULL arguments; -ENOTSUP when the device has no IC host role.
 */
__rte_experimental
int rte_hvsim_ic_result(const struct rte_hvsim_dev *dev, struct rte_hvsim_ic_result *res);

/**
 * Wait up to @p timeout_ms (-1: forever) until the guest has answered the NEGOTIATE.
 * @return 0, -ETIMEDOUT, or as rte_hvsim_ic_result().
 */
__rte_experimental
int rte_hvsim_ic_wait(struct rte_hvsim_dev *dev, int timeout_ms);

/** Options of one Copy-VMFile (rte_hvsim_fcopy()). Zeroed fields take the defaults. */
struct rte_hvsim_fcopy_opts {
	bool overwrite;		/**< -Force: the OVER_WRITE flag */
	bool create_path;	/**< -CreateFullPath: the CREATE_PATH flag */
	uint32_t chunk;		/**< WRITE data size, 1..6144; 0: 6144 */
	/** Per request; 0: 30000 (as Hyper-V's per-transaction timeout). */
	int timeout_ms;
	/**
	 * Send CANCEL instead of the next WRITE (or of COMPLETE) once this many bytes are
	 * written; 0: never.
	 */
	uint64_t cancel_after;
	/** START.file_size = announce_size instead of the real size. */
	bool announce_size_set;
	uint64_t announce_size;
	/**
	 * Called on the caller's thread after each acknowledged WRITE; may be NULL. It may
	 * set cancel_after (in the options it was given, through its own pointer) to stop the
	 * copy with a CANCEL at the next request.
	 */
	void (*progress)(uint64_t done, uint64_t total, void *arg);
	void *progress_arg;
	/**
	 * START.file_name instead of the source's base name (any UTF-8, even empty or with a
	 * '/', to test how a guest takes odd names); NULL: the source's name, as Hyper-V.
	 */
	const char *file_name;
};

/** Outcome of one Copy-VMFile. */
struct rte_hvsim_fcopy_result {
	uint32_t hresult;	/**< the guest's status for the failing request, or 0 (S_OK) */
	uint32_t failed_op;	/**< RTE_HVDEV_FCOPY_* operation that failed, or UINT32_MAX */
	uint64_t bytes_sent;	/**< data bytes acknowledged by the guest */
	bool timed_out;		/**< the guest did not answer in time */
	bool cancelled;		/**< the host sent CANCEL (opts.cancel_after) */
};

/**
 * Copy the local file @p src_path to the guest the way Hyper-V's Copy-VMFile does: START,
 * WRITE x n (at most opts.chunk bytes each, absolute offsets, one request in flight),
 * COMPLETE, stopping at the first non-zero status.
 *
 * START carries what Hyper-V sends: path_name is @p dest verbatim (DestinationPath: an
 * absolute guest path naming a directory, with or without a trailing '/', or the file itself;
 * the guest decides where the file goes), file_name the last component of @p src_path (or
 * opts.file_name), both converted from UTF-8 to UTF-16LE (surrogate pairs beyond the BMP) and
 * NUL-terminated. A guest following Hyper-V's documented rule writes @p dest + file_name when
 * @p dest ends in '/' or is an existing directory, else @p dest itself.
 *
 * Blocks the caller; the guest's answers arrive on the host thread, so this must not be called
 * from a device callback. Requires a device offered with conf.ic_negotiate whose channel is
 * open; waits up to the request timeout for the negotiation to finish. One Copy-VMFile (or
 * rte_hvsim_fcopy_raw()) at a time per device.
 *
 * @param opts  NULL: all defaults.
 * @param res   receives the outcome (may be NULL).
 * @return 0 when the exchange ended (see res->hresult and res->cancelled); -ETIMEDOUT
 *         (res->timed_out, res->failed_op); -ENOTCONN (channel not open, negotiation refused,
 *         or the channel closed during the copy); -ENOENT, -EACCES, -EIO (cannot read
 *         @p src_path); -EINVAL (bad arguments, not a regular file, @p dest not absolute, a
 *         name not valid UTF-8, no IC role); -ENAMETOOLONG (@p dest or the file name over
 *         259 UTF-16 units); -EBUSY (another copy runs); -EDEADLK (called on the host thread);
 *         -ECANCELED (the fault step action RTE_HVSIM_ACT_STALL made the host go silent).
 *         The device's fault set (rte_hvsim_fault_set()) applies: mangled requests, the step
 *         action.
 */
__rte_experimental
int rte_hvsim_fcopy(struct rte_hvsim_dev *dev, const char *src_path, const char *dest,
		    const struct rte_hvsim_fcopy_opts *opts, struct rte_hvsim_fcopy_result *res);

/**
 * Fault injection: send one fcopy IC message whose body (after the 28-byte IC header) is
 * @p body / @p len exactly as given (any operation, any field values, any length), wait for
 * the answer and return its status in @p status. The IC header is the one rte_hvsim_fcopy()
 * uses. Same preconditions as rte_hvsim_fcopy().
 *
 * @param timeout_ms  0: 30000.
 * @return 0, -ETIMEDOUT, -ENOTCONN, -EINVAL (also @p len over 65535), -EMSGSIZE (does not fit
 *         in the ring), -EBUSY, -EDEADLK.
 */
__rte_experimental
int rte_hvsim_fcopy_raw(struct rte_hvsim_dev *dev, const void *body, uint32_t len,
			uint32_t *status, int timeout_ms);

/**
 * The message Hyper-V's Copy-VMFile shows for an HRESULT, e.g. 0x80070050 "The file exists.".
 *
 * @return a static string for known codes; "Unknown error 0x%08x" otherwise (in a per-thread
 *         buffer, valid until the next call on the same thread). Never NULL.
 */
__rte_experimental
const char *rte_hvsim_hresult_message(uint32_t hresult);

/** Name of an RTE_HVDEV_FCOPY_* operation ("START", "WRITE", ...), "-" for UINT32_MAX. */
__rte_experimental
const char *rte_hvsim_fcopy_op_name(uint32_t op);

/** Bytes of ring data per direction. */
__rte_experimental
uint32_t rte_hvsim_dev_data_size(const struct rte_hvsim_dev *dev);

/*
 * Fault injection (hvsim_fault.c). A device carries one fault set; rte_hvsim_fault_set()
 * replaces it. Interrupt and negotiation faults stay until cleared; ring corruption, message
 * mangling and the copy-step action are one-shot: each fires once, then its field is reset to
 * NONE (rte_hvsim_fault_get() shows what is still armed).
 */

/** What happens to the ring or the next packet the host sends (one-shot). */
enum rte_hvsim_corrupt {
	RTE_HVSIM_CORRUPT_NONE = 0,
	RTE_HVSIM_CORRUPT_RX_WINDEX,	/**< publish a write index beyond the data area */
	RTE_HVSIM_CORRUPT_RX_RINDEX,	/**< move the guest's own read index of its RX ring */
	RTE_HVSIM_CORRUPT_TX_RINDEX,	/**< the read index of the guest's TX ring out of range */
	RTE_HVSIM_CORRUPT_DESC_HLEN,	/**< packet descriptor hlen below the descriptor size */
	RTE_HVSIM_CORRUPT_DESC_TLEN,	/**< packet descriptor tlen beyond the readable bytes */
	RTE_HVSIM_CORRUPT_DESC_TYPE,	/**< packet type 0 */
};

/** How the host's NEGOTIATE goes wrong (on every channel open while set). */
enum rte_hvsim_nego_fault {
	RTE_HVSIM_NEGO_OK = 0,
	RTE_HVSIM_NEGO_NO_COMMON,	/**< offers only framework 0.1 and service 0.1 */
	RTE_HVSIM_NEGO_TOO_MANY,	/**< framework count 101 (over the protocol's 100) */
	RTE_HVSIM_NEGO_TRUNCATED,	/**< counts claim versions beyond the end of the message */
	RTE_HVSIM_NEGO_SHORT,		/**< message cut inside the NEGOTIATE header */
	RTE_HVSIM_NEGO_SILENT,		/**< no NEGOTIATE at all (the host never speaks) */
};

/** How one fcopy request is malformed (one-shot, see rte_hvsim_fault.mangle_op). */
enum rte_hvsim_mangle {
	RTE_HVSIM_MANGLE_NONE = 0,
	RTE_HVSIM_MANGLE_WRITE_SIZE_OVER,	/**< WRITE.size 6145, over the 6144 maximum */
	RTE_HVSIM_MANGLE_WRITE_SIZE_BEYOND,	/**< WRITE size 3 bytes past its data (padding) */
	RTE_HVSIM_MANGLE_NAME_UNTERMINATED,	/**< START.file_name with no NUL in 260 units */
	RTE_HVSIM_MANGLE_PATH_UNTERMINATED,	/**< START.path_name with no NUL in 260 units */
	RTE_HVSIM_MANGLE_TRUNCATE,		/**< body cut to mangle_len bytes, sizes matching */
	RTE_HVSIM_MANGLE_ICMSGSIZE_OVER,	/**< IC icmsgsize beyond the packet */
	RTE_HVSIM_MANGLE_ICMSGSIZE_UNDER,	/**< IC icmsgsize smaller than the body */
	RTE_HVSIM_MANGLE_OP_UNKNOWN,		/**< fcopy operation 99 */
	RTE_HVSIM_MANGLE_MSGTYPE,		/**< IC message type 1 (heartbeat), not fcopy */
	RTE_HVSIM_MANGLE_START_SIZE_SMALL,	/**< START.file_size 1, whatever the data */
};

/** A point in one Copy-VMFile where the step action fires (on the copying thread). */
enum rte_hvsim_step {
	RTE_HVSIM_STEP_NONE = 0,
	RTE_HVSIM_STEP_NEGOTIATED,	/**< versions agreed, before START is sent */
	RTE_HVSIM_STEP_START,		/**< START answered with success */
	RTE_HVSIM_STEP_WRITE,		/**< the step_nth WRITE (1-based) answered with success */
	RTE_HVSIM_STEP_BEFORE_COMPLETE,	/**< every WRITE answered, COMPLETE not sent */
	RTE_HVSIM_STEP_COMPLETE,	/**< COMPLETE answered (the exchange is over) */
};

/** What the host does at the step. */
enum rte_hvsim_step_action {
	RTE_HVSIM_ACT_NONE = 0,
	/** Rescind the device; the copy ends with -ENOTCONN. */
	RTE_HVSIM_ACT_RESCIND,
	/** Send CANCEL and end the copy (res->cancelled), as a host that gives up does. */
	RTE_HVSIM_ACT_CANCEL,
	/** Go silent: send nothing more for this copy, which ends with -ECANCELED. */
	RTE_HVSIM_ACT_STALL,
	/** Arm fault.corrupt for the next packet the host sends, then carry on. */
	RTE_HVSIM_ACT_CORRUPT,
	/** SIGKILL process step_pid (the guest), then carry on (the next request fails). */
	RTE_HVSIM_ACT_KILL,
	/** Only call step_cb. */
	RTE_HVSIM_ACT_CALL,
};

/** The faults of one device. Zeroed fields: no fault. */
struct rte_hvsim_fault {
	/** Deliver every interrupt this late (coalescing those raised meanwhile). */
	uint32_t intr_delay_ms;
	/** Drop one interrupt in every intr_drop_every (1: all of them); 0: none. */
	uint32_t intr_drop_every;
	/** Drop each interrupt with this probability, in percent (0 to 100). */
	uint32_t intr_drop_pct;
	/** Seed of the drop_pct generator (0: a fixed default), for reproducible runs. */
	uint32_t seed;
	/** One-shot: corrupt the next packet or ring index (or at the step, ACT_CORRUPT). */
	enum rte_hvsim_corrupt corrupt;
	/** Every NEGOTIATE the host sends (at channel open, rte_hvsim_ic_renegotiate()). */
	enum rte_hvsim_nego_fault nego;
	/** One-shot: malform the mangle_nth request (1-based; 0: first) of mangle_op. */
	enum rte_hvsim_mangle mangle;
	/**
	 * RTE_HVDEV_FCOPY_* operation to malform (START when 0); the WRITE_SIZE kinds always
	 * malform a WRITE, the UNTERMINATED kinds and START_SIZE_SMALL a START.
	 */
	uint32_t mangle_op;
	uint32_t mangle_nth;
	/**
	 * Body bytes kept by RTE_HVSIM_MANGLE_TRUNCATE, exactly (icmsgsize says so, even when
	 * the packet's padding to 8 bytes covers the cut).
	 */
	uint32_t mangle_len;
	/** One-shot: the action at a step of the next Copy-VMFile. */
	enum rte_hvsim_step step;
	uint32_t step_nth;		/**< which WRITE for RTE_HVSIM_STEP_WRITE (0: first) */
	enum rte_hvsim_step_action action;
	int step_pid;			/**< process RTE_HVSIM_ACT_KILL kills */
	/** Called on the copying thread when the step is reached, before the action; or NULL. */
	void (*step_cb)(struct rte_hvsim_dev *dev, enum rte_hvsim_step step, uint32_t nth,
			void *arg);
	void *step_arg;
};

/**
 * Replace the device's fault set (a NULL or zeroed @p fault clears it). Takes effect at once:
 * a delayed interrupt already waiting is still delivered.
 * @return 0, -EINVAL (a value out of range).
 */
__rte_experimental
int rte_hvsim_fault_set(struct rte_hvsim_dev *dev, const struct rte_hvsim_fault *fault);

/** The device's fault set as it is now (one-shot fields that fired are NONE again). */
__rte_experimental
void rte_hvsim_fault_get(const struct rte_hvsim_dev *dev, struct rte_hvsim_fault *fault);

/**
 * Parse a fault specification: comma- or space-separated key=value items, e.g.
 * "intr_drop_every=2,step=write:3,action=rescind". Keys are the field names of struct
 * rte_hvsim_fault without their prefix where it is obvious (see doc/guides/testing/faults.rst):
 * intr_delay_ms, intr_drop_every, intr_drop_pct, seed, corrupt, nego, mangle, mangle_op,
 * mangle_nth, mangle_len, step (NAME or write:N), action, pid. "none" or "clear" alone clears.
 * Items are applied on top of @p fault, which the caller initialises.
 *
 * @return 0, or -EINVAL with a reason in @p err.
 */
__rte_experimental
int rte_hvsim_fault_parse(const char *spec, struct rte_hvsim_fault *fault, char *err,
			  size_t errlen);

/** Format @p fault as a specification rte_hvsim_fault_parse() takes back ("none" if empty). */
__rte_experimental
int rte_hvsim_fault_format(const struct rte_hvsim_fault *fault, char *buf, size_t len);

/**
 * Send a NEGOTIATE now on the open channel (applying fault.nego), as a host that restarts
 * the negotiation; rte_hvsim_ic_result() then describes the new one.
 * @return 0, -ENOTCONN, -ENOTSUP (no IC role), -EBUSY (a copy runs), or as rte_hvsim_send().
 */
__rte_experimental
int rte_hvsim_ic_renegotiate(struct rte_hvsim_dev *dev);

/*
 * The host's KVP (Data Exchange) role (hvsim_kvp.c). Hyper-V drives the KVP integration
 * component with one request at a time: it adds, modifies and removes its own items in the
 * guest's pools with SET and DELETE, reads the guest's items with ENUMERATE (index 0, 1, ...
 * until the guest answers HV_S_CONT), and gets or injects an adapter's IP configuration. Each
 * function below sends one such request (ENUMERATE: one per index), waits for the answer,
 * checks it as the host does, and decodes it. Requirements as rte_hvsim_fcopy(): a device
 * offered with conf.ic_negotiate (normally the KVP class) whose channel the guest has opened;
 * they block, and must not be called from a device callback.
 */

/*
 * Pools and value types are rte_hvdev_kvp.h's: RTE_HVDEV_KVP_POOL_EXTERNAL (0, host items,
 * HostExchangeItems: the host writes), _GUEST (1, GuestExchangeItems: the host reads), _AUTO
 * (2, GuestIntrinsicExchangeItems: the host enumerates), _AUTO_EXTERNAL (3), _AUTO_INTERNAL
 * (4); RTE_HVDEV_KVP_REG_SZ (1), _EXPAND_SZ (2), _U32 (4, REG_DWORD) and _QWORD (11) as
 * Microsoft's host sends and reads them. Any pool byte and any type may be sent, to test
 * guests.
 */

/** Bytes of UTF-8 that the longest key (255 UTF-16 units and a NUL) decodes to, NUL included. */
#define RTE_HVSIM_KVP_KEY_UTF8_MAX	768
/** Bytes of UTF-8 that the longest string value (1023 units and a NUL) decodes to. */
#define RTE_HVSIM_KVP_VALUE_UTF8_MAX	3072

/** One key/value pair, decoded (UTF-8, NUL-terminated). */
struct rte_hvsim_kvp_item {
	uint32_t type;				/**< RTE_HVDEV_KVP_REG_* */
	char key[RTE_HVSIM_KVP_KEY_UTF8_MAX];
	/** REG_SZ/REG_EXPAND_SZ: the string; DWORD/QWORD: the number in decimal (output only) */
	char value[RTE_HVSIM_KVP_VALUE_UTF8_MAX];
	uint64_t number;			/**< REG_DWORD/REG_QWORD */
};

/** @name Address families of the IP information (addr_family) */
/**@{*/
#define RTE_HVSIM_KVP_ADDR_NONE	0
#define RTE_HVSIM_KVP_ADDR_IPV4	1
#define RTE_HVSIM_KVP_ADDR_IPV6	2
#define RTE_HVSIM_KVP_ADDR_BOTH	3
/**@}*/

/**
 * An adapter's IP configuration as GET_IP_INFO returns it and SET_IP_INFO injects it: the
 * string form of the kernel's struct hv_kvp_ipaddr_value, decoded to UTF-8. Lists are
 * ';'-separated, as Hyper-V and the kernel's daemon write them.
 */
struct rte_hvsim_kvp_ip {
	/** GET: the adapter's MAC address ("00:15:5D:..."); SET: the adapter's GUID */
	char adapter_id[384];			/**< 128 UTF-16 units on the wire */
	uint8_t addr_family;			/**< RTE_HVSIM_KVP_ADDR_* */
	uint8_t dhcp_enabled;
	char ip_addr[3072];			/**< 1024 units */
	char subnet[3072];			/**< 1024 units */
	char gateway[1536];			/**< 512 units */
	char dns[3072];				/**< 1024 units */
};

/** @name Fault injection into KVP requests (rte_hvsim_kvp_opts.mangle bits) */
/**@{*/
#define RTE_HVSIM_KVP_MANGLE_KEY_SIZE	(1u << 0)	/**< key_size field = opts.key_size */
#define RTE_HVSIM_KVP_MANGLE_VALUE_SIZE	(1u << 1)	/**< value_size field = opts.value_size */
/** The body cut (or zero-extended) to opts.body_len bytes, icmsgsize saying so. */
#define RTE_HVSIM_KVP_MANGLE_BODY_LEN	(1u << 2)
/** icmsgsize = opts.icmsgsize, whatever the body (a lie, beyond or short of it). */
#define RTE_HVSIM_KVP_MANGLE_ICMSGSIZE	(1u << 3)
#define RTE_HVSIM_KVP_MANGLE_OP		(1u << 4)	/**< operation byte = opts.op */
/** The key's last unit replaced by a lone high surrogate (invalid UTF-16). */
#define RTE_HVSIM_KVP_MANGLE_KEY_UTF16	(1u << 5)
/** The string value's last unit replaced by a lone low surrogate. */
#define RTE_HVSIM_KVP_MANGLE_VALUE_UTF16 (1u << 6)
/** The key field filled with 256 non-NUL units, key_size 512: no terminator. */
#define RTE_HVSIM_KVP_MANGLE_KEY_NO_NUL	(1u << 7)
/** A string value field filled with 1024 non-NUL units, value_size 2048. */
#define RTE_HVSIM_KVP_MANGLE_VALUE_NO_NUL (1u << 8)
/**@}*/

/** Options of one KVP operation. Zeroed: Hyper-V's behaviour. */
struct rte_hvsim_kvp_opts {
	int timeout_ms;		/**< per request; 0: 30000 (see the guide: assumed) */
	uint32_t mangle;	/**< RTE_HVSIM_KVP_MANGLE_* bits; applied to every request */
	uint32_t key_size;
	uint32_t value_size;
	uint32_t body_len;
	uint16_t icmsgsize;
	uint8_t op;
};

/** Outcome of one KVP operation. */
struct rte_hvsim_kvp_result {
	bool answered;		/**< the guest answered the last request sent */
	bool timed_out;		/**< ... or did not, in time */
	uint32_t status;	/**< the guest's status in that answer (HV_S_CONT ends ENUMERATE) */
	uint32_t requests;	/**< requests sent */
	/** Why the answer was refused (the call returned -EBADMSG); "" otherwise. */
	char error[160];
};

/**
 * GET: ask the guest for @p key in @p pool. On S_OK the answer must carry a valid value
 * (type REG_SZ, REG_EXPAND_SZ, REG_DWORD or REG_QWORD with their sizes, strings valid
 * UTF-16 NUL-terminated within value_size); it is decoded into @p item (may be NULL).
 *
 * Every KVP call returns 0 when the guest answered validly (its status, success or not, in
 * res->status); -EBADMSG when the answer broke the protocol (res->error says how: payload
 * length not the request's, icmsgsize beyond the packet, not a KVP message, flags not
 * TRANSACTION|RESPONSE, operation or pool not echoed, sizes or strings invalid), counted as a
 * guest error; -ETIMEDOUT (res->timed_out); -ENOTCONN (channel not open or closed meanwhile,
 * negotiation refused); -EINVAL (bad arguments, a key or value that does not fit: 255 UTF-16
 * units for a key, 1023 for a string value, or not UTF-8); -ENOTSUP (no IC role; IP operations
 * on KVP 5.0, whose binary form is not implemented); -EBUSY (another KVP call runs on the
 * device); -EDEADLK (called on the host thread).
 */
__rte_experimental
int rte_hvsim_kvp_get(struct rte_hvsim_dev *dev, uint8_t pool, const char *key,
		      struct rte_hvsim_kvp_item *item, const struct rte_hvsim_kvp_opts *opts,
		      struct rte_hvsim_kvp_result *res);

/**
 * SET: add or modify item->key in @p pool with item->type and item->value (strings) or
 * item->number (REG_DWORD, REG_QWORD), as AddKvpItems and ModifyKvpItems do on pool 0.
 * @return as rte_hvsim_kvp_get().
 */
__rte_experimental
int rte_hvsim_kvp_set(struct rte_hvsim_dev *dev, uint8_t pool,
		      const struct rte_hvsim_kvp_item *item, const struct rte_hvsim_kvp_opts *opts,
		      struct rte_hvsim_kvp_result *res);

/** DELETE: remove @p key from @p pool (RemoveKvpItems on pool 0). @return as get. */
__rte_experimental
int rte_hvsim_kvp_delete(struct rte_hvsim_dev *dev, uint8_t pool, const char *key,
			 const struct rte_hvsim_kvp_opts *opts, struct rte_hvsim_kvp_result *res);

/**
 * One ENUMERATE: the item at @p index of @p pool, decoded into @p item (may be NULL) when the
 * status is S_OK. @return as rte_hvsim_kvp_get().
 */
__rte_experimental
int rte_hvsim_kvp_enum_index(struct rte_hvsim_dev *dev, uint8_t pool, uint32_t index,
			     struct rte_hvsim_kvp_item *item,
			     const struct rte_hvsim_kvp_opts *opts,
			     struct rte_hvsim_kvp_result *res);

/**
 * Read a whole pool as Hyper-V does: ENUMERATE index 0, 1, ... until the guest answers a
 * status other than S_OK. HV_S_CONT (RTE_HVDEV_IC_S_CONT) is the normal end; any other status
 * ends it too, as a failure (res->status). Up to @p max items go to @p items (may be NULL).
 *
 * @param count  receives the number of items the guest returned.
 * @return as rte_hvsim_kvp_get(); -ENOBUFS when more than @p max items came (the first @p max
 *         are kept); -EOVERFLOW when the guest never ended (65536 items).
 */
__rte_experimental
int rte_hvsim_kvp_enumerate(struct rte_hvsim_dev *dev, uint8_t pool,
			    struct rte_hvsim_kvp_item *items, unsigned int max,
			    unsigned int *count, const struct rte_hvsim_kvp_opts *opts,
			    struct rte_hvsim_kvp_result *res);

/**
 * GET_IP_INFO: the IP configuration of the adapter whose MAC address is @p adapter_id (the
 * kernel's daemon compares it with the upper-case "XX:XX:..." form), decoded into @p ip.
 * The string form of KVP 3.0/4.0 (what Linux guests negotiate). @return as get.
 */
__rte_experimental
int rte_hvsim_kvp_ip_get(struct rte_hvsim_dev *dev, const char *adapter_id,
			 struct rte_hvsim_kvp_ip *ip, const struct rte_hvsim_kvp_opts *opts,
			 struct rte_hvsim_kvp_result *res);

/** SET_IP_INFO: inject @p ip (Hyper-V Replica's failover IP). @return as get. */
__rte_experimental
int rte_hvsim_kvp_ip_set(struct rte_hvsim_dev *dev, const struct rte_hvsim_kvp_ip *ip,
			 const struct rte_hvsim_kvp_opts *opts, struct rte_hvsim_kvp_result *res);

/**
 * Fault injection: send one KVP message whose body (after the 28-byte IC header) is exactly
 * @p body / @p len, wait for the answer and copy up to *answer_len bytes of the answer's body
 * to @p answer (may be NULL; *answer_len receives the body bytes the answer held). The answer
 * is only checked for framing (length, icmsgsize, type, flags), not decoded.
 *
 * @return 0, -EBADMSG, -ETIMEDOUT, -ENOTCONN, -EINVAL (also @p len over 65535), -EMSGSIZE,
 *         -EBUSY, -EDEADLK.
 */
__rte_experimental
int rte_hvsim_kvp_raw(struct rte_hvsim_dev *dev, const void *body, uint32_t len, void *answer,
		      uint32_t *answer_len, const struct rte_hvsim_kvp_opts *opts,
		      struct rte_hvsim_kvp_result *res);

/**
 * Name of a pool number ("external", "guest", "auto", "auto-external", "auto-internal"), or
 * NULL.
 */
__rte_experimental
const char *rte_hvsim_kvp_pool_name(uint32_t pool);

/** Pool by name (as rte_hvsim_kvp_pool_name()) or number 0..255. @return it, or -EINVAL. */
__rte_experimental
int rte_hvsim_kvp_pool_parse(const char *s);

/**
 * Parse fault hooks for KVP requests into @p o (applied on top of it): comma-separated items
 * "key_size=N", "value_size=N", "body_len=N", "icmsgsize=N", "op=N" (each sets the field and
 * its RTE_HVSIM_KVP_MANGLE_* bit), "key_utf16", "value_utf16", "key_no_nul", "value_no_nul";
 * "none" clears the bits.
 * @return 0, or -EINVAL with a reason in @p err.
 */
__rte_experimental
int rte_hvsim_kvp_mangle_parse(const char *spec, struct rte_hvsim_kvp_opts *o, char *err,
			       size_t errlen);

/** Name of a value type ("string", "expand-string", "dword", "qword"), or NULL. */
__rte_experimental
const char *rte_hvsim_kvp_type_name(uint32_t type);

/** Value type by name (as rte_hvsim_kvp_type_name()) or number. @return it, or -EINVAL. */
__rte_experimental
int64_t rte_hvsim_kvp_type_parse(const char *s);

#ifdef __cplusplus
}
#endif

#endif /* RTE_HVSIM_H */
