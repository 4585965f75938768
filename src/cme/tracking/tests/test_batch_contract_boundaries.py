"""`cme reconcile` read literally (issue 11, point 4): the edges of each status rule (dates on
and either side of the as-of date and the leaving date, another provider, the order of the
statuses), a twin joining another school alone, and bad input in EHE.csv and TERMS.csv refused
with file, row and field, nothing written."""

import pytest
from django.core.management import CommandError

from cme.tracking.tests.test_reconcile_command import AS_OF, EHE_HEADER, _run, _terms

# AS_OF is Friday 28 March 2025 (spring term of the demo calendar).
OLIVIA = "A901100000001,Olivia,,Hartley,,2014-03-12,F,NM1 2AB,12 Mill Lane,9011001,2022-09-05,2025-01-17,{g},{d}"
KEY = ("A901100000001", "9011001", "2025-01-17")


def _olivia(ground="g", destination=""):
    return OLIVIA.format(g=ground, d=destination)


def _elsewhere(entry, leaving="", laestab="9012002", upn="A901100000001"):
    return f"{upn},Olivia,,Hartley,,2014-03-12,F,NM1 2AB,12 Mill Lane,{laestab},{entry},{leaving},,"


def _status(tmp_path, rows, ehe=None):
    out = _run(tmp_path, rows, ehe)
    return out[KEY]["status"], out[KEY]["found_at"], out[KEY]["school_days"]


def test_an_enrolment_elsewhere_from_the_as_of_date_counts_and_one_from_the_day_after_does_not(tmp_path):
    assert _status(tmp_path, [_olivia(), _elsewhere(AS_OF)]) == ("on_roll", "9012002", "")
    status, found_at, days = _status(tmp_path, [_olivia(), _elsewhere("2025-03-31")])
    assert (status, found_at) == ("unreconciled", "") and days.isdigit()


def test_an_enrolment_elsewhere_that_ended_on_the_leaving_date_is_not_where_the_child_is(tmp_path):
    assert _status(tmp_path, [_olivia(), _elsewhere("2024-09-04", "2025-01-17")])[0] == "unreconciled"
    assert _status(tmp_path, [_olivia(), _elsewhere("2024-09-04", "2025-01-18")])[0] == "on_roll"


def test_another_stay_at_the_same_provider_is_not_another_roll(tmp_path):
    assert _status(tmp_path, [_olivia(), _elsewhere("2025-02-03", laestab="9011001")])[0] == "unreconciled"


def test_home_education_from_the_as_of_date_counts_and_from_the_day_after_does_not(tmp_path):
    ehe = "h1,,Olivia,,Hartley,,2014-03-12,F,NM1 2AB,12 Mill Lane,{start}"
    assert _status(tmp_path, [_olivia("f")], [ehe.format(start=AS_OF)]) == ("home_education", "", "")
    assert _status(tmp_path, [_olivia("f")], [ehe.format(start="2025-03-31")])[0] == "unreconciled"


def test_the_first_status_that_applies_wins(tmp_path):
    ehe = ["h1,,Olivia,,Hartley,,2014-03-12,F,NM1 2AB,12 Mill Lane,2025-01-20"]
    # exempt before on roll; on roll before home education and before transferred out
    assert _status(tmp_path, [_olivia("k"), _elsewhere("2025-01-20")], ehe)[0] == "exempt"
    assert _status(tmp_path, [_olivia("a", "8881234"), _elsewhere("2025-01-20")], ehe)[:2] == ("on_roll", "9012002")
    assert _status(tmp_path, [_olivia("g", "8881234")], ehe)[0] == "home_education"


@pytest.mark.parametrize(("ground", "destination", "status"), [
    ("a", "8881234", "transferred_out"),
    ("g", "8881234", "transferred_out"),
    ("a", "9015005", "unreconciled"),  # a school of this LA, but the child is not on its roll
    ("c", "8881234", "unreconciled"),  # only grounds (a) and (g) are transfers
    ("g", "", "unreconciled"),
    ("", "", "unreconciled"),  # no ground returned
    ("b", "", "exempt"),
    ("l", "", "exempt"),
])
def test_transfers_out_and_exemptions_by_ground(tmp_path, ground, destination, status):
    got, found_at, days = _status(tmp_path, [_olivia(ground, destination)])
    assert got == status
    assert found_at == (destination if status == "transferred_out" else "")
    assert (days != "") == (status == "unreconciled")


