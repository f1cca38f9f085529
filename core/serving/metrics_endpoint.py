"""/metrics for Prometheus: the HTTP metrics (http_metrics.py) and whatever
collectors extensions add (`add_collector`: the hub's job-table gauges).

Who may read: a logged-in Admin, or a scraper sending
`Authorization: Bearer <CROSSDOCK_METRICS_TOKEN>` when that setting is set.
"""
from __future__ import annotations

import hmac

from flask import Blueprint, Flask, Response, current_app, request
from flask_login import current_user
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from ..security.access import ADMIN
from . import http_metrics
from .settings import ServingSettings

blueprint = Blueprint("metrics", __name__)
COLLECTORS = "crossdock_metrics_collectors"


def add_collector(app: Flask, collector) -> None:
    """`collector.collect()` is called on every scrape (prometheus_client's
    custom collector), so values read from the database are fresh."""
    app.extensions[COLLECTORS].append(collector)


def _allowed() -> int | None:
    """None when allowed, else the status to answer (401 or 403)."""
    token = current_app.extensions["crossdock"].settings.section(ServingSettings).metrics_token
    auth = request.headers.get("Authorization", "")
    if auth.startswith("Bearer "):
        if token and hmac.compare_digest(auth[len("Bearer "):].encode(), token.encode()):
            return None
        return 403
    if current_user.is_authenticated:
        return None if any(r.name == ADMIN for r in current_user.roles) else 403
    return 401


@blueprint.route("/metrics", methods=["GET"])
def metrics():
    status = _allowed()
    if status is not None:
        headers = {"WWW-Authenticate": 'Bearer realm="metrics"'} if status == 401 else {}
        return Response("metrics: log in as an administrator or send the metrics token\n",
                        status=status, mimetype="text/plain", headers=headers)
    registry = CollectorRegistry(auto_describe=False)
    http_metrics.register_into(registry)
    for collector in current_app.extensions[COLLECTORS]:
        registry.register(collector)
    return Response(generate_latest(registry), headers={"Content-Type": CONTENT_TYPE_LATEST})


def init_app(app: Flask) -> None:
    app.extensions[COLLECTORS] = []
    app.register_blueprint(blueprint)
