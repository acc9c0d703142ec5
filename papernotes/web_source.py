"""The one module that fetches web pages: a link read into what a note keeps of it.

Only http and https; at most 5 redirects, 5 MB, the `web.timeout`, and only answers that
are web pages are read (`web.charset.is_html`). A GitHub repository is asked of GitHub's API
instead, for its owner, name, description and main language. Each host gets a `Fetcher` of
its own, so requests to one site are paced apart while other sites need not wait.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from papernotes import __version__
from papernotes.errors import SourceUnavailableError, WebAnswerError
from papernotes.http_fetch import Fetcher
from papernotes.note import Author, Note
from papernotes.refs import LinkRef
from papernotes.settings import GITHUB_API_URL, WEB_TIMEOUT

MAX_PAGE_BYTES = 5 * 1024 * 1024
_ACCEPT_HTML = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"


@dataclass(frozen=True)
class WebSettings:
    """How to read pages: the timeout, and where GitHub's API is."""

    timeout: float = WEB_TIMEOUT.default
    github_api_url: str = GITHUB_API_URL.default
    delay: float = 1.0  # between two requests to the same host
    retries: int = 2

    def __post_init__(self) -> None:
        WEB_TIMEOUT.validate(self.timeout)
        GITHUB_API_URL.validate(self.github_api_url)


@dataclass
class Page:
    """What reading a link gave: the note it makes (None when the page could not be read,
    with `problem` saying why), and the paper the page names, if any."""

    note: Note | None = None
    problem: str | None = None
    names: list[str] = field(default_factory=list)  # the arXiv id or DOI the page is about


class WebSource:
    """Reads links into notes, politely: one paced `Fetcher` per host."""

    def __init__(
        self,
        settings: WebSettings | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        on_wait: Callable[[str], None] | None = None,
    ) -> None:
        self.settings = settings or WebSettings()
        self._sleep, self._on_wait = sleep, on_wait
        self._fetchers: dict[str, Fetcher] = {}

    def read(self, ref: LinkRef, given: str | None = None) -> Page:
        """The note a link makes, or why it cannot be read (never an exception for a page
        that fails: a link that cannot be read still becomes a placeholder note). `given`
        is the link as the user wrote it, whose trailing slash is kept (see `address`)."""
        from papernotes.web.github import github_repo

        try:
            if github_repo(ref.url) and _is_repository_root(ref.url):
                return self._repository(ref)  # an issue, a file, a pull request: pages
            return self._page(ref, address(ref, given))
        except (SourceUnavailableError, WebAnswerError) as err:
            return Page(problem=str(err))

    def _page(self, ref: LinkRef, url: str) -> Page:
        from papernotes.web.page import read_page

        answer = self._fetcher(url).get(url, headers={"Accept": _ACCEPT_HTML})
        if answer.status != 200:
            return Page(problem=f"{url} answered HTTP {answer.status}")
        meta = read_page(
            answer.body, url=answer.url, content_type=answer.headers.get("Content-Type")
        )
        if meta.title is None:
            return Page(
                problem=f"{url} says nothing of itself (a viewer drawn by JavaScript, or "
                "a login page): give it a title with --title"
            )
        note = Note(
            id=ref.base,
            kind="link",
            title=meta.title,
            authors=[Author(name) for name in meta.authors],
            abstract=meta.description or "",
            published=meta.date,
            site=meta.site_name,
            language=meta.language,
            arxiv=meta.arxiv_id,
            doi=meta.doi,
            url=url,
        )
        return Page(note, names=[n for n in (meta.arxiv_id, meta.doi) if n])

    def _repository(self, ref: LinkRef) -> Page:
        from papernotes.web.github import github_repo, read_github_repo

        found = github_repo(ref.url)
        assert found is not None
        owner, name = found
        api = f"{self.settings.github_api_url.rstrip('/')}/repos/{owner}/{name}"
        answer = self._fetcher(api).get(api, headers={"Accept": "application/vnd.github+json"})
        if answer.status == 404:
            return Page(problem=f"GitHub has no repository {owner}/{name}")
        if answer.status != 200:
            return Page(problem=f"GitHub answered HTTP {answer.status} about {owner}/{name}")
        repo = read_github_repo(answer.body, url=api)
        repository = {"owner": repo.owner, "name": repo.name}
        for key, value in (("description", repo.description), ("language", repo.language)):
            if value:
                repository[key] = value
        note = Note(
            id=ref.base,
            kind="link",
            title=f"{repo.full_name}: {repo.description}" if repo.description else repo.full_name,
            abstract=repo.description or "",
            published=repo.created,
            site="GitHub",
            repository=repository,
            url=ref.url,
        )
        return Page(note)

    def _fetcher(self, url: str) -> Fetcher:
        host = urlsplit(url).netloc.lower()
        if host not in self._fetchers:
            self._fetchers[host] = Fetcher(
                host,
                user_agent=f"papernotes/{__version__} (reading notes; a link a reader saved)",
                delay=self.settings.delay,
                timeout=self.settings.timeout,
                retries=self.settings.retries,
                sleep=self._sleep,
                on_wait=self._on_wait,
                max_bytes=MAX_PAGE_BYTES,
            )
        return self._fetchers[host]


def address(ref: LinkRef, given: str | None = None) -> str:
    """Where a link's page is asked for: its normalised URL, with the trailing slash the
    link had as `given`. Of what normalising folds (case, default port, tracking
    parameters, fragment, that slash), only the slash can matter to a server: many answer
    `/a/` and not `/a`, though both are one note."""
    if given is None or not urlsplit(given.strip()).path.endswith("/"):
        return ref.url
    parts = urlsplit(ref.url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/"))


def _is_repository_root(url: str) -> bool:
    """`https://github.com/OWNER/REPO` itself (or `.git`), not a page inside it."""
    return len([part for part in urlsplit(url).path.split("/") if part]) == 2
