/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef RTE_HVDEV_IC_SERVICE_H
#define RTE_HVDEV_IC_SERVICE_H

/**
 * @file
 * The skeleton of an integration-component (IC) service: everything a user-space VMBus IC
 * driver needs besides its own protocol.
 *
 * A service is a table of callbacks (struct rte_hvdev_ic_service_ops) and a context pointer.
 * The runner owns the rest:
 *
 * - the device: configured (interrupt, adaptive or poll mode) and started by
 *   rte_hvdev_ic_service_create(), stopped by rte_hvdev_ic_service_destroy();
 * - the IC state machine NEGOTIATING -> READY -> LOST -> NEGOTIATING: the host's NEGOTIATE is
 *   answered with the versions the service accepts, and a request before a successful
 *   negotiation is refused with E_FAIL unless RTE_HVDEV_IC_SERVICE_F_UNNEGOTIATED is set;
 * - receiving: every packet is drained before sleeping, the receive buffer grows up to
 *   conf.max_msg, each body is bounded by its icmsgsize (never by the padded packet length);
 * - replying: the response is sent back with the request's transaction id; a full ring is
 *   waited for, and given up after RTE_HVDEV_IC_SERVICE_TX_GIVE_UP_MS;
 * - rescind and broken channels: on_lost() is called once, the device is reattached when the
 *   host offers it again, and the host negotiates again;
 * - waiting: arm the interrupt, re-check the ring, sleep on the device node and on an eventfd
 *   (rte_hvdev_ic_service_stop() writes it, so a stop needs no signal to interrupt the
 *   sleep); an idle service makes no wake-up at all;
 * - rate-limited, escaped logs of what the host triggers, and telemetry:
 *   /hvdev/ic/list and /hvdev/ic/info,NAME (state, negotiated versions, counters, and what
 *   the service's telemetry() callback adds).
 *
 * Call order: rte_hvdev_ic_service_create(), then rte_hvdev_ic_service_run() on one lcore
 * (rte_hvdev_ic_service_lcore() for rte_eal_remote_launch()), or rte_hvdev_ic_service_poll()
 * from the caller's own loop; rte_hvdev_ic_service_stop() from anywhere (a signal handler
 * too); rte_hvdev_ic_service_destroy() once run() has returned. Only one thread may run or
 * poll a service at a time. All callbacks run on that thread, except telemetry(), which runs
 * on DPDK's telemetry thread.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_compat.h>

#include "rte_hvdev_ic.h"

#ifdef __cplusplus
extern "C" {
#endif

struct rte_tel_data;

/** Longest wait for room in the TX ring before a response is dropped. */
#define RTE_HVDEV_IC_SERVICE_TX_GIVE_UP_MS 30000
/** Default and largest conf.max_msg: the largest packet the runner receives. */
#define RTE_HVDEV_IC_SERVICE_MAX_MSG (16u << 20)
/** Longest service name (the class name), terminating NUL included. */
#define RTE_HVDEV_IC_SERVICE_NAME_LEN 32

/** @name Service flags (conf.flags) */
/**@{*/
/**
 * Hand requests that arrive before a successful NEGOTIATE to on_request() (the negotiated
 * versions in the request are then 0.0) instead of refusing them with E_FAIL. Hyper-V always
 * negotiates first; this is for services that must answer hosts that do not.
 */
#define RTE_HVDEV_IC_SERVICE_F_UNNEGOTIATED	(1ull << 0)
/** Do not list the service in /hvdev/ic/list and /hvdev/ic/info. */
#define RTE_HVDEV_IC_SERVICE_F_NO_TELEMETRY	(1ull << 1)
/**@}*/

/** How the runner waits for the host. */
enum rte_hvdev_ic_service_mode {
	RTE_HVDEV_IC_MODE_INTERRUPT,	/**< sleep on the host's interrupt: no CPU while idle */
	RTE_HVDEV_IC_MODE_ADAPTIVE,	/**< poll conf.busy_poll_us, then sleep */
	RTE_HVDEV_IC_MODE_POLL,		/**< spin: lowest latency, one CPU always busy */
};

/** Where a service is in the IC life cycle. */
enum rte_hvdev_ic_service_state {
	RTE_HVDEV_IC_SERVICE_NEGOTIATING,	/**< waiting for the host's NEGOTIATE */
	RTE_HVDEV_IC_SERVICE_READY,		/**< versions agreed: requests are served */
	RTE_HVDEV_IC_SERVICE_LOST,		/**< rescinded or broken: waiting for the offer */
	RTE_HVDEV_IC_SERVICE_STOPPED,		/**< stopped; only destroy is left */
};

