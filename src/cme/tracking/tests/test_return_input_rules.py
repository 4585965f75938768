"""A deletion return's next school is a LAESTAB in plain digits (cme.core.inputs): "²" and
Arabic-Indic digits are digits to Python's isdigit, not to a school's number."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from cme.testing import factories as f
from cme.tracking.models import DeletionReturn
from cme.tracking.services import deletion_return_record

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("destination", ["²²²²²²²", "٩٠١١٠٠١"])
def test_a_destination_must_be_a_laestab_in_plain_digits(la_a, school_a, destination):
    child = f.make_child(la_a)
    f.enrol(child, school_a)
    with pytest.raises(ValidationError) as error:
        deletion_return_record(actor=None, provider=school_a, child=child, deleted_on=dt.date(2025, 1, 10),
                               ground="a", source="api", destination=destination)
    assert "destination" in error.value.message_dict
    assert not DeletionReturn.objects.exists()
