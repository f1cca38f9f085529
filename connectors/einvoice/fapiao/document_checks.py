"""What an issued fapiao's files must be before anyone keeps them (pure).

- PDF: starts with `%PDF-`;
- OFD (GB/T 33190, the bureau's original voucher): a ZIP whose root holds
  `OFD.xml`, itself well-formed XML;
- XML (the bureau's data file): well-formed, parsed with entities, DTDs and
  network off (an untrusted download); a DOCTYPE is refused outright, and
  the fapiao's 20-digit number must be the text of one of its elements, so a
  link that serves another fapiao's file is caught.
Every file at most `MAX_BYTES` (a fapiao's files are tens of kilobytes).
"""
from __future__ import annotations

import io
import zipfile

from lxml import etree

from ...errors import PermanentError

MAX_BYTES = 10 * 1024 * 1024
PDF, OFD, XML = "pdf", "ofd", "xml"
CONTENT_TYPES = {PDF: "application/pdf", OFD: "application/ofd", XML: "application/xml"}
OFD_ROOT = "OFD.xml"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                          load_dtd=False)


class DocumentRefused(PermanentError):
    """A fetched file is not what its kind must be (the reason in words)."""


def check(kind: str, content: bytes, number: str = "") -> None:
    """Raise DocumentRefused unless `content` is a sound file of `kind`."""
    if not content:
        raise DocumentRefused("the file is empty")
    if len(content) > MAX_BYTES:
        raise DocumentRefused(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    if kind == PDF:
        if not content.startswith(b"%PDF-"):
            raise DocumentRefused("not a PDF (it does not start with %PDF-)")
    elif kind == OFD:
        _check_ofd(content)
    elif kind == XML:
        root = parse_xml(content)
        if number and not any((element.text or "").strip() == number
                              for element in root.iter(tag=etree.Element)):
            raise DocumentRefused(f"the XML does not name fapiao {number}")
    else:
        raise ValueError(f"unknown fapiao document kind {kind!r}")


def parse_xml(content: bytes):
    """The root element of untrusted XML, or DocumentRefused."""
    try:
        tree = etree.fromstring(content, _PARSER).getroottree()
    except etree.XMLSyntaxError as exc:
        raise DocumentRefused(f"not well-formed XML ({exc})") from None
    if tree.docinfo.doctype:
        raise DocumentRefused("the XML carries a DOCTYPE (entities are not accepted)")
    return tree.getroot()


def _check_ofd(content: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise DocumentRefused("not an OFD (not a ZIP archive)") from None
    with archive:
        try:
            entry = archive.getinfo(OFD_ROOT)
        except KeyError:
            raise DocumentRefused(f"not an OFD (no {OFD_ROOT} in the archive)") from None
        if entry.file_size > MAX_BYTES:  # the header's word; read() checks the real size
            raise DocumentRefused(f"the OFD's {OFD_ROOT} is larger than the size cap")
        try:
            parse_xml(archive.read(entry))
        except (zipfile.BadZipFile, OSError) as exc:
            raise DocumentRefused(f"not an OFD ({OFD_ROOT} cannot be read: {exc})") from None
