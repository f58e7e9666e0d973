#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest-side integration test of khttpd.ko: load, configure, serve files
# to real clients, stop/start, unload while serving.
# Usage (inside the test VM): integration.sh /path/to/khttpd.ko [all|1|2]
# Part 1 covers loading, configuration and serving; part 2 the event loop,
# the MIME table, the file cache, the nginx comparison and rmmod under load.
# make check runs the two parts in two VMs (the debug kernel needs about
# half an hour for both); "all" (the default) runs them in one.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/credentials.sh"
. "$HERE/mime_reload.sh"
. "$HERE/nginx_compare.sh"

KO=${1:?usage: integration.sh KHTTPD_KO [all|1|2]}
PART=${2:-all}
SYS=/proc/sys/net/khttpd
WWW=/tmp/www
PORT=80
URL=http://127.0.0.1:$PORT
# big.bin: far larger than any socket buffer, so an answer takes many
# sends and a slow reader stays in the middle of one. 100 MiB; 16 MiB on
# the debug kernel, where KASAN makes every byte copied cost minutes and
# 16 MiB is still hundreds of sends.
# SLOW_KBS: a slow reader's rate (KB/s), so that it reads big.bin for
# minutes (about 8 on Debian's kernels, 17 on debug) and is still reading
# when a test acts on it, however slow the guest.
BIG_MIB=100 SLOW_KBS=200
[ "${KHTTPD_KERNEL:-}" = debug ] && BIG_MIB=16 SLOW_KBS=16

# sysctl_write FILE VALUE: like `echo VALUE > FILE`, reporting the error.
sysctl_write() {
	printf '%s\n' "$2" > "$1"
}

make_docroot() {
	mkdir -p "$WWW/sub/dir" "$WWW/emptydir"
	: > "$WWW/empty.txt"
	printf 'x' > "$WWW/one.txt"
	head -c 1048576 /dev/urandom > "$WWW/1m.bin"
	head -c $((BIG_MIB << 20)) /dev/urandom > "$WWW/big.bin"
	echo '<h1>khttpd test index</h1>' > "$WWW/index.html"
	echo 'nested' > "$WWW/sub/dir/file.txt"
	echo 'sub index' > "$WWW/sub/index.html"
	echo 'secret' > "$WWW/secret.txt"
	chmod 600 "$WWW/secret.txt"
	echo 'hidden' > "$WWW/.hidden"
	echo 'style' > "$WWW/style.CSS"
	ln -s /etc/passwd "$WWW/passwd-link"
	ln -s ../one.txt "$WWW/sub/one-link.txt"
	mkfifo "$WWW/fifo"
	chmod -R a+rX "$WWW"
	chmod 600 "$WWW/secret.txt"
}

test_load() {
	check "insmod khttpd.ko" insmod "$KO"
	for f in start stop serverport documentroot threads indexfile max_header_size \
		keepalive_requests keepalive_timeout perm_required perm_forbid crossmounts \
		filecache_entries dynamic sloppymime nodaemon_503 clientport mimetypes \
		stat_connections stat_requests stat_handovers stat_handovers_refused daemon_pid \
		header_timeout send_timeout max_connections max_connections_per_ip \
		stat_refused_connections; do
		check "sysctl $f exists" test -f "$SYS/$f"
	done
	expect_eq "serverport defaults to 80" 80 "$(cat $SYS/serverport)"
	expect_eq "documentroot defaults to /var/www" /var/www "$(cat $SYS/documentroot)"
	expect_eq "threads defaults to online CPUs" "$(nproc)" "$(cat $SYS/threads)"
	expect_eq "not running after load" 0 "$(cat $SYS/start)"
	expect_eq "indexfile defaults to index.html" index.html "$(cat $SYS/indexfile)"
	expect_eq "max_header_size defaults to 8192" 8192 "$(cat $SYS/max_header_size)"
	expect_eq "keepalive_requests defaults to 1000" 1000 "$(cat $SYS/keepalive_requests)"
	expect_eq "keepalive_timeout defaults to 60" 60 "$(cat $SYS/keepalive_timeout)"
	expect_eq "perm_required defaults to 4 (S_IROTH)" 4 "$(cat $SYS/perm_required)"
	expect_eq "perm_forbid defaults to 73 (0111, any execute bit)" 73 "$(cat $SYS/perm_forbid)"
	expect_eq "crossmounts defaults to 0" 0 "$(cat $SYS/crossmounts)"
	expect_eq "filecache_entries defaults to 4096" 4096 "$(cat $SYS/filecache_entries)"
	expect_eq "dynamic defaults to '.. cgi-bin' (no '?')" ".. cgi-bin" "$(cat $SYS/dynamic)"
	expect_eq "header_timeout defaults to 20" 20 "$(cat $SYS/header_timeout)"
	expect_eq "send_timeout defaults to 60" 60 "$(cat $SYS/send_timeout)"
	expect_eq "max_connections_per_ip defaults to 256" 256 "$(cat $SYS/max_connections_per_ip)"
	# One connection per 128 KiB of RAM (MemTotal is what totalram_pages
	# counts), within 256..1048576.
	local key kb want
	while read -r key kb _; do [ "$key" = MemTotal: ] && break; done < /proc/meminfo
	want=$((kb / 128 < 256 ? 256 : kb / 128 > 1048576 ? 1048576 : kb / 128))
	expect_eq "max_connections defaults to RAM / 128 KiB" "$want" "$(cat $SYS/max_connections)"
	expect_eq "stat_refused_connections is 0 while stopped" 0 "$(cat $SYS/stat_refused_connections)"
}

