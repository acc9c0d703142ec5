"""Reading fetched web answers: saved pages, GitHub's repository API, oEmbed.

Every page here is a genuine one that another project saved (tests/fixtures/web/, with its
PROVENANCE.md); the values asserted are the ones each page really holds. The few snippets
written for a test are there to exercise one rule and stand for no site.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from papernotes.errors import WebAnswerError
from papernotes.web import values
from papernotes.web.charset import decode, is_html
from papernotes.web.github import github_api_url, github_repo, read_github_repo
from papernotes.web.markup import read_markup

WEB = Path(__file__).parent / "fixtures" / "web"
HTML = WEB / "html"


# Which answers are pages, and their encodings.


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        ("text/html", True),
        ("text/html; charset=UTF-8", True),
        ("TEXT/HTML ;charset=utf-8", True),
        ("application/xhtml+xml", True),
        ("application/json; charset=utf-8", False),
        ("application/pdf", False),
        ("text/plain", False),
        ("image/png", False),
    ],
)
def test_only_html_answers_are_pages(content_type: str, expected: bool) -> None:
    assert is_html(content_type) is expected


def test_without_a_content_type_the_body_decides() -> None:
    assert is_html(None, (HTML / "ja_nhk.or.jp_news-web-easy.html").read_bytes())  # BOM first
    assert is_html(None, (HTML / "github.com_golemfactory_yapapi.html").read_bytes())  # \n\n<!
    assert is_html(None, (HTML / "arxiv_abs_2106.09608.html").read_bytes())  # <?xml first
    assert not is_html(None, (HTML / "springer_BF02727953_Out.json").read_bytes())  # JSON
    assert not is_html(
        None,
        (Path(__file__).parent / "fixtures/arxiv/api2026_empty_feed_0000.0000.xml").read_bytes(),
    )
    assert not is_html(None)


def japanese_in_shift_jis(*, meta: bool) -> bytes:
    """The Japanese page as a Shift_JIS server would send it: no BOM, declared or not."""
    text = (HTML / "ja_nhk.or.jp_news-web-easy.html").read_text(encoding="utf-8-sig")
    declared = '<meta charset="utf-8">'
    assert declared in text
    text = text.replace(declared, '<meta charset="shift_jis">' if meta else "")
    return text.encode("cp932")


def test_the_header_charset_comes_before_the_meta_tag() -> None:
    body = japanese_in_shift_jis(meta=False)
    assert "子ども" in decode(body, "text/html; charset=Shift_JIS")
    assert "子ども" in decode(japanese_in_shift_jis(meta=True), "text/html")  # the meta's
    # A header that is wrong wins all the same, as in a browser; nothing fails.
    assert "子ども" not in decode(japanese_in_shift_jis(meta=True), "text/html; charset=utf-8")


def test_an_undeclared_encoding_is_detected() -> None:
    body = japanese_in_shift_jis(meta=False)
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert "<title>NEWS WEB EASY|子どもへの体罰を禁止する法律ができる</title>" in decode(
        body, "text/html"
    )


def test_a_byte_order_mark_is_never_part_of_the_text() -> None:
    body = (HTML / "ja_nhk.or.jp_news-web-easy.html").read_bytes()
    assert body.startswith(b"\xef\xbb\xbf")
    for content_type in (None, "text/html", "text/html; charset=utf-8"):
        assert decode(body, content_type).startswith("<!DOCTYPE HTML>")
    # The mark is the bytes' own word: as in a browser, it outweighs a header saying otherwise.
    assert "子ども" in decode(body, "text/html; charset=iso-8859-1")


def test_an_unknown_or_unsafe_charset_label_is_passed_over() -> None:
    body = (HTML / "acl_2021.naacl-main.208.html").read_bytes()
    for label in ("no-such-charset", "utf-7", "base64", "unicode_escape"):
        assert "prompt worth?" in decode(body, f"text/html; charset={label}")


# Untrusted text.


def test_clean_text() -> None:
    assert values.clean("  a\n\tb \u2028 c ", 100) == "a b c"
    assert values.clean("<p>One</p><p>two &amp; three</p>", 100) == "One two & three"
    assert values.clean("AT&amp;T", 100) == "AT&T"  # as a tag escaped twice reads once
    assert values.clean("x < y and a<b", 100) == "x < y and a<b"
    assert values.clean("\x00\x1b\u202e\ufeff", 100) is None
    assert values.clean("\ud83d lone surrogate", 100) == "lone surrogate"
    # Cut at the last word that fits, when one ends near the limit; else where the limit is.
    assert values.clean("abcdefghij " * 100, 500) == ("abcdefghij " * 45).strip() + "…"
    assert values.clean("x" * 600, 500) == "x" * 499 + "…"


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        ("Ammanabrolu, Prithviraj", "Prithviraj Ammanabrolu"),
        ("Teven Le Scao", "Teven Le Scao"),
        ("King, Jr., Martin Luther", "King, Jr., Martin Luther"),
        ("Martin Luther King, Jr.", "Martin Luther King, Jr."),
        ("Google, Inc.", "Google, Inc."),
        ("https://www.facebook.com/GitHub", None),
        ("@github", None),
    ],
)
def test_names(written: str, kept: str | None) -> None:
    assert values.person(written) == kept


def test_each_author_once() -> None:
    assert values.people(["Leinaas, J. M.", "J. M. Leinaas", "j. m. leinaas", ""]) == [
        "J. M. Leinaas"
    ]


@pytest.mark.parametrize(
    ("written", "iso"),
    [
        ("2021/06/17", "2021-06-17"),
        ("2021/6", "2021-06"),
        ("1977", "1977"),
        ("2019-03-29T16:00:49+00:00", "2019-03-29T16:00:49Z"),
        ("2019-03-29T09:00:49-08:00", "2019-03-29T17:00:49Z"),
        ("2007-10-23T00:00:00Z", "2007-10-23T00:00:00Z"),
        ("2012-05-19T10:50:39.123Z", "2012-05-19T10:50:39Z"),
        ("2019-03-29T16:00:49", "2019-03-29"),  # no zone: the instant is unknown
        ("Tue, 07 Jan 2025 07:32:15 GMT", "2025-01-07T07:32:15Z"),
        ("2021-13-01", "2021-13-01"),  # not a date: kept as written
        ("spring 2021", "spring 2021"),
        ("", None),
    ],
)
def test_dates(written: str, iso: str | None) -> None:
    assert values.when(written) == iso


def test_languages_and_dois() -> None:
    assert values.language("en_us") == "en-US"
    assert values.language("zh-hant-TW") == "zh-Hant-TW"
    assert values.language("En") == "en"
    assert values.language("English") is None
    assert values.doi("doi:10.1007/BF02727953") == "10.1007/bf02727953"
    assert values.doi("https://doi.org/10.1007/BF02727953") == "10.1007/bf02727953"
    assert values.doi("https://example.org/10.1007") is None
    assert values.arxiv_id("10.48550/arXiv.2106.09608") == values.arxiv_id("2106.09608")


def test_a_malformed_marked_section_keeps_what_came_before() -> None:
    head = read_markup("<title>Before</title><![bogus[ x ]]><meta name=description content=x>")
    assert head.title == "Before"


# GitHub.


@pytest.mark.parametrize(
    ("url", "api"),
    [
        ("https://github.com/PyGithub/PyGithub", "https://api.github.com/repos/PyGithub/PyGithub"),
        (
            "https://github.com/golemfactory/yapapi/tree/master/examples",
            "https://api.github.com/repos/golemfactory/yapapi",
        ),
        ("http://www.github.com/a-b/c.d_e.git", "https://api.github.com/repos/a-b/c.d_e"),
        ("https://GitHub.com/owner/repo?tab=readme#top", "https://api.github.com/repos/owner/repo"),
        ("https://github.com/PyGithub", None),
        ("https://github.com/features/actions", None),
        ("https://github.com/-bad/repo", None),
        ("https://github.com/owner/..", None),
        ("https://gist.github.com/owner/abc", None),
        ("https://example.org/owner/repo", None),
        ("ftp://github.com/owner/repo", None),
        ("http://[github.com/owner/repo", None),
    ],
)
def test_github_repository_links(url: str, api: str | None) -> None:
    assert github_api_url(url) == api
    assert (github_repo(url) is None) is (api is None)


def test_a_repository_in_githubs_2025_answer() -> None:
    repo = read_github_repo((WEB / "github-api" / "repos_PyGithub_PyGithub_2025.json").read_bytes())
    assert (repo.owner, repo.name, repo.full_name) == ("PyGithub", "PyGithub", "PyGithub/PyGithub")
    assert repo.description == "Typed interactions with the GitHub API v3"
    assert repo.language == "Python"
    assert repo.url == "https://github.com/PyGithub/PyGithub"
    assert repo.homepage == "https://pygithub.readthedocs.io/"
    assert repo.topics == ("github", "github-api", "pygithub", "python")
    assert repo.created == "2012-02-25T12:53:47Z"


def test_a_repository_in_githubs_2012_answer() -> None:
    repo = read_github_repo((WEB / "github-api" / "repos_jacquev6_PyGithub_2012.json").read_bytes())
    assert repo.full_name == "jacquev6/PyGithub"  # 2012 had no full_name: owner and name
    assert repo.description == "Python library implementing the full Github API v3"
    assert repo.language == "Python"
    assert repo.homepage == "http://vincent-jacques.net/PyGithub"
    assert repo.topics == ()


def test_githubs_not_found_and_moved_answers_are_errors_saying_what_to_do() -> None:
    url = "https://api.github.com/repos/jacquev6/Xxx"
    with pytest.raises(WebAnswerError, match=r"^https://\S+/Xxx: GitHub has no such repository"):
        read_github_repo((WEB / "github-api" / "repos_jacquev6_Xxx_404.json").read_bytes(), url=url)
    body = (WEB / "github-api" / "repos_protoncoin_protoncoin_301.json").read_bytes()
    with pytest.raises(
        WebAnswerError, match=r"moved to https://api\.github\.com/repositories/112116543"
    ):
        read_github_repo(body)
    for bad in (b"Forbidden", b"[]", b"\xff", b'{"name": "x"}'):
        with pytest.raises(WebAnswerError, match=r"^GitHub's answer"):
            read_github_repo(bad)
