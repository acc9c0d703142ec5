"""Telegram posts: every part parsed back with html.parser (only Telegram's tags, balanced),
its visible text measured in UTF-16 code units as Telegram counts it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from fake_http import FakeServer, FakeTime, Reply
from test_kinds import DOI_NOTE, LINK_NOTE, write

from papernotes.export import markdown as markdown_export
from papernotes.export import render
from papernotes.export.telegram import LIMIT, SEPARATOR, hashtags, posts, utf16_length
from papernotes.note import Author, Note

ALLOWED = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre"}
ALLOWED |= {"blockquote", "span", "tg-spoiler"}
RUSSIAN = "Авторы честно сравнивают с «классическим» декодером 🚀, и это видно. "


class Post(HTMLParser):
    """One message read as Telegram reads it: its tags checked, its text gathered."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.parts: list[str] = []
        self.feed(html)
        self.close()
        assert not self.open, f"tags left open: {self.open}"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in ALLOWED, f"<{tag}> is not one of Telegram's tags"
        if tag == "a":
            assert [name for name, _ in attrs] == ["href"]
        else:
            assert not attrs, f"<{tag}> with attributes {attrs}"
        self.open.append(tag)
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open}"
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    @property
    def text(self) -> str:
        return "".join(self.parts)


def checked(html: str) -> Post:
    """The message parsed, after checking it fits in one Telegram message and does not end
    (before its number) with a heading whose text went to the next part."""
    post = Post(html)
    assert utf16_length(post.text) <= LIMIT
    body = re.sub(r"\n\n\(\d+/\d+\)$", "", post.text)
    assert not body.endswith(("\n\nCommentary", "\n\nFindings")), body[-200:]
    return post


def note(**fields: object) -> Note:
    values: dict[str, object] = {"id": "1911.04594", "version": 2, "title": "Ricci flow, learned"}
    values.update(fields)
    return Note(**values)  # type: ignore[arg-type]


def long_commentary(paragraphs: int = 12) -> str:
    """Paragraphs of Russian text with an emoji in every sentence, each under the limit."""
    return "\n\n".join(f"Абзац {i}. " + RUSSIAN * 12 for i in range(1, paragraphs + 1))


# --- the UTF-16 count -----------------------------------------------------------------------


def test_utf16_length_counts_an_emoji_as_two() -> None:
    assert utf16_length("abc") == 3
    assert utf16_length("Жук") == 3
    assert utf16_length("🚀") == 2
    assert utf16_length("a🚀b") == 4


# --- one post --------------------------------------------------------------------------------


def test_a_post_has_title_authors_link_reader_fields_and_hashtags() -> None:
    [html] = posts(
        note(
            authors=[Author("Ana Lima", ["MIT"]), Author("Bo Chen")],
            tldr="Flows *learn* curvature.",
            findings=["It converges.", "It is **fast**."],
            commentary="Worth a read.",
            tags=["ricci-flow", "ml"],
        )
    )
    post = checked(html)
    assert html.startswith("<b>Ricci flow, learned</b>\n\nAna Lima (MIT), Bo Chen\n\n")
    assert ("a", {"href": "https://arxiv.org/abs/1911.04594"}) in post.tags
    assert "arXiv:1911.04594v2" in post.text
    assert "<b>TL;DR:</b> Flows <i>learn</i> curvature." in html
    assert "<b>Findings</b>\n• It converges.\n• It is <b>fast</b>." in html
    assert "<b>Commentary</b>\n\nWorth a read." in html
    assert html.endswith("\n\n#ricci_flow #ml")


def test_authors_are_listed_as_the_markdown_export_lists_them() -> None:
    authors = [Author(f"Author {n}", ["Lab"] if n == 1 else []) for n in range(1, 9)]
    [html] = posts(note(authors=authors))
    assert "\n\nAuthor 1 (Lab), Author 2, et al.\n\n" in html
    assert "Author 1 (Lab), Author 2, et al." in markdown_export.render([note(authors=authors)])


def test_hashtags_are_written_as_the_markdown_export_writes_them() -> None:
    tags = ["ricci-flow", "C++ & Rust", "_x_", "ricci flow", "тензоры"]
    assert hashtags(tags) == "#ricci_flow #C_Rust #x #тензоры"
    assert markdown_export.render([note(tags=tags)]).rstrip().endswith(hashtags(tags))


