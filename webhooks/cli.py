"""`feedback webhooks add | list | remove | deliver`: endpoints registered, listed and removed, due deliveries sent
now."""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from feedback_app.core.clock import utcnow
from webhooks.delivery import count_due, deliver_due_webhooks
from webhooks.events import EVENT_TYPES
from webhooks.services import (NewEndpoint, WebhookError, add_endpoint, endpoints, parse_events, remove_endpoint,
                               waiting_counts)

COUNT_UP_TO = 10_000


@click.group()
def webhooks():
    """Endpoints that receive events (signed JSON POSTs) as they happen."""


@webhooks.command("add")
@click.argument("url")
@click.option("--secret", required=True, help="Shared secret: each delivery is signed with it (HMAC-SHA256).")
@click.option("--events", "events", required=True, help=f"Comma-separated, of: {', '.join(EVENT_TYPES)}.")
@click.option("--allow-private", is_flag=True, help="Allow loopback and private addresses (a receiver on your "
                                                    "own network). Refused without it.")
@with_appcontext
def add_command(url, secret, events, allow_private):
    """Register an endpoint; prints its id last."""
    try:
        endpoint = add_endpoint(NewEndpoint(url, secret, parse_events(events), allow_private), utcnow())
    except WebhookError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Endpoint {endpoint.id} receives {', '.join(endpoint.events)} at {endpoint.url}")
    click.echo(endpoint.id)


@webhooks.command("list")
@with_appcontext
def list_command():
    """Every endpoint: id, state, events, deliveries waiting, URL."""
    shown = endpoints()
    if not shown:
        click.echo("No webhook endpoints. Add one with: feedback webhooks add URL --secret S --events E1,E2")
        return
    waiting = waiting_counts([endpoint.id for endpoint in shown], COUNT_UP_TO)
    for endpoint in shown:
        state = (f"paused since {endpoint.paused_at:%Y-%m-%d %H:%M}" if endpoint.paused_at else
                 f"failing since {endpoint.failing_since:%Y-%m-%d %H:%M}" if endpoint.failing_since else "active")
        count = waiting[endpoint.id]
        count_text = f"more than {COUNT_UP_TO}" if count > COUNT_UP_TO else str(count)
        private = " (private addresses allowed)" if endpoint.allow_private else ""
        click.echo(f"{endpoint.id}\t{state}\t{','.join(endpoint.events)}\t{count_text} waiting\t"
                   f"{endpoint.url}{private}")


@webhooks.command("remove")
@click.argument("endpoint_id", type=int)
@with_appcontext
def remove_command(endpoint_id):
    """Remove an endpoint with its waiting deliveries and its log (nothing more is sent to it)."""
    if not remove_endpoint(endpoint_id):
        raise click.ClickException(f"There is no webhook endpoint {endpoint_id} (see `feedback webhooks list`).")
    click.echo(f"Endpoint {endpoint_id} removed, with its waiting deliveries and its log.")


@webhooks.command("deliver")
@with_appcontext
def deliver_command():
    """Deliver every webhook due now (the scheduler does this every few seconds)."""
    now = utcnow()
    due = count_due(now)
    with click.progressbar(length=due, label="Delivering webhooks", file=sys.stderr) as bar:
        report = deliver_due_webhooks(now, admin_url=current_app.config["BASE_URL"], clock=utcnow,
                                      progress=bar.update)
    if report.busy:
        click.echo("Another process is delivering webhooks now; nothing done here.")
        return
    click.echo(f"{report.delivered} delivered, {report.failed} failed (retried later), "
               f"{report.paused} endpoints paused")
