"""`feedback customers import` and `feedback surveys …` (create, wording, thanks-step, list, send, results): customers and
surveys from the command line. The `customers` group is also where privacy/cli.py's commands go (export, erase, restore),
and the composition root's `show` (feedback_app/customers.py)."""
from __future__ import annotations

import json
import re
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from feedback_app.core.cli_args import ID, import_progress
from feedback_app.core.clock import utcnow
from feedback_app.core.extensions import db
from feedback_app.core.languages import ENGLISH_NAMES, LOCALES
from surveys.asking import services as survey_services
from surveys.asking.results import all_surveys, survey_results
from surveys.asking.throttle import (DEFAULT_TRANSACTIONAL_COOLDOWN, MAX_COOLDOWN, MODES, RELATIONSHIP,
                                     TOUCHPOINTS, TRANSACTIONAL)
from surveys.models import Survey
from surveys.people.importing import CustomerCSV, NotACustomerCSV
from surveys.people.segment_cli import named
from surveys.people.segments import customer_condition
from surveys.people.services import import_customers
from surveys.scales.kinds import KINDS
from surveys.scales.thanks_step import LINK, QUESTION, StepRefused, ThanksStep, checked_step
from surveys.scales.texts import SurveyTexts, UnknownLanguage, missing_languages, read_language_value


@click.group()
def customers():
    """Customers who receive surveys."""


@customers.command("import")
@click.argument("file", type=click.File("rb"))
@with_appcontext
def customers_import(file):
    """Import or update customers from a UTF-8 CSV with an `email` column.

    Optional columns: name, locale, and customer_since and ended_at (their lifetime: ISO dates or times, UTC
    unless they have an offset; empty leaves what is known). Every other column is kept as an attribute."""
    try:
        lines = CustomerCSV(file)  # read as it is imported: memory stays flat however long the file
    except NotACustomerCSV as error:
        raise click.ClickException(f"{file.name} cannot be imported: {error}") from None
    with import_progress(file, "Importing customers", lambda: lines.bytes_read) as progress:
        report = import_customers(lines, progress)
    for line, reason in report.errors:
        click.echo(f"line {line}: {reason}", err=True)
    rejected = len(report.errors)
    click.echo(f"{report.created} added, {report.updated} updated, {rejected} row{'' if rejected == 1 else 's'} not imported.")


@click.group()
def surveys():
    """Create, send and read surveys."""


# The option a kind's missing language is most likely to need (an NPS survey misses one only for its product).
TEXT_OPTION = {"nps": "--product", "csat": "--subject", "ces": "--task"}


class LanguageText(click.ParamType):
    """`LANG:TEXT` (`ar:تصدير تقرير`), or a bare TEXT: (locale or None, text)."""
    name = "LANG:TEXT"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        try:
            return read_language_value(value)
        except UnknownLanguage as error:
            self.fail(f"{error}; to give an English text that starts like this, put en: before it", param, ctx)


class StepText(LanguageText):
    """`LANG:TEXT`, or `LANG=TEXT` (`--text ar="…"`), or a bare TEXT."""
    name = "LANG:TEXT"

    def convert(self, value, param, ctx):
        if isinstance(value, str):
            value = re.sub(r"^([a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?)=", r"\1:", value, count=1)
        return super().convert(value, param, ctx)


def _per_language(values: tuple, every_language: bool = False) -> dict[str, str]:
    """Repeated LANG:TEXT values as {locale: text}: a bare one is English, or every language's (a product
    name) when `every_language`; a value for one language wins over a bare one, whatever their order."""
    bare = [text for locale, text in values if locale is None]
    texts = {locale: bare[-1] for locale in (LOCALES if every_language else ("en",))} if bare else {}
    texts.update({locale: text for locale, text in values if locale is not None})
    return texts


def _texts(product: tuple, subject: tuple, task: tuple) -> SurveyTexts:
    return SurveyTexts.given(_per_language(product, every_language=True), _per_language(subject),
                             _per_language(task))


def _languages(locales) -> str:
    """'Arabic (ar) and Persian (fa)'."""
    names = [f"{ENGLISH_NAMES[locale]} ({locale})" for locale in locales]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _echo_missing(survey) -> None:
    if missing := missing_languages(survey.wording):
        click.echo(f"No question in {_languages(missing)}: its speakers are not sent this survey. {_add_hint(survey)}")


def _add_hint(survey) -> str:
    missing = missing_languages(survey.wording)
    return (f"Add it with `feedback surveys wording {survey.id} {TEXT_OPTION[survey.kind]} {missing[0]}:…` "
            "or on the survey's Wording page.")


