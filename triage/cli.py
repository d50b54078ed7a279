"""`feedback triage …` commands."""
from __future__ import annotations

import csv
import io
import json
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from feedback_app.core.cli_args import ID
from feedback_app.core.clock import utcnow
from feedback_app.core.extensions import db
from surveys.models import Survey
from surveys.people.segment_cli import named
from surveys.scales.kinds import BAND_NAMES
from triage.classification import learning
from triage.classification import services as classification
from triage.classification.classifier import Example, evaluate
from triage.classification.custom_types import type_keys
from triage.verbatims import classifying, export, listing, naming
from triage.verbatims.listing import LANGUAGES


@click.group("triage")
def triage():
    """Classify verbatims, learn from the team's labels."""


def _read_labelled(file) -> tuple[list[tuple[int, str, str, str | None]], list[tuple[int, str]]]:
    """A UTF-8 CSV with `text` and `label` columns (and optionally `lang`): rows and per-line errors."""
    try:
        content = file.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise click.ClickException(f"{file.name} is not UTF-8 text") from None
    reader = csv.DictReader(io.StringIO(content, newline=""))
    if not reader.fieldnames or not {"text", "label"} <= set(reader.fieldnames):
        raise click.ClickException(f"{file.name} needs a header with 'text' and 'label' columns")
    rows, errors = [], []
    for record in reader:
        line = reader.line_num
        if not (record.get("text") or "").strip() or not (record.get("label") or "").strip():
            errors.append((line, "text or label is empty"))
            continue
        rows.append((line, record["text"], record["label"].strip(), (record.get("lang") or "").strip() or None))
    return rows, errors


@triage.command("evaluate")
@click.argument("file", type=click.File("rb"))
@with_appcontext
def evaluate_command(file):
    """Score the current model on a labelled CSV (text,label[,lang]). Never trains on it."""
    rows, errors = _read_labelled(file)
    for line, reason in errors:
        click.echo(f"line {line}: {reason}", err=True)
    _, classifier = learning.ensure_model(utcnow(), lambda m: click.echo(m, err=True))
    examples = [Example(text, label, 1.0, lang) for _, text, label, lang in rows]
    with click.progressbar(examples, label="Classifying", file=sys.stderr) as bar:
        result = evaluate(classifier, bar)
    labels = result.present_labels
    click.echo(f"{'type':<18}{'precision':>10}{'recall':>8}{'f1':>7}{'support':>9}")
    for label in labels:
        p, r, f, n = result.precision_recall_f1(label)
        click.echo(f"{label:<18}{p:>10.3f}{r:>8.3f}{f:>7.3f}{n:>9}")
    predicted = labels + sorted({p for row in result.confusion.values() for p in row} - set(labels))
    click.echo("\nconfusion (rows: true type, columns: predicted)")
    click.echo(" " * 18 + "".join(f"{p[:8]:>9}" for p in predicted))
    for label in labels:
        click.echo(f"{label:<18}" + "".join(f"{result.confusion[label][p]:>9}" for p in predicted))
    click.echo("")
    for language, sub in sorted(result.by_language.items()):
        click.echo(f"macro_f1[{language}]={sub.macro_f1:.3f}  (n={sum(sum(r.values()) for r in sub.confusion.values())})")
    click.echo(f"accuracy={result.accuracy:.3f}")
    click.echo(f"macro_f1={result.macro_f1:.3f}")


@triage.command("classify")
@with_appcontext
def classify_command():
    """Read one text per line on stdin; write one JSON object per line."""
    _, classifier = learning.ensure_model(utcnow(), lambda m: click.echo(m, err=True))
    for result in classification.classify_texts((line.rstrip("\n") for line in sys.stdin), classifier):
        click.echo(json.dumps(result, ensure_ascii=False))


@triage.command("import-labels")
@click.argument("file", type=click.File("rb"))
@with_appcontext
def import_labels_command(file):
    """Import the team's labelled history (CSV with text,label) as training examples."""
    rows, errors = _read_labelled(file)
    with click.progressbar(length=len(rows), label="Importing labels", file=sys.stderr) as bar:
        report = learning.import_labels([(line, text, label) for line, text, label, _ in rows], utcnow(), bar.update)
    for line, reason in errors + report.errors:
        click.echo(f"line {line}: {reason}", err=True)
    click.echo(f"{report.added} labels imported, {len(errors) + len(report.errors)} rows not imported. "
               "Run `feedback triage train` to learn from them.")


