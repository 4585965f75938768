"""A small authority with places: two secondaries, a primary, an AP and a closed school, each
with coordinates, and a Year 8 child on a case at "needs determined"."""

import datetime as dt

import pytest
from django.utils import timezone

from cme.accounts.models import Role
from cme.cases.casework.models import NeedsAssessment
from cme.people.models import Address
from cme.places.models import Postcode, ProviderProfile, YearGroupPlaces
from cme.places.ranking import year_group_for, year_label
from cme.providers.models import Organisation, OrgKind, Status
from cme.testing import factories as f

POINTS = {"NM1 1AA": (53.800, -1.550), "NM1 2BB": (53.805, -1.550), "NM2 3CC": (53.850, -1.550),
          "NM3 4DD": (53.820, -1.550), "NM4 5EE": (53.801, -1.551)}


def provider(la, name, estab, postcode, kind=OrgKind.SCHOOL, phase="secondary", **kw):
    return Organisation.objects.create(kind=kind, name=name, la=la, la_code=la.la_code, estab=estab,
                                       phase=phase, postcode=postcode, **kw)


@pytest.fixture
def area(la_a):
    for pc, (lat, lon) in POINTS.items():
        Postcode.objects.create(postcode=pc, latitude=lat, longitude=lon)
    today = timezone.localdate()
    year = year_label(year_group_for(dt.date(2013, 1, 10), today))
    near = provider(la_a, "Moor Lane Academy", "4101", "NM1 2BB")
    far = provider(la_a, "Hilltop High School", "4102", "NM2 3CC")
    primary = provider(la_a, "Brook Primary", "2101", "NM1 2BB", phase="primary")
    closed = provider(la_a, "Old Mill School", "4103", "NM4 5EE", status=Status.CLOSED, is_open=False)
    ap = provider(la_a, "Fresh Start Centre", "1101", "NM3 4DD", kind=OrgKind.ALTERNATIVE_PROVISION, phase="")
    ProviderProfile.objects.create(provider=ap, low_year=7, high_year=11, needs_met="semh,excluded", places_free=4,
                                   places_given_on=today, referral_route="Through the CME team")
    for org in (near, far, closed):
        YearGroupPlaces.objects.create(provider=org, year_group=year, capacity=30, on_roll=27, roll_counted_at=timezone.now())
    YearGroupPlaces.objects.create(provider=primary, year_group="6", capacity=30, on_roll=20, roll_counted_at=timezone.now())
    return {"near": near, "far": far, "primary": primary, "closed": closed, "ap": ap, "year": year}


@pytest.fixture
def place_case(area, la_a, officer_a):
    child = f.make_child(la_a, legal_forename="Maya", legal_surname="Brook", date_of_birth=dt.date(2013, 1, 10))
    Address.objects.create(child=child, line1="1 Moor Lane", postcode="NM1 1AA")
    case = f.make_case(child, responsible_officer=officer_a, stage="needs_determined", reason="exclusion",
                       located_on=timezone.localdate() - dt.timedelta(days=5))
    NeedsAssessment.objects.create(case=case, assessed_by=officer_a, state="not_needed",
                                   recommended_provision="mainstream", parent_preferences="Hilltop High School please",
                                   sen_status="none", assessed_on=timezone.localdate())
    return case


@pytest.fixture
def near_school_user(area):
    return f.make_user(area["near"], Role.SCHOOL, username="nina")


@pytest.fixture
def far_school_user(area):
    return f.make_user(area["far"], Role.SCHOOL, username="fred")
