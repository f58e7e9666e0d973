#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Starts Apache httpd as khttpd's backend in a throwaway configuration: the
# settings of khttpd-backend.conf (127.0.0.1:PORT, PROXY protocol through
# mod_remoteip, CGI) with every path of its own under DIR, so it runs where
# /etc is read-only (the test and demo VMs) and leaves the host's Apache
# alone. Access log: DIR/access.log ("%a %>s %r": the client's address).
#
# Usage: run-backend.sh start DIR DOCROOT CGIDIR [PORT]   (PORT: 8080)
#        run-backend.sh stop DIR
set -euo pipefail

cmd=${1:-}
dir=${2:-}
case $cmd in
start) [ $# -ge 4 ] || { echo "usage: $0 start DIR DOCROOT CGIDIR [PORT]" >&2; exit 2; } ;;
stop) [ $# -eq 2 ] || { echo "usage: $0 stop DIR" >&2; exit 2; } ;;
*) echo "usage: $0 start DIR DOCROOT CGIDIR [PORT] | stop DIR" >&2; exit 2 ;;
esac

if [ "$cmd" = stop ]; then
	exec apache2 -f "$dir/apache.conf" -k stop
fi

docroot=$3 cgidir=$4 port=${5:-8080}
m=/usr/lib/apache2/modules
mkdir -p "$dir/run" "$dir/lock"
cat > "$dir/apache.conf" <<CONF
ServerRoot /etc/apache2
ServerName localhost
DefaultRuntimeDir $dir/run
PidFile $dir/run/httpd.pid
Mutex file:$dir/lock default
ScoreBoardFile $dir/run/scoreboard
ErrorLog $dir/error.log
LogLevel warn
User www-data
Group www-data
LoadModule mpm_event_module $m/mod_mpm_event.so
LoadModule authz_core_module $m/mod_authz_core.so
LoadModule mime_module $m/mod_mime.so
LoadModule dir_module $m/mod_dir.so
LoadModule alias_module $m/mod_alias.so
LoadModule cgid_module $m/mod_cgid.so
LoadModule remoteip_module $m/mod_remoteip.so
ScriptSock $dir/run/cgid.sock
TypesConfig /etc/mime.types
Listen 127.0.0.1:$port
LogFormat "%a %>s %r" khttpd
CustomLog $dir/access.log khttpd
KeepAlive On
KeepAliveTimeout 60
<VirtualHost 127.0.0.1:$port>
    RemoteIPProxyProtocol On
    DocumentRoot $docroot
    ScriptAlias /cgi-bin/ $cgidir/
    <Directory $cgidir>
        Options +ExecCGI
        Require all granted
    </Directory>
    <Directory $docroot>
        Require all granted
    </Directory>
</VirtualHost>
CONF
apache2 -f "$dir/apache.conf" -k start || { cat "$dir/error.log" >&2; exit 1; }
# Ready when mod_cgid's socket exists (it appends its pid to the name).
for _ in $(seq 100); do
	ls "$dir"/run/cgid.sock* > /dev/null 2>&1 && exit 0
	sleep 0.1
done
cat "$dir/error.log" >&2
exit 1
