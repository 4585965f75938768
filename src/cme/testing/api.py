"""api_for(user) -> a test client that sends a fresh bearer token acting as that user.

A pytest fixture, imported by the conftest of the API's tests and by any test that compares what
a page and the API show."""

import json

import pytest
from django.test import Client

from cme.accounts.tokens import api_token_create


class ApiClient(Client):
    def post_json(self, path, data, **extra):
        return self.post(path, json.dumps(data), content_type="application/json", **extra)


@pytest.fixture
def api_for(db):
    def build(user):
        token = api_token_create(user=user, name="test")
        return ApiClient(HTTP_AUTHORIZATION=f"Bearer {token}")
    return build


@pytest.fixture
def anonymous_api():
    return ApiClient()
