"""Meta Lead Ads: the Page webhook's check and leadgen changes, to IncomingLead.

Stored per lead (`SOURCE`, external id the leadgen_id, which Meta's retries
and the backfill share, serial key the same): {"backend_id", "raw": the POST
body, "change": the leadgen change} from the webhook, {"backend_id", "lead":
the lead as read} from the backfill (meta_backfill.py). In the job the
webhook's lead is read from the Graph API (a rate limit is a TransientError:
retried after Meta's estimate), its answers mapped per form
(field_mapping.py, options {"forms": {...}}); the ad, ad set and campaign ids
go with it (campaign on the attribution, the others in extra).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict

from connectors import hub
from connectors.social import meta_leads
from connectors.social.backends import META_LEADS
from connectors.social.meta_leads import MetaLead

from ..services import intake
from ..services.incoming import META as CHANNEL, Attribution, IncomingLead
from . import stored
from .backend_rows import backend_for_event
from .delivery import Answer, Delivery, Webhook
from .field_mapping import META_DEFAULTS, form_mapping, lead_values

SOURCE = "social.meta"


def handshake(client, delivery: Delivery) -> Answer:
    return Answer(meta_leads.verify_subscription(delivery.query, client.verify_token))


def receive(session, backend, client, delivery: Delivery) -> Answer:
    meta_leads.check_signature(delivery.body, delivery.headers.get("X-Hub-Signature-256"),
                               client.app_secret)
    try:
        changes = meta_leads.leadgen_changes(delivery.body)
    except ValueError as exc:
        stored.keep_unreadable(session, SOURCE, backend.id, delivery.body, str(exc))
        return Answer("")
    raw = delivery.body.decode("utf-8", "replace")
    for change in changes:
        hub.receive(session, SOURCE, change.leadgen_id,
                    {"backend_id": backend.id, "raw": raw, "change": asdict(change)},
                    serial_key=change.leadgen_id)
    return Answer("")


def store_read_lead(session, backend_id: int, lead: MetaLead) -> None:
    """A lead the backfill read: stored like the webhook's (same external id)."""
    hub.receive(session, SOURCE, lead.leadgen_id, {"backend_id": backend_id, "lead": asdict(lead)},
                serial_key=lead.leadgen_id)


def incoming(lead: MetaLead, options: dict) -> IncomingLead:
    mapping = form_mapping(options, lead.form_id, META_DEFAULTS)
    values, extra = lead_values(mapping, {name: ", ".join(answers)
                                          for name, answers in lead.fields.items()})
    extra.update({f"meta_{key}": value for key, value in (
        ("ad_id", lead.ad_id), ("adset_id", lead.adset_id), ("platform", lead.platform))
        if value})
    return IncomingLead(
        attribution=Attribution(CHANNEL, campaign=lead.campaign_id or None,
                                form=lead.form_id or None),
        external_id=lead.leadgen_id, received_at=_created(lead.created_time), extra=extra,
        **values)


def process(session, event) -> str:
    data = stored.read(event)
    backend = backend_for_event(session, META_LEADS, data["backend_id"])
    options = backend.options
    if "lead" in data:
        lead = MetaLead(**{**data["lead"], "fields": {
            name: tuple(values) for name, values in data["lead"]["fields"].items()}})
    else:
        leadgen_id = data["change"]["leadgen_id"]
        lead = hub.call_remote(session, backend.id,  # ends the transaction first
                               lambda client: client.graph.lead(leadgen_id))
    return intake.take_in(session, incoming(lead, options)).summary


def _created(text: str) -> dt.datetime:
    """Graph's "2026-12-01T09:30:00+0000" as naive UTC (now when missing)."""
    try:
        when = dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        when = dt.datetime.now(dt.timezone.utc)
    return when.astimezone(dt.timezone.utc).replace(tzinfo=None)


WEBHOOK = Webhook(META_LEADS, handshake, receive)
INBOUND = hub.Inbound(source=SOURCE, process=process)
