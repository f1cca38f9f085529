"""SdI as a hub backend (kind `sdi`): the zeep client of the backend's
endpoint, with the WSDLs and XSDs from `CROSSDOCK_SDI_ARTEFACTS`. Built in
the app context the hub runs jobs in."""
from __future__ import annotations

import requests
from flask import current_app

from ...errors import TransientError
from ...http import DEFAULT_TIMEOUT
from .artefacts import sdi_folder
from .client import Receipt, SdiClient


class SdiBackend:
    def __init__(self, endpoint: str):
        self.endpoint = endpoint
        self.client = SdiClient(sdi_folder(current_app.extensions["crossdock"].settings),
                                endpoint)

    def send(self, file_name: str, xml: bytes) -> Receipt:
        return self.client.send(file_name, xml)

    def test_connection(self) -> str:
        """The endpoint answers over HTTP (a SOAP service answers a GET with
        an error page or its WSDL; sending a test file would be a real one)."""
        try:
            answer = requests.get(self.endpoint, timeout=DEFAULT_TIMEOUT)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise TransientError(f"SdI at {self.endpoint}: no answer "
                                 f"({type(exc).__name__})") from exc
        return f"SdIRiceviFile at {self.endpoint} answers (HTTP {answer.status_code})"
