"""The API reads every input by the rules the forms and the file readers use (cme.core.inputs):
text without control characters or direction overrides, within the column; numbers a column
holds; dates written YYYY-MM-DD; true and false only as JSON's. Every refusal is JSON in the
documented shape, and nothing is saved."""

import json
import sys

import pytest
from ninja import Schema
from pydantic import ValidationError

import cme.api.api  # noqa: F401 (imports every router, so that every input schema is defined)
from cme.audit.models import AuditEvent
from cme.cases.models import Task
from cme.core.inputs import DB_INT_MAX
from cme.intake.models import Referral

HUGE = "461168601842738792"


def _input_schemas() -> list[type[Schema]]:
    found = []
    for name, module in list(sys.modules.items()):
        if not name.startswith("cme.api.") or ".tests" in name:
            continue
        for value in vars(module).values():
            if (isinstance(value, type) and issubclass(value, Schema) and value.__module__ == name
                    and value.__name__.endswith(("In", "Query")) and value.model_fields):
                found.append(value)
    return sorted(set(found), key=lambda c: c.__qualname__)


def _fields(kind: str):
    """(schema, field name) for every field of that JSON schema type."""
    for schema in _input_schemas():
        properties = schema.model_json_schema()["properties"]
        for name, prop in properties.items():
            types = {p.get("type") for p in prop.get("anyOf", [prop])}
            formats = {p.get("format") for p in prop.get("anyOf", [prop])}
            if (kind == "date" and "date" in formats) or (kind == "string" and "string" in types and not formats - {None} and "enum" not in prop \
                    and not any("enum" in p or "const" in p for p in prop.get("anyOf", [prop]))) or (kind in ("integer", "boolean") and kind in types):
                yield schema, name


def _errors_for(schema, name, value) -> list:
    try:
        schema.model_validate({name: value})
    except ValidationError as e:
        return [err for err in e.errors() if err["loc"][:1] == (name,)]
    return []


def test_there_are_input_schemas_to_check():
    names = {s.__name__ for s in _input_schemas()}
    assert {"ReferralIn", "ChildIn", "TaskIn", "CaseQuery", "ChildQuery", "EnquiryIn"} <= names


STRING_FIELDS = list(_fields("string"))


@pytest.mark.parametrize("schema, name", STRING_FIELDS, ids=[f"{s.__name__}.{n}" for s, n in STRING_FIELDS])
@pytest.mark.parametrize("hostile", ["a\x00b", "a\x1bb", "a\u202eb", "a\u2066b", "a\x85b", "a\u2028b"])
def test_every_text_field_refuses_control_and_direction_characters(schema, name, hostile):
    assert _errors_for(schema, name, hostile), f"{schema.__name__}.{name} took {hostile!r}"


@pytest.mark.parametrize("schema, name", STRING_FIELDS, ids=[f"{s.__name__}.{n}" for s, n in STRING_FIELDS])
def test_every_text_field_has_a_limit(schema, name):
    properties = schema.model_json_schema()["properties"][name]
    limits = [p.get("maxLength") for p in properties.get("anyOf", [properties])]
    assert any(limits), f"{schema.__name__}.{name} has no max_length"
    errors = _errors_for(schema, name, "Zoë Ł’B")
    assert not [e for e in errors if e["type"] == "text_refused"], "ordinary text must pass the text rules"


DATE_FIELDS = list(_fields("date"))


@pytest.mark.parametrize("schema, name", DATE_FIELDS, ids=[f"{s.__name__}.{n}" for s, n in DATE_FIELDS])
@pytest.mark.parametrize("written", [901, "901", "20250101", "2025-W01-1", "2025-001", "01/09/2025"])
def test_every_date_is_written_yyyy_mm_dd(schema, name, written):
    assert _errors_for(schema, name, written), f"{schema.__name__}.{name} read {written!r} as a date"
    assert not _errors_for(schema, name, "2025-09-01")


INT_FIELDS = list(_fields("integer"))


@pytest.mark.parametrize("schema, name", INT_FIELDS, ids=[f"{s.__name__}.{n}" for s, n in INT_FIELDS])
def test_every_number_fits_a_column(schema, name):
    assert _errors_for(schema, name, DB_INT_MAX + 1), f"{schema.__name__}.{name} took a number no column holds"
    assert _errors_for(schema, name, 10**30)


BODY_FLAGS = [(s, n) for s, n in _fields("boolean") if not s.__name__.endswith("Query")]


@pytest.mark.parametrize("schema, name", BODY_FLAGS, ids=[f"{s.__name__}.{n}" for s, n in BODY_FLAGS])
@pytest.mark.parametrize("written", ["yes", "true", "on", 1, "1"])
def test_true_and_false_are_json_booleans_only(schema, name, written):
    assert _errors_for(schema, name, written), f"{schema.__name__}.{name} read {written!r} as true"


# -- through HTTP ------------------------------------------------------------------------------


def _problems(response) -> list[dict]:
    body = response.json()
    assert set(body) == {"detail"} and isinstance(body["detail"], list), body
    assert all(set(p) == {"loc", "msg", "type"} for p in body["detail"]), body
    return body["detail"]


def test_urgent_yes_is_refused_not_true(officer_a, api_for, case_a):
    response = api_for(officer_a).post_json(f"/api/v1/cases/{case_a.pk}/tasks",
                                            {"title": "Visit", "urgent": "yes"})
    assert response.status_code == 422
    assert ["body", "urgent"] in [p["loc"] for p in _problems(response)]
    assert not Task.objects.exists()


