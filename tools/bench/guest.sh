#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest side of the benchmark (runs inside the VM started by tools/bench/bench.sh).
# For each placement (tools/bench/servers.sh: pinned = each server on vCPU 0 with one
# worker and wrk -t1 on vCPU 1; shared = all on both vCPUs, wrk -t2 for c >= 2) it
# starts khttpd, Apache httpd (event MPM) and nginx on loopback, all serving the same
# tmpfs document root, checks that each returns identical bytes, then runs wrk against
# them in alternation (for each cell: round 1 khttpd apache nginx, round 2 ...).
# In the log-cost cells two more take their turn in each round: khttpd-log (the same
# module with logging=1 and khttpd-fallbackd writing the access log) and nginx-log
# (nginx with a buffered access log); their log lines are counted after each run.
#
# Usage: guest.sh --ko KHTTPD_KO [--sizes "0 1024 ..."] [--conc "1 32 256"]
#                 [--modes "keepalive close"] [--rounds N] [--duration SEC]
#                 [--placement "pinned shared"] [--daemon KHTTPD_FALLBACKD]
#                 [--log-sizes "1024"] [--log-conc "32"] [--log-modes "keepalive close"]
# No --daemon: no log-cost runs. Writes into $KHTTPD_OUT: results.csv (one line per wrk
# run), settings.txt (key=value), conf/ (the server configs used), wrk/ (raw wrk output).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
ko='' sizes='0 1024 16384 262144 1048576 4194304' concs='1 32 256' modes='keepalive close'
rounds=3 duration=5 placements='pinned shared' daemon=''
log_sizes=1024 log_concs=32 log_modes='keepalive close'
while [[ $# -gt 0 ]]; do
	case $1 in
	--ko) ko=$2; shift 2 ;;
	--sizes) sizes=$2; shift 2 ;;
	--conc) concs=$2; shift 2 ;;
	--modes) modes=$2; shift 2 ;;
	--rounds) rounds=$2; shift 2 ;;
	--duration) duration=$2; shift 2 ;;
	--placement) placements=$2; shift 2 ;;
	--daemon) daemon=$2; shift 2 ;;
	--log-sizes) log_sizes=$2; shift 2 ;;
	--log-conc) log_concs=$2; shift 2 ;;
	--log-modes) log_modes=$2; shift 2 ;;
	*) echo "guest.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
[[ -f $ko ]] || { echo "guest.sh: --ko FILE required" >&2; exit 2; }
for p in $placements; do
	[[ $p == pinned || $p == shared ]] || { echo "guest.sh: placement $p: pinned or shared" >&2; exit 2; }
done
out=${KHTTPD_OUT:?not in a khttpd VM}
WWW=/tmp/www
servers='khttpd apache nginx'
declare -A PORT=([khttpd]=8081 [apache]=8082 [nginx]=8083 [khttpd-log]=8081 [nginx-log]=8084)
KLOG=/tmp/bench-access.log NLOG=/tmp/nginx-access.log
WRK_TIMEOUT=10s
TIMEFORMAT='KHTIME %3U %3S'

log() { echo "bench-guest: $*"; }
die() { log "ERROR: $*"; stop_servers; exit 1; }

mkdir -p "$out/conf" "$out/wrk"
# Kernel messages at full level on the serial console: should the guest hang,
# the stack traces reach serial.log on the host.
echo 8 > /proc/sys/kernel/printk
rm -f "$out/results.csv" "$out/settings.txt"

# ---- document root (tmpfs) ----
mkdir -p "$WWW"
fname() { echo "f$1.bin"; }
for s in $sizes; do head -c "$s" /dev/urandom > "$WWW/$(fname "$s")"; done
chmod -R a+rX "$WWW"

# ---- loopback tuning: many short connections in close mode ----
echo "1024 65535" > /proc/sys/net/ipv4/ip_local_port_range
echo 1 > /proc/sys/net/ipv4/tcp_tw_reuse
ulimit -n 65536

# ---- the servers (tools/bench/servers.sh) ----
. "$here/servers.sh"

