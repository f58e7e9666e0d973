#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: every test of the project, ending with one summary line
# "N passed, N failed".
#
#  1. host unit tests of the C++ core (GoogleTest, ASan + UBSan) via ctest,
#     the hand-over daemon's host tests, and a bounded libFuzzer run
#  2. khttpd.ko built warning-free for Debian 6.1, Debian 6.12, debug
#  3. VM integration tests on each kernel (tests/vm/integration.sh) and
#     the hand-over to a real Apache through the daemon (tests/vm/handover.sh),
#     and hostile clients (tests/vm/hostile.sh: slowloris, floods beyond the
#     connection limits, stalled readers, source disclosure, open redirect,
#     capability-less root, relays never closed),
#     each run failing if the guest's dmesg shows a warning/bug/leak
#     and observability (tests/vm/observability_vm.sh: the access log's
#     rings and the daemon's text log, /proc/net/khttpd/status, the
#     tracepoints, khttpdctl, unloading with readers), one instance per
#     network namespace (tests/vm/netns.sh) and, on Debian 6.12, a farm
#     of them behind IPVS and keepalived (tests/vm/farm.sh), cold files
#     read off the worker (tests/vm/cold.sh: ext4 on a suspended disk),
#     HTTPS with handshakes in the daemon and kernel TLS (tests/vm/tls.sh;
#     tls.ko on the Debian kernels, built into the debug kernel),
#  4. khttpd.ko's KUnit suites in the debug kernel (the only one with KUnit)
#  5. a smoke run of the benchmark pipeline (make bench) on Debian 6.12
#  6. the Debian packages (tests/deb/deb_test.sh: make deb, lintian,
#     dpkg -i with DKMS building for 6.1 and 6.12, the installed unit's
#     commands in a VM, dpkg --purge)
#
# KHTTPD_KERNELS="deb612" limits the kernels (default: all three).
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
kernels=${KHTTPD_KERNELS:-deb61 deb612 debug}
out=$root/build/check
rm -rf "$out"
mkdir -p "$out"

passed=0
failed=0
failures=()
check_t0=$EPOCHSECONDS

# took WHAT T0: notes how long WHAT took since T0, for the time summary
# printed at the end (the debug chain's subshell appends to it too).
took() {
	echo "$(($EPOCHSECONDS - $2)) $1" >> "$out/times.txt"
}

ok() { passed=$((passed + 1)); echo "check: ok - $1"; }
not_ok() {
	failed=$((failed + 1))
	failures+=("$1")
	echo "check: not ok - $1"
}

# count_results NAME FILE: adds the ok / not ok lines of a results file.
count_results() {
	local prefix=$1 file=$2 line
	[ -f "$file" ] || return 0
	while IFS= read -r line; do
		case $line in
		"ok - "*) ok "$prefix: ${line#ok - }" ;;
		"not ok - "*) not_ok "$prefix: ${line#not ok - }" ;;
		esac
	done < "$file"
}

# vm_run NAME KERNEL SCRIPT ARGS...: runs a guest script, counts its
# results and whether the guest's dmesg stayed clean.
vm_run() {
	local name=$1 kernel=$2
	shift 2
	local dir=$out/$name-$kernel rc=0
	mkdir -p "$dir"
	echo "check: === $name on $kernel ==="
	local opts=()
	[ "$name" = kunit ] && opts=(--kunit) # KUnit runs only in its own VM
	# The debug kernel's guest shares the host with the other chain's
	# (below): a third more time than when it ran alone.
	local tmo=1500
	[ "$kernel" = debug ] && tmo=3000
	local t0=$EPOCHSECONDS
	tools/vm/run.sh --kernel "$kernel" --out "$dir" --timeout "$tmo" "${opts[@]}" -- "$@" \
		> "$dir/console.log" 2>&1 || rc=$?
	took "$kernel $name" "$t0"
	count_results "$kernel $name" "$dir/results.txt"
	case $rc in
	0) ok "$kernel $name: guest script passed, dmesg clean" ;;
	3) not_ok "$kernel $name: dmesg shows a kernel warning/bug/leak (see $dir)"
	   grep -A30 -i 'dmesg' "$dir/console.log" | tail -n 40 ;;
	124) not_ok "$kernel $name: timed out (see $dir/console.log)"
	     grep -E '^# .*: (start|took)' "$dir/console.log" | tail -n 20
	     tail -n 15 "$dir/console.log" ;;
	125) not_ok "$kernel $name: VM harness failed (see $dir/console.log)"
	     tail -n 30 "$dir/console.log" ;;
	*) not_ok "$kernel $name: guest script exited $rc" ;;
	esac
}

