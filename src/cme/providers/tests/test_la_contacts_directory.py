"""The directory of other LAs' named CME contacts: seeded from the DfE list of LA codes by
`cme seed-la-contacts` (idempotent), read by the authority's staff, changed by its managers and
administrators only."""

import pytest
from django.core.management import call_command

from cme.accounts.models import Role
from cme.audit.models import AuditEvent
from cme.providers.models import Organisation, OrgKind
from cme.providers.services import read_la_codes
from cme.testing import factories as f


def _directory(la):
    return Organisation.objects.filter(la=la, kind=OrgKind.OTHER_LA)


def test_seed_gives_each_authority_every_other_english_la_once(la_a, la_b):
    codes = read_la_codes()
    assert len(codes) > 150 and ("302", "Barnet") in codes
    call_command("seed-la-contacts", verbosity=0)
    assert _directory(la_a).count() == len(codes) - sum(1 for c, _ in codes if c == la_a.la_code)
    barnet = _directory(la_a).get(la_code="302")
    barnet.contact_email = "cme@barnet.example"
    barnet.save()
    call_command("seed-la-contacts", verbosity=0)  # again: nothing doubles, contacts kept
    assert _directory(la_a).filter(la_code="302").count() == 1
    assert _directory(la_a).get(la_code="302").contact_email == "cme@barnet.example"
    assert _directory(la_b).filter(la_code="302").exists()


def test_seed_refuses_an_unknown_authority(la_a):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--la 999: no such authority"):
        call_command("seed-la-contacts", "--la", "999", verbosity=0)
    assert not Organisation.objects.filter(kind=OrgKind.OTHER_LA).exists()


@pytest.fixture
def barnet(la_a):
    return Organisation.objects.create(kind=OrgKind.OTHER_LA, la=la_a, la_code="302", name="Barnet")


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_staff_of_la_a_see_the_directory(persona, client_for, barnet):
    page = client_for(persona).get("/la-contacts")
    assert page.status_code == 200 and "Barnet" in page.text
    assert (f"/la-contacts/{barnet.pk}" in page.text) == (persona.username == "mary")


def test_a_manager_changes_a_contact_and_it_is_audited(manager_a, client_for, barnet):
    client = client_for(manager_a)
    assert client.get(f"/la-contacts/{barnet.pk}").status_code == 200
    response = client.post(f"/la-contacts/{barnet.pk}", {
        "contact_name": "Chris Contact", "contact_email": "cme@barnet.example", "contact_phone": "020 8359 2000",
    })
    assert response.status_code == 302
    barnet.refresh_from_db()
    assert (barnet.contact_name, barnet.contact_email) == ("Chris Contact", "cme@barnet.example")
    assert AuditEvent.objects.filter(summary="Changed the named CME contact of Barnet").exists()


def test_an_administrator_may_change_contacts(la_a, client_for, barnet):
    admin = f.make_user(la_a, Role.ADMINISTRATOR, username="ada")
    assert client_for(admin).post(f"/la-contacts/{barnet.pk}", {"contact_email": "a@b.example"}).status_code == 302


def test_a_bad_email_is_refused_and_nothing_changes(manager_a, client_for, barnet):
    response = client_for(manager_a).post(f"/la-contacts/{barnet.pk}", {"contact_email": "not an email"})
    assert "Enter an email address in the correct format" in response.text
    barnet.refresh_from_db()
    assert barnet.contact_email == ""


def test_an_officer_cannot_change_contacts(officer_a, client_for, barnet):
    client = client_for(officer_a)
    assert client.get(f"/la-contacts/{barnet.pk}").status_code == 403
    assert client.post(f"/la-contacts/{barnet.pk}", {"contact_email": "x@y.example"}).status_code == 403
    barnet.refresh_from_db()
    assert barnet.contact_email == ""


def test_officer_of_la_b_sees_none_of_la_a(officer_b, la_b, client_for, barnet):
    manager_b = f.make_user(la_b, Role.MANAGER)
    assert "Barnet" not in client_for(officer_b).get("/la-contacts").text
    assert client_for(manager_b).get(f"/la-contacts/{barnet.pk}").status_code == 404
    assert client_for(manager_b).post(f"/la-contacts/{barnet.pk}", {"contact_email": "x@y.example"}).status_code == 404


@pytest.mark.parametrize("outsider", ["school_user_a", "partner_a"])
def test_schools_and_partners_get_404(request, outsider, client_for, barnet):
    client = client_for(request.getfixturevalue(outsider))
    assert client.get("/la-contacts").status_code == 404
    assert client.get(f"/la-contacts/{barnet.pk}").status_code == 404
