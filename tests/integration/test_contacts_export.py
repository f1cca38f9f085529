"""Exporting the Companies and People lists to CSV and XLSX: the filtered list,
only what the record rules show, Chinese intact, formulas neutralised."""
from __future__ import annotations

import codecs
import csv
import io

import pytest

from core.db import db
from tests.helpers import add_user, install, login

pytestmark = pytest.mark.addons("contacts")


@pytest.fixture
def world(app):
    install(app, "contacts")
    users = {name: add_user(app, name, roles, team) for name, roles, team in (
        ("s1", ["Salesperson"], "A"), ("s2", ["Salesperson"], "A"),
        ("mgr", ["Sales Manager"], "A"))}
    with app.app_context():
        from addons.contacts.models import (Company, ContactEmail, ContactPhone, Person, Tag,
                                            Tier)
        from sqlalchemy import select

        tier_a = db.session.scalars(select(Tier).where(Tier.name == "A")).one()
        vip = Tag(name="重点客户")
        huawei = Company(name="华为技术有限公司", city="深圳", owner_id=users["s1"], tier=tier_a,
                         tags=[vip], tax_id="91350100M000100Y43",
                         phones=[ContactPhone(kind="mobile", number="+86 138 0013 8000"),
                                 ContactPhone(number="010 6552 9988")],
                         emails=[ContactEmail(email="sales@huawei.com")])
        evil = Company(name="=HYPERLINK(\"http://x\")", city="@SUM(1)", owner_id=users["s1"],
                       notes="-2+3", street="+cmd")
        theirs = Company(name="s2 的客户", city="深圳", owner_id=users["s2"])
        person = Person(name="张三", company=huawei, job_title="经理", owner_id=users["s1"],
                        phones=[ContactPhone(number="13900139000")])
        db.session.add_all([huawei, evil, theirs, person])
        db.session.commit()
    return app


def csv_rows(resp) -> list[list[str]]:
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    assert resp.mimetype == "text/csv"
    assert resp.data.startswith(codecs.BOM_UTF8)  # Excel reads Chinese correctly with it
    return list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig"))))


def xlsx_rows(resp) -> list[list]:
    from openpyxl import load_workbook

    assert resp.status_code == 200
    book = load_workbook(io.BytesIO(resp.data))
    return [[c.value for c in row] for row in book.active.iter_rows()], book.active


def by_name(rows):
    header = rows[0]
    assert header[0] == "Crossdock ID"  # what tells the import the file is ours
    name = header.index("Name") if "Name" in header else header.index("名称")
    return {r[name]: dict(zip(header, r)) for r in rows[1:]}


def test_a_salesperson_exports_only_their_own_companies(world):
    client = world.test_client()
    login(client, "s1")
    rows = by_name(csv_rows(client.get("/companyview/export/csv")))
    assert set(rows) == {"华为技术有限公司", "'=HYPERLINK(\"http://x\")"}
    huawei = rows["华为技术有限公司"]
    assert huawei["City"] == "深圳" and huawei["Tier"] == "A" and huawei["Tags"] == "重点客户"
    assert huawei["Phones"] == "mobile: +86 138 0013 8000, work: 010 6552 9988"
    assert huawei["E-mails"] == "work: sales@huawei.com" and huawei["Owner"] == "s1"
    assert huawei["Tax ID"] == "91350100M000100Y43"

    login(client := world.test_client(), "mgr")  # the team's contacts
    rows = by_name(csv_rows(client.get("/companyview/export/csv")))
    assert set(rows) == {"华为技术有限公司", "'=HYPERLINK(\"http://x\")", "s2 的客户"}


def test_the_export_follows_the_lists_filters(world):
    client = world.test_client()
    login(client, "mgr")
    listed = client.get("/companyview/list/?_flt_0_city=深圳").get_data(as_text=True)
    assert "/companyview/export/csv?_flt_0_city=" in listed  # the button keeps the filter
    rows = by_name(csv_rows(client.get("/companyview/export/csv?_flt_0_city=深圳")))
    assert set(rows) == {"华为技术有限公司", "s2 的客户"}
    rows, _ = xlsx_rows(client.get("/companyview/export/xlsx?_flt_0_city=深圳"))
    assert {r[1] for r in rows[1:]} == {"华为技术有限公司", "s2 的客户"}


def test_formula_cells_are_neutralised_in_csv_and_xlsx(world):
    client = world.test_client()
    login(client, "s1")
    rows = by_name(csv_rows(client.get("/companyview/export/csv")))
    evil = rows["'=HYPERLINK(\"http://x\")"]
    assert (evil["City"], evil["Notes"], evil["Street"]) == ("'@SUM(1)", "'-2+3", "'+cmd")

    # XLSX: typed strings, which a spreadsheet never runs: no prefix needed (issue 20)
    rows, sheet = xlsx_rows(client.get("/companyview/export/xlsx"))
    header = rows[0]
    evil = next(dict(zip(header, r)) for r in rows[1:] if "HYPERLINK" in r[1])
    assert evil["Name"] == "=HYPERLINK(\"http://x\")"
    assert (evil["City"], evil["Notes"], evil["Street"]) == ("@SUM(1)", "-2+3", "+cmd")
    # every cell is text: no formula, and phones keep their '+' and leading zeros
    assert {c.data_type for row in sheet.iter_rows() for c in row if c.value is not None} == {"s"}
    huawei = next(dict(zip(header, r)) for r in rows[1:] if r[1] == "华为技术有限公司")
    assert huawei["Phones"] == "mobile: +86 138 0013 8000, work: 010 6552 9988"


