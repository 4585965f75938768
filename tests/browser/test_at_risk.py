"""An officer reviews attendance screening in the browser: the children at risk, one child's
attendance pattern as a calendar strip, and the providers whose registers are missing. axe runs
on every page visited."""

import re

import pytest
from playwright.sync_api import expect

from cme.intake.screening_service import screening_run
from cme.intake.tests.screening_builders import absent_days, last_day, store_register, weeks
from cme.providers.models import OrgKind
from cme.testing import factories as f

pytestmark = pytest.mark.browser


@pytest.fixture
def screened(la_a, school_a):
    ap = f.make_school(la_a, "Moorside Alternative Provision", estab="1101", kind=OrgKind.ALTERNATIVE_PROVISION)
    child = f.make_child(la_a, legal_forename="Ruby", legal_surname="Hartley", upn=f.make_upn("901"))
    sessions = weeks(6) + absent_days(10)
    store_register(child, school_a, sessions, year_group="7")
    store_register(f.make_child(la_a, upn=f.make_upn("901", estab="1101")), ap, weeks(2))
    screening_run(la_id=la_a.pk, as_of=last_day(sessions))
    return child


def test_officer_reviews_children_at_risk_and_missing_registers(signed_in_page, officer_a, screened,
                                                                assert_accessible):
    page = signed_in_page(officer_a)

    page.goto("/at-risk")
    expect(page.get_by_role("heading", level=1)).to_have_text("Children at risk from attendance screening")
    table = page.locator("[data-test=at-risk-list]")
    expect(table).to_contain_text("Ruby Hartley")
    expect(table).to_contain_text("Continuous absence (10 school days)")
    assert_accessible(page)

    page.get_by_label("Rule").select_option(label="Continuous absence (10 school days)")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"rule=continuous_absence_10"))
    expect(page.locator(".moj-filter__selected")).to_contain_text("Continuous absence (10 school days)")
    assert_accessible(page)

    page.get_by_role("link", name=re.compile("Attendance pattern of Ruby Hartley, continuous absence")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Attendance pattern of Ruby Hartley")
    strip = page.get_by_role("table", name="Morning and afternoon codes for each school day")
    expect(strip).to_contain_text("13 October 2025")
    expect(strip).to_contain_text("in the finding")
    expect(page.locator(".cme-strip-legend")).to_contain_text("Reason not yet established")
    assert_accessible(page)

    page.get_by_role("link", name="Children at risk").click()
    page.get_by_role("link", name="Schools and providers with missing registers").click()
    expect(page.locator("[data-test=missing-registers]")).to_contain_text("Moorside Alternative Provision")
    assert_accessible(page)
