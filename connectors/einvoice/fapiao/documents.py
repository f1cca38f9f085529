"""Fetching an issued fapiao's files (PDF, OFD, XML) from the links its
result names: a provider's `documents(result)` (nuonuo.py) is this over its
own HTTP session.

The links are the provider's and expire, so the caller asks for a fresh
result right before fetching. Only http(s) links are followed; each answer
is read up to the size cap and checked (document_checks.py). Network
trouble, 5xx and 429 are transient (connectors.http: the whole fetch is
tried again later); a 4xx or a file that fails its check is permanent, and
every file's reason is named at once. Nothing is returned unless every
named file passed: the caller keeps all of them or none.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

from ...errors import PermanentError, TransientError
from ...http import raise_for_client_error, send
from .document_checks import CONTENT_TYPES, MAX_BYTES, OFD, PDF, XML, DocumentRefused, check
from .fapiao import FapiaoResult, FapiaoState

LABELS = {PDF: "PDF", OFD: "OFD", XML: "XML"}
CHUNK = 64 * 1024


@dataclass(frozen=True)
class FetchedDocument:
    kind: str            # pdf, ofd, xml
    file_name: str       # <fapiao number>.<kind>
    content_type: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def links(result: FapiaoResult) -> dict[str, str]:
    """The files the result names, by kind."""
    documents = result.documents
    named = {PDF: documents.pdf_url, OFD: documents.ofd_url, XML: documents.xml_url}
    return {kind: url for kind, url in named.items() if url}


def fetch_documents(session: requests.Session, result: FapiaoResult, *,
                    what: str, max_bytes: int = MAX_BYTES) -> list[FetchedDocument]:
    """Every file `result` names, fetched and checked; PermanentError naming
    each refused one, TransientError when a remote should be asked again."""
    if result.state not in (FapiaoState.ISSUED, FapiaoState.RED_LETTERED) or not result.number:
        raise PermanentError(f"{what}: order {result.order_no} is {result.state.value}, "
                             "not an issued fapiao: no files to fetch")
    fetched, refused = [], []
    for kind, url in links(result).items():
        label = f"the {LABELS[kind]} at {url}"
        try:
            content = _download(session, url, what=f"{what}: {label}", max_bytes=max_bytes)
            check(kind, content, result.number if kind == XML else "")
        except DocumentRefused as exc:
            refused.append(f"{label}: {exc}")
            continue
        except PermanentError as exc:  # a 4xx: its message names the file already
            refused.append(str(exc).removeprefix(f"{what}: "))
            continue
        fetched.append(FetchedDocument(kind, f"{result.number}.{kind}", CONTENT_TYPES[kind],
                                       content))
    if refused:
        raise DocumentRefused(f"{what}: fapiao {result.number}'s files refused: "
                              + "; ".join(refused))
    return fetched


def _download(session: requests.Session, url: str, *, what: str, max_bytes: int) -> bytes:
    if urlsplit(url).scheme not in ("http", "https"):
        raise DocumentRefused("only http and https links are followed")
    response = send(session, "GET", url, what=what, stream=True)
    with response:
        raise_for_client_error(response, what)
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise DocumentRefused(f"{declared} bytes, more than the {max_bytes} allowed")
        body = bytearray()
        try:
            for chunk in response.iter_content(CHUNK):
                body += chunk
                if len(body) > max_bytes:
                    raise DocumentRefused(f"more than the {max_bytes} bytes allowed")
        except requests.RequestException as exc:  # cut off mid-way: as a refused connection
            raise TransientError(f"{what}: the download broke off ({exc})") from exc
    return bytes(body)
