"""The pipeline board: columns and totals equal the data, cards page once each,
record rules on cards, totals and moves, moves refused with nothing changed,
GET changes nothing, and a move needs the CSRF token.

Team A (s1, s2 salespeople, mgr its manager) works on the default pipeline;
team B (s3) has a pipeline of its own. Rates: 1 CNY = 0.125 USD; EUR has no
rate, so its sums are shown unconverted.
"""
from __future__ import annotations

import datetime as dt
import html
import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.db import db
from tests.helpers import add_user, install, login

pytestmark = pytest.mark.addons("sales")

USD_RATE = Decimal("0.125")
SECTION = re.compile(r'<section class="board-column[^"]*"\s+data-stage-id="(\d+)".*?'
                     r'data-count="(\d+)" data-total="([^"]*)">.*?'
                     r'<span class="board-total">([^<]*)</span>', re.S)
CARD = re.compile(r'data-lead-id="(\d+)"')


@pytest.fixture
def world(app):
    install(app, "sales")
    users = {"s1": add_user(app, "s1", ["Salesperson"], "A"),
             "s2": add_user(app, "s2", ["Salesperson"], "A"),
             "mgr": add_user(app, "mgr", ["Sales Manager"], "A"),
             "s3": add_user(app, "s3", ["Salesperson"], "B"),
             "ro": add_user(app, "ro", ["Read-only"]),
             "admin": add_user(app, "admin", ["Admin"])}
    with app.app_context():
        from addons.contacts.models import Company
        from addons.sales.models import Currency, CurrencyRate, Lead, Stage
        from core.security.teams import Team

        team_a = db.session.scalar(select(Team).filter_by(name="A"))
        team_b = db.session.scalar(select(Team).filter_by(name="B"))
        b_stages = [Stage(name=f"B{n}", team_id=team_b.id, sequence=n) for n in (1, 2)]
        db.session.add_all(b_stages)
        cur = {c.code: c for c in db.session.scalars(select(Currency))}
        db.session.add(CurrencyRate(currency=cur["USD"], effective_date=dt.date(2020, 1, 1),
                                    rate=USD_RATE))
        stages = {s.name: s for s in db.session.scalars(
            select(Stage).where(Stage.team_id.is_(None)))}
        acme = Company(name="Acme Trading", owner_id=users["s1"])
        db.session.add(acme)
        db.session.flush()
        # name, owner, stage, status, type, amount, currency, priority, close
        rows = [
            ("a1", "s1", "New", "open", "opportunity", "1000.50", "CNY", 2, dt.date(2020, 1, 5)),
            ("a2", "s1", "New", "open", "opportunity", "200.00", "USD", 0, None),
            ("a3", "s2", "New", "open", "opportunity", "300.00", "CNY", 1, dt.date(2030, 1, 1)),
            ("a4", "s2", "Qualified", "open", "opportunity", "50.25", "EUR", 3, None),
            ("a5", "s1", "Qualified", "open", "opportunity", "75.10", "USD", 0, None),
            ("a6", "s1", "Proposition", "won", "opportunity", "999.99", "CNY", 0, None),
            ("a7", "s2", "Won", "won", "opportunity", "10.00", "USD", 0, None),
            ("a8", "s1", "Negotiation", "lost", "opportunity", "5000.00", "CNY", 0, None),
            ("a9", "s1", "New", "open", "lead", "7000.00", "CNY", 0, None),
            ("a10", "mgr", "Negotiation", "open", "opportunity", "1234.56", None, 1, None),
        ]
        leads = {}
        for name, owner, stage, status, kind, amount, code, prio, close in rows:
            leads[name] = Lead(name=name, owner_id=users[owner], team_id=team_a.id,
                               stage_id=stages[stage].id, status=status, type=kind,
                               expected_revenue=Decimal(amount),
                               currency_id=cur[code].id if code else None,
                               priority=prio, expected_close=close)
        leads["a1"].company = acme
        leads["a3"].company_name = "Free Text Ltd"
        leads["b1"] = Lead(name="b1", owner_id=users["s3"], team_id=team_b.id,
                           stage_id=b_stages[0].id, type="opportunity",
                           expected_revenue=Decimal("42"), currency_id=cur["CNY"].id)
        db.session.add_all(leads.values())
        db.session.commit()
        ids = {k: v.id for k, v in leads.items()}
        ids.update(team_a=team_a.id, team_b=team_b.id, b_stage=b_stages[1].id,
                   **{f"stage_{k}": s.id for k, s in stages.items()})
    return app, users, ids


