#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The hvdev authors
"""Check dpdk-hvsim from the outside, as a script would use it.

  check_hvsim_cli.py HVSIM_EXE GUEST_EXE KVP_GUEST_EXE

Starts "dpdk-hvsim serve" under a fresh directory and a guest against it (GUEST_EXE --guest
ROOT: the fake fcopy guest of test_hvsim_fcopy, which answers S_OK to everything), then
copies, cancels, rescinds, offers again, checks the error paths and stops the server. Then
the kvp commands against KVP_GUEST_EXE --guest ROOT (the fake KVP guest of test_hvsim_kvp,
which keeps the pools in memory). Every wait is bounded.
"""
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading

TIMEOUT = 30


class CheckError(Exception):
    """A check failed; the message says which and why."""


def check(cond, msg):
    if not cond:
        raise CheckError(msg)


def run(cmd):
    """Run cmd, return (exit code, stdout, stderr); a hang is a failure, not a stuck test."""
    print('$ ' + ' '.join(cmd), flush=True)
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT,
                           check=False)
    except subprocess.TimeoutExpired as e:
        raise CheckError(f'timed out after {TIMEOUT} s') from e
    print(p.stdout + p.stderr, end='', flush=True)
    return p.returncode, p.stdout, p.stderr


class Proc:
    """A background process whose output lines can be waited for."""

    def __init__(self, cmd):
        print('$ ' + ' '.join(cmd) + ' &', flush=True)
        self.p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  text=True)
        self.lines = queue.Queue()
        self.seen = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.p.stdout:
            self.lines.put(line.rstrip('\n'))
        self.lines.put(None)

    def wait_line(self, pred, what):
        while True:
            try:
                line = self.lines.get(timeout=TIMEOUT)
            except queue.Empty as e:
                raise CheckError(f'no {what} within {TIMEOUT} s; output: {self.seen}') from e
            if line is None:
                raise CheckError(f'exited before {what}; output: {self.seen}')
            print('  | ' + line, flush=True)
            self.seen.append(line)
            if pred(line):
                return line

    def stop(self, sig=signal.SIGTERM):
        """Signal the process and return its exit code."""
        if self.p.poll() is None:
            self.p.send_signal(sig)
        try:
            return self.p.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired as e:
            self.p.kill()
            self.p.wait()
            raise CheckError(f'did not exit within {TIMEOUT} s of signal {sig}') from e

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()


def copy_json(exe, root, src, dest, *opts, want_rc):
    rc, out, err = run([exe, 'copy', '--root', root, src, dest, '--json'] + list(opts))
    check(rc == want_rc, f'copy: exit code {rc}, want {want_rc}; stderr: {err}')
    try:
        res = json.loads(out)
    except json.JSONDecodeError as e:
        raise CheckError(f'copy --json output is not JSON ({e}): {out!r}') from e
    for key in ('status', 'hresult', 'message', 'bytes', 'seconds', 'mb_per_s'):
        check(key in res, f'JSON has no {key}: {res}')
    # The guest's HRESULT, or null when it gave none (a timeout, a stall).
    check(res['hresult'] is None or
          (res['hresult'].startswith('0x') and len(res['hresult']) == 10), f'hresult: {res}')
    check(isinstance(res['seconds'], float) and res['seconds'] >= 0, f'seconds: {res}')
    return res


