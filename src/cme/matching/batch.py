"""The batch contract of `cme link`: link a referrals CSV to a roll CSV (pure: no Django).

Both inputs are UTF-8 CSV with the header in COLUMNS (any field but id may be empty; dob is
YYYY-MM-DD; sex is M, F or empty). The output has one row per referral: the best candidate with
its probability, and an empty roll_id when none reaches the threshold.
"""

import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cme.core.atomic import write_atomically
from cme.matching.engine import (
    MAX_BLOCK,
    MIN_LABELLED,
    Index,
    Matcher,
    Model,
    Person,
    choose_model,
    fit_evidence_scale,
    train,
)

COLUMNS = ("id", "upn", "forename", "middle_names", "surname", "former_surname", "dob", "sex", "postcode", "address")
# Optional extra columns a roll may carry (a school information system export has them); the
# dates are the timing comparison's: a roll's entry_date (the day the pupil joined the school),
# a lost pupil's leaving_date (the day the child left the last).
OPTIONAL_COLUMNS = ("preferred_forename", "preferred_surname", "entry_date", "leaving_date")
OUTPUT_COLUMNS = ("referral_id", "roll_id", "probability")
DEFAULT_THRESHOLD = 0.9
_DOB = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


class InputError(ValueError):
    """Bad input, with a message that names the file, the row and the field."""


@dataclass(frozen=True)
class Link:
    referral_id: str
    roll_id: str | None
    probability: float


def _parse_row(name: str, number: int | None, row: dict[str, str]) -> Person:
    """One CSV row as a Person; `number` is the spreadsheet row (the header is row 1), None
    where the reader cannot know it (a file split between Spark's executors)."""
    ident = (row.get("id") or "").strip()
    where = (f"{name} row {number}" if number is not None else name) + (f" (id {ident})" if ident else "")
    if not ident:
        raise InputError(f"{where}, field id: every row needs an id")
    if None in row:
        raise InputError(f"{where}: more values than columns in the header")
    text = {k: (row.get(k) or "").strip() for k in COLUMNS + OPTIONAL_COLUMNS}
    dob, entry_date, leaving_date = (_date(where, k, text[k]) for k in ("dob", "entry_date", "leaving_date"))
    if text["sex"].upper() not in {"", "M", "F"}:
        raise InputError(f"{where}, field sex: {text['sex']!r} must be M, F or empty")
    return Person(
        id=ident, upn=text["upn"], forename=text["forename"], middle_names=text["middle_names"],
        surname=text["surname"], former_surname=text["former_surname"], dob=dob,
        sex=text["sex"].upper(), postcode=text["postcode"], address=text["address"],
        preferred_forename=text["preferred_forename"], preferred_surname=text["preferred_surname"],
        entry_date=entry_date, leaving_date=leaving_date,
    )


def _date(where: str, field: str, value: str) -> date | None:
    if not value:
        return None
    m = _DOB.match(value)
    if not m:
        raise InputError(f"{where}, field {field}: {value!r} is not a date in the form YYYY-MM-DD")
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise InputError(f"{where}, field {field}: {value} is not a real date") from None


# For the other batch contracts that carry the same person columns (cme reconcile, cme ctf-write).
person_from_row = _parse_row


def parse_people(lines: Iterator[str] | Sequence[str], name: str = "input") -> list[Person]:
    """Read and check a whole file: the first bad row stops it, and nothing is returned."""
    reader = csv.DictReader(lines)
    header = reader.fieldnames or []
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InputError(f"{name} row 1 (header): missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
    people: list[Person] = []
    seen: set[str] = set()
    for number, row in enumerate(reader, start=2):
        person = _parse_row(name, number, row)
        if person.id in seen:
            raise InputError(f"{name} row {number} (id {person.id}), field id: the id is used twice")
        seen.add(person.id)
        people.append(person)
    return people


def read_people(path: str | Path) -> list[Person]:
    path = Path(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            return parse_people(f, name=path.name)
    except UnicodeDecodeError as e:
        raise InputError(f"{path.name}: not UTF-8 text (byte {e.start})") from None
    except csv.Error as e:
        raise InputError(f"{path.name}: not a readable CSV file ({e})") from None


def link(roll: Sequence[Person], referrals: Sequence[Person], *, model: Model | None = None,
         threshold: float = DEFAULT_THRESHOLD, seed: int = 0, max_block: int = MAX_BLOCK,
         checked: dict[str, str | None] | None = None) -> tuple[list[Link], Model]:
    """Best roll record for every referral. With no model given, trains on the data themselves
    and checks the result against the engine's defaults on labelled referrals made from the roll
    (`engine.choose_model`, reported in the model's `trained_on`). The trained model is used
    either way: it is fitted to the very files being linked, not to a history, and a check made
    on referrals of CME Tracker's own making must not overrule what the files show (FEBRL, with
    no households and whole names replaced, reads as CME data never would).

    `checked`: referral id -> the roll id it is truly about (None: on no roll), from
    `read_checked`; the model's evidence scale is fitted to those outcomes before linking
    (`engine.fit_evidence_scale`)."""
    index = Index(roll, max_block=max_block)
    if model is None:
        trained = train(roll, referrals, seed=seed, index=index)
        model = choose_model(trained, None, index, roll, seed=seed, gate=False).model
    if checked:
        model, _ = fit_evidence_scale(model, index, [(p, checked[p.id]) for p in referrals if p.id in checked])
    matcher = Matcher(model, index)
    links = []
    for person in referrals:
        roll_id, probability = matcher.best(person)
        links.append(Link(person.id, roll_id if probability >= threshold else None, probability))
    return links, model


CHECKED_COLUMNS = ("referral_id", "roll_id")


def read_checked(path: str | Path, referrals: Sequence[Person], roll: Sequence[Person]) -> dict[str, str | None]:
    """Outcomes known for some of the referrals (CHECKED.csv: referral_id,roll_id; roll_id empty
    for a child on no roll), such as the matches officers confirmed in an earlier run and the
    children since found on no roll: referral id -> roll id or None. Every row is checked first;
    a bad one names its row and field and nothing is used."""
    path = Path(path)
    referral_ids = {p.id for p in referrals}
    roll_ids = {p.id for p in roll}
    out: dict[str, str | None] = {}
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f)
            header = tuple(c.strip() for c in next(reader, ()))
            if header != CHECKED_COLUMNS:
                raise InputError(f"{path.name} row 1: the header must be {','.join(CHECKED_COLUMNS)} "
                                 f"(found {','.join(header) or 'nothing'})")
            for number, row in enumerate(reader, start=2):
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) != len(CHECKED_COLUMNS):
                    raise InputError(f"{path.name} row {number}: expected 2 fields (referral_id,roll_id), "
                                     f"found {len(row)}")
                referral_id, roll_id = (cell.strip() for cell in row)
                if referral_id not in referral_ids:
                    raise InputError(f"{path.name} row {number}, field referral_id: {referral_id!r} is not a "
                                     "referral in the referrals file")
                if referral_id in out:
                    raise InputError(f"{path.name} row {number}, field referral_id: {referral_id!r} is given twice")
                if roll_id and roll_id not in roll_ids:
                    raise InputError(f"{path.name} row {number}, field roll_id: {roll_id!r} is not a record of "
                                     "the roll (leave it empty for a child on no roll)")
                out[referral_id] = roll_id or None
    except UnicodeDecodeError as e:
        raise InputError(f"{path.name}: not UTF-8 text (byte {e.start})") from None
    except csv.Error as e:
        raise InputError(f"{path.name}: not a readable CSV file ({e})") from None
    if len(out) < MIN_LABELLED:
        raise InputError(f"{path.name}: {len(out)} checked outcomes; at least {MIN_LABELLED} are needed to fit "
                         "the evidence scale")
    return out


