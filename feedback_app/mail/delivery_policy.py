"""When an outbox email is tried again, and whether the process that claimed one is provably gone.

PURE: standard library and feedback_app.core.claimants (who holds a claim, and whether it is provably gone);
every decision takes its facts (times, errors, claims) as arguments.

An attempt ends in one of four ways, and each has its own next step:
- sent: done;
- not sent (the failure came before the message data left): retried with back-off, 1 min, 2, 4 …;
- maybe sent (the data left but the server's answer never came, or the sender died holding the email):
  retried much later and never at once, with the same Message-ID, so a mail system folds the rare copy;
- refused (a permanent 5xx answer to the recipient or to the message): failed at once, retrying is futile.

Rows are claimed in batches and a claim names its process; how long a live sender can hold one (the batch
window, then the longest conversation) is what lets another process take a claim back without a duplicate.
"""
from __future__ import annotations

import smtplib
from datetime import datetime, timedelta

from feedback_app.core.claimants import DEAD

SENT, NOT_SENT, MAYBE_SENT, REFUSED = "sent", "not sent", "maybe sent", "refused"
LONGEST_DELAY = timedelta(hours=6)


class MaybeDelivered(Exception):
    """The message data left for the server, but its answer never came: it may have been delivered."""


class ServerUnavailable(Exception):
    """No session could be opened (connect, greeting, TLS, login): every other email would fail alike."""


# ---------------------------------------------------------------- outcomes and retry times

def outcome_of(error: Exception) -> str:
    if isinstance(error, MaybeDelivered):
        return MAYBE_SENT
    return REFUSED if is_permanent_refusal(error) else NOT_SENT


def is_permanent_refusal(error: Exception) -> bool:
    """A 5xx answer about this email: every recipient refused, or the message refused after DATA.

    RFC 5321 §4.2.5 and §4.5.3.1.10: a 552 to RCPT (mailbox full) is to be treated as temporary. A refused
    sender (MAIL FROM) is not this email's fault but our settings', so it is retried until someone fixes them.
    """
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return bool(codes) and all(500 <= code < 600 and code != 552 for code in codes)
    return isinstance(error, smtplib.SMTPDataError) and 500 <= error.smtp_code < 600


def _doubling(first: timedelta, attempts: int) -> timedelta:
    return min(first * 2 ** max(attempts - 1, 0), LONGEST_DELAY)


def retry_delay(attempts: int) -> timedelta:
    """Not sent: 1 min, 2, 4 … up to 6 hours, riding out a short outage without hammering the server."""
    return _doubling(timedelta(minutes=1), attempts)


def maybe_sent_delay(attempts: int) -> timedelta:
    """Maybe sent: 10 min, 20, 40 … up to 6 hours. Never at once: a server that did not answer within the
    data timeout may still be working on the first copy, and a resend is a second copy in someone's inbox."""
    return _doubling(timedelta(minutes=10), attempts)


def released_claim_delay(attempts: int) -> timedelta:
    """A claim of a dead sender: its connection died with it, so the server has settled either way and a
    short pause (1 min, 2, 4 …, growing should the email itself be what kills the sender) is enough."""
    return _doubling(timedelta(minutes=1), attempts)


def next_try(outcome: str, attempts: int) -> timedelta | None:
    """How long until the next attempt after `attempts` of them; None: never (a refusal)."""
    if outcome == NOT_SENT:
        return retry_delay(attempts)
    if outcome == MAYBE_SENT:
        return maybe_sent_delay(attempts)
    return None


# ---------------------------------------------------------------- how long a claim may be held

# The replies one email may wait for before its data leaves, each for at most the command timeout:
# connect, greeting, EHLO, STARTTLS, the TLS handshake (2 round trips), EHLO again, AUTH (up to 3 exchanges),
# MAIL, RCPT, DATA = 13. (A reply must arrive within one timeout; a server that trickles a reply a byte
# at a time could stretch this, which no real server does.)
WAITS_BEFORE_DATA = 13
# Recording the outcome (a database commit) and clock differences between hosts.
CLAIM_MARGIN = timedelta(minutes=2)
# Rows are claimed in batches: a sender starts sending a claimed row only this long after the claim, and
# hands the rest of the batch back unsent (to claim them afresh), so no row waits in a claim behind the
# others for longer than this before its own conversation starts.
BATCH_WINDOW = timedelta(minutes=1)


def longest_send(command_timeout: float, data_timeout: float) -> timedelta:
    """The longest one email can hold its claim while a live sender is still talking to the server.

    A reused connection found dead is reopened once for the same email, so the waits before DATA can
    happen twice; then the data itself goes under the command timeout and the answer to it gets the data
    timeout: (2 × 13 + 1) × command + data. With the defaults (60 s, 600 s) that is 1,620 + 600 s = 37 min.
    """
    return timedelta(seconds=(2 * WAITS_BEFORE_DATA + 1) * command_timeout + data_timeout)


def stale_after(longest: timedelta) -> timedelta:
    """A claim older than this cannot belong to a sender still sending: the last send of a batch starts
    within the batch window and lasts at most the longest send (1 + 37 + 2 = 40 min by default)."""
    return BATCH_WINDOW + longest + CLAIM_MARGIN


def may_start_send(claimed_at: datetime, now: datetime) -> bool:
    """Whether a row of a batch claimed at `claimed_at` may still be sent now (else it is handed back)."""
    return now <= claimed_at + BATCH_WINDOW


def claim_to_release(state: str, claimed_at: datetime | None, now: datetime, stale: timedelta) -> bool:
    """A dead claimant's email at once; any other only once no live sender could still be sending it."""
    return state == DEAD or claimed_at is None or claimed_at <= now - stale
