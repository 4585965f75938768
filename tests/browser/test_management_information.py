"""A manager looks at the dashboard, follows a figure to the children behind it, reads pace and
the self-evaluation, and checks the termly return. axe on every page (charts included)."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from cme.testing import factories as f

pytestmark = pytest.mark.browser


def test_a_manager_reads_the_figures_and_the_children_behind_them(page, signed_in_page, la_a, officer_a, manager_a,
                                                                   assert_accessible):
    for n in range(3):
        case = f.make_case(f.make_child(la_a, legal_surname=f"Figure{n}", date_of_birth=dt.date(2013, 2, 1 + n)),
                           responsible_officer=officer_a)
        case.stage = "locating"
        case.save()
    signed_in_page(manager_a)
    page.goto("/management")
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Dashboard", exact=True)).to_be_visible()
    expect(page.get_by_role("img", name="Open cases by stage")).to_be_visible()
    assert_accessible(page)
    page.locator("[data-test=headline]").get_by_role("link", name="3").click()
    expect(page.get_by_role("heading", name="Missing education now")).to_be_visible()
    expect(page.get_by_text("3 cases of Northmoor Council")).to_be_visible()
    expect(page.get_by_role("cell", name="Figure0")).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename.endswith(".csv")
    page.goto("/management/pace")
    expect(page.get_by_role("heading", name="Pace")).to_be_visible()
    assert_accessible(page)
    page.goto("/management/self-evaluation")
    page.locator("#rating-pace-A").check()
    page.get_by_role("button", name="Save the self-evaluation").click()
    expect(page.get_by_text("Self-evaluation saved")).to_be_visible()
    expect(page.locator("#rating-pace-A")).to_be_checked()
    assert_accessible(page)
    page.goto("/management/returns")
    expect(page.get_by_role("heading", name="The monthly panel pack")).to_be_visible()
    assert_accessible(page)
