#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The hvdev authors
"""Soak dpdk-hv-fcopy: thousands of mixed Copy-VMFile transfers, faults included.

  soak.py [--count N] [--max-size BYTES] [--seed S] [--mode intr|adaptive|poll] [--json]
          [--hvsim PATH] [--fcopy PATH] [--fault-rate R] [--keep]

Starts "dpdk-hvsim serve" (the simulated Hyper-V host) and dpdk-hv-fcopy (the service) under a
temporary directory, as devtools/demo.sh does, then runs N copies through the simulator's
control socket (DIR/hvsim.sock, spoken directly: one request per connection, percent-encoded
key=value fields). Sizes go from 0 to --max-size, weighted to small files; flags, nested and
existing targets and non-ASCII names are random; about one copy in ten carries a fault with
its expected outcome (see FAULTS). Every delivered file is compared by SHA-256 with its
source, every failure's status and HRESULT with the expected ones, and after every failure
nothing may be left under the final name (an overwritten file must keep its old content).

Counts: ok, failed as expected, lost (the host was told the copy succeeded but the file is
missing, or a copy failed that should not have, or with another HRESULT), corrupted (content
differs, or a failure left a file under the final name or changed the old one), unexpected (a
copy that must be refused was accepted). The service's VmRSS and open fds are sampled at the
start, after warm-up and at the end (the first copy may add the one directory descriptor the
service keeps on its allowed root; nothing may be added after). The exit status is 1 when lost,
corrupted or unexpected is not 0, when the service died, left a temporary file, or its fds or RSS grew; 2 on a usage
or set-up error. The RNG is seeded (--seed): the same arguments replay the same copies.
"""
import argparse
import collections
import hashlib
import json
import math
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True		# no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hvsim_ctl  # noqa: E402

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MIB = 1 << 20
CHUNK = 6144                    # bytes of data per WRITE, as Hyper-V sends them

# HRESULTs the service answers (lib/hvdev/rte_hvdev_ic.h).
S_OK = 0x00000000
E_ACCESS_DENIED = 0x80070005
E_PATH_NOT_FOUND = 0x80070003
E_ALREADY_EXISTS = 0x80070050
E_INVALIDARG = 0x80070057
E_NAME_TOO_LONG = 0x800700CE
# Copy-VMFile's limit on each of START's names, in UTF-16 units (NUL excluded): path_name holds
# the whole DestinationPath, so a destination is at most this long.
NAME_UNITS_MAX = 259

# Faults and how often each is drawn among faulty copies (weights).
FAULTS = {
    'cancel': 3,        # CANCEL after a random number of bytes: nothing under the final name
    'exists': 2,        # existing target without -Force: 0x80070050, old content intact
    'dotdot': 1,        # '..' in the path: 0x80070057
    'outside': 1,       # a path outside the allowed root: 0x80070005, nothing written there
    'no_path': 1,       # missing directory without -CreateFullPath: 0x80070003
    'long_name': 1,     # a name over 255 bytes of UTF-8: 0x800700CE
    'timeout': 1,       # the guest stops answering (SIGSTOP): the host times out
    'rescind': 1,       # rescind mid-copy, then offer again: the copy fails, the service returns
}
# Faults of the simulator's fault injection (dpdk-hvsim fault, copy fault=SPEC), used when the
# dpdk-hvsim given has it.
HVSIM_FAULTS = {
    'mangle': 3,        # one malformed request: refused with 0x80070057 (0x80070032 for msgtype)
    'step_rescind': 1,  # rescind at a chosen step of the copy: fails there, service returns
    'stall': 1,         # the host goes silent at a chosen step: the service cleans up later
    'corrupt': 1,       # a corrupt ring index or descriptor: the service resets the channel
    'intr': 1,          # delayed or dropped interrupts on a small copy: it still succeeds
}
E_NOT_SUPPORTED = 0x80070032
START_SIZE = 1088               # struct rte_hvdev_fcopy_start, the wire size
WRITE_HDR = 52                  # struct rte_hvdev_fcopy_write up to its data

# Size bands (weight, low, high); a size is log-uniform within its band, clipped to --max-size.
SIZE_BANDS = [
    (4, 0, 0),
    (30, 1, 4 << 10),
    (25, 4 << 10, 64 << 10),
    (20, 64 << 10, 1 << 20),
    (10, 1 << 20, 8 << 20),
    (4, 8 << 20, 32 << 20),
    (1, 32 << 20, 64 << 20),
]
EDGE_WEIGHT = 6                 # sizes k * 6144 - 1, k * 6144, k * 6144 + 1

NAME_PARTS = ['report', 'data', 'x', 'Copy of log', 'h\u00e9llo', '\u65e5\u672c\u8a9e',
              '\u03a9mega', 'emoji-\U0001f600', 'per%cent', 'eq=ual', 'plus+sign', 'a b  c',
              "quote'd", 'dash-_.dot', '\u0444\u0430\u0439\u043b', 'caf\u00e9 cr\u00e8me']
DIR_PARTS = ['a', 'incoming', 'd\u00e9j\u00e0', '\u6587\u4ef6', 'sp ace', 'deep', 'n%1',
             '\U0001f4c1']


class SetupError(Exception):
    """The soak could not start (binaries, processes): exit status 2."""


