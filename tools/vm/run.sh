#!/bin/bash
# Boot a khttpd target kernel under QEMU/TCG and run a guest script in it.
#
# Usage: tools/vm/run.sh --kernel deb61|deb612|debug [--out DIR] [--mem MB] [--timeout SEC]
#                        [--hostfwd HOSTPORT:GUESTPORT]... [--interactive] [--kunit] [--disk IMG]... [--disk-opts OPTS] [--] SCRIPT [ARGS...]
#
# The guest's root is the host's root, read-only over 9p (tmpfs over /tmp /run /var/log
# /var/tmp /root /var/lib/nginx /var/lib/apache2), so SCRIPT (a host path) and every host tool
# are visible at the same paths. `bash SCRIPT ARGS` runs as root in the directory run.sh was
# called from, with KHTTPD_OUT (a writable directory shared with the host: --out DIR, same path
# in guest and host), KHTTPD_KERNEL and KHTTPD_KVER set. Its output streams to stdout.
# After it ends the guest saves dmesg (debug kernel: after two kmemleak scans) and reboots.
#
# Exit status: the script's status if dmesg is clean; 3 if dmesg shows a kernel warning, bug,
# sanitizer/lockdep report or leak; 124 on timeout; 125 if the harness failed (no status).
# --out DIR (default: a new /tmp/khttpd-vm.XXXXXX) gets serial.log, dmesg.txt, status and,
# on the debug kernel, kmemleak.txt.
# --hostfwd H:G forwards 127.0.0.1:H on the host to port G in the guest (QEMU user-mode net,
# restrict=on; guest NIC eth0 = 10.0.2.15/24). Repeatable.
# --interactive: no default timeout, the guest console is attached to the terminal (stdin goes
# to the script; Ctrl-C interrupts the script, Ctrl-A x kills QEMU). Use a script that blocks
# (e.g. ends with `sleep infinity`) to keep the guest alive for a demo.
# --kunit: let KUnit run the suites of the modules loaded (on the debug kernel khttpd.ko carries
# its KUnit suites); without it the guest boots with kunit.enable=0 and they do not run.
# --disk IMG (repeatable): a raw image as a virtio-blk disk, /dev/vda then vdb...; the guest
# needs virtio_blk (a module on Debian's kernels: tools/vm/guest-mods.sh). --disk-opts OPTS: more
# -drive options for every disk (e.g. throttling.iops-read=2000 for a disk slower than RAM).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${KHTTPD_CACHE:-$HOME/.cache/khttpd}

die() { echo "run.sh: ERROR: $*" >&2; exit 125; }
log() { echo "run.sh: $*" >&2; }
usage() {
    sed -n '4,5p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 125
}

kernel='' out='' mem=2048 timeout='' interactive=0 kunit=0 fwds=() disks=() disk_opts=
while [[ $# -gt 0 ]]; do
    case $1 in
        --kernel) kernel=${2:?}; shift 2 ;;
        --out) out=${2:?}; shift 2 ;;
        --mem) mem=${2:?}; shift 2 ;;
        --timeout) timeout=${2:?}; shift 2 ;;
        --hostfwd) fwds+=("${2:?}"); shift 2 ;;
        --interactive) interactive=1; shift ;;
        --kunit) kunit=1; shift ;;
        --disk) disks+=("${2:?}"); shift 2 ;;
        --disk-opts) disk_opts=${2:?}; shift 2 ;;
        -h|--help) usage ;;
        --) shift; break ;;
        -*) echo "run.sh: unknown option $1" >&2; usage ;;
        *) break ;;
    esac
