"""Error pages in GOV.UK style, checked like every other page."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from cme.core import views


def test_unknown_page_is_a_govuk_404(client_for, officer_a):
    response = client_for(officer_a).get("/no-such-page")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"govuk-template" in response.content


def test_permission_denied_is_a_govuk_403(rf: RequestFactory, officer_a):
    request = rf.get("/")
    request.user = officer_a
    response = views.permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    assert b"You do not have access to this page" in response.content


@pytest.mark.django_db
def test_server_error_is_a_govuk_500(rf: RequestFactory):
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/")
    request.user = AnonymousUser()
    response = views.server_error(request)
    assert response.status_code == 500
    assert b"Sorry, there is a problem with the service" in response.content
