"""What a reconciliation finds: rows of a kind, both sides' figures, and
the count of invoices that agree."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

# ours has no counterpart there / theirs none here (cancelled documents on one
# side only owe nothing and are no difference)
MISSING_REMOTE, MISSING_HERE = "missing_remote", "missing_here"
# total, tax or residual differ at the invoice currency's decimals
AMOUNT_MISMATCH = "amount_mismatch"
# issued here but draft or cancelled there, and so on
STATE_MISMATCH = "state_mismatch"
# two live remote invoices carry one of our numbers, or two of ours one number
DUPLICATE_REFERENCE = "duplicate_reference"
KINDS = (MISSING_REMOTE, MISSING_HERE, AMOUNT_MISMATCH, STATE_MISMATCH, DUPLICATE_REFERENCE)


@dataclass(frozen=True)
class Side:
    """One side's figures, in the invoice currency."""
    number: str
    state: str  # ours: draft/issued/cancelled; theirs: draft/posted/paid/cancelled
    total: Decimal | None
    tax: Decimal | None
    residual: Decimal | None
    currency: str = ""


@dataclass(frozen=True)
class Difference:
    kind: str
    reference: str  # what a person searches for on both sides (our number, else theirs)
    invoice_id: int | None = None  # ours, when there is one
    external_id: str = ""  # theirs, when there is one
    origin: str = ""  # ours: "crossdock" or "erp"
    ours: Side | None = None
    theirs: Side | None = None
    amounts: tuple[str, ...] = ()  # of an amount mismatch: "total", "tax", "residual"
    also: tuple[str, ...] = ()  # of a duplicate: the other remote ids / our numbers


@dataclass
class Reconciliation:
    backend: str
    matched: int = 0
    differences: list[Difference] = field(default_factory=list)
    ours_count: int = 0
    remote_count: int = 0
    seconds_ours: float = 0.0  # our select
    seconds_remote: float = 0.0  # waiting for the remote's pages
    seconds_compare: float = 0.0  # matching in memory

    def counts(self) -> dict[str, int]:
        return {kind: sum(d.kind == kind for d in self.differences) for kind in KINDS}
