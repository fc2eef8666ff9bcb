#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The hvdev authors
#
# Install everything hvdev needs on a fresh Debian 12 machine (run as root), and put both DPDK
# sources where meson looks for them:
#  - DPDK 25.11.2 (the default, -Ddpdk_version=25.11) in the directory subprojects/dpdk.wrap
#    names, unpacked from ../shared/dpdk/dpdk-25.11.2.tar.xz (or $HVDEV_DPDK_TARBALL) after
#    checking its sha256. Without that file nothing is unpacked, and meson gets the source through
#    the wrap (network needed);
#  - Debian 12's DPDK 22.11 source package (-Ddpdk_version=22.11) in subprojects/dpdk-22.11,
#    with apt-get source, and Debian's libdpdk-dev (skipped when HVDEV_NO_2211=1).
# Idempotent: a second run only checks that everything is in place.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
dpdk_dir="$top/subprojects/dpdk-22.11"
dpdk_series="22.11"
# The 25.11 source: the wrap's directory, and the local copy of the tag's source with its sha256
# (../shared/dpdk/README.md: git archive of tag v25.11.2, not DPDK's published release tarball).
dpdk25_version="25.11.2"
dpdk25_dir="$top/subprojects/$(sed -n 's/^directory *= *//p' "$top/subprojects/dpdk.wrap")"
dpdk25_tarball="${HVDEV_DPDK_TARBALL:-$top/../shared/dpdk/dpdk-$dpdk25_version.tar.xz}"
dpdk25_sha256="00eb5bc242601163474116109fb7573c15ac7a9013d6ab24bc91dc51408411c8"

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

need_root() {
	[ "$(id -u)" -eq 0 ] && return 0
	die "needs root to install packages (apt-get); run it as root or with sudo"
}

build_packages="build-essential meson ninja-build pkg-config python3 python3-pyelftools \
dpkg-dev git libnuma-dev clang llvm libclang-rt-14-dev python3-matplotlib \
gcc-aarch64-linux-gnu libc6-dev-arm64-cross python3-sphinx"

missing_packages() {
	for p in $build_packages; do
		dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			printf '%s ' "$p"
	done
}

# apt-get source needs a deb-src entry. Derive it from the machine's own enabled Debian
# sources (deb822 .sources files or one-line sources.list), so no mirror is ever named here.
add_deb_src() {
	codename=$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")
	[ -n "$codename" ] || die "cannot tell the Debian release from /etc/os-release"
	src=/etc/apt/sources.list.d/hvdev-deb-src.sources
	list=/etc/apt/sources.list.d/hvdev-deb-src.list
	if grep -rqsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/; then
		return 0
	fi
	: > "$src.tmp"
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		[ "$f" = "$src" ] && continue
		# Keep only stanzas for this release; switch "deb" to "deb-src".
		awk -v rel="$codename" '
			BEGIN { RS = ""; ORS = "\n\n" }
			/(^|\n)Types:[ \t]*deb([ \t]|\n|$)/ && $0 ~ ("Suites:[^\n]*" rel) &&
			    $0 !~ /(^|\n)Enabled:[ \t]*no/ {
				sub(/Types:[ \t]*deb/, "Types: deb-src"); print
			}' "$f" >> "$src.tmp"
	done
	if [ -s "$src.tmp" ]; then
		mv "$src.tmp" "$src"
	else
		rm -f "$src.tmp"
		[ -f /etc/apt/sources.list ] || die "no Debian apt sources found to derive deb-src from"
		grep -E "^deb [^#]*[ /]$codename" /etc/apt/sources.list |
			sed 's/^deb /deb-src /' > "$list"
		[ -s "$list" ] || die "no 'deb' line for $codename in /etc/apt/sources.list"
	fi
	say "added a deb-src entry derived from the existing Debian sources"
	apt_updated=0
}

apt_updated=1
install_packages() {
	missing=$(missing_packages)
	if [ -z "$missing" ] && [ "$apt_updated" -eq 1 ]; then
		return 0
	fi
	need_root
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt_updated=1
	if [ -n "$missing" ]; then
		say "installing: $missing"
		# shellcheck disable=SC2086
		apt-get install -y -qq --no-install-recommends $missing >/dev/null
	fi
}