def test_markdown_becomes_telegram_tags() -> None:
    text = (
        "**bold** *it* `x < y` ~~gone~~ [paper](https://example.org/a?b=1&c=2)\n\n"
        "> a quote\n\n```\nif a < b && c:\n```\n\n- one\n- two"
    )
    [html] = posts(note(commentary=text))
    post = checked(html)
    assert "<b>bold</b> <i>it</i> <code>x &lt; y</code> <s>gone</s> " in html
    assert '<a href="https://example.org/a?b=1&amp;c=2">paper</a>' in html
    assert "<blockquote>a quote</blockquote>" in html
    assert "<pre>if a &lt; b &amp;&amp; c:</pre>" in html
    assert "\n\n• one\n• two" in html
    assert "if a < b && c:" in post.text


def test_raw_html_and_other_links_are_text() -> None:
    text = (
        "<b>raw</b> & <script>x</script> [click](javascript:alert(1)) ![pic](https://x.org/p.png)"
    )
    [html] = posts(note(commentary=text, title="A <i> & title"))
    post = checked(html)
    assert "&lt;b&gt;raw&lt;/b&gt; &amp; &lt;script&gt;x&lt;/script&gt;" in html
    assert "<b>A &lt;i&gt; &amp; title</b>" in html
    assert [tag for tag, _ in post.tags].count("a") == 1  # the arXiv link only
    assert "click" in post.text and "pic" in post.text


def test_control_characters_are_shown_not_sent() -> None:
    [html] = posts(note(title="Bad \x1b[2J title", commentary="a\x07b"))
    assert "\x1b" not in html and "\x07" not in html
    assert "\\x1b[2J" in html and "a\\x07b" in html


def test_each_kind_links_what_it_is_about(notes_dir: Path) -> None:
    from papernotes.note import load_note

    doi = load_note(DOI_NOTE, "doi.yaml")
    link = load_note(LINK_NOTE, "link.yaml")
    [doi_post] = posts(doi)
    [link_post] = posts(link)
    assert (
        "Physical Review B, 91(18), 184507, 2015 · "
        '<a href="https://doi.org/10.1103/physrevb.91.184507">doi:10.1103/physrevb.91.184507</a>'
    ) in doi_post
    assert (
        'GitHub · <a href="https://github.com/NVIDIA/mellotron">github.com/NVIDIA/mellotron</a>'
        in link_post
    )


# --- splitting --------------------------------------------------------------------------------


def test_a_long_post_is_split_at_paragraphs_into_numbered_parts() -> None:
    commentary = long_commentary()
    parts = posts(note(commentary=commentary, tags=["ricci-flow"]))
    assert len(parts) > 1
    texts = [checked(part).text for part in parts]
    for i, text in enumerate(texts, 1):
        assert text.endswith(f"\n\n({i}/{len(parts)})")
    # Every paragraph whole, in one part, in order; none lost.
    whole = "\n\n".join(t.rsplit("\n\n", 1)[0] for t in texts)
    for paragraph in commentary.split("\n\n"):
        assert sum(paragraph.strip() in t for t in texts) == 1
    assert whole.index("Абзац 1.") < whole.index("Абзац 12.")
    assert texts[-1].rsplit("\n\n", 1)[0].endswith("#ricci_flow")


def test_a_paragraph_longer_than_a_message_is_split_at_sentences() -> None:
    sentences = [f"Предложение {i} про поток Риччи 🚀 и кривизну." for i in range(400)]
    parts = posts(note(commentary=" ".join(sentences)))
    assert len(parts) > 2
    bodies = [checked(part).text.rsplit("\n\n", 1)[0] for part in parts]
    for body in bodies[1:]:
        assert body.startswith("Предложение ")  # each part starts at a sentence
    for body in bodies[:-1]:
        assert body.endswith("кривизну.")  # ... and the one before it ends at one
    joined = " ".join(body.rsplit("\n\n", 1)[-1] for body in bodies)
    assert all(s in joined for s in sentences)


def test_text_without_sentences_is_split_at_words_and_a_huge_word_anywhere() -> None:
    words = " ".join(["слово🙂"] * 3000)
    word = "x" * 9000
    for commentary, piece in ((words, "слово🙂"), (word, "x")):
        parts = posts(note(commentary=commentary))
        texts = [checked(part).text.rsplit("\n\n", 1)[0] for part in parts]
        visible = "".join(texts)
        assert visible.count(piece) >= commentary.count(piece)  # nothing lost
        if piece != "x":
            assert all(t.endswith("слово🙂") for t in texts)  # cut between words
            assert not texts[0].endswith("Commentary")  # the first part filled at a word
        else:
            assert visible.endswith("x" * 100) and len(parts) == 3


