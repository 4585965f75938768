"""API bearer tokens: created, checked and revoked. A token acts exactly as its user.

A token reads "cme_<prefix>_<secret>". Only the SHA-256 of the whole token is stored: the secret
is random (256 bits), so a fast hash is enough, and a stolen database yields no usable token.
The prefix is stored in clear so that a token can be named (in the audit trail, when revoking)
without the secret.
"""

import getpass
import hashlib
import hmac
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cme.accounts.models import ApiToken, User
from cme.audit.models import Action
from cme.audit.services import audit_record

TOKEN_SCHEME = "cme"
# Writing last_used_at on every call would turn every read into a write; once a minute is enough
# to tell a live token from a forgotten one.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _split(token: str) -> tuple[str, str] | None:
    """(prefix, secret) of a well-formed token, or None."""
    scheme, _, rest = token.strip().partition("_")
    prefix, _, secret = rest.partition("_")
    if scheme != TOKEN_SCHEME or len(prefix) != 8 or not secret:
        return None
    return prefix, secret


def token_prefix(token: str) -> str | None:
    """The public prefix of a well-formed token (what the token list shows), or None."""
    parts = _split(token or "")
    return parts[0] if parts else None


def _operator(actor: User | None) -> dict:
    """With no signed-in actor (the command line), record the system account at the keyboard."""
    if actor is not None:
        return {}
    try:
        return {"operator": getpass.getuser()}
    except (KeyError, OSError):
        return {"operator": ""}


@transaction.atomic
def api_token_create(*, user: User, name: str = "", actor: User | None = None) -> str:
    """Make a new token acting as `user` and return it: this is the only time it is seen."""
    if not user.is_active:
        raise ValidationError({"user": f"{user.get_username()} is not an active user"})
    prefix = secrets.token_hex(4)
    token = f"{TOKEN_SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
    record = ApiToken.objects.create(
        user=user, prefix=prefix, token_hash=_hash(token), name=name.strip()[:100]
    )
    audit_record(
        actor=actor,
        action=Action.CREATE,
        object_type="api_token",
        object_id=record.prefix,
        la_id=user.la_id,
        summary=f"API token {record.prefix} created acting as {user.get_username()}",
        detail={"user": user.get_username(), "name": record.name, **_operator(actor)},
    )
    return token


def api_token_authenticate(token: str) -> User | None:
    """The active user a live token acts as, or None for any token that is not one."""
    parts = _split(token or "")
    if parts is None:
        return None
    prefix, _ = parts
    expected = _hash(token.strip())
    match = None
    # Compare every candidate in constant time, so timing tells nothing about the hash.
    for candidate in ApiToken.objects.select_related("user__organisation").filter(prefix=prefix):
        if hmac.compare_digest(candidate.token_hash, expected):
            match = candidate
    if match is None or match.revoked_at is not None or not match.user.is_active:
        return None
    now = timezone.now()
    if match.last_used_at is None or now - match.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=match.pk).update(last_used_at=now)
    return match.user


@transaction.atomic
def api_token_revoke(*, user: User, prefix: str, actor: User | None = None) -> ApiToken:
    """Stop one of `user`'s tokens working, named by its prefix. Revoking is final."""
    record = (
        ApiToken.objects.select_for_update()
        .filter(user=user, prefix=prefix.strip(), revoked_at__isnull=True)
        .first()
    )
    if record is None:
        raise ValidationError(
            {"prefix": f"{user.get_username()} has no live API token starting {prefix}"}
        )
    record.revoked_at = timezone.now()
    record.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        action=Action.CHANGE,
        object_type="api_token",
        object_id=record.prefix,
        la_id=user.la_id,
        summary=f"API token {record.prefix} acting as {user.get_username()} revoked",
        detail={"user": user.get_username(), **_operator(actor)},
    )
    return record
