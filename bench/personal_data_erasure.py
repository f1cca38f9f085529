"""Personal data figures: exporting and erasing one person while the audit
log holds N rows of other people's changes (the erasure reads the rows of the
records it changed by index and scans the whole log once for the person's
name, e-mails and phones, services/personal_data/erase_personal_data.py).

The person has 20 leads, 20 tickets with 3 messages each, and 40 audit rows
of their own; other people's rows are bulk-inserted. Times as the system (the
CLI's actor), one run each, on SQLite unless --postgres (a throwaway cluster,
bench/pg_cluster.py). Not part of the test verdict.

    .venv/bin/python bench/personal_data_erasure.py [--audit-rows 1000000] [--postgres]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select  # noqa: E402

BATCH = 20_000
ADDONS = ("contacts", "sales", "service_desk")


def fill_audit(session, n: int) -> None:
    from core.security.audit import AuditLog

    at = dt.datetime(2026, 1, 1)
    for first in range(0, n, BATCH):
        session.connection().execute(insert(AuditLog.__table__), [
            {"at": at, "actor": "seed", "action": "update", "model": "Person",
             "record_id": str(100_000 + i), "request_id": "seed",
             "changes": {"name": [f"Person {i}", f"Person {i} 李"],
                         "notes": [None, f"called on +86 139 {i:08d}"]}}
            for i in range(first, min(n, first + BATCH))])
    session.commit()


def the_person(session) -> int:
    from addons.contacts.models import ContactEmail, ContactPhone, Person
    from addons.sales.models import Lead
    from addons.service_desk.models import Ticket, TicketMessage

    person = Person(name="周雨欣 Zhou Yuxin", street="世纪大道100号",
                    emails=[ContactEmail(email="yuxin.zhou@kehu.example.cn")],
                    phones=[ContactPhone(number="+86 139 1234 5678")])
    session.add(person)
    session.flush()
    for i in range(20):
        session.add(Lead(name=f"enquiry {i}", person_id=person.id, contact_name=person.name,
                         email="yuxin.zhou@kehu.example.cn"))
        session.add(Ticket(subject=f"printer {i}", person_id=person.id,
                           contact_email="yuxin.zhou@kehu.example.cn", messages=[
                               TicketMessage(direction="in", body=f"message {i}.{m}",
                                             author_email="yuxin.zhou@kehu.example.cn")
                               for m in range(3)]))
    session.commit()
    return person.id


def run(url: str, audit_rows: int) -> None:
    from addons.contacts.services.personal_data import erase_personal_data
    from addons.contacts.services.personal_data.export_personal_data import export_zip
    from core.app import create_app
    from core.db import db
    from core.security.actor import SYSTEM, acting_as
    from core.security.audit import AuditLog
    from tests.conftest import test_settings
    from tests.helpers import install

    app = create_app(test_settings(Path(tempfile.mkdtemp()) / "instance", url))
    install(app, *ADDONS)
    with app.app_context(), acting_as(SYSTEM):
        t = time.perf_counter()
        fill_audit(db.session, audit_rows)
        person_id = the_person(db.session)
        total = db.session.scalar(select(func.count()).select_from(AuditLog))
        db.session.rollback()
        print(f"seeded: {total} audit rows in {time.perf_counter() - t:.1f} s")

        t = time.perf_counter()
        _name, data = export_zip(db.session, person_id)
        db.session.commit()
        print(f"export: {len(data) / 1024:.0f} KiB ZIP in {time.perf_counter() - t:.2f} s")

        t = time.perf_counter()
        done = erase_personal_data.erase(db.session, person_id)
        db.session.commit()
        seconds = time.perf_counter() - t
        event = db.session.scalars(select(AuditLog).where(
            AuditLog.action == "erase_personal_data")).one()
        changed = sum(o.count for outcomes in done.values() for o in outcomes)
        print(json.dumps(event.changes["providers"]["service_desk"], ensure_ascii=False))
        print(f"erase: {changed} records, {event.changes['audit_rows_blanked']} audit rows "
              f"blanked, of {total}, in {seconds:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--audit-rows", type=int, default=1_000_000)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    if args.postgres:
        from bench.pg_cluster import create_database, pg_cluster

        with pg_cluster() as admin_url:
            run(create_database(admin_url, "erasure"), args.audit_rows)
    else:
        run(f"sqlite:///{tempfile.mkdtemp()}/erasure.sqlite", args.audit_rows)


if __name__ == "__main__":
    main()
