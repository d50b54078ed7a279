"""The sweep's throughput and idle cost (issue 10: ≥ 1,000 answers/s end to end, nothing measurable idle).

    .venv/bin/python bench/sweep.py [--answers 20000] [--db sqlite|postgresql|postgresql://…]

A fresh database of the app's schema (its migrations) and first model (trained on the small test corpus,
as bench/scale.py does); N answers with comments from bench/scale_comments.py (en/ar/fa, every type)
inserted in bulk as the survey POST leaves them, waiting; then `classify_pending` — what the scheduler
runs — timed until none waits: claims, score tallies, classification, themes and groups, triage tallies,
commits. Then the same call with nothing waiting, 50 times (the scheduler makes it every 10 s). A second
round times a retrain's requeue: every record marked as made by an older model, swept again.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from triage.verbatims import classifying

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from scale_comments import choose_type, write_comment  # noqa: E402
from scale_servers import local_postgres  # noqa: E402

SMALL_CORPUS = BENCH.parent / "tests" / "support" / "corpus"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=20_000)
    parser.add_argument("--db", default="sqlite", help="sqlite, postgresql (a local cluster) or a URL")
    args = parser.parse_args()
    if args.db == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            run(f"sqlite:///{folder}/sweep.db", args.answers)
    elif args.db == "postgresql":
        with local_postgres(BENCH / "results" / "sweep-postgresql") as server:
            run(_fresh_database(server), args.answers)
    else:
        run(args.db, args.answers)


def _fresh_database(server: str) -> str:
    from sqlalchemy import create_engine, text

    base = server.rsplit("/", 1)[0]  # the server's URL names its maintenance database, postgres
    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS bench_sweep"))
        connection.execute(text("CREATE DATABASE bench_sweep"))
    engine.dispose()
    return f"{base}/bench_sweep"


def run(url: str, answers: int) -> None:
    from flask_migrate import upgrade

    from feedback_app import create_app
    from feedback_app.core.extensions import db
    from triage.classification import learning

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TRIAGE_CORPUS": str(SMALL_CORPUS)})
    now = datetime(2026, 12, 1, 12, 0)
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        learning.train(now, note="sweep benchmark")
        _insert_answers(answers, now)
        started = time.perf_counter()
        classified = classifying.classify_pending(now, 0.5)
        seconds = time.perf_counter() - started
        print(f"{db.engine.dialect.name}: swept {answers:,} new answers ({classified:,} classified) in "
              f"{seconds:.1f} s: {answers / seconds:,.0f} answers/s")
        idle = []
        for _ in range(50):
            started = time.perf_counter()
            classifying.classify_pending(now, 0.5)
            idle.append(time.perf_counter() - started)
        print(f"  idle call: median {statistics.median(idle) * 1000:.2f} ms, max {max(idle) * 1000:.2f} ms "
              f"(every 10 s: {statistics.median(idle) / 10 * 100:.3f} % of a core)")
        _as_if_an_older_model_made_them()
        started = time.perf_counter()
        again = classifying.classify_pending(now, 0.5)
        seconds = time.perf_counter() - started
        print(f"  after a retrain: {again:,} records classified again in {seconds:.1f} s: "
              f"{again / seconds:,.0f} answers/s")
        db.session.remove()
        db.engine.dispose()


def _insert_answers(count: int, now: datetime) -> None:
    """Channel answers (no invitation needed) as the POST leaves them: waiting for the sweep."""
    from feedback_app.core.extensions import db
    from surveys.models import Response

    rng = random.Random(7)
    rows = []
    for n in range(count):
        score = rng.choice([0, 2, 4, 6, 7, 8, 9, 10, 10, 9])
        band = "unhappy" if score <= 6 else ("neutral" if score <= 8 else "happy")
        language = rng.choice(["en", "en", "ar", "fa"])
        rows.append({"channel": "bench", "kind": "nps", "score": score, "may_contact": n % 3 == 0,
                     "comment": write_comment(rng, language, choose_type(rng, band)), "locale": language,
                     "answered_at": now - timedelta(minutes=count - n), "updated_at": now - timedelta(minutes=count - n)})
    for first in range(0, count, 10_000):
        db.session.execute(Response.__table__.insert(), rows[first:first + 10_000])
    db.session.commit()


def _as_if_an_older_model_made_them() -> None:
    from sqlalchemy import update

    from feedback_app.core.extensions import db
    from triage.models import TriageItem

    db.session.execute(update(TriageItem).values(model_version=0))
    db.session.commit()


if __name__ == "__main__":
    main()
