"""Reading REG.csv: layouts it accepts, and bad input refused with the row and field named."""

import datetime as dt
import io

import pytest

from cme.attendance import codes as C
from cme.attendance import regfile
from cme.attendance.regfile import RegisterFileError, read_registers
from cme.attendance.screening import concat

AS_OF = dt.date(2025, 9, 7)
HEADER = "upn,laestab,start_date,marks\n"


def read(text: str | bytes, as_of=AS_OF):
    data = text.encode() if isinstance(text, str) else text
    return concat(list(read_registers(io.BytesIO(data), as_of)))


def decoded(regs, i=0):
    return [C.decode(b) for b in regs.marks[i]]


def test_two_character_codes_fold_into_one_byte_each():
    regs = read(HEADER + "A901100000001,9011001,2025-09-01,/ C2 Y1 \\ J1 C1 - -\n")
    assert decoded(regs)[:8] == ["/", "C2", "Y1", "\\", "J1", "C1", "-", "-"]
    assert regs.marks[0, 1] == 0x82


def test_later_start_dates_line_up_on_one_grid():
    regs = read(HEADER + "A901100000001,9011001,2025-09-01,/ \\ / \\\n"
                         "A901100000002,9011001,2025-09-02,N N\n")
    assert regs.origin == dt.date(2025, 9, 1)
    assert decoded(regs, 1)[:4] == ["-", "-", "N", "N"]


def test_windows_line_ends_quotes_and_a_missing_final_newline():
    regs = read((HEADER.replace("\n", "\r\n") + "A901100000001,9011001,2025-09-01,/ \\\r\n"
                 '"A901100000002","9011001","2025-09-01","N O"').encode())
    assert decoded(regs, 0)[:2] == ["/", "\\"]
    assert decoded(regs, 1)[:2] == ["N", "O"]


def test_marks_after_as_of_are_not_read_or_checked():
    regs = read(HEADER + "A901100000001,9011001,2025-09-06,- - - - ?? !!\n")
    assert regs.marks.shape == (1, 4)


def test_regime_follows_the_session_date():
    text = HEADER + "A901100000001,9011001,2024-08-16,H H - - - - C2 C2\n"
    assert decoded(read(text, dt.date(2024, 8, 19)))[-2:] == ["C2", "C2"]
    with pytest.raises(C.UnknownCodeError, match="'H' for pupil A901100000001 on 2024-08-19 AM"):
        read(HEADER + "A901100000001,9011001,2024-08-19,H H\n", dt.date(2024, 8, 20))
    with pytest.raises(C.UnknownCodeError, match="'C2' for pupil A901100000001 on 2024-08-16 PM"):
        read(HEADER + "A901100000001,9011001,2024-08-16,/ C2\n", dt.date(2024, 8, 20))


def test_unknown_code_names_row_pupil_date_and_session():
    with pytest.raises(C.UnknownCodeError) as err:
        read(HEADER + "A901100000001,9011001,2025-09-01,/ \\\n"
                      "A901100000002,9011001,2025-09-01,/ \\ / Q7\n")
    assert str(err.value) == ("row 3, field marks: unknown attendance code 'Q7' for pupil "
                              "A901100000002 on 2025-09-02 PM (codes from 19 August 2024)")


def test_unknown_one_character_code_in_an_ordinary_row():
    with pytest.raises(C.UnknownCodeError, match=r"row 2, .*'A' for pupil A901100000001 on 2025-09-01 PM"):
        read(HEADER + "A901100000001,9011001,2025-09-01,/ A\n")


def test_doubled_space_is_an_empty_code():
    with pytest.raises(C.UnknownCodeError, match="row 2, field marks: unknown attendance code ''"):
        read(HEADER + "A901100000001,9011001,2025-09-01,/  \\ /\n")


@pytest.mark.parametrize(("line", "message"), [
    ("A901100000001,901100,2025-09-01,/ \\", "row 2, field laestab"),
    ("A90110000001,9011001,2025-09-01,/ \\", "row 2, field upn"),
    ("A901100000001,9011001,2025-13-01,/ \\", "row 2, field start_date"),
    ("A901100000001,9011001,/ \\", "row 2, field row: expected 4 fields"),
    ("A901100000001,9011001,2025-09-01,/ \\,extra", "row 2, field marks: expected 4 fields"),
    ("A901100000001,9011001,2025-09-01,/ é", "row 2, field marks: contains a character that is not ASCII"),
])
def test_bad_rows_name_the_row_and_field(line, message):
    with pytest.raises(RegisterFileError, match=message):
        read(HEADER + line + "\n")


