#!/usr/bin/env python3
"""Summarize benchmark results (JSON lines) into one Markdown table:
min / median / max per metric and server, the postie/Dovecot ratio of
medians, the target and whether it is met.

  python3 bench/lib/table.py bench/data/results/run-*.jsonl
"""
import json
import statistics
import sys

P, DD, DT = "postie", "dovecot-default", "dovecot-tuned"

# (metric, label, unit, kind, target) ; kind: "hi" higher is better.
# target: ("ratio", x) postie >= x * tuned; ("ratio_le", x); ("abs", x) postie
# >= x; ("max", x) postie <= x; None: reported only.
ROWS = [
    ("full_c1", "full sessions/s, c=1", "/s", "hi", None),
    ("full_c10", "full sessions/s, c=10", "/s", "hi", ("ratio", 4)),
    ("full_c100", "full sessions/s, c=100", "/s", "hi", ("ratio", 4)),
    ("full_c10_cpu", "server CPU per full session, c=10", "ms", "lo", None),
    ("full_c10_p50", "full session latency p50, c=10", "ms", "lo", None),
    ("full_c10_client", "load generator CPU per full session, c=10", "ms",
     "lo", None),
    ("login_c10", "login-only sessions/s, c=10", "/s", "hi", ("ratio", 2)),
    ("login_c10_cpu", "server CPU per login-only session, c=10", "ms", "lo",
     None),
    ("retr_plain", "RETR 64 x 1 MiB, plain (postie bench)", "MB/s", "hi",
     ("abs", 1000)),
    ("retr_stls", "RETR 64 x 1 MiB, STLS (postie bench)", "MB/s", "hi",
     ("abs", 700)),
    ("retr_tls", "RETR 64 x 1 MiB, port 995 (postie bench)", "MB/s", "hi",
     ("abs", 700)),
    ("curl_plain", "RETR 64 x 1 MiB, plain (curl)", "MB/s", "hi", None),
    ("curl_stls", "RETR 64 x 1 MiB, STLS (curl)", "MB/s", "hi", None),
    ("curl_tls", "RETR 64 x 1 MiB, pop3s (curl)", "MB/s", "hi", None),
    ("stat100k_cold", "100k msgs: connect+login+first STAT, no cache", "ms",
     "lo", ("max", 60)),
    ("stat100k_warm", "100k msgs: connect+login+first STAT, warm", "ms", "lo",
     ("max", 60)),
    ("stat100k_uidl", "100k msgs: UIDL of all, warm", "ms", "lo",
     ("max", 30)),
    ("ns100k_cold", "100k msgs, no sizes in names: first STAT, no cache",
     "ms", "lo", None),
    ("ns100k_warm", "100k msgs, no sizes in names: first STAT, warm", "ms",
     "lo", None),
    ("ns100k_uidl", "100k msgs, no sizes in names: UIDL, warm", "ms", "lo",
     None),
    ("idle_plain_1k", "PSS per idle logged-in conn, 1,000 plain", "kB", "lo",
     ("max", 16)),
    ("idle_tls_1k", "PSS per idle logged-in conn, 1,000 TLS", "kB", "lo",
     ("max", 64)),
    ("idle_tls_200", "PSS per idle logged-in conn, 200 TLS", "kB", "lo",
     ("max", 64)),
    ("idle_plain_10k", "PSS per idle logged-in conn, 10,000 plain", "kB", "lo",
     ("max", 16)),
    ("idle_tls_10k", "PSS per idle logged-in conn, 10,000 TLS", "kB", "lo",
     ("max", 64)),
    ("growth_1k", "first STAT (warm), 1,000 msgs", "ms", "lo", None),
    ("growth_10k", "first STAT (warm), 10,000 msgs", "ms", "lo", None),
    ("growth_100k", "first STAT (warm), 100,000 msgs", "ms", "lo", None),
    ("growth_1m", "first STAT (warm), 1,000,000 msgs", "ms", "lo", None),
]
GROWTH = [("growth_1k", 1000), ("growth_10k", 10000),
          ("growth_100k", 100000), ("growth_1m", 1000000)]
FETCH = [("fetch_small", "fetch 1,000 small msgs from Dovecot", "msgs/s"),
         ("fetch_big", "fetch 64 x 1 MiB from Dovecot", "MB/s")]


def fmt(v):
    if v is None:
        return "-"
    if abs(v) >= 100:
        return "%.0f" % v
    if abs(v) >= 10:
        return "%.1f" % v
    return "%.2f" % v


def cell(vals):
    if not vals:
        return "-"
    if len(vals) == 1:
        return "**%s**" % fmt(vals[0])
    return "%s / **%s** / %s" % (fmt(min(vals)), fmt(statistics.median(vals)),
                                 fmt(max(vals)))


def med(vals):
    return statistics.median(vals) if vals else None


def collect(results):
    by = {}
    for r in results:
        if r.get("value") is None:
            continue
        by.setdefault((r["metric"], r["server"]), []).append(r["value"])
    return by


