"""A contact's id in another system (Odoo's `__export__.res_partner_7`, a Zoho
record id, another Crossdock's contact id), one per source system, like
Odoo's external ids. An import row that carries one finds its contact again,
so re-importing a file updates instead of duplicating. Reachable only
through imports and exports of its contact (no screen lists them)."""
from flask_appbuilder import Model
from sqlalchemy import Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column


class ContactExternalId(Model):
    __tablename__ = "contacts_external_id"
    __table_args__ = (
        UniqueConstraint("kind", "system", "external_id", name="uq_contacts_external_id"),
        Index("ix_contacts_external_id_contact", "kind", "contact_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # company / person
    contact_id: Mapped[int] = mapped_column(Integer)  # a company's or a person's id
    system: Mapped[str] = mapped_column(String(64))  # "odoo", "zoho", "crossdock"...
    external_id: Mapped[str] = mapped_column(String(255))
