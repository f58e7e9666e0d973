#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build khttpd.ko (with its KUnit suites on a kernel with KUnit) for one
# of the target kernels into build/kmod/NAME/. Any compiler, modpost or
# objtool warning fails the build.
#
# Usage: tools/build-module.sh deb61|deb612|debug
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
name=${1:?usage: build-module.sh deb61|deb612|debug}
kdir=$("$root/tools/vm/kernel.sh" kdir "$name")
dst=$root/build/kmod/$name

# kbuild's M= puts objects next to the sources: give every kernel its own
# copy of the sources so objects of different kernels never mix. Build
# products are excluded, so --delete keeps them and rebuilds stay incremental.
mkdir -p "$dst"
rsync -a --delete \
	--exclude='*.o' --exclude='.*.cmd' --exclude='*.ko' --exclude='*.mod' \
	--exclude='*.mod.c' --exclude='modules.order' --exclude='Module.symvers' \
	--exclude='build.log' \
	--include='/Kbuild' --include='/include/***' --include='/src/***' \
	--include='/sysctl/***' --include='/tests/' --include='/tests/kunit/***' \
	--exclude='*' \
	"$root/" "$dst/"

echo "build-module.sh: building for $name ($kdir)" >&2
if ! make -C "$kdir" M="$dst" modules > "$dst/build.log" 2>&1; then
	cat "$dst/build.log" >&2
	echo "build-module.sh: build for $name FAILED" >&2
	exit 1
fi
if grep -E -i 'warning:|error:' "$dst/build.log" >&2; then
	echo "build-module.sh: build for $name has warnings (treated as errors)" >&2
	exit 1
fi
ls "$dst"/*.ko >&2
