"""How notes look: rich panels and tables on a terminal, plain text in a pipe, JSON on request.

Everything from arXiv or a note goes into `rich.text.Text` (never markup) after control
characters are made visible, so a title like `[bold]x[/bold]` or an escape sequence prints
as the characters it is.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, TYPE_CHECKING, Any, Protocol

from papernotes.listing import byline, title_line
from papernotes.note import Note
from papernotes.tex import to_unicode
from papernotes.text import CELL, safe, tsv_cell, tsv_lines

if TYPE_CHECKING:
    from rich.progress import Progress
    from rich.text import Text

    from papernotes.index import Entry
    from papernotes.intake import Outcome
    from papernotes.search import Result


def _write_rows(console: Output, rows: Iterable[Sequence[str]]) -> None:
    """Tab-separated lines for scripts: no field can add a column or a row of its own."""
    console.file.write("".join(["\t".join(map(tsv_cell, row)) + "\n" for row in rows]))


def to_json(data: Any) -> str:
    """JSON for `--json`: UTF-8 text as it is, two-space indent."""
    from papernotes.export.json import dumps

    return dumps(data).decode()


def print_json_array(items: Iterable[Any]) -> None:
    """A JSON array on standard output, as `print_json` writes it, one item at a time."""
    from papernotes.export.json import array_chunks

    sys.stdout.writelines(array_chunks(items))


def print_json(data: Any) -> None:
    """`data` as JSON on standard output, written as bytes (no decoding of a large text)."""
    from papernotes.export.json import dumps

    data = dumps(data) + b"\n"
    if hasattr(sys.stdout, "buffer"):
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
    else:  # a text-only stream (tests, embedding)
        sys.stdout.write(data.decode())


class Output(Protocol):
    """What the printing functions need: a rich Console, or `PlainOutput` in a pipe."""

    @property
    def is_terminal(self) -> bool: ...

    @property
    def file(self) -> IO[str]: ...

    def print(self, *objects: Any) -> None: ...


class PlainOutput:
    """Stands in for a rich Console in a pipe: nothing is styled, so rich is not imported."""

    is_terminal = False

    def __init__(self, *, stderr: bool = False) -> None:
        self.file = sys.stderr if stderr else sys.stdout

    def print(self, *objects: Any) -> None:
        """Each object's text (a rich Text loses its styles), unwrapped, on one line."""
        self.file.write(" ".join(getattr(o, "plain", None) or str(o) for o in objects) + "\n")


def make_console(*, stderr: bool = False) -> Output:
    """A rich console for a terminal (text printed literally, no markup); plain otherwise.

    Whether output is a terminal follows rich's own rules: FORCE_COLOR or TTY_COMPATIBLE=1
    make it one, NO_COLOR only takes the colour away.
    """
    stream = sys.stderr if stderr else sys.stdout
    forced = os.environ.get("FORCE_COLOR") or os.environ.get("TTY_COMPATIBLE") == "1"
    if not forced and not stream.isatty():
        return PlainOutput(stderr=stderr)
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, markup=False, emoji=False)


class Fetching:
    """What a fetch shows on stderr: a bar that disappears when done (`bar`, on a
    terminal), and every wait for a retry, on a terminal and in a pipe alike."""

    def __init__(self, bar: Progress | None = None) -> None:
        self.bar = bar
        self.task = bar.add_task("Fetching metadata", total=None) if bar else None

    def total(self, count: int) -> None:
        """How many notes' metadata there is to fetch (from arXiv, Crossref, pages)."""
        if self.bar and self.task is not None:
            notes = f"{count} note{'' if count == 1 else 's'}"
            self.bar.update(self.task, total=count, description=f"Fetching metadata of {notes}")

    def advance(self, done: int) -> None:
        """`done` more papers fetched."""
        if self.bar and self.task is not None:
            self.bar.advance(self.task, done)

    def wait(self, message: str) -> None:
        """A retry's wait: above the bar, or a line on stderr."""
        if self.bar:
            self.bar.console.print(safe(message), markup=False, highlight=False)
        else:
            print(safe(message), file=sys.stderr)


