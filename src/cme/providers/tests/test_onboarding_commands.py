"""An authority can be set up from the command line: its partner agencies (saying what each is,
so that escalation finds the police and children's social care) and the users of the authority,
its schools and its agencies, each with the roles its kind allows."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cme.accounts.models import User
from cme.audit.models import AuditEvent
from cme.providers.models import Organisation, OrgKind


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_partner_agency_is_added_with_what_it_is_and_changed_later(la_a):
    run("partner-agency", "--la", "901", "--name", "Northmoor Police", "--service", "police", "--email", "cme@police.example")
    agency = Organisation.objects.get(kind=OrgKind.PARTNER_AGENCY, name="Northmoor Police")
    assert (agency.la, agency.service, agency.contact_email) == (la_a, "police", "cme@police.example")
    run("partner-agency", "--la", "901", "--name", "northmoor police", "--service", "social_care")
    agency.refresh_from_db()
    assert agency.service == "social_care" and agency.contact_email == "cme@police.example"
    assert Organisation.objects.filter(kind=OrgKind.PARTNER_AGENCY).count() == 1
    out, _ = run("partner-agency", "--la", "901", "--list")
    assert "Northmoor Police\tChildren’s social care" in out
    assert AuditEvent.objects.filter(object_type="organisation", action="create").exists()


def test_agency_without_a_service_is_refused(la_a):
    with pytest.raises(CommandError, match="--service"):
        run("partner-agency", "--la", "901", "--name", "Northmoor Police")
    assert not Organisation.objects.filter(kind=OrgKind.PARTNER_AGENCY).exists()


def test_users_are_added_with_the_roles_their_organisation_allows(la_a, school_a):
    password, _ = run("user-add", "jo.officer", "--org", "901", "--role", "cme_officer", "--role", "manager",
                      "--email", "jo@northmoor.example", "--first-name", "Jo", "--last-name", "Bloggs")
    jo = User.objects.get(username="jo.officer")
    assert jo.organisation == la_a and jo.roles == {"cme_officer", "manager"} and jo.check_password(password.strip())
    assert len(password.strip()) >= 20
    run("user-add", "head", "--org", "9012001", "--role", "school", "--email", "head@school.example")
    assert User.objects.get(username="head").organisation == school_a
    run("partner-agency", "--la", "901", "--name", "Northmoor Police", "--service", "police")
    run("user-add", "pc.smith", "--org", "Northmoor Police", "--la", "901", "--role", "partner", "--email", "pc@police.example")
    assert User.objects.get(username="pc.smith").organisation.name == "Northmoor Police"
    assert AuditEvent.objects.filter(object_type="user", action="create").count() == 3


def test_a_role_the_organisation_may_not_have_is_refused_and_nothing_added(la_a, school_a):
    with pytest.raises(CommandError, match="--roles"):
        run("user-add", "sneaky", "--org", "9012001", "--role", "manager", "--email", "s@school.example")
    with pytest.raises(CommandError, match="--username"):
        run("user-add", "", "--org", "901", "--role", "cme_officer", "--email", "x@la.example")
    assert not User.objects.filter(username="sneaky").exists()
