from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import DateTime, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship


class FapiaoDocument(Model):
    """A file of an issued fapiao (blue or red) as the provider served it,
    checked and kept: the PDF to read, the OFD and XML that are its legal
    original (the provider's links expire). One per submission and kind;
    written by the fetch job only (services/sending/fapiao_documents.py)."""
    __tablename__ = "einvoicing_fapiao_document"
    __table_args__ = (UniqueConstraint("submission_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("einvoicing_submission.id"),
                                               index=True)
    kind: Mapped[str] = mapped_column(String(8))  # pdf, ofd, xml
    file_name: Mapped[str] = mapped_column(String(128))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)  # read on download only
    fetched_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.utcnow)

    submission = relationship("EinvoiceSubmission", back_populates="fapiao_documents")

    def __repr__(self):
        return self.file_name
