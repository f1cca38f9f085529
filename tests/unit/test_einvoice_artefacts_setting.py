"""Where the official EN 16931 artefacts are: a setting, never a copy in the
project; a missing setting or file is refused with its name."""
from __future__ import annotations

import pytest

from connectors.einvoice import artefacts
from connectors.einvoice.artefacts import ArtefactsMissing, artefacts_folder
from connectors.einvoice.validation import NotEn16931, validate
from core.config import Settings


def settings(tmp_path, **overrides):
    return Settings.from_env(instance_path=tmp_path, secret_key="k", **overrides)


def test_unset_names_the_variable(tmp_path, monkeypatch):
    monkeypatch.delenv("CROSSDOCK_EN16931_ARTEFACTS", raising=False)
    with pytest.raises(ArtefactsMissing, match="CROSSDOCK_EN16931_ARTEFACTS is not set"):
        artefacts_folder(settings(tmp_path))


def test_the_environment_names_the_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("CROSSDOCK_EN16931_ARTEFACTS", str(tmp_path))
    assert artefacts_folder(settings(tmp_path)) == tmp_path.resolve()


def test_a_folder_that_is_not_there_is_named(tmp_path):
    gone = tmp_path / "en16931"
    with pytest.raises(ArtefactsMissing, match=f"{gone} is missing"):
        artefacts_folder(settings(tmp_path, en16931_artefacts=str(gone)))


def test_a_missing_file_is_named(tmp_path):
    (tmp_path / "ubl").mkdir()
    with pytest.raises(ArtefactsMissing, match="ubl/xslt/EN16931-UBL-validation.xslt is missing"):
        artefacts.rules(tmp_path, "ubl")
    with pytest.raises(ArtefactsMissing, match="UBL-CreditNote-2.1.xsd is missing"):
        artefacts.schema(tmp_path, "CreditNote")


@pytest.mark.parametrize("xml", [b"<Invoice>", b"<Order xmlns='urn:x'/>",
                                 b"<Invoice xmlns='urn:oasis:names:specification:ubl:schema:"
                                 b"xsd:CreditNote-2'/>"])
def test_what_is_not_an_en16931_document_is_refused_before_any_artefact(xml, tmp_path):
    with pytest.raises(NotEn16931):
        validate(xml, tmp_path)
