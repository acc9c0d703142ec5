"""The built site in a real browser: Debian's Chromium driven by Playwright, offline.

The site is built from the shipped notes by the installed `papernotes` command and served
on 127.0.0.1; the browser types into Pagefind's search box, follows a result, and checks
what a reader would meet: no script errors, nothing fetched from elsewhere, a page that
fits a phone, a dark scheme. Screenshots go to $PAPERNOTES_TEST_ARTIFACTS (or
test-artifacts/ in the repository) for a person to look at.

Playwright's own browser download is never used (`playwright install` needs the network):
without Chromium or the playwright package the module is skipped.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import importlib.util
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import pytest
import yaml

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Request, Route

REPO = Path(__file__).resolve().parent.parent
SHIPPED_NOTES = REPO / "notes"
CHROMIUM = "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else shutil.which("chromium")
# Read when the module is imported: the autouse `isolated` fixture clears PAPERNOTES_* later.
ARTIFACTS = Path(os.environ.get("PAPERNOTES_TEST_ARTIFACTS") or REPO / "test-artifacts")
# This machine runs as root, with no screen and a closed network: no sandbox, no GPU, and
# none of Chromium's own calls home (updates, sync, QUIC probes).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SEARCH_INPUT = "input.pagefind-ui__search-input"
RESULT_LINK = "a.pagefind-ui__result-link"
PHONE, DESKTOP = 390, 1280
TITLE = "Notes in a browser"

pytestmark = [
    pytest.mark.skipif(
        CHROMIUM is None, reason="no Chromium: apt-get install chromium to run the browser tests"
    ),
    pytest.mark.skipif(
        importlib.util.find_spec("playwright") is None,
        reason="no playwright: pip install -e '.[test]' to run the browser tests",
    ),
]


def _site_command(workspace: Path, *args: str) -> list[str]:
    """`papernotes --dir NOTES site ARGS --title T`, by the installed command beside this
    Python (.venv/bin/papernotes), else the one on PATH."""
    beside = Path(sys.executable).with_name("papernotes")
    found = str(beside) if beside.exists() else shutil.which("papernotes")
    assert found, "the papernotes command is not installed: make install"
    return [found, "--dir", str(workspace / "notes"), "site", *args, "--title", TITLE]


def _environment(home: Path) -> dict[str, str]:
    """This process's environment without papernotes settings, and no settings file."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERNOTES_")}
    env["XDG_CONFIG_HOME"] = str(home / "config")
    return env


def _title(stem: str) -> str:
    """The title written in a shipped note, e.g. `link/github.com_...`."""
    note = yaml.safe_load((SHIPPED_NOTES / f"{stem}.yaml").read_text(encoding="utf-8"))
    return str(note["title"])


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scratch folder holding a copy of the shipped notes (their index files stay put)."""
    home = tmp_path_factory.mktemp("browser")
    shutil.copytree(SHIPPED_NOTES, home / "notes", ignore=shutil.ignore_patterns(".*"))
    return home


@pytest.fixture(scope="module")
def built_site(workspace: Path) -> Path:
    """The site built by the real command: `papernotes --dir NOTES site -o public`."""
    public = workspace / "public"
    done = subprocess.run(
        _site_command(workspace, "-o", str(public)),
        env=_environment(workspace),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (public / "index.html").is_file()
    return public


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def site_url(built_site: Path) -> Iterator[str]:
    """The built site served on 127.0.0.1 by a plain static server in a thread."""
    handler = functools.partial(_Quiet, directory=str(built_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the module (launch gives it a fresh temporary profile)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@dataclass
class Visit:
    """A page with everything it said and asked for, from its first request on."""

    page: Page
    origin: str
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    answers: dict[str, int] = field(default_factory=dict)

    def foreign(self) -> list[str]:
        """Requests for anything not on the test's own server."""
        return [url for url in self.requests if not url.startswith(self.origin)]

    def search(self, word: str) -> list[str]:
        """Type `word` into the search box; the titles of the result links."""
        self.page.fill(SEARCH_INPUT, word)
        self.page.wait_for_selector(RESULT_LINK)
        return [link.inner_text().strip() for link in self.page.query_selector_all(RESULT_LINK)]

    def shoot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / name))

    def assert_clean(self) -> None:
        assert self.foreign() == []
        assert self.errors == []


@pytest.fixture
def visit(browser: Browser) -> Iterator[Callable[..., Visit]]:
    """`visit(url, width=390, scheme="dark")`: open a watched page in a new browser context.

    Every request leaving 127.0.0.1:PORT is recorded and aborted, so the test cannot leak
    even when the site would."""
    contexts = []

    def open_page(url: str, width: int = DESKTOP, scheme: str = "light") -> Visit:
        context = browser.new_context(
            viewport={"width": width, "height": 844 if width == PHONE else 800},
            color_scheme=scheme,  # type: ignore[arg-type]
        )
        contexts.append(context)
        origin = re.match(r"http://127\.0\.0\.1:\d+/", url)
        assert origin, url
        seen = Visit(context.new_page(), origin.group())

        def only_local(route: Route, request: Request) -> None:
            if request.url.startswith(seen.origin):
                route.continue_()
            else:
                route.abort()

        context.route("**/*", only_local)
        page = seen.page
        page.on("request", lambda request: seen.requests.append(request.url))
        page.on("response", lambda answer: seen.answers.__setitem__(answer.url, answer.status))
        page.on(
            "console",
            lambda message: seen.errors.append(message.text) if message.type == "error" else None,
        )
        page.on("pageerror", lambda error: seen.errors.append(str(error)))
        with page.expect_response(lambda answer: answer.url.endswith("/favicon.svg")):
            page.goto(url)
        return seen

    yield open_page
    for context in contexts:
        context.close()


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_index_page_fits_names_its_language_and_has_its_favicon(
    visit: Callable[..., Visit], site_url: str, width: int
) -> None:
    seen = visit(site_url + "index.html", width=width)
    page = seen.page
    assert page.title() == TITLE
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert seen.answers[site_url + "favicon.svg"] == 200
    page.wait_for_selector(SEARCH_INPUT, state="visible")
    seen.shoot(f"index-{width}.png")
    seen.assert_clean()


