"""Dependencies first on install, glue addons automatically, dependents first on uninstall."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core.addons import lifecycle
from core.addons.models import AddonModule
from core.db import db
from tests.conftest import TESTS_DIR


@pytest.fixture
def graph_app(make_app):
    return make_app(addons_paths=(TESTS_DIR / "addons_graph",))


def _call(app, fn, *args):
    with app.app_context():
        return fn(db.session, app.extensions["crossdock"].runtime, *args)


def _states(app):
    with app.app_context():
        return {m.name: m.state for m in db.session.scalars(select(AddonModule))}


def test_install_pulls_dependencies_then_glue(graph_app, tmp_path):
    assert _call(graph_app, lifecycle.install, ["gamma"]) == ["alpha", "gamma"]
    assert _call(graph_app, lifecycle.install, ["beta"]) == ["beta", "alpha_beta_glue"]
    assert _states(graph_app) == dict.fromkeys(
        ["alpha", "beta", "gamma", "alpha_beta_glue"], "installed")

    plan = _call(graph_app, lifecycle.plan_uninstall, ["alpha"])
    assert plan.addons[-1] == "alpha"
    assert set(plan.addons) == {"alpha", "gamma", "alpha_beta_glue"}
    removed, _ = _call(graph_app, lifecycle.uninstall, ["alpha"], tmp_path)
    assert removed == plan.addons
    assert _states(graph_app) == {"alpha": "uninstalled", "gamma": "uninstalled",
                                  "alpha_beta_glue": "uninstalled", "beta": "installed"}


def test_disable_takes_dependents_along_and_enable_brings_dependencies(graph_app):
    _call(graph_app, lifecycle.install, ["gamma"])
    assert _call(graph_app, lifecycle.disable, ["alpha"]) == ["gamma", "alpha"]
    assert _call(graph_app, lifecycle.enable, ["gamma"]) == ["alpha", "gamma"]
    with pytest.raises(lifecycle.LifecycleError, match="not installed"):
        _call(graph_app, lifecycle.enable, ["beta"])
