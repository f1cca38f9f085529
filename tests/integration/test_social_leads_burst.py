"""A burst of WeChat deliveries through real hub processes: PostgreSQL, Redis,
two `crossdock worker` processes, one of them killed with SIGKILL while it
works and a third started in its place.

1,000 signed deliveries to our WeChat endpoint: 300 followers, each a follow
from a parametric QR code then two text messages, in the order WeChat sends
them (interleaved across followers), and 100 of them delivered again (WeChat
retries when it thinks we were slow). Afterwards, exactly: 900 events stored,
900 jobs done, none failed; one lead per follower, attributed to the QR
code's campaign; each follower's three events on its lead in the order they
were sent (the two texts after the follow, never dropped for arriving before
the lead existed).
"""
from __future__ import annotations

import json
import random
import time

import pytest
from sqlalchemy import func, select

from core.db import db
from tests import hub_processes
from tests.helpers import install
from tests.hub_processes import wait_until

pytestmark = pytest.mark.postgres
FOLLOWERS, REPEATED = 300, 100
APP_ID, TOKEN = "wx5f1c0a11d2e3b4c5", "crossdock-burst"


def _delivery(follower: int, n: int, created: int) -> bytes:
    from connectors.social import wechat_xml

    openid = f"oBurst{follower:04d}"
    if n == 0:
        return wechat_xml.document({
            "ToUserName": "gh_burst", "FromUserName": openid, "CreateTime": created,
            "MsgType": "event", "Event": "subscribe", "EventKey": "qrscene_expo2026",
            "Ticket": "gQH47joAAAAAAAAAASxodHRw"}).encode()
    return wechat_xml.document({
        "ToUserName": "gh_burst", "FromUserName": openid, "CreateTime": created,
        "MsgType": "text", "Content": f"{openid} 第{n}条: 请报价", "MsgId": f"{created}{follower:04d}{n}"
    }).encode()


def _deliveries() -> list[tuple[int, int, bytes]]:
    """(follower, step, body) in the order WeChat sends them: each follower's
    steps in order, followers interleaved, some deliveries repeated later."""
    rng = random.Random(20261206)
    base = int(time.time()) - 60
    pending = dict.fromkeys(range(FOLLOWERS), 0)
    sent: list[tuple[int, int, bytes]] = []
    while pending:
        follower = rng.choice(sorted(pending))
        step = pending[follower]
        sent.append((follower, step, _delivery(follower, step, base + step)))
        pending[follower] += 1
        if pending[follower] == 3:
            del pending[follower]
    for index in sorted(rng.sample(range(len(sent)), REPEATED), reverse=True):
        sent.insert(min(index + rng.randint(1, 40), len(sent)), sent[index])
    return sent


def _query(nonce: int) -> dict:
    from connectors.social.signatures import sha1_of_sorted

    now = str(int(time.time()))
    return {"signature": sha1_of_sorted(TOKEN, now, str(nonce)), "timestamp": now,
            "nonce": str(nonce)}


def _counts(app) -> dict:
    from addons.sales.models import Lead
    from connectors.hub.models import InboundEvent

    with app.app_context():
        events = db.session.scalar(select(func.count(InboundEvent.id)).where(
            InboundEvent.source == "social.wechat_official"))
        leads = db.session.scalar(select(func.count(Lead.id)))
        db.session.remove()
    return {"events": events, "leads": leads}


@pytest.fixture
def hub(tmp_path, pg_admin_url, redis):
    made = hub_processes.Hub(tmp_path, pg_admin_url, redis)
    yield made
    made.stop()


def test_a_burst_with_repeats_and_a_killed_worker_makes_each_lead_once_in_order(hub):
    from addons.sales.models import Lead
    from addons.social_leads.models import LeadTouch
    from connectors.hub.models import Backend

    install(hub.app, "social_leads")
    with hub.app.app_context():
        backend = Backend(name="公众号", kind="wechat_official", url="https://api.weixin.qq.com",
                          username=APP_ID, secret=json.dumps({"token": TOKEN}),
                          options_json=json.dumps({"scenes": {"expo2026": "上海车展 2026"}}),
                          active=True)
        db.session.add(backend)
        db.session.commit()
        url = f"/social/wechat/{backend.id}"
    for _ in range(2):
        hub.start_worker(threads=2)

    web = hub.app.test_client()
    deliveries = _deliveries()
    victim_killed, started = False, time.monotonic()
    for n, (_follower, _step, body) in enumerate(deliveries):
        answer = web.post(url, query_string=_query(n), data=body)
        assert (answer.status_code, answer.get_data(as_text=True)) == (200, "success")
        if n == len(deliveries) // 2:
            wait_until(lambda: hub.job_states().get("done", 0) >= 100, 60,
                       lambda: (hub.job_states(), hub.log_tail()))
            hub.kill_worker(hub.workers[0])  # mid-batch, its claimed jobs on lease
            hub.start_worker(threads=2)
            victim_killed = True
    assert victim_killed

    unique = FOLLOWERS * 3
    wait_until(lambda: hub.all_finished(unique), 240, lambda: (hub.job_states(),
                                                                hub.log_tail()))
    print(f"\n{len(deliveries)} deliveries, {unique} events taken in by 2 workers (one "
          f"killed): {unique / (time.monotonic() - started):.0f} leads+messages/s, "
          "first delivery to last done")
    assert hub.job_states() == {"done": unique}
    assert _counts(hub.app) == {"events": unique, "leads": FOLLOWERS}

    with hub.app.app_context():
        leads = db.session.scalars(select(Lead).order_by(Lead.id)).all()
        assert {lead.campaign for lead in leads} == {"上海车展 2026"}
        assert {lead.qr_scene for lead in leads} == {"expo2026"}
        for lead in leads:
            touches = db.session.scalars(select(LeadTouch).where(LeadTouch.lead_id == lead.id)
                                         .order_by(LeadTouch.id)).all()
            openid = lead.name.split(" - ")[0]
            # the follow made the lead, then the two texts, each once and in order
            assert [t.created for t in touches] == [True, False, False], openid
            assert [t.touched_at for t in touches] == sorted(t.touched_at for t in touches)
            first, second = (lead.description.index(f"{openid} 第{n}条") for n in (1, 2))
            assert first < second, lead.description
