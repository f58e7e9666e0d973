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
SYS=/proc/sys/net/khttpd
servers='khttpd apache nginx'
declare -A PORT=([khttpd]=8081 [apache]=8082 [nginx]=8083)
WRK_TIMEOUT=10s

log() { echo "bench-guest: $*"; }
die() { log "ERROR: $*"; exit 1; }

mkdir -p "$out/conf" "$out/wrk"
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

# ---- khttpd ----
insmod "$ko" || die "insmod $ko"
echo "$WWW" > $SYS/documentroot
echo "${PORT[khttpd]}" > $SYS/serverport
khttpd_threads() { # restart khttpd with N worker threads
	echo 1 > $SYS/stop
	echo "$1" > $SYS/threads || die "threads=$1"
	echo 1 > $SYS/start || die "khttpd start"
}
khttpd_threads 2

# ---- Apache httpd, event MPM ----
A=/tmp/apache
mkdir -p $A/run $A/lock
M=/usr/lib/apache2/modules
cat > $A/apache.conf <<EOF
ServerRoot /etc/apache2
ServerName localhost
DefaultRuntimeDir $A/run
PidFile $A/run/httpd.pid
Mutex file:$A/lock default
ScoreBoardFile $A/run/scoreboard
ErrorLog $A/error.log
LogLevel warn
User www-data
Group www-data
LoadModule mpm_event_module $M/mod_mpm_event.so
LoadModule authz_core_module $M/mod_authz_core.so
LoadModule mime_module $M/mod_mime.so
LoadModule dir_module $M/mod_dir.so
TypesConfig /etc/mime.types
Listen 127.0.0.1:${PORT[apache]}
# event MPM sized for 256 concurrent connections
StartServers 4
ServerLimit 4
ThreadsPerChild 64
MaxRequestWorkers 256
MinSpareThreads 64
MaxSpareThreads 256
MaxConnectionsPerChild 0
ListenBacklog 1024
KeepAlive On
MaxKeepAliveRequests 0
KeepAliveTimeout 60
EnableSendfile On
EnableMMAP On
FileETag MTime Size
HostnameLookups Off
# no access log (mod_log_config is built in; no CustomLog configured)
DocumentRoot $WWW
<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory $WWW>
    Options None
    AllowOverride None
    Require all granted
</Directory>
DirectoryIndex index.html
EOF
cp $A/apache.conf "$out/conf/apache.conf"
apache2 -f $A/apache.conf -k start || { cat $A/error.log; die "apache start"; }

# ---- nginx ----
N=/tmp/nginx
mkdir -p $N
cat > $N/nginx.conf <<EOF
user www-data;
worker_processes auto;
worker_rlimit_nofile 65536;
pid $N/nginx.pid;
error_log $N/error.log warn;
events {
    worker_connections 4096;
    use epoll;
}
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_timeout 60;
    keepalive_requests 1000000;
    open_file_cache max=1000 inactive=60s;
    open_file_cache_valid 60s;
    open_file_cache_errors on;
    client_body_temp_path $N/body;
    proxy_temp_path $N/proxy;
    fastcgi_temp_path $N/fastcgi;
    uwsgi_temp_path $N/uwsgi;
    scgi_temp_path $N/scgi;
    server {
        listen 127.0.0.1:${PORT[nginx]} reuseport backlog=1024;
        server_name localhost;
        root $WWW;
        index index.html;
    }
}
EOF
cp $N/nginx.conf "$out/conf/nginx.conf"
nginx -e $N/error.log -c $N/nginx.conf || { cat $N/error.log; die "nginx start"; }
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
} > "$out/settings.txt"

echo "kernel,server,size,mode,conc,round,wrk_threads,khttpd_threads,requests,duration_us,bytes,rps,mbps,p50_us,p99_us,mean_us,cpu_busy_jiffies,cpu_total_jiffies,cpu_us_per_req,err_connect,err_read,err_write,err_status,err_timeout" > "$out/results.csv"

kver=$(uname -r)
total=0
for _c in $concs; do for _m in $modes; do for _s in $sizes; do total=$((total + rounds * 3)); done; done; done
n=0 fail=0
start=$SECONDS
for c in $concs; do
	kt=$(( c < 2 ? 2 : (c > 256 ? 256 : c) ))
	khttpd_threads $kt
	echo "khttpd_threads_c$c=$kt" >> "$out/settings.txt"
	wt=$(( c < 2 ? 1 : 2 ))
	sleep 1
	for mode in $modes; do
		for s in $sizes; do
			url_path=/$(fname "$s")
			for r in $(seq 1 "$rounds"); do
				for srv in $servers; do
					n=$((n + 1))
					raw=$out/wrk/$srv-$s-$mode-c$c-r$r.txt
					read -r b0 t0 <<< "$(cpu_now)"
					wrk -t"$wt" -c"$c" -d"${duration}s" --timeout "$WRK_TIMEOUT" --latency \
						-s /tmp/wrk-$mode.lua "http://127.0.0.1:${PORT[$srv]}$url_path" > "$raw" 2>&1
					wrc=$?
					read -r b1 t1 <<< "$(cpu_now)"
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
					echo "$kver,$srv,$s,$mode,$c,$r,$wt,$kt,${v[requests]},${v[duration_us]},${v[bytes]},$rps,$mbps,${v[p50_us]},${v[p99_us]},${v[mean_us]},$busy,$tot,$cpuus,${v[err_connect]},${v[err_read]},${v[err_write]},${v[err_status]},${v[err_timeout]}" >> "$out/results.csv"
					log "[$n/$total] $srv size=$s $mode c=$c round $r: $rps req/s p99 ${v[p99_us]}us cpu ${cpuus}us/req errors c${v[err_connect]} r${v[err_read]} w${v[err_write]} s${v[err_status]} t${v[err_timeout]} ($((SECONDS - start))s)"
					unset v
				done
			done
		done
	done
done

echo "guest_wall_s=$((SECONDS - start))" >> "$out/settings.txt"
nginx -c $N/nginx.conf -s stop 2>/dev/null
apache2 -f $A/apache.conf -k stop 2>/dev/null
echo 1 > $SYS/stop
rmmod khttpd
cp $A/error.log "$out/conf/apache-error.log" 2>/dev/null
cp $N/error.log "$out/conf/nginx-error.log" 2>/dev/null
log "$n runs, $fail failed, $((SECONDS - start))s"
[[ $fail == 0 ]]
