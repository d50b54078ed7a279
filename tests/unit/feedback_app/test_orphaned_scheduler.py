"""A scheduler whose parent is gone stops itself — also when the parent died while it was still starting: a
shutdown before start() would be lost and the scheduler would run on, sending mail nobody watches."""
from __future__ import annotations

import os
import signal
import threading
import time

from apscheduler.schedulers.background import BackgroundScheduler

from feedback_app import scheduler


def test_a_parent_gone_before_the_scheduler_started_still_stops_it(monkeypatch):
    monkeypatch.setattr(scheduler, "STOPPING", threading.Event())
    jobs = BackgroundScheduler(timezone="UTC")
    stops = []

    def stop(signum, _frame):
        stops.append(signum)
        jobs.shutdown(wait=False)  # what the real stop does; it raises if the scheduler is not running

    gone_parent = os.getppid() + 1  # never our parent: orphaned from the first look
    watcher = threading.Thread(target=scheduler._stop_when_orphaned, args=(gone_parent, jobs, stop, 0.01))
    watcher.start()
    time.sleep(0.3)
    assert stops == [] and watcher.is_alive()  # waiting for the scheduler to run, not stopping it into the void
    jobs.start()
    watcher.join(timeout=10)
    assert stops == [signal.SIGTERM] and not jobs.running
