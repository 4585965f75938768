"""A broken roll file is never reported as imported: it is refused whole, naming the row and the
field, through the service, the upload page, the API and the command alike, and nothing changes.
(Issue 9: an unclosed quote once turned "6 pupils; 180 left" into a success.)"""

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cme.movements.models import RollImport
from cme.movements.services import RollRefused, roll_import_csv
from cme.movements.tests.conftest import AMELIA, HEADINGS, OLIVER, ZOFIA, roll_csv
from cme.people.models import Child
from cme.providers.models import Enrolment
from cme.testing import factories as f

AS_OF = date(2025, 10, 1)


def pupil_row(n: int, **changes) -> str:
    """A valid roll row of a pupil without a UPN, unique by name."""
    values = {"upn": "", "legal_surname": f"Surname{n:04d}", "legal_forename": "Sam", "middle_names": "",
              "preferred_surname": "", "preferred_forename": "", "former_surname": "",
              "date_of_birth": "2014-05-12", "sex": "F", "year_group": "6", "entry_date": "",
              "address_line1": "", "address_line2": "", "address_line3": "", "postcode": "",
              "enrolment_status": "C"} | changes
    return ",".join(values.values())


def many(n: int, start: int = 0) -> list[str]:
    return [pupil_row(i) for i in range(start, start + n)]


@pytest.fixture
def current_roll(officer_a, school_a):
    """A roll of 186 pupils already held, which a broken file must leave alone."""
    roll_import_csv(actor=officer_a, provider=school_a, as_of=date(2025, 9, 10), data=roll_csv(*many(186)))
    return school_a


def _state():
    return (Child.objects.count(), Enrolment.objects.filter(leaving_date__isnull=True).count(),
            RollImport.objects.count())


def refused(officer, school, data: bytes, as_of=AS_OF) -> list[str]:
    before = _state()
    with pytest.raises(RollRefused) as e:
        roll_import_csv(actor=officer, provider=school, as_of=as_of, data=data)
    assert _state() == before
    return [str(p) for p in e.value.problems]


def test_an_unclosed_quote_is_refused_naming_the_row_where_it_opened(officer_a, current_roll):
    rows = [*many(6), '"' + pupil_row(6), *many(179, start=7)]
    problems = refused(officer_a, current_roll, roll_csv(*rows))
    assert problems == [
        "Row 8, upn: A quote opens on this row and is never closed: close it, or remove it"]


def test_a_quote_closed_rows_later_is_refused_naming_the_row_where_it_opened(officer_a, current_roll):
    rows = [*many(3), pupil_row(3, legal_surname='"Unclosed'), *many(3, start=4), pupil_row(7, middle_names='Jo"')]
    problems = refused(officer_a, current_roll, roll_csv(*rows))
    assert len(problems) == 1 and problems[0].startswith("Row 5, legal_surname: A quote opens here")


@pytest.mark.parametrize("breaker", ["\u2028", "\x85", "\x0c", "\u2029", "\x0b"])
def test_odd_line_breaks_do_not_shift_the_row_numbers(officer_a, current_roll, breaker):
    rows = [*many(3), pupil_row(3, address_line1=f"1 Mill{breaker}Lane"), *many(2, start=4), pupil_row(6, sex="X")]
    problems = refused(officer_a, current_roll, roll_csv(*rows))
    assert problems[0].startswith("Row 5, address_line1: Must not contain a line break") or \
        problems[0].startswith("Row 5, address_line1: Must not contain a control character")
    assert problems[1] == "Row 8, sex: Sex must be M or F, not “X”"


def test_a_field_over_the_csv_limit_is_refused_not_a_crash(officer_a, current_roll):
    problems = refused(officer_a, current_roll, roll_csv(AMELIA, pupil_row(1, legal_surname="x" * 140_000)))
    assert problems == ["Row 3, legal_surname: A field runs past 131,072 characters: a quote opened on this row may not be closed"]


