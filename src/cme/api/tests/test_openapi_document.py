"""The OpenAPI document at /api/v1/openapi.json is valid, complete and describes the bearer token."""

import json

import pytest
from django.test import Client
from openapi_spec_validator import validate

EXPECTED = {
    ("post", "/api/v1/referrals"),
    ("get", "/api/v1/referrals/{reference}"),
    ("post", "/api/v1/referrals/{reference}/triage"),
    ("get", "/api/v1/cases"),
    ("get", "/api/v1/cases/{case_id}"),
    ("get", "/api/v1/children"),
    ("get", "/api/v1/children/{child_id}"),
    ("put", "/api/v1/providers/{laestab}/roll"),
    ("post", "/api/v1/matches"),
    # Case work (issue 5): escalation, tasks, reassignment, my work.
    ("get", "/api/v1/cases/{case_id}/escalations"),
    ("post", "/api/v1/cases/{case_id}/escalations"),
    ("get", "/api/v1/cases/{case_id}/tasks"),
    ("post", "/api/v1/cases/{case_id}/tasks"),
    ("post", "/api/v1/tasks/{task_id}/done"),
    ("post", "/api/v1/cases/{case_id}/reassign"),
    ("post", "/api/v1/officers/{officer_id}/reassign"),
    ("get", "/api/v1/work/mine"),
    # Case work (issue 5): enquiries, locating, needs, closure, evidence.
    ("get", "/api/v1/cases/{case_id}/enquiries"),
    ("post", "/api/v1/cases/{case_id}/enquiries"),
    ("get", "/api/v1/cases/{case_id}/whereabouts"),
    ("post", "/api/v1/cases/{case_id}/whereabouts/found"),
    ("post", "/api/v1/cases/{case_id}/whereabouts/moved"),
    ("post", "/api/v1/cases/{case_id}/whereabouts/left-country"),
    ("post", "/api/v1/cases/{case_id}/whereabouts/not-found"),
    ("post", "/api/v1/cases/{case_id}/other-la-referrals/{referral_id}/accepted"),
    ("put", "/api/v1/cases/{case_id}/key-worker"),
    ("get", "/api/v1/cases/{case_id}/needs-assessment"),
    ("put", "/api/v1/cases/{case_id}/needs-assessment"),
    ("post", "/api/v1/cases/{case_id}/needs-assessment/decision"),
    ("post", "/api/v1/cases/{case_id}/close"),
    ("post", "/api/v1/cases/{case_id}/close/decision"),
    ("post", "/api/v1/cases/{case_id}/reopen"),
    ("post", "/api/v1/cases/{case_id}/stage"),
    ("post", "/api/v1/cases/{case_id}/provision"),
    ("post", "/api/v1/deletion-returns"),
    ("post", "/api/v1/new-entries"),
    ("get", "/api/v1/leavers"),
    ("post", "/api/v1/leavers/{leaver_id}/match-decision"),
    ("get", "/api/v1/deletion-returns"),
    ("get", "/api/v1/new-entries"),
    ("post", "/api/v1/new-entries/{entry_id}/decision"),
    ("get", "/api/v1/leavers/radar"),
    ("get", "/api/v1/lost-pupils"),
    ("post", "/api/v1/lost-pupils/{lost_id}/ctf"),
    ("get", "/api/v1/handoffs"),
    ("post", "/api/v1/cases/{case_id}/notes"),
    ("post", "/api/v1/cases/{case_id}/joint-evidence"),
    # Places, placement requests and panels (issue 13).
    ("get", "/api/v1/cases/{case_id}/places"),
    ("get", "/api/v1/cases/{case_id}/placement-requests"),
    ("post", "/api/v1/cases/{case_id}/placement-requests"),
    ("get", "/api/v1/placement-requests"),
    ("post", "/api/v1/placement-requests/{request_id}/answer"),
    ("post", "/api/v1/placement-requests/{request_id}/accept"),
    ("post", "/api/v1/placement-requests/{request_id}/withdraw"),
    ("get", "/api/v1/providers/{laestab}/places"),
    ("put", "/api/v1/providers/{laestab}/places/{year_group}"),
    ("get", "/api/v1/panel-meetings/{meeting_id}"),
    ("put", "/api/v1/providers/{laestab}/capacity/{year_group}"),
    ("get", "/api/v1/alternative-provision"),
    ("put", "/api/v1/providers/{laestab}/directory"),
    ("get", "/api/v1/placement-refusals"),
    ("get", "/api/v1/cases/{case_id}/provision-watch"),
    ("post", "/api/v1/panels"),
    ("post", "/api/v1/panels/{panel_id}/meetings"),
    ("post", "/api/v1/panel-meetings/{meeting_id}/items/{item_id}/decision"),
    # Management information (issue 14).
    ("get", "/api/v1/reports/summary"),
}


