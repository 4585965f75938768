"""A phone at 375 px works: filter panels open and close, wide tables scroll inside their own
box (the page never scrolls sideways), and every page keeps its content inside landmarks; at
1280 px the manager's navigation keeps to one line."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cme.accounts.models import Role
from cme.testing import factories as f

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}


@pytest.fixture
def work(la_a, school_a, officer_a):
    cases = []
    for n in range(30):
        child = f.make_child(la_a, legal_forename=f"Kit{n}", legal_surname="Ashworth-Pemberton")
        f.enrol(child, school_a)
        cases.append(f.make_case(child, stage="locating", responsible_officer=officer_a,
                                 referred_on=timezone.localdate() - dt.timedelta(days=n + 3)))
    for n in range(60):
        f.make_referral(la_a, received_at=timezone.now() - dt.timedelta(hours=n + 1))
    return cases


def _no_sideways_scroll(page):
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide at {PHONE['width']}px"


def _landmarks_only(page):
    """axe's best-practice rules about landmarks and roles: nothing outside a landmark."""
    page.evaluate(__import__("tests.browser.conftest", fromlist=["AXE_SOURCE"]).AXE_SOURCE)
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'rule', values: ['region', 'aria-allowed-role']}})")
    assert result["violations"] == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in result["violations"]]


def test_filter_panels_open_and_close_on_a_phone(page, signed_in_page, officer_a, work, assert_accessible):
    page.set_viewport_size(PHONE)
    signed_in_page(officer_a)
    for path in ("/cases", "/at-risk", "/referrals"):
        page.goto(path)
        panel = page.locator(".moj-filter-layout__filter")
        expect(panel).to_be_hidden()
        page.get_by_role("button", name="Show filter").click()
        expect(panel).to_be_visible()
        assert_accessible(page)
        # Open, the panel lies over the list (MoJ's small-screen filter) with its own Close.
        panel.get_by_role("button", name="Close").click()
        expect(panel).to_be_hidden()
        expect(page.get_by_role("button", name="Show filter")).to_be_focused()
        _no_sideways_scroll(page)
        assert_accessible(page)


def test_wide_tables_scroll_in_their_own_box_on_a_phone(page, signed_in_page, officer_a, work):
    page.set_viewport_size(PHONE)
    signed_in_page(officer_a)
    case = work[0]
    for path in ("/referrals", "/work", "/cases", f"/children/{case.child_id}", f"/cases/{case.pk}"):
        page.goto(path)
        _no_sideways_scroll(page)
        _landmarks_only(page)


def test_managers_pages_fit_a_phone(page, signed_in_page, manager_a, work, assert_accessible):
    page.set_viewport_size(PHONE)
    signed_in_page(manager_a)
    for path in ("/team", "/management", "/management/rules-and-clocks"):
        page.goto(path)
        _no_sideways_scroll(page)
        _landmarks_only(page)
        assert_accessible(page)


def test_back_links_sit_in_a_landmark(page, signed_in_page, officer_a, work):
    signed_in_page(officer_a)
    page.goto(f"/cases/{work[0].pk}")
    expect(page.get_by_role("navigation", name="Back").get_by_role("link", name="Cases")).to_be_visible()
    _landmarks_only(page)


def test_managers_navigation_keeps_to_one_line_at_1280(page, signed_in_page, manager_a, work):
    page.set_viewport_size({"width": 1280, "height": 800})
    signed_in_page(manager_a)
    page.goto("/cases")
    tops = page.locator(".govuk-service-navigation__item").evaluate_all("items => items.map(i => i.offsetTop)")
    assert len(set(tops)) == 1, tops
    # The case list's last column is inside the page, not clipped.
    table = page.locator("[data-test=case-list]")
    last = table.locator("th").last.bounding_box()
    box = page.locator(".cme-table-scroll").first.bounding_box()
    assert last["x"] + last["width"] <= box["x"] + box["width"] + 1


def test_the_administrator_sees_no_link_that_answers_403(page, signed_in_page, la_a, work):
    ewo = f.make_user(la_a, Role.EWO, username="eve")
    signed_in_page(ewo)
    page.goto("/providers")
    for link in page.locator("main a.govuk-link").all()[:10]:
        href = link.get_attribute("href")
        response = page.request.get(href)
        assert response.status != 403, href
