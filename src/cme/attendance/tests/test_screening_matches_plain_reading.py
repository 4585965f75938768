"""The vectorised engine gives the same answers as a plain, day-by-day reading of the rules,
on random registers built to hit the edges (runs, closures, half days, joiners, C2, C), both
straight from memory and through the REG.csv reader, with the first-look window short or long."""

import datetime as dt
import io
import random

import numpy as np
import pytest

from cme.attendance import codes as C
from cme.attendance import regfile, screening
from cme.attendance.screening import Registers, load_rules, screen

from .builders import reference_screen

RULES = load_rules()
STATES = {
    "present": (["/"], ["\\", "L"]),
    "absent": (["N", "O", "G"], ["N", "O", "G"]),
    "ill": (["I", "M"], ["I"]),
    "leave": (["C"], ["C"]),
    "part": (["/"], ["C2"]),
    "closed": (["#", "Y1", "Y4", "X"], ["#", "Y7", "Z"]),
    "away": (["K", "V", "B"], ["K", "P", "W"]),
    "late": (["U"], ["N", "U"]),
}


def random_rows(seed: int, pupils: int = 120, start=dt.date(2025, 9, 1), days=150):
    rng = random.Random(seed)
    rows = []
    for i in range(pupils):
        state = "present"
        first = rng.choice([0, 0, 0, rng.randrange(days)])
        sessions = []
        for d in range(first, days):
            day = start + dt.timedelta(days=d)
            if day.weekday() >= 5 or rng.random() < 0.02:
                sessions += ["-", "-"]
                continue
            if rng.random() < 0.08:
                state = rng.choice(list(STATES))
            am, pm = STATES[state]
            sessions += [rng.choice(am), rng.choice(pm)]
        if rng.random() < 0.1:  # left the roll: nothing after
            cut = rng.randrange(len(sessions) + 1) // 2 * 2
            sessions = sessions[:cut] + ["-"] * (len(sessions) - cut)
        laestab = f"90110{rng.randrange(8):02d}"
        rows.append((f"A9011012{i:05d}", laestab, start + dt.timedelta(days=first), sessions))
    return rows


def engine(regs, as_of):
    return {(f.upn, f.laestab, f.rule) for f in screen(regs, as_of, RULES)}


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("window", [5, 20, screening.WINDOW_DAYS])
def test_engine_matches_the_plain_reading(seed, window, monkeypatch):
    monkeypatch.setattr(screening, "WINDOW_DAYS", window)
    rows = random_rows(seed)
    for as_of in (dt.date(2025, 10, 20), dt.date(2025, 12, 12), dt.date(2026, 1, 28)):
        expected = reference_screen(rows, as_of, RULES)
        assert engine(Registers.from_codes(rows), as_of) == expected


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("as_of", [dt.date(2025, 9, 2), dt.date(2025, 12, 12), dt.date(2026, 6, 1)])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_file_reader_gives_the_same_marks(seed, as_of, newline):
    # Rows of every length and start date, one- and two-character codes, cut short by as-of at
    # any point (a C2 must not be read as C), through blocks that end anywhere.
    rows = random_rows(seed, pupils=200)
    data = regfile.to_csv_bytes(rows).replace(b"\n", newline.encode())
    for block in (1 << 12, 1 << 16, 1 << 24):
        parts = list(regfile.read_registers(io.BytesIO(data), as_of, block_bytes=block))
        got = screening.concat(parts)
        want = Registers.from_codes(rows)
        cols = got.marks.shape[1]
        assert got.origin == want.origin
        assert cols == 2 * ((as_of - want.origin).days + 1)
        expected = np.full((len(rows), cols), C.NO_SESSION_BYTE, np.uint8)  # "-" after the rows end
        expected[:, :min(cols, want.marks.shape[1])] = want.marks[:, :cols]
        assert (got.marks == expected).all()
        assert [u.decode() for u in got.upn] == [r[0] for r in rows]
        assert list(got.row) == list(range(2, len(rows) + 2))


def test_file_reader_reads_both_regimes_by_session_date():
    # H (holiday) is a code before 19 August 2024 and not after; C2 and Y1 only after. Each
    # session is checked against the regime of its own date, within one row.
    rows = [("A901101200001", "9011001", dt.date(2024, 8, 17), ["H", "H", "-", "-", "C2", "Y1"])]
    regs = regfile.read_registers(io.BytesIO(regfile.to_csv_bytes(rows)), dt.date(2024, 8, 19))
    assert bytes(next(regs).marks[0]) == b"HH--" + bytes([C.encode("C2"), C.encode("Y1")])
    for late in (["H", "H", "-", "-", "H", "/"], ["C2", "/", "-", "-", "/", "/"]):
        row = [("A901101200001", "9011001", dt.date(2024, 8, 17), late)]
        with pytest.raises(C.UnknownCodeError, match=f"row 2, field marks: unknown attendance code '{late[0]}'"):
            list(regfile.read_registers(io.BytesIO(regfile.to_csv_bytes(row)), dt.date(2024, 8, 19)))


def test_streamed_file_screen_matches_the_plain_reading(tmp_path):
    rows = random_rows(7, pupils=300)
    as_of = dt.date(2026, 1, 9)
    path = tmp_path / "reg.csv"
    path.write_bytes(regfile.to_csv_bytes(rows))
    regfile.screen_file(path, as_of, tmp_path / "out.csv", RULES, block_bytes=1 << 14)
    lines = (tmp_path / "out.csv").read_text().splitlines()
    assert lines[0] == "upn,laestab,rule,detail"
    got = {tuple(line.split(",")[:3]) for line in lines[1:]}
    assert got == reference_screen(rows, as_of, RULES)
