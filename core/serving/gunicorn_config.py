"""gunicorn settings for Crossdock: `gunicorn -c python:core.serving.gunicorn_config wsgi:app`.

One process per core, each with threads: a request spends much of its time
waiting on the database, and threads share one copy of the app (routes,
menus, caches), so `cores x 8 threads` serves more than more processes would
in the same memory. Measured with bench/load_users.py; the README's
"Production" section gives the figures for 2, 4 and 8 cores.

Every value can be overridden on the command line or by gunicorn's own
`GUNICORN_CMD_ARGS`; CROSSDOCK_WEB_WORKERS / CROSSDOCK_WEB_THREADS /
CROSSDOCK_BIND set the common three, CROSSDOCK_LOG_FORMAT gunicorn's own log
lines too (core/serving/settings.py).
"""
import os
import re

from core.config import prometheus_multiproc_dir, read_section
from core.serving.log_format import logging_config
from core.serving.settings import ServingSettings

_serving = read_section(ServingSettings)

bind = _serving.bind
workers = _serving.web_workers or os.cpu_count() or 2
worker_class = "gthread"
threads = _serving.web_threads
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
accesslog = _serving.access_log  # text mode only: JSON mode has the app's richer lines
logconfig_dict = logging_config(_serving.log_format)


def on_starting(server):
    _start_metrics_afresh()
    _own_control_socket(server)


def _start_metrics_afresh():
    """Metrics files of a previous run's processes would be summed with this
    run's (prometheus_client's multiprocess mode): start from an empty folder."""
    folder = prometheus_multiproc_dir()
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.db"):  # only its own files: the folder may be shared
            stale.unlink()


def _own_control_socket(server):
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


def post_worker_init(worker):
    """The app is loaded: put what start-up made (some 370,000 long-lived
    objects: routes, models, catalogs) out of the garbage collector's sight,
    so a full collection no longer walks them every few requests. Measured
    (bench/service_desk_tickets.py, which does the same): a list page's p95
    was such a collection, 240 -> 65-100 ms at 20,000 tickets, p50 alike."""
    import gc

    gc.collect()
    gc.freeze()
