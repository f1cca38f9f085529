"""Addons declare CLI commands; `crossdock` lists them under the addon's name."""
from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from core import cli
from core.addons.loader import AddonDeclarationError, AddonRegistrar
from tests.conftest import TESTS_DIR


@click.command("hello")
def hello() -> None:
    """Say hello."""


def test_registrar_takes_click_commands_only_once():
    addon = AddonRegistrar("shop")
    addon.command(hello)
    assert addon.commands == [hello]
    with pytest.raises(AddonDeclarationError, match="addon 'shop': two commands named 'hello'"):
        addon.command(hello)
    with pytest.raises(AddonDeclarationError, match="addon 'shop': .* is not a click command"):
        addon.command(lambda: None)


def test_addon_groups_are_listed_and_core_names_win(monkeypatch):
    monkeypatch.setattr(cli, "_addon_commands", lambda: {"shop": [hello], "db": [hello]})
    runner = CliRunner()
    listing = runner.invoke(cli.main, ["--help"]).output
    assert "shop" in listing and "Commands of the addon 'shop'." in listing
    shop = runner.invoke(cli.main, ["shop", "--help"])
    assert shop.exit_code == 0 and "hello" in shop.output and "Say hello." in shop.output
    core_db = runner.invoke(cli.main, ["db", "--help"]).output
    assert "upgrade" in core_db and "hello" not in core_db
    unknown = runner.invoke(cli.main, ["nothing", "hello"])
    assert unknown.exit_code == 2 and "No such command" in unknown.output


def test_commands_are_read_from_the_addons_and_broken_ones_are_skipped(monkeypatch, tmp_path):
    monkeypatch.setenv("CROSSDOCK_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("CROSSDOCK_ADDONS_PATH", str(TESTS_DIR / "addons_faulty"))
    cli._addon_commands.cache_clear()
    try:
        found = cli._addon_commands()
    finally:
        cli._addon_commands.cache_clear()
    assert [c.name for c in found["contacts"]] == [
        "demo", "export-personal-data", "erase-personal-data"]
    assert "broken_import" not in found and "example_notes" not in found
