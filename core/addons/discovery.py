"""Finding addons: built-ins under `addons/`, folders on the addons path, and
distributions that declare the `crossdock.addons` entry point group.

Discovery reads manifests only. An addon whose manifest is invalid is still
listed, with the error, so the Modules screen can say what is wrong.
"""
from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path

from .manifest import MANIFEST_FILE, Manifest, ManifestError, read_manifest

ENTRY_POINT_GROUP = "crossdock.addons"
BUILTIN_DIR = Path(__file__).resolve().parents[2] / "addons"


@dataclass(frozen=True)
class AddonSource:
    name: str
    module: str  # importable module name
    path: Path  # package folder
    origin: str  # "builtin", "addons path" or "entry point"
    manifest: Manifest | None
    error: str | None = None

    @property
    def migrations_dir(self) -> Path | None:
        path = self.path / "migrations"
        return path if path.is_dir() else None

    @property
    def sys_path(self) -> str | None:
        """Folder to put on sys.path before import (addons path only)."""
        return str(self.path.parent) if self.origin == "addons path" else None


def _from_folder(folder: Path, origin: str, module_prefix: str) -> list[AddonSource]:
    found = []
    if not folder.is_dir():
        return found
    for child in sorted(folder.iterdir()):
        if not (child / MANIFEST_FILE).is_file():
            continue
        found.append(_source(child.name, module_prefix + child.name, child, origin))
    return found


def _source(name: str, module: str, path: Path, origin: str) -> AddonSource:
    try:
        return AddonSource(name, module, path, origin, read_manifest(path, name))
    except ManifestError as exc:
        return AddonSource(name, module, path, origin, None, str(exc))


def _from_entry_points() -> list[AddonSource]:
    found = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        spec = importlib.util.find_spec(ep.value)
        if spec is None or not spec.submodule_search_locations:
            found.append(
                AddonSource(ep.name, ep.value, Path("."), "entry point", None,
                            f"entry point '{ep.name}': package '{ep.value}' not found")
            )
            continue
        path = Path(next(iter(spec.submodule_search_locations)))
        found.append(_source(ep.name, ep.value, path, "entry point"))
    return found


def discover(addons_paths: tuple[Path, ...] = ()) -> dict[str, AddonSource]:
    """All addons by name. Two with one name are both refused (the name is listed as
    broken, saying both places and their origins): loading either could run code
    the admin did not mean to, so one of them has to go."""
    sources: dict[str, AddonSource] = {}
    candidates = _from_folder(BUILTIN_DIR, "builtin", "addons.")
    for folder in addons_paths:
        candidates += _from_folder(folder, "addons path", "")
    candidates += _from_entry_points()
    for src in candidates:
        if src.name in sources:
            first = sources[src.name]
            if first.path != src.path:
                seen = first.error.split(": ", 1)[1] if first.error and first.error.startswith(
                    "two addons named") else f"{first.path} ({first.origin})"
                sources[src.name] = AddonSource(
                    first.name, first.module, first.path, first.origin, first.manifest,
                    f"two addons named '{src.name}': {seen} and {src.path} ({src.origin}); "
                    "neither is loaded: remove or rename one of them and restart",
                )
            continue
        sources[src.name] = src
    return sources


def migration_dirs(sources: dict[str, AddonSource]) -> list[Path]:
    """Every discovered addon's Alembic folder: the database may hold any of their revisions."""
    return [s.migrations_dir for s in sources.values() if s.migrations_dir]
