/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * dpdk-hv-kvp end to end: the service runs as its own process against the simulated host,
 * which plays Hyper-V's KVP role (lib/hvsim). Every case checks the status the host got and
 * the pool files on disk. The service binary comes from the HVDEV_KVP_BIN environment
 * variable. The fake root of the simulator also holds what the service reads of the guest
 * (etc/os-release, sys/class/net) and the test scripts.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <rte_common.h>

#include <rte_hvdev_kvp.h>

#include "hvdev_test.h"
#include "rte_hvsim.h"

#define WAIT_MS 10000
#define RECORD (RTE_HVDEV_KVP_MAX_KEY_SIZE + RTE_HVDEV_KVP_MAX_VALUE_SIZE)
#define NIC_GUID "{d34c6a4e-2f5b-4c4a-9a3b-0e1f2a3b4c5d}"
#define NIC_MAC "00:15:5D:AA:BB:01"

static char root[256];
static char pools[512];
static char scripts[512];
static struct rte_hvsim *sim;
static struct rte_hvsim_dev *dev;
static pid_t service = -1;
static const char *const *service_extra;
static const char *const *service_eal;	/* NULL: the tests' usual EAL options */

static pid_t
spawn(const char *const *extra)
{
	static const char *const eal[] = {
		"-l", "0", "--no-huge", "-m", "64", "--no-shconf", "--no-pci", "--no-telemetry",
		"--log-level=lib.eal:error",
	};
	const char *bin = getenv("HVDEV_KVP_BIN");
	const char *argv[64];
	char vdev[PATH_MAX + 64];
	unsigned int n = 0, i;
	pid_t pid;

	if (bin == NULL)
		return -1;
	hvdev_test_fmt(vdev, sizeof(vdev), "--vdev=hvdev_uio0,class=kvp,root=%s", root);
	argv[n++] = bin;
	for (i = 0; service_eal == NULL && i < RTE_DIM(eal); i++)
		argv[n++] = eal[i];
	for (i = 0; service_eal != NULL && service_eal[i] != NULL && n < 16; i++)
		argv[n++] = service_eal[i];
	argv[n++] = vdev;
	argv[n++] = hvdev_test_spawn_prefix();
	argv[n++] = "--";
	argv[n++] = "--pool-dir";
	argv[n++] = pools;
	argv[n++] = "--script-dir";
	argv[n++] = scripts;
	argv[n++] = "--root";
	argv[n++] = root;
	for (i = 0; extra != NULL && extra[i] != NULL && n < RTE_DIM(argv) - 1; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	pid = fork();
	if (pid == 0) {
		execv(bin, (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	return pid;
}

static int
start_service(void)
{
	service = spawn(service_extra);
	TEST_ASSERT(service > 0, "start the service (HVDEV_KVP_BIN set?)");
	TEST_ASSERT_EQUAL(rte_hvsim_wait_open(dev, true, WAIT_MS), 0, "service opened the channel");
	TEST_ASSERT_EQUAL(rte_hvsim_ic_wait(dev, WAIT_MS), 0, "IC negotiation");
	return TEST_SUCCESS;
}

static int
stop_service(void)
{
	int status = hvdev_test_process_stop(service, 5000);

	service = -1;
	return status;
}

static int
put(const char *rel, const char *text, mode_t mode)
{
	char path[PATH_MAX], dir[PATH_MAX];
	FILE *f;

	hvdev_test_fmt(path, sizeof(path), "%s/%s", root, rel);
	memcpy(dir, path, sizeof(dir));
	*strrchr(dir, '/') = '\0';
	if (hvdev_test_mkdirs(dir) != 0)
		return -1;
	f = fopen(path, "w");
	if (f == NULL)
		return -1;
	fputs(text, f);
	if (fclose(f) != 0)
		return -1;
	return chmod(path, mode);
}

static int
offer_kvp(void)
{
	struct rte_hvsim_dev_conf conf = { .ic_negotiate = true };

	hvdev_test_class("kvp", conf.class_id);
	dev = rte_hvsim_offer(sim, &conf);
	TEST_ASSERT(dev != NULL, "offer");
	return TEST_SUCCESS;
}

static int
setup_host_only(void)
{

	TEST_ASSERT(hvdev_test_root_create(root, sizeof(root)) == 0, "mkdtemp");
	hvdev_test_fmt(pools, sizeof(pools), "%s/pools", root);
	hvdev_test_fmt(scripts, sizeof(scripts), "%s/scripts", root);
	TEST_ASSERT(hvdev_test_mkdirs(scripts) == 0, "dirs");
	TEST_ASSERT(put("etc/os-release", "NAME=\"Test Linux\"\nVERSION_ID=\"42.1\"\n", 0644) == 0,
		    "os-release");
	TEST_ASSERT(put("sys/class/net/eth0/address", "00:15:5d:aa:bb:01\n", 0644) == 0 &&
		    put("sys/class/net/eth0/device/device_id", NIC_GUID "\n", 0644) == 0, "nic");
	sim = rte_hvsim_create(root);
	TEST_ASSERT(sim != NULL, "simulator");
	TEST_ASSERT_EQUAL(rte_hvsim_start(sim), 0, "start");
	return TEST_SUCCESS;
}

static int
setup_host(void)
{
	TEST_RUN(setup_host_only());
	return offer_kvp();
}

static int
setup(void)
{
	TEST_RUN(setup_host());
	return start_service();
}

static int
teardown(void)
{
	int status = stop_service();

	rte_hvsim_destroy(sim);
	sim = NULL;
	hvdev_test_root_remove(root);
	TEST_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "service stopped cleanly on SIGTERM (status 0x%x)", status);
	return TEST_SUCCESS;
}

#define E2E_CASE(name) \
static int \
test_ ## name(void) \
{ \
	int ret, ret2; \
	TEST_RUN(setup()); \
	ret = check_ ## name(); \
	ret2 = teardown(); \
	return ret != TEST_SUCCESS ? ret : ret2; \
}

static const struct rte_hvsim_kvp_opts host = { .timeout_ms = WAIT_MS };

static int
host_set(uint8_t pool, const char *key, const char *value, uint32_t *status)
{
	struct rte_hvsim_kvp_item item = { .type = RTE_HVDEV_KVP_REG_SZ };
	struct rte_hvsim_kvp_result res;
	int rc;

	snprintf(item.key, sizeof(item.key), "%s", key);
	snprintf(item.value, sizeof(item.value), "%s", value);
	rc = rte_hvsim_kvp_set(dev, pool, &item, &host, &res);
	*status = res.status;
	return rc;
}

static int
host_get(uint8_t pool, const char *key, struct rte_hvsim_kvp_item *item, uint32_t *status)
{
	struct rte_hvsim_kvp_result res;
	int rc;

	rc = rte_hvsim_kvp_get(dev, pool, key, item, &host, &res);
	*status = res.status;
	return rc;
}

static int
host_delete(uint8_t pool, const char *key, uint32_t *status)
{
	struct rte_hvsim_kvp_result res;
	int rc;

	rc = rte_hvsim_kvp_delete(dev, pool, key, &host, &res);
	*status = res.status;
	return rc;
}

/* Records of a pool file: what the file holds, read as another program would. */
static int
file_records(uint8_t pool, char keys[][64], char values[][64], int max)
{
	char path[PATH_MAX], rec[RECORD];
	int n = 0, fd;

	hvdev_test_fmt(path, sizeof(path), "%s/.kvp_pool_%u", pools, pool);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	while (read(fd, rec, sizeof(rec)) == (ssize_t)sizeof(rec)) {
		if (n < max) {
			snprintf(keys[n], 64, "%.*s", 63, rec);
			snprintf(values[n], 64, "%.*s", 63, rec + RTE_HVDEV_KVP_MAX_KEY_SIZE);
		}
		n++;
	}
	close(fd);
	return n;
}

/* Append a record as another program (cloud-init, the Azure agent) would, under the lock. */
static int
external_add(uint8_t pool, const char *key, const char *value)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	char path[PATH_MAX], rec[RECORD];
	int fd, rc = 0;

	memset(rec, 0, sizeof(rec));
	snprintf(rec, RTE_HVDEV_KVP_MAX_KEY_SIZE, "%s", key);
	snprintf(rec + RTE_HVDEV_KVP_MAX_KEY_SIZE, RTE_HVDEV_KVP_MAX_VALUE_SIZE, "%s", value);
	hvdev_test_fmt(path, sizeof(path), "%s/.kvp_pool_%u", pools, pool);
	fd = open(path, O_RDWR | O_APPEND);
	if (fd < 0)
		return -1;
	if (fcntl(fd, F_SETLKW, &fl) != 0 || write(fd, rec, sizeof(rec)) != (ssize_t)sizeof(rec))
		rc = -1;
	close(fd);
	return rc;
}

static int
check_pools(void)
{
	static const uint8_t file_pools[] = {
		RTE_HVDEV_KVP_POOL_EXTERNAL, RTE_HVDEV_KVP_POOL_GUEST,
		RTE_HVDEV_KVP_POOL_AUTO_EXTERNAL, RTE_HVDEV_KVP_POOL_AUTO_INTERNAL,
	};
	struct rte_hvsim_kvp_item item;
	char keys[4][64], values[4][64];
	uint32_t st;
	unsigned int i;

	for (i = 0; i < RTE_DIM(file_pools); i++) {
		uint8_t p = file_pools[i];
		char key[32], value[32];

		snprintf(key, sizeof(key), "key-%u", p);
		snprintf(value, sizeof(value), "value-%u", p);
		TEST_ASSERT_EQUAL(host_set(p, key, value, &st), 0, "set pool %u", p);
		TEST_ASSERT_EQUAL(st, RTE_HVDEV_KVP_S_OK, "set pool %u status", p);
		TEST_ASSERT_EQUAL(file_records(p, keys, values, 4), 1, "pool %u on disk", p);
		TEST_ASSERT(strcmp(keys[0], key) == 0 && strcmp(values[0], value) == 0,
			    "pool %u record: %s=%s", p, keys[0], values[0]);
		/* Modify: the same record, a new value. */
		TEST_ASSERT_EQUAL(host_set(p, key, "changed", &st), 0, "modify pool %u", p);
		TEST_ASSERT_EQUAL(file_records(p, keys, values, 4), 1, "still one record");
		TEST_ASSERT(strcmp(values[0], "changed") == 0, "modified: %s", values[0]);
		TEST_ASSERT_EQUAL(host_get(p, key, &item, &st), 0, "get pool %u", p);
		TEST_ASSERT_EQUAL(st, RTE_HVDEV_KVP_S_OK, "get status");
		TEST_ASSERT(strcmp(item.value, "changed") == 0, "got %s", item.value);
		TEST_ASSERT_EQUAL(host_get(p, "missing", &item, &st), 0, "get missing");
		TEST_ASSERT(st != RTE_HVDEV_KVP_S_OK, "a missing key is an error (0x%08x)", st);
		TEST_ASSERT_EQUAL(host_delete(p, key, &st), 0, "delete pool %u", p);
		TEST_ASSERT_EQUAL(st, RTE_HVDEV_KVP_S_OK, "delete status");
		TEST_ASSERT_EQUAL(file_records(p, keys, values, 4), 0, "pool %u empty on disk", p);
		TEST_ASSERT_EQUAL(host_delete(p, key, &st), 0, "delete again");
		TEST_ASSERT(st != RTE_HVDEV_KVP_S_OK, "deleting a missing key is an error");
	}
	/* The intrinsic pool is not a file's: the host cannot write to it. */
	return TEST_SUCCESS;
}
E2E_CASE(pools)

static int
check_enumerate(void)
{
	struct rte_hvsim_kvp_item items[16];
	struct rte_hvsim_kvp_result res;
	unsigned int count, i;
	uint32_t st;

	for (i = 0; i < 5; i++) {
		char key[16], value[16];

		snprintf(key, sizeof(key), "k%u", i);
		snprintf(value, sizeof(value), "v%u", i);
		TEST_ASSERT_EQUAL(host_set(RTE_HVDEV_KVP_POOL_GUEST, key, value, &st), 0, "set");
	}
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_enumerate(dev, RTE_HVDEV_KVP_POOL_GUEST, items,
						  RTE_DIM(items), &count, &host, &res), 0, "enum");
	TEST_ASSERT_EQUAL(count, 5, "five items");
	for (i = 0; i < count; i++) {
		char want[16];

		snprintf(want, sizeof(want), "k%u", i);
		TEST_ASSERT(strcmp(items[i].key, want) == 0, "in file order: %s", items[i].key);
	}
	TEST_ASSERT_EQUAL(res.status, RTE_HVDEV_KVP_S_CONT, "ends with HV_S_CONT");
	/* Another program adds a record: the host sees it at once. */
	TEST_ASSERT_EQUAL(external_add(RTE_HVDEV_KVP_POOL_GUEST, "from-agent", "hello"), 0,
			  "external write");
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_enumerate(dev, RTE_HVDEV_KVP_POOL_GUEST, items,
						  RTE_DIM(items), &count, &host, &res), 0, "enum");
	TEST_ASSERT_EQUAL(count, 6, "six items");
	TEST_ASSERT(strcmp(items[5].key, "from-agent") == 0 && strcmp(items[5].value, "hello") == 0,
		    "the external record: %s=%s", items[5].key, items[5].value);
	TEST_ASSERT_EQUAL(host_get(RTE_HVDEV_KVP_POOL_GUEST, "from-agent", &items[0], &st), 0,
			  "get");
	TEST_ASSERT(st == RTE_HVDEV_KVP_S_OK && strcmp(items[0].value, "hello") == 0, "got it");
	return TEST_SUCCESS;
}
E2E_CASE(enumerate)

