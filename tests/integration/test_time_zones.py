"""Times stored in UTC, shown and typed in the user's time zone (their own
choice on the profile, else the deployment's); the REST API stays in UTC."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from core.db import db
from tests.helpers import add_user, api_token, csrf_token, login

pytestmark = pytest.mark.addons("sales")
STORED = dt.datetime(2026, 3, 1, 2, 30)  # UTC: 10:30 in Shanghai, 21:30 the day before in New York


@pytest.fixture
def activity(app):
    from addons.contacts.models import Company
    from addons.sales.models import Activity

    user_id = add_user(app, "s1", ["Salesperson"], "A")
    with app.app_context():
        acme = Company(name="Acme", owner_id=user_id)
        db.session.add(acme)
        db.session.flush()
        row = Activity(kind="call", summary="Call Acme", due_date=dt.date(2026, 3, 1),
                       remind_at=STORED, owner_id=user_id, company_id=acme.id)
        db.session.add(row)
        db.session.commit()
        return row.id


def _shown(client, pk) -> str:
    return client.get(f"/activityview/show/{pk}").get_data(as_text=True)


def test_a_user_sees_times_in_the_zone_they_chose(app, activity):
    client = app.test_client()
    token = login(client, "s1")
    assert "2026-03-01 02:30" in _shown(client, activity)  # the deployment's default: UTC
    client.post("/profile/time_zone", data={"time_zone": "Asia/Shanghai", "csrf_token": token})
    page = _shown(client, activity)
    assert "2026-03-01 10:30" in page and "02:30" not in page
    client.post("/profile/time_zone", data={"time_zone": "America/New_York",
                                            "csrf_token": token})
    assert "2026-02-28 21:30" in _shown(client, activity)
    assert "(UTC)" not in client.get("/activityview/list/").get_data(as_text=True)


def test_the_deployment_zone_applies_until_a_user_chooses(make_app, activity):
    app = make_app(time_zone="Asia/Shanghai")
    client = app.test_client()
    login(client, "s1")
    assert "2026-03-01 10:30" in _shown(client, activity)


def test_a_time_typed_in_a_form_is_the_users_local_time(app, activity):
    from addons.sales.models import Activity

    client = app.test_client()
    token = login(client, "s1")
    client.post("/profile/time_zone", data={"time_zone": "Asia/Shanghai", "csrf_token": token})
    form = client.get(f"/activityview/edit/{activity}").get_data(as_text=True)
    assert 'value="2026-03-01 10:30:00"' in form  # the stored 02:30 UTC, shown local
    resp = client.post(f"/activityview/edit/{activity}", data={
        "csrf_token": csrf_token(form), "kind": "call", "summary": "Call Acme",
        "due_date": "2026-03-01", "remind_at": "2026-03-02 09:00:00",
        "owner": str(_owner(app)), "company": str(_company(app)), "team": "", "lead": "",
        "person": ""})
    assert resp.status_code == 302, resp.get_data(as_text=True)[-2000:]
    with app.app_context():
        assert db.session.get(Activity, activity).remind_at == dt.datetime(2026, 3, 2, 1, 0)


def test_rest_keeps_utc_with_its_offset(app, activity):
    client = app.test_client()
    login(client, "s1")
    token = api_token(app.test_client(), "s1")
    body = client.get(f"/api/v1/activity/{activity}",
                      headers={"Authorization": f"Bearer {token}"}).get_json()
    assert body["result"]["remind_at"].startswith("2026-03-01T02:30:00")
    assert body["result"]["remind_at"].endswith(("+00:00", "Z"))


def test_an_unknown_time_zone_is_refused(app, activity):
    from core.i18n import stored_time_zone

    client = app.test_client()
    token = login(client, "s1")
    client.post("/profile/time_zone", data={"time_zone": "Mars/Olympus", "csrf_token": token})
    with app.app_context():
        assert stored_time_zone(_owner(app)) is None


def _owner(app) -> int:
    with app.app_context():
        return app.appbuilder.sm.find_user(username="s1").id


def _company(app) -> int:
    from addons.contacts.models import Company

    with app.app_context():
        return db.session.scalars(select(Company.id)).one()


def test_the_sync_dashboard_tells_time_in_the_users_zone(app):
    from zoneinfo import ZoneInfo

    add_user(app, "boss", ["Admin"])
    client = app.test_client()
    token = login(client, "boss")
    client.post("/profile/time_zone", data={"time_zone": "Asia/Shanghai", "csrf_token": token})
    page = client.get("/hub/dashboard/").get_data(as_text=True)
    shanghai = dt.datetime.now(ZoneInfo("Asia/Shanghai"))
    stamp = page.split("As of ")[1].split(".")[0]
    shown = dt.datetime.strptime(stamp, "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo("Asia/Shanghai"))
    assert abs((shanghai - shown).total_seconds()) < 120  # UTC would be 8 hours off
    assert "(UTC)" not in page
