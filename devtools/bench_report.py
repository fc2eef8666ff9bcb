# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The hvdev authors
"""The targets, the table and the plot of devtools/bench.py, from its results."""

import time

# Idle: a wake-up every 5 s at most, and under 0.01 % of one core (1 ms of CPU in 10 s). Not
# zero, because reading /proc itself and the kernel's own accounting are not free of noise;
# the measurement prints the exact numbers.
IDLE_WAKEUPS_MAX = 0.2
IDLE_CPU_PCT_MAX = 0.01
RSS_MAX_KIB = 16 << 10
ADAPTIVE_MIN_RATIO = 0.8
FLOOR_MAX_RATIO = 2.0
# Small files against the bare floor (floor-files): CPU per file and files/s.
FILES_CPU_MAX_RATIO = 1.2
FILES_RATE_MIN_RATIO = 0.9
# sync over none on disk: one data flush and one directory flush per file, nothing else (the
# slack is for the wait calls of a slower copy: a flush makes the host wait longer).
SYNC_EXTRA_CALLS_MAX = 2.5
FLUSH_CALLS = ('fsync', 'fdatasync', 'syncfs')


def _get(d, *path):
    for p in path:
        if not isinstance(d, dict) or p not in d:
            return None
        d = d[p]
    return d


def files_rows(res):
    """(file system, guest, row) of the files part, floor first, in the order they ran
    (results.json keeps its keys sorted)."""
    files = res.get('files') or {}
    order = ('floor', 'none', 'async', 'sync')
    for fs in sorted(files, key=lambda f: (f != 'tmpfs', f)):
        per = files[fs]
        for kind in sorted((k for k in per if k != 'ratios'),
                           key=lambda k: order.index(k) if k in order else len(order)):
            yield fs, kind, per[kind]


