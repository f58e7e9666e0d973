#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make demo: boot Debian's 6.12 kernel in QEMU with khttpd serving a sample
# site, Apache and the hand-over daemon behind it, forwarded to
# http://127.0.0.1:$PORT/ on the host (default 8080).
# Set KHTTPD_DEMO_KERNEL=deb61 for the 6.1 kernel.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
kernel=${KHTTPD_DEMO_KERNEL:-deb612}
port=${KHTTPD_DEMO_PORT:-8080}
export KHTTPD_DEMO_PORT=$port

tools/setup-host.sh
tools/build-module.sh "$kernel"
make --no-print-directory tools
echo "demo: booting $kernel; khttpd will answer on http://127.0.0.1:$port/" >&2
exec tools/vm/run.sh --kernel "$kernel" --interactive --hostfwd "$port:80" \
	-- tools/demo/guest.sh "build/kmod/$kernel/khttpd.ko" build/bin/khttpd-fallbackd
