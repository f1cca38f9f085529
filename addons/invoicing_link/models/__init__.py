from .invoice import Invoice  # noqa: F401
from .invoice_line import InvoiceLine  # noqa: F401
from .invoice_sequence import InvoiceSequence  # noqa: F401
