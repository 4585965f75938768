"""Would pyarrow's CSV reader make `cme screen`'s reading cheaper? (issue 15, point 6)

    .venv/bin/python bench/pyarrow_tokenising.py bench/data/reg-250k.csv

Times, in this one process (best of --repeat, file in the page cache), reading a REG.csv into
one byte per session, checked:

1. regfile's own reader, as `cme screen` runs it (the file mapped into memory, 16 MB blocks);
2. pyarrow's multi-threaded CSV reader (every column as text, no UTF-8 check) doing the
   tokenising, then regfile's extraction, two-character-code folding and code checks on its
   Arrow buffers (offsets + data through np.frombuffer), block by block as they come;
3. pyarrow's reader alone, for scale.

(2) leaves out checks that (1) makes (UPN, LAESTAB and date shapes, the ASCII check), and a
row's last code has no newline after it in Arrow's data buffer, so rows that end before as-of
take the slow path: it errs in pyarrow's favour except for those rows. Tokenising (line ends,
the fixed-width fields, dates) is the part pyarrow would take over: about a third of (1), where
pyarrow's reader alone costs more than half of (1) (issue 15: 0.48 s against 0.77 s of CPU).
"""

from __future__ import annotations

import argparse
import datetime as dt
import mmap
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pv

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from cme.attendance import codes as C  # noqa: E402
from cme.attendance import regfile  # noqa: E402

AS_OF = dt.date(2026, 7, 17)  # bench/make_registers.py's
COLUMNS = ("upn", "laestab", "start_date", "marks")


def hand(path: Path) -> int:
    with open(path, "rb") as f:
        regfile._check_header(f)
        body = f.tell()
        mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        span = regfile._Span(mapped, body, len(mapped))
        work = lambda buf, n: regfile._parse(buf, n, AS_OF)  # noqa: E731
        pupils = sum(len(regs) for regs, _ in regfile._pipeline(span, work, 1, regfile.BLOCK_BYTES))
        del span
        mapped.close()
    return pupils


def _reader(path: Path):
    return pv.open_csv(path, read_options=pv.ReadOptions(block_size=regfile.BLOCK_BYTES),
                       convert_options=pv.ConvertOptions(column_types=dict.fromkeys(COLUMNS, pa.string()),
                                                         check_utf8=False))


def arrow_only(path: Path) -> int:
    return sum(batch.num_rows for batch in _reader(path))


def arrow_then_checks(path: Path) -> int:
    pupils = 0
    for batch in _reader(path):
        n = batch.num_rows
        marks_col, date_col = batch.column(3), batch.column(2)
        offsets = np.frombuffer(marks_col.buffers()[1], np.int32, n + 1, marks_col.offset * 4).astype(np.int64)
        data = np.frombuffer(marks_col.buffers()[2], np.uint8)
        date_offsets = np.frombuffer(date_col.buffers()[1], np.int32, n + 1, date_col.offset * 4)
        date_bytes = np.frombuffer(date_col.buffers()[2], np.uint8)[date_offsets[0]:date_offsets[-1]]
        texts = date_bytes.reshape(n, 10).copy().view("S10").ravel()  # every date is 10 bytes here
        uniq, date_idx = np.unique(texts, return_inverse=True)
        dates = [dt.date.fromisoformat(u.decode()) for u in uniq]
        origin = min(dates)
        cols = 2 * ((AS_OF - origin).days + 1)
        off = np.array([2 * (d - origin).days for d in dates])[date_idx]
        store = bytearray(n * cols)
        marks = np.frombuffer(store, np.uint8).reshape(n, cols)
        starts, ends = offsets[:-1], offsets[1:]
        want = np.clip(cols - off, 0, None)
        need = np.minimum((ends - starts + 1) // 2, want)
        marks[np.flatnonzero((off > 0) | (need < cols))] = C.NO_SESSION_BYTE
        bad = regfile._extract(data, starts, need, off, np.arange(n), marks)
        bad = np.union1d(bad, np.flatnonzero((ends - starts) % 2 == 0))
        row_no, upn = np.arange(n) + 2, np.zeros(n, "S13")
        if len(bad):
            marks[bad] = C.NO_SESSION_BYTE
            regfile._tokenise(data, bad, starts, ends, off, want, marks, row_no, upn, dates, date_idx)
        regfile._check_codes(marks, origin, row_no, upn, store)
        pupils += n
    return pupils


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("registers", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for label, fn in (("regfile's reader (mapped file, 16 MB blocks, one thread)", hand),
                      ("pyarrow's reader, then regfile's extraction and checks", arrow_then_checks),
                      ("pyarrow's reader alone", arrow_only)):
        runs = []
        for _ in range(args.repeat):
            wall, cpu = time.perf_counter(), time.process_time()
            pupils = fn(args.registers)
            runs.append((time.perf_counter() - wall, time.process_time() - cpu))
        wall, cpu = min(runs)
        print(f"{label}: {pupils:,} pupils, {wall:.3f} s wall, {cpu:.3f} s CPU (best of {args.repeat})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