def check_usage(exe, tmp):
    rc, out, _ = run([exe, '--version'])
    check(rc == 0 and re.match(r'dpdk-hvsim \(hvdev\) \d+\.\d+\.\d+\nDPDK \d', out),
          f'--version: {rc} {out}')
    rc, out, _ = run([exe, '--help'])
    check(rc == 0 and 'serve' in out and 'copy' in out, f'--help: {rc}')
    rc, _, err = run([exe, 'frobnicate'])
    check(rc == 2 and 'unknown command' in err, f'unknown command: {rc} {err}')
    rc, _, err = run([exe, 'copy', '--root', tmp, '/etc/hostname'])
    check(rc == 2 and 'takes 2 arguments' in err, f'one argument: {rc} {err}')
    rc, _, err = run([exe, 'copy', '--root', tmp, '/etc/hostname', '/x', '--chunk', '6145'])
    check(rc == 2 and '--chunk' in err, f'--chunk 6145: {rc} {err}')
    rc, _, err = run([exe, 'serve', '--root', tmp, '--force'])
    check(rc == 2 and 'does not take --force' in err, f'serve --force: {rc} {err}')
    # Nothing serves under this directory: a clear message and exit code 2.
    rc, _, err = run([exe, 'copy', '--root', os.path.join(tmp, 'nothing'), '/etc/hostname',
                      '/x'])
    check(rc == 2 and 'no dpdk-hvsim serve is running' in err, f'no server: {rc} {err}')


def fault_cmd(exe, root, *items, want_rc=0):
    rc, out, err = run([exe, 'fault', '--root', root] + list(items))
    check(rc == want_rc, f'fault {items}: exit code {rc}, want {want_rc}; stderr: {err}')
    return out, err


def check_faults(exe, root, src, guest):
    """The fault command, copy --fault and the list fields, against the fake guest."""
    out, _ = fault_cmd(exe, root)
    check(out.startswith('fault fcopy ') and ': none (' in out, f'no fault yet: {out}')
    out, _ = fault_cmd(exe, root, 'intr_delay_ms=20', 'intr_drop_every=3')
    check('intr_delay_ms=20,intr_drop_every=3 (' in out, f'fault set: {out}')
    res = copy_json(exe, root, src, '/late', want_rc=0)
    check(res['status'] == 'ok', f'copy with late and lost interrupts: {res}')
    rc, out, _ = run([exe, 'list', '--root', root])
    check(rc == 0 and 'fault=intr_delay_ms=20,intr_drop_every=3 ' in out and
          'intr_dropped=' in out and 'intr_delayed=' in out, f'list shows the fault: {out}')
    fcopy_line = [line for line in out.splitlines() if line.startswith('class=fcopy ')][0]
    check(' intr_dropped=0 ' not in fcopy_line or ' intr_delayed=0 ' not in fcopy_line,
          f'the interrupt faults fired: {out}')
    out, _ = fault_cmd(exe, root, 'clear')
    check(': none (' in out, f'fault clear: {out}')

    # One-shot step actions given with the copy; they are gone once fired.
    res = copy_json(exe, root, src, '/stalled', '--chunk', '4096', '--fault',
                    'step=write:2,action=stall', want_rc=1)
    check(res['status'] == 'stalled' and res['bytes'] == 8192 and res['hresult'] is None,
          f'stall: {res}')
    res = copy_json(exe, root, src, '/cancelled', '--fault', 'step=start,action=cancel',
                    want_rc=1)
    check(res['status'] == 'cancelled' and res['bytes'] == 0, f'cancel at START: {res}')
    out, _ = fault_cmd(exe, root)
    check(': none (' in out and 'faults fired 2)' in out, f'one-shot faults fired: {out}')

    # A bad negotiation, then a good one, without reopening the channel.
    fault_cmd(exe, root, '--renegotiate', 'nego=no_common')
    guest.wait_line(lambda s: s == 'fake guest: negotiated', 'the bad negotiation')
    res = copy_json(exe, root, src, '/refused', want_rc=1)
    check(res['status'] == 'failed' and 'refused the integration component versions' in
          res['message'], f'copy after a refused negotiation: {res}')
    fault_cmd(exe, root, '--renegotiate', 'clear')
    guest.wait_line(lambda s: s == 'fake guest: negotiated', 'the good negotiation')
    res = copy_json(exe, root, src, '/renegotiated', want_rc=0)
    check(res['status'] == 'ok', f'copy after a good negotiation: {res}')

    # A rescind at a step of the copy, then the device is offered again.
    res = copy_json(exe, root, src, '/rescinded', '--fault', 'step=start,action=rescind',
                    want_rc=1)
    check(res['status'] == 'failed' and res['operation'] == 'WRITE', f'rescind: {res}')
    rc, out, _ = run([exe, 'offer', '--root', root])
    check(rc == 0, f'offer after the rescind: {rc} {out}')
    guest.wait_line(lambda s: s == 'fake guest: negotiated', 'negotiation after the rescind')

    # Mistakes: exit status 2 and the reason.
    _, err = fault_cmd(exe, root, 'bogus=1', want_rc=2)
    check("unknown fault key 'bogus'" in err, f'unknown key: {err}')
    _, err = fault_cmd(exe, root, 'step=start', want_rc=2)
    check('needs action=' in err, f'step without action: {err}')
    _, err = fault_cmd(exe, root, 'intr_drop_pct=200', want_rc=2)
    check("bad value in 'intr_drop_pct=200'" in err, f'out of range: {err}')
    _, err = fault_cmd(exe, root, 'nokey', want_rc=2)
    check('not KEY=VALUE' in err, f'not key=value: {err}')
    rc, _, err = run([exe, 'copy', '--root', root, src, '/x', '--fault', 'corrupt=all'])
    check(rc == 2 and "bad value in 'corrupt=all'" in err, f'copy --fault: {rc} {err}')


def start_line(guest):
    return guest.wait_line(lambda s: s.startswith('fake guest: start '), 'the START fields')


def check_dest_forms(exe, root, src, guest):
    """DEST goes out verbatim as path_name, the source's name as file_name (Hyper-V)."""
    # Every START so far, then the ones of this check.
    name = os.path.basename(src)
    rc, out, err = run([exe, 'copy', '--root', root, src, '/srv/drop/'])
    line = start_line(guest)
    while line.split(' path=')[1].split(' name=')[0] != '/srv/drop/':
        line = start_line(guest)
    check(line == f'fake guest: start path=/srv/drop/ name={name}',
          f'a trailing / is sent as is, with the source name: {line}')
    check(rc == 0 and f'to /srv/drop/{name} in the guest' in out,
          f'the outcome says where the file went: {rc} {out} {err}')
    rc, out, _ = run([exe, 'copy', '--root', root, src, '/srv/a.iso'])
    line = start_line(guest)
    check(line == f'fake guest: start path=/srv/a.iso name={name}', f'a file name: {line}')
    check(rc == 0 and 'to /srv/a.iso in the guest (or to /srv/a.iso/' + name in out,
          f'both possibilities told: {out}')
    res = copy_json(exe, root, src, '/srv/drop', '--file-name', 'odd\u00e9 name', want_rc=0)
    line = start_line(guest)
    check(line == 'fake guest: start path=/srv/drop name=odd\\u00e9 name',
          f'--file-name replaces the name: {line}')
    check(res['file_name'] == 'odd\u00e9 name' and res['dest'] == '/srv/drop',
          f'JSON names both: {res}')
    rc, _, err = run([exe, 'copy', '--root', root, src, 'relative/'])
    check(rc == 2 and 'absolute' in err, f'a relative DEST is refused: {rc} {err}')


