#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The hvdev authors
"""Write the hand-made seed inputs of test/fuzz/corpus/<target>/ (see the targets' headers
for the input formats). Run from anywhere; existing seeds of the same name are replaced,
other files (crash reproducers, inputs kept from fuzzing runs) are left alone."""

import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
IC_HDR = 28


def put(target, name, data):
    d = os.path.join(HERE, 'corpus', target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, 'seed-' + name), 'wb') as f:
        f.write(data)


def ic_hdr(msgtype, body_len, xact=1, flags=3):
    # pipe flags, pipe size, framework 3.0, type, service 1.1, icmsgsize, status, xact, flags
    return struct.pack('<IIHHHHHHIBB2x', 0, body_len + IC_HDR - 8, 3, 0, msgtype, 1, 1,
                       body_len, 0, xact, flags)


def negotiate(fw, srv, nfw=None, nsrv=None):
    vers = b''.join(struct.pack('<HH', *v) for v in fw + srv)
    body = struct.pack('<HHI', len(fw) if nfw is None else nfw,
                       len(srv) if nsrv is None else nsrv, 0) + vers
    return ic_hdr(0, len(body), flags=3) + body


def pad8(b):
    return b + b'\0' * (-len(b) % 8)


# fuzz_ic: [counts][guest versions][payload]
def ic_input(fw, srv, payload):
    head = bytes([len(fw) | len(srv) << 4])
    head += b''.join(struct.pack('<HH', *v) for v in fw + srv)
    return head + payload


def seeds_ic():
    fw, srv = [(3, 0)], [(1, 1)]
    put('fuzz_ic', 'fcopy', ic_input(fw, srv, negotiate([(1, 0), (3, 0)], [(1, 1)])))
    put('fuzz_ic', 'kvp', ic_input([(3, 0), (1, 0)], [(4, 0), (3, 0), (1, 0)],
                                   negotiate([(3, 0)], [(5, 0), (4, 0), (3, 0)])))
    put('fuzz_ic', 'no-common', ic_input(fw, srv, negotiate([(3, 0)], [(2, 0)])))
    put('fuzz_ic', 'too-many', ic_input(fw, srv, negotiate([(3, 0)], [(1, 1)], nfw=101)))
    put('fuzz_ic', 'truncated', ic_input(fw, srv, negotiate([(3, 0)], [(1, 1)])[:40]))
    put('fuzz_ic', 'not-negotiate', ic_input(fw, srv, ic_hdr(7, 8) + b'\0' * 8))
    put('fuzz_ic', 'short', ic_input(fw, srv, ic_hdr(0, 0)[:20]))
    put('fuzz_ic', 'empty-lists', ic_input([], [], negotiate([(3, 0)], [(1, 1)])))
    # icmsgsize bounds the versions: the last one lies in the payload but past icmsgsize.
    nego = bytearray(negotiate([(1, 0), (3, 0)], [(1, 1)]))
    struct.pack_into('<H', nego, 18, 16)
    put('fuzz_ic', 'versions-past-icmsgsize', ic_input(fw, srv, bytes(nego)))
    # The service version cut inside the padding: 44 bytes, padded to 48.
    nego = bytearray(negotiate([(3, 0), (1, 0)], [(1, 1)]))
    struct.pack_into('<H', nego, 18, 16)
    put('fuzz_ic', 'cut-in-padding', ic_input(fw, srv, pad8(bytes(nego[:44]))))
    nego = bytearray(negotiate([(3, 0)], [(1, 1)]))
    struct.pack_into('<H', nego, 18, 17)
    put('fuzz_ic', 'icmsgsize-over', ic_input(fw, srv, bytes(nego)))
    put('fuzz_ic', 'refusal-short', ic_input(fw, srv, negotiate([(3, 0)], [], nfw=0)))


# fuzz_utf16: [u16 dstlen][units]
def u16(s):
    return s.encode('utf-16-le')


