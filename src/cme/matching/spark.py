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
4. Each referral's candidates come together in one group (`cogroup`), in roll order, and are
   scored by the engine's own Matcher over a part of the index (`Index.of_normalised`): the same
   comparisons, weights, rivals and calibrated probability as in process, to rounding.

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
NORM_SCHEMA = "seq long, id string, error string, norm binary, forenames array<string>, surnames array<string>, keys array<long>"
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


# ---------------------------------------------------------------------------------------------
# Reading and normalising


def _read(spark: SparkSession, path: str | Path, name: str) -> DataFrame:
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
    wanted = [c for c in (*batch.COLUMNS, *batch.OPTIONAL_COLUMNS) if c in frame.columns]
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
                try:
                    person = batch.person_from_row(name, None, text)
                except batch.InputError as e:
                    n, error = None, str(e)
                else:
                    n, error = normalise(person), None
                columns["seq"].append(seq)
                columns["id"].append(text.get("id", ""))
                columns["error"].append(error)
                columns["norm"].append(pickle.dumps(tuple(getattr(n, f) for f in _NORM_FIELDS), protocol=5) if n else b"")
                columns["forenames"].append(list(n.forenames) if n else [])
                columns["surnames"].append(list(n.surnames) if n else [])
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
    bad = frame.filter(F.col("error").isNotNull()).orderBy("seq").select("error").limit(1).collect()
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
    """The cogroup function: one referral and its candidates in, its best link out."""
    import pandas as pd

    def run(candidates: pd.DataFrame, referral: pd.DataFrame) -> pd.DataFrame:
        if referral.empty:  # candidates of no referral cannot happen; be safe
            return pd.DataFrame(columns=["seq", "referral_id", "roll_id", "probability"])
        ref = referral.iloc[0]
        roll_id, probability = None, 0.0
        if not candidates.empty:
            candidates = candidates.sort_values("c_seq", kind="stable")
            forenames, surnames = counts.value
            index = Index.of_normalised(
                candidates["c_id"].tolist(), _norms_of(candidates["c_norm"]),
                forename_counts=forenames, surname_counts=surnames, size=size,
            )
            roll_id, probability = Matcher(model, index).best_among(
                _norms_of(referral["norm"])[0], np.arange(len(candidates), dtype=np.int32))
        return pd.DataFrame([{
            "seq": int(ref["seq"]), "referral_id": ref["id"],
            "roll_id": roll_id if probability >= threshold else None, "probability": float(probability),
        }])

    return run


def link_frame(spark: SparkSession, roll_path: str | Path, referrals_path: str | Path, *, model: Model,
               threshold: float = batch.DEFAULT_THRESHOLD, max_block: int = MAX_BLOCK) -> tuple[DataFrame, dict[str, int]]:
    """The links as a Spark frame (seq, referral_id, roll_id, probability), one row per referral,
    and the run's counts."""
    from pyspark.sql import functions as F

    roll = normalised(spark, roll_path, query=False)
    refs = normalised(spark, referrals_path, query=True)
    size = roll.count()

    # How common each name is over the whole roll: records holding it, as the index counts.
    def name_counts(column: str) -> dict[str, int]:
        rows = roll.select(F.explode(column).alias("name")).groupBy("name").count().collect()
        return {r["name"]: int(r["count"]) for r in rows}

    counts = spark.sparkContext.broadcast((name_counts("forenames"), name_counts("surnames")))

    # Blocking as joins; a key too common to narrow anything down is dropped, as in process.
    roll_keys = roll.select("seq", F.explode("keys").alias("key"))
    usable = roll_keys.groupBy("key").count().filter(F.col("count") <= max_block).select("key")
    roll_keys = roll_keys.join(usable, "key", "left_semi")
    ref_keys = refs.select(F.col("seq").alias("ref_seq"), F.explode("keys").alias("key"))
    pairs = ref_keys.join(roll_keys, "key").select("ref_seq", "seq").distinct()

    candidates = pairs.join(roll.select(F.col("seq").alias("c_seq"), F.col("id").alias("c_id"), F.col("norm").alias("c_norm")),
                            F.col("seq") == F.col("c_seq")).drop("seq").withColumnRenamed("ref_seq", "seq")
    referral_rows = refs.select("seq", "id", "norm")
    links = candidates.groupBy("seq").cogroup(referral_rows.groupBy("seq")).applyInPandas(
        _scorer(model, counts, size, threshold), LINK_SCHEMA)
    return links, {"roll": size, "referrals": refs.count(), "candidate_pairs": pairs.count()}


def link(spark: SparkSession, roll_path: str | Path, referrals_path: str | Path, *, model: Model,
         threshold: float = batch.DEFAULT_THRESHOLD, max_block: int = MAX_BLOCK) -> tuple[list[batch.Link], Run]:
    """Every referral's best roll record, in the referrals' order: `batch.link`'s result."""
    frame, counts = link_frame(spark, roll_path, referrals_path, model=model, threshold=threshold,
                               max_block=max_block)
    links = [batch.Link(r["referral_id"], r["roll_id"], float(r["probability"]))
             for r in frame.orderBy("seq").toLocalIterator()]
    return links, Run(counts["roll"], counts["referrals"], counts["candidate_pairs"],
                      sum(1 for item in links if item.roll_id))


def write_parquet(frame: DataFrame, out: str | Path) -> None:
    """The links as a Parquet folder, written by the executors (a national run's output need not
    pass through the driver)."""
    frame.drop("seq").write.mode("overwrite").parquet(str(out))
