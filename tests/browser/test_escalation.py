"""A child with a child protection plan is referred missing: triage escalates at once (an urgent
task, an e-mail to social care and the police), the case shows it, the officer's queue has the
task, and the manager sees it on the team's workload. axe on every page."""

import datetime as dt
import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from cme.cases.models import Case, Escalation
from cme.testing import factories as f
from cme.testing.tasks import run_queued_tasks

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def contacts(settings):
    settings.CME_ESCALATION_EMAILS = {"901": {"social_care": ["mash@northmoor.example"],
                                              "police": ["cme@northmoor-police.example"]}}


def test_child_with_a_cp_plan_referred_missing_is_escalated_and_the_manager_sees_it(
    page, signed_in_page, la_a, officer_a, manager_a, assert_accessible
):
    child = f.make_child(la_a, legal_forename="Ruby", legal_surname="Hartley", date_of_birth=dt.date(2014, 3, 5))
    child.flags.create(flag="child_protection", detail="Category neglect")
    referral = f.make_referral(la_a, child_forename="Ruby", child_surname="Hartley",
                               child_date_of_birth=dt.date(2014, 3, 5), child_sex="F")

    # The officer triages the referral onto the child already on the register, as missing.
    page = signed_in_page(officer_a)
    page.goto(f"/referrals/{referral.reference}")
    page.get_by_role("button", name="Triage this referral").click()
    page.get_by_label("Open a case, or add the referral to the child’s open case").check()
    page.get_by_label("Ruby Hartley, already on the register").check()
    page.get_by_label("Missing education", exact=True).check()
    page.get_by_label("Reason", exact=True).select_option(label="Moved with no known destination")
    page.get_by_role("button", name="Confirm decision").click()

    case = Case.objects.get()
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}$"))
    warning = page.locator(".govuk-warning-text").filter(has_text="Escalated")
    expect(warning).to_contain_text("Escalated: a child known to children’s social care is missing")
    expect(page.locator(".moj-timeline").get_by_role("heading", name="Escalated: a child known")).to_be_visible()
    expect(page.locator('[data-test="escalation"]')).to_contain_text("cme@northmoor-police.example")
    expect(page.locator('[data-test="tasks"]')).to_contain_text("Urgent")
    expect(page.locator('[data-test="clocks"]')).to_be_visible()
    assert_accessible(page)

    # Social care and the police are told by the worker (`cme db_worker`), without the flag's detail.
    escalation = Escalation.objects.get(case=case)
    assert escalation.sent_at is None and not mail.outbox  # queued, not sent inside the request
    run_queued_tasks()
    escalation.refresh_from_db()
    assert escalation.sent_at is not None
    [message] = mail.outbox
    assert "child protection" not in message.body.lower() and "neglect" not in message.body.lower()
    assert "Ruby" not in message.body

    # The urgent task heads the officer's queue.
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="My work").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    first = page.locator('[data-test="my-tasks"] tbody tr').first
    expect(first).to_contain_text("Urgent")
    expect(first).to_contain_text(case.reference)
    assert_accessible(page)

    # Recording a risk of harm without saying what it is is refused, with the field named.
    page.goto(f"/cases/{case.pk}")
    page.get_by_role("button", name="Record a risk of significant harm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a risk of significant harm")
    assert_accessible(page)
    page.get_by_role("button", name="Record and escalate").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter what the risk of significant harm is")
    assert_accessible(page)
    assert Escalation.objects.count() == 1

    # The manager sees the urgent task on the team's workload, and the escalation on the case.
    page.context.clear_cookies()
    page = signed_in_page(manager_a)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Management").click()
    page.get_by_role("link", name="Team workload").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The team’s workload")
    row = page.locator('[data-test="team"] tbody tr').filter(has_text="Alice Tester")
    expect(row).to_contain_text("1")
    assert_accessible(page)
    page.get_by_role("link", name=case.reference).click()
    expect(page.locator(".govuk-warning-text").filter(has_text="Escalated")).to_contain_text(
        "a child known to children’s social care is missing")
    expect(page.get_by_text("Child protection plan")).to_be_visible()  # a manager may see the flag
    assert_accessible(page)
