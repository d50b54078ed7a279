"""Every page fits a phone (WCAG 1.4.10, reflow): a real Chromium opens every page of the app at 390 px and
1366 px, in English and in Arabic, and finds no sideways scroll and nothing sticking out of the screen.

The pages come from the app's own route map, so a page added later is opened here too (or this test fails
until someone tells it how to fill the new route's arguments). The data is the demo's, loaded through the
real use cases. A screenshot of each page and width is kept in $SCREENSHOT_DIR (default build/screenshots,
git-ignored) for CI to keep as an artifact.

Layout does not depend on the database, so this runs on SQLite only.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from advocacy.links import ask_token
from advocacy.models import AdvocacyAsk
from advocacy.setting import set_ask
from feedback_app.accounts.models import User
from feedback_app.accounts.services import create_user
from feedback_app.core.brand import BrandChange, set_brand
from feedback_app.core.clock import utcnow
from feedback_app.core.extensions import db
from feedback_app.demo import DEMO_ADMIN, load_demo
from feedback_app.mail.outbox import OutboxEmail
from feedback_app.mail.transports import sender_address
from surveys.answering.links import survey_url
from surveys.asking.services import close_survey
from surveys.models import Customer, Invitation, Response, Survey
from surveys.people.links import unsubscribe_token
from triage.loop.advise import advise_token
from triage.loop.early_access import early_access_token
from triage.loop.stop_news import stop_news_token
from triage.models import Fix, FixLink

pytestmark = [pytest.mark.e2e, pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]

WIDTHS = (390, 1366)
LANGUAGES = ("en", "ar")
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "build" / "screenshots"))

# GET routes that are not pages, and why.
SKIPPED = {
    "static": "the stylesheet, scripts and fonts every page loads",
    "triage.export_csv": "a CSV download",
    "api.*": "the HTTP API answers JSON to programs",
    "brand.logo": "the brand's logo image, shown on the public pages",
    "brand.colours": "the brand's colour sheet, loaded by the public pages",
}
# Pages opened before signing in (once signed in, they redirect).
ANONYMOUS = {"accounts.login"}
# A second team member, with the kind of long address that used to push pages sideways.
LONG_EMAIL = "customer.success.team.lead.for.emea@feedback-example-company.example.com"


@dataclass(frozen=True)
class Page:
    name: str
    path: str  # a team page's language follows the browser; a customer's page follows their link


def skipped(endpoint: str) -> bool:
    return endpoint in SKIPPED or f"{endpoint.split('.')[0]}.*" in SKIPPED


def get_routes(app):
    return sorted((rule for rule in app.url_map.iter_rules() if "GET" in rule.methods and not skipped(rule.endpoint)),
                  key=lambda rule: rule.rule)


@dataclass(frozen=True)
class Demo:
    """The ids and signed links a page's address needs, per customer language where the page is theirs."""
    ids: dict[str, int]
    tokens: dict[tuple[str, str], str]  # (endpoint, language) → token
    states: list[tuple[str, str, str]]  # (name, language, path): more states of the customers' pages


