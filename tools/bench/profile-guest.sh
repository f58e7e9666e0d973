#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest side of `tools/bench/profile.sh kernel`: starts one server (the
# benchmark's configuration, tools/bench/servers.sh), drives it with wrk,
# profiles the request path in three wrk runs, and writes into $KHTTPD_OUT:
#   cpu.txt      run 1: guest CPU time per request, wrk's share of it
#   events.txt   run 2: events per request counted with perf stat -a
#                (syscalls, context switches, wake-ups, softirqs, slab and
#                page allocations, packets, skbs freed, data-ready callbacks)
#   times.txt    run 3: calls and time per call of khttpd's functions and of
#                the kernel's TCP/splice/slab/wake-up entry points, from the
#                function_graph tracer (tools/bench/ftrace_times.py)
#   profile.txt  the three together; wrk*.txt: wrk's output of each run
# Why not sampling: under TCG there are no hardware counters, perf's
# cpu-clock sampling (-a) only ever sees the idle task, and attaching to
# running tasks (-p) fails; counts and traced times work.
#
# Usage: profile-guest.sh --ko KO [--server khttpd|nginx|apache|floor] [--size BYTES]
#                         [--mode keepalive|close] [--conc N] [--duration SEC]
#                         [--placement shared|pinned] [--floor FLOOR_KO]
# --placement: as the benchmark's (tools/bench/servers.sh); pinned = the server
# on vCPU 0 with one worker and wrk -t1 on vCPU 1, so the server's CPU time per
# request is its own. --server floor: the TCP floor (tools/bench/floor,
# --floor KO) answering --size bytes, for a profile side by side with khttpd's.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
ko='' server=khttpd size=1024 mode=keepalive conc=32 duration=10 placement=shared floor_ko=''
while [[ $# -gt 0 ]]; do
	case $1 in
	--ko) ko=$2; shift 2 ;;
	--server) server=$2; shift 2 ;;
	--size) size=$2; shift 2 ;;
	--mode) mode=$2; shift 2 ;;
	--conc) conc=$2; shift 2 ;;
	--duration) duration=$2; shift 2 ;;
	--placement) placement=$2; shift 2 ;;
	--floor) floor_ko=$2; shift 2 ;;
	*) echo "profile-guest.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
out=${KHTTPD_OUT:?not in a khttpd VM}
WWW=/tmp/www
declare -A PORT=([khttpd]=8081 [apache]=8082 [nginx]=8083 [floor]=8085)
[[ $placement == shared || $placement == pinned ]] || { echo "profile-guest.sh: --placement shared or pinned" >&2; exit 2; }
# shellcheck disable=SC2034 # read by servers.sh
PLACEMENT=$placement FLOOR_KO=$floor_ko
log() { echo "profile-guest: $*"; }
die() { log "ERROR: $*"; exit 1; }
mkdir -p "$out/conf" "$WWW"
head -c "$size" /dev/urandom > "$WWW/f.bin"
chmod -R a+rX "$WWW"
echo -1 > /proc/sys/kernel/perf_event_paranoid

. "$here/servers.sh"
loopback_tuning
case $server in
khttpd) [[ -f $ko ]] || die "--ko FILE required"; start_khttpd "$ko" ;;
apache) start_apache ;;
nginx) start_nginx ;;
floor) [[ -f $floor_ko ]] || die "--floor FILE required"; floor_size "$size" ;;
*) die "unknown server $server" ;;
esac
sleep 1
url=http://127.0.0.1:${PORT[$server]}/f.bin
curl -sf -o /dev/null "$url" || die "$server does not serve $url"

script=/tmp/wrk.lua
: > $script
[[ $mode == close ]] && echo 'wrk.headers["Connection"] = "close"' > $script
wt=$(( conc < 2 ? 1 : 2 )) wrk=(wrk)
[[ $placement == pinned ]] && wt=1 wrk=(taskset -c 1 wrk)
wrk_run() { # wrk_run OUTFILE [PREFIX...]: one wrk run of $duration s
	local f=$1
	shift
	"$@" "${wrk[@]}" -t"$wt" -c"$conc" -d"${duration}s" --latency -s $script "$url" > "$f" 2>&1
}
requests() { awk '/requests in/ {print $1}' "$1"; }

