"""`crossdock contacts demo` as a new user runs it: refused before contacts is
installed, then a few hundred valid, normalised companies and people with
owners, tags and timelines; a second run adds nothing; a bad record stores nothing."""
from __future__ import annotations

import phonenumbers
import pytest
from sqlalchemy import create_engine, text
from stdnum.cn import uscc
from stdnum.eu import vat

from addons.contacts.rules.email_normalisation import normalise_email
from addons.contacts.rules.tax_id_validation import normalise_tax_id
from core.db import db
from tests.helpers import install, run_cli


def _counts(database_url) -> dict:
    engine = create_engine(database_url)
    with engine.connect() as conn:
        counts = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar()
                  for t in ("contacts_company", "contacts_person", "contacts_phone",
                            "contacts_email", "contacts_timeline_entry")}
    engine.dispose()
    return counts


def _rows(database_url, sql):
    engine = create_engine(database_url)
    with engine.connect() as conn:
        rows = conn.execute(text(sql)).all()
    engine.dispose()
    return rows


def test_refused_until_contacts_is_installed(tmp_path, database_url):
    out = run_cli(tmp_path, database_url, "contacts", "demo")
    assert out.returncode == 2
    assert "addon 'contacts' is not installed" in out.stderr
    assert "crossdock addons install contacts" in out.stderr
    assert run_cli(tmp_path, database_url, "addons", "install", "contacts").returncode == 0
    assert run_cli(tmp_path, database_url, "addons", "disable", "contacts").returncode == 0
    disabled = run_cli(tmp_path, database_url, "contacts", "demo")
    assert disabled.returncode == 2 and "not installed (or is disabled)" in disabled.stderr
    assert _counts(database_url)["contacts_company"] == 0
    unknown = run_cli(tmp_path, database_url, "no_such_addon", "demo")
    assert unknown.returncode == 2 and "No such command" in unknown.stderr


def test_demo_data_is_valid_normalised_and_loaded_once(tmp_path, database_url, make_app):
    assert run_cli(tmp_path, database_url, "addons", "install", "contacts").returncode == 0
    first = run_cli(tmp_path, database_url, "contacts", "demo")
    assert first.returncode == 0, first.stderr
    assert "companies added: 200 (of 200)" in first.stdout
    assert "people added: 400 (of 400)" in first.stdout
    counts = _counts(database_url)
    assert counts["contacts_company"] == 200 and counts["contacts_person"] == 400
    assert counts["contacts_phone"] == 600 and counts["contacts_email"] == 600
    assert counts["contacts_timeline_entry"] > 100

    countries = dict(_rows(database_url, "SELECT country_code, count(*) FROM contacts_company "
                                         "GROUP BY country_code"))
    assert set(countries) == {"CN", "DE", "FR", "GB", "US"}
    assert 90 <= countries["CN"] <= 150  # Chinese and international
    cn_names = [n for n, in _rows(database_url,
                                  "SELECT name FROM contacts_company WHERE country_code = 'CN'")]
    assert all(n.endswith("有限公司") for n in cn_names)

    for number, e164 in _rows(database_url, "SELECT number, e164 FROM contacts_phone"):
        parsed = phonenumbers.parse(number, None)  # written with +country code
        assert phonenumbers.is_valid_number(parsed), number
        assert e164 == phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    for email, normalised in _rows(database_url, "SELECT email, normalised FROM contacts_email"):
        assert normalised == normalise_email(email) and email.endswith(".example.com")
    mobiles = [n for n, in _rows(database_url, "SELECT e164 FROM contacts_phone WHERE "
                                 "kind = 'mobile' AND e164 LIKE '+86%'")]
    assert mobiles and all(len(m) == 14 and m[3] == "1" for m in mobiles)
    taxed = _rows(database_url, "SELECT country_code, tax_id, tax_id_normalised "
                                "FROM contacts_company WHERE tax_id IS NOT NULL")
    assert len(taxed) >= 170  # all but the US companies
    for country, tax_id, normalised in taxed:
        assert normalised == normalise_tax_id(tax_id)
        if country == "CN":
            assert uscc.is_valid(tax_id)
        elif country in ("DE", "FR"):
            assert vat.is_valid(tax_id) and tax_id.startswith(country)

    owners = _rows(database_url, "SELECT u.username, t.name, count(*) FROM contacts_company c "
                                 "JOIN ab_user u ON u.id = c.owner_id "
                                 "JOIN crossdock_team t ON t.id = c.team_id "
                                 "GROUP BY u.username, t.name")
    assert {(u, t) for u, t, _ in owners} == {
        ("demo.li", "Demo East China"), ("demo.zhang", "Demo East China"),
        ("demo.smith", "Demo Europe & Americas"), ("demo.mueller", "Demo Europe & Americas")}
    assert _rows(database_url, "SELECT count(*) FROM contacts_company_tag")[0][0] > 50
    assert {a for a, in _rows(database_url, "SELECT active FROM ab_user "
                                            "WHERE username LIKE 'demo.%'")} == {False}

    again = run_cli(tmp_path, database_url, "contacts", "demo")
    assert again.returncode == 0 and "companies added: 0 (of 200)" in again.stdout
    assert _counts(database_url) == counts
    more = run_cli(tmp_path, database_url, "contacts", "demo", "--companies", "210")
    assert more.returncode == 0 and "companies added: 10 (of 210)" in more.stdout
    assert _counts(database_url)["contacts_company"] == 210
    assert _counts(database_url)["contacts_person"] == 400

    # --logins: the demo salespeople log in and see their own companies only
    logins = run_cli(tmp_path, database_url, "contacts", "demo", "--logins")
    line = next(ln for ln in logins.stdout.splitlines() if ln.startswith("login: demo.li / "))
    password = line.rsplit(" ", 1)[1]
    app = make_app()
    client = app.test_client()
    resp = client.post("/api/v1/security/login", json={
        "username": "demo.li", "password": password, "provider": "db"})
    assert resp.status_code == 200
    headers = {"Authorization": f"Bearer {resp.get_json()['access_token']}"}
    listed = client.get("/api/v1/company/?q=(page_size:100)", headers=headers).get_json()
    own = _rows(database_url, "SELECT count(*) FROM contacts_company c JOIN ab_user u "
                              "ON u.id = c.owner_id WHERE u.username = 'demo.li'")[0][0]
    assert listed["count"] == own and 0 < own < 210


def test_a_bad_record_stores_nothing(app, monkeypatch):
    install(app, "contacts")
    from addons.contacts.data import demo_contacts
    from addons.contacts.services import load_demo

    def broken(companies, people):
        demo = demo_contacts.generate(companies, people)
        demo.companies[3]["phones"] = [("work", "12345")]
        return demo

    monkeypatch.setattr(load_demo, "generate", broken)
    with app.app_context():
        with pytest.raises(load_demo.DemoDataError, match=r"c0004 .*phone_lines: line 1"):
            load_demo.load_demo(db.session, companies=5, people=5)
        db.session.rollback()
        from addons.contacts.models import Company, Tag

        assert db.session.query(Company).count() == 0
        assert db.session.query(Tag).count() == 0


def test_the_generator_is_deterministic_and_stable_in_prefix():
    from addons.contacts.data.demo_contacts import generate

    small, big = generate(20, 10), generate(30, 10)
    assert small == generate(20, 10)
    assert big.companies[:20] == small.companies
    assert len({c["name"] for c in generate(600, 0).companies}) == 600
