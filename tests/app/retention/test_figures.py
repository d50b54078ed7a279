"""The retention figures from the database: a month checked by hand, a customer condition, the stored periods and
`feedback retention report`."""
from __future__ import annotations

import json
from datetime import datetime

import pytest
from sqlalchemy import select

from feedback_app.core.extensions import db
from retention.figures import retention_report, retention_trend, stored_periods
from retention.kpis import Period, months
from retention.models import RetentionFigure
from retention.refresh import refresh_retention
from surveys.models import Customer
from surveys.people.segment_store import create_segment
from tests.app.feedback_app.test_cli import run
from tests.app.retention.test_refresh import activities, customer

MARCH = Period(datetime(2025, 3, 1), datetime(2025, 4, 1))
NOW = datetime(2026, 11, 23, 12)


def a_small_file() -> None:
    """March 2025, by hand:
    ana   since Jan, stays, buys 100 (3 Mar) and renews 50 (20 Mar), logs in  → S, E, 2 purchases
    badr  since Feb, ended 15 Mar, bought 10 Feb                                → S, lost; bought before March
    cyrus since 10 Mar, buys 30 on 12 Mar                                       → N, E, 1 purchase
    dina  since 5 Mar, cancels 20 Mar                                           → N, lost (lost_new)
    emil  since 10 Apr                                                          → not counted
    farid no since: logs in Jun 2024, cancels Dec 2024, buys 2 Mar (no amount)  → came back: S, E, 1 purchase
    S = 3 (ana, badr, farid), E = 3 (ana, cyrus, farid), N = 2, lost = 2: CRR = (3 − 2) / 3 = 33.3 %, churn 66.7 %.
    Purchasers 3 (ana, cyrus, farid), purchases 4, repeat 1: repeat rate 33.3 %, frequency 4 / 3.
    Ever bought by 1 Apr: ana 2, badr 1, cyrus 1, farid 1 → one-and-done 3 / 4 = 75 %. Revenue 180; of the two
    with amounts the top one (ana, 150) holds 150 / 180 = 83.3 %."""
    ana = customer("ana@example.com", since=datetime(2025, 1, 1), attributes={"plan": "pro"})
    activities(ana, [datetime(2025, 3, 3)], kind="purchase", amount=100)
    activities(ana, [datetime(2025, 3, 20)], kind="renewal", amount=50)
    activities(ana, [datetime(2025, 3, 21)], kind="login")
    badr = customer("badr@example.com", since=datetime(2025, 2, 1), ended_at=datetime(2025, 3, 15))
    activities(badr, [datetime(2025, 2, 10)], kind="purchase", amount=10)
    cyrus = customer("cyrus@example.com", since=datetime(2025, 3, 10))
    activities(cyrus, [datetime(2025, 3, 12)], kind="purchase", amount=30)
    dina = customer("dina@example.com", since=datetime(2025, 3, 5))
    activities(dina, [datetime(2025, 3, 20)], kind="cancel")
    customer("emil@example.com", since=datetime(2025, 4, 10))
    farid = customer("farid@example.com", since=None, attributes={"plan": "pro"})
    activities(farid, [datetime(2024, 6, 1)], kind="login")
    activities(farid, [datetime(2024, 12, 1)], kind="cancel")
    activities(farid, [datetime(2025, 3, 2)], kind="purchase")
    db.session.commit()


EXPECTED_MARCH = {"customers_start": 3, "customers_end": 3, "new": 2, "lost": 2, "lost_new": 1,
                  "purchasers": 3, "purchases": 4, "repeat_customers": 1, "ever_bought": 4, "one_and_done": 3,
                  "revenue": 180.0, "concentration_basis": "revenue"}


def test_a_month_checked_by_hand(app, monkeypatch):
    monkeypatch.setattr("retention.figures.BATCH", 2)  # several batches, the same figures
    a_small_file()
    figures = retention_report(MARCH, NOW).as_dict()
    assert {key: figures[key] for key in EXPECTED_MARCH} == EXPECTED_MARCH
    assert figures["crr"] == pytest.approx(100 / 3) and figures["churn_rate"] == pytest.approx(200 / 3)
    assert figures["repeat_rate"] == pytest.approx(100 / 3) and figures["purchase_frequency"] == pytest.approx(4 / 3)
    assert figures["one_and_done_share"] == 75.0
    assert figures["top_10_percent_share"] == pytest.approx(150 / 180 * 100)