/** Why on_lost() is called. */
enum rte_hvdev_ic_lost {
	RTE_HVDEV_IC_LOST_RESCIND,	/**< the host withdrew the device (Guest Services off) */
	RTE_HVDEV_IC_LOST_BROKEN,	/**< the host broke the ring protocol; it is reopened */
	RTE_HVDEV_IC_LOST_STOP,		/**< the service is stopping */
};

/**
 * One request, handed to on_request(), which answers it in place.
 *
 * @c msg is a private, writable copy of the whole payload: the IC header at offset 0, the body
 * at RTE_HVDEV_IC_HDR_SIZE. Every read of the body is bounded by @c body_len (icmsgsize,
 * checked to lie inside the payload), never by @c msg_len, which includes the sender's
 * padding. The runner turns the header into a response (flags TRANSACTION|RESPONSE, the
 * returned status) after on_request(), keeping every other header field as the callback left
 * it: a service that answers with a body of another size writes icmsgsize into @c msg and
 * sets @c resp_len.
 */
struct rte_hvdev_ic_req {
	struct rte_hvdev_ic_hdr hdr;	/**< a copy of the request's header */
	uint8_t *msg;			/**< the payload; the response is built here */
	uint32_t msg_len;		/**< payload bytes received (padding included) */
	uint32_t msg_cap;		/**< bytes of @c msg a response may use */
	uint8_t *body;			/**< msg + RTE_HVDEV_IC_HDR_SIZE */
	uint32_t body_len;		/**< icmsgsize: the body's exact length */
	/** Response payload bytes: @c msg_len on entry; at least the header, at most cap. */
	uint32_t resp_len;
	uint64_t xactid;		/**< VMBus transaction id (echoed by the runner) */
	struct rte_hvdev_ic_version fw;	/**< negotiated framework version */
	struct rte_hvdev_ic_version srv; /**< negotiated service version */
	uint32_t status;		/**< for after_response(): the status sent */
	bool sent;			/**< for after_response(): the response was sent */
};

/**
 * The callbacks of a service. Only @c name and @c on_request are mandatory. @c ctx is the
 * pointer given to rte_hvdev_ic_service_create().
 */
struct rte_hvdev_ic_service_ops {
	/**
	 * The service's class name ("fcopy", "kvp", ... see rte_hvdev_ic_class_by_name()):
	 * names the service in logs and telemetry, and gives the default versions.
	 */
	const char *name;
	/** Framework versions accepted in NEGOTIATE (NULL: the class's). */
	const struct rte_hvdev_ic_version *fw;
	unsigned int nfw;		/**< entries of @c fw */
	/** Service versions accepted in NEGOTIATE (NULL: the class's). */
	const struct rte_hvdev_ic_version *srv;
	unsigned int nsrv;		/**< entries of @c srv */
	/**
	 * Answer a request (any message type but NEGOTIATE) in place.
	 * @return the IC status to send (RTE_HVDEV_IC_S_OK or an error code).
	 */
	uint32_t (*on_request)(void *ctx, struct rte_hvdev_ic_req *req);
	/**
	 * Optional: called after the response to @p req went out (or could not): work that
	 * must not delay the answer, such as acting on a shutdown or publishing a file.
	 */
	void (*after_response)(void *ctx, const struct rte_hvdev_ic_req *req);
	/**
	 * Optional: a message whose icmsgsize runs beyond the payload was answered with
	 * INVALIDARG without reaching on_request(); @p hdr is its header.
	 */
	void (*on_malformed)(void *ctx, const struct rte_hvdev_ic_hdr *hdr);
	/**
	 * Optional: the channel is gone (@p why): drop whatever the host had in progress. Called
	 * once per loss; the next request comes after a new NEGOTIATE.
	 */
	void (*on_lost)(void *ctx, enum rte_hvdev_ic_lost why);
	/**
	 * Optional: milliseconds until the service needs on_timer() (0: now), or -1 for none.
	 * Asked before each sleep; the sleep is bounded by it.
	 */
	int (*next_deadline_ms)(void *ctx);
	/** Optional: a wait bounded by next_deadline_ms() ended without a packet. */
	void (*on_timer)(void *ctx);
	/** Optional: every packet waiting was handled; called before the runner sleeps. */
	void (*on_idle)(void *ctx);
	/**
	 * Optional: whether the device is offered again after a rescind (for instance: its
	 * node exists). The runner tries to reattach only when it returns true; NULL: always.
	 */
	bool (*offered)(void *ctx);
	/**
	 * Optional: add the service's own fields to the /hvdev/ic/info dictionary. Runs on the
	 * telemetry thread, concurrently with the others: read only what is safe to read there.
	 */
	void (*telemetry)(void *ctx, struct rte_tel_data *d);
};

