"""The fault proxy itself: each mode does to a plain HTTP client what it says."""
from __future__ import annotations

import time

import pytest
import requests


pytest_plugins = ["tests.doubles.fixtures"]  # odoo_server, erpnext_server, proxy_to


def test_fault_proxy_modes(odoo_server, proxy_to):
    proxy = proxy_to(odoo_server)
    session = requests.Session()  # keep-alive: switching mode must still take effect
    version = f"{proxy.url}/web/version"
    assert session.get(version, timeout=5).json()["version"] == "19.0"

    proxy.set_mode("503")
    busy = session.post(version, json={"x": 1}, timeout=5)
    assert (busy.status_code, busy.headers["Retry-After"]) == (503, "1")

    proxy.set_mode("429", retry_after=12)
    limited = session.get(version, timeout=5)
    assert (limited.status_code, limited.headers["Retry-After"]) == (429, "12")

    proxy.set_mode("refuse")
    with pytest.raises(requests.ConnectionError, match="refused"):
        requests.get(version, timeout=5)

    proxy.set_mode("slow", delay=0.3)
    started = time.monotonic()
    assert session.get(version, timeout=5).status_code == 200
    assert time.monotonic() - started >= 0.3
    with pytest.raises(requests.Timeout):
        session.get(version, timeout=(5, 0.1))

    proxy.set_mode("pass")
    assert session.get(version, timeout=5).status_code == 200
