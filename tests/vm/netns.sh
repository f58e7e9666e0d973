#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest-side test of one khttpd per network namespace (issue 15): the
# initial namespace and two others (a, b) each serve their own document
# root on port 80 at once; each namespace's sysctls, status and hand-over
# daemon are its own; a namespace deleted while its server is under load,
# with connections held open from outside it (over a veth pair), stops
# that server (run.sh checks dmesg: KASAN, lockdep, kmemleak on debug);
# rmmod with three namespaces serving, each with open connections,
# returns; a container's root (user namespace owning its network
# namespace) cannot start or configure its instance.
# Usage (inside the test VM): netns.sh KHTTPD_KO MODDIR [KHTTPDCTL]
#   MODDIR: veth and what it needs (tools/vm/guest-mods.sh; empty where
#   veth is built in). With KHTTPDCTL, khttpdctl applies a config file
#   with the module-wide settings in a namespace's instance.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"

KO=${1:?usage: netns.sh KHTTPD_KO MODDIR [KHTTPDCTL]}
MODDIR=${2:?usage: netns.sh KHTTPD_KO MODDIR [KHTTPDCTL]}
KHTTPDCTL=${3:-}
SYS=/proc/sys/net/khttpd
W=/tmp/netns
# Addresses of the veth pair between the initial namespace and c: both
# ends are in this VM's own namespaces.
C_HOST=10.7.9.1
C_ADDR=10.7.9.2
case $(uname -r) in
*debug*) LOAD_SECS=12 ;;
*) LOAD_SECS=6 ;;
esac

in_ns() { ip netns exec "$@"; }
# The functions the namespaces' shells run (ip netns exec bash -c ...).
export -f bash_http

# w NS NAME VALUE: writes a sysctl of namespace NS ("-": the initial one).
w() {
	if [ "$1" = - ]; then
		printf '%s\n' "$3" > "$SYS/$2"
	else
		in_ns "$1" bash -c 'printf "%s\n" "$2" > "$1"' _ "$SYS/$2" "$3"
	fi
}

# r NS NAME: reads one.
r() {
	if [ "$1" = - ]; then cat "$SYS/$2"; else in_ns "$1" cat "$SYS/$2"; fi
}

# st NS KEY: KEY's value in NS's status file.
st() {
	local f=/proc/net/khttpd/status
	if [ "$1" = - ]; then cat $f; else in_ns "$1" cat $f; fi |
		sed -n "s/^$2 //p"
}

# body NS PATH: a GET on NS's own loopback, port 80.
body() {
	if [ "$1" = - ]; then
		bash_http body 127.0.0.1:80 "$2"
	else
		in_ns "$1" bash -c 'bash_http body 127.0.0.1:80 "$1"' _ "$2"
	fi
}

# code NS PATH: the status code of the same.
code() {
	if [ "$1" = - ]; then
		bash_http status 127.0.0.1:80 "$2"
	else
		in_ns "$1" bash -c 'bash_http status 127.0.0.1:80 "$1"' _ "$2"
	fi
}

workers() { ps -e -o comm= | grep -c '^khttpd/'; }

# wait_workers N: until N worker threads are left (60 s at most).
wait_workers() {
	for _ in $(seq 120); do
		[ "$(workers)" = "$1" ] && return 0
		sleep 0.5
	done
	return 1
}

# serve NS: NS's instance serves $W/NS on port 80 with one thread.
serve() {
	local d=$W/${1/-/init}
	w "$1" documentroot "$d"
	w "$1" serverport 80
	w "$1" threads 1
	w "$1" start 1
}

