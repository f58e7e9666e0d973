#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the demo VM: khttpd on port 80 serving the sample site, and
# behind it Apache (127.0.0.1:8080) with the hand-over daemon, so requests
# the kernel does not serve (CGI, missing files) get Apache's answer. Stays
# up until interrupted.
set -euo pipefail
ko=${1:?usage: guest.sh KHTTPD_KO KHTTPD_FALLBACKD}
daemon=${2:?usage: guest.sh KHTTPD_KO KHTTPD_FALLBACKD}
here=$(cd "$(dirname "$0")" && pwd)
apache=$here/../apache/run-backend.sh

cp -r "$here/site" /tmp/www
cp -r "$here/cgi-bin" /tmp/cgi-bin
chmod -R a+rX /tmp/www /tmp/cgi-bin
insmod "$ko"
echo /tmp/www > /proc/sys/net/khttpd/documentroot
echo 80 > /proc/sys/net/khttpd/serverport
echo 1 > /proc/sys/net/khttpd/start
"$apache" start /tmp/apache /tmp/www /tmp/cgi-bin
"$daemon" 2> /tmp/fallbackd.log &
dpid=$!
port=${KHTTPD_DEMO_PORT:-8080}
echo
echo "khttpd is serving /tmp/www in the VM; Apache answers what it hands over."
echo "From the host:"
echo "  curl -i http://127.0.0.1:$port/                      # Server: khttpd"
echo "  curl -i 'http://127.0.0.1:$port/cgi-bin/hello.cgi?x=1' # Server: Apache (CGI)"
echo "  curl -i http://127.0.0.1:$port/missing.html           # Server: Apache (404)"
echo "Press Ctrl-C to stop the VM."
stop() {
	kill "$dpid" 2>/dev/null || true
	"$apache" stop /tmp/apache 2>/dev/null || true
	echo 1 > /proc/sys/net/khttpd/stop
	rmmod khttpd
	exit 0
}
trap stop INT TERM
while :; do sleep 1; done
