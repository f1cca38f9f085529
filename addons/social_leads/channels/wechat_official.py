"""微信公众号: the server URL's check and messages, to IncomingLead.

Stored per message (`SOURCE`, external id "<backend id>:<MsgId>" or
"<backend id>:<openid>:<CreateTime>" for events, serial key the openid):
{"backend_id", "raw": the POST body as sent (encrypted in safe mode),
"message": the verified message's fields}. Answered at once with the
backend's `welcome` text (options) as a passive reply to a follow, else
"success" (nothing to say).

Options: {"welcome": "感谢关注…", "scenes": {"<QR scene>": "<campaign>"}}; a
scene not listed is its own campaign. A follow or a QR scan makes or finds
the lead; a text message, an unfollow and anything else only touch an
existing one. The openid per AppID identifies the follower; the unionid is
not in these messages: with the AppSecret set, a follow or scan reads the
follower's info (user/info) and adds the unionid when the 公众号 is bound to
an Open Platform account, so the person WeCom knows by the same unionid is
the same lead. That read failing transiently retries the job; permanently,
fails it with WeChat's words.
"""
from __future__ import annotations

from dataclasses import asdict

from connectors import hub
from connectors.social.backends import WECHAT_OFFICIAL
from connectors.social.wechat_official import (FOLLOW, NO_REPLY, SCAN, FollowerInfo,
                                               OfficialMessage)
from connectors.social.wechat_xml import MalformedXml

from ..services import intake
from ..services.incoming import WECHAT_OFFICIAL as CHANNEL, Attribution, Identity, IncomingLead
from . import stored
from .backend_rows import backend_for_event
from .delivery import Answer, Delivery, Webhook

SOURCE = "social.wechat_official"


def handshake(client, delivery: Delivery) -> Answer:
    return Answer(client.account.check_server_url(delivery.query))


def receive(session, backend, client, delivery: Delivery) -> Answer:
    try:
        message = client.account.read(delivery.query, delivery.body)
    except MalformedXml as exc:
        stored.keep_unreadable(session, SOURCE, backend.id, delivery.body, str(exc))
        return Answer(NO_REPLY)
    hub.receive(session, SOURCE, f"{backend.id}:{message.dedupe_key}",
                {"backend_id": backend.id, "raw": delivery.body.decode("utf-8", "replace"),
                 "message": asdict(message)}, serial_key=message.openid)
    welcome = backend.options.get("welcome")
    if message.kind == FOLLOW and welcome:
        return Answer(client.account.reply_text(message, welcome), "application/xml")
    return Answer(NO_REPLY)


def incoming(message: OfficialMessage, app_id: str, options: dict,
             follower: FollowerInfo | None = None) -> IncomingLead:
    """The message as a lead; `follower` as user/info gave it (None without
    an AppSecret, or for a message that only touches)."""
    scene = message.scene or None
    campaign = (options.get("scenes") or {}).get(scene, scene) if scene else None
    identities = (Identity(f"wechat_openid:{app_id}", message.openid),)
    extra = {"wechat_event": message.raw_type}
    if follower is not None:
        if follower.unionid:
            identities += (Identity("wechat_unionid", follower.unionid),)
        if follower.language:
            extra["wechat_language"] = follower.language
    return IncomingLead(
        attribution=Attribution(CHANNEL, campaign=campaign, qr_scene=scene),
        external_id=message.dedupe_key, received_at=stored.utc(message.created),
        message=message.text or None, identities=identities, extra=extra,
        touch_only=message.kind not in (FOLLOW, SCAN))


def process(session, event) -> str:
    data = stored.read(event)
    backend = backend_for_event(session, WECHAT_OFFICIAL, data["backend_id"])
    message = OfficialMessage(**data["message"])
    app_id, options = backend.username, backend.options
    follower = None
    if message.kind in (FOLLOW, SCAN):
        follower = hub.call_remote(  # ends the transaction first
            session, backend.id,
            lambda client: client.api.user_info(message.openid) if client.api else None)
    return intake.take_in(session, incoming(message, app_id, options, follower)).summary


WEBHOOK = Webhook(WECHAT_OFFICIAL, handshake, receive)
INBOUND = hub.Inbound(source=SOURCE, process=process)
