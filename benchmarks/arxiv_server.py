"""A local arXiv API for the `add` benchmarks: any id is answered with a recorded paper.

Every request gets a recorded feed envelope holding one recorded `<entry>` per id asked,
taken from `tests/fixtures/arxiv/` in turn, its `<id>` and links rewritten to the id asked.
The server counts the requests it answers, so a benchmark can check how many a command made.
"""

from __future__ import annotations

import copy
import itertools
import re
import threading
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "arxiv"
ATOM = "http://www.w3.org/2005/Atom"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"
ENVELOPE = "api2026_empty_feed_0000.0000.xml"
NAMESPACES = {"": ATOM, "arxiv": "http://arxiv.org/schemas/atom", "opensearch": OPENSEARCH}
for _prefix, _uri in NAMESPACES.items():
    ET.register_namespace(_prefix, _uri)


def recorded_entries() -> list[tuple[str, ET.Element]]:
    """(recorded id with version, its `<entry>`) for every paper in the recordings."""
    found = []
    for path in sorted(FIXTURES.glob("*.xml")):
        for entry in ET.parse(path).getroot().iter(f"{{{ATOM}}}entry"):
            entry_id = entry.findtext(f"{{{ATOM}}}id") or ""
            if "/abs/" in entry_id:  # the others are the API's error entries
                found.append((entry_id.split("/abs/", 1)[1], entry))
    return found


def renamed(entry: ET.Element, recorded: str, wanted: str) -> ET.Element:
    """A copy of `entry` whose id and links name `wanted` (recorded version kept if none)."""
    base, _, version = recorded.rpartition("v")
    target = wanted if re.search(r"v\d+$", wanted) else f"{wanted}v{version}"
    made = copy.deepcopy(entry)
    for element in made.iter():
        if element.tag == f"{{{ATOM}}}id" and element.text:
            element.text = element.text.replace(recorded, target)
        href = element.get("href")
        if element.tag == f"{{{ATOM}}}link" and href and "arxiv.org/" in href:
            element.set("href", href.replace(recorded, target).replace(base, wanted))
    return made


class ArxivServer:
    """The server on 127.0.0.1; `url` for PAPERNOTES_ARXIV_API_URL, `requests` counted."""

    def __init__(self) -> None:
        self.requests = 0
        self._entries = recorded_entries()
        self._envelope = (FIXTURES / ENVELOPE).read_bytes()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/api/query"

    def __enter__(self) -> ArxivServer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def feed(self, ids: list[str]) -> bytes:
        """The answer to `id_list=ids`: one recorded entry per id, in the order asked."""
        feed = ET.fromstring(self._envelope)
        for wanted, (recorded, entry) in zip(ids, itertools.cycle(self._entries), strict=False):
            feed.append(renamed(entry, recorded, wanted))
        total = feed.find(f"{{{OPENSEARCH}}}totalResults")
        if total is not None:
            total.text = str(len(ids))
        body: bytes = ET.tostring(feed, encoding="utf-8")
        return b"<?xml version='1.0' encoding='UTF-8'?>\n" + body

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                query = parse_qs(urlsplit(self.path).query)
                ids = [i for i in query.get("id_list", [""])[0].split(",") if i]
                with server._lock:
                    server.requests += 1
                body = server.feed(ids)
                self.send_response(200)
                self.send_header("Content-Type", "application/atom+xml; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler
