#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The hvdev authors
"""The /hvdev telemetry commands, asked with DPDK's own client.

  test_telemetry.py EXE DPDK_TELEMETRY_PY

Starts 'EXE ... -- --sim serve 0' with telemetry enabled, under a private runtime directory
(RUNTIME_DIRECTORY, which EAL and dpdk-telemetry.py both honour), queries /hvdev/list,
/hvdev/info,0 and /hvdev/stats,0 through dpdk-telemetry.py, then stops the tool with SIGTERM
and expects it to exit 0. Exits 77 (skipped) only when EAL reports that telemetry itself
could not start.
"""
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

START_TIMEOUT = 20
QUERY_TIMEOUT = 20
STOP_TIMEOUT = 10
SERVE_SECONDS = 60      # the tool stops by itself even if this script dies
SKIP = 77
# sun_path is 108 bytes; the socket is <runtime>/dpdk/<prefix>/dpdk_telemetry.v2.
MAX_SOCKET_PATH = 107


class CheckError(Exception):
    """A check failed."""


class Skip(Exception):
    """Telemetry cannot run here."""


def check(cond, msg):
    if not cond:
        raise CheckError(msg)


def runtime_dir():
    d = tempfile.mkdtemp(prefix='hvtel')
    if len(d) + 60 > MAX_SOCKET_PATH:
        shutil.rmtree(d)
        d = tempfile.mkdtemp(prefix='hvtel', dir='/tmp')
    return d


def wait_ready(proc):
    """Wait for the tool's 'serving' line: from then on the device is running."""
    deadline = time.monotonic() + START_TIMEOUT
    seen = ''
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 0.2)
        if ready:
            line = proc.stdout.readline()
            if line == '':
                break
            seen += line
            if line.startswith('serving '):
                return
        elif proc.poll() is not None:
            break
    err = proc.stderr.read() if proc.poll() is not None else ''
    if 'telemetry' in err.lower() and ('error' in err.lower() or 'fail' in err.lower()):
        raise Skip('EAL could not start telemetry: ' + err.strip())
    raise CheckError(f'the tool did not start serving (exit code {proc.poll()}):\n'
                     f'{seen}{err}')


def query(client, prefix, env, cmds):
    """Ask dpdk-telemetry.py, which reads commands from stdin and prints one JSON per line."""
    cmd = ['/usr/bin/python3', client, '-f', prefix]
    print('$ ' + ' '.join(cmd) + '  <<< ' + ' '.join(cmds), flush=True)
    p = subprocess.run(cmd, input='\n'.join(cmds) + '\n', capture_output=True, text=True,
                       env=env, timeout=QUERY_TIMEOUT, check=False)
    check(p.returncode == 0, f'dpdk-telemetry.py: exit code {p.returncode}\n{p.stderr}')
    answers = {}
    for line in p.stdout.splitlines():
        print(line)
        try:
            answers.update(json.loads(line))
        except json.JSONDecodeError as e:
            raise CheckError(f'not a JSON answer ({e}): {line}\n{p.stdout}') from e
    return answers


def check_answers(a):
    check(a.get('/hvdev/list') == [0], f'/hvdev/list: {a.get("/hvdev/list")}')
    info = a.get('/hvdev/info')
    check(isinstance(info, dict), f'/hvdev/info: {info}')
    check(info.get('name') == 'hvdev_uio0', f'info name: {info}')
    check(info.get('class') == 'fcopy', f'info class: {info}')
    check(info.get('state') == 'running', f'info state: {info}')
    check(info.get('node') == 'simulator', f'info node: {info}')
    stats = a.get('/hvdev/stats')
    check(isinstance(stats, dict), f'/hvdev/stats: {stats}')
    for key in ('rx_packets', 'rx_bytes', 'tx_packets', 'tx_bytes', 'interrupts',
                'protocol_errors', 'sleeps'):
        check(isinstance(stats.get(key), int), f'stats has no {key}: {stats}')


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    try:
        rc = proc.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired as e:
        raise CheckError(f'still running {STOP_TIMEOUT} s after SIGTERM') from e
    out = proc.stdout.read()
    print(out, end='')
    check(rc == 0, f'exit code {rc} after SIGTERM:\n{out}{proc.stderr.read()}')
    check('served ' in out, f'no summary after SIGTERM:\n{out}')


def run(exe, client, rundir):
    prefix = f'hvdevtel{os.getpid()}'
    env = dict(os.environ, RUNTIME_DIRECTORY=rundir)
    cmd = [exe, '--no-huge', '-m', '64', '--no-pci', f'--file-prefix={prefix}',
           '--log-level=lib.eal:error', '--', '--sim', 'serve', '0',
           '--seconds', str(SERVE_SECONDS)]
    print('$ RUNTIME_DIRECTORY=' + rundir + ' ' + ' '.join(cmd), flush=True)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)
    try:
        wait_ready(proc)
        answers = query(client, prefix, env,
                        ['/hvdev/list', '/hvdev/info,0', '/hvdev/stats,0'])
        check_answers(answers)
        stop(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    rundir = runtime_dir()
    try:
        run(sys.argv[1], sys.argv[2], rundir)
    except Skip as e:
        print(f'SKIP: {e}')
        return SKIP
    except (CheckError, subprocess.TimeoutExpired) as e:
        print(f'FAIL: {e}', file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(rundir, ignore_errors=True)
    print('ok')
    return 0


if __name__ == '__main__':
    sys.exit(main())
