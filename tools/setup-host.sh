#!/bin/bash
# Install every Debian package khttpd needs (build, QEMU test VMs, benchmarks).
# Idempotent: does nothing (no apt at all) when everything is already installed.
# Run as root (CI is root).
set -euo pipefail

pkgs=(
    # QEMU/TCG test VMs (tools/vm/)
    qemu-system-x86 busybox-static cpio kmod xz-utils zstd gzip iproute2 util-linux
    # kernels/headers to build against; source for the debug kernel
    linux-headers-amd64 linux-headers-6.12-amd64 linux-source-6.12
    # kernel build (libssl-dev also builds khttpd-fallbackd: OpenSSL 3 for HTTPS)
    build-essential bc flex bison libelf-dev libssl-dev dwarves rsync
    # userspace tests and benchmarks
    cmake googletest libgtest-dev clang libclang-rt-14-dev python3 curl apache2 nginx-light wrk gnuplot-nox
    # Debian packages (make deb) and their install test (tests/deb/): DKMS builds the module
    debhelper dh-dkms dkms lintian
    # the terminal capture of `khttpdctl status` for the README (tests/vm/khttpdctl.sh)
    tmux
    # the farm behind IPVS (tests/vm/farm.sh): the director's table and its health checks
    ipvsadm keepalived
    # HTTPS: the TLS audit of khttpd beside nginx (make tls-audit, docs/tls.md)
    testssl.sh
)

missing=()
for p in "${pkgs[@]}"; do
    st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [[ $st == installed ]] || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
    echo "setup-host: all ${#pkgs[@]} packages already installed"
    exit 0
fi
[[ $(id -u) -eq 0 ]] || { echo "setup-host: ERROR: must run as root to install: ${missing[*]}" >&2; exit 1; }

export DEBIAN_FRONTEND=noninteractive
apt_opts=(-o DPkg::Lock::Timeout=900 -y --no-install-recommends)
echo "setup-host: installing ${missing[*]}"
# apt-get update only when the package lists are empty, or when the install fails on them.
if ! compgen -G '/var/lib/apt/lists/*_Packages' >/dev/null; then
    apt-get -o DPkg::Lock::Timeout=900 update
fi
if ! apt-get install "${apt_opts[@]}" "${missing[@]}"; then
    echo "setup-host: install failed; retrying after apt-get update" >&2
    apt-get -o DPkg::Lock::Timeout=900 update
    apt-get install "${apt_opts[@]}" "${missing[@]}" \
        || { echo "setup-host: ERROR: apt-get install failed" >&2; exit 1; }
fi
echo "setup-host: done"