def load(app) -> Demo:
    now = utcnow()
    with app.app_context():
        load_demo(now, app.config["REVIEW_BELOW"], sender_address(app.config))
        # With the organisation's name and colour set, as customers see them (a logo would add no width).
        assert set_brand(BrandChange(name="Acme Board Customer Success Organisation", colour="#0a5c36"), now) == []
        create_user(LONG_EMAIL, "long-enough-password", "triager")
    # the model history and the types, filled; the stages, retention figures, loop and fit, computed
    for command in (["triage", "train"], ["triage", "classify"], ["retention", "refresh"]):
        result = app.test_cli_runner().invoke(args=command)
        assert result.exit_code == 0, result.output
    with app.app_context():
        surveys = {s.kind: s for s in db.session.scalars(select(Survey))}
        close_survey(surveys["ces"], now)
        fixes = {f.status: f for f in db.session.scalars(select(Fix).order_by(Fix.id.desc()))}
        ids = {"survey_id": surveys["nps"].id, "fix_id": fixes["open"].id,
               "email_id": db.session.scalar(select(OutboxEmail.id).order_by(OutboxEmail.id)),
               "user_id": db.session.scalar(select(User.id).where(User.email == LONG_EMAIL)),
               "customer_id": _told_customer(fixes["shipped"])}
        set_ask("referral", "https://acme.example/refer", now)
        tokens, states = {}, [("fix shipped", language, f"/fixes/{fixes['shipped'].id}") for language in LANGUAGES]
        states += [("fix planned: its beta and advisers", language, f"/fixes/{fixes['planned'].id}")
                   for language in LANGUAGES]
        states += [("not found, customer", language, "/customers/2147483647") for language in LANGUAGES]
        for language in LANGUAGES:
            answered, unanswered, closed = (_invitation(s, language, answered=a) for s, a in
                                            ((surveys["nps"], True), (surveys["nps"], False), (surveys["ces"], True)))
            customer = answered.customer_id
            tokens[("public.survey_page", language)] = _token(unanswered)
            tokens[("public.thanks", language)] = _token(answered)
            tokens[("public.unsubscribe_page", language)] = unsubscribe_token(customer)
            tokens[("early_access.ask", language)] = early_access_token(fixes["shipped"].id, customer)
            tokens[("early_access.confirm", language)] = stop_news_token(customer)
            tokens[("early_access.ask_advice", language)] = advise_token(fixes["planned"].id, customer)
            ask = AdvocacyAsk(customer_id=customer, kind="referral", asked_at=now)
            db.session.add(ask)
            db.session.commit()
            tokens[("advocate.ask_page", language)] = ask_token(ask.id)
            states += [("survey page, locked", language, survey_url(answered).removeprefix(app.config["BASE_URL"])),
                       ("survey page, closed", language, survey_url(closed).removeprefix(app.config["BASE_URL"])),
                       ("not found, public", language, "/s/not-a-link")]
        return Demo(ids, tokens, states)


def _invitation(survey: Survey, language: str, answered: bool) -> Invitation:
    has_answer = select(Response.id).where(Response.invitation_id == Invitation.id).exists()
    return db.session.scalars(select(Invitation).join(Invitation.customer)
                              .where(Invitation.survey_id == survey.id, Customer.locale == language,
                                     has_answer if answered else ~has_answer)
                              .order_by(Invitation.id)).first()


def _told_customer(fix: Fix) -> int:
    """A customer whose page has the most to show: their words support a shipped fix, so they were told."""
    return db.session.scalar(select(Invitation.customer_id).join(Response, Response.invitation_id == Invitation.id)
                             .join(FixLink, FixLink.response_id == Response.id)
                             .where(FixLink.fix_id == fix.id, Invitation.customer_id.is_not(None))
                             .order_by(Invitation.customer_id).limit(1))


def _token(invitation: Invitation) -> str:
    return survey_url(invitation).rsplit("/", 1)[1]


def pages_of(app, demo: Demo, language: str) -> list[Page]:
    """Every page: one per GET route (its arguments filled from the demo), then more states of some."""
    pages = []
    for rule in get_routes(app):
        values = {}
        for argument in rule.arguments:
            value = demo.tokens.get((rule.endpoint, language)) if argument == "token" else demo.ids.get(argument)
            assert value is not None, f"{rule.rule} ({rule.endpoint}): tell this test how to fill <{argument}>"
            values[argument] = value
        pages.append(Page(rule.endpoint, rule.build(values, append_unknown=False)[1]))
    pages += [Page(name, path) for name, state_language, path in demo.states if state_language == language]
    pages.append(Page("not found, team", "/triage/no-such-page"))
    return pages


# What sticks out: elements, and text (a long address overflows its box without widening it), beyond the
# screen's edges — unless a box around them scrolls (overflow-x: auto), they are off-screen on purpose (the
# skip link, visually hidden text) or they are inside an SVG (which clips them).
STICKING_OUT = """() => {
  const width = document.documentElement.clientWidth, found = [];
  const scrolls = node => { for (let p = node.parentElement; p && p !== document.body; p = p.parentElement) {
    if (['auto', 'scroll'].includes(getComputedStyle(p).overflowX)) return true; } return false; };
  const exempt = el => el.closest('.skip, .visually-hidden, svg, dialog:not([open])');
  const check = (node, box, what) => {
    if (box.width < 2 || box.height < 2 || (box.right <= width + 1 && box.left >= -1) || scrolls(node)) return;
    found.push(`${what} [${Math.round(box.left)}, ${Math.round(box.right)}]: ${node.textContent.trim().slice(0, 40)}`);
  };
  for (const el of document.body.querySelectorAll('*')) {
    if (!exempt(el)) check(el, el.getBoundingClientRect(), el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''));
  }
  const texts = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let text = texts.nextNode(); text; text = texts.nextNode()) {
    if (!text.textContent.trim() || exempt(text.parentElement)) continue;
    const range = document.createRange(); range.selectNodeContents(text);
    check(text, range.getBoundingClientRect(), 'text in ' + text.parentElement.tagName.toLowerCase());
  }
  return found.slice(0, 5);
}"""


