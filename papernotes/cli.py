"""The command line: thin commands over the library. The only module that imports Typer.

Exit codes are decided in one place, `_Group.invoke`: 0 success, 1 a failure the user can
act on (the message says how), 2 a malformed command line or setting.

No `from __future__ import annotations` here: Typer would then evaluate every option's
annotation from its text at every start, a third of what `list` takes at 10,000 notes.
"""

import contextlib
import os
import sqlite3
import sys
from collections.abc import Callable, Sequence
from contextlib import suppress
from enum import Enum
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from papernotes import __version__
from papernotes.errors import NoteFileError, NoteNotFoundError, PapernotesError, UsageError
from papernotes.listing import SortKey
from papernotes.refs import parse_ref
from papernotes.settings import (
    ARXIV_API_URL,
    ARXIV_DELAY,
    ARXIV_TIMEOUT,
    CROSSREF_API_URL,
    CROSSREF_MAILTO,
    DIR,
    GIT_AUTOCOMMIT,
    GITHUB_API_URL,
    SITE_BASE_URL,
    SITE_TITLE,
    TELEGRAM_API_URL,
    TELEGRAM_CHAT,
    WEB_TIMEOUT,
    Setting,
    load,
)

if TYPE_CHECKING:
    from papernotes.annotating import Edited
    from papernotes.arxiv_source import ApiSettings
    from papernotes.crossref_source import CrossrefSource
    from papernotes.index import Collection, SyncReport
    from papernotes.intake import Sources
    from papernotes.note import Note
    from papernotes.refs import NoteRef
    from papernotes.settings import Settings
    from papernotes.web_source import WebSource

_SETTINGS = "papernotes.settings"  # the key of the loaded settings in the context's meta

HELP = """Reading notes on papers and pages, kept as plain YAML files.

Fetch the metadata of an arXiv paper, a DOI (from Crossref) or any web page, write
your TL;DR, findings and commentary next to it, list, search and export your notes.

Start with:  papernotes add 1706.03762 --tag attention
"""


class _Group(TyperGroup):
    """Turns the library's errors into one line on stderr and an exit code."""

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except PapernotesError as err:
            _say(f"Error: {err}")
            raise typer.Exit(err.exit_code) from None
        except KeyboardInterrupt:
            _say("Interrupted: files are as they were before the change in progress.")
            raise typer.Exit(130) from None
        except BrokenPipeError:  # `papernotes list | head`: the reader has what it wanted
            _silence_stdout()
            raise typer.Exit(1) from None
        except OSError as err:  # disk full, permissions: not a bug, and not worth a traceback
            _say(f"Error: {err.filename or ''} {err.strerror or err}".strip())
            raise typer.Exit(1) from None
        except sqlite3.DatabaseError as err:  # the index went bad while in use
            _say(f"Error: the index in the notes folder is damaged ({err}); run papernotes reindex")
            raise typer.Exit(1) from None


