"""The `hub.Watch`es of the elected scheduler: a thread each, started while
this process is elected and the watch's addon active, stopped (their stop
event set, then joined) when it steps down, the addon goes, or the scheduler
stops. A watch that ended on its own is started again a minute later, so a
persistent failure is one log line a minute, not a loop."""
from __future__ import annotations

import logging
import threading
import time

from .handlers import Watch

log = logging.getLogger(__name__)
RESTART_AFTER_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 10.0


class Watches:
    def __init__(self, app):
        self.app = app
        self._running: dict[str, tuple[threading.Thread, threading.Event]] = {}
        self._ended: dict[str, float] = {}  # kind -> when it ended on its own (monotonic)

    def follow(self, wanted: list[Watch]) -> None:
        """Run exactly the `wanted` watches (by kind): start the missing ones,
        stop the others."""
        now, kinds = time.monotonic(), {w.kind for w in wanted}
        for kind, (thread, _) in list(self._running.items()):
            if kind not in kinds:
                self._stop([kind])
            elif not thread.is_alive():
                del self._running[kind]
                self._ended[kind] = now
        for watch in wanted:
            if watch.kind not in self._running and \
                    now - self._ended.get(watch.kind, float("-inf")) >= RESTART_AFTER_SECONDS:
                self._start(watch)

    def stop_all(self) -> None:
        self._stop(list(self._running))

    def _start(self, watch: Watch) -> None:
        stop = threading.Event()
        thread = threading.Thread(target=self._run, args=(watch, stop), daemon=True,
                                  name=f"crossdock-watch-{watch.kind}")
        self._running[watch.kind] = (thread, stop)
        thread.start()

    def _run(self, watch: Watch, stop: threading.Event) -> None:
        try:
            watch.watch(self.app, stop)
        except Exception:  # noqa: BLE001 - logged; the scheduled work goes on without it
            log.exception("hub: watch %s failed; starting it again in %d s", watch.kind,
                          RESTART_AFTER_SECONDS)

    def _stop(self, kinds: list[str]) -> None:
        stopping = [self._running.pop(kind) for kind in kinds]
        for _, stop in stopping:
            stop.set()
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        for thread, _ in stopping:
            thread.join(max(0.0, deadline - time.monotonic()))
            if thread.is_alive():
                log.warning("hub: %s did not stop within %d s", thread.name,
                            STOP_TIMEOUT_SECONDS)
