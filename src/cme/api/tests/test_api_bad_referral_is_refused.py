"""A bad referral gets 422 naming the field, in one shape, and nothing is saved."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from cme.audit.models import AuditEvent
from cme.intake.models import Referral
from cme.testing import factories as f

URL = "/api/v1/referrals"


def good_child(**changes):
    return {"forename": "Leo", "surname": "Marsh", "date_of_birth": "2013-05-06", **changes}


def wrong_check_letter(upn: str) -> str:
    return ("B" if upn[0] != "B" else "C") + upn[1:]


def over_25() -> str:
    today = timezone.localdate()
    return today.replace(year=today.year - 26).isoformat()


CASES = {
    "future date of birth": (
        {"child": good_child(date_of_birth=(timezone.localdate() + timedelta(days=3)).isoformat())},
        ["body", "child", "date_of_birth"], "Date of birth must be in the past",
    ),
    "date of birth of someone over 25": (
        {"child": good_child(date_of_birth=over_25())},
        ["body", "child", "date_of_birth"], "aged 25 or under",
    ),
    "UPN with a wrong check letter": (
        {"child": good_child(upn=wrong_check_letter(f.make_upn("901")))},
        ["body", "child", "upn"], "check letter is wrong",
    ),
    "unknown vulnerability flag": (
        {"child": good_child(vulnerabilities=["young_carer", "werewolf"])},
        ["body", "child", "vulnerabilities"], "Unknown vulnerability flag: werewolf",
    ),
    "date that is not a date": (
        {"child": good_child(date_of_birth="06/05/2013x")},
        ["body", "child", "date_of_birth"], "valid date",
    ),
    "date sent as a number": (
        {"child": good_child(date_of_birth=1367798400)},
        ["body", "child", "date_of_birth"], "YYYY-MM-DD",
    ),
    "sex outside F, M or blank": (
        {"child": good_child(sex="X")},
        ["body", "child", "sex"], "Input should be",
    ),
    "no name at all": (
        {"child": {"date_of_birth": "2013-05-06"}},
        ["body", "child", "surname"], "first name or last name",
    ),
    "child left out": ({"concerns": "x"}, ["body", "child"], "Field required"),
    "misspelt field": (
        {"child": good_child(date_of_brith="2013-05-06")},
        ["body", "child", "date_of_brith"], "Extra inputs are not permitted",
    ),
    "referrer email that is not one": (
        {"referrer": {"email": "sam at police"}, "child": good_child()},
        ["body", "referrer", "email"], "email address",
    ),
    "name longer than the register holds": (
        {"child": good_child(forename="L" * 101)},
        ["body", "child", "forename"], "at most 100 characters",
    ),
}


def assert_nothing_saved(before_events):
    assert not Referral.objects.exists()
    assert AuditEvent.objects.filter(action="create").count() == before_events


@pytest.mark.parametrize("name", list(CASES))
def test_bad_field_gets_422_naming_it(officer_a, api_for, name):
    sent, loc, words = CASES[name]
    client = api_for(officer_a)
    before = AuditEvent.objects.filter(action="create").count()
    response = client.post_json(URL, sent)
    assert response.status_code == 422, response.content
    problems = response.json()["detail"]
    assert all(set(p) == {"loc", "msg", "type"} for p in problems)
    matching = [p for p in problems if p["loc"] == loc]
    assert matching, problems
    assert words in matching[0]["msg"]
    assert_nothing_saved(before)


@pytest.mark.parametrize("raw, words", [
    ('{"child": {"forename": "Leo"', "not valid JSON"),
    ("child=Leo", "not valid JSON"),
    ("\xff\xfe", "not valid JSON"),
    ('["a", "list"]', "must be a JSON object"),
    ("", "Field required"),
])
def test_malformed_body_gets_422_naming_the_body(officer_a, api_for, raw, words):
    client = api_for(officer_a)
    before = AuditEvent.objects.filter(action="create").count()
    response = client.post(URL, raw, content_type="application/json")
    assert response.status_code == 422
    [problem] = response.json()["detail"]
    assert problem["loc"] == ["body"] and words in problem["msg"]
    assert_nothing_saved(before)


def test_body_larger_than_the_limit_gets_422_naming_the_limit(officer_a, api_for, settings):
    settings.CME_API_MAX_BODY_BYTES = 500
    client = api_for(officer_a)
    before = AuditEvent.objects.filter(action="create").count()
    sent = {"child": good_child(), "concerns": "x" * 600}
    response = client.post_json(URL, sent)
    assert response.status_code == 422
    [problem] = response.json()["detail"]
    assert problem["loc"] == ["body"]
    assert "500 bytes" in problem["msg"] and problem["type"] == "body_too_large"
    assert_nothing_saved(before)


def test_declared_length_over_the_limit_is_refused_before_reading(officer_a, api_for, settings):
    settings.CME_API_MAX_BODY_BYTES = 500
    small = json.dumps({"child": good_child()})
    response = api_for(officer_a).post(
        URL, small, content_type="application/json", CONTENT_LENGTH="10000000"
    )
    assert response.status_code == 422
    assert "500 bytes" in response.json()["detail"][0]["msg"]
    assert not Referral.objects.exists()


def test_body_at_the_limit_is_accepted(officer_a, api_for, settings):
    sent = {"child": good_child(), "concerns": ""}
    size = len(json.dumps(sent).encode())
    settings.CME_API_MAX_BODY_BYTES = size
    assert api_for(officer_a).post_json(URL, sent).status_code == 201


def test_several_problems_are_reported_together(officer_a, api_for):
    sent = {"child": good_child(date_of_birth="2999-01-01", upn=wrong_check_letter(f.make_upn("901")))}
    response = api_for(officer_a).post_json(URL, sent)
    assert response.status_code == 422
    locs = [p["loc"] for p in response.json()["detail"]]
    assert ["body", "child", "date_of_birth"] in locs and ["body", "child", "upn"] in locs
    assert not Referral.objects.exists()
