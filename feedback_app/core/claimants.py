"""Who holds a claim (an outbox email being sent, a lease on periodic work), and whether it is provably gone.

PURE: standard library only. A claim names its process so that another process can later tell whether it
is still the same one; the two readers of the operating system at the end (this process's identity, another
process's start time) are the module's only I/O, and claimant_state takes the second as an argument.
"""
from __future__ import annotations

import hashlib
import os
import socket
from dataclasses import dataclass
from typing import Callable

UNKNOWN = "?"


@dataclass(frozen=True)
class Claimant:
    """A process, named so that another process can later tell whether it is still the same one.

    `space` names the process-id space: the kernel's boot and the pid namespace. Two containers can share
    a host name yet not see each other's processes; a pid means something only within one space.
    `started` is the process's start time (clock ticks since boot), so a reused pid is not mistaken for it.
    """
    host: str
    space: str
    pid: int
    started: str

    @property
    def token(self) -> str:
        return f"{self.host[:40]}:{self.space}:{self.pid}:{self.started}"

    @classmethod
    def parse(cls, token: str | None) -> Claimant | None:
        parts = (token or "").rsplit(":", 3)
        if len(parts) != 4 or not parts[2].isdigit():
            return None
        return cls(parts[0], parts[1], int(parts[2]), parts[3])


ALIVE, DEAD = "alive", "dead"


def claimant_state(token: str | None, here: Claimant, start_time_of: Callable[[int], str | None]) -> str:
    """DEAD only when provable: the claimant shares our process space and its pid is gone or now names a
    process started at another time. ALIVE when it is demonstrably there; UNKNOWN otherwise (another host or
    namespace, a claim from before claims were named, a system without /proc).

    start_time_of(pid): the start time of the process with that pid, None when there is none, UNKNOWN when
    it exists but cannot be read.
    """
    claimant = Claimant.parse(token)
    if claimant is None or UNKNOWN in (claimant.space, claimant.started, here.space) or claimant.space != here.space:
        return UNKNOWN
    started = start_time_of(claimant.pid)
    if started is None:
        return DEAD
    if started == UNKNOWN:
        return UNKNOWN
    return ALIVE if started == claimant.started else DEAD



# ---------------------------------------------------------------- the operating system (the only I/O)

def this_process() -> Claimant:
    return Claimant(socket.gethostname() or "host", _process_space(), os.getpid(),
                    process_start_time(os.getpid()) or UNKNOWN)


def _process_space() -> str:
    try:
        with open("/proc/sys/kernel/random/boot_id") as boot:
            space = boot.read().strip() + os.readlink("/proc/self/ns/pid")
    except OSError:
        return UNKNOWN
    return hashlib.sha256(space.encode()).hexdigest()[:12]


def process_start_time(pid: int) -> str | None:
    """The start time of process `pid` (Linux /proc), None if there is none (or only its zombie), UNKNOWN if
    it exists but cannot be read (another user's process under hidepid, or no /proc at all)."""
    try:
        os.kill(pid, 0)  # existence only: no signal is sent
    except ProcessLookupError:
        return None
    except (PermissionError, OverflowError):
        pass
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rpartition(")")[2].split()
    except FileNotFoundError:
        return None if os.path.isdir("/proc/self") else UNKNOWN
    except OSError:
        return UNKNOWN
    # After the command name: state is the 1st field, starttime the 20th (proc(5) fields 3 and 22).
    if len(fields) < 20:
        return UNKNOWN
    return None if fields[0] in ("Z", "X") else fields[19]
