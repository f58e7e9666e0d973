#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Where a TLS handshake's server CPU goes, khttpd against nginx (issue 14):
# both HTTPS servers as the benchmark starts them (tools/bench/https.sh,
# pinned placement: the server's tasks on vCPU 0, wrk -t1 on vCPU 1), the
# handshake cell (1 KiB, Connection: close, c=32, so every request is a new
# connection and a full TLS 1.3 handshake), and the user and system CPU
# time per connection of each server task: khttpd's worker thread and
# khttpd-fallbackd; nginx's worker. Writes $KHTTPD_OUT/hs-split.txt.
#
# Usage (host): tools/vm/run.sh --kernel deb612 --out DIR -- \
#     tools/bench/hs-split-guest.sh build/kmod/deb612/khttpd.ko \
#     build/bin/khttpd-fallbackd build/bench-tls-mods/deb612 [SECONDS [ROUNDS]]
# (tools/vm/tls-mods.sh deb612 build/bench-tls-mods/deb612 makes the modules.)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ko=${1:?usage: hs-split-guest.sh KO DAEMON TLS_MODS [SECONDS [ROUNDS]]}
TLS_DAEMON=${2:?daemon} TLS_MODS=${3:?tls modules} dur=${4:-10} rounds=${5:-2}
out=${KHTTPD_OUT:?not in a khttpd VM}
# shellcheck disable=SC2034 # read by servers.sh and https.sh
WWW=/tmp/www servers="khttpd nginx" PLACEMENT=pinned NGINX_FILECACHE=20000
declare -A PORT=([khttpd]=8081 [apache]=8082 [nginx]=8083)
log() { echo "hs-split: $*"; }
die() { log "ERROR: $*"; exit 1; }
mkdir -p "$out/conf" "$WWW"
head -c 1024 /dev/urandom > "$WWW/f.bin"
chmod -R a+rX "$WWW"
. "$here/servers.sh"
. "$here/https.sh"
loopback_tuning
https_setup_once
KHTTPD_TLS_PORT=${HTTPS_PORT[khttpd]} start_khttpd "$ko"
start_tls_daemon
start_nginx_tls
sleep 1
hz=$(getconf CLK_TCK)
# ticks PID: "utime stime" in clock ticks.
ticks() { awk '{print $14, $15}' "/proc/$1/stat"; }
{
	echo "TLS 1.3 handshakes (TLS_AES_128_GCM_SHA256, X25519, ECDSA P-256), 1 KiB, Connection: close,"
	echo "c=32, $dur s per run, pinned; CPU time per connection, us (user / system)"
} > "$out/hs-split.txt"
for r in $(seq "$rounds"); do
	for srv in khttpd nginx; do
		declare -A role=()
		if [[ $srv == khttpd ]]; then
			for p in $(khttpd_kthreads); do role[$p]=worker; done
			role[$TLSD_PID]=daemon
		else
			for p in $(pgrep -f 'nginx: worker'); do role[$p]=worker; done
		fi
		declare -A t0=()
		for p in "${!role[@]}"; do t0[$p]=$(ticks "$p"); done
		bench_tls taskset -c 1 wrk -t1 -c32 -d"${dur}s" -H 'Connection: close' \
			"https://127.0.0.1:${HTTPS_PORT[$srv]}/f.bin" > "$out/wrk-$srv-$r.txt" 2>&1
		n=$(awk '/requests in/ {print $1}' "$out/wrk-$srv-$r.txt")
		[[ ${n:-0} -gt 0 ]] || die "$srv: wrk made no request: $(tail -n 3 "$out/wrk-$srv-$r.txt")"
		line="round $r $srv: $n connections ($(awk '/Requests\/sec/ {print $2}' "$out/wrk-$srv-$r.txt")/s)"
		tu=0 ts=0
		for p in "${!role[@]}"; do
			read -r u0 s0 <<< "${t0[$p]}"
			read -r u1 s1 <<< "$(ticks "$p")"
			u=$(( (u1 - u0) * 1000000 / hz / n )) s=$(( (s1 - s0) * 1000000 / hz / n ))
			tu=$((tu + u)) ts=$((ts + s))
			line+="; ${role[$p]} $u / $s"
		done
		line+="; total $((tu + ts)) ($tu / $ts)"
		echo "$line" | tee -a "$out/hs-split.txt"
		unset role t0
	done
done
stop_https_servers
stop_servers
