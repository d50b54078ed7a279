"""`feedback customers import` and `feedback surveys …` (create, list, send, results): customers and surveys
from the command line. The `customers` group is also where privacy/cli.py's commands go (export, erase, restore)."""
from __future__ import annotations

import io
import json
import os
import stat
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from feedback_app.core.cli_args import ID
from feedback_app.core.clock import utcnow
from feedback_app.core.extensions import db
from surveys.asking import services as survey_services
from surveys.asking.results import all_surveys, survey_results
from surveys.models import Survey
from surveys.people.importing import CustomerCSV, NotACustomerCSV
from surveys.people.services import import_customers
from surveys.scales.kinds import KINDS


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
