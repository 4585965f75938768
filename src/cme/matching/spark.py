"""`cme link --engine spark`: the batch contract of `cme link` run as an Apache Spark job (issue 16).

A national search (every pupil on roll in England against every authority's lost pupils and open
CME cases) outgrows one machine's memory as an in-process index. This runner does the same work
as `batch.link` with a saved model, split the way Spark splits work:

1. Every record is read and normalised once, where it lies (`mapInPandas`), by the engine's own
   `normalise`; a bad row stops the run, naming the file, the record's id and the field.
2. Blocking is a join: each record's blocking keys (the engine's keys, as 64-bit values that are
   the same in every process: `blocking_key_values`) are exploded and joined; a key held by more
   than `max_block` pupils (MAX_BLOCK unless the run sets it) is dropped, as the in-process index
   drops it.
3. How common each forename and surname is, and how many pupils there are, are counted over the
   whole roll and broadcast: the weights of agreeing names and the priors are the whole roll's.
4. Referrals go to buckets of about REFERRALS_PER_GROUP; each bucket comes together with its
   candidate pairs and each of its candidates' records once (`cogroup`), and every referral is
   scored over its candidates, in roll order, by the engine's own Matcher over a part of the
   index (`Index.of_normalised`): the same comparisons, weights, rivals and calibrated
   probability as in process, to rounding.

No Django here: the runner is a pure module like the engine, so it can run under `spark-submit`
on a cluster. pyspark is imported only when a run starts.
"""

from __future__ import annotations

import os
import pickle
import sys
from collections.abc import Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from cme.matching import batch
from cme.matching.engine import (
    MAX_BLOCK,
    Index,
    Matcher,
    Model,
    _Norm,
    blocking_key_values,
    normalise,
)

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import DataFrame, SparkSession

# What a record becomes once normalised: the engine's normalised record, pickled (one binary
# column moves through Spark's joins far cheaper than a dozen typed ones), the names that are
# counted over the roll, and its blocking keys.
NORM_SCHEMA = "seq long, id string, error string, norm binary, forenames array<string>, surnames array<string>, middles array<string>, keys array<long>"
LINK_SCHEMA = "seq long, referral_id string, roll_id string, probability double"


class SparkInputError(batch.InputError):
    """Bad input found by the Spark runner (names the file, the record's id and the field)."""


@dataclass(frozen=True)
class Run:
    """What a run did, for the operator."""

    roll: int
    referrals: int
    candidate_pairs: int
    matched: int
    found: dict[str, dict[str, str]] | None = None  # roll id → the record's columns (details=True)


# ---------------------------------------------------------------------------------------------
# The Spark session


def session(master: str = "local[*]", conf: dict[str, str] | None = None, app: str = "cme-link") -> SparkSession:
    """A Spark session: local threads by default, a cluster when `master` names one (or when
    run under spark-submit, whose session this returns). Python workers run this interpreter, so
    that they have the engine and its libraries at the driver's versions."""
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(app).master(master)
    defaults = {
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        # Local mode runs the executors in the driver's JVM: give it room for the joins.
        "spark.driver.memory": "4g",
        "spark.sql.shuffle.partitions": "16",
        "spark.sql.adaptive.enabled": "true",
    }
    for key, value in {**defaults, **(conf or {})}.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def running() -> bool:
    """True when this process already has a Spark session (under spark-submit, or a caller's)."""
    from pyspark.sql import SparkSession

    return SparkSession.getActiveSession() is not None


def add_session_arguments(parser: Any) -> None:
    """The commands' options for the session (`cme link`, `cme reconcile` with --engine spark)."""
    parser.add_argument("--spark-master", default=os.environ.get("CME_SPARK_MASTER", "local[*]"),
                        help="Spark master (default local[*], or CME_SPARK_MASTER)")
    parser.add_argument("--spark-conf", action="append", default=[], metavar="KEY=VALUE",
                        help="a Spark setting, e.g. spark.driver.memory=8g (repeat for more)")


