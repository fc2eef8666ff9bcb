/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

/*
 * The simulated kernel tree: the same paths and attribute formats as vmbus_drv, uio and
 * uio_hv_generic create, under the simulator's root, so that discovery code cannot tell.
 */

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <rte_common.h>

#include "hvsim_priv.h"

static int
join(char *buf, size_t len, const char *a, const char *b)
{
	int n = snprintf(buf, len, "%s/%s", a, b);

	return (n < 0 || (size_t)n >= len) ? -ENAMETOOLONG : 0;
}

static int
mkdir_p(const char *path, mode_t mode)
{
	char tmp[PATH_MAX];
	size_t i, n = strlen(path);

	if (n >= sizeof(tmp))
		return -ENAMETOOLONG;
	memcpy(tmp, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (tmp[i] != '/' && tmp[i] != '\0')
			continue;
		tmp[i] = '\0';
		if (mkdir(tmp, mode) < 0 && errno != EEXIST)
			return -errno;
		tmp[i] = path[i];
	}
	return 0;
}

int
hvsim_mkdir_p(const char *path)
{
	return mkdir_p(path, 0755);
}

/*
 * sysfs attributes appear whole, with their value. Write to a hidden name and rename, so that
 * a reader in another process never sees an empty or half-written attribute.
 */
static int __rte_format_printf(3, 4)
write_attr(const char *dir, const char *name, const char *fmt, ...)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8], buf[256];
	va_list ap;
	int fd, n, ret = 0;

	if (join(path, sizeof(path), dir, name) < 0 ||
	    snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -EINVAL;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (write(fd, buf, n) != n)
		ret = -EIO;
	close(fd);
	if (ret == 0 && rename(tmp, path) < 0)
		ret = -errno;
	if (ret < 0)
		unlink(tmp);
	return ret;
}

/* Make a directory built under @p tmp appear at @p path in one step, as sysfs does. */
static int
publish_dir(const char *tmp, const char *path)
{
	return rename(tmp, path) < 0 ? -errno : 0;
}

static int
root_join(const struct rte_hvsim_dev *dev, char *buf, size_t len, const char *rel)
{
	return join(buf, len, dev->sim->root, rel);
}

int
hvsim_tree_init(const char *root)
{
	static const char *const dirs[] = {
		"sys/bus/vmbus/devices", "sys/bus/vmbus/drivers/uio_hv_generic",
		"sys/class/uio", "dev",
	};
	char path[PATH_MAX];
	unsigned int i;
	int ret;

	for (i = 0; i < RTE_DIM(dirs); i++) {
		ret = join(path, sizeof(path), root, dirs[i]);
		if (ret == 0)
			ret = mkdir_p(path, 0755);
		if (ret < 0)
			return ret;
	}
	ret = join(path, sizeof(path), root, "sys/bus/vmbus/drivers/uio_hv_generic");
	if (ret == 0)
		ret = write_attr(path, "new_id", "%s", "");
	if (ret == 0)
		ret = write_attr(path, "bind", "%s", "");
	return ret;
}

