#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The hvdev authors
"""Check dpdk-test-hvdev from the outside, as a script would use it.

  check_test_hvdev.py cli EXE             list, info, echo in each mode, the error paths,
                                          floor, and serve all against a host process
  check_test_hvdev.py pmdinfo PMDINFO EXE dpdk-pmdinfo.py finds the hvdev_uio PMD in EXE
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time

EAL = ['--no-huge', '-m', '64', '--no-shconf', '--no-pci', '--no-telemetry',
       '--log-level=lib.eal:error']
TIMEOUT = 60


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
    return p.returncode, p.stdout, p.stderr


def tool(exe, *args):
    return run([exe] + EAL + ['--'] + list(args))


def tool_json(exe, *args):
    rc, out, err = tool(exe, *args)
    check(rc == 0, f'exit code {rc}, stderr:\n{err}')
    try:
        return json.loads(out)
    except json.JSONDecodeError as e:
        raise CheckError(f'output is not valid JSON ({e}):\n{out}') from e


def check_list(exe):
    doc = tool_json(exe, '--sim', 'list', '--json')
    devs = doc.get('devices')
    check(isinstance(devs, list) and len(devs) == 1, f'one device expected: {doc}')
    dev = devs[0]
    check(dev.get('class') == 'fcopy', f'class fcopy expected: {dev}')
    check(dev.get('id') == 0 and dev.get('name') == 'hvdev_uio0', f'id 0, hvdev_uio0: {dev}')
    check(dev.get('node') == 'simulator' and dev.get('state') == 'ready', f'state: {dev}')
    check(dev.get('tx_ring_data_size', 0) > 0, f'ring size: {dev}')
    rc, out, err = tool(exe, '--sim', 'list')
    check(rc == 0 and 'hvdev_uio0' in out and 'fcopy' in out, f'table: {rc} {out} {err}')


def check_info(exe):
    info = tool_json(exe, '--sim', 'info', 'hvdev_uio0', '--json')
    for key in ('name', 'driver', 'class', 'class_id', 'instance_id', 'relid',
                'tx_ring_data_size', 'rx_ring_data_size', 'max_payload', 'has_monitor',
                'node', 'state', 'numa_node', 'stats', 'xstats'):
        check(key in info, f'info has no {key}: {info}')
    check(info['driver'] == 'hvdev_uio' and info['class'] == 'fcopy', f'info: {info}')
    check(info['stats'].get('rx_packets') == 0, f'stats: {info["stats"]}')
    check('sleeps' in info['xstats'], f'xstats: {info["xstats"]}')


def check_echo(exe, count, size, *mode):
    res = tool_json(exe, '--sim', 'echo', '0', '--count', str(count), '--size', str(size),
                    '--json', *mode)
    check(res.get('packets') == count, f'{count} packets expected: {res}')
    check(res.get('errors') == 0 and res.get('complete') is True, f'errors: {res}')
    check(res.get('size') == size, f'size: {res}')
    lat = res.get('latency_us', {})
    for key in ('min', 'p50', 'p90', 'p99', 'p99_9', 'max', 'mean'):
        check(isinstance(lat.get(key), (int, float)), f'latency has no {key}: {lat}')
    check(0 < lat['min'] <= lat['p50'] <= lat['p99'] <= lat['p99_9'] <= lat['max'],
          f'latency out of order: {lat}')
    check(res['throughput']['packets_per_s'] > 0, f'throughput: {res}')
    check(res['cpu_us']['process'] >= 0 and res['elapsed_us'] > 0, f'cpu: {res}')
    return res


def check_failures(exe):
    rc, out, err = tool(exe, '--sim', 'info', '7')
    check(rc != 0, f'info 7 must fail, got exit code 0:\n{out}')
    check('unknown device' in err and "'7'" in err, f'info 7: no clear error:\n{err}')
    rc, _, err = tool(exe, '--sim', 'echo', '0', '--count', '1')
    check(rc == 2 and '--size' in err, f'missing --size: exit code {rc}, stderr:\n{err}')
    rc, _, err = tool(exe, '--sim', 'frobnicate')
    check(rc == 2 and 'unknown command' in err, f'bad command: {rc}\n{err}')
    rc, _, err = tool(exe, '--sim', 'recv', '0', '--timeout-ms', '50')
    check(rc == 1 and 'no packet' in err, f'recv timeout: {rc}\n{err}')


def check_send(exe):
    res = tool_json(exe, '--sim', 'send', '0', '--hex', 'de:ad:be:ef', '--xactid', '9',
                    '--json')
    check(res.get('len') == 4 and res.get('xactid') == 9, f'send: {res}')


def check_floor(exe):
    res = tool_json(exe, 'floor', '--count', '200', '--json')
    lat = res.get('latency_us', {})
    check(res.get('count') == 200, f'floor: count: {res}')
    check(0 < lat.get('min', 0) <= lat.get('p50', 0) <= lat.get('max', 0),
          f'floor: latency: {res}')


def check_serve_all(exe):
    """A host process pings 4 devices; serve all answers them all from one lcore."""
    with tempfile.TemporaryDirectory(prefix='hvdev-serve-all-') as root:
        err_path = os.path.join(root, 'host.err')
        with open(err_path, 'w', encoding='utf-8') as err_file:
            host = subprocess.Popen([exe, '--', f'--sim={os.path.join(root, "sim")}',
                                     '--sim-devices', '4', 'host', '--ping', '--seconds', '1',
                                     '--json'], stdout=subprocess.PIPE, stderr=err_file,
                                    text=True)
        try:
            # The guest must find all four devices at start-up: wait until they are offered.
            for _ in range(200):
                with open(err_path, encoding='utf-8') as f:
                    if 'host: ready' in f.read():
                        break
                check(host.poll() is None, f'host exited early: {host.returncode}')
                time.sleep(0.05)
            env = dict(os.environ, HVDEV_ROOT=os.path.join(root, 'sim'))
            print(f'$ HVDEV_ROOT={root}/sim {exe} ... serve all --seconds 10 --json',
                  flush=True)
            guest = subprocess.run([exe] + EAL + ['--', 'serve', 'all', '--seconds', '10',
                                                  '--json'], capture_output=True,
                                   text=True, timeout=TIMEOUT, env=env, check=False)
            out, _ = host.communicate(timeout=TIMEOUT)
        finally:
            if host.poll() is None:
                host.kill()
                host.wait()
        with open(err_path, encoding='utf-8') as f:
            err = f.read()
        check(host.returncode == 0, f'host: exit code {host.returncode}\n{err}')
        check(guest.returncode == 0, f'serve all: exit code {guest.returncode}\n'
              f'{guest.stderr}')
        ping = json.loads(out)
        served = json.loads(guest.stdout)
    check(ping.get('devices') == 4 and served.get('devices') == 4, f'4 devices: {ping}')
    check(ping.get('errors') == 0 and served.get('errors') == 0, f'errors: {ping} {served}')
    check(ping.get('round_trips', 0) > 0, f'no round trip: {ping}')
    # Every timed ping was echoed once; at most one per device was in flight at the end.
    check(ping['round_trips'] <= served.get('packets', -1) <= ping['round_trips'] + 4,
          f'echoes: {served.get("packets")} for {ping["round_trips"]} round trips')
    print(json.dumps({'round_trips': ping['round_trips'], 'wakeups': served.get('wakeups')}))


def check_version(exe):
    """--version, without EAL or "--", like the other hvdev programs."""
    for args in (['--version'], ['--', '--version']):
        p = subprocess.run([exe] + args, capture_output=True, text=True, timeout=30,
                           check=False)
        check(p.returncode == 0 and
              re.match(r'dpdk-test-hvdev \(hvdev\) \d+\.\d+\.\d+\nDPDK \d', p.stdout),
              f'{args}: {p.returncode} {p.stdout} {p.stderr}')


def runtime_parent():
    """Where EAL puts /dpdk/<prefix>, as it chooses it."""
    base = os.environ.get('RUNTIME_DIRECTORY')
    if base is None:
        base = '/var/run' if os.getuid() == 0 else os.environ.get('XDG_RUNTIME_DIR', '/tmp')
    return os.path.join(base, 'dpdk')


def check_no_runtime_dir(exe):
    """EAL creates /var/run/dpdk/<prefix> and leaves it: the tool removes it at exit."""
    prefix = f'hvdev-cli-{os.getpid()}'
    rc, out, err = run([exe] + EAL + ['--file-prefix', prefix, '--', '--sim', 'list'])
    check(rc == 0, f'list: {rc} {out} {err}')
    path = os.path.join(runtime_parent(), prefix)
    left = os.path.exists(path)
    if left:
        os.rmdir(path)
    check(not left, f'{path} left behind')


def cli(exe):
    check_version(exe)
    check_no_runtime_dir(exe)
    check_list(exe)
    check_info(exe)
    res = check_echo(exe, 200, 1000)
    print(json.dumps(res['latency_us']))
    check_echo(exe, 50, 64, '--mode', 'poll')
    check_echo(exe, 50, 4000, '--mode', 'adaptive', '--busy-poll-us', '100')
    check_send(exe)
    check_failures(exe)
    check_floor(exe)
    check_serve_all(exe)


def pmdinfo(script, exe):
    rc, out, err = run(['/usr/bin/python3', script, exe])
    check(rc == 0, f'dpdk-pmdinfo.py: exit code {rc}\n{err}')
    try:
        pmds = json.loads(out)
    except json.JSONDecodeError as e:
        raise CheckError(f'dpdk-pmdinfo.py output is not JSON ({e}):\n{out}') from e
    found = [p for p in pmds if p.get('name') == 'hvdev_uio']
    check(len(found) == 1, f'no PMD named hvdev_uio in {[p.get("name") for p in pmds]}')
    pmd = found[0]
    check(pmd.get('kmod') == '* uio_hv_generic', f'kmod: {pmd}')
    check('class=' in pmd.get('params', ''), f'params: {pmd}')
    print(json.dumps(pmd))


def main():
    try:
        if len(sys.argv) == 3 and sys.argv[1] == 'cli':
            cli(sys.argv[2])
        elif len(sys.argv) == 4 and sys.argv[1] == 'pmdinfo':
            pmdinfo(sys.argv[2], sys.argv[3])
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except CheckError as e:
        print(f'FAIL: {e}', file=sys.stderr)
        return 1
    print('ok')
    return 0


if __name__ == '__main__':
    sys.exit(main())
