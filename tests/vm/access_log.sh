# SPDX-License-Identifier: GPL-2.0
# Guest-side tests of the access log's kernel side: /proc/net/khttpd/access_log
# (binary records, one reader, blocking, poll, unload), the `logging` sysctl,
# and a full ring dropping records without stalling the server.
# Sourced by a runner (tests/vm/access_log_run.sh, or integration.sh) that
# has loaded the module and started the server on $WWW with default settings,
# no daemon registered; uses lib.sh's helpers, sysctl_write, $SYS and $WWW.
# The records are read with the small python3 reader below, straight from
# the proc file (khttpd-fallbackd is not involved).

AL_PROC=/proc/net/khttpd/access_log
AL_STATUS=/proc/net/khttpd/status

# al_py MODE: the reader. Modes:
#   drain   reads (O_NONBLOCK) until EAGAIN; prints one line per record,
#           tab-separated: status body_bytes family addr port flags reason
#           line agent host referer; "BAD why" for a malformed record
#   busy    opens twice: prints the second open's errno name (or "opened")
#   einval  one 8-byte read: prints the errno name (or "read N")
#   block   a blocking read(2): prints "records N" or "eof"
#   unload  blocks in read(2), poll(2) and epoll at once, in three threads,
#           writes "ready" to $2; after $3 appears prints what each got,
#           then closes (the epoll entry outlives the module: see
#           khttpd_log_wait_pollers)
read -r -d '' AL_PY <<'EOF'
import errno, os, select, socket, struct, sys, threading, time
HDR = struct.Struct('<HBBHBB16sHHHHH6sQQQQ')
assert HDR.size == 72
PROC = '/proc/net/khttpd/access_log'

def records(buf):
    off = 0
    while off < len(buf):
        (size, ver, fam, status, reason, flags, addr, port, ll, rl, al, hl,
         res, t, body, usec, conn) = HDR.unpack_from(buf, off)
        rec = buf[off:off + size]
        p = 72
        line = rec[p:p + ll]; p += ll
        ref = rec[p:p + rl]; p += rl
        agent = rec[p:p + al]; p += al
        host = rec[p:p + hl]; p += hl
        bad = []
        if size % 8 or size < 72 or off + size > len(buf): bad.append('size %d' % size)
        if ver != 1: bad.append('version %d' % ver)
        if res != bytes(6): bad.append('reserved')
        if size != (p + 7) & ~7 or rec[p:] != bytes(size - p): bad.append('padding')
        if fam == socket.AF_INET:
            a = socket.inet_ntop(fam, addr[:4])
            if addr[4:] != bytes(12): bad.append('addr tail')
        elif fam == socket.AF_INET6:
            a = socket.inet_ntop(fam, addr)
        else:
            a = '?'; bad.append('family %d' % fam)
        if bad:
            print('BAD', ' '.join(bad)); return
        d = lambda b: b.decode('latin-1')
        print('\t'.join(map(str, (status, body, fam, a, port, flags, reason, d(line),
                                  d(agent), d(host), d(ref)))))
        off += size

mode = sys.argv[1]
if mode == 'drain':
    fd = os.open(PROC, os.O_RDONLY | os.O_NONBLOCK)
    while True:
        try:
            buf = os.read(fd, 65536)
        except BlockingIOError:
            break
        if not buf:
            break
        records(buf)
elif mode == 'busy':
    fd = os.open(PROC, os.O_RDONLY)
    try:
        os.open(PROC, os.O_RDONLY); print('opened')
    except OSError as e:
        print(errno.errorcode[e.errno])
elif mode == 'einval':
    fd = os.open(PROC, os.O_RDONLY | os.O_NONBLOCK)
    try:
        print('read', len(os.read(fd, 8)))
    except OSError as e:
        print(errno.errorcode[e.errno])
