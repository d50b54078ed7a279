"""The team's brand: set once by an admin (page, CLI), checked (name, WCAG contrast, logo type and size), and shown
on every public page and email — the survey page at once, other pages within the per-process refresh."""
from __future__ import annotations

import io
import re

from sqlalchemy import select

from feedback_app.accounts.services import create_user
from feedback_app.core import brand as brand_module
from feedback_app.core import process_copy
from feedback_app.core.brand import BrandChange, BrandRow, current_brand, read_brand, set_brand
from feedback_app.core.extensions import db
from feedback_app.mail.outbox import OutboxEmail
from surveys.asking.services import close_survey
from surveys.people.links import unsubscribe_url
from tests.app.surveys.answering.test_shortcut import statements_of
from tests.support.factories import NOW, sent_survey, survey_path

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
PASSWORD = "long-enough-password"
PEOPLE = (("ana@example.com", "Ana", "en"), ("sara@example.com", "سارة", "ar"), ("reza@example.com", "رضا", "fa"))


def run(app, *args):
    return app.test_cli_runner().invoke(args=["brand", *args])


def sign_in(client, role: str):
    create_user(f"{role}@example.com", PASSWORD, role)
    client.post("/login", data={"email": f"{role}@example.com", "password": PASSWORD})


def stored():
    db.session.expire_all()
    return db.session.scalar(select(BrandRow))


# ------------------------------------------------------------- the command

def test_the_command_shows_sets_and_refuses_with_a_clear_message(app, tmp_path):
    shown = run(app)
    assert shown.exit_code == 0 and "No brand set" in shown.output
    colour_first = run(app, "--colour", "#0a5c36")  # a colour needs a name to belong to
    assert colour_first.exit_code == 1 and "organisation's name" in colour_first.output and stored() is None

    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG)
    done = run(app, "--name", "  Acme   Trading ", "--colour", "#0A5C36", "--logo", str(logo))
    assert done.exit_code == 0, done.output
    assert "Name:   Acme Trading" in done.output and "Colour: #0a5c36" in done.output and "image/png" in done.output
    row = stored()
    assert (row.name, row.colour, row.logo, row.logo_type, row.version) == ("Acme Trading", "#0a5c36", PNG, "image/png", 1)

    light = run(app, "--colour", "#ffcc00")
    assert light.exit_code == 1 and "contrast of only 1.51:1" in light.output and "4.5:1" in light.output
    svg = tmp_path / "logo.svg"
    svg.write_bytes(SVG)
    refused = run(app, "--logo", str(svg), "--name", "")
    assert refused.exit_code == 1 and "SVG is not accepted" in refused.output and "organisation's name" in refused.output
    assert (stored().name, stored().colour, stored().version) == ("Acme Trading", "#0a5c36", 1)  # nothing changed

    assert run(app, "--colour", "", "--remove-logo").exit_code == 0  # the name stays, colour and logo go
    row = stored()
    assert (row.name, row.colour, row.logo, row.version) == ("Acme Trading", None, None, 2)
    assert "Logo:   (none)" in run(app).output


# ------------------------------------------------------------- the settings page

def test_only_an_admin_reaches_the_settings_page(app, client):
    assert client.get("/admin/brand").status_code == 302  # signed out: to the sign-in page
    sign_in(client, "triager")
    assert client.get("/admin/brand").status_code == 403
    assert client.post("/admin/brand", data={"name": "Acme"}).status_code == 403
    assert stored() is None


def test_the_settings_page_needs_its_csrf_token(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        client = app.test_client()
        page = client.get("/login").data
        token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1).decode()
        create_user("admin@example.com", PASSWORD, "admin")
        client.post("/login", data={"csrf_token": token, "email": "admin@example.com", "password": PASSWORD})
        assert client.post("/admin/brand", data={"name": "Acme"}).status_code == 400
        assert stored() is None
        form = client.get("/admin/brand").data
        token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1).decode()
        assert client.post("/admin/brand", data={"name": "Acme", "csrf_token": token}).status_code == 302
        assert stored().name == "Acme"


