#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest side of tests/deb/deb_test.sh: the installed khttpd.service, run
# by hand. The guest's PID 1 is the test initramfs's busybox script, not
# systemd (and its root is the host's, read-only over 9p), so systemctl
# cannot start units here: this script runs the unit files' own
# ExecStartPre/ExecStart/ExecReload/ExecStop lines, read from the installed
# files, in systemd's order (khttpd.service, then khttpd-fallbackd.service,
# which is After= and PartOf= it; stopping in reverse). The module comes from
# /lib/modules/KVER/updates/dkms/, where DKMS installed it on the host.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../vm/lib.sh"

UNIT=/lib/systemd/system/khttpd.service
DUNIT=/lib/systemd/system/khttpd-fallbackd.service
SYS=/proc/sys/net/khttpd
KVER=$(uname -r)

# unit_lines UNIT KEY: the command lines of KEY= in UNIT, systemd's
# prefixes (- @ + ! :) dropped. Their quoting is plain shell quoting.
unit_lines() {
	sed -n "s/^$2=[-@+!:]*//p" "$1"
}

# run_lines UNIT KEY: runs each KEY= line; fails at the first that fails,
# unless it starts with "-" (systemd ignores that one's failure too).
run_lines() {
	local l
	while IFS= read -r l; do
		echo "# $2: $l"
		case $l in
		-*) l=$(sed 's/^[-@+!:]*//' <<< "$l")
		    eval "$l" || echo "# $2 failed, ignored: $l" ;;
		*) l=$(sed 's/^[-@+!:]*//' <<< "$l")
		   eval "$l" || { echo "# $2 failed: $l"; return 1; } ;;
		esac
	done < <(sed -n "s/^$2=//p" "$1")
}

# The GNU build id of the loaded khttpd (its notes: a 12-byte note header
# and "GNU\0", then the id) and of DKMS's file (xz-compressed on 6.12).
loaded_build_id() {
	od -An -v -tx1 -j16 /sys/module/khttpd/notes/.note.gnu.build-id 2>&1 | tr -d ' \n'
}
file_build_id() {
	local ko tmp=/tmp/khttpd-dkms.ko
	ko=$(ls /lib/modules/"$KVER"/updates/dkms/khttpd.ko*)
	case $ko in
	*.xz) xz -dc "$ko" > $tmp ;;
	*.zst) zstd -qdc "$ko" > $tmp ;;
	*) cp "$ko" $tmp ;;
	esac
	readelf -n $tmp | sed -n 's/^ *Build ID: *//p'
}

test_start() {
	check "khttpd.service's ExecStartPre lines (modprobe, apply the conf file)" \
		run_lines "$UNIT" ExecStartPre
	expect_eq "modprobe resolves khttpd to DKMS's module" \
		"insmod $(ls /lib/modules/"$KVER"/updates/dkms/khttpd.ko*)" \
		"$(modprobe --show-depends khttpd 2>&1 | tr -s ' ' | sed 's/ $//')"
	expect_eq "the loaded module's build id is that file's" "$(file_build_id)" "$(loaded_build_id)"
	expect_eq "serverport from /etc/khttpd/khttpd.conf" \
		"$(sed -n 's/^serverport *= *//p' /etc/khttpd/khttpd.conf)" "$(cat $SYS/serverport)"
	expect_eq "documentroot from /etc/khttpd/khttpd.conf" \
		"$(sed -n 's/^documentroot *= *//p' /etc/khttpd/khttpd.conf)" "$(cat $SYS/documentroot)"
	check "khttpd.service's ExecStart line starts the server" run_lines "$UNIT" ExecStart
	expect_eq "start reads 1" 1 "$(cat $SYS/start)"
}

test_serve() {
	local root port got
	root=$(cat $SYS/documentroot) port=$(cat $SYS/serverport)
	got=$(curl -s -D "$KHTTPD_OUT/headers.txt" -o "$KHTTPD_OUT/index.html" \
		-w '%{http_code}' "http://127.0.0.1:$port/index.html")
	expect_eq "GET /index.html answers 200" 200 "$got"
	check "the body is $root/index.html" cmp "$root/index.html" "$KHTTPD_OUT/index.html"
	check "the kernel answered (Server: khttpd)" grep -qi '^server: khttpd' "$KHTTPD_OUT/headers.txt"
}

