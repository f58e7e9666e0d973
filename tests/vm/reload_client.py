#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Keep-alive clients for tests/vm/reload.sh: connections that live across
a reload, so the test can see what the retired generation does with them.

  hold PORT PATH READY GO   one request, then READY is created; once GO
                            exists, a second request on the same
                            connection: prints "status=N close=0|1
                            body=TEXT" for it, then "eof=1" if the server
                            closed the connection after it (within 10 s).
  idle PORT PATH READY      one request, READY created, then waits for the
                            server to close: prints "idle_closed_after=S"
                            (seconds, -1 if not within 300 s).
"""
import os
import socket
import sys
import time


def request(sock, path):
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise EOFError("closed before the head")
        buf += chunk
    head, body = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    fields = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        fields[name.strip().lower()] = value.strip()
    length = int(fields.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise EOFError("closed in the body")
        body += chunk
    return status, fields.get("connection", "").lower() == "close", body


def wait_file(path, secs):
    end = time.monotonic() + secs
    while not os.path.exists(path) and time.monotonic() < end:
        time.sleep(0.05)


def touch(path):
    with open(path, "w"):
        pass


def main():
    mode, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    request(sock, path)
    touch(sys.argv[4])
    if mode == "hold":
        wait_file(sys.argv[5], 300)
        status, close, body = request(sock, path)
        print(f"status={status} close={int(close)} body={body.decode(errors='replace').strip()}")
        sock.settimeout(10)
        try:
            print(f"eof={int(sock.recv(1) == b'')}")
        except OSError:
            print("eof=0")
    else:
        start = time.monotonic()
        sock.settimeout(300)
        try:
            closed = sock.recv(1) == b""
        except OSError:
            closed = False
        print(f"idle_closed_after={time.monotonic() - start:.1f}" if closed
              else "idle_closed_after=-1")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