test_sysctl_validation() {
	local v
	for v in 0 65536 -1 abc ''; do
		expect_fail_with "serverport rejects '$v'" "Invalid argument" sysctl_write $SYS/serverport "$v"
	done
	expect_eq "serverport unchanged by bad writes" 80 "$(cat $SYS/serverport)"
	for v in 0 257 x; do
		expect_fail_with "threads rejects '$v'" "Invalid argument" sysctl_write $SYS/threads "$v"
	done
	expect_fail_with "start rejects 2" "Invalid argument" sysctl_write $SYS/start 2
	expect_fail_with "documentroot rejects a relative path" "Invalid argument" sysctl_write $SYS/documentroot relative/path
	expect_fail_with "documentroot rejects an overlong path" "Invalid argument" sysctl_write $SYS/documentroot "/$(head -c 2000 /dev/zero | tr '\0' a)"
	expect_eq "documentroot unchanged by bad writes" /var/www "$(cat $SYS/documentroot)"
	for v in 1023 65537; do
		expect_fail_with "max_header_size rejects $v" "Invalid argument" sysctl_write $SYS/max_header_size $v
	done
	expect_fail_with "keepalive_requests rejects -1" "Invalid argument" sysctl_write $SYS/keepalive_requests -1
	expect_fail_with "keepalive_timeout rejects 0" "Invalid argument" sysctl_write $SYS/keepalive_timeout 0
	expect_fail_with "perm_required rejects 4096" "Invalid argument" sysctl_write $SYS/perm_required 4096
	expect_fail_with "perm_forbid rejects -1" "Invalid argument" sysctl_write $SYS/perm_forbid -1
	expect_fail_with "crossmounts rejects 2" "Invalid argument" sysctl_write $SYS/crossmounts 2
	expect_fail_with "filecache_entries rejects -1" "Invalid argument" sysctl_write $SYS/filecache_entries -1
	expect_fail_with "filecache_entries rejects 1048577" "Invalid argument" sysctl_write $SYS/filecache_entries 1048577
	for v in a/b . .. ''; do
		expect_fail_with "indexfile rejects '$v'" "Invalid argument" sysctl_write $SYS/indexfile "$v"
	done
	expect_eq "indexfile unchanged by bad writes" index.html "$(cat $SYS/indexfile)"
	check "threads accepts 3" sysctl_write $SYS/threads 3
	expect_eq "threads reads back 3" 3 "$(cat $SYS/threads)"

	# The root directory, however it is spelt, is never a document root.
	for v in / // /. /./ /tmp/.. /tmp/../..; do
		expect_fail_with "documentroot rejects '$v'" "Invalid argument" sysctl_write $SYS/documentroot "$v"
	done
	expect_eq "documentroot unchanged by '/' writes" /var/www "$(cat $SYS/documentroot)"

	# Limits and timeouts (issue 11).
	local f
	for f in header_timeout send_timeout; do
		for v in 0 3601 -1 x; do
			expect_fail_with "$f rejects '$v'" "Invalid argument" sysctl_write $SYS/$f "$v"
		done
	done
	expect_eq "header_timeout unchanged by bad writes" 20 "$(cat $SYS/header_timeout)"
	expect_eq "send_timeout unchanged by bad writes" 60 "$(cat $SYS/send_timeout)"
	v=$(cat $SYS/max_connections)
	for f in 0 -1 16777217; do
		expect_fail_with "max_connections rejects $f" "Invalid argument" sysctl_write $SYS/max_connections $f
	done
	expect_eq "max_connections unchanged by bad writes" "$v" "$(cat $SYS/max_connections)"
	for f in -1 16777217; do
		expect_fail_with "max_connections_per_ip rejects $f" "Invalid argument" \
			sysctl_write $SYS/max_connections_per_ip $f
	done
	expect_eq "max_connections_per_ip unchanged by bad writes" 256 "$(cat $SYS/max_connections_per_ip)"
	check "max_connections_per_ip accepts 0 (no limit)" sysctl_write $SYS/max_connections_per_ip 0
	sysctl_write $SYS/max_connections_per_ip 256
	expect_fail_with "stat_refused_connections is read-only" "Permission denied" \
		sysctl_write $SYS/stat_refused_connections 1

	# Writes need CAP_NET_ADMIN, not just root's uid and the file mode.
	# (bash, not sh: dash's echo reports every write error as "I/O error".)
	if command -v setpriv > /dev/null; then
		expect_fail_with "root without capabilities cannot write keepalive_timeout" \
			"Operation not permitted" setpriv --inh-caps=-all --bounding-set=-all \
			bash -c "echo 1 > $SYS/keepalive_timeout"
		expect_eq "keepalive_timeout unchanged" 60 "$(cat $SYS/keepalive_timeout)"
		expect_fail_with "root without capabilities cannot start the server" \
			"Operation not permitted" setpriv --inh-caps=-all --bounding-set=-all \
			bash -c "echo 1 > $SYS/start"
		expect_eq "still stopped" 0 "$(cat $SYS/start)"
	else
		fail "setpriv (util-linux) is missing in the guest"
	fi
}

