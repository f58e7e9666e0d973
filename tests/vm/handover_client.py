#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Raw HTTP/1.1 clients for the hand-over tests (tests/vm/handover.sh).

usage: handover_client.py HOST PORT MODE [ARGS]
  sequence PATH...      one keep-alive connection, one GET after another;
                        prints "STATUS SERVER" per response
  pipeline PATH...      all GETs in one write on one connection; prints
                        "STATUS SERVER" per response, in order
  hold P1 P2 DIR        GET P1, print it, touch DIR/ready, wait for DIR/go,
                        then GET P2 on the same connection and print it
  from ADDR PATH        GET from source address ADDR; prints "STATUS BODY"
  post PATH FILE        POST FILE's bytes (Content-Length); prints the status
                        and the answer's length and sha256 (its text if
                        it is text/plain)
  chunked PATH FILE     PUT-like POST of FILE, chunked, with Expect:
                        100-continue; prints the body's length and sha256
Bodies are read by Content-Length or chunked coding, so every response on a
connection is delimited exactly; a response cut short is an error.
"""
import hashlib
import os
import socket
import sys
import time

TIMEOUT = 60


class Conn:
    def __init__(self, host, port, source=None):
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.s = socket.socket(family, socket.SOCK_STREAM)
        self.s.settimeout(TIMEOUT)
        if source:
            self.s.bind((source, 0))
        self.s.connect((host, port))
        self.host = host
        self.buf = b""

    def send(self, data):
        self.s.sendall(data)

    def _fill(self):
        chunk = self.s.recv(65536)
        if not chunk:
            raise EOFError("connection closed mid-response")
        self.buf += chunk

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exactly(self, n):
        while len(self.buf) < n:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def response(self, head_only=False):
        """Returns (status, headers dict lower-cased, body)."""
        status_line = self._line()
        parts = status_line.split(b" ", 2)
        status = int(parts[1])
        headers = {}
        while True:
            line = self._line()
            if not line:
                break
            name, _, value = line.partition(b":")
            headers[name.strip().lower().decode()] = value.strip().decode()
        if status == 100:  # interim: the real answer follows
            return self.response(head_only)
        if head_only or status in (204, 304) or 100 <= status < 200:
            return status, headers, b""
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int(self._line().split(b";")[0], 16)
                if size == 0:
                    while self._line():  # trailers
                        pass
                    return status, headers, body
                body += self._exactly(size)
                self._line()
        if "content-length" in headers:
            return status, headers, self._exactly(int(headers["content-length"]))
        # Delimited by close.
        while True:
            try:
                self._fill()
            except EOFError:
                body, self.buf = self.buf, b""
                return status, headers, body


def host_field(host):
    return f"[{host}]" if ":" in host else host


def get(path, host, close=False):
    return (f"GET {path} HTTP/1.1\r\nHost: {host_field(host)}\r\n"
            + ("Connection: close\r\n" if close else "") + "\r\n").encode()


def server_of(headers):
    return headers.get("server", "-").split("/")[0].split()[0]


def main():
    host, port, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    args = sys.argv[4:]
    if mode == "sequence":
        c = Conn(host, port)
        for p in args:
            c.send(get(p, host))
            st, h, _ = c.response()
            print(st, server_of(h), flush=True)
    elif mode == "pipeline":
        c = Conn(host, port)
        c.send(b"".join(get(p, host) for p in args))
        for _ in args:
            st, h, _ = c.response()
            print(st, server_of(h), flush=True)
    elif mode == "hold":
        p1, p2, d = args
        c = Conn(host, port)
        c.send(get(p1, host))
        st, h, _ = c.response()
        print(st, server_of(h), flush=True)
        open(os.path.join(d, "ready"), "w").close()
        deadline = time.time() + TIMEOUT
        while not os.path.exists(os.path.join(d, "go")):
            if time.time() > deadline:
                sys.exit("hold: no go")
            time.sleep(0.1)
        c.send(get(p2, host))
        st, h, _ = c.response()
        print(st, server_of(h), flush=True)
    elif mode == "from":
        src, p = args
        c = Conn(host, port, source=src)
        c.send(get(p, host, close=True))
        st, _, body = c.response()
        print(st, body.decode(errors="replace").strip().replace("\n", " "))
    elif mode in ("post", "chunked"):
        p, f = args
        data = open(f, "rb").read()
        c = Conn(host, port)
        if mode == "post":
            c.send(f"POST {p} HTTP/1.1\r\nHost: {host_field(host)}\r\nContent-Length: {len(data)}\r\n"
                   "Content-Type: application/octet-stream\r\n\r\n".encode() + data)
        else:
            c.send(f"POST {p} HTTP/1.1\r\nHost: {host_field(host)}\r\nTransfer-Encoding: chunked\r\n"
                   "Expect: 100-continue\r\nContent-Type: application/octet-stream\r\n\r\n"
                   .encode())
            # Wait for the 100 (Continue), as a client should, then send.
            while b"\r\n\r\n" not in c.buf:
                c._fill()
            if not c.buf.startswith(b"HTTP/1.1 100"):
                sys.exit("chunked: no 100-continue: %r" % c.buf[:40])
            c.buf = c.buf.split(b"\r\n\r\n", 1)[1]
            for i in range(0, len(data), 65536):
                piece = data[i:i + 65536]
                c.send(b"%x\r\n" % len(piece) + piece + b"\r\n")
            c.send(b"0\r\n\r\n")
        st, h, body = c.response()
        if h.get("content-type", "").startswith("text/plain"):
            print(st, body.decode(errors="replace").strip())
        else:
            print(st, len(body), hashlib.sha256(body).hexdigest())
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main()
