"""`cme reconcile --engine spark`: the batch contract of `cme reconcile` run as an Apache Spark job
(issue 16: reconciliation across authorities, when the enrolments outgrow one machine).

The same rules as `cme.tracking.reconcile`, from the same functions, split the way Spark splits
work (as `cme.matching.spark` does for `cme link`):

1. Every row of ENROL.csv and EHE.csv is read, checked and normalised where it lies, by the
   in-process reader's own row functions (`batch.enrolment_from_row`, `person_from_row`); the
   first bad row in file order stops the run with the in-process message, nothing written.
2. An exact agreement (`reconcile._exact_keys`: several fields, never the UPN alone) is a join
   on those keys; the first valid record per kind in key order, then record order, is the one
   found, as in process.
3. The engine's candidates are a join on its blocking keys over the records that could be a
   leaver's next placement (begun since the earliest leaving date less the join window; a key
   held by more than MAX_BLOCK of them dropped), with how common each name is counted over all
   of them and broadcast. Leavers go to buckets; each bucket scores its leavers over its part of
   the index (`Index.of_normalised`) with `reconcile.engine_choice`: the same comparisons,
   weights, posterior and rules as in process.
4. The outcomes come back to the driver in the enrolments' order (leavers are a small share of
   the rows), school days are counted there from TERMS.csv and OUT.csv is written atomically.

No Django here; pyspark is imported only when a run starts.
"""

from __future__ import annotations

import datetime as dt
import pickle
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from cme.matching import normalise as nm
from cme.matching.batch import InputError
from cme.matching.engine import MAX_BLOCK, Index, Matcher, Model, blocking_key_values, normalise
from cme.tracking import batch
from cme.tracking import reconcile as R

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import DataFrame, SparkSession

# One row per record (enrolment or home-education entry): what the joins need as columns, the
# record itself pickled (one binary column moves through joins cheaply).
RECORD_SCHEMA = ("seq long, error string, kind string, laestab string, start long, end long, leaving long, "
                 "ground string, destination string, record binary, forenames array<string>, "
                 "surnames array<string>, keys array<long>, query_keys array<long>, exact array<string>, middles array<string>, "
                 "first_name string, kin string, upn string")
CHOICE_SCHEMA = "seq long, roll_seq long, ehe_seq long"