def test_tags_are_closed_and_reopened_across_a_cut() -> None:
    bold = "**" + " ".join(["жирно🚀"] * 1500) + "**"
    parts = posts(note(commentary=bold + "\n\n[link " + "ссылка " * 900 + "](https://x.org)"))
    for part in parts:
        checked(part)  # balanced, allowed
    assert sum("<b>жирно" in part for part in parts) >= 2
    assert sum('<a href="https://x.org">' in part for part in parts) >= 2


def test_escapes_count_as_one_character() -> None:
    """`&lt;` is one character to Telegram: a post of many `<` still fills a message."""
    text = " ".join(["<&>"] * 1000)  # 3999 characters, 15,999 of markup
    [html] = posts(note(commentary=text, title="t", version=None))
    assert utf16_length(html) > LIMIT
    assert utf16_length(checked(html).text) <= LIMIT


def test_part_numbers_count_and_get_wider() -> None:
    """Ten parts or more: every part's room is counted for the wider number."""
    parts = posts(note(commentary=long_commentary(40)))
    assert len(parts) >= 10
    for i, part in enumerate(parts, 1):
        assert checked(part).text.endswith(f"({i}/{len(parts)})")


@pytest.mark.parametrize("size", [LIMIT - 200, LIMIT + 1, 3 * LIMIT])
def test_no_part_is_ever_over_the_limit(size: int) -> None:
    body = ("Ёж 🦔 " * size)[: size // 2]
    for part in posts(note(commentary=body, tldr=body, findings=[body])):
        checked(part)


# --- the command ------------------------------------------------------------------------------


@pytest.fixture
def long_note(notes_dir: Path) -> Path:
    """A hand-written note with a commentary far over one message, in Russian with emoji."""
    body = "\n\n".join(f"  Абзац {i}. " + RUSSIAN * 12 for i in range(1, 13))
    indented = "\n".join(f"  {line}" if line else "" for line in body.splitlines())
    text = (
        "id: '1911.04594'\nversion: 2\ntitle: Ricci flow, learned\n"
        "authors: [Ana Lima]\ntags: [ricci-flow]\ntldr: Потоки 🚀 учатся.\n"
        f"commentary: |\n{indented}\n"
    )
    return write(notes_dir, "1911.04594", text)


def test_export_telegram_to_stdout(cli, arxiv) -> None:
    cli("add", "1706.03762", "--tag", "deep-learning")
    out = cli("export", "1706.03762", "-f", "telegram").stdout
    post = checked(out.rstrip("\n"))
    assert out.startswith("<b>Attention Is All You Need</b>")
    assert "Ashish Vaswani" in post.text and "et al." in post.text
    assert post.text.endswith("#deep_learning")


def test_export_telegram_separates_messages_on_stdout(cli, arxiv, long_note) -> None:
    cli("add", "1706.03762")
    out = cli("export", "--all", "-f", "telegram").stdout
    messages = out.rstrip("\n").split(SEPARATOR)
    assert len(messages) == len(posts(_load(long_note))) + 1
    for message in messages:
        checked(message)
    assert "separated by a line ---" in " ".join(cli("export", "--help").stdout.split())


def test_export_telegram_into_a_folder_names_parts(cli, arxiv, long_note, isolated) -> None:
    cli("add", "1706.03762")
    result = cli("export", "--all", "-f", "telegram", "-o", "posts/")
    parts = posts(_load(long_note))
    names = sorted(p.name for p in (isolated / "posts").iterdir())
    numbered = [f"1911.04594-{i}.html" for i in range(1, len(parts) + 1)]
    assert names == sorted(["1706.03762.html", *numbered])
    for name, part in zip(numbered, parts, strict=True):
        text = (isolated / "posts" / name).read_text(encoding="utf-8")
        assert text == part + "\n"
        checked(text.rstrip("\n"))
    assert f"{len(parts) + 1} files in posts/" in result.stderr


def test_export_telegram_folder_of_every_kind(cli, notes_dir, isolated) -> None:
    write(notes_dir, "10.1103/PhysRevB.91.184507", DOI_NOTE)
    write(notes_dir, "https://github.com/NVIDIA/mellotron", LINK_NOTE)
    cli("export", "--all", "-f", "telegram", "-o", "posts/")
    names = sorted(p.name for p in (isolated / "posts").iterdir())
    assert names == [
        "doi_10.1103_physrevb.91.184507.html",
        "link_github.com_nvidia_mellotron-f24e034e.html",
    ]


def test_export_telegram_never_replaces_a_part_without_force(cli, long_note, isolated) -> None:
    (isolated / "posts").mkdir()
    mine = isolated / "posts" / "1911.04594-2.html"
    mine.write_text("my own\n", encoding="utf-8")
    result = cli("export", "--all", "-f", "telegram", "-o", "posts/", code=1)
    assert "1911.04594-2.html already exists" in result.stderr
    assert mine.read_text(encoding="utf-8") == "my own\n"
    assert sorted(p.name for p in (isolated / "posts").iterdir()) == ["1911.04594-2.html"]
    cli("export", "--all", "-f", "telegram", "-o", "posts/", "--force")
    second = mine.read_text(encoding="utf-8")
    assert second.startswith("Абзац ")  # the second part, whole paragraphs
    assert re.search(r"\n\n\(2/\d+\)\n$", second)


def test_render_is_every_message_joined(long_note) -> None:
    one = _load(long_note)
    assert render("telegram", [one, one]) == SEPARATOR.join(posts(one) * 2) + "\n"


def _load(path: Path) -> Note:
    from papernotes.note import load_note

    return load_note(path.read_text(encoding="utf-8"), str(path))


# --- --send -----------------------------------------------------------------------------------
# The Bot API's answers below are stand-ins written for these tests, not recordings (none
# are in /work/shared): the two fields the client reads, `ok` and `description`, and no more.
OK = Reply(body=b'{"ok": true}')
CHAT_NOT_FOUND = Reply(
    status=400, body=b'{"ok": false, "description": "Bad Request: chat not found"}'
)
TOKEN = "123456:AAE-secret_TOKEN"
SEND_PATH = f"/bot{TOKEN}/sendMessage"


class FakeTelegram(FakeServer):
    """The fake server, taking POSTs too: each request's JSON body is kept in `bodies`."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, object]] = []
        super().__init__()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self
        base = super()._handler()

        class Handler(base):  # type: ignore[valid-type,misc]
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                fake.bodies.append(json.loads(self.rfile.read(length)))
                self.do_GET()  # recorded and answered as a GET is

        return Handler


@pytest.fixture
def telegram(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTelegram]:
    """A fake Bot API; papernotes is pointed at it, with a token and a chat."""
    server = FakeTelegram().start()
    monkeypatch.setenv("PAPERNOTES_TELEGRAM_API_URL", server.url)
    monkeypatch.setenv("PAPERNOTES_TELEGRAM_TOKEN", TOKEN)
    monkeypatch.setenv("PAPERNOTES_TELEGRAM_CHAT", "@papernotes_test")
    yield server
    server.stop()


def no_token_anywhere(result: object, root: Path) -> None:
    """The token is in no output and no file under the test's folder."""
    assert TOKEN not in result.stdout and TOKEN not in result.stderr  # type: ignore[attr-defined]
    assert "/bot" not in result.stderr  # type: ignore[attr-defined]
    for path in root.rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path


def test_send_posts_every_message_in_order(cli, arxiv, telegram, long_note, isolated) -> None:
    cli("add", "1706.03762")
    telegram.script(SEND_PATH, OK)
    result = cli("export", "1911.04594", "1706.03762", "-f", "telegram", "--send")
    long_parts = posts(_load(long_note))
    expected = [*long_parts, *posts(_load(isolated / "notes" / "1706.03762.yaml"))]
    assert [body["text"] for body in telegram.bodies] == expected
    assert all(body["chat_id"] == "@papernotes_test" for body in telegram.bodies)
    assert all(body["parse_mode"] == "HTML" for body in telegram.bodies)
    assert telegram.paths() == [SEND_PATH] * len(expected)
    lines = result.stderr.splitlines()
    assert lines == [
        *(
            f"Sent 1911.04594 (part {i} of {len(long_parts)})."
            for i in range(1, len(long_parts) + 1)
        ),
        "Sent 1706.03762.",
        f"Sent {len(expected)} messages to @papernotes_test.",
    ]
    no_token_anywhere(result, isolated)


def test_send_says_which_failed_and_sends_the_rest(cli, arxiv, telegram, long_note, isolated):
    cli("add", "1706.03762")
    parts = len(posts(_load(long_note)))
    # The first message refused, every later one taken.
    telegram.script(SEND_PATH, CHAT_NOT_FOUND, OK)
    result = cli("export", "1911.04594", "1706.03762", "-f", "telegram", "--send", code=1)
    lines = result.stderr.splitlines()
    assert lines[0] == (
        f"Error: 1911.04594 (part 1 of {parts}) not sent: "
        "Telegram refused it: Bad Request: chat not found"
    )
    # The rest of that post is held back, said so; the next note's post is sent.
    assert lines[1:parts] == [
        f"Error: 1911.04594 (part {i} of {parts}) not sent: held back after part 1 failed"
        for i in range(2, parts + 1)
    ]
    assert lines[parts:] == [
        "Sent 1706.03762.",
        f"Sent 1 message to @papernotes_test; {parts} failed.",
    ]
    assert len(telegram.bodies) == 2
    no_token_anywhere(result, isolated)


def test_send_when_telegram_cannot_be_reached(cli, telegram, long_note, isolated, monkeypatch):
    monkeypatch.setenv("PAPERNOTES_TELEGRAM_API_URL", "http://127.0.0.1:9")
    result = cli("export", "1911.04594", "-f", "telegram", "--send", code=1)
    assert "Error: 1911.04594 (part 1 of" in result.stderr
    assert "Telegram could not be reached: connection refused" in result.stderr
    no_token_anywhere(result, isolated)


def test_send_an_answer_that_is_not_the_bot_apis(cli, telegram, long_note, isolated) -> None:
    telegram.script(SEND_PATH, Reply(status=502, body=b"Bad gateway", content_type="text/plain"))
    result = cli("export", "1911.04594", "-f", "telegram", "--send", code=1)
    assert "HTTP 502: the answer is not the Bot API's (check telegram.api_url)" in result.stderr
    no_token_anywhere(result, isolated)


def test_send_needs_a_token_from_the_environment(cli, telegram, long_note, monkeypatch) -> None:
    monkeypatch.delenv("PAPERNOTES_TELEGRAM_TOKEN")
    result = cli("export", "1911.04594", "-f", "telegram", "--send", code=2)
    assert "Error: PAPERNOTES_TELEGRAM_TOKEN is not set" in result.stderr
    monkeypatch.setenv("PAPERNOTES_TELEGRAM_TOKEN", "123/../x y")
    result = cli("export", "1911.04594", "-f", "telegram", "--send", code=2)
    assert "does not look like a bot token" in result.stderr and "x y" not in result.stderr
    assert telegram.requests == []
    cli("export", "1911.04594", "-f", "telegram", "--send", "--token", TOKEN, code=2)  # no flag


def test_send_needs_a_chat_and_the_telegram_format(cli, telegram, long_note, monkeypatch):
    monkeypatch.delenv("PAPERNOTES_TELEGRAM_CHAT")
    result = cli("export", "1911.04594", "-f", "telegram", "--send", code=2)
    assert "say which chat to post to: --chat" in result.stderr
    result = cli("export", "1911.04594", "-f", "telegram", "--send", "--chat", "no chat", code=2)
    assert "not a chat" in result.stderr
    result = cli("export", "1911.04594", "--send", "--chat", "@papernotes_test", code=2)
    assert "give -f telegram, and no -o" in result.stderr
    result = cli("export", "1911.04594", "-f", "telegram", "--chat", "@papernotes_test", code=2)
    assert "add --send, or leave --chat out" in result.stderr
    assert telegram.requests == []
    telegram.script(SEND_PATH, OK)
    cli("export", "1911.04594", "-f", "telegram", "--send", "--chat", "-1001234567890")
    assert {body["chat_id"] for body in telegram.bodies} == {"-1001234567890"}


def test_the_chat_and_address_are_settings_the_token_is_not(cli, telegram) -> None:
    settings = json.loads(cli("config", "--json").stdout)["settings"]
    assert settings["telegram.chat"]["value"] == "@papernotes_test"
    assert settings["telegram.api_url"]["value"] == telegram.url
    assert not any("token" in key for key in settings)
    assert TOKEN not in cli("config").stdout


def test_sender_paces_messages_and_hides_the_token(telegram) -> None:
    from papernotes.telegram_send import Post, TelegramSettings, send

    telegram.script(SEND_PATH, OK, CHAT_NOT_FOUND, OK)
    waits = FakeTime()
    where = TelegramSettings(telegram.url, "@papernotes_test", TOKEN, timeout=5, delay=1.0)
    assert TOKEN not in repr(where)
    done = list(send([Post("a", ["1", "2", "3"]), Post("b", ["4"])], where, sleep=waits))
    assert [d.problem for d in done] == [
        None,
        "Telegram refused it: Bad Request: chat not found",
        "held back after part 2 failed",
        None,
    ]
    assert [d.label for d in done][:2] == ["a (part 1 of 3)", "a (part 2 of 3)"]
    assert done[3].label == "b"
    assert [body["text"] for body in telegram.bodies] == ["1", "2", "4"]
    assert len(waits) == 2 and all(0 < w <= 1.0 for w in waits)  # paced, between requests