def _median(vals):
    vals = sorted(vals)
    n = len(vals)
    return vals[n // 2] if n % 2 else (vals[n // 2 - 1] + vals[n // 2]) / 2


def async_over_sync(res, fs):
    """Per-round ratios of async to sync on @fs: (files/s, CPU per file), or None."""
    asy, sy = _get(res, 'files', fs, 'async', 'rounds'), _get(res, 'files', fs, 'sync', 'rounds')
    if not asy or not sy:
        return None
    return ([x['files_per_s'] / y['files_per_s'] for x, y in zip(asy, sy)],
            [x['service_cpu_us_per_file'] / y['service_cpu_us_per_file'] for x, y in zip(asy, sy)])


def floor_p50(res):
    runs = res.get('floor') or []
    vals = [r['latency_us']['p50'] for r in runs]
    return min(vals) if vals else None


def targets(res):
    """Each target: name, measured value, limit, PASS, FAIL or SKIP (not measured)."""
    out = []
    modes = res['modes']

    def add(name, value, limit, ok, unit=''):
        if value is None:
            out.append({'target': name, 'measured': None, 'limit': limit, 'result': 'SKIP'})
        else:
            out.append({'target': name, 'measured': value, 'unit': unit, 'limit': limit,
                        'result': 'PASS' if ok(value) else 'FAIL'})

    for what, key in (('large copy', ('big', 'mb_per_s')),
                      ('4 KiB files', ('small', 'files_per_s'))):
        ad, po = _get(modes, 'adaptive', *key), _get(modes, 'poll', *key)
        add('adaptive throughput >= 80%% of poll (%s)' % what,
            ad / po if ad and po else None, '>= %.2f' % ADAPTIVE_MIN_RATIO,
            lambda v: v >= ADAPTIVE_MIN_RATIO, 'x poll')
    fl, intr = floor_p50(res), _get(modes, 'intr', 'latency', 'latency_us', 'p50')
    add('intr round-trip p50 <= 2x wake-up floor p50', intr / fl if intr and fl else None,
        '<= %.1f' % FLOOR_MAX_RATIO, lambda v: v <= FLOOR_MAX_RATIO, 'x floor')
    for mode in ('intr', 'adaptive'):
        idle = _get(modes, mode, 'idle')
        add('idle wake-ups/s == 0 (%s)' % mode, idle and idle['wakeups_per_s'],
            '< %.1f/s' % IDLE_WAKEUPS_MAX, lambda v: v < IDLE_WAKEUPS_MAX, '/s')
        add('idle CPU ~0 (%s)' % mode, idle and idle['cpu_pct'],
            '< %.2f %%' % IDLE_CPU_PCT_MAX, lambda v: v < IDLE_CPU_PCT_MAX, '%')
    hwm = [m['mem_after_big_kib']['VmHWM'] for m in modes.values() if 'mem_after_big_kib' in m]
    add('service RSS < 16 MiB (peak VmHWM, all modes)', max(hwm) / 1024 if hwm else None,
        '< 16 MiB', lambda v: v * 1024 < RSS_MAX_KIB, 'MiB')
    # The median of the per-round ratios: floor and service ran interleaved.
    for fs in ('tmpfs', 'disk'):
        ra = _get(res, 'files', fs, 'ratios', 'none')
        add('CPU per 4 KiB file, durability none <= %.1fx floor (%s, median of rounds)' %
            (FILES_CPU_MAX_RATIO, fs), ra and ra['cpu'], '<= %.1f' % FILES_CPU_MAX_RATIO,
            lambda v: v <= FILES_CPU_MAX_RATIO, 'x floor')
        add('files/s, durability none >= %.1fx floor (%s, median of rounds)' %
            (FILES_RATE_MIN_RATIO, fs), ra and ra['rate'], '>= %.1f' % FILES_RATE_MIN_RATIO,
            lambda v: v >= FILES_RATE_MIN_RATIO, 'x floor')
    ao = async_over_sync(res, 'disk')
    add('async cheaper than sync on disk: files/s, CPU per file (median of rounds)',
        ao and (_median(ao[0]), _median(ao[1])), '> 1 x sync, < 1 x sync',
        lambda v: v[0] > 1 and v[1] < 1, 'x sync')
    no, sy = _get(res, 'files', 'disk', 'none'), _get(res, 'files', 'disk', 'sync')
    val = None
    if no and sy and sy['syscalls']:
        flushes = sum(v for k, v in sy['syscalls'].items() if k in FLUSH_CALLS)
        val = (flushes, sy['syscalls_per_file'] - no['syscalls_per_file'])
    add('sync over none on disk: flushes per file, extra system calls per file', val,
        '2 flushes, < %.1f calls' % SYNC_EXTRA_CALLS_MAX,
        lambda v: abs(v[0] - 2) < 0.05 and v[1] < SYNC_EXTRA_CALLS_MAX)
    for mode in ('intr', 'adaptive'):
        one, many = _get(res, 'scaling', mode, '1', 'idle'), _get(res, 'scaling', mode, '64', 'idle')
        val = None
        if one and many:
            val = (many['wakeups_per_s'] - one['wakeups_per_s'],
                   many['cpu_pct'] - one['cpu_pct'])
        add('idle cost flat 1 -> 64 devices (%s): extra wake-ups/s, CPU %%' % mode, val,
            '< %.1f/s, < %.2f %%' % (IDLE_WAKEUPS_MAX, IDLE_CPU_PCT_MAX),
            lambda v: v[0] < IDLE_WAKEUPS_MAX and v[1] < IDLE_CPU_PCT_MAX)
    return out


def _fmt(v, f='%.1f'):
    if v is None:
        return '-'
    if isinstance(v, (tuple, list)):
        return ', '.join(_fmt(x, '%.3f') for x in v)
    return f % v


def _rows(title, header, rows):
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    lines = [title]
    for r in [header] + rows:
        cells = [str(c).ljust(widths[i]) if i == 0 else str(c).rjust(widths[i])
                 for i, c in enumerate(r)]
        lines.append('  ' + '  '.join(cells).rstrip())
    return '\n'.join(lines) + '\n\n'


def table(res):
    modes = list(res['modes'])
    m = res['modes']
    mc = res['machine']
    out = ['hvdev benchmark, %s; %d CPUs, Linux %s; load average %.2f before, %.2f after '
           '(a shared machine: compare ratios within this run, not runs)\n' %
           (time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime()), mc['cpus'], mc['kernel'],
            mc['load_before'][0], mc['load_after'][0]),
           'files on %s; %.0f s in all\n\n' % (res.get('tmpfs'), res['elapsed_s'])]
    c = res['config']
    rows = []
    for label, key, f in (
            ('%d MiB copy, MB/s' % c['big_mib'], ('big', 'mb_per_s'), '%.1f'),
            ('  service CPU, s', ('big', 'service_cpu_s'), '%.2f'),
            ('  host (dpdk-hvsim) CPU, s', ('big', 'host_cpu_s'), '%.2f'),
            ('  elapsed, s', ('big', 'seconds'), '%.2f'),
            ('%d x 4 KiB files, files/s' % c['small_files'], ('small', 'files_per_s'), '%.0f'),
            ('  service CPU per file, us', ('small', 'service_cpu_us_per_file'), '%.0f'),
            ('  host CPU per file, us', ('small', 'host_cpu_us_per_file'), '%.0f')):
        rows.append([label] + [_fmt(_get(m[x], *key), f) for x in modes])
    if c.get('repeat', 1) > 1:
        for label, key in (('  large copy runs, MB/s', 'big_runs'),
                           ('  small files runs, files/s', 'small_runs')):
            rows.append([label] + [' '.join('%.0f' % v for v in m[x].get(key, [])) or '-'
                                   for x in modes])
    if any(_get(m[x], 'big') or _get(m[x], 'small') for x in modes):
        out.append(_rows('fcopy through the simulated host (sha256 of the large file and '
                         'every 1 in 100 small files verified)', ['throughput'] + modes, rows))
    rows = []
    for i, fl in enumerate(res.get('floor') or []):
        lat = fl['latency_us']
        rows.append(['floor (%s)' % ('start', 'end')[i], _fmt(lat['p50']), _fmt(lat['p99']),
                     _fmt(lat['p99_9']), '-', '-'])
    for x in modes:
        lat = _get(m[x], 'latency')
        if lat:
            rows.append([x, _fmt(lat['latency_us']['p50']), _fmt(lat['latency_us']['p99']),
                         _fmt(lat['latency_us']['p99_9']),
                         '%.0f' % lat['throughput']['packets_per_s'],
                         '%.0f' % lat['cpu_us']['thread_percent']])
    if rows:
        out.append(_rows('round trip of 64 B, guest and host in separate processes; floor: '
                         'bare wake-up ping-pong between two processes (us)',
                         ['', 'p50', 'p99', 'p99.9', 'trips/s', 'guest CPU %'], rows))
    rows = []
    for x in modes:
        i, h = _get(m[x], 'idle'), _get(m[x], 'host_idle')
        if i:
            rows.append([x, '%.4f' % i['cpu_pct'], '%.2f' % i['wakeups_per_s'],
                         '%.2f' % i['ctx_per_s'], i['threads'], '%.4f' % h['cpu_pct'],
                         '%.2f' % h['wakeups_per_s']])
    if rows:
        out.append(_rows('idle, %.0f s with the channel open and nothing arriving' %
                         c['idle_s'], ['', 'svc CPU %', 'wake-ups/s', 'ctx sw/s', 'threads',
                                       'host CPU %', 'host wake-ups/s'], rows))
        wakers = ['  %s: service %s; host %s' % (
            x, ', '.join('%s %.2f/s' % kv for kv in m[x]['idle']['wakers'].items()) or 'none',
            ', '.join('%s %.2f/s' % kv for kv in m[x]['host_idle']['wakers'].items()) or 'none')
            for x in modes if _get(m[x], 'idle', 'wakers') is not None and x != 'poll']
        if wakers:
            out.append('threads that woke while idle:\n' + '\n'.join(wakers) + '\n\n')
    rows = []
    for x in modes:
        ms, ma = _get(m[x], 'mem_start_kib'), _get(m[x], 'mem_after_big_kib')
        if ms:
            rows.append([x, '%.1f' % (ms['VmRSS'] / 1024),
                         _fmt(ma and ma['VmRSS'] / 1024), _fmt(ma and ma['VmHWM'] / 1024),
                         '%.0f' % (m[x]['startup_serving_s'] * 1000),
                         '%.0f' % (m[x]['startup_open_s'] * 1000)])
    if rows:
        out.append(_rows('service memory (MiB) and start-up (ms from exec)',
                         ['', 'RSS start', 'RSS after copy', 'HWM', 'to "serving"',
                          'host sees open'], rows))
    rows = []
    for x, per in res.get('scaling', {}).items():
        for n, s in per.items():
            i, b = s['idle'], s['busy']
            rows.append([x, n, '%.4f' % i['cpu_pct'], '%.2f' % i['wakeups_per_s'],
                         '%.0f' % b['round_trips_per_s'], _fmt(b['latency_us'].get('p50')),
                         _fmt(b['latency_us'].get('p99')), '%.0f' % b['cpu_pct'],
                         '%.0f' % b['host_cpu_pct']])
    if rows:
        out.append(_rows('scaling: N devices served by one lcore (dpdk-test-hvdev serve all), '
                         'host in another process; busy: one 64 B packet in flight per device',
                         ['', 'devices', 'idle CPU %', 'idle wake/s', 'busy trips/s',
                          'p50 us', 'p99 us', 'guest CPU %', 'host CPU %'], rows))
    rows = []
    for fs, kind, r in files_rows(res):
        s = r['small']
        flushes = sum(v for k, v in r['syscalls'].items() if k in FLUSH_CALLS)
        ra = _get(res, 'files', fs, 'ratios', kind)
        rows.append([fs, kind, '%.0f' % s['files_per_s'], '%.0f' % s['service_cpu_us_per_file'],
                     '%.0f' % s['host_cpu_us_per_file'],
                     '%.3f' % ra['rate'] if ra else '1', '%.3f' % ra['cpu'] if ra else '1',
                     _fmt(r['syscalls_per_file']),
                     _fmt(flushes if r['syscalls'] else None), _fmt(_get(r, 'big', 'mb_per_s'))])
    if rows:
        out.append(_rows('4 KiB files (%d per guest in %d interleaved rounds: floor, none, '
                         'async, sync, then backwards; medians of the rounds, ratios to the '
                         'floor of the same round) and the %d MiB copy, interrupt mode, state '
                         'directory on disk; floor: dpdk-test-hvdev floor-files (open/pwrite/'
                         'close per file, same ring and host); disk: %s; system calls of every '
                         'service thread from strace -c over %d more files' %
                         (c['small_files'], c.get('file_rounds', 1), c['big_mib'],
                          res.get('disk'), c.get('strace_files', 0)),
                         ['', 'guest', 'files/s', 'svc us/file', 'host us/file',
                          'files/s x fl', 'CPU x fl', 'calls/file', 'flushes/file',
                          'big MB/s'], rows))
        spread = []
        for fs in ('tmpfs', 'disk'):
            for kind, ra in sorted((_get(res, 'files', fs, 'ratios') or {}).items()):
                spread.append('  %s %s: files/s x floor %s; CPU x floor %s' % (
                    fs, kind, ' '.join('%.2f' % v for v in ra['rate_rounds']),
                    ' '.join('%.2f' % v for v in ra['cpu_rounds'])))
        if spread:
            out.append('per-round ratios to the floor:\n' + '\n'.join(spread) + '\n\n')
        calls = ['  %s %s: %s' % (fs, kind, ', '.join(
            '%s %.2f' % kv for kv in sorted(r['syscalls'].items(), key=lambda kv: -kv[1])
            if kv[1] >= 0.05)) for fs, kind, r in files_rows(res) if r['syscalls']]
        if calls:
            out.append('system calls per file (>= 0.05):\n' + '\n'.join(calls) + '\n\n')
    rows = [[t['target'], _fmt(t['measured'], '%.3f') + (' ' + t.get('unit', '')
                                                         if t['measured'] is not None else ''),
             t['limit'], t['result']] for t in res['targets']]
    out.append(_rows('targets', ['', 'measured', 'limit', 'result'], rows))
    return ''.join(out)


