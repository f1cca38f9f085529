"""An empty value shows as nothing, never as Python's "None" (lists and
record pages; the Jinja environment's finalize in core/app.py)."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from core.db import db
from tests.helpers import add_user, login

pytestmark = pytest.mark.addons("sales")
CELL_NONE = re.compile(r">\s*None\s*<")


def test_an_activity_without_time_company_or_person_shows_blank_cells(app):
    from addons.contacts.models import Company
    from addons.sales.models import Activity, Lead

    user_id = add_user(app, "s1", ["Salesperson"], "A")
    with app.app_context():
        lead = Lead(name="Pumps for the plant", owner_id=user_id)
        db.session.add(lead)
        db.session.flush()
        db.session.add_all([
            Activity(kind="call", summary="Call about pumps", due_date=dt.date.today(),
                     owner_id=user_id, lead_id=lead.id),
            Company(name="Empty fields Ltd", owner_id=user_id),
        ])
        db.session.commit()
        activity_id = db.session.query(Activity.id).scalar()
        company_id = db.session.query(Company.id).scalar()
    client = app.test_client()
    login(client, "s1")
    for url in ("/activityview/list/", f"/activityview/show/{activity_id}",
                "/companyview/list/", f"/companyview/show/{company_id}"):
        resp = client.get(url)
        page = resp.get_data(as_text=True)
        assert resp.status_code == 200, url
        assert "Call about pumps" in page or "Empty fields Ltd" in page, url
        assert not CELL_NONE.search(page), f"{url}: {CELL_NONE.search(page).group(0)!r}"