def test_an_admin_sets_the_brand_and_bad_values_change_nothing(app, client):
    sign_in(client, "admin")
    page = client.get("/admin/brand")
    assert page.status_code == 200 and b"No brand is set yet" in page.data
    refused = client.post("/admin/brand", data={"name": "", "colour": "#eeeeee",
                                                "logo": (io.BytesIO(SVG), "logo.svg")},
                          content_type="multipart/form-data")
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and stored() is None
    assert "Enter the organisation&#39;s name" in text and "contrast of only 1.16:1" in text and "SVG is not accepted" in text
    saved = client.post("/admin/brand", data={"name": "Acme", "colour": "#0a5c36",
                                              "logo": (io.BytesIO(PNG), "logo.png")},
                        content_type="multipart/form-data", follow_redirects=True)
    assert saved.status_code == 200 and b"Brand saved" in saved.data and b"/brand/logo/1" in saved.data
    assert (stored().name, stored().colour, stored().logo) == ("Acme", "#0a5c36", PNG)
    too_big = client.post("/admin/brand", data={"name": "Acme", "logo": (io.BytesIO(PNG + b"\x00" * 300_000), "big.png")},
                          content_type="multipart/form-data")
    assert too_big.status_code == 422 and b"at most 256 KB" in too_big.data
    emptied = client.post("/admin/brand", data={"name": "  ", "colour": "#0a5c36"})  # once set, a name stays required
    assert emptied.status_code == 422 and stored().name == "Acme" and stored().version == 1


# ------------------------------------------------------------- what customers see

def test_before_any_brand_public_pages_and_emails_stay_neutral(app, client):
    _, (invitation,) = sent_survey(app)
    page = client.get(survey_path(app, invitation, 9)).get_data(as_text=True)
    assert "public-brand" not in page and "/brand/" not in page
    assert "Stop receiving surveys?" in client.get(unsubscribe_url(invitation.customer_id).removeprefix(
        app.config["BASE_URL"])).get_data(as_text=True)
    email = db.session.scalar(select(OutboxEmail))
    assert "You received this because you are a customer of ours." in email.body_html
    assert "customer of ours." in email.body_text


def test_every_public_page_shows_the_brand_and_its_name_untranslated(app, client):
    set_brand(BrandChange(name="Acme", colour="#0a5c36", logo=PNG), NOW)
    survey, invitations = sent_survey(app, customers=PEOPLE)
    ana, sara, reza = invitations
    header = '<span class="public-brand-name" dir="auto">Acme</span>'
    style = '<link rel="stylesheet" href="/brand/1.css">'
    logo = '<img src="/brand/logo/1" alt="" height="40">'
    for invitation in invitations:
        page = client.get(survey_path(app, invitation, 9)).get_data(as_text=True)
        assert header in page and style in page and logo in page, invitation.locale
    unsubscribe = {i.locale: unsubscribe_url(i.customer_id).removeprefix(app.config["BASE_URL"]) for i in invitations}
    assert "Stop receiving surveys from Acme?" in client.get(unsubscribe["en"]).get_data(as_text=True)
    assert "هل تريد التوقف عن تلقي الاستبيانات من Acme؟" in client.get(unsubscribe["ar"]).get_data(as_text=True)
    assert "دریافت نظرسنجی‌ها از Acme متوقف شود؟" in client.get(unsubscribe["fa"]).get_data(as_text=True)
    done = client.post(unsubscribe["en"]).get_data(as_text=True)
    assert header in done and "You will not receive any more surveys from Acme." in done
    client.post(survey_path(app, ana), data={"score": "9"})
    assert header in client.get(survey_path(app, ana) + "/thanks").get_data(as_text=True)
    close_survey(survey, NOW)
    closed = client.get(survey_path(app, sara))
    assert closed.status_code == 410 and header in closed.get_data(as_text=True)


def test_a_brand_change_shows_at_once_on_kept_survey_pages_and_costs_no_statement(app, client):
    _, (invitation,) = sent_survey(app)
    path = survey_path(app, invitation, 9)
    client.get(path)  # rendered and kept without a brand
    set_brand(BrandChange(name="Acme"), NOW)
    assert len(statements_of(app, lambda: client.get(path))) == 1  # the page's one statement reads the brand too
    assert "Acme" in client.get(path).get_data(as_text=True)
    set_brand(BrandChange(name="Acme Trading"), NOW)
    counted = statements_of(app, lambda: client.get(path))
    page = client.get(path).get_data(as_text=True)
    assert len(counted) == 1 and "Acme Trading" in page


