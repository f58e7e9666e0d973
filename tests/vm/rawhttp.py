#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Raw-socket HTTP checks that curl cannot express.

usage: rawhttp.py HOST PORT MODE [ARGS]
  status            send stdin as the request, print the response status
  bytewise          like status, but send the request one byte at a time
  keepalive P1 P2   two GETs on one connection: "S1 S2 same-connection(1/0)"
  pipeline P1 P2    both GETs in one write: "body1|body2"
  http10 P          HTTP/1.0 GET: "closed" if the server closes after it
  idle P            one GET with keep-alive, print "answered", then hold the
                    connection open until the server closes it
  count P...        pipeline GETs, print how many responses came before close
  crowd N P         hold N keep-alive connections (one GET answered on each),
                    then GET P on a new connection while they stay open:
                    "answered-on-crowd status-of-new"
  idleclose P       one GET, then wait: seconds until the server closes
  slowhead          send a request head one byte every 0.3 s, never ending
                    it: seconds until the server closes
"""
import http.client
import socket
import sys
import time

TIMEOUT = 60


def connect(host, port):
    s = socket.create_connection((host, port), timeout=TIMEOUT)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def read_status(sock):
    data = b""
    while b"\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    line = data.split(b"\r\n", 1)[0].split()
    return line[1].decode() if len(line) > 1 else "none"


def main():
    host, port, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    args = sys.argv[4:]
    if mode in ("status", "bytewise"):
        req = sys.stdin.buffer.read()
        s = connect(host, port)
        if mode == "status":
            s.sendall(req)
        else:
            for b in req:
                s.sendall(bytes([b]))
                time.sleep(0.002)
        print(read_status(s))
    elif mode == "keepalive":
        c = http.client.HTTPConnection(host, port, timeout=TIMEOUT)
        c.request("GET", args[0])
        r1 = c.getresponse()
        r1.read()
        sock1 = c.sock
        c.request("GET", args[1])
        r2 = c.getresponse()
        r2.read()
        print(r1.status, r2.status, int(c.sock is sock1 and sock1 is not None))
    elif mode == "pipeline":
        s = connect(host, port)
        req = "".join(f"GET {p} HTTP/1.1\r\nHost: x\r\n\r\n" for p in args)
        s.sendall(req.encode())
        f = s.makefile("rb")
        bodies = []
        for _ in args:
            status = f.readline()
            length = 0
            while True:
                h = f.readline()
                if h in (b"\r\n", b""):
                    break
                k, _, v = h.decode().partition(":")
                if k.lower() == "content-length":
                    length = int(v)
            bodies.append(f.read(length).decode().strip())
        print("|".join(bodies))
    elif mode == "http10":
        s = connect(host, port)
        s.sendall(f"GET {args[0]} HTTP/1.0\r\n\r\n".encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                print("closed")
                break
            data += chunk
    elif mode == "count":
        # The last request asks to close, so an unlimited server ends too.
        s = connect(host, port)
        req = "".join(f"GET {p} HTTP/1.1\r\nHost: x\r\n\r\n" for p in args[:-1])
        req += f"GET {args[-1]} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        s.sendall(req.encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        print(data.count(b"HTTP/1.1 "))
    elif mode == "idle":
        s = connect(host, port)
        s.sendall(f"GET {args[0]} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        s.recv(65536)
        print("answered", flush=True)
        try:
            s.recv(65536)  # blocks until the server goes away
        except OSError:
            pass
    elif mode == "crowd":
        n, path = int(args[0]), args[1]
        conns = [connect(host, port) for _ in range(n)]
        answered = 0
        for s in conns:
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        for s in conns:
            if read_status(s) == "200":
                answered += 1
        c = http.client.HTTPConnection(host, port, timeout=TIMEOUT)
        c.request("GET", path)
        r = c.getresponse()
        r.read()
        print(answered, r.status)
    elif mode == "idleclose":
        s = connect(host, port)
        s.sendall(f"GET {args[0]} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        s.recv(65536)
        start = time.time()
        try:
            while s.recv(65536):
                pass
        except OSError:
            pass
        print(round(time.time() - start))
    elif mode == "slowhead":
        s = connect(host, port)
        start = time.time()
        head = b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 1000
        try:
            for b in head:
                s.sendall(bytes([b]))
                time.sleep(0.3)
                if time.time() - start > TIMEOUT:
                    break
        except OSError:
            pass
        print(round(time.time() - start))
    else:
        sys.exit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
