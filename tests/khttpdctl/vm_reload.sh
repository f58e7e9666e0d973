#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# khttpdctl apply/reload against the real module, inside the test VM (the
# host tests use a fake sysctl tree): apply to a stopped server stages,
# reload moves document root, port and threads while running, a reload the
# kernel refuses (missing document root, port in use) or a bad file
# changes nothing, and reload of a stopped server exits 4.
# Usage (inside the test VM): vm_reload.sh KHTTPD_KO KHTTPDCTL
# e.g. tools/vm/run.sh --kernel deb612 --out /work/main/build/ctl-vm-deb612 -- \
#        tests/khttpdctl/vm_reload.sh build/kmod/deb612/khttpd.ko build/khttpdctl/khttpdctl
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../vm/lib.sh"

KO=${1:?usage: vm_reload.sh KHTTPD_KO KHTTPDCTL}
CTL=${2:?usage: vm_reload.sh KHTTPD_KO KHTTPDCTL}
SYS=/proc/sys/net/khttpd
D=/tmp/ctl

st() {
	sed -n "s/^$1 //p" /proc/net/khttpd/status
}

body() {
	bash_http body "127.0.0.1:$1" "$2"
}

# conf NAME LINES...: writes $D/NAME.conf.
conf() {
	local name=$1
	shift
	printf '%s\n' "$@" > "$D/$name.conf"
}

setup() {
	mkdir -p $D/w1 $D/w2
	chmod 0755 $D $D/w1 $D/w2
	echo one > $D/w1/index.html
	echo two > $D/w2/index.html
	chmod 0644 $D/w1/index.html $D/w2/index.html
	check "insmod khttpd.ko" insmod "$KO"
}

test_apply_stopped() {
	conf a "# first" "serverport = 8080" "documentroot = $D/w1" "threads = 2"
	check "check a.conf" "$CTL" check $D/a.conf
	local out
	out=$("$CTL" apply $D/a.conf 2>&1)
	expect_eq "apply to a stopped server exits 0" 0 $?
	expect_eq "... and says they apply at start" \
		"khttpd: $D/a.conf applied (3 settings); the server is stopped: they take effect when it starts" \
		"$out"
	expect_eq "serverport staged" 8080 "$(cat $SYS/serverport)"
	check "khttpdctl start" "$CTL" start
	expect_eq "serves w1 on 8080" one "$(body 8080 /index.html)"
	expect_eq "generation 1 after start" 1 "$(st generation)"
	expect_eq "2 threads" 2 "$(st threads)"
}

test_reload() {
	conf b "serverport = 8081" "documentroot = $D/w2" "threads = 1"
	local out
	out=$("$CTL" reload $D/b.conf 2>&1)
	expect_eq "reload exits 0" 0 $?
	expect_eq "... and names the generation" \
		"khttpd reloaded: $D/b.conf in effect (3 settings, generation 2)" "$out"
	expect_eq "serves w2 on 8081 at once" two "$(body 8081 /index.html)"
	expect_eq "8080 is closed" 000 "$(bash_http status 127.0.0.1:8080 /index.html)"
	expect_eq "1 thread" 1 "$(st threads)"
	# apply on a running server reloads too.
	conf c "serverport = 8080" "threads = 2"
	check "apply to a running server reloads" "$CTL" apply $D/c.conf
	expect_eq "generation 3" 3 "$(st generation)"
	expect_eq "serves w2 on 8080" two "$(body 8080 /index.html)"
}

test_refused() {
	conf m "threads = 1" "documentroot = $D/missing"
	expect_fail_with "reload to a missing documentroot fails" \
		"cannot reload khttpd: the document root $D/missing does not exist" \
		"$CTL" reload $D/m.conf
	expect_eq "... no new generation" 3 "$(st generation)"
	expect_eq "... documentroot put back" "$D/w2" "$(cat $SYS/documentroot)"
	expect_eq "... threads put back" 2 "$(cat $SYS/threads)"
	expect_eq "... still serving" two "$(body 8080 /index.html)"

	# Python starts slowly under TCG: wait until it listens.
	python3 -c 'import socket,time; s=socket.socket(); s.bind(("0.0.0.0", 8082)); s.listen()
open("/tmp/ctl/listening", "w").close(); time.sleep(60)' &
	local busy=$!
	for _ in $(seq 100); do
		[ -e $D/listening ] && break
		sleep 0.2
	done
	check "a listener holds port 8082" test -e $D/listening
	conf p "serverport = 8082"
	expect_fail_with "reload to a port in use fails" "port 8082 is already in use" \
		"$CTL" reload $D/p.conf
	expect_eq "... serverport put back" 8080 "$(cat $SYS/serverport)"
	expect_eq "... still serving on 8080" two "$(body 8080 /index.html)"
	kill $busy
	wait $busy 2> /dev/null

	conf x "serverport = 8083" "threads = 0"
	expect_fail_with "a bad file is refused" "$D/x.conf:2: threads: 0 is out of range (1-256)" \
		"$CTL" reload $D/x.conf
	expect_eq "... serverport untouched" 8080 "$(cat $SYS/serverport)"
	expect_eq "... generation untouched" 3 "$(st generation)"
}

test_stopped() {
	check "khttpdctl stop" "$CTL" stop
	"$CTL" reload $D/b.conf > $D/out 2>&1
	expect_eq "reload of a stopped server exits 4" 4 $?
	expect_eq "... changing nothing" 8080 "$(cat $SYS/serverport)"
	check "rmmod" rmmod khttpd
}

run_sections setup test_apply_stopped test_reload test_refused test_stopped
summary