def _legend(a, size):
    if a.get_legend_handles_labels()[0]:
        a.legend(fontsize=size)


def plot(res, path):
    """bench.png: throughput, latency against the floor, idle cost, scaling. @return False
    without matplotlib."""
    try:
        import matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    m = res['modes']
    modes = list(m)
    files = res.get('files') or {}
    fig, ax = plt.subplots(3 if files else 2, 2, figsize=(11, 11 if files else 7.5))
    a = ax[0][0]
    big = [_get(m[x], 'big', 'mb_per_s') or 0 for x in modes]
    small = [_get(m[x], 'small', 'files_per_s') or 0 for x in modes]
    xs = range(len(modes))
    a.bar([x - 0.2 for x in xs], big, 0.4, label='large file, MB/s', color='tab:blue')
    a.set_ylabel('MB/s (large file)')
    a2 = a.twinx()
    a2.bar([x + 0.2 for x in xs], small, 0.4, label='4 KiB files, files/s', color='tab:orange')
    a2.set_ylabel('files/s (4 KiB files)')
    a.set_xticks(list(xs), modes)
    a.set_title('fcopy throughput (blue: MB/s, orange: files/s)')
    a = ax[0][1]
    names, p50, p99 = [], [], []
    if res.get('floor'):
        names.append('floor')
        p50.append(floor_p50(res))
        p99.append(min(f['latency_us']['p99'] for f in res['floor']))
    for x in modes:
        lat = _get(m[x], 'latency', 'latency_us')
        if lat:
            names.append(x)
            p50.append(lat['p50'])
            p99.append(lat['p99'])
    xs = range(len(names))
    a.bar([x - 0.2 for x in xs], p50, 0.4, label='p50')
    a.bar([x + 0.2 for x in xs], p99, 0.4, label='p99')
    a.set_xticks(list(xs), names)
    a.set_ylabel('us')
    a.set_title('64 B round trip vs. bare wake-up floor')
    _legend(a, 8)
    a = ax[1][0]
    cpu = [_get(m[x], 'idle', 'cpu_pct') or 0 for x in modes]
    wk = [_get(m[x], 'idle', 'wakeups_per_s') or 0 for x in modes]
    a.bar([x - 0.2 for x in range(len(modes))], cpu, 0.4, label='CPU % of a core')
    a.bar([x + 0.2 for x in range(len(modes))], wk, 0.4, label='wake-ups/s')
    a.set_xticks(list(range(len(modes))), modes)
    a.set_yscale('symlog', linthresh=0.1)
    a.set_ylim(bottom=0)
    a.set_title('service idle cost')
    _legend(a, 8)
    a = ax[1][1]
    for x, per in res.get('scaling', {}).items():
        ns = [int(n) for n in per]
        a.plot(ns, [per[n]['busy']['latency_us'].get('p50', 0) for n in per], 'o-',
               label='%s busy p50 (us)' % x)
        a.plot(ns, [per[n]['idle']['cpu_pct'] for n in per], 'x--',
               label='%s idle CPU %%' % x)
    a.set_xscale('log')
    a.set_yscale('symlog', linthresh=1)
    a.set_ylim(bottom=0)
    a.set_xlabel('devices on one lcore')
    a.set_title('scaling')
    _legend(a, 7)
    if files:
        names = ['%s\n%s' % (fs, k) for fs, k, _ in files_rows(res)]
        rows = [r for _, _, r in files_rows(res)]
        for r in rows:
            r.setdefault('syscalls_per_file', None)
        xs = range(len(rows))
        a = ax[2][0]
        a.bar(list(xs), [r['small']['files_per_s'] for r in rows], 0.6, color='tab:orange')
        a.set_title('4 KiB files: floor and durability levels, tmpfs and disk (medians)')
        a.set_xticks(list(xs), names, fontsize=7)
        a.set_ylabel('files/s')
        a = ax[2][1]
        a.bar([x - 0.2 for x in xs], [r['small']['service_cpu_us_per_file'] for r in rows], 0.4,
              label='guest CPU us per file')
        a.bar([x + 0.2 for x in xs], [r['syscalls_per_file'] or 0 for r in rows], 0.4,
              label='system calls per file')
        a.set_xticks(list(xs), names, fontsize=7)
        a.set_title('cost per 4 KiB file')
        _legend(a, 8)
    fig.tight_layout()
    fig.savefig(path, dpi=72)
    plt.close(fig)
    return True
