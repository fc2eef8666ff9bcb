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
With --system-dpdk instead (a -Ddpdk_version=22.11 build): the example built the same way on
the system's shared DPDK 22.11 (Debian's libdpdk-dev) and hvdev's install, and run on them.

5. test/install_hvsim_host.c built the same way on libhvsim.pc, statically and shared, plays
   the host for the static example (the simulator library and the DPDK ring buffer code it
   carries, from outside the tree).

Usage: check_install.py --meson M --build-dir B --cc 'CC FLAGS' --example SRC --hvsim EXE --prefix P
  --libdir L --includedir I --abi A --version V --version-map-class F --version-map-hvsim F
  --host-src C --header H... [--driver-sdk]
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
# The installed libraries: {name: does it export a version.map's symbols}.
LIBS = ('librte_hvdev', 'librte_hvdev_uio', 'librte_hvsim')


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
    want += [os.path.join(lib, 'pkgconfig', 'libhvsim.pc'),
             os.path.join(lib, 'pkgconfig', 'libhvsim-libs.pc')]
    for name in LIBS:
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
        check(not base.startswith('librte_') or base.startswith(LIBS),
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
    for name in LIBS:
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
    count = 0
    for name, vmap in (('librte_hvdev', a.version_map_class),
                       ('librte_hvsim', a.version_map_hvsim)):
        mapped = version_map(vmap)
        check(mapped, f'no symbols in {vmap}')
        exported = dyn_symbols(os.path.join(lib, f'{name}.so.{a.version}'))
        extra = sorted(set(exported) - set(mapped))
        missing = sorted(set(mapped) - set(exported))
        check(not extra, f'{name}.so exports symbols {vmap} does not list: {extra}')
        check(not missing, f'{name}.so does not export: {missing}')
        wrong = sorted(s for s in mapped if exported[s] != mapped[s])
        check(not wrong, f'{name}.so: symbols in the wrong version node: ' +
              ', '.join(f'{s}@{exported[s]} (map: {mapped[s]})' for s in wrong))
        count += len(exported)
    mapped = version_map(a.version_map_class)
    pmd = dyn_symbols(os.path.join(lib, f'librte_hvdev_uio.so.{a.version}'))
    check(not pmd, f'librte_hvdev_uio.so exports {sorted(pmd)}')
    check('librte_hvdev.so.' + a.abi in needed(
        os.path.join(lib, f'librte_hvdev_uio.so.{a.version}')),
        'librte_hvdev_uio.so does not need librte_hvdev.so')
    rc, out = run(['nm', '--defined-only', os.path.join(lib, 'librte_hvdev.a')], quiet=True)
    check(rc == 0, f'nm librte_hvdev.a: {out}')
    defined = set(re.findall(r' T (\w+)$', out, re.M))
    check(set(mapped) <= defined, f'librte_hvdev.a lacks {sorted(set(mapped) - defined)}')
    print(f'ok: sonames {a.abi}, {count} symbols exported as the version.map files say, '
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


def build_example(a, root, tmp, static, src=None, pc='libhvdev', name='ic_service'):
    """Step 4: the example (or src) built with cc and pkg-config alone."""
    src = src or a.example
    lib = os.path.join(root, a.prefix.lstrip('/'), a.libdir)
    env = dict(os.environ)
    # Only the sysroot's pkg-config files: the install's before the system's, so that the
    # system's own DPDK, if it has one, does not answer for the install's.
    env['PKG_CONFIG_LIBDIR'] = pc_dirs(a, root)
    env['PKG_CONFIG_PATH'] = os.path.join(lib, 'pkgconfig')
    env['PKG_CONFIG_SYSROOT_DIR'] = root
    cmd = ['pkg-config'] + (['--static'] if static else [])
    rc, cflags = run(cmd + ['--cflags', pc], env=env)
    check(rc == 0, f'pkg-config --cflags {pc} failed: {cflags}')
    rc, libs = run(cmd + ['--libs', pc], env=env)
    check(rc == 0, f'pkg-config --libs {pc} failed: {libs}')
    kind = 'static' if static else 'shared'
    exe = os.path.join(tmp, f'{name}_{kind}')
    # The example uses the experimental API, as any hvdev application does today.
    rc, out = run(a.cc.split() + ['-O2', '-Wall', '-Wextra', '-Werror', '-DALLOW_EXPERIMENTAL_API',
                   '-o', exe, src] + cflags.split() + libs.split())
    check(rc == 0, f'{os.path.basename(src)} does not build against the install ({kind})')
    deps = needed(exe)
    print(f'{os.path.basename(exe)} needs: {", ".join(deps)}', flush=True)
    main_lib = 'librte_hvsim' if pc == 'libhvsim' else 'librte_hvdev'
    if static:
        check(not [d for d in deps if d.startswith('librte_')],
              f'the static build needs shared DPDK or hvdev libraries: {deps}')
    else:
        check(f'{main_lib}.so.{a.abi}' in deps and
              (pc == 'libhvsim' or any(d.startswith('librte_eal.so.') for d in deps)),
              f'the shared build does not need {main_lib}.so.{a.abi} (and EAL): {deps}')
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


def example_cmd(a, root, exe, static, sim_root, prefix):
    """The example's command line and environment against a host under sim_root."""
    lib = os.path.join(root, a.prefix.lstrip('/'), a.libdir)
    env = dict(os.environ)
    cmd = [exe, '-l', '0', '--no-huge', '-m', '64', '--no-shconf', '--no-pci',
           '--no-telemetry', '--file-prefix=' + prefix, '--log-level=lib.eal:error']
    if not static:
        # The shared libraries from the sysroot; the PMD loaded as DPDK loads a driver.
        env['LD_LIBRARY_PATH'] = lib
        cmd += ['-d', os.path.join(lib, f'librte_hvdev_uio.so.{a.abi}')]
    cmd += [f'--vdev=hvdev_uio0,class=fcopy,root={sim_root}', '--', '--count', '1']
    return cmd, env


def run_example(a, root, tmp, exe, static):
    """The built example against dpdk-hvsim serve: it must answer the IC negotiation."""
    sim_root = os.path.join(tmp, 'sim-' + os.path.basename(exe))
    serve = Proc([a.hvsim, 'serve', '--root', sim_root])
    prefix = f'hvdev-install-{os.getpid()}-{"static" if static else "shared"}'
    try:
        serve.wait_line('ready')
        cmd, env = example_cmd(a, root, exe, static, sim_root, prefix)
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


def run_library_host(a, root, tmp, host, static_host, guest):
    """A host built on the installed librte_hvsim, with the static example as its guest."""
    sim_root = os.path.join(tmp, 'sim-' + os.path.basename(host))
    prefix = f'hvdev-install-{os.getpid()}-{os.path.basename(host)}'
    cmd, env = example_cmd(a, root, guest, True, sim_root, prefix)
    if not static_host:
        env['LD_LIBRARY_PATH'] = os.path.join(root, a.prefix.lstrip('/'), a.libdir)
    try:
        rc, out = run([host, sim_root] + cmd, env=env)
    finally:
        shutil.rmtree(os.path.join('/var/run/dpdk', prefix), ignore_errors=True)
    check(rc == 0 and 'host: answered 1 valid 1 framework 3.0 service 1.1' in out,
          f'{os.path.basename(host)}: the example did not answer its NEGOTIATE ({rc})')
    print(f'ok: {os.path.basename(host)} played the host for the example', flush=True)


def system_dpdk(a, tmp):
    """--system-dpdk: hvdev built against Debian 12's DPDK source (-Ddpdk_version=22.11),
    installed, and used by an application on the system's shared DPDK (Debian's
    libdpdk-dev): built with pkg-config alone in a sysroot of the system plus hvdev's install,
    run on the system's librte_eal.so.23 against dpdk-hvsim serve."""
    system_pc = os.path.join('/usr', a.libdir, 'pkgconfig', 'libdpdk.pc')
    if not os.path.exists(system_pc):
        print(f'SKIP: no system DPDK ({system_pc}; Debian\'s libdpdk-dev, which '
              'devtools/setup.sh installs for the 22.11 build)', flush=True)
        return 77
    root = os.path.join(tmp, 'sysroot')
    rc, out = run([a.meson, 'install', '-C', a.build_dir, '--no-rebuild',
                   '--skip-subprojects', '--destdir', root], quiet=True)
    check(rc == 0, f'meson install --skip-subprojects failed ({rc}): {out}')
    add_system(root)
    env = dict(os.environ, PKG_CONFIG_LIBDIR=pc_dirs(a, root), PKG_CONFIG_SYSROOT_DIR=root)
    rc, out = run(['pkg-config', '--modversion', 'libdpdk'], env=env)
    check(rc == 0 and out.startswith('22.11.'), f'the system DPDK is not 22.11: {out}')
    rc, out = run(['pkg-config', '--variable=pcfiledir', 'libdpdk'], env=env)
    # The directory it was found in, in the sysroot (a link to the system's).
    found = os.path.realpath(out.strip())
    check(found == os.path.realpath(os.path.dirname(system_pc)),
          f'libdpdk.pc is not the system\'s: {out.strip()} ({found})')
    exe = build_example(a, root, tmp, False)
    deps = needed(exe)
    check('librte_eal.so.23' in deps, f'the example does not need DPDK 22.11\'s EAL: {deps}')
    lib = os.path.join(root, a.prefix.lstrip('/'), a.libdir)
    rc, out = run(['ldd', exe], env=dict(os.environ, LD_LIBRARY_PATH=lib))
    check(re.search(r'librte_eal\.so\.23 => /(usr/)?lib/' + re.escape(a.libdir.split('/')[-1]),
                    out) is not None, 'the example does not run on the system\'s librte_eal')
    check(re.search(r'librte_hvdev\.so\.' + re.escape(a.abi) + ' => ' + re.escape(lib), out)
          is not None, 'the example does not run on the installed librte_hvdev')
    run_example(a, root, tmp, exe, False)
    return 0


def main():
    ap = argparse.ArgumentParser()
    for opt in ('meson', 'build-dir', 'cc', 'example', 'hvsim', 'prefix', 'libdir', 'includedir',
                'abi', 'version', 'version-map-class', 'version-map-hvsim', 'host-src'):
        ap.add_argument('--' + opt, required=True)
    ap.add_argument('--header', action='append', default=[])
    ap.add_argument('--driver-sdk', action='store_true')
    ap.add_argument('--man', action='append', default=[],
                    help='a man page the install must have (-Denable_docs=true)')
    ap.add_argument('--system-dpdk', action='store_true')
    a = ap.parse_args()
    # In the build directory: EAL refuses to load a driver (-d) from under a world-writable
    # directory such as /tmp.
    tmp = tempfile.mkdtemp(prefix='install-test-', dir=a.build_dir)
    try:
        if a.system_dpdk:
            ret = system_dpdk(a, tmp)
            if ret == 0:
                print('ok install on the system DPDK', flush=True)
            return ret
        dest = os.path.join(tmp, 'hvdev')
        rc, out = run([a.meson, 'install', '-C', a.build_dir, '--no-rebuild',
                       '--skip-subprojects', '--destdir', dest])
        check(rc == 0, f'meson install --skip-subprojects failed ({rc})')
        check_files(a, dest)
        check_libraries(a, dest)
        root = make_sysroot(a, tmp, dest)
        guests = {}
        for static in (True, False):
            guests[static] = build_example(a, root, tmp, static)
            run_example(a, root, tmp, guests[static], static)
        for static in (True, False):
            host = build_example(a, root, tmp, static, a.host_src, 'libhvsim', 'hvsim_host')
            run_library_host(a, root, tmp, host, static, guests[True])
    except CheckError as e:
        print(f'FAILED: {e}', flush=True)
        return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print('ok install', flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
