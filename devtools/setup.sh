#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The hvdev authors
#
# Install everything hvdev needs on a fresh Debian 12 machine (run as root), and unpack the
# DPDK 22.11 source package as the meson subproject subprojects/dpdk. Idempotent: a second run
# only checks that everything is in place.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
dpdk_dir="$top/subprojects/dpdk"
dpdk_series="22.11"

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

need_root() {
	[ "$(id -u)" -eq 0 ] && return 0
	die "needs root to install packages (apt-get); run it as root or with sudo"
}

build_packages="build-essential meson ninja-build pkg-config python3 python3-pyelftools \
dpkg-dev git libnuma-dev clang llvm libclang-rt-14-dev python3-matplotlib \
gcc-aarch64-linux-gnu libc6-dev-arm64-cross"

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
	say "DPDK $(cat "$dpdk_dir/VERSION") unpacked in subprojects/dpdk"
}

need_root_if_missing() {
	if [ -n "$(missing_packages)" ] || [ ! -f "$dpdk_dir/meson.build" ]; then
		need_root
	fi
}

need_root_if_missing
if [ ! -f "$dpdk_dir/meson.build" ]; then
	add_deb_src
fi
install_packages
fetch_dpdk
say "ok"
