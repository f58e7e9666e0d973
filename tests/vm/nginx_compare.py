#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Differential test: the same raw requests to khttpd and to nginx, serving
the same document root, must get the same answers where a static server's
answer is not a matter of taste. One file, longer than most: most of it is
the list of cases, with the known differences and why.

usage: nginx_compare.py --khttpd HOST:PORT --nginx HOST:PORT --root DIR
       [--probe]

DIR is the document root both serve (built by nginx_compare.sh; the files
listed in make_cases() must exist there with the modes and mtimes it
gives them). Each request goes out as raw bytes on a fresh connection
(Connection: close), so no client library normalises anything, and each
answer is read exactly: by Content-Length or chunked coding, no body for
HEAD and 304. Compared:

- the status, always;
- for 200, 206, 304, 412 and 416 also Content-Length, Content-Type, ETag,
  Last-Modified, Content-Range, Accept-Ranges, Content-Encoding, Vary and
  Location (a header both omit agrees), and the body bytes of 200 and 206;
- for 301 the Location too; for other errors only the status (the error
  pages say "nginx" or "khttpd").

One line per request, as lib.sh prints them: "ok - NAME" or
"not ok - NAME: what differs (khttpd: ..., nginx: ...)". Exit status 0 only
if every request matched. --probe runs instead the requests where the two
are known to differ (see known_differences()) and prints both answers, to
check that list; it always exits 0.
"""
import argparse
import email.utils
import hashlib
import os
import socket
import sys

TIMEOUT = 60  # seconds per socket operation (the guest runs under TCG)
MAX_HEAD = 65536

# Compared on 200/206/304/412/416 (lower case).
COMPARED_HEADERS = ("content-length", "content-type", "etag", "last-modified",
                    "content-range", "accept-ranges", "content-encoding", "vary",
                    "location")
FULL_STATUSES = (200, 206, 304, 412, 416)
# Error pages: their bodies name the server ("<hr><center>nginx</center>")
# and nginx 1.22 still calls 416 "Requested Range Not Satisfiable" (RFC 7233)
# where khttpd says "Range Not Satisfiable" (RFC 9110), so the body and its
# Content-Length legitimately differ; their other headers are compared.
ERROR_PAGE_STATUSES = (412, 416)


class Response:
    def __init__(self):
        self.status = None
        self.status_line = ""
        self.headers = []  # (lower-case name, value) in order
        self.body = b""
        self.problems = []  # protocol errors found while reading

    def header(self, name):
        """All values of a field joined by ", " (None if absent)."""
        vals = [v for n, v in self.headers if n == name]
        return ", ".join(vals) if vals else None

    def summary(self):
        return "%s, %d body bytes" % (self.status_line or "no answer", len(self.body))


class Reader:
    def __init__(self, sock):
        self.sock = sock
        self.buf = b""
        self.eof = False

    def fill(self):
        if self.eof:
            return False
        chunk = self.sock.recv(65536)
        if not chunk:
            self.eof = True
            return False
        self.buf += chunk
        return True

    def until(self, sep, limit):
        while sep not in self.buf:
            if len(self.buf) > limit or not self.fill():
                return None
        i = self.buf.index(sep) + len(sep)
        out, self.buf = self.buf[:i], self.buf[i:]
        return out

    def exactly(self, n):
        while len(self.buf) < n:
            if not self.fill():
                break
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def rest(self):
        while self.fill():
            pass
        out, self.buf = self.buf, b""
        return out


def read_response(reader, method):
    """Reads one response, exactly as RFC 9112 section 6.3 delimits it."""
    r = Response()
    head = reader.until(b"\r\n\r\n", MAX_HEAD)
    if head is None:
        r.problems.append("no complete response head (%d bytes)" % len(reader.buf))
        return r
    lines = head[:-4].split(b"\r\n")
    r.status_line = lines[0].decode("latin-1")
    parts = r.status_line.split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
        r.problems.append("bad status line %r" % r.status_line)
        return r
    r.status = int(parts[1])
    for line in lines[1:]:
        name, sep, value = line.decode("latin-1").partition(":")
        if not sep or name != name.strip() or not name:
            r.problems.append("bad header line %r" % line)
            continue
        r.headers.append((name.lower(), value.strip(" \t")))

    if method == "HEAD" or r.status in (204, 304) or 100 <= r.status < 200:
        return r
    te = r.header("transfer-encoding")
    cl = r.header("content-length")
    if te is not None:
        if te.lower() != "chunked":
            r.problems.append("Transfer-Encoding %r" % te)
            return r
        body = b""
        while True:
            size_line = reader.until(b"\r\n", 1024)
            if size_line is None:
                r.problems.append("truncated chunked body")
                break
            size = int(size_line.split(b";")[0].strip(), 16)
            if size == 0:
                while reader.until(b"\r\n", MAX_HEAD) not in (None, b"\r\n"):
                    pass  # trailer fields
                break
            body += reader.exactly(size)
            if reader.exactly(2) != b"\r\n":
                r.problems.append("bad chunk end")
                break
        r.body = body
    elif cl is not None:
        if not cl.isdigit():
            r.problems.append("Content-Length %r" % cl)
            return r
        r.body = reader.exactly(int(cl))
        if len(r.body) != int(cl):
            r.problems.append("body ends after %d of %s bytes" % (len(r.body), cl))
    else:
        r.body = reader.rest()  # delimited by the close
    return r


def fetch(addr, raw, method):
    host, port = addr
    r = Response()
    try:
        with socket.create_connection((host, port), timeout=TIMEOUT) as s:
            s.sendall(raw)
            reader = Reader(s)
            r = read_response(reader, method)
            # Connection: close was asked for: nothing may follow the
            # answer (a HEAD or 304 with a body would show up here).
            extra = reader.rest()
            if extra:
                r.problems.append("%d bytes after the response: %r" % (len(extra), extra[:40]))
    except OSError as e:
        r.problems.append("socket error: %s" % e)
    return r


def etag_of(st):
    """nginx's ETag: hex mtime (seconds), '-', hex size."""
    return '"%x-%x"' % (int(st.st_mtime), st.st_size)


