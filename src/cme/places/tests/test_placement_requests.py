"""Asking a provider for a place, its answer, taking up an offer; the clocks on the case."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cme.attendance.calendar import DEMO_CALENDAR
from cme.attendance.services import term_dates_import
from cme.cases.models import Stage
from cme.cases.queues.selectors import case_clocks
from cme.places import selectors, services
from cme.places.models import ProvisionWatch, RequestState

TODAY = timezone.localdate


def ask(case, provider, officer, **kw):
    return services.placement_request(actor=officer, case=case, provider=provider, kind="admission",
                                      year_group=kw.pop("year_group", "8"), **kw)


def test_an_offer_taken_up_sets_the_provision_and_watches_attendance(place_case, area, officer_a, near_school_user):
    request = ask(place_case, area["near"], officer_a)
    start = TODAY() + dt.timedelta(days=7)
    services.placement_answer(actor=near_school_user, request=request, answer="offered", start_on=start)
    services.placement_accept(actor=officer_a, request=request)
    place_case.refresh_from_db()
    assert place_case.provision_provider == area["near"] and place_case.provision_starts_on == start
    assert place_case.stage == Stage.ACCESSING_PROVISION
    watch = ProvisionWatch.objects.get(case=place_case)
    assert (watch.provider, watch.school_days, watch.state) == (area["near"], 20, "watching")


def test_a_closed_provider_cannot_be_asked_and_a_provider_only_once(place_case, area, officer_a):
    with pytest.raises(ValidationError) as e:
        ask(place_case, area["closed"], officer_a)
    assert "closed" in str(e.value)
    ask(place_case, area["near"], officer_a)
    with pytest.raises(ValidationError):
        ask(place_case, area["near"], officer_a)


def test_a_refusal_needs_a_reason_and_is_counted_for_managers(place_case, area, officer_a, manager_a, near_school_user):
    request = ask(place_case, area["near"], officer_a)
    with pytest.raises(ValidationError):
        services.placement_answer(actor=near_school_user, request=request, answer="refused")
    services.placement_answer(actor=near_school_user, request=request, answer="refused", reason="Year 8 is full")
    rows = selectors.refusals_by_school(user=manager_a)
    assert rows == [("Moor Lane Academy", selectors.term_of(TODAY()), 1)]
    with pytest.raises(PermissionDenied):
        selectors.refusals_by_school(user=officer_a)


def test_another_school_cannot_answer(place_case, area, officer_a, far_school_user):
    request = ask(place_case, area["near"], officer_a)
    with pytest.raises(PermissionDenied):
        services.placement_answer(actor=far_school_user, request=request, answer="offered", start_on=TODAY())
    assert selectors.provider_requests(user=far_school_user) == []


def test_only_the_authority_records_no_answer(place_case, area, officer_a, near_school_user):
    request = ask(place_case, area["near"], officer_a)
    with pytest.raises(ValidationError):
        services.placement_answer(actor=near_school_user, request=request, answer="no_answer")
    services.placement_answer(actor=officer_a, request=request, answer="no_answer")
    assert request.state == RequestState.NO_ANSWER


@pytest.fixture
def term_dates(la_a):
    lines = [line for line in DEMO_CALENDAR.read_text().splitlines(keepends=True) if line.startswith(("scope", "901,"))]
    term_dates_import(actor=None, la_id=la_a.pk, lines=lines, filename="terms.csv")


def by_key(states):
    return {s.key: s for s in states}


def test_the_answer_and_start_clocks_count_school_days(term_dates, place_case, area, officer_a, near_school_user):
    request = ask(place_case, area["near"], officer_a, requested_on=dt.date(2025, 10, 24))
    clocks = by_key(case_clocks(case=place_case, today=dt.date(2025, 11, 4)))
    answer = clocks["placement_answer"]
    # 15 school days after Friday 24 October 2025: half-term and the INSET day of 3 November skipped.
    assert (answer.state, answer.started_on, answer.due_on) == ("running", dt.date(2025, 10, 24), dt.date(2025, 11, 24))
    assert clocks["placement_start"].state == "not_applicable"
    services.placement_answer(actor=near_school_user, request=request, answer="offered",
                              start_on=dt.date(2025, 11, 10), answered_on=dt.date(2025, 11, 3))
    clocks = by_key(case_clocks(case=place_case, today=dt.date(2025, 11, 4)))
    assert clocks["placement_answer"].state == "met"
    assert clocks["placement_start"].state == "running" and clocks["placement_start"].started_on == dt.date(2025, 11, 3)


def test_a_request_not_answered_in_time_is_overdue_in_my_work(term_dates, place_case, area, officer_a):
    from cme.cases.queues.selectors import my_work

    place_case.category = "at_risk"
    place_case.save()
    ask(place_case, area["far"], officer_a, requested_on=dt.date(2025, 10, 24))
    _, cases = my_work(user=officer_a, today=dt.date(2025, 12, 1))
    item = next(i for i in cases if i.case.pk == place_case.pk)
    assert (item.what, item.overdue, item.due_on) == ("Provider answered the request for a place", True,
                                                      dt.date(2025, 11, 24))
