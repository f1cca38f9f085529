"""Install and uninstall order over manifests, as Odoo orders modules."""
from __future__ import annotations

import pytest

from core.addons.graph import DependencyError, dependents, install_plan, topological
from core.addons.manifest import Manifest


def _m(name, depends=(), auto=False):
    return Manifest(name=name, version="1.0", depends=tuple(depends), auto_install=auto)


MANIFESTS = {m.name: m for m in [
    _m("contacts"), _m("sales", ["contacts"]), _m("invoicing"),
    _m("invoicing_link", ["sales", "invoicing"], auto=True),
    _m("service_desk", ["contacts"]),
    _m("sales_desk_glue", ["sales", "service_desk"], auto=("service_desk",)),
]}


def test_dependencies_come_first():
    assert install_plan(["sales"], set(), MANIFESTS) == ["contacts", "sales"]


def test_glue_installs_when_its_trigger_set_is_complete():
    assert install_plan(["invoicing"], {"contacts", "sales"}, MANIFESTS) == [
        "invoicing", "invoicing_link"]
    # auto_install as a subset: service_desk alone triggers the glue, which pulls sales
    assert install_plan(["service_desk"], set(), MANIFESTS) == [
        "contacts", "service_desk", "sales", "sales_desk_glue"]


def test_installed_addons_are_not_planned_again():
    assert install_plan(["sales"], {"contacts", "sales"}, MANIFESTS) == []


def test_uninstall_takes_dependents_first():
    installed = {"contacts", "sales", "invoicing", "invoicing_link"}
    order = dependents(["contacts"], installed, MANIFESTS)
    assert order[-1] == "contacts"
    assert order.index("invoicing_link") < order.index("sales")
    assert "invoicing" not in order


def test_cycles_are_named():
    cyclic = {"a": _m("a", ["b"]), "b": _m("b", ["c"]), "c": _m("c", ["a"])}
    with pytest.raises(DependencyError, match="cycle: a -> b -> c -> a"):
        topological(["a"], cyclic)


def test_unknown_and_missing_are_named():
    with pytest.raises(DependencyError, match="unknown addon"):
        install_plan(["nope"], set(), MANIFESTS)
    broken = {"x": _m("x", ["y"])}
    with pytest.raises(DependencyError, match="'x' depends on 'y', which is not available"):
        install_plan(["x"], set(), broken)