@pytest.mark.parametrize(("bad", "message"), [
    ("A901100000031,9011001,2025/09/01,/ \\", "row 31, field start_date: b'2025/09/01' is not a date (YYYY-MM-DD)"),
    ("A901100000031,9011001,2025-09-1 ,/ \\", "row 31, field start_date: b'2025-09-1 ' is not a date (YYYY-MM-DD)"),
    ("A901100000031,9011001,2025-9-01,/ \\", "row 31, field start_date: b'2025-9-01' is not a date (YYYY-MM-DD)"),
    ("A901100000031,9011001,2025-13-01,/ \\", "row 31, field start_date: b'2025-13-01' is not a date (YYYY-MM-DD)"),
    ("a901100000031,9011001,2025-09-01,/ \\",
     "row 31, field upn: b'a901100000031' is not a UPN (13 capital letters and digits)"),
    ("A901100000031,901100X,2025-09-01,/ \\", "row 31, field laestab: b'901100X' is not a LAESTAB (7 digits)"),
])
def test_a_bad_field_among_good_rows_is_named_as_ever(bad, message):
    # UPNs, LAESTABs and dates are checked for a whole block at once; a bad one is then found
    # row by row, for the same message as a row read alone.
    good = [f"A9011000000{i:02d},9011001,2025-09-01,/ \\" for i in range(2, 60)]
    with pytest.raises(RegisterFileError) as err:
        read(HEADER + "\n".join([*good[:29], bad, *good[30:]]) + "\n")
    assert str(err.value) == message


def test_wrong_header_is_row_1():
    with pytest.raises(RegisterFileError, match="row 1, field header"):
        read("pupil,school,date,marks\n")


def test_blank_lines_are_skipped_but_still_counted():
    with pytest.raises(C.UnknownCodeError, match="row 4,"):
        read(HEADER + "A901100000001,9011001,2025-09-01,/ \\\n\nA901100000002,9011001,2025-09-01,/ ?\n")


def test_findings_file_quotes_only_when_needed(tmp_path):
    from cme.attendance.screening import Finding
    out = tmp_path / "out.csv"
    regfile.write_findings([Finding("", "9011001", "registers_missing", 'a, "b"', {})], out)
    assert out.read_text() == 'upn,laestab,rule,detail\n,9011001,registers_missing,"a, ""b"""\n'


def test_error_in_a_later_block_names_the_row_in_the_file(tmp_path):
    good = "A901100000001,9011001,2025-09-01,/ \\ / \\\n"
    text = HEADER + good * 500 + "A901100000002,9011001,2025-09-01,/ ?\n" + good * 50
    path = tmp_path / "reg.csv"
    path.write_text(text)
    for workers in (1, 2):
        with pytest.raises(C.UnknownCodeError, match="row 502, field marks: unknown attendance code '\\?'"):
            regfile.screen_file(path, AS_OF, tmp_path / "out.csv", block_bytes=4096, workers=workers)
        assert not (tmp_path / "out.csv").exists()


def _mixed_registers(pupils: int) -> str:
    """Rows of several shapes: regular, absent for weeks, two-character codes, later starters."""
    rows = []
    for i in range(pupils):
        upn, laestab = f"A90110{i:07d}", f"90110{i % 7:02d}"
        if i % 11 == 0:
            rows.append(f"{upn},{laestab},2025-09-01,{' '.join(['N'] * 120)}")
        elif i % 13 == 0:
            rows.append(f"{upn},{laestab},2025-09-01,{' '.join(['/', 'C2'] * 60)}")
        elif i % 17 == 0:
            rows.append(f"{upn},{laestab},2025-09-15,{' '.join(['/', 'O'] * 40)}")
        else:
            rows.append(f"{upn},{laestab},2025-09-01,{' '.join(['/', '\\'] * 60)}")
    return HEADER + "\n".join(rows) + "\n"


# The test process has threads of its own (the child only reads and writes files, then exits).
FORK_IN_TESTS = pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")


