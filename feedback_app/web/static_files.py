"""The app's stylesheet, scripts and fonts, cached by browsers for a year and never stale.

Every address url_for builds for a static file carries a digest of the file's content (`?v=…`), so a
changed file has a new address; the fonts, which the stylesheet names by a plain path, are never changed
in place (a new version gets a new file name). Either is cached for a year; any other static request is
revalidated each time, as Flask does by default."""
from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, request

YEAR = "public, max-age=31536000, immutable"
IMMUTABLE_FOLDERS = ("fonts/",)


def register(app: Flask) -> None:
    folder = Path(app.static_folder)
    digests: dict[tuple[str, int], str] = {}

    @app.url_defaults
    def add_digest(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            file = folder / values["filename"]
            stamp = (values["filename"], file.stat().st_mtime_ns) if file.is_file() else None
            if stamp is not None:
                if stamp not in digests:
                    digests[stamp] = hashlib.sha256(file.read_bytes()).hexdigest()[:12]
                values["v"] = digests[stamp]

    @app.after_request
    def cache_for_a_year(response):
        if request.endpoint == "static" and response.status_code in (200, 304) and (
                "v" in request.args or request.view_args.get("filename", "").startswith(IMMUTABLE_FOLDERS)):
            response.headers["Cache-Control"] = YEAR
        return response
