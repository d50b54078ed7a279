"""The `feedback` command: the app's Flask CLI with the team's commands."""
from __future__ import annotations

import io
import json
import logging
import os
import signal
import stat
import subprocess
import sys
import threading
from contextlib import contextmanager
from typing import Iterator

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade
from werkzeug.serving import run_simple

from config import ConfigError
from feedback_app.accounts.models import ROLES
from feedback_app.accounts.tokens import TokenError, create_token, list_tokens, revoke_token
from feedback_app.core.cli_args import ID
from feedback_app.core.clock import utcnow
from feedback_app.core.extensions import db
from feedback_app.mail.emails import sender_address, transport_from_config
from feedback_app.mail.outbox import count_due, deliver_due
from surveys.asking import services as survey_services
from surveys.asking.results import all_surveys, survey_results
from surveys.models import Survey
from surveys.people.importing import CustomerCSV, NotACustomerCSV
from surveys.people.services import import_customers
from surveys.scales.kinds import KINDS


def _create_app():
    from feedback_app import create_app
    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def cli():
    """Customer feedback: surveys by email link, verbatims kept, acted on."""


def main():
    try:
        cli.main(prog_name="feedback")
    except ConfigError as error:
        click.echo(f"Configuration error: {error}", err=True)
        sys.exit(2)


def register(app: Flask) -> None:
    from feedback_app.accounts.cli import users
    from feedback_app.rebuild import rebuild
    from privacy.cli import COMMANDS as privacy_commands
    from triage.cli import triage

    for command in privacy_commands:  # export, erase, restore: the customer's rights
        customers.add_command(command)
    for command in (init_db, users, tokens, customers, surveys, mail, scheduler, demo, dev, triage, rebuild):
        app.cli.add_command(command)


@click.command("init-db")
@with_appcontext
def init_db():
    """Create or upgrade the database schema (safe to run again)."""
    upgrade(directory=current_app.extensions["migrate"].directory)
    click.echo("Database schema is up to date.")


# ------------------------------------------------------------------ API tokens

@click.group()
def tokens():
    """Bearer tokens for the JSON API (/api/v1)."""


@tokens.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), default="triager", show_default=True,
              help="viewer tokens only read; triager and admin tokens also write.")
@with_appcontext
def tokens_create(name, role):
    """Create a token; it is printed once, as the last line, and only its hash is kept."""
    try:
        new = create_token(name, role, utcnow())
    except TokenError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Created {role} token {new.record.id} “{new.record.name}”. It is shown only this once; "
               "store it now (only its hash is kept):")
    click.echo(new.plain)


@tokens.command("list")
@with_appcontext
def tokens_list():
    """One line per token: id, name, role, created, last used, and whether it is revoked."""
    def day(moment):
        return moment.strftime("%Y-%m-%d %H:%M") if moment else "never"

    for token in list_tokens():
        state = f"revoked {day(token.revoked_at)}" if token.revoked_at else "active"
        click.echo(f"{token.id}\t{token.name}\t{token.role}\tcreated {day(token.created_at)}"
                   f"\tlast used {day(token.last_used_at)}\t{state}")


@tokens.command("revoke")
@click.argument("token_id", type=ID)
@with_appcontext
def tokens_revoke(token_id):
    """Revoke a token at once; requests with it get 401 from then on."""
    try:
        token = revoke_token(token_id, utcnow())
    except TokenError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Revoked token {token.id} “{token.name}”.")


# ------------------------------------------------------------------ customers

@click.group()
def customers():
    """Customers who receive surveys."""


@customers.command("import")
@click.argument("file", type=click.File("rb"))
@with_appcontext
def customers_import(file):
    """Import or update customers from a UTF-8 CSV with an `email` column."""
    try:
        lines = CustomerCSV(file)  # read as it is imported: memory stays flat however long the file
    except NotACustomerCSV as error:
        raise click.ClickException(f"{file.name} cannot be imported: {error}") from None
    # The bar counts bytes: the file's size is known at once and costs nothing, where counting rows
    # would mean reading (and parsing, since quoted values may hold line breaks) the whole file twice,
    # and a pipe cannot be read twice. Without a size (a pipe), the bar counts rows.
    size = _file_size(file)
    if size is None:
        with click.progressbar(iter(()), label="Importing customers", show_pos=True, file=sys.stderr) as bar:
            report = import_customers(lines, bar.update)
    else:
        with click.progressbar(length=size, label="Importing customers", file=sys.stderr) as bar:
            report = import_customers(lines, lambda _: bar.update(lines.bytes_read - bar.pos))
            bar.update(size - bar.pos)
    for line, reason in report.errors:
        click.echo(f"line {line}: {reason}", err=True)
    rejected = len(report.errors)
    click.echo(f"{report.created} added, {report.updated} updated, {rejected} row{'' if rejected == 1 else 's'} not imported.")