def seeds_utf16():
    put('fuzz_utf16', 'ascii', struct.pack('<H', 200) + u16('hello.txt\0') + b'\0' * 8)
    put('fuzz_utf16', 'pair', struct.pack('<H', 200) + u16('d\u00e9\U0001f600.txt\0'))
    put('fuzz_utf16', 'lone-high', struct.pack('<H', 200) + b'a\0\x00\xd8b\0\0\0')
    put('fuzz_utf16', 'lone-low', struct.pack('<H', 200) + b'a\0\x00\xdc\0\0')
    put('fuzz_utf16', 'no-nul', struct.pack('<H', 200) + u16('abc'))
    put('fuzz_utf16', 'fits-exactly', struct.pack('<H', 5) + u16('\u20ac\0'))
    put('fuzz_utf16', 'too-long', struct.pack('<H', 4) + u16('\u20ac\u20ac\0'))
    put('fuzz_utf16', 'high-last', struct.pack('<H', 64) + u16('ab') + b'\x3d\xd8')


def seeds_devargs():
    for name, text in [
            ('class', 'class=fcopy'),
            ('uuid', 'uuid={34d14be3-dee4-41c8-9ae7-6b174977c192}'),
            ('all', 'class=kvp,uuid=0e0b6031-5213-4934-818b-38d90ced39db,root=/tmp/x,'
             'wait_ms=100,ignore=0'),
            ('ignore', 'ignore=1'),
            ('bad-key', 'colour=blue'),
            ('bad-wait', 'wait_ms=-1'),
            ('relative-root', 'root=tmp'),
            ('bracket', 'root=[/a,b]'),
            ('empty-value', 'class=')]:
        put('fuzz_devargs', name, text.encode())


def seeds_config():
    conf = os.path.join(HERE, '..', '..', 'app', 'hv-fcopy', 'dpdk-hv-fcopy.conf')
    with open(conf, 'rb') as f:
        put('fuzz_config', 'shipped', b'\0' + f.read())
    put('fuzz_config', 'keys', b'\0' + b'''allowed_root = /srv/in
allowed_root = "/srv/with space "
file_mode = 0640
dir_mode = 0750
owner = 0
group = root
fsync = no
allow_exec = off
mode = adaptive
busy_poll_us = 10
log_syslog = yes
state_dir = /var/lib/x
transfer_timeout = 60
''')
    put('fuzz_config', 'errors', b'\0' + b'file_mode = 04755\nx\n = y\nmode = fast\n')
    put('fuzz_config', 'nul', b'\0' + b'mode = poll\0\n')
    put('fuzz_config', 'cmdline', b'\x01' + b'fsync = yes\n\0--allowed-root\0/data\0'
        b'--mode=poll\0--count\0' b'3\0--no-fsync\0--wait-device=-1\0')
    put('fuzz_config', 'cmdline-bad', b'\x01' + b'\0--file-mode\0' b'0777\0--bogus\0')


# fuzz_fcopy_proto: records [u8 kind][u16 len][bytes]
def rec(kind, data):
    return struct.pack('<BH', kind, len(data)) + data


def start(path, name, flags=0, size=0, xact=1):
    data = struct.pack('<IQ', flags, size) + path.encode('latin-1') + b'\0' + name.encode('latin-1')
    return rec(2 | xact << 2, data)


def write(offset, data, xact=2, size=None):
    body = struct.pack('<I32sIQI', 1, b'', 0, offset, len(data) if size is None else size)
    return rec(1 | xact << 2, body + data)


def op(code, xact=3):
    return rec(1 | xact << 2, struct.pack('<I32s', code, b''))


def raw_fcopy(body, size=None, xact=4):
    """A whole fcopy payload (kind 0) whose icmsgsize says size (default: the body's
    length), padded to 8 bytes as VMBus does."""
    return rec(0, pad8(ic_hdr(7, len(body) if size is None else size, xact) + body))


def start_body(path, name, flags=0, size=0):
    units = lambda t: t.encode('utf-16-le').ljust(520, b'\0')
    return struct.pack('<I32s', 0, b'') + units(name) + units(path) + struct.pack('<IQ', flags,
                                                                               size)


