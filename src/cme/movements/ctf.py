"""Read a Common Transfer File (CTF), any version from 18 on, into plain dataclasses (pure: no Django).

    ctf = read_ctf("8201234_CTF_820LLLL_001.xml")      # or parse_ctf(bytes)
    ctf.header.source.laestab, [p.upn for p in ctf.pupils]

What it reads (data-standards.md §1.3): the header (document name, version, date and time,
qualifiers, supplier, source and destination school), and for each pupil the identifiers, names,
date of birth, sex, basic details (former UPN, preferred, former and middle names, NC year,
enrolment status), address (BS7666 or address lines), phones, email, contacts, school history and
attendance YearData (the Sessions* totals, with AttendanceMarks kept raw, as §1.5 advises).

Safety. The XML is parsed by defusedxml with DTDs forbidden outright, so external entities (XXE),
external DTDs and entity-expansion bombs ("billion laughs") are refused before any entity is
expanded; a file larger than `max_bytes` (default 50 MB) is refused before it is parsed at all.

Lenient on purpose, because the element occurrence is **unconfirmed against the XSD**
(data-standards.md §1.3, §7):
- elements are matched by local name whatever their namespace (DfE's generators use none; the
  2010 schema declared one), and their order is not checked;
- unknown elements are ignored (Welsh NAWdetails, SEN, FSM, assessments and anything new);
- a single-valued element that appears more than once is read from its first occurrence;
- any element may be missing: it reads as "" (or None for dates, numbers and true/false), and
  whether a missing surname or date of birth matters is for the caller (a roll import refuses it);
- `Sex` is read from `Gender` in files that use the older name;
- code sets (EnrolStatus, Relationship, LeavingReason, TelephoneType) are kept as given, because
  their CBDS values have not been confirmed; AttendanceMarks is kept as a raw string.

Strict where a wrong value would mislead: a version before 18, a date or number that cannot be
read, or a root that is not CTfile is a problem. Every problem names the pupil (position in the
file, from 1, and UPN) and the element, and all of them are reported together in CtfError.
"""

import os
from dataclasses import dataclass, field
from datetime import date, datetime
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from cme.core.inputs import parse_iso_date, parse_whole_number, shown

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
OLDEST_VERSION = 18
# The largest number any element counts (sessions in a year, a contact's order): more is a typo.
MAX_NUMBER = 1_000_000


@dataclass(frozen=True)
class Problem:
    element: str  # path of local names, e.g. "Pupil/DOB"
    message: str
    pupil: int | None = None  # position in the file, from 1
    upn: str = ""

    def __str__(self) -> str:
        where = ""
        if self.pupil:
            where = f"Pupil {self.pupil}" + (f" (UPN {self.upn})" if self.upn else "") + ", "
        return f"{where}{self.element}: {self.message}"


