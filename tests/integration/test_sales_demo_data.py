"""`crossdock sales demo` as a new user runs it: the contacts demo first when
missing, then team pipelines, products, rates, price lists, deals across
stages and outcomes, activities and orders; a second run adds nothing; a
failure stores nothing; the demo salespeople see their own deals only."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import prison
from sqlalchemy import create_engine, text

from tests.helpers import run_cli

DEMO = "Demo 2026"
TABLES = ("contacts_company", "contacts_person", "sales_stage", "sales_product",
          "sales_price_list", "sales_price_list_item", "sales_currency_rate", "sales_lead",
          "sales_activity", "sales_order", "sales_order_line")


def _rows(database_url, sql, **params):
    engine = create_engine(database_url)
    with engine.connect() as conn:
        rows = conn.execute(text(sql), params).all()
    engine.dispose()
    return rows


def _counts(database_url) -> dict:
    return {t: _rows(database_url, f"SELECT count(*) FROM {t}")[0][0] for t in TABLES}


def _added(stdout: str) -> dict[str, int]:
    return {label: int(n) for label, n in re.findall(
        r"^([a-z ]+ (?:added|confirmed)): (\d+)$", stdout, re.M)}


def test_demo_loads_contacts_first_then_sales_once(tmp_path, database_url):
    assert run_cli(tmp_path, database_url, "addons", "install", "sales").returncode == 0
    first = run_cli(tmp_path, database_url, "sales", "demo")
    assert first.returncode == 0, first.stderr
    assert "contacts demo loaded first" in first.stdout
    added = _added(first.stdout)
    counts = _counts(database_url)
    assert counts["contacts_company"] == 200 and counts["contacts_person"] == 400
    assert added["leads and opportunities added"] == counts["sales_lead"] == 110
    assert added["products added"] == counts["sales_product"] == 10

    # each demo team on its own pipeline: Chinese and English stage names
    stages = _rows(database_url, "SELECT t.name, s.name, s.is_won FROM sales_stage s JOIN "
                                 "crossdock_team t ON t.id = s.team_id ORDER BY t.name, s.sequence")
    east = [(n, w) for t, n, w in stages if t == "Demo East China"]
    west = [n for t, n, _ in stages if t == "Demo Europe & Americas"]
    assert east == [("新线索", False), ("初步沟通", False), ("方案报价", False),
                    ("商务谈判", False), ("赢单", True)]
    assert west == ["New", "Discovery", "Proposal", "Negotiation", "Won"]

    # products: codes, zh/en names, 13% goods and 6% services, CNY list prices
    products = _rows(database_url, "SELECT p.code, p.name, p.unit, t.rate, c.code FROM "
                                   "sales_product p JOIN sales_tax t ON t.id = p.tax_id "
                                   "JOIN sales_currency c ON c.id = p.currency_id")
    assert {Decimal(str(r)) for *_, r, _ in products} == {Decimal(13), Decimal(6)}
    assert all(" / " in name and re.search(r"[\u4e00-\u9fff]", name) for _, name, *_ in products)
    assert {c for *_, c in products} == {"CNY"}
    # tier price lists in CNY, USD and EUR with quantity breaks: cheaper for more
    breaks = _rows(database_url, "SELECT i.min_quantity, i.unit_price FROM sales_price_list_item i "
                                 "JOIN sales_price_list l ON l.id = i.price_list_id JOIN "
                                 "sales_product p ON p.id = i.product_id WHERE p.code = 'CD-LP200' "
                                 "AND l.name = 'A 级客户价 Key accounts (CNY)' ORDER BY 1")
    assert [(int(q), Decimal(str(p))) for q, p in breaks] == [
        (0, Decimal("6460.00")), (10, Decimal("6120.00")), (50, Decimal("5780.00"))]
    currencies = {c for c, in _rows(database_url, "SELECT DISTINCT c.code FROM sales_price_list l "
                                                  "JOIN sales_currency c ON c.id = l.currency_id")}
    assert currencies == {"CNY", "USD", "EUR"}
    assert counts["sales_currency_rate"] == 36  # USD, EUR, JPY monthly

    # deals over every open stage and both outcomes; a lost one always has its reason
    status = dict(_rows(database_url, "SELECT status, count(*) FROM sales_lead GROUP BY status"))
    assert status["won"] >= 5 and status["lost"] >= 5 and status["open"] >= 50
    assert _rows(database_url, "SELECT count(*) FROM sales_lead WHERE status = 'lost' AND "
                               "lost_reason_id IS NULL")[0][0] == 0
    misplaced = _rows(database_url, "SELECT l.name FROM sales_lead l JOIN sales_stage s ON "
                                    "s.id = l.stage_id WHERE l.team_id IS NOT NULL AND "
                                    "(s.team_id IS NULL OR s.team_id != l.team_id)")
    assert misplaced == []
    won_in_won_stage = _rows(database_url, "SELECT count(*) FROM sales_lead l JOIN sales_stage s "
                                           "ON s.id = l.stage_id WHERE l.status = 'won' "
                                           "AND s.is_won")[0][0]
    assert won_in_won_stage == status["won"]
    audited = dict(_rows(database_url, "SELECT action, count(*) FROM crossdock_audit_log "
                                       "WHERE action IN ('won', 'lost', 'confirm') GROUP BY action"))
    assert audited.get("won") == status["won"] and audited.get("lost") == status["lost"]
    assert _rows(database_url, "SELECT count(*) FROM sales_lead WHERE campaign = :c",
                 c=DEMO)[0][0] == 110

    # activities: planned ones, some overdue (open, due before today); done ones
    # on closed deals, each told on the customer's timeline
    today = dt.date.today()
    due = [d if isinstance(d, dt.date) else dt.date.fromisoformat(d) for d, in _rows(
        database_url, "SELECT due_date FROM sales_activity WHERE done_at IS NULL")]
    assert len(due) > 20 and 5 <= sum(d < today for d in due) < len(due)
    done = _rows(database_url, "SELECT a.id, l.status FROM sales_activity a JOIN sales_lead l "
                               "ON l.id = a.lead_id WHERE a.done_at IS NOT NULL")
    assert len(done) >= 10 and {s for _, s in done} == {"won", "lost"}
    assert len(done) + len(due) == counts["sales_activity"]
    assert audited_done(database_url) == len(done)

    # assignment rules; the unassigned inbound leads they match were handed out on
    # creation, into the team's own pipeline
    rules = _rows(database_url, "SELECT r.name, count(m.id) FROM sales_assignment_rule r "
                                "JOIN sales_assignment_member m ON m.rule_id = r.id GROUP BY r.name")
    assert len(rules) == added["assignment rules added"] == 4
    assigned = _rows(database_url, "SELECT l.contact_name, l.source, u.username FROM "
                                   "crossdock_audit_log a JOIN sales_lead l ON "
                                   "CAST(l.id AS VARCHAR(20)) = a.record_id JOIN ab_user u ON "
                                   "u.id = l.owner_id WHERE a.action = 'assign'")
    # only the inbound leads typed without a contact had no owner
    assert assigned and all(name is not None for name, *_ in assigned)
    assert {u for *_, u in assigned} <= {"demo.li", "demo.zhang", "demo.smith", "demo.mueller"}

    # orders: the won deals' confirmed; no ERP backend is configured, so no hub
    # job yet (test_hub_run_syncs_to_tryton configures one before the demo)
    confirmed = _rows(database_url, "SELECT o.id, o.amount_total FROM sales_order o "
                                    "WHERE o.state = 'confirmed'")
    assert len(confirmed) == added["orders confirmed"] >= 3
    assert all(amount > 0 for _, amount in confirmed)
    assert _rows(database_url, "SELECT count(*) FROM hub_job") == [(0,)]
    assert audited.get("confirm") == len(confirmed)
    quotations = dict(_rows(database_url, "SELECT state, count(*) FROM sales_order "
                                          "WHERE state != 'confirmed' GROUP BY state"))
    assert sum(quotations.values()) >= 3 and set(quotations) <= {"draft", "sent"}

    second = run_cli(tmp_path, database_url, "sales", "demo")
    assert second.returncode == 0, second.stderr
    assert "contacts demo loaded first" not in second.stdout
    assert set(_added(second.stdout).values()) == {0}
    assert _counts(database_url) == counts


def test_a_failing_demo_stores_nothing(tmp_path, database_url):
    assert run_cli(tmp_path, database_url, "addons", "install", "sales").returncode == 0
    engine = create_engine(database_url)
    with engine.begin() as conn:  # a renamed tax the demo products need
        conn.execute(text("UPDATE sales_tax SET name = 'VAT 6% (old)' WHERE name = 'VAT 6%'"))
    engine.dispose()
    out = run_cli(tmp_path, database_url, "sales", "demo")
    assert out.returncode == 2
    assert "tax VAT 6% missing" in out.stderr and "nothing was stored" in out.stderr
    counts = _counts(database_url)
    # the contacts demo ran in the same transaction: gone with the rest
    assert counts["contacts_company"] == counts["sales_lead"] == counts["sales_product"] == 0
    assert _rows(database_url, "SELECT count(*) FROM ab_user WHERE username LIKE 'demo.%'") \
        == [(0,)]


def audited_done(database_url) -> int:
    return _rows(database_url, "SELECT count(*) FROM crossdock_audit_log "
                               "WHERE action = 'done' AND model = 'Activity'")[0][0]


def _passwords(stdout: str) -> dict[str, str]:
    return dict(re.findall(r"^login: (\S+) / (\S+)$", stdout, re.M))


def _visible_leads(client, token) -> list[dict]:
    out, page = [], 0
    while True:
        resp = client.get("/api/v1/lead/", headers={"Authorization": f"Bearer {token}"},
                          query_string={"q": prison.dumps({"page": page, "page_size": 100,
                                                           "columns": ["id", "name"]})})
        assert resp.status_code == 200, resp.get_data(as_text=True)
        result = resp.get_json()["result"]
        out += result
        if len(result) < 100:
            return out
        page += 1


def test_demo_users_see_their_own_deals(tmp_path, database_url, make_app):
    assert run_cli(tmp_path, database_url, "addons", "install", "sales").returncode == 0
    out = run_cli(tmp_path, database_url, "sales", "demo", "--logins")
    assert out.returncode == 0, out.stderr
    passwords = _passwords(out.stdout)
    assert set(passwords) == {"demo.li", "demo.zhang", "demo.smith", "demo.mueller",
                              "demo.wang", "demo.jones"}
    app = make_app()
    client = app.test_client()

    def token(username):
        resp = client.post("/api/v1/security/login", json={
            "username": username, "password": passwords[username], "provider": "db"})
        assert resp.status_code == 200, resp.get_data(as_text=True)
        return resp.get_json()["access_token"]

    own = {u: {i for i, in _rows(database_url, "SELECT l.id FROM sales_lead l JOIN ab_user u "
                                               "ON u.id = l.owner_id WHERE u.username = :u", u=u)}
           for u in ("demo.li", "demo.smith")}
    for username, ids in own.items():
        assert len(ids) >= 10
        assert {r["id"] for r in _visible_leads(client, token(username))} == ids
    # a manager: the team's deals (both salespeople's), not the other team's
    team = {i for i, in _rows(database_url, "SELECT l.id FROM sales_lead l JOIN crossdock_team t "
                                            "ON t.id = l.team_id WHERE t.name = 'Demo East China'")}
    seen = {r["id"] for r in _visible_leads(client, token("demo.wang"))}
    assert own["demo.li"] < seen and seen == team
    assert not seen & own["demo.smith"]
