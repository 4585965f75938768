"""Benchmark of the national search on Apache Spark (issue 16): `cme link --engine spark` on a
synthetic national roll against every authority's lost-pupil records.

    .venv/bin/python bench/national.py [--pupils 2500000] [--lost 100000] [--sizes 500000,1000000,2500000]
                                       [--max-block 100] [--master local[2]] [--driver-memory 10g] [--record]

1. Data (bench/make_national.py, made once, in chunks: one authority at a time): the roll as one
   CSV per authority (150 by default) and the lost-pupil records with the generator's truth.
2. The model file: trained in one process on a sample (the first authorities' rolls, about
   100,000 pupils, and 5,000 lost-pupil records), as a consortium would train once and hand the
   file to the cluster. The share of lost pupils expected to be on a roll somewhere (--prior)
   is a setting: a sample of a few authorities cannot learn it (most of the children it holds
   lost are on other authorities' rolls).
3. For each roll size in --sizes (the first authorities' files up to that many pupils), the
   whole run as a command, `cme link --engine spark`, in its own process: wall time, peak memory
   of the driver (the command's Python), of the JVM (in local mode the driver's JVM runs the
   executors too) and of the Python workers the executors score in, candidate pairs, and the
   accuracy against the truth at probability 0.9: precision, recall, F1, referrals linked to the
   wrong child (issue 6's targets: F1 >= 0.98, wrong child <= 0.5% of referrals), and whether
   every probability band holds. A lost pupil whose child's authority is not in a smaller run is
   a child on no roll for that run.
"""

import argparse
import csv
import json
import os
import platform
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from cme.matching import batch, calibration  # noqa: E402
from cme.matching.engine import Index, choose_model, fit_evidence_scale, train  # noqa: E402

THRESHOLD = 0.9


def ensure_data(folder: Path, pupils: int, lost: int, authorities: int) -> None:
    if (folder / "truth.csv").exists():
        return
    subprocess.run([sys.executable, str(ROOT / "bench" / "make_national.py"), "--pupils", str(pupils), "--lost",
                    str(lost), "--authorities", str(authorities), "--out", str(folder)], check=True)


def roll_files(folder: Path) -> list[Path]:
    return sorted((folder / "roll").glob("la-*.csv"))


def files_for(folder: Path, pupils: int, per_file: int) -> list[Path]:
    files = roll_files(folder)
    return files[:max(1, min(len(files), round(pupils / per_file)))]


def make_model(folder: Path, per_file: int, prior: float, checked: int) -> tuple[Path, dict]:
    path = folder / f"model-checked-{checked}.json"
    if path.exists():
        return path, json.loads(path.read_text())["trained_on"]
    start = time.perf_counter()
    roll = [p for f in files_for(folder, 100_000, per_file) for p in batch.read_people(f)]
    lost = batch.read_people(folder / "lost.csv")
    referrals = lost[:5000]
    index = Index(roll)
    trained = train(roll, referrals, index=index)
    model = choose_model(trained, None, index, roll, gate=False).model
    learnt = model.prior_match_rate
    model.prior_match_rate = prior
    if checked:
        # Outcomes known from an earlier run (matches officers confirmed, children since found on
        # no roll), as a consortium would have them: here the generator's truth for the first
        # `checked` lost-pupil records (left out of the accuracy below), against the sample's roll
        # (a child elsewhere is on no roll of the sample).
        sample = {p.id for p in roll}
        with open(folder / "truth.csv", newline="", encoding="utf-8") as f:
            truth = {r["referral_id"]: r["roll_id"] for r in csv.DictReader(f)}
        labelled = [(p, truth[p.id] if truth[p.id] in sample else None) for p in lost[:checked]]
        model, _ = fit_evidence_scale(model, index, labelled)
    model.trained_on = {**model.trained_on, "sample_pupils": len(roll), "sample_lost": len(referrals),
                        "learnt_prior_match_rate": learnt, "prior_match_rate_set": prior, "checked": checked,
                        "seconds": round(time.perf_counter() - start, 1)}
    model.save(path)
    return path, model.trained_on