setup() {
	local n
	for n in init a b c; do
		mkdir -p "$W/$n/cgi-bin"
		echo "$n" > "$W/$n/f.txt"
	done
	head -c $((4 << 20)) /dev/zero > "$W/c/big.bin"
	chmod -R a+rX "$W"
	if [ -s "$MODDIR/order" ]; then
		while read -r m; do insmod "$MODDIR/$m" 2> /dev/null || true; done < "$MODDIR/order"
	fi
	ip link set lo up
	for n in a b c; do
		ip netns add $n && ip -n $n link set lo up
	done
	check "insmod" insmod "$KO"
	check "namespace a has its own /proc/sys/net/khttpd" in_ns a test -e $SYS/start
	check "namespace a has its own /proc/net/khttpd/status" \
		in_ns a test -e /proc/net/khttpd/status
	check "namespace a has its own fallback file" in_ns a test -e /proc/net/khttpd/fallback
	check "access_log is in the initial namespace" test -e /proc/net/khttpd/access_log
	check "no access_log in namespace a (module-wide)" \
		in_ns a test ! -e /proc/net/khttpd/access_log
	check "logging is in the initial namespace's table" test -e $SYS/logging
	check "no logging or mimetypes in namespace a's table (module-wide)" \
		in_ns a test ! -e $SYS/logging -a ! -e $SYS/mimetypes
}

# Three servers on port 80 at once, each with its own document root.
test_three() {
	local n
	for n in - a b; do
		check "start in ${n/-/init}" serve $n
	done
	for n in - a b; do
		expect_eq "${n/-/init} serves its own root on 80" "${n/-/init}" "$(body $n /f.txt)"
		expect_eq "${n/-/init}: status says running" running "$(st $n state)"
		expect_eq "${n/-/init}: generation 1" 1 "$(st $n generation)"
	done
	expect_eq "one worker per namespace" 3 "$(workers)"
	expect_eq "requests counted per namespace (a)" 1 "$(st a requests)"
}

# Each namespace's settings and lifetime are its own.
test_own() {
	check "write keepalive_timeout in a" w a keepalive_timeout 7
	expect_eq "a reads its write" 7 "$(r a keepalive_timeout)"
	expect_eq "b's keepalive_timeout unchanged" 60 "$(r b keepalive_timeout)"
	expect_eq "init's keepalive_timeout unchanged" 60 "$(r - keepalive_timeout)"
	expect_eq "documentroot differs (b)" "$W/b" "$(r b documentroot)"
	check "handover_queue in b" w b handover_queue 5
	expect_eq "a's handover_queue unchanged" 256 "$(r a handover_queue)"
	expect_fail_with "a bad value is refused in a" "Invalid argument" w a threads 0
	# Reload in a: a new generation there only.
	w a documentroot "$W/c"
	check "reload in a" w a reload 1
	expect_eq "a serves its new root" c "$(body a /f.txt)"
	expect_eq "a: generation 2" 2 "$(st a generation)"
	expect_eq "b: still generation 1" 1 "$(st b generation)"
	expect_eq "init: still generation 1" 1 "$(st - generation)"
	w a documentroot "$W/a"
	w a reload 1
	# Stop in b: the others serve on.
	check "stop b" w b stop 1
	expect_eq "b stopped: nothing on its port 80" 000 "$(code b /f.txt)"
	expect_eq "a still serves" a "$(body a /f.txt)"
	expect_eq "init still serves" init "$(body - /f.txt)"
	expect_eq "b's stat_requests is 0 while stopped" 0 "$(r b stat_requests)"
	check "restart b" w b start 1
	expect_eq "b serves again" b "$(body b /f.txt)"
	expect_fail_with "reload in a stopped namespace: ESRCH" "No such process" \
		in_ns c bash -c "printf '1\n' > $SYS/reload"
}