echo "check: setting up the host"
if ! tools/setup-host.sh > "$out/setup.log" 2>&1; then
	cat "$out/setup.log"
	echo "check: host set-up failed"
	echo "0 passed, 1 failed"
	exit 1
fi

# ctest_run NAME SRC BUILD [CMAKE ARGS...]: configures, builds and runs a
# CMake/CTest project, adding its test counts to the totals.
ctest_run() {
	local name=$1 src=$2 bld=$3 log=$out/${1// /-}
	shift 3
	if ! { cmake -S "$src" -B "$bld" "$@" && cmake --build "$bld" -j"$(nproc)"; } \
		> "$log-build.log" 2>&1; then
		tail -n 40 "$log-build.log"
		not_ok "$name: build failed"
		return
	fi
	ctest --test-dir "$bld" --output-on-failure -j"$(nproc)" > "$log.log" 2>&1
	local summary total bad
	summary=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$log.log" | tail -n 1)
	if [ -z "$summary" ]; then
		tail -n 30 "$log.log"
		not_ok "$name: ctest gave no summary"
		return
	fi
	echo "check: ctest ($name): $summary"
	total=$(echo "$summary" | sed -E 's/.*out of ([0-9]+).*/\1/')
	bad=$(echo "$summary" | sed -E 's/.* ([0-9]+) tests? failed.*/\1/')
	passed=$((passed + total - bad))
	failed=$((failed + bad))
	[ "$bad" -eq 0 ] || { grep -E '^\s*[0-9]+ - |Failed' "$log.log"; failures+=("$bad $name"); }
}

daemon=build/bin/khttpd-fallbackd

# kernel_chain K: builds khttpd.ko for K and runs its VMs.
kernel_chain() {
	local k=$1 chain_t0=$EPOCHSECONDS
	kernel_chain_steps "$k"
	took "$k chain" "$chain_t0"
}

kernel_chain_steps() {
	local k=$1
	echo "check: === module build for $k ==="
	if tools/build-module.sh "$k" > "$out/build-$k.log" 2>&1; then
		ok "$k: khttpd.ko builds without warnings"
	else
		tail -n 40 "$out/build-$k.log"
		not_ok "$k: khttpd.ko build"
		return
	fi
	local ko=build/kmod/$k/khttpd.ko
	# veth for the per-namespace test (none on the debug kernel: built in).
	local netns_mods=build/netns-mods/$k
	if ! tools/vm/guest-mods.sh "$k" "$netns_mods" veth > "$out/netns-mods-$k.log" 2>&1; then
		cat "$out/netns-mods-$k.log"
		not_ok "$k: the guest's veth module"
	fi
	if [ "$k" = debug ]; then
		# A debug VM costs minutes besides its script (boot, and
		# kmemleak's scans of all memory at the end): the shorter
		# scripts share VMs. Live reload runs its memory-safety half.
		vm_run integration1 "$k" tests/vm/integration.sh "$ko" 1
		vm_run integration2 "$k" tests/vm/integration.sh "$ko" 2
		if [ -x "$daemon" ]; then
			vm_run reload-handover-netns "$k" tests/vm/sequence.sh \
				reload tests/vm/reload.sh "$ko" quick :: \
				handover tests/vm/handover.sh "$ko" "$daemon" :: \
				netns tests/vm/netns.sh "$ko" "$netns_mods" build/bin/khttpdctl
			# HTTPS: tls.ko is built in (an empty order file).
			local tls=()
			if tools/vm/tls-mods.sh "$k" build/tls-mods/$k \
				> "$out/tls-mods-$k.log" 2>&1; then
				tls=(:: tls tests/vm/tls.sh "$ko" "$daemon" build/tls-mods/$k)
			else
				cat "$out/tls-mods-$k.log"
				not_ok "$k: kernel TLS (tls, gcm, chacha20poly1305) is not built in"
			fi
			vm_run hostile-observability-tls "$k" tests/vm/sequence.sh \
				hostile tests/vm/hostile.sh "$ko" "$daemon" :: \
				observability tests/vm/observability_vm.sh "$ko" "$daemon" \
				build/bin/khttpdctl "${tls[@]}"
		else
			vm_run reload-netns "$k" tests/vm/sequence.sh \
				reload tests/vm/reload.sh "$ko" quick :: \
				netns tests/vm/netns.sh "$ko" "$netns_mods" build/bin/khttpdctl
		fi
	else
		# Two VMs for the integration test, so that a failure shows
		# sooner and each is well inside vm_run's timeout.
		vm_run integration1 "$k" tests/vm/integration.sh "$ko" 1
		vm_run integration2 "$k" tests/vm/integration.sh "$ko" 2
		# Live reload under load.
		vm_run reload "$k" tests/vm/reload.sh "$ko"
		# One instance per network namespace.
		vm_run netns "$k" tests/vm/netns.sh "$ko" "$netns_mods" build/bin/khttpdctl
		# Cold files read off the worker, on ext4 over a device that
		# dmsetup suspends (the debug kernel has no block layer; there
		# integration's tmpfs holes take the same path).
		if tools/vm/guest-mods.sh "$k" build/cold-mods/$k loop dm_mod ext4 \
			> "$out/cold-mods-$k.log" 2>&1; then
			vm_run cold "$k" tests/vm/cold.sh "$ko" build/cold-mods/$k
		else
			cat "$out/cold-mods-$k.log"
			not_ok "$k: the cold-file test's guest modules (loop, dm-mod, ext4)"
		fi
		if [ -x "$daemon" ]; then
			vm_run handover "$k" tests/vm/handover.sh "$ko" "$daemon"
			vm_run hostile "$k" tests/vm/hostile.sh "$ko" "$daemon"
			vm_run observability "$k" tests/vm/observability_vm.sh "$ko" \
				"$daemon" build/bin/khttpdctl
			# HTTPS: handshakes in the daemon, kernel TLS (tls.ko).
			if tools/vm/tls-mods.sh "$k" build/tls-mods/$k \
				> "$out/tls-mods-$k.log" 2>&1; then
				vm_run tls "$k" tests/vm/tls.sh "$ko" "$daemon" build/tls-mods/$k
			else
				cat "$out/tls-mods-$k.log"
				not_ok "$k: the TLS test's guest module (tls)"
			fi
		fi
	fi
	if [ "$k" = deb612 ] && [ -x build/bin/khttpdctl ]; then
		# khttpdctl apply/reload against the real module (the package
		# test runs the unit's ExecReload too).
		vm_run ctl-reload "$k" tests/khttpdctl/vm_reload.sh "build/kmod/$k/khttpd.ko" \
			build/bin/khttpdctl
	fi
	if [ "$k" = deb612 ] && [ -x "$daemon" ]; then
		# A farm of three namespaces' instances behind IPVS and
		# keepalived (one kernel is enough: the module's side is
		# netns's test; this one is the deployment).
		if tools/vm/guest-mods.sh "$k" build/farm-mods/$k veth bridge ip_vs ip_vs_rr \
			nf_conntrack > "$out/farm-mods.log" 2>&1; then
			vm_run farm "$k" tests/vm/farm.sh "$ko" build/farm-mods/$k "$daemon"
		else
			cat "$out/farm-mods.log"
			not_ok "$k: the farm's guest modules (veth, bridge, ip_vs)"
		fi
	fi
	if [ "$k" = deb612 ]; then
		# The benchmark pipeline end to end, tiny: no timing is judged.
		echo "check: === benchmark smoke run on $k ==="
		local t0=$EPOCHSECONDS rc=0
		tools/bench/bench.sh --kernel "$k" --smoke > "$out/bench-smoke.log" 2>&1 || rc=$?
		took "$k bench smoke" "$t0"
		if [ "$rc" -eq 0 ]; then
			ok "$k: benchmark smoke run (khttpd, Apache, nginx answered; wrk parsed)"
		else
			tail -n 30 "$out/bench-smoke.log"
			not_ok "$k: benchmark smoke run (see $out/bench-smoke.log)"
		fi
	fi
	if [ "$k" = debug ]; then
		# The same khttpd.ko: on this kernel it carries its KUnit suites.
		vm_run kunit "$k" tests/vm/kunit.sh "build/kmod/$k/khttpd.ko"
	fi
}

# The debug kernel's guest has one vCPU, so its chain (the longest, KASAN
# and lockdep make it slow) leaves one of the host's two cores idle: it
# runs beside the other kernels' chains, its lines collected in a log and
# counted at the end. It waits for the daemon and khttpdctl (make tools).
serial_kernels=$kernels
if [[ " $kernels " == *" debug "* && $(echo $kernels | wc -w) -gt 1 ]]; then
	serial_kernels=$(echo " $kernels " | sed 's/ debug / /')
	(
		t0=$EPOCHSECONDS
		tools/vm/kernel.sh kdir debug > "$out/debug-kernel.log" 2>&1
		took "debug kernel build" "$t0"
		while [ ! -e "$out/.tools-built" ]; do sleep 5; done
		kernel_chain debug
	) > "$out/chain-debug.log" 2>&1 &
	debug_chain=$!
	echo "check: the debug kernel's chain runs beside the others (log: $out/chain-debug.log)"
fi

echo "check: === host unit tests ==="
ctest_run "host unit tests" tests/unit build/unit -DCMAKE_BUILD_TYPE=Debug

echo "check: === hand-over daemon host tests ==="
# tests/fallbackd is a project of its own; it builds the daemon from
# tools/fallbackd. A build directory configured from tools/fallbackd (as
# before) cannot be reused.
grep -qs '^CMAKE_HOME_DIRECTORY:INTERNAL=.*/tools/fallbackd$' build/fallbackd-test/CMakeCache.txt &&
	rm -rf build/fallbackd-test
ctest_run "daemon tests" tests/fallbackd build/fallbackd-test -DCMAKE_BUILD_TYPE=Debug -DKHTTPD_SANITIZE=ON

echo "check: === khttpdctl host tests ==="
ctest_run "khttpdctl tests" tests/khttpdctl build/khttpdctl-test -DCMAKE_BUILD_TYPE=Debug -DKHTTPD_SANITIZE=ON

echo "check: === fuzzing the request path (bounded) ==="
if tests/fuzz/run.sh "${KHTTPD_FUZZ_SECONDS:-30}" > "$out/fuzz.log" 2>&1; then
	ok "$(grep -E '^fuzz:' "$out/fuzz.log" | tail -n 1)"
else
	tail -n 40 "$out/fuzz.log"
	not_ok "fuzz: the request-path fuzzer failed (see $out/fuzz.log)"
fi

echo "check: === hand-over daemon build (make tools) ==="
if make tools > "$out/tools-build.log" 2>&1 && [ -x "$daemon" ]; then
	ok "khttpd-fallbackd builds"
else
	tail -n 30 "$out/tools-build.log"
	not_ok "khttpd-fallbackd build (see $out/tools-build.log)"
fi
touch "$out/.tools-built"

took "host tests, fuzzing, tools" "$check_t0"

deb_t0=$EPOCHSECONDS
echo "check: === Debian packages (make deb, dpkg -i, DKMS for 6.1 and 6.12, VM, purge) ==="
if ! tests/deb/deb_test.sh > "$out/deb.log" 2>&1; then
	tail -n 30 "$out/deb.log"
fi
count_results deb build/deb-test/results.txt
took "Debian packages" "$deb_t0"

for k in $serial_kernels; do
	kernel_chain "$k"
done

if [ -n "${debug_chain:-}" ]; then
	echo "check: === waiting for the debug kernel's chain ==="
	wait "$debug_chain"
	cat "$out/chain-debug.log"
	while IFS= read -r line; do
		case $line in
		"check: ok - "*) passed=$((passed + 1)) ;;
		"check: not ok - "*) failed=$((failed + 1)); failures+=("${line#check: not ok - }") ;;
		esac
	done < "$out/chain-debug.log"
fi

took "make check" "$check_t0"

echo
# Where the time went, slowest first: on CI only the last lines show.
echo "check: times (s): $(sort -rn "$out/times.txt" | head -n 12 | awk '{t=$1; $1=""; printf "%s%s %d", sep, substr($0,2), t; sep=", "}')"
if [ "$failed" -ne 0 ]; then
	echo "check: FAILED:"
	printf '  %s\n' "${failures[@]}"
fi
echo "check: logs in $out"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
