"""`feedback retention loop` and `feedback retention fit`: the stored figures of the loop comparison and the
customer-fit matrix (`feedback retention refresh` computes them, as the daily refresh does)."""
from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from retention.comparison import HORIZONS
from retention.fit import QUADRANTS
from retention.insight.services import FIT_KEY, LOOP_KEY, stored_figures

NOT_COMPUTED = "Not computed yet: run `feedback retention refresh`."


def _stored(key: str) -> dict:
    row = stored_figures().get(key)
    if row is None:
        raise click.ClickException(NOT_COMPUTED)
    return {"computed_at": row.computed_at.isoformat(), **row.data}


def _pct(p: dict) -> str:
    if p["value"] is None:
        return "—"
    low = f" [{p['low']:.1f}, {p['high']:.1f}]" if p.get("low") is not None else ""
    return f"{p['value']:.1f}{low}"


@click.command("loop")
@click.option("--json", "as_json", is_flag=True, help="Print the stored figure as JSON.")
@with_appcontext
def loop_command(as_json):
    """Retention of told against comparable not-told respondents (an observational comparison, not proof)."""
    data = _stored(LOOP_KEY)
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    click.echo(f"Respondents {data['respondents']}, told {data['told']} (computed {data['computed_at']}).")
    for horizon in HORIZONS:
        h = data["horizons"][str(horizon)]
        click.echo(f"{horizon} days: told {_pct(h['told'])} % (n={h['told']['n']}), not told "
                   f"{_pct(h['not_told'])} % (n={h['not_told']['n']}), difference {_pct(h['difference'])} points"
                   + (f" — {h['caveat'].replace('_', ' ')}" if h["caveat"] else ""))
        bands = ", ".join(f"{b['band']} {_pct(b['retention'])} % (n={b['retention']['n']})"
                          for b in data["nps_bands"][str(horizon)])
        click.echo(f"  by NPS band: {bands}")


@click.command("fit")
@click.option("--json", "as_json", is_flag=True, help="Print the stored figure as JSON.")
@with_appcontext
def fit_command(as_json):
    """The customer-fit matrix: customers per quadrant and the top customers of each."""
    data = _stored(FIT_KEY)
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    click.echo(f"{data['customers']} customers, {data['unvalued']} without a value (computed {data['computed_at']}).")
    if data["value_threshold"] is not None:
        click.echo(f"Thresholds: value {data['value_threshold']:.2f}, cost {data['cost_threshold']:.2f}.")
    for quadrant in QUADRANTS:
        top = ", ".join(f"#{p['id']} ({p['value']:.2f} / {p['cost']:.1f})" for p in data["top"][quadrant])
        click.echo(f"{quadrant}: {data['counts'][quadrant]}" + (f" — top: {top}" if top else ""))
