"""The two ways a remote call fails, as every protocol client reports them.

The hub's retry policy reads nothing else: a `TransientError` is retried with
backoff (honouring `retry_after` when the remote sent one), a `PermanentError`
stops the job as failed with its message shown to people, so the message must
say in words what is wrong and, where it can, what to fix.
"""
from __future__ import annotations


class RemoteError(Exception):
    """A remote call did not do what was asked."""


class TransientError(RemoteError):
    """Worth trying again later: connection refused, timeout, 5xx, 429."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class PermanentError(RemoteError):
    """Trying again cannot help until someone changes data or settings.

    `details` (JSON-ready dict, optional) is kept with the failed job, for a
    screen to offer the ways out (e.g. which remote records collide)."""

    def __init__(self, message: str, details: dict | None = None):
        super().__init__(message)
        self.details = details