static int
check_intrinsic(void)
{
	static const char *const names[] = {
		"FullyQualifiedDomainName", "IntegrationServicesVersion", "NetworkAddressIPv4",
		"NetworkAddressIPv6", "OSBuildNumber", "OSName", "OSMajorVersion",
		"OSMinorVersion", "OSVersion", "ProcessorArchitecture",
	};
	struct rte_hvsim_kvp_item items[16];
	struct rte_hvsim_kvp_result res;
	unsigned int count, i;

	TEST_ASSERT_EQUAL(rte_hvsim_kvp_enumerate(dev, RTE_HVDEV_KVP_POOL_AUTO, items,
						  RTE_DIM(items), &count, &host, &res), 0, "enum");
	TEST_ASSERT_EQUAL(count, RTE_DIM(names), "ten intrinsic items");
	for (i = 0; i < count; i++)
		TEST_ASSERT(strcmp(items[i].key, names[i]) == 0, "item %u: %s", i, items[i].key);
	TEST_ASSERT(strcmp(items[1].value, "3.1") == 0, "version %s", items[1].value);
	TEST_ASSERT(strcmp(items[5].value, "Test Linux") == 0, "OSName %s", items[5].value);
	TEST_ASSERT(strcmp(items[6].value, "42.1") == 0, "OSMajorVersion %s", items[6].value);
	TEST_ASSERT(items[0].value[0] != '\0', "an FQDN or the reason why not");
	return TEST_SUCCESS;
}
E2E_CASE(intrinsic)