def test_referred_from_901_is_not_a_timestamp(officer_a, api_for, case_a):
    response = api_for(officer_a).get("/api/v1/cases", {"referred_from": "901"})
    assert response.status_code == 422
    assert [p["loc"] for p in _problems(response)] == [["query", "referred_from"]]
    assert api_for(officer_a).get("/api/v1/cases", {"referred_from": "2025-01-01"}).status_code == 200


@pytest.mark.parametrize("path, param", [
    ("/api/v1/cases", "page"), ("/api/v1/children", "page"),
    ("/api/v1/cases", "officer"), ("/api/v1/cases", "school"),
])
def test_oversized_numbers_in_the_query_are_422_not_500(officer_a, api_for, path, param):
    response = api_for(officer_a).get(path, {param: HUGE + "0000"})
    assert response.status_code == 422
    assert [p["loc"] for p in _problems(response)] == [["query", param]]


@pytest.mark.parametrize("path", ["/api/v1/cases", "/api/v1/children"])
def test_a_huge_page_number_is_refused(officer_a, api_for, path):
    response = api_for(officer_a).get(path, {"page": HUGE})
    assert response.status_code == 422


def test_a_far_page_within_the_limit_is_empty(officer_a, api_for, case_a):
    response = api_for(officer_a).get("/api/v1/cases", {"page": "100000"})
    assert response.status_code == 200 and response.json()["items"] == []


@pytest.mark.parametrize("path", [
    "/api/v1/cases/{huge}/enquiries", "/api/v1/cases/{huge}/whereabouts", "/api/v1/cases/{huge}",
    "/api/v1/cases/{huge}/tasks", "/api/v1/children/{huge}",
])
def test_an_oversized_id_in_the_path_never_reaches_the_database(officer_a, api_for, path):
    response = api_for(officer_a).get(path.format(huge="9" * 30))
    assert response.status_code == 422
    _problems(response)


def test_concerns_have_the_forms_limit(officer_a, api_for):
    client = api_for(officer_a)
    child = {"forename": "Leo", "surname": "Marsh"}
    refused = client.post_json("/api/v1/referrals", {"child": child, "concerns": "x" * 5001})
    assert refused.status_code == 422
    assert [p["loc"] for p in _problems(refused)] == [["body", "concerns"]]
    assert client.post_json("/api/v1/referrals", {"child": child, "concerns": "x" * 5000}).status_code == 201


def test_concerns_with_the_vulnerabilities_added_still_fit_the_triage_form(officer_a, api_for):
    child = {"forename": "Leo", "surname": "Marsh", "vulnerabilities": ["young_carer"]}
    response = api_for(officer_a).post_json("/api/v1/referrals", {"child": child, "concerns": "x" * 4990})
    assert response.status_code == 422
    assert [p["loc"] for p in _problems(response)] == [["body", "concerns"]]
    assert not Referral.objects.exists()


@pytest.mark.parametrize("field, value", [
    ("forename", "Leo\x00"), ("surname", "Ma\u202ersh"), ("address", "1 Mill Lane\x1b[2J"),
    ("forename", "Leo\nMarsh"),
])
def test_the_api_refuses_the_text_the_forms_refuse(officer_a, api_for, field, value):
    client = api_for(officer_a)
    before = AuditEvent.objects.count()
    response = client.post_json("/api/v1/referrals", {"child": {"forename": "Leo", "surname": "Marsh", field: value}})
    assert response.status_code == 422
    assert [p["loc"] for p in _problems(response)] == [["body", "child", field]]
    assert not Referral.objects.exists() and AuditEvent.objects.count() == before


def test_concerns_may_run_over_lines(officer_a, api_for):
    response = api_for(officer_a).post_json(
        "/api/v1/referrals", {"child": {"surname": "Marsh"}, "concerns": "Seen out.\r\n\tTwice."})
    assert response.status_code == 201


# -- every error is JSON -----------------------------------------------------------------------


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "text/csv"])
def test_a_body_that_is_not_json_gets_415(officer_a, api_for, content_type):
    response = api_for(officer_a).post("/api/v1/referrals", "child=Leo", content_type=content_type)
    assert response.status_code == 415
    [problem] = _problems(response)
    assert problem["loc"] == ["header", "Content-Type"] and "application/json" in problem["msg"]
    assert not Referral.objects.exists()


def test_json_with_a_charset_is_json(officer_a, api_for):
    response = api_for(officer_a).post("/api/v1/referrals", json.dumps({"child": {"surname": "Marsh"}}),
                                       content_type="application/json; charset=utf-8")
    assert response.status_code == 201


def test_an_unknown_address_gets_json_404(officer_a, api_for):
    response = api_for(officer_a).get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Not Found"}


def test_a_method_not_allowed_gets_json_405(officer_a, api_for):
    response = api_for(officer_a).delete("/api/v1/referrals")
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()


def test_an_unexpected_failure_gets_json_500_without_a_traceback(officer_a, api_for, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("cme.api.children.children_page", broken)
    client = api_for(officer_a)
    client.raise_request_exception = False
    response = client.get("/api/v1/children")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Something went wrong: the request was not completed. Try again later."}
    assert "secret" not in response.text
