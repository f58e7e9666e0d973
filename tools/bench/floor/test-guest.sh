#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest-side check of the TCP floor module (run by tools/bench/floor/test.sh
# through tools/vm/run.sh): it answers with the right size, keep-alive and
# pipelined requests, closes after "Connection: close", serves wrk, binds
# its threads where asked, and rmmod leaves nothing behind (no thread, the
# port free again, dmesg checked by run.sh). Prints ok/not ok lines.
#
# Usage: test-guest.sh KO
set -uo pipefail
ko=${1:?usage: test-guest.sh KO}
port=8085 fail=0
ok() { echo "ok - $*"; }
nok() { echo "not ok - $*"; fail=1; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else nok "$what"; fi; }
# shellcheck disable=SC2317,SC2001 # called through check
# wrk_ok OUTPUT: wrk answered requests without socket errors or non-2xx (else shows it).
wrk_ok() {
	grep -q 'requests in' <<< "$1" && ! grep -q -e 'Socket errors' -e 'Non-2xx' <<< "$1" && return 0
	echo "$1" | sed 's/^/#   /'
	return 1
}
kthreads() { local d; for d in /proc/[0-9]*; do [[ $(cat "$d/comm" 2>/dev/null) =~ ^kfloor/ ]] && echo "${d#/proc/}"; done; }
ulimit -n 65536
# As the benchmark guest: many short connections in close mode.
echo "1024 65535" > /proc/sys/net/ipv4/ip_local_port_range
echo 1 > /proc/sys/net/ipv4/tcp_tw_reuse

# raw REQUESTS: sends them in one write, prints the bytes read until EOF or 3 s of silence.
raw() {
	python3 - "$port" "$1" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(sys.argv[2].encode().decode("unicode_escape").encode("latin-1"))
s.settimeout(3)
got = b""
try:
    while True:
        b = s.recv(1 << 20)
        if not b:
            got += b"<EOF>"
            break
        got += b
except socket.timeout:
    pass
sys.stdout.buffer.write(got)
PY
}

for body in 1024 1048576 0; do
	insmod "$ko" port=$port body_size=$body threads=1 || { nok "insmod body_size=$body"; continue; }
	ok "insmod body_size=$body threads=1"
	n=$(curl -s -o /tmp/floor.body -w '%{http_code} %{size_download}' "http://127.0.0.1:$port/any/path")
	check "body_size=$body: 200 with $body bytes (got $n)" [ "$n" = "200 $body" ]
	if [[ $body == 1024 ]]; then
		pids=$(kthreads)
		check "threads=1: one kfloor thread" [ "$(wc -w <<< "$pids")" = 1 ]
		check "threads=1: bound to CPU 0" [ "$(awk '/^Cpus_allowed_list/ {print $2}' /proc/"$pids"/status)" = 0 ]
		out=$(raw 'GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\nGET /c HTTP/1.1\r\nHost: x\r\n\r\n' | tr -d '\0')
		check "three pipelined requests: three answers, connection kept open" \
			[ "$(grep -c 'HTTP/1.1 200 OK' <<< "$out")" = 3 -a "${out: -5}" != "<EOF>" ]
		out=$(raw 'GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\nconnection: Close\r\n\r\nGET /c HTTP/1.1\r\n\r\n')
		check "Connection: close: answered, then EOF, nothing after it answered" \
			[ "$(grep -c 'HTTP/1.1 200 OK' <<< "$out")" = 2 -a "${out: -5}" = "<EOF>" ]
		out=$(raw 'GET /a HTTP/1.1\r\nHo')
		check "half a head: no answer yet" [ -z "$out" ]
		w=$(taskset -c 1 wrk -t1 -c32 -d2s "http://127.0.0.1:$port/x" 2>&1)
		check "wrk keep-alive c=32: requests answered, no errors ($(grep -o '[0-9.]* requests in' <<< "$w"))" \
			wrk_ok "$w"
		w=$(taskset -c 1 wrk -t1 -c32 -d2s -H 'Connection: close' "http://127.0.0.1:$port/x" 2>&1)
		check "wrk Connection: close c=32: no errors ($(grep -o '[0-9.]* requests in' <<< "$w"))" \
			wrk_ok "$w"
		# Connections left open at rmmod: the module closes them.
		python3 -c "
import socket, time
ss = [socket.create_connection(('127.0.0.1', $port)) for _ in range(20)]
for s in ss[:10]: s.sendall(b'GET / HTTP/1.1\r\n\r\n')
time.sleep(1)
open('/tmp/floor-held', 'w').write('ok')
time.sleep(30)" &
		holder=$!
		for _ in $(seq 50); do [[ -f /tmp/floor-held ]] && break; sleep 0.2; done
	fi
	if [[ $body == 1048576 ]]; then
		w=$(taskset -c 1 wrk -t1 -c8 -d2s "http://127.0.0.1:$port/x" 2>&1)
		check "wrk 1 MiB keep-alive: no errors ($(grep -o '[0-9.]* requests in' <<< "$w"))" \
			wrk_ok "$w"
	fi
	check "rmmod (body_size=$body)" rmmod khttpd_floor
	check "no kfloor thread after rmmod" [ -z "$(kthreads)" ]
	check "module gone" bash -c '! grep -q "^khttpd_floor " /proc/modules'
	[[ -n ${holder:-} ]] && { kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null; holder=; }
done
# The default: one thread per online CPU, each bound to its CPU.
insmod "$ko" port=$port && {
	pids=$(kthreads)
	check "default threads: one per CPU ($(nproc))" [ "$(wc -w <<< "$pids")" = "$(nproc)" ]
	rmmod khttpd_floor
}
check "threads above the CPU count refused" bash -c "! insmod '$ko' threads=99 2>/dev/null"
dmesg | grep khttpd_floor
exit $fail
