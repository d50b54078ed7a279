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

from feedback_app.core.clock import utcnow
from feedback_app.core.extensions import db


@click.group()
def rebuild():
    """Recompute kept figures from the rows themselves."""


@rebuild.command("tallies")
@click.option("--check", is_flag=True, help="Also say which kept figures differed from the recount (the recount "
                                            "replaces them either way); exit 1 if any did.")
@with_appcontext
def rebuild_tallies(check):
    """Score tallies, verbatims per type and week, theme groups (and their automatic labels; a name the team
    gave is kept), the loop figure's people (one transaction; safe to run any time)."""
    from sqlalchemy import func, select, text

    from surveys.answering import tallies as score_tallies
    from surveys.models import Response
    from triage.loop import praise as loop_praise
    from triage.loop import reach as loop_reach
    from triage.models import TriageItem
    from triage.verbatims import sweep
    from triage.verbatims import tallies as triage_tallies

    answers = db.session.scalar(select(func.count(Response.id)))
    records = db.session.scalar(select(func.count(TriageItem.id)))
    waiting = db.session.scalar(select(func.count(Response.id)).where(score_tallies.WAITING))
    kept = _kept_figures() if check else None
    with click.progressbar(length=answers + 2 * records, label="Recounting", file=sys.stderr) as bar:
        score_tallies.rebuild(bar.update)
        loop_praise.rebuild()  # the marks by scale alone, then off praise
        loop_reach.rebuild()  # after the marks: it counts the answers they say await a call
        untriaged = sweep.requeue_untriaged()
        sweep.refresh_copies(bar.update)
        triage_tallies.rebuild(bar.update)
    differing = _differing(kept, _kept_figures()) if check else []
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # Every answer and record was just rewritten: fresh statistics, so the planner does not go by the
        # old ones (which, after an upgrade, know nothing of the columns the lists are read by).
        db.session.execute(text("ANALYZE response; ANALYZE triage_item"))
        db.session.commit()
    click.echo(f"Recounted {answers} answers and {records} triage records"
               + (f"; {untriaged} answers with words and no record wait for the sweep." if untriaged else "."))
    if check:
        _report(differing, waiting)


def _kept_figures() -> dict[str, dict]:
    from surveys.answering import tallies as score_tallies
    from triage.loop import reach as loop_reach
    from triage.verbatims import tallies as triage_tallies

    return {"score_tally": score_tallies.snapshot(), **triage_tallies.snapshot(), **loop_reach.snapshot()}


def _differing(kept: dict[str, dict], recounted: dict[str, dict]) -> list[tuple[str, object, object, object]]:
    """(table, key, kept, recounted) of every figure that differed; None where one side had none."""
    return [(table, key, kept[table].get(key), recounted[table].get(key))
            for table in kept for key in sorted(kept[table].keys() | recounted[table].keys(), key=repr)
            if kept[table].get(key) != recounted[table].get(key)]


def _report(differing: list, waiting: int) -> None:
    for table, key, kept, recounted in differing[:SHOWN]:
        click.echo(f"{table} {key}: kept {kept}, recounted {recounted}", err=True)
    if len(differing) > SHOWN:
        click.echo(f"… and {len(differing) - SHOWN} more", err=True)
    if not differing:
        click.echo("Kept and recounted figures agree.")
        return
    if waiting:  # answers changed since the sweep last saw them: the recount has them, the kept figures not yet
        click.echo(f"{waiting} answers were waiting for the sweep: some differences may be theirs.", err=True)
    sys.exit(1)


SHOWN = 20  # differences listed by --check


@rebuild.command("fixes")
@click.option("--check", is_flag=True, help="Also compare every fix's stored impact with one computed from "
                                            "every linked verbatim; exit 1 if any differs.")
@with_appcontext
def rebuild_fixes(check):
    """Every fix's evidence figures (respondents, impact sum, the median value) from its links."""
    from triage.fixes import evidence
    from triage.fixes import queue as fix_queue

    settings = fix_queue.settings_from(current_app.config)
    now = utcnow()
    with click.progressbar(length=evidence.fix_count(), label="Rebuilding fixes", file=sys.stderr) as bar:
        basis = evidence.rebuild(settings.policy.half_life_days, settings.value_attribute, now, bar.update)
    db.session.commit()
    click.echo(f"Rebuilt the evidence of {evidence.fix_count()} fixes (median value "
               f"{'none' if basis.reference is None else f'{basis.reference:g}'}).")
    if check:
        differing = fix_queue.stored_differs_from_scratch(now, settings)
        for fix_id, stored, computed in differing:
            click.echo(f"Fix {fix_id}: stored {stored}, from scratch {computed}", err=True)
        if differing:
            sys.exit(1)
        click.echo("Stored and computed impact agree for every fix.")
