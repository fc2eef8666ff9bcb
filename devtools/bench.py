#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The hvdev authors
"""The hvdev benchmark: interrupt, adaptive and poll modes side by side, against the limits of
this machine, measured as ratios within one run.

    /usr/bin/python3 devtools/bench.py [--build DIR] [--out DIR] [--quick] [--repeat N]
                                       [--only fcopy,latency,idle,memory,scaling,files]
                                       [--modes intr,adaptive,poll]

It runs the programs already built under DIR (default build/): dpdk-hvsim serve and
dpdk-hv-fcopy for the file copies, idle cost, memory and start-up; dpdk-test-hvdev for the
round-trip latency, the machine's wake-up floor, the scaling to 64 devices and the small-file
floor (floor-files: open/pwrite/close per file on the same ring and host). The files part runs
the 4 KiB files and the large copy on tmpfs and on a disk-backed file system (an ext4 image on
a loop device, else the work disk), the state directory on disk as by default, for each
durability level, with system calls (strace -c) and CPU per file. It writes
results.json, table.txt (also printed) and bench.png under --out (default bench-out/).
See doc/guides/prog_guide/performance.rst.
"""

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True		# no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_proc import BenchError, Proc, copy, cost, cost_delta, host_open, memory  # noqa: E402
import bench_report  # noqa: E402

MODES = ('intr', 'adaptive', 'poll')
PARTS = ('fcopy', 'latency', 'idle', 'memory', 'scaling', 'files')
# The files part: the bare floor, then the service at each durability level.
FILE_GUESTS = ('floor', 'none', 'async', 'sync')
EAL = ['--no-huge', '-m', '64', '--no-pci', '--no-shconf', '--log-level=lib.eal:error']


def svc_cpu(a, b):
    """The service's CPU time between two cost() samples, exact: its threads live as long as
    it does. (The host starts a thread per request, so its CPU time comes from the tick-based
    process total, which keeps the time of threads that have ended.)"""
    return (b['run_ns'] - a['run_ns']) / 1e9


