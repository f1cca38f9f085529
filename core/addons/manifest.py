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
    author: str = ""
    license: str = ""
    website: str = ""
    data: tuple[str, ...] = ()  # files loaded on install and upgrade (core/addons/data_files.py)
    demo: tuple[str, ...] = ()  # files loaded only when asked (install --demo)

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
        raise ManifestError(f"{where}: unknown key(s) {', '.join(sorted(unknown))} "
                            f"(known: {', '.join(sorted(known))})")
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
    for key in ("summary", "category", "author", "license", "website"):
        if key in raw and not isinstance(raw[key], str):
            raise ManifestError(f"{where}: {key} must be a string, got {raw[key]!r}")
    website = raw.get("website", "")
    if website and not website.startswith(("https://", "http://")):
        raise ManifestError(f"{where}: website must be an http(s) address, got {website!r}")
    files = {key: _data_files(raw.get(key, []), key, where) for key in ("data", "demo")}
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
        author=raw.get("author", ""),
        license=raw.get("license", ""),
        website=raw.get("website", ""),
        data=files["data"],
        demo=files["demo"],
    )


DATA_SUFFIXES = (".csv", ".yaml", ".yml")


def _data_files(value, key: str, where: str) -> tuple[str, ...]:
    """Relative paths inside the addon ending in .csv/.yaml/.yml (existence is checked at load)."""
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ManifestError(f"{where}: {key} must be a list of file paths, got {value!r}")
    for path in value:
        if path.startswith("/") or ".." in path.split("/") or not path.endswith(DATA_SUFFIXES):
            raise ManifestError(
                f"{where}: {key} file {path!r} must be a relative path inside the addon "
                f"ending in {', '.join(DATA_SUFFIXES)}")
    return tuple(value)