def write_body(offset, data, size=None):
    return struct.pack('<I32sIQI', 1, b'', 0, offset, len(data) if size is None else size) + data


EVENT_NEGOTIATE = rec(3, b'\x02')
EVENT_RESCIND = rec(3, b'\x00')


def seeds_fcopy():
    put('fuzz_fcopy_proto', 'copy', EVENT_NEGOTIATE + start('/@/root', 'a.txt', 0, 11) +
        write(0, b'hello ') + write(6, b'world') + op(2))
    put('fuzz_fcopy_proto', 'overwrite', start('/@/root', 'existing.txt', 1, 3) +
        write(0, b'new') + op(2))
    put('fuzz_fcopy_proto', 'exists', start('/@/root', 'existing.txt', 0, 3) +
        write(0, b'new') + op(2))
    put('fuzz_fcopy_proto', 'create-path', start('/@/root/x/y/z', 'f', 2, 4) +
        write(0, b'data') + op(2))
    put('fuzz_fcopy_proto', 'escape-up', start('/@/root/up', 'evil', 3, 1) +
        write(0, b'!') + op(2))
    put('fuzz_fcopy_proto', 'escape-abs', start('/@/root/abs', 'evil', 3, 1) +
        write(0, b'!') + op(2))
    put('fuzz_fcopy_proto', 'escape-up-create', start('/@/root/up/new', 'evil', 2, 1) +
        write(0, b'!') + op(2))
    put('fuzz_fcopy_proto', 'outside', start('/@', 'sentinel.txt', 1, 1) + write(0, b'!') +
        op(2))
    put('fuzz_fcopy_proto', 'dotdot', start('/@/root/..', 'x', 3, 0) + op(2))
    put('fuzz_fcopy_proto', 'symlink-name', start('/@/root', 'up', 1, 2) + write(0, b'ok') +
        op(2))
    put('fuzz_fcopy_proto', 'incomplete', start('/@/root', 'part', 0, 100) +
        write(0, b'x' * 50) + op(2))
    put('fuzz_fcopy_proto', 'cancel', start('/@/root', 'c', 0, 4) + write(0, b'abcd') +
        op(3) + op(2))
    put('fuzz_fcopy_proto', 'rescind', start('/@/root', 'r', 0, 4) + write(0, b'ab') +
        EVENT_RESCIND + write(2, b'cd') + op(2))
    put('fuzz_fcopy_proto', 'bad-write-size', start('/@/root', 'w', 0, 4) +
        write(0, b'abcd', size=7000) + op(2))
    put('fuzz_fcopy_proto', 'beyond-size', start('/@/root', 'b', 0, 4) +
        write(2, b'abcd') + op(2))
    put('fuzz_fcopy_proto', 'huge-offset', start('/@/root', 'h', 0, 4) +
        write(2 ** 62, b'abcd') + write(0, b'abcd') + op(2))
    put('fuzz_fcopy_proto', 'raw-negotiate', rec(0, negotiate([(3, 0)], [(1, 1)])) +
        rec(0, negotiate([(3, 0)], [(1, 1)])[:30]))
    put('fuzz_fcopy_proto', 'bad-utf16', start('/@/root', 'a\xfe\x00\xd8b', 0, 0) + op(2))
    put('fuzz_fcopy_proto', 'empty-file', start('/@/root/sub', 'zero', 0, 0) + op(2))
    # Lengths: icmsgsize, not the padded payload, bounds every body.
    st = start_body('/@/root', 'cut', 0, 4)
    put('fuzz_fcopy_proto', 'start-cut-in-padding', raw_fcopy(st[:-2]) + write(0, b'abcd') +
        op(2))
    put('fuzz_fcopy_proto', 'write-size-in-padding', start('/@/root', 'w3', 0, 8) +
        raw_fcopy(write_body(0, b'abcde', size=8)) + op(2))
    put('fuzz_fcopy_proto', 'complete-cut-in-padding', start('/@/root', 'c34', 0, 2) +
        write(0, b'ok') + raw_fcopy(struct.pack('<I32s', 2, b'')[:34]) + op(2))
    put('fuzz_fcopy_proto', 'icmsgsize-under', start('/@/root', 'u', 0, 8) +
        raw_fcopy(write_body(0, b'abcdefgh'), size=40) + op(2))
    # WRITE inside [0, file_size), and COMPLETE only when every byte arrived.
    put('fuzz_fcopy_proto', 'past-size', start('/@/root', 'one', 0, 1) +
        write(0, b'x' * 100) + write(1 << 40, b'y') + op(2))
    put('fuzz_fcopy_proto', 'twice-no-hole-filled', start('/@/root', 'twice', 0, 10) +
        write(5, b'abcde') + write(5, b'abcde') + write(10, b'') + op(2))
    put('fuzz_fcopy_proto', 'out-of-order', start('/@/root', 'ooo', 0, 12) +
        write(6, b'world!') + write(3, b'lo wo') + write(0, b'hel') + op(2))
    put('fuzz_fcopy_proto', 'many-ranges', start('/@/root', 'holes', 0, 140) +
        b''.join(write(2 * i + 1, b'z') for i in range(66)) + op(2))


