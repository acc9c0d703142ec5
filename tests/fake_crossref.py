"""A local stand-in for Crossref's REST API: `/works/<doi>` answered with recorded bodies.

Every body comes from `tests/fixtures/crossref/`, genuine answers of the real API (see the
README and PROVENANCE there). A recorded DOI is answered with its recording byte for byte;
any other DOI with Crossref's recorded 404 (`Resource not found.`), as Crossref answers a
DOI it does not know. Tests script faults per DOI with `script_doi` (fake_http.Reply).
"""

from __future__ import annotations

from pathlib import Path

from fake_http import FakeServer, Reply

FIXTURES = Path(__file__).parent / "fixtures" / "crossref"

PLOS = "10.1371/journal.pone.0033693"
IEEE = "10.1109/icdcsw.2003.1203662"
ACM = "10.1145/3184558.3186235"
CHAPTER = "10.1007/978-3-0348-8720-5_13"
RECORDED = {
    PLOS: "habanero_10.1371_journal.pone.0033693.json",
    IEEE: "habanero_10.1109_icdcsw.2003.1203662.json",
    ACM: "papis_test_3_conference.json",
    CHAPTER: "papis_test_4_multiple_isbn.json",
}
NOT_FOUND_BODY = "habanero_404_10.1371_notarealdoi.txt"
VALIDATION_FAILURE = "habanero_400_validation_failure.json"
DOI_ORG_404_PAGE = "pubs_doi.org_404_10.1103_INVALIDDOI.89.084044.html"
# A work object alone (no answer envelope): parsed directly, never served.
PREPRINT_RECORD = "cern-sis_workflows_jagiellonian_10.5506_aphyspolb.56.3-a7.json"


def fixture(name: str) -> bytes:
    """The bytes of one recorded answer."""
    return (FIXTURES / name).read_bytes()


class FakeCrossref(FakeServer):
    """The server: recorded works at `/works/<doi>`, Crossref's 404 for any other."""

    def script_doi(self, doi: str, *replies: Reply) -> None:
        """Answer requests for this DOI's work with `replies`, in turn; the last repeats."""
        self.script(f"/works/{doi}", *replies)

    def dois(self) -> list[str]:
        """The DOIs asked for, in order."""
        return [path.removeprefix("/works/") for path in self.paths()]

    def default(self, path: str) -> Reply:
        doi = path.removeprefix("/works/")
        if path.startswith("/works/") and doi in RECORDED:
            return Reply(body=fixture(RECORDED[doi]))
        return Reply(status=404, body=fixture(NOT_FOUND_BODY), content_type="text/plain")
