"""Session fixtures serving the doubles; import them into a test module
(`from tests.doubles.fixtures import odoo_server  # noqa: F401`) or list this
module in `pytest_plugins` (a test module's, or the root conftest's).

Seeded products/items share codes so tests of both clients read alike:
CD-CHAIR 120.00, CD-DESK 349.90, CD-LAMP 19.99. Tests use fresh references
(`tests.doubles.references.unique_ref`), so one server serves the whole
session.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from .erpnext_double import ErpNextDouble
from .fault_proxy import FaultProxy
from .json_http import JsonHttpServer
from .nuonuo_double import NuonuoDouble
from .odoo_double import OdooDouble

CATALOG = {"CD-CHAIR": Decimal("120.00"), "CD-DESK": Decimal("349.90"),
           "CD-LAMP": Decimal("19.99")}


@pytest.fixture(scope="session")
def odoo_server():
    """An Odoo double on a free port: `.url`, `.app` (the OdooDouble)."""
    server = JsonHttpServer(OdooDouble(CATALOG)).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def erpnext_server():
    """An ERPNext double on a free port: `.url`, `.app` (the ErpNextDouble)."""
    server = JsonHttpServer(ErpNextDouble(CATALOG)).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def nuonuo_server():
    """A Nuonuo double on a free port: `.url`, `.app` (the NuonuoDouble, its
    credentials the defaults; a fapiao is pending 0.3 s, then issued)."""
    server = JsonHttpServer(NuonuoDouble()).start()
    yield server
    server.stop()


@pytest.fixture
def proxy_to():
    """`proxy_to(server)` -> a started FaultProxy in front of it, stopped after the test."""
    proxies = []

    def start(server) -> FaultProxy:
        proxy = FaultProxy("127.0.0.1", server.port).start()
        proxies.append(proxy)
        return proxy

    yield start
    for proxy in proxies:
        proxy.stop()
