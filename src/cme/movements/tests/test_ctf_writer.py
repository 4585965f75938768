"""The CTF 25 writer (issue 12, point 1): what it writes reads back to the same child."""

from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cme.movements.ctf import (
    Address,
    AttendanceYear,
    Contact,
    Ctf,
    Phone,
    Pupil,
    SchoolStay,
    parse_ctf,
)
from cme.movements.ctf_write import (
    LOST,
    academic_year,
    file_name,
    header,
    next_number,
    write_ctf,
)

WHEN = datetime(2026, 12, 5, 10, 30)


def _pupil(**overrides) -> Pupil:
    values = dict(
        position=1, upn="A123456789012", surname="Hartley", forename="William", dob=date(2014, 3, 12),
        sex="M", former_surname="Smith", middle_names="James", nc_year="7", enrol_status="C",
        address=Address(paon="12", street="High Street", town="Northmoor", postcode="NM1 2AB"),
        phones=[Phone(kind="H", number="01234 567890")], email="family@example.org",
        contacts=[Contact(order=1, title="Mrs", surname="Hartley", forename="Jane", relationship="PAM",
                          parental_responsibility=True, address_as_pupil=True,
                          phones=[Phone(kind="M", number="07700 900123")])],
        attendance=[AttendanceYear(year="2025", lea="820", estab="1234", school_name="Northmoor Primary",
                                   sessions_possible=380, sessions_authorised=10, sessions_attended=360,
                                   sessions_unauthorised=10, start_date=date(2025, 9, 3), marks="// /\\ #")],
        school_history=[SchoolStay(lea="820", estab="1234", name="Northmoor Primary",
                                   entry_date=date(2021, 9, 1), leaving_date=date(2026, 11, 20),
                                   leaving_reason="MOV", last_school=True)],
    )
    values.update(overrides)
    return Pupil(**values)  # type: ignore[arg-type]


def test_written_file_reads_back_to_the_same_child():
    pupil = _pupil()
    data = write_ctf(Ctf(header(source="820LLLL", dest="8305678", when=WHEN, source_name="Northmoor"), [pupil]))
    back = parse_ctf(data)
    assert back.pupils == [pupil]
    h = back.header
    assert (h.document_name, h.version, h.major_version, h.date_time) == ("Common Transfer File", "25.0", 25, WHEN)
    assert (h.source.lea, h.source.estab, h.source.academic_year) == ("820", "LLLL", "2026")
    assert (h.dest.lea, h.dest.estab) == ("830", "5678")


def test_root_is_ctfile_without_a_namespace_and_header_comes_first():
    data = write_ctf(Ctf(header(source="8201234", dest=LOST, when=WHEN), [_pupil()]))
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<CTfile><Header><DocumentName>')
    assert b"xmlns" not in data
    assert b"<DestSchool><LEA>XXX</LEA><Estab>XXXX</Estab></DestSchool>" in data


def test_address_lines_round_trip():
    pupil = _pupil(address=Address(lines=["Flat 2", "4 Mill Lane", "Eastdale"], postcode="ED1 1AA"))
    assert parse_ctf(write_ctf(Ctf(header(source="8201234", dest=LOST, when=WHEN), [pupil]))).pupils == [pupil]


def test_hostile_text_is_escaped_not_interpreted():
    pupil = _pupil(surname="O'Brien <&> \"x\"", forename="]]>&lt;")
    assert parse_ctf(write_ctf(Ctf(header(source="8201234", dest=LOST, when=WHEN), [pupil]))).pupils == [pupil]


def test_file_names_follow_s2s_and_count_per_destination():
    assert file_name(source="820LLLL", dest="8305678", number=1) == "820LLLL_CTF_8305678_001.xml"
    existing = ["820LLLL_CTF_8305678_001.xml", "820LLLL_CTF_8305678_002.xml", "820LLLL_CTF_XXXXXXX_007.xml",
                "8201111_CTF_8305678_009.xml", "notes.txt"]
    assert next_number(existing, source="820LLLL", dest="8305678") == 3
    assert next_number(existing, source="820LLLL", dest=LOST) == 8
    assert next_number(existing, source="820LLLL", dest="8309999") == 1
    with pytest.raises(ValueError):
        file_name(source="82", dest=LOST, number=1)
    with pytest.raises(ValueError):
        file_name(source="8201234", dest=LOST, number=1000)


def test_academic_year_is_the_start_year():
    assert academic_year(date(2026, 8, 31)) == "2025"
    assert academic_year(date(2026, 9, 1)) == "2026"


_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp", "Zs")),
                max_size=20).map(str.strip)


@settings(max_examples=60, deadline=None)
@given(surname=_text, forename=_text, upn=st.from_regex(r"[A-Z][0-9]{12}", fullmatch=True),
       dob=st.dates(date(2000, 1, 1), date(2025, 1, 1)), sex=st.sampled_from(["", "M", "F"]))
def test_any_child_reads_back_the_same(surname, forename, upn, dob, sex):
    pupil = Pupil(position=1, upn=upn, surname=surname, forename=forename, dob=dob, sex=sex)
    assert parse_ctf(write_ctf(Ctf(header(source="8201234", dest=LOST, when=WHEN), [pupil]))).pupils == [pupil]