@contextlib.contextmanager
def fetching() -> Iterator[Fetching]:
    """A `Fetching` whose bar is drawn only when stderr is a terminal."""
    if not sys.stderr.isatty():
        yield Fetching()
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        yield Fetching(bar)


def title_of(note: Note) -> str:
    """The title (its TeX read as Unicode), or a marker for a placeholder whose metadata is
    still pending."""
    return title_line(to_unicode(note.title), note.pending)


def first_author(note: Note) -> str:
    """`Vaswani et al.` style: the first author's name (its TeX read as Unicode), and
    'et al.' when there are more."""
    names = [a.name for a in note.authors]
    return byline([to_unicode(names[0]), *names[1:]] if names else names)


def note_body(note: Note) -> Text:
    """Every field of a note as styled text (styles vanish in a pipe, the words stay).

    TeX in arXiv's fields (title, authors, abstract, comment, journal reference) is shown
    as the characters it stands for; the reader's own fields are shown as written.
    """
    from rich.text import Text

    text = Text()

    def line(label: str, value: str | None) -> None:
        if value:
            text.append(f"{safe(label)}: ", style="bold")
            text.append(safe(value) + "\n")

    def section(heading: str, body: str | Sequence[str]) -> None:
        if not body:
            return
        text.append(f"\n{heading}\n", style="bold underline")
        items = [body] if isinstance(body, str) else [f"- {item}" for item in body]
        for item in items:
            text.append(safe(item) + "\n")

    text.append(safe(title_of(note)) + "\n", style="bold")
    if note.subtitle:
        text.append(safe(note.subtitle) + "\n")
    version = f"v{note.version}" if note.version else ""
    if note.kind == "arxiv":
        line("arXiv", f"{note.id}{version}")
    elif note.kind == "doi":
        line("DOI", note.id.removeprefix("doi:"))
    else:
        line("Link", note.id)
    authors = [
        _author(to_unicode(a.name), list(map(to_unicode, a.affiliations))) for a in note.authors
    ]
    line("Authors", "; ".join(authors))
    categories = [c for c in note.categories if c != note.primary_category]
    line("Category", ", ".join([note.primary_category, *categories]).strip(", "))
    line("Published", _date(note.published))
    if note.updated != note.published:
        line("Updated", _date(note.updated))
    line("DOI", note.doi)
    line("arXiv", note.arxiv)
    where = ", ".join(
        p for p in (note.container, _volume(note), note.pages and f"pp. {note.pages}") if p
    )
    line("In", where)
    line("Publisher", note.publisher)
    line("Type", note.type)
    line("Site", note.site)
    line("Language", note.language)
    if note.repository:
        repo = note.repository
        line(
            "Repository",
            " · ".join(
                v
                for v in (
                    f"{repo.get('owner', '')}/{repo.get('name', '')}".strip("/"),
                    repo.get("language"),
                    repo.get("description"),
                )
                if v
            ),
        )
    counts = [
        f"{n} {label}"
        for n, label in (
            (note.references_count, "references"),
            (note.cited_by_count, "citing works"),
        )
        if n is not None
    ]
    line("Crossref counts", ", ".join(counts))
    line("Journal", to_unicode(note.journal_ref or ""))
    line("Comment", to_unicode(note.comment or ""))
    line("Link", note.url if note.url != note.id else None)
    line("PDF", note.pdf_url)
    line("Found on", " ".join(note.links))
    line("Tags", " ".join(f"#{t}" for t in note.tags))
    line("Added", _date(note.added))
    if note.pending:
        text.append(
            f"\nMetadata pending: {_SOURCES[note.kind]} could not be read when this note was "
            f"made. Run `papernotes refresh {note.id}` to fill it in.\n",
            style="yellow",
        )
    section("TL;DR", note.tldr)
    section("Findings", note.findings)
    section("Commentary", note.commentary)
    if not (note.tldr or note.findings or note.commentary):
        text.append(
            f"\nNo notes yet: papernotes note {note.id} --tldr TEXT "
            f"(or papernotes edit {note.id})\n",
            style="dim",
        )
    section("Abstract", to_unicode(note.abstract))
    for key, value in note.extra.items():
        line(str(key), value if isinstance(value, str) else to_json(value).replace("\n", " "))
    text.rstrip()
    return text


