"""The survey invitation's signed link: what the survey page and its POST trust without reading the database.

"<id>.<survey>.<kind>.<locale>.<signature>": a plain signed string (feedback_app.core.links, sign_text), as
the survey POST checks one per request. Its purpose ("survey-invitation", the signature's salt) is in
every link already emailed: it never changes, nor does the token's shape.
"""
from __future__ import annotations

from typing import NamedTuple

from feedback_app.core.extensions import links
from feedback_app.core.languages import LOCALES
from feedback_app.core.links import LinkSigning, SignedLinks
from surveys.scales.kinds import KINDS

INVITATION = "survey-invitation"


class SignedInvitation(NamedTuple):
    """What the survey POST needs, carried in the link itself: none of it ever changes after sending,
    so the answer is checked and stored without reading the invitation first."""
    id: int
    survey_id: int
    kind: str
    locale: str


def signed_invitation(invitation) -> SignedInvitation:
    """An invitation row's signed part (`invitation`: a surveys.models.Invitation)."""
    return SignedInvitation(invitation.id, invitation.survey_id, invitation.survey.kind, invitation.locale)


def invitation_token(invitation: SignedInvitation, signing: SignedLinks | LinkSigning = links) -> str:
    return signing.sign_text(INVITATION, ".".join(map(str, invitation)))


def read_invitation(token: str, signing: SignedLinks | LinkSigning = links) -> SignedInvitation | None:
    """The invitation a token was signed for, or None (forged, another purpose, or a payload of another shape)."""
    value = signing.read_text(INVITATION, token)
    if value is None:
        return None
    parts = value.split(".")
    if (len(parts) == 4 and all(p.isascii() and p.isdigit() for p in parts[:2]) and parts[2] in KINDS
            and parts[3] in LOCALES):
        return SignedInvitation(int(parts[0]), int(parts[1]), parts[2], parts[3])
    return None


def invitation_id(token: str, signing: SignedLinks | LinkSigning = links) -> int | None:
    signed = read_invitation(token, signing)
    return signed.id if signed else None


def survey_url(invitation, score: int | None = None) -> str:
    """The survey page's address for an invitation (a row or its SignedInvitation), with a score button's
    `?score=`. Signed once per call: an email's buttons are one link with their scores."""
    signed = invitation if isinstance(invitation, SignedInvitation) else signed_invitation(invitation)
    url = links.url(f"/s/{invitation_token(signed)}")
    return url if score is None else f"{url}?score={score}"
