#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest-side test of live reload (issue 13): /proc/sys/net/khttpd/reload
# makes a new server generation from the staged settings while the old one
# serves. Under wrk's keep-alive load, a reload of the documentroot, of
# threads (2 -> 1 -> 3) and of max_header_size + keepalive_timeout must
# cost no request (0 socket errors, 0 non-2xx); a port change moves the
# server; failed reloads leave it untouched; rmmod with a retiring
# generation holding an idle connection returns (run.sh checks dmesg).
# A reload done as stop + start fails the wrk checks (connections reset).
# Usage (inside the test VM): reload.sh KHTTPD_KO [quick]
#   quick: the document root under load, the failures and rmmod with a
#   retiring generation only (make check's run on the debug kernel, where
#   the full list takes ~8 minutes; the others run everything).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"

KO=${1:?usage: reload.sh KHTTPD_KO [quick]}
QUICK=${2:-}
SYS=/proc/sys/net/khttpd
STATUS=/proc/net/khttpd/status
W1=/tmp/reload/www1
W2=/tmp/reload/www2
TMP=/tmp/reload/tmp
PORT=8080
PORT2=8081
CLIENT="python3 $HERE/reload_client.py"
# wrk's run and when the reload comes in it; the debug kernel is ~50x slower.
case $(uname -r) in
*debug*) WRK_SECS=16 RELOAD_AT=5 ;;
*) WRK_SECS=8 RELOAD_AT=2 ;;
esac

sysctl_write() {
	printf '%s\n' "$2" > "$1"
}

reload() {
	sysctl_write $SYS/reload 1
}

# st KEY: the value of KEY in the status file.
st() {
	local k v
	while read -r k v; do
		[ "$k" = "$1" ] && { echo "$v"; return; }
	done < $STATUS
}

# body PORT PATH: the body of a GET on a new connection.
body() {
	bash_http body "127.0.0.1:$1" "$2"
}

# wrk_start NAME: keep-alive load on $PORT/f.bin in the background.
wrk_start() {
	wrk -t1 -c4 -d${WRK_SECS}s --timeout 20s "http://127.0.0.1:$PORT/f.bin" \
		> "$TMP/wrk.$1" 2>&1 &
	WRK_PID=$!
	sleep 0.5
}

# wrk_check NAME: waits for wrk; it must have made requests, all 2xx, with
# no socket error.
wrk_check() {
	local out req err non2xx
	wait "$WRK_PID"
	out=$(cat "$TMP/wrk.$1")
	req=$(echo "$out" | sed -n 's/^ *\([0-9]*\) requests in.*/\1/p')
	err=$(echo "$out" | sed -n 's/.*Socket errors: connect \([0-9]*\), read \([0-9]*\), write \([0-9]*\), timeout \([0-9]*\).*/\1+\2+\3+\4/p')
	non2xx=$(echo "$out" | sed -n 's/^ *Non-2xx or 3xx responses: \([0-9]*\).*/\1/p')
	echo "# wrk $1: ${req:-?} requests, socket errors ${err:-none}, non-2xx ${non2xx:-0}"
	check "$1: wrk made requests" test "${req:-0}" -gt 0
	expect_eq "$1: no socket error under wrk" 0 "$(( ${err:-0} ))"
	expect_eq "$1: no non-2xx answer under wrk" 0 "${non2xx:-0}"
}

# retired_all WHAT: waits (up to 30 s) until the retiring generations have
# no connection left, then for the reaper (every second) to destroy them:
# until only the current generation's threads are left.
retired_all() {
	for _ in $(seq 60); do
		[ "$(st retiring_connections)" = 0 ] && break
		sleep 0.5
	done
	expect_eq "$1: retiring connections drain to 0" 0 "$(st retiring_connections)"
	for _ in $(seq 20); do
		[ "$(ps -e -o comm= | grep -c '^khttpd/')" = "$(st threads)" ] && break
		sleep 0.5
	done
	expect_eq "$1: the retired generations are gone (threads left)" "$(st threads)" \
		"$(ps -e -o comm= | grep -c '^khttpd/')"
}