@triage.command("train")
@with_appcontext
def train_command():
    """Retrain on the corpus and the team's labels; the new model replaces the current one only if not worse."""
    outcome = learning.train(utcnow(), lambda m: click.echo(m, err=True), note="trained from the command line")
    verdict = outcome.verdict
    if outcome.cross_validated:
        click.echo(f"cross-validated on {outcome.labels} team labels: macro-F1 {outcome.cross_validated['macro_f1']:.3f}; "
                   f"the team's model weighs {outcome.team_weight:.2f} (k={outcome.blend:.0f})")
    if verdict.candidate is not None:
        click.echo(f"on the {verdict.compared} labels given since the current model: macro-F1 new "
                   f"{verdict.candidate:.3f}, current {verdict.current:.3f}")
    click.echo(f"model {outcome.version}: {'activated' if outcome.activated else 'not activated'} ({verdict.reason})")
    if outcome.activated:
        click.echo("Unconfirmed verbatims will be re-classified by the scheduler (or now: `feedback triage sweep`).")


@triage.command("sweep")
@with_appcontext
def sweep_command():
    """Classify every verbatim that is new, changed, or was classified by an older model."""
    total = 0
    while True:
        done = classifying.classify_pending(utcnow(), current_app.config["REVIEW_BELOW"])
        total += done
        if done == 0:
            break
    click.echo(f"{total} verbatims classified.")


@triage.command("export")
@click.option("--output", "-o", type=click.File("wb"), default="-", show_default="stdout",
              help="Where to write the CSV.")
@click.option("--type", "type_key", help="Only this type (a type key; 'none' for verbatims without a type).")
@click.option("--survey", type=ID, help="Only answers to this survey (its id).")
@click.option("--language", type=click.Choice(LANGUAGES), help="Only verbatims in this language.")
@click.option("--band", type=click.Choice(BAND_NAMES), help="Only answers in this score band.")
@click.option("--needs-review", is_flag=True, help="Only verbatims marked 'needs review'.")
@click.option("--theme", help="Only verbatims of this theme group (its stems, as in the triage list's link).")
@click.option("--since", help="Only verbatims answered on or after this day (YYYY-MM-DD, UTC).")
@click.option("--segment", metavar="NAME", help="Only verbatims of customers in this saved segment.")
@with_appcontext
def export_command(output, type_key, survey, language, band, needs_review, theme, since, segment):
    """Write the verbatims with score, type, theme, fixes and contact as CSV (UTF-8 with BOM).

    The filters are the triage list's; the columns are described in triage/verbatims/export.py.
    """
    if type_key and type_key != "none" and type_key not in type_keys():
        raise click.ClickException(f"unknown type '{type_key}' (known: {', '.join(type_keys())}, none)")
    if survey is not None and db.session.get(Survey, survey) is None:
        raise click.ClickException(f"no survey with id {survey} (see `feedback surveys list`)")
    try:
        day = export.parse_day(since) if since else None
    except export.ExportError as error:
        raise click.ClickException(str(error)) from None
    filters = listing.Filters(type=type_key or None, survey=survey, language=language, band=band,
                              needs_review=needs_review, theme=theme or None,
                              segment=named(segment).id if segment is not None else None)
    total = export.count_verbatims(filters, day)
    with click.progressbar(length=total, label="Exporting verbatims", file=sys.stderr) as bar:
        for chunk in export.csv_chunks(filters, day, bar.update):
            output.write(chunk.encode("utf-8"))
    output.flush()
    name = getattr(output, "name", "-")
    where = "stdout" if name in ("-", "<stdout>") else name
    click.echo(f"Exported {total} verbatims to {where}.", err=True)


@triage.command("rename-theme")
@click.argument("key")
@click.argument("name")
@with_appcontext
def rename_theme_command(key, name):
    """Name a theme group (KEY: its stems, as in the triage list's link, e.g. "export pdf"); every page then
    shows NAME for the group and its verbatims, new ones too. An empty NAME ("") restores the automatic one."""
    renamed = naming.rename_group(key, name)
    if isinstance(renamed, naming.NameProblem):
        raise click.ClickException(naming.problem_message(renamed))
    if renamed.name:
        click.echo(f"Theme {key!r} is now called {renamed.name!r}.")
    else:
        click.echo(f"Theme {key!r} shows its automatic name again: {renamed.label!r}.")
