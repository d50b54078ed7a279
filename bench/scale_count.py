"""Child process of the scale benchmark: counts the SQL statements each page runs, in-process.

    python bench/scale_count.py DATABASE_URL API_TOKEN '[["label", "/path", is_api], …]'

Signs in as the benchmark's admin with Flask's test client (CSRF off for this process only), then
requests each page once and prints one JSON line per page: label, status, statements (every statement
the page sent to the database, counted by a `before_cursor_execute` listener; an executemany is one).
Run by bench/scale_pages.py, which kills it when a page takes too long.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main(database_url: str, token: str, pages: list[list]) -> None:
    from scale_data import ADMIN_EMAIL, ADMIN_PASSWORD
    from sqlalchemy import event

    from feedback_app import create_app
    from feedback_app.core.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "WTF_CSRF_ENABLED": False})
    statements = [0]
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *_: statements.__setitem__(0, statements[0] + 1))
    client = app.test_client()
    signed_in = client.post("/login", data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    if signed_in.status_code != 302:
        raise SystemExit(f"signing in answered {signed_in.status_code}")
    for label, path, is_api in pages:
        headers = {"Authorization": f"Bearer {token}"} if is_api else {}
        statements[0] = 0
        started = time.perf_counter()
        response = client.get(path, headers=headers)
        response.get_data()
        print(json.dumps({"label": label, "status": response.status_code, "statements": statements[0],
                          "seconds": round(time.perf_counter() - started, 3)}), flush=True)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main(sys.argv[1], sys.argv[2], json.loads(sys.argv[3]))
