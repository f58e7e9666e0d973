#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest-side runner of tests/vm/observability.sh on its own: loads the
# module, serves a scratch document root on port 80 and runs the status,
# tracepoint and unload tests; with KHTTPD_FALLBACKD, a hand-over daemon
# (and Apache behind it) runs too, so the hand-over figures are checked.
# Usage (inside the test VM): observability_run.sh KHTTPD_KO [KHTTPD_FALLBACKD]
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/observability.sh"

KO=${1:?usage: observability_run.sh KHTTPD_KO [KHTTPD_FALLBACKD]}
DAEMON=${2:-}
SYS=/proc/sys/net/khttpd
WWW=/tmp/www
A=/tmp/apache
URL=http://127.0.0.1
DPID=

obs_setup() {
	mkdir -p "$WWW" "$A/cgi-bin"
	chmod -R a+rX "$WWW"
	check "insmod" insmod "$KO"
	echo "$WWW" > $SYS/documentroot
	check "start" obs_write start 1
	[ -n "$DAEMON" ] || return 0
	printf '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\nok\\n"\n' > "$A/cgi-bin/obs.cgi"
	chmod 755 "$A" "$A/cgi-bin" "$A/cgi-bin/obs.cgi"
	check "Apache starts" "$HERE/../../tools/apache/run-backend.sh" start "$A" "$WWW" "$A/cgi-bin"
	"$DAEMON" > /tmp/fallbackd.log 2>&1 &
	DPID=$!
	for _ in $(seq 100); do
		[ "$(cat $SYS/daemon_pid)" != 0 ] && break
		sleep 0.1
	done
	check "daemon registered" test "$(cat $SYS/daemon_pid)" != 0
}

obs_rmmod() {
	obs_rmmod_tests "$KO"
}

obs_cleanup() {
	if [ -n "$DPID" ]; then
		kill "$DPID"
		wait "$DPID" 2> /dev/null
		"$HERE/../../tools/apache/run-backend.sh" stop "$A"
	fi
	check "rmmod" rmmod khttpd
}

run_sections obs_setup obs_status_tests obs_trace_tests obs_rmmod obs_cleanup
summary
