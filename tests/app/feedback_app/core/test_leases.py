"""Database leases (feedback_app/core/leases.py), on SQLite and PostgreSQL: one holder at a time, taken over when
it expires or its holder is provably dead, released after use — and the scheduler's jobs that take one."""
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from feedback_app import scheduler
from feedback_app.core import claimants, leases
from feedback_app.core.extensions import db
from feedback_app.core.leases import Lease
from tests.support.factories import NOW

TTL = timedelta(minutes=5)


def holder_of(name):
    db.session.expire_all()
    return db.session.scalar(select(Lease.holder).where(Lease.name == name))


def test_two_holders_cannot_hold_it_at_once_and_release_lets_the_other_in(app):
    assert leases.take("retrain", "A", NOW, TTL)
    assert not leases.take("retrain", "B", NOW + timedelta(minutes=1), TTL)
    assert not leases.take("retrain", "A", NOW + timedelta(minutes=1), TTL)  # not re-entrant either
    assert holder_of("retrain") == "A"
    assert not leases.release("retrain", "B")  # only the holder releases
    assert leases.release("retrain", "A") and holder_of("retrain") is None
    assert leases.take("retrain", "B", NOW + timedelta(minutes=1), TTL) and holder_of("retrain") == "B"


def test_leases_of_different_names_are_independent(app):
    assert leases.take("retrain", "A", NOW, TTL) and leases.take("classify", "B", NOW, TTL)


def test_an_expired_lease_is_taken_over_and_its_old_holder_cannot_renew_it(app):
    assert leases.take("classify", "A", NOW, TTL)
    assert not leases.take("classify", "B", NOW + TTL - timedelta(seconds=1), TTL)
    assert leases.take("classify", "B", NOW + TTL, TTL) and holder_of("classify") == "B"
    assert not leases.renew("classify", "A", NOW + TTL, TTL)  # lost: A must stop
    assert not leases.release("classify", "A") and holder_of("classify") == "B"


def test_renewing_keeps_it(app):
    assert leases.take("classify", "A", NOW, TTL)
    assert leases.renew("classify", "A", NOW + timedelta(minutes=4), TTL)
    assert not leases.take("classify", "B", NOW + timedelta(minutes=8), TTL)  # 4 + 5 minutes: still A's
    assert leases.take("classify", "B", NOW + timedelta(minutes=9), TTL)


def test_a_lease_of_a_provably_dead_process_on_this_machine_is_taken_at_once(app):
    here = claimants.this_process()
    if here.space == claimants.UNKNOWN:
        pytest.skip("no /proc here: no holder can be proved dead")
    beyond_any_pid = 2 ** 22 + 1  # Linux's PID_MAX_LIMIT is 2**22
    dead = f"{here.host}:{here.space}:{beyond_any_pid}:12345"
    assert leases.take("retrain", dead, NOW, TTL)
    assert leases.take("retrain", "B", NOW + timedelta(seconds=1), TTL) and holder_of("retrain") == "B"
    assert leases.take("other", here.token, NOW, TTL)  # this process is alive: its lease stays
    assert not leases.take("other", "B", NOW + timedelta(seconds=1), TTL)


def test_held_releases_after_the_block_even_on_error_and_yields_none_to_a_second_holder(app):
    clock = lambda: NOW  # noqa: E731
    with pytest.raises(RuntimeError):
        with leases.held("retrain", TTL, clock, holder="A") as lease:
            assert lease is not None and holder_of("retrain") == "A"
            with leases.held("retrain", TTL, clock, holder="B") as second:
                assert second is None
            raise RuntimeError("the work failed")
    assert holder_of("retrain") is None


def test_a_lease_is_committed_on_its_own_so_the_work_rolling_back_keeps_it(app):
    from feedback_app.mail.suppression import suppress

    assert leases.take("retrain", "A", NOW, TTL)
    suppress("someone@example.com", NOW)  # the job's work…
    db.session.rollback()  # …fails and is undone; the lease is not
    assert holder_of("retrain") == "A"


def test_of_many_processes_racing_for_a_lease_exactly_one_gets_it(app):
    winners, start = [], threading.Barrier(8)

    def contender(number):
        with app.app_context():
            start.wait()
            if leases.take("retrain", f"holder-{number}", NOW, TTL):
                winners.append(number)
            db.session.remove()

    threads = [threading.Thread(target=contender, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(winners) == 1 and holder_of("retrain") == f"holder-{winners[0]}"


# ---------------------------------------------------------------- the scheduler's jobs that take a lease

def test_a_job_with_a_lease_is_skipped_while_another_process_holds_it(app):
    runs = []
    job = scheduler.Job("retrain-classifier", timedelta(hours=1), lambda: runs.append(holder_of("retrain-classifier")),
                        lease=timedelta(minutes=30))
    scheduler.run_job(app, job)
    assert runs == [claimants.this_process().token]  # held while it ran…
    assert holder_of("retrain-classifier") is None  # …and released after
    leases.take("retrain-classifier", "another-host:0123456789ab:42:7", scheduler.utcnow(), timedelta(minutes=30))
    scheduler.run_job(app, job)
    assert len(runs) == 1  # skipped: the other process is on it


def test_the_jobs_that_must_not_run_twice_at_once_take_a_lease_and_the_others_are_safe_without(app):
    by_name = {job.name: job for job in scheduler.JOBS}
    # refresh-retention: two processes deciding the stages at once would each write the same StageChange.
    # prune-webhook-log: two deleting the same batches would wait on each other's row locks for nothing.
    assert {name for name, job in by_name.items() if job.lease} == {"classify-verbatims", "refine-with-encoder",
                                                                     "retrain-classifier", "refresh-retention",
                                                                     "save-list-daily", "prune-webhook-log",
                                                                     "ask-promoters"}
    # deliver-mail shares its work by claims; reminders and digests queue emails with unique outbox keys
    # (tests/app/test_several_schedulers.py runs each of them in two processes at once); deliver-webhooks takes
    # its own lease inside the run (webhooks.delivery), so `feedback webhooks deliver` respects it too.
    assert {name for name, job in by_name.items() if not job.lease} == {
        "deliver-mail", "queue-reminders", "follow-up-digests", "deliver-webhooks"}
