"""A record's activities as a panel: open ones first, recent done ones, and an
inline "schedule activity" form posting to MyActivitiesView.

Used by the activities-of-a-record page (/sales/activities/of/<parent>/<pk>)
and mixed into the lead/opportunity screens:

    class _LeadViewBase(ActivityPanel, LeadActions, ..., RecordView)

with ``{% include "sales/activity_panel.html" %}`` in the show template's
``record_panels`` block. The panel reads through the ORM (record rules).
"""
from __future__ import annotations

import datetime as dt

from flask import request
from flask_babel import gettext, to_utc
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.security.actor import current_actor
from core.views.link_maker import link_maker

from ..models.activity import KINDS, Activity
from ..models.lead import Lead
from ..services.activities.scheduling import ActivityError, today

DONE_SHOWN = 10


def _company():
    from addons.contacts.models import Company
    return Company


def _person():
    from addons.contacts.models import Person
    return Person


PARENTS = {"lead": lambda: Lead, "company": _company, "person": _person}
PARENT_COLUMN = {"lead": "lead_id", "company": "company_id", "person": "person_id"}


def parent_key(record) -> str:
    for key, model in PARENTS.items():
        if isinstance(record, model()):
            return key
    raise TypeError(f"no activities on {record!r}")


def row_context() -> dict:
    """What sales/activity_row.html needs besides the row, made once per page:
    its links and its words (per row they cost more than the row itself)."""
    from flask_wtf.csrf import generate_csrf

    of_record = {parent: link_maker("MyActivitiesView.of_record", parent=parent)
                 for parent in ("lead", "company", "person")}
    return {"row_done_link": link_maker("MyActivitiesView.done"), "row_of_record": of_record,
            "row_csrf": generate_csrf(),
            "row_words": {"done_note": gettext("Done note"), "done": gettext("Done"),
                          "outcome": gettext("Outcome (optional)")}}


def panel_context(session: Session, record, parent: str | None = None,
                  back: str | None = None) -> dict:
    """Template variables of sales/activity_panel.html for `record`."""
    from .activity_view import KIND_LABELS

    parent = parent or parent_key(record)
    column = getattr(Activity, PARENT_COLUMN[parent])
    open_rows = list(session.scalars(
        select(Activity).where(column == record.id, Activity.done_at.is_(None))
        .order_by(Activity.due_date, Activity.due_time, Activity.id)))
    done_rows = list(session.scalars(
        select(Activity).where(column == record.id, Activity.done_at.is_not(None))
        .order_by(Activity.done_at.desc(), Activity.id.desc()).limit(DONE_SHOWN)))
    actor = current_actor()
    may_schedule = actor.user_id is not None and _may_create()
    return {"activity_parent": parent, "activity_record": record,
            "activities_open": open_rows, "activities_done": done_rows,
            "activity_kinds": [(k, str(KIND_LABELS[k])) for k in KINDS],
            "activity_today": today(), "activity_may_schedule": may_schedule,
            "activity_back": back or request.full_path, **row_context()}


def _may_create() -> bool:
    from flask import current_app

    sm = current_app.appbuilder.sm
    return sm.has_access("can_add", "MyActivitiesView")


def _date(form, name: str, required: bool) -> dt.date | None:
    text = (form.get(name) or "").strip()
    if not text:
        if required:
            raise ActivityError(name, "a date is required")
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ActivityError(name, f"'{text}' is not a date (YYYY-MM-DD)") from None


def _time(form, name: str) -> dt.time | None:
    text = (form.get(name) or "").strip()
    if not text:
        return None
    try:
        return dt.time.fromisoformat(text)
    except ValueError:
        raise ActivityError(name, f"'{text}' is not a time (HH:MM)") from None


def _datetime(form, name: str) -> dt.datetime | None:
    text = (form.get(name) or "").strip()
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ActivityError(name, f"'{text}' is not a date and time") from None
    if value.tzinfo is not None:
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return to_utc(value)  # typed in the user's time zone


def parse_schedule_form(form) -> dict:
    """The inline form's fields as `schedule()` keywords (ActivityError if malformed)."""
    return {"kind": form.get("kind", ""), "summary": form.get("summary", ""),
            "due_date": _date(form, "due_date", True), "due_time": _time(form, "due_time"),
            "remind_at": _datetime(form, "remind_at"), "note": form.get("note")}


class ActivityPanel:
    """Mixed into a record's view before RecordView (or before a mixin whose
    show_extras it extends): adds the activity panel's variables."""

    def show_extras(self, pk) -> dict:
        extras = super().show_extras(pk)
        record = self.datamodel.get(pk, self._base_filters)
        if record is None:
            return extras
        from core.db import db

        return {**extras, **panel_context(db.session, record)}
