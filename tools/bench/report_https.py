# SPDX-License-Identifier: GPL-2.0
"""The HTTPS leg's part of the benchmark report (tools/bench/https.sh's runs):
its section of benchmarks.md, its targets (issue 14) and its checks.

Its rows in results.csv carry the workload https-ka, https-4m or https-hs; https.csv
has, per run, the kernel-TLS evidence: tls_adopted (khttpd connections the kernel
took back from the daemon) and the TlsTxSw/TlsRxSw deltas of /proc/net/tls_stat
(sockets that got kernel TLS)."""

import csv
import os

HTTPS_WL = ["https-ka", "https-4m", "https-hs"]
HTTPS_TITLE = {"https-ka": "1 KiB keep-alive", "https-4m": "4 MiB keep-alive",
               "https-hs": "handshakes: 1 KiB, connection per request"}
HTTPS_SERVERS = ["khttpd", "nginx", "apache"]
# Issue 14's targets: (workload, peer, field, minimum khttpd / peer, label).
HTTPS_TARGETS = [("https-ka", "nginx", "rps", 1.5, "1 KiB keep-alive >= 1.5x nginx"),
                 ("https-4m", "nginx", "mbps", 1.0, "4 MiB >= 1.0x nginx (MB/s)"),
                 ("https-hs", "nginx", "rps", 1.0, "handshakes/s >= 1.0x nginx")]


def is_https(r):
    return (r.get("workload") or "").startswith("https")


def load_extra(results_dir):
    """https.csv rows: {(placement, server, workload, round): dict}."""
    p = os.path.join(results_dir, "https.csv")
    if not os.path.exists(p):
        return {}
    with open(p, newline="") as f:
        return {(r["placement"], r["server"], r["workload"], int(r["round"])): r
                for r in csv.DictReader(f)}


def _f(x):
    if x != x:
        return "n/a"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.3g}"


def _rounds(a, b, field):
    return [a["by_round"][n][field] / b["by_round"][n][field]
            for n in sorted(a["by_round"]) if n in b["by_round"] and b["by_round"][n][field]]


def _span(rr):
    if not rr:
        return "n/a"
    return f"{min(rr):.2f}" if len(rr) == 1 else f"{min(rr):.2f}-{max(rr):.2f}"


def _extra_sum(extra, pl, srv, wl, field):
    vals = [int(v[field]) for (p, s, w, _), v in extra.items() if (p, s, w) == (pl, srv, wl)]
    return sum(vals) if vals else None