def http_date(t):
    return email.utils.formatdate(t, usegmt=True)


class Case:
    def __init__(self, method, target, headers=(), ignore=(), raw=None, why=None,
                 label=None):
        self.method = method
        self.target = target
        self.headers = list(headers)
        # Headers not compared for this request, each with its reason in
        # the comment where the case is made.
        self.ignore = {h.lower() for h in ignore}
        self.raw = raw  # bytes to send instead of a composed request
        self.why = why  # --probe: what is expected to differ
        self.label = label  # a raw request's name

    @property
    def name(self):
        if self.raw is not None:
            return "raw %s (%s)" % (self.raw.split(b"\r\n")[0].decode("latin-1"), self.label)
        n = "%s %s" % (self.method, self.target)
        if self.headers:
            n += " [" + "; ".join("%s: %s" % h for h in self.headers) + "]"
        return n

    def request(self):
        if self.raw is not None:
            return self.raw
        lines = ["%s %s HTTP/1.1" % (self.method, self.target), "Host: localhost",
                 "Connection: close"]
        lines += ["%s: %s" % h for h in self.headers]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def short(v, n=60):
    if v is None:
        return "(none)"
    return v if len(v) <= n else v[:n] + "..."


def body_desc(b):
    return "%d bytes sha256 %s" % (len(b), hashlib.sha256(b).hexdigest()[:12])