def scenario(exe, guest_exe, tmp):
    root = os.path.join(tmp, 'root')
    src = os.path.join(tmp, 'src.bin')
    size = 100000
    with open(src, 'wb') as f:
        f.write(os.urandom(size))
    serve = Proc([exe, 'serve', '--root', root])
    guest = None
    try:
        line = serve.wait_line(lambda s: s.startswith('hvsim: serving '), 'device line')
        words = line.split()
        check(len(words) == 8 and words[2] == 'fcopy' and words[5].startswith('uio') and
              words[7] == root, f'device line: {line}')
        serve.wait_line(lambda s: s == 'ready', '"ready"')
        check(os.path.exists(os.path.join(root, 'hvsim.sock')), 'control socket')

        # A second server under the same root is refused.
        rc, _, err = run([exe, 'serve', '--root', root])
        check(rc == 1 and 'another dpdk-hvsim serve' in err, f'second serve: {rc} {err}')

        res = copy_json(exe, root, src, '/x', want_rc=1)
        check(res['status'] == 'failed' and 'not opened' in res['message'],
              f'no guest yet: {res}')

        guest = Proc([guest_exe, '--guest', root, str(4 * TIMEOUT)])
        guest.wait_line(lambda s: s == 'fake guest: negotiated', 'negotiation')

        dest = '/srv/\u00e9t\u00e9 files/\U0001f600 data.bin'
        res = copy_json(exe, root, src, dest, '--force', '--create-full-path', want_rc=0)
        check(res['status'] == 'ok' and res['bytes'] == size, f'copy: {res}')
        check(res['hresult'] == '0x00000000', f'hresult: {res}')
        check(res['message'] == 'The operation completed successfully.', f'message: {res}')
        check(res['dest'] == dest, f'dest survives the control protocol: {res}')
        check(isinstance(res['mb_per_s'], float), f'mb_per_s: {res}')

        res = copy_json(exe, root, src, '/y', '--cancel-after', '6144', '--chunk', '4096',
                        want_rc=1)
        check(res['status'] == 'cancelled' and res['bytes'] == 8192, f'cancel: {res}')

        rc, out, _ = run([exe, 'copy', '--root', root, src, '/z'])
        check(rc == 0 and out.startswith('Copied '), f'text outcome: {rc} {out}')

        check_dest_forms(exe, root, src, guest)

        rc, out, _ = run([exe, 'list', '--root', root])
        check(rc == 0 and 'state=open' in out and 'guest_errors=0' in out, f'list: {out}')

        rc, out, _ = run([exe, 'rescind', '--root', root])
        check(rc == 0 and out.startswith('rescinded fcopy'), f'rescind: {rc} {out}')
        rc, _, err = run([exe, 'rescind', '--root', root])
        check(rc == 1 and 'already rescinded' in err, f'rescind twice: {rc} {err}')
        res = copy_json(exe, root, src, '/x', want_rc=1)
        check(res['status'] == 'failed', f'copy while rescinded: {res}')

        rc, out, _ = run([exe, 'offer', '--root', root])
        check(rc == 0 and out.startswith('offered fcopy') and ' as uio' in out,
              f'offer: {rc} {out}')
        rc, _, err = run([exe, 'offer', '--root', root])
        check(rc == 1 and 'already offered' in err, f'offer twice: {rc} {err}')
        guest.wait_line(lambda s: s == 'fake guest: negotiated', 'negotiation after offer')
        res = copy_json(exe, root, src, '/again', want_rc=0)
        check(res['status'] == 'ok' and res['bytes'] == size, f'copy after offer: {res}')

        check_faults(exe, root, src, guest)

        rc, _, err = run([exe, 'rescind', '--root', root, '--class', 'vss'])
        check(rc == 2 and 'no vss device' in err, f'rescind vss: {rc} {err}')

        rc = guest.stop()
        summary = guest.wait_line(lambda s: s.startswith('fake guest: ') and 'requests' in s,
                                  'guest summary')
        check(rc == 0 and ' 0 errors' in summary, f'guest: exit {rc}, {summary}')

        # A guest that refuses every START as an existing file: Copy-VMFile's message.
        guest = Proc([guest_exe, '--guest', root, str(4 * TIMEOUT), 'start=0x80070050'])
        guest.wait_line(lambda s: s == 'fake guest: negotiated', 'negotiation')
        res = copy_json(exe, root, src, '/exists', want_rc=1)
        check(res['status'] == 'failed' and res['hresult'] == '0x80070050' and
              res['message'] == 'The file exists.' and res['operation'] == 'START' and
              res['bytes'] == 0, f'START refused: {res}')
        rc, _, err = run([exe, 'copy', '--root', root, src, '/exists'])
        check(rc == 1 and 'The file exists. (0x80070050) [START failed' in err,
              f'text failure: {rc} {err}')
        guest.stop()

        # A guest that never answers: the per-request timeout.
        guest = Proc([guest_exe, '--guest', root, str(4 * TIMEOUT), 'silent'])
        guest.wait_line(lambda s: s == 'fake guest: negotiated', 'negotiation')
        res = copy_json(exe, root, src, '/slow', '--timeout-s', '1', want_rc=1)
        check(res['status'] == 'timeout' and res['operation'] == 'START' and
              1.0 <= res['seconds'] < TIMEOUT, f'timeout: {res}')
        check(res['hresult'] is None, f'a timeout has no HRESULT, not 0x00000000: {res}')

        rc = serve.stop()
        check(rc == 0, f'serve exit code after SIGTERM: {rc}')
        check(not os.path.exists(os.path.join(root, 'hvsim.sock')), 'socket removed')
        # The nodes and devices, and the trees that held them: no empty sys/ or dev/ left.
        check(not os.path.exists(os.path.join(root, 'dev')), 'device nodes removed')
        check(not os.path.exists(os.path.join(root, 'sys')), 'devices removed')

        check(guest.stop() == 0, 'silent guest exit code')
    finally:
        serve.kill()
        if guest is not None:
            guest.kill()


