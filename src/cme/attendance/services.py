"""Loading term dates and registers into the database.

Every import is all-or-nothing: the file is read and checked in full first, and any bad row
rejects the whole file with a message per bad row and field (ImportRejected.errors). Only then
is anything written, inside one transaction, with its audit event.

Registers are stored one RegisterYear per enrolment per academic year (see models.py). An
import groups its rows by register, reads the registers it touches in a few queries, applies the
marks to the byte strings in memory and writes them back with bulk_create / bulk_update.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from cme.attendance import calendar as cal
from cme.attendance import codes as C
from cme.attendance.models import (
    CalendarPeriod,
    CalendarVersion,
    ImportKind,
    RegisterImport,
    RegisterMarkChange,
    RegisterUpload,
    RegisterYear,
    UploadState,
)
from cme.audit.models import Action
from cme.audit.services import audit_record
from cme.core.csvfile import iter_csv
from cme.core.inputs import is_ascii_digits, parse_iso_date, shown
from cme.providers.models import Enrolment, Organisation

SESSIONS = ("AM", "PM")
NO_SESSION = C.NO_SESSION_BYTE
# Ids per IN (...) list: under SQLite's limit on query parameters.
CHUNK = 5000


class ImportRejected(ValueError):
    """A file that cannot be loaded: `errors` names every bad row and field. Nothing changed.
    Pages and commands list the first 100 (cme.core.csvfile.first) and the count."""

    def __init__(self, errors: list[str], rows_read: int = 0):
        self.errors = errors
        self.rows_read = rows_read
        super().__init__(f"{len(errors)} error(s): " + "; ".join(errors[:5]))


def _bump_calendar_version(la_id: int) -> None:
    version, _ = CalendarVersion.objects.get_or_create(la_id=la_id)
    version.version = F("version") + 1
    version.save()


# -- term dates ------------------------------------------------------------------------------


@dataclass
class TermDatesReport:
    rows: int
    academic_years: list[str]
    replaced: int


def term_dates_read(data: bytes | str | Iterable[str]) -> tuple[list[tuple[int, cal.Period]], list[str]]:
    """Every period of a term-dates file with its row number, and every error, each naming the
    row and field (cme.attendance.calendar.read_term_dates, through the shared CSV reader)."""
    if not isinstance(data, bytes | str):
        data = "".join(data)
    return cal.read_term_dates(data)


@transaction.atomic
def term_dates_import(*, actor, la_id: int, data: bytes | str | None = None,
                      lines: Iterable[str] | None = None,
                      periods: list[tuple[int, cal.Period]] | None = None,
                      provider_id: int | None = None, filename: str = "") -> TermDatesReport:
    """Load a term-dates file for an LA (rows scoped by LA code or by a provider's LAESTAB), or
    for one provider when provider_id is given. Each scope's periods for the academic years in
    the file replace the ones held.

    The file is `data` (bytes or text) or `lines`; or `periods` already read by
    term_dates_read (the command reads a file once and loads each LA's rows)."""
    la = Organisation.objects.get(pk=la_id, kind="la")
    providers = {o.laestab: o for o in Organisation.objects.filter(la_id=la_id).exclude(estab="")}
    only = Organisation.objects.get(pk=provider_id, la_id=la_id) if provider_id else None
    if periods is not None:
        errors: list[str] = []
    else:
        periods, errors = term_dates_read(data if data is not None else lines or "")
    rows: list[CalendarPeriod] = []
    for row_no, p in periods:
        if only is not None and p.scope != only.laestab:
            errors.append(f"row {row_no}, field scope: {p.scope} is not {only.laestab} ({only.name}), "
                          "the provider these term dates are for")
            continue
        if p.scope == la.la_code:
            provider = None
        elif p.scope in providers:
            provider = providers[p.scope]
        else:
            errors.append(f"row {row_no}, field scope: {p.scope} is neither LA {la.la_code} nor one of "
                          "its providers")
            continue
        rows.append(CalendarPeriod(la=la, provider=provider, kind=p.kind, start=p.start, end=p.end,
                                   name=p.name, academic_year=cal.academic_year_start(p.start).year))
    if not errors and not rows:
        errors.append("row 2: the file has no term dates")
    if errors:
        raise ImportRejected(errors, len(periods))
    replaced = 0
    scopes: dict[int | None, set[int]] = defaultdict(set)
    for r in rows:
        scopes[r.provider.pk if r.provider else None].add(r.academic_year)
    for provider_pk, years in scopes.items():
        replaced += CalendarPeriod.objects.filter(la=la, provider_id=provider_pk,
                                                  academic_year__in=years).delete()[0]
    CalendarPeriod.objects.bulk_create(rows)
    # The whole calendar must still make sense (for one, the LA needs terms of its own).
    from cme.attendance.selectors import calendar_periods

    try:
        cal.SchoolCalendar(calendar_periods(la_id=la_id), la=la.la_code)
    except cal.CalendarError as e:
        raise ImportRejected([str(e)], len(periods)) from None
    _bump_calendar_version(la_id)
    years = sorted({r.academic_year for r in rows})
    year_names = [f"{y}/{(y + 1) % 100:02d}" for y in years]
    audit_record(actor=actor, action=Action.IMPORT, object_type="calendar",
                 object_id=only.laestab if only else la.la_code, la_id=la_id,
                 summary=f"Term dates loaded for {', '.join(year_names)}"
                         + (f" ({only.name})" if only else ""),
                 detail={"filename": filename, "rows": len(rows), "replaced": replaced,
                         "academic_years": year_names})
    return TermDatesReport(rows=len(rows), academic_years=year_names, replaced=replaced)


# -- registers: reading ----------------------------------------------------------------------


@dataclass
class Mark:
    row: int
    upn: str
    laestab: str
    date: dt.date
    session: int  # 0 AM, 1 PM
    code: str
    byte: int


REGISTER_HEADER = ("upn", "laestab", "date", "session", "code")


def _date(text: str, cache: dict[str, dt.date | None]) -> dt.date | None:
    # A daily file repeats a handful of dates hundreds of thousands of times.
    if text not in cache:
        try:
            cache[text] = parse_iso_date(text)  # YYYY-MM-DD only: not "20250901" nor "2025-W36-1"
        except ValueError:
            cache[text] = None
    return cache[text]


def _code_byte(code: str, day: dt.date) -> int | None:
    return C.encode(code) if code in C.regime_codes(day) else None


def check_mark(*, row: int, upn: str, laestab: str, date_text: str, session: str, code: str,
               errors: list[str], dates: dict) -> Mark | None:
    """One register row checked field by field; its errors appended, None if any."""
    bad = len(errors)
    if not upn:
        errors.append(f"row {row}, field upn: empty")
    if not (len(laestab) == 7 and is_ascii_digits(laestab)):
        errors.append(f"row {row}, field laestab: {shown(laestab)} is not a LAESTAB (7 digits)")
    day = _date(date_text, dates)
    if day is None:
        errors.append(f"row {row}, field date: {shown(date_text)} is not a date (YYYY-MM-DD)")
    s = session.upper()
    if s not in SESSIONS:
        errors.append(f"row {row}, field session: {shown(session)} is not AM or PM")
    byte = None
    if day is not None:
        byte = _code_byte(code, day)
        if byte is None:
            errors.append(str(C.UnknownCodeError(code=code, upn=upn, session_date=day,
                                                 session=s if s in SESSIONS else session, row=row))
                          .replace("field marks", "field code"))
    if len(errors) > bad:
        return None
    return Mark(row, upn, laestab, day, SESSIONS.index(s), code, byte)


# Far longer than any good value (a UPN is 13 characters, a code 2): values up to these are
# checked field by field, with the words that say what is wrong; longer ones are refused whole.
REGISTER_LIMITS = {"upn": 20, "laestab": 20, "date": 20, "session": 10, "code": 10}


def _file_error(p) -> str:
    """A problem of the shared CSV reader, written as the register messages are."""
    where = f"row {p.row}" + (f", field {p.column}" if p.column else "")
    return f"{where}: {p.message}"


def register_csv_read(data: bytes | str | Iterable[str]) -> tuple[list[Mark], list[str], int]:
    """Marks of a school information system CSV (UTF-8), every error, and the rows read.

    Read by the shared CSV reader (cme.core.csvfile): a broken file (an unclosed quote, a
    column named twice, no rows) is refused naming the row, and no marks are read from it."""
    if not isinstance(data, bytes | str):
        data = "".join(data)
    # Row by row: a day's file of a large authority is never held as rows all at once.
    table, rows = iter_csv(data, required=REGISTER_HEADER, known=REGISTER_HEADER, max_lengths=REGISTER_LIMITS,
                           missing_hint=f" (the header must be {','.join(REGISTER_HEADER)})")
    errors: list[str] = []
    marks: list[Mark] = []
    dates: dict[str, dt.date | None] = {}
    read = checked = 0
    for row in rows:
        read += 1
        if len(table.problems) > checked:  # its text is refused, field by field
            errors.extend(_file_error(p) for p in table.problems[checked:])
            checked = len(table.problems)
            continue
        m = check_mark(row=row.number, upn=row["upn"].upper(), laestab=row["laestab"],
                       date_text=row["date"], session=row["session"], code=row["code"],
                       errors=errors, dates=dates)
        if m is not None:
            marks.append(m)
    if table.broken:  # the file itself cannot be read: its rows are not to be trusted
        return [], [_file_error(p) for p in table.problems], read
    return marks, errors, read


# CTF AttendanceMarks: one character per session from AttendanceStartDate, AM then PM. How CTF
# writes the two-character 2024 codes and days with no session is not confirmed
# (shared/reference/data-standards.md §1.5): Capita One's single characters are read as the
# codes they stand for, and "-", space and "@" as no session.
CTF_SINGLE_CHARACTER = {"<": "C1", ">": "C2", "?": "J1", "$": "Y1", "%": "Y3", "`": "Y4",
                        ":": "Y5", "|": "Y6", "_": "Y7"}
CTF_NO_SESSION = {"-", " ", "@"}


def ctf_attendance_read(data: bytes) -> tuple[list[Mark], list[str], int]:
    """Marks from the Attendance part of a common transfer file (every pupil's YearData), read
    by the project's CTF reader (cme.movements.ctf: safe XML, any namespace, size limit).
    `row` in messages is the pupil's place in the file (pupil 1, 2 ...)."""
    from cme.movements.ctf import CtfError, parse_ctf

    try:
        ctf = parse_ctf(data)
    except CtfError as e:
        return [], [f"the file is not a CTF that can be read: {p}" for p in e.problems], 0
    if not ctf.pupils:
        return [], ["the file holds no Pupil elements"], 0
    marks: list[Mark] = []
    errors: list[str] = []
    dates: dict[str, dt.date | None] = {}
    sessions = 0
    for pupil in ctf.pupils:
        for year in pupil.attendance:
            if not year.marks.strip("".join(CTF_NO_SESSION)):
                continue
            if year.start_date is None:
                errors.append(f"pupil {pupil.position} (UPN {pupil.upn or 'missing'}), "
                              "field AttendanceStartDate: missing")
                continue
            for i, ch in enumerate(year.marks):
                if ch in CTF_NO_SESSION:
                    continue
                sessions += 1
                day = year.start_date + dt.timedelta(days=i // 2)
                m = check_mark(row=pupil.position, upn=pupil.upn, laestab=year.lea + year.estab,
                               date_text=day.isoformat(), session=SESSIONS[i % 2],
                               code=CTF_SINGLE_CHARACTER.get(ch, ch), errors=errors, dates=dates)
                if m is not None:
                    marks.append(m)
    errors = [e.replace("row ", "pupil ", 1) if e.startswith("row ") else e for e in errors]
    return marks, errors, sessions


# -- registers: storing ----------------------------------------------------------------------


@dataclass
class RegisterReport:
    rows_read: int = 0
    marks_added: int = 0
    marks_changed: int = 0
    marks_unchanged: int = 0
    registers: int = 0
    register_import: RegisterImport | None = None
    providers: list[str] = field(default_factory=list)


def _providers_in_scope(*, actor, la_id: int | None, provider_id: int | None,
                        laestabs: set[str]) -> dict[str, Organisation]:
    qs = Organisation.objects.exclude(estab="").exclude(la__isnull=True)
    if provider_id is not None:
        qs = qs.filter(pk=provider_id)
    elif la_id is not None:
        qs = qs.filter(la_id=la_id)
    codes = {(s[:3], s[3:]) for s in laestabs}
    la_codes = {c for c, _ in codes}
    return {o.laestab: o for o in qs.filter(la_code__in=la_codes) if o.laestab in laestabs}


def _enrolments(providers: dict[str, Organisation], marks: list[Mark]) -> dict[tuple[int, str], list]:
    """(provider id, UPN) -> enrolments [(id, entry, leaving)] for the pupils of the file."""
    upns = sorted({m.upn for m in marks})
    found: dict[tuple[int, str], list] = defaultdict(list)
    ids = [p.pk for p in providers.values()]
    for i in range(0, len(upns), CHUNK):
        part = upns[i:i + CHUNK]
        rows = (Enrolment.objects.filter(provider_id__in=ids)
                .filter(Q(upn__in=part) | Q(upn="", child__upn__in=part))
                .values_list("pk", "provider_id", "upn", "child__upn", "entry_date", "leaving_date"))
        for pk, prov, upn, child_upn, entry, leaving in rows:
            found[(prov, upn or child_upn)].append((pk, entry, leaving))
    return found


def _last_marked(start: dt.date, data: bytes | bytearray) -> dt.date | None:
    used = len(bytes(data).rstrip(b"-"))
    return start + dt.timedelta(days=(used - 1) // 2) if used else None


def _update_registers(registers: list[RegisterYear]) -> None:
    """Write changed registers back with one prepared UPDATE run many times: bulk_update's
    CASE WHEN per row grows slow on the hundreds of thousands of registers a daily file touches."""
    if not registers:
        return
    names = ["start_date", "marks", "last_marked", "updated_at"]
    fields = [RegisterYear._meta.get_field(n) for n in names]
    qn = connection.ops.quote_name
    # Only the model's own table and column names go into the text; every value is a parameter.
    sql = (f"UPDATE {qn(RegisterYear._meta.db_table)} SET "  # noqa: S608
           + ", ".join(f"{qn(f.column)} = %s" for f in fields) + f" WHERE {qn('id')} = %s")
    with connection.cursor() as cursor:
        for i in range(0, len(registers), CHUNK):
            cursor.executemany(sql, [
                [f.get_db_prep_value(getattr(r, f.attname), connection) for f in fields] + [r.pk]
                for r in registers[i:i + CHUNK]])


def _school_days() -> Callable[[Organisation, dt.date], bool | None]:
    """is_school_day(provider, day): True or False where the provider's LA has term dates for
    the day, None where it has none (then the day is not checked). Cached per import."""
    from cme.attendance.selectors import NoCalendar, school_calendar

    calendars: dict[int | None, cal.SchoolCalendar | None] = {}
    answers: dict[tuple[str, dt.date], bool | None] = {}

    def is_school_day(provider: Organisation, day: dt.date) -> bool | None:
        key = (provider.laestab, day)
        if key not in answers:
            if provider.la_id not in calendars:
                try:
                    calendars[provider.la_id] = school_calendar(la_id=provider.la_id)
                except NoCalendar:
                    calendars[provider.la_id] = None
            calendar = calendars[provider.la_id]
            try:
                answers[key] = calendar.is_school_day(day, provider.laestab) if calendar else None
            except (cal.CalendarRangeError, cal.CalendarError):
                answers[key] = None
        return answers[key]

    return is_school_day


@transaction.atomic
def registers_import(*, actor, marks: list[Mark], errors: list[str], rows_read: int,
                     kind: str = ImportKind.CSV, filename: str = "", la_id: int | None = None,
                     provider_id: int | None = None,
                     progress: Callable[[int], None] | None = None) -> RegisterReport:
    """Store checked marks (from register_csv_read or ctf_attendance_read).

    Scope: provider_id limits the file to one provider (a school's own upload); la_id to the
    providers of one LA (LA staff); neither (the command line) to any provider, all in one LA.
    Raises ImportRejected naming every bad row; nothing is written then.

    A mark must be of a day the pupil was on the provider's roll, not after today, not on a
    Sunday, and, where the LA's term dates cover it, on one of the provider's school days (a
    planned closure, #, may be marked on any day but Sunday)."""
    errors = list(errors)
    if not marks and not errors:
        raise ImportRejected(["the file holds no attendance marks"], rows_read)
    laestabs = {m.laestab for m in marks}
    providers = _providers_in_scope(actor=actor, la_id=la_id, provider_id=provider_id, laestabs=laestabs)
    scope_name = ("your provider" if provider_id is not None
                  else "a provider of this LA" if la_id is not None else "a provider we hold")
    enrolments = _enrolments(providers, marks)
    # (enrolment, academic year) -> {(day offset key) -> (byte, row)}
    groups: dict[tuple[int, int], dict[tuple[dt.date, int], tuple[int, int]]] = defaultdict(dict)
    entries: dict[int, dt.date] = {}
    today = timezone.localdate()
    school_day = _school_days()
    for m in marks:
        provider = providers.get(m.laestab)
        if provider is None:
            errors.append(f"row {m.row}, field laestab: {m.laestab} is not {scope_name}")
            continue
        if m.date > today:
            errors.append(f"row {m.row}, field date: {m.date.isoformat()} is after today: a register "
                          "is marked on the day or after it")
            continue
        if m.date.weekday() == 6:
            errors.append(f"row {m.row}, field date: {m.date.isoformat()} is a Sunday, when no "
                          "register is taken")
            continue
        if m.code != "#" and school_day(provider, m.date) is False:
            errors.append(f"row {m.row}, field date: {m.date.isoformat()} is not a school day of "
                          f"{m.laestab} by the term dates (a holiday, INSET day or weekend): only # "
                          "(planned closure) is marked then")
            continue
        enrolment = None
        for pk, entry, leaving in enrolments.get((provider.pk, m.upn), ()):
            if entry <= m.date and (leaving is None or m.date <= leaving):
                enrolment, entries[pk] = pk, entry
                break
        if enrolment is None:
            errors.append(f"row {m.row}, field upn: no pupil with UPN {m.upn} on the roll of "
                          f"{m.laestab} on {m.date.isoformat()}")
            continue
        group = groups[(enrolment, cal.academic_year_start(m.date).year)]
        key = (m.date, m.session)
        earlier = group.get(key)
        if earlier is not None and earlier[0] != m.byte:
            errors.append(f"row {m.row}, field code: pupil {m.upn} on {m.date.isoformat()} "
                          f"{SESSIONS[m.session]} is {m.code} here but {C.decode(earlier[0])} in row "
                          f"{earlier[1]}")
            continue
        group[key] = (m.byte, m.row)
    if errors:
        raise ImportRejected(errors, rows_read)
    la_ids = {p.la_id for p in providers.values() if p.laestab in laestabs}
    if len(la_ids) > 1:
        raise ImportRejected(["the file holds providers of several LAs: load each LA's registers on "
                              "their own"], rows_read)
    import_la = la_id or (la_ids.pop() if la_ids else None)
    if import_la is None:
        if actor is None or not getattr(actor, "la_id", None):
            raise ImportRejected(["the file holds no marks"], rows_read)
        import_la = actor.la_id
    enrolment_provider = {}
    for (prov, _), found in enrolments.items():
        for pk, _, _ in found:
            enrolment_provider[pk] = prov

    record = RegisterImport.objects.create(
        la_id=import_la, provider_id=provider_id, uploaded_by=actor if actor is not None else None,
        kind=kind, filename=filename[:255], rows_read=rows_read)
    existing: dict[tuple[int, int], RegisterYear] = {}
    keys = sorted(groups)
    for i in range(0, len(keys), CHUNK):
        part = keys[i:i + CHUNK]
        years = {y for _, y in part}
        for reg in RegisterYear.objects.filter(enrolment_id__in=[e for e, _ in part], academic_year__in=years):
            existing[(reg.enrolment_id, reg.academic_year)] = reg

    report = RegisterReport(rows_read=rows_read, register_import=record,
                            providers=sorted(laestabs & set(providers)))
    now = timezone.now()
    new_regs, changed_regs, changes = [], [], []
    for (enrolment, year), group in groups.items():
        reg = existing.get((enrolment, year))
        first = min(d for d, _ in group)
        if reg is None:
            start = min(max(dt.date(year, 9, 1), entries[enrolment]), first)
            data = bytearray()
        else:
            start, data = reg.start_date, bytearray(reg.marks)
            if first < start:
                data[0:0] = b"-" * (2 * (start - first).days)
                start = first
        last = max(d for d, _ in group)
        need = 2 * ((last - start).days + 1)
        if len(data) < need:
            data.extend(b"-" * (need - len(data)))
        touched = False
        for (day, session), (byte, _) in group.items():
            at = 2 * (day - start).days + session
            old = data[at]
            if old == byte:
                report.marks_unchanged += 1
                continue
            touched = True
            data[at] = byte
            if old == NO_SESSION:
                report.marks_added += 1
            else:
                report.marks_changed += 1
                changes.append(RegisterMarkChange(register=reg, date=day, session=SESSIONS[session],
                                                  old_code=C.decode(old), new_code=C.decode(byte),
                                                  register_import=record))
        if reg is None:
            new_regs.append(RegisterYear(enrolment_id=enrolment, provider_id=enrolment_provider[enrolment],
                                         academic_year=year, start_date=start, marks=bytes(data),
                                         last_marked=_last_marked(start, data), updated_at=now))
        elif touched or start != reg.start_date:
            reg.start_date, reg.marks = start, bytes(data)
            reg.last_marked, reg.updated_at = _last_marked(start, data), now
            changed_regs.append(reg)
        if progress is not None:
            progress(1)
    RegisterYear.objects.bulk_create(new_regs, batch_size=1000)
    _update_registers(changed_regs)
    RegisterMarkChange.objects.bulk_create(changes, batch_size=2000)
    report.registers = len(groups)
    record.marks_added, record.marks_changed = report.marks_added, report.marks_changed
    record.marks_unchanged = report.marks_unchanged
    record.save(update_fields=["marks_added", "marks_changed", "marks_unchanged"])
    audit_record(actor=actor, action=Action.IMPORT, object_type="register", object_id=record.pk,
                 la_id=import_la,
                 summary=(f"Registers loaded from {filename or 'a file'}: {report.marks_added} marks "
                          f"added, {report.marks_changed} changed, {report.marks_unchanged} unchanged"),
                 detail={"filename": filename, "kind": kind, "rows_read": rows_read,
                         "marks_added": report.marks_added, "marks_changed": report.marks_changed,
                         "marks_unchanged": report.marks_unchanged, "registers": len(groups),
                         "providers": report.providers})
    return report


def register_file_read(data: bytes) -> tuple[list[Mark], list[str], int, str]:
    """(marks, problems, rows read, kind) of a register file: a CTF (XML) or a CSV."""
    if data.lstrip()[:1] == b"<":
        return (*ctf_attendance_read(data), ImportKind.CTF)
    return (*register_csv_read(data), ImportKind.CSV)


def registers_import_file(*, actor, data: bytes, filename: str, la_id: int | None = None,
                          provider_id: int | None = None,
                          progress: Callable[[int], None] | None = None) -> RegisterReport:
    """A register file as uploaded: a CTF (XML) or a school information system CSV."""
    marks, errors, rows, kind = register_file_read(data)
    # Read errors go on with the marks, so that the report also names rows of unknown pupils.
    return registers_import(actor=actor, marks=marks, errors=errors, rows_read=rows, kind=kind,
                            filename=filename, la_id=la_id, provider_id=provider_id, progress=progress)


# -- uploads loaded by the task queue ------------------------------------------------------------

SHOWN_PROBLEMS = 100


@transaction.atomic
def register_upload_queue(*, actor, chunks: Iterable[bytes], filename: str, size: int, la_id: int,
                          provider_id: int | None = None) -> RegisterUpload:
    """Keep an uploaded register file on disk and queue its loading: the request returns at once
    and the page follows the load. Too large, or no room on disk: refused, nothing kept."""
    from django.core.exceptions import ValidationError

    from cme.attendance.tasks import load_register_upload
    from cme.core.uploads import stage, too_large

    if problem := too_large("register", size):
        raise ValidationError({"file": problem})
    try:
        path = stage("register", chunks)
    except ValueError as e:  # larger than it said
        raise ValidationError({"file": str(e)}) from None
    upload = RegisterUpload.objects.create(uploaded_by=actor, la_id=la_id, provider_id=provider_id,
                                           filename=filename[:255], path=str(path), size=size)
    audit_record(actor=actor, action=Action.IMPORT, object_type="register_upload", object_id=upload.pk, la_id=la_id,
                 summary=f"Uploaded the register file {filename} ({size:,} bytes) to be loaded")
    transaction.on_commit(lambda: load_register_upload.enqueue(upload_id=upload.pk))
    return upload


def register_upload_load(*, upload_id: int) -> str:
    """The task's work: load the staged file as one import (all or nothing), counting progress on
    the upload row, then remove the file. Safe to run again: a finished upload is left alone."""
    upload = RegisterUpload.objects.select_related("uploaded_by").get(pk=upload_id)
    if upload.finished:
        return upload.state
    RegisterUpload.objects.filter(pk=upload.pk).update(state=UploadState.RUNNING, done=0)
    path = Path(upload.path)
    try:
        # Read first, outside the import's transaction, so the page can say how far it has got:
        # "reading the file", then "N rows read: writing the registers", then the result.
        marks, errors, rows, kind = register_file_read(path.read_bytes())
        RegisterUpload.objects.filter(pk=upload.pk).update(done=rows)
        report = registers_import(actor=upload.uploaded_by, marks=marks, errors=errors, rows_read=rows, kind=kind,
                                  filename=upload.filename, la_id=upload.la_id, provider_id=upload.provider_id)
    except ImportRejected as e:
        RegisterUpload.objects.filter(pk=upload.pk).update(
            state=UploadState.REJECTED, problems=e.errors[:SHOWN_PROBLEMS], problem_count=len(e.errors),
            finished_at=timezone.now())
    except FileNotFoundError:
        RegisterUpload.objects.filter(pk=upload.pk).update(
            state=UploadState.FAILED, problems=["The uploaded file was no longer on the server: upload it again"],
            problem_count=1, finished_at=timezone.now())
    else:
        RegisterUpload.objects.filter(pk=upload.pk).update(
            state=UploadState.DONE, register_import=report.register_import, finished_at=timezone.now())
    path.unlink(missing_ok=True)
    return RegisterUpload.objects.values_list("state", flat=True).get(pk=upload.pk)
