"""`feedback rebuild …`: figures the app keeps up to date as data changes, recomputed from scratch."""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from .extensions import db
from .timeutil import utcnow


@click.group()
def rebuild():
    """Recompute stored figures from the data itself (they are kept right as it changes; this is the
    repair, and what an upgrade or a changed setting would otherwise do on the first page view)."""


@rebuild.command("fixes")
@click.option("--check", is_flag=True, help="Also compare every fix's stored impact with one computed from "
                                            "every linked verbatim; exit 1 if any differs.")
@with_appcontext
def rebuild_fixes(check):
    """Every fix's evidence figures (respondents, impact sum, the median value) from its links."""
    from triage import evidence, fixes

    settings = fixes.settings_from(current_app.config)
    now = utcnow()
    with click.progressbar(length=evidence.fix_count(), label="Rebuilding fixes", file=sys.stderr) as bar:
        basis = evidence.rebuild(settings.policy.half_life_days, settings.value_attribute, now, bar.update)
    db.session.commit()
    click.echo(f"Rebuilt the evidence of {evidence.fix_count()} fixes (median value "
               f"{'none' if basis.reference is None else f'{basis.reference:g}'}).")
    if check:
        differing = fixes.stored_differs_from_scratch(now, settings)
        for fix_id, stored, computed in differing:
            click.echo(f"Fix {fix_id}: stored {stored}, from scratch {computed}", err=True)
        if differing:
            sys.exit(1)
        click.echo("Stored and computed impact agree for every fix.")
