"""The personal data tests' world: a person with data in every installed
addon (contacts, sales, invoicing, service desk, mail, social leads).
Imported by tests/integration/test_contacts_personal_data*.py (the `world`
fixture with it)."""
from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.db import db
from core.security.actor import SYSTEM, acting_as
from tests.helpers import add_user

ADDONS = ("contacts", "sales", "invoicing_link", "service_desk", "mail_gateway", "social_leads")
NAME, EMAIL, PHONE = "周雨欣", "Yuxin.Zhou@kehu.example.cn", "+86 139 1234 5678"
OPENID = "oAbC-yuxin-openid-7731"


def _raw_mail() -> bytes:
    return (f"From: {EMAIL}\r\nTo: sales@ours.example.cn\r\nSubject: quote please\r\n"
            f"Message-ID: <q1@kehu.example.cn>\r\n\r\nRegards, Zhou Yuxin {PHONE}\r\n").encode()


@pytest.fixture(name="world")
def world_fixture(app):
    """The person, with a lead, an activity, a confirmed and invoiced order, a
    ticket with an attachment and a rating, a mail in and out, a WeChat
    identity, a touch, a consent and the raw web form submission."""
    owner = add_user(app, "s1", ["Salesperson"])
    with app.app_context(), acting_as(SYSTEM):
        from addons.contacts.models import (Company, ContactEmail, ContactPhone, Person,
                                            TimelineEntry)
        from addons.invoicing_link.services.invoices import draft_from_order, issue_invoice
        from addons.mail_gateway.models.incoming_mail import ROUTED, IncomingMailRecord
        from addons.mail_gateway.models.outgoing_mail import (SENT, MailAttachment,
                                                              OutgoingMailRecord)
        from addons.mail_gateway.services.inbound import MAIL_INBOUND
        from addons.mail_gateway.services.stored_mail import payload
        from addons.sales.models import Activity, Currency, Lead, Product, SalesOrder, Tax
        from addons.sales.services.orders import order_states
        from addons.sales.services.orders.order_lines import new_line
        from addons.service_desk.models import Escalation, Rating
        from addons.service_desk.services import tickets
        from addons.social_leads.models import Consent, LeadTouch, SocialIdentity
        from addons.social_leads.services.web_form.processing import WEB_FORM_INBOUND
        from connectors import hub

        company = Company(name="Kehu Trading 客户贸易", owner_id=owner)
        person = Person(name=NAME, company=company, owner_id=owner, job_title="采购经理",
                        street="浦东新区世纪大道100号", city="上海", notes=f"{NAME} prefers WeChat",
                        emails=[ContactEmail(kind="work", email=EMAIL)],
                        phones=[ContactPhone(kind="mobile", number=PHONE)])
        db.session.add_all([company, person])
        db.session.flush()
        db.session.add(TimelineEntry(person=person, kind="call", subject=f"Call with {NAME}",
                                     body="wants 3 units",
                                     occurred_at=dt.datetime(2026, 12, 1, 2, tzinfo=dt.UTC)))
        lead = Lead(name=f"{NAME} - WeChat", person=person, contact_name=NAME, email=EMAIL,
                    phone=PHONE, description=f"asked for a quote, {PHONE}", owner_id=owner)
        db.session.add(lead)
        db.session.flush()
        db.session.add(Activity(kind="call", summary=f"Call {NAME} back", note=EMAIL,
                                due_date=dt.date(2026, 12, 8), owner_id=owner, person_id=person.id))
        cny = db.session.scalars(select(Currency).filter_by(code="CNY")).one()
        vat13 = db.session.scalars(select(Tax).filter_by(name="VAT 13%")).one()
        product = Product(code="W-1", name="Widget", list_price=Decimal("100"), currency=cny,
                          tax=vat13)
        order = SalesOrder(company=company, person=person, currency=cny, owner_id=owner)
        db.session.add_all([product, order])
        db.session.flush()
        new_line(db.session, order, product, Decimal(3), discount=Decimal(0))
        db.session.commit()
        order_states.confirm(db.session, order)
        db.session.commit()
        invoice = draft_from_order.invoice_order(db.session, order)
        db.session.flush()
        issue_invoice.issue(db.session, invoice)
        db.session.commit()

        ticket = tickets.from_message(
            db.session, sender_email=EMAIL, sender_name=NAME, subject=f"{NAME}: 打印机坏了",
            text=f"call me on {PHONE}", message_id="<t1@kehu.example.cn>", in_reply_to=None,
            references=(), channel="mail",
            attachments=(tickets.Attachment("发票.pdf", "application/pdf", b"%PDF yuxin"),)).ticket
        db.session.add(Rating(ticket_id=ticket.id, score=2, comment=f"slow, {NAME}"))
        db.session.add(Escalation(ticket_id=ticket.id, target="resolution",
                                  summary=f"{ticket.number} missed: {ticket.subject}"))

        event = hub.receive(db.session, MAIL_INBOUND, "<q1@kehu.example.cn>",
                            payload(1, "INBOX", 7, len(_raw_mail()), True, _raw_mail()))
        db.session.add(IncomingMailRecord(event_id=event.id, folder="INBOX",
                                          message_id="<q1@kehu.example.cn>", sender=EMAIL.lower(),
                                          subject="quote please", size=90, state=ROUTED))
        db.session.add(OutgoingMailRecord(
            record_model="sales.lead", record_id=lead.id, reference="L1",
            sender="sales@ours.example.cn", to_addresses=EMAIL, subject=f"您好 {NAME}",
            body_text=f"Dear {NAME}, our quote.", state=SENT,
            attachments=[MailAttachment(filename="quote.pdf", content_type="application/pdf",
                                        content=b"%PDF quote")]))

        submission = str(uuid.uuid4())
        db.session.add_all([
            SocialIdentity(kind="wechat_openid", value=OPENID, lead_id=lead.id,
                           person_id=person.id),
            LeadTouch(lead_id=lead.id, created=True, external_id=OPENID,
                      touched_at=dt.datetime(2026, 12, 1, 1), channel="wechat"),
            Consent(submission_id=submission, text="我同意 / I agree", language="zh",
                    given_at=dt.datetime(2026, 12, 1, 1), address="203.0.113.9", email=EMAIL,
                    phone=PHONE)])
        hub.receive(db.session, WEB_FORM_INBOUND, submission,
                    {"values": {"name": NAME, "email": EMAIL, "phone": PHONE}})
        db.session.commit()
        return {"person": person.id, "invoice": invoice.id, "number": invoice.number,
                "total": invoice.amount_total, "ticket": ticket.number}
