#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The hvdev authors
"""The docs suite: the guides and the README cannot drift from the code.

check_docs.py commands --source S --build B --work DIR --prog NAME=PATH... [FILE...]
    Run every command the guides (doc/guides/**/*.rst) and README.md show, against the build
    tree, each file in a sandbox of its own, and check that each exits as the guide implies.
check_docs.py options --source S --work DIR --prog NAME=PATH...
    Every option that a program's --help prints appears in its man page source, and every
    option documented there (definition-list terms and the Synopsis) is in --help; the same
    for the exit statuses, and for dpdk-hv-fcopy's configuration keys against the code.
check_docs.py selftest --source S --build B --work DIR --prog NAME=PATH...
    The command runner on a page with a deliberately failing command: it must fail it.

Conventions for the guides (the README.md equivalents in brackets):

* A command a reader may run is in a ``.. code-block:: console`` block, or a
  ``.. code-block:: sh`` block [a ```sh block]. In a console block a line starting with "$ "
  (or "# ", as root) is a command, continued on the next line when it ends with a backslash;
  every other line is sample output, not compared (timings, ids and counters differ from run
  to run). In a sh block every line but a comment is a command. A "$ " line in any other literal block is an error: a command must not hide from
  this test.
* Every command must exit with status 0, unless the guide says otherwise, in one of two
  ways: a "$ echo $?" line right after the command's output, followed by the status; or a
  trailing comment "# exit status N" on the command line.
* Commands run in the order shown, in one shell per file, so a block may use what an earlier
  block of the same file started. A command ending in "&" keeps running in the background
  (its output goes to the log); before the next command the test waits until it is ready:
    dpdk-hvsim serve --root R        until "dpdk-hvsim list --root R" answers;
    dpdk-test-hvdev ... host         until it printed "host: ready";
    dpdk-test-hvdev ... serve        until it printed "serving ";
    any other command naming a root R (root=R or HVDEV_ROOT=R) on which a dpdk-hvsim serve
    runs: until the guest has the channel open ("state=open" in dpdk-hvsim list);
  and after "dpdk-hvsim offer --root R", until a guest that had it open reopens it.
  A path of the build tree to a program (build/app/hvsim/dpdk-hvsim) runs the build under
  test, whatever its directory. At the end of the file a background command with "--seconds N" is given N + 30 s to end;
  every one still running then gets SIGTERM (SIGKILL 10 s later). Each must end with status
  0 (SIGKILL counts as a failure).
* A block is not run when the rst comment ".. test: skip (REASON)" [the HTML comment
  "<!-- test: skip (REASON) -->"] comes right before it; the reason is printed.
* A file may need something a reader is assumed to have (a sample file to copy): SETUP below
  says what, per file, and it runs before the file's first command.

The sandbox: each file runs in a private mount namespace (unshare; root needed, else the test
is skipped) with empty tmpfs file systems over /tmp, /srv, /home and /run/dpdk (EAL's runtime
directories), so guides use the paths a reader would and nothing is left on the machine. The
installed program names (dpdk-hv-fcopy, dpdk-hvsim, dpdk-test-hvdev, dpdk-hvdev-ic-service,
dpdk-telemetry.py, dpdk-pmdinfo.py) are found first on PATH, in WORK/bin, which holds links to
the build tree's programs (--prog). The working directory is the source tree (commands must not write
there: the test fails if one did).
"""

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

# What a reader is assumed to have, per file (relative to the source root): shell commands run
# in the sandbox before the file's first command.
SETUP = {
    # The examples copy a 10 MiB report.pdf from the current directory, /tmp, to /home/alice.
    'doc/guides/tools/dpdk-hvsim.rst':
        'cd /tmp && head -c 10485760 /dev/urandom > report.pdf && mkdir -p /home/alice',
    # The fault examples copy f.bin from the current directory to the guest's /srv.
    'doc/guides/testing/faults.rst':
        'head -c 1048576 /dev/urandom > /tmp/f.bin && cd /tmp',
    # The telemetry example "under the systemd unit" needs the unit's service: a stand-in with
    # the environment the unit gives it (RuntimeDirectory=dpdk-hv-fcopy, so RUNTIME_DIRECTORY),
    # against a simulated host of its own. Not systemd itself (not PID 1 here).
    'doc/guides/tools/dpdk-hv-fcopy.rst':
        'hvdoc_daemon dpdk-hvsim serve --root /tmp/unit-host && '
        'hvdoc_until 30 dpdk-hvsim list --root /tmp/unit-host && '
        'RUNTIME_DIRECTORY=/run/dpdk-hv-fcopy hvdoc_daemon dpdk-hv-fcopy '
        '--vdev=hvdev_uio0,class=fcopy,root=/tmp/unit-host -- --state-dir /tmp/unit-state && '
        'hvdoc_until 30 hvdoc_open /tmp/unit-host',
}

