"""`cme screen`: the batch contract, with no database."""

import csv
import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cme.attendance import regfile

from .builders import weeks

START = dt.date(2025, 9, 1)


def write_registers(path, rows):
    path.write_bytes(regfile.to_csv_bytes(rows))
    return path


def run(tmp_path, reg, as_of="2025-10-10", rules=None):
    out = tmp_path / "out.csv"
    args = ["screen", "--registers", str(reg), "--as-of", as_of, "--out", str(out)]
    if rules:
        args += ["--rules", str(rules)]
    call_command(*args, stderr=io.StringIO())
    return out.read_text().splitlines()


def test_writes_one_row_per_rule_that_fires(tmp_path):
    reg = write_registers(tmp_path / "reg.csv", [
        ("A901100000001", "9011001", START, weeks(6)),
        ("A901100000002", "9011001", START, weeks(3) + weeks(3, "N", "O")),
        ("A901100000003", "9012002", START, weeks(2)),
    ])
    lines = run(tmp_path, reg)
    assert lines[0] == "upn,laestab,rule,detail"
    rows = list(csv.reader(lines[1:]))
    assert [(u, la, rule) for u, la, rule, _ in rows] == [
        ("A901100000002", "9011001", "continuous_absence_10"),
        ("A901100000002", "9011001", "severe_absence"),
        ("A901100000002", "9011001", "persistent_absence"),
        ("", "9012002", "registers_missing"),
    ]
    assert rows[0][3] == "15 school days absent (G, N, O: unauthorised absence) from 22 September 2025 to 10 October 2025"


def test_marks_after_as_of_are_ignored(tmp_path):
    reg = write_registers(tmp_path / "reg.csv", [("A901100000001", "9011001", START, weeks(2, "N", "N") + weeks(1))])
    assert [line.split(",")[2] for line in run(tmp_path, reg, as_of="2025-09-12")[1:]] == [
        "continuous_absence_10", "severe_absence", "persistent_absence"]


def test_other_rules_file(tmp_path):
    reg = write_registers(tmp_path / "reg.csv", [("A901100000001", "9011001", START, weeks(3) + weeks(1, "N", "N"))])
    rules = tmp_path / "rules.toml"
    text = (regfile.Path(__file__).parents[1] / "data" / "rules.toml").read_text()
    rules.write_text(text.replace("[rules.continuous_absence_10]\n", "[rules.continuous_absence_10]\nschool_days = 5\n", 1)
                     .replace("school_days = 10\n\n[rules.continuous_absence_20]", "\n[rules.continuous_absence_20]", 1))
    assert "continuous_absence_10" in {line.split(",")[2] for line in run(tmp_path, reg, as_of="2025-09-26", rules=rules)}


@pytest.mark.parametrize(("content", "message"), [
    (b"upn,laestab,start_date,marks\nA901100000001,9011001,2025-09-01,/ Q7\n",
     "row 2, field marks: unknown attendance code 'Q7' for pupil A901100000001 on 2025-09-01 PM"),
    (b"upn,laestab,start_date,marks\nA901100000001,9011001,2025-02-30,/ \\\n", "row 2, field start_date"),
    (b"upn;laestab\n", "row 1, field header"),
])
def test_bad_input_names_row_and_field_and_writes_nothing(tmp_path, content, message):
    reg = tmp_path / "reg.csv"
    reg.write_bytes(content)
    out = tmp_path / "out.csv"
    with pytest.raises(CommandError, match=message):
        call_command("screen", "--registers", str(reg), "--as-of", "2025-10-10", "--out", str(out))
    assert not out.exists()
    assert not (tmp_path / "out.csv.part").exists()


def test_bad_as_of_and_missing_file(tmp_path):
    with pytest.raises(CommandError, match="--as-of: '10/10/2025' is not a date"):
        call_command("screen", "--registers", "x.csv", "--as-of", "10/10/2025", "--out", str(tmp_path / "o.csv"))
    with pytest.raises(CommandError, match="no such file"):
        call_command("screen", "--registers", str(tmp_path / "none.csv"), "--as-of", "2025-10-10",
                     "--out", str(tmp_path / "o.csv"))


def test_command_exits_non_zero_on_bad_input(tmp_path):
    import subprocess
    import sys
    reg = tmp_path / "reg.csv"
    reg.write_bytes(b"upn,laestab,start_date,marks\nA901100000001,9011001,2025-09-01,/ Q7\n")
    out = tmp_path / "out.csv"
    done = subprocess.run([sys.executable, "-m", "cme", "screen", "--registers", str(reg), "--as-of",
                           "2025-10-10", "--out", str(out)], capture_output=True, text=True,
                          env={"CME_DEBUG": "1", "PATH": "/usr/bin:/bin"})
    assert done.returncode != 0
    assert "row 2, field marks" in done.stderr
    assert not out.exists()