static const char set_script[] =
	"#!/bin/sh\n"
	"d=$(dirname \"$0\")\n"
	"cp \"$1\" \"$d/got-ifcfg\" && cp \"$2\" \"$d/got-nm\"\n";

static int
check_ip_set(void)
{
	struct rte_hvsim_kvp_ip ip;
	struct rte_hvsim_kvp_result res;
	char path[PATH_MAX];

	TEST_ASSERT(put("scripts/hv_set_ifconfig", set_script, 0755) == 0, "script");
	memset(&ip, 0, sizeof(ip));
	snprintf(ip.adapter_id, sizeof(ip.adapter_id), "%s", NIC_GUID);
	ip.addr_family = RTE_HVSIM_KVP_ADDR_IPV4;
	snprintf(ip.ip_addr, sizeof(ip.ip_addr), "10.1.2.3");
	snprintf(ip.subnet, sizeof(ip.subnet), "255.255.255.0");
	snprintf(ip.gateway, sizeof(ip.gateway), "10.1.2.1");
	snprintf(ip.dns, sizeof(ip.dns), "10.1.2.53");
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_ip_set(dev, &ip, &host, &res), 0, "ip-set");
	TEST_ASSERT_EQUAL(res.status, RTE_HVDEV_KVP_S_OK, "ip-set status 0x%08x", res.status);
	hvdev_test_fmt(path, sizeof(path), "%s/ifcfg-eth0", pools);
	TEST_ASSERT(hvdev_test_exists(path), "ifcfg-eth0 written");
	hvdev_test_fmt(path, sizeof(path), "%s/got-nm", scripts);
	TEST_ASSERT(hvdev_test_exists(path), "hv_set_ifconfig ran with both files");
	/* A hostile value: refused, nothing run. */
	unlink(path);
	snprintf(ip.ip_addr, sizeof(ip.ip_addr), "10.1.2.3\nIPADDR9=$(reboot)");
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_ip_set(dev, &ip, &host, &res), 0, "ip-set");
	TEST_ASSERT_EQUAL(res.status, RTE_HVDEV_KVP_INVALIDARG, "refused 0x%08x", res.status);
	TEST_ASSERT(!hvdev_test_exists(path), "the script did not run");
	/* An unknown adapter. */
	snprintf(ip.ip_addr, sizeof(ip.ip_addr), "10.1.2.3");
	snprintf(ip.adapter_id, sizeof(ip.adapter_id), "{00000000-0000-0000-0000-000000000000}");
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_ip_set(dev, &ip, &host, &res), 0, "ip-set");
	TEST_ASSERT_EQUAL(res.status, RTE_HVDEV_KVP_GUID_NOTFOUND, "unknown 0x%08x", res.status);
	return TEST_SUCCESS;
}
E2E_CASE(ip_set)

