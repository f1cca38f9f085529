"""gunicorn settings for Crossdock: `gunicorn -c python:core.serving.gunicorn_config wsgi:app`.

One process per core, each with threads: a request spends much of its time
waiting on the database, and threads share one copy of the app (routes,
menus, caches), so `cores x 8 threads` serves more than more processes would
in the same memory. Measured with bench/load_users.py; the README's
"Production" section gives the figures for 2, 4 and 8 cores.

Every value can be overridden on the command line or by gunicorn's own
`GUNICORN_CMD_ARGS`; CROSSDOCK_WEB_WORKERS / CROSSDOCK_WEB_THREADS /
CROSSDOCK_BIND set the common three.
"""
import os

bind = os.environ.get("CROSSDOCK_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("CROSSDOCK_WEB_WORKERS") or os.cpu_count() or 2)
worker_class = "gthread"
threads = int(os.environ.get("CROSSDOCK_WEB_THREADS") or 8)
# not preloaded: each worker opens its own database pool after the fork
preload_app = False
timeout = 60  # a request still running after a minute is killed (and logged)
graceful_timeout = 30
# an idle connection stays open longer than a person's pause between pages: a
# client that reuses one the server has just closed gets a reset (seen at 5 s)
keepalive = 75
# recycle a worker now and then (jittered so they do not restart together)
max_requests = 20_000
max_requests_jitter = 2_000
accesslog = os.environ.get("CROSSDOCK_ACCESS_LOG")  # unset: no access log ("-": stdout)


def post_worker_init(worker):
    """The app is loaded: put what start-up made (some 370,000 long-lived
    objects: routes, models, catalogs) out of the garbage collector's sight,
    so a full collection no longer walks them every few requests. Measured
    (bench/service_desk_tickets.py, which does the same): a list page's p95
    was such a collection, 240 -> 65-100 ms at 20,000 tickets, p50 alike."""
    import gc

    gc.collect()
    gc.freeze()
