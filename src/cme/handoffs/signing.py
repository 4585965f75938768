"""Signed messages between two authorities' CME Trackers (pure: no Django; docs/adr/0017).

Each authority holds an Ed25519 private key and gives its public key to the peers it works with;
each keeps an allow-list of peers (LA code, base URL, public key). A message is signed over

    "cme-handoff-v1\\n<sender LA code>\\n<timestamp>\\n<nonce>\\n<method> <path>\\n<sha256 of body>"

and carries X-CME-Sender, X-CME-Timestamp (Unix seconds), X-CME-Nonce and X-CME-Signature
(base64). The receiver refuses a message from a sender not on its allow-list, with no or a
wrong signature, outside the allowed clock skew, or with a nonce already seen (a replay).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from collections.abc import Callable, Mapping

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

MAX_SKEW = 300  # seconds either way
HEADERS = ("X-CME-Sender", "X-CME-Timestamp", "X-CME-Nonce", "X-CME-Signature")


class Refused(Exception):
    """The message is not accepted; `reason` says why (safe to log, never echoes key material)."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


def new_key() -> tuple[str, str]:
    """A fresh key pair as base64 (private, public) raw bytes."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes_raw()
    public = key.public_key().public_bytes_raw()
    return base64.b64encode(private).decode(), base64.b64encode(public).decode()


def _message(sender: str, timestamp: str, nonce: str, method: str, path: str, body: bytes) -> bytes:
    digest = hashlib.sha256(body).hexdigest()
    return f"cme-handoff-v1\n{sender}\n{timestamp}\n{nonce}\n{method.upper()} {path}\n{digest}".encode()


def sign(*, private_key: str, sender: str, method: str, path: str, body: bytes, now: float,
         nonce: str | None = None) -> dict[str, str]:
    key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(private_key))
    timestamp, nonce = str(int(now)), nonce or secrets.token_urlsafe(18)
    signature = key.sign(_message(sender, timestamp, nonce, method, path, body))
    return {"X-CME-Sender": sender, "X-CME-Timestamp": timestamp, "X-CME-Nonce": nonce,
            "X-CME-Signature": base64.b64encode(signature).decode()}


def verify(*, headers: Mapping[str, str], method: str, path: str, body: bytes, peers: Mapping[str, str],
           now: float, nonce_is_new: Callable[[str, str], bool], max_skew: int = MAX_SKEW) -> str:
    """The sender's LA code when the message is good; Refused otherwise. `peers` maps an LA code
    to its base64 public key; `nonce_is_new(sender, nonce)` records the nonce and says whether
    it was new (called only once the signature is good, so forgeries cannot burn nonces)."""
    sender, timestamp, nonce, signature = (headers.get(h, "") for h in HEADERS)
    if not (sender and timestamp and nonce and signature):
        raise Refused("unsigned")
    public = peers.get(sender)
    if not public:
        raise Refused("unknown sender")
    if not timestamp.isdigit() or abs(now - int(timestamp)) > max_skew:
        raise Refused("timestamp outside the allowed skew")
    if len(nonce) > 64:
        raise Refused("nonce too long")
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public))
        key.verify(base64.b64decode(signature, validate=True), _message(sender, timestamp, nonce, method, path, body))
    except (InvalidSignature, ValueError, binascii.Error):
        raise Refused("bad signature") from None
    if not nonce_is_new(sender, nonce):
        raise Refused("replay")
    return sender
