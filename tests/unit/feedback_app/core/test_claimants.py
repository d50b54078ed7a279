"""Who holds a claim, and whether it is provably gone (feedback_app/core/claimants.py): tokens, the decision
on made-up process tables, and the real operating system."""
import os
import subprocess

import pytest

from feedback_app.core import claimants
from feedback_app.core.claimants import ALIVE, DEAD, UNKNOWN, Claimant

HERE = Claimant("web-1", "0123456789ab", 100, "5000")


def test_claimant_tokens_read_back():
    assert Claimant.parse(HERE.token) == HERE
    assert Claimant.parse("my:host:0123456789ab:7:99") == Claimant("my:host", "0123456789ab", 7, "99")
    assert Claimant.parse(None) is None and Claimant.parse("garbage") is None and Claimant.parse("h:s:pid:1") is None
    assert len(Claimant("h" * 200, "0123456789ab", 4194304, "1" * 20).token) <= 120  # fits outbox_email.claimed_by


@pytest.mark.parametrize("token, processes, state", [
    ("web-1:0123456789ab:7:900", {}, DEAD),                      # no such pid
    ("web-1:0123456789ab:7:900", {7: "901"}, DEAD),              # the pid now names a later process
    ("web-1:0123456789ab:7:900", {7: "900"}, ALIVE),
    ("web-1:0123456789ab:7:900", {7: UNKNOWN}, UNKNOWN),         # there, but its start cannot be read
    ("web-2:ba9876543210:7:900", {}, UNKNOWN),                   # another host or namespace: its pids are not ours
    ("web-1:0123456789ab:7:?", {}, UNKNOWN),                     # the claimant could not read its own start
    (None, {}, UNKNOWN),                                         # claimed before claims were named
])
def test_a_claimant_is_dead_only_when_provably_so(token, processes, state):
    assert claimants.claimant_state(token, HERE, processes.get) == state


def test_no_process_space_here_proves_nothing():
    assert claimants.claimant_state("web-1:?:7:900", Claimant("web-1", UNKNOWN, 1, "1"), {}.get) == UNKNOWN


# ---------------------------------------------------------------- the real operating system

def linux_only():
    if claimants.this_process().space == UNKNOWN:
        pytest.skip("no /proc on this system")


def test_this_process_is_alive_and_a_reused_pid_is_not_taken_for_it():
    linux_only()
    here = claimants.this_process()
    assert here.pid == os.getpid() and claimants.process_start_time(here.pid) == here.started
    assert claimants.claimant_state(here.token, here, claimants.process_start_time) == ALIVE
    same_pid_other_start = Claimant(here.host, here.space, here.pid, str(int(here.started) - 1)).token
    assert claimants.claimant_state(same_pid_other_start, here, claimants.process_start_time) == DEAD


def test_a_finished_process_is_dead():
    linux_only()
    child = subprocess.Popen(["sleep", "30"])
    try:
        started = claimants.process_start_time(child.pid)
        token = Claimant("h", claimants.this_process().space, child.pid, started).token
        assert started and claimants.claimant_state(token, claimants.this_process(), claimants.process_start_time) == ALIVE
        child.kill()
        child.wait()
        assert claimants.claimant_state(token, claimants.this_process(), claimants.process_start_time) == DEAD
    finally:
        child.kill()
        child.wait()


def test_an_unreaped_child_is_dead_too():
    linux_only()
    child = subprocess.Popen(["true"])
    os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # exited, not reaped: a zombie
    try:
        assert claimants.process_start_time(child.pid) is None
    finally:
        child.wait()