def compare(case, k, n):
    """Differences between khttpd's answer @k and nginx's @n, as strings."""
    diffs = []
    for who, r in (("khttpd", k), ("nginx", n)):
        for p in r.problems:
            diffs.append("%s: %s" % (who, p))
    if k.status != n.status:
        diffs.append("status (khttpd: %s, nginx: %s)" % (short(k.status_line), short(n.status_line)))
        return diffs
    if diffs:
        return diffs
    if k.status in FULL_STATUSES:
        names = list(COMPARED_HEADERS)
        body = k.status not in ERROR_PAGE_STATUSES
        if not body:
            names.remove("content-length")
    elif k.status == 301:
        names, body = ["location"], False
    else:
        names, body = [], False
    for h in names:
        if h in case.ignore:
            continue
        kv, nv = k.header(h), n.header(h)
        # nginx sends Accept-Ranges only on a 200 (its range filter adds
        # it where it declines to serve a range); khttpd also sends it on
        # a 206, which RFC 9110 section 14.3 allows on any response.
        if h == "accept-ranges" and k.status == 206 and nv is None and kv == "bytes":
            continue
        if kv != nv:
            diffs.append("%s (khttpd: %s, nginx: %s)" % (h, short(kv), short(nv)))
    if body and k.body != n.body:
        diffs.append("body (khttpd: %s, nginx: %s)" % (body_desc(k.body), body_desc(n.body)))
    return diffs