done
[[ -n $kernel ]] || { echo "run.sh: --kernel is required" >&2; usage; }
[[ $# -ge 1 ]] || { echo "run.sh: SCRIPT is required" >&2; usage; }
script=$1; shift
[[ -f $script ]] || die "script $script not found"
script=$(realpath "$script")
[[ $mem =~ ^[0-9]+$ ]] || die "--mem must be a number of MB"
if [[ -z $timeout ]]; then if [[ $interactive == 1 ]]; then timeout=0; else timeout=1200; fi; fi
[[ $timeout =~ ^[0-9]+$ ]] || die "--timeout must be a number of seconds (0 = none)"
for d in "${disks[@]}"; do
    [[ -f $d ]] || die "--disk $d: no such file"
    [[ $d != *,* ]] || die "--disk $d: a comma in the path (QEMU's option separator)"
done
for f in "${fwds[@]}"; do
    [[ $f =~ ^[0-9]+:[0-9]+$ ]] || die "--hostfwd wants HOSTPORT:GUESTPORT, got '$f'"
done
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing (run tools/setup-host.sh)"
[[ -x /bin/busybox ]] || die "/bin/busybox missing (busybox-static; run tools/setup-host.sh)"

if [[ -z $out ]]; then out=$(mktemp -d /tmp/khttpd-vm.XXXXXX); else mkdir -p "$out"; fi
out=$(realpath "$out")
[[ $out =~ ^/[A-Za-z0-9._+/@-]*$ ]] || die "--out path must not contain spaces or shell characters: $out"
[[ $out != / ]] || die "--out must not be /"
rm -rf "$out/.job" "$out/status" "$out/dmesg.txt" "$out/kmemleak.txt" "$out/serial.log"
mkdir -p "$out/.job"

# ---- kernel ----
image=$("$here/kernel.sh" image "$kernel") || die "cannot resolve kernel image for $kernel"
kver=$("$here/kernel.sh" kver "$kernel") || die "cannot resolve kernel version for $kernel"
modroot=$("$here/kernel.sh" modroot "$kernel") || die "cannot resolve modules for $kernel"

# ---- initramfs (cached per kernel) ----
# /init below is a busybox sh script; it reads the per-run settings from the out share.
read -r -d '' init_script <<'INIT' || true
#!/bin/busybox sh
/bin/busybox mkdir -p /proc /sys /dev /newroot /out
/bin/busybox --install -s /bin
export PATH=/bin
mount -t devtmpfs dev /dev
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sys /sys
fail() { echo "khttpd-init: HARNESS ERROR: $*"; sleep 1; reboot -f; sleep 10; }
loadmods() { for m in $(cat "$1"); do insmod "/mod/$m" || fail "insmod $m"; done; }
loadmods /modules.list
mount -t 9p -o trans=virtio,version=9p2000.L khttpdout /out || fail "cannot mount the out share"
. /out/.job/env || fail "no /out/.job/env"
if [ "$KHTTPD_NET" = 1 ]; then
    loadmods /modules-net.list
    ip link set eth0 up && ip addr add 10.0.2.15/24 dev eth0 || fail "cannot configure eth0"
fi
ip link set lo up
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose hostroot /newroot || fail "cannot mount host root"
# A second view of the host root that the tmpfs overlays below do not hide.
mkdir -p /hostview && mount --bind /newroot /hostview || fail "cannot bind the host root"
for d in tmp var/tmp; do mount -t tmpfs -o mode=1777 tmpfs /newroot/$d || fail "tmpfs /$d"; done
for d in run var/log root var/lib/nginx var/lib/apache2; do
    [ -d /newroot/$d ] || continue
    mount -t tmpfs -o mode=0755 tmpfs /newroot/$d || fail "tmpfs /$d"
done
mkdir -p /newroot/run/lock && chmod 1777 /newroot/run/lock
mount -t proc proc /newroot/proc
mount -t sysfs sys /newroot/sys
mount -t devtmpfs dev /newroot/dev
mkdir -p /newroot/dev/pts /newroot/dev/shm
# What udev would add: bash's process substitution needs /dev/fd.
ln -sfn /proc/self/fd /newroot/dev/fd
ln -sfn /proc/self/fd/0 /newroot/dev/stdin
ln -sfn /proc/self/fd/1 /newroot/dev/stdout
ln -sfn /proc/self/fd/2 /newroot/dev/stderr
mount -t devpts -o newinstance,ptmxmode=0666 devpts /newroot/dev/pts
mount -t tmpfs -o mode=1777 tmpfs /newroot/dev/shm
if grep -qw debugfs /proc/filesystems; then mount -t debugfs debugfs /newroot/sys/kernel/debug; fi
# Host directories the job needs that lie under an overlaid directory (a
# checkout in /tmp, say) come back at their own paths, read-only.
for d in $KHTTPD_EXPOSE; do
    mkdir -p "/newroot$d" && mount --bind "/hostview$d" "/newroot$d" || fail "cannot expose $d"
done
mkdir -p "/newroot$KHTTPD_OUT" && mount --bind /out "/newroot$KHTTPD_OUT" || fail "cannot bind the out share"
# Wait until the kernel's random pool is ready, then a moment more. Becoming
# ready flips a static key in code every fork and every read of urandom
# runs, and under multi-threaded TCG a vCPU that executes a site while
# another patches it can take an int3 Oops (seen once in urandom_read_iter,
# 1.7 s into a test script). While init only sleeps, nothing runs there.
timeout 60 dd if=/newroot/dev/random of=/newroot/dev/null bs=1 count=1 2>/newroot/dev/null
sleep 1
echo "khttpd-init: $(uname -r) up $(cut -d' ' -f1 /proc/uptime)s, running the script"
if [ "$KHTTPD_INTERACTIVE" = 1 ]; then in=/dev/ttyS0; else in=/dev/null; fi
setsid -c sh -c "exec chroot /newroot /bin/bash $KHTTPD_OUT/.job/job.sh <$in >/dev/ttyS0 2>&1"
rc=$?
echo "$rc" > /out/.job/status
echo "khttpd-init: script exited $rc at $(cut -d' ' -f1 /proc/uptime)s"
kml=/newroot/sys/kernel/debug/kmemleak
if [ -e $kml ]; then
    echo "khttpd-init: kmemleak scan"
    echo scan > $kml; sleep 5; echo scan > $kml
    cat $kml > /out/kmemleak.txt
fi
dmesg > /out/dmesg.txt
sync
umount "/newroot$KHTTPD_OUT" 2>/dev/null
umount /out 2>/dev/null
reboot -f
sleep 10
INIT

modlist() { # print the .ko paths (in load order) for the given modules, builtins skipped
    local m
    for m in "$@"; do
        modprobe -d "$modroot" -S "$kver" --show-depends "$m" \
            || die "modprobe --show-depends $m failed for $kernel ($kver)"
    done | awk '$1 == "insmod" { print $2 }' | awk '!seen[$0]++'
}
if [[ $kernel == debug ]]; then
    base=() net=()   # everything needed is built in
else
    mapfile -t base < <(modlist virtio_pci 9pnet_virtio 9p)
    mapfile -t net < <(modlist virtio_net | grep -vxF -f <(printf '%s\n' "${base[@]}") || true)
fi
key=$( { echo "$init_script"; echo "$image"; printf '%s\n' "${base[@]}" "${net[@]}"; sha256sum /bin/busybox; } | sha256sum | cut -c1-16)
initrd=$cache/initramfs/$kernel-$kver-$key.cpio.gz
if [[ ! -f $initrd ]]; then
    log "building initramfs $initrd"
    mkdir -p "$cache/initramfs"
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    mkdir -p "$tmp/bin" "$tmp/mod"
    cp /bin/busybox "$tmp/bin/busybox"
    printf '%s\n' "$init_script" >"$tmp/init"; chmod +x "$tmp/init"
    : >"$tmp/modules.list"; : >"$tmp/modules-net.list"
    addmods() { # list-file paths...
        local lst=$1 p n; shift
        for p in "$@"; do
            n=$(basename "$p"); n=${n%.xz}; n=${n%.zst}; n=${n%.gz}
            case $p in
                *.xz) xz -dc "$p" >"$tmp/mod/$n" ;;
                *.zst) zstd -qdc "$p" >"$tmp/mod/$n" ;;
                *.gz) gzip -dc "$p" >"$tmp/mod/$n" ;;
                *) cp "$p" "$tmp/mod/$n" ;;
            esac || die "cannot unpack module $p"
            echo "$n" >>"$tmp/$lst"
        done
    }
    addmods modules.list "${base[@]}"
    addmods modules-net.list "${net[@]}"
    (cd "$tmp" && find . -print0 | cpio --null -o -H newc --quiet | gzip -1) >"$initrd.tmp" \
        || die "cpio failed"
    mv "$initrd.tmp" "$initrd"
    find "$cache/initramfs" -name "$kernel-*.cpio.gz" ! -name "$(basename "$initrd")" -delete
    rm -rf "$tmp"; trap - EXIT
