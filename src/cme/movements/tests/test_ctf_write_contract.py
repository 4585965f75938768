"""`cme ctf-write --pupils --source --out [--destination]`: the batch contract of issue 12, point 3."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cme.movements.ctf import read_ctf

HEADER = "id,upn,forename,middle_names,surname,former_surname,dob,sex,postcode,address,entry_date,leaving_date\n"
PUPILS = HEADER + (
    "P1,A123456789012,William,James,Hartley,,2014-03-12,M,NM1 2AB,\"12 High Street, Northmoor\",2021-09-01,2026-11-20\n"
    "P2,,Elizabeth,,Okafor,Smith,2013-07-01,F,,,,\n"
)


def run(tmp_path, pupils=PUPILS, *extra) -> list[str]:
    (tmp_path / "pupils.csv").write_text(pupils, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    stdout = StringIO()
    call_command("ctf-write", "--pupils", str(tmp_path / "pupils.csv"), "--source", "820LLLL",
                 "--out", str(out), *extra, stdout=stdout)
    return stdout.getvalue().split()


def test_without_destination_each_pupil_gets_a_lost_pupil_file(tmp_path):
    names = run(tmp_path)
    assert names == ["820LLLL_CTF_XXXXXXX_001.xml", "820LLLL_CTF_XXXXXXX_002.xml"]
    first = read_ctf(tmp_path / "out" / names[0])
    assert (first.header.dest.lea, first.header.dest.estab) == ("XXX", "XXXX")
    [p] = first.pupils
    assert (p.upn, p.forename, p.middle_names, p.surname, p.dob, p.sex) == (
        "A123456789012", "William", "James", "Hartley", date(2014, 3, 12), "M")
    assert p.address is not None and p.address.lines == ["12 High Street", "Northmoor"]
    assert p.address.postcode == "NM1 2AB"
    assert p.school_history[0].leaving_date == date(2026, 11, 20)
    assert [q.former_surname for q in read_ctf(tmp_path / "out" / names[1]).pupils] == ["Smith"]


def test_with_destination_one_file_holds_every_pupil_and_numbers_count_on(tmp_path):
    assert run(tmp_path, PUPILS, "--destination", "8305678") == ["820LLLL_CTF_8305678_001.xml"]
    assert run(tmp_path, PUPILS, "--destination", "8305678") == ["820LLLL_CTF_8305678_002.xml"]
    assert run(tmp_path) == ["820LLLL_CTF_XXXXXXX_001.xml", "820LLLL_CTF_XXXXXXX_002.xml"]
    ctf = read_ctf(tmp_path / "out" / "820LLLL_CTF_8305678_002.xml")
    assert [p.surname for p in ctf.pupils] == ["Hartley", "Okafor"]


@pytest.mark.parametrize("row, message", [
    ("P3,,Jack,,Brown,,2012-02-30,M,,,,", "row 4 (id P3), field dob"),
    ("P3,,Jack,,Brown,,2012-02-03,X,,,,", "row 4 (id P3), field sex"),
    ("P3,,Jack,,,,2012-02-03,M,,,,", "row 4 (id P3), field surname"),
    ("P3,,Jack,,Brown,,,M,,,,", "row 4 (id P3), field dob"),
    ("P3,,Jack,,Brown,,2012-02-03,M,,,2020-09-01,2019-01-01", "row 4 (id P3), field leaving_date"),
    ("P3,,Jack,,Brown,,2012-02-03,M,,,1st Sept,", "row 4 (id P3), field entry_date"),
    (",,Jack,,Brown,,2012-02-03,M,,,,", "row 4, field id"),
    ("P3,,Ja\u202eck,,Brown,,2012-02-03,M,,,,", "row 4, field forename"),
])
def test_a_bad_row_is_refused_naming_row_and_field_and_nothing_is_written(tmp_path, row, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run(tmp_path, PUPILS + row + "\n")
    assert list((tmp_path / "out").iterdir()) == []


def test_bad_source_or_destination_or_columns_are_refused(tmp_path):
    with pytest.raises(CommandError, match="--destination"):
        run(tmp_path, PUPILS, "--destination", "83")
    with pytest.raises(CommandError, match="entry_date"):
        run(tmp_path, PUPILS.replace(",entry_date,leaving_date", "").replace(",2021-09-01,2026-11-20", "").replace(",,,,\n", ",,\n"))
    assert list((tmp_path / "out").iterdir()) == []
