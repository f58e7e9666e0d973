#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Builds the libFuzzer target (tests/fuzz/fuzz_request.cpp) with clang,
# ASan and UBSan into build/fuzz/, and runs it for a bounded time on the
# seed corpus (tests/fuzz/corpus/; new inputs go to build/fuzz/corpus/).
# Exits non-zero on a crash (the reproducer is left in build/fuzz/).
#
# Usage: tests/fuzz/run.sh [SECONDS]   (default 60)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
secs=${1:-60}
out=$root/build/fuzz
cxx=${CXX_FUZZ:-/usr/bin/clang++}
mkdir -p "$out/obj" "$out/corpus"

san=(-fsanitize=fuzzer,address,undefined,unsigned-integer-overflow
     -fno-sanitize-recover=all)
common=(-std=gnu++20 -O1 -g -fno-omit-frame-pointer -fno-exceptions -fno-rtti
	-Wall -Wextra -Werror -I"$root/include" -I"$root/src/core" -I"$root/tests/fake")

# The core and the fake as the module and the unit tests compile them:
# freestanding, no C++ library headers.
objs=()
for src in "$root"/src/core/*.cpp "$root/tests/fake/fake_kapi.cpp"; do
	obj=$out/obj/$(basename "${src%.cpp}").o
	"$cxx" "${common[@]}" "${san[@]/fuzzer,/fuzzer-no-link,}" -nostdinc++ -ffreestanding \
		-c "$src" -o "$obj"
	objs+=("$obj")
done
"$cxx" "${common[@]}" "${san[@]}" "${objs[@]}" "$root/tests/unit/host_alloc.cpp" \
	"$root/tests/fuzz/fuzz_request.cpp" -o "$out/fuzz_request"

log=$out/fuzz.log
set +e
(cd "$out" && UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	./fuzz_request -max_total_time="$secs" -max_len=4096 -print_final_stats=1 \
	-artifact_prefix="$out/" corpus "$root/tests/fuzz/corpus") > "$log" 2>&1
rc=$?
set -e
if [ $rc -ne 0 ]; then
	tail -n 60 "$log" >&2
	echo "fuzz: CRASH (exit $rc), see $log and $out/crash-*" >&2
	exit 1
fi
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
echo "fuzz: ${runs:-?} runs, no crash"
