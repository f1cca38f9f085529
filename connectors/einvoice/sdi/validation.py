"""Judge XML by one of SdI's official XSDs: the error messages a person can
act on (element named, line given), none when valid."""
from __future__ import annotations

from pathlib import Path

from lxml import etree

from . import artefacts

# no DTDs, no entities, no network: files come from outside (notifications, tests)
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def schema_errors(tree, folder: Path, xsd: str) -> tuple[str, ...]:
    """`tree` (an element or document) against the XSD at `folder/xsd`."""
    compiled = artefacts.schema(folder, xsd)
    with compiled.lock:  # the error log lives on the schema object
        if compiled.value.validate(tree):
            return ()
        return tuple(f"line {e.line}: {e.message}" for e in compiled.value.error_log)


def fatturapa_errors(xml: bytes, folder: Path) -> tuple[str, ...]:
    """A FatturaPA 1.2 file against the official schema (with xmldsig)."""
    try:
        tree = etree.fromstring(xml, PARSER)
    except etree.XMLSyntaxError as exc:
        return (f"not well-formed XML: {exc}",)
    return schema_errors(tree, folder, artefacts.FATTURAPA_XSD)
