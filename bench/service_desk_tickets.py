"""The service desk's pages on 200,000 tickets (issue 16): the ticket list,
the SLA report, the dashboard, the start page's "My tickets" tile and REST,
p50/p95.

Seeds SQLite (or, with --db postgresql, a throwaway PostgreSQL cluster,
bench/pg_cluster.py) in bulk Core INSERTs (the seed is not what is
measured): four teams of five Support Agents with a manager each, customers
(companies and people), and tickets spread over a year as a desk has them:
most solved or closed, the rest new, in progress or waiting; priorities,
SLA policies and deadlines, a share breached, a thread for a fraction,
ratings for a third of the solved ones. Then, in one process with Flask's
test client logged in (record rules on), times each page --requests times
after --warmup untimed ones:

- as a Support Agent of the first team (their team's record rule applied)
  and as Admin: the ticket list, page 1 and filtered (stage "in progress",
  priority high), and the REST list `/api/v1/ticket/?q=...`, the same two;
- the SLA report per team and per agent, as the first team's manager and
  as Admin; the dashboard (ratings, backlog by age) over 30 and 90 days, as
  the agent and as Admin;
- the start page with the agent's "My tickets" tile.

The baseline is the same pages in the same run at --baseline tickets (the
seed stops there, is measured, then tops up to --tickets), plus the SQL
floor `SELECT count(*) FROM desk_ticket`: figures comparable across
machines. Target p95 < 500 ms. After start-up the app's ~370,000
long-lived objects are frozen (gc.freeze()), as the server's workers do
(core/serving/gunicorn_config.py): else the interpreter's full garbage
collections over them (200-300 ms every four pages or so) were the HTML
pages' p95, at 2,000 tickets already.

    .venv/bin/python bench/service_desk_tickets.py                  # 200,000 on SQLite
    .venv/bin/python bench/service_desk_tickets.py --db postgresql
    .venv/bin/python bench/service_desk_tickets.py --tickets 20000 --requests 10
"""
from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import prison

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.contacts_list_search import pct  # noqa: E402

TARGET_MS = 500
TEAMS = ("Support", "Billing", "Hardware", "Network")
AGENTS_PER_TEAM = 5
COMPANIES, PEOPLE = 1_000, 2_000
BATCH = 10_000
DAYS = 365  # tickets created over the last year, evenly
# share of tickets per stage kind by age: older tickets are mostly done
OPEN_KINDS = (("new", 0.30), ("in_progress", 0.45), ("waiting", 0.25))
PRIORITIES = ((0, 0.30), (1, 0.40), (2, 0.22), (3, 0.08))  # low, normal, high, urgent
# working-minute targets per priority: (first response, resolution)
TARGETS = {0: (480, 4800), 1: (240, 2400), 2: (60, 960), 3: (30, 240)}
SUBJECTS = ("VPN 无法连接", "Invoice copy needed", "打印机卡纸", "Password reset",
            "发票抬头错误", "Server down", "退款申请", "Shipping delayed", "账号被锁定",
            "Cannot log in", "合同续签", "Wrong amount charged")


def _pick(rng: random.Random, weighted) -> object:
    return rng.choices([k for k, _ in weighted], [w for _, w in weighted])[0]


# --- the seed ----------------------------------------------------------------------------

def seed_people(app) -> dict:
    """Users, teams, desk settings, SLA policies, tags and customers; their ids."""
    from sqlalchemy import insert, select

    from addons.contacts.models import Company, Person
    from addons.service_desk.models import DeskTag, DeskTeam, SlaPolicy, TicketStage
    from core.db import db
    from core.security.teams import Team
    from tests.helpers import add_user

    add_user(app, "admin", ["Admin"])
    agents, managers = {}, {}
    for t, name in enumerate(TEAMS):
        managers[name] = add_user(app, f"lead{t + 1:02d}", ["Support Agent"])
        agents[name] = [add_user(app, f"agent{t + 1}{k + 1}", ["Support Agent"], team=name)
                        for k in range(AGENTS_PER_TEAM)]
    with app.app_context():
        teams = dict(db.session.execute(select(Team.name, Team.id)).all())
        db.session.add_all([DeskTeam(team_id=teams[name], manager_id=managers[name])
                            for name in TEAMS])
        db.session.add_all([SlaPolicy(name=f"P{p}", sequence=10 + p, priority=p,
                                      first_response_minutes=f, resolution_minutes=r)
                            for p, (f, r) in TARGETS.items()])
        db.session.add_all([DeskTag(name=n) for n in ("billing", "outage", "vip", "bug")])
        db.session.commit()
        policies = dict(db.session.execute(select(SlaPolicy.priority, SlaPolicy.id)).all())
        stages = dict(db.session.execute(select(TicketStage.kind, TicketStage.id)
                                         .where(TicketStage.team_id.is_(None))).all())
        tags = list(db.session.scalars(select(DeskTag.id)))
        conn = db.session.connection()
        conn.execute(insert(Company.__table__), [
            {"name": f"客户公司 {i:04d} Customer Co", "active": True} for i in range(COMPANIES)])
        companies = list(db.session.scalars(select(Company.id)))
        conn.execute(insert(Person.__table__), [
            {"name": f"联系人 {i:05d}", "active": True, "company_id": companies[i % COMPANIES]}
            for i in range(PEOPLE)])
        people = list(db.session.scalars(select(Person.id)))
        db.session.commit()
    return {"teams": [teams[n] for n in TEAMS], "agents": [agents[n] for n in TEAMS],
            "managers": [managers[n] for n in TEAMS], "policies": policies, "stages": stages,
            "tags": tags, "companies": companies, "people": people}


