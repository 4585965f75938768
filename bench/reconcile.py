"""Benchmark: reconcile a year of an authority's movements with `cme reconcile` (issue 11, point 7).

    .venv/bin/python bench/reconcile.py [--data bench/data/movements] [--make] [--record] [--workers N]

Runs the batch command as a separate process (as an LA would), timing it end to end with its peak
memory (resident set, from the kernel's accounting of the child process), then scores OUT.csv
against truth.csv from bench/make_movements.py:
  lost reported found   a leaver truly on no roll reported on_roll or home_education (target: 0)
  found reported lost   a leaver truly found again reported unreconciled (target: at most 2%)
Targets: 250,000 pupils (25,000 leavers, 25,000 joiners, 5,000 home educated) in at most 30 s and
2 GB. Exit 0 when met, 1 when missed.
"""

import argparse
import csv
import os
import platform
import resource
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
FOUND = {"on_roll", "home_education"}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=BENCH / "data" / "movements")
    ap.add_argument("--make", action="store_true", help="generate the data first (make_movements.py defaults)")
    ap.add_argument("--record", action="store_true", help="append the figures to bench/RESULTS.md")
    ap.add_argument("--workers", type=int, help="cme reconcile --workers (default: the command's, the cores)")
    a = ap.parse_args()
    if a.make or not (a.data / "enrol.csv").exists():
        subprocess.run([sys.executable, str(BENCH / "make_movements.py"), "--out", str(a.data)], check=True)
    out = a.data / "out.csv"
    cme = ROOT / ".venv" / "bin" / "cme"
    cmd = [str(cme), "reconcile", "--enrolments", str(a.data / "enrol.csv"), "--as-of", "2025-07-18",
           "--la", "901", "--term-dates", str(a.data / "terms.csv"), "--ehe", str(a.data / "ehe.csv"),
           "--out", str(out)] + (["--workers", str(a.workers)] if a.workers else [])
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if done.returncode:
        print(done.stderr, file=sys.stderr)
        return 2
    with open(a.data / "truth.csv", newline="") as f:
        truth = {(r["upn"], r["laestab"], r["leaving_date"]): r for r in csv.DictReader(f)}
    with open(out, newline="") as f:
        got = {(r["upn"], r["laestab"], r["leaving_date"]): r for r in csv.DictReader(f)}
    confusion: Counter = Counter()
    lost_found: list[str] = []
    found_lost = 0
    by_kind: Counter = Counter()
    for key, t in truth.items():
        status = got.get(key, {}).get("status", "missing")
        confusion[(t["status"], status)] += 1
        if t["status"] == "unreconciled" and status in FOUND:
            lost_found.append(t["kind"])
        if t["status"] in FOUND and status == "unreconciled":
            found_lost += 1
            by_kind[t["kind"]] += 1
    found_total = sum(1 for t in truth.values() if t["status"] in FOUND)
    share = found_lost / max(found_total, 1)
    leavers = len(truth)
    right = sum(n for (want, got_), n in confusion.items() if want == got_)
    met = wall <= 30 and peak_mb <= 2048 and not lost_found and share <= 0.02
    lines = [
        f"- {leavers:,} leavers: {right:,} right ({right / max(leavers, 1):.2%}); wall {wall:.1f} s; "
        f"peak memory {peak_mb:,.0f} MB",
        f"- lost reported found: {len(lost_found)} {dict(Counter(lost_found)) or ''} (target 0)",
        f"- found reported lost: {found_lost} of {found_total:,} ({share:.2%}; target ≤ 2%) "
        f"{dict(by_kind) or ''}",
        "- confusion (truth → reported): " + "; ".join(
            f"{w} → {g}: {n:,}" for (w, g), n in sorted(confusion.items())),
        f"- targets {'met' if met else 'MISSED'}",
    ]
    print("\n".join(lines))
    print(done.stdout.strip())
    if a.record:
        with open(BENCH / "RESULTS.md", "a", encoding="utf-8") as f:
            f.write(f"\n### Reconciling a year (bench/reconcile.py), {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n\n"
                    f"- Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
                    f"load average {os.getloadavg()[0]:.2f}\n"
                    f"- Data: `{a.data.relative_to(ROOT) if a.data.is_relative_to(ROOT) else a.data}`"
                    f"{' from `bench/make_movements.py` (seed 5)' if a.data == BENCH / 'data' / 'movements' else ''}\n"
                    f"- Command: `.venv/bin/python bench/reconcile.py {' '.join(sys.argv[1:])}`\n"
                    + "\n".join(lines) + "\n")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
