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
# With --floor, the TCP floor (tools/bench/floor: a module answering every request with
# a prebuilt answer of the cell's size) takes its turn too, reloaded with each cell's size,
# in the cells --floor-cells matches (globs on PLACEMENT/MODE/CONC/SIZE; default all).
# --workloads (after each placement's matrix, every server in turn, 1 KiB files):
#   zipf      10,000 files, paths drawn from a Zipf distribution (s=1) by a wrk Lua
#             script, keep-alive c=32; run twice: khttpd filecache_entries and nginx
#             open_file_cache above the file count (zipf) and below it (zipf-smallcache)
#   ka1000, ka10000   keep-alive at c=1,000 and c=10,000
#   close256  one connection per request at c=256
#
# Usage: guest.sh --ko KHTTPD_KO [--sizes "0 1024 ..."] [--conc "1 32 256"]
#                 [--modes "keepalive close"] [--rounds N] [--duration SEC]
#                 [--placement "pinned shared"] [--daemon KHTTPD_FALLBACKD]
#                 [--log-sizes "1024"] [--log-conc "32"] [--log-modes "keepalive close"]
#                 [--servers "khttpd apache nginx floor"] [--floor KO] [--floor-cells "GLOB..."]
#                 [--workloads "zipf ka1000 ka10000 close256"]
# No --daemon: no log-cost runs. No --floor: no floor runs. Writes into $KHTTPD_OUT: results.csv (one line per wrk
# run), settings.txt (key=value), conf/ (the server configs used), wrk/ (raw wrk output).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
ko='' sizes='0 1024 16384 262144 1048576 4194304' concs='1 32 256' modes='keepalive close'
rounds=3 duration=5 placements='pinned shared' daemon=''
servers='khttpd apache nginx floor' floor_ko='' floor_cells='*' workloads=''
log_sizes=1024 log_concs=32 log_modes='keepalive close'
HTTPS_CELLS='' https_placements=pinned https_only=0 TLS_DAEMON='' TLS_MODS=''
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
	--servers) servers=$2; shift 2 ;;
	--floor) floor_ko=$2; shift 2 ;;
	--floor-cells) floor_cells=$2; shift 2 ;;
	--workloads) workloads=$2; shift 2 ;;
	--https-cells) HTTPS_CELLS=$2; shift 2 ;;
	--https-placement) https_placements=$2; shift 2 ;;
	--https-only) https_only=1; shift ;;
	--tls-daemon) TLS_DAEMON=$2; shift 2 ;;
	--tls-mods) TLS_MODS=$2; shift 2 ;;
	*) echo "guest.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
[[ -f $ko ]] || { echo "guest.sh: --ko FILE required" >&2; exit 2; }
for p in $placements; do
	[[ $p == pinned || $p == shared ]] || { echo "guest.sh: placement $p: pinned or shared" >&2; exit 2; }
done
for w in $workloads; do
	case $w in zipf|ka1000|ka10000|close256) ;; *) echo "guest.sh: unknown workload $w" >&2; exit 2 ;; esac
done
for srv in $servers; do
	case $srv in khttpd|apache|nginx|floor) ;; *) echo "guest.sh: unknown server $srv" >&2; exit 2 ;; esac
done
# No floor module given: the floor is not measured.
[[ -n $floor_ko ]] || servers=$(tr ' ' '\n' <<< "$servers" | grep -vx floor | tr '\n' ' ')
if [[ -n $HTTPS_CELLS ]]; then
	[[ -x $TLS_DAEMON && -f $TLS_MODS/order ]] || { echo "guest.sh: --https-cells needs --tls-daemon and --tls-mods" >&2; exit 2; }
fi
[[ -z $floor_ko || -f $floor_ko ]] || { echo "guest.sh: --floor $floor_ko: no such file" >&2; exit 2; }
out=${KHTTPD_OUT:?not in a khttpd VM}
WWW=/tmp/www
# shellcheck disable=SC2034 # read by servers.sh (floor_size)
FLOOR_KO=$floor_ko
declare -A PORT=([khttpd]=8081 [apache]=8082 [nginx]=8083 [khttpd-log]=8081 [nginx-log]=8084
	[floor]=8085)
KLOG=/tmp/bench-access.log NLOG=/tmp/nginx-access.log
WRK_TIMEOUT=10s
TIMEFORMAT='KHTIME %3U %3S'

