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
        )
        values.update(overrides)
        return cls(**values)
