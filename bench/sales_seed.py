"""Seed a Crossdock database for the sales benches: 1,000,000 contacts (by
bench/contacts_seed.py) and 200,000 opportunities over the contacts seed's
teams and salespeople, with a few activities each. Timed; SQLite or PostgreSQL.

    .venv/bin/python bench/sales_seed.py --sqlite /tmp/bench/sales.sqlite
    .venv/bin/python bench/sales_seed.py --pg-url postgresql+psycopg://...

The contacts part is the slow one (minutes): it is seeded once into a cache
(a SQLite file, or a PostgreSQL database used as a template) and copied for
each sales seed, so a sales schema that changed since (new migrations of the
other slices) gets a fresh install on the same contacts.

Sales data: the sales addon installed (default pipeline, currencies, taxes),
exchange rates for USD/EUR/JPY over 18 months, one Sales Manager per bench
team (`manager01`..`manager10`, password as the contacts seed's), and the
opportunities: ~60% open over the default stages, ~22% won, ~18% lost with a
lost reason; CNY/USD/EUR; expected close over 18 months; each on a company
or a person of the seed (or free text); plus `--leads` unqualified leads.
When the activities model is installed, 0-5 activities per opportunity
(some overdue, some done). Rows go in by executemany (SQLite) or COPY
(PostgreSQL) with the secondary indexes dropped during the load.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.contacts_seed import (  # noqa: E402,F401
    PASSWORD, TEAM_SIZE, copy_into_postgres, seed as seed_contacts,
)

TODAY = dt.date(2026, 11, 23)
START = TODAY - dt.timedelta(days=365)  # expected close dates: a year back, 6 months ahead
RATES = {"USD": Decimal("0.1390"), "EUR": Decimal("0.1280"), "JPY": Decimal("21.30")}
CURRENCY_MIX = (("CNY", 70), ("USD", 20), ("EUR", 10))
STATUS_MIX = (("open", 60), ("won", 22), ("lost", 18))
SOURCES = ("web", "referral", "trade fair", "cold call", "partner", "campaign")
REGIONS = ("华东", "华南", "华北", "西南", "DACH", "Benelux", "North America")
DEALS = ("ERP 集成项目", "仓储系统升级", "年度维保合同", "Fleet tracking rollout",
         "CRM licences", "冷链监控方案", "Spare parts framework", "数据中心扩容",
         "Label printers", "Customs brokerage", "跨境物流服务", "Annual support")
ACTIVITY_SUMMARIES = {"call": ("电话跟进", "Follow-up call", "确认预算"),
                      "meeting": ("现场拜访", "Demo meeting", "方案评审会"),
                      "todo": ("发送报价", "Send proposal", "准备合同")}


def weighted(r: random.Random, mix):
    return r.choices([v for v, _ in mix], weights=[w for _, w in mix])[0]


# --- schema, users, reference data (through Crossdock itself) -----------------------

def make_sales_schema(url: str, instance: Path, managers: bool = True) -> dict:
    """Install sales, rates, Sales Managers; return the ids the rows refer to."""
    from sqlalchemy import func, inspect, select

    from core.addons import lifecycle
    from core.app import create_app
    from core.config import Settings
    from core.db import db
    from core.security.teams import Team, team_member

    app = create_app(Settings.from_env(instance_path=instance, database_url=url,
                                       addon_poll_seconds=3600.0))
    with app.app_context():
        runtime = app.extensions["crossdock"].runtime
        if lifecycle.upgradable(db.session, runtime):  # a contacts cache older than the code
            lifecycle.upgrade(db.session, runtime)
        if "sales" not in lifecycle.present(db.session):
            lifecycle.install(db.session, runtime, ["sales"])
        from addons.sales.models import Currency, CurrencyRate, LostReason, Stage
        from core.security.actor import SYSTEM, acting_as

        with acting_as(SYSTEM):
            sm = app.appbuilder.sm
            currencies = {c.code: c for c in db.session.scalars(select(Currency))}
            for code, rate in RATES.items():
                month = START.replace(day=1)
                while month <= TODAY + dt.timedelta(days=200):
                    exists = db.session.scalar(select(CurrencyRate.id).filter_by(
                        currency_id=currencies[code].id, effective_date=month))
                    if exists is None:  # a little drift month to month
                        drift = Decimal(1) + Decimal((month.month % 5) - 2) / 100
                        db.session.add(CurrencyRate(currency=currencies[code],
                                                    effective_date=month, rate=rate * drift))
                    month = (month + dt.timedelta(days=32)).replace(day=1)
            teams = db.session.scalars(select(Team).where(Team.name.like("Bench team %"))
                                       .order_by(Team.id)).all()
            sales01 = sm.find_user(username="sales01")
            role = sm.find_role("Sales Manager")
            for k, team in enumerate(teams, start=1):
                name = f"manager{k:02d}"
                user = sm.find_user(username=name)
                if user is None and managers:  # same hash as sales01: one key derivation
                    user = sm.user_model(username=name, first_name=name, last_name="-",
                                         email=f"{name}@example.com", active=True,
                                         password=sales01.password, roles=[role])
                    db.session.add(user)
                if user is not None and user not in team.members:
                    team.members.append(user)
            db.session.commit()
            owner_team = db.session.execute(
                select(team_member.c.user_id, team_member.c.team_id)
                .join(sm.user_model, sm.user_model.id == team_member.c.user_id)
                .where(sm.user_model.username.like("sales%"))
                .order_by(team_member.c.user_id)).all()
            stages = db.session.scalars(select(Stage).where(Stage.team_id.is_(None))
                                        .order_by(Stage.sequence)).all()
            info = {
                "owner_team": [tuple(r) for r in owner_team],
                "open_stages": [(s.id, s.probability) for s in stages if not s.is_won],
                "won_stage": next(s.id for s in stages if s.is_won),
                "lost_reasons": list(db.session.scalars(select(LostReason.id))),
                "currencies": {c: currencies[c].id for c, _ in CURRENCY_MIX},
                "companies": db.session.scalar(select(func.max(_col("contacts_company")))) or 0,
                "people": db.session.scalar(select(func.max(_col("contacts_person")))) or 0,
                "lead_max": db.session.scalar(select(func.max(_col("sales_lead")))) or 0,
                "tables": set(inspect(db.engine).get_table_names()),
                "activity_columns": _columns(db.engine, "sales_activity"),
                "lead_columns": _columns(db.engine, "sales_lead"),
            }
        db.session.remove()
        db.engine.dispose()
    return info


def _col(table: str):
    from sqlalchemy import column, table as tbl

    return tbl(table, column("id")).c.id


def _columns(engine, table: str) -> dict[str, bool]:
    """column name -> required (NOT NULL without a default) for a table, {} if absent."""
    from sqlalchemy import inspect

    insp = inspect(engine)
    if table not in insp.get_table_names():
        return {}
    return {c["name"]: (not c["nullable"] and c.get("default") is None
                        and not c.get("autoincrement") is True and c["name"] != "id")
            for c in insp.get_columns(table)}


# --- rows ------------------------------------------------------------------------------

LEAD_COLUMNS = ["id", "type", "name", "company_id", "person_id", "contact_name",
                "company_name", "email", "source", "region", "owner_id", "team_id",
                "stage_id", "status", "lost_reason_id", "closed_at", "expected_revenue",
                "currency_id", "probability", "expected_close", "priority", "score",
                "created_at"]
ACTIVITY_COLUMNS = ["id", "kind", "summary", "due_date", "owner_id", "team_id", "lead_id",
                    "done_at", "created_at"]


def _check_columns(table: str, have: dict[str, bool], ours: list[str]) -> None:
    missing = [c for c, required in have.items() if required and c not in ours]
    if missing:  # a slice added a required column: say so rather than fail in the load
        raise SystemExit(f"{table}: required columns this seed does not fill: {missing}")


def generate(info: dict, opportunities: int, leads: int, seed: int = 7) -> dict:
    r = random.Random(seed)
    rows = {"sales_lead": [], "sales_activity": []}
    owner_team = info["owner_team"]
    first_id = info["lead_max"] + 1
    with_activities = bool(info["activity_columns"])
    activity_id = 0
    span = (TODAY + dt.timedelta(days=183) - START).days  # 18 months of close dates
    for n in range(opportunities + leads):
        is_lead = n >= opportunities
        lead_id = first_id + n
        owner, team = owner_team[r.randrange(len(owner_team))]
        created = dt.datetime.combine(START, dt.time(9)) + dt.timedelta(
            minutes=r.randrange(365 * 24 * 60))
        company = person = contact_name = company_name = email = None
        pick = r.random()
        if pick < 0.55 and info["companies"]:
            company = r.randint(1, info["companies"])
        elif pick < 0.85 and info["people"]:
            person = r.randint(1, info["people"])
        else:
            contact_name, company_name = f"访客 {n}", f"Prospect {n % 9973} Ltd"
            email = f"prospect{n}@example.com"
        status = "open" if is_lead else weighted(r, STATUS_MIX)
        stage_id, probability = r.choice(info["open_stages"][:2] if is_lead
                                          else info["open_stages"])
        lost_reason = closed = None
        if status == "won":
            stage_id, probability = info["won_stage"], 100
        if status != "open":
            closed = created + dt.timedelta(days=r.randint(5, 120))
            if status == "lost":
                lost_reason, probability = r.choice(info["lost_reasons"]), 0
        currency = weighted(r, CURRENCY_MIX)
        revenue = Decimal(r.randrange(5_000, 2_000_000, 100)) if not is_lead else Decimal(0)
        rows["sales_lead"].append([
            lead_id, "lead" if is_lead else "opportunity",
            f"{r.choice(DEALS)} #{lead_id}", company, person, contact_name, company_name,
            email, r.choice(SOURCES), r.choice(REGIONS), owner, team, stage_id, status,
            lost_reason, closed, revenue, info["currencies"][currency], probability,
            START + dt.timedelta(days=r.randrange(span)), r.choice((0, 0, 1, 1, 2, 3)),
            r.randrange(0, 100), created])
        if with_activities and not is_lead:
            for _ in range(r.choice((0, 1, 2, 2, 3, 3, 4, 5))):
                activity_id += 1
                kind = r.choice(("call", "meeting", "todo"))
                due = TODAY + dt.timedelta(days=r.randint(-60, 45))  # a share overdue
                done = (dt.datetime.combine(due, dt.time(15)) if status != "open"
                        or (due < TODAY and r.random() < 0.6) else None)
                rows["sales_activity"].append([
                    activity_id, kind, r.choice(ACTIVITY_SUMMARIES[kind]), due, owner, team,
                    lead_id, done, created])
    return rows


# --- load ------------------------------------------------------------------------------

def load_sqlite(path: str, rows: dict, columns: dict) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA foreign_keys=OFF")  # consistent by construction
    conn.execute("PRAGMA cache_size=-1000000")
    tables = [t for t in rows if rows[t]]
    names = ",".join(f"'{t}'" for t in tables)
    saved = conn.execute(
        f"SELECT type, name, sql FROM sqlite_master WHERE tbl_name IN ({names}) "
        "AND type IN ('index', 'trigger') AND sql IS NOT NULL").fetchall()
    conn.execute("BEGIN")
    for kind, name, _ in saved:
        conn.execute(f"DROP {kind} {name}")
    for table in tables:
        cols = columns[table]
        conn.executemany(f"INSERT INTO {table} ({','.join(cols)}) VALUES "
                         f"({','.join('?' * len(cols))})",
                         ([_sqlite_value(v) for v in row] for row in rows[table]))
    for _, _, sql in saved:
        conn.execute(sql)
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()


def _sqlite_value(v):
    # what SQLAlchemy stores: Numeric as a number, dates/datetimes as ISO text
    if isinstance(v, Decimal):
        return float(v) if v != v.to_integral() else int(v)
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def load_postgres(url: str, rows: dict, columns: dict) -> None:
    tables = [t for t in rows if rows[t]]
    copy_into_postgres(url, rows, columns, tables, sequences=tables, vacuum=tables)


def seed_sales(url: str, instance: Path, opportunities: int = 200_000,
               leads: int = 20_000) -> dict:
    """The sales part on a database that holds the contacts seed."""
    t0 = time.perf_counter()
    info = make_sales_schema(url, instance)
    _check_columns("sales_lead", info["lead_columns"], LEAD_COLUMNS)
    columns = {"sales_lead": LEAD_COLUMNS, "sales_activity": ACTIVITY_COLUMNS}
    if info["activity_columns"]:
        _check_columns("sales_activity", info["activity_columns"], ACTIVITY_COLUMNS)
    t1 = time.perf_counter()
    rows = generate(info, opportunities, leads)
    t2 = time.perf_counter()
    (load_sqlite(url.removeprefix("sqlite:///"), rows, columns) if url.startswith("sqlite")
     else load_postgres(url, rows, columns))
    t3 = time.perf_counter()
    print(f"seeded {opportunities:,} opportunities + {leads:,} leads, "
          f"{len(rows['sales_activity']):,} activities"
          + ("" if info["activity_columns"] else " (activities model not installed)"))
    print(f"  schema+users {t1 - t0:.1f} s, generate {t2 - t1:.1f} s, load+index "
          f"{t3 - t2:.1f} s")
    return info


# --- the contacts cache ----------------------------------------------------------------

def default_cache(count: int) -> Path:
    return Path(tempfile.gettempdir()) / "crossdock-bench" / f"contacts-{count}.sqlite"


def sqlite_database(work: Path, cache: Path, count: int, instance: Path) -> str:
    """A copy of the cached contacts seed (seeded first when missing) at `work`."""
    if not cache.exists():
        cache.parent.mkdir(parents=True, exist_ok=True)
        partial = cache.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        seed_contacts(f"sqlite:///{partial}", count, 50, instance)
        partial.rename(cache)
    t = time.perf_counter()
    work.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("-wal", "-shm", "-journal"):  # a stale log would corrupt the copy
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(cache, work)
    print(f"contacts copied from {cache} in {time.perf_counter() - t:.1f} s")
    return f"sqlite:///{work.resolve()}"


def postgres_database(admin_url: str, name: str, count: int, instance: Path) -> str:
    """A new database `name` copied from the cached contacts seed (template database
    `contacts_<count>`, seeded first when missing)."""
    import re

    from sqlalchemy import create_engine, text

    from bench.pg_cluster import create_database

    template = f"contacts_{count}"
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                              {"n": template}).scalar()
    if not exists:
        seed_contacts(create_database(admin_url, template), count, 50, instance)
    t = time.perf_counter()
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    engine.dispose()
    print(f"contacts copied from database {template} in {time.perf_counter() - t:.1f} s")
    return re.sub(r"/[^/]*$", f"/{name}", admin_url)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--sqlite", help="path of the SQLite file to create")
    where.add_argument("--pg-url", help="URL of a PostgreSQL database holding the contacts "
                                        "seed (bench/contacts_seed.py)")
    where.add_argument("--pg-admin-url", help="a PostgreSQL cluster's maintenance URL: the "
                                              "sales seed goes to a new database 'sales' "
                                              "copied from the cached contacts database")
    where.add_argument("--pg-new-cluster", action="store_true",
                       help="start a PostgreSQL cluster (bench/pg_cluster.py) and leave it "
                            "running with the seed, for the benches' --pg-admin-url")
    parser.add_argument("--contacts-cache", default=None,
                        help="SQLite: the cached contacts seed, made when missing "
                             "(default /tmp/crossdock-bench/contacts-<count>.sqlite)")
    parser.add_argument("--count", type=int, default=1_000_000, help="contacts")
    parser.add_argument("--opportunities", type=int, default=200_000)
    parser.add_argument("--leads", type=int, default=20_000)
    args = parser.parse_args()
    instance = Path(tempfile.mkdtemp(prefix="crossdock-seed-"))
    if args.sqlite:
        cache = Path(args.contacts_cache or default_cache(args.count))
        url = sqlite_database(Path(args.sqlite), cache, args.count, instance)
        seed_sales(url, instance, args.opportunities, args.leads)
    elif args.pg_url:
        seed_sales(args.pg_url, instance, args.opportunities, args.leads)
    else:
        from bench.pg_cluster import pg_cluster

        with pg_cluster(keep=True) if args.pg_new_cluster else _given(args.pg_admin_url) as admin:
            url = postgres_database(admin, "sales", args.count, instance)
            seed_sales(url, instance, args.opportunities, args.leads)
            print(f"sales seed: {url}")


@contextlib.contextmanager
def _given(url):
    yield url


if __name__ == "__main__":
    main()
