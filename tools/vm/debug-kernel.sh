#!/bin/bash
# Build (once) the khttpd debug kernel from Debian's linux-source-6.12 tarball:
# `make tinyconfig` + tools/vm/debug.config, merged with scripts/kconfig/merge_config.sh.
# Cached under ${KHTTPD_CACHE:-$HOME/.cache/khttpd}/debug/<hash>, hash of
# (linux-source package version + fragment content + gcc version).
# Prints the cache directory on stdout; it holds:
#   src/      the built, modules_prepare'd tree (kdir for external modules)
#   bzImage   the kernel image
#   kver      the kernel release string
#   modroot/  lib/modules/KVER (modules_install + depmod)
# Usage: debug-kernel.sh [--config-only]   (--config-only: just make .config and check it)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${KHTTPD_CACHE:-$HOME/.cache/khttpd}
frag=$here/debug.config
tarball=/usr/src/linux-source-6.12.tar.xz
srcpkg=linux-source-6.12

log() { echo "debug-kernel: $*" >&2; }
die() { echo "debug-kernel: ERROR: $*" >&2; exit 1; }

config_only=0
[[ ${1:-} == --config-only ]] && config_only=1

[[ -r $frag ]] || die "missing config fragment $frag"
if [[ ! -r $tarball ]]; then
    log "$tarball missing; installing $srcpkg"
    apt-get install -y --no-install-recommends "$srcpkg" >&2 \
        || die "cannot install $srcpkg (run tools/setup-host.sh)"
fi
srcver=$(dpkg-query -W -f='${Version}' "$srcpkg" 2>/dev/null) || die "$srcpkg not installed"
gccver=$(gcc -dumpfullversion 2>/dev/null || gcc -dumpversion)
hash=$( { echo "$srcver"; echo "gcc $gccver"; cat "$frag"; } | sha256sum | cut -c1-16)
dir=$cache/debug/$hash

if [[ -f $dir/.done && -f $dir/bzImage && -d $dir/src && $config_only == 0 ]]; then
    echo "$dir"
    exit 0
fi

mkdir -p "$cache/debug"
exec 9>"$cache/debug/.lock"
flock 9
if [[ -f $dir/.done && -f $dir/bzImage && $config_only == 0 ]]; then echo "$dir"; exit 0; fi

rm -rf "$dir"
mkdir -p "$dir"
log "building debug kernel ($srcpkg $srcver, config $hash) in $dir; takes ~5-10 min"
log "extracting $tarball"
tar -C "$dir" -xf "$tarball"
mv "$dir/linux-source-6.12" "$dir/src"
cd "$dir/src"

log "make tinyconfig + merge $frag"
make -s tinyconfig >&2
# merge_config.sh -m: merge only; olddefconfig resolves dependencies afterwards.
./scripts/kconfig/merge_config.sh -m .config "$frag" >"$dir/merge.log" 2>&1 \
    || { cat "$dir/merge.log" >&2; die "merge_config.sh failed"; }
make -s olddefconfig >&2

# Every option the fragment asks for must have stuck (olddefconfig drops unmet ones).
bad=0
while IFS= read -r line; do
    [[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]] || continue
    opt=${BASH_REMATCH[1]} val=${BASH_REMATCH[2]}
    if [[ $val == n ]]; then
        if grep -q "^$opt=" .config; then log "WARNING: $opt=n requested but .config has $(grep "^$opt=" .config)"; bad=1; fi
    else
        got=$(grep "^$opt=" .config || true)
        if [[ $got != "$opt=$val" ]]; then log "WARNING: $opt=$val requested, .config has '${got:-unset}'"; bad=1; fi
    fi
done <"$frag"
if [[ $bad == 1 ]]; then
    [[ ${KHTTPD_DEBUG_CONFIG_LAX:-0} == 1 ]] || die "config fragment not fully applied (see warnings; KHTTPD_DEBUG_CONFIG_LAX=1 to ignore)"
fi
if [[ $config_only == 1 ]]; then log "config ok: $dir/src/.config"; echo "$dir"; exit 0; fi

log "make -j$(nproc) bzImage modules (log: $dir/build.log)"
start=$SECONDS
if ! make -j"$(nproc)" bzImage modules >"$dir/build.log" 2>&1; then
    tail -40 "$dir/build.log" >&2
    die "kernel build failed (full log $dir/build.log)"
fi
make -s modules_prepare >>"$dir/build.log" 2>&1 || die "modules_prepare failed"
kver=$(make -s kernelrelease)
cp arch/x86/boot/bzImage "$dir/bzImage"
echo "$kver" >"$dir/kver"
make -s modules_install INSTALL_MOD_PATH="$dir/modroot" >>"$dir/build.log" 2>&1 \
    || die "modules_install failed"
depmod -b "$dir/modroot" "$kver"
log "built $kver in $((SECONDS - start)) s"
touch "$dir/.done"
echo "$dir"
