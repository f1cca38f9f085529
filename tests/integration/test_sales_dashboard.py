"""The sales dashboard's figures equal SQL written here over the same tables,
with each reader's record-rule scope spelled out in the SQL: Admin and
Read-only see every opportunity, a Sales Manager the team's (owned by a teammate or in the team),
a Salesperson their own; team, owner and period filters narrow it, never widen.

Data: teams North (default pipeline) and South (its own three stages), a
manager and two salespeople in North, a manager and a salesperson in South;
~150 opportunities (and a few leads, which the dashboard ignores) spread by a
seeded generator over owners, teams, stages, statuses, currencies (CNY base,
USD and EUR with rates, JPY without), lost reasons and dates; activities due
around today, some done.
"""
from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from sqlalchemy import text

from core.db import db
from tests.helpers import add_user, install, login

pytestmark = pytest.mark.addons("sales")

USERS = {"admin1": (["Admin"], None),
         "mgr_n": (["Sales Manager"], "North"), "sp_n1": (["Salesperson"], "North"),
         "sp_n2": (["Salesperson"], "North"),
         "mgr_s": (["Sales Manager"], "South"), "sp_s1": (["Salesperson"], "South"),
         "reader": (["Read-only"], None)}
OWNERS = ("mgr_n", "sp_n1", "sp_n2", "mgr_s", "sp_s1")
CENT = Decimal("0.01")


def q2(x) -> Decimal:
    """A database sum (float on SQLite) as the 2-decimal amount it stands for."""
    return Decimal(str(x or 0)).quantize(CENT, rounding=ROUND_HALF_UP)


@pytest.fixture
def world(app):
    install(app, "sales")
    users = {name: add_user(app, name, roles, team) for name, (roles, team) in USERS.items()}
    rnd = random.Random(20261123)
    today = date.today()
    with app.app_context():
        from addons.sales.models import Currency, CurrencyRate, Lead, LostReason, Stage
        from core.security.teams import Team

        s = db.session
        teams = {t.name: t.id for t in s.query(Team)}
        south = [Stage(name=n, team_id=teams["South"], sequence=q, probability=p, is_won=w)
                 for n, q, p, w in (("Intro", 5, 20, False), ("Demo", 15, 50, False),
                                    ("Signed", 25, 100, True))]
        s.add_all(south)
        s.flush()
        default = s.query(Stage).filter_by(team_id=None).all()
        cur = {c.code: c.id for c in s.query(Currency)}
        s.add_all([CurrencyRate(currency_id=cur["USD"], effective_date=date(2020, 1, 1),
                                rate=Decimal("0.1400000000")),
                   # a newer rate already valid, and one not yet valid: the dashboard
                   # must take the latest on or before today
                   CurrencyRate(currency_id=cur["USD"], effective_date=today - timedelta(days=3),
                                rate=Decimal("0.1380000000")),
                   CurrencyRate(currency_id=cur["USD"], effective_date=today + timedelta(days=30),
                                rate=Decimal("0.5000000000")),
                   CurrencyRate(currency_id=cur["EUR"], effective_date=date(2020, 1, 1),
                                rate=Decimal("0.1300000000"))])
        reasons = [r.id for r in s.query(LostReason)]
        homes = {"mgr_n": "North", "sp_n1": "North", "sp_n2": "North", "mgr_s": "South",
                 "sp_s1": "South"}
        for n in range(150):
            owner = rnd.choice(OWNERS + (None,))
            team = homes.get(owner) or rnd.choice(("North", "South"))
            if rnd.random() < 0.08:  # someone working a deal in the other team
                team = "South" if team == "North" else "North"
            stages = south if team == "South" else default
            stage = rnd.choice(stages)
            status = rnd.choices(("open", "won", "lost"), weights=(6, 2, 2))[0]
            created = datetime(2026, rnd.randint(1, 10), rnd.randint(1, 28), rnd.randint(0, 23))
            closed = created + timedelta(days=rnd.randint(0, 60)) if status != "open" else None
            s.add(Lead(
                type="opportunity" if n % 13 else "lead", name=f"deal {n}",
                owner_id=users[owner] if owner else None, team_id=teams[team],
                stage_id=None if n % 29 == 0 else stage.id, status=status,
                lost_reason_id=(rnd.choice(reasons + [None]) if status == "lost" else None),
                closed_at=closed,
                expected_revenue=Decimal(rnd.randint(100, 5_000_000)) / 100,
                currency_id=cur.get(rnd.choices(("CNY", "USD", "EUR", "JPY", None),
                                                weights=(6, 2, 1, 1, 1))[0]),
                probability=rnd.randint(0, 100),
                expected_close=(None if n % 11 == 0 else
                                date(2026, rnd.randint(6, 12), rnd.randint(1, 28))),
                created_at=created))
        s.flush()
        from addons.sales.models import Activity

        lead_ids = [i for (i,) in s.query(Lead.id)]
        for n in range(80):
            owner = rnd.choice(OWNERS)
            s.add(Activity(kind=rnd.choice(("call", "meeting", "todo")), summary=f"task {n}",
                           due_date=today + timedelta(days=rnd.randint(-6, 6)),
                           owner_id=users[owner],
                           team_id=teams[rnd.choice((homes[owner],) * 5 + ("North", "South"))],
                           lead_id=rnd.choice(lead_ids),
                           done_at=datetime(2026, 1, 5) if rnd.random() < 0.3 else None))
        db.session.commit()
    return app, users, teams


