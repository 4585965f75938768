"""The demo has places at every school, an AP directory, requests in every state and a panel
with minutes, in each authority."""

import pytest
from django.core.management import call_command

from cme.places.models import (
    AgendaItem,
    PanelMeeting,
    PlacementRequest,
    Postcode,
    ProviderProfile,
    YearGroupPlaces,
)
from cme.providers.models import Organisation, OrgKind


@pytest.fixture
def demo(db):
    call_command("demo-data", scale=200, cases=40, verbosity=0)


def test_demo_places_directory_requests_and_panel(demo):
    for la in Organisation.objects.filter(kind=OrgKind.LA, la_code__in=["901", "907"]):
        schools = Organisation.objects.filter(la=la, kind=OrgKind.SCHOOL)
        assert all(YearGroupPlaces.objects.filter(provider=s).exists() for s in schools)
        assert ProviderProfile.objects.filter(provider__la=la).count() >= 2
        states = set(PlacementRequest.objects.filter(case__la=la).values_list("state", flat=True))
        assert states == {"waiting", "offered", "refused", "no_answer", "withdrawn"}, states
        meeting = PanelMeeting.objects.get(panel__la=la)
        assert AgendaItem.objects.filter(meeting=meeting).exclude(decision="").exists()
    assert Postcode.objects.filter(postcode__startswith="NM").exists()
