#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The lab's machine-readable results: a result file of one JSON object a line.

  results.py [table [FILE]]
      prints the runs of FILE (by default the newest result file: make
      lab's, soak.sh's, a single run's, make check's): each run's verdict, seconds, fault and
      checks, then the benchmark's ratios (ratios)
  results.py record FILE SUMMARY CHECKS ATTEMPT
      appends the run of SUMMARY (run.sh's summary.txt) as a "run" object:
      run, mode, variant, attempt, pass, seconds, fault, retry, why,
      triple_fault_rip, guest_rip (fault.py), problems; l0_rescues, when the
      watchdog woke an L0 that had lost an interrupt (host/qemu.sh); checks,
      the verdict of each check CHECKS (tests/lab/checks) lists for the
      variant or mode (ok, failed, skipped: its condition did not hold, the
      reason in skipped); guests, one object per guest run (mode, result, and its
      lines whose key tests/lab/keys lists: key, from, text, fields; irqs,
      the interrupts each CPU took per IRQ, from its irq_cpus lines); dom0,
      Dom0's lines. A benchmark's boot has cycles_asked and cycles_done
      too, and each of its guests its cycle
  results.py bench FILE
      appends the figures of FILE's last benchmark (bench.sh: its boots are
      the bench runs from its attempt 1 on, and of each boot the guests of
      the cycles it finished are pooled) as a "bench" object: boots (run,
      attempt, fault, cycles asked and done, the cycle a fault cut short
      and how many of its guests had finished: dropped), pooled (each
      cycle's boot), lost (cycles cut short, per fault), net (TCP into and
      out of L1: each driver's median round in centiseconds, pooled and per
      cycle, and the MiB moved; the echo time; per MiB moved, the front
      end's L0 events, its notifications (sends), netback's interrupts
      (l0_irqs), blanket's hypercalls), blk (per job: each driver's IOPS or
      KiB/s, median and per cycle, and its costs per MiB, those of blkback
      and of grant ops too; all jobs' costs per MiB), and blanket / in-tree
      ratios of each, pooled and per cycle
  results.py ratios FILE
      the last bench object's ratios as one short table
  results.py compare FILE [BENCH_FILE]
      appends the figures of FILE's last comparison run ("forwarded
      compare", make lab-full: guest/compare.sh) as a "compare" object: per
      path (blanket, L0's emulated devices, the L2 guest; direct: the nopv
      guests of BENCH_FILE's last bench run, by default FILE's, if any) the
      median TCP round each way, the echo time, each block job's rate, and
      the costs per MiB; the ratios blanket/emulated, l2/blanket and
      forwarded/direct; emulated_kernel, what the kernel log said over the
      emulated half (clean, complained)
  results.py comparison FILE
      the last compare object's ratios as one table, then the issue's
      targets for them, a "target: ... pass|miss" line each
  results.py show FILE LABEL
      the result lines of LABEL's last run ("nopv", "nopv untrusted") whose
      key tests/lab/keys shows in its mode's summary
  results.py pool FILE LABEL KEY FIELD HOW
      FIELD of KEY's lines in all guests of LABEL's last run (bench: of
      the cycles results.py bench pools): the first,
      their sum, mean, median, or joined with commas
      (HOW: first|sum|mean|median|join); nothing if no line has it
  results.py soak FILE
      for soak.sh: runs, passes, emulator retries, other failures, and
      the fault classes seen
  results.py count FILE
      for `make check`: a PASS:/FAIL: line for each check of the last
      attempt of each mode, and for each run's verdict (a SKIP: line, not
      counted, for a check skipped), then "PASSED FAILED"
