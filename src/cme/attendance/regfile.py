"""Read and write the batch register file (REG.csv) quickly and in bounded memory.

Pure module: no Django.

Format (issue 4, batch contract): UTF-8, header ``upn,laestab,start_date,marks``, one row per
pupil per provider. ``marks`` holds space-separated session codes, two per calendar day from
``start_date`` (AM then PM), ``-`` where there is no session. Marks after the as-of date are
ignored (neither read nor checked).

Why a hand-written reader: the marks field is 99% of the file (about 1,300 bytes a row, 330 MB
for 250,000 pupils) and must end as one byte per session. A general CSV reader (the csv module,
pyarrow, polars) would copy that field into a string column and still leave us to split and
translate 170 million tokens. Here the file is read in blocks of whole lines, where they lie:

1. the line ends are found, and the block checked to be ASCII, in one pass (C, _regscan.c);
2. the fixed-width prefix of every row (13-character UPN, 7-digit LAESTAB, ISO date) is viewed
   as a 2-D array and checked in bulk with numpy; other rows (quoted fields, stray spaces) are
   split one by one;
3. each row's marks are read once, in C, into one byte per session: a one-character code is
   its own byte, a two-character code (C2, Y1) goes through a 65,536-entry pair table, and each
   is checked against the code set of its session's regime (pre-2024 or 2024) on the way;
4. a row the C loop doubts (an unknown code, a stray space or comma) is read again token by
   token in Python, which names the pupil, date and session of the fault.

Bad input raises RegisterFileError naming the row (the header is row 1) and the field; an
unknown code names the pupil, date and session too.
"""

from __future__ import annotations

import datetime as dt
import io
import mmap
import os
import shutil
import signal
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

import numpy as np

from cme.attendance import _regscan
from cme.attendance import codes as C
from cme.attendance.screening import Registers, csv_field

HEADER = b"upn,laestab,start_date,marks"
OUT_HEADER = "upn,laestab,rule,detail"
PREFIX = 33  # 13 (UPN) + 1 + 7 (LAESTAB) + 1 + 10 (date) + 1
BLOCK_BYTES = 16 << 20
NEWLINE, CR, COMMA = 10, 13, 44


class RegisterFileError(ValueError):
    """A register file that cannot be screened: the message names the row and field."""

    def __init__(self, row: int, field: str, detail: str):
        self.row, self.field, self.detail = row, field, detail
        super().__init__(f"row {row}, field {field}: {detail}")


def _shifted(error: Exception, rows: int) -> Exception:
    """The same error with its row counted from the start of the file, not of the block."""
    if isinstance(error, RegisterFileError):
        return RegisterFileError(error.row + rows, error.field, error.detail)
    if isinstance(error, C.UnknownCodeError) and error.row is not None:
        return C.UnknownCodeError(code=error.code, upn=error.upn, session_date=error.session_date,
                                  session=error.session, row=error.row + rows)
    return error


def _tables():
    pair = np.zeros(65536, np.uint8)  # first byte + 256 * second byte -> in-memory byte, 0 = invalid
    for code, byte in C.TWO_CHARACTER_BYTES.items():
        pair[ord(code[0]) + 256 * ord(code[1])] = byte
    upn_ok = np.zeros(256, bool)
    upn_ok[[*range(48, 58), *range(65, 91)]] = True
    valid_day = {}
    for pre in (True, False):
        v = np.frombuffer(C.valid_table(pre_2024=pre), np.uint8).astype(bool)
        idx = np.arange(65536)
        valid_day[pre] = v[idx & 0xFF] & v[idx >> 8]
    return pair, upn_ok, valid_day


