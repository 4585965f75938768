"""Providers that stop sending registers are listed per provider, with no child and no referral."""

import datetime as dt

import pytest

from cme.intake.models import Referral, ScreeningFinding
from cme.intake.screening_service import screening_run
from cme.intake.tests.screening_builders import last_day, store_register, weeks
from cme.providers.models import OrgKind
from cme.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def silent_provider(la_a, school_a):
    """School A sends registers to the as-of date; an alternative provider stopped three weeks before."""
    ap = f.make_school(la_a, "Moorside Alternative Provision", estab="1101", kind=OrgKind.ALTERNATIVE_PROVISION)
    sessions = weeks(9)
    store_register(f.make_child(la_a, upn=f.make_upn("901")), school_a, sessions)
    store_register(f.make_child(la_a, upn=f.make_upn("901", estab="1101")), ap, weeks(6))
    as_of = last_day(sessions) - dt.timedelta(days=2)  # the Friday of week 9
    screening_run(la_id=la_a.pk, as_of=as_of)
    return ap, as_of


def test_registers_missing_is_one_finding_for_the_provider(silent_provider, school_a):
    ap, _ = silent_provider
    finding = ScreeningFinding.objects.get(rule="registers_missing")
    assert finding.provider == ap and finding.child is None and finding.referral is None
    assert finding.evidence == {"latest_marked_day": "2025-10-10", "weekdays": 15}
    assert not Referral.objects.filter(last_known_school=ap.name).exists()


def test_the_missing_registers_page_lists_each_silent_provider(silent_provider, client_for, officer_a, school_a):
    _ap, _ = silent_provider
    page = client_for(officer_a).get("/at-risk/missing-registers").content.decode()
    assert "Moorside Alternative Provision" in page
    assert "10 October 2025" in page and ">15<" in page.replace(" ", "").replace("\n", "")
    assert school_a.name not in page


def test_a_provider_sending_again_is_cleared(silent_provider, la_a, school_a):
    ap, as_of = silent_provider
    child = ap.enrolments.get().child
    store_register(child, ap, weeks(9), enrolment=ap.enrolments.get())

    screening_run(la_id=la_a.pk, as_of=as_of)

    assert ScreeningFinding.objects.get(rule="registers_missing").cleared_on == as_of
