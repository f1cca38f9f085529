"""A person's personal data (PIPL art. 45/47, GDPR art. 15/17): a customer
with data in every installed addon (contacts, sales, invoicing, service desk,
mail, social leads) is exported as a ZIP holding each piece, and erased in
one transaction that leaves their name, e-mail and phone in no text column of
any table, keeps the issued invoice and the audit rows, and is itself audited.
A failing provider undoes everything; only Admin may do either, GET changes
nothing. The commands: test_contacts_personal_data_commands.py."""
from __future__ import annotations

import io
import json
import re
import zipfile
from decimal import Decimal

import pytest
from sqlalchemy import inspect, select, text

from core.db import db
from tests.helpers import login
from tests.personal_data_world import ADDONS, EMAIL, NAME, OPENID, PHONE, world_fixture  # noqa: F401

pytestmark = pytest.mark.addons(*ADDONS)

# what must be gone after the erasure, wherever it was copied (E.164 and national too)
TRACES = (NAME, EMAIL.lower(), "+8613912345678", "139 1234 5678", OPENID,
          "浦东新区世纪大道100号")
OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")


def _admin(client_as):
    return client_as("Admin")


def _audit_count() -> int:
    return db.session.scalar(text("SELECT count(*) FROM crossdock_audit_log"))


def _traces_left() -> list[str]:
    """`table.column: value` of every text or binary cell holding one of TRACES,
    as written or as JSON text escapes it (the audit log's `changes`)."""
    needles = {n for t in TRACES for n in (t.lower(), json.dumps(t.lower())[1:-1])}
    found = []
    for table in inspect(db.engine).get_table_names():
        for row in db.session.execute(text(f'SELECT * FROM "{table}"')).mappings():
            for column, value in row.items():
                if isinstance(value, (bytes, memoryview)):
                    value = bytes(value).decode("utf-8", "replace")
                elif isinstance(value, (dict, list)):
                    value = json.dumps(value, ensure_ascii=False)
                if isinstance(value, str) and any(n in value.lower() for n in needles):
                    found.append(f"{table}.{column}: {value[:80]}")
    db.session.rollback()
    return found


def test_the_export_holds_each_piece_and_is_audited(app, world, client_as):
    admin = _admin(client_as)
    resp = admin.post(f"/contacts/personal-data/{world['person']}/export",
                      data={"csrf_token": admin.csrf_token})
    assert resp.status_code == 200, resp.get_data(as_text=True)[:400]
    assert resp.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(resp.data))

    def rows(name):
        return json.loads(archive.read(name))

    [person] = rows("contacts/person.json")
    assert (person["name"], person["street"], person["job_title"]) == (
        NAME, "浦东新区世纪大道100号", "采购经理")
    assert rows("contacts/emails.json") == [{"kind": "work", "email": EMAIL}]
    assert rows("contacts/phones.json")[0]["e164"] == "+8613912345678"
    [entry] = [e for e in rows("contacts/timeline.json") if e["kind"] == "call"]
    assert entry["subject"] == f"Call with {NAME}" and OFFSET.match(entry["occurred_at"])
    assert [lead["email"] for lead in rows("sales/leads.json")] == [EMAIL]
    assert rows("sales/activities.json")[0]["summary"] == f"Call {NAME} back"
    [order] = rows("sales/orders.json")
    assert order["state"] == "confirmed" and OFFSET.match(order["confirmed_at"])
    [invoice] = rows("invoicing_link/invoices.json")
    assert (invoice["number"], Decimal(invoice["amount_total"])) == (world["number"],
                                                                     world["total"])
    [ticket] = rows("service_desk/tickets.json")
    assert ticket["number"] == world["ticket"]
    inbound = [m for m in rows("service_desk/messages.json") if m["direction"] == "in"]
    assert inbound[0]["body"] == f"call me on {PHONE}"
    assert archive.read(f"service_desk/files/{inbound[0]['files'][0]}") == b"%PDF yuxin"
    assert rows("service_desk/ratings.json")[0]["comment"] == f"slow, {NAME}"
    [received] = rows("contacts_mail/received.json")
    assert PHONE.encode() in archive.read(f"contacts_mail/files/{received['file']}")
    [sent] = rows("contacts_mail/sent.json")
    assert archive.read(f"contacts_mail/files/{sent['files'][0]}") == b"%PDF quote"
    assert [i["value"] for i in rows("social_leads/identities.json")] == [OPENID]
    [consent] = rows("social_leads/consents.json")
    assert (consent["email"], consent["address"]) == (EMAIL, "203.0.113.9")
    [event] = rows("social_leads/events.json")
    assert EMAIL in archive.read(f"social_leads/files/{event['file']}").decode()
    summary = archive.read("summary.txt").decode()
    assert "个人信息导出 / Personal data export" in summary and NAME in summary
    assert "service_desk/tickets.json  工单 / tickets: 1" in summary
    assert OFFSET.match(re.search(r"Exported at: (\S+)", summary).group(1))

    with app.app_context():
        from core.security.audit import AuditLog

        [audit] = db.session.scalars(select(AuditLog).where(
            AuditLog.action == "export_personal_data")).all()
        assert (audit.actor, audit.record_id) == ("admin", str(world["person"]))
        assert audit.changes["sections"]["service_desk/tickets"] == 1


