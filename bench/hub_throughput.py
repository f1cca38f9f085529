"""Confirmed orders through the integration hub to a fast local ERP (the Odoo
double, tests/doubles/odoo_double.py, in its own process), with W `crossdock
worker` processes on Redis, against the Odoo protocol client called directly
with the same concurrency. PostgreSQL (a throwaway cluster), a throwaway
redis-server, fresh Odoo double per measurement. Issue 5, "Speed": hub
throughput >= 90% of the direct client's.

For each W in --workers (T = --threads per process):

1. baseline: `OdooClient.push_order` in a loop, W processes x T threads (each
   thread its own client, as the hub's workers keep one per thread), over the
   same N payloads the hub sends (built by the sales handler's own mapping,
   `services/erp/push.prepare_push`). Throughput = N / wall time; p50/p95 of one call.
2. hub drain (throughput): N quotations confirmed through
   `order_states.confirm` (100 per commit; every commit writes the jobs and
   sends them to Redis) BEFORE any worker runs; then W `crossdock worker
   --threads T` start. Throughput = jobs finished after the last worker said
   it was up / (last finish - that moment): the backlog drain rate, worker
   start-up excluded.
3. hub steady (latency): once Redis holds no message (the drain leaves
   no-op re-sends behind: printed, with the time the workers take to skip
   them), with the same workers running, M more quotations
   confirmed one per commit at a paced rate (--load x the drain rate):
   latency = the double's `create_date` of the remote order (stamped inside
   the double when it creates the sale.order) - our commit time (taken right
   after commit returns). Same clock: one machine.

Exactness, printed per W: the double holds exactly N + M sale orders, one per
order number, and every job is `done`. No scheduler process runs (nothing
needs re-sending: every message reaches Redis); --scheduler starts one to see
what its re-sends of a long backlog cost.

    .venv/bin/python bench/hub_throughput.py                       # 10,000 orders, W = 1 and 4
    .venv/bin/python bench/hub_throughput.py --orders 1000 --workers 1
"""
from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.contacts_list_search import free_port, load_note, pct  # noqa: E402
from bench.pg_cluster import create_database, pg_cluster  # noqa: E402

PRODUCTS = 20
API_KEY = "odoo-test-key"
CONFIRM_BATCH = 100
TARGET = 0.90


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


# -- CPU accounting (Linux /proc): where the machine's time goes per order -------
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int, children: bool = False) -> float:
    """CPU time of a live process (plus its reaped children's, if asked)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    used = int(fields[11]) + int(fields[12])  # utime, stime
    if children:
        used += int(fields[13]) + int(fields[14])  # cutime, cstime
    return used / TICK


def postgres_cpu(postmaster: int) -> float:
    """The cluster's CPU: the postmaster with its exited backends, plus live ones."""
    total = cpu_seconds(postmaster, children=True)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[1]) == postmaster:
            total += (int(fields[11]) + int(fields[12])) / TICK
    return total


def postmaster_pid(app) -> int:
    from sqlalchemy import text

    from core.db import db

    with app.app_context():
        folder = db.session.execute(text("SHOW data_directory")).scalar()
        db.session.remove()
    return int((Path(folder) / "postmaster.pid").read_text().split()[0])