BG_WAIT_S = 30
# The programs that --prog names (set in main()).
PROGS = []
SANDBOX_DIRS = ['/tmp', '/srv', '/home', '/run/dpdk', '/run/dpdk-hv-fcopy']


# ------------------------------------------------------------------------------------------
# Extraction

class Command:
    def __init__(self, path, line, text, expect):
        self.path, self.line, self.text, self.expect = path, line, text, expect

    def background(self):
        return re.search(r'(^|[^&])&\s*$', self.text) is not None


class Block:
    def __init__(self, path, line, skip):
        self.path, self.line, self.skip, self.commands = path, line, skip, []


class DocError(Exception):
    pass


def _indent(s):
    return len(s) - len(s.lstrip(' '))


_EXIT_COMMENT = re.compile(r'\s+#\s*exit status (\d+)\s*$')


def _commands_of_console(path, first_line, body):
    """Commands of a console block: body is [(line number, text)] with the indent removed."""
    cmds = []
    i = 0
    while i < len(body):
        ln, text = body[i]
        if text.startswith('$ ') or text.startswith('# '):
            cmd = text[2:]
            start = ln
            while cmd.endswith('\\') and i + 1 < len(body):
                i += 1
                cmd = cmd[:-1].rstrip() + ' ' + body[i][1].strip()
            expect = 0
            m = _EXIT_COMMENT.search(cmd)
            if m:
                expect = int(m.group(1))
                cmd = cmd[:m.start()]
            if cmd.strip() == 'echo $?':
                # The status of the command before: the next line.
                if not cmds or i + 1 >= len(body) or not body[i + 1][1].strip().isdigit():
                    raise DocError('%s:%d: "echo $?" must follow a command and be followed '
                                   'by the status' % (path, ln))
                cmds[-1].expect = int(body[i + 1][1].strip())
                i += 2
                continue
            cmds.append(Command(path, start, cmd.strip(), expect))
        i += 1
    if not cmds:
        raise DocError('%s:%d: a console block without a command ("$ " or "# " line); use '
                       '".. code-block:: none" for text' % (path, first_line))
    return cmds


SHELL_LANGS = ('sh', 'shell', 'bash')


def _commands_of_script(path, first_line, body):
    """Commands of a shell block (rst "code-block:: sh", Markdown ```sh): every line."""
    cmds = []
    k = 0
    while k < len(body):
        n, t = body[k]
        cmd = t.strip()
        while cmd.endswith('\\') and k + 1 < len(body):
            k += 1
            cmd = cmd[:-1].rstrip() + ' ' + body[k][1].strip()
        if cmd and not cmd.startswith('#'):
            expect = 0
            m = _EXIT_COMMENT.search(cmd)
            if m:
                expect = int(m.group(1))
                cmd = cmd[:m.start()]
            cmds.append(Command(path, n, cmd.strip(), expect))
        k += 1
    if not cmds:
        raise DocError('%s:%d: a shell block without a command' % (path, first_line))
    return cmds


_SKIP_RST = re.compile(r'^\.\. test: skip \((.+)\)\s*$')
_SKIP_MD = re.compile(r'^<!-- test: skip \((.+)\) -->\s*$')


def extract_rst(path, text):
    """The console blocks of a reStructuredText file, and errors for hidden commands."""
    lines = text.split('\n')
    blocks = []
    pending_skip = None
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        m = _SKIP_RST.match(stripped)
        if m:
            pending_skip = m.group(1)
            i += 1
            continue
        cb = re.match(r'^\s*\.\. (?:code-block|code|sourcecode)::\s*(\S*)', line)
        literal = stripped.endswith('::') and not stripped.startswith('..')
        if not cb and not literal:
            if stripped:
                if pending_skip is not None:
                    raise DocError('%s:%d: ".. test: skip" must come right before a console '
                                   'block' % (path, i + 1))
            i += 1
            continue
        ind = _indent(line)
        lang = cb.group(1) if cb else None
        j = i + 1
        while j < len(lines) and (not lines[j].strip() or
                                  (cb and lines[j].strip().startswith(':') and
                                   _indent(lines[j]) > ind)):
            j += 1
        body = []
        while j < len(lines) and (not lines[j].strip() or _indent(lines[j]) > ind):
            body.append((j + 1, lines[j]))
            j += 1
        while body and not body[-1][1].strip():
            body.pop()
        if body:
            bind = min(_indent(t) for _, t in body if t.strip())
            body = [(n, t[bind:]) for n, t in body]
        if lang == 'console':
            b = Block(path, i + 1, pending_skip)
            b.commands = _commands_of_console(path, i + 1, body)
            blocks.append(b)
        elif lang in SHELL_LANGS:
            b = Block(path, i + 1, pending_skip)
            b.commands = _commands_of_script(path, i + 1, body)
            blocks.append(b)
        else:
            if pending_skip is not None:
                raise DocError('%s:%d: ".. test: skip" before a block that is not a console '
                               'block' % (path, i + 1))
            for n, t in body:
                if t.startswith('$ '):
                    raise DocError('%s:%d: a command ("$ ") outside a console block: make the '
                                   'block ".. code-block:: console"' % (path, n))
        pending_skip = None
        i = j
    return blocks


