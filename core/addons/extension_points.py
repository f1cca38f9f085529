"""Extension points: functions other addons add to a step of this addon, run
only while the adding addon is active (an addon never names the addons that
extend it). The owning addon declares one where the step is,

    confirm_checks = AddonHooks()          # sales: checks on confirming an order

an extending addon adds to it from its `register(addon)`,

    confirm_checks.add(addon.name, check)

and the step runs `for hook in confirm_checks.active(): hook(...)`.
"""
from __future__ import annotations

from collections.abc import Callable

from .model_extension import active_addons


class AddonHooks:
    def __init__(self) -> None:
        self._hooks: list[tuple[str, Callable]] = []

    def add(self, addon: str, hook: Callable) -> None:
        """Register once (an app factory may run register() again)."""
        if (addon, hook) not in self._hooks:
            self._hooks.append((addon, hook))

    def active(self) -> list[Callable]:
        """The active addons' hooks, in registration order."""
        active = active_addons()
        return [hook for addon, hook in list(self._hooks) if addon in active]