def write_links(path: str | Path, links: Sequence[Link], found: dict[str, dict[str, str]] | None = None) -> None:
    """The links file; with `found` (roll id → the roll record's columns), each link carries the
    pupil found too (FOUND_COLUMNS), so that it can go back to the authority that lost the child."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(OUTPUT_COLUMNS + (FOUND_COLUMNS if found is not None else ()))
    for item in links:
        row = [item.referral_id, item.roll_id or "", f"{item.probability:.6f}"]
        if found is not None:
            record = found.get(item.roll_id or "", {})
            row += [record.get(c) or "" for c in FOUND_COLUMNS]
        writer.writerow(row)
    write_atomically(path, buffer.getvalue())


# The pupil found, in a national search's results: the person columns and where the pupil is on
# roll (the school's LAESTAB and the day the pupil joined it, when the roll gives them).
FOUND_COLUMNS = ("upn", "forename", "middle_names", "surname", "former_surname", "dob", "sex", "postcode",
                 "address", "laestab", "entry_date")
_LAESTAB = re.compile(r"^\d{7}$")


@dataclass(frozen=True)
class Found:
    """One row of a national search's results: a lost pupil (referral_id) and the pupil on roll
    elsewhere who may be the child."""

    referral_id: str
    roll_id: str
    probability: float
    person: dict[str, str]


def parse_found(lines: Iterator[str] | Sequence[str], name: str = "results") -> list[Found]:
    """Read and check a results file (`cme link --found-details`): the first bad row stops it and
    nothing is returned. Rows with no pupil found are skipped."""
    reader = csv.DictReader(lines)
    header = reader.fieldnames or []
    missing = [c for c in OUTPUT_COLUMNS + FOUND_COLUMNS if c not in header]
    if missing:
        raise InputError(f"{name} row 1 (header): missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
    out = []
    for number, row in enumerate(reader, start=2):
        if None in row:
            raise InputError(f"{name} row {number}: more values than columns in the header")
        text = {k: (row.get(k) or "").strip() for k in OUTPUT_COLUMNS + FOUND_COLUMNS}
        where = f"{name} row {number}"
        if not text["referral_id"]:
            raise InputError(f"{where}, field referral_id: every row needs the lost pupil's id")
        try:
            probability = float(text["probability"])
        except ValueError:
            probability = -1.0
        if not 0.0 <= probability <= 1.0:
            raise InputError(f"{where}, field probability: {text['probability']!r} is not a number from 0 to 1")
        if not text["roll_id"]:
            continue
        for field in ("dob", "entry_date"):
            if text[field]:
                m = _DOB.match(text[field])
                try:
                    date(int(m[1]), int(m[2]), int(m[3])) if m else date.fromisoformat("x")
                except ValueError:
                    raise InputError(f"{where}, field {field}: {text[field]!r} is not a date in the form YYYY-MM-DD") from None
        if text["laestab"] and not _LAESTAB.match(text["laestab"]):
            raise InputError(f"{where}, field laestab: {text['laestab']!r} is not a 7-digit LAESTAB")
        if text["sex"].upper() not in {"", "M", "F"}:
            raise InputError(f"{where}, field sex: {text['sex']!r} must be M, F or empty")
        person = {k: text[k] for k in FOUND_COLUMNS}
        person["sex"] = person["sex"].upper()
        out.append(Found(text["referral_id"], text["roll_id"], probability, person))
    return out
