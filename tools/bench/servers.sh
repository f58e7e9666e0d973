# SPDX-License-Identifier: GPL-2.0
# The servers of the benchmark, as the guest scripts start them
# (sourced by tools/bench/guest.sh and tools/bench/profile-guest.sh).
# The caller sets WWW (document root), PORT (server -> port), out (results
# directory: configs go to $out/conf) and defines die().
#
# PLACEMENT (default shared) says where the servers run:
#   shared  every server on both vCPUs with as many workers as CPUs (khttpd
#           threads = nproc, nginx worker_processes auto), wrk beside them;
#   pinned  every server on vCPU 0 alone with one worker (khttpd threads=1
#           and its kernel thread bound to CPU 0, nginx worker_processes 1 +
#           worker_cpu_affinity, Apache and its children under taskset -c 0),
#           so that wrk, on vCPU 1, takes no server's CPU time.
# The placement of every task is checked after the start: a server that is not
# where the placement says is an error (die), never a silently wrong number.
#
# start_khttpd KO: loads the module and starts it (sets kt to the thread count;
# the access log is switched off where the module has one; no per-address
# connection limit: every benchmark client is 127.0.0.1); start_apache,
# start_nginx: those with the benchmark's configuration (nginx also serves
# PORT[nginx-log] with an access log, if set); start_logd DAEMON LOG: the
# hand-over daemon draining khttpd's access log into LOG; floor_size SIZE: the
# TCP floor (tools/bench/floor, $FLOOR_KO) loaded, answering SIZE body bytes
# (reloaded if it answered another size); set_file_caches N|default: khttpd's
# filecache_entries and nginx's open_file_cache max= set to N (or back);
# stop_servers: stops whatever runs and waits until it is gone. NGINX_AIO=1:
# nginx with `aio threads`.

SYS=/proc/sys/net/khttpd
STATUS=/proc/net/khttpd/status
PLACEMENT=${PLACEMENT:-shared}
LOGD_PID=

# loopback_tuning: what many short connections on loopback need (close mode,
# c=10,000): the whole ephemeral port range, TIME_WAIT reuse, enough fds.
# The caller's shell gets the fd limit, so call it, not in a subshell.
loopback_tuning() {
	echo "1024 65535" > /proc/sys/net/ipv4/ip_local_port_range
	echo 1 > /proc/sys/net/ipv4/tcp_tw_reuse
	ulimit -n 65536
}

# on_server_cpus CMD...: runs CMD where the placement puts servers.
on_server_cpus() {
	if [[ $PLACEMENT == pinned ]]; then taskset -c 0 "$@"; else "$@"; fi
}

