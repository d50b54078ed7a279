"""The unsubscribe link every email to a customer carries (survey invitations, reminders, fix news).

A customer id signed for the purpose "unsubscribe" (feedback_app.core.links): the purpose is in every link
already emailed, so it never changes.
"""
from __future__ import annotations

from feedback_app.core.extensions import links
from feedback_app.core.links import LinkSigning, SignedLinks, is_id

UNSUBSCRIBE = "unsubscribe"


def unsubscribe_token(customer_id: int, signing: SignedLinks | LinkSigning = links) -> str:
    return signing.sign(UNSUBSCRIBE, customer_id)


def unsubscribing_customer_id(token: str, signing: SignedLinks | LinkSigning = links) -> int | None:
    """The customer an unsubscribe token was signed for, or None."""
    value = signing.read(UNSUBSCRIBE, token)
    return value if is_id(value) else None


def unsubscribe_url(customer_id: int) -> str:
    return links.url(f"/u/{unsubscribe_token(customer_id)}")
