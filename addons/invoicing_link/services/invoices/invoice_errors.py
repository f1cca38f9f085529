"""The two ways an invoicing command refuses; views and REST map them once."""
from __future__ import annotations


class InvoiceStateError(ValueError):
    """Not possible in the invoice's or order's state (or another request was
    first); REST answers 409."""


class InvoiceCheckError(ValueError):
    """The request asks for something the order or invoice does not allow (a
    quantity over what is left, an amount over the total); `field` names the
    input. REST answers 400."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field
