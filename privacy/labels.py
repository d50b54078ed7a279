"""What the counts of an erasure mean, for people: the same words on the command line and the page."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

RESTORED = "address_restored"  # the log's count for "an erased address was allowed again"

REMOVED = {
    "customer": _l("customer record deleted"),
    "invitations": _l("invitations unlinked (kept for response rates)"),
    "answers": _l("answers emptied (scores kept)"),
    "thanks_answers": _l("answers to thank-you pages' second questions deleted"),
    "triage_records": _l("triage records cleared of their words"),
    "training_examples": _l("training examples deleted"),
    "encoder_vectors": _l("sentence vectors computed from their words deleted"),
    "model_versions": _l("classifier models withdrawn"),
    "fix_links_merged": _l("links of their other answers to the same fix removed (a person counts once)"),
    "beta_tester_records": _l("beta-tester records deleted"),
    "adviser_records": _l("records of offers to advise on a fix deleted"),
    "emails": _l("emails to them emptied"),
    "team_emails": _l("team emails that named them emptied"),
    "activities": _l("activities deleted (purchases, logins, …)"),
    "stage_changes": _l("lifecycle stage changes deleted"),
    "win_back_emails": _l("records of win-back emails to them deleted"),
    "save_outcomes": _l("the team's save outcomes for them deleted"),
    "customer_values": _l("their computed customer value deleted"),
    "advocacy_asks": _l("their ask for a review or referral and its outcome deleted"),
    "webhook_events": _l("webhook events about them cleared of their words and id"),
    RESTORED: _l("erased address allowed again"),
}


def label(key: str) -> str:
    return str(REMOVED.get(key, key))
