"""Reading fetched web answers: saved pages, GitHub's repository API, oEmbed.

Every page here is a genuine one that another project saved (tests/fixtures/web/, with its
PROVENANCE.md); the values asserted are the ones each page really holds. The few snippets
written for a test are there to exercise one rule and stand for no site.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from papernotes.errors import WebAnswerError
from papernotes.web import values
from papernotes.web.charset import decode, is_html
from papernotes.web.github import github_api_url, github_repo, read_github_repo
from papernotes.web.markup import read_markup
from papernotes.web.oembed import read_oembed
from papernotes.web.page import KINDS, PageMeta, read_page

WEB = Path(__file__).parent / "fixtures" / "web"
HTML = WEB / "html"


def page(name: str, content_type: str | None = "text/html; charset=utf-8") -> PageMeta:
    body = (HTML / name).read_bytes()
    return read_page(body, url="https://example.org/saved", content_type=content_type)


# The pages, one by one.


def test_an_arxiv_abstract_page_names_its_paper() -> None:
    meta = page("arxiv_abs_2106.09608.html")
    assert meta.title == "Learning Knowledge Graph-based World Models of Textual Environments"
    assert meta.authors == ["Prithviraj Ammanabrolu", "Mark O. Riedl"]  # "Family, Given" there
    assert meta.date == "2021-06-17"  # citation_date 2021/06/17
    assert meta.description is not None
    assert meta.description.startswith("World models improve a learning agent's ability")
    assert "\n" not in meta.description and "  " not in meta.description
    assert meta.arxiv_id == "2106.09608"
    assert meta.names_paper and meta.kind == "paper"
    assert meta.site_name == "arXiv.org"
    assert meta.language == "en"
    assert meta.url == "https://arxiv.org/abs/2106.09608v2"  # og:url (no canonical link)
    assert meta.found[0] == "citation"


def test_an_acl_anthology_page_names_its_doi() -> None:
    meta = page("acl_2021.naacl-main.208.html")
    papis = json.loads((HTML / "acl_2021.naacl-main.208_Out.json").read_text(encoding="utf-8"))
    assert meta.title == papis["title"] == "How many data points is a prompt worth?"
    assert meta.doi == papis["doi"] == "10.18653/v1/2021.naacl-main.208"
    assert meta.names_paper and meta.arxiv_id is None
    # The page writes "Teven Le Scao" (papis split it as "Scao, Teven Le"): kept as written.
    assert meta.authors == ["Teven Le Scao", "Alexander M. Rush"]
    assert meta.date == "2021-06"  # citation_publication_date 2021/6: a month, no day
    assert meta.url == papis["url"] == "https://aclanthology.org/2021.naacl-main.208/"
    assert meta.site_name == "ACL Anthology"
    assert meta.language == "en-US"  # <html lang=en-us>
    assert meta.kind == "paper"


def test_a_springer_page_trusts_its_citation_tags_over_json_ld_and_dublin_core() -> None:
    meta = page("springer_BF02727953_jsonld-scholarlyarticle.html")
    papis = json.loads((HTML / "springer_BF02727953_Out.json").read_text(encoding="utf-8"))
    assert meta.title == papis["title"] == "On the theory of identical particles"
    assert meta.doi == papis["doi"].lower() == "10.1007/bf02727953"
    # citation_author "Leinaas, J. M."; the JSON-LD says "J. M. Leinaas": one name either way.
    assert meta.authors == ["J. M. Leinaas", "J. Myrheim"]
    # citation_publication_date 1977/01, the paper's; dc.date (papis' 2007-10-23) is the day
    # Springer put it online.
    assert meta.date == "1977-01"
    # No citation_abstract: the JSON-LD's description is the whole abstract, where the
    # description tags are cut short.
    assert meta.description == papis["abstract"]
    assert meta.found == ("citation", "json-ld", "opengraph", "dublin-core", "html")
    assert meta.site_name == "SpringerLink"
    assert meta.language == "en"
    assert meta.url == "https://link.springer.com/article/10.1007/BF02727953"
    assert meta.kind == "paper"


def test_a_blog_post_is_read_from_its_json_ld_graph() -> None:
    meta = page("blog_github.blog_leader-spotlight-erin-spiceland.html")
    assert meta.title == "Leader spotlight: Erin Spiceland"
    # The graph's Article names its author by reference to a Person node.
    assert meta.authors == ["Jessica Rudder"]
    assert meta.date == "2019-03-29T16:00:49Z"  # 2019-03-29T16:00:49+00:00
    assert meta.description == (
        "We’re spending Women’s History Month with women leaders who are making history every "
        "day in the tech community. Read more about Erin Spiceland: Software Engineer at SpaceX."
    )
    assert meta.kind == "blog"  # the BlogPosting refines the graph's Article
    assert meta.site_name == "The GitHub Blog"
    assert meta.language == "en-US"
    assert meta.url == "https://github.blog/2019-03-29-leader-spotlight-erin-spiceland/"
    assert not meta.names_paper
    assert "citation" not in meta.found


def test_a_github_repository_page_is_software_titled_without_the_site() -> None:
    meta = page("github.com_golemfactory_yapapi.html")
    assert meta.title == "golemfactory/yapapi: Python high-level API for Golem."
    assert meta.site_name == "GitHub"
    assert meta.kind == "software"  # og:type says only "object"; the address says more
    assert meta.url == "https://github.com/golemfactory/yapapi"
    assert meta.description == (
        "Python high-level API for Golem. "
        "Contribute to golemfactory/yapapi development by creating an account on GitHub."
    )
    assert meta.authors == [] and meta.date is None


def test_a_japanese_page_with_a_byte_order_mark() -> None:
    for content_type in ("text/html; charset=utf-8", "text/html", None):
        meta = page("ja_nhk.or.jp_news-web-easy.html", content_type)
        assert meta.title == "子どもへの体罰を禁止する法律ができる"  # "NEWS WEB EASY|" dropped
        assert meta.site_name == "NEWS WEB EASY"
        assert meta.language == "ja-JP"  # og:locale ja_JP
        assert meta.kind == "article"
        assert meta.description is not None
        assert meta.description.startswith("子どもへの虐待をなくすための法律ができて")


def test_a_google_drive_page_gives_only_its_title() -> None:
    meta = page("google-drive_folder_gdown_folder_test.html")
    # The page is drawn by JavaScript: its <title> "gdown_folder_test - Google Drive" is all
    # it says of itself, the folder's name and the site's.
    assert meta.title == "gdown_folder_test"
    assert meta.site_name == "Google Drive"
    assert meta.found == ("html",)
    assert meta.kind == "page" and meta.url is None and meta.description is None


def test_a_title_that_is_only_the_sites_name_is_no_title() -> None:
    body = (HTML / "google-drive_folder_gdown_folder_test.html").read_bytes()
    bare = body.replace(
        b"<title>gdown_folder_test - Google Drive</title>", b"<title>Google Drive</title>"
    )
    assert bare != body
    meta = read_page(bare, url="https://drive.google.com/", content_type="text/html")
    assert meta.title is None and meta.site_name == "Google Drive"


def test_every_saved_page_is_read_into_a_known_kind() -> None:
    for path in sorted(HTML.glob("*.html")):
        meta = read_page(path.read_bytes(), url="https://example.org/", content_type="text/html")
        assert meta.kind in KINDS, path.name
        assert meta.title, path.name


def test_an_answer_that_is_not_a_page_is_refused_naming_it() -> None:
    body = (WEB / "github-api" / "repos_PyGithub_PyGithub_2025.json").read_bytes()
    url = "https://api.github.com/repos/PyGithub/PyGithub"
    with pytest.raises(
        WebAnswerError,
        match=r"^https://api\.github\.com/\S+: not a web page "
        r"\(the answer is application/json\)",
    ):
        read_page(body, url=url, content_type="application/json; charset=utf-8")


def test_a_huge_title_is_cut_and_markup_and_controls_are_dropped() -> None:
    body = (HTML / "ja_nhk.or.jp_news-web-easy.html").read_bytes()
    old = "NEWS WEB EASY|子どもへの体罰を禁止する法律ができる".encode()
    assert body.count(old) == 2  # the <title> and og:title
    huge = ("word " * 200_000).encode()
    body = body.replace(old, b"&lt;b&gt;Bold&lt;/b&gt;\x1b[31m\x07 \xe2\x80\xae" + huge)
    meta = read_page(body, url="https://example.org/", content_type="text/html")
    assert meta.title is not None
    assert len(meta.title) <= values.TITLE_CHARS
    assert meta.title.startswith("Bold[31m word word")  # no tag, no escape, no bidi override
    assert meta.title.endswith("word…")


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


# oEmbed.

OEMBED = WEB / "oembed"


def test_a_youtube_video_in_oembed() -> None:
    url = "https://www.youtube.com/watch?v=pO5L6vXtxsI"
    meta = read_oembed((OEMBED / "youtube_oembed_pO5L6vXtxsI.json").read_bytes(), url=url)
    assert meta.title == "CKEditor 4.5 - Embedding Media Resources with oEmbed"
    assert meta.authors == ["CKEditor"]
    assert meta.site_name == "YouTube"
    assert meta.kind == "video"
    assert meta.date is None and meta.url is None  # YouTube's answer gives neither


def test_a_tweet_in_oembed_is_titled_by_its_text() -> None:
    for name in (
        "twitter_oembed_RailsGirlsSoC_702136612822634496_2020.json",
        "twitter_oembed_x.com_RailsGirlsSoC_702136612822634496_2024.json",  # asked as x.com
    ):
        url = "https://x.com/RailsGirlsSoC/status/702136612822634496"
        meta = read_oembed((OEMBED / name).read_bytes(), url=url)
        # The emoji come as JSON surrogate pairs (\uD83D\uDC9C): one character each here.
        assert meta.title == (
            "Our 2016 fundraising campaign is now open!! Let’s make another amazing summer "
            "happen!✨\U0001f49c\U0001f4aa\U0001f49a✨\U0001f449 https://t.co/R8Jg36xaQx "
            "pic.twitter.com/mIwKR0fzGR"
        )
        assert meta.authors == ["Rails Girls Summer of Code"]
        assert meta.date == "2016-02-23"  # "February 23, 2016" under the text
        assert meta.language == "en"
        assert meta.site_name == "Twitter" and meta.kind == "post"
        assert meta.url == "https://twitter.com/RailsGirlsSoC/status/702136612822634496"
    url = "https://www.twitter.com/bpoweski/status/71633762"
    meta = read_oembed(
        (OEMBED / "twitter_oembed_bpoweski_71633762_2020.json").read_bytes(), url=url
    )
    assert (meta.title, meta.authors, meta.date) == (
        "working on my Ruby Security book",
        ["Ben Poweski"],
        "2007-05-20",
    )


def test_oembed_error_answers_are_errors_naming_the_link() -> None:
    url = "https://youtu.be/NHriYTkvd0g"
    with pytest.raises(WebAnswerError, match=r"^https://youtu\.be/NHriYTkvd0g: .*'Forbidden'"):
        read_oembed((OEMBED / "youtube_oembed_403_NHriYTkvd0g.txt").read_bytes(), url=url)
    with pytest.raises(WebAnswerError, match="'xml not implemented'"):
        read_oembed((OEMBED / "twitter_oembed_400_format_xml.json").read_bytes(), url=url)
    # GitHub's answer is JSON but not oEmbed.
    with pytest.raises(WebAnswerError, match="not oEmbed"):
        read_oembed((WEB / "github-api" / "repos_jacquev6_Xxx_404.json").read_bytes(), url=url)


# Start-up.


def test_reading_a_page_imports_no_detector_until_a_page_needs_one() -> None:
    """charset-normalizer (39 ms to import) only for a page that names no encoding and is
    not UTF-8; papernotes' own start-up never imports web/ at all."""
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from papernotes.web.page import read_page\n"
        f"body = Path({str(HTML / 'arxiv_abs_2106.09608.html')!r}).read_bytes()\n"
        "read_page(body, url='https://arxiv.org/abs/2106.09608', content_type='text/html')\n"
        "print('charset_normalizer' in sys.modules, 'email.utils' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]
    startup = "import sys, papernotes.cli; print([m for m in sys.modules if 'papernotes.web' in m])"
    done = subprocess.run(
        [sys.executable, "-c", startup], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
