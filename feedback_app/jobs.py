"""The scheduler's triage work: new verbatims classified (and refined by the optional encoder), the model retrained
when due, the daily follow-up digests.

Classification runs here, beside the survey POST rather than inside it, so answering a survey stays
as cheap as one insert; the sweep picks up every new or changed verbatim within seconds.
"""
import logging
from datetime import timedelta
from typing import Callable

from flask import current_app

from feedback_app.core.clock import utcnow
from triage.classification import learning
from triage.loop import follow_up
from triage.verbatims import classifying, refining

log = logging.getLogger("feedback.scheduler")


def classify_new_verbatims() -> int:
    classified = classifying.classify_pending(utcnow(), current_app.config["REVIEW_BELOW"])
    if classified:
        log.info("triage: %d verbatims classified", classified)
    return classified


def refine_with_encoder(stop: Callable[[], bool] = lambda: False, budget: timedelta = timedelta(minutes=2)) -> int:
    """A run embeds for at most `budget` (the next one goes on), so a backlog never holds the lease for long."""
    until = utcnow() + budget
    refined = refining.refine_pending(utcnow(), current_app.config["REVIEW_BELOW"],
                                      stop=lambda: stop() or utcnow() >= until)
    if refined:
        log.info("triage: %d verbatims refined by the encoder", refined)
    return refined


def retrain_when_due():
    return learning.retrain_if_due(utcnow(), current_app.config["RETRAIN_AFTER_LABELS"])


def save_list_daily() -> int:
    """Hourly: customers' values refreshed once a day (the Save list's order), then each triager's Save list
    digest, at most one a day (its outbox key names the day)."""
    from retention.saving import digest

    return digest.daily(utcnow(), current_app.config["BASE_URL"])


def queue_follow_up_digests() -> int:
    """Hourly, but each triager gets at most one digest a day (its outbox key names the day)."""
    return follow_up.queue_digests(utcnow(), timedelta(hours=current_app.config["FOLLOW_UP_HOURS"]),
                                   current_app.config["BASE_URL"])
