"""The periodic jobs, in one list, run by `feedback scheduler` — one process or several, on one machine or several.

APScheduler only triggers sweeps; the state they act on (outbox rows, invitation times) lives in the
database, so stopping and starting this process loses nothing. It is never started inside
create_app: under gunicorn every worker would start one.

Every job is safe when several scheduler processes run it at once, each in its own way:
- deliver-mail: each run claims its own batches of emails (SKIP LOCKED on PostgreSQL), so schedulers
  share the sending and their throughput adds up;
- queue-reminders, follow-up-digests: every email they queue has a unique outbox key, so a second
  process queueing the same email at the same moment adds nothing;
- deliver-webhooks: takes a lease for the run (webhooks.delivery), so one process delivers at a time;
- classify-verbatims, refine-with-encoder, retrain-classifier, refresh-retention, ask-promoters: a database lease (leases.py) lets one process at a time run
  them; the others skip that tick.
"""
from __future__ import annotations

import logging
import os
import signal
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Callable

from flask import Flask, current_app

from advocacy.asking import ask_promoters
from feedback_app.core import leases
from feedback_app.core.clock import utcnow
from feedback_app.jobs import (
    classify_new_verbatims,
    queue_follow_up_digests,
    refine_with_encoder,
    retrain_when_due,
    save_list_daily,
)
from feedback_app.mail.delivery import deliver_due
from feedback_app.mail.transports import sender_address, transport_from_config
from retention.refresh import refresh_is_due, refresh_retention, stage_settings
from surveys.asking.services import queue_due_reminders
from webhooks.delivery import deliver_due_webhooks
from webhooks.pruning import prune_webhook_log

log = logging.getLogger("feedback.scheduler")
# Set when the process is asked to end (SIGTERM, Ctrl-C): a running delivery stops after its current email.
STOPPING = threading.Event()


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    run: Callable[[], object]
    # Held for the run, so that no two scheduler processes run the job at once: a holder that dies
    # blocks the job for at most this long (on its own machine not at all: a dead holder is seen at once).
    lease: timedelta | None = None


def deliver_mail():
    config = current_app.config
    report = deliver_due(utcnow(), transport_from_config(config), sender_address(config),
                         config["MAIL_MAX_ATTEMPTS"], clock=utcnow, stop=STOPPING.is_set)
    if report.sent or report.retrying or report.failed or report.suppressed or report.released:
        log.info("mail: %d sent, %d to retry, %d failed, %d suppressed, %d stale claims released", report.sent,
                 report.retrying, report.failed, report.suppressed, report.released)
    if report.stopped_early:
        log.warning("mail: run stopped early: %s", report.stopped_early)
    return report


def queue_reminders():
    queued = queue_due_reminders(utcnow(), current_app.config["REMINDER_AFTER_DAYS"])
    if queued:
        log.info("reminders: %d queued", queued)
    return queued


def refine_verbatims():
    return refine_with_encoder(stop=STOPPING.is_set)


def refresh_retention_when_due():
    """Checked hourly, run once a day: the first check after a start runs it when the last one is over 24 h old."""
    if not refresh_is_due(utcnow()):
        return None
    config = current_app.config
    report = refresh_retention(utcnow(), stage_settings(config), value_attribute=config["IMPACT_VALUE_ATTRIBUTE"])
    log.info("retention: stages of %d customers refreshed, %d moved", report.customers, report.moves)
    return report


def ask_promoters_now():
    asked = ask_promoters(utcnow())
    if asked:
        log.info("advocacy: %d promoters asked for a review or referral", asked)
    return asked


def deliver_webhooks():
    report = deliver_due_webhooks(utcnow(), admin_url=current_app.config["BASE_URL"], clock=utcnow,
                                  stop=STOPPING.is_set)
    if report.delivered or report.failed or report.paused:
        log.info("webhooks: %d delivered, %d failed, %d endpoints paused", report.delivered, report.failed,
                 report.paused)
    return report


def prune_webhooks():
    deliveries, events = prune_webhook_log(utcnow())
    if deliveries or events:
        log.info("webhooks: %d old deliveries and %d events pruned from the log", deliveries, events)


