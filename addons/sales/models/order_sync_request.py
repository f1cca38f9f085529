from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

CONFIRM, CANCEL = "confirm", "cancel"
LIVE = text("consumed_at IS NULL")


class OrderSyncRequest(Model):
    """The outbox the integration hub consumes: "send this order's confirmation
    (or cancellation) to the ERP". Written in the same transaction as the state
    change, so an order is confirmed if and only if its request exists. The hub
    sets `consumed_at`; at most one live (unconsumed) request per order and kind."""
    __tablename__ = "sales_order_sync_request"
    __table_args__ = (
        Index("uq_sales_order_sync_live", "order_id", "kind", unique=True,
              sqlite_where=LIVE, postgresql_where=LIVE),
        Index("ix_sales_order_sync_pending", "consumed_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(
        ForeignKey("sales_order.id", ondelete="CASCADE"), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # confirm | cancel
    created_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.utcnow,
                                                 nullable=False)
    consumed_at: Mapped[datetime | None] = mapped_column(DateTime)

    order = relationship("SalesOrder")

    def __repr__(self):
        return f"{self.kind} #{self.order_id}"
