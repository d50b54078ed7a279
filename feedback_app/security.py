"""Response headers that keep pages from being framed, sniffed or made to run foreign script."""
from flask import Flask

POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
          "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


def register(app: Flask) -> None:
    @app.after_request
    def add_headers(response):
        response.headers.setdefault("Content-Security-Policy", POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")  # survey tokens stay out of Referer
        return response
