/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef HVSIM_PRIV_H
#define HVSIM_PRIV_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>
#include <time.h>

#include <rte_log.h>

#include <bus/vmbus/private.h>	/* DPDK: struct vmbus_br and the bufring code */

#include "rte_hvsim.h"

extern int hvsim_logtype;
#define HVSIM_LOG(level, ...) \
	rte_log(RTE_LOG_ ## level, hvsim_logtype, \
		RTE_FMT("hvsim: " RTE_FMT_HEAD(__VA_ARGS__,) "\n", RTE_FMT_TAIL(__VA_ARGS__,)))

#define HVSIM_MAX_UIO 1024
/* Size of channels/<relid>/ring before the dynamic ring attribute: 2 * SZ_2M. */
#define HVSIM_LEGACY_RING_ATTR_SIZE (4u << 20)

/** What an epoll registration stands for. */
enum hvsim_ep_kind {
	HVSIM_EP_STOP,
	HVSIM_EP_LISTEN,
	HVSIM_EP_CONN,
};

struct hvsim_ep {
	enum hvsim_ep_kind kind;
	struct rte_hvsim_dev *dev;
	int slot;		/* HVSIM_EP_CONN: -1 the first opener, else extra_fd[slot] */
};

/* Openers of one node besides the first: the kernel lets them share the rings. */
#define HVSIM_MAX_EXTRA_OPENERS 4

/* The IC host role of one device (hvsim_ic.c). */
struct hvsim_ic {
	bool enabled;
	bool pending;			/* NEGOTIATE sent, answer not taken yet */
	uint32_t req_len;		/* payload bytes of the NEGOTIATE, before padding */
	struct rte_hvdev_ic_version fw[RTE_HVDEV_IC_VERSION_MAX_COUNT];
	unsigned int nfw;
	struct rte_hvdev_ic_version srv[RTE_HVDEV_IC_VERSION_MAX_COUNT];
	unsigned int nsrv;
	struct rte_hvsim_ic_result res;
};

/* Transactions that timed out and are remembered, so that a late answer is recognised. */
#define HVSIM_FCOPY_STALE_MAX 8

/* The Copy-VMFile role of one device (hvsim_fcopy.c): one request in flight at a time. */
struct hvsim_fcopy {
	bool busy;			/* a caller owns the role (one copy at a time) */
	bool pending;			/* request sent, answer not taken yet */
	bool answered;
	uint64_t xactid;		/* of the request in flight */
	uint32_t req_len;		/* payload bytes of the request, before padding */
	uint32_t status;		/* the guest's status in its answer */
	uint64_t stale[HVSIM_FCOPY_STALE_MAX];
	unsigned int nstale;		/* entries ever added; ring index = nstale % MAX */
	bool lax_answer;		/* the request was malformed on purpose (fault) */
	/*
	 * The next WRITE, staged by the copying thread while the one in flight is answered: the
	 * loop thread sends it the moment a success arrives, so that the round trip does not
	 * wait for the copying thread to wake (hvsim_fcopy.c).
	 */
	const void *staged;		/* request bytes; NULL: nothing staged */
	uint32_t staged_len;
	uint64_t staged_xactid;
	bool advanced;			/* the staged request went out on a success answer */
};

/* Bytes of a KVP answer's payload the host keeps: the biggest request (IP info) and more. */
#define HVSIM_KVP_ANSWER_MAX 8192

/* The KVP role of one device (hvsim_kvp.c): one request in flight at a time. */
struct hvsim_kvp {
	bool busy;			/* a caller owns the role */
	bool pending;			/* request sent, answer not taken yet */
	bool answered;
	uint64_t xactid;		/* of the request in flight */
	uint8_t *answer;		/* answer payload (HVSIM_KVP_ANSWER_MAX), while busy */
	uint32_t answer_len;		/* payload bytes of the answer (may exceed what is kept) */
	uint16_t answer_type;		/* VMBus packet type of the answer */
	uint64_t stale[HVSIM_FCOPY_STALE_MAX];
	unsigned int nstale;
};

