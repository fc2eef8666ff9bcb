# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The hvdev authors
"""The install test: what "meson install" puts where, and an application built on it.

1. "meson install --skip-subprojects --destdir D" installs hvdev's files, and no DPDK file:
   no librte_* but hvdev's, no libdpdk*.pc, no rte_* header but hvdev's public ones (the
   driver header only with -Ddriver_sdk=true), no DPDK tool.
2. The libraries: sonames with the ABI version and their symbolic links; the shared class
   library exports exactly what lib/hvdev/version.map lists, each symbol in its version node
   (nm -D); the shared PMD exports nothing; the static libraries define the same symbols.
3. A plain "meson install" (also DPDK's files) fails, naming --skip-subprojects.
4. A sysroot holding the DPDK that build installs (standing for the system's DPDK 25.11) and
   hvdev's install: examples/hvdev_ic_service is built there with cc and pkg-config alone
   (PKG_CONFIG_LIBDIR and PKG_CONFIG_SYSROOT_DIR into the sysroot), statically and on the
   shared libraries, and each binary answers the IC negotiation of "dpdk-hvsim serve" (from
   the build tree), as the examples suite does.

Usage: check_install.py --meson M --build-dir B --cc 'CC FLAGS' --example SRC --hvsim EXE --prefix P
  --libdir L --includedir I --abi A --version-map-class F --header H... [--driver-sdk]
"""
import argparse
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading

TIMEOUT = 120


class CheckError(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise CheckError(msg)


def run(cmd, env=None, quiet=False):
    """Run cmd, return (exit code, stdout + stderr)."""
    print('$ ' + ' '.join(cmd), flush=True)
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, env=env,
                           check=False)
    except subprocess.TimeoutExpired as e:
        raise CheckError(f'{cmd[0]}: timed out after {TIMEOUT} s') from e
    out = p.stdout + p.stderr
    if not quiet:
        print(out, end='', flush=True)
    return p.returncode, out


def tree(root):
    """Every file and symbolic link under root, as paths relative to it."""
    found = set()
    for d, _, files in os.walk(root):
        for f in files:
            found.add(os.path.relpath(os.path.join(d, f), root))
    return found


def version_map(path):
    """{symbol: version node} of a linker version script (DPDK's layout)."""
    syms = {}
    node = None
    scope = None
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.split('#')[0].strip()
            m = re.match(r'^([A-Za-z_][A-Za-z0-9_.]*)\s*{', line)
            if m:
                node, scope = m.group(1), None
            elif line.startswith(('global:', 'local:')):
                scope, _, line = line.partition(':')
                line = line.strip()
            if line.startswith('}'):
                node = None
            elif line.endswith(';') and scope == 'global' and node is not None:
                syms[line[:-1].strip()] = node
    return syms


def dyn_symbols(lib):
    """{symbol: version} of the defined dynamic symbols of lib (nm -D)."""
    rc, out = run(['nm', '-D', '--defined-only', lib], quiet=True)
    check(rc == 0, f'nm -D {lib} failed: {out}')
    syms = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) != 3 or parts[1] == 'A':
            continue	# the version nodes themselves
        name, _, ver = parts[2].partition('@')
        syms[name] = ver.lstrip('@')
    return syms


def soname(lib):
    rc, out = run(['readelf', '-d', lib], quiet=True)
    check(rc == 0, f'readelf -d {lib} failed: {out}')
    m = re.search(r'\(SONAME\).*\[(.*)\]', out)
    return m.group(1) if m else None


def needed(path):
    rc, out = run(['readelf', '-d', path], quiet=True)
    check(rc == 0, f'readelf -d {path} failed: {out}')
    return re.findall(r'\(NEEDED\).*\[(.*)\]', out)


