"""Intake (addons/social_leads/services/intake.py), the door every channel
uses: a new person becomes a lead, attributed; the same person again, by
e-mail or by platform id, touches the open lead (an activity for its owner,
a touch for the report) instead of a second lead; a known contact is linked;
an invalid phone is kept in words; an event with nothing to identify the
person fails its hub job with the reason and, once the mapping is fixed,
is replayed from the jobs screen; the attribution stays through the
conversion to an opportunity and shows on its order."""
from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import func, select

from connectors import hub
from core.db import db
from core.security.actor import SYSTEM, acting_as
from tests.helpers import add_user, csrf_token, login

pytestmark = pytest.mark.addons("social_leads")
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
WHEN = dt.datetime(2026, 12, 1, 9, 30)


def incoming(channel="web_form", external_id="s-1", **fields):
    from addons.social_leads.services.incoming import Attribution, IncomingLead

    attribution = fields.pop("attribution", None) or Attribution(channel=channel)
    return IncomingLead(attribution=attribution, external_id=external_id, received_at=WHEN,
                        **fields)


def admin_client(app):
    add_user(app, "admin1", ["Admin"])
    client = app.test_client()
    login(client, "admin1")
    return client


def take(**fields):
    from addons.social_leads.services.intake import take_in

    got = take_in(db.session, incoming(**fields))
    db.session.commit()
    return got


def test_one_person_by_email_and_by_wechat_id_is_one_lead_touched_again(app):
    from addons.sales.models.activity import Activity
    from addons.sales.models.lead import Lead
    from addons.social_leads.models import LeadTouch, SocialIdentity
    from addons.social_leads.services.incoming import Attribution, Identity

    sam = add_user(app, "sam", ["Salesperson"])
    openid = Identity("wechat_openid:wx123", "oAbC-openid-1")
    with app.app_context():
        first = take(channel="wechat_official", external_id="wx-evt-1", name="王芳",
                     email="Wang.Fang@Example.CN", phone="138 0013 8000", owner_id=sam,
                     identities=(openid,), message="想了解报价",
                     attribution=Attribution(channel="wechat_official", campaign="展会2026",
                                             qr_scene="booth-7"))
        assert first.created and first.summary.startswith("WeChat wx-evt-1: new lead #")
        lead = db.session.get(Lead, first.lead_id)
        assert (lead.name, lead.email, lead.phone, lead.owner_id, lead.type) == (
            "王芳 - WeChat", "wang.fang@example.cn", "+8613800138000", sam, "lead")
        assert (lead.source, lead.campaign, lead.channel, lead.qr_scene, lead.utm_source) == (
            "wechat_official", "展会2026", "wechat_official", "booth-7", None)
        assert lead.description == ("想了解报价\nName: 王芳\nE-mail: Wang.Fang@Example.CN\n"
                                    "Phone: 138 0013 8000")

        # the same address, typed otherwise, from the web form: the same lead
        again = take(external_id="form-2", name="Fang Wang", email="WANG.FANG@example.cn",
                     message="Please call me", attribution=Attribution(
                         channel="web_form", form="Contact us", utm_source="baidu",
                         utm_medium="cpc", utm_campaign="spring"))
        # a WeChat message by the openid alone: touches it, never creates one
        message = take(channel="wechat_official", external_id="wx-msg-3", touch_only=True,
                       identities=(openid,), message="还在吗？")
        stranger = take(channel="wechat_official", external_id="wx-msg-4", touch_only=True,
                        identities=(Identity("wechat_openid:wx123", "someone-else"),),
                        message="hi")
        replay = take(external_id="form-2", email="wang.fang@example.cn")
        assert [(g.lead_id, g.created) for g in (again, message, stranger, replay)] == [
            (lead.id, False), (lead.id, False), (None, False), (lead.id, False)]
        assert stranger.summary.endswith("no lead of this person to add it to; nothing written")
        assert "already taken in" in replay.summary

        assert db.session.scalar(select(func.count(Lead.id))) == 1
        activities = db.session.execute(select(Activity.summary, Activity.owner_id, Activity.note)
                                        .where(Activity.lead_id == lead.id)
                                        .order_by(Activity.id)).all()
        assert [tuple(a) for a in activities] == [
            ("Web form: submitted the form again", sam,
             "Please call me\nName: Fang Wang\nE-mail: WANG.FANG@example.cn"),
            ("WeChat: new message", sam, "还在吗？")]
        touches = db.session.execute(select(LeadTouch.external_id, LeadTouch.created,
                                            LeadTouch.channel, LeadTouch.campaign,
                                            LeadTouch.utm_source, LeadTouch.form)
                                     .order_by(LeadTouch.id)).all()
        assert [tuple(t) for t in touches] == [
            ("wx-evt-1", True, "wechat_official", "展会2026", None, None),
            ("form-2", False, "web_form", None, "baidu", "Contact us"),
            ("wx-msg-3", False, "wechat_official", None, None, None)]
        assert [tuple(r) for r in db.session.execute(
            select(SocialIdentity.kind, SocialIdentity.value, SocialIdentity.lead_id))] == [
            ("wechat_openid:wx123", "oAbC-openid-1", lead.id)]
        # the first touch's attribution stays on the lead
        db.session.expire_all()
        lead = db.session.get(Lead, first.lead_id)
        assert (lead.channel, lead.campaign, lead.utm_source) == (
            "wechat_official", "展会2026", None)


