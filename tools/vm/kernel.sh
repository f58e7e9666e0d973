#!/bin/bash
# Resolve one of the khttpd target kernels by name.
#   deb61   Debian 12 default kernel (metapackages linux-image-amd64 / linux-headers-amd64)
#   deb612  Debian 12 LTS 6.12 (linux-image-6.12-amd64 / linux-headers-6.12-amd64)
#   debug   self-built 6.12 with bug detectors + KUnit (tools/vm/debug-kernel.sh)
# Usage: kernel.sh kdir|image|kver|modroot NAME
#   kdir     directory to build external modules against (make -C KDIR M=...)
#   image    bzImage / vmlinuz path
#   kver     kernel release (uname -r in the guest)
#   modroot  directory holding lib/modules/KVER (depmod'ed)
# Downloads/builds go to ${KHTTPD_CACHE:-$HOME/.cache/khttpd}; never touches /boot.
# Progress goes to stderr; only the answer to stdout.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${KHTTPD_CACHE:-$HOME/.cache/khttpd}

log() { echo "kernel.sh: $*" >&2; }
die() { echo "kernel.sh: ERROR: $*" >&2; exit 1; }
usage() { echo "usage: $0 kdir|image|kver|modroot deb61|deb612|debug" >&2; exit 2; }

[[ $# -eq 2 ]] || usage
what=$1 name=$2
case $what in kdir|image|kver|modroot) ;; *) usage ;; esac

# meta package -> the concrete package it depends on (linux-image-6.1.0-56-amd64, ...)
resolve_meta() {
    local meta=$1 prefix=$2 dep
    dep=$(apt-cache depends "$meta" 2>/dev/null | awk -v p="$prefix" '$1 == "Depends:" && index($2, p) == 1 { print $2; exit }')
    [[ -n $dep ]] || die "cannot resolve $meta with apt-cache (run tools/setup-host.sh / apt-get update)"
    echo "$dep"
}

deb_metas() {
    case $1 in
        deb61)  echo "linux-image-amd64 linux-headers-amd64" ;;
        deb612) echo "linux-image-6.12-amd64 linux-headers-6.12-amd64" ;;
    esac
}

# Resolve NAME to "KVER IMAGE_PKG IMAGE_VERSION" with apt-cache (slow: ~1 s per query), memoized
# in $cache/deb/NAME.resolved until the apt lists or the dpkg database change.
deb_resolve() {
    local name=$1 memo=$cache/deb/$1.resolved imeta hmeta hdr kver img pkg ver
    if [[ -f $memo && $memo -nt /var/lib/apt/lists && $memo -nt /var/lib/dpkg/status ]]; then
        cat "$memo"; return
    fi
    read -r imeta hmeta <<<"$(deb_metas "$name")"
    hdr=$(resolve_meta "$hmeta" linux-headers-)
    kver=${hdr#linux-headers-}
    img=$(resolve_meta "$imeta" linux-image-)
    [[ ${img#linux-image-} == "$kver" ]] \
        || die "image package $img does not match headers kernel $kver (apt lists out of sync?)"
    # Prefer the -unsigned package (same kernel, no EFI signature wrapper) when it exists.
    pkg=$img
    if apt-cache show "$img-unsigned" >/dev/null 2>&1; then pkg=$img-unsigned; fi
    ver=$(apt-cache policy "$pkg" | awk '$1 == "Candidate:" { print $2; exit }')
    [[ -n $ver && $ver != "(none)" ]] || die "no candidate version for $pkg"
    mkdir -p "$cache/deb"
    echo "$kver $pkg $ver" >"$memo.tmp" && mv "$memo.tmp" "$memo"
    echo "$kver $pkg $ver"
}

deb_kdir() {
    local kver=$1 pkg=linux-headers-$1
    if ! dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null | grep -qx installed \
        || [[ ! -d /usr/src/linux-headers-$kver ]]; then
        log "installing $pkg"
        apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=900 "$pkg" >&2 \
            || die "apt-get install $pkg failed"
    fi
    [[ -f /usr/src/linux-headers-$kver/Makefile ]] || die "/usr/src/linux-headers-$kver missing after install"
    echo "/usr/src/linux-headers-$kver"
}

# Fetch + extract the image .deb into the cache (once); print the extracted root.
deb_root() {
    local kver pkg ver dir tmp res
    res=$(deb_resolve "$1") || exit 1
    read -r kver pkg ver <<<"$res"
    dir=$cache/deb/${pkg}_${ver//:/%}
    if [[ ! -f $dir/.done ]]; then
        mkdir -p "$cache/deb"
        exec 8>"$cache/deb/.lock"; flock 8
        if [[ ! -f $dir/.done ]]; then
            rm -rf "$dir"; mkdir -p "$dir"
            tmp=$dir/dl; mkdir -p "$tmp"
            log "downloading $pkg $ver"
            (cd "$tmp" && apt-get -o APT::Sandbox::User=root download "$pkg=$ver" >&2) || die "apt-get download $pkg=$ver failed"
            log "extracting $pkg"
            dpkg-deb -x "$tmp"/*.deb "$dir/root" || die "dpkg-deb -x failed"
            rm -rf "$tmp"
            [[ -f $dir/root/boot/vmlinuz-$kver ]] || die "no boot/vmlinuz-$kver in $pkg"
            [[ -d $dir/root/lib/modules/$kver ]] || die "no lib/modules/$kver in $pkg"
            depmod -b "$dir/root" "$kver" || die "depmod failed"
            touch "$dir/.done"
        fi
        exec 8>&-
    fi
    echo "$dir/root"
}

case $name in
    deb61|deb612)
        res=$(deb_resolve "$name") || exit 1
        read -r kver _ <<<"$res"
        case $what in
            kver) echo "$kver" ;;
            kdir) deb_kdir "$kver" ;;
            image) echo "$(deb_root "$name")/boot/vmlinuz-$kver" ;;
            modroot) deb_root "$name" ;;
        esac
        ;;
    debug)
        dir=$("$here/debug-kernel.sh") || die "debug kernel build failed"
        case $what in
            kver) cat "$dir/kver" ;;
            kdir) echo "$dir/src" ;;
            image) echo "$dir/bzImage" ;;
            modroot) echo "$dir/modroot" ;;
        esac
        ;;
    *) die "unknown kernel '$name' (expected deb61, deb612 or debug)" ;;
esac