def median(vals):
    vals = sorted(vals)
    n = len(vals)
    return vals[n // 2] if n % 2 else (vals[n // 2 - 1] + vals[n // 2]) / 2


def log(msg):
    print('bench: %s' % msg, file=sys.stderr, flush=True)


class Bench:
    def __init__(self, args):
        self.a = args
        self.top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        build = os.path.join(self.top, args.build) if not os.path.isabs(args.build) \
            else args.build
        self.hvsim = os.path.join(build, 'app/hvsim/dpdk-hvsim')
        self.fcopy = os.path.join(build, 'app/hv-fcopy/dpdk-hv-fcopy')
        self.tool = os.path.join(build, 'app/test-hvdev/dpdk-test-hvdev')
        for b in (self.hvsim, self.fcopy, self.tool):
            if not os.access(b, os.X_OK):
                sys.exit('bench: %s is not built (ninja -C %s)' % (b, args.build))
        self.work = None
        self.mounted = False
        self.disk = None
        self.disk_base = None
        self.disk_mounted = False
        self.procs = []
        self.res = {'modes': {}, 'scaling': {}}

    # ---- set-up ----

    def setup(self, need_bytes):
        """A private tmpfs under a temporary directory, so that no disk is measured."""
        self.work = tempfile.mkdtemp(prefix='hvdev-bench-')
        size = need_bytes + (256 << 20)
        r = subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=%d,mode=0700' % size,
                            'hvdev-bench', self.work], capture_output=True)
        self.mounted = r.returncode == 0
        self.res['tmpfs'] = 'private tmpfs at %s' % self.work if self.mounted else None
        if not self.mounted:
            os.rmdir(self.work)
            self.work = tempfile.mkdtemp(prefix='hvdev-bench-', dir='/dev/shm')
            self.res['tmpfs'] = '/dev/shm (mount failed: %s)' % r.stderr.decode().strip()
        log('files live in %s' % self.res['tmpfs'])

    def setup_disk(self, need_bytes):
        """A disk-backed file system: an ext4 image on a loop device where the machine allows
        one (root, loop devices), else a directory on the work disk. Said in the output."""
        self.disk_base = tempfile.mkdtemp(prefix='hvdev-bench-disk-', dir='/var/tmp')
        img = os.path.join(self.disk_base, 'ext4.img')
        mnt = os.path.join(self.disk_base, 'mnt')
        os.mkdir(mnt)
        why = None
        try:
            with open(img, 'wb') as f:
                f.truncate(need_bytes + (512 << 20))
            for argv in (['mkfs.ext4', '-q', '-F', img], ['mount', '-o', 'loop', img, mnt]):
                r = subprocess.run(argv, capture_output=True)
                if r.returncode != 0:
                    why = '%s: %s' % (argv[0], r.stderr.decode().strip() or r.returncode)
                    break
        except OSError as e:
            why = str(e)
        self.disk = mnt
        if why is None:
            self.disk_mounted = True
            self.res['disk'] = 'ext4 image on a loop device (%s)' % img
        else:
            if os.path.exists(img):
                os.unlink(img)
            fs = subprocess.run(['stat', '-f', '-c', '%T', mnt], capture_output=True)
            self.res['disk'] = 'the work disk, %s (%s; no loop device: %s)' % (
                mnt, fs.stdout.decode().strip(), why)
        log('disk-backed files live in %s' % self.res['disk'])

    def cleanup(self):
        for p in self.procs:
            p.stop(3)
        if self.disk_base is not None:
            if self.disk_mounted:
                if subprocess.run(['umount', self.disk]).returncode != 0:
                    subprocess.run(['umount', '-l', self.disk])
            shutil.rmtree(self.disk_base, ignore_errors=True)
            self.disk_base = None
        if self.work is None:
            return
        if self.mounted:
            subprocess.run(['umount', '-l', self.work])
            os.rmdir(self.work)
        else:
            shutil.rmtree(self.work, ignore_errors=True)

    def spawn(self, name, argv, env=None):
        p = Proc(name, argv, os.path.join(self.work, name + '.log'), env)
        self.procs.append(p)
        return p

    def reap(self, p, timeout=10):
        rc = p.stop(timeout)
        self.procs.remove(p)
        return rc

    def make_sources(self):
        a = self.a
        self.big = os.path.join(self.work, 'big.bin')
        h = hashlib.sha256()
        with open(self.big, 'wb') as f:
            left = a.big_mib << 20
            while left > 0:
                chunk = os.urandom(min(left, 16 << 20))
                h.update(chunk)
                f.write(chunk)
                left -= len(chunk)
        self.big_sha = h.hexdigest()
        self.small = []
        for i in range(64):
            path = os.path.join(self.work, 'small%02d.bin' % i)
            with open(path, 'wb') as f:
                f.write(os.urandom(4096))
            self.small.append(path)

    # ---- the file-copy service: start-up, idle, copies, memory ----

    def fcopy_session(self, mode):
        a = self.a
        m = {}
        d = os.path.join(self.work, mode)
        root, guest, state, run = (os.path.join(d, x) for x in ('hv', 'guest', 'state', 'run'))
        for x in (guest, state, run):
            os.makedirs(x)
        host = self.spawn('hvsim-' + mode, [self.hvsim, 'serve', '--root', root])
        host.wait_for(r'^ready', 20)
        env = dict(os.environ, RUNTIME_DIRECTORY=run)
        argv = [self.fcopy, '-l', '0'] + EAL + [
            '--file-prefix', 'hvbench%d%s' % (os.getpid(), mode),
            '--vdev=hvdev_uio0,class=fcopy,root=%s' % root, '--',
            '--mode', mode, '--allowed-root', guest, '--state-dir', state]
        svc = self.spawn('fcopy-' + mode, argv, env)
        m['startup_serving_s'] = svc.wait_for(r'serving', 20)
        while not host_open(root):
            if time.monotonic() - svc.t_exec > 20:
                raise BenchError('the host never saw the channel open')
            time.sleep(0.002)
        m['startup_open_s'] = time.monotonic() - svc.t_exec
        time.sleep(0.5)		# let start-up work (page faults, first telemetry) settle
        m['mem_start_kib'] = memory(svc.pid)
        if 'idle' in a.only:
            m['idle'], m['host_idle'] = self.idle(svc.pid, host.pid, a.idle_s)
        if 'fcopy' in a.only or 'memory' in a.only:
            m['big'], m['big_runs'] = self.median(
                lambda: self.copy_big(root, guest, svc.pid, host.pid), 'mb_per_s')
            m['mem_after_big_kib'] = memory(svc.pid)
        if 'fcopy' in a.only:
            m['small'], m['small_runs'] = self.median(
                lambda: self.copy_small(root, guest, svc.pid, host.pid), 'files_per_s')
            m['mem_end_kib'] = memory(svc.pid)
        m['service_exit'] = self.reap(svc)
        m['host_exit'] = self.reap(host)
        shutil.rmtree(d, ignore_errors=True)
        return m

    def median(self, measure, key):
        """Run @measure --repeat times; @return the run with the median @key, and every
        run's @key (a shared machine's noise shows in their spread)."""
        runs = [measure() for _ in range(self.a.repeat)]
        runs.sort(key=lambda r: r[key])
        return runs[len(runs) // 2], [r[key] for r in runs]

    @staticmethod
    def idle(svc_pid, host_pid, secs):
        a, ha = cost(svc_pid), cost(host_pid)
        time.sleep(secs)
        b, hb = cost(svc_pid), cost(host_pid)
        return cost_delta(a, b), cost_delta(ha, hb)

    def copy_big(self, root, guest, svc_pid, host_pid):
        dest = os.path.join(guest, 'big', 'big.bin')
        a, ha = cost(svc_pid), cost(host_pid)
        t0 = time.monotonic()
        msg = copy(root, self.big, dest, create_path=1, timeout_ms=60000)
        secs = time.monotonic() - t0
        b, hb = cost(svc_pid), cost(host_pid)
        h = hashlib.sha256()
        with open(dest, 'rb') as f:
            while True:
                chunk = f.read(16 << 20)
                if not chunk:
                    break
                h.update(chunk)
        ok = h.hexdigest() == self.big_sha
        os.unlink(dest)
        if not ok:
            raise BenchError('the %d MiB copy arrived corrupted (sha256 differs)' %
                             self.a.big_mib)
        size = self.a.big_mib << 20
        return {'bytes': size, 'seconds': secs, 'host_usec': int(msg['usec']),
                'mb_per_s': size / secs / 1e6, 'sha256_ok': ok,
                'service_cpu_s': svc_cpu(a, b), 'host_cpu_s': hb['cpu_s'] - ha['cpu_s']}

    @staticmethod
    def wait_files(base, n):
        """Durability async publishes the files after answering their COMPLETE, in batches
        (within about 10 ms): wait for them."""
        t1 = time.monotonic()
        while len(os.listdir(base)) < n and time.monotonic() - t1 < 10:
            time.sleep(0.002)

    def copy_small(self, root, guest, svc_pid, host_pid, n=None):
        n = n or self.a.small_files
        base = os.path.join(guest, 'small')
        a, ha = cost(svc_pid), cost(host_pid)
        t0 = time.monotonic()
        for i in range(n):
            copy(root, self.small[i % len(self.small)], '%s/f%05d' % (base, i),
                 create_path=1)
        secs = time.monotonic() - t0
        # The service's CPU includes the publication of async's last batch.
        self.wait_files(base, n)
        b, hb = cost(svc_pid), cost(host_pid)
        checked = 0
        step = max(1, n // 100)
        for i in range(0, n, step):
            with open('%s/f%05d' % (base, i), 'rb') as got, \
                    open(self.small[i % len(self.small)], 'rb') as want:
                if got.read() != want.read():
                    raise BenchError('small file %d arrived corrupted' % i)
            checked += 1
        if len(os.listdir(base)) != n:
            raise BenchError('%d small files in the guest, %d copied' %
                             (len(os.listdir(base)), n))
        shutil.rmtree(base)
        return {'files': n, 'seconds': secs, 'files_per_s': n / secs, 'verified': checked,
                'service_cpu_s': svc_cpu(a, b), 'host_cpu_s': hb['cpu_s'] - ha['cpu_s'],
                'service_cpu_us_per_file': svc_cpu(a, b) / n * 1e6,
                'host_cpu_us_per_file': (hb['cpu_s'] - ha['cpu_s']) / n * 1e6}

    # ---- the files part: floor and durability levels, on tmpfs and on disk ----

    def files_guest(self, kind, root, guest, state, tag):
        """Start the guest of the files part: the bare floor or dpdk-hv-fcopy at durability
        @kind, in interrupt mode (the service's default)."""
        prefix = ['--file-prefix', 'hvfiles%d%s' % (os.getpid(), tag),
                  '--vdev=hvdev_uio0,class=fcopy,root=%s' % root, '--']
        if kind == 'floor':
            return self.spawn('floor-' + tag, [self.tool] + EAL + prefix + [
                'floor-files', '0', '--mode', 'intr']), r'serving'
        env = dict(os.environ, RUNTIME_DIRECTORY=os.path.join(self.work, 'run-' + tag))
        os.makedirs(env['RUNTIME_DIRECTORY'], exist_ok=True)
        return self.spawn('fcopy-' + tag, [self.fcopy, '-l', '0'] + EAL + prefix + [
            '--mode', 'intr', '--allowed-root', guest, '--state-dir', state,
            '--durability', kind], env), r'serving'

    @staticmethod
    def strace_count(pid, run, out):
        """System calls of every thread of @pid while @run() runs: {name: calls}, and the
        total, from strace -c (-f: the async flusher thread is started on first use)."""
        tids = os.listdir('/proc/%d/task' % pid)
        argv = ['strace', '-f', '-c', '-o', out]
        for t in tids:
            argv += ['-p', t]
        st = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)		# attached
        try:
            run()
        finally:
            time.sleep(0.2)
            st.send_signal(signal.SIGINT)
            st.wait(20)
        calls = {}
        with open(out) as f:
            for line in f:
                m = re.match(r'\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(\d*)\s*(\w+)\s*$', line)
                if m and m.group(3) != 'total':
                    calls[m.group(3)] = int(m.group(1))
        return calls

    def files_start(self, fsname, fsdir, kind):
        """One guest of the files part with its own simulated host, left running (idle, an
        interrupt-mode guest costs nothing) for the rounds."""
        tag = '%s-%s' % (fsname, kind)
        g = {'tag': tag, 'root': os.path.join(self.work, 'files-hv-' + tag),
             'guest': os.path.join(fsdir, 'guest-' + tag),
             'state': os.path.join(self.disk, 'state-' + tag)}	# on disk, as by default
        os.makedirs(g['guest'])
        g['host'] = self.spawn('hvsim-' + tag, [self.hvsim, 'serve', '--root', g['root']])
        g['host'].wait_for(r'^ready', 20)
        g['svc'], ready = self.files_guest(kind, g['root'], g['guest'], g['state'], tag)
        g['svc'].wait_for(ready, 20)
        while not host_open(g['root']):
            if time.monotonic() - g['svc'].t_exec > 20:
                raise BenchError('the host never saw the channel open (%s)' % tag)
            time.sleep(0.002)
        return g

    def files_round(self, g, n):
        # The floor creates no directory: the destination exists for every guest alike.
        os.makedirs(os.path.join(g['guest'], 'small'))
        return self.copy_small(g['root'], g['guest'], g['svc'].pid, g['host'].pid, n)

    def files_fs(self, fsname, fsdir):
        """The floor and each durability level on one file system, measured in interleaved
        rounds (floor, none, async, sync, then the other way round, and so on), so that a
        shared machine's load falls on all alike; the ratios to the floor are taken within
        each round, and their median is the result."""
        a = self.a
        gs = {k: self.files_start(fsname, fsdir, k) for k in FILE_GUESTS}
        time.sleep(0.3)
        per = max(1, a.small_files // a.file_rounds)
        runs = {k: [] for k in FILE_GUESTS}
        for r in range(a.file_rounds):
            for k in (FILE_GUESTS if r % 2 == 0 else FILE_GUESTS[::-1]):
                runs[k].append(self.files_round(gs[k], per))
        out = {}
        for kind in FILE_GUESTS:
            g = gs[kind]
            row = {'rounds': runs[kind], 'small': {
                key: median([x[key] for x in runs[kind]])
                for key in ('files_per_s', 'service_cpu_us_per_file', 'host_cpu_us_per_file')}}
            row['small']['files'] = per * a.file_rounds
            n = a.strace_files
            sdir = os.path.join(g['guest'], 'strace')
            os.makedirs(sdir)

            def some():
                for i in range(n):
                    copy(g['root'], self.small[i % len(self.small)], '%s/s%05d' % (sdir, i),
                         create_path=1)
                self.wait_files(sdir, n)
            # Without strace the system calls are not counted (the table shows '-').
            calls = {}
            if shutil.which('strace'):
                calls = self.strace_count(g['svc'].pid, some,
                                          os.path.join(self.work, 'strace-' + g['tag']))
            shutil.rmtree(sdir)
            row['syscalls_per_file'] = sum(calls.values()) / n if calls else None
            row['syscalls'] = {k: v / n for k, v in sorted(calls.items())}
            if kind in ('none', 'sync'):
                row['big'] = self.copy_big(g['root'], g['guest'], g['svc'].pid, g['host'].pid)
            self.reap(g['svc'])
            self.reap(g['host'])
            shutil.rmtree(g['guest'], ignore_errors=True)
            log('files %s: median of %d rounds %.0f files/s, %.1f us CPU per file; %s system '
                'calls per file' % (g['tag'], a.file_rounds, row['small']['files_per_s'],
                                    row['small']['service_cpu_us_per_file'],
                                    '%.1f' % row['syscalls_per_file'] if calls else 'uncounted'))
            out[kind] = row
        # Each level against the floor of the same round.
        out['ratios'] = {}
        for kind in FILE_GUESTS[1:]:
            cpu = [x['service_cpu_us_per_file'] / f['service_cpu_us_per_file']
                   for x, f in zip(runs[kind], runs['floor'])]
            rate = [x['files_per_s'] / f['files_per_s'] for x, f in zip(runs[kind], runs['floor'])]
            out['ratios'][kind] = {'cpu': median(cpu), 'cpu_rounds': cpu,
                                   'rate': median(rate), 'rate_rounds': rate}
        return out

    def files(self):
        out = {}
        for fsname, fsdir in (('tmpfs', self.work), ('disk', self.disk)):
            out[fsname] = self.files_fs(fsname, fsdir)
        return out

    # ---- round trips: the floor, and each mode with the host in its own process ----

    def tool_json(self, argv, timeout=120):
        r = subprocess.run([self.tool] + argv, capture_output=True, timeout=timeout)
        if r.returncode != 0:
            raise BenchError('dpdk-test-hvdev %s failed (%d): %s' %
                             (' '.join(argv), r.returncode, r.stderr.decode()[-2000:]))
        return json.loads(r.stdout)

    def floor(self):
        return self.tool_json(['--', 'floor', '--count', str(self.a.rtt_count), '--json'])

    def latency(self, mode):
        root = os.path.join(self.work, 'lat-' + mode)
        host = self.spawn('echo-host-' + mode, [self.tool, '--', '--sim=' + root, 'host'])
        host.wait_for(r'^host: ready', 20)
        res = self.tool_json(EAL + ['--no-telemetry',
                                    '--vdev=hvdev_uio0,class=fcopy,root=%s' % root, '--',
                                    'echo', '0', '--count', str(self.a.rtt_count),
                                    '--size', '64', '--mode', mode, '--json'])
        self.reap(host)
        return res

    # ---- scaling: N devices served by one lcore ----

    def scaling(self, mode, ndev):
        a = self.a
        out = {}
        for phase in ('idle', 'busy'):
            root = os.path.join(self.work, 'scale-%s-%d-%s' % (mode, ndev, phase))
            hargv = [self.tool, '--', '--sim=' + root, '--sim-devices', str(ndev), 'host']
            if phase == 'busy':
                hargv += ['--ping', '--size', '64', '--seconds', str(a.busy_s), '--json']
            host = self.spawn('scale-host', hargv)
            host.wait_for(r'^host: ready', 30)
            env = dict(os.environ, HVDEV_ROOT=root)
            guest = self.spawn('scale-guest', [self.tool] + EAL + ['--no-telemetry', '--',
                               'serve', 'all', '--mode', mode, '--json'], env)
            guest.wait_for(r'^serving %d devices' % ndev, 30)
            if phase == 'idle':
                time.sleep(0.3)
                out['idle'], out['host_idle'] = self.idle(guest.pid, host.pid, a.scale_idle_s)
                self.reap(guest)
                self.reap(host)
                continue
            host.wait_for(r'^host: all', 30)
            c0 = cost(guest.pid)
            host.wait(a.busy_s + 30)
            c1 = cost(guest.pid)
            text = host.text()
            ping = json.loads(text[text.index('{'):])
            self.reap(host)
            self.reap(guest)
            out['busy'] = dict(cost_delta(c0, c1), round_trips_per_s=ping['round_trips_per_s'],
                               latency_us=ping['latency_us'], errors=ping['errors'],
                               host_cpu_pct=ping['host_cpu_us'] / 1e4 / ping['elapsed_s'])
        return out

    # ---- the whole run ----

    def run(self):
        a = self.a
        t0 = time.monotonic()
        self.res['config'] = {k: getattr(a, k) for k in (
            'modes', 'only', 'quick', 'big_mib', 'small_files', 'strace_files', 'file_rounds',
            'idle_s', 'repeat',
            'rtt_count',
            'scale_devices', 'scale_idle_s', 'busy_s')}
        self.res['machine'] = {'cpus': os.cpu_count(), 'kernel': platform.release(),
                               'load_before': os.getloadavg()}
        need = (a.big_mib << 21) if set(a.only) & {'fcopy', 'memory', 'files'} else 0
        self.setup(need)
        try:
            if 'files' in a.only:
                self.setup_disk(a.big_mib << 20)
            if need:
                self.make_sources()
            if 'files' in a.only:
                self.res['files'] = self.files()
            if 'latency' in a.only:
                self.res['floor'] = [self.floor()]
                log('floor p50 %.1f us' % self.res['floor'][0]['latency_us']['p50'])
            for mode in a.modes:
                m = self.res['modes'].setdefault(mode, {})
                if 'latency' in a.only:
                    m['latency'] = self.latency(mode)
                    log('%s: round trip p50 %.1f us' % (mode, m['latency']['latency_us']['p50']))
                if set(a.only) & {'fcopy', 'idle', 'memory'}:
                    m.update(self.fcopy_session(mode))
                    log('%s: fcopy session done' % mode)
                if 'scaling' in a.only:
                    for n in a.scale_devices:
                        self.res['scaling'].setdefault(mode, {})[str(n)] = self.scaling(mode, n)
                    log('%s: scaling done' % mode)
            if 'latency' in a.only:
                # The floor again at the end: the machine may have changed meanwhile.
                self.res['floor'].append(self.floor())
        finally:
            self.cleanup()
        self.res['machine']['load_after'] = os.getloadavg()
        self.res['elapsed_s'] = time.monotonic() - t0
        return self.res


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--build', default='build', help='build directory (default build)')
    p.add_argument('--out', default='bench-out', help='output directory (default bench-out)')
    p.add_argument('--only', default=','.join(PARTS),
                   help='measurements to run, comma-separated: ' + ', '.join(PARTS))
    p.add_argument('--modes', default=','.join(MODES), help='modes, comma-separated')
    p.add_argument('--quick', action='store_true',
                   help='small sizes and short windows, for a check in about a minute')
    p.add_argument('--big-mib', type=int, help='size of the large copy (default 1024)')
    p.add_argument('--small-files', type=int, help='number of 4 KiB files (default 10000)')
    p.add_argument('--idle-s', type=float, help='idle window of the service (default 10)')
    p.add_argument('--file-rounds', type=int,
                   help='interleaved rounds of the files part, the small files split among '
                   'them (default 15)')
    p.add_argument('--repeat', type=int, default=1,
                   help='copies of each kind per mode; the median is kept (default 1)')
    a = p.parse_args(argv)
    a.only = [x for x in a.only.split(',') if x]
    a.modes = [x for x in a.modes.split(',') if x]
    for x in a.only:
        if x not in PARTS:
            p.error('--only: %r is not one of %s' % (x, ', '.join(PARTS)))
    if a.repeat < 1:
        p.error('--repeat: at least 1')
    for x in a.modes:
        if x not in MODES:
            p.error('--modes: %r is not one of %s' % (x, ', '.join(MODES)))
    q = a.quick
    a.big_mib = a.big_mib or (128 if q else 1024)
    a.small_files = a.small_files or (1000 if q else 10000)
    a.strace_files = 100 if q else 300
    a.file_rounds = a.file_rounds or (5 if q else 15)
    a.idle_s = a.idle_s or (3.0 if q else 10.0)
    a.rtt_count = 5000 if q else 20000
    a.scale_devices = [1, 8, 64]
    a.scale_idle_s = 2.0 if q else 5.0
    a.busy_s = 1 if q else 3
    return a


def main(argv):
    a = parse_args(argv)
    if os.geteuid() != 0:
        log('not root: the tmpfs falls back to /dev/shm')
    b = Bench(a)
    try:
        res = b.run()
    except BenchError as e:
        sys.exit('bench: %s' % e)
    out = a.out if os.path.isabs(a.out) else os.path.join(b.top, a.out)
    os.makedirs(out, exist_ok=True)
    res['targets'] = bench_report.targets(res)
    table = bench_report.table(res)
    with open(os.path.join(out, 'results.json'), 'w') as f:
        json.dump(res, f, indent=1, sort_keys=True)
    with open(os.path.join(out, 'table.txt'), 'w') as f:
        f.write(table)
    print(table, end='')
    png = bench_report.plot(res, os.path.join(out, 'bench.png'))
    log('wrote %s/results.json, table.txt%s in %.0f s' %
        (out, ', bench.png' if png else ' (no plot: matplotlib missing)', res['elapsed_s']))
    return 1 if any(t['result'] == 'FAIL' for t in res['targets']) else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