def scope_sql(world, reader: str, t: str = "l") -> tuple[str, dict]:
    """The reader's record-rule scope on sales_lead (or sales_activity) `t`, written out."""
    app, users, teams = world
    roles, team = USERS[reader]
    if "Admin" in roles or "Read-only" in roles:  # Read-only reads every opportunity
        return "1 = 1", {}
    if "Salesperson" in roles:
        return f"{t}.owner_id = :me", {"me": users[reader]}
    mates = [users[u] for u, (_, tm) in USERS.items() if tm == team]
    return (f"({t}.owner_id IN ({', '.join(str(m) for m in mates)}) OR {t}.team_id = :my_team)",
            {"my_team": teams[team]})


def filter_sql(flt: dict, column: str | None, is_date: bool = False,
               t: str = "l") -> tuple[str, dict]:
    parts, params = [], {}
    if flt.get("team"):
        parts.append(f"{t}.team_id = :f_team")
        params["f_team"] = flt["team"]
    if flt.get("owner"):
        parts.append(f"{t}.owner_id = :f_owner")
        params["f_owner"] = flt["owner"]
    if column is None:  # no period on this figure
        return " AND ".join(parts) or "1 = 1", params
    if flt.get("from"):
        parts.append(f"l.{column} >= :f_from")
        params["f_from"] = (date.fromisoformat(flt["from"]) if is_date
                            else datetime.fromisoformat(flt["from"]))
    if flt.get("to"):
        parts.append(f"l.{column} < :f_to" if not is_date else f"l.{column} <= :f_to")
        params["f_to"] = (date.fromisoformat(flt["to"]) if is_date
                          else datetime.fromisoformat(flt["to"]) + timedelta(days=1))
    return " AND ".join(parts) or "1 = 1", params


def rates_today() -> tuple[dict[int, Decimal | None], dict[int, tuple[str, int]]]:
    """Currency id -> units per base unit on today (None: no rate), and code/places."""
    today = date.today()
    rows = db.session.execute(text(
        "SELECT c.id, c.code, c.decimal_places, c.is_base, "
        " (SELECT r.rate FROM sales_currency_rate r WHERE r.currency_id = c.id"
        "  AND r.effective_date <= :today ORDER BY r.effective_date DESC LIMIT 1)"
        " FROM sales_currency c"), {"today": today}).all()
    rates = {i: (Decimal(1) if base else (Decimal(str(r)) if r is not None else None))
             for i, _, _, base, r in rows}
    return rates, {i: (code, places) for i, code, places, _, _ in rows}