/** How a service runs. Zero-initialised fields take the documented defaults. */
struct rte_hvdev_ic_service_conf {
	/** The device to serve: probed, not started (rte_hvdev_find_by_class()); -1: none. */
	int16_t dev_id;
	enum rte_hvdev_ic_service_mode mode;
	uint32_t busy_poll_us;	/**< RTE_HVDEV_IC_MODE_ADAPTIVE: poll this long first */
	/** Interrupt modes: longest sleep without looking at the ring (0: none), see conf. */
	uint32_t recheck_ms;
	uint32_t max_msg;	/**< largest packet received (0: RTE_HVDEV_IC_SERVICE_MAX_MSG) */
	uint64_t flags;		/**< RTE_HVDEV_IC_SERVICE_F_* */
};

/** Counters and state of a service (rte_hvdev_ic_service_info_get()). */
struct rte_hvdev_ic_service_info {
	const char *name;		/**< ops->name */
	int16_t dev_id;
	enum rte_hvdev_ic_service_state state;
	bool negotiated;		/**< @c fw and @c srv hold the agreed versions */
	struct rte_hvdev_ic_version fw;	/**< negotiated framework version */
	struct rte_hvdev_ic_version srv; /**< negotiated service version */
	uint64_t requests;		/**< requests handed to on_request() */
	uint64_t responses;		/**< responses sent (NEGOTIATE answers included) */
	uint64_t negotiations;		/**< NEGOTIATEs answered with S_OK */
	uint64_t negotiations_failed;	/**< NEGOTIATEs refused */
	uint64_t refused;		/**< requests refused before a negotiation */
	uint64_t malformed;		/**< messages refused as malformed, or dropped */
	uint64_t non_inband;		/**< packets that are not in-band, ignored */
	uint64_t tx_dropped;		/**< responses given up (ring full, or too big) */
	uint64_t rescinds;		/**< rescinds seen */
	uint64_t broken;		/**< broken channels seen */
	uint64_t reattaches;		/**< successful reattaches */
	uint64_t wakeups;		/**< sleeps ended by the host's interrupt */
	uint64_t logs_suppressed;	/**< host-triggered log lines rate-limited away */
};

struct rte_hvdev_ic_service;

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Create a service: check the callbacks, configure and start the device (when there is one),
 * and list the service in telemetry. The name must be unique among live services.
 *
 * @param ops   the callbacks; kept by pointer, must outlive the service.
 * @param ctx   handed to every callback.
 * @param conf  how to run.
 * @return the service, or NULL with rte_errno set: EINVAL (NULL ops, name or on_request, an
 *         unknown class name without version lists, a bad mode, a version count over
 *         RTE_HVDEV_IC_VERSION_MAX_COUNT), EEXIST (a live service has that name), ENOMEM,
 *         or the error of rte_hvdev_configure()/rte_hvdev_start().
 */
__rte_experimental
struct rte_hvdev_ic_service *
rte_hvdev_ic_service_create(const struct rte_hvdev_ic_service_ops *ops, void *ctx,
			    const struct rte_hvdev_ic_service_conf *conf);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Serve until rte_hvdev_ic_service_stop() or a fatal error: wait for the host, drain and
 * answer, survive rescinds. Calls on_lost(RTE_HVDEV_IC_LOST_STOP) before returning.
 *
 * @return 0 once stopped; -EINVAL (NULL, or no device); -ENOMEM; -ENOBUFS (the host sent a
 *         packet over conf.max_msg); -EIO (the channel keeps failing without a rescind);
 *         or the error of rte_hvdev_reattach() that made reattaching impossible.
 */
__rte_experimental
int rte_hvdev_ic_service_run(struct rte_hvdev_ic_service *s);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * rte_hvdev_ic_service_run() as an lcore_function_t for rte_eal_remote_launch().
 *
 * @param arg  the service.
 * @return what rte_hvdev_ic_service_run() returns.
 */
__rte_experimental
int rte_hvdev_ic_service_lcore(void *arg);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * One step without sleeping, for a caller's own loop (the rte_service_func contract): answer
 * every packet waiting, or try once to reattach a lost device, or run a due on_timer().
 *
 * @return 0 when something was done; -EAGAIN when there was nothing to do; -ESHUTDOWN once
 *         stopped; a fatal error as rte_hvdev_ic_service_run() returns them.
 */
