"""Scheduling activities and marking them done (the one door for both).

``schedule(session, parent, *, kind, summary, due_date, due_time=None,
remind_at=None, note=None, owner_id=None) -> Activity``
    A call, meeting or to-do on ``parent`` (a Lead, Company or Person loaded
    through the session, so the record rules already let the caller see it).
    The owner defaults to the acting user, else the parent's owner; the team
    to the parent's team, else the owner's only team. Flushes, never commits;
    bad input raises ActivityError naming the field, before anything is added.

``mark_done(session, activity, note=None) -> Activity``
    Records ``done_at`` (UTC) and the note, puts an entry on the contact's
    timeline (for a lead: its person, else its company, when linked and
    readable) and audits a ``done`` event. Refuses an activity already done.

``check(activity, session=None)``: the validation ``schedule`` runs, for rows
built by FAB's forms and REST schemas (views and API call it in
pre_add/pre_update); with a session it also fills in the default team.

``today()``: the calendar day activities are due against, the reader's
(core/user_time.py), so screens and reminders agree on "overdue".
"""
from __future__ import annotations

import datetime as dt

from flask_babel import gettext, lazy_gettext as _l
from sqlalchemy.orm import Session

from addons.contacts.services import timeline
from core.security.actor import current_actor
from core.security.audit import record_event
from core.security.record_rules import AccessDenied, may_write
from core.security.teams import Team, user_team_ids
from core.user_time import today, utc_now  # noqa: F401  (today: the views import it here)

from ...models.activity import KINDS, Activity
from ...models.lead import Lead

# calls and meetings land on the timeline as its own kinds; a to-do needs one
timeline.declare_kind("todo", _l("To-do"), "fa-check-square-o")

MAX_SUMMARY = 200
TIMELINE_SOURCE = "sales.activity"


class ActivityError(ValueError):
    """Bad input for an activity; `field` names the field, the message says why."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


utcnow = utc_now  # naive UTC, as the sales timestamps are stored


def _parent_fields(parent) -> dict:
    from addons.contacts.models import Company, Person

    if isinstance(parent, Lead):
        return {"lead_id": parent.id}
    if isinstance(parent, Company):
        return {"company_id": parent.id}
    if isinstance(parent, Person):
        return {"person_id": parent.id}
    raise ActivityError("parent", gettext("activities go on a lead, a company or a person, "
                                          "not on %(model)s", model=type(parent).__name__))


def check(activity: Activity, session: Session | None = None) -> None:
    """Refuse an activity that cannot be stored (see the module docstring);
    with a session, also fill in the default team."""
    if activity.kind not in KINDS:
        raise ActivityError("kind", gettext("'%(kind)s' is not one of %(kinds)s",
                                           kind=activity.kind, kinds=", ".join(KINDS)))
    summary = (activity.summary or "").strip()
    if not summary:
        raise ActivityError("summary", gettext("a summary is required"))
    if len(summary) > MAX_SUMMARY:
        raise ActivityError("summary", gettext("at most %(max)s characters (%(n)s given)",
                                              max=MAX_SUMMARY, n=len(summary)))
    activity.summary = summary
    if not isinstance(activity.due_date, dt.date):
        raise ActivityError("due_date", gettext("a due date is required"))
    parents = [n for n in ("lead", "company", "person")
               if getattr(activity, f"{n}_id") is not None or getattr(activity, n) is not None]
    if len(parents) != 1:
        raise ActivityError("parent", gettext("exactly one of lead, company or person is "
                                              "required (%(n)s given)", n=len(parents)))
    if activity.owner_id is None and activity.owner is None:
        activity.owner_id = current_actor().user_id
        if activity.owner_id is None:
            raise ActivityError("owner", gettext("an owner is required"))
    if session is not None and activity.team_id is None and activity.team is None:
        parent = activity.lead or activity.company or activity.person
        owner = activity.owner_id if activity.owner_id is not None else activity.owner.id
        team_id = _default_team(session, parent, owner)
        # the relationship, not the column: a form set `team` to None, which
        # would win over team_id at the flush
        activity.team = session.get(Team, team_id) if team_id is not None else None


def _default_team(session: Session, parent, owner_id: int) -> int | None:
    team = getattr(parent, "team_id", None)
    if team is not None:
        return team
    teams = user_team_ids(session, owner_id)
    return next(iter(teams)) if len(teams) == 1 else None


def schedule(session: Session, parent, *, kind: str, summary: str, due_date: dt.date,
             due_time: dt.time | None = None, remind_at: dt.datetime | None = None,
             note: str | None = None, owner_id: int | None = None) -> Activity:
    """See the module docstring."""
    fields = _parent_fields(parent)
    owner_id = owner_id or current_actor().user_id or getattr(parent, "owner_id", None)
    activity = Activity(kind=kind, summary=summary, due_date=due_date, due_time=due_time,
                        remind_at=remind_at, note=(note or "").strip() or None,
                        owner_id=owner_id, **fields)
    check(activity)
    activity.team_id = _default_team(session, parent, activity.owner_id)
    session.add(activity)
    session.flush()  # the record rules check the new owner here
    return activity


def _timeline_contact(activity: Activity):
    """Where the done activity is told: its contact, or the lead's person/company."""
    if activity.company_id or activity.person_id:
        return activity.company or activity.person
    lead = activity.lead
    if lead is None:
        return None
    return lead.person or lead.company  # None when unlinked or not readable


def mark_done(session: Session, activity: Activity, note: str | None = None) -> Activity:
    """See the module docstring."""
    if activity.done_at is not None:
        raise ActivityError("done_at", gettext("activity #%(id)s was already done on %(when)s",
                                               id=activity.id,
                                               when=f"{activity.done_at:%Y-%m-%d %H:%M} UTC"))
    if not may_write(session, activity):
        raise AccessDenied(gettext("Activity #%(id)s: not yours to complete", id=activity.id))
    note = (note or "").strip() or None
    activity.done_at, activity.done_note = utcnow(), note
    contact = _timeline_contact(activity)
    if contact is not None:
        timeline.attach(session, contact, activity.kind, activity.summary, body=note,
                        occurred_at=activity.done_at.replace(tzinfo=dt.timezone.utc),
                        author_id=current_actor().user_id,
                        source=(TIMELINE_SOURCE, activity.id))
    session.flush()
    record_event(session, "done", "Activity", activity.id,
                 {"kind": activity.kind, "summary": activity.summary, "note": note,
                  "timeline": contact is not None})
    return activity
