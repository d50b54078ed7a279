"""The signature receivers check: a worked example, and what verification refuses."""
from __future__ import annotations

import hashlib
import hmac

from webhooks import signing

SECRET = "whsec_test"
BODY = b'{"id":"evt_1","type":"survey.closed","created_at":"2026-11-23T12:00:00Z","data":{"survey_id":3}}'
T = 1_795_435_200  # 2026-11-23 12:00:00 UTC


def test_the_header_is_t_and_the_hmac_of_time_dot_body():
    # Computed here independently: HMAC-SHA256 keyed with the secret over "1795435200." + the raw body.
    expected = hmac.new(b"whsec_test", b"1795435200." + BODY, hashlib.sha256).hexdigest()
    assert signing.header_value(SECRET, T, BODY) == f"t=1795435200,v1={expected}"
    assert len(expected) == 64


def test_verify_accepts_the_genuine_header_within_the_tolerance():
    header = signing.header_value(SECRET, T, BODY)
    assert signing.verify(header, SECRET, BODY, now=T + 299)
    assert signing.verify(header, SECRET, BODY, now=T - 10)


def test_verify_refuses_another_body_secret_or_time():
    header = signing.header_value(SECRET, T, BODY)
    assert not signing.verify(header, SECRET, BODY + b" ", now=T)
    assert not signing.verify(header, "other", BODY, now=T)
    assert not signing.verify(header, SECRET, BODY, now=T + 301)  # a replay five minutes later
    # The time is signed: changing it in the header breaks the signature.
    forged = header.replace(f"t={T}", f"t={T + 100}")
    assert not signing.verify(forged, SECRET, BODY, now=T + 100)


def test_verify_refuses_malformed_headers():
    for header in ("", "v1=abc", "t=abc,v1=00", f"t={T},t={T},v1=00", f"t={T}"):
        assert not signing.verify(header, SECRET, BODY, now=T)


def test_any_v1_may_match():
    good = signing.signature(SECRET, T, BODY)
    assert signing.verify(f"t={T},v1={'0' * 64},v1={good}", SECRET, BODY, now=T)
