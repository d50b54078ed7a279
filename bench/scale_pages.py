"""The pages the scale benchmark times, and how: over HTTP as a signed-in admin (wall clock, body size,
status), and once more in-process to count the SQL statements each page runs."""
from __future__ import annotations

import http.client
import json
import os
import re
import select
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

from scale_data import ADMIN_EMAIL, ADMIN_PASSWORD
from scale_servers import Gunicorn, app_environment

from feedback_app.core.paging import position_token  # noqa: E402
from triage.verbatims.listing import Cursor  # noqa: E402

BENCH = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Page:
    label: str   # the table's row name
    path: str    # may name {largest_fix}, {small_fix}, {survey}, {middle_cursor}, {middle_answer}
    api: bool = False


PAGES = (
    Page("/ (dashboard)", "/"),
    Page("/triage (first page)", "/triage"),
    Page("/triage?type=functionality", "/triage?type=functionality"),
    Page("/triage?after=… (middle page)", "/triage?after={middle_cursor}"),
    Page("/triage/themes", "/triage/themes"),
    Page("/triage/follow-ups", "/triage/follow-ups"),
    Page("/triage/models", "/triage/models"),
    Page("/triage/types", "/triage/types"),
    Page("/fixes", "/fixes"),
    Page("/fixes/<largest fix>", "/fixes/{largest_fix}"),
    Page("/fixes/<small fix>", "/fixes/{small_fix}"),
    Page("/surveys", "/surveys"),
    Page("/surveys/<id> (results)", "/surveys/{survey}"),
    Page("/surveys/<id>/send (eligible per language)", "/surveys/{survey}/send"),
    Page("/surveys/<id>/wording", "/surveys/{survey}/wording"),
    Page("/customers", "/customers"),
    Page("/admin/outbox", "/admin/outbox"),
    Page("/admin/users", "/admin/users"),
    Page("/admin/privacy", "/admin/privacy"),
    Page("GET /api/v1/responses?per_page=100", "/api/v1/responses?per_page=100", api=True),
    Page("GET /api/v1/responses?after=… (middle)", "/api/v1/responses?per_page=100&after={middle_answer}", api=True),
    Page("GET /api/v1/fixes", "/api/v1/fixes", api=True),
)


def page_arguments(database_url: str) -> dict:
    """The ids the paths name, read from the database: the fix with most links, a fix with a handful,
    the survey with most answers, the middle page of the triage list (50 a page)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            links = connection.execute(text("SELECT fix_id, count(*) FROM fix_link GROUP BY fix_id "
                                            "ORDER BY count(*) DESC, fix_id")).all()
            small = [fix_id for fix_id, n in links if 3 <= n <= 10] or [links[-1][0]]  # else the smallest
            survey = connection.execute(text("SELECT survey_id FROM response GROUP BY survey_id "
                                             "ORDER BY count(*) DESC, survey_id LIMIT 1")).scalar()
            middle_item = connection.execute(text(
                "SELECT needs_review, review_priority, answered_at, id FROM triage_item WHERE answered_at IS NOT NULL "
                "ORDER BY needs_review DESC, review_priority DESC, answered_at DESC, id DESC LIMIT 1 OFFSET "
                "(SELECT count(*) / 2 FROM triage_item)")).one()
            middle_answer = connection.execute(text(
                "SELECT answered_at, id FROM response ORDER BY answered_at DESC, id DESC LIMIT 1 OFFSET "
                "(SELECT count(*) / 2 FROM response)")).one()
    finally:
        engine.dispose()
    return {"largest_fix": links[0][0], "largest_fix_links": links[0][1], "small_fix": small[0],
            "small_fix_links": dict(links)[small[0]], "survey": survey,
            # Where a page in the middle of each list starts, as its links.next / Next link would say.
            "middle_cursor": Cursor(bool(middle_item[0]), middle_item[1], _moment(middle_item[2]),
                                    middle_item[3]).token(),
            "middle_answer": position_token(moment=_moment(middle_answer[0]), row=middle_answer[1])}


def _moment(value) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


# ------------------------------------------------------------------ over HTTP

class TimedOut(Exception):
    pass


def fetch(address: tuple[str, int], path: str, headers: dict, timeout: float, method: str = "GET",
          body: str | None = None) -> tuple[int, bytes, http.client.HTTPMessage, float]:
    """One request on a fresh connection: status, body, headers, wall-clock seconds to the last byte."""
    connection = http.client.HTTPConnection(*address, timeout=timeout)
    started = time.perf_counter()
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        return response.status, data, response.msg, time.perf_counter() - started
    except TimeoutError:
        raise TimedOut(path) from None
    finally:
        connection.close()


def sign_in(address: tuple[str, int]) -> dict:
    """As a person does: the form's CSRF token, then the POST. Returns the headers that carry the session."""
    status, body, headers, _ = fetch(address, "/login", {}, 60)
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body)
    if status != 200 or token is None:
        raise RuntimeError(f"GET /login answered {status} without a CSRF token")
    cookie = _session_cookie(headers)
    form = urlencode({"csrf_token": token.group(1).decode(), "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    status, _, headers, _ = fetch(address, "/login", {"Cookie": cookie, "Content-Type":
                                                      "application/x-www-form-urlencoded"}, 60, "POST", form)
    if status != 302 or not _session_cookie(headers):
        raise RuntimeError(f"signing in answered {status}: check the admin's password")
    return {"Cookie": _session_cookie(headers)}