test_start_errors() {
	sysctl_write $SYS/documentroot /nonexistent/dir
	expect_fail_with "start fails for a missing documentroot" "No such file" sysctl_write $SYS/start 1
	expect_eq "still stopped after a failed start" 0 "$(cat $SYS/start)"
	sysctl_write $SYS/documentroot "$WWW"
	python3 -c 'import socket,time,sys
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 80)); s.listen(); sys.stdout.write("x\n"); sys.stdout.flush(); time.sleep(30)' > /tmp/blocker.out &
	local blocker=$!
	for _ in $(seq 50); do [ -s /tmp/blocker.out ] && break; sleep 0.1; done
	expect_fail_with "start fails while the port is taken" "Address already in use" sysctl_write $SYS/start 1
	kill $blocker; wait $blocker 2>/dev/null
}

test_serving() {
	check "start" sysctl_write $SYS/start 1
	expect_eq "start reads 1 while running" 1 "$(cat $SYS/start)"
	expect_eq "stop reads 0 while running" 0 "$(cat $SYS/stop)"
	# Writes while running are staged for the next start or reload
	# (tests/vm/reload.sh): they read back, the running server ignores them.
	local f got old
	check "serverport write while running is staged" sysctl_write $SYS/serverport 8080
	expect_eq "serverport reads the staged value" 8080 "$(cat $SYS/serverport)"
	check "documentroot write while running is staged" sysctl_write $SYS/documentroot /tmp
	expect_eq "staged settings leave the running server alone" 200 "$(status /one.txt)"
	sysctl_write $SYS/serverport $PORT
	sysctl_write $SYS/documentroot "$WWW"
	expect_eq "3 worker threads" 3 "$(ps -e -o comm= | grep -c '^khttpd/')"

	for f in header_timeout send_timeout max_connections max_connections_per_ip; do
		old=$(cat $SYS/$f)
		check "$f write while running is staged" sysctl_write $SYS/$f 30
		sysctl_write $SYS/$f "$old"
	done
	for f in empty.txt one.txt 1m.bin big.bin index.html sub/dir/file.txt; do
		got=$(curl -sf "$URL/$f" | sha256sum | cut -d' ' -f1)
		expect_eq "GET /$f: exact bytes" "$(sha256sum < "$WWW/$f" | cut -d' ' -f1)" "$got"
	done
	curl -s -D /tmp/h -o /dev/null "$URL/1m.bin"
	check "200 status line" grep -q '^HTTP/1.1 200 OK' /tmp/h
	check "Content-Length of 1 MiB" grep -qi '^Content-Length: 1048576' /tmp/h
	check "Content-Type for .bin" grep -qi '^Content-Type: application/octet-stream' /tmp/h
	check "Date header" grep -qi '^Date: .* GMT' /tmp/h
	check "Last-Modified header" grep -qi '^Last-Modified: .* GMT' /tmp/h
	curl -s -D /tmp/h -o /dev/null "$URL/index.html"
	check "Content-Type text/html" grep -qi '^Content-Type: text/html' /tmp/h
	curl -s -D /tmp/h -o /dev/null "$URL/style.CSS"
	check "Content-Type by extension, any case" grep -qi '^Content-Type: text/css' /tmp/h
	curl -s -D /tmp/h -o /dev/null "$URL/empty.txt"
	check "Content-Length: 0 for an empty file" grep -qi '^Content-Length: 0' /tmp/h

	got=$(curl -s -I "$URL/1m.bin" | tr -d '\r' | grep -i '^Content-Length' | cut -d' ' -f2)
	expect_eq "HEAD gives the length" 1048576 "$got"
	expect_eq "HEAD sends no body" 0 "$(curl -s -I -o /dev/null -w '%{size_download}' "$URL/1m.bin")"

	# Ranges and conditional requests (RFC 9110 sections 13-14).
	expect_eq "Range 0-9: 206" 206 "$(status /1m.bin -r 0-9)"
	expect_eq "Range 0-9: the right 10 bytes" "$(head -c 10 $WWW/1m.bin | sha256sum)" \
		"$(curl -s -r 0-9 $URL/1m.bin | sha256sum)"
	expect_eq "Range -100 (suffix): last 100 bytes" "$(tail -c 100 $WWW/1m.bin | sha256sum)" \
		"$(curl -s -r -100 $URL/1m.bin | sha256sum)"
	expect_eq "Range 1048000- (open end): the rest" "$(tail -c 576 $WWW/1m.bin | sha256sum)" \
		"$(curl -s -r 1048000- $URL/1m.bin | sha256sum)"
	got=$(curl -s -D - -o /dev/null -r 100-199 $URL/1m.bin | tr -d '\r' | grep -i '^Content-Range:' | cut -d' ' -f2-)
	expect_eq "Content-Range of a 206" "bytes 100-199/1048576" "$got"
	expect_eq "unsatisfiable Range: 416" 416 "$(status /1m.bin -r 2000000-)"
	expect_eq "overflowing Range is not served past the end" 416 "$(status /1m.bin -H 'Range: bytes=18446744073709551615-')"
	# A 1 GiB sparse file: large offsets, holes sent from the zero page.
	truncate -s 1G "$WWW/sparse.bin"
	printf 'khttpd' | dd of="$WWW/sparse.bin" bs=1 seek=536870912 conv=notrunc status=none
	chmod a+r "$WWW/sparse.bin"
	expect_eq "1 GiB sparse file: bytes at 512 MiB by range" khttpd \
		"$(curl -s -r 536870912-536870917 $URL/sparse.bin)"
	expect_eq "1 GiB sparse file: the last 24 bytes are zeros" "$(head -c 24 /dev/zero | sha256sum)" \
		"$(curl -s -r 1073741800- $URL/sparse.bin | sha256sum)"
	# A hole of tmpfs is in no page cache: its pages go through the
	# cold-read path (read off the worker), which must not read them
	# again forever (they stay uncached: tmpfs reads holes as zeros).
	expect_eq "1 GiB sparse file: 1 MiB of hole by range (not cached, read off the worker)" \
		"$(head -c 1048576 /dev/zero | sha256sum)" \
		"$(curl -s -m 60 -r 104857600-105906175 $URL/sparse.bin | sha256sum)"
	check "1 GiB sparse file: the hole's reads counted in cold_reads" \
		test "$(sed -n 's/^cold_reads //p' /proc/net/khttpd/status)" -gt 0
	got=$(curl -s -D - -o /dev/null -r -10 $URL/sparse.bin | tr -d '\r' | grep -i '^Content-Range:' | cut -d' ' -f2-)
	expect_eq "1 GiB sparse file: Content-Range of a suffix" "bytes 1073741814-1073741823/1073741824" "$got"
	got=$(curl -s -I $URL/sparse.bin | tr -d '\r' | grep -i '^Content-Length' | cut -d' ' -f2)
	expect_eq "1 GiB sparse file: HEAD length" 1073741824 "$got"
	rm "$WWW/sparse.bin"
	# A file cut short while its answer is being sent: the answer is cut
	# short too (what TCP already holds, then the close), never padded
	# with zeros or with another file's bytes, and the worker goes on.
	head -c 8388608 /dev/urandom > "$WWW/shrinks.bin"
	chmod a+r "$WWW/shrinks.bin"
	cp "$WWW/shrinks.bin" /tmp/shrinks.orig
	got=$(python3 - "$PORT" "$WWW/shrinks.bin" <<'PYCLIENT'
import os, socket, sys, time
port, path = int(sys.argv[1]), sys.argv[2]
s = socket.create_connection(("127.0.0.1", port))
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
s.sendall(b"GET /shrinks.bin HTTP/1.1\r\nHost: x\r\n\r\n")
data = b""
while b"\r\n\r\n" not in data:
    data += s.recv(65536)
head, body = data.split(b"\r\n\r\n", 1)
time.sleep(1)  # the server fills what the socket takes, then waits
os.truncate(path, 4096)
s.settimeout(30)
while True:
    b = s.recv(1 << 20)
    if not b:
        break
    body += b
orig = open("/tmp/shrinks.orig", "rb").read()
print("short" if len(body) < len(orig) else "full", "same" if body == orig[:len(body)] else "differs")
PYCLIENT
)
	expect_eq "a file cut short while sent: the answer ends early, every byte the file's" \
		"short same" "$got"
	expect_eq "a file cut short while sent: the server still serves" 200 "$(status /one.txt)"
	rm -f "$WWW/shrinks.bin" /tmp/shrinks.orig
	local etag
	etag=$(curl -s -D - -o /dev/null $URL/1m.bin | tr -d '\r' | grep -i '^ETag:' | cut -d' ' -f2)
	check "ETag present" test -n "$etag"
	expect_eq "If-None-Match with the ETag: 304" 304 "$(status /1m.bin -H "If-None-Match: $etag")"
	expect_eq "If-Match with another ETag: 412" 412 "$(status /1m.bin -H 'If-Match: "nope"')"
	expect_eq "If-Modified-Since in the future: 304" 304 "$(status /1m.bin -H 'If-Modified-Since: Fri, 01 Jan 2100 00:00:00 GMT')"
	expect_eq "If-Modified-Since in the past: 200" 200 "$(status /1m.bin -H 'If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT')"

	# Precompressed variants (like nginx gzip_static).
	seq 1 2000 > "$WWW/big.txt"
	gzip -k -9 "$WWW/big.txt"
	chmod a+r "$WWW/big.txt.gz"
	touch -d '1 minute ago' "$WWW/big.txt"
	curl -s -D /tmp/h -o /tmp/body -H 'Accept-Encoding: gzip' "$URL/big.txt"
	check "gzip variant: Content-Encoding" grep -qi '^Content-Encoding: gzip' /tmp/h
	check "gzip variant: Vary" grep -qi '^Vary: Accept-Encoding' /tmp/h
	check "gzip variant: original's Content-Type" grep -qi '^Content-Type: text/plain' /tmp/h
	expect_eq "gzip variant: the .gz bytes" "$(sha256sum < $WWW/big.txt.gz)" "$(sha256sum < /tmp/body)"
	expect_eq "gzip variant decodes to the file" "$(sha256sum < $WWW/big.txt)" \
		"$(curl -s --compressed $URL/big.txt | sha256sum)"
	expect_eq "no Accept-Encoding: the identity file" "$(sha256sum < $WWW/big.txt)" \
		"$(curl -s $URL/big.txt | sha256sum)"
	touch "$WWW/big.txt"
	touch -d '1 minute ago' "$WWW/big.txt.gz"
	expect_eq "stale .gz (older than the file) is not served" "$(sha256sum < $WWW/big.txt)" \
		"$(curl -s -H 'Accept-Encoding: gzip' $URL/big.txt | sha256sum)"

	expect_eq "/ serves index.html" "$(cat $WWW/index.html)" "$(get /)"
	expect_eq "/sub/ serves its index.html" "sub index" "$(get /sub/)"
	expect_eq "directory without slash: 301" 301 "$(status /sub)"
	got=$(curl -s -D - -o /dev/null "$URL/sub?a=1" | tr -d '\r' | grep -i '^Location:' | cut -d' ' -f2)
	expect_eq "301 Location adds the slash, keeps the query" "/sub/?a=1" "$got"
	# An open redirect: "//host/..." in Location is another host to a browser.
	got=$(curl -s -D - -o /dev/null --path-as-is "$URL//evil.example/%2e%2e/sub" |
		tr -d '\r' | grep -i '^Location:' | cut -d' ' -f2)
	expect_eq "301 Location from the normalised path, not '//evil.example/...'" "/sub/" "$got"
	got=$(curl -s -D - -o /dev/null --path-as-is "$URL/\\evil.example/%2e%2e/sub" |
		tr -d '\r' | grep -i '^Location:' | cut -d' ' -f2)
	expect_eq "301 Location never starts with '/\\'" "/sub/" "$got"
	expect_eq "directory without index: 404" 404 "$(status /emptydir/)"
	expect_eq "query string ignored for static files" 200 "$(status '/one.txt?x=1')"
	expect_eq "percent-encoded name" 200 "$(status /one%2etxt)"
}

