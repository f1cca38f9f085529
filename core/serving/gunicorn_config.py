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
import re

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


def on_starting(server):
    """One control socket per web process. gunicorn 27's default path is one per
    user: a second gunicorn on the host (another port) unlinked the first's and
    `gunicornc` reached whichever started last. Named for the first address
    (`gunicorn-127.0.0.1-8000.ctl`), unless a path was given on the command line."""
    cfg = server.cfg
    setting = cfg.settings.get("control_socket")  # none before gunicorn 27
    if setting is None or setting.value != setting.default:
        return
    address = re.sub(r"[^\w.-]+", "-", cfg.bind[0]).strip("-")
    cfg.set("control_socket", os.path.join(os.path.dirname(setting.default),
                                           f"gunicorn-{address}.ctl"))
