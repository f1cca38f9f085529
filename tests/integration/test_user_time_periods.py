""""Today" and periods are the reader's, in their time zone: at 2026-11-30
23:30 UTC it is already 1 December, 07:30, in Shanghai and still 30 November,
18:30, in New York. The dashboard's periods, the activity backlog and "my
activities", and a new order's date differ between the two readers; exported
datetimes carry the reader's offset (core/user_time.py)."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from core.db import db
from core.i18n import UserPreference
from core.user_time import clock_at, period, utc_bounds
from tests.helpers import add_user, api_token, login

pytestmark = pytest.mark.addons("sales")

NOW = dt.datetime(2026, 11, 30, 23, 30)  # UTC
# opportunities created at (UTC) -> the local day in Shanghai / New York
CREATED = {"A": dt.datetime(2026, 11, 30, 20, 0),   # 1 Dec 04:00 / 30 Nov 15:00
           "B": dt.datetime(2026, 11, 15, 12, 0),   # 15 Nov / 15 Nov
           "D": dt.datetime(2026, 11, 30, 10, 0),   # 30 Nov 18:00 / 30 Nov 05:00
           "E": dt.datetime(2026, 10, 31, 20, 0)}   # 1 Nov 04:00 / 31 Oct 16:00
ZONES = {"sh": "Asia/Shanghai", "ny": "America/New_York"}


@pytest.fixture
def world(app):
    from addons.contacts.models import Company
    from addons.sales.models import Activity, Lead, Stage

    ids = {name: add_user(app, name, ["Admin"]) for name in ZONES}
    with app.app_context():
        for name, zone in ZONES.items():
            db.session.add(UserPreference(user_id=ids[name], time_zone=zone))
        stage = db.session.scalars(select(Stage).where(Stage.team_id.is_(None))
                                   .order_by(Stage.sequence)).first()
        for key, created in CREATED.items():
            db.session.add(Lead(name=f"Deal {key}", type="opportunity", owner_id=ids["sh"],
                                stage_id=stage.id, status="open", created_at=created))
        acme = Company(name="Acme", owner_id=ids["sh"])
        db.session.add(acme)
        db.session.flush()
        for name in ZONES:  # each reader: one activity due 30 Nov, one due 1 Dec
            for day in (30, 1):
                due = dt.date(2026, 11 if day == 30 else 12, day)
                db.session.add(Activity(kind="call", summary=f"Call {name} {due}", due_date=due,
                                        owner_id=ids[name], company_id=acme.id))
        db.session.commit()
    return ids


def _client(app, name):
    client = app.test_client()
    login(client, name)
    return client


def _opportunities(client, query: str) -> int:
    resp = client.get(f"/sales/dashboard/data?{query}")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    stages = resp.get_json()["funnel"][0]["stages"]
    return stages[0]["reached"]  # every open opportunity reached the first stage


def test_this_month_and_today_are_the_readers(app, world):
    with clock_at(NOW):
        sh, ny = _client(app, "sh"), _client(app, "ny")
        assert _opportunities(sh, "period=today") == 1    # A
        assert _opportunities(ny, "period=today") == 2    # A, D
        assert _opportunities(sh, "period=month") == 1    # A (December)
        assert _opportunities(ny, "period=month") == 3    # A, B, D (November)
        assert _opportunities(sh, "period=quarter") == 4  # Q4, all
        assert _opportunities(ny, "period=quarter") == 4
        # the same typed days, read in each zone: 1-30 November
        assert _opportunities(sh, "from=2026-11-01&to=2026-11-30") == 3  # E, B, D
        assert _opportunities(ny, "from=2026-11-01&to=2026-11-30") == 3  # B, D, A
        page = sh.get("/sales/dashboard/?period=month").get_data(as_text=True)
        assert 'value="2026-12-01"' in page and 'value="2026-12-31"' in page
        assert sh.get("/sales/dashboard/data?period=fortnight").status_code == 400


def _backlog(client, user_id) -> dict:
    data = client.get(f"/sales/dashboard/data?owner={user_id}").get_json()
    (row,) = data["backlog"]
    return {k: row[k] for k in ("overdue", "today", "upcoming")}


def test_overdue_and_due_today_are_the_readers(app, world):
    with clock_at(NOW):
        sh, ny = _client(app, "sh"), _client(app, "ny")
        assert _backlog(sh, world["sh"]) == {"overdue": 1, "today": 1, "upcoming": 0}
        assert _backlog(ny, world["ny"]) == {"overdue": 0, "today": 1, "upcoming": 1}
        mine = sh.get("/sales/activities/my").get_data(as_text=True)
        overdue, today = mine.split('id="activities-overdue"')[1], mine.split('id="activities-today"')[1]
        assert "Call sh 2026-11-30" in overdue.split('id="activities-')[0]
        assert "Call sh 2026-12-01" in today.split('id="activities-')[0]
        mine = ny.get("/sales/activities/my").get_data(as_text=True)
        assert 'id="activities-overdue"' not in mine or \
            "Call ny" not in mine.split('id="activities-overdue"')[1].split('id="activities-')[0]
        assert "Call ny 2026-11-30" in mine.split('id="activities-today"')[1].split(
            'id="activities-')[0]
        # the Activities list's "Overdue" filter agrees
        overdue = f"/activityview/list/?_flt_{_overdue_filter(app)}_due_date=y"
        listed = sh.get(overdue).get_data(as_text=True)
        assert "Call sh 2026-11-30" in listed and "Call ny 2026-11-30" in listed
        assert "Call sh 2026-11-30" not in ny.get(overdue).get_data(as_text=True)


def _overdue_filter(app) -> int:
    """FAB numbers a column's filters in order (test_sales_activities)."""
    with app.app_context():
        view = next(v for v in app.appbuilder.baseviews if type(v).__name__ == "ActivityView")
        return [type(f).__name__ for f in view._filters.get_search_filters()["due_date"]
                ].index("FilterOverdue")


