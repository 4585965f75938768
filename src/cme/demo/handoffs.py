"""The demo's authority-to-authority hand-offs (issue 12): Northmoor and Eastdale are each other's
peer on the one demo server, with their own keys, so an officer can send a case across and the
other authority's officer answer it, as two councils' CME Trackers would.

The keys live in the data directory (settings.CME_HANDOFF_CONFIG), made once; the peers' address is
the demo server's (settings.CME_BASE_URL), refreshed each time the demo starts. The worker that
`make demo` runs beside the server delivers what is sent."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.test import Client

CODES = ("901", "907")


def write_demo_handoff_config(*, path: str | os.PathLike | None = None, url: str | None = None) -> Path:
    """Keys for both demo authorities (kept if already made), each the other's peer at `url`."""
    from cme.handoffs import signing

    if not (path or settings.CME_HANDOFF_CONFIG):
        raise ValueError("No CME_HANDOFF_CONFIG: the demo's hand-off keys have nowhere to go")
    target = Path(path or settings.CME_HANDOFF_CONFIG)
    url = (url or settings.CME_BASE_URL).rstrip("/")
    old = json.loads(target.read_text(encoding="utf-8")) if target.exists() else {}
    keys: dict[str, str] = dict(old.get("keys", {}))
    public: dict[str, str] = {code: p["public_key"] for code, p in old.get("peers", {}).items()}
    for code in CODES:
        if code not in keys or code not in public:
            keys[code], public[code] = signing.new_key()
    config = {"keys": keys, "peers": {code: {"url": url, "public_key": public[code]} for code in CODES}}
    target.parent.mkdir(parents=True, exist_ok=True)
    # The private keys: readable by this user only.
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2)
    return target


def _in_process_post() -> Callable:
    """Deliver to this same service through its real peer endpoint (signature, allow-list and
    replay checks included), without a server running while the demo is built."""
    client = Client()

    def post(address: str, *, content: bytes, headers: dict, timeout: float = 10):
        path = "/" + address.split("://", 1)[-1].split("/", 1)[1]
        extra = {k: v for k, v in headers.items() if k.lower() != "content-type"}
        return client.post(path, data=content, content_type="application/json", headers=extra)

    return post


def build_demo_handoffs(*, log: Callable[[str], None] = lambda _m: None) -> None:
    """One case sent from Northmoor and waiting for Eastdale's answer; one sent from Eastdale and
    accepted by Northmoor, the answer back with Eastdale."""
    from cme.accounts.models import Role, User
    from cme.cases.register.models import Case
    from cme.handoffs.models import IncomingHandoff, PeerMessage
    from cme.handoffs.peer_services import deliver_message, handoff_accept, handoff_send
    from cme.providers.models import Organisation, OrgKind

    if not settings.CME_HANDOFF_CONFIG:
        log("Hand-offs: no CME_HANDOFF_CONFIG (settings loaded outside demo mode); none made")
        return
    write_demo_handoff_config()
    post = _in_process_post()

    def officer(code: str) -> User | None:
        return User.objects.filter(organisation__kind=OrgKind.LA, organisation__la_code=code,
                                   role_grants__role=Role.CME_OFFICER).order_by("pk").first()

    def open_case(code: str) -> Case | None:
        la = Organisation.objects.get(kind=OrgKind.LA, la_code=code)
        return (Case.objects.filter(la=la, closed_on__isnull=True, stage__in=["logged", "locating"])
                .select_related("child", "la").order_by("pk").first())

    def deliver_all() -> None:
        for message in PeerMessage.objects.filter(delivered=False).order_by("pk"):
            deliver_message(message.pk, post=post)

    north, east = officer("901"), officer("907")
    north_case, east_case = open_case("901"), open_case("907")
    if north is None or east is None or north_case is None or east_case is None:
        log("Hand-offs: no officer or open case to send; none made")
        return
    handoff_send(actor=north, case=north_case, to_la_code="907")
    handoff_send(actor=east, case=east_case, to_la_code="901")
    deliver_all()
    incoming = IncomingHandoff.objects.get(la__la_code="901", from_la_code="907")
    handoff_accept(actor=north, incoming=incoming)
    deliver_all()
    log("Hand-offs: one case waiting at Eastdale, one accepted by Northmoor")
