"""`feedback activity import`: what customers do, from the team's systems, on the command line."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from feedback_app.core.cli_args import import_progress
from feedback_app.core.clock import utcnow
from retention.activity import import_activity
from retention.activity_csv import ActivityCSV, NotAnActivityCSV


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

