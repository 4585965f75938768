"""A broken GIAS extract is refused naming the row and column, and the directory is unchanged.
(Issue 9: an unclosed quote loaded 8 of 60 rows as a success; ages in non-ASCII digits crashed
the import; a header-only file was "0 added"; undefined Windows-1252 bytes became "�".)"""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cme.providers.gias import read_extract
from cme.providers.models import Organisation
from cme.providers.services import ImportRefused, gias_import

HEAD = ("URN,LA (code),LA (name),EstablishmentNumber,EstablishmentName,TypeOfEstablishment (name),"
        "EstablishmentStatus (name),OpenDate,CloseDate,PhaseOfEducation (name),StatutoryLowAge,"
        "StatutoryHighAge,Postcode\r\n")


def school(n: int, **changes) -> str:
    values = {"urn": f"{140200 + n}", "la": "901", "la_name": "Northmoor", "estab": f"{3000 + n}",
              "name": f"School {n}", "type": "Community school", "status": "Open", "open": "01-09-1990",
              "close": "", "phase": "Primary", "low": "4", "high": "11", "postcode": "NM1 1AA"} | changes
    return ",".join(values.values())


def extract(*rows: str, head: str = HEAD) -> bytes:
    return (head + "".join(r + "\r\n" for r in rows)).encode("cp1252")


def refused(data: bytes) -> list[str]:
    before = Organisation.objects.count()
    with pytest.raises(ImportRefused) as e:
        gias_import(actor=None, extract=read_extract(data))
    assert Organisation.objects.count() == before
    return [str(p) for p in e.value.problems]


def test_an_unclosed_quote_is_refused_naming_the_row_where_it_opened(la_a):
    rows = [school(i) for i in range(60)]
    rows[7] = '"' + rows[7]
    assert refused(extract(*rows)) == [
        "Row 9, URN: A quote opens on this row and is never closed: close it, or remove it"]


@pytest.mark.parametrize("field, value, column", [
    ("low", "\u00b2", "StatutoryLowAge"), ("high", "\u0661\u0661", "StatutoryHighAge"),
    ("estab", "\u0663\u0660\u0660\u0661", "EstablishmentNumber"), ("open", "1990-W36-1", "OpenDate"),
    ("open", "19900901", "OpenDate"),
])
def test_non_ascii_digits_and_odd_dates_are_refused_not_a_crash(la_a, field, value, column):
    data = (HEAD + school(1, **{field: value}) + "\r\n").encode("utf-8")
    problems = refused(data)
    assert len(problems) == 1 and problems[0].startswith(f"Row 2 (URN 140201), {column}:"), problems


@pytest.mark.parametrize("field, value, words", [
    ("name", "N" * 201, "EstablishmentName: Must be 200 characters or fewer"),
    ("name", "Evil\u202eloohcS", "EstablishmentName: Must not contain a character that changes the direction"),
    ("postcode", "NM1 1AA\x00", "Postcode: Must not contain a control character (U+0000"),
])
def test_long_or_hostile_text_is_refused(la_a, field, value, words):
    problems = refused((HEAD + school(1, **{field: value}) + "\r\n").encode("utf-8"))
    assert len(problems) == 1 and words in problems[0], problems


def test_a_header_only_file_is_refused(la_a):
    assert refused(HEAD.encode("cp1252")) == ["Row 2, file: The file has column names but no rows under them"]


def test_undefined_windows_1252_bytes_are_refused(la_a):
    data = extract(school(1), school(2)).replace(b"School 2", b"School \x9d")
    [problem] = refused(data)
    assert problem.startswith("Row 3, file: Byte 0x9D")


def test_a_column_named_twice_is_refused(la_a):
    [problem] = refused(extract(school(1) + ",Other name", head=HEAD.rstrip() + ",EstablishmentName\r\n"))
    assert problem.startswith("Row 1, EstablishmentName: The column is named twice (columns 5 and 14)")


def test_a_field_past_the_csv_limit_is_refused_not_a_crash(la_a):
    [problem] = refused(extract(school(1, name="x" * 140_000)))
    assert problem == "Row 2, EstablishmentName: A field runs past 131,072 characters: a quote opened on this row may not be closed"


def test_the_command_lists_the_first_hundred_problems(la_a, tmp_path):
    path = tmp_path / "gias.csv"
    path.write_bytes(extract(*[school(i, urn="1") for i in range(130)]))
    err = StringIO()
    with pytest.raises(CommandError, match="130 problem"):
        call_command("import-gias", str(path), stdout=StringIO(), stderr=err)
    assert err.getvalue().count("A URN must be 6 digits") == 100
    assert "… and 30 more problems" in err.getvalue()
