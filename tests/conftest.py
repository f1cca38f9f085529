"""Test fixtures: apps built through create_app on real SQLite and PostgreSQL.

The fixtures themselves (`database_url`, `app`, `make_app`, `client_as`,
`pg_admin_url`, the per-worker template databases behind the `addons` marker)
are the plugin addons use too, `core/testing/plugin.py`; this suite adds its
example addons (`tests/addons`) as the addons path and the real Tryton servers.
"""
from __future__ import annotations

from pathlib import Path

import pytest

pytest.register_assert_rewrite("core.testing.plugin")  # imported below, before pytest_plugins

from core.testing.plugin import new_pg_database, settings_for  # noqa: E402,F401 (used by tests)
from tests.erp.tryton_server import fresh_tryton, tryton  # noqa: E402,F401  (real Tryton servers)
from tests.hub_processes import redis  # noqa: E402,F401  (a throwaway Redis server)
from tests.rabbitmq_server import rabbitmq  # noqa: E402,F401  (a throwaway RabbitMQ node)

# the plugin's entry point has the module's name, so an installed one is not loaded twice
pytest_plugins = ["core.testing.plugin"]

TESTS_DIR = Path(__file__).resolve().parent
EXAMPLE_ADDONS = TESTS_DIR / "addons"


@pytest.fixture(scope="session")
def crossdock_addons_paths() -> tuple[Path, ...]:
    return (EXAMPLE_ADDONS,)


def test_settings(instance: Path, database_url: str, **overrides):
    """Settings of the suite's apps (the example addons on the addons path)."""
    overrides.setdefault("addons_paths", (EXAMPLE_ADDONS,))
    return settings_for(instance, database_url, **overrides)
