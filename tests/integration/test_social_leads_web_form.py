"""The embeddable web form (addons/social_leads, views/web_form_page.py) as a
visitor's browser uses it, no login: the page in Chinese and English, framed
by any site; a signed submission stored raw, its consent kept with the text
shown, and turned into an attributed lead by the hub; a forged or expired
token refused with nothing stored; a robot's honeypot answered and
ignored; missing consent named; the address's rate limit."""
from __future__ import annotations

import datetime as dt
import re
from html import unescape
from urllib.parse import quote

import pytest
from sqlalchemy import func, select, text

from core.db import db
from tests.invoicing_world import jobs_run_out

pytestmark = pytest.mark.addons("social_leads")
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)">')
CONSENT_ZH = "我同意贵公司按照隐私政策处理我的个人信息。"
CONSENT_EN = "I agree that you process my personal data under the privacy policy."


@pytest.fixture
def form_id(app):
    from addons.social_leads.models import WebForm

    with app.app_context():
        form = WebForm(name="Contact us", campaign="官网2026", need_email=True,
                       consent_zh=CONSENT_ZH, consent_en=CONSENT_EN,
                       thanks_zh="谢谢！我们会尽快联系您。", thanks_en="Thank you, talk soon.")
        db.session.add(form)
        db.session.commit()
        return form.id


def page(client, form_id, query="", **headers):
    resp = client.get(f"/social/form/{form_id}{query}", headers=headers)
    assert resp.status_code == 200
    return resp, {k: unescape(v) for k, v in HIDDEN.findall(resp.get_data(as_text=True))}


def stored(app):
    from addons.sales.models.lead import Lead
    from addons.social_leads.models import Consent
    from connectors.hub.models import InboundEvent

    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(model))
                     for model in (InboundEvent, Consent, Lead))


VISITOR = {"name": "周敏", "company": "上海精工", "email": "zhou.min@jinggong.example.cn",
           "phone": "021 6234 5678", "message": "请联系我"}


@SQLITE_ONLY
def test_the_page_speaks_the_visitors_language_and_may_be_framed(app, form_id):
    client = app.test_client()
    resp, hidden = page(client, form_id, "?lang=zh")
    html = resp.get_data(as_text=True)
    assert '<html lang="zh">' in html and CONSENT_ZH in html and CONSENT_EN not in html
    assert "frame-ancestors *" in resp.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in resp.headers  # would deny what frame-ancestors allows
    assert set(hidden) == {"token", "lang", "page"} and hidden["lang"] == "zh"
    resp, hidden = page(client, form_id, **{"Accept-Language": "en-GB,en;q=0.9"})
    html = resp.get_data(as_text=True)
    assert '<html lang="en">' in html and CONSENT_EN in html and CONSENT_ZH not in html
    assert 'name="email" value="" required' in html  # required by this form
    assert client.get("/social/form/999").status_code == 404


def test_a_signed_submission_becomes_an_attributed_lead_with_its_consent(app, form_id):
    from addons.sales.models.lead import Lead
    from addons.social_leads.models import Consent

    client = app.test_client()
    host_page = "https://www.jinggong.example.cn/pricing?utm_source=baidu&utm_medium=cpc"
    _, hidden = page(client, form_id, "?lang=zh&utm_source=baidu&utm_medium=cpc"
                     "&utm_campaign=spring&utm_term=crm&page=" + quote(host_page, safe=""))
    resp = client.post(f"/social/form/{form_id}", data={**hidden, **VISITOR, "consent": "yes",
                                                         "website": ""})
    assert resp.status_code == 200 and "谢谢！我们会尽快联系您。" in resp.get_data(as_text=True)
    assert stored(app) == (1, 1, 0)  # answered before any lead is made
    # the same page posted again (a double click, a replay): stored once
    assert client.post(f"/social/form/{form_id}", data={**hidden, **VISITOR, "consent": "yes"}
                       ).status_code == 200
    assert stored(app) == (1, 1, 0)
    [job] = jobs_run_out(app)
    assert job[:2] == ("inbound.social.web_form", "done")
    with app.app_context():
        consent = db.session.scalars(select(Consent)).one()
        assert (consent.form_id, consent.text, consent.language, consent.address,
                consent.email, consent.submission_id) == (
            form_id, CONSENT_ZH, "zh", "127.0.0.1", VISITOR["email"],
            hidden["token"].split(".")[2])
        assert abs(consent.given_at - dt.datetime.utcnow()) < dt.timedelta(minutes=1)
        lead = db.session.scalars(select(Lead)).one()
        assert (lead.name, lead.contact_name, lead.company_name, lead.email, lead.phone) == (
            "周敏 - Web form", "周敏", "上海精工", VISITOR["email"], "+862162345678")
        assert (lead.source, lead.campaign, lead.channel, lead.form, lead.utm_source,
                lead.utm_medium, lead.utm_campaign, lead.utm_term, lead.utm_content) == (
            "web_form", "官网2026", "web_form", "Contact us", "baidu", "cpc", "spring", "crm",
            None)
        assert lead.description.startswith("请联系我\n")
        assert f"page: {host_page}" in lead.description


