#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest-side test: a cold file never stalls a worker (issue 16, item 2).
# The document root is ext4 on a device-mapper device over a loop device;
# `dmsetup suspend` makes every read of it wait until `resume`, which is
# a disk that never answers, without timing anything. With one worker:
#   - a client fetching a cold file (its pages read off the worker,
#     counted in cold_reads) waits, and a hot file is served meanwhile,
#     as is the hot file again while a cold small file (the copied path)
#     waits too; after the resume both cold answers are exact;
#   - stop with a read still waiting returns once the disk answers, and
#     rmmod is clean (run.sh checks dmesg: KASAN and kmemleak on debug).
# Usage (inside the test VM): cold.sh KHTTPD_KO MODDIR
#   MODDIR: loop, dm-mod, ext4 and what they need (tools/vm/guest-mods.sh;
#   empty where they are built in).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"

KO=${1:?usage: cold.sh KHTTPD_KO MODDIR}
MODDIR=${2:?usage: cold.sh KHTTPD_KO MODDIR}
SYS=/proc/sys/net/khttpd
IMG=/tmp/cold.img
MNT=/tmp/cold
DM=khttpd-cold
URL=http://127.0.0.1
export DM_DISABLE_UDEV=1
LOOPDEV=

dms() { dmsetup --noudevsync "$@"; }
stat_of() { sed -n "s/^$1 //p" /proc/net/khttpd/status; }
drop_caches() { sync; echo 1 > /proc/sys/vm/drop_caches; }
# wait_cold_reads N: until cold_reads reaches N (a read is queued).
wait_cold_reads() {
	local i
	for i in $(seq 300); do
		[ "$(stat_of cold_reads)" -ge "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
running() { kill -0 "$1" 2> /dev/null; }
# hot_served WHAT: the hot file, exact, while a cold read waits; if not,
# where the worker is stuck (its kernel stack) goes to the log.
hot_served() {
	local got pid
	got=$(curl -s -m 20 "$URL/hot.txt" | sha256sum)
	expect_eq "the hot file is served while $1" "$(sha256sum < $MNT/hot.txt)" "$got"
	[ "$got" = "$(sha256sum < $MNT/hot.txt)" ] && return
	for pid in $(grep -lx 'khttpd/[0-9]*' /proc/[0-9]*/comm | cut -d/ -f3); do
		echo "# stack of khttpd worker $pid:"
		sed 's/^/#   /' /proc/$pid/stack
	done
}

setup() {
	local m
	while read -r m; do
		insmod "$MODDIR/$m" 2> /dev/null || true
	done < "$MODDIR/order"
	truncate -s 96M $IMG
	LOOPDEV=$(losetup -f --show $IMG)
	check "loop device" test -b "$LOOPDEV"
	check "device-mapper device over it" \
		dms create $DM --table "0 $(blockdev --getsz "$LOOPDEV") linear $LOOPDEV 0"
	check "ext4 on it" mkfs.ext4 -q -F /dev/mapper/$DM
	mkdir -p $MNT
	check "mounted" mount -t ext4 /dev/mapper/$DM $MNT
	head -c 1024 /dev/urandom > $MNT/hot.txt
	head -c $((8 << 20)) /dev/urandom > $MNT/cold.bin
	head -c 4096 /dev/urandom > $MNT/small.txt
	chmod -R a+rX $MNT
	check "insmod" insmod "$KO"
	echo $MNT > $SYS/documentroot
	echo 1 > $SYS/threads
	check "start (one worker)" sh -c "echo 1 > $SYS/start"
}

# Everything but the cold files' data in memory: the lookups and the
# open-file cache entries (HEAD opens without reading), and hot.txt.
warm() {
	drop_caches
	curl -s -o /dev/null "$URL/hot.txt"
	curl -s -o /dev/null -I "$URL/cold.bin"
	curl -s -o /dev/null -I "$URL/small.txt"
}

# cold_while_hot FILE WHAT...: FILE fetched cold with the disk suspended
# waits off the worker while the hot file is served; after the resume it
# arrives exact. WHAT: the check names (read, hot, waiting, exact).
cold_while_hot() {
	local file=$1 n0 pid
	warm
	n0=$(stat_of cold_reads)
	check "suspend the disk" dms suspend --nolockfs --noflush $DM
	curl -s -m 120 -o /tmp/cold.out "$URL/$file" &
	pid=$!
	check "$2" wait_cold_reads $((n0 + 1))
	hot_served "$3"
	check "$4" running $pid
	check "resume the disk" dms resume $DM
	wait $pid
	expect_eq "$5" "$(sha256sum < $MNT/$file)" "$(sha256sum < /tmp/cold.out)"
}

test_cold_big() {
	cold_while_hot cold.bin "a cold file's read goes off the worker" "the cold read waits" \
		"the cold answer is still waiting for the disk" "the cold file arrives whole and exact"
}

test_cold_small() {
	cold_while_hot small.txt "a cold small file's read goes off the worker" \
		"the small cold read waits" "the small cold answer is still waiting" \
		"the small cold file arrives exact"
}

# The connection goes away (the server stops) while its read waits.
test_stop_while_reading() {
	local n0 pid stopper
	warm
	n0=$(stat_of cold_reads)
	dms suspend --nolockfs --noflush $DM
	curl -s -m 120 -o /dev/null "$URL/cold.bin" &
	pid=$!
	check "a read waits" wait_cold_reads $((n0 + 1))
	sh -c "echo 1 > $SYS/stop" &
	stopper=$!
	sleep 2
	check "resume the disk" dms resume $DM
	wait $stopper
	expect_eq "stop returns once the read ended" 0 "$?"
	wait $pid
	check "start again" sh -c "echo 1 > $SYS/start"
	expect_eq "serves after the restart" "$(sha256sum < $MNT/cold.bin)" \
		"$(curl -s -m 60 "$URL/cold.bin" | sha256sum)"
}

cleanup() {
	check "rmmod" rmmod khttpd
	umount $MNT
	dms remove $DM
	losetup -d "$LOOPDEV"
	rm -f $IMG /tmp/cold.out
}

run_sections setup test_cold_big test_cold_small test_stop_while_reading cleanup
summary
