"""The database restarting under traffic (issue 15 point 2): a request that cannot reach it fails
cleanly, a page or JSON saying so with Retry-After and nothing saved, and the next request once
it is back is served as usual."""

import pytest
from django.db import OperationalError
from django.db.backends import utils
from django.test import Client

from cme.accounts.tokens import api_token_create


@pytest.fixture
def database_down(monkeypatch):
    def refuse(self, *args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    def down():
        monkeypatch.setattr(utils.CursorWrapper, "execute", refuse)
        monkeypatch.setattr(utils.CursorWrapper, "executemany", refuse)

    return down


def test_pages_and_the_api_say_the_database_is_unavailable_then_recover(db, officer_a, client_for, database_down,
                                                                         monkeypatch):
    page_client = client_for(officer_a)
    page_client.raise_request_exception = False
    api = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=officer_a, name='t')}",
                 raise_request_exception=False)
    assert page_client.get("/cases").status_code == 200
    database_down()
    page = page_client.get("/cases")
    assert page.status_code == 503 and page["Retry-After"] == "30"
    assert "cannot reach its database" in page.text and "Nothing you sent was saved" in page.text
    answer = api.get("/api/v1/cases")
    assert answer.status_code == 503 and "cannot reach its database" in answer.json()["detail"]
    assert page_client.get("/healthz").status_code == 503
    monkeypatch.undo()  # the database is back
    assert page_client.get("/cases").status_code == 200
    assert api.get("/api/v1/cases").status_code == 200