test_errors() {
	expect_eq "missing file: 404" 404 "$(status /nope.txt)"
	expect_eq "missing dir: 404" 404 "$(status /nope/x.txt)"
	expect_eq "file as dir: 404" 404 "$(status /one.txt/x)"
	expect_eq "dotfile: 404" 404 "$(status /.hidden)"
	expect_eq "non-world-readable file: 403" 403 "$(status /secret.txt)"
	expect_eq "FIFO is not opened: 404" 404 "$(status /fifo)"
	expect_eq "symlink leaving the root: 404" 404 "$(status /passwd-link)"
	expect_eq "symlink inside the root: 200" x "$(get /sub/one-link.txt)"
	expect_eq "POST: 405" 405 "$(status /one.txt -X POST)"
	expect_eq "unknown method: 501" 501 "$(status /one.txt -X BREW)"
	local p
	for p in '/../../etc/passwd' '/%2e%2e/%2e%2e/etc/passwd' '/sub/..%2f..%2fetc/passwd' \
		 '/%2E%2E/etc/passwd' '/sub/../../etc/passwd'; do
		expect_eq "traversal $p: 400" 400 "$(status "$p")"
	done
	expect_eq "encoded NUL: 400" 400 "$(status '/one.txt%00.html')"
	# ".." is in the default dynamic list: no daemon, so 503, never a file.
	expect_eq "backslash traversal is refused (dynamic list, no daemon)" 503 \
		"$(status '/..%5c..%5cetc%5cpasswd')"
	expect_eq "a backslash stays part of a name: 404" 404 "$(status '/%5cetc%5cpasswd')"
	expect_eq "overlong UTF-8 dot stays a name: 404" 404 "$(status '/%c0%ae%c0%ae/etc/passwd')"
	expect_eq "absolute-form target" 200 "$(printf 'GET http://x/one.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' | raw_status)"
	expect_eq "HTTP/1.1 without Host: 400" 400 "$(printf 'GET /one.txt HTTP/1.1\r\n\r\n' | raw_status)"
	expect_eq "garbage: 400" 400 "$(printf 'hello world\r\n\r\n' | raw_status)"
	expect_eq "HTTP/2.0 request line: 505" 505 "$(printf 'GET / HTTP/2.0\r\n\r\n' | raw_status)"
	expect_eq "oversize header: 431" 431 "$(python3 -c 'import sys; sys.stdout.write("GET / HTTP/1.1\r\nHost: x\r\nX: " + "a"*9000 + "\r\n\r\n")' | raw_status)"
	expect_eq "oversize request line: 414" 414 "$(python3 -c 'import sys; sys.stdout.write("GET /" + "a"*9000 + " HTTP/1.1\r\nHost: x\r\n\r\n")' | raw_status)"
}

