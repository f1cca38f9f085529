"""A field another addon adds to Company (tests/addons/visits' `visit_count`) filters
and sorts the companies list, on the screen and over REST, while visits is
installed; once it is uninstalled (its column dropped) the same requests still
answer, without it."""
from __future__ import annotations

import re

import prison
import pytest

from core.addons import lifecycle
from core.db import db
from tests.helpers import add_user, api_token, install, login

pytestmark = pytest.mark.addons("contacts")


def listed(client, query: str = "") -> list[str]:
    """The company names on the list screen, in order."""
    resp = client.get(f"/companyview/list/?{query}")
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    return re.findall(r'<td>\s*(Co [A-C])\s*</td>', resp.get_data(as_text=True))


def uninstall(app, name):
    with app.app_context():
        ext = app.extensions["crossdock"]
        return lifecycle.uninstall(db.session, ext.runtime, [name],
                                   ext.settings.instance_path / "bk")


def rest(api, headers, **q):
    return api.get(f"/api/v1/company/?q={prison.dumps(q)}", headers=headers)


def test_extension_field_filters_and_sorts_while_its_addon_is_installed(app):
    install(app, "contacts", "visits")
    add_user(app, "ada", ["Admin"])
    client = app.test_client()
    login(client, "ada")
    api = app.test_client()
    headers = {"Authorization": f"Bearer {api_token(api, 'ada')}"}
    for name, visits in (("Co A", 4), ("Co B", 1), ("Co C", 9)):
        resp = api.post("/api/v1/company/", headers=headers,
                        json={"name": name, "visit_count": visits})
        assert resp.status_code == 201, resp.get_json()

    page = client.get("/companyview/list/").get_data(as_text=True)
    assert 'name="visit_count" class="filter"' in page  # in "Add Filter"
    assert "_oc_CompanyView=visit_count" in page  # the column's header sorts
    assert listed(client, "_flt_0_visit_count=4") == ["Co A"]  # equal to
    assert listed(client, "_flt_1_visit_count=3&_oc_CompanyView=visit_count"
                          "&_od_CompanyView=desc") == ["Co C", "Co A"]  # greater than
    assert listed(client, "_oc_CompanyView=visit_count&_od_CompanyView=asc") == [
        "Co B", "Co A", "Co C"]

    resp = rest(api, headers, filters=[{"col": "visit_count", "opr": "gt", "value": 2}],
                order_column="visit_count", order_direction="desc")
    assert resp.status_code == 200, resp.get_json()
    assert [r["name"] for r in resp.get_json()["result"]] == ["Co C", "Co A"]
    info = api.get(f"/api/v1/company/_info?q={prison.dumps({'keys': ['filters']})}",
                   headers=headers).get_json()
    assert "visit_count" in info["filters"]

    assert uninstall(app, "visits")[0] == ["visits"]
    page = client.get("/companyview/list/").get_data(as_text=True)
    assert "visit_count" not in page
    # an old bookmark still answers: the unknown filter and sort key are ignored
    assert sorted(listed(client, "_flt_0_visit_count=4&_oc_CompanyView=visit_count"
                                 "&_od_CompanyView=asc")) == ["Co A", "Co B", "Co C"]
    resp = rest(api, headers, filters=[{"col": "visit_count", "opr": "gt", "value": 2}])
    assert resp.status_code == 400 and "visit_count" in resp.get_json()["message"]
    resp = rest(api, headers, order_column="visit_count", order_direction="asc")
    assert resp.status_code == 400 and "visit_count" in resp.get_json()["message"]
    assert len(rest(api, headers).get_json()["result"]) == 3
    info = api.get(f"/api/v1/company/_info?q={prison.dumps({'keys': ['filters']})}",
                   headers=headers).get_json()
    assert "visit_count" not in info["filters"]
