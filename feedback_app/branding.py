"""The team's brand on the web and the command line: its settings form, `feedback brand`, and the logo and
colour sheet every public page loads (the `brand` blueprint). Stored and checked in feedback_app.core.brand."""
from __future__ import annotations

import click
from flask import Blueprint, abort
from flask.cli import with_appcontext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, StringField
from wtforms.validators import Length

from feedback_app.core import brand_rules
from feedback_app.core.brand import BrandChange, brand_logo, problem_message, read_brand, set_brand
from feedback_app.core.clock import utcnow

brand_assets = Blueprint("brand", __name__, url_prefix="/brand")
# Addresses carry the brand's version: what one version served never changes, so browsers keep it a year.
KEPT_FOR_A_YEAR = "public, max-age=31536000, immutable"


class BrandForm(FlaskForm):
    # Bounds on what is read at all; the rules themselves (feedback_app.core.brand_rules) decide after it.
    name = StringField(_l("Organisation name"), validators=[Length(max=4 * brand_rules.NAME_MAX, message=_l(
        "The organisation's name can be at most %(max)s characters long.", max=brand_rules.NAME_MAX))],
        description=_l("Shown on every survey page and email: “Stop receiving surveys from …?”. Never translated."))
    colour = StringField(_l("Accent colour (optional)"), validators=[Length(max=32, message=_l(
        "Enter the colour as a hex code, e.g. #0a5c36."))], description=_l(
        "A hex code such as #0a5c36. Buttons show white text on it, so it must be dark enough (contrast 4.5:1)."))
    logo = FileField(_l("Logo (optional)"), description=_l(
        "PNG, JPEG or WebP, at most 256 KB; shown about 40 pixels high. SVG is not accepted."))
    remove_logo = BooleanField(_l("Remove the logo"))


def change_from_form(form: BrandForm) -> BrandChange:
    upload = form.logo.data
    logo = upload.read(brand_rules.LOGO_MAX_BYTES + 1) if upload and getattr(upload, "filename", "") else None
    return BrandChange(name=form.name.data or "", colour=form.colour.data or "", logo=logo,
                       remove_logo=bool(form.remove_logo.data))


@brand_assets.get("/logo/<int:version>")
def logo(version: int):
    found = brand_logo(version)
    if found is None:
        abort(404)
    data, media_type, current = found
    # An older version's address (an email queued before the change) shows the current logo, briefly kept.
    return data, 200, {"Content-Type": media_type, "Cache-Control": KEPT_FOR_A_YEAR if current else "no-cache",
                       "Content-Security-Policy": "default-src 'none'", "X-Content-Type-Options": "nosniff"}


@brand_assets.get("/<int:version>.css")
def colours(version: int):
    """The accent colour as a style sheet: the pages' policy allows no inline style."""
    brand = read_brand()
    accent = f":root {{ --accent: {brand.colour}; --accent-ink: #fff; }}\n" if brand.colour else ""
    kept = KEPT_FOR_A_YEAR if version == brand.version else "no-cache"
    return accent, 200, {"Content-Type": "text/css; charset=utf-8", "Cache-Control": kept}


# ------------------------------------------------------------- feedback brand

@click.command("brand")
@click.option("--name", help="The organisation's name, as customers know it (never translated).")
@click.option("--colour", "--color", "colour", help='Accent colour as a hex code, e.g. "#0a5c36"; "" removes it.')
@click.option("--logo", type=click.Path(exists=True, dir_okay=False), help="A PNG, JPEG or WebP file (max 256 KB).")
@click.option("--remove-logo", is_flag=True, help="Show no logo.")
@with_appcontext
def brand_command(name, colour, logo, remove_logo):
    """Show the brand customers see on surveys and emails, or set it (name, colour, logo)."""
    if name is None and colour is None and logo is None and not remove_logo:
        _show(read_brand())
        return
    data = None
    if logo is not None:
        with open(logo, "rb") as file:
            data = file.read(brand_rules.LOGO_MAX_BYTES + 1)
    problems = set_brand(BrandChange(name=name, colour=colour, logo=data, remove_logo=remove_logo), utcnow())
    if problems:
        for problem in problems:
            click.echo(f"{problem.field}: {problem_message(problem)}", err=True)
        raise SystemExit(1)
    click.echo("Brand saved.")
    _show(read_brand())


def _show(brand) -> None:
    if not brand.is_set:
        click.echo("No brand set: public pages show no organisation name and emails say \"a customer of ours\".\n"
                   'Set one with: feedback brand --name "Acme" [--colour "#0a5c36"] [--logo FILE]')
        return
    click.echo(f"Name:   {brand.name}")
    click.echo(f"Colour: {brand.colour or '(none: the default blue)'}")
    click.echo(f"Logo:   {brand.logo_type if brand.has_logo else '(none)'}")