def test_the_erasure_leaves_no_trace_keeps_the_invoice_and_the_audit_rows(app, world,
                                                                          client_as):
    admin = _admin(client_as)
    with app.app_context():
        assert len(_traces_left()) > 20  # the scan sees the data where it is
        audit_before = _audit_count()
    resp = admin.post(f"/contacts/personal-data/{world['person']}/erase",
                      data={"csrf_token": admin.csrf_token, "confirm": "yes"})
    assert resp.status_code == 200, resp.get_data(as_text=True)[:400]
    page = resp.get_data(as_text=True)
    assert "accounting" in page and "invoicing_link" in page  # kept, and why

    with app.app_context():
        from addons.contacts.models import Person
        from addons.invoicing_link.models import Invoice
        from core.security.audit import AuditLog

        assert _traces_left() == []
        assert db.session.get(Person, world["person"]).name == f"[erased] #{world['person']}"
        invoice = db.session.get(Invoice, world["invoice"])
        assert (invoice.number, invoice.amount_total, invoice.person_id) == (
            world["number"], world["total"], world["person"])
        assert _audit_count() > audit_before  # none gone; the erasure's own rows added
        [event] = db.session.scalars(select(AuditLog).where(
            AuditLog.action == "erase_personal_data")).all()
        assert (event.actor, event.record_id) == ("admin", str(world["person"]))
        assert event.request_id
        done = event.changes["providers"]
        assert {"contacts", "sales", "invoicing_link", "service_desk", "contacts_mail",
                "social_leads"} <= set(done)
        assert {"what": "invoices", "action": "kept", "count": 1} == {
            k: v for k, v in done["invoicing_link"][-1].items() if k != "why"}
        created = db.session.scalars(select(AuditLog).where(
            AuditLog.model == "Person", AuditLog.action == "create",
            AuditLog.record_id == str(world["person"]))).one()
        assert created.changes["name"] == [None, "[erased]"]  # the row stays, the name not
        audit_after = _audit_count()
    for pk, refusal in ((world["person"], "was erased already"), (999999, "does not exist")):
        again = admin.post(f"/contacts/personal-data/{pk}/erase",
                           data={"csrf_token": admin.csrf_token, "confirm": "yes"},
                           follow_redirects=True)
        assert refusal in again.get_data(as_text=True)
    with app.app_context():
        assert _audit_count() == audit_after


def test_a_failing_provider_leaves_everything_as_it_was(app, world, client_as, monkeypatch):
    from addons.contacts.services.personal_data import provider

    def refuse(session, subject):
        raise RuntimeError("the archive is offline")

    failing = provider.Provider("archive", lambda s, p: provider.Found(), refuse)
    monkeypatch.setattr(provider.personal_data, "_hooks",
                        [*provider.personal_data._hooks, ("sales", failing)])
    admin = _admin(client_as)
    with app.app_context():
        audit_before, traces_before = _audit_count(), _traces_left()
    resp = admin.post(f"/contacts/personal-data/{world['person']}/erase",
                      data={"csrf_token": admin.csrf_token, "confirm": "yes"},
                      follow_redirects=True)
    assert "archive: the archive is offline" in resp.get_data(as_text=True)
    with app.app_context():
        assert (_audit_count(), _traces_left()) == (audit_before, traces_before)


def test_only_admin_may_and_a_get_changes_nothing(app, world, client_as):
    pk = world["person"]
    owner = app.test_client()  # s1, the person's owner, a Salesperson
    owner.csrf_token = login(owner, "s1")
    admin = _admin(client_as)
    with app.app_context():
        audit_before = _audit_count()
    assert owner.post(f"/contacts/personal-data/{pk}/export",
                      data={"csrf_token": owner.csrf_token}).status_code == 403
    assert owner.post(f"/contacts/personal-data/{pk}/erase",
                      data={"csrf_token": owner.csrf_token, "confirm": "yes"}).status_code == 403
    assert owner.get(f"/contacts/personal-data/{pk}/erase").status_code == 403
    shown = owner.get(f"/personview/show/{pk}")
    assert shown.status_code == 200 and "personal-data" not in shown.get_data(as_text=True)
    page = admin.get(f"/personview/show/{pk}").get_data(as_text=True)
    assert f"/contacts/personal-data/{pk}/export" in page
    assert admin.get(f"/contacts/personal-data/{pk}/erase").status_code == 200
    assert admin.get(f"/contacts/personal-data/{pk}/export").status_code == 405
    unconfirmed = admin.post(f"/contacts/personal-data/{pk}/erase",
                             data={"csrf_token": admin.csrf_token})
    assert unconfirmed.status_code == 302
    assert admin.post(f"/contacts/personal-data/{pk}/erase",
                      data={"confirm": "yes"}).status_code == 400  # no CSRF token
    with app.app_context():
        from addons.contacts.models import Person

        assert _audit_count() == audit_before

        assert db.session.get(Person, pk).name == NAME


def test_the_audit_log_takes_only_an_erasure_marker_in_changes(app):
    """The one exception to append-only (platform migration 0014): `changes`
    rewritten to hold the marker, every other column as it was."""
    from sqlalchemy.exc import DBAPIError

    with app.app_context():
        with db.engine.connect() as conn:  # the install's rows
            first = conn.execute(text("SELECT min(id) FROM crossdock_audit_log")).scalar()
        for statement in (
                "UPDATE crossdock_audit_log SET changes = '{\"name\": \"other\"}' WHERE id = :id",
                "UPDATE crossdock_audit_log SET changes = '{\"name\": \"[erased]\"}', "
                "actor = 'someone else' WHERE id = :id",
                "DELETE FROM crossdock_audit_log WHERE id = :id"):
            with db.engine.connect() as conn:
                with pytest.raises(DBAPIError, match="append-only"):
                    conn.execute(text(statement), {"id": first})
                conn.rollback()
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE crossdock_audit_log SET changes = "
                              "'{\"name\": \"[erased]\"}' WHERE id = :id"), {"id": first})