# -- the servers -------------------------------------------------------------------
class Proc:
    """A child process with its output in a log file, stopped by SIGTERM on exit."""

    def __init__(self, cmd: list[str], log: Path, env: dict | None = None):
        self.log = log
        with open(log, "w") as fh:
            self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env or os.environ.copy(),
                                         stdout=fh, stderr=subprocess.STDOUT)

    def wait_output(self, text: str, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if text in self.log.read_text(errors="replace"):
                return
            if self.proc.poll() is not None:
                raise SystemExit(f"{self.log.name}: exited {self.proc.returncode}:\n"
                                 f"{self.log.read_text()[-2000:]}")
            time.sleep(0.05)
        raise SystemExit(f"{self.log.name}: no {text!r} within {seconds} s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def wait_port(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise SystemExit(f"nothing listens on port {port}")


def start_double(port: int, work: Path, tag: str) -> Proc:
    codes = ",".join(f"BENCH-{n:03d}={10 + n}" for n in range(1, PRODUCTS + 1))
    double = Proc([sys.executable, "-m", "tests.doubles.odoo_double", "--port", str(port),
                   "--products", codes, "--api-key", API_KEY], work / f"odoo-{tag}.log")
    wait_port(port)
    return double


def odoo_client(url: str):
    from connectors.erp.odoo import OdooClient

    return OdooClient(url, "odoo", "admin", API_KEY, {})


def remote_orders(url: str) -> list[dict]:
    """Every sale.order in the double, read through Odoo's own API."""
    return odoo_client(url).wire.call("sale.order", "search_read", domain=[],
                                      fields=["client_order_ref", "create_date", "state"])


# -- Crossdock data ----------------------------------------------------------------------
def make_app(url: str, instance: Path, broker_url: str):
    from core.app import create_app
    from core.config import Settings

    return create_app(Settings.from_env(instance_path=instance, database_url=url,
                                        broker_url=broker_url, addon_poll_seconds=3600.0))


def prepare_shop(app, customers: int) -> dict:
    """sales installed, PRODUCTS products, `customers` companies."""
    from sqlalchemy import select

    from addons.contacts.models import Company
    from addons.sales.models import Currency, Product, Tax
    from core.addons import lifecycle
    from core.db import db
    from core.security.actor import SYSTEM, acting_as

    t = time.perf_counter()
    with app.app_context(), acting_as(SYSTEM):
        s = db.session
        lifecycle.install(s, app.extensions["crossdock"].runtime, ["sales"])
        cny = s.scalars(select(Currency).filter_by(code="CNY")).one()
        tax = s.scalars(select(Tax).filter_by(name="VAT 13%")).one()
        for n in range(1, PRODUCTS + 1):
            s.add(Product(code=f"BENCH-{n:03d}", name=f"压测产品 Bench product {n}",
                          list_price=Decimal(10 + n), currency=cny, tax=tax, active=True))
        s.add_all(Company(name=f"Bench customer {n:04d} 物流有限公司", city="上海",
                          country_code="CN") for n in range(1, customers + 1))
        s.commit()
        info = {"companies": s.scalars(select(Company.id).order_by(Company.id)).all(),
                "products": s.scalars(select(Product.id).order_by(Product.id)).all()}
        s.remove()
    print(f"shop: sales installed, {PRODUCTS} products, {customers} customers "
          f"({time.perf_counter() - t:.1f} s)", flush=True)
    return info


def new_backend(app, name: str, odoo_url: str) -> None:
    """A backend of its own for each run (each run's double is fresh, so the
    previous run's bindings must not apply); the previous ones are disabled,
    so confirming writes one job, for this one."""
    from sqlalchemy import update

    from connectors.hub.backends import save_backend
    from connectors.hub.models import Backend
    from core.db import db
    from core.security.actor import SYSTEM, acting_as

    with app.app_context(), acting_as(SYSTEM):
        db.session.execute(update(Backend).values(active=False))
        save_backend(db.session, None, name=name, kind="odoo", url=odoo_url,
                     database="odoo", username="admin", secret=API_KEY)
        db.session.commit()
        db.session.remove()


def create_quotations(app, info: dict, n: int, seed: int) -> list[int]:
    """n quotations of 1-4 lines, customers round-robin (so one customer's
    orders, serialised by the hub, are far apart in the queue)."""
    from addons.sales.models import Product, SalesOrder
    from addons.sales.services.orders.order_lines import new_line
    from core.db import db
    from core.security.actor import SYSTEM, acting_as

    r = random.Random(seed)
    t = time.perf_counter()
    ids, batch = [], []
    with app.app_context(), acting_as(SYSTEM):
        s = db.session
        products = [s.get(Product, pk) for pk in info["products"]]
        companies = info["companies"]
        start = r.randrange(len(companies))
        for k in range(n):
            order = SalesOrder(company_id=companies[(start + k) % len(companies)],
                               currency=products[0].currency, order_date=dt.date.today())
            s.add(order)
            for product in r.sample(products, r.randint(1, 4)):
                new_line(s, order, product, Decimal(r.choice((1, 2, 3, 5, 10, 24))))
            batch.append(order)
            if len(batch) == 500 or k == n - 1:
                s.commit()
                ids.extend(o.id for o in batch)
                batch = []
                s.expunge_all()
                products = [s.get(Product, pk) for pk in info["products"]]
        s.remove()
    print(f"{n} quotations created in {time.perf_counter() - t:.1f} s", flush=True)
    return ids


def confirm_orders(app, ids: list[int], batch: int, pace_per_s: float | None = None
                   ) -> dict[str, dt.datetime]:
    """Confirm through order_states.confirm; commit every `batch` orders (each
    commit sends its jobs to Redis). Returns order number -> commit time."""
    from addons.sales.services.orders.order_states import confirm, load_for_update
    from core.db import db
    from core.security.actor import SYSTEM, acting_as

    committed = {}
    t0 = time.perf_counter()
    with app.app_context(), acting_as(SYSTEM):
        s = db.session
        pending = []
        for k, pk in enumerate(ids):
            if pace_per_s:
                wait = t0 + k / pace_per_s - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
            order = load_for_update(s, pk)
            confirm(s, order)
            pending.append(order.number)
            if len(pending) >= batch or k == len(ids) - 1:
                s.commit()
                now = utcnow()
                committed.update((number, now) for number in pending)
                pending = []
                s.expunge_all()
        s.remove()
    return committed


def payloads_for(app, ids: list[int]) -> list:
    """The SaleOrder payloads the hub's handler sends for these orders."""
    from addons.sales.services.erp.push import prepare_push
    from connectors.hub.execution import JobContext
    from core.db import db

    with app.app_context():
        s = db.session
        out = []
        for pk in ids:
            ctx = JobContext(s, 0, "sales.order.push", "sales.order", pk, None, 1)
            ctx.binding = lambda model, record_id: None  # as on a fresh ERP: no binding yet
            out.append(prepare_push(ctx).order)
            if len(out) % 500 == 0:
                s.expunge_all()
        s.remove()
    return out


def job_rows(app, ids: list[int]) -> list[tuple]:
    from sqlalchemy import select

    from connectors.hub.models import SyncJob
    from core.db import db

    with app.app_context():
        rows = db.session.execute(select(
            SyncJob.record_id, SyncJob.state, SyncJob.attempts, SyncJob.created_at,
            SyncJob.started_at, SyncJob.finished_at).where(SyncJob.record_id.in_(ids))).all()
        db.session.remove()
    return rows


def wait_done(app, ids: list[int], seconds: float) -> list[tuple]:
    """Poll with one count a second (cheap: the poll shares the 2 cores with
    the workers), then read the rows once."""
    from sqlalchemy import func, select

    from connectors.hub.models import SyncJob
    from core.db import db

    deadline = time.monotonic() + seconds
    ended = SyncJob.state.in_(("done", "failed", "cancelled"))
    while True:
        with app.app_context():
            total, live = db.session.execute(select(
                func.count(), func.count().filter(~ended)).where(
                SyncJob.record_id.between(min(ids), max(ids)))).one()
            db.session.remove()
        if not live and total >= len(ids):
            return job_rows(app, ids)
        if time.monotonic() > deadline:
            raise SystemExit(f"{live} of {len(ids)} jobs still live after {seconds} s")
        time.sleep(1)


# -- the baseline: the protocol client alone ---------------------------------------------
def _baseline_process(url: str, payloads: list, threads: int, go, out) -> None:
    import threading

    clients = [odoo_client(url) for _ in range(threads)]
    for c in clients:
        c.test_connection()  # log in / open the connection before the clock starts
    times: list[float] = []
    lock = threading.Lock()

    def run(client, share):
        mine = []
        for payload in share:
            t = time.perf_counter()
            client.push_order(payload)
            mine.append(time.perf_counter() - t)
        with lock:
            times.extend(mine)

    go.wait()
    start, cpu = time.time(), time.process_time()
    workers = [threading.Thread(target=run, args=(clients[i], payloads[i::threads]))
               for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    out.put((start, time.time(), times, time.process_time() - cpu))


def baseline(url: str, payloads: list, processes: int, threads: int) -> dict:
    ctx = mp.get_context("spawn")  # children need no database, no app: a clean interpreter
    go, out = ctx.Event(), ctx.Queue()
    # customers round-robin over processes too, so no two processes create one customer
    procs = [ctx.Process(target=_baseline_process,
                         args=(url, payloads[i::processes], threads, go, out))
             for i in range(processes)]
    for p in procs:
        p.start()
    time.sleep(3)  # let the children import and connect
    go.set()
    results = [out.get(timeout=3600) for _ in procs]
    for p in procs:
        p.join()
    start = min(r[0] for r in results)
    end = max(r[1] for r in results)
    calls = [t * 1000 for r in results for t in r[2]]
    return {"rate": len(payloads) / (end - start), "seconds": end - start,
            "p50": statistics.median(calls), "p95": pct(calls, .95),
            "client_cpu": sum(r[3] for r in results)}


# -- the hub --------------------------------------------------------------------------------
def start_workers(w: int, threads: int, env: dict, work: Path, tag: str) -> list[Proc]:
    cmd = [str(ROOT / ".venv" / "bin" / "crossdock"), "worker", "--threads", str(threads)]
    procs = [Proc(cmd, work / f"worker-{tag}-{i}.log", env) for i in range(w)]
    for p in procs:
        p.wait_output("hub worker:", seconds=180)
    return procs


def redis_backlog(broker_url: str) -> tuple[int, float]:
    """(messages not yet acked at the start, seconds until none is left)."""
    import redis

    from connectors.hub.broker import QUEUE

    client = redis.Redis.from_url(broker_url)
    key = f"dramatiq:{QUEUE}.msgs"  # dramatiq's hash of un-acked messages per queue
    first, t = client.hlen(key), time.perf_counter()
    while client.hlen(key):
        time.sleep(0.2)
    client.close()
    return first, time.perf_counter() - t


def check_exact(odoo_url: str, numbers: set[str], rows: list[tuple]) -> tuple[bool, str, dict]:
    remote = remote_orders(odoo_url)
    refs = [r["client_order_ref"] for r in remote]
    per_ref = {}
    for ref in refs:
        per_ref[ref] = per_ref.get(ref, 0) + 1
    twice = sum(1 for c in per_ref.values() if c > 1)
    missing = len(numbers - set(per_ref))
    states = {}
    for row in rows:
        states[row.state] = states.get(row.state, 0) + 1
    confirmed = sum(1 for r in remote if r["state"] == "sale")
    ok = (len(remote) == len(numbers) and not twice and not missing
          and states.get("done", 0) == len(numbers) and confirmed == len(numbers))
    text = (f"remote sale orders {len(remote)} (confirmed {confirmed}) for {len(numbers)} "
            f"orders; references twice {twice}, missing {missing}; jobs {states}")
    created = {r["client_order_ref"]: dt.datetime.strptime(r["create_date"],
                                                           "%Y-%m-%d %H:%M:%S.%f")
               for r in remote}
    return ok, text, created


def hub_run(app, info: dict, args, w: int, env: dict, work: Path, odoo_port: int,
            seed: int, report: dict, postmaster: int) -> None:
    broker_url = env["CROSSDOCK_BROKER_URL"]
    from addons.sales.models import SalesOrder
    from core.db import db

    odoo_url = f"http://127.0.0.1:{odoo_port}"
    n, m = args.orders, args.steady_orders
    new_backend(app, f"odoo-bench-{w}", odoo_url)
    ids = create_quotations(app, info, n + m, seed)
    drain_ids, steady_ids = ids[:n], ids[n:]
    t = time.perf_counter()
    confirm_orders(app, drain_ids, CONFIRM_BATCH)
    print(f"{n} orders confirmed ({CONFIRM_BATCH} per commit) in "
          f"{time.perf_counter() - t:.1f} s; their jobs wait in Redis", flush=True)

    # 1. baseline, on its own fresh double
    double = start_double(odoo_port, work, f"baseline-{w}")
    try:
        t = time.perf_counter()
        payloads = payloads_for(app, drain_ids)
        print(f"{len(payloads)} payloads mapped in {time.perf_counter() - t:.1f} s", flush=True)
        double_cpu = cpu_seconds(double.proc.pid)
        base = baseline(odoo_url, payloads, w, args.threads)
        base["double_cpu"] = cpu_seconds(double.proc.pid) - double_cpu
        base_remote = remote_orders(odoo_url)
        base["exact"] = (len(base_remote) == n and
                         len({r["client_order_ref"] for r in base_remote}) == n)
    finally:
        double.stop()
    print(f"baseline {w}x{args.threads}: {base['rate']:.1f} orders/s, push_order p50 "
          f"{base['p50']:.1f} ms p95 {base['p95']:.1f} ms, {n} remote orders: "
          f"{base['exact']}; CPU ms per order: client {1000 * base['client_cpu'] / n:.1f}, "
          f"double {1000 * base['double_cpu'] / n:.1f}", flush=True)

    # 2. hub drain, on a fresh double
    double = start_double(odoo_port, work, f"hub-{w}")
    workers, sched = [], None
    try:
        if args.scheduler:
            sched = Proc([str(ROOT / ".venv" / "bin" / "crossdock"), "scheduler"],
                         work / f"scheduler-{w}.log", env)
        workers = start_workers(w, args.threads, env, work, str(w))
        ready = utcnow()
        cpu0 = ([cpu_seconds(p.proc.pid) for p in workers], cpu_seconds(double.proc.pid),
                postgres_cpu(postmaster))
        rows = wait_done(app, drain_ids, seconds=max(600, n))
        cpu = {"worker": sum(cpu_seconds(p.proc.pid) for p in workers) - sum(cpu0[0]),
               "double": cpu_seconds(double.proc.pid) - cpu0[1],
               "postgres": postgres_cpu(postmaster) - cpu0[2]}
        after = [r for r in rows if r.finished_at and r.finished_at >= ready]
        last = max(r.finished_at for r in rows)
        first = min(r.started_at for r in rows if r.started_at)
        drain = {"rate": len(after) / (last - ready).total_seconds(),
                 "overall": len(rows) / (last - first).total_seconds(),
                 "seconds": (last - first).total_seconds(), "before_ready": n - len(after),
                 "attempts": sum(r.attempts for r in rows),
                 "cpu": {k: 1000 * v / len(after) for k, v in cpu.items()}}
        print(f"hub drain {w}x{args.threads}: {drain['rate']:.1f} orders/s with all workers "
              f"up ({drain['overall']:.1f} from first claim; {drain['before_ready']} done "
              f"before the last worker was up), attempts {drain['attempts']}; CPU ms per order: "
              + ", ".join(f"{k} {v:.1f}" for k, v in drain["cpu"].items()), flush=True)

        # messages still in Redis now that every job is done: no-op re-sends
        # (runtime.dispatch_next sends a customer's next job again although
        # its first message is still queued); a new order would wait behind them
        leftover, flushed = redis_backlog(broker_url)
        drain["leftover"], drain["flush_s"] = leftover, flushed
        print(f"after the drain: {leftover} messages for done jobs left in Redis, "
              f"consumed (skipped) in {flushed:.1f} s", flush=True)

        # 3. hub steady load, paced under the drain rate
        pace = args.load * drain["rate"]
        t = time.perf_counter()
        committed = confirm_orders(app, steady_ids, 1, pace_per_s=pace) if m else {}
        fed = m / (time.perf_counter() - t) if m else 0
        steady_rows = wait_done(app, steady_ids, seconds=max(600, m)) if m else []
        with app.app_context():
            numbers = set(db.session.scalars(db.select(SalesOrder.number).where(
                SalesOrder.id.in_(ids))))
            db.session.remove()
        ok, text, created = check_exact(odoo_url, numbers, rows + steady_rows)
    finally:
        for p in workers:
            p.stop()
        if sched:
            sched.stop()
        double.stop()
    lat = [(created[num] - at).total_seconds() * 1000 for num, at in committed.items()]
    # whether the workers kept up with the feed: if not, the latencies are queueing
    served = (m / (max(r.finished_at for r in steady_rows)
                   - min(committed.values())).total_seconds()) if m else 0
    steady = {"fed": fed, "pace": pace, "p50": statistics.median(lat) if lat else 0,
              "p95": pct(lat, .95) if lat else 0, "n": len(lat), "served": served}
    print(f"hub steady {w}x{args.threads}: fed {fed:.1f} orders/s (asked {pace:.1f}), served "
          f"{served:.1f}/s{'' if served >= 0.95 * fed else ' (fell behind: queueing)'}; "
          f"commit -> remote create p50 {steady['p50']:.0f} ms p95 {steady['p95']:.0f} ms "
          f"(n={len(lat)})", flush=True)
    print(f"exactness {w}x{args.threads}: {'OK' if ok else 'WRONG'}: {text}", flush=True)
    report[w] = {"base": base, "drain": drain, "steady": steady, "ok": ok, "text": text}


def show(report: dict, args) -> None:
    t = args.threads
    print(f"\n{args.orders} orders (drain) + {args.steady_orders} (steady) per run, "
          f"{args.customers} customers, {t} threads per process; target hub >= "
          f"{TARGET:.0%} of baseline")
    print(f"{'processes':>9} {'baseline/s':>11} {'hub/s':>8} {'hub/base':>9} "
          f"{'lat p50 ms':>11} {'p95 ms':>7} {'fed/s':>6} {'call p50':>9} {'p95':>6}  exact")
    for w, r in report.items():
        ratio = r["drain"]["rate"] / r["base"]["rate"]
        flag = "" if ratio >= TARGET else " <- under target"
        print(f"{w:>9} {r['base']['rate']:11.1f} {r['drain']['rate']:8.1f} {ratio:9.1%} "
              f"{r['steady']['p50']:11.0f} {r['steady']['p95']:7.0f} {r['steady']['fed']:6.1f} "
              f"{r['base']['p50']:9.1f} {r['base']['p95']:6.1f}  "
              f"{'OK' if r['ok'] and r['base']['exact'] else 'WRONG'}{flag}")
    print("baseline/s: OdooClient.push_order in W processes x T threads; hub/s: backlog "
          "drain with W `crossdock worker --threads T`; lat: commit -> remote create under "
          "a paced load (fed/s); call: one push_order in the baseline (ms)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=10_000, help="N: orders drained per run")
    parser.add_argument("--steady-orders", type=int, default=1_000,
                        help="M: orders fed at a paced rate for latency (0: skip)")
    parser.add_argument("--workers", default="1,4", help="worker process counts, e.g. 1,4")
    parser.add_argument("--threads", type=int, default=8, help="threads per worker process")
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--load", type=float, default=0.7,
                        help="steady feed rate as a share of the measured drain rate")
    parser.add_argument("--scheduler", action="store_true",
                        help="run a `crossdock scheduler` during the hub runs")
    parser.add_argument("--keep", action="store_true", help="keep the work folder and logs")
    args = parser.parse_args()
    counts = [int(w) for w in args.workers.split(",")]
    work = Path(tempfile.mkdtemp(prefix="crossdock-hub-bench-"))
    instance = work / "instance"
    instance.mkdir()
    print(f"before: {load_note()}; logs in {work}", flush=True)
    redis_port, odoo_port = free_port(), free_port()
    redis = Proc(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1",
                  "--save", "", "--appendonly", "no"], work / "redis.log")
    report = {}
    try:
        wait_port(redis_port)
        broker_url = f"redis://127.0.0.1:{redis_port}/0"
        with pg_cluster() as admin_url:
            url = create_database(admin_url, "hub_bench")
            app = make_app(url, instance, broker_url)
            info = prepare_shop(app, args.customers)
            env = {**os.environ, "CROSSDOCK_DATABASE_URL": url,
                   "CROSSDOCK_BROKER_URL": broker_url, "CROSSDOCK_INSTANCE_PATH": str(instance),
                   "CROSSDOCK_ADDON_POLL_SECONDS": "3600"}
            for k, w in enumerate(counts):
                hub_run(app, info, args, w, env, work, odoo_port, seed=k + 1, report=report,
                        postmaster=postmaster_pid(app))
            show(report, args)
    finally:
        redis.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(f"after: {load_note()}")


if __name__ == "__main__":
    main()
