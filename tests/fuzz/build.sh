#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Builds the libFuzzer targets (fuzz_request, fuzz_mime) with clang into
# OUTDIR, with one of three sanitizer sets:
#   asan   libFuzzer + ASan + UBSan (incl. unsigned overflow), -O1: every
#          memory error found at once; what make check's bounded run uses
#   ubsan  libFuzzer + UBSan (incl. unsigned overflow), -O2: no shadow
#          memory, several times the executions per second; out-of-bounds
#          accesses that stay inside a live allocation go unseen
#   plain  libFuzzer only, -O2: coverage and the targets' own invariants
# Usage: tests/fuzz/build.sh asan|ubsan|plain OUTDIR
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
variant=${1:?usage: build.sh asan|ubsan|plain OUTDIR}
out=${2:?usage: build.sh asan|ubsan|plain OUTDIR}
cxx=${CXX_FUZZ:-/usr/bin/clang++}
case $variant in
asan) san=(-fsanitize=fuzzer,address,undefined,unsigned-integer-overflow
	   -fno-sanitize-recover=all) opt=-O1 ;;
ubsan) san=(-fsanitize=fuzzer,undefined,unsigned-integer-overflow
	    -fno-sanitize-recover=all) opt=-O2 ;;
plain) san=(-fsanitize=fuzzer) opt=-O2 ;;
*) echo "build.sh: unknown variant '$variant' (asan, ubsan or plain)" >&2; exit 2 ;;
esac
mkdir -p "$out/obj"
common=(-std=gnu++20 "$opt" -g -fno-omit-frame-pointer -fno-exceptions -fno-rtti
	-Wall -Wextra -Werror -I"$root/include" -I"$root/include/uapi" -I"$root/src/core" -I"$root/tests/fake")

# The core and the fake as the module and the unit tests compile them:
# freestanding, no C++ library headers. The fake (the kernel's stand-in)
# gets the sanitizers but no coverage instrumentation: its coverage is
# not what is being explored, and tracing the byte loop that clears its
# 32 KiB output buffer took 70% of each execution.
nocov=()
for f in "${san[@]/fuzzer,/}"; do
	[ "$f" = -fsanitize=fuzzer ] || nocov+=("$f")
done
objs=()
for src in "$root"/src/core/*.cpp "$root/tests/fake/fake_kapi.cpp"; do
	obj=$out/obj/$(basename "${src%.cpp}").o
	flags=("${san[@]/fuzzer/fuzzer-no-link}")
	[[ $src == */fake_kapi.cpp ]] && flags=("${nocov[@]}")
	"$cxx" "${common[@]}" "${flags[@]}" -nostdinc++ -ffreestanding -c "$src" -o "$obj"
	objs+=("$obj")
done
for target in fuzz_request fuzz_mime; do
	"$cxx" "${common[@]}" "${san[@]}" "${objs[@]}" "$root/tests/unit/host_alloc.cpp" \
		"$root/tests/fuzz/$target.cpp" -o "$out/$target"
done