# ---- which log-cost variants can run ----
in_list() { local x; for x in $2; do [[ $x == "$1" ]] && return 0; done; return 1; }
log_cell() { in_list "$1" "$log_sizes" && in_list "$2" "$log_concs" && in_list "$3" "$log_modes"; }
log_servers='' log_note=''
if [[ -n $daemon ]]; then
	log_servers=nginx-log
	# khttpd-log needs the module's logging sysctl and a daemon that writes the
	# access log; a tree without them measures nginx-log alone, and says so.
	insmod "$ko" || die "insmod $ko"
	has_logging=0
	[[ -f $SYS/logging ]] && has_logging=1
	rmmod khttpd
	if [[ $has_logging == 0 ]]; then
		log_note="khttpd.ko has no logging sysctl: khttpd-log not measured"
	elif ! [[ -x $daemon ]] || ! "$daemon" --help 2>&1 | grep -q -- --access-log; then
		log_note="$daemon has no --access-log: khttpd-log not measured"
	else
		log_servers='khttpd-log nginx-log'
	fi
	[[ -n $log_note ]] && log "WARNING: $log_note"
fi

# ---- wrk scripts: print machine-readable results from done() ----
cat > /tmp/report.lua <<'EOF'
done = function(summary, latency, requests)
   local e = summary.errors
   io.write(string.format("KHBENCH requests=%d duration_us=%d bytes=%d p50_us=%d p99_us=%d mean_us=%.1f err_connect=%d err_read=%d err_write=%d err_status=%d err_timeout=%d\n",
      summary.requests, summary.duration, summary.bytes,
      latency:percentile(50), latency:percentile(99), latency.mean,
      e.connect, e.read, e.write, e.status, e.timeout))
end
EOF
cp /tmp/report.lua /tmp/wrk-keepalive.lua
{ echo 'wrk.headers["Connection"] = "close"'; cat /tmp/report.lua; } > /tmp/wrk-close.lua
cp /tmp/wrk-*.lua "$out/conf/"

# /proc/stat aggregate cpu line -> "busy total" jiffies (busy excludes idle and iowait;
# guest/guest_nice are already counted in user/nice).
cpu_now() { awk '$1 == "cpu" { busy = $2+$3+$4+$7+$8+$9; print busy, busy+$5+$6; exit }' /proc/stat; }
hz=$(getconf CLK_TCK)

# ---- settings ----
{
	echo "kernel=$(uname -r)"
	echo "kernel_name=${KHTTPD_KERNEL:-?}"
	echo "uname=$(uname -a)"
	echo "cpus=$(nproc)"
	echo "cpu_model=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
	echo "mem_mb=$(awk '/MemTotal/ {print int($2/1024)}' /proc/meminfo)"
	echo "apache=$(apache2 -v | awk -F': ' '/version/ {print $2}')"
	echo "nginx=$(nginx -v 2>&1 | sed 's/^nginx version: //')"
	echo "wrk=$(wrk --version 2>&1 | head -n1 | awk '{print $1, $2}')"
	echo "sizes=$sizes"
	echo "concurrency=$concs"
	echo "modes=$modes"
	echo "placements=$placements"
	echo "rounds=$rounds"
	echo "duration_s=$duration"
	echo "wrk_timeout=$WRK_TIMEOUT"
	echo "clk_tck=$hz"
	echo "docroot=tmpfs $WWW"
	echo "log_servers=$log_servers"
	echo "log_sizes=$log_sizes"
	echo "log_concurrency=$log_concs"
	echo "log_modes=$log_modes"
	echo "log_note=$log_note"
} > "$out/settings.txt"

echo "kernel,server,size,mode,conc,round,wrk_threads,khttpd_threads,requests,duration_us,bytes,rps,mbps,p50_us,p99_us,mean_us,cpu_busy_jiffies,cpu_total_jiffies,cpu_us_per_req,err_connect,err_read,err_write,err_status,err_timeout,wrk_user_s,wrk_sys_s,placement,log_lines,log_good,log_records,log_drops" > "$out/results.csv"

# lines FILE: its line count (0 if it does not exist).
lines() { if [[ -f $1 ]]; then wc -l < "$1"; else echo 0; fi; }
# good_lines FILE SIZE: lines of a 200 answer with SIZE body bytes to GET /fSIZE.bin.
good_lines() { grep -c "\"GET /$(fname "$2") HTTP/1.1\" 200 $2 " "$1" 2> /dev/null || true; }

