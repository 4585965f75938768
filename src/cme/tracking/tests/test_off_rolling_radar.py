"""The off-rolling radar (issue 11, point 5): deletions per school per term against the council's
rate for that term, by ground and year group, with the pupils behind each figure; managers only,
and a council sees only its own schools."""

import datetime as dt

import pytest

from cme.accounts.models import Role
from cme.testing import factories as f
from cme.tracking.selectors import off_rolling_radar
from cme.tracking.services import deletion_return_record

pytestmark = pytest.mark.django_db


def _pupils(la, school, n, year_group="7"):
    children = []
    for _ in range(n):
        child = f.make_child(la)
        f.enrol(child, school, year_group=year_group)
        children.append(child)
    return children


@pytest.fixture
def schools(la_a, school_a):
    """School A takes four Year 10 and 11 pupils off roll for home education in one spring term;
    Moorside takes off one pupil under (g) with no destination; Riverside none."""
    moorside = f.make_school(la_a, "Moorside Academy", estab="4002")
    riverside = f.make_school(la_a, "Riverside School", estab="4003")
    leaving = _pupils(la_a, school_a, 4, year_group="10") + _pupils(la_a, school_a, 16)
    gone = _pupils(la_a, moorside, 20)
    _pupils(la_a, riverside, 40)
    for i, child in enumerate(leaving[:4]):
        deletion_return_record(actor=None, provider=school_a, child=child, deleted_on=dt.date(2025, 2, 3 + i),
                               ground="f", source="api", notice_received=True)
    deletion_return_record(actor=None, provider=moorside, child=gone[0], deleted_on=dt.date(2025, 2, 4),
                           ground="g", source="api")
    # An autumn deletion, another term: it does not raise the spring rate.
    deletion_return_record(actor=None, provider=moorside, child=gone[1], deleted_on=dt.date(2024, 11, 4),
                           ground="g", source="api", destination="8881234")
    return school_a, moorside, leaving[:4]


def test_a_school_far_above_the_councils_rate_that_term_is_flagged_with_its_pupils(schools, manager_a):
    school_a, moorside, leavers = schools
    rows, norms = off_rolling_radar(user=manager_a)
    assert set(norms) == {"Spring 2025", "Autumn 2024"}
    on_roll = 16 + 18 + 40
    assert norms["Spring 2025"]["f"] == pytest.approx(100 * 4 / on_roll)
    assert norms["Autumn 2024"]["all"] == pytest.approx(100 / on_roll) and norms["Autumn 2024"]["f"] == 0
    first = rows[0]
    assert (first.provider, first.term, first.deletions) == (school_a.name, "Spring 2025", 4)
    assert first.by_ground == {"f": 4} and first.by_year == {"10": 4}
    assert [c.split(":")[0] for c in first.concerns] == ["4 Years 10 and 11", "4 home education (f)"]
    assert [p.name for p in first.pupils] == [c.full_name for c in leavers]
    assert all(p.kinds == ("y10_11", "f") for p in first.pupils)
    others = {(r.provider, r.term): r for r in rows[1:]}
    spring = others[(moorside.name, "Spring 2025")]
    assert spring.g_without_destination == 1 and spring.concerns == []  # one pupil is not a pattern
    assert others[(moorside.name, "Autumn 2024")].g_without_destination == 0  # a destination was given


def test_the_radar_page_shows_managers_the_pupils_behind_each_figure(schools, manager_a, client_for):
    _, _, leavers = schools
    html = client_for(manager_a).get("/leavers/radar").content.decode()
    assert "Moorside Academy" in html and "The pupils behind each figure" in html
    assert all(c.full_name in html for c in leavers)
    assert "4 home education (f)" in html and "Year 10: 4" in html


@pytest.mark.parametrize("persona", ["officer_a", "school_user_a", "officer_b"], indirect=True)
def test_only_managers_see_the_radar(schools, persona, client_for):
    assert client_for(persona).get("/leavers/radar").status_code == 403


def test_another_councils_manager_sees_none_of_its_schools(schools, la_b, client_for):
    manager_b = f.make_user(la_b, Role.MANAGER, username="mona")
    html = client_for(manager_b).get("/leavers/radar").content.decode()
    assert "Moorside Academy" not in html and "No deletions returned yet" in html
    assert off_rolling_radar(user=manager_b) == ([], {})


def test_terms_are_the_authoritys_own_with_holidays_in_the_term_before():
    import datetime as dt

    from cme.tracking.selectors import term_of

    terms = [(dt.date(2024, 9, 2), "Autumn"), (dt.date(2025, 1, 6), "Spring"), (dt.date(2025, 4, 22), "Summer")]
    assert term_of(dt.date(2025, 4, 10), terms) == "Spring 2025"  # Easter holiday: still spring
    assert term_of(dt.date(2025, 4, 3)) == "Summer 2025"  # by months alone, April is summer
    assert term_of(dt.date(2024, 12, 30), terms) == "Autumn 2024"
    assert term_of(dt.date(2024, 8, 1), terms) == "Summer 2024"  # before the term dates: by months


@pytest.mark.django_db
def test_half_terms_of_the_loaded_term_dates_make_one_term(la_a):
    from cme.attendance.calendar import DEMO_CALENDAR
    from cme.attendance.services import term_dates_import
    from cme.tracking.selectors import la_terms

    la_a.la_code = "901"
    la_a.save()
    lines = [line for line in DEMO_CALENDAR.read_text().splitlines(keepends=True)
             if line.startswith(("scope", "901,"))]
    term_dates_import(actor=None, la_id=la_a.pk, lines=lines, filename="terms.csv")
    terms = la_terms(la_id=la_a.pk)
    assert terms[:3] == [(dt.date(2024, 9, 2), "Autumn"), (dt.date(2025, 1, 6), "Spring"),
                         (dt.date(2025, 4, 22), "Summer")]
