"""企业微信 external contacts: the callback's check and contact changes, to
IncomingLead.

Stored per change (`SOURCE`, external id "<CorpID>:<change>:<employee>:
<external user>:<CreateTime>", serial key the external userid):
{"backend_id", "raw", "change": the decrypted event's fields}; other
callback events are answered "success" and not stored.

In the job: an added contact (`add_external_contact`,
`add_half_external_contact`) is read with `externalcontact/get` and makes or
finds the lead, owned by the employee who added it (wecom_owners.py), the
联系我 `State` as its campaign; an edit (the employee's remark, follow-up) is
read too and only touches the lead; a deletion touches it without a read (the
contact may be gone).
"""
from __future__ import annotations

from dataclasses import asdict

from connectors import hub
from connectors.social.backends import WECOM
from connectors.social.wecom import ExternalContact, ExternalContactChange
from connectors.social.wechat_xml import MalformedXml

from ..services import intake
from ..services.incoming import WECOM as CHANNEL, Attribution, Identity, IncomingLead
from . import stored
from .backend_rows import backend_for_event
from .delivery import Answer, Delivery, Webhook
from .wecom_owners import owner_of

SOURCE = "social.wecom"
ADDED = ("add_external_contact", "add_half_external_contact")
EDITED = "edit_external_contact"
OK = "success"


def handshake(client, delivery: Delivery) -> Answer:
    return Answer(client.callback.check_url(delivery.query))


def receive(session, backend, client, delivery: Delivery) -> Answer:
    try:
        change = client.callback.read(delivery.query, delivery.body)
    except MalformedXml as exc:
        stored.keep_unreadable(session, SOURCE, backend.id, delivery.body, str(exc))
        return Answer(OK)
    if change is not None:
        hub.receive(session, SOURCE, f"{client.corp_id}:{change.dedupe_key}",
                    {"backend_id": backend.id, "raw": delivery.body.decode("utf-8", "replace"),
                     "change": asdict(change)}, serial_key=change.external_user_id)
    return Answer(OK)


def incoming(change: ExternalContactChange, contact: ExternalContact | None, corp_id: str,
             owner_id: int | None) -> IncomingLead:
    """The change as a lead; `contact` as read for an added or edited contact
    (None for a deletion: no read)."""
    identities = (Identity(f"wecom_external:{corp_id}", change.external_user_id),)
    extra = {"wecom_change": change.change}
    fields: dict = {}
    campaign = change.state or None
    if contact is not None:
        follow = next((f for f in contact.follow_users if f.user_id == change.user_id), None)
        campaign = campaign or (follow.state if follow else "") or None
        if contact.unionid:
            identities += (Identity("wechat_unionid", contact.unionid),)
        fields = {"name": contact.name or None, "company": contact.corp_name or None,
                  "phone": follow.remark_mobiles[0] if follow and follow.remark_mobiles else None}
        extra.update({key: value for key, value in (
            ("position", contact.position), ("remark", follow.remark if follow else ""))
            if value})
    elif change.source:
        extra["wecom_source"] = change.source
    return IncomingLead(
        attribution=Attribution(CHANNEL, campaign=campaign), external_id=change.dedupe_key,
        received_at=stored.utc(change.created), identities=identities, owner_id=owner_id,
        extra=extra, touch_only=change.change not in ADDED, **fields)


def process(session, event) -> str:
    data = stored.read(event)
    backend = backend_for_event(session, WECOM, data["backend_id"])
    change = ExternalContactChange(**data["change"])
    corp_id, backend_id = backend.username, backend.id
    owner_id = owner_of(session, backend.options, change.user_id)
    contact = None
    if change.change in ADDED or change.change == EDITED:
        contact = hub.call_remote(session, backend_id,  # ends the transaction first
                                  lambda client: client.api.external_contact(
                                      change.external_user_id))
    return intake.take_in(session, incoming(change, contact, corp_id, owner_id)).summary


WEBHOOK = Webhook(WECOM, handshake, receive)
INBOUND = hub.Inbound(source=SOURCE, process=process)
