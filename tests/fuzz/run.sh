#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Builds the libFuzzer targets with clang, ASan and UBSan into build/fuzz/
# (tests/fuzz/build.sh asan),
# and runs them for a bounded time in all, split between them:
#   fuzz_request (tests/fuzz/fuzz_request.cpp): seeds tests/fuzz/corpus/,
#     new inputs in build/fuzz/corpus/;
#   fuzz_mime (tests/fuzz/fuzz_mime.cpp, the mime.types parser): seeds
#     tests/fuzz/corpus_mime/, new inputs in build/fuzz/corpus_mime/.
# Exits non-zero on a crash (the reproducer is left in build/fuzz/).
#
# Usage: tests/fuzz/run.sh [SECONDS]   (default 60)
# The long campaign outside make check is tests/fuzz/campaign.sh (make fuzz).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
secs=${1:-60}
out=$root/build/fuzz
mkdir -p "$out/corpus" "$out/corpus_mime"
"$root/tests/fuzz/build.sh" asan "$out"

# run TARGET SECONDS MAX_LEN CORPUS SEEDS: runs one target; prints its runs.
run() {
	local target=$1 t=$2 max_len=$3 corpus=$4 seeds=$5 log=$out/$1.log rc
	set +e
	(cd "$out" && UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		"./$target" -max_total_time="$t" -max_len="$max_len" -print_final_stats=1 \
		-artifact_prefix="$out/" "$corpus" "$seeds") > "$log" 2>&1
	rc=$?
	set -e
	if [ $rc -ne 0 ]; then
		tail -n 60 "$log" >&2
		echo "fuzz: $target CRASH (exit $rc), see $log and $out/crash-*" >&2
		exit 1
	fi
	local runs
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	echo "fuzz: $target: ${runs:-?} runs in ${t}s, no crash" >&2
	echo "${runs:-?}"
}

# The request path gets the larger share of the time.
mime_secs=$((secs / 3))
[ "$mime_secs" -ge 1 ] || mime_secs=1
req_secs=$((secs - mime_secs))
[ "$req_secs" -ge 1 ] || req_secs=1
req_runs=$(run fuzz_request "$req_secs" 4096 corpus "$root/tests/fuzz/corpus")
mime_runs=$(run fuzz_mime "$mime_secs" 4096 corpus_mime "$root/tests/fuzz/corpus_mime")
echo "fuzz: ${req_runs} request + ${mime_runs} mime.types runs, no crash"