JOBS = [
    Job("queue-reminders", timedelta(minutes=10), queue_reminders),
    Job("deliver-mail", timedelta(seconds=20), deliver_mail),
    Job("deliver-webhooks", timedelta(seconds=5), deliver_webhooks),  # one run at a time: its own lease
    Job("prune-webhook-log", timedelta(hours=6), prune_webhooks, lease=timedelta(minutes=30)),
    Job("classify-verbatims", timedelta(seconds=10), classify_new_verbatims, lease=timedelta(minutes=10)),
    # Does nothing without the `encoder` extra; with it, a run embeds for two minutes at most.
    Job("refine-with-encoder", timedelta(seconds=30), refine_verbatims, lease=timedelta(minutes=10)),
    Job("retrain-classifier", timedelta(hours=1), retrain_when_due, lease=timedelta(minutes=30)),
    Job("follow-up-digests", timedelta(hours=1), queue_follow_up_digests),
    Job("refresh-retention", timedelta(hours=1), refresh_retention_when_due, lease=timedelta(hours=2)),
    # The lease: the values' refresh reads every customer; two at once would only do it twice.
    Job("save-list-daily", timedelta(hours=1), save_list_daily, lease=timedelta(minutes=30)),
    # Once per customer ever is the asks' unique key; the lease only spares a second scheduler the same reads.
    Job("ask-promoters", timedelta(minutes=10), ask_promoters_now, lease=timedelta(minutes=10)),
]


def run_job(app: Flask, job: Job) -> None:
    with app.app_context():
        try:
            if job.lease is None:
                job.run()
                return
            with leases.held(job.name, job.lease, utcnow) as lease:
                if lease is not None:  # else another scheduler process is running it now
                    job.run()
        except Exception:  # one failed sweep must not stop the scheduler; the next run retries
            log.exception("job %s failed", job.name)


class ExpectedSkips(logging.Filter):
    """A run falling due while the job's last run still works is skipped by design (coalesce, one instance): the
    encoder's first embedding of the corpus takes minutes, and APScheduler would warn of each skip, every 30 s."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "maximum number of running instances reached" not in str(record.msg)


EXPECTED_SKIPS = ExpectedSkips()


def run(app: Flask, parent_pid: int | None = None) -> None:
    """Run the jobs until SIGTERM or Ctrl-C — or, given `parent_pid`, until that process is gone (`feedback dev`
    starts its scheduler so: a dev process killed outright must not leave a scheduler sending mail behind it)."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    logging.getLogger("apscheduler.scheduler").addFilter(EXPECTED_SKIPS)  # a filter already there is not added twice
    scheduler = BlockingScheduler(timezone="UTC")
    for job in JOBS:
        # coalesce + one instance: a slow sweep is never run twice at once or replayed in a burst.
        scheduler.add_job(run_job, "interval", args=(app, job), seconds=job.every.total_seconds(),
                          id=job.name, coalesce=True, max_instances=1, next_run_time=datetime.now(UTC))
    stop = _stop_on_signals(scheduler)
    if parent_pid is not None:
        threading.Thread(target=_stop_when_orphaned, args=(parent_pid, scheduler, stop), daemon=True).start()
    log.info("scheduler started with jobs: %s", ", ".join(j.name for j in JOBS))
    scheduler.start()
    log.info("scheduler stopping: running jobs finish their current step")


def _stop_on_signals(scheduler) -> None:
    """SIGTERM or Ctrl-C: no new job starts, a delivery run ends after its current email and records it
    (Python waits for the job threads before the process exits), so a restart leaves no claim behind.
    A second signal ends the process at once, as a crash would (its claims are released by the next run)."""
    def stop(signum, _frame):
        if STOPPING.is_set():  # the second signal
            os._exit(128 + signum)
        STOPPING.set()
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    return stop


def _stop_when_orphaned(parent_pid: int, scheduler, stop, every: float = 1.0) -> None:
    """When the parent dies, the kernel gives its children a new parent: that change is the signal to stop, as
    SIGTERM would (once: a second stop would end the process at once). A parent killed while the scheduler is
    still starting must stop it too: a shutdown before start() would be lost and the loop would run forever,
    so the stop waits until the scheduler runs."""
    while os.getppid() == parent_pid:
        time.sleep(every)
    while not scheduler.running:
        time.sleep(0.05)
    if not STOPPING.is_set():
        log.info("scheduler: the process that started it (%d) is gone", parent_pid)
        stop(signal.SIGTERM, None)