# wait_log FILE FROM WANT: until FILE has FROM + WANT lines, at most 60 s (a
# log that falls short is then reported by the count, not here).
wait_log() {
	local file=$1 from=$2 want=$3 now end=$((SECONDS + 60))
	while now=$(lines "$file"); [[ $((now - from)) -lt $want ]]; do
		if [[ $SECONDS -ge $end ]]; then
			log "WARNING: $file: $((now - from)) lines after 60 s, $want expected"
			return
		fi
		sleep 0.1
	done
}

# run_one PLACEMENT SRV SIZE MODE CONC ROUND: one wrk run, one line of results.csv.
run_one() {
	local placement=$1 srv=$2 s=$3 mode=$4 c=$5 r=$6
	local raw=$out/wrk/$placement-$srv-$s-$mode-c$c-r$r.txt url_path=/$(fname "$s")
	local wt wrkcmd b0 t0 b1 t1 wrc line wrk_user wrk_sys busy tot row rps mbps cpuus
	local l0='' r0='' d0='' log_lines='' log_good='' log_records='' log_drops='' logfile=''
	if [[ $placement == pinned ]]; then
		wt=1 wrkcmd=(taskset -c 1 wrk)
	else
		wt=$(( c < 2 ? 1 : 2 )) wrkcmd=(wrk)
	fi
	case $srv in
	khttpd|khttpd-log)
		r0=$(status_value log_records) d0=$(status_value log_drops) ;;
	esac
	case $srv in
	khttpd-log) logfile=$KLOG ;;
	nginx-log) logfile=$NLOG ;;
	esac
	[[ -n $logfile ]] && l0=$(lines "$logfile")
	[[ $srv == khttpd-log ]] && { echo 1 > $SYS/logging || die "logging=1"; }
	read -r b0 t0 <<< "$(cpu_now)"
	# wrk's own CPU time (user, system) as bash's time keyword reports
	# it: the share of the guest's CPU the load takes.
	{ time "${wrkcmd[@]}" -t"$wt" -c"$c" -d"${duration}s" --timeout "$WRK_TIMEOUT" --latency \
		-s /tmp/wrk-$mode.lua "http://127.0.0.1:${PORT[$srv]}$url_path" > "$raw" 2>&1 ; } 2> /tmp/wrk-time
	wrc=$?
	read -r b1 t1 <<< "$(cpu_now)"
	[[ $srv == khttpd-log ]] && { echo 0 > $SYS/logging || die "logging=0"; }
	read -r wrk_user wrk_sys < <(awk '/^KHTIME / {print $2, $3}' /tmp/wrk-time)
	line=$(grep '^KHBENCH ' "$raw" | tail -n1)
	if [[ $wrc != 0 || -z $line ]]; then
		log "[$n/$total] $placement $srv size=$s $mode c=$c round $r: wrk failed (exit $wrc)"
		fail=$((fail + 1))
		return
	fi
	local -A v=()
	local kv
	for kv in ${line#KHBENCH }; do v[${kv%%=*}]=${kv#*=}; done
	# The access log, outside the measured time: every record the rings took
	# must reach the file, and every answer wrk counted must be a line.
	if [[ -n $r0 ]]; then
		log_records=$(( $(status_value log_records) - r0 ))
		log_drops=$(( $(status_value log_drops) - d0 ))
	fi
	# khttpd: the records the rings took (else the answers wrk counted); nginx:
	# the answers, then one more flush period (flush=1s) for the lines of
	# answers wrk did not count, so that none lands in the next run's count.
	if [[ $srv == khttpd-log ]]; then
		wait_log "$logfile" "$l0" "${log_records:-${v[requests]}}"
	elif [[ $srv == nginx-log ]]; then
		wait_log "$logfile" "$l0" "${v[requests]}"
		sleep 1.5
	fi
	if [[ -n $logfile ]]; then
		log_lines=$(( $(lines "$logfile") - l0 ))
		log_good=$(good_lines "$logfile" "$s")
		head -n 3 "$logfile" > "$out/wrk/$placement-$srv-$s-$mode-c$c-r$r.log-head.txt"
		# Emptied after each run, so good_lines counts this run's lines
		# only (the writers append: O_APPEND in both).
		: > "$logfile"
	fi
	busy=$((b1 - b0)) tot=$((t1 - t0))
	row=$(awk -v req="${v[requests]}" -v dus="${v[duration_us]}" -v by="${v[bytes]}" \
		-v busy="$busy" -v hz="$hz" 'BEGIN {
		rps = dus > 0 ? req / (dus / 1e6) : 0
		mbps = dus > 0 ? by / (dus / 1e6) / 1e6 : 0
		cpu = req > 0 ? busy * (1e6 / hz) / req : 0
		printf "%.1f,%.3f,%.2f", rps, mbps, cpu }')
	IFS=, read -r rps mbps cpuus <<< "$row"
	echo "$kver,$srv,$s,$mode,$c,$r,$wt,$kt,${v[requests]},${v[duration_us]},${v[bytes]},$rps,$mbps,${v[p50_us]},${v[p99_us]},${v[mean_us]},$busy,$tot,$cpuus,${v[err_connect]},${v[err_read]},${v[err_write]},${v[err_status]},${v[err_timeout]},${wrk_user:-0},${wrk_sys:-0},$placement,$log_lines,$log_good,$log_records,$log_drops" >> "$out/results.csv"
	local logtxt=''
	[[ -n $logfile ]] && logtxt=" log ${log_lines} lines (${log_good} right)${log_records:+, ${log_records} records, ${log_drops} dropped}"
	[[ $srv == khttpd && -n $log_records ]] && logtxt=" log records ${log_records}"
	log "[$n/$total] $placement $srv size=$s $mode c=$c round $r: $rps req/s p99 ${v[p99_us]}us cpu ${cpuus}us/req errors c${v[err_connect]} r${v[err_read]} w${v[err_write]} s${v[err_status]} t${v[err_timeout]}$logtxt ($((SECONDS - start))s)"
}