def checked_ids(folder: Path, checked: int) -> set[str]:
    """The lost-pupil records whose outcome the evidence scale was fitted on: not scored."""
    with open(folder / "lost.csv", newline="", encoding="utf-8") as f:
        return {r["id"] for _, r in zip(range(checked), csv.DictReader(f), strict=False)}


class Peaks:
    """Peak resident memory of a command's process tree, by part, sampled every half second."""

    def __init__(self, pid: int):
        self.root = psutil.Process(pid)
        self.peak = {"driver": 0, "jvm": 0, "workers": 0, "total": 0}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                now = {"driver": self.root.memory_info().rss, "jvm": 0, "workers": 0}
                for child in self.root.children(recursive=True):
                    try:
                        rss = child.memory_info().rss
                        part = "jvm" if "java" in child.name() else "workers"
                        now[part] += rss
                    except psutil.Error:
                        continue
            except psutil.Error:
                break
            now["total"] = sum(now.values())
            for k, v in now.items():
                self.peak[k] = max(self.peak[k], v)
            self._stop.wait(0.5)

    def stop(self) -> dict:
        self._stop.set()
        self._thread.join()
        return {k: round(v / 2**20) for k, v in self.peak.items()}


def run(folder: Path, files: list[Path], model: Path, args, label: str) -> dict:
    roll = folder / f"roll-{label}"
    roll.mkdir(exist_ok=True)
    for old in roll.iterdir():
        old.unlink()
    for f in files:
        (roll / f.name).symlink_to(f)
    out = folder / f"links-{label}.csv"
    command = [str(ROOT / ".venv" / "bin" / "cme"), "link", "--engine", "spark", "--spark-master", args.master,
               "--spark-conf", f"spark.driver.memory={args.driver_memory}",
               "--spark-conf", f"spark.sql.shuffle.partitions={args.partitions}",
               "--roll", str(roll), "--referrals", str(folder / "lost.csv"), "--model", str(model),
               "--out", str(out), "--threshold", "0", "--max-block", str(args.max_block)]
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "CME_SECRET_KEY": os.environ.get("CME_SECRET_KEY", "bench-only")})
    peaks = Peaks(proc.pid)
    _, stderr = proc.communicate()
    seconds = time.perf_counter() - start
    memory = peaks.stop()
    if proc.returncode:
        raise SystemExit(f"cme link failed ({proc.returncode}):\n{stderr[-3000:]}")
    summary = [line for line in stderr.splitlines() if "referrals matched" in line]
    on_this_roll = {p.id for f in files for p in batch.read_people(f)}
    fitted_on = checked_ids(folder, args.checked)
    with open(folder / "truth.csv", newline="", encoding="utf-8") as f:
        truth = {r["referral_id"]: (r["roll_id"] if r["roll_id"] in on_this_roll else None)
                 for r in csv.DictReader(f) if r["referral_id"] not in fitted_on}
    with open(out, newline="", encoding="utf-8") as f:
        best = {r["referral_id"]: (r["roll_id"] or None, float(r["probability"])) for r in csv.DictReader(f)}
    c = calibration.assess((*best.get(r, (None, 0.0)), t) for r, t in truth.items())
    # What officers are asked about: a likely match at 0.5 (cme national-search import's default).
    ask = calibration.assess(((*best.get(r, (None, 0.0)), t) for r, t in truth.items()), threshold=0.5)
    return {
        "pupils": len(on_this_roll), "authorities": len(files), "lost": len(truth), "seconds": round(seconds, 1),
        "seconds_per_million": round(seconds / (len(on_this_roll) / 1e6), 1), "memory_mb": memory,
        "summary": summary[-1] if summary else "", "precision": round(c.precision, 4), "recall": round(c.recall, 4),
        "f1": round(c.f1, 4), "wrong_links": c.wrong_links, "wrong_share": round(c.wrong_share, 5),
        "bands_hold": c.bands_hold, "on_roll": c.on_roll, "ece": round(c.ece, 4),
        "at_0_5": {"precision": round(ask.precision, 4), "recall": round(ask.recall, 4), "f1": round(ask.f1, 4),
                   "wrong_links": ask.wrong_links},
    }


