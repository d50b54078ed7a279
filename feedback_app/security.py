"""Response headers that keep pages from being framed, sniffed or made to run foreign script."""
from flask import Flask
from flask.sessions import SecureCookieSessionInterface

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
        if request.path.startswith(RESPONDENT_PATHS):
            return self.null_session_class()
        return super().open_session(app, request)


RESPONDENT_PATHS = ("/s/", "/u/")


def register(app: Flask) -> None:
    app.session_interface = NoCookiesForRespondents()

    @app.after_request
    def add_headers(response):
        headers = response.headers
        if "Content-Security-Policy" not in headers:  # the email preview sets its own, stricter one
            headers.extend(HEADERS)
        return response
