#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The hvdev authors
#
# The hvdev test command. On a fresh Debian 12 machine, as root, from the repository:
#
#	sh devtools/test.sh [meson test arguments]
#
# It installs everything (devtools/setup.sh), builds DPDK 25.11, hvdev and its documentation
# (-Denable_docs=true) in build/, runs all test suites there, builds against Debian 12's DPDK 22.11 in build-2211/ (-Ddpdk_version=22.11)
# and runs all test suites there too (skipped when HVDEV_NO_2211=1), cross-compiles everything
# for arm64 in build-arm64/ (compile only; skipped when HVDEV_NO_ARM64=1), then builds
# build-san/ with clang, AddressSanitizer, UBSan and the libFuzzer targets (-Dfuzz=true) and runs
# every test suite again in it, the "fuzz-smoke" runs of each fuzzer included (skipped when
# HVDEV_NO_ASAN=1); it runs devtools/lint.sh, and ends with the line "N passed, N failed" (plus
# ", N skipped" when tests were skipped). build-arm64/ and build-san/ use DPDK 25.11.
# Extra arguments go to the meson test run in build/ only, e.g. "--suite fast".
# The exit status is non-zero if setup, a build, a test or lint failed, or if no test ran.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

python=/usr/bin/python3
# DPDK's build runs Debian's python, which has pyelftools (devtools/python3.ini). The main build
# also builds the HTML guides and the man pages (sphinx, warnings as errors; a few seconds).
main_opts="--native-file devtools/python3.ini -Dwerror=true -Denable_docs=true"
# The same against Debian 12's DPDK 22.11 (subprojects/dpdk-22.11).
old_dir=build-2211
old_opts="--native-file devtools/python3.ini -Dwerror=true -Ddpdk_version=22.11"
# The compile-only arm64 build: weakly ordered memory, no x86-only code (devtools/cross-arm64.ini).
arm64_dir=build-arm64
arm64_opts="--cross-file devtools/cross-arm64.ini -Dwerror=true"
# The sanitizer build: clang (libFuzzer, and UBSan checks gcc lacks), in its own directory.
san_dir=build-san
san_cc=clang
san_opts="--native-file devtools/python3.ini -Db_sanitize=address,undefined -Db_lundef=false -Dwerror=true -Dfuzz=true"
nl='
'

# Steps outside meson's test logs: lint passes or fails, setup/build/meson failures fail.
step_pass=0
step_fail=0
failed_steps=""
# meson JSON test logs written by this run (relative paths, no spaces).
logs=""

section() {
	printf '\n== %s\n' "$*"
}

step_failed() {
	printf 'test: FAILED: %s\n' "$*"
	step_fail=$((step_fail + 1))
	failed_steps="$failed_steps  $*$nl"
}

# meson_logs MODE LOG...: over meson's JSON test logs (one object per line), print
# "passed failed skipped" (MODE count) or one line per test that did not pass (MODE list).
# OK and EXPECTEDFAIL pass, SKIP is skipped, any other result (or a bad line) fails.
meson_logs() {
	"$python" - "$@" <<'EOF'
import json
import sys

mode = sys.argv[1]
passed = failed = skipped = 0
for path in sys.argv[2:]:
	with open(path, encoding='utf-8', errors='replace') as log:
		for num, line in enumerate(log, 1):
			if not line.strip():
				continue
			try:
				test = json.loads(line)
				result = str(test.get('result'))
				name = str(test.get('name'))
			except (ValueError, AttributeError):
				result, name = 'BADLOG', '%s:%d' % (path, num)
			if result in ('OK', 'EXPECTEDFAIL'):
				passed += 1
			elif result == 'SKIP':
				skipped += 1
			else:
				failed += 1
				if mode == 'list':
					print('  %s: %s (%s)' % (path.split('/')[0], name, result))
if mode == 'count':
	print(passed, failed, skipped)
EOF
}

# options_match DIR -Dkey=value...: true if the configured build DIR has these option values
# (other arguments, such as --cross-file, are fixed when DIR is first set up).
options_match() {
	dir=$1
	shift
	meson introspect "$dir" --buildoptions 2>/dev/null | "$python" -c '
import json
import sys

have = {}
for opt in json.load(sys.stdin):
	value = opt.get("value")
	if isinstance(value, bool):
		value = str(value).lower()
	elif isinstance(value, list):
		value = ",".join(str(v) for v in value)
	have[opt.get("name")] = str(value)
for arg in sys.argv[1:]:
	if not arg.startswith("-D"):
		continue
	key, _, value = arg[2:].partition("=")
	if have.get(key) != value:
		sys.exit(1)
' "$@"
}

# compiler_is DIR CC: true if DIR's own C code is compiled by CC (its compile commands).
compiler_is() {
	"$python" - "$1" "$2" <<'EOF'
import json
import os
import sys

try:
	with open(os.path.join(sys.argv[1], 'compile_commands.json'), encoding='utf-8') as f:
		cmds = [c for c in json.load(f) if c.get('file', '').endswith('hvdev_ic.c')]
except (OSError, ValueError):
	sys.exit(1)
words = [w for w in cmds[0]['command'].split() if os.path.basename(w) != 'ccache'] if cmds else []
sys.exit(0 if words and os.path.basename(words[0]) == sys.argv[2] else 1)
EOF
}

