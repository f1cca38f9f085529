"""The official EN 16931 artefacts, found in the configured folder and compiled
once per process.

The folder is the ConnectingEurope/eInvoicing-EN16931 release as published
(`ubl/`, `cii/` inside); nothing of it is copied into Crossdock. Compiling a
stylesheet takes about half a second (a schema up to a tenth), so each is
compiled the first time it is asked for and then reused by every
thread; compiled objects are not safe to share mid-call, so each carries the
lock its callers hold while using it.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from .settings import EinvoiceSettings

# relative to the folder: the XSD per root element, the rules per syntax. CII's
# XSD is the "uncoupled" variant, as the CEN artefacts use: code values are
# the rules' to judge, not the schema's
_CII_XSD = ("cii/schema/D16B SCRDM (Subset)/uncoupled clm/CII/uncefact/data/standard/"
            "CrossIndustryInvoice_100pD16B.xsd")
SCHEMAS = {
    "Invoice": "ubl/schema/UBL-2.1/xsd/maindoc/UBL-Invoice-2.1.xsd",
    "CreditNote": "ubl/schema/UBL-2.1/xsd/maindoc/UBL-CreditNote-2.1.xsd",
    "CrossIndustryInvoice": _CII_XSD,
}
RULES = {"ubl": "ubl/xslt/EN16931-UBL-validation.xslt",
         "cii": "cii/xslt/EN16931-CII-validation.xslt"}


class ArtefactsMissing(RuntimeError):
    """The artefacts folder is not configured, or lacks a file (named)."""


@dataclass
class Compiled:
    """A compiled schema or stylesheet and the lock its users hold."""
    value: object
    seconds: float  # what compiling it took, once
    lock: threading.Lock = field(default_factory=threading.Lock)


_compiled: dict[Path, Compiled] = {}
_compiling = threading.RLock()  # saxon() is called while compiling
_saxon = None


def artefacts_folder(settings) -> Path:
    """The configured folder, checked to exist (`settings`: core's Settings)."""
    configured = settings.section(EinvoiceSettings).en16931_artefacts
    if not configured:
        raise ArtefactsMissing(
            "CROSSDOCK_EN16931_ARTEFACTS is not set: name the folder of the official "
            "EN 16931 validation artefacts (ConnectingEurope/eInvoicing-EN16931 release)")
    return require(Path(configured), ".")


def require(folder: Path, relative: str, release: str = "EN 16931 artefacts") -> Path:
    path = (folder / relative).resolve()
    if not path.exists():
        raise ArtefactsMissing(f"{release}: {path} is missing (the folder "
                               f"{folder} should hold the official release unchanged)")
    return path


def schema(folder: Path, root: str) -> Compiled:
    """The XSD for a document whose root element is `root`."""
    return compiled_schema(require(folder, SCHEMAS[root]))


def compiled_schema(path: Path) -> Compiled:
    """The XSD at `path`, compiled on first use (the SdI artefacts use it too)."""
    return _once(path, _compile_schema)


def rules(folder: Path, syntax: str) -> Compiled:
    """The business rules stylesheet of `syntax` ("ubl" or "cii")."""
    return _once(require(folder, RULES[syntax]), _compile_stylesheet)


def saxon():
    """The process's one Saxon processor (it owns the compiled stylesheets)."""
    global _saxon
    with _compiling:
        if _saxon is None:
            from saxonche import PySaxonProcessor

            _saxon = PySaxonProcessor(license=False)
        return _saxon


def _once(path: Path, compile_) -> Compiled:
    found = _compiled.get(path)
    if found is None:
        with _compiling:  # two threads asking at once: one compiles, one waits
            found = _compiled.get(path)
            if found is None:
                started = time.perf_counter()
                value = compile_(path)
                found = _compiled[path] = Compiled(value, time.perf_counter() - started)
    return found


def _compile_schema(path: Path) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(path)))


def _compile_stylesheet(path: Path):
    return saxon().new_xslt30_processor().compile_stylesheet(stylesheet_file=str(path))
