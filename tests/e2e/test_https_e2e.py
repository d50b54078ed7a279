"""Production is HTTPS: gunicorn with a self-signed certificate (or behind a proxy that says so), and a
real Chromium signs in and submits every form the team has. Runs on SQLite and PostgreSQL."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import update

from feedback_app.core.extensions import db
from feedback_app.demo import DEMO_ADMIN, load_demo
from feedback_app.jobs import classify_new_verbatims
from feedback_app.mail.outbox import FAILED, OutboxEmail
from feedback_app.mail.transports import sender_address
from tests.conftest import SMALL_CORPUS, unavailable
from tests.support import nginx
from tests.support.factories import NOW
from tests.support.gunicorn import gunicorn, self_signed_certificate

pytestmark = pytest.mark.e2e

EXPIRED = "This form has expired"
NOT_TEAM_PAGES = ("/s/", "/u/", "/early/", "/advise/", "/api/", "/static/", "/login", "/triage/export.csv")


@pytest.fixture
def seeded_database(app_factory, database_url):
    """The demo's surveys, answers, fixes and classified verbatims, plus one failed email to retry."""
    app = app_factory()
    with app.app_context():
        load_demo(NOW, app.config["REVIEW_BELOW"], sender_address(app.config))
        classify_new_verbatims()
        db.session.execute(update(OutboxEmail).where(OutboxEmail.id == 1).values(status=FAILED))
        db.session.commit()
    return database_url


@pytest.fixture
def https_browser(browser):
    """The session's Chromium: a process runs one sync Playwright, so a second one cannot start beside it
    (each test's context accepts the self-signed certificate)."""
    return browser


def sign_in(page, base: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("Email").fill(DEMO_ADMIN[0])
    page.get_by_label("Password").fill(DEMO_ADMIN[1])
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    page.wait_for_url(base + "/")


def team_pages(page, base: str) -> list[str]:
    """The team's pages as a person reaches them, from the dashboard by following links; one page of
    each kind (/fixes/4 stands for every fix page, /triage?theme=… for the filtered list)."""
    seen, queue, kinds = [], ["/"], {"/"}
    while queue:
        path = queue.pop(0)
        page.goto(base + path)
        seen.append(path)
        for href in page.eval_on_selector_all("a[href]", HREFS):
            parts = urlsplit(href)
            kind = re.sub(r"\d+", "N", parts.path)
            if parts.netloc == urlsplit(base).netloc and not parts.path.startswith(NOT_TEAM_PAGES) \
                    and not kind.endswith("/N/html") and kind not in kinds:
                kinds.add(kind)
                queue.append(parts.path)
    return seen


HREFS = "links => links.map(a => new URL(a.getAttribute('href'), document.baseURI).href)"
FORM_KINDS = """() => [...document.forms].filter(f => f.method.toLowerCase() === 'post')
    .map(f => new URL(f.action).pathname.replace(/[0-9]+/g, 'N'))"""
SUBMIT_KIND = """kind => [...document.forms].find(f => f.method.toLowerCase() === 'post'
    && new URL(f.action).pathname.replace(/[0-9]+/g, 'N') === kind).submit()"""


def submit_every_team_form(page, base: str) -> dict[str, int]:
    """Submit each kind of POST form of every team page once (one confirm button per verbatim is one
    kind), as the browser sends it; return what each answered."""
    answers: dict[str, int] = {}
    for path in team_pages(page, base):
        page.goto(base + path)
        for kind in dict.fromkeys(page.evaluate(FORM_KINDS)):
            if kind in answers:
                continue
            page.goto(base + path)
            if kind not in page.evaluate(FORM_KINDS):
                continue  # an earlier form changed this page (a survey closed, say)
            with page.expect_navigation() as navigation:
                page.evaluate(SUBMIT_KIND, kind)
            answers[kind] = navigation.value.status if navigation.value else 0
            assert EXPIRED not in page.content(), f"{kind} (on {path}) was refused as a forged form"
            if urlsplit(page.url).path == "/login":  # signing out (or a password change) ended the session
                sign_in(page, base)
    return answers


def test_sign_in_and_every_team_form_work_over_https(seeded_database, https_browser, tmp_path):
    certificate = self_signed_certificate(tmp_path)
    with gunicorn(seeded_database, tls=certificate, config={"TRIAGE_CORPUS": str(SMALL_CORPUS)}) as base:
        context = https_browser.new_context(ignore_https_errors=True, locale="en-US")
        context.set_default_timeout(20_000)
        page = context.new_page()
        first = page.goto(base + "/login")
        assert first.headers["strict-transport-security"].startswith("max-age=")
        assert first.headers["referrer-policy"] == "same-origin"
        sign_in(page, base)
        session = {c["name"]: c for c in context.cookies()}["session"]
        assert session["secure"] and session["httpOnly"] and session["sameSite"] == "Lax"

        answers = submit_every_team_form(page, base)
        assert len(answers) >= 15, answers  # the crawl reached the team's forms, not just a few
        assert {kind: code for kind, code in answers.items() if code >= 500} == {}  # 4xx: a form sent empty; refusals as forged are caught above
        context.close()


def test_behind_a_proxy_that_terminates_tls(seeded_database, https_browser, tmp_path):
    """nginx speaks TLS to the browser and plain HTTP to gunicorn, saying X-Forwarded-Proto: https."""
    if not nginx.available():
        unavailable("nginx is not installed (apt-get install nginx-light)")
    certificate = self_signed_certificate(tmp_path)
    with gunicorn(seeded_database, env={"FEEDBACK_TRUSTED_PROXIES": "1"}, base_url="https://127.0.0.1",
                  config={"TRIAGE_CORPUS": str(SMALL_CORPUS)}) as backend, \
            nginx.tls_proxy(backend, certificate, tmp_path / "nginx") as base:
        context = https_browser.new_context(ignore_https_errors=True, locale="en-US")
        context.set_default_timeout(20_000)
        page = context.new_page()
        sign_in(page, base)
        page.goto(base + "/surveys/new")
        page.get_by_label("Name (for your team)").fill("Proxy check")
        page.get_by_label("Product or company name").fill("Acme")
        with page.expect_navigation():
            page.get_by_role("button", name=re.compile("Create survey", re.I)).click()
        assert EXPIRED not in page.content()
        assert "Survey created" in page.content(), page.inner_text("main")
        assert page.url.startswith(base + "/surveys/")  # redirects keep the visitor's https address
        context.close()
