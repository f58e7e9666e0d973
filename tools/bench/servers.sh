# SPDX-License-Identifier: GPL-2.0
# The three servers of the benchmark, as the guest scripts start them
# (sourced by tools/bench/guest.sh and tools/bench/profile-guest.sh).
# The caller sets WWW (document root), PORT (server -> port), out (results
# directory: configs go to $out/conf) and defines die().
# start_khttpd KO: loads the module and starts it with one worker per CPU
# (sets kt to the thread count); start_apache, start_nginx: start those with
# the benchmark's configuration; stop_servers: stops whatever runs.

SYS=/proc/sys/net/khttpd

# ---- khttpd ----
start_khttpd() {
	local ko=$1
	insmod "$ko" || die "insmod $ko"
	echo "$WWW" > $SYS/documentroot
	echo "${PORT[khttpd]}" > $SYS/serverport
	# Event-driven workers: one per guest CPU serves any number of connections,
	# as nginx's worker_processes auto does; the same for every cell.
	kt=$(nproc)
	echo "$kt" > $SYS/threads || die "threads=$kt"
	echo 1 > $SYS/start || die "khttpd start"
}

# ---- Apache httpd, event MPM ----
start_apache() {
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
}

# ---- nginx ----
start_nginx() {
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
}

stop_servers() {
	[[ -f /tmp/nginx/nginx.conf ]] && nginx -c /tmp/nginx/nginx.conf -s stop 2>/dev/null
	[[ -f /tmp/apache/apache.conf ]] && apache2 -f /tmp/apache/apache.conf -k stop 2>/dev/null
	if [[ -d $SYS ]]; then
		echo 1 > $SYS/stop
		rmmod khttpd
	fi
	return 0
}
