"""Read the Get Information About Schools (GIAS) establishment extract (pure: no Django).

    establishments, problems, skipped = read_extract(open("edubasealldata20251001.csv", "rb"))

The extract is a CSV in Windows-1252 (data-standards.md §6.1). Columns are found by their
headings, tolerating older spellings ("Local authority (code)" for "LA (code)", "Establishment
number" for "EstablishmentNumber") and any order; columns we do not use are ignored. Types of
establishment map to our kinds of provider; types we do not track (children's centres, higher
education, British schools overseas...) are skipped and counted, not refused. Every row is checked
and every problem is returned, so that the caller can refuse the whole file naming each one.
"""

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

from cme.core.csvfile import read_csv
from cme.core.inputs import is_ascii_digits, parse_iso_date, shown
from cme.providers.identifiers import la_code_problem, urn_problem

ENCODING = "cp1252"

# Our field -> the headings GIAS has used for it, newest first.
COLUMNS: dict[str, tuple[str, ...]] = {
    "urn": ("URN",),
    "la_code": ("LA (code)", "Local authority (code)", "LA code"),
    "la_name": ("LA (name)", "Local authority (name)", "Local authority"),
    "estab": ("EstablishmentNumber", "Establishment number"),
    "name": ("EstablishmentName", "Establishment name"),
    "type_name": ("TypeOfEstablishment (name)", "Type of establishment (name)", "Type of establishment"),
    "phase_name": ("PhaseOfEducation (name)", "Phase of education (name)", "Phase of education"),
    "low_age": ("StatutoryLowAge", "Statutory low age"),
    "high_age": ("StatutoryHighAge", "Statutory high age"),
    "postcode": ("Postcode",),
    "status_name": ("EstablishmentStatus (name)", "Establishment status (name)", "Establishment status"),
    "open_date": ("OpenDate", "Open date"),
    "close_date": ("CloseDate", "Close date"),
}
REQUIRED = ("urn", "la_code", "estab", "name", "type_name", "status_name")
# The most characters a value may hold: the directory's columns it is stored in.
LIMITS = {"urn": 6, "la_code": 3, "estab": 4, "name": 200, "type_name": 100, "phase_name": 100,
          "postcode": 10, "status_name": 100, "la_name": 200, "low_age": 3, "high_age": 3,
          "open_date": 10, "close_date": 10}
_GIAS_DATE = re.compile(r"([0-9]{1,2})[-/]([0-9]{1,2})[-/]([0-9]{4})", re.ASCII)

# GIAS type of establishment -> our kind. Matched case-insensitively; see kind_for_type.
TYPE_KINDS: dict[str, str] = {
    "pupil referral unit": "pru",
    "academy alternative provision converter": "ap",
    "academy alternative provision sponsor led": "ap",
    "free schools alternative provision": "ap",
    "secure units": "ap",
    "further education": "fe",
    "special post 16 institution": "fe",
    "other independent school": "independent",
    "other independent special school": "independent",
    "independent school approved for sen pupils": "independent",
    "online provider": "independent",
    "city technology college": "school",
    "non-maintained special school": "school",
    "sixth form centres": "school",
    "university technical college": "school",
    "studio schools": "school",
}
# Families of type names that are schools: community, foundation, voluntary, academies, free schools.
SCHOOL_TYPE_WORDS = ("community", "foundation", "voluntary", "academy", "free schools", "nursery school")
# Types that are not providers a CME team tracks: skipped, not refused.
UNTRACKED_TYPE_WORDS = (
    "children's centre", "higher education", "welsh establishment", "british schools overseas",
    "service children", "miscellaneous", "offshore", "institution funded by other government",
)

