"""The peer allow-list and this instance's keys (docs/adr/0017), from settings.CME_HANDOFF:

    {"keys": {"901": "<base64 Ed25519 private key>"},            # the authorities hosted here
     "peers": {"907": {"url": "https://cme.eastdale.gov.uk", "public_key": "<base64>"}}}

or from the JSON file named by the environment variable CME_HANDOFF_CONFIG (else by the setting
of that name: the demo's file, which `cme demo-data` writes).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Peer:
    la_code: str
    url: str
    public_key: str


def config() -> dict:
    path = os.environ.get("CME_HANDOFF_CONFIG") or getattr(settings, "CME_HANDOFF_CONFIG", "")
    if path and (os.environ.get("CME_HANDOFF_CONFIG") or os.path.exists(path)):
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    return getattr(settings, "CME_HANDOFF", None) or {"keys": {}, "peers": {}}


def peer(la_code: str) -> Peer | None:
    p = config().get("peers", {}).get(la_code)
    return Peer(la_code, p["url"].rstrip("/"), p["public_key"]) if p else None


def public_keys() -> dict[str, str]:
    return {code: p["public_key"] for code, p in config().get("peers", {}).items()}


def private_key(la_code: str) -> str | None:
    return config().get("keys", {}).get(la_code)


def peer_name(la_code: str, known: dict[str, str] | None = None) -> str:
    """The authority's name: the peer's entry ("name"), else `known` (the LA contacts
    directory), else the register of LA codes."""
    from cme.providers.identifiers import la_name

    entry = config().get("peers", {}).get(la_code) or {}
    return entry.get("name") or (known or {}).get(la_code) or la_name(la_code) or f"Authority {la_code}"