# ---- the control socket of dpdk-hvsim serve (app/hvsim/ctl.c) ----

class Ctl:
    """Client of DIR/hvsim.sock: one request per connection."""

    def __init__(self, root):
        self.root = root

    def request(self, word, fields, timeout, on_line=None):
        """Send a request; call on_line(word, fields) for each intermediate line; return the
        final (word, fields)."""
        return hvsim_ctl.request(self.root, word, fields, timeout, on_line)

    def dev_info(self):
        """The list line of the (only) device: state (offered, open, rescinded), opens..."""
        devs = []

        def seen(word, fl):
            if word == 'device':
                devs.append(fl)
        word, _ = self.request('list', {}, 10, seen)
        return devs[0] if word == 'ok' and devs else {}

    def dev_state(self):
        return self.dev_info().get('state')

    def has_faults(self):
        """Whether this dpdk-hvsim has the fault request."""
        word, _ = self.request('fault', {}, 10)
        return word == 'ok'


# ---- processes ----

def proc_status(pid):
    """VmRSS in KiB and the number of open fds of a process."""
    rss = None
    with open(f'/proc/{pid}/status', encoding='ascii', errors='replace') as f:
        for line in f:
            if line.startswith('VmRSS:'):
                rss = int(line.split()[1])
    return rss, len(os.listdir(f'/proc/{pid}/fd'))


def fd_targets(pid):
    """What each open fd of a process points at, to name a descriptor that was added."""
    out = set()
    base = f'/proc/{pid}/fd'
    for name in os.listdir(base):
        try:
            out.add(os.readlink(os.path.join(base, name)))
        except OSError:
            pass
    return out


def wait_for(path, text, seconds, proc):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        with open(path, encoding='utf-8', errors='replace') as f:
            if text in f.read():
                return
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    with open(path, encoding='utf-8', errors='replace') as f:
        log = f.read()
    raise SetupError(f'no "{text}" from {proc.args[0]} within {seconds} s (exit status '
                     f'{proc.poll()}); its output:\n{log}')


class Rig:
    """The temporary tree, dpdk-hvsim serve and dpdk-hv-fcopy."""

    def __init__(self, args):
        self.args = args
        self.work = tempfile.mkdtemp(prefix='hvdev-soak-', dir=args.tmpdir)
        self.root = os.path.join(self.work, 'hv')        # short: the socket path is limited
        self.guest = os.path.join(self.work, 'guest')
        self.outside = os.path.join(self.work, 'outside')
        self.src = os.path.join(self.work, 'src')
        self.state = os.path.join(self.work, 'state')
        for d in (self.guest, self.src, self.state):
            os.makedirs(d)
        self.sim = None
        self.svc = None
        self.svc_stopped = False
        self.ctl = Ctl(self.root)
        self.hvsim_faults = False

    def start(self):
        a = self.args
        self.sim_log = os.path.join(self.work, 'hvsim.log')
        with open(self.sim_log, 'wb') as log:
            self.sim = subprocess.Popen([a.hvsim, 'serve', '--root', self.root], stdout=log,
                                        stderr=subprocess.STDOUT)
        wait_for(self.sim_log, '\nready', 20, self.sim)
        self.svc_log = os.path.join(self.work, 'fcopy.log')
        cmd = [a.fcopy, '-l', '0', '--no-huge', '-m', '64', '--no-pci', '--no-shconf',
               '--no-telemetry', '--file-prefix', f'hvsoak{os.getpid()}',
               '--log-level=lib.eal:error', f'--vdev=hvdev_uio0,class=fcopy,root={self.root}',
               '--', '--mode', a.mode, '--allowed-root', self.guest, '--state-dir', self.state,
               # The soak drops interrupts while the service is idle too: without a
               # re-check (off by default, as Hyper-V does not lose them) it would wait for ever.
               '--recheck-ms', '1000']
        cmd += a.service_arg
        with open(self.svc_log, 'wb') as log:
            self.svc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        wait_for(self.svc_log, 'serving', 20, self.svc)
        self.wait_open()
        self.hvsim_faults = self.args.hvsim_faults and self.ctl.has_faults()

    def wait_open(self, seconds=20, opens_before=-1):
        """Wait until the service has the channel open (again: opened more than
        opens_before times)."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            info = self.ctl.dev_info()
            if info.get('state') == 'open' and int(info.get('opens', 0)) > opens_before:
                return
            time.sleep(0.02)
        raise SetupError(f'the service did not open the device (again) within {seconds} s')

    def svc_stop_signal(self, stop):
        if self.svc is None or self.svc.poll() is not None:
            return
        self.svc.send_signal(signal.SIGSTOP if stop else signal.SIGCONT)
        self.svc_stopped = stop

    def stop(self):
        """Stop both processes; return the service's exit status (None if not started)."""
        status = None
        if self.svc is not None:
            if self.svc_stopped:
                self.svc_stop_signal(False)
            if self.svc.poll() is None:
                self.svc.terminate()
            try:
                status = self.svc.wait(15)
            except subprocess.TimeoutExpired:
                self.svc.kill()
                status = self.svc.wait()
        if self.sim is not None:
            if self.sim.poll() is None:
                self.sim.terminate()
            try:
                self.sim.wait(15)
            except subprocess.TimeoutExpired:
                self.sim.kill()
                self.sim.wait()
        return status

    def remove(self):
        shutil.rmtree(self.work, ignore_errors=True)
        # EAL's runtime directory: the service removes it when it exits, not when killed.
        base = os.environ.get('RUNTIME_DIRECTORY') or (
            '/var/run' if os.getuid() == 0 else os.environ.get('XDG_RUNTIME_DIR', '/tmp'))
        try:
            os.rmdir(os.path.join(base, 'dpdk', f'hvsoak{os.getpid()}'))
        except OSError:
            pass


