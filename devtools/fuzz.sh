#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The hvdev authors
#
# Fuzz hvdev's parsers with libFuzzer under AddressSanitizer and UBSan:
#
#	sh devtools/fuzz.sh [-t SECONDS] [-j JOBS] [-B BUILDDIR] [TARGET...]
#
# Sets up BUILDDIR (default build-fuzz; an existing one is reused when it is a clang build
# with -Dfuzz=true) as CC=clang meson setup -Db_sanitize=address,undefined -Db_lundef=false
# -Dfuzz=true, builds the fuzzers, and runs each TARGET (default: all of test/fuzz) for
# SECONDS (default 60) with JOBS parallel jobs (default 1; at most the number of CPUs is
# sensible). New inputs go to BUILDDIR/fuzz-work/TARGET/corpus, seeded from
# test/fuzz/corpus/TARGET; crashes to BUILDDIR/fuzz-work/TARGET/<start time>-crash-*. Prints
# the executions per target and every crash file; exits non-zero when a target crashed (or
# failed to run).
# A long run, e.g. an hour per target on 2 CPUs: sh devtools/fuzz.sh -t 3600 -j 2
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

seconds=60
jobs=1
dir=build-fuzz
while getopts t:j:B:h opt; do
	case "$opt" in
	t) seconds=$OPTARG ;;
	j) jobs=$OPTARG ;;
	B) dir=$OPTARG ;;
	*)
		sed -n '5,17p' "$0" | sed 's/^# \{0,1\}//'
		[ "$opt" = h ] && exit 0
		exit 2
		;;
	esac
done
shift $((OPTIND - 1))
case "$seconds$jobs" in
*[!0-9]*)
	echo "fuzz: -t and -j take whole numbers" >&2
	exit 2
	;;
esac

all=$(cd test/fuzz && ls fuzz_*.c | sed -n 's/\.c$//p' | grep -v '^fuzz_replay$')
targets=${*:-$all}
for t in $targets; do
	if [ ! -f "test/fuzz/$t.c" ]; then
		echo "fuzz: no target $t (targets: $(echo $all))" >&2
		exit 2
	fi
done

# Reuse BUILDDIR only if it is what this script would make: clang, ASan, fuzz=true.
configured() {
	/usr/bin/python3 - "$dir" <<'PY'
import json, os, sys

d = sys.argv[1]
try:
    with open(os.path.join(d, 'compile_commands.json')) as f:
        cmds = json.load(f)
    with open(os.path.join(d, 'meson-info', 'intro-buildoptions.json')) as f:
        opts = {o['name']: o['value'] for o in json.load(f)}
except (OSError, ValueError):
    sys.exit(1)
ours = [c for c in cmds if c['file'].endswith('hvdev_ic.c')]
words = [w for w in ours[0]['command'].split() if os.path.basename(w) != 'ccache'] if ours else []
cc = os.path.basename(words[0]) if words else ''
ok = 'clang' in cc and opts.get('fuzz') is True and 'address' in str(opts.get('b_sanitize'))
sys.exit(0 if ok else 1)
PY
}

if [ -f "$dir/build.ninja" ] && ! configured; then
	echo "fuzz: $dir is not a clang -Dfuzz=true build; use another -B or remove it" >&2
	exit 2
fi
if [ ! -f "$dir/build.ninja" ]; then
	rm -rf "$dir"
	CC=clang meson setup "$dir" --native-file devtools/python3.ini \
		-Db_sanitize=address,undefined -Db_lundef=false -Dwerror=true -Dfuzz=true
fi
# shellcheck disable=SC2086 # target names have no spaces
ninja -C "$dir" $(for t in $targets; do printf 'test/fuzz/%s ' "$t"; done)

ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
case "$UBSAN_OPTIONS" in
*suppressions=*) ;;
*) UBSAN_OPTIONS="$UBSAN_OPTIONS:suppressions=$top/devtools/ubsan.supp" ;;
esac
export ASAN_OPTIONS UBSAN_OPTIONS

# Artifacts of this run carry its start time: older crash files are not reported again.
run=$(date +%Y%m%d-%H%M%S)
status=0
summary=""
for t in $targets; do
	work="$top/$dir/fuzz-work/$t"
	mkdir -p "$work/corpus"
	rm -f "$work"/fuzz-*.log
	set -- -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$work/$run-"
	[ -f "test/fuzz/$t.dict" ] && set -- "$@" -dict="$top/test/fuzz/$t.dict"
	[ "$jobs" -gt 1 ] && set -- "$@" -jobs="$jobs" -workers="$jobs"
	echo "== $t: $seconds s, $jobs job(s)"
	rc=0
	# With -jobs, libFuzzer writes one fuzz-N.log per job in the current directory.
	(cd "$work" && "$top/$dir/test/fuzz/$t" "$@" corpus "$top/test/fuzz/corpus/$t") \
		>"$work/run.log" 2>&1 || rc=$?
	execs=$(cat "$work/run.log" "$work"/fuzz-*.log 2>/dev/null |
		sed -n 's/^stat::number_of_executed_units: *//p' | awk '{ s += $1 } END { print s + 0 }')
	crashes=$(ls "$work/$run-"* 2>/dev/null || true)
	kept=$(ls "$work/corpus" | wc -l)
	line="$t: $execs executions in $seconds s x $jobs job(s), $kept inputs kept in $work/corpus"
	if [ -n "$crashes" ] || [ "$rc" -ne 0 ]; then
		status=1
		line="$line, FAILED (exit $rc)"
		for c in $crashes; do
			line="$line$(printf '\n  crash file: %s' "$c")"
		done
		line="$line$(printf '\n  log: %s' "$work/run.log")"
	fi
	echo "$line"
	summary="$summary$line$(printf '\n.')"
	summary=${summary%.}
done
printf '\n== fuzz summary\n%s' "$summary"
exit "$status"