def _ticket(rng: random.Random, k: int, now: datetime, w: dict) -> tuple[dict, str]:
    """Ticket number k (from 1) and its stage kind, as a desk's history leaves it."""
    age = timedelta(days=DAYS * rng.random())  # a steady flow over the year
    created = now - age
    if age > timedelta(days=14) or rng.random() < 0.55:
        kind = "closed" if age > timedelta(days=7) and rng.random() < 0.7 else "solved"
    else:
        kind = _pick(rng, OPEN_KINDS)
    t = rng.randrange(len(TEAMS))
    priority = _pick(rng, PRIORITIES)
    first_target, resolution_target = TARGETS[priority]
    # deadlines in wall minutes (the bench does not count working time)
    first_due = created + timedelta(minutes=first_target)
    resolution_due = created + timedelta(minutes=resolution_target)
    responded = kind != "new" or rng.random() < 0.2
    first_minutes = int(first_target * rng.uniform(0.1, 1.15)) if responded else None
    done = kind in ("solved", "closed")
    resolution_minutes = int(resolution_target * rng.uniform(0.1, 1.1)) if done else None
    solved_at = created + timedelta(minutes=resolution_minutes) if done else None
    person = rng.random() < 0.7
    row = {
        "id": k, "number": f"T-{k:06d}", "subject": f"{rng.choice(SUBJECTS)} #{k}",
        "channel": rng.choice(("mail", "mail", "web", "phone", "api")),
        "ticket_type": rng.choice(("question", "incident", "problem", "request")),
        "priority": priority,
        "company_id": rng.choice(w["companies"]),
        "person_id": rng.choice(w["people"]) if person else None,
        "contact_email": f"customer{k % 5000}@example.cn",
        "team_id": w["teams"][t], "owner_id": rng.choice(w["agents"][t]),
        "stage_id": w["stages"][kind], "created_at": created,
        "first_response_at": created + timedelta(minutes=first_minutes) if responded else None,
        "solved_at": solved_at, "closed_at": solved_at if kind == "closed" else None,
        "sla_policy_id": w["policies"][priority],
        "first_response_due": first_due, "resolution_due": None if kind == "waiting"
        else resolution_due,
        "paused_since": now - timedelta(hours=rng.randrange(1, 48)) if kind == "waiting"
        else None,
        "paused_minutes": 0, "first_response_minutes": first_minutes,
        "resolution_minutes": resolution_minutes,
        "first_response_breached": (first_minutes or 0) > first_target
        or (not responded and now > first_due),
        "resolution_breached": (resolution_minutes or 0) > resolution_target
        or (not done and kind != "waiting" and now > resolution_due),
    }
    return row, kind


