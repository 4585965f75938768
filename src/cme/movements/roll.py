"""A provider's roll as plain rows, read from a roll CSV or a CTF, and checked (pure: no Django).

    pupils, problems = read_roll_csv(data)          # docs/roll-csv.md describes the columns
    pupils = pupils_from_ctf(ctf)                    # from cme.movements.ctf
    problems += check_pupils(pupils, as_of=date(2025, 10, 1))

Every problem names the row (the line of the CSV, headings being line 1, or the pupil's position
in the CTF), the UPN when there is one, and the field, so that a file can be refused whole with
every mistake listed at once.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from cme.core.csvfile import read_csv
from cme.core.inputs import parse_iso_date, shown, text_problem
from cme.movements.ctf import Ctf
from cme.people.identifiers import normalise_upn, upn_problem

CSV_COLUMNS = (
    "upn", "legal_surname", "legal_forename", "middle_names", "preferred_surname",
    "preferred_forename", "former_surname", "date_of_birth", "sex", "year_group", "entry_date",
    "address_line1", "address_line2", "address_line3", "postcode", "enrolment_status",
    # A leaver row (docs/roll-csv.md): the school's own record of a pupil it took off roll.
    "leaving_date", "leaving_ground", "destination",
)
LEAVING_GROUNDS = frozenset("abcdefghijklmno")  # SI 2024/208 reg 9(1)
_LAESTAB = re.compile(r"^[0-9]{7}$")
REQUIRED_COLUMNS = ("legal_surname", "legal_forename", "date_of_birth", "sex")
YEAR_GROUPS = frozenset({"N1", "N2", "R", "X", *(str(n) for n in range(1, 15))})
OLDEST_AGE = 25
_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")
_ENROL_STATUS = re.compile(r"^[A-Z]{1,2}$")
_UK_DATE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})", re.ASCII)
# The most characters each value may hold: the register's columns it is stored in.
TEXT_LIMITS = {
    "legal_surname": 100, "legal_forename": 100, "middle_names": 200, "preferred_surname": 100,
    "preferred_forename": 100, "former_surname": 100, "year_group": 4, "postcode": 10,
    "enrolment_status": 2,
}
# An address is stored as line 1 (200), the lines between joined (200) and the last as the town
# (100), as cme.movements.services._add_details stores it.
ADDRESS_LIMITS = {"address_line1": 200, "address_line2": 200, "address_line3": 100}


@dataclass
class Carer:
    name: str
    relationship: str = ""
    parental_responsibility: bool = False
    phone: str = ""
    email: str = ""


@dataclass
class RollPupil:
    row: int  # CSV line, or position of the pupil in a CTF
    upn: str = ""
    former_upn: str = ""
    legal_surname: str = ""
    legal_forename: str = ""
    middle_names: str = ""
    preferred_surname: str = ""
    preferred_forename: str = ""
    former_surname: str = ""
    date_of_birth: date | None = None
    sex: str = ""
    year_group: str = ""
    entry_date: date | None = None
    address_lines: list[str] = field(default_factory=list)
    postcode: str = ""
    enrolment_status: str = ""
    carers: list[Carer] = field(default_factory=list)
    # A leaver row: the pupil left on this date, under this ground, for this school (LAESTAB).
    leaving_date: date | None = None
    leaving_ground: str = ""
    destination: str = ""
    label: str = "Row"  # "Row" for a CSV line, "Pupil" for a CTF pupil

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.legal_forename, self.legal_surname) if p)


@dataclass(frozen=True)
class RollProblem:
    row: int
    field: str
    message: str
    upn: str = ""
    label: str = "Row"

    def __str__(self) -> str:
        where = f"{self.label} {self.row}" + (f" (UPN {self.upn})" if self.upn else "") if self.row else ""
        where = ", ".join(w for w in (where, self.field) if w)
        return f"{where}: {self.message}" if where else self.message


def _date(raw: str) -> date:
    """YYYY-MM-DD, or DD/MM/YYYY as spreadsheets write it; ASCII digits only (ISO week dates,
    "20140512" and dates in Arabic-Indic digits are not read as dates)."""
    raw = raw.strip()
    if match := _UK_DATE.fullmatch(raw):
        day, month, year = (int(g) for g in match.groups())
        return date(year, month, day)
    return parse_iso_date(raw)


def read_roll_csv(data: bytes) -> tuple[list[RollPupil], list[RollProblem]]:
    """The rows of a roll CSV, and every problem met reading them: a broken file (an unclosed
    quote, undefined bytes, a column named twice, no rows: cme.core.csvfile) or dates that are
    not dates. Values are checked by check_pupils, for a CTF's pupils alike."""
    table = read_csv(data, required=REQUIRED_COLUMNS, known=CSV_COLUMNS, check_text=False,
                     allow_cp1252=True,  # spreadsheets on Windows save CSV as Windows-1252
                     missing_hint=" (see the roll CSV format)")
    problems = [RollProblem(p.row, p.column, _sentence(p.message)) for p in table.problems]
    if table.broken:
        return [], problems
    pupils: list[RollPupil] = []
    for row in table.rows:
        line, get = row.number, row.get
        pupil = RollPupil(
            row=line,
            upn=normalise_upn(get("upn")),
            legal_surname=get("legal_surname"),
            legal_forename=get("legal_forename"),
            middle_names=get("middle_names"),
            preferred_surname=get("preferred_surname"),
            preferred_forename=get("preferred_forename"),
            former_surname=get("former_surname"),
            sex=get("sex").upper(),
            year_group=get("year_group").upper(),
            address_lines=[v for v in (get(f"address_line{i}") for i in (1, 2, 3)) if v],
            postcode=get("postcode").upper(),
            enrolment_status=get("enrolment_status").upper(),
            leaving_ground=get("leaving_ground").lower(),
            destination=get("destination"),
        )
        for name in ("date_of_birth", "entry_date", "leaving_date"):
            raw = get(name)
            if not raw:
                continue
            try:
                setattr(pupil, name, _date(raw))
            except (ValueError, OverflowError):
                problems.append(RollProblem(line, name, f"{shown(raw)} is not a real date (write YYYY-MM-DD)",
                                            pupil.upn))
                setattr(pupil, name, _UNREADABLE)
        pupils.append(pupil)
    return pupils, problems