def test_the_boards_overdue_cards_are_the_readers(app, world):
    from addons.sales.models import Lead

    with app.app_context():  # Deal D was expected to close on 30 November
        db.session.scalars(select(Lead).filter_by(name="Deal D")).one().expected_close = \
            dt.date(2026, 11, 30)
        db.session.commit()
    with clock_at(NOW):
        for name, overdue in (("sh", True), ("ny", False)):
            page = _client(app, name).get("/sales/board/").get_data(as_text=True)
            card = page.split("Deal D")[1].split("</time>")[0]
            assert ("board-overdue" in card) is overdue, (name, card)


def test_a_new_order_is_dated_the_readers_today(app, world):
    with clock_at(NOW):
        sh, ny = _client(app, "sh"), _client(app, "ny")
        assert 'value="2026-12-01"' in sh.get("/quotationview/add").get_data(as_text=True)
        assert 'value="2026-11-30"' in ny.get("/quotationview/add").get_data(as_text=True)


def test_exported_datetimes_carry_the_readers_offset(make_app):
    from addons.contacts.services.contact_export import _display

    for zone, text in (("Asia/Shanghai", "2026-12-01T07:30:00+08:00"),
                       ("America/New_York", "2026-11-30T18:30:00-05:00")):
        app = make_app(time_zone=zone)
        with app.app_context():
            assert _display(NOW) == text
            assert _display(dt.date(2026, 11, 30)) == "2026-11-30"  # dates stay dates


def test_period_bounds(app):
    with app.app_context():
        assert period("month", dt.date(2026, 12, 5)) == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))
        assert period("quarter", dt.date(2026, 11, 5)) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
        assert period("week", dt.date(2026, 12, 5)) == (dt.date(2026, 11, 30), dt.date(2026, 12, 6))
        assert period("year", dt.date(2026, 2, 5)) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
        assert utc_bounds(None, None) == (None, None)


def _filter_index(app, column: str, name: str) -> int:
    with app.app_context():
        view = next(v for v in app.appbuilder.baseviews if type(v).__name__ == "ActivityView")
        return [type(f).__name__ for f in view._filters.get_search_filters()[column]].index(name)


def test_a_typed_time_in_a_list_filter_is_the_readers(app, world):
    from addons.sales.models import Activity

    with app.app_context():  # done at 1 Dec 01:00 in Shanghai, 30 Nov 12:00 in New York
        row = db.session.scalars(select(Activity).filter_by(summary="Call sh 2026-11-30")).one()
        row.done_at = dt.datetime(2026, 11, 30, 17, 0)
        db.session.commit()
    after = (f"/activityview/list/?_flt_{_filter_index(app, 'done_at', 'LocalFilterGreater')}"
             f"_done_at=2026-12-01 00:00:00")
    assert "Call sh 2026-11-30" in _client(app, "sh").get(after).get_data(as_text=True)
    assert "Call sh 2026-11-30" not in _client(app, "ny").get(after).get_data(as_text=True)
    # the REST API (RFC 3339 with an offset) means the instant it names, whoever asks
    token = api_token(app.test_client(), "ny")
    for value, found in (("2026-11-30T16:30:00Z", True), ("2026-12-01T01:30:00+08:00", False)):
        body = app.test_client().get(
            "/api/v1/activity/", headers={"Authorization": f"Bearer {token}"},
            query_string={"q": f"(filters:!((col:done_at,opr:gt,value:'{value}')))"}).get_json()
        assert "result" in body, body
        assert ("Call sh 2026-11-30" in str(body["result"])) is found, (value, body)
