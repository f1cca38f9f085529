"""Named slots on the generated CRUD pages, filled declaratively by addons.

An addon fills another addon's screen with `addon.extend_screen(View, *slots)`:

- `ListColumn(name)`: a column on the list (any attribute of the row).
- `Fieldset(title, fields)`: fields on the add and edit forms, under their own
  heading, and the same fields as a panel on the show page.
- `Panel(template, context=...)`: a panel on the show page; `context(view,
  item)` returns the template's variables (the item was loaded through the
  view, so record rules decided it exists).
- `Action(label, endpoint)`: a button on the show page, to `url_for(endpoint,
  pk=...)`; `post=True` makes it a form with the CSRF token.

Entries show in `order` (then by addon name) and only while the addon that
filled them is active; the screen looks them up per request (core/views/
slotted_view.py), cached per set of active addons.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..addons.model_extension import active_addons


@dataclass(frozen=True)
class ListColumn:
    name: str
    label: Any = None
    order: int = 100


@dataclass(frozen=True)
class Fieldset:
    title: Any
    fields: tuple[str, ...]
    order: int = 100
    labels: tuple[tuple[str, Any], ...] = ()  # (field, label) pairs; else the view's labels

    def __post_init__(self):
        object.__setattr__(self, "fields", tuple(self.fields))
        if isinstance(self.labels, dict):
            object.__setattr__(self, "labels", tuple(self.labels.items()))


@dataclass(frozen=True)
class Panel:
    template: str
    context: Callable[[Any, Any], dict] | None = None
    order: int = 100


@dataclass(frozen=True)
class Action:
    label: Any
    endpoint: str
    icon: str = ""
    order: int = 100
    post: bool = False


SLOT_TYPES = (ListColumn, Fieldset, Panel, Action)

# view class -> [(addon, slot)], in declaration order
_SLOTS: dict[type, list[tuple[str, object]]] = {}
_RESOLVED: dict[tuple, list] = {}


def forget(addon: str) -> None:
    """Drop what `addon` filled (it is being loaded again, e.g. by a second app)."""
    for view, entries in _SLOTS.items():
        entries[:] = [(a, s) for a, s in entries if a != addon]
    _RESOLVED.clear()


def fill(view: type, addon: str, slot) -> None:
    """Called by the loader for each slot an addon declared."""
    _SLOTS.setdefault(view, []).append((addon, slot))
    _RESOLVED.clear()


def slots_for(view: type, kind: type) -> list:
    """The active addons' slots of type `kind` on `view` (or a base class), in order."""
    active = active_addons()
    key = (view, kind, active)
    if key not in _RESOLVED:
        found = [(slot.order, addon, n, slot)
                 for cls in view.__mro__ for n, (addon, slot) in enumerate(_SLOTS.get(cls, ()))
                 if isinstance(slot, kind) and addon in active]
        _RESOLVED[key] = [slot for *_rest, slot in sorted(found, key=lambda f: f[:3])]
    return _RESOLVED[key]