def _file_size(file) -> int | None:
    try:
        status = os.fstat(file.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        return None
    return status.st_size if stat.S_ISREG(status.st_mode) else None


# ------------------------------------------------------------------ surveys

@click.group()
def surveys():
    """Create, send and read surveys."""


@surveys.command("create")
@click.option("--kind", type=click.Choice(sorted(KINDS)), required=True)
@click.option("--name", required=True, help="Your team's name for the survey.")
@click.option("--product", default="our product", show_default=True, help="Named in the question.")
@click.option("--subject", default="", help="CSAT: what is rated, e.g. 'your delivery'.")
@click.option("--task", default="", help="CES: what the customer tried to do.")
@with_appcontext
def surveys_create(kind, name, product, subject, task):
    """Create a survey with the standard wording in every language; prints its id last."""
    survey = survey_services.create_survey(kind, name, product, subject, task)
    click.echo(f"Created {kind.upper()} survey “{survey.name}”. Its id:")
    click.echo(survey.id)


def _survey(survey_id: int):
    survey = db.session.get(Survey, survey_id)
    if survey is None:
        raise click.ClickException(f"there is no survey {survey_id} (see `feedback surveys list`)")
    return survey


@surveys.command("list")
@with_appcontext
def surveys_list():
    """One line per survey."""
    for survey in all_surveys():
        state = "open" if survey.is_open else "closed"
        click.echo(f"{survey.id}\t{survey.kind}\t{state}\t{survey.name}")


@surveys.command("send")
@click.argument("survey_id", type=ID)
@with_appcontext
def surveys_send(survey_id):
    """Invite every eligible customer (the emails go out through the outbox)."""
    survey = _survey(survey_id)
    if not survey.is_open:
        raise click.ClickException("this survey is closed")
    config = current_app.config
    now = utcnow()
    eligible = survey_services.count_eligible(survey, now, config["SURVEY_COOLDOWN_DAYS"])
    with click.progressbar(length=eligible, label="Queuing invitations", file=sys.stderr) as bar:
        queued = survey_services.send_survey(survey, now, config["SURVEY_COOLDOWN_DAYS"], bar.update)
    click.echo(f"Queued {queued} invitation{'s' if queued != 1 else ''}.")


@surveys.command("results")
@click.argument("survey_id", type=ID)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@with_appcontext
def surveys_results(survey_id, as_json):
    """Score with its 95% margin of error, response rate and distribution."""
    data = survey_results(_survey(survey_id), verbatim_limit=0).as_json()
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    unit = "%" if data["kind"] == "csat" else ""
    score = "no answers yet" if data["score"] is None else f"{data['score']}{unit} ± {data['margin_of_error']}"
    click.echo(f"{data['name']} ({data['kind'].upper()}): {score}  (n={data['n']}"
               f"{', fewer than 30: a rough guide only' if not data['reliable'] else ''})")
    click.echo(f"invited {data['invited']}, delivered {data['delivered']}, answered {data['responses']}"
               f" ({data['response_rate'] if data['response_rate'] is not None else '–'}%)")
    click.echo("distribution: " + "  ".join(f"{k}:{v}" for k, v in data["distribution"].items()))


# ------------------------------------------------------------------ mail and scheduler

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


@click.command("scheduler")
@with_appcontext
def scheduler():
    """Run a scheduler process (mail, reminders, classification, retraining, digests). One or more may run,
    on one machine or several, over the same database."""
    from feedback_app import scheduler as jobs

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    # Our jobs log what they did; APScheduler's two lines per run (every 10 s) would drown that out.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    jobs.run(current_app._get_current_object())


@click.command("demo")
@with_appcontext
def demo():
    """Load demo data (a few surveys with answers in en/ar/fa) into an empty database."""
    from feedback_app.demo import load_demo

    click.echo(load_demo(utcnow()))


@click.command("dev")
@click.option("--port", default=5000, show_default=True)
@with_appcontext
def dev(port):
    """Run the web app on 127.0.0.1 and the scheduler beside it (for trying it out)."""
    scheduler_process = subprocess.Popen([sys.executable, "-m", "feedback_app.cli", "scheduler"])
    try:
        run_simple("127.0.0.1", port, current_app._get_current_object(), threaded=True)
    finally:
        scheduler_process.terminate()
        scheduler_process.wait(timeout=10)


if __name__ == "__main__":
    main()
