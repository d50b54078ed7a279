"""What the webhooks' app tests share: endpoints registered through the use case, the queue read back."""
from __future__ import annotations

from sqlalchemy import select

from feedback_app.core.extensions import db
from tests.support.factories import NOW
from webhooks.models import WebhookDelivery, WebhookEvent
from webhooks.services import NewEndpoint, add_endpoint

PUBLIC = "93.184.216.34"


def public_resolver(host, port):
    return [PUBLIC]


def endpoint(events=("response.created",), url="https://hooks.example.com/in", secret="s3cret",
             allow_private=False, now=NOW):
    return add_endpoint(NewEndpoint(url, secret, tuple(events), allow_private), now, resolve=public_resolver)


def queued(endpoint_id: int | None = None) -> list[tuple[str, dict, int]]:
    """(type, data, endpoint id) of every delivery queued, in queue order."""
    db.session.expire_all()
    query = (select(WebhookEvent.type, WebhookEvent.data, WebhookDelivery.endpoint_id)
             .join(WebhookDelivery, WebhookDelivery.event_id == WebhookEvent.id).order_by(WebhookDelivery.id))
    if endpoint_id is not None:
        query = query.where(WebhookDelivery.endpoint_id == endpoint_id)
    return [tuple(row) for row in db.session.execute(query)]
