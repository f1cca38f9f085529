"""A threaded HTTP/1.1 server that hands each JSON request to an in-memory
"application" object and writes back its JSON answer.

Doubles implement `handle(request) -> (status, payload, headers)` (a `bytes`
payload is sent as it is, typed by its `Content-Type` header); this module
does sockets, keep-alive and JSON only, so a double reads as the remote's
behaviour and nothing else.
"""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit


@dataclass
class Request:
    method: str
    path: str  # percent-decoded
    query: dict[str, str]  # last value of each parameter
    headers: dict[str, str]  # lower-cased names
    body: object  # parsed JSON, or None when the body was empty
    raw_body: bytes


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as requests.Session expects
    disable_nagle_algorithm = True  # head and body go out as two writes: no 40 ms delayed-ACK stall

    def log_message(self, *args):  # noqa: D401 - silence per-request logging
        pass

    def _serve(self):
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw, parse_float=Decimal) if raw.strip() else None
        except ValueError:
            body = _UNPARSABLE
        request = Request(
            method=self.command, path=unquote(split.path),
            query={k: v[-1] for k, v in parse_qs(split.query).items()},
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body, raw_body=raw)
        status, payload, headers = self.server.app.handle(request)
        time.sleep(self.server.answer_delay)
        headers = dict(headers or {})
        if isinstance(payload, bytes):  # not JSON: a body of its own type (a MIME message)
            data = payload
            kind = headers.pop("Content-Type", "application/octet-stream")
        else:
            data = json.dumps(payload, default=_json_default).encode()
            kind = "application/json; charset=utf-8"
        try:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client is gone (a killed worker): no one to tell

    do_GET = do_POST = do_PUT = do_DELETE = _serve


_UNPARSABLE = object()


def is_unparsable(body) -> bool:
    return body is _UNPARSABLE


def _json_default(value):
    if isinstance(value, Decimal):
        return float(value)  # both remotes answer numbers as JSON floats
    raise TypeError(f"not JSON serialisable: {value!r}")


class JsonHttpServer:
    """Serve `app` on 127.0.0.1 (a free port unless given) in a daemon thread.
    `answer_delay`: seconds between the app's answer and sending it, as a
    remote that did the work and is slow to say so (a client killed meanwhile
    never reads the answer)."""

    def __init__(self, app, port: int = 0, host: str = "127.0.0.1", *,
                 answer_delay: float = 0.0):
        self._httpd = ThreadingHTTPServer((host, port), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.app = app
        self._httpd.answer_delay = answer_delay
        self._thread: threading.Thread | None = None

    @property
    def app(self):
        """The double behind the server, for tests to seed and inspect."""
        return self._httpd.app

    @property
    def answer_delay(self) -> float:
        return self._httpd.answer_delay

    @answer_delay.setter
    def answer_delay(self, seconds: float) -> None:
        self._httpd.answer_delay = seconds

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "JsonHttpServer":
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        name=f"double:{self.port}", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
