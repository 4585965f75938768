"""The API is rate-limited per token (issue 15 point 4): past the limit a token gets 429 with
Retry-After; another token of the same user, and another user's, carry on."""

import pytest
from django.core.cache import cache

from cme.api.api import api


@pytest.fixture
def three_a_minute(db):
    throttle = api.throttle[0] if isinstance(api.throttle, list) else api.throttle
    old = (throttle.rate, throttle.num_requests, throttle.duration)
    throttle.rate = "3/m"
    throttle.num_requests, throttle.duration = throttle.parse_rate("3/m")
    cache.clear()
    yield
    throttle.rate, throttle.num_requests, throttle.duration = old
    cache.clear()


def test_a_token_past_its_limit_is_told_to_wait_and_others_carry_on(three_a_minute, api_for, officer_a, manager_a):
    first, second, other = api_for(officer_a), api_for(officer_a), api_for(manager_a)
    assert [first.get("/api/v1/cases").status_code for _ in range(3)] == [200, 200, 200]
    refused = first.get("/api/v1/cases")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert second.get("/api/v1/cases").status_code == 200  # the same user's other token
    assert other.get("/api/v1/cases").status_code == 200
