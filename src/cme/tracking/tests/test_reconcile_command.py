"""`cme reconcile`: the batch contract, with no database. Every status, the hard cases (a new UPN
or none, spelling drift, a sibling joining another school the same day, a namesake) and bad input
refused with file, row and field, nothing written."""

import csv

import pytest
from django.core.management import CommandError, call_command

from cme.attendance.calendar import DEMO_CALENDAR

HEADER = ("upn,forename,middle_names,surname,former_surname,dob,sex,postcode,address,laestab,"
          "entry_date,leaving_date,leaving_ground,destination")
EHE_HEADER = "id,upn,forename,middle_names,surname,former_surname,dob,sex,postcode,address,start_date"
AS_OF = "2025-03-28"


def _terms(tmp_path):
    lines = [line for line in DEMO_CALENDAR.read_text().splitlines(keepends=True)
             if line.startswith(("scope", "901,"))]
    path = tmp_path / "terms.csv"
    path.write_text("".join(lines))
    return path


def _run(tmp_path, rows, ehe_rows=None, la="901"):
    enrol = tmp_path / "enrol.csv"
    enrol.write_text("\n".join([HEADER, *rows]) + "\n")
    out = tmp_path / "out.csv"
    args = ["reconcile", "--enrolments", str(enrol), "--as-of", AS_OF, "--la", la,
            "--term-dates", str(_terms(tmp_path)), "--out", str(out)]
    if ehe_rows is not None:
        ehe = tmp_path / "ehe.csv"
        ehe.write_text("\n".join([EHE_HEADER, *ehe_rows]) + "\n")
        args += ["--ehe", str(ehe)]
    call_command(*args)
    with open(out, newline="") as f:
        return {(r["upn"], r["laestab"], r["leaving_date"]): r for r in csv.DictReader(f)}


ADDR = "12 Mill Lane,Northmoor"


def test_each_status_in_its_order(tmp_path):
    rows = [
        # On roll elsewhere, under a new UPN and a misspelt forename.
        f"A901100000001,Olivia,,Hartley,,2014-03-12,F,NM1 2AB,\"{ADDR}\",9011001,2022-09-05,2025-01-17,c,",
        f"A907300000009,Olivai,,Hartley,,2014-03-12,F,NM1 2AB,\"{ADDR}\",9012002,2025-01-20,,,",
        # Exempt whatever else: ceased to be of compulsory school age.
        "A901100000002,Tom,,Baker,,2009-01-02,M,NM2 3CD,1 High St,9011001,2020-09-01,2025-02-01,k,",
        # Home education.
        "A901100000003,Ruby,,Lane,,2013-06-01,F,NM3 4EF,3 Low St,9011001,2020-09-01,2025-02-03,f,",
        # Transferred out: ground (g), destination outside the LA.
        "A901100000004,Sam,,Oak,,2012-02-02,M,NM4 5GH,4 Elm Rd,9011001,2020-09-01,2025-02-04,g,9074001",
        # Unreconciled: ground (g), no destination, found nowhere.
        "A901100000005,Ella,,Burton,,2015-05-05,F,NM9 4QR,\"17 Orchard Way\",9011001,2021-09-01,2025-03-14,g,",
        # ... while her brother joins another school the same week (not her).
        "A901100000006,Jack,,Burton,,2017-09-21,M,NM9 4QR,\"17 Orchard Way\",9012002,2025-03-17,,,",
    ]
    ehe = ["h1,,Ruby,,Lane,,2013-06-01,F,NM3 4EF,3 Low St,2025-02-10"]
    out = _run(tmp_path, rows, ehe)
    assert len(out) == 5  # one row per ended enrolment
    assert out[("A901100000001", "9011001", "2025-01-17")]["status"] == "on_roll"
    assert out[("A901100000001", "9011001", "2025-01-17")]["found_at"] == "9012002"
    assert out[("A901100000002", "9011001", "2025-02-01")]["status"] == "exempt"
    assert out[("A901100000003", "9011001", "2025-02-03")]["status"] == "home_education"
    moved = out[("A901100000004", "9011001", "2025-02-04")]
    assert (moved["status"], moved["found_at"], moved["school_days"]) == ("transferred_out", "9074001", "")
    lost = out[("A901100000005", "9011001", "2025-03-14")]
    assert lost["status"] == "unreconciled" and lost["found_at"] == ""
    # School days after 14 March up to and including 28 March 2025 in the demo calendar.
    assert lost["school_days"] == "10"


