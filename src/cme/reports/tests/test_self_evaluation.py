"""Annex B self-evaluation (issue 14 point 4): every question of the guide's checklist with the
council's own rating and the live evidence, kept per year so progress shows. A manager of LA A
answers; an officer of A is refused; an officer of LA B sees none of A's answers."""

import pytest

from cme.accounts.models import Role
from cme.reports.models import SelfEvaluationAnswer
from cme.reports.selfeval import current_year, questions
from cme.testing import factories as f

pytestmark = pytest.mark.django_db


def test_the_checklist_is_the_guides_twenty_two_questions_in_five_sections():
    qs = questions()
    assert len(qs) == 22
    assert [s for s in dict.fromkeys(q.section for q in qs)] == [
        "Strategic management and leadership", "Networks and points of contact", "Information systems",
        "Provision brokering services", "Effective pupil tracking systems"]
    assert "Does the LEA monitor the pace they move into provision?" in [q.text for q in qs]


def test_a_manager_rates_questions_and_last_year_shows_beside_this_year(client_for, manager_a, case_a):
    client = client_for(manager_a)
    year = current_year()
    page = client.get("/management/self-evaluation").text
    assert "Evidence held" in page and "The register holds 1 open cases" in page
    client.post(f"/management/self-evaluation?year={year - 1}", {"rating-pace": "W", "note-pace": "Started"})
    client.post(f"/management/self-evaluation?year={year}", {"rating-pace": "A", "note-pace": "Monthly report"})
    answers = {a.academic_year: a.rating for a in SelfEvaluationAnswer.objects.filter(question="pace")}
    assert answers == {year - 1: "W", year: "A"}
    page = client.get(f"/management/self-evaluation?year={year}").text
    card = page.split('data-test="question-pace"')[1].split('data-test="question-')[0]
    assert "Working towards" in card and 'value="A" checked' in card


def test_who_may_see_and_answer(client_for, officer_a, manager_a, officer_b, la_a, la_b):
    assert client_for(officer_a).get("/management/self-evaluation").status_code == 403
    assert client_for(officer_b).get("/management/self-evaluation").status_code == 403
    client_for(manager_a).post("/management/self-evaluation", {"rating-policy": "E"})
    leader = f.make_user(la_a, Role.SENIOR_LEADER, username="leader-a")
    page = client_for(leader).get("/management/self-evaluation").text
    assert "Embedded" in page and 'name="rating-policy"' not in page  # reads, does not answer
    client_for(leader).post("/management/self-evaluation", {"rating-policy": "W"})
    assert SelfEvaluationAnswer.objects.get().rating == "E"
    manager_b = f.make_user(la_b, Role.MANAGER, username="manager-b")
    page_b = client_for(manager_b).get("/management/self-evaluation").text
    assert 'value="E" checked' not in page_b and "0 of 22 rated" in page_b