@pytest.mark.parametrize("field, value, words", [
    ("legal_surname", "S" * 500, "legal_surname: Must be 100 characters or fewer"),
    ("legal_surname", "S" * 130_000, "legal_surname: Must be 100 characters or fewer"),
    ("postcode", "N" * 5000, "postcode: Must be 10 characters or fewer"),
    ("legal_forename", "Sam\x00", "legal_forename: Must not contain a control character (U+0000"),
    ("legal_forename", "Sam\x1b[31m", "legal_forename: Must not contain a control character (U+001B"),
    ("legal_surname", "Evil\u202eexe", "legal_surname: Must not contain a character that changes the direction"),
    ("date_of_birth", "2014-W20-1", "date_of_birth: “2014-W20-1” is not a real date"),
    ("date_of_birth", "20140512", "date_of_birth: “20140512” is not a real date"),
    ("date_of_birth", "\u0662\u0660\u0661\u0664-05-12", "is not a real date"),
    ("entry_date", "12/13/2019", "entry_date: “12/13/2019” is not a real date"),
])
def test_bad_values_are_refused_naming_row_and_field(officer_a, current_roll, field, value, words):
    problems = refused(officer_a, current_roll, roll_csv(AMELIA, pupil_row(1, **{field: value})))
    assert len(problems) == 1 and problems[0].startswith("Row 3") and words in problems[0], problems


def test_two_new_pupils_without_a_upn_are_not_two_children(officer_a, current_roll):
    twice = pupil_row(500, legal_surname="Doubled")
    problems = refused(officer_a, current_roll, roll_csv(twice, OLIVER, twice))
    assert problems == ["Row 4, legal_surname: The same pupil (legal name and date of birth) as row 2, "
                        "and without a UPN to tell them apart"]


def test_twins_with_upns_are_two_pupils(officer_a, school_a):
    one = "D901200119011,Thornton,Amelia,,,,,2014-05-12,F,6,,,,,,C"
    two = "T901200119012,Thornton,Amelia,,,,,2014-05-12,F,6,,,,,,C"
    assert roll_import_csv(actor=officer_a, provider=school_a, as_of=AS_OF, data=roll_csv(one, two)).joined == 2


def test_a_header_only_file_is_refused(officer_a, current_roll):
    problems = refused(officer_a, current_roll, (HEADINGS + "\n").encode())
    assert problems == ["Row 2, file: The file has column names but no rows under them"]


def test_undefined_windows_1252_bytes_are_refused(officer_a, current_roll):
    data = roll_csv(AMELIA).replace(b"Amelia", b"Am\x81lia")
    problems = refused(officer_a, current_roll, data)
    assert len(problems) == 1 and problems[0].startswith("Row 2, file: Byte 0x81")


def test_windows_1252_names_are_read(officer_a, school_a):
    data = roll_csv(pupil_row(1, legal_forename="Zoë")).decode().encode("cp1252")
    roll_import_csv(actor=officer_a, provider=school_a, as_of=AS_OF, data=data)
    assert Child.objects.filter(legal_forename="Zoë").exists()


def test_a_column_named_twice_is_refused(officer_a, current_roll):
    data = (b"legal_surname,legal_forename,date_of_birth,sex,legal_surname\n"
            b"Thornton,Amelia,2014-05-12,F,Other\n")
    problems = refused(officer_a, current_roll, data)
    assert problems == ["Row 1, legal_surname: The column is named twice (columns 1 and 5): "
                        "which one is meant? Remove the other"]


@pytest.mark.parametrize("as_of", [date(25, 9, 1), date(1, 1, 1), date(1999, 12, 31)])
def test_a_roll_date_in_the_first_centuries_is_refused_not_a_crash(officer_a, school_a, as_of):
    problems = refused(officer_a, school_a, roll_csv(AMELIA), as_of=as_of)
    assert problems == ["as_of: The roll date must be in 2000 or later"]


# -- the same refusals through the page, the API and the command -------------------------------