HYPERV_FCOPY = 'eb765408-105f-49b6-b4aa-c123b64d17d4'


def serve_devices(exe, root, *opts, env=None):
    """Start serve, wait for 'ready', return (process, {instance: class})."""
    cmd = [exe, 'serve', '--root', root] + list(opts)
    if env is not None:
        print(f'(with HVSIM_KERNEL={env})', flush=True)
    old = os.environ.get('HVSIM_KERNEL')
    if env is not None:
        os.environ['HVSIM_KERNEL'] = env
    try:
        serve = Proc(cmd)
    finally:
        if env is not None:
            if old is None:
                del os.environ['HVSIM_KERNEL']
            else:
                os.environ['HVSIM_KERNEL'] = old
    devs = {}
    while True:
        line = serve.wait_line(lambda s: s.startswith('hvsim: serving ') or s == 'ready',
                               'device line or "ready"')
        if line == 'ready':
            return serve, devs
        words = line.split()
        devs[words[3]] = words[2]


def read_text(path):
    with open(path, encoding='utf-8') as f:
        return f.read().strip()


def check_kernel_and_instances(exe, tmp):
    """serve --kernel/--instance/HVSIM_KERNEL: what a guest finds under the root."""
    root = os.path.join(tmp, 'kernels')
    kvp_id = '11111111-2222-4333-8444-555555555555'
    serve, devs = serve_devices(exe, root, '--kernel', 'legacy-ring', '--class', 'fcopy',
                                '--class', 'fcopy', '--class', 'kvp', '--instance', kvp_id,
                                '--strict-xactid')
    try:
        check(devs.get(HYPERV_FCOPY) == 'fcopy', f'first fcopy is Hyper-V\'s: {devs}')
        check(devs.get(kvp_id) == 'kvp', f'--instance for kvp: {devs}')
        check(len(devs) == 3, f'three devices with distinct ids: {devs}')
        check(read_text(os.path.join(root, 'proc/sys/kernel/osrelease')) == '6.12.0-hvsim',
              'osrelease of legacy-ring')
        devdir = os.path.join(root, 'sys/bus/vmbus/devices', HYPERV_FCOPY)
        relid = read_text(os.path.join(devdir, 'id'))
        size = os.stat(os.path.join(devdir, 'channels', relid, 'ring')).st_size
        check(size == 4 << 20, f'legacy-ring: the ring attribute is 4 MiB, not {size}')
        check(serve.stop() == 0, 'serve exit code')
        check(not os.path.exists(os.path.join(root, 'proc/sys/kernel/osrelease')),
              'osrelease removed on exit')
        left = [d for d in ('sys', 'dev', 'proc') if os.path.exists(os.path.join(root, d))]
        check(not left, f'serve left empty trees under {root}: {left}')
    finally:
        serve.kill()
    # The environment, as the suites use it: a kernel that does not bind low-speed devices.
    serve, devs = serve_devices(exe, root, env='pre-6.10')
    try:
        check(read_text(os.path.join(root, 'proc/sys/kernel/osrelease')) == '6.9.0-hvsim',
              'osrelease from HVSIM_KERNEL')
        devdir = os.path.join(root, 'sys/bus/vmbus/devices', HYPERV_FCOPY)
        check(os.path.isdir(devdir) and not os.path.exists(os.path.join(devdir, 'uio')) and
              not os.path.lexists(os.path.join(devdir, 'driver')),
              'pre-6.10: the fcopy device is offered but not bound')
        check(serve.stop() == 0, 'serve exit code')
    finally:
        serve.kill()
    rc, _, err = run([exe, 'serve', '--root', root, '--kernel', 'bogus'])
    check(rc == 2 and 'unknown kernel item "bogus"' in err, f'--kernel bogus: {rc} {err}')
    rc, _, err = run([exe, 'serve', '--root', root, '--instance', 'not-a-guid'])
    check(rc == 2 and 'not a GUID' in err, f'--instance not-a-guid: {rc} {err}')