log() { echo "bench-guest: $*"; }
die() { log "ERROR: $*"; stop_servers; exit 1; }
in_list() { local x; for x in $2; do [[ $x == "$1" ]] && return 0; done; return 1; }

mkdir -p "$out/conf" "$out/wrk"
# Kernel messages at full level on the serial console: should the guest hang,
# the stack traces reach serial.log on the host.
echo 8 > /proc/sys/kernel/printk
rm -f "$out/results.csv" "$out/settings.txt"

# ---- document root (tmpfs) ----
mkdir -p "$WWW"
fname() { echo "f$1.bin"; }
for s in $sizes; do head -c "$s" /dev/urandom > "$WWW/$(fname "$s")"; done
# The HTTPS cells' files (WL:SIZE:MODE:CONC).
for cell in $HTTPS_CELLS; do
	IFS=: read -r _ s _ <<< "$cell"
	[[ -f $WWW/$(fname "$s") ]] || head -c "$s" /dev/urandom > "$WWW/$(fname "$s")"
done
# The workloads' files: 1 KiB each (the floor's answer has the same body size).
ZIPF_FILES=10000 WL_SIZE=1024
if in_list zipf "$workloads"; then
	python3 - "$WWW/z" "$ZIPF_FILES" "$WL_SIZE" <<'PY'
import os, sys
d, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
os.makedirs(d, exist_ok=True)
for i in range(1, n + 1):
    with open(os.path.join(d, f"{i}.bin"), "wb") as f:
        f.write(os.urandom(size))
PY
fi
[[ -n $workloads ]] && head -c "$WL_SIZE" /dev/urandom > "$WWW/$(fname "$WL_SIZE")"
chmod -R a+rX "$WWW"

# ---- the servers (tools/bench/servers.sh), loopback tuned for them ----
. "$here/servers.sh"
. "$here/https.sh"
loopback_tuning

# ---- which log-cost variants can run ----
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
	# nginx-log is nginx's second server: none without nginx.
	in_list nginx "$servers" || log_servers=${log_servers/nginx-log/}
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
# Zipf: rank i (file z/i.bin) drawn with probability proportional to 1/i; the
# cumulative distribution is built once per wrk thread, a binary search per request.
{ echo "local n = $ZIPF_FILES"
cat <<'LUA'
local cdf, sum = {}, 0
for i = 1, n do sum = sum + 1 / i; cdf[i] = sum end
for i = 1, n do cdf[i] = cdf[i] / sum end
math.randomseed(os.time())
request = function()
   local u, lo, hi = math.random(), 1, n
   while lo < hi do
      local mid = math.floor((lo + hi) / 2)
      if cdf[mid] < u then lo = mid + 1 else hi = mid end
   end
   return wrk.format(nil, "/z/" .. lo .. ".bin")
end
LUA
cat /tmp/report.lua; } > /tmp/wrk-zipf.lua
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
	echo "servers=$servers"
	echo "floor_cells=$([[ $servers == *floor* ]] && echo "$floor_cells")"
	echo "workloads=$workloads"
	echo "zipf_files=$ZIPF_FILES"
	echo "workload_size=$WL_SIZE"
	echo "https_cells=$HTTPS_CELLS"
	echo "https_placements=$([[ -n $HTTPS_CELLS ]] && echo "$https_placements")"
	echo "https_only=$https_only"
} > "$out/settings.txt"

echo "kernel,server,size,mode,conc,round,wrk_threads,khttpd_threads,requests,duration_us,bytes,rps,mbps,p50_us,p99_us,mean_us,cpu_busy_jiffies,cpu_total_jiffies,cpu_us_per_req,err_connect,err_read,err_write,err_status,err_timeout,wrk_user_s,wrk_sys_s,placement,log_lines,log_good,log_records,log_drops,workload,srv_jiffies" > "$out/results.csv"

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

# srv_pids SRV: the tasks whose CPU time is the server's (a process's /proc/PID/stat
# counts all its threads; kernel threads one by one).
srv_pids() {
	case $1 in
	khttpd) khttpd_kthreads; [[ -n $TLSD_PID ]] && echo "$TLSD_PID" ;;
	khttpd-log) khttpd_kthreads; echo "$LOGD_PID" ;;
	floor) floor_kthreads ;;
	apache) pids_of apache2 ;;
	nginx|nginx-log) pids_of nginx ;;
	esac
}
# srv_ticks PID...: their user + system time, in clock ticks.
srv_ticks() {
	local p files=()
	for p in "$@"; do files+=("/proc/$p/stat"); done
	[[ ${#files[@]} -gt 0 ]] || { echo 0; return; }
	# Field 2 (comm) has no blanks for these servers.
	awk '{ t += $14 + $15 } END { print t + 0 }' "${files[@]}" 2> /dev/null
}

# wl_* WORKLOAD: its mode, concurrency and wrk script.
wl_mode() { case $1 in close256) echo close ;; *) echo keepalive ;; esac; }
wl_conc() { case $1 in ka1000) echo 1000 ;; ka10000) echo 10000 ;; close256) echo 256 ;; *) echo 32 ;; esac; }

