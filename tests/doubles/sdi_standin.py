"""An SdI stand-in: SdIRiceviFile served over SOAP 1.1, then SdI's callbacks
to our TrasmissioneFatture endpoint with the official sample notifications.

Built from the official artefacts alone (its own lxml, not our client's or
endpoint's code): the operations, SOAP actions and body elements are read
from the two WSDLs; every RiceviFile request is checked as SdI would: a SOAP
1.1 envelope whose body is `fileSdIAccoglienza` valid by TrasmissioneTypes
(a SOAP Client fault otherwise), an empty File (EI01), then the FatturaPA
inside by its XSD. An accepted file gets an IdentificativoSdI; a file that
fails the XSD (00200) or reuses a file name (00002) is then rejected with a
NotificaScarto, as SdI does, the others get the notifications in
`after_receipt` (RC by default). Notifications are the samples of
tests/samples/notifications with IdentificativoSdI, NomeFile and MessageId
rewritten for the file received; the callbacks carry the client-certificate
headers the TLS proxy would add for SdI.

    standin = SdiStandin(SDI_ARTEFACTS, "http://127.0.0.1:5000/hub/inbound/sdi").start()
    standin.url                                    # the RiceviFile endpoint
    standin.notify("IT01234567890_00001.xml", "NE", esito="EC02")
"""
from __future__ import annotations

import base64
import binascii
import copy
import datetime as dt
import itertools
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests
from lxml import etree

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
WSDL = "http://schemas.xmlsoap.org/wsdl/"
WSDL_SOAP = "http://schemas.xmlsoap.org/wsdl/soap/"
TYPES = "http://www.fatturapa.gov.it/sdi/ws/trasmissione/v1.0/types"
RICEVI_FILE = "soap/SdIRiceviFile/SdIRiceviFile_v1.0.wsdl"
TRASMISSIONE = "soap/TrasmissioneFatture/TrasmissioneFatture_v1.1.wsdl"
FATTURAPA_XSD = "core/schemas/Schema_del_file_xml_FatturaPA_versione_1.2_cleanup.xsd"
OPERATIONS = {"RC": "RicevutaConsegna", "MC": "NotificaMancataConsegna", "NS": "NotificaScarto",
              "NE": "NotificaEsito", "DT": "NotificaDecorrenzaTermini",
              "AT": "AttestazioneTrasmissioneFattura"}
CLIENT_SUBJECT = "CN=SDI Test Client,O=Sogei,C=IT"  # what the tests configure as SdI's
NO_ENTITIES = etree.XMLParser(resolve_entities=False, no_network=True)


def wsdl_operations(path: Path) -> dict[str, tuple[str, str]]:
    """{operation: (soapAction, body element's local name)} of a document/literal WSDL."""
    wsdl = etree.parse(str(path))
    ns = {"w": WSDL, "s": WSDL_SOAP}
    parts = {m.get("name"): m.find("w:part", ns).get("element").split(":")[1]
             for m in wsdl.iterfind("w:message", ns)}
    inputs = {op.get("name"): parts[op.find("w:input", ns).get("message").split(":")[1]]
              for op in wsdl.iterfind("w:portType/w:operation", ns)}
    return {op.get("name"): (op.find("s:operation", ns).get("soapAction"), inputs[op.get("name")])
            for op in wsdl.iterfind("w:binding/w:operation", ns)}


def _types_xsd(wsdl: Path) -> etree.XMLSchema:
    location = etree.parse(str(wsdl)).find(".//{http://www.w3.org/2001/XMLSchema}import")
    return etree.XMLSchema(etree.parse(str(wsdl.parent / location.get("schemaLocation"))))


@dataclass
class Received:
    identificativo: str
    file_name: str
    xml: bytes


