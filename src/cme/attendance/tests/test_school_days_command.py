"""`cme school-days add` and `between`, on the demo calendar or another, with no database."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def cme(*args):
    out = io.StringIO()
    call_command("school-days", *args, stdout=out)
    return out.getvalue().strip()


def test_add_and_between_undo_each_other():
    assert cme("add", "2026-02-06", "10") == "2026-02-27"
    assert cme("between", "2026-02-06", "2026-02-27") == "10"


def test_provider_calendar():
    # The academy's October half-term is a week earlier than the LA's.
    assert cme("add", "2025-10-17", "1") == "2025-10-20"
    assert cme("add", "2025-10-17", "1", "--provider", "9014001") == "2025-10-27"


def test_calendar_from_a_file(tmp_path):
    path = tmp_path / "terms.csv"
    path.write_text("scope,kind,start,end,name\n902,term,2025-09-01,2026-07-20,Year\n")
    assert cme("add", "2025-09-05", "1", "--calendar", str(path)) == "2025-09-08"


def test_errors_name_the_field():
    with pytest.raises(CommandError, match="n: 'ten' is not a whole number"):
        cme("add", "2026-02-06", "ten")
    with pytest.raises(CommandError, match="date: '6/2/2026' is not a date"):
        cme("add", "6/2/2026", "1")
    with pytest.raises(CommandError, match="outside the calendar"):
        cme("between", "2026-02-06", "2031-01-01")
