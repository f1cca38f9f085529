"""Concurrent users on one machine: the buyers' acceptance test (issue 21).

Seeds (bench/sales_seed.py: 1,000,000 contacts and 200,000 opportunities over
50 salespeople in teams of 5 and their managers; cached between runs), starts
Crossdock the production way (gunicorn, bench workers and threads per core,
`core/serving/gunicorn_config.py`; with --broker redis also redis-server and a
`crossdock worker`) or the embedded default (`crossdock run`), then runs
locust (bench/load_locustfile.py: salespeople and managers with 3-8 s of think
time) headless on loopback, once per --users step, each for --duration
seconds. Prints, per step: p50/p95/max and errors per request type, the
throughput served, and the CPU seconds of the web server, the job workers,
PostgreSQL, Redis and the load generator itself (all on the same 2 cores);
then the knee: the throughput at which a request type's p95 first passes
300 ms.

    .venv/bin/python bench/load_users.py --db postgres --users 60,200 --duration 900
    .venv/bin/python bench/load_users.py --db postgres --users 20,60,100,150,200
    .venv/bin/python bench/load_users.py --db sqlite --server embedded --users 50
    .venv/bin/python bench/load_users.py --db sqlite --count 100000 --users 10 --duration 60

locust lives in its own virtualenv (`.venv-locust`, made on first use) so
that its Flask and gevent stay out of the application's.
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.contacts_list_search import free_port, load_note, wait_for
from bench.contacts_seed import PASSWORD
from bench.pg_cluster import pg_cluster
from bench.sales_seed import (
    default_cache,
    postgres_database,
    seed_sales,
    sqlite_database,
)

TARGET_P95_MS = 300
LOCUST_VENV = ROOT / ".venv-locust"
TICKS = os.sysconf("SC_CLK_TCK")


def locust_bin() -> Path:
    exe = LOCUST_VENV / "bin" / "locust"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(LOCUST_VENV)], check=True)
        subprocess.run([str(LOCUST_VENV / "bin" / "pip"), "install", "-q", "locust>=2.30,<3"],
                       check=True)
    return exe


# --- CPU per component, from /proc (every process of a tree, dead children included) ---

def _stat(pid: int) -> tuple[int, float] | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None
    # ppid; utime + stime + cutime + cstime (children that exited and were reaped)
    return int(fields[1]), sum(int(v) for v in fields[11:15]) / TICKS


def cpu_seconds(roots: dict[str, int]) -> dict[str, float]:
    """CPU seconds used so far by each named process and its descendants."""
    stats = {int(p.name): s for p in Path("/proc").iterdir() if p.name.isdigit()
             if (s := _stat(int(p.name))) is not None}
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in stats.items():
        children.setdefault(ppid, []).append(pid)
    out = {}
    for name, root in roots.items():
        total, todo = 0.0, [root]
        while todo:
            pid = todo.pop()
            if pid in stats:
                total += stats[pid][1]
                todo.extend(children.get(pid, []))
        out[name] = total
    return out


def postmaster_pid(admin_url: str) -> int | None:
    from sqlalchemy import create_engine, text

    engine = create_engine(admin_url)
    with engine.connect() as conn:
        data_dir = conn.execute(text("SHOW data_directory")).scalar()
    engine.dispose()
    pid_file = Path(data_dir) / "postmaster.pid"
    return int(pid_file.read_text().split()[0]) if pid_file.exists() else None


# --- the run ---------------------------------------------------------------------------

def users_of(url: str) -> tuple[list[str], list[str]]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        names = conn.execute(text(
            "SELECT u.username, r.name FROM ab_user u JOIN ab_user_role ur ON ur.user_id = u.id "
            "JOIN ab_role r ON r.id = ur.role_id WHERE r.name IN ('Salesperson', "
            "'Sales Manager') ORDER BY u.username")).all()
    engine.dispose()
    return ([u for u, r in names if r == "Salesperson"],
            [u for u, r in names if r == "Sales Manager"])


def run_step(base: str, users: int, duration: int, spawn_rate: float, out: Path,
             env: dict, label: str = "") -> list[dict]:
    label = label or f"step-{users}"
    prefix = out / label
    cmd = [str(locust_bin()), "-f", str(ROOT / "bench" / "load_locustfile.py"), "--headless",
           "-u", str(users), "-r", str(spawn_rate), "-t", f"{duration}s", "--host", base,
           "--csv", str(prefix), "--only-summary", "--stop-timeout", "10",
           "--loglevel", "WARNING"]
    with open(out / f"{label}.log", "w") as log:
        subprocess.run(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log,
                       check=False)
    with open(f"{prefix}_stats.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def report_step(users: int, rows: list[dict], cpu: dict[str, float], seconds: float) -> dict:
    print(f"\n{users} users, {seconds:.0f} s")
    print(f"  {'request':<28} {'count':>7} {'p50':>6} {'p95':>6} {'max':>7} {'errors':>6}")
    worst = 0.0
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "ALL"
        p95 = float(row["95%"] or 0)
        if name != "ALL" and not name.startswith("login"):
            worst = max(worst, p95)
        flag = "  <- p95 over target" if p95 > TARGET_P95_MS and name != "ALL" else ""
        print(f"  {name:<28} {row['Request Count']:>7} {row['50%']:>6} {row['95%']:>6} "
              f"{float(row['Max Response Time']):7.0f} {row['Failure Count']:>6}{flag}")
    total = next(r for r in rows if r["Name"] == "Aggregated")
    served = float(total["Requests/s"])
    print(f"  served {served:.1f} req/s; errors {total['Failure Count']}; CPU seconds: "
          + ", ".join(f"{k} {v:.0f} ({100 * v / seconds:.0f}% of a core)"
                      for k, v in cpu.items()))
    return {"users": users, "rps": served, "worst_p95": worst,
            "errors": int(total["Failure Count"])}


@contextlib.contextmanager
def process(cmd: list[str], env: dict, log: Path, ready_url: str | None = None):
    """A process for the run's length; `ready_url` answers once it is up."""
    with open(log, "w") as fh:
        proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT)
    try:
        if ready_url:
            wait_for(ready_url, proc)
        else:
            time.sleep(1)
            if proc.poll() is not None:
                raise SystemExit(f"{cmd[0]} exited with {proc.returncode}: see {log}")
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def start_server(kind: str, url: str, instance: Path, port: int, args, stack):
    env = {**os.environ, "CROSSDOCK_DATABASE_URL": url, "CROSSDOCK_INSTANCE_PATH": str(instance),
           "CROSSDOCK_ADDON_POLL_SECONDS": "30"}
    roots = {}
    if args.broker == "redis":
        redis_port = free_port()
        redis = stack.enter_context(process(
            ["redis-server", "--port", str(redis_port), "--save", "", "--appendonly", "no"],
            env, instance / "redis.log"))
        env["CROSSDOCK_BROKER_URL"] = f"redis://127.0.0.1:{redis_port}/0"
        roots["redis"] = redis.pid
    base = f"http://127.0.0.1:{port}"
    if kind == "gunicorn":
        cmd = [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "python:core.serving.gunicorn_config",
               "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
               "--threads", str(args.threads), "wsgi:app"]
    else:
        cmd = [str(ROOT / ".venv" / "bin" / "crossdock"), "run", "--port", str(port)]
    web = stack.enter_context(process(cmd, env, instance / "web.log", base + "/login/"))
    roots["web"] = web.pid
    if args.broker == "redis":
        worker = stack.enter_context(process(
            [str(ROOT / ".venv" / "bin" / "crossdock"), "worker"], env, instance / "worker.log"))
        roots["job workers"] = worker.pid
    return base, roots


