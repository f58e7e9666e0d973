#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest-side test of the hand-over to userspace: khttpd.ko on port 80, the
# daemon (khttpd-fallbackd) relaying what the kernel does not serve to a real
# Apache httpd on 127.0.0.1:8080 (mod_remoteip + PROXY protocol, CGI).
# Usage (inside the test VM): handover.sh KHTTPD_KO KHTTPD_FALLBACKD
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"

KO=${1:?usage: handover.sh KHTTPD_KO KHTTPD_FALLBACKD}
DAEMON=${2:?usage: handover.sh KHTTPD_KO KHTTPD_FALLBACKD}
SYS=/proc/sys/net/khttpd
CTL=/proc/net/khttpd/fallback
WWW=/tmp/www
A=/tmp/apache
URL=http://127.0.0.1
CLIENT="python3 $HERE/handover_client.py"
DLOG=/tmp/fallbackd.log
DPID=
# Requests per load loop: the debug kernel (KASAN, lockdep) runs CGI far
# slower, and fewer requests show the same.
# RECOVER: CGI requests that must all succeed after the daemon restarts.
LOAD=60 RECOVER=10
[ "${KHTTPD_KERNEL:-}" = debug ] && LOAD=8 RECOVER=4

# server PATH [curl args]: the first word of the Server header (a plain
# GET is sent by bash itself, lib.sh's bash_http).
server() {
	local path=$1
	shift
	if [ $# = 0 ]; then
		bash_http server "${URL#http://}" "$path"
		return
	fi
	curl -s -D - -o /dev/null --path-as-is "$@" "$URL$path" | tr -d '\r' |
		sed -n 's/^[Ss]erver: \([^/ ]*\).*/\1/p'
}

make_site() {
	mkdir -p "$WWW/cgi-bin" "$A/run" "$A/lock" "$A/cgi-bin"
	echo 'static one' > "$WWW/one.txt"
	head -c 1048576 /dev/urandom > "$WWW/1m.bin"
	echo '<?php echo "source"; ?>' > "$WWW/page.php"
	echo 'secret' > "$WWW/secret.txt"
	printf '#!/bin/sh\necho "cgi ok"\n' > "$WWW/run.cgi"
	chmod -R a+rX "$WWW"
	chmod 755 "$WWW/run.cgi"
	chmod 600 "$WWW/secret.txt"
	cat > "$A/cgi-bin/env.cgi" <<'EOF'
#!/bin/sh
printf 'Content-Type: text/plain\r\n\r\n'
echo "cgi ok"
echo "remote $REMOTE_ADDR"
EOF
	# Echoes a small body (it fits the pipes, so Apache's write of the
	# body and its read of the output cannot block each other).
	cat > "$A/cgi-bin/echo.cgi" <<'EOF'
#!/bin/sh
printf 'Content-Type: application/octet-stream\r\n\r\n'
exec cat
EOF
	# Reads a large body whole, then prints its length and sha256.
	cat > "$A/cgi-bin/sum.cgi" <<'EOF'
#!/bin/sh
f=$(mktemp)
cat > "$f"
printf 'Content-Type: text/plain\r\n\r\n'
echo "$(stat -c %s "$f") $(sha256sum < "$f" | cut -d' ' -f1)"
rm -f "$f"
EOF
	chmod 755 "$A/cgi-bin/"*.cgi
	chmod 755 "$A" "$A/cgi-bin"
	head -c 3000000 /dev/urandom > /tmp/upload.bin
	head -c 40000 /dev/urandom > /tmp/small.bin
}

start_apache() {
	"$HERE/../../tools/apache/run-backend.sh" start "$A" "$WWW" "$A/cgi-bin"
}

# registered: the module says a daemon is registered (dmesg), count $1.
wait_registered() {
	local want=$1
	for _ in $(seq 100); do
		[ "$(dmesg | grep -c 'hand-over daemon registered')" -ge "$want" ] && return 0
		sleep 0.1
	done
	return 1
}

# start_daemon: in the background, in this shell (DPID is its pid); then
# `check ... wait_registered N`.
start_daemon() {
	"$DAEMON" "$@" >> "$DLOG" 2>&1 &
	DPID=$!
}

# sysctl_write FILE VALUE: like `echo VALUE > FILE`, reporting the error.
sysctl_write() {
	printf '%s\n' "$2" > "$1"
}

test_setup() {
	check "insmod" insmod "$KO"
	check "control file exists" test -e $CTL
	expect_eq "control file is root-only" 600 "$(stat -c %a $CTL)"
	expect_eq "dynamic defaults to '.. cgi-bin'" ".. cgi-bin" "$(cat $SYS/dynamic)"
	expect_eq "sloppymime defaults to 0" 0 "$(cat $SYS/sloppymime)"
	expect_eq "nodaemon_503 defaults to 0" 0 "$(cat $SYS/nodaemon_503)"
	expect_eq "clientport defaults to 8080" 8080 "$(cat $SYS/clientport)"
	local v
	for v in 0 65536 x; do
		expect_fail_with "clientport rejects '$v'" "Invalid argument" sysctl_write $SYS/clientport "$v"
	done
	expect_eq "clientport unchanged" 8080 "$(cat $SYS/clientport)"
	expect_fail_with "nodaemon_503 rejects 2" "Invalid argument" sysctl_write $SYS/nodaemon_503 2
	expect_fail_with "dynamic rejects control characters" "Invalid argument" \
		sysctl_write $SYS/dynamic "$(printf 'a\tb')"
	expect_eq "dynamic unchanged" ".. cgi-bin" "$(cat $SYS/dynamic)"
	echo "$WWW" > $SYS/documentroot
	check "start" sysctl_write $SYS/start 1
	check "Apache starts on 127.0.0.1:8080 (mod_remoteip, cgid)" start_apache
}

test_no_daemon() {
	expect_eq "no daemon: static file served" 200 "$(status /one.txt)"
	expect_eq "no daemon: missing file is khttpd's 404" "404 khttpd" \
		"$(status /nope.txt) $(server /nope.txt)"
	expect_eq "no daemon: POST is khttpd's 405" 405 "$(status /one.txt -X POST -d x)"
	expect_eq "no daemon: query string on a static file served" 200 "$(status '/one.txt?x=1')"
	# Fail closed: what userspace would run is never sent as source.
	local what
	for what in /page.php '/page.php?x=1' /cgi-bin/env.cgi /run.cgi; do
		expect_eq "no daemon: $what gets 503" 503 "$(status "$what")"
	done
	check "no daemon: the PHP source is not sent" \
		bash -c "! curl -s $URL/page.php | grep -q source"
	check "no daemon: the CGI script is not sent" \
		bash -c "! curl -s $URL/run.cgi | grep -q 'cgi ok'"
	expect_eq "no daemon: 503 with Retry-After" 5 \
		"$(curl -s -D - -o /dev/null $URL/page.php | tr -d '\r' | sed -n 's/^Retry-After: //p')"
	expect_fail_with "the daemon refuses a non-root user" "" \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$DAEMON"
	sysctl_write $SYS/stop 1
	sysctl_write $SYS/nodaemon_503 1
	sysctl_write $SYS/start 1
	expect_eq "nodaemon_503: missing file gets 503" 503 "$(status /nope.txt)"
	expect_eq "nodaemon_503: CGI gets 503" 503 "$(status /cgi-bin/env.cgi)"
	expect_eq "nodaemon_503: static file still served" 200 "$(status /one.txt)"
	sysctl_write $SYS/stop 1
	sysctl_write $SYS/nodaemon_503 0
	sysctl_write $SYS/start 1
}

test_handover() {
	start_daemon
	check "daemon registers" wait_registered 1
	expect_eq "a second daemon is refused (EBUSY)" 1 \
		"$(timeout 10 "$DAEMON" > /tmp/second.log 2>&1; echo $?)"
	check "second daemon says why" grep -qi 'busy\|already' /tmp/second.log

	expect_eq "daemon_pid names the registered daemon" "$DPID" "$(cat $SYS/daemon_pid)"
	local h0 r0
	h0=$(cat $SYS/stat_handovers)
	r0=$(cat $SYS/stat_requests)
	curl -s -o /dev/null "$URL/cgi-bin/env.cgi"
	curl -s -o /dev/null "$URL/one.txt"
	expect_eq "stat_handovers counts a hand-over" $((h0 + 1)) "$(cat $SYS/stat_handovers)"
	expect_eq "stat_requests counts an answer" $((r0 + 1)) "$(cat $SYS/stat_requests)"
	expect_fail_with "stat_requests is read-only" "ermission denied" \
		sh -c "echo 0 > $SYS/stat_requests"

	expect_eq "static file: khttpd" "200 khttpd" "$(status /one.txt) $(server /one.txt)"
	expect_eq "CGI through the hand-over" "cgi ok" "$(curl -s $URL/cgi-bin/env.cgi | head -n 1)"
	expect_eq "CGI answered by Apache" Apache "$(server /cgi-bin/env.cgi)"
	expect_eq "missing file: Apache's 404" "404 Apache" "$(status /nope.txt) $(server /nope.txt)"
	expect_eq "forbidden file: Apache's answer" Apache "$(server /secret.txt)"
	expect_eq "query string on a static file stays in the kernel" khttpd "$(server '/one.txt?x=1')"
	expect_eq "PHP goes to Apache (unknown type)" Apache "$(server /page.php)"
	expect_eq "an executable goes to Apache" Apache "$(server /run.cgi)"
	expect_eq "traversal attempt goes to Apache, which refuses it" 400 \
		"$(status '/../../etc/passwd')"
	expect_eq "HEAD of a CGI" 200 "$(status /cgi-bin/env.cgi -I)"
	expect_eq "multi-range goes to Apache (multipart)" "206 multipart/byteranges" \
		"$(curl -s -o /dev/null -w '%{http_code} %{content_type}' -r 0-1,5-6 $URL/1m.bin | cut -d';' -f1)"
	expect_eq "OPTIONS goes to Apache" Apache "$(server /one.txt -X OPTIONS)"

	local want
	want="$(stat -c %s /tmp/small.bin) $(sha256sum < /tmp/small.bin | cut -d' ' -f1)"
	expect_eq "POST body echoed by a CGI, byte for byte" "200 $want" \
		"$($CLIENT 127.0.0.1 80 post /cgi-bin/echo.cgi /tmp/small.bin)"
	want="$(stat -c %s /tmp/upload.bin) $(sha256sum < /tmp/upload.bin | cut -d' ' -f1)"
	expect_eq "POST of 3 MB reaches the CGI whole" "200 $want" \
		"$($CLIENT 127.0.0.1 80 post /cgi-bin/sum.cgi /tmp/upload.bin)"
	expect_eq "chunked upload with Expect: 100-continue reaches the CGI whole" "200 $want" \
		"$($CLIENT 127.0.0.1 80 chunked /cgi-bin/sum.cgi /tmp/upload.bin)"

	expect_eq "keep-alive: static, dynamic, static on one connection" \
		"200 khttpd|200 Apache|200 Apache" \
		"$($CLIENT 127.0.0.1 80 sequence /one.txt /cgi-bin/env.cgi /one.txt | paste -sd'|')"
	expect_eq "keep-alive: two static answers before the hand-over" \
		"200 khttpd|200 khttpd|404 Apache|200 Apache" \
		"$($CLIENT 127.0.0.1 80 sequence /one.txt /1m.bin /nope /one.txt | paste -sd'|')"
	expect_eq "pipelined: static, dynamic, static in one write" \
		"200 khttpd|200 Apache|200 Apache" \
		"$($CLIENT 127.0.0.1 80 pipeline /one.txt /cgi-bin/env.cgi /one.txt | paste -sd'|')"

	# The real client address reaches Apache (PROXY protocol v2).
	ip addr add 127.0.0.2/8 dev lo 2>/dev/null
	expect_eq "CGI sees the client's address" "200 cgi ok remote 127.0.0.2" \
		"$($CLIENT 127.0.0.1 80 from 127.0.0.2 /cgi-bin/env.cgi)"
	check "Apache's access log has the client's address" \
		grep -q '^127.0.0.2 200 GET /cgi-bin/env.cgi' "$A/access.log"
	if [ -e /proc/sys/net/ipv6 ]; then
		expect_eq "IPv6 client's address reaches Apache" "200 cgi ok remote ::1" \
			"$($CLIENT ::1 80 from ::1 /cgi-bin/env.cgi)"
	fi
}

# Many CGI requests while the daemon is killed and restarted.
test_daemon_killed() {
	local load i ok=0
	(
		for i in $(seq $LOAD); do
			curl -s -m 10 -o /dev/null "$URL/cgi-bin/env.cgi"
		done
	) &
	load=$!
	(for i in $(seq $LOAD); do curl -s -m 10 -o /dev/null "$URL/one.txt"; done) &
	local load2=$!
	sleep 3
	kill -9 "$DPID"
	wait "$DPID" 2>/dev/null
	check "unregistered when killed" sh -c "dmesg | tail -n 20 | grep -q 'hand-over daemon unregistered'"
	expect_eq "daemon_pid is 0 without a daemon" 0 "$(cat $SYS/daemon_pid)"
	expect_eq "killed daemon: static files still served" 200 "$(status /one.txt)"
	expect_eq "killed daemon: khttpd answers 404 itself again" "404 khttpd" \
		"$(status /nope.txt) $(server /nope.txt)"
	start_daemon
	check "daemon registers again after kill -9" wait_registered 2
	wait "$load" "$load2"
	for i in $(seq $RECOVER); do
		[ "$(curl -s $URL/cgi-bin/env.cgi | head -n 1)" = "cgi ok" ] && ok=$((ok + 1))
	done
	expect_eq "traffic recovers after the restart" $RECOVER "$ok"
}

# rmmod while connections handed over to Apache are still open.
test_rmmod_with_handed_connections() {
	local d=/tmp/hold pid out
	rm -rf "$d"
	mkdir -p "$d"
	$CLIENT 127.0.0.1 80 hold /cgi-bin/env.cgi /one.txt "$d" > "$d/out" 2>&1 &
	pid=$!
	for _ in $(seq 100); do [ -e "$d/ready" ] && break; sleep 0.1; done
	check "held connection was handed over" test -e "$d/ready"
	check "rmmod with a daemon registered and connections handed over" rmmod khttpd
	check "module gone" test ! -e $SYS
	check "daemon survives rmmod" kill -0 "$DPID"
	touch "$d/go"
	wait "$pid"
	expect_eq "handed-over connection still works after rmmod" "200 Apache|200 Apache" \
		"$(paste -sd'|' "$d/out")"
	check "insmod again" insmod "$KO"
	echo "$WWW" > $SYS/documentroot
	check "start again" sysctl_write $SYS/start 1
	# The daemon retries its registration while the module is away.
	check "daemon registers with the reloaded module" wait_registered 3
	expect_eq "hand-over works after reload" "cgi ok" \
		"$(curl -s $URL/cgi-bin/env.cgi | head -n 1)"
}

test_daemon_exit() {
	kill "$DPID"
	wait "$DPID" 2>/dev/null
	expect_eq "daemon exits 0 on SIGTERM" 0 "$?"
	expect_eq "daemon_pid is 0 after it exits" 0 "$(cat $SYS/daemon_pid)"
}

# hold_open VAR: a keep-alive connection from 127.0.0.1 whose request
# Apache answers (404); the status line is read, the rest is left unread
# and the connection open, its descriptor in VAR. No byte moves after it.
# Not through `check`: that runs it in a subshell.
hold_open() {
	local -n held=$1
	local line
	exec {held}<>/dev/tcp/127.0.0.1/80 || return 1
	printf 'GET /nope-held HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n' >&"$held"
	IFS= read -r -t 30 line <&"$held" && [[ $line == "HTTP/1.1 404"* ]]
}

# closed_within SECONDS FD: the peer closes FD (reads reach the end of
# file) within SECONDS.
closed_within() {
	local fd=$2 line rc=0
	while :; do IFS= read -r -t "$1" line <&"$fd" || { rc=$?; break; }; done
	[ "$rc" = 1 ] # 1: end of file; above 128: timed out
}

# The daemon's --max-per-client and --idle-timeout with the real module
# and Apache (whose KeepAliveTimeout is 60 s: any close sooner is the
# daemon's).
test_daemon_limits() {
	local fd1=-1 fd2=-1 i
	start_daemon --max-per-client 2 --idle-timeout 10
	check "daemon with --max-per-client 2 --idle-timeout 10 registers" wait_registered 4
	for i in 1 2; do
		if hold_open "fd$i"; then
			pass "connection $i from 127.0.0.1 answered by Apache and held open"
		else
			fail "connection $i from 127.0.0.1 answered by Apache and held open"
		fi
	done
	expect_eq "third connection from 127.0.0.1: the daemon's 503 (no Server header)" "503 " \
		"$(status /cgi-bin/env.cgi) $(server /cgi-bin/env.cgi)"
	expect_eq "127.0.0.2 is served meanwhile" "200 cgi ok remote 127.0.0.2" \
		"$($CLIENT 127.0.0.1 80 from 127.0.0.2 /cgi-bin/env.cgi)"
	check "idle relay 1 closed by the daemon's idle timeout" closed_within 30 "$fd1"
	check "idle relay 2 closed by the daemon's idle timeout" closed_within 5 "$fd2"
	for i in "$fd1" "$fd2"; do
		[ "$i" -ge 0 ] && exec {i}>&-
	done
	expect_eq "127.0.0.1 is served again" 200 "$(status /cgi-bin/env.cgi)"
	check "the daemon logged the idle close" grep -q 'closed for idleness' "$DLOG"
	check "the daemon logged the per-client refusal" grep -q 'maximum per client' "$DLOG"
	kill "$DPID"
	wait "$DPID" 2>/dev/null
	expect_eq "daemon exits 0 on SIGTERM" 0 "$?"
}

# A daemon that registers but never reads: the kernel must not queue
# without bound or block; beyond handover_queue the kernel answers 503.
test_stuck_daemon() {
	local pid i n503 refused0
	expect_eq "handover_queue defaults to 256" 256 "$(cat $SYS/handover_queue)"
	expect_fail_with "handover_queue rejects 0" "Invalid argument" sysctl_write $SYS/handover_queue 0
	check "handover_queue=2 (takes effect while running)" sysctl_write $SYS/handover_queue 2
	python3 "$HERE/stuck_daemon.py" > /tmp/stuck.out 2>&1 &
	pid=$!
	check "stuck daemon registers" wait_registered 5
	refused0=$(cat $SYS/stat_handovers_refused)
	rm -f /tmp/stuck.*.code
	for i in $(seq 20); do
		curl -s -m 60 -o /dev/null -w '%{http_code}\n' "$URL/cgi-bin/env.cgi" \
			> /tmp/stuck.$i.code &
	done
	sleep 5
	expect_eq "static files are served while the daemon is stuck" 200 "$(status /one.txt)"
	n503=$(cat /tmp/stuck.*.code 2>/dev/null | grep -c 503)
	check "beyond the queue, hand-overs get the kernel's 503 at once ($n503 of 20)" \
		test "$n503" -ge 5
	check "stat_handovers_refused counts them" \
		test "$(cat $SYS/stat_handovers_refused)" -gt "$refused0"
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
	wait
	expect_eq "every client got an answer or a close once the daemon died" \
		"20" "$(cat /tmp/stuck.*.code | wc -l)"
	expect_eq "no connection waits after the daemon died" 0 "$(cat $SYS/daemon_pid)"
	sysctl_write $SYS/handover_queue 256
}

test_cleanup() {
	check "rmmod" rmmod khttpd
	"$HERE/../../tools/apache/run-backend.sh" stop "$A"
	echo "---- daemon log"
	cat "$DLOG"
}

make_site
run_sections test_setup \
	test_no_daemon \
	test_handover \
	test_daemon_killed \
	test_rmmod_with_handed_connections \
	test_daemon_exit \
	test_daemon_limits \
	test_stuck_daemon \
	test_cleanup
summary
