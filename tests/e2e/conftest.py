"""End-to-end fixtures: the app served over real HTTP, a real SMTP server, a real headless Chromium."""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass

import pytest
from werkzeug.serving import make_server

from tests.conftest import unavailable
from tests.support.postgres import free_port

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@dataclass
class LiveServer:
    app: object
    url: str
    smtp: object


@pytest.fixture
def live_server(app_factory, smtp_server):
    """The app built as production builds it (SMTP transport, a real BASE_URL) and served by werkzeug."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = app_factory(MAIL_TRANSPORT="smtp", SMTP_HOST=smtp_server.host, SMTP_PORT=smtp_server.port,
                      SMTP_TLS="none", BASE_URL=url)
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-http", daemon=True)
    thread.start()
    try:
        yield LiveServer(app, url, smtp_server)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        unavailable("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_context(browser):
    """A fresh profile per test (no cookies carried between backends), in English, failing fast."""
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    yield context
    context.close()
