"""Response headers that keep pages from being framed, sniffed or made to run foreign script, and
CSRF checks on the team's forms."""
from flask import Flask, current_app
from flask.sessions import SecureCookieSessionInterface

from .extensions import csrf

POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
          "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


HEADERS = {"Content-Security-Policy": POLICY, "X-Content-Type-Options": "nosniff",
           "Referrer-Policy": "no-referrer"}  # no-referrer: survey tokens never leak in a Referer


class NoCookiesForRespondents(SecureCookieSessionInterface):
    """Respondents' pages (/s/…, /u/…) never read or set a session cookie.

    Their signed link is their only credential, so a session would only be a cookie handed to
    customers for nothing — and opening one is a measurable share of the survey POST, the hot path.
    """

    def open_session(self, app, request):
        if request.path.startswith(COOKIELESS_PATHS):
            return self.null_session_class()
        return super().open_session(app, request)


RESPONDENT_PATHS = ("/s/", "/u/", "/early/")
# The API's bearer token is its whole credential: no session there either.
COOKIELESS_PATHS = RESPONDENT_PATHS + ("/api/",)


# Blueprints whose requests carry their own credential instead of a cookie: the respondent's signed
# link. A forger would need that credential itself, so a CSRF token adds nothing there.
CSRF_EXEMPT_BLUEPRINTS = frozenset({"public", "early_access", "api"})  # api: a bearer token, no cookie


def register(app: Flask) -> None:
    app.session_interface = NoCookiesForRespondents()
    _check_csrf_on_team_blueprints(app)

    @app.after_request
    def add_headers(response):
        # A redirect is never rendered, so its headers would protect nothing; skipping them keeps the
        # survey POST (answered by a 303) lean.
        # The email preview sets its own, stricter policy.
        if not 300 <= response.status_code < 400 and "Content-Security-Policy" not in response.headers:
            response.headers.extend(HEADERS)
        return response


def _check_csrf_on_team_blueprints(app: Flask) -> None:
    """Every form outside the respondents' pages is CSRF-checked, blueprint by blueprint.

    Flask-WTF's default is one app-wide hook that looks up exemptions on every request, the survey
    POST included; checking per blueprint keeps that work off the hot path. A blueprint registered
    later is protected too, unless it is named in CSRF_EXEMPT_BLUEPRINTS.
    """
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    for name in app.blueprints:
        if name not in CSRF_EXEMPT_BLUEPRINTS:
            app.before_request_funcs.setdefault(name, []).append(_check_csrf)


def _check_csrf() -> None:
    if current_app.config["WTF_CSRF_ENABLED"]:  # tests of other things may switch it off
        csrf.protect()
