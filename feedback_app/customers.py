"""One customer, on the web (/customers/<id>, every team member may read it) and on the command line
(`feedback customers show EMAIL [--json]`): both read feedback_app.customer_page."""
from __future__ import annotations

import json

import click
from flask import Blueprint, current_app, render_template
from flask.cli import with_appcontext
from flask_babel import lazy_gettext as _l

from feedback_app.accounts.access import require_login_for
from feedback_app.customer_page import (
    ADVICE,
    ADVOCACY,
    ANSWER,
    CAP,
    CONTACT,
    COUNT_UP_TO,
    EARLY_ACCESS,
    FEEDBACK,
    FIXES,
    INVITATION,
    NEWS,
    STAGE,
    CustomerPage,
    build,
)
from feedback_app.core.i18n import LANGUAGE_NAMES
from privacy.export import iso
from retention.wording import describe_reason, stage_name
from privacy.records import PrivacyError, customer_by_address, normalised, nothing_held
from triage.classification.custom_types import all_types
from triage.fixes.views import STATUS_NAMES

# What the timeline's note on older events calls each kind ("Older, not shown: survey answers 12, …").
KIND_NAMES = {INVITATION: _l("invitations"), ANSWER: _l("survey answers"), FEEDBACK: _l("channel feedback"),
              CONTACT: _l("contacts"), NEWS: _l("fix news"), EARLY_ACCESS: _l("early-access requests"),
              ADVICE: _l("offers of advice"), ADVOCACY: _l("asks for a review or referral"),
              STAGE: _l("stage changes")}

customer_pages = Blueprint("customers", __name__, url_prefix="/customers")
require_login_for(customer_pages)


@customer_pages.get("/<int:customer_id>")
def show(customer_id: int):
    page = build(customer_id)
    if page is None:  # never held, or erased on request: nothing about them is left to show
        return render_template("customers/gone.html"), 404
    return render_template("customers/show.html", page=page, customer=page.customer, cap=CAP,
                           types={t.key: t for t in all_types()}, STATUS_NAMES=STATUS_NAMES,
                           LANGUAGE_NAMES=LANGUAGE_NAMES, kind_names=KIND_NAMES, stage_name=stage_name,
                           describe_reason=describe_reason)


# ---------------------------------------------------------------- feedback customers show

def as_json(page: CustomerPage, url: str) -> dict:
    """The customer as a program reads them. Keys are added, never renamed; times are ISO 8601 in UTC."""
    customer, said = page.customer, page.last_said
    return {
        "email": customer.email, "name": customer.name, "locale": customer.locale,
        "attributes": dict(customer.attributes or {}),
        "stage": customer.stage, "stage_since": iso(customer.stage_since),  # None until the first refresh
        "stage_reason": page.stage_reason,  # the rule's key and numbers (retention.wording says them)
        "activity": {"count": page.activity.count, "first_at": iso(page.activity.first_at),
                     "last_at": iso(page.activity.last_at), "purchases": page.activity.purchases,
                     "revenue": page.activity.revenue},
        "created_at": iso(customer.created_at), "unsubscribed_at": iso(customer.unsubscribed_at),
        "fix_news_stopped_at": iso(page.news_stopped_at),
        "invitations": page.totals[INVITATION], "answers": page.totals[ANSWER],
        "channel_feedback": page.totals[FEEDBACK], "contacts": page.totals[CONTACT],
        "fix_news": page.totals[NEWS], "fixes_supported": page.totals[FIXES],
        "counted_up_to": COUNT_UP_TO,  # a count above it reads "more than"
        "last_answer": None if said is None else {
            "id": said.response.id, "answered_at": iso(said.response.answered_at), "channel": said.response.channel,
            "survey_id": said.response.survey_id, "kind": said.scale, "score": said.response.score,
            "band": said.band, "text": said.response.comment, "locale": said.response.locale,
            "type": said.item.type_key if said.item else None, "theme": said.theme},
        "fixes": [{"id": f.fix.id, "title": f.fix.title, "status": f.fix.status, "verbatims": f.verbatims}
                  for f in page.fixes],
        "url": url,
    }


def _human(page: CustomerPage, url: str) -> list[str]:
    customer, said, totals = page.customer, page.last_said, page.totals
    lines = [f"{customer.email}" + (f"  ({customer.name})" if customer.name else ""),
             f"  language: {customer.locale}    added: {customer.created_at:%Y-%m-%d}"
             + (f"    unsubscribed: {customer.unsubscribed_at:%Y-%m-%d}" if customer.unsubscribed_at else ""),
             _stage_line(page),
             _activity_line(page),
             "  attributes: " + (", ".join(f"{k}={v}" for k, v in (customer.attributes or {}).items()) or "none"),
             f"  invitations: {_count(totals[INVITATION])}    answers: {_count(totals[ANSWER])}    channel feedback: "
             f"{_count(totals[FEEDBACK])}    contacts: {_count(totals[CONTACT])}    fix news: {_count(totals[NEWS])}"]
    if said is None:
        lines.append("  last answer: none yet")
    else:
        score = "no score" if said.response.score is None else f"{(said.scale or '').upper()} {said.response.score}"
        what = said.item.type_key if said.item and said.item.type_key else "not classified"
        lines.append(f"  last answer: {said.response.answered_at:%Y-%m-%d}  {score}"
                     + (f" ({said.band})" if said.band else "") + f"  {what}"
                     + (f"  “{_short(said.response.comment)}”" if said.response.comment.strip() else ""))
    lines += [f"  supports fix #{f.fix.id}: {f.fix.title} ({f.fix.status})" for f in page.fixes]
    lines.append(f"  page: {url}")
    return lines


def _stage_line(page: CustomerPage) -> str:
    customer = page.customer
    if customer.stage is None:
        return "  stage: not computed yet (feedback retention refresh)"
    reason = f" ({page.stage_reason['key']})" if page.stage_reason else ""
    return f"  stage: {customer.stage} since {customer.stage_since:%Y-%m-%d}{reason}"


def _activity_line(page: CustomerPage) -> str:
    activity = page.activity
    if not activity.count:
        return "  activity: none imported"
    revenue = "" if activity.revenue is None else f", revenue {activity.revenue:g}"
    return (f"  activity: {activity.count} from {activity.first_at:%Y-%m-%d} to {activity.last_at:%Y-%m-%d}, "
            f"{activity.purchases} purchases{revenue}")


def _count(number: int) -> str:
    return f"more than {COUNT_UP_TO}" if number > COUNT_UP_TO else str(number)


def _short(text: str, most: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= most else text[:most - 1] + "…"


@click.command("show")
@click.argument("email")
@click.option("--json", "json_output", is_flag=True, help="Print JSON (UTF-8) for programs.")
@with_appcontext
def show_command(email, json_output):
    """Everything about one customer: who they are, what they said, the fixes they support."""
    try:
        address = normalised(email)
        customer = customer_by_address(address)
        if customer is None:
            raise nothing_held(address)
    except PrivacyError as error:
        raise click.ClickException(str(error)) from None
    page = build(customer.id)
    url = f"{current_app.config['BASE_URL'].rstrip('/')}/customers/{customer.id}"  # the route of `show` above
    if json_output:
        click.echo(json.dumps(as_json(page, url), ensure_ascii=False, indent=2))
    else:
        click.echo("\n".join(_human(page, url)))
