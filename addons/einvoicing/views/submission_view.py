"""Invoicing > E-invoices: every e-invoice sent or held, what needs Finance
first (rejected, failed, invalid, refused, not sent, not delivered), then
the newest; filters by state and channel. Each row's kept file can be
downloaded, and an issued fapiao's PDF, OFD and XML as they were fetched;
"Send again" (POST) makes a new attempt of one that is over."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.actions import action
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext, lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import undefer

from addons.invoicing_link.models.invoice import Invoice
from core.db import db, is_row_id
from core.views.capped_count import CappedCountInterface
from core.views.record_view import RecordView

from ..models.fapiao_document import FapiaoDocument
from ..models.submission import EinvoiceSubmission
from ..services.channels import CHANNELS
from ..services.sending import NotSendable, send_again
from ..services.sending import states

STATE_STYLE = {states.REJECTED: "danger", states.FAILED: "danger", states.INVALID: "danger",
               states.REFUSED: "danger", states.NOT_SENT: "warning",
               states.NOT_DELIVERED: "warning", states.ACCEPTED: "success",
               states.ISSUED: "success", states.DELIVERED: "success"}
LABELS = {"invoice": _l("Invoice"), "channel": _l("Channel"), "attempt": _l("Attempt"),
          "state": _l("State"), "state_text": _l("What the remote said"),
          "file_name": _l("File"), "remote_id": _l("Remote id"),
          "remote_number": _l("Number there"), "backend": _l("Backend"),
          "updated_at": _l("Last change"), "created_at": _l("Created")}


def state_badge(state: str) -> Markup:
    return Markup('<span class="label label-{} einvoice-state">{}</span>').format(
        STATE_STYLE.get(state, "default"), states.LABELS.get(state, state))


def channel_word(channel: str) -> str:
    return str(CHANNELS.get(channel, channel))


class UrgentFirst(CappedCountInterface):
    """Without a column asked for, what needs action first, then the newest."""

    def apply_order_by(self, query, order_column, order_direction, *args, **kwargs):
        if order_column:
            return super().apply_order_by(query, order_column, order_direction,
                                          *args, **kwargs)
        return query.order_by(states.urgency(), EinvoiceSubmission.updated_at.desc(),
                              EinvoiceSubmission.id.desc())


def readable_submission(pk) -> EinvoiceSubmission | None:
    """The submission, if its invoice is one the reader may read."""
    submission = db.session.get(EinvoiceSubmission, pk) if is_row_id(pk) else None
    if submission is None or db.session.scalar(  # the invoices' record rules filter this read
            select(Invoice.id).where(Invoice.id == submission.invoice_id)) is None:
        return None
    return submission


class EinvoiceSubmissionView(RecordView):
    route_base = "/einvoicing/submissions"
    datamodel = UrgentFirst(EinvoiceSubmission, eager_relations=("invoice", "backend"))
    list_title = _l("E-invoices")
    show_title = _l("E-invoice")
    label_columns = LABELS
    list_columns = ["invoice", "channel", "attempt", "state", "state_text", "file_name",
                    "remote_number", "updated_at"]
    show_columns = ["invoice", "channel", "attempt", "backend", "state", "state_text",
                    "file_name", "remote_id", "remote_number", "created_at", "updated_at"]
    search_columns = ["state", "channel", "file_name", "remote_id", "updated_at"]
    formatters_columns = {"state": state_badge, "channel": channel_word}
    base_permissions = ["can_list", "can_show", "can_download", "can_send_again", "send_all"]

    @action("send_all", _l("Send again"), _l("Send the selected e-invoices again (those "
                                             "not sent, invalid, failed or rejected)?"),
            "fa-repeat")
    def send_all(self, items):
        """After a backend was added or a customer fixed: each one that may go again."""
        items = items if isinstance(items, list) else [items]
        made, skipped = [], 0
        for item in items:
            submission = readable_submission(item.id)
            try:
                if submission is None:
                    raise NotSendable("")
                made.append(send_again(db.session, submission))
            except NotSendable:
                skipped += 1
        db.session.commit()
        queued = sum(1 for s in made if s.state == states.QUEUED)
        flash(gettext("%(queued)d queued, %(held)d held again (see their state), %(skipped)d "
                      "not the latest attempt or still live", queued=queued,
                      held=len(made) - queued, skipped=skipped), "info")
        self.update_redirect()
        return redirect(self.get_redirect())

    @expose("/file/<int:pk>", methods=["GET"])
    @has_access
    def download(self, pk):
        """The file as it was (or will be) sent: the legal original."""
        submission = readable_submission(pk)
        if submission is None or not submission.content:
            abort(404)
        return Response(submission.content, mimetype=submission.content_type or
                        "application/octet-stream", headers={
                            "Content-Disposition":
                                f'attachment; filename="{submission.file_name}"'})

    @expose("/fapiao/<int:pk>/<kind>", methods=["GET"])
    @has_access
    @permission_name("download")
    def fapiao_document(self, pk, kind):
        """A kept file of the issued fapiao (pdf, ofd, xml): as the kept file, to
        whoever may download that."""
        submission = readable_submission(pk)
        document = db.session.scalars(select(FapiaoDocument).where(
            FapiaoDocument.submission_id == submission.id, FapiaoDocument.kind == kind)
            .options(undefer(FapiaoDocument.content))).first() if submission else None
        if document is None:
            abort(404)
        return Response(document.content, mimetype=document.content_type, headers={
            "Content-Disposition": f'attachment; filename="{document.file_name}"'})

    @expose("/send_again/<int:pk>", methods=["POST"])
    @has_access
    def send_again(self, pk):
        submission = readable_submission(pk)
        if submission is None:
            abort(404)
        invoice_id = submission.invoice_id
        try:
            again = send_again(db.session, submission)
            db.session.commit()
        except NotSendable as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        except SQLAlchemyError:
            db.session.rollback()
            flash(gettext("Not saved: changed by someone else meanwhile; reload and try "
                          "again."), "danger")
        else:
            flash(gettext("Attempt %(attempt)d: %(state)s", attempt=again.attempt,
                          state=states.LABELS[again.state]),
                  "success" if again.state == states.QUEUED else "warning")
        back = request.form.get("next") or ""
        if back.startswith("/") and not back.startswith("//"):
            return redirect(back)
        return redirect(url_for("InvoiceView.show", pk=invoice_id))
