#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest script: the daemon's kernel TLS code (ktls_probe) against the
# guest kernel's tls.ko: what OpenSSL 3.0 turns on by itself, TLS 1.3
# receive set by the daemon, plaintext both ways through the kernel and
# close_notify both ways, for TLS 1.2 and 1.3 and each AEAD cipher.
# Usage (inside the test VM):
#   tools/vm/run.sh --kernel deb612 --out DIR -- \
#       tests/fallbackd/ktls_probe_vm.sh KTLS_PROBE MODS_DIR
#   KTLS_PROBE: the ktls_probe binary (tests/fallbackd's build, in the work tree)
#   MODS_DIR:   tls.ko and what it needs (tools/vm/guest-mods.sh KERNEL DIR tls)
set -u
probe=${1:?usage: ktls_probe_vm.sh KTLS_PROBE MODS_DIR}
mods=${2:?usage: ktls_probe_vm.sh KTLS_PROBE MODS_DIR}
while read -r m; do
	insmod "$mods/$m" || { echo "not ok - insmod $m"; exit 1; }
done < "$mods/order"
ip link set lo up
mkdir -p /tmp/probe
"$probe" /tmp/probe | tee "${KHTTPD_OUT:-/tmp}/results.txt"
exit "${PIPESTATUS[0]}"