# khttpdctl apply of a file like the packaged one in a: the module-wide
# settings (the initial namespace's alone) are left out, the rest applies
# and reloads a only.
test_ctl() {
	[ -n "$KHTTPDCTL" ] || return 0
	printf 'documentroot = %s\nlogging = 0\nkeepalive_timeout = 9\nmimetypes =\n' "$W/c" \
		> "$W/a.conf"
	local out rc=0 logging
	logging=$(r - logging)
	out=$(in_ns a "$KHTTPDCTL" apply "$W/a.conf" 2>&1) || rc=$?
	expect_eq "khttpdctl apply in a: exit 0" 0 "$rc"
	check "khttpdctl apply in a: logging left out, said so" \
		grep -q "a.conf:2: logging left out" <<< "$out"
	check "khttpdctl apply in a: mimetypes left out, said so" \
		grep -q "a.conf:4: mimetypes left out" <<< "$out"
	expect_eq "khttpdctl apply in a: the rest in effect" "c 9" \
		"$(body a /f.txt) $(r a keepalive_timeout)"
	expect_eq "khttpdctl apply in a: init's logging untouched" "$logging" "$(r - logging)"
	expect_eq "khttpdctl apply in a: init's root untouched" init "$(body - /f.txt)"
	w a documentroot "$W/a"
	w a keepalive_timeout 7
	w a reload 1
}

# A daemon started in a registers for a only.
test_daemon() {
	local pid held
	in_ns a python3 "$HERE/stuck_daemon.py" > /tmp/netns-daemon.out 2>&1 &
	for _ in $(seq 60); do
		grep -q registered /tmp/netns-daemon.out && break
		sleep 0.5
	done
	pid=$(r a daemon_pid)
	expect_eq "a's daemon_pid is the daemon (in a)" "a python3" \
		"$(ip netns identify "$pid") $(ps -o comm= -p "$pid")"
	expect_eq "b has no daemon" 0 "$(r b daemon_pid)"
	expect_eq "init has no daemon" 0 "$(r - daemon_pid)"
	# A CGI request in a goes to a's daemon (which never answers: the
	# client does not wait for it).
	in_ns a bash -c 'exec 3<>/dev/tcp/127.0.0.1/80
		printf "GET /cgi-bin/x.cgi HTTP/1.1\r\nHost: a\r\n\r\n" >&3; sleep 30' &
	held=$!
	for _ in $(seq 60); do
		[ "$(r a stat_handovers)" = 1 ] && break
		sleep 0.5
	done
	expect_eq "a's hand-over went to a's daemon" 1 "$(r a stat_handovers)"
	expect_eq "the same request in b: 503 (no daemon there)" 503 "$(code b /cgi-bin/x.cgi)"
	expect_eq "b handed nothing over" 0 "$(r b stat_handovers)"
	kill "$pid" $(ip netns pids a) 2> /dev/null
	wait "$held" 2> /dev/null
	for _ in $(seq 60); do
		[ "$(r a daemon_pid)" = 0 ] && break
		sleep 0.5
	done
	expect_eq "a's daemon unregistered when killed" 0 "$(r a daemon_pid)"
}

# Namespace c, reached from the initial one over a veth pair, deleted
# while wrk loads it and connections from outside are held open.
test_delete() {
	local before stopped loop wrk h1 h2 open
	check "veth to c" ip link add vc0 type veth peer name eth0 netns c
	ip addr add $C_HOST/30 dev vc0 && ip link set vc0 up
	in_ns c ip addr add $C_ADDR/30 dev eth0 && in_ns c ip link set eth0 up
	check "start in c" serve c
	expect_eq "c serves over the veth" c "$(bash_http body $C_ADDR:80 /f.txt)"
	before=$(workers)
	stopped=$(dmesg | grep -c 'khttpd: stopped')
	wrk -t1 -c8 -d${LOAD_SECS}s --timeout 5s "http://$C_ADDR/f.txt" > /tmp/netns-wrk.out 2>&1 &
	wrk=$!
	# Clients inside c too, until killed.
	in_ns c bash -c 'while :; do bash_http body 127.0.0.1:80 /f.txt > /dev/null; done' &
	loop=$!
	# Held open from outside: a head never finished, and an answer the
	# client does not read (the server's send stays blocked).
	exec {h1}<>/dev/tcp/$C_ADDR/80
	printf 'GET /f.txt HTTP/1.1\r\n' >&$h1
	exec {h2}<>/dev/tcp/$C_ADDR/80
	printf 'GET /big.bin HTTP/1.1\r\nHost: c\r\n\r\n' >&$h2
	sleep 2
	open=$(r c stat_connections)
	check "c has connections open under load ($open)" test "${open:-0}" -ge 2
	# Its processes first: each holds the namespace.
	kill $(ip netns pids c) 2> /dev/null
	wait "$loop" 2> /dev/null
	check "ip netns del c" ip netns del c
	check "c's server stopped (its worker is gone)" wait_workers $((before - 1))
	expect_eq "dmesg says stopped once more" $((stopped + 1)) \
		"$(dmesg | grep -c 'khttpd: stopped')"
	wait "$wrk"
	echo "# wrk while c was deleted: $(grep -E 'requests in|Socket errors' /tmp/netns-wrk.out | tr '\n' ' ')"
	exec {h1}>&- {h2}>&-
	ip link del vc0 2> /dev/null
	expect_eq "a still serves" a "$(body a /f.txt)"
	expect_eq "b still serves" b "$(body b /f.txt)"
	expect_eq "init still serves" init "$(body - /f.txt)"
}

