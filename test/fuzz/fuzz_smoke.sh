#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The hvdev authors
#
# One fuzz-smoke test: fuzz_smoke.sh FUZZER SECONDS SEED_CORPUS WORKDIR [DICT]
# Runs the libFuzzer executable for SECONDS over a fresh copy of the committed corpus (new
# inputs go to WORKDIR/corpus, never into the source tree), prints libFuzzer's final stats,
# and fails on any crash, leak, timeout or broken property (crash files land in WORKDIR).
set -eu

fuzzer=$1
seconds=$2
seeds=$3
work=$4
dict=${5:-}

# DPDK's known report (devtools/ubsan.supp) unless the caller chose its own suppressions.
supp=$(cd "$(dirname "$0")/../../devtools" && pwd)/ubsan.supp
UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
case "$UBSAN_OPTIONS" in
*suppressions=*) ;;
*) UBSAN_OPTIONS="$UBSAN_OPTIONS:suppressions=$supp" ;;
esac
export UBSAN_OPTIONS

rm -rf "$work"
mkdir -p "$work/corpus"
set -- -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 \
	-artifact_prefix="$work/"
if [ -n "$dict" ] && [ -f "$dict" ]; then
	set -- "$@" -dict="$dict"
fi
rc=0
"$fuzzer" "$@" "$work/corpus" "$seeds" || rc=$?
for f in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*; do
	if [ -e "$f" ]; then
		echo "fuzz-smoke: $(basename "$fuzzer") found $f; reproduce with: $fuzzer $f"
		rc=1
	fi
done
exit "$rc"
