"""HTTP metrics at /metrics: counted per route template (never the raw path)
and status class, beside the hub's gauges."""
from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
TOKEN = "metrics-token-for-tests"


def scrape(client) -> dict:
    """{(sample name, frozenset of labels): value}"""
    resp = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert resp.status_code == 200
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(resp.get_data(as_text=True))
            for s in family.samples}


def test_requests_counted_by_route_template_and_status_class(make_app):
    client = make_app(metrics_token=TOKEN).test_client()
    before = scrape(client)
    for pk in (4242, 4343):
        assert client.get(f"/users/show/{pk}").status_code == 302  # to the login page
    assert client.get("/no/such/page-9137").status_code == 404
    after = scrape(client)

    def grew(name, **labels):
        key = (name, frozenset(labels.items()))
        return after.get(key, 0) - before.get(key, 0)

    shown = dict(method="GET", route="/users/show/<pk>", status="3xx")
    assert grew("crossdock_http_requests_total", **shown) == 2
    assert grew("crossdock_http_request_duration_seconds_count", **shown) == 2
    assert grew("crossdock_http_request_duration_seconds_bucket", le="+Inf", **shown) == 2
    assert grew("crossdock_http_requests_total", method="GET", route="<unmatched>",
                status="4xx") == 1
    routes = {dict(labels).get("route") for _name, labels in after}
    assert not any(r and ("4242" in r or "9137" in r) for r in routes)
    assert ("crossdock_hub_oldest_waiting_seconds", frozenset()) in after  # the hub's, beside
