/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef HVD_DAEMON_H
#define HVD_DAEMON_H

/*
 * What every IC service daemon (dpdk-hv-fcopy, dpdk-hv-kvp) needs around its
 * rte_hvdev_ic_service and that a DPDK library should not own: stop signals, the log
 * destination, the EAL's lcores and runtime directory, the worker lcore, --version.
 *
 * Order in main(): hvd_daemon_init(), hvd_signals_block() (before rte_eal_init(), so that
 * EAL's threads inherit the mask), hvd_runtime_dir_register() (before rte_eal_init()),
 * rte_eal_init(), hvd_runtime_dir_set(), hvd_signals_start(), then hvd_serve().
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_hvdev_ic_service.h>

/* Log through the daemon's own log type, with its prefix ("hv_fcopy"). */
void hvd_daemon_init(const char *prog, const char *log_prefix, int logtype);

/* Log one line through the daemon's log type, with its prefix (no host data in it). */
void hvd_log(uint32_t level, const char *fmt, ...) __rte_format_printf(2, 3);

/* Block SIGINT and SIGTERM in the calling thread (and the threads it creates). */
int hvd_signals_block(void);

/*
 * Start the thread that waits for SIGINT/SIGTERM: it logs the signal, sets the flag of
 * hvd_stopping() and stops the attached service (rte_hvdev_ic_service_stop(): no signal needs
 * to interrupt a sleeping runner). @return 0 or a negative errno.
 */
int hvd_signals_start(void);

/* The service a stop signal stops (NULL: none); stopped at once when one came already. */
void hvd_signals_attach(struct rte_hvdev_ic_service *s);

/* @return true once a stop signal came (or hvd_request_stop() was called). Signal-safe. */
bool hvd_stopping(void);

/* Stop as a signal would. Async-signal-safe. */
void hvd_request_stop(void);

/*
 * Run the service on the first worker lcore while the main one sleeps on a semaphore (not
 * rte_eal_wait_lcore(), which spins), or on the main lcore when there is no worker.
 * @return what rte_hvdev_ic_service_run() returned.
 */
int hvd_serve(struct rte_hvdev_ic_service *s);

/*
 * Send every DPDK log message (ours and EAL's) to syslog only, with the identity of
 * hvd_daemon_init() and the message's own priority. Without it EAL writes each message to
 * stderr and to syslog, which a journal catching stderr would record twice.
 * @return 0 or -ENOMEM.
 */
int hvd_log_to_syslog(void);

/* "-l" for a small daemon: the first two CPUs it may run on (main + worker), else one. */
void hvd_default_lcores(char *buf, size_t len);

/*
 * EAL creates /var/run/dpdk/<prefix> and never removes it; telemetry unlinks its socket there
 * from an atexit() handler. Registered before rte_eal_init(), this one runs after that one and
 * removes the directory once it is empty (another instance's files keep it).
 */
void hvd_runtime_dir_register(void);

/* After rte_eal_init() (also when it failed): remember the directory to remove. */
void hvd_runtime_dir_set(void);

/* "PROG (hvdev) VERSION" and the DPDK version, on stdout. */
void hvd_print_version(const char *version);

#endif /* HVD_DAEMON_H */