/* The fault set of one device and what it needs between events (hvsim_fault.c). */
struct hvsim_fault_state {
	struct rte_hvsim_fault f;
	uint32_t intr_seen;		/* interrupts raised since the fault was set */
	uint64_t rng;			/* state of the drop_pct generator */
	uint64_t intr_due_ms;		/* a delayed interrupt is due then; 0: none */
	uint32_t mangle_seen;		/* requests of mangle_op sent since it was set */
	bool corrupt_armed;		/* corrupt applies to the next packet */
};

/* What becomes of an interrupt the host raises. */
enum hvsim_intr_fate {
	HVSIM_INTR_DELIVER,
	HVSIM_INTR_DROP,
	HVSIM_INTR_DELAY,
};

struct rte_hvsim_dev {
	TAILQ_ENTRY(rte_hvsim_dev) next;
	struct rte_hvsim *sim;
	struct rte_hvsim_dev_conf conf;
	char driver[64];
	char inst_str[40];
	char class_str[40];
	char devdir[PATH_MAX];
	char node_path[PATH_MAX];
	char uio_name[16];
	int uio_num;			/* -1 while not bound */
	bool offered;
	uint64_t uio_at_ms;		/* deferred uio binding, 0 = none */
	uint64_t ring_attr_at_ms;	/* deferred ring attribute, 0 = none */

	int memfd;
	uint8_t *mem;
	uint64_t map_size;
	struct vmbus_br txbr;		/* host -> guest: the guest's RX ring */
	struct vmbus_br rxbr;		/* guest -> host: the guest's TX ring */
	uint8_t *rxbuf;

	int listen_fd;
	int conn_fd;			/* the opener that opened the channel; -1: closed */
	struct hvsim_ep listen_ep;
	struct hvsim_ep conn_ep;
	int extra_fd[HVSIM_MAX_EXTRA_OPENERS];	/* later openers, same rings; -1: free */
	struct hvsim_ep extra_ep[HVSIM_MAX_EXTRA_OPENERS];
	uint64_t linger_until_ms;	/* rescinded, stale tree removed then; 0: none */
	int stale_memfd;		/* the rescinded device's rings while it lingers */
	uint32_t event_count;
	struct rte_hvsim_dev_stats stats;
	struct hvsim_ic ic;
	struct hvsim_fcopy fcopy;
	struct hvsim_kvp kvp;
	struct hvsim_fault_state fault;
	struct rte_hvsim_kernel kernel;	/* the host's profile when the device was offered */
};

TAILQ_HEAD(hvsim_dev_list, rte_hvsim_dev);

struct rte_hvsim {
	char root[PATH_MAX];
	pthread_mutex_t lock;		/* devices, rings' host side, connection state */
	pthread_cond_t cond;		/* open/close and room-in-ring changes */
	int epfd;
	int stopfd;
	struct hvsim_ep stop_ep;
	bool stop;
	bool thread_running;
	pthread_t thread;
	bool in_loop;			/* rte_hvsim_run() runs, on loop_thread */
	pthread_t loop_thread;
	struct hvsim_dev_list devs;
	uint32_t next_relid;
	uint32_t next_xactid;		/* transactions the host starts itself */
	bool uio_used[HVSIM_MAX_UIO];
	struct rte_hvsim_kernel kernel;	/* applies to devices offered from now on */
	bool strict_xactid;		/* HVSIM_STRICT_XACTID: every device is strict */
};

/* hvsim_tree.c: the sysfs and /dev tree under the root. */
int hvsim_tree_init(const char *root);
int hvsim_mkdir_p(const char *path);
int hvsim_tree_add_device(struct rte_hvsim_dev *dev);
int hvsim_tree_bind_uio(struct rte_hvsim_dev *dev);
int hvsim_tree_add_ring_attr(struct rte_hvsim_dev *dev);
void hvsim_tree_remove_device(struct rte_hvsim_dev *dev);

