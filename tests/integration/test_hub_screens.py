"""The hub's screens as an admin, a finance user and a salesperson use them:
backends through the form (the secret never shown back nor audited), test
connection in words, the jobs list with its filters, retry/cancel by POST only
and audited, the sync dashboard and /metrics equal to counts computed here
from rows inserted with chosen states and timestamps.

Apps run no hub worker (hub_embedded_threads=0), so jobs stay where put."""
from __future__ import annotations

import datetime as dt
import math
import re
import socket

import pytest
from sqlalchemy import select

from connectors.hub.models import Backend, SyncJob, utcnow
from core.db import db
from core.security.audit import AuditLog
from tests.helpers import add_user, csrf_token, login

TOKEN = "metrics-token-for-tests"
SECRET = "s3cret-API-key-never-shown"


@pytest.fixture
def hub_app(make_app):
    app = make_app(hub_embedded_threads=0, metrics_token=TOKEN)
    for name, roles in (("admin1", ["Admin"]), ("fin1", ["Finance"]),
                        ("sales1", ["Salesperson"])):
        add_user(app, name, roles)
    return app


def client_of(app, username):
    client = app.test_client()
    login(client, username)
    return client


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # released on close: nothing listens there


def backend_form(token, **values):
    form = {"csrf_token": token, "name": "ERP one", "kind": "tryton",
            "url": "http://127.0.0.1:8000", "database": "tryton", "username": "admin",
            "new_secret": SECRET, "options_json": '{"warehouse": "WH"}', "active": "y"}
    form.update(values)
    return form


def add_backend(app, name, kind="tryton"):
    with app.app_context():
        backend = Backend(name=name, kind=kind, url="http://127.0.0.1:1", active=True)
        db.session.add(backend)
        db.session.commit()
        return backend.id


def add_jobs(app, rows):
    """rows: dicts of SyncJob fields; identity and record keys made unique."""
    with app.app_context():
        jobs = []
        for n, row in enumerate(rows):
            row = {"kind": "sales.order.push", "model": "sales.order", "record_id": n + 1,
                   "attempts": 0, **row}
            key = f"{row.get('backend_id')}:{row['model']}:{row['record_id']}"
            jobs.append(SyncJob(record_key=key, identity_key=f"{row['kind']}:{key}:{n}", **row))
        db.session.add_all(jobs)
        db.session.commit()
        return [j.id for j in jobs]


def job_state(app, job_id):
    with app.app_context():
        return db.session.scalar(select(SyncJob.state).where(SyncJob.id == job_id))


def listed_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr class="job" data-job="(\d+)"', html)]


def test_backend_form_saves_and_never_shows_the_secret(hub_app):
    admin = client_of(hub_app, "admin1")
    token = csrf_token(admin.get("/hub/backends/add").get_data(as_text=True))
    resp = admin.post("/hub/backends/add", data=backend_form(token), follow_redirects=True)
    assert resp.status_code == 200
    with hub_app.app_context():
        backend = db.session.scalars(select(Backend)).one()
        assert (backend.name, backend.secret, backend.options) == (
            "ERP one", SECRET, {"warehouse": "WH"})
        pk = backend.id
        raw = db.session.connection().exec_driver_sql(
            "SELECT secret FROM hub_backend").scalar()
        assert SECRET not in raw  # encrypted at rest
    pages = [admin.get(u).get_data(as_text=True) for u in (
        "/hub/backends/list/", f"/hub/backends/show/{pk}", f"/hub/backends/edit/{pk}")]
    assert all("ERP one" in p and SECRET not in p for p in pages)

    # editing with the secret left empty keeps it
    resp = admin.post(f"/hub/backends/edit/{pk}",
                      data=backend_form(token, name="ERP renamed", new_secret=""))
    assert resp.status_code == 302
    with hub_app.app_context():
        backend = db.session.get(Backend, pk)
        assert (backend.name, backend.secret) == ("ERP renamed", SECRET)
        audit = db.session.scalars(select(AuditLog).where(AuditLog.model == "Backend")).all()
        assert {a.action for a in audit} == {"create", "update"}
        assert all(SECRET not in str(a.changes) for a in audit)
    assert SECRET not in admin.get("/auditlogview/list/").get_data(as_text=True)