fetch_dpdk() {
	# The layout before 25.11 kept Debian's 22.11 in subprojects/dpdk: move it, not fetch again.
	old="$top/subprojects/dpdk"
	if [ ! -e "$dpdk_dir" ] && [ -d "$old" ] && [ ! -L "$old" ] && [ -f "$old/VERSION" ]; then
		case "$(cat "$old/VERSION")" in
		"$dpdk_series".*)
			mv "$old" "$dpdk_dir"
			say "moved DPDK $(cat "$dpdk_dir/VERSION") from subprojects/dpdk to subprojects/dpdk-22.11";;
		esac
	fi
	if [ -f "$dpdk_dir/meson.build" ] && [ -f "$dpdk_dir/VERSION" ]; then
		case "$(cat "$dpdk_dir/VERSION")" in
		"$dpdk_series".*) say "DPDK $(cat "$dpdk_dir/VERSION") already unpacked"; return 0;;
		*) say "replacing DPDK $(cat "$dpdk_dir/VERSION")"; rm -rf "$dpdk_dir";;
		esac
	fi
	ver=$(apt-cache showsrc dpdk 2>/dev/null | awk '/^Version:/ { print $2 }' |
		grep "^$dpdk_series\." | sort -V | tail -n 1)
	[ -n "$ver" ] || die "no DPDK $dpdk_series.x source package in the apt sources"
	work="$top/subprojects/.dpdk-src"
	rm -rf "$work"
	mkdir -p "$work"
	say "fetching the dpdk $ver source package"
	(cd "$work" && apt-get source -qq "dpdk=$ver" >/dev/null 2>&1) ||
		(cd "$work" && apt-get source "dpdk=$ver") ||
		die "apt-get source dpdk=$ver failed"
	unpacked=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'dpdk*' | head -n 1)
	[ -n "$unpacked" ] && [ -f "$unpacked/VERSION" ] || die "dpdk source did not unpack"
	case "$(cat "$unpacked/VERSION")" in
	"$dpdk_series".*) ;;
	*) die "unpacked DPDK is $(cat "$unpacked/VERSION"), want $dpdk_series.x";;
	esac
	mv "$unpacked" "$dpdk_dir"
	rm -rf "$work"
	say "DPDK $(cat "$dpdk_dir/VERSION") unpacked in subprojects/dpdk-22.11"
}

# unpack_dpdk25: the local 25.11 source into the wrap's directory, if there is a local copy.
unpack_dpdk25() {
	name=${dpdk25_dir##*/}
	if [ -f "$dpdk25_dir/meson.build" ] && [ -f "$dpdk25_dir/VERSION" ]; then
		if [ "$(cat "$dpdk25_dir/VERSION")" = "$dpdk25_version" ]; then
			say "DPDK $dpdk25_version already in subprojects/$name"
			return 0
		fi
		say "replacing DPDK $(cat "$dpdk25_dir/VERSION") in subprojects/$name"
		rm -rf "$dpdk25_dir"
	fi
	if [ ! -f "$dpdk25_tarball" ]; then
		say "no $dpdk25_tarball: meson will get DPDK $dpdk25_version through" \
			"subprojects/dpdk.wrap (network needed)"
		return 0
	fi
	sum=$(sha256sum "$dpdk25_tarball" | awk '{ print $1 }')
	[ "$sum" = "$dpdk25_sha256" ] ||
		die "$dpdk25_tarball: sha256 $sum, want $dpdk25_sha256; not unpacking it"
	work="$top/subprojects/.dpdk25-src"
	rm -rf "$work"
	mkdir -p "$work"
	tar -xJf "$dpdk25_tarball" -C "$work" || die "cannot unpack $dpdk25_tarball"
	[ -f "$work/$name/VERSION" ] && [ "$(cat "$work/$name/VERSION")" = "$dpdk25_version" ] ||
		die "$dpdk25_tarball does not hold DPDK $dpdk25_version in $name/"
	mv "$work/$name" "$dpdk25_dir"
	rm -rf "$work"
	say "DPDK $dpdk25_version unpacked in subprojects/$name from $dpdk25_tarball"
}

want_2211=1
[ "${HVDEV_NO_2211:-0}" = 1 ] && want_2211=0
# Debian's own DPDK 22.11 (its shared libraries and libdpdk.pc): the install suite of the 22.11
# build (install/system_dpdk) builds and runs an application on it with hvdev's install. It
# brings libpcap-dev, which the 22.11 build then uses; a static link on libpcap.pc needs
# libsystemd-dev too (its dbus-1.pc names -lsystemd), as the install suite's static link does.
if [ "$want_2211" -eq 1 ]; then
	build_packages="$build_packages libdpdk-dev libsystemd-dev"
fi

need_root_if_missing() {
	if [ -n "$(missing_packages)" ]; then
		need_root
	elif [ "$want_2211" -eq 1 ] && [ ! -f "$dpdk_dir/meson.build" ] &&
		[ ! -f "$top/subprojects/dpdk/meson.build" ]; then
		need_root
	fi
}

need_root_if_missing
if [ "$want_2211" -eq 1 ] && [ ! -f "$dpdk_dir/meson.build" ] &&
	[ ! -f "$top/subprojects/dpdk/meson.build" ]; then
	add_deb_src
fi
install_packages
unpack_dpdk25
if [ "$want_2211" -eq 1 ]; then
	fetch_dpdk
else
	say "DPDK 22.11: skipped (HVDEV_NO_2211=1)"
fi
say "ok"
