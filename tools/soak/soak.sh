#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make soak: khttpd under hostile load for a long while, outside make check.
#   1. cycles: in the debug kernel (KASAN, lockdep, kmemleak), N cycles of
#      stop/start and rmmod/insmod while wrk, the hostile clients
#      (tests/vm/hostile_client.py soak: slowloris, floods against
#      max_connections_per_ip, stalled readers), hand-overs to Apache
#      through khttpd-fallbackd and a kill -9 of the daemon every 8 s all
#      run; kmemleak scans at the end;
#   2. load: MINUTES of the same mixed load, no restarts, with packet loss
#      and delay on lo (netem loss 1% delay 5ms). The debug kernel's
#      config (tools/vm/debug.config) has no traffic control (NET_SCHED,
#      NET_SCH_NETEM), so this phase runs on Debian's 6.12 (sch_netem.ko).
# Each phase is one VM (tools/vm/run.sh), failing if dmesg shows a warning,
# bug, sanitizer report or leak. The figures (requests served, errors,
# connections refused by limits, slab memory at start and end, dmesg) go
# to docs/soak.md unless --no-docs.
#
# Usage: tools/soak/soak.sh [--cycles N] [--minutes N] [--kernel K]
#                           [--load-kernel K] [--skip-cycles] [--skip-load]
#                           [--out DIR] [--no-docs]
#   defaults: 50 cycles on debug, 20 minutes on deb612, out build/soak
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
cycles=50 minutes=20 kernel=debug load_kernel=deb612 out=$root/build/soak docs=1
do_cycles=1 do_load=1
while [ $# -gt 0 ]; do
	case $1 in
	--cycles) cycles=${2:?}; shift 2 ;;
	--minutes) minutes=${2:?}; shift 2 ;;
	--kernel) kernel=${2:?}; shift 2 ;;
	--load-kernel) load_kernel=${2:?}; shift 2 ;;
	--skip-cycles) do_cycles=0; shift ;;
	--skip-load) do_load=0; shift ;;
	--out) out=${2:?}; shift 2 ;;
	--no-docs) docs=0; shift ;;
	-h|--help) sed -n '3,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "soak.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done
