"""Every refusal names its real reason: a manifest's bad key or value, a dependency
whose manifest is bad, two addons with one name."""
from __future__ import annotations

import pytest

from core.addons import lifecycle
from core.db import db
from core.views.modules import module_rows


def _addon(root, name, manifest: str, init='"""Test addon."""\n'):
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "__manifest__.py").write_text(manifest)
    (folder / "__init__.py").write_text(init)
    return folder


@pytest.mark.parametrize("manifest, reason", [
    ('{"name": "odd", "version": "1.0.0", "data_files": ["x.csv"]}',
     "unknown key(s) data_files"),
    ('{"name": "odd", "version": "1.0.0", "data": "data/x.csv"}',
     "data must be a list of file paths"),
    ('{"name": "odd", "version": "one"}', "version must look like '1.0.0'"),
])
def test_a_bad_manifest_is_refused_with_its_error_not_as_unknown(make_app, tmp_path,
                                                                  manifest, reason):
    root = tmp_path / "addons"
    folder = _addon(root, "odd", manifest)
    _addon(root, "needs_odd", '{"name": "needs_odd", "version": "1.0.0", "depends": ["odd"]}')
    app = make_app(addons_paths=(root,))
    with app.test_request_context():
        runtime = app.extensions["crossdock"].runtime
        for name in ("odd", "needs_odd"):
            with pytest.raises(lifecycle.LifecycleError) as err:
                lifecycle.install(db.session, runtime, [name])
            message = str(err.value)
            assert "unknown addon" not in message
            assert reason in message and str(folder / "__manifest__.py") in message
        rows = {r.name: r for r in module_rows()}
        assert rows["odd"].state == "broken" and reason in rows["odd"].error
        assert rows["needs_odd"].state == "broken"
        assert "depends on 'odd', which is broken" in rows["needs_odd"].error
        assert reason in rows["needs_odd"].error


def test_two_addons_with_one_name_say_both_places_and_that_neither_is_used(make_app,
                                                                           tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    _addon(one, "twin", '{"name": "twin", "version": "1.0.0"}')
    _addon(two, "twin", '{"name": "twin", "version": "2.0.0"}')
    app = make_app(addons_paths=(one, two))
    with app.test_request_context():
        with pytest.raises(lifecycle.LifecycleError) as err:
            lifecycle.install(db.session, app.extensions["crossdock"].runtime, ["twin"])
        message = str(err.value)
        assert f"{one / 'twin'} (addons path) and {two / 'twin'} (addons path)" in message
        assert "neither is loaded: remove or rename one of them" in message
        row = next(r for r in module_rows() if r.name == "twin")
        assert row.state == "broken" and str(two / "twin") in row.error