# fuzz_ring: [rx windex][rx rindex][tx windex][tx rindex] (u16 each), then steps.
def ring_packet(type_, flags, xact, hlen_extra, data):
    # The harness reads the descriptor's extra header units and the padded payload.
    content = b'\0' * (8 * hlen_extra) + data + b'\0' * (-len(data) % 8)
    return struct.pack('<BHHQBH', 1, type_, flags, xact, hlen_extra, len(data)) + content


def recv(size):
    return struct.pack('<BH', 5, size)


def send(size, type_=6, flags=1):
    return struct.pack('<BHHB', 6, size, type_, flags)


def seeds_ring():
    zero = struct.pack('<HHHH', 0, 0, 0, 0)
    put('fuzz_ring', 'one-packet', zero + ring_packet(6, 0, 7, 0, b'hello world!') +
        recv(64))
    put('fuzz_ring', 'three-packets', zero + ring_packet(6, 1, 1, 0, b'a' * 40) +
        ring_packet(6, 0, 2, 1, b'b' * 8) + ring_packet(6, 0, 3, 3, b'') + recv(64) +
        recv(4) + recv(64) + recv(64) + recv(64))
    put('fuzz_ring', 'wrap', struct.pack('<HHHH', 4064, 4064, 4064, 4064) +
        ring_packet(6, 0, 9, 0, b'w' * 100) + recv(200) + send(100) + bytes([8]) +
        send(100))
    put('fuzz_ring', 'send-full', zero + send(2000) + send(2000) + send(2000) +
        bytes([8]) + send(2000))
    put('fuzz_ring', 'bad-windex', zero + struct.pack('<BI', 2, 5000) + recv(64) + send(8))
    put('fuzz_ring', 'moved-rindex', zero + ring_packet(6, 0, 1, 0, b'x' * 16) +
        struct.pack('<BI', 3, 8) + recv(64))
    put('fuzz_ring', 'bad-descriptor', zero + struct.pack('<BHB', 0, 0, 16) +
        struct.pack('<HHHHQ', 6, 1, 400, 0, 0) + struct.pack('<BI', 2, 64) + recv(64))
    put('fuzz_ring', 'pending-send', zero + struct.pack('<BBI', 4, 2, 24) +
        ring_packet(6, 0, 1, 0, b'p' * 64) + recv(128) + bytes([9, 0]))
    put('fuzz_ring', 'tx-hostile', zero + struct.pack('<BI', 7, 4097) + send(8) +
        bytes([9, 0]))
    put('fuzz_ring', 'bad-start', struct.pack('<HHHH', 4100, 3, 0, 0) + recv(8))


# fuzz_kvp: [u8 mode][bytes] (see fuzz_kvp.c); mode 2 pads a body to its whole structure.
def kvp_str(s, field):
    b = s.encode('utf-16-le', 'surrogatepass') + b'\0\0'
    return b + b'\0' * (field - len(b))