# $want_cc behind ccache when there is one: meson adds ccache only to a compiler it chose.
cc_with_ccache() {
	if command -v ccache >/dev/null 2>&1; then
		echo "ccache $want_cc"
	else
		echo "$want_cc"
	fi
}

# configure DIR -Dkey=value...: meson setup DIR, unless it is already set up that way. With
# $want_cc set, DIR must use that compiler; a DIR made with another one is set up again.
configure() {
	dir=$1
	shift
	if [ -n "${want_cc:-}" ] && [ -f "$dir/build.ninja" ] && ! compiler_is "$dir" "$want_cc"
	then
		echo "$dir was not set up with $want_cc: setting it up again"
		rm -rf "$dir"
	fi
	if [ -f "$dir/build.ninja" ]; then
		if options_match "$dir" "$@"; then
			return 0
		fi
		meson setup --reconfigure "$dir" "$@"
	elif [ -d "$dir/meson-private" ]; then
		# An earlier setup failed half-way: start over.
		if [ -n "${want_cc:-}" ]; then
			rm -rf "$dir"
			CC="$(cc_with_ccache)" meson setup "$dir" "$@"
		else
			meson setup --wipe "$dir" "$@"
		fi
	elif [ -n "${want_cc:-}" ]; then
		CC="$(cc_with_ccache)" meson setup "$dir" "$@"
	else
		meson setup "$dir" "$@"
	fi
}

# build DIR OPTIONS [CC]: configure and build DIR (with compiler CC); false (with the failure
# recorded) if either fails.
build() {
	dir=$1
	want_cc=${3:-}
	section "build ($dir)"
	# shellcheck disable=SC2086 # OPTIONS is a list of -D arguments without spaces
	if ! configure "$dir" $2; then
		step_failed "meson setup $dir"
		return 1
	fi
	if ! ninja -C "$dir"; then
		step_failed "ninja -C $dir"
		return 1
	fi
}

# run_tests DIR ARGS...: meson test in DIR, counted from DIR/meson-logs/testlog.json.
run_tests() {
	dir=$1
	shift
	section "test ($dir)"
	log="$dir/meson-logs/testlog.json"
	rm -f "$log"
	rc=0
	meson test -C "$dir" --num-processes 2 --print-errorlogs "$@" || rc=$?
	counts="0 0 0"
	if [ -f "$log" ]; then
		logs="$logs $log"
		counts=$(meson_logs count "$log") || counts="0 0 0"
	fi
	# shellcheck disable=SC2086 # three numbers
	set -- $counts
	# A non-zero status with no failing test in the log (bad arguments, a build failure
	# inside meson test, an unreadable log) must not go unnoticed, nor a run that ran nothing.
	if [ "$rc" -ne 0 ] && [ "$2" -eq 0 ]; then
		step_failed "meson test -C $dir exited with status $rc"
	elif [ $(($1 + $2)) -eq 0 ]; then
		step_failed "meson test -C $dir: no tests were executed"
	fi
}

section setup
if sh devtools/setup.sh; then
	main_built=0
	if build build "$main_opts"; then
		main_built=1
		run_tests build "$@"
	fi
	if [ "${HVDEV_NO_2211:-0}" = 1 ]; then
		section "build ($old_dir)"
		echo "skipped: HVDEV_NO_2211=1"
	elif build "$old_dir" "$old_opts"; then
		run_tests "$old_dir"
	fi
	if [ "${HVDEV_NO_ARM64:-0}" = 1 ]; then
		section "build ($arm64_dir)"
		echo "skipped: HVDEV_NO_ARM64=1"
	elif build "$arm64_dir" "$arm64_opts"; then
		step_pass=$((step_pass + 1))
	fi
	if [ "${HVDEV_NO_ASAN:-0}" = 1 ]; then
		section "test ($san_dir)"
		echo "skipped: HVDEV_NO_ASAN=1"
	elif [ "$main_built" -eq 0 ]; then
		section "test ($san_dir)"
		echo "skipped: the build in build/ failed"
	elif build "$san_dir" "$san_opts" "$san_cc"; then
		# Halt on the first report; devtools/ubsan.supp lists DPDK's one known report.
		ASAN_OPTIONS=detect_leaks=0:abort_on_error=1
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:suppressions=$top/devtools/ubsan.supp
		export ASAN_OPTIONS UBSAN_OPTIONS
		san_start=$(date +%s)
		run_tests "$san_dir" --timeout-multiplier 3
		echo "sanitizer suite ($san_dir): $(($(date +%s) - san_start)) s"
	fi
else
	step_failed "devtools/setup.sh"
fi

section lint
if sh devtools/lint.sh; then
	step_pass=$((step_pass + 1))
else
	step_failed "lint"
fi

section summary
# shellcheck disable=SC2086 # logs holds relative paths without spaces
counts=$(meson_logs count $logs) || counts="0 1 0"
# shellcheck disable=SC2086 # three numbers
set -- $counts
executed=$(($1 + $2))
passed=$(($1 + step_pass))
failed=$(($2 + step_fail))
skipped=$3
if [ "$executed" -eq 0 ]; then
	echo "no tests were executed"
	if [ "$failed" -eq 0 ]; then
		failed=1
	fi
fi
if [ "$failed" -ne 0 ]; then
	echo "failed:"
	printf '%s' "$failed_steps"
	# shellcheck disable=SC2086
	meson_logs list $logs || true
fi
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
