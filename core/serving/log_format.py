"""Log records on stderr, as text or as one JSON object per line.

`CROSSDOCK_LOG_FORMAT=json` makes every record (ours, the libraries', and
gunicorn's own through its `logconfig_dict`) one line a log shipper can parse:
time (ISO 8601, UTC), level, logger, message, the request id (in a request,
or a job's `acting_as`), the traceback as text, and an access line's fields
(method, path, status, duration_ms, user_id). The request id is the one error
pages show and the audit log records, so a user's report finds its lines.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import logging.config

ACCESS_LOGGER = "crossdock.access"
ACCESS_FIELDS = ("method", "path", "route", "status", "duration_ms", "user_id")


def _request_id() -> str | None:
    from ..security.actor import current_request_id

    try:
        return current_request_id()
    except RuntimeError:  # a request context being torn down
        return None


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": dt.datetime.fromtimestamp(record.created, dt.timezone.utc)
                      .isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or _request_id(),
        }
        line.update({k: getattr(record, k) for k in ACCESS_FIELDS if hasattr(record, k)})
        if record.exc_info:
            line["exc_info"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exc_info"] = record.exc_text
        return json.dumps(line, ensure_ascii=False, default=str)


def logging_config(log_format: str) -> dict:
    """A `logging.config.dictConfig` dictionary: the root logger at INFO on
    stderr. In JSON mode gunicorn's error log goes through it too, and the app
    writes one access line per request (`crossdock.access`), so werkzeug's and
    gunicorn's text access lines are left out; in text mode gunicorn keeps its
    own handlers and the app writes no access lines."""
    silent = {"level": "WARNING", "handlers": [], "propagate": False}
    if log_format == "json":
        formatter = {"()": JsonFormatter}
        loggers = {"gunicorn.error": {"level": "INFO", "handlers": [], "propagate": True},
                   "gunicorn.access": silent, "werkzeug": silent,
                   ACCESS_LOGGER: {"level": "INFO"}}
    else:
        formatter = {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
        loggers = {ACCESS_LOGGER: silent}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"crossdock": formatter},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "crossdock",
                                "stream": "ext://sys.stderr"}},
        "root": {"level": "INFO", "handlers": ["stderr"]},
        "loggers": loggers,
    }


def configure_from_env() -> None:
    """For a long-running process (`crossdock run`, `worker`, `scheduler`);
    gunicorn applies `logging_config` itself (core/serving/gunicorn_config.py)."""
    from ..config import read_section
    from .settings import ServingSettings

    logging.config.dictConfig(logging_config(read_section(ServingSettings).log_format))
