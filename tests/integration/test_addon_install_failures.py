"""A failed install changes nothing: no table, no state, no permission; the reason is given."""
from __future__ import annotations

import pytest
from sqlalchemy import inspect, select

from core.addons import lifecycle
from core.addons.models import AddonModule, registry_version
from core.db import db
from tests.conftest import EXAMPLE_ADDONS, TESTS_DIR

FAULTY = TESTS_DIR / "addons_faulty"


@pytest.fixture
def faulty_app(make_app):
    return make_app(addons_paths=(EXAMPLE_ADDONS, FAULTY))


def _attempt(app, name):
    with app.app_context():
        runtime = app.extensions["crossdock"].runtime
        before = registry_version(db.session)
        with pytest.raises(lifecycle.LifecycleError) as err:
            lifecycle.install(db.session, runtime, [name])
        assert registry_version(db.session) == before
        assert db.session.scalars(select(AddonModule)).all() == []
        tables = set(inspect(db.engine).get_table_names())
    return str(err.value), tables


def test_migration_failing_halfway_leaves_no_table(faulty_app):
    message, tables = _attempt(faulty_app, "bad_migration")
    assert "installing bad_migration failed" in message
    assert "no_such_table" in message
    assert "bad_migration_half" not in tables


def test_failing_hook_rolls_back_its_migration(faulty_app):
    message, tables = _attempt(faulty_app, "failing_hook")
    assert "post_install hook failed on purpose" in message
    assert "failing_hook_table" not in tables


def test_missing_external_dependencies_are_named(faulty_app):
    message, _ = _attempt(faulty_app, "needs_program")
    assert "program 'crossdock-no-such-program'" in message
    assert "python package 'no_such_python_module_xyz'" in message


def test_broken_addon_is_reported_and_the_host_serves_the_rest(faulty_app):
    runtime = faulty_app.extensions["crossdock"].runtime
    assert "this addon needs a module that is not there" in runtime.broken["broken_import"]
    assert "dependency cycle" in runtime.broken["cycle_a"]
    assert "not_on_disk" in runtime.broken["missing_dep"]
    message, _ = _attempt(faulty_app, "broken_import")
    assert "broken" in message
    message, _ = _attempt(faulty_app, "cycle_b")
    assert "cycle" in message
    # everything else still installs and serves
    with faulty_app.app_context():
        lifecycle.install(db.session, faulty_app.extensions["crossdock"].runtime,
                          ["example_notes"])
    assert faulty_app.test_client().get("/login/").status_code == 200
