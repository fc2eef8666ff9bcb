#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The hvdev authors
#
# Style checks on the files git knows about (tracked, or untracked and not ignored), outside
# subprojects/ and build*/. Prints each violation as "path:line: message" and exits 1 if
# there is any, else prints "lint: ok (N files)".
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

git() {
	command git -c safe.directory="$top" "$@"
}

if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	echo "lint: $top is not a git work tree" >&2
	exit 1
fi

files=$(git ls-files --cached --others --exclude-standard | LC_ALL=C sort -u)

errors=0
nfiles=0

violation() {
	printf '%s:%s: %s\n' "$1" "$2" "$3"
	errors=$((errors + 1))
}

# No DPDK source in git: setup.sh unpacks it (subprojects/dpdk-*), or the wrap fetches it;
# subprojects/dpdk is where the layout before 25.11 kept it.
dpdk_tracked=$(git ls-files --cached -- subprojects/dpdk ':(glob)subprojects/dpdk-*/**' |
	head -n 1)
if [ -n "$dpdk_tracked" ]; then
	n=$(git ls-files --cached -- subprojects/dpdk ':(glob)subprojects/dpdk-*/**' | wc -l)
	dpdk_top=$(printf '%s' "$dpdk_tracked" | cut -d/ -f1-2)
	violation "$dpdk_tracked" 1 \
		"DPDK source is tracked by git ($n files); git rm -r --cached $dpdk_top"
fi

# C checks, one awk pass over all *.c and *.h files. Bytes are UTF-8: continuation bytes
# take no column, tabs go to the next multiple of 8.
# shellcheck disable=SC2016 # awk program
c_checks='
function report(msg) {
	printf "%s:%d: %s\n", FILENAME, FNR, msg
	bad++
}

BEGIN {
	id = "[A-Za-z_][A-Za-z0-9_]*"
	# "for (type name =": a type (words and stars), then a name assigned with "=".
	for_decl = "(^|[^A-Za-z0-9_])for[ \t]*\\([ \t]*" id "[A-Za-z0-9_ \t*]*[ \t*]" id \
		"[ \t]*=([^=]|$)"
}

FNR == 1 {
	in_comment = 0
	ours = (FILENAME ~ /^(lib|drivers)\//)
}

{
	line = $0
	comment_at_start = in_comment

	n = length(line)
	if (n > 100 || index(line, "\t")) {
		col = 0
		for (i = 1; i <= n; i++) {
			c = substr(line, i, 1)
			if (c == "\t")
				col = col - col % 8 + 8
			else if (c < "\200" || c > "\277")
				col++
		}
		if (col > 100)
			report("line is " col " columns long (max 100, tabs count as 8)")
	}
	if (line ~ /\r$/)
		report("carriage return at end of line (CRLF line ending)")
	else if (line ~ /[ \t]$/)
		report("trailing whitespace")
	if (line ~ /^ / && !(comment_at_start && line ~ /^ \*/))
		report("line indented with spaces (indent with tabs)")
	else if (line ~ /^\t* +\t/)
		report("space before tab in indentation")

	# Split the line into code (comments and literal contents removed) and the
	# contents of its string literals. Literals do not span lines.
	code = ""
	strs = ""
	quote = ""
	if (!in_comment && line !~ /["\047\/]/) {
		code = line
		n = 0
	}
	i = 1
	while (i <= n) {
		c = substr(line, i, 1)
		c2 = substr(line, i, 2)
		if (in_comment) {
			if (c2 == "*/") {
				in_comment = 0
				code = code " "
				i += 2
			} else {
				i++
			}
		} else if (quote != "") {
			if (c == "\\") {
				strs = strs c2
				i += 2
			} else {
				if (c == quote) {
					quote = ""
					code = code c
					strs = strs " "
				} else {
					strs = strs c
				}
				i++
			}
		} else if (c2 == "/*") {
			in_comment = 1
			i += 2
		} else if (c2 == "//") {
			report("// comment (use /* */)")
			break
		} else {
			if (c == "\"" || c == "\047")
				quote = c
			code = code c
			i++
		}
	}

	if (ours && code ~ /(^|[^A-Za-z0-9_])rte_(panic|exit)([^A-Za-z0-9_]|$)/)
		report("rte_panic/rte_exit in lib/ or drivers/ (return an error instead)")
	if (code ~ /__attribute__/)
		report("raw __attribute__ (use the __rte_* macros of rte_common.h)")
	if (strs ~ /%[-+ #0]*[0-9*]*(\.[0-9*]*)?ll?[uxX]/)
		report("%lu/%lx/%llu/%llx format (use PRIu64/PRIx64 and the right type)")
	if (code ~ /__sync_/)
		report("__sync_ builtin (use the rte_atomic_* or __atomic_* API)")
	if (code ~ /(^|[^A-Za-z0-9_])rte_smp_[rw]?mb([^A-Za-z0-9_]|$)/)
		report("rte_smp_*mb barrier (use rte_atomic_thread_fence or __atomic_*)")
	if (code ~ for_decl)
		report("declaration in for (declare the variable before the loop)")
	if (ours && code ~ /(^|[^A-Za-z0-9_.>])printf[ \t]*\(/)
		report("printf( in lib/ or drivers/ (use the log macros)")
}

END {
	exit(bad > 0)
}
'

spdx='SPDX-License-Identifier: BSD-3-Clause'
set --
while IFS= read -r f; do
	case "$f" in
	'' | subprojects/* | build*/*) continue ;;
	esac
	[ -f "$f" ] || continue
	case "$f" in
	*.c | *.h)
		want="$spdx"
		set -- "$@" "$f"
		;;
	meson.build | */meson.build | meson_options.txt | meson.options | *.sh | *.py | .ci/run)
		want="$spdx"
		;;
	*.rst)
		want=".. $spdx"
		;;
	*)
		continue
		;;
	esac
	nfiles=$((nfiles + 1))
	if ! head -n 3 "$f" | grep -qF -- "$want"; then
		violation "$f" 1 "no '$want' line in the first 3 lines"
	fi
done <<EOF
$files
EOF

if [ $# -gt 0 ]; then
	if ! LC_ALL=C awk "$c_checks" "$@"; then
		errors=$((errors + 1))
	fi
fi

if [ "$errors" -ne 0 ]; then
	exit 1
fi
echo "lint: ok ($nfiles files)"
