"""Tiles of the start page ("dashboard tiles"): what each user sees first,
contributed by addons and platform extensions; core draws them and knows none.

An addon declares its tiles in `register(addon)` with `addon.home_tile(build)`;
they show while the addon is installed and enabled. A platform extension calls
`add_tile(app, build)` from its `init_app`. `build()` runs in the home page's
request as the logged-in user and returns a `Tile`, or None when that user has
nothing to see there (no permission for the screen it summarises). It reads
through the ORM session, so record rules narrow what it counts.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app

TILES = "crossdock_home_tiles"  # app.extensions key


@dataclass
class Figure:
    """One number on a tile ("3 overdue"); `alert` draws it as needing attention."""
    label: str
    value: str | int
    alert: bool = False


@dataclass
class Line:
    """One row under the figures: a record to open (an activity, a failed job)."""
    text: str
    url: str | None = None
    note: str = ""


@dataclass
class Tile:
    title: str
    url: str  # the screen the tile summarises
    figures: list[Figure] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    empty: str = ""  # said when there are no lines ("Nothing due")


@dataclass(frozen=True)
class _Entry:
    build: Callable[[], Tile | None]
    order: int
    shown: Callable[[], bool]


def add_tile(app, build: Callable[[], Tile | None], *, order: int = 100,
             shown: Callable[[], bool] = lambda: True) -> None:
    """Put a tile on `app`'s start page: `build` makes it per request, tiles
    sort by `order` (sales: 10-20, integrations: 80-90), `shown()` False hides it."""
    app.extensions.setdefault(TILES, []).append(_Entry(build, order, shown))


def tiles_for_request() -> list[Tile]:
    """The logged-in user's tiles, in order."""
    entries = sorted(current_app.extensions.get(TILES, []), key=lambda e: e.order)
    return [tile for e in entries if e.shown() and (tile := e.build()) is not None]
