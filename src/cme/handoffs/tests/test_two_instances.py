"""Authority to authority with two real instances on loopback (issue 12, point 4).

Northmoor (901) is this test process's live server on its test database; Eastdale (907) is a
second CME Tracker started as a subprocess (`cme runserver`) on its own SQLite file and port.
Each holds its own Ed25519 key and the other's public key (docs/adr/0017)."""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from cme.cases.register.models import Reason, Task
from cme.handoffs import signing
from cme.handoffs.models import HandoffStatus, PeerMessage
from cme.handoffs.peer_services import RECEIVE_PATH, handoff_send
from cme.people.models import VulnerabilityFlag
from cme.testing import factories as f
from cme.testing.tasks import run_queued_tasks

pytestmark = pytest.mark.django_db(transaction=True)
CME = str(Path(sys.executable).with_name("cme"))
SETUP_B = """
from cme.providers.models import Organisation, OrgKind
from cme.accounts.models import Role
from cme.testing import factories as f
la = Organisation.objects.create(kind=OrgKind.LA, name="Eastdale Council", la_code="907")
f.make_user(la, Role.CME_OFFICER, username="bob")
"""
STATE_B = """
import json
from cme.handoffs.models import IncomingHandoff
from cme.audit.models import AuditEvent
print(json.dumps({"incoming": [{"uid": i.remote_uid, "status": i.status, "flags": i.payload.get("flags"),
    "case": i.case.reference if i.case else "", "ctf": i.payload.get("ctf_name")} for i in IncomingHandoff.objects.all()],
    "refused": [e.detail.get("reason") for e in AuditEvent.objects.filter(object_type="peer_message")]}))
"""
ANSWER_B = """
from cme.accounts.models import User
from cme.handoffs.models import IncomingHandoff, PeerMessage
from cme.handoffs.peer_services import handoff_accept, handoff_decline, deliver_message
bob = User.objects.get(username="bob")
incoming = IncomingHandoff.objects.get(remote_uid=UID)
if ACCEPT:
    handoff_accept(actor=bob, incoming=incoming)
else:
    handoff_decline(actor=bob, incoming=incoming, reason="The family have moved on again")
for m in PeerMessage.objects.filter(delivered=False):
    deliver_message(m.pk)   # what the worker does
"""


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Instance:
    def __init__(self, root: Path, config: dict):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        (root / "handoff.json").write_text(json.dumps(config))
        self.env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PYTEST_VERSION",
                                                                      "DJANGO_SETTINGS_MODULE")}
        self.env.update(CME_DATA_DIR=str(root), CME_HANDOFF_CONFIG=str(root / "handoff.json"),
                        CME_SECRET_KEY="test-instance-b-" + "x" * 40, CME_DEBUG="0",
                        # Plain HTTP on loopback, and no mail server.
                        CME_HTTPS="0", CME_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
        self.port = _port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def cme(self, *args: str, script: str = "") -> str:
        cmd = [CME, *args] + (["-c", script] if script else [])
        done = subprocess.run(cmd, env=self.env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def start(self) -> None:
        self.process = subprocess.Popen([CME, "runserver", f"127.0.0.1:{self.port}", "--noreload", "--skip-checks"],
                                        env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(300):
            try:
                httpx.get(self.url + "/", timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise AssertionError("instance B did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)

    def state(self) -> dict:
        return json.loads(self.cme("shell", script=STATE_B).strip().splitlines()[-1])


@pytest.fixture(scope="module")
def keys():
    return {"901": signing.new_key(), "907": signing.new_key(), "stranger": signing.new_key()}


@pytest.fixture(scope="module")
def eastdale(tmp_path_factory, keys):
    """Instance B, migrated once for the module; the peer URL of A is filled in per test."""
    b = Instance(tmp_path_factory.mktemp("eastdale"), {"keys": {"907": keys["907"][0]}, "peers": {}})
    b.cme("migrate", "--no-input", "-v", "0")
    b.cme("shell", script=SETUP_B)
    yield b
    b.stop()


@pytest.fixture
def northmoor(live_server, settings, keys, eastdale, la_a, officer_a, school_a):
    la_a.la_code = "901"
    la_a.save()
    settings.CME_HANDOFF = {"keys": {"901": keys["901"][0]},
                            "peers": {"907": {"url": eastdale.url, "public_key": keys["907"][1]}}}
    (eastdale.root / "handoff.json").write_text(json.dumps({
        "keys": {"907": keys["907"][0]}, "peers": {"901": {"url": live_server.url, "public_key": keys["901"][1]}}}))
    if eastdale.process is None:
        eastdale.start()
    child = f.make_child(la_a, legal_forename="Ruby", legal_surname="Hartley", upn="A901200124001")
    VulnerabilityFlag.objects.create(child=child, flag=VulnerabilityFlag._meta.get_field("flag").choices[0][0])
    case = f.make_case(child, responsible_officer=officer_a, reason=Reason.MOVED_UNKNOWN, last_known_provider=school_a)
    return case


def _answer(eastdale, uid: str, accept: bool) -> None:
    eastdale.cme("shell", script=f"UID={uid!r}\nACCEPT={accept}\n" + ANSWER_B)


def test_case_sent_accepted_and_the_sender_sees_it(northmoor, officer_a, eastdale):
    out = handoff_send(actor=officer_a, case=northmoor, to_la_code="907")
    run_queued_tasks()
    out.refresh_from_db()
    assert out.status == HandoffStatus.DELIVERED and out.due_on is not None
    [incoming] = [i for i in eastdale.state()["incoming"] if i["uid"] == out.uid]
    assert incoming["status"] == "delivered" and incoming["ctf"].startswith("901LLLL_CTF_907LLLL_")
    _answer(eastdale, out.uid, accept=True)
    out.refresh_from_db()
    assert out.status == HandoffStatus.ACCEPTED and out.answer_case_reference.startswith("C907-")


def test_a_decline_comes_back_with_its_reason(northmoor, officer_a, eastdale):
    out = handoff_send(actor=officer_a, case=northmoor, to_la_code="907")
    run_queued_tasks()
    _answer(eastdale, out.uid, accept=False)
    out.refresh_from_db()
    assert out.status == HandoffStatus.DECLINED and out.answer_reason == "The family have moved on again"


def _post(eastdale, body: bytes, headers: dict) -> httpx.Response:
    return httpx.post(eastdale.url + RECEIVE_PATH, content=body, headers=headers, timeout=10)


def _payload(uid: str) -> bytes:
    return json.dumps({"uid": uid, "from_la": "901", "to_la": "907", "child": {"surname": "Forged"}}).encode()


def test_forged_signature_unknown_sender_unsigned_and_replay_are_refused(northmoor, keys, eastdale):
    body = _payload("forged-1")
    forged = signing.sign(private_key=keys["stranger"][0], sender="901", method="POST", path=RECEIVE_PATH,
                          body=body, now=time.time())
    assert _post(eastdale, body, forged).status_code == 403
    unknown = signing.sign(private_key=keys["stranger"][0], sender="999", method="POST", path=RECEIVE_PATH,
                           body=body, now=time.time())
    assert _post(eastdale, body, unknown).status_code == 403
    assert _post(eastdale, body, {}).status_code == 403
    good = signing.sign(private_key=keys["901"][0], sender="901", method="POST", path=RECEIVE_PATH,
                        body=_payload("replayed-1"), now=time.time())
    assert _post(eastdale, _payload("replayed-1"), good).status_code == 200
    assert _post(eastdale, _payload("replayed-1"), good).status_code == 403  # the same nonce again
    tampered = _payload("replayed-2")
    assert _post(eastdale, tampered, good).status_code == 403  # a signature over another body
    state = eastdale.state()
    assert not any(i["uid"] in ("forged-1", "replayed-2") for i in state["incoming"])
    assert {"bad signature", "unknown sender", "unsigned", "replay"} <= set(state["refused"])


def test_receiver_down_the_send_is_kept_retried_and_the_officer_told(northmoor, officer_a, eastdale, settings, keys):
    from django_tasks_db.models import DBTaskResult

    from cme.audit.models import AuditEvent

    settings.CME_HANDOFF = {**settings.CME_HANDOFF,
                            "peers": {"907": {"url": f"http://127.0.0.1:{_port()}", "public_key": keys["907"][1]}}}
    out = handoff_send(actor=officer_a, case=northmoor, to_la_code="907")
    run_queued_tasks()
    out.refresh_from_db()
    assert out.status == HandoffStatus.QUEUED and out.attempts == 1 and "could not be reached" in out.last_error
    assert AuditEvent.objects.filter(object_type="handoff_out", summary__contains="not delivered yet").exists()
    assert DBTaskResult.objects.filter(status="READY").count() == 1  # the retry, due later
    assert Task.objects.filter(case=northmoor, assigned_to=officer_a, title__contains="not delivered yet").exists()
    settings.CME_HANDOFF = {**settings.CME_HANDOFF,
                            "peers": {"907": {"url": eastdale.url, "public_key": keys["907"][1]}}}
    from cme.handoffs.peer_services import deliver_message

    message = PeerMessage.objects.get(handoff=out)
    assert deliver_message(message.pk)  # what the retry does when it comes due
    out.refresh_from_db()
    assert out.status == HandoffStatus.DELIVERED and out.attempts == 2
    assert any(i["uid"] == out.uid for i in eastdale.state()["incoming"])