PHASES = {
    "nursery": "nursery",
    "primary": "primary",
    "middle deemed primary": "middle",
    "middle deemed secondary": "middle",
    "secondary": "secondary",
    "16 plus": "16_plus",
    "all-through": "all_through",
    "all through": "all_through",
    "not applicable": "",
    "": "",
}
STATUSES = {
    "open": "open",
    "open, but proposed to close": "open_proposed_to_close",
    "proposed to open": "proposed_to_open",
    "closed": "closed",
}
# Kinds whose establishments always carry an establishment number.
NEEDS_ESTAB = frozenset({"school", "pru", "ap"})


@dataclass(frozen=True)
class Establishment:
    row: int  # line in the file; the headings are line 1
    urn: str
    la_code: str
    la_name: str
    estab: str
    name: str
    type_name: str
    kind: str
    phase: str
    low_age: int | None
    high_age: int | None
    postcode: str
    status: str
    open_date: date | None
    close_date: date | None

    @property
    def laestab(self) -> str:
        return f"{self.la_code}{self.estab}" if self.estab else ""


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str  # the heading as the file spells it
    message: str
    urn: str = ""

    def __str__(self) -> str:
        where = f"Row {self.row}" + (f" (URN {self.urn})" if self.urn else "")
        return f"{where}, {self.column}: {self.message}"


@dataclass
class Extract:
    establishments: list[Establishment]
    problems: list[RowProblem]
    skipped_types: Counter  # type name -> rows skipped as not tracked
    outside_filter: int = 0


def kind_for_type(type_name: str) -> str | None:
    """Our kind for a GIAS type of establishment, or None for a type we do not track."""
    key = type_name.strip().lower()
    if key in TYPE_KINDS:
        return TYPE_KINDS[key]
    if any(w in key for w in UNTRACKED_TYPE_WORDS):
        return None
    if "alternative provision" in key:
        return "ap"
    if "independent" in key:
        return "independent"
    if any(w in key for w in SCHOOL_TYPE_WORDS) or "school" in key:
        return "school"
    return None


def _key(heading: str) -> str:
    return re.sub(r"[\s_]", "", heading).lower()


def _parse_date(raw: str) -> date | None:
    raw = raw.strip()
    if not raw:
        return None
    # GIAS writes dd-mm-yyyy; spreadsheets re-save as dd/mm/yyyy; some tools write ISO dates.
    # ASCII digits only (strptime also reads Arabic-Indic digits).
    if match := _GIAS_DATE.fullmatch(raw):
        day, month, year = (int(g) for g in match.groups())
        return date(year, month, day)
    return parse_iso_date(raw)


