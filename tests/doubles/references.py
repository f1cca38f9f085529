"""Fresh references, so tests can share one session-scoped double."""
from __future__ import annotations

import uuid


def unique_ref(prefix: str = "SO") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"
