"""`feedback activity import`: what customers do, from the team's systems; `feedback retention refresh` and
`report`: their stages and the retention figures, on the command line."""
from __future__ import annotations

import json
import sys
from datetime import timedelta

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from feedback_app.core.extensions import db

from feedback_app.core.cli_args import import_progress
from feedback_app.core.clock import utcnow
from retention.activity import import_activity
from retention.activity_csv import ActivityCSV, NotAnActivityCSV
from retention.figures import retention_report
from retention.insight.services import FIT_KEY, LOOP_KEY, stored_figures
from retention.kpis import DEFINITIONS, Period
from retention.refresh import refresh_retention, stage_settings
from surveys.people.segment_store import segment_named
from surveys.people.segments import customer_condition


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
        report = refresh_retention(utcnow(), stage_settings(current_app.config), bar.update,
                                   current_app.config["IMPACT_VALUE_ATTRIBUTE"])
    for stage, count in report.counts().items():
        click.echo(f"{stage:>8}  {count}")
    click.echo(f"{report.moves} customer{'' if report.moves == 1 else 's'} changed stage.")
    stored = stored_figures()
    loop, fit = stored[LOOP_KEY].data, stored[FIT_KEY].data
    click.echo(f"Loop: {loop['respondents']} respondents, {loop['told']} told. "
               f"Fit: {sum(fit['counts'].values())} customers placed, {fit['unvalued']} without a value.")


DAY_FORMAT = click.DateTime(["%Y-%m-%d"])
# The human report's rows: (as_dict key, label, how the value is written).
REPORT_ROWS = (("customers_start", "Customers at start", "{:.0f}"), ("customers_end", "Customers at end", "{:.0f}"),
               ("new", "New", "{:.0f}"), ("lost", "Lost", "{:.0f}"), ("crr", "Retention rate (CRR)", "{:.1f} %"),
               ("churn_rate", "Churn rate", "{:.1f} %"), ("repeat_rate", "Repeat customer rate", "{:.1f} %"),
               ("purchase_frequency", "Purchase frequency", "{:.2f}"),
               ("one_and_done_share", "Bought once, never again", "{:.1f} %"),
               ("top_10_percent_share", "Top 10 % of customers' share", "{:.1f} %"),
               ("largest_customer_share", "Largest customer's share", "{:.1f} %"),
               ("contact_median_days", "Days to first contact (median)", "{:.1f}"),
               ("contacted_within_2_days", "Unhappy contacted within 2 days", "{:.1f} %"),
               ("fix_median_days", "Days from feedback to shipped fix", "{:.1f}"))


def _segment_condition(name: str | None):
    """The customers of a saved segment as a clause over surveys.models.Customer (None: every customer)."""
    if name is None:
        return None
    segment = segment_named(name)
    if segment is None:
        raise click.ClickException(f"no segment is named {name!r}: `feedback segments list` shows them")
    return customer_condition(segment)


@retention.command("report")
@click.option("--from", "first_day", required=True, type=DAY_FORMAT, help="First day of the period (YYYY-MM-DD).")
@click.option("--to", "last_day", required=True, type=DAY_FORMAT,
              help="Last day of the period, included (YYYY-MM-DD). A period not over yet is measured to now.")
@click.option("--segment", help="Only the customers of this saved segment.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON (rates are percentages).")
@with_appcontext
def retention_report_command(first_day, last_day, segment, as_json):
    """Retention figures of a period: customers at its start and end, new, lost, retention (CRR) and churn
    rates, repeat rate, purchase frequency and more, each with its definition. Purchases are activities of kind
    purchase or renewal."""
    if last_day < first_day:
        raise click.ClickException(f"--to ({last_day:%Y-%m-%d}) is before --from ({first_day:%Y-%m-%d})")
    condition = _segment_condition(segment)
    figures = retention_report(Period(first_day, last_day + timedelta(days=1)), utcnow(), condition,
                               current_app.config["IMPACT_VALUE_ATTRIBUTE"]).as_dict()
    if as_json:
        click.echo(json.dumps(figures, indent=2))
        return
    click.echo(f"Retention from {first_day:%Y-%m-%d} to {last_day:%Y-%m-%d} (as of {figures['as_of'][:16]} UTC)")
    for key, label, written in REPORT_ROWS:
        value = figures[key]
        click.echo(f"{label:<34} {'–' if value is None else written.format(value):>10}  {DEFINITIONS[key]}")
