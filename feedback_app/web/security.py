"""Transport and browser security: HTTPS behind a proxy, cookie flags, response headers, and CSRF
checks on the team's forms."""
from __future__ import annotations

from datetime import timedelta

from flask import Flask, current_app, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from feedback_app.core.extensions import csrf

POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
          "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
HSTS = "max-age=31536000"  # a year; no includeSubDomains: other hosts of the team's domain are not ours

# Respondents' pages carry their credential in the URL (/s/<token>, /u/<token>, /early/<token>, /advise/<token>): they
# never send a Referer anywhere. Team pages send one to their own origin only ("same-origin"), which
# Flask-WTF's CSRF check demands over HTTPS and which leaks nothing to other sites.
RESPONDENT_HEADERS = {"Content-Security-Policy": POLICY, "X-Content-Type-Options": "nosniff",
                      "Referrer-Policy": "no-referrer"}
TEAM_HEADERS = {**RESPONDENT_HEADERS, "Referrer-Policy": "same-origin"}


class NoCookiesForRespondents(SecureCookieSessionInterface):
    """Respondents' pages (/s/…, /u/…) never read or set a session cookie.

    Their signed link is their only credential, so a session would only be a cookie handed to
    customers for nothing — and opening one is a measurable share of the survey POST, the hot path.
    """

    def open_session(self, app, request):
        if request.path.startswith(COOKIELESS_PATHS):
            return self.null_session_class()
        return super().open_session(app, request)


RESPONDENT_PATHS = ("/s/", "/u/", "/early/", "/advise/", "/advocate/")
# The API's bearer token is its whole credential: no session there either.
COOKIELESS_PATHS = RESPONDENT_PATHS + ("/api/",)


# Blueprints whose requests carry their own credential instead of a cookie: the respondent's signed
# link. A forger would need that credential itself, so a CSRF token adds nothing there.
CSRF_EXEMPT_BLUEPRINTS = frozenset({"public", "early_access", "advocate", "api"})  # api: a bearer token, no cookie


def configure(app: Flask, explicit: dict) -> None:
    """Flask settings that follow from where the app is served (what create_app was given wins).

    Served over https (FEEDBACK_BASE_URL), the session and remember-me cookies are Secure, so a browser
    never sends them over plain HTTP, and HSTS keeps it on https.
    """
    https = app.config["BASE_URL"].startswith("https://")
    derived = dict(
        WTF_CSRF_TIME_LIMIT=None, MAX_CONTENT_LENGTH=5 * 1024 * 1024,
        SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SECURE=https,
        REMEMBER_COOKIE_SAMESITE="Lax", REMEMBER_COOKIE_HTTPONLY=True, REMEMBER_COOKIE_SECURE=https,
        REMEMBER_COOKIE_DURATION=timedelta(days=30),  # "keep me signed in" for a month, not Flask-Login's year
        PREFERRED_URL_SCHEME="https" if https else "http")
    app.config.update({key: value for key, value in derived.items() if key not in explicit})


def register(app: Flask) -> None:
    app.session_interface = NoCookiesForRespondents()
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        # Only what the proxy itself sets: the client's address and the scheme it used. The Host header
        # is passed through by the proxy (proxy_set_header Host $host), so X-Forwarded-Host is not trusted.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_port=0, x_prefix=0)
    _check_csrf_on_team_blueprints(app)
    hsts = app.config["BASE_URL"].startswith("https://")

    @app.after_request
    def add_headers(response):
        if hsts:  # on every answer, redirects included: the first one is what a browser sees first
            response.headers["Strict-Transport-Security"] = HSTS
        # A redirect is never rendered, so its other headers would protect nothing; skipping them keeps
        # the survey POST (answered by a 303) lean. The email preview sets its own, stricter policy.
        if not 300 <= response.status_code < 400 and "Content-Security-Policy" not in response.headers:
            respondent = request.path.startswith(RESPONDENT_PATHS)
            response.headers.extend(RESPONDENT_HEADERS if respondent else TEAM_HEADERS)
        return response


def respondent_page_headers(app: Flask) -> list[tuple[str, str]]:
    """What add_headers gives a respondent's page that is not a redirect, in its order (for answers made
    beneath Flask: surveys.answering.shortcut)."""
    hsts = [("Strict-Transport-Security", HSTS)] if app.config["BASE_URL"].startswith("https://") else []
    return [*hsts, *RESPONDENT_HEADERS.items()]


def _check_csrf_on_team_blueprints(app: Flask) -> None:
    """Every form outside the respondents' pages is CSRF-checked, blueprint by blueprint.

    Flask-WTF's default is one app-wide hook that looks up exemptions on every request, the survey
    POST included; checking per blueprint keeps that work off the hot path. A blueprint registered
    later is protected too, unless it is named in CSRF_EXEMPT_BLUEPRINTS.

    Over HTTPS Flask-WTF also demands a same-origin Referer (WTF_CSRF_SSL_STRICT, kept on): it stops a
    form planted through a cookie set over plain HTTP or from a sibling subdomain. Team pages therefore
    send "Referrer-Policy: same-origin" — with "no-referrer" every team form failed over HTTPS.
    """
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    for name in app.blueprints:
        if name not in CSRF_EXEMPT_BLUEPRINTS:
            app.before_request_funcs.setdefault(name, []).append(_check_csrf)


def _check_csrf() -> None:
    if current_app.config["WTF_CSRF_ENABLED"]:  # tests of other things may switch it off
        csrf.protect()