def text_options(command):
    """--product, --subject and --task, each repeatable as LANG:TEXT."""
    for option in reversed((
            click.option("--product", "product", multiple=True, type=LanguageText(),
                         help="Named in the question: a bare name is used in every language (names are not "
                              "translated); LANG:TEXT gives one language's. Default: “our product”, translated."),
            click.option("--subject", "subject", multiple=True, type=LanguageText(),
                         help="CSAT: what is rated, per language (LANG:TEXT; bare: English), e.g. "
                              "--subject en:'your delivery'. Default: the product."),
            click.option("--task", "task", multiple=True, type=LanguageText(),
                         help="CES: what the customer tried to do, per language (LANG:TEXT; bare: English), "
                              "e.g. --task en:'export a report' --task ar:'تصدير تقرير'."))):
        command = option(command)
    return command


@surveys.command("create")
@click.option("--kind", type=click.Choice(sorted(KINDS)), required=True)
@click.option("--name", required=True, help="Your team's name for the survey.")
@text_options
@click.option("--mode", type=click.Choice(MODES), default=RELATIONSHIP, show_default=True,
              help="relationship: sent to everyone eligible; transactional: triggered per customer through "
                   "POST /api/v1/invitations, with its own cool-down.")
@click.option("--cooldown-days", type=click.IntRange(0, MAX_COOLDOWN), default=None,
              help=f"Transactional only: days between two invitations of a customer to surveys of this kind "
                   f"(default {DEFAULT_TRANSACTIONAL_COOLDOWN}).")
@click.option("--touchpoint", metavar="NAME", help=f"Where in the journey it asks: {', '.join(TOUCHPOINTS)}, "
                                                   "or your own name.")
@with_appcontext
def surveys_create(kind, name, product, subject, task, mode, cooldown_days, touchpoint):
    """Create a survey worded in each language its texts complete; prints its id last.

    A language for which you give some texts but not this one (e.g. only --task en:…) gets no question, and
    its speakers are not sent the survey until it has one (`feedback surveys wording`)."""
    if cooldown_days is not None and mode != TRANSACTIONAL:
        raise click.UsageError("--cooldown-days is for --mode transactional (relationship surveys use "
                               "SURVEY_COOLDOWN_DAYS)")
    texts = _texts(product, subject, task)
    try:
        survey = survey_services.create_survey(kind, name, texts.product, texts.subject, texts.task, mode=mode,
                                               cooldown_days=cooldown_days, touchpoint=touchpoint)
    except (survey_services.NoQuestion, ValueError) as error:
        raise click.ClickException(str(error)) from None
    worded = [locale for locale in LOCALES if locale in survey.wording]
    click.echo(f"Created {kind.upper()} survey “{survey.name}” with a question in {_languages(worded)}.")
    _echo_missing(survey)
    click.echo("Its id:")
    click.echo(survey.id)


def _survey(survey_id: int):
    survey = db.session.get(Survey, survey_id)
    if survey is None:
        raise click.ClickException(f"there is no survey {survey_id} (see `feedback surveys list`)")
    return survey


@surveys.command("wording")
@click.argument("survey_id", type=ID)
@text_options
@click.option("--question", multiple=True, type=LanguageText(), help="A question you write, LANG:TEXT (bare: English).")
@click.option("--reason", multiple=True, type=LanguageText(), help="The open question's prompt, LANG:TEXT (bare: English).")
@with_appcontext
def surveys_wording(survey_id, product, subject, task, question, reason):
    """Show a survey's questions, or give it texts: the question of each language you give a text for, and of
    each language still without one, is written again from the standard template (--question and --reason
    write one language's own)."""
    survey = _survey(survey_id)
    texts = _texts(product, subject, task)
    questions, reasons = _per_language(question), _per_language(reason)
    written = {locale: {"question": questions.get(locale, ""), "reason": reasons.get(locale, "")} for locale in LOCALES}
    if texts.languages() or question or reason:
        survey_services.reword_survey(survey, texts, written)
    for locale in LOCALES:
        shown = survey.wording[locale]["question"] if locale in survey.wording else "(no question)"
        click.echo(f"{locale}\t{shown}")
    _echo_missing(survey)