/* modalias is "vmbus:" and the class GUID's 16 bytes in hex, in their in-memory order. */
static void
modalias(const rte_uuid_t uu, char *buf, size_t len)
{
	/* Hyper-V GUIDs store the first three fields little-endian. */
	static const int order[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };
	size_t off;
	int i;

	off = (size_t)snprintf(buf, len, "vmbus:");
	for (i = 0; i < 16 && off + 2 < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%02x", uu[order[i]]);
}

static int
link_driver(struct rte_hvsim_dev *dev)
{
	char drvdir[PATH_MAX], rel[128], link[PATH_MAX];
	int ret;

	snprintf(rel, sizeof(rel), "sys/bus/vmbus/drivers/%s", dev->driver);
	ret = root_join(dev, drvdir, sizeof(drvdir), rel);
	if (ret == 0)
		ret = mkdir_p(drvdir, 0755);
	if (ret == 0)
		ret = join(link, sizeof(link), dev->devdir, "driver");
	if (ret < 0)
		return ret;
	unlink(link);
	return symlink(drvdir, link) < 0 ? -errno : 0;
}

int
hvsim_tree_add_device(struct rte_hvsim_dev *dev)
{
	char rel[128], buf[128], final[PATH_MAX];
	int ret;

	snprintf(rel, sizeof(rel), "sys/bus/vmbus/devices/%s", dev->inst_str);
	ret = root_join(dev, final, sizeof(final), rel);
	/* Built under a hidden name (discovery skips dot entries), then renamed into place. */
	snprintf(rel, sizeof(rel), "sys/bus/vmbus/devices/.%s.new", dev->inst_str);
	ret = ret ?: root_join(dev, dev->devdir, sizeof(dev->devdir), rel);
	ret = ret ?: mkdir_p(dev->devdir, 0755);
	if (ret < 0)
		return ret;
	modalias(dev->conf.class_id, buf, sizeof(buf));
	ret = write_attr(dev->devdir, "class_id", "{%s}\n", dev->class_str);
	ret = ret ?: write_attr(dev->devdir, "device_id", "{%s}\n", dev->inst_str);
	ret = ret ?: write_attr(dev->devdir, "id", "%u\n", dev->conf.relid);
	ret = ret ?: write_attr(dev->devdir, "state", "%d\n", 1);
	ret = ret ?: write_attr(dev->devdir, "modalias", "%s\n", buf);
	ret = ret ?: write_attr(dev->devdir, "vendor", "0x%x\n", 0x1414);
	ret = ret ?: write_attr(dev->devdir, "device", "0x%x\n", 0);
	ret = ret ?: write_attr(dev->devdir, "numa_node", "%d\n", 0);
	ret = ret ?: write_attr(dev->devdir, "driver_override", "%s", "\n");
	if (ret == 0 && dev->conf.monitor)
		ret = write_attr(dev->devdir, "monitor_id", "%u\n", dev->conf.relid % 128);
	if (ret == 0 && dev->driver[0] != '\0' && strcmp(dev->driver, "uio_hv_generic") != 0)
		ret = link_driver(dev);
	ret = ret ?: publish_dir(dev->devdir, final);
	if (ret == 0)
		strcpy(dev->devdir, final);
	return ret;
}

static int
alloc_uio_num(struct rte_hvsim *sim)
{
	int i;

	for (i = 0; i < HVSIM_MAX_UIO; i++) {
		if (!sim->uio_used[i]) {
			sim->uio_used[i] = true;
			return i;
		}
	}
	return -ENOSPC;
}

static int
create_node(struct rte_hvsim_dev *dev)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char rel[64];
	int fd, ret;

	snprintf(rel, sizeof(rel), "dev/%s", dev->uio_name);
	ret = root_join(dev, dev->node_path, sizeof(dev->node_path), rel);
	if (ret < 0)
		return ret;
	if (strlen(dev->node_path) >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	strcpy(addr.sun_path, dev->node_path);
	unlink(dev->node_path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 4) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	dev->listen_fd = fd;
	return 0;
}

static int
add_map(const char *uiodir, int idx, const char *name, uint64_t size)
{
	char dir[PATH_MAX], rel[32];
	int ret;

	snprintf(rel, sizeof(rel), "maps/map%d", idx);
	ret = join(dir, sizeof(dir), uiodir, rel);
	ret = ret ?: mkdir_p(dir, 0755);
	ret = ret ?: write_attr(dir, "name", "%s\n", name);
	/* uio prints addresses and sizes with %pa: 0x and 16 hex digits on 64-bit. */
	ret = ret ?: write_attr(dir, "addr", "0x%016" PRIx64 "\n",
				(uint64_t)0x100000000ull * (uint64_t)(idx + 1));
	ret = ret ?: write_attr(dir, "size", "0x%016" PRIx64 "\n", size);
	ret = ret ?: write_attr(dir, "offset", "0x%x\n", 0);
	return ret;
}

/* What uio_hv_generic's probe and udev do: uio/uioN, its maps, /dev/uioN, the driver link. */
int
hvsim_tree_bind_uio(struct rte_hvsim_dev *dev)
{
	char uiodir[PATH_MAX], tmpdir[PATH_MAX], rel[PATH_MAX], link[PATH_MAX];
	int num, ret;

	num = alloc_uio_num(dev->sim);
	if (num < 0)
		return num;
	dev->uio_num = num;
	snprintf(dev->uio_name, sizeof(dev->uio_name), "uio%d", num);
	ret = create_node(dev);
	snprintf(rel, sizeof(rel), "uio/.%s.new", dev->uio_name);
	ret = ret ?: join(tmpdir, sizeof(tmpdir), dev->devdir, rel);
	ret = ret ?: mkdir_p(tmpdir, 0755);
	ret = ret ?: write_attr(tmpdir, "name", "%s\n", "uio_hv_generic");
	ret = ret ?: write_attr(tmpdir, "version", "%s\n", "0.02.1");
	ret = ret ?: write_attr(tmpdir, "event", "%d\n", 0);
	ret = ret ?: write_attr(tmpdir, "dev", "243:%d\n", num);
	ret = ret ?: add_map(tmpdir, 0, "txrx_rings", dev->map_size);
	ret = ret ?: add_map(tmpdir, 1, "int_page", 4096);
	ret = ret ?: add_map(tmpdir, 2, "monitor_page", 4096);
	snprintf(rel, sizeof(rel), "uio/%s", dev->uio_name);
	ret = ret ?: join(uiodir, sizeof(uiodir), dev->devdir, rel);
	ret = ret ?: publish_dir(tmpdir, uiodir);
	if (ret < 0)
		return ret;
	snprintf(rel, sizeof(rel), "sys/class/uio/%s", dev->uio_name);
	ret = root_join(dev, link, sizeof(link), rel);
	if (ret < 0)
		return ret;
	unlink(link);
	if (symlink(uiodir, link) < 0)
		return -errno;
	return link_driver(dev);
}

int
hvsim_tree_add_ring_attr(struct rte_hvsim_dev *dev)
{
	char dir[PATH_MAX], rel[64], path[PATH_MAX], tmp[PATH_MAX];
	int fd, ret;

	snprintf(rel, sizeof(rel), "channels/%u", dev->conf.relid);
	ret = join(dir, sizeof(dir), dev->devdir, rel);
	ret = ret ?: mkdir_p(dir, 0755);
	ret = ret ?: write_attr(dir, "cpu", "%d\n", 0);
	ret = ret ?: write_attr(dir, "subchannel_id", "%d\n", 0);
	ret = ret ?: join(path, sizeof(path), dir, "ring");
	ret = ret ?: join(tmp, sizeof(tmp), dir, ".ring.tmp");
	if (ret < 0)
		return ret;
	/*
	 * The real attribute is mmap-only and sized to both rings, a sparse file of that size
	 * here; before the dynamic ring attribute (6.15, and its 6.12.y backport) it always
	 * said 4 MiB.
	 */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	ret = ftruncate(fd, dev->kernel.ring_attr_fixed ? (off_t)HVSIM_LEGACY_RING_ATTR_SIZE :
			(off_t)dev->map_size) < 0 ? -errno : 0;
	close(fd);
	if (ret == 0 && rename(tmp, path) < 0)
		ret = -errno;
	return ret;
}

static int
remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	RTE_SET_USED(st);
	RTE_SET_USED(ftw);
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void
hvsim_tree_remove_device(struct rte_hvsim_dev *dev)
{
	char rel[64], link[PATH_MAX];

	if (dev->uio_num >= 0) {
		snprintf(rel, sizeof(rel), "sys/class/uio/%s", dev->uio_name);
		if (root_join(dev, link, sizeof(link), rel) == 0)
			unlink(link);
		unlink(dev->node_path);
		dev->sim->uio_used[dev->uio_num] = false;
		dev->uio_num = -1;
		dev->uio_name[0] = '\0';
	}
	if (dev->devdir[0] != '\0')
		nftw(dev->devdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}
