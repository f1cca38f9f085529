"""Who reads and writes which invoices, mirroring sales' order rules:
Finance all invoices (read and write); a Sales Manager the team's, a
Salesperson their own customers' (the owner and team are copied from the
order), Read-only all: read only. Support Agent has no order access in sales
and none here. A line is read with its invoice (the invoice's rule applies
inside `has()`); only Finance writes lines. Admin reads and writes all."""
from core.security.rule_expressions import RecordRule

from ..models import Invoice, InvoiceLine

RULES = [
    RecordRule(Invoice, "Finance", read="all", write="all"),
    RecordRule(Invoice, "Sales Manager", read="team", write="none"),
    RecordRule(Invoice, "Salesperson", read="own", write="none"),
    RecordRule(Invoice, "Read-only", read="all", write="none"),
    RecordRule(InvoiceLine, "Finance", read="all", write="all"),
    *(RecordRule(InvoiceLine, role, read=lambda actor: InvoiceLine.invoice.has(), write="none")
      for role in ("Sales Manager", "Salesperson", "Read-only")),
]