# raw_status: send stdin as the request over a raw socket, print the status.
raw_status() {
	python3 "$HERE/rawhttp.py" 127.0.0.1 $PORT status
}

test_connection_handling() {
	expect_eq "keep-alive: two requests on one connection" "200 200 1" \
		"$(python3 "$HERE/rawhttp.py" 127.0.0.1 $PORT keepalive /one.txt /index.html)"
	expect_eq "pipelined requests answered in order" "x|<h1>khttpd test index</h1>" \
		"$(python3 "$HERE/rawhttp.py" 127.0.0.1 $PORT pipeline /one.txt /index.html)"
	expect_eq "request sent byte by byte" 200 \
		"$(printf 'GET /one.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' | python3 "$HERE/rawhttp.py" 127.0.0.1 $PORT bytewise)"
	expect_eq "HTTP/1.0 closes by default" closed \
		"$(python3 "$HERE/rawhttp.py" 127.0.0.1 $PORT http10 /one.txt)"
}

test_stop_start() {
	check "stop" sysctl_write $SYS/stop 1
	expect_eq "start reads 0 after stop" 0 "$(cat $SYS/start)"
	expect_eq "no worker threads after stop" 0 "$(ps -e -o comm= | grep -c '^khttpd/')"
	expect_eq "connection refused after stop" 000 "$(status /one.txt)"
	check "serverport can change while stopped" sysctl_write $SYS/serverport 8080
	check "start again" sysctl_write $SYS/start 1
	expect_eq "serves on the new port" x "$(curl -s http://127.0.0.1:8080/one.txt)"
	check "echo 0 > start stops" sysctl_write $SYS/start 0
	sysctl_write $SYS/serverport 80
	check "start once more" sysctl_write $SYS/start 1
	check "start while running is a no-op" sysctl_write $SYS/start 1
	expect_eq "serves after restart" x "$(get /one.txt)"
}