__rte_experimental
int rte_hvdev_ic_service_poll(struct rte_hvdev_ic_service *s);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Ask the service to stop: rte_hvdev_ic_service_run() returns soon, a sleeping runner is
 * woken at once. Async-signal-safe (a flag and a write() to an eventfd), callable from any
 * thread and from the service's own callbacks. NULL is ignored.
 */
__rte_experimental
void rte_hvdev_ic_service_stop(struct rte_hvdev_ic_service *s);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * @return true once rte_hvdev_ic_service_stop() was called on @p s. Async-signal-safe.
 */
__rte_experimental
bool rte_hvdev_ic_service_stopping(const struct rte_hvdev_ic_service *s);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Handle one received in-band payload without any device: what the runner does with each
 * packet before sending the response. For tests and fuzzers, and for a service created
 * without a device (conf.dev_id -1); after_response() is not called.
 *
 * @param s        the service.
 * @param payload  a private, writable copy of the payload.
 * @param len      payload bytes.
 * @param cap      bytes of @p payload a response may use (at least @p len).
 * @param[out] resp_len  the response's payload length.
 * @return 1 when @p payload holds the response to send; 0 when the payload cannot be
 *         answered (shorter than an IC header); -EINVAL on a NULL argument or @p cap < @p len.
 */
__rte_experimental
int rte_hvdev_ic_service_handle(struct rte_hvdev_ic_service *s, void *payload, uint32_t len,
				uint32_t cap, uint32_t *resp_len);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Get the state, the negotiated versions and the counters.
 *
 * @return 0; -EINVAL (NULL argument).
 */
__rte_experimental
int rte_hvdev_ic_service_info_get(const struct rte_hvdev_ic_service *s,
				  struct rte_hvdev_ic_service_info *info);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * @return the name of @p state ("negotiating", "ready", "lost", "stopped", "unknown").
 */
__rte_experimental
const char *rte_hvdev_ic_service_state_str(enum rte_hvdev_ic_service_state state);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Log one line about something the host did, at most a burst of lines per interval per
 * service (the rest are counted and summarised), with the whole formatted line escaped
 * (rte_hvdev_str_escape()) and prefixed with the service name. Use it for every log line a
 * host can trigger at will.
 *
 * @param s      the service (NULL: no rate limit).
 * @param level  RTE_LOG_*.
 * @param fmt    printf format.
 */
__rte_experimental
void rte_hvdev_ic_service_log(struct rte_hvdev_ic_service *s, uint32_t level,
			      const char *fmt, ...) __rte_format_printf(3, 4);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Stop the device (when run() did not already) and free the service. Calls
 * on_lost(RTE_HVDEV_IC_LOST_STOP) if run() did not. The device is not closed. NULL is
 * ignored. Never while run() or poll() runs.
 */
__rte_experimental
void rte_hvdev_ic_service_destroy(struct rte_hvdev_ic_service *s);

/** rte_hvdev_str_escape() flag: escape everything outside printable ASCII, UTF-8 too. */
#define RTE_HVDEV_ESC_ASCII 1u

/** Worst-case size of an escaped string of @p n bytes (a byte becomes at most 4). */
#define RTE_HVDEV_ESC_MAX(n) (4 * (n) + 4)

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Copy a host-chosen string with everything that is not printable escaped: '\\' as "\\\\";
 * TAB, LF, CR as "\\t", "\\n", "\\r"; other C0 controls and DEL as "\\xHH"; C1 controls,
 * U+2028/U+2029 and the bidirectional controls (U+200E, U+200F, U+202A to U+202E, U+2066 to
 * U+2069) as "\\uHHHH"; each byte of an invalid, overlong, surrogate or out-of-range UTF-8
 * sequence as "\\xHH". Other UTF-8 is kept, unless RTE_HVDEV_ESC_ASCII (then "\\uHHHH" or
 * "\\UHHHHHHHH"). An escape is never cut: a result that does not fit ends with "...".
 *
 * @param dst    where to write; always NUL-terminated when @p len > 0.
 * @param len    bytes of @p dst.
 * @param src    a NUL-terminated string.
 * @param flags  0 or RTE_HVDEV_ESC_ASCII.
 * @return @p dst.
 */
__rte_experimental
char *rte_hvdev_str_escape(char *dst, size_t len, const char *src, unsigned int flags);

#ifdef __cplusplus
}
#endif

#endif /* RTE_HVDEV_IC_SERVICE_H */
