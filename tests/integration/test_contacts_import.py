"""Importing contacts through the screens: upload, mapping (remembered), preview
with row errors and duplicates, a policy per duplicate, and one commit that
writes every row or none, under the importer's record rules."""
from __future__ import annotations

import codecs
import csv
import io
import re
from html import unescape

import pytest
from sqlalchemy import func, select

from core.db import db
from tests.helpers import add_user, csrf_token, install, login

pytestmark = pytest.mark.addons("contacts")

USCC_A = "91350100M000100Y43"


@pytest.fixture
def world(app):
    install(app, "contacts")
    app.users = {name: add_user(app, name, roles, team) for name, roles, team in (
        ("s1", ["Salesperson"], "A"), ("s2", ["Salesperson"], "A"),
        ("mgr", ["Sales Manager"], "A"))}
    return app


def gbk_csv(rows) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("gbk")


def text_of(resp) -> str:
    return unescape(resp.get_data(as_text=True))


def upload(client, data: bytes, *, kind="company", filename="客户.csv", encoding=""):
    page = client.get("/contactimport/")
    assert page.status_code == 200
    return client.post("/contactimport/upload", data={
        "csrf_token": csrf_token(page.get_data(as_text=True)), "kind": kind,
        "encoding": encoding, "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data")


def batch_id_of(resp) -> int:
    assert resp.status_code == 302, text_of(resp)
    return int(re.search(r"/contactimport/(\d+)/", resp.headers["Location"]).group(1))


def selected_mapping(html: str) -> dict[str, str]:
    """{column header: selected field key} as the mapping page shows them."""
    chosen = {}
    for header, options in re.findall(
            r'data-header="([^"]*)">(.*?)</select>', html, flags=re.S):
        match = re.search(r'<option value="([^"]*)" selected>', options)
        chosen[unescape(header)] = match.group(1) if match else ""
    return chosen


def post_mapping(client, batch_id, mapping: list[str]):
    page = client.get(f"/contactimport/{batch_id}/mapping")
    data = {"csrf_token": csrf_token(page.get_data(as_text=True))}
    data.update({f"column-{i}": target for i, target in enumerate(mapping)})
    return client.post(f"/contactimport/{batch_id}/mapping", data=data)


def accept_suggestion(client, batch_id):
    html = client.get(f"/contactimport/{batch_id}/mapping").get_data(as_text=True)
    return post_mapping(client, batch_id, list(selected_mapping(html).values()))


def commit(client, batch_id, **policies):
    page = client.get(f"/contactimport/{batch_id}/preview")
    data = {"csrf_token": csrf_token(page.get_data(as_text=True))}
    data.update(policies)
    return client.post(f"/contactimport/{batch_id}/commit", data=data)


def count(app, model_name) -> int:
    with app.app_context():
        from addons.contacts import models

        return db.session.scalar(select(func.count()).select_from(getattr(models, model_name)))


def add_company(app, owner: str, name: str, email: str | None = None, phone: str | None = None):
    with app.app_context():
        from addons.contacts.models import Company, ContactEmail, ContactPhone

        company = Company(name=name, owner_id=app.users[owner],
                          emails=[ContactEmail(email=email)] if email else [],
                          phones=[ContactPhone(number=phone)] if phone else [])
        db.session.add(company)
        db.session.commit()
        return company.id


HEADER = ["名称", "手机", "邮箱", "税号", "城市", "标签", "客户等级", "备注"]


def test_a_gbk_file_of_companies_is_imported_with_every_field(world):
    app = world
    client = app.test_client()
    login(client, "s1")
    data = gbk_csv([HEADER,
                    ["华为技术有限公司", "138 0013 8000", "Sales@Huawei.com", USCC_A, "深圳",
                     "重点, 华南", "A", "=HYPERLINK(1)"],
                    ["北京小米科技", "13900139000; 010 6552 9988", "", "", "北京", "华北", "",
                     ""]])
    batch_id = batch_id_of(upload(client, data))
    mapping_page = client.get(f"/contactimport/{batch_id}/mapping").get_data(as_text=True)
    assert selected_mapping(mapping_page) == {
        "名称": "name", "手机": "phones", "邮箱": "emails", "税号": "tax_id", "城市": "city",
        "标签": "tags", "客户等级": "tier", "备注": "notes"}
    resp = accept_suggestion(client, batch_id)
    assert resp.status_code == 302, text_of(resp)
    preview = text_of(client.get(f"/contactimport/{batch_id}/preview"))
    assert 'data-count="total">2<' in preview and 'data-count="with_errors">0<' in preview
    assert 'data-count="to_create">2<' in preview
    resp = commit(client, batch_id)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/result")
    result = text_of(client.get(resp.headers["Location"]))
    assert 'data-count="created">2<' in result

    with app.app_context():
        from addons.contacts.models import Company
        from core.security.audit import AuditLog

        companies = {c.name: c for c in db.session.scalars(select(Company))}
        huawei, xiaomi = companies["华为技术有限公司"], companies["北京小米科技"]
        assert huawei.owner_id == xiaomi.owner_id == app.users["s1"]
        assert [(p.kind, p.number, p.e164) for p in huawei.phones] == [
            ("mobile", "138 0013 8000", "+8613800138000")]
        assert [(e.email, e.normalised) for e in huawei.emails] == [
            ("Sales@Huawei.com", "sales@huawei.com")]
        assert huawei.tax_id_normalised == USCC_A and huawei.city == "深圳"
        assert sorted(t.name for t in huawei.tags) == ["华南", "重点"]
        assert huawei.tier.name == "A" and huawei.notes == "=HYPERLINK(1)"
        assert [p.e164 for p in xiaomi.phones] == ["+8613900139000", "+861065529988"]
        event = db.session.scalars(select(AuditLog).where(AuditLog.action == "import")).one()
        assert event.model == "Company" and event.record_id == str(batch_id)
        assert event.actor == "s1"
        assert event.changes["created"] == 2 and event.changes["batch"] == batch_id
    # a second commit of the same batch changes nothing
    assert client.post(f"/contactimport/{batch_id}/commit",
                       data={"csrf_token": csrf_token(preview)}).status_code == 302
    assert count(app, "Company") == 2


def test_the_mapping_is_remembered_for_files_with_the_same_columns(world):
    app = world
    client = app.test_client()
    login(client, "s1")
    header = ["Firma", "Telefon", "Bemerkung"]  # headers the suggestion does not know
    first = batch_id_of(upload(client, gbk_csv([header, ["Acme", "13800138000", "x"]])))
    assert set(selected_mapping(client.get(f"/contactimport/{first}/mapping")
                                .get_data(as_text=True)).values()) == {""}
    assert post_mapping(client, first, ["name", "phones", "notes"]).status_code == 302

    client = app.test_client()
    login(client, "s2")  # a colleague's next file with the same layout comes pre-mapped
    second = batch_id_of(upload(client, gbk_csv([[" firma ", "TELEFON", "Bemerkung"],
                                                 ["Beta", "13900139000", "y"]])))
    assert selected_mapping(client.get(f"/contactimport/{second}/mapping")
                            .get_data(as_text=True)) == {
        "firma": "name", "TELEFON": "phones", "Bemerkung": "notes"}
    other = batch_id_of(upload(client, gbk_csv([header + ["Extra"], ["C", "", "", ""]])))
    assert set(selected_mapping(client.get(f"/contactimport/{other}/mapping")
                                .get_data(as_text=True)).values()) == {""}


def test_rows_with_errors_are_reported_and_nothing_is_saved(world):
    app = world
    client = app.test_client()
    login(client, "s1")
    data = gbk_csv([["名称", "手机", "邮箱", "客户等级"],
                    ["好公司", "13800138000", "ok@example.com", "A"],
                    ["坏电话", "12345", "", ""],
                    ["坏邮箱", "", "not-an-email", "Z"],
                    ["", "13900139000", "", ""]])
    batch_id = batch_id_of(upload(client, data))
    accept_suggestion(client, batch_id)
    preview = text_of(client.get(f"/contactimport/{batch_id}/preview"))
    assert 'data-count="with_errors">3<' in preview
    errors = re.findall(r'<tr data-row="(\d+)"><td>\d+</td><td>([^<]*)</td><td>([^<]*)</td>',
                        preview)
    assert [(row, column) for row, column, _ in errors] == [
        ("3", "手机"), ("4", "邮箱"), ("4", "客户等级"), ("5", "名称")]
    assert "'12345' is not a valid phone number" in errors[0][2]
    assert "no tier named 'Z'" in errors[2][2]

    resp = commit(client, batch_id)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/preview")
    assert "3 row(s) have errors: nothing was imported" in text_of(client.get(resp.headers["Location"]))
    assert count(app, "Company") == 0 and count(app, "ContactPhone") == 0

    report = client.get(f"/contactimport/{batch_id}/errors.csv")
    assert report.status_code == 200 and report.data.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(report.data.decode("utf-8-sig"))))
    assert rows[0] == ["row", "名称", "手机", "邮箱", "客户等级", "errors"]
    assert [r[:5] for r in rows[1:]] == [["3", "坏电话", "12345", "", ""],
                                         ["4", "坏邮箱", "", "not-an-email", "Z"],
                                         ["5", "", "13900139000", "", ""]]
    assert "a name is required" in rows[3][5]