def _expected(app, team_id, owner_id=None):
    """Count and total per stage, computed here in Python from the rows."""
    with app.app_context():
        from addons.sales.models import Lead, Stage

        stages = {s.id: s for s in db.session.scalars(select(Stage))}
        won = next(s.id for s in stages.values() if s.is_won and s.team_id is None)
        result = {}
        per_currency = {}
        for lead in db.session.scalars(select(Lead).where(Lead.team_id == team_id)):
            if lead.type != "opportunity" or lead.status == "lost":
                continue
            if owner_id is not None and lead.owner_id != owner_id:
                continue
            column = won if lead.status == "won" else lead.stage_id
            code = lead.currency.code if lead.currency else "CNY"
            count, _ = result.get(column, (0, None))
            result[column] = (count + 1, None)
            key = (column, code)
            per_currency[key] = per_currency.get(key, Decimal(0)) + lead.expected_revenue
    totals = {}
    unconverted = {}
    for (column, code), amount in per_currency.items():
        if code == "CNY":
            totals[column] = totals.get(column, Decimal(0)) + amount
        elif code == "USD":
            totals[column] = totals.get(column, Decimal(0)) + (amount / USD_RATE).quantize(
                Decimal("0.01"))
        else:
            unconverted.setdefault(column, []).append((code, amount))
    return {c: (n, totals.get(c, Decimal(0)), unconverted.get(c, []))
            for c, (n, _) in result.items()}


def _columns(page: str) -> dict[int, tuple[int, Decimal, str]]:
    return {int(sid): (int(count), Decimal(total), html.unescape(label))
            for sid, count, total, label in SECTION.findall(page)}


def _board(client, **params):
    resp = client.get("/sales/board/", query_string=params)
    assert resp.status_code == 200, resp.status_code
    return resp.get_data(as_text=True)


def _state(app):
    with app.app_context():
        from addons.sales.models import Lead

        return sorted(db.session.execute(select(
            Lead.id, Lead.stage_id, Lead.status, Lead.probability, Lead.closed_at)).all())


def _audit_count(app):
    with app.app_context():
        from core.security.audit import AuditLog

        # logins are audited too: count what was written about opportunities
        return db.session.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.model == "Lead"))


def _move(client, token, lead_id, stage_id, **params):
    return client.post("/sales/board/move", json={"lead_id": lead_id, "stage_id": stage_id},
                       headers={"X-CSRFToken": token}, query_string=params)


def test_columns_and_totals_equal_the_data(world):
    app, users, ids = world
    client = app.test_client()
    login(client, "mgr")
    page = _board(client, team=ids["team_a"])
    shown = _columns(page)
    expected = _expected(app, ids["team_a"])
    assert len(shown) == 5  # the default pipeline
    for stage_id, (count, total, label) in shown.items():
        exp_count, exp_total, exp_unconverted = expected.get(stage_id, (0, Decimal(0), []))
        assert (count, total) == (exp_count, exp_total), stage_id
        for code, amount in exp_unconverted:  # shown as such, not dropped
            assert f"{amount:,.2f} {code} (no rate)" in label
    # spot checks a reader would make: New holds a1, a2, a3 (a9 is a lead, not on the board)
    assert shown[ids["stage_New"]][:2] == (3, Decimal("1000.50") + Decimal("1600.00")
                                           + Decimal("300.00"))
    assert shown[ids["stage_Won"]][0] == 2  # a6 (won from Proposition) and a7
    assert "EUR (no rate)" in shown[ids["stage_Qualified"]][2]
    # lost ones and leads are not on the board; folded Won shows no cards
    cards = set(map(int, CARD.findall(page)))
    assert cards == {ids[n] for n in ("a1", "a2", "a3", "a4", "a5", "a10")}
    assert "Acme Trading" in page and "Free Text Ltd" in page
    assert "board-overdue" in page  # a1 closes 2020-01-05, open
    # the JSON totals agree with the page
    answer = client.get("/sales/board/totals", query_string={"team": ids["team_a"]}).get_json()
    assert {c["stage_id"]: (c["count"], Decimal(c["total"])) for c in answer["columns"]} == {
        s: (v[0], v[1]) for s, v in shown.items()}