# ---- what each copy does and expects ----

class Copy:
    """One planned copy: what to send and what must come of it."""

    def __init__(self, index):
        self.index = index
        self.size = 0
        self.dest = ''
        self.check = ''         # the final name as it lands (dest normalized)
        self.force = False
        self.create = False
        self.fault = None
        self.old = None         # (sha, size) of the existing target, if any
        self.cancel_after = 0
        self.timeout_ms = 0
        self.stop_at = None     # 'start' or 'write': SIGSTOP before START or after a WRITE
        self.spec = ''          # the simulator's fault set for this copy (copy fault=SPEC)
        self.reopen = None      # 'offer' or 'self': the channel closes, the service reopens it
        self.expect = 'ok'      # 'ok', or 'fail': want_status, want_hr and want_ops exactly
        self.want_status = 'ok'
        self.want_hr = S_OK
        self.want_ops = ('-',)
        # A race may let the copy finish before its fault fires: then it must be a good copy.
        self.racy = False
        # A failure may leave the whole file under the final name when the fault can hit
        # after the service completed it (the host did not hear the answer): never a part.
        self.may_complete = False
        self.new_dirs = []      # directories the copy creates when it succeeds


class Planner:
    """Draws copies from a seeded RNG and keeps track of what the guest holds."""

    def __init__(self, args, rig):
        self.rng = random.Random(args.seed)
        self.args = args
        self.rig = rig
        self.max_size = args.max_size
        self.dirs = [rig.guest]             # existing directories in the guest
        self.files = collections.OrderedDict()     # existing files: path -> (sha, size)
        self.kept_bytes = 0
        faults = dict(FAULTS, **(HVSIM_FAULTS if rig.hvsim_faults else {}))
        self.fault_names = list(faults)
        self.fault_weights = [faults[f] for f in self.fault_names]
        # One buffer of random bytes; each source is a slice of it at a random offset.
        self.tape = self.rng.randbytes(self.max_size + MIB)

    def size(self):
        r = self.rng
        total = sum(b[0] for b in SIZE_BANDS) + EDGE_WEIGHT
        pick = r.uniform(0, total)
        if pick < EDGE_WEIGHT:
            k = r.randint(1, 40)
            return max(0, min(self.max_size, k * CHUNK + r.choice((-1, 0, 1))))
        pick -= EDGE_WEIGHT
        for weight, low, high in SIZE_BANDS:
            if pick < weight:
                break
            pick -= weight
        low, high = min(low, self.max_size), min(high, self.max_size)
        if high <= low:
            return low
        size = int(round(2 ** r.uniform(math.log2(max(low, 1)), math.log2(high))))
        return max(low, min(high, size))

    def name(self, index):
        r = self.rng
        base = '-'.join(r.choice(NAME_PARTS) for _ in range(r.randint(1, 3)))
        name = f'{index:05d} {base}.bin'
        if r.random() < 0.05:
            # Long and non-ASCII, up to the 255 bytes a Linux name may have.
            name = f'{index:05d} ' + '\u00e9' * 130
            name = name[:r.randint(200, 255) // 2] + '.bin'
            while len(name.encode()) > 255:
                name = name[:-5] + '.bin'
        return name

    def dest(self, d, name):
        """d/name, the name cut (before its extension) so that the whole fits START."""
        room = NAME_UNITS_MAX - units(d) - 1
        if units(name) > room:
            stem, dot, ext = name.rpartition('.')
            keep = room - units(dot + ext)
            while units(stem) > keep:
                stem = stem[:-1]
            name = stem + dot + ext
        return os.path.join(d, name)

    def new_dir(self, index):
        r = self.rng
        # Deep, but within the path limit of START (the nesting grows from earlier dirs).
        parents = [d for d in self.dirs if units(d) < 150] or [self.rig.guest]
        parent = r.choice(parents)
        parts = [f'{r.choice(DIR_PARTS)}{index}-{k}' for k in range(r.randint(1, 3))]
        return os.path.join(parent, *parts)

    def source(self, c):
        """Write the source file of copy c; return (path, sha256)."""
        off = self.rng.randrange(0, len(self.tape) - c.size - 16 + 1)
        data = bytearray(self.tape[off:off + c.size])
        stamp = c.index.to_bytes(8, 'little')
        data[:min(8, c.size)] = stamp[:min(8, c.size)]    # two sources never look alike
        path = os.path.join(self.rig.src, f'{c.index}.src')
        with open(path, 'wb') as f:
            f.write(data)
        return path, hashlib.sha256(data).hexdigest()

    def plan(self, index):
        r = self.rng
        c = Copy(index)
        c.size = self.size()
        c.force = r.random() < 0.3
        c.create = r.random() < 0.5
        if self.args.each_fault_first and index < len(self.fault_names):
            c.fault = self.fault_names[index]       # every kind at least once, first
        elif r.random() < self.args.fault_rate:
            c.fault = r.choices(self.fault_names, self.fault_weights)[0]
        getattr(self, 'plan_' + (c.fault or 'plain'))(c)
        if c.check == '':
            c.check = c.dest
        return c

    @staticmethod
    def fail(c, status, hr, *ops):
        c.expect, c.want_status, c.want_hr, c.want_ops = 'fail', status, hr, ops

    def existing(self):
        if not self.files:
            return None
        return self.rng.choice(list(self.files))

    def plan_plain(self, c):
        r = self.rng
        target = self.existing() if r.random() < 0.15 else None
        if target is not None:
            c.dest, c.force, c.old = target, True, self.files[target]
            return
        if r.random() < 0.3:
            d = self.new_dir(c.index)
            c.create = True
            c.new_dirs = [d]
        else:
            d = r.choice(self.dirs)
        c.dest = self.dest(d, self.name(c.index))

    def plan_cancel(self, c):
        self.plan_plain(c)
        c.size = max(c.size, 1)
        c.cancel_after = self.rng.randint(1, c.size)
        self.fail(c, 'cancelled', S_OK, '-')

    def plan_exists(self, c):
        target = self.existing()
        if target is None:
            # Nothing delivered yet: the soak puts a file there itself.
            target = os.path.join(self.rig.guest, f'{c.index:05d} pre-existing.bin')
            data = self.rng.randbytes(self.rng.randint(0, 5000))
            with open(target, 'wb') as f:
                f.write(data)
            self.keep(target, hashlib.sha256(data).hexdigest(), len(data))
        c.dest, c.force, c.old = target, False, self.files[target]
        self.fail(c, 'failed', E_ALREADY_EXISTS, 'START')

    def plan_dotdot(self, c):
        r = self.rng
        d = r.choice(self.dirs)
        c.dest = self.dest(os.path.join(d, r.choice(DIR_PARTS), '..'), self.name(c.index))
        c.check = os.path.normpath(c.dest)
        self.fail(c, 'failed', E_INVALIDARG, 'START')

    def plan_outside(self, c):
        r = self.rng
        parts = [r.choice(DIR_PARTS) for _ in range(r.randint(0, 2))]
        c.dest = self.dest(os.path.join(self.rig.outside, *parts), self.name(c.index))
        self.fail(c, 'failed', E_ACCESS_DENIED, 'START')

    def plan_no_path(self, c):
        d = self.new_dir(c.index)
        c.dest = self.dest(d, self.name(c.index))
        c.create = False
        self.fail(c, 'failed', E_PATH_NOT_FOUND, 'START')

    def plan_long_name(self, c):
        # Over 255 bytes of UTF-8, the whole within the 259 UTF-16 units START can carry.
        n = 125 + 6 + 1
        d = self.rng.choice([d for d in self.dirs if units(d) + n <= NAME_UNITS_MAX] or
                            [self.rig.guest])
        most = NAME_UNITS_MAX - units(d) - 1 - 6
        c.dest = os.path.join(d, f'{c.index:05d} ' + '\u00e9' * self.rng.randint(125, most))
        self.fail(c, 'failed', E_NAME_TOO_LONG, 'START')

    def mid_copy_size(self, c):
        # Large enough that the fault, fired at the first progress line, lands mid-copy.
        c.size = min(self.max_size, max(c.size, 2 * MIB))
        c.racy = c.may_complete = True

    def plan_timeout(self, c):
        self.plan_plain(c)
        c.timeout_ms = 300
        if self.rng.random() < 0.5:
            c.stop_at = 'start'
            self.fail(c, 'timeout', S_OK, 'START')
        else:
            # The first WRITE is answered, then the guest stops: a later request times out.
            c.stop_at = 'write'
            self.mid_copy_size(c)
            self.fail(c, 'timeout', S_OK, 'WRITE', 'COMPLETE')

    def plan_rescind(self, c):
        self.plan_plain(c)
        self.mid_copy_size(c)
        # The request in flight fails: the channel closes, or no answer comes.
        self.fail(c, 'failed', S_OK, 'WRITE', 'COMPLETE')
        c.want_status = ('failed', 'timeout')

    # -- the simulator's fault injection --

    def step(self, c):
        """A random step of the copy for a step action; the operation that then fails."""
        r = self.rng
        n = nwrites(c.size)
        kind = r.choice(('start', 'write', 'write', 'before_complete')) if n else 'start'
        if kind == 'write':
            k = r.randint(1, n)
            return f'write:{k}', 'WRITE' if k < n else 'COMPLETE'
        if kind == 'start':
            return 'start', 'WRITE' if n else 'COMPLETE'
        return kind, 'COMPLETE'

    def plan_mangle(self, c):
        r = self.rng
        self.plan_plain(c)
        c.size = max(c.size, 2 * CHUNK)
        n = nwrites(c.size)
        kind = r.choice(('write_size_over', 'write_size_beyond', 'name_unterminated',
                         'path_unterminated', 'truncate', 'icmsgsize_over', 'op_unknown',
                         'msgtype'))
        op = r.choice(('start', 'write', 'complete'))
        if kind.startswith('write_'):
            op = 'write'
        elif kind.endswith('_unterminated'):
            op = 'start'
        elif kind == 'truncate':
            op = r.choice(('start', 'write'))
        spec = f'mangle={kind},mangle_op={op}'
        if op == 'write':
            # The first WRITE is a full 6144 bytes, so that any cut loses data.
            nth = 1 if kind == 'truncate' else r.randint(1, n)
            spec += f',mangle_nth={nth}'
        if kind == 'truncate':
            limit = START_SIZE if op == 'start' else WRITE_HDR + CHUNK
            spec += f',mangle_len={r.randrange(limit)}'
        c.spec = spec
        self.fail(c, 'failed', E_NOT_SUPPORTED if kind == 'msgtype' else E_INVALIDARG,
                  op.upper())

    def plan_step_rescind(self, c):
        self.plan_plain(c)
        when, op = self.step(c)
        c.spec = f'step={when},action=rescind'
        c.reopen = 'offer'
        self.fail(c, 'failed', S_OK, op)

    def plan_stall(self, c):
        self.plan_plain(c)
        when, _ = self.step(c)
        c.spec = f'step={when},action=stall'
        self.fail(c, 'stalled', S_OK, '-')

    def plan_corrupt(self, c):
        r = self.rng
        self.plan_plain(c)
        what = r.choice(('rx_windex', 'rx_rindex', 'tx_rindex', 'desc_hlen', 'desc_tlen',
                         'desc_type'))
        c.reopen = 'self'
        # Armed for COMPLETE, a corrupt TX index lets the guest complete, then not answer.
        c.may_complete = True
        if r.random() < 0.5 or nwrites(c.size) == 0:
            c.spec = f'corrupt={what}'      # the START the host sends next
            self.fail(c, 'failed', S_OK, 'START')
            return
        k = r.randint(1, nwrites(c.size))
        c.spec = f'step=write:{k},action=corrupt,corrupt={what}'
        self.fail(c, 'failed', S_OK, 'WRITE', 'COMPLETE')

    def plan_intr(self, c):
        r = self.rng
        self.plan_plain(c)
        c.size = min(c.size, 8 * CHUNK)
        if r.random() < 0.5:
            c.spec = f'intr_delay_ms={r.randint(1, 10)}'
        else:
            c.spec = f'intr_drop_pct={r.randint(5, 20)},seed={r.randint(1, 1 << 30)}'

    def keep(self, path, sha, size):
        if path in self.files:
            self.kept_bytes -= self.files.pop(path)[1]
        self.files[path] = (sha, size)
        self.kept_bytes += size
        # Bounded: the oldest files go (the guest's user may delete files too).
        while len(self.files) > 64 or self.kept_bytes > 256 * MIB:
            old, (_, n) = self.files.popitem(last=False)
            self.kept_bytes -= n
            os.unlink(old)

    def delivered(self, c, sha):
        for d in c.new_dirs:
            self.dirs.append(d)
        if len(self.dirs) > 200:
            self.dirs = [self.rig.guest] + self.dirs[-150:]
        if self.rng.random() < 0.3 or c.dest in self.files:
            self.keep(c.dest, sha, c.size)
        else:
            os.unlink(c.dest)


def nwrites(size):
    """WRITE requests of a copy of size bytes."""
    return (size + CHUNK - 1) // CHUNK


def units(text):
    """Length in UTF-16 units."""
    return len(text.encode('utf-16-le', 'surrogatepass')) // 2


def file_sha(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        while True:
            b = f.read(4 * MIB)
            if not b:
                return h.hexdigest()
            h.update(b)


def temp_files(top):
    """Temporary files of the service (".<name>.hvfcopy-XXXXXX") under top."""
    found = []
    for d, _, names in os.walk(top):
        found += [os.path.join(d, n) for n in names if '.hvfcopy-' in n and n[0] == '.']
    return found


class Soak:
    def __init__(self, args):
        self.args = args
        self.rig = Rig(args)
        self.counts = collections.Counter(ok=0, failed_expected=0, lost=0, corrupted=0,
                                          unexpected=0)
        self.faults = collections.Counter()
        self.problems = []
        self.bytes_ok = 0
        self.samples = {}
        self.sim_samples = {}
        self.fd_sets = {}
        self.series = []        # (copies done, service VmRSS KiB, service fds)

    def problem(self, kind, c, text):
        self.counts[kind] += 1
        msg = (f'copy {c.index} ({c.fault or "plain"}, {c.size} bytes, force={int(c.force)}, '
               f'create={int(c.create)}) to {c.dest!r}: {text}')
        self.problems.append({'kind': kind, 'copy': c.index, 'message': msg})
        if len(self.problems) <= 20:
            print(f'soak: {kind.upper()}: {msg}', file=sys.stderr, flush=True)

    def sample(self, when):
        self.samples[when] = proc_status(self.rig.svc.pid)
        self.sim_samples[when] = proc_status(self.rig.sim.pid)
        self.fd_sets[when] = fd_targets(self.rig.svc.pid)

    # -- one copy --

    def run_copy(self, c, src):
        """Send the copy, firing its fault; the service may be left stopped (timeout)."""
        rig = self.rig
        fields = {'src': src, 'dest': c.dest}
        if c.force:
            fields['force'] = 1
        if c.create:
            fields['create_path'] = 1
        if c.cancel_after:
            fields['cancel_after'] = c.cancel_after
        if c.timeout_ms:
            fields['timeout_ms'] = c.timeout_ms
        if c.spec:
            fields['fault'] = c.spec
            opens = int(rig.ctl.dev_info().get('opens', 0))
        acted = []

        def on_line(word, fl):
            if word != 'progress' or acted:
                return
            acted.append(int(fl.get('done', 0)))
            if c.fault == 'rescind':
                w, fl2 = rig.ctl.request('rescind', {}, 10)
                if w != 'ok':
                    raise SetupError(f'rescind refused: {fl2}')
            elif c.stop_at == 'write':
                rig.svc_stop_signal(True)

        if c.fault == 'rescind' or c.stop_at == 'write':
            fields['progress'] = 1
        if c.stop_at == 'start':
            rig.svc_stop_signal(True)
        try:
            return rig.ctl.request('copy', fields, 120, on_line)
        finally:
            if c.fault == 'rescind' and acted:
                self.reoffer()
            if c.spec:
                self.after_spec(c, opens)

    def after_spec(self, c, opens):
        """Disarm what did not fire (and the interrupt faults); let the channel come back."""
        rig = self.rig
        if rig.svc_stopped:
            rig.svc_stop_signal(False)
        w, fl = rig.ctl.request('fault', {'clear': 1}, 10)
        if w != 'ok':
            raise SetupError(f'fault clear=1 refused: {fl}')
        if c.reopen == 'offer' and rig.ctl.dev_state() == 'rescinded':
            w, fl = rig.ctl.request('offer', {}, 10)
            if w != 'ok':
                raise SetupError(f'offer after rescind refused: {fl}')
        if c.reopen is not None:
            rig.wait_open(opens_before=opens)

    def reoffer(self):
        w, fl = self.rig.ctl.request('offer', {}, 10)
        if w != 'ok':
            raise SetupError(f'offer after rescind refused: {fl}')
        self.rig.wait_open()

    def one(self, planner, index):
        c = planner.plan(index)
        self.faults[c.fault or 'none'] += 1
        src, sha = planner.source(c)
        existed = os.path.lexists(c.check)
        try:
            word, fl = self.run_copy(c, src)
            if word != 'ok':
                self.problem('lost', c, f'the host refused the request: {fl}')
                return False
            status = fl.get('status')
            if status != 'ok':
                # Checked while a stopped service cannot change anything yet.
                self.check_failed(planner, c, fl, existed, sha)
        finally:
            if self.rig.svc_stopped:
                self.rig.svc_stop_signal(False)
            os.unlink(src)
        if self.rig.svc.poll() is not None:
            raise SetupError(f'the service died (exit status {self.rig.svc.returncode}) '
                             f'during copy {c.index}; see {self.rig.svc_log}')
        if status == 'ok':
            return self.check_ok(planner, c, sha)
        if c.stop_at is not None and fl.get('op') == 'COMPLETE':
            self.late_complete(planner, c, sha)
        return False

    def late_complete(self, planner, c, sha):
        """A COMPLETE that timed out is still carried out once the service runs again: the
        file then appears, and must be whole."""
        end = time.monotonic() + 10
        while temp_files(os.path.dirname(c.check)) and time.monotonic() < end:
            time.sleep(0.01)
        if not os.path.lexists(c.check) or c.old is not None and file_sha(c.check) == c.old[0]:
            return
        if file_sha(c.check) != sha:
            self.problem('corrupted', c, 'the late COMPLETE of a timed-out copy delivered '
                         'other content')
            os.unlink(c.check)
            planner.files.pop(c.check, None)
            return
        planner.delivered(c, sha)

    def check_ok(self, planner, c, sha):
        if c.expect == 'fail' and not c.racy:
            self.problem('unexpected', c, f'accepted, but must fail with {c.want_status} '
                         f'0x{c.want_hr:08x}')
            if os.path.lexists(c.check) and c.old is None:
                os.unlink(c.check)
            if c.fault == 'outside':
                shutil.rmtree(self.rig.outside, ignore_errors=True)
            return False
        if not os.path.isfile(c.dest):
            self.problem('lost', c, f'the host was told it succeeded, but {c.dest} is missing')
            return False
        got = file_sha(c.dest)
        if got != sha or os.path.getsize(c.dest) != c.size:
            self.problem('corrupted', c, f'content differs from the source '
                         f'({os.path.getsize(c.dest)} bytes, sha256 {got[:16]}, want '
                         f'{sha[:16]})')
            os.unlink(c.dest)
            planner.files.pop(c.dest, None)
            return False
        self.counts['ok'] += 1
        self.bytes_ok += c.size
        planner.delivered(c, sha)
        return True

    def check_failed(self, planner, c, fl, existed, sha):
        status, op, msg = fl.get('status'), fl.get('op'), fl.get('message')
        hr = int(fl.get('hresult', '0'), 16)
        want = c.want_status if isinstance(c.want_status, tuple) else (c.want_status,)
        if c.expect == 'ok':
            self.problem('lost', c, f'failed: {status} 0x{hr:08x} at {op}: {msg}')
        elif status not in want or hr != c.want_hr or op not in c.want_ops:
            self.problem('lost', c, f'want {"/".join(want)} 0x{c.want_hr:08x} at '
                         f'{"/".join(c.want_ops)}, got {status} 0x{hr:08x} at {op}: {msg}')
        else:
            self.counts['failed_expected'] += 1
        # Whatever the failure: the final name holds what it held before, or nothing (or, in
        # a race, the whole new file).
        whole = c.may_complete and os.path.isfile(c.check) and file_sha(c.check) == sha
        if whole:
            planner.delivered(c, sha)
        elif c.old is not None:
            if not whole and (not os.path.isfile(c.check) or file_sha(c.check) != c.old[0]):
                self.problem('corrupted', c, 'a failed copy changed the file it was to '
                             'overwrite')
        elif os.path.lexists(c.check) and not existed and not whole:
            self.problem('corrupted', c, f'a failed copy left {c.check}')
            os.unlink(c.check)
        if c.fault == 'outside' and os.path.lexists(self.rig.outside):
            self.problem('corrupted', c, f'something was written outside the allowed root: '
                         f'{self.rig.outside}')
            shutil.rmtree(self.rig.outside)

    # -- the run --

    def progress(self, i, t0, force=False):
        n = self.args.count
        now = time.monotonic()
        tty = sys.stderr.isatty()
        step = max(1, n // 20)
        if not force and (tty and now - self.last_print < 1 or not tty and i % step != 0):
            return
        self.last_print = now
        k = self.counts
        line = (f'soak: {i}/{n} ok={k["ok"]} failed_expected={k["failed_expected"]} '
                f'lost={k["lost"]} corrupted={k["corrupted"]} unexpected={k["unexpected"]} '
                f'{self.bytes_ok / 1e9:.2f} GB {now - t0:.0f} s')
        print(('\r' + line + '   ') if tty else line, end='' if tty else '\n', file=sys.stderr,
              flush=True)

    def run(self):
        a = self.args
        rig = self.rig
        rig.start()
        planner = Planner(a, rig)
        self.sample('start')
        warm = max(1, min(a.count // 10, 500))
        t0 = time.monotonic()
        self.last_print = 0
        prev_ok = True
        for i in range(a.count):
            ok = self.one(planner, i)
            if i + 1 == warm:
                self.sample('warm')
            if (i + 1) % max(1, a.count // 10) == 0:
                self.series.append((i + 1,) + proc_status(self.rig.svc.pid))
            # After a good copy no transfer is open: no temporary file may exist anywhere.
            if ok and (i % 10 == 0 or not prev_ok):
                self.check_temps(i)
            prev_ok = ok
            self.progress(i + 1, t0)
        self.progress(a.count, t0, True)
        if sys.stderr.isatty():
            print(file=sys.stderr)
        self.seconds = time.monotonic() - t0
        # A last clean copy ends anything a timed-out copy left open in the service.
        self.final_copy(planner)
        self.check_temps(a.count)
        self.sample('end')
        if 'warm' not in self.samples:
            self.samples['warm'] = self.samples['end']
            self.sim_samples['warm'] = self.sim_samples['end']

    def final_copy(self, planner):
        c = Copy(self.args.count)
        c.size = 4096
        c.dest = c.check = os.path.join(self.rig.guest, 'final check.bin')
        src, sha = planner.source(c)
        try:
            word, fl = self.run_copy(c, src)
        finally:
            os.unlink(src)
        if word != 'ok' or fl.get('status') != 'ok' or file_sha(c.dest) != sha:
            self.problem('lost', c, f'the final check copy failed: {fl}')

    def check_temps(self, i):
        for path in temp_files(self.rig.guest):
            self.problems.append({'kind': 'leftover', 'copy': i,
                                  'message': f'temporary file left: {path}'})

    def report(self, svc_status):
        a = self.args
        s, m = self.samples, self.sim_samples
        rss_growth = s['end'][0] - s['warm'][0]
        # The service keeps one directory descriptor per allowed root it has delivered into
        # (the soak gives it one root), opened by the first copy: warm-up may add that one.
        warm_fds = s['warm'][1] - s['start'][1]
        fd_growth = s['end'][1] - s['warm'][1]
        added = sorted(self.fd_sets['end'] - self.fd_sets['start'])
        flags = []
        if rss_growth > a.rss_slack_mib * 1024:
            flags.append(f'service RSS grew by {rss_growth} KiB after warm-up '
                         f'(more than {a.rss_slack_mib} MiB)')
        # A reattach replaces the node's socket by another: count sockets, not their names.
        if fd_growth != 0 or warm_fds not in (0, 1) or \
                (warm_fds == 1 and os.path.realpath(self.rig.guest) not in added):
            flags.append(f'service open fds changed from {s["start"][1]} (start) to '
                         f'{s["warm"][1]} (after warm-up) to {s["end"][1]} (end); added: '
                         f'{", ".join(added) or "nothing by name"}')
        if svc_status != 0:
            flags.append(f'the service did not exit cleanly on SIGTERM (status {svc_status})')
        leftovers = [p for p in self.problems if p['kind'] == 'leftover']
        if leftovers:
            flags.append(f'{len(leftovers)} temporary files left behind')
        k = self.counts
        bad = k['lost'] + k['corrupted'] + k['unexpected'] > 0 or bool(flags)
        out = {
            'seed': a.seed, 'count': a.count, 'max_size': a.max_size, 'mode': a.mode,
            'fault_rate': a.fault_rate, 'hvsim_faults': self.rig.hvsim_faults,
            'counts': dict(k),
            'faults': dict(self.faults),
            'bytes_delivered': self.bytes_ok,
            'seconds': round(self.seconds, 3),
            'service': {w: {'rss_kib': s[w][0], 'fds': s[w][1]} for w in ('start', 'warm',
                                                                          'end')},
            'hvsim': {w: {'rss_kib': m[w][0], 'fds': m[w][1]} for w in ('start', 'warm',
                                                                        'end')},
            'service_rss_series': [{'copies': n, 'rss_kib': r, 'fds': f}
                                   for n, r, f in self.series],
            'service_exit_status': svc_status,
            'flags': flags,
            'problems': self.problems[:100],
            'result': 'FAILED' if bad else 'ok',
        }
        if a.json:
            print(json.dumps(out, indent=1, ensure_ascii=False))
        else:
            self.print_text(out)
        return 1 if bad else 0

    @staticmethod
    def print_text(o):
        k, s, m = o['counts'], o['service'], o['hvsim']
        print(f'soak: {o["count"]} copies, seed {o["seed"]}, max size {o["max_size"]} bytes, '
              f'mode {o["mode"]}, {o["bytes_delivered"] / 1e9:.2f} GB delivered in '
              f'{o["seconds"]:.1f} s')
        print('faults: ' + ', '.join(f'{f} {n}' for f, n in sorted(o['faults'].items())) +
              ('' if o['hvsim_faults'] else " (the simulator's fault injection not used)"))
        print(f'ok {k["ok"]}, failed as expected {k["failed_expected"]}, lost {k["lost"]}, '
              f'corrupted {k["corrupted"]}, unexpected {k["unexpected"]}')
        for who, d in (('service', s), ('hvsim', m)):
            print(f'{who} RSS KiB: start {d["start"]["rss_kib"]}, after warm-up '
                  f'{d["warm"]["rss_kib"]}, end {d["end"]["rss_kib"]}; open fds: start '
                  f'{d["start"]["fds"]}, after warm-up {d["warm"]["fds"]}, end '
                  f'{d["end"]["fds"]}')
        print('service RSS KiB every tenth of the run: ' +
              ' '.join(str(x['rss_kib']) for x in o['service_rss_series']))
        for f in o['flags']:
            print('FLAG: ' + f)
        print('soak: ' + o['result'])


def parse_args(argv):
    p = argparse.ArgumentParser(description='Soak dpdk-hv-fcopy with mixed copies and faults.')
    p.add_argument('--count', type=int, default=10000, help='copies (default 10000)')
    p.add_argument('--max-size', type=int, default=64 * MIB,
                   help='largest file in bytes (default 64 MiB)')
    p.add_argument('--seed', type=int, default=1, help='RNG seed (default 1)')
    p.add_argument('--mode', choices=('intr', 'adaptive', 'poll'), default='intr',
                   help="the service's --mode (default intr)")
    p.add_argument('--fault-rate', type=float, default=0.1,
                   help='share of copies with a fault (default 0.1)')
    p.add_argument('--each-fault-first', action='store_true',
                   help='give the first copies each kind of fault once (short runs)')
    p.add_argument('--rss-slack-mib', type=int, default=8,
                   help='service RSS growth after warm-up that fails the run (default 8)')
    p.add_argument('--hvsim', default=os.path.join(TOP, 'build/app/hvsim/dpdk-hvsim'))
    p.add_argument('--fcopy', default=os.path.join(TOP, 'build/app/hv-fcopy/dpdk-hv-fcopy'))
    p.add_argument('--service-arg', action='append', default=[], metavar='ARG',
                   help='one more option for dpdk-hv-fcopy (repeatable), e.g. --no-fsync')
    p.add_argument('--no-hvsim-faults', dest='hvsim_faults', action='store_false',
                   help="leave out the simulator's fault injection (dpdk-hvsim fault)")
    p.add_argument('--tmpdir', default=None, help='where the temporary tree goes')
    p.add_argument('--json', action='store_true', help='print the report as JSON')
    p.add_argument('--keep', action='store_true', help='keep the temporary tree and logs')
    a = p.parse_args(argv)
    if a.count < 1 or a.max_size < 0 or not 0 <= a.fault_rate <= 1:
        p.error('--count must be at least 1, --max-size at least 0, --fault-rate 0 to 1')
    for exe in (a.hvsim, a.fcopy):
        if not os.access(exe, os.X_OK):
            p.error(f'{exe} is not an executable (build first, or give --hvsim/--fcopy)')
    return a


def on_term(signum, frame):
    raise KeyboardInterrupt


def main(argv):
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, signal.default_int_handler)     # even when started ignoring it
    soak = Soak(args)
    status = None
    try:
        soak.run()
        status = soak.rig.stop()
        return soak.report(status)
    except SetupError as e:
        print(f'soak: error: {e}', file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print('\nsoak: interrupted', file=sys.stderr)
        return 130
    finally:
        soak.rig.stop()
        if args.keep:
            print(f'soak: kept {soak.rig.work}', file=sys.stderr)
        else:
            soak.rig.remove()


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