# 1. Plain run: the baseline rate, and how the CPU time splits between wrk
#    and everything else (bash's time: wrk's user and system time).
cpu_now() { awk '$1 == "cpu" { print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9; exit }' /proc/stat; }
TIMEFORMAT='%3U %3S'
case $server in # the server's own threads or processes
khttpd) spids=$(pgrep '^khttpd/') ;;
apache) spids=$(pgrep -x apache2) ;;
nginx) spids=$(pgrep -x nginx) ;;
floor) spids=$(floor_kthreads) ;;
esac
task_ticks() { local p; for p in $spids; do awk '{print $14 + $15}' /proc/$p/stat; done | awk '{s += $1} END {print s + 0}'; }
read -r b0 t0 <<< "$(cpu_now)"
s0=$(task_ticks)
w0=$(date +%s.%N)
{ time wrk_run "$out/wrk.txt" ; } 2> /tmp/wrk-time
w1=$(date +%s.%N)
s1=$(task_ticks)
read -r b1 t1 <<< "$(cpu_now)"
read -r wu ws < /tmp/wrk-time
n=$(requests "$out/wrk.txt")
hz=$(getconf CLK_TCK)
{
	echo "wrk: $(grep -E 'Requests/sec' "$out/wrk.txt" | tr -s ' ')"
	awk -v b="$((b1 - b0))" -v hz="$hz" -v wu="$wu" -v ws="$ws" -v n="$n" \
		-v srv="$((s1 - s0))" -v name="$server" -v wall="$(echo "$w1 - $w0" | bc)" -v cpus="$(nproc)" 'BEGIN {
		cap = wall * cpus; busy = b / hz; w = wu + ws; sv = srv / hz
		printf "guest CPU capacity %.1f s (%d vCPUs x %.1f s): wrk %.1f s (user %.1f, system %.1f) = %.0f%%; %s threads %.1f s = %.0f%%; busy in /proc/stat %.1f s = %.0f%%\n",
			cap, cpus, wall, w, wu, ws, 100 * w / cap, name, sv, 100 * sv / cap, busy, 100 * busy / cap
		printf "per request: wrk %.0f us, %s %.0f us of CPU time\n", 1e6 * w / n, name, 1e6 * sv / n
		print "(softirq work, TCP receive processing included, counts for the task it interrupted;"
		print " /proc/stat is sampled per tick and reads low under TCG)" }'
} > "$out/cpu.txt"
log "$(head -n 2 "$out/cpu.txt" | tr '\n' ' ')"

# 2. Events per request, counted (not sampled) system-wide with perf stat.
events=raw_syscalls:sys_enter,sched:sched_switch,sched:sched_wakeup,irq:softirq_entry
events+=,kmem:kmem_cache_alloc,kmem:kmalloc,kmem:mm_page_alloc,net:net_dev_xmit
events+=,skb:consume_skb,sock:sk_data_ready
wrk_run "$out/wrk-stat.txt" perf stat -a -x, -e "$events" -o /tmp/perf-stat.txt --
n=$(requests "$out/wrk-stat.txt")
awk -F, -v n="$n" '/^[0-9]/ { printf "%10.2f  %s\n", $1 / n, $3 }' /tmp/perf-stat.txt > "$out/events.txt"
sed -i "1i events per request (perf stat -a over a wrk run of $n requests, whole guest: wrk and server):" "$out/events.txt"
cp /tmp/perf-stat.txt "$out/perf-stat.raw"

# 3. Time per call of the request path's functions: the function_graph
#    tracer on a few functions (all of khttpd's, and the kernel's TCP,
#    splice, slab and wake-up entry points). Inclusive wall time per call,
#    as the guest's clock sees it: tracing adds its own cost to each.
T=/sys/kernel/tracing
[[ -e $T/trace ]] || mount -t tracefs nodev $T || die "cannot mount tracefs"
echo 0 > $T/tracing_on
echo nop > $T/current_tracer
echo 32768 > $T/buffer_size_kb
: > $T/set_ftrace_filter
[[ $server == khttpd ]] && echo ':mod:khttpd' >> $T/set_ftrace_filter
[[ $server == floor ]] && echo ':mod:khttpd_floor' >> $T/set_ftrace_filter
for f in tcp_sendmsg tcp_recvmsg splice_direct_to_actor tcp_v4_rcv try_to_wake_up \
	kmem_cache_alloc_noprof kmem_cache_free __kmalloc_noprof kfree inet_accept \
	tcp_close do_epoll_wait do_sendfile __x64_sys_sendfile64 __x64_sys_writev \
	__x64_sys_recvfrom __x64_sys_read __x64_sys_accept4 __x64_sys_close; do
	echo "$f" >> $T/set_ftrace_filter 2>/dev/null || true
done
echo funcgraph-tail > $T/trace_options 2>/dev/null || echo 1 > $T/options/funcgraph-tail
echo 1 > $T/options/funcgraph-proc 2>/dev/null || true
echo function_graph > $T/current_tracer
: > $T/trace
echo 1 > $T/tracing_on
wrk_run "$out/wrk-trace.txt"
echo 0 > $T/tracing_on
n=$(requests "$out/wrk-trace.txt")
python3 "$here/ftrace_times.py" --requests "$n" < $T/trace > "$out/times.txt" || die "ftrace_times.py failed"
echo nop > $T/current_tracer
stop_servers
{
	echo "== $server, $mode, $size-byte file, c=$conc, $duration s per run, $placement placement =="
	cat "$out/cpu.txt"
	echo
	cat "$out/events.txt"
	echo
	cat "$out/times.txt"
} > "$out/profile.txt"
log "report written"
