#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The lab's machine-readable results: one JSON object a line.

  results.py record FILE SUMMARY CHECKS ATTEMPT
      appends the run of SUMMARY (run.sh's summary.txt): its mode (and
      variant, as in "nopv untrusted"), verdict,
      time, fault class and retry (fault.py), problems, and the verdict of
      each check that CHECKS (tests/lab/checks) lists for its mode
  results.py figure FILE NAME VALUE
      appends a benchmark figure
  results.py table FILE
      prints the runs, their faults and checks, and the figures
  results.py soak FILE
      for soak.sh: runs, passes, emulator retries, other failures, and
      the fault classes seen
  results.py count FILE
      for `make check`: a PASS:/FAIL: line for each check of the last
      attempt of each mode, and for each run's verdict, then "PASSED FAILED"
"""
import json
import re
import sys


def checks_for(path, mode):
    names = []
    for line in open(path):
        w = line.split()
        if w and not w[0].startswith("#") and mode in w[1].split(","):
            names.append(w[0])
    return names


def record(path, summary, checks, attempt):
    lines = open(summary, errors="replace").read().splitlines()
    m = re.match(r"run (\S+) mode=(\S+)", lines[0] if lines else "")
    r = {"kind": "run", "run": m.group(1) if m else "?",
         "mode": m.group(2) if m else "?", "attempt": int(attempt)}
    seen = {}
    for line in lines:
        k, _, v = line.partition("=")
        if k in ("variant", "fault", "retry", "why", "triple_fault_rip", "guest_rip"):
            r[k] = v
        elif k == "qemu_start_to_qemu_exit":
            r["seconds"] = int(v.rstrip("s") or 0)
        elif line.startswith("problem: "):
            r.setdefault("problems", []).append(line[9:])
        c = re.match(r"LAB-EXTRA: check=(\S+) (ok|failed)$", line)
        if c:
            seen[c.group(1)] = c.group(2)
    r["checks"] = {n: seen.get(n, "missing") for n in checks_for(checks, r["mode"])}
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


def table(path):
    recs = load(path)
    for r in (r for r in recs if r["kind"] == "run"):
        print(f"{label(r):<10} attempt {r['attempt']}  "
              f"{'PASS' if r['pass'] else 'FAIL'}  {r.get('seconds', '?')}s  "
              f"fault={r.get('fault', '?')}"
              + (f" ({r['why']})" if r.get("fault") not in (None, "none") else ""))
        bad = [f"{n}={v}" for n, v in r["checks"].items() if v != "ok"]
        if r["checks"]:
            print(f"           checks: {len(r['checks']) - len(bad)} of "
                  f"{len(r['checks'])} ok" + (f"; {' '.join(bad)}" if bad else ""))
        for p in r.get("problems", [])[:3]:
            print(f"           problem: {p}")
    for r in (r for r in recs if r["kind"] == "figure"):
        print(f"{r['name']}: {r['value']}")


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
                     for n, v in r["checks"].items()]
        for name, good, why in verdicts:
            print(f"{'PASS' if good else 'FAIL'}: {name}" + ("" if good else f" ({why})"))
            ok, bad = ok + good, bad + (not good)
    print(ok, bad)


cmd, path = sys.argv[1:3]
if cmd == "record":
    record(path, *sys.argv[3:6])
elif cmd == "figure":
    with open(path, "a") as f:
        f.write(json.dumps({"kind": "figure", "name": sys.argv[3],
                            "value": sys.argv[4]}) + "\n")
elif cmd == "table":
    table(path)
elif cmd == "soak":
    soak(path)
elif cmd == "count":
    count(path)
else:
    sys.exit(__doc__)
