#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: khttpd vs Apache httpd vs nginx, measured with wrk inside one QEMU/TCG VM.
#
# Usage: tools/bench/bench.sh [--kernel deb612|deb61] [--rounds N] [--duration SEC]
#                             [--sizes "0 1024 ..."] [--conc "1 32 256"]
#                             [--modes "keepalive close"] [--placement "pinned shared"]
#                             [--no-log-cost] [--out DIR] [--smoke]
#                             [--servers "khttpd apache nginx floor"]
#                             [--workloads "zipf ka1000 ka10000 close256"]
#                             [--no-https | --https-only] [--https-placement "pinned shared"]
#
# Full run (default: deb612, 3 rounds of 5 s, 6 sizes x 2 modes x 3 concurrencies x
# 3 servers x 2 placements = 648 wrk runs, plus 24 for the access log's cost and 27 for the
# HTTPS leg; ~95 min):
# raw results in build/bench/KERNEL/, the report in docs/benchmarks.md and
# docs/img/bench-*.png.
# --placement: pinned = each server on vCPU 0 with one worker, wrk -t1 on vCPU 1 (the
# mode the targets are judged in); shared = servers and wrk on both vCPUs, wrk -t2 for
# c >= 2 (the old setup, kept to show the scheduling effect). Default: both.
# Log cost (on unless --no-log-cost): in the 1 KiB c=32 cells of each mode and placement
# two more servers take their turn: khttpd-log (logging=1, khttpd-fallbackd writing the
# access log) and nginx-log (nginx with a buffered access log); the others log nothing.
# --smoke: 1 KiB file, c=2, both modes and placements, log cost in keep-alive only,
# 1 round of 2 s (16 wrk runs); everything (report included) goes to build/bench/smoke/
# and docs/ is not touched. Exits 0 only if every server answered with the right bytes,
# every wrk run gave parseable numbers and the access logs hold every answer (make check).
# --servers: the servers measured (default all four). floor is the TCP floor
# (tools/bench/floor): a bench-only module answering every request with a prebuilt
# answer of the cell's size, the ceiling for any HTTP server on this TCP stack; the
# report gives khttpd as a fraction of it in every cell.
# --workloads (default all four; "" for none), after each placement's matrix: zipf
# (10,000 1 KiB files, Zipf-distributed paths, keep-alive c=32, with the open-file
# caches above and below the file count), ka1000 and ka10000 (keep-alive c=1,000 and
# c=10,000), close256 (connection per request, c=256). --smoke runs the floor in one
# cell (pinned keep-alive) and no workload.
# HTTPS leg (on unless --no-https; tools/bench/https.sh), before each placement's plain
# matrix, in the --https-placement placements (default pinned, where the targets are
# judged): khttpd (tls_port, handshakes in khttpd-fallbackd, kernel TLS), nginx (ssl,
# sendfile, ssl_conf_command Options KTLS: userspace TLS with Debian 12's OpenSSL) and
# Apache mod_ssl, one test certificate, TLS 1.3 TLS_AES_128_GCM_SHA256 for all; cells:
# 1 KiB keep-alive c=32, 4 MiB keep-alive c=8, handshakes (1 KiB, connection per request,
# c=32). --smoke: 1 KiB keep-alive c=2 for each server and the handshake cell at c=2 for
# khttpd (its daemon's handshakes), pinned, 2 s. Fails if a server's bytes over TLS are
# wrong or khttpd's tls_adopted does not rise in a run.
# --https-only: the HTTPS leg alone (no plain matrix, no log cost, no workload).
# --out DIR: results and report (DIR/benchmarks.md, DIR/img/) go to DIR, docs/ untouched
# (for reduced runs that should not replace the published figures).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
kernel=deb612 rounds=3 duration=5 smoke=0 logcost=1 outdir=''
sizes='0 1024 16384 262144 1048576 4194304' concs='1 32 256' modes='keepalive close'
placements='pinned shared' log_sizes=1024 log_concs=32 log_modes='keepalive close'
servers='khttpd apache nginx floor' workloads='zipf ka1000 ka10000 close256' floor_cells='*'
https=1 https_only=0 https_placements=pinned
# 4 MiB at c=8, not 32: an answer takes ~1 s over TLS under TCG, and the answers in
# flight when wrk stops are not counted; 8 keep that loss small and the server busy.
https_cells='https-ka:1024:keepalive:32 https-4m:4194304:keepalive:8 https-hs:1024:close:32'
while [[ $# -gt 0 ]]; do
	case $1 in
	--kernel) kernel=$2; shift 2 ;;
	--rounds) rounds=$2; shift 2 ;;
	--duration) duration=$2; shift 2 ;;
	--sizes) sizes=$2; shift 2 ;;
	--conc) concs=$2; shift 2 ;;
	--modes) modes=$2; shift 2 ;;
	--placement) placements=$2; shift 2 ;;
	--log-cost) logcost=1; shift ;;
	--no-log-cost) logcost=0; shift ;;
	--out) outdir=$2; shift 2 ;;
	--smoke) smoke=1; shift ;;
	--servers) servers=$2; shift 2 ;;
	--workloads) workloads=$2; shift 2 ;;
	--https) https=1; shift ;;
	--no-https) https=0; shift ;;
	--https-only) https=1 https_only=1; shift ;;
	--https-placement) https_placements=$2; shift 2 ;;
	-h|--help) sed -n '5,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "bench.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
