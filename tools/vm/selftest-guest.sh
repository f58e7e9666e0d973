#!/bin/bash
# Guest script used to check tools/vm/run.sh itself.
#   selftest-guest.sh ok     print kernel/tool versions, exit 0
#   selftest-guest.sh exit7  exit 7
#   selftest-guest.sh serve  serve $KHTTPD_OUT over HTTP on guest port 80 until the host
#                            creates $KHTTPD_OUT/stop (for --hostfwd; gives up after 300 s)
#   selftest-guest.sh warn   write a fake "WARNING:" line to the kernel log (run.sh must exit 3)
set -euo pipefail
echo "guest: kernel $(uname -r) (KHTTPD_KERNEL=$KHTTPD_KERNEL KHTTPD_KVER=$KHTTPD_KVER) cwd $PWD"
case ${1:-ok} in
    ok)
        [[ -d /proc/sys/kernel ]] || { echo "no /proc/sys"; exit 1; }
        curl --version | head -n1
        python3 -c 'print(1)'
        [[ -d /sys/kernel/debug/kunit ]] && echo "guest: KUnit debugfs present: /sys/kernel/debug/kunit"
        echo hello >"$KHTTPD_OUT/from-guest.txt"
        echo "guest: uptime $(cut -d' ' -f1 /proc/uptime)s"
        ;;
    exit7) exit 7 ;;
    serve)
        ip -brief addr
        cd "$KHTTPD_OUT" && echo "hello from guest" >index.html
        python3 -m http.server 80 >/dev/null 2>&1 &
        for _ in $(seq 300); do [[ -e $KHTTPD_OUT/stop ]] && break; sleep 1; done
        kill %1
        [[ -e $KHTTPD_OUT/stop ]]
        ;;
    warn) echo 'WARNING: test (run.sh selftest)' >/dev/kmsg ;;
    *) echo "unknown mode $1"; exit 2 ;;
esac