# with_settings NAME=VALUE...: stop, apply, start (the caller restores).
with_settings() {
	sysctl_write $SYS/stop 1
	local kv
	for kv in "$@"; do
		sysctl_write "$SYS/${kv%%=*}" "${kv#*=}" || fail "set $kv"
	done
	sysctl_write $SYS/start 1
}

test_settings() {
	expect_eq "IPv6 ([::1])" x "$(curl -s -g 'http://[::1]/one.txt')"

	echo home > "$WWW/sub/home.htm"
	chmod a+r "$WWW/sub/home.htm"
	with_settings indexfile=home.htm
	expect_eq "indexfile names the directory index" home "$(get /sub/)"
	with_settings indexfile=index.html

	with_settings keepalive_requests=2
	expect_eq "keepalive_requests=2 closes after the second response" 2 \
		"$(python3 "$HERE/rawhttp.py" 127.0.0.1 $PORT count /one.txt /one.txt /one.txt)"
	with_settings keepalive_requests=1000
	expect_eq "keepalive_requests=1000 answers all pipelined requests" 3 \
		"$(python3 "$HERE/rawhttp.py" 127.0.0.1 $PORT count /one.txt /one.txt /one.txt)"

	with_settings max_header_size=2048
	expect_eq "max_header_size=2048: 3000-byte header gets 431" 431 \
		"$(python3 -c 'import sys; sys.stdout.write("GET / HTTP/1.1\r\nHost: x\r\nX: " + "a"*3000 + "\r\n\r\n")' | raw_status)"
	expect_eq "max_header_size=2048: 1000-byte header is fine" 200 \
		"$(python3 -c 'import sys; sys.stdout.write("GET /one.txt HTTP/1.1\r\nHost: x\r\nX: " + "a"*1000 + "\r\n\r\n")' | raw_status)"
	with_settings max_header_size=8192

	mkdir -p "$WWW/mnt"
	mount -t tmpfs none "$WWW/mnt"
	echo mounted > "$WWW/mnt/m.txt"
	chmod -R a+rX "$WWW/mnt"
	expect_eq "another mount is not entered by default" 404 "$(status /mnt/m.txt)"
	with_settings crossmounts=1
	expect_eq "crossmounts=1 enters it" mounted "$(get /mnt/m.txt)"
	with_settings crossmounts=0
	umount "$WWW/mnt"

	# An executable of a known type (.txt): only its execute bits make it
	# userspace's. No daemon to run it: it fails closed, never sent.
	echo '#!/bin/sh' > "$WWW/run.txt"
	chmod 755 "$WWW/run.txt"
	expect_eq "executable file refused by default (503, no daemon)" 503 "$(status /run.txt)"
	expect_eq "the 503 says when to retry" 5 \
		"$(curl -s -D - -o /dev/null $URL/run.txt | tr -d '\r' | sed -n 's/^Retry-After: //p')"
	check "the script's source is not sent" \
		bash -c "! curl -s $URL/run.txt | grep -q '^#!/bin/sh'"
	expect_eq "perm_forbid=73 still serves plain files" 200 "$(status /one.txt)"
	with_settings perm_forbid=0
	expect_eq "perm_forbid=0 serves executables" 200 "$(status /run.txt)"
	with_settings perm_forbid=73 perm_required=0
	chgrp 33 "$WWW/secret.txt"
	chmod 640 "$WWW/secret.txt"
	expect_eq "perm_required=0 serves a file without o+r (0640, group 33)" 200 \
		"$(status /secret.txt)"
	chgrp root "$WWW/secret.txt"
	chmod 600 "$WWW/secret.txt"
	expect_eq "perm_required=0: a 0600 file of root's is not readable by uid 33" 403 \
		"$(status /secret.txt)"
	with_settings perm_required=4
}