def run(url: str, args, instance: Path, admin_url: str | None) -> None:
    salespeople, managers = users_of(url)
    print(f"{len(salespeople)} salespeople and {len(managers)} managers log in "
          f"(virtual users share them round-robin)")
    env = {**os.environ, "LOAD_PASSWORD": PASSWORD, "LOAD_SALESPEOPLE": ",".join(salespeople),
           "LOAD_MANAGERS": ",".join(managers)}
    out = instance / "locust"
    out.mkdir()
    results = []
    with contextlib.ExitStack() as stack:
        base, roots = start_server(args.server, url, instance, free_port(), args, stack)
        if admin_url and (pm := postmaster_pid(admin_url)):
            roots["postgresql"] = pm
        if args.warmup:  # every worker process past its first requests (templates, caches)
            run_step(base, 2 * args.workers, args.warmup, 4, out, env, "warmup")
        for users in args.users:
            before = cpu_seconds(roots)
            t = time.perf_counter()
            rows, load_cpu = _step_with_cpu(base, users, args, out, env)
            seconds = time.perf_counter() - t
            after = cpu_seconds(roots)
            cpu = {k: after[k] - before[k] for k in roots} | {"load generator": load_cpu}
            results.append(report_step(users, rows, cpu, seconds))
    knee(results)


