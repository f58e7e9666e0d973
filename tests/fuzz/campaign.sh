#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The long fuzzing campaign (make fuzz), outside make check: runs the
# request-path fuzzer (fuzz_request) and the mime.types parser fuzzer
# (fuzz_mime) for SECONDS each, then merges the inputs that reached new
# coverage back into the corpus kept in the tree (tests/fuzz/corpus,
# tests/fuzz/corpus_mime; libFuzzer -merge=1 adds only inputs with new
# coverage, so the tree's corpus grows but stays small).
#
# The working corpus lives in build/fuzz-campaign/VARIANT/ and is kept
# between runs, so a campaign can be continued. Crash reproducers go to
# build/fuzz-campaign/VARIANT/crash-*; the run stops at the first one.
#
# Usage: tests/fuzz/campaign.sh [SECONDS] [--sanitize asan|ubsan|plain] [--no-merge]
#   SECONDS     per target (default 600)
#   --sanitize  build (tests/fuzz/build.sh); default ubsan: about 4x the
#               executions per second of asan here (docs/testing.md)
#   --no-merge  leave the tree's corpus alone
# Prints, per target: executions, executions per second, crashes, inputs
# merged into the tree; the last line sums it up.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
secs=600 variant=ubsan merge=1
while [ $# -gt 0 ]; do
	case $1 in
	--sanitize) variant=${2:?--sanitize needs asan, ubsan or plain}; shift 2 ;;
	--no-merge) merge=0; shift ;;
	-h|--help) sed -n '3,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	[0-9]*) secs=$1; shift ;;
	*) echo "campaign.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done
[[ $secs =~ ^[0-9]+$ && $secs -gt 0 ]] || { echo "campaign.sh: SECONDS must be a positive number" >&2; exit 2; }

out=$root/build/fuzz-campaign/$variant
mkdir -p "$out"
echo "fuzz: building ($variant) into $out"
"$root/tests/fuzz/build.sh" "$variant" "$out"

total=0 crashes=0 summary=()

# merge_into TARGET TREE WORK: TREE becomes its named seeds (hand-written,
# e.g. ae_qvalues) plus the smallest set of inputs, from TREE and WORK,
# that covers every edge both reach (libFuzzer -merge=1 -use_counters=0
# into an empty
# directory). Inputs named by their SHA-1 that add nothing are dropped, so
# the corpus in the tree grows only with coverage.
merge_into() {
	local target=$1 tree=$2 work=$3 min=$out/merge_$1 f sum
	rm -rf "$min"
	mkdir -p "$min"
	if ! (cd "$out" && "./$target" -merge=1 -use_counters=0 -max_len=4096 "$min" "$tree" "$work") \
		> "$out/$target.merge.log" 2>&1; then
		tail -n 20 "$out/$target.merge.log"
		echo "fuzz: $target: merge failed, corpus left as it was"
		return
	fi
	declare -A seed=()
	for f in "$tree"/*; do
		[[ $(basename "$f") =~ ^[0-9a-f]{40}$ ]] && continue
		seed[$(sha1sum < "$f" | cut -d' ' -f1)]=1
	done
	for f in "$tree"/*; do
		[[ $(basename "$f") =~ ^[0-9a-f]{40}$ ]] && rm -f "$f"
	done
	for f in "$min"/*; do
		sum=$(basename "$f")
		[ -n "${seed[$sum]:-}" ] || cp "$f" "$tree/$sum"
	done
}
# campaign TARGET TREE_CORPUS: runs TARGET for $secs, merges into TREE_CORPUS.
campaign() {
	local target=$1 tree=$2 work=$out/corpus_$1 log=$out/$1.log rc runs rate before after
	mkdir -p "$work"
	echo "fuzz: $target for ${secs}s (log $log)"
	set +e
	(cd "$out" && UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		"./$target" -max_total_time="$secs" -max_len=4096 -print_final_stats=1 \
		-artifact_prefix="$out/" "$work" "$tree") > "$log" 2>&1
	rc=$?
	set -e
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	runs=${runs:-0}
	total=$((total + runs))
	if [ $rc -ne 0 ]; then
		crashes=$((crashes + 1))
		tail -n 40 "$log"
		echo "fuzz: $target: CRASH after $runs executions (exit $rc); reproducer: $(ls -t "$out"/crash-* "$out"/leak-* "$out"/timeout-* "$out"/oom-* 2> /dev/null | head -n 1)"
		echo "fuzz: reproduce with $out/$target FILE"
		summary+=("$target: CRASH after $runs executions")
		return
	fi
	before=$(find "$tree" -type f | wc -l)
	[ $merge = 1 ] && merge_into "$target" "$tree" "$work"
	after=$(find "$tree" -type f | wc -l)
	echo "fuzz: $target: $runs executions in ${secs}s (${rate:-?}/s), 0 crashes, corpus $before -> $after inputs"
	summary+=("$target: $runs executions (${rate:-?}/s), 0 crashes, corpus $before -> $after inputs")
}

campaign fuzz_request "$root/tests/fuzz/corpus"
[ $crashes = 0 ] && campaign fuzz_mime "$root/tests/fuzz/corpus_mime"

# What a faster build found gets ASan's eye too: every input of the tree's
# corpus once through the ASan build (make check's bounded run starts from
# the same corpus, under ASan, every time).
if [ $crashes = 0 ] && [ "$variant" != asan ]; then
	echo "fuzz: replaying the corpus under ASan + UBSan"
	"$root/tests/fuzz/build.sh" asan "$out/../asan"
	for t in fuzz_request:corpus fuzz_mime:corpus_mime; do
		if ! (cd "$out/../asan" && "./${t%%:*}" -runs=0 -max_len=4096 \
			-artifact_prefix="$out/../asan/" "$root/tests/fuzz/${t#*:}") \
			> "$out/replay-${t%%:*}.log" 2>&1; then
			crashes=$((crashes + 1))
			tail -n 40 "$out/replay-${t%%:*}.log"
			summary+=("${t%%:*}: CRASH when replayed under ASan")
		fi
	done
fi
echo "fuzz: $(IFS=';'; echo "${summary[*]}")"
echo "fuzz: $total executions, $crashes crashes ($variant build, ${secs}s per target)"
[ $crashes = 0 ]