def read_extract(source: BinaryIO | bytes, *, la_codes: Iterable[str] = ()) -> Extract:
    """Every establishment we track in the extract (of these LA codes, if given), and every problem."""
    data = source if isinstance(source, bytes) else source.read()
    # Re-saved as UTF-8 (with or without a byte-order mark)? Windows-1252 text with any accented
    # letter is almost never valid UTF-8, so trying UTF-8 first does not misread GIAS's own.
    aliases = {_key(name): field for field, names in COLUMNS.items() for name in names}
    table = read_csv(data, known=set(aliases), key=_key, allow_cp1252=True,
                     max_lengths={k: LIMITS[f] for k, f in aliases.items() if f in LIMITS})
    extract = Extract([], [], Counter())
    if table.broken:
        extract.problems.extend(RowProblem(p.row, p.column or "file", p.message[:1].upper() + p.message[1:])
                                for p in table.problems)
        return extract
    where: dict[str, str] = {}  # our field -> the key of the heading the file uses for it
    for field, names in COLUMNS.items():
        for name in names:
            if _key(name) in table.keys:
                where[field] = _key(name)
                break
    missing = [COLUMNS[f][0] for f in REQUIRED if f not in where]
    if missing:
        extract.problems.append(RowProblem(1, "headings", "The file has no column " + ", ".join(
            f"“{m}”" for m in missing) + ": is it the GIAS establishment extract?"))
        return extract
    heading = {f: table.heading(k) for f, k in where.items()}
    text_problems: dict[int, list[RowProblem]] = {}
    for p in table.problems:
        text_problems.setdefault(p.row, []).append(RowProblem(p.row, p.column, p.message[:1].upper() + p.message[1:]))
    wanted = set(la_codes)
    for row in table.rows:
        line = row.number

        def get(field: str, row=row) -> str:
            return row[where[field]] if field in where else ""

        if wanted and get("la_code") not in wanted:
            extract.outside_filter += 1
            continue
        kind = kind_for_type(get("type_name"))
        if kind is None and get("type_name"):
            extract.skipped_types[get("type_name")] += 1
            continue
        urn = get("urn")
        if line in text_problems:  # control characters, or longer than the directory holds
            extract.problems.extend(text_problems[line])
            continue
        problems: list[RowProblem] = []

        def bad(field: str, message: str, problems=problems, line=line, urn=urn) -> None:
            problems.append(RowProblem(line, heading.get(field, COLUMNS[field][0]), message, urn))

        if problem := urn_problem(urn):
            bad("urn", problem)
        la_code = get("la_code")
        if problem := la_code_problem(la_code):
            bad("la_code", problem)
        estab = get("estab")
        if is_ascii_digits(estab) and len(estab) < 4:
            estab = estab.zfill(4)  # a spreadsheet dropped the leading zeros
        if estab and not (is_ascii_digits(estab) and len(estab) == 4):
            bad("estab", "An establishment number must be 4 digits")
        elif not estab and kind in NEEDS_ESTAB:
            bad("estab", "Enter the establishment number: every school, PRU and alternative provision has one")
        name = get("name")
        if not name:
            bad("name", "Enter the establishment's name")
        if not get("type_name"):
            bad("type_name", "Enter the type of establishment")
        phase_name = get("phase_name").lower()
        phase = PHASES.get(phase_name)
        if phase is None:
            bad("phase_name", f"{shown(get('phase_name'))} is not a GIAS phase of education")
        elif not phase and "special" in get("type_name").lower():
            phase = "special"
        status = STATUSES.get(get("status_name").lower())
        if status is None:
            bad("status_name", f"{shown(get('status_name'))} is not a GIAS establishment status"
                if get("status_name") else "Enter the establishment status")
        ages: list[int | None] = []
        for field in ("low_age", "high_age"):
            raw = get(field)
            # ASCII digits: "²".isdigit() is true, and int("²") fails. FE colleges give 99.
            if raw and not (is_ascii_digits(raw) and int(raw) <= 99):
                bad(field, f"{shown(raw)} is not an age in years")
                ages.append(None)
            else:
                ages.append(int(raw) if raw else None)
        if ages[0] is not None and ages[1] is not None and ages[0] > ages[1]:
            bad("high_age", "The statutory high age must not be below the low age")
        dates: list[date | None] = []
        for field in ("open_date", "close_date"):
            try:
                dates.append(_parse_date(get(field)))
            except (ValueError, OverflowError):
                bad(field, f"{shown(get(field))} is not a real date (GIAS writes dd-mm-yyyy)")
                dates.append(None)
        if dates[0] and dates[1] and dates[1] < dates[0]:
            bad("close_date", "The close date must not be before the open date")
        if problems:
            extract.problems.extend(problems)
            continue
        extract.establishments.append(Establishment(
            row=line, urn=urn, la_code=la_code, la_name=get("la_name"), estab=estab, name=name,
            type_name=get("type_name"), kind=kind, phase=phase, low_age=ages[0], high_age=ages[1],
            postcode=get("postcode").upper(), status=status, open_date=dates[0], close_date=dates[1],
        ))
    seen: dict[str, int] = {}
    for e in extract.establishments:
        if e.urn in seen:
            extract.problems.append(RowProblem(
                e.row, heading["urn"], f"URN {e.urn} is also on row {seen[e.urn]}", e.urn))
        seen.setdefault(e.urn, e.row)
    return extract