class Expect:
    """Sums per currency converted as the dashboard says it does, from raw SQL rows."""

    def __init__(self):
        self.rates, self.codes = rates_today()

    def amount(self, per_currency: dict[int, Decimal]) -> tuple[str, dict[str, str]]:
        value, unconverted = Decimal(0), {}
        for currency_id, total in per_currency.items():
            rate = self.rates[currency_id] if currency_id else Decimal(1)  # none: base
            if rate is None:
                code, places = self.codes[currency_id]
                unconverted[code] = str(q2(total).quantize(Decimal(1).scaleb(-places),
                                                           ROUND_HALF_UP))
            else:
                value += Decimal(total) / rate
        return str(value.quantize(CENT, rounding=ROUND_HALF_UP)), unconverted


def expected_figures(world, reader: str, flt: dict) -> dict:
    scope, sp = scope_sql(world, reader)
    ex = Expect()

    def rows(sql, column, is_date=False):
        where, fp = filter_sql(flt, column, is_date)
        return db.session.execute(text(sql.format(scope=scope, where=where)),
                                  {**sp, **fp}).all()

    # funnel: open opportunities per stage, per currency
    per_stage = defaultdict(lambda: defaultdict(Decimal))
    stage_count = defaultdict(int)
    for stage_id, currency_id, n, total in rows(
            "SELECT l.stage_id, l.currency_id, COUNT(*), SUM(l.expected_revenue)"
            " FROM sales_lead l WHERE l.type = 'opportunity' AND l.status = 'open'"
            " AND {scope} AND {where} GROUP BY l.stage_id, l.currency_id", "created_at"):
        stage_count[stage_id] += n
        per_stage[stage_id][currency_id] += q2(total)
    stages = {}
    own_teams = [t for (t,) in db.session.execute(text(
        "SELECT DISTINCT team_id FROM sales_stage WHERE team_id IS NOT NULL AND active"))]
    for sid, team_id, seq in db.session.execute(text(
            "SELECT id, team_id, sequence FROM sales_stage WHERE active")).all():
        if team_id is None:
            in_pipeline = ("(l.team_id IS NULL OR l.team_id NOT IN ("
                           + ", ".join(str(t) for t in own_teams) + "))")
        else:
            in_pipeline = f"l.team_id = {team_id}"
        (reached,), = rows(
            "SELECT COUNT(*) FROM sales_lead l LEFT JOIN sales_stage s ON s.id = l.stage_id"
            " WHERE l.type = 'opportunity' AND {scope} AND {where} AND " + in_pipeline +
            f" AND (l.status = 'won' OR s.sequence >= {seq})", "created_at")
        value, unconverted = ex.amount(per_stage[sid])
        stages[sid] = {"count": stage_count[sid], "value": value, "unconverted": unconverted,
                       "reached": reached}

    # forecast: open opportunities by month of expected_close
    months = defaultdict(lambda: defaultdict(Decimal))
    month_count = defaultdict(int)
    for day, currency_id, n, weighted in rows(
            "SELECT l.expected_close, l.currency_id, COUNT(*),"
            " SUM(l.expected_revenue * l.probability) FROM sales_lead l"
            " WHERE l.type = 'opportunity' AND l.status = 'open'"
            " AND l.expected_close IS NOT NULL AND {scope} AND {where}"
            " GROUP BY l.expected_close, l.currency_id", "expected_close", True):
        month = str(day)[:7]
        month_count[month] += n
        months[month][currency_id] += q2(weighted) / 100
    forecast = {m: {"count": month_count[m], **dict(zip(("value", "unconverted"),
                                                         ex.amount(months[m])))}
                for m in months}

    # won/lost over the period of closed_at
    by_reason = defaultdict(lambda: defaultdict(Decimal))
    reason_count = defaultdict(int)
    by_owner = defaultdict(lambda: defaultdict(Decimal))
    owner_count = defaultdict(int)
    for owner_id, status, reason_id, currency_id, n, total in rows(
            "SELECT l.owner_id, l.status, l.lost_reason_id, l.currency_id, COUNT(*),"
            " SUM(l.expected_revenue) FROM sales_lead l"
            " WHERE l.type = 'opportunity' AND l.status IN ('won', 'lost')"
            " AND {scope} AND {where}"
            " GROUP BY l.owner_id, l.status, l.lost_reason_id, l.currency_id", "closed_at"):
        if status == "lost":
            reason_count[reason_id] += n
            by_reason[reason_id][currency_id] += q2(total)
        owner_count[owner_id, status] += n
        by_owner[owner_id, status][currency_id] += q2(total)
    reasons = {r: {"count": reason_count[r], **dict(zip(("value", "unconverted"),
                                                         ex.amount(by_reason[r])))}
               for r in reason_count}
    owners = {}
    for o in {o for o, _ in owner_count}:
        won_v, won_u = ex.amount(by_owner[o, "won"])
        lost_v, lost_u = ex.amount(by_owner[o, "lost"])
        owners[o] = {"won_count": owner_count[o, "won"], "won_value": won_v,
                     "won_unconverted": won_u, "lost_count": owner_count[o, "lost"],
                     "lost_value": lost_v, "lost_unconverted": lost_u}

    # activity backlog: open activities now, whatever the period
    ascope, ap = scope_sql(world, reader, "a")
    awhere, afp = filter_sql(flt, None, t="a")
    backlog = {o: {"overdue": int(a), "today": int(b), "upcoming": int(c)}
               for o, a, b, c in db.session.execute(text(
                   "SELECT a.owner_id,"
                   " SUM(CASE WHEN a.due_date < :today THEN 1 ELSE 0 END),"
                   " SUM(CASE WHEN a.due_date = :today THEN 1 ELSE 0 END),"
                   " SUM(CASE WHEN a.due_date > :today THEN 1 ELSE 0 END)"
                   f" FROM sales_activity a WHERE a.done_at IS NULL AND {ascope} AND {awhere}"
                   " GROUP BY a.owner_id"), {**ap, **afp, "today": date.today()})}
    return {"stages": stages, "forecast": forecast, "reasons": reasons, "owners": owners,
            "backlog": backlog}