@SQLITE_ONLY
def test_a_known_contact_is_linked_and_an_invalid_phone_kept_in_words(app):
    from addons.contacts.models import ContactEmail, Person, TimelineEntry
    from addons.sales.models.lead import Lead
    from addons.social_leads.services.incoming import Identity

    with app.app_context(), acting_as(SYSTEM):
        person = Person(name="李伟", emails=[ContactEmail(kind="work",
                                                        email="li.wei@kunde.example.cn")])
        db.session.add(person)
        db.session.commit()
        person_id = person.id
        got = take(external_id="form-9", name="Li Wei", email="li.wei@kunde.example.cn",
                   phone="12", identities=(Identity("wechat_unionid", "u-777"),))
        lead = db.session.get(Lead, got.lead_id)
        assert (lead.person_id, lead.phone, lead.email) == (
            person_id, None, "li.wei@kunde.example.cn")
        assert lead.description.endswith(
            "Phone: 12\nNot kept as typed (phone: '12' is not a valid phone number)")
        entry = db.session.scalar(select(TimelineEntry).where(TimelineEntry.person_id == person_id))
        assert (entry.kind, entry.subject) == ("social_lead", "Web form: new lead Li Wei - Web form")
    admin = admin_client(app)
    html = admin.get(f"/personview/show/{person_id}").get_data(as_text=True)
    assert 'id="social-identities"' in html and "u-777" in html


# --- a mapping that loses the person, fixed, and the event replayed -----------
MAPPING = {"email": "mail"}  # the channel's field for the e-mail; "mail" is the bug


def _process_test_event(session, event) -> str:
    from addons.social_leads.services.intake import take_in

    payload = event.json()
    return take_in(session, incoming(external_id=event.external_id,
                                     email=payload.get(MAPPING["email"]))).summary


TEST_INBOUND = hub.Inbound(source="test.social_leads", process=_process_test_event)


