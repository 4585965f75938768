"""The case list and the case page make the same number of SQL queries with 3 cases as with 30
(no query per row): the benchmark at scale relies on it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cme.cases.register.services import case_assign, case_note_add, case_stage_advance
from cme.people.services import child_flag_add
from cme.testing import factories as f


def _busy_case(la, officer, manager, school):
    """A case with something of everything on its page and in its row."""
    child = f.make_child(la, upn=f.make_upn("901"))
    f.enrol(child, school)
    child_flag_add(actor=officer, child=child, flag="young_carer")
    case = f.make_case(child, responsible_officer=officer, last_known_provider=school)
    case_stage_advance(actor=officer, case=case, to_stage="locating")
    case_note_add(actor=officer, case=case, text="A note")
    case_assign(actor=officer, case=case, officer=manager)
    f.make_referral(la, case=case, status="case_opened")
    return case


def _queries(client, url) -> int:
    client.get(url)  # warm: session, sequence and chain-head rows exist from here on
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/cases", "/cases?stage=locating&q=Smith&sort=child", "/cases?open="])
def test_case_list_query_count_does_not_grow_with_cases(url, la_a, officer_a, manager_a, school_a, client_for):
    client = client_for(officer_a)
    for _ in range(3):
        _busy_case(la_a, officer_a, manager_a, school_a)
    with_3 = _queries(client, url)
    for _ in range(27):
        _busy_case(la_a, officer_a, manager_a, school_a)
    with_30 = _queries(client, url)
    assert with_30 == with_3


def test_case_page_query_count_does_not_grow_with_cases_or_history(la_a, officer_a, manager_a, school_a, client_for):
    client = client_for(officer_a)
    cases = [_busy_case(la_a, officer_a, manager_a, school_a) for _ in range(3)]
    with_3 = _queries(client, f"/cases/{cases[0].pk}")
    cases += [_busy_case(la_a, officer_a, manager_a, school_a) for _ in range(27)]
    # A longer history on the case itself does not add queries either.
    for n in range(5):
        case_note_add(actor=officer_a, case=cases[-1], text=f"Note {n}")
        case_assign(actor=officer_a, case=cases[-1], officer=officer_a if n % 2 == 0 else manager_a)
    with_30 = _queries(client, f"/cases/{cases[-1].pk}")
    assert with_30 == with_3