def overflow(page) -> list[str]:
    document, window = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    problems = [f"the document is {document} px wide"] if document > window else []
    return problems + page.evaluate(STICKING_OUT)


def visit(page, target: Page, base: str, language: str, width: int, problems: dict) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    reply = page.goto(base + target.path, wait_until="load")
    assert reply is not None and (reply.status < 400 or target.name.startswith(("not found", "survey page, closed"))), \
        f"{target.path} ({target.name}) answered {reply and reply.status}"
    found = overflow(page)
    if found:
        problems[f"{target.name} {target.path} ({language}, {width} px)"] = found
    slug = re.sub(r"[^a-z0-9]+", "-", target.name.lower()).strip("-")
    page.screenshot(path=SCREENSHOTS / f"{language}-{width}-{slug}.png", full_page=True)


def speaking(page, language: dict) -> None:
    """Every request of the page asks for language["now"] (a context's locale outranks extra headers)."""
    page.route("**/*", lambda route: route.continue_(headers={**route.request.headers,
                                                              "accept-language": language["now"]}))


def sign_in(page, base: str) -> None:
    page.goto(base + "/login")
    page.fill("input[name=email]", DEMO_ADMIN[0])
    page.fill("input[name=password]", DEMO_ADMIN[1])
    page.click("main button[type=submit]")
    page.wait_for_url(base + "/")


def test_every_page_fits_a_phone_and_a_desktop(live_server, browser_context):
    app, base = live_server.app, live_server.url
    demo = load(app)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page, problems, language_now = browser_context.new_page(), {}, {"now": "en"}
    speaking(page, language_now)
    every = {language: pages_of(app, demo, language) for language in LANGUAGES}
    assert len(every["en"]) > 25  # the route map's pages, really
    for signed_in in (False, True):
        if signed_in:
            sign_in(page, base)
        for language in LANGUAGES:
            language_now["now"] = language
            for target in every[language]:
                if (target.name in ANONYMOUS) != signed_in:
                    for width in WIDTHS:
                        visit(page, target, base, language, width, problems)
    assert problems == {}, "\n".join(f"{where}: {found}" for where, found in problems.items())


def test_arabic_and_persian_text_uses_the_served_fonts(live_server, browser_context):
    """On a machine without an Arabic font the page still reads well: the browser downloads and uses the app's
    own (Noto Sans Arabic for Arabic, Vazirmatn for Persian); an English page with no Arabic text downloads none."""
    page, base, language_now = browser_context.new_page(), live_server.url, {"now": "en"}
    speaking(page, language_now)
    fonts = []
    page.on("response", lambda reply: fonts.append(reply.url) if reply.url.endswith(".woff2") else None)
    statuses = "async () => { await document.fonts.ready; return Object.fromEntries([...document.fonts].map(f => [f.family.replaceAll('\"', ''), f.status])); }"
    for language, family in (("ar", "Noto Sans Arabic"), ("fa", "Vazirmatn")):
        language_now["now"] = language
        page.goto(base + "/login")
        assert page.evaluate("document.documentElement.lang") == language
        assert page.evaluate(statuses)[family] == "loaded", f"{language}: {page.evaluate(statuses)}"
        used = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
        assert used.split(",")[0].strip().strip('"') == family
    assert sorted(url.rsplit("/", 1)[1] for url in fonts) == ["noto-sans-arabic-arabic.woff2", "vazirmatn-arabic.woff2"]

    fonts.clear()
    language_now["now"] = "en"
    page.goto(base + "/login")
    assert set(page.evaluate(statuses).values()) == {"unloaded"} and fonts == []
    cached = page.request.get(base + "/static/fonts/vazirmatn/vazirmatn-arabic.woff2")
    assert cached.ok and "max-age=31536000" in cached.headers["cache-control"]
