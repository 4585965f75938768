"""Generate a synthetic authority's attendance registers in the REG.csv batch format.

Reproducible (seeded numpy), vectorised, and chunked so that a national 9-million-pupil run can
be generated on the fly without touching the disk.

    .venv/bin/python bench/make_registers.py --pupils 250000 --out bench/data/reg-250k.csv

Patterns, by share of pupils (believable, not calibrated to any real authority):
most attend well (about 94% attendance, illness, appointments, the odd late or unexplained
session); about 12% are persistently absent and 2% severely; 0.8% are in a continuous
absence (N/O/G) that is still going; 0.25% went on leave of absence (C) and did not come back;
0.6% are on a part-time timetable (C2 every afternoon); 3% joined during the year (a later
start_date) and 2% left it ("-" after leaving); a few sessions carry rarer codes (J1, C1, Y1, D,
K, B, V); every provider has a planned closure day (#) now and then and 4% have a snow day (Y4)
for everyone; 1% of providers stop sending registers in the last weeks.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from cme.attendance import codes as C  # noqa: E402
from cme.attendance.calendar import load_calendar  # noqa: E402
from cme.attendance.regfile import HEADER  # noqa: E402

START = dt.date(2025, 9, 1)
END = dt.date(2026, 7, 31)
AS_OF = dt.date(2026, 7, 17)
PUPILS_PER_PROVIDER = 250
LA = "901"

B = {c: C.encode(c) for c in [*C.CODES_2024, "-"]}
# First and second character of each in-memory byte, for writing (second 0 = none).
FIRST = np.zeros(256, np.uint8)
SECOND = np.zeros(256, np.uint8)
for _code in [*C.CODES_2024, "-"]:
    FIRST[C.encode(_code)] = ord(_code[0])
    if len(_code) == 2:
        SECOND[C.encode(_code)] = ord(_code[1])
UPN_LETTERS = np.frombuffer(b"ABCDEFGHJKLMNPQRTUVWXYZ", np.uint8)


def school_day_mask(start: dt.date = START, end: dt.date = END) -> np.ndarray:
    cal = load_calendar()
    days = (end - start).days + 1
    return np.array([cal.is_school_day(start + dt.timedelta(d)) for d in range(days)])


def _choice(rng, n, codes_weights):
    codes = np.array([B[c] for c, _ in codes_weights], np.uint8)
    p = np.array([w for _, w in codes_weights], float)
    return codes[rng.choice(len(codes), size=n, p=p / p.sum())]


def make_chunk(rng: np.random.Generator, first_pupil: int, n: int, school: np.ndarray,
               la: str = LA, start: dt.date = START, as_of: dt.date = AS_OF) -> tuple[np.ndarray, ...]:
    """Marks (n, 2*days) in-memory bytes, providers' estab numbers, start day offsets, UPNs."""
    days = len(school)
    as_of_day = (as_of - start).days
    school_idx = np.flatnonzero(school)
    pupil = first_pupil + np.arange(n)
    provider = pupil // PUPILS_PER_PROVIDER
    marks = np.full((n, days, 2), B["-"], np.uint8)
    marks[:, school, 0] = B["/"]
    marks[:, school, 1] = B["\\"]
    r = rng.random((n, days), dtype=np.float32)

    kind = rng.random(n)
    # Absence propensity per pupil: most low, a persistent tail, a severe tail.
    p_abs = rng.beta(1.2, 30, n)
    p_abs[kind < 0.12] = rng.uniform(0.10, 0.40, (kind < 0.12).sum())
    p_abs[kind < 0.02] = rng.uniform(0.50, 0.90, (kind < 0.02).sum())
    absent = (r < p_abs[:, None]) & school
    codes = _choice(rng, absent.sum(), [("I", 50), ("O", 12), ("N", 10), ("M", 6), ("G", 8),
                                        ("C", 3), ("R", 1), ("E", 1), ("S", 1), ("T", 0.5)])
    marks[absent, 0] = codes
    marks[absent, 1] = codes
    half = (r > 0.995) & school  # afternoon-only appointments
    marks[half, 1] = B["M"]
    late = (r > 0.975) & (r < 0.99) & school
    marks[late, 0] = B["L"]
    marks[(r > 0.99) & (r < 0.9915) & school, 0] = B["U"]

    # Rare codes, one session each, on a few pupils.
    for code, share in (("J1", 0.01), ("C1", 0.002), ("Y1", 0.01), ("D", 0.005), ("K", 0.003),
                        ("B", 0.01), ("V", 0.03), ("W", 0.004), ("P", 0.01)):
        who = np.flatnonzero(rng.random(n) < share)
        when = school_idx[rng.integers(0, len(school_idx), len(who))]
        marks[who, when, rng.integers(0, 2, len(who))] = B[code]

    # Continuous absence still going at the as-of date.
    cont = np.flatnonzero((kind >= 0.12) & (kind < 0.128))
    for i, length in zip(cont, rng.integers(5, 50, len(cont)), strict=True):
        first = school_idx[max(0, np.searchsorted(school_idx, as_of_day) - length)]
        code = B[rng.choice(["N", "O", "G"], p=[0.5, 0.4, 0.1])]
        sel = school & (np.arange(days) >= first)
        marks[i, sel] = code
    # Leave of absence (C), then no return.
    leave = np.flatnonzero((kind >= 0.128) & (kind < 0.1305))
    for i, gone in zip(leave, rng.integers(10, 40, len(leave)), strict=True):
        k = np.searchsorted(school_idx, as_of_day) - gone
        marks[i, school_idx[max(0, k - 5):k]] = B["C"]
        marks[i, school_idx[k:]] = B["O"]
    # Part-time timetable: C2 every afternoon since some date.
    pt = np.flatnonzero((kind >= 0.1305) & (kind < 0.1365))
    for i, since in zip(pt, rng.integers(20, 150, len(pt)), strict=True):
        k = max(0, np.searchsorted(school_idx, as_of_day) - since)
        marks[i, school_idx[k:], 1] = B["C2"]
        marks[i, school_idx[k:], 0] = B["/"]

    # Provider closures: a # day for some, a snow day (Y4) for a few.
    n_prov = provider[-1] - provider[0] + 1
    prov_rel = provider - provider[0]
    closure_day = school_idx[rng.integers(0, len(school_idx), n_prov)]
    has_closure = rng.random(n_prov) < 0.3
    sel = has_closure[prov_rel]
    marks[np.flatnonzero(sel), closure_day[prov_rel[sel]]] = B["#"]
    snow_day = school_idx[rng.integers(0, len(school_idx), n_prov)]
    has_snow = rng.random(n_prov) < 0.04
    sel = has_snow[prov_rel]
    marks[np.flatnonzero(sel), snow_day[prov_rel[sel]]] = B["Y4"]
    # Providers that stopped sending registers 2 to 6 weeks before the as-of date.
    stopped = (rng.random(n_prov) < 0.01)
    stop_day = as_of_day - rng.integers(14, 42, n_prov)
    sel = np.flatnonzero(stopped[prov_rel])
    for i in sel:
        marks[i, stop_day[prov_rel[i]]:] = B["-"]

    # Joiners (later start date) and leavers ("-" after leaving).
    start_off = np.zeros(n, np.int64)
    joiners = rng.random(n) < 0.03
    start_off[joiners] = rng.integers(20, days - 30, joiners.sum())
    for i in np.flatnonzero(joiners):
        marks[i, :start_off[i]] = B["-"]
    leavers = np.flatnonzero(rng.random(n) < 0.02)
    for i, day in zip(leavers, rng.integers(30, days, len(leavers)), strict=True):
        marks[i, day:] = B["-"]

    estab = 1000 + provider % 9000
    upn = make_upns(la, estab, pupil)
    return marks.reshape(n, 2 * days), estab, start_off, upn


