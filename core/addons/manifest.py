"""An addon's declarative manifest, read from `__manifest__.py` without importing it.

The file holds one Python dict literal, as in Odoo. It is parsed with
`ast.literal_eval`, so listing addons never runs their code.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST_FILE = "__manifest__.py"
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_VERSION = re.compile(r"^\d+(\.\d+)*$")


class ManifestError(ValueError):
    """The manifest is missing, unreadable or has a wrong value; names the addon."""


@dataclass(frozen=True)
class Manifest:
    name: str
    version: str
    summary: str = ""
    category: str = "Uncategorized"
    depends: tuple[str, ...] = ()
    auto_install: bool | tuple[str, ...] = False
    application: bool = False
    external_dependencies: dict[str, tuple[str, ...]] = field(default_factory=dict)
    installable: bool = True

    @property
    def version_tuple(self) -> tuple[int, ...]:
        return version_tuple(self.version)

    @property
    def auto_install_trigger(self) -> frozenset[str] | None:
        """The addons whose presence installs this one, or None if it never auto-installs."""
        if self.auto_install is True:
            return frozenset(self.depends)
        if self.auto_install:
            return frozenset(self.auto_install)
        return None


def version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


def read_manifest(package_dir: Path, expected_name: str) -> Manifest:
    path = package_dir / MANIFEST_FILE
    where = f"addon '{expected_name}' ({path})"
    try:
        raw = ast.literal_eval(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManifestError(f"{where}: no {MANIFEST_FILE}") from None
    except (SyntaxError, ValueError) as exc:
        raise ManifestError(f"{where}: not a plain dict literal ({exc})") from None
    if not isinstance(raw, dict):
        raise ManifestError(f"{where}: must hold a dict")
    return _validate(raw, expected_name, where)


def _validate(raw: dict, expected_name: str, where: str) -> Manifest:
    known = set(Manifest.__dataclass_fields__)
    unknown = set(raw) - known
    if unknown:
        raise ManifestError(f"{where}: unknown keys {sorted(unknown)}")
    name = raw.get("name", expected_name)
    if name != expected_name or not _NAME.match(name):
        raise ManifestError(
            f"{where}: name must be the package name '{expected_name}' "
            "(lower case letters, digits, underscores)"
        )
    version = raw.get("version")
    if not isinstance(version, str) or not _VERSION.match(version):
        raise ManifestError(f"{where}: version must look like '1.0.0', got {version!r}")
    depends = raw.get("depends", [])
    if not isinstance(depends, (list, tuple)) or not all(
        isinstance(d, str) for d in depends
    ):
        raise ManifestError(f"{where}: depends must be a list of addon names")
    if name in depends:
        raise ManifestError(f"{where}: depends on itself")
    auto = raw.get("auto_install", False)
    if isinstance(auto, (list, tuple)):
        if not set(auto) <= set(depends):
            raise ManifestError(f"{where}: auto_install must be a subset of depends")
        auto = tuple(auto)
    elif not isinstance(auto, bool):
        raise ManifestError(f"{where}: auto_install must be true/false or a list")
    ext = raw.get("external_dependencies", {})
    if not isinstance(ext, dict) or not set(ext) <= {"python", "bin"}:
        raise ManifestError(
            f"{where}: external_dependencies takes the keys 'python' and 'bin'"
        )
    return Manifest(
        name=name,
        version=version,
        summary=str(raw.get("summary", "")),
        category=str(raw.get("category", "Uncategorized")),
        depends=tuple(depends),
        auto_install=auto,
        application=bool(raw.get("application", False)),
        external_dependencies={k: tuple(v) for k, v in ext.items()},
        installable=bool(raw.get("installable", True)),
    )