def conf_of(items: list[str]) -> dict[str, str]:
    """--spark-conf KEY=VALUE items as settings; ValueError names the one that is not."""
    conf = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"--spark-conf {item!r}: give KEY=VALUE")
        conf[key.strip()] = value.strip()
    return conf


# ---------------------------------------------------------------------------------------------
# Reading and normalising


def _read(spark: SparkSession, path: str | Path, name: str, extra: tuple[str, ...] = ()) -> DataFrame:
    """A CSV file (or a folder of CSV files) of the `cme link` columns, every value text, with a
    sequence number in reading order (a single file: its row order)."""
    from pyspark.sql import functions as F

    try:
        frame = spark.read.csv(str(path), header=True, inferSchema=False, encoding="UTF-8", multiLine=False,
                               mode="FAILFAST")
        frame = frame.toDF(*[c.lstrip("\ufeff").strip() for c in frame.columns])  # a spreadsheet's BOM
    except Exception as e:
        raise SparkInputError(f"{name}: not a readable CSV file ({str(e).splitlines()[0]})") from None
    missing = [c for c in batch.COLUMNS if c not in frame.columns]
    if missing:
        raise SparkInputError(f"{name} row 1 (header): missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
    wanted = [c for c in dict.fromkeys((*batch.COLUMNS, *batch.OPTIONAL_COLUMNS, *extra)) if c in frame.columns]
    return frame.select(*wanted).withColumn("seq", F.monotonically_increasing_id())


def _normaliser(name: str, query: bool):
    """The mapInPandas function: each row as the engine normalises it, with its blocking keys, or
    the error that stops the run."""
    import pandas as pd

    def run(chunks: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for chunk in chunks:
            columns: dict[str, list] = {k: [] for k in _NORM_COLUMNS}
            fields = [c for c in chunk.columns if c != "seq"]
            values = [chunk[c].tolist() for c in fields]
            for seq, *row in zip(chunk["seq"].tolist(), *values, strict=True):
                text = {k: (v if isinstance(v, str) else "") for k, v in zip(fields, row, strict=True)}
                n: _Norm | None = None
                error: str | None = None
                try:
                    n = normalise(batch.person_from_row(name, None, text))
                except batch.InputError as e:
                    error = str(e)
                columns["seq"].append(seq)
                columns["id"].append(text.get("id", ""))
                columns["error"].append(error)
                columns["norm"].append(pickle.dumps(tuple(getattr(n, f) for f in _NORM_FIELDS), protocol=5) if n else b"")
                columns["forenames"].append(list(n.forenames) if n else [])
                columns["surnames"].append(list(n.surnames) if n else [])
                columns["middles"].append(list(n.middles) if n else [])
                columns["keys"].append(blocking_key_values(n, query) if n else [])
            yield pd.DataFrame(columns)

    return run


_NORM_COLUMNS = [part.split()[0] for part in NORM_SCHEMA.split(", ")]
_NORM_FIELDS = [f.name for f in fields(_Norm)]


def _norms_of(column: Any) -> list[_Norm]:
    """The normalised records of a column of pickled ones."""
    return [_Norm(*pickle.loads(b)) for b in column.tolist()]  # noqa: S301 (written by this module's own workers)


def normalised(spark: SparkSession, path: str | Path, *, query: bool) -> DataFrame:
    """Read, check and normalise a file; raises SparkInputError for the first bad record (or an
    id used twice), so that nothing is written from bad input."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    name = Path(str(path)).name
    frame = _read(spark, path, name).mapInPandas(_normaliser(name, query), NORM_SCHEMA)
    frame = frame.persist(StorageLevel.MEMORY_AND_DISK)
    try:
        bad = frame.filter(F.col("error").isNotNull()).orderBy("seq").select("error").limit(1).collect()
    except Exception as e:
        frame.unpersist()
        # The CSV reader's own refusal (FAILFAST), e.g. a row with more values than the header.
        if "Malformed" in str(e) or "MALFORMED" in str(e):
            raise SparkInputError(f"{name}: a row does not fit the header (more values than columns, or a "
                                  "broken quote); nothing was linked") from None
        raise
    if bad:
        frame.unpersist()
        raise SparkInputError(bad[0]["error"])
    twice = frame.groupBy("id").count().filter(F.col("count") > 1).select("id").limit(1).collect()
    if twice:
        frame.unpersist()
        raise SparkInputError(f"{name} (id {twice[0]['id']}), field id: the id is used twice")
    return frame.drop("error")


# ---------------------------------------------------------------------------------------------
# Linking


def _scorer(model: Model, counts: Any, size: int, threshold: float):
    """The cogroup function: a bucket of referrals in (with their candidate pairs and each
    candidate once), each referral's best link out. Scoring a bucket over one part of the index
    builds each candidate once for all the bucket's referrals that share it, and pays Spark's
    cost of a group once for many referrals."""
    import pandas as pd

    def run(left: pd.DataFrame, referrals: pd.DataFrame) -> pd.DataFrame:
        out: dict[str, list] = {"seq": [], "referral_id": [], "roll_id": [], "probability": []}
        if referrals.empty:
            return pd.DataFrame(out)
        candidates = left[left["kind"] == 0].sort_values("c_seq", kind="stable")
        pairs = left[left["kind"] == 1]
        matcher = None
        rows_of: dict[int, np.ndarray] = {}
        if len(candidates):
            forenames, surnames, middles, with_middles = counts.value
            index = Index.of_normalised(
                candidates["c_id"].tolist(), _norms_of(candidates["c_norm"]),
                forename_counts=forenames, surname_counts=surnames, size=size,
                middle_counts=middles, with_middles=with_middles,
            )
            matcher = Matcher(model, index)
            position = pd.Series(np.arange(len(candidates), dtype=np.int32), index=candidates["c_seq"].to_numpy())
            where = position.loc[pairs["c_seq"].to_numpy()].to_numpy()
            # Each referral's candidates in roll order (the in-process index's row order).
            order = np.lexsort((where, pairs["ref_seq"].to_numpy()))
            refs, where = pairs["ref_seq"].to_numpy()[order], where[order]
            cuts = np.flatnonzero(np.diff(refs)) + 1
            rows_of = {int(chunk_refs[0]): chunk for chunk_refs, chunk in
                       zip(np.split(refs, cuts), np.split(where, cuts), strict=True) if len(chunk)}
        for seq, ident, n in zip(referrals["seq"].tolist(), referrals["id"].tolist(), _norms_of(referrals["norm"]),
                                 strict=True):
            roll_id, probability = None, 0.0
            rows = rows_of.get(seq)
            if matcher is not None and rows is not None:
                roll_id, probability = matcher.best_among(n, rows)
            out["seq"].append(seq)
            out["referral_id"].append(ident)
            out["roll_id"].append(roll_id if probability >= threshold else None)
            out["probability"].append(float(probability))
        return pd.DataFrame(out)

    return run


# Referrals scored together in one group: enough to pay Spark's cost of a group once for many,
# few enough that a group's candidates stay small (about 400 each on a national roll).
REFERRALS_PER_GROUP = 200


def link_frame(spark: SparkSession, roll_path: str | Path, referrals_path: str | Path, *, model: Model,
               threshold: float = batch.DEFAULT_THRESHOLD, max_block: int = MAX_BLOCK,
               details: bool = False) -> tuple[DataFrame, dict[str, int]]:
    """The links as a Spark frame (seq, referral_id, roll_id, probability), one row per referral,
    and the run's counts. With `details`, each link carries the roll record found too
    (batch.FOUND_COLUMNS, empty where the roll has no such column)."""
    from pyspark.sql import functions as F

    roll = normalised(spark, roll_path, query=False)
    refs = normalised(spark, referrals_path, query=True)
    size = roll.count()

    # How common each name is over the whole roll: records holding it, as the index counts.
    def name_counts(column: str) -> dict[str, int]:
        rows = roll.select(F.explode(column).alias("name")).groupBy("name").count().collect()
        return {r["name"]: int(r["count"]) for r in rows}

    with_middles = roll.filter(F.size("middles") > 0).count()
    counts = spark.sparkContext.broadcast((name_counts("forenames"), name_counts("surnames"), name_counts("middles"),
                                           with_middles))

    # Blocking as joins; a key too common to narrow anything down is dropped, as in process.
    roll_keys = roll.select("seq", F.explode("keys").alias("key"))
    usable = roll_keys.groupBy("key").count().filter(F.col("count") <= max_block).select("key")
    roll_keys = roll_keys.join(usable, "key", "left_semi")
    ref_keys = refs.select(F.col("seq").alias("ref_seq"), F.explode("keys").alias("key"))
    pairs = ref_keys.join(roll_keys, "key").select("ref_seq", "seq").distinct()

    # Referrals go to buckets; each bucket gets its referrals, their candidate pairs (two numbers
    # each) and each of its candidates' records once.
    n_refs = refs.count()
    buckets = max(-(-n_refs // REFERRALS_PER_GROUP), 2 * spark.sparkContext.defaultParallelism)
    pairs = pairs.withColumn("bucket", F.pmod(F.xxhash64("ref_seq"), F.lit(buckets)))
    records = roll.select(F.col("seq").alias("c_seq"), F.col("id").alias("c_id"), F.col("norm").alias("c_norm"))
    wanted = pairs.select("bucket", F.col("seq").alias("c_seq")).distinct().join(records, "c_seq")
    left = wanted.select("bucket", F.lit(0).alias("kind"), F.lit(None).cast("long").alias("ref_seq"), "c_seq",
                         "c_id", "c_norm").unionByName(
        pairs.select("bucket", F.lit(1).alias("kind"), "ref_seq", F.col("seq").alias("c_seq"),
                     F.lit(None).cast("string").alias("c_id"), F.lit(None).cast("binary").alias("c_norm")))
    referral_rows = refs.select(F.pmod(F.xxhash64("seq"), F.lit(buckets)).alias("bucket"), "seq", "id", "norm")
    links = left.groupBy("bucket").cogroup(referral_rows.groupBy("bucket")).applyInPandas(
        _scorer(model, counts, size, threshold), LINK_SCHEMA)
    if details:
        raw = _read(spark, roll_path, Path(str(roll_path)).name, extra=batch.FOUND_COLUMNS)
        found = raw.select(F.col("id").alias("roll_id"), *[
            (F.col(c) if c in raw.columns else F.lit(None).cast("string")).alias(f"found_{c}") for c in batch.FOUND_COLUMNS])
        links = links.join(found, "roll_id", "left")
    return links, {"roll": size, "referrals": n_refs, "candidate_pairs": pairs.count()}


def link(spark: SparkSession, roll_path: str | Path, referrals_path: str | Path, *, model: Model,
         threshold: float = batch.DEFAULT_THRESHOLD, max_block: int = MAX_BLOCK,
         details: bool = False) -> tuple[list[batch.Link], Run]:
    """Every referral's best roll record, in the referrals' order: `batch.link`'s result. With
    `details`, `Run.found` holds each linked roll record's columns (for `batch.write_links`)."""
    frame, counts = link_frame(spark, roll_path, referrals_path, model=model, threshold=threshold,
                               max_block=max_block, details=details)
    links, found = [], {}
    for r in frame.orderBy("seq").toLocalIterator():
        links.append(batch.Link(r["referral_id"], r["roll_id"], float(r["probability"])))
        if details and r["roll_id"]:
            found[r["roll_id"]] = {c: r[f"found_{c}"] for c in batch.FOUND_COLUMNS}
    return links, Run(counts["roll"], counts["referrals"], counts["candidate_pairs"],
                      sum(1 for item in links if item.roll_id), found if details else None)


def write_parquet(frame: DataFrame, out: str | Path) -> None:
    """The links as a Parquet folder, written by the executors (a national run's output need not
    pass through the driver)."""
    frame.drop("seq").write.mode("overwrite").parquet(str(out))