uint64_t hvsim_now_ms(void);
/* Absolute CLOCK_REALTIME deadline @p timeout_ms from now, for pthread_cond_timedwait(). */
void hvsim_deadline(struct timespec *ts, int timeout_ms);

/*
 * hvsim_kernel.c: the profile from HVSIM_KERNEL (or the current kernel), and
 * HVSIM_STRICT_XACTID. @return 0 or -errno.
 */
int hvsim_kernel_init(struct rte_hvsim *sim);
/* Remove <root>/proc/sys/kernel/osrelease (and its directories when empty). */
void hvsim_kernel_fini(struct rte_hvsim *sim);

/* hvsim_host.c: send one packet to the guest; lock held. */
int hvsim_send_locked(struct rte_hvsim_dev *dev, uint16_t type, uint16_t flags, uint64_t xactid,
		      const void *data, uint32_t len);

/* hvsim_ic.c: the IC host role; every function but the first runs with the lock held. */
int hvsim_ic_init(struct rte_hvsim_dev *dev, const struct rte_hvsim_dev_conf *conf);
int hvsim_ic_open_locked(struct rte_hvsim_dev *dev);
bool hvsim_ic_take_locked(struct rte_hvsim_dev *dev, const struct rte_hvsim_pkt *pkt);
/*
 * Does @p pkt answer the IC request sent with VMBus transaction @p xactid (whose IC header
 * carries its low byte)? By the VMBus id, or, unless the device is strict, by the IC header's
 * id in an IC response: Hyper-V does not require the echo (see strict_xactid). Counts an
 * answer that does not echo; in strict mode also reports it as a guest error.
 */
bool hvsim_ic_answer_matches_locked(struct rte_hvsim_dev *dev, const struct rte_hvsim_pkt *pkt,
				    uint64_t xactid);

/* hvsim_host.c: make the loop re-evaluate deferred work (delayed interrupts). */
void hvsim_wake_loop(struct rte_hvsim *sim);

/* hvsim_fault.c; every function runs with the lock held. */
enum hvsim_intr_fate hvsim_fault_intr_locked(struct rte_hvsim_dev *dev);
/* The armed ring/packet corruption, taken (NONE when nothing is armed). */
enum rte_hvsim_corrupt hvsim_fault_take_corrupt_locked(struct rte_hvsim_dev *dev);
/*
 * A faulty NEGOTIATE into @p buf when fault.nego asks for one: its length, 0 when the
 * NEGOTIATE is to be built normally, -1 when none is to be sent.
 */
int hvsim_fault_nego_locked(struct rte_hvsim_dev *dev, uint8_t *buf, uint32_t size);
/*
 * Malform the request @p msg (IC header and body, *len bytes; it may only get shorter) of
 * operation @p op when the mangle fault is due. @return true when the answer may echo an
 * IC header the host would otherwise refuse (icmsgsize or message type mangled).
 */
bool hvsim_fault_mangle_locked(struct rte_hvsim_dev *dev, uint32_t op, uint8_t *msg,
			       uint32_t *len);
/* The step action due at @p step / @p nth, taken; fills @p fired with the whole fault set. */
enum rte_hvsim_step_action hvsim_fault_step_locked(struct rte_hvsim_dev *dev,
						   enum rte_hvsim_step step, uint32_t nth,
						   struct rte_hvsim_fault *fired);

/* hvsim_fcopy.c: true when @p pkt answers an fcopy request (taken); lock held. */
bool hvsim_fcopy_take_locked(struct rte_hvsim_dev *dev, const struct rte_hvsim_pkt *pkt);

/* hvsim_kvp.c: true when @p pkt answers a KVP request (taken); lock held. */
bool hvsim_kvp_take_locked(struct rte_hvsim_dev *dev, const struct rte_hvsim_pkt *pkt);

#endif /* HVSIM_PRIV_H */
