"""Ticket commands (each flushes, none commits): `from_message` (the mail
seam, inbound.py), `open_ticket`, `reply` (public or a note), `move` /
`reopen` between stages, `merge`."""
from .inbound import Received, from_message  # noqa: F401
from .merging import MergeError, merge  # noqa: F401
from .opening import open_ticket  # noqa: F401
from .stages import StageError, move, reopen  # noqa: F401
from .thread import Attachment, ThreadError, reply  # noqa: F401