def _step_with_cpu(base, users, args, out, env) -> tuple[list[dict], float]:
    """One locust run; the load generator's own CPU is that of the child we waited for."""
    before = os.times()
    rows = run_step(base, users, args.duration, args.spawn_rate, out, env)
    after = os.times()
    return rows, (after.children_user - before.children_user
                  + after.children_system - before.children_system)


def knee(results: list[dict]) -> None:
    print(f"\nknee (p95 of any page or call over {TARGET_P95_MS} ms; logins apart):")
    below = None
    for r in results:
        if r["worst_p95"] > TARGET_P95_MS:
            was = (f"{below['users']} users / {below['rps']:.1f} req/s" if below
                   else "the first step")
            print(f"  crossed between {was} and {r['users']} users / {r['rps']:.1f} req/s "
                  f"(worst p95 {r['worst_p95']:.0f} ms)")
            return
        below = r
    print(f"  not reached: {results[-1]['users']} users at {results[-1]['rps']:.1f} req/s, "
          f"worst p95 {results[-1]['worst_p95']:.0f} ms")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--server", choices=["gunicorn", "embedded"], default="gunicorn")
    parser.add_argument("--broker", choices=["embedded", "redis"], default=None,
                        help="default: redis with gunicorn, embedded with `crossdock run`")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--users", type=lambda s: [int(v) for v in s.split(",")],
                        default=[60, 200], help="steps, e.g. 20,60,100,200")
    parser.add_argument("--duration", type=int, default=180, help="seconds per step")
    parser.add_argument("--warmup", type=int, default=20,
                        help="seconds of a few users before the steps, not reported")
    parser.add_argument("--spawn-rate", type=float, default=5, help="users started per second")
    parser.add_argument("--count", type=int, default=1_000_000, help="contacts")
    parser.add_argument("--opportunities", type=int, default=200_000)
    parser.add_argument("--reuse", help="an already seeded SQLite file or PostgreSQL URL")
    parser.add_argument("--pg-admin-url", help="a running cluster kept by an earlier run")
    parser.add_argument("--keep-cluster", action="store_true")
    args = parser.parse_args()
    args.broker = args.broker or ("redis" if args.server == "gunicorn" else "embedded")
    instance = Path(tempfile.mkdtemp(prefix="crossdock-load-"))
    print(f"before: {load_note()}")
    if args.reuse:
        url = args.reuse if "://" in args.reuse else f"sqlite:///{Path(args.reuse).resolve()}"
        run(url, args, instance, args.pg_admin_url)
    elif args.db == "sqlite":
        url = sqlite_database(instance / "sales.sqlite", default_cache(args.count), args.count,
                              instance)
        seed_sales(url, instance, args.opportunities)
        run(url, args, instance, None)
    else:
        cluster = (contextlib.nullcontext(args.pg_admin_url) if args.pg_admin_url
                   else pg_cluster(keep=args.keep_cluster))
        with cluster as admin_url:
            url = postgres_database(admin_url, "load_bench", args.count, instance)
            seed_sales(url, instance, args.opportunities)
            run(url, args, instance, admin_url)
    print(f"after: {load_note()}")


if __name__ == "__main__":
    main()
