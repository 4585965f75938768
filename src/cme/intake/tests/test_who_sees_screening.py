"""Screening pages are for the authority's own staff: officer_a and manager_a see A's children at
risk; officer_b sees none of them; schools and partner agencies are refused."""

import pytest

from cme.audit.models import AuditEvent
from cme.intake.models import ScreeningFinding
from cme.intake.screening_service import screening_run
from cme.intake.tests.screening_builders import absent_days, last_day, store_register, weeks
from cme.people.models import Vulnerability, VulnerabilityFlag
from cme.providers.models import OrgKind
from cme.testing import factories as f

pytestmark = pytest.mark.django_db

PAGES = ["/at-risk", "/at-risk/missing-registers"]


@pytest.fixture
def screened_a(la_a, school_a):
    ap = f.make_school(la_a, "Moorside Alternative Provision", estab="1101", kind=OrgKind.ALTERNATIVE_PROVISION)
    child = f.make_child(la_a, legal_forename="Ruby", legal_surname="Hartley", upn=f.make_upn("901"))
    VulnerabilityFlag.objects.create(child=child, flag=Vulnerability.CHILD_PROTECTION)
    sessions = weeks(6) + absent_days(10)
    store_register(child, school_a, sessions, year_group="7")
    store_register(f.make_child(la_a, upn=f.make_upn("901", estab="1101")), ap, weeks(2))
    screening_run(la_id=la_a.pk, as_of=last_day(sessions))
    return ScreeningFinding.objects.get(child=child, rule="continuous_absence_10")


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_staff_of_a_see_the_child_at_risk_and_the_pattern(screened_a, persona, client_for):
    client = client_for(persona)
    page = client.get("/at-risk").content.decode()
    assert "Ruby Hartley" in page and screened_a.referral.reference in page
    assert f"/children/{screened_a.child_id}" in page and f"/at-risk/{screened_a.pk}" in page
    pattern = client.get(f"/at-risk/{screened_a.pk}")
    assert pattern.status_code == 200
    assert "Attendance pattern of Ruby Hartley" in pattern.content.decode()
    missing = client.get("/at-risk/missing-registers").content.decode()
    assert "Moorside Alternative Provision" in missing
    assert AuditEvent.objects.filter(object_type="screening", action="view", child_id=screened_a.child_id,
                                     actor_id=persona.pk).exists()


def test_officer_b_sees_nothing_of_a(screened_a, officer_b, client_for):
    client = client_for(officer_b)
    page = client.get("/at-risk").content.decode()
    assert "Ruby Hartley" not in page and "No findings match these filters." in page
    assert client.get(f"/at-risk/{screened_a.pk}").status_code == 404
    missing = client.get("/at-risk/missing-registers").content.decode()
    assert "Moorside" not in missing


@pytest.mark.parametrize("user", ["school_user_a", "partner_a"])
@pytest.mark.parametrize("path", PAGES)
def test_schools_and_partners_are_refused(screened_a, request, client_for, user, path):
    client = client_for(request.getfixturevalue(user))
    assert client.get(path).status_code == 403
    assert client.get(f"/at-risk/{screened_a.pk}").status_code == 403
    assert client.post("/at-risk/run").status_code == 403


def test_filters_narrow_the_list(screened_a, officer_a, manager_a, client_for, la_a, school_a):
    other = f.make_child(la_a, legal_forename="Leo", legal_surname="Marsh", upn=f.make_upn("901"))
    sessions = weeks(6) + absent_days(10)
    store_register(other, school_a, sessions, year_group="9")
    screening_run(la_id=la_a.pk, as_of=last_day(sessions))
    client = client_for(officer_a)

    def names(**params):
        page = client.get("/at-risk", params).content.decode()
        return {n for n in ("Ruby Hartley", "Leo Marsh") if n in page}

    assert names(rule="continuous_absence_10", provider=school_a.pk) == {"Ruby Hartley", "Leo Marsh"}
    assert names(year_group="9") == {"Leo Marsh"}
    assert names(flag="child_protection") == {"Ruby Hartley"}
    assert names(rule="part_time_timetable") == set()
    assert names(status="cleared") == set()
    assert names(status="all", year_group="7") == {"Ruby Hartley"}
    assert "Ruby Hartley" in client_for(manager_a).get("/at-risk", {"flag": "child_protection"}).content.decode()


def test_restricted_groups_are_not_shown_or_offered_to_staff_who_may_not_see_them(screened_a, la_a, client_for):
    from cme.accounts.models import Role

    admissions = f.make_user(la_a, Role.ADMISSIONS)
    page = client_for(admissions).get("/at-risk").content.decode()
    assert "Ruby Hartley" in page
    assert "Child protection" not in page and "Stricter thresholds" not in page
    officer_page = client_for(f.make_user(la_a, Role.CME_OFFICER)).get("/at-risk").content.decode()
    assert "Child protection plan" in officer_page and "Stricter thresholds" in officer_page


def test_a_bad_filter_is_named_and_the_rest_still_apply(screened_a, officer_a, client_for):
    response = client_for(officer_a).get("/at-risk", {"rule": "no_such_rule", "year_group": "7"})
    page = response.content.decode()
    assert "Choose a rule from the list" in page and "Ruby Hartley" in page


def test_the_calendar_strip_lists_each_weeks_codes_in_words(screened_a, officer_a, client_for):
    page = client_for(officer_a).get(f"/at-risk/{screened_a.pk}").content.decode()
    assert "Week beginning" in page and "13 October 2025" in page
    assert "Morning: </span>N" in page and "Afternoon: </span>N" in page
    assert "Reason not yet established: unauthorised absence" in page
    assert "Present (morning): present" in page
    assert page.count("in the finding</span>") == 10
