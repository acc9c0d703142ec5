"""A local stand-in for the arXiv API: a real HTTP server on 127.0.0.1 serving recorded answers.

Every body it serves comes from `tests/fixtures/arxiv/`, genuine responses of the real API
(see the README there). A request whose `id_list` was recorded is answered with that
recording byte for byte. Any other `id_list` is answered the way the API answers a batch:
the recorded `<entry>` of each known paper, in the order asked, inside a recorded feed
envelope; unknown ids are left out, as arXiv does. Tests can also queue scripted answers
(errors, delays, HTML) for a given `id_list`.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import fake_http
from fake_http import FakeServer

FIXTURES = Path(__file__).parent / "fixtures" / "arxiv"
ATOM = "http://www.w3.org/2005/Atom"
for prefix, uri in (
    ("", ATOM),
    ("arxiv", "http://arxiv.org/schemas/atom"),
    ("opensearch", "http://a9.com/-/spec/opensearch/1.1/"),
):
    ET.register_namespace(prefix, uri)

# Recorded requests, answered exactly as recorded.
RECORDED = {
    "1605.08386": "api2026_single_1605.08386.xml",
    "astro-ph/0601001": "api2026_oldstyle_astro-ph_0601001_affiliation_journalref.xml",
    "0808.05394,1707.08567": "api2026_multi_id_0808.05394_1707.08567_one_missing.xml",
    "0000.0000": "api2026_empty_feed_0000.0000.xml",
    "1710.08557": "api2019_single_1710.08557_doi_journalref.xml",
    "math/0211159": "api2019_oldstyle_math_0211159.xml",
    "1706.03762": "api2024_single_1706.03762v7_attention.xml",
}
EMPTY_FEED = "api2026_empty_feed_0000.0000.xml"
BAD_ID_400 = "api2026_error_incorrect_id_format_abc_http400.xml"


def fixture(name: str) -> bytes:
    """The bytes of one recorded response."""
    return (FIXTURES / name).read_bytes()


def _entries() -> dict[str, tuple[int, ET.Element]]:
    """Every recorded paper: id without version -> (version, its <entry> element)."""
    found: dict[str, tuple[int, ET.Element]] = {}
    for path in sorted(FIXTURES.glob("*.xml")):
        root = ET.fromstring(path.read_bytes())
        for entry in root.iter(f"{{{ATOM}}}entry"):
            entry_id = entry.findtext(f"{{{ATOM}}}id") or ""
            if "/abs/" not in entry_id:
                continue  # an API error entry
            short = entry_id.split("/abs/", 1)[1]
            base, _, version = short.rpartition("v")
            found.setdefault(base, (int(version), entry))
    return found


ENTRIES = _entries()
SEARCH_IDS = [
    "1201.4869", "cond-mat/0412498", "cond-mat/0603029", "1005.5383", "1303.6954",
    "1312.6177", "1412.6529", "cond-mat/0607501", "cond-mat/0702661", "0807.2873",
]  # fmt: skip
RECORDED[",".join(SEARCH_IDS)] = "api2016_search_au_del_maestro_10_entries.xml"


def batch_feed(id_list: list[str]) -> bytes:
    """A feed answering `id_list` from recorded entries, in the order asked."""
    envelope = ET.fromstring(fixture(EMPTY_FEED))
    total = envelope.find("{http://a9.com/-/spec/opensearch/1.1/}totalResults")
    count = 0
    for wanted in id_list:
        match = re.fullmatch(r"(?P<base>.+?)(?:v(?P<version>\d+))?", wanted)
        assert match is not None
        base, version = match.group("base"), match.group("version")
        recorded = ENTRIES.get(base)
        if recorded is None or (version and int(version) != recorded[0]):
            continue
        envelope.append(recorded[1])
        count += 1
    if total is not None:
        total.text = str(count)
    return b"<?xml version='1.0' encoding='UTF-8'?>\n" + ET.tostring(envelope, encoding="utf-8")


@dataclass
class Reply(fake_http.Reply):
    """One scripted answer, an Atom feed unless it says otherwise."""

    content_type: str = "application/atom+xml; charset=utf-8"


class Request(fake_http.Request):
    """What the server saw, and the `id_list` it asked for."""

    @property
    def id_list(self) -> str:
        return self.params.get("id_list", "")


class FakeArxiv(FakeServer):
    """The server. `script(id_list, *replies)` queues answers for exactly this comma-joined
    id list; the last one repeats."""

    request_class = Request
    requests: list[Request]  # type: ignore[assignment]

    @property
    def url(self) -> str:
        """The API address to give papernotes."""
        return super().url + "/api/query"

    def key(self, path: str, params: dict[str, str]) -> str:
        return params.get("id_list", "")

    def default(self, key: str) -> Reply:
        """A recorded answer, or one built from recorded entries."""
        if key in RECORDED:
            return Reply(body=fixture(RECORDED[key]))
        return Reply(body=batch_feed([i for i in key.split(",") if i]))