def print_note(console: Output, note: Note) -> None:
    """`show`: a panel on a terminal, plain text otherwise."""
    body = note_body(note)
    if console.is_terminal:
        from rich.panel import Panel

        console.print(Panel(body, expand=False, border_style="blue"))
    else:
        console.print(body)


def print_listing(console: Output, entries: Sequence[Entry]) -> None:
    """`list`: a table on a terminal; tab-separated lines otherwise (id, year, title,
    first author, tags)."""
    if not console.is_terminal:
        console.file.write(tsv_lines([line for _, line in entries]))
        return
    from rich.table import Table
    from rich.text import Text

    table = Table(show_edge=False, pad_edge=False, header_style="bold")
    for name, options in (
        ("id", {"no_wrap": True, "style": "cyan"}),
        ("year", {"no_wrap": True}),
        ("title", {"ratio": 3}),
        ("authors", {"ratio": 1}),
        ("tags", {"style": "green", "ratio": 1}),
    ):
        table.add_column(name, **options)
    for _, line in entries:
        table.add_row(*(Text(safe(cell)) for cell in line.split(CELL)))
    console.print(table)


def print_results(console: Output, results: Sequence[Result]) -> None:
    """`search`: title lines with highlighted snippets on a terminal; TSV otherwise."""
    if not console.is_terminal:
        rows = (
            (
                r.note.id,
                str(r.note.year or ""),
                f"{r.score:.2f}",
                title_of(r.note),
                first_author(r.note),
                r.snippet,
            )
            for r in results
        )
        _write_rows(console, rows)
        return
    from rich.padding import Padding
    from rich.text import Text

    for result in results:
        note = result.note
        line = Text()
        line.append(note.id, style="cyan")
        line.append(f"  {note.year or ''}  ")
        line.append(safe(title_of(note)), style="bold")
        tags = " ".join(f"#{t}" for t in note.tags)
        details = ", ".join(x for x in (first_author(note), tags) if x)
        if details:
            line.append(f"  {safe(details)}", style="dim")
        console.print(line)
        passage = Text(safe(result.snippet), style="dim")
        for start, end in result.marks:
            passage.stylize("not dim bold yellow", start, end)
        console.print(Padding(passage, (0, 0, 0, 4)))


def outcome_text(outcome: Outcome) -> Text:
    """One line per requested paper for `add`."""
    from rich.text import Text

    from papernotes.intake import Status

    style = {
        Status.ADDED: "green",
        Status.COMPLETED: "green",
        Status.EXISTS: "dim",
        Status.TAGGED: "green",
        Status.PENDING: "yellow",
    }.get(outcome.status, "red")
    text = Text(f"{outcome.status.value:<10}", style=style)
    if outcome.status is Status.INVALID and outcome.ref is None:
        return text.append(safe(outcome.message))
    text.append(f"{outcome.ref!s:<16}  ")
    if outcome.note is not None and outcome.status.ok:
        text.append(safe(title_of(outcome.note)))
    else:
        text.append(safe(outcome.message))
    return text


_SOURCES = {"arxiv": "arXiv", "doi": "Crossref", "link": "the page"}


def _volume(note: Note) -> str:
    """`vol. 7, no. 3` as far as the note has them."""
    parts = [
        f"vol. {note.volume}" if note.volume else "",
        f"no. {note.issue}" if note.issue else "",
    ]
    return ", ".join(p for p in parts if p)


def _author(name: str, affiliations: Sequence[str]) -> str:
    return f"{name} ({', '.join(affiliations)})" if affiliations else name


def _date(stamp: str | None) -> str | None:
    return stamp[:10] if stamp else None
