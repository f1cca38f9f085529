"""The addons as this process sees them: discovered, loaded, broken, active."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .discovery import AddonSource, discover, migration_dirs
from .gate import AddonGate
from .loader import LoadedAddon
from .manifest import Manifest


@dataclass
class AddonRuntime:
    addons_paths: tuple[Path, ...]
    sources: dict[str, AddonSource]
    loaded: dict[str, LoadedAddon]
    broken: dict[str, str]
    gate: AddonGate
    started_sources: set[str] = field(default_factory=set)
    # scripts kept in the database for installed addons whose code is missing,
    # and stubs for revisions nobody knows (core/addons/scripts.py)
    kept_scripts: dict[str, Path] = field(default_factory=dict)

    @property
    def manifests(self) -> dict[str, Manifest]:
        return {n: s.manifest for n, s in self.sources.items() if s.manifest}

    @property
    def addon_dirs(self) -> list[Path]:
        return migration_dirs(self.sources) + list(self.kept_scripts.values())

    def owner_of(self, module_name: str) -> str | None:
        """The addon whose package holds `module_name` (None: not an addon's)."""
        for name, source in self.sources.items():
            if module_name == source.module or module_name.startswith(source.module + "."):
                return name
        return None

    def reload_required(self) -> dict[str, AddonSource]:
        """Addons that appeared on disk after this process started."""
        now = discover(self.addons_paths)
        return {n: s for n, s in now.items() if n not in self.started_sources}
