from .queue import Queue  # noqa: F401
from .ticket import Ticket, ticket_watcher  # noqa: F401