static int
check_ip_get(void)
{
	struct rte_hvsim_kvp_ip ip;
	struct rte_hvsim_kvp_result res;

	/* eth0 of the fake tree has no address on this machine: an empty, successful answer. */
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_ip_get(dev, NIC_MAC, &ip, &host, &res), 0, "ip-get");
	TEST_ASSERT_EQUAL(res.status, RTE_HVDEV_KVP_S_OK, "status 0x%08x", res.status);
	TEST_ASSERT(strcmp(ip.adapter_id, NIC_MAC) == 0, "adapter echoed: %s", ip.adapter_id);
	TEST_ASSERT_EQUAL(rte_hvsim_kvp_ip_get(dev, "00:15:5D:00:00:00", &ip, &host, &res), 0,
			  "ip-get");
	TEST_ASSERT_EQUAL(res.status, RTE_HVDEV_KVP_E_FAIL, "no such MAC 0x%08x", res.status);
	return TEST_SUCCESS;
}
E2E_CASE(ip_get)

static int
still_serving(void)
{
	struct rte_hvsim_kvp_item item;
	uint32_t st;

	TEST_ASSERT_EQUAL(host_set(RTE_HVDEV_KVP_POOL_EXTERNAL, "alive", "yes", &st), 0, "set");
	TEST_ASSERT_EQUAL(st, RTE_HVDEV_KVP_S_OK, "set ok");
	TEST_ASSERT_EQUAL(host_get(RTE_HVDEV_KVP_POOL_EXTERNAL, "alive", &item, &st), 0, "get");
	TEST_ASSERT(st == RTE_HVDEV_KVP_S_OK && strcmp(item.value, "yes") == 0, "served");
	return TEST_SUCCESS;
}

