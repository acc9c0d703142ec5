"""A local HTTP server on 127.0.0.1 that answers each path with scripted replies.

It is the ground the sources' tests stand on: every body it serves is given by the test (a
recorded answer read from `tests/fixtures/`), and the faults are made by the server, not by
invented content: closing the connection, sleeping, sending a body slowly or cut short,
redirecting to itself, or streaming filler bytes without end.
"""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit


@dataclass
class Reply:
    """One scripted answer."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json;charset=utf-8"
    wait: float = 0.0  # seconds before answering
    drop: bool = False  # close the connection without answering
    filler: int = 0  # send this many filler bytes as the body instead (a page of 50 MB)
    trickle: float = 0.0  # seconds between 1 KB pieces of the body
    cut: int | None = None  # announce the whole body, send only this many bytes, hang up


class FakeTime(list[float]):
    """A sleep that records each wait, and a clock that moves only when slept on: the waits
    a client makes come out exact, whatever the machine's speed."""

    now = 1000.0

    def __call__(self, seconds: float) -> None:
        self.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


@dataclass
class Request:
    """What the server saw."""

    at: float
    path: str  # percent-decoded, without the query
    params: dict[str, str]
    headers: dict[str, str]


class FakeServer:
    """The server. `script(path, *replies)` queues answers; the last one repeats.

    A path nobody scripted is answered by `default(path)`: an empty 404 here. A service that
    chooses its answer by something else than the path says so in `key` (arXiv's API by
    its `id_list`)."""

    request_class = Request  # what each request is recorded as

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self._scripts: dict[str, list[Reply]] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        """The server's address, without a trailing slash."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def script(self, path: str, *replies: Reply) -> None:
        """Answer requests for `path` with `replies`, in turn."""
        with self._lock:
            self._scripts[path] = list(replies)

    def start(self) -> FakeServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def paths(self) -> list[str]:
        """The paths asked for, in order."""
        return [request.path for request in self.requests]

    def key(self, path: str, params: dict[str, str]) -> str:
        """What a request's answer is chosen by, and scripted under: its path."""
        return path

    def answer(self, key: str) -> Reply:
        """The reply for one request: scripted, else the default."""
        with self._lock:
            queue = self._scripts.get(key)
            if queue:
                return queue.pop(0) if len(queue) > 1 else queue[0]
        return self.default(key)

    def default(self, key: str) -> Reply:
        """The reply for a request nobody scripted."""
        return Reply(status=404, content_type="text/plain")

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                path = unquote(parts.path)
                params = {k: v[0] for k, v in parse_qs(parts.query).items()}
                seen = fake.request_class(
                    time.monotonic(), path, params, dict(self.headers.items())
                )
                with fake._lock:
                    fake.requests.append(seen)
                reply = fake.answer(fake.key(path, params))
                if reply.wait:
                    time.sleep(reply.wait)
                if reply.drop:
                    self.close_connection = True
                    self.connection.close()
                    return
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                size = reply.filler or len(reply.body)
                self.send_header("Content-Length", str(size))
                if reply.cut is not None or reply.filler:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self._write(reply)

            def _write(self, reply: Reply) -> None:
                if reply.filler:
                    piece = b"\0" * (1 << 20)
                    for start in range(0, reply.filler, len(piece)):
                        self.wfile.write(piece[: reply.filler - start])
                    return
                body = reply.body if reply.cut is None else reply.body[: reply.cut]
                if not reply.trickle:
                    self.wfile.write(body)
                    return
                for start in range(0, len(body), 1024):
                    self.wfile.write(body[start : start + 1024])
                    self.wfile.flush()
                    time.sleep(reply.trickle)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler
