"""Signing in and out, two-factor sign-in with an authenticator app (TOTP), and adding users.

Each action writes its audit event (object_type "user") in the same transaction.
"""

import secrets
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model, login, logout
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from markupsafe import Markup

from cme.accounts.models import Role, RoleGrant, User
from cme.audit.models import Action
from cme.audit.services import audit_record

DEVICE_NAME = "Authenticator app"


def _audit_user(user, action: str, summary: str) -> None:
    """A user's own sign-in event: who, and the authority they belong to."""
    audit_record(actor=user, action=action, object_type="user", object_id=user.pk,
                 la_id=user.la_id, summary=summary)


def is_verified(user: User) -> bool:
    """Whether the user passed two-factor sign-in this session. django-otp's middleware adds
    is_verified() to request.user; a user just signed in with a password has not got it yet."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def needs_two_factor(user: User) -> bool:
    """Whether this user must pass two-factor sign-in before seeing any page."""
    return bool(settings.CME_REQUIRE_2FA and user.is_la_staff and not is_verified(user))


def has_confirmed_device(user: User) -> bool:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def user_sign_in(*, request: HttpRequest, username: str, password: str) -> User | None:
    """Check the password and sign the user in. django-axes counts failures and locks out
    guessing (it answers the request with cme.accounts.views.locked_out)."""
    with transaction.atomic():
        user = authenticate(request, username=username, password=password)
        if user is None:
            known = get_user_model().objects.filter(username=username).first()
            audit_record(
                actor=None,
                action=Action.SIGN_IN_FAILED,
                object_type="user",
                object_id=known.pk if known else "",
                la_id=known.la_id if known else None,
                summary=f"Failed sign-in as {username[:100]}",
                detail={"username": username[:150], "locked_out": bool(getattr(request, "axes_locked_out", False))},
            )
            return None
        login(request, user)
        _audit_user(user, Action.SIGN_IN, "Signed in with password")
    return user


def user_sign_out(*, request: HttpRequest) -> None:
    user = request.user
    with transaction.atomic():
        if user.is_authenticated:
            _audit_user(user, Action.SIGN_OUT, "Signed out")
        logout(request)


def _refused(device: TOTPDevice) -> str | None:
    allowed, _ = device.verify_is_allowed()
    if allowed:
        return None
    return "You have entered too many wrong codes. Wait a minute, then try the newest code."


def two_factor_verify(*, request: HttpRequest, code: str) -> str | None:
    """Check a code against the user's confirmed devices. None on success, else the error."""
    user = request.user
    error = "Set up an authenticator app first"
    with transaction.atomic():
        for device in TOTPDevice.objects.devices_for_user(user, confirmed=True):
            refusal = _refused(device)
            if refusal:
                error = refusal
                continue
            if device.verify_token(code):
                otp_login(request, device)
                _audit_user(user, Action.SIGN_IN, "Passed two-factor sign-in")
                return None
            error = "The code is not right. Enter the newest code from your authenticator app"
        _audit_user(user, Action.SIGN_IN_FAILED, "Wrong two-factor code")
    return error


def two_factor_device_for_setup(*, user: User) -> TOTPDevice:
    """The unconfirmed device a user is setting up; the same one until they confirm it, so the
    QR code does not change when the page is reloaded."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def two_factor_confirm(*, request: HttpRequest, device: TOTPDevice, code: str) -> str | None:
    """Confirm a new device with a code it generated. None on success, else the error."""
    user = request.user
    with transaction.atomic():
        refusal = _refused(device)
        if refusal:
            return refusal
        if not device.verify_token(code):
            _audit_user(user, Action.SIGN_IN_FAILED, "Wrong code while setting up two-factor sign-in")
            return "The code is not right. Check the app shows CME Tracker, then enter its newest code"
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        # Other unfinished set-ups are now stale secrets; remove them.
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        otp_login(request, device)
        _audit_user(user, Action.CHANGE, "Set up two-factor sign-in and passed it")
    return None


def device_secret(device: TOTPDevice) -> str:
    """The secret as people type it into an app: base32 in groups of four."""
    text = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def device_qr_svg(device: TOTPDevice) -> Markup:
    """The set-up QR code as inline SVG (no image request, nothing for the CSP to allow)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    svg = image.to_string(encoding="unicode")
    # Screen readers skip the picture; the page gives the same secret as text.
    svg = svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)
    return Markup(svg)  # noqa: S704 - built by qrcode from our own data, no user input


# ---- people who use the service ----------------------------------------------------------------

# Which roles an organisation's users may hold: the authority's staff roles for the authority,
# the school role for a provider, the referrer role for a partner agency.
def roles_allowed_for(organisation) -> frozenset[str]:
    from cme.accounts.models import LA_STAFF_ROLES

    if organisation.kind == "la":
        return frozenset(LA_STAFF_ROLES)
    if organisation.is_provider:
        return frozenset({Role.SCHOOL})
    if organisation.kind == "partner":
        return frozenset({Role.PARTNER})
    return frozenset()


@transaction.atomic
def user_create(*, actor, username: str, organisation, roles: list[str], first_name: str, last_name: str,
                email: str) -> tuple[User, str]:
    """A new user of an organisation with the roles its kind allows, and a one-time password
    (strong, random) to pass on by a safe channel: the user sets up two-factor sign-in at the
    first sign-in if their role needs it."""
    problems: dict[str, str] = {}
    if not username or User.objects.filter(username__iexact=username).exists():
        problems["username"] = f"A user called {username or '(blank)'} exists already" if username else "Enter a username"
    allowed = roles_allowed_for(organisation)
    wrong = [r for r in roles if r not in allowed]
    if not roles or wrong:
        names = ", ".join(Role(r).label if r in Role.values else r for r in (wrong or roles)) or "no role"
        problems["roles"] = (f"{organisation.name} may have users with {', '.join(sorted(Role(r).label for r in allowed))}"
                             f" only, not {names}") if allowed else f"{organisation.name} cannot have users"
    if "@" not in email:
        problems["email"] = "Enter the user's e-mail address"
    if problems:
        raise ValidationError(problems)
    password = secrets.token_urlsafe(15)
    user = User.objects.create_user(username=username, password=password, organisation=organisation,
                                    first_name=first_name, last_name=last_name, email=email)
    for role in dict.fromkeys(roles):
        RoleGrant.objects.create(user=user, role=role)
    audit_record(
        actor=actor, action=Action.CREATE, object_type="user", object_id=user.pk,
        la_id=organisation.la_id if organisation.kind != "la" else organisation.pk,
        summary=f"Added user {username} of {organisation.name} as {', '.join(Role(r).label for r in roles)}",
        detail={"username": username, "organisation_id": organisation.pk, "roles": list(roles)},
    )
    return user, password