@SQLITE_ONLY
def test_forged_or_expired_tokens_and_honeypots_store_nothing(app, form_id):
    from addons.social_leads.models import WebForm, WebFormHit
    from addons.social_leads.rules import form_token

    client = app.test_client()
    _, hidden = page(client, form_id, "?lang=en")
    body, mac = hidden["token"].rsplit(".", 1)
    with app.app_context():
        secret = db.session.get(WebForm, form_id).secret
    day_old = form_token.issue(secret, form_id,
                               int(dt.datetime.now(dt.timezone.utc).timestamp()) - 25 * 3600)
    for token in (f"{body}.{mac[:-1]}{'A' if mac[-1] != 'A' else 'B'}",  # altered signature
                  f"{form_id + 1}{body[len(str(form_id)):]}.{mac}",  # another form's
                  form_token.issue("guessed-secret", form_id, int(dt.datetime.now().timestamp())),
                  day_old, ""):
        resp = client.post(f"/social/form/{form_id}",
                           data={**hidden, **VISITOR, "consent": "yes", "token": token})
        assert resp.status_code == 403, token
        assert "This form has expired" in resp.get_data(as_text=True)
    resp = client.post(f"/social/form/{form_id}", data={**hidden, **VISITOR, "consent": "yes",
                                                         "website": "http://spam.example"})
    assert resp.status_code == 200 and "Thank you, talk soon." in resp.get_data(as_text=True)
    assert stored(app) == (0, 0, 0)
    with app.app_context():
        assert db.session.scalar(select(func.count(WebFormHit.id))) == 0


@SQLITE_ONLY
def test_missing_consent_is_named_and_an_address_is_rate_limited(app, form_id):
    client = app.test_client()
    _, hidden = page(client, form_id, "?lang=en")
    resp = client.post(f"/social/form/{form_id}", data={**hidden, **VISITOR})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and 'data-field="consent"' in html
    assert "please agree to continue" in html and 'value="zhou.min@jinggong.example.cn"' in html
    no_email = {**VISITOR, "email": "", "consent": "yes"}
    for _ in range(4):
        resp = client.post(f"/social/form/{form_id}", data={**hidden, **no_email})
        assert resp.status_code == 400 and 'data-field="email"' in resp.get_data(as_text=True)
    resp = client.post(f"/social/form/{form_id}", data={**hidden, **VISITOR, "consent": "yes"})
    assert resp.status_code == 429
    assert "Too many submissions from your address" in resp.get_data(as_text=True)
    assert stored(app) == (0, 0, 0)
    # another address is not held back
    resp = client.post(f"/social/form/{form_id}", data={**hidden, **VISITOR, "consent": "yes"},
                       environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert resp.status_code == 200 and stored(app) == (1, 1, 0)


@SQLITE_ONLY
def test_a_manager_defines_a_form_and_copies_its_snippet(app):
    from addons.social_leads.models import WebForm
    from tests.helpers import add_user, csrf_token, login

    add_user(app, "mia", ["Sales Manager"])
    client = app.test_client()
    login(client, "mia")
    token = csrf_token(client.get("/webformview/add").get_data(as_text=True))
    resp = client.post("/webformview/add", data={
        "csrf_token": token, "name": "Webinar", "campaign": "Q1", "active": "y",
        "show_name": "y", "need_name": "y", "show_email": "y", "need_email": "y",
        "consent_en": CONSENT_EN})
    assert resp.status_code == 302
    with app.app_context():
        form = db.session.scalars(select(WebForm)).one()
        stored_secret = db.session.execute(  # as the database holds it
            text("SELECT secret FROM social_leads_web_form")).scalar_one()
        assert len(form.secret) >= 40 and form.secret not in stored_secret
        assert (form.shown("phone"), form.required("email"), form.campaign) == (False, True, "Q1")
        form_id = form.id
    html = client.get(f"/webformview/show/{form_id}").get_data(as_text=True)
    snippet = unescape(html.split('id="web-form-snippet-code">', 1)[1].split("</textarea>")[0])
    assert f'f.src = "http://localhost/social/form/{form_id}?" + p.toString();' in snippet
    assert "<script" in snippet and "src=\"http" not in snippet.split("<noscript>")[0]
