#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A hand-over daemon that registers and then never reads: the kernel's
queue of connections for it must stay bounded (tests/vm/handover.sh).

usage: stuck_daemon.py   (prints "registered", then waits to be killed)
"""
import fcntl
import os
import socket
import struct
import threading
import time

# _IOW('k', 0x01, int) from include/uapi/khttpd/fallback.h
KHTTPD_IOC_SERVE = (1 << 30) | (struct.calcsize("i") << 16) | (ord("k") << 8) | 0x01


def main():
    ctl = os.open("/proc/net/khttpd/fallback", os.O_RDONLY)
    mine, kernels = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    # The smallest send buffer: the courier's sends block after a few.
    kernels.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1)

    def courier():
        fcntl.ioctl(ctl, KHTTPD_IOC_SERVE, struct.pack("i", kernels.fileno()))

    threading.Thread(target=courier, daemon=True).start()
    time.sleep(1)
    print("registered", flush=True)
    while True:  # never reads `mine`
        time.sleep(3600)


if __name__ == "__main__":
    main()
