#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Builds the benchmark's TCP floor module (khttpd_floor.ko) for one of the
# benchmark's kernels into build/floor/NAME/, as tools/build-module.sh builds
# khttpd: a copy of the sources per kernel (kbuild's M= writes objects next
# to them), and any compiler or modpost warning fails the build.
#
# Usage: tools/bench/floor/build.sh deb61|deb612|debug
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
name=${1:?usage: build.sh deb61|deb612|debug}
kdir=$("$root/tools/vm/kernel.sh" kdir "$name")
dst=$root/build/floor/$name

mkdir -p "$dst"
cp -p "$here/Kbuild" "$here/floor.c" "$dst/"
if ! make -C "$kdir" M="$dst" modules > "$dst/build.log" 2>&1; then
	cat "$dst/build.log" >&2
	echo "floor/build.sh: build for $name FAILED" >&2
	exit 1
fi
if grep -E -i 'warning:|error:' "$dst/build.log" >&2; then
	echo "floor/build.sh: build for $name has warnings (treated as errors)" >&2
	exit 1
fi
echo "$dst/khttpd_floor.ko"
