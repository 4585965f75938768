"""ENROL.csv is read a column at a time (a year's file in seconds) with the records the row reader
makes; anything out of the ordinary is read again row by row, so a bad row is refused with the row
reader's own message, naming the row and field, wherever it is in the file."""

import pytest

from cme.matching.batch import InputError
from cme.tracking import batch
from cme.tracking.tests.test_reconcile_command import HEADER


def _row_by_row(text: str) -> list:
    return [batch.enrolment_from_row("ENROL.csv", number, row)
            for number, row in batch._rows(text, "ENROL.csv", batch.ENROL_COLUMNS)]


def _pupils(n: int) -> list[str]:
    return [f"A9011{k:08d},Pupil{k},,Other{k},,2013-0{1 + k % 9}-1{k % 10},{'MF'[k % 2]},NM9 {k}ZZ,"
            f"\"{k} High St, Northmoor\",9013003,2021-09-01,{'2025-01-17,g,' if k % 3 else ',,'}" for k in range(n)]


# What a council's export holds and the row reader takes: a byte-order mark, Windows line ends, blank
# lines, spaces around values, sex and grounds in either case, an address quoted over two lines.
ODD = ("\ufeff" + HEADER + "\r\n"
       + "A901100000001, Olivia ,Mae, Hartley ,,2014-03-12,f,NM1 2AB,\"12 Mill Lane,\nNorthmoor\","
         "9011001, 2022-09-05,2025-01-17,G, 9074001 \r\n"
       + "\r\n"
       + ",Jack,,Burton,Smith,,M,,,9012002,2025-01-20,,,\r\n"
       + "\n".join(_pupils(30)) + "\n")


def test_the_fast_reader_makes_the_row_readers_records_of_an_odd_but_good_file():
    fast = batch._plain_enrolments(ODD)
    assert fast is not None  # read fast, not handed to the row reader
    assert fast == _row_by_row(ODD)
    assert batch.read_enrolments(ODD) == fast
    # Numbered as the row reader numbers them: csv.DictReader does not count a blank line.
    assert [e.person.id for e in fast[:2]] == ["enrolment-2", "enrolment-3"]


@pytest.mark.parametrize("row", [
    # Fewer values than columns: the row reader takes the rest as empty.
    "A901100000001,Olivia,,Hartley,,2014-03-12,F,NM1 2AB,12 Mill Lane,9011001,2022-09-05",
    # Digits of another script in a date of birth, which the row reader reads.
    "A901100000001,Olivia,,Hartley,,\uff12\uff10\uff11\uff14-\uff10\uff13-\uff11\uff12,F,NM1 2AB,12 Mill Lane,9011001,2022-09-05,,,",
])
def test_what_the_fast_reader_leaves_to_the_row_reader_reads_as_before(row):
    text = "\n".join([HEADER, *_pupils(20), row]) + "\n"
    assert batch._plain_enrolments(text) is None
    assert batch.read_enrolments(text) == _row_by_row(text)


@pytest.mark.parametrize(("row", "where"), [
    ("A901100000001,Olivia,,Hartley,,2014-02-30,F,,,9011001,2022-09-05,,,", "row 42, field dob"),
    ("A901100000001,Olivia,,Hartley,,2014-02-01,X,,,9011001,2022-09-05,,,", "row 42, field sex"),
    ("A901100000001,Olivia,,Hartley,,2014-02-01,F,,,901100,2022-09-05,,,", "row 42, field laestab"),
    ("A901100000001,Olivia,,Hartley,,2014-02-01,F,,,9011001,2022-09-05,2025-01-01,z,", "row 42, field leaving_ground"),
    ("A901100000001,Olivia,,Hartley,,2014-02-01,F,,,9011001,2022-09-05,,g,", "row 42, field leaving_ground"),
    ("A901100000001,Olivia,,Hartley,,2014-02-01,F,,,9011001,2022-09-05,2021-01-01,g,", "row 42, field leaving_date"),
    ("A901100000001,Olivia,,Hartley,,2014-02-01,F,,,9011001,2022-09-05,2025-13-01,g,", "row 42, field leaving_date"),
    ("A901100000001,Olivia,,Hartley,,2014-02-01,F,,,9011001,,,,", "row 42, field entry_date"),
    ("A901100000001,Olivia,,Hartley,,2014-02-01,F,,,9011001,2022-09-05,2025-01-01,g,XXXX", "row 42, field destination"),
    ("A901100000001,Olivia,,Hartley,,2014-02-01,F,,,9011001,2022-09-05,,,,", "row 42: more values than columns"),
])
def test_a_bad_row_among_good_ones_gets_the_row_readers_message(row, where):
    text = "\n".join([HEADER, *_pupils(40), row, *_pupils(5)]) + "\n"
    with pytest.raises(InputError) as row_by_row:
        _row_by_row(text)
    with pytest.raises(InputError) as read:
        batch.read_enrolments(text)
    assert str(read.value) == str(row_by_row.value)
    assert str(read.value).startswith(f"ENROL.csv {where}")
