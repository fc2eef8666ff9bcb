/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#include <errno.h>
#include <stdio.h>
#include <syslog.h>

#include "fcopy_log.h"

RTE_LOG_REGISTER_DEFAULT(hv_fcopy_logtype, INFO);

static ssize_t
syslog_write(void *cookie, const char *buf, size_t size)
{
	int len = (int)size;
	int prio;

	(void)cookie;
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
fcopy_log_to_syslog(void)
{
	static cookie_io_functions_t fns = { .write = syslog_write };
	FILE *f;

	openlog(FCOPY_PROG, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	f = fopencookie(NULL, "w", fns);
	if (f == NULL)
		return -ENOMEM;
	/* Line buffered: one fflush-free syslog record per message. */
	setvbuf(f, NULL, _IOLBF, 0);
	return rte_openlog_stream(f);
}
