"""Friendly error pages, in the visitor's language."""
from flask import Flask, render_template
from flask_wtf.csrf import CSRFError


def register(app: Flask) -> None:
    def page(code: int, template: str):
        def handler(_error):
            return render_template(f"errors/{template}.html"), code
        return handler

    app.register_error_handler(403, page(403, "403"))
    app.register_error_handler(404, page(404, "404"))
    app.register_error_handler(413, page(413, "413"))
    app.register_error_handler(500, page(500, "500"))
    app.register_error_handler(CSRFError, page(400, "csrf"))
