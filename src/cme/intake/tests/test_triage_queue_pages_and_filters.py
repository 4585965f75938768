"""The triage queue shows every waiting referral: paged (no page repeats another), filtered by
how it came in, the child's age and urgency, and sorted; the home page's count links to it."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from cme.intake.models import Channel
from cme.testing import factories as f

pytestmark = pytest.mark.django_db


def _references(html: str) -> list[str]:
    return re.findall(r'href="/referrals/(R901-T\d+)"', html)


@pytest.fixture
def waiting(la_a):
    now = timezone.now()
    return [f.make_referral(la_a, received_at=now - dt.timedelta(hours=n + 1),
                            channel=Channel.TRUANCY_SWEEP if n % 3 == 0 else Channel.PHONE)
            for n in range(120)]


def test_every_waiting_referral_is_on_exactly_one_page(officer_a, client_for, waiting):
    client = client_for(officer_a)
    seen: list[str] = []
    for page in (1, 2, 3):
        html = client.get(f"/referrals?page={page}").text
        seen += _references(html)
        if page > 1:
            assert f"(page {page})" in html.split("</title>")[0]
    assert len(seen) == len(set(seen)) == 120
    assert "Showing 1 to 50 of 120 referrals" in client.get("/referrals").text


def test_filters_by_how_it_came_in_and_the_childs_age(officer_a, client_for, waiting, la_a):
    young = f.make_referral(la_a, child_date_of_birth=timezone.localdate() - dt.timedelta(days=3 * 365))
    client = client_for(officer_a)
    sweeps = _references(client.get("/referrals?source=sweep").text)
    assert len(sweeps) == 40
    under_5 = _references(client.get("/referrals?age=under_5").text)
    assert under_5 == [young.reference]


def test_sorts_newest_first_when_asked(officer_a, client_for, waiting):
    client = client_for(officer_a)
    oldest_first = _references(client.get("/referrals").text)
    newest_first = _references(client.get("/referrals?sort=-received").text)
    assert oldest_first[0] == waiting[-1].reference and newest_first[0] == waiting[0].reference


def test_officer_of_la_b_sees_none_of_a_whatever_the_filters(officer_b, client_for, waiting):
    html = client_for(officer_b).get("/referrals?source=sweep&age=5_10").text
    assert _references(html) == []


def test_home_page_count_links_to_the_queue(manager_a, client_for, waiting):
    html = client_for(manager_a).get("/").text
    assert re.search(r'<a class="govuk-link" href="/referrals">120 referrals are waiting for triage</a>', html)


def test_urgency_follows_the_triage_clock_in_school_days(officer_a, client_for, la_a):
    from cme.attendance.calendar import DEMO_CALENDAR
    from cme.attendance.services import term_dates_import

    lines = [line for line in DEMO_CALENDAR.read_text().splitlines(keepends=True)
             if line.startswith(("scope", "901,"))]
    term_dates_import(actor=None, la_id=la_a.pk, lines=lines, filename="terms.csv")
    old = f.make_referral(la_a, received_at=timezone.now() - dt.timedelta(days=60))
    new = f.make_referral(la_a, received_at=timezone.now())
    client = client_for(officer_a)
    assert _references(client.get("/referrals?urgency=overdue").text) == [old.reference]
    assert new.reference in _references(client.get("/referrals?urgency=due&urgency=not_due").text)
    assert "Overdue" in client.get("/referrals").text
