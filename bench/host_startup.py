"""Host figures: cold start, addon install/uninstall time, cross-process propagation.

Prints p50/p95 over repeated runs, with stock Flask-AppBuilder's cold start on
the same machine in the same run as the baseline. Not part of the test verdict.

    .venv/bin/python bench/host_startup.py [--runs 7]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
EXAMPLES = ROOT / "tests" / "addons"

CROSSDOCK_START = """
import time; t = time.perf_counter()
from core.app import create_app
create_app()
print(time.perf_counter() - t)
"""
STOCK_FAB_START = """
import time; t = time.perf_counter()
from flask import Flask
from flask_appbuilder import AppBuilder
from flask_appbuilder.models.sqla.base import SQLA
app = Flask("stock")
app.config.update(SQLALCHEMY_DATABASE_URI="sqlite:///%s", SECRET_KEY="x")
db = SQLA(app)
with app.app_context():
    AppBuilder(app, db.session)
print(time.perf_counter() - t)
"""


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def report(name, seconds):
    ms = [s * 1000 for s in seconds]
    print(f"{name:<44} p50 {statistics.median(ms):8.1f} ms   p95 {pct(ms, 0.95):8.1f} ms"
          f"   (n={len(ms)})")
    return statistics.median(ms)


def timed_process(code, env):
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True,
                         capture_output=True, text=True)
    wall = time.perf_counter() - t
    return float(out.stdout.strip().splitlines()[-1]), wall


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="crossdock-bench-"))
    env = {**os.environ, "CROSSDOCK_INSTANCE_PATH": str(tmp / "instance"),
           "CROSSDOCK_ADDONS_PATH": str(EXAMPLES)}

    first, first_wall = timed_process(CROSSDOCK_START, env)  # migrates a new database
    print(f"{'crossdock first start (creates the database)':<44} {first * 1000:8.1f} ms "
          f"in-process, {first_wall * 1000:8.1f} ms with interpreter")
    ours = [timed_process(CROSSDOCK_START, env) for _ in range(args.runs)]
    stock_db = tmp / "stock.sqlite"
    stock_code = STOCK_FAB_START % stock_db
    timed_process(stock_code, env)  # stock FAB creates its tables on first start
    stock = [timed_process(stock_code, env) for _ in range(args.runs)]
    a = report("crossdock cold start (create_app)", [o[0] for o in ours])
    report("crossdock cold start, whole process", [o[1] for o in ours])
    b = report("stock FAB cold start (baseline)", [s[0] for s in stock])
    print(f"{'ratio crossdock / stock FAB':<44} {a / b:8.2f}x")

    from core.addons import lifecycle
    from core.app import create_app
    from core.config import Settings
    from core.db import db

    # the database the cold starts migrated: a second migration would time nothing
    settings = Settings.from_env(instance_path=tmp / "instance",
                                 addons_paths=(EXAMPLES,), addon_poll_seconds=2.0)
    app, other = create_app(settings), create_app(settings)
    installs, uninstalls, propagation = [], [], []
    runtime = app.extensions["crossdock"].runtime
    gate = other.extensions["crossdock"].runtime.gate
    for _ in range(args.runs):
        with app.app_context():
            t = time.perf_counter()
            lifecycle.install(db.session, runtime, ["example_notes"])
            installs.append(time.perf_counter() - t)
        t = time.perf_counter()
        while not gate.is_active("example_notes"):
            time.sleep(0.01)
        propagation.append(time.perf_counter() - t)
        with app.app_context():
            t = time.perf_counter()
            lifecycle.uninstall(db.session, runtime, ["example_notes"], tmp / "backups")
            uninstalls.append(time.perf_counter() - t)
    report("install example addon (migrate+perms)", installs)
    report("uninstall example addon (backup+drop)", uninstalls)
    report("seen by a second app (poll every 2 s)", propagation)


if __name__ == "__main__":
    main()
