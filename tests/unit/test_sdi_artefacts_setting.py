"""Where SdI's official WSDLs and XSDs are: a setting, never a copy in the
project; a missing setting or file is refused with its name, before any
request leaves."""
from __future__ import annotations

import pytest

from connectors.einvoice.artefacts import ArtefactsMissing
from connectors.einvoice.sdi.artefacts import sdi_folder
from connectors.einvoice.sdi.client import SdiClient
from connectors.einvoice.sdi.validation import fatturapa_errors
from core.config import Settings


def test_unset_names_the_variable(tmp_path, monkeypatch):
    monkeypatch.delenv("CROSSDOCK_SDI_ARTEFACTS", raising=False)
    with pytest.raises(ArtefactsMissing, match="CROSSDOCK_SDI_ARTEFACTS is not set"):
        sdi_folder(Settings.from_env(instance_path=tmp_path, secret_key="k"))


def test_the_environment_names_the_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("CROSSDOCK_SDI_ARTEFACTS", str(tmp_path))
    assert sdi_folder(Settings.from_env(instance_path=tmp_path, secret_key="k")) == \
        tmp_path.resolve()


def test_a_missing_wsdl_or_xsd_is_named(tmp_path):
    with pytest.raises(ArtefactsMissing, match="SdIRiceviFile_v1.0.wsdl is missing"):
        SdiClient(tmp_path, "http://127.0.0.1:9/ricevi_file")
    with pytest.raises(ArtefactsMissing, match="FatturaPA_versione_1.2_cleanup.xsd is missing"):
        fatturapa_errors(b"<FatturaElettronica/>", tmp_path)
