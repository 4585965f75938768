"""The batch contract of `cme reconcile` (pure: no Django): an authority's enrolments for a year,
its home-education list and its term dates in, a status for every ended enrolment out.

    ENROL.csv  upn,forename,middle_names,surname,former_surname,dob,sex,postcode,address,laestab,
               entry_date,leaving_date,leaving_ground,destination
    EHE.csv    id,upn,forename,middle_names,surname,former_surname,dob,sex,postcode,address,start_date
    TERMS.csv  the term-dates CSV of docs/register-csv.md
    OUT.csv    upn,laestab,leaving_date,status,found_at,school_days

Every problem is reported with the file, row (the header is row 1) and field; any problem and
nothing is written.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import gc
import io
import itertools
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from cme.attendance.calendar import (
    CalendarError,
    CalendarRangeError,
    SchoolCalendar,
    read_term_dates,
)
from cme.core.atomic import write_atomically
from cme.matching.batch import COLUMNS as PERSON_COLUMNS
from cme.matching.batch import InputError, person_from_row
from cme.matching.engine import Person
from cme.tracking.reconcile import (
    DEFAULT_GRACE,
    GROUNDS,
    UNRECONCILED,
    Enrolment,
    HomeEducated,
    Outcome,
    reconcile,
)

ENROL_COLUMNS = ("upn", "forename", "middle_names", "surname", "former_surname", "dob", "sex",
                 "postcode", "address", "laestab", "entry_date", "leaving_date", "leaving_ground",
                 "destination")
EHE_COLUMNS = (*PERSON_COLUMNS, "start_date")
OUT_COLUMNS = ("upn", "laestab", "leaving_date", "status", "found_at", "school_days")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LAESTAB = re.compile(r"^[0-9]{7}$")  # ASCII digits only: "\d" takes any script's digits


def _rows(text: str, name: str, columns: Sequence[str]) -> list[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    header = tuple((h or "").strip() for h in (reader.fieldnames or ()))
    if header != tuple(columns):
        raise InputError(f"{name} row 1: the header must be {','.join(columns)} (found "
                         f"{','.join(header) or 'nothing'})")
    out = []
    for number, row in enumerate(reader, start=2):
        if None in row:
            raise InputError(f"{name} row {number}: more values than columns in the header")
        out.append((number, {k: (v or "").strip() for k, v in row.items()}))
    return out


def _date(value: str, where: str, field: str, *, required: bool) -> dt.date | None:
    if not value:
        if required:
            raise InputError(f"{where}, field {field}: a date is needed (YYYY-MM-DD)")
        return None
    if not _ISO.match(value):
        raise InputError(f"{where}, field {field}: {value!r} is not a date in the form YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{where}, field {field}: {value} is not a real date") from None


def read_enrolments(text: str, name: str = "ENROL.csv") -> list[Enrolment]:
    fast = _plain_enrolments(text)
    if fast is not None:
        return fast
    return [enrolment_from_row(name, number, row) for number, row in _rows(text, name, ENROL_COLUMNS)]


# Checks of the fast reader, stricter than the row reader's (ASCII digits only), so that what
# passes them passes the row reader's with the same values.
_PLAIN_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_PLAIN_LAESTAB = re.compile(r"[0-9]{7}")
_SEX = {"": "", "M": "M", "F": "F", "m": "M", "f": "F"}


def _plain_dates(values: Sequence[str]) -> dict[str, dt.date | None] | None:
    """Each distinct value as a date ("" as None); None if any is not a plain real date."""
    out: dict[str, dt.date | None] = {}
    for v in set(values):
        if not v:
            out[v] = None
            continue
        if not _PLAIN_DATE.fullmatch(v):
            return None
        try:
            out[v] = dt.date.fromisoformat(v)
        except ValueError:
            return None
    return out


def _plain_enrolments(text: str) -> list[Enrolment] | None:
    """ENROL.csv read a column at a time: what `enrolment_from_row` makes of every row, or None
    when anything is out of the ordinary (a bad value, a short or long row), for the row reader
    to read again and name the row and field. A year's file is read in seconds, not tens."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    header = next(reader, None)
    if header is None or tuple(h.strip() for h in header) != ENROL_COLUMNS:
        return None
    rows = [row for row in reader if row]  # as csv.DictReader, which skips empty lines
    if any(len(row) != len(ENROL_COLUMNS) for row in rows):
        return None
    if not rows:
        return []
    columns = [[v.strip() for v in column] for column in zip(*rows, strict=True)]
    dobs, entries, leavings = _plain_dates(columns[5]), _plain_dates(columns[10]), _plain_dates(columns[11])
    if dobs is None or entries is None or leavings is None or "" in entries:
        return None
    if not set(columns[6]) <= _SEX.keys():
        return None
    if not all(_PLAIN_LAESTAB.fullmatch(v) for v in set(columns[9])):
        return None
    if not all(not v or _PLAIN_LAESTAB.fullmatch(v) for v in set(columns[13])):
        return None
    grounds = {g: g.lower() for g in set(columns[12])}
    if not all(not lower or lower in GROUNDS for lower in grounds.values()):
        return None
    out = []
    for (number, upn, forename, middle, surname, former, dob, sex, postcode, address, laestab, entry, leaving,
         ground, destination) in zip(itertools.count(2), *columns):
        entered, left = entries[entry], leavings[leaving]
        assert entered is not None
        if (left is not None and left < entered) or (ground and left is None):
            return None
        # Positional, in Person's field order (id, upn, names, preferred names, dob, sex, postcode,
        # address): keywords cost a second in a year's file.
        person = Person(f"enrolment-{number}", upn, forename, middle, surname, former, "", "", dobs[dob],
                        _SEX[sex], postcode, address)
        out.append(Enrolment(person, laestab, entered, left, grounds[ground], destination))
    return out