def _records(name: str, kind: str, first_seq: int, columns: tuple[str, ...]):
    """The mapInPandas function: each row (with its file row number) checked and made a record."""
    import pandas as pd

    out_columns = [part.split()[0] for part in RECORD_SCHEMA.split(", ")]

    def run(chunks: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for chunk in chunks:
            out: dict[str, list] = {k: [] for k in out_columns}
            values = [chunk[c].tolist() for c in columns]
            for number, *row in zip(chunk["number"].tolist(), *values, strict=True):
                text = {k: (v.strip() if isinstance(v, str) else "") for k, v in zip(columns, row, strict=True)}
                error = None
                laestab, start, end, leaving, ground, destination = "", 0, R._NEVER, R._NEVER, "", ""
                person = None
                try:
                    if kind == "roll":
                        e = batch.enrolment_from_row(name, number, text)
                        person, laestab, ground, destination = e.person, e.laestab, e.leaving_ground, e.destination
                        start = e.entry_date.toordinal()
                        if e.leaving_date is not None:
                            end = leaving = e.leaving_date.toordinal()
                    else:
                        h = batch.home_educated_from_row(name, number, text)
                        person, start = h.person, h.start_date.toordinal()
                except InputError as exc:
                    error = str(exc)
                n = normalise(person) if person else None
                out["seq"].append(first_seq + number - 2)
                out["error"].append(error)
                out["kind"].append(kind)
                out["laestab"].append(laestab)
                out["start"].append(start)
                out["end"].append(end)
                out["leaving"].append(leaving)
                out["ground"].append(ground)
                out["destination"].append(destination)
                out["record"].append(pickle.dumps((person, n), protocol=5) if person else b"")
                out["forenames"].append(list(n.forenames) if n else [])
                out["surnames"].append(list(n.surnames) if n else [])
                out["keys"].append(blocking_key_values(n, False) if n else [])
                stripped = replace(person, upn="", address="", postcode="") if person else None
                out["query_keys"].append(blocking_key_values(normalise(stripped), True) if stripped else [])
                out["exact"].append([repr(key) for key in R._exact_keys(person)] if person else [])
                out["middles"].append(R.middle_tokens(person) if person else [])
                out["first_name"].append(R._first_name(person) if person else "")
                out["kin"].append(R.kin_key(person) if person and kind == "roll" else "")
                out["upn"].append(nm.upn(person.upn) if person else "")
            yield pd.DataFrame(out)

    return run


def _read(spark: SparkSession, path: str | Path, name: str, columns: tuple[str, ...], kind: str,
          first_seq: int) -> tuple[DataFrame, int]:
    """One CSV file as records, each with its row number (the header is row 1); and its rows."""
    from pyspark.sql.types import LongType, StringType, StructField, StructType

    try:
        frame = spark.read.csv(str(path), header=True, inferSchema=False, encoding="UTF-8", multiLine=False,
                               mode="FAILFAST")
    except Exception as e:
        raise InputError(f"{name}: not a readable CSV file ({str(e).splitlines()[0]})") from None
    header = tuple(c.lstrip("\ufeff").strip() for c in frame.columns)
    if header != columns:
        raise InputError(f"{name} row 1: the header must be {','.join(columns)} (found {','.join(header) or 'nothing'})")
    # Row numbers in file order: a single file's partitions are its byte ranges, in order.
    numbered = frame.rdd.zipWithIndex().map(lambda pair: (*pair[0], pair[1] + 2))
    schema = StructType([*(StructField(c, StringType()) for c in columns), StructField("number", LongType())])
    try:
        rows = spark.createDataFrame(numbered, schema)
        records = rows.mapInPandas(_records(name, kind, first_seq, columns), RECORD_SCHEMA)
        count = rows.count()
    except Exception as e:
        if "Malformed" in str(e) or "MALFORMED" in str(e):
            raise InputError(f"{name}: a row does not fit the header (more values than columns, or a "
                             "broken quote); nothing was reconciled") from None
        raise
    return records, count


def _scorer(model: Model, counts: Any, size: int, threshold: float, established: frozenset[str]):
    """The cogroup function: a bucket of leavers with their candidates' records, each leaver's
    choice by the engine (the seq of the roll and home-education records found, or null)."""
    import pandas as pd

    def run(candidates: pd.DataFrame, leavers: pd.DataFrame) -> pd.DataFrame:
        out: dict[str, list] = {"seq": [], "roll_seq": [], "ehe_seq": []}
        if leavers.empty:
            return pd.DataFrame(out)
        records = candidates.drop_duplicates("c_seq").sort_values("c_seq", kind="stable")
        unpickled = [pickle.loads(b) for b in records["c_record"].tolist()]  # noqa: S301 (our own workers')
        forenames, surnames = counts.value
        index = Index.of_normalised([str(s) for s in records["c_seq"].tolist()], [n for _, n in unpickled],
                                    forename_counts=forenames, surname_counts=surnames, size=size)
        matcher = Matcher(model, index)
        position = {int(s): i for i, s in enumerate(records["c_seq"].tolist())}
        kinds = records["c_kind"].tolist()
        seqs = records["c_seq"].tolist()
        of_leaver: dict[int, list[int]] = {}
        for leaver_seq, c_seq in zip(candidates["l_seq"].tolist(), candidates["c_seq"].tolist(), strict=True):
            of_leaver.setdefault(int(leaver_seq), []).append(position[int(c_seq)])
        for leaver_seq, blob, kin, classmates in zip(leavers["seq"].tolist(), leavers["record"].tolist(),
                                                     leavers["kin_names"].tolist(),
                                                     leavers["kin_classmates"].tolist(), strict=True):
            person, _ = pickle.loads(blob)  # noqa: S301
            rows = np.array(sorted(of_leaver.get(int(leaver_seq), [])), dtype=np.int64)
            found: dict[str, int | None] = {"roll": None, "ehe": None}
            if len(rows):
                kin_names = R.kin_names_of(person, [] if kin is None else list(kin),
                                           [] if classmates is None else list(classmates))
                picked, _ = R.engine_choice(matcher, person, rows, [unpickled[r][0] for r in rows],
                                            [kinds[r] for r in rows], threshold, established, kin_names)
                for kind, (t, _) in picked.items():
                    found[kind] = int(seqs[int(rows[t])])
            out["seq"].append(int(leaver_seq))
            out["roll_seq"].append(found["roll"])
            out["ehe_seq"].append(found["ehe"])
        return pd.DataFrame(out)

    return run


# Leavers scored together in one group (see cme.matching.spark.REFERRALS_PER_GROUP).
LEAVERS_PER_GROUP = 200


def reconcile(spark: SparkSession, enrol: str | Path, *, la_code: str, as_of: dt.date,
              ehe: str | Path | None = None, model: Model | None = None,
              threshold: float = R.DEFAULT_THRESHOLD) -> list[tuple[dict[str, Any], str, str]]:
    """Each leaver's row (in the enrolments' order) with its status and where it was found:
    [(leaver, status, found_at)], leaver holding upn, laestab, leaving (ordinal), ground."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    model = model or Model(prior_match_rate=R.DEFAULT_FOUND_RATE)
    enrolments, n_enrol = _read(spark, enrol, "ENROL.csv", batch.ENROL_COLUMNS, "roll", 0)
    frames = [enrolments]
    if ehe:
        home, _ = _read(spark, ehe, "EHE.csv", batch.EHE_COLUMNS, "ehe", n_enrol)
        frames.append(home)
    records = frames[0] if len(frames) == 1 else frames[0].unionByName(frames[1])
    records = records.persist(StorageLevel.MEMORY_AND_DISK)
    bad = records.filter(F.col("error").isNotNull()).orderBy("seq").select("error").limit(1).collect()
    if bad:
        records.unpersist()
        raise InputError(bad[0]["error"])
    records = records.drop("error")

    today = as_of.toordinal()
    leavers = records.filter((F.col("kind") == "roll") & (F.col("leaving") <= today))
    first_left = leavers.agg(F.min("leaving")).collect()[0][0]
    since = (first_left if first_left is not None else today) - R.JOIN_WINDOW_DAYS
    tracked = leavers.filter(~F.col("ground").isin(*R.EXEMPT_GROUNDS))

    # Exact agreements: the first valid record per kind, in key order, then record order.
    lk = tracked.select(F.col("seq").alias("l_seq"), F.col("laestab").alias("l_laestab"),
                        F.col("leaving").alias("l_leaving"), F.col("middles").alias("l_middles"),
                        F.posexplode("exact").alias("key_pos", "key"))
    rk = records.select("seq", "kind", "laestab", "start", "end", "middles", F.explode("exact").alias("key"))
    # R.middles_apart, for the "name" key: both give middle names and share none.
    apart = (F.col("key").startswith("('name',") & (F.size("l_middles") > 0) & (F.size("middles") > 0)
             & (F.size(F.array_intersect("l_middles", "middles")) == 0))
    valid = ((F.col("seq") != F.col("l_seq")) & (F.col("start") <= today) & ~apart
             & ((F.col("kind") == "ehe") | ((F.col("laestab") != F.col("l_laestab")) & (F.col("end") > F.col("l_leaving")))))
    exact = (lk.join(rk, "key").filter(valid)
             .groupBy("l_seq", "kind").agg(F.min(F.struct("key_pos", "seq")).alias("first"))
             .select(F.col("l_seq").alias("seq"), "kind", F.col("first.seq").alias("found_seq")))
    exact_rows = {(r["seq"], r["kind"]): r["found_seq"] for r in exact.collect()}

    # The engine, for leavers not found on a roll exactly.
    index = records.filter(F.col("start") >= since)
    size = index.count()

    def name_counts(column: str) -> dict[str, int]:
        rows = index.select(F.explode(column).alias("name")).groupBy("name").count().collect()
        return {r["name"]: int(r["count"]) for r in rows}

    counts = spark.sparkContext.broadcast((name_counts("forenames"), name_counts("surnames")))
    # Forenames held often across every record, as the in-process Reconciler counts them.
    established = frozenset(r["first_name"] for r in records.filter(F.col("first_name") != "")
                            .groupBy("first_name").count().filter(F.col("count") >= R.ESTABLISHED_MIN).collect())
    on_roll_exactly = exact.filter(F.col("kind") == "roll").select("seq")
    to_score = tracked.join(on_roll_exactly, "seq", "left_anti")
    index_keys = index.select(F.col("seq").alias("c_seq"), F.explode("keys").alias("key"))
    usable = index_keys.groupBy("key").count().filter(F.col("count") <= MAX_BLOCK).select("key")
    index_keys = index_keys.join(usable, "key", "left_semi")
    query = to_score.select(F.col("seq").alias("l_seq"), F.col("laestab").alias("l_laestab"),
                            F.col("leaving").alias("l_leaving"), F.explode("query_keys").alias("key"))
    meta = index.select(F.col("seq").alias("c_seq"), F.col("kind").alias("c_kind"),
                        F.col("laestab").alias("c_laestab"), F.col("start").alias("c_start"),
                        F.col("end").alias("c_end"), F.col("record").alias("c_record"))
    # Where the child could have gone next (Reconciler._next_placements).
    placement = ((F.col("c_start") <= today) & (F.col("c_start") >= F.col("l_leaving") - R.JOIN_WINDOW_DAYS)
                 & ((F.col("c_kind") == "ehe")
                    | ((F.col("c_laestab") != F.col("l_laestab")) & (F.col("c_end") > F.col("l_leaving")))))
    pairs = (query.join(index_keys, "key").select("l_seq", "c_seq", "l_laestab", "l_leaving").distinct()
             .join(meta, "c_seq").filter(placement))
    # Not a record that is another child's by that child's own UPN, forename and surname, on a
    # roll while the leaver was (Reconciler._another_childs).
    upn_name = F.col("key").startswith("('upn_name',")
    held = (records.filter(F.col("kind") == "roll")
            .select(F.col("seq").alias("o_seq"), F.col("start").alias("o_start"), F.col("end").alias("o_end"),
                    F.explode("exact").alias("key")).filter(upn_name))
    claimed = (index.select(F.col("seq").alias("c_seq"), F.col("upn").alias("c_upn"), F.explode("exact").alias("key"))
               .filter(upn_name).join(held, "key").filter(F.col("o_seq") != F.col("c_seq")))
    stays = to_score.select(F.col("seq").alias("l_seq"), F.col("upn").alias("l_upn"), F.col("start").alias("l_start"),
                            F.col("leaving").alias("l_left"))
    another_childs = (pairs.select("l_seq", "c_seq").join(claimed, "c_seq").join(stays, "l_seq")
                      .filter((F.col("c_upn") != F.col("l_upn")) & (F.col("o_seq") != F.col("l_seq"))
                              & (F.col("o_start") < F.col("l_left")) & (F.col("o_end") > F.col("l_start")))
                      .select("l_seq", "c_seq").distinct())
    pairs = pairs.join(another_childs, ["l_seq", "c_seq"], "left_anti")
    n_leavers = to_score.count()
    buckets = max(-(-n_leavers // LEAVERS_PER_GROUP), 2 * spark.sparkContext.defaultParallelism)
    left = pairs.select(F.pmod(F.xxhash64("l_seq"), F.lit(buckets)).alias("bucket"), "l_seq", "c_seq", "c_kind",
                        "c_record")
    # Forenames on roll records of the leaver's surname and birthday begun before the join window
    # (Reconciler._kin_names): a twin already on a roll.
    roll_kin = records.filter((F.col("kind") == "roll") & (F.col("kin") != "")).select(
        F.col("seq").alias("k_seq"), "kin", F.col("start").alias("k_start"), F.col("first_name").alias("k_first"),
        F.col("laestab").alias("k_laestab"), F.col("end").alias("k_end"), F.col("upn").alias("k_upn"))
    # On the leaver's school's roll alongside the leaver under another UPN (R.is_classmate).
    classmate = ((F.col("k_laestab") == F.col("l_laestab")) & (F.col("l_upn") != "") & (F.col("k_upn") != "")
                 & (F.col("k_upn") != F.col("l_upn")) & (F.col("k_start") < F.col("l_leaving"))
                 & (F.col("k_end") > F.col("l_start")))
    kin = (to_score.filter(F.col("kin") != "")
           .select(F.col("seq").alias("l_seq"), "kin", F.col("leaving").alias("l_leaving"),
                   F.col("laestab").alias("l_laestab"), F.col("start").alias("l_start"), F.col("upn").alias("l_upn"))
           .join(roll_kin, "kin")
           .filter((F.col("k_seq") != F.col("l_seq")) & (F.col("k_start") < F.col("l_leaving") - R.JOIN_WINDOW_DAYS))
           .groupBy("l_seq").agg(F.collect_set("k_first").alias("kin_names"),
                                 F.collect_set(F.when(classmate, F.col("k_first"))).alias("kin_classmates")))
    right = (to_score.join(kin, to_score["seq"] == kin["l_seq"], "left")
             .select(F.pmod(F.xxhash64("seq"), F.lit(buckets)).alias("bucket"), "seq", "record", "kin_names",
                     "kin_classmates"))
    choices = left.groupBy("bucket").cogroup(right.groupBy("bucket")).applyInPandas(
        _scorer(model, counts, size, threshold, established), CHOICE_SCHEMA).persist(StorageLevel.MEMORY_AND_DISK)
    engine = {r["seq"]: (r["roll_seq"], r["ehe_seq"]) for r in choices.collect()}
    found = (exact.filter(F.col("kind") == "roll").select(F.col("found_seq").alias("seq"))
             .unionByName(choices.filter(F.col("roll_seq").isNotNull()).select(F.col("roll_seq").alias("seq"))))
    where = {r["seq"]: r["laestab"] for r in records.join(found.distinct(), "seq", "left_semi")
             .select("seq", "laestab").collect()}
    choices.unpersist()
    out = []
    for r in leavers.orderBy("seq").select("seq", "record", "laestab", "leaving", "ground", "destination").collect():
        person, _ = pickle.loads(r["record"])  # noqa: S301
        leaver = {"upn": person.upn, "laestab": r["laestab"], "leaving": r["leaving"], "ground": r["ground"]}
        roll = exact_rows.get((r["seq"], "roll"))
        home_found = exact_rows.get((r["seq"], "ehe"))
        if roll is None and r["seq"] in engine:
            roll = engine[r["seq"]][0]
            home_found = home_found if home_found is not None else engine[r["seq"]][1]
        destination = (r["destination"] or "").strip()
        if r["ground"] in R.EXEMPT_GROUNDS:
            out.append((leaver, R.EXEMPT, ""))
        elif roll is not None:
            out.append((leaver, R.ON_ROLL, where[roll]))
        elif home_found is not None:
            out.append((leaver, R.HOME_EDUCATION, ""))
        elif r["ground"] in R.TRANSFER_GROUNDS and destination and not destination.startswith(la_code):
            out.append((leaver, R.TRANSFERRED_OUT, destination))
        else:
            out.append((leaver, R.UNRECONCILED, ""))
    records.unpersist()
    return out