def test_backend_form_refuses_bad_json_and_saves_nothing(hub_app):
    admin = client_of(hub_app, "admin1")
    token = csrf_token(admin.get("/hub/backends/add").get_data(as_text=True))
    resp = admin.post("/hub/backends/add", data=backend_form(token, options_json='{"wh": '))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "options: not valid JSON" in html
    resp = admin.post("/hub/backends/add",
                      data=backend_form(token, options_json='["WH"]'))
    assert "expected a JSON object" in resp.get_data(as_text=True)
    with hub_app.app_context():
        assert db.session.scalars(select(Backend)).all() == []


def test_test_connection_to_a_closed_port_says_it_cannot_connect(hub_app):
    admin = client_of(hub_app, "admin1")
    token = csrf_token(admin.get("/hub/backends/add").get_data(as_text=True))
    admin.post("/hub/backends/add", data=backend_form(
        token, url=f"http://127.0.0.1:{closed_port()}"))
    with hub_app.app_context():
        pk = db.session.scalars(select(Backend.id)).one()
    assert 'class="hub-test-connection"' in admin.get("/hub/backends/list/").get_data(
        as_text=True)
    assert admin.get(f"/hub/backends/test/{pk}").status_code == 405
    resp = admin.post(f"/hub/backends/test/{pk}", data={"csrf_token": token},
                      follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert "ERP one: cannot reach it now:" in html
    assert re.search(r"connect|refused", html.split("cannot reach it now:", 1)[1][:300], re.I)


def test_jobs_list_filters_newest_first(hub_app):
    erp_a, erp_b = add_backend(hub_app, "A"), add_backend(hub_app, "B")
    now = utcnow()
    ids = add_jobs(hub_app, [
        {"backend_id": erp_a, "state": "done", "finished_at": now},
        {"backend_id": erp_a, "state": "failed", "last_error": "unknown product X-1"},
        {"backend_id": erp_b, "state": "failed", "kind": "sales.order.cancel"},
        {"backend_id": erp_b, "state": "queued", "model": "invoice", "record_id": 7},
    ])
    admin = client_of(hub_app, "admin1")
    assert listed_ids(admin.get("/hub/jobs/").get_data(as_text=True)) == ids[::-1]
    cases = {"state=failed": [ids[2], ids[1]], f"backend={erp_a}": [ids[1], ids[0]],
             "kind=sales.order.cancel": [ids[2]], "model=invoice&record_id=7": [ids[3]],
             f"state=failed&backend={erp_a}": [ids[1]], "record_id=99": []}
    for query, expected in cases.items():
        assert listed_ids(admin.get(f"/hub/jobs/?{query}").get_data(as_text=True)) == expected
    assert "unknown product X-1" in admin.get("/hub/jobs/?state=failed").get_data(as_text=True)
    assert admin.get("/hub/jobs/?state=lost").status_code == 400


def test_retry_and_cancel_by_post_change_state_and_are_audited(hub_app):
    erp = add_backend(hub_app, "A")
    failed, queued, done = add_jobs(hub_app, [
        {"backend_id": erp, "state": "failed", "last_error": "boom"},
        {"backend_id": erp, "state": "queued"},
        {"backend_id": erp, "state": "done", "finished_at": utcnow()}])
    admin = client_of(hub_app, "admin1")
    token = csrf_token(admin.get("/hub/jobs/").get_data(as_text=True))
    # GET changes nothing
    for path in (f"/hub/jobs/{failed}/retry", f"/hub/jobs/{queued}/cancel", "/hub/jobs/retry"):
        assert admin.get(path).status_code == 405
    assert admin.post(f"/hub/jobs/{failed}/retry").status_code == 400  # no CSRF token
    assert (job_state(hub_app, failed), job_state(hub_app, queued)) == ("failed", "queued")

    resp = admin.post(f"/hub/jobs/{failed}/retry", data={"csrf_token": token})
    assert resp.status_code == 302 and job_state(hub_app, failed) == "queued"
    resp = admin.post(f"/hub/jobs/{queued}/cancel", data={"csrf_token": token,
                                                          "next": "/hub/jobs/?state=queued"})
    assert resp.headers["Location"].endswith("/hub/jobs/?state=queued")
    assert job_state(hub_app, queued) == "cancelled"
    resp = admin.post(f"/hub/jobs/{done}/cancel", data={"csrf_token": token},
                      follow_redirects=True)
    assert f"job #{done} is done" in resp.get_data(as_text=True)
    assert job_state(hub_app, done) == "done"
    with hub_app.app_context():
        events = db.session.execute(select(AuditLog.action, AuditLog.record_id, AuditLog.actor)
                                    .where(AuditLog.model == "SyncJob")
                                    .order_by(AuditLog.id)).all()
    assert [tuple(e) for e in events] == [("hub_retry", str(failed), "admin1"),
                                          ("hub_cancel", str(queued), "admin1")]


def test_bulk_retry_of_selected_failed_jobs(hub_app):
    erp = add_backend(hub_app, "A")
    one, two, three = add_jobs(hub_app, [{"backend_id": erp, "state": "failed"}] * 3)
    admin = client_of(hub_app, "admin1")
    token = csrf_token(admin.get("/hub/jobs/").get_data(as_text=True))
    resp = admin.post("/hub/jobs/retry", data={"csrf_token": token, "rowid": [one, three]},
                      follow_redirects=True)
    assert "2 jobs sent again." in resp.get_data(as_text=True)
    assert [job_state(hub_app, j) for j in (one, two, three)] == ["queued", "failed", "queued"]


def test_finance_reads_jobs_and_dashboard_but_cannot_act(hub_app):
    (failed,) = add_jobs(hub_app, [{"state": "failed", "last_error": "no such product"}])
    fin = client_of(hub_app, "fin1")
    jobs = fin.get("/hub/jobs/")
    assert jobs.status_code == 200 and listed_ids(jobs.get_data(as_text=True)) == [failed]
    assert "hub-retry" not in jobs.get_data(as_text=True)
    assert fin.get(f"/hub/jobs/{failed}").status_code == 200
    dash = fin.get("/hub/dashboard/")
    assert dash.status_code == 200 and "no such product" in dash.get_data(as_text=True)
    assert fin.get("/hub/dashboard/data").status_code == 200
    token = csrf_token(dash.get_data(as_text=True))
    assert fin.post(f"/hub/jobs/{failed}/retry", data={"csrf_token": token}).status_code == 403
    assert fin.post(f"/hub/jobs/{failed}/cancel", data={"csrf_token": token}).status_code == 403
    assert job_state(hub_app, failed) == "failed"
    assert fin.get("/hub/backends/list/").status_code == 403
    assert fin.get("/metrics").status_code == 403


def test_salesperson_is_refused_every_hub_screen(hub_app):
    erp = add_backend(hub_app, "A")
    (job,) = add_jobs(hub_app, [{"backend_id": erp, "state": "failed"}])
    sales = hub_app.test_client()
    token = login(sales, "sales1")
    for path in ("/hub/dashboard/", "/hub/dashboard/data", "/hub/jobs/", f"/hub/jobs/{job}",
                 "/hub/bindings/list/", "/hub/backends/list/", f"/hub/backends/show/{erp}",
                 "/hub/backends/add", "/metrics"):
        assert sales.get(path).status_code == 403, path
    assert sales.post(f"/hub/jobs/{job}/retry", data={"csrf_token": token}).status_code == 403
    assert job_state(hub_app, job) == "failed"
    assert "Integrations" not in sales.get("/").get_data(as_text=True)


def nearest_rank(values, q):
    values = sorted(values)
    return values[max(1, math.ceil(q * len(values))) - 1]


def world(app):
    """Jobs over two backends and two kinds; the last hour's done ones with
    known latencies and finish times; old ones outside the window."""
    a, b = add_backend(app, "ERP A"), add_backend(app, "ERP B")
    now = utcnow()
    rows = []
    for n in range(30):  # done in the last hour, spread over the 5-minute buckets
        # 1.5, 3.5 ... 59.5 minutes ago: seconds away from any bucket edge, so
        # the few seconds between this and the request move none across
        finished = now - dt.timedelta(minutes=2 * n + 1.5)
        wait = dt.timedelta(seconds=3 * n + 1)
        rows.append({"backend_id": a if n % 3 else b, "state": "done",
                     "created_at": finished - wait, "finished_at": finished,
                     "kind": "sales.order.push" if n % 4 else "sales.order.cancel"})
    for n in range(5):  # done yesterday: counted per state, not in the last hour
        rows.append({"backend_id": a, "state": "done", "created_at": now - dt.timedelta(days=1),
                     "finished_at": now - dt.timedelta(hours=23)})
    rows += [{"backend_id": a, "state": "failed", "last_error": "product P-9 unknown",
              "created_at": now - dt.timedelta(minutes=20),
              "finished_at": now - dt.timedelta(minutes=10)},
             {"backend_id": b, "state": "cancelled", "finished_at": now - dt.timedelta(hours=2)}]
    rows += [{"backend_id": b, "state": "pending", "created_at": now - dt.timedelta(minutes=7)},
             {"backend_id": a, "state": "queued", "created_at": now - dt.timedelta(minutes=42)},
             {"backend_id": a, "state": "queued", "created_at": now - dt.timedelta(minutes=3)},
             {"backend_id": a, "state": "running", "created_at": now - dt.timedelta(minutes=1)}]
    ids = add_jobs(app, rows)
    return {"a": a, "b": b, "now": now, "rows": rows, "ids": ids}


def expected(w, backend=None, kind=None):
    rows = [r for r in w["rows"] if (backend is None or r["backend_id"] == backend)
            and (kind is None or r.get("kind", "sales.order.push") == kind)]
    hour = [r for r in rows if r.get("finished_at") and
            r["finished_at"] >= w["now"] - dt.timedelta(hours=1)]
    done = [r for r in hour if r["state"] == "done"]
    lat = [(r["finished_at"] - r["created_at"]).total_seconds() for r in done]
    waiting = [r for r in rows if r["state"] in ("pending", "queued")]
    return {"done": len(done), "failed": sum(r["state"] == "failed" for r in hour),
            "p50": nearest_rank(lat, 0.5) if lat else None,
            "p95": nearest_rank(lat, 0.95) if lat else None,
            "backlog": len(waiting),
            "oldest": min(r["created_at"] for r in waiting) if waiting else None,
            "per_state": {(r["backend_id"], s): sum(1 for x in rows if x["state"] == s and
                                                   x["backend_id"] == r["backend_id"])
                          for r in rows for s in ("pending", "queued", "running", "done",
                                                  "failed", "cancelled")}}


def test_dashboard_figures_equal_the_rows(hub_app):
    w = world(hub_app)
    admin = client_of(hub_app, "admin1")
    names = {w["a"]: "ERP A", w["b"]: "ERP B"}
    for query, backend, kind in (("", None, None), (f"?backend={w['a']}", w["a"], None),
                                 ("?kind=sales.order.cancel", None, "sales.order.cancel")):
        data = admin.get(f"/hub/dashboard/data{query}").get_json()
        want = expected(w, backend, kind)
        hour = data["last_hour"]
        assert (hour["done"], hour["outcomes"]["failed"]) == (want["done"], want["failed"])
        assert sum(b["done"] for b in hour["buckets"]) == want["done"]
        assert len(hour["buckets"]) == 12
        assert (hour["latency_p50"], hour["latency_p95"]) == (want["p50"], want["p95"])
        assert data["backlog"]["total"] == want["backlog"]
        got = {(b, s): n for row in data["per_backend"] for s, n in row["states"].items()
               for b in [k for k, v in names.items() if v == row["backend"]]}
        assert {k: v for k, v in got.items() if v} == {
            k: v for k, v in want["per_state"].items() if v}
        per_kind = {}  # the same rows by kind: cancellations beside pushes
        for r in w["rows"]:
            if backend in (None, r["backend_id"]) and kind in (None, r.get(
                    "kind", "sales.order.push")):
                key = (r.get("kind", "sales.order.push"), r["state"])
                per_kind[key] = per_kind.get(key, 0) + 1
        assert {(row["kind"], s): n for row in data["per_kind"]
                for s, n in row["states"].items() if n} == per_kind
    # bucket by bucket (two or three per bucket)
    data = admin.get("/hub/dashboard/data").get_json()
    since = w["now"] - dt.timedelta(hours=1)
    per_bucket = [0] * 12
    for r in w["rows"]:
        if r["state"] == "done" and r["finished_at"] >= since:
            per_bucket[int((r["finished_at"] - since) / dt.timedelta(minutes=5))] += 1
    assert [b["done"] for b in data["last_hour"]["buckets"]] == per_bucket
    age = data["backlog"]["oldest_age_seconds"]
    assert 42 * 60 <= age < 42 * 60 + 60
    assert [f["last_error"] for f in data["failed"]] == ["product P-9 unknown"]
    page = admin.get("/hub/dashboard/").get_data(as_text=True)
    assert f'id="backlog-total">{expected(w)["backlog"]}<' in page
    assert f'id="done-last-hour">{expected(w)["done"]}<' in page
    row = page.split('<tr data-kind="sales.order.cancel">', 1)[1].split("</tr>", 1)[0]
    assert "?kind=sales.order.cancel" in row and re.search(r'class="text-right total">8<', row)
    assert "chart.umd.min.js" in page and "cdn" not in page.lower()
    assert 'class="btn btn-xs btn-primary hub-retry"' in page


def metric(text_body, name, **labels):
    for line in text_body.splitlines():
        if line.startswith(name + ("{" if labels else " ")):
            found = dict(re.findall(r'(\w+)="([^"]*)"', line.rsplit("}", 1)[0]))
            if found == {k: str(v) for k, v in labels.items()}:
                return float(line.rsplit(" ", 1)[1])
    return None


def test_metrics_need_auth_and_match_the_rows(hub_app):
    w = world(hub_app)
    anonymous = hub_app.test_client()
    assert anonymous.get("/metrics").status_code == 401
    assert anonymous.get("/metrics", headers={"Authorization": "Bearer wrong"}
                         ).status_code == 403
    resp = anonymous.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/plain")
    body = resp.get_data(as_text=True)
    want = expected(w)
    for (backend_id, state), n in want["per_state"].items():
        name = {w["a"]: "ERP A", w["b"]: "ERP B"}[backend_id]
        assert metric(body, "crossdock_hub_jobs", state=state, backend=name) == n
    for backend_id, name in ((w["a"], "ERP A"), (w["b"], "ERP B")):
        assert metric(body, "crossdock_hub_queue_depth", backend=name) == \
            expected(w, backend_id)["backlog"]
        assert metric(body, "crossdock_hub_jobs_finished_last_hour", outcome="done",
                      backend=name) == expected(w, backend_id)["done"]
    assert metric(body, "crossdock_hub_jobs_finished_last_hour", outcome="failed",
                  backend="ERP A") == 1
    assert metric(body, "crossdock_hub_job_latency_seconds", quantile="0.5") == want["p50"]
    assert metric(body, "crossdock_hub_job_latency_seconds", quantile="0.95") == want["p95"]
    assert 42 * 60 <= metric(body, "crossdock_hub_oldest_waiting_seconds") < 42 * 60 + 60
    assert client_of(hub_app, "admin1").get("/metrics").status_code == 200


def test_hub_labels_in_chinese(hub_app):
    admin = client_of(hub_app, "admin1")
    page = admin.get("/hub/jobs/", headers={"Accept-Language": "zh"}).get_data(as_text=True)
    assert "集成" in page and "同步作业" in page and "重试所选" not in page  # no jobs yet
    dash = admin.get("/hub/dashboard/", headers={"Accept-Language": "zh"}).get_data(as_text=True)
    assert "同步仪表盘" in dash and "积压" in dash
