"""Pages' errors in the app's layout and the user's language, with a way back
(core/error_pages.py); the REST API keeps answering JSON."""
from __future__ import annotations

import logging

import pytest

from tests.helpers import add_user, csrf_token, login

pytestmark = pytest.mark.addons("contacts")
NAVBAR = 'class="navbar'


@pytest.fixture
def client(app):
    add_user(app, "s1", ["Salesperson"], "A")
    client = app.test_client()
    login(client, "s1")
    return client


def test_a_missing_record_is_a_404_page_in_the_layout(client):
    resp = client.get("/companyview/show/999999",
                      headers={"Referer": "http://localhost/companyview/list/"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 404
    assert NAVBAR in page and "Page not found" in page
    assert 'href="http://localhost/companyview/list/"' in page  # back where they were
    assert "Werkzeug" not in page and "Not Found</h1>" not in page


def test_the_page_speaks_the_users_language(client):
    resp = client.get("/no-such-page/", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 404
    assert "页面不存在" in page and "Page not found" not in page


def test_a_back_link_never_leads_to_another_site(client):
    page = client.get("/no-such-page/", headers={"Referer": "https://evil.example/x"}
                      ).get_data(as_text=True)
    assert "evil.example" not in page


def test_a_wrong_method_is_a_405_page(client):
    resp = client.get("/preferences/language")  # the language switch is a POST
    page = resp.get_data(as_text=True)
    assert resp.status_code == 405
    assert NAVBAR in page and "Not allowed here" in page
    assert "POST" in resp.headers["Allow"]


def test_a_refused_write_is_a_403_page_with_its_reason(app, client):
    from addons.contacts.models import Company
    from core.db import db

    other = add_user(app, "s2", ["Salesperson"], "B")
    with app.app_context():
        company = Company(name="Not yours", owner_id=other)
        db.session.add(company)
        db.session.commit()
        pk = company.id
    page_before = client.get("/companyview/list/").get_data(as_text=True)
    assert "Not yours" not in page_before
    token = csrf_token(client.get("/companyview/list/").get_data(as_text=True))
    resp = client.post(f"/companyview/delete/{pk}", data={"csrf_token": token})
    page = resp.get_data(as_text=True)
    assert resp.status_code in (403, 404)
    assert NAVBAR in page
    with app.app_context():
        assert db.session.get(Company, pk) is not None


def test_a_crash_shows_the_request_id_that_the_log_carries(app, caplog):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/boom/")
    def boom():
        raise RuntimeError("kaboom secret detail")

    add_user(app, "s3", ["Salesperson"], "A")
    client = app.test_client()
    login(client, "s3")
    with caplog.at_level(logging.ERROR):
        resp = client.get("/boom/")
    page = resp.get_data(as_text=True)
    request_id = resp.headers["X-Request-ID"]
    assert resp.status_code == 500
    assert NAVBAR in page and "Something went wrong" in page and request_id in page
    assert "kaboom" not in page  # the exception's text stays in the log
    assert any(request_id in r.getMessage() for r in caplog.records)


def test_rest_errors_stay_json(client):
    resp = client.get("/api/v1/no-such-endpoint/")
    assert resp.status_code == 404 and resp.is_json
    assert resp.get_json()["message"]
