"""A layer's settings section: defaults, CROSSDOCK_* environment, overrides."""
import pytest

from addons.contacts.settings import ContactsSettings
from connectors.hub.settings import HubSettings
from core.config import Settings


def settings(tmp_path, **overrides):
    return Settings.from_env(instance_path=tmp_path, secret_key="k", **overrides)


def test_defaults_when_nothing_is_set(tmp_path, monkeypatch):
    monkeypatch.delenv("CROSSDOCK_HUB_LEASE_SECONDS", raising=False)
    assert settings(tmp_path).section(HubSettings).hub_lease_seconds == 120.0


def test_environment_is_parsed_by_the_type_of_the_default(tmp_path, monkeypatch):
    monkeypatch.setenv("CROSSDOCK_HUB_KEEP_DONE_DAYS", "7")
    monkeypatch.setenv("CROSSDOCK_DEFAULT_PHONE_REGION", "DE")
    s = settings(tmp_path)
    assert s.section(HubSettings).hub_keep_done_days == 7
    assert s.section(ContactsSettings).default_phone_region == "DE"


def test_an_override_wins_over_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("CROSSDOCK_IMPORT_MAX_ROWS", "10")
    assert settings(tmp_path, import_max_rows=5).section(ContactsSettings).import_max_rows == 5


def test_a_bad_value_names_the_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("CROSSDOCK_HUB_SWEEP_SECONDS", "often")
    with pytest.raises(ValueError, match="CROSSDOCK_HUB_SWEEP_SECONDS='often' is not a float"):
        settings(tmp_path).section(HubSettings)
