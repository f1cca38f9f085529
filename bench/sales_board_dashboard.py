"""The pipeline board, the sales dashboard and the opportunities list over
HTTP, for one team, on 1,000,000 contacts and 200,000 opportunities.

Seeds (bench/sales_seed.py; the contacts part is cached between runs) SQLite
or a throwaway PostgreSQL cluster, starts `crossdock run` on it and times,
as the team's Sales Manager (`manager01`, team scope) and as one of its
salespeople (`sales01`, own records): the board page, its column totals,
the dashboard page and its data, the opportunities list (HTML and REST).
p50/p95 over --requests each; target p95 < 200 ms.

Baselines in the same run: the SQL floor (the aggregate a board or a
dashboard cannot do without, run directly on the database: open
opportunities per stage with their sum; funnel and monthly forecast) and,
for the list, stock Flask-AppBuilder on the same table (plain SQLAInterface,
base_filters for the scope, COUNT(*)).

    .venv/bin/python bench/sales_board_dashboard.py --db sqlite
    .venv/bin/python bench/sales_board_dashboard.py --db postgres
    .venv/bin/python bench/sales_board_dashboard.py --db sqlite --reuse /tmp/h7/sales.sqlite
    .venv/bin/python bench/sales_board_dashboard.py --db postgres --reuse postgresql+psycopg://...
"""
from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import prison
import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.contacts_list_search import (  # noqa: E402
    api_login, free_port, html_login, load_note, pct, server,
)
from bench.pg_cluster import pg_cluster  # noqa: E402
from bench.sales_seed import (  # noqa: E402
    default_cache, postgres_database, seed_sales, sqlite_database,
)

TARGET_MS = 200
PAGE_SIZE = 25


class Missing(Exception):
    """The page is not there (404): its slice has not landed."""


def timed(session, n: int, make_request, warmup: int = 2) -> list[float]:
    """ms per request; `warmup` untimed requests first; every answer must be 2xx."""
    out = []
    for i in range(n + warmup):
        t = time.perf_counter()
        resp = make_request(session, i)
        ms = (time.perf_counter() - t) * 1000
        if resp.status_code == 404 and i == 0:
            raise Missing(resp.url)
        if resp.status_code >= 300:
            raise SystemExit(f"{resp.status_code} on {resp.request.method} {resp.url}: "
                             f"{resp.text[:300]}")
        if i >= warmup:
            out.append(ms)
    return out