def test_filters_owner_search_and_period(world):
    app, users, ids = world
    client = app.test_client()
    login(client, "mgr")
    page = _board(client, team=ids["team_a"], owner=users["s2"])
    assert set(map(int, CARD.findall(page))) == {ids["a3"], ids["a4"]}
    shown = _columns(page)
    expected = _expected(app, ids["team_a"], users["s2"])
    assert {s: c[:2] for s, c in shown.items() if c[0]} == {s: e[:2] for s, e in expected.items()}
    assert set(map(int, CARD.findall(_board(client, team=ids["team_a"], q="acme")))) == {ids["a1"]}
    assert set(map(int, CARD.findall(_board(client, team=ids["team_a"], q="free text")))) == {
        ids["a3"]}
    period = _board(client, team=ids["team_a"], close_from="2020-01-01", close_to="2029-12-31")
    assert set(map(int, CARD.findall(period))) == {ids["a1"]}
    mine = _board(client, team=ids["team_a"], owner="me")
    assert set(map(int, CARD.findall(mine))) == {ids["a10"]}
    bad = client.get("/sales/board/totals", query_string={"team": ids["team_a"],
                                                          "close_from": "31.12.2020"})
    assert bad.status_code == 400 and "close_from" in bad.get_json()["message"]


def test_salesperson_sees_own_cards_and_totals_only(world):
    app, users, ids = world
    client = app.test_client()
    login(client, "s1")
    page = _board(client)  # s1's only team is A: the default
    assert set(map(int, CARD.findall(page))) == {ids["a1"], ids["a2"], ids["a5"]}
    shown = _columns(page)
    expected = _expected(app, ids["team_a"], users["s1"])
    for stage_id, (count, total, _label) in shown.items():
        assert (count, total) == expected.get(stage_id, (0, Decimal(0)))[:2]
    # another team's board is not offered
    teams = re.search(r'<select name="team".*?</select>', page, re.S).group(0)
    assert f'value="{ids["team_a"]}"' in teams and f'value="{ids["team_b"]}"' not in teams
    refused = client.get("/sales/board/totals", query_string={"team": ids["team_b"]})
    assert refused.status_code == 400 and "not one of your teams" in refused.get_json()["message"]
    # the manager sees the team's cards, s2's included
    mgr = app.test_client()
    login(mgr, "mgr")
    assert ids["a4"] in set(map(int, CARD.findall(_board(mgr))))


def test_cards_page_once_each_in_board_order(world):
    app, users, ids = world
    from addons.sales.services.reporting.pipeline_board import PAGE_SIZE

    with app.app_context():
        from addons.sales.models import Lead

        for n in range(PAGE_SIZE * 2 + 7):
            db.session.add(Lead(
                name=f"bulk {n}", owner_id=users["s1"], team_id=ids["team_a"],
                stage_id=ids["stage_Proposition"], type="opportunity",
                expected_revenue=Decimal(n), priority=n % 4,
                expected_close=None if n % 5 == 0 else dt.date(2026, 1, 1 + n % 28)))
        db.session.commit()
        rows = db.session.execute(select(Lead.id, Lead.priority, Lead.expected_close).where(
            Lead.stage_id == ids["stage_Proposition"], Lead.status == "open")).all()
    order = [r.id for r in sorted(rows, key=lambda r: (
        -r.priority, r.expected_close or dt.date.max, r.id))]
    client = app.test_client()
    login(client, "s1")
    page = _board(client)
    section = page.split(f'data-stage-id="{ids["stage_Proposition"]}"')[1].split("</section>")[0]
    seen = list(map(int, CARD.findall(section)))
    assert len(seen) == PAGE_SIZE
    after = re.search(r'data-after="([^"]+)"', section).group(1)
    while after:
        answer = client.get("/sales/board/cards", query_string={
            "stage_id": ids["stage_Proposition"], "after": html.unescape(after)}).get_json()
        assert answer["ok"]
        seen += list(map(int, CARD.findall(answer["html"])))
        after = answer["next"]
    assert seen == order  # each card exactly once, in board order
    bad = client.get("/sales/board/cards", query_string={"stage_id": ids["stage_Proposition"],
                                                         "after": "x"})
    assert bad.status_code == 400 and "after" in bad.get_json()["message"]


