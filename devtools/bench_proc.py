# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The hvdev authors
"""Process plumbing for devtools/bench.py: starting the programs, waiting for their
readiness lines, reading their cost from /proc, and the dpdk-hvsim control socket."""

import os
import re
import signal
import subprocess
import time

import hvsim_ctl

CLK_TCK = os.sysconf('SC_CLK_TCK')


class BenchError(Exception):
    """A measurement could not be taken; the message says why."""


class Proc:
    """A program started with its standard output and error in a log file."""

    def __init__(self, name, argv, log, env=None):
        self.name = name
        self.log = log
        self.t_exec = time.monotonic()
        self.logf = open(log, 'wb')
        self.p = subprocess.Popen(argv, stdout=self.logf, stderr=subprocess.STDOUT,
                                  env=env, stdin=subprocess.DEVNULL)
        self.pid = self.p.pid

    def text(self):
        with open(self.log, 'rb') as f:
            return f.read().decode('utf-8', 'replace')

    def wait_for(self, pattern, timeout):
        """Wait until the log matches @pattern; @return the time since exec, in seconds."""
        rx = re.compile(pattern, re.M)
        end = time.monotonic() + timeout
        while True:
            if rx.search(self.text()):
                return time.monotonic() - self.t_exec
            if self.p.poll() is not None:
                raise BenchError('%s exited (status %s) before printing %r:\n%s' %
                                 (self.name, self.p.returncode, pattern, self.tail()))
            if time.monotonic() > end:
                raise BenchError('%s did not print %r within %d s:\n%s' %
                                 (self.name, pattern, timeout, self.tail()))
            time.sleep(0.002)

    def tail(self, n=15):
        return '\n'.join(self.text().splitlines()[-n:])

    def wait(self, timeout):
        try:
            return self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            raise BenchError('%s did not finish within %d s:\n%s' %
                             (self.name, timeout, self.tail()))

    def stop(self, timeout=10):
        """SIGTERM, then SIGKILL if it does not go. @return the exit status."""
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(timeout)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.logf.close()
        return self.p.returncode


def _read(path):
    try:
        with open(path) as f:
            return f.read()
    except (FileNotFoundError, ProcessLookupError):
        return ''


def cost(pid):
    """The cost so far of process @pid, all its threads.

    cpu_s comes from /proc/PID/stat (utime + stime, in clock ticks, and it includes threads
    that have exited); run_ns is the exact run time of the live threads from their schedstat;
    voluntary context switches (each one a sleep, so a wake-up) and involuntary ones are
    summed over the live threads."""
    st = _read('/proc/%d/stat' % pid)
    if not st:
        raise BenchError('process %d is gone' % pid)
    fields = st[st.rindex(')') + 2:].split()
    c = {'t': time.monotonic(), 'cpu_s': (int(fields[11]) + int(fields[12])) / CLK_TCK,
         'run_ns': 0, 'vol': 0, 'invol': 0, 'threads': 0, 'per_thread': {}}
    try:
        tids = os.listdir('/proc/%d/task' % pid)
    except FileNotFoundError:
        raise BenchError('process %d is gone' % pid)
    for tid in tids:
        ss = _read('/proc/%d/task/%s/schedstat' % (pid, tid)).split()
        status = _read('/proc/%d/task/%s/status' % (pid, tid))
        if not ss or not status:
            continue	# the thread ended meanwhile
        c['threads'] += 1
        c['run_ns'] += int(ss[0])
        m = re.search(r'^voluntary_ctxt_switches:\s+(\d+)', status, re.M)
        vol = int(m.group(1)) if m else 0
        c['vol'] += vol
        m = re.search(r'^nonvoluntary_ctxt_switches:\s+(\d+)', status, re.M)
        c['invol'] += int(m.group(1)) if m else 0
        m = re.search(r'^Name:\s+(.*)$', status, re.M)
        c['per_thread'][tid] = (m.group(1) if m else '?', vol, int(ss[0]))
    return c


def cost_delta(a, b):
    """Rates between two cost() samples of one process."""
    secs = b['t'] - a['t']
    run_s = (b['run_ns'] - a['run_ns']) / 1e9
    return {
        'seconds': secs,
        'cpu_s': b['cpu_s'] - a['cpu_s'],
        'run_s': run_s,
        'cpu_pct': 100.0 * run_s / secs,
        'wakeups_per_s': (b['vol'] - a['vol']) / secs,
        'ctx_per_s': (b['vol'] + b['invol'] - a['vol'] - a['invol']) / secs,
        'threads': b['threads'],
        'wakers': _wakers(a, b, secs),
    }


def _wakers(a, b, secs):
    """The threads that woke between two samples: name (tid) -> wake-ups per second, so
    that a periodic timer is found at once."""
    out = {}
    for tid, (name, vol, _) in b['per_thread'].items():
        before = a['per_thread'].get(tid, (name, 0, 0))[1]
        if vol > before:
            out['%s (%s)' % (name, tid)] = (vol - before) / secs
    return out


def memory(pid):
    """VmRSS and VmHWM of @pid, in KiB."""
    status = _read('/proc/%d/status' % pid)
    out = {}
    for key in ('VmRSS', 'VmHWM'):
        m = re.search(r'^%s:\s+(\d+) kB' % key, status, re.M)
        out[key] = int(m.group(1)) if m else None
    return out


def ctl(root, word, timeout=120, **fields):
    """One request to dpdk-hvsim serve's control socket. @return the final line, parsed:
    {'word': 'ok' or 'error', key: value...} and the other lines before it."""
    lines = []
    try:
        last, last_fields = hvsim_ctl.request(
            root, word, fields, timeout,
            lambda w, fl: lines.append(dict(fl, word=w)))
    except ConnectionError as e:
        raise BenchError('dpdk-hvsim closed the connection during %s' % word) from e
    return dict(last_fields, word=last), lines


def copy(root, src, dest, **opts):
    """A Copy-VMFile through the simulated host; raises unless the guest took it."""
    msg, _ = ctl(root, 'copy', src=src, dest=dest, **opts)
    if msg['word'] != 'ok' or msg.get('status') != 'ok':
        raise BenchError('copy of %s to %s failed: %s' % (src, dest, msg))
    return msg


def host_open(root):
    """True when the simulated host sees the guest's fcopy channel open."""
    _, lines = ctl(root, 'list', timeout=5)
    return any(m.get('state') == 'open' for m in lines)
