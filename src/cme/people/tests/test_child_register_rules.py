"""What the register refuses when a child is added or changed: nothing is saved on bad input."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cme.audit.models import AuditEvent
from cme.people.models import Child, FormerUPN
from cme.people.services import child_create, child_flag_add, child_update


def test_child_added_to_register_is_audited(la_a, officer_a):
    child = child_create(actor=officer_a, la_id=la_a.pk, legal_forename="Ava", legal_surname="Khan",
                         date_of_birth=date(2015, 1, 2), flags=["young_carer"])
    assert child.flags.get().flag == "young_carer"
    assert AuditEvent.objects.filter(object_type="child", object_id=str(child.pk), action="create").exists()


@pytest.mark.parametrize(
    ("fields", "bad_field"),
    [
        ({"date_of_birth": timezone.localdate() + timedelta(days=1)}, "date_of_birth"),
        ({"date_of_birth": date(1990, 1, 1)}, "date_of_birth"),
        ({"upn": "A801200005001"}, "upn"),
        ({"uln": "1234567890"}, "uln"),
        ({"flags": ["dragon_rider"]}, "flags"),
        ({"legal_surname": "  "}, "legal_surname"),
    ],
)
def test_bad_child_details_are_refused_naming_the_field(la_a, officer_a, fields, bad_field):
    base = {"legal_forename": "Ava", "legal_surname": "Khan"}
    with pytest.raises(ValidationError) as e:
        child_create(actor=officer_a, la_id=la_a.pk, **{**base, **fields})
    assert bad_field in e.value.message_dict
    assert Child.objects.count() == 0


def test_replaced_upn_is_kept_as_a_former_upn(la_a, officer_a):
    child = child_create(actor=officer_a, la_id=la_a.pk, legal_forename="Ava", legal_surname="Khan",
                         upn="M80120000500A")
    child_update(actor=officer_a, child=child, upn="B801200005001")
    assert list(FormerUPN.objects.filter(child=child).values_list("upn", flat=True)) == ["M80120000500A"]
    assert child.history.count() == 2


def test_restricted_flag_is_not_named_in_the_audit_summary(la_a, officer_a, child_a):
    child_flag_add(actor=officer_a, child=child_a, flag="child_protection", detail="Section 47 enquiry")
    event = AuditEvent.objects.filter(child_id=child_a.pk).latest("id")
    assert "protection" not in event.summary.lower()