elif mode == 'block':
    fd = os.open(PROC, os.O_RDONLY)
    buf = os.read(fd, 65536)
    n = 0
    off = 0
    while off < len(buf):
        off += HDR.unpack_from(buf, off)[0]; n += 1
    print('records %d' % n if buf else 'eof')
elif mode == 'unload':
    fd = os.open(PROC, os.O_RDONLY)
    ep = select.epoll()
    ep.register(fd, select.EPOLLIN)
    got = {}
    def rd():
        try:
            got['read'] = 'eof' if not os.read(fd, 65536) else 'data'
        except OSError as e:
            got['read'] = errno.errorcode[e.errno]
    def pl():
        p = select.poll(); p.register(fd, select.POLLIN)
        got['poll'] = ' '.join(str(ev) for _, ev in p.poll(120000)) or 'timeout'
    def epl():
        got['epoll'] = ' '.join(str(ev) for _, ev in ep.poll(120)) or 'timeout'
    ts = [threading.Thread(target=f) for f in (rd, pl, epl)]
    for t in ts: t.start()
    time.sleep(1)
    open(sys.argv[2], 'w').write('ready\n')
    for t in ts: t.join(150)
    while not os.path.exists(sys.argv[3]): time.sleep(0.1)
    for k in ('read', 'poll', 'epoll'): print(k, got.get(k, 'still blocked'))
    ep.close()
    os.close(fd)
EOF

al_py() {
	python3 -c "$AL_PY" "$@"
}

# al_true NAME STATUS: passes if STATUS (of a test just run) is 0. (lib.sh's
# check runs a command whose own `out` would hide the callers'.)
al_true() {
	if [ "$2" -eq 0 ]; then pass "$1"; else fail "$1"; fi
}

# al_stat NAME: a line of /proc/net/khttpd/status ("" if none).
al_stat() {
	local k v
	while read -r k v; do
		[ "$k" = "$1" ] && { echo "$v"; return; }
	done < "$AL_STATUS" 2> /dev/null
}

# al_get HOST PATH AGENT: one GET to HOST (127.0.0.1 or ::1) over bash's
# /dev/tcp with a Referer derived from AGENT; prints the status (000: none).
al_get() {
	local fd host=$1 code=000
	[[ $host == *:* ]] && host="[$host]" # an IPv6 literal in Host
	if exec {fd}<>"/dev/tcp/$1/80"; then
		printf 'GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nReferer: %s\r\nConnection: close\r\n\r\n' \
			"$2" "$host" "$3" "http://ref.example/$3" >&"$fd"
		IFS=' ' read -r -t 60 _ code _ <&"$fd" || code=000
		cat <&"$fd" > /dev/null # to the close: the answer is complete, and logged
		exec {fd}>&-
	fi 2> /dev/null
	echo "${code%$'\r'}"
}

# al_status_skip NAME: true (and a skip line) if the status file is absent.
al_status_skip() {
	[ -f "$AL_STATUS" ] && return 1
	result "skip - $1: no $AL_STATUS in this build"
}

test_access_log_file() {
	local v
	check "$AL_PROC exists" test -f "$AL_PROC"
	expect_eq "$AL_PROC is mode 0400" 400 "$(stat -c %a "$AL_PROC")"
	check "sysctl logging exists" test -f "$SYS/logging"
	expect_eq "logging defaults to 1" 1 "$(cat "$SYS/logging")"
	for v in 2 -1 abc ''; do
		expect_fail_with "logging rejects '$v'" "Invalid argument" sysctl_write "$SYS/logging" "$v"
	done
	expect_eq "logging unchanged by bad writes" 1 "$(cat "$SYS/logging")"
	expect_eq "a second open gets EBUSY" EBUSY "$(al_py busy)"
	al_py drain > /dev/null
	expect_eq "empty, O_NONBLOCK: EAGAIN" EAGAIN "$(al_py einval)"
}