def test_move_updates_totals_and_is_audited(world):
    app, users, ids = world
    client = app.test_client()
    token = login(client, "s1")
    resp = _move(client, token, ids["a2"], ids["stage_Qualified"])
    assert resp.status_code == 200, resp.get_data(as_text=True)
    answer = resp.get_json()
    with app.app_context():
        from addons.sales.models import Lead
        from core.security.audit import AuditLog

        lead = db.session.get(Lead, ids["a2"])
        assert lead.stage_id == ids["stage_Qualified"] and lead.probability == 30
        assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.action == "stage_move", AuditLog.record_id == str(ids["a2"]))) == 1
    expected = _expected(app, ids["team_a"], users["s1"])
    got = {c["stage_id"]: (c["count"], Decimal(c["total"])) for c in answer["columns"]}
    assert got[ids["stage_Qualified"]] == expected[ids["stage_Qualified"]][:2]
    assert got[ids["stage_New"]] == expected[ids["stage_New"]][:2]
    # dropped on the won stage: marked won
    resp = _move(client, token, ids["a5"], ids["stage_Won"])
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.get_json()["status"] == "won"
    # lost, with a reason
    with app.app_context():
        from addons.sales.models import LostReason

        reason = db.session.scalar(select(LostReason.id).limit(1))
    resp = client.post("/sales/board/lost", json={"lead_id": ids["a1"], "reason_id": reason},
                       headers={"X-CSRFToken": token})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert ids["a1"] not in set(map(int, CARD.findall(_board(client))))


def test_refused_moves_change_nothing(world):
    app, users, ids = world
    client = app.test_client()
    token = login(client, "s1")
    before, audits = _state(app), _audit_count(app)
    # another team's stage
    resp = _move(client, token, ids["a1"], ids["b_stage"])
    assert resp.status_code == 409 and "not in the pipeline" in resp.get_json()["message"]
    # someone else's card: not even visible to s1
    resp = _move(client, token, ids["a3"], ids["stage_Qualified"])
    assert resp.status_code == 404
    # a won one
    resp = _move(client, token, ids["a6"], ids["stage_New"])
    assert resp.status_code == 409 and "won" in resp.get_json()["message"]
    # lost without a reason
    resp = client.post("/sales/board/lost", json={"lead_id": ids["a1"]},
                       headers={"X-CSRFToken": token})
    assert resp.status_code == 409 and "reason" in resp.get_json()["message"]
    # no such stage, no lead id
    assert _move(client, token, ids["a1"], 999999).status_code == 409
    assert client.post("/sales/board/move", json={"stage_id": 1},
                       headers={"X-CSRFToken": token}).status_code == 400
    # a read-only user may look but not move
    ro = app.test_client()
    ro_token = login(ro, "ro")
    assert ro.get("/sales/board/", query_string={"team": ids["team_a"]}).status_code == 200
    assert _move(ro, ro_token, ids["a1"], ids["stage_Qualified"]).status_code in (401, 403)
    # the manager may not move into team B's pipeline either
    mgr = app.test_client()
    resp = _move(mgr, login(mgr, "mgr"), ids["a3"], ids["b_stage"])
    assert resp.status_code == 409
    assert _state(app) == before and _audit_count(app) == audits


def test_get_never_changes_state_and_move_needs_csrf(world):
    app, users, ids = world
    client = app.test_client()
    token = login(client, "s1")
    before, audits = _state(app), _audit_count(app)
    _board(client)
    client.get("/sales/board/totals")
    client.get("/sales/board/cards", query_string={"stage_id": ids["stage_New"]})
    assert client.get("/sales/board/move", query_string={
        "lead_id": ids["a1"], "stage_id": ids["stage_Qualified"]}).status_code == 405
    assert client.get("/sales/board/lost").status_code == 405
    # no token, a wrong token: refused
    resp = client.post("/sales/board/move",
                       json={"lead_id": ids["a1"], "stage_id": ids["stage_Qualified"]})
    assert resp.status_code == 400
    resp = _move(client, token + "x", ids["a1"], ids["stage_Qualified"])
    assert resp.status_code == 400
    assert _state(app) == before and _audit_count(app) == audits