def check_files(a, dest):
    """Step 1: hvdev's files are there, DPDK's are not."""
    files = tree(dest)
    print('installed:\n  ' + '\n  '.join(sorted(files)), flush=True)
    p = a.prefix.lstrip('/')
    lib = os.path.join(p, a.libdir)
    inc = os.path.join(p, a.includedir)
    want = [os.path.join(p, 'bin', 'dpdk-hvsim'), os.path.join(p, 'bin', 'dpdk-test-hvdev'),
            os.path.join(p, 'sbin', 'dpdk-hv-fcopy'),
            os.path.join(lib, 'pkgconfig', 'libhvdev.pc'),
            os.path.join(lib, 'pkgconfig', 'libhvdev-libs.pc'),
            os.path.join(p, 'lib', 'systemd', 'system', 'dpdk-hv-fcopy.service'),
            os.path.join(p, 'lib', 'udev', 'rules.d', '70-hv-fcopy.rules'),
            os.path.join(p, 'share', 'doc', 'dpdk-hv-fcopy', 'dpdk-hv-fcopy.conf')]
    for name in ('librte_hvdev', 'librte_hvdev_uio'):
        want += [os.path.join(lib, name + suffix) for suffix in
                 ('.a', '.so', '.so.' + a.abi, '.so.' + a.version)]
    want += [os.path.join(inc, os.path.basename(h)) for h in a.header]
    for f in want:
        check(f in files, f'not installed: {f}')
    # The man pages are built from the guides with -Denable_docs=true (--man lists them, as
    # mandir/manN/PAGE); without it none is installed.
    for page in a.man:
        check(os.path.join(p, page) in files, f'man page not installed: {page}')
    if a.man:
        check(os.path.join(p, 'share', 'doc', 'hvdev', 'html', 'index.html') in files,
              'the HTML guides are not installed')
    else:
        check(not any(re.search(r'/man/man\d/', f) for f in files),
              'man pages installed without -Denable_docs=true')
    headers = {os.path.basename(h) for h in a.header}
    pmd_header = os.path.join(inc, 'rte_hvdev_pmd.h')
    if a.driver_sdk:
        check(pmd_header in files, '-Ddriver_sdk=true but rte_hvdev_pmd.h is not installed')
        headers.add('rte_hvdev_pmd.h')
    else:
        check(pmd_header not in files, 'rte_hvdev_pmd.h installed without -Ddriver_sdk=true')
    for f in files:
        base = os.path.basename(f)
        check(not base.startswith('librte_') or base.startswith('librte_hvdev'),
              f'a DPDK library was installed: {f}')
        check(not base.startswith('libdpdk'), f'DPDK\'s pkg-config file was installed: {f}')
        check(not (base.startswith('rte_') and base.endswith('.h')) or base in headers,
              f'a header that is not hvdev\'s public one was installed: {f}')
        check(not base.startswith('dpdk-') or base.startswith(('dpdk-hv', 'dpdk-test-hvdev')),
              f'a DPDK tool was installed: {f}')
        check('/dpdk/' not in '/' + f + '/' or 'dpdk-hv-fcopy' in f,
              f'a file in a dpdk directory (DPDK\'s usertools, examples or drivers): {f}')
    print(f'ok: {len(files)} files, hvdev\'s only', flush=True)


def check_libraries(a, dest):
    """Step 2: sonames, links, exported symbols."""
    lib = os.path.join(dest, a.prefix.lstrip('/'), a.libdir)
    for name in ('librte_hvdev', 'librte_hvdev_uio'):
        real = os.path.join(lib, f'{name}.so.{a.version}')
        want = f'{name}.so.{a.abi}'
        check(soname(real) == want, f'{real}: soname {soname(real)}, want {want}')
        check(os.readlink(os.path.join(lib, want)) == os.path.basename(real),
              f'{want} does not point to {os.path.basename(real)}')
        check(os.readlink(os.path.join(lib, name + '.so')) == want,
              f'{name}.so does not point to {want}')
        deps = needed(real)
        check(any(d.startswith('librte_eal.so.') for d in deps),
              f'{name}.so does not link DPDK\'s shared EAL: {deps}')
    mapped = version_map(a.version_map_class)
    check(mapped, f'no symbols in {a.version_map_class}')
    exported = dyn_symbols(os.path.join(lib, f'librte_hvdev.so.{a.version}'))
    extra = sorted(set(exported) - set(mapped))
    missing = sorted(set(mapped) - set(exported))
    check(not extra, f'librte_hvdev.so exports symbols version.map does not list: {extra}')
    check(not missing, f'librte_hvdev.so does not export: {missing}')
    wrong = sorted(s for s in mapped if exported[s] != mapped[s])
    check(not wrong, f'symbols in the wrong version node: ' +
          ', '.join(f'{s}@{exported[s]} (map: {mapped[s]})' for s in wrong))
    pmd = dyn_symbols(os.path.join(lib, f'librte_hvdev_uio.so.{a.version}'))
    check(not pmd, f'librte_hvdev_uio.so exports {sorted(pmd)}')
    check('librte_hvdev.so.' + a.abi in needed(
        os.path.join(lib, f'librte_hvdev_uio.so.{a.version}')),
        'librte_hvdev_uio.so does not need librte_hvdev.so')
    rc, out = run(['nm', '--defined-only', os.path.join(lib, 'librte_hvdev.a')], quiet=True)
    check(rc == 0, f'nm librte_hvdev.a: {out}')
    defined = set(re.findall(r' T (\w+)$', out, re.M))
    check(set(mapped) <= defined, f'librte_hvdev.a lacks {sorted(set(mapped) - defined)}')
    print(f'ok: sonames {a.abi}, {len(exported)} symbols exported as version.map says, '
          'the PMD exports none', flush=True)