static int
check_hostile(void)
{
	static const uint32_t mangles[] = {
		RTE_HVSIM_KVP_MANGLE_KEY_UTF16, RTE_HVSIM_KVP_MANGLE_VALUE_UTF16,
		RTE_HVSIM_KVP_MANGLE_KEY_NO_NUL, RTE_HVSIM_KVP_MANGLE_VALUE_NO_NUL,
		RTE_HVSIM_KVP_MANGLE_KEY_SIZE, RTE_HVSIM_KVP_MANGLE_VALUE_SIZE,
		RTE_HVSIM_KVP_MANGLE_BODY_LEN, RTE_HVSIM_KVP_MANGLE_OP,
	};
	struct rte_hvsim_kvp_item item = { .type = RTE_HVDEV_KVP_REG_SZ };
	char keys[4][64], values[4][64];
	unsigned int i;

	snprintf(item.key, sizeof(item.key), "evil");
	snprintf(item.value, sizeof(item.value), "value");
	for (i = 0; i < RTE_DIM(mangles); i++) {
		struct rte_hvsim_kvp_opts o = host;
		struct rte_hvsim_kvp_result res;
		int rc;

		o.mangle = mangles[i];
		o.key_size = 4000;
		o.value_size = 9000;
		o.body_len = 100;
		o.op = 77;
		rc = rte_hvsim_kvp_set(dev, RTE_HVDEV_KVP_POOL_EXTERNAL, &item, &o, &res);
		TEST_ASSERT(rc == 0 || rc == -EBADMSG, "mangle 0x%x: answered (%d)", mangles[i],
			    rc);
		TEST_ASSERT(res.answered && res.status != RTE_HVDEV_KVP_S_OK,
			    "mangle 0x%x: refused (0x%08x)", mangles[i], res.status);
	}
	/* A pool that does not exist. */
	{
		struct rte_hvsim_kvp_result res;

		TEST_ASSERT_EQUAL(rte_hvsim_kvp_set(dev, 9, &item, &host, &res), 0, "pool 9");
		TEST_ASSERT(res.status != RTE_HVDEV_KVP_S_OK, "pool 9 refused");
	}
	TEST_ASSERT_EQUAL(file_records(RTE_HVDEV_KVP_POOL_EXTERNAL, keys, values, 4), 0,
			  "nothing written by a refused request");
	return still_serving();
}
E2E_CASE(hostile)

static int
check_corrupt_pool(void)
{
	struct rte_hvsim_kvp_item item;
	char path[PATH_MAX];
	uint32_t st;
	int fd;

	/* A pool file whose size is not a whole number of records: reported, never a crash. */
	hvdev_test_fmt(path, sizeof(path), "%s/.kvp_pool_1", pools);
	fd = open(path, O_WRONLY | O_APPEND);
	TEST_ASSERT(fd >= 0 && write(fd, "garbage", 7) == 7, "corrupt");
	close(fd);
	TEST_ASSERT_EQUAL(host_get(RTE_HVDEV_KVP_POOL_GUEST, "x", &item, &st), 0, "get");
	TEST_ASSERT(st != RTE_HVDEV_KVP_S_OK, "no item from a corrupt pool (0x%08x)", st);
	return still_serving();
}
E2E_CASE(corrupt_pool)

struct bg_set {
	struct rte_hvsim_kvp_ip ip;
	struct rte_hvsim_kvp_result res;
	int rc;
};

static void *
bg_ip_set(void *arg)
{
	struct bg_set *b = arg;

	b->rc = rte_hvsim_kvp_ip_set(dev, &b->ip, &host, &b->res);
	return NULL;
}