def ids(url: str) -> dict:
    """The bench team's and users' ids (team of manager01 and sales01)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        users = dict(conn.execute(text(
            "SELECT username, id FROM ab_user WHERE username IN ('manager01', 'sales01')")).all())
        team = conn.execute(text(
            "SELECT team_id FROM crossdock_team_member WHERE user_id = :u"),
            {"u": users["manager01"]}).scalar()
        assert conn.execute(text("SELECT 1 FROM crossdock_team_member WHERE user_id = :u "
                                 "AND team_id = :t"), {"u": users["sales01"], "t": team}).scalar()
        counts = dict(conn.execute(text(
            "SELECT status, count(*) FROM sales_lead WHERE team_id = :t AND type = "
            "'opportunity' GROUP BY status"), {"t": team}).all())
        total = conn.execute(text("SELECT count(*) FROM sales_lead")).scalar()
    engine.dispose()
    print(f"team #{team}: {counts} opportunities of {total:,} leads/opportunities in all")
    return {"team": team, **users}


def crossdock_cases(base: str, user: str, team: int) -> dict:
    html, _token = html_login(base, user)
    api = api_login(base, user)
    t = {"team": team}
    rest_list = rest_resource(api, base)
    cases = {
        "board page (HTML)": (html, lambda s, i: s.get(base + "/sales/board/", params=t)),
        "board column totals (JSON)": (html, lambda s, i: s.get(base + "/sales/board/totals",
                                                                params=t)),
        "dashboard page (HTML)": (html, lambda s, i: s.get(base + "/sales/dashboard/",
                                                           params=t)),
        "dashboard data (JSON)": (html, lambda s, i: s.get(base + "/sales/dashboard/data",
                                                           params=t)),
        "opportunities list (HTML)": (html, lambda s, i: s.get(
            base + "/opportunityview/list/")),
    }
    if rest_list:
        cases["opportunities list (REST)"] = (api, lambda s, i: s.get(
            rest_list, params={"q": prison.dumps({"page_size": PAGE_SIZE})}))
    return cases


def rest_resource(api: requests.Session, base: str) -> str | None:
    """The REST list of opportunities, wherever slice H1 put it."""
    for name in ("opportunity", "opportunities", "lead"):
        url = f"{base}/api/v1/{name}/"
        if api.get(url, params={"q": prison.dumps({"page_size": 1})}).status_code == 200:
            return url
    return None


# --- baselines -------------------------------------------------------------------------

FLOOR_BOARD = ("SELECT stage_id, count(*), sum(expected_revenue) FROM sales_lead "
               "WHERE team_id = :team AND type = 'opportunity' AND status = 'open' {own} "
               "GROUP BY stage_id")
FLOOR_DASHBOARD = [
    "SELECT stage_id, status, count(*), sum(expected_revenue) FROM sales_lead "
    "WHERE team_id = :team AND type = 'opportunity' {own} GROUP BY stage_id, status",
    "SELECT substr(CAST(expected_close AS TEXT), 1, 7), sum(expected_revenue * probability) "
    "FROM sales_lead WHERE team_id = :team AND type = 'opportunity' AND status = 'open' {own} "
    "GROUP BY 1",
]


def sql_floor(url: str, team: int, owner: int | None, n: int) -> dict[str, list[float]]:
    from sqlalchemy import create_engine, text

    own = "AND owner_id = :owner" if owner else ""
    engine = create_engine(url)
    out = {}
    with engine.connect() as conn:
        for name, sqls in (("board", [FLOOR_BOARD]), ("dashboard", FLOOR_DASHBOARD)):
            times = []
            for i in range(n + 2):
                t = time.perf_counter()
                for sql in sqls:
                    conn.execute(text(sql.format(own=own)), {"team": team, "owner": owner}).all()
                if i >= 2:
                    times.append((time.perf_counter() - t) * 1000)
            out[name] = times
    engine.dispose()
    return out


STOCK_APP = '''
import sys
from flask import Flask
from flask_appbuilder import AppBuilder, Model, ModelRestApi, ModelView
from flask_appbuilder.models.sqla.base import SQLA
from flask_appbuilder.models.sqla.filters import FilterEqual
from flask_appbuilder.models.sqla.interface import SQLAInterface
from sqlalchemy import Date, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

url, port, team, owner = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])

class StockLead(Model):
    __tablename__ = "sales_lead"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    type: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(8))
    stage_id: Mapped[int] = mapped_column(Integer)
    owner_id: Mapped[int] = mapped_column(Integer)
    team_id: Mapped[int] = mapped_column(Integer)
    expected_revenue = mapped_column(Numeric(18, 2))
    expected_close = mapped_column(Date)

app = Flask("stock_fab")
app.config.update(SQLALCHEMY_DATABASE_URI=url, SECRET_KEY="bench-stock",
                  AUTH_ROLE_PUBLIC="Admin", FAB_UPDATE_PERMS=True, WTF_CSRF_ENABLED=False)
db = SQLA(app)
cols = ["name", "status", "stage_id", "expected_revenue", "expected_close"]
with app.app_context():
    ab = AppBuilder(app, db.session)
    for suffix, flt in (("Team", [["team_id", FilterEqual, team]]),
                        ("Own", [["owner_id", FilterEqual, owner]])):
        flt = flt + [["type", FilterEqual, "opportunity"]]
        ab.add_view_no_menu(type(f"StockLead{suffix}View", (ModelView,), dict(
            datamodel=SQLAInterface(StockLead), list_columns=cols, base_filters=flt,
            base_order=("expected_close", "desc"))))
        ab.add_api(type(f"StockLead{suffix}Api", (ModelRestApi,), dict(
            datamodel=SQLAInterface(StockLead), resource_name=f"stock_lead_{suffix.lower()}",
            list_columns=["id"] + cols, base_filters=flt,
            base_order=("expected_close", "desc"))))
app.run(host="127.0.0.1", port=port, threaded=True, use_reloader=False)
'''


def stock_cases(base: str, own: bool) -> dict:
    s = requests.Session()
    suffix = "Own" if own else "Team"
    return {
        "opportunities list (HTML)": (s, lambda s, i: s.get(
            f"{base}/stocklead{suffix.lower()}view/list/")),
        "opportunities list (REST)": (s, lambda s, i: s.get(
            f"{base}/api/v1/stock_lead_{suffix.lower()}/",
            params={"q": prison.dumps({"page_size": PAGE_SIZE})})),
    }


# --- the run ---------------------------------------------------------------------------

def run_bench(url: str, requests_n: int, instance: Path, warmup: int = 2) -> list[tuple]:
    who = ids(url)
    port, stock_port = free_port(), free_port()
    env = {**os.environ, "CROSSDOCK_DATABASE_URL": url,
           "CROSSDOCK_INSTANCE_PATH": str(instance), "CROSSDOCK_ADDON_POLL_SECONDS": "30"}
    base, stock = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{stock_port}"
    crossdock = [str(ROOT / ".venv" / "bin" / "crossdock"), "run", "--port", str(port)]
    stock_script = instance / "sales_stock_fab.py"
    stock_script.write_text(STOCK_APP)
    stock_cmd = [sys.executable, str(stock_script), url, str(stock_port), str(who["team"]),
                 str(who["sales01"])]
    rows = []
    with server(crossdock, env, base, instance / "crossdock.log"), \
            server(stock_cmd, env, stock, instance / "stock.log"):
        for role, user, own in (("Sales Manager", "manager01", False),
                                ("Salesperson", "sales01", True)):
            floor = sql_floor(url, who["team"], who["sales01"] if own else None, requests_n)
            theirs = stock_cases(stock, own)
            for op, (session, make) in crossdock_cases(base, user, who["team"]).items():
                try:
                    a = timed(session, requests_n, make, warmup)
                except Missing as exc:
                    print(f"  {role:<13} {op:<28} missing (404 {exc})", flush=True)
                    continue
                kind = op.split()[0]
                b = floor.get(kind)
                label = "SQL floor" if b else ""
                if op in theirs:
                    stock_session, stock_make = theirs[op]
                    b, label = timed(stock_session, requests_n, stock_make, warmup), "stock FAB"
                rows.append((role, op, a, b, label))
                print(f"  {role:<13} {op:<28} p50 {statistics.median(a):7.1f}  p95 "
                      f"{pct(a, .95):7.1f}" + (f"   {label} p50 {statistics.median(b):6.1f} "
                                               f"p95 {pct(b, .95):6.1f}" if b else ""),
                      flush=True)
    return rows


def report(rows: list[tuple], db: str, n: int) -> None:
    print()
    print(f"{'role':<13} {'operation':<28} {db + ' p50':>11} {'p95':>7}   "
          f"{'baseline':<10} {'p50':>6} {'p95':>6}   (ms, n={n} each, target p95 < "
          f"{TARGET_MS} ms)")
    for role, op, a, b, label in rows:
        flag = "" if pct(a, .95) < TARGET_MS else "  <- over target"
        base = f"{label:<10} {statistics.median(b):6.1f} {pct(b, .95):6.1f}" if b else ""
        print(f"{role:<13} {op:<28} {statistics.median(a):11.1f} {pct(a, .95):7.1f}   "
              f"{base}{flag}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--count", type=int, default=1_000_000, help="contacts")
    parser.add_argument("--opportunities", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=2,
                        help="untimed requests before each operation's --requests")
    parser.add_argument("--reuse", help="an already seeded SQLite file or PostgreSQL URL "
                                        "(bench/sales_seed.py; skips seeding)")
    parser.add_argument("--pg-admin-url", help="a running cluster (kept by an earlier run): "
                                               "the cached contacts database is reused")
    parser.add_argument("--keep-cluster", action="store_true")
    args = parser.parse_args()
    instance = Path(tempfile.mkdtemp(prefix="crossdock-bench-"))
    print(f"before: {load_note()}")
    if args.reuse:
        url = args.reuse if "://" in args.reuse else f"sqlite:///{Path(args.reuse).resolve()}"
        rows = run_bench(url, args.requests, instance, args.warmup)
    elif args.db == "sqlite":
        url = sqlite_database(instance / "sales.sqlite", default_cache(args.count), args.count,
                              instance)
        seed_sales(url, instance, args.opportunities)
        rows = run_bench(url, args.requests, instance, args.warmup)
    else:
        cluster = (contextlib.nullcontext(args.pg_admin_url) if args.pg_admin_url
                   else pg_cluster(keep=args.keep_cluster))
        with cluster as admin_url:
            url = postgres_database(admin_url, "sales_bench", args.count, instance)
            seed_sales(url, instance, args.opportunities)
            rows = run_bench(url, args.requests, instance, args.warmup)
    report(rows, args.db, args.requests)
    print(f"after: {load_note()}")


if __name__ == "__main__":
    main()
