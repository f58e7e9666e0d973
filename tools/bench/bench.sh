#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: khttpd vs Apache httpd vs nginx, measured with wrk inside one QEMU/TCG VM.
#
# Usage: tools/bench/bench.sh [--kernel deb612|deb61] [--rounds N] [--duration SEC]
#                             [--sizes "0 1024 ..."] [--conc "1 32 256"]
#                             [--modes "keepalive close"] [--smoke]
#
# Full run (default: deb612, 3 rounds of 5 s, 5 sizes x 2 modes x 3 concurrencies x
# 3 servers = 270 wrk runs, ~35 min): raw results in build/bench/KERNEL/, the report in
# docs/benchmarks.md and docs/img/bench-*.png.
# --smoke: 1 KiB file, c=2, both modes, 1 round of 2 s; everything (report included) goes
# to build/bench/smoke/ and docs/ is not touched. Exits 0 only if every server answered
# with the right bytes and every wrk run gave parseable numbers (used by make check).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
kernel=deb612 rounds=3 duration=5 smoke=0
sizes='0 1024 16384 262144 4194304' concs='1 32 256' modes='keepalive close'
while [[ $# -gt 0 ]]; do
	case $1 in
	--kernel) kernel=$2; shift 2 ;;
	--rounds) rounds=$2; shift 2 ;;
	--duration) duration=$2; shift 2 ;;
	--sizes) sizes=$2; shift 2 ;;
	--conc) concs=$2; shift 2 ;;
	--modes) modes=$2; shift 2 ;;
	--smoke) smoke=1; shift ;;
	-h|--help) sed -n '5,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "bench.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
case $kernel in deb612|deb61) ;; *) echo "bench.sh: --kernel deb612 or deb61 (release builds only)" >&2; exit 2 ;; esac
[[ $rounds =~ ^[1-9][0-9]*$ && $duration =~ ^[1-9][0-9]*$ ]] || { echo "bench.sh: --rounds/--duration must be positive integers" >&2; exit 2; }

if [[ $smoke == 1 ]]; then
	sizes=1024 concs=2 modes='keepalive close' rounds=1 duration=2
	out=$root/build/bench/smoke
	report=(--md "$out/benchmarks.md" --img "$out/img" --check)
else
	out=$root/build/bench/$kernel
	report=(--md "$root/docs/benchmarks.md" --img "$root/docs/img")
fi

t0=$SECONDS
tools/setup-host.sh
tools/build-module.sh "$kernel"

nruns=0
for _c in $concs; do for _m in $modes; do for _s in $sizes; do nruns=$((nruns + 3 * rounds)); done; done; done
# ~3 s of guest overhead per wrk run under TCG (more when other VMs share the CPUs), plus boot.
timeout=$((nruns * (duration + 6) + 600))
echo "bench.sh: $nruns wrk runs of ${duration}s on $kernel (VM timeout ${timeout}s), results in $out"
rm -rf "$out"
mkdir -p "$out"
rc=0
tools/vm/run.sh --kernel "$kernel" --mem 3072 --out "$out" --timeout "$timeout" -- \
	tools/bench/guest.sh --ko "build/kmod/$kernel/khttpd.ko" --sizes "$sizes" --conc "$concs" \
	--modes "$modes" --rounds "$rounds" --duration "$duration" > "$out/console.log" 2>&1 || rc=$?
grep -E '^(bench-guest|run.sh):' "$out/console.log" | tail -n 5
if [[ $rc != 0 ]]; then
	echo "bench.sh: the VM run failed (exit $rc); see $out/console.log" >&2
	grep -E 'ERROR|failed|KERNEL PROBLEMS' "$out/console.log" | head -n 20 >&2 || true
	exit 1
fi
{
	echo "vm=QEMU $(qemu-system-x86_64 --version | head -n1 | awk '{print $4}') TCG (-accel tcg,thread=multi), -smp 2, -m 3072, no NIC (loopback only)"
	echo "host_cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(nproc) cores"
	echo "git=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- src include sysctl Kbuild 2>/dev/null || echo '+dirty')"
	echo "khttpd_ko_sha256=$(sha256sum "build/kmod/$kernel/khttpd.ko" | cut -c1-16)"
	echo "run_wall_s=$((SECONDS - t0))"
	echo "command=tools/bench/bench.sh --kernel $kernel --rounds $rounds --duration $duration$( [[ $smoke == 1 ]] && echo ' --smoke')"
} >> "$out/settings.txt"
python3 tools/bench/report.py --results "$out" "${report[@]}"
echo "bench.sh: done in $((SECONDS - t0))s"