@dataclass
class SdiStandin:
    folder: Path
    callback_url: str  # our TrasmissioneFatture endpoint
    after_receipt: tuple[str, ...] = ("RC",)  # kinds sent after an accepted file
    unavailable: bool = False  # answer EI02 (service unavailable) while True
    answer_delay: float = 0.0  # seconds between taking a file and answering (a slow SdI)
    received: dict[str, Received] = field(default_factory=dict)
    deliveries: list[tuple[str, str, int]] = field(default_factory=list)  # kind, file, HTTP

    def __post_init__(self):
        self._ricevi = wsdl_operations(self.folder / RICEVI_FILE)["RiceviFile"]
        self._trasmissione = wsdl_operations(self.folder / TRASMISSIONE)
        self._ricevi_xsd = _types_xsd(self.folder / RICEVI_FILE)
        self._trasmissione_xsd = _types_xsd(self.folder / TRASMISSIONE)
        self._fatturapa_xsd = etree.XMLSchema(etree.parse(str(self.folder / FATTURAPA_XSD)))
        self._ids = itertools.count(81000000001)
        self._message_ids = itertools.count(900001)
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        handler = type("Handler", (_Handler,), {"standin": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/ricevi_file"

    def start(self) -> "SdiStandin":
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.wait_callbacks()
        self._httpd.shutdown()
        self._httpd.server_close()

    def wait_callbacks(self, timeout: float = 10.0) -> None:
        for thread in list(self._threads):
            thread.join(timeout)

    # -- SdIRiceviFile ------------------------------------------------------
    def ricevi_file(self, body: bytes, soap_action: str) -> tuple[int, bytes]:
        try:
            envelope = etree.fromstring(body, NO_ENTITIES)
        except etree.XMLSyntaxError as exc:
            return _fault(f"not well-formed: {exc}")
        request = envelope.find(f"{{{SOAP}}}Body/{{{TYPES}}}{self._ricevi[1]}")
        if envelope.tag != f"{{{SOAP}}}Envelope" or request is None:
            return _fault(f"expected a SOAP 1.1 envelope with {self._ricevi[1]}")
        if soap_action.strip('"') != self._ricevi[0]:
            return _fault(f"SOAPAction {soap_action!r} is not {self._ricevi[0]}")
        if not self._ricevi_xsd.validate(etree.fromstring(etree.tostring(request))):
            return _fault(f"{self._ricevi[1]}: {self._ricevi_xsd.error_log.last_error.message}")
        name = request.findtext("NomeFile")
        try:
            data = base64.b64decode(request.findtext("File") or "", validate=True)
        except binascii.Error:
            return _fault("File is not base64")
        if self.unavailable:
            return _answer("0", "EI02")
        if not data:
            return _answer("0", "EI01")
        with self._lock:
            identificativo = str(next(self._ids))
            duplicate = name in self.received
            if not duplicate:
                self.received[name] = Received(identificativo, name, data)
        errors = self._fatturapa_errors(data)
        if duplicate:
            errors = [("00002", "Nome file duplicato (file name already received)")]
        kinds = ("NS",) if errors else self.after_receipt
        thread = threading.Thread(target=self._callbacks,
                                  args=(identificativo, name, kinds, errors), daemon=True)
        self._threads.append(thread)
        thread.start()
        return _answer(identificativo)

    def _fatturapa_errors(self, data: bytes) -> list[tuple[str, str]]:
        try:
            if self._fatturapa_xsd.validate(etree.fromstring(data, NO_ENTITIES)):
                return []
            reason = self._fatturapa_xsd.error_log.last_error.message
        except etree.XMLSyntaxError as exc:
            reason = str(exc)
        return [("00200", f"File non conforme al formato: {reason}"[:255])]

    # -- TrasmissioneFatture callbacks --------------------------------------
    def _callbacks(self, identificativo, name, kinds, errors) -> None:
        for kind in kinds:
            self.notify(name, kind, errors=errors, identificativo=identificativo)

    def notify(self, file_name: str, kind: str, *, esito: str = "EC01", errors=(),
               identificativo: str | None = None, message_id: str | None = None):
        """Send one notification on a received file to our endpoint; the response."""
        identificativo = identificativo or self.received[file_name].identificativo
        message_id = message_id or str(next(self._message_ids))
        message = self.sample(kind, identificativo, file_name, message_id, esito, errors)
        operation, element = self._trasmissione[OPERATIONS[kind]]
        name = f"{file_name.removesuffix('.xml')}_{kind}_{message_id[-3:]}.xml"
        body = etree.Element(f"{{{TYPES}}}{element}", nsmap={"types": TYPES})
        for tag, text in (("IdentificativoSdI", identificativo), ("NomeFile", name),
                          ("File", base64.b64encode(message).decode())):
            etree.SubElement(body, tag).text = text
        assert self._trasmissione_xsd.validate(body), self._trasmissione_xsd.error_log
        response = self.post(_envelope(body), operation)
        self.deliveries.append((kind, file_name, response.status_code))
        return response

    def post(self, envelope: bytes, soap_action: str, subject: str = CLIENT_SUBJECT):
        return requests.post(self.callback_url, data=envelope, timeout=10, headers={
            "Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{soap_action}"',
            "X-SSL-Client-Verify": "SUCCESS", "X-SSL-Client-S-DN": subject})

    def sample(self, kind, identificativo, file_name, message_id, esito="EC01",
               errors=()) -> bytes:
        """The official sample of `kind` rewritten for one received file."""
        path = self.folder / "tests" / "samples" / "notifications" / \
            f"IT01234567890_11111_{kind}_001.xml"
        tree = etree.parse(str(path), NO_ENTITIES)
        root = tree.getroot()
        for node in root.iter("IdentificativoSdI"):
            node.text = identificativo
        for node in root.iterfind("NomeFile"):
            node.text = file_name
        for node in root.iterfind("MessageId"):
            node.text = message_id
        for node in root.iterfind("RiferimentoArchivio"):  # we send single files, no zip
            root.remove(node)
        for node in root.iterfind("EsitoCommittente/Esito"):
            node.text = esito
        lista = root.find("ListaErrori")
        if lista is not None and errors:
            template = lista[0]
            lista.clear()
            for code, text in errors:
                errore = copy.deepcopy(template)
                errore.find("Codice").text, errore.find("Descrizione").text = code, text
                lista.append(errore)
        return etree.tostring(tree, xml_declaration=True, encoding="UTF-8")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    standin: SdiStandin

    def log_message(self, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        status, data = self.standin.ricevi_file(self.rfile.read(length),
                                                self.headers.get("SOAPAction", ""))
        time.sleep(self.standin.answer_delay)
        try:
            self.send_response(status)
            self.send_header("Content-Type", "text/xml; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the caller is gone (a killed worker)


def _envelope(content) -> bytes:
    envelope = etree.Element(f"{{{SOAP}}}Envelope", nsmap={"soapenv": SOAP})
    etree.SubElement(envelope, f"{{{SOAP}}}Body").append(content)
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")


def _answer(identificativo: str, error: str = "") -> tuple[int, bytes]:
    answer = etree.Element(f"{{{TYPES}}}rispostaSdIRiceviFile", nsmap={"types": TYPES})
    etree.SubElement(answer, "IdentificativoSdI").text = identificativo
    etree.SubElement(answer, "DataOraRicezione").text = dt.datetime.now(
        dt.timezone.utc).isoformat(timespec="seconds")
    if error:
        etree.SubElement(answer, "Errore").text = error
    return 200, _envelope(answer)


def _fault(reason: str) -> tuple[int, bytes]:
    fault = etree.Element(f"{{{SOAP}}}Fault")
    etree.SubElement(fault, "faultcode").text = "soapenv:Client"
    etree.SubElement(fault, "faultstring").text = reason
    return 500, _envelope(fault)
