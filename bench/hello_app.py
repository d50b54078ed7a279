"""The hello-world yardstick of bench/survey_get.py: Flask with one GET endpoint that answers a constant
text, nothing else (no extension, no database, no template).

It answers on the survey page's own path shape, /s/<token>, so routing costs the same in both; it
imports nothing from the project. Run by the benchmark as `gunicorn --pythonpath bench 'hello_app:create_app()'`.
"""
from __future__ import annotations

from flask import Flask


def create_app() -> Flask:
    app = Flask(__name__)

    @app.get("/s/<token>")
    def hello(token: str):
        return "Hello, World!"

    return app
