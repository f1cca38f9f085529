"""Tickets through the mail seam (`tickets.from_message`, what connectors/mail
will call): the customer found by address or created, numbered T-000001, in
the team's first stage, assigned, on the customer's timeline, attachments
kept, a Message-ID read twice is one message; a reply threads by
In-Reply-To and reopens a solved ticket; merging moves the thread and later
answers to the duplicate land on the survivor. SLA in the team's Chinese
calendar: paused while waiting for the customer, breaches escalated once to
the team's manager, and the per-team report."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from core.db import db
from core.security.actor import SYSTEM, acting_as
from tests.helpers import add_user

pytestmark = pytest.mark.addons("service_desk")
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*parts) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=SHANGHAI).astimezone(dt.timezone.utc).replace(tzinfo=None)


@pytest.fixture
def desk(app):
    users = {name: add_user(app, name, ["Support Agent"], "Support") for name in ("ann", "bob")}
    users["mia"] = add_user(app, "mia", ["Support Agent"])  # manages the team, not in it
    with app.app_context(), acting_as(SYSTEM):
        from addons.contacts.models import Company, ContactEmail
        from addons.service_desk.models import DeskTeam, SlaPolicy, WorkCalendar
        from core.security.teams import Team

        team = db.session.scalar(select(Team).where(Team.name == "Support"))
        calendar = db.session.scalar(select(WorkCalendar).where(WorkCalendar.holidays == "CN"))
        db.session.add(DeskTeam(team_id=team.id, manager_id=users["mia"], calendar=calendar))
        db.session.add(SlaPolicy(name="Standard", team_id=team.id, first_response_minutes=60,
                                 resolution_minutes=240))
        db.session.add(Company(name="华东机械有限公司", emails=[
            ContactEmail(kind="work", email="service@huadong.example.cn")]))
        db.session.commit()
        users["team"] = team.id
    return app, users


def _mail(**overrides):
    from addons.service_desk.services import tickets

    fields = dict(sender_email="li.wei@kunde.example.com", sender_name="李伟",
                  subject="打印机无法连接 / printer offline", text="Since this morning.",
                  message_id="<m1@kunde.example.com>", in_reply_to=None, references=(),
                  attachments=(tickets.Attachment("日志.txt", "text/plain", "错误 42".encode()),),
                  channel="mail")
    fields.update(overrides)
    return tickets.from_message(db.session, **fields)


def test_a_mail_opens_a_ticket_and_its_answers_thread_and_reopen(desk):
    app, users = desk
    with app.app_context(), acting_as(SYSTEM):
        from addons.contacts.models import Person, TimelineEntry
        from addons.service_desk.services import tickets

        got = _mail()
        db.session.commit()
        ticket = got.ticket
        assert got.created and ticket.number == "T-000001"
        assert (ticket.channel, ticket.stage.kind, ticket.team_id) == ("mail", "new", users["team"])
        assert ticket.owner_id == users["ann"]  # round robin: the first member
        person = db.session.get(Person, ticket.person_id)
        assert person.name == "李伟" and [e.email for e in person.emails] == [
            "li.wei@kunde.example.com"]
        [attachment] = got.message.attachments
        assert (attachment.filename, attachment.data.decode()) == ("日志.txt", "错误 42")
        entry = db.session.scalar(select(TimelineEntry).where(TimelineEntry.person_id == person.id))
        assert entry.kind == "ticket" and entry.subject.startswith("T-000001 ")

        again = _mail()  # the same mail read twice
        assert again.duplicate and again.ticket.id == ticket.id and len(ticket.messages) == 1

        tickets.reply(db.session, ticket, users["ann"], "请重启打印机。")
        assert ticket.stage.kind == "in_progress" and ticket.first_response_at is not None
        tickets.move(db.session, ticket, _stage(ticket, "solved"))
        assert ticket.solved_at is not None
        db.session.commit()

        answer = _mail(message_id="<m2@kunde.example.com>", subject="Re: 打印机",
                       in_reply_to="<m1@kunde.example.com>", text="Still offline.", attachments=())
        db.session.commit()
        assert (answer.ticket.id, answer.created, answer.reopened) == (ticket.id, False, True)
        assert ticket.stage.kind == "in_progress" and ticket.solved_at is None
        assert [m.direction for m in ticket.messages] == ["in", "out", "in"]

        # a known company address: the company is the customer, no new person
        other = _mail(sender_email="SERVICE@huadong.example.cn", sender_name="Front desk",
                      message_id="<x1@huadong>", subject="Invoice copy", attachments=())
        assert other.created and other.ticket.company.name == "华东机械有限公司"
        assert other.ticket.person_id is None and other.ticket.number == "T-000002"
        assert other.ticket.owner_id == users["bob"]  # the next in turn

        # an answer to a closed ticket opens a new one
        tickets.move(db.session, ticket, _stage(ticket, "closed"))
        late = _mail(message_id="<m4@kunde.example.com>", in_reply_to="<m2@kunde.example.com>",
                     subject="Re: [T-000001] 打印机", attachments=())
        assert late.created and late.ticket.number == "T-000003"
        assert late.ticket.person_id == ticket.person_id


def _stage(ticket, kind):
    from addons.service_desk.services.tickets.stages import stage_of_kind

    return stage_of_kind(db.session, ticket.team_id, kind)


def test_merge_moves_the_thread_and_later_answers_reach_the_survivor(desk):
    app, users = desk
    with app.app_context(), acting_as(SYSTEM):
        from addons.service_desk.services import tickets

        first = _mail().ticket
        second = _mail(message_id="<m9@kunde.example.com>", subject="printer again",
                       attachments=()).ticket
        tickets.reply(db.session, second, users["bob"], "internal: same as T-000001", public=False)
        tickets.merge(db.session, first, second)
        db.session.commit()
        assert second.merged_into_id == first.id and second.stage.kind == "closed"
        assert len(first.messages) == 3 and second.messages == []
        late = _mail(message_id="<m10@kunde.example.com>", in_reply_to="<m9@kunde.example.com>",
                     attachments=())
        assert late.ticket.id == first.id and not late.created
        with pytest.raises(tickets.MergeError):
            tickets.merge(db.session, first, second)
        with pytest.raises(tickets.ThreadError):
            tickets.reply(db.session, second, users["bob"], "hello")
        db.session.rollback()

        # deleted (by an Admin), its timeline entry stays, no longer linking to it
        from addons.contacts.models import TimelineEntry

        number = second.number
        db.session.delete(second)
        db.session.commit()
        entry = db.session.scalar(select(TimelineEntry).where(
            TimelineEntry.subject.startswith(number)))
        assert entry is not None and (entry.source_id, entry.url) == (None, None)


def test_sla_counts_working_time_pauses_while_waiting_and_escalates_once(desk):
    app, users = desk
    with app.app_context(), acting_as(SYSTEM):
        from addons.service_desk.models import Escalation
        from addons.service_desk.services import tickets
        from addons.service_desk.services.sla.breaches import flag_breaches
        from addons.service_desk.services.sla.report import backlog, report

        # Friday 13 Feb 2026 16:00, the eve of the Spring Festival; Saturday 14 Feb is worked
        ticket = _mail(now=at(2026, 2, 13, 16, 0), attachments=()).ticket
        assert ticket.first_response_due == at(2026, 2, 13, 17, 0)
        assert ticket.resolution_due == at(2026, 2, 14, 11, 0)  # 2 h Friday, 2 h Saturday
        db.session.commit()

        assert flag_breaches(db.session, now=at(2026, 2, 13, 17, 10)) is not None
        assert flag_breaches(db.session, now=at(2026, 2, 13, 17, 20)) is None  # once
        db.session.commit()
        [escalation] = db.session.scalars(select(Escalation)).all()
        assert (escalation.target, escalation.owner_id) == ("first_response", users["mia"])
        assert ticket.first_response_breached and not ticket.resolution_breached

        tickets.reply(db.session, ticket, users["ann"], "Which model?", now=at(2026, 2, 13, 17, 30))
        tickets.move(db.session, ticket, _stage(ticket, "waiting"), now=at(2026, 2, 13, 17, 30))
        assert ticket.resolution_due is None  # paused: no deadline, no breach
        assert flag_breaches(db.session, now=at(2026, 2, 20, 12, 0)) is None
        # the customer answers on Tuesday 24 Feb 10:00 (15-23 Feb are holidays)
        _mail(message_id="<m3@kunde.example.com>", in_reply_to="<m1@kunde.example.com>",
              attachments=(), now=at(2026, 2, 24, 10, 0))
        assert ticket.stage.kind == "in_progress" and ticket.paused_since is None
        # paused 30 min Friday + 9 h Saturday + 1 h Tuesday = 630 working minutes
        assert ticket.paused_minutes == 630
        assert ticket.resolution_due == at(2026, 2, 24, 12, 30)
        [queue] = backlog(db.session, at(2026, 2, 24, 11, 0))
        assert (queue.team_id, queue.open, queue.breached) == (users["team"], 1, 1)
        assert queue.ages == {"under_1d": 0, "1_3d": 0, "3_7d": 0, "over_7d": 1}
        tickets.move(db.session, ticket, _stage(ticket, "solved"), now=at(2026, 2, 24, 12, 0))
        db.session.commit()
        assert ticket.first_response_minutes == 90 and ticket.resolution_minutes == 210
        assert not ticket.resolution_breached

        [line] = report(db.session, "team", at(2026, 2, 1), at(2026, 3, 1))
        assert (line.key, line.tickets, line.solved) == (users["team"], 1, 1)
        assert (line.response_met, line.response_breached) == (0, 1)
        assert (line.resolution_met, line.resolution_breached) == (1, 0)
        assert (line.avg_response_minutes, line.avg_resolution_minutes) == (90, 210)


def test_a_team_with_its_own_stages_uses_them_and_only_them(desk):
    app, users = desk
    with app.app_context(), acting_as(SYSTEM):
        from addons.service_desk.models import TicketStage
        from addons.service_desk.services import tickets
        from core.security.teams import Team

        field = Team(name="Field service")
        db.session.add(field)
        db.session.flush()
        triage = TicketStage(name="Triage", name_zh="分诊", kind="new", sequence=1,
                             team_id=field.id)
        onsite = TicketStage(name="On site", name_zh="上门", kind="in_progress", sequence=2,
                             team_id=field.id)
        db.session.add_all([triage, onsite])
        ticket = tickets.open_ticket(db.session, subject="Pump broken", channel="phone",
                                     team_id=field.id)
        assert ticket.stage.name == "Triage" and triage.label() == "Triage"  # no request: en
        with force_locale("zh"):
            assert triage.label() == "分诊"  # the reader's language
        tickets.reply(db.session, ticket, users["ann"], "On my way")  # new -> in progress
        assert ticket.stage.name == "On site"
        with pytest.raises(tickets.StageError):  # the default flow is not this team's
            tickets.move(db.session, ticket, _stage(_mail().ticket, "solved"))
