from .invoice import Invoice  # noqa: F401
from .invoice_line import InvoiceLine  # noqa: F401
from .invoice_sequence import InvoiceSequence  # noqa: F401
from .payment_change import PaymentChange  # noqa: F401
from .credit import CreditLimit, CreditRelease  # noqa: F401
