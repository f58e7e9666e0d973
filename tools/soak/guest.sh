#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest side of the soak (tools/soak/soak.sh). Two modes:
#   cycles KO DAEMON N      N cycles of stop/start and rmmod/insmod while wrk,
#                           hostile clients (tests/vm/hostile_client.py soak),
#                           hand-overs to Apache and a daemon killed with -9
#                           every few seconds all run
#   load KO DAEMON MINUTES [MODDIR]
#                           MINUTES of the same mixed load, no restarts, with
#                           `tc qdisc add dev lo root netem loss 1% delay 5ms`
#                           (sch_netem.ko and its dependencies from MODDIR,
#                           in the order of MODDIR/order, when the kernel
#                           has no netem built in)
# Figures go to $KHTTPD_OUT/figures.txt as "KEY VALUE" lines; pass/fail
# lines to the results file as in the other guest suites.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
TESTS=$HERE/../../tests/vm
. "$TESTS/lib.sh"

MODE=${1:?usage: guest.sh cycles|load KO DAEMON N [MODDIR]}
KO=${2:?}
DAEMON=${3:?}
N=${4:?}
MODDIR=${5:-}
SYS=/proc/sys/net/khttpd
WWW=/tmp/www
A=/tmp/apache
HOST=127.0.0.1:80
S=/tmp/soak
FIG=${KHTTPD_OUT:-/tmp}/figures.txt
DLOG=/tmp/fallbackd.log
mkdir -p "$WWW/cgi-bin" "$A/cgi-bin" "$S"
: > "$FIG"
fig() { echo "$1 $2" >> "$FIG"; echo "# $1 $2"; }

DEBUG=0
[[ $(uname -r) == *debug* || -e /sys/kernel/debug/kmemleak ]] && DEBUG=1
# The hostile flood comes from one address (127.0.0.2), beyond the
# per-address limit that configure() sets; wrk and the plain client come
# from 127.0.0.1.
if [ $DEBUG = 1 ]; then WRK_C=8 HOSTILE_N=80; else WRK_C=32 HOSTILE_N=300; fi

make_site() {
	echo 'static one' > "$WWW/one.txt"
	head -c 1024 /dev/urandom > "$WWW/1k.bin"
	head -c 102400 /dev/urandom > "$WWW/100k.bin"
	head -c 16777216 /dev/zero > "$WWW/big.bin"
	chmod -R a+rX "$WWW"
	chmod 755 "$A" "$A/cgi-bin"
}

# configure: settings for a soak: small per-address limit so the hostile
# flood meets it, short timeouts so slowloris and stalled readers recycle.
configure() {
	echo "$WWW" > $SYS/documentroot
	local kv
	for kv in max_connections_per_ip=50 header_timeout=5 send_timeout=10 keepalive_timeout=15; do
		printf '%s\n' "${kv#*=}" > "$SYS/${kv%%=*}" 2> /dev/null || true
	done
	printf '1\n' > $SYS/start
}

# Counters of the module are lost at rmmod: harvest before.
REFUSED=0 REQS=0 HANDOVERS=0
harvest() {
	local v
	v=$(cat $SYS/stat_refused_connections 2> /dev/null) && REFUSED=$((REFUSED + v))
	v=$(cat $SYS/stat_requests 2> /dev/null) && REQS=$((REQS + v))
	v=$(cat $SYS/stat_handovers 2> /dev/null) && HANDOVERS=$((HANDOVERS + v))
}

slab() { awk -v f="$1:" '$1 == f { print $2 }' /proc/meminfo; }

