"""The platforms' webhook URLs, one per backend, no login:

    /social/wechat/<backend id>     微信公众号 server URL (GET check, POST messages)
    /social/wecom/<backend id>      企业微信 callback URL (GET check, POST events)
    /social/meta/<backend id>       Meta Page webhook, field leadgen
    /social/linkedin/<backend id>   LinkedIn Lead Sync webhook

Each request: the backend (active, of the route's kind: else 404), then the
platform's check (connectors/social: a forged, stale or unsigned request is
answered 403 and logged with the reason, nothing stored), then the GET
handshake's answer, or the POST stored raw by `hub.receive` (once per
platform id: a repeated delivery answers the same and stores nothing new),
committed, and answered at once; the hub's job does the rest.
"""
from __future__ import annotations

import logging

from flask import Response, abort, request
from flask_appbuilder import BaseView, expose

from connectors import hub
from connectors.social.signatures import RequestRefused
from core.db import db

from . import linkedin, meta, wechat_official, wecom
from .backend_rows import active_backend
from .delivery import Delivery, Webhook

log = logging.getLogger(__name__)


class SocialWebhooks(BaseView):
    route_base = "/social"
    ROUTES = ("wechat", "wecom", "meta", "linkedin")

    @expose("/wechat/<int:backend_id>", methods=["GET", "POST"])
    def wechat(self, backend_id: int):
        return answer(wechat_official.WEBHOOK, backend_id)

    @expose("/wecom/<int:backend_id>", methods=["GET", "POST"])
    def wecom(self, backend_id: int):
        return answer(wecom.WEBHOOK, backend_id)

    @expose("/meta/<int:backend_id>", methods=["GET", "POST"])
    def meta(self, backend_id: int):
        return answer(meta.WEBHOOK, backend_id)

    @expose("/linkedin/<int:backend_id>", methods=["GET", "POST"])
    def linkedin(self, backend_id: int):
        return answer(linkedin.WEBHOOK, backend_id)


def answer(webhook: Webhook, backend_id: int) -> Response:
    session = db.session
    backend = active_backend(session, webhook.kind, backend_id)
    if backend is None:
        abort(404)
    try:
        client = hub.client_of(backend)
    except ValueError as exc:  # settings an admin must fix; the platform retries meanwhile
        session.rollback()
        log.error("%s webhook of backend #%s: not usable: %s", webhook.kind, backend_id, exc)
        return Response("not configured", 503, mimetype="text/plain")
    delivery = Delivery(request.args.to_dict(), request.headers, request.get_data())
    try:
        if request.method == "GET":
            session.rollback()  # nothing to store: end the read
            reply = webhook.handshake(client, delivery)
        else:
            reply = webhook.receive(session, backend, client, delivery)
            session.commit()
    except RequestRefused as exc:
        session.rollback()
        log.warning("%s webhook of backend #%s: refused a %s from %s: %s", webhook.kind,
                    backend_id, request.method, request.remote_addr, exc.reason)
        return Response("forbidden", 403, mimetype="text/plain")
    return Response(reply.body, 200, mimetype=reply.mimetype)

