"""What an issued fapiao's downloaded files must be before they are kept
(pure, and one link refused before any request)."""
from __future__ import annotations

import io
import zipfile

import pytest
import requests

from connectors.einvoice.fapiao.document_checks import DocumentRefused, check
from connectors.einvoice.fapiao.documents import fetch_documents
from connectors.einvoice.fapiao.fapiao import Documents, FapiaoResult, FapiaoState

NUMBER = "26330000000000000001"
XML = f"<EInvoice><Header><EIid>{NUMBER}</EIid></Header></EInvoice>".encode()
ENTITY = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
          b"<EInvoice><EIid>&x;</EIid></EInvoice>")


def _zip(entries: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in entries.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_sound_files_pass():
    check("pdf", b"%PDF-1.7\n...")
    check("ofd", _zip({"OFD.xml": '<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"/>'}))
    check("xml", XML, NUMBER)


@pytest.mark.parametrize("kind, content, reason", [
    ("pdf", b"<html>login</html>", "not a PDF"),
    ("pdf", b"", "empty"),
    ("ofd", b"%PDF-1.7", "not a ZIP"),
    ("ofd", _zip({"Doc_0/Document.xml": "<x/>"}), "no OFD.xml"),
    ("ofd", _zip({"OFD.xml": "<ofd:OFD"}), "not well-formed"),
    ("xml", XML[:30], "not well-formed"),
    ("xml", ENTITY, "DOCTYPE"),
    ("xml", XML.replace(NUMBER.encode(), b"26330000000000000002"),
     f"does not name fapiao {NUMBER}"),
    ("xml", b"<a>" + b"x" * (10 * 1024 * 1024) + b"</a>", "larger than"),
])
def test_a_file_that_is_not_its_kind_is_refused_with_the_reason(kind, content, reason):
    with pytest.raises(DocumentRefused, match=reason):
        check(kind, content, NUMBER)


def test_only_http_links_are_followed():
    result = FapiaoResult("INV1-1", FapiaoState.ISSUED, number=NUMBER,
                          documents=Documents(xml_url="file:///etc/passwd"))
    with pytest.raises(DocumentRefused, match="file:///etc/passwd: only http and https"):
        fetch_documents(requests.Session(), result, what="Nuonuo's fapiao files")