# A date that was given but could not be read: already reported, not to be reported as missing.
_UNREADABLE = date.min


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:]


def pupils_from_ctf(ctf: Ctf) -> list[RollPupil]:
    """The pupils of a CTF as roll rows; the entry date is the start of their stay at the school
    the CTF comes from, when its school history gives one."""
    source = ctf.header.source
    pupils = []
    for p in ctf.pupils:
        entry = None
        for stay in p.school_history:
            if (stay.lea, stay.estab) == (source.lea, source.estab) and stay.leaving_date is None:
                entry = stay.entry_date
        address = p.address
        carers = [
            Carer(
                name=c.name or "Name not given",
                relationship=c.relationship,
                parental_responsibility=bool(c.parental_responsibility),
                phone=next((ph.number for ph in c.phones if ph.number), ""),
                email=c.email,
            )
            for c in sorted(p.contacts, key=lambda c: c.order or 99)
        ]
        pupils.append(RollPupil(
            row=p.position,
            label="Pupil",
            upn=normalise_upn(p.upn),
            former_upn=normalise_upn(p.former_upn),
            legal_surname=p.surname,
            legal_forename=p.forename,
            middle_names=p.middle_names,
            preferred_surname=p.preferred_surname,
            preferred_forename=p.preferred_forename,
            former_surname=p.former_surname,
            date_of_birth=p.dob,
            sex=p.sex,
            year_group=p.nc_year.upper(),
            entry_date=entry,
            address_lines=address.as_lines() if address else [],
            postcode=(address.postcode.upper() if address else ""),
            enrolment_status=p.enrol_status,
            carers=carers,
        ))
    return pupils


def _years_before(day: date, years: int) -> date:
    if day.year - years < 1:  # a roll dated in the first centuries: nobody is too old for it
        return date.min
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _address_as_stored(lines: list[str]) -> dict[str, str]:
    """The address lines as the register stores them: the first, the ones between, the town."""
    return {
        "address_line1": lines[0] if lines else "",
        "address_line2": ", ".join(lines[1:-1]) if len(lines) > 2 else "",
        "address_line3": lines[-1] if len(lines) > 1 else "",
    }


