#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# guest-mods.sh KERNEL DIR MODULE...: puts MODULE... of KERNEL's Debian
# package, with everything they depend on, uncompressed into DIR (which must
# be where the guest sees it: under the work tree, not /tmp), and their load
# order into DIR/order. The guest loads them with
#     while read -r m; do insmod "$DIR/$m"; done < "$DIR/order"
# (the test VMs have no /lib/modules of their own). A module built into the
# kernel has no line. Exit 1 if a module is unknown to KERNEL.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
kernel=${1:?usage: guest-mods.sh KERNEL DIR MODULE...}
dir=${2:?usage: guest-mods.sh KERNEL DIR MODULE...}
shift 2
modroot=$("$here/kernel.sh" modroot "$kernel")
kver=$("$here/kernel.sh" kver "$kernel")
rm -rf "$dir"
mkdir -p "$dir"
: > "$dir/order"
for m in "$@"; do
	modprobe -d "$modroot" -S "$kver" --show-depends "$m" ||
		{ echo "guest-mods.sh: no module $m for $kernel ($kver)" >&2; exit 1; }
done | awk '$1 == "insmod" { print $2 }' | awk '!seen[$0]++' | while read -r p; do
	n=$(basename "$p")
	n=${n%.xz}
	n=${n%.zst}
	case $p in
	*.xz) xz -dc "$p" > "$dir/$n" ;;
	*.zst) zstd -qdc "$p" > "$dir/$n" ;;
	*) cp "$p" "$dir/$n" ;;
	esac
	echo "$n" >> "$dir/order"
done
