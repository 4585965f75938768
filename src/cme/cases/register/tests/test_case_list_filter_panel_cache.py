"""The filter panel is rendered once a minute per filter state, never hiding a fresh error."""

from cme.testing import factories as f


def test_second_page_view_reuses_the_filter_panel_and_its_choices(client_for, officer_a, la_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    f.make_case(f.make_child(la_a), stage="locating", responsible_officer=officer_a)
    client = client_for(officer_a)
    with CaptureQueriesContext(connection) as first:
        page_one = client.get("/cases?stage=locating").content.decode()
    with CaptureQueriesContext(connection) as second:
        page_two = client.get("/cases?stage=locating").content.decode()
    # The officers and schools offered as filters are not asked for again.
    def asks_for_schools(queries):
        return any('ORDER BY "providers_organisation"."name"' in q["sql"] for q in queries)

    assert asks_for_schools(first.captured_queries)
    assert not asks_for_schools(second.captured_queries)
    assert page_one.count('name="officer"') == page_two.count('name="officer"') == 1


def test_filter_errors_are_shown_even_after_the_same_filters_were_cached(client_for, officer_a):
    client = client_for(officer_a)
    client.get("/cases?stage=locating")
    response = client.get("/cases?stage=locating&referred_from-day=31&referred_from-month=2&referred_from-year=2026")
    assert "must be a real date" in response.content.decode()
