#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest side: worker wake-ups and connection steps per request for large
# files (issue 16, item 1: the write-space callback). Loads khttpd.ko with
# one worker, has wrk fetch a 4 MiB file over a few keep-alive connections,
# and prints the status file's worker_wakeups and connection_steps per
# request. Not a test: its figures go to docs/benchmarks.md.
# Usage (host): tools/vm/run.sh --kernel deb612 --out build/wakeups -- \
#                   tools/bench/wakeups-guest.sh build/kmod/deb612/khttpd.ko [SIZE] [CONC] [SECONDS]
set -u
ko=${1:?usage: wakeups-guest.sh KHTTPD_KO [SIZE] [CONC] [SECONDS]}
size=${2:-4194304} conc=${3:-4} secs=${4:-10}
SYS=/proc/sys/net/khttpd
WWW=/tmp/www
mkdir -p "$WWW"
head -c "$size" /dev/urandom > "$WWW/f.bin"
chmod -R a+rX "$WWW"
insmod "$ko" || exit 1
echo "$WWW" > $SYS/documentroot
echo 1 > $SYS/threads
echo 0 > $SYS/logging 2> /dev/null
echo 1 > $SYS/start || exit 1
stat() { awk -v k="$1" '$1 == k { print $2 }' <<< "$2"; }
s0=$(cat /proc/net/khttpd/status)
wrk -t1 -c"$conc" -d"${secs}s" "http://127.0.0.1/f.bin" | grep -E 'Requests/sec|Transfer/sec'
s1=$(cat /proc/net/khttpd/status)
req=$(($(stat requests "$s1") - $(stat requests "$s0")))
wk=$(($(stat worker_wakeups "$s1") - $(stat worker_wakeups "$s0")))
st=$(($(stat connection_steps "$s1") - $(stat connection_steps "$s0")))
awk -v r="$req" -v w="$wk" -v s="$st" -v z="$size" -v c="$conc" 'BEGIN {
	printf "wakeups: size=%d conc=%d requests=%d worker_wakeups=%d (%.1f per request) connection_steps=%d (%.1f per request)\n",
	       z, c, r, w, r ? w / r : 0, s, r ? s / r : 0 }' | tee "$KHTTPD_OUT/wakeups.txt"
echo 1 > $SYS/stop
rmmod khttpd