app = typer.Typer(
    cls=_Group,
    help=HELP,
    no_args_is_help=True,
    rich_markup_mode=None,  # plain help: rich formatting doubles the time --help takes
    add_completion=True,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _silence_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so Python's final flush stays quiet."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _say(message: str) -> None:
    """One line on stderr, printed literally."""
    from papernotes.text import safe

    print(safe(message), file=sys.stderr)


def _count(number: int, thing: str) -> str:
    """`1 note`, `2 notes`."""
    return f"{number} {thing}{'' if number == 1 else 's'}"


def _setting_help(setting: Setting[Any]) -> str:
    """An option's help: what it is, and its key in a settings file."""
    return f"{setting.help}; file key {setting.key}."


def _version(value: bool) -> None:
    if value:
        print(f"papernotes {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    notes_dir: Annotated[
        Path,
        typer.Option(
            "--dir",
            "-d",
            envvar=DIR.env,
            help=_setting_help(DIR),
            show_default=True,
        ),
    ] = DIR.default,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Reading notes on papers and pages, kept as plain YAML files."""
    from papernotes.index import Collection

    if ctx.invoked_subcommand == "merge-note":
        return  # git's merge driver needs no settings: a broken settings file must not stop it
    settings = load(os.environ, notes_dir=notes_dir if _given(ctx, "notes_dir") else None)
    ctx.meta[_SETTINGS] = settings
    ctx.obj = Collection(settings.get(DIR).value)
    ctx.call_on_close(ctx.obj.close)
    if ctx.invoked_subcommand not in (None, "config") and not ctx.resilient_parsing:
        ctx.call_on_close(lambda: _autocommit(ctx))


def _autocommit(ctx: typer.Context) -> None:
    """With git.autocommit on, commit the note files this command wrote or removed; a
    failure is said, and the notes stay written."""
    touched = ctx.obj.store.touched if ctx.obj is not None else []
    if not touched or not _settings(ctx).get(GIT_AUTOCOMMIT).value:
        return
    from papernotes.git_repo import GitError, Repository
    from papernotes.sharing import autocommit

    try:
        repo = Repository.of(ctx.obj.root)
        name = autocommit(repo, touched, _title_of)
    except GitError as err:
        _say(f"Warning: git.autocommit: not committed: {err}")
        return
    if name:
        _say(f"Committed {name}.")


def _given(ctx: typer.Context, param: str) -> bool:
    """Whether the option `param` was given on the command line (not by its variable)."""
    source = ctx.get_parameter_source(param)
    return source is not None and source.name == "COMMANDLINE"


def _settings(ctx: typer.Context) -> "Settings":
    """The settings the root command loaded: files, environment, `--dir`."""
    settings: Settings = ctx.meta[_SETTINGS]
    return settings


def _collection(ctx: typer.Context, *, synced: bool = True, whole: bool = True) -> "Collection":
    """The collection of `--dir`; with `synced`, its indexes brought up to date first and
    what they could not take reported (the unreadable notes only by commands that read
    the `whole` collection: a command on one note reports that one's problem itself)."""
    collection: Collection = ctx.find_root().obj
    if synced:
        _report(collection.sync(), broken=whole)
    return collection


def _report(report: "SyncReport", *, broken: bool = True) -> None:
    if report.rebuilt:
        _say(f"Note: {report.rebuilt}.")
    for problem in report.broken if broken else ():
        _skipped(problem)
    for duplicate in report.duplicates:
        _say(f"Warning: {duplicate}")


def _skipped(problem: object) -> None:
    """A note that could not be read: the command goes on without it."""
    _say(f"Warning: skipped {problem}")


def _print_json(data: object) -> None:
    from papernotes.display import print_json

    print_json(data)


# Completion of note ids and tags, from the index as the last command left it. Values
# only: a description would make Typer import its rich help renderer (0.2 s) and render
# each one (0.2 ms apiece), where completion must feel instant.


def _completing(ctx: typer.Context) -> "Collection":
    """The collection of the settings while completing (the root callback has not run)."""
    from papernotes.index import Collection

    root = ctx.find_root()
    source = root.get_parameter_source("notes_dir")
    given = Path(root.params["notes_dir"]) if source and source.name == "COMMANDLINE" else None
    try:
        folder = load(os.environ, notes_dir=given).get(DIR).value
    except PapernotesError:  # a broken settings file: its error is for the command to say
        folder = given or DIR.default
    return Collection(folder)


def _complete_ids(ctx: typer.Context, incomplete: str) -> list[str]:
    return _completing(ctx).known_ids(incomplete)


def _complete_tags(ctx: typer.Context, incomplete: str) -> list[str]:
    return _completing(ctx).tags_to_add((), incomplete)


def _complete_tag_words(ctx: typer.Context, incomplete: str) -> list[str]:
    """`tag`'s words: ids, or after `+` the tags the notes named so far do not all have."""
    if not incomplete.startswith("+"):
        return _complete_ids(ctx, incomplete)
    named = []
    for word in ctx.params.get("words") or ():
        with suppress(PapernotesError):
            named.append(parse_ref(word).base)
    return ["+" + t for t in _completing(ctx).tags_to_add(named, incomplete[1:])]


# The notes a command works on, completed from the collection.
PaperId = Annotated[
    str,
    typer.Argument(
        metavar="ID", help="arXiv id or link of the paper.", autocompletion=_complete_ids
    ),
]
NoteIds = Annotated[
    list[str],
    typer.Argument(
        metavar="ID...", help="arXiv ids or links of the notes.", autocompletion=_complete_ids
    ),
]


# arXiv settings, shared by the commands that ask arXiv.
DEFAULT_API_URL = ARXIV_API_URL.default
ApiUrl = Annotated[str, typer.Option(envvar=ARXIV_API_URL.env, help=_setting_help(ARXIV_API_URL))]
Delay = Annotated[float, typer.Option(envvar=ARXIV_DELAY.env, help=_setting_help(ARXIV_DELAY))]
Timeout = Annotated[
    float, typer.Option(envvar=ARXIV_TIMEOUT.env, help=_setting_help(ARXIV_TIMEOUT))
]


def _api_settings(ctx: typer.Context, url: str, delay: float, timeout: float) -> "ApiSettings":
    """The arXiv settings of a command: its flags, else the environment, files, defaults."""
    from papernotes.arxiv_source import ApiSettings

    settings = _settings(ctx)
    return ApiSettings(
        url=settings.get(ARXIV_API_URL, url if _given(ctx, "api_url") else None).value,
        delay=settings.get(ARXIV_DELAY, delay if _given(ctx, "delay") else None).value,
        timeout=settings.get(ARXIV_TIMEOUT, timeout if _given(ctx, "timeout") else None).value,
    )


@app.command()
def add(
    ctx: typer.Context,
    ids: Annotated[
        list[str],
        typer.Argument(
            metavar="ID...",
            help="arXiv ids and links (1911.12246, arXiv:1911.12246v2, hep-th/9901001, "
            "arxiv.org/abs/1706.03762v5: a version fetches that version; the stamp down a "
            "PDF's side, quoted: 'arXiv:1911.04594v1 [cs.LG] 11 Nov 2019'; arXiv's DOI "
            "10.48550/arXiv.1911.04594; ar5iv, alphaxiv or huggingface.co/papers links), DOIs "
            "(10.1103/PhysRevB.91.184507, doi.org links) and any other web link.",
            show_default=False,
        ),
    ] = [],  # noqa: B006 - Typer reads the default, never mutates it
    tag: Annotated[
        list[str],
        typer.Option(
            "--tag",
            "-t",
            help="Tag for the new notes (repeat for several).",
            autocompletion=_complete_tags,
        ),
    ] = [],  # noqa: B006 - Typer reads the default, never mutates it
    title: Annotated[
        str | None,
        typer.Option(
            "--title", metavar="TEXT", help="Title of a link's note, whatever the page says."
        ),
    ] = None,
    source_file: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="FILE",
            help="Also add every paper a text mentions, arXiv's and any DOI: a chat export, "
            "a reading list, a BibTeX file (- reads standard input).",
        ),
    ] = None,
    links: Annotated[
        bool, typer.Option("--links", help="With --from: every other web link it mentions too.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the notes as JSON.")] = False,
    api_url: ApiUrl = DEFAULT_API_URL,
    delay: Delay = ARXIV_DELAY.default,
    timeout: Timeout = ARXIV_TIMEOUT.default,
) -> None:
    """Write a note on each paper or page: its metadata fetched from arXiv, from Crossref
    (a DOI), or from the page itself.

    \b
    Examples:
      papernotes add 1911.12246 arxiv.org/abs/1706.03762v5 hep-th/9901001 -t attention
      papernotes add 10.18653/v1/N19-1423 https://doi.org/10.1103/PhysRevB.91.184507
      papernotes add https://github.com/NVIDIA/mellotron
      papernotes add https://drive.google.com/file/d/1HGz.../view --title "Slides: ..."
      papernotes add --from chat.txt --links  every paper and link a text mentions
      cat links.txt | papernotes add --from -

    A page about a paper (its arXiv id or DOI in its metadata) becomes a note on that
    paper, with the page among its links. A note that exists only gets the tags it lacks.
    What cannot be fetched still gets a placeholder note (marked pending); `papernotes
    refresh --pending` fills it in later. Exit code 1 if anything could not be added.
    """
    from papernotes.display import fetching, make_console, outcome_text
    from papernotes.intake import add_papers

    store = _collection(ctx, synced=False).store
    arxiv_settings = _api_settings(ctx, api_url, delay, timeout)
    if source_file is not None:
        ids = [*ids, *_mentioned(source_file, links=links)]
    elif not ids:
        raise UsageError("give arXiv ids, DOIs or links to add, or --from FILE")
    elif links:
        raise UsageError("--links goes with --from FILE: the links a text mentions")
    if title is not None and (len(ids) != 1 or parse_ref(ids[0]).kind != "link"):
        raise UsageError("--title names one link's note: give it with one link")
    with fetching() as shown:
        outcomes = add_papers(
            store,
            _sources(ctx, arxiv_settings, shown.wait),
            ids,
            tags=tag,
            title=title,
            on_total=shown.total,
            on_progress=shown.advance,
        )
    if as_json:
        _print_json([o.to_dict() for o in outcomes])
    out, err = make_console(), make_console(stderr=True)
    for outcome in outcomes:
        if as_json or not outcome.status.ok:
            err.print(outcome_text(outcome))
        else:
            out.print(outcome_text(outcome))
    if not all(o.status.ok for o in outcomes):
        raise typer.Exit(1)


