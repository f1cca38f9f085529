"""Platform extensions: packages that plug into every Crossdock host, found
through the entry point group `crossdock.extensions` (setup.cfg), so core never
names them. The integration hub (`connectors.hub`) is one.

An extension is an object with any of:
- `init_app(app, appbuilder)`: add models, screens, hooks (called in create_app,
  before permissions are reconciled);
- `serve(app)`: start what a serving process runs beside the web app
  (`crossdock run`), e.g. in-process workers;
- `commands`: click commands added to `crossdock`.
"""
from __future__ import annotations

from functools import cache
from importlib.metadata import entry_points

GROUP = "crossdock.extensions"


@cache
def extensions() -> tuple:
    found = sorted(entry_points(group=GROUP), key=lambda ep: ep.name)
    return tuple(ep.load() for ep in found)


def init_app(app, appbuilder) -> None:
    for ext in extensions():
        if hasattr(ext, "init_app"):
            ext.init_app(app, appbuilder)


def serve(app) -> None:
    for ext in extensions():
        if hasattr(ext, "serve"):
            ext.serve(app)


def commands() -> list:
    return [c for ext in extensions() for c in getattr(ext, "commands", ())]
