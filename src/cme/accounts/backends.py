"""Password sign-in, loading the user with what every request needs in one query."""

from __future__ import annotations

from typing import Any, NamedTuple, cast

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import ForeignKey, Model

from cme.accounts.models import RoleGrant, User
from cme.core import sql

# The organisation's model, from the field: providers sits on the floor above accounts.
Organisation = User._meta.get_field("organisation").related_model
# The models read for every signed-in request, each under its alias in _user_sql: the user, its
# organisation (scope) and that organisation's authority (a school's or partner's LA).
_LOADED: tuple[tuple[type[Model], str], ...] = ((User, "u"), (Organisation, "o"), (Organisation, "l"))


class _Columns(NamedTuple):
    names: list[str]  # attribute names, in the query's order
    pk: int  # where the primary key is among them
    converters: sql.Converters


def _user_sql() -> tuple[str, list[_Columns]]:
    """The query, and for each model its columns' names and converters."""
    columns, converters = [], []
    for model, alias in _LOADED:
        fields = model._meta.concrete_fields
        columns += [f"{alias}.{sql.quote(str(f.column))}" for f in fields]
        converters.append(_Columns([f.attname for f in fields], [f.primary_key for f in fields].index(True),
                                   sql.converters(fields, alias)))
    org, la, grant_user = (sql.column(m, n) for m, n in ((User, "organisation"), (Organisation, "la"),
                                                          (RoleGrant, "user")))
    user_pk, org_pk = sql.quote(str(User._meta.pk.column)), sql.quote(str(Organisation._meta.pk.column))
    query = (
        f"SELECT {', '.join(columns)}, r.{sql.column(RoleGrant, 'role')} FROM {sql.table(User)} u"  # noqa: S608
        f" LEFT JOIN {sql.table(Organisation)} o ON o.{org_pk} = u.{org}"
        f" LEFT JOIN {sql.table(Organisation)} l ON l.{org_pk} = o.{la}"
        f" LEFT JOIN {sql.table(RoleGrant)} r ON r.{grant_user} = u.{user_pk}"
        f" WHERE u.{user_pk} = %s"
    )
    return query, converters


_sql_cache: dict[tuple[str, str], tuple[str, list[_Columns]]] = {}


def user_for_request(user_id: Any) -> User | None:
    """The user with their organisation, its authority and their roles, read in one query (a row
    per role), as select_related would build them. Read afresh on every request, so a role taken
    away or an organisation changed counts from the next request. As SQL: every signed-in
    request makes it, and building it through the ORM cost more than running it."""
    try:
        pk = User._meta.pk.to_python(user_id)
    except ValidationError:
        return None
    key = (connection.alias, connection.vendor)
    if key not in _sql_cache:
        _sql_cache[key] = _user_sql()
    query, converters = _sql_cache[key]
    with connection.cursor() as cursor:
        cursor.execute(query, [pk])
        rows = cursor.fetchall()
    if not rows:
        return None
    objects: list[Model | None] = []
    start = 0
    for (model, _), cols in zip(_LOADED, converters, strict=True):
        values = rows[0][start:start + len(cols.names)]
        start += len(cols.names)
        # No organisation, or no authority above it: select_related caches None too.
        objects.append(None if values[cols.pk] is None
                       else model.from_db(connection.alias, cols.names, sql.convert(values, cols.converters)))
    user, org, la = objects
    assert isinstance(user, User)
    # Cached on the instances as select_related caches them.
    cast(ForeignKey, User._meta.get_field("organisation")).set_cached_value(user, org)
    if org is not None:
        cast(ForeignKey, Organisation._meta.get_field("la")).set_cached_value(org, la)
    user._roles_cache = frozenset(row[-1] for row in rows if row[-1] is not None)
    return user


class UserBackend(ModelBackend):
    def get_user(self, user_id):
        # Every page reads the user's organisation (scope) and roles (permissions): fetch them
        # with the user instead of in more queries on each request.
        user = user_for_request(user_id)
        if user is None or not self.user_can_authenticate(user):
            return None
        return user