class CtfError(ValueError):
    """The file cannot be read as a CTF; `problems` lists every reason found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


@dataclass
class School:
    lea: str = ""
    estab: str = ""
    urn: str = ""
    name: str = ""
    academic_year: str = ""  # source school only: the 4-digit start year

    @property
    def laestab(self) -> str:
        return f"{self.lea}{self.estab}"


@dataclass
class Header:
    document_name: str = ""
    version: str = ""
    major_version: int = 0
    date_time: datetime | None = None
    document_qualifier: str = ""
    data_qualifier: str = ""
    data_descriptor: str = ""
    supplier_id: str = ""
    source: School = field(default_factory=School)
    dest: School = field(default_factory=School)


@dataclass
class Address:
    saon: str = ""
    paon: str = ""
    street: str = ""
    locality: str = ""
    town: str = ""
    administrative_area: str = ""
    post_town: str = ""
    uprn: str = ""
    lines: list[str] = field(default_factory=list)  # AddressLines, when not BS7666
    county: str = ""
    postcode: str = ""
    country: str = ""

    def as_lines(self) -> list[str]:
        """The address as lines to show or store, from whichever form the file used."""
        if self.lines:
            return [line for line in self.lines if line]
        first = " ".join(p for p in (self.paon, self.street) if p)
        parts = [self.saon, first, self.locality, self.town or self.post_town, self.administrative_area]
        return [p for p in parts if p]


@dataclass
class Phone:
    kind: str = ""  # TelephoneType, a CBDS code
    number: str = ""


@dataclass
class Contact:
    order: int | None = None
    title: str = ""
    surname: str = ""
    forename: str = ""
    middle_names: str = ""
    gender: str = ""
    relationship: str = ""  # a CBDS code, kept as given
    parental_responsibility: bool | None = None
    address_as_pupil: bool | None = None
    address: Address | None = None
    phones: list[Phone] = field(default_factory=list)
    email: str = ""

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.title, self.forename, self.surname) if p)


@dataclass
class SchoolStay:
    lea: str = ""
    estab: str = ""
    urn: str = ""
    name: str = ""
    entry_date: date | None = None
    leaving_date: date | None = None
    leaving_reason: str = ""
    last_school: bool | None = None


@dataclass
class AttendanceYear:
    year: str = ""
    lea: str = ""
    estab: str = ""
    school_name: str = ""
    sessions_possible: int | None = None
    sessions_authorised: int | None = None
    sessions_attended: int | None = None
    sessions_unauthorised: int | None = None
    start_date: date | None = None
    marks: str = ""  # AttendanceMarks exactly as given: its encoding is unconfirmed (§1.5)


@dataclass
class Pupil:
    position: int
    upn: str = ""
    uln: str = ""
    surname: str = ""
    forename: str = ""
    dob: date | None = None
    sex: str = ""
    former_upn: str = ""
    preferred_surname: str = ""
    preferred_forename: str = ""
    former_surname: str = ""
    former_forename: str = ""
    middle_names: str = ""
    nc_year: str = ""
    enrol_status: str = ""
    address: Address | None = None
    phones: list[Phone] = field(default_factory=list)
    email: str = ""
    contacts: list[Contact] = field(default_factory=list)
    school_history: list[SchoolStay] = field(default_factory=list)
    attendance: list[AttendanceYear] = field(default_factory=list)


@dataclass
class Ctf:
    header: Header
    pupils: list[Pupil]


# ---- reading elements by local name ---------------------------------------------------------


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(el: Element | None, name: str) -> list[Element]:
    if el is None:
        return []
    return [c for c in el if _local(c.tag) == name]


def _child(el: Element | None, name: str) -> Element | None:
    found = _children(el, name)
    return found[0] if found else None


def _text(el: Element | None, *names: str) -> str:
    """The stripped text of the first child with any of these names (in the order given)."""
    for name in names:
        c = _child(el, name)
        if c is not None:
            return (c.text or "").strip()
    return ""


class _Reader:
    """Reads values and collects problems against the pupil being read."""

    def __init__(self):
        self.problems: list[Problem] = []
        self.pupil: int | None = None
        self.upn = ""

    def problem(self, element: str, message: str) -> None:
        self.problems.append(Problem(element=element, message=message, pupil=self.pupil, upn=self.upn))

    def date(self, el: Element | None, name: str, path: str) -> date | None:
        raw = _text(el, name)
        if not raw:
            return None
        try:
            # Some systems write a time after the date; the date is what counts. YYYY-MM-DD only:
            # fromisoformat alone also reads "20250101" and the week date "2025-W01-1".
            if len(raw) > 10 and raw[10] not in "T ":
                raise ValueError(raw)
            return parse_iso_date(raw[:10])
        except ValueError:
            self.problem(f"{path}/{name}", f"{shown(raw)} is not a real date written as YYYY-MM-DD")
            return None

    def number(self, el: Element | None, name: str, path: str) -> int | None:
        raw = _text(el, name)
        if not raw:
            return None
        try:
            # ASCII digits only: "²".isdigit() is true and int("²") fails.
            return parse_whole_number(raw, max_value=MAX_NUMBER)
        except ValueError:
            self.problem(f"{path}/{name}", f"{shown(raw)} is not a whole number")
            return None

    def flag(self, el: Element | None, name: str, path: str) -> bool | None:
        raw = _text(el, name).lower()
        if not raw:
            return None
        if raw in ("true", "1", "yes", "y"):
            return True
        if raw in ("false", "0", "no", "n"):
            return False
        self.problem(f"{path}/{name}", f"{shown(raw)} is not true or false")
        return None


def _address(el: Element | None) -> Address | None:
    if el is None:
        return None
    bs = _child(el, "BS7666Address")
    lines_el = _child(el, "AddressLines")
    address = Address(
        county=_text(el, "County"),
        postcode=_text(el, "PostCode", "Postcode") or _text(el, "Zip"),
        country=_text(el, "Country"),
    )
    if bs is not None:
        address.saon = _text(bs, "SAON")
        address.paon = _text(bs, "PAON")
        address.street = _text(bs, "Street")
        address.locality = _text(bs, "Locality")
        address.town = _text(bs, "Town")
        address.administrative_area = _text(bs, "AdministrativeArea")
        address.post_town = _text(bs, "PostTown")
        address.uprn = _text(bs, "UniquePropertyReferenceNumber")
    if lines_el is not None:
        address.lines = [_text(lines_el, f"AddressLine{i}") for i in range(1, 6)]
        address.lines = [line for line in address.lines if line]
    return address


def _phones(el: Element | None) -> list[Phone]:
    return [
        Phone(kind=_text(p, "TelephoneType"), number=_text(p, "PhoneNo"))
        for p in _children(_child(el, "Phones"), "Phone")
    ]


def _header(el: Element, r: _Reader) -> Header:
    header = Header(
        document_name=_text(el, "DocumentName"),
        version=_text(el, "CTFversion", "CTFVersion"),
        document_qualifier=_text(el, "DocumentQualifier"),
        data_qualifier=_text(el, "DataQualifier"),
        data_descriptor=_text(el, "DataDescriptor"),
        supplier_id=_text(el, "SupplierID"),
    )
    try:
        header.major_version = int(float(header.version))
    except ValueError:
        r.problem("Header/CTFversion", f"“{header.version}” is not a CTF version number"
                  if header.version else "The header gives no CTF version")
    else:
        if header.major_version < OLDEST_VERSION:
            r.problem("Header/CTFversion",
                      f"Version {header.version} is too old: CTF {OLDEST_VERSION} onwards can be read")
    raw_time = _text(el, "DateTime")
    if raw_time:
        try:
            header.date_time = datetime.fromisoformat(raw_time)
        except ValueError:
            r.problem("Header/DateTime", f"“{raw_time}” is not a date and time")
    src = _child(el, "SourceSchool")
    header.source = School(
        lea=_text(src, "LEA"), estab=_text(src, "Estab"), urn=_text(src, "URN"),
        name=_text(src, "SchoolName"), academic_year=_text(src, "AcademicYear"),
    )
    dest = _child(el, "DestSchool")
    header.dest = School(
        lea=_text(dest, "LEA"), estab=_text(dest, "Estab"), urn=_text(dest, "URN"),
        name=_text(dest, "SchoolName"),
    )
    return header


def _contact(el: Element, r: _Reader, path: str) -> Contact:
    return Contact(
        order=r.number(el, "Order", path),
        title=_text(el, "Title"),
        surname=_text(el, "Surname"),
        forename=_text(el, "Forename"),
        middle_names=_text(el, "MiddleNames"),
        gender=_text(el, "Gender", "Sex"),
        relationship=_text(el, "Relationship"),
        parental_responsibility=r.flag(el, "Responsibility", path),
        address_as_pupil=r.flag(el, "AddressAsPupil", path),
        address=_address(_child(el, "Address")),
        phones=_phones(el),
        email=_text(el, "Email"),
    )


def _pupil(el: Element, position: int, r: _Reader) -> Pupil:
    r.pupil, r.upn = position, _text(el, "UPN").upper()
    basic = _child(el, "BasicDetails")
    pupil = Pupil(
        position=position,
        upn=r.upn,
        uln=_text(el, "UniqueLearnerNumber", "ULN"),
        surname=_text(el, "Surname"),
        forename=_text(el, "Forename"),
        dob=r.date(el, "DOB", "Pupil"),
        sex=_text(el, "Sex", "Gender").upper(),
        former_upn=_text(basic, "FormerUPN").upper(),
        preferred_surname=_text(basic, "PreferredSurname"),
        preferred_forename=_text(basic, "PreferredForename"),
        former_surname=_text(basic, "FormerSurname"),
        former_forename=_text(basic, "FormerForename"),
        middle_names=_text(basic, "MiddleNames"),
        nc_year=_text(basic, "NCyearActual", "NCYearActual"),
        enrol_status=_text(basic, "EnrolStatus").upper(),
        address=_address(_child(el, "Address")),
        phones=_phones(el),
        email=_text(el, "Email"),
    )
    for i, c in enumerate(_children(_child(el, "Contacts"), "Contact"), start=1):
        pupil.contacts.append(_contact(c, r, f"Pupil/Contacts/Contact[{i}]"))
    for i, s in enumerate(_children(_child(el, "SchoolHistory"), "School"), start=1):
        path = f"Pupil/SchoolHistory/School[{i}]"
        pupil.school_history.append(SchoolStay(
            lea=_text(s, "LEA"), estab=_text(s, "Estab"), urn=_text(s, "URN"),
            name=_text(s, "SchoolName"),
            entry_date=r.date(s, "EntryDate", path),
            leaving_date=r.date(s, "LeavingDate", path),
            leaving_reason=_text(s, "LeavingReason"),
            last_school=r.flag(s, "LastSchool", path),
        ))
    for i, y in enumerate(_children(_child(el, "Attendance"), "YearData"), start=1):
        path = f"Pupil/Attendance/YearData[{i}]"
        sessions = _child(y, "AttendSessions")
        pupil.attendance.append(AttendanceYear(
            year=_text(y, "Year"), lea=_text(y, "LEA"), estab=_text(y, "Estab"),
            school_name=_text(y, "SchoolName"),
            sessions_possible=r.number(y, "SessionsPossible", path),
            sessions_authorised=r.number(y, "SessionsAuthorised", path),
            sessions_attended=r.number(y, "SessionsAttended", path),
            sessions_unauthorised=r.number(y, "SessionsUnauthorised", path),
            start_date=r.date(sessions, "AttendanceStartDate", f"{path}/AttendSessions"),
            # Kept exactly, spaces included: a space may be a session (§1.5).
            marks=(_child(sessions, "AttendanceMarks").text or "") if _child(sessions, "AttendanceMarks") is not None else "",
        ))
    return pupil


def parse_ctf(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Ctf:
    """Parse a CTF held in memory; raise CtfError naming every problem found."""
    if len(data) > max_bytes:
        raise CtfError([Problem("file", f"The file is larger than the {max_bytes:,} bytes allowed")])
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as e:
        raise CtfError([Problem(
            "file", "The file declares a DTD or entities, which a CTF never needs; it was refused "
            f"for safety ({type(e).__name__})",
        )]) from None
    except ParseError as e:
        raise CtfError([Problem("file", f"The file is not well-formed XML: {e}")]) from None
    except (LookupError, ValueError) as e:
        # An XML declaration naming an encoding Python does not know (found by fuzzing).
        raise CtfError([Problem("file", "The file's XML declaration names an encoding that cannot be "
                                        f"read ({type(e).__name__}): a CTF is UTF-8")]) from None
    if _local(root.tag) != "CTfile":
        raise CtfError([Problem(_local(root.tag) or "file",
                                "This is not a Common Transfer File: its root element is not CTfile")])
    r = _Reader()
    header_el = _child(root, "Header")
    if header_el is None:
        r.problem("Header", "The file has no Header")
        header = Header()
    else:
        header = _header(header_el, r)
    pupils = [
        _pupil(el, i, r)
        for i, el in enumerate(_children(_child(root, "CTFpupilData"), "Pupil"), start=1)
    ]
    if r.problems:
        raise CtfError(r.problems)
    return Ctf(header=header, pupils=pupils)


def read_ctf(path: str | os.PathLike, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Ctf:
    """Read a CTF from a file, refusing an oversized one by its size before reading it."""
    size = os.stat(path).st_size
    if size > max_bytes:
        raise CtfError([Problem("file", f"The file is larger than the {max_bytes:,} bytes allowed")])
    with open(path, "rb") as f:
        return parse_ctf(f.read(), max_bytes=max_bytes)
