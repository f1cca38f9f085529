"""Meta's and LinkedIn's lead webhooks: the subscription checks, the
signatures over the raw body (valid, forged, re-serialised), and the
payloads as their pages show them."""
from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from connectors.social import linkedin_leads, meta_leads
from connectors.social.signatures import RequestRefused

APP_SECRET, CLIENT_SECRET = "meta-app-secret", "li-client-secret"
# "Webhooks for Leadgen": a leadgen change as Meta delivers it (one entry, one change).
META_BODY = (b'{"object":"page","entry":[{"id":"444444444444","time":1733450000,"changes":[{"field":'
             b'"leadgen","value":{"ad_id":"444444444","form_id":"444444444444","leadgen_id":'
             b'"555555555555","created_time":1733449999,"page_id":"444444444444","adgroup_id":'
             b'"44444444444"}},{"field":"feed","value":{"item":"status"}}]}]}')
# Lead Sync: a CREATED notification for a sponsored lead.
LINKEDIN_BODY = (b'{"type":"LEAD_ACTION","leadGenFormResponse":"urn:li:leadGenFormResponse:1a2b3c-4",'
                 b'"leadGenForm":"urn:li:versionedLeadGenForm:(urn:li:leadGenForm:1, 1)","owner":'
                 b'{"sponsoredAccount":"urn:li:sponsoredAccount:123"},"associatedEntity":'
                 b'{"sponsoredCreative":"urn:li:sponsoredCreative:456"},"leadType":"SPONSORED",'
                 b'"leadAction":"CREATED","occurredAt":1686182358881}')


def hub_signature(body: bytes, secret=APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_meta_subscription_check_and_signature():
    query = {"hub.mode": "subscribe", "hub.verify_token": "our-verify-token",
             "hub.challenge": "1158201444"}
    assert meta_leads.verify_subscription(query, "our-verify-token") == "1158201444"
    with pytest.raises(RequestRefused):
        meta_leads.verify_subscription({**query, "hub.verify_token": "guess"}, "our-verify-token")
    with pytest.raises(RequestRefused):
        meta_leads.verify_subscription({**query, "hub.mode": "unsubscribe"}, "our-verify-token")

    meta_leads.check_signature(META_BODY, hub_signature(META_BODY), APP_SECRET)
    reserialised = json.dumps(json.loads(META_BODY)).encode()  # same data, other bytes
    for body, header in ((META_BODY, hub_signature(META_BODY, "other-app")),
                         (reserialised, hub_signature(META_BODY)),
                         (META_BODY, hub_signature(META_BODY).replace("sha256=", "sha1=")),
                         (META_BODY, None)):
        with pytest.raises(RequestRefused):
            meta_leads.check_signature(body, header, APP_SECRET)


def test_meta_leadgen_changes_are_read_in_order_and_others_skipped():
    assert meta_leads.leadgen_changes(META_BODY) == [meta_leads.LeadgenChange(
        leadgen_id="555555555555", form_id="444444444444", page_id="444444444444",
        ad_id="444444444", adgroup_id="44444444444", created_time=1733449999)]
    with pytest.raises(ValueError, match="object"):
        meta_leads.leadgen_changes(b'{"object":"instagram","entry":[]}')
    with pytest.raises(ValueError, match="leadgen_id"):
        meta_leads.leadgen_changes(b'{"object":"page","entry":[{"changes":[{"field":"leadgen",'
                                   b'"value":{"form_id":"1"}}]}]}')


def test_linkedin_challenge_signature_and_notification():
    answer = linkedin_leads.challenge_answer(
        {"challengeCode": "890e4665-4dfe-4ab1-b689-ed553bceeed0"}, CLIENT_SECRET)
    assert answer == {"challengeCode": "890e4665-4dfe-4ab1-b689-ed553bceeed0",
                      "challengeResponse": hmac.new(CLIENT_SECRET.encode(),
                                                    b"890e4665-4dfe-4ab1-b689-ed553bceeed0",
                                                    hashlib.sha256).hexdigest()}

    good = hmac.new(CLIENT_SECRET.encode(), b"hmacsha256=" + LINKEDIN_BODY, hashlib.sha256).hexdigest()
    linkedin_leads.check_signature(LINKEDIN_BODY, good, CLIENT_SECRET)
    linkedin_leads.check_signature(LINKEDIN_BODY, "hmacsha256=" + good, CLIENT_SECRET)
    body_only = hmac.new(CLIENT_SECRET.encode(), LINKEDIN_BODY, hashlib.sha256).hexdigest()
    for header in (body_only, good[:-1] + "0" if good[-1] != "0" else good[:-1] + "1", "", None):
        with pytest.raises(RequestRefused):
            linkedin_leads.check_signature(LINKEDIN_BODY, header, CLIENT_SECRET)

    note = linkedin_leads.notification(LINKEDIN_BODY)
    assert (note.response_id, note.action, note.lead_type, note.occurred_at, note.dedupe_key) == (
        "1a2b3c-4", "CREATED", "SPONSORED", 1686182358881, "1a2b3c-4:CREATED")
    assert note.owner == {"sponsoredAccount": "urn:li:sponsoredAccount:123"}
    with pytest.raises(ValueError):
        linkedin_leads.notification(b'{"type":"ORGANIZATION_SOCIAL_ACTION_NOTIFICATIONS"}')
