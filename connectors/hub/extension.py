"""How the hub plugs into every Crossdock host (entry point
`crossdock.extensions` in setup.cfg; core never names it)."""
from __future__ import annotations

import logging

from core.serving.probes import add_readiness_check

from . import registry
from .broker import ping
from .cli import hub, scheduler, worker
from .runtime import HubRuntime
from .scheduled_backup import SCHEDULED_BACKUP

commands = (hub, worker, scheduler)


def _log_to_stderr() -> None:
    """The hub's retries, expiries, re-sends and recoveries reach stderr (with
    time and level) unless the deployment configured logging itself."""
    logger = logging.getLogger("connectors.hub")
    if logger.handlers or logging.getLogger().handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def init_app(app, appbuilder) -> None:
    _log_to_stderr()
    settings = app.extensions["crossdock"].settings
    app.extensions["hub"] = HubRuntime(app, settings)
    add_readiness_check(app, "broker", lambda: ping(settings.broker_url))
    from .views import register_views
    from .views.home_tiles import register_tiles
    register_views(appbuilder)
    # the remotes' inbound endpoints; each refuses callers until configured
    from connectors.einvoice.sdi import endpoint as sdi_endpoint
    sdi_endpoint.register(app)
    register_tiles(app)  # backlog and failed jobs on the start page (Admin)
    registry.register(SCHEDULED_BACKUP)  # does nothing until CROSSDOCK_BACKUP_EVERY_HOURS is set


def serve(app) -> None:
    """`crossdock run`: with the embedded broker, run jobs and the scheduler here."""
    runtime = app.extensions["hub"]
    if runtime.embedded:
        runtime.start_embedded()


