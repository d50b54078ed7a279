"""`feedback activity import`: what customers do, from the team's systems; `feedback retention refresh` and
`report`: their stages and the retention figures, on the command line."""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from feedback_app.core.extensions import db

from feedback_app.core.cli_args import import_progress
from feedback_app.core.clock import utcnow
from retention.activity import import_activity
from retention.activity_csv import ActivityCSV, NotAnActivityCSV
from retention.refresh import refresh_retention, stage_settings


@click.group()
def activity():
    """What customers do (purchases, logins, renewals, cancels), from the team's systems."""


@activity.command("import")
@click.argument("file", type=click.File("rb"))
@with_appcontext
def activity_import(file):
    """Import activity from a UTF-8 CSV with the columns email,occurred_at,kind and optionally amount and
    external_id (header required, any order and case; other columns are ignored).

    occurred_at is an ISO date or date and time (UTC unless it has an offset). Rows of addresses no customer has
    are refused: import the customers first. Importing the same file again adds nothing."""
    try:
        lines = ActivityCSV(file)  # read as it is imported: memory stays flat however long the file
    except NotAnActivityCSV as error:
        raise click.ClickException(f"{file.name} cannot be imported: {error}") from None
    if lines.ignored_columns:
        click.echo(f"Ignored columns: {', '.join(lines.ignored_columns)}.", err=True)
    with import_progress(file, "Importing activity", lambda: lines.bytes_read) as progress:
        report = import_activity(lines, utcnow(), progress)
    for line, reason in report.errors:
        click.echo(f"line {line}: {reason}", err=True)
    if report.rejected > len(report.errors):
        click.echo(f"… and {report.rejected - len(report.errors)} more rows not imported (the first "
                   f"{len(report.errors)} are listed).", err=True)
    click.echo(f"{report.added} added, {report.already_there} already there, {report.rejected} "
               f"row{'' if report.rejected == 1 else 's'} not imported.")



@click.group()
def retention():
    """Who stays, who goes quiet, who left: customers' stages and the retention figures."""


@retention.command("refresh")
@with_appcontext
def retention_refresh():
    """Decide every customer's lifecycle stage now (the scheduler does it daily) and store the figures of the
    Retention page. Prints the customers per stage and how many moved."""
    from surveys.models import Customer

    total = db.session.scalar(select(func.count()).select_from(Customer))
    with click.progressbar(length=total, label="Refreshing stages", file=sys.stderr) as bar:
        report = refresh_retention(utcnow(), stage_settings(current_app.config), bar.update)
    for stage, count in report.counts().items():
        click.echo(f"{stage:>8}  {count}")
    click.echo(f"{report.moves} customer{'' if report.moves == 1 else 's'} changed stage.")
