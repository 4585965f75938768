"""The page frame: header, navigation by role, sign-out, footer, messages and CSP."""

import re

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from cme.core.jinja2 import url_or_hash


def test_header_names_the_service_and_the_council(client_for, officer_a):
    html = client_for(officer_a).get("/").content.decode()
    assert "govuk-generic-header" in html
    assert "CME Tracker" in html
    assert "Northmoor Council" in html
    assert "govuk-header__crown" not in html
    assert "Crown copyright" not in html
    assert "Open Government Licence" not in html


@pytest.mark.parametrize("persona", ["officer_a", "manager_a", "officer_b"], indirect=True)
def test_la_staff_navigation(client_for, persona):
    html = client_for(persona).get("/").content.decode()
    nav = html.split('class="govuk-service-navigation__list"')[1].split("</ul>")[0]
    one_word = ["Home", "Referrals", "Cases", "Providers", "Places"] + (["Management"] if persona.is_manager else [])
    assert [t.strip() for t in re.findall(r">\s*([A-Z][a-z]+)\s*<", nav)] == one_word
    assert "My work" in nav and "Find a child" in nav and "At risk" in nav
    assert ">Children<" not in nav  # one search: "Find a child"
    assert 'aria-current="page"' in nav


def test_partner_and_school_navigation(client_for, partner_a, school_user_a):
    partner = client_for(partner_a).get("/").content.decode()
    assert "Your referrals" in partner and "Children" not in partner
    school = client_for(school_user_a).get("/").content.decode()
    assert "Your pupils" in school and "Referrals waiting" not in school
    assert "Your school" in school and "Registers" in school


def test_sign_out_is_a_post_form_with_csrf(client_for, officer_a):
    html = client_for(officer_a).get("/").content.decode()
    form = re.search(r'<form method="post" action="/sign-out">(.*?)</form>', html, re.S)
    assert form and "csrfmiddlewaretoken" in form.group(1)


def test_anonymous_pages_show_no_navigation(client, db):
    html = client.get("/sign-in").content.decode()
    assert "govuk-service-navigation" not in html
    assert "Sign out" not in html


def test_footer_links_to_accessibility_and_privacy(client, db):
    html = client.get("/accessibility").content.decode()
    assert 'href="/accessibility"' in html and 'href="/privacy"' in html
    assert client.get("/privacy").status_code == 200


def test_every_script_has_the_nonce_and_the_policy_is_strict(client_for, officer_a):
    response = client_for(officer_a).get("/")
    policy = response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert "unsafe-inline" not in policy
    scripts = re.findall(r"<script[^>]*>", response.content.decode())
    assert len(scripts) >= 2
    assert all(f'nonce="{nonce}"' in s for s in scripts)


def test_messages_show_as_notification_banners(rf: RequestFactory, officer_a):
    from django.template.loader import render_to_string

    request = rf.get("/")
    request.user = officer_a
    request.session = {}
    storage = FallbackStorage(request)
    request._messages = storage
    storage.add(constants.SUCCESS, "Case opened")
    storage.add(constants.INFO, "Referral closed")
    html = render_to_string("core/privacy.html", request=request)
    assert "govuk-notification-banner--success" in html
    assert "Case opened" in html and "Referral closed" in html


def test_url_names_not_built_yet_render_as_hash(db):
    assert url_or_hash("nowhere:nothing") == "#"
    assert url_or_hash("reports:home") == "/"