@FORK_IN_TESTS
def test_two_processes_write_the_findings_of_one(tmp_path, monkeypatch):
    monkeypatch.setattr(regfile, "SPLIT_MIN_BYTES", 0)
    path = tmp_path / "reg.csv"
    path.write_text(_mixed_registers(600))
    as_of = dt.date(2025, 10, 31)
    one = regfile.screen_file(path, as_of, tmp_path / "one.csv", block_bytes=4096, processes=1)
    two = regfile.screen_file(path, as_of, tmp_path / "two.csv", block_bytes=4096, processes=2)
    assert one == two and one["findings"] > 50
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "two.csv").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.csv", "reg.csv", "two.csv"]


@FORK_IN_TESTS
@pytest.mark.parametrize(("bad", "message"), [
    ("A901100000999,9011001,2025-09-01,/ ?", "row 552, field marks: unknown attendance code '\\?'"),
    ("A9011000009,9011001,2025-09-01,/ /", "row 552, field upn"),
    ("A901100000999,9011001,2025-09-01,/ /,x,/", "row 552, field marks: expected 4 fields"),
])
def test_an_error_in_the_second_process_half_names_the_row_in_the_file(tmp_path, monkeypatch, bad, message):
    monkeypatch.setattr(regfile, "SPLIT_MIN_BYTES", 0)
    lines = _mixed_registers(600).splitlines()
    lines[300] = ""  # a blank line in the first half is still counted
    lines[551] = bad
    path = tmp_path / "reg.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises((C.UnknownCodeError, RegisterFileError), match=message):
        regfile.screen_file(path, dt.date(2025, 10, 31), tmp_path / "out.csv", block_bytes=4096, processes=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reg.csv"]


def test_a_named_pipe_is_read_as_a_stream_not_split(tmp_path):
    import os
    import threading

    text = _mixed_registers(200)
    fifo = tmp_path / "reg.fifo"
    os.mkfifo(fifo)
    writer = threading.Thread(target=fifo.write_text, args=(text,))
    writer.start()
    regfile.screen_file(fifo, dt.date(2025, 10, 31), tmp_path / "piped.csv", processes=2)
    writer.join()
    (tmp_path / "reg.csv").write_text(text)
    regfile.screen_file(tmp_path / "reg.csv", dt.date(2025, 10, 31), tmp_path / "file.csv", processes=1)
    assert (tmp_path / "piped.csv").read_bytes() == (tmp_path / "file.csv").read_bytes()


def test_a_fifth_field_is_refused_even_after_the_as_of_date():
    # Marks after as-of are not read, but a comma there still means the row has five fields.
    row = "A901100000001,9011001,2025-09-01," + " ".join(["/", "\\"] * 7) + " /,x\n"
    with pytest.raises(RegisterFileError, match="row 2, field marks: expected 4 fields"):
        read(HEADER + row, as_of=dt.date(2025, 9, 3))


def test_a_block_of_blank_lines_is_read_and_counted():
    # Far more line ends than a block of rows holds (the line-end scan is asked again, larger).
    good = "A901100000001,9011001,2025-09-01,/ \\\n"
    regs = read(HEADER + good + "\n" * 50_000 + good.replace("001,", "002,", 1))
    assert list(regs.row) == [2, 50_003]


@pytest.mark.parametrize("days_before", range(1, 7))
def test_regimes_change_mid_row_wherever_the_fast_run_stands(days_before):
    # Rows starting 1-6 days before 19 August 2024: the run of codes read eight at a time meets
    # the switch at each of its places. K (2024 only) after it, H (pre-2024 only) before.
    start = dt.date(2024, 8, 19) - dt.timedelta(days=days_before)
    before = 2 * (dt.date(2024, 8, 19) - start).days
    sessions = ["H"] * before + ["K"] * 24
    row = f"A901100000001,9011001,{start.isoformat()},{' '.join(sessions)}\n"
    regs = read(HEADER + row, as_of=dt.date(2024, 9, 30))
    assert decoded(regs)[:len(sessions)] == sessions
    swapped = ["K"] * before + ["H"] * 24
    with pytest.raises(C.UnknownCodeError, match="unknown attendance code 'K'"):
        read(HEADER + f"A901100000001,9011001,{start.isoformat()},{' '.join(swapped)}\n",
             as_of=dt.date(2024, 9, 30))
