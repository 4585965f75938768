import pytest
from django.core.exceptions import ValidationError

from cme.audit.models import AuditEvent
from cme.cases.models import Stage
from cme.intake.models import ReferralStatus
from cme.intake.services import referral_close_not_cme, referral_create, referral_triage
from cme.people.models import Child
from cme.testing import factories as f


def test_referral_from_police_opens_case_for_new_child(la_a, officer_a):
    referral = referral_create(
        la=la_a, channel="phone", child_forename="Leo", child_surname="Marsh",
        referrer_organisation="Northmoor Police", concerns="Seen in town in school hours",
    )
    case = referral_triage(actor=officer_a, referral=referral, category="missing", reason="never_started")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.CASE_OPENED
    assert referral.case == case
    assert case.child.full_name == "Leo Marsh"
    assert case.stage == Stage.IDENTIFIED
    assert case.reference.startswith("C901-")
    assert AuditEvent.objects.filter(object_type="case", action="create", object_id=str(case.pk)).exists()


def test_referral_keeps_what_was_given_when_officer_corrects_it(la_a, officer_a):
    from cme.intake.services import referral_update

    referral = referral_create(la=la_a, channel="email", child_forename="leo", child_surname="marsh ")
    referral_update(actor=officer_a, referral=referral, child_surname="Marsh")
    referral.refresh_from_db()
    assert referral.child_surname == "Marsh"
    assert referral.as_received["fields"]["child_surname"] == "marsh "


def test_second_referral_for_same_child_joins_open_case(la_a, officer_a):
    first = referral_create(la=la_a, channel="phone", child_forename="Leo", child_surname="Marsh")
    case = referral_triage(actor=officer_a, referral=first, category="missing", reason="other")
    second = referral_create(la=la_a, channel="email", child_forename="Leo", child_surname="Marsh")
    again = referral_triage(
        actor=officer_a, referral=second, category="missing", reason="other", child=case.child
    )
    second.refresh_from_db()
    assert again == case
    assert second.status == ReferralStatus.ADDED_TO_CASE
    assert Child.objects.count() == 1


def test_triaged_referral_cannot_be_triaged_again(la_a, officer_a):
    referral = referral_create(la=la_a, channel="phone", child_surname="Marsh")
    referral_close_not_cme(actor=officer_a, referral=referral, reason="On roll at a school in Leeds")
    with pytest.raises(ValidationError):
        referral_triage(actor=officer_a, referral=referral, category="missing", reason="other")


def test_officer_cannot_triage_into_child_of_other_la(la_a, la_b, officer_a):
    referral = referral_create(la=la_a, channel="phone", child_surname="Marsh")
    other = f.make_child(la_b)
    with pytest.raises(ValidationError) as e:
        referral_triage(actor=officer_a, referral=referral, category="missing", reason="other", child=other)
    assert "child" in e.value.message_dict


def test_referral_with_future_birth_date_is_refused_and_nothing_saved(la_a):
    from datetime import date

    from cme.intake.models import Referral

    with pytest.raises(ValidationError) as e:
        referral_create(la=la_a, channel="phone", child_surname="X", child_date_of_birth=date(2099, 1, 1))
    assert "child_date_of_birth" in e.value.message_dict
    assert Referral.objects.count() == 0


def test_referral_with_wrong_upn_check_letter_is_refused(la_a):
    with pytest.raises(ValidationError) as e:
        referral_create(la=la_a, channel="phone", child_surname="X", child_upn="A801200005001")
    assert "check letter" in e.value.message_dict["child_upn"][0]
