#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The hvdev authors
#
# Run by "meson install" (meson.add_install_script) after it installed the files: fail when it
# also installed DPDK's files, as a plain "meson install" does (meson cannot keep a subproject
# from installing). $1 is this build's rte_build_config.h, $2 where DPDK's install puts it.
# This build's header, byte for byte, under the install prefix means this build's DPDK was
# installed there (now or by an earlier plain install into the same tree).
set -u
built=$1
# The DESTDIR part of meson's destination prefix (meson sets both variables).
destdir=${MESON_INSTALL_DESTDIR_PREFIX%"$MESON_INSTALL_PREFIX"}
installed=$destdir$2
# meson dist's check installs the unpacked tarball's build with a plain "ninja install" into
# its own throwaway directory (meson-private/dist-install): DPDK's files there harm nothing.
case "$destdir" in
*/meson-private/dist-install)
	exit 0;;
esac
if [ -f "$installed" ] && cmp -s "$built" "$installed"; then
	echo "hvdev: ERROR: DPDK's files were installed too ($installed is this build's):" \
		"install hvdev alone with 'meson install -C BUILDDIR --skip-subprojects';" \
		"meson-logs/install-log.txt lists what was installed" >&2
	exit 1
fi
exit 0