static int
check_rescind_mid_op(void)
{
	static struct bg_set b;
	char marker[PATH_MAX];
	pthread_t t;
	int i;

	/* A SET_IP_INFO whose script takes a while; the host withdraws the device meanwhile. */
	hvdev_test_fmt(marker, sizeof(marker), "%s/started", scripts);
	TEST_ASSERT(put("scripts/hv_set_ifconfig",
			"#!/bin/sh\ntouch \"$(dirname \"$0\")/started\"\nsleep 1\n", 0755) == 0,
		    "script");
	memset(&b, 0, sizeof(b));
	snprintf(b.ip.adapter_id, sizeof(b.ip.adapter_id), "%s", NIC_GUID);
	snprintf(b.ip.ip_addr, sizeof(b.ip.ip_addr), "10.1.2.3");
	snprintf(b.ip.subnet, sizeof(b.ip.subnet), "255.255.255.0");
	TEST_ASSERT_EQUAL(pthread_create(&t, NULL, bg_ip_set, &b), 0, "thread");
	for (i = 0; i < 500 && !hvdev_test_exists(marker); i++)
		usleep(10000);
	TEST_ASSERT(hvdev_test_exists(marker), "the script started");
	TEST_ASSERT_EQUAL(rte_hvsim_rescind(dev), 0, "rescind mid-operation");
	pthread_join(t, NULL);
	TEST_ASSERT(b.rc != 0 || b.res.answered, "the host's call ended (%d)", b.rc);
	TEST_ASSERT_EQUAL(rte_hvsim_reoffer(dev), 0, "offer again");
	TEST_ASSERT_EQUAL(rte_hvsim_wait_open(dev, true, WAIT_MS), 0, "reopened");
	TEST_ASSERT_EQUAL(rte_hvsim_ic_wait(dev, WAIT_MS), 0, "negotiated again");
	TEST_ASSERT(kill(service, 0) == 0, "the service is still running");
	return still_serving();
}
E2E_CASE(rescind_mid_op)

/* A short soak: 1000 mixed operations against a model of the two host-visible pools. */
static int
check_soak(void)
{
	enum { KEYS = 40 };
	static char model[2][KEYS][32];
	struct rte_hvsim_kvp_item item, items[KEYS + 4];
	struct rte_hvsim_kvp_result res;
	unsigned int seed = 1000, i, count, k, n;
	uint32_t st;

	memset(model, 0, sizeof(model));
	for (i = 0; i < 1000; i++) {
		uint8_t p = (uint8_t)(rand_r(&seed) % 2);
		unsigned int op = (unsigned int)rand_r(&seed) % 10;
		char key[16], value[32];

		k = (unsigned int)rand_r(&seed) % KEYS;
		snprintf(key, sizeof(key), "soak-%u", k);
		if (op < 4) {
			snprintf(value, sizeof(value), "v%u-%u", i, (unsigned int)rand_r(&seed));
			TEST_ASSERT_EQUAL(host_set(p, key, value, &st), 0, "op %u set", i);
			TEST_ASSERT_EQUAL(st, RTE_HVDEV_KVP_S_OK, "op %u set", i);
			snprintf(model[p][k], sizeof(model[p][k]), "%s", value);
		} else if (op < 7) {
			TEST_ASSERT_EQUAL(host_get(p, key, &item, &st), 0, "op %u get", i);
			if (model[p][k][0] != '\0')
				TEST_ASSERT(st == RTE_HVDEV_KVP_S_OK &&
					    strcmp(item.value, model[p][k]) == 0,
					    "op %u get %s: %s", i, key, item.value);
			else
				TEST_ASSERT(st != RTE_HVDEV_KVP_S_OK, "op %u get absent", i);
		} else if (op < 9) {
			TEST_ASSERT_EQUAL(host_delete(p, key, &st), 0, "op %u delete", i);
			TEST_ASSERT_EQUAL(st == RTE_HVDEV_KVP_S_OK, model[p][k][0] != '\0',
					  "op %u delete", i);
			model[p][k][0] = '\0';
		} else {
			TEST_ASSERT_EQUAL(rte_hvsim_kvp_enumerate(dev, p, items, RTE_DIM(items),
								  &count, &host, &res), 0,
					  "op %u enumerate", i);
			for (k = 0, n = 0; k < KEYS; k++)
				n += model[p][k][0] != '\0';
			TEST_ASSERT_EQUAL(count, n, "op %u enumerate count", i);
		}
	}
	return still_serving();
}
E2E_CASE(soak)

