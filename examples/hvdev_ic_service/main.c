/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * A complete, minimal integration-component service on rte_hvdev: find a device by class,
 * serve it in interrupt mode, answer the host's version negotiation, refuse what it does not
 * implement, survive a rescind, and print the counters at the end.
 *
 *   dpdk-hvdev-ic-service [EAL args] -- [--class NAME] [--count N]
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_hvdev.h>
#include <rte_hvdev_ic.h>

static volatile sig_atomic_t quit;

static void
on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

/* Answer one IC request in place and send it back, as the host expects. */
static int
handle(int16_t id, const struct rte_hvdev_pkt *pkt, uint8_t *msg,
	const struct rte_hvdev_ic_class *cls)
{
	struct iovec iov = { .iov_base = msg, .iov_len = pkt->len };
	struct rte_hvdev_ic_hdr hdr;
	uint32_t body_len, status = RTE_HVDEV_IC_NOT_SUPPORTED;
	struct rte_hvdev_ic_version fw, srv;
	int ret;

	if (pkt->type != RTE_HVDEV_PKT_INBAND || rte_hvdev_ic_parse(msg, pkt->len, &hdr,
								    &body_len) < 0) {
		fprintf(stderr, "dropping a malformed packet of %u bytes\n", pkt->len);
		return 0;
	}
	if (hdr.icmsgtype == RTE_HVDEV_IC_MSG_NEGOTIATE) {
		/* Writes the chosen versions, or counts 0/0 and a failure, into msg. */
		ret = rte_hvdev_ic_negotiate(msg, pkt->len, cls->fw, cls->nfw, cls->srv,
					     cls->nsrv, &fw, &srv);
		if (ret == 0)
			printf("negotiated framework %u.%u, service %u.%u\n", fw.major,
			       fw.minor, srv.major, srv.minor);
		else
			printf("version negotiation failed: %s\n", strerror(-ret));
		status = ret == 0 ? RTE_HVDEV_IC_S_OK : RTE_HVDEV_IC_E_FAIL;
	}
	rte_hvdev_ic_make_response(msg, status);
	/* The response echoes the transaction id and the payload length of the request. */
	ret = rte_hvdev_send(id, RTE_HVDEV_PKT_INBAND, 0, pkt->xactid, &iov, 1);
	if (ret == -EAGAIN && rte_hvdev_wait_tx(id, pkt->len, 1000) == 0)
		ret = rte_hvdev_send(id, RTE_HVDEV_PKT_INBAND, 0, pkt->xactid, &iov, 1);
	return ret;
}

/* Serve until a signal or @p count requests; returns 0 or a negative errno. */
static int
serve(int16_t id, const struct rte_hvdev_ic_class *cls, unsigned long count)
{
	static uint8_t msg[65536];
	struct rte_hvdev_pkt pkt;
	unsigned long handled = 0;
	int ret;

	while (!quit && (count == 0 || handled < count)) {
		ret = rte_hvdev_wait(id, 500);	/* arm, re-check, sleep: no CPU while idle */
		if (ret == -EIO) {
			/* Rescinded (Guest Services off): wait for the device to come back. */
			while (!quit && rte_hvdev_reattach(id, 500) == -ETIMEDOUT)
				;
			continue;
		}
		if (ret < 0 && ret != -EINTR)
			return ret;
		/* Drain everything before sleeping again. */
		while ((ret = rte_hvdev_recv(id, &pkt, msg, sizeof(msg))) == 0) {
			ret = handle(id, &pkt, msg, cls);
			if (ret < 0)
				return ret;
			handled++;
		}
		if (ret != -EAGAIN && ret != -EIO)
			return ret;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "class", required_argument, NULL, 'c' },
		{ "count", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct rte_hvdev_conf conf = { .intr_mode = true };
	const struct rte_hvdev_ic_class *cls;
	const char *class_name = "fcopy";
	struct rte_hvdev_stats st;
	unsigned long count = 0;
	rte_uuid_t class_id;
	int opt, id, ret;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	argc -= ret;
	argv += ret;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 'c')
			class_name = optarg;
		else if (opt == 'n')
			count = strtoul(optarg, NULL, 10);
		else
			return 2;
	}
	cls = rte_hvdev_ic_class_by_name(class_name);
	if (cls == NULL || rte_hvdev_class_parse(cls->guid, class_id) < 0) {
		fprintf(stderr, "unknown class %s\n", class_name);
		return 2;
	}
	id = rte_hvdev_find_by_class(class_id, 0);
	if (id < 0) {
		fprintf(stderr, "no %s device: is it bound to uio_hv_generic?\n", class_name);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	ret = rte_hvdev_configure((int16_t)id, &conf);
	if (ret == 0)
		ret = rte_hvdev_start((int16_t)id);
	if (ret == 0)
		ret = serve((int16_t)id, cls, count);
	if (ret < 0)
		fprintf(stderr, "serving %s failed: %s\n", class_name, strerror(-ret));
	if (rte_hvdev_stats_get((int16_t)id, &st) == 0)
		printf("%" PRIu64 " requests, %" PRIu64 " responses, %" PRIu64 " interrupts, %"
		       PRIu64 " signals\n", st.rx_packets, st.tx_packets, st.interrupts,
		       st.signals);
	rte_hvdev_stop((int16_t)id);
	rte_hvdev_close((int16_t)id);
	rte_eal_cleanup();
	return ret < 0 ? 1 : 0;
}
