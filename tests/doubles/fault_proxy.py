"""A TCP proxy in front of an HTTP server whose failure mode tests switch at
will, to watch a client or the hub ride out an unreliable remote.

Modes:
- "pass": bytes flow both ways untouched.
- "refuse": the listening socket is closed, so connecting is refused (as
  with a stopped server); leaving the mode listens again on the same port.
- "503": each request is answered `503 Service Unavailable` with
  `Retry-After: <retry_after>` (default 1) and the connection closed.
- "429": the same with `429 Too Many Requests`.
- "slow": as "pass", but every chunk the client sends (in practice one
  request) waits `delay` seconds before it is forwarded.

Switching mode closes the connections already open, so a keep-alive
connection cannot carry on in the old mode; a request caught in flight
sees its connection drop, as it would when a real server goes away.

    proxy = FaultProxy("127.0.0.1", upstream_port).start()
    client = make_client(..., url=proxy.url, ...)
    proxy.set_mode("503", retry_after=2)
"""
from __future__ import annotations

import selectors
import socket
import threading
import time

MODES = ("pass", "refuse", "503", "429", "slow")
REASONS = {"503": "Service Unavailable", "429": "Too Many Requests"}


class FaultProxy:
    def __init__(self, upstream_host: str, upstream_port: int, *, port: int = 0):
        self.upstream = (upstream_host, upstream_port)
        self.mode, self.delay, self.retry_after = "pass", 0.0, 1
        self.hits = 0  # connections forwarded plus requests answered with an injected status
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self._port = port
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    def start(self) -> "FaultProxy":
        self._listen()
        self._thread = threading.Thread(target=self._accept_loop, name="fault-proxy", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        self._close_listener()
        self._release_port()
        self._drop_connections()
        if self._thread:
            self._thread.join(timeout=2)

    def set_mode(self, mode: str, *, delay: float = 0.0, retry_after: int = 1) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r} (known: {', '.join(MODES)})")
        with self._lock:
            previous = self.mode
            self.mode, self.delay, self.retry_after = mode, delay, retry_after
        self._drop_connections()
        if mode == "refuse":
            self._close_listener(hold_port=True)
        elif previous == "refuse":
            self._listen()

    # -- listening ------------------------------------------------------------
    def _listen(self) -> None:
        self._release_port()
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self._port))
        listener.listen(128)
        listener.settimeout(0.1)
        self._port = listener.getsockname()[1]
        with self._lock:
            self._listener = listener

    def _close_listener(self, hold_port: bool = False) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
        if listener:
            _close(listener)  # shutdown first: a close alone waits for the blocked accept()
        if hold_port:
            # bound but not listening: connecting is refused, and no other test's
            # server can take the port meanwhile (tests run in parallel)
            holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            holder.bind(("127.0.0.1", self._port))
            self._holder = holder

    def _release_port(self) -> None:
        holder, self._holder = getattr(self, "_holder", None), None
        if holder is not None:
            holder.close()

    def _accept_loop(self) -> None:
        while not self._stopped.is_set():
            listener = self._listener
            if listener is None:
                time.sleep(0.02)
                continue
            try:
                conn, _ = listener.accept()
            except (socket.timeout, OSError):
                continue
            conn.settimeout(None)
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self._connections.add(conn)
                mode = self.mode
            threading.Thread(target=self._serve, args=(conn, mode), daemon=True).start()

    def _drop_connections(self) -> None:
        with self._lock:
            connections, self._connections = self._connections, set()
        for conn in connections:
            _close(conn)

    # -- one connection ---------------------------------------------------------
    def _serve(self, conn: socket.socket, mode: str) -> None:
        try:
            if mode in REASONS:
                self._answer_status(conn, mode)
            else:
                self._pipe(conn)
        except OSError:
            pass  # the client or the test dropped the connection
        finally:
            with self._lock:
                self._connections.discard(conn)
            _close(conn)

    def _answer_status(self, conn: socket.socket, status: str) -> None:
        _read_request(conn)
        body = f"{REASONS[status]} (fault proxy)\n".encode()
        conn.sendall((f"HTTP/1.1 {status} {REASONS[status]}\r\n"
                      f"Retry-After: {self.retry_after}\r\n"
                      "Content-Type: text/plain\r\n"
                      f"Content-Length: {len(body)}\r\n"
                      "Connection: close\r\n\r\n").encode() + body)
        with self._lock:
            self.hits += 1

    def _pipe(self, conn: socket.socket) -> None:
        upstream = socket.create_connection(self.upstream, timeout=5)
        upstream.settimeout(None)
        upstream.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._lock:
            self._connections.add(upstream)
            self.hits += 1
        peers = {conn: upstream, upstream: conn}
        try:
            with selectors.DefaultSelector() as selector:
                selector.register(conn, selectors.EVENT_READ)
                selector.register(upstream, selectors.EVENT_READ)
                while conn.fileno() >= 0 and upstream.fileno() >= 0:  # -1 once set_mode closed them
                    for key, _ in selector.select(timeout=0.5):
                        data = key.fileobj.recv(65536)
                        if not data:
                            return
                        if key.fileobj is conn and self.mode == "slow":
                            time.sleep(self.delay)
                        peers[key.fileobj].sendall(data)
        finally:
            with self._lock:
                self._connections.discard(upstream)
            _close(upstream)


def _read_request(conn: socket.socket) -> None:
    """Consume one request (head and Content-Length body) before answering it."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip() or 0)
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return
        body += chunk


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
