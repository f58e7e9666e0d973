#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest side of the benchmark (runs inside the VM started by tools/bench/bench.sh).
# Starts khttpd, Apache httpd (event MPM) and nginx on loopback, all serving the same
# tmpfs document root, checks that each returns identical bytes, then runs wrk against
# them in alternation (for each cell: round 1 khttpd apache nginx, round 2 ...).
#
# Usage: guest.sh --ko KHTTPD_KO [--sizes "0 1024 ..."] [--conc "1 32 256"]
#                 [--modes "keepalive close"] [--rounds N] [--duration SEC]
# Writes into $KHTTPD_OUT: results.csv (one line per wrk run), settings.txt (key=value),
# conf/ (the server configs used), wrk/ (raw wrk output of every run).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
ko='' sizes='0 1024 16384 262144 4194304' concs='1 32 256' modes='keepalive close'
rounds=3 duration=5
while [[ $# -gt 0 ]]; do
	case $1 in
	--ko) ko=$2; shift 2 ;;
	--sizes) sizes=$2; shift 2 ;;
	--conc) concs=$2; shift 2 ;;
	--modes) modes=$2; shift 2 ;;
	--rounds) rounds=$2; shift 2 ;;
	--duration) duration=$2; shift 2 ;;
	*) echo "guest.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
[[ -f $ko ]] || { echo "guest.sh: --ko FILE required" >&2; exit 2; }
out=${KHTTPD_OUT:?not in a khttpd VM}
WWW=/tmp/www
servers='khttpd apache nginx'
declare -A PORT=([khttpd]=8081 [apache]=8082 [nginx]=8083)
WRK_TIMEOUT=10s
TIMEFORMAT='KHTIME %3U %3S'

log() { echo "bench-guest: $*"; }
die() { log "ERROR: $*"; exit 1; }

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
start_khttpd "$ko"
start_apache
start_nginx
sleep 1

# ---- every server must return identical bytes ----
for srv in $servers; do
	for s in $sizes; do
		f=$(fname "$s") ok=0
		for _ in 1 2 3 4 5; do
			got=$(curl -sf --max-time 30 "http://127.0.0.1:${PORT[$srv]}/$f" | sha256sum | cut -d' ' -f1)
			if [[ $got == "$(sha256sum < "$WWW/$f" | cut -d' ' -f1)" ]]; then ok=1; break; fi
			sleep 1
		done
		[[ $ok == 1 ]] || die "$srv did not return the exact bytes of /$f"
	done
	log "$srv serves identical bytes for all files"
done

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
	echo "rounds=$rounds"
	echo "duration_s=$duration"
	echo "wrk_timeout=$WRK_TIMEOUT"
	echo "clk_tck=$hz"
	echo "docroot=tmpfs $WWW"
	echo "khttpd_threads=$kt"
} > "$out/settings.txt"

echo "kernel,server,size,mode,conc,round,wrk_threads,khttpd_threads,requests,duration_us,bytes,rps,mbps,p50_us,p99_us,mean_us,cpu_busy_jiffies,cpu_total_jiffies,cpu_us_per_req,err_connect,err_read,err_write,err_status,err_timeout,wrk_user_s,wrk_sys_s" > "$out/results.csv"

kver=$(uname -r)
total=0
for _c in $concs; do for _m in $modes; do for _s in $sizes; do total=$((total + rounds * 3)); done; done; done
n=0 fail=0
start=$SECONDS
for c in $concs; do
	wt=$(( c < 2 ? 1 : 2 ))
	for mode in $modes; do
		for s in $sizes; do
			url_path=/$(fname "$s")
			for r in $(seq 1 "$rounds"); do
				for srv in $servers; do
					n=$((n + 1))
					raw=$out/wrk/$srv-$s-$mode-c$c-r$r.txt
					read -r b0 t0 <<< "$(cpu_now)"
					# wrk's own CPU time (user, system) as bash's time keyword
					# reports it: the share of the guest's CPU the load takes.
					{ time wrk -t"$wt" -c"$c" -d"${duration}s" --timeout "$WRK_TIMEOUT" --latency \
						-s /tmp/wrk-$mode.lua "http://127.0.0.1:${PORT[$srv]}$url_path" > "$raw" 2>&1 ; } 2> /tmp/wrk-time
					wrc=$?
					read -r b1 t1 <<< "$(cpu_now)"
					read -r wrk_user wrk_sys < <(awk '/^KHTIME / {print $2, $3}' /tmp/wrk-time)
					line=$(grep '^KHBENCH ' "$raw" | tail -n1)
					if [[ $wrc != 0 || -z $line ]]; then
						log "[$n/$total] $srv size=$s $mode c=$c round $r: wrk failed (exit $wrc)"
						fail=$((fail + 1))
						continue
					fi
					declare -A v=()
					for kv in ${line#KHBENCH }; do v[${kv%%=*}]=${kv#*=}; done
					busy=$((b1 - b0)) tot=$((t1 - t0))
					row=$(awk -v req="${v[requests]}" -v dus="${v[duration_us]}" -v by="${v[bytes]}" \
						-v busy="$busy" -v hz="$hz" 'BEGIN {
						rps = dus > 0 ? req / (dus / 1e6) : 0
						mbps = dus > 0 ? by / (dus / 1e6) / 1e6 : 0
						cpu = req > 0 ? busy * (1e6 / hz) / req : 0
						printf "%.1f,%.3f,%.2f", rps, mbps, cpu }')
					IFS=, read -r rps mbps cpuus <<< "$row"
					echo "$kver,$srv,$s,$mode,$c,$r,$wt,$kt,${v[requests]},${v[duration_us]},${v[bytes]},$rps,$mbps,${v[p50_us]},${v[p99_us]},${v[mean_us]},$busy,$tot,$cpuus,${v[err_connect]},${v[err_read]},${v[err_write]},${v[err_status]},${v[err_timeout]},${wrk_user:-0},${wrk_sys:-0}" >> "$out/results.csv"
					log "[$n/$total] $srv size=$s $mode c=$c round $r: $rps req/s p99 ${v[p99_us]}us cpu ${cpuus}us/req errors c${v[err_connect]} r${v[err_read]} w${v[err_write]} s${v[err_status]} t${v[err_timeout]} ($((SECONDS - start))s)"
					unset v
				done
			done
		done
	done
done

echo "guest_wall_s=$((SECONDS - start))" >> "$out/settings.txt"
stop_servers
cp $A/error.log "$out/conf/apache-error.log" 2>/dev/null
cp $N/error.log "$out/conf/nginx-error.log" 2>/dev/null
log "$n runs, $fail failed, $((SECONDS - start))s"
[[ $fail == 0 ]]
