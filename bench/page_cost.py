"""Where a common page's milliseconds go: CPU ms and queries per request, and a
profile by layer (issue 21).

In one process with Flask's test client (no HTTP, no other load), as a
salesperson and as a Sales Manager of the seed (bench/sales_seed.py), each
page is requested --requests times after a warm-up. Printed per page: CPU ms
of the request's thread (p50/p95; `time.thread_time`, so another process on
the machine does not inflate it), SQL statements and their time, then the
same requests under cProfile summed into layers, inclusive (a query run from
a record rule counts in both): FAB permission checks, menu building, record
rules, template rendering, session and audit work, SQL.

    .venv/bin/python bench/page_cost.py                       # 100,000 contacts on SQLite
    .venv/bin/python bench/page_cost.py --count 1000000 --opportunities 200000
    .venv/bin/python bench/page_cost.py --reuse postgresql+psycopg://...
    .venv/bin/python bench/page_cost.py --only board --top 25  # the profile's top functions
    .venv/bin/python bench/page_cost.py --only 'company list' --sql  # its SQL statements
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.contacts_seed import PASSWORD
from bench.sales_seed import default_cache, seed_sales, sqlite_database

# layer -> (file fragment, function name) entries whose cumulative time is summed
LAYERS = {
    "permission checks": [("flask_appbuilder/security/manager.py", "has_access"),
                          ("flask_appbuilder/security/manager.py", "is_item_public"),
                          ("flask_appbuilder/security/manager.py", "has_access_api")],
    "menu": [("flask_appbuilder/menu.py", "get_list"),
             ("flask_appbuilder/menu.py", "get_data")],
    "record rules": [("core/security/record_rules.py", ""),
                     ("core/security/rule_expressions.py", "")],
    "templates": [("jinja2/environment.py", "render")],
    "session and audit": [("core/security/session_version.py", ""),
                          ("core/security/audit.py", ""),
                          ("flask/sessions.py", "")],
    "SQL (driver)": [("sqlalchemy/engine/default.py", "do_execute"),
                     ("sqlalchemy/engine/default.py", "do_executemany")],
}


def pages(company_id: int) -> dict[str, tuple[str, str]]:
    """name -> (who, path); who: html or rest."""
    return {
        "company list": ("html", "/companyview/list/"),
        "people search": ("html", "/personview/list/?_flt_0_name=wang"),
        "people search (REST)": ("rest", "/api/v1/person/?q=(filters:!((col:name,opr:search,"
                                         "value:wang)),page_size:25)"),
        "company page": ("html", f"/companyview/show/{company_id}"),
        "board": ("html", "/sales/board/"),
        "dashboard": ("html", "/sales/dashboard/"),
        "dashboard data": ("html", "/sales/dashboard/data"),
        "my activities": ("html", "/sales/activities/my"),
        "opportunities": ("html", "/opportunityview/list/"),
    }


class SqlCounter:
    def __init__(self, engine):
        from sqlalchemy import event

        self.count, self.seconds, self._t, self.statements = 0, 0.0, {}, []
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, params, context, many):
        self._t[id(cursor)] = time.perf_counter()

    def _after(self, conn, cursor, statement, params, context, many):
        self.count += 1
        self.statements.append(" ".join(statement.split())[:160])
        self.seconds += time.perf_counter() - self._t.pop(id(cursor), time.perf_counter())


def client_for_html(client, username: str) -> None:
    from tests.helpers import login

    login(client, username, PASSWORD)


def client_for(app, username: str):
    from tests.helpers import login

    html = app.test_client()
    login(html, username, PASSWORD)
    rest = app.test_client()
    token = rest.post("/api/v1/security/login", json={"username": username,
                                                      "password": PASSWORD}).json
    return html, rest, {"Authorization": "Bearer " + token["access_token"]}


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def layers_of(stats: pstats.Stats, n: int) -> dict[str, float]:
    """ms per request in each layer: the cumulative time of its functions as
    called from outside the layer (a layer function calling another counts once)."""
    def in_layer(func: tuple, marks) -> bool:
        return any(fragment in func[0] and (not name or func[2] == name)
                   for fragment, name in marks)

    out = dict.fromkeys(LAYERS, 0.0)
    for func, (_cc, _nc, _tt, ct, callers) in stats.stats.items():
        for layer, marks in LAYERS.items():
            if in_layer(func, marks):
                out[layer] += (sum(v[3] for c, v in callers.items() if not in_layer(c, marks))
                               if callers else ct)
    return {k: v / stats.total_tt for k, v in out.items()}


def measure(app, who: dict, path: str, kind: str, n: int, sql: SqlCounter, top: int,
            show_sql: bool):
    client, headers = who[kind]
    for _ in range(3):
        resp = client.get(path, headers=headers)
        assert resp.status_code == 200, (path, resp.status_code, resp.get_data(as_text=True)[:300])
    cpu, wall, queries, sql_ms = [], [], [], []
    for _ in range(n):
        c0, w0, q0, s0 = time.thread_time(), time.perf_counter(), sql.count, sql.seconds
        client.get(path, headers=headers)
        cpu.append((time.thread_time() - c0) * 1000)
        wall.append((time.perf_counter() - w0) * 1000)
        queries.append(sql.count - q0)
        sql_ms.append((sql.seconds - s0) * 1000)
    if show_sql:
        sql.statements.clear()
        client.get(path, headers=headers)
        print(f"-- {path}: {len(sql.statements)} statements")
        for st in sql.statements:
            print("   ", st)
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(n):
        client.get(path, headers=headers)
    prof.disable()
    stats = pstats.Stats(prof)
    if top:
        stats.sort_stats("cumulative").print_stats(top)
    return cpu, wall, queries, sql_ms, layers_of(stats, n)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000, help="contacts")
    parser.add_argument("--opportunities", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--reuse", help="an already seeded SQLite file or PostgreSQL URL")
    parser.add_argument("--only", help="pages whose name contains this")
    parser.add_argument("--sql", action="store_true", help="print each page's statements")
    parser.add_argument("--top", type=int, default=0, help="print the profile's top N functions")
    args = parser.parse_args()
    instance = Path(tempfile.mkdtemp(prefix="crossdock-pagecost-"))
    if args.reuse:
        url = args.reuse if "://" in args.reuse else f"sqlite:///{Path(args.reuse).resolve()}"
    else:
        url = sqlite_database(instance / "sales.sqlite", default_cache(args.count), args.count,
                              instance)
        seed_sales(url, instance, args.opportunities)
    os.environ.update(CROSSDOCK_DATABASE_URL=url, CROSSDOCK_INSTANCE_PATH=str(instance),
                      CROSSDOCK_ADDON_POLL_SECONDS="30")
    from core.app import create_app
    from core.db import db

    app = create_app()
    with app.app_context():
        sql = SqlCounter(db.engine)
    print(f"{'role':<13} {'page':<22} {'CPU p50':>8} {'p95':>6} {'wall p50':>9} {'queries':>8} "
          f"{'SQL ms':>7}   layers, ms per request (inclusive)")
    logins = []
    for _ in range(5):  # the form login: one scrypt check, the audit row, the session
        client = app.test_client()
        c0, w0 = time.thread_time(), time.perf_counter()
        client_for_html(client, "sales01")
        logins.append(((time.thread_time() - c0) * 1000, (time.perf_counter() - w0) * 1000))
    print(f"{'Salesperson':<13} {'login (HTML form)':<22} "
          f"{statistics.median(c for c, _ in logins):8.1f} {max(c for c, _ in logins):6.1f} "
          f"{statistics.median(w for _, w in logins):9.1f}   (GET /login/ and the POST, "
          f"the password's scrypt check included)")
    for role, user in (("Salesperson", "sales01"), ("Sales Manager", "manager01")):
        html, rest, headers = client_for(app, user)
        who = {"html": (html, {}), "rest": (rest, headers)}
        ids = rest.get("/api/v1/company/?q=(columns:!(id),page_size:1)", headers=headers).json
        company = ids["ids"][0] if ids["ids"] else None  # a tiny seed may give them none
        for name, (kind, path) in pages(company).items():
            if args.only and args.only not in name or company is None and "None" in path:
                continue
            cpu, wall, queries, sql_ms, layers = measure(app, who, path, kind, args.requests,
                                                        sql, args.top, args.sql)
            print(f"{role:<13} {name:<22} {statistics.median(cpu):8.1f} {pct(cpu, .95):6.1f} "
                  f"{statistics.median(wall):9.1f} {statistics.median(queries):8.0f} "
                  f"{statistics.median(sql_ms):7.1f}   "
                  + ", ".join(f"{k} {v:.0%}" for k, v in layers.items() if v >= 0.005),
                  flush=True)


if __name__ == "__main__":
    main()