PAIR, UPN_OK, VALID_DAY = _tables()
# What the C loop checks each session against: 1 for a valid mark (or "-") of the regime.
VALID_PRE, VALID_POST = C.valid_table(pre_2024=True), C.valid_table(pre_2024=False)
# For bytes.translate: 1 for each byte that may not be in a UPN (UPN_BAD) or a LAESTAB
# (DIGIT_BAD); DATE_SHAPE turns a date of the right shape into b"dddd-dd-dd".
UPN_BAD = bytes(0 if UPN_OK[b] else 1 for b in range(256))
DIGIT_BAD = bytes(0 if 48 <= b <= 57 else 1 for b in range(256))
DATE_SHAPE = bytes(ord("d") if 48 <= b <= 57 else b if b == ord("-") else ord("x") for b in range(256))


def _error(row: int, field: str, message: str) -> RegisterFileError:
    return RegisterFileError(row, field, message)


def _blocks(source: BinaryIO, block_bytes: int) -> Iterator[tuple[bytearray, int]]:
    """Blocks of whole lines after the header: (buffer, length). Each buffer is new, so blocks
    can be worked on while the next is read."""
    carry = b""
    size = block_bytes
    while True:
        buf = bytearray(max(size, len(carry) + (1 << 16)))
        buf[:len(carry)] = carry
        view = memoryview(buf)
        filled = len(carry)
        got = 0
        while filled < len(buf):  # a pipe gives a little at a time: fill the block
            got = source.readinto(view[filled:]) or 0
            if not got:
                break
            filled += got
        del view
        if filled == 0:
            return
        if not got:  # end of input: the last line may lack its newline
            if buf[filled - 1] != NEWLINE:
                if filled == len(buf):
                    buf.append(NEWLINE)
                else:
                    buf[filled] = NEWLINE
                filled += 1
            yield buf, filled
            return
        cut = buf.rfind(b"\n", 0, filled) + 1
        if cut == 0:  # one line longer than the block: read it whole
            carry, size = bytes(buf[:filled]), size * 2
            continue
        carry = bytes(buf[cut:filled])
        yield buf, cut


class _Span(NamedTuple):
    """Bytes [start, end) of a file mapped into memory, in whole lines."""

    data: mmap.mmap
    start: int
    end: int


def _span_blocks(span: _Span, block_bytes: int) -> Iterator[tuple[memoryview | bytearray, int]]:
    """Blocks of whole lines of a mapped file, read where they lie: no copy into a buffer (the
    page cache's pages are mapped, not copied), no fresh pages to fault in and zero."""
    view = memoryview(span.data)
    a = span.start
    while a < span.end:
        b = min(a + block_bytes, span.end)
        if b < span.end:
            cut = span.data.rfind(b"\n", a, b) + 1
            if cut <= a:  # one line longer than the block: take it whole
                cut = span.data.find(b"\n", b, span.end) + 1 or span.end
            b = cut
        if span.data[b - 1] != NEWLINE:  # the last line lacks its newline
            buf = bytearray(view[a:b])
            buf.append(NEWLINE)
            yield buf, len(buf)
        else:
            yield view[a:b], b - a
        a = b


def _parse(buf: bytearray | memoryview, length: int, as_of: dt.date) -> tuple[Registers, int]:
    return _parse_block(np.frombuffer(buf, np.uint8, length), 0, as_of)


def _check_header(source: BinaryIO) -> None:
    header = source.readline()
    if header.rstrip(b"\r\n").lstrip(b"\xef\xbb\xbf").replace(b" ", b"") != HEADER:
        raise _error(1, "header", f"expected {HEADER.decode()!r}, found {header[:60]!r}")