# Background loads, each until $S/stop exists.
start_loads() {
	rm -f "$S/stop" "$S"/wrk.*.out "$S/handover.out" "$S/static.out" "$S/kills"
	(
		i=0
		while [ ! -e "$S/stop" ]; do
			i=$((i + 1))
			wrk -t1 -c$WRK_C -d20s --latency "http://$HOST/1k.bin" > "$S/wrk.$i.out" 2>&1
			[ -e "$S/stop" ] || wrk -t1 -c$WRK_C -d10s "http://$HOST/100k.bin" > "$S/wrk.$i.b.out" 2>&1
		done
	) &
	WRK_PID=$!
	python3 "$TESTS/hostile_client.py" soak --count $HOSTILE_N --sources 1 --path /big.bin \
		--round-seconds 6 --stop "$S/stop" > "$S/hostile.out" 2> "$S/hostile.err" &
	HOSTILE_PID=$!
	# Hand-overs (Apache's 404) and fail-closed requests, by bash itself;
	# read -t on a FIFO nobody writes is a sleep without a process.
	rm -f "$S/fifo"
	mkfifo "$S/fifo"
	(
		exec {nap}<> "$S/fifo"
		while [ ! -e "$S/stop" ]; do
			bash_http status $HOST /nope.txt >> "$S/handover.out"
			bash_http status $HOST /one.txt >> "$S/static.out"
			read -r -t 0.1 -u $nap
		done 2> /dev/null
	) &
	HANDOVER_PID=$!
	# The daemon, killed with -9 every 8 s and started again.
	(
		while [ ! -e "$S/stop" ]; do
			"$DAEMON" --idle-timeout 10 >> "$DLOG" 2>&1 &
			d=$!
			sleep 8
			kill -9 $d 2> /dev/null
			wait $d 2> /dev/null
			echo kill >> "$S/kills"
		done
	) &
	KILLER_PID=$!
}

stop_loads() {
	touch "$S/stop"
	wait $WRK_PID $HOSTILE_PID $HANDOVER_PID $KILLER_PID 2> /dev/null
}

# Sums wrk's summaries: requests, socket errors, non-2xx answers.
wrk_figures() {
	cat "$S"/wrk.*.out 2> /dev/null | awk '
		/ requests in / { req += $1 }
		/Socket errors:/ { gsub(",", ""); err += $4 + $6 + $8 + $10 }
		/Non-2xx or 3xx/ { bad += $NF }
		END { printf "wrk_requests %d\nwrk_socket_errors %d\nwrk_non_2xx %d\n", req, err, bad }' >> "$FIG"
}

# What a plain client saw: /nope.txt (a hand-over: Apache's 404, or the
# kernel's 503 while no daemon is registered, 000 while the module is
# away) and /one.txt (static: 200).
handover_figures() {
	local f code n
	for f in handover static; do
		for code in 200 404 503 000; do
			n=$(grep -c "^$code\$" "$S/$f.out" 2> /dev/null)
			fig "${f}_client_$code" "${n:-0}"
		done
		fig "${f}_client_total" "$(wc -l < "$S/$f.out")"
	done
}

common_setup() {
	make_site
	check "Apache starts" "$HERE/../apache/run-backend.sh" start "$A" "$WWW" "$A/cgi-bin"
	check "insmod" insmod "$KO"
	configure
	expect_eq "serving" 200 "$(bash_http status $HOST /one.txt)"
	fig slab_start_kb "$(slab Slab)"
	fig sunreclaim_start_kb "$(slab SUnreclaim)"
	fig time_start "$EPOCHSECONDS"
}

common_end() {
	stop_loads
	harvest
	fig time_end "$EPOCHSECONDS"
	wrk_figures
	handover_figures
	fig daemon_kills "$(wc -l < "$S/kills" 2> /dev/null || echo 0)"
	local k v
	while read -r k v; do fig "hostile_$k" "$v"; done < "$S/hostile.out"
	fig kernel_requests "$REQS"
	fig kernel_handovers "$HANDOVERS"
	fig refused_by_limits "$REFUSED"
	check "rmmod at the end" rmmod khttpd
	"$HERE/../apache/run-backend.sh" stop "$A" 2> /dev/null
	sleep 2
	fig slab_end_kb "$(slab Slab)"
	fig sunreclaim_end_kb "$(slab SUnreclaim)"
	if [ -e /sys/kernel/debug/kmemleak ]; then
		echo scan > /sys/kernel/debug/kmemleak
		sleep 5
		echo scan > /sys/kernel/debug/kmemleak
		fig kmemleak_reports "$(grep -c '^unreferenced object' /sys/kernel/debug/kmemleak)"
	fi
	fig dmesg_bad_lines "$(dmesg | grep -cE 'WARNING:|BUG:|Oops|KASAN|UBSAN|possible circular locking|suspicious RCU usage|unreferenced object|Call Trace')"
}

# step NAME: what the cycles are doing now, for the watchdog.
step() {
	echo "$1" > "$S/step"
	echo "# step $1 at $EPOCHSECONDS"
}

