"""Mail > Outgoing mails (state, the server's words, Retry), Incoming mails
(from, subject, where it went) and Mailboxes (each account's folders: last
poll, stored, last error). Admin acts; Support Agents read the mails."""
from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_appbuilder import expose, has_access
from flask_babel import gettext, lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy.exc import SQLAlchemyError

from core.db import db
from core.views.capped_count import CappedCountInterface
from core.views.record_view import RecordView

from ..models.incoming_mail import (AUTO, BOUNCE, ROUTED, THROTTLED, TOO_LARGE, UNROUTED,
                                    IncomingMailRecord)
from ..models.mail_folder import MailFolder
from ..models.outgoing_mail import BOUNCED, FAILED, QUEUED, SENT, OutgoingMailRecord
from ..services.sending import retry

STATE_LABELS = {QUEUED: _l("Queued"), SENT: _l("Sent"), FAILED: _l("Failed"),
                BOUNCED: _l("Bounced"), ROUTED: _l("Routed"), UNROUTED: _l("Not routed"),
                BOUNCE: _l("Bounce"), AUTO: _l("Automatic (not answered)"),
                TOO_LARGE: _l("Too large"), THROTTLED: _l("Sender over its rate")}
STATE_STYLE = {FAILED: "danger", BOUNCED: "danger", SENT: "success", ROUTED: "success",
               UNROUTED: "warning", TOO_LARGE: "warning", THROTTLED: "warning"}


def state_badge(state: str) -> Markup:
    return Markup('<span class="label label-{} mail-state">{}</span>').format(
        STATE_STYLE.get(state, "default"), STATE_LABELS.get(state, state))


class OutgoingMailView(RecordView):
    route_base = "/mail/outgoing"
    datamodel = CappedCountInterface(OutgoingMailRecord, eager_relations=("backend",))
    list_title = _l("Outgoing mails")
    show_title = _l("Outgoing mail")
    label_columns = {"created_at": _l("Queued at"), "subject": _l("Subject"),
                     "to_addresses": _l("To"), "cc_addresses": _l("Cc"), "sender": _l("From"),
                     "state": _l("State"),
                     "state_text": _l("What the server said"), "attempts": _l("Attempts"),
                     "backend": _l("Account"), "message_id": _l("Message-ID"),
                     "record": _l("About"), "language": _l("Language"),
                     "sent_at": _l("Sent at"), "body_text": _l("Text"),
                     "attachments": _l("Attachments")}
    list_columns = ["created_at", "subject", "to_addresses", "record", "state", "state_text",
                    "attempts"]
    show_columns = ["subject", "sender", "to_addresses", "cc_addresses", "record", "backend",
                    "language", "state", "state_text", "attempts", "message_id", "created_at",
                    "sent_at", "attachments", "body_text"]
    search_columns = ["state", "subject", "to_addresses", "record_model", "created_at"]
    formatters_columns = {"state": state_badge}
    base_order = ("id", "desc")
    base_permissions = ["can_list", "can_show", "can_retry"]

    @expose("/retry/<int:pk>", methods=["POST"])
    @has_access
    def retry(self, pk):
        row = db.session.get(OutgoingMailRecord, pk)
        if row is None:
            abort(404)
        try:
            retry(db.session, row)
            db.session.commit()
        except ValueError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        except SQLAlchemyError:
            db.session.rollback()
            flash(gettext("Not saved: changed by someone else meanwhile; reload and try "
                          "again."), "danger")
        else:
            flash(gettext("Queued again: the same message is sent"), "success")
        return redirect(url_for("OutgoingMailView.show", pk=pk))



class IncomingMailView(RecordView):
    route_base = "/mail/incoming"
    datamodel = CappedCountInterface(IncomingMailRecord, eager_relations=("backend",))
    list_title = _l("Incoming mails")
    show_title = _l("Incoming mail")
    label_columns = {"received_at": _l("Received at"), "sender": _l("From"),
                     "subject": _l("Subject"), "state": _l("State"), "routed_to": _l("Routed to"),
                     "backend": _l("Account"), "folder": _l("Folder"),
                     "message_id": _l("Message-ID"), "size": _l("Size (bytes)"),
                     "record": _l("Answers"), "event_id": _l("Stored event")}
    list_columns = ["received_at", "sender", "subject", "state", "routed_to"]
    show_columns = ["sender", "subject", "backend", "folder", "state", "routed_to", "record",
                    "message_id", "size", "received_at", "event_id"]
    search_columns = ["state", "sender", "subject", "received_at"]
    formatters_columns = {"state": state_badge}
    base_order = ("id", "desc")
    base_permissions = ["can_list", "can_show"]



class MailFolderView(RecordView):
    """Each account's folders: when it was last read, what it stored, the
    last error (the server's words) and when."""
    route_base = "/mail/mailboxes"
    datamodel = CappedCountInterface(MailFolder, eager_relations=("backend",))
    list_title = _l("Mailboxes")
    show_title = _l("Mailbox folder")
    label_columns = {"backend": _l("Account"), "folder": _l("Folder"),
                     "last_poll_at": _l("Last poll"), "last_stored": _l("New at the last poll"),
                     "last_error": _l("Last error"), "last_error_at": _l("Last error at"),
                     "notice": _l("Notice"), "uidvalidity": _l("UIDVALIDITY"),
                     "last_uid": _l("Last UID"), "cursor": _l("Read up to (API cursor)")}
    list_columns = ["backend", "folder", "last_poll_at", "last_stored", "last_error",
                    "last_error_at"]
    show_columns = ["backend", "folder", "last_poll_at", "last_stored", "last_error",
                    "last_error_at", "notice", "uidvalidity", "last_uid", "cursor"]
    base_permissions = ["can_list", "can_show"]