def seed_tickets(app, w: dict, first: int, last: int, seed: int = 16) -> None:
    """Tickets first..last (numbers), their threads, tags and ratings, in batches."""
    from sqlalchemy import insert, update

    from addons.service_desk.models import (Rating, Ticket, TicketMessage, TicketSequence,
                                            ticket_tag)
    from core.db import db

    rng, now = random.Random(seed + first), datetime.utcnow()
    with app.app_context():
        conn = db.session.connection()
        for start in range(first, last + 1, BATCH):
            tickets, messages, tags, ratings = [], [], [], []
            for k in range(start, min(last, start + BATCH - 1) + 1):
                row, kind = _ticket(rng, k, now, w)
                tickets.append(row)
                if rng.random() < 0.25:  # a thread: the customer's mail, a reply, ...
                    for m in range(rng.randint(1, 4)):
                        inbound = m % 2 == 0
                        messages.append({
                            "ticket_id": k, "kind": "note" if not inbound and rng.random()
                            < 0.2 else "public", "direction": "in" if inbound else "out",
                            "author_id": None if inbound else row["owner_id"],
                            "author_email": row["contact_email"] if inbound else None,
                            "body": "您好，请帮忙处理。" if inbound else "We are on it.",
                            "channel": "mail", "created_at": row["created_at"]
                            + timedelta(minutes=30 * m)})
                if rng.random() < 0.3:
                    tags.append({"ticket_id": k, "tag_id": rng.choice(w["tags"])})
                if kind in ("solved", "closed") and rng.random() < 0.33:
                    ratings.append({"ticket_id": k, "score": _pick(rng, ((5, .5), (4, .25),
                                                                         (3, .12), (2, .06),
                                                                         (1, .07))),
                                    "agent_id": row["owner_id"], "team_id": row["team_id"],
                                    "created_at": row["solved_at"]})
            conn.execute(insert(Ticket.__table__), tickets)
            for table, rows in ((TicketMessage.__table__, messages), (ticket_tag, tags),
                                (Rating.__table__, ratings)):
                if rows:
                    conn.execute(insert(table), rows)
        # the app's next ticket continues the numbering
        if conn.execute(update(TicketSequence.__table__).values(next_number=last + 1)
                        .where(TicketSequence.__table__.c.prefix == "T")).rowcount == 0:
            conn.execute(insert(TicketSequence.__table__), {"prefix": "T",
                                                            "next_number": last + 1})
        db.session.commit()
        if conn.dialect.name == "postgresql":  # as autovacuum would after a bulk load
            db.session.connection().exec_driver_sql("ANALYZE")
            db.session.commit()


# --- what is timed -----------------------------------------------------------------------

def rest_q(**args) -> str:
    return "?q=" + prison.dumps({"page_size": 25, **args})


def cases(w: dict) -> list[tuple[str, str, str, str]]:
    """(role, page, user, path): user "agent11" is of the first team, "lead01" its manager."""
    progress = w["stages"]["in_progress"]
    html_filtered = f"/tickets/list/?_flt_0_stage={progress}&_flt_0_priority=2"
    rest_filtered = rest_q(filters=[{"col": "stage", "opr": "rel_o_m", "value": progress},
                                    {"col": "priority", "opr": "eq", "value": 2}])
    out = []
    for role, user in (("Support Agent", "agent11"), ("Admin", "admin")):
        out += [(role, "ticket list page 1", user, "/tickets/list/"),
                (role, "ticket list filtered", user, html_filtered),
                (role, "REST list page 1", user, "/api/v1/ticket/" + rest_q()),
                (role, "REST list filtered", user, "/api/v1/ticket/" + rest_filtered)]
    for role, user in (("Team manager", "lead01"), ("Admin", "admin")):
        out += [(role, "SLA report per team", user, "/sla_report/?by=team"),
                (role, "SLA report per agent", user, "/sla_report/?by=agent")]
    for role, user in (("Support Agent", "agent11"), ("Admin", "admin")):
        out += [(role, "dashboard, 30 days", user, "/desk/dashboard/?days=30"),
                (role, "dashboard, 90 days", user, "/desk/dashboard/?days=90")]
    out.append(("Support Agent", "start page (My tickets)", "agent11", "/"))
    return out


def clients(app, users) -> dict:
    """user -> (HTML client, REST client, REST headers), each logged in."""
    from tests.helpers import api_token, login

    out = {}
    for user in users:
        html, rest = app.test_client(), app.test_client()
        login(html, user)
        out[user] = (html, rest, {"Authorization": f"Bearer {api_token(rest, user)}"})
    return out


def timed(who, path: str, n: int, warmup: int) -> list[float]:
    """ms per request; every answer must be 200 (and the tile must be on the start page)."""
    html, rest, headers = who
    client, kwargs = (rest, {"headers": headers}) if path.startswith("/api/") else (html, {})
    out = []
    for i in range(n + warmup):
        t = time.perf_counter()
        resp = client.get(path, **kwargs)
        ms = (time.perf_counter() - t) * 1000
        if resp.status_code != 200:
            raise SystemExit(f"{resp.status_code} on {path}: {resp.get_data(as_text=True)[:300]}")
        if i >= warmup:
            out.append(ms)
    return out