def _pipeline(source: str | Path | BinaryIO | _Span, work, workers: int, block_bytes: int,
              header: bool = True, first_row: int = 2, rows: dict | None = None):
    """Apply `work(buffer, length)` -> (result, lines) to each block, in order, on up to
    `workers` threads (numpy releases the GIL for the heavy parts); yield the results in file
    order, and errors with their rows counted from the start of the file (from `first_row` when
    the source is a part of a file after its header: `header=False`). `rows["next"]` is kept at
    the number of the row after the last block done."""
    if isinstance(source, str | Path):
        with open(source, "rb") as f:
            yield from _pipeline(f, work, workers, block_bytes, header, first_row, rows)
        return
    if isinstance(source, _Span):
        blocks = _span_blocks(source, block_bytes)
    else:
        if header:
            _check_header(source)
        blocks = _blocks(source, block_bytes)
    rows = {} if rows is None else rows
    rows["next"] = first_row

    def done(result_lines):
        nonlocal first_row
        result, lines = result_lines
        at = first_row
        first_row += lines
        rows["next"] = first_row
        return result, at

    def finish(future):
        try:
            return done(future.result())
        except (RegisterFileError, C.UnknownCodeError) as e:
            raise _shifted(e, first_row) from None

    if workers <= 1:
        for buf, length in blocks:
            try:
                out = work(buf, length)
            except (RegisterFileError, C.UnknownCodeError) as e:
                raise _shifted(e, first_row) from None
            yield done(out)
        return
    from collections import deque
    from concurrent.futures import ThreadPoolExecutor

    pending: deque = deque()
    with ThreadPoolExecutor(workers) as pool:
        try:
            for buf, length in blocks:
                pending.append(pool.submit(work, buf, length))
                while len(pending) > workers:
                    yield finish(pending.popleft())
            while pending:
                yield finish(pending.popleft())
        finally:
            for future in pending:
                future.cancel()


def read_registers(source: str | Path | BinaryIO, as_of: dt.date, block_bytes: int = BLOCK_BYTES,
                   workers: int = 1) -> Iterator[Registers]:
    """Yield Registers for successive blocks of rows of a REG.csv file (or binary stream)."""
    for regs, first_row in _pipeline(source, lambda buf, n: _parse(buf, n, as_of), workers, block_bytes):
        if len(regs):
            regs.row = regs.row + first_row
            yield regs


def _parse_date(text: bytes, row: int) -> dt.date:
    try:
        return dt.date.fromisoformat(text.decode("ascii"))
    except (ValueError, UnicodeDecodeError):
        raise _error(row, "start_date", f"{text[:20]!r} is not a date (YYYY-MM-DD)") from None


def _check_fields(upn: bytes, laestab: bytes, row: int) -> None:
    if not (len(upn) == 13 and all(UPN_OK[b] for b in upn)):
        raise _error(row, "upn", f"{upn[:20]!r} is not a UPN (13 capital letters and digits)")
    if not (len(laestab) == 7 and laestab.isdigit()):
        raise _error(row, "laestab", f"{laestab[:20]!r} is not a LAESTAB (7 digits)")


