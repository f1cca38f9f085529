"""The integration hub's knobs (`CROSSDOCK_HUB_*`;
the README's configuration table says what each does)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HubSettings:
    hub_embedded_threads: int = 2  # worker threads in the app process when no broker URL
    hub_lease_seconds: float = 120.0  # a claimed job is another worker's after this
    hub_backoff_base_seconds: float = 2.0  # first retry delay; doubles per attempt
    hub_backoff_ceiling_seconds: float = 600.0  # retry delays never exceed this
    hub_resend_after_seconds: float = 60.0  # a queued job not started by then is sent again
    # a dead process's claimed job runs again after this: the remote call it
    # had in flight may still be running and commit (recovery.py)
    hub_recovery_grace_seconds: float = 10.0
    hub_sweep_seconds: float = 5.0  # scheduler tick: sweeper, leases
    hub_status_pull_seconds: float = 300.0  # how often a hub.Pull runs, unless it says
    hub_keep_done_days: int = 30  # done/cancelled jobs older than this are deleted
