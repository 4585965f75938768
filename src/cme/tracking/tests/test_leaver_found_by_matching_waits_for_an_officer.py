"""A leaver found again by matching alone is a possible match for an officer, not a child found: a
twin given a second spelling of the leaver's name (Ella and Ellie, the same birthday) looks just
like the leaver's own record under that spelling. The officer's decision holds over every later
run; LA B sees and decides nothing of A's (the API's side: cme/api/tests/test_api_leaver_matches.py)."""

import datetime as dt

import pytest

from cme.audit.models import AuditEvent
from cme.intake.models import Channel, Referral
from cme.testing import factories as f
from cme.tracking.models import Leaver, LeaverMatch, LeaverStatus, NewEntry
from cme.tracking.services import (
    deletion_return_record,
    leaver_match_decide,
    leavers_reconcile,
    new_entry_decide,
    new_entry_record,
)

pytestmark = pytest.mark.django_db
BORN = dt.date(2016, 3, 3)


@pytest.fixture
def ella(la_a, school_a):
    from cme.attendance.calendar import DEMO_CALENDAR
    from cme.attendance.services import term_dates_import

    lines = [line for line in DEMO_CALENDAR.read_text().splitlines(keepends=True)
             if line.startswith(("scope", "901,"))]
    term_dates_import(actor=None, la_id=la_a.pk, lines=lines, filename="terms.csv")
    child = f.make_child(la_a, legal_forename="Ella", legal_surname="Burton", upn=f.make_upn("901"),
                         date_of_birth=BORN, sex="F")
    f.enrol(child, school_a, upn=child.upn)
    deletion_return_record(actor=None, provider=school_a, child=child, deleted_on=dt.date(2025, 1, 10),
                           ground="g", source="api")
    return child


@pytest.fixture
def high(la_a):
    return f.make_school(la_a, "Northmoor High", estab="4002")


@pytest.fixture
def ellie_at_high(la_a, high):
    """A pupil admitted elsewhere the week Ella left: Ella under a second spelling, or her twin."""
    twin = f.make_child(la_a, legal_forename="Ellie", legal_surname="Burton", date_of_birth=BORN, sex="F")
    return f.enrol(twin, high, dt.date(2025, 1, 15))


def _leaver(child) -> Leaver:
    return Leaver.objects.get(child=child)


def _roll_new_entry(enrolment) -> NewEntry:
    """The new entry a roll import makes of a joiner."""
    child = enrolment.child
    return new_entry_record(actor=None, provider=enrolment.provider, entry_date=enrolment.entry_date, source="roll",
                            enrolment=enrolment, child=child, person={
                                "upn": "", "forename": child.legal_forename, "surname": child.legal_surname,
                                "dob": child.date_of_birth.isoformat(), "sex": child.sex})


def test_a_record_found_by_matching_alone_leaves_the_leaver_not_found_with_a_match_to_confirm(
        ella, ellie_at_high, la_a):
    summary = leavers_reconcile(la_id=la_a.pk, as_of=dt.date(2025, 1, 17))
    leaver = _leaver(ella)
    assert leaver.status == LeaverStatus.UNRECONCILED and leaver.found_at == ""
    assert leaver.match_state == LeaverMatch.TO_CONFIRM and leaver.found_enrolment == ellie_at_high
    assert 0.5 < leaver.probability < 1.0
    assert summary.to_confirm == 1 and summary.counts == {"unreconciled": 1}


def test_a_possible_match_unconfirmed_past_the_grace_period_is_referred_with_the_match_named(
        ella, ellie_at_high, la_a):
    leavers_reconcile(la_id=la_a.pk, as_of=dt.date(2025, 3, 3))
    referral = Referral.objects.get(channel=Channel.RECONCILIATION)
    assert _leaver(ella).referral == referral
    assert "A possible match waits for an officer" in referral.concerns and "Northmoor High" in referral.concerns


def test_the_same_childs_record_elsewhere_is_found_without_asking(ella, high, la_a):
    f.enrol(ella, high, dt.date(2025, 1, 15))
    leavers_reconcile(la_id=la_a.pk, as_of=dt.date(2025, 3, 3))
    leaver = _leaver(ella)
    assert leaver.status == LeaverStatus.ON_ROLL and leaver.found_at == "Northmoor High"
    assert leaver.match_state == LeaverMatch.NONE and leaver.referral is None


def test_a_confirmed_match_is_found_again_and_stays_so_on_later_runs(ella, ellie_at_high, la_a, officer_a):
    leavers_reconcile(la_id=la_a.pk, as_of=dt.date(2025, 3, 3))
    referral = _leaver(ella).referral
    case = f.make_case(ella, responsible_officer=officer_a)
    leaver = leaver_match_decide(actor=officer_a, leaver=_leaver(ella), confirm=True)
    assert (leaver.status, leaver.found_at, leaver.school_days) == (LeaverStatus.ON_ROLL, "Northmoor High", None)
    referral.refresh_from_db()
    assert referral.status == "not_cme" and "Northmoor High" in referral.closed_reason
    [task] = case.tasks.all()
    assert "Child found at Northmoor High" in task.title
    summary = leavers_reconcile(la_id=la_a.pk, as_of=dt.date(2025, 3, 10))
    assert _leaver(ella).status == LeaverStatus.ON_ROLL and summary.to_confirm == 0
    assert AuditEvent.objects.filter(object_type="leaver", summary__startswith="Confirmed the leaver").exists()