# One worker thread serves many connections: it waits for socket events
# and never blocks on one client.
test_event_driven() {
	with_settings threads=1
	expect_eq "threads=1: one worker thread" 1 "$(ps -e -o comm= | grep -c '^khttpd/')"
	expect_eq "threads=1: 200 idle keep-alive connections, and a new one is served" "200 200" \
		"$(python3 "$HERE/rawhttp.py" 127.0.0.1 $PORT crowd 200 /one.txt)"
	curl -s --limit-rate $((SLOW_KBS / 2))k -o /dev/null "$URL/big.bin" &
	local slow=$!
	sleep 1
	expect_eq "threads=1: a slow reader of a big file does not hold others up" \
		"$(sha256sum < $WWW/1m.bin | cut -d' ' -f1)" \
		"$(curl -s -m 60 $URL/1m.bin | sha256sum | cut -d' ' -f1)"
	kill $slow 2>/dev/null
	wait $slow 2>/dev/null
	local reqs=()
	for _ in $(seq 50); do reqs+=(/one.txt); done
	expect_eq "50 pipelined requests in one write, all answered" 50 \
		"$(python3 "$HERE/rawhttp.py" 127.0.0.1 $PORT count "${reqs[@]}")"

	with_settings keepalive_timeout=2 header_timeout=3
	local t
	t=$(python3 "$HERE/rawhttp.py" 127.0.0.1 $PORT idleclose /one.txt)
	check "keepalive_timeout=2 closes an idle connection after ~2 s (took ${t}s)" \
		test "$t" -ge 1 -a "$t" -le 30
	t=$(python3 "$HERE/rawhttp.py" 127.0.0.1 $PORT slowhead)
	check "header_timeout=3 cuts off a request head trickling in after ~3 s (took ${t}s)" \
		test "$t" -ge 2 -a "$t" -le 30
	with_settings keepalive_timeout=60 header_timeout=20 threads=3
}

# The open-file cache must never serve what a fresh lookup would not.
test_file_cache() {
	local c=$WWW/cache
	mkdir -p "$c/d"
	echo v1 > "$c/f.txt"
	echo in-d > "$c/d/g.txt"
	chmod -R a+rX "$c"
	expect_eq "cache: first GET" v1 "$(get /cache/f.txt)"
	expect_eq "cache: second GET (cached)" v1 "$(get /cache/f.txt)"
	echo v2-longer > "$c/f.txt"
	expect_eq "cache: file rewritten in place" v2-longer "$(get /cache/f.txt)"
	echo v3 > "$c/new.tmp"
	chmod a+r "$c/new.tmp"
	mv "$c/new.tmp" "$c/f.txt"
	expect_eq "cache: file replaced by rename" v3 "$(get /cache/f.txt)"
	chmod 600 "$c/f.txt"
	expect_eq "cache: chmod to private is seen" 403 "$(status /cache/f.txt)"
	chmod 644 "$c/f.txt"
	rm "$c/f.txt"
	expect_eq "cache: deleted file" 404 "$(status /cache/f.txt)"
	expect_eq "cache: file in a directory" in-d "$(get /cache/d/g.txt)"
	mv "$c/d" "$c/e"
	expect_eq "cache: directory renamed away" 404 "$(status /cache/d/g.txt)"
	expect_eq "cache: file under the new directory name" in-d "$(get /cache/e/g.txt)"

	with_settings filecache_entries=0
	expect_eq "cache off: still serves" in-d "$(get /cache/e/g.txt)"
	with_settings filecache_entries=1
	local i ok=0
	for i in 1 2 3; do
		[ "$(get /one.txt)" = x ] && [ "$(get /cache/e/g.txt)" = in-d ] && ok=$((ok + 1))
	done
	expect_eq "cache of 1 entry: alternating files stay right" 3 "$ok"
	with_settings filecache_entries=4096
}

# server_sockets: lines of `ss` for TCP sockets on port 80 that still
# hold a connection open or data to send (TIME-WAIT and FIN-WAIT-2 are done
# with both).
server_sockets() {
	ss -Htan '( sport = :80 )' | grep -vE '^(TIME-WAIT|FIN-WAIT-2|LISTEN)'
}

test_rmmod_while_serving() {
	# Slow readers in the middle of a big answer, and an idle
	# keep-alive connection.
	local curls=() idle i n=0
	for i in 1 2; do
		curl -s --limit-rate ${SLOW_KBS}k -o /dev/null "$URL/big.bin" &
		curls+=($!)
	done
	python3 "$HERE/rawhttp.py" 127.0.0.1 $PORT idle /one.txt > /tmp/idle.out &
	idle=$!
	for i in $(seq 60); do
		n=$(server_sockets | grep -c '^ESTAB')
		[ "$n" -ge 3 ] && [ -s /tmp/idle.out ] && break
		sleep 0.5
	done
	check "three connections open before rmmod ($n)" test "$n" -ge 3 -a -s /tmp/idle.out
	check "rmmod while serving" rmmod khttpd
	check "sysctl directory gone" test ! -e $SYS
	expect_eq "no worker threads after rmmod" 0 "$(ps -e -o comm= | grep -c '^khttpd/')"
	# The module's connections go with it: the downloads are reset (their
	# queued megabytes would only be a truncated answer), the idle one
	# gets a FIN. Nothing is left sending to a slow reader.
	for i in $(seq 20); do
		n=$(server_sockets | wc -l)
		[ "$n" = 0 ] && break
		sleep 0.5
	done
	expect_eq "no server-side connection left after rmmod" 0 "$n"
	[ "$n" = 0 ] || server_sockets
	wait "$idle"
	pass "the idle client saw its connection closed"
	# What the downloads already received sits in their own receive
	# queues; no need to watch them read it at 200 KB/s.
	kill "${curls[@]}" 2> /dev/null
	wait "${curls[@]}" 2> /dev/null
	check "insmod again after rmmod" insmod "$KO"
	check "rmmod of a stopped server" rmmod khttpd
}

