"""The CTF reader turns a CTF of any version from 18 on into plain data, whatever its namespace."""

from datetime import date, datetime
from pathlib import Path

import pytest

from cme.movements.ctf import CtfError, parse_ctf, read_ctf

DATA = Path(__file__).parent / "data"


def test_ctf25_header_names_source_and_destination():
    ctf = read_ctf(DATA / "ctf25_school_to_la.xml")
    h = ctf.header
    assert (h.document_name, h.version, h.major_version) == ("Common Transfer File", "25.0", 25)
    assert h.date_time == datetime(2025, 10, 1, 9, 15)
    assert h.document_qualifier == "full"
    assert h.supplier_id == "Fictional MIS 4.2"
    assert (h.source.lea, h.source.estab, h.source.urn, h.source.laestab) == ("901", "2001", "140007", "9012001")
    assert h.source.name == "Northmoor Primary School"
    assert h.source.academic_year == "2025"
    assert (h.dest.lea, h.dest.estab) == ("901", "LLLL")


def test_ctf25_pupil_basic_details_address_and_contacts():
    pupils = read_ctf(DATA / "ctf25_school_to_la.xml").pupils
    assert [p.upn for p in pupils] == ["D901200119011", "T901200119012", "R901200120031"]
    amelia = pupils[0]
    assert (amelia.forename, amelia.middle_names, amelia.surname) == ("Amelia", "Jane", "Thornton")
    assert (amelia.dob, amelia.sex, amelia.nc_year, amelia.enrol_status) == (date(2014, 5, 12), "F", "6", "C")
    assert amelia.address.as_lines() == ["14 Mill Lane", "Upper Moorside", "Northmoor", "Northmoor"]
    assert amelia.address.postcode == "NM1 4AB"
    assert amelia.address.uprn == "100012345678"
    mother, father = amelia.contacts
    assert (mother.name, mother.relationship, mother.parental_responsibility) == ("Mrs Claire Thornton", "PAM", True)
    assert mother.phones[0].number == "07700 900123" and mother.email == "claire.thornton@example.com"
    assert father.address_as_pupil is False
    assert father.address.as_lines() == ["Flat 3, 27 Canal Street", "Eastdale"]

    oliver = pupils[1]
    assert oliver.former_upn == "G901200119013"
    assert (oliver.preferred_forename, oliver.former_surname) == ("Ollie", "Clarke")
    assert oliver.address.as_lines() == ["2 Weavers Court", "Northmoor"]


def test_ctf25_school_history_and_attendance_year_data():
    amelia = read_ctf(DATA / "ctf25_school_to_la.xml").pupils[0]
    nursery, primary = amelia.school_history
    assert (nursery.lea, nursery.estab, nursery.urn, nursery.name) == ("901", "1004", "140021", "Moorside Nursery School")
    assert (nursery.entry_date, nursery.leaving_date, nursery.leaving_reason) == (
        date(2017, 9, 6), date(2018, 7, 20), "OTH")
    assert primary.leaving_date is None and primary.last_school is True
    (year,) = amelia.attendance
    assert (year.year, year.lea, year.estab) == ("2024", "901", "2001")
    assert (year.sessions_possible, year.sessions_authorised, year.sessions_attended,
            year.sessions_unauthorised) == (380, 12, 364, 4)
    assert year.start_date == date(2024, 9, 2)
    assert year.marks == "//\\\\/\\\\/\\\\/\\##I I /\\/\\"  # raw, spaces kept


def test_namespaced_ctf18_is_read_by_local_names():
    ctf = read_ctf(DATA / "ctf18_namespaced_transfer.xml")
    assert ctf.header.major_version == 18
    assert (ctf.header.dest.lea, ctf.header.dest.estab, ctf.header.dest.urn) == ("901", "2001", "140007")
    (pupil,) = ctf.pupils
    assert (pupil.upn, pupil.forename, pupil.surname) == ("F901200120032", "Siobhán", "O'Neill")
    assert pupil.sex == "F"  # read from the older Gender element
    assert pupil.preferred_forename == "Shiv" and pupil.nc_year == "R"
    assert pupil.contacts[0].parental_responsibility is True
    assert pupil.school_history[0].leaving_reason == "MOV"


def _ctf(pupils: str, version: str = "25.0") -> bytes:
    return (
        f"<CTfile><Header><CTFversion>{version}</CTFversion></Header>"
        f"<CTFpupilData>{pupils}</CTFpupilData></CTfile>"
    ).encode()


def test_bad_date_of_birth_names_the_pupil_and_the_element():
    with pytest.raises(CtfError) as caught:
        parse_ctf(_ctf(
            "<Pupil><UPN>D901200119011</UPN><DOB>2014-05-12</DOB></Pupil>"
            "<Pupil><UPN>T901200119012</UPN><DOB>2014-02-30</DOB></Pupil>"
            "<Pupil><UPN>R901200120031</UPN><DOB>12/05/2014</DOB></Pupil>"
        ))
    problems = caught.value.problems
    assert [(p.pupil, p.upn, p.element) for p in problems] == [
        (2, "T901200119012", "Pupil/DOB"), (3, "R901200120031", "Pupil/DOB")]
    assert "Pupil 2 (UPN T901200119012), Pupil/DOB" in str(caught.value)


def test_versions_before_18_are_refused():
    with pytest.raises(CtfError, match="CTF 18 onwards"):
        parse_ctf(_ctf("", version="17.2"))


def test_a_file_that_is_not_a_ctf_is_refused():
    with pytest.raises(CtfError, match="not a Common Transfer File"):
        parse_ctf(b"<Register><Pupil/></Register>")
    with pytest.raises(CtfError, match="not well-formed"):
        parse_ctf(b"<CTfile><Header>")