setup() {
	mkdir -p "$W1" "$W2" "$TMP"
	echo one > "$W1/f.txt"
	echo two > "$W2/f.txt"
	head -c 4096 /dev/urandom > "$W1/f.bin"
	head -c 4096 /dev/urandom > "$W2/f.bin"
	chmod -R a+rX /tmp/reload
	check "insmod" insmod "$KO"
	check "reload is write-only (0200)" test "$(stat -c %a $SYS/reload)" = 200
	expect_fail_with "reload while stopped: ESRCH" "No such process" reload
	expect_fail_with "reload rejects 2" "Invalid argument" sysctl_write $SYS/reload 2
	expect_fail_with "reload rejects 0" "Invalid argument" sysctl_write $SYS/reload 0
	sysctl_write $SYS/serverport $PORT
	sysctl_write $SYS/documentroot "$W1"
	sysctl_write $SYS/threads 2
	check "start" sysctl_write $SYS/start 1
	expect_eq "generation 1 after the first start" 1 "$(st generation)"
	expect_eq "no retiring connection yet" 0 "$(st retiring_connections)"
	expect_eq "serves the first documentroot" one "$(body $PORT /f.txt)"
}

# Settings written while running are staged: read back, not in use.
test_staging() {
	check "documentroot write while running succeeds (staged)" \
		sysctl_write $SYS/documentroot "$W2"
	expect_eq "documentroot reads the staged value" "$W2" "$(cat $SYS/documentroot)"
	expect_eq "the running server still serves the old root" one "$(body $PORT /f.txt)"
	expect_fail_with "a bad value is still refused while running" "Invalid argument" \
		sysctl_write $SYS/threads 0
	expect_eq "threads unchanged by the bad write" 2 "$(cat $SYS/threads)"
	sysctl_write $SYS/documentroot "$W1"
}

# (a) a new documentroot under load.
test_docroot() {
	local before after
	before=$(cat $SYS/stat_requests)
	wrk_start docroot
	sleep $RELOAD_AT
	sysctl_write $SYS/documentroot "$W2"
	check "docroot: reload under wrk" reload
	expect_eq "docroot: a new connection sees the new root at once" two "$(body $PORT /f.txt)"
	expect_eq "docroot: generation 2" 2 "$(st generation)"
	wrk_check docroot
	after=$(cat $SYS/stat_requests)
	check "docroot: stat_requests did not go backwards ($before -> $after)" test "$after" -ge "$before"
	retired_all docroot
	check "docroot: dmesg says generation 1 retired" sh -c "dmesg | grep -q 'generation 1 retired'"
}

# (b) threads 2 -> 1 -> 3 under load: all listeners adopted by one worker,
# then extra ones made.
test_threads() {
	local n
	wrk_start threads
	sleep $RELOAD_AT
	for n in 1 3; do
		sysctl_write $SYS/threads $n
		check "threads: reload to $n under wrk" reload
		expect_eq "threads: status shows $n" $n "$(st threads)"
		expect_eq "threads: served with $n" two "$(body $PORT /f.txt)"
		sleep 1
	done
	wrk_check threads
	retired_all threads
	expect_eq "threads: 3 worker lines" 3 "$(grep -c '^worker ' $STATUS)"
	expect_eq "threads: generation 4" 4 "$(st generation)"
}

