"""The source report (Sales > Lead sources) as a salesperson and their
manager read it: per channel and campaign, leads, conversions, won revenue
and submissions, within the period, and only the leads each may read."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from core.db import db
from core.security.actor import SYSTEM, acting_as
from tests.helpers import add_user, login

pytestmark = pytest.mark.addons("social_leads")
LINE = re.compile(r'<tr class="source-line" data-channel="([^"]*)" data-campaign="([^"]*)">'
                  r'(.*?)</tr>', re.S)
FIGURE = re.compile(r'data-figure="(\w+)">(.*?)</td>', re.S)


def report(client, query=""):
    resp = client.get(f"/social_leads/sources/{query}")
    assert resp.status_code == 200
    return {(channel, campaign): {k: v.strip() for k, v in FIGURE.findall(cells)}
            for channel, campaign, cells in LINE.findall(resp.get_data(as_text=True))}


def figures(leads, converted, won, revenue, submissions):
    return {"leads": str(leads), "converted": str(converted), "won": str(won),
            "revenue": revenue, "submissions": str(submissions)}


def test_figures_per_channel_and_campaign_follow_the_readers_rules(app):
    from addons.sales.models.lead import Lead
    from addons.sales.services.leads.lead_conversion import convert
    from addons.sales.services.leads.lead_outcome import mark_won
    from addons.social_leads.services.incoming import Attribution, IncomingLead
    from addons.social_leads.services.intake import take_in

    sam = add_user(app, "sam", ["Salesperson"], "East")
    add_user(app, "mia", ["Sales Manager"], "East")
    lee = add_user(app, "lee", ["Salesperson"], "West")
    now = dt.datetime.utcnow().replace(microsecond=0)

    def lead(external_id, owner, channel, campaign, email):
        return take_in(db.session, IncomingLead(
            attribution=Attribution(channel=channel, campaign=campaign), owner_id=owner,
            external_id=external_id, received_at=now, name=external_id, email=email)).lead_id

    with app.app_context(), acting_as(SYSTEM):
        won_id = lead("f-1", sam, "web_form", "春季", "a@example.cn")
        lead("f-2", sam, "web_form", "春季", "b@example.cn")
        lead("f-3", sam, "web_form", "春季", "a@example.cn")  # a@ again: a submission, no lead
        lead("m-1", sam, "meta", None, "c@example.cn")
        lead("m-2", lee, "meta", None, "d@example.cn")
        old = lead("m-3", lee, "meta", None, "e@example.cn")
        db.session.get(Lead, old).created_at = now - dt.timedelta(days=400)  # before the period
        won = db.session.get(Lead, won_id)
        convert(db.session, won, create_person=True)
        won.expected_revenue = Decimal("12000.50")
        mark_won(db.session, won)
        db.session.commit()

    spring = ("web_form", "春季")
    meta = ("meta", "")
    by_name = {}
    for name in ("sam", "mia", "lee"):
        client = app.test_client()
        login(client, name)
        by_name[name] = report(client)
    currency = by_name["sam"][spring]["revenue"].split()[-1]  # the base currency's code
    assert re.fullmatch("[A-Z]{3}", currency)
    assert by_name["sam"] == by_name["mia"] == {
        spring: figures(2, 1, 1, f"12,000.50 {currency}", 3),
        meta: figures(1, 0, 0, "", 1)}
    assert by_name["lee"] == {meta: figures(1, 0, 0, "", 2)}  # m-3's lead is 400 days old
    client = app.test_client()
    login(client, "lee")
    last_year = (dt.date.today() - dt.timedelta(days=400)).isoformat()
    assert report(client, f"?from={last_year}&to={last_year}") == {meta: figures(1, 0, 0, "", 0)}
