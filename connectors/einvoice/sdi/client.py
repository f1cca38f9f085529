"""SdIRiceviFile over SOAP with zeep: send one FatturaPA file, get SdI's
IdentificativoSdI. Transport only; errors classified here, once:

- the file fails the FatturaPA XSD or its name breaks SdI's rule: permanent,
  before anything leaves (zeep does not check outgoing values);
- Errore EI01 (empty file) and EI03 (user not enabled): permanent; EI02
  (service unavailable): transient;
- connection refused, timeouts, HTTP 5xx/429: transient; a SOAP fault or
  another HTTP status: permanent with SdI's words.

The WSDL is read from the configured artefacts folder (never fetched) and its
address (servizi.fatturapa.it) is replaced by the backend's endpoint, so the
endpoint is the only host this client ever talks to.

    client = SdiClient(folder, "https://sdi.example/ricevi_file")
    receipt = client.send(transmission.file_name, xml)   # receipt.identificativo
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import requests
from zeep import Client, Settings
from zeep.exceptions import Fault, TransportError
from zeep.transports import Transport

from ...errors import PermanentError, TransientError
from ...http import DEFAULT_TIMEOUT
from . import artefacts
from .transmission import FILE_NAME
from .validation import fatturapa_errors

BINDING = "{http://www.fatturapa.gov.it/sdi/ws/trasmissione/v1.0}SdIRiceviFile_binding"
# erroreInvio_Type's codes, in SdI's words and ours; True: worth trying again
SEND_ERRORS = {
    "EI01": ("FILE VUOTO", "the file sent was empty", False),
    "EI02": ("SERVIZIO NON DISPONIBILE", "SdI's service is unavailable", True),
    "EI03": ("UTENTE NON ABILITATO", "this sender is not enabled on SdI", False),
}


@dataclass(frozen=True)
class Receipt:
    identificativo: str  # IdentificativoSdI: SdI's id of the file, in every notification
    received_at: dt.datetime  # DataOraRicezione


class SdiClient:
    def __init__(self, folder: Path, endpoint: str, *, timeout=DEFAULT_TIMEOUT,
                 session: requests.Session | None = None):
        connect, read = timeout
        transport = Transport(session=session or requests.Session(), timeout=connect,
                              operation_timeout=read)
        # forbid_external: no DTD or entity in an answer may make zeep fetch anything
        client = Client(str(artefacts.path(folder, artefacts.RICEVI_FILE_WSDL)),
                        transport=transport, settings=Settings(forbid_external=True))
        self._service = client.create_service(BINDING, endpoint)
        self._folder = folder
        self._what = f"SdI at {endpoint}"

    def send(self, file_name: str, xml: bytes) -> Receipt:
        """RiceviFile(NomeFile, File): the file's IdentificativoSdI, or the
        error classified as above."""
        if not FILE_NAME.match(file_name):
            raise PermanentError(f"{file_name!r} is not a FatturaPA file name SdI accepts")
        errors = fatturapa_errors(xml, self._folder)
        if errors:
            raise PermanentError(f"{file_name} is not a valid FatturaPA 1.2 file: "
                                 + "; ".join(errors[:5]), {"schema_errors": list(errors)})
        try:
            answer = self._service.RiceviFile(NomeFile=file_name, File=xml)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise TransientError(f"{self._what}: no answer ({type(exc).__name__})") from exc
        except TransportError as exc:
            if exc.status_code >= 500 or exc.status_code == 429:
                raise TransientError(f"{self._what}: HTTP {exc.status_code}") from exc
            raise PermanentError(f"{self._what}: HTTP {exc.status_code}") from exc
        except Fault as exc:
            raise PermanentError(f"{self._what} refused {file_name}: {exc.message}") from exc
        if answer.Errore:
            italian, english, transient = SEND_ERRORS.get(
                answer.Errore, (answer.Errore, "unknown error", False))
            message = f"{self._what} refused {file_name}: {answer.Errore} {italian} ({english})"
            raise (TransientError if transient else PermanentError)(message)
        return Receipt(str(answer.IdentificativoSdI), answer.DataOraRicezione)
