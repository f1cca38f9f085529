"""SdI's official WSDLs and XSDs in the configured folder
(`CROSSDOCK_SDI_ARTEFACTS`, laid out as fatturapa.gov.it / italia/fatturapa-testsdi
publish them), compiled once per process through `einvoice.artefacts`."""
from __future__ import annotations

from pathlib import Path

from ..artefacts import ArtefactsMissing, Compiled, compiled_schema, require
from ..settings import EinvoiceSettings

FATTURAPA_XSD = "core/schemas/Schema_del_file_xml_FatturaPA_versione_1.2_cleanup.xsd"
RICEVI_FILE_WSDL = "soap/SdIRiceviFile/SdIRiceviFile_v1.0.wsdl"
RICEVI_FILE_TYPES = "soap/SdIRiceviFile/TrasmissioneTypes_v1.0.xsd"
TRASMISSIONE_WSDL = "soap/TrasmissioneFatture/TrasmissioneFatture_v1.1.wsdl"
TRASMISSIONE_TYPES = "soap/TrasmissioneFatture/TrasmissioneTypes_v1.1.xsd"
RELEASE = "SdI artefacts"


def sdi_folder(settings) -> Path:
    """The configured folder, checked to exist (`settings`: core's Settings)."""
    configured = settings.section(EinvoiceSettings).sdi_artefacts
    if not configured:
        raise ArtefactsMissing(
            "CROSSDOCK_SDI_ARTEFACTS is not set: name the folder of SdI's published "
            "WSDLs and XSDs (core/schemas/, soap/ as fatturapa.gov.it lays them out)")
    return require(Path(configured), ".", RELEASE)


def path(folder: Path, relative: str) -> Path:
    return require(folder, relative, RELEASE)


def schema(folder: Path, relative: str) -> Compiled:
    """One of the XSDs above, compiled on first use and then shared."""
    return compiled_schema(path(folder, relative))
