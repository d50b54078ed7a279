"""The periodic jobs, in one list, run by exactly one process: `feedback scheduler`.

APScheduler only triggers sweeps; the state they act on (outbox rows, invitation times) lives in the
database, so stopping and starting this process loses nothing. It is never started inside
create_app: under gunicorn every worker would start one and every email would go out N times.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Callable

from flask import Flask, current_app

from surveys.services import queue_due_reminders

from .mail import sender_address, transport_from_config
from .outbox import deliver_due
from .timeutil import utcnow
from .wiring import classify_new_verbatims, queue_follow_up_digests, retrain_when_due

log = logging.getLogger("feedback.scheduler")


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    run: Callable[[], object]


def deliver_mail():
    config = current_app.config
    report = deliver_due(utcnow(), transport_from_config(config), sender_address(config),
                         config["MAIL_MAX_ATTEMPTS"], clock=utcnow)
    if report.sent or report.retrying or report.failed or report.suppressed or report.released:
        log.info("mail: %d sent, %d to retry, %d failed, %d suppressed, %d stale claims released", report.sent,
                 report.retrying, report.failed, report.suppressed, report.released)
    if report.stopped_early:
        log.warning("mail: run stopped early: %s", report.stopped_early)
    return report


def queue_reminders():
    queued = queue_due_reminders(current_app.extensions["feedback.mailer"], utcnow(),
                                 current_app.config["REMINDER_AFTER_DAYS"])
    if queued:
        log.info("reminders: %d queued", queued)
    return queued


JOBS = [
    Job("queue-reminders", timedelta(minutes=10), queue_reminders),
    Job("deliver-mail", timedelta(seconds=20), deliver_mail),
    Job("classify-verbatims", timedelta(seconds=10), classify_new_verbatims),
    Job("retrain-classifier", timedelta(hours=1), retrain_when_due),
    Job("follow-up-digests", timedelta(hours=1), queue_follow_up_digests),
]


def run_job(app: Flask, job: Job) -> None:
    with app.app_context():
        try:
            job.run()
        except Exception:  # one failed sweep must not stop the scheduler; the next run retries
            log.exception("job %s failed", job.name)


def run(app: Flask) -> None:
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler = BlockingScheduler(timezone="UTC")
    for job in JOBS:
        # coalesce + one instance: a slow sweep is never run twice at once or replayed in a burst.
        scheduler.add_job(run_job, "interval", args=(app, job), seconds=job.every.total_seconds(),
                          id=job.name, coalesce=True, max_instances=1, next_run_time=utcnow_aware())
    log.info("scheduler started with jobs: %s", ", ".join(j.name for j in JOBS))
    scheduler.start()


def utcnow_aware():
    from datetime import UTC, datetime
    return datetime.now(UTC)
