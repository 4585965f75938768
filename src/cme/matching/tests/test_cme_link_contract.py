"""`cme link --roll --referrals --out [--threshold]`: the batch contract of issue 3, point 4."""

import csv

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from cme.matching import batch

HEADER = "id,upn,forename,middle_names,surname,former_surname,dob,sex,postcode,address\n"
ROLL = HEADER + (
    "P1,,William,James,Hartley,,2014-03-12,M,NM1 2AB,12 High Street\n"
    "P2,,Elizabeth,,Okafor,,2013-07-01,F,NM2 3CD,4 Mill Lane\n"
    "P3,,Muhammad,,Chowdhury,,2015-01-20,M,NM3 1EF,9 Park Road\n"
    "P4,,Jack,,Brown,,2012-05-05,M,NM4 1AA,1 Long Road\n"
    "P5,,Emily,,Patel,,2011-06-06,F,NM5 1AA,2 Long Road\n"
)
REFS = HEADER + (
    "R1,,Bill,,Hartley,,2014-12-03,M,NM1 2AB,12 High St\n"
    "R2,,Mohammed,,Chowdhury,,2015-01-20,,,\n"
    "R3,,Zebedee,,Quartermaine,,2010-10-10,,,\n"
)


def run(tmp_path, roll=ROLL, refs=REFS, *extra):
    (tmp_path / "roll.csv").write_text(roll, encoding="utf-8")
    (tmp_path / "refs.csv").write_text(refs, encoding="utf-8")
    out = tmp_path / "out.csv"
    call_command("link", "--roll", str(tmp_path / "roll.csv"), "--referrals", str(tmp_path / "refs.csv"),
                 "--out", str(out), *extra)
    with open(out, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def test_link_writes_one_row_per_referral_with_the_header(tmp_path):
    rows = run(tmp_path)
    assert rows[0] == ["referral_id", "roll_id", "probability"]
    assert [r[0] for r in rows[1:]] == ["R1", "R2", "R3"]
    found = {r[0]: r[1] for r in rows[1:]}
    assert found["R1"] == "P1" and found["R2"] == "P3"


def test_referral_below_threshold_gets_an_empty_roll_id(tmp_path):
    rows = run(tmp_path)
    r3 = next(r for r in rows if r[0] == "R3")
    assert r3[1] == "" and float(r3[2]) < 0.9


def test_threshold_of_one_leaves_every_roll_id_empty(tmp_path):
    rows = run(tmp_path, ROLL, REFS, "--threshold", "1")
    assert all(r[1] == "" for r in rows[1:])


def test_saved_model_can_be_used_again(tmp_path):
    model = tmp_path / "model.json"
    run(tmp_path, ROLL, REFS, "--save-model", str(model))
    rows = run(tmp_path, ROLL, REFS, "--model", str(model))
    assert {r[0]: r[1] for r in rows[1:]}["R1"] == "P1"


@pytest.mark.parametrize(
    ("refs", "message"),
    [
        (HEADER + "R1,,Bill,,Hartley,,2014-02-30,M,,\n", r"refs.csv row 2 \(id R1\), field dob: 2014-02-30 is not a real date"),
        (HEADER + "R1,,Bill,,Hartley,,12/03/2014,M,,\n", r"row 2 \(id R1\), field dob: .* YYYY-MM-DD"),
        (HEADER + "R1,,Bill,,Hartley,,,X,,\n", r"row 2 \(id R1\), field sex"),
        (HEADER + "R1,,Bill,,,,,,,\n,,Ann,,Lee,,,,,\n", r"row 3, field id"),
        (HEADER.replace(",dob", "") + "R1,,Bill,,Hartley,,M,,\n", r"row 1 \(header\): missing column dob"),
        (HEADER + "R1,,A,,B,,,,,\nR1,,C,,D,,,,,\n", r"row 3 \(id R1\), field id: the id is used twice"),
    ],
)
def test_bad_input_names_the_row_and_field_and_writes_nothing(tmp_path, refs, message):
    with pytest.raises(CommandError, match=message):
        run(tmp_path, ROLL, refs)
    assert not (tmp_path / "out.csv").exists()


def test_file_that_is_not_utf8_is_refused(tmp_path):
    (tmp_path / "roll.csv").write_text(ROLL, encoding="utf-8")
    (tmp_path / "refs.csv").write_bytes((HEADER + "R1,,Zoë,,Brown,,,,,\n").encode("cp1252"))
    with pytest.raises(CommandError, match=r"refs\.csv: not UTF-8"):
        call_command("link", "--roll", str(tmp_path / "roll.csv"), "--referrals", str(tmp_path / "refs.csv"),
                     "--out", str(tmp_path / "out.csv"))
    assert not (tmp_path / "out.csv").exists()


CELL = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(CELL, min_size=0, max_size=12), max_size=6))
def test_csv_reader_accepts_or_refuses_clearly_whatever_it_is_given(rows):
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(batch.COLUMNS)
    writer.writerows(rows)
    try:
        people = batch.parse_people(io.StringIO(buffer.getvalue()), name="fuzz.csv")
    except batch.InputError as e:
        assert str(e).startswith("fuzz.csv row ")
    else:
        assert all(p.id for p in people)