# check_placement NAME PID...: in the pinned placement every thread of every PID
# must be allowed on CPU 0 only; dies otherwise. Children and threads inherit
# the affinity of the process that made them, and this checks that they did.
check_placement() {
	local name=$1 pid n bad files=()
	shift
	[[ $PLACEMENT == pinned ]] || return 0
	[[ $# -gt 0 ]] || die "$name: no process to check the placement of"
	for pid in "$@"; do files+=(/proc/"$pid"/task/*/status); done
	# One awk for all: a fork per thread is slow under TCG (Apache has 260).
	# A task that exited meanwhile is skipped (awk warns and goes on).
	read -r n bad < <(awk '/^Name:/ { comm = $2 }
		/^Cpus_allowed_list:/ { n++; if ($2 != "0") bad = bad " " FILENAME "(" comm ")=" $2 }
		END { print n + 0, bad }' "${files[@]}" 2> /dev/null)
	[[ $n -gt 0 ]] || die "$name: no task found to check the placement of"
	[[ -z $bad ]] || die "$name: tasks allowed on other CPUs than 0 (status file(name)=CPUs):$bad"
	echo "bench-servers: $name: $n tasks, every one on CPU 0 only"
}

# pids_of COMM: the pids of processes named COMM.
pids_of() { pgrep -x "$1" | tr '\n' ' '; }

# ---- khttpd ----
# khttpd_kthreads: pids of khttpd's worker kernel threads (comm khttpd/N,
# src/kernel/server.c); not khttpd-fallbackd, whose comm also starts with khttpd.
khttpd_kthreads() { comm_pids 'khttpd/[0-9]+'; }

# comm_pids REGEX: pids of the processes whose whole comm matches REGEX (one
# grep: a fork per process is slow under TCG, and this runs around every wrk
# run for the server CPU columns).
comm_pids() {
	grep -lxE "$1" /proc/[0-9]*/comm 2> /dev/null | cut -d/ -f3
}

# status_value NAME: a counter of /proc/net/khttpd/status, empty if absent.
status_value() {
	[[ -r $STATUS ]] && awk -v n="$1" '$1 == n {print $2; exit}' "$STATUS"
}

KHTTPD_FILECACHE=
start_khttpd() {
	local ko=$1
	insmod "$ko" || die "insmod $ko"
	echo "$WWW" > $SYS/documentroot
	echo "${PORT[khttpd]}" > $SYS/serverport
	# The peers run without access logs: so does khttpd in the main matrix
	# (the khttpd-log variant switches it on around its own runs).
	if [[ -f $SYS/logging ]]; then
		echo 0 > $SYS/logging || die "logging=0"
	fi
	# All clients come from 127.0.0.1: the per-address limit (256 by
	# default) would reset connections at c >= 256; nginx and Apache have
	# none. max_connections (RAM / 128 KiB: 24k with 3 GiB) stays.
	if [[ -f $SYS/max_connections_per_ip ]]; then
		echo 0 > $SYS/max_connections_per_ip || die "max_connections_per_ip=0"
	fi
	KHTTPD_FILECACHE=$(cat $SYS/filecache_entries 2> /dev/null)
	# Event-driven workers: shared, one per guest CPU serves any number of
	# connections, as nginx's worker_processes auto does; pinned, one.
	if [[ $PLACEMENT == pinned ]]; then kt=1; else kt=$(nproc); fi
	echo "$kt" > $SYS/threads || die "threads=$kt"
	# The HTTPS leg (https.sh): TLS on a port of its own as well.
	if [[ -n ${KHTTPD_TLS_PORT:-} ]]; then
		echo "$KHTTPD_TLS_PORT" > $SYS/tls_port || die "tls_port=$KHTTPD_TLS_PORT"
	fi
	echo 1 > $SYS/start || die "khttpd start"
	bind_khttpd
}

# bind_khttpd: pinned, khttpd's workers go to CPU 0 (checked).
bind_khttpd() {
	local pid
	[[ $PLACEMENT == pinned ]] || return 0
	# The workers are made with kthread_run and no kthread_bind, so userspace
	# may set their affinity; taskset -p must then say CPU 0 (mask 1).
	local pids
	pids=$(khttpd_kthreads)
	[[ -n $pids ]] || die "khttpd: no worker thread (khttpd/N) found"
	for pid in $pids; do
		taskset -pc 0 "$pid" > /dev/null || die "taskset -pc 0 $pid (khttpd worker)"
		[[ $(taskset -p "$pid") =~ affinity\ mask:\ 1$ ]] ||
			die "khttpd worker $pid not bound to CPU 0: $(taskset -p "$pid")"
	done
	# shellcheck disable=SC2086
	check_placement khttpd $pids
}

# start_logd DAEMON LOG: khttpd-fallbackd with its access log in LOG (relaying
# to Apache, though the benchmark hands nothing over); sets LOGD_PID. Pinned,
# it runs on the server's CPU: the drain is part of what logging costs khttpd.
start_logd() {
	local daemon=$1 logfile=$2 i pin=()
	# Not through on_server_cpus: a function run with & is a subshell, and $!
	# must be the daemon's pid (taskset execs it).
	[[ $PLACEMENT == pinned ]] && pin=(taskset -c 0)
	"${pin[@]}" "$daemon" --access-log "$logfile" --backend "127.0.0.1:${PORT[apache]}" \
		--no-proxy-protocol > /tmp/bench-fallbackd.log 2>&1 &
	LOGD_PID=$!
	for i in $(seq 300); do
		if [[ -r $STATUS ]]; then
			[[ $(status_value daemon_pid) == "$LOGD_PID" ]] && break
		elif dmesg | grep -q 'hand-over daemon registered'; then
			break
		fi
		kill -0 "$LOGD_PID" 2> /dev/null || { cat /tmp/bench-fallbackd.log; die "khttpd-fallbackd exited"; }
		sleep 0.1
	done
	[[ $i -lt 300 ]] || { cat /tmp/bench-fallbackd.log; die "khttpd-fallbackd did not register in 30 s"; }
	check_placement khttpd-fallbackd "$LOGD_PID"
}

# set_file_caches N|default: the open-file caches of khttpd (filecache_entries,
# applied by a stop and start) and nginx (open_file_cache max=, by a reload).
set_file_caches() {
	local n=$1 i want
	[[ $n == default ]] && n=${KHTTPD_FILECACHE:-4096}
	echo 1 > $SYS/stop || die "khttpd stop"
	echo "$n" > $SYS/filecache_entries || die "filecache_entries=$n"
	echo 1 > $SYS/start || die "khttpd start (filecache_entries=$n)"
	bind_khttpd
	if [[ -f /tmp/nginx/nginx.pid ]]; then
		[[ $1 == default ]] && n=$NGINX_FILECACHE
		sed -i "s/open_file_cache max=[0-9]*/open_file_cache max=$n/" /tmp/nginx/nginx.conf
		nginx -c /tmp/nginx/nginx.conf -s reload || die "nginx reload (open_file_cache max=$n)"
		# The old worker finishes and leaves; the new one reads the new max.
		want=$(($(nproc) + 1))
		[[ $PLACEMENT == pinned ]] && want=2
		for i in $(seq 50); do
			[[ $(pgrep -c -x nginx) -le $want ]] && break
			sleep 0.2
		done
		sleep 1
		# shellcheck disable=SC2046
		check_placement nginx $(pids_of nginx)
	fi
	echo "bench-servers: file caches: khttpd filecache_entries $(cat $SYS/filecache_entries), nginx open_file_cache max=$n"
}

# ---- the TCP floor (tools/bench/floor) ----
FLOOR_SIZE=
# floor_kthreads: pids of the floor's threads (comm kfloor/N).
floor_kthreads() { comm_pids 'kfloor/[0-9]+'; }

# floor_size SIZE: the floor answering SIZE body bytes. Pinned: one thread,
# which the module binds to CPU 0 itself; shared: one per CPU, each bound to
# its CPU.
floor_size() {
	local threads=0 pids
	[[ $FLOOR_SIZE == "$1" ]] && return 0
	stop_floor
	[[ $PLACEMENT == pinned ]] && threads=1
	insmod "$FLOOR_KO" port="${PORT[floor]}" body_size="$1" threads="$threads" ||
		die "insmod $FLOOR_KO body_size=$1"
	FLOOR_SIZE=$1
	pids=$(floor_kthreads)
	[[ -n $pids ]] || die "floor: no thread (kfloor/N) found"
	# shellcheck disable=SC2086
	check_placement floor $pids
}

stop_floor() {
	if grep -q '^khttpd_floor ' /proc/modules; then
		# Not die(): stop_servers calls this, and die() calls stop_servers.
		rmmod khttpd_floor || echo "bench-servers: ERROR: rmmod khttpd_floor failed"
	fi
	FLOOR_SIZE=
}

# ---- Apache httpd, event MPM ----
# apache_conf DIR NAME PORT [EXTRA]: the benchmark's Apache configuration
# (state under DIR, listening on PORT) into DIR/apache.conf; EXTRA: lines
# added before the document root (mod_ssl and its directives for the
# HTTPS leg, tools/bench/https.sh).
apache_conf() {
	local A=$1 name=$2 port=$3 extra=${4:-} M=/usr/lib/apache2/modules
	mkdir -p $A/run $A/lock
	cat > $A/apache.conf <<EOF
ServerRoot /etc/apache2
ServerName $name
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
Listen 127.0.0.1:$port
# event MPM sized for 256 concurrent connections; pinned, every process and
# thread inherits the parent's affinity (started under taskset -c 0)
StartServers 4
ServerLimit 4
ThreadsPerChild 64
MaxRequestWorkers 256
MinSpareThreads 64
MaxSpareThreads 256
MaxConnectionsPerChild 0
# Idle keep-alive connections hold no thread in the event MPM; this lets each
# process keep (64 + 48 x idle threads) of them, ~12k for the 4, for the
# c=10,000 workload (the default, 2, refuses beyond ~760).
AsyncRequestWorkerFactor 48
ListenBacklog 1024
KeepAlive On
MaxKeepAliveRequests 0
KeepAliveTimeout 60
EnableSendfile On
EnableMMAP On
FileETag MTime Size
HostnameLookups Off
# no access log (mod_log_config is built in; no CustomLog configured)
$extra
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
}

start_apache() {
	A=/tmp/apache
	apache_conf $A localhost "${PORT[apache]}"
	cp $A/apache.conf "$out/conf/apache.conf"
	on_server_cpus apache2 -f $A/apache.conf -k start || { cat $A/error.log; die "apache start"; }
	if [[ $PLACEMENT == pinned ]]; then
		sleep 1 # the children and their threads
		# shellcheck disable=SC2046
		check_placement apache $(pids_of apache2)
	fi
}

# ---- nginx ----
NGINX_FILECACHE=1000
start_nginx() {
	N=/tmp/nginx
	mkdir -p $N
	local workers='worker_processes auto;' logserver='' aio=''
	# NGINX_AIO=1: file reads that would block go to a thread pool (the
	# cold-file benchmark, tools/bench/cold.sh).
	[[ ${NGINX_AIO:-} == 1 ]] && aio='aio threads;'
	[[ $PLACEMENT == pinned ]] && workers='worker_processes 1;
worker_cpu_affinity 01;'
	# nginx-log: the same server with an access log, buffered as a busy
	# site would run it, on a port of its own.
	[[ -n ${PORT[nginx-log]:-} ]] && logserver="
    server {
        listen 127.0.0.1:${PORT[nginx-log]} reuseport backlog=1024;
        server_name localhost;
        root $WWW;
        index index.html;
        access_log /tmp/nginx-access.log combined buffer=64k flush=1s;
    }"
	cat > $N/nginx.conf <<EOF
user www-data;
$workers
worker_rlimit_nofile 65536;
pid $N/nginx.pid;
error_log $N/error.log warn;
events {
    # one worker (pinned) must take the c=10,000 workload's connections
    worker_connections 20000;
    use epoll;
}
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    $aio
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_timeout 60;
    keepalive_requests 1000000;
    open_file_cache max=$NGINX_FILECACHE inactive=60s;
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
    }$logserver
}
EOF
	if [[ $PLACEMENT == pinned ]]; then
		cp $N/nginx.conf "$out/conf/nginx-pinned.conf"
	else
		cp $N/nginx.conf "$out/conf/nginx.conf"
	fi
	# Pinned, the master too (worker_cpu_affinity binds the worker only).
	on_server_cpus nginx -e $N/error.log -c $N/nginx.conf || { cat $N/error.log; die "nginx start"; }
	if [[ $PLACEMENT == pinned ]]; then
		sleep 0.5
		# shellcheck disable=SC2046
		check_placement nginx $(pids_of nginx)
	fi
}

# wait_gone PID...: until none of them exists (at most 30 s).
wait_gone() {
	local pid i
	for pid in "$@"; do
		for i in $(seq 300); do
			kill -0 "$pid" 2> /dev/null || break
			sleep 0.1
		done
	done
}

# Stops everything and waits, so that the next placement can start afresh on
# the same ports.
stop_servers() {
	local pid
	if [[ -n $LOGD_PID ]]; then
		kill -TERM "$LOGD_PID" 2> /dev/null
		wait "$LOGD_PID" 2> /dev/null
		LOGD_PID=
	fi
	if [[ -f /tmp/nginx/nginx.pid ]]; then
		pid=$(cat /tmp/nginx/nginx.pid)
		nginx -c /tmp/nginx/nginx.conf -s stop 2> /dev/null
		wait_gone "$pid"
	fi
	if [[ -f /tmp/apache/run/httpd.pid ]]; then
		pid=$(cat /tmp/apache/run/httpd.pid)
		apache2 -f /tmp/apache/apache.conf -k stop 2> /dev/null
		wait_gone "$pid"
	fi
	if [[ -d $SYS ]]; then
		echo 1 > $SYS/stop
		rmmod khttpd
	fi
	stop_floor
	return 0
}