def _newlines(buf: np.ndarray) -> tuple[np.ndarray, int]:
    """Offsets of the newlines, and the OR of every byte of the block (>= 0x80: not ASCII)."""
    out = np.empty(len(buf) // 32 + 1024, np.int64)  # rows are longer than 32 bytes, as a rule
    found, ored = _regscan.scan_lines(buf, out)
    if found > len(out):
        out = np.empty(found, np.int64)
        found, ored = _regscan.scan_lines(buf, out)
    return out[:found], ored


def _parse_block(buf: np.ndarray, first_row: int, as_of: dt.date,
                 ascii_ok: bool = False) -> tuple[Registers, int]:
    ends, ored = _newlines(buf)
    if not ascii_ok and ored >= 0x80:
        at = int(np.argmax(buf >= 0x80))
        row = first_row + int(np.count_nonzero(buf[:at] == NEWLINE))
        raise _error(row, "marks" if buf[:at].tobytes().rsplit(b"\n", 1)[-1].count(b",") >= 3 else "row",
                     "contains a character that is not ASCII: UPNs, LAESTABs, dates and attendance "
                     "codes are all plain ASCII")
    n_lines = len(ends)
    starts = np.empty(n_lines, np.int64)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    row_no = first_row + np.arange(n_lines)
    ends = ends - ((ends > starts) & (buf[np.maximum(ends - 1, 0)] == CR))
    keep = ends > starts  # blank lines are skipped
    if not keep.all():
        starts, ends, row_no = starts[keep], ends[keep], row_no[keep]
    n = len(starts)
    if n == 0:
        return Registers(np.array([], "S13"), np.array([], "S7"), as_of, np.empty((0, 0), np.uint8)), n_lines

    # Fixed-width prefix: UPN(13),LAESTAB(7),YYYY-MM-DD, checked in bulk.
    long_enough = (ends - starts) > PREFIX
    if len(buf) <= PREFIX:
        buf = np.concatenate([buf, np.zeros(PREFIX + 1 - len(buf), np.uint8)])
    # Each row's first 33 bytes through a sliding window: one row copy each, no index matrix.
    window = np.lib.stride_tricks.as_strided(buf, shape=(len(buf) - PREFIX + 1, PREFIX),
                                             strides=(1, 1), writeable=False)
    prefix = window[np.where(long_enough, starts, 0)]
    fixed = long_enough & (prefix[:, 13] == COMMA) & (prefix[:, 21] == COMMA) & (prefix[:, 32] == COMMA)
    upn = prefix[:, :13].copy().view("S13").ravel()
    laestab = prefix[:, 14:21].copy().view("S7").ravel()
    # The whole block's UPNs, then LAESTABs, checked by a translation and a search in C; row by
    # row only when one holds a bad character.
    if b"\x01" in upn.tobytes().translate(UPN_BAD):
        fixed &= UPN_OK[prefix[:, :13]].all(axis=1)
    if b"\x01" in laestab.tobytes().translate(DIGIT_BAD):
        fixed &= ((prefix[:, 14:21] - 48) < 10).all(axis=1)
    date_text = prefix[:, 22:32].copy().view("S10").ravel()
    marks_start = starts + PREFIX

    slow = np.flatnonzero(~fixed)
    for k in slow.tolist():
        line = bytes(buf[starts[k]:ends[k]])
        fields = line.split(b",")
        if len(fields) != 4:
            raise _error(int(row_no[k]), "marks" if len(fields) > 4 else "row",
                         f"expected 4 fields (upn,laestab,start_date,marks), found {len(fields)}")
        fields = [f.strip().strip(b'"').strip() for f in fields]
        _check_fields(fields[0], fields[1], int(row_no[k]))
        upn[k], laestab[k], date_text[k] = fields[0], fields[1], fields[2]
        quote = line.rfind(b",") + 1
        marks_start[k] = starts[k] + quote + (buf[starts[k] + quote] == ord('"'))
        if buf[ends[k] - 1] == ord('"'):
            ends[k] -= 1

    # Dates as integers (sorting numbers is far cheaper than sorting strings): the year, month
    # and day digits read big-endian, which orders them as the dates. Their shape is checked for
    # the whole block by a translation and a comparison in C; when one is not of that shape, the
    # first such is found and parsed alone, for its message.
    text = date_text.tobytes()
    if text.translate(DATE_SHAPE) != b"dddd-dd-dd" * n:
        txt = date_text.view(np.uint8).reshape(n, 10).astype(np.int64) - 48
        shaped = ((txt[:, [0, 1, 2, 3, 5, 6, 8, 9]] >= 0) & (txt[:, [0, 1, 2, 3, 5, 6, 8, 9]] <= 9)).all(axis=1)
        shaped &= (txt[:, 4] == -3) & (txt[:, 7] == -3)  # "-" is 45, 48 - 3
        k = int(np.flatnonzero(~shaped)[0])
        _parse_date(bytes(date_text[k]), int(row_no[k]))
        raise _error(int(row_no[k]), "start_date", f"{bytes(date_text[k])!r} is not a date (YYYY-MM-DD)")

    def digits(at: int, size: int) -> np.ndarray:
        return np.ndarray((n,), f">u{size}", text, at, (10,)).astype(np.uint64)

    key = (digits(0, 4) << np.uint64(32)) | (digits(5, 2) << np.uint64(16)) | digits(8, 2)
    uniq, date_idx = np.unique(key, return_inverse=True)
    first_of = np.full(len(uniq), -1)
    first_of[date_idx[::-1]] = np.arange(n)[::-1]
    dates = [_parse_date(bytes(date_text[first_of[j]]), int(row_no[first_of[j]])) for j in range(len(uniq))]
    origin = min(dates)
    days = max(0, (as_of - origin).days + 1)
    cols = 2 * days
    off_by_date = np.array([2 * (d - origin).days for d in dates])
    off = off_by_date[date_idx]
    marks = np.empty((n, cols), np.uint8)
    want = np.clip(cols - off, 0, None)  # sessions wanted from each row, up to as-of
    switch = 2 * max(0, min(days, (C.REGIME_SWITCH - origin).days))  # first 2024-regime column
    odd = np.empty(n, np.int64)
    n_odd = _regscan.read_marks(buf, _int64(marks_start), _int64(ends), _int64(off), _int64(want),
                                marks, cols, VALID_PRE, VALID_POST, switch, PAIR, odd)
    odd = odd[:n_odd]
    # The rows the C loop doubted, token by token: an unknown token or a fifth field is named
    # here; then a known code of the wrong regime, by _check_codes.
    for k in odd.tolist():
        marks[k] = C.NO_SESSION_BYTE
        _read_exact(bytes(buf[marks_start[k]:ends[k]]), k, off, want, marks, row_no, upn, dates[date_idx[k]])
    if n_odd:
        _check_codes(marks[odd], origin, row_no[odd], upn[odd])
    # UPN and LAESTAB stay fixed-width bytes (S13, S7): decoding 250,000 of them would cost more
    # than screening; findings decode the few they name.
    return Registers(upn, laestab, origin, marks, row_no), n_lines


def _int64(values: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(values, np.int64)


TOKEN_BYTE = {code.encode(): C.encode(code) for code in [*C.CODES_2024, *C.CODES_PRE_2024, C.NO_SESSION]}


def _read_exact(text: bytes, k: int, off, want, marks, row_no, upn, start: dt.date) -> None:
    """One row, token by token: slow, for the odd row and for precise error messages."""
    if b"," in text:
        raise _error(int(row_no[k]), "marks", f"expected 4 fields (upn,laestab,start_date,marks), "
                                              f"found {text.count(b',') + 4}")
    w = int(want[k])
    tokens = text.split(b" ")[:w]
    out = bytearray(len(tokens))
    for j, token in enumerate(tokens):
        byte = TOKEN_BYTE.get(token)
        if byte is None:
            raise C.UnknownCodeError(code=token.decode("utf-8", "replace"), upn=_text(upn[k]),
                                     session_date=start + dt.timedelta(days=j // 2),
                                     session="AM" if j % 2 == 0 else "PM", row=int(row_no[k]))
        out[j] = byte
    o = int(off[k])
    marks[k, o:o + len(out)] = np.frombuffer(bytes(out), np.uint8)


def _text(value) -> str:
    return value.decode("ascii", "replace") if isinstance(value, bytes) else str(value)


def _check_codes(marks: np.ndarray, origin: dt.date, row_no, upn) -> None:
    """Every session must hold a code of its regime (chosen by the session's date)."""
    switch = max(0, min(marks.shape[1] // 2, (C.REGIME_SWITCH - origin).days))
    for pre, a, b in ((True, 0, switch), (False, switch, marks.shape[1] // 2)):
        if b <= a:
            continue
        pairs = np.ascontiguousarray(marks[:, 2 * a:2 * b]).view("<u2")
        table = VALID_DAY[pre]
        step = max(1, (1 << 20) // max(1, pairs.shape[1]))
        for r in range(0, pairs.shape[0], step):
            ok = table[pairs[r:r + step]]
            if not ok.all():
                i, d = np.argwhere(~ok)[0]
                i += r
                am, pm = marks[i, 2 * (a + d)], marks[i, 2 * (a + d) + 1]
                valid = np.frombuffer(C.valid_table(pre_2024=pre), np.uint8)
                session = "AM" if not valid[am] else "PM"
                raise C.UnknownCodeError(
                    code=C.decode(int(am if session == "AM" else pm)), upn=_text(upn[i]),
                    session_date=origin + dt.timedelta(days=int(a + d)), session=session,
                    row=int(row_no[i]))


def write_findings(findings, out: str | Path) -> None:
    """Write upn,laestab,rule,detail. Written to a temporary name and renamed, so a failed run
    leaves no output file."""
    out = Path(out)
    tmp = out.with_name(out.name + ".part")
    lines = [OUT_HEADER]
    lines.extend(f"{f.upn},{f.laestab},{f.rule},{csv_field(f.detail)}" for f in findings)
    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("\n".join(lines))
        fh.write("\n")
    tmp.replace(out)


def to_csv_bytes(rows: list[tuple[str, str, dt.date, list[str]]]) -> bytes:
    """REG.csv text from (upn, laestab, start_date, codes): for tests and small exports."""
    out = io.BytesIO()
    out.write(HEADER + b"\n")
    for upn, laestab, start, sessions in rows:
        out.write(f"{upn},{laestab},{start.isoformat()},{' '.join(sessions)}\n".encode())
    return out.getvalue()


def screen_file(registers: str | Path | BinaryIO, as_of: dt.date, out: str | Path,
                rules=None, block_bytes: int = BLOCK_BYTES, workers: int = 2, processes: int = 1) -> dict:
    """The batch contract: REG.csv in, upn,laestab,rule,detail out.

    Streams: the input is read in blocks, two blocks are parsed and screened at a time on two
    threads (`workers`), and findings are written in file order as blocks finish, so memory
    stays bounded whatever the file's size (a national file of 9 million pupils included).
    Providers' rows come last. Written to OUT.part and renamed at the end: on any error the
    partial file is removed and nothing is left at OUT.

    `processes=2` (a file, not a stream; POSIX): the second half of the file is screened at the
    same time by a forked copy of this process, whose findings follow the first half's. Much of
    the screen holds Python's lock (building the findings, the odd rows read one by one), so two
    threads of one process overlap little and two processes overlap fully. The first error in
    file order is the one raised, its row counted from the start of the file, as in one process.
    For a plain program such as `cme screen`: a process that holds a database connection or
    threads of its own should not fork."""
    from cme.attendance import screening as S

    rules = rules or S.load_rules()
    table = S.day_flag_table(rules)
    out = Path(out)
    tmp = out.with_name(out.name + ".part")
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(OUT_HEADER + "\n")
            if processes > 1 and isinstance(registers, str | Path) and hasattr(os, "fork"):
                pupils, findings, latest = _screen_halves(registers, as_of, rules, table, fh, block_bytes, workers)
            else:
                pupils, findings, latest = _screen_blocks(
                    _pipeline(registers, _screen_work(as_of, rules, table), workers, block_bytes), fh)
            provider_rows = S.provider_findings(latest, as_of, rules)
            _write_rows(fh, provider_rows)
            findings += len(provider_rows)
        tmp.replace(out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return {"pupils": pupils, "providers": len(latest), "findings": findings}


def _screen_work(as_of: dt.date, rules, table):
    from cme.attendance import screening as S

    def work(buf: bytearray, length: int):
        regs, lines = _parse(buf, length, as_of)
        result = S.screen_pupils(regs, as_of, rules, table=table, with_evidence=False, rows=True)
        return (result, len(regs)), lines

    return work


def _screen_blocks(results, fh) -> tuple[int, int, dict]:
    """Write the findings of each screened block, in order: (pupils, findings, latest marked day
    per provider)."""
    from cme.attendance import screening as S

    latest: dict = {}
    pupils = findings = 0
    for (result, n), _ in results:
        if result.rows:
            fh.write("\n".join(result.rows))
            fh.write("\n")
        S.merge_latest(latest, result.latest_marked)
        pupils += n
        findings += len(result.rows)
    return pupils, findings, latest


SPLIT_MIN_BYTES = 1 << 20


def _screen_halves(path: str | Path, as_of: dt.date, rules, table, fh, block_bytes: int,
                   workers: int) -> tuple[int, int, dict]:
    """Screen the first half of the file here and the second in a forked child at the same time;
    the child's findings are appended after this half's (see screen_file)."""
    import pickle

    from cme.attendance import screening as S

    work = _screen_work(as_of, rules, table)
    answer: tuple[Any, ...]  # the child's: ("ok", pupils, findings, latest) or an error's parts
    with open(path, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):  # a named pipe, say: read as a stream
            return _screen_blocks(_pipeline(f, work, workers, block_bytes), fh)
        _check_header(f)
        body = f.tell()
        size = os.fstat(f.fileno()).st_size
        split = size
        if size - body >= max(SPLIT_MIN_BYTES, 2 * block_bytes):
            f.seek(body + (size - body) // 2)
            line = f.readline()  # to the end of the line that holds the middle
            if line.endswith(b"\n"):
                split = f.tell()
        if split >= size:
            f.seek(body)
            return _screen_blocks(_pipeline(f, work, workers, block_bytes, header=False), fh)
        # Both halves read the file mapped into memory (the child inherits the mapping).
        mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        child_out = Path(fh.name + "2")
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: the second half, findings to OUT.part2, the rest through the pipe
            status = 1
            try:
                os.close(read_end)
                try:
                    with open(child_out, "w", encoding="utf-8", newline="\n") as cfh:
                        answer = ("ok", *_screen_blocks(
                            _pipeline(_Span(mapped, split, size), work, 1, block_bytes, first_row=1), cfh))
                except RegisterFileError as e:
                    answer = ("file", e.row, e.field, e.detail)
                except C.UnknownCodeError as e:
                    answer = ("code", e.code, e.upn, e.session_date, e.session, e.row)
                except Exception as e:  # carried to the parent, which raises it
                    answer = ("other", f"{type(e).__name__}: {e}")
                with os.fdopen(write_end, "wb") as pipe:
                    pickle.dump(answer, pipe)
                status = 0
            finally:
                os._exit(status)
        os.close(write_end)
        try:
            rows: dict = {}
            pupils, findings, latest = _screen_blocks(
                _pipeline(_Span(mapped, body, split), work, 1, block_bytes, rows=rows), fh)
            with os.fdopen(read_end, "rb") as pipe:
                sent = pipe.read()
            read_end = -1
            os.waitpid(pid, 0)
            pid = 0
            died: tuple[Any, ...] = ("other", "the second half's process died")
            answer = pickle.loads(sent) if sent else died  # noqa: S301 (our own child's)
            shift = rows["next"] - 1
            if answer[0] == "file":
                raise RegisterFileError(answer[1] + shift, answer[2], answer[3])
            if answer[0] == "code":
                raise C.UnknownCodeError(code=answer[1], upn=answer[2], session_date=answer[3],
                                         session=answer[4], row=None if answer[5] is None else answer[5] + shift)
            if answer[0] != "ok":
                raise RuntimeError(f"screening the second half of {path}: {answer[1]}")
            fh.flush()
            with open(child_out, "rb") as part:
                shutil.copyfileobj(part, fh.buffer, 1 << 20)
            S.merge_latest(latest, answer[3])
            return pupils + answer[1], findings + answer[2], latest
        finally:
            if pid:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            if read_end >= 0:
                os.close(read_end)
            child_out.unlink(missing_ok=True)


def _write_rows(fh, findings) -> None:
    if findings:
        # Few distinct details (most pupils share the window): each quoted once.
        field = {d: csv_field(d) for d in {f.detail for f in findings}}
        fh.write("\n".join([f"{f.upn},{f.laestab},{f.rule},{field[f.detail]}" for f in findings]))
        fh.write("\n")
