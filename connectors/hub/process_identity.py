"""Who holds a claim: host, process id and the process's start time.

A claim (a running job, the scheduler lease) names its holder so that, on the
same host, another process can tell whether the holder is still alive: its
pid has no process any more, or a process with another start time (the pid
was reused). Then its claims can be taken at once instead of after the lease
(120 s for jobs): a restarted `crossdock run` or worker resumes within seconds.
Linux only (/proc/<pid>/stat); elsewhere, and for other hosts, nobody knows,
and the lease decides.
"""
from __future__ import annotations

import os
import socket
from pathlib import Path

HOST = socket.gethostname()


def _start_ticks(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (field 22 of stat)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    except OSError:
        return "?"
    # the command name (field 2) may hold spaces and parentheses: split after it
    fields = stat[stat.rindex(")") + 2:].split()
    return fields[19] if len(fields) > 19 else "?"


def this_process() -> str:
    pid = os.getpid()
    return f"{HOST}:{pid}:{_start_ticks(pid) or '?'}"


def host_of(holder: str | None) -> str:
    return (holder or "").rsplit(":", 2)[0]


def is_gone(holder: str | None) -> bool:
    """True only when `holder` surely ran on this host and is no longer running."""
    parts = (holder or "").rsplit(":", 2)
    if len(parts) != 3 or parts[0] != HOST or not parts[1].isdigit() or parts[2] == "?":
        return False
    if not Path("/proc/self/stat").exists():
        return False
    ticks = _start_ticks(int(parts[1]))
    return ticks is None or (ticks != "?" and ticks != parts[2])
