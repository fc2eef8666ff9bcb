/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include <rte_common.h>

#include "fcopy_log.h"
#include "fcopy_serve.h"
#include "fcopy_signal.h"

/* Sent to the attached thread only; its handler exists to make blocking calls return. */
#define KICK_SIGNAL SIGUSR1
/* Between two interruptions of an attached thread that has not noticed the stop yet. */
#define KICK_INTERVAL_NS 20000000L

static pthread_mutex_t target_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_t target;
static bool target_set;

static void
stop_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
}

static void
on_kick(int sig)
{
	RTE_SET_USED(sig);
}

int
fcopy_signal_block(void)
{
	struct sigaction sa;
	sigset_t set;
	int ret;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_kick;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: the point of the kick is the EINTR. */
	if (sigaction(KICK_SIGNAL, &sa, NULL) < 0)
		return -errno;
	stop_signals(&set);
	ret = pthread_sigmask(SIG_BLOCK, &set, NULL);
	return -ret;
}

/* @return true while a thread is attached, after interrupting it. */
static bool
kick_target(void)
{
	bool attached;

	pthread_mutex_lock(&target_lock);
	attached = target_set;
	if (attached)
		pthread_kill(target, KICK_SIGNAL);
	pthread_mutex_unlock(&target_lock);
	return attached;
}

static void *
signal_thread(void *arg)
{
	struct timespec interval = { .tv_sec = 0, .tv_nsec = KICK_INTERVAL_NS };
	sigset_t set;
	int sig;

	RTE_SET_USED(arg);
	stop_signals(&set);
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		FCOPY_LOG(NOTICE, "%s received; stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
		fcopy_serve_request_stop();
		while (kick_target())
			nanosleep(&interval, NULL);
	}
	return NULL;
}

int
fcopy_signal_start(void)
{
	pthread_t tid;
	int ret;

	ret = pthread_create(&tid, NULL, signal_thread, NULL);
	if (ret != 0)
		return -ret;
	pthread_setname_np(tid, "hv-fcopy-sig");
	pthread_detach(tid);
	return 0;
}

void
fcopy_signal_attach(void)
{
	pthread_mutex_lock(&target_lock);
	target = pthread_self();
	target_set = true;
	pthread_mutex_unlock(&target_lock);
}

void
fcopy_signal_detach(void)
{
	pthread_mutex_lock(&target_lock);
	if (target_set && pthread_equal(target, pthread_self()))
		target_set = false;
	pthread_mutex_unlock(&target_lock);
}