def _sources(
    ctx: typer.Context, arxiv_settings: "ApiSettings", on_wait: Callable[[str], None]
) -> "Sources":
    """arXiv with the command's settings; Crossref and the web with theirs, made on first use."""
    from papernotes.arxiv_source import ArxivSource
    from papernotes.intake import Sources

    settings = _settings(ctx)
    # Crossref and web pages ask for no fixed pace: a second between requests, or arXiv's
    # delay when that is shorter (0 in tests).
    delay = min(arxiv_settings.delay, 1.0)

    def crossref() -> "CrossrefSource":
        from papernotes.crossref_source import CrossrefSettings, CrossrefSource

        chosen = CrossrefSettings(
            url=settings.get(CROSSREF_API_URL).value,
            mailto=settings.get(CROSSREF_MAILTO).value,
            timeout=arxiv_settings.timeout,
            delay=delay,
        )
        return CrossrefSource(chosen, on_wait=on_wait)

    def web() -> "WebSource":
        from papernotes.web_source import WebSettings, WebSource

        chosen = WebSettings(
            timeout=settings.get(WEB_TIMEOUT).value,
            github_api_url=settings.get(GITHUB_API_URL).value,
            delay=delay,
        )
        return WebSource(chosen, on_wait=on_wait)

    return Sources(ArxivSource(arxiv_settings, on_wait=on_wait), cache(crossref), cache(web))


def _mentioned(source_file: str, *, links: bool) -> list[str]:
    """The papers (and with `links` the other links) a file, or standard input (`-`),
    mentions; says how many on stderr."""
    from papernotes.mentions import find_refs

    name = "standard input" if source_file == "-" else source_file
    try:
        raw = sys.stdin.buffer.read() if source_file == "-" else Path(source_file).read_bytes()
    except OSError as err:
        raise PapernotesError(f"{name}: cannot be read ({err.strerror or err})") from None
    found = find_refs(raw.decode("utf-8", errors="replace"), links=links)
    if not found:
        what = "papers or links" if links else "arXiv ids, DOIs or paper links"
        raise PapernotesError(f"{name}: no {what} found in it")
    pages = sum(r.kind == "link" for r in found)
    counted = [_count(len(found) - pages, "paper"), *([_count(pages, "link")] if links else [])]
    _say(f"Found {' and '.join(counted)} in {name}.")
    return [str(r) for r in found]


