"""Where the national search's recall goes (issue 16): the in-process engine (the one the Spark
runner runs) over a national set, each lost-pupil record's best candidate counted by the
generator's kind of record.

    .venv/bin/python bench/make_national.py --pupils 500000 --lost 20000 --authorities 30 --out /tmp/nat500k
    .venv/bin/python bench/national_kinds.py [/tmp/nat500k] [--max-block 100]

(With no folder: bench/data/national-500000, made as above if missing.)

The model is made as bench/national.py makes it (a sample of the rolls, prior 0.5, the evidence
scale fitted on 2,000 checked outcomes, which are then left out). Precision, recall and F1 at 0.9
(issue 6's link threshold) and at 0.5 (the probability at which `cme national-search import` puts
a pupil found to the officers of the authority that lost the child).
"""

import argparse
import collections
import csv
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

import national

from cme.matching import batch
from cme.matching.engine import Index, Matcher, Model

CHECKED = 2000
THRESHOLD = 0.9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, nargs="?", default=Path(__file__).resolve().parent / "data" / "national-500000")
    parser.add_argument("--max-block", type=int, default=100)
    args = parser.parse_args()
    if not (args.folder / "lost.csv").exists():
        subprocess.run([sys.executable, str(Path(__file__).resolve().parent / "make_national.py"), "--pupils", "500000",
                        "--lost", "20000", "--authorities", "30", "--out", str(args.folder)], check=True)
    files = national.roll_files(args.folder)
    roll = [p for f in files for p in batch.read_people(f)]
    model_path, _ = national.make_model(args.folder, len(roll) // len(files), 0.5, CHECKED)
    model = Model.load(model_path)
    lost = batch.read_people(args.folder / "lost.csv")[CHECKED:]
    with open(args.folder / "truth.csv", newline="", encoding="utf-8") as f:
        truth = {r["referral_id"]: (r["roll_id"], r["kind"]) for r in csv.DictReader(f)}
    started = time.perf_counter()
    matcher = Matcher(model, Index(roll, max_block=args.max_block))
    stats: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    best_links: list[tuple[float, bool]] = []  # each record's best candidate: probability, right
    for referral in lost:
        best, probability = matcher.best(referral)
        child, kind = truth[referral.id]
        s = stats[kind]
        s["records"] += 1
        s["no candidate"] += best is None
        s["best is the child"] += bool(child) and best == child
        s["right at 0.9"] += bool(child) and best == child and probability >= THRESHOLD
        s["right at 0.5"] += bool(child) and best == child and probability >= 0.5
        s["wrong at 0.9"] += bool(best) and best != child and probability >= THRESHOLD
        s["wrong at 0.5"] += bool(best) and best != child and probability >= 0.5
        if best is not None:
            best_links.append((probability, bool(child) and best == child))
    columns = ["records", "no candidate", "best is the child", "right at 0.9", "right at 0.5", "wrong at 0.9",
               "wrong at 0.5"]
    print("| kind | " + " | ".join(columns) + " |")
    print("| --- |" + " ---: |" * len(columns))
    total: collections.Counter = collections.Counter()
    for kind, s in sorted(stats.items()):
        total.update(s)
        print(f"| {kind} | " + " | ".join(f"{s[c]:,}" for c in columns) + " |")
    print("| **all** | " + " | ".join(f"{total[c]:,}" for c in columns) + " |")
    found = sum(s["records"] for kind, s in stats.items() if not kind.startswith("no_roll"))
    for label, right, wrong in (("at 0.9", "right at 0.9", "wrong at 0.9"), ("at 0.5", "right at 0.5", "wrong at 0.5")):
        tp, fp = total[right], total[wrong]
        precision, recall = tp / max(1, tp + fp), tp / max(1, found)
        f1 = 2 * precision * recall / max(1e-12, precision + recall)
        print(f"{label}: precision {precision:.4f}, recall {recall:.4f}, F1 {f1:.4f} "
              f"({found:,} found on a roll; {time.perf_counter() - started:.0f} s)")
    sweep(best_links, found, len(lost))


def sweep(best_links: list[tuple[float, bool]], found: int, records: int) -> None:
    """F1 and wrong links at each threshold: whether any threshold meets issue 6's targets
    (F1 >= 0.98 with at most 0.5% of records linked to the wrong child) on this set."""
    print("| threshold | precision | recall | F1 | wrong (share of records) |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    for t in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99):
        tp = sum(1 for p, right in best_links if p >= t and right)
        fp = sum(1 for p, right in best_links if p >= t and not right)
        precision, recall = tp / max(1, tp + fp), tp / max(1, found)
        f1 = 2 * precision * recall / max(1e-12, precision + recall)
        print(f"| {t} | {precision:.4f} | {recall:.4f} | {f1:.4f} | {fp:,} ({fp / max(1, records):.2%}) |")


if __name__ == "__main__":
    main()
