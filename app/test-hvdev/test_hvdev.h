/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef TEST_HVDEV_H
#define TEST_HVDEV_H

/*
 * dpdk-test-hvdev: inspect hvdev devices and measure them. Shared declarations of the
 * option parser (opts.c), the simulated host (sim.c), the device helpers (dev.c) and the
 * commands (cmd_*.c).
 */

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_log.h>

#include <rte_hvdev.h>

#define TH_PROG "dpdk-test-hvdev"

/* Exit codes: usage errors are told apart from failures so scripts can react. */
#define TH_EXIT_OK 0
#define TH_EXIT_FAIL 1
#define TH_EXIT_USAGE 2

extern int test_hvdev_logtype;

#define TH_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, test_hvdev_logtype, TH_PROG ": " fmt "\n", ##__VA_ARGS__)

/* Options, as bits, so that each command can refuse the ones that mean nothing to it. */
enum th_opt {
	TH_OPT_JSON = 1u << 0,
	TH_OPT_HEX = 1u << 1,
	TH_OPT_SIZE = 1u << 2,
	TH_OPT_TYPE = 1u << 3,
	TH_OPT_XACTID = 1u << 4,
	TH_OPT_FLAGS = 1u << 5,
	TH_OPT_TIMEOUT = 1u << 6,
	TH_OPT_COUNT = 1u << 7,
	TH_OPT_MODE = 1u << 8,
	TH_OPT_BUSY_POLL = 1u << 9,
	TH_OPT_SECONDS = 1u << 10,
	TH_OPT_PING = 1u << 11,
};

enum th_mode {
	TH_MODE_INTR = 0,
	TH_MODE_POLL,
	TH_MODE_ADAPTIVE,
};

/* Busy-poll budget of the adaptive mode when --busy-poll-us is not given. */
#define TH_DEFAULT_BUSY_POLL_US 50
#define TH_DEFAULT_TIMEOUT_MS 1000

struct th_sim_opts {
	bool enabled;
	char root[PATH_MAX];	/* empty: a fresh temporary directory */
	const char *class_name;
	uint32_t ring_size;	/* bytes per direction incl. header page; 0: default */
	uint32_t devices;	/* devices offered, 1 or more */
	bool ping;		/* host --ping: the host sends and times, the guest echoes */
	uint32_t ping_size;
};

struct th_opts {
	const struct th_cmd *cmd;
	const char *dev;		/* <dev> argument: an id or a name */
	uint32_t given;			/* enum th_opt bits seen on the command line */
	bool json;
	uint8_t *hex;			/* --hex bytes (malloc'ed) */
	uint32_t hex_len;
	uint32_t size;
	uint16_t type;
	uint16_t flags;
	uint64_t xactid;
	int timeout_ms;
	uint32_t count;
	enum th_mode mode;
	uint32_t busy_poll_us;
	uint32_t seconds;		/* serve: 0 = until a signal */
	struct th_sim_opts sim;
};

struct th_cmd {
	const char *name;
	const char *usage;		/* arguments and options, for the help text */
	bool needs_dev;
	uint32_t allowed;		/* enum th_opt bits */
	int (*run)(const struct th_opts *o, int16_t dev_id);
	bool no_eal;			/* runs instead of EAL (no DPDK device involved) */
};

/* opts.c */
int th_opts_parse(int argc, char **argv, struct th_opts *o);
void th_opts_free(struct th_opts *o);
void th_usage(FILE *f);
const char *th_mode_name(enum th_mode mode);

/* sim.c */
int th_sim_start(struct th_sim_opts *s);
void th_sim_stop(void);
int th_sim_wait_open(int timeout_ms);
int th_sim_ping_start(void);
void th_sim_ping_stop(void);
struct th_json;
void th_sim_ping_report(struct th_json *j, bool json, double secs);

/* lat.c: latency summaries, in microseconds. */
struct th_lat {
	double min, p50, p90, p99, p999, max, mean;
};
void th_lat_summarize(uint64_t *ns, uint32_t n, struct th_lat *s);
void th_lat_json(struct th_json *j, const struct th_lat *s, uint32_t n);
void th_lat_text(const struct th_lat *s);

/* dev.c */
extern volatile bool th_quit;
extern int th_quit_fd;
void th_signals_install(void);
int th_dev_resolve(const char *arg, int16_t *dev_id);
int th_dev_start(int16_t dev_id, enum th_mode mode, uint32_t busy_poll_us);
void th_dev_stop(int16_t dev_id);
int th_dev_wait(int16_t dev_id, int timeout_ms);
int th_dev_send(int16_t dev_id, uint16_t type, uint16_t flags, uint64_t xactid,
		const uint8_t *buf, uint32_t len);
int th_dev_recv(int16_t dev_id, struct rte_hvdev_pkt *pkt, uint8_t **buf, uint32_t *size);
uint64_t th_now_ns(void);
uint64_t th_thread_cpu_us(void);
uint64_t th_process_cpu_us(void);
void th_pattern_fill(uint8_t *buf, uint32_t len, uint64_t seed);

/* commands */
int th_cmd_list(const struct th_opts *o, int16_t dev_id);
int th_cmd_info(const struct th_opts *o, int16_t dev_id);
int th_cmd_send(const struct th_opts *o, int16_t dev_id);
int th_cmd_recv(const struct th_opts *o, int16_t dev_id);
int th_cmd_echo(const struct th_opts *o, int16_t dev_id);
int th_cmd_serve(const struct th_opts *o, int16_t dev_id);
int th_cmd_serve_all(const struct th_opts *o);
int th_cmd_floor(const struct th_opts *o, int16_t dev_id);
int th_cmd_floor_files(const struct th_opts *o, int16_t dev_id);
int th_cmd_host(const struct th_opts *o, int16_t dev_id);

#endif /* TEST_HVDEV_H */