@app.command()
def refresh(
    ctx: typer.Context,
    papers: NoteIds = [],  # noqa: B006 - Typer reads the default, never mutates it
    everything: Annotated[bool, typer.Option("--all", help="Every note.")] = False,
    pending: Annotated[
        bool, typer.Option("--pending", help="Placeholders left when a source was unreachable.")
    ] = False,
    crossref: Annotated[
        bool,
        typer.Option(
            "--crossref", help="arXiv papers with a DOI: the journal's details from Crossref too."
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Report what would change; write nothing.")
    ] = False,
    api_url: ApiUrl = DEFAULT_API_URL,
    delay: Delay = ARXIV_DELAY.default,
    timeout: Timeout = ARXIV_TIMEOUT.default,
) -> None:
    """Fetch each note's source again: arXiv's new versions, DOIs and journal references;
    Crossref's record of a DOI; a page's metadata.

    \b
    Examples:
      papernotes refresh --all --dry-run
      papernotes refresh --pending            placeholders left when a source was unreachable
      papernotes refresh 1706.03762 --crossref    and its journal version's details
      papernotes refresh https://github.com/NVIDIA/mellotron

    Only the source's fields change: your TL;DR, findings, commentary, tags and any keys
    you added are kept (and a link's title once it has one). Each note with news is
    reported: "v1 → v3; title, DOI changed". A version going down (v9 → v7) is reported
    as an anomaly and not applied (exit 1).
    """
    from papernotes.display import fetching
    from papernotes.refreshing import refresh_notes

    if not (papers or everything or pending):
        raise UsageError("say which notes to refresh: ids, --all or --pending")
    collection = _collection(ctx)
    settings = _api_settings(ctx, api_url, delay, timeout)
    if papers:
        chosen = {i.base: i for i in map(parse_ref, papers)}  # one per paper, however typed
        notes = [collection.note(i) for i in chosen.values()]
    else:
        notes = collection.notes([row for row, _ in collection.entries(pending=not everything)])
        notes.sort(key=lambda n: n.id)
    if not notes:
        _say("No placeholder notes to complete." if pending else "No notes to refresh.")
        return
    with fetching() as shown:
        changes = refresh_notes(
            collection.store,
            _sources(ctx, settings, shown.wait),
            notes,
            journal=crossref,
            dry_run=dry_run,
            on_total=shown.total,
            on_progress=shown.advance,
        )
    for change in changes:
        line = f"{change.status:<10} {change.arxiv_id!s:<16}  {change.describe()}".rstrip()
        if change.ok:
            print(line)
        else:
            _say(line)
    updated = sum(c.status in ("updated", "completed") for c in changes)
    summary = f"{updated} of {_count(len(changes), 'note')} "
    _say(summary + ("would change (dry run: nothing written)." if dry_run else "updated."))
    if not all(c.ok for c in changes):
        raise typer.Exit(1)


@app.command()
def show(
    ctx: typer.Context,
    paper: PaperId,
    as_json: Annotated[bool, typer.Option("--json", help="Print the note as JSON.")] = False,
) -> None:
    """Show one note: arXiv's metadata and your TL;DR, findings and commentary.

    Example: papernotes show 1706.03762
    """
    from papernotes.display import make_console, print_note

    note = _collection(ctx, whole=False).note(parse_ref(paper))
    if as_json:
        _print_json(note.to_dict())
    else:
        print_note(make_console(), note)


@app.command("list")
def list_notes(
    ctx: typer.Context,
    tag: Annotated[
        list[str],
        typer.Option(
            "--tag",
            "-t",
            help="Only notes with this tag (repeat: all).",
            autocompletion=_complete_tags,
        ),
    ] = [],  # noqa: B006 - Typer reads the default, never mutates it
    category: Annotated[
        str | None,
        typer.Option("--category", "-c", help="Only this arXiv category or group: cs.LG, cs."),
    ] = None,
    year: Annotated[
        str | None,
        typer.Option(
            "--year",
            "-y",
            help="Only papers first published in 2019, 2017..2019, 2017.. or ..2019.",
        ),
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option("--kind", "-k", help="Only notes of this kind: arxiv, doi or link."),
    ] = None,
    sort: Annotated[SortKey, typer.Option(help="Order by date added or published.")] = (
        SortKey.ADDED
    ),
    oldest: Annotated[bool, typer.Option("--oldest", help="Oldest first.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
) -> None:
    """List notes, newest first.

    Example: papernotes list --tag attention --year 2017..2019
    """
    from papernotes.display import make_console, print_listing
    from papernotes.listing import parse_category, parse_kind, parse_years

    # The rules, and the messages, of `search year:`, `cat:` and `kind:`.
    years = parse_years(year, f"--year {year}") if year else None
    category = parse_category(category, f"--category {category}") if category else None
    kind = parse_kind(kind, f"--kind {kind}") if kind else None
    collection = _collection(ctx)
    entries = collection.entries(
        tags=tag, category=category, years=years, sort=sort, oldest=oldest, kind=kind
    )
    if as_json:  # whole notes, a batch at a time
        from papernotes.display import print_json_array

        rowids = [row for row, _ in entries]
        batches = (collection.records(rowids[i : i + 500]) for i in range(0, len(rowids), 500))
        print_json_array(record for batch in batches for record in batch)
    elif entries:
        print_listing(make_console(), entries)
    if not entries:
        if (tag or category or year or kind) and len(collection):
            _say("No notes match these filters.")
        elif collection.report.broken:
            _say(f"No readable notes in {collection.root}/: see the warnings above.")
        else:
            _say(f"No notes in {collection.root}/ yet: add one with  papernotes add 1706.03762")


@app.command(context_settings={"ignore_unknown_options": True})
def search(
    ctx: typer.Context,
    words: Annotated[
        list[str],
        typer.Argument(
            metavar="QUERY...",
            help='Words (all must match), a OR b, (groups), "a phrase", -excluded, prefix*, '
            "and fields title: author: tag: cat: year:2017..2019 id:",
            show_default=False,
        ),
    ],
    limit: Annotated[int, typer.Option("--limit", min=1, help="Show at most this many.")] = 20,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a JSON array of notes with score and snippet.")
    ] = False,
) -> None:
    """Find notes: ranked full-text search over arXiv's fields and your own notes.

    \b
    Examples:
      papernotes search lottery ticket author:morcos year:2019..2020
      papernotes search '"attention heads"' tag:bert -syntax
      papernotes search '(vae OR autoencoder) -gan' year:2019..

    Case, accents and word endings do not matter (wubben finds Wübben, ticket finds
    tickets, Renyi finds R\\'{e}nyi); Russian and other scripts work the same way.
    Best matches first: hits in the title, TL;DR and tags count most.
    """
    from papernotes.display import make_console, print_results
    from papernotes.search import parse_query

    query = parse_query(" ".join(words))
    found, total = _collection(ctx).search(query, limit)
    if as_json:
        _print_json([{**r.note.to_dict(), "score": r.score, "snippet": r.snippet} for r in found])
    else:
        print_results(make_console(), found)
    if not found:
        _say(f"No notes match {' '.join(words)!r}.")
    elif total > limit and not as_json:
        _say(f"Showing {limit} of {total} matches; --limit shows more.")


class ExportFormat(str, Enum):
    """Formats `export` writes."""

    MARKDOWN = "markdown"
    BIBTEX = "bibtex"
    JSON = "json"
    TELEGRAM = "telegram"


@app.command()
def export(
    ctx: typer.Context,
    papers: NoteIds = [],  # noqa: B006 - Typer reads the default, never mutates it
    tag: Annotated[
        list[str],
        typer.Option(
            "--tag",
            "-t",
            help="Notes with this tag (repeat: all of them).",
            autocompletion=_complete_tags,
        ),
    ] = [],  # noqa: B006 - Typer reads the default, never mutates it
    query: Annotated[
        str | None,
        typer.Option("--query", "-q", help="Notes a search finds (the search syntax)."),
    ] = None,
    everything: Annotated[bool, typer.Option("--all", help="Every note.")] = False,
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="Output format.")] = (
        ExportFormat.MARKDOWN
    ),
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE|DIR/",
            help="Write to this file, or one file per note into this folder (end it with /). "
            "Standard output when left out.",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace existing files.")] = False,
    title: Annotated[
        str | None, typer.Option("--title", help="Title of a Markdown digest.")
    ] = None,
    send: Annotated[
        bool,
        typer.Option(
            "--send",
            help="Post the Telegram messages to the chat telegram.chat through the Bot API "
            "instead of writing them; the bot's token is read from PAPERNOTES_TELEGRAM_TOKEN "
            "(only there). Example: papernotes export --tag weekly -f telegram --send",
        ),
    ] = False,
    chat: Annotated[
        str | None,
        typer.Option(
            "--chat",
            help="With --send: the chat to post to, -1001234567890 or @channel; "
            f"file key {TELEGRAM_CHAT.key}.",
        ),
    ] = None,
) -> None:
    """Export notes as Markdown (a post or a digest), BibTeX, JSON or Telegram posts.

    \b
    Examples:
      papernotes export 1706.03762            one post, to standard output
      papernotes export --tag weekly -o digest.md
      papernotes export --all -o posts/       one file per note
      papernotes export --query 'author:vaswani' -f bibtex -o refs.bib
      papernotes export --all -f json | jq '.[].title'
      papernotes export --tag weekly -f telegram -o posts/
      papernotes export 1911.04594 -f telegram --send --chat @my_reading

    -f telegram writes each note as a message in Telegram's HTML (parse_mode=HTML). A post
    over Telegram's 4096 characters is split into numbered parts: in a folder, files
    1911.04594-1.html, 1911.04594-2.html, ...; on standard output, messages are separated
    by a line --- between blank lines. --send posts them to the chat telegram.chat
    (a second apart), says which failed, and exits 1 if any did.
    """
    from papernotes.export import render_chunks
    from papernotes.exporting import Selection, choose, write_export

    if send and (fmt is not ExportFormat.TELEGRAM or output is not None):
        raise UsageError("--send posts Telegram messages: give -f telegram, and no -o")
    if chat is not None and not send:
        raise UsageError("--chat says where --send posts: add --send, or leave --chat out")
    selection = Selection(papers, tag, query, everything)
    notes = choose(_collection(ctx), selection)
    if not notes:
        raise PapernotesError(f"no notes match {selection.describe()}")
    if send:
        _send_telegram(ctx, notes, chat)
        return
    if output is None:
        sys.stdout.writelines(render_chunks(fmt.value, notes, title=title))
        return
    written = write_export(notes, fmt.value, output, title=title, force=force)
    where = output if len(written) == 1 else f"{len(written)} files in {output}"
    _say(f"Exported {_count(len(notes), 'note')} to {where}.")


