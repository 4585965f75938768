"""The home page: what each kind of user sees first."""

import pytest

from cme.audit.models import Action, AuditEvent
from cme.testing import factories as f


@pytest.fixture
def la_a_work(la_a, officer_a, manager_a):
    """Cases and referrals of LA A: two open cases for the officer, one closed, two referrals."""
    mine = [
        f.make_case(f.make_child(la_a, legal_forename="Ruby", legal_surname="Hartley"), responsible_officer=officer_a, stage="locating"),
        f.make_case(f.make_child(la_a, legal_forename="Tom", legal_surname="Okafor"), responsible_officer=officer_a, stage="logged"),
    ]
    closed = f.make_case(f.make_child(la_a), responsible_officer=officer_a, stage="closed")
    others = f.make_case(f.make_child(la_a, legal_forename="Ada", legal_surname="Byrne"), responsible_officer=manager_a, stage="logged")
    referrals = [
        f.make_referral(la_a, child_forename="Leo", child_surname="Marsh"),
        f.make_referral(la_a, child_forename="Mia", child_surname="Dunn"),
    ]
    return {"mine": mine, "closed": closed, "others": others, "referrals": referrals}


def test_officer_sees_their_open_cases_and_the_referral_queue(client_for, officer_a, la_a_work):
    page = client_for(officer_a).get("/")
    assert page.status_code == 200
    html = page.content.decode()
    for case in la_a_work["mine"]:
        assert case.reference in html
        assert f'href="/cases/{case.pk}"' in html
    assert la_a_work["closed"].reference not in html.split("Referrals waiting for triage")[0]
    assert la_a_work["others"].reference not in html
    assert "2 referrals are waiting for triage" in html
    for referral in la_a_work["referrals"]:
        assert referral.reference in html


def test_home_counts_cases_by_stage_linking_to_the_filtered_list(client_for, manager_a, la_a_work):
    html = client_for(manager_a).get("/").content.decode()
    assert 'href="/cases?stage=logged">Logged</a>' in html
    # Two cases are at "logged" (the officer's and the manager's).
    logged_row = html.split('href="/cases?stage=logged">Logged</a>')[1].split("</tr>")[0]
    assert ">2<" in logged_row.replace(" ", "").replace("\n", "")


def test_manager_sees_only_their_own_cases_as_theirs(client_for, manager_a, la_a_work):
    html = client_for(manager_a).get("/").content.decode()
    mine_section = html.split("Referrals waiting for triage")[0]
    assert la_a_work["others"].reference in mine_section
    assert la_a_work["mine"][0].reference not in mine_section


def test_officer_of_another_la_sees_nothing_of_la_a(client_for, officer_b, la_a_work):
    html = client_for(officer_b).get("/").content.decode()
    for case in [*la_a_work["mine"], la_a_work["others"], la_a_work["closed"]]:
        assert case.reference not in html
        assert case.child.legal_surname not in html
    for referral in la_a_work["referrals"]:
        assert referral.reference not in html
        assert referral.child_surname not in html
    assert "No referrals are waiting for triage" in html
    assert "Eastdale Council" in html
    assert "Northmoor Council" not in html


@pytest.mark.parametrize("persona", ["officer_a", "manager_a", "officer_b"], indirect=True)
def test_home_is_audited_for_each_persona(client_for, persona, la_a_work):
    client_for(persona).get("/")
    assert AuditEvent.objects.filter(actor_id=persona.pk, action=Action.SEARCH, object_type="referral").exists()


def test_partner_gets_links_to_refer_and_to_their_referrals(client_for, partner_a, la_a_work):
    html = client_for(partner_a).get("/").content.decode()
    assert "Make a referral" in html
    assert 'href="/partner/referrals/new"' in html
    assert 'href="/partner/referrals"' in html
    for case in la_a_work["mine"]:
        assert case.reference not in html
    assert "waiting for triage" not in html


def test_school_user_gets_links_to_pupils_and_to_refer(client_for, school_user_a, la_a_work):
    html = client_for(school_user_a).get("/").content.decode()
    assert "Your pupils" in html
    assert "Make a referral" in html
    assert "Northmoor Primary School" in html
    for case in la_a_work["mine"]:
        assert case.reference not in html