@SQLITE_ONLY
def test_nothing_to_identify_fails_with_the_reason_and_replays_after_the_fix(make_app):
    from addons.sales.models.lead import Lead
    from connectors.hub.models import SyncJob

    hub.register(TEST_INBOUND)
    app = make_app(hub_backoff_base_seconds=0.1, hub_backoff_ceiling_seconds=0.2)
    with app.app_context():
        event = hub.receive(db.session, TEST_INBOUND, "lead-77",
                            {"email": "zhao.lei@example.cn"})
        db.session.commit()
        event_id = event.id

    def job_when(state):
        app.extensions["hub"].start_worker(1)
        try:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                with app.app_context():
                    job = db.session.scalars(select(SyncJob).where(
                        SyncJob.record_id == event_id, SyncJob.kind == TEST_INBOUND.kind)).one()
                    if job.state == state:
                        return job.id, job.last_error, job.result
                    db.session.remove()
                time.sleep(0.05)
            raise AssertionError(f"job of event {event_id} never {state}")
        finally:
            app.extensions["hub"].stop()

    MAPPING["email"] = "mail"
    job_id, error, _ = job_when("failed")
    assert error == ("Web form lead-77: nothing to reach or identify the person by (no name, "
                     "e-mail, phone or platform id; no value at all)")
    MAPPING["email"] = "email"  # the mapping fixed
    admin = admin_client(app)
    token = csrf_token(admin.get("/hub/jobs/").get_data(as_text=True))
    assert admin.post(f"/hub/jobs/{job_id}/retry", data={"csrf_token": token}).status_code == 302
    _, _, result = job_when("done")
    with app.app_context():
        lead = db.session.scalars(select(Lead)).one()
        assert result == f"Web form lead-77: new lead #{lead.id} zhao.lei@example.cn - Web form"
        assert lead.email == "zhao.lei@example.cn"


def test_attribution_stays_through_conversion_and_shows_on_the_order(app):
    from decimal import Decimal

    from addons.sales.models.currency import Currency
    from addons.sales.models.lead import Lead
    from addons.sales.models.sales_order import SalesOrder
    from addons.sales.services.leads.lead_conversion import convert
    from addons.social_leads.services.incoming import Attribution

    with app.app_context(), acting_as(SYSTEM):
        got = take(external_id="form-5", name="陈静", company="华南贸易", email="chen@hn.example.cn",
                   attribution=Attribution(channel="web_form", campaign="Q4 webinar",
                                           form="Webinar signup", utm_source="linkedin",
                                           utm_medium="social", utm_campaign="q4",
                                           utm_term="crm", utm_content="banner-b"))
        lead = db.session.get(Lead, got.lead_id)
        convert(db.session, lead, create_company=True, create_person=True)
        lead.expected_revenue = Decimal("5000")
        currency = db.session.scalars(select(Currency).order_by(Currency.id)).first()
        order = SalesOrder(company_id=lead.company_id, lead_id=lead.id, currency_id=currency.id)
        db.session.add(order)
        db.session.commit()
        order_id = order.id
        db.session.expire_all()
        lead = db.session.get(Lead, got.lead_id)
        assert (lead.type, lead.source, lead.campaign, lead.channel, lead.form, lead.utm_source,
                lead.utm_medium, lead.utm_campaign, lead.utm_term, lead.utm_content) == (
            "opportunity", "web_form", "Q4 webinar", "web_form", "Webinar signup", "linkedin",
            "social", "q4", "crm", "banner-b")
    admin = admin_client(app)
    for page in (f"/opportunityview/show/{got.lead_id}", f"/quotationview/show/{order_id}"):
        html = admin.get(page).get_data(as_text=True)
        panel = html.split('id="social-attribution"', 1)[1].split("</table>", 1)[0]
        for value in ("Q4 webinar", "Web form", "Webinar signup", "linkedin", "social", "q4",
                      "crm", "banner-b"):
            assert f"<td>{value}</td>" in panel, (page, value)


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_two_workers_taking_in_one_person_at_once_make_one_lead(app):
    import threading

    from addons.sales.models.lead import Lead
    from addons.social_leads.models import LeadTouch
    from addons.social_leads.services.intake import take_in

    start = threading.Barrier(2, timeout=10)
    got, errors = [], []

    def worker(channel, external_id):
        try:
            with app.app_context():
                start.wait()
                got.append(take_in(db.session, incoming(channel=channel, external_id=external_id,
                                                        name="吴磊", email="wu.lei@example.cn")))
                db.session.commit()
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=args)
               for args in (("web_form", "form-a"), ("meta", "leadgen-b"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert errors == [] and sorted(g.created for g in got) == [False, True]
    with app.app_context():
        assert db.session.scalar(select(func.count(Lead.id))) == 1
        assert db.session.scalar(select(func.count(LeadTouch.id))) == 2