def https_lines(hcells, settings, extra, hz_us_note=True):
    """(markdown lines, verdicts [(placement, label, met)]) for the HTTPS section."""
    if not hcells:
        return [], []
    placements = [p for p in ("pinned", "shared") if any(k[0] == p for k in hcells)]
    out = ["### HTTPS", ""]
    w = out.append
    w("Each server on the same test certificate (ECDSA P-256, `tests/vm/tls_pki.sh`) and the same "
      "protocol and cipher: the clients (wrk, curl, `openssl s_client`) read an OpenSSL "
      "configuration offering TLS 1.3, TLS_AES_128_GCM_SHA256 and X25519 only, and nginx and "
      "Apache are set to those too. **khttpd**: `tls_port`; khttpd-fallbackd does each handshake "
      "in userspace (OpenSSL), sets kernel TLS on the socket and gives it back to the kernel, "
      "which serves the file (pinned: the daemon on vCPU 0 beside the worker, its CPU time "
      "counted as khttpd's). **nginx**: `listen ... ssl`, `sendfile on`, "
      "`ssl_conf_command Options KTLS` (whether OpenSSL gives it kernel TLS is measured: "
      "below). **Apache**: event MPM, mod_ssl (no kTLS option: userspace TLS). "
      "Cells: 1 KiB keep-alive c=32; 4 MiB keep-alive c=8 (an answer takes about a second "
      "under TCG, and answers in flight when wrk stops are not counted; 8 keep that loss "
      "small); handshakes = 1 KiB with `Connection: close` at c=32, so req/s is new TLS "
      "connections (full handshakes: wrk resumes no session) per second. Servers alternate "
      "within each round.")
    w("")
    neg = [(k[len("https_negotiated_"):], v) for k, v in settings.items()
           if k.startswith("https_negotiated_")]
    if neg:
        w("Negotiated (openssl s_client with the benchmark's client settings): "
          + "; ".join(f"{k.replace('_', ' ')}: {v}" for k, v in sorted(neg)) + ".")
        w("")
    for pl in placements:
        probe = settings.get(f"https_nginx_ktls_{pl}")
        tx = _extra_sum(extra, pl, "nginx", "https-ka", "tls_tx_sw")
        if probe is None and tx is None:
            continue
        w(f"nginx's kernel TLS, {pl}: its debug log of one probe connection: {probe or 'n/a'}; "
          f"TlsTxSw rose by {tx if tx is not None else 'n/a'} and TlsRxSw by "
          f"{_extra_sum(extra, pl, 'nginx', 'https-ka', 'tls_rx_sw')} in its 1 KiB keep-alive runs "
          "(a count of sockets). "
          + (f"So OpenSSL ({settings.get('openssl', '?').split(' (')[0]}) does turn kernel TLS on "
             "for nginx's sending side (TLS 1.3: OpenSSL 3.0 sets transmit only; nginx decrypts "
             "requests in userspace)."
             if tx else "So nginx encrypts in userspace: no socket got kernel TLS."))
        w("")
    w("| placement | cell | server | req/s | MB/s | spread | p99 ms | CPU us/req | server us/req "
      "| khttpd / this | per round | tls_adopted per run | TlsTxSw per run | errors |")
    w("|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|")
    for pl in placements:
        for wl in HTTPS_WL:
            cell = hcells.get((pl, wl))
            if not cell:
                continue
            k = cell.get("khttpd")
            field = "mbps" if wl == "https-4m" else "rps"
            for srv in [s for s in HTTPS_SERVERS if s in cell]:
                d = cell[srv]
                if srv != "khttpd" and k:
                    r = f"{(k[field] / d[field]) if d[field] else float('nan'):.2f}"
                    rr = _span(_rounds(k, d, field))
                else:
                    r = rr = ""
                n = d["n"]
                ad = _extra_sum(extra, pl, srv, wl, "tls_adopted")
                tx = _extra_sum(extra, pl, srv, wl, "tls_tx_sw")
                ad_t = "" if ad is None else _f(ad / n)
                tx_t = "n/a" if tx is None else _f(tx / n)
                unit = " conn/s" if wl == "https-hs" else ""
                errs = ", ".join(f"{e} {v}" for e, v in d["errors"].items() if v) or "-"
                w(f"| {pl} | {HTTPS_TITLE[wl]} c={d['conc']} | {srv} | {_f(d['rps'])}{unit} "
                  f"| {_f(d['mbps'])} | {d['spread_pct']:.0f}% | {_f(d['p99_ms'])} | {_f(d['cpu_us'])} "
                  f"| {_f(d['srv_us'])} | {r} | {rr} | {ad_t} | {tx_t} | {errs} |")
    w("")
    w("CPU us/req: the whole guest's busy time per request (wrk included); server us/req: the "
      "server's own tasks' (khttpd: its worker thread and khttpd-fallbackd). tls_adopted: "
      "connections khttpd's daemon gave back to the kernel with kernel TLS (the kernel served "
      "them); TlsTxSw: sockets that got kernel TLS for sending in that run.")
    w("")
    verdicts = []
    w("#### HTTPS targets (issue 14), judged in every round")
    w("")
    w("Server CPU per request = the peer's own CPU time per request over khttpd's (worker and "
      "daemon), per round: how many times more of this cell's requests khttpd's vCPU could "
      "serve if the client were not the limit (in the pinned placement wrk's one vCPU often is).")
    w("")
    w("| placement | target | khttpd / nginx per round | verdict | server CPU per request: nginx / khttpd, per round |")
    w("|---|---|--:|---|--:|")
    for pl in placements:
        for wl, peer, field, want, label in HTTPS_TARGETS:
            cell = hcells.get((pl, wl), {})
            if "khttpd" not in cell or peer not in cell:
                continue
            rr = _rounds(cell["khttpd"], cell[peer], field)
            met = bool(rr) and min(rr) >= want
            if met:
                v = "met"
            elif rr:
                v = (f"NOT MET: lowest round {min(rr):.2f}, {(1 - min(rr) / want) * 100:.0f}% short"
                     + ("" if max(rr) < want else f" (met in {sum(x >= want for x in rr)} of {len(rr)} rounds)"))
            else:
                v = "NOT MET: no round"
            cap = [x for x in _rounds(cell[peer], cell["khttpd"], "srv_us") if x == x]
            w(f"| {pl} | {label} | {' '.join(f'{x:.2f}' for x in rr)} | {v} "
              f"| {' '.join(f'{x:.2f}' for x in cap) or 'n/a'} |")
            verdicts.append((pl, "HTTPS " + label, met))
    w("")
    return out, verdicts


def cell_problems(where, d, rounds):
    """What is wrong with one server's cell (d: its aggregate), for --check."""
    if not d:
        return [f"{where}: no result"]
    if d["n"] != rounds:
        return [f"{where}: {d['n']} of {rounds} rounds"]
    if d["requests"] <= 0 or d["errors"]["status"]:
        return [f"{where}: no requests or non-2xx answers"]
    return []


def https_check(hrows, hcells, settings, extra):
    """Problems with the HTTPS leg's runs (make check fails on any)."""
    problems = []
    cells = settings.get("https_cells", "").split()
    if not cells:
        return problems
    rounds = int(settings.get("rounds", "1"))
    servers = [s for s in HTTPS_SERVERS if s in (settings.get("servers", "").split() or HTTPS_SERVERS)]
    for pl in settings.get("https_placements", "").split():
        if pl not in settings.get("placements", "").split():
            continue
        for c in cells:
            f = c.split(":")
            wl = f[0]
            only = f[4].split(",") if len(f) > 4 and f[4] else servers
            for srv in [s for s in servers if s in only]:
                d = hcells.get((pl, wl), {}).get(srv)
                where = f"HTTPS {srv} {pl} {wl}"
                problems += cell_problems(where, d, rounds)
                if srv == "khttpd":
                    for r in range(1, rounds + 1):
                        e = extra.get((pl, srv, wl, r))
                        if not e or int(e["tls_adopted"]) <= 0:
                            problems.append(f"{where} round {r}: tls_adopted did not rise")
    return problems