/* The service's CPU time (ms) and context switches, all its threads together. */
static void
proc_usage(pid_t pid, uint64_t *cpu_ms, uint64_t *switches)
{
	char path[128], line[256];
	uint64_t utime = 0, stime = 0;
	long tick = sysconf(_SC_CLK_TCK);
	struct dirent *de;
	DIR *d;
	FILE *f;

	*cpu_ms = 0;
	*switches = 0;
	hvdev_test_fmt(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (f != NULL) {
		if (fgets(line, sizeof(line), f) != NULL) {
			char *p = strrchr(line, ')');

			if (p != NULL)
				sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %" SCNu64
				       " %" SCNu64, &utime, &stime);
		}
		fclose(f);
	}
	*cpu_ms = (utime + stime) * 1000 / (uint64_t)(tick > 0 ? tick : 100);
	hvdev_test_fmt(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		char status[300];

		if (de->d_name[0] == '.')
			continue;
		hvdev_test_fmt(status, sizeof(status), "/proc/%d/task/%s/status", (int)pid,
			       de->d_name);
		f = fopen(status, "r");
		if (f == NULL)
			continue;
		while (fgets(line, sizeof(line), f) != NULL) {
			uint64_t v;

			if (sscanf(line, "voluntary_ctxt_switches: %" SCNu64, &v) == 1 ||
			    sscanf(line, "nonvoluntary_ctxt_switches: %" SCNu64, &v) == 1)
				*switches += v;
		}
		fclose(f);
	}
	closedir(d);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Figures for the guide: the idle cost of the service, and ENUMERATE of 1000 items (the
 * median of 5 runs, and its ratio to 1000 GETs of a one-record pool, the simulator's round
 * trip, which takes out the speed of the machine).
 */
static int
check_perf(void)
{
	enum { ITEMS = 1000, RUNS = 5 };
	static struct rte_hvsim_kvp_item items[ITEMS + 1];
	struct rte_hvsim_kvp_result res;
	uint64_t cpu0, cpu1, sw0, sw1, t0, enum_us[RUNS], get_us[RUNS];
	unsigned int count, i, r;
	uint32_t st;

	/* Idle: nothing to do for 10 s. */
	sleep(1);
	proc_usage(service, &cpu0, &sw0);
	sleep(10);
	proc_usage(service, &cpu1, &sw1);
	printf("perf: idle 10 s: %" PRIu64 " ms CPU, %" PRIu64 " context switches\n",
	       cpu1 - cpu0, sw1 - sw0);
	TEST_ASSERT(cpu1 - cpu0 <= 100, "idle costs %" PRIu64 " ms of CPU in 10 s", cpu1 - cpu0);
	TEST_ASSERT(sw1 - sw0 <= 20, "%" PRIu64 " wake-ups while idle", sw1 - sw0);

	for (i = 0; i < ITEMS; i++) {
		char key[32], value[64];

		snprintf(key, sizeof(key), "item-%04u", i);
		snprintf(value, sizeof(value), "value of item %u", i);
		TEST_ASSERT_EQUAL(external_add(RTE_HVDEV_KVP_POOL_GUEST, key, value), 0, "add");
	}
	TEST_ASSERT_EQUAL(host_set(RTE_HVDEV_KVP_POOL_EXTERNAL, "one", "1", &st), 0, "one");
	for (r = 0; r < RUNS; r++) {
		t0 = hvdev_test_now_us();
		TEST_ASSERT_EQUAL(rte_hvsim_kvp_enumerate(dev, RTE_HVDEV_KVP_POOL_GUEST, items,
							  RTE_DIM(items), &count, &host, &res),
				  0, "enumerate");
		enum_us[r] = hvdev_test_now_us() - t0;
		TEST_ASSERT_EQUAL(count, ITEMS, "all items");
		TEST_ASSERT(strcmp(items[ITEMS - 1].key, "item-0999") == 0, "last item");
		t0 = hvdev_test_now_us();
		for (i = 0; i < ITEMS; i++) {
			TEST_ASSERT_EQUAL(host_get(RTE_HVDEV_KVP_POOL_EXTERNAL, "one", &items[0],
						   &st), 0, "get");
			TEST_ASSERT_EQUAL(st, RTE_HVDEV_KVP_S_OK, "get ok");
		}
		get_us[r] = hvdev_test_now_us() - t0;
	}
	qsort(enum_us, RUNS, sizeof(enum_us[0]), cmp_u64);
	qsort(get_us, RUNS, sizeof(get_us[0]), cmp_u64);
	printf("perf: ENUMERATE of %u items: median %" PRIu64 " ms (runs %" PRIu64 "..%" PRIu64
	       " ms); %u GETs of a one-record pool: median %" PRIu64 " ms; ratio %.2f\n",
	       ITEMS, enum_us[RUNS / 2] / 1000, enum_us[0] / 1000, enum_us[RUNS - 1] / 1000,
	       ITEMS, get_us[RUNS / 2] / 1000,
	       (double)enum_us[RUNS / 2] / (double)(get_us[RUNS / 2] ? get_us[RUNS / 2] : 1));
	return still_serving();
}
E2E_CASE(perf)

/*
 * The user's EAL options are added to the daemon's defaults (app/common/hvd_eal.c), as for
 * dpdk-hv-fcopy: "-m 48" alone keeps --no-huge, --no-pci and the rest, so the service starts
 * on a machine without hugepages. An unknown EAL option is refused with status 2 before EAL.
 */
static int
check_eal_merge(void)
{
	static const char *const only_m[] = { "-m", "48", NULL };
	static const char *const unknown[] = { "--frobnicate", NULL };
	int status = -1, i;

	service_eal = only_m;
	service = spawn(NULL);
	TEST_ASSERT(service > 0, "start the service");
	TEST_ASSERT_EQUAL(rte_hvsim_wait_open(dev, true, WAIT_MS), 0,
			  "the service started with only -m 48 given and opened the channel");
	TEST_ASSERT_EQUAL(rte_hvsim_ic_wait(dev, WAIT_MS), 0, "IC negotiation");
	status = stop_service();
	TEST_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0, "clean stop (0x%x)", status);

	service_eal = unknown;
	service = spawn(NULL);
	TEST_ASSERT(service > 0, "start the service");
	for (i = 0; i < 500 && waitpid(service, &status, WNOHANG) == 0; i++)
		usleep(10000);
	if (i == 500)
		status = hvdev_test_process_stop(service, 1000);
	service = -1;
	TEST_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 2,
		    "an unknown EAL option: exit status 2 (0x%x)", status);
	service_eal = NULL;
	return start_service();
}