# (c) max_header_size and keepalive_timeout under load.
test_limits() {
	local big out
	wrk_start limits
	sleep $RELOAD_AT
	sysctl_write $SYS/max_header_size 2048
	sysctl_write $SYS/keepalive_timeout 3
	check "limits: reload under wrk" reload
	wrk_check limits
	big=$(head -c 3000 /dev/zero | tr '\0' a)
	expect_eq "limits: a 3000-byte header is too large now (431)" 431 \
		"$(bash_http status 127.0.0.1:$PORT /f.txt "X-Big: $big")"
	out=$($CLIENT idle $PORT /f.txt $TMP/idle.ready)
	echo "# limits: $out"
	out=${out#idle_closed_after=}
	check "limits: an idle connection closes after the new keepalive_timeout (3 s, got $out)" \
		python3 -c "import sys; sys.exit(not 2.0 <= float('$out') <= 8.0)"
	sysctl_write $SYS/max_header_size 8192
	sysctl_write $SYS/keepalive_timeout 60
	check "limits: reload back" reload
	expect_eq "limits: a 3000-byte header fits again" 200 \
		"$(bash_http status 127.0.0.1:$PORT /f.txt "X-Big: $big")"
	retired_all limits
}

# Failed reloads leave the running generation as it was.
test_failures() {
	local gen blocker
	gen=$(st generation)
	sysctl_write $SYS/documentroot /tmp/reload/missing
	expect_fail_with "a missing documentroot fails the reload (ENOENT)" "No such file" reload
	expect_eq "after the failed reload: same generation" "$gen" "$(st generation)"
	expect_eq "after the failed reload: still serving the old root" two "$(body $PORT /f.txt)"
	sysctl_write $SYS/documentroot "$W2"

	python3 -c 'import socket,time,sys
s=socket.socket(); s.bind(("0.0.0.0", '$PORT2')); s.listen()
sys.stdout.write("x\n"); sys.stdout.flush(); time.sleep(60)' > $TMP/blocker.out &
	blocker=$!
	for _ in $(seq 100); do [ -s $TMP/blocker.out ] && break; sleep 0.1; done
	sysctl_write $SYS/serverport $PORT2
	expect_fail_with "a port in use fails the reload (EADDRINUSE)" "Address already in use" reload
	kill $blocker
	wait $blocker 2>/dev/null
	expect_eq "after the port failure: same generation" "$gen" "$(st generation)"
	expect_eq "after the port failure: still on $PORT" "$PORT" "$(st port)"
	expect_eq "after the port failure: still serving" two "$(body $PORT /f.txt)"
	sysctl_write $SYS/serverport $PORT
	expect_eq "no generation retiring after failures" 0 "$(st retiring_connections)"
}

# (d) a new port: the old one refuses new connections, a keep-alive
# connection on it gets its next request answered (Connection: close).
# $1 -> $2.
move_port() {
	local from=$1 to=$2 out
	rm -f $TMP/hold.ready $TMP/hold.go
	$CLIENT hold "$from" /f.txt $TMP/hold.ready $TMP/hold.go > $TMP/hold.out &
	local holder=$!
	for _ in $(seq 200); do [ -e $TMP/hold.ready ] && break; sleep 0.1; done
	sysctl_write $SYS/serverport "$to"
	check "port $from -> $to: reload" reload
	expect_eq "port $from -> $to: status port" "$to" "$(st port)"
	expect_eq "port $from -> $to: served on $to" two "$(body "$to" /f.txt)"
	expect_eq "port $from -> $to: $from refuses" 000 "$(bash_http status "127.0.0.1:$from" /f.txt)"
	expect_eq "port $from -> $to: a retiring connection is counted" 1 "$(st retiring_connections)"
	touch $TMP/hold.go
	wait $holder
	out=$(cat $TMP/hold.out)
	out=$(echo "$out" | tr '\n' ' ')
	echo "# port $from -> $to: held connection: $out"
	check "port $from -> $to: the held connection's next request is answered, then closed" \
		test "$out" = "status=200 close=1 body=two eof=1 "
	retired_all "port $from -> $to"
}

test_port() {
	move_port $PORT $PORT2
	move_port $PORT2 $PORT
}

# Counters survive reloads; the retired generations' totals are kept.
test_counters() {
	local before after sys_before sys_after
	body $PORT /f.txt > /dev/null
	before=$(st requests)
	sys_before=$(cat $SYS/stat_requests)
	check "reload for the counters" reload
	retired_all counters
	after=$(st requests)
	sys_after=$(cat $SYS/stat_requests)
	check "status requests did not go backwards ($before -> $after)" test "$after" -ge "$before"
	check "stat_requests keeps the retired generations' ($sys_before -> $sys_after)" \
		test "$sys_after" -ge "$sys_before"
	check "stat_requests is not 0 after reloads" test "$sys_after" -gt 0
}

# rmmod while a retiring generation holds an idle keep-alive connection.
test_rmmod_retiring() {
	local out idler
	rm -f $TMP/idle.ready
	$CLIENT idle $PORT /f.txt $TMP/idle.ready > $TMP/idle.out &
	idler=$!
	for _ in $(seq 200); do [ -e $TMP/idle.ready ] && break; sleep 0.1; done
	check "rmmod: reload with an idle connection open" reload
	expect_eq "rmmod: the idle connection is retiring" 1 "$(st retiring_connections)"
	check "rmmod returns with a retiring generation" timeout 60 rmmod khttpd
	wait $idler
	out=$(cat $TMP/idle.out)
	check "rmmod: the idle connection was closed ($out)" test "$out" != "idle_closed_after=-1"
}

if [ "$QUICK" = quick ]; then
	run_sections setup test_staging test_docroot test_failures test_rmmod_retiring
else
	run_sections setup test_staging test_docroot test_threads test_limits test_failures \
		test_port test_counters test_rmmod_retiring
fi
summary
