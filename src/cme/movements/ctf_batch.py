"""The batch contract of `cme ctf-write` (pure: no Django): a pupils CSV in, CTF 25 files out.

    cme ctf-write --pupils PUPILS.csv --source LAESTAB --out DIR [--destination LAESTAB]

PUPILS.csv has the `cme link` person columns (id,upn,forename,middle_names,surname,
former_surname,dob,sex,postcode,address) plus entry_date,leaving_date. With a destination, one
file holds every pupil; without one, each pupil gets a lost-pupil file of their own (destination
XXXXXXX, data-standards.md §1.2). `nnn` counts on from the files already in DIR for the same
source and destination. Every problem names the row (the header is row 1) and the field, and any
problem means nothing is written.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from cme.core.csvfile import read_csv
from cme.core.inputs import parse_iso_date, shown
from cme.matching.batch import COLUMNS as PERSON_COLUMNS
from cme.matching.batch import InputError, person_from_row
from cme.movements.ctf import Address, Ctf, Pupil, SchoolStay
from cme.movements.ctf_write import LOST, file_name, header, is_laestab, next_number, write_ctf

COLUMNS = (*PERSON_COLUMNS, "entry_date", "leaving_date")
MAX_BYTES = 50 * 1024 * 1024


def _date(value: str, where: str, column: str) -> date | None:
    if not value:
        return None
    try:
        return parse_iso_date(value)
    except ValueError:
        raise InputError(f"{where}, field {column}: {shown(value)} is not a real date written as YYYY-MM-DD") from None


def read_pupils(data: bytes, *, source: str, name: str = "PUPILS.csv") -> list[Pupil]:
    """The CSV's rows as CTF pupils whose school history is their stay at `source`."""
    table = read_csv(data, required=COLUMNS, known=COLUMNS)
    if table.problems:
        p = table.problems[0]
        raise InputError(f"{name} {'row ' + str(p.row) + ', ' if p.row else ''}"
                         f"{'field ' + p.column + ': ' if p.column else ''}{p.message}")
    pupils = []
    for position, row in enumerate(table.rows, start=1):
        values = {k: row[k] for k in COLUMNS}
        # The dates are the CTF's school history, read below with its own messages.
        person = person_from_row(name, row.number, {k: values[k] for k in PERSON_COLUMNS})
        where = f"{name} row {row.number} (id {person.id})"
        if not person.surname:
            raise InputError(f"{where}, field surname: a CTF pupil needs a surname")
        if not person.forename:
            raise InputError(f"{where}, field forename: a CTF pupil needs a forename")
        if person.dob is None:
            raise InputError(f"{where}, field dob: a CTF pupil needs a date of birth")
        entry = _date(values["entry_date"], where, "entry_date")
        leaving = _date(values["leaving_date"], where, "leaving_date")
        if entry and leaving and leaving < entry:
            raise InputError(f"{where}, field leaving_date: {leaving.isoformat()} is before the entry date")
        lines = [part.strip() for part in person.address.split(",") if part.strip()]
        if len(lines) > 5:
            raise InputError(f"{where}, field address: a CTF address holds at most 5 lines (comma-separated)")
        address = Address(lines=lines, postcode=person.postcode) if (lines or person.postcode) else None
        pupils.append(Pupil(
            position=position, upn=person.upn.upper(), surname=person.surname, forename=person.forename,
            dob=person.dob, sex=person.sex, former_surname=person.former_surname,
            middle_names=person.middle_names, address=address,
            school_history=[SchoolStay(lea=source[:3], estab=source[3:], entry_date=entry,
                                       leaving_date=leaving, last_school=True)] if (entry or leaving) else [],
        ))
    return pupils


def run(pupils_csv: str | os.PathLike, *, source: str, out: str | os.PathLike,
        destination: str | None = None, now: datetime | None = None) -> list[str]:
    """Write the files; return their names. InputError (and nothing written) on any bad input."""
    if not is_laestab(source):
        raise InputError(f"--source: {source!r} is not a LAESTAB (3-digit LA and 4-digit establishment or LLLL)")
    if destination is not None and not is_laestab(destination):
        raise InputError(f"--destination: {destination!r} is not a LAESTAB")
    out_dir = Path(out)
    if not out_dir.is_dir():
        raise InputError(f"--out: {out_dir} is not a directory")
    path = Path(pupils_csv)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise InputError(f"{path.name}: larger than the {MAX_BYTES:,} bytes allowed")
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path.name}: no such file") from None
    pupils = read_pupils(data, source=source, name=path.name)
    if not pupils:
        raise InputError(f"{path.name}: no pupils to write")
    when = now or datetime.now()
    existing = os.listdir(out_dir)
    files: list[tuple[str, bytes]] = []
    if destination:
        n = next_number(existing, source=source, dest=destination)
        files.append((file_name(source=source, dest=destination, number=n),
                      write_ctf(Ctf(header(source=source, dest=destination, when=when), pupils))))
    else:
        n = next_number(existing, source=source, dest=LOST)
        if n + len(pupils) - 1 > 999:
            raise InputError(f"--out: file numbers run to 999; {len(pupils)} lost-pupil files from {n:03d} "
                             f"would pass it (use another directory or fewer pupils)")
        for i, pupil in enumerate(pupils):
            pupil.position = 1
            files.append((file_name(source=source, dest=LOST, number=n + i),
                          write_ctf(Ctf(header(source=source, dest=LOST, when=when), [pupil]))))
    _write_all(out_dir, files)
    return [name for name, _ in files]


def _write_all(out_dir: Path, files: Sequence[tuple[str, bytes]]) -> None:
    """Write every file or none: each goes to a temporary name first, then all are renamed."""
    temps: list[tuple[Path, Path]] = []
    try:
        for name, data in files:
            final = out_dir / name
            if final.exists():
                raise InputError(f"--out: {final} already exists")
            temp = out_dir / f".{name}.part"
            temp.write_bytes(data)
            temps.append((temp, final))
    except BaseException:
        for temp, _ in temps:
            temp.unlink(missing_ok=True)
        raise
    for temp, final in temps:
        temp.replace(final)
