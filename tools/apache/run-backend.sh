#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Starts Apache httpd as khttpd's backend in a throwaway configuration: the
# settings of khttpd-backend.conf (127.0.0.1:PORT, PROXY protocol through
# mod_remoteip, CGI) with every path of its own under DIR, so it runs where
# /etc is read-only (the test and demo VMs) and leaves the host's Apache
# alone. Access log: DIR/access.log ("%a %>s %r": the client's address).
#
# With TLS_PORT, a second virtual host on 127.0.0.1:TLS_PORT for requests
# that came over HTTPS (khttpd-fallbackd --tls-backend): the same site,
# with HTTPS=on for CGI and https:// in the redirects Apache builds. The
# daemon sends the TLS facts as PROXY v2 TLVs too, but mod_remoteip only
# takes the addresses from the header; a port of its own is how Apache
# knows the scheme.
#
# Usage: run-backend.sh start DIR DOCROOT CGIDIR [PORT [TLS_PORT]]   (PORT: 8080)
#        run-backend.sh stop DIR
set -euo pipefail

cmd=${1:-}
dir=${2:-}
case $cmd in
start) [ $# -ge 4 ] || { echo "usage: $0 start DIR DOCROOT CGIDIR [PORT [TLS_PORT]]" >&2; exit 2; } ;;
stop) [ $# -eq 2 ] || { echo "usage: $0 stop DIR" >&2; exit 2; } ;;
*) echo "usage: $0 start DIR DOCROOT CGIDIR [PORT [TLS_PORT]] | stop DIR" >&2; exit 2 ;;
esac

if [ "$cmd" = stop ]; then
	exec apache2 -f "$dir/apache.conf" -k stop
fi

docroot=$3 cgidir=$4 port=${5:-8080} tls_port=${6:-}
m=/usr/lib/apache2/modules
mkdir -p "$dir/run" "$dir/lock"

# site: the virtual host's contents, the same on both ports.
site() {
	cat <<SITE
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
SITE
}

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
LoadModule env_module $m/mod_env.so
ScriptSock $dir/run/cgid.sock
TypesConfig /etc/mime.types
Listen 127.0.0.1:$port
LogFormat "%a %>s %r" khttpd
CustomLog $dir/access.log khttpd
KeepAlive On
KeepAliveTimeout 60
<VirtualHost 127.0.0.1:$port>
$(site)
</VirtualHost>
CONF
if [ -n "$tls_port" ]; then
	# ServerName with a scheme: redirects say https:// and port 443.
	cat >> "$dir/apache.conf" <<CONF
Listen 127.0.0.1:$tls_port
<VirtualHost 127.0.0.1:$tls_port>
    ServerName https://localhost:443
    SetEnv HTTPS on
$(site)
</VirtualHost>
CONF
fi
apache2 -f "$dir/apache.conf" -k start || { cat "$dir/error.log" >&2; exit 1; }
# Ready when mod_cgid's socket exists (it appends its pid to the name).
for _ in $(seq 100); do
	ls "$dir"/run/cgid.sock* > /dev/null 2>&1 && exit 0
	sleep 0.1
done
cat "$dir/error.log" >&2
exit 1
