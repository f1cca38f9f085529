"""The timeline on a company's or person's show page: newest entries first,
"load more", and a form to log a note, call or meeting.

Thin: reading and writing go through services/timeline.py; the contact is
loaded through the view's datamodel, so the record rules decide what exists.
"""
from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, render_template, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_babel import get_timezone, gettext

from connectors import hub
from core.db import db
from core.security.actor import current_actor
from core.views.screen_slots import Panel

from ..models import Company
from ..rules.field_error import ContactFieldError
from ..services import timeline

PAGE = 20


def _when(text: str | None) -> dt.datetime | None:
    """The form's optional date-time, read in the zone the page shows times in."""
    if not text:
        return None
    try:
        naive = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ContactFieldError("occurred_at", f"'{text}' is not a date and time") from None
    return naive.replace(tzinfo=get_timezone()) if naive.tzinfo is None else naive


def timeline_context(view, contact) -> dict:
    """The timeline panel's variables (a screen slot Panel on the company and person pages)."""
    try:
        page = view._timeline_page(contact, request.args.get("timeline_before") or None)
    except ContactFieldError:
        abort(400)
    return {**page, "timeline_kinds": [(k, timeline.KINDS[k].label) for k in timeline.LOGGED],
            "may_log": timeline.may_log(db.session, contact)}


def bindings_context(_view, contact) -> dict:
    """The hub's "in external systems" panel (connectors/hub/templates/hub/bindings_panel.html)."""
    return {"external_bindings": hub.bindings_for(db.session, contact.SYNC_MODEL, [contact.id])}


PANELS = (Panel("hub/bindings_panel.html", context=bindings_context, order=10),
          Panel("contacts/timeline_panel.html", context=timeline_context, order=20))


class TimelinePanel:
    """Mixed into the contact views before RecordView: the timeline's own routes
    (the panels themselves are filled in register(), from PANELS)."""

    def _timeline_page(self, contact, before=None) -> dict:
        entries = timeline.entries_of(db.session, contact, limit=PAGE + 1, before=before,
                                      include_people=isinstance(contact, Company))
        more = len(entries) > PAGE
        entries = entries[:PAGE]
        return {"timeline": entries, "contact": contact, "kind_of": timeline.kind_of,
                "timeline_endpoint": self.endpoint,
                "timeline_next": timeline.cursor_of(entries[-1]) if more else None}

    @expose("/timeline/<int:pk>", methods=["GET"])
    @has_access
    @permission_name("show")
    def timeline_more(self, pk):
        """The next page of entries, as a fragment the show page appends."""
        contact = self.datamodel.get(pk)
        if contact is None:
            abort(404)
        try:
            page = self._timeline_page(contact, request.args.get("before") or None)
        except ContactFieldError:
            abort(400)
        return render_template("contacts/timeline_entries.html", **page)

    @expose("/timeline/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("edit")
    def timeline_log(self, pk):
        """Log a note, call or meeting (CSRF checked by core's request guard)."""
        contact = self.datamodel.get(pk)
        if contact is None:
            abort(404)
        form = request.form
        try:
            timeline.log_activity(db.session, contact, form.get("kind", ""),
                                  form.get("subject", ""), body=form.get("body"),
                                  occurred_at=_when(form.get("occurred_at")),
                                  author_id=current_actor().user_id)
        except ContactFieldError as exc:
            db.session.rollback()
            flash(gettext("Not logged: %(field)s: %(why)s", field=exc.field, why=exc.message),
                  "danger")
        else:
            db.session.commit()
            flash(gettext("Logged on the timeline."), "success")
        return redirect(url_for(f"{self.endpoint}.show", pk=pk) + "#timeline")
