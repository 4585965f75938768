"""Case work through the API: enquiries, locating, key worker, needs assessment, closing and
approvals, joint evidence. The pages' rules and scope: 404 outside it, 403 for non-caseworkers
and non-managers, 422 naming the field with nothing changed."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from cme.cases.models import ClosureRequest, Enquiry, NeedsAssessment, Stage
from cme.providers.models import Organisation, OrgKind
from cme.testing import factories as f
from cme.testing.tasks import run_queued_tasks

TODAY = timezone.localdate


def _refresh(case):
    case.refresh_from_db()
    return case


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_staff_record_an_enquiry_and_read_the_checklist(persona, api_for, case_a):
    client = api_for(persona)
    response = client.post_json(f"/api/v1/cases/{case_a.pk}/enquiries", {
        "kind": "police", "made_on": str(TODAY()), "outcome": "No record of the family",
    })
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "police" and body["officer"] == str(persona)
    assert _refresh(case_a).stage == Stage.LOCATING
    checklist = client.get(f"/api/v1/cases/{case_a.pk}/enquiries").json()
    assert len(checklist) == 15
    assert [c["kind"] for c in checklist if c["done"]] == ["police"]


def test_an_enquiry_dated_in_the_future_is_422_and_nothing_is_saved(officer_a, api_for, case_a):
    response = api_for(officer_a).post_json(f"/api/v1/cases/{case_a.pk}/enquiries", {
        "kind": "phone", "made_on": str(TODAY() + timedelta(days=1)), "outcome": "x",
    })
    assert response.status_code == 422
    assert response.json()["detail"] == [{
        "loc": ["body", "made_on"], "msg": "The date of the enquiry must be today or in the past",
        "type": "value_error",
    }]
    assert not Enquiry.objects.exists()


def test_officer_of_la_b_gets_404_everywhere(officer_b, api_for, case_a):
    client = api_for(officer_b)
    assert client.get(f"/api/v1/cases/{case_a.pk}/enquiries").status_code == 404
    assert client.post_json(f"/api/v1/cases/{case_a.pk}/enquiries", {
        "kind": "phone", "made_on": str(TODAY()), "outcome": "x"}).status_code == 404
    assert client.get(f"/api/v1/cases/{case_a.pk}/whereabouts").status_code == 404
    assert client.post_json(f"/api/v1/cases/{case_a.pk}/close", {"outcome": "other"}).status_code == 404
    assert not Enquiry.objects.exists() and _refresh(case_a).is_open


@pytest.mark.parametrize("outsider", ["partner_a", "school_user_a"])
def test_partners_and_schools_get_404(request, outsider, api_for, case_a):
    client = api_for(request.getfixturevalue(outsider))
    assert client.get(f"/api/v1/cases/{case_a.pk}/enquiries").status_code == 404
    assert client.post_json(f"/api/v1/cases/{case_a.pk}/close", {"outcome": "other"}).status_code == 404


def test_from_located_to_needs_determined_to_closed(officer_a, api_for, case_a, la_a):
    client = api_for(officer_a)
    found = client.post_json(f"/api/v1/cases/{case_a.pk}/whereabouts/found", {
        "on": str(TODAY()), "line1": "4 Canal Row", "postcode": "NM1 2AB",
        "parental_responsibility": "Jane Hartley (mother)",
    })
    assert found.status_code == 200, found.content
    assert found.json()["whereabouts"] == "found" and found.json()["stage"] == "located"
    kw = client.put(f"/api/v1/cases/{case_a.pk}/key-worker",
                    {"officer_id": officer_a.pk, "role": "key_worker"}, content_type="application/json")
    assert kw.status_code == 200 and kw.json()["officer_id"] == officer_a.pk
    incomplete = client.put(f"/api/v1/cases/{case_a.pk}/needs-assessment", {"complete": True},
                            content_type="application/json")
    assert incomplete.status_code == 422
    assert ["body", "recommended_provision"] in [p["loc"] for p in incomplete.json()["detail"]]
    assert not NeedsAssessment.objects.exists()
    done = client.put(f"/api/v1/cases/{case_a.pk}/needs-assessment", {
        "education_history": "Year 5", "sen_status": "none", "health": "None known",
        "family_circumstances": "Lives with mother", "disengagement_reasons": "Bullying",
        "parent_preferences": "Nearby school", "child_preferences": "Same as friends",
        "recommended_provision": "mainstream", "complete": True,
    }, content_type="application/json")
    assert done.status_code == 200, done.content
    assert done.json()["state"] == "not_needed" and done.json()["case_stage"] == "needs_determined"
    no_outcome = client.post_json(f"/api/v1/cases/{case_a.pk}/close", {"outcome": ""})
    assert no_outcome.status_code == 422
    assert no_outcome.json()["detail"][0]["msg"] == "Choose the outcome before closing the case"
    assert _refresh(case_a).is_open
    closed = client.post_json(f"/api/v1/cases/{case_a.pk}/close", {"outcome": "back_in_school"})
    assert closed.json()["closed"] is True and closed.json()["outcome"] == "back_in_school"
    reopened = client.post_json(f"/api/v1/cases/{case_a.pk}/reopen", {"reason": "Stopped attending"})
    assert reopened.status_code == 200 and reopened.json()["closed"] is False


def test_moved_to_another_la_by_api(officer_a, api_for, case_a, la_a, django_capture_on_commit_callbacks):
    barnet = Organisation.objects.create(kind=OrgKind.OTHER_LA, la=la_a, la_code="302", name="Barnet",
                                         contact_email="cme@barnet.example")
    client = api_for(officer_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post_json(f"/api/v1/cases/{case_a.pk}/whereabouts/moved",
                                    {"other_la_id": barnet.pk, "on": str(TODAY())})
    assert response.status_code == 200, response.content
    [referral] = response.json()["other_la_referrals"]
    assert referral["delivery_state"] == "queued" and not mail.outbox
    run_queued_tasks()
    assert referral["sent_to_email"] == "cme@barnet.example" and referral["body"] == mail.outbox[0].body
    [read] = client.get(f"/api/v1/cases/{case_a.pk}/whereabouts").json()["other_la_referrals"]
    assert read["delivery_state"] == "sent"
    accepted = client.post_json(f"/api/v1/cases/{case_a.pk}/other-la-referrals/{referral['id']}/accepted",
                                {"accepted_on": str(TODAY())})
    assert accepted.json()["other_la_referrals"][0]["accepted_on"] == str(TODAY())


def test_closure_approval_by_api(settings, officer_a, manager_a, api_for, case_a):
    settings.CME_CLOSURE_APPROVAL = True
    asked = api_for(officer_a).post_json(f"/api/v1/cases/{case_a.pk}/close", {"outcome": "other"})
    assert asked.status_code == 200 and asked.json()["closed"] is False
    assert asked.json()["closure_request_id"] == ClosureRequest.objects.get().pk
    assert api_for(officer_a).post_json(f"/api/v1/cases/{case_a.pk}/close/decision",
                                        {"approve": True}).status_code == 403
    decided = api_for(manager_a).post_json(f"/api/v1/cases/{case_a.pk}/close/decision", {"approve": True})
    assert decided.json()["closed"] is True


def test_joint_evidence_by_api(officer_a, api_for, case_a, school_a):
    client = api_for(officer_a)
    refused = client.post_json(f"/api/v1/cases/{case_a.pk}/joint-evidence", {
        "school_id": school_a.pk, "ground": "9(1)(i)", "absence_from": "2026-01-05"})
    assert refused.status_code == 422
    client.post_json(f"/api/v1/cases/{case_a.pk}/enquiries", {
        "kind": "home_visit", "made_on": str(TODAY()), "outcome": "No answer",
        "joint_with_school_id": school_a.pk})
    made = client.post_json(f"/api/v1/cases/{case_a.pk}/joint-evidence", {
        "school_id": school_a.pk, "ground": "9(1)(i)", "absence_from": "2026-01-05"})
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["enquiries"][0]["joint_with_school_id"] == school_a.pk
    assert body["printable_url"].startswith(f"/cases/{case_a.pk}/evidence/")


def test_a_worker_who_does_not_work_cases_gets_403(la_a, api_for, case_a):
    from cme.accounts.models import Role

    admissions = f.make_user(la_a, Role.ADMISSIONS)
    response = api_for(admissions).post_json(f"/api/v1/cases/{case_a.pk}/enquiries", {
        "kind": "phone", "made_on": str(TODAY()), "outcome": "x"})
    assert response.status_code == 403


def test_a_change_sent_with_a_stale_if_match_is_refused_and_says_who(api_for, case_a, officer_a, manager_a):
    first, second = api_for(officer_a), api_for(manager_a)
    seen = first.get(f"/api/v1/cases/{case_a.pk}").json()["updated_at"]
    note = {"text": "Phoned the aunt"}
    ok = first.post_json(f"/api/v1/cases/{case_a.pk}/notes", note, HTTP_IF_MATCH=f'"{seen}"')
    assert ok.status_code == 201
    key_worker = second.get(f"/api/v1/cases/{case_a.pk}").json()["updated_at"]
    moved = first.post_json(f"/api/v1/cases/{case_a.pk}/stage", {"to_stage": "locating"},
                            HTTP_IF_MATCH=f'"{key_worker}"')
    assert moved.status_code == 200
    refused = second.post_json(f"/api/v1/cases/{case_a.pk}/stage", {"to_stage": "locating"},
                               HTTP_IF_MATCH=f'"{key_worker}"')
    assert refused.status_code == 412 and "changed this case at" in refused.json()["detail"]