static int
test_eal_merge(void)
{
	int ret, ret2;

	TEST_RUN(setup_host());
	ret = check_eal_merge();
	service_eal = NULL;
	ret2 = teardown();
	return ret != TEST_SUCCESS ? ret : ret2;
}

/* Exit status @p code within 5 s of its own accord (the service is not stopped). */
static int
exits_with(pid_t pid, int code)
{
	int status = -1, i;

	for (i = 0; i < 500 && waitpid(pid, &status, WNOHANG) == 0; i++)
		usleep(10000);
	if (i == 500)
		status = hvdev_test_process_stop(pid, 1000);
	TEST_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == code,
		    "exit status %d (status 0x%x)", code, status);
	return TEST_SUCCESS;
}

/*
 * Device lookup by class is app/common's (hvd_device), shared with dpdk-hv-fcopy: without
 * the KVP device the service says so and exits 3 (the unit's SuccessExitStatus); asked to
 * wait, it serves the device once it is offered.
 */
static int
check_device_wait(void)
{
	static const char *const no_wait[] = { "--wait-device", "0", NULL };
	static const char *const wait[] = { "--wait-device", "30", NULL };

	service_extra = no_wait;
	service = spawn(service_extra);
	TEST_ASSERT(service > 0, "start the service");
	TEST_RUN(exits_with(service, 3));
	service = -1;

	service_extra = wait;
	service = spawn(service_extra);
	TEST_ASSERT(service > 0, "start the service");
	usleep(500000);
	TEST_ASSERT(waitpid(service, NULL, WNOHANG) == 0, "still waiting for the device");
	TEST_RUN(offer_kvp());
	TEST_ASSERT_EQUAL(rte_hvsim_wait_open(dev, true, WAIT_MS), 0,
			  "the device offered later is opened");
	TEST_ASSERT_EQUAL(rte_hvsim_ic_wait(dev, WAIT_MS), 0, "IC negotiation");
	return TEST_SUCCESS;
}

static int
test_device_wait(void)
{
	int ret, ret2;

	TEST_RUN(setup_host_only());
	ret = check_device_wait();
	service_extra = NULL;
	ret2 = teardown();
	return ret != TEST_SUCCESS ? ret : ret2;
}

static const struct hvdev_test_case cases[] = {
	HVDEV_CASE(pools, test_pools),
	HVDEV_CASE(enumerate, test_enumerate),
	HVDEV_CASE(intrinsic, test_intrinsic),
	HVDEV_CASE(ip_set, test_ip_set),
	HVDEV_CASE(ip_get, test_ip_get),
	HVDEV_CASE(hostile, test_hostile),
	HVDEV_CASE(corrupt_pool, test_corrupt_pool),
	HVDEV_CASE(rescind_mid_op, test_rescind_mid_op),
	HVDEV_CASE(soak, test_soak),
	HVDEV_CASE(perf, test_perf),
	HVDEV_CASE(eal_merge, test_eal_merge),
	HVDEV_CASE(device_wait, test_device_wait),
};

int
main(int argc, char **argv)
{
	return hvdev_test_main(argc, argv, cases, RTE_DIM(cases));
}
