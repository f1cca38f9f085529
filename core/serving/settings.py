"""The serving knobs (`CROSSDOCK_LOG_FORMAT`, `CROSSDOCK_METRICS_TOKEN`,
`CROSSDOCK_BIND`, `CROSSDOCK_WEB_WORKERS`, `CROSSDOCK_WEB_THREADS`,
`CROSSDOCK_ACCESS_LOG`; the README's configuration table says what each does)."""
from __future__ import annotations

from dataclasses import dataclass

LOG_FORMATS = ("text", "json")


@dataclass(frozen=True)
class ServingSettings:
    log_format: str = "text"  # "json": one JSON object per log record on stderr
    metrics_token: str | None = None  # /metrics answers `Authorization: Bearer <token>`
    bind: str = "127.0.0.1:8000"  # gunicorn's listening address
    web_workers: int = 0  # gunicorn worker processes; 0: one per core
    web_threads: int = 8  # threads per gunicorn worker
    access_log: str | None = None  # gunicorn's text access log ("-": stdout); unset: none

    def __post_init__(self):
        if self.log_format not in LOG_FORMATS:
            raise ValueError(f"CROSSDOCK_LOG_FORMAT={self.log_format!r}: expected "
                             f"{' or '.join(LOG_FORMATS)}")
