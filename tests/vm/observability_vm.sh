#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest side of make check's observability VM (issue 12), one per kernel:
# the access log's rings and file (access_log.sh), khttpd-fallbackd's text
# log against the real module (access_log_daemon.sh), the status file and
# the tracepoints (observability.sh), khttpdctl (khttpdctl.sh), and
# unloading with readers of both files. One VM for all of them: they share
# a loaded module, Apache and the daemon, and a boot costs minutes on the
# debug kernel.
# Usage (inside the test VM): observability_vm.sh KHTTPD_KO FALLBACKD KHTTPDCTL
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/access_log.sh"
. "$HERE/access_log_daemon.sh"
. "$HERE/observability.sh"
. "$HERE/khttpdctl.sh"

KO=${1:?usage: observability_vm.sh KHTTPD_KO FALLBACKD KHTTPDCTL}
DAEMON=${2:?usage: observability_vm.sh KHTTPD_KO FALLBACKD KHTTPDCTL}
CTL=${3:?usage: observability_vm.sh KHTTPD_KO FALLBACKD KHTTPDCTL}
SYS=/proc/sys/net/khttpd
WWW=/tmp/www
A=/tmp/apache
URL=http://127.0.0.1
# The flood fills the rings; the debug kernel serves ~50x slower.
case $(uname -r) in
*debug*) FLOOD=400 DAEMON_LOG_REQUESTS=12 ;;
*) FLOOD=1500 DAEMON_LOG_REQUESTS=40 ;;
esac

sysctl_write() {
	printf '%s\n' "$2" > "$1"
}

setup() {
	mkdir -p "$WWW" "$A/cgi-bin"
	printf 'x' > "$WWW/one.txt"
	echo '<h1>observability</h1>' > "$WWW/index.html"
	chmod -R a+rX "$WWW"
	check "insmod" insmod "$KO"
	sysctl_write "$SYS/documentroot" "$WWW"
	check "start" sysctl_write "$SYS/start" 1
}

# The rings and their file, read directly: no daemon may hold the file.
al_flood() { test_access_log_flood "$FLOOD"; }

# Apache behind the daemon, so hand-overs get real answers; the daemon
# drains the log into a text file.
start_daemon() {
	printf '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\nok\\n"\n' > "$A/cgi-bin/obs.cgi"
	chmod 755 "$A" "$A/cgi-bin" "$A/cgi-bin/obs.cgi"
	check "Apache starts" "$HERE/../../tools/apache/run-backend.sh" start "$A" "$WWW" "$A/cgi-bin"
	ald_start /tmp/khttpd-access.log
}

daemon_log() {
	test_access_log_daemon "$DAEMON_LOG_REQUESTS"
	test_access_log_daemon_rotate
}

capture() {
	ctl_capture "$KHTTPD_OUT/khttpdctl-status.txt"
}

stop_daemon() {
	ald_stop
	"$HERE/../../tools/apache/run-backend.sh" stop "$A"
}

# rmmod with readers of the status file (observability.sh loads the module
# again), then with readers blocked on the access log (last: it stays
# unloaded), then khttpdctl without a module.
unload() {
	obs_rmmod_tests "$KO"
	test_access_log_unload
	ctl_not_loaded_tests
}

case $(uname -r) in
*debug*)
	# The debug kernel (KASAN, lockdep, kmemleak) takes seconds per
	# process started: it runs what exercises the module's memory and
	# locking (records through the rings, a flood, the status file under
	# hand-overs and timeouts, tracepoints, unloading with readers) and
	# leaves what only checks userspace (the daemon's text log,
	# khttpdctl, the sysctl's validation) to the Debian kernels: with
	# those, this VM took twice as long (821 s against 419 s).
	run_sections setup test_access_log_records al_flood start_daemon obs_status_tests \
		obs_trace_tests stop_daemon unload ;;
*)
	run_sections setup test_access_log_file test_access_log_records test_access_log_off \
		test_access_log_blocking al_flood start_daemon daemon_log obs_status_tests \
		obs_trace_tests ctl_status_tests ctl_control_tests capture stop_daemon unload ;;
esac
summary
