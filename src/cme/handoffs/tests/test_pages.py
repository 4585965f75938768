"""The lost-pupils and hand-offs pages (issue 12, point 5), by persona."""

from datetime import date

import pytest

from cme.handoffs import signing
from cme.handoffs.models import IncomingHandoff, LostPupil, LostPupilMatch, OutgoingHandoff
from cme.movements.ctf import parse_ctf
from cme.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def lost(la_a, school_a):
    child = f.make_child(la_a, legal_forename="Ruby", legal_surname="Hartley", date_of_birth=date(2014, 5, 6))
    lost = LostPupil.objects.create(la=la_a, provider=school_a, child=child, leaving_date=date(2026, 11, 20))
    LostPupilMatch.objects.create(lost=lost, trigger="web", person={"forename": "Ruby", "surname": "Hartley"},
                                  probability=0.93)
    return lost


def test_officer_sees_lost_pupils_writes_the_ctf_and_confirms_a_match(client_for, officer_a, lost):
    client = client_for(officer_a)
    page = client.get("/lost-pupils")
    assert page.status_code == 200 and b"Ruby Hartley" in page.content and b"93%" in page.content
    response = client.post(f"/lost-pupils/{lost.pk}/ctf")
    assert response["Content-Disposition"] == 'attachment; filename="901LLLL_CTF_XXXXXXX_001.xml"'
    assert parse_ctf(response.content).pupils[0].surname == "Hartley"
    match = lost.matches.get()
    client.post(f"/lost-pupils/matches/{match.pk}/decision", {"decision": "confirm"})
    lost.refresh_from_db()
    assert lost.status == LostPupil.Status.FOUND


def test_officer_b_sees_none_of_authority_as_lost_pupils_and_is_refused(client_for, officer_b, lost):
    client = client_for(officer_b)
    assert b"Ruby" not in client.get("/lost-pupils").content
    assert client.post(f"/lost-pupils/{lost.pk}/ctf").status_code == 404
    assert client.post(f"/lost-pupils/matches/{lost.matches.get().pk}/decision", {"decision": "confirm"}).status_code == 404
    assert LostPupil.objects.get().status == LostPupil.Status.LOST


def test_manager_sees_the_lists(client_for, manager_a, lost):
    assert b"Ruby Hartley" in client_for(manager_a).get("/lost-pupils").content


def test_school_user_cannot_see_lost_pupils_or_hand_offs(client_for, school_user_a, lost):
    client = client_for(school_user_a)
    assert client.get("/lost-pupils").status_code in (403, 404)
    assert client.get("/handoffs").status_code in (403, 404)


def test_officer_sends_from_the_page_and_answers_an_incoming_one(client_for, officer_a, la_a, school_a, settings):
    settings.CME_HANDOFF = {"keys": {"901": signing.new_key()[0]},
                            "peers": {"907": {"url": "http://127.0.0.1:9", "public_key": signing.new_key()[1]}}}
    case = f.make_case(f.make_child(la_a), responsible_officer=officer_a, last_known_provider=school_a)
    client = client_for(officer_a)
    assert b"Send the case" in client.get("/handoffs").content
    client.post("/handoffs/send", {"case_reference": case.reference, "to_la_code": "907"})
    out = OutgoingHandoff.objects.get()
    assert out.case == case
    assert case.reference.encode() in client.get("/handoffs").content
    incoming = IncomingHandoff.objects.create(la=la_a, from_la_code="907", remote_uid="u-1", payload={
        "uid": "u-1", "from_la": "907", "from_la_name": "Eastdale Council", "to_la": "901", "case_reference": "C907-1",
        "child": {"forename": "Sam", "surname": "Lee", "dob": "2013-01-02", "sex": "M"},
        "why_missing": {"category": "missing", "reason": "moved_unknown"}, "flags": [], "flags_withheld": True})
    assert b"Sam Lee" in client.get("/handoffs").content
    client.post(f"/handoffs/incoming/{incoming.pk}/answer", {"decision": "decline", "reason": ""})
    incoming.refresh_from_db()
    assert incoming.status == "delivered"  # a decline needs a reason
    client.post(f"/handoffs/incoming/{incoming.pk}/answer", {"decision": "accept"})
    incoming.refresh_from_db()
    assert incoming.status == "accepted" and incoming.case.child.legal_surname == "Lee"


def test_officer_b_cannot_answer_authority_as_hand_off(client_for, officer_b, la_a):
    incoming = IncomingHandoff.objects.create(la=la_a, from_la_code="907", remote_uid="u-2", payload={"child": {}})
    assert client_for(officer_b).post(f"/handoffs/incoming/{incoming.pk}/answer", {"decision": "accept"}).status_code == 404
