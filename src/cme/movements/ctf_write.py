"""Write a Common Transfer File (CTF 25) from the reader's dataclasses (pure: no Django).

    data = write_ctf(Ctf(header=header(source=..., dest=LOST, ...), pupils=[pupil, ...]))
    name = file_name(source="8201234", dest="XXXXXXX", number=1)   # 8201234_CTF_XXXXXXX_001.xml

What it writes follows data-standards.md §1.3 (element names checked against DfE's GIAP CTF 25
formatter): root `CTfile` with no namespace, a `Header` (DocumentName "Common Transfer File",
CTFversion "25.0", DateTime, DocumentQualifier, SupplierID, SourceSchool with LEA, Estab,
SchoolName and AcademicYear, DestSchool with LEA and Estab), then `CTFpupilData` with one `Pupil`
each: UPN, Surname, Forename, DOB, Sex, BasicDetails, Address, Phones, Email, Contacts,
Attendance and SchoolHistory, as held. An element with nothing to say is left out rather than
written empty. The output reads back through cme.movements.ctf to the same child (tested).

File names follow the s2s convention (§1.2): `<source LAESTAB>_CTF_<destination LAESTAB>_<nnn>.xml`,
`nnn` counting up per destination; `XXXXXXX` is the lost-pupil destination (one pupil per file)
and an LA uses `LLLL` in place of the estab number.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from xml.etree.ElementTree import Element, SubElement, tostring

from cme.movements.ctf import (
    Address,
    AttendanceYear,
    Contact,
    Ctf,
    Header,
    Phone,
    Pupil,
    School,
    SchoolStay,
)

VERSION = "25.0"
DOCUMENT_NAME = "Common Transfer File"
SUPPLIER_ID = "CME Tracker"
LOST = "XXXXXXX"  # the lost-pupil destination: LEA XXX, estab XXXX
LA_ESTAB = "LLLL"  # an LA in place of a school
# A LAESTAB as file names and headers carry it: 3-digit LA (or XXX/MMM), 4-digit estab (or a pseudo-code).
_LAESTAB = re.compile(r"^(\d{3}|XXX|MMM)(\d{4}|XXXX|LLLL|MMMM)$")
_NAME = re.compile(r"^(?P<src>[0-9A-Z]{7})_CTF_(?P<dst>[0-9A-Z]{7})_(?P<n>\d{3,})\.xml$", re.IGNORECASE)


def is_laestab(value: str) -> bool:
    """A real LAESTAB (7 digits) or one with the reserved pseudo-codes of §1.2."""
    return bool(_LAESTAB.match(value or ""))


def split_laestab(value: str) -> School:
    if not is_laestab(value):
        raise ValueError(f"{value!r} is not a LAESTAB (3-digit LA and 4-digit establishment)")
    return School(lea=value[:3], estab=value[3:])


def academic_year(when: date) -> str:
    """The 4-digit start year of the academic year (GIAP: September onwards is the new year)."""
    return str(when.year if when.month >= 9 else when.year - 1)


def header(*, source: str, dest: str, when: datetime, source_name: str = "",
           qualifier: str = "partial", supplier: str = SUPPLIER_ID, descriptor: str = "") -> Header:
    """A CTF 25 header from a source and a destination LAESTAB."""
    src = split_laestab(source)
    src.name = source_name
    src.academic_year = academic_year(when.date())
    return Header(document_name=DOCUMENT_NAME, version=VERSION, major_version=25,
                  date_time=when.replace(microsecond=0, tzinfo=None), document_qualifier=qualifier,
                  data_descriptor=descriptor, supplier_id=supplier, source=src, dest=split_laestab(dest))


def file_name(*, source: str, dest: str, number: int) -> str:
    if not is_laestab(source) or not is_laestab(dest):
        raise ValueError(f"{source!r} and {dest!r} must both be LAESTABs")
    if not 1 <= number <= 999:
        raise ValueError(f"file number {number} is outside 001 to 999")
    return f"{source}_CTF_{dest}_{number:03d}.xml"


def next_number(existing: Iterable[str], *, source: str, dest: str) -> int:
    """The next `nnn` for files from `source` to `dest`, given the names already written."""
    highest = 0
    for name in existing:
        m = _NAME.match(name)
        if m and m["src"].upper() == source.upper() and m["dst"].upper() == dest.upper():
            highest = max(highest, int(m["n"]))
    return highest + 1


# ---- writing elements ------------------------------------------------------------------------


def _add(parent: Element, name: str, value: object) -> Element | None:
    """A child element with text, or nothing when there is no value."""
    if value is None or value == "":
        return None
    el = SubElement(parent, name)
    if isinstance(value, bool):
        el.text = "true" if value else "false"
    elif isinstance(value, date | datetime):
        el.text = value.isoformat()
    else:
        el.text = str(value)
    return el


def _address(parent: Element, address: Address | None) -> None:
    if address is None:
        return
    el = SubElement(parent, "Address")
    if address.lines:
        lines = SubElement(el, "AddressLines")
        for i, line in enumerate(address.lines[:5], start=1):
            _add(lines, f"AddressLine{i}", line)
    else:
        parts = (("SAON", address.saon), ("PAON", address.paon), ("Street", address.street),
                 ("Locality", address.locality), ("Town", address.town),
                 ("AdministrativeArea", address.administrative_area), ("PostTown", address.post_town),
                 ("UniquePropertyReferenceNumber", address.uprn))
        if any(v for _, v in parts):
            bs = SubElement(el, "BS7666Address")
            for name, value in parts:
                _add(bs, name, value)
    _add(el, "County", address.county)
    _add(el, "PostCode", address.postcode)
    _add(el, "Country", address.country)


def _phones(parent: Element, phones: list[Phone]) -> None:
    if not phones:
        return
    el = SubElement(parent, "Phones")
    for p in phones:
        phone = SubElement(el, "Phone")
        _add(phone, "TelephoneType", p.kind)
        _add(phone, "PhoneNo", p.number)


def _contact(parent: Element, c: Contact) -> None:
    el = SubElement(parent, "Contact")
    for name, value in (("Order", c.order), ("Title", c.title), ("Surname", c.surname),
                        ("Forename", c.forename), ("MiddleNames", c.middle_names),
                        ("Gender", c.gender), ("Relationship", c.relationship),
                        ("Responsibility", c.parental_responsibility),
                        ("AddressAsPupil", c.address_as_pupil)):
        _add(el, name, value)
    _address(el, c.address)
    _phones(el, c.phones)
    _add(el, "Email", c.email)


def _attendance(parent: Element, y: AttendanceYear) -> None:
    el = SubElement(parent, "YearData")
    for name, value in (("Year", y.year), ("LEA", y.lea), ("Estab", y.estab),
                        ("SchoolName", y.school_name), ("SessionsPossible", y.sessions_possible),
                        ("SessionsAuthorised", y.sessions_authorised),
                        ("SessionsAttended", y.sessions_attended),
                        ("SessionsUnauthorised", y.sessions_unauthorised)):
        _add(el, name, value)
    if y.start_date or y.marks:
        sessions = SubElement(el, "AttendSessions")
        _add(sessions, "AttendanceStartDate", y.start_date)
        if y.marks:
            SubElement(sessions, "AttendanceMarks").text = y.marks


def _stay(parent: Element, s: SchoolStay) -> None:
    el = SubElement(parent, "School")
    for name, value in (("LEA", s.lea), ("Estab", s.estab), ("URN", s.urn), ("SchoolName", s.name),
                        ("EntryDate", s.entry_date), ("LeavingDate", s.leaving_date),
                        ("LeavingReason", s.leaving_reason), ("LastSchool", s.last_school)):
        _add(el, name, value)


def _pupil(parent: Element, p: Pupil) -> None:
    el = SubElement(parent, "Pupil")
    _add(el, "UPN", p.upn)
    _add(el, "UniqueLearnerNumber", p.uln)
    _add(el, "Surname", p.surname)
    _add(el, "Forename", p.forename)
    _add(el, "DOB", p.dob)
    _add(el, "Sex", p.sex)
    basic = SubElement(el, "BasicDetails")
    for name, value in (("FormerUPN", p.former_upn), ("PreferredSurname", p.preferred_surname),
                        ("PreferredForename", p.preferred_forename),
                        ("FormerSurname", p.former_surname), ("FormerForename", p.former_forename),
                        ("MiddleNames", p.middle_names), ("NCyearActual", p.nc_year),
                        ("EnrolStatus", p.enrol_status)):
        _add(basic, name, value)
    _address(el, p.address)
    _phones(el, p.phones)
    _add(el, "Email", p.email)
    if p.contacts:
        contacts = SubElement(el, "Contacts")
        for c in p.contacts:
            _contact(contacts, c)
    if p.attendance:
        attendance = SubElement(el, "Attendance")
        for y in p.attendance:
            _attendance(attendance, y)
    if p.school_history:
        history = SubElement(el, "SchoolHistory")
        for s in p.school_history:
            _stay(history, s)


def write_ctf(ctf: Ctf) -> bytes:
    """The file as UTF-8 bytes with its XML declaration."""
    h = ctf.header
    root = Element("CTfile")
    head = SubElement(root, "Header")
    _add(head, "DocumentName", h.document_name or DOCUMENT_NAME)
    _add(head, "CTFversion", h.version or VERSION)
    _add(head, "DateTime", h.date_time.replace(microsecond=0).isoformat() if h.date_time else None)
    _add(head, "DocumentQualifier", h.document_qualifier)
    _add(head, "DataQualifier", h.data_qualifier)
    _add(head, "DataDescriptor", h.data_descriptor)
    _add(head, "SupplierID", h.supplier_id)
    src = SubElement(head, "SourceSchool")
    for name, value in (("LEA", h.source.lea), ("Estab", h.source.estab), ("URN", h.source.urn),
                        ("SchoolName", h.source.name), ("AcademicYear", h.source.academic_year)):
        _add(src, name, value)
    dst = SubElement(head, "DestSchool")
    for name, value in (("LEA", h.dest.lea), ("Estab", h.dest.estab), ("URN", h.dest.urn)):
        _add(dst, name, value)
    data = SubElement(root, "CTFpupilData")
    for p in ctf.pupils:
        _pupil(data, p)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, encoding="unicode").encode("utf-8") + b"\n"