test_daemon() {
	# The package's dirs file makes /var/log/khttpd; the guest's /var/log is a tmpfs.
	mkdir -p /var/log/khttpd
	local cmd pid i
	cmd=$(unit_lines "$DUNIT" ExecStart)
	check "khttpd-fallbackd.service's ExecStart names the packaged daemon" \
		test "${cmd%% *}" = /usr/sbin/khttpd-fallbackd
	bash -c "exec $cmd" > "$KHTTPD_OUT/fallbackd.log" 2>&1 &
	pid=$!
	for i in $(seq 50); do
		[ "$(cat $SYS/daemon_pid)" = "$pid" ] && break
		sleep 0.2
	done
	expect_eq "the daemon registers with the module" "$pid" "$(cat $SYS/daemon_pid)"
	kill -TERM "$pid"
	wait "$pid"
	expect_eq "the daemon exits 0 on SIGTERM (its unit stops first)" 0 "$?"
}

# st KEY: KEY's value in the status file.
st() {
	sed -n "s/^$1 //p" /proc/net/khttpd/status
}

# systemctl reload khttpd, as ExecReload, with /etc/khttpd/ replaced by a
# copy (a bind mount: the guest's root is read-only) whose documentroot is
# another directory: the new root serves at once; a file naming a missing
# directory fails the reload and changes nothing.
test_reload() {
	if [ ! -e $SYS/reload ]; then
		fail "khttpd.ko has /proc/sys/net/khttpd/reload (live reload)"
		return
	fi
	local etc=/tmp/khttpd-etc www=/tmp/khttpd-www2 port gen
	port=$(cat $SYS/serverport)
	mkdir -p $etc $www
	chmod 0755 $etc $www
	echo "reloaded root" > $www/index.html
	chmod 0644 $www/index.html
	sed "s|^documentroot *=.*|documentroot = $www|" /etc/khttpd/khttpd.conf > $etc/khttpd.conf
	if ! mount --bind $etc /etc/khttpd; then
		fail "bind-mount a changed /etc/khttpd"
		return
	fi
	gen=$(st generation)
	check "khttpd.service's ExecReload line (khttpdctl reload)" run_lines "$UNIT" ExecReload
	expect_eq "the reload made generation $((gen + 1))" $((gen + 1)) "$(st generation)"
	expect_eq "the new documentroot serves at once" "reloaded root" \
		"$(bash_http body "127.0.0.1:$port" /index.html)"

	sed -i "s|^documentroot *=.*|documentroot = /tmp/khttpd-missing|" $etc/khttpd.conf
	expect_fail_with "a reload to a missing documentroot fails and says so" \
		"document root /tmp/khttpd-missing does not exist" run_lines "$UNIT" ExecReload
	expect_eq "the failed reload made no generation" $((gen + 1)) "$(st generation)"
	expect_eq "the failed reload put documentroot back" "$www" "$(cat $SYS/documentroot)"
	expect_eq "the server still serves the reloaded root" "reloaded root" \
		"$(bash_http body "127.0.0.1:$port" /index.html)"

	umount /etc/khttpd
	check "ExecReload with the installed file again" run_lines "$UNIT" ExecReload
	curl -s -o "$KHTTPD_OUT/index-after-reload.html" "http://127.0.0.1:$port/index.html"
	check "the installed documentroot serves again" \
		cmp "$(cat $SYS/documentroot)/index.html" "$KHTTPD_OUT/index-after-reload.html"
}

test_stop() {
	check "khttpd.service's ExecStop lines (stop, modprobe -r)" run_lines "$UNIT" ExecStop
	check "the module is unloaded" test ! -e /sys/module/khttpd
}

run_sections test_start test_serve test_reload test_daemon test_stop
summary
