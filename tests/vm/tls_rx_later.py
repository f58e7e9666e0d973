#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A TLS 1.3 client that chooses how its first records reach the server.

tls.sh's test of KHTTPD_IOC_ADOPT_RX_LATER (docs/tls.md): the daemon reads
the first request with OpenSSL when it has come with the handshake's end,
and the kernel turns on receive-side kernel TLS only if it needs more. With
a memory BIO the client's Finished and its first application records go out
in one send, so the daemon finds them waiting, every time.

Usage: tls_rx_later.py HOST PORT CA_FILE CASE
  close      GET hello.txt, Connection: close, sent with the Finished
  keepalive  the same kept alive, then two more GETs, 0.3 s apart
  records    two GETs in two records, both sent with the Finished
  split      one GET whose head is split over two records, the second
             0.5 s later
  late       the Finished alone, the GET 0.3 s later
  partial    the Finished and a Connection: close GET's record but its last
             10 bytes, those 0.5 s later
  cgi        GET /cgi-bin/env.cgi with the Finished (the daemon's), then
             GET hello.txt on the same connection
Prints one line per answer: "STATUS SHA256-OF-BODY".
"""
import hashlib
import socket
import ssl
import sys
import time

SERVER_NAME = "a.test"


def request(path, close=False):
    head = f"GET {path} HTTP/1.1\r\nHost: {SERVER_NAME}\r\n"
    if close:
        head += "Connection: close\r\n"
    return (head + "\r\n").encode()


class Client:
    def __init__(self, host, port, ca):
        ctx = ssl.create_default_context(cafile=ca)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
        self.sock = socket.create_connection((host, port), timeout=20)
        self.incoming, self.outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        self.tls = ctx.wrap_bio(self.incoming, self.outgoing, server_hostname=SERVER_NAME)
        self.buf = b""
        # The handshake, all but the client's last flight (kept in outgoing).
        while True:
            try:
                self.tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                self.flush()
                self.fill()

    def flush(self):
        data = self.outgoing.read()
        if data:
            self.sock.sendall(data)

    def fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError("the server closed")
        self.incoming.write(chunk)

    def send(self, *records):
        """Each of @records as a record of its own, after whatever is
        queued (the Finished, at first), in one TCP send."""
        for record in records:
            self.tls.write(record)
        self.flush()

    def more(self):
        """Some plaintext from the server, b"" at its end."""
        while True:
            try:
                return self.tls.read(65536)
            except ssl.SSLWantReadError:
                try:
                    self.fill()
                except EOFError:
                    return b""
            except ssl.SSLZeroReturnError:
                return b""

    def need(self, n):
        while len(self.buf) < n:
            data = self.more()
            if not data:
                raise EOFError("answer cut short")
            self.buf += data

    def line(self):
        while b"\r\n" not in self.buf:
            data = self.more()
            if not data:
                raise EOFError("answer cut short")
            self.buf += data
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def answer(self):
        """One answer: (status, body), Content-Length or chunked."""
        status = int(self.line().split()[1])
        headers = {}
        while True:
            line = self.line()
            if not line:
                break
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
        body = b""
        if headers.get(b"transfer-encoding", b"").lower() == b"chunked":
            while True:
                size = int(self.line().split(b";")[0], 16)
                if size == 0:
                    while self.line():
                        pass
                    break
                self.need(size + 2)
                body += self.buf[:size]
                self.buf = self.buf[size + 2:]
        else:
            length = int(headers.get(b"content-length", b"0"))
            self.need(length)
            body, self.buf = self.buf[:length], self.buf[length:]
        return status, body


def show(answer):
    status, body = answer
    print(status, hashlib.sha256(body).hexdigest(), flush=True)


def main():
    host, port, ca, case = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    c = Client(host, port, ca)
    if case == "close":
        c.send(request("/hello.txt", close=True))
        show(c.answer())
    elif case == "keepalive":
        for close in (False, False, True):
            c.send(request("/hello.txt", close=close))
            show(c.answer())
            time.sleep(0.3)
    elif case == "records":
        c.send(request("/hello.txt"), request("/hello.txt", close=True))
        show(c.answer())
        show(c.answer())
    elif case == "split":
        whole = request("/hello.txt", close=True)
        c.send(whole[:20])
        time.sleep(0.5)
        c.send(whole[20:])
        show(c.answer())
    elif case == "partial":
        c.tls.write(request("/hello.txt", close=True))
        data = c.outgoing.read()
        c.sock.sendall(data[:-10])
        time.sleep(0.5)
        c.sock.sendall(data[-10:])
        show(c.answer())
    elif case == "late":
        c.flush()
        time.sleep(0.3)
        c.send(request("/hello.txt", close=True))
        show(c.answer())
    elif case == "cgi":
        for path, close in (("/cgi-bin/env.cgi", False), ("/hello.txt", True)):
            c.send(request(path, close=close))
            show(c.answer())
    else:
        print(f"tls_rx_later.py: unknown case {case}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