case $kernel in deb612|deb61) ;; *) echo "bench.sh: --kernel deb612 or deb61 (release builds only)" >&2; exit 2 ;; esac
[[ $rounds =~ ^[1-9][0-9]*$ && $duration =~ ^[1-9][0-9]*$ ]] || { echo "bench.sh: --rounds/--duration must be positive integers" >&2; exit 2; }
for p in $placements; do
	[[ $p == pinned || $p == shared ]] || { echo "bench.sh: --placement takes pinned and/or shared" >&2; exit 2; }
done
[[ -n $placements ]] || { echo "bench.sh: --placement needs pinned and/or shared" >&2; exit 2; }

if [[ $smoke == 1 ]]; then
	sizes=1024 concs=2 modes='keepalive close' rounds=1 duration=2 placements='pinned shared'
	log_sizes=1024 log_concs=2 log_modes=keepalive
	# The floor once (its load, answer and unload), no workload: the smoke
	# run stays about as short as before.
	floor_cells='pinned/keepalive/*/*' workloads=''
	https_cells='https-ka:1024:keepalive:2 https-hs:1024:close:2:khttpd' https_placements=pinned
	out=$root/build/bench/smoke
	report=(--md "$out/benchmarks.md" --img "$out/img" --check)
elif [[ -n $outdir ]]; then
	mkdir -p "$outdir"
	out=$(cd "$outdir" && pwd)
	case $out in "$root"/build/*) ;; *) echo "bench.sh: --out must be under $root/build (the VM writes there)" >&2; exit 2 ;; esac
	# It is emptied below: only an empty directory or an earlier bench's.
	if [[ -n $(ls -A "$out") && ! -f $out/console.log ]]; then
		echo "bench.sh: --out $out is not empty and holds no earlier bench results" >&2
		exit 2
	fi
	report=(--md "$out/benchmarks.md" --img "$out/img")
else
	out=$root/build/bench/$kernel
	report=(--md "$root/docs/benchmarks.md" --img "$root/docs/img")
fi

if [[ $https_only == 1 ]]; then
	# No plain matrix: no log cost, no workload, no floor (it has no TLS).
	logcost=0 workloads='' servers=${servers/floor/} sizes='' concs='' modes=''
fi
t0=$SECONDS
tools/setup-host.sh
tools/build-module.sh "$kernel"
floor_args=()
if [[ " $servers " == *" floor "* ]]; then
	tools/bench/floor/build.sh "$kernel" > /dev/null
	floor_args=(--floor "build/floor/$kernel/khttpd_floor.ko" --floor-cells "$floor_cells")
fi
https_args=() nhttps=0
if [[ $https == 1 ]]; then
	make tools > /dev/null || { echo "bench.sh: make tools (khttpd-fallbackd) failed" >&2; exit 1; }
	tools/vm/tls-mods.sh "$kernel" "build/bench-tls-mods/$kernel" > /dev/null
	https_args=(--https-cells "$https_cells" --https-placement "$https_placements"
		--tls-daemon build/bin/khttpd-fallbackd --tls-mods "build/bench-tls-mods/$kernel")
	[[ $https_only == 1 ]] && https_args+=(--https-only)
	_hs=$(grep -owE 'khttpd|apache|nginx' <<< "$servers" | wc -l)
	for _c in $https_cells; do
		# WL:SIZE:MODE:CONC[:SERVER,...]: a cell for some servers only.
		_n=$_hs
		[[ $_c == *:*:*:*:* ]] && _n=$(tr , '\n' <<< "${_c##*:}" | wc -l)
		nhttps=$((nhttps + _n * rounds * $(wc -w <<< "$https_placements")))
	done
fi
daemon_args=()
if [[ $logcost == 1 ]]; then
	# khttpd-log needs the daemon that drains the kernel's access log.
	make tools > /dev/null || { echo "bench.sh: make tools (khttpd-fallbackd) failed" >&2; exit 1; }
	daemon_args=(--daemon build/bin/khttpd-fallbackd --log-sizes "$log_sizes" --log-conc "$log_concs"
		--log-modes "$log_modes")
fi

in_list() { local x; for x in $2; do [[ $x == "$1" ]] && return 0; done; return 1; }
nruns=0 nlogruns=0 nsrv=$(wc -w <<< "$servers")
nwl=$(wc -w <<< "$workloads")
[[ " $workloads " == *" zipf "* ]] && nwl=$((nwl + 1)) # two cache sizes
for _p in $placements; do
	nruns=$((nruns + nwl * nsrv * rounds))
	for _c in $concs; do for _m in $modes; do for _s in $sizes; do
	nruns=$((nruns + nsrv * rounds))
	if [[ $logcost == 1 ]] && in_list "$_s" "$log_sizes" && in_list "$_c" "$log_concs" && in_list "$_m" "$log_modes"; then
		nlogruns=$((nlogruns + 2 * rounds))
	fi
	done; done; done
done
[[ $logcost == 1 && $nlogruns == 0 ]] && echo "bench.sh: no log-cost cell in this matrix (they are size $log_sizes, c=$log_concs)"
# ~3 s of guest overhead per wrk run under TCG (more when other VMs share the CPUs), a few
# more for the access log's drain and count, plus boot and the servers' starts (~1 min
# each on a busy host); a c=10,000 run takes its connections' set-up and tear-down too,
# and zipf makes 10,000 files.
timeout=$(((nruns + nlogruns) * (duration + 6) + nlogruns * 10 + $(wc -w <<< "$placements") * 180 + 600))
[[ " $workloads " == *" ka10000 "* ]] && timeout=$((timeout + $(wc -w <<< "$placements") * nsrv * rounds * 60))
[[ " $workloads " == *" zipf "* ]] && timeout=$((timeout + 300))
[[ $https_only == 1 ]] && nruns=0 nlogruns=0
# The HTTPS leg: its runs, its servers' starts, the test CA.
timeout=$((timeout + nhttps * (duration + 10) + $(wc -w <<< "$https_placements") * 120))
nruns=$((nruns + nlogruns + nhttps))
echo "bench.sh: $nruns wrk runs of ${duration}s on $kernel (placements: $placements; VM timeout ${timeout}s), results in $out"
rm -rf "$out"
mkdir -p "$out"
rc=0
tools/vm/run.sh --kernel "$kernel" --mem 3072 --out "$out" --timeout "$timeout" -- \
	tools/bench/guest.sh --ko "build/kmod/$kernel/khttpd.ko" --sizes "$sizes" --conc "$concs" \
	--modes "$modes" --rounds "$rounds" --duration "$duration" --placement "$placements" \
	--servers "$servers" --workloads "$workloads" "${floor_args[@]}" \
	"${daemon_args[@]}" "${https_args[@]}" > "$out/console.log" 2>&1 || rc=$?
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
	[[ ${#floor_args[@]} -gt 0 ]] && echo "floor_ko_sha256=$(sha256sum "build/floor/$kernel/khttpd_floor.ko" | cut -c1-16)"
	echo "run_wall_s=$((SECONDS - t0))"
	if [[ $smoke == 1 ]]; then
		echo "command=tools/bench/bench.sh --kernel $kernel --smoke"
	else
		echo "command=tools/bench/bench.sh --kernel $kernel --rounds $rounds --duration $duration --sizes \"$sizes\" --conc \"$concs\" --modes \"$modes\" --placement \"$placements\" --servers \"$servers\" --workloads \"$workloads\"$( [[ $logcost == 0 ]] && echo ' --no-log-cost')$( [[ $https == 0 ]] && echo ' --no-https')$( [[ $https_only == 1 ]] && echo ' --https-only')$( [[ $https == 1 ]] && echo " --https-placement \"$https_placements\"")"
	fi
} >> "$out/settings.txt"
python3 tools/bench/report.py --results "$out" "${report[@]}"
echo "bench.sh: done in $((SECONDS - t0))s"