"""
import fnmatch
import glob
import json
import os
import re
import sys

LAB = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(LAB))
LINE = re.compile(r"(LAB|LAB-EXTRA|DOM0): (L2: )?([^\s=]+)(?:[=\s]|$)")


def keys():
    """tests/lab/keys: (pattern, shown in which modes' summaries)."""
    out = []
    for line in open(os.path.join(LAB, "keys")):
        w = line.split()
        if len(w) >= 3 and not w[0].startswith("#"):
            out.append((w[0], w[2].split(",")))
    return out


def listed(key, table):
    return next((shown for pat, shown in table if fnmatch.fnmatchcase(key, pat)), None)


def fields(text):
    """The FIELD=VALUE words of a line's text; the key's own value too."""
    return dict(w.split("=", 1) for w in text.split() if "=" in w)


def checks_for(path, mode):
    names = []
    for line in open(path):
        w = line.split()
        if w and not w[0].startswith("#") and mode in w[1].split(","):
            names.append(w[0])
    return names


def parse_line(line, table):
    """A result line as {key, from, text, fields}, or None if not listed."""
    m = LINE.match(line)
    if not m:
        return None
    key = ("L2:" if m.group(2) else "") + m.group(3)
    if listed(key, table) is None:
        return None
    text = line[len(m.group(1)) + 2:]
    return {"key": key, "from": m.group(1), "text": text,
            "fields": fields(text[len(m.group(2) or ""):])}


def record(path, summary, checks, attempt):
    lines = open(summary, errors="replace").read().splitlines()
    m = re.match(r"run (\S+) mode=(\S+)", lines[0] if lines else "")
    r = {"kind": "run", "run": m.group(1) if m else "?",
         "mode": m.group(2) if m else "?", "attempt": int(attempt)}
    table = keys()
    seen = {}
    guests, dom0 = [], []
    cycle = None
    for line in lines:
        k, _, v = line.partition("=")
        if k in ("variant", "fault", "retry", "why", "triple_fault_rip", "guest_rip"):
            r[k] = v
        elif k == "bench_cycles":
            r["cycles_asked"] = [int(c) for c in v.split(",")]
            r["cycles_done"] = []
        elif k == "qemu_start_to_qemu_exit":
            r["seconds"] = int(v.rstrip("s") or 0)
        elif k == "l0_rescue":
            r.setdefault("l0_rescues", []).append(v)
        elif line.startswith("problem: "):
            r.setdefault("problems", []).append(line[9:])
        c = re.match(r"LAB-EXTRA: check=(\S+) (ok|failed|skipped)( \(.*\))?$", line)
        if c:
            seen[c.group(1)] = c.group(2)
            if c.group(3):
                r.setdefault("skipped", {})[c.group(1)] = c.group(3)[2:-1]
        # The benchmark's guests follow Dom0's line naming their cycle;
        # a cycle is finished once Dom0 says so (dom0/init.sh).
        b = re.match(r"DOM0: bench_guest=\S+ cycle=(\d+)$|DOM0: bench_cycle=(\d+) ", line)
        if b and b.group(1):
            cycle = int(b.group(1))
        elif b:
            r.setdefault("cycles_done", []).append(int(b.group(2)))
        # Each guest's lines begin with its mode (guest/init.sh).
        if line.startswith("LAB: mode="):
            guests.append({"mode": line.split()[1][5:], "result": None, "lines": []})
            if cycle is not None:
                guests[-1]["cycle"], cycle = cycle, None
        elif line.startswith("LAB-RESULT: ") and guests:
            guests[-1]["result"] = line[12:]
        p = parse_line(line, table)
        if p and p["key"] == "irq_cpus" and guests:
            guests[-1].setdefault("irqs", {})[p["fields"]["irq_cpus"]] = [
                int(c) for c in p["fields"].get("per_cpu", "").split(",") if c.isdigit()]
        if p and p["from"] == "DOM0":
            dom0.append(p)
        elif p and guests:
            guests[-1]["lines"].append(p)
    # A variant's checks are listed under its name (tests/lab/checks).
    r["checks"] = {n: seen.get(n, "missing")
                   for n in checks_for(checks, r.get("variant") or r["mode"])}
    r["guests"] = guests
    r["dom0"] = dom0
    r["pass"] = not r.get("problems")
    with open(path, "a") as f:
        f.write(json.dumps(r) + "\n")


def label(r):
    """A run's mode, and its variant if it has one: "nopv untrusted"."""
    return r["mode"] + (f" {r['variant']}" if r.get("variant") else "")


def load(path):
    try:
        return [json.loads(line) for line in open(path) if line.strip()]
    except OSError:
        return []


def last_run(path, lab):
    runs = [r for r in load(path) if r["kind"] == "run" and label(r) == lab]
    return runs[-1] if runs else {}


def newest():
    lab_dir = os.environ.get("BLANKET_LAB_DIR", os.path.join(TOP, "build", "lab"))
    files = glob.glob(os.path.join(lab_dir, "*.json"))
    files += glob.glob(os.path.join(lab_dir, "runs", "*", "result.json"))
    files += glob.glob(os.path.join(TOP, "build", "check", "lab-result.json"))
    files = [f for f in files if os.path.getsize(f)]
    if not files:
        sys.exit("no result file: run make lab, make check or tests/lab/soak.sh")
    return max(files, key=os.path.getmtime)


def table(path):
    print(f"== {path}")
    recs = load(path)
    for r in (r for r in recs if r["kind"] == "run"):
        print(f"{label(r):<10} attempt {r['attempt']}  "
              f"{'PASS' if r['pass'] else 'FAIL'}  {r.get('seconds', '?')}s  "
              f"fault={r.get('fault', '?')}"
              + (f" ({r['why']})" if r.get("fault") not in (None, "none") else ""))
        bad = [f"{n}={v}" for n, v in r["checks"].items() if v not in ("ok", "skipped")]
        skip = [n for n, v in r["checks"].items() if v == "skipped"]
        if r["checks"]:
            print(f"           checks: {len(r['checks']) - len(bad) - len(skip)} of "
                  f"{len(r['checks'])} ok" + (f"; {' '.join(bad)}" if bad else "")
                  + (f"; skipped: {' '.join(skip)}" if skip else ""))
        for p in r.get("problems", [])[:3]:
            print(f"           problem: {p}")
    if any(r["kind"] == "bench" for r in recs):
        ratios(path)


def show(path, lab):
    r = last_run(path, lab)
    table = keys()
    for g in r.get("guests", []):
        for p in g["lines"]:
            if r["mode"] in listed(p["key"], table):
                print(f"{p['from']}: {p['text']}")


def number(v):
    """A field's leading number ("12.5ms": 12.5); 0 if it has none."""
    return float(re.match(r"-?[0-9.]*", v).group() or 0)


def median(num):
    num = sorted(num)
    mid = len(num) // 2
    return num[mid] if len(num) % 2 else (num[mid - 1] + num[mid]) / 2


def values(run, key, field):
    """FIELD of KEY's lines in all guests of RUN, as they are written."""
    return [p["fields"][field] for g in run.get("guests", []) for p in g["lines"]
            if p["key"] == key and p["fields"].get(field, "") != ""]


def pool(path, lab, key, field, how):
    run = bench_run(path) if lab == "bench" else last_run(path, lab)
    vals = values(run, key, field)
    if not vals:
        return
    num = [number(v) for v in vals]
    if how == "first":
        print(vals[0])
    elif how == "sum":
        print(int(sum(num)) if sum(num).is_integer() else round(sum(num), 6))
    elif how == "mean":
        print(f"{sum(num) / len(num):.1f}")
    elif how == "median":
        med = median(num)
        print(int(med) if med.is_integer() else round(med, 1))
    else:
        print(",".join(vals))


# The benchmark (bench.sh): each driver's guests, the key prefix of their
# lines, and the block benchmark's jobs (guest/lib.sh's lab_blk_bench).
DRIVERS = (("in-tree", "baseline", ""), ("blanket", "nopv", "blanket_"))
BLK_JOBS = [f"{j}_qd{q}" for j in ("randread", "randwrite", "seqread", "seqwrite")
            for q in (1, 32)]
# What a MiB cost: the counts of each driver's lines, by their field names
# without the key's prefix (in-tree has no hypercall or grant op counts).
COSTS = ("events", "sends", "l0_irqs", "hypercalls", "grant_ops")


def lower_median(vals):
    """The middle time, the lower of two: lib.sh's quartile 2, as
    bench-report.sh prints it."""
    vals = sorted(vals)
    return vals[(len(vals) - 1) // 2] if vals else None


def div(a, b, digits=3):
    return round(a / b, digits) if a is not None and b else None


def bench_boots(path):
    """The boots of the last benchmark: its bench runs from attempt 1 on."""
    runs = [r for r in load(path) if r["kind"] == "run" and label(r) == "bench"]
    first = max((i for i, r in enumerate(runs) if r["attempt"] == 1), default=len(runs))
    return runs[first:]


def bench_run(path):
    """The last benchmark as one run: its first boot's record with the
    guests of every cycle its boots finished (pooled)."""
    boots = bench_boots(path)
    return dict(boots[0], guests=pooled(boots)[1]) if boots else {}


def pooled(boots):
    """({cycle: its boot's run}, the guests of those cycles in cycle
    order): every cycle a boot finished, never one cut short."""
    where, guests = {}, []
    for r in boots:
        for c in r.get("cycles_done", []):
            if c in where:
                sys.exit(f"cycle {c} finished in both {where[c]} and {r['run']}")
            where[c] = r["run"]
            guests += [g for g in r["guests"] if g.get("cycle") == c]
    return dict(sorted(where.items())), sorted(guests, key=lambda g: g["cycle"])


def bench_guests(guests):
    """Per driver, its guests' lines as {key: fields} each, in order."""
    return {d: [{p["key"]: p["fields"] for p in g["lines"]}
                for g in guests if g["mode"] == mode]
            for d, mode, _ in DRIVERS}


def costs(lines, prefix, mib):
    """COSTS per MiB of lines' fields named PREFIX + cost, summed."""
    out = {}
    for c in COSTS:
        vals = [number(f[prefix + c]) for f in lines if f.get(prefix + c, "") != ""]
        if vals:
            out[c] = div(sum(vals), mib)
    return out


def bench_net(guests):
    """TCP both ways, echoes and the costs per MiB, per driver and pooled."""
    net = {}
    for d, _, pre in DRIVERS:
        gs = guests[d]
        side = {}
        mib_all = [0.0] * len(gs)
        for way in ("rx", "tx"):
            lines = [g.get(f"{pre}tcp_{way}", {}) for g in gs]
            rounds = [[number(t) for t in f.get("all", "").split(",") if t] for f in lines]
            mib = [number(f.get("bytes", "0")) * number(f.get("rounds", "0")) / 2**20
                   for f in lines]
            mib_all = [a + b for a, b in zip(mib_all, mib)]
            # Pooled, the middle of all rounds; per cycle, each guest's own.
            side[f"tcp_{way}"] = {"centiseconds": lower_median(sum(rounds, [])),
                                  "cycles": [number(f.get("centiseconds", "0")) for f in lines],
                                  "mib": round(sum(mib), 3)}
        pps = [g.get(f"{pre}tcp_pps", {}) for g in gs]
        cs = [number(f.get("centiseconds", "0")) for f in pps]
        n = [number(f.get("echoes", "0")) for f in pps]
        side["echo_cs"] = div(sum(cs), sum(n), 4)
        side["echo_cs_cycles"] = [div(a, b, 4) for a, b in zip(cs, n)]
        # The transfer's counts: in-tree's tcp_events line has tcp_events,
        # tcp_sends..., blanket's blanket_tcp_events, blanket_tcp_sends...
        ev = [g.get(f"{pre}tcp_events", {}) for g in gs]
        side["per_mib"] = costs(ev, f"{pre}tcp_", sum(mib_all))
        side["per_mib_cycles"] = [costs([f], f"{pre}tcp_", m) for f, m in zip(ev, mib_all)]
        net[d] = side
    t, b = net["in-tree"], net["blanket"]
    # blanket / in-tree: throughput over the same bytes is the inverse
    # ratio of the times; so is the echo rate.
    for way in ("tcp_rx", "tcp_tx"):
        net[f"{way}_ratio"] = div(t[way]["centiseconds"], b[way]["centiseconds"], 2)
        net[f"{way}_ratio_cycles"] = [div(x, y, 2) for x, y in
                                      zip(t[way]["cycles"], b[way]["cycles"])]
    net["echo_ratio"] = div(t["echo_cs"], b["echo_cs"], 2)
    net["echo_ratio_cycles"] = [div(x, y, 2) for x, y in
                                zip(t["echo_cs_cycles"], b["echo_cs_cycles"])]
    net["per_mib_ratio"] = {c: div(b["per_mib"][c], t["per_mib"].get(c), 2)
                            for c in b["per_mib"] if c in t["per_mib"]}
    return net


def bench_blk(guests):
    """Per job of the block benchmark: each driver's rate (IOPS for random
    jobs, KiB/s for sequential ones) per cycle and their median, its costs
    per MiB; blanket's rate over in-tree's."""
    blk = {}
    totals = {}
    for job in BLK_JOBS:
        rate = "iops" if job.startswith("rand") else "kib_s"
        j = {}
        for d, _, pre in DRIVERS:
            lines = [g[f"{pre}bench_{job}"] for g in guests[d] if f"{pre}bench_{job}" in g]
            cycles = [number(f.get(rate, "0")) for f in lines]
            mib = sum(number(f.get("kib", "0")) for f in lines) / 1024
            j[d] = {rate: median(cycles) if cycles else None, "cycles": cycles,
                    "per_mib": costs(lines, "", mib)}
            tot = totals.setdefault(d, {"mib": 0.0, "lines": []})
            tot["mib"] += mib
            tot["lines"] += lines
        j["ratio"] = div(j["blanket"][rate], j["in-tree"][rate], 2)
        j["ratio_cycles"] = [div(b, t, 2) for b, t in
                             zip(j["blanket"]["cycles"], j["in-tree"]["cycles"])]
        blk[job] = j
    per = {d: costs(tot["lines"], "", tot["mib"]) for d, tot in totals.items()}
    blk["per_mib"] = per
    blk["per_mib_ratio"] = {c: div(per["blanket"][c], per["in-tree"].get(c), 2)
                            for c in per.get("blanket", {}) if c in per.get("in-tree", {})}
    return blk


def bench(path):
    """Appends the last benchmark's figures as a "bench" object."""
    boots = bench_boots(path)
    if not boots:
        sys.exit(f"no bench run in {path}")
    where, pool_guests = pooled(boots)
    guests = bench_guests(pool_guests)
    lost, info = {}, []
    for r in boots:
        done = r.get("cycles_done", [])
        cut = next((c for c in r.get("cycles_asked", []) if c not in done), None)
        info.append({"run": r["run"], "attempt": r["attempt"], "fault": r.get("fault"),
                     "asked": r.get("cycles_asked", []), "done": done, "cut": cut,
                     "dropped": sum(cut is not None and g.get("cycle") == cut
                                    for g in r["guests"])})
        if cut is not None:
            lost[r.get("fault", "?")] = lost.get(r.get("fault", "?"), 0) + 1
    b = {"kind": "bench", "run": boots[0]["run"], "cycles": len(where),
         "boots": info, "pooled": [{"cycle": c, "run": run} for c, run in where.items()],
         "lost": lost, "net": bench_net(guests), "blk": bench_blk(guests)}
    with open(path, "a") as f:
        f.write(json.dumps(b) + "\n")


def fmt(v):
    return "n/a" if v is None else f"{v:.2f}"


def ratios(path):
    """The last bench object's ratios, blanket / in-tree, as one table."""
    b = next((r for r in reversed(load(path)) if r["kind"] == "bench"), None)
    if not b:
        print(f"no benchmark figures in {path}")
        return
    print(f"== blanket / in-tree, {b['cycles']} cycles (speed: higher is better"
          " for blanket; cost per MiB: lower is)")
    runs = {}
    for p in b.get("pooled", []):
        runs.setdefault(p["run"], []).append(str(p["cycle"]))
    print("   cycles pooled: " + "; ".join(f"{' '.join(c)} of {run}" for run, c in runs.items())
          + "".join(f"; cut short by {f}: {n}" for f, n in b.get("lost", {}).items()))
    print(f"{'':<22}{'pooled':>7}  each cycle")
    net, blk = b["net"], b["blk"]
    rows = [("TCP into L1", net["tcp_rx_ratio"], net["tcp_rx_ratio_cycles"]),
            ("TCP out of L1", net["tcp_tx_ratio"], net["tcp_tx_ratio_cycles"]),
            ("echoes per second", net["echo_ratio"], net["echo_ratio_cycles"])]
    rows += [(f"disk {job}", blk[job]["ratio"], blk[job]["ratio_cycles"]) for job in BLK_JOBS]
    for name, v, cyc in rows:
        print(f"{name:<22}{fmt(v):>7}  {' '.join(fmt(c) for c in cyc)}".rstrip())
    names = {"events": "L0 events", "sends": "notifications",
             "l0_irqs": "the backend's interrupts"}
    for what, per in (("net", net["per_mib_ratio"]), ("disk", blk["per_mib_ratio"])):
        print(f"per MiB, {what}: "
              + ", ".join(f"{names.get(c, c)} {fmt(v)}" for c, v in per.items()))


# Forwarded mode's comparison (guest/compare.sh, l2/init.sh): each path's
# TCP tag and its block jobs' prefix; the bench run's nopv guests are
# direct mode's blanket. Its costs: COSTS, and the emulated devices'
# interrupts in the L1 Dom0 (irqs).
PATHS = {"blanket": ("fwd_tcp", "fwd_bench"), "emulated": ("emu_tcp", "emu_bench"),
         "l2": ("L2:tcp", "L2:bench")}
DIRECT = ("blanket_tcp", "blanket_bench")
CMP_COSTS = COSTS + ("irqs",)


def path_figures(run, tcp, blk):
    """One path's figures: per direction the median round (centiseconds)
    and the MiB moved, the time per echo; per job the median rate (IOPS
    or KiB/s) and the costs per MiB; the transfer's costs per MiB."""
    def nums(key, field):
        return [number(v) for v in values(run, key, field)]
    net, cost_mib = {}, 0.0
    for d in ("rx", "tx"):
        rounds = [number(t) for v in values(run, f"{tcp}_{d}", "all") for t in v.split(",")]
        mib = sum(b * r for b, r in zip(nums(f"{tcp}_{d}", "bytes"),
                                         nums(f"{tcp}_{d}", "rounds"))) / 2**20
        net[d] = {"median_cs": lower_median(rounds), "mib": round(mib, 3)}
        cost_mib += mib
    echoes = sum(nums(f"{tcp}_pps", "echoes"))
    net["echo_cs"] = div(sum(nums(f"{tcp}_pps", "centiseconds")), echoes, 4)
    # The transfer's costs: blanket's in TAG_events, the e1000's in TAG_irqs.
    per = {}
    for key in (f"{tcp}_events", f"{tcp}_irqs"):
        for p in (p for g in run.get("guests", []) for p in g["lines"] if p["key"] == key):
            for f, v in p["fields"].items():
                if v != "" and cost_mib:
                    name = f[len(tcp) + 1:]
                    per[name] = round(per.get(name, 0) + number(v) / cost_mib, 1)
    net["per_mib"] = per
    jobs = {}
    for j in BLK_JOBS:
        rate = nums(f"{blk}_{j}", "iops" if j.startswith("rand") else "kib_s")
        mib = sum(nums(f"{blk}_{j}", "kib")) / 1024
        jobs[j] = {"rate": median(rate) if rate else None,
                   "per_mib": {c: round(sum(nums(f"{blk}_{j}", c)) / mib, 1)
                               for c in CMP_COSTS if mib and values(run, f"{blk}_{j}", c)}}
    return {"net": net, "blk": jobs}


def path_ratios(a, b):
    """A's figures over B's, higher better for A: throughput (the inverse
    of the round times), echo rate, each job's rate."""
    r = {f"tcp_{d}": div(b["net"][d]["median_cs"], a["net"][d]["median_cs"], 2)
         for d in ("rx", "tx")}
    r["echoes"] = div(b["net"]["echo_cs"], a["net"]["echo_cs"], 2)
    r.update({j: div(a["blk"][j]["rate"], b["blk"][j]["rate"], 2) for j in BLK_JOBS})
    return r


def compare(path, bench_path):
    """Appends the figures of PATH's last comparison run as a "compare"
    object: per path (blanket, emulated, l2; direct: the nopv guests of
    BENCH_PATH's last bench run, if any) its figures, the ratios
    blanket/emulated, l2/blanket and forwarded/direct, and the kernel
    log's word on the emulated half."""
    fwd = last_run(path, "forwarded compare")
    figs = {n: path_figures(fwd, *tags) for n, tags in PATHS.items()}
    rec = {"kind": "compare", "run": fwd.get("run"), "paths": figs,
           "ratios": {"blanket/emulated": path_ratios(figs["blanket"], figs["emulated"]),
                      "l2/blanket": path_ratios(figs["l2"], figs["blanket"])},
           "emulated_kernel": (values(fwd, "emu_kernel", "emu_kernel") or [None])[0]}
    bench = bench_run(bench_path)
    if values(bench, DIRECT[0] + "_rx", "all"):
        figs["direct"] = path_figures(bench, *DIRECT)
        rec["direct_run"] = bench["run"]
        rec["ratios"]["forwarded/direct"] = path_ratios(figs["blanket"], figs["direct"])
    with open(path, "a") as f:
        f.write(json.dumps(rec) + "\n")


# The targets (issue 23): blanket at least twice the emulated
# devices, the L2 guest at least 0.8 of the L1 Dom0 through blanket.
TARGETS = [(f"{what}, {pair}", pair, key, want)
           for pair, want in (("blanket/emulated", 2), ("l2/blanket", 0.8))
           for what, key in (("TCP into", "tcp_rx"), ("TCP out of", "tcp_tx"),
                             ("4k random read IOPS, iodepth 1", "randread_qd1"),
                             ("4k random read IOPS, iodepth 32", "randread_qd32"))]


def comparison(path):
    """The last compare object's ratios as one table, then the targets."""
    c = next((r for r in reversed(load(path)) if r["kind"] == "compare"), None)
    if not c:
        print(f"no comparison in {path}")
        return
    pairs = list(c["ratios"])
    print(f"== the comparison's ratios, run {c['run']} (higher is better for the first)")
    print(f"{'':<22}" + "".join(f"{p:>18}" for p in pairs))
    names = [("TCP into", "tcp_rx"), ("TCP out of", "tcp_tx"), ("echoes per second", "echoes")]
    names += [(f"disk {j}", j) for j in BLK_JOBS]
    for name, key in names:
        print(f"{name:<22}" + "".join(f"{fmt(c['ratios'][p].get(key)):>18}" for p in pairs))
    if c.get("emulated_kernel") == "complained":
        print("the emulated half's kernel log complained (the run's emu_kernel lines);"
              " host/verdict.sh found it the emulated devices' own")
    for what, pair, key, want in TARGETS:
        v = c["ratios"][pair].get(key)
        print(f"target: {what} >= {want}: {fmt(v)} "
              + ("pass" if v is not None and v >= want else "miss"))


def soak(path):
    runs = [r for r in load(path) if r["kind"] == "run"]
    firsts = [r for r in runs if r["attempt"] == 1]
    # A run's verdict is its last attempt's: the one after it is a new run.
    final = [runs[i] for i in range(len(runs))
             if i + 1 == len(runs) or runs[i + 1]["attempt"] == 1]
    faults = {}
    for r in runs:
        f = r.get("fault", "?")
        if f != "none":
            faults[f] = faults.get(f, 0) + 1
    print(f"runs {len(firsts)}, passed {sum(r['pass'] for r in final)}, "
          f"emulator retries {sum(r['attempt'] > 1 for r in runs)}, "
          f"failed {sum(not r['pass'] for r in final)}; faults: "
          + (", ".join(f"{k} {v}" for k, v in sorted(faults.items())) or "none"))


def count(path):
    last = {}
    for r in load(path):
        if r["kind"] == "run":
            last[label(r)] = r
    ok = bad = 0
    for r in last.values():
        retried = f" (attempt {r['attempt']})" if r["attempt"] > 1 else ""
        verdicts = [(f"lab {label(r)}: run{retried}", r["pass"],
                     "; ".join(r.get("problems", [])[:2]))]
        verdicts += [(f"lab {label(r)}: {n}", v == "ok", v)
                     for n, v in r["checks"].items() if v != "skipped"]
        for n, v in r["checks"].items():
            if v == "skipped":
                print(f"SKIP: lab {label(r)}: {n} ({r.get('skipped', {}).get(n, '')})")
        for name, good, why in verdicts:
            print(f"{'PASS' if good else 'FAIL'}: {name}" + ("" if good else f" ({why})"))
            ok, bad = ok + good, bad + (not good)
    print(ok, bad)


args = sys.argv[1:] or ["table"]
cmd = args[0]
if cmd == "table" and len(args) <= 2:
    table(args[1] if len(args) == 2 else newest())
elif cmd == "record" and len(args) == 5:
    record(*args[1:])
elif cmd == "bench" and len(args) == 2:
    bench(args[1])
elif cmd == "ratios" and len(args) == 2:
    ratios(args[1])
elif cmd == "compare" and len(args) in (2, 3):
    compare(args[1], args[-1])
elif cmd == "comparison" and len(args) == 2:
    comparison(args[1])
elif cmd == "show" and len(args) == 3:
    show(*args[1:])
elif cmd == "pool" and len(args) == 6:
    pool(*args[1:])
elif cmd == "soak" and len(args) == 2:
    soak(args[1])
elif cmd == "count" and len(args) == 2:
    count(args[1])
else:
    sys.exit(__doc__)
