"""`feedback rebuild …`: recompute from scratch the figures the app keeps up to date as data changes.

Pages read kept figures (tallies, a fix's evidence) instead of counting every answer on every view. They are
maintained in the same transaction as each change, or by the sweep; these commands recompute them from the
rows themselves — after an upgrade that adds one, or whenever a figure is in doubt. A test proves that the
kept and the recomputed figures agree.
"""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from .extensions import db
from .timeutil import utcnow


@click.group()
def rebuild():
    """Recompute kept figures from the rows themselves."""


@rebuild.command("tallies")
@with_appcontext
def rebuild_tallies():
    """Score tallies, verbatims per type and week, theme groups, the loop figure's people (one transaction;
    safe to run any time)."""
    from sqlalchemy import func, select, text

    from surveys import tallies as score_tallies
    from surveys.models import Response
    from triage import loop_reach, sweep
    from triage import tallies as triage_tallies
    from triage.models import TriageItem

    answers = db.session.scalar(select(func.count(Response.id)))
    records = db.session.scalar(select(func.count(TriageItem.id)))
    with click.progressbar(length=answers + 2 * records, label="Recounting", file=sys.stderr) as bar:
        score_tallies.rebuild(bar.update)
        loop_reach.rebuild()  # after the marks: it counts the answers they say await a call
        untriaged = sweep.requeue_untriaged()
        sweep.refresh_copies(bar.update)
        triage_tallies.rebuild(bar.update)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # Every answer and record was just rewritten: fresh statistics, so the planner does not go by the
        # old ones (which, after an upgrade, know nothing of the columns the lists are read by).
        db.session.execute(text("ANALYZE response; ANALYZE triage_item"))
        db.session.commit()
    click.echo(f"Recounted {answers} answers and {records} triage records"
               + (f"; {untriaged} answers with words and no record wait for the sweep." if untriaged else "."))


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
