#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Profiles khttpd's request path, two ways:
#
#   tools/bench/profile.sh core [--requests N] [--size BYTES] [--mode keepalive|close]
#       On the host: builds tools/bench/profile_core.cpp with the C++ core and
#       the fake kapi (-O2, as the module), runs it under valgrind's callgrind
#       and prints the core's instructions per request, by function. The
#       per-request total is the difference of a run of 2N and one of N
#       requests divided by N, so set-up costs drop out. Output in
#       build/profile/core-MODE-SIZE/ (callgrind.out.*, report.txt).
#
#   tools/bench/profile.sh kernel [--kernel deb612|deb61] [--server khttpd|nginx|apache|floor]
#                                 [--size BYTES] [--mode keepalive|close] [--conc N]
#                                 [--duration SEC] [--placement shared|pinned]
#       In a VM (tools/bench/profile-guest.sh): drives the server with wrk
#       and reports, per request: guest CPU time and wrk's share of it; events
#       counted with perf stat (syscalls, context switches, wake-ups,
#       softirqs, slab/page allocations, packets); and calls and time per
#       call of khttpd's and the kernel's request-path functions from the
#       function_graph tracer. Output: build/profile/kernel-SERVER-MODE-SIZE-cN[-pinned]/
#       profile.txt. --placement pinned: the benchmark's pinned placement (the
#       server on vCPU 0 with one worker, wrk on vCPU 1); --server floor: the
#       TCP floor (tools/bench/floor) in the same cell, to set beside khttpd's. (Sampling does not work under TCG: no hardware counters,
#       and perf's cpu-clock samples only the idle task.)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
what=${1:-}
[[ $what == core || $what == kernel ]] || {
	sed -n '3,24p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
	exit 2
}
shift
requests=20000 size=1024 mode=keepalive kernel=deb612 server=khttpd conc=32 duration=10
placement=shared
while [[ $# -gt 0 ]]; do
	case $1 in
	--requests) requests=$2; shift 2 ;;
	--size) size=$2; shift 2 ;;
	--mode) mode=$2; shift 2 ;;
	--kernel) kernel=$2; shift 2 ;;
	--server) server=$2; shift 2 ;;
	--conc) conc=$2; shift 2 ;;
	--duration) duration=$2; shift 2 ;;
	--placement) placement=$2; shift 2 ;;
	*) echo "profile.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
case $mode in keepalive|close) ;; *) echo "profile.sh: --mode keepalive or close" >&2; exit 2 ;; esac

profile_core() {
	local out=$root/build/profile/core-$mode-$size obj=$root/build/profile/obj
	mkdir -p "$out" "$obj"
	command -v valgrind > /dev/null || { echo "profile.sh: apt install valgrind" >&2; exit 1; }
	local flags=(-std=gnu++20 -O2 -g -fno-exceptions -fno-rtti -Wall -Wextra -Werror
		     -I"$root/include" -I"$root/include/uapi" -I"$root/src/core" -I"$root/tests/fake")
	local objs=() src o
	for src in "$root"/src/core/*.cpp "$root/tests/fake/fake_kapi.cpp"; do
		o=$obj/$(basename "${src%.cpp}").o
		g++ "${flags[@]}" -nostdinc++ -ffreestanding -c "$src" -o "$o"
		objs+=("$o")
	done
	g++ "${flags[@]}" "$root/tools/bench/profile_core.cpp" "$root/tests/unit/host_alloc.cpp" \
		"${objs[@]}" -o "$obj/profile_core"

	local n
	for n in "$requests" $((2 * requests)); do
		valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.out.$n" \
			"$obj/profile_core" "$n" "$size" "$mode" > "$out/run-$n.log" 2>&1 || {
			cat "$out/run-$n.log" >&2
			exit 1
		}
	done
	local big=$out/callgrind.out.$((2 * requests))
	callgrind_annotate --threshold=100 "$big" > "$out/annotate.txt"
	python3 - "$out" "$requests" "$size" "$mode" > "$out/report.txt" <<'EOF'
import re, sys
out, n, size, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]

def total(path):
    for line in open(path):
        if line.startswith("totals:") or line.startswith("summary:"):
            return int(line.split()[1])
    raise SystemExit(f"no totals in {path}")

per_req = (total(f"{out}/callgrind.out.{2 * n}") - total(f"{out}/callgrind.out.{n}")) / n
# Self cost per function of the 2N run, grouped: the core, the fake kapi, the rest.
rows = []
for line in open(f"{out}/annotate.txt"):
    m = re.match(r"\s*([\d,]+)\s+(?:\([^)]*\)\s+)?(\S+?):(.*?)(?:\s+\[.*\])?$", line)
    if not m:
        continue
    ir = int(m.group(1).replace(",", ""))
    rows.append((ir, m.group(2), m.group(3).strip()))
groups = {"core (src/core)": 0, "fake kapi (tests/fake, host only)": 0, "other": 0}
core_rows = []
for ir, f, fn in rows:
    if f.startswith("src/core/") or "/src/core/" in f:
        groups["core (src/core)"] += ir
        core_rows.append((ir, f.split("src/core/")[1], fn))
    elif f.startswith("tests/fake/") or "/tests/fake/" in f:
        groups["fake kapi (tests/fake, host only)"] += ir
    else:
        groups["other"] += ir
reqs = 2 * n
print(f"khttpd core profile: {mode}, {size}-byte file, callgrind instruction counts")
print(f"instructions per request, everything (2N run - N run) / N: {per_req:,.0f}")
for g, ir in groups.items():
    print(f"  {g:40s} {ir / reqs:10,.0f} per request")
print()
print("core functions, self instructions per request (2N run):")
for ir, f, fn in sorted(core_rows, reverse=True)[:25]:
    print(f"  {ir / reqs:10,.1f}  {f}: {fn}")
EOF
	cat "$out/report.txt"
	echo "profile.sh: callgrind data in $out (callgrind_annotate --inclusive=yes $big)"
}

profile_kernel() {
	local out=$root/build/profile/kernel-$server-$mode-$size-c$conc floor=()
	[[ $placement == pinned ]] && out+=-pinned
	tools/setup-host.sh
	tools/build-module.sh "$kernel"
	if [[ $server == floor ]]; then
		tools/bench/floor/build.sh "$kernel" > /dev/null
		floor=(--floor "build/floor/$kernel/khttpd_floor.ko")
	fi
	rm -rf "$out"
	mkdir -p "$out"
	local rc=0
	tools/vm/run.sh --kernel "$kernel" --mem 3072 --out "$out" --timeout 1800 -- \
		tools/bench/profile-guest.sh --ko "build/kmod/$kernel/khttpd.ko" --server "$server" \
		--size "$size" --mode "$mode" --conc "$conc" --duration "$duration" \
		--placement "$placement" "${floor[@]}" \
		> "$out/console.log" 2>&1 || rc=$?
	grep -E '^(profile-guest|run.sh):' "$out/console.log" | tail -n 5
	[[ $rc == 0 ]] || { echo "profile.sh: VM run failed (exit $rc), see $out/console.log" >&2; exit 1; }
	echo "profile.sh: report in $out/profile.txt:"
	cat "$out/profile.txt"
}

"profile_$what"