@pytest.fixture
def document(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_document_is_valid_openapi(document):
    validate(document)


def test_every_endpoint_is_in_the_document(document):
    found = {(method, path) for path, ops in document["paths"].items() for method in ops}
    assert found == EXPECTED


def test_every_operation_needs_the_bearer_token_and_is_described(document):
    scheme = document["components"]["securitySchemes"]["BearerToken"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    assert "cme api-token" in scheme["description"]
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            assert op["security"] == [{"BearerToken": []}], (method, path)
            assert op["summary"] and op["description"], (method, path)
            assert {"401", "422"} <= set(op["responses"]), (method, path)


def test_referral_body_has_an_example_and_field_descriptions(document):
    schemas = document["components"]["schemas"]
    assert schemas["ReferralIn"]["examples"][0]["child"]["forename"] == "Leo"
    dob = schemas["ChildIn"]["properties"]["date_of_birth"]
    assert "aged 25 or under" in dob["description"]
    flags = schemas["ChildIn"]["properties"]["vulnerabilities"]["items"]["enum"]
    assert "young_carer" in flags


def test_no_swagger_page_is_served(db):
    assert Client().get("/api/v1/docs").status_code == 404


def test_examples_in_the_document_are_accepted_by_the_api(document, officer_a, api_for):
    """An example that the API itself would refuse teaches clients the wrong thing."""
    schemas = document["components"]["schemas"]
    example = schemas["ReferralIn"]["examples"][0]
    example["child"]["upn"] = schemas["ChildIn"]["properties"]["upn"]["examples"][0]
    response = api_for(officer_a).post_json("/api/v1/referrals", example)
    assert response.status_code == 201, response.content


def test_every_schema_name_is_one_shape(document):
    """Two schemas of one name overwrite each other in the document: POST /matches was
    documented with the joint evidence's shape because both were called EvidenceOut."""
    import sys

    from ninja import Schema

    import cme.api.api  # noqa: F401

    by_name: dict[str, set[str]] = {}
    for module_name, module in list(sys.modules.items()):
        if module_name.startswith("cme.api.") and ".tests" not in module_name:
            for value in vars(module).values():
                if isinstance(value, type) and issubclass(value, Schema) and value.__module__ == module_name:
                    by_name.setdefault(value.__name__, set()).add(f"{module_name}.{value.__qualname__}")
    assert {n: s for n, s in by_name.items() if len(s) > 1} == {}


def test_matches_are_documented_with_their_own_evidence(document):
    schemas = document["components"]["schemas"]
    evidence = schemas["EvidenceOut"]["properties"]
    assert {"field", "outcome", "level", "weight", "description"} <= set(evidence)
    assert "enquiries" not in evidence
    joint = schemas["JointEvidenceOut"]["properties"]
    assert {"school", "ground", "absence_from", "enquiries"} <= set(joint)
    refs = json.dumps(document["paths"]["/api/v1/cases/{case_id}/joint-evidence"]["post"]["responses"]["201"])
    assert "JointEvidenceOut" in refs
