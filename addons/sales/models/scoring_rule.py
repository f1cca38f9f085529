from flask_appbuilder import Model
from sqlalchemy import Boolean, CheckConstraint, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

FIELD, ACTIVITY = "field", "activity"
# what a field rule may look at (services/leads/lead_scoring.py reads them)
FIELDS = ("source", "region", "country_code", "priority", "has_email", "has_phone",
          "has_company", "tag")
VALUED_FIELDS = ("source", "region", "country_code", "priority", "tag")
ACTIVITY_KINDS = ("call", "meeting", "todo")


class ScoringRule(Model):
    """Points for a lead (线索评分): `field` rules add `points` when a lead's
    field has `value` (or, for has_*, is filled); `activity` rules add `points`
    per done activity of `activity_kind`. The score is their sum."""
    __tablename__ = "sales_scoring_rule"
    __table_args__ = (
        CheckConstraint("kind IN ('field', 'activity')", name="ck_sales_scoring_rule_kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16), default=FIELD, nullable=False)
    field: Mapped[str | None] = mapped_column(String(32))
    value: Mapped[str | None] = mapped_column(String(128))  # compared case-insensitively
    activity_kind: Mapped[str | None] = mapped_column(String(16))
    points: Mapped[int] = mapped_column(Integer, default=10, nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)

    def __repr__(self):
        return self.name
