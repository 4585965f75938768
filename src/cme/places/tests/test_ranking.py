"""The ranking of suitable places (pure): never closed, full or wrong-phase; reasons in words."""

import datetime as dt

from cme.places import ranking as r

HOME = (53.80, -1.55)


def option(pk, **kw):
    base = dict(id=pk, laestab=f"901{pk:04d}", name=f"School {pk}", kind="school", phase="secondary",
                places_free={8: 3}, lat=53.81, lon=-1.55)
    base.update(kw)
    return r.Option(**base)


def child(**kw):
    base = dict(year=8, age=12, lat=HOME[0], lon=HOME[1])
    base.update(kw)
    return r.Child(**base)


def test_closed_full_and_wrong_phase_providers_are_never_suggested():
    options = [option(1), option(2, closed=True), option(3, places_free={8: 0}), option(4, phase="primary"),
               option(5, places_free={7: 5}), option(6, high_year=7)]
    assert [s.option.id for s in r.suggest(child(), options)] == [1]


def test_nearer_school_ranks_first_and_reasons_say_why():
    near, far = option(1, lat=53.801), option(2, lat=53.90)
    found = r.suggest(child(), [far, near])
    assert [s.option.id for s in found] == [1, 2]
    assert found[0].reasons[0] == "Year 8: 3 places free"
    assert any("km from the child's home" in reason for reason in found[0].reasons)
    assert 11.0 < found[1].distance_km < 11.2


def test_family_preference_and_sibling_school_come_before_distance():
    found = r.suggest(child(preferred=frozenset({3}), sibling_schools=frozenset({2})),
                      [option(1, lat=53.801), option(2, lat=53.85), option(3, lat=53.9)])
    assert [s.option.id for s in found] == [3, 2, 1]
    assert "The family asked for this provider" in found[0].reasons
    assert "A brother or sister is on roll here" in found[1].reasons


def test_need_met_and_recommended_provision_count():
    ap = option(2, kind="ap", phase="", needs_met=frozenset({"semh"}), lat=53.83, low_age=11, high_age=16)
    found = r.suggest(child(needs=frozenset({"semh"}), recommended="alternative"), [option(1), ap])
    assert found[0].option.id == 2
    assert "Meets social, emotional and mental health needs" in found[0].reasons
    assert "Takes ages 11 to 16" in found[0].reasons


def test_an_ap_beyond_the_distance_it_serves_is_left_out_and_ages_are_kept():
    ap = option(2, kind="ap", phase="", lat=53.95, serves_km=5.0)
    assert r.suggest(child(), [ap]) == []
    assert r.suggest(child(age=17), [option(1, high_age=16)]) == []


def test_unknown_distance_ranks_last_and_says_so():
    found = r.suggest(child(), [option(1, lat=None, lon=None), option(2, lat=53.9)])
    assert [s.option.id for s in found] == [2, 1]
    assert "Distance not known (no coordinates for a postcode)" in found[1].reasons


def test_year_group_and_age_from_date_of_birth():
    assert r.year_group_for(dt.date(2014, 3, 1), dt.date(2025, 10, 1)) == 7
    assert r.year_group_for(dt.date(2013, 9, 1), dt.date(2025, 10, 1)) == 7
    assert r.year_group_for(dt.date(2013, 8, 31), dt.date(2025, 10, 1)) == 8
    assert r.year_group_for(dt.date(2020, 12, 1), dt.date(2025, 10, 1)) == 0
    assert r.age_on(dt.date(2014, 3, 1), dt.date(2026, 2, 28)) == 11
    assert r.year_label(0) == "R" and r.year_number("r") == 0 and r.year_number("X") is None


def test_haversine_is_the_straight_line():
    # London (Charing Cross) to Leeds: about 272 km.
    assert 268 < r.haversine_km(51.5074, -0.1278, 53.7997, -1.5492) < 276
