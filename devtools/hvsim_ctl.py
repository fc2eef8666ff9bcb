# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The hvdev authors
"""Client of dpdk-hvsim serve's control socket, ROOT/hvsim.sock (app/hvsim/ctl.c).

One request per connection: a line "word key=value ...", values percent-encoded (every byte up
to and including space, '%' and DEL); the server answers with lines of the same form and ends
with "ok ..." or "error ...". The format is in doc/guides/tools/dpdk-hvsim.rst. Used by
devtools/soak.py and devtools/bench.py.
"""
import os
import socket


def encode(value):
    """The percent-encoded bytes of the string value."""
    out = bytearray()
    for b in value.encode('utf-8', 'surrogateescape'):
        if b <= 0x20 or b in (0x25, 0x7f):
            out += b'%%%02X' % b
        else:
            out.append(b)
    return bytes(out)


def decode(raw):
    """The string of the percent-encoded bytes raw."""
    out = bytearray()
    i = 0
    while i < len(raw):
        if raw[i] == 0x25 and i + 2 < len(raw):
            out.append(int(raw[i + 1:i + 3], 16))
            i += 3
        else:
            out.append(raw[i])
            i += 1
    return out.decode('utf-8', 'surrogateescape')


def parse_line(raw):
    """(word, {key: value}) of one line (bytes, with or without its newline)."""
    words = raw.rstrip(b'\n').split(b' ')
    fields = {}
    for w in words[1:]:
        k, _, v = w.partition(b'=')
        fields[k.decode()] = decode(v)
    return words[0].decode(), fields


def request(root, word, fields, timeout, on_line=None):
    """Send one request; call on_line(word, fields) for each line before the last one; return
    the last line as (word, fields), word 'ok' or 'error'. Raises OSError (ConnectionError
    when the server closes the connection without an answer, socket.timeout after timeout s).
    """
    line = word.encode() + b''.join(b' ' + k.encode() + b'=' + encode(str(v))
                                    for k, v in fields.items()) + b'\n'
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(os.path.join(root, 'hvsim.sock'))
        s.sendall(line)
        with s.makefile('rb') as f:
            while True:
                raw = f.readline()
                if not raw.endswith(b'\n'):
                    raise ConnectionError(f'{word}: the serve process closed the '
                                          'connection without an answer')
                w, fl = parse_line(raw)
                if w in ('ok', 'error'):
                    return w, fl
                if on_line is not None:
                    on_line(w, fl)
