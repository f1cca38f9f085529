"""`IncomingLead`: what every channel hands to intake, whatever it came from.

A channel (WeChat, WeCom, Meta, LinkedIn, the web form) verifies and stores
the platform's request, then, in the hub's job, reads it into one of these:
values as the person typed them (intake normalises and checks them), the
identities the platform gives (openid, unionid, WeCom external user id,
leadgen id) and where the lead came from (attribution).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

# channels, as stored on the lead's attribution and shown in the source report
WECHAT_OFFICIAL, WECOM, META, LINKEDIN, WEB_FORM = (
    "wechat_official", "wecom", "meta", "linkedin", "web_form")
CHANNELS = (WECHAT_OFFICIAL, WECOM, META, LINKEDIN, WEB_FORM)


@dataclass(frozen=True)
class Identity:
    """An id a platform gives a person: `kind` names the platform and, where
    ids are per app or per corp, which one ("wechat_openid:<appid>",
    "wechat_unionid", "wecom_external:<corpid>")."""
    kind: str
    value: str


@dataclass(frozen=True)
class Attribution:
    """Where the lead came from; kept on the lead, its opportunity and order."""
    channel: str
    campaign: str | None = None
    form: str | None = None  # the platform's form id or our web form's name
    qr_scene: str | None = None  # a WeChat parametric QR code's scene
    utm_source: str | None = None
    utm_medium: str | None = None
    utm_campaign: str | None = None
    utm_term: str | None = None
    utm_content: str | None = None


@dataclass(frozen=True)
class IncomingLead:
    """One submission or event from a channel, before intake."""
    attribution: Attribution
    external_id: str  # the platform's id of this submission (dedupe, traces)
    received_at: datetime  # UTC, naive
    name: str | None = None
    company: str | None = None
    email: str | None = None
    phone: str | None = None
    country_code: str | None = None  # ISO 3166 alpha-2, the phone's default region
    message: str | None = None  # what the person wrote
    identities: tuple[Identity, ...] = ()
    owner_id: int | None = None  # a user the platform says owns it (WeCom's employee)
    extra: dict[str, str] = field(default_factory=dict)  # answers no lead field maps to
    # an event that only touches an existing lead (a WeChat text message, a
    # WeCom follow-up): intake adds it as an activity and never creates a lead
    touch_only: bool = False