def extract_md(path, text):
    """The ```sh blocks of a Markdown file (every line a command)."""
    lines = text.split('\n')
    blocks = []
    pending_skip = None
    i = 0
    while i < len(lines):
        stripped = lines[i].strip()
        m = _SKIP_MD.match(stripped)
        if m:
            pending_skip = m.group(1)
            i += 1
            continue
        fence = re.match(r'^```(\S*)', stripped)
        if not fence:
            if stripped and pending_skip is not None:
                raise DocError('%s:%d: "<!-- test: skip -->" must come right before a ```sh '
                               'block' % (path, i + 1))
            i += 1
            continue
        lang = fence.group(1)
        j = i + 1
        body = []
        while j < len(lines) and not lines[j].strip().startswith('```'):
            body.append((j + 1, lines[j]))
            j += 1
        if lang in SHELL_LANGS:
            b = Block(path, i + 1, pending_skip)
            b.commands = _commands_of_script(path, i + 1, body)
            blocks.append(b)
        elif pending_skip is not None:
            raise DocError('%s:%d: "<!-- test: skip -->" before a block that is not ```sh' %
                           (path, i + 1))
        pending_skip = None
        i = j + 1
    return blocks


def doc_files(source):
    files = ['README.md']
    for root, dirs, names in os.walk(os.path.join(source, 'doc', 'guides')):
        dirs.sort()
        for n in sorted(names):
            if n.endswith('.rst'):
                files.append(os.path.relpath(os.path.join(root, n), source))
    return files


def extract(source, rel, text=None):
    if text is None:
        with open(os.path.join(source, rel), encoding='utf-8') as f:
            text = f.read()
    return extract_md(rel, text) if rel.endswith('.md') else extract_rst(rel, text)


# ------------------------------------------------------------------------------------------
# Running

_PRELUDE = r'''
set +e
exec 3>>"$HVDOC_STATUS"
hvdoc_keep=$HVDOC_KEEP
# Empty tmpfs over each sandbox directory; the source tree, the build directory and the
# test's scratch directory, when under one of them, are bound back in place.
hvdoc_n=0
for d in $HVDOC_DIRS; do
	mkdir -p "$d" || exit 90
	kept=
	for p in "$HVDOC_SOURCE" "$HVDOC_BIN_ROOT" "$HVDOC_WORK"; do
		case "$p/" in "$d"/*)
			hvdoc_n=$((hvdoc_n + 1))
			mkdir -p "$hvdoc_keep/$hvdoc_n" && mount --bind "$p" "$hvdoc_keep/$hvdoc_n" || exit 91
			kept="$kept $hvdoc_n:$p";;
		esac
	done
	mount -t tmpfs -o mode=1777 hvdoc "$d" || exit 92
	for k in $kept; do
		mkdir -p "${k#*:}" && mount --bind "$hvdoc_keep/${k%%:*}" "${k#*:}" || exit 93
	done
done
chmod 0755 /home /srv /run/dpdk
export PATH="$HVDOC_BIN:$PATH" TMPDIR=/tmp
unset HVDEV_ROOT HVSIM_KERNEL HVSIM_STRICT_XACTID
cd "$HVDOC_SOURCE" || exit 94

# Waits for a background command (see check_docs.py's docstring).
hvdoc_until() {	# SECONDS COMMAND...: 0 once COMMAND succeeds, 1 after SECONDS
	local end=$((SECONDS + $1)); shift
	while ! "$@" >/dev/null 2>&1; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.1
	done
}
hvdoc_open() { dpdk-hvsim list --root "$1" | grep -q 'state=open'; }
# A program that SETUP starts for the whole file, outside the job table (so that the guide's
# %1, %2 are its own jobs), stopped at the end.
hvdoc_daemons=
trap 'kill -KILL $(jobs -p) $hvdoc_daemons 2>/dev/null' EXIT
hvdoc_daemon() {
	"$@" >> "$HVDOC_LOGDIR/setup.log" 2>&1 &
	hvdoc_daemons="$hvdoc_daemons $!"
	disown $!
}
hvdoc_said() { grep -q -- "$2" "$1"; }
'''


