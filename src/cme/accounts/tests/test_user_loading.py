"""Every signed-in request reads the user with their organisation, its authority and their roles
in one query, afresh: a role taken away or an account closed counts from the next request."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from cme.accounts.backends import UserBackend, user_for_request
from cme.accounts.models import Role, RoleGrant, User
from cme.testing import factories as f


def test_officer_is_read_with_organisation_and_roles_in_one_query(officer_a, la_a):
    with CaptureQueriesContext(connection) as ctx:
        user = user_for_request(officer_a.pk)
        assert user is not None
        assert (user.organisation, user.la_id, user.is_la_staff) == (la_a, la_a.pk, True)
        assert user.roles == {Role.CME_OFFICER}
        assert user.organisation.la is None
    assert len(ctx.captured_queries) == 1
    # Every field as the ORM reads it.
    fresh = User.objects.select_related("organisation").get(pk=officer_a.pk)
    for field in User._meta.concrete_fields:
        assert getattr(user, field.attname) == getattr(fresh, field.attname), field.name
    for field in type(la_a)._meta.concrete_fields:
        assert getattr(user.organisation, field.attname) == getattr(fresh.organisation, field.attname), field.name


def test_school_user_comes_with_the_school_and_its_authority(school_user_a, school_a, la_a):
    with CaptureQueriesContext(connection) as ctx:
        user = user_for_request(str(school_user_a.pk))  # as the session holds it
        assert user is not None
        assert (user.organisation, user.organisation.la, user.la_id) == (school_a, la_a, la_a.pk)
        assert not user.is_la_staff
    assert len(ctx.captured_queries) == 1


def test_several_roles_and_none(la_a):
    both = f.make_user(la_a, Role.CME_OFFICER, Role.MANAGER)
    assert user_for_request(both.pk).roles == {Role.CME_OFFICER, Role.MANAGER}
    RoleGrant.objects.filter(user=both).delete()
    assert user_for_request(both.pk).roles == frozenset()


def test_user_with_no_organisation(db):
    lone = User.objects.create_user(username="lone", password="x" * 16)
    user = user_for_request(lone.pk)
    assert user is not None
    assert (user.organisation, user.la_id, user.is_la_staff) == (None, None, False)


def test_a_role_taken_away_counts_from_the_next_request(client_for, manager_a):
    client = client_for(manager_a)
    assert client.get("/team").status_code == 200
    RoleGrant.objects.filter(user=manager_a, role=Role.MANAGER).update(role=Role.CME_OFFICER)
    assert client.get("/team").status_code in (403, 404)


def test_a_closed_account_is_signed_out_at_the_next_request(client_for, officer_a):
    client = client_for(officer_a)
    assert client.get("/cases").status_code == 200
    User.objects.filter(pk=officer_a.pk).update(is_active=False)
    response = client.get("/cases")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in")


def test_no_such_user_and_a_bad_id(db):
    assert user_for_request(10**9) is None
    assert user_for_request("not a number") is None
    assert UserBackend().get_user("not a number") is None
