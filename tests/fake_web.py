"""Local stand-ins for the web: saved pages served under chosen paths, and GitHub's API.

Every body comes from `tests/fixtures/web/`, genuine pages and API answers that other
projects recorded (see the PROVENANCE files there), served byte for byte with the
Content-Type their sites give them. Faults are scripted per path with fake_http.Reply.
"""

from __future__ import annotations

from pathlib import Path

from fake_http import FakeServer, Reply

FIXTURES = Path(__file__).parent / "fixtures" / "web"
HTML_TYPE = "text/html; charset=utf-8"  # as each of the saved pages' sites serves them
JSON_TYPE = "application/json; charset=utf-8"  # as GitHub's API answers

BLOG = "blog_github.blog_leader-spotlight-erin-spiceland.html"
ARXIV_ABS = "arxiv_abs_2106.09608.html"
ACL = "acl_2021.naacl-main.208.html"
SPRINGER = "springer_BF02727953_jsonld-scholarlyarticle.html"
DRIVE = "google-drive_folder_gdown_folder_test.html"
JAPANESE = "ja_nhk.or.jp_news-web-easy.html"

# GitHub's recorded answers about repositories, by OWNER/REPO.
REPOS = {
    "PyGithub/PyGithub": "repos_PyGithub_PyGithub_2025.json",
    "jacquev6/PyGithub": "repos_jacquev6_PyGithub_2012.json",
}
REPO_404 = "repos_jacquev6_Xxx_404.json"


def html(name: str) -> bytes:
    """The bytes of one saved page."""
    return (FIXTURES / "html" / name).read_bytes()


def github_answer(name: str) -> bytes:
    """The bytes of one recorded answer of GitHub's API."""
    return (FIXTURES / "github-api" / name).read_bytes()


class FakeWeb(FakeServer):
    """A web site: `serve(path, page)` puts a saved page at `path`; other paths are 404."""

    def serve(self, path: str, name: str) -> str:
        """Serve the saved page `name` at `path`; its address on this server."""
        self.script(path, Reply(body=html(name), content_type=HTML_TYPE))
        return self.url + path


class FakeGitHub(FakeServer):
    """GitHub's API: `/repos/OWNER/REPO` answered with its recording, any other repository
    with GitHub's recorded 404 (`{"message":"Not Found"}`)."""

    def default(self, path: str) -> Reply:
        repo = path.removeprefix("/repos/")
        if path.startswith("/repos/") and repo in REPOS:
            return Reply(body=github_answer(REPOS[repo]), content_type=JSON_TYPE)
        return Reply(status=404, body=github_answer(REPO_404), content_type=JSON_TYPE)
