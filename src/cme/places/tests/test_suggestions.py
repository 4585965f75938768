"""Suggestions on a case: ranked, with reasons; never closed, full or the wrong phase."""

from cme.places import selectors
from cme.places.models import YearGroupPlaces
from cme.places.services import places_refresh_roll
from cme.testing import factories as f


def names(found):
    return [s.option.name for s in found]


def test_the_familys_preference_comes_first_then_the_nearest(place_case):
    _, found, gaps = selectors.case_places(case=place_case)
    assert names(found) == ["Hilltop High School", "Moor Lane Academy", "Fresh Start Centre"]
    assert "The family asked for this provider" in found[0].reasons
    assert gaps == []


def test_closed_full_and_primary_schools_are_never_suggested(place_case, area):
    YearGroupPlaces.objects.filter(provider=area["near"]).update(school_places_free=0)
    _, found, _ = selectors.case_places(case=place_case)
    assert "Moor Lane Academy" not in names(found)
    assert "Old Mill School" not in names(found) and "Brook Primary" not in names(found)


def test_a_brother_on_roll_is_a_reason(place_case, area, la_a):
    brother = f.make_child(la_a)
    brother.addresses.create(line1="1 moor lane", postcode="NM1 1AA")
    f.enrol(brother, area["near"], year_group="10")
    _, found, _ = selectors.case_places(case=place_case)
    near = next(s for s in found if s.option.name == "Moor Lane Academy")
    assert "A brother or sister is on roll here" in near.reasons


def test_a_roll_import_recounts_the_places(area, la_a):
    for _ in range(3):
        f.enrol(f.make_child(la_a), area["near"], year_group=area["year"])
    places_refresh_roll(provider_id=area["near"].pk)
    figure = YearGroupPlaces.objects.get(provider=area["near"])
    assert (figure.on_roll, figure.places_free) == (3, 27)


def test_a_figure_older_than_the_limit_is_stale(area, settings):
    settings.CME_PLACES_STALE_DAYS = 30
    import datetime as dt

    from django.utils import timezone

    YearGroupPlaces.objects.filter(provider=area["far"]).update(roll_counted_at=timezone.now() - dt.timedelta(days=40))
    rows = selectors.provider_places(provider=area["far"])
    assert rows[0].stale and not selectors.provider_places(provider=area["near"])[0].stale