@pytest.mark.parametrize(
    ("word", "stem", "width"),
    [
        ("attention", "1706.03762", DESKTOP),
        ("monotonic", "math_0211159", PHONE),
        # Words of the Russian commentary, found though the pages are indexed as English.
        ("энтропия", "math_0211159", DESKTOP),
        ("монотонная", "math_0211159", PHONE),
        ("репозитории", "link/github.com_pygithub_pygithub-31bb4d3c", PHONE),
    ],
)
def test_search_finds_the_note_and_its_result_opens_the_note(
    visit: Callable[..., Visit], site_url: str, word: str, stem: str, width: int
) -> None:
    title = _title(stem)
    seen = visit(site_url + "index.html", width=width)
    page = seen.page
    assert title in seen.search(word)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    seen.shoot(f"search-{word}-{width}.png")

    page.locator(RESULT_LINK, has_text=title).click()
    page.wait_for_url(site_url + f"notes/{stem}.html")
    assert page.locator("h1").inner_text().strip() == title
    assert page.evaluate("document.documentElement.lang")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    seen.assert_clean()


def _brightness(page: Page) -> int:
    """The sum of R, G and B of the body's computed background."""
    colour = page.evaluate("getComputedStyle(document.body).backgroundColor")
    red, green, blue = (int(part) for part in re.findall(r"\d+", colour)[:3])
    return red + green + blue


def test_dark_scheme_darkens_the_page_and_light_keeps_it_light(
    visit: Callable[..., Visit], site_url: str
) -> None:
    dark = visit(site_url + "notes/math_0211159.html", scheme="dark")
    light = visit(site_url + "notes/math_0211159.html", scheme="light")
    assert _brightness(dark.page) < 200
    assert _brightness(light.page) > 600
    dark.shoot("note-dark-1280.png")
    dark.assert_clean()
    light.assert_clean()


def test_printed_the_page_drops_the_search_and_shows_where_links_go(
    visit: Callable[..., Visit], site_url: str
) -> None:
    seen = visit(site_url + "notes/math_0211159.html")
    page = seen.page
    page.wait_for_selector(SEARCH_INPUT, state="visible")
    page.emulate_media(media="print")
    assert page.locator("#search").is_hidden()
    after = page.evaluate("getComputedStyle(document.querySelector('.links a'), '::after').content")
    assert "arxiv.org/abs/math/0211159" in after
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.pdf(path=str(ARTIFACTS / "note-printed.pdf"))  # for a person to look at
    seen.assert_clean()


@pytest.fixture
def served(workspace: Path) -> Iterator[tuple[str, Path, subprocess.Popen[str]]]:
    """`papernotes site --serve --port 0`, running: its URL, its temporary folder, itself."""
    process = subprocess.Popen(
        _site_command(workspace, "--serve", "--port", "0"),
        env=_environment(workspace),
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    assert process.stderr is not None
    # A thread reads stderr line by line (select() on the pipe misses lines already in
    # Python's buffer), and keeps reading so the server never blocks on a full pipe.
    lines: queue.Queue[str] = queue.Queue()

    def read(stream: IO[str]) -> None:
        for line in stream:
            lines.put(line)
        lines.put("")  # the end: the command stopped

    reader = threading.Thread(target=read, args=(process.stderr,))
    reader.start()
    said = []
    with contextlib.suppress(queue.Empty):
        while not said or (said[-1] and not said[-1].startswith("Serving ")):
            said.append(lines.get(timeout=60))  # a guard against a hung build, not a measure
    found = re.match(r"Serving (.+)/ at (http://127\.0\.0\.1:\d+/) ", said[-1] if said else "")
    try:
        assert found, "".join(said)
        yield found.group(2), Path(found.group(1)), process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=30)
        if process.poll() is None:
            process.kill()
            process.wait()
        reader.join()
        process.stderr.close()


def test_serve_previews_the_site_then_stops_at_ctrl_c_and_cleans_up(
    visit: Callable[..., Visit], served: tuple[str, Path, subprocess.Popen[str]]
) -> None:
    url, folder, process = served
    assert folder.is_dir()
    seen = visit(url, width=PHONE)
    assert seen.page.title() == TITLE
    assert _title("math_0211159") in seen.search("энтропия")
    seen.assert_clean()

    process.send_signal(signal.SIGINT)  # what Ctrl-C sends
    assert process.wait(timeout=30) == 0
    assert not folder.exists()  # the temporary site is removed