def _wait_for(cmd, hvsim_roots, guest_roots, outfile):
    """Shell lines that wait until background command cmd is ready ('' if no rule)."""
    t = cmd.text
    m = re.search(r'dpdk-hvsim serve .*--root[ =](\S+)', t)
    if m:
        hvsim_roots.add(m.group(1))
        return 'hvdoc_until %d dpdk-hvsim list --root %s' % (BG_WAIT_S, shlex.quote(m.group(1)))
    if 'dpdk-test-hvdev' in t and re.search(r'\shost(\s|$)', t):
        return 'hvdoc_until %d hvdoc_said %s "host: ready"' % (BG_WAIT_S, shlex.quote(outfile))
    if 'dpdk-test-hvdev' in t and re.search(r'\sserve(\s|$)', t):
        return 'hvdoc_until %d hvdoc_said %s "serving "' % (BG_WAIT_S, shlex.quote(outfile))
    m = re.search(r'(?:root=|HVDEV_ROOT=)([^\s,]+)', t)
    if m and m.group(1) in hvsim_roots:
        guest_roots.add(m.group(1))
        return 'hvdoc_until %d hvdoc_open %s' % (BG_WAIT_S, shlex.quote(m.group(1)))
    return ''


def _installed_names(text, progs):
    """A build tree path of a program (build/app/hvsim/dpdk-hvsim) as the program's name, so
    that the test runs the build it tests, whatever its directory is called."""
    for name in progs:
        text = re.sub(r'(?<![\w/.-])build[\w.-]*/(?:[\w.-]+/)*' + re.escape(name) + r'(?![\w.-])',
                      name, text)
    return text


def _script(commands, setup, logdir):
    """The shell script of one file; its status lines go to fd 3:
    "cmd INDEX STATUS", "wait INDEX STATUS", "bg INDEX PID", "bgend INDEX STATUS"."""
    out = [_PRELUDE]
    if setup:
        # In this shell: a "cd" in it is where the commands run.
        out.append('{ %s ; } || { echo "set-up failed" >&2; exit 95; }' % setup)
    hvsim_roots, guest_roots = set(), set()
    bgs = []
    for c in commands:
        c.text = _installed_names(c.text, PROGS)
    for i, c in enumerate(commands):
        out.append('echo "+++ [%d] %s:%d: %s" >&2' %
                   (i, c.path, c.line, c.text.replace('\\', '\\\\').replace('"', '\\"')
                    .replace('$', '\\$').replace('`', '\\`')))
        if c.background():
            outfile = os.path.join(logdir, 'bg%d.log' % i)
            body = re.sub(r'&\s*$', '', c.text).rstrip()
            out.append('%s > %s 2>&1 &' % (body, shlex.quote(outfile)))
            out.append('echo "bg %d $!" >&3' % i)
            secs = re.search(r'--seconds[ =](\d+)', c.text)
            bgs.append((i, int(secs.group(1)) if secs else None))
            w = _wait_for(c, hvsim_roots, guest_roots, outfile)
            if w:
                out.append('%s; echo "wait %d $?" >&3' % (w, i))
        else:
            out.append(c.text)
            out.append('echo "cmd %d $?" >&3' % i)
            m = re.search(r'dpdk-hvsim offer .*--root[ =](\S+)', c.text)
            if m and m.group(1) in guest_roots:
                out.append('hvdoc_until %d hvdoc_open %s' % (BG_WAIT_S, shlex.quote(m.group(1))))
    # The end: background commands with --seconds may end by themselves; the rest are stopped.
    limit = max([s for _, s in bgs if s is not None] or [0])
    out.append('hvdoc_end=$((SECONDS + %d))' % (limit + 30 if limit else 0))
    # Last started first: a guest before its host.
    for i, _ in reversed(bgs):
        out.append('hvdoc_pid=$(sed -n "s/^bg %d //p" "$HVDOC_STATUS")' % i)
        out.append('if [ -n "$hvdoc_pid" ]; then')
        out.append('\twhile kill -0 "$hvdoc_pid" 2>/dev/null && [ $SECONDS -lt $hvdoc_end ]; '
                   'do sleep 0.2; done')
        out.append('\tkill -TERM "$hvdoc_pid" 2>/dev/null')
        out.append('\tfor t in $(seq 100); do kill -0 "$hvdoc_pid" 2>/dev/null || break; '
                   'sleep 0.1; done')
        out.append('\tkill -KILL "$hvdoc_pid" 2>/dev/null')
        out.append('\twait "$hvdoc_pid"; echo "bgend %d $?" >&3' % i)
        out.append('fi')
    out.append('for p in $hvdoc_daemons; do kill -TERM "$p" 2>/dev/null; done')
    out.append('for p in $hvdoc_daemons; do for t in $(seq 100); do '
               'kill -0 "$p" 2>/dev/null || break; sleep 0.1; done; kill -KILL "$p" 2>/dev/null; '
               'done')
    out.append('exit 0')
    return '\n'.join(out) + '\n'