def markdown(results: list[dict], args, trained: dict, started: str) -> str:
    lines = [
        f"### National search on Spark (bench/national.py), {started}",
        "",
        f"- Machine: {platform.machine()}, {psutil.cpu_count()} cores, {round(psutil.virtual_memory().total / 2**30)} GiB, "
        f"Python {platform.python_version()}; Spark `{args.master}`, driver memory {args.driver_memory}, "
        f"{args.partitions} shuffle partitions; `--max-block {args.max_block}`.",
        f"- Command: `.venv/bin/python bench/national.py --pupils {args.pupils} --lost {args.lost} "
        f"--sizes {args.sizes} --max-block {args.max_block} --checked {args.checked} --master '{args.master}' --record`",
        f"- Model: trained in one process on {trained.get('sample_pupils', '?'):,} pupils and "
        f"{trained.get('sample_lost', '?'):,} lost-pupil records ({trained.get('seconds', '?')} s); share of lost pupils "
        f"on a roll set to {trained.get('prior_match_rate_set')} (the sample learnt {trained.get('learnt_prior_match_rate', 0):.3f}); "
        + (f"evidence scale fitted on {trained['checked']:,} checked outcomes: {fit.get('scale')} (was {fit.get('was')}), "
           "those records left out of the accuracy." if (fit := trained.get("evidence_scale_fit")) else
           f"evidence scale {trained.get('evidence_scale', 'the default')} (no checked outcomes)."),
        "",
        "| pupils (authorities) | lost-pupil records | wall time | per million pupils | peak memory: driver / JVM / Python workers / all | candidate pairs | at 0.9: precision / recall / F1 | wrong child | bands hold | at 0.5 (asked of officers): precision / recall / F1 |",
        "| --- | ---: | ---: | ---: | --- | --- | --- | ---: | --- | --- |",
    ]
    for r in results:
        m = r["memory_mb"]
        pairs = r["summary"].split("(")[-1].rstrip(")") if "(" in r["summary"] else ""
        lines.append(
            f"| {r['pupils']:,} ({r['authorities']}) | {r['lost']:,} ({r['on_roll']:,} on this roll) | {r['seconds']:.0f} s | "
            f"{r['seconds_per_million']:.0f} s | {m['driver']:,} / {m['jvm']:,} / {m['workers']:,} / {m['total']:,} MB | {pairs} | "
            f"{r['precision']:.4f} / {r['recall']:.4f} / {r['f1']:.4f} | {r['wrong_links']} ({r['wrong_share']:.2%}) | "
            f"{'yes' if r['bands_hold'] else 'no'} | {r['at_0_5']['precision']:.4f} / {r['at_0_5']['recall']:.4f} / "
            f"{r['at_0_5']['f1']:.4f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, default=2_500_000)
    parser.add_argument("--lost", type=int, default=100_000)
    parser.add_argument("--authorities", type=int, default=150)
    parser.add_argument("--sizes", default="500000,1000000,2500000")
    parser.add_argument("--max-block", type=int, default=100)
    parser.add_argument("--prior", type=float, default=0.5,
                        help="share of lost pupils expected on a roll somewhere (a setting of the model)")
    parser.add_argument("--checked", type=int, default=2000,
                        help="fit the model's evidence scale on this many lost-pupil records' known outcomes "
                             "(0: keep the default scale)")
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--driver-memory", default="10g")
    parser.add_argument("--partitions", type=int, default=64)
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--record", action="store_true", help="append the run to bench/RESULTS.md")
    args = parser.parse_args()
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    folder = args.data or ROOT / "bench" / "data" / f"national-{args.pupils}-{args.lost}"
    ensure_data(folder, args.pupils, args.lost, args.authorities)
    per_file = args.pupils // len(roll_files(folder))
    model, trained = make_model(folder, per_file, args.prior, args.checked)
    results = []
    for size in [int(s) for s in args.sizes.split(",")]:
        result = run(folder, files_for(folder, size, per_file), model, args, str(size))
        print(json.dumps(result), file=sys.stderr, flush=True)
        results.append(result)
    text = markdown(results, args, trained, started)
    print(text)
    (folder / "results.json").write_text(json.dumps(results, indent=2))
    if args.record:
        with open(ROOT / "bench" / "RESULTS.md", "a", encoding="utf-8") as f:
            f.write("\n" + text)


if __name__ == "__main__":
    main()