fi

# ---- per-run job ----
cwd=$PWD
# Directories the guest overlays with tmpfs. A script or working directory
# below one of them (e.g. a checkout in /tmp) is bind-mounted back from the
# host root inside the guest; an overlaid directory itself cannot be.
masked='^/(tmp|var/tmp|run|var/log|root|var/lib/nginx|var/lib/apache2)'
expose=()
for d in "$cwd" "$(dirname "$script")"; do
    if [[ $d =~ $masked/. && $d != "$out" && $d != "$out"/* ]]; then
        expose+=("$d")
    elif [[ $d =~ $masked$ ]]; then
        [[ $d == "$cwd" ]] && { log "note: cwd $cwd is a tmpfs in the guest; the script runs in /"; cwd=/; }
        [[ $d != "$cwd" && $d != / ]] && die "script $script lies directly in $d, which the guest overlays; move it"
    fi
done
for d in "${expose[@]}"; do
    [[ $d != *[[:space:]]* ]] || die "cannot expose a path with spaces in the guest: $d"
done
{
    echo "KHTTPD_OUT=$out"
    echo "KHTTPD_NET=$(( ${#fwds[@]} > 0 ? 1 : 0 ))"
    echo "KHTTPD_INTERACTIVE=$interactive"
    echo "KHTTPD_EXPOSE='${expose[*]}'"
} >"$out/.job/env"
{
    echo '#!/bin/bash'
    printf 'export KHTTPD_OUT=%q KHTTPD_KERNEL=%q KHTTPD_KVER="$(uname -r)"\n' "$out" "$kernel"
    echo 'export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 TERM=${TERM:-linux}'
    printf 'cd %q || exit 125\n' "$cwd"
    printf 'exec bash %q' "$script"
    [[ $# -gt 0 ]] && printf ' %q' "$@"
    echo
} >"$out/.job/job.sh"

# ---- QEMU ----
qemu=(qemu-system-x86_64 -accel tcg,thread=multi -smp 2 -m "$mem" -no-reboot
    -kernel "$image" -initrd "$initrd"
    -append "console=ttyS0 panic=-1 quiet log_buf_len=4M$([[ $kunit == 1 ]] || echo ' kunit.enable=0')"
    -fsdev local,id=r,path=/,security_model=none,readonly=on,multidevs=remap
    -device virtio-9p-pci,fsdev=r,mount_tag=hostroot
    -fsdev local,id=o,path="$out",security_model=none,multidevs=remap
    -device virtio-9p-pci,fsdev=o,mount_tag=khttpdout)
for d in "${disks[@]}"; do # the guest's /dev/vda, vdb, ... (virtio_blk)
    qemu+=(-drive "file=$(realpath "$d"),if=virtio,format=raw${disk_opts:+,$disk_opts}")
done
if [[ ${#fwds[@]} -gt 0 ]]; then
    nd=user,id=n0,restrict=on
    for f in "${fwds[@]}"; do nd+=",hostfwd=tcp:127.0.0.1:${f%%:*}-:${f##*:}"; done
    qemu+=(-netdev "$nd" -device virtio-net-pci,netdev=n0)
else
    qemu+=(-nic none)
fi
if [[ $interactive == 1 ]]; then
    qemu+=(-nographic)
else
    qemu+=(-display none -monitor none -serial stdio)
fi
tmo=()
[[ $timeout -gt 0 ]] && tmo=(timeout --foreground -k 10 "$timeout")

start=$SECONDS
# A guest that dies before the script starts (seen: an int3 Oops in early
# boot under multi-threaded TCG, while the kernel patches its own text) has
# not run anything of ours: boot it again, at most twice. Any failure after
# "running the script" counts.
for attempt in 1 2 3; do
    log "booting $kernel ($kver), out dir $out${attempt:+ (attempt $attempt)}"
    rm -f "$out/.job/status" "$out/dmesg.txt" "$out/kmemleak.txt"
    set +e
    if [[ $interactive == 1 ]]; then
        "${tmo[@]}" "${qemu[@]}" | tee "$out/serial.log"
        qrc=${PIPESTATUS[0]}
    else
        "${tmo[@]}" "${qemu[@]}" </dev/null | stdbuf -oL tr -d '\r' | tee "$out/serial.log"
        qrc=${PIPESTATUS[0]}
    fi
    set -e
    # Not a boot failure: a status came, a timeout, QEMU killed by a
    # signal (the user), an interactive session, or the script started.
    [[ $qrc != 124 && $qrc -lt 128 && $interactive == 0 && ! -f $out/.job/status ]] || break
    grep -q 'khttpd-init: .* running the script' "$out/serial.log" && break
    [[ $attempt == 3 ]] && break
    cp "$out/serial.log" "$out/serial-boot-failure-$attempt.log"
    log "the guest died before the script started (see $out/serial-boot-failure-$attempt.log); booting again"
done
wall=$((SECONDS - start))

# ---- verdict ----
bad_re='WARNING:|BUG:|Oops|general protection fault|KASAN|UBSAN|possible circular locking|inconsistent lock state|possible recursive locking|suspicious RCU usage|INFO: |suspected memory leak|unreferenced object|Call Trace|sleeping function called from invalid context|Kernel panic|blocked for more than|self-detected stall|detected stalls'
rc=''
if [[ $qrc == 124 ]]; then
    echo "run.sh: TIMEOUT: guest killed after ${timeout}s (serial log: $out/serial.log)" >&2
    rc=124
elif [[ ! -f $out/.job/status ]]; then
    echo "run.sh: HARNESS FAILURE: the guest wrote no exit status (qemu exit $qrc). Serial log tail:" >&2
    tail -n 30 "$out/serial.log" >&2
    rc=125
else
    cp "$out/.job/status" "$out/status"
fi
dmesg_src=$out/dmesg.txt
[[ -f $dmesg_src ]] || dmesg_src=$out/serial.log
dirty=0
# "kasan:"/"KASAN" init banners are lower case / not reports: only match report lines.
if grep -E "$bad_re" "$dmesg_src" | grep -vE 'kasan: KernelAddressSanitizer initialized|^khttpd-init:' >/dev/null; then dirty=1; fi
if [[ -s $out/kmemleak.txt ]]; then dirty=1; fi
if [[ $dirty == 1 ]]; then
    {
        echo "================ run.sh: KERNEL PROBLEMS in $dmesg_src ================"
        grep -nE -A4 "$bad_re" "$dmesg_src" | head -n 150
        if [[ -s $out/kmemleak.txt ]]; then
            echo "---------------- kmemleak ($out/kmemleak.txt) ----------------"
            head -n 60 "$out/kmemleak.txt"
        fi
        echo "======================================================================="
    } >&2
fi
if [[ -z $rc ]]; then
    rc=$(cat "$out/status")
    [[ $rc =~ ^[0-9]+$ ]] || { echo "run.sh: HARNESS FAILURE: bad status '$rc'" >&2; rc=125; }
    if [[ $dirty == 1 ]]; then
        echo "run.sh: script exited $rc but dmesg is dirty: exit 3" >&2
        rc=3
    fi
fi
echo "run.sh: kernel $kernel, wall ${wall}s, exit $rc, logs in $out" >&2
exit "$rc"
