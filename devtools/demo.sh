#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The hvdev authors
#
# The hvdev main job, end to end, on any Linux machine: a Copy-VMFile into the guest through
# the simulated Hyper-V host, served by dpdk-hv-fcopy in interrupt mode.
#
#	sh devtools/demo.sh [SIZE_MIB]
#
# It installs and builds everything (as the test command does), starts dpdk-hvsim (the host)
# and dpdk-hv-fcopy (the service), copies a sample file of SIZE_MIB MiB (default 16) into the
# guest, verifies it byte for byte, and shows the transfer record and the service's counters.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
size_mib=${1:-16}

say() { printf '\n== %s\n' "$*"; }
die() { printf 'demo: error: %s\n' "$*" >&2; exit 1; }

say "set-up and build"
sh devtools/setup.sh
if [ ! -f build/build.ninja ]; then
	meson setup build --native-file devtools/python3.ini -Dwerror=true >/dev/null
fi
ninja -C build >/dev/null || die "build failed (run: ninja -C build)"

hvsim=build/app/hvsim/dpdk-hvsim
fcopy=build/app/hv-fcopy/dpdk-hv-fcopy
[ -x "$hvsim" ] && [ -x "$fcopy" ] || die "dpdk-hvsim or dpdk-hv-fcopy was not built"

work=$(mktemp -d /tmp/hvdev-demo-XXXXXX)
sim_pid=
svc_pid=
cleanup() {
	[ -n "$svc_pid" ] && kill "$svc_pid" 2>/dev/null && wait "$svc_pid" 2>/dev/null
	[ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

root=$work/hyperv		# the simulated host's sysfs and /dev tree
guest=$work/guest		# where the guest receives files
mkdir -p "$guest" "$work/state" "$work/run"

# Wait until FILE contains PATTERN, or fail after SECONDS.
wait_for() {
	file=$1 pattern=$2 seconds=$3 i=0
	while ! grep -q "$pattern" "$file" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -le $((seconds * 10)) ] || { cat "$file" >&2; die "timed out waiting for '$pattern'"; }
		sleep 0.1
	done
}

say "simulated Hyper-V host: $hvsim serve --root $root"
"$hvsim" serve --root "$root" > "$work/hvsim.log" 2>&1 &
sim_pid=$!
wait_for "$work/hvsim.log" '^ready' 20
grep '^hvsim: serving' "$work/hvsim.log"

say "service: $fcopy (interrupt mode) writing under $guest"
# Telemetry on, with its socket in this run's own directory, so the counters can be read.
export RUNTIME_DIRECTORY="$work/run"
prefix=hvdemo$$
"$fcopy" -l 0 --no-huge -m 64 --no-pci --file-prefix "$prefix" \
	--log-level=lib.eal:error --vdev="hvdev_uio0,class=fcopy,root=$root" -- \
	--mode intr --allowed-root "$guest" --state-dir "$work/state" > "$work/fcopy.log" 2>&1 &
svc_pid=$!
wait_for "$work/fcopy.log" 'serving' 20
grep 'serving' "$work/fcopy.log" | head -n 1

say "Copy-VMFile of a ${size_mib} MiB sample into the guest"
head -c $((size_mib * 1024 * 1024)) /dev/urandom > "$work/sample.bin"
"$hvsim" copy --root "$root" "$work/sample.bin" "$guest/incoming/sample.bin" \
	--create-full-path || die "the copy failed"

say "verification"
cmp "$work/sample.bin" "$guest/incoming/sample.bin" || die "the file differs"
sha256sum "$work/sample.bin" "$guest/incoming/sample.bin"
ls -l "$guest/incoming/sample.bin"
echo "the file arrived intact, byte for byte"

say "counters, through DPDK telemetry (dpdk-telemetry.py)"
# DPDK's client from the source build/ was set up with (the wrap's directory for 25.11).
telemetry_py=$(sed -n 's/^directory *= *//p' subprojects/dpdk.wrap)
[ "$(meson introspect build --buildoptions | /usr/bin/python3 -c 'import json, sys
print([o["value"] for o in json.load(sys.stdin) if o["name"] == "dpdk_version"][0])')" = 22.11 ] &&
	telemetry_py=dpdk-22.11
telemetry_py=subprojects/$telemetry_py/usertools/dpdk-telemetry.py
printf '/hv_fcopy/stats\n/hvdev/stats,0\n' |
	/usr/bin/python3 "$telemetry_py" -f "$prefix" 2>&1 |
	grep -v '^Connecting\|^{"version"' || echo "(telemetry not reachable)"

say "transfer record (service log)"
kill "$svc_pid"
wait "$svc_pid" || die "the service did not stop cleanly"
svc_pid=
grep -E 'copied|copy failed|stopped after' "$work/fcopy.log" || cat "$work/fcopy.log"
echo
echo "demo: ok"
