"""Addons are found in three places: built-ins, the addons path, and installed
distributions declaring the `crossdock.addons` entry point group."""
from __future__ import annotations

import sys

from core.addons.discovery import discover


def _package(root, name, manifest):
    pkg = root / name
    pkg.mkdir(parents=True)
    (pkg / "__manifest__.py").write_text(manifest)
    (pkg / "__init__.py").write_text("raise SystemExit('discovery must not import')\n")
    return pkg


def test_third_party_distribution_is_found_by_entry_point(tmp_path, monkeypatch):
    site = tmp_path / "site"
    _package(site, "crossdock_helpdesk_x", "{'name': 'helpdesk_x', 'version': '0.3.0'}")
    dist = site / "crossdock_helpdesk_x-0.3.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: crossdock-helpdesk-x\n"
                                   "Version: 0.3.0\n")
    (dist / "entry_points.txt").write_text(
        "[crossdock.addons]\nhelpdesk_x = crossdock_helpdesk_x\n")
    monkeypatch.syspath_prepend(str(site))

    found = discover()
    src = found["helpdesk_x"]
    assert (src.origin, src.module, src.manifest.version, src.error) == (
        "entry point", "crossdock_helpdesk_x", "0.3.0", None)
    assert "crossdock_helpdesk_x" not in sys.modules


def test_addons_path_and_duplicates(tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    _package(first, "shop", "{'name': 'shop', 'version': '1.0'}")
    _package(second, "shop", "{'name': 'shop', 'version': '2.0'}")
    _package(second, "bad", "{'name': 'bad'}")
    found = discover((first, second))
    assert found["shop"].path == first / "shop"
    assert "two addons named 'shop'" in found["shop"].error
    # both places, their origins, and that neither is used
    assert f"{first / 'shop'} (addons path) and {second / 'shop'} (addons path)" in (
        found["shop"].error)
    assert "neither is loaded: remove or rename one" in found["shop"].error
    assert found["bad"].manifest is None and "version" in found["bad"].error
