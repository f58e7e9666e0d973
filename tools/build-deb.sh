#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make deb: builds the Debian packages khttpd-dkms and khttpd into build/deb/
# and runs lintian on them (errors and warnings fail the build).
#
# dpkg-buildpackage works in a copy of the files the packages need, under
# build/deb/src/, so the checkout never gets debian/khttpd/, obj-*/ or
# debhelper's logs, and its own build/ is not swept into the source.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=$root/build/deb
version=$(cd "$root" && dpkg-parsechangelog -S Version)
src=$out/src/khttpd-$version

for t in dpkg-buildpackage dh dh_dkms cmake g++ lintian; do
	command -v "$t" > /dev/null ||
		{ echo "build-deb.sh: $t missing (run tools/setup-host.sh)" >&2; exit 1; }
done

rm -rf "$out"
mkdir -p "$src"
rsync -a \
	--exclude='*.o' --exclude='.*.cmd' --exclude='*.ko' --exclude='*.mod' \
	--exclude='*.mod.c' --exclude='modules.order' --exclude='Module.symvers' \
	--exclude='__pycache__' \
	--include='/Kbuild' --include='/Makefile' --include='/LICENSE' --include='/README.md' \
	--include='/debian/***' --include='/include/***' --include='/src/***' \
	--include='/sysctl/***' --include='/tests/' --include='/tests/kunit/***' \
	--include='/docs/' --include='/docs/*.md' \
	--include='/tools/' --include='/tools/khttpd.conf' --include='/tools/systemd/***' \
	--include='/tools/apache/***' --include='/tools/fallbackd/***' \
	--include='/tools/khttpdctl/***' \
	--exclude='*' \
	"$root/" "$src/"

echo "build-deb.sh: building khttpd $version in $src" >&2
(cd "$src" && dpkg-buildpackage -b -us -uc) > "$out/build.log" 2>&1 || {
	tail -n 60 "$out/build.log" >&2
	echo "build-deb.sh: dpkg-buildpackage FAILED (log: $out/build.log)" >&2
	exit 1
}
mv "$out"/src/*.deb "$out"/src/*.changes "$out"/src/*.buildinfo "$out/"
rm -rf "$out/src"

echo "build-deb.sh: lintian" >&2
if ! lintian --fail-on error,warning "$out"/khttpd_*.changes > "$out/lintian.log" 2>&1; then
	cat "$out/lintian.log" >&2
	echo "build-deb.sh: lintian reports errors or warnings (log: $out/lintian.log)" >&2
	exit 1
fi
cat "$out/lintian.log" >&2
ls -l "$out"/*.deb >&2
