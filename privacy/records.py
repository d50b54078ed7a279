"""Where one customer's data lives: the queries export and erasure share, so both see the same rows.

A customer is linked to a verbatim in two ways — a survey answer through its invitation, feedback from
another channel through the response's own customer_id — and to emails by their address.
"""
from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, or_, select

from feedback_app.core.extensions import db
from feedback_app.core.refusals import N_, Refusal
from feedback_app.mail.outbox import OutboxEmail
from feedback_app.mail.suppression import SuppressedAddress, address_hash
from surveys.models import Customer, Invitation, Response


class PrivacyError(Refusal):
    """A request about a customer's data that cannot be carried out; the message says why, for people."""


class InvalidAddress(PrivacyError):
    pass


class UnknownCustomer(PrivacyError):
    pass


class AlreadyErased(PrivacyError):
    pass


def normalised(email: str) -> str:
    """As the customer import stores addresses, so "Ana@Example.com " finds ana@example.com."""
    try:
        return validate_email((email or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        # The address checker's own reason is English: the API and the command line add it, a page does not.
        raise InvalidAddress(N_("%(email)s is not a valid email address"), email=repr(email), detail=str(error)) from None


def customer_by_address(address: str, lock: bool = False) -> Customer | None:
    """lock: on PostgreSQL, feedback arriving for them meanwhile waits (its response references the row)."""
    query = select(Customer).where(Customer.email == address)
    return db.session.scalar(query.with_for_update() if lock else query)


def erased_on(address: str):
    """When this address was erased on request (the suppression list's date), or None."""
    return db.session.scalar(select(SuppressedAddress.suppressed_at)
                             .where(SuppressedAddress.address_hash == address_hash(address)))


def nothing_held(address: str) -> PrivacyError:
    """The error for an address with no customer: erased before, or never known."""
    erased = erased_on(address)
    if erased is not None:
        return AlreadyErased(N_("%(address)s was already erased on request on %(day)s: nothing about it is held "
                                "any more, and it is never emailed again."), address=address, day=f"{erased:%Y-%m-%d}")
    return UnknownCustomer(N_("No customer has the address %(address)s: nothing is held about it."), address=address)


def their_invitation_ids(customer_id: int):
    return select(Invitation.id).where(Invitation.customer_id == customer_id)


def their_response_ids(customer_id: int) -> list[int]:
    """Their survey answers (through their invitations) and their feedback from other channels."""
    return list(db.session.scalars(
        select(Response.id).where(or_(Response.customer_id == customer_id,
                                      Response.invitation_id.in_(their_invitation_ids(customer_id))))
        .order_by(Response.id)))


def addressed_to(address: str):
    """Outbox rows sent (or to be sent) to this address; compared lower-cased, as addresses are stored."""
    return func.lower(OutboxEmail.recipient) == address
