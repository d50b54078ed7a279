"""The verification snippet the README gives receivers works: it accepts our signature and refuses a wrong secret,
a changed body and an old time."""
from __future__ import annotations

import time
from pathlib import Path

from webhooks import signing

README = Path(__file__).resolve().parents[3] / "README.md"


def readme_verify():
    [snippet] = [block.split("```")[0] for block in README.read_text("utf-8").split("```python\n")[1:]
                 if "def verify(header" in block]
    names: dict = {}
    exec(snippet, names)  # noqa: S102  (our own README)
    return names["verify"]


def test_the_readme_snippet_checks_our_signature():
    verify = readme_verify()
    body, now = b'{"id":"evt_1","type":"survey.closed","created_at":"2026-11-23T12:00:00Z","data":{}}', int(time.time())
    header = signing.header_value("s3cret", now, body)
    assert verify(header, "s3cret", body)
    assert not verify(header, "other", body)
    assert not verify(header, "s3cret", body[:-1] + b" }")
    assert not verify(signing.header_value("s3cret", now - 600, body), "s3cret", body)
