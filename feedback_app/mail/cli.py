"""`feedback mail deliver`: the outbox's due emails sent now, from the command line (the scheduler does it
every few seconds)."""
from __future__ import annotations

import signal
import sys
import threading
from contextlib import contextmanager
from typing import Iterator

import click
from flask import current_app
from flask.cli import with_appcontext

from feedback_app.core.clock import utcnow
from feedback_app.mail.delivery import deliver_due
from feedback_app.mail.outbox import count_due
from feedback_app.mail.transports import sender_address, transport_from_config


@click.group()
def mail():
    """The outbox."""


@mail.command("deliver")
@with_appcontext
def mail_deliver():
    """Send every due email now (a progress bar on stderr; the last line sums it up). Ctrl-C or SIGTERM ends
    the run after the email being sent, with nothing left claimed; a second one ends it at once."""
    config = current_app.config
    now = utcnow()
    with click.progressbar(length=count_due(now), label="Delivering emails", file=sys.stderr) as bar, \
            _stop_requested() as stopping:
        report = deliver_due(now, transport_from_config(config), sender_address(config), config["MAIL_MAX_ATTEMPTS"],
                             clock=utcnow, progress=bar.update, stop=stopping.is_set)
    if report.released:
        click.echo(f"{report.released} left in 'sending' by a stopped run: maybe delivered, retried later.")
    if report.suppressed:
        click.echo(f"{report.suppressed} not sent: the address is on the suppression list.")
    if report.stopped_early:
        click.echo(f"Stopped early, the rest wait for the next run: {report.stopped_early}")
    click.echo(f"{report.sent} sent, {report.retrying} to retry later, {report.failed} failed.")


@contextmanager
def _stop_requested() -> Iterator[threading.Event]:
    """An event set by the first SIGINT or SIGTERM; the second raises KeyboardInterrupt as usual."""
    stopping = threading.Event()
    if threading.current_thread() is not threading.main_thread():  # only the main thread may set handlers
        yield stopping
        return

    def ask(signum, _frame):
        if stopping.is_set():
            raise KeyboardInterrupt
        stopping.set()

    previous = {number: signal.signal(number, ask) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stopping
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
