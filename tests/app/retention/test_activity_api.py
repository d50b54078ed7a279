"""POST /api/v1/activity: one activity or a batch, each stored once, every refusal a 422 that changes nothing."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from feedback_app.accounts.tokens import create_token
from feedback_app.core.extensions import db
from retention.models import Activity
from surveys.models import Customer
from tests.app.feedback_app.api.test_api import Caller, assert_error
from tests.support.factories import NOW, add_customers

URL = "/api/v1/activity"
PURCHASE = {"email": " Ana@Example.com ", "occurred_at": "2024-05-01T10:00:00+02:00", "kind": " Purchase ",
            "amount": 19.99, "external_id": "order-1"}


@pytest.fixture
def api(client):
    add_customers(("ana@example.com", "Ana", "en"), ("badr@example.com", "Badr", "ar"))
    return Caller(client, create_token("billing", "triager", NOW).plain)


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Activity))


def test_one_activity_is_stored_and_sending_its_id_again_answers_the_stored_one(app, api):
    reply = api.post(URL, json=PURCHASE)
    assert reply.status_code == 201, reply.get_json()
    body = reply.get_json()
    assert body == {"id": body["id"], "email": "ana@example.com", "occurred_at": "2024-05-01T08:00:00+00:00",
                    "kind": "purchase", "amount": 19.99, "external_id": "order-1", "created": True}
    # A retry with the same id, whatever else it says now: the stored activity, nothing stored again.
    retry = api.post(URL, json={**PURCHASE, "amount": 25, "kind": "refund"})
    assert retry.status_code == 200 and retry.get_json() == {**body, "created": False}
    assert count() == 1


def test_without_an_id_the_very_same_activity_is_stored_once(app, api):
    login = {"email": "badr@example.com", "occurred_at": "2024-05-02", "kind": "login"}
    first, second = api.post(URL, json=login), api.post(URL, json={**login, "kind": "LOGIN", "amount": None})
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.get_json()["id"] == first.get_json()["id"]
    later = api.post(URL, json={**login, "occurred_at": "2024-05-02T00:00:01"})
    assert later.status_code == 201 and count() == 2


def test_a_batch_is_stored_all_at_once_each_item_answered_in_order(app, api):
    api.post(URL, json=PURCHASE)
    batch = [PURCHASE,                                                                  # sent before
             {"email": "badr@example.com", "occurred_at": "2024-05-03", "kind": "renewal", "amount": 120},
             {"email": "badr@example.com", "occurred_at": "2024-05-03", "kind": "renewal", "amount": 120.0},  # twin
             {"email": "ana@example.com", "occurred_at": "2024-05-04T00:00:00Z", "kind": "cancel"}]
    reply = api.post(URL, json={"activities": batch})
    assert reply.status_code == 201, reply.get_json()
    body = reply.get_json()
    assert (body["added"], body["already_there"]) == (2, 2)
    items = body["activities"]
    assert [(i["kind"], i["created"]) for i in items] == [("purchase", False), ("renewal", True), ("renewal", False),
                                                          ("cancel", True)]
    assert items[1]["id"] == items[2]["id"] and items[0]["amount"] == 19.99 and items[1]["amount"] == 120.0
    again = api.post(URL, json={"activities": batch})
    assert again.status_code == 200 and again.get_json()["added"] == 0 and count() == 3


def test_a_batch_with_one_unknown_customer_or_future_time_stores_nothing_and_names_the_items(app, api):
    batch = [{"email": "badr@example.com", "occurred_at": "2024-05-03", "kind": "login"},
             {"email": "nobody@example.com", "occurred_at": "2024-05-03", "kind": "login"},
             {"email": "ana@example.com", "occurred_at": "9999-01-01", "kind": "login"}]
    body = assert_error(api.post(URL, json={"activities": batch}), 422, "activities")
    assert body["errors"]["activities"] == {
        "1": {"email": ["no customer has the address nobody@example.com: import them first "
                        "(feedback customers import)"]},
        "2": {"occurred_at": ["occurred_at 9999-01-01 00:00:00 UTC is in the future (a time without an offset is "
                              "UTC: add yours, such as +03:30)"]}}
    assert body["message"].startswith("2 of the activities cannot be stored (nothing was)")
    single = assert_error(api.post(URL, json=batch[1]), 422, "email")
    assert single["message"].startswith("no customer has the address nobody@example.com")
    assert count() == 0


@pytest.mark.parametrize("body, field", [
    ({**PURCHASE, "customer": "ana"}, "customer"),                     # unknown field, named
    ({**PURCHASE, "occurred_at": "2024-13-01"}, "occurred_at"),
    ({**PURCHASE, "occurred_at": "yesterday"}, "occurred_at"),
    ({**PURCHASE, "occurred_at": "0001-01-01T00:00:00+14:00"}, "occurred_at"),  # year 0 in UTC
    ({**PURCHASE, "occurred_at": "2024-05-01" + " " * 60}, "occurred_at"),
    ({**PURCHASE, "occurred_at": 1714550400}, "occurred_at"),
    ({**PURCHASE, "amount": "19.99"}, "amount"),                       # JSON types taken strictly
    ({**PURCHASE, "amount": True}, "amount"),
    ({**PURCHASE, "amount": 1e300}, "amount"),
    ({**PURCHASE, "kind": "   "}, "kind"),
    ({**PURCHASE, "kind": "k" * 41}, "kind"),
    ({**PURCHASE, "external_id": "  "}, "external_id"),
    ({**PURCHASE, "external_id": "x" * 201}, "external_id"),
    ({**PURCHASE, "email": "not an address"}, "email"),
    ({"email": "ana@example.com", "kind": "login"}, "occurred_at"),    # required
    ({}, "email"),
    ({**PURCHASE, "activities": [PURCHASE]}, "email"),                 # one or a batch, not both
    ({"activities": []}, "activities"),
    ({"activities": [PURCHASE] * 1001}, "activities"),
    ({"activities": [{**PURCHASE, "extra": 1}]}, "activities"),
    ({"activities": PURCHASE}, "activities"),
])
def test_bad_bodies_are_refused_field_by_field_and_change_nothing(app, api, body, field):
    before = (count(), db.session.scalar(select(func.count()).select_from(Customer)))
    assert_error(api.post(URL, json=body), 422, field)
    assert (count(), db.session.scalar(select(func.count()).select_from(Customer))) == before


def test_a_nested_unknown_field_is_named_with_its_item(app, api):
    body = assert_error(api.post(URL, json={"activities": [PURCHASE, {**PURCHASE, "sku": "x"}]}), 422, "activities")
    assert body["errors"]["activities"] == {"1": {"sku": ["Unknown field."]}}


def test_a_viewer_token_may_not_write_and_no_token_may_not_either(app, api, client):
    viewer = Caller(client, create_token("dash", "viewer", NOW).plain)
    assert "viewer" in assert_error(viewer.post(URL, json=PURCHASE), 403)["message"]
    assert_error(client.post(URL, json=PURCHASE), 401)
    assert count() == 0


def test_the_document_describes_both_bodies(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    assert schemas["ActivityIn"]["additionalProperties"] is False
    assert schemas["ActivityItem"]["required"] == ["email", "kind", "occurred_at"]
    answers = document["paths"][URL]["post"]["responses"]
    assert {"200", "201", "401", "403", "422"} <= set(answers)
    assert answers["201"]["content"]["application/json"]["schema"]["oneOf"][1] == {
        "$ref": "#/components/schemas/ActivityBatchOut"}
