"""The hub job of a stored web form submission: read it into an
`IncomingLead` (the form's campaign, else the page's utm_campaign) and take
it in. A submission that cannot identify anyone fails with intake's reason."""
from __future__ import annotations

import datetime as dt

from connectors import hub

from ..incoming import WEB_FORM, Attribution, IncomingLead
from ..intake import take_in

SOURCE = "social.web_form"


def incoming_of(external_id: str, stored: dict) -> IncomingLead:
    values, utm = stored.get("values") or {}, stored.get("utm") or {}
    extra = {key: stored[key] for key in ("page", "language") if stored.get(key)}
    return IncomingLead(
        attribution=Attribution(channel=WEB_FORM,
                                campaign=stored.get("campaign") or utm.get("utm_campaign"),
                                form=stored.get("form"), **utm),
        external_id=external_id,
        received_at=dt.datetime.fromisoformat(stored["submitted_at"]),
        name=values.get("name"), company=values.get("company"), email=values.get("email"),
        phone=values.get("phone"), message=values.get("message"), extra=extra)


def process(session, event) -> str:
    return take_in(session, incoming_of(event.external_id, event.json())).summary


WEB_FORM_INBOUND = hub.Inbound(source=SOURCE, process=process)