def _send_telegram(ctx: typer.Context, notes: "Sequence[Note]", chat: str | None) -> None:
    """Post each note's messages to the chat; each failure said, exit 1 if any."""
    from papernotes.export.telegram import posts
    from papernotes.telegram_send import Post, TelegramSettings, send, token_from

    settings = _settings(ctx)
    chosen = settings.get(TELEGRAM_CHAT, chat).value
    if not chosen:
        raise UsageError(
            f"say which chat to post to: --chat, {TELEGRAM_CHAT.env} or "
            f"{TELEGRAM_CHAT.key} in a settings file"
        )
    where = TelegramSettings(
        api_url=settings.get(TELEGRAM_API_URL).value,
        chat=chosen,
        token=token_from(os.environ),
        # Telegram takes about a message a second to a chat: a second apart, or arXiv's
        # delay when that is shorter (0 in tests).
        delay=min(settings.get(ARXIV_DELAY).value, 1.0),
    )
    sent = failed = 0
    for delivery in send((Post(n.id, posts(n)) for n in notes), where):
        if delivery.problem is None:
            sent += 1
            _say(f"Sent {delivery.label}.")
        else:
            failed += 1
            _say(f"Error: {delivery.label} not sent: {delivery.problem}")
    _say(f"Sent {_count(sent, 'message')} to {chosen}" + (f"; {failed} failed." if failed else "."))
    if failed:
        raise typer.Exit(1)


@app.command()
def site(
    ctx: typer.Context,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="DIR",
            help="Folder of the site: new, empty, or a site built before (brought up to date). "
            "With --serve and no -o, a temporary folder.",
        ),
    ] = None,
    title: Annotated[
        str | None,
        typer.Option(
            "--title", metavar="TITLE", help=f"The site's title; file key {SITE_TITLE.key}."
        ),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            metavar="URL",
            help="Where the site is published, for the feed's absolute links; "
            f"file key {SITE_BASE_URL.key}.",
        ),
    ] = None,
    serve: Annotated[
        bool, typer.Option("--serve", help="Then preview it on http://127.0.0.1:PORT/.")
    ] = False,
    port: Annotated[
        int,
        typer.Option(
            "--port", metavar="PORT", min=0, max=65535, help="With --serve (0: a free port)."
        ),
    ] = 8000,
) -> None:
    """Build a static website of the notes, with search, to publish on any static host.

    \b
    Examples:
      papernotes site -o public/ --title "Papers we read" --base-url https://lab.example.org/papers/
      papernotes site --serve             preview on http://127.0.0.1:8000/
      papernotes site -o public/ --serve  build into public/, then preview it

    The site has an index of the notes (newest added first), a page per note and per tag,
    an Atom feed (feed.xml) and a search box (Pagefind, running in the browser). Every file
    is in the folder: no CDN, no fonts or scripts from elsewhere. Built again into the same
    folder, only the pages of changed notes and the listings are rewritten. Search needs
    the pages served over http (any static host, --serve, or python -m http.server).
    """
    import tempfile

    from papernotes.site import SiteOptions, build
    from papernotes.site.serve import serve as serve_folder

    if output is None and not serve:
        raise UsageError("say where to build the site: -o DIR (or --serve to preview it)")
    settings = _settings(ctx)
    options = SiteOptions(
        title=settings.get(SITE_TITLE, title).value.strip(),
        base_url=settings.get(SITE_BASE_URL, base_url).value or None,
    )
    with contextlib.ExitStack() as stack:
        if output is None:
            output = Path(
                stack.enter_context(tempfile.TemporaryDirectory(prefix="papernotes-site-"))
            )
        collection = _collection(ctx)
        _say(f"Building the site of {_count(len(collection), 'note')} in {output}/ ...")
        report = build(
            collection, output, options,
            on_search=lambda: _say(f"Indexing {_count(len(collection), 'note')} for search ..."),
        )  # fmt: skip
        kept = f", {report.kept} unchanged" if report.kept else ""
        removed = f", {len(report.removed)} removed" if report.removed else ""
        _say(
            f"Built the site of {_count(report.notes, 'note')} in {output}/: "
            f"{_count(len(report.written), 'file')} written{kept}{removed}."
        )
        if not serve:
            return
        serve_folder(output, port, lambda url: _say(f"Serving {output}/ at {url} (Ctrl-C to stop)"))


