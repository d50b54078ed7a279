"""The loop and fit pages: they read the two stored figures (services.stored_figures) and, for the fit table, the
names of at most 4 × TOP customers — a constant number of queries, whatever the data size."""
from __future__ import annotations

from flask import render_template
from sqlalchemy import select

from advocacy.outcomes import figures as advocacy_figures
from feedback_app.core.extensions import db
from retention.blueprint import retention
from retention.comparison import HORIZONS
from retention.fit import QUADRANTS
from retention.insight import charts
from retention.insight.services import FIT_KEY, LOOP_KEY, stored_figures
from surveys.models import Customer


@retention.get("/loop")
def loop():
    row = stored_figures().get(LOOP_KEY)
    figures = row.data if row else None
    drawn = {}
    if figures:
        for horizon in HORIZONS:
            h = figures["horizons"][str(horizon)]
            drawn[horizon] = charts.bars([h["told"], h["not_told"]])
    return render_template("retention/loop.html", figures=figures, computed_at=row.computed_at if row else None,
                           horizons=HORIZONS, drawn=drawn, BAR_WIDTH=charts.BAR_WIDTH, BAR_HEIGHT=charts.BAR_HEIGHT,
                           advocacy=advocacy_figures())


@retention.get("/fit")
def fit():
    row = stored_figures().get(FIT_KEY)
    figures = row.data if row else None
    drawn, names = None, {}
    if figures and figures["sample"]:
        drawn = charts.scatter(figures["sample"], figures["value_threshold"], figures["cost_threshold"])
        ids = {p["id"] for q in QUADRANTS for p in figures["top"][q]}
        names = {c.id: c.name or c.email for c in db.session.execute(
            select(Customer.id, Customer.name, Customer.email).where(Customer.id.in_(ids)))}
    return render_template("retention/fit.html", figures=figures, computed_at=row.computed_at if row else None,
                           drawn=drawn, names=names, quadrants=QUADRANTS, WIDTH=charts.SCATTER_WIDTH,
                           HEIGHT=charts.SCATTER_HEIGHT, PAD=charts.PAD)