def make_sysroot(a, tmp, hvdev_dest):
    """Step 3, and a sysroot with the build's DPDK (the plain install minus hvdev's files)
    plus hvdev's install."""
    root = os.path.join(tmp, 'sysroot')
    rc, out = run([a.meson, 'install', '-C', a.build_dir, '--no-rebuild', '--destdir', root],
                  quiet=True)
    print('\n'.join(line for line in out.splitlines() if 'hvdev' in line), flush=True)
    check(rc != 0, 'a plain meson install (DPDK\'s files too) did not fail')
    check('--skip-subprojects' in out and 'DPDK\'s files were installed' in out,
          'a plain meson install failed without naming --skip-subprojects')
    print('ok: a plain meson install fails and names --skip-subprojects', flush=True)
    for f in tree(hvdev_dest):
        os.unlink(os.path.join(root, f))
    lib = os.path.join(root, a.prefix.lstrip('/'), a.libdir)
    check(os.path.exists(os.path.join(lib, 'pkgconfig', 'libdpdk.pc')),
          'the plain install did not give a DPDK to build against')
    shutil.copytree(hvdev_dest, root, symlinks=True, dirs_exist_ok=True)
    add_system(root)
    return root


def add_system(root):
    """Make the system's own files visible in the sysroot (pkg-config files such as libbsd.pc,
    which DPDK's requires, and their headers): usr/include, usr/lib and usr/share as links to
    the system's, where the installs left them free. Done after every install into root, so
    that nothing is ever written through them."""
    for d in ('usr/include', 'usr/lib', 'usr/share'):
        path = os.path.join(root, d)
        if not os.path.lexists(path):
            os.makedirs(os.path.dirname(path), exist_ok=True)
            os.symlink('/' + d, path)
        else:
            print(f'note: {d} is part of the install (prefix {d}?); the system\'s files there '
                  'are not in the sysroot', flush=True)


def pc_dirs(a, root):
    """The sysroot's pkg-config directories: the install's first, then the system's."""
    return ':'.join([os.path.join(root, a.prefix.lstrip('/'), a.libdir, 'pkgconfig'),
                     os.path.join(root, 'usr', a.libdir, 'pkgconfig')
                     if not a.libdir.startswith('/') else '',
                     os.path.join(root, 'usr', 'lib', 'pkgconfig'),
                     os.path.join(root, 'usr', 'share', 'pkgconfig')])


def build_example(a, root, tmp, static):
    """Step 4: the example built with cc and pkg-config alone."""
    lib = os.path.join(root, a.prefix.lstrip('/'), a.libdir)
    env = dict(os.environ)
    # Only the sysroot's pkg-config files: the install's before the system's, so that the
    # system's own DPDK, if it has one, does not answer for the install's.
    env['PKG_CONFIG_LIBDIR'] = pc_dirs(a, root)
    env['PKG_CONFIG_PATH'] = os.path.join(lib, 'pkgconfig')
    env['PKG_CONFIG_SYSROOT_DIR'] = root
    pc = ['pkg-config'] + (['--static'] if static else [])
    rc, cflags = run(pc + ['--cflags', 'libhvdev'], env=env)
    check(rc == 0, f'pkg-config --cflags libhvdev failed: {cflags}')
    rc, libs = run(pc + ['--libs', 'libhvdev'], env=env)
    check(rc == 0, f'pkg-config --libs libhvdev failed: {libs}')
    exe = os.path.join(tmp, 'ic_service_' + ('static' if static else 'shared'))
    # The example uses the experimental API, as any hvdev application does today.
    rc, out = run(a.cc.split() + ['-O2', '-Wall', '-Wextra', '-Werror', '-DALLOW_EXPERIMENTAL_API',
                   '-o', exe, a.example] + cflags.split() + libs.split())
    check(rc == 0, f'the example does not build against the install ({"static" if static else "shared"})')
    deps = needed(exe)
    print(f'{os.path.basename(exe)} needs: {", ".join(deps)}', flush=True)
    if static:
        check(not [d for d in deps if d.startswith('librte_')],
              f'the static build needs shared DPDK or hvdev libraries: {deps}')
    else:
        check(f'librte_hvdev.so.{a.abi}' in deps and
              any(d.startswith('librte_eal.so.') for d in deps),
              f'the shared build does not need librte_hvdev.so.{a.abi} and EAL: {deps}')
    return exe


