"""The team pages' words for stages and the stage rule's reasons (translated): the Retention page and the customer
page. A StageChange keeps the rule's reason as a key and its numbers (retention.refresh.reason_of); the sentence is
written here, in the reader's language."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

STAGE_NAMES = {"new": _l("New"), "active": _l("Active"), "silent": _l("Silent"), "at_risk": _l("At risk"),
               "lost": _l("Lost")}
STAGE_HINTS = {"new": _l("started in the last 30 days"), "active": _l("active in their usual rhythm"),
               "silent": _l("quiet far longer than their own usual rhythm"),
               "at_risk": _l("unhappy in a recent answer or feedback"), "lost": _l("ended or cancelled")}

# One sentence per retention.stages reason key; %(name)s are the decision's numbers.
REASONS = {
    "ended": _l("their end date passed %(days_since_end)s days ago"),
    "cancelled": _l("cancelled %(days_since_end)s days ago and has not come back"),
    "starts_later": _l("starts in %(days_until_start)s days"),
    "joined_recently": _l("became a customer %(days_since_start)s days ago"),
    "unhappy_recently": _l("unhappy in an answer or feedback %(days_since_unhappy)s days ago"),
    "silent_and_unhappy": _l("quiet for %(days_quiet)s days (silent after %(threshold_days)s) and unhappy "
                             "%(days_since_unhappy)s days ago"),
    "quiet_against_rhythm": _l("quiet for %(days_quiet)s days; their usual gap is %(usual_gap)s days, so silent "
                               "after %(threshold_days)s"),
    "quiet_without_rhythm": _l("quiet for %(days_quiet)s days, too little history for a rhythm (silent after "
                               "%(threshold_days)s)"),
    "never_active": _l("no activity in %(days_quiet)s days as a customer (silent after %(threshold_days)s)"),
    "in_rhythm": _l("active %(days_quiet)s days ago; their usual gap is %(usual_gap)s days"),
    "no_activity": _l("no activity imported for them"),
}


def stage_name(stage: str | None) -> str:
    return str(STAGE_NAMES.get(stage, stage or ""))


def describe_reason(reason: dict | None) -> str:
    """The sentence for a stored reason ({"key": …, numbers}); its key when the numbers do not fit."""
    if not reason:
        return ""
    key = reason.get("key")
    numbers = {name: _number(value) for name, value in reason.items() if name != "key"}
    try:
        return str(REASONS[key]) % numbers
    except (KeyError, TypeError, ValueError):
        return str(key or "")


def _number(value) -> str:
    if value is None:
        return "–"
    return f"{value:g}" if isinstance(value, float) else str(value)
