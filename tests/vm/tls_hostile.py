#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Hostile TLS clients for tests/vm/tls.sh.

Usage: tls_hostile.py HOST PORT KIND COUNT
  garbage    a handshake record header with garbage after it, then close
  truncated  the first half of a real ClientHello, then close
  vanish     a whole ClientHello, then close without reading the answer
  silent     a whole ClientHello, then nothing: keeps the socket open until
             the server closes it (prints how many seconds that took)
Prints "<kind> <count> done"; exit 1 if a connection could not be made.
"""
import socket
import ssl
import sys
import time


def client_hello(server_name):
    """The bytes of a real ClientHello, from Python's own TLS client."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(incoming, outgoing, server_hostname=server_name)
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()


def main():
    host, port, kind, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    hello = client_hello("a.test")
    for _ in range(count):
        s = socket.create_connection((host, port), timeout=10)
        if kind == "garbage":
            s.sendall(b"\x16\x03\x01\x00\x20" + b"\xff" * 32)
        elif kind == "truncated":
            s.sendall(hello[: len(hello) // 2])
        elif kind == "vanish":
            s.sendall(hello)
        elif kind == "silent":
            s.sendall(hello)
            s.settimeout(600)
            t0 = time.monotonic()
            try:
                while s.recv(65536):
                    pass
            except OSError:
                pass
            print(f"closed after {time.monotonic() - t0:.0f}s")
        else:
            sys.exit(f"tls_hostile.py: unknown kind {kind}")
        # SO_LINGER 0 on some: a reset instead of a FIN, as a client that
        # crashed would leave.
        if kind == "vanish":
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        s.close()
    print(f"{kind} {count} done")


if __name__ == "__main__":
    main()