def test_other_processes_show_a_change_within_the_refresh(app, monkeypatch):
    """A change made elsewhere (the CLI, another worker) reaches this process's copy once it is older than
    BRAND_REFRESH seconds: the refresh is read from the monotonic clock."""
    assert current_brand().is_set is False
    set_brand(BrandChange(name="Acme"), NOW)  # made here: forgotten at once
    assert current_brand().name == "Acme"
    db.session.execute(BrandRow.__table__.update().values(name="Acme Trading", version=BrandRow.version + 1))
    db.session.commit()  # as another process would write it
    assert current_brand().name == "Acme"  # still this process's copy …
    clock = process_copy.time.monotonic() + brand_module.BRAND_REFRESH + 0.1
    monkeypatch.setattr(process_copy.time, "monotonic", lambda: clock)
    assert current_brand().name == "Acme Trading"  # … until it is BRAND_REFRESH seconds old


def test_invitation_and_reminder_emails_carry_the_brand_in_header_and_footer(app):
    set_brand(BrandChange(name="Acme", colour="#0a5c36", logo=PNG), NOW)
    sent_survey(app, customers=PEOPLE)
    emails = {e.recipient: e for e in db.session.scalars(select(OutboxEmail))}
    english, arabic = emails["ana@example.com"], emails["sara@example.com"]
    assert '<img src="http://survey.test/brand/logo/1" alt=""' in english.body_html
    assert ">Acme</span>" in english.body_html and "border:1px solid #0a5c36" in english.body_html
    assert "You received this because you are a customer of Acme." in english.body_html
    assert "You received this because you are a customer of Acme." in english.body_text
    assert "وصلتك هذه الرسالة لأنك من عملاء Acme." in arabic.body_html
    assert "این ایمیل را دریافت کرده‌اید چون از مشتریان Acme هستید." in emails["reza@example.com"].body_html


def test_the_logo_and_colour_sheet_are_served_with_caching_by_version(app, client):
    assert client.get("/brand/logo/1").status_code == 404  # no logo yet
    set_brand(BrandChange(name="Acme", colour="#0a5c36", logo=PNG), NOW)
    logo = client.get("/brand/logo/1")
    assert logo.status_code == 200 and logo.data == PNG and logo.headers["Content-Type"] == "image/png"
    assert logo.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert logo.headers["X-Content-Type-Options"] == "nosniff"
    sheet = client.get("/brand/1.css")
    assert sheet.headers["Content-Type"].startswith("text/css") and "--accent: #0a5c36;" in sheet.get_data(as_text=True)
    set_brand(BrandChange(colour="#1f4e79"), NOW)
    older = client.get("/brand/logo/1")  # an email queued before the change: the current logo, not kept long
    assert older.status_code == 200 and older.headers["Cache-Control"] == "no-cache"
    assert client.get("/brand/2.css").headers["Cache-Control"].endswith("immutable")
    assert "#1f4e79" in client.get("/brand/2.css").get_data(as_text=True)
    assert read_brand().version == 2


def test_a_database_that_cannot_answer_still_gets_its_error_page(tmp_path):
    """Error pages show the brand too; when the brand cannot be read they show the last copy, not a second error."""
    from tests.conftest import make_app

    app = make_app(f"sqlite:///{tmp_path / 'no-tables.db'}")  # no schema at all
    with app.app_context():
        assert current_brand() == brand_module.NO_BRAND
        assert app.test_client().get("/s/not-a-token").status_code == 404


def test_an_absurdly_long_name_or_colour_is_refused_before_the_rules(app, client):
    sign_in(client, "admin")
    reply = client.post("/admin/brand", data={"name": "A" * 1000, "colour": "#" + "0" * 100})
    assert reply.status_code == 422 and b"at most 80 characters" in reply.data and b"as a hex code" in reply.data
    assert stored() is None