def test_school_days_count_after_the_leaving_date_up_to_the_as_of_date(tmp_path):
    # Left on Thursday 27 March 2025: Friday 28 March is the one school day since.
    row = "A901100000005,Ella,,Burton,,2015-05-05,F,NM9 4QR,17 Orchard Way,9011001,2021-09-01,2025-03-27,g,"
    assert _run(tmp_path, [row])[("A901100000005", "9011001", "2025-03-27")]["school_days"] == "1"


def test_an_enrolment_ending_after_the_as_of_date_is_not_reported(tmp_path):
    row = "A901100000005,Ella,,Burton,,2015-05-05,F,NM9 4QR,17 Orchard Way,9011001,2021-09-01,2025-03-31,g,"
    assert _run(tmp_path, [_olivia(), row]).keys() == {KEY}


def test_a_child_with_no_upn_at_either_school_is_found_by_matching(tmp_path):
    rows = [",Zofia,,Kowalska,,2015-01-30,F,NM1 6HW,88 Station Road,9011001,2019-09-04,2025-02-07,g,",
            ",Zofia,,Kowalski,,2015-01-30,F,NM1 6HW,88 Station Road,9012002,2025-02-24,,,"]
    out = _run(tmp_path, rows)
    assert (out[("", "9011001", "2025-02-07")]["status"], out[("", "9011001", "2025-02-07")]["found_at"]) == (
        "on_roll", "9012002")


def test_a_twin_who_joins_another_school_alone_is_not_the_twin_who_is_missing(tmp_path):
    rows = [
        "A901100000051,Ella,,Burton,,2015-05-05,F,NM9 4QR,17 Orchard Way,9011001,2021-09-01,2025-02-07,g,",
        "A901100000052,Emma,,Burton,,2015-05-05,F,NM9 4QR,17 Orchard Way,9011001,2021-09-01,2025-02-07,g,",
        "A907300000052,Emma,,Burton,,2015-05-05,F,NM9 4QR,17 Orchard Way,9012002,2025-02-24,,,",
    ]
    out = _run(tmp_path, rows)
    assert out[("A901100000052", "9011001", "2025-02-07")]["status"] == "on_roll"
    assert out[("A901100000051", "9011001", "2025-02-07")]["status"] == "unreconciled"


@pytest.mark.parametrize(("ehe_row", "message"), [
    ("h1,,Olivia,,Hartley,,2014-03-12,F,NM1 2AB,12 Mill Lane,", r"EHE\.csv row 2, field start_date"),
    ("h1,,Olivia,,Hartley,,2014-13-12,F,NM1 2AB,12 Mill Lane,2025-01-20", r"EHE\.csv row 2.*dob"),
])
def test_bad_home_education_rows_are_named_and_nothing_is_written(tmp_path, ehe_row, message):
    with pytest.raises(CommandError, match=message):
        _run(tmp_path, [_olivia()], [ehe_row])
    assert not (tmp_path / "out.csv").exists()


def test_an_as_of_date_outside_the_term_dates_is_refused_and_nothing_is_written(tmp_path, monkeypatch):
    import cme.tracking.tests.test_reconcile_command as contract

    monkeypatch.setattr(contract, "AS_OF", "2031-03-28")
    with pytest.raises(CommandError, match=r"TERMS\.csv"):
        contract._run(tmp_path, [_olivia()])
    assert not (tmp_path / "out.csv").exists()


def test_an_ehe_header_of_the_wrong_shape_is_refused(tmp_path):
    ehe = tmp_path / "ehe.csv"
    assert EHE_HEADER.endswith(",start_date") and _terms(tmp_path).exists()
    with pytest.raises(CommandError, match=r"EHE\.csv row 1: the header must be"):
        from django.core.management import call_command

        enrol = tmp_path / "enrol.csv"
        enrol.write_text("upn,forename,middle_names,surname,former_surname,dob,sex,postcode,address,laestab,"
                         "entry_date,leaving_date,leaving_ground,destination\n" + _olivia() + "\n")
        ehe.write_text("id,forename,surname,start_date\nh1,A,B,2025-01-01\n")
        call_command("reconcile", "--enrolments", str(enrol), "--as-of", AS_OF, "--la", "901", "--term-dates",
                     str(_terms(tmp_path)), "--out", str(tmp_path / "out.csv"), "--ehe", str(ehe))
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize("laestab", ["٩٠١١٠٠١", "9\uff1011001"])
def test_a_laestab_in_another_scripts_digits_is_refused(tmp_path, laestab):
    with pytest.raises(CommandError, match=r"row 2, field destination"):
        _run(tmp_path, [_olivia("a", laestab)])
    assert not (tmp_path / "out.csv").exists()