def make_cases(root):
    st = {name: os.stat(os.path.join(root, name))
          for name in ("1k.bin", "one.txt", "big.txt.gz")}
    etag = etag_of(st["1k.bin"])
    lm = http_date(int(st["1k.bin"].st_mtime))
    t = int(st["1k.bin"].st_mtime)
    past, later, far = http_date(t - 86400 * 365), http_date(t + 86400 * 365), \
        "Fri, 01 Jan 2100 00:00:00 GMT"
    c = []
    add = c.append

    # Files of several sizes and types, GET and HEAD.
    # (Type by the last segment's extension, in any case; none or an
    # unknown one: application/octet-stream.)
    # (No extension or an unknown one: khttpd, without a daemon to hand
    # it to, fails closed with 503; see known_differences.)
    for f in ("empty.txt", "one.txt", "1k.bin", "1m.bin", "index.html", "style.css",
              "data.json", "big.txt.gz", "UPPER.CSS", "archive.tar.gz"):
        add(Case("GET", "/" + f))
        add(Case("HEAD", "/" + f))

    # Directory indexes, and the 301 that adds a directory's slash
    # (nginx: absolute_redirect off, so both send a relative Location).
    for p in ("/", "/sub/", "/sub/index.html", "/sub/deeper/"):
        add(Case("GET", p))
    add(Case("HEAD", "/"))
    add(Case("HEAD", "/sub/"))
    for p in ("/sub", "/sub/deeper", "/sub?a=1", "/sub?a=1&b=%2F&c", "/s%75b", "/./sub"):
        add(Case("GET", p))
    add(Case("HEAD", "/sub"))

    # Missing and forbidden. secret.txt is root's and 0600: khttpd's
    # perm_required=4 refuses it, nginx's www-data worker cannot open it.
    for p in ("/nope.txt", "/nope/x.txt", "/one.txt/x", "/sub/nope.html", "/secret.txt"):
        add(Case("GET", p))
    add(Case("HEAD", "/secret.txt"))
    # Other methods on a static file: 405 from both.
    add(Case("POST", "/one.txt"))
    add(Case("OPTIONS", "/one.txt"))
    add(Case("TRACE", "/one.txt"))
    add(Case("PUT", "/one.txt", [("Content-Length", "0")]))
    add(Case("DELETE", "/one.txt"))
    # Conditions are not evaluated where the answer would not be a 2xx
    # (RFC 9110 section 13.2.1).
    add(Case("GET", "/nope.txt", [("If-Match", '"nope"')]))
    add(Case("GET", "/nope.txt", [("If-None-Match", "*")]))
    add(Case("GET", "/secret.txt", [("If-Unmodified-Since", past)]))
    add(Case("GET", "/sub", [("If-Match", '"nope"')]))

    # Ranges (RFC 9110 section 14), on the 1 KiB file unless named.
    for r in ("bytes=0-9", "bytes=100-199", "bytes=1000-", "bytes=-100", "bytes=-2000",
              "bytes=0-", "bytes=0-99999", "bytes=1023-1023", "bytes=1023-",
              "bytes=00-09", "BYTES=0-9", "bytes=1024-", "bytes=5000-6000", "bytes=-0",
              "bytes=99999999999999999999-",
              # Odd forms both answer alike: ranges adding up to more than
              # the file (nginx declines to split, khttpd has no
              # multipart without the daemon): a 200 of the whole file.
              "bytes=0-,0-", "bytes=0-1023,0-1023", "bytes=-1024,0-",
              # Not the "bytes" unit, or no '=': not a byte range, a 200.
              "items=0-9", "bytes 0-9"):
        add(Case("GET", "/1k.bin", [("Range", r)]))
    for r in ("bytes=1048000-", "bytes=-1", "bytes=524288-524299"):
        add(Case("GET", "/1m.bin", [("Range", r)]))
    for r in ("bytes=0-0", "bytes=-1", "bytes=0-5", "bytes=1-"):
        add(Case("GET", "/one.txt", [("Range", r)]))
    # An empty file: a range from 0 or a suffix gives the whole (empty)
    # file with 200, any other is unsatisfiable (nginx's choice, which
    # khttpd's byte_range.cpp follows).
    for r in ("bytes=0-", "bytes=0-0", "bytes=-5", "bytes=1-"):
        add(Case("GET", "/empty.txt", [("Range", r)]))

    # Validators: khttpd computes nginx's ETag; check both against it.
    add(Case("GET", "/1k.bin", [("If-None-Match", etag)]))
    add(Case("HEAD", "/1k.bin", [("If-None-Match", etag)]))
    add(Case("GET", "/1k.bin", [("If-None-Match", "W/" + etag)]))
    add(Case("GET", "/1k.bin", [("If-None-Match", '"x", ' + etag)]))
    add(Case("GET", "/1k.bin", [("If-None-Match", "*")]))
    add(Case("GET", "/1k.bin", [("If-None-Match", '"other"')]))
    add(Case("GET", "/1k.bin", [("If-None-Match", '"x" ,\t' + etag)]))
    add(Case("GET", "/1k.bin", [("If-None-Match", etag.strip('"'))]))  # unquoted: no match
    add(Case("GET", "/empty.txt",
             [("If-None-Match", etag_of(os.stat(os.path.join(root, "empty.txt"))))]))
    add(Case("GET", "/", [("If-None-Match", etag_of(os.stat(os.path.join(root, "index.html"))))]))
    add(Case("GET", "/1k.bin", [("If-Match", '"nope"')]))
    add(Case("HEAD", "/1k.bin", [("If-Match", '"nope"')]))
    add(Case("GET", "/1k.bin", [("If-Match", etag)]))
    add(Case("GET", "/1k.bin", [("If-Match", "*")]))
    add(Case("GET", "/1k.bin", [("If-Match", '"x", ' + etag)]))
    add(Case("GET", "/1k.bin", [("If-Match", "W/" + etag)]))  # strong comparison: 412
    add(Case("GET", "/1k.bin", [("If-Match", '"nope"'), ("Range", "bytes=0-9")]))
    add(Case("GET", "/1k.bin", [("If-None-Match", etag), ("Range", "bytes=0-9")]))
    # If-Modified-Since and If-Unmodified-Since: before, at and after the
    # mtime, and in 2100 (nginx: if_modified_since before, RFC 9110's
    # "not modified since" rather than its default exact match).
    for d in (past, lm, later, far):
        add(Case("GET", "/1k.bin", [("If-Modified-Since", d)]))
    add(Case("HEAD", "/1k.bin", [("If-Modified-Since", lm)]))
    add(Case("GET", "/1k.bin", [("If-Modified-Since", "Thursday, 04-Mar-21 05:06:07 GMT")]))
    add(Case("GET", "/1k.bin", [("If-Modified-Since", "Thu Mar  4 05:06:07 2021")]))
    add(Case("GET", "/1k.bin", [("If-Modified-Since", "yesterday")]))  # invalid: ignored
    for d in (past, lm, later):
        add(Case("GET", "/1k.bin", [("If-Unmodified-Since", d)]))
    add(Case("GET", "/1k.bin", [("If-None-Match", '"other"'), ("If-Modified-Since", later)]))
    add(Case("GET", "/1k.bin", [("If-Match", '"nope"'), ("If-Unmodified-Since", later)]))
    # If-Range: the ETag or the exact Last-Modified keep the range.
    for v in (etag, '"other"', "W/" + etag, lm, past):
        add(Case("GET", "/1k.bin", [("Range", "bytes=0-9"), ("If-Range", v)]))

    # Percent-encoded names, query strings (a query on a static file is
    # served: "?" is not in khttpd's default dynamic list), dot segments
    # that stay inside the root, and some that do not. A target with ".."
    # as sent matches the default dynamic list: without a daemon khttpd
    # fails closed (503), see known_differences; encoded ones are decoded
    # and resolved first, and compared.
    for p in ("/one%2etxt", "/%6Fne.txt", "/a%20b.txt", "/a+b.txt", "/a%2Bb.txt",
              "/caf%C3%A9.txt", "/sub%2Findex.html", "/s%75b/",
              "/one.txt?x=1", "/one.txt?", "/sub/?a=b", "/?q", "/data.json?a=1&b=2",
              "/./one.txt", "/sub/./index.html", "/sub/.",
              "/sub/%2e%2e/one.txt", "//one.txt", "/sub//index.html",
              "/../one.txt", "/sub/../../one.txt", "/%2e%2e/one.txt", "/one.txt%00"):
        add(Case("GET", p))
    add(Case("GET", "/1k.bin?v=2", [("Range", "bytes=10-19")]))
    add(Case("GET", "/1k.bin?v=2", [("If-None-Match", etag)]))
    for p in ("/100%25.txt", "/one.txt.", "/%zz.txt"):
        add(Case("GET", p))

    # Request forms: absolute-form target; HTTP/1.1 without Host (400).
    add(Case("GET", "http://localhost/one.txt"))
    add(Case("GET", "", raw=b"GET /one.txt HTTP/1.1\r\nConnection: close\r\n\r\n",
             label="no Host"))
    add(Case("GET", "", raw=b"GET /one.txt HTTP/1.0\r\n\r\n", label="no Host, no close"))
    add(Case("GET", "", raw=b"GET /1k.bin HTTP/1.1\r\nhost: x\r\nrange:bytes=0-9\r\n"
             b"connection: close\r\n\r\n", label="lower-case names, no OWS"))
    # A second Host, If-Modified-Since or If-None-Match: 400 from both.
    add(Case("GET", "", raw=b"GET /one.txt HTTP/1.1\r\nHost: a\r\nHost: b\r\n"
             b"Connection: close\r\n\r\n", label="two Host fields"))
    add(Case("GET", "/1k.bin", [("If-Modified-Since", lm), ("If-Modified-Since", lm)]))
    add(Case("GET", "/1k.bin", [("If-None-Match", etag), ("If-None-Match", etag)]))

    # gzip_static: big.txt.gz is fresh (newer than big.txt). The coded
    # answer's ETag differs by design: nginx computes "mtime-size" of the
    # .gz, khttpd appends the coding ("mtime-size-gzip", docs/design.md),
    # so the identity and coded representations can never share a tag.
    # nginx 1.22's gzip_static does not allow ranges on the .gz, so it
    # sends no Accept-Ranges there; khttpd serves ranges of a variant
    # (see known_differences()) and says so.
    gz = ["etag", "accept-ranges"]
    add(Case("GET", "/big.txt", [("Accept-Encoding", "gzip")], ignore=gz))
    add(Case("HEAD", "/big.txt", [("Accept-Encoding", "gzip")], ignore=gz))
    add(Case("GET", "/big.txt", [("Accept-Encoding", "gzip, deflate, br")], ignore=gz))
    add(Case("GET", "/big.txt", [("Accept-Encoding", "deflate, gzip;q=0.5")], ignore=gz))
    add(Case("GET", "/big.txt",
             [("Accept-Encoding", "gzip"),
              ("If-Modified-Since", http_date(int(st["big.txt.gz"].st_mtime)))], ignore=gz))
    add(Case("GET", "/big.txt", [("Accept-Encoding", "gzip"), ("If-Match", '"nope"')],
             ignore=gz))
    # Identity answers for a file with a .gz sibling: the same except Vary.
    # nginx (gzip_vary on) sends Vary whenever the sibling exists, even to
    # a client without Accept-Encoding; khttpd sends it only when the
    # client's Accept-Encoding names a coding it has variants for (so an
    # identity answer without Vary may be cached for everyone: see
    # choose_representation() in src/core/session.cpp).
    add(Case("GET", "/big.txt", ignore=["vary"]))
    add(Case("GET", "/big.txt", [("Accept-Encoding", "gzip;q=0")], ignore=["vary"]))
    add(Case("GET", "/big.txt", [("Accept-Encoding", "deflate")], ignore=["vary"]))
    # No sibling: identity from both; khttpd's Vary says the answer
    # depended on Accept-Encoding (it would have taken a .gz), nginx's
    # gzip_static sends none when it finds no .gz.
    add(Case("GET", "/one.txt", [("Accept-Encoding", "gzip")], ignore=["vary"]))
    # The .gz itself is a file like any other: no coding, no Vary.
    add(Case("GET", "/big.txt.gz", [("Accept-Encoding", "gzip")]))
    return c