def test_a_namesake_elsewhere_is_not_the_child(tmp_path):
    rows = [
        "A901100000011,Mia,,Khan,,2014-07-07,F,NM1 1AA,5 Park Rd,9011001,2020-09-01,2025-02-07,g,",
        # Same names, another birthday, another address: a different Mia Khan.
        "A901100000099,Mia,,Khan,,2012-11-30,F,NM7 7ZZ,90 Sea View,9012002,2019-09-01,,,",
    ]
    out = _run(tmp_path, rows)
    assert out[("A901100000011", "9011001", "2025-02-07")]["status"] == "unreconciled"


def test_an_earlier_stay_is_not_where_the_child_went(tmp_path):
    rows = [
        "A901100000021,Noah,,Price,,2013-01-01,M,NM1 1AA,5 Park Rd,9012002,2018-09-01,2020-07-20,,",
        "A901100000021,Noah,,Price,,2013-01-01,M,NM1 1AA,5 Park Rd,9011001,2020-09-01,2025-02-07,g,",
    ]
    out = _run(tmp_path, rows)
    assert out[("A901100000021", "9011001", "2025-02-07")]["status"] == "unreconciled"
    assert out[("A901100000021", "9012002", "2020-07-20")]["status"] == "on_roll"


def test_dual_registration_counts(tmp_path):
    rows = [
        "A901100000031,Amir,,Shah,,2012-04-04,M,NM1 1AA,5 Park Rd,9011001,2020-09-01,2025-02-07,g,",
        "A901100000031,Amir,,Shah,,2012-04-04,M,NM1 1AA,5 Park Rd,9013003,2024-01-10,,,",
    ]
    assert _run(tmp_path, rows)[("A901100000031", "9011001", "2025-02-07")]["found_at"] == "9013003"


@pytest.mark.parametrize(("row", "message"), [
    ("A901100000001,Olivia,,Hartley,,2014-02-30,F,,,9011001,2022-09-05,,,", "row 2, field dob"),
    ("A901100000001,Olivia,,Hartley,,2014-02-01,F,,,901100,2022-09-05,,,", "row 2, field laestab"),
    ("A901100000001,Olivia,,Hartley,,2014-02-01,F,,,9011001,2022-09-05,2025-01-01,z,", "row 2, field leaving_ground"),
    ("A901100000001,Olivia,,Hartley,,2014-02-01,F,,,9011001,2022-09-05,2021-01-01,g,", "row 2, field leaving_date"),
    ("A901100000001,Olivia,,Hartley,,2014-02-01,F,,,9011001,,,,", "row 2, field entry_date"),
    ("A901100000001,Olivia,,Hartley,,2014-02-01,F,,,9011001,2022-09-05,2025-01-01,g,XXXX", "row 2, field destination"),
])
def test_bad_input_names_the_row_and_field_and_writes_nothing(tmp_path, row, message):
    with pytest.raises(CommandError, match=message):
        _run(tmp_path, [row])
    assert not (tmp_path / "out.csv").exists()


def test_a_wrong_header_is_refused(tmp_path):
    enrol = tmp_path / "enrol.csv"
    enrol.write_text("upn,name\nA,B\n")
    with pytest.raises(CommandError, match=r"ENROL\.csv row 1: the header must be"):
        call_command("reconcile", "--enrolments", str(enrol), "--as-of", AS_OF, "--la", "901",
                     "--term-dates", str(_terms(tmp_path)), "--out", str(tmp_path / "out.csv"))
