"""The register reader's C loops (_regscan.c) against its Python reading of one row at a time
(hypothesis): for rows of codes of both regimes, two-character codes, unknown tokens, stray
spaces and commas, around the 2024 regime switch and cut anywhere by as-of, the marks are the
same, or the same error names the same row."""

import datetime as dt
import io

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cme.attendance import codes as C
from cme.attendance import regfile
from cme.attendance.screening import concat
from cme.testing.hostile import FUZZ

# Codes of one regime or both, and tokens that are never codes.
CODES = ["/", "\\", "N", "G", "-", "#", "H", "F", "K", "Q", "C", "C1", "C2", "Y1", "Y7", "J1"]
NOT_CODES = ["ZZ", "x", "C22", "", "c2", "?", ",", "\t", "CC"]
SWITCH = C.REGIME_SWITCH

rows = st.lists(
    st.tuples(st.integers(-6, 4),  # start: days from the regime switch
              st.lists(st.sampled_from(CODES), min_size=0, max_size=40),
              # now and then one token that is no code, somewhere in the row
              st.one_of(st.none(), st.none(), st.tuples(st.integers(0, 40), st.sampled_from(NOT_CODES))),
              st.booleans()),  # a space at the end of the row
    min_size=1, max_size=6)


def python_reading(data: list[tuple[dt.date, str]], as_of: dt.date):
    """Each row read by the reader's own slow path alone (`_read_exact`, then `_check_codes`
    over those rows), in the order the reader raises: a row's fault first, then a code of the
    wrong regime."""
    origin = min(start for start, _ in data)
    days = max(0, (as_of - origin).days + 1)
    n = len(data)
    marks = np.full((n, 2 * days), C.NO_SESSION_BYTE, np.uint8)
    off = np.array([2 * (start - origin).days for start, _ in data])
    want = np.clip(2 * days - off, 0, None)
    row_no = np.arange(2, n + 2)
    upn = np.array([f"A9011000000{i:02d}".encode() for i in range(n)], "S13")
    for k, (start, text) in enumerate(data):
        regfile._read_exact(text.encode(), k, off, want, marks, row_no, upn, start)
    regfile._check_codes(marks, origin, row_no, upn)
    return marks


@FUZZ
@given(rows=rows, cut=st.integers(-4, 30))
def test_fast_path_reads_as_the_slow_path(rows, cut):
    as_of = SWITCH + dt.timedelta(days=cut)
    data = []
    for d, tokens, odd, space in rows:
        if odd:
            tokens = [*tokens[:odd[0]], odd[1], *tokens[odd[0]:]]
        data.append((SWITCH + dt.timedelta(days=d), " ".join(tokens) + (" " if space else "")))
    text = "upn,laestab,start_date,marks\n" + "".join(
        f"A9011000000{i:02d},9011001,{start.isoformat()},{marks}\n" for i, (start, marks) in enumerate(data))
    try:
        expected = python_reading(data, as_of)
    except (regfile.RegisterFileError, C.UnknownCodeError) as e:
        with pytest.raises(type(e)) as got:
            concat(list(regfile.read_registers(io.BytesIO(text.encode()), as_of)))
        assert str(got.value) == str(e)
        return
    regs = concat(list(regfile.read_registers(io.BytesIO(text.encode()), as_of)))
    assert regs.marks.shape == expected.shape
    assert (regs.marks == expected).all()
