"""A school takes a pupil off roll under ground (g) with no destination; the pupil stays
unreconciled past the grace period, a CME referral opens, and a new-entry return from another
school is matched to the child and closes the loop. axe on every page."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from cme.intake.models import Channel, Referral
from cme.testing import factories as f
from cme.tracking.models import Leaver, LeaverStatus
from cme.tracking.services import leavers_reconcile, new_entry_record

pytestmark = pytest.mark.browser


def fill_date(page, group: str, day):
    box = page.get_by_role("group", name=group)
    box.get_by_label("Day").fill(str(day.day))
    box.get_by_label("Month").fill(str(day.month))
    box.get_by_label("Year").fill(str(day.year))


def test_a_leaver_with_no_destination_is_referred_then_found_again(
        page, signed_in_page, la_a, school_a, school_user_a, officer_a, assert_accessible):
    from cme.attendance.calendar import DEMO_CALENDAR
    from cme.attendance.services import term_dates_import

    lines = [line for line in DEMO_CALENDAR.read_text().splitlines(keepends=True)
             if line.startswith(("scope", "901,"))]
    term_dates_import(actor=None, la_id=la_a.pk, lines=lines, filename="terms.csv")
    child = f.make_child(la_a, legal_forename="Sofia", legal_surname="Burton", upn=f.make_upn("901"))
    f.enrol(child, school_a, entry=dt.date(2022, 9, 5), upn=child.upn)

    # The school returns the deletion: ground (g), no next school known.
    signed_in_page(school_user_a)
    page.goto("/deletion-returns/new")
    assert_accessible(page)
    page.get_by_label("Pupil", exact=True).select_option(label=f"Burton, Sofia (born {child.date_of_birth:%d/%m/%Y})")
    fill_date(page, "Date taken off roll", dt.date(2025, 1, 10))
    page.get_by_label("Ground for deletion (reg 9(1))").select_option(value="g")
    page.get_by_role("button", name="Send the return").click()
    expect(page.locator("[data-test=returns]")).to_contain_text("No new school or address given")
    assert_accessible(page)

    # Past the grace period, the nightly run refers her: once.
    leavers_reconcile(la_id=la_a.pk, as_of=dt.date(2025, 2, 28))
    referral = Referral.objects.get(channel=Channel.RECONCILIATION)
    page.context.clear_cookies()
    signed_in_page(officer_a)
    page.goto("/leavers")
    expect(page.locator("[data-test=leavers]")).to_contain_text("Sofia Burton")
    expect(page.locator("[data-test=leavers]")).to_contain_text(referral.reference)
    assert_accessible(page)

    # Another school admits her, her name spelt otherwise: the officer confirms the match.
    other = f.make_school(la_a, "Northmoor High School", estab="4002")
    new_entry_record(actor=None, provider=other, entry_date=dt.date(2025, 3, 3), source="api", person={
        "forename": "Sophia", "surname": "Burton", "dob": child.date_of_birth.isoformat(), "sex": "F"})
    page.goto("/new-entries")
    assert_accessible(page)
    page.get_by_role("button", name=re.compile(r"^The same child")).click()
    expect(page.get_by_text("Match confirmed")).to_be_visible()
    assert Leaver.objects.get(child=child).status == LeaverStatus.ON_ROLL
    # The next night's run sees no roll record of her at the new school yet: the officer's word holds.
    leavers_reconcile(la_id=la_a.pk, as_of=dt.date(2025, 3, 4))
    page.goto("/leavers")
    expect(page.get_by_text("Every leaver has been found again.")).to_be_visible()


def test_a_pupil_found_by_matching_alone_waits_for_the_officer_on_the_leavers_page(
        page, signed_in_page, la_a, school_a, officer_a, assert_accessible):
    """Ella left with no destination; a pupil Ellie Burton, of her birthday, joined another school
    that week: her record under another spelling, or her twin. Not found until the officer says."""
    born = dt.date(2016, 3, 3)
    ella = f.make_child(la_a, legal_forename="Ella", legal_surname="Burton", upn=f.make_upn("901"),
                        date_of_birth=born, sex="F")
    f.enrol(ella, school_a, entry=dt.date(2022, 9, 5), upn=ella.upn, leaving_date=dt.date(2025, 1, 10))
    high = f.make_school(la_a, "Northmoor High School", estab="4002")
    ellie = f.make_child(la_a, legal_forename="Ellie", legal_surname="Burton", date_of_birth=born, sex="F")
    f.enrol(ellie, high, entry=dt.date(2025, 1, 15))
    leavers_reconcile(la_id=la_a.pk, as_of=dt.date(2025, 1, 20))
    assert Leaver.objects.get(child=ella).status == LeaverStatus.UNRECONCILED

    signed_in_page(officer_a)
    page.goto("/leavers")
    card = page.locator("[data-test=possible-match]")
    expect(card).to_contain_text("Ella Burton, left Northmoor Primary School")
    expect(card).to_contain_text("admitted to Northmoor High School")
    expect(page.locator("[data-test=leavers]")).to_contain_text("Possible match")
    assert_accessible(page)
    card.get_by_role("button", name=re.compile(r"^Not the same child")).click()
    expect(page.get_by_text("match rejected, still not found")).to_be_visible()
    expect(page.locator("[data-test=possible-match]")).to_have_count(0)
    expect(page.locator("[data-test=leavers]")).to_contain_text("Ella Burton")
    assert_accessible(page)