# vh_req TARGET VERSION [HOST-LINE]: "200 BODY" or the status alone, of one
# raw request (Connection: close) with exactly the Host line given, or none.
vh_req() {
	local fd code body
	exec {fd}<>/dev/tcp/127.0.0.1/$PORT || { echo 000; return; }
	{
		printf 'GET %s HTTP/%s\r\n' "$1" "$2"
		[ $# -ge 3 ] && printf '%s\r\n' "$3"
		printf 'Connection: close\r\n\r\n'
	} >&"$fd"
	IFS= read -r -d '' -t 60 body <&"$fd"
	exec {fd}>&-
	code=$(printf '%s' "$body" | head -n 1 | cut -d' ' -f2)
	body=${body#*$'\r\n\r\n'}
	if [ "$code" = 200 ]; then echo "$code ${body%$'\n'}"; else echo "$code"; fi
}

# vhosts=1: the host picks documentroot/<host>/ (TUX's virtual server).
test_vhosts() {
	local V=/tmp/vwww
	mkdir -p "$V/a.example" "$V/b.example" "$V/_default"
	echo A > "$V/a.example/page.txt"
	echo B > "$V/b.example/page.txt"
	echo D > "$V/_default/page.txt"
	echo top > "$V/page.txt"
	ln -sfn a.example "$V/www.a.example"
	chmod -R a+rX "$V"
	with_settings documentroot=$V vhosts=1
	expect_eq "vhosts: Host a.example gets its own file" "200 A" \
		"$(vh_req /page.txt 1.1 'Host: a.example')"
	expect_eq "vhosts: same path, Host B.Example:80, other bytes" "200 B" \
		"$(vh_req /page.txt 1.1 'Host: B.Example:80')"
	expect_eq "vhosts: a symlink in documentroot is an alias" "200 A" \
		"$(vh_req /page.txt 1.1 'Host: www.a.example')"
	expect_eq "vhosts: an unknown host gets _default" "200 D" \
		"$(vh_req /page.txt 1.1 'Host: c.example')"
	expect_eq "vhosts: HTTP/1.0 without Host gets _default" "200 D" \
		"$(vh_req /page.txt 1.0)"
	expect_eq "vhosts: an absolute-form target overrides Host" "200 B" \
		"$(vh_req http://b.example/page.txt 1.1 'Host: a.example')"
	local h
	for h in '..' '.' 'a.example/..' 'a\b' '../etc' '[::1' "$(printf 'a\x01b')" \
		"$(head -c 300 /dev/zero | tr '\0' a)"; do
		expect_eq "vhosts: hostile Host '${h:0:20}' gets 400" 400 \
			"$(vh_req /page.txt 1.1 "Host: $h")"
	done
	expect_eq "vhosts: no climbing from one host into another" 400 \
		"$(vh_req /../b.example/page.txt 1.1 'Host: a.example')"
	expect_eq "vhosts: Host _default is the default" "200 D" \
		"$(vh_req /page.txt 1.1 'Host: _default')"
	with_settings vhosts=0
	expect_eq "vhosts=0: the root's own file" "200 top" \
		"$(vh_req /page.txt 1.1 'Host: a.example')"
	expect_eq "vhosts=0: a host directory is an ordinary directory" "200 A" \
		"$(vh_req /a.example/page.txt 1.1 'Host: b.example')"
	with_settings documentroot=$WWW
}

# Part 2 starts from where part 1 leaves the server: loaded, serving
# $WWW on port 80 with three workers.
resume_server() {
	check "insmod khttpd.ko" insmod "$KO"
	sysctl_write $SYS/documentroot "$WWW"
	sysctl_write $SYS/threads 3
	check "start" sysctl_write $SYS/start 1
}

part1=(test_load test_sysctl_validation test_start_errors test_serving test_errors
	test_connection_handling test_stop_start test_settings test_credentials)
part2=(test_event_driven test_mime_reload test_file_cache test_compare_nginx
	test_vhosts test_rmmod_while_serving)
case $PART in
all) run_sections make_docroot "${part1[@]}" "${part2[@]}" ;;
1) run_sections make_docroot "${part1[@]}" ;;
2) run_sections make_docroot resume_server "${part2[@]}" ;;
*) echo "integration.sh: part must be all, 1 or 2, not '$PART'" >&2; exit 2 ;;
esac
summary
