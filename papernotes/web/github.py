"""GitHub repositories: which links are one, where GitHub's API describes it, and reading
that description (`api.github.com/repos/OWNER/REPO`) into a Repo."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from papernotes.errors import WebAnswerError
from papernotes.web import values

API = "https://api.github.com/repos"
_HOSTS = frozenset({"github.com", "www.github.com"})
# GitHub's rules for names: an account is letters, digits and single inner hyphens, at most
# 39 characters; a repository is letters, digits, `.`, `_` and `-`, at most 100.
_OWNER = re.compile(r"[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}")
_REPO = re.compile(r"[A-Za-z0-9._-]{1,100}")
# First path parts of github.com that are GitHub's own pages, not an account's.
_NOT_OWNERS = frozenset(
    {
        "about", "apps", "codespaces", "collections", "contact", "customer-stories",
        "enterprise", "events", "explore", "features", "issues", "login", "marketplace",
        "new", "notifications", "orgs", "organizations", "pricing", "pulls", "readme",
        "search", "security", "settings", "site", "sponsors", "topics", "trending", "users",
    }
)  # fmt: skip
TOPICS = 50


@dataclass(frozen=True)
class Repo:
    """A repository as GitHub describes it; text values cleaned as a page's are."""

    owner: str
    name: str
    description: str | None
    language: str | None  # the main one, as GitHub counts it
    url: str
    homepage: str | None = None
    topics: tuple[str, ...] = ()
    created: str | None = None  # YYYY-MM-DDTHH:MM:SSZ

    @property
    def full_name(self) -> str:
        """`owner/name`, as GitHub writes it."""
        return f"{self.owner}/{self.name}"


def github_repo(url: str) -> tuple[str, str] | None:
    """The (owner, name) of a repository link, `https://github.com/OWNER/REPO[/...]`
    (a file, a branch or an issue in it counts as it); None for any other link."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or host not in _HOSTS:
        return None
    segments = parts.path.split("/")
    if len(segments) < 3:
        return None
    owner, name = segments[1], segments[2].removesuffix(".git")
    if owner.lower() in _NOT_OWNERS or not _OWNER.fullmatch(owner):
        return None
    if name in (".", "..") or not _REPO.fullmatch(name):
        return None
    return owner, name


def github_api_url(url: str) -> str | None:
    """Where GitHub's API describes the repository of a link (None if it is not one):
    `https://github.com/OWNER/REPO/issues` -> `https://api.github.com/repos/OWNER/REPO`."""
    found = github_repo(url)
    return f"{API}/{found[0]}/{found[1]}" if found else None


def read_github_repo(body: bytes, *, url: str | None = None) -> Repo:
    """Read GitHub's answer about a repository; raise `WebAnswerError` for one that is not
    (GitHub's "Not Found", a repository moved, a limit reached, not JSON). `url` names the
    answer in messages."""
    where = url or "GitHub's answer"
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise WebAnswerError(f"{where}: GitHub's answer is not JSON") from None
    if not isinstance(data, dict):
        raise WebAnswerError(f"{where}: GitHub's answer does not describe a repository")
    owner_data = data.get("owner")
    owner = _text(owner_data.get("login")) if isinstance(owner_data, dict) else None
    name = _text(data.get("name"))
    if owner is None or name is None or not (_OWNER.fullmatch(owner) and _REPO.fullmatch(name)):
        raise WebAnswerError(f"{where}: {_problem(data)}")
    html_url = values.link(_text(data.get("html_url")), "")
    return Repo(
        owner=owner,
        name=name,
        description=values.clean(_text(data.get("description")), values.DESCRIPTION_CHARS),
        language=values.clean(_text(data.get("language")), values.SHORT_CHARS),
        url=html_url or f"https://github.com/{owner}/{name}",
        homepage=values.link(_text(data.get("homepage")), ""),
        topics=tuple(
            topic
            for value in (data.get("topics") or [])[:TOPICS]
            if (topic := values.clean(_text(value), values.SHORT_CHARS))
        ),
        created=values.when(_text(data.get("created_at"))),
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _problem(data: dict[str, Any]) -> str:
    """What GitHub's answer says instead of describing a repository, and what to do."""
    message = values.clean(_text(data.get("message")), values.SHORT_CHARS)
    if message == "Not Found":
        return "GitHub has no such repository (or it is private); check the owner and name"
    if message == "Moved Permanently":
        moved = values.link(_text(data.get("url")), API)
        return f"GitHub says the repository moved{f' to {moved}' if moved else ''}; ask there"
    if message:
        return f"GitHub did not describe the repository: {message}"
    return "GitHub's answer does not describe a repository"
