#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench-cold: do cold files stall a worker? (issue 16, item 2)
# Builds an ext4 image on the host (mke2fs -d: a cold set of 256 KiB files,
# 1 GiB by default, and a hot 1 KiB file), boots Debian 6.12 with it as a
# virtio-blk disk and runs tools/bench/cold-guest.sh: per server and round,
# the hot clients' p99 alone and beside 32 clients of cold files (page cache
# dropped), server pinned to vCPU 0 with one worker, clients on vCPU 1.
# khttpd, khttpd-sync (KHTTPD_SYNC_KO: a module from before the cold reads,
# optional) and nginx with `aio threads`. Not a test: figures only, in
# build/bench-cold/cold.txt (docs/benchmarks.md quotes them).
# Usage: tools/bench/cold.sh [--files N] [--rounds N] [--seconds N] [--kernel K] [--sync-ko KO]
#                           [--disk-opts QEMU_DRIVE_OPTS ('' for none)]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
files=4096 rounds=3 secs=10 kernel=deb612 sync_ko=
# The image lies in the host's page cache, so a "disk" read is a memory
# copy: QEMU's throttling makes it a disk (a SATA SSD's order: 4,000 reads
# per second, 200 MB/s), so that a read costs what it costs on a host.
disk_opts=throttling.iops-read=4000,throttling.bps-read=209715200
while [[ $# -gt 0 ]]; do
	case $1 in
	--files) files=${2:?}; shift 2 ;;
	--rounds) rounds=${2:?}; shift 2 ;;
	--seconds) secs=${2:?}; shift 2 ;;
	--kernel) kernel=${2:?}; shift 2 ;;
	--sync-ko) sync_ko=${2:?}; shift 2 ;;
	--disk-opts) disk_opts=$2; shift 2 ;;
	*) echo "usage: $0 [--files N] [--rounds N] [--seconds N] [--kernel K] [--sync-ko KO]" >&2; exit 2 ;;
	esac
done
out=build/bench-cold
mkdir -p "$out"
img=$out/cold.img src=$out/src
tools/build-module.sh "$kernel" > "$out/build.log" 2>&1 || { tail "$out/build.log"; exit 1; }
tools/vm/guest-mods.sh "$kernel" "$out/mods" virtio_blk ext4 > /dev/null
if [[ ! -f $img || $(cat "$out/files" 2> /dev/null) != "$files" ]]; then
	echo "cold: making $files files of 256 KiB and an ext4 image of them"
	rm -rf "$src" "$img"
	mkdir -p "$src/cold"
	head -c 1024 /dev/urandom > "$src/hot.txt"
	for ((i = 0; i < files; i++)); do
		printf -v name '%s/cold/f%05d.bin' "$src" "$i"
		head -c 262144 /dev/urandom > "$name"
	done
	chmod -R a+rX "$src"
	mkfs.ext4 -q -F -d "$src" "$img" "$((files / 4 + 256))M"
	rm -rf "$src"
	echo "$files" > "$out/files"
fi
args=(build/kmod/$kernel/khttpd.ko "$out/mods" "$rounds" "$secs")
[[ -n $sync_ko ]] && args+=("$sync_ko")
tools/vm/run.sh --kernel "$kernel" --out "$out/vm" --mem 3072 --disk "$img" \
	${disk_opts:+--disk-opts "$disk_opts"} \
	--timeout $((600 + rounds * 3 * (2 * secs + 60))) -- tools/bench/cold-guest.sh "${args[@]}" \
	> "$out/console.log" 2>&1 || { tail -n 30 "$out/console.log"; exit 1; }
cp "$out/vm/cold.txt" "$out/cold.txt"
echo "cold: server round hot_p99_ms hot+cold_p99_ms hot_rps(beside cold) cold_MBps"
grep '^cold: [a-z]' "$out/cold.txt"