# A user namespace's root owning a new network namespace (unshare -U -r
# -n, which the VM's chroot does not allow: userns_run.py): reads, but no
# write (CAP_NET_ADMIN in the initial user namespace only).
as_container() { python3 "$HERE/userns_run.py" "$1"; }
test_unprivileged() {
	check "root without CAP_NET_ADMIN: start refused (EPERM)" \
		bash -c "setpriv --inh-caps=-net_admin --bounding-set=-net_admin bash -c 'echo 1 > $SYS/start' 2>&1 | grep -q 'Operation not permitted'"
	# The debug kernel is built without CONFIG_USER_NS (unshare: EINVAL).
	if as_container true 2>&1 | grep -q 'Invalid argument'; then
		echo "# SKIP container root: this kernel has no user namespaces"
		return
	fi
	expect_eq "container root is root in its user namespace" 0 "$(as_container 'id -u')"
	check "container root is in a network namespace of its own" \
		test "$(as_container 'readlink /proc/self/ns/net')" != "$(readlink /proc/self/ns/net)"
	expect_eq "container root reads its instance's settings" 80 \
		"$(as_container "cat $SYS/serverport")"
	expect_fail_with "container root: start refused (EPERM)" "Operation not permitted" \
		as_container "echo 1 > $SYS/start"
	expect_fail_with "container root: documentroot refused (EPERM)" "Operation not permitted" \
		as_container "echo /tmp > $SYS/documentroot"
	expect_eq "container root: documentroot unchanged" /var/www \
		"$(as_container "cat $SYS/documentroot")"
	expect_fail_with "container root: cannot register a daemon" "Error" \
		timeout 30 python3 "$HERE/userns_run.py" "python3 $HERE/stuck_daemon.py"
}

# rmmod with three namespaces serving, each with connections open.
test_rmmod() {
	local n pids=() c
	for n in - a b; do
		if [ "$n" = - ]; then
			bash -c 'exec 3<>/dev/tcp/127.0.0.1/80; printf "GET / HTTP/1.1\r\n" >&3; sleep 60' &
		else
			in_ns $n bash -c 'exec 3<>/dev/tcp/127.0.0.1/80
				printf "GET / HTTP/1.1\r\n" >&3; sleep 60' &
		fi
		pids+=($!)
	done
	sleep 1
	for n in - a b; do
		c=$(r $n stat_connections)
		check "${n/-/init} has a connection open ($c)" test "$c" -ge 1
	done
	check "rmmod with three namespaces serving returns" timeout 120 rmmod khttpd
	check "no worker left" test "$(workers)" = 0
	kill "${pids[@]}" $(ip netns pids a) $(ip netns pids b) 2> /dev/null
	wait "${pids[@]}" 2> /dev/null
	ip netns del a
	ip netns del b
}

run_sections setup test_three test_own test_ctl test_daemon test_delete test_unprivileged test_rmmod
summary
