"""Who reads and writes which invoices, mirroring sales' order rules:
Finance all invoices (read and write); a Sales Manager the team's, a
Salesperson their own customers' (the owner and team are copied from the
order), Read-only all: read only. Support Agent has no order access in sales
and none here. A line is read with its invoice (the invoice's rule applies
inside `has()`); only Finance writes lines. Payments are read with their
invoice and credit releases with their order; credit limits are not ruled
(every role that has the screen reads all). Admin reads and writes all."""
from core.security.rule_expressions import RecordRule

from ..models import CreditRelease, Invoice, InvoiceLine, PaymentChange

RULES = [
    RecordRule(Invoice, "Finance", read="all", write="all"),
    RecordRule(Invoice, "Sales Manager", read="team", write="none"),
    RecordRule(Invoice, "Salesperson", read="own", write="none"),
    RecordRule(Invoice, "Read-only", read="all", write="none"),
    RecordRule(InvoiceLine, "Finance", read="all", write="all"),
    *(RecordRule(InvoiceLine, role, read=lambda actor: InvoiceLine.invoice.has(), write="none")
      for role in ("Sales Manager", "Salesperson", "Read-only")),
    # a payment is read with its invoice, a release with its order (sales' rules)
    RecordRule(PaymentChange, "Finance", read="all", write="all"),  # a pull Finance runs
    *(RecordRule(PaymentChange, role, read=lambda actor: PaymentChange.invoice.has(),
                 write="none")
      for role in ("Sales Manager", "Salesperson", "Read-only")),
    *(RecordRule(CreditRelease, role, read=lambda actor: CreditRelease.order.has(),
                 write=write)
      for role, write in (("Finance", "all"), ("Sales Manager", "none"),
                          ("Read-only", "none"))),
]
