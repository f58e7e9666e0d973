#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the demo VM: load khttpd, serve the sample site on port 80,
# and stay up until interrupted.
set -euo pipefail
ko=${1:?usage: guest.sh KHTTPD_KO}
here=$(cd "$(dirname "$0")" && pwd)

cp -r "$here/site" /tmp/www
chmod -R a+rX /tmp/www
insmod "$ko"
echo /tmp/www > /proc/sys/net/khttpd/documentroot
echo 80 > /proc/sys/net/khttpd/serverport
echo 1 > /proc/sys/net/khttpd/start
echo
echo "khttpd is serving /tmp/www in the VM."
echo "From the host:  curl http://127.0.0.1:${KHTTPD_DEMO_PORT:-8080}/"
echo "Press Ctrl-C to stop the VM."
trap 'echo 1 > /proc/sys/net/khttpd/stop; rmmod khttpd; exit 0' INT TERM
while :; do sleep 1; done