def make_upns(la: str, estab: np.ndarray, pupil: np.ndarray) -> np.ndarray:
    """Valid UPNs: check letter + LA (3) + estab (4) + year (2) + serial (3), DS §2.2."""
    n = len(pupil)
    digits = np.zeros((n, 12), np.uint8)
    digits[:, 0:3] = np.frombuffer(la.encode(), np.uint8) - 48
    for k, div in enumerate((1000, 100, 10, 1)):
        digits[:, 3 + k] = (estab // div) % 10
    digits[:, 7:9] = [2, 5]
    serial = pupil % 1000
    for k, div in enumerate((100, 10, 1)):
        digits[:, 9 + k] = (serial // div) % 10
    # Serial is per pupil modulo 1000; make UPNs unique by folding the rest into the year digits.
    year = (pupil // 1000) % 100
    digits[:, 7] = year // 10
    digits[:, 8] = year % 10
    weights = np.arange(2, 14)
    check = UPN_LETTERS[(digits.astype(np.int64) * weights).sum(axis=1) % 23]
    out = np.empty((n, 13), np.uint8)
    out[:, 0] = check
    out[:, 1:] = digits + 48
    return out


def chunk_to_csv(marks: np.ndarray, estab: np.ndarray, start_off: np.ndarray, upn: np.ndarray,
                 la: str = LA, start: dt.date = START) -> bytes:
    """REG.csv rows (no header) for one chunk, vectorised."""
    n, sessions = marks.shape
    has_two = (SECOND[marks] != 0).any(axis=1) | (start_off > 0)
    date_txt = np.array([(start + dt.timedelta(int(d))).isoformat().encode() for d in range(sessions // 2)])
    prefix = np.empty((n, 33), np.uint8)
    prefix[:, :13] = upn
    prefix[:, 13] = 44
    prefix[:, 14:17] = np.frombuffer(la.encode(), np.uint8)
    for k, div in enumerate((1000, 100, 10, 1)):
        prefix[:, 17 + k] = (estab // div) % 10 + 48
    prefix[:, 21] = 44
    prefix[:, 22:32] = np.frombuffer(b"".join(date_txt[start_off].tolist()), np.uint8).reshape(n, 10)
    prefix[:, 32] = 44
    # Simple rows: one character per code, a space after each, a newline at the end.
    simple = np.flatnonzero(~has_two)
    rows = np.empty((len(simple), 33 + 2 * sessions), np.uint8)
    rows[:, :33] = prefix[simple]
    rows[:, 33::2] = FIRST[marks[simple]]
    rows[:, 34::2] = 32
    rows[:, -1] = 10
    simple_bytes = memoryview(rows.tobytes())
    width = rows.shape[1]
    # Other rows: three bytes a session (first, second, space) with the unused ones dropped.
    other = np.flatnonzero(has_two)
    pieces_other = []
    for i in other:
        s = 2 * start_off[i]
        m = marks[i, s:]
        tri = np.empty((len(m), 3), np.uint8)
        tri[:, 0] = FIRST[m]
        tri[:, 1] = SECOND[m]
        tri[:, 2] = 32
        tri[-1, 2] = 10
        keep = np.ones((len(m), 3), bool)
        keep[:, 1] = tri[:, 1] != 0
        pieces_other.append(prefix[i].tobytes() + tri[keep].tobytes())
    out = []
    at = 0
    for k, i in enumerate(other):
        j = np.searchsorted(simple, i)
        out.append(simple_bytes[at * width:j * width])
        out.append(pieces_other[k])
        at = j
    out.append(simple_bytes[at * width:])
    return b"".join(out)


def generate(pupils: int, seed: int = 2026, chunk: int = 25_000, la: str = LA,
             first_pupil: int = 0) -> Iterator[bytes]:
    """REG.csv bytes in chunks, header first. The same seed gives the same bytes."""
    school = school_day_mask()
    yield HEADER + b"\n"
    for a in range(0, pupils, chunk):
        rng = np.random.default_rng([seed, first_pupil + a])
        n = min(chunk, pupils - a)
        yield chunk_to_csv(*make_chunk(rng, first_pupil + a, n, school, la=la), la=la)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, default=250_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    size = 0
    with open(args.out, "wb") as f:
        for part in generate(args.pupils, args.seed):
            f.write(part)
            size += len(part)
    print(f"{args.out}: {args.pupils:,} pupils, {size / 1e6:.0f} MB in {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