def _column_walk(client, stage_id: int) -> list[int]:
    """Every card id of a column, page after page (folded columns too)."""
    seen, after = [], None
    while True:
        answer = client.get("/sales/board/cards", query_string={
            "stage_id": stage_id, **({"after": after} if after else {})}).get_json()
        assert answer["ok"]
        seen += list(map(int, CARD.findall(answer["html"])))
        after = answer["next"]
        if not after:
            return seen


def test_won_and_stageless_cards_merge_in_board_order(world):
    """The won column holds won ones from any stage and open ones in the won
    stage; the first column holds open ones without a stage too. Each is read
    in two parts and merged: pages stay in board order, each card once."""
    app, users, ids = world
    from addons.sales.services.reporting.pipeline_board import PAGE_SIZE

    with app.app_context():
        from addons.sales.models import Lead

        for n in range(PAGE_SIZE + 9):
            won = n % 2 == 0
            db.session.add(Lead(
                name=f"w {n}", owner_id=users["s1"], team_id=ids["team_a"],
                stage_id=ids["stage_Proposition"] if won else ids["stage_Won"],
                status="won" if won else "open", type="opportunity", priority=n % 3,
                expected_close=None if n % 4 == 1 else dt.date(2026, 2, 1 + n % 27)))
            db.session.add(Lead(
                name=f"n {n}", owner_id=users["s1"], team_id=ids["team_a"],
                stage_id=None if n % 2 else ids["stage_New"], type="opportunity",
                priority=(n + 1) % 4, expected_close=dt.date(2026, 3, 1 + n % 20)))
        db.session.commit()
        rows = db.session.execute(select(
            Lead.id, Lead.priority, Lead.expected_close, Lead.status, Lead.stage_id).where(
            Lead.team_id == ids["team_a"], Lead.type == "opportunity",
            Lead.owner_id == users["s1"])).all()

    def order(keep):
        return [r.id for r in sorted(filter(keep, rows), key=lambda r: (
            -r.priority, r.expected_close or dt.date.max, r.id))]

    won_expected = order(lambda r: r.status == "won" or (
        r.status == "open" and r.stage_id == ids["stage_Won"]))
    new_expected = order(lambda r: r.status == "open" and r.stage_id in (
        ids["stage_New"], None))
    client = app.test_client()
    login(client, "s1")
    assert _column_walk(client, ids["stage_Won"]) == won_expected
    assert _column_walk(client, ids["stage_New"]) == new_expected
    section = re.search(rf'<section class="board-column[^"]*"\s+data-stage-id="{ids["stage_New"]}"'
                        r'.*?</section>', _board(client), re.S).group(0)
    assert list(map(int, CARD.findall(section))) == new_expected[:PAGE_SIZE]
    assert len(won_expected) > PAGE_SIZE and len(new_expected) > PAGE_SIZE


def test_board_queries_do_not_grow_with_cards(world):
    """The page reads its cards in a fixed number of statements (ids per
    column, then all cards with customer and owner at once), however many:
    30 more cards, with their own customers, in columns that had cards."""
    app, users, ids = world
    from sqlalchemy import event

    client = app.test_client()
    login(client, "mgr")
    statements = []

    def count(*_args):
        statements.append(1)

    def measure():
        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            statements.clear()
            page = _board(client)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(statements), len(CARD.findall(page))

    _board(client)  # warm caches (permissions, menus)
    before, cards_before = measure()
    with app.app_context():
        from addons.contacts.models import Company
        from addons.sales.models import Lead

        for n in range(30):
            company = Company(name=f"Customer {n}", owner_id=users["s2"])
            db.session.add(company)
            db.session.add(Lead(
                name=f"more {n}", owner_id=users["s1" if n % 2 else "s2"],
                team_id=ids["team_a"], company=company, type="opportunity",
                stage_id=ids[("stage_New", "stage_Qualified", "stage_Negotiation")[n % 3]]))
        db.session.commit()
    after, cards_after = measure()
    assert cards_after == cards_before + 30
    assert after == before
