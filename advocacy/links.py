"""The link in an ask's email: the ask's id signed for the purpose "advocacy" (feedback_app.core.links). The
purpose is in every link already emailed, so it never changes."""
from __future__ import annotations

from feedback_app.core.extensions import links
from feedback_app.core.links import LinkSigning, SignedLinks, is_id

ADVOCACY = "advocacy"


def ask_token(ask_id: int, signing: SignedLinks | LinkSigning = links) -> str:
    return signing.sign(ADVOCACY, ask_id)


def read_ask_token(token: str, signing: SignedLinks | LinkSigning = links) -> int | None:
    """The ask an advocacy token was signed for, or None (forged, changed, another purpose)."""
    value = signing.read(ADVOCACY, token)
    return value if is_id(value) else None


def ask_url(ask_id: int) -> str:
    return links.url(f"/advocate/{ask_token(ask_id)}")
