/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <rte_common.h>
#include "kvp_str.h"

#include "kvp_script.h"

extern char **environ;

static int
check_one(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return -ENOENT;
	if (!S_ISREG(st.st_mode) || access(path, X_OK) != 0)
		return -ENOENT;
	if ((st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & (S_IWGRP | S_IWOTH)))
		return -EPERM;
	return 0;
}

int
kvp_script_find(const struct kvp_script_conf *c, const char *name, char *path,
		size_t pathlen)
{
	const char *dirs = c->dir != NULL ? c->dir : KVP_SCRIPT_DIRS;
	const char *root = c->dir != NULL || c->root == NULL ? "" : c->root;
	const char *p = dirs;
	int found = -ENOENT;

	/* A name with a '/' would leave the directory: the names are ours, but be sure. */
	if (strchr(name, '/') != NULL)
		return -EINVAL;
	while (*p != '\0') {
		size_t n = c->dir != NULL ? strlen(p) : strcspn(p, ":");
		char cand[PATH_MAX];
		int len, rc;

		len = snprintf(cand, sizeof(cand), "%s%.*s/%s",
			       strcmp(root, "/") == 0 ? "" : root, (int)n, p, name);
		if (len < 0 || (size_t)len >= sizeof(cand))
			return -ENAMETOOLONG;
		rc = check_one(cand);
		if (rc == 0 || (rc == -EPERM && found == -ENOENT)) {
			if (kvp_strlcpy(path, cand, pathlen) >= pathlen)
				return -ENAMETOOLONG;
			if (rc == 0)
				return 0;
			found = rc;
		}
		p += n;
		if (*p == ':')
			p++;
	}
	return found;
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* In the child, between fork() and exec: async-signal-safe calls only. */
static void __rte_noreturn
child(const char *path, char *const argv[], int out_fd)
{
	struct sigaction sa;
	sigset_t none;
	int fd, sig;

	setpgid(0, 0);
	fd = open("/dev/null", O_RDWR);
	if (fd < 0)
		_exit(127);
	dup2(fd, STDIN_FILENO);
	dup2(out_fd >= 0 ? out_fd : fd, STDOUT_FILENO);
	/* The service's own descriptors (device, pools, EAL) are none of the script's business. */
#ifdef SYS_close_range
	if (syscall(SYS_close_range, 3u, ~0u, 0u) != 0)
#endif
	{
		for (fd = 3; fd < 4096; fd++)
			close(fd);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (sig = 1; sig < NSIG; sig++)
		sigaction(sig, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execve(path, argv, environ);
	_exit(127);
}

int
kvp_script_run(const char *path, char *const argv[], unsigned int timeout_ms, char *out,
	       size_t outlen, struct kvp_script_result *res)
{
	int pfd[2] = { -1, -1 };
	uint64_t deadline;
	bool eof = out == NULL;
	pid_t pid;

	memset(res, 0, sizeof(*res));
	if (out != NULL && outlen > 0)
		out[0] = '\0';
	if (timeout_ms == 0)
		timeout_ms = KVP_SCRIPT_TIMEOUT_MS;
	if (out != NULL && pipe2(pfd, O_CLOEXEC) != 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		int err = errno;

		if (out != NULL) {
			close(pfd[0]);
			close(pfd[1]);
		}
		return -err;
	}
	if (pid == 0)
		child(path, argv, pfd[1]);
	/* Also from here: the child may not have run setpgid() yet when we kill its group. */
	setpgid(pid, pid);
	if (out != NULL)
		close(pfd[1]);
	deadline = now_ms() + timeout_ms;

	for (;;) {
		uint64_t now = now_ms();
		int status = 0, wait_ms;
		pid_t w;

		w = waitpid(pid, &status, WNOHANG);
		if (w == pid) {
			res->exited = true;
			res->status = status;
			/* Whatever it wrote before exiting is in the pipe: take it, without waiting
			 * for an end of file that a background child holding the pipe may delay.
			 */
			if (!eof)
				fcntl(pfd[0], F_SETFL, O_NONBLOCK);
		}
		if (!eof) {
			struct pollfd p = { .fd = pfd[0], .events = POLLIN };

			/* Short slices until the child is reaped: no SIGCHLD handler needed. */
			wait_ms = res->exited ? 0 :
				(int)RTE_MIN(deadline > now ? deadline - now : 0, (uint64_t)20);
			if (poll(&p, 1, wait_ms) > 0) {
				char buf[512];
				ssize_t n = read(pfd[0], buf, sizeof(buf));

				if (n > 0) {
					size_t room = outlen > res->len + 1 ?
						outlen - res->len - 1 : 0;
					size_t take = RTE_MIN((size_t)n, room);

					memcpy(out + res->len, buf, take);
					res->len += take;
					out[res->len] = '\0';
					if (take < (size_t)n)
						res->truncated = true;
					continue;
				}
				if (n == 0 || (errno != EINTR && errno != EAGAIN))
					eof = true;
			} else if (res->exited) {
				eof = true;
			}
		} else if (!res->exited) {
			struct timespec ts = { 0, 10 * 1000 * 1000 };

			nanosleep(&ts, NULL);
		}
		if (res->exited && eof)
			break;
		if (!res->exited && now_ms() >= deadline) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			res->status = status;
			res->timed_out = true;
			break;
		}
	}
	if (out != NULL)
		close(pfd[0]);
	return 0;
}

bool
kvp_script_ok(const struct kvp_script_result *res)
{
	return res->exited && !res->timed_out && WIFEXITED(res->status) &&
		WEXITSTATUS(res->status) == 0;
}

const char *
kvp_script_describe(const struct kvp_script_result *res, unsigned int timeout_ms, char *buf,
		    size_t len)
{
	if (res->timed_out)
		snprintf(buf, len, "timed out after %u ms", timeout_ms);
	else if (WIFEXITED(res->status))
		snprintf(buf, len, "exit status %d", WEXITSTATUS(res->status));
	else if (WIFSIGNALED(res->status))
		snprintf(buf, len, "killed by signal %d", WTERMSIG(res->status));
	else
		snprintf(buf, len, "ended with wait status 0x%x", (unsigned int)res->status);
	return buf;
}