git_app = typer.Typer(
    help="Share the notes folder through git: set up the merge of notes (papernotes sync "
    "does the rest).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(git_app, name="git")


@git_app.command("init")
def git_init(ctx: typer.Context) -> None:
    """Set up the notes folder's repository for sharing: note files merged field by field.

    \b
    Example:
      git clone git@example.org:lab/papers.git && papernotes --dir papers/notes git init

    Writes .gitattributes in the notes folder (its *.yaml files merged by papernotes
    merge-note), registers that merge driver in the repository's git config (by this
    Python's full path, so git GUIs and editors find it too), and makes sure the derived
    files (indexes, locks, drafts) are ignored. Each member runs it once in their clone:
    git does not share its config. Running it again changes nothing, or repairs the driver
    after papernotes moved.
    """
    from papernotes.git_repo import Repository
    from papernotes.sharing import init

    repo = Repository.of(ctx.obj.root)
    changed = init(repo)
    for line in changed:
        _say(f"Set up {line}.")
    _say(
        f"{repo.folder}/ is ready to share: commit and push with papernotes sync."
        if changed
        else f"{repo.folder}/ was already set up for sharing; nothing changed."
    )


@app.command()
def sync(ctx: typer.Context) -> None:
    """Commit the notes' changes, pull the others' (merged note by note, field by field),
    push.

    \b
    Example:
      papernotes sync

    Only the notes and the tool's own files in the notes folder are committed, with a
    message listing what was added, edited and removed. The pull follows pull.rebase,
    pull.ff and the branch's settings, and merges when none says how. A branch without
    an upstream is pushed to the remote's branch of the same name. On a conflict the merge
    stays in progress with the notes named: fix the marked field (papernotes check names
    it; papernotes edit opens the note), and the next sync commits it and pushes.
    """
    from papernotes.git_repo import Repository
    from papernotes.sharing import SyncConflictError
    from papernotes.sharing import sync as sync_notes

    repo = Repository.of(ctx.obj.root)
    try:
        sync_notes(repo, _say, _title_of)
    except SyncConflictError as err:
        _say(f"Conflict: {err}")
        raise typer.Exit(1) from None


@app.command("log")
def note_log(
    ctx: typer.Context,
    paper: PaperId,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Who changed what in a note, from git's history: date, author, fields changed.

    \b
    Example:
      papernotes log 1706.03762
    """
    from papernotes.git_repo import Repository
    from papernotes.sharing import history
    from papernotes.text import safe

    repo = Repository.of(ctx.obj.root)
    collection = _collection(ctx)
    path = collection.path_of(parse_ref(paper))
    revisions = history(repo, path)
    if not revisions and not path.exists():
        raise NoteNotFoundError(
            f"no note for {paper} in {collection.root}/, now or in git's history"
        )
    if as_json:
        _print_json([vars(r) for r in revisions])
        return
    if not revisions:
        raise PapernotesError(f"{path} has no history in git yet: commit it (papernotes sync)")
    for r in revisions:
        print(safe(f"{r.date[:16].replace('T', ' ')}  {r.commit[:8]}  {r.author}  "
                   f"{', '.join(r.fields) or 'no field'}  ({r.subject})"))  # fmt: skip


def _title_of(path: "Path") -> str:
    """A note file's title, for a commit message ("" when it cannot be read)."""
    from papernotes.note import load_note, normalise_space
    from papernotes.tex import to_unicode

    try:
        note = load_note(path.read_text("utf-8"), str(path))
    except (OSError, UnicodeDecodeError, PapernotesError):
        return ""
    return normalise_space(to_unicode(note.title))


@app.command()
def edit(
    ctx: typer.Context,
    paper: PaperId,
    overwrite: Annotated[
        bool,
        typer.Option(
            "--overwrite",
            help="Save your draft over the note even if the note changed since the draft "
            "was made, without asking (at a terminal you are asked; elsewhere it is refused).",
        ),
    ] = False,
    discard: Annotated[
        bool,
        typer.Option(
            "--discard",
            help="Delete the unsaved draft of this note instead of opening the editor.",
        ),
    ] = False,
) -> None:
    """Open a note in $VISUAL or $EDITOR; it is checked when the editor closes.

    Example: EDITOR=nano papernotes edit 1706.03762

    If the YAML is broken or the id was changed, the note is left as it was and your
    edit is kept in a draft (.1706.03762.draft.yaml) that the next edit reopens;
    nothing you typed is lost. A draft is never saved over a note that changed since
    the draft was made unless you say so: at a terminal you are asked, elsewhere add
    --overwrite.

    To throw a draft away: papernotes edit 1706.03762 --discard
    """
    from papernotes.editing import Conflict, EditResult, discard_draft, edit_note, editor_command

    store = _collection(ctx, synced=False).store
    arxiv_id = parse_ref(paper)
    if discard:
        if overwrite:
            raise UsageError("--discard deletes the draft and --overwrite saves it: give one")
        removed = discard_draft(store, arxiv_id)
        _say(f"Removed the draft {removed}." if removed else f"No draft of {arxiv_id.base}.")
        return
    at_terminal = sys.stdin.isatty()

    def retry(problem: str) -> bool:
        if not at_terminal:
            return False  # the error that follows names the problem: said once
        _say(f"Error: {problem}")
        return typer.confirm("Open the editor again?", default=True)

    def confirm(conflict: Conflict) -> bool:
        if overwrite or not at_terminal:
            return overwrite
        return typer.confirm(conflict.question(), default=False)

    def resumed(draft: Path, conflict: Conflict | None) -> None:
        since = ""
        if conflict:
            how = "may have changed" if conflict.base is None else "changed"
            since = f"; the note {'was removed' if conflict.current is None else how} since"
        _say(f"Note: resuming your unsaved edit in {draft}{since}")

    result = edit_note(
        store,
        arxiv_id,
        editor=editor_command(),
        retry=retry,
        confirm=confirm,
        on_resume=resumed,
    )
    _say("Saved." if result is EditResult.SAVED else "No changes.")


@app.command(context_settings={"ignore_unknown_options": True})
def tag(
    ctx: typer.Context,
    words: Annotated[
        list[str],
        typer.Argument(
            metavar="ID... [+TAG|-TAG]...",
            autocompletion=_complete_tag_words,
            help="Notes, then tags to add (+name) and to remove (-name).",
            show_default=False,
        ),
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the notes as a JSON array (show --json's keys).")
    ] = False,
) -> None:
    """Add and remove tags without opening an editor; with no +/-, list a note's tags.

    \b
    Examples:
      papernotes tag 1706.03762 +attention +to-read
      papernotes tag 1706.03762 1810.04805 -to-read +read
      papernotes tag 1706.03762                one tag per line

    Tags match whatever their case or accents (-BERT removes bert). After -- nothing
    is an option:  papernotes tag 1706.03762 -- -h  removes the tag h.
    """
    from papernotes.annotating import clean_tags, retag
    from papernotes.text import safe

    papers = [w for w in words if not w.startswith(("+", "-"))]
    add = [w[1:] for w in words if w.startswith("+")]
    drop = [w[1:] for w in words if w.startswith("-")]
    if not papers:
        raise UsageError("say which notes to tag: papernotes tag ID... +name -name")
    clean_tags([*add, *drop])  # a malformed tag stops the command before any note is read
    collection = _collection(ctx, whole=False)
    edited, failed = _each_note(
        collection,
        papers,
        (lambda path: retag(collection.store, path, add=add, drop=drop)) if add or drop else None,
    )
    if as_json:
        _print_json([e.note.to_dict() for e in edited])
    elif len(papers) == 1 and not (add or drop):
        for name in edited[0].note.tags if edited else []:
            print(safe(name))
    else:
        for e in edited:
            tags = " ".join(f"#{t}" for t in e.note.tags) or "(no tags)"
            status = "tagged" if e.changed else "unchanged" if add or drop else ""
            print(
                safe(f"{status:<10}{e.note.id:<16}  {tags}" if status else f"{e.note.id}\t{tags}")
            )
    if failed:
        raise typer.Exit(1)


@app.command("note")
def note_fields(
    ctx: typer.Context,
    paper: PaperId,
    tldr: Annotated[
        str | None, typer.Option("--tldr", metavar="TEXT", help="Set the TL;DR.")
    ] = None,
    finding: Annotated[
        list[str],
        typer.Option("--finding", metavar="TEXT", help="Add a finding (repeat for several)."),
    ] = [],  # noqa: B006 - Typer reads the default, never mutates it
    replace_findings: Annotated[
        bool,
        typer.Option("--replace-findings", help="The --finding texts replace the findings."),
    ] = False,
    commentary: Annotated[
        str | None,
        typer.Option(
            "--commentary", metavar="TEXT|-", help="Set the commentary (- reads standard input)."
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the note as JSON (as show --json does).")
    ] = False,
) -> None:
    """Write your TL;DR, findings and commentary without opening an editor.

    \b
    Examples:
      papernotes note 1706.03762 --tldr "Attention alone beats recurrence."
      papernotes note 1706.03762 --finding "28.4 BLEU on WMT14 en-de" --finding "3.5 days on 8 GPUs"
      pbpaste | papernotes note 1706.03762 --commentary -
      papernotes note 1706.03762 --replace-findings     no findings left

    Findings are added after the ones there (one already there is not repeated);
    --replace-findings puts the given ones in their place. An empty TEXT clears a field.
    """
    from papernotes.annotating import annotate

    if commentary == "-":
        commentary = _standard_input("--commentary -")
    if tldr is None and commentary is None and not (finding or replace_findings):
        raise UsageError(
            "say what to write: --tldr, --finding or --commentary "
            "(papernotes show ID prints the note)"
        )
    collection = _collection(ctx, whole=False)
    edited, _ = _each_note(
        collection,
        [paper],
        lambda path: annotate(
            collection.store,
            path,
            tldr=tldr,
            findings=finding,
            replace_findings=replace_findings,
            commentary=commentary,
        ),
    )
    if not edited:
        raise typer.Exit(1)
    note = edited[0].note
    if as_json:
        _print_json(note.to_dict())
    else:
        print(f"{'updated' if edited[0].changed else 'unchanged':<10}{note.id}")


def _standard_input(what: str) -> str:
    """All of standard input as text, for `what`."""
    data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode()
    try:
        return data.decode()
    except UnicodeDecodeError:
        raise UsageError(f"{what}: standard input is not UTF-8 text") from None


def _each_note(
    collection: "Collection",
    papers: list[str],
    change: "Callable[[Path], Edited] | None",
) -> "tuple[list[Edited], int]":
    """`change` applied to the file of each note named (read only, without one): the
    notes, and how many names were not a note, each said on stderr as `add` does."""
    from papernotes.annotating import Edited

    done: list[Edited] = []
    failed = 0
    seen: set[str] = set()
    for given in papers:
        try:
            arxiv_id = parse_ref(given)
            if arxiv_id.base in seen:
                continue
            seen.add(arxiv_id.base)
            note = collection.note(arxiv_id)  # says "no note for ..." when there is none
            path = collection.path_of(arxiv_id)
            done.append(change(path) if change else Edited(note, path, changed=False))
        except PapernotesError as err:
            _say(f"Error: {err}")
            failed += 1
    return done, failed


@app.command("open")
def open_paper(
    paper: PaperId,
    pdf: Annotated[bool, typer.Option("--pdf", help="Open the PDF instead of the page.")] = False,
) -> None:
    """Open a paper's arXiv page, or its PDF, in the browser.

    \b
    Examples:
      papernotes open 1706.03762
      papernotes open 1706.03762v1 --pdf      that version
      papernotes open 1706.03762 | pbcopy     not a terminal: prints the address

    The browser is $BROWSER when set, else the system's own.
    """
    from papernotes.links import paper_url

    url = paper_url(parse_ref(paper), pdf=pdf)
    if not sys.stdout.isatty():
        print(url)
        return
    import webbrowser

    if not webbrowser.open(url):
        raise PapernotesError(f"no browser could be started for {url}: set $BROWSER")


@app.command()
def remove(
    ctx: typer.Context,
    papers: NoteIds,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete notes (asks first; --yes to skip the question).

    Example: papernotes remove 1706.03762
    """
    from papernotes.text import safe

    collection = _collection(ctx, whole=False)
    chosen: dict[str, tuple[NoteRef, str]] = {}  # one per paper, however typed
    failed = False
    for given in papers:
        try:
            arxiv_id = parse_ref(given)
            if arxiv_id.base not in chosen:
                chosen[arxiv_id.base] = arxiv_id, _title_for_removal(collection, arxiv_id)
        except PapernotesError as err:  # not an id, or no note: the others are removed
            _say(f"Error: {err}")
            failed = True
    if chosen and not yes:
        if not sys.stdin.isatty():
            raise UsageError("remove deletes notes: add --yes to confirm when not at a terminal")
        listing = "\n".join(f"  {base}  {safe(title)}" for base, (_, title) in chosen.items())
        typer.confirm(f"Delete {_count(len(chosen), 'note')}?\n{listing}\n", abort=True)
    for arxiv_id, _ in chosen.values():
        print(f"removed {arxiv_id.base}  {safe(str(collection.remove(arxiv_id)))}")
    if chosen:
        collection.sync()  # the indexes it read stay current: .index.json holds no removed note
    if failed:
        raise typer.Exit(1)


def _title_for_removal(collection: "Collection", arxiv_id: "NoteRef") -> str:
    """The title `remove` shows; NoteNotFoundError when there is no note to remove."""
    from papernotes.display import title_of

    try:
        return title_of(collection.note(arxiv_id))
    except NoteFileError:  # a broken note can still be removed
        return "(unreadable note)"


@app.command()
def check(
    ctx: typer.Context,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the findings as a JSON object.")
    ] = False,
) -> None:
    """Check every note: YAML syntax, value types, file names, duplicates, placeholders,
    merge conflicts left in a field.

    Example: papernotes check (exit code 1 when any note has an error)

    Changes nothing. Placeholders and unsaved edits are warnings, not errors.
    """
    from papernotes.checking import check_notes
    from papernotes.text import safe

    report = check_notes(_collection(ctx, synced=False).store)
    if as_json:
        _print_json(
            {
                "checked": report.checked,
                "errors": len(report.errors),
                "findings": [f.to_dict() for f in report.findings],
            }
        )
    else:
        for finding in report.findings:
            print(safe(f"{finding.file}: {finding.severity}: {finding.message}"))
        warnings = len(report.findings) - len(report.errors)
        _say(
            f"Checked {_count(report.checked, 'note')}: {_count(len(report.errors), 'error')}, "
            f"{_count(warnings, 'warning')}."
        )
    if report.errors:
        raise typer.Exit(1)


@app.command("merge-note", hidden=True)
def merge_note(
    base: Annotated[Path, typer.Argument(help="The common ancestor (%O); may be empty.")],
    ours: Annotated[Path, typer.Argument(help="Our version (%A): the result replaces it.")],
    theirs: Annotated[Path, typer.Argument(help="Their version (%B).")],
    path: Annotated[str, typer.Argument(help="The note's path in the repository (%P).")],
) -> None:
    """Merge three versions of a note file, field by field: git's merge driver.

    Example: papernotes merge-note %O %A %B %P (git runs it, as `papernotes git init` sets up)

    Exit code 0 for a clean merge; 1 when a field is left with conflict markers in it, or a
    version is not a note (then the whole file is merged as text).
    """
    from papernotes.merging import merge_note_files

    merged = merge_note_files(base, ours, theirs, path)
    if merged.problem:
        _say(f"Error: {merged.problem}")
    elif merged.conflicts:
        _say(
            f"Conflict: {path}: both sides changed {', '.join(merged.conflicts)}: keep one side "
            "between the conflict markers in the file, delete the markers, run `papernotes check`"
        )
    if not merged.clean:
        raise typer.Exit(1)


@app.command()
def reindex(ctx: typer.Context) -> None:
    """Rebuild the index from the YAML files.

    Commands keep the index current by themselves; this is for peace of mind.
    """
    collection = _collection(ctx, synced=False)
    report = collection.sync(rebuild=True)
    _report(report)
    from papernotes.text import safe

    print(safe(f"Indexed {_count(len(collection), 'note')} in {collection.root}/."))


@app.command()
def config(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """Print every setting: its value and where it came from.

    \b
    Examples:
      papernotes config
      papernotes --dir ~/papers config --json

    A value comes from the first of: a flag, an environment variable, papernotes.toml
    in the notes folder, $XDG_CONFIG_HOME/papernotes/config.toml (~/.config when unset),
    the default. The text printed is itself a settings file.
    """
    from papernotes.text import safe

    settings = _settings(ctx)
    if as_json:
        _print_json(settings.to_dict())
    else:
        print("\n".join(safe(line) for line in settings.as_toml()))


def main() -> None:
    """Entry point of the `papernotes` command."""
    try:
        app()
        code = 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        if isinstance(done.code, str):
            print(done.code, file=sys.stderr)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # `papernotes list | head`: the reader has what it wanted
        _silence_stdout()
        code = code or 1
    # Every file is written and closed by now; tearing the interpreter down with Typer and
    # rich loaded would add a sixth to `list` (benchmarks/RESULTS.md).
    os._exit(code)
