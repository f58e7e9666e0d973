#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Calls and time per call from a function_graph trace (tools/bench/profile-guest.sh).

Reads /sys/kernel/tracing/trace of the function_graph tracer with the
funcgraph-tail and funcgraph-proc options, and prints per function and per
kind of task (khttpd's workers, wrk, the peer server, softirq threads,
idle = softirq work that interrupted the idle task): calls, calls per
request, mean inclusive time per call and time per request.

Usage: ftrace_times.py --requests N < trace
"""
import argparse
import collections
import re
import sys

LINE = re.compile(r"^\s*\d+\)\s+(?P<proc>\S.*?)\s+\|\s*[+!#*@$]?\s*(?P<us>[\d.]+)\s*us\s*\|\s*(?P<what>.*)$")


def task_kind(proc):
    comm = re.sub(r"-\d+$", "", proc)
    for prefix, kind in (("khttpd", "khttpd"), ("wrk", "wrk"), ("nginx", "nginx"),
                         ("apache", "apache2"), ("ksoftir", "ksoftirqd"), ("<idle>", "idle")):
        if comm.startswith(prefix):
            return kind
    return "other"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, required=True)
    a = ap.parse_args()
    calls = collections.Counter()
    total_us = collections.Counter()
    lost = 0
    for line in sys.stdin:
        if "LOST" in line:
            lost += 1
        m = LINE.match(line)
        if not m:
            continue
        what = m.group("what").strip()
        if what.startswith("}"):
            fm = re.match(r"\}\s*/\*\s*(.*?)\s*\*/", what)
            if not fm:
                continue
            fn = fm.group(1)
        elif what.endswith("();"):
            fn = what[:-3]
        else:
            continue
        fn = fn.replace(" [khttpd]", "")
        key = (task_kind(m.group("proc")), fn)
        calls[key] += 1
        total_us[key] += float(m.group("us"))
    n = max(a.requests, 1)
    print(f"function_graph times over {a.requests} requests (inclusive wall time per call, "
          "as the traced guest sees it; the ring buffer keeps the latest events only, "
          "so calls per request can read low when it wrapped)")
    if lost:
        print(f"(trace reports lost events {lost} times)")
    print(f"{'task':10s} {'calls':>8s} {'per req':>8s} {'us/call':>9s} {'us/req':>8s}  function")
    for key in sorted(calls, key=lambda k: (k[0], -total_us[k])):
        c = calls[key]
        if c < n / 100:
            continue
        print(f"{key[0]:10s} {c:8d} {c / n:8.2f} {total_us[key] / c:9.2f} {total_us[key] / n:8.2f}  {key[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
