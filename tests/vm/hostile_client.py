#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Hostile HTTP clients for tests/vm/hostile.sh and the soak (tools/soak/).

One file, longer than most: the guest starts one python3 per scenario and
every scenario shares the event loop and the counter readers below.

One long-lived process per scenario (starting python3 costs seconds in the
debug kernel): it opens its sockets from one event loop (selectors),
spreads them over loopback source addresses 127.0.0.2... (all of 127/8 is
local on Linux, no `ip addr` needed), reads khttpd's counters and slab
figures itself at the moments that matter, and prints its findings as
"KEY VALUE" lines on stdout for the shell to check.

usage: hostile_client.py SCENARIO [options]   (--help per scenario)
  slowloris  N connections each trickle an unfinished head; reports how
             many hung at once and when the server closed them
  flood      open connections in two waves against max_connections (or,
             from one address, max_connections_per_ip); reports accepted
             vs refused, khttpd's counters and slab memory at each step
  sendstall  a stalled reader and a byte-trickler on a large file with a
             tiny receive buffer; reports when the server let them go
  relays     hand-overs whose clients read the answer and never send FIN;
             reports the status each got
  soak       loops slowloris, flood and stalled readers until a stop file
             appears (for the soak's background load)

--ready FILE / --go FILE: once the scenario holds its connections it writes
FILE (ready) and waits until the go FILE exists, so the shell can check
the server meanwhile (a normal client is still served).
"""
import argparse
import errno
import os
import resource
import selectors
import socket
import sys
import time

SYS = "/proc/sys/net/khttpd"
IP_BIND_ADDRESS_NO_PORT = 24


def out(key, value):
    print(f"{key} {value}", flush=True)


def raise_nofile(n):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = max(soft, n)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, max(hard, want)))
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def read_int(path):
    try:
        with open(path) as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return -1


def stat(name):
    return read_int(f"{SYS}/{name}")


def meminfo_kb(field):
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return -1


def slab_objects(name):
    """Active objects of a slab cache: its /proc/slabinfo line, else -1
    (SLUB merges caches of the same size: then the name is not listed)."""
    try:
        with open("/proc/slabinfo") as f:
            for line in f:
                w = line.split()
                if w and w[0] == name:
                    return int(w[1])
    except OSError:
        pass
    return -1


def memory_snapshot(tag):
    """SUnreclaim (kB): sockets and khttpd's buffers live there."""
    out(f"{tag}_sunreclaim_kb", meminfo_kb("SUnreclaim"))
    out(f"{tag}_slab_kb", meminfo_kb("Slab"))
    out(f"{tag}_khttpd_conn", slab_objects("khttpd_conn"))
    out(f"{tag}_khttpd_io", slab_objects("khttpd_io"))


def sources(k, first=2):
    k = max(1, min(k, 254 - first + 1))
    return [f"127.0.0.{i}" for i in range(first, first + k)]


class Wait:
    """The --ready/--go handshake with the shell."""

    def __init__(self, ready, go):
        self.ready, self.go = ready, go

    def signal(self):
        if self.ready:
            with open(self.ready + ".tmp", "w") as f:
                f.write("ready\n")
            os.rename(self.ready + ".tmp", self.ready)

    def released(self):
        return not self.go or os.path.exists(self.go)


class Conn:
    __slots__ = ("sock", "state", "t_connect", "t_first", "t_closed", "how",
                 "pending", "sent", "got", "head", "src", "stall", "trickled")

    def __init__(self, sock, src):
        self.sock = sock
        self.src = src
        self.state = "connecting"
        self.t_connect = time.monotonic()
        self.t_first = None   # first byte of the request sent
        self.t_closed = None  # the server closed it (or connect failed)
        self.how = ""
        self.pending = b""
        self.sent = 0
        self.got = 0
        self.head = b""
        self.stall = False   # never read: not watched once its request is out
        self.trickled = 0


class Loop:
    """Non-blocking client sockets on one selector."""

    def __init__(self, host, port, keep=256):
        self.host, self.port = host, port
        self.sel = selectors.DefaultSelector()
        self.conns = []
        self.keep = keep  # bytes of each answer kept in Conn.head
        self.n = {"connecting": 0, "open": 0, "closed": 0}

    def open(self, src, rcvbuf=0, first=b"", stall=False):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        if rcvbuf:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        if src:
            try:
                s.setsockopt(socket.SOL_IP, IP_BIND_ADDRESS_NO_PORT, 1)
            except OSError:
                pass
            s.bind((src, 0))
        c = Conn(s, src)
        c.pending = first
        c.stall = stall
        err = s.connect_ex((self.host, self.port))
        self.n["connecting"] += 1
        if err not in (0, errno.EINPROGRESS):
            self._closed(c, "connect:" + errno.errorcode.get(err, str(err)), register=False)
        else:
            self.sel.register(s, selectors.EVENT_WRITE, c)
        self.conns.append(c)
        return c

    def _closed(self, c, how, register=True):
        if c.state == "closed":
            return
        if register:
            try:
                self.sel.unregister(c.sock)
            except (KeyError, ValueError):
                pass
        self.n[c.state] -= 1
        self.n["closed"] += 1
        c.state = "closed"
        c.how = how
        c.t_closed = time.monotonic()

    def send(self, c, data):
        """Sends now what fits; the rest waits for writability."""
        if c.state == "closed":
            return
        was_idle = not c.pending
        c.pending += data
        if c.state == "open":
            if c.stall and was_idle:
                self.sel.register(c.sock, selectors.EVENT_WRITE, c)
            self._flush(c)

    def _flush(self, c):
        while c.pending:
            try:
                n = c.sock.send(c.pending)
            except BlockingIOError:
                break
            except OSError as e:
                self._closed(c, "send:" + errno.errorcode.get(e.errno, str(e.errno)))
                return
            if c.t_first is None and n > 0:
                c.t_first = time.monotonic()
            c.sent += n
            c.pending = c.pending[n:]
        if c.state == "closed":
            return
        if c.stall and not c.pending:
            # A stalled reader: its readability would wake the loop for
            # ever; the scenario looks at it by other means.
            try:
                self.sel.unregister(c.sock)
            except (KeyError, ValueError):
                pass
            return
        self.sel.modify(c.sock, selectors.EVENT_READ |
                        (selectors.EVENT_WRITE if c.pending else 0), c)

    def counts(self):
        return dict(self.n)

    def poll(self, timeout, read=True):
        """One round of events. read=False leaves received data in the
        socket (a stalled reader) but still notices errors."""
        for key, ev in self.sel.select(timeout):
            c = key.data
            if c.state == "connecting":
                err = c.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    self._closed(c, "connect:" + errno.errorcode.get(err, str(err)))
                    continue
                c.state = "open"
                self.n["connecting"] -= 1
                self.n["open"] += 1
                self.sel.modify(c.sock, selectors.EVENT_READ, c)
                self._flush(c)
                continue
            if ev & selectors.EVENT_WRITE:
                self._flush(c)
            if ev & selectors.EVENT_READ and c.state == "open":
                if not read:
                    continue
                self.receive(c)

    def receive(self, c, limit=1 << 20):
        try:
            data = c.sock.recv(limit)
        except BlockingIOError:
            return
        except OSError as e:
            self._closed(c, "recv:" + errno.errorcode.get(e.errno, str(e.errno)))
            return
        if not data:
            self._closed(c, "eof")
            return
        if len(c.head) < self.keep:
            c.head += data[:self.keep - len(c.head)]
        c.got += len(data)

    def run_for(self, secs, read=True, tick=None):
        end = time.monotonic() + secs
        while True:
            now = time.monotonic()
            if now >= end:
                return
            self.poll(min(0.1, end - now), read)
            if tick:
                tick()

    def close_all(self):
        for c in self.conns:
            if c.state != "closed":
                try:
                    self.sel.unregister(c.sock)
                except (KeyError, ValueError):
                    pass
            c.sock.close()
        self.conns = []
        self.n = {"connecting": 0, "open": 0, "closed": 0}


def head(path, host="hostile.test", extra=""):
    return f"GET {path} HTTP/1.1\r\nHost: {host}\r\n{extra}".encode()


def open_paced(loop, n, srcs, first, inflight=200, read=True, tick=None, rcvbuf=0):
    """Opens n connections, at most `inflight` connecting at once."""
    i = 0
    while i < n:
        if loop.counts()["connecting"] < inflight:
            loop.open(srcs[i % len(srcs)], rcvbuf, first)
            i += 1
            if i % 50:
                continue
        loop.poll(0.0 if loop.counts()["connecting"] < inflight else 0.05, read)
        if tick:
            tick()
    deadline = time.monotonic() + 30
    while loop.counts()["connecting"] and time.monotonic() < deadline:
        loop.poll(0.05, read)
        if tick:
            tick()


def wait_stat_at_most(name, value, secs, loop=None, read=True, tick=None):
    """Polls stat NAME until it is <= value; returns the seconds it took,
    or -1 if it did not get there in secs."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < secs:
        if stat(name) <= value:
            return round(time.monotonic() - t0, 1)
        if loop:
            loop.run_for(0.25, read, tick)
        else:
            time.sleep(0.25)
    return -1


# ---------------------------------------------------------------- scenarios

def slowloris(a):
    """N connections send "GET ... HTTP/1.1\\r\\nHost: ...\\r\\n" and then one
    more byte of a header every --interval seconds, never ending the head."""
    raise_nofile(a.count + 256)
    loop = Loop(a.host, a.port)
    srcs = sources(a.sources)
    trickle = b"X-Slowloris: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n"
    rr = [0]
    t_last = [time.monotonic()]

    def tick():
        # One byte per open connection per interval, spread over the ticks.
        now = time.monotonic()
        live = loop.n["open"]
        budget = int(live * (now - t_last[0]) / a.interval)
        if budget <= 0:
            return
        t_last[0] = now
        conns = loop.conns
        for _ in range(len(conns)):
            if budget <= 0:
                break
            c = conns[rr[0] % len(conns)]
            rr[0] += 1
            if c.state != "open":
                continue
            k = c.trickled % len(trickle)
            c.trickled += 1
            loop.send(c, trickle[k:k + 1])
            budget -= 1

    base = stat("stat_connections")
    out("base_connections", base)
    t0 = time.monotonic()
    open_paced(loop, a.count, srcs, head(a.path), tick=tick)
    n = loop.counts()
    out("open_seconds", round(time.monotonic() - t0, 1))
    out("opened", n["open"] + n["closed"])
    out("connect_failed", sum(1 for c in loop.conns if c.how.startswith("connect")))
    # Let the server accept the last ones (deferred accept waits for data).
    loop.run_for(1.0, tick=tick)
    n = loop.counts()
    out("hanging", n["open"])
    out("closed_early", n["closed"])
    out("server_connections", stat("stat_connections"))
    Wait(a.ready, None).signal()
    wait = Wait(a.ready, a.go)
    t_end = time.monotonic() + 120
    while not wait.released() and time.monotonic() < t_end:
        loop.run_for(0.2, tick=tick)
    out("hanging_after_check", loop.counts()["open"])
    # Now the server must drop every one of them: they keep trickling.
    t_wait = time.monotonic() + a.wait
    while loop.counts()["open"] and time.monotonic() < t_wait:
        loop.run_for(0.2, tick=tick)
    n = loop.counts()
    out("still_open", n["open"])
    # From the first byte to the close; one still open counts until now.
    now = time.monotonic()
    lives = [(c.t_closed if c.t_closed is not None else now) - c.t_first
             for c in loop.conns if c.t_first is not None]
    out("longest_life", round(max(lives), 1) if lives else -1)
    hows = {}
    for c in loop.conns:
        hows[c.how or "open"] = hows.get(c.how or "open", 0) + 1
    out("how", ",".join(f"{k}:{v}" for k, v in sorted(hows.items())))
    answered = sum(1 for c in loop.conns if c.head.startswith(b"HTTP/1."))
    out("answered", answered)
    out("server_connections_end", stat("stat_connections"))
    out("seconds_to_zero", wait_stat_at_most("stat_connections", max(base, 0), 30, loop))
    loop.close_all()


def flood(a):
    """Wave 1 opens --first connections, wave 2 --count - --first more,
    all with an unfinished head so the accepted ones stay. The server must
    accept at most its limit and refuse the rest at once."""
    raise_nofile(a.count + 256)
    loop = Loop(a.host, a.port)
    srcs = sources(a.sources, a.first_source)
    refused0 = stat("stat_refused_connections")
    out("base_connections", stat("stat_connections"))
    out("base_refused", refused0)
    memory_snapshot("base")

    def settle():
        # Until nothing changed for --settle seconds.
        last = None
        quiet = time.monotonic()
        t_max = time.monotonic() + 60
        while time.monotonic() < t_max:
            loop.run_for(0.25)
            n = loop.counts()
            now = (n["open"], n["closed"], n["connecting"])
            if now != last:
                last, quiet = now, time.monotonic()
            elif time.monotonic() - quiet >= a.settle:
                return

    open_paced(loop, a.first, srcs, head("/one.txt"))
    settle()
    n = loop.counts()
    out("wave1_open", n["open"])
    out("wave1_server_connections", stat("stat_connections"))
    memory_snapshot("wave1")
    open_paced(loop, a.count - a.first, srcs, head("/one.txt"))
    settle()
    n = loop.counts()
    out("accepted", n["open"])
    out("refused", n["closed"])
    out("server_connections", stat("stat_connections"))
    out("refused_counted", stat("stat_refused_connections") - refused0)
    memory_snapshot("wave2")
    hows = {}
    for c in loop.conns:
        hows[c.how or "open"] = hows.get(c.how or "open", 0) + 1
    out("how", ",".join(f"{k}:{v}" for k, v in sorted(hows.items())))
    # A connection from another address (per-address limit: still served).
    if a.other:
        o = loop.open(a.other, 0, head("/one.txt", extra="Connection: close\r\n") + b"\r\n")
        t = time.monotonic() + 20
        while o.state != "closed" and time.monotonic() < t:
            loop.run_for(0.2)
        out("other_status", o.head[9:12].decode() if o.head.startswith(b"HTTP/1.") else "000")
    Wait(a.ready, None).signal()
    wait = Wait(a.ready, a.go)
    t_end = time.monotonic() + 120
    while not wait.released() and time.monotonic() < t_end:
        loop.run_for(0.2)
    loop.close_all()
    out("seconds_to_zero", wait_stat_at_most("stat_connections", 0, 30))
    time.sleep(1)
    memory_snapshot("end")


def sendstall(a):
    """A: GETs a large file with a tiny receive buffer and reads nothing.
    B: the same, but every --interval seconds reads one byte and sends one
    byte, so the server sees activity without any send progress. Both must
    be closed by send_timeout."""
    loop = Loop(a.host, a.port)
    req = head(a.path) + b"\r\n"
    base = stat("stat_connections")
    stalled = loop.open("127.0.0.2", a.rcvbuf, req, stall=True)
    trickler = loop.open("127.0.0.3", a.rcvbuf, req, stall=True)
    t0 = time.monotonic()
    next_trickle = [t0 + a.interval]
    trickles = [0]

    def tick():
        now = time.monotonic()
        if now >= next_trickle[0] and trickler.state == "open":
            next_trickle[0] = now + a.interval
            try:
                data = trickler.sock.recv(1)
                trickler.got += len(data)
                if not data:
                    loop._closed(trickler, "eof")
                    return
            except BlockingIOError:
                pass
            except OSError as e:
                loop._closed(trickler, "recv:" + errno.errorcode.get(e.errno, str(e.errno)))
                return
            loop.send(trickler, b"x")
            trickles[0] += 1

    # Both connected and the answer started (the server has 2 connections).
    t_conn = time.monotonic() + 30
    while stat("stat_connections") < base + 2 and time.monotonic() < t_conn:
        loop.run_for(0.1, read=False, tick=tick)
    out("server_connections", stat("stat_connections"))
    t_open = time.monotonic()
    closed_at = -1
    while time.monotonic() - t_open < a.wait:
        loop.run_for(0.25, read=False, tick=tick)
        if stat("stat_connections") <= base:
            closed_at = round(time.monotonic() - t_open, 1)
            break
    out("closed_after", closed_at)
    out("trickles", trickles[0])
    # From the client's side: what is left to read must end (EOF or reset)
    # before the whole file, or the server was still sending.
    for name, c in (("stalled", stalled), ("trickler", trickler)):
        c.sock.setblocking(True)
        c.sock.settimeout(5)
        try:  # read what is left quickly (a 1 KiB window is slow)
            c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 18)
        except OSError:
            pass
        t_drain = time.monotonic() + a.drain
        how = c.how or "open"
        while c.state != "closed" and time.monotonic() < t_drain:
            try:
                data = c.sock.recv(1 << 20)
            except socket.timeout:
                how = "silent"
                break
            except OSError as e:
                how = "recv:" + errno.errorcode.get(e.errno, str(e.errno))
                break
            if not data:
                how = "eof"
                break
            c.got += len(data)
        else:
            if c.state != "closed":
                how = "still-sending"
        out(f"{name}_end", how)
        out(f"{name}_bytes", c.got)
    loop.close_all()


def relays(a):
    """--count clients GET a path the kernel hands over (Apache answers),
    read the whole answer, and then neither send anything nor FIN.
    --close-share of them ask for Connection: close (Apache closes, so the
    relay is half-closed); the others stay keep-alive (idle relay)."""
    raise_nofile(a.count + 256)
    loop = Loop(a.host, a.port, keep=8192)
    srcs = sources(a.sources, a.first_source)
    nclose = int(a.count * a.close_share)
    for i in range(a.count):
        extra = "Connection: close\r\n" if i < nclose else ""
        loop.open(srcs[i % len(srcs)], 0, head(f"{a.path}?n={i}", extra=extra) + b"\r\n")
    # Read each answer: head, then Content-Length bytes.
    t_end = time.monotonic() + a.wait

    def complete(c):
        if c.state == "closed":
            return True
        end = c.head.find(b"\r\n\r\n")
        if end < 0:
            return False
        length = 0
        for line in c.head[:end].split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line[15:].strip() or 0)
        return c.got >= end + 4 + length

    while time.monotonic() < t_end and not all(complete(c) for c in loop.conns):
        loop.run_for(0.2)
    codes = {}
    for c in loop.conns:
        code = c.head[9:12].decode(errors="replace") if c.head.startswith(b"HTTP/1.") else "000"
        server = ""
        for line in c.head.split(b"\r\n"):
            if line.lower().startswith(b"server:"):
                server = line[7:].strip().split(b"/")[0].decode(errors="replace")
        key = f"{code}-{server or 'none'}"
        codes[key] = codes.get(key, 0) + 1
    out("answers", ",".join(f"{k}:{v}" for k, v in sorted(codes.items())))
    out("apache", sum(v for k, v in codes.items() if k.endswith("-Apache")))
    out("c503", sum(v for k, v in codes.items() if k.startswith("503")))
    Wait(a.ready, None).signal()
    wait = Wait(a.ready, a.go)
    t_end = time.monotonic() + a.hold
    # Hold, never FIN, reading whatever comes (a close from the daemon).
    while not wait.released() and time.monotonic() < t_end:
        loop.run_for(0.2)
    loop.close_all()


def soak(a):
    """Rounds of hostile traffic until --stop FILE exists: slowloris,
    a flood of connections, a stalled reader. Errors are expected (the
    server restarts under it); it prints its round count at the end."""
    raise_nofile(a.count + 256)
    srcs = sources(a.sources)
    rounds = 0
    opened = 0
    refused = 0
    while not os.path.exists(a.stop):
        loop = Loop(a.host, a.port)
        try:
            open_paced(loop, a.count, srcs, head("/one.txt"))
            loop.open("127.0.0.250", 2048, head(a.path) + b"\r\n", stall=True)
            loop.run_for(a.round_seconds)
            opened += len(loop.conns)
            refused += sum(1 for c in loop.conns if c.state == "closed")
        except OSError:
            pass
        loop.close_all()
        rounds += 1
    out("rounds", rounds)
    out("connections", opened)
    out("closed_by_server", refused)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("scenario", choices=["slowloris", "flood", "sendstall", "relays", "soak"])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=80)
    p.add_argument("--count", type=int, default=100)
    p.add_argument("--first", type=int, default=0, help="flood: first wave")
    p.add_argument("--sources", type=int, default=1, help="source addresses to spread over")
    p.add_argument("--first-source", type=int, default=2, help="127.0.0.N of the first")
    p.add_argument("--other", default="", help="flood: then one GET from this address")
    p.add_argument("--path", default="/one.txt")
    p.add_argument("--interval", type=float, default=2.0)
    p.add_argument("--wait", type=float, default=30.0)
    p.add_argument("--settle", type=float, default=2.0)
    p.add_argument("--rcvbuf", type=int, default=1024)
    p.add_argument("--drain", type=float, default=15.0)
    p.add_argument("--close-share", type=float, default=0.5)
    p.add_argument("--hold", type=float, default=120.0)
    p.add_argument("--round-seconds", type=float, default=5.0)
    p.add_argument("--stop", default="/tmp/hostile.stop")
    p.add_argument("--ready", default="")
    p.add_argument("--go", default="")
    a = p.parse_args()
    {"slowloris": slowloris, "flood": flood, "sendstall": sendstall,
     "relays": relays, "soak": soak}[a.scenario](a)


if __name__ == "__main__":
    sys.exit(main())
