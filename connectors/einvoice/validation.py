"""Judge an EN 16931 document as the official tools do, in-process: the
syntax's XSD (lxml) and the CEN/TC 434 business rules (the official XSLT 2.0
rendering of the schematron, run by Saxon), whose SVRL output is read into
findings. Valid means: the XSD passes and no finding is fatal.

    report = validate(xml_bytes, artefacts_folder(settings))
    if not report.valid:
        ...  # report.fatal: [Finding("BR-CO-16", "fatal", "Amount due for payment ...", ...)]
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from . import artefacts

SVRL = "http://purl.oclc.org/dsdl/svrl"
ROOTS = {  # namespace of the root element -> (syntax, root name)
    "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2": ("ubl", "Invoice"),
    "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2": ("ubl", "CreditNote"),
    "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100": (
        "cii", "CrossIndustryInvoice"),
}
_ID_PREFIX = re.compile(r"^\s*\[[^\]]+\]\s*-\s*")  # "[BR-CO-16]-Amount due ..." -> the text


@dataclass(frozen=True)
class Finding:
    rule: str  # BR-CO-16, BR-S-02, CII-SR-123 ...
    flag: str  # fatal | warning
    text: str  # the official English text
    location: str  # XPath of the offending node


@dataclass(frozen=True)
class Report:
    syntax: str  # ubl | cii
    schema_errors: tuple[str, ...]  # "line 12: Element ... is not expected"
    findings: tuple[Finding, ...]

    @property
    def fatal(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.flag == "fatal")

    @property
    def valid(self) -> bool:
        return not self.schema_errors and not self.fatal


class NotEn16931(ValueError):
    """Not XML, or not a UBL Invoice/CreditNote or CII CrossIndustryInvoice."""


def validate(xml: bytes, folder: Path) -> Report:
    """Check `xml` against the XSD and the business rules of its syntax, with the
    official artefacts in `folder` (compiled on first use, then reused)."""
    try:
        tree = etree.fromstring(xml)
    except etree.XMLSyntaxError as exc:
        raise NotEn16931(f"not well-formed XML: {exc}") from None
    syntax, root = ROOTS.get(etree.QName(tree).namespace, (None, None))
    if etree.QName(tree).localname != root:
        raise NotEn16931(f"{etree.QName(tree).text} is neither a UBL Invoice/CreditNote "
                         "nor a CII CrossIndustryInvoice")
    return Report(syntax, _schema_errors(tree, folder, root),
                  _findings(_svrl(tree, folder, syntax)))


def _schema_errors(tree, folder: Path, root: str) -> tuple[str, ...]:
    compiled = artefacts.schema(folder, root)
    with compiled.lock:  # the error log lives on the schema object
        if compiled.value.validate(tree):
            return ()
        return tuple(f"line {e.line}: {e.message}" for e in compiled.value.error_log)


def _svrl(tree, folder: Path, syntax: str) -> bytes:
    compiled = artefacts.rules(folder, syntax)
    # as text without a declaration: Saxon takes a str, whatever the bytes' encoding was
    node = artefacts.saxon().parse_xml(xml_text=etree.tostring(tree, encoding="unicode"))
    with compiled.lock:
        out = compiled.value.transform_to_string(xdm_node=node)
    return out.encode("utf-8")


def _findings(svrl: bytes) -> tuple[Finding, ...]:
    found = []
    for node in etree.fromstring(svrl).iter(f"{{{SVRL}}}failed-assert",
                                            f"{{{SVRL}}}successful-report"):
        text = node.findtext(f"{{{SVRL}}}text") or ""
        found.append(Finding(node.get("id", ""), node.get("flag", "fatal"),
                             _ID_PREFIX.sub("", " ".join(text.split())),
                             node.get("location", "")))
    return tuple(found)