kver=$(uname -r)
nlog=$(wc -w <<< "$log_servers")
total=0
for _p in $placements; do for c in $concs; do for m in $modes; do for s in $sizes; do
	total=$((total + rounds * 3))
	log_cell "$s" "$c" "$m" && total=$((total + rounds * nlog))
done; done; done; done
n=0 fail=0
start=$SECONDS
for placement in $placements; do
	PLACEMENT=$placement
	log "placement $placement: starting the servers"
	start_khttpd "$ko"
	start_apache
	start_nginx
	[[ $log_servers == *khttpd-log* ]] && start_logd "$daemon" "$KLOG"
	echo "khttpd_threads_$placement=$kt" >> "$out/settings.txt"
	sleep 1

	# ---- every server must return identical bytes ----
	for srv in $servers $log_servers; do
		[[ $srv == khttpd-log ]] && continue # the same server as khttpd
		for s in $sizes; do
			f=$(fname "$s") ok=0
			for _ in 1 2 3 4 5; do
				got=$(curl -sf --max-time 30 "http://127.0.0.1:${PORT[$srv]}/$f" | sha256sum | cut -d' ' -f1)
				if [[ $got == "$(sha256sum < "$WWW/$f" | cut -d' ' -f1)" ]]; then ok=1; break; fi
				sleep 1
			done
			[[ $ok == 1 ]] || die "$srv did not return the exact bytes of /$f"
		done
		log "$placement: $srv serves identical bytes for all files"
	done
	[[ -f $NLOG ]] && { sleep 1.5; : > "$NLOG"; } # the checks' lines, once flushed

	for c in $concs; do
		for mode in $modes; do
			for s in $sizes; do
				these=$servers
				log_cell "$s" "$c" "$mode" && these="$servers $log_servers"
				for r in $(seq 1 "$rounds"); do
					for srv in $these; do
						n=$((n + 1))
						run_one "$placement" "$srv" "$s" "$mode" "$c" "$r"
					done
				done
			done
		done
	done
	stop_servers
	cp $A/error.log "$out/conf/apache-error-$placement.log" 2>/dev/null
	cp $N/error.log "$out/conf/nginx-error-$placement.log" 2>/dev/null
	cp /tmp/bench-fallbackd.log "$out/conf/fallbackd-$placement.log" 2>/dev/null
	rm -f $A/error.log $N/error.log
done

echo "guest_wall_s=$((SECONDS - start))" >> "$out/settings.txt"
log "$n runs, $fail failed, $((SECONDS - start))s"
[[ $fail == 0 ]]
