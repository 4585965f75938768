"""`cme reconcile --engine spark` (issue 16): the same OUT.csv as the in-process reconciliation, and
the same refusals.

The set (tests/data/spark-*.csv, from bench/make_movements.py, seed 9: 1,500 pupils in households,
250 leavers, 250 joiners, 50 on the home-education list; movers with new UPNs or none, misspelt
names, new surnames and addresses, dual registrations; lost children whose brother or sister joins
another school the same week, whose namesake joins one, or whose twin stays) with three rows of
the blind set's hard cases appended: a twin with a look-alike name joining as his brother leaves,
a birthday keyed a year out at the same home, a namesake born the year before elsewhere, and a
twin already on a roll (Amina) registered at another school as her sister (Amira) leaves, twins
on one school's roll under two UPNs and forms of one name (Abdi, Abdullahi), and a leaver found by
UPN and names with a birthday keyed a year out, and twins Mary Marie and Mary-Ann Florence; and
a namesake on another roll for years under his own UPN who moves school after the leaver left
(Adelbert Greenhow), a leaver found by her own UPN with a forename misspelt and a day mis-keyed
(Noor Kazmi), and a leaver found at a third school the week her twin joined another (Ella May
Phillipson). Run both ways on a local Spark of two executor threads, as a cluster would split it.
"""

import csv
import datetime as dt
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cme.matching import spark as spark_runner
from cme.matching.batch import InputError
from cme.tracking import batch

DATA = Path(__file__).parent / "data"
ENROL, EHE, TERMS = DATA / "spark-enrol.csv", DATA / "spark-ehe.csv", DATA / "spark-terms.csv"
AS_OF = dt.date(2025, 7, 18)


@pytest.fixture(scope="module")
def session():
    spark = spark_runner.session("local[2]", {"spark.sql.shuffle.partitions": "4", "spark.driver.memory": "1g"})
    yield spark
    spark.stop()


def _rows(path: Path) -> dict[tuple[str, str, str], dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return {(r["upn"], r["laestab"], r["leaving_date"]): r for r in csv.DictReader(f)}


def test_spark_runner_writes_the_in_process_out_file(session, tmp_path):
    batch.run(ENROL, TERMS, tmp_path / "memory.csv", la_code="901", as_of=AS_OF, ehe=EHE)
    counts, overdue = batch.run_spark(session, ENROL, TERMS, tmp_path / "spark.csv", la_code="901", as_of=AS_OF,
                                      ehe=EHE)

    assert (tmp_path / "spark.csv").read_bytes() == (tmp_path / "memory.csv").read_bytes()
    assert sum(counts.values()) == 261 and counts["on_roll"] > 100 and counts["unreconciled"] > 10
    assert counts["home_education"] and counts["transferred_out"] and counts["exempt"]
    assert overdue <= counts["unreconciled"]
    # The hard cases, each as the rules decide: the twin is not the leaver; the birthday keyed a
    # year out at the same home is; the namesake born the year before elsewhere is not; nor is a
    # record under the name of a twin already on a roll.
    out = _rows(tmp_path / "spark.csv")
    assert out[("A901100000001", "9011001", "2025-01-17")]["status"] == "unreconciled"
    assert out[("A901100000002", "9011001", "2025-02-03")]["found_at"] == "9012003"
    assert out[("A901100000003", "9011002", "2025-03-01")]["status"] == "unreconciled"
    assert out[("A901100000004", "9011003", "2025-06-19")]["status"] == "unreconciled"  # that is Amina
    # Abdillahi is Abdullahi's (his twin on the same school's roll under another UPN), not Abdi's;
    # Harry's UPN and names outweigh a birthday keyed a year out.
    assert out[("A901100000006", "9011006", "2025-05-02")]["status"] == "unreconciled"
    assert out[("A901100000008", "9011008", "2025-06-12")]["found_at"] == "9012008"
    # Mary Marie and Mary-Ann Florence agree on the exact key (first forename, surname, birthday,
    # postcode) but their middle names do not: twins, in the Spark join as in process.
    assert out[("A901100000009", "9011009", "2024-11-04")]["status"] == "unreconciled"
    # The other Adelbert Greenhow's record is his (his UPN and names on a roll all the while the
    # leaver was on hers), found by it; the leaver is not.
    assert out[("A901100000010", "9011010", "2025-01-10")]["status"] == "unreconciled"
    assert out[("B901100000011", "9011011", "2025-03-10")]["found_at"] == "9012011"
    assert out[("A901100000012", "9011012", "2025-03-21")]["found_at"] == "9012012"
    assert out[("P873287021140", "9011013", "2024-11-17")]["found_at"] == "9012014"


def test_command_with_spark_engine_refuses_a_bad_row_as_in_process_and_writes_nothing(session, tmp_path):
    bad = tmp_path / "enrol.csv"
    lines = ENROL.read_text(encoding="utf-8").splitlines()
    lines[40] = lines[40].replace(",9011", ",90X1", 1)  # row 41: a LAESTAB with a letter in it
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    common = ["reconcile", "--enrolments", str(bad), "--as-of", AS_OF.isoformat(), "--la", "901",
              "--term-dates", str(TERMS)]

    with pytest.raises(CommandError) as memory:
        call_command(*common, "--out", str(tmp_path / "memory.csv"))
    with pytest.raises(InputError) as spark:
        batch.run_spark(session, bad, TERMS, tmp_path / "spark.csv", la_code="901", as_of=AS_OF)

    assert str(spark.value) == str(memory.value)
    assert "row 41, field laestab" in str(spark.value)
    assert not (tmp_path / "spark.csv").exists()


def test_spark_runner_refuses_a_file_that_is_not_utf8_as_in_process(session, tmp_path):
    bad = tmp_path / "enrol.csv"
    shutil.copy(ENROL, bad)
    with open(bad, "ab") as f:
        f.write(b",Zo\xe9,,Hart,,2014-03-12,F,NM1 2AB,1 Road,9012002,2025-01-27,,,\n")

    with pytest.raises(InputError) as memory:
        batch.run(bad, TERMS, tmp_path / "memory.csv", la_code="901", as_of=AS_OF)
    with pytest.raises(InputError) as spark:
        batch.run_spark(session, bad, TERMS, tmp_path / "spark.csv", la_code="901", as_of=AS_OF)
    assert str(spark.value) == str(memory.value) and "not UTF-8" in str(spark.value)


def test_spark_runner_refuses_a_wrong_header_as_in_process(session, tmp_path):
    bad = tmp_path / "enrol.csv"
    lines = ENROL.read_text(encoding="utf-8").splitlines()
    lines[0] = lines[0].replace("leaving_ground", "reason")
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")

    with pytest.raises(InputError) as memory:
        batch.run(bad, TERMS, tmp_path / "memory.csv", la_code="901", as_of=AS_OF)
    with pytest.raises(InputError) as spark:
        batch.run_spark(session, bad, TERMS, tmp_path / "spark.csv", la_code="901", as_of=AS_OF)
    assert str(spark.value) == str(memory.value) and "row 1: the header must be" in str(spark.value)
    assert not (tmp_path / "spark.csv").exists()
