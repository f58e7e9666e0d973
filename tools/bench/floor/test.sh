#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Builds the TCP floor module and checks it in a VM (tools/vm/run.sh fails
# on a dirty dmesg): tools/bench/floor/test.sh [deb612|deb61]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
kernel=${1:-deb612}
ko=$("$root/tools/bench/floor/build.sh" "$kernel")
exec "$root/tools/vm/run.sh" --kernel "$kernel" --out "$root/build/floor/test-$kernel" --timeout 600 -- \
	"$root/tools/bench/floor/test-guest.sh" "${ko#"$root"/}"
