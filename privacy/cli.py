"""`feedback customers export|erase|restore EMAIL`: the customer's rights from the command line."""
from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from feedback_app.core.clock import utcnow
from privacy.export import export_customer
from privacy.labels import label
from privacy.records import PrivacyError
from privacy.services import erase_customer, restore_address
from triage.classification import learning


def removed_lines(removed: dict[str, int]) -> list[str]:
    return [f"{count:>6}  {label(key)}" for key, count in removed.items()]


@click.command("export")
@click.argument("email")
@click.option("--output", type=click.File("w", encoding="utf-8"), default="-",
              help="Write the JSON to this file (default: standard output).")
@with_appcontext
def export_command(email, output):
    """Everything held about one customer, as JSON (UTF-8)."""
    try:
        data = export_customer(email)
    except PrivacyError as error:
        raise click.ClickException(str(error)) from None
    output.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


@click.command("erase")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def erase_command(email, yes):
    """Remove a customer's personal data everywhere and never email the address again; scores stay."""
    if not yes:
        click.confirm(f"Erase everything personal held about {email}? This cannot be undone", abort=True)
    now = utcnow()
    try:
        report = erase_customer(email, "cli", now)
    except PrivacyError as error:
        raise click.ClickException(str(error)) from None
    for line in removed_lines(report.removed):
        click.echo(line)
    if report.model_withdrawn:
        # The active model had learnt from their words and was withdrawn: train its successor now.
        click.echo("Retraining the classifier without their words…", err=True)
        learning.train(now, lambda message: click.echo(message, err=True),
                       note="after an erasure: replaces a withdrawn model")
    click.echo("Erased: nothing personal about this customer is left, and the address is never emailed again.")


@click.command("restore")
@click.argument("email")
@with_appcontext
def restore_command(email):
    """Allow an erased address again: it may be imported and emailed from now on."""
    try:
        restore_address(email, "cli", utcnow())
    except PrivacyError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored: {email.strip()} may be imported and emailed again.")


COMMANDS = (export_command, erase_command, restore_command)