def test_a_rejected_match_is_never_put_forward_again(ella, ellie_at_high, la_a, officer_a):
    leavers_reconcile(la_id=la_a.pk, as_of=dt.date(2025, 1, 17))
    leaver_match_decide(actor=officer_a, leaver=_leaver(ella), confirm=False)
    leaver = _leaver(ella)
    assert leaver.status == LeaverStatus.UNRECONCILED and leaver.match_state == LeaverMatch.NONE
    assert leaver.rejected == [ellie_at_high.pk]
    leavers_reconcile(la_id=la_a.pk, as_of=dt.date(2025, 3, 3))
    leaver = _leaver(ella)
    assert leaver.match_state == LeaverMatch.NONE and leaver.found_enrolment is None
    assert leaver.referral is not None and leaver.school_days > 10


def test_a_decision_needs_a_match_waiting(ella, la_a, officer_a):
    from django.core.exceptions import ValidationError

    leavers_reconcile(la_id=la_a.pk, as_of=dt.date(2025, 1, 17))
    with pytest.raises(ValidationError):
        leaver_match_decide(actor=officer_a, leaver=_leaver(ella), confirm=True)


def test_a_confirmed_new_entry_with_no_roll_record_stays_found_on_later_runs(ella, high, la_a, officer_a):
    """A school's new-entry return confirmed by the officer, before the school's roll arrives: the
    nightly run, which sees no record of the child at the new school, must not undo it."""
    leavers_reconcile(la_id=la_a.pk, as_of=dt.date(2025, 3, 3))
    entry = new_entry_record(actor=None, provider=high, entry_date=dt.date(2025, 3, 4), source="api", person={
        "upn": "", "forename": "Ela", "surname": "Burton", "dob": BORN.isoformat(), "sex": "F"})
    assert entry.match_state == NewEntry.MatchState.TO_CONFIRM
    new_entry_decide(actor=officer_a, entry=entry, confirm=True)
    leavers_reconcile(la_id=la_a.pk, as_of=dt.date(2025, 3, 5))
    leaver = _leaver(ella)
    assert (leaver.status, leaver.found_at, leaver.match_state) == (
        LeaverStatus.ON_ROLL, "Northmoor High", LeaverMatch.CONFIRMED)


def test_a_new_entry_rejected_for_the_leaver_is_not_put_forward_by_the_nightly_run(ella, ellie_at_high, high,
                                                                                  la_a, officer_a):
    leavers_reconcile(la_id=la_a.pk, as_of=dt.date(2025, 1, 12))
    entry = _roll_new_entry(ellie_at_high)
    assert entry.matched_leaver == _leaver(ella)
    new_entry_decide(actor=officer_a, entry=entry, confirm=False)
    leavers_reconcile(la_id=la_a.pk, as_of=dt.date(2025, 1, 17))
    assert _leaver(ella).match_state == LeaverMatch.NONE


def test_deciding_the_leavers_match_decides_the_new_entry_that_put_it_forward(ella, ellie_at_high, high,
                                                                             la_a, officer_a):
    leavers_reconcile(la_id=la_a.pk, as_of=dt.date(2025, 1, 12))
    entry = _roll_new_entry(ellie_at_high)
    leavers_reconcile(la_id=la_a.pk, as_of=dt.date(2025, 1, 17))
    leaver_match_decide(actor=officer_a, leaver=_leaver(ella), confirm=False)
    entry.refresh_from_db()
    assert entry.match_state == NewEntry.MatchState.REJECTED and entry.decided_by == officer_a


@pytest.mark.parametrize("persona", ["officer_a", "manager_a", "officer_b"], indirect=True)
def test_possible_matches_are_shown_and_decided_on_the_page_by_their_own_authority_only(
        persona, client_for, ella, ellie_at_high, la_a):
    leavers_reconcile(la_id=la_a.pk, as_of=dt.date(2025, 1, 17))
    client = client_for(persona)
    html = client.get("/leavers").content.decode()
    mine = persona.la_id == la_a.pk
    assert ("Possible matches to confirm" in html) == mine
    assert ("admitted to Northmoor High" in html) == mine
    leaver = _leaver(ella)
    response = client.post(f"/leavers/{leaver.pk}/match", {"decision": "confirm"})
    assert response.status_code == (302 if mine else 404)
    assert _leaver(ella).status == (LeaverStatus.ON_ROLL if mine else LeaverStatus.UNRECONCILED)


def test_the_leavers_export_names_the_possible_match(client_for, officer_a, ella, ellie_at_high, la_a):
    import csv
    import io

    leavers_reconcile(la_id=la_a.pk, as_of=dt.date(2025, 1, 17))
    response = client_for(officer_a).get("/leavers?format=csv")
    [row] = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert row["forename"] == "Ella" and row["possible_match_at"] == "Northmoor High"
    assert 0.5 < float(row["possible_match_probability"]) < 1


def test_a_school_user_cannot_decide_a_leavers_match(client_for, school_user_a, ella, ellie_at_high, la_a):
    leavers_reconcile(la_id=la_a.pk, as_of=dt.date(2025, 1, 17))
    response = client_for(school_user_a).post(f"/leavers/{_leaver(ella).pk}/match", {"decision": "confirm"})
    assert response.status_code in (403, 404)
    assert _leaver(ella).match_state == LeaverMatch.TO_CONFIRM
