"""`feedback retention win-back …`: win-back campaigns to lost customers, on the command line.

The commands are the `win_back` group; feedback_app/cli.py registers it (under `retention` once that group
exists)."""
from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from feedback_app.core.cli_args import ID
from feedback_app.core.clock import utcnow
from feedback_app.core.extensions import db
from retention.incentives import RETURN_DAYS
from retention.saving import win_back as services
from retention.saving.models import WinBackCampaign


@click.group("win-back")
def win_back():
    """Win-back campaigns: one email to every lost customer, with an offer chosen by their value."""


def _incentive(value: str) -> tuple[str, str, str]:
    tier, _, rest = value.partition(":")
    locale, _, text = rest.partition(":")
    if not text.strip():
        raise click.BadParameter(f"{value!r} is not TIER:LANG:TEXT (e.g. vip:en:20 % off your next three months)")
    return tier.strip().lower(), locale.strip().lower(), text


@win_back.command("create")
@click.argument("name")
@click.option("--return-days", type=click.IntRange(1, services.RETURN_DAYS_MAX), default=RETURN_DAYS,
              show_default=True, help="A customer returned when they did anything but cancel within this many days.")
@click.option("--incentive", "incentives", multiple=True, metavar="TIER:LANG:TEXT",
              help="The offer of a tier (standard, premium, vip) in a language (en, ar, fa); repeat for each. "
                   "A customer whose tier has no offer in their language gets the email without one.")
@with_appcontext
def create(name, return_days, incentives):
    """Create a campaign (not sent yet); prints its id last."""
    offers: dict[str, dict[str, str]] = {}
    for value in incentives:
        try:
            tier, locale, text = _incentive(value)
        except click.BadParameter as error:
            raise click.UsageError(str(error)) from None
        offers.setdefault(tier, {})[locale] = text
    try:
        campaign = services.create_campaign(name, utcnow(), return_days, offers)
    except services.CampaignError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Created win-back campaign {campaign.name!r}. Send it: feedback retention win-back send {campaign.id}")
    click.echo(campaign.id)


@win_back.command("send")
@click.argument("campaign_id", type=ID)
@with_appcontext
def send(campaign_id):
    """Email every lost customer this campaign has not emailed yet (once each, ever)."""
    campaign = db.session.get(WinBackCampaign, campaign_id)
    if campaign is None:
        raise click.ClickException(f"No win-back campaign {campaign_id}: see feedback retention win-back list.")
    with click.progressbar(length=services.count_to_email(campaign), label="Queuing win-back emails",
                           file=sys.stderr) as bar:
        emailed = services.send_campaign(campaign, utcnow(), bar.update)
    click.echo(f"Queued {emailed} win-back email{'' if emailed == 1 else 's'}.")


@win_back.command("list")
@with_appcontext
def list_campaigns():
    """Every campaign with its win-back rate: returned / (emailed − pending), pending = window not over yet."""
    figures = services.campaign_figures(utcnow())
    if not figures:
        click.echo("No win-back campaign yet: feedback retention win-back create NAME.")
        return
    click.echo(f"{'id':>5}  {'emailed':>7}  {'returned':>8}  {'pending':>7}  {'rate':>6}  name")
    for item in figures:
        f = item.figure
        rate = "—" if f.rate is None else f"{f.rate:.1f}%"
        click.echo(f"{item.campaign.id:>5}  {f.emailed:>7}  {f.returned:>8}  {f.pending:>7}  {rate:>6}  "
                   f"{item.campaign.name}")


@click.command("check-in")
@with_appcontext
def check_in():
    """Invite every silent customer not invited yet to the check-in survey "What changed?" (made once, in
    English, Arabic and Persian; the surveys' cool-down applies). Prints the survey's id last."""
    from flask import current_app

    from retention.saving import check_in as check_ins

    now, cooldown = utcnow(), current_app.config["SURVEY_COOLDOWN_DAYS"]
    survey = check_ins.check_in_survey(now)
    if not survey.is_open:
        raise click.ClickException(f"The check-in survey ({survey.id}) is closed: nobody was invited.")
    with click.progressbar(length=check_ins.count_to_invite(survey, now, cooldown), label="Inviting silent customers",
                           file=sys.stderr) as bar:
        _, invited = check_ins.invite_silent(now, cooldown, bar.update)
    click.echo(f"Invited {invited} silent customer{'' if invited == 1 else 's'} to the check-in survey "
               f"(results: feedback surveys results {survey.id}).")
    click.echo(survey.id)
