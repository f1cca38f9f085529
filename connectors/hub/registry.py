"""From a job row's stored kind back to its handler, inside the hub only.

Addons hand the hub their declared values (handlers.py) once, from their
`register()`: `hub.register(ORDER_PUSH, ORDER_CANCEL, ORDER_STATES)`. Every
process that runs jobs loads the addons, so the kind on a job row finds its
handler there; a kind nobody registered fails the job saying so.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .handlers import Every, Inbound, Pull, Push, Watch

_handlers: dict[str, Push | Inbound] = {}
_pulls: dict[str, Pull] = {}
_tasks: dict[str, Every] = {}
_watches: dict[str, Watch] = {}
_labellers: dict[str, Callable[[Any, list[int]], dict[int, str]]] = {}


def register(*declared: Push | Pull | Inbound | Every | Watch) -> None:
    """Make declared handlers known to the hub (again: harmless; a new value
    for a kind replaces the old one, as an addon reloaded in tests does)."""
    for value in declared:
        if isinstance(value, Pull):
            _pulls[value.kind] = value
        elif isinstance(value, Every):
            _tasks[value.kind] = value
        elif isinstance(value, Watch):
            _watches[value.kind] = value
        elif isinstance(value, (Push, Inbound)):
            _handlers[value.kind] = value
        else:
            raise TypeError(f"not a hub handler: {value!r} "
                            "(hub.Push, hub.Pull, hub.Inbound, hub.Every or hub.Watch)")


def is_registered(value: Push | Inbound) -> bool:
    return _handlers.get(value.kind) is value


def register_labels(model: str, labels: Callable[[Any, list[int]], dict[int, str]]) -> None:
    """`labels(session, record_ids) -> {id: what people call it}` (an order's
    number), for the hub's log lines."""
    _labellers[model] = labels


def labels(session, model: str, record_ids: list[int]) -> dict[int, str]:
    labeller = _labellers.get(model)
    if labeller is None or not record_ids:
        return {}
    try:
        return labeller(session, record_ids)
    except Exception:  # noqa: BLE001 - a label is a nicety; the log line goes out without it
        return {}


def handler(kind: str) -> Push | Inbound:
    """The handler of a stored job kind; LookupError (the job fails saying
    so) when none is registered."""
    try:
        return _handlers[kind]
    except KeyError:
        raise LookupError(f"no handler registered for job kind {kind!r} "
                          "(is its addon installed and importable?)") from None


def pulls() -> list[Pull]:
    return list(_pulls.values())


def tasks() -> list[Every]:
    return list(_tasks.values())


def watches() -> list[Watch]:
    return list(_watches.values())


def pull_for(model: str) -> Pull:
    found = next((p for p in _pulls.values() if p.model == model), None)
    if found is None:
        raise LookupError(f"no pull registered for {model}")
    return found
