"""A job still running when its next run falls due is skipped by design; the log does not cry wolf about it every
30 s (the encoder's first embedding runs for minutes), but other warnings of the scheduler still show."""
from __future__ import annotations

import logging
import threading
import time

from apscheduler.schedulers.background import BackgroundScheduler

from feedback_app import scheduler

SKIPPED = "maximum number of running instances reached"


def skips_logged(caplog) -> int:
    release = threading.Event()
    jobs = BackgroundScheduler(timezone="UTC")
    jobs.add_job(release.wait, "interval", seconds=0.05, args=(5,), coalesce=True, max_instances=1)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="apscheduler.scheduler"):
        jobs.start()
        time.sleep(0.5)  # ~9 runs fall due while the first still waits
        release.set()
        jobs.shutdown(wait=True)
    return sum(SKIPPED in record.getMessage() for record in caplog.records)


def test_skipped_runs_of_a_busy_job_are_not_warned_of_but_other_warnings_are(caplog):
    apscheduler_log = logging.getLogger("apscheduler.scheduler")
    assert skips_logged(caplog) >= 3  # APScheduler's own behaviour, which the filter is for
    apscheduler_log.addFilter(scheduler.EXPECTED_SKIPS)
    try:
        assert skips_logged(caplog) == 0
        with caplog.at_level(logging.WARNING, logger="apscheduler.scheduler"):
            apscheduler_log.warning("Run time of job %s was missed by %s", "x", "0:00:01")
        assert [r.getMessage() for r in caplog.records] == ["Run time of job x was missed by 0:00:01"]
    finally:
        apscheduler_log.removeFilter(scheduler.EXPECTED_SKIPS)
