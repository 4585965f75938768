"""Checks `cme check --deploy` runs on top of Django's: what a production service must have."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured

DEV_KEY_PREFIX = "insecure-development-key"


@register(Tags.security, deploy=True)
def production_secrets(app_configs, **kwargs) -> list[Error]:
    problems = []
    try:
        key = settings.SECRET_KEY or ""
    except ImproperlyConfigured:  # Django refuses to hand out an empty key
        key = ""
    if not key or key.startswith(DEV_KEY_PREFIX):
        problems.append(Error(
            "No secret key from the environment",
            hint="Set CME_SECRET_KEY to a long random value (python -c 'import secrets; "
                 "print(secrets.token_urlsafe(50))'), kept in the council's secret store.",
            id="cme.E001"))
    if settings.DEBUG:
        problems.append(Error("CME_DEBUG is on", hint="Never in production: pages would show code and settings.",
                              id="cme.E002"))
    if getattr(settings, "CME_DEMO", False):
        problems.append(Error("Demo mode is on", hint="CME_DEMO lets fictional data and shared passwords in.",
                              id="cme.E003"))
    return problems