[[ $cycles =~ ^[0-9]+$ && $minutes =~ ^[0-9]+$ ]] || { echo "soak.sh: --cycles and --minutes take numbers" >&2; exit 2; }
mkdir -p "$out"
out=$(realpath "$out")
# The guest overlays /tmp with a tmpfs of its own: modules and results
# there would be invisible to it.
case $out/ in /tmp/*) echo "soak.sh: --out must not be under /tmp (the guest overlays it)" >&2; exit 2 ;; esac
daemon=build/bin/khttpd-fallbackd

echo "soak: building the daemon and the module"
make tools > "$out/tools-build.log" 2>&1 || { tail -n 20 "$out/tools-build.log"; echo "soak: make tools failed" >&2; exit 1; }
for k in $( ((do_cycles)) && echo "$kernel") $( ((do_load)) && echo "$load_kernel"); do
	tools/build-module.sh "$k" > "$out/build-$k.log" 2>&1 ||
		{ tail -n 20 "$out/build-$k.log"; echo "soak: module build for $k failed" >&2; exit 1; }
done

# vm PHASE KERNEL TIMEOUT ARGS...: one guest run; its verdict in $out/PHASE.verdict.
vm() {
	local phase=$1 k=$2 tmo=$3 rc=0
	shift 3
	echo "soak: $phase on $k (timeout ${tmo}s, log $out/$phase/console.log)"
	mkdir -p "$out/$phase"
	tools/vm/run.sh --kernel "$k" --out "$out/$phase" --timeout "$tmo" -- \
		tools/soak/guest.sh "$@" > "$out/$phase/console.log" 2>&1 || rc=$?
	case $rc in
	0) echo "clean" ;;
	3) echo "DIRTY: dmesg shows a warning, bug or leak" ;;
	124) echo "TIMEOUT" ;;
	125) echo "HARNESS FAILURE" ;;
	*) echo "script failed (exit $rc)" ;;
	esac > "$out/$phase.verdict"
	echo "soak: $phase: $(cat "$out/$phase.verdict"), $(grep -c '^ok - ' "$out/$phase/results.txt" 2> /dev/null) ok, $(grep -c '^not ok - ' "$out/$phase/results.txt" 2> /dev/null) not ok"
	grep '^not ok - ' "$out/$phase/results.txt" 2> /dev/null
	return $rc
}

status=0
if ((do_cycles)); then
	# ~75 s a cycle on a quiet host, twice that on a busy one; a real hang
	# is caught by the guest's watchdog (no step progress for 600 s).
	vm cycles "$kernel" $((900 + cycles * 180)) cycles "build/kmod/$kernel/khttpd.ko" "$daemon" "$cycles" || status=1
fi
if ((do_load)); then
	# sch_netem and what it needs, unpacked where the guest sees them.
	mods=$out/load-mods
	tools/vm/guest-mods.sh "$load_kernel" "$mods" sch_netem 2> /dev/null || true
	[ -s "$mods/order" ] || echo "soak: note: no sch_netem module for $load_kernel (built in?)"
	vm load "$load_kernel" $((900 + minutes * 60)) load "build/kmod/$load_kernel/khttpd.ko" "$daemon" "$minutes" "$mods" || status=1
fi

# fig PHASE KEY: a figure from the phase's figures.txt ("-" if none).
fig() { awk -v k="$2" '$1 == k { v = $2 } END { print (v == "" ? "-" : v) }' "$out/$1/figures.txt" 2> /dev/null || echo -; }
row() {
	local label=$1 key=$2
	printf '| %s | %s | %s |\n' "$label" "$( ((do_cycles)) && fig cycles "$key" || echo -)" \
		"$( ((do_load)) && fig load "$key" || echo -)"
}
report() {
	cat <<EOT
# Soak results

Written by \`make soak\` (\`tools/soak/soak.sh\`); run on $(date -u +%Y-%m-%d) at commit
$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src sysctl tools/fallbackd 2> /dev/null || echo ' (with uncommitted changes)').
What runs and why: [security.md](security.md#soak). Both phases in QEMU/TCG on
2 vCPUs: the load is what an emulated guest sustains, not what the
hardware would; the point is that nothing breaks, leaks or stays held.

| | cycles ($kernel, $cycles stop/start + rmmod/insmod) | load ($load_kernel, $minutes min, netem loss 1% delay 5ms) |
|---|---|---|
| VM verdict (dmesg) | $( ((do_cycles)) && cat "$out/cycles.verdict" || echo -) | $( ((do_load)) && cat "$out/load.verdict" || echo -) |
$(row "wall time (s)" cycle_seconds)
$(row "wrk requests" wrk_requests)
$(row "wrk socket errors (connect/read/write/timeout)" wrk_socket_errors)
$(row "wrk non-2xx answers" wrk_non_2xx)
$(row "requests answered by the kernel (stat_requests)" kernel_requests)
$(row "hand-overs to the daemon (stat_handovers)" kernel_handovers)
$(row "plain client, static file: 200" static_client_200)
$(row "plain client, static file: total" static_client_total)
$(row "plain client, hand-over: Apache 404" handover_client_404)
$(row "plain client, hand-over: 503 (no daemon)" handover_client_503)
$(row "plain client, hand-over: no answer (module away)" handover_client_000)
$(row "daemon kill -9" daemon_kills)
$(row "hostile rounds" hostile_rounds)
$(row "hostile connections opened" hostile_connections)
$(row "connections refused by limits (stat_refused_connections)" refused_by_limits)
$(row "Slab at start (kB)" slab_start_kb)
$(row "Slab at end, module unloaded (kB)" slab_end_kb)
$(row "SUnreclaim at start (kB)" sunreclaim_start_kb)
$(row "SUnreclaim at end (kB)" sunreclaim_end_kb)
$(row "kmemleak reports" kmemleak_reports)
$(row "dmesg lines with a warning/bug/report" dmesg_bad_lines)

Errors during the cycles are expected: every rmmod resets the connections
of that moment and refuses new ones until insmod and start. What must hold
is that every stop, rmmod, insmod and start succeeded, the server served
afterwards, and the kernel stayed clean (no KASAN, lockdep or kmemleak
report). Under netem, wrk's socket errors are timeouts of the lossy link.
EOT
}
if ((docs)); then
	report > docs/soak.md
	echo "soak: figures written to docs/soak.md"
fi
report > "$out/soak.md"
cat "$out/soak.md"
exit $status
