"""A plain reading of a register file (REG.csv) with pyarrow's CSV reader and numpy: the floor
that `cme screen` is measured against (issue 15, point 6; bench/screening.py runs both).

    .venv/bin/python bench/plain_reading.py REG.csv

Reads every column as text with pyarrow's multi-threaded reader, then turns the marks into one
byte per session with numpy (each one-character code is the byte before a space, so the marks'
bytes taken two at a time), and prints the number of pupils and of sessions. It checks nothing,
screens nothing and writes nothing: what any reading of the file costs at least.
"""

import sys

import numpy as np
import pyarrow as pa
import pyarrow.csv as pv


def read(path: str) -> tuple[int, int]:
    table = pv.read_csv(path, convert_options=pv.ConvertOptions(
        column_types={c: pa.string() for c in ("upn", "laestab", "start_date", "marks")}))
    sessions = 0
    for chunk in table.column("marks").chunks:
        data = np.frombuffer(chunk.buffers()[2], dtype=np.uint8)
        sessions += int(np.count_nonzero(data[::2] != 32))
    return table.num_rows, sessions


if __name__ == "__main__":
    pupils, sessions = read(sys.argv[1])
    print(f"{pupils} pupils, {sessions} sessions")
