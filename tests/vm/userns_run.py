#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Runs a shell command as a container's root: in a new user namespace
(root mapped to the caller's uid) that owns a new network namespace, as
`unshare -U -r -n` does (tests/vm/netns.sh).

unshare(1) cannot do it in the test VM: the test scripts run chrooted
(tools/vm/run.sh), and the kernel refuses CLONE_NEWUSER to a chrooted
process. So this leaves the chroot for the root of the VM's mount
namespace (/proc/1/root: init is not chrooted), unshares there, and goes
back into the directory it came from before it runs the command.

usage: userns_run.py BASH-COMMAND
"""
import ctypes
import os
import sys

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000


def main():
    uid, gid = os.getuid(), os.getgid()
    back = os.open("/", os.O_RDONLY | os.O_DIRECTORY)
    os.chroot("/proc/1/root")
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        sys.exit(f"unshare: {os.strerror(err)}")
    # Root of the new user namespace may chroot: back to the test's root.
    os.fchdir(back)
    os.chroot(".")
    os.close(back)
    with open("/proc/self/setgroups", "w") as f:
        f.write("deny")
    with open("/proc/self/uid_map", "w") as f:
        f.write(f"0 {uid} 1")
    with open("/proc/self/gid_map", "w") as f:
        f.write(f"0 {gid} 1")
    os.execvp("bash", ["bash", "-c", sys.argv[1]])


if __name__ == "__main__":
    main()
