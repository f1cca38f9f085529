"""Retry delays: exponential from a base, with jitter, up to a ceiling.

Jitter spreads the retries of a backlog that failed together (an ERP that was
down) so they do not hit the ERP again in one wave: each delay is drawn from
[d/2, d] where d = base * 2^(attempt-1), capped. A remote's Retry-After is a
floor: we never come back sooner than it asked.
"""
from __future__ import annotations

import random


def retry_delay(attempt: int, base: float, ceiling: float,
                retry_after: float | None = None, rng=random) -> float:
    capped = min(ceiling, base * (2 ** max(0, attempt - 1)))
    delay = rng.uniform(capped / 2, capped)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return delay