def test_duplicate_policies_skip_update_and_create(world):
    app = world
    a = add_company(app, "s1", "Alpha", email="alpha@example.com")
    b = add_company(app, "s1", "Beta", phone="13800138000")
    c = add_company(app, "s1", "Gamma", email="gamma@example.com")
    client = app.test_client()
    login(client, "s1")
    data = gbk_csv([["名称", "手机", "邮箱", "城市"],
                    ["Alpha Ltd", "13500135000", "ALPHA@example.com", "上海"],  # 2: dup of a
                    ["Beta again", "138-0013-8000", "", ""],                      # 3: dup of b
                    ["Gamma 2", "", "gamma@example.com", ""],                     # 4: dup of c
                    ["Delta", "", "delta@example.com", ""],                       # 5: new
                    ["Delta copy", "", "delta@example.com", ""]])                 # 6: repeats 5
    batch_id = batch_id_of(upload(client, data))
    accept_suggestion(client, batch_id)
    preview = text_of(client.get(f"/contactimport/{batch_id}/preview"))
    assert 'data-count="duplicates">4<' in preview and 'data-count="to_skip">4<' in preview
    assert "row 5 of this file" in preview
    resp = commit(client, batch_id, **{"policy-2": "update", "policy-3": "skip",
                                       "policy-4": "create", "policy-6": "skip"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/result"), \
        text_of(client.get(resp.headers["Location"]))
    with app.app_context():
        from addons.contacts.models import Company

        alpha = db.session.get(Company, a)
        assert alpha.name == "Alpha Ltd" and alpha.city == "上海"
        assert sorted(p.e164 for p in alpha.phones) == ["+8613500135000"]
        assert [e.email for e in alpha.emails] == ["alpha@example.com"]  # not doubled
        assert db.session.get(Company, b).name == "Beta"
        names = sorted(db.session.scalars(select(Company.name)))
        assert names == ["Alpha Ltd", "Beta", "Delta", "Gamma", "Gamma 2"]
        assert db.session.get(Company, c).name == "Gamma"


def test_apply_to_all_sets_every_duplicates_policy(world):
    app = world
    add_company(app, "s1", "Alpha", email="alpha@example.com")
    add_company(app, "s1", "Beta", email="beta@example.com")
    client = app.test_client()
    login(client, "s1")
    data = gbk_csv([["名称", "邮箱"], ["Alpha 2", "alpha@example.com"],
                    ["Beta 2", "beta@example.com"]])
    batch_id = batch_id_of(upload(client, data))
    accept_suggestion(client, batch_id)
    resp = commit(client, batch_id, apply_all="create", **{"policy-2": "skip"})
    assert resp.headers["Location"].endswith("/result")
    assert count(app, "Company") == 4


def test_updating_a_colleagues_contact_is_refused_and_nothing_is_saved(world):
    app = world
    theirs = add_company(app, "s2", "Colleague's customer", email="shared@example.com")
    client = app.test_client()
    login(client, "s1")
    data = gbk_csv([["名称", "邮箱", "城市"], ["Shared Co", "shared@example.com", "广州"],
                    ["New Co", "new@example.com", ""]])
    batch_id = batch_id_of(upload(client, data))
    accept_suggestion(client, batch_id)
    preview = text_of(client.get(f"/contactimport/{batch_id}/preview"))
    assert f"#{theirs} (a colleague's contact)" in preview  # its name stays hidden
    assert "Colleague's customer" not in preview
    resp = commit(client, batch_id, **{"policy-2": "update"})
    assert resp.headers["Location"].endswith("/preview")
    page = text_of(client.get(resp.headers["Location"]))
    assert f"the existing contact #{theirs} belongs to someone else" in page
    assert count(app, "Company") == 1
    with app.app_context():
        from addons.contacts.models import Company

        assert db.session.get(Company, theirs).city is None

    resp = commit(client, batch_id, **{"policy-2": "create"})  # a duplicate of their own
    assert resp.headers["Location"].endswith("/result")
    with app.app_context():
        from addons.contacts.models import Company

        owners = dict(db.session.execute(select(Company.name, Company.owner_id)).all())
        assert owners == {"Colleague's customer": app.users["s2"],
                          "Shared Co": app.users["s1"], "New Co": app.users["s1"]}


def test_a_manager_may_update_a_team_members_contact(world):
    app = world
    theirs = add_company(app, "s2", "Team customer", email="team@example.com")
    client = app.test_client()
    login(client, "mgr")
    batch_id = batch_id_of(upload(client, gbk_csv([["名称", "邮箱", "城市"],
                                                   ["Team customer", "team@example.com", "杭州"]])))
    accept_suggestion(client, batch_id)
    assert commit(client, batch_id, **{"policy-2": "update"}).headers["Location"].endswith("/result")
    with app.app_context():
        from addons.contacts.models import Company

        company = db.session.get(Company, theirs)
        assert company.city == "杭州" and company.owner_id == app.users["s2"]


def test_a_salesperson_cannot_import_contacts_owned_by_someone_else(world):
    app = world
    client = app.test_client()
    login(client, "s1")
    batch_id = batch_id_of(upload(client, gbk_csv([["名称", "负责人"], ["Mine", "s1"],
                                                   ["Theirs", "s2"], ["Nobody", "ghost"]])))
    accept_suggestion(client, batch_id)
    preview = text_of(client.get(f"/contactimport/{batch_id}/preview"))
    assert "you may not import contacts owned by someone else" in preview
    assert "no user 'ghost'" in preview
    assert commit(client, batch_id).headers["Location"].endswith("/preview")
    assert count(app, "Company") == 0


def test_a_missing_required_column_is_refused_by_name(world):
    app = world
    client = app.test_client()
    login(client, "s1")
    batch_id = batch_id_of(upload(client, gbk_csv([["手机", "城市"], ["13800138000", "深圳"]])))
    resp = accept_suggestion(client, batch_id)
    assert resp.status_code == 400
    assert "required column missing: Name" in text_of(resp)
    assert count(app, "Company") == 0


def test_files_that_cannot_be_read_are_refused_and_nothing_is_stored(world):
    app = world
    client = app.test_client()
    login(client, "s1")
    gbk = gbk_csv([["name", "city"], ["华为", "深圳"]])
    resp = upload(client, gbk, encoding="utf-8")
    assert resp.status_code == 400
    assert "not valid utf-8: byte 0xbb at offset 11 (line 2)" in text_of(resp)
    assert batch_id_of(upload(client, gbk))  # detected as GB18030 when not overridden
    resp = upload(client, b"\x00\x01PK garbage", filename="book.xlsx")
    assert resp.status_code == 400 and "not a readable XLSX" in text_of(resp)
    assert count(app, "ContactImportBatch") == 1


def test_a_file_above_the_row_limit_is_refused(make_app):
    app = make_app(import_max_rows=5)
    install(app, "contacts")
    add_user(app, "s1", ["Salesperson"], "A")
    client = app.test_client()
    login(client, "s1")
    rows = [["名称"]] + [[f"公司{i}"] for i in range(6)]
    resp = upload(client, gbk_csv(rows))
    assert resp.status_code == 400 and "more than 5 rows" in text_of(resp)
    assert count(app, "ContactImportBatch") == 0 and count(app, "Company") == 0
    assert batch_id_of(upload(client, gbk_csv(rows[:6])))


def test_people_from_xlsx_are_linked_to_a_company_the_importer_sees(world):
    from openpyxl import Workbook

    app = world
    mine = add_company(app, "s1", "华为技术")
    add_company(app, "s2", "别人的公司")
    book = Workbook()
    for row in (["姓名", "公司", "职位", "手机"], ["张三", "华为技术", "经理", 13800138000],
                ["李四", "别人的公司", "", 13900139000]):
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    client = app.test_client()
    login(client, "s1")
    batch_id = batch_id_of(upload(client, out.getvalue(), kind="person", filename="people.xlsx"))
    accept_suggestion(client, batch_id)
    preview = text_of(client.get(f"/contactimport/{batch_id}/preview"))
    assert "no company named '别人的公司' among the ones you can see" in preview
    page = client.get(f"/contactimport/{batch_id}/mapping").get_data(as_text=True)
    assert selected_mapping(page) == {"姓名": "name", "公司": "company", "职位": "job_title",
                                      "手机": "phones"}
    with app.app_context():
        from addons.contacts.models import Person

        assert db.session.scalar(select(func.count()).select_from(Person)) == 0
    # without the colleague's company the file imports
    book = Workbook()
    for row in (["姓名", "公司", "职位", "手机"], ["张三", "华为技术", "经理", 13800138000]):
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    batch_id = batch_id_of(upload(client, out.getvalue(), kind="person", filename="people.xlsx"))
    accept_suggestion(client, batch_id)
    assert commit(client, batch_id).headers["Location"].endswith("/result")
    with app.app_context():
        from addons.contacts.models import Person

        person = db.session.scalars(select(Person)).one()
        assert (person.name, person.company_id, person.job_title) == ("张三", mine, "经理")
        assert [p.e164 for p in person.phones] == ["+8613800138000"]


def test_an_import_is_its_importers_only(world):
    app = world
    client = app.test_client()
    login(client, "s1")
    batch_id = batch_id_of(upload(client, gbk_csv([["名称"], ["Acme"]])))
    accept_suggestion(client, batch_id)
    other = app.test_client()
    token = login(other, "s2")
    for path in ("mapping", "preview", "errors.csv"):
        assert other.get(f"/contactimport/{batch_id}/{path}").status_code == 404
    assert other.post(f"/contactimport/{batch_id}/commit",
                      data={"csrf_token": token}).status_code == 404
    assert count(app, "Company") == 0
    ro = app.test_client()
    add_user(app, "reader", ["Read-only"])
    login(ro, "reader")
    assert ro.get("/contactimport/").status_code in (302, 403)


def define_fields(app):
    """An admin's custom fields on companies: a required choice and a date."""
    with app.app_context():
        from addons.contacts.models import CustomField

        db.session.add_all([
            CustomField(applies_to="company", key="segment", label="客户类型",
                        field_type="choice", choices="大客户\n中小企业", required=True),
            CustomField(applies_to="company", key="signed_on", label="Signed on",
                        field_type="date")])
        db.session.commit()


def test_custom_fields_are_mapped_checked_and_imported(world):
    app = world
    define_fields(app)
    client = app.test_client()
    login(client, "s1")
    data = gbk_csv([["名称", "客户类型", "Signed on"], ["甲公司", "大客户", "2026年3月1日"],
                    ["乙公司", "散户", "2026-13-01"], ["丙公司", "", ""]])
    batch_id = batch_id_of(upload(client, data))
    page = client.get(f"/contactimport/{batch_id}/mapping").get_data(as_text=True)
    assert selected_mapping(page) == {"名称": "name", "客户类型": "custom:segment",
                                      "Signed on": "custom:signed_on"}
    # leaving the required custom field unmapped is refused by name
    resp = post_mapping(client, batch_id, ["name", "", "custom:signed_on"])
    assert resp.status_code == 400 and "required column missing: 客户类型" in text_of(resp)
    accept_suggestion(client, batch_id)
    preview = text_of(client.get(f"/contactimport/{batch_id}/preview"))
    assert 'data-count="with_errors">2<' in preview
    assert "“散户” is not one of: 大客户, 中小企业" in preview
    assert "is not a date" in preview and "客户类型 is required" in preview
    assert commit(client, batch_id).headers["Location"].endswith("/preview")
    assert count(app, "Company") == 0 and count(app, "CustomValue") == 0

    batch_id = batch_id_of(upload(client, gbk_csv([["名称", "客户类型", "Signed on"],
                                                   ["甲公司", "大客户", "2026年3月1日"]])))
    accept_suggestion(client, batch_id)
    assert commit(client, batch_id).headers["Location"].endswith("/result")
    with app.app_context():
        import datetime as dt

        from addons.contacts.models import Company
        from addons.contacts.services.custom_fields.values import values_of

        company = db.session.scalars(select(Company)).one()
        assert values_of(db.session, company) == {"segment": "大客户",
                                                  "signed_on": dt.date(2026, 3, 1)}


def test_the_commit_checks_the_base_again_after_the_preview(world):
    """Between preview and commit a colleague adds the same e-mail: the commit
    sees the duplicate (default: skip) instead of writing a second contact."""
    app = world
    client = app.test_client()
    login(client, "s1")
    batch_id = batch_id_of(upload(client, gbk_csv([["名称", "邮箱"], ["Late", "late@example.com"],
                                                   ["Other", "other@example.com"]])))
    accept_suggestion(client, batch_id)
    assert 'data-count="duplicates">0<' in text_of(client.get(f"/contactimport/{batch_id}/preview"))
    add_company(app, "s2", "Colleague's late entry", email="late@example.com")
    assert commit(client, batch_id).headers["Location"].endswith("/result")
    with app.app_context():
        from addons.contacts.models import Company

        assert sorted(db.session.scalars(select(Company.name))) == [
            "Colleague's late entry", "Other"]


def test_a_file_above_the_size_limit_is_refused_before_it_is_read(make_app):
    app = make_app(import_max_bytes=100_000)
    install(app, "contacts")
    add_user(app, "s1", ["Salesperson"], "A")
    client = app.test_client()
    login(client, "s1")
    big = gbk_csv([["名称"]] + [[f"公司{i:06d}"] for i in range(20_000)])
    assert len(big) > 200_000
    resp = upload(client, big)
    assert resp.status_code == 413
    assert "The file is larger than 0.0954 MB, the most one import accepts." in text_of(resp)
    assert count(app, "ContactImportBatch") == 0