def enrolment_from_row(name: str, number: int, row: dict[str, str]) -> Enrolment:
    """One ENROL.csv row (values stripped), checked; InputError names the row and field. The
    record's id is `enrolment-<row>`. Shared by the in-process reader and the Spark runner."""
    where = f"{name} row {number}"
    ident = f"enrolment-{number}"
    try:
        person = person_from_row(name, number, {**{k: row[k] for k in PERSON_COLUMNS if k in row}, "id": ident})
    except InputError as e:  # ENROL.csv has no id column: name the row only
        raise InputError(str(e).replace(f" (id {ident})", "")) from None
    laestab = row["laestab"]
    if not _LAESTAB.match(laestab):
        raise InputError(f"{where}, field laestab: {laestab!r} is not a LAESTAB (7 digits)")
    entry = _date(row["entry_date"], where, "entry_date", required=True)
    leaving = _date(row["leaving_date"], where, "leaving_date", required=False)
    if leaving is not None and entry is not None and leaving < entry:
        raise InputError(f"{where}, field leaving_date: {leaving.isoformat()} is before the entry date")
    ground = row["leaving_ground"].lower()
    if ground and ground not in GROUNDS:
        raise InputError(f"{where}, field leaving_ground: {row['leaving_ground']!r} is not a "
                         "deletion ground of reg 9(1), a to o")
    if ground and leaving is None:
        raise InputError(f"{where}, field leaving_ground: a ground is given but no leaving date")
    destination = row["destination"]
    if destination and not _LAESTAB.match(destination):
        raise InputError(f"{where}, field destination: {destination!r} is not a LAESTAB (7 digits)")
    assert entry is not None
    return Enrolment(person, laestab, entry, leaving, ground, destination)


def read_home_educated(text: str, name: str = "EHE.csv") -> list[HomeEducated]:
    return [home_educated_from_row(name, number, row) for number, row in _rows(text, name, EHE_COLUMNS)]


def home_educated_from_row(name: str, number: int, row: dict[str, str]) -> HomeEducated:
    """One EHE.csv row (values stripped), checked (shared like `enrolment_from_row`)."""
    person = person_from_row(name, number, row)
    start = _date(row["start_date"], f"{name} row {number}", "start_date", required=True)
    assert start is not None
    return HomeEducated(person, start)


def read_calendar(text: str, la_code: str, name: str = "TERMS.csv") -> SchoolCalendar:
    periods, errors = read_term_dates(text)
    if errors:
        raise InputError(f"{name} {errors[0]}")
    try:
        return SchoolCalendar([p for _, p in periods], la=la_code)
    except CalendarError as e:
        raise InputError(f"{name}: {e}") from None


def run(enrol: str | Path, terms: str | Path, out: str | Path, *, la_code: str, as_of: dt.date,
        ehe: str | Path | None = None, grace: int | None = None, workers: int = 1) -> list[Outcome]:
    """Read, reconcile and write OUT.csv; InputError (nothing written) on any bad input.
    `workers`: processes that find the leavers again (cme.tracking.reconcile.reconcile)."""
    with _no_cyclic_collection():
        return _run(enrol, terms, out, la_code=la_code, as_of=as_of, ehe=ehe, grace=grace, workers=workers)