HYPERV_KVP = '242ff919-07db-4180-9c2e-b86cb68c8c55'


def kvp_json(exe, root, *args, want_rc):
    rc, out, err = run([exe, 'kvp'] + list(args) + ['--root', root, '--json'])
    check(rc == want_rc, f'kvp {args}: exit code {rc}, want {want_rc}; stderr: {err}')
    try:
        res = json.loads(out)
    except json.JSONDecodeError as e:
        raise CheckError(f'kvp --json output is not JSON ({e}): {out!r}') from e
    for key in ('operation', 'status', 'hresult', 'message', 'error'):
        check(key in res, f'JSON has no {key}: {res}')
    check(res['operation'] == args[0], f'operation: {res}')
    check(res['hresult'] is None or
          (res['hresult'].startswith('0x') and len(res['hresult']) == 10), f'hresult: {res}')
    return res


def check_kvp(exe, guest_exe, tmp):
    """dpdk-hvsim kvp against the fake KVP guest: every operation, JSON, errors, exit codes."""
    root = os.path.join(tmp, 'kvp')
    serve, devs = serve_devices(exe, root)
    guest = None
    try:
        check(devs.get(HYPERV_FCOPY) == 'fcopy' and devs.get(HYPERV_KVP) == 'kvp' and
              len(devs) == 2, f'serve offers fcopy and KVP by default, as Hyper-V: {devs}')
        res = kvp_json(exe, root, 'get', 'k', want_rc=1)
        check(res['status'] == 'failed' and 'not opened the KVP channel' in res['message'] and
              res['hresult'] is None, f'no guest yet: {res}')
        guest = Proc([guest_exe, '--guest', root, str(4 * TIMEOUT)])
        guest.wait_line(lambda s: s == 'fake kvp guest: negotiated', 'negotiation')

        # Host items (pool 0, AddKvpItems/ModifyKvpItems/RemoveKvpItems): set, get, delete.
        key = 'cl\u00e9 \U0001f600'
        res = kvp_json(exe, root, 'set', key, 'v\u00e4lue', want_rc=0)
        check(res['status'] == 'ok' and res['hresult'] == '0x00000000' and
              res['pool'] == 'external' and res['pool_id'] == 0 and res['key'] == key,
              f'set: {res}')
        res = kvp_json(exe, root, 'get', key, want_rc=0)
        check(res['value'] == 'v\u00e4lue' and res['type'] == 'string', f'get: {res}')
        rc, out, _ = run([exe, 'kvp', 'get', '--root', root, key])
        check(rc == 0 and out == 'v\u00e4lue\n', f'get, text: {rc} {out!r}')
        res = kvp_json(exe, root, 'set', 'n', '4000000000', '--type', 'dword', want_rc=0)
        check(res['status'] == 'ok', f'set a DWORD: {res}')
        rc, _, err = run([exe, 'kvp', 'set', '--root', root, 'n', '4294967296', '--type',
                          'dword'])
        check(rc == 2 and 'is not a dword' in err, f'DWORD out of range: {rc} {err}')
        res = kvp_json(exe, root, 'enum', '--pool', 'external', want_rc=0)
        check(res['status'] == 'ok' and res['count'] == 2 and res['requests'] == 3 and
              res['hresult'] == '0x80070103' and
              [i['key'] for i in res['items']] == [key, 'n'] and
              res['items'][1]['value'] == '4000000000', f'enum external: {res}')
        res = kvp_json(exe, root, 'delete', key, want_rc=0)
        check(res['status'] == 'ok', f'delete: {res}')
        res = kvp_json(exe, root, 'get', key, want_rc=1)
        check(res['status'] == 'failed' and res['hresult'] == '0x80070103' and
              res['message'] == 'No more data is available.', f'get deleted: {res}')
        rc, _, err = run([exe, 'kvp', 'delete', '--root', root, key])
        check(rc == 1 and 'failed to delete' in err and '(0x80070103)' in err,
              f'delete, text failure: {rc} {err}')

        # Guest intrinsic items: the auto pool, enum's default.
        res = kvp_json(exe, root, 'enum', want_rc=0)
        check(res['pool'] == 'auto' and res['count'] == 10 and
              res['items'][0] == {'index': 0, 'key': 'FullyQualifiedDomainName',
                                  'type': 'string', 'value': 'guest.example.com'},
              f'intrinsic items: {res}')
        rc, out, _ = run([exe, 'kvp', 'enum', '--root', root])
        check(rc == 0 and out.splitlines()[5] == 'OSName=Test Linux', f'enum, text: {out}')
        # Guest items: pool 1, written here through the host, read back.
        kvp_json(exe, root, 'set', 'g', 'x', '--pool', 'guest', want_rc=0)
        res = kvp_json(exe, root, 'enum', '--pool', '1', want_rc=0)
        check(res['pool'] == 'guest' and res['count'] == 1, f'guest items: {res}')
        res = kvp_json(exe, root, 'enum', '--pool', '9', want_rc=1)
        check(res['status'] == 'failed' and res['hresult'] == '0x80070057' and
              res['pool'] is None and res['pool_id'] == 9, f'a bad pool: {res}')

        # IP information.
        res = kvp_json(exe, root, 'ip-get', '00:15:5D:00:00:01', want_rc=0)
        check(res['ip_addresses'] == ['10.0.0.4', '10.0.0.5'] and
              res['address_family'] == 'both' and res['dhcp_enabled'] is True and
              res['dns_servers'] == ['168.63.129.16'], f'ip-get: {res}')
        res = kvp_json(exe, root, 'ip-get', '00:00:00:00:00:00', want_rc=1)
        check(res['hresult'] == '0x80004005', f'ip-get, unknown adapter: {res}')
        res = kvp_json(exe, root, 'ip-set', '{4fb2d8ea-1c23-4f5e-9d1f-0b2a6e1c5a11}', '--ip',
                       '192.168.1.10', '--subnet', '255.255.255.0', '--gateway',
                       '192.168.1.1', '--dns', '192.168.1.2;192.168.1.3', want_rc=0)
        check(res['status'] == 'ok', f'ip-set: {res}')
        guest.wait_line(lambda s: s.startswith('fake kvp guest: op 5 ') and
                        s.endswith('status 0x00000000'), 'the SET_IP_INFO')

        # Mistakes: exit status 2 and the reason.
        for args, why in ((['frob'], 'needs an operation'),
                          (['get'], 'takes 1 argument, not 0'),
                          (['get', 'k', '--type', 'dword'], 'does not take --type'),
                          (['get', 'k', '--pool', '256'], '--pool 256'),
                          (['enum', '--ip', '1.2.3.4'], 'does not take --ip'),
                          (['ip-get', 'm', '--pool', 'guest'], 'does not take --pool'),
                          (['set', 'k', 'v', '--type', 'bytes'], '--type bytes'),
                          (['get', 'k' * 256], 'too long')):
            rc, _, err = run([exe, 'kvp'] + args + ['--root', root])
            check(rc == 2 and why in err, f'kvp {args}: {rc} {err}')
        # Fault hooks: the request malformed as asked; the guest refuses it.
        res = kvp_json(exe, root, 'get', 'g', '--pool', 'guest', '--mangle', 'key_size=4096',
                       want_rc=1)
        check(res['status'] == 'failed' and res['hresult'] == '0x80070057',
              f'key_size 4096: {res}')
        res = kvp_json(exe, root, 'set', 'k', 'v', '--mangle', 'body_len=100', want_rc=1)
        check(res['status'] == 'failed' and res['hresult'] == '0x80070057',
              f'a 100-byte body: {res}')
        res = kvp_json(exe, root, 'set', 'k', 'v', '--mangle', 'op=9', want_rc=1)
        check(res['status'] == 'failed' and res['hresult'] == '0x80070032',
              f'an unknown operation: {res}')
        rc, _, err = run([exe, 'kvp', 'get', 'k', '--root', root, '--mangle', 'bogus'])
        check(rc == 2 and "unknown KVP mangle item 'bogus'" in err, f'--mangle bogus: {err}')
        rc, _, err = run([exe, 'kvp', 'get', 'k', '--root', os.path.join(tmp, 'nothing')])
        check(rc == 2 and 'no dpdk-hvsim serve is running' in err, f'no server: {rc} {err}')
        rc, out, _ = run([exe, 'kvp', 'enum', '--json', '--root', os.path.join(tmp, 'nothing')])
        check(rc == 2 and out == '', f'no server, enum --json: nothing on stdout: {rc} {out!r}')
        guest.stop()

        # A guest that breaks the protocol: the host refuses its answer.
        guest = Proc([guest_exe, '--guest', root, str(4 * TIMEOUT), 'bad-flags'])
        guest.wait_line(lambda s: s == 'fake kvp guest: negotiated', 'negotiation')
        res = kvp_json(exe, root, 'set', 'k', 'v', want_rc=1)
        check(res['status'] == 'invalid' and
              res['error'] == 'flags are not TRANSACTION|RESPONSE' and
              'refused' in res['message'], f'refused answer: {res}')
        rc, out, _ = run([exe, 'list', '--root', root])
        check(rc == 0 and re.search(r'class=kvp .*guest_errors=1 ', out), f'counted: {out}')
        guest.stop()

        # A guest that never answers: the timeout, and no HRESULT.
        guest = Proc([guest_exe, '--guest', root, str(4 * TIMEOUT), 'silent'])
        guest.wait_line(lambda s: s == 'fake kvp guest: negotiated', 'negotiation')
        res = kvp_json(exe, root, 'get', 'k', '--timeout-s', '1', want_rc=1)
        check(res['status'] == 'timeout' and res['hresult'] is None, f'timeout: {res}')
        res = kvp_json(exe, root, 'enum', '--timeout-s', '1', want_rc=1)
        check(res['status'] == 'timeout' and res['count'] == 0, f'enum timeout: {res}')
        check(guest.stop() == 0, 'silent guest exit code')
        check(serve.stop() == 0, 'serve exit code')
    finally:
        serve.kill()
        if guest is not None:
            guest.kill()
    # Only the devices asked for.
    serve, devs = serve_devices(exe, root, '--class', 'fcopy')
    try:
        check(list(devs.values()) == ['fcopy'], f'--class fcopy: {devs}')
        rc, _, err = run([exe, 'kvp', 'enum', '--root', root])
        check(rc == 2 and 'no kvp device' in err, f'kvp without a KVP device: {rc} {err}')
        check(serve.stop() == 0, 'serve exit code')
    finally:
        serve.kill()


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    tmp = tempfile.mkdtemp(prefix='hvsim-cli-')
    try:
        check_usage(sys.argv[1], tmp)
        scenario(sys.argv[1], sys.argv[2], tmp)
        check_kernel_and_instances(sys.argv[1], tmp)
        check_kvp(sys.argv[1], sys.argv[3], tmp)
    except CheckError as e:
        print(f'FAIL: {e}', file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print('ok')
    return 0


if __name__ == '__main__':
    sys.exit(main())