def sql_floor(app, n: int) -> list[float]:
    from sqlalchemy import text

    from core.db import db

    out = []
    with app.app_context():
        for i in range(n + 2):
            t = time.perf_counter()
            db.session.execute(text("SELECT count(*) FROM desk_ticket")).scalar()
            if i >= 2:
                out.append((time.perf_counter() - t) * 1000)
    return out


def measure(app, w: dict, n: int, warmup: int) -> dict:
    """(role, page) -> ms, and ("SQL floor", "count(*)") -> ms."""
    todo = cases(w)
    who = clients(app, sorted({user for _, _, user, _ in todo}))
    home = who["agent11"][0].get("/").get_data(as_text=True)
    if "My tickets" not in home:
        raise SystemExit("no 'My tickets' tile on the agent's start page")
    out = {("SQL floor", "SELECT count(*) FROM desk_ticket"): sql_floor(app, n)}
    for role, page, user, path in todo:
        out[(role, page)] = ms = timed(who[user], path, n, warmup)
        print(f"  {role:<13} {page:<24} p50 {statistics.median(ms):7.1f}  p95 "
              f"{pct(ms, .95):7.1f}", flush=True)
    return out


def counts(app) -> str:
    from sqlalchemy import text

    from core.db import db

    with app.app_context():
        q = db.session.execute(text(
            "SELECT count(*), sum(CASE WHEN solved_at IS NULL THEN 1 ELSE 0 END), "
            "sum(CASE WHEN first_response_breached OR resolution_breached THEN 1 ELSE 0 END) "
            "FROM desk_ticket")).one()
        m = db.session.execute(text("SELECT count(*) FROM desk_message")).scalar()
        r = db.session.execute(text("SELECT count(*) FROM desk_rating")).scalar()
    return f"{q[0]:,} tickets ({q[1]:,} open, {q[2]:,} breached), {m:,} messages, {r:,} ratings"


def report(small: dict, large: dict, sizes: tuple[int, int], db_name: str, n: int) -> None:
    print()
    print(f"{'role':<13} {'page':<33} {f'{sizes[0]:,} p50':>10} {'p95':>7}   "
          f"{f'{sizes[1]:,} p50':>12} {'p95':>7}   ({db_name}, ms, n={n} each, "
          f"target p95 < {TARGET_MS} ms)")
    for (role, page), b in small.items():
        a = large[(role, page)]
        flag = "" if pct(a, .95) < TARGET_MS else "  <- over target"
        print(f"{role:<13} {page:<33} {statistics.median(b):10.1f} {pct(b, .95):7.1f}   "
              f"{statistics.median(a):12.1f} {pct(a, .95):7.1f}{flag}")


def run(url: str, tickets: int, baseline: int, n: int, warmup: int, db_name: str) -> None:
    from core.app import create_app
    from tests.conftest import test_settings
    from tests.helpers import install

    app = create_app(test_settings(Path(tempfile.mkdtemp()) / "instance", url))
    install(app, "service_desk")
    gc.collect()
    gc.freeze()  # as gunicorn_config.post_worker_init does
    t = time.perf_counter()
    w = seed_people(app)
    seed_tickets(app, w, 1, baseline)
    print(f"seeded {counts(app)} in {time.perf_counter() - t:.1f} s", flush=True)
    small = measure(app, w, n, warmup)
    t = time.perf_counter()
    seed_tickets(app, w, baseline + 1, tickets)
    print(f"seeded {counts(app)} in {time.perf_counter() - t:.1f} s more", flush=True)
    large = measure(app, w, n, warmup)
    report(small, large, (baseline, tickets), db_name, n)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--tickets", type=int, default=200_000)
    parser.add_argument("--baseline", type=int, default=2_000,
                        help="tickets at which the same pages are timed first")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args()
    if not 0 < args.baseline < args.tickets:
        parser.error("--baseline must be below --tickets")
    if args.db == "postgresql":
        from bench.pg_cluster import create_database, pg_cluster

        with pg_cluster() as admin_url:
            run(create_database(admin_url, "service_desk_bench"), args.tickets, args.baseline,
                args.requests, args.warmup, args.db)
    else:
        run(f"sqlite:///{tempfile.mkdtemp()}/desk.sqlite", args.tickets, args.baseline,
            args.requests, args.warmup, args.db)


if __name__ == "__main__":
    main()
