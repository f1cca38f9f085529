"""Manifests are read without running addon code and refused with the addon named."""
from __future__ import annotations

import pytest

from core.addons.manifest import ManifestError, read_manifest


def _write(tmp_path, text, name="demo"):
    pkg = tmp_path / name
    pkg.mkdir()
    (pkg / "__manifest__.py").write_text(text)
    (pkg / "__init__.py").write_text("raise SystemExit('addon code was run')\n")
    return pkg


def test_reads_every_key_without_importing(tmp_path):
    pkg = _write(tmp_path, """{
        "name": "demo", "version": "2.1.0", "summary": "Demo", "category": "Sales",
        "depends": ["contacts", "sales"], "auto_install": ["sales"], "application": True,
        "external_dependencies": {"python": ["phonenumbers"], "bin": ["wkhtmltopdf"]},
    }""")
    m = read_manifest(pkg, "demo")
    assert (m.version_tuple, m.depends, m.application) == ((2, 1, 0), ("contacts", "sales"), True)
    assert m.auto_install_trigger == frozenset({"sales"})
    assert m.external_dependencies == {"python": ("phonenumbers",), "bin": ("wkhtmltopdf",)}


def test_reads_author_license_website_and_data_files(tmp_path):
    pkg = _write(tmp_path, """{
        "name": "demo", "version": "1.0.0", "author": "Ada", "license": "LGPL-3",
        "website": "https://example.org", "data": ["data/Stage.csv"],
        "demo": ["demo/records.yaml"],
    }""")
    m = read_manifest(pkg, "demo")
    assert (m.author, m.license, m.website) == ("Ada", "LGPL-3", "https://example.org")
    assert (m.data, m.demo) == (("data/Stage.csv",), ("demo/records.yaml",))


@pytest.mark.parametrize("text, message", [
    ("{'name': 'demo'}", "version must look like"),
    ("{'version': '1.0', 'depends': 'contacts'}", "depends must be a list"),
    ("{'version': '1.0', 'depends': ['demo']}", "depends on itself"),
    ("{'version': '1.0', 'depends': ['a'], 'auto_install': ['b']}", "subset of depends"),
    ("{'version': '1.0', 'colour': 'red'}", r"unknown key\(s\) colour"),
    ("{'version': '1.0', 'data': 'data/a.csv'}", "data must be a list of file paths"),
    ("{'version': '1.0', 'demo': ['../x.csv']}", "must be a relative path inside the addon"),
    ("{'version': '1.0', 'data': ['data/a.xml']}", "ending in .csv"),
    ("{'version': '1.0', 'author': 3}", "author must be a string"),
    ("{'version': '1.0', 'name': 'other'}", "must be the package name"),
    ("__import__('os').system('true')", "not a plain dict literal"),
    ("['version']", "must hold a dict"),
])
def test_bad_manifest_is_refused_with_the_addon_named(tmp_path, text, message):
    pkg = _write(tmp_path, text)
    with pytest.raises(ManifestError, match=message) as err:
        read_manifest(pkg, "demo")
    assert "addon 'demo'" in str(err.value)
