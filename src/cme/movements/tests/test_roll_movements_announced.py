"""A roll import tells the rooms above of each joiner and leaver (cme.movements.signals), once it
commits: never for a refused import, and not for a provider's first roll, whose pupils are all new
only because the roll was not known before."""

from datetime import date

import pytest

from cme.movements.services import RollRefused, roll_import_csv
from cme.movements.signals import leaver_recorded, new_entry_recorded
from cme.movements.tests.conftest import AMELIA, OLIVER, SIOBHAN, ZOFIA, roll_csv
from cme.providers.models import Enrolment

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    calls: dict[str, list[dict]] = {"new": [], "left": []}

    def on_new(sender, **kwargs):
        calls["new"].append(kwargs)

    def on_left(sender, **kwargs):
        calls["left"].append(kwargs)

    new_entry_recorded.connect(on_new, dispatch_uid="test-new")
    leaver_recorded.connect(on_left, dispatch_uid="test-left")
    yield calls
    new_entry_recorded.disconnect(dispatch_uid="test-new")
    leaver_recorded.disconnect(dispatch_uid="test-left")


def test_joiners_and_leavers_of_a_second_roll_are_announced_after_commit(
        officer_a, school_a, heard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        roll_import_csv(actor=officer_a, provider=school_a, as_of=date(2025, 9, 10),
                        data=roll_csv(AMELIA, OLIVER, ZOFIA))
    assert heard == {"new": [], "left": []}  # the first roll: everyone is new to the LA's records
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        roll_import_csv(actor=officer_a, provider=school_a, as_of=date(2025, 10, 1),
                        data=roll_csv(AMELIA, ZOFIA, SIOBHAN))
    assert heard == {"new": [], "left": []}  # nothing before the commit
    for callback in callbacks:
        callback()
    [joiner] = heard["new"]
    siobhan = Enrolment.objects.get(child__legal_forename="Siobhán")
    assert joiner == {
        "signal": new_entry_recorded, "la_id": school_a.la_id, "provider_id": school_a.pk,
        "child_id": siobhan.child_id, "entry_date": siobhan.entry_date, "source": "roll", "record": siobhan,
        "person": {"upn": "F901200120032", "forename": "Siobhán", "middle_names": "", "surname": "O'Neill",
                   "former_surname": "", "dob": "2015-03-21", "sex": "F", "postcode": "NM3 1RT",
                   "address": "5 Harbour View, Northmoor"}}
    [leaver] = heard["left"]
    oliver = Enrolment.objects.get(child__legal_forename="Oliver")
    assert leaver == {"signal": leaver_recorded, "la_id": school_a.la_id, "provider_id": school_a.pk,
                      "child_id": oliver.child_id, "leaving_date": date(2025, 10, 1), "ground": "",
                      "destination": "", "source": "roll", "record": oliver}


def test_a_refused_roll_announces_nothing(officer_a, school_a, heard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        roll_import_csv(actor=officer_a, provider=school_a, as_of=date(2025, 9, 10), data=roll_csv(AMELIA, OLIVER))
        with pytest.raises(RollRefused):
            roll_import_csv(actor=officer_a, provider=school_a, as_of=date(2025, 10, 1),
                            data=roll_csv(AMELIA, SIOBHAN.replace("2015-03-21", "2015-02-30")))
    assert heard == {"new": [], "left": []}
