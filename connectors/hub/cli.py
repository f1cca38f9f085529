"""`crossdock worker`, `crossdock scheduler` and `crossdock hub ...`.

Refusals print the reason on stderr and exit 2, like core's commands.
"""
from __future__ import annotations

import json
import signal
import sys
import threading

import click
from sqlalchemy import select

from connectors.backend_kinds import KINDS

EXIT_REFUSED = 2


def _refuse(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_REFUSED)


def _app():
    from core.app import create_app
    return create_app()


def _serving_app():
    """The app of a long-running process, its logs in the configured format."""
    from core.serving.log_format import configure_from_env
    configure_from_env()
    return _app()


def _wait_for_signal() -> None:
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    while not stop.is_set():
        stop.wait(1)


@click.command()
@click.option("--threads", default=8, show_default=True, type=int,
              help="Worker threads in this process.")
def worker(threads: int) -> None:
    """Run hub jobs from the broker (needs CROSSDOCK_BROKER_URL)."""
    app = _serving_app()
    runtime = app.extensions["hub"]
    if runtime.embedded:
        _refuse("CROSSDOCK_BROKER_URL is not set: with the embedded broker, jobs run inside "
                "'crossdock run'; set a redis:// or amqp:// URL to use separate workers")
    runtime.start_worker(threads)
    click.echo(f"hub worker: {threads} threads on {runtime.broker_description}")
    _wait_for_signal()
    runtime.stop()


@click.command()
def scheduler() -> None:
    """Run the sweeper, status pulls and clean-up (one elected among several)."""
    from connectors.hub.scheduler import Scheduler

    app = _serving_app()
    runtime = app.extensions["hub"]
    if runtime.embedded:
        _refuse("CROSSDOCK_BROKER_URL is not set: with the embedded broker, the scheduler runs "
                "inside 'crossdock run'")
    sched = Scheduler(runtime)
    click.echo(f"hub scheduler {sched.holder} on {runtime.broker_description} "
               "(standby until elected)")
    sched.start_thread()
    _wait_for_signal()
    sched.stop()


@click.group()
def hub() -> None:
    """Integration hub: jobs, backends."""


@hub.command("jobs")
@click.option("--state", type=click.Choice(["pending", "queued", "running", "done", "failed",
                                            "cancelled"]))
@click.option("--limit", default=50, show_default=True)
def jobs(state, limit) -> None:
    """List jobs, newest first."""
    from connectors.hub.models import SyncJob
    from core.db import db

    app = _app()
    with app.app_context():
        query = select(SyncJob).order_by(SyncJob.id.desc()).limit(limit)
        if state:
            query = query.where(SyncJob.state == state)
        for job in db.session.scalars(query):
            backend = job.backend.name if job.backend else "-"
            click.echo(f"#{job.id:<7} {job.state:<9} {job.kind:<22} {job.model}:{job.record_id:<8} "
                       f"{backend:<16} attempts={job.attempts} "
                       f"{job.last_error or job.result or ''}")


def _job_action(action: str, ids) -> None:
    from connectors.hub import operations
    from core.db import db

    app = _app()
    runtime = app.extensions["hub"]
    failures = 0
    with app.app_context():
        for job_id in ids:
            try:
                if action == "retry":
                    operations.retry(db.session, runtime, job_id)
                else:
                    operations.cancel(db.session, runtime, job_id)
                click.echo(f"job #{job_id}: {action} done")
            except operations.JobActionRefused as exc:
                db.session.rollback()
                click.echo(f"error: {exc}", err=True)
                failures += 1
    if runtime.embedded and action == "retry":
        click.echo("note: the embedded broker runs jobs inside 'crossdock run'; "
                   "it picks retried jobs up within a sweep")
    if failures:
        sys.exit(EXIT_REFUSED)


@hub.command("retry")
@click.argument("ids", nargs=-1, type=int, required=True)
def retry(ids) -> None:
    """Retry failed jobs (after fixing what their error says)."""
    _job_action("retry", ids)


@hub.command("cancel")
@click.argument("ids", nargs=-1, type=int, required=True)
def cancel(ids) -> None:
    """Cancel pending, waiting or failed jobs."""
    _job_action("cancel", ids)


@hub.command("sweep")
def sweep_once() -> None:
    """One sweeper pass now (re-send unsent jobs and jobs with expired leases)."""
    from connectors.hub.sweeper import sweep
    from core.db import db

    app = _app()
    with app.app_context():
        click.echo(json.dumps(sweep(db.session, app.extensions["hub"])))


@hub.command("backend-add")
@click.option("--name", required=True)
@click.option("--kind", required=True, type=click.Choice(KINDS))
@click.option("--url", required=True)
@click.option("--database", default="")
@click.option("--username", default="")
@click.option("--options", "options_json", default="", help='JSON object, e.g. {"protocol": "json2"}')
@click.password_option("--secret", prompt="Password / API key", confirmation_prompt=False,
                       help="Stored encrypted.")
def backend_add(name, kind, url, database, username, options_json, secret) -> None:
    """Register an external system (the Backends screen does the same)."""
    from connectors.hub.backends import BackendInputError, save_backend
    from core.db import db

    app = _app()
    with app.app_context():
        try:
            backend = save_backend(db.session, None, name=name, kind=kind, url=url,
                                   database=database, username=username, secret=secret,
                                   options_json=options_json)
        except BackendInputError as exc:
            db.session.rollback()
            _refuse(str(exc))
        db.session.commit()
        click.echo(f"backend #{backend.id} {backend.name} ({kind}) saved")


@hub.command("backend-test")
@click.argument("name")
def backend_test(name) -> None:
    """Try to reach a backend and say what is wrong, if anything."""
    from connectors.hub.backends import test_connection
    from connectors.hub.clients import backend_config
    from connectors.hub.models import Backend
    from core.db import db

    app = _app()
    with app.app_context():
        backend = db.session.scalars(select(Backend).where(Backend.name == name)).first()
        if backend is None:
            _refuse(f"no backend named {name!r}")
        config = backend_config(backend)
        db.session.rollback()  # no transaction open during the remote call
        ok, message = test_connection(config)
    click.echo(message)
    if not ok:
        sys.exit(1)