# test_access_log_records [N]: N requests (half over 127.0.0.1, half over
# ::1) and one 404 give exactly N + 1 records, each as it was sent.
test_access_log_records() {
	local n=${1:-20} i host out want got bad=0 r0 r1
	al_py drain > /dev/null
	r0=$(al_stat log_records)
	for ((i = 0; i < n; i++)); do
		host=127.0.0.1
		((i % 2)) && host=::1
		[ "$(al_get "$host" /one.txt "k2/$i")" = 200 ] || bad=$((bad + 1))
	done
	expect_eq "$n GETs answered 200" 0 "$bad"
	expect_eq "a 404 answered" 404 "$(al_get 127.0.0.1 /no-such-file "k2/404")"
	expect_eq "a record waiting, an 8-byte read: EINVAL" EINVAL "$(al_py einval)"
	out=$(al_py drain)
	expect_eq "$((n + 1)) records" $((n + 1)) "$(grep -c . <<< "$out")"
	! grep -q ^BAD <<< "$out"
	al_true "no malformed record" $?
	if ! al_status_skip "status: log_records"; then
		r1=$(al_stat log_records)
		expect_eq "status: log_records rose by $((n + 1))" $((n + 1)) $((r1 - r0))
	fi
	bad=0
	for ((i = 0; i < n; i++)); do
		if ((i % 2)); then
			want=$'200\t1\t10\t::1\t'
			host='[::1]'
		else
			want=$'200\t1\t2\t127.0.0.1\t'
			host=127.0.0.1
		fi
		# status body family addr port flags reason line agent host referer
		got=$(grep -F $'\tk2/'"$i"$'\t' <<< "$out")
		if [[ $got != "$want"*$'\t0\t0\tGET /one.txt HTTP/1.1\tk2/'"$i"$'\t'"$host"$'\thttp://ref.example/k2/'"$i" ]]; then
			bad=$((bad + 1))
			echo "# record $i: got '$got'"
		fi
	done
	expect_eq "every record has its status, bytes, address, line, agent, host, referer" 0 "$bad"
	got=$(grep -F $'\tk2/404\t' <<< "$out")
	if [[ $got == 404$'\t'* ]]; then pass "the 404's record"; else fail "the 404's record" "'$got'"; fi
}

# logging=0: requests leave no record and count no drop.
test_access_log_off() {
	local i r0 d0 out
	al_py drain > /dev/null
	r0=$(al_stat log_records)
	d0=$(al_stat log_drops)
	sysctl_write "$SYS/logging" 0
	expect_eq "logging reads 0" 0 "$(cat "$SYS/logging")"
	for i in 1 2 3 4 5; do al_get 127.0.0.1 /one.txt off > /dev/null; done
	out=$(al_py drain)
	expect_eq "logging=0: no record" "" "$out"
	expect_eq "logging=0: log_records unchanged" "$r0" "$(al_stat log_records)"
	expect_eq "logging=0: log_drops unchanged" "$d0" "$(al_stat log_drops)"
	sysctl_write "$SYS/logging" 1
	al_get 127.0.0.1 /one.txt on > /dev/null
	expect_eq "logging=1 again: one record" 1 "$(al_py drain | grep -c .)"
}

