#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest side: runs the access-log tests (access_log.sh) on their own: loads
# khttpd.ko, serves /tmp/www on port 80 with default settings and no daemon,
# runs the tests, and unloads the module with readers blocked (last test).
# Usage (inside the test VM): access_log_run.sh KHTTPD_KO [FLOOD_REQUESTS]
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/access_log.sh"

KO=${1:?usage: access_log_run.sh KHTTPD_KO [FLOOD_REQUESTS]}
FLOOD=${2:-1500}
SYS=/proc/sys/net/khttpd
WWW=/tmp/www
URL=http://127.0.0.1:80

sysctl_write() {
	printf '%s\n' "$2" > "$1"
}

mkdir -p "$WWW"
printf 'x' > "$WWW/one.txt"
chmod -R a+rX "$WWW"
check "insmod khttpd.ko" insmod "$KO"
sysctl_write "$SYS/documentroot" "$WWW"
check "start" sysctl_write "$SYS/start" 1
al_flood() { test_access_log_flood "$FLOOD"; }
run_sections test_access_log_file test_access_log_records test_access_log_off \
	test_access_log_blocking al_flood test_access_log_unload
summary