# Requests where khttpd and nginx differ, legitimately, and so are not in
# make_cases(). --probe sends them to show both answers.
def known_differences(root):
    etag = etag_of(os.stat(os.path.join(root, "1k.bin")))
    t = int(os.stat(os.path.join(root, "1k.bin")).st_mtime)
    past = http_date(t - 86400 * 365)
    return [
        Case("GET", "/.hidden", why="nginx serves dotfiles, khttpd never does (404)"),
        Case("GET", "/emptydir/", why="directory without index: nginx 403 "
             "(autoindex off), khttpd 404"),
        Case("HEAD", "/1k.bin", [("Range", "bytes=0-9")],
             why="RFC 9110 14.2: Range is defined for GET only; khttpd ignores it on "
             "HEAD (200), nginx answers 206"),
        Case("GET", "/1k.bin", [("Range", "bytes=0-5,3-9")],
             why="several ranges: nginx multipart/byteranges 206, khttpd 200 of the "
             "whole file without the daemon (RFC 9110 allows)"),
        Case("GET", "/1k.bin", [("Range", "bytes=9-5")],
             why="invalid range (last < first): nginx 416, khttpd ignores it (200); "
             "RFC 9110 14.2 allows either"),
        Case("GET", "/1k.bin", [("Range", "bytes=abc")],
             why="invalid range: nginx 416, khttpd ignores it (200)"),
        Case("GET", "/1k.bin", [("Range", "bytes=0-99999999999999999999")],
             why="last-pos past 2^63: nginx 416 (overflow guard), khttpd 206 0-1023 "
             "(RFC 9110: a last-pos past the end means the end)"),
        Case("GET", "/1k.bin", [("If-None-Match", etag), ("If-Modified-Since", past)],
             why="RFC 9110 13.2.2: If-Modified-Since is ignored when If-None-Match is "
             "present: khttpd 304; nginx needs both to hold, 200"),
        Case("GET", "/1k.bin", [("If-Match", etag), ("If-Unmodified-Since", past)],
             why="RFC 9110 13.2.2: If-Unmodified-Since is ignored when If-Match is "
             "present: khttpd 200; nginx evaluates both, 412"),
        Case("GET", "/1k.bin", [("If-Unmodified-Since", "yesterday")],
             why="RFC 9110 13.1.4: an invalid date MUST be ignored: khttpd 200, nginx 412"),
        Case("GET", "/1k.bin", [("Range", "bytes=0-9"), ("Range", "bytes=10-19")],
             why="two Range fields: khttpd ignores both (200), nginx 1.22 uses the first"),
        Case("GET", "/one.txt#frag", why="a fragment in the request-target (not allowed "
             "by RFC 9112 3.2): khttpd 400"),
        Case("get", "/one.txt", why="methods are case-sensitive: khttpd 501 for an "
             "unknown method, nginx 400"),
        Case("BREW", "/one.txt", why="unknown method: khttpd 501 (RFC 9110 15.6.2), "
             "nginx 405"),
        Case("GET", "/sub?", why="empty query: khttpd's Location keeps the '?' "
             "(/sub/?), nginx drops it (/sub/)"),
        Case("GET", "/sub/../one.txt", why="'..' as sent is in khttpd's default dynamic "
             "list: without a hand-over daemon it fails closed (503); nginx resolves it"),
        Case("GET", "/sub/deeper/../../1k.bin", why="as /sub/../one.txt"),
        Case("GET", "/a..b.txt", why="'..' in a name matches the dynamic list too: 503"),
        Case("GET", "/cgi-bin/x.txt", why="'cgi-bin' is in the default dynamic list: without "
             "a daemon 503 (fails closed); nginx serves the file"),
        Case("GET", "/noext", why="no extension: nginx serves octet-stream, khttpd "
             "without a hand-over daemon fails closed (503 with Retry-After)"),
        Case("GET", "/unknown.xyz", why="unknown type: nginx serves octet-stream, khttpd "
             "without a hand-over daemon fails closed (503 with Retry-After)"),
        Case("GET", "/v1.2/readme", why="no extension in the last segment: as /noext"),
        Case("GET", "/big.txt", [("Accept-Encoding", "*")],
             why="'*' accepts gzip (RFC 9110 12.5.3): khttpd sends the .gz, nginx "
             "looks for the gzip token only"),
        Case("GET", "/stale.txt", [("Accept-Encoding", "gzip")],
             why="a .gz older than its file: nginx serves it, khttpd does not"),
        Case("GET", "/big.txt", [("Accept-Encoding", "gzip"), ("Range", "bytes=0-9")],
             why="a range of the .gz: khttpd 206 of its bytes, nginx 1.22's gzip_static "
             "does not allow ranges (200 of the whole .gz); RFC 9110 allows both"),
        Case("GET", "/big.txt", [("Accept-Encoding", "gzip")],
             why="coded answer's ETag: nginx \"mtime-size\" of the .gz, khttpd "
             "\"mtime-size-gzip\""),
    ]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--khttpd", required=True, help="HOST:PORT")
    ap.add_argument("--nginx", required=True, help="HOST:PORT")
    ap.add_argument("--root", required=True, help="the document root both serve")
    ap.add_argument("--probe", action="store_true")
    a = ap.parse_args()
    addr = {}
    for who in ("khttpd", "nginx"):
        host, _, port = getattr(a, who).rpartition(":")
        addr[who] = (host, int(port))

    if a.probe:
        for case in known_differences(a.root):
            k = fetch(addr["khttpd"], case.request(), case.method)
            n = fetch(addr["nginx"], case.request(), case.method)
            print("# %s\n#   expected: %s" % (case.name, case.why))
            for who, r in (("khttpd", k), ("nginx", n)):
                hs = "; ".join("%s: %s" % (h, r.header(h)) for h in COMPARED_HEADERS
                               if r.header(h) is not None)
                print("#   %-6s %s | %s | %s" % (who, r.status_line, hs, body_desc(r.body)))
                for p in r.problems:
                    print("#   %-6s problem: %s" % (who, p))
        return 0

    # The ETag both are meant to compute, from the file itself.
    st = os.stat(os.path.join(a.root, "1k.bin"))
    failed = 0
    for who in ("khttpd", "nginx"):
        r = fetch(addr[who], Case("HEAD", "/1k.bin").request(), "HEAD")
        got = r.header("etag")
        if got == etag_of(st):
            print("ok - %s ETag of /1k.bin is \"<hex mtime>-<hex size>\" from stat" % who)
        else:
            failed += 1
            print("not ok - %s ETag of /1k.bin is \"<hex mtime>-<hex size>\" from stat: "
                  "expected %s, got %s" % (who, etag_of(st), got))

    for case in make_cases(a.root):
        k = fetch(addr["khttpd"], case.request(), case.method)
        n = fetch(addr["nginx"], case.request(), case.method)
        diffs = compare(case, k, n)
        label = "%s -> %s" % (case.name, k.status if k.status == n.status else "?")
        if diffs:
            failed += 1
            print("not ok - %s: %s" % (label, "; ".join(diffs)))
        else:
            print("ok - %s" % label)
    sys.stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