def test_the_upload_page_refuses_an_unclosed_quote(officer_a, client_for, current_roll):
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = _state()
    data = roll_csv(*([*many(6), '"' + pupil_row(6), *many(10, start=7)]))
    response = client_for(officer_a).post(f"/providers/{current_roll.pk}/roll/upload", {
        "roll_file": SimpleUploadedFile("roll.csv", data, content_type="text/csv"),
        "as_of-day": "1", "as_of-month": "10", "as_of-year": "2025"})
    assert response.status_code == 200
    assert "Row 8, upn: A quote opens on this row and is never closed" in response.text
    assert _state() == before


def test_the_page_lists_the_first_hundred_problems_and_the_count(officer_a, client_for, school_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = roll_csv(*[pupil_row(i, sex="X") for i in range(500)])
    response = client_for(officer_a).post(f"/providers/{school_a.pk}/roll/upload", {
        "roll_file": SimpleUploadedFile("roll.csv", data, content_type="text/csv"),
        "as_of-day": "1", "as_of-month": "10", "as_of-year": "2025"})
    assert response.status_code == 200
    assert response.text.count("Sex must be M or F") == 100
    assert "And 400 more" in response.text and "500 problems" in response.text


def test_the_api_refuses_an_unclosed_quote_and_caps_the_list(officer_a, api_for, current_roll):
    client = api_for(officer_a)
    before = _state()
    data = roll_csv(*([*many(6), '"' + pupil_row(6), *many(10, start=7)]))
    response = client.put(f"/api/v1/providers/{current_roll.laestab}/roll?as_of=2025-10-01", data,
                          content_type="text/csv")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "row", 8, "upn"]
    many_bad = roll_csv(*[pupil_row(i, sex="X") for i in range(300)])
    response = client.put(f"/api/v1/providers/{current_roll.laestab}/roll?as_of=2025-10-01", many_bad,
                          content_type="text/csv")
    detail = response.json()["detail"]
    assert len(detail) == 101 and detail[-1]["msg"] == "… and 200 more problems"
    assert _state() == before


def test_the_api_refuses_an_ancient_roll_date_with_an_empty_body(officer_a, api_for, school_a):
    # The test client leaves out the Content-Type of an empty body; a school's system sends it.
    response = api_for(officer_a).put(f"/api/v1/providers/{school_a.laestab}/roll?as_of=0025-01-01", b"",
                                      content_type="text/csv", CONTENT_TYPE="text/csv")
    assert response.status_code == 422
    assert ["body", "as_of"] in [p["loc"] for p in response.json()["detail"]]


def test_the_command_fails_on_an_unclosed_quote(current_roll, tmp_path):
    path = tmp_path / "roll.csv"
    path.write_bytes(roll_csv(*([*many(6), '"' + pupil_row(6), *many(179, start=7)])))
    err = StringIO()
    before = _state()
    with pytest.raises(CommandError, match="Nothing was imported: 1 problem"):
        call_command("import-roll", str(path), "--provider", current_roll.laestab, "--as-of", "2025-10-01",
                     stdout=StringIO(), stderr=err)
    assert "Row 8" in err.getvalue()
    assert _state() == before


def test_the_command_lists_the_first_hundred_problems(school_a, tmp_path):
    path = tmp_path / "roll.csv"
    path.write_bytes(roll_csv(*[pupil_row(i, sex="X") for i in range(250)]))
    err = StringIO()
    with pytest.raises(CommandError, match="250 problem"):
        call_command("import-roll", str(path), "--provider", school_a.laestab, "--as-of", "2025-10-01",
                     stdout=StringIO(), stderr=err)
    assert err.getvalue().count("Sex must be M or F") == 100
    assert "… and 150 more problems" in err.getvalue()


def test_a_good_file_still_imports(officer_a, school_a):
    record = roll_import_csv(actor=officer_a, provider=school_a, as_of=AS_OF, data=roll_csv(AMELIA, OLIVER, ZOFIA))
    assert record.joined == 3
    assert f  # factories imported for fixtures' sake
