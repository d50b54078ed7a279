"""Win-back campaigns: every lost customer emailed once per campaign, ever, in their own language with the offer
of their value's tier; the win-back rate with pending emails left out — on both databases and through a real
SMTP server."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from feedback_app.core.extensions import db
from feedback_app.mail.delivery import deliver_due
from feedback_app.mail.outbox import OutboxEmail
from feedback_app.mail.suppression import suppress
from feedback_app.mail.transports import transport_from_config
from retention.models import Activity
from retention.saving import win_back as service
from retention.saving.models import WinBackCampaign, WinBackEmail
from retention.saving.values import mrr_of
from surveys.models import Customer
from tests.app.feedback_app.test_cli import run
from tests.support.factories import NOW, add_customers

# (email, locale, mrr, stage). Values of the team, highest first: 100 90 80 70 60 50 40 30 20 10 (dan's 30 is his
# revenue, he has no mrr; kim has no value). Shares 10/30/60 % of 10 values: vip from the 1st (100), premium from
# the 3rd (80), standard from the 6th (50).
PEOPLE = (("ana@example.com", "en", "100", "lost"), ("badr@example.com", "ar", "80", "lost"),
          ("sara@example.com", "fa", "50", "lost"), ("dan@example.com", "en", None, "lost"),
          ("eve@example.com", "en", "10", "lost"), ("kim@example.com", "en", None, "lost"),
          ("fay@example.com", "en", "20", "active"), ("gus@example.com", "en", "40", "at_risk"),
          ("hal@example.com", "en", "60", "active"), ("ivy@example.com", "en", "70", "silent"),
          ("jo@example.com", "en", "90", "active"))
OFFERS = {"vip": {"en": "20 % off your next three months", "ar": "خصم ٢٠٪ على أشهرك الثلاثة القادمة"},
          "premium": {"ar": "خصم ١٠٪ على شهرك القادم"},
          "standard": {"en": "A free month"}}  # none in Persian: sara (standard, fa) gets no offer
LATIN = re.compile(r"[A-Za-z]")
NAMES = {"badr@example.com": "بدر", "sara@example.com": "سارا"}


def lost_and_found():
    customers = add_customers(*((email, NAMES.get(email, email.split("@")[0].title()), locale) for email, locale, _, _ in PEOPLE))
    for customer, (_, _, mrr, stage) in zip(customers, PEOPLE):
        customer.attributes = {"plan": "pro", **({"mrr": mrr} if mrr else {})}
        customer.stage, customer.stage_since = stage, NOW - timedelta(days=40)
    by_email = {c.email: c for c in customers}
    by_email["eve@example.com"].unsubscribed_at = NOW - timedelta(days=1)
    for day, amount in ((1, 12.5), (2, 17.5)):  # dan's revenue: 30
        db.session.add(Activity(customer_id=by_email["dan@example.com"].id, occurred_at=NOW - timedelta(days=90 + day),
                                kind="purchase", amount=amount, dedupe_key=f"dan-{day}"))
    suppress("kim@example.com", NOW)
    db.session.commit()
    return by_email


def emails() -> dict[str, tuple]:
    return {email: (tier, value) for email, tier, value in db.session.execute(
        select(Customer.email, WinBackEmail.tier, WinBackEmail.value).join(Customer))}


def outbox_count() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxEmail))


def test_mrr_is_read_from_the_attribute_only_when_it_is_a_number():
    assert [mrr_of(a) for a in ({"mrr": "120"}, {"mrr": "1,200.5"}, {"mrr": "n/a"}, {"mrr": "nan"}, {}, None)] == [
        120.0, 1200.5, None, None, None, None]


def test_every_lost_customer_is_emailed_once_with_the_tier_of_their_value(app):
    lost_and_found()
    campaign = service.create_campaign("Spring", NOW, 30, OFFERS)
    assert service.count_to_email(campaign) == 5  # six lost, eve unsubscribed (kim is suppressed: counted, skipped)
    assert service.send_campaign(campaign, NOW) == 4
    assert emails() == {"ana@example.com": ("vip", 100.0), "badr@example.com": ("premium", 80.0),
                        "sara@example.com": ("standard", 50.0), "dan@example.com": ("none", 30.0)}
    keys = set(db.session.scalars(select(OutboxEmail.dedupe_key)))
    ids = {c.email: c.id for c in db.session.scalars(select(Customer))}
    assert keys == {f"win-back-{campaign.id}-{ids[e]}" for e in ("ana@example.com", "badr@example.com",
                                                                  "sara@example.com", "dan@example.com")}
    assert service.send_campaign(campaign, NOW + timedelta(days=1)) == 0  # again: nobody twice
    assert outbox_count() == 4 and len(emails()) == 4
    second = service.create_campaign("Autumn", NOW, 30)
    assert service.send_campaign(second, NOW) == 4 and outbox_count() == 8  # another campaign emails them again


def test_a_send_in_small_batches_emails_each_once(app, monkeypatch):
    lost_and_found()
    monkeypatch.setattr(service, "BATCH", 2)
    seen = []
    campaign = service.create_campaign("Spring", NOW)
    assert service.send_campaign(campaign, NOW, seen.append) == 4
    assert seen == [2, 2, 1] and outbox_count() == 4


def test_the_emails_reach_each_customer_in_their_language_only(smtp_app, smtp_server):
    lost_and_found()
    campaign = service.create_campaign("Spring", NOW, 30, OFFERS)
    service.send_campaign(campaign, NOW)
    service.send_campaign(campaign, NOW)
    report = deliver_due(NOW + timedelta(minutes=1), transport_from_config(smtp_app.config), "Acme <f@acme.test>")
    assert report.sent == 4
    got = {m["To"]: m for m in smtp_server.messages}
    assert sorted(got) == ["ana@example.com", "badr@example.com", "dan@example.com", "sara@example.com"]
    text = {to: m.get_body(("plain",)).get_content() for to, m in got.items()}
    assert OFFERS["vip"]["en"] in text["ana@example.com"]
    assert OFFERS["premium"]["ar"] in text["badr@example.com"]
    assert "Our offer" not in text["dan@example.com"] and "/u/" in text["dan@example.com"]
    for to in ("badr@example.com", "sara@example.com"):  # Arabic and Persian, without a Latin word
        assert not LATIN.findall(re.sub(r"https?://\S+", "", text[to]) + got[to]["Subject"]), text[to]
    assert "پیشنهاد" not in text["sara@example.com"]  # standard has no Persian offer: no offer rather than mixed
    assert got["ana@example.com"]["List-Unsubscribe"].startswith("<http://survey.test/u/")


def test_the_win_back_rate_counts_returns_within_the_window_and_leaves_pending_out(app):
    people = lost_and_found()
    campaign = service.create_campaign("Spring", NOW, 30)
    service.send_campaign(campaign, NOW)
    for email, days, kind in (("ana@example.com", 5, "login"),      # back within 30 days
                              ("badr@example.com", 3, "cancel"),    # a cancel is not a return
                              ("sara@example.com", 40, "purchase")):  # back, but after the window
        db.session.add(Activity(customer_id=people[email].id, occurred_at=NOW + timedelta(days=days), kind=kind,
                                dedupe_key=f"{email}-{days}"))
    db.session.commit()
    # Day 10: ana back; badr, sara and dan still within their window: pending. 1 / (4 − 3) = 100 %.
    (early,) = service.campaign_figures(NOW + timedelta(days=10))
    assert (early.figure.emailed, early.figure.returned, early.figure.pending, early.figure.rate) == (4, 1, 3, 100.0)
    # Day 45: every window over; ana alone came back: 1 / 4 = 25 %.
    (late,) = service.campaign_figures(NOW + timedelta(days=45))
    assert (late.figure.emailed, late.figure.returned, late.figure.pending, late.figure.rate) == (4, 1, 0, 25.0)


@pytest.mark.parametrize("name, days, offers, message", [
    ("  ", 30, {}, "name"), ("x" * 201, 30, {}, "name"), ("A", 0, {}, "1 to 3650"),
    ("A", 30, {"none": {"en": "x"}}, "Unknown tier"), ("A", 30, {"vip": {"de": "x"}}, "Unknown language"),
    ("A", 30, {"vip": {"en": " "}}, "text of 1 to 500")])
def test_a_campaign_that_cannot_be_made_changes_nothing(app, name, days, offers, message):
    with pytest.raises(service.CampaignError, match=message):
        service.create_campaign(name, NOW, days, offers)
    assert db.session.scalar(select(func.count()).select_from(WinBackCampaign)) == 0


def test_the_commands_create_send_and_list_a_campaign(app):
    lost_and_found()
    made = run(app, "retention", "win-back", "create", "Spring", "--return-days", "14",
               "--incentive", "vip:en:20 % off: three months", "--incentive", "premium:ar:خصم")
    assert made.exit_code == 0, made.output
    campaign_id = int(made.output.split()[-1])  # the id, last
    campaign = db.session.get(WinBackCampaign, campaign_id)
    assert campaign.return_days == 14 and campaign.incentives == {"vip": {"en": "20 % off: three months"},
                                                                  "premium": {"ar": "خصم"}}
    sent = run(app, "retention", "win-back", "send", str(campaign_id))
    assert sent.exit_code == 0 and "Queued 4 win-back emails." in sent.output
    assert "Queued 0 win-back emails." in run(app, "retention", "win-back", "send", str(campaign_id)).output
    listed = run(app, "retention", "win-back", "list").output
    assert re.search(rf"{campaign_id}\s+4\s+0\s+4\s+—\s+Spring", listed), listed  # emailed now: all pending


@pytest.mark.parametrize("args, message", [
    (("create", "A", "--incentive", "vip-en-text"), "TIER:LANG:TEXT"),
    (("create", "A", "--incentive", "gold:en:text"), "Unknown tier"),
    (("create", "A", "--return-days", "0"), "0 is not in the range"),
    (("send", "999"), "No win-back campaign 999"), (("send", "x"), "not a valid integer")])
def test_the_commands_refuse_bad_input_clearly(app, args, message):
    result = run(app, "retention", "win-back", *args)
    assert result.exit_code != 0 and message in result.output, result.output
    assert db.session.scalar(select(func.count()).select_from(WinBackCampaign)) == 0


def sign_in(app, role):
    from feedback_app.accounts.services import create_user
    create_user(f"{role}@example.com", "long-enough-password", role)
    client = app.test_client()
    client.post("/login", data={"email": f"{role}@example.com", "password": "long-enough-password"})
    return client


def test_the_page_creates_sends_and_shows_a_campaign_with_its_rate(app):
    lost_and_found()
    triager = sign_in(app, "triager")
    reply = triager.post("/retention/win-back", data={"name": "Spring", "return_days": "30",
                                                      "offer_vip_en": "20 % off", "offer_premium_ar": "خصم"})
    assert reply.status_code == 302
    campaign = db.session.scalars(select(WinBackCampaign)).one()
    assert campaign.incentives == {"vip": {"en": "20 % off"}, "premium": {"ar": "خصم"}}
    assert triager.post(f"/retention/win-back/{campaign.id}/send").status_code == 302
    assert triager.post(f"/retention/win-back/{campaign.id}/send").status_code == 302  # again: nobody twice
    assert outbox_count() == 4
    page = triager.get("/retention/win-back").get_data(as_text=True)
    row = page.split(f'id="campaign-{campaign.id}"')[1].split("</tr>")[0]
    # Emailed just now (the real clock): all four within their 30 days, so pending and no rate yet.
    assert [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', row)] == [4, 0, 4] and "—" in row


@pytest.mark.parametrize("data, message", [
    ({"name": "", "return_days": "30"}, "Give the campaign a name."),
    ({"name": "A", "return_days": "0"}, "Enter a number of days from 1 to 3650."),
    ({"name": "A", "return_days": "lots"}, "Enter a number of days from 1 to 3650."),
    ({"name": "A", "return_days": "30", "offer_vip_fa": "x" * 501}, "An offer can be at most 500 characters long.")])
def test_the_page_refuses_a_bad_campaign_beside_its_field(app, data, message):
    reply = sign_in(app, "triager").post("/retention/win-back", data=data)
    assert reply.status_code == 400 and message in reply.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(WinBackCampaign)) == 0


def test_a_viewer_reads_the_page_but_may_not_create_or_send(app):
    campaign = service.create_campaign("Spring", NOW)
    viewer = sign_in(app, "viewer")
    page = viewer.get("/retention/win-back").get_data(as_text=True)
    assert "Spring" in page and "New campaign" not in page
    assert viewer.post("/retention/win-back", data={"name": "B", "return_days": "30"}).status_code == 403
    assert viewer.post(f"/retention/win-back/{campaign.id}/send").status_code == 403
    assert sign_in(app, "triager").post("/retention/win-back/99999/send").status_code == 404


def test_the_export_carries_and_erasure_counts_the_win_back_save_and_value_rows(app):
    from privacy.export import export_customer
    from privacy.services import erase_customer
    from retention.saving.models import CustomerValue, SaveOutcome
    from retention.saving.save_list import record_outcome
    from retention.saving.values import refresh_values

    people = lost_and_found()
    service.send_campaign(service.create_campaign("Spring", NOW), NOW)
    refresh_values(NOW)
    record_outcome(people["ana@example.com"].id, "contacted", None, NOW)
    exported = export_customer("ana@example.com")
    assert exported["win_back_emails"] == [{"campaign": "Spring", "tier": emails()["ana@example.com"][0],
                                            "emailed_at": NOW.isoformat() + "+00:00"}]
    assert exported["save_outcome"] == {"outcome": "contacted", "at": NOW.isoformat() + "+00:00"}
    assert export_customer("badr@example.com")["save_outcome"] is None
    removed = erase_customer("ana@example.com", "cli", NOW).removed
    assert (removed["win_back_emails"], removed["save_outcomes"], removed["customer_values"]) == (1, 1, 1)
    for model in (WinBackEmail, SaveOutcome, CustomerValue):
        assert db.session.scalar(select(func.count()).select_from(model).where(
            model.customer_id == people["ana@example.com"].id)) == 0, model
    assert len(emails()) == 3  # the others' stay


def test_the_page_costs_the_same_with_more_campaigns_and_emails(app):
    from tests.app.test_query_counts import statements_of

    lost_and_found()
    viewer = sign_in(app, "viewer")

    def statements() -> int:
        return statements_of(app, lambda: viewer.get("/retention/win-back"))

    service.send_campaign(service.create_campaign("One", NOW), NOW)
    few = statements()
    for name in ("Two", "Three", "Four"):
        service.send_campaign(service.create_campaign(name, NOW), NOW + timedelta(days=1))
    assert statements() == few


def test_values_follow_the_configured_value_attribute(app):
    """IMPACT_VALUE_ATTRIBUTE names the value everywhere: the Save list's order and the tiers read it too."""
    from retention.saving.models import CustomerValue
    from retention.saving.values import refresh_values

    people = lost_and_found()
    app.config["IMPACT_VALUE_ATTRIBUTE"] = "arr"
    people["jo@example.com"].attributes = {**people["jo@example.com"].attributes, "arr": "1200"}
    db.session.commit()
    refresh_values(NOW)
    values = dict(db.session.execute(select(Customer.email, CustomerValue.value).join(
        CustomerValue, CustomerValue.customer_id == Customer.id)).all())
    # jo's arr counts; ana's mrr (100) no longer does; dan still has his revenue (12.5 + 17.5).
    assert (values["jo@example.com"], values["ana@example.com"], values["dan@example.com"]) == (1200.0, 0.0, 30.0)