def _session_cookie(headers: http.client.HTTPMessage) -> str:
    cookies = [c.split(";", 1)[0] for c in headers.get_all("Set-Cookie") or [] if c.startswith("session=")]
    return cookies[-1] if cookies else ""


def time_page(server: Gunicorn, path: str, headers: dict, repeat: int, timeout: float, budget: float) -> dict:
    """One warm-up request, then `repeat` timed ones, fewer (at least one) once they took `budget` seconds
    together: a page of 20 s is judged as well by 3 as by 5. A time-out ends the page (and restarts the server)."""
    result: dict = {"path": path}
    try:
        status, body, _, warm = fetch(server.address, path, headers, timeout)
        result["warm_up_ms"] = round(warm * 1000, 1)
        times: list[float] = []
        while len(times) < repeat and (not times or sum(times) < budget * 1000):
            status, body, _, seconds = fetch(server.address, path, headers, timeout)
            times.append(seconds * 1000)
    except TimedOut:
        server.restart()
        return {**result, "status": "timeout", "timeout_s": timeout}
    except (ConnectionError, http.client.HTTPException) as error:
        server.restart()
        return {**result, "status": f"error: {type(error).__name__}"}
    return {**result, "status": status, "median_ms": round(statistics.median(times), 1),
            "times_ms": [round(t, 1) for t in times], "bytes": len(body)}


# ------------------------------------------------------------------ statements, in-process

def count_statements(database_url: str, pages: list[tuple[str, str, bool]], token: str, timeout: float,
                     log: Path) -> dict[str, int | str]:
    """Each page once with Flask's test client in a child process (bench/scale_count.py) that counts the
    statements through a SQLAlchemy event. A page past `timeout` is "timeout": the child is killed and a
    new one goes on with the next page."""
    counted: dict[str, int | str] = {}
    remaining = list(pages)
    while remaining:
        child = subprocess.Popen([sys.executable, str(BENCH / "scale_count.py"), database_url, token,
                                  json.dumps(remaining)], env=app_environment(database_url),
                                 stdout=subprocess.PIPE, stderr=open(log, "ab"), text=True, start_new_session=True)
        try:
            deadline = time.monotonic() + timeout + 60  # the first page also pays the app's start-up
            while remaining:
                ready, _, _ = select.select([child.stdout], [], [], max(0.0, deadline - time.monotonic()))
                if not ready:
                    counted[remaining.pop(0)[0]] = "timeout"
                    break
                line = child.stdout.readline()
                if not line:
                    counted[remaining.pop(0)[0]] = f"error (see {log.name})"
                    break
                answer = json.loads(line)
                counted[answer["label"]] = answer["statements"] if answer["status"] < 500 else f"{answer['status']}"
                remaining.pop(0)
                deadline = time.monotonic() + timeout
        finally:
            _kill(child)
    return counted


def _kill(child: subprocess.Popen) -> None:
    if child.poll() is None:
        try:
            os.killpg(child.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    child.wait(timeout=10)
