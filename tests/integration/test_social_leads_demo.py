"""`crossdock social_leads demo` (issue 17's "the demo carries a few leads
from each channel"), on SQLite and PostgreSQL: the web form with its consent
texts, each channel's leads with their attribution (the web form's once the
hub has run its jobs), the WeChat follower's messages and the WeCom
contact's owner; a second run adds nothing and says so; the source report
shows every channel."""
from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from core.db import db
from core.security.actor import SYSTEM, acting_as
from tests.helpers import add_user
from tests.invoicing_world import jobs_run_out

pytestmark = pytest.mark.addons("social_leads")
LINE = re.compile(r'<tr class="source-line" data-channel="([^"]*)" data-campaign="([^"]*)">')
FIELDS = ("channel", "campaign", "form", "qr_scene", "utm_source", "utm_medium", "utm_campaign",
          "contact_name", "company_name", "email", "phone")


def _leads(app) -> dict[str, dict]:
    from addons.sales.models.lead import Lead

    with app.app_context():
        rows = db.session.scalars(select(Lead).order_by(Lead.id)).all()
        found = {lead.name: {**{f: getattr(lead, f) for f in FIELDS}, "owner_id": lead.owner_id,
                             "description": lead.description or ""} for lead in rows}
        db.session.remove()
        return found


def _counts(app) -> tuple[int, ...]:
    from addons.sales.models.activity import Activity
    from addons.sales.models.lead import Lead
    from addons.social_leads.models import Consent, LeadTouch, WebForm
    from connectors.hub.models import InboundEvent

    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(model)) for model in
                     (WebForm, Lead, LeadTouch, Consent, InboundEvent, Activity))


def test_the_demo_carries_leads_from_every_channel(app, client_as):
    from addons.social_leads.models import Consent, WebForm
    from addons.social_leads.services.load_demo import demo_command, load_demo

    li = add_user(app, "demo.li", ["Salesperson"])  # the WeCom employee, as our user
    with app.app_context(), acting_as(SYSTEM):
        said = load_demo(db.session)
        db.session.commit()
    assert said[0] == "web form: 官网询价 / Website enquiry"
    assert len(said) == 1 + 10 + 2  # the form, 10 events taken in, 2 submissions stored
    assert [state for _, state, _ in jobs_run_out(app)] == ["done", "done"]

    leads = _leads(app)
    assert sorted(lead["channel"] for lead in leads.values()) == [
        "linkedin", "linkedin", "meta", "meta", "web_form", "web_form", "wechat_official",
        "wechat_official", "wecom", "wecom"]
    fan = leads["oDemo_9fK2mQ7xLp1sV4tR8wYb3nZc - WeChat"]
    assert (fan["campaign"], fan["qr_scene"]) == ("CeMAT ASIA 2026 亚洲物流展", "cemat2026")
    assert "能安排下周演示吗" in fan["description"]  # its second message, on the lead
    wecom = leads["刘洋 - WeCom"]
    assert {k: wecom[k] for k in ("campaign", "company_name", "phone", "owner_id")} == {
        "campaign": "cemat2026", "company_name": "宁波港联供应链管理有限公司",
        "phone": "+8613905741288", "owner_id": li}
    assert leads["Daniel Wong - WeCom"]["phone"] == "+85291234567"
    meta = leads["黄静怡 - Meta"]
    assert {k: meta[k] for k in ("campaign", "form", "email", "phone", "company_name")} == {
        "campaign": "120210987654321098", "form": "1029384756019283",
        "email": "huang.jingyi@lingxi-retail.example.cn", "phone": "+8613761234589",
        "company_name": "上海灵犀零售有限公司"}
    assert "5,000-10,000 m²" in meta["description"]  # the form's own question, mapped
    assert {k: leads["James Carter - LinkedIn"][k] for k in ("form", "email", "company_name")
            } == {"form": "6904512", "email": "james.carter@northbridge-dist.example.com",
                  "company_name": "Northbridge Distribution Inc."}
    web = leads["Emma Fischer - Web form"]
    assert {k: web[k] for k in ("campaign", "form", "utm_source", "utm_medium", "utm_campaign",
                                "phone")} == {
        "campaign": "官网询价 2026", "form": "官网询价 / Website enquiry",
        "utm_source": "newsletter", "utm_medium": "email", "utm_campaign": "wms_launch",
        "phone": "+492215550142"}
    with app.app_context():
        form = db.session.scalars(select(WebForm)).one()
        assert form.consent_zh.startswith("我同意") and form.consent_en.startswith("I agree")
        consents = {c.email: (c.language, c.text) for c in db.session.scalars(select(Consent))}
        assert consents == {"chen.siyuan@hengtong-coldchain.example.cn": ("zh", form.consent_zh),
                            "emma.fischer@rhein-logistik.example.de": ("en", form.consent_en)}

    before = _counts(app)
    with app.app_context():
        run = CliRunner().invoke(demo_command)
    assert (run.exit_code, run.output) == (
        0, "the social leads demo is loaded already: nothing to add\n")
    assert _counts(app) == before

    page = client_as("Admin").get("/social_leads/sources/").get_data(as_text=True)
    assert {channel for channel, _ in LINE.findall(page)} == {
        "wechat_official", "wecom", "meta", "linkedin", "web_form"}
