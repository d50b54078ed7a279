"""`feedback advocacy set | off | report | ask`: what promoters are asked for and where, asking now, and what came
of it (the same use cases as the admin page and the scheduler's ask-promoters job)."""
from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from advocacy.asking import ask_promoters
from advocacy.outcomes import figures
from advocacy.policy import KINDS
from advocacy.setting import SettingError, current_ask, set_ask, switch_off
from feedback_app.core.clock import utcnow


@click.group("advocacy")
def advocacy():
    """Ask promoters once for a public review or a referral, and count what they did."""


@advocacy.command("set")
@click.option("--kind", type=click.Choice(KINDS), required=True, help="What to ask for.")
@click.option("--url", required=True, help="Where the button takes them (http:// or https://).")
@with_appcontext
def set_command(kind, url):
    """Ask promoters for KIND at URL, and switch asking on."""
    try:
        saved = set_ask(kind, url, utcnow())
    except SettingError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Asking promoters for a {saved.kind} at {saved.url}: on. The scheduler asks every 10 minutes; "
               "`feedback advocacy ask` asks now.")


@advocacy.command("off")
@with_appcontext
def off_command():
    """Stop asking: nobody more is asked; links already sent thank customers without sending them anywhere."""
    click.echo("Asking promoters: off." if switch_off(utcnow()) else "Asking promoters was not on.")


@advocacy.command("ask")
@with_appcontext
def ask_command():
    """Ask every promoter due an ask now (what the scheduler's ask-promoters job does)."""
    if not current_ask().is_on:
        click.echo("Asking promoters is off (set it with: feedback advocacy set --kind review --url URL).")
        return
    total = 0

    def progress(asked: int) -> None:
        nonlocal total
        total += asked
        click.echo(f"  {total} asked so far…")

    asked = ask_promoters(utcnow(), progress)
    click.echo(f"{asked} promoters asked.")


@advocacy.command("report")
@click.option("--json", "as_json", is_flag=True, help="As JSON.")
@with_appcontext
def report_command(as_json):
    """The setting, and the asks so far: asked, went to the link, declined, no answer, and the share who went."""
    ask, counted = current_ask(), figures()
    report = {"kind": ask.kind or None, "url": ask.url or None, "enabled": ask.is_on, "asked": counted.asked,
              "went": counted.went, "declined": counted.declined, "no_answer": counted.no_answer,
              "rate": None if counted.rate is None else round(counted.rate, 1)}
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    click.echo(f"Asking promoters: {'on' if ask.is_on else 'off'}"
               + (f" (a {ask.kind} at {ask.url})" if ask.url else " (no link set)"))
    click.echo(f"Asked: {counted.asked}  went: {counted.went}  declined: {counted.declined}  "
               f"no answer: {counted.no_answer}")
    click.echo("Went to the link: " + ("—" if counted.rate is None else f"{counted.rate:.1f} % of those asked"))
