"""Watching attendance at the new provider; panels with agenda, decisions, actions and minutes;
postcodes from the ONS Postcode Directory."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from cme.attendance import codes as C
from cme.attendance.models import RegisterYear
from cme.cases.models import Task
from cme.places import selectors, services
from cme.places.models import Postcode, ProvisionWatch
from cme.places.postcodes import read_onspd
from cme.testing import factories as f

START = dt.date(2025, 11, 3)  # a Monday


def register(case, provider, marks: list[tuple[str, str]]):
    enrolment = f.enrol(case.child, provider, entry=START, year_group="8")
    data = bytearray()
    day = START
    for am, pm in marks:
        data += bytes([C.encode(am), C.encode(pm)])
        day += dt.timedelta(days=1)
    RegisterYear.objects.create(enrolment=enrolment, provider=provider, academic_year=2025, start_date=START,
                                marks=bytes(data), last_marked=day)


def weekdays(n, am="/", pm="\\"):
    out, day = [], START
    while sum(1 for m in out if m != ("-", "-")) < n:
        out.append((am, pm) if day.weekday() < 5 else ("-", "-"))
        day += dt.timedelta(days=1)
    return out


@pytest.fixture
def watched(place_case, area):
    return ProvisionWatch.objects.create(case=place_case, provider=area["near"], starts_on=START, school_days=5)


def test_a_child_attending_for_the_watched_days_may_close(watched, place_case, area):
    register(place_case, area["near"], weekdays(5))
    report = services.watch_check(on=START + dt.timedelta(days=10))
    watched.refresh_from_db()
    assert (watched.state, watched.days_attended, report.settled) == ("settled", 5, [place_case.pk])
    assert "may close in provision" in watched.task.title
    services.watch_check(on=START + dt.timedelta(days=11))  # idempotent
    assert Task.objects.filter(case=place_case).count() == 1


def test_a_child_who_stops_attending_reopens_work(watched, place_case, area, officer_a):
    register(place_case, area["near"], weekdays(2) + [("O", "O")] * 3)
    call_command("watch-new-starts", "--date", (START + dt.timedelta(days=6)).isoformat())
    watched.refresh_from_db()
    assert watched.state == "stopped"
    task = watched.task
    assert task.urgent and task.assigned_to == officer_a and "Stopped attending Moor Lane Academy" in task.title


def test_a_panel_agenda_decisions_actions_and_minutes(place_case, area, officer_a, manager_a, la_a):
    request = services.placement_request(actor=officer_a, case=place_case, provider=area["near"], kind="admission",
                                         year_group="8")
    services.placement_answer(actor=officer_a, request=request, answer="refused", reason="Full")
    candidates = selectors.agenda_candidates(user=officer_a)
    assert [(c.pk, why) for c, why in candidates] == [(place_case.pk, "A request for a place was refused or not answered")]
    panel = services.panel_create(actor=manager_a, name="Fair Access panel", kind="fair_access",
                                  members=[("Head of Moor Lane", "Secondary heads")])
    meeting = services.meeting_create(actor=officer_a, panel=panel, held_on=dt.date.today(), cases=candidates)
    item = selectors.meeting_items(meeting=meeting)[0]
    due = dt.date.today() + dt.timedelta(days=5)
    services.agenda_decide(actor=officer_a, item=item, decision="Allocate a place at Hilltop High School",
                           restricted_notes="Father must not know the school", actions=[
                               ("Tell Hilltop High School of the allocation", officer_a, due)])
    task = Task.objects.get(case=place_case)
    assert (task.assigned_to, task.due_on) == (officer_a, due)
    with pytest.raises(ValidationError):
        services.agenda_decide(actor=officer_a, item=item, decision="x", actions=[("No owner", None, due)])
    admissions = f.make_user(la_a, "admissions")
    with pytest.raises(ValidationError):
        services.agenda_decide(actor=manager_a, item=item, decision="Again", restricted_notes="",
                               actions=[("t", admissions, None)])


def test_onspd_rows_without_a_grid_reference_and_other_areas_are_skipped():
    data = ("pcds,lat,long,oa21\nLS1 1AA,53.7965,-1.5479,E1\nLS99 9ZZ,99.999999,0.000000,\n"
            "BD1 1AA,53.79,-1.75,E2\n")
    found = read_onspd(data, areas=["LS"])
    assert found.points == {"LS1 1AA": (53.7965, -1.5479)} and found.skipped == 2 and not found.problems


def test_a_bad_onspd_row_is_named_and_nothing_is_loaded(tmp_path, db):
    path = tmp_path / "onspd.csv"
    path.write_text("pcds,lat,long\nLS1 1AA,53.79,-1.54\nLS1 1AB,north,-1.54\n")
    with pytest.raises(CommandError, match="Row 3, lat: is not a number"):
        call_command("load-postcodes", str(path))
    assert not Postcode.objects.exists()
    path.write_text("pcds,lat,long\nLS1 1AA,53.79,-1.54\n")
    call_command("load-postcodes", str(path))
    assert Postcode.objects.get(postcode="LS1 1AA").latitude == 53.79


def test_a_start_not_yet_on_the_roll_says_so(watched):
    services.watch_check(on=START + dt.timedelta(days=3))
    watched.refresh_from_db()
    assert watched.state == "watching" and "Not on the roll of Moor Lane Academy yet" in watched.detail


def test_a_case_closes_in_provision_only_once_the_watch_says_the_child_attends(watched, place_case, area, officer_a):
    from django.utils import timezone

    from cme.cases.casework.services import case_close

    today = timezone.localdate()
    with pytest.raises(ValidationError, match="is watched for 5 school days"):
        case_close(actor=officer_a, case=place_case, outcome="back_in_school", on=today)
    register(place_case, area["near"], weekdays(5))
    services.watch_check(on=START + dt.timedelta(days=10))
    case = case_close(actor=officer_a, case=place_case, outcome="back_in_school", on=today)
    assert case.stage == "closed"