# run_one PLACEMENT SRV SIZE MODE CONC ROUND [WORKLOAD]: one wrk run, one line of
# results.csv. A workload's runs use its script (zipf) and are marked with its name.
run_one() {
	local placement=$1 srv=$2 s=$3 mode=$4 c=$5 r=$6 wl=${7:-}
	local raw=$out/wrk/$placement-${wl:+$wl-}$srv-$s-$mode-c$c-r$r.txt url_path=/$(fname "$s")
	local script=/tmp/wrk-$mode.lua pids sj0 sj1 url="http://127.0.0.1:${PORT[$srv]}" tls=()
	# The HTTPS leg (https.sh): its ports, the bench's client TLS settings.
	[[ $wl == https* ]] && url="https://127.0.0.1:${HTTPS_PORT[$srv]}" tls=(env OPENSSL_CONF="$BENCH_SSL_CONF")
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
	[[ $srv == floor ]] && floor_size "$s"
	[[ $wl == zipf* ]] && script=/tmp/wrk-zipf.lua url_path=/
	# shellcheck disable=SC2046
	pids=$(srv_pids "$srv" | tr '\n' ' ')
	# shellcheck disable=SC2086
	sj0=$(srv_ticks $pids)
	read -r b0 t0 <<< "$(cpu_now)"
	# wrk's own CPU time (user, system) as bash's time keyword reports
	# it: the share of the guest's CPU the load takes.
	{ time "${tls[@]}" "${wrkcmd[@]}" -t"$wt" -c"$c" -d"${duration}s" --timeout "$WRK_TIMEOUT" --latency \
		-s "$script" "$url$url_path" > "$raw" 2>&1 ; } 2> /tmp/wrk-time
	wrc=$?
	read -r b1 t1 <<< "$(cpu_now)"
	# shellcheck disable=SC2086
	sj1=$(srv_ticks $pids)
	[[ $srv == khttpd-log ]] && { echo 0 > $SYS/logging || die "logging=0"; }
	read -r wrk_user wrk_sys < <(awk '/^KHTIME / {print $2, $3}' /tmp/wrk-time)
	line=$(grep '^KHBENCH ' "$raw" | tail -n1)
	if [[ $wrc != 0 || -z $line ]]; then
		log "[$n/$total] $placement ${wl:+$wl }$srv size=$s $mode c=$c round $r: wrk failed (exit $wrc)"
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
	echo "$kver,$srv,$s,$mode,$c,$r,$wt,$kt,${v[requests]},${v[duration_us]},${v[bytes]},$rps,$mbps,${v[p50_us]},${v[p99_us]},${v[mean_us]},$busy,$tot,$cpuus,${v[err_connect]},${v[err_read]},${v[err_write]},${v[err_status]},${v[err_timeout]},${wrk_user:-0},${wrk_sys:-0},$placement,$log_lines,$log_good,$log_records,$log_drops,$wl,$((sj1 - sj0))" >> "$out/results.csv"
	local logtxt=''
	[[ -n $logfile ]] && logtxt=" log ${log_lines} lines (${log_good} right)${log_records:+, ${log_records} records, ${log_drops} dropped}"
	[[ $srv == khttpd && -n $log_records ]] && logtxt=" log records ${log_records}"
	log "[$n/$total] $placement ${wl:+$wl }$srv size=$s $mode c=$c round $r: $rps req/s p99 ${v[p99_us]}us cpu ${cpuus}us/req errors c${v[err_connect]} r${v[err_read]} w${v[err_write]} s${v[err_status]} t${v[err_timeout]}$logtxt ($((SECONDS - start))s)"
}