def kvp_value(vtype, key, value, ksize=None, vsize=None):
    k = kvp_str(key, 512)
    if isinstance(value, bytes):
        v = value + b'\0' * (2048 - len(value))
        vs = len(value)
    else:
        v = kvp_str(value, 2048)
        vs = 2 * (len(value.encode('utf-16-le')) // 2 + 1)
    ks = 2 * (len(key.encode('utf-16-le', 'surrogatepass')) // 2 + 1)
    return struct.pack('<III', vtype, ks if ksize is None else ksize,
                       vs if vsize is None else vsize) + k + v


def kvp_msg(op, pool, body):
    return struct.pack('<BBH', op, pool, 0) + body


def kvp_ip(op, adapter, ip='', subnet='', gateway='', dns='', family=0, dhcp=0):
    return struct.pack('<BB', op, 1) + kvp_str(adapter, 256) + struct.pack('<BB', family, dhcp) + \
        kvp_str(ip, 2048) + kvp_str(subnet, 2048) + kvp_str(gateway, 1024) + kvp_str(dns, 2048)


def seeds_kvp():
    put('fuzz_kvp', 'set', b'\0' + kvp_msg(1, 1, kvp_value(1, 'Key', 'Value')))
    put('fuzz_kvp', 'set-u32', b'\0' + kvp_msg(1, 0, kvp_value(4, 'n', struct.pack('<I', 7))))
    put('fuzz_kvp', 'set-qword', b'\0' + kvp_msg(1, 3, kvp_value(11, 'q', struct.pack('<Q', 9))))
    put('fuzz_kvp', 'get', b'\0' + kvp_msg(0, 1, kvp_value(1, 'Key', '')))
    put('fuzz_kvp', 'delete', b'\0' + kvp_msg(2, 1, struct.pack('<I', 8) + kvp_str('Key', 512)))
    put('fuzz_kvp', 'enum-pool', b'\0' + kvp_msg(3, 1, struct.pack('<I', 0) +
                                                 kvp_value(0, '', '', 0, 0)))
    put('fuzz_kvp', 'enum-auto', b'\2' + kvp_msg(3, 2, struct.pack('<I', 1)))
    put('fuzz_kvp', 'enum-auto-end', b'\2' + kvp_msg(3, 2, struct.pack('<I', 10)))
    put('fuzz_kvp', 'short-set', b'\2' + kvp_msg(1, 0, kvp_value(1, 'k', 'v')[:40]))
    put('fuzz_kvp', 'ip-get', b'\0' + kvp_ip(4, '00:15:5D:00:01:02'))
    put('fuzz_kvp', 'ip-set', b'\0' + kvp_ip(5, 'f8615163-df3e-46c5-913f-f2d2f965ed0e',
                                               '192.0.2.10', '255.255.255.0', '192.0.2.1',
                                               '192.0.2.53', 1, 0))
    put('fuzz_kvp', 'odd-key', b'\0' + kvp_msg(1, 0, kvp_value(1, 'Key', 'v', ksize=7)))
    put('fuzz_kvp', 'lone-surrogate', b'\0' + kvp_msg(1, 0, kvp_value(1, 'a\ud800', 'v')))
    put('fuzz_kvp', 'bad-pool', b'\2' + kvp_msg(3, 9, b''))
    put('fuzz_kvp', 'bad-op', b'\2' + kvp_msg(6, 0, b''))
    put('fuzz_kvp', 'icmsgsize-lies', b'\6' + struct.pack('<H', 9000) + kvp_msg(3, 0, b''))
    put('fuzz_kvp', 'negotiate', b'\x08' + struct.pack('<HHI', 2, 3, 0) +
        struct.pack('<HHHHHHHHHH', 1, 0, 3, 0, 3, 0, 4, 0, 5, 0))
    put('fuzz_kvp', 'raw-short', b'\1' + ic_hdr(2, 0)[:27])


if __name__ == '__main__':
    seeds_ic()
    seeds_utf16()
    seeds_devargs()
    seeds_config()
    seeds_fcopy()
    seeds_ring()
    seeds_kvp()
