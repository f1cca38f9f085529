"""Configuration from environment variables, with defaults that run anywhere.

Every setting a deployer may change is read here and listed in the README's
configuration table; nothing else in the code reads the environment.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

ENV_PREFIX = "CROSSDOCK_"


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(ENV_PREFIX + name)
    return value if value not in (None, "") else default


def _read_or_create_secret(path: Path) -> str:
    """Generated once per instance and kept beside the data, never in the code."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value)
    return value


@dataclass(frozen=True)
class Settings:
    instance_path: Path
    database_url: str
    broker_url: str | None
    secret_key: str
    secrets_keys: tuple[str, ...]
    addons_paths: tuple[Path, ...]
    default_locale: str
    login_max_failures: int
    login_window_seconds: int
    addon_poll_seconds: float
    session_cookie_secure: bool
    default_phone_region: str = "CN"  # phone numbers typed without +country code
    import_max_rows: int = 200_000  # contacts import: larger files are refused
    import_max_bytes: int = 64 * 1024 * 1024  # contacts import: upload size limit
    # integration hub (connectors/hub): see the README's configuration table
    hub_embedded_threads: int = 2  # worker threads in the app process when no broker URL
    hub_lease_seconds: float = 120.0  # a claimed job is another worker's after this
    hub_backoff_base_seconds: float = 2.0  # first retry delay; doubles per attempt
    hub_backoff_ceiling_seconds: float = 600.0  # retry delays never exceed this
    hub_resend_after_seconds: float = 60.0  # a queued job not started by then is sent again
    hub_sweep_seconds: float = 5.0  # scheduler tick: sweeper, leases
    hub_status_pull_seconds: float = 300.0  # ERP order states read back this often
    hub_keep_done_days: int = 30  # done/cancelled jobs older than this are deleted
    metrics_token: str | None = None  # /metrics answers `Authorization: Bearer <token>`
    password_hash: str = "scrypt"  # werkzeug method for new password hashes (~0.1 s each)
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls, **overrides) -> "Settings":
        instance = Path(
            overrides.pop("instance_path", None) or _env("INSTANCE_PATH", "instance")
        ).resolve()
        secret_key = overrides.pop("secret_key", None) or _env("SECRET_KEY") or (
            _read_or_create_secret(instance / "secret_key")
        )
        secrets_keys = overrides.pop("secrets_keys", None) or tuple(
            k.strip() for k in (_env("SECRETS_KEYS") or "").split(",") if k.strip()
        )
        addons_paths = overrides.pop("addons_paths", None) or tuple(
            Path(p).resolve()
            for p in (_env("ADDONS_PATH") or "").split(os.pathsep)
            if p.strip()
        )
        values = dict(
            instance_path=instance,
            database_url=_env(
                "DATABASE_URL", f"sqlite:///{instance / 'crossdock.sqlite'}"
            ),
            broker_url=_env("BROKER_URL"),
            secret_key=secret_key,
            secrets_keys=tuple(secrets_keys),
            addons_paths=tuple(addons_paths),
            default_locale=_env("DEFAULT_LOCALE", "en"),
            login_max_failures=int(_env("LOGIN_MAX_FAILURES", "5")),
            login_window_seconds=int(_env("LOGIN_WINDOW_SECONDS", "900")),
            addon_poll_seconds=float(_env("ADDON_POLL_SECONDS", "2")),
            session_cookie_secure=_env("SESSION_COOKIE_SECURE", "auto") == "true",
            default_phone_region=_env("DEFAULT_PHONE_REGION", "CN").upper(),
            import_max_rows=int(_env("IMPORT_MAX_ROWS", "200000")),
            import_max_bytes=int(_env("IMPORT_MAX_BYTES", str(64 * 1024 * 1024))),
            hub_embedded_threads=int(_env("HUB_EMBEDDED_THREADS", "2")),
            hub_lease_seconds=float(_env("HUB_LEASE_SECONDS", "120")),
            hub_backoff_base_seconds=float(_env("HUB_BACKOFF_BASE_SECONDS", "2")),
            hub_backoff_ceiling_seconds=float(_env("HUB_BACKOFF_CEILING_SECONDS", "600")),
            hub_resend_after_seconds=float(_env("HUB_RESEND_AFTER_SECONDS", "60")),
            hub_sweep_seconds=float(_env("HUB_SWEEP_SECONDS", "5")),
            hub_status_pull_seconds=float(_env("HUB_STATUS_PULL_SECONDS", "300")),
            hub_keep_done_days=int(_env("HUB_KEEP_DONE_DAYS", "30")),
            metrics_token=_env("METRICS_TOKEN"),
            password_hash=_env("PASSWORD_HASH", "scrypt"),
        )
        values.update(overrides)
        return cls(**values)
