"""`crossdock social_leads demo`: the web form "官网询价 / Website enquiry" and a
few leads from each channel (data/demo_social_leads.py), through the paths
the platforms' requests take:

- web form: each submission through `submission.accept` (signed page token,
  consent kept with its text) into the hub; the hub's job makes the lead
  once `crossdock run` (or `crossdock worker`) runs;
- WeChat 公众号, WeCom, Meta, LinkedIn: the message or lead as the platform
  gives it, read into an `IncomingLead` by the channel's own `incoming(...)`
  and taken in by intake, here (their jobs need a configured backend, and
  WeCom, Meta and LinkedIn a remote read).

Idempotent: an event whose platform id was taken in already, or a submission
whose consent is kept already, is skipped; the times are hours before the
demo form's creation, so the ids come out the same on every run. One
transaction as the system actor.
"""
from __future__ import annotations

import calendar
import datetime as dt

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.social.linkedin_leads import LinkedInLead
from connectors.social.meta_leads import MetaLead
from connectors.social.wechat_official import FOLLOW, TEXT, OfficialMessage
from connectors.social.wecom import ExternalContact, ExternalContactChange, FollowUser
from core.addons.demo_load import load_or_exit
from core.security.audit import record_event

from ..channels import linkedin, meta, wechat_official, wecom
from ..channels.wecom_owners import owner_of
from ..data import demo_social_leads as data
from ..models import Consent, LeadTouch, WebForm
from ..rules.utm_parameters import utm_of_url
from .incoming import IncomingLead
from .intake import take_in
from .web_form.submission import accept, page_token


def load_demo(session: Session) -> list[str]:
    """What it added, line by line (empty: nothing to add); flushes, the caller commits."""
    now = dt.datetime.utcnow().replace(microsecond=0)
    said: list[str] = []
    form = session.scalars(select(WebForm).where(WebForm.name == data.WEB_FORM["name"])).first()
    if form is None:
        form = WebForm(**data.WEB_FORM, created_at=now)
        session.add(form)
        session.flush()
        said.append(f"web form: {form.name}")
    anchor = form.created_at

    def ago(hours: float) -> int:
        return calendar.timegm((anchor - dt.timedelta(hours=hours)).timetuple())

    leads = [*_wechat(ago), *_wecom(session, ago), *_meta(ago), *_linkedin(ago)]
    for incoming in leads:
        if session.scalar(select(LeadTouch.id).where(
                LeadTouch.channel == incoming.attribution.channel,
                LeadTouch.external_id == incoming.external_id)) is None:
            said.append(take_in(session, incoming).summary)
    said += _web_form(session, form, now)
    if said:
        record_event(session, "demo_data_loaded", "social_leads", details={"said": said})
    return said


def _wechat(ago) -> list[IncomingLead]:
    """A follow from the fair's QR code, then the follower's messages."""
    found = []
    for openid, scene, hours, texts in data.WECHAT_FOLLOWERS:
        messages = [OfficialMessage(FOLLOW, openid, data.WECHAT_ACCOUNT, ago(hours),
                                    scene=scene, raw_type="event/subscribe")]
        messages += [OfficialMessage(TEXT, openid, data.WECHAT_ACCOUNT, ago(when), msg_id=msg_id,
                                     text=text, raw_type="text")
                     for msg_id, text, when in texts]
        found += [wechat_official.incoming(m, data.WECHAT_APP_ID, data.WECHAT_OPTIONS)
                  for m in messages]
    return found


def _wecom(session: Session, ago) -> list[IncomingLead]:
    """External contacts the demo salesperson added, as `externalcontact/get` reads them."""
    owner_id = owner_of(session, {}, data.WECOM_EMPLOYEE)
    found = []
    for (external, name, company, position, unionid, remark, mobile, state,
         hours) in data.WECOM_CONTACTS:
        change = ExternalContactChange("add_external_contact", data.WECOM_EMPLOYEE, external,
                                       ago(hours), state=state)
        contact = ExternalContact(external, name, type=1, unionid=unionid, corp_name=company,
                                  position=position, follow_users=(FollowUser(
                                      data.WECOM_EMPLOYEE, remark=remark, created=ago(hours),
                                      state=state, add_way=1, remark_mobiles=(mobile,)),))
        found.append(wecom.incoming(change, contact, data.WECOM_CORP_ID, owner_id))
    return found


def _meta(ago) -> list[IncomingLead]:
    found = []
    for leadgen_id, fields, ad_id, hours in data.META_LEADS:
        created = dt.datetime.fromtimestamp(ago(hours), dt.timezone.utc)
        lead = MetaLead(leadgen_id, created.strftime("%Y-%m-%dT%H:%M:%S+0000"),
                        {name: tuple(values) for name, values in fields.items()},
                        form_id=data.META_FORM_ID, ad_id=ad_id,
                        campaign_id=data.META_CAMPAIGN_ID, platform="fb")
        found.append(meta.incoming(lead, data.META_OPTIONS))
    return found


def _linkedin(ago) -> list[IncomingLead]:
    return [linkedin.incoming(LinkedInLead(response_id, data.LINKEDIN_FORM, "SPONSORED",
                                           ago(hours) * 1000, answers, {1: True}),
                              data.LINKEDIN_OPTIONS)
            for response_id, answers, hours in data.LINKEDIN_LEADS]


def _web_form(session: Session, form: WebForm, now: dt.datetime) -> list[str]:
    """Each visitor's submission, as their browser posts it from the page."""
    said = []
    for (name, company, email, phone, message, language, page), address in zip(
            data.WEB_FORM_SUBMISSIONS, data.WEB_FORM_ADDRESSES):
        if session.scalar(select(Consent.id).where(Consent.form_id == form.id,
                                                   Consent.email == email)) is not None:
            continue
        values = {"name": name, "company": company, "email": email, "phone": phone,
                  "message": message, "consent": "yes", **utm_of_url(page)}
        accept(session, form, page_token(form, now), values, language=language,
               address=address, page=page, now=now)
        said.append(f"Web form: {name} <{email}> stored for the hub")
    return said


@click.command("demo")
def demo_command() -> None:
    """A web form and a few leads from each channel (idempotent)."""
    said = load_or_exit(load_demo)
    for line in said or ["the social leads demo is loaded already: nothing to add"]:
        click.echo(line)
    if any(line.startswith("Web form:") for line in said):
        click.echo("the web form's submissions become leads when the hub runs them "
                   "(crossdock run, or crossdock worker)")