def reached(results, metric):
    """For idle rows: the fewest connections actually held, if fewer than
    wanted (e.g. the server ran out of file descriptors)."""
    short = [(r["conns"], r["wanted"]) for r in results
             if r["metric"] == metric and r.get("value") is not None
             and r.get("conns", 0) < r.get("wanted", 0)]
    if not short:
        return ""
    return " [only %d of %d connections reached]" % min(short)


def judge(target, p, t, loop):
    if target is None or p is None:
        return ""
    kind, x = target
    if kind == "ratio":
        if not t:
            return "?"
        ok = p >= x * t
        return "%s (>= %gx tuned)" % ("met" if ok else "NOT met", x)
    if kind == "abs":
        ok = p >= x
        extra = ""
        if loop:
            extra = ", %.0f %% of loopback" % (100.0 * p / loop)
        return "%s (>= %g%s)" % ("met" if ok else "NOT met", x, extra)
    ok = p <= x
    return "%s (<= %g)" % ("met" if ok else "NOT met", x)


def slope(by, server):
    """Least-squares slope of first-STAT ms over message count, in us per
    message, and the per-message cost at each size."""
    pts = [(n, med(by.get((m, server), []))) for m, n in GROWTH]
    pts = [(n, v) for n, v in pts if v is not None]
    if len(pts) < 2:
        return None, ""
    mx = sum(n for n, _ in pts) / len(pts)
    my = sum(v for _, v in pts) / len(pts)
    sxx = sum((n - mx) ** 2 for n, _ in pts)
    b = sum((n - mx) * (v - my) for n, v in pts) / sxx
    per = ", ".join("%dk: %.2f" % (n // 1000, 1000.0 * v / n) for n, v in pts)
    return 1000.0 * b, per


def render(results, meta=None):
    by = collect(results)
    loop = med(by.get(("loopback", "machine"), []))
    out = []
    if meta:
        out.append(meta)
        out.append("")
    out.append("| metric | postie | Dovecot default | Dovecot tuned | "
               "postie/default | postie/tuned | target |")
    out.append("|---|---|---|---|---|---|---|")
    for m, label, unit, kind, target in ROWS:
        vals = [by.get((m, s), []) for s in (P, DD, DT)]
        if not any(vals):
            continue
        p, d, t = (med(v) for v in vals)
        rd = "%.2f" % (p / d) if p is not None and d else "-"
        rt = "%.2f" % (p / t) if p is not None and t else "-"
        note = reached(results, m) if m.startswith("idle_") else ""
        out.append("| %s (%s)%s | %s | %s | %s | %s | %s | %s |" % (
            label, unit, note, cell(vals[0]), cell(vals[1]), cell(vals[2]),
            rd, rt, "NOT met (connections refused; per held connection: "
            "%s)" % judge(target, p, t, loop) if note else
            judge(target, p, t, loop)))
    for srv, name in ((P, "postie"), (DT, "Dovecot tuned")):
        b, per = slope(by, srv)
        if b is not None:
            out.append("| first-STAT growth, %s: slope (us/msg); us/msg at "
                       "each size: %s | %s | | | | | linear: slope reported "
                       "|" % (name, per, fmt(b)))
    if loop:
        out.append("| machine: loopback TCP, 1 stream (MB/s) | %s | | | | | "
                   "|" % cell(by[("loopback", "machine")]))
    rd = by.get(("readdir_cold", "machine"))
    if rd:
        out.append("| machine: readdir of huge/cur (100k names), page cache "
                   "dropped, no server (ms) | %s | | | | | |" % cell(rd))
    if any((m, c) in by for m, _, _ in FETCH
           for c in ("postie", "mpop", "fetchmail")):
        out.append("")
        out.append("| fetch (client) | postie fetch | mpop | fetchmail | "
                   "postie/mpop | target |")
        out.append("|---|---|---|---|---|---|")
        for m, label, unit in FETCH:
            vals = [by.get((m, c), []) for c in ("postie", "mpop",
                                                  "fetchmail")]
            p, mp = med(vals[0]), med(vals[1])
            r = "%.2f" % (p / mp) if p and mp else "-"
            if m == "fetch_small":
                tg = "-" if not (p and mp) else "%s (>= 2x mpop)" % (
                    "met" if p >= 2 * mp else "NOT met")
            else:
                tg = "-" if not (p and loop) else \
                    "%s (>= 90 %% of loopback: %.0f %%)" % (
                        "met" if p >= 0.9 * loop else "NOT met",
                        100.0 * p / loop)
            out.append("| %s (%s) | %s | %s | %s | %s | %s |" % (
                label, unit, cell(vals[0]) if vals[0] else "n/a",
                cell(vals[1]), cell(vals[2]), r, tg))
    return "\n".join(out)


def main(paths):
    results, meta = [], []
    for p in paths:
        with open(p) as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                r = json.loads(line)
                if "meta" in r:
                    meta.append(r["meta"])
                else:
                    results.append(r)
    print(render(results, "\n".join(meta) if meta else None))


if __name__ == "__main__":
    main(sys.argv[1:])
