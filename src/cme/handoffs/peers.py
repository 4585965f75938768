"""The peer allow-list and this instance's keys (docs/adr/0017), from settings.CME_HANDOFF:

    {"keys": {"901": "<base64 Ed25519 private key>"},            # the authorities hosted here
     "peers": {"907": {"url": "https://cme.eastdale.gov.uk", "public_key": "<base64>"}}}

or from the JSON file named by the environment variable CME_HANDOFF_CONFIG.
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
    path = os.environ.get("CME_HANDOFF_CONFIG")
    if path:
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
