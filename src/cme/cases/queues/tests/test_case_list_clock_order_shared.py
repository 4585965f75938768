"""The case list sorted by the next clock: the order is worked out once for all the server's
processes, and while one process works a new one out the others show the last."""


from django.core.cache import caches

from cme.testing import factories as f


def _shown(client, url="/cases?sort=due"):
    return client.get(url).text


def test_the_order_worked_out_in_one_process_serves_the_others(la_a, officer_a, client_for, case_a, monkeypatch):
    from cme.cases.queues import selectors

    worked_out = []
    real = selectors._clock_order
    monkeypatch.setattr(selectors, "_clock_order", lambda *a, **k: worked_out.append(1) or real(*a, **k))
    client = client_for(officer_a)
    assert case_a.reference in _shown(client)
    caches["local"].clear()  # another process: nothing of its own kept
    assert case_a.reference in _shown(client)
    assert len(worked_out) == 1  # the second process read the first one's order
    # A case added after it changes the data the order is kept for: worked out afresh, shown.
    later = f.make_case(f.make_child(la_a, legal_forename="Tom", legal_surname="Later"), responsible_officer=officer_a)
    page = _shown(client)
    assert case_a.reference in page and later.reference in page and len(worked_out) == 2


def test_while_another_process_works_the_order_out_the_last_one_is_shown(la_a, officer_a, client_for, case_a):
    client = client_for(officer_a)
    assert case_a.reference in _shown(client)
    later = f.make_case(f.make_child(la_a, legal_forename="Tom", legal_surname="Later"), responsible_officer=officer_a)
    # Another process has claimed the new order's work: every claim key of the shared cache is
    # taken, so this request cannot claim it and shows the last order (without the new case).
    shared = caches["default"]
    original_add = shared.add
    shared.add = lambda key, *a, **k: False if key.endswith(":working") else original_add(key, *a, **k)
    try:
        stale = _shown(client)
    finally:
        shared.add = original_add
    assert case_a.reference in stale and later.reference not in stale
    # Once the work is free to claim again, the new order is worked out and shown.
    caches["local"].clear()
    fresh = _shown(client)
    assert later.reference in fresh


def test_with_no_order_to_show_the_request_works_it_out_itself(la_a, officer_a, client_for, case_a):
    caches["default"].clear()
    caches["local"].clear()
    shared = caches["default"]
    original_add = shared.add
    shared.add = lambda key, *a, **k: False if key.endswith(":working") else original_add(key, *a, **k)
    try:
        page = _shown(client_for(officer_a))
    finally:
        shared.add = original_add
    assert case_a.reference in page