def check_pupils(pupils: list[RollPupil], *, as_of: date) -> list[RollProblem]:
    """Every rule a roll row breaks: each problem names the row, the UPN and the field."""
    problems: list[RollProblem] = []
    first_row_of_upn: dict[str, int] = {}
    first_row_of_name: dict[tuple, RollPupil] = {}
    oldest = _years_before(as_of, OLDEST_AGE)
    for p in pupils:

        refused_fields: set[str] = set()

        def bad(name: str, message: str, p=p, refused_fields=refused_fields) -> None:
            # One problem per field: a 5,000-character postcode is too long, and that is enough.
            if name not in refused_fields:
                refused_fields.add(name)
                problems.append(RollProblem(p.row, name, message, p.upn, p.label))

        # The text rules every way in shares (cme.core.inputs): no control characters or
        # direction overrides, and no more than the register's column holds.
        texts = {name: getattr(p, name) for name in TEXT_LIMITS}
        for name, value in texts.items():
            if value and (problem := text_problem(value, max_length=TEXT_LIMITS[name])):
                bad(name, _sentence(problem))
        for i, line in enumerate(p.address_lines, start=1):
            if problem := text_problem(line):
                bad(f"address_line{i}", _sentence(problem))
        for name, value in _address_as_stored(p.address_lines).items():
            if value and (problem := text_problem(value, max_length=ADDRESS_LIMITS[name])) and "characters or fewer" in problem:
                bad(name, _sentence(problem))
        for i, carer in enumerate(p.carers, start=1):
            for name, value, limit in (("name", carer.name, 200), ("relationship", carer.relationship, 60),
                                       ("phone", carer.phone, 40), ("email", carer.email, 254)):
                if value and (problem := text_problem(value, max_length=limit)):
                    bad(f"Contacts/Contact[{i}]/{name}", _sentence(problem))

        if p.upn:
            if problem := upn_problem(p.upn):
                bad("upn", problem)
            elif p.upn in first_row_of_upn:
                bad("upn", f"The same UPN is on {p.label.lower()} {first_row_of_upn[p.upn]}")
            else:
                first_row_of_upn[p.upn] = p.row
        # Without a UPN, a pupil is known by name and date of birth: two such rows would become
        # two children on the register.
        name_key = (p.legal_surname.casefold(), p.legal_forename.casefold(), p.date_of_birth)
        if p.legal_surname and p.date_of_birth not in (None, _UNREADABLE):
            earlier = first_row_of_name.get(name_key)
            if earlier is not None and not (p.upn and earlier.upn):
                bad("upn" if p.upn else "legal_surname",
                    f"The same pupil (legal name and date of birth) as {earlier.label.lower()} {earlier.row}, "
                    "and without a UPN to tell them apart")
            first_row_of_name.setdefault(name_key, p)
        if p.former_upn and (problem := upn_problem(p.former_upn)):
            bad("former_upn", problem)
        if not p.legal_surname:
            bad("legal_surname", "Enter the pupil’s legal surname")
        if not p.legal_forename:
            bad("legal_forename", "Enter the pupil’s legal forename")
        dob = p.date_of_birth
        if dob is None:
            bad("date_of_birth", "Enter the pupil’s date of birth")
        elif dob is not _UNREADABLE:
            if dob > as_of:
                bad("date_of_birth", "The date of birth is after the date of the roll")
            elif dob < oldest:
                bad("date_of_birth", f"The date of birth is of someone over {OLDEST_AGE}")
        if p.sex not in ("M", "F"):
            bad("sex", f"Sex must be M or F, not {shown(p.sex)}" if p.sex else "Enter the pupil’s sex: M or F")
        if p.year_group and p.year_group not in YEAR_GROUPS:
            bad("year_group", f"{shown(p.year_group)} is not a year group (N1, N2, R, 1 to 14, or X)")
        entry = p.entry_date
        if entry is not None and entry is not _UNREADABLE:
            if entry > as_of:
                bad("entry_date", "The entry date is after the date of the roll")
            elif dob not in (None, _UNREADABLE) and entry < dob:
                bad("entry_date", "The entry date is before the date of birth")
        leaving = p.leaving_date
        if leaving is not None and leaving is not _UNREADABLE:
            if leaving > as_of:
                bad("leaving_date", "The leaving date is after the date of the roll: the pupil is still on roll")
            elif entry not in (None, _UNREADABLE) and leaving < entry:
                bad("leaving_date", "The leaving date is before the entry date")
        if p.leaving_ground and p.leaving_ground not in LEAVING_GROUNDS:
            bad("leaving_ground", f"{shown(p.leaving_ground)} is not a ground for deletion (a letter a to o, "
                "SI 2024/208 reg 9(1))")
        if (p.leaving_ground or p.destination) and leaving is None:
            bad("leaving_date", "Enter the leaving date of a pupil given a leaving ground or destination")
        if p.destination and not _LAESTAB.match(p.destination):
            bad("destination", f"{shown(p.destination)} is not a LAESTAB (7 digits)")
        if p.postcode and not _POSTCODE.match(p.postcode):
            bad("postcode", f"{shown(p.postcode)} is not a postcode")
        if p.enrolment_status and not _ENROL_STATUS.match(p.enrolment_status):
            bad("enrolment_status", f"{shown(p.enrolment_status)} is not an enrolment status (such as C, M or S)")
    return problems


def readable(pupil: RollPupil) -> RollPupil:
    """The pupil with any unreadable date cleared (only ever called once every problem is fixed)."""
    for name in ("date_of_birth", "entry_date", "leaving_date"):
        if getattr(pupil, name) is _UNREADABLE:
            setattr(pupil, name, None)
    return pupil