kver=$(uname -r)
# floor_cell PLACEMENT MODE CONC SIZE: whether the floor runs there (--floor-cells).
floor_cell() {
	local g globs
	[[ $servers == *floor* ]] || return 1
	# Split without pathname expansion: "*" is a pattern here, not files.
	read -ra globs <<< "$floor_cells"
	for g in "${globs[@]}"; do
		# shellcheck disable=SC2053
		[[ $1/$2/$3/$4 == $g ]] && return 0
	done
	return 1
}
# cell_servers PLACEMENT MODE CONC SIZE: the servers measured in that cell.
cell_servers() {
	local srv list=''
	for srv in $servers; do
		[[ $srv == floor ]] && ! floor_cell "$@" && continue
		list+="$srv "
	done
	log_cell "$4" "$3" "$2" && list+="$log_servers"
	echo "$list"
}
# The workloads' runs, each a list of servers; zipf runs twice (both cache sizes).
wl_runs() { local w; for w in $workloads; do [[ $w == zipf ]] && echo zipf zipf-smallcache || echo "$w"; done; }
nsrv=$(wc -w <<< "$servers")
total=0
for _p in $placements; do for c in $concs; do for m in $modes; do for s in $sizes; do
	total=$((total + rounds * $(wc -w <<< "$(cell_servers "$_p" "$m" "$c" "$s")")))
done; done; done
	total=$((total + rounds * nsrv * $(wl_runs | wc -w)))
done
[[ $https_only == 1 ]] && total=0
for _p in $placements; do
	in_list "$_p" "$https_placements" &&
		for cell in $HTTPS_CELLS; do total=$((total + rounds * $(https_cell_servers "$cell" | wc -l))); done
done
n=0 fail=0
start=$SECONDS
for placement in $placements; do
	PLACEMENT=$placement
	# The HTTPS leg first (its own servers, stopped after it), then the plain matrix.
	[[ -n $HTTPS_CELLS ]] && in_list "$placement" "$https_placements" && https_leg "$placement"
	[[ $https_only == 1 ]] && continue
	log "placement $placement: starting the servers"
	start_khttpd "$ko"
	in_list apache "$servers" && start_apache
	in_list nginx "$servers" && start_nginx
	[[ $log_servers == *khttpd-log* ]] && start_logd "$daemon" "$KLOG"
	echo "khttpd_threads_$placement=$kt" >> "$out/settings.txt"
	sleep 1

	# ---- every server must return identical bytes ----
	for srv in $servers $log_servers; do
		[[ $srv == khttpd-log ]] && continue # the same server as khttpd
		if [[ $srv == floor ]]; then
			# Its own bytes, of each size: a 200 with exactly that many.
			for s in $sizes; do
				floor_size "$s"
				got=$(curl -s --max-time 30 -o /dev/null -w '%{http_code} %{size_download}' \
					"http://127.0.0.1:${PORT[floor]}/$(fname "$s")")
				[[ $got == "200 $s" ]] || die "floor: /$(fname "$s") gave '$got', not '200 $s'"
			done
			log "$placement: floor answers 200 with the size of every file"
			continue
		fi
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
				these=$(cell_servers "$placement" "$mode" "$c" "$s")
				for r in $(seq 1 "$rounds"); do
					for srv in $these; do
						n=$((n + 1))
						run_one "$placement" "$srv" "$s" "$mode" "$c" "$r"
					done
				done
			done
		done
	done
	# ---- the workloads, every server in turn within each round ----
	for wl in $(wl_runs); do
		cache=$((ZIPF_FILES * 2))
		[[ $wl == zipf-smallcache ]] && cache=$((ZIPF_FILES / 10))
		[[ $wl == zipf* ]] && set_file_caches "$cache"
		for r in $(seq 1 "$rounds"); do
			for srv in $servers; do
				n=$((n + 1))
				run_one "$placement" "$srv" "$WL_SIZE" "$(wl_mode "$wl")" "$(wl_conc "$wl")" "$r" "$wl"
			done
		done
		[[ $wl == zipf* ]] && set_file_caches default
	done
	stop_servers
	# A and N are set by the starts (servers.sh); a server left out has none.
	A=${A:-/tmp/apache} N=${N:-/tmp/nginx}
	cp $A/error.log "$out/conf/apache-error-$placement.log" 2>/dev/null
	cp $N/error.log "$out/conf/nginx-error-$placement.log" 2>/dev/null
	cp /tmp/bench-fallbackd.log "$out/conf/fallbackd-$placement.log" 2>/dev/null
	rm -f $A/error.log $N/error.log
done

echo "guest_wall_s=$((SECONDS - start))" >> "$out/settings.txt"
log "$n runs, $fail failed, $((SECONDS - start))s"
[[ $fail == 0 ]]