# A cycle step that makes no progress for HANG_SECONDS is a hang (a stop,
# rmmod or insmod that never returns): the watchdog saves the blocked
# tasks' stacks (sysrq w), every khttpd thread's and the writers' kernel
# stacks and dmesg to the results, so the hang can be found afterwards.
HANG_SECONDS=600
watchdog() {
	local last='' same=0 cur pid
	while [ ! -e "$S/stop" ]; do
		sleep 10
		cur="$(cat "$S/step" 2> /dev/null) $(stat -c %Y "$S/step" 2> /dev/null)"
		if [ "$cur" = "$last" ]; then same=$((same + 10)); else same=0 last=$cur; fi
		[ $same -ge $HANG_SECONDS ] || continue
		echo "# HANG: no progress in ${same}s at step '$(cat "$S/step")'"
		echo 1 > /proc/sys/kernel/sysrq
		echo w > /proc/sysrq-trigger
		for pid in $(pgrep -f 'khttpd|rmmod|insmod|fallbackd'); do
			echo "== $pid $(cat /proc/$pid/comm 2> /dev/null)"
			cat /proc/$pid/stack 2> /dev/null
		done > "$KHTTPD_OUT/hang-stacks.txt" 2>&1
		dmesg > "$KHTTPD_OUT/hang-dmesg.txt"
		fail "no progress in ${same}s at step '$(cat "$S/step")' (hang-stacks.txt, hang-dmesg.txt)"
		# The hung step never returns: end the guest now rather than at
		# the VM's timeout (hours away), the evidence saved.
		sync
		echo b > /proc/sysrq-trigger
		return
	done
}

cycles() {
	local i bad_stop=0 bad_rmmod=0 bad_insmod=0 t0=$EPOCHSECONDS
	common_setup
	start_loads
	watchdog &
	sleep 5
	for ((i = 1; i <= N; i++)); do
		# Memory per cycle: a leak that builds up over the cycles shows
		# as a trend here long before it stalls anything.
		echo "# cycle $i at $((EPOCHSECONDS - t0))s: MemAvailable $(slab MemAvailable) kB," \
			"Slab $(slab Slab) kB, Percpu $(slab Percpu) kB, VmallocUsed $(slab VmallocUsed) kB," \
			"tmp $(df -k /tmp | awk 'NR == 2 { print $3 }') kB, tasks $(ls /proc | grep -c '^[0-9]')"
		step "cycle $i harvest"; harvest
		step "cycle $i stop"; printf '1\n' > $SYS/stop || bad_stop=$((bad_stop + 1))
		step "cycle $i start"; printf '1\n' > $SYS/start || bad_stop=$((bad_stop + 1))
		sleep 1
		step "cycle $i harvest 2"; harvest
		step "cycle $i rmmod"; rmmod khttpd || bad_rmmod=$((bad_rmmod + 1))
		step "cycle $i insmod"; insmod "$KO" || bad_insmod=$((bad_insmod + 1))
		step "cycle $i configure"; configure || bad_insmod=$((bad_insmod + 1))
		sleep 2
	done
	step done
	fig cycles "$N"
	fig cycle_seconds $((EPOCHSECONDS - t0))
	expect_eq "$N stop/start cycles under load" 0 "$bad_stop"
	expect_eq "$N rmmod cycles under load" 0 "$bad_rmmod"
	expect_eq "$N insmod/start cycles under load" 0 "$bad_insmod"
	expect_eq "still serving after the cycles" 200 "$(bash_http status $HOST /one.txt)"
	common_end
}

load() {
	local m
	if [ -n "$MODDIR" ] && [ -f "$MODDIR/order" ]; then
		while read -r m; do
			insmod "$MODDIR/$m" 2> /dev/null || true
		done < "$MODDIR/order"
	fi
	check "netem on lo: loss 1%, delay 5ms" tc qdisc add dev lo root netem loss 1% delay 5ms
	tc qdisc show dev lo
	common_setup
	start_loads
	local end=$((EPOCHSECONDS + N * 60))
	while [ $EPOCHSECONDS -lt $end ]; do
		sleep 30
		echo "# load: $(((end - EPOCHSECONDS) / 60)) min left, stat_connections $(cat $SYS/stat_connections)"
	done
	fig minutes "$N"
	expect_eq "still serving after the load" 200 "$(bash_http status $HOST /one.txt)"
	common_end
	tc qdisc del dev lo root 2> /dev/null
}

case $MODE in
cycles) run_sections cycles ;;
load) run_sections load ;;
*) echo "guest.sh: unknown mode $MODE" >&2; exit 2 ;;
esac
summary
