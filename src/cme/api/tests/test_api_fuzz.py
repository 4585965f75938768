"""The JSON API fuzzed from its own OpenAPI document with Schemathesis (issue 15 point 3): every
operation, with generated and mutated requests, as an officer with a token: no 500, and every
refusal of the input (422) names where in the request it is wrong.

A short round runs in `make test` (8 per operation); the long one (docs/operations.md):

    CME_FUZZ_EXAMPLES=6000 .venv/bin/pytest src/cme/api/tests/test_api_fuzz.py -q
"""

import os

import pytest
import schemathesis
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from cme.accounts.tokens import api_token_create
from cme.api.api import api

# The API's short round is smaller than the files' (every operation is a test of its own).
EXAMPLES = max(8, int(os.environ.get("CME_FUZZ_EXAMPLES", "100")) // 12)


@pytest.fixture
def token(officer_a, case_a, referral_a, school_a):
    # Records to find, so that some generated ids reach real handlers; no rate limit in a fuzz.
    throttle = api.throttle[0]
    old = (throttle.num_requests, throttle.duration)
    throttle.num_requests, throttle.duration = 10**9, 1
    cache.clear()
    yield api_token_create(user=officer_a, name="fuzz")
    throttle.num_requests, throttle.duration = old


def refusal_names_the_field(ctx, response, case):
    """A 422 says where: every item of its detail has a `loc` and a message."""
    if response.status_code != 422:
        return None
    detail = response.json().get("detail")
    assert isinstance(detail, list) and detail, f"422 without a list of problems: {response.text[:300]}"
    for item in detail:
        assert item.get("loc") and item.get("msg"), f"a problem that names no place: {item}"
    return None


@pytest.fixture
def wsgi_app():
    """The service as WSGI, keeping the test's database connection between requests as Django's
    test client does (the real handler closes it at each request's end, which would end the
    test's transaction on PostgreSQL)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_no_request_breaks_the_api(db, token, wsgi_app):
    # One test over every operation: Schemathesis's pytest plugin does not yet run on pytest 9,
    # so its strategies are driven by Hypothesis here.
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40
    for operation in operations:

        @settings(max_examples=EXAMPLES, deadline=None, derandomize=EXAMPLES <= 8, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def call(case):
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            case.validate_response(response, checks=[not_a_server_error, refusal_names_the_field])

        call()