def test_people_export_and_chinese_round_trips_through_import(world):
    client = world.test_client()
    login(client, "s1")
    resp = client.get("/personview/export/xlsx")
    rows, _ = xlsx_rows(resp)
    person = dict(zip(rows[0], rows[1]))
    assert (person["Name"], person["Company"], person["Job title"], person["Phones"]) == (
        "张三", "华为技术有限公司", "经理", "work: 13900139000")
    assert person["Crossdock company ID"].endswith(":company_1")
    assert len(rows) == 2

    # the exported CSV imports again: same labels, apostrophes undone
    exported = client.get("/companyview/export/csv").data
    from tests.integration.test_contacts_import import (accept_suggestion, batch_id_of, commit,
                                                        upload)

    # our export names every contact: importing it again here finds each one
    # unchanged (issue 20: idempotent), even when the user asks to create duplicates
    batch_id = batch_id_of(upload(client, exported, filename="companies.csv"))
    accept_suggestion(client, batch_id)
    resp = commit(client, batch_id, apply_all="create")
    assert resp.headers["Location"].endswith("/result")
    with world.app_context():
        from addons.contacts.models import Company, ContactImportBatch
        from sqlalchemy import select

        report = db.session.get(ContactImportBatch, batch_id).report
        assert (report["created"], report["updated"], report["unchanged"]) == (0, 0, 2)
        copies = db.session.scalars(select(Company).where(Company.name == "华为技术有限公司")
                                    .order_by(Company.id)).all()
        assert len(copies) == 1
        assert [p.e164 for p in copies[0].phones] == ["+8613800138000", "+861065529988"]
        evil = db.session.scalars(select(Company).where(Company.city == "@SUM(1)")
                                  .order_by(Company.id)).all()
        assert [c.name for c in evil] == ["=HYPERLINK(\"http://x\")"]


def test_an_unknown_format_is_404_and_readers_without_access_are_refused(world):
    client = world.test_client()
    login(client, "s1")
    assert client.get("/companyview/export/pdf").status_code == 404
    assert client.get("/companyview/export/csv").status_code == 200
    anonymous = world.test_client()
    assert anonymous.get("/companyview/export/csv").status_code in (302, 401, 403)


def test_custom_fields_are_exported(world):
    with world.app_context():
        import datetime as dt

        from addons.contacts.models import Company, CustomField
        from addons.contacts.services.custom_fields.values import set_values
        from sqlalchemy import select

        db.session.add_all([
            CustomField(applies_to="company", key="segment", label="客户类型",
                        field_type="choice", choices="大客户\n=evil"),
            CustomField(applies_to="company", key="signed_on", label="Signed on",
                        field_type="date")])
        db.session.flush()
        huawei = db.session.scalars(select(Company).where(Company.city == "深圳",
                                                           Company.tax_id.is_not(None))).one()
        set_values(db.session, huawei, {"segment": "大客户", "signed_on": dt.date(2026, 3, 1)})
        evil = db.session.scalars(select(Company).where(Company.city == "@SUM(1)")).one()
        set_values(db.session, evil, {"segment": "=evil"})
        db.session.commit()
    client = world.test_client()
    login(client, "s1")
    rows = by_name(csv_rows(client.get("/companyview/export/csv")))
    assert (rows["华为技术有限公司"]["客户类型"], rows["华为技术有限公司"]["Signed on"]) == (
        "大客户", "2026-03-01")
    assert rows["'=HYPERLINK(\"http://x\")"]["客户类型"] == "'=evil"


def test_a_chinese_export_maps_back_column_for_column(world):
    from tests.helpers import csrf_token
    from tests.integration.test_contacts_import import batch_id_of, selected_mapping, upload

    client = world.test_client()
    token = login(client, "s1")
    client.post("/preferences/language", data={"locale": "zh", "csrf_token": token,
                                               "next": "/"})
    for view, kind in (("companyview", "company"), ("personview", "person")):
        rows = csv_rows(client.get(f"/{view}/export/csv"))
        assert rows[0][:2] == ["Crossdock ID", "名称"]
        batch_id = batch_id_of(upload(client, client.get(f"/{view}/export/csv").data,
                                      kind=kind, filename=f"{kind}.csv"))
        page = client.get(f"/contactimport/{batch_id}/mapping").get_data(as_text=True)
        assert csrf_token(page)
        assert "" not in selected_mapping(page).values(), selected_mapping(page)