def got_figures(data: dict) -> dict:
    stages = {s["stage_id"]: {k: s[k] for k in ("count", "value", "unconverted", "reached")}
              for p in data["funnel"] for s in p["stages"]}
    forecast = {m["month"]: {k: m[k] for k in ("count", "value", "unconverted")}
                for m in data["forecast"]}
    reasons = {r["reason_id"]: {k: r[k] for k in ("count", "value", "unconverted")}
               for r in data["lost_by_reason"]}
    owners = {o["owner_id"]: {k: v for k, v in o.items() if k not in ("owner_id", "owner")}
              for o in data["by_owner"]}
    backlog = {b["owner_id"]: {k: b[k] for k in ("overdue", "today", "upcoming")}
               for b in data["backlog"]}
    return {"stages": stages, "forecast": forecast, "reasons": reasons, "owners": owners,
            "backlog": backlog}


def check(world, client, reader: str, flt: dict) -> dict:
    resp = client.get("/sales/dashboard/data", query_string=flt)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    data = resp.get_json()
    got = got_figures(data)
    with world[0].app_context():
        want = expected_figures(world, reader, flt)
    # the funnel shows the stages of the pipelines concerned; every other stage is empty
    for sid, figures in want["stages"].items():
        if sid in got["stages"]:
            assert got["stages"][sid] == figures, (reader, flt, sid)
        else:
            assert figures["count"] == 0 and figures["reached"] == 0, (reader, flt, sid)
    for key in ("forecast", "reasons", "owners", "backlog"):
        assert got[key] == want[key], (reader, flt, key)
    # conversion: reached(next) / reached(this) within each pipeline
    for pipeline in data["funnel"]:
        st = pipeline["stages"]
        for this, nxt in zip(st, st[1:]):
            want_ratio = (None if not this["reached"] else
                          str((Decimal(nxt["reached"]) / this["reached"]).quantize(
                              Decimal("0.0001"), rounding=ROUND_HALF_UP)))
            assert this["conversion"] == want_ratio, (reader, flt, this)
        assert not st or st[-1]["conversion"] is None
    return data