def test_a_customer_condition_narrows_the_customers(app):
    a_small_file()
    # Only plan = pro (ana, farid): S = 2, E = 2, nobody new or lost: CRR 100 %; 3 purchases by 2 customers.
    pro = Customer.attributes["plan"].as_string() == "pro"
    figures = retention_report(MARCH, NOW, customer_condition=pro).as_dict()
    assert (figures["customers_start"], figures["customers_end"], figures["new"], figures["lost"],
            figures["crr"], figures["purchases"], figures["repeat_rate"]) == (2, 2, 0, 0, 100.0, 3, 50.0)


def test_a_trend_gives_each_month_and_a_month_not_over_is_measured_to_now(app):
    a_small_file()
    feb, march, april = retention_trend(months(datetime(2025, 2, 1), datetime(2025, 5, 1)), datetime(2025, 4, 15))
    # February: S = ana, farid (2); new badr; E = 3. April to the 15th: emil new (10 Apr); E = ana, cyrus, farid, emil.
    assert (feb.customers_start, feb.new, feb.customers_end) == (2, 1, 3)
    assert (march.customers_end, april.customers_start, april.new, april.customers_end) == (3, 3, 1, 4)
    assert april.as_of == datetime(2025, 4, 15)


def test_the_refresh_stores_twelve_months_the_month_to_date_and_two_quarters(app):
    a_small_file()
    refresh_retention(NOW)
    keys = set(db.session.scalars(select(RetentionFigure.key).where(RetentionFigure.key.like("kpis:%"))))
    assert keys == {f"kpis:month:{y}-{m:02d}" for y, m in [(2025, 11), (2025, 12)] + [(2026, m) for m in range(1, 12)]
                    } | {"kpis:quarter:2026-Q3", "kpis:quarter:2026-Q4"}
    assert stored_periods(NOW)["kpis:quarter:2026-Q3"] == Period(datetime(2026, 7, 1), datetime(2026, 10, 1))
    current = db.session.get(RetentionFigure, "kpis:month:2026-11")
    # By November 2026 everyone but badr and dina is a customer (emil since April 2025): 4 at start and end.
    assert (current.data["customers_start"], current.data["as_of"], current.computed_at) == (
        4, NOW.isoformat(), NOW)
    refresh_retention(NOW)  # again: the same rows, replaced
    assert db.session.scalar(select(RetentionFigure.key).where(RetentionFigure.key.like("kpis:%"))
                             .order_by(RetentionFigure.key).limit(1)) == "kpis:month:2025-11"


def test_the_command_prints_the_figures_with_their_definitions_or_json(app):
    a_small_file()
    result = run(app, "retention", "report", "--from", "2025-03-01", "--to", "2025-03-31", "--json")
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert {key: figures[key] for key in EXPECTED_MARCH} == EXPECTED_MARCH
    assert {"customers_start", "customers_end", "new", "lost", "crr", "churn_rate", "repeat_rate",
            "purchase_frequency"} <= set(figures)
    assert (figures["start"], figures["end"]) == ("2025-03-01T00:00:00", "2025-04-01T00:00:00")
    human = run(app, "retention", "report", "--from", "2025-03-01", "--to", "2025-03-31").stdout.splitlines()
    assert human[0].startswith("Retention from 2025-03-01 to 2025-03-31")
    assert human[5].split("  ")[0] == "Retention rate (CRR)" and "33.3 %" in human[5]
    assert "over customers at the start" in human[5]
    assert any(line.startswith("Top 10 % of customers' share") and "83.3 %" in line for line in human)
    assert any(line.startswith("Days to first contact (median)") and " – " in line for line in human)


def test_the_report_of_a_saved_segment_counts_only_its_customers(app):
    a_small_file()
    create_segment("pro", "plan = pro", NOW)
    db.session.commit()
    result = run(app, "retention", "report", "--from", "2025-03-01", "--to", "2025-03-31", "--segment", "pro",
                 "--json")
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    # ana and farid are on the pro plan: both there on 1 and 31 March, both bought (ana twice).
    assert {key: figures[key] for key in ("customers_start", "customers_end", "new", "lost", "crr",
                                          "purchasers", "purchases", "repeat_customers")} == {
        "customers_start": 2, "customers_end": 2, "new": 0, "lost": 0, "crr": 100.0, "purchasers": 2,
        "purchases": 3, "repeat_customers": 1}


@pytest.mark.parametrize("args, message", [
    (["--from", "2025-03-31", "--to", "2025-03-01"], "--to (2025-03-01) is before --from (2025-03-31)"),
    (["--from", "2025-02-30", "--to", "2025-03-01"], "'2025-02-30' does not match the format"),
    (["--from", "2025-03-01", "--to", "2025-03-31", "--segment", "pro"], "no segment is named 'pro'"),
])
def test_bad_options_are_refused_with_a_message(app, args, message):
    result = run(app, "retention", "report", *args)
    assert result.exit_code != 0 and message in result.output
