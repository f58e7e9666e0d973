#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest-side: runs several guest test scripts one after the other in one
# VM, as if each had its VM. On the debug kernel a VM costs minutes besides
# its script (the boot, and kmemleak's two scans of all memory at the end),
# so make check runs its shorter scripts there in one VM.
#
# Usage (inside the test VM): sequence.sh NAME SCRIPT [ARGS...] [:: NAME SCRIPT [ARGS...]]...
#
# Each part runs with its own $KHTTPD_OUT ($KHTTPD_OUT/NAME), so its files
# stay apart; its results are copied to this run's results file as
# "NAME: ...". A part that exits non-zero, or leaves khttpd.ko loaded or a
# process of its own running, fails, and the next part runs all the same
# (after khttpd.ko is unloaded). Exits 0 if every part passed.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"

# run_part NAME SCRIPT [ARGS...]
run_part() {
	local name=$1 rc=0 line left
	shift
	local dir=$KHTTPD_OUT/$name
	mkdir -p "$dir"
	echo "# part $name: start at ${EPOCHSECONDS}"
	KHTTPD_OUT=$dir bash "$@" || rc=$?
	while IFS= read -r line; do
		case $line in
		"ok - "*) echo "ok - $name: ${line#ok - }" >> "$KHTTPD_RESULTS"; T_PASS=$((T_PASS + 1)) ;;
		"not ok - "*) echo "not ok - $name: ${line#not ok - }" >> "$KHTTPD_RESULTS"; T_FAIL=$((T_FAIL + 1)) ;;
		esac
	done < "$dir/results.txt"
	expect_eq "$name: guest script exit status" 0 "$rc"
	if grep -qw '^khttpd' /proc/modules; then
		fail "$name: left khttpd.ko loaded"
		rmmod khttpd
	fi
	# What a part started and did not stop would change the next one.
	left=$(ps -e -o pid=,comm= | awk '$2 ~ /^(khttpd-fallback|apache2|nginx|wrk|curl|python3)/' |
		tr -s ' ' | paste -sd, -)
	expect_eq "$name: no process of its own left running" "" "$left"
}

part=()
while [ $# -gt 0 ]; do
	if [ "$1" = :: ]; then
		[ ${#part[@]} -ge 2 ] && run_part "${part[@]}"
		part=()
	else
		part+=("$1")
	fi
	shift
done
[ ${#part[@]} -ge 2 ] && run_part "${part[@]}"
summary