def test_figures_equal_sql_for_each_reader_and_filter(world):
    app, users, teams = world
    cases = {
        "admin1": [{}, {"team": teams["South"]}, {"owner": users["sp_n2"]},
                   {"from": "2026-03-01", "to": "2026-06-30"},
                   {"team": teams["North"], "from": "2026-08-01", "to": "2026-11-30"}],
        "mgr_n": [{}, {"team": teams["North"]}, {"team": teams["South"]},
                  {"owner": users["sp_n1"], "from": "2026-02-01"}],
        "sp_s1": [{}, {"to": "2026-09-15"}],
        "reader": [{"team": teams["North"]}],
    }
    for reader, filters in cases.items():
        client = app.test_client()
        login(client, reader)
        for flt in filters:
            data = check(world, client, reader, flt)
            assert data["base_currency"] == "CNY"
            if not flt:  # the seeded data has something in every figure
                assert data["forecast"] and data["by_owner"] and data["backlog"], reader
                assert any(s["count"] for p in data["funnel"] for s in p["stages"]), reader


def test_scope_cannot_be_widened_by_filters(world):
    """A salesperson asking for a colleague, or a manager for another team's
    salesperson, gets zeros: the record rules run under the filters."""
    app, users, teams = world
    client = app.test_client()
    login(client, "sp_n1")
    data = client.get("/sales/dashboard/data", query_string={"owner": users["sp_n2"]}).get_json()
    assert all(s["count"] == 0 and s["reached"] == 0 and s["value"] == "0.00"
               for p in data["funnel"] for s in p["stages"])
    assert data["forecast"] == [] and data["lost_by_reason"] == [] and data["by_owner"] == []
    assert data["backlog"] == []
    # unfiltered, the same reader sees only themself among salespeople
    data = client.get("/sales/dashboard/data").get_json()
    assert {o["owner_id"] for o in data["by_owner"]} == {users["sp_n1"]}

    client = app.test_client()
    login(client, "mgr_n")
    with app.app_context():
        # what sp_s1 (South) does inside North stays visible to North's manager; nothing else
        (in_north,), = db.session.execute(text(
            "SELECT COUNT(*) FROM sales_lead WHERE owner_id = :o AND team_id = :t"
            " AND type = 'opportunity' AND status IN ('won', 'lost')"),
            {"o": users["sp_s1"], "t": teams["North"]}).all()
    data = client.get("/sales/dashboard/data", query_string={"owner": users["sp_s1"]}).get_json()
    seen = sum(o["won_count"] + o["lost_count"] for o in data["by_owner"])
    assert seen == in_north
    # the filter form offers the manager's team and teammates only
    page = client.get("/sales/dashboard/").get_data(as_text=True)
    team_choices = page.split('id="f-team"')[1].split("</select>")[0]
    owner_choices = page.split('id="f-owner"')[1].split("</select>")[0]
    assert f'<option value="{teams["North"]}"' in team_choices
    assert f'<option value="{teams["South"]}"' not in team_choices
    assert f'<option value="{users["sp_n2"]}"' in owner_choices
    assert f'<option value="{users["sp_s1"]}"' not in owner_choices


def test_missing_rate_is_reported_not_dropped(world):
    app, users, _ = world
    client = app.test_client()
    login(client, "admin1")
    data = client.get("/sales/dashboard/data").get_json()
    assert list(data["missing_rates"]) == ["JPY"]
    assert "JPY" in data["missing_rates"]["JPY"]
    with app.app_context():
        jpy = dict(db.session.execute(text(
            "SELECT l.stage_id, SUM(l.expected_revenue) FROM sales_lead l JOIN sales_currency c"
            " ON c.id = l.currency_id WHERE c.code = 'JPY' AND l.type = 'opportunity'"
            " AND l.status = 'open' AND l.stage_id IS NOT NULL GROUP BY l.stage_id")).all())
    assert jpy  # the data has open JPY deals
    shown = {s["stage_id"]: s["unconverted"] for p in data["funnel"] for s in p["stages"]}
    for stage_id, total in jpy.items():  # JPY has no decimals
        assert shown[stage_id] == {"JPY": str(q2(total).quantize(Decimal(1), ROUND_HALF_UP))}
    assert all(u == {} for sid, u in shown.items() if sid not in jpy)
    # the page says so too
    page = client.get("/sales/dashboard/").get_data(as_text=True)
    assert 'id="missing-rates"' in page and 'data-currency="JPY"' in page

    # no base currency at all: nothing to add up in, and the reader is told why
    with app.app_context():  # as the currency screen does it: through the ORM, audited
        from addons.sales.models import Currency

        for currency in db.session.query(Currency).filter_by(is_base=True):
            currency.is_base = False
        db.session.commit()
    resp = client.get("/sales/dashboard/data")
    assert resp.status_code == 409 and "base currency" in resp.get_json()["errors"]["currency"]
    resp = client.get("/sales/dashboard/")
    assert resp.status_code == 409 and "no base currency" in resp.get_data(as_text=True)


