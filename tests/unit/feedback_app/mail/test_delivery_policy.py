import smtplib
from datetime import datetime, timedelta

import pytest

from feedback_app.core.claimants import ALIVE, DEAD, UNKNOWN, Claimant
from feedback_app.mail import delivery_policy as policy

NOW = datetime(2026, 11, 23, 12, 0)
HERE = Claimant("web-1", "0123456789ab", 100, "5000")


def refused(*codes):
    return smtplib.SMTPRecipientsRefused({f"r{i}@example.com": (code, b"no") for i, code in enumerate(codes)})


@pytest.mark.parametrize("error, outcome", [
    (policy.MaybeDelivered("timed out"), policy.MAYBE_SENT),
    (refused(550), policy.REFUSED),
    (refused(550, 553), policy.REFUSED),
    (refused(552), policy.NOT_SENT),            # mailbox full: temporary, says RFC 5321
    (refused(550, 450), policy.NOT_SENT),       # one recipient may still take it later
    (refused(450), policy.NOT_SENT),
    (smtplib.SMTPDataError(554, b"spam"), policy.REFUSED),
    (smtplib.SMTPDataError(451, b"later"), policy.NOT_SENT),
    (smtplib.SMTPSenderRefused(553, b"bad sender", "f@acme.test"), policy.NOT_SENT),  # our settings: fixable
    (smtplib.SMTPServerDisconnected("gone"), policy.NOT_SENT),
    (policy.ServerUnavailable("refused"), policy.NOT_SENT),
    (ConnectionRefusedError(), policy.NOT_SENT),
])
def test_what_each_failure_means(error, outcome):
    assert policy.outcome_of(error) == outcome


def test_retry_times_per_outcome():
    assert [policy.next_try(policy.NOT_SENT, n) for n in (1, 2, 3)] == [timedelta(minutes=m) for m in (1, 2, 4)]
    assert [policy.next_try(policy.MAYBE_SENT, n) for n in (1, 2, 3)] == [timedelta(minutes=m) for m in (10, 20, 40)]
    assert policy.next_try(policy.NOT_SENT, 30) == policy.next_try(policy.MAYBE_SENT, 30) == timedelta(hours=6)
    assert policy.next_try(policy.REFUSED, 1) is None
    assert policy.released_claim_delay(1) == timedelta(minutes=1) and policy.released_claim_delay(2) == timedelta(minutes=2)


def test_a_claim_is_held_no_longer_than_the_longest_conversation_allows():
    # The batch window, then (2 × 13 + 1) waits of the command timeout, the data timeout, and the margin.
    assert policy.longest_send(60, 600) == timedelta(seconds=27 * 60 + 600) == timedelta(minutes=37)
    assert policy.stale_after(policy.longest_send(60, 600)) == timedelta(minutes=40)
    assert policy.longest_send(1, 5) == timedelta(seconds=32)


def test_a_batch_is_sent_only_within_its_window_so_the_last_send_ends_before_the_claim_is_stale():
    claimed = NOW
    assert policy.may_start_send(claimed, NOW + timedelta(seconds=60))
    assert not policy.may_start_send(claimed, NOW + timedelta(seconds=61))
    longest = policy.longest_send(60, 600)
    last_send_ends = claimed + policy.BATCH_WINDOW + longest
    assert last_send_ends + policy.CLAIM_MARGIN == claimed + policy.stale_after(longest)


@pytest.mark.parametrize("state, held_for, released", [
    (DEAD, timedelta(0), True),
    (ALIVE, timedelta(minutes=38), False), (ALIVE, timedelta(minutes=39), True),
    (UNKNOWN, timedelta(minutes=38), False), (UNKNOWN, timedelta(minutes=39), True),
])
def test_when_a_claim_is_released(state, held_for, released):
    assert policy.claim_to_release(state, NOW - held_for, NOW, timedelta(minutes=39)) == released