# A blocking read sleeps while the rings are empty and wakes for a request.
test_access_log_blocking() {
	local out pid
	al_py drain > /dev/null
	al_py block > /tmp/al_block.out &
	pid=$!
	sleep 2
	check "a blocking read sleeps while the rings are empty" kill -0 "$pid"
	al_get 127.0.0.1 /one.txt wake > /dev/null
	for _ in $(seq 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.2; done
	if kill -0 "$pid" 2> /dev/null; then
		fail "a request wakes the blocked reader" "still blocked after 10 s"
		kill "$pid"
	fi
	wait "$pid"
	expect_eq "a request wakes the blocked reader" "records 1" "$(cat /tmp/al_block.out)"
}

# With nobody reading, a flood fills the rings: records are dropped and
# counted, and the requests are answered as quickly as ever.
# test_access_log_flood [REQUESTS]
test_access_log_flood() {
	local n=${1:-1500} d0 d1 r0 r1 out kept
	al_py drain > /dev/null
	d0=$(al_stat log_drops)
	r0=$(al_stat log_records)
	# Keep-alive requests with 1 KiB Referer and User-Agent: ~2.2 KiB
	# records, so a few hundred fill 256 KiB rings. A stall would show
	# as a timeout (5 s a request).
	out=$(python3 - "$n" <<'EOF'
import socket, sys, time
n = int(sys.argv[1])
hdr = ('GET /one.txt HTTP/1.1\r\nHost: flood\r\nUser-Agent: ' + 'u' * 1100 +
       '\r\nReferer: ' + 'r' * 1100 + '\r\n\r\n').encode()
ok = worst = 0
t0 = time.monotonic()
s = socket.create_connection(('127.0.0.1', 80), timeout=5)
f = s.makefile('rb')
for i in range(n):
    if i % 900 == 899:  # keepalive_requests is 1000
        s.close(); s = socket.create_connection(('127.0.0.1', 80), timeout=5)
        f = s.makefile('rb')
    t = time.monotonic()
    s.sendall(hdr)
    status = f.readline().split()[1]
    length = 0
    while True:
        l = f.readline()
        if l.lower().startswith(b'content-length:'): length = int(l.split()[1])
        if l in (b'\r\n', b''): break
    f.read(length)
    ok += status == b'200'
    worst = max(worst, time.monotonic() - t)
print(ok, '%.3f' % (time.monotonic() - t0), '%.3f' % worst)
EOF
)
	echo "# flood: $out (answered 200, seconds, slowest request)"
	expect_eq "flood: all $n requests answered 200" "$n" "${out%% *}"
	d1=$(al_stat log_drops)
	r1=$(al_stat log_records)
	out=$(al_py drain)
	kept=$(grep -c . <<< "$out")
	echo "# flood: the rings held $kept records"
	check "flood: the rings are bounded ($kept of $n records kept)" test "$kept" -lt "$n"
	check "flood: the rings were not emptied" test "$kept" -gt 50
	! grep -q ^BAD <<< "$out"
	al_true "flood: no malformed record" $?
	if ! al_status_skip "flood: log_drops"; then
		check "flood: log_drops rose ($d0 -> $d1)" test "$d1" -gt "$d0"
		expect_eq "flood: every request written or dropped" "$n" $((d1 - d0 + r1 - r0))
		expect_eq "flood: the rings held what was written" $((r1 - r0)) "$kept"
	fi
	expect_eq "flood: cut fields flagged (agent, referer)" 6 "$(cut -f6 <<< "$out" | sort -u)"
}

# Last: rmmod with a reader blocked in read(2), one in poll(2) and an epoll
# registration; rmmod must wake them and return, and nothing may touch the
# module's memory afterwards (KASAN on the debug kernel).
test_access_log_unload() {
	local pid t0 out
	rm -f /tmp/al_ready /tmp/al_gone
	al_py unload /tmp/al_ready /tmp/al_gone > /tmp/al_unload.out &
	pid=$!
	for _ in $(seq 100); do [ -f /tmp/al_ready ] && break; sleep 0.2; done
	check "readers blocked in read, poll and epoll" test -f /tmp/al_ready
	sleep 1
	t0=$EPOCHSECONDS
	check "rmmod khttpd with blocked readers" rmmod khttpd
	check "rmmod returned within 30 s" test $((EPOCHSECONDS - t0)) -le 30
	touch /tmp/al_gone
	wait "$pid"
	out=$(cat /tmp/al_unload.out)
	echo "$out" | sed 's/^/# /'
	expect_eq "unload: the blocked read returns end of file" "read eof" "$(grep ^read <<< "$out")"
	grep -q "^poll [0-9]" <<< "$out"
	al_true "unload: poll woke" $?
	grep -q "^epoll [0-9]" <<< "$out"
	al_true "unload: epoll woke" $?
}