@contextmanager
def _no_cyclic_collection() -> Iterator[None]:
    """A year's run makes millions of small objects and keeps them (records, keys, the index),
    and makes next to no cyclic garbage: the cyclic collector would walk them all again and again
    as they are made, a third of the run's time (measured on a 250,000-pupil year: 51 s down to
    34 s, the same peak memory). Off for the run, back as it was after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _run(enrol: str | Path, terms: str | Path, out: str | Path, *, la_code: str, as_of: dt.date,
         ehe: str | Path | None, grace: int | None, workers: int) -> list[Outcome]:
    if not re.fullmatch(r"\d{3}", la_code or ""):
        raise InputError(f"--la: {la_code!r} is not an LA code (3 digits)")
    enrolments = read_enrolments(_read(enrol, "ENROL.csv"))
    home = read_home_educated(_read(ehe, "EHE.csv")) if ehe else []
    calendar = read_calendar(_read(terms, "TERMS.csv"), la_code)

    def school_days(left: dt.date, until: dt.date) -> int:
        try:
            return calendar.school_days_between(left, until)
        except CalendarRangeError as e:
            raise InputError(f"TERMS.csv: {e}") from None

    outcomes = reconcile(enrolments, home, la_code=la_code, as_of=as_of, school_days=school_days, workers=workers)
    del grace  # the batch reports school days; the grace period decides referrals in the service
    write_out(out, [(o.enrolment.person.upn, o.enrolment.laestab, o.enrolment.leaving_date, o.status, o.found_at,
                     o.school_days) for o in outcomes])
    return outcomes


def run_spark(spark, enrol: str | Path, terms: str | Path, out: str | Path, *, la_code: str, as_of: dt.date,
              ehe: str | Path | None = None, grace: int = DEFAULT_GRACE) -> tuple[dict[str, int], int]:
    """`run` on Spark (cme.tracking.reconcile_spark): the same checks, statuses and OUT.csv.
    Returns the count of each status and of the unreconciled beyond the grace period."""
    from cme.tracking import reconcile_spark

    if not re.fullmatch(r"\d{3}", la_code or ""):
        raise InputError(f"--la: {la_code!r} is not an LA code (3 digits)")
    for path, name in ((enrol, "ENROL.csv"), (ehe, "EHE.csv")):
        if path:
            _check_utf8(path, name)
    calendar = read_calendar(_read(terms, "TERMS.csv"), la_code)
    rows = []
    counts: dict[str, int] = {}
    for leaver, status, found_at in reconcile_spark.reconcile(spark, enrol, la_code=la_code, as_of=as_of, ehe=ehe):
        left = dt.date.fromordinal(leaver["leaving"])
        days = None
        if status == UNRECONCILED:
            try:
                days = calendar.school_days_between(left, as_of)
            except CalendarRangeError as e:
                raise InputError(f"TERMS.csv: {e}") from None
        rows.append((leaver["upn"], leaver["laestab"], left, status, found_at, days))
        counts[status] = counts.get(status, 0) + 1
    write_out(out, rows)
    return counts, sum(1 for r in rows if r[3] == UNRECONCILED and (r[5] or 0) > grace)


def _check_utf8(path: str | Path, name: str) -> None:
    """The in-process reader's refusals of a missing or non-UTF-8 file, read in pieces (Spark's
    reader would put replacement characters in silently)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    done = 0
    try:
        with open(path, "rb") as f:
            while piece := f.read(1 << 22):
                try:
                    decoder.decode(piece)
                except UnicodeDecodeError as e:
                    raise InputError(f"{name}: not UTF-8 (byte {done + e.start})") from None
                done += len(piece)
            decoder.decode(b"", final=True)
    except FileNotFoundError:
        raise InputError(f"{name}: no such file {path}") from None
    except UnicodeDecodeError as e:
        raise InputError(f"{name}: not UTF-8 (byte {done + e.start})") from None


def write_out(out: str | Path, rows: Sequence[tuple[str, str, dt.date | None, str, str, int | None]]) -> None:
    """OUT.csv, written whole or not at all."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(OUT_COLUMNS)
    for upn, laestab, leaving, status, found_at, days in rows:
        writer.writerow([upn, laestab, leaving.isoformat() if leaving else "", status, found_at,
                         "" if days is None else days])
    write_atomically(out, buffer.getvalue())


def _read(path: str | Path, name: str) -> str:
    try:
        return Path(path).read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise InputError(f"{name}: no such file {path}") from None
    except UnicodeDecodeError as e:
        raise InputError(f"{name}: not UTF-8 (byte {e.start})") from None