class Proc:
    """A background process whose output lines can be waited for."""

    def __init__(self, cmd):
        print('$ ' + ' '.join(cmd) + ' &', flush=True)
        self.p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  text=True)
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.p.stdout:
            self.lines.put(line.rstrip('\n'))
        self.lines.put(None)

    def wait_line(self, want):
        while True:
            try:
                line = self.lines.get(timeout=TIMEOUT)
            except queue.Empty as e:
                raise CheckError(f'no "{want}" from dpdk-hvsim within {TIMEOUT} s') from e
            check(line is not None, f'dpdk-hvsim exited before "{want}"')
            print('  | ' + line, flush=True)
            if line == want:
                return

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
        try:
            return self.p.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.p.kill()
            return self.p.wait()


def run_example(a, root, tmp, exe, static):
    """The built example against dpdk-hvsim serve: it must answer the IC negotiation."""
    sim_root = os.path.join(tmp, 'sim-' + os.path.basename(exe))
    serve = Proc([a.hvsim, 'serve', '--root', sim_root])
    prefix = f'hvdev-install-{os.getpid()}-{"static" if static else "shared"}'
    try:
        serve.wait_line('ready')
        lib = os.path.join(root, a.prefix.lstrip('/'), a.libdir)
        env = dict(os.environ)
        cmd = [exe, '-l', '0', '--no-huge', '-m', '64', '--no-shconf', '--no-pci',
               '--no-telemetry', '--file-prefix=' + prefix, '--log-level=lib.eal:error']
        if not static:
            # The shared libraries from the sysroot; the PMD loaded as DPDK loads a driver.
            env['LD_LIBRARY_PATH'] = lib
            cmd += ['-d', os.path.join(lib, f'librte_hvdev_uio.so.{a.abi}')]
        cmd += [f'--vdev=hvdev_uio0,class=fcopy,root={sim_root}', '--', '--count', '1']
        rc, out = run(cmd, env=env)
        check(rc == 0, f'{os.path.basename(exe)} exited with {rc}')
        check('negotiated framework 3.0, service 1.1' in out,
              f'{os.path.basename(exe)} did not negotiate framework 3.0, service 1.1')
        rc, out = run([a.hvsim, 'list', '--root', sim_root])
        check(rc == 0 and 'opens=1 ' in out and 'rx_packets=1 ' in out and
              'guest_errors=0 ' in out, 'the host did not see one open, one answer, no error')
    finally:
        check(serve.stop() == 0, 'dpdk-hvsim serve did not exit cleanly')
        shutil.rmtree(os.path.join('/var/run/dpdk', prefix), ignore_errors=True)
    print(f'ok: {os.path.basename(exe)} answered the simulated host', flush=True)


def main():
    ap = argparse.ArgumentParser()
    for opt in ('meson', 'build-dir', 'cc', 'example', 'hvsim', 'prefix', 'libdir', 'includedir',
                'abi', 'version', 'version-map-class'):
        ap.add_argument('--' + opt, required=True)
    ap.add_argument('--header', action='append', default=[])
    ap.add_argument('--driver-sdk', action='store_true')
    ap.add_argument('--man', action='append', default=[],
                    help='a man page the install must have (-Denable_docs=true)')
    a = ap.parse_args()
    # In the build directory: EAL refuses to load a driver (-d) from under a world-writable
    # directory such as /tmp.
    tmp = tempfile.mkdtemp(prefix='install-test-', dir=a.build_dir)
    try:
        dest = os.path.join(tmp, 'hvdev')
        rc, out = run([a.meson, 'install', '-C', a.build_dir, '--no-rebuild',
                       '--skip-subprojects', '--destdir', dest])
        check(rc == 0, f'meson install --skip-subprojects failed ({rc})')
        check_files(a, dest)
        check_libraries(a, dest)
        root = make_sysroot(a, tmp, dest)
        for static in (True, False):
            exe = build_example(a, root, tmp, static)
            run_example(a, root, tmp, exe, static)
    except CheckError as e:
        print(f'FAILED: {e}', flush=True)
        return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print('ok install', flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