@surveys.command("thanks-step")
@click.argument("survey_id", type=ID)
@click.option("--link", "url", metavar="URL", help="Offer a link (http:// or https://) with --text as its label.")
@click.option("--question", is_flag=True, help="Ask a second question (--text) under the thank-you message.")
@click.option("--text", "text", multiple=True, type=StepText(),
              help="The label or the question, LANG:TEXT or LANG=TEXT (bare: English), repeatable, e.g. --text "
                   "en:'Leave a review' --text ar='اكتب مراجعة'. Pages in a language without one show no step.")
@click.option("--clear", is_flag=True, help="Remove the step: the thank-you page offers none.")
@with_appcontext
def surveys_thanks_step(survey_id, url, question, text, clear):
    """Show or set the thank-you page's follow-up step: a link or a second question, one per survey.

    Setting one replaces the step the survey had; bad input changes nothing."""
    survey = _survey(survey_id)
    if clear and (url is not None or question or text):
        raise click.UsageError("--clear takes no other option")
    if url is not None and question:
        raise click.UsageError("give --link URL or --question, not both")
    if text and url is None and not question:
        raise click.UsageError("--text needs --link URL or --question")
    if (url is not None or question) and not text:
        raise click.UsageError("give the step's text with --text LANG:TEXT (bare: English)")
    if clear:
        survey_services.set_thanks_step(survey, None)
    elif text:
        try:
            step = checked_step(LINK if url is not None else QUESTION, _per_language(text), url)
        except StepRefused as error:
            raise click.ClickException(f"not changed: {error}") from None
        survey_services.set_thanks_step(survey, step)
    _echo_step(ThanksStep.from_json(survey.thanks_step))


def _echo_step(step: ThanksStep | None) -> None:
    if step is None:
        click.echo("No follow-up step: the thank-you page offers none.")
        return
    click.echo(f"link {step.url}" if step.kind == LINK else "question")
    for locale in LOCALES:
        click.echo(f"{locale}\t{step.texts.get(locale) or f'(none: not shown on {ENGLISH_NAMES[locale]} pages)'}")


@surveys.command("list")
@with_appcontext
def surveys_list():
    """One line per survey: id, kind, open or closed, name, mode, touchpoint (- when none)."""
    for survey in all_surveys():
        state = "open" if survey.is_open else "closed"
        click.echo(f"{survey.id}\t{survey.kind}\t{state}\t{survey.name}\t{survey.mode}\t{survey.touchpoint or '-'}")


@surveys.command("send")
@click.argument("survey_id", type=ID)
@click.option("--segment", "segment_name", metavar="NAME", help="Only customers in this saved segment.")
@with_appcontext
def surveys_send(survey_id, segment_name):
    """Invite every eligible customer, or those of a segment (the emails go out through the outbox)."""
    survey = _survey(survey_id)
    audience = customer_condition(named(segment_name)) if segment_name is not None else None
    if not survey.is_open:
        raise click.ClickException("this survey is closed")
    if survey.mode == TRANSACTIONAL:
        raise click.ClickException(f"survey {survey.id} is transactional: another system invites one customer at a "
                                   f"time through POST /api/v1/invitations; it is never sent to everyone")
    config = current_app.config
    now = utcnow()
    eligible = survey_services.count_eligible(survey, now, config["SURVEY_COOLDOWN_DAYS"], audience)
    if speakers := survey_services.unworded_speakers(survey, now, config["SURVEY_COOLDOWN_DAYS"], audience):
        raise click.ClickException(_not_sent(survey, speakers))
    with click.progressbar(length=eligible, label="Queuing invitations", file=sys.stderr) as bar:
        try:
            queued = survey_services.send_survey(survey, now, config["SURVEY_COOLDOWN_DAYS"], bar.update, audience)
        except survey_services.MissingWording as refused:  # a customer's language changed meanwhile
            raise click.ClickException(_not_sent(survey, refused.speakers)) from None
    click.echo(f"Queued {queued} invitation{'s' if queued != 1 else ''}.")


def _not_sent(survey, speakers: dict[str, int]) -> str:
    """"Not sent: 12 eligible customers speak Arabic (ar) and 3 Persian (fa), and this survey has no …"."""
    (first_locale, first), *others = speakers.items()
    counts = [f"{first} eligible customer{'s' if first != 1 else ''} speak{'s' if first == 1 else ''} "
              f"{_languages([first_locale])}"] + [f"{count} {_languages([locale])}" for locale, count in others]
    listed = counts[0] if len(counts) == 1 else ", ".join(counts[:-1]) + " and " + counts[-1]
    those = "that language" if len(counts) == 1 else "those languages"
    return f"Not sent: {listed}, and this survey has no question in {those}. {_add_hint(survey)}"


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
