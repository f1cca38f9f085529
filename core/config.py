"""Configuration from environment variables, with defaults that run anywhere.

The host's own settings are `Settings`' fields. A connector or addon declares
its knobs where it uses them, as a frozen dataclass of defaults read through
`settings.section(TheirSettings)`: a field `foo_bar` comes from
`CROSSDOCK_FOO_BAR` (or a `from_env(foo_bar=...)` override), parsed by the type
of its default. The README's configuration table lists them all; nothing else
in the code reads the environment.
"""
from __future__ import annotations

import dataclasses
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

Section = TypeVar("Section")

ENV_PREFIX = "CROSSDOCK_"


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(ENV_PREFIX + name)
    return value if value not in (None, "") else default


def _read_or_create_secret(path: Path) -> str:
    """Generated once per instance and kept beside the data, never in the code.
    Processes starting together on a new instance (gunicorn's workers) agree:
    each writes its own file and links it into place, the first link wins
    and is whole when seen, the others read it."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    mine = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(mine, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_urlsafe(48))
    try:
        os.link(mine, path)
    except FileExistsError:
        pass  # another process was first: its key is the instance's
    finally:
        mine.unlink()
    return path.read_text().strip()


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
    password_hash: str = "scrypt"  # werkzeug method for new password hashes (~0.1 s each)
    time_zone: str = "UTC"  # users' time zone until they choose theirs (IANA name)
    extra: dict = field(default_factory=dict)  # overrides of sections' fields, by field name
    _sections: dict = field(default_factory=dict, repr=False, compare=False)

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
            password_hash=_env("PASSWORD_HASH", "scrypt"),
            time_zone=_time_zone(_env("TIME_ZONE", "UTC")),
        )
        own = {f.name for f in dataclasses.fields(cls)}
        values.update({k: v for k, v in overrides.items() if k in own})
        values["extra"] = {**values.get("extra", {}),
                           **{k: v for k, v in overrides.items() if k not in own}}
        return cls(**values)

    def section(self, kind: type[Section]) -> Section:
        """The settings a layer or addon declares (a frozen dataclass whose
        fields all have defaults), from overrides, then the environment."""
        found = self._sections.get(kind)
        if found is None:
            found = self._sections[kind] = read_section(kind, self.extra)
        return found


def read_section(kind: type[Section], overrides: dict | None = None) -> Section:
    """A section from `overrides`, then the environment, without building
    `Settings` (which makes the instance folder and its secret key): for a
    process's set-up before any app, such as gunicorn's config."""
    values = {}
    for f in dataclasses.fields(kind):
        if overrides and f.name in overrides:
            values[f.name] = overrides[f.name]
            continue
        raw = _env(f.name.upper())
        if raw is not None:
            values[f.name] = _parse(raw, f.default, f.name)
    return kind(**values)


def prometheus_multiproc_dir() -> Path | None:
    """prometheus_client's own variable (it reads it when imported): the folder
    where each process of a gunicorn server writes its metrics, summed at scrape."""
    value = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    return Path(value) if value else None


def _time_zone(name: str) -> str:
    import pytz

    if name not in pytz.all_timezones_set:
        raise ValueError(f"{ENV_PREFIX}TIME_ZONE={name!r} is not a time zone name "
                         "(IANA, e.g. Asia/Shanghai)")
    return name


def _parse(raw: str, default, name: str):
    try:
        if isinstance(default, bool):
            return raw.strip().lower() in ("1", "true", "yes", "on")
        if default is None or isinstance(default, str):
            return raw
        return type(default)(raw)
    except ValueError:
        raise ValueError(f"{ENV_PREFIX}{name.upper()}={raw!r} is not a "
                         f"{type(default).__name__}") from None
