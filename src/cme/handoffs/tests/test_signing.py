"""The signed-message rules (pure; docs/adr/0017)."""

import pytest

from cme.handoffs.signing import Refused, new_key, sign, verify

PRIVATE, PUBLIC = new_key()


def _verify(headers, body=b"{}", now=1000.0, seen=None, path="/p"):
    seen = set() if seen is None else seen

    def nonce_is_new(sender, nonce):
        if (sender, nonce) in seen:
            return False
        seen.add((sender, nonce))
        return True

    return verify(headers=headers, method="POST", path=path, body=body, peers={"901": PUBLIC}, now=now,
                  nonce_is_new=nonce_is_new)


def test_good_message_verifies_once_then_is_a_replay():
    headers = sign(private_key=PRIVATE, sender="901", method="POST", path="/p", body=b"{}", now=1000)
    seen: set = set()
    assert _verify(headers, seen=seen) == "901"
    with pytest.raises(Refused, match="replay"):
        _verify(headers, seen=seen)


@pytest.mark.parametrize("change, reason", [
    (dict(body=b"{ }"), "bad signature"),
    (dict(path="/q"), "bad signature"),
    (dict(now=1000 + 301), "skew"),
])
def test_changed_body_path_or_stale_time_is_refused(change, reason):
    headers = sign(private_key=PRIVATE, sender="901", method="POST", path="/p", body=b"{}", now=1000)
    with pytest.raises(Refused, match=reason):
        _verify(headers, **change)


def test_unknown_or_unsigned_sender_is_refused():
    headers = sign(private_key=PRIVATE, sender="999", method="POST", path="/p", body=b"{}", now=1000)
    with pytest.raises(Refused, match="unknown sender"):
        _verify(headers)
    with pytest.raises(Refused, match="unsigned"):
        _verify({})


def test_a_forgery_does_not_burn_the_nonce():
    good = sign(private_key=PRIVATE, sender="901", method="POST", path="/p", body=b"{}", now=1000, nonce="n1")
    forged = sign(private_key=new_key()[0], sender="901", method="POST", path="/p", body=b"{}", now=1000, nonce="n1")
    seen: set = set()
    with pytest.raises(Refused, match="bad signature"):
        _verify(forged, seen=seen)
    assert _verify(good, seen=seen) == "901"