def test_page_shows_tables_and_refuses_bad_filters(world):
    app, users, teams = world
    client = app.test_client()
    login(client, "mgr_n")
    flt = {"team": teams["North"]}
    data = client.get("/sales/dashboard/data", query_string=flt).get_json()
    page = client.get("/sales/dashboard/", query_string=flt).get_data(as_text=True)
    assert "vendor/chartjs/chart.umd.min.js" in page and "/static/addons/sales/dashboard.js" in page
    assert '<script src="http' not in page and "cdn" not in page.lower()
    for s in data["funnel"][0]["stages"]:
        row = page.split(f'<tr data-stage="{s["stage_id"]}">')[1].split("</tr>")[0]
        assert f'<td class="text-right count">{s["count"]}</td>' in row
        assert f'<span class="amount">{Decimal(s["value"]):,}</span>' in row
    for m in data["forecast"]:
        assert f'<tr data-month="{m["month"]}">' in page

    resp = client.get("/sales/dashboard/data", query_string={"from": "2026-13-01", "team": "x"})
    assert resp.status_code == 400
    errors = resp.get_json()["errors"]
    assert set(errors) == {"from", "team"} and "2026-13-01" in errors["from"]
    resp = client.get("/sales/dashboard/", query_string={"from": "2026-05-01", "to": "2026-04-01"})
    assert resp.status_code == 400
    assert 'data-field="to"' in resp.get_data(as_text=True)

    # a user without sales access does not get in
    add_user(app, "support", ["Support Agent"])
    other = app.test_client()
    login(other, "support")
    assert other.get("/sales/dashboard/data").status_code in (302, 403)


def test_a_change_shows_at_once_and_a_reload_reuses_the_figures(world):
    """The figures are kept per reader while the data stands still
    (services/reporting/dashboard_cache.py): a reload runs none of the
    aggregates again; a deal won (a write anywhere, audited) shows on the next
    load; a reader of another team never gets the manager's kept figures."""
    from sqlalchemy import event

    from addons.sales.models import Lead, Stage

    app, users, teams = world
    manager = app.test_client()
    login(manager, "mgr_n")
    first = manager.get("/sales/dashboard/data").get_json()
    statements = []
    with app.app_context():
        engine = db.engine
    def count(_conn, _cursor, statement, *_):
        statements.append(statement)
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert manager.get("/sales/dashboard/data").get_json() == first
        assert not [s for s in statements if "GROUP BY" in s.upper()]
    finally:
        event.remove(engine, "before_cursor_execute", count)

    with app.app_context():  # another user wins one of the team's open deals
        won = db.session.query(Stage).filter_by(team_id=None, is_won=True).one()
        lead = db.session.query(Lead).filter_by(type="opportunity", status="open",
                                                team_id=teams["North"]).first()
        lead.stage_id, lead.status = won.id, "won"
        lead.closed_at = datetime.utcnow()
        db.session.commit()
    after = manager.get("/sales/dashboard/data").get_json()
    assert after != first
    owner = next(o for o in after["by_owner"] if o["owner_id"] == lead.owner_id) \
        if lead.owner_id else None
    if owner is not None:
        before = next((o for o in first["by_owner"] if o["owner_id"] == lead.owner_id),
                      {"won_count": 0})
        assert owner["won_count"] == before["won_count"] + 1

    south = app.test_client()
    login(south, "mgr_s")
    assert south.get("/sales/dashboard/data").get_json() != after
