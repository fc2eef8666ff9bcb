/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_version.h>

#include "hvd_daemon.h"

static const char *prog = "hvdev";
static const char *prefix = "hvdev";
static int logtype = RTE_LOGTYPE_USER1;

#define HVD_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, logtype, "%s: " fmt "\n", prefix, ##__VA_ARGS__)

static volatile sig_atomic_t stop_requested;
static pthread_mutex_t target_lock = PTHREAD_MUTEX_INITIALIZER;
static struct rte_hvdev_ic_service *target;

void
hvd_daemon_init(const char *p, const char *log_prefix, int type)
{
	prog = p;
	prefix = log_prefix;
	logtype = type;
}

void
hvd_log(uint32_t level, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	rte_log(level, logtype, "%s: %s\n", prefix, line);
}

static void
stop_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
}

int
hvd_signals_block(void)
{
	sigset_t set;

	stop_signals(&set);
	return -pthread_sigmask(SIG_BLOCK, &set, NULL);
}

bool
hvd_stopping(void)
{
	return stop_requested != 0;
}

void
hvd_request_stop(void)
{
	stop_requested = 1;
	/* Not under the lock (not signal-safe): a plain read of a pointer set before run(). */
	rte_hvdev_ic_service_stop(target);
}

void
hvd_signals_attach(struct rte_hvdev_ic_service *s)
{
	pthread_mutex_lock(&target_lock);
	target = s;
	if (s != NULL && stop_requested)
		rte_hvdev_ic_service_stop(s);
	pthread_mutex_unlock(&target_lock);
}

static void *
signal_thread(void *arg)
{
	sigset_t set;
	int sig;

	RTE_SET_USED(arg);
	stop_signals(&set);
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		HVD_LOG(NOTICE, "%s received; stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
		stop_requested = 1;
		pthread_mutex_lock(&target_lock);
		rte_hvdev_ic_service_stop(target);
		pthread_mutex_unlock(&target_lock);
	}
	return NULL;
}

int
hvd_signals_start(void)
{
	pthread_t tid;
	char name[16];
	int ret;

	ret = pthread_create(&tid, NULL, signal_thread, NULL);
	if (ret != 0)
		return -ret;
	/* "dpdk-hv-fcopy" -> "hv-fcopy-sig": thread names are 15 bytes at most. */
	snprintf(name, sizeof(name), "%s-sig", strncmp(prog, "dpdk-", 5) == 0 ? prog + 5 : prog);
	pthread_setname_np(tid, name);
	pthread_detach(tid);
	return 0;
}

struct serve_arg {
	struct rte_hvdev_ic_service *s;
	sem_t done;
	int result;
};

static int
serve_and_post(void *arg)
{
	struct serve_arg *a = arg;

	a->result = rte_hvdev_ic_service_run(a->s);
	sem_post(&a->done);
	return a->result;
}

int
hvd_serve(struct rte_hvdev_ic_service *s)
{
	unsigned int worker = rte_get_next_lcore(-1, 1, 0);
	struct serve_arg a = { .s = s };

	if (worker >= RTE_MAX_LCORE)
		return rte_hvdev_ic_service_run(s);
	sem_init(&a.done, 0, 0);
	if (rte_eal_remote_launch(serve_and_post, &a, worker) < 0) {
		sem_destroy(&a.done);
		return rte_hvdev_ic_service_run(s);
	}
	while (sem_wait(&a.done) < 0 && errno == EINTR)
		;
	rte_eal_wait_lcore(worker);
	sem_destroy(&a.done);
	return a.result;
}

static ssize_t
syslog_write(void *cookie, const char *buf, size_t size)
{
	int len = (int)size;
	int prio;

	RTE_SET_USED(cookie);
	/* syslog adds its own line end. */
	while (len > 0 && buf[len - 1] == '\n')
		len--;
	/* rte_log levels are syslog priorities plus one. */
	prio = (int)rte_log_cur_msg_loglevel() - 1;
	if (prio < LOG_EMERG || prio > LOG_DEBUG)
		prio = LOG_INFO;
	if (len > 0)
		syslog(prio, "%.*s", len, buf);
	return (ssize_t)size;
}

int
hvd_log_to_syslog(void)
{
	static cookie_io_functions_t fns = { .write = syslog_write };
	FILE *f;

	openlog(prog, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	f = fopencookie(NULL, "w", fns);
	if (f == NULL)
		return -ENOMEM;
	/* Line buffered: one fflush-free syslog record per message. */
	setvbuf(f, NULL, _IOLBF, 0);
	return rte_openlog_stream(f);
}

void
hvd_default_lcores(char *buf, size_t len)
{
	int cpus[2], n = 0, i;
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		for (i = 0; i < CPU_SETSIZE && n < 2; i++)
			if (CPU_ISSET(i, &set))
				cpus[n++] = i;
	if (n == 0)
		snprintf(buf, len, "0");
	else if (n == 1)
		snprintf(buf, len, "%d", cpus[0]);
	else
		snprintf(buf, len, "%d,%d", cpus[0], cpus[1]);
}

static char runtime_dir[PATH_MAX];

static void
runtime_dir_remove(void)
{
	if (runtime_dir[0] != '\0')
		rmdir(runtime_dir);
}

void
hvd_runtime_dir_register(void)
{
	atexit(runtime_dir_remove);
}

void
hvd_runtime_dir_set(void)
{
	snprintf(runtime_dir, sizeof(runtime_dir), "%s", rte_eal_get_runtime_dir());
}

void
hvd_print_version(const char *version)
{
	printf("%s (hvdev) %s\n%s\n", prog, version, rte_version());
}
