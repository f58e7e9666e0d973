#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make tls-audit: Debian's testssl.sh against khttpd's HTTPS and against
# nginx with the same certificate, in one Debian 6.12 VM
# (tools/bench/tls-audit-guest.sh). Not a test: the findings go to
# build/tls-audit/ (tls-audit.md side by side, both servers' JSON), and
# docs/tls.md quotes them. Exit 1 if khttpd has a finding more severe than
# nginx's for the same check.
# Usage: tools/bench/tls-audit.sh [--kernel K]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
kernel=deb612
[[ ${1:-} == --kernel ]] && kernel=${2:?}
out=build/tls-audit
mkdir -p "$out"
command -v testssl > /dev/null || { echo "tls-audit: testssl.sh is missing (tools/setup-host.sh)" >&2; exit 1; }
make tools > "$out/tools.log" 2>&1 || { tail "$out/tools.log"; exit 1; }
tools/build-module.sh "$kernel" > "$out/build.log" 2>&1 || { tail "$out/build.log"; exit 1; }
tools/vm/tls-mods.sh "$kernel" "$out/mods" > /dev/null
tools/vm/run.sh --kernel "$kernel" --out "$out/vm" --timeout 3600 -- \
	tools/bench/tls-audit-guest.sh "build/kmod/$kernel/khttpd.ko" build/bin/khttpd-fallbackd \
	"$out/mods" > "$out/console.log" 2>&1 || { tail -n 30 "$out/console.log"; exit 1; }
cp "$out/vm/tls-audit.md" "$out/vm/khttpd.json" "$out/vm/nginx.json" "$out/"
cat "$out/tls-audit.md"
! grep -q '^WORSE_THAN_NGINX: [^n]' "$out/tls-audit.md"