def _tree_state(source, build):
    """What git sees as changed in the source tree, ignored files included, but for build
    directories (a command must not write in the tree)."""
    try:
        r = subprocess.run(['git', '-C', source, 'status', '--porcelain', '--ignored',
                            '--untracked-files=all'], capture_output=True, text=True,
                           timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if r.returncode != 0:
        return None
    # Build directories (this one, and others in the tree that a concurrent ninja may write).
    skip = [os.path.relpath(build, source).rstrip('/') + '/']
    skip += [d + '/' for d in os.listdir(source)
             if os.path.isdir(os.path.join(source, d, 'meson-private'))]
    return '\n'.join(l for l in r.stdout.splitlines()
                     if not any(l[3:].startswith(k) for k in skip))


def run_file(rel, blocks, args, setup, report):
    """Run the blocks of one file in a sandbox; report(kind, message) records the outcome.
    Returns (run, failed)."""
    commands = []
    for b in blocks:
        if b.skip is not None:
            report('skip', '%s:%d: %d command(s) skipped: %s' %
                   (b.path, b.line, len(b.commands), b.skip), len(b.commands))
            continue
        commands += b.commands
    if not commands:
        return 0, 0
    safe = re.sub(r'[^A-Za-z0-9]+', '_', rel)
    logdir = os.path.join(args.work, safe)
    shutil.rmtree(logdir, ignore_errors=True)
    os.makedirs(logdir)
    status = os.path.join(logdir, 'status')
    log = os.path.join(logdir, 'log')
    script = os.path.join(logdir, 'script.sh')
    with open(script, 'w', encoding='utf-8') as f:
        f.write(_script(commands, setup, logdir))
    keep = tempfile.mkdtemp(prefix='hvdoc-keep.', dir='/dev/shm' if os.path.isdir('/dev/shm')
                            else None)
    created = [d for d in SANDBOX_DIRS if not os.path.exists(d)]
    env = dict(os.environ, HVDOC_STATUS=status, HVDOC_LOGDIR=logdir, HVDOC_KEEP=keep, HVDOC_SOURCE=args.source,
               HVDOC_BIN=args.bin, HVDOC_BIN_ROOT=args.build, HVDOC_WORK=args.work, HVDOC_DIRS=' '.join(SANDBOX_DIRS))
    open(status, 'w').close()
    t0 = time.monotonic()
    with open(log, 'w') as lf:
        # A session of its own: on a timeout, everything the file started is killed.
        p = subprocess.Popen(['unshare', '--mount', '--propagation', 'private', 'bash', script],
                             stdin=subprocess.DEVNULL, stdout=lf, stderr=subprocess.STDOUT,
                             env=env, start_new_session=True)
        try:
            rc = p.wait(timeout=args.timeout)
        except subprocess.TimeoutExpired:
            rc = 'timeout'
            os.killpg(p.pid, 9)
            p.wait()
    for d in reversed(created):
        try:
            os.rmdir(d)
        except OSError:
            pass
    shutil.rmtree(keep, ignore_errors=True)
    results = {}
    with open(status) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3:
                results[(parts[0], int(parts[1]))] = parts[2]
    with open(log, errors='replace') as f:
        logtext = f.read()

    def excerpt(i):
        m = re.search(r'^\+\+\+ \[%d\] .*$' % i, logtext, re.M)
        if not m:
            return logtext[-3000:]
        end = re.search(r'^\+\+\+ \[%d\] ' % (i + 1), logtext[m.end():], re.M)
        part = logtext[m.start():m.end() + (end.start() if end else 3000)]
        return part[:3000]

    run = failed = 0
    for i, c in enumerate(commands):
        where = '%s:%d: %s' % (c.path, c.line, c.text)
        run += 1
        if c.background():
            w = results.get(('wait', i))
            end = results.get(('bgend', i))
            if ('bg', i) not in results:
                bad = 'not started (the file stopped before it; shell status %s)' % rc
            elif w is not None and w != '0':
                bad = 'not ready after %d s' % BG_WAIT_S
            elif end is None:
                bad = 'its end was not seen (shell status %s)' % rc
            elif end != '0':
                bad = 'ended with status %s%s' % (end, ' (SIGKILL)' if end == '137' else '')
            else:
                report('ok', '%s (background, ended with 0)' % where)
                continue
            bgout = os.path.join(logdir, 'bg%d.log' % i)
            tail = ''
            if os.path.exists(bgout):
                with open(bgout, errors='replace') as f:
                    tail = f.read()[-2000:]
            report('fail', '%s: background command %s\n%s\n--- its output:\n%s' %
                   (where, bad, excerpt(i), tail))
            failed += 1
            continue
        got = results.get(('cmd', i))
        if got is None:
            report('fail', '%s: did not run to its end (shell status %s)\n%s' %
                   (where, rc, excerpt(i)))
            failed += 1
        elif int(got) != c.expect:
            report('fail', '%s: exit status %s, the guide implies %d\n%s' %
                   (where, got, c.expect, excerpt(i)))
            failed += 1
        else:
            report('ok', '%s (exit %s)' % (where, got))
    if rc not in (0, 'timeout') and rc in range(90, 96):
        report('fail', '%s: the sandbox could not be set up (status %s)\n%s' %
               (rel, rc, logtext[-2000:]))
        failed += 1
    elif rc == 'timeout':
        report('fail', '%s: the file\'s commands took more than %d s' % (rel, args.timeout))
        failed += 1
    report('info', '%s: %d command(s) in %.1f s' % (rel, len(commands), time.monotonic() - t0))
    return run, failed


def make_bin(work, progs):
    """WORK/bin: each NAME=PATH as a link NAME (a .py through /usr/bin/python3, which has
    pyelftools for dpdk-pmdinfo.py whatever python3 comes first on PATH)."""
    bindir = os.path.join(work, 'bin')
    shutil.rmtree(bindir, ignore_errors=True)
    os.makedirs(bindir)
    for spec in progs:
        name, path = spec.split('=', 1)
        dst = os.path.join(bindir, name)
        if name.endswith('.py'):
            with open(dst, 'w') as f:
                f.write('#!/bin/sh\nexec /usr/bin/python3 %s "$@"\n' % shlex.quote(path))
            os.chmod(dst, 0o755)
        else:
            os.symlink(os.path.abspath(path), dst)
    return bindir


def sandbox_ok():
    if os.geteuid() != 0:
        return 'needs root for its mount-namespace sandbox (unshare --mount)'
    if shutil.which('unshare') is None:
        return 'needs unshare (util-linux)'
    r = subprocess.run(['unshare', '--mount', '--propagation', 'private', 'true'],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return 'cannot make a mount namespace: ' + r.stderr.strip()
    return None


def cmd_commands(args, files=None, texts=None):
    why = sandbox_ok()
    if why:
        print('docs: skipped: ' + why)
        return 77
    files = files or args.files or doc_files(args.source)
    before = _tree_state(args.source, args.build)
    counts = {'ok': 0, 'fail': 0, 'skip': 0}
    skipped = []
    failures = []

    def report(kind, msg, n=1):
        if kind == 'skip':
            counts['skip'] += n
            skipped.append(msg)
            print('SKIP ' + msg)
        elif kind == 'ok':
            counts['ok'] += 1
            print('ok   ' + msg)
        elif kind == 'fail':
            counts['fail'] += 1
            failures.append(msg)
            print('FAIL ' + msg)
        else:
            print('     ' + msg)
        sys.stdout.flush()

    errors = []
    for rel in files:
        try:
            blocks = extract(args.source, rel, texts.get(rel) if texts else None)
        except DocError as e:
            errors.append(str(e))
            print('FAIL ' + str(e))
            continue
        run_file(rel, blocks, args, SETUP.get(rel), report)
    after = _tree_state(args.source, args.build)
    tree_fail = 0
    if before is not None and after is not None and before != after:
        changed = set(after.splitlines()) - set(before.splitlines())
        failures.append('the commands wrote into the source tree: ' + ', '.join(sorted(changed)))
        print('FAIL ' + failures[-1])
        tree_fail = 1
    print()
    print('docs: %d run (%d ok, %d failed), %d skipped, %d malformed' %
          (counts['ok'] + counts['fail'], counts['ok'], counts['fail'], counts['skip'],
           len(errors)))
    if skipped:
        print('skipped:')
        for s in skipped:
            print('  ' + s)
    nfail = counts['fail'] + len(errors) + tree_fail
    print('%d passed, %d failed' % (counts['ok'], nfail))
    if counts['ok'] + counts['fail'] == 0:
        print('docs: no command ran')
        return 1
    return 1 if nfail else 0


# ------------------------------------------------------------------------------------------
# Options, exit statuses, configuration keys

def load_conf(source):
    """doc/guides/conf.py's man pages: [(docname, program, section)]."""
    ns = {'__file__': os.path.join(source, 'doc', 'guides', 'conf.py'), '__name__': 'conf'}
    with open(ns['__file__'], encoding='utf-8') as f:
        exec(compile(f.read(), ns['__file__'], 'exec'), ns)
    return [(d, prog, sect) for d, prog, _desc, _a, sect in ns['man_pages']]


_OPT = re.compile(r'(?<![\w-])(--[a-z][a-z0-9-]*|-[a-zA-Z])(?![\w-])')


def help_options(text):
    opts = set(_OPT.findall(text))
    # "[EAL options] -- [options]": the separator is not an option.
    return opts


def rst_sections(text):
    """{title: body} of the level-2 sections ("----" underlines)."""
    out = {}
    parts = re.split(r'^(.+)\n-{3,}\n', text, flags=re.M)
    for k in range(1, len(parts) - 1, 2):
        out[parts[k].strip()] = parts[k + 1]
    return out


def rst_documented_options(text):
    """Options documented as such: in definition-list terms and in the Synopsis."""
    opts = set()
    lines = text.split('\n')
    for k, line in enumerate(lines[:-1]):
        nxt = lines[k + 1]
        if line.strip().startswith('``') and nxt.strip() and _indent(nxt) > _indent(line):
            for lit in re.findall(r'``([^`]+)``', line):
                opts |= set(_OPT.findall(lit))
    syn = rst_sections(text).get('Synopsis', '')
    opts |= set(_OPT.findall(syn))
    return opts


def cmd_options(args):
    failures = []
    checked = 0
    for doc, prog, _sect in load_conf(args.source):
        path = os.path.join(args.source, 'doc', 'guides', doc + '.rst')
        with open(path, encoding='utf-8') as f:
            text = f.read()
        exe = os.path.join(args.bin, prog)
        if not os.path.exists(exe):
            failures.append('%s: no program %s to compare with: add "--prog %s=PATH" to '
                            'docs_args in test/meson.build' % (doc, prog, prog))
            continue
        r = subprocess.run([exe, '--help'], capture_output=True, text=True, timeout=60,
                           stdin=subprocess.DEVNULL)
        helptext = r.stdout + r.stderr
        if r.returncode != 0:
            failures.append('%s --help: exit status %d' % (prog, r.returncode))
        hopts = help_options(helptext)
        dopts = rst_documented_options(text)
        anywhere = set(_OPT.findall(text))
        checked += 1
        for o in sorted(hopts - anywhere):
            failures.append('%s: %s is in "%s --help" but not in its man page source %s' %
                            (prog, o, prog, os.path.relpath(path, args.source)))
        for o in sorted(dopts - hopts):
            failures.append('%s: %s is documented in %s but "%s --help" does not print it' %
                            (prog, o, os.path.relpath(path, args.source), prog))
        print('%s: %d options in --help, %d documented' % (prog, len(hopts), len(dopts)))
        # Exit statuses: "Exit status: 0 ..., 1 ..." in --help against the page's section.
        m = re.search(r'^Exit status:(.*(?:\n\S.*)*)', helptext, re.M)
        sect = rst_sections(text).get('Exit status')
        if m and sect is not None:
            hs = set(re.findall(r'(?<![\w.])(\d)(?=[\s;:,])', m.group(1)))
            ds = set(re.findall(r'^(?:``)?(\d)(?:``)?\s*$', sect, re.M))
            if hs != ds:
                failures.append('%s: exit statuses %s in --help, %s in the page\'s "Exit '
                                'status"' % (prog, sorted(hs), sorted(ds)))
            print('%s: exit statuses %s' % (prog, ' '.join(sorted(hs))))
        else:
            failures.append('%s: no "Exit status" in --help or in the page' % prog)
    # dpdk-hv-fcopy's configuration keys: the parser's table against the page's table.
    conf_src = os.path.join(args.source, 'app', 'hv-fcopy', 'fcopy_opts.c')
    with open(conf_src, encoding='utf-8') as f:
        ckeys = set(re.findall(r'\{\s*OPT_[A-Z_]+,\s*"([a-z_]+)"', f.read()))
    with open(os.path.join(args.source, 'doc', 'guides', 'tools', 'dpdk-hv-fcopy.rst'),
              encoding='utf-8') as f:
        sect = rst_sections(f.read()).get('Configuration file', '')
    dkeys = set()
    for line in sect.split('\n'):
        if line.startswith('``'):
            dkeys |= set(re.findall(r'``([a-z_]+)``', line.split('  ')[0]))
    for k in sorted(ckeys - dkeys):
        failures.append('dpdk-hv-fcopy: configuration key %s (fcopy_opts.c) is not in the '
                        'page\'s "Configuration file" table' % k)
    for k in sorted(dkeys - ckeys):
        failures.append('dpdk-hv-fcopy: configuration key %s is documented but fcopy_opts.c '
                        'does not take it' % k)
    print('dpdk-hv-fcopy: %d configuration keys in fcopy_opts.c, %d documented' %
          (len(ckeys), len(dkeys)))
    if not ckeys:
        failures.append('no configuration key found in fcopy_opts.c (its table changed?)')
    for f in failures:
        print('FAIL ' + f)
    if checked == 0:
        print('docs: no program checked')
        return 1
    print('%d passed, %d failed' % (checked + 1 - min(len(failures), checked + 1),
                                    len(failures)))
    return 1 if failures else 0


# ------------------------------------------------------------------------------------------
# Self-test: the runner must fail a broken page.

SELFTEST_PAGE = '''Self-test
=========

.. code-block:: console

   $ true
   $ dpdk-hvsim --version
   dpdk-hvsim (hvdev) X.Y.Z
   $ dpdk-hvsim frobnicate
   dpdk-hvsim: unknown command
   $ echo $?
   2
   $ ls /tmp/no-such-file   # exit status 2
   $ test -d /srv && test ! -e /srv/x && touch /srv/x

.. test: skip (shows that a skipped block is not run)

.. code-block:: console

   $ false

The broken one, which the runner must report:

.. code-block:: console

   $ dpdk-hvsim --no-such-option
'''


def cmd_selftest(args):
    rel = 'doc/guides/selftest.rst'
    blocks = extract(args.source, rel, SELFTEST_PAGE)
    got = []

    def report(kind, msg, n=1):
        got.append((kind, msg, n))
        print('%-5s %s' % (kind, msg.split('\n')[0]))

    why = sandbox_ok()
    if why:
        print('docs: skipped: ' + why)
        return 77
    run, failed = run_file(rel, blocks, args, None, report)
    fails = [m for k, m, _ in got if k == 'fail']
    skips = sum(n for k, _, n in got if k == 'skip')
    ok = (run == 6 and failed == 1 and skips == 1 and len(fails) == 1 and
          '--no-such-option' in fails[0] and 'exit status 2, the guide implies 0' in fails[0])
    # A hidden command is an error too.
    try:
        extract_rst('hidden.rst', 'Text::\n\n   $ rm -rf /\n')
        hidden = False
    except DocError:
        hidden = True
    print('runner: %d run, %d failed (expected 6 and 1, the broken one), %d skipped '
          '(expected 1); hidden command refused: %s' % (run, failed, skips, hidden))
    print('%d passed, %d failed' % (2 if ok and hidden else (1 if ok or hidden else 0),
                                    (0 if ok else 1) + (0 if hidden else 1)))
    return 0 if ok and hidden else 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('what', choices=['commands', 'options', 'selftest', 'list'])
    ap.add_argument('--source', required=True)
    ap.add_argument('--prog', action='append', default=[], metavar='NAME=PATH',
                    help='a program of the build tree under its installed name')
    ap.add_argument('--build', help='the build directory')
    ap.add_argument('--work', help='scratch and log directory')
    ap.add_argument('--timeout', type=int, default=300, help='per file, seconds')
    ap.add_argument('files', nargs='*')
    args = ap.parse_intermixed_args()
    args.source = os.path.abspath(args.source)
    if args.what == 'list':
        n = 0
        for rel in args.files or doc_files(args.source):
            for b in extract(args.source, rel):
                for c in b.commands:
                    n += 1
                    print('%s:%d: %s%s%s' % (c.path, c.line, c.text,
                                             '   [exit %d]' % c.expect if c.expect else '',
                                             '   [skip: %s]' % b.skip if b.skip else ''))
        print('%d commands' % n)
        return 0
    args.work = os.path.abspath(args.work)
    args.build = os.path.abspath(args.build or args.work)
    os.makedirs(args.work, exist_ok=True)
    args.bin = make_bin(args.work, args.prog)
    PROGS[:] = [p.split('=', 1)[0] for p in args.prog]
    if args.what == 'options':
        return cmd_options(args)
    if args.what == 'selftest':
        return cmd_selftest(args)
    return cmd_commands(args)


if __name__ == '__main__':
    sys.exit(main())
