"""What the probes and the request observer cost (issue 22).

In one process with Flask's test client, on a fresh SQLite instance (or
--database-url's migrated database): milliseconds per request, p50 and p95
over --requests, for `/healthz`, `/readyz` computed afresh each time (its
one-second reuse turned off: the database read and the migration heads
compared), `/readyz` reused, the login page with text logs and with JSON
access lines (the observer's share is the difference), and a `/metrics`
scrape.

    .venv/bin/python bench/serving_probes.py
    .venv/bin/python bench/serving_probes.py --requests 2000
    .venv/bin/python bench/serving_probes.py --database-url postgresql+psycopg://...
"""
from __future__ import annotations

import argparse
import io
import logging
import logging.config
import statistics
import sys
import tempfile
import time
from contextlib import redirect_stderr
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TOKEN = "bench-metrics-token"


def timed(client, path: str, n: int, **kw) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        resp = client.get(path, **kw)
        out.append((time.perf_counter() - t) * 1000)
        assert resp.status_code == 200, (path, resp.status_code)
    return out


def row(name: str, ms: list[float]) -> None:
    ms = sorted(ms)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    print(f"{name:<34} p50 {statistics.median(ms):8.3f} ms   p95 {p95:8.3f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--database-url")
    args = parser.parse_args()

    from core.app import create_app
    from core.serving import probes
    from core.serving.log_format import logging_config

    folder = Path(tempfile.mkdtemp(prefix="crossdock-bench-probes-"))
    app = create_app(instance_path=folder / "instance", hub_embedded_threads=0,
                     secret_key="bench-secret-" + "x" * 32, metrics_token=TOKEN,
                     **({"database_url": args.database_url} if args.database_url else {}))
    client = app.test_client()
    n = max(1, args.requests)
    timed(client, "/readyz", 3)  # warm-up: the migration scripts are read once
    print(f"{n} requests each, {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}")
    row("/healthz", timed(client, "/healthz", n))
    reuse = probes.CACHE_SECONDS
    probes.CACHE_SECONDS = 0.0
    row("/readyz (computed each time)", timed(client, "/readyz", n))
    probes.CACHE_SECONDS = reuse
    row("/readyz (reused)", timed(client, "/readyz", n))
    for fmt in ("text", "json"):
        with redirect_stderr(io.StringIO()):
            logging.config.dictConfig(logging_config(fmt))  # onto a discarded stderr
            ms = timed(client, "/login/", n)
        row(f"/login/ ({fmt} logs)", ms)
    row("/metrics", timed(client, "/metrics", max(1, n // 10),
                          headers={"Authorization": f"Bearer {TOKEN}"}))


if __name__ == "__main__":
    main()
