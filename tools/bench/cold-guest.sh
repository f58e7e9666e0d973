#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest side of the cold-file benchmark (issue 16, item 2; host side:
# tools/bench/cold.sh). The document root is ext4 on a virtio-blk disk
# (/dev/vda, made by the host): a cold set of NFILES files of 256 KiB and
# one hot 1 KiB file. Per server and round, with the server on vCPU 0 (one
# worker) and the clients on vCPU 1:
#   hot      32 clients fetch the hot file (wrk --latency): its p99 alone;
#   hot+cold the same while 32 other clients fetch random cold files (page
#            cache dropped first): the hot clients' p99 beside cold reads.
# Servers: khttpd (cold reads off the worker), khttpd-sync (a module built
# before that, if given: the worker reads), nginx with `aio threads`.
# Prints "cold: SERVER ROUND hot_p99_ms hot+cold_p99_ms hot_rps cold_MBps"
# lines into $KHTTPD_OUT/cold.txt.
# Usage (inside the VM): cold-guest.sh KHTTPD_KO MODDIR ROUNDS SECONDS [KHTTPD_SYNC_KO]
set -u
KO=${1:?usage: cold-guest.sh KHTTPD_KO MODDIR ROUNDS SECONDS [KHTTPD_SYNC_KO]}
MODDIR=${2:?}
ROUNDS=${3:-3}
SECS=${4:-10}
SYNC_KO=${5:-}
HERE=$(cd "$(dirname "$0")" && pwd)
WWW=/tmp/coldroot
SYS=/proc/sys/net/khttpd
out=$KHTTPD_OUT
PLACEMENT=pinned
declare -A PORT=([khttpd]=80 [nginx]=8081)
NGINX_FILECACHE=20000
die() { echo "cold-guest: $*" >&2; exit 1; }
. "$HERE/servers.sh"
mkdir -p "$out/conf"

while read -r m; do insmod "$MODDIR/$m" 2> /dev/null || true; done < "$MODDIR/order"
for _ in $(seq 50); do [ -b /dev/vda ] && break; sleep 0.1; done
[ -b /dev/vda ] || die "no /dev/vda (virtio_blk?)"
mkdir -p $WWW
mount -t ext4 -o ro,noload /dev/vda $WWW || die "mount /dev/vda"
NFILES=$(ls $WWW/cold | wc -l)
echo "cold-guest: $NFILES cold files, $(du -sm $WWW/cold | cut -f1) MB"
ip link set lo up

cat > /tmp/cold.lua <<EOF
math.randomseed(os.time())
request = function()
    return wrk.format("GET", string.format("/cold/f%05d.bin", math.random(0, $NFILES - 1)))
end
EOF

drop() { sync; echo 3 > /proc/sys/vm/drop_caches; }
# p99 of wrk --latency output, in ms.
p99() { awk '$1 == "99%" { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
	if (u == "us") v /= 1000; else if (u == "s") v *= 1000; print v }' "$1"; }
rps() { awk '/^Requests\/sec:/ { print $2 }' "$1"; }
mbps() { awk '/^Transfer\/sec:/ { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[A-Za-z]+$/, "", v);
	if (u == "KB") v /= 1024; else if (u == "GB") v *= 1024; print v }' "$1"; }

# measure NAME PORT ROUND
measure() {
	local name=$1 port=$2 r=$3 url=http://127.0.0.1:$2
	curl -s -o /dev/null "$url/hot.txt"
	taskset -c 1 wrk -t1 -c32 -d"${SECS}s" --latency "$url/hot.txt" > /tmp/hot.out 2>&1
	drop
	curl -s -o /dev/null "$url/hot.txt"
	taskset -c 1 wrk -t1 -c32 -d"${SECS}s" -s /tmp/cold.lua "$url" > /tmp/cold.out 2>&1 &
	local cold=$!
	sleep 1
	taskset -c 1 wrk -t1 -c32 -d"$((SECS - 2))s" --latency "$url/hot.txt" > /tmp/hotcold.out 2>&1
	wait $cold
	local line
	line="cold: $name $r $(p99 /tmp/hot.out) $(p99 /tmp/hotcold.out) $(rps /tmp/hotcold.out) $(mbps /tmp/cold.out)"
	echo "$line" | tee -a "$out/cold.txt"
	[ -n "${COLD_DEBUG:-}" ] && cat /tmp/hot.out /tmp/hotcold.out /tmp/cold.out
	[ "$name" = nginx ] || echo "cold:   status cold_reads $(status_value cold_reads)"
}

: > "$out/cold.txt"
for r in $(seq "$ROUNDS"); do
	start_khttpd "$KO"
	measure khttpd 80 "$r"
	stop_servers
	if [ -n "$SYNC_KO" ]; then
		start_khttpd "$SYNC_KO"
		measure khttpd-sync 80 "$r"
		stop_servers
	fi
	NGINX_AIO=1 start_nginx
	measure nginx 8081 "$r"
	stop_servers
done
umount $WWW
